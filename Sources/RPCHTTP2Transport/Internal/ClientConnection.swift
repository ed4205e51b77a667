// SPDX-License-Identifier: Apache-2.0
// UsageFlow — RPCHTTP2Transport

import CLinux
import Glibc
import HTTP2
import ProtoWire
import RPCCore
import TLS

/// The client side of one HTTP/2 connection, confined to its event loop.
final class ClientConnection: EventLoopHandler {
    let loop: EventLoop
    let authority: String
    let scheme: String
    private let io: ConnectionIO
    private var http2: HTTP2Connection { io.http2 }
    private var connected = false
    private var ready = false
    private(set) var isClosed = false
    private var goingAway = false
    private var closeReason = ""
    private var readyWaiters: [CheckedContinuation<Void, any Error>] = []
    private var pending: [ClientStream] = []
    private var streams: [Int32: Record] = [:]
    private let maximumMessageSize: Int

    final class Record {
        let stream: ClientStream
        var deframer: MessageDeframer
        var sentEnd = false
        var timer: TimerHeap.TimerID?
        let path: String
        let metadata: Metadata
        let timeout: Duration?

        init(stream: ClientStream, maximumMessageSize: Int, path: String, metadata: Metadata, timeout: Duration?) {
            self.stream = stream
            self.deframer = MessageDeframer(maximumMessageSize: maximumMessageSize)
            self.path = path
            self.metadata = metadata
            self.timeout = timeout
        }
    }

    init(fd: Int32, loop: EventLoop, tls: TLSConnection?, authority: String, settings: HTTP2Settings, maximumMessageSize: Int) throws {
        self.loop = loop
        self.authority = authority
        self.scheme = tls == nil ? "http" : "https"
        self.maximumMessageSize = maximumMessageSize
        io = ConnectionIO(fd: fd, loop: loop, http2: try HTTP2Connection(role: .client, settings: settings), tls: tls)
        io.onHandshake = { [unowned self] in self.becomeReady() }
        io.onEvents = { [unowned self] in self.processEvents() }
        io.onClose = { [unowned self] reason in self.close(reason: reason) }
    }

    /// Registers for writability to learn when the non-blocking connect completes.
    func start() throws {
        try loop.register(fd: io.fd, events: ConnectionIO.readEvents | clinux_epollout(), handler: self)
    }

    func waitUntilReady(_ continuation: CheckedContinuation<Void, any Error>) {
        if ready { continuation.resume() } else if isClosed {
            continuation.resume(throwing: RPCError(code: .unavailable, message: "connection failed: \(closeReason)"))
        } else {
            readyWaiters.append(continuation)
        }
    }

    func handleEvents(_ events: UInt32) {
        if isClosed { return }
        if !connected {
            let error = Socket.pendingError(io.fd)
            guard error == 0 else {
                close(reason: String(cString: strerror(error)))
                return
            }
            connected = true
            loop.modify(fd: io.fd, events: ConnectionIO.readEvents)
            if io.tls == nil { becomeReady() }
        }
        if events & clinux_epollout() != 0 { io.writeSocket() }
        if !isClosed, events & (clinux_epollin() | clinux_epollrdhup()) != 0 {
            if io.readSocket() == .budgetSpent, !isClosed {
                let connection = LoopBound(self)
                loop.execute { connection.value?.handleEvents(clinux_epollin()) }
            }
        }
        flush()
    }

    private func becomeReady() {
        guard !ready else { return }
        ready = true
        for waiter in readyWaiters { waiter.resume() }
        readyWaiters.removeAll()
        let queued = pending
        pending.removeAll()
        for stream in queued { open(stream) }
    }

    // MARK: Calls

    func enqueue(_ stream: ClientStream, path: String, metadata: Metadata, timeout: Duration?) {
        guard !isClosed, !goingAway else {
            stream.complete(Status(code: .unavailable, message: "connection closed: \(closeReason)"), trailers: [:])
            return
        }
        records[ObjectIdentifier(stream)] = Record(
            stream: stream, maximumMessageSize: maximumMessageSize, path: path, metadata: metadata, timeout: timeout)
        if ready { open(stream) } else { pending.append(stream) }
    }

    /// Calls accepted before the stream id is known.
    private var records: [ObjectIdentifier: Record] = [:]

    private func open(_ stream: ClientStream) {
        guard let record = records.removeValue(forKey: ObjectIdentifier(stream)) else { return }
        var headers: HTTP2Headers = [
            ":method": "POST", ":scheme": scheme, ":path": record.path, ":authority": authority,
            "content-type": "application/grpc", "te": "trailers", "user-agent": "usageflow-swift/1",
        ]
        if let timeout = record.timeout {
            headers.append(name: "grpc-timeout", value: GRPCTimeout(nanoseconds: Int64(timeout.nanoseconds)).headerValue)
        }
        for entry in record.metadata where Metadata.isValidKey(entry.key) {
            switch entry.value {
            case .string(let value): headers.append(name: entry.key, value: value)
            case .binary(let bytes): headers.append(name: entry.key, value: Base64.encode(bytes))
            }
        }
        do {
            let streamID = try http2.submitRequest(headers: headers, endStream: false)
            stream.streamID = streamID
            streams[streamID] = record
            if let timeout = record.timeout {
                let connection = LoopBound(self)
                record.timer = loop.schedule(at: MonotonicClock.now + timeout.nanoseconds) {
                    connection.value?.expire(streamID)
                }
            }
            pushOutput(stream)
        } catch {
            stream.complete(Status(code: .unavailable, message: "cannot start the call: \(error)"), trailers: [:])
        }
        flush()
    }

