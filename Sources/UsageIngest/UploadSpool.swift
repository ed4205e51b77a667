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
///
/// A spool holds an exclusive `flock` on its file until it is removed, and the kernel drops the
/// lock when the process dies; so at startup `removeAbandoned(in:)` can tell a spool that a crash
/// or kill left behind (no lock) from one another server process sharing the directory is still
/// using (locked), and deletes only the former.
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
    private var finished = false
    private var removed = false

    /// Spool file names start with this; nothing else in a spool directory is ever touched.
    static let namePrefix = "usageflow-upload-"

    /// Creates an empty spool file in `directory` (default `$TMPDIR`, else `/tmp`), readable
    /// only by this process's user.
    public init(limit: Int = UsageLimits.default.bytesPerUpload, directory: String? = nil) throws(DomainError) {
        let base = directory ?? Self.temporaryDirectory()
        var template = Array((base.hasSuffix("/") ? base : base + "/").utf8CString.dropLast())
        template.append(contentsOf: Array((Self.namePrefix + "XXXXXX").utf8CString))
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else {
            throw DomainError.internalFailure("cannot create an upload spool in \(base): \(Self.describeErrno())")
        }
        // Not inherited by anything the server might start; and the lock cannot be contended on
        // a file nobody else has opened.
        _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        _ = flock(descriptor, LOCK_EX | LOCK_NB)
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
        guard try admit(bytes.count) else { return .limitExceeded }
        try BlockingIO.writeAll(descriptor, bytes, action: "write the upload spool \(path)")
        byteCount += bytes.count
        return .accepted
    }

    /// Appends bytes as `append(_:)` does, with the write itself on one of `io`'s threads: what an
    /// upload handler on an event loop calls, so a slow disk never stalls the loop.
    @discardableResult
    public func append(_ bytes: [UInt8], on io: BlockingIO) async throws(DomainError) -> Outcome {
        guard try admit(bytes.count) else { return .limitExceeded }
        try await io.writeAll(descriptor, bytes, action: "write the upload spool \(path)")
        byteCount += bytes.count
        return .accepted
    }

    /// Whether `count` more bytes may be written: throws after `finish` or `remove`, answers false
    /// (and remembers it) once they would pass the limit.
    private func admit(_ count: Int) throws(DomainError) -> Bool {
        guard !removed, !finished, descriptor >= 0 else {
            throw DomainError.internalFailure("bytes appended to a finished upload spool")
        }
        guard !limitExceeded, count <= limit - byteCount else {
            limitExceeded = true
            return false
        }
        return true
    }

    /// Ends writing; the file can then be read (by `UsageFileReader`) until removed. The
    /// descriptor stays open only to hold the lock that marks the spool as in use.
    public func finish() throws(DomainError) {
        finished = true
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

    /// Deletes the spool files in `directory` (default `$TMPDIR`, else `/tmp`) that no live
    /// process holds: what uploads cut short by a crash or kill left behind. Returns their paths.
    /// Called at startup, before interrupted uploads are recovered.
    @discardableResult
    public static func removeAbandoned(in directory: String? = nil) -> [String] {
        let base = directory ?? temporaryDirectory()
        guard let stream = opendir(base) else { return [] }
        defer { closedir(stream) }
        var removed: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard name.hasPrefix(namePrefix) else { continue }
            let path = (base.hasSuffix("/") ? base : base + "/") + name
            let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
            guard descriptor >= 0 else { continue }
            defer { close(descriptor) }
            var status = stat()
            guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG,
                status.st_uid == getuid(), flock(descriptor, LOCK_EX | LOCK_NB) == 0
            else { continue }
            if unlink(path) == 0 { removed.append(path) }
        }
        return removed
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
