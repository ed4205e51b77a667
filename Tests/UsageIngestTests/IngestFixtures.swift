// SPDX-License-Identifier: Apache-2.0
// UsageFlow — UsageIngestTests

#if canImport(Glibc)
import Glibc
#endif
import Domain
import Spreadsheet
import UsageIngest

/// A directory of its own for one test, removed with its files when the value goes away.
final class ScratchDirectory {
    let path: String

    init() {
        var template = Array("/tmp/usageingest-test-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(made != nil, "mkdtemp failed")
        path = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    deinit {
        if let directory = opendir(path) {
            while let entry = readdir(directory) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
                }
                if name != "." && name != ".." { unlink(path + "/" + name) }
            }
            closedir(directory)
        }
        rmdir(path)
    }

    func file(_ name: String, _ bytes: [UInt8]) throws -> String {
        let file = path + "/" + name
        var sink = try FileByteSink(path: file)
        try sink.write(bytes)
        return file
    }

    func file(_ name: String, _ text: String) throws -> String {
        try file(name, Array(text.utf8))
    }

    func exists(_ name: String) -> Bool {
        access(path + "/" + name, F_OK) == 0
    }
}

/// A workbook with the given sheets, written by our own writer.
func workbook(_ sheets: [(String, [[SpreadsheetCell]])]) throws -> [UInt8] {
    let writer = XLSXWriter(sink: MemoryByteSink())
    for (name, rows) in sheets {
        try writer.beginSheet(name)
        for row in rows { try writer.appendRow(row) }
    }
    try writer.finish()
    return writer.sink.bytes
}

func texts(_ values: String...) -> [SpreadsheetCell] {
    values.map { $0.isEmpty ? .empty : .text($0) }
}

/// Every row a reader yields.
func allRows(_ reader: UsageFileReader) throws -> [UsageRow] {
    var rows = try reader.rows()
    var result: [UsageRow] = []
    while let row = try rows.next() { result.append(row) }
    return result
}

/// The domain error a body throws, or nil.
func domainError(_ body: () throws -> Void) -> DomainError? {
    do {
        try body()
        return nil
    } catch let error as DomainError {
        return error
    } catch {
        return DomainError.internalFailure("unexpected \(error)")
    }
}

let qtHeader = [
    "record_id", "item_search_criteria", "item_search_value", "quantity", "start_time_utc", "end_time_utc",
    "asset_search_criteria", "asset_search_value",
]

func day(_ year: Int, _ month: Int, _ day: Int) -> CivilDate {
    CivilDate(year: year, month: month, day: day)!
}

func sampleFile(columns: [String], schema: PPUSchema = .qt) -> UsageFile {
    UsageFile(
        id: "UF-2025-03-0001-0001", vendorID: "VA-000-001", distributorID: "PA-000-001", productID: "PRD-100-200-300",
        contractID: "CRD-10001-10001-10001", marketplaceID: "MP-10001", currency: "USD", schema: schema,
        environment: .production, name: "March", description: "March usage", note: "internal only",
        externalID: "ext-1", periodFrom: day(2025, 3, 1), periodTo: day(2025, 3, 31), status: .invalid,
        errorDetail: "", counts: UsageFileCounts(uploaded: 2, valid: 1, invalid: 1), columns: columns,
        createdAt: Timestamp(secondsSinceEpoch: 1_740_000_000), updatedAt: Timestamp(secondsSinceEpoch: 1_740_000_000))
}

func sampleProduct(schema: PPUSchema, dynamic: Bool = false) -> Product {
    Product(
        id: "PRD-100-200-300", vendorID: "VA-000-001", name: "Storage", description: "",
        capabilities: Capabilities(ppu: true, schema: schema, dynamic: dynamic),
        createdAt: Timestamp(secondsSinceEpoch: 0), updatedAt: Timestamp(secondsSinceEpoch: 0))
}
