// SPDX-License-Identifier: Apache-2.0
// UsageFlow — DomainTests

import Domain
import Testing

/// The row as uploaded, kept as cells by validation: the same text, bytes, equality and hash as
/// the strings a store reads back.
@Suite struct UsageRawValuesTests {
    private static let times: [Timestamp] = [
        Timestamp(microsecondsSinceEpoch: 1_797_466_020_000_000),  // 2026-12-17 00:07:00
        Timestamp(microsecondsSinceEpoch: 1_797_466_020_123_456),  // with microseconds
        Timestamp(microsecondsSinceEpoch: -86_400_000_000 - 1),  // before 1970
        Timestamp(microsecondsSinceEpoch: -62_135_596_800_000_000),  // 0001-01-01
        Timestamp(microsecondsSinceEpoch: 253_402_300_799_999_999),  // 9999-12-31 23:59:59.999999
        Timestamp(microsecondsSinceEpoch: 253_402_300_800_000_000),  // year 10000: the slow path
    ]

    private static let cells: [UsageCell] =
        [.empty, .text("R0000001"), .text("  spaced  "), .text("ünïcode ✓ and a longer text past small strings"),
         .number("12.50"), .number("1E-3"), .boolean(true), .boolean(false)] + times.map { .date($0) }

    /// The template's layout, at the ends of the years it writes digit by digit and past them.
    @Test func timesAreFormattedAsTheTemplateWritesThem() {
        let expected = [
            "2026-12-17 00:07:00", "2026-12-17 00:07:00.123456", "1969-12-30 23:59:59.999999", "0001-01-01 00:00:00",
            "9999-12-31 23:59:59.999999",
        ]
        for (time, text) in zip(Self.times, expected) {
            #expect(UsageTime.format(time) == text)
            #expect(UsageTime.withFormattedUTF8(time) { Array($0) } == Array(text.utf8))
        }
        // Past year 9999 (a wire timestamp can be): the slow path, date and time still apart.
        let far = UsageTime.format(Self.times[5])
        #expect(far.contains(" 00:00:00") && !far.contains("T"), "\(far)")
        #expect(UsageTime.withFormattedUTF8(Self.times[5]) { Array($0) } == Array(far.utf8))
    }

    @Test func eachCellLendsTheUTF8OfItsText() {
        for cell in Self.cells {
            let bytes = cell.withTextUTF8 { Array($0) }
            #expect(bytes == Array(cell.text.utf8), "\(cell)")
        }
    }

    @Test func cellsReadAsTheirTextPaddedOrCutToTheColumns() {
        for count in [0, 3, Self.cells.count, Self.cells.count + 4] {
            let raw = UsageRawValues(cells: Self.cells, count: count)
            let expected = (0..<count).map { $0 < Self.cells.count ? Self.cells[$0].text : "" }
            #expect(raw.values == expected)
            #expect(raw.count == count)
            var lent: [[UInt8]] = []
            raw.forEachUTF8 { lent.append(Array($0)) }
            #expect(lent == expected.map { Array($0.utf8) })

            let stored = UsageRawValues(expected)
            #expect(raw == stored && stored == raw)
            #expect(raw.hashValue == stored.hashValue)
            var strings: [[UInt8]] = []
            stored.forEachUTF8 { strings.append(Array($0)) }
            #expect(strings == lent)
        }
        #expect(UsageRawValues(cells: [.text("a")], count: 1) != UsageRawValues(["b"]))
    }

    @Test func aRecordsRawValuesAreTheCellsText() {
        var record = UsageRecord(fileID: "UF-1", position: 1, recordID: "R1", status: .valid)
        record.raw = UsageRawValues(cells: Self.cells, count: Self.cells.count)
        let copy = UsageRecord(
            fileID: "UF-1", position: 1, recordID: "R1", rawValues: Self.cells.map(\.text), status: .valid)
        #expect(record.rawValues == Self.cells.map(\.text))
        #expect(record == copy)
        record.rawValues = ["x"]
        #expect(record.raw == UsageRawValues(["x"]))
    }
}
