// SPDX-License-Identifier: Apache-2.0
// UsageFlow — RPCHTTP2Transport

import CLinux
import Glibc
import HTTP2
import ProtoWire
import RPCCore
import TLS

/// One accepted connection, confined to its event loop: the socket, the TLS engine, the HTTP/2
/// engine and the per-stream records that tie HTTP/2 streams to handler tasks.
final class ServerConnection: EventLoopHandler, EndOfTurnHandler {
    let loop: EventLoop
    let core: ServerCore
    let peerAddress: String
    let peerIP: String
    private let io: ConnectionIO
    private var http2: HTTP2Connection { io.http2 }
    private var streams: [Int32: ServerStream] = [:]
    /// Handlers that have not ended; a reset stream's handler counts until its task really stops,
    /// which is what bounds the work a rapid-reset client can leave behind.
    private var runningHandlers = 0
    private(set) var isClosed = false
    private var draining = false
    private var peer = Peer(address: "")
    private var sawRequest = false
    /// The handshake and first-request timers, cancelled once they cannot fire any more.
    private var startTimers: [TimerHeap.TimerID] = []
    /// Response bytes this connection holds for its client; handlers wait on it (see OutboundBudget).
    let budget: OutboundBudget
    /// Streams with response bytes inside the HTTP/2 engine, not yet framed.
    private var sendingStreams: [Int32] = []
    /// When a response byte was last framed, or when bytes started waiting after none did.
    private var lastOutboundProgress = MonotonicClock.now
    /// When the last stream closed: the idle timeout counts "no open streams for this long", so a
    /// call that outlasts the timeout without client bytes does not make its connection idle the
    /// moment it ends.
    private var lastStreamClosed = MonotonicClock.now
    /// Reused between turns: the messages taken from a stream, and their framing.
    private var takenMessages: [[UInt8]] = []
    private var framedOutput: [UInt8] = []
    /// Reused between DATA events: the request messages one event completed.
    private var inboundMessages: [[UInt8]] = []
    /// How the connection's streams and handlers reach it (one per connection, not per call).
    private var handle: ConnectionHandle!
    /// Streams whose handler produced output this turn, taken at the end of the turn.
    private var readyStreams: [Int32] = []
    private var spareReadyStreams: [Int32] = []
    private var endOfTurnScheduled = false

    init(fd: Int32, loop: EventLoop, core: ServerCore, peerAddress: String, peerIP: String) throws {
        self.loop = loop
        self.core = core
        self.peerAddress = peerAddress
        self.peerIP = peerIP
        budget = OutboundBudget(limit: core.configuration.connectionOutboundLimit)
        let http2 = try HTTP2Connection(role: .server, settings: core.configuration.http2)
        let tls = try core.tlsContext.map { try TLSConnection(context: $0) }
        io = ConnectionIO(fd: fd, loop: loop, http2: http2, tls: tls)
        if tls == nil { peer = Peer(address: peerAddress) }
        io.onHandshake = { [unowned self] in self.handshakeCompleted() }
        io.onEvents = { [unowned self] in self.processEvents() }
        io.onClose = { [unowned self] reason in self.close(reason: reason) }
        io.onFramed = { [unowned self] in if !self.sendingStreams.isEmpty { self.accountFramedBytes() } }
        handle = ConnectionHandle(loop: loop, connection: self)
    }

    var fd: Int32 { io.fd }

    /// Registers with the loop and arms the start-up timers. Loop thread.
    func start() {
        do {
            try loop.register(fd: io.fd, events: ConnectionIO.readEvents, handler: self)
        } catch {
            close(reason: "register failed")
            return
        }
        let configuration = core.configuration
        let connection = LoopBound(self)
        if io.tls != nil {
            startTimers.append(loop.schedule(at: MonotonicClock.now + configuration.handshakeTimeout.nanoseconds) {
                guard let self = connection.value, !self.isClosed, !self.io.handshakeComplete else { return }
                self.close(reason: "TLS handshake timeout")
            })
        }
        startTimers.append(loop.schedule(at: MonotonicClock.now + configuration.firstRequestTimeout.nanoseconds) {
            guard let self = connection.value, !self.isClosed, !self.sawRequest else { return }
            self.goAwayAndClose(.noError, reason: "no request headers in time")
        })
        flush()
    }

