// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

// API keys and service identities keep no status history: their operations append these events
// next to the write. A credential is `active` once issued and `revoked` after; the event names
// the credential, never its secret.

extension EventDraft {
    /// A key was issued (`from` nil) or revoked.
    public static func apiKey(
        _ key: APIKey, from: String?, managedBy manager: Tenant, at time: Timestamp
    ) -> EventDraft {
        EventDraft(
            objectType: .apiKey, objectID: key.id, from: from ?? "", to: key.isRevoked ? "revoked" : "active",
            reason: key.name, actor: manager.actor, at: time, audience: .apiKey(key, managedBy: manager))
    }

    /// A service identity was registered (`from` nil) or revoked.
    public static func serviceIdentity(
        _ identity: ServiceIdentity, from: String?, by actor: String, at time: Timestamp
    ) -> EventDraft {
        EventDraft(
            objectType: .serviceIdentity, objectID: identity.id, from: from ?? "",
            to: identity.isRevoked ? "revoked" : "active", reason: identity.name, actor: actor, at: time,
            audience: .serviceIdentity(identity))
    }
}
