// SPDX-License-Identifier: Apache-2.0
// UsageFlow — RPCInProcessTransport

import RPCCore
import Synchronization

/// One call's state, shared by the calling task (as its `ClientCall`) and the handler's task
/// (through `HandlerStreams`).
///
/// Two bounded queues of serialized messages, the response headers and the final status, behind
/// one Mutex. Each side only ever waits for the other: the client for a response, room for a
/// request, or the status; the handler for a request, room for a response, or cancellation.
/// Every wait is a continuation stored under the lock and resumed outside it.
final class InProcessCall: ClientCall {
    let maximumRequestSize: Int
    private let state = Mutex<State>(State())

    private struct State {
        // Client → handler.
        var requests = MessageQueue()
        var requestsFinished = false
        /// The handler waiting in `next()`.
        var requestReader: CheckedContinuation<Void, any Error>?
        /// The client waiting in `send` for the handler to read.
        var requestWriter: CheckedContinuation<Void, Never>?

        // Handler → client.
        var headers: Metadata?
        var responses = MessageQueue()
        /// The handler waiting in `send` for the client to read.
        var responseWriter: CheckedContinuation<Void, any Error>?
        /// The client waiting in `receive`, `responseMetadata` or `status`.
        var clientWaiters: [CheckedContinuation<Void, Never>] = []
        /// Set once: the first outcome wins.
        var status: (Status, Metadata)?

        /// The handler must stop: every wait of its fails and its task is cancelled.
        var handlerCancelled = false
        /// The watcher that cancels the handler's task.
        var canceller: CheckedContinuation<Void, Never>?
    }

    init(maximumRequestSize: Int) {
        self.maximumRequestSize = maximumRequestSize
    }

    // MARK: Client side

    private enum SendAction {
        case queued(wake: CheckedContinuation<Void, any Error>?, mustWait: Bool)
        case dropped
        case tooLarge
    }

