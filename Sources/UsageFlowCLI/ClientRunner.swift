// SPDX-License-Identifier: Apache-2.0
// UsageFlow — usageflow

import ProtoDynamic
import RPCCore
import RPCHTTP2Transport
import TLS
import Synchronization
import UsageFlowServer

/// Sends one invocation's request as raw bytes over an HTTP/2 connection and prints the reply.
///
/// The request was built from the descriptors, so this path is the same for every RPC: open the
/// call by its path, send the encoded request, decode the response with the method's output
/// schema.
enum ClientRunner {
    /// Runs the call; returns the exit status (0, or 1 for an error status or no connection).
    static func run(_ invocation: ClientInvocation) async -> Int32 {
        let options = invocation.options
        if options.dryRun {
            do {
                Console.out(try invocation.request.jsonString(options: JSONEncodingOptions(pretty: true)) + "\n")
                return 0
            } catch {
                Console.error("usageflow: cannot print the request: \(error)\n")
                return 2
            }
        }
        guard let transport = await connect(options) else { return 1 }
        defer { transport.close() }

        let responses: [[UInt8]]
        do {
            let call = try await transport.openCall(
                path: invocation.method.path, metadata: metadata(options), timeout: options.timeout)
            try await call.send(invocation.request.serializedBytes())
            try await call.finishSending()
            var received: [[UInt8]] = []
            while let message = try await call.receive() { received.append(message) }
            let (status, trailers) = try await call.status()
            guard status.code == .ok else { throw RPCError(status: status, trailers: trailers) }
            responses = received
        } catch {
            return report(error, options: options)
        }

        for bytes in responses {
            let message: DynamicMessage
            do {
                message = try DynamicMessage(schema: invocation.method.output, serializedBytes: bytes)
            } catch {
                Console.error("error: INTERNAL: cannot decode the reply as \(invocation.method.output.fullName): \(error)\n")
                return 1
            }
            Console.out(render(message, json: options.json))
        }
        return 0
    }

    /// Opens the connection the options describe, or prints why it failed and returns nil.
    static func connect(_ options: ClientOptions) async -> HTTP2ClientTransport? {
        if options.keyFromFlag {
            Console.error("warning: --key is visible to other users in the process list; prefer USAGEFLOW_KEY\n")
        }
        let security: HTTP2ClientTransport.Security
        if options.cleartext {
            security = .plaintextHTTP2
        } else {
            security = .tls(
                .client(
                    trustRoots: options.caPath.map { .file($0) }, serverName: options.server.host,
                    certificateChain: options.certificatePath.map { .file($0) },
                    privateKey: options.clientKeyPath.map { .file($0) }))
        }
        do {
            return try await withTimeout(options.timeout) {
                try await HTTP2ClientTransport.connect(
                    host: options.server.host, port: options.server.port, security: security)
            }
        } catch {
            Console.error("error: UNAVAILABLE: cannot connect to \(options.server): \(error)\n")
            return nil
        }
    }

    /// The request metadata: the API key as a bearer token, when there is one.
    static func metadata(_ options: ClientOptions) -> Metadata {
        var metadata = Metadata()
        if let key = options.key { metadata.add("authorization", "Bearer \(key)") }
        return metadata
    }

    /// Prints a failed call (the status report, or the transport failure) and returns exit status 1.
    static func report(_ error: any Error, options: ClientOptions) -> Int32 {
        if let error = error as? RPCError {
            Console.error(ErrorReport.render(error))
            if error.code == .unauthenticated && options.key == nil {
                Console.error("hint: set USAGEFLOW_KEY to your API key\n")
            }
        } else {
            Console.error("error: UNAVAILABLE: the call to \(options.server) failed: \(error)\n")
        }
        return 1
    }

    /// Proto3 JSON (pretty, one object per reply) or the readable form.
    static func render(_ message: DynamicMessage, json: Bool) -> String {
        if json {
            if let text = try? message.jsonString(options: JSONEncodingOptions(pretty: true)) { return text + "\n" }
        }
        if message.isEmpty { return "ok\n" }
        let text = message.readableText()
        return text.hasSuffix("\n") ? text : text + "\n"
    }

    /// Runs `body`, failing if it takes longer than `limit` (a connect to an address that drops
    /// packets would otherwise wait for the kernel's TCP timeout).
    ///
    /// Unstructured tasks, because a connect that never completes does not observe
    /// cancellation: a task group would wait for it. The process exits soon after, which ends it.
    private static func withTimeout<T: Sendable>(
        _ limit: Duration, _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let once = ResumeOnce()
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            @Sendable func finish(_ result: Result<T, any Error>) {
                if once.claim() { continuation.resume(with: result) }
            }
            Task {
                do { finish(.success(try await body())) } catch { finish(.failure(error)) }
            }
            Task {
                try? await Task.sleep(for: limit)
                finish(.failure(ConnectTimeout(limit: limit)))
            }
        }
    }

    /// Lets exactly one of two racing tasks resume a continuation.
    private final class ResumeOnce: Sendable {
        private let done = Mutex(false)

        func claim() -> Bool {
            done.withLock { done in
                defer { done = true }
                return !done
            }
        }
    }

    private struct ConnectTimeout: Error, CustomStringConvertible {
        let limit: Duration
        var description: String { "no connection within \(limit.components.seconds) s" }
    }
}
