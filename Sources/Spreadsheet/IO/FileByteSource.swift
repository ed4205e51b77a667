// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Spreadsheet

#if canImport(Glibc)
import Glibc
#endif

/// A file read with `pread`, so any number of readers can share one descriptor without a cursor.
///
/// The descriptor is opened read-only and closed when the last reference goes away. The size is
/// taken once at open: an upload is spooled completely before it is read.
public final class FileByteSource: ByteSource {
    private let descriptor: Int32
    public let size: Int64
    public let path: String

    public init(path: String) throws(SpreadsheetError) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw SpreadsheetError(code: "io.open", message: "cannot open \(path): \(Self.describeErrno())")
        }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            let reason = Self.describeErrno()
            close(descriptor)
            throw SpreadsheetError(code: "io.open", message: "cannot read the size of \(path): \(reason)")
        }
        self.descriptor = descriptor
        self.size = Int64(status.st_size)
        self.path = path
    }

    deinit {
        close(descriptor)
    }

    public func read(at offset: Int64, into buffer: UnsafeMutableRawBufferPointer) throws(SpreadsheetError) -> Int {
        guard buffer.count > 0 else { return 0 }
        while true {
            let got = pread(descriptor, buffer.baseAddress, buffer.count, off_t(offset))
            if got >= 0 { return got }
            if errno == EINTR { continue }
            throw SpreadsheetError(code: "io.read", message: "cannot read \(path) at offset \(offset): \(Self.describeErrno())")
        }
    }

    static func describeErrno() -> String {
        let code = errno
        guard let text = strerror(code) else { return "errno \(code)" }
        return String(cString: text)
    }
}
