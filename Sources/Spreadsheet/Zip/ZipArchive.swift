// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Spreadsheet

/// A ZIP archive read from its central directory, whose entries stream out in chunks.
///
/// Only the central directory is held in memory (bounded by `ZipLimits`); entry data is read on
/// demand through the `ByteSource`, so a large upload spooled to disk is never loaded whole.
/// Stored and deflated entries are supported, with ZIP64 sizes and offsets; encrypted,
/// multi-disk and other compression methods are refused with a precise error.
public struct ZipArchive: Sendable {
    public let source: any ByteSource
    public let limits: ZipLimits
    public let entries: [ZipEntry]
    /// Where the central directory starts: no entry's data may reach past it.
    let centralDirectoryOffset: Int64
    private let indexByName: [String: Int]

    static let endOfCentralDirectorySignature: UInt32 = 0x0605_4b50
    static let zip64EndOfCentralDirectorySignature: UInt32 = 0x0606_4b50
    static let zip64LocatorSignature: UInt32 = 0x0706_4b50
    static let centralHeaderSignature: UInt32 = 0x0201_4b50
    static let localHeaderSignature: UInt32 = 0x0403_4b50
    static let dataDescriptorSignature: UInt32 = 0x0807_4b50

    public init(source: any ByteSource, limits: ZipLimits = ZipLimits()) throws(SpreadsheetError) {
        self.source = source
        self.limits = limits
        let directory = try Self.locateCentralDirectory(in: source, limits: limits)
        self.centralDirectoryOffset = directory.offset
        let bytes = try source.read(at: directory.offset, count: Int(directory.size), what: "the central directory")
        var entries: [ZipEntry] = []
        entries.reserveCapacity(Int(directory.count))
        var index: [String: Int] = [:]
        var reader = LittleEndianReader(bytes)
        for number in 0..<Int(directory.count) {
            let entry = try Self.parseCentralHeader(&reader, number: number + 1, limits: limits, directory: directory)
            let key = entry.name.lowercased()
            guard index[key] == nil else {
                throw SpreadsheetError(code: "zip.duplicate_entry", message: "the archive lists \(entry.name) twice")
            }
            index[key] = entries.count
            entries.append(entry)
        }
        self.entries = entries
        self.indexByName = index
    }

    /// The entry with this name; ZIP part names in spreadsheets compare case-insensitively.
    public func entry(named name: String) -> ZipEntry? {
        var key = name.lowercased()
        if key.hasPrefix("/") { key.removeFirst() }
        return indexByName[key].map { entries[$0] }
    }

    /// A stream of the entry's inflated bytes, checked against its size and CRC-32 as it ends.
    public func stream(_ entry: ZipEntry, chunkSize: Int = 65_536) throws(SpreadsheetError) -> ZipEntryStream {
        try ZipEntryStream(archive: self, entry: entry, chunkSize: chunkSize)
    }

    /// The whole inflated entry, for small parts (workbook, relationships, styles), refused when it
    /// would exceed `maximumSize`.
    public func contents(of entry: ZipEntry, maximumSize: Int) throws(SpreadsheetError) -> [UInt8] {
        guard entry.uncompressedSize <= Int64(maximumSize) else {
            throw SpreadsheetError(
                code: "zip.entry_too_large",
                message: "\(entry.name) inflates to \(entry.uncompressedSize) bytes; the limit for this part is \(maximumSize)"
            )
        }
        var stream = try stream(entry)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Int(entry.uncompressedSize))
        while let chunk = try stream.nextChunk() { bytes.append(contentsOf: chunk) }
        return bytes
    }
}

extension ZipArchive {
    struct CentralDirectory {
        var offset: Int64
        var size: Int64
        var count: Int64
        /// Where the end records start; the directory must end at or before it.
        var end: Int64
    }

