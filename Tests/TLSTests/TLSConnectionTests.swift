// SPDX-License-Identifier: Apache-2.0
// UsageFlow — TLS tests

import COpenSSL
import TestSupport
import Testing
@testable import TLS

@Suite("TLSConnection")
struct TLSConnectionTests {
    let certificates = TestCertificates.shared

    // MARK: - Handshake and negotiation

    @Test func handshakeNegotiatesTLS13AndH2ByDefault() throws {
        let pair = try ConnectedPair(client: certificates.clientConfiguration(), server: certificates.serverConfiguration())
        #expect(pair.outcome.succeeded)
        for side in [pair.client, pair.server] {
            #expect(side.isHandshakeComplete)
            #expect(side.negotiatedProtocol == "h2")
            #expect(side.protocolVersion == "TLSv1.3")
            #expect(side.negotiatedVersion == .tls1_3)
            #expect(side.cipherSuite?.hasPrefix("TLS_") == true)
        }
        #expect(pair.server.serverName == "localhost")
        #expect(pair.client.peerCertificate?.subject == "CN=localhost,O=UsageFlow Test")
        #expect(pair.client.peerCertificate?.subjectAlternativeNames.contains(.dnsName("localhost")) == true)
        #expect(pair.server.peerCertificateChain.isEmpty)
        #expect(!pair.client.hasPendingCiphertext && !pair.server.hasPendingCiphertext)
    }

    @Test func clientSendsItsHelloAtOnce() throws {
        let client = try TLSConnection(context: TLSContext(configuration: certificates.clientConfiguration()))
        #expect(client.hasPendingCiphertext)
        #expect(!client.isHandshakeComplete)
        let hello = client.takeCiphertext()
        #expect(hello.first == 0x16)  // handshake record
        #expect(client.pendingCiphertextCount == 0)
    }

    @Test("TLS 1.2 with an AEAD suite when the client is capped", arguments: ["server", "server-rsa"])
    func tls12WhenClientCapped(certificate: String) throws {
        var client = certificates.clientConfiguration()
        client.maximumVersion = .tls1_2
        let pair = try ConnectedPair(client: client, server: certificates.serverConfiguration(certificate: certificate))
        #expect(pair.outcome.succeeded)
        #expect(pair.server.protocolVersion == "TLSv1.2")
        #expect(pair.client.negotiatedVersion == .tls1_2)
        #expect(pair.server.negotiatedProtocol == "h2")
        let suite = try #require(pair.server.cipherSuite)
        #expect(TLSContext.tls12Ciphers.split(separator: ":").contains(Substring(suite)))
        #expect(suite.hasPrefix(certificate == "server" ? "ECDHE-ECDSA-" : "ECDHE-RSA-"))
        let echoed = try pair.transfer(Array("ping".utf8), fromClient: true)
        #expect(echoed == Array("ping".utf8))
    }

    @Test func ipAddressServerNameVerifiesAgainstIPSANWithoutSNI() throws {
        let pair = try ConnectedPair(
            client: certificates.clientConfiguration(serverName: "127.0.0.1"),
            server: certificates.serverConfiguration()
        )
        #expect(pair.outcome.succeeded)
        #expect(pair.server.serverName == nil)
    }

    @Test func serverNameOverridePerConnection() throws {
        let pair = try ConnectedPair(
            client: certificates.clientConfiguration(serverName: "example.com"),
            server: certificates.serverConfiguration(),
            serverName: "localhost"
        )
        #expect(pair.outcome.succeeded)
        #expect(pair.client.serverName == "localhost")
    }

    @Test func intermediateChainIsSentAndVerified() throws {
        let pair = try ConnectedPair(
            client: certificates.clientConfiguration(),
            server: certificates.serverConfiguration(certificate: "server-chain")
        )
        #expect(pair.outcome.succeeded)
        let chain = pair.client.peerCertificateChain
        #expect(chain.count == 2)
        #expect(chain.last?.subject == "CN=UsageFlow Test Intermediate,O=UsageFlow Test")
        #expect(chain.first?.issuer == chain.last?.subject)
    }

