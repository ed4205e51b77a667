// SPDX-License-Identifier: Apache-2.0
// UsageFlow — tests for Sources/RPCCore/GRPCTimeout.swift and PercentEncoding.swift

import RPCCore
import Testing

@Suite("grpc-timeout and grpc-message encodings")
struct GRPCTimeoutTests {
    @Test(arguments: [
        ("1H", Int64(3_600_000_000_000)), ("2M", 120_000_000_000), ("5S", 5_000_000_000), ("100m", 100_000_000),
        ("7u", 7_000), ("9n", 9), ("0S", 0), ("99999999H", Int64.max),
    ])
    func validTimeoutsParse(header: String, nanoseconds: Int64) throws {
        #expect(GRPCTimeout(header: header)?.nanoseconds == nanoseconds)
    }

    @Test(arguments: ["", "S", "1", "1s", "123456789S", "-1S", "1.5S", "1 S", "1SS", "１S"])
    func malformedTimeoutsAreRejected(header: String) {
        #expect(GRPCTimeout(header: header) == nil)
    }

    @Test func headerValuesRoundUpAndFitEightDigits() {
        #expect(GRPCTimeout(nanoseconds: 1_500).headerValue == "1500n")
        #expect(GRPCTimeout(nanoseconds: 120_000_000_000).headerValue == "120000m")
        #expect(GRPCTimeout(nanoseconds: 3_600_000_000_001).headerValue == "3600001m")
        #expect(GRPCTimeout(header: GRPCTimeout(nanoseconds: 123_456_789_123).headerValue)!.nanoseconds >= 123_456_789_123)
    }

    @Test(arguments: [
        ("plain text", "plain text"), ("100%", "100%25"), ("line\nbreak", "line%0Abreak"), ("résumé", "r%C3%A9sum%C3%A9"),
        ("\t\u{7F}", "%09%7F"), (" edge spaces ", "%20edge spaces%20"), (" ", "%20"),
    ])
    func messagesArePercentEncodedAndDecoded(plain: String, encoded: String) {
        #expect(PercentEncoding.encode(plain) == encoded)
        #expect(PercentEncoding.decode(encoded) == plain)
    }

    @Test func malformedEscapesDecodeLeniently() {
        #expect(PercentEncoding.decode("50%") == "50%")
        #expect(PercentEncoding.decode("%zz%4") == "%zz%4")
    }
}