    // MARK: Readiness

    func handleEvents(_ events: UInt32) {
        if isClosed { return }
        if events & (clinux_epollerr() | clinux_epollhup()) != 0, events & clinux_epollin() == 0 {
            close(reason: "socket error")
            return
        }
        if events & clinux_epollout() != 0 { io.writeSocket() }
        if !isClosed, events & (clinux_epollin() | clinux_epollrdhup()) != 0 {
            readSocket(untilEOF: events & clinux_epollrdhup() != 0)
        }
        // What reading produced (SETTINGS and PING acks, window updates, early answers) goes out
        // with the turn's responses, in one write and one TLS record.
        scheduleFlush()
    }

    private func readSocket(untilEOF: Bool = true) {
        guard io.readSocket(untilEOF: untilEOF) == .budgetSpent, !isClosed else { return }
        // The read budget may have stopped before EAGAIN: look again on the next turn, since an
        // edge-triggered epoll will not report the bytes still waiting.
        let connection = LoopBound(self)
        loop.execute {
            guard let connection = connection.value, !connection.isClosed else { return }
            connection.readSocket()
            connection.scheduleFlush()
        }
    }

    private func handshakeCompleted() {
        guard let tls = io.tls else { return }
        peer = Peer(
            address: peerAddress,
            certificateChain: tls.peerCertificateChain.map {
                PeerCertificate(subject: $0.subject, issuer: $0.issuer, sha256Fingerprint: $0.sha256Fingerprint, der: $0.der)
            })
    }

    // MARK: HTTP/2 events

    private func processEvents() {
        while let event = http2.nextEvent() {
            switch event {
            case .requestHeaders(let streamID, let headers, let endStream):
                if !sawRequest {
                    sawRequest = true
                    cancelStartTimers()
                }
                openStream(streamID, headers: headers, endStream: endStream)
            case .data(let streamID, let bytes, let endStream):
                receiveData(streamID, bytes: bytes, endStream: endStream)
            case .trailers(let streamID, _):
                receiveData(streamID, bytes: [], endStream: true)
            case .streamClosed(let streamID, _):
                streamClosed(streamID)
            case .goAway:
                draining = true
            default:
                break
            }
        }
    }

    private func openStream(_ streamID: Int32, headers: HTTP2Headers, endStream: Bool) {
        let head: RequestHead
        switch RequestHead.parse(headers) {
        case .failure(let rejection):
            respondTrailersOnly(streamID, httpStatus: rejection.httpStatus, status: rejection.status)
            return
        case .success(let parsed):
            head = parsed
        }
        guard let route = core.router.route(forPath: head.path) else {
            let service = head.path.split(separator: "/").first.map(String.init) ?? ""
            let message = core.router.hasService(service)
                ? "method \(head.path) is not implemented" : "service \(service) is not implemented"
            respondTrailersOnly(streamID, httpStatus: 200, status: Status(code: .unimplemented, message: message))
            return
        }
        guard !draining, runningHandlers < core.configuration.maxRunningHandlersPerConnection else {
            try? http2.submitReset(streamID: streamID, errorCode: .refusedStream)
            return
        }
        let deadline = head.timeout.map { ContinuousClock.now.advanced(by: $0.duration) }
        let stream = ServerStream(
            streamID: streamID, highWaterMark: core.configuration.streamHighWaterMark, budget: budget, owner: handle,
            maximumMessageSize: core.configuration.maxReceiveMessageSize)
        streams[streamID] = stream
        if let timeout = head.timeout {
            stream.deadlineTimer = loop.schedule(at: MonotonicClock.now + UInt64(max(0, timeout.nanoseconds))) {
                [weak self] in self?.deadlineExpired(streamID)
            }
        }
        if endStream { stream.deliver([], finished: true) }
        stream.countedAsRunning = true
        runningHandlers += 1
        let context = ServerContext(
            method: route.schema, requestMetadata: head.metadata, peer: peer, deadline: deadline)
        core.callQueues[loop.index].submit(HandlerJob(stream: stream, route: route, context: context, router: core.router))
    }

