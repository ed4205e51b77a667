// SPDX-License-Identifier: Apache-2.0
internal import CNGHTTP2

// Outbound calls. Each only queues frames inside nghttp2 (or bytes in a stream buffer); nothing
// reaches the peer until the owner calls writeOutput.

extension HTTP2Connection {
    /// Client: opens a stream with a request. With `endStream: false` the body follows through
    /// `submitData`, ending with `endStream: true` (or `submitTrailers`).
    ///
    /// Beyond the server's SETTINGS_MAX_CONCURRENT_STREAMS nghttp2 holds the HEADERS back until a
    /// stream slot frees, so the returned ID may not be on the wire yet.
    ///
    /// - Returns: the new stream's ID.
    public func submitRequest(headers: HTTP2Headers, endStream: Bool) throws(HTTP2Error) -> Int32 {
        guard role == .client else { throw HTTP2Error(.invalidStreamState, "only a client submits requests") }
        try ensureWritable()
        var provider = dataProvider()
        let id = try HeaderBlock.withNameValues(headers) { nva, count in
            endStream
                ? nghttp2_submit_request(session, nil, nva, count, nil, nil)
                : nghttp2_submit_request(session, nil, nva, count, &provider, nil)
        }
        guard id > 0 else { throw HTTP2Error(libraryCode: id, context: "nghttp2_submit_request") }
        let stream = StreamState(id: id)
        stream.announced = true
        stream.sentInitialHeaders = true
        stream.localEnded = endStream
        stream.hasDataProvider = !endStream
        streams[id] = stream
        return id
    }

    /// Server: answers a request. `endStream: true` sends one HEADERS frame with END_STREAM, which
    /// is how a gRPC Trailers-Only response (`:status`, `content-type`, `grpc-status`) goes out.
    public func submitResponseHeaders(streamID: Int32, headers: HTTP2Headers, endStream: Bool) throws(HTTP2Error) {
        guard role == .server else { throw HTTP2Error(.invalidStreamState, "only a server submits responses") }
        try ensureWritable()
        let stream = try openStream(streamID)
        guard !stream.sentInitialHeaders else {
            throw HTTP2Error(.invalidStreamState, "response headers already submitted on stream \(streamID)")
        }
        var provider = dataProvider()
        let rc = try HeaderBlock.withNameValues(headers) { nva, count in
            endStream
                ? nghttp2_submit_response(session, streamID, nva, count, nil)
                : nghttp2_submit_response(session, streamID, nva, count, &provider)
        }
        guard rc == 0 else { throw HTTP2Error(libraryCode: rc, context: "nghttp2_submit_response") }
        stream.sentInitialHeaders = true
        stream.localEnded = endStream
        stream.hasDataProvider = !endStream
    }

    /// Appends body bytes to the stream's outbound buffer; they leave as the peer's windows allow.
    ///
    /// `endStream: true` ends our side once the buffer drains (a client half-close; an empty
    /// final DATA frame is sent if needed). Use `submitTrailers` instead to end with trailers.
    public func submitData(streamID: Int32, bytes: UnsafeRawBufferPointer, endStream: Bool) throws(HTTP2Error) {
        let stream = try streamTakingData(streamID)
        stream.outbound.append(bytes)
        stream.localEnded = endStream
        try resumeIfDeferred(stream)
    }

    /// Appends body bytes to the stream's outbound buffer (see the `UnsafeRawBufferPointer` form).
    /// A large array is kept as it is until sent, not copied.
    public func submitData(streamID: Int32, bytes: [UInt8], endStream: Bool) throws(HTTP2Error) {
        let stream = try streamTakingData(streamID)
        stream.outbound.append(bytes)
        stream.localEnded = endStream
        try resumeIfDeferred(stream)
    }

    private func streamTakingData(_ streamID: Int32) throws(HTTP2Error) -> StreamState {
        try ensureWritable()
        let stream = try openStream(streamID)
        guard stream.hasDataProvider, !stream.localEnded else {
            throw HTTP2Error(.invalidStreamState, "stream \(streamID) cannot take data (headers missing or stream ended)")
        }
        return stream
    }

    /// Ends our side with a trailing HEADERS frame after all buffered data (gRPC's status trailers).
    ///
    /// On the server, once the trailers are out and the client has not finished sending, the
    /// engine follows them with RST_STREAM(NO_ERROR) (gRPC §1.5).
    public func submitTrailers(streamID: Int32, headers: HTTP2Headers) throws(HTTP2Error) {
        try ensureWritable()
        let stream = try openStream(streamID)
        guard stream.hasDataProvider, !stream.localEnded else {
            throw HTTP2Error(.invalidStreamState, "stream \(streamID) cannot take trailers (headers missing or stream ended)")
        }
        // Validate now: the trailers are encoded later, inside nghttp2's read callback.
        _ = try HeaderBlock.withNameValues(headers) { _, _ in 0 }
        stream.pendingTrailers = headers
        stream.localEnded = true
        try resumeIfDeferred(stream)
    }

