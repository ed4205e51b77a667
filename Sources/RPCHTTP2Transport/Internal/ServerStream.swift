// SPDX-License-Identifier: Apache-2.0
// UsageFlow — RPCHTTP2Transport

import RPCCore
import Synchronization

/// The connection side of a stream: told when the handler produced output or ended. Calls come from
/// the handler's task, on the loop thread or not; the owner gets them onto its loop.
protocol ServerStreamOwner: AnyObject, Sendable {
    func outputReady(_ stream: ServerStream)
    func handlerEnded(_ stream: ServerStream)
}

/// One call's state shared between its connection's loop thread and its handler task.
///
/// The loop delivers request messages and takes response messages; the handler awaits the former and
/// produces the latter. Everything shared sits behind one Mutex, and the two sides only wake each
/// other: the handler through its `owner` (the connection, reached on its loop), the loop by
/// resuming the handler's continuation or cancelling the handler's task.
///
/// Response bytes count against the stream's high-water mark and the connection's budget from
/// `send` until HTTP/2 has framed them (`released`), not merely until the loop has taken them: a
/// client with a shut window therefore stops its handler after one message over the mark instead of
/// letting it queue a second one inside the HTTP/2 engine.
final class ServerStream: ServerRequestSource, ServerResponseSink, @unchecked Sendable {
    // @unchecked Sendable: `state` and `handlerTask` are Mutexes; the loop-side record (below) is
    // only touched on the connection's loop thread; the other stored properties are immutable and
    // Sendable.

    let streamID: Int32
    /// Unframed response bytes above which `send` waits for the client to read.
    let highWaterMark: Int
    let budget: OutboundBudget
    private let owner: any ServerStreamOwner
    private let state = Mutex<State>(State())
    /// The handler's task while it runs, to cancel it. A lock of its own, so cancelling (which runs
    /// the task's cancellation handlers synchronously) never holds `state`.
    private let handlerTask = Mutex<TaskHandle?>(nil)

    struct State {
        var inbound: [[UInt8]] = []
        var inboundHead = 0
        var inboundFinished = false
        var reader: UnsafeContinuation<Void, any Error>?
        /// Request bytes the handler has taken since the loop last looked (a progress signal).
        var consumedBytes = 0
        /// Bytes of complete request messages waiting for the handler.
        var queuedBytes = 0

        var initialMetadata: Metadata?
        var headersRequested = false
        /// Response messages, unframed, that the loop has not taken yet. They are the handler's own
        /// arrays, not copies, so a handler waiting in `send` does not hold its message twice.
        var outbound: [[UInt8]] = []
        /// Framed size of the responses accepted by `send` and not yet framed by HTTP/2.
        var unframedBytes = 0
        var trailers: (Status, Metadata, [UInt8]?)?
        /// A handler waiting for room: in `send`, or before it starts (`waitForBudget`).
        var writer: UnsafeContinuation<Void, any Error>?
        var loopNotified = false

        var cancelled = false
    }

    // MARK: Loop-side record
    //
    // The connection's own bookkeeping for the stream, kept here rather than in an object beside
    // it (one allocation per call instead of two). Touched only on the connection's loop thread,
    // never by the handler: the @unchecked Sendable above covers them on that condition.

    /// Splits the request body into messages.
    var deframer: MessageDeframer
    var headersSent = false
    /// The call has been answered (trailers or a reset submitted); later output is dropped.
    var finished = false
    var deadlineTimer: TimerHeap.TimerID?
    /// Request bytes received but not yet returned to the client as window credit.
    var uncreditedBytes = 0
    /// Response bytes handed to the HTTP/2 engine and not yet framed.
    var inEngine = 0
    /// When the engine last framed bytes of this stream (or first received some).
    var lastProgress: UInt64 = 0
    /// The handler counts against the connection's limit of running handlers.
    var countedAsRunning = false

    /// The handler's `UnsafeCurrentTask`, kept only from `attach` until `handlerEnded`, that is
    /// while the task is certainly alive (both run inside the task, and cancelling happens under
    /// the same lock as the detach).
    private struct TaskHandle: @unchecked Sendable {
        let task: UnsafeCurrentTask
    }

    /// What the loop takes from the stream in one turn (the messages go into the loop's array).
    struct Output {
        var sendHeaders: Metadata?
        var trailers: (Status, Metadata, [UInt8]?)?
    }

    init(
        streamID: Int32, highWaterMark: Int, budget: OutboundBudget, owner: any ServerStreamOwner,
        maximumMessageSize: Int = 4 * 1024 * 1024
    ) {
        self.streamID = streamID
        self.highWaterMark = highWaterMark
        self.budget = budget
        self.owner = owner
        self.deframer = MessageDeframer(maximumMessageSize: maximumMessageSize)
    }

