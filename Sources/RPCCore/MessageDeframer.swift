// SPDX-License-Identifier: Apache-2.0
// UsageFlow — RPCCore

/// Splits a stream of bytes into gRPC Length-Prefixed-Messages: a compressed-flag byte, a 4-byte
/// big-endian length, then the message.
///
/// The size limit is checked against the length prefix before any of the message is buffered, so
/// a peer announcing a huge message costs nothing. Prefixes and messages may be split across any
/// number of `append` calls.
public struct MessageDeframer: Sendable {
    /// Why the byte stream cannot be split into messages.
    public struct Failure: Error, Sendable, Hashable {
        public let status: Status

        public init(status: Status) { self.status = status }
    }

    public let maximumMessageSize: Int
    private var buffer: [UInt8] = []
    private var readIndex = 0
    /// `buffer` is an array handed to `append` (shared with its caller), not one of our own.
    private var adopted = false

    public init(maximumMessageSize: Int) {
        self.maximumMessageSize = maximumMessageSize
    }

    /// Bytes received but not yet returned as messages.
    public var bufferedByteCount: Int { buffer.count - readIndex }

    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        if readIndex > 0, readIndex == buffer.count {
            buffer.removeAll(keepingCapacity: !adopted)
            readIndex = 0
        }
        adopted = false
        buffer.append(contentsOf: bytes)
    }

    /// Appends bytes; when nothing is buffered the array itself is kept (no copy), which is the
    /// usual case: a DATA frame that holds whole messages.
    public mutating func append(_ bytes: [UInt8]) {
        if readIndex == buffer.count {
            buffer = bytes
            readIndex = 0
            adopted = true
            return
        }
        adopted = false
        bytes.withUnsafeBytes { append($0) }
    }

    /// The next complete message, or nil when more bytes are needed.
    ///
    /// Throws RESOURCE_EXHAUSTED for a message over the limit and UNIMPLEMENTED for a compressed
    /// message (no `grpc-encoding` is negotiated, so the flag must be 0).
    public mutating func next() throws(Failure) -> [UInt8]? {
        let available = buffer.count - readIndex
        guard available >= 5 else { return nil }
        let flag = buffer[readIndex]
        let length =
            Int(buffer[readIndex + 1]) << 24 | Int(buffer[readIndex + 2]) << 16 | Int(buffer[readIndex + 3]) << 8
            | Int(buffer[readIndex + 4])
        guard flag == 0 || flag == 1 else {
            throw Failure(status: Status(code: .internal, message: "invalid compressed-flag byte \(flag)"))
        }
        guard flag == 0 else {
            throw Failure(status: Status(code: .internal, message: "compressed message without grpc-encoding"))
        }
        guard length <= maximumMessageSize else {
            throw Failure(
                status: Status(
                    code: .resourceExhausted,
                    message: "message of \(length) bytes exceeds the limit of \(maximumMessageSize) bytes"))
        }
        guard available >= 5 + length else { return nil }
        let start = readIndex + 5
        let message = Array(buffer[start..<start + length])
        readIndex = start + length
        if readIndex == buffer.count {
            if adopted || buffer.capacity > 64 * 1024 {
                buffer = []
                adopted = false
            } else {
                buffer.removeAll(keepingCapacity: true)
            }
            readIndex = 0
        } else if readIndex > 64 * 1024 {
            buffer.removeFirst(readIndex)
            readIndex = 0
            adopted = false
        }
        return message
    }

    /// Whether bytes of an incomplete message remain (a stream that ends now was truncated).
    public var hasPartialMessage: Bool { buffer.count > readIndex }

    /// Frames `message` with the 5-byte prefix.
    public static func frame(_ message: [UInt8]) -> [UInt8] {
        var framed = [UInt8]()
        framed.reserveCapacity(message.count + 5)
        appendFrame(message, to: &framed)
        return framed
    }

    public static func appendFrame(_ message: [UInt8], to output: inout [UInt8]) {
        let length = UInt32(message.count)
        output.append(0)
        output.append(UInt8(length >> 24))
        output.append(UInt8(length >> 16 & 0xFF))
        output.append(UInt8(length >> 8 & 0xFF))
        output.append(UInt8(length & 0xFF))
        output.append(contentsOf: message)
    }
}
