// SPDX-License-Identifier: Apache-2.0
// UsageFlow — RPCCore

/// The percent-encoding gRPC uses for `grpc-message`: printable ASCII except `%` passes through,
/// every other byte of the UTF-8 encoding becomes `%XX`.
public enum PercentEncoding {
    ///
    /// A leading or trailing space is encoded too: HTTP/2 forbids whitespace at either end of a
    /// header value, and such a value would be refused when the trailers are written.
    public static func encode(_ message: String) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(message.utf8.count)
        let hex = Array("0123456789ABCDEF".utf8)
        let last = message.utf8.count - 1
        for (index, byte) in message.utf8.enumerated() {
            let edgeSpace = byte == 0x20 && (index == 0 || index == last)
            if byte >= 0x20, byte <= 0x7E, byte != UInt8(ascii: "%"), !edgeSpace {
                output.append(byte)
            } else {
                output += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Decodes leniently, as the specification asks: a malformed escape is kept as it is.
    public static func decode(_ encoded: String) -> String {
        let input = Array(encoded.utf8)
        var output: [UInt8] = []
        output.reserveCapacity(input.count)
        var index = 0
        while index < input.count {
            if input[index] == UInt8(ascii: "%"), index + 2 < input.count,
                let high = hexValue(input[index + 1]), let low = hexValue(input[index + 2])
            {
                output.append(high << 4 | low)
                index += 3
            } else {
                output.append(input[index])
                index += 1
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
