// SPDX-License-Identifier: Apache-2.0
// UsageFlow — SpreadsheetTests

@testable import Spreadsheet
import Testing

@Suite struct ZipArchiveTests {
    @Test func readsStoredAndDeflatedEntries() throws {
        var builder = ZipBuilder()
        builder.add("a.txt", "hello, stored", deflate: false)
        builder.add("dir/b.xml", String(repeating: "<row>data</row>", count: 5000))
        let entries = try readAll(builder.build())
        #expect(entries["a.txt"] == Array("hello, stored".utf8))
        #expect(entries["dir/b.xml"] == Array(String(repeating: "<row>data</row>", count: 5000).utf8))
    }

    @Test func findsTheDirectoryBehindAComment() throws {
        var builder = ZipBuilder()
        builder.add("a.txt", "x")
        builder.comment = Array("a comment that mentions PK\u{5}\u{6} on purpose".utf8)
        #expect(try readAll(builder.build())["a.txt"] == [UInt8(ascii: "x")])
    }

    @Test func readsZip64Fields() throws {
        var builder = ZipBuilder()
        builder.entries.append(.init(name: "big.xml", data: Array("zip64 sizes".utf8), zip64: true))
        builder.zip64Directory = true
        #expect(try readAll(builder.build())["big.xml"] == Array("zip64 sizes".utf8))
    }

    @Test func namesAreMatchedCaseInsensitively() throws {
        var builder = ZipBuilder()
        builder.add("xl/Workbook.xml", "<w/>")
        let archive = try ZipArchive(source: MemoryByteSource(builder.build()))
        #expect(archive.entry(named: "/xl/workbook.xml")?.name == "xl/Workbook.xml")
        #expect(archive.entry(named: "xl/other.xml") == nil)
    }

    @Test func writerOutputReadsBack() throws {
        let writer = ZipWriter(sink: MemoryByteSink())
        try writer.addEntry("one.txt", contents: Array("first".utf8))
        try writer.beginEntry("two.txt")
        for index in 0..<1000 { try writer.write(Array("line \(index)\n".utf8)) }
        try writer.endEntry()
        try writer.addEntry("empty.txt", contents: [])
        try writer.finish()
        let entries = try readAll(writer.sink.bytes)
        #expect(entries["one.txt"] == Array("first".utf8))
        #expect(entries["two.txt"] == Array((0..<1000).map { "line \($0)\n" }.joined().utf8))
        #expect(entries["empty.txt"] == [])
    }

