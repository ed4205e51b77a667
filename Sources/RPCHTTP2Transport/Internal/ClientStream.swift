// SPDX-License-Identifier: Apache-2.0
// UsageFlow — RPCHTTP2Transport

import RPCCore
import Synchronization

/// One client call's state shared between the connection's loop and the calling task.
final class ClientStream: ClientCall, @unchecked Sendable {
    // @unchecked Sendable: `state` is a Mutex; the other stored properties are immutable.

    private let state = Mutex<State>(State())
    private let notifyLoop: @Sendable (ClientStream) -> Void
    private let cancelOnLoop: @Sendable (ClientStream) -> Void
    let highWaterMark: Int

    struct State {
        var streamID: Int32 = -1
        var outbound: [UInt8] = []
        var outboundFinished = false
        var writer: CheckedContinuation<Void, any Error>?
        var loopNotified = false

        var headers: Metadata?
        var inbound: [[UInt8]] = []
        var inboundHead = 0
        var consumedBytes = 0
        var status: (Status, Metadata)?
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    init(
        highWaterMark: Int, notifyLoop: @escaping @Sendable (ClientStream) -> Void,
        cancelOnLoop: @escaping @Sendable (ClientStream) -> Void
    ) {
        self.highWaterMark = highWaterMark
        self.notifyLoop = notifyLoop
        self.cancelOnLoop = cancelOnLoop
    }

    // MARK: Caller side

    func send(_ message: [UInt8]) async throws {
        let (notify, mustWait) = try state.withLock { state -> (Bool, Bool) in
            if let (status, _) = state.status { throw RPCError(code: status.code, message: status.message) }
            guard !state.outboundFinished else {
                throw RPCError(code: .failedPrecondition, message: "send after finishSending")
            }
            MessageDeframer.appendFrame(message, to: &state.outbound)
            return (Self.markNotified(&state), state.outbound.count > highWaterMark)
        }
        if notify { notifyLoop(self) }
        if mustWait {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let resume: Bool = state.withLock { state in
                    if state.status != nil || state.outbound.count <= highWaterMark { return true }
                    state.writer = continuation
                    return false
                }
                if resume { continuation.resume() }
            }
        }
    }

    func finishSending() async throws {
        let notify = state.withLock { state -> Bool in
            state.outboundFinished = true
            return Self.markNotified(&state)
        }
        if notify { notifyLoop(self) }
    }

    func receive() async throws -> [UInt8]? {
        while true {
            let result: (message: [UInt8]?, done: Bool, credit: Bool) = state.withLock { state in
                if state.inboundHead < state.inbound.count {
                    let message = state.inbound[state.inboundHead]
                    state.inboundHead += 1
                    if state.inboundHead == state.inbound.count {
                        state.inbound.removeAll(keepingCapacity: true)
                        state.inboundHead = 0
                    }
                    state.consumedBytes += message.count + 5
                    let credit = state.consumedBytes >= 16 * 1024 && Self.markNotified(&state)
                    return (message, false, credit)
                }
                return (nil, state.status != nil, false)
            }
            if result.credit { notifyLoop(self) }
            if let message = result.message { return message }
            if result.done { return nil }
            await waitForChange()
        }
    }

    func responseMetadata() async throws -> Metadata {
        while true {
            let headers = state.withLock { state -> Metadata? in
                if let headers = state.headers { return headers }
                if state.status != nil { return Metadata() }
                return nil
            }
            if let headers { return headers }
            await waitForChange()
        }
    }

    func status() async throws -> (Status, Metadata) {
        while true {
            if let status = state.withLock({ $0.status }) { return status }
            await waitForChange()
        }
    }

    func cancel() { cancelOnLoop(self) }

    private func waitForChange() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow = state.withLock { state -> Bool in
                if state.inboundHead < state.inbound.count || state.status != nil { return true }
                state.waiters.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    private static func markNotified(_ state: inout State) -> Bool {
        if state.loopNotified { return false }
        state.loopNotified = true
        return true
    }

    // MARK: Loop side

    var streamID: Int32 {
        get { state.withLock { $0.streamID } }
        set { state.withLock { $0.streamID = newValue } }
    }

    /// Takes queued request bytes, whether the request stream is finished, and credit to return.
    func takeOutbound() -> (bytes: [UInt8], finished: Bool, consumed: Int) {
        let (result, writer) = state.withLock { state -> ((bytes: [UInt8], finished: Bool, consumed: Int), CheckedContinuation<Void, any Error>?) in
            state.loopNotified = false
            var bytes: [UInt8] = []
            swap(&bytes, &state.outbound)
            let consumed = state.consumedBytes
            state.consumedBytes = 0
            let writer = state.writer
            state.writer = nil
            return ((bytes, state.outboundFinished, consumed), writer)
        }
        writer?.resume()
        return result
    }

    func receivedHeaders(_ metadata: Metadata) {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.headers = metadata
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    func received(_ messages: [[UInt8]]) {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.inbound.append(contentsOf: messages)
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Records the final status (the first one wins) and wakes everyone waiting.
    func complete(_ status: Status, trailers: Metadata) {
        let (waiters, writer) = state.withLock { state -> ([CheckedContinuation<Void, Never>], CheckedContinuation<Void, any Error>?) in
            if state.status == nil { state.status = (status, trailers) }
            if state.headers == nil { state.headers = Metadata() }
            defer {
                state.waiters.removeAll()
                state.writer = nil
            }
            return (state.waiters, state.writer)
        }
        for waiter in waiters { waiter.resume() }
        writer?.resume()
    }
}
