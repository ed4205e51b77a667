// SPDX-License-Identifier: Apache-2.0
// UsageFlow — RPCHTTP2Transport

import CLinux
import Glibc
import HTTP2
import TLS

/// Moves bytes between a non-blocking socket and the TLS and HTTP/2 engines, on one loop.
///
/// Both server and client connections own one. Reading feeds the engines and hands HTTP/2 events
/// to `onEvents`; flushing drains the engines into a bounded socket buffer and writes what the
/// socket takes, arming EPOLLOUT only while output is pending.
final class ConnectionIO {
    let fd: Int32
    let loop: EventLoop
    let http2: HTTP2Connection
    let tls: TLSConnection?
    private var socketOutput: [UInt8] = []
    private var socketOutputOffset = 0
    private var plaintext: [UInt8] = []
    private var wantsWritable = false
    private(set) var lastActivity = MonotonicClock.now
    private(set) var lastWriteProgress = MonotonicClock.now
    private(set) var handshakeComplete: Bool

    /// Called when the TLS handshake completes (at once for cleartext).
    var onHandshake: () -> Void = {}
    /// Called after new HTTP/2 events were queued.
    var onEvents: () -> Void = {}
    /// Called once when the connection must close, with the reason.
    var onClose: (String) -> Void = { _ in }
    /// Called after the HTTP/2 engine framed output, so producers waiting for room can continue.
    var onFramed: () -> Void = {}

    init(fd: Int32, loop: EventLoop, http2: HTTP2Connection, tls: TLSConnection?) {
        self.fd = fd
        self.loop = loop
        self.http2 = http2
        self.tls = tls
        handshakeComplete = tls == nil
    }

    static let readEvents = clinux_epollin() | clinux_epollrdhup() | clinux_epollet()

    var hasPendingOutput: Bool { socketOutputOffset < socketOutput.count }

    /// How a read pass ended.
    enum ReadOutcome {
        /// The socket returned EAGAIN: epoll will report the next bytes.
        case drained
        /// The per-wake-up budget ran out with bytes possibly still waiting: edge-triggered epoll
        /// will not report them again, so the caller must queue another pass itself.
        case budgetSpent
        case closed
    }

    /// Reads until the socket is drained or the per-wake-up budget is spent.
    @discardableResult
    func readSocket() -> ReadOutcome {
        // Bounded per wake-up so one busy peer cannot starve the loop's other connections; with
        // edge-triggered epoll the caller re-queues us instead of waiting for a new edge.
        for _ in 0..<16 {
            // Swap the loop's buffer out while it is in use, so ingest() may not touch it re-entrantly.
            var buffer = loop.readScratch
            loop.readScratch = []
            defer { loop.readScratch = buffer }
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count > 0 {
                lastActivity = MonotonicClock.now
                let ok = buffer.withUnsafeBytes { ingest(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
                if !ok { return .closed }
                continue
            }
            if count == 0 {
                onClose("peer closed")
                return .closed
            }
            if errno == EAGAIN || errno == EWOULDBLOCK { return .drained }
            if errno == EINTR { continue }
            onClose("read failed")
            return .closed
        }
        return .budgetSpent
    }

    /// Feeds bytes through TLS into HTTP/2; false if the connection must close.
    private func ingest(_ bytes: UnsafeRawBufferPointer) -> Bool {
        do {
            if let tls {
                try tls.receiveCiphertext(bytes)
                if !handshakeComplete, tls.isHandshakeComplete {
                    handshakeComplete = true
                    onHandshake()
                }
                while true {
                    plaintext.removeAll(keepingCapacity: true)
                    let count = try tls.readPlaintext(into: &plaintext, maxBytes: 64 * 1024)
                    if count == 0 { break }
                    try http2.receive(plaintext)
                }
                if tls.isClosed {
                    onEvents()
                    onClose("TLS close_notify")
                    return false
                }
            } else {
                try http2.receive(bytes)
            }
        } catch {
            // The engines queued what they could (an alert, a GOAWAY): send it, then close.
            onEvents()
            flushEngines()
            writeSocket()
            onClose("protocol error: \(error)")
            return false
        }
        onEvents()
        return true
    }

    /// Moves engine output to the socket buffer, keeping at most ~1 MiB queued there; nghttp2
    /// holds the rest under flow control.
    func flushEngines() {
        guard socketOutput.count - socketOutputOffset < 1 << 20 else { return }
        compactSocketOutput()
        if let tls {
            plaintext.removeAll(keepingCapacity: true)
            try? http2.writeOutput(into: &plaintext, limit: 1 << 20)
            if !plaintext.isEmpty { try? tls.writePlaintext(plaintext) }
            tls.takeCiphertext(into: &socketOutput)
        } else {
            try? http2.writeOutput(into: &socketOutput, limit: 1 << 20)
        }
        onFramed()
    }

    private func compactSocketOutput() {
        if socketOutputOffset > 0, socketOutputOffset == socketOutput.count {
            socketOutput.removeAll(keepingCapacity: true)
            socketOutputOffset = 0
        }
    }

    /// Writes buffered output until the socket would block; returns false if the connection closed.
    @discardableResult
    func writeSocket() -> Bool {
        while socketOutputOffset < socketOutput.count {
            // send(MSG_NOSIGNAL), not write(): a peer that reset the connection must give EPIPE
            // here, not a SIGPIPE that ends the whole process.
            let written = socketOutput.withUnsafeBytes {
                send(fd, $0.baseAddress! + socketOutputOffset, $0.count - socketOutputOffset, Int32(MSG_NOSIGNAL))
            }
            if written > 0 {
                socketOutputOffset += written
                lastWriteProgress = MonotonicClock.now
                continue
            }
            if written < 0, errno == EINTR { continue }
            if written < 0, errno == EAGAIN || errno == EWOULDBLOCK { break }
            onClose("write failed")
            return false
        }
        if socketOutputOffset == socketOutput.count {
            socketOutput.removeAll(keepingCapacity: socketOutput.capacity <= 256 * 1024)
            socketOutputOffset = 0
            lastWriteProgress = MonotonicClock.now
            if wantsWritable {
                wantsWritable = false
                loop.modify(fd: fd, events: Self.readEvents)
            }
            if http2.wantsWrite || (tls?.hasPendingCiphertext ?? false) {
                flushEngines()
                if socketOutputOffset < socketOutput.count { return writeSocket() }
            }
        } else if !wantsWritable {
            wantsWritable = true
            loop.modify(fd: fd, events: Self.readEvents | clinux_epollout())
        }
        return true
    }

    /// Engines to socket, then socket writes. Sending can close streams (the last frame of a
    /// response), so events are drained afterwards too.
    func flush() {
        flushEngines()
        onEvents()
        writeSocket()
    }

    /// Whether the HTTP/2 session has ended and everything it produced has been written.
    var isFinished: Bool { !http2.wantsRead && !http2.wantsWrite && !hasPendingOutput }
}