    private func receiveData(_ streamID: Int32, bytes: [UInt8], endStream: Bool) {
        guard let record = streams[streamID], !record.finished else {
            // Data for a stream we already answered: give the window back so others are not starved.
            if !bytes.isEmpty { http2.consume(streamID: streamID, count: bytes.count) }
            return
        }
        record.deframer.append(bytes)
        defer { inboundMessages.removeAll(keepingCapacity: inboundMessages.capacity <= 1024) }
        do {
            while let message = try record.deframer.next() { inboundMessages.append(message) }
        } catch {
            failStream(streamID, record: record, status: error.status)
            return
        }
        if endStream, record.deframer.hasPartialMessage {
            failStream(streamID, record: record, status: Status(code: .internal, message: "request stream ended inside a message"))
            return
        }
        record.uncreditedBytes += bytes.count
        var queued: Int?
        if !inboundMessages.isEmpty || endStream {
            for message in inboundMessages { core.reclaimer.noteMessage(message.count) }
            queued = record.deliver(inboundMessages, finished: endStream)
        }
        creditIfRoom(streamID, record: record, queuedInboundBytes: queued)
    }

    /// Returns window credit while the handler keeps up: bytes of a message still arriving are
    /// credited at once (the length prefix already bounded it), but once complete messages pile up
    /// beyond the high-water mark the client waits for the handler.
    private func creditIfRoom(_ streamID: Int32, record: ServerStream, queuedInboundBytes: Int? = nil) {
        guard record.uncreditedBytes > 0,
            (queuedInboundBytes ?? record.queuedInboundBytes) <= core.configuration.inboundHighWaterMark
        else { return }
        http2.consume(streamID: streamID, count: record.uncreditedBytes)
        record.uncreditedBytes = 0
    }

    /// Ends a call early with a status of our own (bad framing, deadline) and cancels its handler.
    private func failStream(_ streamID: Int32, record: ServerStream, status: Status) {
        record.cancel()
        record.finished = true
        sendStatus(streamID, record: record, status: status, trailers: [:], details: nil)
    }

    private func failStalled(_ streamID: Int32, record: ServerStream) {
        record.cancel()
        record.finished = true
        try? http2.submitReset(streamID: streamID, errorCode: .cancel)
        flush()
    }

    private func deadlineExpired(_ streamID: Int32) {
        guard let record = streams[streamID], !record.finished else { return }
        record.deadlineTimer = nil
        failStream(streamID, record: record, status: Status(code: .deadlineExceeded, message: "deadline exceeded"))
        flush()
    }

    private func streamClosed(_ streamID: Int32) {
        guard let record = streams.removeValue(forKey: streamID) else { return }
        if streams.isEmpty { lastStreamClosed = MonotonicClock.now }
        if let timer = record.deadlineTimer { loop.cancelTimer(timer) }
        let released = record.close()
        let freed = Self.freedByClosing(record, unframedBytes: released.bytes)
        if freed > 0 { core.reclaimer.noteFreed(freed) }
        if released.budgetReopened { wakeBudgetWaiters() }
        if draining, streams.isEmpty { goAwayAndClose(.noError, reason: "drained") }
    }

    /// About what closing a stream frees: its partial request message, and its unsent responses
    /// twice (the transport's copy, and the handler's own message it was waiting to send).
    private static func freedByClosing(_ record: ServerStream, unframedBytes: Int) -> Int {
        record.deframer.bufferedByteCount + 2 * unframedBytes
    }

    /// A handler task ended (its `HandlerJob` reports back on the loop), or returned its status.
    func handlerFinished(_ stream: ServerStream) {
        guard stream.countedAsRunning else { return }
        stream.countedAsRunning = false
        runningHandlers -= 1
    }

    // MARK: Responses

