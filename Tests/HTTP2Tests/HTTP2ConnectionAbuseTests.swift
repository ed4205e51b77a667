// SPDX-License-Identifier: Apache-2.0
import HTTP2
import Testing

/// The defences of reference §3.7 / reliability §1.5, driven by a raw peer or a real client.
@Suite("HTTP2Connection abuse limits")
struct HTTP2ConnectionAbuseTests {
    @Test("a header list over 8 KiB resets the stream; the connection carries on")
    func headerListTooLarge() throws {
        let pair = try ConnectionPair()
        var big = Fixtures.request
        big.append(name: "x-big", value: String(repeating: "a", count: 8_200))
        let rejected = try pair.client.submitRequest(headers: big, endStream: true)
        try pair.pump()
        #expect(pair.takeServerEvents().contains(.headerListTooLarge(streamID: rejected)))
        #expect(pair.takeClientEvents().closeCode(of: rejected) == .internalError)
        #expect(pair.server.counters.oversizedHeaderLists == 1)
        #expect(pair.server.counters.resetsSent == 1)

        let accepted = try pair.client.submitRequest(headers: Fixtures.request, endStream: true)
        try pair.pump()
        #expect(pair.takeServerEvents().requestStreamIDs == [accepted])
        #expect(pair.server.wantsRead)
    }

    @Test("just under the header list limit is accepted")
    func headerListAtLimit() throws {
        let pair = try ConnectionPair()
        var headers = Fixtures.request
        let used = headers.listSize + "x-fill".utf8.count + 32
        headers.append(name: "x-fill", value: String(repeating: "b", count: 8_192 - used))
        #expect(headers.listSize == 8_192)
        let id = try pair.client.submitRequest(headers: headers, endStream: true)
        try pair.pump()
        #expect(pair.takeServerEvents().requestStreamIDs == [id])
    }

    @Test("more than 100 header fields resets the stream")
    func tooManyFields() throws {
        let pair = try ConnectionPair()
        var headers = Fixtures.request
        for n in 0..<100 { headers.append(name: "x-\(n)", value: "v") }
        let id = try pair.client.submitRequest(headers: headers, endStream: true)
        try pair.pump()
        let events = pair.takeServerEvents().filter { $0 != .settingsAcknowledged }
        #expect(events == [.headerListTooLarge(streamID: id)])
        #expect(pair.takeClientEvents().closeCode(of: id) == .internalError)
        #expect(pair.server.isIdle && pair.server.wantsRead)
    }

    @Test("oversized response headers reset the stream on the client")
    func clientSideLimit() throws {
        let pair = try ConnectionPair()
        let id = try pair.client.submitRequest(headers: Fixtures.request, endStream: true)
        try pair.pump()
        var response = Fixtures.response
        response.append(name: "x-big", value: String(repeating: "z", count: 9_000))
        try pair.server.submitResponseHeaders(streamID: id, headers: response, endStream: false)
        try pair.pump()
        let events = pair.takeClientEvents()
        #expect(events.contains(.headerListTooLarge(streamID: id)))
        #expect(events.closeCode(of: id) == .internalError)
        #expect(pair.takeServerEvents().closeCode(of: id) == .internalError)
    }

    @Test("CONTINUATION flood is a connection error")
    func continuationFlood() throws {
        let server = try HTTP2Connection(role: .server)
        let block = RawFrame.hpack(RawFrame.requestFields)
        var bytes = RawFrame.clientStart
        bytes += RawFrame.frame(.headers, stream: 1, payload: Array(block.prefix(4)))
        for _ in 0..<20 {
            bytes += RawFrame.continuation(stream: 1, block: RawFrame.hpack([("x-a", "b")]), endHeaders: false)
        }
        let error = #expect(throws: HTTP2Error.self) { try server.receive(bytes) }
        #expect(error?.kind == .tooManyContinuations)
        #expect(!server.wantsRead)
        let goAway = try #require(ParsedFrame.parse(try server.pendingOutput()).of(.goAway).first)
        #expect(goAway.errorCode == HTTP2ErrorCode.enhanceYourCalm.rawValue)
        #expect(!server.wantsWrite)
        #expect(throws: HTTP2Error.self) { try server.receive(RawFrame.ping()) }
    }

