// SPDX-License-Identifier: Apache-2.0
// UsageFlow — TLS

internal import COpenSSL

/// The calling thread's OpenSSL error queue, turned into Swift values at the wrapper boundary.
///
/// OpenSSL keeps errors per thread and `SSL_get_error` consults that queue, so every operation
/// clears it first and drains it after a failure; stale entries never leak into a later error.
enum OpenSSLErrorQueue {
    /// One entry of the queue.
    struct Entry {
        let library: Int32
        let reason: Int32
        let text: String
    }

    /// Empties the queue before an operation whose failure will be inspected.
    static func clear() {
        ERR_clear_error()
    }

    /// Removes and returns every queued error, oldest first.
    static func drain() -> [Entry] {
        var entries: [Entry] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            entries.append(Entry(library: ERR_GET_LIB(code), reason: ERR_GET_REASON(code), text: describe(code)))
        }
        return entries
    }

    /// Drains the queue into a `TLSError`.
    static func error(_ code: TLSError.Code, _ reason: String) -> TLSError {
        TLSError(code: code, reason: reason, openSSLErrors: drain().map(\.text))
    }

    private static func describe(_ code: UInt) -> String {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: 256) { buffer in
            ERR_error_string_n(code, buffer.baseAddress, buffer.count)
            return String(cString: buffer.baseAddress!)
        }
    }
}