    private func streamHasOutput(_ streamID: Int32) {
        guard !isClosed, let record = streams[streamID] else { return }
        if record.uncreditedBytes > 0 { creditIfRoom(streamID, record: record) }
        let output = record.takeOutput(into: &takenMessages)
        defer { takenMessages.removeAll(keepingCapacity: takenMessages.capacity <= 1024) }
        guard !record.finished else {
            // The call was already answered (deadline, bad framing): its responses go nowhere.
            var dropped = 0
            for message in takenMessages { dropped += message.count + 5 }
            if dropped > 0, record.released(dropped) { wakeBudgetWaiters() }
            return
        }
        if let metadata = output.sendHeaders, !record.headersSent {
            record.headersSent = true
            var headers = Self.responseHeaders
            if !metadata.isEmpty { append(metadata, to: &headers) }
            submitOrReset(streamID) { try $0.submitResponseHeaders(streamID: streamID, headers: headers, endStream: false) }
        }
        if !takenMessages.isEmpty { submitMessages(streamID, record: record) }
        if let (status, trailers, details) = output.trailers, !record.finished {
            // The handler has returned: its slot is free even before its task reports back.
            handlerFinished(record)
            record.finished = true
            if let timer = record.deadlineTimer { loop.cancelTimer(timer) }
            sendStatus(streamID, record: record, status: status, trailers: trailers, details: details)
        }
        scheduleFlush()
    }

    /// Frames `takenMessages` into the stream's DATA. Small messages are gathered into one buffer;
    /// a large one is handed over on its own, after its prefix, so it is copied once, not twice.
    private func submitMessages(_ streamID: Int32, record: ServerStream) {
        var submitted = 0
        var refused = 0
        func submit(_ bytes: [UInt8]) {
            if record.finished {
                refused += bytes.count
            } else if submitOrReset(streamID, { try $0.submitData(streamID: streamID, bytes: bytes, endStream: false) }) {
                submitted += bytes.count
            } else {
                refused += bytes.count
            }
        }
        framedOutput.removeAll(keepingCapacity: true)
        for message in takenMessages {
            let length = UInt32(message.count)
            framedOutput.append(0)
            framedOutput.append(UInt8(length >> 24))
            framedOutput.append(UInt8(length >> 16 & 0xFF))
            framedOutput.append(UInt8(length >> 8 & 0xFF))
            framedOutput.append(UInt8(length & 0xFF))
            if message.count >= 16 * 1024 {
                core.reclaimer.noteMessage(message.count)
                submit(framedOutput)
                framedOutput.removeAll(keepingCapacity: true)
                submit(message)
            } else {
                framedOutput.append(contentsOf: message)
            }
        }
        if !framedOutput.isEmpty { submit(framedOutput) }
        if framedOutput.capacity > 256 * 1024 { framedOutput = [] }
        if submitted > 0 {
            if record.inEngine == 0 {
                if sendingStreams.isEmpty { lastOutboundProgress = MonotonicClock.now }
                sendingStreams.append(streamID)
                record.lastProgress = MonotonicClock.now
            }
            record.inEngine += submitted
        }
        if refused > 0, record.released(refused) { wakeBudgetWaiters() }
    }

    /// After the engine wrote frames: the bytes it framed no longer count against their streams
    /// or the budget, and handlers waiting for that room continue.
    private func accountFramedBytes() {
        let now = MonotonicClock.now
        var budgetReopened = false
        var index = 0
        while index < sendingStreams.count {
            let streamID = sendingStreams[index]
            guard let record = streams[streamID] else {
                sendingStreams.swapAt(index, sendingStreams.count - 1)
                sendingStreams.removeLast()
                continue
            }
            let buffered = http2.bufferedOutboundBytes(streamID: streamID)
            let framed = record.inEngine - buffered
            if framed > 0 {
                record.inEngine = buffered
                record.lastProgress = now
                lastOutboundProgress = now
                if record.released(framed) { budgetReopened = true }
            }
            if record.inEngine == 0 {
                sendingStreams.swapAt(index, sendingStreams.count - 1)
                sendingStreams.removeLast()
            } else {
                index += 1
            }
        }
        if budgetReopened { wakeBudgetWaiters() }
    }

    /// The budget has room again: every stream waiting for it (in `send`, or before its handler
    /// starts) looks again.
    private func wakeBudgetWaiters() {
        for record in streams.values { record.wakeIfRoom() }
    }