    func pushOutput(_ stream: ClientStream) {
        let streamID = stream.streamID
        guard streamID > 0, let record = streams[streamID] else { return }
        let (bytes, finished, consumed) = stream.takeOutbound()
        if consumed > 0 { http2.consume(streamID: streamID, count: consumed) }
        if record.sentEnd { return }
        if !bytes.isEmpty || finished {
            record.sentEnd = finished
            try? http2.submitData(streamID: streamID, bytes: bytes, endStream: finished)
        }
        flush()
    }

    func cancel(_ stream: ClientStream) {
        let streamID = stream.streamID
        if streamID > 0 {
            try? http2.submitReset(streamID: streamID, errorCode: .cancel)
        }
        records[ObjectIdentifier(stream)] = nil
        stream.complete(Status(code: .cancelled, message: "the call was cancelled"), trailers: [:])
        flush()
    }

    private func expire(_ streamID: Int32) {
        guard let record = streams[streamID] else { return }
        record.timer = nil
        try? http2.submitReset(streamID: streamID, errorCode: .cancel)
        record.stream.complete(Status(code: .deadlineExceeded, message: "deadline exceeded"), trailers: [:])
        flush()
    }

    // MARK: Events

    private func processEvents() {
        while let event = http2.nextEvent() {
            switch event {
            case .responseHeaders(let streamID, let headers, let endStream):
                guard let record = streams[streamID] else { continue }
                if endStream {
                    record.stream.complete(Self.status(from: headers), trailers: Self.metadata(from: headers))
                } else if headers[":status"] != "200" {
                    record.stream.complete(Self.status(from: headers), trailers: [:])
                    try? http2.submitReset(streamID: streamID, errorCode: .cancel)
                } else {
                    record.stream.receivedHeaders(Self.metadata(from: headers))
                }
            case .data(let streamID, let bytes, _):
                guard let record = streams[streamID] else { continue }
                record.deframer.append(bytes)
                var messages: [[UInt8]] = []
                do {
                    while let message = try record.deframer.next() { messages.append(message) }
                } catch {
                    record.stream.complete(error.status, trailers: [:])
                    try? http2.submitReset(streamID: streamID, errorCode: .cancel)
                    continue
                }
                if !messages.isEmpty { record.stream.received(messages) }
            case .trailers(let streamID, let headers):
                streams[streamID]?.stream.complete(Self.status(from: headers), trailers: Self.metadata(from: headers))
            case .streamClosed(let streamID, let code):
                guard let record = streams.removeValue(forKey: streamID) else { continue }
                if let timer = record.timer { loop.cancelTimer(timer) }
                let status = code == .refusedStream
                    ? Status(code: .unavailable, message: "the server refused the stream")
                    : Status(code: .unavailable, message: "stream closed without a status (\(code))")
                record.stream.complete(status, trailers: [:])
            case .goAway:
                goingAway = true
            default:
                break
            }
        }
    }

    /// The gRPC status of a trailers block, or one derived from the HTTP status when it has none.
    static func status(from headers: HTTP2Headers) -> Status {
        if let code = headers["grpc-status"].flatMap(Int.init) {
            return Status(code: Status.Code(rawValue: code), message: PercentEncoding.decode(headers["grpc-message"] ?? ""))
        }
        let http = headers[":status"].flatMap(Int.init) ?? 0
        let code: Status.Code
        switch http {
        case 400: code = .internal
        case 401: code = .unauthenticated
        case 403: code = .permissionDenied
        case 404: code = .unimplemented
        case 429, 502, 503, 504: code = .unavailable
        default: code = .unknown
        }
        return Status(code: code, message: "HTTP status \(http) without grpc-status")
    }

    static func metadata(from headers: HTTP2Headers) -> Metadata {
        var metadata = Metadata()
        // `grpc-status-details-bin` is the one reserved header a client needs: it carries rich error
        // details (google.rpc.Status), which `RPCClient` moves into `RPCError.statusDetails`.
        for field in headers.fields
        where !field.name.hasPrefix(":") && (!field.name.hasPrefix("grpc-") || field.name == "grpc-status-details-bin") {
            if field.name == "content-type" { continue }
            if field.name.hasSuffix("-bin") {
                if let bytes = Base64.decode(field.value) { metadata.add(field.name, binary: bytes) }
            } else {
                metadata.add(field.name, field.value)
            }
        }
        return metadata
    }

    // MARK: Lifetime

    func flush() {
        guard !isClosed else { return }
        io.flush()
    }

    func shutdown() {
        goingAway = true
        try? http2.submitGoAway(errorCode: .noError)
        flush()
        close(reason: "closed by the client")
    }

    func close(reason: String) {
        guard !isClosed else { return }
        isClosed = true
        closeReason = reason
        for waiter in readyWaiters {
            waiter.resume(throwing: RPCError(code: .unavailable, message: "connection failed: \(reason)"))
        }
        readyWaiters.removeAll()
        for (_, record) in streams {
            record.stream.complete(Status(code: .unavailable, message: "connection closed: \(reason)"), trailers: [:])
        }
        for (_, record) in records {
            record.stream.complete(Status(code: .unavailable, message: "connection closed: \(reason)"), trailers: [:])
        }
        streams.removeAll()
        records.removeAll()
        loop.deregister(fd: io.fd)
        Glibc.close(io.fd)
    }
}
