// SPDX-License-Identifier: Apache-2.0
// UsageFlow — TLS

// `Array.withUnsafe…Bytes` is `rethrows`, which erases a typed error to `any Error`; these keep
// `TLSError` typed by passing it through a `Result`.
extension Array where Element == UInt8 {
    func withTypedUnsafeBytes<R>(
        _ body: (UnsafeRawBufferPointer) throws(TLSError) -> R
    ) throws(TLSError) -> R {
        let result = withUnsafeBytes { buffer in Result { () throws(TLSError) in try body(buffer) } }
        return try result.get()
    }

    mutating func withTypedUnsafeMutableBytes<R>(
        _ body: (UnsafeMutableRawBufferPointer) throws(TLSError) -> R
    ) throws(TLSError) -> R {
        let result = withUnsafeMutableBytes { buffer in Result { () throws(TLSError) in try body(buffer) } }
        return try result.get()
    }
}
