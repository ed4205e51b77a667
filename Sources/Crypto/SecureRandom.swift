// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Crypto

internal import COpenSSL

/// Cryptographically secure random bytes from OpenSSL's generator (`RAND_bytes`).
///
/// API key secrets and other tokens must be unpredictable; Swift's `SystemRandomNumberGenerator`
/// is, too, but OpenSSL's generator is the one the TLS stack already depends on and reports
/// failure instead of trapping, so a key is never issued from a failed draw.
public enum SecureRandom {
    /// `count` random bytes; throws when the generator cannot produce them.
    public static func bytes(count: Int) throws(CryptoError) -> [UInt8] {
        precondition(count >= 0, "a negative number of random bytes")
        var bytes = [UInt8](repeating: 0, count: count)
        let ok = bytes.withUnsafeMutableBufferPointer { buffer -> Bool in
            var offset = 0
            while offset < buffer.count {
                let chunk = min(buffer.count - offset, Int(Int32.max))
                guard RAND_bytes(buffer.baseAddress! + offset, Int32(chunk)) == 1 else { return false }
                offset += chunk
            }
            return true
        }
        guard ok else {
            throw CryptoError(code: .randomnessUnavailable, message: "RAND_bytes failed: \(openSSLErrorText())")
        }
        return bytes
    }
}

/// The oldest entry of OpenSSL's error queue, for a failure message; the queue is cleared.
private func openSSLErrorText() -> String {
    let code = ERR_get_error()
    defer { ERR_clear_error() }
    guard code != 0 else { return "no OpenSSL error recorded" }
    var buffer = [CChar](repeating: 0, count: 256)
    ERR_error_string_n(code, &buffer, buffer.count)
    return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
