// SPDX-License-Identifier: Apache-2.0
internal import CNGHTTP2

/// A sans-I/O HTTP/2 endpoint over one nghttp2 session: bytes in → events, submit calls → bytes out.
///
/// The connection never touches a socket. The owner feeds it what it read with `receive(_:)`,
/// handles the events it queued (`nextEvent()`), submits headers, data and trailers, and writes
/// what `writeOutput(into:limit:)` produces. The same type serves both roles, so client and server
/// can be tested by pumping bytes between two instances in memory.
///
/// Not `Sendable`: an nghttp2 session belongs to one thread (reference §3.1). The transport's
/// event-loop thread owns each connection; handler tasks reach it only through the loop's outbox.
///
/// Flow control is manual both ways. Inbound, nghttp2 is told not to update windows by itself;
/// the window reopens only when the application calls `consume(streamID:count:)` for bytes it has
/// really processed, so a slow handler pushes back on its client. Outbound, submitted data waits
/// in a per-stream buffer until the peer's window lets it out; `bufferedOutboundBytes(streamID:)`
/// tells a producer when to pause.
///
/// Connection-fatal problems (bad preface, floods, the abuse limits) make `receive` throw after
/// any GOAWAY has been queued; the owner then flushes `writeOutput` and closes. Protocol errors
/// that nghttp2 answers with its own GOAWAY surface as `wantsRead == false` once it is written.
public final class HTTP2Connection {
    /// Which end of the connection this is.
    public enum Role: Hashable, Sendable {
        case server
        case client
    }

    public let role: Role
    let settings: HTTP2Settings
    /// The nghttp2_session, owned by this object alone and freed in `deinit`.
    let session: OpaquePointer

    // Events not yet handed to the application: `events[eventHead...]`.
    var events: [HTTP2Event] = []
    var eventHead = 0

    /// Every stream nghttp2 has open that the engine tracks.
    var streams: [Int32: StreamState] = [:]

    /// Serialized frames; swapped with the caller's buffer during `writeOutput`.
    var output: [UInt8] = []
    var outputLimit = Int.max

    /// A Swift error raised inside a C callback, rethrown once the library call returns.
    var pendingError: HTTP2Error?
    var lifecycle = Lifecycle.active

    public internal(set) var counters = HTTP2Counters()
    var resetsSentWindow: RateWindow
    var invalidFramesWindow: RateWindow
    var emptyDataFramesWindow: RateWindow
    var lastPingReceivedAt: UInt64?
    /// grpc-go's `resetPingStrikes`: set when we send HEADERS or DATA; the next PING clears strikes.
    var pingStrikesResetPending = false

    enum Lifecycle {
        /// Reading and writing normally.
        case active
        /// A fatal condition occurred; reading stopped, and the queued GOAWAY is still to be written.
        case terminating(HTTP2Error)
        /// Nothing more is read or written.
        case terminated(HTTP2Error)
    }

    /// Creates the session and queues our SETTINGS (and, for a client, the preface before them).
    public init(role: Role, settings: HTTP2Settings = HTTP2Settings()) throws(HTTP2Error) {
        try Self.validate(settings)
        self.role = role
        self.settings = settings
        let window = settings.abuseWindow.wholeNanoseconds
        resetsSentWindow = RateWindow(limit: settings.maxResetsSentPerWindow, length: window)
        invalidFramesWindow = RateWindow(limit: settings.maxInvalidFramesPerWindow, length: window)
        emptyDataFramesWindow = RateWindow(limit: settings.maxEmptyDataFramesPerWindow, length: window)

        var raw: OpaquePointer?
        let rc = withSessionOptions(settings, role: role) { options in
            withSessionCallbacks { callbacks in
                switch role {
                case .server: nghttp2_session_server_new2(&raw, callbacks, nil, options)
                case .client: nghttp2_session_client_new2(&raw, callbacks, nil, options)
                }
            }
        }
        guard rc == 0, let raw else { throw HTTP2Error(libraryCode: rc, context: "nghttp2_session_new") }
        session = raw
        nghttp2_session_set_user_data(raw, Unmanaged.passUnretained(self).toOpaque())
        try submitInitialSettings()
    }

    deinit {
        // nghttp2_session_del invokes no callbacks, so the unretained user_data is never used here.
        nghttp2_session_del(session)
    }

    // MARK: Input

