// SPDX-License-Identifier: Apache-2.0
// UsageFlow — RPCInProcessTransport tests: the four call kinds through generated clients, the
// peer, metadata both ways and interceptors.

import Contracts
import ProtoWire
import RPCCore
import RPCInProcessTransport
import Testing

@Suite("InProcessTransport: calls")
struct InProcessTransportTests {
    let probe = Probe()

    @Test func unary() async throws {
        try await InProcessTransport.withTransport(router: makeRouter(probe: probe)) { transport in
            let client = Grpc_Testing_BenchmarkService_Client(transport: transport)
            let response = try await client.unaryCall(simpleRequest([1, 2, 3]))
            #expect(response.payload.body == [1, 2, 3])
        }
    }

    @Test func clientStreaming() async throws {
        try await InProcessTransport.withTransport(router: makeRouter(probe: probe)) { transport in
            let client = Grpc_Testing_BenchmarkService_Client(transport: transport)
            let response = try await client.streamingFromClient([simpleRequest([1]), simpleRequest([2, 3]), simpleRequest([])])
            #expect(response.payload.body == [1, 2, 3])
            let empty = try await client.streamingFromClient([Grpc_Testing_SimpleRequest]())
            #expect(empty.payload.body.isEmpty)
        }
    }

    @Test func serverStreaming() async throws {
        try await InProcessTransport.withTransport(router: makeRouter(probe: probe)) { transport in
            let client = Grpc_Testing_BenchmarkService_Client(transport: transport)
            var bodies: [[UInt8]] = []
            for try await response in try await client.streamingFromServer(simpleRequest([9, 8], responseSize: 5)) {
                bodies.append(response.payload.body)
            }
            #expect(bodies == Array(repeating: [9, 8], count: 5))
        }
    }

    @Test func bidirectionalStreamingPingPong() async throws {
        try await InProcessTransport.withTransport(router: makeRouter(probe: probe)) { transport in
            let client = Grpc_Testing_BenchmarkService_Client(transport: transport)
            let (requests, responses) = try await client.streamingBothWays()
            var iterator = responses.makeAsyncIterator()
            for round in 0..<10 {
                // Each answer arrives before the next request is sent: the streams are live.
                try await requests.write(simpleRequest([UInt8(round)]))
                let response = try #require(try await iterator.next())
                #expect(response.payload.body == [UInt8(round)])
            }
            try await requests.finish()
            #expect(try await iterator.next() == nil)
        }
    }

    @Test func manyConcurrentCalls() async throws {
        try await InProcessTransport.withTransport(router: makeRouter(probe: probe)) { transport in
            let client = Grpc_Testing_BenchmarkService_Client(transport: transport)
            try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<200 {
                    group.addTask {
                        let body = [UInt8(index % 256), UInt8(index / 256)]
                        return try await client.unaryCall(simpleRequest(body)).payload.body == body
                    }
                }
                for try await matched in group { #expect(matched) }
            }
        }
    }

