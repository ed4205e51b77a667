// SPDX-License-Identifier: Apache-2.0
// UsageFlow — HTTP2 tests

@testable import HTTP2
import Testing

@Suite("ByteQueue")
struct ByteQueueTests {
    @Test("random appends (gathered pieces and whole arrays) and drains keep every byte in order")
    func matchesAPlainArray() {
        var generator = SystemRandomNumberGenerator()
        var queue = ByteQueue()
        var model: [UInt8] = []
        var drained: [UInt8] = []
        var next: UInt8 = 0
        func bytes(_ count: Int) -> [UInt8] {
            (0..<count).map { _ in
                next &+= 1
                return next
            }
        }
        for _ in 0..<600 {
            switch Int.random(in: 0..<4, using: &generator) {
            case 0:
                let piece = bytes(Int.random(in: 0..<100, using: &generator))
                piece.withUnsafeBytes { queue.append($0) }
                model += piece
            case 1:
                let message = bytes(Int.random(in: 4_096..<9_000, using: &generator))
                queue.append(message)
                model += message
            case 2:
                let small = bytes(Int.random(in: 0..<5_000, using: &generator))
                queue.append(small)
                model += small
            default:
                let n = Int.random(in: 0...min(model.count, 12_000), using: &generator)
                queue.moveFront(n, to: &drained)
                model.removeFirst(n)
            }
            #expect(queue.count == model.count)
        }
        queue.moveFront(queue.count, to: &drained)
        #expect(queue.isEmpty)
        var expected: [UInt8] = []
        next = 0
        expected = bytes(drained.count)
        #expect(drained == expected)
    }

    @Test("an array appended whole is not copied until it is drained")
    func largeArraysAreShared() {
        var queue = ByteQueue()
        var message = [UInt8](repeating: 7, count: 100_000)
        queue.append(message)
        // The caller changing its copy afterwards must not change what is queued.
        message[0] = 9
        var out: [UInt8] = []
        queue.moveFront(100_000, to: &out)
        #expect(out == [UInt8](repeating: 7, count: 100_000))
        queue.removeAll()
        #expect(queue.isEmpty && queue.count == 0)
    }
}
