// SPDX-License-Identifier: Apache-2.0
// UsageFlow — tests for Sources/RPCCore/ServerCall.swift: RequestStream and ResponseWriter behave the
// same whatever isolation the handler reading or writing them has.

import ProtoWire
import RPCCore
import Synchronization
import Testing

/// A request source written the new way (running on its caller's executor).
final class CallerIsolatedRequests: ServerRequestSource {
    let remaining: Mutex<[[UInt8]]>
    init(_ messages: [[UInt8]]) { remaining = Mutex(messages) }
    nonisolated(nonsending) func next() async throws -> [UInt8]? {
        remaining.withLock { $0.isEmpty ? nil : $0.removeFirst() }
    }
}

/// A handler that lives on an actor, reading and writing from its isolation.
actor IsolatedHandler {
    var seen: [[UInt8]] = []

    func drain(_ requests: RequestStream<UnknownOnly>, echoingTo writer: ResponseWriter<UnknownOnly>) async throws {
        for try await request in requests {
            seen.append(request.unknownFields.bytes)
            try await writer.write(request)
        }
    }
}

@Suite("RequestStream and ResponseWriter")
struct ServerCallTests {
    static let messages: [[UInt8]] = [[0x08, 0x01], [0x08, 0x02], [0x10, 0x03]]

    static func sources() -> [any ServerRequestSource] {
        [ScriptedRequests(messages), CallerIsolatedRequests(messages)]
    }

    @Test(arguments: [0, 1])
    func aNonisolatedHandlerReadsEveryMessageInOrder(sourceIndex: Int) async throws {
        let requests = RequestStream<UnknownOnly>(source: Self.sources()[sourceIndex])
        var seen: [[UInt8]] = []
        for try await request in requests { seen.append(request.unknownFields.bytes) }
        #expect(seen == Self.messages)
        // Explicit `next()` after the end keeps returning nil.
        var iterator = requests.makeAsyncIterator()
        #expect(try await iterator.next() == nil)
    }

    @Test(arguments: [0, 1])
    func anActorIsolatedHandlerReadsAndWritesInOrder(sourceIndex: Int) async throws {
        let handler = IsolatedHandler()
        let responses = RecordingResponses()
        try await handler.drain(
            RequestStream(source: Self.sources()[sourceIndex]), echoingTo: ResponseWriter(sink: responses))
        #expect(await handler.seen == Self.messages)
        #expect(responses.sent.withLock { $0 } == Self.messages)
    }

    @Test(arguments: [[[0x08]], [[0x08, 0x01], [0x0A, 0x05, 0x01]]] as [[[UInt8]]])
    func aMessageThatDoesNotDecodeEndsTheStreamWithInternal(messages: [[UInt8]]) async throws {
        var iterator = RequestStream<UnknownOnly>(source: CallerIsolatedRequests(messages)).makeAsyncIterator()
        do {
            while try await iterator.next() != nil {}
            Issue.record("expected a decoding error")
        } catch let error as RPCError {
            #expect(error.code == .internal)
            #expect(error.message.hasPrefix("cannot decode test.UnknownOnly"))
        }
    }
}