    /// The response headers every call starts with, built once: a copy only retains their storage.
    private static let responseHeaders: HTTP2Headers = [":status": "200", "content-type": "application/grpc"]
    /// The trailers of a call that succeeded with nothing else to say.
    private static let okTrailers: HTTP2Headers = ["grpc-status": "0"]

    private func sendStatus(_ streamID: Int32, record: ServerStream, status: Status, trailers: Metadata, details: [UInt8]?) {
        let plainOK = status.code == .ok && status.message.isEmpty && details == nil && trailers.isEmpty
        if !record.headersSent {
            record.headersSent = true
            var headers = Self.responseHeaders
            appendStatus(status, trailers: trailers, details: details, to: &headers)
            submitOrReset(streamID) { try $0.submitResponseHeaders(streamID: streamID, headers: headers, endStream: true) }
        } else if plainOK {
            submitOrReset(streamID) { try $0.submitTrailers(streamID: streamID, headers: Self.okTrailers) }
        } else {
            var headers = HTTP2Headers()
            appendStatus(status, trailers: trailers, details: details, to: &headers)
            submitOrReset(streamID) { try $0.submitTrailers(streamID: streamID, headers: headers) }
        }
    }

    private func respondTrailersOnly(_ streamID: Int32, httpStatus: Int, status: Status) {
        var headers = HTTP2Headers()
        headers.reserveCapacity(5)
        headers.append(name: ":status", value: String(httpStatus))
        headers.append(name: "content-type", value: "application/grpc")
        appendStatus(status, trailers: [:], details: nil, to: &headers)
        submitOrReset(streamID) { try $0.submitResponseHeaders(streamID: streamID, headers: headers, endStream: true) }
    }

    /// Submits a frame for a stream; if the engine refuses it, the stream is reset rather than
    /// left open with no answer.
    @discardableResult
    private func submitOrReset(_ streamID: Int32, _ submit: (HTTP2Connection) throws -> Void) -> Bool {
        do {
            try submit(http2)
            return true
        } catch {
            streams[streamID]?.finished = true
            streams[streamID]?.cancel()
            try? http2.submitReset(streamID: streamID, errorCode: .internalError)
            return false
        }
    }

    private func appendStatus(_ status: Status, trailers: Metadata, details: [UInt8]?, to headers: inout HTTP2Headers) {
        headers.append(name: "grpc-status", value: String(status.code.rawValue))
        if !status.message.isEmpty {
            headers.append(name: "grpc-message", value: PercentEncoding.encode(status.message))
        }
        if let details { headers.append(name: "grpc-status-details-bin", value: Base64.encode(details)) }
        append(trailers, to: &headers)
    }

    private func append(_ metadata: Metadata, to headers: inout HTTP2Headers) {
        for entry in metadata where Metadata.isValidKey(entry.key) {
            switch entry.value {
            case .string(let value) where Metadata.isValidValue(value):
                headers.append(name: entry.key, value: value)
            case .binary(let bytes) where entry.key.hasSuffix("-bin"):
                headers.append(name: entry.key, value: Base64.encode(bytes))
            default:
                continue
            }
        }
    }

    // MARK: Output

    /// A handler produced output: it is taken at the end of the turn, with that of every other
    /// stream, so the responses of every call that finished in this turn share one socket write
    /// (and, over TLS, fewer records).
    func outputReady(_ streamID: Int32) {
        readyStreams.append(streamID)
        scheduleFlush()
    }

    /// Flushes once at the end of the loop's turn.
    private func scheduleFlush() {
        guard !endOfTurnScheduled else { return }
        endOfTurnScheduled = true
        loop.runAtEndOfTurn(self)
    }

    func endOfTurn() {
        endOfTurnScheduled = false
        while !readyStreams.isEmpty {
            swap(&readyStreams, &spareReadyStreams)
            for streamID in spareReadyStreams { streamHasOutput(streamID) }
            spareReadyStreams.removeAll(keepingCapacity: true)
        }
        // Taking output may have scheduled another end of turn; this flush covers it.
        flush()
    }

