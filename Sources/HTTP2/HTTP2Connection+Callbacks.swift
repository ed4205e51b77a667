// SPDX-License-Identifier: Apache-2.0
internal import CNGHTTP2

// What the connection does when nghttp2 calls back (see Internal/SessionCallbacks.swift).
// Each method returns 0 or an nghttp2 error code; none calls back into mem_recv or send.

private let ok: Int32 = 0
private let temporalFailure = NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE.rawValue
private let wouldBlock = NGHTTP2_ERR_WOULDBLOCK.rawValue

private func frameType(_ type: nghttp2_frame_type) -> UInt8 { UInt8(type.rawValue) }
private func flag(_ flag: nghttp2_flag) -> UInt8 { UInt8(flag.rawValue) }

extension HTTP2Connection {
    // MARK: Output

    /// nghttp2 hands over serialized frame bytes.
    func send(_ bytes: UnsafeRawBufferPointer) -> Int {
        if case .terminated = lifecycle { return Int(wouldBlock) }
        if output.count >= outputLimit { return Int(wouldBlock) }
        output.append(contentsOf: bytes)
        return bytes.count
    }

    /// Writes one DATA frame straight from the stream's buffer (NGHTTP2_DATA_FLAG_NO_COPY), saving
    /// the copy through nghttp2's own frame buffer.
    func sendData(frame: UnsafeMutablePointer<nghttp2_frame>, header: UnsafePointer<UInt8>, length: Int) -> Int32 {
        if case .terminated = lifecycle { return wouldBlock }
        if output.count >= outputLimit { return wouldBlock }
        guard let stream = streams[frame.pointee.hd.stream_id], stream.outbound.count >= length else {
            return temporalFailure
        }
        output.append(contentsOf: UnsafeBufferPointer(start: header, count: 9))
        let padding = frame.pointee.data.padlen  // includes the Pad Length octet itself
        if padding > 0 { output.append(UInt8(padding - 1)) }
        stream.outbound.moveFront(length, to: &output)
        if padding > 1 { output.append(contentsOf: repeatElement(0, count: padding - 1)) }
        return ok
    }

    /// nghttp2 asks for the next DATA payload of a stream.
    func readData(streamID: Int32, maxLength: Int, flags: UnsafeMutablePointer<UInt32>) -> Int {
        guard let stream = streams[streamID] else { return Int(temporalFailure) }
        let available = stream.outbound.count
        let length = min(maxLength, available)
        if length == 0 && !stream.localEnded {
            stream.dataDeferred = true
            return Int(NGHTTP2_ERR_DEFERRED.rawValue)
        }
        var result = NGHTTP2_DATA_FLAG_NO_COPY.rawValue
        if length == available && stream.localEnded {
            result |= NGHTTP2_DATA_FLAG_EOF.rawValue
            if let trailers = stream.pendingTrailers {
                stream.pendingTrailers = nil
                result |= NGHTTP2_DATA_FLAG_NO_END_STREAM.rawValue
                // Allowed from inside the read callback (nghttp2.h, nghttp2_submit_trailer).
                let rc = try? HeaderBlock.withNameValues(trailers) { nva, count in
                    nghttp2_submit_trailer(session, streamID, nva, count)
                }
                guard rc == 0 else { return Int(temporalFailure) }
            }
        }
        flags.pointee |= result
        return length
    }

    // MARK: Input

    func didBeginFrame(_ header: nghttp2_frame_hd) -> Int32 {
        if header.type == frameType(NGHTTP2_DATA) && header.length == 0
            && header.flags & flag(NGHTTP2_FLAG_END_STREAM) == 0
        {
            return recordEmptyDataFrame()
        }
        return ok
    }

    func didBeginHeaders(_ frame: UnsafePointer<nghttp2_frame>) -> Int32 {
        guard frame.pointee.hd.type == frameType(NGHTTP2_HEADERS) else { return ok }
        let id = frame.pointee.hd.stream_id
        if role == .server && frame.pointee.headers.cat == NGHTTP2_HCAT_REQUEST {
            streams[id] = StreamState(id: id)
        }
        if let stream = streams[id] {
            stream.headers = HTTP2Headers()
            stream.headerListSize = 0
        }
        return ok
    }

    /// One decoded header field; enforces SETTINGS_MAX_HEADER_LIST_SIZE and the field count.
    func didReceiveHeader(
        frame: UnsafePointer<nghttp2_frame>, name: UnsafeBufferPointer<UInt8>, value: UnsafeBufferPointer<UInt8>
    ) -> Int32 {
        guard frame.pointee.hd.type == frameType(NGHTTP2_HEADERS),
            let stream = streams[frame.pointee.hd.stream_id]
        else { return ok }
        stream.headerListSize += name.count + value.count + 32
        if stream.headerListSize > settings.maxHeaderListSize || stream.headers.count >= settings.maxHeaderFields {
            // nghttp2 answers TEMPORAL_CALLBACK_FAILURE with RST_STREAM(INTERNAL_ERROR) and skips the
            // rest of the block (still decoding it, to keep HPACK state in step). That reset is
            // counted in resetsSent when it goes out.
            counters.oversizedHeaderLists += 1
            stream.headers = HTTP2Headers()
            enqueue(.headerListTooLarge(streamID: stream.id))
            return temporalFailure
        }
        stream.headers.append(name: String(decoding: name, as: UTF8.self), value: String(decoding: value, as: UTF8.self))
        return ok
    }

