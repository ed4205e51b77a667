// SPDX-License-Identifier: Apache-2.0
// UsageFlow — RPCHTTP2Transport

import HTTP2
import ProtoWire
import RPCCore

/// A gRPC request's headers, checked against the protocol before any handler runs.
struct RequestHead {
    let path: String
    let metadata: Metadata
    let timeout: GRPCTimeout?

    /// Why a request is answered at once, without a handler: an HTTP status and a gRPC status,
    /// sent as a trailers-only response.
    struct Rejection: Error, Equatable {
        let httpStatus: Int
        let status: Status
    }

    /// Validates request headers (pseudo-headers first, as HTTP/2 delivers them).
    ///
    /// Reads the engine's list in place: the headers every request carries are matched by name
    /// and skipped without copying, and only application metadata is kept.
    static func parse(_ headers: HTTP2Headers) -> Result<RequestHead, Rejection> {
        var method = ""
        var path = ""
        var contentType: String?
        var encoding: String?
        var timeoutText: String?
        var metadata = Metadata()
        for field in headers.fields {
            let name = field.name
            switch KnownHeader(name) {
            case .method: method = field.value
            case .path: path = field.value
            case .skipped: continue
            case .contentType: contentType = field.value
            case .encoding: encoding = field.value
            case .timeout: timeoutText = field.value
            case .other:
                if name.utf8.first == UInt8(ascii: ":") || Metadata.reservedKeys.contains(name) { continue }
                if name.utf8.count >= 4, name.utf8.suffix(4).elementsEqual("-bin".utf8) {
                    guard let bytes = Base64.decode(field.value) else {
                        return .failure(Rejection(httpStatus: 200, status: Status(
                            code: .internal, message: "metadata \(name) is not valid base64")))
                    }
                    metadata.add(name, binary: bytes)
                } else {
                    metadata.add(name, field.value)
                }
            }
        }
        guard method == "POST" else {
            return .failure(Rejection(httpStatus: 405, status: Status(
                code: .unimplemented, message: "gRPC requires POST, not \(method.isEmpty ? "no method" : method)")))
        }
        guard let contentType, isGRPCContentType(contentType) else {
            return .failure(Rejection(httpStatus: 415, status: Status(
                code: .internal, message: "unsupported content-type \(contentType ?? "(none)"); expected application/grpc")))
        }
        if let encoding, encoding != "identity" {
            return .failure(Rejection(httpStatus: 200, status: Status(
                code: .unimplemented, message: "grpc-encoding \(encoding) is not supported; this server accepts identity")))
        }
        var timeout: GRPCTimeout?
        if let timeoutText {
            guard let parsed = GRPCTimeout(header: timeoutText) else {
                return .failure(Rejection(httpStatus: 200, status: Status(
                    code: .internal, message: "malformed grpc-timeout \"\(timeoutText)\"")))
            }
            timeout = parsed
        }
        return .success(RequestHead(path: path, metadata: metadata, timeout: timeout))
    }

    /// The request headers the transport reads or ignores itself, told apart by length and first
    /// byte before one comparison (a `switch` over strings compares against every case in turn,
    /// for every header of every request).
    private enum KnownHeader {
        case method, path, contentType, encoding, timeout, skipped, other

        init(_ name: String) {
            let utf8 = name.utf8
            guard let first = utf8.first else {
                self = .other
                return
            }
            // Names of up to 15 bytes are stored inline, so `==` compares them as two words.
            switch (first, utf8.count) {
            case (UInt8(ascii: ":"), 7): self = name == ":method" ? .method : name == ":scheme" ? .skipped : .other
            case (UInt8(ascii: ":"), 5): self = name == ":path" ? .path : .other
            case (UInt8(ascii: ":"), 10): self = name == ":authority" ? .skipped : .other
            case (UInt8(ascii: "t"), 2): self = name == "te" ? .skipped : .other
            case (UInt8(ascii: "c"), 12): self = name == "content-type" ? .contentType : .other
            case (UInt8(ascii: "u"), 10): self = name == "user-agent" ? .skipped : .other
            case (UInt8(ascii: "g"), 13): self = name == "grpc-encoding" ? .encoding : .other
            case (UInt8(ascii: "g"), 12): self = name == "grpc-timeout" ? .timeout : .other
            case (UInt8(ascii: "g"), 20): self = name == "grpc-accept-encoding" ? .skipped : .other
            case (UInt8(ascii: "a"), 15): self = name == "accept-encoding" ? .skipped : .other
            default: self = .other
            }
        }
    }

    /// `application/grpc`, `application/grpc+proto` or either with parameters (`;…`), spaces
    /// allowed around the type. Compared as bytes: this runs for every request.
    static func isGRPCContentType(_ value: String) -> Bool {
        var value = value
        return value.withUTF8 { bytes in
            var start = 0
            var end = bytes.count
            if let semicolon = bytes.firstIndex(of: UInt8(ascii: ";")) { end = semicolon }
            while start < end, bytes[start] == UInt8(ascii: " ") { start += 1 }
            while end > start, bytes[end - 1] == UInt8(ascii: " ") { end -= 1 }
            let base = UnsafeBufferPointer(rebasing: bytes[start..<end])
            return base.elementsEqual("application/grpc".utf8) || base.elementsEqual("application/grpc+proto".utf8)
        }
    }
}
