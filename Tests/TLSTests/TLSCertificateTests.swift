// SPDX-License-Identifier: Apache-2.0
// UsageFlow — TLS tests

import TestSupport
import Testing
@testable import TLS

@Suite("TLSCertificate")
struct TLSCertificateTests {
    let certificates = TestCertificates.shared

    @Test func readsSubjectIssuerNamesAndFingerprint() throws {
        let server = try #require(try TLSCertificate.certificates(fromPEM: certificates.pem("server.pem")).first)
        #expect(server.subject == "CN=localhost,O=UsageFlow Test")
        #expect(server.issuer == "CN=UsageFlow Test CA,O=UsageFlow Test")
        #expect(server.subjectAlternativeNames == [.dnsName("localhost"), .ipAddress("127.0.0.1"), .ipAddress("::1")])
        #expect(server.sha256Fingerprint.count == 32)
        #expect(server.sha256FingerprintHex == (try certificates.openSSLFingerprint("server.pem")))
        #expect(server.subjectAlternativeNames.map(\.description) == ["DNS:localhost", "IP:127.0.0.1", "IP:::1"])
    }

    @Test func derRoundTrips() throws {
        let client = try #require(try TLSCertificate.certificates(fromPEM: .file(certificates.path("client.pem"))).first)
        let reparsed = try TLSCertificate(der: client.der)
        #expect(reparsed == client)
        #expect(client.der.first == 0x30)  // a DER SEQUENCE
        #expect(client.subjectAlternativeNames == [.uri(TestCertificates.clientSPIFFEID)])
    }

    @Test func readsEveryCertificateOfAChain() throws {
        let chain = try TLSCertificate.certificates(fromPEM: certificates.pem("server-chain.pem"))
        #expect(chain.count == 2)
        #expect(chain[0].issuer == chain[1].subject)
    }

    @Test func invalidDERThrows() {
        #expect(throws: TLSError.self) { try TLSCertificate(der: [0x30, 0x03, 0x01, 0x02]) }
        #expect(throws: TLSError.self) { try TLSCertificate(der: []) }
    }

    @Test func hexIsLowercaseWithoutSeparators() {
        #expect(TLSCertificate.hex([0x00, 0x0F, 0xA0, 0xFF]) == "000fa0ff")
    }
}
