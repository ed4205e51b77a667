// SPDX-License-Identifier: Apache-2.0
// UsageFlow — TLS tests

import COpenSSL
import TLS

/// A deliberately misconfigurable OpenSSL endpoint over memory BIOs, for what `TLSConfiguration`
/// refuses to express: clients without ALPN h2, TLS 1.1, CBC-only cipher lists, and a server
/// that ignores ALPN.
///
/// Owns its `SSL_CTX` and `SSL` (which owns both BIOs); freed in `deinit`.
final class RawOpenSSLPeer: CiphertextEndpoint {
    struct Failure: Error, CustomStringConvertible {
        let errors: [String]
        var description: String { errors.joined(separator: "; ") }
    }

    private let context: OpaquePointer
    private let ssl: OpaquePointer
    private let toSSL: OpaquePointer
    private let fromSSL: OpaquePointer

    /// - Parameters:
    ///   - alpn: protocols to offer (client); nil sends no ALPN extension.
    ///   - cipherList: a TLS 1.2-and-older cipher list, may carry `@SECLEVEL=0` for TLS 1.1.
    init(
        server: Bool,
        alpn: [String]? = ["h2"],
        minimumVersion: Int32 = TLS1_2_VERSION,
        maximumVersion: Int32 = TLS1_3_VERSION,
        cipherList: String? = nil,
        certificateFile: String? = nil,
        keyFile: String? = nil,
        serverName: String = "localhost"
    ) throws {
        ERR_clear_error()
        context = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method())!
        _ = copenssl_ctx_set_min_proto_version(context, minimumVersion)
        _ = copenssl_ctx_set_max_proto_version(context, maximumVersion)
        if let cipherList, SSL_CTX_set_cipher_list(context, cipherList) != 1 {
            throw RawOpenSSLPeer.drain()
        }
        if let certificateFile, let keyFile {
            guard SSL_CTX_use_certificate_chain_file(context, certificateFile) == 1,
                  SSL_CTX_use_PrivateKey_file(context, keyFile, SSL_FILETYPE_PEM) == 1
            else { throw RawOpenSSLPeer.drain() }
        }
        if !server, let alpn {
            let wire = alpn.flatMap { [UInt8($0.utf8.count)] + Array($0.utf8) }
            guard SSL_CTX_set_alpn_protos(context, wire, UInt32(wire.count)) == 0 else { throw RawOpenSSLPeer.drain() }
        }
        SSL_CTX_set_verify(context, SSL_VERIFY_NONE, nil)
        ssl = SSL_new(context)!
        toSSL = BIO_new(BIO_s_mem())!
        fromSSL = BIO_new(BIO_s_mem())!
        SSL_set_bio(ssl, toSSL, fromSSL)
        if server {
            SSL_set_accept_state(ssl)
        } else {
            _ = copenssl_set_tlsext_host_name(ssl, serverName)
            SSL_set_connect_state(ssl)
            try advance()
        }
    }

    deinit {
        SSL_free(ssl)
        SSL_CTX_free(context)
    }

    var isHandshakeComplete: Bool { SSL_is_init_finished(ssl) == 1 }

    var negotiatedProtocol: String? {
        var data: UnsafePointer<UInt8>?
        var length: UInt32 = 0
        SSL_get0_alpn_selected(ssl, &data, &length)
        guard let data, length > 0 else { return nil }
        return String(decoding: UnsafeBufferPointer(start: data, count: Int(length)), as: UTF8.self)
    }

    func takeOutgoing() -> [UInt8] {
        let count = copenssl_bio_pending(fromSSL)
        guard count > 0 else { return [] }
        var bytes = [UInt8](repeating: 0, count: count)
        let read = bytes.withUnsafeMutableBytes { BIO_read(fromSSL, $0.baseAddress, Int32(count)) }
        return Array(bytes.prefix(Int(max(0, read))))
    }

    func receiveIncoming(_ bytes: [UInt8]) throws {
        _ = bytes.withUnsafeBytes { BIO_write(toSSL, $0.baseAddress, Int32($0.count)) }
        try advance()
    }

    /// Reads whatever plaintext is available (after the handshake), surfacing alerts as errors.
    func readAvailable() throws -> [UInt8] {
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16_384)
        while true {
            ERR_clear_error()
            var read = 0
            if SSL_read_ex(ssl, &buffer, buffer.count, &read) == 1 {
                result += buffer.prefix(read)
                continue
            }
            let status = SSL_get_error(ssl, 0)
            if status == SSL_ERROR_WANT_READ || status == SSL_ERROR_ZERO_RETURN { return result }
            throw RawOpenSSLPeer.drain()
        }
    }

    private func advance() throws {
        guard !isHandshakeComplete else { return }
        ERR_clear_error()
        let result = SSL_do_handshake(ssl)
        if result == 1 { return }
        let status = SSL_get_error(ssl, result)
        if status == SSL_ERROR_WANT_READ || status == SSL_ERROR_WANT_WRITE { return }
        throw RawOpenSSLPeer.drain()
    }

    private static func drain() -> Failure {
        var errors: [String] = []
        while case let code = ERR_get_error(), code != 0 {
            var buffer = [UInt8](repeating: 0, count: 256)
            buffer.withUnsafeMutableBufferPointer { pointer in
                pointer.withMemoryRebound(to: CChar.self) { ERR_error_string_n(code, $0.baseAddress, $0.count) }
            }
            errors.append(String(decoding: buffer.prefix { $0 != 0 }, as: UTF8.self))
        }
        return Failure(errors: errors)
    }
}
