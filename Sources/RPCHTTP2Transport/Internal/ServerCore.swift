// SPDX-License-Identifier: Apache-2.0
// UsageFlow — RPCHTTP2Transport

import CLinux
import Glibc
import RPCCore
import Synchronization
import TLS

/// What every connection of a server shares: configuration, router, TLS context, loops, the
/// queues of new calls (one per loop), and connection accounting.
final class ServerCore: Sendable {
    let configuration: ServerConfiguration
    let router: RPCRouter
    let tlsContext: TLSContext?
    let loops: [EventLoop]
    /// Connections per loop; each registry is only touched on its own loop.
    let registries: [ConnectionRegistry]
    /// New calls per loop (same index); `RPCServer.run` starts their handlers on that loop.
    let callQueues: [CallQueue]
    private let accounting = Mutex<Accounting>(Accounting())
    /// Returns memory freed by closed connections and large messages to the system.
    let reclaimer = MemoryReclaimer()

    struct Accounting {
        var total = 0
        var perIP: [String: Int] = [:]
        var shuttingDown = false
        var nextLoop = 0
    }

    init(configuration: ServerConfiguration, router: RPCRouter) throws {
        MemoryReclaimer.tuneAllocator()
        self.configuration = configuration
        self.router = router
        switch configuration.security {
        case .tls(let tls): tlsContext = try TLSContext(configuration: tls)
        case .plaintextHTTP2: tlsContext = nil
        }
        loops = try (0..<configuration.eventLoopCount).map { try EventLoop(index: $0) }
        registries = loops.map { _ in ConnectionRegistry() }
        callQueues = loops.map { _ in CallQueue() }
    }

    /// No more calls: `run()` returns once the handlers already started have ended.
    func finishJobs() {
        for queue in callQueues { queue.finish() }
    }

    /// Reserves a connection slot for `ip` and picks its loop, or nil when a limit is reached.
    func admit(ip: String) -> EventLoop? {
        accounting.withLock { state -> EventLoop? in
            guard !state.shuttingDown, state.total < configuration.maxConnections,
                state.perIP[ip, default: 0] < configuration.maxConnectionsPerIP
            else { return nil }
            state.total += 1
            state.perIP[ip, default: 0] += 1
            let loop = loops[state.nextLoop % loops.count]
            state.nextLoop &+= 1
            return loop
        }
    }

    /// Called on the connection's loop when it closes.
    func connectionClosed(_ connection: ServerConnection) {
        registries[connection.loop.index].remove(connection)
        let finished = accounting.withLock { state -> Bool in
            state.total -= 1
            state.perIP[connection.peerIP, default: 1] -= 1
            if state.perIP[connection.peerIP] == 0 { state.perIP[connection.peerIP] = nil }
            return state.shuttingDown && state.total == 0
        }
        if finished { finishJobs() }
    }

    /// Stops admitting connections; true if there were none left to drain.
    func markShuttingDown() -> Bool {
        accounting.withLock { state in
            state.shuttingDown = true
            return state.total == 0
        }
    }

    var connectionCount: Int { accounting.withLock { $0.total } }
}

/// The connections of one loop.
final class ConnectionRegistry: @unchecked Sendable {
    // @unchecked Sendable: only ever used on the owning loop's thread.
    private var connections: [ObjectIdentifier: ServerConnection] = [:]

    func add(_ connection: ServerConnection) { connections[ObjectIdentifier(connection)] = connection }
    func remove(_ connection: ServerConnection) { connections[ObjectIdentifier(connection)] = nil }
    var all: [ServerConnection] { Array(connections.values) }
}

/// Accepts connections on the first loop and hands each to a loop chosen round-robin.
final class Acceptor: EventLoopHandler {
    let fd: Int32
    let core: ServerCore

    init(fd: Int32, core: ServerCore) {
        self.fd = fd
        self.core = core
    }

    func handleEvents(_ events: UInt32) {
        for _ in 0..<64 {
            guard let accepted = try? Socket.accept(fd) else { return }
            guard let loop = core.admit(ip: accepted.ip) else {
                Glibc.close(accepted.fd)
                continue
            }
            let core = self.core
            loop.execute {
                do {
                    let connection = try ServerConnection(
                        fd: accepted.fd, loop: loop, core: core, peerAddress: accepted.address, peerIP: accepted.ip)
                    core.registries[loop.index].add(connection)
                    connection.start()
                } catch {
                    Glibc.close(accepted.fd)
                    core.admitFailed(ip: accepted.ip)
                }
            }
        }
    }
}

extension ServerCore {
    /// Gives back a slot reserved by `admit` for a connection that never started.
    func admitFailed(ip: String) {
        let finished = accounting.withLock { state -> Bool in
            state.total -= 1
            state.perIP[ip, default: 1] -= 1
            if state.perIP[ip] == 0 { state.perIP[ip] = nil }
            return state.shuttingDown && state.total == 0
        }
        if finished { finishJobs() }
    }
}
