// SPDX-License-Identifier: Apache-2.0
// UsageFlow — RPCInProcessTransport tests: how calls end — errors and their details, unknown
// paths, malformed and oversize requests, deadlines, cancellation, flow control and shutdown.

import Contracts
import ProtoWire
import RPCCore
import RPCInProcessTransport
import Testing

@Suite("InProcessTransport: outcomes")
struct InProcessCallTests {
    let probe = Probe()

    // MARK: Errors

    @Test(arguments: ThrownError.allCases)
    func thrownErrorsBecomeStatuses(thrown: ThrownError) async throws {
        try await InProcessTransport.withTransport(router: makeRouter(probe: probe)) { transport in
            let call = try await transport.openCall(path: ProbeRoutes.throwError.path, metadata: [:], timeout: nil)
            try await call.send([thrown.rawValue])
            try await call.finishSending()
            let (messages, status, _) = try await drain(call)
            #expect(messages.isEmpty)
            #expect(status.code == thrown.expected.0)
            #expect(status.message == thrown.expected.1)
            #expect(!status.message.contains("SQLITE"))
        }
    }

    @Test func errorKeepsHeadersTrailersAndDetails() async throws {
        try await InProcessTransport.withTransport(router: makeRouter(probe: probe)) { transport in
            let call = try await transport.openCall(path: ProbeRoutes.fail.path, metadata: [:], timeout: nil)
            try await call.send(echoStatus(.invalidArgument).serializedBytes())
            try await call.finishSending()
            #expect(try await call.responseMetadata() == ["x-stage": "validated"])
            let (_, status, trailers) = try await drain(call)
            #expect(status == Status(code: .invalidArgument, message: "name must not be empty"))
            #expect(trailers["x-request-id"] == "req-1")
            let detailBytes = try #require(trailers.binaryValues("grpc-status-details-bin").first)
            let details = try Google_Rpc_Status(serializedBytes: detailBytes)
            #expect(details.code == Int32(Status.Code.invalidArgument.rawValue))
            #expect(details.message == "name must not be empty")
        }
    }

