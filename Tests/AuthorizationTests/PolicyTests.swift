// SPDX-License-Identifier: Apache-2.0
// UsageFlow — AuthorizationTests

import Authorization
import Domain
import Testing

// The policy truth table: every principal kind with either key scope, against the policies the
// services state (one kind, reading or writing) and the mixed ones a future service could state.
// The expected outcomes are written out cell by cell, so a change to the rules shows up as a
// changed row here, not only as a changed implementation.

/// What a policy decides for one caller.
enum Outcome: Character, Sendable, CustomStringConvertible {
    /// The call goes on to its operation.
    case allowed = "A"
    /// PERMISSION_DENIED: the credential is of a kind the policy does not admit.
    case wrongKind = "K"
    /// PERMISSION_DENIED: a read-only key on a write.
    case readOnly = "R"

    var description: String {
        switch self {
        case .allowed: "allowed"
        case .wrongKind: "refused: wrong kind"
        case .readOnly: "refused: read-only"
        }
    }
}

/// One caller of every kind in either scope, in the column order of `PolicyTruthTable.rows`.
let principalColumns: [(kind: PrincipalKind, scope: KeyScope)] = PrincipalKind.allCases.flatMap { kind in
    KeyScope.allCases.map { (kind, $0) }
}

/// A principal of `kind` with `scope`, with a credential that makes it that kind.
func principal(_ kind: PrincipalKind, _ scope: KeyScope) -> Principal {
    switch kind {
    case .operator:
        Principal(tenant: .operator, credential: .apiKey(id: "KEY-0000-0001"), scope: scope)
    case .vendor:
        Principal(tenant: .vendor(id: "VA-123-456"), credential: .apiKey(id: "KEY-0000-0002"), scope: scope)
    case .distributor:
        Principal(tenant: .distributor(id: "PA-123-456"), credential: .apiKey(id: "KEY-0000-0003"), scope: scope)
    case .reseller:
        Principal(
            tenant: .reseller(
                ResellerTenant(
                    id: "TA-1234-5678", distributorID: "PA-123-456", tier: 1, parentID: nil, allowTier2: true)),
            credential: .apiKey(id: "KEY-0000-0004"), scope: scope)
    case .serviceIdentity:
        Principal(tenant: .distributor(id: "PA-123-456"), credential: .serviceIdentity(id: "SI-123-456"), scope: scope)
    }
}

/// Decides `policy` for `caller` and names the outcome, or records an issue if the refusal is not
/// a PERMISSION_DENIED one.
func outcome(of policy: Policy, for caller: Principal) -> Outcome? {
    do throws(AuthorizationError) {
        try policy.authorize(caller, method: "/usageflow.v1.TestService/Call")
        return .allowed
    } catch {
        guard error.kind == .permissionDenied else {
            Issue.record("a known principal was refused with \(error)")
            return nil
        }
        if error.message.hasSuffix("changes data; a read-only key cannot call it") { return .readOnly }
        if error.message.contains(" credentials, not ") { return .wrongKind }
        Issue.record("a refusal that names no reason: \(error)")
        return nil
    }
}

enum PolicyTruthTable {
    /// Columns, two per kind (full, read-only): operator, vendor, distributor, reseller, service identity.
    static let rows: [(policy: Policy, expected: String)] = [
        // The policies the role services state: one kind, reading or writing.
        (.read(.operator), /*            */ "AA KK KK KK KK"),
        (.write(.operator), /*           */ "AR KK KK KK KK"),
        (.read(.vendor), /*              */ "KK AA KK KK KK"),
        (.write(.vendor), /*             */ "KK AR KK KK KK"),
        (.read(.distributor), /*         */ "KK KK AA KK KK"),
        (.write(.distributor), /*        */ "KK KK AR KK KK"),
        (.read(.reseller), /*            */ "KK KK KK AA KK"),
        (.write(.reseller), /*           */ "KK KK KK AR KK"),
        (.read(.serviceIdentity), /*     */ "KK KK KK KK AA"),
        (.write(.serviceIdentity), /*    */ "KK KK KK KK AR"),
        // Reconciliation: distributor keys and service identities.
        (.read(.distributor, .serviceIdentity), "KK KK AA KK AA"),
        (.write(.distributor, .serviceIdentity), "KK KK AR KK AR"),
        // A distributor key is not a service identity, nor the other way round.
        (.write(.vendor, .reseller), /*  */ "KK AR KK AR KK"),
        // Every kind, and none.
        (.read(.operator, .vendor, .distributor, .reseller, .serviceIdentity), "AA AA AA AA AA"),
        (.write(.operator, .vendor, .distributor, .reseller, .serviceIdentity), "AR AR AR AR AR"),
        (.read(), /*                     */ "KK KK KK KK KK"),
        (.write(), /*                    */ "KK KK KK KK KK"),
    ]

    struct Cell: Sendable, CustomTestStringConvertible {
        var policy: Policy
        var kind: PrincipalKind
        var scope: KeyScope
        var expected: Outcome

        var testDescription: String {
            let kinds = policy.allowed.map(\.rawValue).sorted().joined(separator: ", ")
            return "\(policy.access)(\(kinds)) × \(kind.rawValue) \(scope.rawValue) → \(expected)"
        }
    }

    static let cells: [Cell] = rows.flatMap { row in
        let marks = row.expected.filter { $0 != " " }
        precondition(marks.count == principalColumns.count, "a row has one mark per column")
        return zip(principalColumns, marks).map { column, mark in
            Cell(policy: row.policy, kind: column.kind, scope: column.scope, expected: Outcome(rawValue: mark)!)
        }
    }
}

