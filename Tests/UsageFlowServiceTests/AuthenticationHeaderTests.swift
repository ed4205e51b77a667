// SPDX-License-Identifier: Apache-2.0
// UsageFlow — UsageFlowServiceTests

import Domain
import Testing

@testable import ServiceSupport

// The `authorization` header's syntax, including the whitespace HTTP/2 would not carry to the
// in-process transport: a case-insensitive scheme, spaces or tabs after it, spaces around it.

@Suite struct AuthenticationHeaderTests {
    static let token = "KEY-1234-5678.AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"

    enum Outcome: Sendable, Equatable {
        case token, malformed, unsupportedScheme
    }

    static let cases: [(String, Outcome)] = [
        ("Bearer " + token, .token),
        ("bearer " + token, .token),
        ("BeArEr " + token, .token),
        ("Bearer     " + token, .token),
        ("Bearer\t" + token, .token),
        ("  Bearer " + token + "  ", .token),
        ("\tBearer " + token + "\t", .token),
        ("", .malformed),
        ("   ", .malformed),
        ("Bearer", .malformed),
        ("Bearer ", .malformed),
        ("Bearer " + token + " extra", .malformed),
        ("Bearer " + token + "x", .malformed),
        ("Bearer KEY-1234-5678", .malformed),
        ("Bearer ." + token.split(separator: ".")[1], .malformed),
        ("Bearer  KEY-1234-5678 .AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8", .malformed),
        (token, .malformed),
        ("Bearer" + token, .unsupportedScheme),
        ("Basic dXNlcjpwYXNz", .unsupportedScheme),
        ("Token " + token, .unsupportedScheme),
        ("Bearer: " + token, .unsupportedScheme),
    ]

    @Test("header values", arguments: cases)
    func parses(_ value: String, _ expected: Outcome) {
        let outcome: Outcome
        switch BearerCredential(headerValue: value) {
        case .token(let parsed):
            outcome = .token
            #expect(parsed.text == Self.token)
        case .malformed: outcome = .malformed
        case .unsupportedScheme: outcome = .unsupportedScheme
        }
        #expect(outcome == expected)
    }
}
