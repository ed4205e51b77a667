// SPDX-License-Identifier: Apache-2.0
// UsageFlow — DomainTests

import Domain
import Testing

// The operator's accounts: vendors and distributors only, names checked, read and listed by the
// operator alone.

@Suite struct AccountOperationsTests {
    @Test("creates vendors (VA-) and distributors (PA-)")
    func creates() async throws {
        let world = try await CredentialWorld()
        let vendor = try await world.accounts.create(.operator, role: .vendor, name: "Acme Software")
        #expect(IdentifierKind.vendor.matches(vendor.id))
        #expect(vendor.role == .vendor)
        #expect(vendor.name == "Acme Software")
        #expect(vendor.createdAt == world.clock.current)
        let distributor = try await world.accounts.create(
            .operator, role: .distributor, name: String(repeating: "d", count: 255))
        #expect(IdentifierKind.distributor.matches(distributor.id))
        #expect(distributor.role == .distributor)
        #expect(try await world.accounts.get(.operator, id: vendor.id) == vendor)
        #expect(try await world.accounts.get(.operator, id: distributor.id) == distributor)
    }

    struct Refusal: Sendable, CustomTestStringConvertible {
        var label: String
        var role: Role?
        var name: String
        var fields: [String]
        var testDescription: String { label }
    }

    static let refusals: [Refusal] = [
        Refusal(label: "no role", role: nil, name: "Acme", fields: ["role"]),
        Refusal(label: "operator role", role: .operator, name: "Acme", fields: ["role"]),
        Refusal(label: "reseller role", role: .reseller, name: "Acme", fields: ["role"]),
        Refusal(label: "empty name", role: .vendor, name: "", fields: ["name"]),
        Refusal(label: "blank name", role: .vendor, name: "   ", fields: ["name"]),
        Refusal(label: "name of 256", role: .distributor, name: String(repeating: "n", count: 256), fields: ["name"]),
        Refusal(label: "control character", role: .vendor, name: "Acme\u{1B}", fields: ["name"]),
        Refusal(label: "both wrong", role: nil, name: "", fields: ["role", "name"]),
    ]

    @Test("invalid accounts name every wrong field and store nothing", arguments: refusals)
    func refused(_ refusal: Refusal) async throws {
        let world = try await CredentialWorld()
        try await world.refuses(.invalidArgument, fields: refusal.fields) {
            try await world.accounts.create(.operator, role: refusal.role, name: refusal.name)
        }
    }

    @Test("only the operator manages accounts")
    func onlyTheOperator() async throws {
        let world = try await CredentialWorld()
        for tenant in [Tenant.vendor(id: world.vendorID), .distributor(id: world.distributorID), world.resellerTenant] {
            try await world.refuses(.permissionDenied, "only the operator can create accounts") {
                try await world.accounts.create(tenant, role: .vendor, name: "Acme")
            }
            try await world.refuses(.permissionDenied, "only the operator can read accounts") {
                try await world.accounts.get(tenant, id: world.vendorID)
            }
            try await world.refuses(.permissionDenied, "only the operator can list accounts") {
                try await world.accounts.list(tenant, role: nil, page: PageRequest())
            }
        }
    }

    @Test("anything but a stored vendor or distributor is not found")
    func notFound() async throws {
        let world = try await CredentialWorld()
        for id in ["VA-000-000", "PA-000-000", world.resellerID, world.customerID, "operator", "va-123-456", ""] {
            try await world.refuses(.notFound, "account \(id) not found") {
                try await world.accounts.get(.operator, id: id)
            }
        }
    }

    @Test("lists accounts oldest first, all or by role, page by page")
    func lists() async throws {
        let world = try await CredentialWorld()
        let all = try await world.accounts.list(.operator, role: nil, page: PageRequest())
        #expect(all.items.map(\.id) == [world.vendorID, world.distributorID, world.otherDistributorID])
        #expect(all.nextAfter == nil)
        #expect(
            try await world.accounts.list(.operator, role: .vendor, page: PageRequest()).items.map(\.id) == [
                world.vendorID
            ])
        #expect(
            try await world.accounts.list(.operator, role: .distributor, page: PageRequest()).items.map(\.id)
                == [world.distributorID, world.otherDistributorID])
        let first = try await world.accounts.list(.operator, role: nil, page: PageRequest(size: 2))
        #expect(first.items.map(\.id) == [world.vendorID, world.distributorID])
        let after = try #require(first.nextAfter)
        let second = try await world.accounts.list(.operator, role: nil, page: PageRequest(size: 2, after: after))
        #expect(second.items.map(\.id) == [world.otherDistributorID])
        #expect(second.nextAfter == nil)
    }

    @Test("a role filter other than vendor or distributor is invalid", arguments: [Role.operator, .reseller])
    func invalidFilter(_ role: Role) async throws {
        let world = try await CredentialWorld()
        try await world.refuses(.invalidArgument, fields: ["role"]) {
            try await world.accounts.list(.operator, role: role, page: PageRequest())
        }
    }
}
