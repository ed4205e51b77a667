// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// The operator's accounts: vendors and distributors, created, read and listed.
///
/// Only the operator manages accounts. Resellers and customers are accounts too, but their
/// distributor creates them in the channel; the operator never sees them here.
public struct AccountOperations: Sendable {
    public let environment: DomainEnvironment

    public init(environment: DomainEnvironment) {
        self.environment = environment
    }

    /// The roles the operator creates accounts for.
    public static let accountRoles: Set<Role> = [.vendor, .distributor]

    /// Creates a vendor (`VA-ddd-ddd`) or distributor (`PA-ddd-ddd`) account.
    ///
    /// `role` nil (the wire's unspecified) is a missing field; operator and reseller are refused,
    /// since there is one operator and resellers belong to a distributor.
    public func create(_ tenant: Tenant, role: Role?, name: String) async throws -> Account {
        try Self.requireOperator(tenant, "create accounts")
        var validation = Validation()
        switch role {
        case nil: validation.fail("role", "is required: ROLE_VENDOR or ROLE_DISTRIBUTOR")
        case let role? where !Self.accountRoles.contains(role):
            validation.fail("role", "must be ROLE_VENDOR or ROLE_DISTRIBUTOR (got \(role.rawValue))")
        default: break
        }
        validation.name("name", name)
        try validation.check()
        guard let role else { throw DomainError.invalid(field: "role", "is required") }
        let kind: IdentifierKind = role == .vendor ? .vendor : .distributor
        let now = environment.clock.now()
        return try await environment.store.write { tx in
            let account = Account(id: try environment.newID(kind, in: tx), role: role, name: name, createdAt: now)
            try tx.insert(account)
            return account
        }
    }

    /// One vendor or distributor account; any other id, well-formed or not, is NOT_FOUND.
    public func get(_ tenant: Tenant, id: String) async throws -> Account {
        try Self.requireOperator(tenant, "read accounts")
        return try await environment.store.read { tx in try Self.account(id, in: tx) }
    }

    /// Accounts in creation order, all of them or only vendors or distributors.
    public func list(_ tenant: Tenant, role: Role?, page: PageRequest) async throws -> Page<Account> {
        try Self.requireOperator(tenant, "list accounts")
        var validation = Validation()
        Self.validate(roleFilter: role, into: &validation)
        try validation.check()
        return try await environment.store.read { tx in try tx.accounts(role: role, page: page) }
    }

    /// Adds a violation unless a role filter is nil (all), vendor or distributor; for services
    /// that read it with the request's other fields.
    public static func validate(roleFilter role: Role?, into validation: inout Validation) {
        if let role, !accountRoles.contains(role) {
            validation.fail("role", "must be ROLE_VENDOR or ROLE_DISTRIBUTOR, or unset for all (got \(role.rawValue))")
        }
    }

    // MARK: Shared

    /// PERMISSION_DENIED for anyone but the operator; the interceptor's policies already keep
    /// other roles out, this keeps an operation safe when called directly.
    static func requireOperator(_ tenant: Tenant, _ action: String) throws(DomainError) {
        guard case .operator = tenant else { throw .permissionDenied("only the operator can \(action)") }
    }

    /// A stored vendor or distributor account, or NOT_FOUND with one message for every other case.
    static func account(_ id: String, in tx: any StoreReader) throws -> Account {
        guard IdentifierKind.vendor.matches(id) || IdentifierKind.distributor.matches(id),
            let account = try tx.account(id: id)
        else { throw DomainError.notFound("account", id) }
        return account
    }
}
