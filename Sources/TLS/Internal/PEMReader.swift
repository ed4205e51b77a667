// SPDX-License-Identifier: Apache-2.0
// UsageFlow — TLS

internal import COpenSSL

/// Reads certificates and keys from `TLSConfiguration.PEM`, from files or memory through one path.
///
/// Both sources become a read-only `BIO` that lives only inside `withBIO`, so the same parsing code
/// serves files and in-memory PEM, and nothing outlives the call but owned `X509`/`EVP_PKEY`s.
enum PEMReader {
    /// Every certificate in `pem`, in order; at least one, or an error.
    static func certificates(from pem: TLSConfiguration.PEM, what: String) throws(TLSError) -> [OwnedX509] {
        try withBIO(pem, what: what) { bio throws(TLSError) in
            var certificates: [OwnedX509] = []
            while let x509 = PEM_read_bio_X509(bio, nil, nil, nil) {
                certificates.append(OwnedX509(takingOwnership: x509))
            }
            // The loop ends on "no start line" at the end of input; anything else is a real error.
            let entries = OpenSSLErrorQueue.drain()
            let endOfInput = entries.allSatisfy { $0.library == ERR_LIB_PEM && $0.reason == PEM_R_NO_START_LINE }
            guard endOfInput else {
                throw TLSError(
                    code: .invalidConfiguration,
                    reason: "\(what) \(describe(pem)) holds a malformed certificate",
                    openSSLErrors: entries.map(\.text)
                )
            }
            guard !certificates.isEmpty else {
                throw TLSError(code: .invalidConfiguration, reason: "\(what) \(describe(pem)) holds no PEM certificate")
            }
            return certificates
        }
    }

    /// The first private key in `pem`. Encrypted keys are refused rather than prompting on a terminal.
    static func privateKey(from pem: TLSConfiguration.PEM, what: String) throws(TLSError) -> OwnedPrivateKey {
        try withBIO(pem, what: what) { bio throws(TLSError) in
            guard let key = PEM_read_bio_PrivateKey(bio, nil, refusePassphrase, nil) else {
                throw OpenSSLErrorQueue.error(
                    .invalidConfiguration,
                    "\(what) \(describe(pem)) holds no unencrypted PEM private key"
                )
            }
            return OwnedPrivateKey(takingOwnership: key)
        }
    }

    /// Where the PEM came from, for error messages (never its contents).
    static func describe(_ pem: TLSConfiguration.PEM) -> String {
        pem.description
    }

    private static func withBIO<R>(
        _ pem: TLSConfiguration.PEM,
        what: String,
        _ body: (OpaquePointer) throws(TLSError) -> R
    ) throws(TLSError) -> R {
        OpenSSLErrorQueue.clear()
        switch pem {
        case .file(let path):
            guard let bio = BIO_new_file(path, "r") else {
                throw OpenSSLErrorQueue.error(.invalidConfiguration, "cannot open \(what) file '\(path)'")
            }
            defer { BIO_free(bio) }
            return try body(bio)
        case .bytes(let bytes):
            // Copy into an OpenSSL-owned memory BIO: a read-only BIO over the array's storage
            // would need the storage pinned for the whole parse.
            guard let bio = BIO_new(BIO_s_mem()) else {
                throw OpenSSLErrorQueue.error(.invalidConfiguration, "cannot allocate a BIO for \(what)")
            }
            defer { BIO_free(bio) }
            let written = bytes.withUnsafeBytes { BIO_write(bio, $0.baseAddress, Int32(clamping: $0.count)) }
            guard written == bytes.count || bytes.isEmpty else {
                throw OpenSSLErrorQueue.error(.invalidConfiguration, "cannot buffer \(what)")
            }
            return try body(bio)
        }
    }
}

/// The PEM passphrase callback: supplies none, so an encrypted key fails to load instead of
/// OpenSSL's default prompting on the controlling terminal.
private func refusePassphrase(
    _ buffer: UnsafeMutablePointer<CChar>?,
    _ size: Int32,
    _ writing: Int32,
    _ userData: UnsafeMutableRawPointer?
) -> Int32 {
    0
}