    func send(_ message: [UInt8]) async throws {
        let action = try state.withLock { state -> SendAction in
            if let (status, trailers) = state.status {
                // A finished call drops late requests; a failed one reports why it failed.
                guard status.code == .ok else {
                    throw RPCError(code: status.code, message: status.message, metadata: trailers)
                }
                return .dropped
            }
            guard !state.requestsFinished else {
                throw RPCError(code: .failedPrecondition, message: "send after finishSending")
            }
            guard message.count <= maximumRequestSize else { return .tooLarge }
            state.requests.append(message)
            defer { state.requestReader = nil }
            return .queued(
                wake: state.requestReader, mustWait: state.requests.byteCount > InProcessTransport.bufferedBytesLimit)
        }
        let mustWait: Bool
        switch action {
        case .dropped:
            return
        case .tooLarge:
            // As the HTTP/2 server decides from the length prefix: the call ends, the send itself
            // succeeds and the client learns the status from `status()`.
            fail(Status(
                code: .resourceExhausted,
                message: "message of \(message.count) bytes exceeds the limit of \(maximumRequestSize) bytes"))
            return
        case .queued(let reader, let wait):
            reader?.resume()
            mustWait = wait
        }
        guard mustWait else { return }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if state.status != nil || state.handlerCancelled
                        || state.requests.byteCount <= InProcessTransport.bufferedBytesLimit
                    {
                        return true
                    }
                    state.requestWriter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            cancel()
        }
    }

    func finishSending() async throws {
        let reader = state.withLock { state -> CheckedContinuation<Void, any Error>? in
            state.requestsFinished = true
            defer { state.requestReader = nil }
            return state.requestReader
        }
        reader?.resume()
    }

    func receive() async throws -> [UInt8]? {
        while true {
            let (message, done, writer) = state.withLock {
                state -> ([UInt8]?, Bool, CheckedContinuation<Void, any Error>?) in
                if let message = state.responses.popFirst() {
                    guard state.responses.byteCount <= InProcessTransport.bufferedBytesLimit else {
                        return (message, false, nil)
                    }
                    defer { state.responseWriter = nil }
                    return (message, false, state.responseWriter)
                }
                return (nil, state.status != nil, nil)
            }
            writer?.resume()
            if let message { return message }
            if done { return nil }
            await waitForChange { $0.responses.isEmpty && $0.status == nil }
        }
    }

    func responseMetadata() async throws -> Metadata {
        while true {
            let headers = state.withLock { state -> Metadata? in
                state.headers ?? (state.status != nil ? Metadata() : nil)
            }
            if let headers { return headers }
            await waitForChange { $0.headers == nil && $0.status == nil }
        }
    }

    func status() async throws -> (Status, Metadata) {
        while true {
            if let status = state.withLock({ $0.status }) { return status }
            await waitForChange { $0.status == nil }
        }
    }

    /// Ends the call with CANCELLED, drops responses nobody will read, and cancels the handler.
    func cancel() {
        fail(Status(code: .cancelled, message: "the call was cancelled"), discardingResponses: true)
    }

    /// Suspends while `unchanged` holds; cancelling the waiting task cancels the call, as it would
    /// reset an HTTP/2 stream.
    private func waitForChange(while unchanged: @escaping @Sendable (State) -> Bool) async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    guard unchanged(state) else { return true }
                    state.clientWaiters.append(continuation)
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            cancel()
        }
    }

    // MARK: Handler side

    func nextRequest() async throws -> [UInt8]? {
        while true {
            let taken = state.withLock { state -> Result<[UInt8]?, CancellationError>? in
                if state.handlerCancelled { return .failure(CancellationError()) }
                if let message = state.requests.popFirst() { return .success(message) }
                if state.requestsFinished { return .success(nil) }
                return nil
            }
            if let taken {
                if case .success(.some) = taken { wakeRequestWriterIfRoom() }
                return try taken.get()
            }
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let resumeNow = state.withLock { state -> Result<Void, CancellationError>? in
                    if state.handlerCancelled { return .failure(CancellationError()) }
                    if !state.requests.isEmpty || state.requestsFinished { return .success(()) }
                    state.requestReader = continuation
                    return nil
                }
                if let resumeNow { continuation.resume(with: resumeNow) }
            }
        }
    }

    private func wakeRequestWriterIfRoom() {
        let writer = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard state.requests.byteCount <= InProcessTransport.bufferedBytesLimit else { return nil }
            defer { state.requestWriter = nil }
            return state.requestWriter
        }
        writer?.resume()
    }

    /// Sends the response headers now, unless headers (or a message) went already.
    func sendInitialMetadata(_ metadata: Metadata) throws {
        let waiters = try state.withLock { state -> [CheckedContinuation<Void, Never>] in
            if state.handlerCancelled || state.status != nil { throw CancellationError() }
            guard state.headers == nil else { return [] }
            state.headers = metadata.crossingTheWire
            defer { state.clientWaiters.removeAll() }
            return state.clientWaiters
        }
        for waiter in waiters { waiter.resume() }
    }

    func sendResponse(_ message: [UInt8]) async throws {
        let (waiters, mustWait) = try state.withLock { state -> ([CheckedContinuation<Void, Never>], Bool) in
            if state.handlerCancelled || state.status != nil { throw CancellationError() }
            if state.headers == nil { state.headers = Metadata() }
            state.responses.append(message)
            defer { state.clientWaiters.removeAll() }
            return (state.clientWaiters, state.responses.byteCount > InProcessTransport.bufferedBytesLimit)
        }
        for waiter in waiters { waiter.resume() }
        guard mustWait else { return }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let resumeNow = state.withLock { state -> Result<Void, CancellationError>? in
                if state.handlerCancelled || state.status != nil { return .failure(CancellationError()) }
                if state.responses.byteCount <= InProcessTransport.bufferedBytesLimit { return .success(()) }
                state.responseWriter = continuation
                return nil
            }
            if let resumeNow { continuation.resume(with: resumeNow) }
        }
    }

    /// Suspends until the handler must stop (client cancel, deadline, oversize request, shutdown)
    /// or the waiting task is cancelled; a watcher beside the handler uses it to cancel the handler.
    func waitUntilHandlerCancelled() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if state.handlerCancelled || Task.isCancelled { return true }
                    state.canceller = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let canceller = state.withLock { state -> CheckedContinuation<Void, Never>? in
                defer { state.canceller = nil }
                return state.canceller
            }
            canceller?.resume()
        }
    }

    var isHandlerCancelled: Bool { state.withLock { $0.handlerCancelled } }

    // MARK: Outcomes

    /// Ends the call with the handler's outcome, unless it has ended already: `details` travel as
    /// `grpc-status-details-bin` in the trailers, as on the wire.
    func finish(status: Status, trailers: Metadata, details: [UInt8]?) {
        var trailers = trailers.crossingTheWire
        if let details { trailers.add(Metadata.statusDetailsKey, binary: details) }
        complete(status: status, trailers: trailers, cancelHandler: false, discardingResponses: false)
    }

    /// Ends the call with a status of the transport's own (it wins only if the call has not ended)
    /// and cancels the handler.
    func fail(_ status: Status, discardingResponses: Bool = false) {
        complete(status: status, trailers: [:], cancelHandler: true, discardingResponses: discardingResponses)
    }

    private func complete(status: Status, trailers: Metadata, cancelHandler: Bool, discardingResponses: Bool) {
        let wakes = state.withLock { state -> Wakes in
            if state.status == nil {
                state.status = (status, trailers)
                if state.headers == nil { state.headers = Metadata() }
            }
            if discardingResponses { state.responses = MessageQueue() }
            var wakes = Wakes(clientWaiters: state.clientWaiters, requestWriter: state.requestWriter)
            state.clientWaiters.removeAll()
            state.requestWriter = nil
            if cancelHandler {
                state.handlerCancelled = true
                wakes.requestReader = state.requestReader
                wakes.responseWriter = state.responseWriter
                wakes.canceller = state.canceller
                state.requestReader = nil
                state.responseWriter = nil
                state.canceller = nil
            } else {
                // The handler has returned; a writer it left behind has nothing to wait for.
                wakes.responseWriter = state.responseWriter
                state.responseWriter = nil
            }
            return wakes
        }
        for waiter in wakes.clientWaiters { waiter.resume() }
        wakes.requestWriter?.resume()
        wakes.requestReader?.resume(throwing: CancellationError())
        wakes.responseWriter?.resume(throwing: CancellationError())
        wakes.canceller?.resume()
    }

    private struct Wakes {
        var clientWaiters: [CheckedContinuation<Void, Never>]
        var requestWriter: CheckedContinuation<Void, Never>?
        var requestReader: CheckedContinuation<Void, any Error>?
        var responseWriter: CheckedContinuation<Void, any Error>?
        var canceller: CheckedContinuation<Void, Never>?
    }
}

/// A FIFO of messages that counts its bytes; reading advances a head index instead of shifting.
struct MessageQueue {
    private var messages: [[UInt8]] = []
    private var head = 0
    private(set) var byteCount = 0

    var isEmpty: Bool { head == messages.count }

    mutating func append(_ message: [UInt8]) {
        messages.append(message)
        byteCount += message.count
    }

    mutating func popFirst() -> [UInt8]? {
        guard head < messages.count else { return nil }
        let message = messages[head]
        messages[head] = []
        head += 1
        byteCount -= message.count
        if head == messages.count {
            messages.removeAll(keepingCapacity: true)
            head = 0
        }
        return message
    }
}
