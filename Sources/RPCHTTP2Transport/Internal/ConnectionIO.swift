// SPDX-License-Identifier: Apache-2.0
// UsageFlow — RPCHTTP2Transport

import CLinux
import Glibc
import HTTP2
import TLS

/// Moves bytes between a non-blocking socket and the TLS and HTTP/2 engines, on one loop.
///
/// Both server and client connections own one. Reading feeds the engines and hands HTTP/2 events
/// to `onEvents`; flushing frames engine output in the loop's buffer and writes it, keeping only
/// what the socket does not take, and arming EPOLLOUT only while that is pending.
final class ConnectionIO {
    let fd: Int32
    let loop: EventLoop
    let http2: HTTP2Connection
    let tls: TLSConnection?
    /// Output the socket did not take yet (empty while it keeps up).
    private var pending: [UInt8] = []
    private var pendingOffset = 0
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

    var hasPendingOutput: Bool { pendingOffset < pending.count }

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
    ///
    /// A read that returns less than the buffer holds has emptied the socket, and edge-triggered
    /// epoll reports the next bytes as a new edge, so the pass stops there instead of spending a
    /// system call on EAGAIN. Not when the peer has half-closed (`untilEOF`): its FIN is no new
    /// edge, so the pass must read on to the end of the stream.
    @discardableResult
    func readSocket(untilEOF: Bool = true) -> ReadOutcome {
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
                if count < buffer.count, !untilEOF { return .drained }
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
                // Decrypt into the loop's buffer (allocated and zeroed once, not per read), swapped
                // out while in use.
                var plaintext = loop.plaintextScratch
                loop.plaintextScratch = []
                defer { loop.plaintextScratch = plaintext }
                while true {
                    let count = try plaintext.withUnsafeMutableBytes { try tls.readPlaintext(into: $0) }
                    if count == 0 { break }
                    try plaintext.withUnsafeBytes { try http2.receive(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
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

    /// Engine output framed per round: about what the socket takes at once, and the most a
    /// connection ever keeps pending (the engines hold the rest under flow control).
    static let batchLimit = 1 << 20

    /// Frames what the engines have and writes it, straight from the loop's buffer while nothing
    /// is pending, so a connection whose socket keeps up holds no output buffer of its own. Only
    /// what the socket does not take is copied into `pending`; then EPOLLOUT is armed and nothing
    /// more is framed until it drains.
    func flushEngines() {
        while !hasPendingOutput {
            var output = loop.socketScratch
            loop.socketScratch = []
            produce(into: &output)
            onFramed()
            let allWritten = output.isEmpty || write(output)
            let produced = !output.isEmpty
            output.removeAll(keepingCapacity: output.capacity <= 2 * Self.batchLimit)
            loop.socketScratch = output
            guard produced, allWritten, http2.wantsWrite || (tls?.hasPendingCiphertext ?? false) else { return }
        }
    }

    /// Up to `batchLimit` bytes of HTTP/2 output, through TLS when there is TLS.
    private func produce(into output: inout [UInt8]) {
        guard let tls else {
            try? http2.writeOutput(into: &output, limit: Self.batchLimit)
            return
        }
        // In chunks, so the plaintext buffer stays small; each chunk's records are written by
        // OpenSSL straight into `output`, the loop's socket buffer.
        var plaintext = loop.plaintextOutput
        loop.plaintextOutput = []
        while output.count < Self.batchLimit {
            plaintext.removeAll(keepingCapacity: true)
            try? http2.writeOutput(into: &plaintext, limit: Self.tlsChunk)
            guard !plaintext.isEmpty else {
                tls.takeCiphertext(into: &output)
                break
            }
            try? plaintext.withUnsafeBytes { try tls.writePlaintext($0, appendingCiphertextTo: &output) }
        }
        plaintext.removeAll(keepingCapacity: plaintext.capacity <= 4 * Self.tlsChunk)
        loop.plaintextOutput = plaintext
    }

    /// HTTP/2 output encrypted per round trip through the TLS engine.
    static let tlsChunk = 32 * 1024

    /// Writes `output` while nothing is pending; keeps what the socket does not take. True when
    /// everything was written.
    private func write(_ output: [UInt8]) -> Bool {
        var offset = 0
        while offset < output.count {
            // send(MSG_NOSIGNAL), not write(): a peer that reset the connection must give EPIPE
            // here, not a SIGPIPE that ends the whole process.
            let written = output.withUnsafeBytes {
                send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL))
            }
            if written > 0 {
                offset += written
                continue
            }
            if written < 0, errno == EINTR { continue }
            if written < 0, errno == EAGAIN || errno == EWOULDBLOCK {
                if offset > 0 { lastWriteProgress = MonotonicClock.now }
                pending.append(contentsOf: output[offset...])
                pendingOffset = 0
                setWantsWritable(true)
                return false
            }
            onClose("write failed")
            return false
        }
        lastWriteProgress = MonotonicClock.now
        return true
    }

    /// Writes what is pending (on EPOLLOUT) until the socket would block, then frames more once it
    /// has all gone; returns false if the connection closed.
    @discardableResult
    func writeSocket() -> Bool {
        while pendingOffset < pending.count {
            let written = pending.withUnsafeBytes {
                send(fd, $0.baseAddress! + pendingOffset, $0.count - pendingOffset, Int32(MSG_NOSIGNAL))
            }
            if written > 0 {
                pendingOffset += written
                lastWriteProgress = MonotonicClock.now
                continue
            }
            if written < 0, errno == EINTR { continue }
            if written < 0, errno == EAGAIN || errno == EWOULDBLOCK { break }
            onClose("write failed")
            return false
        }
        guard pendingOffset == pending.count else {
            setWantsWritable(true)
            return true
        }
        if !pending.isEmpty {
            pending = []
            pendingOffset = 0
            lastWriteProgress = MonotonicClock.now
        }
        setWantsWritable(false)
        flushEngines()
        return true
    }

    private func setWantsWritable(_ wanted: Bool) {
        guard wantsWritable != wanted else { return }
        wantsWritable = wanted
        loop.modify(fd: fd, events: wanted ? Self.readEvents | clinux_epollout() : Self.readEvents)
    }

    /// Engines to socket. Sending can close streams (the last frame of a response), so events are
    /// drained afterwards too.
    func flush() {
        flushEngines()
        onEvents()
    }

    /// Whether the HTTP/2 session has ended and everything it produced has been written.
    var isFinished: Bool { !http2.wantsRead && !http2.wantsWrite && !hasPendingOutput }
}
