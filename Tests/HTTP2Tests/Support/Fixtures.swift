// SPDX-License-Identifier: Apache-2.0
import HTTP2

/// Standard gRPC request and response header lists.
enum Fixtures {
    static let request: HTTP2Headers = [
        ":method": "POST", ":scheme": "http", ":path": "/grpc.testing.TestService/UnaryCall",
        ":authority": "localhost", "content-type": "application/grpc", "te": "trailers",
    ]
    static let response: HTTP2Headers = [":status": "200", "content-type": "application/grpc"]
    static let okTrailers: HTTP2Headers = ["grpc-status": "0"]
    static let trailersOnly: HTTP2Headers = [
        ":status": "200", "content-type": "application/grpc", "grpc-status": "12", "grpc-message": "unknown method",
    ]
}

extension [HTTP2Event] {
    /// Concatenated `.data` bytes for a stream, and whether END_STREAM was seen.
    func body(of streamID: Int32) -> (bytes: [UInt8], ended: Bool) {
        var bytes: [UInt8] = []
        var ended = false
        for case let .data(id, chunk, end) in self where id == streamID {
            bytes += chunk
            ended = ended || end
        }
        return (bytes, ended)
    }

    var requestStreamIDs: [Int32] {
        compactMap { if case .requestHeaders(let id, _, _) = $0 { id } else { nil } }
    }

    func closeCode(of streamID: Int32) -> HTTP2ErrorCode? {
        for case let .streamClosed(id, code) in self where id == streamID { return code }
        return nil
    }
}
