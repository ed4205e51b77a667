// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Authorization

import Domain

/// Whether an RPC only reads or also changes something; read-only keys may only read.
public enum Access: String, Sendable, Hashable {
    case read, write
}

/// Who may call one RPC, stated as a value next to the RPC so a truth-table test can exercise
/// every policy without a server.
public struct Policy: Sendable, Hashable {
    public var allowed: Set<PrincipalKind>
    public var access: Access

    public init(allowed: Set<PrincipalKind>, access: Access) {
        self.allowed = allowed
        self.access = access
    }

    /// Only callers of `kind`, reading.
    public static func read(_ kinds: PrincipalKind...) -> Policy { Policy(allowed: Set(kinds), access: .read) }
    /// Only callers of `kind`, writing.
    public static func write(_ kinds: PrincipalKind...) -> Policy { Policy(allowed: Set(kinds), access: .write) }

    /// Decides a call: no principal is UNAUTHENTICATED; the wrong kind of caller, or a read-only
    /// key on a write, is PERMISSION_DENIED. Tenant ownership is decided later, by the operation,
    /// which answers NOT_FOUND for another tenant's object.
    public func authorize(_ principal: Principal?, method: String) throws(AuthorizationError) {
        guard let principal else {
            throw .unauthenticated("\(method) requires a credential: send `authorization: Bearer <key>`")
        }
        guard allowed.contains(principal.kind) else {
            let wanted = allowed.map(\.rawValue).sorted().joined(separator: " or ")
            throw .permissionDenied("\(method) is for \(wanted) credentials, not \(principal.kind.rawValue)")
        }
        if access == .write && principal.scope == .readOnly {
            throw .permissionDenied("\(method) changes data; a read-only key cannot call it")
        }
    }
}
