// SPDX-License-Identifier: Apache-2.0
// UsageFlow — RPCInProcessTransport

import RPCCore

/// One call's handler, run as a child task of the transport's task group.
struct HandlerRun: Sendable {
    let call: InProcessCall
    let route: RPCRouter.Route
    let router: RPCRouter
    let context: ServerContext

    /// Runs the handler through the router's interceptors beside a watcher that cancels it when
    /// the call ends without it, and, with a deadline, a timer that ends the call with
    /// DEADLINE_EXCEEDED. Whichever finishes first settles the call; the rest are cancelled.
    func run() async {
        guard !call.isHandlerCancelled else { return }
        let streams = HandlerStreams(call: call)
        let serverCall = ServerCall(requests: streams, responses: streams, context: context)
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                do {
                    let trailers = try await router.handle(serverCall, route: route)
                    call.finish(status: .ok, trailers: trailers, details: nil)
                } catch {
                    let rpcError = RPCError.from(error)
                    call.finish(status: rpcError.status, trailers: rpcError.metadata, details: rpcError.statusDetails)
                }
            }
            group.addTask {
                await call.waitUntilHandlerCancelled()
            }
            if let deadline = context.deadline {
                group.addTask {
                    do {
                        try await Task.sleep(until: deadline, clock: .continuous)
                    } catch {
                        return
                    }
                    call.fail(Status(code: .deadlineExceeded, message: "deadline exceeded"))
                }
            }
            await group.next()
            // Only a shutdown (this task cancelled) ends the call without a status of its own.
            call.fail(InProcessTransport.shutDownStatus)
            group.cancelAll()
        }
    }
}
