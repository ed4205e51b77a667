// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Spreadsheet

/// A streaming pull tokenizer for the XML that spreadsheets are made of.
///
/// It reads chunks from a `ByteChunkSource` as it needs them and keeps only the current token
/// in memory, so a worksheet of any length is parsed in constant space. It understands elements,
/// attributes, text, CDATA, comments, processing instructions, the five predefined entities and
/// numeric character references. A DOCTYPE is refused outright, and with it any custom entity:
/// entity expansion ("billion laughs") and external entities are never possible. Depth, token
/// size and attribute count are bounded; text and names that are not UTF-8 are errors.
///
/// Element and attribute names are reported without their namespace prefix: SpreadsheetML
/// writers differ in the prefixes they use, never in the local names.
public struct XMLPullParser<Source: ByteChunkSource> {
    private var source: Source
    public let limits: XMLLimits
    /// The part being read, named in error messages.
    public let partName: String

    private var buffer: [UInt8] = []
    private var position = 0
    /// Where the token being scanned starts; a refill keeps the bytes from here on.
    private var mark = 0
    /// Bytes dropped from the front of `buffer` so far, to report absolute offsets.
    private var discarded = 0
    private var inputEnded = false
    private var checkedStart = false

    private var stackBytes: [UInt8] = []
    private var stackStarts: [Int] = []
    private var pendingEnd = false
    private var sawRoot = false
    private var textBytes: [UInt8] = []

    /// Where the current element's local name lies in `buffer`; valid until the next call to `next()`.
    private var nameRange = 0..<0
    /// Where each attribute of the current start tag lies in `buffer`, decoded only when asked for.
    private var attributeRanges: [AttributeRange] = []

    public init(source: Source, partName: String, limits: XMLLimits = XMLLimits()) {
        self.source = source
        self.partName = partName
        self.limits = limits
        attributeRanges.reserveCapacity(8)
    }

    /// How many elements are open (1 inside the root element).
    public var depth: Int { stackStarts.count }

    /// The local name of the element just started or ended.
    public var name: String {
        String(decoding: buffer[nameRange], as: UTF8.self)
    }

    /// Whether the element just started or ended has this local name; cheaper than `name ==`.
    public func isName(_ literal: StaticString) -> Bool {
        literal.utf8CodeUnitCount == nameRange.count && startsWith(literal, at: nameRange.lowerBound)
    }

    /// The attributes of the element just started, decoded.
    public func attributes() throws(SpreadsheetError) -> [XMLAttribute] {
        var result: [XMLAttribute] = []
        for range in attributeRanges {
            result.append(XMLAttribute(name: try makeString(range.nameStart, range.nameEnd), value: try value(of: range)))
        }
        return result
    }

    /// The value of the attribute with this local name on the element just started.
    public func attribute(_ localName: StaticString) throws(SpreadsheetError) -> String? {
        guard let range = find(attribute: localName) else { return nil }
        return try value(of: range)
    }

    /// The attribute's raw bytes when they need no decoding (no entity), for callers that parse
    /// numbers and references straight from the buffer.
    func withPlainAttribute<Result>(
        _ localName: StaticString, _ body: (UnsafeBufferPointer<UInt8>?) -> Result
    ) -> Result? {
        guard let range = find(attribute: localName) else { return body(nil) }
        guard range.plain else { return nil }
        return buffer.withUnsafeBufferPointer { pointer in
            body(UnsafeBufferPointer(rebasing: pointer[range.valueStart..<range.valueEnd]))
        }
    }

    private func find(attribute localName: StaticString) -> AttributeRange? {
        let count = localName.utf8CodeUnitCount
        for range in attributeRanges where range.nameEnd - range.localStart == count {
            if startsWith(localName, at: range.localStart) { return range }
        }
        return nil
    }

    private func value(of range: AttributeRange) throws(SpreadsheetError) -> String {
        range.plain ? try makeString(range.valueStart, range.valueEnd) : try decodeAttributeValue(range.valueStart, range.valueEnd)
    }

    /// The text of the `.text` token just read.
    public func text() throws(SpreadsheetError) -> String {
        guard let text = UTF8Text.string(textBytes) else {
            throw error("xml.invalid_utf8", "text that is not valid UTF-8")
        }
        return text
    }

    /// The raw UTF-8 of the `.text` token just read, for callers that parse it themselves.
    public var textUTF8: [UInt8] { textBytes }