    /// Feeds bytes read from the peer; the resulting events are queued for `nextEvent()`.
    ///
    /// Throws when the connection must close: bad preface, an nghttp2 flood guard, too many
    /// CONTINUATION frames, or one of our abuse limits. Any GOAWAY is queued before the throw, so
    /// the caller should flush `writeOutput` and then close. Calls after that throw again.
    public func receive(_ bytes: UnsafeRawBufferPointer) throws(HTTP2Error) {
        try ensureReadable()
        guard bytes.count > 0 else { return }
        pendingError = nil
        let rc = bytes.withMemoryRebound(to: UInt8.self) { buffer in
            nghttp2_session_mem_recv(session, buffer.baseAddress, buffer.count)
        }
        if rc < 0 {
            throw failFromReceive(libraryCode: Int32(truncatingIfNeeded: rc))
        }
        if let error = pendingError {
            pendingError = nil
            throw error
        }
    }

    /// Feeds bytes read from the peer (see `receive(_:)-UnsafeRawBufferPointer`).
    public func receive(_ bytes: [UInt8]) throws(HTTP2Error) {
        let result = bytes.withUnsafeBytes { buffer in
            Result { () throws(HTTP2Error) in try receive(buffer) }
        }
        try result.get()
    }

    /// The next queued event, or nil when all have been taken.
    public func nextEvent() -> HTTP2Event? {
        guard eventHead < events.count else { return nil }
        let event = events[eventHead]
        events[eventHead] = .settingsAcknowledged  // drop the queue's reference to any data bytes
        eventHead += 1
        if eventHead == events.count {
            events.removeAll(keepingCapacity: true)
            eventHead = 0
        }
        return event
    }

    /// All queued events, oldest first.
    public func takeEvents() -> [HTTP2Event] {
        defer {
            events = []
            eventHead = 0
        }
        return eventHead == 0 ? events : Array(events[eventHead...])
    }

    // MARK: Output

    /// Serializes pending frames onto the end of `buffer` until nothing is left or `buffer.count`
    /// reaches `limit` (a soft cap: the last frame may overshoot by one frame, ≤ 16 KiB + 9 by default).
    ///
    /// Call it when the socket can take more. Frames that do not fit stay inside nghttp2, where its
    /// flood guards still see them, so a peer that stops reading cannot grow our memory without bound.
    ///
    /// Writing can queue events too: a stream closes (`.streamClosed`) when its last frame or a
    /// RST_STREAM goes out, so drain `nextEvent()` after this call as well as after `receive`.
    public func writeOutput(into buffer: inout [UInt8], limit: Int = .max) throws(HTTP2Error) {
        if case .terminated = lifecycle { return }
        swap(&buffer, &output)
        outputLimit = limit
        defer {
            swap(&buffer, &output)
            outputLimit = .max
        }
        pendingError = nil
        let rc = nghttp2_session_send(session)
        if rc < 0 {
            let error = pendingError ?? HTTP2Error(libraryCode: rc, context: "nghttp2_session_send")
            pendingError = nil
            lifecycle = .terminated(error)
            throw error
        }
    }

    /// Everything `writeOutput(into:limit:)` would append to an empty buffer.
    public func pendingOutput(limit: Int = .max) throws(HTTP2Error) -> [UInt8] {
        var bytes: [UInt8] = []
        try writeOutput(into: &bytes, limit: limit)
        return bytes
    }

    // MARK: State

    /// Whether the connection still expects bytes from the peer.
    ///
    /// False after a fatal error, after an error GOAWAY went out, or once a GOAWAY has been
    /// exchanged and every stream has finished. When both this and `wantsWrite` are false (and the
    /// owner's own buffer is flushed) the socket can be closed.
    public var wantsRead: Bool {
        guard case .active = lifecycle else { return false }
        return nghttp2_session_want_read(session) != 0
    }

    /// Whether `writeOutput` has something to produce (within the peer's flow-control windows).
    public var wantsWrite: Bool {
        if case .terminated = lifecycle { return false }
        return nghttp2_session_want_write(session) != 0
    }

    /// No stream is open.
    public var isIdle: Bool { streams.isEmpty }

    /// Streams currently open (either side's).
    public var openStreamCount: Int { streams.count }

    /// Why the connection is shutting down, once a fatal error or an error GOAWAY has occurred.
    public var terminationError: HTTP2Error? {
        switch lifecycle {
        case .active: nil
        case .terminating(let error), .terminated(let error): error
        }
    }

    /// The highest peer-initiated stream the session has processed (the GOAWAY last-stream-ID).
    public var lastPeerStreamID: Int32 { nghttp2_session_get_last_proc_stream_id(session) }

    /// The peer's SETTINGS_MAX_CONCURRENT_STREAMS (a client assumes 100 until told).
    public var peerMaxConcurrentStreams: UInt32 {
        nghttp2_session_get_remote_settings(session, NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS)
    }

    /// Bytes submitted on a stream that have not yet been serialized into DATA frames.
    ///
    /// Grows when the peer's window is exhausted (a slow reader); a producer pauses above its
    /// high-water mark and checks again after each `writeOutput`.
    public func bufferedOutboundBytes(streamID: Int32) -> Int {
        streams[streamID]?.outbound.count ?? 0
    }

