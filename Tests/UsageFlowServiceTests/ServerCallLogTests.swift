// SPDX-License-Identifier: Apache-2.0
// UsageFlow — UsageFlowServiceTests

import Domain
import Foundation
import ProtoWire
import RPCCore
import RPCInProcessTransport
import Testing
@testable import UsageFlowServer

@Suite("Call log interceptor")
struct ServerCallLogTests {
    struct Boom: Error, CustomStringConvertible {
        var description: String { "disk quota of /var/lib/usageflow exceeded" }
    }

    static let ok = MethodSchema(service: "test.Probe", name: "Ok", kind: .unary, inputType: "x", outputType: "x")
    static let boom = MethodSchema(service: "test.Probe", name: "Boom", kind: .unary, inputType: "x", outputType: "x")
    static let broken = MethodSchema(service: "test.Probe", name: "Broken", kind: .unary, inputType: "x", outputType: "x")
    static let missing = MethodSchema(service: "test.Probe", name: "Missing", kind: .unary, inputType: "x", outputType: "x")
    static let seenID = MethodSchema(service: "test.Probe", name: "SeenID", kind: .unary, inputType: "x", outputType: "x")

    static func router(log: EventLog) -> RPCRouter {
        var router = RPCRouter()
        router.register(ok) { call in
            _ = try await call.requests.next()
            try await call.responses.send([])
            return ["x-handler": "yes"]
        }
        router.register(boom) { _ in throw Boom() }
        router.register(broken) { _ in throw DomainError.internalFailure("SQLITE_CORRUPT in usage_records") }
        router.register(missing) { _ in throw DomainError.notFound("product", "PRD-123-456-789") }
        router.register(seenID) { call in
            try await call.responses.send(Array((call.context.requestID ?? "").utf8))
            return [:]
        }
        router.intercept(with: CallLogInterceptor(log: log))
        return router
    }

    /// Runs one call and returns its status, trailers and response messages.
    static func call(_ schema: MethodSchema, on transport: InProcessTransport) async throws -> (Status, Metadata, [[UInt8]]) {
        let call = try await transport.openCall(path: schema.path, metadata: [:], timeout: nil)
        // A handler that fails at once may end the call before the request is sent; sending then
        // throws the call's status, which `status()` below reports anyway.
        try? await call.send([])
        try? await call.finishSending()
        var messages: [[UInt8]] = []
        while let message = try await call.receive() { messages.append(message) }
        let (status, trailers) = try await call.status()
        return (status, trailers, messages)
    }

    @Test("a successful call: x-request-id trailer, handler trailers kept, one info line")
    func success() async throws {
        let collected = CollectedLog()
        try await InProcessTransport.withTransport(router: Self.router(log: collected.log)) { transport in
            let (status, trailers, _) = try await Self.call(Self.ok, on: transport)
            #expect(status.code == .ok)
            #expect(trailers["x-handler"] == "yes")
            let requestID = try #require(trailers["x-request-id"])
            #expect(requestID.count == 16 && requestID.allSatisfy(\.isHexDigit))

            let line = try #require(try collected.objects().last)
            #expect(line["msg"] as? String == "call")
            #expect(line["level"] as? String == "info")
            #expect(line["request_id"] as? String == requestID)
            #expect(line["method"] as? String == "/test.Probe/Ok")
            #expect(line["principal"] as? String == "-")
            #expect(line["status"] as? String == "OK")
            #expect((line["duration_us"] as? Int).map { $0 >= 0 } == true)
            #expect(line["peer"] as? String == "in-process")  // debug level includes the peer
            #expect(line["cause"] == nil)
            #expect((line["time"] as? String)?.hasSuffix("Z") == true)
        }
    }

    @Test("an unexpected error: UNKNOWN with a generic message and the request id; the cause only in the log")
    func unexpectedError() async throws {
        let collected = CollectedLog()
        try await InProcessTransport.withTransport(router: Self.router(log: collected.log)) { transport in
            let (status, trailers, _) = try await Self.call(Self.boom, on: transport)
            let requestID = try #require(trailers["x-request-id"])
            #expect(status.code == .unknown)
            #expect(status.message == "the server failed to handle the call (request id \(requestID))")
            #expect(!status.message.contains("quota"))

            let line = try #require(try collected.objects().last)
            #expect(line["level"] as? String == "error")
            #expect(line["status"] as? String == "UNKNOWN")
            #expect(line["request_id"] as? String == requestID)
            #expect(line["cause"] as? String == "disk quota of /var/lib/usageflow exceeded")
        }
    }

