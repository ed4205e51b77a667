// SPDX-License-Identifier: Apache-2.0
internal import Glibc

/// What one HTTP/2 connection advertises and enforces, including the abuse limits nghttp2 1.52
/// does not apply by itself.
///
/// Defaults follow reference §3.2/§3.7 and gRPC: 100 concurrent streams (as nghttpx, h2o and
/// Envoy's edge profile), 1 MiB stream and 16 MiB connection windows for ingest, 8 KiB header
/// lists (gRPC's suggested default), and grpc-go's keepalive enforcement for pings.
public struct HTTP2Settings: Sendable {
    /// SETTINGS_MAX_CONCURRENT_STREAMS we advertise (nghttp2's default would be unlimited).
    public var maxConcurrentStreams: UInt32 = 100
    /// SETTINGS_INITIAL_WINDOW_SIZE: how much a peer may send on one stream before we consume.
    public var initialWindowSize: UInt32 = 1 << 20
    /// The connection-level receive window, set with `nghttp2_session_set_local_window_size`.
    public var connectionWindowSize: UInt32 = 16 << 20
    /// SETTINGS_MAX_FRAME_SIZE we accept (16 KiB ... 16 MiB − 1).
    public var maxFrameSize: UInt32 = 1 << 14
    /// SETTINGS_MAX_HEADER_LIST_SIZE: advertised, and enforced by the engine because nghttp2
    /// 1.52 does not (name + value + 32 octets per field, per header block).
    public var maxHeaderListSize: Int = 8192
    /// The most fields one header block may carry (nghttpx's `max-request-header-fields`).
    public var maxHeaderFields: Int = 100

    /// The length of the fixed window the three per-window abuse limits below count within.
    public var abuseWindow: Duration = .seconds(10)
    /// RST_STREAM frames we may send per window because of the peer's behaviour ("MadeYouReset",
    /// CVE-2025-8671). Application resets and NO_ERROR resets do not count.
    public var maxResetsSentPerWindow: Int = 100
    /// Invalid frames the peer may send per window.
    public var maxInvalidFramesPerWindow: Int = 100
    /// Empty DATA frames without END_STREAM the peer may send per window (CVE-2019-9518).
    public var maxEmptyDataFramesPerWindow: Int = 100

    /// CONTINUATION frames allowed after one HEADERS frame (Debian's CVE-2024-28182 backport).
    public var maxContinuations: Int = 8
    /// nghttp2's token bucket for received RST_STREAM (CVE-2023-44487): initial and maximum tokens.
    public var streamResetBurst: UInt64 = 1000
    /// Tokens the received-RST_STREAM bucket regains per second.
    public var streamResetRatePerSecond: UInt64 = 33
    /// Pending outbound ACKs (SETTINGS/PING) before nghttp2 declares a flood (CVE-2019-9512/9515).
    public var maxOutboundAcks: Int = 1000

    /// gRPC keepalive enforcement for PINGs the server receives; ignored by clients.
    public var pingPolicy = PingPolicy()

    /// A monotonic clock in nanoseconds, injectable so abuse-window tests are deterministic.
    public var now: @Sendable () -> UInt64 = HTTP2Settings.monotonicNanoseconds

    public init() {}

    /// grpc-go's server keepalive enforcement (`doc/keepalive.md`, `http2_server.go` handlePing).
    ///
    /// A PING that arrives sooner than the minimum interval after the previous one is a strike;
    /// strikes reset whenever we send HEADERS or DATA (so BDP pings riding on traffic are free).
    /// More than `maxStrikes` strikes → GOAWAY(ENHANCE_YOUR_CALM, "too_many_pings").
    public struct PingPolicy: Sendable {
        /// Minimum interval between PINGs while streams are open (gRPC: 5 minutes).
        public var minimumInterval: Duration = .seconds(300)
        /// Minimum interval while no stream is open, unless `permitWithoutStreams` (gRPC: 2 hours).
        public var minimumIntervalWithoutStreams: Duration = .seconds(7200)
        /// Treat idle connections like busy ones (gRPC's `PermitWithoutStream`).
        public var permitWithoutStreams = false
        /// Strikes tolerated; one more closes the connection (gRPC: 2).
        public var maxStrikes = 2
        /// Set false to accept any PING rate (nghttp2's outbound-ACK cap still applies).
        public var isEnabled = true

        public init() {}
    }

    /// CLOCK_MONOTONIC in nanoseconds.
    @Sendable public static func monotonicNanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }
}

extension Duration {
    /// Whole nanoseconds, saturating at zero for negative durations.
    var wholeNanoseconds: UInt64 {
        let (seconds, attoseconds) = components
        if seconds < 0 { return 0 }
        return UInt64(seconds).multipliedReportingOverflow(by: 1_000_000_000).partialValue
            &+ UInt64(attoseconds / 1_000_000_000)
    }
}
