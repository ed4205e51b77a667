// SPDX-License-Identifier: Apache-2.0
// UsageFlow — DomainTests

import Domain
import Testing

@Suite("Currency")
struct ChannelCurrencyTests {
    @Test(
        "active codes are accepted", arguments: ["USD", "EUR", "GBP", "JPY", "CHF", "XOF", "XCG", "ZWG", "SLE", "VED"])
    func activeCodes(code: String) throws {
        #expect(Currency.isActive(code))
        var validation = Validation()
        Currency.validate("currency", code, into: &validation)
        #expect(validation.violations.isEmpty)
    }

    @Test(
        "withdrawn, non-money and made-up codes are refused",
        arguments: [
            "HRK", "BGN", "ANG", "ZWL", "SLL", "CUC", "DEM", "XAU", "XDR", "XTS", "XXX", "ABC", "US", "USDX", "U$D",
        ])
    func inactiveCodes(code: String) {
        #expect(!Currency.isActive(code))
        var validation = Validation()
        Currency.validate("currency", code, into: &validation)
        #expect(validation.violations.map(\.field) == ["currency"])
    }

    @Test("every code is three upper-case ASCII letters")
    func shape() {
        #expect(Currency.activeCodes.count > 150)
        for code in Currency.activeCodes {
            #expect(
                code.utf8.count == 3 && code.utf8.allSatisfy { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) })
        }
    }

    @Test(
        "messages say what is wrong without echoing hostile text",
        arguments: [
            ("", "is required (an ISO 4217 code such as USD or EUR)"),
            ("usd", "must be upper case: USD, not usd"),
            ("Eur", "must be upper case: EUR, not Eur"),
            ("XYZ", "XYZ is not an active ISO 4217 currency code (such as USD or EUR)"),
            ("US\u{7}", "is not an active ISO 4217 currency code (such as USD or EUR)"),
            (String(repeating: "A", count: 300), "is not an active ISO 4217 currency code (such as USD or EUR)"),
        ])
    func messages(code: String, description: String) {
        var validation = Validation()
        Currency.validate("currency", code, into: &validation)
        #expect(validation.violations == [FieldViolation(field: "currency", description: description)])
    }
}