@Suite struct PolicyTruthTableTests {
    @Test("each policy decides each principal kind in each scope as the table says", arguments: PolicyTruthTable.cells)
    func cell(_ cell: PolicyTruthTable.Cell) {
        #expect(outcome(of: cell.policy, for: principal(cell.kind, cell.scope)) == cell.expected)
    }

    @Test("the table has a column for every principal kind in every scope")
    func tableCoversEveryPrincipal() {
        #expect(principalColumns.count == PrincipalKind.allCases.count * KeyScope.allCases.count)
        #expect(PolicyTruthTable.cells.count == PolicyTruthTable.rows.count * 10)
    }

    /// Beyond the table: every set of admitted kinds, both accesses, every caller. A caller passes
    /// exactly when its kind is admitted and it reads or holds a full key.
    @Test("every admitted set × access × principal follows the rule", arguments: [Access.read, .write])
    func everyAdmittedSet(_ access: Access) {
        let kinds = PrincipalKind.allCases
        for mask in 0..<(1 << kinds.count) {
            let allowed = Set(kinds.indices.filter { mask & (1 << $0) != 0 }.map { kinds[$0] })
            let policy = Policy(allowed: allowed, access: access)
            for (kind, scope) in principalColumns {
                let expected: Outcome =
                    if !allowed.contains(kind) { .wrongKind }
                    else if access == .write && scope == .readOnly { .readOnly }
                    else { .allowed }
                #expect(
                    outcome(of: policy, for: principal(kind, scope)) == expected,
                    "\(access) \(allowed.map(\.rawValue).sorted()) for \(kind.rawValue) \(scope.rawValue)")
            }
        }
    }

    @Test("no principal is UNAUTHENTICATED whatever the policy admits", arguments: PolicyTruthTable.rows.map(\.policy))
    func missingPrincipal(_ policy: Policy) {
        #expect(throws: AuthorizationError.unauthenticated(
            "/usageflow.v1.VendorService/ListProducts requires a credential: send `authorization: Bearer <key>`"
        )) {
            try policy.authorize(nil, method: "/usageflow.v1.VendorService/ListProducts")
        }
    }
}

@Suite struct PolicyRefusalTests {
    @Test("the wrong kind of caller is told which kinds the method is for")
    func wrongKindMessage() {
        #expect(throws: AuthorizationError.permissionDenied(
            "/usageflow.v1.VendorService/CreateItem is for vendor credentials, not distributor"
        )) {
            try Policy.write(.vendor).authorize(
                principal(.distributor, .full), method: "/usageflow.v1.VendorService/CreateItem")
        }
    }

    @Test("several admitted kinds are named in a stable order, whatever order the policy lists them in")
    func wrongKindMessageNamesKindsSorted() {
        let message =
            "/usageflow.v1.ReconciliationService/Close is for distributor or service identity credentials, not vendor"
        for policy in [Policy.write(.serviceIdentity, .distributor), .write(.distributor, .serviceIdentity)] {
            #expect(throws: AuthorizationError.permissionDenied(message)) {
                try policy.authorize(principal(.vendor, .full), method: "/usageflow.v1.ReconciliationService/Close")
            }
        }
    }

    @Test("a service identity is named as such, not as the distributor it belongs to")
    func serviceIdentityNamed() {
        #expect(throws: AuthorizationError.permissionDenied(
            "/usageflow.v1.DistributorService/ListMarketplaces is for distributor credentials, not service identity"
        )) {
            try Policy.read(.distributor).authorize(
                principal(.serviceIdentity, .full), method: "/usageflow.v1.DistributorService/ListMarketplaces")
        }
    }

    @Test("an admitted read-only key on a write is told the key is read-only")
    func readOnlyMessage() {
        #expect(throws: AuthorizationError.permissionDenied(
            "/usageflow.v1.AdminService/CreateAccount changes data; a read-only key cannot call it"
        )) {
            try Policy.write(.operator).authorize(
                principal(.operator, .readOnly), method: "/usageflow.v1.AdminService/CreateAccount")
        }
    }

    @Test("a read-only key of the wrong kind hears about its kind, not its scope")
    func wrongKindBeforeScope() {
        #expect(throws: AuthorizationError.permissionDenied(
            "/usageflow.v1.VendorService/CreateItem is for vendor credentials, not reseller"
        )) {
            try Policy.write(.vendor).authorize(
                principal(.reseller, .readOnly), method: "/usageflow.v1.VendorService/CreateItem")
        }
    }

    @Test("the tenant does not matter to a policy: another vendor's key passes a vendor policy")
    func tenantIsNotAPolicyConcern() throws {
        let other = Principal(tenant: .vendor(id: "VA-999-999"), credential: .apiKey(id: "KEY-9999-9999"), scope: .full)
        try Policy.write(.vendor).authorize(other, method: "/usageflow.v1.VendorService/DeleteItem")
    }
}

@Suite struct PolicyValueTests {
    @Test("read and write build the policy they name, and repeated kinds collapse")
    func constructors() {
        #expect(Policy.read(.vendor) == Policy(allowed: [.vendor], access: .read))
        #expect(Policy.write(.distributor, .serviceIdentity)
            == Policy(allowed: [.distributor, .serviceIdentity], access: .write))
        #expect(Policy.read(.vendor, .vendor) == Policy.read(.vendor))
        #expect(Policy.read(.vendor) != Policy.write(.vendor))
        #expect(Policy.read(.vendor) != Policy.read(.reseller))
        #expect(Policy.read().allowed.isEmpty)
    }

    @Test("access names are the words logs and errors use")
    func accessNames() {
        #expect(Access.read.rawValue == "read")
        #expect(Access.write.rawValue == "write")
        #expect(Access(rawValue: "admin") == nil)
    }
}
