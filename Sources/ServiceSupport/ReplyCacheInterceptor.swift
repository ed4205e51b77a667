// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ServiceSupport

import Authorization
import Contracts
import Domain
import ProtoWire
import RPCCore
import Synchronization

/// Answers repeated read RPCs with the reply bytes an earlier equal call produced, while no write
/// has committed since: no decoding, no domain read, no conversion, no encoding.
///
/// Why: an unchanged catalogue read again and again (a product, a page of items) is the hottest
/// path of the API, and after the store's read cache its cost is mostly building and encoding the
/// same reply.
///
/// It must run after authentication: the credential, the method's policy and the key's last use
/// are handled on every call as before, and only admitted calls get here. A reply is kept under
/// the caller's tenant, the method and the request's bytes, so a listed method must answer from
/// those and the stored data alone (no clock, no credential beyond its tenant). Only calls that
/// ended with exactly one message, no initial metadata and no trailers are kept: errors never
/// are, so every refusal is decided afresh. When the store gives no read generation (it cannot
/// see every write, or keeps no cached reads), nothing is kept.
public struct ReplyCacheInterceptor: ServerInterceptor {
    /// The catalogue reads of the vendor API: each answers from its tenant, its request and the
    /// stored catalogue only.
    public static let catalogueReads: [MethodSchema] = [
        Usageflow_V1_VendorService.GetProduct.schema, Usageflow_V1_VendorService.ListProducts.schema,
        Usageflow_V1_VendorService.GetItem.schema, Usageflow_V1_VendorService.ListItems.schema,
    ]

    public let store: any DataStore
    public let cache: ReplyCache
    /// The cacheable methods, each with its path (built once, for the cache's keys).
    private let methods: [MethodName: String]

    /// - Parameters:
    ///   - store: where the replies' data lives; its `readGeneration` decides what may be kept.
    ///   - methods: the unary methods whose replies may be kept (see the type's rules).
    ///   - cache: where replies are kept.
    public init(
        store: any DataStore, methods: [MethodSchema] = ReplyCacheInterceptor.catalogueReads,
        cache: ReplyCache = ReplyCache()
    ) {
        precondition(methods.allSatisfy { $0.kind == .unary }, "only unary replies can be kept")
        self.store = store
        self.cache = cache
        self.methods = Dictionary(
            methods.map { (MethodName($0), $0.path) }, uniquingKeysWith: { first, _ in first })
    }

    public func intercept(
        _ call: ServerCall, next: @Sendable (ServerCall) async throws -> Metadata
    ) async throws -> Metadata {
        let method = call.context.method
        guard let path = methods[MethodName(method)],
            let tenant = call.context.principal?.tenant,
            let generation = store.readGeneration
        else { return try await next(call) }

        // The one request of a unary call; anything else goes to the handler as it came.
        guard let request = try await call.requests.next() else {
            return try await next(Self.replaying([], of: call))
        }
        if let second = try await call.requests.next() {
            return try await next(Self.replaying([request, second], of: call))
        }
        let key = ReplyCache.Key(tenant: tenant, method: path, request: request)
        if let reply = cache.reply(for: key, at: generation) {
            try await call.responses.send(reply)
            return [:]
        }

        let recorder = RecordingSink(call.responses)
        var replayed = Self.replaying([request], of: call)
        replayed.responses = recorder
        let trailers = try await next(replayed)
        if trailers.isEmpty, let reply = recorder.onlyReply {
            cache.keep(reply, for: key, at: generation)
        }
        return trailers
    }

    private static func replaying(_ requests: [[UInt8]], of call: ServerCall) -> ServerCall {
        var call = call
        call.requests = ReplayedRequests(requests, then: call.requests)
        return call
    }
}

extension ReplyCacheInterceptor {
    /// Requests already read from the transport, handed out again before the rest.
    fileprivate final class ReplayedRequests: ServerRequestSource {
        private let pending: Mutex<[[UInt8]]>
        private let rest: any ServerRequestSource

        init(_ requests: [[UInt8]], then rest: any ServerRequestSource) {
            self.pending = Mutex(requests.reversed())
            self.rest = rest
        }

        nonisolated(nonsending) func next() async throws -> [UInt8]? {
            if let request = pending.withLock({ $0.popLast() }) { return request }
            return try await rest.next()
        }
    }

    /// Passes every reply on and remembers whether the call sent exactly one message and nothing else.
    fileprivate final class RecordingSink: ServerResponseSink {
        private struct Record {
            var replies: [[UInt8]] = []
            var sentMetadata = false
        }

        private let sink: any ServerResponseSink
        private let record = Mutex(Record())

        init(_ sink: any ServerResponseSink) { self.sink = sink }

        /// The one message sent, when the call sent one and no initial metadata.
        var onlyReply: [UInt8]? {
            record.withLock { record in
                record.sentMetadata || record.replies.count != 1 ? nil : record.replies[0]
            }
        }

        nonisolated(nonsending) func sendInitialMetadata(_ metadata: Metadata) async throws {
            record.withLock { $0.sentMetadata = true }
            try await sink.sendInitialMetadata(metadata)
        }

        nonisolated(nonsending) func send(_ message: [UInt8]) async throws {
            record.withLock { record in
                // A second message makes the call unkeepable; holding more than two is pointless.
                if record.replies.count < 2 { record.replies.append(message) }
            }
            try await sink.send(message)
        }
    }
}