    /// How many more bytes the peer currently lets us send on the stream (min of stream and
    /// connection windows), or 0 if the stream is unknown.
    public func sendWindow(streamID: Int32) -> Int {
        guard streams[streamID] != nil else { return 0 }
        let stream = nghttp2_session_get_stream_remote_window_size(session, streamID)
        let connection = nghttp2_session_get_remote_window_size(session)
        return Int(max(0, min(stream, connection)))
    }

    // MARK: Internals

    private static func validate(_ settings: HTTP2Settings) throws(HTTP2Error) {
        func check(_ ok: Bool, _ message: String) throws(HTTP2Error) {
            if !ok { throw HTTP2Error(.invalidArgument, message) }
        }
        try check(settings.initialWindowSize <= UInt32(Int32.max), "initialWindowSize above 2^31-1")
        try check(
            (65_535...UInt32(Int32.max)).contains(settings.connectionWindowSize),
            "connectionWindowSize outside 65535...2^31-1")
        try check((16_384...16_777_215).contains(settings.maxFrameSize), "maxFrameSize outside 16384...16777215")
        try check(settings.maxHeaderListSize > 0 && settings.maxHeaderListSize <= Int(UInt32.max), "maxHeaderListSize")
        try check(settings.maxHeaderFields > 0, "maxHeaderFields must be positive")
        try check(
            settings.maxResetsSentPerWindow >= 0 && settings.maxInvalidFramesPerWindow >= 0
                && settings.maxEmptyDataFramesPerWindow >= 0 && settings.maxContinuations >= 0
                && settings.maxOutboundAcks > 0 && settings.pingPolicy.maxStrikes >= 0,
            "negative limit")
    }

    private func submitInitialSettings() throws(HTTP2Error) {
        func entry(_ id: nghttp2_settings_id, _ value: UInt32) -> nghttp2_settings_entry {
            nghttp2_settings_entry(settings_id: Int32(bitPattern: id.rawValue), value: value)
        }
        var entries = [
            entry(NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, settings.maxConcurrentStreams),
            entry(NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, settings.initialWindowSize),
            entry(NGHTTP2_SETTINGS_MAX_FRAME_SIZE, settings.maxFrameSize),
            entry(NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, UInt32(settings.maxHeaderListSize)),
            entry(NGHTTP2_SETTINGS_NO_RFC7540_PRIORITIES, 1),
        ]
        if role == .client {
            entries.append(entry(NGHTTP2_SETTINGS_ENABLE_PUSH, 0))
        }
        var rc = nghttp2_submit_settings(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), entries, entries.count)
        guard rc == 0 else { throw HTTP2Error(libraryCode: rc, context: "nghttp2_submit_settings") }
        rc = nghttp2_session_set_local_window_size(
            session, UInt8(NGHTTP2_FLAG_NONE.rawValue), 0, Int32(settings.connectionWindowSize))
        guard rc == 0 else { throw HTTP2Error(libraryCode: rc, context: "nghttp2_session_set_local_window_size") }
    }

    func ensureReadable() throws(HTTP2Error) {
        switch lifecycle {
        case .active: return
        case .terminating(let error), .terminated(let error): throw error
        }
    }

    func ensureWritable() throws(HTTP2Error) {
        switch lifecycle {
        case .active: return
        case .terminating(let error), .terminated(let error):
            throw HTTP2Error(.connectionClosed, "connection is closing: \(error.message)")
        }
    }

    /// Decides what a failed `nghttp2_session_mem_recv` leaves to write, and returns the error.
    private func failFromReceive(libraryCode code: Int32) -> HTTP2Error {
        if let error = pendingError {
            // One of our limits tripped inside a callback; its GOAWAY is already queued.
            pendingError = nil
            if case .active = lifecycle { lifecycle = .terminated(error) }
            return error
        }
        let error = HTTP2Error(libraryCode: code, context: "receive")
        if code == NGHTTP2_ERR_TOO_MANY_CONTINUATIONS.rawValue,
            nghttp2_session_terminate_session(session, HTTP2ErrorCode.enhanceYourCalm.rawValue) == 0
        {
            // The peer is flooding header blocks: say why before closing.
            lifecycle = .terminating(error)
        } else {
            // Bad preface (RFC 9113 §3.4 lets us omit GOAWAY), flood of unread ACKs, or out of memory:
            // write nothing more.
            lifecycle = .terminated(error)
        }
        return error
    }

    func enqueue(_ event: HTTP2Event) {
        events.append(event)
    }
}

/// An nghttp2 session may only be used from one thread, so a connection must never cross
/// isolation domains; this makes the compiler say so instead of merely inferring it.
@available(*, unavailable)
extension HTTP2Connection: Sendable {}
