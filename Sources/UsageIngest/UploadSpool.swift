// SPDX-License-Identifier: Apache-2.0
// UsageFlow — UsageIngest

#if canImport(Glibc)
import Glibc
#endif
import Domain

/// A temporary file that collects an upload's bytes as they arrive, up to a limit.
///
/// A ZIP archive is read from its end, so an XLSX upload must be complete on disk before it can
/// be read; CSV goes the same way so both formats share one pipeline. Past the limit the spool
/// stops writing and answers `.limitExceeded` — the caller marks the file invalid — instead of
/// growing: an upload can never fill the disk or memory. The file is removed when the spool is
/// (`remove()`, or when the last reference goes away); `withSpool` scopes it to a closure.
public final class UploadSpool {
    public enum Outcome: Sendable, Hashable {
        case accepted
        /// The bytes would pass the limit; they were not written, and no later bytes will be.
        case limitExceeded
    }

    public let path: String
    public let limit: Int
    public private(set) var byteCount = 0
    public private(set) var limitExceeded = false
    private var descriptor: Int32
    private var removed = false

    /// Creates an empty spool file in `directory` (default `$TMPDIR`, else `/tmp`), readable
    /// only by this process's user.
    public init(limit: Int = UsageLimits.default.bytesPerUpload, directory: String? = nil) throws(DomainError) {
        let base = directory ?? Self.temporaryDirectory()
        var template = Array((base.hasSuffix("/") ? base : base + "/").utf8CString.dropLast())
        template.append(contentsOf: Array("usageflow-upload-XXXXXX".utf8CString))
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else {
            throw DomainError.internalFailure("cannot create an upload spool in \(base): \(Self.describeErrno())")
        }
        self.descriptor = descriptor
        self.path = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        self.limit = limit
    }

    deinit {
        remove()
    }

    /// Appends bytes, or answers `.limitExceeded` (writing nothing) if they would pass the limit.
    @discardableResult
    public func append(_ bytes: [UInt8]) throws(DomainError) -> Outcome {
        let outcome: Result<Outcome, DomainError> = bytes.withUnsafeBytes { raw in
            Result { () throws(DomainError) in try append(raw) }
        }
        return try outcome.get()
    }

    @discardableResult
    public func append(_ bytes: UnsafeRawBufferPointer) throws(DomainError) -> Outcome {
        guard !removed, descriptor >= 0 else {
            throw DomainError.internalFailure("bytes appended to a finished upload spool")
        }
        guard !limitExceeded, bytes.count <= limit - byteCount else {
            limitExceeded = true
            return .limitExceeded
        }
        var offset = 0
        while offset < bytes.count {
            let written = write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                if errno == ENOSPC || errno == EDQUOT {
                    throw DomainError(kind: .resourceExhausted, message: "the server has no room to store the upload")
                }
                throw DomainError.internalFailure("cannot write the upload spool \(path): \(Self.describeErrno())")
            }
            offset += written
        }
        byteCount += bytes.count
        return .accepted
    }

    /// Closes the file for writing; it can then be read (by `UsageFileReader`) until removed.
    public func finish() throws(DomainError) {
        guard descriptor >= 0 else { return }
        let result = close(descriptor)
        descriptor = -1
        guard result == 0 else {
            throw DomainError.internalFailure("cannot close the upload spool \(path): \(Self.describeErrno())")
        }
    }

    /// Deletes the file; later appends fail.
    public func remove() {
        if descriptor >= 0 {
            close(descriptor)
            descriptor = -1
        }
        guard !removed else { return }
        removed = true
        unlink(path)
    }

    /// Runs `body` with a new spool and removes the spool's file when it returns or throws.
    public static func withSpool<Result>(
        limit: Int = UsageLimits.default.bytesPerUpload, directory: String? = nil,
        _ body: (UploadSpool) async throws -> Result
    ) async throws -> Result {
        let spool = try UploadSpool(limit: limit, directory: directory)
        defer { spool.remove() }
        return try await body(spool)
    }

    static func temporaryDirectory() -> String {
        if let value = getenv("TMPDIR"), value.pointee != 0 { return String(cString: value) }
        return "/tmp"
    }

    static func describeErrno() -> String {
        let code = errno
        guard let text = strerror(code) else { return "errno \(code)" }
        return String(cString: text)
    }
}
