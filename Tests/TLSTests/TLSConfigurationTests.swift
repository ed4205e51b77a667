// SPDX-License-Identifier: Apache-2.0
// UsageFlow — TLS tests

import Testing
import TLS

@Suite("TLSConfiguration")
struct TLSConfigurationTests {
    @Test func serverFileConstructorUsesFiles() {
        let configuration = TLSConfiguration.server(
            certificateChainPEMFile: "/etc/usageflow/server.pem",
            privateKeyPEMFile: "/etc/usageflow/server.key",
            clientCertificateVerification: .required(trustRoots: .file("/etc/usageflow/ca.pem"))
        )
        #expect(configuration.role == .server)
        #expect(configuration.certificateChain == .file("/etc/usageflow/server.pem"))
        #expect(configuration.privateKey == .file("/etc/usageflow/server.key"))
        #expect(configuration.clientCertificateVerification == .required(trustRoots: .file("/etc/usageflow/ca.pem")))
        #expect(configuration.serverName == nil)
        #expect(configuration.minimumVersion == .tls1_2)
        #expect(configuration.maximumVersion == .tls1_3)
    }

    @Test func clientFileConstructorMakesCertificateOptional() {
        let plain = TLSConfiguration.client(trustRootsPEMFile: "/ca.pem", serverName: "api.example.com")
        #expect(plain.role == .client)
        #expect(plain.trustRoots == .file("/ca.pem"))
        #expect(plain.serverName == "api.example.com")
        #expect(plain.certificateChain == nil && plain.privateKey == nil)
        #expect(plain.clientCertificateVerification == .none)

        let mutual = TLSConfiguration.client(
            trustRootsPEMFile: "/ca.pem", serverName: "localhost",
            certificateChainPEMFile: "/client.pem", privateKeyPEMFile: "/client.key"
        )
        #expect(mutual.certificateChain == .file("/client.pem"))
        #expect(mutual.privateKey == .file("/client.key"))
    }

    @Test func pemFromAString() {
        #expect(TLSConfiguration.PEM.string("abc") == .bytes([0x61, 0x62, 0x63]))
    }

    @Test func describingAConfigurationNeverShowsKeyBytes() {
        let secret = "-----BEGIN PRIVATE KEY-----\nTOPSECRET\n-----END PRIVATE KEY-----\n"
        let configuration = TLSConfiguration.server(certificateChain: .file("/server.pem"), privateKey: .string(secret))
        for text in [String(describing: configuration), String(reflecting: configuration), "\(configuration.privateKey!)"] {
            #expect(!text.contains("TOPSECRET"))
            #expect(!text.contains("45, 45, 45"))  // "---" as bytes
        }
        #expect(configuration.privateKey?.description == "(\(secret.utf8.count) bytes in memory)")
        #expect(configuration.certificateChain?.description == "file '/server.pem'")
    }

}
