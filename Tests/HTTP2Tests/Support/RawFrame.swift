// SPDX-License-Identifier: Apache-2.0

/// Hand-built HTTP/2 frames for playing a misbehaving peer that nghttp2's client would refuse to be.
enum RawFrame {
    static let preface = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)

    enum Kind: UInt8 {
        case data = 0, headers = 1, priority = 2, rstStream = 3, settings = 4, pushPromise = 5
        case ping = 6, goAway = 7, windowUpdate = 8, continuation = 9
    }

    static let endStream: UInt8 = 0x1
    static let ack: UInt8 = 0x1
    static let endHeaders: UInt8 = 0x4
    static let padded: UInt8 = 0x8

    static func frame(_ kind: Kind, flags: UInt8 = 0, stream: UInt32 = 0, payload: [UInt8] = []) -> [UInt8] {
        frame(type: kind.rawValue, flags: flags, stream: stream, payload: payload)
    }

    static func frame(type: UInt8, flags: UInt8, stream: UInt32, payload: [UInt8]) -> [UInt8] {
        let length = UInt32(payload.count)
        return [UInt8(truncatingIfNeeded: length >> 16), UInt8(truncatingIfNeeded: length >> 8), UInt8(truncatingIfNeeded: length),
            type, flags] + be32(stream & 0x7FFF_FFFF) + payload
    }

    static func settings(_ entries: [(UInt16, UInt32)] = []) -> [UInt8] {
        frame(.settings, payload: entries.flatMap { be16($0.0) + be32($0.1) })
    }

    static let settingsAck = frame(.settings, flags: ack)

    /// The client preface and an empty SETTINGS frame: the minimum a server accepts.
    static let clientStart = preface + settings()

    static func headers(stream: UInt32, _ fields: [(String, String)], endStream: Bool = false, endHeaders: Bool = true)
        -> [UInt8]
    {
        frame(.headers, flags: (endStream ? Self.endStream : 0) | (endHeaders ? Self.endHeaders : 0), stream: stream,
            payload: hpack(fields))
    }

    static func continuation(stream: UInt32, block: [UInt8], endHeaders: Bool) -> [UInt8] {
        frame(.continuation, flags: endHeaders ? Self.endHeaders : 0, stream: stream, payload: block)
    }

    static func data(stream: UInt32, _ payload: [UInt8] = [], endStream: Bool = false) -> [UInt8] {
        frame(.data, flags: endStream ? Self.endStream : 0, stream: stream, payload: payload)
    }

    static func rstStream(stream: UInt32, code: UInt32) -> [UInt8] {
        frame(.rstStream, stream: stream, payload: be32(code))
    }

    static func ping(_ opaque: UInt64 = 0, ack: Bool = false) -> [UInt8] {
        frame(.ping, flags: ack ? Self.ack : 0, payload: be32(UInt32(opaque >> 32)) + be32(UInt32(truncatingIfNeeded: opaque)))
    }

    static func windowUpdate(stream: UInt32, increment: UInt32) -> [UInt8] {
        frame(.windowUpdate, stream: stream, payload: be32(increment))
    }

    /// A gRPC request header list for raw frames.
    static let requestFields: [(String, String)] = [
        (":method", "POST"), (":scheme", "http"), (":path", "/grpc.testing.TestService/UnaryCall"),
        (":authority", "localhost"), ("content-type", "application/grpc"), ("te", "trailers"),
    ]

    /// HPACK "literal header field without indexing — new name" for every field (RFC 7541 §6.2.2).
    static func hpack(_ fields: [(String, String)]) -> [UInt8] {
        var out: [UInt8] = []
        for (name, value) in fields {
            out.append(0x00)
            appendString(Array(name.utf8), to: &out)
            appendString(Array(value.utf8), to: &out)
        }
        return out
    }

    private static func appendString(_ bytes: [UInt8], to out: inout [UInt8]) {
        appendInteger(bytes.count, prefixBits: 7, firstByte: 0x00, to: &out)  // H = 0: no Huffman
        out += bytes
    }

    /// RFC 7541 §5.1 integer with an N-bit prefix.
    private static func appendInteger(_ value: Int, prefixBits: Int, firstByte: UInt8, to out: inout [UInt8]) {
        let max = (1 << prefixBits) - 1
        if value < max {
            out.append(firstByte | UInt8(value))
            return
        }
        out.append(firstByte | UInt8(max))
        var rest = value - max
        while rest >= 128 {
            out.append(UInt8(rest % 128 + 128))
            rest /= 128
        }
        out.append(UInt8(rest))
    }

    static func be16(_ v: UInt16) -> [UInt8] { [UInt8(v >> 8), UInt8(truncatingIfNeeded: v)] }
    static func be32(_ v: UInt32) -> [UInt8] {
        [UInt8(v >> 24), UInt8(truncatingIfNeeded: v >> 16), UInt8(truncatingIfNeeded: v >> 8), UInt8(truncatingIfNeeded: v)]
    }
}
