// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// Distribution contracts: the distributor offers, the vendor accepts, either side terminates.
///
/// Terminating a contract leaves its listings as they are: the distributor unlists them when it
/// wants them gone. What a terminated contract does stop is new business under it: a pending
/// listing cannot be approved and no new subscription can be created through it.
public struct ContractOperations: Sendable {
    public let environment: DomainEnvironment

    public init(environment: DomainEnvironment) {
        self.environment = environment
    }

    /// Offers `vendorID` a contract for one of the distributor's marketplaces (`pending`).
    ///
    /// The vendor must be an existing vendor account (NOT_FOUND otherwise, whatever the id names);
    /// a vendor has at most one live (pending or active) contract per distributor and marketplace.
    public func offer(_ tenant: Tenant, vendorID: String, marketplaceID: String) async throws -> Contract {
        let distributorID = try ChannelOperations.distributorID(tenant, "offer contracts")
        var validation = Validation()
        ChannelOperations.require("vendor_id", vendorID, into: &validation)
        ChannelOperations.require("marketplace_id", marketplaceID, into: &validation)
        try validation.check()
        let now = environment.clock.now()
        return try await environment.store.write { tx in
            guard IdentifierKind.vendor.matches(vendorID), let vendor = try tx.account(id: vendorID),
                vendor.role == .vendor
            else { throw DomainError.notFound("vendor", vendorID) }
            let marketplace = try ChannelOperations.marketplace(marketplaceID, ofDistributor: distributorID, in: tx)
            for status in [ContractStatus.pending, .active] {
                let filter = ContractFilter(
                    vendorID: vendorID, distributorID: distributorID, marketplaceID: marketplace.id, status: status)
                if let live = try ChannelOperations.first({ try tx.contracts(filter, page: $0) }) {
                    throw DomainError.alreadyExists(
                        "vendor \(vendorID) already has contract \(live.id) (\(live.status.rawValue)) "
                            + "in marketplace \(marketplace.id)")
                }
            }
            let contract = Contract(
                id: try environment.newID(.distributionContract, in: tx), vendorID: vendorID,
                distributorID: distributorID, marketplaceID: marketplace.id, status: .pending,
                history: [StatusChange(from: "", to: ContractStatus.pending.rawValue, at: now, actor: tenant.actor)],
                createdAt: now)
            try tx.insert(contract)
            return contract
        }
    }

    /// pending → active, by the vendor the contract was offered to.
    public func accept(_ tenant: Tenant, id: String) async throws -> Contract {
        _ = try ChannelOperations.vendorID(tenant, "accept contracts")
        let now = environment.clock.now()
        return try await environment.store.write { tx in
            var contract = try ChannelOperations.contract(id, visibleTo: tenant, in: tx)
            try contract.accept(at: now, by: tenant.actor)
            try tx.update(contract)
            return contract
        }
    }

    /// pending or active → terminated, by either party, with an optional reason of up to 200 characters.
    public func terminate(_ tenant: Tenant, id: String, reason: String) async throws -> Contract {
        guard tenant.role == .vendor || tenant.role == .distributor else {
            throw DomainError.permissionDenied("only the vendor or the distributor of a contract can terminate it")
        }
        var validation = Validation()
        validation.text("reason", reason, maxLength: Limits.noteLength)
        try validation.check()
        let now = environment.clock.now()
        return try await environment.store.write { tx in
            var contract = try ChannelOperations.contract(id, visibleTo: tenant, in: tx)
            try contract.terminate(at: now, by: tenant.actor, reason: reason)
            try tx.update(contract)
            return contract
        }
    }

    /// The contracts the vendor or distributor acting is party to, optionally only those in one
    /// status or marketplace.
    public func list(
        _ tenant: Tenant, status: ContractStatus? = nil, marketplaceID: String? = nil, page: PageRequest
    ) async throws -> Page<Contract> {
        var filter = ContractFilter(marketplaceID: marketplaceID, status: status)
        switch tenant {
        case .vendor(let id): filter.vendorID = id
        case .distributor(let id): filter.distributorID = id
        default: throw DomainError.permissionDenied("only vendors and distributors have contracts")
        }
        return try await environment.store.read { [filter] tx in try tx.contracts(filter, page: page) }
    }
}
