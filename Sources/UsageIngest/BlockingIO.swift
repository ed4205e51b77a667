// SPDX-License-Identifier: Apache-2.0
// UsageFlow — UsageIngest

#if canImport(Glibc)
import Glibc
#endif
import Domain

/// Threads for file writes that may block, so they never run on a connection's event loop.
///
/// Upload handlers run on their connection's event-loop thread. A `write(2)` into the page cache
/// is usually quick, but once the kernel throttles dirty pages it can sleep for a long time, and
/// every connection on that loop would stall with it. Spools therefore hand their writes to these
/// threads and suspend until the write is done: the handler waits (which also paces the client
/// through flow control), the loop does not.
///
/// Jobs run first in, first out on a small fixed set of threads that start with the first job
/// and live as long as the process (they sleep when idle). One handler has at most one write in
/// flight, so a spool's bytes land in order.
public final class BlockingIO: @unchecked Sendable {
    // @unchecked Sendable: `jobs` and `started` are read and written only with `mutex` held;
    // `threadCount` is immutable.

    /// The process's writer threads for spools.
    public static let shared = BlockingIO(threadCount: 2)

    private typealias Job = () -> Void

    private let threadCount: Int
    private var mutex = pthread_mutex_t()
    private var condition = pthread_cond_t()
    private var jobs: [Job] = []
    private var head = 0
    private var started = false

    init(threadCount: Int) {
        precondition(threadCount >= 1, "blocking I/O needs at least one thread")
        self.threadCount = threadCount
        pthread_mutex_init(&mutex, nil)
        pthread_cond_init(&condition, nil)
    }

    deinit {
        // Only a non-shared instance in a test can end; its threads would still point at it, so
        // instances are never released while their threads run (tests keep them alive).
        pthread_cond_destroy(&condition)
        pthread_mutex_destroy(&mutex)
    }

    /// Runs `body` on one of the threads and returns what it returns, or throws what it throws.
    ///
    /// The caller suspends meanwhile; cancelling it does not interrupt a write already started
    /// (a half-done write to a spool would be worse than a late one).
    public func run<T: Sendable>(_ body: @escaping @Sendable () throws(DomainError) -> T) async throws(DomainError) -> T {
        let result: Result<T, DomainError> = await withCheckedContinuation { continuation in
            enqueue {
                continuation.resume(returning: Result { () throws(DomainError) in try body() })
            }
        }
        return try result.get()
    }

    private func enqueue(_ job: @escaping Job) {
        pthread_mutex_lock(&mutex)
        jobs.append(job)
        let startThreads = !started
        started = true
        pthread_cond_signal(&condition)
        pthread_mutex_unlock(&mutex)
        if startThreads { startThreadsOnce() }
    }

    private func startThreadsOnce() {
        for _ in 0..<threadCount {
            var thread = pthread_t()
            let context = Unmanaged.passUnretained(self).toOpaque()
            let result = pthread_create(&thread, nil, { argument in
                Unmanaged<BlockingIO>.fromOpaque(argument!).takeUnretainedValue().serve()
                return nil
            }, context)
            // Without a thread the queued jobs would never run: there is no safe way on without one.
            precondition(result == 0, "cannot start a blocking I/O thread: \(String(cString: strerror(result)))")
            pthread_detach(thread)
        }
    }

    private func serve() {
        while true {
            pthread_mutex_lock(&mutex)
            while head == jobs.count { pthread_cond_wait(&condition, &mutex) }
            let job = jobs[head]
            head += 1
            if head == jobs.count {
                jobs.removeAll(keepingCapacity: true)
                head = 0
            }
            pthread_mutex_unlock(&mutex)
            job()
        }
    }
}

extension BlockingIO {
    /// Writes all of `bytes` to `descriptor`, retrying short writes and interruptions; what went
    /// wrong is described as `action` (for example "write the upload spool").
    static func writeAll(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer, action: String) throws(DomainError) {
        var offset = 0
        while offset < bytes.count {
            let written = write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                let code = errno
                if code == EINTR { continue }
                if code == ENOSPC || code == EDQUOT {
                    throw DomainError(kind: .resourceExhausted, message: "the server has no room to store the upload")
                }
                let text = strerror(code).map { String(cString: $0) } ?? "errno \(code)"
                throw DomainError.internalFailure("cannot \(action): \(text)")
            }
            offset += written
        }
    }

    /// Writes all of `bytes` to `descriptor` on one of the threads.
    public func writeAll(_ descriptor: Int32, _ bytes: [UInt8], action: String) async throws(DomainError) {
        try await run { () throws(DomainError) in
            let outcome: Result<Void, DomainError> = bytes.withUnsafeBytes { raw in
                Result { () throws(DomainError) in try Self.writeAll(descriptor, raw, action: action) }
            }
            try outcome.get()
        }
    }
}
