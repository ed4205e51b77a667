// SPDX-License-Identifier: Apache-2.0
// UsageFlow — end-to-end tests of Sources/RPCHTTP2Transport: a real server on port 0 over real
// TLS (and h2c) sockets, driven by the client transport built on the same engines.

import Contracts
import ProtoWire
import RPCCore
import RPCHTTP2Transport
import Synchronization
import TestSupport
import Testing
import TLS

/// Echoes payload sizes back; `StreamingFromServer` streams until cancelled.
struct EchoBenchmarkService: Grpc_Testing_BenchmarkService_SimpleServiceProtocol {
    /// Counts slow calls as they start, so a test can wait until they are all in flight.
    var slowCallsStarted = Counter()
    /// Counts slow calls whose task saw cancellation (deadline, reset) while sleeping.
    var slowCallsCancelled = Counter()
    /// Counts calls whose task ran with a task executor preference (the connection's loop).
    var callsOnALoop = Counter()

    func unaryCall(request: Grpc_Testing_SimpleRequest, context: ServerContext) async throws -> Grpc_Testing_SimpleResponse {
        if withUnsafeCurrentTask(body: { $0?.unownedTaskExecutor != nil }) { callsOnALoop.increment() }
        if request.hasResponseStatus, request.responseStatus.code != 0 {
            throw RPCError(code: Status.Code(rawValue: Int(request.responseStatus.code)), message: request.responseStatus.message)
        }
        if request.responseType.rawValue == 1 {
            // A slow call, for shutdown and deadline tests.
            slowCallsStarted.increment()
            do {
                try await Task.sleep(for: .milliseconds(300))
            } catch {
                slowCallsCancelled.increment()
                throw error
            }
        }
        var response = Grpc_Testing_SimpleResponse()
        response.payload.body = [UInt8](repeating: 7, count: Int(request.responseSize))
        response.username = context.peer.certificateChain.first?.subject ?? ""
        return response
    }

    func streamingCall(
        requests: RequestStream<Grpc_Testing_SimpleRequest>, response: ResponseWriter<Grpc_Testing_SimpleResponse>,
        context: ServerContext
    ) async throws {
        for try await request in requests {
            var message = Grpc_Testing_SimpleResponse()
            message.payload.body = [UInt8](repeating: 1, count: Int(request.responseSize))
            try await response.write(message)
        }
    }

    func streamingFromClient(
        requests: RequestStream<Grpc_Testing_SimpleRequest>, context: ServerContext
    ) async throws -> Grpc_Testing_SimpleResponse {
        var total = 0
        for try await request in requests { total += request.payload.body.count }
        var response = Grpc_Testing_SimpleResponse()
        response.payload.body = [UInt8](repeating: 0, count: total)
        return response
    }

    func streamingFromServer(
        request: Grpc_Testing_SimpleRequest, response: ResponseWriter<Grpc_Testing_SimpleResponse>, context: ServerContext
    ) async throws {
        var message = Grpc_Testing_SimpleResponse()
        message.payload.body = [UInt8](repeating: 2, count: Int(request.responseSize))
        for _ in 0..<Int(request.payload.body.count) { try await response.write(message) }
    }

    func streamingBothWays(
        requests: RequestStream<Grpc_Testing_SimpleRequest>, response: ResponseWriter<Grpc_Testing_SimpleResponse>,
        context: ServerContext
    ) async throws {
        try await streamingCall(requests: requests, response: response, context: context)
    }
}

/// Runs a server for the duration of `body`, then shuts it down gracefully and waits for it.
func withServer<Result: Sendable>(
    security: ServerConfiguration.Security,
    service: EchoBenchmarkService = EchoBenchmarkService(),
    configure: (inout ServerConfiguration) -> Void = { _ in },
    _ body: @Sendable (RPCServer, Int) async throws -> Result
) async throws -> Result {
    var router = RPCRouter()
    router.register(service)
    var configuration = ServerConfiguration(host: "127.0.0.1", port: 0, security: security, eventLoopCount: 2)
    configure(&configuration)
    let server = try RPCServer(configuration: configuration, router: router)
    let port = try server.start()
    return try await withThrowingTaskGroup(of: Result?.self) { group in
        group.addTask {
            await server.run()
            return nil
        }
        defer { server.shutdown() }
        let result = try await body(server, port)
        server.shutdown()
        while let next = try await group.next() { if let next { return next } }
        return result
    }
}

