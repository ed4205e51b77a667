// SPDX-License-Identifier: Apache-2.0
internal import CNGHTTP2

// The nghttp2 callbacks: file-level `@convention(c)` functions that recover the owning
// `HTTP2Connection` from `user_data` (passed unretained: the connection owns the session, so it
// outlives every callback) and forward to its methods in HTTP2Connection+Callbacks.swift. Those
// methods stash any Swift error on the connection and return nghttp2's failure code; the public
// method that called into nghttp2 rethrows it.

/// Builds a callbacks object for the duration of `body` (nghttp2 copies it into the session).
func withSessionCallbacks<R>(_ body: (OpaquePointer) -> R) -> R {
    var raw: OpaquePointer?
    precondition(nghttp2_session_callbacks_new(&raw) == 0 && raw != nil, "nghttp2: out of memory")
    let callbacks = raw!
    defer { nghttp2_session_callbacks_del(callbacks) }
    nghttp2_session_callbacks_set_send_callback(callbacks, sendCallback)
    nghttp2_session_callbacks_set_send_data_callback(callbacks, sendDataCallback)
    nghttp2_session_callbacks_set_on_begin_frame_callback(callbacks, onBeginFrame)
    nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks, onBeginHeaders)
    nghttp2_session_callbacks_set_on_header_callback(callbacks, onHeader)
    nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, onFrameRecv)
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, onDataChunkRecv)
    nghttp2_session_callbacks_set_on_invalid_frame_recv_callback(callbacks, onInvalidFrameRecv)
    nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, onStreamClose)
    nghttp2_session_callbacks_set_on_frame_send_callback(callbacks, onFrameSend)
    nghttp2_session_callbacks_set_on_frame_not_send_callback(callbacks, onFrameNotSend)
    return body(callbacks)
}

/// Builds the session options for the duration of `body` (nghttp2 copies them into the session).
func withSessionOptions<R>(_ settings: HTTP2Settings, role: HTTP2Connection.Role, _ body: (OpaquePointer) -> R) -> R {
    var raw: OpaquePointer?
    precondition(nghttp2_option_new(&raw) == 0 && raw != nil, "nghttp2: out of memory")
    let options = raw!
    defer { nghttp2_option_del(options) }
    // The application returns window credit with consume(), after it has really used the bytes.
    nghttp2_option_set_no_auto_window_update(options, 1)
    nghttp2_option_set_no_closed_streams(options, 1)
    nghttp2_option_set_max_outbound_ack(options, settings.maxOutboundAcks)
    nghttp2_option_set_max_continuations(options, settings.maxContinuations)
    nghttp2_option_set_stream_reset_rate_limit(
        options, settings.streamResetBurst, settings.streamResetRatePerSecond)
    if role == .client {
        // Until the server's SETTINGS arrive, assume a common limit rather than "unlimited".
        nghttp2_option_set_peer_max_concurrent_streams(options, 100)
    }
    return body(options)
}

private func owner(_ userData: UnsafeMutableRawPointer?) -> HTTP2Connection {
    guard let userData else { preconditionFailure("nghttp2 callback without user_data") }
    return Unmanaged<HTTP2Connection>.fromOpaque(userData).takeUnretainedValue()
}

private let callbackFailure = NGHTTP2_ERR_CALLBACK_FAILURE.rawValue

private func sendCallback(
    _ session: OpaquePointer?, _ data: UnsafePointer<UInt8>?, _ length: Int, _ flags: Int32,
    _ userData: UnsafeMutableRawPointer?
) -> Int {
    guard let data else { return Int(callbackFailure) }
    return owner(userData).send(UnsafeRawBufferPointer(start: data, count: length))
}

private func sendDataCallback(
    _ session: OpaquePointer?, _ frame: UnsafeMutablePointer<nghttp2_frame>?,
    _ frameHeader: UnsafePointer<UInt8>?, _ length: Int, _ source: UnsafeMutablePointer<nghttp2_data_source>?,
    _ userData: UnsafeMutableRawPointer?
) -> Int32 {
    guard let frame, let frameHeader else { return callbackFailure }
    return owner(userData).sendData(frame: frame, header: frameHeader, length: length)
}

