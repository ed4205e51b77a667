// SPDX-License-Identifier: Apache-2.0
// UsageFlow — usageflow

import Glibc

/// The process's standard streams, environment and files, without Foundation.
///
/// Writes go straight to the file descriptor (the C `FILE*` globals are not concurrency-safe in
/// Swift 6), looping over short writes.
enum Console {
    static func out(_ text: String) { write(text, to: 1) }
    static func error(_ text: String) { write(text, to: 2) }

    private static func write(_ text: String, to fd: Int32) {
        var text = text
        text.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return
                }
                offset += written
            }
        }
    }

    /// The environment as a dictionary (the first definition of a name wins, as `getenv` does).
    static func environment() -> [String: String] {
        var result: [String: String] = [:]
        var pointer = environ
        while let entry = pointer.pointee {
            let text = String(cString: entry)
            if let equals = text.firstIndex(of: "=") {
                let name = String(text[..<equals])
                if result[name] == nil { result[name] = String(text[text.index(after: equals)...]) }
            }
            pointer += 1
        }
        return result
    }

    /// The whole content of a file (`-` for standard input), or nil with the reason.
    static func readFile(_ path: String) -> Result<[UInt8], ReadFailure> {
        let fd = path == "-" ? 0 : open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return .failure(ReadFailure(reason: String(cString: strerror(errno)))) }
        defer { if fd != 0 { close(fd) } }
        var content: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                return .failure(ReadFailure(reason: String(cString: strerror(errno))))
            }
            if count == 0 { break }
            content.append(contentsOf: buffer[0..<count])
            if content.count > 64 * 1024 * 1024 { return .failure(ReadFailure(reason: "larger than 64 MiB")) }
        }
        return .success(content)
    }

    /// Whether a regular file exists and can be read.
    static func isReadableFile(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFREG && access(path, R_OK) == 0
    }

    struct ReadFailure: Error {
        let reason: String
    }
}
