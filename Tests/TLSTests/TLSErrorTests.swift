// SPDX-License-Identifier: Apache-2.0
// UsageFlow — TLS tests

import Testing
import TLS

@Suite("TLSError")
struct TLSErrorTests {
    @Test func descriptionCarriesEveryDetail() {
        let error = TLSError(
            code: .certificateVerificationFailed,
            reason: "the server certificate did not verify",
            verificationReason: "hostname mismatch",
            alert: 42,
            openSSLErrors: ["error:0A000086:SSL routines::certificate verify failed"]
        )
        #expect(error.description == "certificate verification failed: the server certificate did not verify "
            + "(verify: hostname mismatch) (alert 42) [error:0A000086:SSL routines::certificate verify failed]")
    }

    @Test func codesCompareByKind() {
        #expect(TLSError.Code.closed == .closed)
        #expect(TLSError.Code.closed != .protocolError)
        let a = TLSError(code: .closed, reason: "x")
        #expect(a == TLSError(code: .closed, reason: "x"))
        #expect(a.description == "TLS connection closed: x")
    }
}
