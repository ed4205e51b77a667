// SPDX-License-Identifier: Apache-2.0
// UsageFlow — UsageIngestTests

import Domain
import Spreadsheet
import Testing
import UsageIngest

/// Reconciliation files read as closes: columns matched by name, the sheet chosen by name or
/// position, cells as a spreadsheet shows them, and files that cannot serve refused with a reason.
@Suite struct ReconciliationFileReaderTests {
    static func entries(_ reader: ReconciliationFileReader) throws -> [ReconciliationEntry] {
        var source = try reader.entries()
        var entries: [ReconciliationEntry] = []
        while let entry = try source.nextEntry() { entries.append(entry) }
        return entries
    }

    @Test func readsTheRecordsSheetWithColumnsInAnyOrder() throws {
        let scratch = ScratchDirectory()
        let bytes = try workbook([
            ("summary", [texts("record_id", "external_billing_id"), texts("decoy", "DECOY")]),
            ("records", [
                [.text(" External_Billing_ID "), .text("amount"), .text("RECORD_ID"), .text("external_billing_note")],
                [.text(" INV-1 "), .number("12.5"), .text("r-1"), .text("first")],
                [],
                [.number("5551234"), .empty, .number("1002")],
            ]),
        ])
        let reader = try ReconciliationFileReader(path: scratch.file("recon", bytes))
        #expect(reader.format == .xlsx)
        let entries = try Self.entries(reader)
        #expect(entries == [
            ReconciliationEntry(position: 2, recordID: "r-1", externalBillingID: "INV-1", note: "first"),
            ReconciliationEntry(position: 4, recordID: "1002", externalBillingID: "5551234", note: ""),
        ])
        #expect(try Self.entries(reader) == entries, "rows can be read again from the start")
    }

    @Test func readsTheFirstSheetWithoutARecordsSheet() throws {
        let scratch = ScratchDirectory()
        let bytes = try workbook([
            ("Billing export", [texts("record_id", "external_billing_id"), texts("r-9", "B-9")]),
            ("other", [texts("record_id", "external_billing_id"), texts("r-0", "B-0")]),
        ])
        let entries = try Self.entries(try ReconciliationFileReader(path: scratch.file("recon", bytes)))
        #expect(entries == [ReconciliationEntry(position: 2, recordID: "r-9", externalBillingID: "B-9")])
    }

    @Test func readsCSVWithQuotesAndLineNumbers() throws {
        let scratch = ScratchDirectory()
        let text = "record_id,external_billing_id,external_billing_note\r\n\"r,1\",B-1,\"two\nlines\"\r\n\r\nr-2,B-2\r\n"
        let reader = try ReconciliationFileReader(path: scratch.file("recon.csv", text))
        #expect(reader.format == .csv)
        #expect(try Self.entries(reader) == [
            ReconciliationEntry(position: 2, recordID: "r,1", externalBillingID: "B-1", note: "two\nlines"),
            ReconciliationEntry(position: 5, recordID: "r-2", externalBillingID: "B-2", note: ""),
        ])
    }

    @Test(arguments: [
        ("billing,record\nB,r\n", "no record_id or external_billing_id column"),
        ("record_id\nr\n", "no external_billing_id column"),
        ("record_id,external_billing_id,RECORD_ID\n", "names the record_id column 2 times"),
        ("", "empty"),
    ])
    func refusesFilesThatCannotServe(text: String, reason: String) throws {
        let scratch = ScratchDirectory()
        let path = try scratch.file("recon.csv", text)
        do {
            _ = try ReconciliationFileReader(path: path)
            Issue.record("a file without what a reconciliation needs was accepted")
        } catch {
            #expect(error.kind == .invalidArgument)
            #expect(error.message.contains(reason), "\(error.message)")
        }
    }

    @Test func aFileBrokenPartWayThrowsWhileReading() throws {
        let scratch = ScratchDirectory()
        let reader = try ReconciliationFileReader(
            path: scratch.file("recon.csv", "record_id,external_billing_id\nr-1,B\n\"r-2,B\n"))
        var source = try reader.entries()
        #expect(try source.nextEntry()?.recordID == "r-1")
        #expect(throws: DomainError.self) { while try source.nextEntry() != nil {} }
    }
}
