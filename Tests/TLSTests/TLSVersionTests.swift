// SPDX-License-Identifier: Apache-2.0
// UsageFlow — TLS tests

import COpenSSL
import Testing
@testable import TLS

@Suite("TLSVersion")
struct TLSVersionTests {
    @Test func mapsOnlySupportedOpenSSLVersions() {
        #expect(TLSVersion(openSSLVersion: TLS1_3_VERSION) == .tls1_3)
        #expect(TLSVersion(openSSLVersion: TLS1_2_VERSION) == .tls1_2)
        #expect(TLSVersion(openSSLVersion: TLS1_1_VERSION) == nil)
        #expect(TLSVersion.tls1_2 < .tls1_3)
    }
}
