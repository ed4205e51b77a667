// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Spreadsheet

#if canImport(Glibc)
import Glibc
#endif

/// A file created (or truncated) for writing; closed when the last reference goes away.
public final class FileByteSink: ByteSink {
    private let descriptor: Int32
    public let path: String
    public private(set) var bytesWritten: Int64 = 0

    public init(path: String, mode: mode_t = 0o600) throws(SpreadsheetError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard descriptor >= 0 else {
            throw SpreadsheetError(code: "io.open", message: "cannot create \(path): \(FileByteSource.describeErrno())")
        }
        self.descriptor = descriptor
        self.path = path
    }

    deinit {
        close(descriptor)
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws(SpreadsheetError) {
        var offset = 0
        while offset < bytes.count {
            let written = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw SpreadsheetError(code: "io.write", message: "cannot write \(path): \(FileByteSource.describeErrno())")
            }
            offset += written
        }
        bytesWritten += Int64(bytes.count)
    }

    /// Flushes the file to disk, for callers that hand the path on after writing.
    public func synchronize() throws(SpreadsheetError) {
        guard fsync(descriptor) == 0 else {
            throw SpreadsheetError(code: "io.write", message: "cannot flush \(path): \(FileByteSource.describeErrno())")
        }
    }
}
