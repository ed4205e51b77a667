// SPDX-License-Identifier: Apache-2.0
internal import CNGHTTP2

/// A failure of the HTTP/2 engine: a connection-fatal condition, or a call that is not valid now.
///
/// A struct over a private enum (the grpc-swift `RPCError.Code` shape) so new kinds never break
/// callers. `libraryErrorCode` and `message` carry nghttp2's own code and `nghttp2_strerror` text
/// for logs; they are never meant for a remote client.
public struct HTTP2Error: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong, coarsely; match with `==` against the static members.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private enum Value: Hashable, Sendable {
            case badPreface
            case flooded
            case tooManyContinuations
            case enhanceYourCalm
            case connectionClosed
            case protocolError
            case streamNotFound
            case invalidStreamState
            case invalidHeader
            case invalidArgument
            case library
        }

        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// The peer did not start with the HTTP/2 client preface (server) or sent garbage.
        public static let badPreface = Kind(.badPreface)
        /// nghttp2's outbound-ACK flood guard tripped: the peer queues control frames without reading.
        public static let flooded = Kind(.flooded)
        /// More CONTINUATION frames followed a HEADERS frame than `maxContinuations` allows.
        public static let tooManyContinuations = Kind(.tooManyContinuations)
        /// An abuse limit tripped (resets, invalid frames, empty DATA, ping strikes); GOAWAY(ENHANCE_YOUR_CALM) is queued.
        public static let enhanceYourCalm = Kind(.enhanceYourCalm)
        /// The connection was already terminated (an error GOAWAY was sent or a fatal error occurred).
        public static let connectionClosed = Kind(.connectionClosed)
        /// The session detected a connection-level protocol violation.
        public static let protocolError = Kind(.protocolError)
        /// The stream is unknown: never opened, or already closed.
        public static let streamNotFound = Kind(.streamNotFound)
        /// The call does not fit the stream's state (e.g. data after END_STREAM, headers twice).
        public static let invalidStreamState = Kind(.invalidStreamState)
        /// An outbound header name or value is not valid HTTP/2 (uppercase, CR/LF, NUL, empty name).
        public static let invalidHeader = Kind(.invalidHeader)
        /// A setting or argument is out of its allowed range.
        public static let invalidArgument = Kind(.invalidArgument)
        /// Any other nghttp2 failure; see `libraryErrorCode`.
        public static let library = Kind(.library)

        public var description: String {
            switch value {
            case .badPreface: "badPreface"
            case .flooded: "flooded"
            case .tooManyContinuations: "tooManyContinuations"
            case .enhanceYourCalm: "enhanceYourCalm"
            case .connectionClosed: "connectionClosed"
            case .protocolError: "protocolError"
            case .streamNotFound: "streamNotFound"
            case .invalidStreamState: "invalidStreamState"
            case .invalidHeader: "invalidHeader"
            case .invalidArgument: "invalidArgument"
            case .library: "library"
            }
        }
    }

    public let kind: Kind
    /// nghttp2's negative error code, when the failure came from the library.
    public let libraryErrorCode: Int32?
    /// Human-readable detail for logs (nghttp2_strerror text, or which limit tripped).
    public let message: String

    init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.libraryErrorCode = nil
        self.message = message
    }

    /// Maps an nghttp2 return code to an error, classifying the codes callers act on.
    init(libraryCode code: Int32, context: String) {
        let kind: Kind
        switch code {
        case NGHTTP2_ERR_BAD_CLIENT_MAGIC.rawValue: kind = .badPreface
        case NGHTTP2_ERR_FLOODED.rawValue: kind = .flooded
        case NGHTTP2_ERR_TOO_MANY_CONTINUATIONS.rawValue: kind = .tooManyContinuations
        case NGHTTP2_ERR_PROTO.rawValue: kind = .protocolError
        case NGHTTP2_ERR_STREAM_CLOSED.rawValue, NGHTTP2_ERR_STREAM_CLOSING.rawValue,
            NGHTTP2_ERR_STREAM_SHUT_WR.rawValue:
            kind = .invalidStreamState
        case NGHTTP2_ERR_SESSION_CLOSING.rawValue: kind = .connectionClosed
        case NGHTTP2_ERR_INVALID_ARGUMENT.rawValue: kind = .invalidArgument
        default: kind = .library
        }
        self.kind = kind
        self.libraryErrorCode = code
        self.message = "\(context): \(String(cString: nghttp2_strerror(code)))"
    }

    public var description: String { "HTTP2Error.\(kind): \(message)" }
}
