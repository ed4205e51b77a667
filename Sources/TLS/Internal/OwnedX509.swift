// SPDX-License-Identifier: Apache-2.0
// UsageFlow — TLS

internal import COpenSSL

/// The single Swift owner of one `X509` reference, released in `deinit`.
///
/// OpenSSL certificates are reference counted; functions that keep a certificate
/// (`SSL_CTX_use_certificate`, `X509_STORE_add_cert`, `SSL_CTX_add1_chain_cert`) take their own
/// reference, so this owner always frees exactly the reference it was given.
final class OwnedX509 {
    let pointer: OpaquePointer

    /// Adopts a reference the caller would otherwise have to free.
    init(takingOwnership pointer: OpaquePointer) {
        self.pointer = pointer
    }

    deinit {
        X509_free(pointer)
    }
}