    func didReceiveFrame(_ frame: UnsafePointer<nghttp2_frame>) -> Int32 {
        let header = frame.pointee.hd
        let endStream = header.flags & flag(NGHTTP2_FLAG_END_STREAM) != 0
        switch UInt32(header.type) {
        case NGHTTP2_DATA.rawValue:
            if header.length > 0 && header.length == frame.pointee.data.padlen && !endStream {
                // Padding only: as empty as a zero-length frame.
                let rc = recordEmptyDataFrame()
                if rc != ok { return rc }
            }
            if endStream, let stream = streams[header.stream_id], stream.announced {
                if !(eventHead < events.count && events[events.count - 1].markEndStream(of: stream.id)) {
                    enqueue(.data(streamID: stream.id, bytes: [], endStream: true))
                }
            }
        case NGHTTP2_HEADERS.rawValue:
            guard let stream = streams[header.stream_id] else { return ok }
            let headers = stream.headers
            stream.headers = HTTP2Headers()
            didReceiveHeaderBlock(headers, category: frame.pointee.headers.cat, stream: stream, endStream: endStream)
        case NGHTTP2_SETTINGS.rawValue:
            if header.flags & flag(NGHTTP2_FLAG_ACK) != 0 { enqueue(.settingsAcknowledged) }
        case NGHTTP2_PING.rawValue:
            let opaque = withUnsafeBytes(of: frame.pointee.ping.opaque_data) { $0.loadUnaligned(as: UInt64.self) }
            if header.flags & flag(NGHTTP2_FLAG_ACK) != 0 {
                enqueue(.pingAcknowledged(opaqueData: UInt64(bigEndian: opaque)))
            } else {
                return didReceivePing()
            }
        case NGHTTP2_GOAWAY.rawValue:
            let goaway = frame.pointee.goaway
            let debugData = goaway.opaque_data.map { Array(UnsafeBufferPointer(start: $0, count: goaway.opaque_data_len)) } ?? []
            enqueue(
                .goAway(
                    lastStreamID: goaway.last_stream_id, errorCode: HTTP2ErrorCode(rawValue: goaway.error_code),
                    debugData: debugData))
        default:
            break
        }
        return ok
    }

    private func didReceiveHeaderBlock(
        _ headers: HTTP2Headers, category: nghttp2_headers_category, stream: StreamState, endStream: Bool
    ) {
        switch (role, category) {
        case (.server, NGHTTP2_HCAT_REQUEST):
            stream.announced = true
            stream.receivedInitialHeaders = true
            enqueue(.requestHeaders(streamID: stream.id, headers: headers, endStream: endStream))
        case (.client, NGHTTP2_HCAT_RESPONSE):
            didReceiveResponseHeaders(headers, stream: stream, endStream: endStream)
        case (.client, NGHTTP2_HCAT_HEADERS) where !stream.receivedInitialHeaders:
            // nghttp2 files the final response after a 1xx under HCAT_HEADERS.
            didReceiveResponseHeaders(headers, stream: stream, endStream: endStream)
        case (_, NGHTTP2_HCAT_HEADERS):
            guard stream.announced else { return }
            enqueue(.trailers(streamID: stream.id, headers: headers))
        default:
            break
        }
    }

    private func didReceiveResponseHeaders(_ headers: HTTP2Headers, stream: StreamState, endStream: Bool) {
        if headers[":status"]?.hasPrefix("1") == true { return }  // informational (1xx): not surfaced
        stream.receivedInitialHeaders = true
        enqueue(.responseHeaders(streamID: stream.id, headers: headers, endStream: endStream))
    }

    func didReceiveData(streamID: Int32, bytes: UnsafeRawBufferPointer) -> Int32 {
        guard let stream = streams[streamID], stream.announced else {
            // Nobody will read these bytes, so return their credit now.
            nghttp2_session_consume(session, streamID, bytes.count)
            return ok
        }
        stream.unconsumedBytes += bytes.count
        if eventHead < events.count && events[events.count - 1].appendData(bytes, to: streamID) {
            return ok
        }
        enqueue(.data(streamID: streamID, bytes: Array(bytes), endStream: false))
        return ok
    }

    func didReceiveInvalidFrame(libraryError: Int32) -> Int32 {
        counters.invalidFrames += 1
        if invalidFramesWindow.record(at: settings.now()) {
            return tripAbuseLimit("more than \(settings.maxInvalidFramesPerWindow) invalid frames per window",
                debugData: "too_many_invalid_frames", duringReceive: true)
        }
        return ok
    }

    private func recordEmptyDataFrame() -> Int32 {
        counters.emptyDataFrames += 1
        if emptyDataFramesWindow.record(at: settings.now()) {
            return tripAbuseLimit("more than \(settings.maxEmptyDataFramesPerWindow) empty DATA frames per window",
                debugData: "too_many_empty_frames", duringReceive: true)
        }
        return ok
    }

