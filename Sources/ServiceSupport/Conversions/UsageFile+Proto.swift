// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ServiceSupport

import Contracts
import Domain
import WellKnownTypes

// Usage files and their enums ↔ wire messages, for the vendor's and the distributor's services.

extension Usageflow_V1_UsageFile {
    /// The wire form of a file. `includingNote` is false for anyone but the file's vendor: the
    /// note is the vendor's internal one and never reaches the distributor (SPEC §3), so every
    /// caller must say which audience it answers.
    public init(_ file: UsageFile, includingNote: Bool) {
        self.init()
        id = file.id
        vendorId = file.vendorID
        distributorId = file.distributorID
        productId = file.productID
        contractId = file.contractID
        marketplaceId = file.marketplaceID
        currency = file.currency
        schema = file.schema.proto
        environment = file.environment.proto
        name = file.name
        description = file.description
        note = includingNote ? file.note : ""
        externalId = file.externalID ?? ""
        periodFrom = file.periodFrom.description
        periodTo = file.periodTo.description
        status = file.status.proto
        acceptanceNote = file.acceptanceNote
        rejectionNote = file.rejectionNote
        errorDetail = file.errorDetail
        var counts = Usageflow_V1_UsageFileCounts()
        counts.uploaded = Int64(file.counts.uploaded)
        counts.valid = Int64(file.counts.valid)
        counts.invalid = Int64(file.counts.invalid)
        counts.approved = Int64(file.counts.approved)
        counts.closed = Int64(file.counts.closed)
        self.counts = counts
        columns = file.columns
        history = file.history.map(Usageflow_V1_StatusChange.init)
        createdAt = Google_Protobuf_Timestamp(file.createdAt)
        updatedAt = Google_Protobuf_Timestamp(file.updatedAt)
    }
}

extension CivilDate {
    /// Reads a period date `YYYY-MM-DD`, adding a violation naming `field` when it is not one;
    /// nil without a violation for an empty string, which the operation reports as missing.
    public static func decode(_ text: String, field: String, into validation: inout Validation) -> CivilDate? {
        if text.isEmpty { return nil }
        guard let date = CivilDate(parsing: text) else {
            validation.fail(field, "must be a date YYYY-MM-DD that exists (got \(String(reflecting: text)))")
            return nil
        }
        return date
    }
}

extension UsageFileStatus {
    static let wireTable: [(Usageflow_V1_UsageFileStatus, UsageFileStatus)] = [
        (.draft, .draft), (.uploading, .uploading), (.processing, .processing), (.invalid, .invalid),
        (.ready, .ready), (.pending, .pending), (.accepted, .accepted), (.rejected, .rejected), (.closed, .closed),
        (.deleted, .deleted),
    ]
    public var proto: Usageflow_V1_UsageFileStatus { Self.wireTable.first { $0.1 == self }!.0 }
    public static func decode(
        _ wire: Usageflow_V1_UsageFileStatus, field: String, into validation: inout Validation
    ) -> UsageFileStatus? {
        WireEnum.decode(wire, raw: wire.rawValue, field: field, table: wireTable, into: &validation)
    }
}

extension UsageEnvironment {
    static let wireTable: [(Usageflow_V1_UsageEnvironment, UsageEnvironment)] = [
        (.production, .production), (.preview, .preview),
    ]
    public var proto: Usageflow_V1_UsageEnvironment { Self.wireTable.first { $0.1 == self }!.0 }
    public static func decode(
        _ wire: Usageflow_V1_UsageEnvironment, field: String, into validation: inout Validation
    ) -> UsageEnvironment? {
        WireEnum.decode(wire, raw: wire.rawValue, field: field, table: wireTable, into: &validation)
    }
}

extension UsageRecordStatus {
    static let wireTable: [(Usageflow_V1_UsageRecordStatus, UsageRecordStatus)] = [
        (.valid, .valid), (.invalid, .invalid), (.approved, .approved), (.rejected, .rejected), (.closed, .closed),
    ]
    public var proto: Usageflow_V1_UsageRecordStatus { Self.wireTable.first { $0.1 == self }!.0 }
    public static func decode(
        _ wire: Usageflow_V1_UsageRecordStatus, field: String, into validation: inout Validation
    ) -> UsageRecordStatus? {
        WireEnum.decode(wire, raw: wire.rawValue, field: field, table: wireTable, into: &validation)
    }
}
