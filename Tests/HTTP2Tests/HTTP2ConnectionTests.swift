// SPDX-License-Identifier: Apache-2.0
import HTTP2
import Testing

@Suite("HTTP2Connection")
struct HTTP2ConnectionTests {
    @Test("request and response with data and trailers")
    func requestResponse() throws {
        let pair = try ConnectionPair()
        let id = try pair.client.submitRequest(headers: Fixtures.request, endStream: false)
        try pair.client.submitData(streamID: id, bytes: [0, 0, 0, 0, 3, 1, 2, 3], endStream: true)
        try pair.pump()

        let serverEvents = pair.takeServerEvents()
        let request = try #require(serverEvents.first { if case .requestHeaders = $0 { true } else { false } })
        guard case .requestHeaders(let serverID, let headers, let endStream) = request else { return }
        #expect(serverID == id)
        #expect(headers[":path"] == "/grpc.testing.TestService/UnaryCall")
        #expect(headers.fields.first?.name == ":method")
        #expect(!endStream)
        #expect(serverEvents.body(of: id) == ([0, 0, 0, 0, 3, 1, 2, 3], true))
        #expect(serverEvents.contains(.settingsAcknowledged))
        pair.server.consume(streamID: id, count: 8)

        try pair.server.submitResponseHeaders(streamID: id, headers: Fixtures.response, endStream: false)
        try pair.server.submitData(streamID: id, bytes: [0, 0, 0, 0, 2, 9, 9], endStream: false)
        try pair.server.submitTrailers(streamID: id, headers: Fixtures.okTrailers)
        try pair.pump()

        let clientEvents = pair.takeClientEvents()
        #expect(clientEvents.contains(.responseHeaders(streamID: id, headers: Fixtures.response, endStream: false)))
        #expect(clientEvents.body(of: id) == ([0, 0, 0, 0, 2, 9, 9], false))
        #expect(clientEvents.contains(.trailers(streamID: id, headers: Fixtures.okTrailers)))
        #expect(clientEvents.last == .streamClosed(streamID: id, errorCode: .noError))
        #expect(pair.takeServerEvents().last == .streamClosed(streamID: id, errorCode: .noError))
        #expect(pair.client.isIdle && pair.server.isIdle)
        #expect(pair.client.wantsRead && pair.server.wantsRead)
        #expect(!pair.client.wantsWrite && !pair.server.wantsWrite)
    }

