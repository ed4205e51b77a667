// SPDX-License-Identifier: Apache-2.0
// UsageFlow — TLS tests

import Foundation
import Glibc

/// Bytes the process has allocated with malloc and not freed (glibc), from `malloc_info`.
///
/// Swift's Glibc module does not include `<malloc.h>`, so `malloc_info` is found with `dlsym`;
/// its XML ends with process-wide totals: in use = system current − free fast − free rest + mmap.
enum HeapUsage {
    private typealias MallocInfo = @convention(c) (Int32, UnsafeMutablePointer<FILE>?) -> Int32

    static func bytesInUse() -> Int? {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_info") else { return nil }
        let mallocInfo = unsafeBitCast(symbol, to: MallocInfo.self)
        var buffer: UnsafeMutablePointer<CChar>?
        var size = 0
        guard let stream = open_memstream(&buffer, &size) else { return nil }
        _ = mallocInfo(0, stream)
        fclose(stream)
        guard let buffer else { return nil }
        defer { free(buffer) }
        let xml = String(cString: buffer)
        // The totals follow the last </heap>.
        guard let totals = xml.range(of: "</heap>", options: .backwards).map({ xml[$0.upperBound...] }) else { return nil }
        func value(_ tag: String, _ type: String) -> Int? {
            guard let start = totals.range(of: "<\(tag) type=\"\(type)\"") else { return nil }
            let rest = totals[start.upperBound...]
            guard let sizeStart = rest.range(of: "size=\"") else { return nil }
            let digits = rest[sizeStart.upperBound...].prefix { $0.isNumber }
            return Int(digits)
        }
        guard let current = value("system", "current"), let fast = value("total", "fast"),
              let rest = value("total", "rest"), let mmap = value("total", "mmap")
        else { return nil }
        return current - fast - rest + mmap
    }
}
