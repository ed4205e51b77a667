// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// The currencies a marketplace may price in: the active alphabetic codes of ISO 4217.
///
/// A marketplace's currency ends up on every invoice line a distributor exports, so a typo must
/// be refused when the marketplace is created rather than discovered by a billing system later.
/// The list is ISO 4217 List One as of 2026 (HRK, SLL, CUC, ZWL, ANG and BGN withdrawn; XCG and
/// ZWG added), without the codes that are not money a market can price in: precious metals (XAU,
/// XAG, XPT, XPD), bond-market units (XBA–XBD), XDR, XSU, XUA, and the testing and "no currency"
/// codes XTS and XXX. Fund codes such as USN or CLF stay, as ISO lists them with the currencies.
public enum Currency {
    /// Every code a marketplace may use, upper case.
    public static let activeCodes: Set<String> = [
        "AED", "AFN", "ALL", "AMD", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT", "BHD", "BIF",
        "BMD", "BND", "BOB", "BOV", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD", "CDF", "CHE", "CHF",
        "CHW", "CLF", "CLP", "CNY", "COP", "COU", "CRC", "CUP", "CVE", "CZK", "DJF", "DKK", "DOP", "DZD",
        "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS", "GIP", "GMD", "GNF", "GTQ", "GYD",
        "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "IQD", "IRR", "ISK", "JMD", "JOD", "JPY", "KES",
        "KGS", "KHR", "KMF", "KPW", "KRW", "KWD", "KYD", "KZT", "LAK", "LBP", "LKR", "LRD", "LSL", "LYD",
        "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR", "MWK", "MXN", "MXV", "MYR",
        "MZN", "NAD", "NGN", "NIO", "NOK", "NPR", "NZD", "OMR", "PAB", "PEN", "PGK", "PHP", "PKR", "PLN",
        "PYG", "QAR", "RON", "RSD", "RUB", "RWF", "SAR", "SBD", "SCR", "SDG", "SEK", "SGD", "SHP", "SLE",
        "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL", "THB", "TJS", "TMT", "TND", "TOP", "TRY", "TTD",
        "TWD", "TZS", "UAH", "UGX", "USD", "USN", "UYI", "UYU", "UYW", "UZS", "VED", "VES", "VND", "VUV",
        "WST", "XAF", "XCD", "XCG", "XOF", "XPF", "YER", "ZAR", "ZMW", "ZWG",
    ]

    /// Whether `code` is exactly an active code (upper case, three letters).
    public static func isActive(_ code: String) -> Bool {
        activeCodes.contains(code)
    }

    /// Adds a violation when `code` is not an active ISO 4217 code; codes are matched exactly, so
    /// `usd` is refused with a hint instead of being stored in a second spelling.
    public static func validate(_ field: String, _ code: String, into validation: inout Validation) {
        if code.isEmpty {
            validation.fail(field, "is required (an ISO 4217 code such as USD or EUR)")
        } else if !isActive(code) {
            let upper = code.uppercased()
            if upper != code && isActive(upper) {
                validation.fail(field, "must be upper case: \(upper), not \(code)")
            } else if code.unicodeScalars.count <= 8 && code.unicodeScalars.allSatisfy({ $0.properties.isAlphabetic }) {
                validation.fail(field, "\(code) is not an active ISO 4217 currency code (such as USD or EUR)")
            } else {
                // Not echoed: the value is long or holds characters a message should not carry.
                validation.fail(field, "is not an active ISO 4217 currency code (such as USD or EUR)")
            }
        }
    }
}