    public mutating func next() throws(SpreadsheetError) -> XMLToken {
        if pendingEnd {
            pendingEnd = false
            popElement()
            return .endElement
        }
        while true {
            mark = position
            if position >= buffer.count {
                if try refill() { continue }
                if let open = openElementName() {
                    throw error("xml.truncated", "the document ends inside <\(open)>")
                }
                guard sawRoot else { throw error("xml.no_root", "the document has no root element") }
                return .endOfDocument
            }
            let byte = buffer[position]
            if stackStarts.isEmpty {
                if byte == UInt8(ascii: "<") {
                    if let token = try markup() { return token }
                    continue
                }
                guard XMLBytes.isWhitespace(byte) else {
                    throw error("xml.malformed", sawRoot ? "content after the root element" : "text before the root element")
                }
                position += 1
                continue
            }
            if byte == UInt8(ascii: "<") {
                if position + 1 < buffer.count || inputEnded {
                    if position + 1 < buffer.count && buffer[position + 1] == UInt8(ascii: "!") {
                        if try !needBytes(9) { throw error("xml.truncated", "the document ends inside markup") }
                        if startsWith("<![CDATA[", at: position) { return try readText() }
                    }
                    if let token = try markup() { return token }
                    continue
                }
                if try !refill() { throw error("xml.truncated", "the document ends inside markup") }
                continue
            }
            return try readText()
        }
    }

    /// Skips the current element's content through its end tag (call right after `.startElement`).
    public mutating func skipElement() throws(SpreadsheetError) {
        let target = depth - 1
        while depth > target {
            if try next() == .endOfDocument { return }
        }
    }
}

// MARK: - Scanning

extension XMLPullParser {
    /// Pulls another chunk, keeping the bytes from `mark`; false at the end of the input.
    private mutating func refill() throws(SpreadsheetError) -> Bool {
        if inputEnded { return false }
        if buffer.count - mark > limits.maximumTokenSize {
            throw error("xml.token_too_large", "a tag or text run longer than \(limits.maximumTokenSize) bytes")
        }
        if mark > 0 {
            buffer.removeSubrange(0..<mark)
            discarded += mark
            position -= mark
            mark = 0
        }
        guard let chunk = try source.nextChunk() else {
            inputEnded = true
            return false
        }
        buffer.append(contentsOf: chunk)
        if !checkedStart { try checkStart() }
        return true
    }

    /// Makes sure `count` bytes from `position` are buffered; false if the input ends first.
    private mutating func needBytes(_ count: Int) throws(SpreadsheetError) -> Bool {
        while buffer.count - position < count {
            if try !refill() { return false }
        }
        return true
    }

    /// Looks at the first bytes: refuses UTF-16 and drops a UTF-8 byte order mark.
    private mutating func checkStart() throws(SpreadsheetError) {
        while buffer.count < 3 {
            guard let chunk = try source.nextChunk() else { break }
            buffer.append(contentsOf: chunk)
        }
        checkedStart = true
        if buffer.count >= 2 && ((buffer[0] == 0xFE && buffer[1] == 0xFF) || (buffer[0] == 0xFF && buffer[1] == 0xFE)) {
            throw error("xml.encoding", "UTF-16 documents are not supported; save the file as UTF-8")
        }
        if buffer.count >= 3 && buffer[0] == 0xEF && buffer[1] == 0xBB && buffer[2] == 0xBF {
            buffer.removeFirst(3)
            discarded = 3
        }
    }

    private func startsWith(_ literal: StaticString, at index: Int) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard buffer.count - index >= count else { return false }
        let pointer = literal.utf8Start
        for offset in 0..<count where buffer[index + offset] != pointer[offset] { return false }
        return true
    }

    /// The index of `literal` at or after `from`, or nil if it is not buffered yet.
    private func find(_ literal: StaticString, from: Int) -> Int? {
        let count = literal.utf8CodeUnitCount
        let first = literal.utf8Start[0]
        var index = from
        while index + count <= buffer.count {
            if buffer[index] == first && startsWith(literal, at: index) { return index }
            index += 1
        }
        return nil
    }

    func error(_ code: String, _ detail: String) -> SpreadsheetError {
        SpreadsheetError(code: code, message: "\(partName): \(detail) (at byte \(discarded + position))")
    }
}

// MARK: - Markup

