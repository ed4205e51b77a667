// SPDX-License-Identifier: Apache-2.0
// UsageFlow — interop-server
//
//   interop-server --port N [--tls-cert FILE --tls-key FILE | --h2c] [--client-ca FILE]
//                  [--handshake-timeout S] [--first-request-timeout S] [--idle-timeout S]
//                  [--write-stall-timeout S]
//
// Serves grpc.testing.TestService and BenchmarkService for the gRPC interop and benchmark
// clients, with grpc.health.v1 and server reflection (v1 and v1alpha). SIGTERM or SIGINT starts a graceful shutdown; the process exits 0 once it is done.

import Glibc
import RPCCore
import Contracts
import RPCHTTP2Transport
import StandardServices
import TLS

func fail(_ message: String) -> Never {
    FileDescriptorOutput.standardError.write("interop-server: \(message)\n")
    exit(2)
}

/// Writes straight to a file descriptor (the C `FILE*` globals are not concurrency-safe in Swift 6).
struct FileDescriptorOutput {
    let fd: Int32
    static let standardError = FileDescriptorOutput(fd: 2)
    static let standardOutput = FileDescriptorOutput(fd: 1)

    func write(_ text: String) {
        var text = text
        text.withUTF8 { bytes in _ = Glibc.write(fd, bytes.baseAddress, bytes.count) }
    }
}

func required(_ value: String?, _ message: String) -> String {
    guard let value else { fail(message) }
    return value
}

func number(_ value: String?, _ message: String) -> Int {
    guard let value, let parsed = Int(value) else { fail(message) }
    return parsed
}

/// A number of seconds (decimals allowed), so tests can shorten the connection timeouts to something
/// they can wait for. The upper bound keeps the nanosecond deadlines far from overflowing.
func seconds(_ value: String?, _ message: String) -> Duration {
    guard let value, let parsed = Double(value), parsed > 0, parsed <= 1_000_000 else { fail(message) }
    return .nanoseconds(Int64((parsed * 1e9).rounded()))
}

var port = 0
var host = "127.0.0.1"
var certificate: String?
var key: String?
var clientCA: String?
var plaintext = false
var loops: Int?
var handshakeTimeout: Duration?
var firstRequestTimeout: Duration?
var idleTimeout: Duration?
var writeStallTimeout: Duration?
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let argument = arguments.next() {
    switch argument {
    case "--port": port = number(arguments.next(), "--port needs a number")
    case "--host": host = required(arguments.next(), "--host needs an address")
    case "--tls-cert": certificate = arguments.next()
    case "--tls-key": key = arguments.next()
    case "--client-ca": clientCA = arguments.next()
    case "--h2c": plaintext = true
    case "--event-loops": loops = number(arguments.next(), "--event-loops needs a number")
    case "--handshake-timeout":
        handshakeTimeout = seconds(arguments.next(), "--handshake-timeout needs seconds, 0 < S <= 1000000")
    case "--first-request-timeout":
        firstRequestTimeout = seconds(arguments.next(), "--first-request-timeout needs seconds, 0 < S <= 1000000")
    case "--idle-timeout": idleTimeout = seconds(arguments.next(), "--idle-timeout needs seconds, 0 < S <= 1000000")
    case "--write-stall-timeout":
        writeStallTimeout = seconds(arguments.next(), "--write-stall-timeout needs seconds, 0 < S <= 1000000")
    case "--help", "-h":
        print("""
            usage: interop-server --port N [--host ADDR] [--tls-cert FILE --tls-key FILE | --h2c] [--client-ca FILE]
                                  [--event-loops N] [--handshake-timeout S] [--first-request-timeout S]
                                  [--idle-timeout S] [--write-stall-timeout S]
              timeouts are in seconds (decimals allowed); defaults: handshake 10, first request 20,
              idle 300, write stall 30
            """)
        exit(0)
    default: fail("unknown argument \(argument)")
    }
}

let security: ServerConfiguration.Security
if plaintext {
    guard certificate == nil, key == nil else { fail("--h2c cannot be combined with --tls-cert/--tls-key") }
    security = .plaintextHTTP2
} else {
    guard let certificate, let key else { fail("give --tls-cert and --tls-key, or --h2c for cleartext") }
    security = .tls(.server(
        certificateChain: .file(certificate), privateKey: .file(key),
        clientCertificateVerification: clientCA.map { .required(trustRoots: .file($0)) } ?? .none))
}

var router = RPCRouter()
TestServiceHandlers.register(with: &router)
router.register(BenchmarkServiceImplementation())
let health = HealthService()
router.register(health)
router.register(ReflectionService(router: router))

var configuration = ServerConfiguration(host: host, port: port, security: security, eventLoopCount: loops)
if let handshakeTimeout { configuration.handshakeTimeout = handshakeTimeout }
if let firstRequestTimeout { configuration.firstRequestTimeout = firstRequestTimeout }
if let idleTimeout { configuration.idleTimeout = idleTimeout }
if let writeStallTimeout { configuration.writeStallTimeout = writeStallTimeout }

let server: RPCServer
do {
    server = try RPCServer(configuration: configuration, router: router)
} catch {
    fail("\(error)")
}

// The handlers are installed before "listening" is printed: a client may send SIGTERM as soon as it
// reads that line, and until then the default action would kill the process instead of draining it.
// The waiting thread starts once the server listens, so shutdown never overtakes start; a signal
// that arrives in between waits in the pipe.
let signalThread = SignalWaiter(signals: [SIGINT, SIGTERM]) {
    health.shutdownAll()  // ends Watch streams, which would otherwise hold the drain open
    server.shutdown()
}
do {
    let bound = try server.start()
    signalThread.start()
    FileDescriptorOutput.standardOutput.write("interop-server listening on \(host):\(bound) (\(plaintext ? "h2c" : "TLS"))\n")
} catch {
    fail("\(error)")
}
await server.run()
FileDescriptorOutput.standardOutput.write("interop-server stopped\n")
exit(0)