    @Test func writerRefusesDuplicateNames() {
        let writer = ZipWriter(sink: MemoryByteSink())
        #expect(errorCode { () throws(SpreadsheetError) in
            try writer.addEntry("a.txt", contents: [1])
            try writer.addEntry("A.TXT", contents: [2])
        } == "zip.duplicate_entry")
    }

    @Test(arguments: [0, 3, 21, 40, 90, -1, -10, -22])
    func truncatedArchivesFail(cut: Int) {
        var builder = ZipBuilder()
        builder.add("a.xml", String(repeating: "payload ", count: 200))
        builder.add("b.xml", "second")
        let bytes = builder.build()
        let kept = cut >= 0 ? Array(bytes.prefix(cut)) : Array(bytes.dropLast(-cut))
        let code = errorCode { () throws(SpreadsheetError) in _ = try readAll(kept) }
        #expect(code != nil)
        #expect(code?.hasPrefix("zip.") == true || code?.hasPrefix("io.") == true)
    }

    @Test func cuttingTheDataOutOfTheMiddleFails() {
        var builder = ZipBuilder()
        builder.add("a.xml", String(repeating: "payload ", count: 2000))
        var bytes = builder.build()
        bytes.removeSubrange(60..<120)
        #expect(errorCode { () throws(SpreadsheetError) in _ = try readAll(bytes) } != nil)
    }

    @Test func aWrongChecksumIsReported() {
        var builder = ZipBuilder()
        builder.entries.append(.init(name: "a.xml", data: Array("checked".utf8), crc: 0xDEAD_BEEF))
        #expect(errorCode { () throws(SpreadsheetError) in _ = try readAll(builder.build()) } == "zip.bad_crc")
    }

    @Test func aBombIsStoppedByTheRatio() {
        // 64 MiB of zeros deflate to about 64 KiB: over 1,000 to 1.
        var builder = ZipBuilder()
        builder.entries.append(.init(name: "xl/worksheets/sheet1.xml", data: [UInt8](repeating: 0, count: 64 << 20)))
        let bytes = builder.build()
        #expect(bytes.count < 200_000)
        #expect(errorCode { () throws(SpreadsheetError) in _ = try readAll(bytes) } == "zip.ratio_exceeded")
    }

    @Test func anEntryLargerThanTheLimitIsRefusedBeforeInflating() {
        var builder = ZipBuilder()
        builder.add("a.xml", String(repeating: "abc", count: 1000))
        var limits = ZipLimits()
        limits.maximumEntrySize = 1000
        #expect(errorCode { () throws(SpreadsheetError) in _ = try readAll(builder.build(), limits: limits) } == "zip.entry_too_large")
    }

    @Test func anEntryThatInflatesPastItsDeclaredSizeIsStopped() {
        var builder = ZipBuilder()
        builder.entries.append(.init(name: "a.xml", data: [UInt8](repeating: 7, count: 100_000), declaredSize: 10))
        #expect(errorCode { () throws(SpreadsheetError) in _ = try readAll(builder.build()) } == "zip.size_mismatch")
    }

    @Test func tooManyEntriesAreRefused() {
        var builder = ZipBuilder()
        for index in 0..<20 { builder.add("e\(index)", "x") }
        var limits = ZipLimits()
        limits.maximumEntries = 10
        #expect(errorCode { () throws(SpreadsheetError) in _ = try readAll(builder.build(), limits: limits) } == "zip.too_many_entries")
    }

    @Test func longNamesAreRefused() {
        var builder = ZipBuilder()
        builder.add(String(repeating: "n", count: 2000), "x")
        #expect(errorCode { () throws(SpreadsheetError) in _ = try readAll(builder.build()) } == "zip.name_too_long")
    }

    @Test func anOffsetOutsideTheArchiveIsRefused() {
        var builder = ZipBuilder()
        builder.entries.append(.init(name: "a.xml", data: Array("x".utf8), localOffsetOverride: 0x00FF_FFFF))
        #expect(errorCode { () throws(SpreadsheetError) in _ = try readAll(builder.build()) } == "zip.bad_offset")
    }

    @Test func encryptionAndOtherMethodsAreRefused() {
        var encrypted = ZipBuilder()
        encrypted.entries.append(.init(name: "a.xml", data: Array("x".utf8), flags: 1))
        #expect(errorCode { () throws(SpreadsheetError) in _ = try readAll(encrypted.build()) } == "zip.encrypted")
        var bzip = ZipBuilder()
        bzip.entries.append(.init(name: "a.xml", data: Array("x".utf8), method: 12))
        #expect(errorCode { () throws(SpreadsheetError) in _ = try readAll(bzip.build()) } == "zip.unsupported_method")
    }

    @Test func duplicateNamesAreRefused() {
        var builder = ZipBuilder()
        builder.add("a.xml", "1")
        builder.add("A.xml", "2")
        #expect(errorCode { () throws(SpreadsheetError) in _ = try readAll(builder.build()) } == "zip.duplicate_entry")
    }

    @Test func notAZipFile() {
        let text = Array(String(repeating: "record_id,quantity\n", count: 10).utf8)
        #expect(errorCode { () throws(SpreadsheetError) in _ = try readAll(text) } == "zip.no_directory")
        #expect(errorCode { () throws(SpreadsheetError) in _ = try readAll([1, 2, 3]) } == "zip.truncated")
    }

    @Test func corruptDeflateDataIsReported() {
        var builder = ZipBuilder()
        builder.add("a.xml", String(repeating: "some text to compress ", count: 100))
        var bytes = builder.build()
        for index in 40..<60 { bytes[index] = 0xFF }
        let code = errorCode { () throws(SpreadsheetError) in _ = try readAll(bytes) }
        #expect(["zip.corrupt", "zip.bad_crc", "zip.size_mismatch", "zip.truncated"].contains(code))
    }

    @Test func crcMatchesZlib() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
    }
}