extension XMLPullParser {
    /// Reads the markup at `position` (a `<`). Returns a token, or nil after skipping a comment
    /// or processing instruction (or after a refill, to be retried).
    private mutating func markup() throws(SpreadsheetError) -> XMLToken? {
        while true {
            position = mark
            if let outcome = try scanMarkup() { return outcome.token }
            if try !refill() { throw error("xml.truncated", "the document ends inside markup") }
        }
    }

    /// One attempt at the markup from `mark`; nil when more bytes are needed.
    private mutating func scanMarkup() throws(SpreadsheetError) -> XMLMarkupOutcome? {
        guard buffer.count - position >= 2 else { return nil }
        let second = buffer[position + 1]
        if second == UInt8(ascii: "/") {
            guard let close = indexOf(UInt8(ascii: ">"), from: position + 2) else { return nil }
            var nameEnd = close
            while nameEnd > position + 2 && XMLBytes.isWhitespace(buffer[nameEnd - 1]) { nameEnd -= 1 }
            let nameStart = position + 2
            guard let top = stackStarts.last else {
                throw error("xml.malformed", "an end tag with no open element")
            }
            let openCount = stackBytes.count - top
            var matches = openCount == nameEnd - nameStart
            if matches {
                for offset in 0..<openCount where stackBytes[top + offset] != buffer[nameStart + offset] {
                    matches = false
                    break
                }
            }
            guard matches else {
                let found = String(decoding: buffer[nameStart..<nameEnd], as: UTF8.self)
                throw error("xml.malformed", "</\(found)> does not close <\(openElementName() ?? "")>")
            }
            nameRange = localName(nameStart, nameEnd)
            popElement()
            position = close + 1
            return XMLMarkupOutcome(token: .endElement)
        }
        if second == UInt8(ascii: "?") {
            guard let close = find("?>", from: position + 2) else { return nil }
            position = close + 2
            return XMLMarkupOutcome(token: nil)
        }
        if second == UInt8(ascii: "!") {
            guard buffer.count - position >= 4 else { return nil }
            if startsWith("<!--", at: position) {
                guard let close = find("-->", from: position + 4) else { return nil }
                position = close + 3
                return XMLMarkupOutcome(token: nil)
            }
            guard buffer.count - position >= 9 || inputEnded else { return nil }
            if startsWith("<!DOCTYPE", at: position) {
                throw error(
                    "xml.doctype",
                    "a DOCTYPE declaration is not allowed (custom entities could expand without bound)"
                )
            }
            throw error("xml.malformed", "unexpected markup <! that is neither a comment nor CDATA")
        }
        return try scanStartTag()
    }

