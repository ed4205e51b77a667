// SPDX-License-Identifier: Apache-2.0
// UsageFlow — protobuf-conformance-testee
//
// Speaks the protobuf conformance protocol on stdin/stdout: each request is a 4-byte little-endian
// length and a `conformance.ConformanceRequest`; each answer the same framing around a
// `conformance.ConformanceResponse`. Binary input and output are answered; JSON, JSPB and text
// format are answered `skipped`, since ProtoWire implements only the binary format.

import ConformanceMessages
import Glibc
import ProtoWire

/// Reads exactly `count` bytes from stdin; nil at a clean end of input.
func readExactly(_ count: Int) -> [UInt8]? {
    var buffer = [UInt8](repeating: 0, count: count)
    var filled = 0
    while filled < count {
        let n = buffer.withUnsafeMutableBytes { read(0, $0.baseAddress! + filled, count - filled) }
        if n <= 0 { return nil }
        filled += n
    }
    return buffer
}

func writeAll(_ bytes: [UInt8]) {
    var written = 0
    while written < bytes.count {
        let n = bytes.withUnsafeBytes { write(1, $0.baseAddress! + written, bytes.count - written) }
        if n <= 0 { exit(1) }
        written += n
    }
}

func roundTrip<M: ProtoMessage>(_ type: M.Type, _ payload: [UInt8]) -> Conformance_ConformanceResponse {
    var response = Conformance_ConformanceResponse()
    do {
        let message = try M(serializedBytes: payload)
        response.protobufPayload = message.serializedBytes()
    } catch {
        response.parseError = "\(error)"
    }
    return response
}

func answer(_ request: Conformance_ConformanceRequest) -> Conformance_ConformanceResponse {
    var response = Conformance_ConformanceResponse()
    guard case .protobufPayload(let payload)? = request.payload else {
        response.skipped = "only the binary wire format is implemented"
        return response
    }
    guard request.requestedOutputFormat == .protobuf else {
        response.skipped = "only the binary wire format is implemented"
        return response
    }
    switch request.messageType {
    case ProtobufTestMessages_Proto3_TestAllTypesProto3.protoMessageName:
        return roundTrip(ProtobufTestMessages_Proto3_TestAllTypesProto3.self, payload)
    case ProtobufTestMessages_Proto2_TestAllTypesProto2.protoMessageName:
        return roundTrip(ProtobufTestMessages_Proto2_TestAllTypesProto2.self, payload)
    case Conformance_FailureSet.protoMessageName:
        // The runner asks for the testee's own failure list first; ours is empty.
        return roundTrip(Conformance_FailureSet.self, payload)
    default:
        response.runtimeError = "unknown message type \(request.messageType)"
        return response
    }
}

while let prefix = readExactly(4) {
    let length = Int(prefix[0]) | Int(prefix[1]) << 8 | Int(prefix[2]) << 16 | Int(prefix[3]) << 24
    guard let body = readExactly(length) else { exit(1) }
    let response: Conformance_ConformanceResponse
    do {
        response = answer(try Conformance_ConformanceRequest(serializedBytes: body))
    } catch {
        var failure = Conformance_ConformanceResponse()
        failure.runtimeError = "cannot decode ConformanceRequest: \(error)"
        response = failure
    }
    let bytes = response.serializedBytes()
    let count = UInt32(bytes.count)
    writeAll([UInt8(count & 0xFF), UInt8(count >> 8 & 0xFF), UInt8(count >> 16 & 0xFF), UInt8(count >> 24)] + bytes)
}
