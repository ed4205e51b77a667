// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// The cryptography credentials need: a digest, unpredictable bytes, and a comparison that takes
/// the same time wherever two digests differ.
///
/// A protocol because the domain imports nothing of ours: the server passes an implementation
/// over the Crypto module (OpenSSL), and domain tests pass a deterministic one. Three functions
/// and no more, so the rules about secrets (what is stored, how a token is checked) stay here.
public protocol SecretHashing: Sendable {
    /// SHA-256 of `bytes`: 32 bytes.
    func sha256(_ bytes: [UInt8]) -> [UInt8]
    /// `count` cryptographically secure random bytes; throws when the generator cannot give them,
    /// so a key is never issued from a failed draw.
    func randomBytes(_ count: Int) throws -> [UInt8]
    /// Whether two digests are equal, without returning early at the first differing byte.
    func constantTimeEquals(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool
}
