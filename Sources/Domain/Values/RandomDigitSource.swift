// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// Where `IdentifierGenerator` takes the random digits of new ids from.
///
/// A protocol so that tests and demo data can script the digits and get the same ids every run,
/// while the server uses `SystemRandomDigitSource`. Sources are shared by concurrent requests, so
/// they are `Sendable` and keep any state of their own behind a lock.
public protocol RandomDigitSource: Sendable {
    /// Returns a decimal digit, 0 through 9, each equally likely.
    ///
    /// A value above 9 is reduced modulo 10 by the generator, so a faulty source can never make a
    /// malformed id.
    func nextDigit() -> UInt8
}