    @Test("an internal domain failure: INTERNAL, generic message, cause logged")
    func internalFailure() async throws {
        let collected = CollectedLog()
        try await InProcessTransport.withTransport(router: Self.router(log: collected.log)) { transport in
            let (status, trailers, _) = try await Self.call(Self.broken, on: transport)
            let requestID = try #require(trailers["x-request-id"])
            #expect(status.code == .internal)
            #expect(status.message.contains(requestID))
            #expect(!status.message.contains("SQLITE"))
            let line = try #require(try collected.objects().last)
            #expect(line["status"] as? String == "INTERNAL")
            #expect((line["cause"] as? String)?.contains("SQLITE_CORRUPT") == true)
        }
    }

    @Test("an expected refusal keeps its status and message and logs no cause")
    func expectedRefusal() async throws {
        let collected = CollectedLog()
        try await InProcessTransport.withTransport(router: Self.router(log: collected.log)) { transport in
            let (status, trailers, _) = try await Self.call(Self.missing, on: transport)
            #expect(status.code == .notFound)
            #expect(status.message == DomainError.notFound("product", "PRD-123-456-789").message)
            #expect(trailers["x-request-id"] != nil)
            let line = try #require(try collected.objects().last)
            #expect(line["level"] as? String == "info")
            #expect(line["status"] as? String == "NOT_FOUND")
            #expect(line["cause"] == nil)
        }
    }

    @Test("handlers see the request id the client receives")
    func handlersSeeTheID() async throws {
        try await InProcessTransport.withTransport(router: Self.router(log: .disabled)) { transport in
            let (_, trailers, messages) = try await Self.call(Self.seenID, on: transport)
            #expect(messages.first.map { String(decoding: $0, as: UTF8.self) } == trailers["x-request-id"])
        }
    }

    @Test("at level warn, successful calls are not logged but failures are")
    func levels() async throws {
        let collected = CollectedLog()
        try await InProcessTransport.withTransport(router: Self.router(log: collected.eventLog(level: .warn))) { transport in
            _ = try await Self.call(Self.ok, on: transport)
            _ = try await Self.call(Self.missing, on: transport)
            _ = try await Self.call(Self.boom, on: transport)
        }
        let lines = try collected.objects()
        #expect(lines.count == 1)
        #expect(lines.first?["status"] as? String == "UNKNOWN")
        #expect(lines.first?["peer"] == nil)  // the peer is a debug-level field
    }

    @Test(
        "log levels by status",
        arguments: [
            (Status.Code.ok, LogLevel.info), (.invalidArgument, .info), (.notFound, .info), (.permissionDenied, .info),
            (.unauthenticated, .info), (.cancelled, .info), (.unavailable, .warn), (.aborted, .warn),
            (.resourceExhausted, .warn), (.deadlineExceeded, .warn), (.unknown, .error), (.internal, .error),
            (.dataLoss, .error),
        ])
    func levelByStatus(_ code: Status.Code, _ level: LogLevel) {
        #expect(CallLogInterceptor.level(for: code) == level)
    }

    @Test("request ids are 16 hex digits and distinct")
    func requestIDs() {
        let generator = RequestIDGenerator(prefix: 0xDEAD_BEEF)
        let ids = (0..<1000).map { _ in generator.next() }
        #expect(Set(ids).count == 1000)
        #expect(ids.allSatisfy { $0.count == 16 && $0.hasPrefix("deadbeef") && $0.allSatisfy(\.isHexDigit) })
        #expect(ids.first == "deadbeef00000001")
    }

    @Test("log lines are valid JSON whatever the strings hold")
    func escaping() throws {
        let collected = CollectedLog()
        let nasty = "quote \" backslash \\ newline \n tab \t bell \u{07} del \u{7F} line-separator \u{2028} é 😀"
        collected.log.log(.info, nasty, ["field": .string(nasty), "count": 42, "flag": .bool(true)])
        let line = try #require(collected.all.first)
        #expect(line.hasSuffix("}\n"))
        #expect(line.dropLast().allSatisfy { $0 != "\n" })
        let object = try #require(try collected.objects().first)
        #expect(object["msg"] as? String == nasty)
        #expect(object["field"] as? String == nasty)
        #expect(object["count"] as? Int == 42)
        #expect(object["flag"] as? Bool == true)
    }

    @Test("lines below the level are not built")
    func filtering() {
        let collected = CollectedLog()
        let log = collected.eventLog(level: .error)
        log.log(.debug, "a")
        log.log(.info, "b")
        log.log(.warn, "c")
        log.log(.error, "d")
        #expect(collected.all.count == 1)
        #expect(!log.isEnabled(.warn) && log.isEnabled(.error))
    }
}