    static func locateCentralDirectory(in source: any ByteSource, limits: ZipLimits) throws(SpreadsheetError) -> CentralDirectory {
        let size = source.size
        guard size >= 22 else {
            throw SpreadsheetError(code: "zip.truncated", message: "the data is \(size) bytes, too short to be a ZIP archive")
        }
        // The end record is 22 bytes plus a comment of up to 65,535 bytes, so it lies in the tail.
        let tailLength = Int(min(size, 22 + 65_535))
        let tailStart = size - Int64(tailLength)
        let tail = try source.read(at: tailStart, count: tailLength, what: "the end of the archive")
        var found: Int?
        var position = tailLength - 22
        while position >= 0 {
            if tail[position] == 0x50, tail[position + 1] == 0x4b, tail[position + 2] == 0x05, tail[position + 3] == 0x06 {
                let commentLength = Int(tail[position + 20]) | Int(tail[position + 21]) << 8
                if position + 22 + commentLength <= tailLength {
                    found = position
                    break
                }
            }
            position -= 1
        }
        guard let eocd = found else {
            throw SpreadsheetError(
                code: "zip.no_directory",
                message: "no end-of-central-directory record: the archive is truncated or not a ZIP file"
            )
        }
        var reader = LittleEndianReader(tail, offset: eocd + 4)
        let disk = reader.u16()
        let directoryDisk = reader.u16()
        let entriesOnDisk = reader.u16()
        let entryCount = reader.u16()
        let directorySize = reader.u32()
        let directoryOffset = reader.u32()
        let eocdOffset = tailStart + Int64(eocd)
        var directory = CentralDirectory(
            offset: Int64(directoryOffset), size: Int64(directorySize), count: Int64(entryCount), end: eocdOffset
        )
        let needsZip64 = entryCount == 0xFFFF || directorySize == 0xFFFF_FFFF || directoryOffset == 0xFFFF_FFFF
        if needsZip64 || (eocd >= 20 && tail[eocd - 20] == 0x50 && tail[eocd - 19] == 0x4b && tail[eocd - 18] == 0x06
            && tail[eocd - 17] == 0x07)
        {
            directory = try readZip64Directory(in: source, endRecordOffset: eocdOffset)
        } else if disk != 0 || directoryDisk != 0 || entriesOnDisk != entryCount {
            throw SpreadsheetError(code: "zip.multi_disk", message: "multi-volume archives are not supported")
        }
        guard directory.count <= Int64(limits.maximumEntries) else {
            throw SpreadsheetError(
                code: "zip.too_many_entries",
                message: "the archive lists \(directory.count) entries; at most \(limits.maximumEntries) are allowed"
            )
        }
        guard directory.size <= Int64(limits.maximumCentralDirectorySize) else {
            throw SpreadsheetError(
                code: "zip.directory_too_large",
                message: "the central directory is \(directory.size) bytes; at most \(limits.maximumCentralDirectorySize) are allowed"
            )
        }
        guard directory.offset >= 0, directory.size >= 0, directory.offset + directory.size <= directory.end else {
            throw SpreadsheetError(
                code: "zip.bad_offset",
                message: "the central directory (offset \(directory.offset), \(directory.size) bytes) lies outside the archive"
            )
        }
        guard directory.size >= directory.count * 46 else {
            throw SpreadsheetError(
                code: "zip.bad_directory",
                message: "the central directory is \(directory.size) bytes, too short for \(directory.count) entries"
            )
        }
        return directory
    }

    static func readZip64Directory(in source: any ByteSource, endRecordOffset: Int64) throws(SpreadsheetError) -> CentralDirectory {
        guard endRecordOffset >= 20 else {
            throw SpreadsheetError(code: "zip.bad_directory", message: "the ZIP64 end-of-directory locator is missing")
        }
        var locator = LittleEndianReader(try source.read(at: endRecordOffset - 20, count: 20, what: "the ZIP64 locator"))
        guard locator.u32() == zip64LocatorSignature else {
            throw SpreadsheetError(code: "zip.bad_directory", message: "the ZIP64 end-of-directory locator is missing")
        }
        _ = locator.u32()
        let recordOffset = locator.u64()
        guard recordOffset <= UInt64(endRecordOffset - 20), Int64(recordOffset) + 56 <= endRecordOffset - 20 else {
            throw SpreadsheetError(code: "zip.bad_offset", message: "the ZIP64 end-of-directory record lies outside the archive")
        }
        var record = LittleEndianReader(try source.read(at: Int64(recordOffset), count: 56, what: "the ZIP64 end record"))
        guard record.u32() == zip64EndOfCentralDirectorySignature else {
            throw SpreadsheetError(code: "zip.bad_directory", message: "the ZIP64 end-of-directory record has a bad signature")
        }
        record.skip(8 + 2 + 2)
        let disk = record.u32()
        let directoryDisk = record.u32()
        let entriesOnDisk = record.u64()
        let entries = record.u64()
        let size = record.u64()
        let offset = record.u64()
        guard disk == 0, directoryDisk == 0, entriesOnDisk == entries else {
            throw SpreadsheetError(code: "zip.multi_disk", message: "multi-volume archives are not supported")
        }
        guard entries < UInt64(Int64.max), size < UInt64(Int64.max), offset < UInt64(Int64.max) else {
            throw SpreadsheetError(code: "zip.bad_directory", message: "the ZIP64 end-of-directory record is out of range")
        }
        return CentralDirectory(offset: Int64(offset), size: Int64(size), count: Int64(entries), end: Int64(recordOffset))
    }

