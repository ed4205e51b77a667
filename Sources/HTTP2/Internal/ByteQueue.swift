// SPDX-License-Identifier: Apache-2.0

/// A FIFO of bytes: appended at the back, drained from the front without shifting what follows.
///
/// The bytes are kept as a list of chunks. An array handed over whole (`append(_: [UInt8])`, a
/// gRPC message of a megabyte) becomes a chunk as it is, without a copy, and draining the front
/// only moves an index; small pieces are gathered into a small last chunk so that a stream of
/// short messages does not cost an allocation each.
struct ByteQueue {
    private var chunks: [[UInt8]] = []
    /// The first chunk not yet drained, and how much of it was.
    private var first = 0
    private var offset = 0
    private(set) var count = 0

    var isEmpty: Bool { count == 0 }

    /// Pieces below this are copied into the last chunk when it is small too.
    private static let gatherLimit = 4096

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        guard !bytes.isEmpty else { return }
        count += bytes.count
        if bytes.count < Self.gatherLimit, let last = chunks.indices.last, last >= first,
            chunks[last].count < Self.gatherLimit
        {
            chunks[last].append(contentsOf: bytes)
        } else {
            chunks.append(Array(bytes))
        }
    }

    /// Appends `bytes` as a chunk of its own, sharing the array's storage instead of copying it.
    mutating func append(_ bytes: [UInt8]) {
        guard bytes.count >= Self.gatherLimit else {
            bytes.withUnsafeBytes { append($0) }
            return
        }
        count += bytes.count
        chunks.append(bytes)
    }

    /// Moves the first `n` bytes to the end of `output`.
    mutating func moveFront(_ n: Int, to output: inout [UInt8]) {
        precondition(n <= count, "ByteQueue underflow")
        var remaining = n
        while remaining > 0 {
            let chunkCount = chunks[first].count
            let take = min(remaining, chunkCount - offset)
            let start = offset
            chunks[first].withUnsafeBufferPointer { chunk in
                output.append(contentsOf: UnsafeBufferPointer(rebasing: chunk[start..<(start + take)]))
            }
            offset += take
            remaining -= take
            if offset == chunkCount {
                chunks[first] = []
                first += 1
                offset = 0
            }
        }
        count -= n
        if first == chunks.count {
            chunks.removeAll(keepingCapacity: chunks.capacity <= 64)
            first = 0
        } else if first >= 64, first * 2 >= chunks.count {
            chunks.removeFirst(first)
            first = 0
        }
    }

    mutating func removeAll() {
        chunks = []
        first = 0
        offset = 0
        count = 0
    }
}