    @Test func generatedClientThrowsTheErrorWithItsTrailersAndDetails() async throws {
        try await InProcessTransport.withTransport(router: makeRouter(probe: probe)) { transport in
            let client = RPCClient(transport: transport)
            let error = await #expect(throws: RPCError.self) {
                try await client.unary(
                    ProbeRoutes.fail, request: echoStatus(.failedPrecondition), output: Grpc_Testing_Empty.self)
            }
            #expect(error?.code == .failedPrecondition)
            #expect(error?.message == "name must not be empty")
            #expect(error?.metadata["x-request-id"] == "req-1")
            // The details travel as `grpc-status-details-bin`, as on the wire; a client that lifts
            // them into `statusDetails` is just as good.
            let detailBytes = try #require(error?.statusDetails ?? error?.metadata.binaryValues("grpc-status-details-bin").first)
            #expect(try Google_Rpc_Status(serializedBytes: detailBytes).message == "name must not be empty")
        }
    }

    @Test(arguments: [
        ("/grpc.testing.BenchmarkService/NoSuchMethod", "method /grpc.testing.BenchmarkService/NoSuchMethod is not implemented"),
        ("/grpc.testing.TestService/EmptyCall", "service grpc.testing.TestService is not implemented"),
        ("/", "service  is not implemented"),
        ("", "service  is not implemented"),
    ])
    func unknownPathIsUnimplemented(path: String, message: String) async throws {
        try await InProcessTransport.withTransport(router: makeRouter(probe: probe)) { transport in
            let call = try await transport.openCall(path: path, metadata: [:], timeout: nil)
            #expect(try await call.responseMetadata().isEmpty)
            let (messages, status, trailers) = try await drain(call)
            #expect(messages.isEmpty)
            #expect(status == Status(code: .unimplemented, message: message))
            #expect(trailers.isEmpty)
        }
    }

    @Test func generatedClientOfAnUnregisteredServiceGetsUnimplemented() async throws {
        try await InProcessTransport.withTransport(router: makeRouter(probe: probe)) { transport in
            let client = Grpc_Testing_TestService_Client(transport: transport)
            let error = await #expect(throws: RPCError.self) { try await client.emptyCall(Grpc_Testing_Empty()) }
            #expect(error?.code == .unimplemented)
        }
    }

    @Test func malformedRequestBytesAreInternal() async throws {
        try await InProcessTransport.withTransport(router: makeRouter(probe: probe)) { transport in
            let call = try await transport.openCall(
                path: Grpc_Testing_BenchmarkService.UnaryCall.schema.path, metadata: [:], timeout: nil)
            // Field 3 (payload), length-delimited, claiming 100 bytes that never come.
            try await call.send([0x1A, 100, 1])
            try await call.finishSending()
            let (_, status, _) = try await drain(call)
            #expect(status.code == .internal)
            #expect(status.message.hasPrefix("cannot decode grpc.testing.SimpleRequest"))
        }
    }

    @Test func unaryWithoutARequestIsRefused() async throws {
        try await InProcessTransport.withTransport(router: makeRouter(probe: probe)) { transport in
            let call = try await transport.openCall(
                path: Grpc_Testing_BenchmarkService.UnaryCall.schema.path, metadata: [:], timeout: nil)
            try await call.finishSending()
            let (_, status, _) = try await drain(call)
            #expect(status == Status(code: .unimplemented, message: "expected one request message, received none"))
        }
    }

    // MARK: Request size limit

    @Test(arguments: [(1_024, 1_024, true), (1_024, 1_025, false), (1_024, 0, true), (2, 2, true), (2, 3, false)])
    func requestMessagesOverTheLimitAreResourceExhausted(limit: Int, size: Int, accepted: Bool) async throws {
        try await InProcessTransport.withTransport(
            router: makeRouter(probe: probe), maximumReceiveMessageSize: limit
        ) { transport in
            #expect(transport.maximumReceiveMessageSize == limit)
            let call = try await transport.openCall(path: ProbeRoutes.measure.path, metadata: [:], timeout: nil)
            try await call.send([1, 2])
            try await call.send([UInt8](repeating: 7, count: size))
            try await call.finishSending()
            let (messages, status, _) = try await drain(call)
            if accepted {
                #expect(status == .ok)
                #expect(messages == [[0, 0, 0, 2] + bigEndian(UInt32(size))])
            } else {
                #expect(messages.isEmpty)
                #expect(status == Status(
                    code: .resourceExhausted, message: "message of \(size) bytes exceeds the limit of \(limit) bytes"))
            }
        }
    }

    @Test func defaultLimitIsFourMebibytes() async throws {
        try await InProcessTransport.withTransport(router: makeRouter(probe: probe)) { transport in
            #expect(transport.maximumReceiveMessageSize == 4 * 1024 * 1024)
            for (size, code) in [(4 * 1024 * 1024, Status.Code.ok), (4 * 1024 * 1024 + 1, .resourceExhausted)] {
                let call = try await transport.openCall(path: ProbeRoutes.measure.path, metadata: [:], timeout: nil)
                try await call.send([UInt8](repeating: 1, count: size))
                try await call.finishSending()
                let (messages, status, _) = try await drain(call)
                #expect(status.code == code)
                #expect(messages == (code == .ok ? [bigEndian(UInt32(size))] : []))
            }
        }
    }

    @Test func oversizeRequestCancelsTheHandler() async throws {
        try await InProcessTransport.withTransport(
            router: makeRouter(probe: probe), maximumReceiveMessageSize: 10
        ) { transport in
            let call = try await transport.openCall(path: ProbeRoutes.ignoreRequests.path, metadata: [:], timeout: nil)
            #expect(await probe.waitFor("started"))
            try await call.send([UInt8](repeating: 0, count: 11))
            #expect(try await call.status().0.code == .resourceExhausted)
            #expect(await probe.waitFor("cancelled"))
            // Further requests report the failure.
            let error = await #expect(throws: RPCError.self) { try await call.send([1]) }
            #expect(error?.code == .resourceExhausted)
        }
    }

    // MARK: Deadlines

    @Test func deadlineExceededCancelsTheHandler() async throws {
        try await InProcessTransport.withTransport(router: makeRouter(probe: probe)) { transport in
            let client = RPCClient(transport: transport)
            let started = ContinuousClock.now
            let error = await #expect(throws: RPCError.self) {
                try await client.unary(
                    ProbeRoutes.hang, request: Grpc_Testing_Empty(), options: CallOptions(timeout: .milliseconds(50)),
                    output: Grpc_Testing_Empty.self)
            }
            #expect(error?.code == .deadlineExceeded)
            #expect(error?.message == "deadline exceeded")
            // Well under the hanging handler's 60 s, with room for a busy test run.
            #expect(ContinuousClock.now - started < .seconds(30))
            #expect(await probe.waitFor("cancelled"))
        }
    }

    @Test func deadlineWinsOverAHandlerThatIgnoresCancellation() async throws {
        try await InProcessTransport.withTransport(router: makeRouter(probe: probe)) { transport in
            let call = try await transport.openCall(
                path: ProbeRoutes.ignoreCancellation.path, metadata: [:], timeout: .milliseconds(30))
            try await call.send([])
            try await call.finishSending()
            let (messages, status, _) = try await drain(call)
            #expect(status == Status(code: .deadlineExceeded, message: "deadline exceeded"))
            #expect(messages.isEmpty)
            #expect(await probe.waitFor("returning"))
        }
    }

    @Test func zeroTimeoutExpiresAtOnce() async throws {
        try await InProcessTransport.withTransport(router: makeRouter(probe: probe)) { transport in
            let call = try await transport.openCall(path: ProbeRoutes.hang.path, metadata: [:], timeout: .zero)
            #expect(try await call.status().0.code == .deadlineExceeded)
        }
    }

    @Test func handlerSeesTheDeadline() async throws {
        try await InProcessTransport.withTransport(router: makeRouter(probe: probe)) { transport in
            let before = ContinuousClock.now
            for timeout in [Duration.seconds(30), nil] {
                let call = try await transport.openCall(path: ProbeRoutes.metadata.path, metadata: [:], timeout: timeout)
                try await call.send([])
                try await call.finishSending()
                #expect(try await drain(call).status == .ok)
            }
            let after = ContinuousClock.now
            let deadlines = probe.deadlines
            try #require(deadlines.count == 2)
            let deadline = try #require(deadlines[0])
            #expect(deadline >= before.advanced(by: .seconds(30)) && deadline <= after.advanced(by: .seconds(30)))
            #expect(deadlines[1] == nil)
        }
    }

    @Test func callThatFinishesInTimeIsOK() async throws {
        try await InProcessTransport.withTransport(router: makeRouter(probe: probe)) { transport in
            let client = Grpc_Testing_BenchmarkService_Client(transport: transport)
            let response = try await client.unaryCall(simpleRequest([5]), options: CallOptions(timeout: .seconds(30)))
            #expect(response.payload.body == [5])
        }
    }

    // MARK: Cancellation

    @Test func clientCancelEndsTheCallAndCancelsTheHandler() async throws {
        try await InProcessTransport.withTransport(router: makeRouter(probe: probe)) { transport in
            let call = try await transport.openCall(path: ProbeRoutes.hang.path, metadata: [:], timeout: nil)
            try await call.send([])
            #expect(await probe.waitFor("started"))
            call.cancel()
            let (messages, status, _) = try await drain(call)
            #expect(messages.isEmpty)
            #expect(status == Status(code: .cancelled, message: "the call was cancelled"))
            #expect(await probe.waitFor("cancelled"))
        }
    }

    @Test func cancellingTheCallingTaskCancelsTheCall() async throws {
        try await InProcessTransport.withTransport(router: makeRouter(probe: probe)) { transport in
            let client = RPCClient(transport: transport)
            let probe = self.probe
            try await withThrowingTaskGroup(of: RPCError?.self) { group in
                group.addTask {
                    do {
                        _ = try await client.unary(ProbeRoutes.hang, request: Grpc_Testing_Empty(), output: Grpc_Testing_Empty.self)
                        return nil
                    } catch let error as RPCError {
                        return error
                    }
                }
                #expect(await probe.waitFor("started"))
                group.cancelAll()
                let error = try await group.next() ?? nil
                #expect(error?.code == .cancelled)
            }
            #expect(await probe.waitFor("cancelled"))
        }
    }

    @Test func cancellingAStreamStopsTheServerAndDropsUnreadResponses() async throws {
        try await InProcessTransport.withTransport(router: makeRouter(probe: probe)) { transport in
            let call = try await transport.openCall(
                path: Grpc_Testing_BenchmarkService.StreamingFromServer.schema.path, metadata: [:], timeout: nil)
            try await call.send(simpleRequest([1], responseSize: -1).serializedBytes())
            try await call.finishSending()
            for _ in 0..<3 { #expect(try await call.receive() != nil) }
            call.cancel()
            #expect(try await call.receive() == nil)
            #expect(try await call.status().0.code == .cancelled)
            #expect(await probe.waitFor("cancelled"))
        }
    }

    // MARK: Misuse

    @Test func sendAfterFinishSendingFails() async throws {
        try await InProcessTransport.withTransport(router: makeRouter(probe: probe)) { transport in
            let call = try await transport.openCall(path: ProbeRoutes.hang.path, metadata: [:], timeout: nil)
            try await call.finishSending()
            let error = await #expect(throws: RPCError.self) { try await call.send([1]) }
            #expect(error?.code == .failedPrecondition)
            call.cancel()
        }
    }

    @Test func requestsAfterAnOKStatusAreDropped() async throws {
        try await InProcessTransport.withTransport(router: makeRouter(probe: probe)) { transport in
            let call = try await transport.openCall(path: ProbeRoutes.returnAtOnce.path, metadata: [:], timeout: nil)
            #expect(try await call.status().0 == .ok)
            try await call.send([1])
            try await call.finishSending()
            #expect(try await call.receive() == nil)
        }
    }

    // MARK: Flow control

    @Test func aHandlerStreamingToAClientThatDoesNotReadWaits() async throws {
        try await InProcessTransport.withTransport(router: makeRouter(probe: probe)) { transport in
            let call = try await transport.openCall(
                path: Grpc_Testing_BenchmarkService.StreamingFromServer.schema.path, metadata: [:], timeout: nil)
            try await call.send(simpleRequest([UInt8](repeating: 1, count: 1_000), responseSize: -1).serializedBytes())
            try await call.finishSending()
            let bound = InProcessTransport.bufferedBytesLimit / 1_000 + 2
            #expect(await probe.waitUntil { $0.counter("written") >= bound - 10 })
            try await Task.sleep(for: .milliseconds(100))
            let written = probe.counter("written")
            #expect(written <= bound)
            // Reading makes room, and the handler carries on.
            for _ in 0..<100 { _ = try await call.receive() }
            #expect(await probe.waitUntil { $0.counter("written") >= written + 90 })
            call.cancel()
            #expect(await probe.waitFor("cancelled"))
        }
    }

    @Test func aClientSendingToAHandlerThatDoesNotReadWaits() async throws {
        try await InProcessTransport.withTransport(router: makeRouter(probe: probe)) { transport in
            let call = try await transport.openCall(path: ProbeRoutes.ignoreRequests.path, metadata: [:], timeout: nil)
            let probe = self.probe
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    while true {
                        try await call.send([UInt8](repeating: 0, count: 1_000))
                        probe.count("sent")
                    }
                }
                let bound = InProcessTransport.bufferedBytesLimit / 1_000 + 1
                #expect(await probe.waitUntil { $0.counter("sent") >= bound - 10 })
                try await Task.sleep(for: .milliseconds(100))
                #expect(probe.counter("sent") <= bound)
                call.cancel()
                // The waiting send returns and the next one reports the cancellation.
                let error = await #expect(throws: RPCError.self) { try await group.next() }
                #expect(error?.code == .cancelled)
            }
            #expect(await probe.waitFor("cancelled"))
        }
    }

    // MARK: Lifetime

    @Test func callsLeftOpenEndWhenTheScopeEnds() async throws {
        let (call, transport) = try await InProcessTransport.withTransport(router: makeRouter(probe: probe)) {
            transport -> (any ClientCall, InProcessTransport) in
            let call = try await transport.openCall(path: ProbeRoutes.hang.path, metadata: [:], timeout: nil)
            #expect(await probe.waitFor("started"))
            return (call, transport)
        }
        // withTransport waited for the handler.
        #expect(probe.events == ["started", "cancelled"])
        #expect(try await call.status().0 == Status(code: .unavailable, message: "the in-process transport has shut down"))
        let late = try await transport.openCall(path: ProbeRoutes.hang.path, metadata: [:], timeout: nil)
        #expect(try await late.status().0.code == .unavailable)
        #expect(probe.events == ["started", "cancelled"])
    }

    @Test func bodyErrorsPropagateAfterHandlersEnd() async throws {
        struct Stop: Error, Equatable {}
        let probe = self.probe
        await #expect(throws: Stop.self) {
            try await InProcessTransport.withTransport(router: makeRouter(probe: probe)) { transport in
                _ = try await transport.openCall(path: ProbeRoutes.hang.path, metadata: [:], timeout: nil)
                #expect(await probe.waitFor("started"))
                throw Stop()
            }
        }
        #expect(probe.events == ["started", "cancelled"])
    }
}

func echoStatus(_ code: Status.Code) -> Grpc_Testing_EchoStatus {
    var status = Grpc_Testing_EchoStatus()
    status.code = Int32(code.rawValue)
    status.message = "name must not be empty"
    return status
}

func bigEndian(_ value: UInt32) -> [UInt8] {
    [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
}