    @Test("rapid reset: 1100 HEADERS+RST_STREAM pairs draw a GOAWAY")
    func rapidReset() throws {
        let server = try HTTP2Connection(role: .server)
        var bytes = RawFrame.clientStart
        for n in 0..<1_100 {
            let stream = UInt32(2 * n + 1)
            bytes += RawFrame.headers(stream: stream, RawFrame.requestFields)
            bytes += RawFrame.rstStream(stream: stream, code: HTTP2ErrorCode.cancel.rawValue)
        }
        try server.receive(bytes)
        _ = server.takeEvents()
        let goAways = ParsedFrame.parse(try server.pendingOutput()).of(.goAway)
        #expect(goAways.count == 1)
        #expect(goAways.first?.errorCode == HTTP2ErrorCode.internalError.rawValue)
        #expect(!server.wantsRead && !server.wantsWrite)
        #expect(server.terminationError != nil)
        #expect(throws: HTTP2Error.self) { try server.receive(RawFrame.ping()) }
    }

    @Test("1000 HEADERS+RST_STREAM pairs stay within nghttp2's burst")
    func resetsWithinBurst() throws {
        let server = try HTTP2Connection(role: .server)
        var bytes = RawFrame.clientStart
        for n in 0..<1_000 {
            let stream = UInt32(2 * n + 1)
            bytes += RawFrame.headers(stream: stream, RawFrame.requestFields)
            bytes += RawFrame.rstStream(stream: stream, code: HTTP2ErrorCode.cancel.rawValue)
        }
        try server.receive(bytes)
        #expect(server.takeEvents().requestStreamIDs.count == 1_000)
        #expect(ParsedFrame.parse(try server.pendingOutput()).of(.goAway).isEmpty)
        #expect(server.wantsRead && server.isIdle)
    }

    @Test("empty DATA flood: GOAWAY(ENHANCE_YOUR_CALM) after the per-window limit")
    func emptyDataFlood() throws {
        let server = try HTTP2Connection(role: .server)
        var bytes = RawFrame.clientStart + RawFrame.headers(stream: 1, RawFrame.requestFields)
        for _ in 0..<100 { bytes += RawFrame.data(stream: 1) }
        try server.receive(bytes)
        #expect(server.counters.emptyDataFrames == 100)

        let error = #expect(throws: HTTP2Error.self) { try server.receive(RawFrame.data(stream: 1)) }
        #expect(error?.kind == .enhanceYourCalm)
        #expect(!server.wantsRead)
        let goAway = try #require(ParsedFrame.parse(try server.pendingOutput()).of(.goAway).first)
        #expect(goAway.errorCode == HTTP2ErrorCode.enhanceYourCalm.rawValue)
        #expect(goAway.goAwayDebugText == "too_many_empty_frames")
        #expect(!server.wantsWrite)
        #expect(try server.pendingOutput().isEmpty)
    }

    @Test("empty DATA frames spread over windows are tolerated")
    func emptyDataAcrossWindows() throws {
        let clock = TestClock()
        var settings = HTTP2Settings()
        settings.now = clock.now
        let server = try HTTP2Connection(role: .server, settings: settings)
        try server.receive(RawFrame.clientStart + RawFrame.headers(stream: 1, RawFrame.requestFields))
        for _ in 0..<5 {
            try server.receive((0..<100).flatMap { _ in RawFrame.data(stream: 1) })
            clock.advance(seconds: 10)
        }
        #expect(server.counters.emptyDataFrames == 500)
        #expect(server.wantsRead)
        // Empty frames that end the stream are normal gRPC half-closes, not counted.
        try server.receive(RawFrame.data(stream: 1, endStream: true))
        #expect(server.counters.emptyDataFrames == 500)
    }

    @Test("padding-only DATA frames count as empty")
    func paddedEmptyData() throws {
        let server = try HTTP2Connection(role: .server)
        try server.receive(RawFrame.clientStart + RawFrame.headers(stream: 1, RawFrame.requestFields))
        try server.receive(RawFrame.frame(.data, flags: RawFrame.padded, stream: 1, payload: [3, 0, 0, 0]))
        #expect(server.counters.emptyDataFrames == 1)
    }

