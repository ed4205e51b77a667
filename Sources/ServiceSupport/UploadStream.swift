// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ServiceSupport

import Domain
import ProtoWire
import RPCCore

/// The shape every file upload RPC shares (usage files, reconciliation files): a header message
/// first, then chunks of bytes, each malformed stream refused with the same INVALID_ARGUMENT.
public enum UploadStream {
    /// What one message after the header holds.
    public enum Piece {
        case chunk([UInt8])
        case header
        case nothing
    }

    /// The header the stream must start with; INVALID_ARGUMENT on field `header` for an empty
    /// stream or another first message.
    public static func header<Message: ProtoMessage, Header>(
        from messages: inout RequestStream<Message>.AsyncIterator, _ header: (Message) -> Header?
    ) async throws -> Header {
        guard let first = try await messages.next() else {
            throw DomainError.invalid(field: "header", "the stream is empty: send a header naming the file first")
        }
        guard let value = header(first) else {
            throw DomainError.invalid(field: "header", "the first message must be a header naming the file")
        }
        return value
    }

    /// Hands each chunk after the header to `consume`, in order, until the stream ends;
    /// INVALID_ARGUMENT on field `chunk`, naming the message, for a second header or a message
    /// holding neither.
    public static func chunks<Message: ProtoMessage>(
        from messages: inout RequestStream<Message>.AsyncIterator, _ piece: (Message) -> Piece,
        _ consume: ([UInt8]) async throws -> Void
    ) async throws {
        var index = 0
        while let message = try await messages.next() {
            index += 1
            switch piece(message) {
            case .chunk(let bytes):
                try await consume(bytes)
            case .header:
                throw DomainError.invalid(field: "chunk", "message \(index + 1) of the stream is a second header")
            case .nothing:
                throw DomainError.invalid(
                    field: "chunk", "message \(index + 1) of the stream has neither a header nor a chunk")
            }
        }
    }
}
