// SPDX-License-Identifier: Apache-2.0
// UsageFlow — DomainTests

import Domain
import Testing

/// Who sees each change: the audience rules without a store.
@Suite("Event audience")
struct EventAudienceTests {
    static let t0 = Timestamp(secondsSinceEpoch: 1_000)

    static func file(_ environment: UsageEnvironment) -> UsageFile {
        UsageFile(
            id: "UF-2026-01-0000-0001", vendorID: "VA-000-001", distributorID: "PA-000-001",
            productID: "PRD-000-000-001", contractID: "CRD-00000-00000-00001", marketplaceID: "MP-00001",
            currency: "EUR", schema: .qt, environment: environment, name: "January",
            periodFrom: CivilDate(year: 2026, month: 1, day: 1)!, periodTo: CivilDate(year: 2026, month: 1, day: 31)!,
            createdAt: t0, updatedAt: t0)
    }

    static func change(_ from: UsageFileStatus?, _ to: UsageFileStatus) -> StatusChange {
        StatusChange(from: from?.rawValue ?? "", to: to.rawValue, at: t0, actor: "VA-000-001")
    }

    @Test("ids are kept once, sorted, without empty or missing ones")
    func normalized() {
        #expect(EventAudience("PA-1", nil, "VA-1", "PA-1", "").tenantIDs == ["PA-1", "VA-1"])
        #expect(EventAudience(["TA-2", "TA-1"]) == EventAudience("TA-1", "TA-2"))
        #expect(EventAudience.none.isEmpty)
    }

    @Test("the operator has no events; every other tenant files them under its own id")
    func tenantIDs() {
        #expect(EventAudience.tenantID(of: .operator) == nil)
        #expect(EventAudience.tenantID(of: .vendor(id: "VA-1")) == "VA-1")
        #expect(EventAudience.tenantID(of: .distributor(id: "PA-1")) == "PA-1")
        let reseller = ResellerTenant(id: "TA-1", distributorID: "PA-1", tier: 2, parentID: "TA-0", allowTier2: false)
        #expect(EventAudience.tenantID(of: .reseller(reseller)) == "TA-1")
    }

    @Test("channel objects: both parties of contracts and listings; a subscription's distributor and resellers")
    func channel() {
        let contract = ChannelStateTests.contract(.pending)
        #expect(EventAudience.contract(contract).tenantIDs == ["PA-000-001", "VA-000-001"])
        #expect(EventAudience.listing(ChannelStateTests.listing(.pending)).tenantIDs == ["PA-000-001", "VA-000-001"])
        var subscription = ChannelStateTests.subscription(.active)
        #expect(EventAudience.subscription(subscription).tenantIDs == ["PA-000-001"])
        subscription.tiers = Tiers(customerID: "TA-9", tier1ID: "TA-1", tier2ID: "TA-2")
        // The vendor is not in it: subscriptions are the channel's, not the vendor's, events.
        #expect(EventAudience.subscription(subscription).tenantIDs == ["PA-000-001", "TA-1", "TA-2"])
    }

    @Test(
        "a production file's change is the distributor's when it enters or leaves a state the distributor sees",
        arguments: [
            (nil, UsageFileStatus.draft, false), (.draft, .uploading, false), (.processing, .ready, false),
            (.ready, .pending, true), (.pending, .accepted, true), (.pending, .rejected, true),
            (.accepted, .closed, true), (.rejected, .uploading, true), (.rejected, .deleted, true),
            (.ready, .deleted, false),
        ] as [(UsageFileStatus?, UsageFileStatus, Bool)])
    func usageFiles(from: UsageFileStatus?, to: UsageFileStatus, distributorSees: Bool) {
        let production = EventAudience.usageFile(Self.file(.production), change: Self.change(from, to))
        #expect(production.contains("VA-000-001"))
        #expect(production.contains("PA-000-001") == distributorSees)
        let preview = EventAudience.usageFile(Self.file(.preview), change: Self.change(from, to))
        #expect(preview.tenantIDs == ["VA-000-001"])
    }

    @Test("records and reconciliations are the distributor's; billing marks the reseller's alone")
    func reconciliation() {
        #expect(EventAudience.usageRecord(of: Self.file(.production)).tenantIDs == ["PA-000-001"])
        #expect(EventAudience.reconciliation(distributorID: "PA-1").tenantIDs == ["PA-1"])
        #expect(EventAudience.resellerBilling(resellerID: "TA-1").tenantIDs == ["TA-1"])
    }

    @Test("a history entry becomes an event draft field for field")
    func draftFromChange() {
        let change = StatusChange(from: "active", to: "suspended", at: Self.t0, actor: "PA-1", reason: "overdue")
        let draft = EventDraft(change, objectType: .subscription, objectID: "AS-1", audience: EventAudience("PA-1"))
        #expect(draft == EventDraft(
            objectType: .subscription, objectID: "AS-1", from: "active", to: "suspended", reason: "overdue",
            actor: "PA-1", at: Self.t0, audience: EventAudience("PA-1")))
    }
}