    @Test("trailers-only response, then RST_STREAM(NO_ERROR) while the client is still sending")
    func trailersOnly() throws {
        let pair = try ConnectionPair()
        let id = try pair.client.submitRequest(headers: Fixtures.request, endStream: false)
        try pair.client.submitData(streamID: id, bytes: [0, 0, 0, 0, 0], endStream: false)
        try pair.pump()
        #expect(pair.takeServerEvents().requestStreamIDs == [id])

        try pair.server.submitResponseHeaders(streamID: id, headers: Fixtures.trailersOnly, endStream: true)
        let wire = try pair.server.pendingOutput()
        let frames = ParsedFrame.parse(wire)
        let headersIndex = try #require(frames.firstIndex { $0.kind == .headers && $0.streamID == UInt32(id) })
        #expect(frames[headersIndex].flags & RawFrame.endStream != 0)
        let reset = try #require(frames.firstIndex { $0.kind == .rstStream && $0.streamID == UInt32(id) })
        #expect(reset > headersIndex)
        #expect(frames[reset].errorCode == 0)
        #expect(pair.server.counters.resetsSent == 0)

        try pair.client.receive(wire)
        let clientEvents = pair.client.takeEvents()
        #expect(clientEvents == [
            .responseHeaders(streamID: id, headers: Fixtures.trailersOnly, endStream: true),
            .streamClosed(streamID: id, errorCode: .noError),
        ])
        #expect(throws: HTTP2Error.self) { try pair.client.submitData(streamID: id, bytes: [1], endStream: true) }
        try pair.pump()
        #expect(pair.takeServerEvents() == [.streamClosed(streamID: id, errorCode: .noError)])
    }

    @Test("data submitted after the provider deferred is resumed, then trailers follow")
    func deferredData() throws {
        let pair = try ConnectionPair()
        let id = try pair.client.submitRequest(headers: Fixtures.request, endStream: true)
        try pair.pump()
        try pair.server.submitResponseHeaders(streamID: id, headers: Fixtures.response, endStream: false)
        try pair.pump()  // the read callback finds nothing and defers
        #expect(pair.takeClientEvents().contains(.responseHeaders(streamID: id, headers: Fixtures.response, endStream: false)))

        for chunk in 0..<3 {
            try pair.server.submitData(streamID: id, bytes: [UInt8(chunk)], endStream: false)
            try pair.pump()
            #expect(pair.takeClientEvents() == [.data(streamID: id, bytes: [UInt8(chunk)], endStream: false)])
        }
        try pair.server.submitTrailers(streamID: id, headers: Fixtures.okTrailers)
        try pair.pump()
        #expect(pair.takeClientEvents() == [
            .trailers(streamID: id, headers: Fixtures.okTrailers), .streamClosed(streamID: id, errorCode: .noError),
        ])
    }

    @Test("a client's empty final DATA frame carries END_STREAM")
    func halfCloseWithEmptyData() throws {
        let pair = try ConnectionPair()
        let id = try pair.client.submitRequest(headers: Fixtures.request, endStream: false)
        try pair.client.submitData(streamID: id, bytes: [], endStream: true)
        try pair.pump()
        #expect(pair.takeServerEvents().body(of: id) == ([], true))
    }

    @Test("feeding every byte separately gives the same conversation")
    func byteByByte() throws {
        let pair = try ConnectionPair()
        let id = try pair.client.submitRequest(headers: Fixtures.request, endStream: false)
        let message = (0..<300).map { UInt8(truncatingIfNeeded: $0) }
        try pair.client.submitData(streamID: id, bytes: message, endStream: true)
        try pair.pump(chunkSize: 1)
        let serverEvents = pair.takeServerEvents()
        #expect(serverEvents.requestStreamIDs == [id])
        #expect(serverEvents.body(of: id) == (message, true))
        // Chunks of one stream were coalesced while unread.
        #expect(serverEvents.filter { if case .data = $0 { true } else { false } }.count == 1)

        try pair.server.submitResponseHeaders(streamID: id, headers: Fixtures.response, endStream: false)
        try pair.server.submitData(streamID: id, bytes: message, endStream: false)
        try pair.server.submitTrailers(streamID: id, headers: Fixtures.okTrailers)
        try pair.pump(chunkSize: 1)
        let clientEvents = pair.takeClientEvents()
        #expect(clientEvents.body(of: id).bytes == message)
        #expect(clientEvents.contains(.trailers(streamID: id, headers: Fixtures.okTrailers)))
        #expect(clientEvents.closeCode(of: id) == .noError)
    }

    @Test("100 concurrent streams; the nghttp2 client holds the 101st until one finishes")
    func concurrencyWithClient() throws {
        let pair = try ConnectionPair()
        try pair.pump()  // exchange SETTINGS so the client knows the limit
        var ids: [Int32] = []
        for _ in 0..<101 {
            ids.append(try pair.client.submitRequest(headers: Fixtures.request, endStream: false))
        }
        try pair.pump()
        #expect(pair.takeServerEvents().requestStreamIDs == Array(ids.prefix(100)))
        #expect(pair.server.openStreamCount == 100)

        try pair.server.submitResponseHeaders(streamID: ids[0], headers: Fixtures.trailersOnly, endStream: true)
        try pair.pump()
        #expect(pair.takeServerEvents().requestStreamIDs == [ids[100]])
    }

    @Test("a raw peer's 101st concurrent stream is refused; the connection survives")
    func concurrencyRaw() throws {
        let server = try HTTP2Connection(role: .server)
        var bytes = RawFrame.clientStart
        for n in 0..<101 {
            bytes += RawFrame.headers(stream: UInt32(2 * n + 1), RawFrame.requestFields)
        }
        try server.receive(bytes)
        let events = server.takeEvents()
        #expect(events.requestStreamIDs.count == 100)
        #expect(events.requestStreamIDs.last == 199)
        let resets = ParsedFrame.parse(try server.pendingOutput()).of(.rstStream)
        #expect(resets.map(\.streamID) == [201])
        #expect(resets.first?.errorCode == HTTP2ErrorCode.refusedStream.rawValue)
        #expect(server.wantsRead)
        #expect(server.openStreamCount == 100)
    }

    @Test("inbound flow control: without consume() the client stops at the stream window")
    func inboundFlowControl() throws {
        var serverSettings = HTTP2Settings()
        serverSettings.initialWindowSize = 65_535
        let pair = try ConnectionPair(server: serverSettings)
        let id = try pair.client.submitRequest(headers: Fixtures.request, endStream: false)
        let body = [UInt8](repeating: 7, count: 200_000)
        try pair.client.submitData(streamID: id, bytes: body, endStream: true)
        try pair.pump()

        var received = pair.takeServerEvents().body(of: id).bytes.count
        #expect(received == 65_535)
        #expect(pair.client.bufferedOutboundBytes(streamID: id) == 200_000 - 65_535)
        #expect(pair.client.sendWindow(streamID: id) == 0)
        #expect(!pair.client.wantsWrite)

        var rounds = 0
        var ended = false
        while received < body.count {
            pair.server.consume(streamID: id, count: 65_535)
            try pair.pump()
            let (chunk, end) = pair.takeServerEvents().body(of: id)
            #expect(chunk.count > 0 && chunk.count <= 65_535)
            received += chunk.count
            ended = end
            rounds += 1
        }
        #expect(received == body.count && ended)
        #expect(rounds == 3)
        #expect(pair.client.bufferedOutboundBytes(streamID: id) == 0)
    }

    @Test("outbound backpressure: a client that does not read caps what the server sends")
    func outboundBackpressure() throws {
        var clientSettings = HTTP2Settings()
        clientSettings.initialWindowSize = 65_535
        let pair = try ConnectionPair(client: clientSettings)
        let id = try pair.client.submitRequest(headers: Fixtures.request, endStream: true)
        try pair.pump()
        try pair.server.submitResponseHeaders(streamID: id, headers: Fixtures.response, endStream: false)
        for _ in 0..<16 {
            try pair.server.submitData(streamID: id, bytes: [UInt8](repeating: 1, count: 65_536), endStream: false)
        }
        #expect(pair.server.bufferedOutboundBytes(streamID: id) == 16 * 65_536)
        try pair.pump()

        #expect(pair.takeClientEvents().body(of: id).bytes.count == 65_535)
        #expect(pair.server.bufferedOutboundBytes(streamID: id) == 16 * 65_536 - 65_535)
        #expect(!pair.server.wantsWrite)
        #expect(try pair.server.pendingOutput().isEmpty)

        pair.client.consume(streamID: id, count: 65_535)
        try pair.pump()
        #expect(pair.takeClientEvents().body(of: id).bytes.count == 65_535)
        #expect(pair.server.bufferedOutboundBytes(streamID: id) == 16 * 65_536 - 2 * 65_535)
    }

    @Test("writeOutput honours its limit and resumes where it stopped")
    func outputLimit() throws {
        let pair = try ConnectionPair()
        let id = try pair.client.submitRequest(headers: Fixtures.request, endStream: true)
        try pair.pump()
        try pair.server.submitResponseHeaders(streamID: id, headers: Fixtures.response, endStream: false)
        try pair.server.submitData(streamID: id, bytes: [UInt8](repeating: 2, count: 100_000), endStream: true)
        var wire: [UInt8] = []
        try pair.server.writeOutput(into: &wire, limit: 20_000)
        #expect(wire.count >= 20_000 && wire.count < 20_000 + 16_384 + 9)
        #expect(pair.server.wantsWrite)
        while pair.server.wantsWrite {
            try pair.server.writeOutput(into: &wire, limit: wire.count + 20_000)
        }
        try pair.client.receive(wire)
        #expect(pair.client.takeEvents().body(of: id) == ([UInt8](repeating: 2, count: 100_000), true))
    }

    @Test("a reset stream's unconsumed bytes return to the connection window")
    func resetReturnsConnectionCredit() throws {
        var serverSettings = HTTP2Settings()
        serverSettings.initialWindowSize = 65_535
        serverSettings.connectionWindowSize = 65_535
        let pair = try ConnectionPair(server: serverSettings)
        let first = try pair.client.submitRequest(headers: Fixtures.request, endStream: false)
        try pair.client.submitData(streamID: first, bytes: [UInt8](repeating: 1, count: 65_535), endStream: false)
        try pair.pump()
        #expect(pair.takeServerEvents().body(of: first).bytes.count == 65_535)

        try pair.client.submitReset(streamID: first, errorCode: .cancel)
        let second = try pair.client.submitRequest(headers: Fixtures.request, endStream: false)
        try pair.client.submitData(streamID: second, bytes: [UInt8](repeating: 2, count: 65_535), endStream: true)
        try pair.pump()
        let events = pair.takeServerEvents()
        #expect(events.closeCode(of: first) == .cancel)
        #expect(events.body(of: second) == ([UInt8](repeating: 2, count: 65_535), true))
        #expect(pair.server.counters.resetsSent == 0)
        #expect(pair.client.counters.resetsSent == 0)
    }

    @Test("graceful GOAWAY lets open streams finish, then both sides stop")
    func gracefulGoAway() throws {
        let pair = try ConnectionPair()
        let id = try pair.client.submitRequest(headers: Fixtures.request, endStream: true)
        try pair.pump()
        try pair.server.submitShutdownNotice()
        try pair.pump()
        #expect(pair.takeClientEvents().contains(.goAway(lastStreamID: Int32.max, errorCode: .noError, debugData: [])))
        try pair.server.submitGoAway()
        try pair.pump()
        #expect(pair.takeClientEvents().contains(.goAway(lastStreamID: id, errorCode: .noError, debugData: [])))
        #expect(pair.server.wantsRead)  // the stream is still open

        try pair.server.submitResponseHeaders(streamID: id, headers: Fixtures.trailersOnly, endStream: true)
        try pair.pump()
        #expect(pair.takeClientEvents().closeCode(of: id) == .noError)
        #expect(!pair.server.wantsRead && !pair.server.wantsWrite)
        #expect(!pair.client.wantsRead && !pair.client.wantsWrite)
        #expect(pair.server.terminationError == nil)
    }

    @Test("a request queued behind a GOAWAY is closed as refused")
    func requestAfterGoAway() throws {
        let pair = try ConnectionPair()
        try pair.pump()
        try pair.server.submitGoAway()
        try pair.pump()
        let id = try pair.client.submitRequest(headers: Fixtures.request, endStream: true)
        try pair.pump()
        #expect(pair.takeClientEvents().closeCode(of: id) == .refusedStream)
        #expect(pair.client.isIdle)
    }

    @Test("PING round trip and SETTINGS acknowledgement")
    func pingAndSettings() throws {
        let pair = try ConnectionPair()
        try pair.client.submitPing(opaqueData: 0x0102_0304_0506_0708)
        try pair.pump()
        #expect(pair.takeClientEvents() == [.settingsAcknowledged, .pingAcknowledged(opaqueData: 0x0102_0304_0506_0708)])
        #expect(pair.takeServerEvents() == [.settingsAcknowledged])
        #expect(pair.client.peerMaxConcurrentStreams == 100)
    }

    @Test("invalid outbound headers are rejected before they reach the wire")
    func invalidOutboundHeaders() throws {
        let pair = try ConnectionPair()
        let id = try pair.client.submitRequest(headers: Fixtures.request, endStream: true)
        try pair.pump()
        #expect(throws: HTTP2Error.self) {
            try pair.server.submitResponseHeaders(streamID: id, headers: [":status": "200", "Bad-Name": "x"], endStream: true)
        }
        #expect(throws: HTTP2Error.self) {
            try pair.server.submitResponseHeaders(streamID: id, headers: [":status": "200", "x": "a\r\nb: c"], endStream: true)
        }
        try pair.server.submitResponseHeaders(streamID: id, headers: Fixtures.response, endStream: false)
        let error = #expect(throws: HTTP2Error.self) {
            try pair.server.submitTrailers(streamID: id, headers: ["grpc-status": "0", "": "empty name"])
        }
        #expect(error?.kind == .invalidHeader)
        let missing = #expect(throws: HTTP2Error.self) {
            try pair.server.submitData(streamID: 99, bytes: [1], endStream: false)
        }
        #expect(missing?.kind == .streamNotFound)
    }
}
