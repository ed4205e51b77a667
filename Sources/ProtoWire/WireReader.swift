// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ProtoWire

/// A cursor over contiguous protobuf bytes that validates as it reads.
///
/// The reader never copies the input: it walks raw pointers that are valid for the duration of
/// `ProtoMessage.init(serializedBytes:)` (or any other `withUnsafeBytes` scope). Every read is
/// bounds-checked against the end of the innermost length-delimited field, so malformed input
/// throws a `WireError` and never traps. Generated `decodeFields(from:)` code drives it.
public struct WireReader {
    /// The default nesting limit, as in the reference implementations.
    public static let defaultDepthLimit = 100

    @usableFromInline var cursor: UnsafeRawPointer
    @usableFromInline var end: UnsafeRawPointer
    @usableFromInline let start: UnsafeRawPointer
    @usableFromInline var depthBudget: Int
    /// Start of the tag of the field most recently returned by `nextTag`, for copying unknown fields.
    @usableFromInline var fieldStart: UnsafeRawPointer
    /// The field number of the group being decoded, or 0 outside any group.
    @usableFromInline var openGroup: UInt32 = 0
    /// Set when `nextTag` consumed the end-group tag of `openGroup`.
    @usableFromInline var groupClosed = false

    /// Creates a reader over `bytes`; the bytes must outlive the reader.
    public init(bytes: UnsafeRawBufferPointer, depthLimit: Int = WireReader.defaultDepthLimit) {
        // An empty buffer may have no base address; any non-null pointer works when count is 0.
        let base = bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 0x1)!
        self.cursor = base
        self.end = base + bytes.count
        self.start = base
        self.fieldStart = base
        self.depthBudget = depthLimit
    }

    /// True when every byte of the current message has been read.
    @inlinable public var isAtEnd: Bool { cursor == end }

    /// The offset of the cursor from the start of the input, for error reports.
    @inlinable public var offset: Int { cursor - start }

    @usableFromInline
    func error(_ code: WireError.Code, at pointer: UnsafeRawPointer? = nil) -> WireError {
        WireError(code: code, offset: (pointer ?? cursor) - start)
    }

    // MARK: Tags

    /// Reads the next field tag, or returns nil at the end of the current message or group.
    ///
    /// Throws for field number 0, wire types 6 and 7, and an end-group tag that closes nothing.
    @inlinable
    public mutating func nextTag() throws(WireError) -> FieldTag? {
        if cursor == end { return nil }
        fieldStart = cursor
        let first = cursor.load(as: UInt8.self)
        let raw: UInt32
        if first < 0x80 {
            cursor += 1
            raw = UInt32(first)
        } else {
            let wide = try readVarintSlow()
            guard wide <= UInt64(UInt32.max) else { throw error(.invalidFieldNumber, at: fieldStart) }
            raw = UInt32(truncatingIfNeeded: wide)
        }
        return try validateTag(raw)
    }

    @inlinable
    mutating func validateTag(_ raw: UInt32) throws(WireError) -> FieldTag? {
        let wireType = raw & 7
        if raw >> 3 == 0 { throw error(.invalidFieldNumber, at: fieldStart) }
        if wireType == 4 {
            guard openGroup != 0, raw >> 3 == openGroup else { throw error(.unmatchedEndGroup, at: fieldStart) }
            groupClosed = true
            return nil
        }
        if wireType > 5 { throw error(.invalidWireType, at: fieldStart) }
        return FieldTag(uncheckedRawValue: raw)
    }

    // MARK: Varints

    /// Reads a base-128 varint of up to ten bytes.
    @inlinable
    public mutating func readVarint() throws(WireError) -> UInt64 {
        if cursor != end {
            let first = cursor.load(as: UInt8.self)
            if first < 0x80 {
                cursor += 1
                return UInt64(first)
            }
        }
        return try readVarintSlow()
    }

    @usableFromInline
    mutating func readVarintSlow() throws(WireError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        var p = cursor
        while true {
            guard p != end else { throw error(.truncated) }
            let byte = p.load(as: UInt8.self)
            p += 1
            result |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 {
                cursor = p
                return result
            }
            shift += 7
            if shift >= 70 { throw error(.varintTooLong) }
        }
    }

    /// Reads a length prefix and checks that the payload fits in the current message.
    @inlinable
    public mutating func readLength() throws(WireError) -> Int {
        let at = cursor
        let length = try readVarint()
        guard length <= UInt64(end - cursor) else { throw error(.lengthTooLarge, at: at) }
        return Int(length)
    }

    // MARK: Fixed-width values

    @inlinable
    public mutating func readFixed32() throws(WireError) -> UInt32 {
        guard end - cursor >= 4 else { throw error(.truncated) }
        let value = cursor.loadUnaligned(as: UInt32.self)
        cursor += 4
        return UInt32(littleEndian: value)
    }

    @inlinable
    public mutating func readFixed64() throws(WireError) -> UInt64 {
        guard end - cursor >= 8 else { throw error(.truncated) }
        let value = cursor.loadUnaligned(as: UInt64.self)
        cursor += 8
        return UInt64(littleEndian: value)
    }

    // MARK: Length-delimited values

    /// Reads a `string` field, rejecting bytes that are not valid UTF-8.
    @inlinable
    public mutating func readString() throws(WireError) -> String {
        let length = try readLength()
        let bytes = UnsafeBufferPointer(start: cursor.assumingMemoryBound(to: UInt8.self), count: length)
        // Not `String(validating:as:)`: in Swift 6.3 on Linux that is an unspecialized generic in
        // libswiftCore that looks up two generic metadata records per call (about 650 of the ~1,000
        // instructions it takes per string).
        guard UTF8Validation.isValid(bytes) else { throw error(.invalidUTF8) }
        cursor += length
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Reads a `bytes` field into a new array (the one copy a value type needs).
    @inlinable
    public mutating func readBytes() throws(WireError) -> [UInt8] {
        let length = try readLength()
        let bytes = [UInt8](UnsafeRawBufferPointer(start: cursor, count: length))
        cursor += length
        return bytes
    }

    /// Reads a length-delimited field and passes its bytes to `body` without copying them.
    @inlinable
    public mutating func withLengthDelimited<R>(
        _ body: (UnsafeRawBufferPointer) throws(WireError) -> R
    ) throws(WireError) -> R {
        let length = try readLength()
        let result = try body(UnsafeRawBufferPointer(start: cursor, count: length))
        cursor += length
        return result
    }

    // MARK: Nested messages and groups

    /// Reads a length-delimited sub-message and merges it into `message`.
    @inlinable
    public mutating func readMessage<M: ProtoMessage>(into message: inout M) throws(WireError) {
        let length = try readLength()
        guard depthBudget > 0 else { throw error(.depthLimitExceeded) }
        let savedEnd = end
        let savedGroup = openGroup
        end = cursor + length
        openGroup = 0
        depthBudget -= 1
        try message.decodeFields(from: &self)
        depthBudget += 1
        openGroup = savedGroup
        end = savedEnd
    }

    /// Reads a sub-message into an optional, creating it on first sight and merging after that.
    @inlinable
    public mutating func readMessage<M: ProtoMessage>(into message: inout M?) throws(WireError) {
        var value = message ?? M()
        message = nil  // keeps `value` uniquely referenced while it is decoded
        defer { message = value }  // also on failure: what was already set stays set
        try readMessage(into: &value)
    }

    /// Reads a group (the proto2 delimited encoding) for `fieldNumber` and merges it into `message`.
    @inlinable
    public mutating func readGroup<M: ProtoMessage>(fieldNumber: Int, into message: inout M) throws(WireError) {
        guard depthBudget > 0 else { throw error(.depthLimitExceeded) }
        let savedGroup = openGroup
        let savedClosed = groupClosed
        openGroup = UInt32(fieldNumber)
        groupClosed = false
        depthBudget -= 1
        try message.decodeFields(from: &self)
        guard groupClosed else { throw error(.unterminatedGroup) }
        depthBudget += 1
        openGroup = savedGroup
        groupClosed = savedClosed
    }

    /// Reads a group into an optional, creating it on first sight and merging after that.
    @inlinable
    public mutating func readGroup<M: ProtoMessage>(fieldNumber: Int, into message: inout M?) throws(WireError) {
        var value = message ?? M()
        message = nil
        defer { message = value }
        try readGroup(fieldNumber: fieldNumber, into: &value)
    }

    // MARK: Unknown fields

    /// Skips the value of the field whose tag was just read and keeps its bytes, tag included.
    @inlinable
    public mutating func skipField(_ tag: FieldTag, into unknownFields: inout UnknownFields) throws(WireError) {
        let begin = fieldStart
        try skipValue(tag)
        unknownFields.append(UnsafeRawBufferPointer(start: begin, count: cursor - begin))
    }

    /// Skips the value of the field whose tag was just read.
    @inlinable
    public mutating func skipValue(_ tag: FieldTag) throws(WireError) {
        switch tag.rawValue & 7 {
        case 0: _ = try readVarint()
        case 1:
            guard end - cursor >= 8 else { throw error(.truncated) }
            cursor += 8
        case 2:
            let length = try readLength()
            cursor += length
        case 5:
            guard end - cursor >= 4 else { throw error(.truncated) }
            cursor += 4
        default:
            try skipGroup(fieldNumber: UInt32(tag.fieldNumber))
        }
    }

    @usableFromInline
    mutating func skipGroup(fieldNumber: UInt32) throws(WireError) {
        guard depthBudget > 0 else { throw error(.depthLimitExceeded) }
        let savedGroup = openGroup
        let savedClosed = groupClosed
        openGroup = fieldNumber
        groupClosed = false
        depthBudget -= 1
        while let tag = try nextTag() {
            try skipValue(tag)
        }
        guard groupClosed else { throw error(.unterminatedGroup) }
        depthBudget += 1
        openGroup = savedGroup
        groupClosed = savedClosed
    }

    /// The bytes from the start of the most recent tag to the cursor.
    @inlinable
    public var currentFieldBytes: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: fieldStart, count: cursor - fieldStart)
    }

    /// The bytes from `position` to the cursor.
    @inlinable
    public func bytes(since position: UnsafeRawPointer) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: position, count: cursor - position)
    }
}

