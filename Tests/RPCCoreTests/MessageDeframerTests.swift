// SPDX-License-Identifier: Apache-2.0
// UsageFlow — tests for Sources/RPCCore/MessageDeframer.swift

import RPCCore
import Testing

@Suite("Length-prefixed message deframer")
struct MessageDeframerTests {
    let messages: [[UInt8]] = [[], [1], Array(repeating: 7, count: 300), Array(0..<255)]

    var stream: [UInt8] { messages.flatMap { MessageDeframer.frame($0) } }

    @Test func manyMessagesInOneBuffer() throws {
        var deframer = MessageDeframer(maximumMessageSize: 4096)
        deframer.append(stream)
        var received: [[UInt8]] = []
        while let message = try deframer.next() { received.append(message) }
        #expect(received == messages)
        #expect(!deframer.hasPartialMessage)
    }

    @Test func oneByteAtATime() throws {
        var deframer = MessageDeframer(maximumMessageSize: 4096)
        var received: [[UInt8]] = []
        for byte in stream {
            deframer.append([byte])
            while let message = try deframer.next() { received.append(message) }
        }
        #expect(received == messages)
    }

    @Test func oversizeMessagesAreRefusedFromThePrefixAlone() {
        var deframer = MessageDeframer(maximumMessageSize: 4 * 1024 * 1024)
        deframer.append([0, 0x7F, 0xFF, 0xFF, 0xFF])  // announces 2 GiB, sends nothing more
        #expect(throws: MessageDeframer.Failure(status: Status(
            code: .resourceExhausted, message: "message of 2147483647 bytes exceeds the limit of 4194304 bytes"))) {
            _ = try deframer.next()
        }
    }

    @Test func compressedFlagWithoutEncodingIsRefused() {
        var deframer = MessageDeframer(maximumMessageSize: 100)
        deframer.append([1, 0, 0, 0, 1, 9])
        #expect(throws: MessageDeframer.Failure.self) { _ = try deframer.next() }
        var invalid = MessageDeframer(maximumMessageSize: 100)
        invalid.append([2, 0, 0, 0, 0])
        #expect(throws: MessageDeframer.Failure.self) { _ = try invalid.next() }
    }

    @Test func partialMessageIsReported() throws {
        var deframer = MessageDeframer(maximumMessageSize: 100)
        deframer.append([0, 0, 0, 0, 3, 1])
        #expect(try deframer.next() == nil)
        #expect(deframer.hasPartialMessage)
    }
}
