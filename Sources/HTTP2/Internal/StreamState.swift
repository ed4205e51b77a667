// SPDX-License-Identifier: Apache-2.0

/// The engine's bookkeeping for one open stream, kept from its first frame until nghttp2 closes it.
///
/// A class so callbacks can mutate it in place through the connection's dictionary without
/// copy-on-write of the outbound buffer.
final class StreamState {
    let id: Int32
    /// The application knows this stream (it received the request, or submitted it), so it will
    /// be told when the stream closes.
    var announced = false

    // Inbound header block being decoded.
    var headers = HTTP2Headers()
    var headerListSize = 0
    /// A final (non-1xx) request or response header block has been delivered; later blocks are trailers.
    var receivedInitialHeaders = false
    /// Bytes delivered in `.data` events that the application has not yet `consume`d.
    var unconsumedBytes = 0

    // Outbound.
    /// Bytes submitted but not yet serialized into DATA frames.
    var outbound = ByteQueue()
    /// Server: response headers were submitted.
    var sentInitialHeaders = false
    /// A data provider is attached, so DATA and trailers flow through `readData`.
    var hasDataProvider = false
    /// The application ended its side (END_STREAM on headers or data, or trailers submitted).
    var localEnded = false
    /// The read callback returned NGHTTP2_ERR_DEFERRED; resume on the next submit.
    var dataDeferred = false
    /// Trailers to send once `outbound` drains.
    var pendingTrailers: HTTP2Headers?
    /// The application asked for RST_STREAM, so it does not count as an abuse signal.
    var resetByApplication = false

    init(id: Int32) { self.id = id }
}