    /// Moves HTTP/2 (and TLS) output to the socket and closes a finished session.
    func flush() {
        guard !isClosed else { return }
        io.flush()
        if !isClosed, io.isFinished { close(reason: "HTTP/2 session finished") }
    }

    // MARK: Lifetime

    /// Periodic housekeeping from the loop's sweep: idle and write-stall timeouts.
    func sweep(now: UInt64) {
        guard !isClosed else { return }
        let configuration = core.configuration
        if io.hasPendingOutput, now - io.lastWriteProgress > configuration.writeStallTimeout.nanoseconds {
            close(reason: "write stalled")
            return
        }
        // Response bytes that nothing has framed for the whole timeout: the client keeps every
        // window shut. Closing is the only way to release the handlers and their memory.
        let stall = configuration.writeStallTimeout.nanoseconds
        if !sendingStreams.isEmpty, now - lastOutboundProgress > stall {
            goAwayAndClose(.noError, reason: "write stalled (flow control)")
            return
        }
        // A single stream whose window stays shut while others move: reset it alone.
        for streamID in sendingStreams {
            guard let record = streams[streamID], now - record.lastProgress > stall else { continue }
            failStalled(streamID, record: record)
        }
        if streams.isEmpty, now - max(io.lastActivity, lastStreamClosed) > configuration.idleTimeout.nanoseconds {
            goAwayAndClose(.noError, reason: "idle")
        }
    }

    /// Starts a graceful shutdown of this connection: GOAWAY, then close when its streams finish.
    func beginDraining() {
        guard !isClosed, !draining else { return }
        draining = true
        try? http2.submitGoAway(errorCode: .noError)
        if streams.isEmpty {
            flush()
            close(reason: "shutdown")
        } else {
            flush()
        }
    }

    private func goAwayAndClose(_ code: HTTP2ErrorCode, reason: String) {
        try? http2.submitGoAway(errorCode: code)
        // The GOAWAY goes through TLS while the session is still open; close_notify after it.
        io.flushEngines()
        io.tls?.close()
        io.flushEngines()
        io.writeSocket()
        close(reason: reason)
    }

    private func cancelStartTimers() {
        for timer in startTimers { loop.cancelTimer(timer) }
        startTimers = []
    }

    /// Closes the socket and cancels every handler still running. Idempotent.
    func close(reason: String) {
        guard !isClosed else { return }
        isClosed = true
        cancelStartTimers()
        var freed = MemoryReclaimer.bytesPerConnection
        for (_, record) in streams {
            if let timer = record.deadlineTimer { loop.cancelTimer(timer) }
            freed += Self.freedByClosing(record, unframedBytes: record.close().bytes)
        }
        streams.removeAll()
        sendingStreams.removeAll()
        core.reclaimer.noteFreed(freed)
        loop.deregister(fd: io.fd)
        Glibc.close(io.fd)
        core.connectionClosed(self)
    }
}

extension Duration {
    /// Whole nanoseconds, saturating, for the loop's monotonic clock.
    var nanoseconds: UInt64 {
        let (seconds, attoseconds) = components
        if seconds < 0 { return 0 }
        return UInt64(seconds) &* 1_000_000_000 &+ UInt64(attoseconds / 1_000_000_000)
    }
}

/// What a connection's streams and handler tasks hold to reach it: its loop, and a weak reference
/// dereferenced only on that loop. On the loop thread (where handlers normally run) the calls are
/// direct; from elsewhere they are queued on the loop.
final class ConnectionHandle: ServerStreamOwner {
    let loop: EventLoop
    private let connection: LoopBound<ServerConnection>

    init(loop: EventLoop, connection: ServerConnection) {
        self.loop = loop
        self.connection = LoopBound(connection)
    }

    func outputReady(_ stream: ServerStream) {
        if loop.inLoop {
            connection.value?.outputReady(stream.streamID)
        } else {
            let connection = self.connection
            loop.execute { connection.value?.outputReady(stream.streamID) }
        }
    }

    func handlerEnded(_ stream: ServerStream) {
        if loop.inLoop {
            connection.value?.handlerFinished(stream)
        } else {
            let connection = self.connection
            loop.execute { connection.value?.handlerFinished(stream) }
        }
    }
}
