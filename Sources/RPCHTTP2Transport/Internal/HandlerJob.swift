// SPDX-License-Identifier: Apache-2.0
// UsageFlow — RPCHTTP2Transport

import RPCCore

/// One call's handler, run as one task (started by its loop's `CallQueue`).
///
/// The stream cancels this very task when the call is reset, times out or loses its connection,
/// so a handler waiting on anything (not only on the stream) sees the cancellation, and no watcher
/// task is needed beside it. A class: the job passes through a queue, a batch and a task closure,
/// and copying the route, context and router each time retained a dozen references.
final class HandlerJob: Sendable {
    let stream: ServerStream
    let route: RPCRouter.Route
    let context: ServerContext
    let router: RPCRouter

    init(stream: ServerStream, route: RPCRouter.Route, context: ServerContext, router: RPCRouter) {
        self.stream = stream
        self.route = route
        self.context = context
        self.router = router
    }

    /// Runs the handler, then reports the status (unless the call was cancelled first).
    nonisolated(nonsending) func run() async {
        withUnsafeCurrentTask { task in stream.attach(task) }
        defer { stream.handlerEnded() }
        do {
            // A connection whose client is not reading what it already has does not start more
            // calls.
            try await stream.waitForBudget()
        } catch {
            return
        }
        let call = ServerCall(requests: stream, responses: stream, context: context)
        do {
            let trailers = try await router.handle(call, route: route)
            stream.finish(status: .ok, trailers: trailers, details: nil)
        } catch {
            let rpcError = RPCError.from(error)
            stream.finish(status: rpcError.status, trailers: rpcError.metadata, details: rpcError.statusDetails)
        }
    }
}
