// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Crypto

/// Runs `body` over the bytes of `collection` in contiguous memory, copying only when the
/// collection does not already store them contiguously (arrays and their slices never copy).
func withContiguousBytes<Result>(
    _ collection: some Collection<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) throws -> Result
) rethrows -> Result {
    if let result = try collection.withContiguousStorageIfAvailable(body) { return result }
    return try Array(collection).withUnsafeBufferPointer(body)
}
