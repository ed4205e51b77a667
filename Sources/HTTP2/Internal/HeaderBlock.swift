// SPDX-License-Identifier: Apache-2.0
internal import CNGHTTP2

/// Lays out headers as the `nghttp2_nv` array nghttp2's submit functions take.
///
/// All names and values are copied into one byte arena so the pointers stay valid for the whole
/// call; nghttp2 copies them again (no NO_COPY flags), so nothing outlives `withNameValues`.
enum HeaderBlock {
    /// Checks every field and calls `body` with a pointer to the nv array and its count.
    static func withNameValues<R>(
        _ headers: HTTP2Headers,
        _ body: (UnsafePointer<nghttp2_nv>?, Int) -> R
    ) throws(HTTP2Error) -> R {
        var arena: [UInt8] = []
        arena.reserveCapacity(headers.fields.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count })
        var spans: [(name: Range<Int>, value: Range<Int>)] = []
        spans.reserveCapacity(headers.count)
        for field in headers.fields {
            let nameStart = arena.count
            arena.append(contentsOf: field.name.utf8)
            let valueStart = arena.count
            arena.append(contentsOf: field.value.utf8)
            spans.append((nameStart..<valueStart, valueStart..<arena.count))
        }
        return try arena.withUnsafeMutableBufferPointer { (bytes) throws(HTTP2Error) -> R in
            var nva: [nghttp2_nv] = []
            nva.reserveCapacity(spans.count)
            for (index, span) in spans.enumerated() {
                let name = bytes.baseAddress.map { $0 + span.name.lowerBound }
                let value = bytes.baseAddress.map { $0 + span.value.lowerBound }
                guard let name, nghttp2_check_header_name(name, span.name.count) != 0 else {
                    throw HTTP2Error(.invalidHeader, "invalid header name \"\(headers[index].name)\"")
                }
                if span.value.count > 0, let value, nghttp2_check_header_value_rfc9113(value, span.value.count) == 0 {
                    throw HTTP2Error(.invalidHeader, "invalid value for header \"\(headers[index].name)\"")
                }
                nva.append(
                    nghttp2_nv(
                        name: name, value: value ?? name, namelen: span.name.count,
                        valuelen: span.value.count, flags: UInt8(NGHTTP2_NV_FLAG_NONE.rawValue)))
            }
            return nva.withUnsafeBufferPointer { body($0.baseAddress, $0.count) }
        }
    }
}
