// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// Digits from the operating system's cryptographically secure generator.
///
/// The default source: ids such as API key ids are shown to clients, so they should not be
/// predictable from one another. `SystemRandomNumberGenerator` has no state of its own, so this is
/// safe to share between threads.
public struct SystemRandomDigitSource: RandomDigitSource {
    public init() {}

    public func nextDigit() -> UInt8 {
        var generator = SystemRandomNumberGenerator()
        return UInt8.random(in: 0...9, using: &generator)
    }
}
