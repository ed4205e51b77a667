// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Spreadsheet

/// Streams the rows of an RFC 4180 CSV file.
///
/// Fields may be quoted (with `""` for a quote) and span lines; rows end with CRLF, LF or CR; a
/// UTF-8 byte order mark is skipped. Blank rows are skipped. Errors name the line: a quote that
/// is never closed, a character after a closing quote, text that is not UTF-8, a field or row
/// over the size limits. A quote inside an unquoted field is kept as text, as spreadsheet
/// programs do. Every field is returned as `.text` (or `.empty`); interpreting it is the caller's job.
public struct CSVReader<Source: ByteChunkSource> {
    private enum State {
        case fieldStart
        case unquoted
        case quoted
        case quoteInQuoted
        case afterCarriageReturn
    }

    private var source: Source
    public let options: CSVOptions
    private var chunk: [UInt8] = []
    private var chunkPosition = 0
    private var started = false
    private var ended = false
    private var state = State.fieldStart
    private var field: [UInt8] = []
    private var fields: [SpreadsheetCell] = []
    private var rowBytes = 0
    private var line = 1
    private var rowStartLine = 1
    private var quoteStartLine = 1
    private var rowsRead = 0

    public init(source: Source, options: CSVOptions = CSVOptions()) {
        self.source = source
        self.options = options
        field.reserveCapacity(256)
    }

    /// How many non-blank rows have been returned.
    public var rowCount: Int { rowsRead }

    /// The next non-blank row (its number is the line it starts on), or nil at the end.
    public mutating func next() throws(SpreadsheetError) -> SpreadsheetRow? {
        while !ended {
            if chunkPosition == chunk.count {
                guard let next = try source.nextChunk() else {
                    ended = true
                    if let row = try finishInput(), !row.isBlank { return try count(row) }
                    return nil
                }
                chunk = next
                chunkPosition = 0
                if !started {
                    // Skip a UTF-8 byte order mark, however the first chunks are cut.
                    started = true
                    while chunk.count < 3, let more = try source.nextChunk() { chunk.append(contentsOf: more) }
                    if chunk.count >= 3 && chunk[0] == 0xEF && chunk[1] == 0xBB && chunk[2] == 0xBF { chunkPosition = 3 }
                }
                continue
            }
            if let row = try scan(), !row.isBlank { return try count(row) }
        }
        return nil
    }

    private mutating func count(_ row: SpreadsheetRow) throws(SpreadsheetError) -> SpreadsheetRow {
        rowsRead += 1
        if let maximum = options.maximumRows, rowsRead > maximum {
            throw SpreadsheetError(code: "csv.too_many_rows", message: "line \(row.number): the file has more than \(maximum) rows")
        }
        return row
    }