    @Test func largeMessagesCrossIntact() async throws {
        try await InProcessTransport.withTransport(router: makeRouter(probe: probe)) { transport in
            let client = Grpc_Testing_BenchmarkService_Client(transport: transport)
            let body = (0..<1_000_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            let response = try await client.unaryCall(simpleRequest(body))
            #expect(response.payload.body == body)
        }
    }

    @Test func defaultPeerIsInProcess() async throws {
        try await InProcessTransport.withTransport(router: makeRouter(probe: probe)) { transport in
            #expect(transport.peer == Peer(address: "in-process"))
            let response = try await Grpc_Testing_BenchmarkService_Client(transport: transport).unaryCall(simpleRequest([]))
            #expect(response.hostname == "in-process")
            #expect(response.username == "")
        }
    }

    @Test func peerWithClientCertificateReachesTheHandler() async throws {
        let certificate = PeerCertificate(
            subject: "CN=billing,O=Distributor", issuer: "CN=UsageFlow CA", sha256Fingerprint: Array(repeating: 0xAB, count: 32),
            der: [0x30, 0x00])
        let peer = Peer(address: "ipv4:10.0.0.7:50123", certificateChain: [certificate])
        try await InProcessTransport.withTransport(router: makeRouter(probe: probe), peer: peer) { transport in
            let response = try await Grpc_Testing_BenchmarkService_Client(transport: transport).unaryCall(simpleRequest([]))
            #expect(response.username == "CN=billing,O=Distributor")
            #expect(response.hostname == "ipv4:10.0.0.7:50123")
        }
    }

    @Test func metadataRoundTrip() async throws {
        try await InProcessTransport.withTransport(
            router: makeRouter(probe: probe), metadata: ["authorization": "Bearer secret"]
        ) { transport in
            var metadata: Metadata = ["x-a": "1"]
            metadata.add("x-b-bin", binary: [0, 255])
            let call = try await transport.openCall(path: ProbeRoutes.metadata.path, metadata: metadata, timeout: nil)
            try await call.send([])
            try await call.finishSending()
            var headers: Metadata = ["x-initial": "hello"]
            headers.add("x-initial-bin", binary: [0, 1, 2])
            #expect(try await call.responseMetadata() == headers)
            let (messages, status, trailers) = try await drain(call)
            #expect(messages == [Array("in-process".utf8)])
            #expect(status == .ok)
            var expectedTrailers: Metadata = ["x-trailing": "bye"]
            expectedTrailers.add("x-trailing-bin", binary: [255, 254])
            #expect(trailers == expectedTrailers)

            var seen: Metadata = ["authorization": "Bearer secret", "x-a": "1"]
            seen.add("x-b-bin", binary: [0, 255])
            #expect(probe.metadata == [seen])
        }
    }

    @Test func metadataThatCannotCrossHTTP2IsDropped() async throws {
        try await InProcessTransport.withTransport(router: makeRouter(probe: probe)) { transport in
            var metadata: Metadata = [
                "grpc-timeout": "1S", "content-type": "text/plain", "te": "trailers", "x-tab": "a\tb",
                "x-edge": " padded", "x-ok": "kept", "x-string-bin": "not binary", "x:colon": "bad key",
            ]
            metadata.add("x-binary-without-suffix", binary: [1])
            let call = try await transport.openCall(path: ProbeRoutes.metadata.path, metadata: metadata, timeout: nil)
            try await call.send([])
            try await call.finishSending()
            _ = try await drain(call)
            #expect(probe.metadata == [["x-ok": "kept"]])
        }
    }

    @Test func interceptorsRunAroundEveryRoute() async throws {
        struct RequireCredential: ServerInterceptor {
            func intercept(
                _ call: ServerCall, next: @Sendable (ServerCall) async throws -> Metadata
            ) async throws -> Metadata {
                guard call.context.requestMetadata["authorization"] == "Bearer secret" else {
                    throw RPCError(code: .unauthenticated, message: "missing credential")
                }
                return try await next(call)
            }
        }
        let router = makeRouter(probe: probe) { $0.intercept(with: RequireCredential()) }
        try await InProcessTransport.withTransport(router: router) { transport in
            let client = Grpc_Testing_BenchmarkService_Client(transport: transport)
            let error = await #expect(throws: RPCError.self) { try await client.unaryCall(simpleRequest([1])) }
            #expect(error?.code == .unauthenticated)
            let options = CallOptions(metadata: ["authorization": "Bearer secret"])
            let response = try await client.unaryCall(simpleRequest([1]), options: options)
            #expect(response.payload.body == [1])
        }
        try await InProcessTransport.withTransport(router: router, metadata: ["authorization": "Bearer secret"]) { transport in
            let client = Grpc_Testing_BenchmarkService_Client(transport: transport)
            let response = try await client.unaryCall(simpleRequest([2]))
            #expect(response.payload.body == [2])
        }
    }

    @Test func withTransportReturnsTheBodysValue() async throws {
        let value = try await InProcessTransport.withTransport(router: makeRouter(probe: probe)) { transport in
            try await Grpc_Testing_BenchmarkService_Client(transport: transport).unaryCall(simpleRequest([7])).payload.body
        }
        #expect(value == [7])
    }
}
