// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Crypto

internal import COpenSSL

/// Whether `lhs` and `rhs` hold the same bytes, taking the same time wherever they differ.
///
/// Comparing a presented secret (or its hash) with `==` returns at the first differing byte, and
/// the time it takes tells an attacker how long a prefix they guessed right. `CRYPTO_memcmp`
/// reads every byte regardless. Lengths are compared first and openly: a length mismatch answers
/// `false` at once, which reveals only the length, and the server compares fixed-length digests.
public func constantTimeEquals(_ lhs: some Collection<UInt8>, _ rhs: some Collection<UInt8>) -> Bool {
    guard lhs.count == rhs.count else { return false }
    guard !lhs.isEmpty else { return true }
    return withContiguousBytes(lhs) { left in
        withContiguousBytes(rhs) { right in
            CRYPTO_memcmp(left.baseAddress, right.baseAddress, left.count) == 0
        }
    }
}