final class Counter: Sendable {
    private let count = Mutex(0)
    func increment() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}

func client(port: Int, tls: TLSConfiguration?) async throws -> HTTP2ClientTransport {
    try await HTTP2ClientTransport.connect(
        host: "127.0.0.1", port: port, security: tls.map { .tls($0) } ?? .plaintextHTTP2)
}

@Suite("HTTP/2 transport end to end", .serialized)
struct EndToEndTests {
    let certificates = TestCertificates.shared

    @Test(arguments: [true, false])
    func unaryAndStreamingCallsOverTLSAndCleartext(useTLS: Bool) async throws {
        let security: ServerConfiguration.Security = useTLS ? .tls(certificates.serverConfiguration()) : .plaintextHTTP2
        try await withServer(security: security) { _, port in
            let transport = try await client(port: port, tls: useTLS ? certificates.clientConfiguration(serverName: "localhost") : nil)
            defer { transport.close() }
            let stub = Grpc_Testing_BenchmarkService_Client(transport: transport)

            var request = Grpc_Testing_SimpleRequest()
            request.responseSize = 314_159
            request.payload.body = [UInt8](repeating: 3, count: 271_828)
            let response = try await stub.unaryCall(request)
            #expect(response.payload.body.count == 314_159)

            var streamed = Grpc_Testing_SimpleRequest()
            streamed.responseSize = 100
            streamed.payload.body = [UInt8](repeating: 0, count: 1_000)
            var count = 0
            for try await message in try await stub.streamingFromServer(streamed) {
                #expect(message.payload.body.count == 100)
                count += 1
            }
            #expect(count == 1_000)

            let uploads = (0..<1_000).map { _ in
                var upload = Grpc_Testing_SimpleRequest()
                upload.payload.body = [UInt8](repeating: 1, count: 100)
                return upload
            }
            #expect(try await stub.streamingFromClient(uploads).payload.body.count == 100_000)

            let (writer, responses) = try await stub.streamingCall()
            var iterator = responses.makeAsyncIterator()
            for size in [1, 10, 100] as [Int32] {
                var ping = Grpc_Testing_SimpleRequest()
                ping.responseSize = size
                try await writer.write(ping)
                #expect(try await iterator.next()?.payload.body.count == Int(size))
            }
            try await writer.finish()
            #expect(try await iterator.next() == nil)
        }
    }

