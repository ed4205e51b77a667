// SPDX-License-Identifier: Apache-2.0
// UsageFlow — TLS

internal import COpenSSL

// Server handshake callbacks, installed on every server `SSL_CTX`. They are file-level functions
// (C function pointers cannot capture), find their `TLSConnection` through the `SSL`'s app data
// (set with `Unmanaged.passUnretained`: the connection owns the `SSL`, so it outlives every
// callback), stash a Swift error on it and return OpenSSL's failure code. The connection
// rethrows the stashed error from `SSL_do_handshake`'s failure.

/// Early in the ClientHello: refuse a client that offers no ALPN or an ALPN list without `h2`.
///
/// The ALPN select callback alone cannot do this, because OpenSSL does not call it at all when
/// the client sends no ALPN extension; the handshake would then complete without a protocol.
func inspectClientHello(
    _ ssl: OpaquePointer?,
    _ alert: UnsafeMutablePointer<Int32>?,
    _ argument: UnsafeMutableRawPointer?
) -> Int32 {
    guard let ssl else { return SSL_CLIENT_HELLO_ERROR }
    var data: UnsafePointer<UInt8>?
    var length = 0
    let present = SSL_client_hello_get0_ext(
        ssl,
        UInt32(TLSEXT_TYPE_application_layer_protocol_negotiation),
        &data,
        &length
    ) == 1
    // The extension body is a 2-byte list length followed by the length-prefixed protocol names.
    if present, let data, length >= 2,
       offersH2(UnsafeBufferPointer(start: data + 2, count: min(length - 2, Int(data[0]) << 8 | Int(data[1]))))
    {
        return SSL_CLIENT_HELLO_SUCCESS
    }
    TLSConnection.owner(of: ssl)?.stash(TLSError(
        code: .noApplicationProtocol,
        reason: present ? "the client does not offer ALPN h2" : "the client offers no ALPN protocols (h2 is required)",
        alert: Int(SSL_AD_NO_APPLICATION_PROTOCOL)
    ))
    alert?.pointee = SSL_AD_NO_APPLICATION_PROTOCOL
    return SSL_CLIENT_HELLO_ERROR
}

/// Selects `h2` from the client's ALPN list, or fails the handshake with a fatal
/// `no_application_protocol` alert.
func selectApplicationProtocol(
    _ ssl: OpaquePointer?,
    _ selected: UnsafeMutablePointer<UnsafePointer<UInt8>?>?,
    _ selectedLength: UnsafeMutablePointer<UInt8>?,
    _ offered: UnsafePointer<UInt8>?,
    _ offeredLength: UInt32,
    _ argument: UnsafeMutableRawPointer?
) -> Int32 {
    guard let offered, let selected, let selectedLength else { return SSL_TLSEXT_ERR_ALERT_FATAL }
    let list = UnsafeBufferPointer(start: offered, count: Int(offeredLength))
    if let h2 = h2Offset(in: list) {
        // OpenSSL copies the selection out of the client's list, which lives through this call.
        selected.pointee = offered + h2
        selectedLength.pointee = 2
        return SSL_TLSEXT_ERR_OK
    }
    if let ssl {
        TLSConnection.owner(of: ssl)?.stash(TLSError(
            code: .noApplicationProtocol,
            reason: "the client does not offer ALPN h2",
            alert: Int(SSL_AD_NO_APPLICATION_PROTOCOL)
        ))
    }
    return SSL_TLSEXT_ERR_ALERT_FATAL
}

/// Whether a length-prefixed ALPN protocol list contains "h2".
func offersH2(_ list: UnsafeBufferPointer<UInt8>) -> Bool {
    h2Offset(in: list) != nil
}

/// The offset of the bytes "h2" (after their length byte) in a length-prefixed ALPN list.
private func h2Offset(in list: UnsafeBufferPointer<UInt8>) -> Int? {
    var index = 0
    while index < list.count {
        let length = Int(list[index])
        let start = index + 1
        guard length > 0, start + length <= list.count else { return nil }
        if length == 2, list[start] == UInt8(ascii: "h"), list[start + 1] == UInt8(ascii: "2") {
            return start
        }
        index = start + length
    }
    return nil
}