    private mutating func scanStartTag() throws(SpreadsheetError) -> XMLMarkupOutcome? {
        if sawRoot && stackStarts.isEmpty { throw error("xml.malformed", "content after the root element") }
        var index = position + 1
        let nameStart = index
        while index < buffer.count && !XMLBytes.endsName(buffer[index]) { index += 1 }
        guard index < buffer.count else { return nil }
        let nameEnd = index
        guard nameEnd > nameStart else { throw error("xml.malformed", "a tag with no name") }
        attributeRanges.removeAll(keepingCapacity: true)
        var empty = false
        while true {
            while index < buffer.count && XMLBytes.isWhitespace(buffer[index]) { index += 1 }
            guard index < buffer.count else { return nil }
            let byte = buffer[index]
            if byte == UInt8(ascii: ">") {
                index += 1
                break
            }
            if byte == UInt8(ascii: "/") {
                guard index + 1 < buffer.count else { return nil }
                guard buffer[index + 1] == UInt8(ascii: ">") else { throw error("xml.malformed", "a stray / in a tag") }
                index += 2
                empty = true
                break
            }
            let attributeStart = index
            while index < buffer.count && !XMLBytes.endsName(buffer[index]) { index += 1 }
            guard index < buffer.count else { return nil }
            let attributeEnd = index
            guard attributeEnd > attributeStart else { throw error("xml.malformed", "an attribute with no name") }
            while index < buffer.count && XMLBytes.isWhitespace(buffer[index]) { index += 1 }
            guard index < buffer.count else { return nil }
            guard buffer[index] == UInt8(ascii: "=") else { throw error("xml.malformed", "an attribute with no value") }
            index += 1
            while index < buffer.count && XMLBytes.isWhitespace(buffer[index]) { index += 1 }
            guard index < buffer.count else { return nil }
            let quote = buffer[index]
            guard quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") else {
                throw error("xml.malformed", "an attribute value without quotes")
            }
            guard let close = indexOf(quote, from: index + 1) else { return nil }
            guard attributeRanges.count < limits.maximumAttributes else {
                throw error("xml.too_many_attributes", "an element with more than \(limits.maximumAttributes) attributes")
            }
            var plain = true
            for offset in (index + 1)..<close {
                let byte = buffer[offset]
                if byte == UInt8(ascii: "<") { throw error("xml.malformed", "a < inside an attribute value") }
                if byte == UInt8(ascii: "&") || byte < 0x20 { plain = false }
            }
            attributeRanges.append(
                AttributeRange(
                    nameStart: attributeStart, nameEnd: attributeEnd,
                    localStart: localName(attributeStart, attributeEnd).lowerBound, valueStart: index + 1,
                    valueEnd: close, plain: plain
                )
            )
            index = close + 1
        }
        guard stackStarts.count < limits.maximumDepth else {
            throw error("xml.too_deep", "elements nested deeper than \(limits.maximumDepth) levels")
        }
        nameRange = localName(nameStart, nameEnd)
        stackStarts.append(stackBytes.count)
        stackBytes.append(contentsOf: buffer[nameStart..<nameEnd])
        sawRoot = true
        pendingEnd = empty
        position = index
        return XMLMarkupOutcome(token: .startElement)
    }

    private func indexOf(_ byte: UInt8, from: Int) -> Int? {
        var index = from
        while index < buffer.count {
            if buffer[index] == byte { return index }
            index += 1
        }
        return nil
    }

    private mutating func popElement() {
        // `removeLast(_:)`, not `removeSubrange`: the generic range replacement costs more than
        // the rest of an end tag.
        if let start = stackStarts.popLast() { stackBytes.removeLast(stackBytes.count - start) }
    }

    private func openElementName() -> String? {
        guard let start = stackStarts.last else { return nil }
        return String(decoding: stackBytes[start...], as: UTF8.self)
    }

    /// The local name (after any prefix) of the bytes in `start..<end`.
    private func localName(_ start: Int, _ end: Int) -> Range<Int> {
        var localStart = start
        for index in start..<end where buffer[index] == UInt8(ascii: ":") { localStart = index + 1 }
        return localStart..<end
    }

    private func makeString(_ start: Int, _ end: Int) throws(SpreadsheetError) -> String {
        let made: String? = buffer.withUnsafeBufferPointer { pointer in
            UTF8Text.string(UnsafeBufferPointer(rebasing: pointer[start..<end]))
        }
        guard let made else { throw error("xml.invalid_utf8", "a name or value that is not valid UTF-8") }
        return made
    }

    private func decodeAttributeValue(_ start: Int, _ end: Int) throws(SpreadsheetError) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(end - start)
        var index = start
        while index < end {
            let byte = buffer[index]
            if byte == UInt8(ascii: "<") { throw error("xml.malformed", "a < inside an attribute value") }
            if byte == UInt8(ascii: "&") {
                guard let semicolon = indexOf(UInt8(ascii: ";"), from: index + 1), semicolon < end else {
                    throw error("xml.malformed", "an unterminated entity reference")
                }
                try appendEntity(index + 1, semicolon, to: &bytes)
                index = semicolon + 1
                continue
            }
            // Attribute-value normalization: tab, CR and LF read as spaces.
            bytes.append(XMLBytes.isWhitespace(byte) ? 0x20 : byte)
            index += 1
        }
        guard let value = String(validating: bytes, as: UTF8.self) else {
            throw error("xml.invalid_utf8", "an attribute value that is not valid UTF-8")
        }
        return value
    }

    /// Decodes the entity whose name is `buffer[start..<end]` (between `&` and `;`).
    private func appendEntity(_ start: Int, _ end: Int, to bytes: inout [UInt8]) throws(SpreadsheetError) {
        let length = end - start
        func equals(_ literal: StaticString) -> Bool {
            literal.utf8CodeUnitCount == length && startsWith(literal, at: start)
        }
        if equals("lt") { bytes.append(UInt8(ascii: "<")); return }
        if equals("gt") { bytes.append(UInt8(ascii: ">")); return }
        if equals("amp") { bytes.append(UInt8(ascii: "&")); return }
        if equals("quot") { bytes.append(UInt8(ascii: "\"")); return }
        if equals("apos") { bytes.append(UInt8(ascii: "'")); return }
        guard length >= 2, buffer[start] == UInt8(ascii: "#") else {
            let entity = String(decoding: buffer[start..<end], as: UTF8.self)
            throw error("xml.entity", "the entity &\(entity); is not defined (only the five predefined entities are allowed)")
        }
        var value: UInt32 = 0
        var index = start + 1
        let hex = buffer[index] == UInt8(ascii: "x")
        if hex { index += 1 }
        guard index < end, end - index <= 8 else { throw error("xml.entity", "a malformed character reference") }
        while index < end {
            let byte = buffer[index]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f") where hex: digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F") where hex: digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw error("xml.entity", "a malformed character reference")
            }
            value = value * (hex ? 16 : 10) + digit
            index += 1
        }
        let allowed = value == 0x9 || value == 0xA || value == 0xD || (0x20...0xD7FF).contains(value)
            || (0xE000...0xFFFD).contains(value) || (0x10000...0x10FFFF).contains(value)
        guard allowed, let scalar = Unicode.Scalar(value) else {
            throw error("xml.entity", "a character reference to U+\(String(value, radix: 16, uppercase: true)), which XML does not allow")
        }
        bytes.append(contentsOf: Array(String(Character(scalar)).utf8))
    }
}