    @Test func handshakeFedOneByteAtATime() throws {
        let pair = try ConnectedPair(
            client: certificates.clientConfiguration(certificate: "client"),
            server: certificates.serverConfiguration(clientCertificateVerification: .required(trustRoots: certificates.pem("ca.pem"))),
            chunkSize: 1
        )
        #expect(pair.outcome.succeeded)
        #expect(pair.server.isHandshakeComplete && pair.client.isHandshakeComplete)
        // Application data byte by byte too.
        try pair.client.writePlaintext(Array("hello, byte by byte".utf8))
        #expect(pump(client: pair.client, server: pair.server, chunkSize: 1).succeeded)
        var received: [UInt8] = []
        try pair.server.readPlaintext(into: &received)
        #expect(received == Array("hello, byte by byte".utf8))
    }

    // MARK: - ALPN

    @Test("a client that does not offer h2 is refused with no_application_protocol", arguments: [["http/1.1"], nil])
    func clientWithoutH2IsRejected(alpn: [String]?) throws {
        let server = try TLSConnection(context: TLSContext(configuration: certificates.serverConfiguration()))
        let client = try RawOpenSSLPeer(server: false, alpn: alpn)
        let outcome = pump(client: client, server: server)
        let serverError = try #require(outcome.serverTLSError)
        #expect(serverError.code == .noApplicationProtocol)
        #expect(serverError.alert == 120)
        #expect(!server.isHandshakeComplete)
        let clientError = try #require(outcome.clientError)
        #expect("\(clientError)".contains("no application protocol"))
    }

    @Test func serverThatIgnoresALPNIsRejectedByTheClient() throws {
        let server = try RawOpenSSLPeer(
            server: true,
            certificateFile: certificates.path("server.pem"),
            keyFile: certificates.path("server.key")
        )
        let client = try TLSConnection(context: TLSContext(configuration: certificates.clientConfiguration()))
        let outcome = pump(client: client, server: server)
        #expect(server.negotiatedProtocol == nil)
        #expect(outcome.clientTLSError?.code == .noApplicationProtocol)
        #expect(!client.isHandshakeComplete)
        #expect(throws: TLSError.self) { try client.writePlaintext([1]) }
    }

    // MARK: - Versions and ciphers

    @Test func tls11ClientIsRejected() throws {
        let server = try TLSConnection(context: TLSContext(configuration: certificates.serverConfiguration()))
        let client = try RawOpenSSLPeer(
            server: false,
            minimumVersion: TLS1_1_VERSION,
            maximumVersion: TLS1_1_VERSION,
            cipherList: "ECDHE-ECDSA-AES128-SHA:@SECLEVEL=0"
        )
        let outcome = pump(client: client, server: server)
        let serverError = try #require(outcome.serverTLSError)
        #expect(serverError.code == .handshakeFailed)
        #expect(serverError.openSSLErrors.contains { $0.contains("unsupported protocol") })
        #expect("\(try #require(outcome.clientError))".contains("protocol version"))
    }

    @Test func tls12ClientOfferingOnlyCBCSuitesIsRejected() throws {
        let server = try TLSConnection(context: TLSContext(configuration: certificates.serverConfiguration()))
        let client = try RawOpenSSLPeer(
            server: false,
            maximumVersion: TLS1_2_VERSION,
            cipherList: "ECDHE-ECDSA-AES128-SHA256:ECDHE-ECDSA-AES128-SHA"
        )
        let outcome = pump(client: client, server: server)
        let serverError = try #require(outcome.serverTLSError)
        #expect(serverError.code == .handshakeFailed)
        #expect(serverError.openSSLErrors.contains { $0.contains("no shared cipher") })
        #expect(outcome.clientError != nil)
    }

    @Test func rawTLS12ClientWithH2Interoperates() throws {
        let server = try TLSConnection(context: TLSContext(configuration: certificates.serverConfiguration()))
        let client = try RawOpenSSLPeer(server: false, maximumVersion: TLS1_2_VERSION)
        #expect(pump(client: client, server: server).succeeded)
        #expect(client.negotiatedProtocol == "h2")
        #expect(server.protocolVersion == "TLSv1.2")
    }

    // MARK: - Application data