    @Test func errorStatusesUnknownMethodsAndDeadlinesReachTheClient() async throws {
        let service = EchoBenchmarkService()
        try await withServer(security: .tls(certificates.serverConfiguration()), service: service) { _, port in
            let transport = try await client(port: port, tls: certificates.clientConfiguration())
            defer { transport.close() }
            let stub = Grpc_Testing_BenchmarkService_Client(transport: transport)
            var failing = Grpc_Testing_SimpleRequest()
            failing.responseStatus.code = 5
            failing.responseStatus.message = "no such thing: ☺ 100%"
            await #expect(throws: RPCError(code: .notFound, message: "no such thing: ☺ 100%")) {
                _ = try await stub.unaryCall(failing)
            }
            let rpc = RPCClient(transport: transport)
            let missing = MethodSchema(
                service: "grpc.testing.BenchmarkService", name: "Missing", kind: .unary, inputType: "", outputType: "")
            do {
                _ = try await rpc.unary(missing, request: Grpc_Testing_Empty(), output: Grpc_Testing_Empty.self)
                Issue.record("expected UNIMPLEMENTED")
            } catch let error as RPCError {
                #expect(error.code == .unimplemented)
            }
            var slow = Grpc_Testing_SimpleRequest()
            slow.responseType = .init(rawValue: 1)
            do {
                _ = try await stub.unaryCall(slow, options: CallOptions(timeout: .milliseconds(50)))
                Issue.record("expected DEADLINE_EXCEEDED")
            } catch let error as RPCError {
                #expect(error.code == .deadlineExceeded)
            }
            // The deadline cancelled the handler's own task, not only its call: its sleep ended.
            let waitLimit = ContinuousClock.now.advanced(by: .seconds(30))
            while service.slowCallsCancelled.value < 1, ContinuousClock.now < waitLimit {
                try await Task.sleep(for: .milliseconds(5))
            }
            #expect(service.slowCallsCancelled.value == 1)
            // The connection is still usable afterwards.
            #expect(try await stub.unaryCall(Grpc_Testing_SimpleRequest()).payload.body.isEmpty)
            // Every handler ran with its connection's event loop as its task executor.
            #expect(service.callsOnALoop.value == 3)
        }
    }

    @Test func mutualTLSAcceptsTheCAsClientsAndRejectsOthers() async throws {
        let serverTLS = certificates.serverConfiguration(clientCertificateVerification: .required(trustRoots: certificates.pem("ca.pem")))
        try await withServer(security: .tls(serverTLS)) { _, port in
            let trusted = try await client(port: port, tls: certificates.clientConfiguration(certificate: "client"))
            defer { trusted.close() }
            let response = try await Grpc_Testing_BenchmarkService_Client(transport: trusted).unaryCall(Grpc_Testing_SimpleRequest())
            #expect(response.username.contains("CN=test-client"))

            for certificate in [nil, "rogue-client"] as [String?] {
                var rejected = false
                do {
                    let transport = try await client(port: port, tls: certificates.clientConfiguration(certificate: certificate))
                    defer { transport.close() }
                    _ = try await Grpc_Testing_BenchmarkService_Client(transport: transport)
                        .unaryCall(Grpc_Testing_SimpleRequest(), options: CallOptions(timeout: .seconds(5)))
                } catch {
                    rejected = true
                }
                #expect(rejected, "client certificate \(certificate ?? "none") must be rejected")
            }
        }
    }

    @Test func gracefulShutdownLetsInFlightCallsFinish() async throws {
        var router = RPCRouter()
        let service = EchoBenchmarkService()
        router.register(service)
        let server = try RPCServer(
            configuration: ServerConfiguration(port: 0, security: .tls(certificates.serverConfiguration()), eventLoopCount: 2),
            router: router)
        let port = try server.start()
        let transport = try await client(port: port, tls: certificates.clientConfiguration())
        defer { transport.close() }
        let stub = Grpc_Testing_BenchmarkService_Client(transport: transport)
        let completed = Counter()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await server.run() }
            for _ in 0..<50 {
                group.addTask {
                    var slow = Grpc_Testing_SimpleRequest()
                    slow.responseType = .init(rawValue: 1)
                    slow.responseSize = 10
                    let response = try await stub.unaryCall(slow, options: CallOptions(timeout: .seconds(10)))
                    #expect(response.payload.body.count == 10)
                    completed.increment()
                }
            }
            // Shut down only once every call is in a handler: streams the server has not yet seen
            // when it sends GOAWAY are refused, as HTTP/2 specifies.
            let waitLimit = ContinuousClock.now.advanced(by: .seconds(10))
            while service.slowCallsStarted.value < 50, ContinuousClock.now < waitLimit {
                try await Task.sleep(for: .milliseconds(5))
            }
            #expect(service.slowCallsStarted.value == 50)
            server.shutdown()
            try await group.waitForAll()
        }
        #expect(completed.value == 50)
        #expect(server.connectionCount == 0)
        await #expect(throws: (any Error).self) { _ = try await client(port: port, tls: certificates.clientConfiguration()) }
    }
}