// MARK: - Text

extension XMLPullParser {
    /// Reads character data (with entities, CR/LF normalization and CDATA) up to the next tag.
    private mutating func readText() throws(SpreadsheetError) -> XMLToken {
        textBytes.removeAll(keepingCapacity: true)
        while true {
            mark = position
            var index = position
            let count = buffer.count
            let stop: Int = buffer.withUnsafeBufferPointer { pointer in
                var index = index
                while index < count {
                    let byte = pointer[index]
                    if byte == UInt8(ascii: "<") || byte == UInt8(ascii: "&") || byte == 0x0D { break }
                    index += 1
                }
                return index
            }
            if stop > position { textBytes.append(contentsOf: buffer[position..<stop]) }
            position = stop
            index = stop
            if textBytes.count > limits.maximumTokenSize {
                throw error("xml.token_too_large", "a text run longer than \(limits.maximumTokenSize) bytes")
            }
            guard index < count else {
                mark = position
                if try refill() { continue }
                throw error("xml.truncated", "the document ends inside <\(openElementName() ?? "")>")
            }
            switch buffer[index] {
            case 0x0D:
                guard try needBytes(2) || inputEnded else { continue }
                textBytes.append(0x0A)
                position += (position + 1 < buffer.count && buffer[position + 1] == 0x0A) ? 2 : 1
            case UInt8(ascii: "&"):
                guard let semicolon = indexOf(UInt8(ascii: ";"), from: index + 1), semicolon - index <= 12 else {
                    if buffer.count - index <= 12, try refill() { continue }
                    throw error("xml.malformed", "an unterminated entity reference")
                }
                try appendEntity(index + 1, semicolon, to: &textBytes)
                position = semicolon + 1
            default:
                // A `<`: CDATA continues the text, anything else ends it.
                if buffer.count - index < 9 && !inputEnded {
                    if try refill() { continue }
                }
                guard startsWith("<![CDATA[", at: index) else { return .text }
                guard let close = find("]]>", from: index + 9) else {
                    if try refill() { continue }
                    throw error("xml.truncated", "the document ends inside a CDATA section")
                }
                textBytes.append(contentsOf: buffer[(index + 9)..<close])
                position = close + 3
            }
        }
    }
}

/// One attribute of the current start tag, as positions in the parser's buffer.
struct AttributeRange {
    var nameStart: Int
    var nameEnd: Int
    /// Where the name continues after its prefix.
    var localStart: Int
    var valueStart: Int
    var valueEnd: Int
    /// No entity or special whitespace: the bytes are the value.
    var plain: Bool
}

/// The result of scanning markup: a token, or nil for a skipped comment or instruction.
struct XMLMarkupOutcome {
    var token: XMLToken?
}

/// Byte classes of XML (outside the generic parser, so using them costs no type metadata lookup).
enum XMLBytes {
    @inline(__always)
    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x09 || byte == 0x0D
    }

    @inline(__always)
    static func endsName(_ byte: UInt8) -> Bool {
        isWhitespace(byte) || byte == UInt8(ascii: ">") || byte == UInt8(ascii: "/") || byte == UInt8(ascii: "=")
    }
}