    @Test func applicationDataFlowsBothWays() throws {
        let pair = try ConnectedPair(client: certificates.clientConfiguration(), server: certificates.serverConfiguration())
        #expect(try pair.transfer(Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8), fromClient: true)
            == Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8))
        #expect(try pair.transfer(Array("settings".utf8), fromClient: false) == Array("settings".utf8))
    }

    @Test("a 1 MiB payload in chunks", arguments: [true, false])
    func oneMebibytePayload(fromClient: Bool) throws {
        let pair = try ConnectedPair(client: certificates.clientConfiguration(), server: certificates.serverConfiguration())
        var generator = SystemRandomNumberGenerator()
        let payload = (0..<(1 << 20)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let received = try pair.transfer(payload, fromClient: fromClient, writeChunk: 50_000)
        #expect(received.count == payload.count)
        #expect(received == payload)
    }

    @Test func ciphertextAppendedToTheCallersBufferFollowsWhatWasPending() throws {
        let pair = try ConnectedPair(client: certificates.clientConfiguration(), server: certificates.serverConfiguration())
        // Something already pending (a plain write), then two direct writes into a buffer that
        // already holds bytes of its own: the order must be kept and nothing else touched.
        try pair.server.writePlaintext(Array("first ".utf8))
        var output: [UInt8] = [0xAA, 0xBB]
        let second = [UInt8](repeating: 0x42, count: 40_000)
        try second.withUnsafeBytes { try pair.server.writePlaintext($0, appendingCiphertextTo: &output) }
        #expect(!pair.server.hasPendingCiphertext)
        try Array(" third".utf8).withUnsafeBytes { try pair.server.writePlaintext($0, appendingCiphertextTo: &output) }
        #expect(Array(output.prefix(2)) == [0xAA, 0xBB])
        try pair.client.receiveCiphertext(Array(output.dropFirst(2)))
        var received: [UInt8] = []
        while try pair.client.readPlaintext(into: &received) > 0 {}
        #expect(received == Array("first ".utf8) + second + Array(" third".utf8))
    }

    @Test func directWritesBeforeTheHandshakeAreHeldAndAfterCloseThrow() throws {
        let client = try TLSConnection(context: TLSContext(configuration: certificates.clientConfiguration()))
        let server = try TLSConnection(context: TLSContext(configuration: certificates.serverConfiguration()))
        var hello: [UInt8] = []
        try Array("early".utf8).withUnsafeBytes { try client.writePlaintext($0, appendingCiphertextTo: &hello) }
        // Only the ClientHello went out; the early bytes wait for the handshake.
        try server.receiveCiphertext(hello)
        #expect(pump(client: client, server: server).succeeded)
        var atServer: [UInt8] = []
        try server.readPlaintext(into: &atServer)
        #expect(atServer == Array("early".utf8))
        client.close()
        var output: [UInt8] = []
        #expect(throws: TLSError.self) {
            try Array("late".utf8).withUnsafeBytes { try client.writePlaintext($0, appendingCiphertextTo: &output) }
        }
    }

    @Test func plaintextWrittenDuringTheHandshakeIsSentWhenItCompletes() throws {
        let client = try TLSConnection(context: TLSContext(configuration: certificates.clientConfiguration()))
        let server = try TLSConnection(context: TLSContext(configuration: certificates.serverConfiguration()))
        try client.writePlaintext(Array("early client".utf8))
        try server.writePlaintext(Array("early server".utf8))
        #expect(pump(client: client, server: server).succeeded)
        var atServer: [UInt8] = []
        var atClient: [UInt8] = []
        try server.readPlaintext(into: &atServer)
        try client.readPlaintext(into: &atClient)
        #expect(atServer == Array("early client".utf8))
        #expect(atClient == Array("early server".utf8))
    }

    @Test func readBudgetLeavesPendingPlaintextFlagged() throws {
        let pair = try ConnectedPair(client: certificates.clientConfiguration(), server: certificates.serverConfiguration())
        try pair.client.writePlaintext([UInt8](repeating: 7, count: 40_000))
        #expect(pump(client: pair.client, server: pair.server).succeeded)
        var received: [UInt8] = []
        #expect(try pair.server.readPlaintext(into: &received, maxBytes: 1000) == 1000)
        #expect(pair.server.hasPendingPlaintext)
        while try pair.server.readPlaintext(into: &received, maxBytes: 1000) > 0 {}
        #expect(received.count == 40_000)
        #expect(!pair.server.hasPendingPlaintext)
        // Reading into a raw buffer works the same way.
        try pair.server.writePlaintext([1, 2, 3])
        #expect(pump(client: pair.client, server: pair.server).succeeded)
        var raw = [UInt8](repeating: 0, count: 8)
        let count = try raw.withUnsafeMutableBytes { try pair.client.readPlaintext(into: $0) }
        #expect(Array(raw.prefix(count)) == [1, 2, 3])
    }

    @Test func partialRecordIsNotReportedAsPendingPlaintext() throws {
        let pair = try ConnectedPair(client: certificates.clientConfiguration(), server: certificates.serverConfiguration())
        try pair.client.writePlaintext([UInt8](repeating: 9, count: 100))
        let record = pair.client.takeCiphertext()
        try pair.server.receiveCiphertext(Array(record.prefix(50)))
        #expect(pair.server.hasPendingPlaintext)  // unread ciphertext
        var received: [UInt8] = []
        #expect(try pair.server.readPlaintext(into: &received) == 0)
        #expect(!pair.server.hasPendingPlaintext)  // only part of a record: wait for the socket
        try pair.server.receiveCiphertext(Array(record.dropFirst(50)))
        #expect(try pair.server.readPlaintext(into: &received) == 100)
    }

    // MARK: - Mutual TLS

    @Test func requiredClientCertificateSignedByTheCAIsAccepted() throws {
        let pair = try ConnectedPair(
            client: certificates.clientConfiguration(certificate: "client"),
            server: certificates.serverConfiguration(clientCertificateVerification: .required(trustRoots: certificates.pem("ca.pem")))
        )
        #expect(pair.outcome.succeeded)
        let peer = try #require(pair.server.peerCertificate)
        #expect(peer.subject == "CN=test-client,O=UsageFlow Test")
        #expect(peer.issuer == "CN=UsageFlow Test CA,O=UsageFlow Test")
        #expect(peer.sha256FingerprintHex == (try certificates.openSSLFingerprint("client.pem")))
        #expect(peer.subjectAlternativeNames == [.uri(TestCertificates.clientSPIFFEID)])
        #expect(pair.server.peerCertificateChain.count == 1)  // exactly what the client configured
        #expect(try pair.transfer(Array("authorized".utf8), fromClient: true) == Array("authorized".utf8))
    }

    @Test func clientCertificateFilesWork() throws {
        let client = TLSConfiguration.client(
            trustRootsPEMFile: certificates.path("ca.pem"),
            serverName: "localhost",
            certificateChainPEMFile: certificates.path("client.pem"),
            privateKeyPEMFile: certificates.path("client.key")
        )
        let server = TLSConfiguration.server(
            certificateChainPEMFile: certificates.path("server.pem"),
            privateKeyPEMFile: certificates.path("server.key"),
            clientCertificateVerification: .required(trustRoots: .file(certificates.path("ca.pem")))
        )
        let pair = try ConnectedPair(client: client, server: server)
        #expect(pair.outcome.succeeded)
        #expect(pair.server.peerCertificate?.subject == "CN=test-client,O=UsageFlow Test")
    }

    @Test("a required client certificate that is missing is refused", arguments: [TLSVersion.tls1_3, .tls1_2])
    func missingRequiredClientCertificateIsRejected(version: TLSVersion) throws {
        var client = certificates.clientConfiguration()
        client.maximumVersion = version
        let pair = try ConnectedPair(
            client: client,
            server: certificates.serverConfiguration(clientCertificateVerification: .required(trustRoots: certificates.pem("ca.pem")))
        )
        let serverError = try #require(pair.outcome.serverTLSError)
        #expect(serverError.code == .certificateVerificationFailed)
        #expect(serverError.verificationReason == "no certificate presented")
        #expect(!pair.server.isHandshakeComplete)
        // TLS 1.3 clients finish before the server judges their certificate; they see the alert
        // on their next read. TLS 1.2 clients see it in the handshake.
        let clientError: TLSError
        if let error = pair.outcome.clientTLSError {
            clientError = error
        } else {
            var received: [UInt8] = []
            clientError = try #require(throws: TLSError.self) { try pair.client.readPlaintext(into: &received) }
        }
        #expect(clientError.code == .alertReceived)
        #expect(clientError.alert == (version == .tls1_3 ? 116 : 40))
    }

    @Test(
        "a client certificate from another CA, or expired, is refused",
        arguments: [("rogue-client", "unable to get local issuer certificate"), ("expired-client", "certificate has expired")]
    )
    func untrustedClientCertificateIsRejected(certificate: String, reason: String) throws {
        let pair = try ConnectedPair(
            client: certificates.clientConfiguration(certificate: certificate),
            server: certificates.serverConfiguration(clientCertificateVerification: .required(trustRoots: certificates.pem("ca.pem")))
        )
        let serverError = try #require(pair.outcome.serverTLSError)
        #expect(serverError.code == .certificateVerificationFailed)
        #expect(serverError.verificationReason == reason)
        #expect(pair.server.peerCertificateChain.isEmpty)
    }

    @Test func optionalClientCertificateMayBeOmitted() throws {
        let pair = try ConnectedPair(
            client: certificates.clientConfiguration(),
            server: certificates.serverConfiguration(clientCertificateVerification: .optional(trustRoots: certificates.pem("ca.pem")))
        )
        #expect(pair.outcome.succeeded)
        #expect(pair.server.peerCertificateChain.isEmpty)
        #expect(try pair.transfer([42], fromClient: true) == [42])
    }

    @Test func optionalClientCertificateMustVerifyWhenPresented() throws {
        let pair = try ConnectedPair(
            client: certificates.clientConfiguration(certificate: "rogue-client"),
            server: certificates.serverConfiguration(clientCertificateVerification: .optional(trustRoots: certificates.pem("ca.pem")))
        )
        #expect(pair.outcome.serverTLSError?.code == .certificateVerificationFailed)
    }

    // MARK: - Server verification by the client

    @Test func wrongHostNameIsRejectedByTheClient() throws {
        let pair = try ConnectedPair(
            client: certificates.clientConfiguration(serverName: "api.example.com"),
            server: certificates.serverConfiguration()
        )
        let clientError = try #require(pair.outcome.clientTLSError)
        #expect(clientError.code == .certificateVerificationFailed)
        #expect(clientError.verificationReason == "hostname mismatch")
        #expect(!pair.client.isHandshakeComplete)
        // The server learns why from the client's alert (bad_certificate).
        let serverError = try #require(pair.outcome.serverTLSError)
        #expect(serverError.code == .alertReceived)
        #expect(serverError.alert == 42)
    }

    @Test func serverSignedByAnUntrustedCAIsRejected() throws {
        let pair = try ConnectedPair(
            client: certificates.clientConfiguration(trusting: "other-ca"),
            server: certificates.serverConfiguration()
        )
        let clientError = try #require(pair.outcome.clientTLSError)
        #expect(clientError.code == .certificateVerificationFailed)
        #expect(clientError.verificationReason == "unable to get local issuer certificate")
    }

    // MARK: - Closing

    @Test func closeNotifyIsDeliveredBothWays() throws {
        let pair = try ConnectedPair(client: certificates.clientConfiguration(), server: certificates.serverConfiguration())
        try pair.client.writePlaintext(Array("last words".utf8))
        pair.client.close()
        #expect(pair.client.isOutputClosed)
        #expect(pump(client: pair.client, server: pair.server).succeeded)
        var received: [UInt8] = []
        while try pair.server.readPlaintext(into: &received) > 0 {}
        #expect(received == Array("last words".utf8))
        #expect(pair.server.isClosed)
        #expect(try pair.server.readPlaintext(into: &received) == 0)
        #expect(!pair.client.isClosed)

        pair.server.close()
        #expect(pump(client: pair.client, server: pair.server).succeeded)
        #expect(try pair.client.readPlaintext(into: &received) == 0)
        #expect(pair.client.isClosed)
        pair.client.close()  // idempotent
        #expect(!pair.client.hasPendingCiphertext)
    }

    @Test func writingAfterCloseThrowsClosed() throws {
        let pair = try ConnectedPair(client: certificates.clientConfiguration(), server: certificates.serverConfiguration())
        pair.server.close()
        let error = try #require(throws: TLSError.self) { try pair.server.writePlaintext([1]) }
        #expect(error.code == .closed)
    }

    @Test func closeDuringTheHandshakeSendsNothing() throws {
        let server = try TLSConnection(context: TLSContext(configuration: certificates.serverConfiguration()))
        server.close()
        #expect(!server.hasPendingCiphertext)
        #expect(throws: TLSError.self) { try server.writePlaintext([1]) }
    }

    // MARK: - Hostile input

    @Test(
        "garbage instead of a ClientHello throws, never traps",
        arguments: [
            Array("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n".utf8),
            Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8),
            [0x16, 0x03, 0x01, 0xFF, 0xFF] + [UInt8](repeating: 0, count: 64),
            [0x16, 0x03, 0x03, 0x00, 0x05, 0x01, 0x00, 0x00, 0x01, 0x00],
            (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 7) },
        ]
    )
    func garbageBeforeTheHandshake(bytes: [UInt8]) throws {
        let server = try TLSConnection(context: TLSContext(configuration: certificates.serverConfiguration()))
        let error = try #require(throws: TLSError.self) { try server.receiveCiphertext(bytes) }
        #expect(error.code == .handshakeFailed)
        #expect(!error.openSSLErrors.isEmpty)
        // The failure is sticky.
        #expect(throws: error) { try server.receiveCiphertext([0x16]) }
        #expect(throws: error) { try server.writePlaintext([1]) }
        _ = server.takeCiphertext()  // an alert, possibly
    }

    @Test func randomGarbageNeverTraps() throws {
        let context = try TLSContext(configuration: certificates.serverConfiguration())
        var generator = SystemRandomNumberGenerator()
        for length in [1, 5, 6, 100, 20_000] {
            for _ in 0..<20 {
                let server = try TLSConnection(context: context)
                let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
                do {
                    try server.receiveCiphertext(bytes)
                } catch {
                    #expect(!server.isHandshakeComplete)
                }
                _ = server.takeCiphertext()
            }
        }
    }

    @Test func corruptedRecordAfterTheHandshakeIsAProtocolError() throws {
        let pair = try ConnectedPair(client: certificates.clientConfiguration(), server: certificates.serverConfiguration())
        #expect(try pair.transfer([0], fromClient: false) == [0])  // the client has read its session tickets
        try pair.client.writePlaintext(Array("tamper with me".utf8))
        var record = pair.client.takeCiphertext()
        record[record.count - 3] ^= 0x01
        try pair.server.receiveCiphertext(record)
        var received: [UInt8] = []
        let error = try #require(throws: TLSError.self) { try pair.server.readPlaintext(into: &received) }
        #expect(error.code == .protocolError)
        #expect(error.openSSLErrors.contains { $0.contains("bad record mac") || $0.contains("decryption failed") })
        #expect(received.isEmpty)
        // An alert for the peer: TLS 1.3 encrypts it, so it travels as an application_data record.
        #expect(pair.server.takeCiphertext().first == 0x17)
    }

    // MARK: - Memory

    /// Heap bytes held by `count` idle, handshaken server connections, per connection.
    private func idleServerBytes(context: TLSContext, count: Int) throws -> Int {
        let clientContext = try TLSContext(configuration: certificates.clientConfiguration())
        var servers: [TLSConnection] = []
        // Warm up lazily allocated OpenSSL state before the baseline.
        do {
            let client = try TLSConnection(context: clientContext)
            let server = try TLSConnection(context: context)
            pump(client: client, server: server)
        }
        let before = try #require(HeapUsage.bytesInUse())
        for _ in 0..<count {
            let client = try TLSConnection(context: clientContext)
            let server = try TLSConnection(context: context)
            try server.writePlaintext([UInt8](repeating: 1, count: 32_768))
            #expect(pump(client: client, server: server).succeeded)
            var sink: [UInt8] = []
            while try client.readPlaintext(into: &sink) > 0 {}
            servers.append(server)
        }
        let after = try #require(HeapUsage.bytesInUse())
        withExtendedLifetime(servers) {}
        return (after - before) / count
    }

    @Test func idleConnectionMemoryStaysSmall() throws {
        let context = try TLSContext(configuration: certificates.serverConfiguration())
        // Other tests allocate and free concurrently, which skews a single measurement either way;
        // retry before concluding. Run this test alone for clean numbers.
        var perConnection = Int.max
        for _ in 0..<6 where perConnection > 64 * 1024 {
            perConnection = min(perConnection, try idleServerBytes(context: context, count: 200))
        }

        let unreleased = try TLSContext(configuration: certificates.serverConfiguration())
        _ = copenssl_ctx_clear_mode(unreleased.handle, Int(SSL_MODE_RELEASE_BUFFERS))
        let withoutReleaseBuffers = try idleServerBytes(context: unreleased, count: 200)

        print("idle server TLS connection: \(perConnection) bytes with SSL_MODE_RELEASE_BUFFERS, "
            + "\(withoutReleaseBuffers) bytes without")
        #expect(perConnection <= 64 * 1024)
    }
}