/// UTF-8 validation without generics (Unicode table 3-7, well-formed byte sequences): eight
/// ASCII bytes at a time, then byte by byte from the first non-ASCII byte.
public enum UTF8Validation {
    @inlinable
    public static func isValid(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        let count = bytes.count
        var i = 0
        while i + 8 <= count {
            if UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { break }
            i += 8
        }
        while i < count, base[i] < 0x80 { i += 1 }
        return i == count || isValidMultibyte(base, from: i, count: count)
    }

    @usableFromInline
    static func isValidMultibyte(_ base: UnsafePointer<UInt8>, from start: Int, count: Int) -> Bool {
        var i = start
        while i < count {
            let b0 = base[i]
            if b0 < 0x80 {
                i += 1
            } else if b0 < 0xC2 {
                return false
            } else if b0 < 0xE0 {
                guard i + 1 < count, base[i + 1] & 0xC0 == 0x80 else { return false }
                i += 2
            } else if b0 < 0xF0 {
                guard i + 2 < count else { return false }
                let b1 = base[i + 1]
                let lower: UInt8 = b0 == 0xE0 ? 0xA0 : 0x80  // no overlong forms
                let upper: UInt8 = b0 == 0xED ? 0x9F : 0xBF  // no surrogates
                guard b1 >= lower, b1 <= upper, base[i + 2] & 0xC0 == 0x80 else { return false }
                i += 3
            } else if b0 < 0xF5 {
                guard i + 3 < count else { return false }
                let b1 = base[i + 1]
                let lower: UInt8 = b0 == 0xF0 ? 0x90 : 0x80  // no overlong forms
                let upper: UInt8 = b0 == 0xF4 ? 0x8F : 0xBF  // nothing above U+10FFFF
                guard b1 >= lower, b1 <= upper, base[i + 2] & 0xC0 == 0x80, base[i + 3] & 0xC0 == 0x80 else {
                    return false
                }
                i += 4
            } else {
                return false
            }
        }
        return true
    }
}