    /// grpc-go's keepalive enforcement (`http2_server.go` handlePing), server side only.
    private func didReceivePing() -> Int32 {
        let policy = settings.pingPolicy
        guard role == .server, policy.isEnabled else { return ok }
        let now = settings.now()
        let previous = lastPingReceivedAt
        lastPingReceivedAt = now
        if pingStrikesResetPending {
            pingStrikesResetPending = false
            counters.pingStrikes = 0
            return ok
        }
        let interval = streams.isEmpty && !policy.permitWithoutStreams
            ? policy.minimumIntervalWithoutStreams : policy.minimumInterval
        if let previous, now &- previous < interval.wholeNanoseconds {
            counters.pingStrikes += 1
        }
        if counters.pingStrikes > policy.maxStrikes {
            return tripAbuseLimit("too many pings (\(counters.pingStrikes) strikes)",
                debugData: "too_many_pings", duringReceive: true)
        }
        return ok
    }

    func didCloseStream(_ id: Int32, errorCode: HTTP2ErrorCode) -> Int32 {
        guard let stream = streams.removeValue(forKey: id) else { return ok }
        if stream.unconsumedBytes > 0 {
            // The stream's window dies with it, but the connection window must get its credit back.
            nghttp2_session_consume_connection(session, stream.unconsumedBytes)
        }
        if stream.announced {
            enqueue(.streamClosed(streamID: id, errorCode: errorCode))
        }
        return ok
    }

    // MARK: Sent frames

    func didSendFrame(_ frame: UnsafePointer<nghttp2_frame>) -> Int32 {
        let header = frame.pointee.hd
        switch UInt32(header.type) {
        case NGHTTP2_HEADERS.rawValue, NGHTTP2_DATA.rawValue:
            pingStrikesResetPending = true
            if role == .server && header.flags & flag(NGHTTP2_FLAG_END_STREAM) != 0
                && nghttp2_session_get_stream_remote_close(session, header.stream_id) == 0
            {
                // gRPC §1.5: after the response ends while the client is still sending, free the
                // stream with RST_STREAM(NO_ERROR). Must happen here, after the END_STREAM frame went
                // out, because an earlier reset would cancel the queued trailers.
                nghttp2_submit_rst_stream(
                    session, UInt8(NGHTTP2_FLAG_NONE.rawValue), header.stream_id, HTTP2ErrorCode.noError.rawValue)
            }
        case NGHTTP2_RST_STREAM.rawValue:
            let code = frame.pointee.rst_stream.error_code
            if code != HTTP2ErrorCode.noError.rawValue && streams[header.stream_id]?.resetByApplication != true {
                counters.resetsSent += 1
                if resetsSentWindow.record(at: settings.now()) {
                    _ = tripAbuseLimit("more than \(settings.maxResetsSentPerWindow) stream resets per window",
                        debugData: "too_many_resets", duringReceive: false)
                }
            }
        case NGHTTP2_GOAWAY.rawValue:
            let code = HTTP2ErrorCode(rawValue: frame.pointee.goaway.error_code)
            switch lifecycle {
            case .terminating(let error) where code != .noError:
                lifecycle = .terminated(error)
            case .active where code != .noError:
                lifecycle = .terminated(HTTP2Error(.protocolError, "sent GOAWAY(\(code))"))
            default:
                break
            }
        default:
            break
        }
        return ok
    }

    func didNotSendFrame(_ frame: UnsafePointer<nghttp2_frame>) -> Int32 {
        // A request whose HEADERS never went out (GOAWAY received, stream IDs exhausted, or reset
        // while queued) has no nghttp2 stream, so no close callback will come: close it here.
        let id = frame.pointee.hd.stream_id
        guard frame.pointee.hd.type == frameType(NGHTTP2_HEADERS), frame.pointee.headers.cat == NGHTTP2_HCAT_REQUEST,
            nghttp2_session_find_stream(session, id) == nil
        else { return ok }
        return didCloseStream(id, errorCode: .refusedStream)
    }

    // MARK: Abuse

    /// Queues GOAWAY(ENHANCE_YOUR_CALM) and marks the connection as terminating.
    ///
    /// During receive the callback failure stops nghttp2 at once and `receive` throws; during
    /// send the GOAWAY simply goes out with the rest and the next `receive` throws.
    private func tripAbuseLimit(_ message: String, debugData: String, duringReceive: Bool) -> Int32 {
        let error = HTTP2Error(.enhanceYourCalm, message)
        if case .active = lifecycle {
            let debug = Array(debugData.utf8)
            let rc = nghttp2_submit_goaway(
                session, UInt8(NGHTTP2_FLAG_NONE.rawValue), nghttp2_session_get_last_proc_stream_id(session),
                HTTP2ErrorCode.enhanceYourCalm.rawValue, debug, debug.count)
            lifecycle = rc == 0 ? .terminating(error) : .terminated(error)
        }
        guard duringReceive else { return ok }
        pendingError = error
        return NGHTTP2_ERR_CALLBACK_FAILURE.rawValue
    }
}
