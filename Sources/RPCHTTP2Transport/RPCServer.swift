// SPDX-License-Identifier: Apache-2.0
// UsageFlow — RPCHTTP2Transport

import CLinux
import Glibc
import RPCCore
import Synchronization

/// A gRPC server over HTTP/2 (TLS by default, cleartext only when asked for), on epoll loops.
///
/// `start()` binds and starts the loops; `run()` runs the handlers (each call is a task in `run`'s
/// tree, run on the event loop of its connection as its executor) until a graceful shutdown has
/// finished; `shutdown()` stops accepting, sends
/// GOAWAY, lets calls finish within the grace period, then closes whatever is left.
public final class RPCServer: Sendable {
    private let core: ServerCore
    private let state = Mutex<State>(State())

    private struct State {
        var listenerFD: Int32 = -1
        var port = 0
        var started = false
        var shutdownRequested = false
    }

    public init(configuration: ServerConfiguration, router: RPCRouter) throws {
        core = try ServerCore(configuration: configuration, router: router)
    }

    /// The bound port (useful with port 0), valid after `start()`.
    public var port: Int { state.withLock { $0.port } }

    /// Connections currently open.
    public var connectionCount: Int { core.connectionCount }

    /// Binds the listening socket and starts the event loops; returns the bound port.
    @discardableResult
    public func start() throws -> Int {
        let configuration = core.configuration
        let (fd, port) = try Socket.listen(host: configuration.host, port: configuration.port)
        state.withLock {
            $0.listenerFD = fd
            $0.port = port
            $0.started = true
        }
        for loop in core.loops { try loop.start() }
        let core = self.core
        core.loops[0].execute {
            try? core.loops[0].register(fd: fd, events: clinux_epollin(), handler: Acceptor(fd: fd, core: core))
        }
        for (index, loop) in core.loops.enumerated() { scheduleSweep(loop, registry: core.registries[index]) }
        return port
    }

    private func scheduleSweep(_ loop: EventLoop, registry: ConnectionRegistry) {
        loop.execute {
            func tick() {
                let now = MonotonicClock.now
                for connection in registry.all { connection.sweep(now: now) }
                loop.schedule(at: now + 1_000_000_000) { tick() }
            }
            tick()
        }
    }

    /// Runs call handlers until a graceful shutdown completes, then stops the loops.
    public func run() async {
        let core = self.core
        await withDiscardingTaskGroup { group in
            group.addTask { await core.reclaimer.run() }
            await withDiscardingTaskGroup { calls in
                for (index, loop) in core.loops.enumerated() {
                    let queue = core.callQueues[index]
                    calls.addTask(executorPreference: loop) { await queue.run(on: loop) }
                }
            }
            group.cancelAll()
        }
        for loop in core.loops { loop.stopAndJoin() }
    }

    /// Begins a graceful shutdown; `run()` returns once it is complete. Safe to call more than once.
    public func shutdown() {
        let fd = state.withLock { state -> Int32 in
            if state.shutdownRequested || !state.started { return -1 }
            state.shutdownRequested = true
            return state.listenerFD
        }
        guard fd >= 0 else {
            if !state.withLock({ $0.started }) { core.finishJobs() }
            return
        }
        let core = self.core
        core.loops[0].execute {
            core.loops[0].deregister(fd: fd)
            Glibc.close(fd)
        }
        if core.markShuttingDown() {
            core.finishJobs()
            return
        }
        let grace = core.configuration.shutdownGracePeriod.nanoseconds
        for (index, loop) in core.loops.enumerated() {
            let registry = core.registries[index]
            loop.execute {
                for connection in registry.all { connection.beginDraining() }
                loop.schedule(at: MonotonicClock.now + grace) {
                    for connection in registry.all { connection.close(reason: "grace period over") }
                }
            }
        }
    }
}
