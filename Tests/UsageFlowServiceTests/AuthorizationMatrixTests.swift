// SPDX-License-Identifier: Apache-2.0
// UsageFlow — UsageFlowServiceTests

import Authorization
import Domain
import ProtoWire
import RPCCore
import StandardServices
import Testing
import UsageFlowServer

// The authorization matrix: every principal kind × every RPC of the four role services × own,
// another tenant's and a missing object, through the server's own router and authentication
// interceptor over SQLite. Each cell asserts its exact status, computed by `MatrixRules`; that a
// call the policy refuses changed nothing stored, not even its key's last-use time, and that a
// read or a call the operation refuses changed nothing but that time; that another tenant's object
// is refused exactly like a missing one; that a list aimed at either answers an empty page; and
// that no reply to world A carries an id of world B.

@Suite(.serialized) struct AuthorizationMatrixTests {
    /// Every RPC the four services declare has exactly one row, a policy that says what the rows
    /// assume, and a route in the server's router; a new RPC without a row fails here.
    @Test func everyRPCHasARowAPolicyAndARoute() {
        let declared = MatrixTable.services.flatMap(\.methods).map(\.path)
        let rows = MatrixTable.rows.map(\.method.path)
        #expect(Set(declared).subtracting(rows).sorted() == [], "RPCs without a row in the matrix")
        #expect(Set(rows).subtracting(declared).sorted() == [], "rows for RPCs no service declares")
        #expect(rows.count == Set(rows).count, "an RPC with two rows")

        let router = UsageFlowServer.makeRouter(
            environment: DomainEnvironment(store: UnusedStore()), log: EventLog(level: .error) { _ in },
            health: HealthService(), clientCertificatesVerified: false)
        for row in MatrixTable.rows {
            let path = row.method.path
            #expect(
                UsageFlowServer.policies[path] == Policy(allowed: [row.allowedKind], access: row.access),
                "\(path): the policy is not what the matrix expects")
            #expect(router.route(forPath: path) != nil, "\(path) is not served by the server's router")
        }

        let counts = MatrixTable.expectedCounts().sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }
        print(
            "Authorization matrix: \(MatrixTable.rows.count) RPCs, \(MatrixPrincipal.allCases.count) principals, "
                + "\(MatrixTable.cells.count) cells expected: \(counts.joined(separator: ", "))")
    }

    /// The rules give every status somewhere, so no rule is dead and none swallows the others.
    @Test func everyStatusOfTheRulesOccurs() {
        let codes = Set(MatrixTable.cells.map(\.expectation.code))
        #expect(
            codes == [.ok, .unauthenticated, .permissionDenied, .notFound, .failedPrecondition, .invalidArgument])
        #expect(MatrixTable.cells.contains { $0.expectation == .emptyPage })
    }

    /// Missing objects are named by well-formed ids, so their NOT_FOUND is a lookup's, not a
    /// format check's.
    @Test func missingIDsAreWellFormed() {
        let missing = MatrixTenantWorld.missingRefs
        let kinds: [(String, IdentifierKind)] = [
            (missing.vendor, .vendor), (missing.distributor, .distributor), (missing.product, .product),
            (missing.publishedItem, .item), (missing.marketplace, .marketplace),
            (missing.activeContract, .distributionContract), (missing.listedListing, .listing),
            (missing.tier1Reseller, .tierAccount), (missing.directCustomer, .tierAccount),
            (missing.directSubscription, .subscription), (missing.serviceIdentity, .serviceIdentity),
            (missing.vendorKey, .apiKey), (missing.usage.draftFile, .usageFile),
        ]
        for (id, kind) in kinds { #expect(kind.matches(id), "\(id) is not a well-formed \(kind.format)") }
    }

    @Test(arguments: MatrixTable.cells)
    func cell(_ cell: MatrixCell) async throws {
        var outcome = "error"
        do {
            outcome = try await run(cell)
        } catch {
            await MatrixShared.shared.finished(cell, observed: outcome)
            throw error
        }
        await MatrixShared.shared.finished(cell, observed: outcome)
    }

    /// Runs one cell and checks it; returns the status it answered, for the summary.
    private func run(_ cell: MatrixCell) async throws -> String {
        let world = try await MatrixShared.shared.world()
        let expected = cell.expectation
        let context = MatrixRequestContext(
            world: world, principal: cell.principal, target: cell.target, expectsSuccess: expected.code == .ok)
        let call = try await cell.row.prepare(context)
        let before = try await world.snapshot()
        let result = try await world.perform(call, as: cell.principal)

        switch result {
        case .success(let response):
            #expect(expected.code == .ok, "expected \(expected), the call succeeded")
            if let page = expected.page {
                let count = try #require(response.pageCount, "a list row without a page count")
                switch page {
                case .empty: #expect(count == 0, "expected an empty page, got \(count) elements")
                case .nonEmpty: #expect(count > 0, "expected a page holding world A's objects, got none")
                }
            }
            if !cell.row.spansTenants {
                let text = String(decoding: response.bytes, as: UTF8.self)
                let leaked = world.foreignIDs.filter { text.contains($0) }
                #expect(leaked == [], "the reply carries world B's ids")
            }
        case .failure(let error):
            #expect(error.code == expected.code, "expected \(expected), got \(error)")
            if let words = cell.principal.refusalWords {
                #expect(error.message.contains(words), "refused for another reason: \(error.message)")
            } else if error.code == .permissionDenied && cell.principal.authenticated?.kind == cell.row.allowedKind {
                #expect(error.message.contains("read-only"), "refused for another reason: \(error.message)")
            }
            if cell.target != .own {
                // Another tenant's object and a missing one must be refused alike, or the answer
                // tells that the other tenant's object exists.
                let answer = MatrixShared.Refusal(error, naming: world.refs(cell.target))
                if let twin = await MatrixShared.shared.refusal(answer, for: cell) {
                    #expect(answer == twin, "another tenant's object is refused unlike a missing one")
                }
            }
        }

        let succeeded = (try? result.get()) != nil
        if succeeded && cell.row.access == .write {
            world.storeChanged()
        } else if MatrixRules.admits(cell.row, cell.principal) {
            let changed = try await world.freshSnapshot().ignoringLastUse.changes(from: before.ignoringLastUse)
            #expect(changed == [], "\(succeeded ? "a read" : "a call the operation refused") changed what is stored")
        } else {
            let changed = try await world.freshSnapshot().changes(from: before)
            #expect(changed == [], "a call the policy refused changed what is stored")
        }
        switch result {
        case .success: return "OK"
        case .failure(let error): return "\(error.code)"
        }
    }
}

/// A store for a router that is only inspected, never called.
private struct UnusedStore: DataStore {
    func read<T: Sendable>(_ body: @escaping @Sendable (any StoreReader) throws -> T) async throws -> T {
        throw DomainError.internalFailure("the router is not called")
    }

    func write<T: Sendable>(_ body: @escaping @Sendable (any StoreWriter) throws -> T) async throws -> T {
        throw DomainError.internalFailure("the router is not called")
    }
}
