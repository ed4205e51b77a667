// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ServiceSupport

import Contracts
import Domain
import WellKnownTypes

/// How the records of an `UploadRecords` stream become usage rows: the same cells and header a
/// CSV or XLSX upload produces, so all three inputs run through one validator.
///
/// The stream's columns are every known record column, in `UsageColumn` order, then the header's
/// parameter columns; each record's fields fill the known cells and its `parameter_values` the
/// rest. Empty strings and unset fields are empty cells, exactly as a blank CSV field.
public struct UsageRecordStreamLayout: Sendable {
    public let fileID: String
    /// The header of the upload: the known columns, then the parameter columns.
    public let columns: [String]
    public let categories: [UsageCategory]
    let parameterCount: Int

    /// Reads the stream's first message. Refuses (INVALID_ARGUMENT, one violation per problem) a
    /// missing file id, bad categories, and parameter columns that are empty, repeated, or named
    /// like a known column (their values would have two meanings).
    public init(_ header: Usageflow_V1_UploadRecordsHeader) throws(DomainError) {
        var validation = Validation()
        if header.fileId.isEmpty { validation.fail("header.file_id", "is required") }
        categories = UsageCategory.decode(header.categories, field: "header.categories", into: &validation)
        var seen = Set(UsageColumn.allCases.map(\.name))
        for (index, name) in header.parameterColumns.enumerated() {
            let field = "header.parameter_columns[\(index)]"
            let key = name.lowercased()
            if name.allSatisfy(\.isWhitespace) {
                validation.fail(field, "is empty")
            } else if UsageColumn(header: name) != nil {
                validation.fail(field, "\(String(reflecting: name)) is a record column, not a parameter")
            } else if !seen.insert(key).inserted {
                validation.fail(field, "\(String(reflecting: name)) appears more than once")
            } else {
                validation.text(field, name, maxLength: Limits.nameLength)
            }
        }
        try validation.check()
        fileID = header.fileId
        columns = UsageColumn.allCases.map(\.name) + header.parameterColumns
        parameterCount = header.parameterColumns.count
    }

    /// The row for one record, the `position`th of the stream (from 1). `field` names the record
    /// in a refusal: a record with more parameter values than the header has columns cannot be
    /// laid out, and is refused rather than silently cut.
    public func row(
        _ input: Usageflow_V1_UsageRecordInput, position: Int, field: @autoclosure () -> String
    ) throws(DomainError) -> UsageRow {
        try check(input, position: position, field: field())
        var cells: [UsageCell] = []
        cells.reserveCapacity(columns.count)
        for column in Self.knownColumns {
            cells.append(Self.cell(column, of: input))
        }
        for value in input.parameterValues {
            cells.append(Self.text(value))
        }
        return UsageRow(position: position, cells: cells)
    }

    /// Refuses a record that cannot be laid out on the header: more parameter values than the
    /// header has parameter columns (cutting them would lose data silently). `field` is made only
    /// for a refusal: naming every record of a million-record stream would cost a string each.
    public func check(
        _ input: Usageflow_V1_UsageRecordInput, position: Int, field: @autoclosure () -> String
    ) throws(DomainError) {
        guard input.parameterValues.count <= parameterCount else {
            throw DomainError.invalid(
                field: "\(field()).parameter_values",
                "record \(position) has \(input.parameterValues.count) parameter values for \(parameterCount) "
                    + "parameter columns")
        }
    }

    /// The known columns in order, made once: a synthesized `allCases` builds a new array on every
    /// access, and this runs for every record of a stream.
    static let knownColumns = UsageColumn.allCases

    private static func cell(_ column: UsageColumn, of input: Usageflow_V1_UsageRecordInput) -> UsageCell {
        switch column {
        case .recordID: text(input.recordId)
        case .recordNote: text(input.recordNote)
        case .itemSearchCriteria: text(input.itemSearchCriteria)
        case .itemSearchValue: text(input.itemSearchValue)
        case .quantity: text(input.quantity)
        case .amount: text(input.amount)
        case .tier: input.hasTier ? .number(String(input.tier)) : .empty
        case .startTime: input.hasStartTimeUtc ? time(input.startTimeUtc) : .empty
        case .endTime: input.hasEndTimeUtc ? time(input.endTimeUtc) : .empty
        case .assetSearchCriteria: text(input.assetSearchCriteria)
        case .assetSearchValue: text(input.assetSearchValue)
        case .categoryID: text(input.categoryId)
        case .assetReconID: text(input.assetReconId)
        case .itemName: text(input.itemName)
        case .itemMPN: text(input.itemMpn)
        case .itemUnit: text(input.itemUnit)
        case .itemPrecision: precision(input.itemPrecision)
        }
    }

    private static func text(_ value: String) -> UsageCell {
        value.isEmpty ? .empty : .text(value)
    }

    /// A wire time as a date cell. A time the domain cannot hold exactly (outside years 1–9999, or
    /// finer than a microsecond) becomes its literal text, which validation reports on the record
    /// like any other unreadable time, rather than a rounded instant.
    static func time(_ wire: Google_Protobuf_Timestamp) -> UsageCell {
        if let time = Timestamp(wire) { return .date(time) }
        return .text("\(wire.seconds)s \(wire.nanos)ns since 1970-01-01T00:00:00Z")
    }

    /// The precision as the file formats write it (`decimal(2)`); an unknown wire number stays
    /// visible as its number so validation names it.
    static func precision(_ wire: Usageflow_V1_Precision) -> UsageCell {
        if wire == .unspecified { return .empty }
        if let match = Precision.wireTable.first(where: { $0.0 == wire }) { return .text(match.1.rawValue) }
        return .text(String(wire.rawValue))
    }
}
