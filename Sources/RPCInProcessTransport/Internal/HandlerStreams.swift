// SPDX-License-Identifier: Apache-2.0
// UsageFlow — RPCInProcessTransport

import RPCCore

/// The handler's view of an `InProcessCall`: its request source and response sink.
///
/// A separate type because `ClientCall.send` and `ServerResponseSink.send` share a signature but
/// go opposite ways.
struct HandlerStreams: ServerRequestSource, ServerResponseSink {
    let call: InProcessCall

    func next() async throws -> [UInt8]? { try await call.nextRequest() }

    func sendInitialMetadata(_ metadata: Metadata) async throws { try call.sendInitialMetadata(metadata) }

    func send(_ message: [UInt8]) async throws { try await call.sendResponse(message) }
}