    /// Consumes bytes of the current chunk until a row ends (returned) or the chunk is used up (nil).
    private mutating func scan() throws(SpreadsheetError) -> SpreadsheetRow? {
        let bytes = chunk
        let delimiter = options.delimiter
        return try bytes.withBytes { (raw) throws(SpreadsheetError) -> SpreadsheetRow? in
            let pointer = raw.bindMemory(to: UInt8.self)
            let end = pointer.count
            var index = chunkPosition
            defer { chunkPosition = index }
            while index < end {
                let byte = pointer[index]
                switch state {
                case .afterCarriageReturn:
                    state = .fieldStart
                    if byte == 0x0A {
                        index += 1
                        continue
                    }
                case .fieldStart:
                    if byte == UInt8(ascii: "\"") {
                        state = .quoted
                        quoteStartLine = line
                        index += 1
                    } else if byte == delimiter {
                        try endField()
                        index += 1
                    } else if byte == 0x0A || byte == 0x0D {
                        index += 1
                        return try endRow(carriageReturn: byte == 0x0D)
                    } else {
                        state = .unquoted
                    }
                case .unquoted:
                    var stop = index
                    while stop < end {
                        let b = pointer[stop]
                        if b == delimiter || b == 0x0A || b == 0x0D { break }
                        stop += 1
                    }
                    try appendField(UnsafeBufferPointer(rebasing: pointer[index..<stop]))
                    index = stop
                    guard index < end else { continue }
                    index += 1
                    if pointer[index - 1] == delimiter {
                        try endField()
                        state = .fieldStart
                    } else {
                        return try endRow(carriageReturn: pointer[index - 1] == 0x0D)
                    }
                case .quoted:
                    var stop = index
                    while stop < end {
                        let b = pointer[stop]
                        if b == UInt8(ascii: "\"") { break }
                        if b == 0x0A { line += 1 }
                        stop += 1
                    }
                    try appendField(UnsafeBufferPointer(rebasing: pointer[index..<stop]))
                    index = stop
                    guard index < end else { continue }
                    index += 1
                    state = .quoteInQuoted
                case .quoteInQuoted:
                    if byte == UInt8(ascii: "\"") {
                        try appendField(UnsafeBufferPointer(rebasing: pointer[index..<index + 1]))
                        state = .quoted
                        index += 1
                    } else if byte == delimiter {
                        try endField()
                        state = .fieldStart
                        index += 1
                    } else if byte == 0x0A || byte == 0x0D {
                        index += 1
                        return try endRow(carriageReturn: byte == 0x0D)
                    } else {
                        throw SpreadsheetError(
                            code: "csv.malformed",
                            message: "line \(line): unexpected text after the closing quote of a field (a quote inside a quoted field must be doubled)"
                        )
                    }
                }
            }
            return nil
        }
    }

    private mutating func appendField(_ bytes: UnsafeBufferPointer<UInt8>) throws(SpreadsheetError) {
        guard !bytes.isEmpty else { return }
        field.append(contentsOf: bytes)
        rowBytes += bytes.count
        if field.count > options.maximumFieldSize {
            throw SpreadsheetError(
                code: "csv.field_too_large",
                message: "line \(line): a field is longer than \(options.maximumFieldSize) bytes"
            )
        }
        if rowBytes > options.maximumRowSize {
            throw SpreadsheetError(
                code: "csv.row_too_large",
                message: "line \(rowStartLine): the row is longer than \(options.maximumRowSize) bytes"
            )
        }
    }

    private mutating func endField() throws(SpreadsheetError) {
        guard fields.count < options.maximumFields else {
            throw SpreadsheetError(
                code: "csv.too_many_fields",
                message: "line \(rowStartLine): the row has more than \(options.maximumFields) fields"
            )
        }
        if field.isEmpty {
            fields.append(.empty)
        } else {
            guard let text = UTF8Text.string(field) else {
                throw SpreadsheetError(
                    code: "csv.invalid_utf8",
                    message: "line \(line): field \(fields.count + 1) is not valid UTF-8 (save the file as UTF-8)"
                )
            }
            fields.append(.text(text))
            field.removeAll(keepingCapacity: true)
        }
    }

    private mutating func endRow(carriageReturn: Bool) throws(SpreadsheetError) -> SpreadsheetRow {
        try endField()
        let row = SpreadsheetRow(number: rowStartLine, cells: fields)
        fields = []
        fields.reserveCapacity(row.cells.count)
        rowBytes = 0
        line += 1
        rowStartLine = line
        state = carriageReturn ? .afterCarriageReturn : .fieldStart
        return row
    }

    private mutating func finishInput() throws(SpreadsheetError) -> SpreadsheetRow? {
        switch state {
        case .quoted:
            throw SpreadsheetError(
                code: "csv.unbalanced_quote",
                message: "line \(quoteStartLine): a quoted field opened on this line is never closed"
            )
        case .afterCarriageReturn:
            return nil
        case .fieldStart where fields.isEmpty && field.isEmpty:
            return nil
        default:
            return try endRow(carriageReturn: false)
        }
    }
}
