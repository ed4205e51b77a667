// SPDX-License-Identifier: Apache-2.0
// UsageFlow — SpreadsheetTests

@testable import Spreadsheet

/// Builds ZIP archives byte by byte, with any field overridable, to exercise the reader on
/// archives no well-behaved writer produces.
struct ZipBuilder {
    struct Entry {
        var name: String
        var data: [UInt8]
        var deflate = true
        var crc: UInt32?
        var declaredSize: UInt32?
        var method: UInt16?
        var flags: UInt16 = 0
        var localOffsetOverride: UInt32?
        var zip64 = false
    }

    var entries: [Entry] = []
    var comment: [UInt8] = []
    var zip64Directory = false

    mutating func add(_ name: String, _ text: String, deflate: Bool = true) {
        entries.append(Entry(name: name, data: Array(text.utf8), deflate: deflate))
    }

    static func deflate(_ data: [UInt8]) -> [UInt8] {
        let deflater = try! Deflater(level: 9)
        var output: [UInt8] = []
        try! data.withBytes { (raw) throws(SpreadsheetError) in
            try deflater.deflate(raw, finish: true) { (chunk) throws(SpreadsheetError) in output.append(contentsOf: chunk) }
        }
        return output
    }

    func build() -> [UInt8] {
        var bytes: [UInt8] = []
        var directory: [UInt8] = []
        for entry in entries {
            let payload = entry.deflate ? Self.deflate(entry.data) : entry.data
            let crc = entry.crc ?? CRC32.checksum(entry.data)
            let method = entry.method ?? (entry.deflate ? 8 : 0)
            let offset = UInt32(bytes.count)
            let name = Array(entry.name.utf8)
            bytes.appendLittleEndian(UInt32(0x0403_4b50))
            bytes.appendLittleEndian(UInt16(20))
            bytes.appendLittleEndian(entry.flags)
            bytes.appendLittleEndian(method)
            bytes.appendLittleEndian(UInt32(0))
            bytes.appendLittleEndian(crc)
            bytes.appendLittleEndian(UInt32(payload.count))
            bytes.appendLittleEndian(entry.declaredSize ?? UInt32(entry.data.count))
            bytes.appendLittleEndian(UInt16(name.count))
            bytes.appendLittleEndian(UInt16(0))
            bytes.append(contentsOf: name)
            bytes.append(contentsOf: payload)

            var extra: [UInt8] = []
            if entry.zip64 {
                extra.appendLittleEndian(UInt16(1))
                extra.appendLittleEndian(UInt16(24))
                extra.appendLittleEndian(UInt64(entry.declaredSize ?? UInt32(entry.data.count)))
                extra.appendLittleEndian(UInt64(payload.count))
                extra.appendLittleEndian(UInt64(entry.localOffsetOverride ?? offset))
            }
            directory.appendLittleEndian(UInt32(0x0201_4b50))
            directory.appendLittleEndian(UInt16(20))
            directory.appendLittleEndian(UInt16(entry.zip64 ? 45 : 20))
            directory.appendLittleEndian(entry.flags)
            directory.appendLittleEndian(method)
            directory.appendLittleEndian(UInt32(0))
            directory.appendLittleEndian(crc)
            directory.appendLittleEndian(entry.zip64 ? 0xFFFF_FFFF : UInt32(payload.count))
            directory.appendLittleEndian(entry.zip64 ? 0xFFFF_FFFF : (entry.declaredSize ?? UInt32(entry.data.count)))
            directory.appendLittleEndian(UInt16(name.count))
            directory.appendLittleEndian(UInt16(extra.count))
            directory.appendLittleEndian(UInt16(0))
            directory.appendLittleEndian(UInt16(0))
            directory.appendLittleEndian(UInt16(0))
            directory.appendLittleEndian(UInt32(0))
            directory.appendLittleEndian(entry.zip64 ? 0xFFFF_FFFF : (entry.localOffsetOverride ?? offset))
            directory.append(contentsOf: name)
            directory.append(contentsOf: extra)
        }
        let directoryOffset = bytes.count
        bytes.append(contentsOf: directory)
        if zip64Directory {
            let recordOffset = bytes.count
            bytes.appendLittleEndian(UInt32(0x0606_4b50))
            bytes.appendLittleEndian(UInt64(44))
            bytes.appendLittleEndian(UInt16(45))
            bytes.appendLittleEndian(UInt16(45))
            bytes.appendLittleEndian(UInt32(0))
            bytes.appendLittleEndian(UInt32(0))
            bytes.appendLittleEndian(UInt64(entries.count))
            bytes.appendLittleEndian(UInt64(entries.count))
            bytes.appendLittleEndian(UInt64(directory.count))
            bytes.appendLittleEndian(UInt64(directoryOffset))
            bytes.appendLittleEndian(UInt32(0x0706_4b50))
            bytes.appendLittleEndian(UInt32(0))
            bytes.appendLittleEndian(UInt64(recordOffset))
            bytes.appendLittleEndian(UInt32(1))
        }
        bytes.appendLittleEndian(UInt32(0x0605_4b50))
        bytes.appendLittleEndian(UInt16(0))
        bytes.appendLittleEndian(UInt16(0))
        bytes.appendLittleEndian(zip64Directory ? 0xFFFF : UInt16(entries.count))
        bytes.appendLittleEndian(zip64Directory ? 0xFFFF : UInt16(entries.count))
        bytes.appendLittleEndian(zip64Directory ? 0xFFFF_FFFF : UInt32(directory.count))
        bytes.appendLittleEndian(zip64Directory ? 0xFFFF_FFFF : UInt32(directoryOffset))
        bytes.appendLittleEndian(UInt16(comment.count))
        bytes.append(contentsOf: comment)
        return bytes
    }
}

/// Reads every entry of an archive into memory, by name.
func readAll(_ bytes: [UInt8], limits: ZipLimits = ZipLimits()) throws(SpreadsheetError) -> [String: [UInt8]] {
    let archive = try ZipArchive(source: MemoryByteSource(bytes), limits: limits)
    var result: [String: [UInt8]] = [:]
    for entry in archive.entries {
        var stream = try archive.stream(entry, chunkSize: 1024)
        var data: [UInt8] = []
        while let chunk = try stream.nextChunk() { data.append(contentsOf: chunk) }
        result[entry.name] = data
    }
    return result
}

/// The error code a throwing body ends with, or nil if it does not throw.
func errorCode(_ body: () throws(SpreadsheetError) -> Void) -> String? {
    do {
        try body()
        return nil
    } catch {
        return error.code
    }
}
