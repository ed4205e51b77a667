// SPDX-License-Identifier: Apache-2.0

/// A FIFO of bytes: appended at the back, drained from the front without shifting on every read.
struct ByteQueue {
    private var storage: [UInt8] = []
    private var head = 0

    var count: Int { storage.count - head }
    var isEmpty: Bool { head == storage.count }

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        storage.append(contentsOf: bytes)
    }

    /// Moves the first `n` bytes to the end of `output`.
    mutating func moveFront(_ n: Int, to output: inout [UInt8]) {
        precondition(n <= count, "ByteQueue underflow")
        storage.withUnsafeBufferPointer { buffer in
            output.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[head..<(head + n)]))
        }
        head += n
        if head == storage.count {
            storage.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 65_536 && head * 2 >= storage.count {
            storage.removeFirst(head)
            head = 0
        }
    }

    mutating func removeAll() {
        storage = []
        head = 0
    }
}