    /// Resets a stream (e.g. CANCEL on a deadline, REFUSED_STREAM when shedding load) and drops
    /// its unsent data. Does nothing if the stream is already closed. Application resets do not
    /// count towards the abuse limit on resets sent.
    public func submitReset(streamID: Int32, errorCode: HTTP2ErrorCode) throws(HTTP2Error) {
        try ensureWritable()
        guard let stream = streams[streamID] else { return }
        stream.resetByApplication = true
        stream.outbound.removeAll()
        stream.pendingTrailers = nil
        let rc = nghttp2_submit_rst_stream(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), streamID, errorCode.rawValue)
        guard rc == 0 else { throw HTTP2Error(libraryCode: rc, context: "nghttp2_submit_rst_stream") }
    }

    /// Sends GOAWAY. With NO_ERROR this is the final step of a graceful shutdown: streams up to
    /// `lastStreamID` (default: the last one processed) run to completion, later ones are refused,
    /// and `wantsRead`/`wantsWrite` turn false once all have finished. Any other code ends the
    /// connection as soon as the frame is written.
    public func submitGoAway(
        errorCode: HTTP2ErrorCode = .noError, debugData: [UInt8] = [], lastStreamID: Int32? = nil
    ) throws(HTTP2Error) {
        try ensureWritable()
        let last = lastStreamID ?? nghttp2_session_get_last_proc_stream_id(session)
        let rc = nghttp2_submit_goaway(
            session, UInt8(NGHTTP2_FLAG_NONE.rawValue), last, errorCode.rawValue, debugData, debugData.count)
        guard rc == 0 else { throw HTTP2Error(libraryCode: rc, context: "nghttp2_submit_goaway") }
    }

    /// Server: the first step of a graceful shutdown, GOAWAY with last-stream-ID 2^31−1, telling
    /// the client to stop opening streams. Follow it about one RTT later (a PING round trip) with
    /// `submitGoAway()` (RFC 9113 §6.8).
    public func submitShutdownNotice() throws(HTTP2Error) {
        try ensureWritable()
        let rc = nghttp2_submit_shutdown_notice(session)
        guard rc == 0 else { throw HTTP2Error(libraryCode: rc, context: "nghttp2_submit_shutdown_notice") }
    }

    /// Sends a PING; the answer arrives as `.pingAcknowledged(opaqueData:)`.
    public func submitPing(opaqueData: UInt64 = 0) throws(HTTP2Error) {
        try ensureWritable()
        let rc = withUnsafeBytes(of: opaqueData.bigEndian) { bytes in
            nghttp2_submit_ping(
                session, UInt8(NGHTTP2_FLAG_NONE.rawValue), bytes.baseAddress?.assumingMemoryBound(to: UInt8.self))
        }
        guard rc == 0 else { throw HTTP2Error(libraryCode: rc, context: "nghttp2_submit_ping") }
    }

    /// Returns flow-control credit for `count` bytes of `.data` the application has processed.
    ///
    /// Until this is called the peer's windows stay closed by that amount: this is how a slow
    /// handler pushes back. Counts beyond what was delivered are clamped, and calls for closed
    /// streams are ignored (the engine returns a closing stream's outstanding connection credit
    /// itself).
    public func consume(streamID: Int32, count: Int) {
        guard count > 0, let stream = streams[streamID] else { return }
        let n = min(count, stream.unconsumedBytes)
        guard n > 0 else { return }
        stream.unconsumedBytes -= n
        let rc = nghttp2_session_consume(session, streamID, n)
        precondition(rc == 0 || nghttp2_is_fatal(rc) == 0, "nghttp2_session_consume: out of memory")
    }

    // MARK: Helpers

    private func openStream(_ streamID: Int32) throws(HTTP2Error) -> StreamState {
        guard let stream = streams[streamID], stream.announced else {
            throw HTTP2Error(.streamNotFound, "stream \(streamID) is not open")
        }
        return stream
    }

    private func dataProvider() -> nghttp2_data_provider {
        nghttp2_data_provider(source: nghttp2_data_source(ptr: nil), read_callback: readDataCallback)
    }

    private func resumeIfDeferred(_ stream: StreamState) throws(HTTP2Error) {
        guard stream.dataDeferred else { return }
        stream.dataDeferred = false
        let rc = nghttp2_session_resume_data(session, stream.id)
        // INVALID_ARGUMENT: the stream is gone or not deferred after all; nothing to resume.
        guard rc == 0 || rc == NGHTTP2_ERR_INVALID_ARGUMENT.rawValue else {
            throw HTTP2Error(libraryCode: rc, context: "nghttp2_session_resume_data")
        }
    }
}
