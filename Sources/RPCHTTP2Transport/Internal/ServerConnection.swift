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
final class ServerConnection: EventLoopHandler {
    let loop: EventLoop
    let core: ServerCore
    let peerAddress: String
    let peerIP: String
    private let io: ConnectionIO
    private var http2: HTTP2Connection { io.http2 }
    private var streams: [Int32: StreamRecord] = [:]
    /// Streams whose handler has not ended; reset streams stay here until their task really stops,
    /// which is what bounds the work a rapid-reset client can leave behind.
    private var runningHandlers: Set<Int32> = []
    private(set) var isClosed = false
    private var draining = false
    private var peer = Peer(address: "")
    private var sawRequest = false
    private var blockedStreams: Set<Int32> = []

    /// Per-stream state the loop keeps beside the shared `ServerStream`.
    final class StreamRecord {
        let stream: ServerStream
        var deframer: MessageDeframer
        var headersSent = false
        var finished = false
        var deadlineTimer: TimerHeap.TimerID?
        /// Request bytes received but not yet returned to the client as window credit.
        var uncreditedBytes = 0
        /// When the stream's output was last held back because the client is not reading.
        var blockedSince: UInt64?

        init(stream: ServerStream, maximumMessageSize: Int) {
            self.stream = stream
            self.deframer = MessageDeframer(maximumMessageSize: maximumMessageSize)
        }
    }

    init(fd: Int32, loop: EventLoop, core: ServerCore, peerAddress: String, peerIP: String) throws {
        self.loop = loop
        self.core = core
        self.peerAddress = peerAddress
        self.peerIP = peerIP
        let http2 = try HTTP2Connection(role: .server, settings: core.configuration.http2)
        let tls = try core.tlsContext.map { try TLSConnection(context: $0) }
        io = ConnectionIO(fd: fd, loop: loop, http2: http2, tls: tls)
        if tls == nil { peer = Peer(address: peerAddress) }
        io.onHandshake = { [unowned self] in self.handshakeCompleted() }
        io.onEvents = { [unowned self] in self.processEvents() }
        io.onClose = { [unowned self] reason in self.close(reason: reason) }
        io.onDrained = { [unowned self] in if !self.blockedStreams.isEmpty { self.retryBlockedStreams() } }
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
        loop.schedule(at: MonotonicClock.now + configuration.handshakeTimeout.nanoseconds) {
            guard let self = connection.value, !self.isClosed, !self.io.handshakeComplete else { return }
            self.close(reason: "TLS handshake timeout")
        }
        loop.schedule(at: MonotonicClock.now + configuration.firstRequestTimeout.nanoseconds) {
            guard let self = connection.value, !self.isClosed, !self.sawRequest else { return }
            self.goAwayAndClose(.noError, reason: "no request headers in time")
        }
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
        if !isClosed, events & (clinux_epollin() | clinux_epollrdhup()) != 0 { readSocket() }
        flush()
    }