    @Test("MadeYouReset: malformed requests count as invalid frames until GOAWAY")
    func invalidFrameFlood() throws {
        let server = try HTTP2Connection(role: .server)
        try server.receive(RawFrame.clientStart)
        var bytes: [UInt8] = []
        for n in 0..<100 {
            bytes += RawFrame.headers(stream: UInt32(2 * n + 1), RawFrame.requestFields + [("", "empty name")])
        }
        try server.receive(bytes)
        #expect(server.counters.invalidFrames == 100)
        #expect(server.takeEvents().requestStreamIDs.isEmpty)

        let error = #expect(throws: HTTP2Error.self) {
            try server.receive(RawFrame.headers(stream: 201, RawFrame.requestFields + [("", "x")]))
        }
        #expect(error?.kind == .enhanceYourCalm)
        let frames = ParsedFrame.parse(try server.pendingOutput())
        #expect(frames.of(.goAway).first?.errorCode == HTTP2ErrorCode.enhanceYourCalm.rawValue)
        #expect(frames.of(.goAway).first?.goAwayDebugText == "too_many_invalid_frames")
    }

    @Test("resets we are made to send are limited per window")
    func resetsSentLimit() throws {
        var settings = HTTP2Settings()
        settings.maxInvalidFramesPerWindow = 10_000
        let server = try HTTP2Connection(role: .server, settings: settings)
        var bytes = RawFrame.clientStart
        for n in 0..<101 {
            bytes += RawFrame.headers(stream: UInt32(2 * n + 1), RawFrame.requestFields + [("", "x")])
        }
        try server.receive(bytes)
        let frames = ParsedFrame.parse(try server.pendingOutput())
        #expect(server.counters.resetsSent == 101)
        #expect(frames.of(.rstStream).count == 101)
        let goAway = try #require(frames.of(.goAway).first)
        #expect(goAway.errorCode == HTTP2ErrorCode.enhanceYourCalm.rawValue)
        #expect(goAway.goAwayDebugText == "too_many_resets")
        #expect(!server.wantsRead && !server.wantsWrite)
        let error = #expect(throws: HTTP2Error.self) { try server.receive(RawFrame.ping()) }
        #expect(error?.kind == .enhanceYourCalm)
    }

    @Test("ping strikes: a fourth quick PING without streams gets too_many_pings")
    func pingStrikes() throws {
        let clock = TestClock()
        var settings = HTTP2Settings()
        settings.now = clock.now
        let server = try HTTP2Connection(role: .server, settings: settings)
        try server.receive(RawFrame.clientStart)
        for n in 0..<3 {
            try server.receive(RawFrame.ping(UInt64(n)))
            clock.advance(seconds: 60)
        }
        #expect(server.counters.pingStrikes == 2)
        let error = #expect(throws: HTTP2Error.self) { try server.receive(RawFrame.ping(3)) }
        #expect(error?.kind == .enhanceYourCalm)
        let frames = ParsedFrame.parse(try server.pendingOutput())
        // nghttp2 queues each PING ACK before our callback sees the PING, so all four are answered.
        #expect(frames.of(.ping).count == 4)
        let goAway = try #require(frames.of(.goAway).first)
        #expect(goAway.errorCode == HTTP2ErrorCode.enhanceYourCalm.rawValue)
        #expect(goAway.goAwayDebugText == "too_many_pings")
    }

    @Test("PINGs that respect the interval, or follow our DATA/HEADERS, are not strikes")
    func pingsAllowed() throws {
        let clock = TestClock()
        var settings = HTTP2Settings()
        settings.now = clock.now
        let pair = try ConnectionPair(server: settings)
        try pair.pump()
        // Open a stream: the interval drops to 5 minutes.
        let id = try pair.client.submitRequest(headers: Fixtures.request, endStream: false)
        try pair.pump()
        for _ in 0..<10 {
            try pair.client.submitPing()
            try pair.pump()
            clock.advance(seconds: 301)
        }
        #expect(pair.server.counters.pingStrikes == 0)
        // Rapid pings are fine while the server keeps sending data (BDP pings ride on traffic).
        try pair.server.submitResponseHeaders(streamID: id, headers: Fixtures.response, endStream: false)
        for n in 0..<10 {
            try pair.server.submitData(streamID: id, bytes: [UInt8(n)], endStream: false)
            try pair.pump()
            try pair.client.submitPing()
            try pair.pump()
        }
        #expect(pair.server.counters.pingStrikes == 0)
        #expect(pair.server.wantsRead)
    }

    @Test("PING flood from a peer that never reads trips nghttp2's outbound-ACK cap")
    func pingFlood() throws {
        var settings = HTTP2Settings()
        settings.pingPolicy.isEnabled = false  // isolate nghttp2's own guard
        let server = try HTTP2Connection(role: .server, settings: settings)
        let bytes = RawFrame.clientStart + (0..<1_100).flatMap { RawFrame.ping(UInt64($0)) }
        let error = #expect(throws: HTTP2Error.self) { try server.receive(bytes) }
        #expect(error?.kind == .flooded)
        #expect(!server.wantsRead && !server.wantsWrite)
        #expect(try server.pendingOutput().isEmpty)
    }

    @Test("an HTTP/1.1 request instead of the preface is rejected without output")
    func invalidPreface() throws {
        let server = try HTTP2Connection(role: .server)
        let error = #expect(throws: HTTP2Error.self) {
            try server.receive(Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
        }
        #expect(error?.kind == .badPreface)
        #expect(!server.wantsRead && !server.wantsWrite)
        #expect(try server.pendingOutput().isEmpty)
    }

    @Test("a protocol error gets nghttp2's GOAWAY and ends reading")
    func protocolError() throws {
        let server = try HTTP2Connection(role: .server)
        // DATA on stream 0 is a connection error (RFC 9113 §6.1).
        try server.receive(RawFrame.clientStart + RawFrame.data(stream: 0, [1, 2, 3]))
        let goAway = try #require(ParsedFrame.parse(try server.pendingOutput()).of(.goAway).first)
        #expect(goAway.errorCode == HTTP2ErrorCode.protocolError.rawValue)
        #expect(!server.wantsRead && !server.wantsWrite)
        #expect(server.terminationError?.kind == .protocolError)
    }

    @Test("random bytes never trap", arguments: [UInt64(1), 2, 3, 4])
    func garbage(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        for round in 0..<150 {
            let role: HTTP2Connection.Role = round % 3 == 0 ? .client : .server
            let connection = try HTTP2Connection(role: role)
            var input: [UInt8] = role == .server && round % 2 == 0 ? RawFrame.clientStart : []
            if round % 4 == 1 {
                // Plausible frame headers with random types, flags, streams and payloads.
                for _ in 0..<Int.random(in: 1...20, using: &random) {
                    let payload = (0..<Int.random(in: 0...40, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
                    input += RawFrame.frame(
                        type: UInt8.random(in: 0...10, using: &random), flags: UInt8.random(in: 0...255, using: &random),
                        stream: UInt32.random(in: 0...9, using: &random), payload: payload)
                }
            } else {
                input += (0..<Int.random(in: 0...600, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            }
            var index = 0
            while index < input.count {
                let end = min(input.count, index + Int.random(in: 1...64, using: &random))
                do {
                    try connection.receive(Array(input[index..<end]))
                } catch {
                    break
                }
                _ = connection.takeEvents()
                _ = try? connection.pendingOutput(limit: 4_096)
                index = end
            }
            _ = try? connection.pendingOutput()
        }
    }

    @Test("mutated valid conversations never trap, with the far side still answering", arguments: [UInt64(11), 12, 13])
    func mutatedConversations(seed: UInt64) throws {
        // Record what a real client sends for two requests, one of them cancelled.
        let recorder = try HTTP2Connection(role: .client)
        let first = try recorder.submitRequest(headers: Fixtures.request, endStream: false)
        try recorder.submitData(streamID: first, bytes: [0, 0, 0, 0, 3, 1, 2, 3], endStream: false)
        try recorder.submitPing(opaqueData: 7)
        let second = try recorder.submitRequest(headers: Fixtures.request, endStream: false)
        try recorder.submitData(streamID: second, bytes: [UInt8](repeating: 9, count: 300), endStream: true)
        try recorder.submitData(streamID: first, bytes: [], endStream: true)
        var clientBytes = try recorder.pendingOutput()
        try recorder.submitReset(streamID: second, errorCode: .cancel)
        clientBytes += try recorder.pendingOutput()

        var random = SeededGenerator(seed: seed)
        for _ in 0..<200 {
            var input = clientBytes
            for _ in 0..<Int.random(in: 1...6, using: &random) {
                let index = Int.random(in: 0..<input.count, using: &random)
                switch Int.random(in: 0..<3, using: &random) {
                case 0: input[index] = UInt8.random(in: 0...255, using: &random)
                case 1: input[index] ^= 1 << UInt8.random(in: 0...7, using: &random)
                default: input.remove(at: index)
                }
            }
            let server = try HTTP2Connection(role: .server)
            var index = 0
            while index < input.count {
                let end = min(input.count, index + Int.random(in: 1...128, using: &random))
                do { try server.receive(Array(input[index..<end])) } catch { break }
                for event in server.takeEvents() {
                    switch event {
                    case .requestHeaders(let id, _, _):
                        try? server.submitResponseHeaders(streamID: id, headers: Fixtures.response, endStream: false)
                        try? server.submitData(streamID: id, bytes: [0, 0, 0, 0, 1, 42], endStream: false)
                    case .data(let id, let bytes, let endStream):
                        server.consume(streamID: id, count: bytes.count)
                        if endStream { try? server.submitTrailers(streamID: id, headers: Fixtures.okTrailers) }
                    default:
                        break
                    }
                }
                _ = try? server.pendingOutput(limit: 1_024)
                index = end
            }
            _ = try? server.pendingOutput()
        }
    }
}
