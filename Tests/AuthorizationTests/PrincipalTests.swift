// SPDX-License-Identifier: Apache-2.0
// UsageFlow — AuthorizationTests

import Authorization
import Domain
import Testing

// What a policy sees of a caller (its kind, from tenant and credential) and what the log sees.

@Suite struct PrincipalKindTests {
    static let reseller = ResellerTenant(
        id: "TA-1234-5678", distributorID: "PA-123-456", tier: 2, parentID: "TA-8765-4321", allowTier2: false)

    /// Every tenant with either credential. A service identity only makes a distributor tenant a
    /// different kind: the credential is what tells the reconciliation service's callers apart.
    static let table: [(Tenant, Principal.Credential, PrincipalKind)] = [
        (.operator, .apiKey(id: "KEY-1111-1111"), .operator),
        (.operator, .serviceIdentity(id: "SI-111-111"), .operator),
        (.vendor(id: "VA-123-456"), .apiKey(id: "KEY-1111-1111"), .vendor),
        (.vendor(id: "VA-123-456"), .serviceIdentity(id: "SI-111-111"), .vendor),
        (.distributor(id: "PA-123-456"), .apiKey(id: "KEY-1111-1111"), .distributor),
        (.distributor(id: "PA-123-456"), .serviceIdentity(id: "SI-111-111"), .serviceIdentity),
        (.reseller(reseller), .apiKey(id: "KEY-1111-1111"), .reseller),
        (.reseller(reseller), .serviceIdentity(id: "SI-111-111"), .reseller),
    ]

    @Test("the kind follows the tenant, and the credential for a distributor", arguments: table)
    func kind(_ tenant: Tenant, _ credential: Principal.Credential, _ expected: PrincipalKind) {
        for scope in KeyScope.allCases {
            #expect(Principal(tenant: tenant, credential: credential, scope: scope).kind == expected)
        }
    }

    @Test("every kind is reachable from some tenant and credential")
    func everyKindReachable() {
        #expect(Set(Self.table.map(\.2)) == Set(PrincipalKind.allCases))
    }

    @Test("kind names are the words refusals use")
    func kindNames() {
        #expect(PrincipalKind.allCases.map(\.rawValue) == [
            "operator", "vendor", "distributor", "reseller", "service identity",
        ])
        #expect(PrincipalKind(rawValue: "service identity") == .serviceIdentity)
        #expect(PrincipalKind(rawValue: "serviceIdentity") == nil)
    }
}

@Suite struct PrincipalDescriptionTests {
    @Test("the log line names kind, tenant, credential and scope")
    func descriptions() {
        let cases: [(Principal, String)] = [
            (
                Principal(tenant: .vendor(id: "VA-123-456"), credential: .apiKey(id: "KEY-1234-5678"), scope: .full),
                "vendor VA-123-456 (key KEY-1234-5678, full)"
            ),
            (
                Principal(tenant: .operator, credential: .apiKey(id: "KEY-0000-0001"), scope: .readOnly),
                "operator operator (key KEY-0000-0001, read-only)"
            ),
            (
                Principal(
                    tenant: .distributor(id: "PA-123-456"), credential: .serviceIdentity(id: "SI-123-456"),
                    scope: .full),
                "service identity PA-123-456 (service identity SI-123-456, full)"
            ),
            (
                Principal(
                    tenant: .distributor(id: "PA-123-456"), credential: .apiKey(id: "KEY-2222-2222"), scope: .full),
                "distributor PA-123-456 (key KEY-2222-2222, full)"
            ),
            (
                Principal(
                    tenant: .reseller(PrincipalKindTests.reseller), credential: .apiKey(id: "KEY-3333-3333"),
                    scope: .readOnly),
                "reseller TA-1234-5678 (key KEY-3333-3333, read-only)"
            ),
        ]
        for (principal, text) in cases {
            #expect(principal.description == text)
            #expect("\(principal)" == text)
        }
    }

    @Test("principals are equal exactly when tenant, credential and scope are")
    func equality() {
        let base = Principal(tenant: .vendor(id: "VA-123-456"), credential: .apiKey(id: "KEY-1234-5678"), scope: .full)
        var readOnly = base
        readOnly.scope = .readOnly
        var otherKey = base
        otherKey.credential = .apiKey(id: "KEY-1234-0000")
        var otherTenant = base
        otherTenant.tenant = .vendor(id: "VA-999-999")
        let same = Principal(tenant: .vendor(id: "VA-123-456"), credential: .apiKey(id: "KEY-1234-5678"), scope: .full)
        #expect(base == same)
        #expect(Set([base, readOnly, otherKey, otherTenant]).count == 4)
    }
}
