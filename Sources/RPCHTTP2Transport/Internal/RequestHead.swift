// SPDX-License-Identifier: Apache-2.0
// UsageFlow — RPCHTTP2Transport

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
    static func parse(_ headers: [(name: String, value: String)]) -> Result<RequestHead, Rejection> {
        var method = ""
        var path = ""
        var contentType: String?
        var encoding: String?
        var timeoutText: String?
        var metadata = Metadata()
        for (name, value) in headers {
            switch name {
            case ":method": method = value
            case ":path": path = value
            case ":scheme", ":authority", "te", "user-agent", "grpc-accept-encoding", "accept-encoding":
                continue
            case "content-type": contentType = value
            case "grpc-encoding": encoding = value
            case "grpc-timeout": timeoutText = value
            default:
                if name.hasPrefix(":") || Metadata.reservedKeys.contains(name) { continue }
                if name.hasSuffix("-bin") {
                    guard let bytes = Base64.decode(value) else {
                        return .failure(Rejection(httpStatus: 200, status: Status(
                            code: .internal, message: "metadata \(name) is not valid base64")))
                    }
                    metadata.add(name, binary: bytes)
                } else {
                    metadata.add(name, value)
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

    /// `application/grpc`, `application/grpc+proto` or either with parameters.
    static func isGRPCContentType(_ value: String) -> Bool {
        let base = value.split(separator: ";", maxSplits: 1).first.map { $0.trimmingSpaces() } ?? ""
        return base == "application/grpc" || base == "application/grpc+proto"
    }
}

extension Substring {
    func trimmingSpaces() -> String {
        var text = self
        while text.first == " " { text.removeFirst() }
        while text.last == " " { text.removeLast() }
        return String(text)
    }
}