/// The data provider's read callback: attached to every stream whose local side is still open.
func readDataCallback(
    _ session: OpaquePointer?, _ streamID: Int32, _ buffer: UnsafeMutablePointer<UInt8>?, _ length: Int,
    _ dataFlags: UnsafeMutablePointer<UInt32>?, _ source: UnsafeMutablePointer<nghttp2_data_source>?,
    _ userData: UnsafeMutableRawPointer?
) -> Int {
    guard let dataFlags else { return Int(callbackFailure) }
    return owner(userData).readData(streamID: streamID, maxLength: length, flags: dataFlags)
}

private func onBeginFrame(
    _ session: OpaquePointer?, _ header: UnsafePointer<nghttp2_frame_hd>?, _ userData: UnsafeMutableRawPointer?
) -> Int32 {
    guard let header else { return callbackFailure }
    return owner(userData).didBeginFrame(header.pointee)
}

private func onBeginHeaders(
    _ session: OpaquePointer?, _ frame: UnsafePointer<nghttp2_frame>?, _ userData: UnsafeMutableRawPointer?
) -> Int32 {
    guard let frame else { return callbackFailure }
    return owner(userData).didBeginHeaders(frame)
}

private func onHeader(
    _ session: OpaquePointer?, _ frame: UnsafePointer<nghttp2_frame>?, _ name: UnsafePointer<UInt8>?,
    _ nameLength: Int, _ value: UnsafePointer<UInt8>?, _ valueLength: Int, _ flags: UInt8,
    _ userData: UnsafeMutableRawPointer?
) -> Int32 {
    guard let frame else { return callbackFailure }
    return owner(userData).didReceiveHeader(
        frame: frame,
        name: UnsafeBufferPointer(start: name, count: nameLength),
        value: UnsafeBufferPointer(start: value, count: valueLength))
}

private func onFrameRecv(
    _ session: OpaquePointer?, _ frame: UnsafePointer<nghttp2_frame>?, _ userData: UnsafeMutableRawPointer?
) -> Int32 {
    guard let frame else { return callbackFailure }
    return owner(userData).didReceiveFrame(frame)
}

private func onDataChunkRecv(
    _ session: OpaquePointer?, _ flags: UInt8, _ streamID: Int32, _ data: UnsafePointer<UInt8>?, _ length: Int,
    _ userData: UnsafeMutableRawPointer?
) -> Int32 {
    owner(userData).didReceiveData(streamID: streamID, bytes: UnsafeRawBufferPointer(start: data, count: length))
}

private func onInvalidFrameRecv(
    _ session: OpaquePointer?, _ frame: UnsafePointer<nghttp2_frame>?, _ libraryError: Int32,
    _ userData: UnsafeMutableRawPointer?
) -> Int32 {
    owner(userData).didReceiveInvalidFrame(libraryError: libraryError)
}

private func onStreamClose(
    _ session: OpaquePointer?, _ streamID: Int32, _ errorCode: UInt32, _ userData: UnsafeMutableRawPointer?
) -> Int32 {
    owner(userData).didCloseStream(streamID, errorCode: HTTP2ErrorCode(rawValue: errorCode))
}

private func onFrameSend(
    _ session: OpaquePointer?, _ frame: UnsafePointer<nghttp2_frame>?, _ userData: UnsafeMutableRawPointer?
) -> Int32 {
    guard let frame else { return callbackFailure }
    return owner(userData).didSendFrame(frame)
}

private func onFrameNotSend(
    _ session: OpaquePointer?, _ frame: UnsafePointer<nghttp2_frame>?, _ libraryError: Int32,
    _ userData: UnsafeMutableRawPointer?
) -> Int32 {
    guard let frame else { return callbackFailure }
    return owner(userData).didNotSendFrame(frame)
}
