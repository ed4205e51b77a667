// SPDX-License-Identifier: Apache-2.0

/// Something the peer did, produced by `HTTP2Connection.receive(_:)` and read with `nextEvent()`.
///
/// Events for one stream arrive in wire order. Every stream the application has seen (a request
/// it received, or a request it submitted) ends with exactly one `.streamClosed`.
public enum HTTP2Event: Hashable, Sendable {
    /// Server: a new request. `endStream` means the request has no body (rare in gRPC).
    case requestHeaders(streamID: Int32, headers: HTTP2Headers, endStream: Bool)
    /// Client: the final response headers; with `endStream` this is a gRPC Trailers-Only response.
    case responseHeaders(streamID: Int32, headers: HTTP2Headers, endStream: Bool)
    /// A trailing header block; it always ends the peer's side of the stream.
    case trailers(streamID: Int32, headers: HTTP2Headers)
    /// Body bytes. Adjacent chunks of one stream are coalesced while unread. Flow-control credit
    /// is returned only when the application calls `consume(streamID:count:)` for them.
    case data(streamID: Int32, bytes: [UInt8], endStream: Bool)
    /// The stream is gone: both sides ended, or a RST_STREAM went either way (`errorCode` tells).
    case streamClosed(streamID: Int32, errorCode: HTTP2ErrorCode)
    /// A header block exceeded `maxHeaderListSize` or `maxHeaderFields`; the stream was reset
    /// with INTERNAL_ERROR. On the server the request was never surfaced, so no other event
    /// follows for it; on the client `.streamClosed` follows.
    case headerListTooLarge(streamID: Int32)
    /// The peer sent GOAWAY: streams above `lastStreamID` were not processed and may be retried.
    case goAway(lastStreamID: Int32, errorCode: HTTP2ErrorCode, debugData: [UInt8])
    /// The peer acknowledged our SETTINGS.
    case settingsAcknowledged
    /// The peer answered a PING we sent with `submitPing(opaqueData:)`.
    case pingAcknowledged(opaqueData: UInt64)
}

extension HTTP2Event {
    /// Appends a chunk to an unfinished `.data` event of the same stream, in place.
    ///
    /// `self` is overwritten before appending so the bytes array is uniquely referenced and grows
    /// without a copy.
    mutating func appendData(_ chunk: UnsafeRawBufferPointer, to streamID: Int32) -> Bool {
        guard case .data(streamID, var bytes, false) = self else { return false }
        self = .settingsAcknowledged
        bytes.append(contentsOf: chunk)
        self = .data(streamID: streamID, bytes: bytes, endStream: false)
        return true
    }

    /// Sets END_STREAM on an unfinished `.data` event of the same stream, in place.
    mutating func markEndStream(of streamID: Int32) -> Bool {
        guard case .data(streamID, let bytes, false) = self else { return false }
        self = .data(streamID: streamID, bytes: bytes, endStream: true)
        return true
    }
}
