// SPDX-License-Identifier: Apache-2.0
// UsageFlow — UsageFlowServer

import Domain
import ServiceSupport
import Storage

/// Opening the database, and `usageflow init`'s first operator key.
public enum DatabaseSetup {
    /// Opens the SQLite database at `path`, creating it and applying every migration first.
    public static func openStore(path: String) async throws -> SQLiteDataStore {
        try await SQLiteDataStore(path: path)
    }

    /// Issues an operator key and returns its bearer token, the only copy there will be.
    ///
    /// Refuses (a configuration error naming `--new-operator-key`) when the database already has
    /// a valid operator key, unless `evenIfOneExists`: running `init` twice by mistake should
    /// not mint a second all-powerful key. Revoked keys do not count, so an operator locked out
    /// by revoking every key can recover with `init`.
    public static func issueOperatorKey(
        environment: DomainEnvironment, databasePath: String, evenIfOneExists: Bool,
        hashing: any SecretHashing = CryptoSecretHashing()
    ) async throws -> String {
        let operatorID = CredentialOperations.operatorAccountID
        if !evenIfOneExists {
            let existing = try await environment.store.read { tx in
                try tx.apiKeys(accountID: operatorID, includeRevoked: false, page: PageRequest(size: 1)).items.first
            }
            if let existing {
                throw ConfigurationError(
                    .conflict, flag: "--new-operator-key",
                    "\(databasePath) already has an operator key (\(existing.id)); pass --new-operator-key to issue "
                        + "another (existing keys stay valid)")
            }
        }
        let issued = try await CredentialOperations(environment: environment, hashing: hashing)
            .issueKey(.operator, accountID: operatorID, scope: .full, name: "operator")
        return issued.token.text
    }
}
