// SPDX-License-Identifier: Apache-2.0
// UsageFlow — DomainTests

import Domain
import Testing

/// The checks of a ListEvents or WatchEvents request, without a store.
@Suite("Event operations")
struct EventOperationsTests {
    static let distributor = Tenant.distributor(id: "PA-000-001")

    static func violations(_ body: () throws -> EventOperations.Query) -> [String] {
        do {
            _ = try body()
            return []
        } catch let error as DomainError {
            return error.violations.map(\.field)
        } catch {
            return ["unexpected \(error)"]
        }
    }

    @Test("a good request becomes the tenant's filter; 0 means 100 per page")
    func goodRequest() throws {
        let query = try EventOperations.query(
            Self.distributor, afterPosition: 42, objectTypes: ["usage_record", "subscription", "usage_record"],
            objectID: "UF-1/r1", pageSize: 0)
        #expect(query.filter == EventFilter(
            tenantID: "PA-000-001", afterPosition: 42, objectTypes: [.usageRecord, .subscription], objectID: "UF-1/r1"))
        #expect(query.limit == 100)
        #expect(try EventOperations.query(Self.distributor, afterPosition: 0, objectTypes: [], pageSize: 1000).limit == 1000)
        #expect(try EventOperations.query(Self.distributor, afterPosition: 0, objectTypes: []).filter.objectID == nil)
    }

    @Test("every bad field is reported at once")
    func badRequest() {
        let fields = Self.violations {
            try EventOperations.query(
                Self.distributor, afterPosition: -1, objectTypes: ["subscription", "invoice", "Usage_File"],
                pageSize: 1001)
        }
        #expect(fields == ["after_position", "object_types[1]", "object_types[2]", "page_size"])
        #expect(Self.violations { try EventOperations.query(Self.distributor, afterPosition: 0, objectTypes: [], pageSize: -1) }
            == ["page_size"])
    }

    @Test("every object type the API names is accepted")
    func knownTypes() throws {
        let names = ["product", "item", "contract", "listing", "subscription", "usage_file", "usage_record",
            "reconciliation", "reseller_billing", "api_key", "service_identity"]
        let query = try EventOperations.query(Self.distributor, afterPosition: 0, objectTypes: names)
        #expect(query.filter.objectTypes.map(\.rawValue) == names)
        #expect(EventObjectType.allCases.count == names.count)
    }

    @Test("the operator has no events")
    func operatorRefused() {
        #expect(throws: DomainError.self) {
            try EventOperations.query(.operator, afterPosition: 0, objectTypes: [])
        }
    }
}
