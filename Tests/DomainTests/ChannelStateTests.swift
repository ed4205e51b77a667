// SPDX-License-Identifier: Apache-2.0
// UsageFlow — DomainTests

import Domain
import Testing

/// The channel's state machines without a store: every transition from every state.
@Suite("Channel state machines")
struct ChannelStateTests {
    static let t0 = Timestamp(secondsSinceEpoch: 1_000)
    static let t1 = Timestamp(secondsSinceEpoch: 2_000)

    static func contract(_ status: ContractStatus) -> Contract {
        Contract(
            id: "CRD-00000-00000-00001", vendorID: "VA-000-001", distributorID: "PA-000-001", marketplaceID: "MP-00001",
            status: status, history: [], createdAt: t0)
    }

    static func listing(_ status: ListingStatus) -> Listing {
        Listing(
            id: "LST-000-000-001", productID: "PRD-000-000-001", contractID: "CRD-00000-00000-00001",
            vendorID: "VA-000-001", distributorID: "PA-000-001", marketplaceID: "MP-00001", status: status, history: [],
            createdAt: t0)
    }

    static func subscription(_ status: SubscriptionStatus) -> Subscription {
        Subscription(
            id: "AS-0000-0000-0001", productID: "PRD-000-000-001", vendorID: "VA-000-001", distributorID: "PA-000-001",
            marketplaceID: "MP-00001", contractID: "CRD-00000-00000-00001",
            tiers: Tiers(customerID: "TA-0-0000-0000-0001", tier1ID: nil, tier2ID: nil), externalID: "",
            externalUID: "",
            parameters: [], status: status, history: [], createdAt: t0)
    }

    enum ContractAction: String, CaseIterable { case accept, terminate }

    @Test("contract transitions", arguments: ContractStatus.allCases, ContractAction.allCases)
    func contractTransitions(from status: ContractStatus, action: ContractAction) throws {
        var contract = Self.contract(status)
        let expected: ContractStatus? =
            switch (status, action) {
            case (.pending, .accept): .active
            case (.pending, .terminate), (.active, .terminate): .terminated
            default: nil
            }
        let refusal: DomainError?
        do throws(DomainError) {
            switch action {
            case .accept: try contract.accept(at: Self.t1, by: "VA-000-001")
            case .terminate: try contract.terminate(at: Self.t1, by: "PA-000-001", reason: "why")
            }
            refusal = nil
        } catch {
            refusal = error
        }
        if let error = refusal {
            #expect(expected == nil, "\(action) from \(status) was refused: \(error)")
            #expect(error.kind == .failedPrecondition)
            #expect(error.message.contains(status.rawValue))
            #expect(contract == Self.contract(status))
        } else {
            let new = try #require(expected, "\(action) from \(status) should have been refused")
            #expect(contract.status == new)
            #expect(contract.history.last?.from == status.rawValue)
            #expect(contract.history.last?.to == new.rawValue)
            #expect(contract.history.last?.at == Self.t1)
        }
    }

    enum ListingAction: String, CaseIterable { case approve, decline, unlist }

    @Test("listing transitions", arguments: ListingStatus.allCases, ListingAction.allCases)
    func listingTransitions(from status: ListingStatus, action: ListingAction) throws {
        var listing = Self.listing(status)
        let expected: ListingStatus? =
            switch (status, action) {
            case (.pending, .approve): .listed
            case (.pending, .decline): .declined
            case (.listed, .unlist): .unlisted
            default: nil
            }
        let refusal: DomainError?
        do throws(DomainError) {
            switch action {
            case .approve: try listing.approve(at: Self.t1, by: "PA-000-001")
            case .decline: try listing.decline(at: Self.t1, by: "PA-000-001", note: "no")
            case .unlist: try listing.unlist(at: Self.t1, by: "PA-000-001")
            }
            refusal = nil
        } catch {
            refusal = error
        }
        if let error = refusal {
            #expect(expected == nil, "\(action) from \(status) was refused: \(error)")
            #expect(error.kind == .failedPrecondition)
            #expect(error.message.contains("is \(status.rawValue)"))
            #expect(listing == Self.listing(status))
        } else {
            let new = try #require(expected, "\(action) from \(status) should have been refused")
            #expect(listing.status == new)
            #expect(
                listing.history.last
                    == StatusChange(
                        from: status.rawValue, to: new.rawValue, at: Self.t1, actor: "PA-000-001",
                        reason: action == .decline ? "no" : ""))
            #expect(listing.isLive == (new == .listed))
        }
    }

    enum SubscriptionAction: String, CaseIterable { case suspend, resume, terminate }

    @Test("subscription transitions", arguments: SubscriptionStatus.allCases, SubscriptionAction.allCases)
    func subscriptionTransitions(from status: SubscriptionStatus, action: SubscriptionAction) throws {
        var subscription = Self.subscription(status)
        let expected: SubscriptionStatus? =
            switch (status, action) {
            case (.active, .suspend): .suspended
            case (.suspended, .resume): .active
            case (.active, .terminate), (.suspended, .terminate): .terminated
            default: nil
            }
        let refusal: DomainError?
        do throws(DomainError) {
            switch action {
            case .suspend: try subscription.suspend(at: Self.t1, by: "PA-000-001", reason: "r")
            case .resume: try subscription.resume(at: Self.t1, by: "PA-000-001", reason: "r")
            case .terminate: try subscription.terminate(at: Self.t1, by: "PA-000-001", reason: "r")
            }
            refusal = nil
        } catch {
            refusal = error
        }
        if let error = refusal {
            #expect(expected == nil, "\(action) from \(status) was refused: \(error)")
            #expect(error.kind == .failedPrecondition)
            #expect(error.message.contains(status.rawValue))
            #expect(subscription == Self.subscription(status))
        } else {
            let new = try #require(expected, "\(action) from \(status) should have been refused")
            #expect(subscription.status == new)
            #expect(
                subscription.history.last
                    == StatusChange(
                        from: status.rawValue, to: new.rawValue, at: Self.t1, actor: "PA-000-001", reason: "r"))
        }
    }
}
