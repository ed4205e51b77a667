// SPDX-License-Identifier: Apache-2.0
// UsageFlow — TLS

internal import COpenSSL

/// The single Swift owner of one `EVP_PKEY` reference, released in `deinit`.
///
/// `SSL_CTX_use_PrivateKey` takes its own reference, so the key is freed here once the context
/// has it.
final class OwnedPrivateKey {
    let pointer: OpaquePointer

    /// Adopts a reference the caller would otherwise have to free.
    init(takingOwnership pointer: OpaquePointer) {
        self.pointer = pointer
    }

    deinit {
        EVP_PKEY_free(pointer)
    }
}
