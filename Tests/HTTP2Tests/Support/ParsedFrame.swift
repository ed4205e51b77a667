// SPDX-License-Identifier: Apache-2.0

/// A frame parsed back out of an engine's output, for asserting on what went over the wire.
struct ParsedFrame: Equatable {
    var type: UInt8
    var flags: UInt8
    var streamID: UInt32
    var payload: [UInt8]

    var kind: RawFrame.Kind? { RawFrame.Kind(rawValue: type) }

    /// The error code of a RST_STREAM or GOAWAY frame.
    var errorCode: UInt32? {
        switch kind {
        case .rstStream: return be32(at: 0)
        case .goAway: return be32(at: 4)
        default: return nil
        }
    }

    /// GOAWAY debug data as text.
    var goAwayDebugText: String? {
        kind == .goAway ? String(decoding: payload.dropFirst(8), as: UTF8.self) : nil
    }

    private func be32(at offset: Int) -> UInt32? {
        guard payload.count >= offset + 4 else { return nil }
        return payload[offset..<offset + 4].reduce(0) { $0 << 8 | UInt32($1) }
    }

    /// Splits a byte stream into frames, skipping a leading client preface.
    static func parse(_ bytes: [UInt8]) -> [ParsedFrame] {
        var index = bytes.starts(with: RawFrame.preface) ? RawFrame.preface.count : 0
        var frames: [ParsedFrame] = []
        while bytes.count - index >= 9 {
            let length = Int(bytes[index]) << 16 | Int(bytes[index + 1]) << 8 | Int(bytes[index + 2])
            guard bytes.count - index - 9 >= length else { break }
            let stream = bytes[(index + 5)..<(index + 9)].reduce(UInt32(0)) { $0 << 8 | UInt32($1) } & 0x7FFF_FFFF
            frames.append(
                ParsedFrame(
                    type: bytes[index + 3], flags: bytes[index + 4], streamID: stream,
                    payload: Array(bytes[(index + 9)..<(index + 9 + length)])))
            index += 9 + length
        }
        return frames
    }
}

extension [ParsedFrame] {
    func of(_ kind: RawFrame.Kind) -> [ParsedFrame] { filter { $0.kind == kind } }
}
