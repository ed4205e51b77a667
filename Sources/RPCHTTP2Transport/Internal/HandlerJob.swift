// SPDX-License-Identifier: Apache-2.0
// UsageFlow — RPCHTTP2Transport

import RPCCore

/// One call's handler, run as a child task of the server's task group.
struct HandlerJob: Sendable {
    let stream: ServerStream
    let route: RPCRouter.Route
    let context: ServerContext
    let router: RPCRouter
    /// Tells the connection (on its loop) that the handler has ended.
    let onFinished: @Sendable () -> Void

    private enum Outcome: Sendable {
        case completed(Status, Metadata, [UInt8]?)
        case cancelled
    }

    /// Runs the handler beside a watcher that cancels it when the stream is reset, times out or
    /// loses its connection, then reports the status.
    func run() async {
        let call = ServerCall(requests: stream, responses: stream, context: context)
        let outcome = await withTaskGroup(of: Outcome.self) { group -> Outcome in
            group.addTask {
                do {
                    // A connection whose client is not reading what it already has does not start
                    // more calls (checked here, in the handler's own task, just before it runs).
                    try await stream.waitForBudget()
                    let trailers = try await router.handle(call, route: route)
                    return .completed(.ok, trailers, nil)
                } catch {
                    let rpcError = RPCError.from(error)
                    return .completed(rpcError.status, rpcError.metadata, rpcError.statusDetails)
                }
            }
            group.addTask {
                await stream.waitUntilCancelled()
                return .cancelled
            }
            let first = await group.next() ?? .cancelled
            group.cancelAll()
            return first
        }
        if case .completed(let status, let trailers, let details) = outcome {
            stream.finish(status: status, trailers: trailers, details: details)
        }
        onFinished()
    }
}
