// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Spreadsheet

/// The inflated bytes of one ZIP entry, produced in chunks.
///
/// Enforces the archive's limits as it goes — no more than the declared size, no more than
/// `maximumEntrySize`, no more than `maximumCompressionRatio` times the compressed bytes read —
/// and checks the CRC-32 at the end, so corrupt or hostile data ends in a precise error after a
/// bounded amount of work and memory.
public struct ZipEntryStream: ByteChunkSource {
    public let entry: ZipEntry
    private let source: any ByteSource
    private let limits: ZipLimits
    private let chunkSize: Int
    private let inflater: Inflater?
    private var nextInputOffset: Int64
    private var compressedRemaining: Int64
    private var input: [UInt8] = []
    private var inputPosition = 0
    private var compressedConsumed: Int64 = 0
    private var produced: Int64 = 0
    private var crc = CRC32()
    private var finished = false

    init(archive: ZipArchive, entry: ZipEntry, chunkSize: Int) throws(SpreadsheetError) {
        self.entry = entry
        self.source = archive.source
        self.limits = archive.limits
        self.chunkSize = max(1024, chunkSize)
        guard entry.uncompressedSize <= archive.limits.maximumEntrySize else {
            throw SpreadsheetError(
                code: "zip.entry_too_large",
                message: "\(entry.name) inflates to \(entry.uncompressedSize) bytes; at most \(archive.limits.maximumEntrySize) are allowed"
            )
        }
        var header = LittleEndianReader(
            try archive.source.read(at: entry.localHeaderOffset, count: 30, what: "the local header of \(entry.name)")
        )
        guard header.u32() == ZipArchive.localHeaderSignature else {
            throw SpreadsheetError(code: "zip.bad_offset", message: "\(entry.name): no local header at offset \(entry.localHeaderOffset)")
        }
        header.skip(22)
        let nameLength = Int64(header.u16())
        let extraLength = Int64(header.u16())
        let dataStart = entry.localHeaderOffset + 30 + nameLength + extraLength
        guard dataStart + entry.compressedSize <= archive.centralDirectoryOffset else {
            throw SpreadsheetError(
                code: "zip.truncated",
                message: "\(entry.name): its \(entry.compressedSize) compressed bytes run past the end of the entry data"
            )
        }
        let localName = try archive.source.read(
            at: entry.localHeaderOffset + 30, count: Int(nameLength), what: "the local name of \(entry.name)"
        )
        guard String(decoding: localName, as: UTF8.self) == entry.name else {
            throw SpreadsheetError(
                code: "zip.header_mismatch",
                message: "\(entry.name): the local header names a different file"
            )
        }
        self.nextInputOffset = dataStart
        self.compressedRemaining = entry.compressedSize
        self.inflater = entry.method == .deflated ? try Inflater() : nil
    }

    public mutating func nextChunk() throws(SpreadsheetError) -> [UInt8]? {
        guard !finished else { return nil }
        while true {
            if inputPosition == input.count && compressedRemaining > 0 {
                let count = Int(min(Int64(chunkSize), compressedRemaining))
                input = try source.read(at: nextInputOffset, count: count, what: "the data of \(entry.name)")
                inputPosition = 0
                nextInputOffset += Int64(count)
                compressedRemaining -= Int64(count)
            }
            guard let inflater else {
                // Stored: the input is the output.
                guard inputPosition < input.count else {
                    try finish()
                    return nil
                }
                let chunk = inputPosition == 0 ? input : Array(input[inputPosition...])
                inputPosition = input.count
                compressedConsumed += Int64(chunk.count)
                try account(chunk)
                return chunk
            }
            if inputPosition == input.count && compressedRemaining == 0 {
                throw SpreadsheetError(
                    code: "zip.truncated",
                    message: "\(entry.name): the compressed data ends before the deflate stream does"
                )
            }
            var output = [UInt8](repeating: 0, count: chunkSize)
            let progress = try input.withBytes { (inputBytes) throws(SpreadsheetError) -> Inflater.Progress in
                try output.withMutableBytes { (outputBytes) throws(SpreadsheetError) -> Inflater.Progress in
                    try inflater.inflate(
                        UnsafeRawBufferPointer(rebasing: inputBytes[inputPosition...]), into: outputBytes, entry: entry.name
                    )
                }
            }
            let consumed: Int
            let count: Int
            var ended = false
            switch progress {
            case .progress(let c, let p):
                consumed = c
                count = p
            case .finished(let c, let p):
                consumed = c
                count = p
                ended = true
            }
            inputPosition += consumed
            compressedConsumed += Int64(consumed)
            if count > 0 {
                if count < output.count { output.removeLast(output.count - count) }
                try account(output)
            }
            if ended {
                try finish()
                return count > 0 ? output : nil
            }
            if count > 0 { return output }
            if consumed == 0 && inputPosition < input.count {
                throw SpreadsheetError(code: "zip.corrupt", message: "\(entry.name): the deflate stream makes no progress")
            }
        }
    }

    private mutating func account(_ chunk: [UInt8]) throws(SpreadsheetError) {
        produced += Int64(chunk.count)
        if produced > entry.uncompressedSize {
            throw SpreadsheetError(
                code: "zip.size_mismatch",
                message: "\(entry.name) inflates to more than the \(entry.uncompressedSize) bytes it declares"
            )
        }
        if produced > limits.maximumEntrySize {
            throw SpreadsheetError(
                code: "zip.entry_too_large",
                message: "\(entry.name) inflates to more than \(limits.maximumEntrySize) bytes"
            )
        }
        if produced > limits.ratioGrace && produced > max(1, compressedConsumed) * limits.maximumCompressionRatio {
            throw SpreadsheetError(
                code: "zip.ratio_exceeded",
                message: "\(entry.name) expands more than \(limits.maximumCompressionRatio) times (\(compressedConsumed) bytes "
                    + "inflate to over \(produced)): refusing a likely ZIP bomb"
            )
        }
        crc.update(chunk)
    }

    private mutating func finish() throws(SpreadsheetError) {
        finished = true
        guard produced == entry.uncompressedSize else {
            throw SpreadsheetError(
                code: "zip.size_mismatch",
                message: "\(entry.name) inflates to \(produced) bytes but declares \(entry.uncompressedSize)"
            )
        }
        guard crc.value == entry.crc32 else {
            throw SpreadsheetError(
                code: "zip.bad_crc",
                message: "\(entry.name) fails its CRC-32 check (expected \(hex(entry.crc32)), computed \(hex(crc.value)))"
            )
        }
    }

    private func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 8 - digits.count) + digits
    }
}
