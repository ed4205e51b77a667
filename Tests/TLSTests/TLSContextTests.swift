// SPDX-License-Identifier: Apache-2.0
// UsageFlow — TLS tests

import COpenSSL
import TestSupport
import Testing
@testable import TLS

@Suite("TLSContext")
struct TLSContextTests {
    let certificates = TestCertificates.shared

    @Test func loadsFromFilesAndFromMemory() throws {
        let fromFiles = try TLSContext(configuration: .server(
            certificateChainPEMFile: certificates.path("server.pem"),
            privateKeyPEMFile: certificates.path("server.key")
        ))
        let fromMemory = try TLSContext(configuration: certificates.serverConfiguration())
        #expect(fromFiles.configuration.role == .server)
        #expect(fromMemory.configuration.certificateChain == certificates.pem("server.pem"))
        _ = try TLSContext(configuration: .client(trustRootsPEMFile: certificates.path("ca.pem"), serverName: "localhost"))
    }

    @Test func appliesTheHTTP2Policy() throws {
        let context = try TLSContext(configuration: certificates.serverConfiguration())
        let options = SSL_CTX_get_options(context.handle)
        #expect(options & copenssl_op_no_compression() != 0)
        #expect(options & copenssl_op_no_renegotiation() != 0)
        #expect(options & copenssl_op_cipher_server_preference() != 0)
        let mode = copenssl_ctx_get_mode(context.handle)
        #expect(mode & Int(SSL_MODE_RELEASE_BUFFERS) != 0)
        #expect(mode & Int(SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER) != 0)
        #expect(mode & Int(SSL_MODE_ENABLE_PARTIAL_WRITE) != 0)
        #expect(mode & Int(SSL_MODE_NO_AUTO_CHAIN) != 0)
        #expect(copenssl_ctx_get_min_proto_version(context.handle) == TLS1_2_VERSION)
        #expect(copenssl_ctx_get_max_proto_version(context.handle) == TLS1_3_VERSION)
        // Every TLS 1.2 suite on offer is ECDHE + AEAD.
        let ssl = try #require(SSL_new(context.handle))
        defer { SSL_free(ssl) }
        let ciphers = try #require(SSL_get_ciphers(ssl))
        var tls12: [String] = []
        for index in 0..<OPENSSL_sk_num(ciphers) {
            let cipher = OpaquePointer(OPENSSL_sk_value(ciphers, index))
            let name = String(cString: SSL_CIPHER_get_name(cipher))
            if !name.hasPrefix("TLS_") { tls12.append(name) }
        }
        #expect(Set(tls12) == Set(TLSContext.tls12Ciphers.split(separator: ":").map(String.init)))
    }

    @Test("a key that does not match the certificate is a clear error", arguments: [
        ("server", "client"),  // same type, different key
        ("server-rsa", "server"),  // RSA certificate, EC key
    ])
    func keyMismatch(certificate: String, key: String) throws {
        let configuration = TLSConfiguration.server(
            certificateChain: certificates.pem(certificate + ".pem"),
            privateKey: certificates.pem(key + ".key")
        )
        let error = try #require(throws: TLSError.self) { try TLSContext(configuration: configuration) }
        #expect(error.code == .privateKeyMismatch)
        #expect(error.reason.contains("does not match"))
    }

    @Test func missingFileNamesThePath() throws {
        let configuration = TLSConfiguration.server(
            certificateChainPEMFile: "/nonexistent/server.pem",
            privateKeyPEMFile: certificates.path("server.key")
        )
        let error = try #require(throws: TLSError.self) { try TLSContext(configuration: configuration) }
        #expect(error.code == .invalidConfiguration)
        #expect(error.reason.contains("/nonexistent/server.pem"))
        #expect(!error.openSSLErrors.isEmpty)
    }

    @Test("PEM without a certificate or key is refused", arguments: [
        ("garbage", "not a certificate"),
        ("empty", ""),
        ("broken", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"),
    ])
    func unusablePEM(label: String, text: String) throws {
        let badChain = TLSConfiguration.server(certificateChain: .string(text), privateKey: certificates.pem("server.key"))
        #expect(throws: TLSError.self) { try TLSContext(configuration: badChain) }
        let badKey = TLSConfiguration.server(certificateChain: certificates.pem("server.pem"), privateKey: .string(text))
        let error = try #require(throws: TLSError.self) { try TLSContext(configuration: badKey) }
        #expect(error.code == .invalidConfiguration)
        let badRoots = TLSConfiguration.client(trustRoots: .string(text), serverName: "localhost")
        #expect(throws: TLSError.self) { try TLSContext(configuration: badRoots) }
    }

    @Test func encryptedKeyIsRefusedWithoutPrompting() throws {
        let configuration = TLSConfiguration.server(
            certificateChain: certificates.pem("client.pem"),
            privateKey: certificates.pem("encrypted.key")
        )
        let error = try #require(throws: TLSError.self) { try TLSContext(configuration: configuration) }
        #expect(error.code == .invalidConfiguration)
    }

    @Test func inconsistentConfigurationsAreRefused() throws {
        var client = certificates.clientConfiguration()
        client.certificateChain = certificates.pem("client.pem")
        #expect(throws: TLSError.self) { try TLSContext(configuration: client) }

        var backwards = certificates.serverConfiguration()
        backwards.minimumVersion = .tls1_3
        backwards.maximumVersion = .tls1_2
        let error = try #require(throws: TLSError.self) { try TLSContext(configuration: backwards) }
        #expect(error.code == .invalidConfiguration)

        var noName = certificates.clientConfiguration()
        noName.serverName = ""
        #expect(throws: TLSError.self) { try TLSContext(configuration: noName) }

        let server = try TLSContext(configuration: certificates.serverConfiguration())
        #expect(throws: TLSError.self) { try TLSConnection(context: server, serverName: "localhost") }
    }

    @Test func clientWithoutTrustRootsUsesTheSystemStore() throws {
        let context = try TLSContext(configuration: .client(trustRoots: nil, serverName: "localhost"))
        // Our test CA is not in the system store.
        let client = try TLSConnection(context: context)
        let server = try TLSConnection(context: TLSContext(configuration: certificates.serverConfiguration()))
        let outcome = pump(client: client, server: server)
        #expect(outcome.clientTLSError?.code == .certificateVerificationFailed)
    }

    @Test func tls13OnlyServerRefusesATLS12Client() throws {
        var server = certificates.serverConfiguration()
        server.minimumVersion = .tls1_3
        var client = certificates.clientConfiguration()
        client.maximumVersion = .tls1_2
        let pair = try ConnectedPair(client: client, server: server)
        #expect(pair.outcome.serverTLSError?.code == .handshakeFailed)
        #expect(pair.outcome.clientTLSError?.code == .alertReceived)
        #expect(pair.outcome.clientTLSError?.alert == 70)  // protocol_version
    }

    @Test func oneContextServesConnectionsOnManyThreads() async throws {
        let server = try TLSContext(configuration: certificates.serverConfiguration())
        let client = try TLSContext(configuration: certificates.clientConfiguration())
        try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    let a = try TLSConnection(context: client)
                    let b = try TLSConnection(context: server)
                    return pump(client: a, server: b).succeeded && b.isHandshakeComplete
                }
            }
            for try await succeeded in group { #expect(succeeded) }
        }
    }
}
