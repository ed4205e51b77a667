// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Spreadsheet

/// Writes a ZIP archive front to back, one deflated entry at a time, without seeking.
///
/// Each entry's CRC and sizes follow its data in a data descriptor (general-purpose flag bit 3),
/// so entry data streams straight to the sink — a file, or chunks sent to a client — and only
/// the central directory (a few dozen bytes per entry) is kept until `finish()`. Timestamps are
/// fixed at 1980-01-01 so equal content gives equal bytes.
public final class ZipWriter<Sink: ByteSink> {
    public private(set) var sink: Sink
    private let compressionLevel: Int32
    private var offset: Int64 = 0
    private var directory: [UInt8] = []
    private var entryCount = 0
    private var names: Set<String> = []
    private var current: OpenEntry?
    private var finished = false

    private struct OpenEntry {
        var name: [UInt8]
        var localHeaderOffset: Int64
        var deflater: Deflater
        var crc = CRC32()
        var uncompressed: Int64 = 0
        var compressed: Int64 = 0
    }

    /// The 4 GiB limit of plain (non-ZIP64) archives; spreadsheets this large are refused.
    static var maximumArchiveSize: Int64 { 0xFFFF_FFFF }

    public init(sink: Sink, compressionLevel: Int32 = 6) {
        self.sink = sink
        self.compressionLevel = compressionLevel
    }

    public func beginEntry(_ name: String) throws(SpreadsheetError) {
        guard !finished else { throw SpreadsheetError(code: "zip.finished", message: "the archive is already finished") }
        if current != nil { try endEntry() }
        guard names.insert(name.lowercased()).inserted else {
            throw SpreadsheetError(code: "zip.duplicate_entry", message: "\(name) is already in the archive")
        }
        let nameBytes = Array(name.utf8)
        guard !nameBytes.isEmpty, nameBytes.count <= 0xFFFF else {
            throw SpreadsheetError(code: "zip.bad_name", message: "an entry name must be 1 to 65,535 bytes")
        }
        var header: [UInt8] = []
        header.appendLittleEndian(ZipArchive.localHeaderSignature)
        header.appendLittleEndian(UInt16(20))
        header.appendLittleEndian(Self.flags)
        header.appendLittleEndian(UInt16(8))
        header.appendLittleEndian(Self.dosTime)
        header.appendLittleEndian(Self.dosDate)
        header.appendLittleEndian(UInt32(0))
        header.appendLittleEndian(UInt32(0))
        header.appendLittleEndian(UInt32(0))
        header.appendLittleEndian(UInt16(nameBytes.count))
        header.appendLittleEndian(UInt16(0))
        header.append(contentsOf: nameBytes)
        let start = offset
        try emit(header)
        current = OpenEntry(name: nameBytes, localHeaderOffset: start, deflater: try Deflater(level: compressionLevel))
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws(SpreadsheetError) {
        guard var entry = current else {
            throw SpreadsheetError(code: "zip.no_entry", message: "write called with no entry open")
        }
        entry.crc.update(bytes)
        entry.uncompressed += Int64(bytes.count)
        var compressed: Int64 = 0
        try entry.deflater.deflate(bytes, finish: false) { (output) throws(SpreadsheetError) in
            compressed += Int64(output.count)
            try emit(output)
        }
        entry.compressed += compressed
        current = entry
    }

    public func write(_ bytes: [UInt8]) throws(SpreadsheetError) {
        try bytes.withBytes { (raw) throws(SpreadsheetError) in try write(raw) }
    }

    public func endEntry() throws(SpreadsheetError) {
        guard var entry = current else { return }
        current = nil
        var compressed: Int64 = 0
        try entry.deflater.deflate(UnsafeRawBufferPointer(start: nil, count: 0), finish: true) {
            (output) throws(SpreadsheetError) in
            compressed += Int64(output.count)
            try emit(output)
        }
        entry.compressed += compressed
        guard entry.compressed < Self.maximumArchiveSize, entry.uncompressed < Self.maximumArchiveSize else {
            throw SpreadsheetError(code: "zip.too_large", message: "an entry of more than 4 GiB cannot be written")
        }
        var descriptor: [UInt8] = []
        descriptor.appendLittleEndian(ZipArchive.dataDescriptorSignature)
        descriptor.appendLittleEndian(entry.crc.value)
        descriptor.appendLittleEndian(UInt32(entry.compressed))
        descriptor.appendLittleEndian(UInt32(entry.uncompressed))
        try emit(descriptor)

        directory.appendLittleEndian(ZipArchive.centralHeaderSignature)
        directory.appendLittleEndian(UInt16(0x031E))  // made by: Unix, spec 3.0
        directory.appendLittleEndian(UInt16(20))
        directory.appendLittleEndian(Self.flags)
        directory.appendLittleEndian(UInt16(8))
        directory.appendLittleEndian(Self.dosTime)
        directory.appendLittleEndian(Self.dosDate)
        directory.appendLittleEndian(entry.crc.value)
        directory.appendLittleEndian(UInt32(entry.compressed))
        directory.appendLittleEndian(UInt32(entry.uncompressed))
        directory.appendLittleEndian(UInt16(entry.name.count))
        directory.appendLittleEndian(UInt16(0))
        directory.appendLittleEndian(UInt16(0))
        directory.appendLittleEndian(UInt16(0))
        directory.appendLittleEndian(UInt16(0))
        directory.appendLittleEndian(UInt32(0o100644) << 16)
        directory.appendLittleEndian(UInt32(entry.localHeaderOffset))
        directory.append(contentsOf: entry.name)
        entryCount += 1
    }

    /// Writes a whole entry at once.
    public func addEntry(_ name: String, contents: [UInt8]) throws(SpreadsheetError) {
        try beginEntry(name)
        try write(contents)
        try endEntry()
    }

    /// Closes the open entry and writes the central directory; the sink then holds a complete archive.
    public func finish() throws(SpreadsheetError) {
        guard !finished else { return }
        try endEntry()
        finished = true
        guard entryCount <= 0xFFFF else {
            throw SpreadsheetError(code: "zip.too_large", message: "more than 65,535 entries need ZIP64")
        }
        let directoryOffset = offset
        let directorySize = directory.count
        try emit(directory)
        directory = []
        var end: [UInt8] = []
        end.appendLittleEndian(ZipArchive.endOfCentralDirectorySignature)
        end.appendLittleEndian(UInt16(0))
        end.appendLittleEndian(UInt16(0))
        end.appendLittleEndian(UInt16(entryCount))
        end.appendLittleEndian(UInt16(entryCount))
        end.appendLittleEndian(UInt32(directorySize))
        end.appendLittleEndian(UInt32(directoryOffset))
        end.appendLittleEndian(UInt16(0))
        try emit(end)
    }

    private func emit(_ bytes: [UInt8]) throws(SpreadsheetError) {
        try bytes.withBytes { (raw) throws(SpreadsheetError) in try emit(raw) }
    }

    private func emit(_ bytes: UnsafeRawBufferPointer) throws(SpreadsheetError) {
        guard offset + Int64(bytes.count) < Self.maximumArchiveSize else {
            throw SpreadsheetError(code: "zip.too_large", message: "archives over 4 GiB need ZIP64, which is not written")
        }
        try sink.write(bytes)
        offset += Int64(bytes.count)
    }

    /// Data descriptor follows the data (bit 3); names are UTF-8 (bit 11).
    private static var flags: UInt16 { 0x0808 }
    private static var dosTime: UInt16 { 0 }
    /// 1980-01-01: (year − 1980) << 9 | month << 5 | day.
    private static var dosDate: UInt16 { 0x0021 }
}
