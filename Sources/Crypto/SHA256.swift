// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Crypto

internal import COpenSSL

/// SHA-256 (FIPS 180-4) over bytes, computed by OpenSSL.
///
/// API keys are stored only as their SHA-256 and client certificates are pinned by the SHA-256 of
/// their DER bytes, so the server needs the digest without any C type leaking into its code.
/// OpenSSL fails a SHA-256 computation only when it cannot allocate memory, which Swift treats as
/// fatal anyway, so hashing does not throw.
public enum SHA256 {
    /// The length of a digest: 32 bytes.
    public static let byteCount = 32

    /// The digest of `bytes` in one call.
    public static func hash(_ bytes: some Collection<UInt8>) -> [UInt8] {
        withContiguousBytes(bytes) { buffer in
            var digest = [UInt8](repeating: 0, count: byteCount)
            var length: UInt32 = 0
            let result = digest.withUnsafeMutableBufferPointer { output in
                EVP_Digest(buffer.baseAddress, buffer.count, output.baseAddress, &length, EVP_sha256(), nil)
            }
            guard result == 1, length == UInt32(byteCount) else { fatalError("OpenSSL could not compute SHA-256") }
            return digest
        }
    }

    /// An incremental SHA-256: feed bytes in any number of pieces, then take the digest.
    ///
    /// For input that arrives in parts (an uploaded file, a stream of records) without joining it
    /// first. The single owner of one `EVP_MD_CTX`, freed in `deinit`; not `Sendable`, because the
    /// context is mutable state that must not be updated from two threads at once.
    public final class Hasher {
        private let context: OpaquePointer

        /// A hasher with nothing fed yet.
        public init() {
            guard let context = EVP_MD_CTX_new() else { fatalError("OpenSSL could not allocate a digest context") }
            self.context = context
            start()
        }

        deinit {
            EVP_MD_CTX_free(context)
        }

        /// Feeds the next piece of the message.
        public func update(_ bytes: some Collection<UInt8>) {
            withContiguousBytes(bytes) { buffer in
                guard buffer.count > 0 else { return }
                guard EVP_DigestUpdate(context, buffer.baseAddress, buffer.count) == 1 else {
                    fatalError("OpenSSL could not update SHA-256")
                }
            }
        }

        /// The digest of everything fed since creation or the last `finalize()`; the hasher is then
        /// reset, ready for a new message.
        public func finalize() -> [UInt8] {
            var digest = [UInt8](repeating: 0, count: SHA256.byteCount)
            var length: UInt32 = 0
            let result = digest.withUnsafeMutableBufferPointer { output in
                EVP_DigestFinal_ex(context, output.baseAddress, &length)
            }
            guard result == 1, length == UInt32(SHA256.byteCount) else { fatalError("OpenSSL could not finish SHA-256") }
            start()
            return digest
        }

        private func start() {
            guard EVP_DigestInit_ex(context, EVP_sha256(), nil) == 1 else { fatalError("OpenSSL could not start SHA-256") }
        }
    }
}