    // MARK: Handler side

    nonisolated(nonsending) func next() async throws -> [UInt8]? {
        while true {
            // One lock per message: take it, count it, and decide whether the loop must return
            // window credit (every 16 KiB consumed).
            let (taken, notify) = state.withLock { state -> (Taken, Bool) in
                if state.cancelled { return (.cancelled, false) }
                if state.inboundHead < state.inbound.count {
                    let message = state.inbound[state.inboundHead]
                    state.inboundHead += 1
                    if state.inboundHead == state.inbound.count {
                        state.inbound.removeAll(keepingCapacity: true)
                        state.inboundHead = 0
                    }
                    state.consumedBytes += message.count + 5
                    state.queuedBytes -= message.count + 5
                    let notify = state.consumedBytes >= 16 * 1024 && markNotified(&state)
                    return (.message(message), notify)
                }
                return (state.inboundFinished ? .end : .none, false)
            }
            switch taken {
            case .message(let message):
                if notify { owner.outputReady(self) }
                return message
            case .end: return nil
            case .cancelled: throw CancellationError()
            case .none: break
            }
            // Nothing yet: wait until the loop delivers, finishes or cancels, or the waiting task
            // is cancelled, then look again. The task may be a child of the handler's (a reader
            // beside a writer): cancelling it must end its wait even while the stream lives on.
            try await withTaskCancellationHandler {
                try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<Void, any Error>) in
                    let resumeNow: (any Error)?? = state.withLock { state in
                        if state.cancelled || Task.isCancelled { return .some(CancellationError()) }
                        if state.inboundHead < state.inbound.count || state.inboundFinished { return .some(nil) }
                        state.reader = continuation
                        return nil
                    }
                    if let resumeNow {
                        if let error = resumeNow { continuation.resume(throwing: error) } else { continuation.resume() }
                    }
                }
            } onCancel: {
                let reader = state.withLock { state -> UnsafeContinuation<Void, any Error>? in
                    defer { state.reader = nil }
                    return state.reader
                }
                reader?.resume(throwing: CancellationError())
            }
        }
    }

    private enum Taken {
        case message([UInt8])
        case end
        case cancelled
        case none
    }

    nonisolated(nonsending) func sendInitialMetadata(_ metadata: Metadata) async throws {
        let notify = try state.withLock { state -> Bool in
            if state.cancelled { throw CancellationError() }
            guard !state.headersRequested else { return false }
            state.headersRequested = true
            state.initialMetadata = metadata
            return markNotified(&state)
        }
        if notify { owner.outputReady(self) }
    }

    /// Queues the message, then waits while the stream is over its high-water mark or the
    /// connection over its budget.
    nonisolated(nonsending) func send(_ message: [UInt8]) async throws {
        let (notify, mustWait) = try state.withLock { state -> (Bool, Bool) in
            if state.cancelled { throw CancellationError() }
            if !state.headersRequested {
                state.headersRequested = true
                state.initialMetadata = [:]
            }
            state.outbound.append(message)
            state.unframedBytes += message.count + 5
            budget.add(message.count + 5)
            return (markNotified(&state), needsRoom(state))
        }
        if notify { owner.outputReady(self) }
        if mustWait { try await waitForRoom() }
    }

    /// Waits, before the handler starts, while the connection's budget is spent: a call that
    /// cannot send anything yet does not get to build its response either.
    nonisolated(nonsending) func waitForBudget() async throws {
        guard budget.isExhausted else { return }
        try await waitForRoom()
    }

    private func needsRoom(_ state: borrowing State) -> Bool {
        state.unframedBytes > highWaterMark || budget.isExhausted
    }

    /// Waits for room, or until the stream or the waiting task is cancelled (as `next` does).
    private nonisolated(nonsending) func waitForRoom() async throws {
        try await withTaskCancellationHandler {
            try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<Void, any Error>) in
                let resumeNow: (any Error)?? = state.withLock { state in
                    if state.cancelled || Task.isCancelled { return .some(CancellationError()) }
                    if !needsRoom(state) { return .some(nil) }
                    state.writer = continuation
                    return nil
                }
                if let resumeNow {
                    if let error = resumeNow { continuation.resume(throwing: error) } else { continuation.resume() }
                }
            }
        } onCancel: {
            let writer = state.withLock { state -> UnsafeContinuation<Void, any Error>? in
                defer { state.writer = nil }
                return state.writer
            }
            writer?.resume(throwing: CancellationError())
        }
    }

    /// Ends the call with a status; called once when the handler returns or throws.
    func finish(status: Status, trailers: Metadata, details: [UInt8]?) {
        let notify = state.withLock { state -> Bool in
            guard !state.cancelled, state.trailers == nil else { return false }
            state.trailers = (status, trailers, details)
            return markNotified(&state)
        }
        if notify { owner.outputReady(self) }
    }

    private func markNotified(_ state: inout State) -> Bool {
        if state.loopNotified { return false }
        state.loopNotified = true
        return true
    }

    /// Called first thing in the handler's task: from now on cancelling the stream cancels the
    /// task (at once, if the stream is already cancelled).
    func attach(_ task: UnsafeCurrentTask?) {
        guard let task else { return }
        handlerTask.withLock { $0 = TaskHandle(task: task) }
        if state.withLock({ $0.cancelled }) { handlerTask.withLock { $0?.task.cancel() } }
    }

    /// Called last thing in the handler's task: detaches it and tells the connection.
    func handlerEnded() {
        handlerTask.withLock { $0 = nil }
        owner.handlerEnded(self)
    }

    // MARK: Loop side

    /// Adds request messages and, at the end of the request stream, marks it finished. Returns the
    /// bytes of complete messages now waiting for the handler.
    @discardableResult
    func deliver(_ messages: [[UInt8]], finished: Bool) -> Int {
        let (reader, queued) = state.withLock { state -> (UnsafeContinuation<Void, any Error>?, Int) in
            state.inbound.append(contentsOf: messages)
            for message in messages { state.queuedBytes += message.count + 5 }
            if finished { state.inboundFinished = true }
            defer { state.reader = nil }
            return (state.reader, state.queuedBytes)
        }
        reader?.resume()
        return queued
    }

    /// Takes everything the handler produced since the last turn. The messages are swapped into
    /// `messages` (which must be empty), so the two arrays keep their capacity between turns.
    func takeOutput(into messages: inout [[UInt8]]) -> Output {
        state.withLock { state in
            state.loopNotified = false
            state.consumedBytes = 0
            var output = Output()
            if let metadata = state.initialMetadata {
                output.sendHeaders = metadata
                state.initialMetadata = nil
            }
            swap(&messages, &state.outbound)
            output.trailers = state.trailers
            return output
        }
    }

    /// `count` response bytes left the transport (framed by HTTP/2, or dropped): they no longer
    /// count against the stream or the budget. Returns true when the budget has room again and
    /// every waiting stream must be woken.
    func released(_ count: Int) -> Bool {
        var budgetReopened = false
        let writer = state.withLock { state -> UnsafeContinuation<Void, any Error>? in
            let count = min(count, state.unframedBytes)
            state.unframedBytes -= count
            budgetReopened = budget.release(count)
            guard let writer = state.writer, !needsRoom(state) else { return nil }
            state.writer = nil
            return writer
        }
        writer?.resume()
        return budgetReopened
    }

    /// The stream is gone: cancels the handler (as `cancel()`), releases every byte the stream
    /// still counts and drops its queued messages. Returns the bytes released, and true when the
    /// budget has room again.
    func close() -> (bytes: Int, budgetReopened: Bool) {
        let (reader, writer, first, count, reopened) = state.withLock { state in
            defer {
                state.cancelled = true
                state.reader = nil
                state.writer = nil
                state.unframedBytes = 0
                state.outbound = []
            }
            let count = state.unframedBytes
            return (state.reader, state.writer, !state.cancelled, count, budget.release(count))
        }
        reader?.resume(throwing: CancellationError())
        writer?.resume(throwing: CancellationError())
        if first { handlerTask.withLock { $0?.task.cancel() } }
        return (count, reopened)
    }

    /// Resumes a handler waiting for room if it now has some (after the budget reopened).
    func wakeIfRoom() {
        let writer = state.withLock { state -> UnsafeContinuation<Void, any Error>? in
            guard let writer = state.writer, !needsRoom(state) else { return nil }
            state.writer = nil
            return writer
        }
        writer?.resume()
    }

    /// Fails every wait of the handler and cancels its task.
    func cancel() {
        let (reader, writer, first) = state.withLock { state in
            defer {
                state.cancelled = true
                state.reader = nil
                state.writer = nil
            }
            return (state.reader, state.writer, !state.cancelled)
        }
        reader?.resume(throwing: CancellationError())
        writer?.resume(throwing: CancellationError())
        if first { handlerTask.withLock { $0?.task.cancel() } }
    }

    /// Bytes of complete request messages the handler has not taken yet.
    var queuedInboundBytes: Int { state.withLock { $0.queuedBytes } }

    /// Response bytes not yet framed (for tests and the loop's stall checks).
    var unframedBytes: Int { state.withLock { $0.unframedBytes } }
}
