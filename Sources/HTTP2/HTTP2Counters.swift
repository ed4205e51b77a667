// SPDX-License-Identifier: Apache-2.0

/// Totals of the suspicious events the engine watches, for metrics and tests.
///
/// nghttp2 1.52 limits only received RST_STREAM (rapid reset) and CONTINUATION runs; these are
/// the other abuse signals (reference §3.7) that the engine counts itself. Totals cover the
/// connection's life; the per-window limits in `HTTP2Settings` decide when to send GOAWAY.
public struct HTTP2Counters: Hashable, Sendable {
    /// RST_STREAM frames the engine or nghttp2 sent because of the peer's behaviour (protocol
    /// errors, refused streams, oversized header lists). Resets the application asked for with
    /// `submitReset` and the courtesy RST_STREAM(NO_ERROR) after early trailers are not counted.
    public var resetsSent = 0
    /// Frames nghttp2 rejected as invalid (`on_invalid_frame_recv_callback`).
    public var invalidFrames = 0
    /// DATA frames with no payload and no END_STREAM (a CVE-2019-9518 pattern).
    public var emptyDataFrames = 0
    /// Current gRPC ping strikes (reset whenever we send HEADERS or DATA).
    public var pingStrikes = 0
    /// Header blocks rejected for exceeding `maxHeaderListSize` or `maxHeaderFields`.
    public var oversizedHeaderLists = 0

    public init() {}
}