    static func parseCentralHeader(
        _ reader: inout LittleEndianReader, number: Int, limits: ZipLimits, directory: CentralDirectory
    ) throws(SpreadsheetError) -> ZipEntry {
        guard reader.remaining >= 46 else {
            throw SpreadsheetError(code: "zip.bad_directory", message: "the central directory ends inside entry \(number)")
        }
        guard reader.u32() == centralHeaderSignature else {
            throw SpreadsheetError(code: "zip.bad_directory", message: "entry \(number) of the central directory has a bad signature")
        }
        reader.skip(4)
        let flags = reader.u16()
        let methodCode = reader.u16()
        reader.skip(4)
        let crc = reader.u32()
        var compressed = UInt64(reader.u32())
        var uncompressed = UInt64(reader.u32())
        let nameLength = Int(reader.u16())
        let extraLength = Int(reader.u16())
        let commentLength = Int(reader.u16())
        let diskStart = reader.u16()
        reader.skip(6)
        var localOffset = UInt64(reader.u32())
        guard nameLength <= limits.maximumNameLength else {
            throw SpreadsheetError(
                code: "zip.name_too_long",
                message: "entry \(number) has a \(nameLength)-byte name; at most \(limits.maximumNameLength) bytes are allowed"
            )
        }
        guard reader.remaining >= nameLength + extraLength + commentLength else {
            throw SpreadsheetError(code: "zip.bad_directory", message: "the central directory ends inside entry \(number)")
        }
        let name = String(decoding: reader.take(nameLength), as: UTF8.self)
        let extraEnd = reader.offset + extraLength
        while reader.offset + 4 <= extraEnd {
            let tag = reader.u16()
            let length = Int(reader.u16())
            guard reader.offset + length <= extraEnd else { break }
            let fieldEnd = reader.offset + length
            if tag == 0x0001 {
                // ZIP64: only the fields whose 32-bit value is saturated are present, in this order.
                if uncompressed == 0xFFFF_FFFF, reader.offset + 8 <= fieldEnd { uncompressed = reader.u64() }
                if compressed == 0xFFFF_FFFF, reader.offset + 8 <= fieldEnd { compressed = reader.u64() }
                if localOffset == 0xFFFF_FFFF, reader.offset + 8 <= fieldEnd { localOffset = reader.u64() }
            }
            reader.offset = fieldEnd
        }
        reader.offset = extraEnd + commentLength
        if flags & 0x0001 != 0 {
            throw SpreadsheetError(code: "zip.encrypted", message: "\(name) is encrypted; encrypted archives are not supported")
        }
        let method: ZipEntry.Method
        switch methodCode {
        case 0: method = .stored
        case 8: method = .deflated
        default:
            throw SpreadsheetError(
                code: "zip.unsupported_method",
                message: "\(name) uses compression method \(methodCode); only stored and deflated entries are supported"
            )
        }
        guard diskStart == 0 || diskStart == 0xFFFF else {
            throw SpreadsheetError(code: "zip.multi_disk", message: "multi-volume archives are not supported")
        }
        guard compressed < UInt64(directory.offset) + 1, localOffset < UInt64(directory.offset),
            uncompressed < UInt64(Int64.max)
        else {
            throw SpreadsheetError(
                code: "zip.bad_offset",
                message: "\(name) claims data (offset \(localOffset), \(compressed) bytes) outside the archive"
            )
        }
        if method == .stored && compressed != uncompressed {
            throw SpreadsheetError(
                code: "zip.bad_directory",
                message: "\(name) is stored but its compressed and inflated sizes differ (\(compressed) and \(uncompressed))"
            )
        }
        return ZipEntry(
            name: name, method: method, crc32: crc, compressedSize: Int64(compressed),
            uncompressedSize: Int64(uncompressed), localHeaderOffset: Int64(localOffset)
        )
    }
}