    private func readSocket() {
        guard io.readSocket() == .budgetSpent, !isClosed else { return }
        // The read budget may have stopped before EAGAIN: look again on the next turn, since an
        // edge-triggered epoll will not report the bytes still waiting.
        let connection = LoopBound(self)
        loop.execute {
            guard let connection = connection.value, !connection.isClosed else { return }
            connection.readSocket()
            connection.flush()
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
                sawRequest = true
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
        let fields = headers.fields.map { (name: $0.name, value: $0.value) }
        let head: RequestHead
        switch RequestHead.parse(fields) {
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
        guard !draining, runningHandlers.count < core.configuration.maxRunningHandlersPerConnection else {
            try? http2.submitReset(streamID: streamID, errorCode: .refusedStream)
            return
        }
        let deadline = head.timeout.map { ContinuousClock.now.advanced(by: $0.duration) }
        let loop = self.loop
        let connection = LoopBound(self)
        let stream = ServerStream(streamID: streamID, highWaterMark: core.configuration.streamHighWaterMark) { stream in
            loop.execute { connection.value?.streamHasOutput(stream.streamID) }
        }
        let record = StreamRecord(stream: stream, maximumMessageSize: core.configuration.maxReceiveMessageSize)
        streams[streamID] = record
        if let timeout = head.timeout {
            record.deadlineTimer = loop.schedule(at: MonotonicClock.now + UInt64(max(0, timeout.nanoseconds))) {
                [weak self] in self?.deadlineExpired(streamID)
            }
        }
        if endStream { stream.deliver([], finished: true) }
        runningHandlers.insert(streamID)
        let context = ServerContext(
            method: route.schema, requestMetadata: head.metadata, peer: peer, deadline: deadline)
        core.submit(
            HandlerJob(stream: stream, route: route, context: context, router: core.router) {
                loop.execute { connection.value?.handlerFinished(streamID) }
            })
    }

    private func receiveData(_ streamID: Int32, bytes: [UInt8], endStream: Bool) {
        guard let record = streams[streamID], !record.finished else {
            // Data for a stream we already answered: give the window back so others are not starved.
            if !bytes.isEmpty { http2.consume(streamID: streamID, count: bytes.count) }
            return
        }
        record.deframer.append(bytes)
        var messages: [[UInt8]] = []
        do {
            while let message = try record.deframer.next() { messages.append(message) }
        } catch {
            failStream(streamID, record: record, status: error.status)
            return
        }
        if endStream, record.deframer.hasPartialMessage {
            failStream(streamID, record: record, status: Status(code: .internal, message: "request stream ended inside a message"))
            return
        }
        if !messages.isEmpty || endStream { record.stream.deliver(messages, finished: endStream) }
        record.uncreditedBytes += bytes.count
        creditIfRoom(streamID, record: record)
    }

    /// Returns window credit while the handler keeps up: bytes of a message still arriving are
    /// credited at once (the length prefix already bounded it), but once complete messages pile up
    /// beyond the high-water mark the client waits for the handler.
    private func creditIfRoom(_ streamID: Int32, record: StreamRecord) {
        guard record.uncreditedBytes > 0,
            record.stream.queuedInboundBytes <= core.configuration.inboundHighWaterMark
        else { return }
        http2.consume(streamID: streamID, count: record.uncreditedBytes)
        record.uncreditedBytes = 0
    }

    /// Ends a call early with a status of our own (bad framing, deadline) and cancels its handler.
    private func failStream(_ streamID: Int32, record: StreamRecord, status: Status) {
        record.stream.cancel()
        record.finished = true
        sendStatus(streamID, record: record, status: status, trailers: [:], details: nil)
    }

    private func failStalled(_ streamID: Int32, record: StreamRecord) {
        record.stream.cancel()
        record.finished = true
        blockedStreams.remove(streamID)
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
        blockedStreams.remove(streamID)
        if let timer = record.deadlineTimer { loop.cancelTimer(timer) }
        record.stream.cancel()
        if draining, streams.isEmpty { goAwayAndClose(.noError, reason: "drained") }
    }

    /// A handler task ended (its `HandlerJob` reports back on the loop).
    func handlerFinished(_ streamID: Int32) {
        runningHandlers.remove(streamID)
    }

    // MARK: Responses

    private func streamHasOutput(_ streamID: Int32) {
        guard !isClosed, let record = streams[streamID] else { return }
        if record.uncreditedBytes > 0 { creditIfRoom(streamID, record: record) }
        if http2.bufferedOutboundBytes(streamID: streamID) > core.configuration.streamHighWaterMark
            || connectionOutboundBytes() > core.configuration.connectionOutboundLimit
        {
            // The client is not reading: leave the handler's bytes with it (its `send` waits).
            blockedStreams.insert(streamID)
            if record.blockedSince == nil { record.blockedSince = MonotonicClock.now }
            return
        }
        record.blockedSince = nil
        let output = record.stream.takeOutput()
        guard !record.finished else { return }
        if let metadata = output.sendHeaders, !record.headersSent {
            record.headersSent = true
            var headers = HTTP2Headers()
            headers.append(name: ":status", value: "200")
            headers.append(name: "content-type", value: "application/grpc")
            append(metadata, to: &headers)
            submitOrReset(streamID) { try $0.submitResponseHeaders(streamID: streamID, headers: headers, endStream: false) }
        }
        if !output.data.isEmpty {
            submitOrReset(streamID) { try $0.submitData(streamID: streamID, bytes: output.data, endStream: false) }
        }
        if let (status, trailers, details) = output.trailers {
            // The handler has returned: its slot is free even before its task reports back.
            runningHandlers.remove(streamID)
            record.finished = true
            if let timer = record.deadlineTimer { loop.cancelTimer(timer) }
            sendStatus(streamID, record: record, status: status, trailers: trailers, details: details)
        }
        scheduleFlush()
    }

    private func sendStatus(_ streamID: Int32, record: StreamRecord, status: Status, trailers: Metadata, details: [UInt8]?) {
        var headers = HTTP2Headers()
        if !record.headersSent {
            record.headersSent = true
            headers.append(name: ":status", value: "200")
            headers.append(name: "content-type", value: "application/grpc")
            appendStatus(status, trailers: trailers, details: details, to: &headers)
            submitOrReset(streamID) { try $0.submitResponseHeaders(streamID: streamID, headers: headers, endStream: true) }
        } else {
            appendStatus(status, trailers: trailers, details: details, to: &headers)
            submitOrReset(streamID) { try $0.submitTrailers(streamID: streamID, headers: headers) }
        }
    }

    private func respondTrailersOnly(_ streamID: Int32, httpStatus: Int, status: Status) {
        var headers = HTTP2Headers()
        headers.append(name: ":status", value: String(httpStatus))
        headers.append(name: "content-type", value: "application/grpc")
        appendStatus(status, trailers: [:], details: nil, to: &headers)
        submitOrReset(streamID) { try $0.submitResponseHeaders(streamID: streamID, headers: headers, endStream: true) }
    }

    /// Submits a frame for a stream; if the engine refuses it, the stream is reset rather than
    /// left open with no answer.
    private func submitOrReset(_ streamID: Int32, _ submit: (HTTP2Connection) throws -> Void) {
        do {
            try submit(http2)
        } catch {
            streams[streamID]?.finished = true
            streams[streamID]?.stream.cancel()
            try? http2.submitReset(streamID: streamID, errorCode: .internalError)
        }
    }

    /// Response bytes nghttp2 holds for every stream of the connection.
    private func connectionOutboundBytes() -> Int {
        var total = 0
        for streamID in streams.keys { total += http2.bufferedOutboundBytes(streamID: streamID) }
        return total
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

    private var flushScheduled = false

    /// Flushes once at the end of the loop's turn, so the responses of every call that finished in
    /// this turn share one socket write (and, over TLS, fewer records).
    private func scheduleFlush() {
        guard !flushScheduled else { return }
        flushScheduled = true
        loop.runAtEndOfTurn { [weak self] in
            guard let self else { return }
            self.flushScheduled = false
            self.flush()
        }
    }

    /// Moves HTTP/2 (and TLS) output to the socket and closes a finished session.
    func flush() {
        guard !isClosed else { return }
        io.flush()
        if !isClosed, io.isFinished { close(reason: "HTTP/2 session finished") }
    }

    private func retryBlockedStreams() {
        let candidates = blockedStreams
        blockedStreams.removeAll()
        for streamID in candidates { streamHasOutput(streamID) }
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
        // A stream whose client grants no window keeps its buffers; give it the write-stall
        // timeout, then reset it so its memory and handler are released.
        for (streamID, record) in streams {
            if let since = record.blockedSince, now - since > configuration.writeStallTimeout.nanoseconds {
                record.blockedSince = nil
                failStalled(streamID, record: record)
            }
        }
        if streams.isEmpty, now - io.lastActivity > configuration.idleTimeout.nanoseconds {
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
        io.tls?.close()
        io.flushEngines()
        io.writeSocket()
        close(reason: reason)
    }

    /// Closes the socket and cancels every handler still running. Idempotent.
    func close(reason: String) {
        guard !isClosed else { return }
        isClosed = true
        for (_, record) in streams {
            if let timer = record.deadlineTimer { loop.cancelTimer(timer) }
            record.stream.cancel()
        }
        streams.removeAll()
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
