// SPDX-License-Identifier: Apache-2.0
// UsageFlow — SQLite

import Glibc

/// Threads that each own one connection and take jobs from one shared queue.
///
/// SQLite calls block, so they run only here, never on the caller's thread or the cooperative
/// pool: a caller queues a job and suspends on a continuation that the storage thread resumes.
/// The writer is an executor with one thread, which makes it serial (writes never contend inside
/// the process); the readers are one executor with several threads, so reads run side by side
/// and a long read holds up only its own thread. Each connection is opened, used and closed on its
/// own thread and never seen by another.
final class StorageExecutor: @unchecked Sendable {
    // @unchecked Sendable: every mutable property lives in `lock`'s state; the rest is immutable.

    /// Work for a storage thread, given that thread's connection.
    typealias Job = @Sendable (SQLiteConnection) -> Void

    private struct State: Sendable {
        var jobs = JobQueue<Job>()
        /// Whether `submit` queues jobs: from a successful start until shutdown begins.
        var accepting = false
        /// Whether threads end once the queue is empty.
        var exiting = false
        /// How many threads were created, once `start` knows.
        var expectedThreads: Int?
        /// How many threads have tried to open their connection.
        var openedThreads = 0
        var startupError: (any Error)?
        var startupWaiter: CheckedContinuation<Void, any Error>?
        /// Threads created and not yet ended.
        var runningThreads = 0
        var exitWaiters: [CheckedContinuation<Void, Never>] = []
        /// Threads not yet joined.
        var threads: [pthread_t] = []
    }

    private let threadCount: Int
    private let openConnection: @Sendable (Int) throws -> SQLiteConnection
    private let lock = ConditionLock(State())

    /// - Parameter openConnection: opens the connection of thread `index`, on that thread.
    init(threadCount: Int, openConnection: @escaping @Sendable (_ index: Int) throws -> SQLiteConnection) {
        precondition(threadCount >= 1, "a storage executor needs at least one thread")
        self.threadCount = threadCount
        self.openConnection = openConnection
    }

    // MARK: Lifecycle

    /// Starts the threads and returns once each has opened its connection.
    ///
    /// - Throws: the first thread's failure to open, after every thread has ended.
    func start() async throws {
        var created = 0
        for index in 0..<threadCount {
            let context = Unmanaged.passRetained(ThreadContext(executor: self, index: index))
            lock.withLock { $0.runningThreads += 1 }
            var thread = pthread_t()
            let result = pthread_create(&thread, nil, { argument in
                let context = Unmanaged<ThreadContext>.fromOpaque(argument!).takeRetainedValue()
                context.executor.serve(index: context.index)
                return nil
            }, context.toOpaque())
            guard result == 0 else {
                context.release()
                lock.withLock { state in
                    state.runningThreads -= 1
                    state.startupError = state.startupError ?? SQLiteError(
                        code: .sqlite,
                        resultCode: 1,
                        message: "cannot start a storage thread: \(String(cString: strerror(result)))"
                    )
                }
                break
            }
            lock.withLock { $0.threads.append(thread) }
            created += 1
        }
        do {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let outcome = lock.withLock { state -> Result<Void, any Error>? in
                    state.expectedThreads = created
                    guard state.openedThreads == created else {
                        state.startupWaiter = continuation
                        return nil
                    }
                    return state.startupError.map { .failure($0) } ?? .success(())
                }
                if let outcome { continuation.resume(with: outcome) }
            }
        } catch {
            await shutdown()
            throw error
        }
        lock.withLock { $0.accepting = true }
    }

    /// Refuses new jobs from now on; queued ones still run.
    func stopAccepting() {
        lock.withLock { $0.accepting = false }
    }

    /// Refuses new jobs, lets the threads finish the queued ones, close their connections and
    /// end, and joins them. Safe to call more than once and from several tasks.
    func shutdown() async {
        let running = lock.withLock { state -> Bool in
            state.accepting = false
            state.exiting = true
            return state.runningThreads > 0
        }
        lock.broadcast()
        if running {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let ended = lock.withLock { state -> Bool in
                    guard state.runningThreads > 0 else { return true }
                    state.exitWaiters.append(continuation)
                    return false
                }
                if ended { continuation.resume() }
            }
        }
        // Each thread has signalled its end as its last act, so these joins return at once.
        joinThreads()
    }

    /// `shutdown` for a deinit, which cannot suspend: blocks until the threads have ended.
    ///
    /// Nothing is queued by then (every caller of `submit` keeps the database alive while it
    /// waits), so the wait is only for the threads to close their connections.
    func shutdownBlocking() {
        lock.withLock { state in
            state.accepting = false
            state.exiting = true
        }
        lock.broadcast()
        joinThreads()
    }

    private func joinThreads() {
        let threads = lock.withLock { state -> [pthread_t] in
            defer { state.threads.removeAll() }
            return state.threads
        }
        for thread in threads {
            // The last reference to the database may drop inside a job on one of its own
            // threads; a thread cannot join itself, so it is detached to end on its own.
            if pthread_equal(thread, pthread_self()) != 0 {
                pthread_detach(thread)
            } else {
                pthread_join(thread, nil)
            }
        }
    }

    // MARK: Jobs

    /// Runs `body` on one of the threads with its connection and returns what it returns.
    ///
    /// - Throws: what `body` throws, or `SQLiteError` `closed` when shutdown has begun.
    func submit<T: Sendable>(_ body: @escaping @Sendable (SQLiteConnection) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let job: Job = { connection in
                continuation.resume(with: Result { try body(connection) })
            }
            let accepted = lock.withLock { state -> Bool in
                guard state.accepting else { return false }
                state.jobs.append(job)
                return true
            }
            if accepted {
                lock.signal()
            } else {
                continuation.resume(throwing: SQLiteError.closed)
            }
        }
    }

    // MARK: Threads

    private final class ThreadContext {
        let executor: StorageExecutor
        let index: Int

        init(executor: StorageExecutor, index: Int) {
            self.executor = executor
            self.index = index
        }
    }

    private func serve(index: Int) {
        runJobs(index: index)
        // The connection is closed by now: report the end last, so a joiner waits for nothing.
        let waiters = lock.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.runningThreads -= 1
            guard state.runningThreads == 0 else { return [] }
            defer { state.exitWaiters.removeAll() }
            return state.exitWaiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Opens the thread's connection, reports how that went, and runs jobs until shutdown; the
    /// connection closes when this returns.
    private func runJobs(index: Int) {
        let connection: SQLiteConnection
        do {
            connection = try openConnection(index)
            reportOpened(nil)
        } catch {
            reportOpened(error)
            return
        }
        while let job = nextJob() {
            job(connection)
        }
    }

    private func reportOpened(_ error: (any Error)?) {
        let waiter = lock.withLock { state -> (CheckedContinuation<Void, any Error>, Result<Void, any Error>)? in
            state.openedThreads += 1
            if let error, state.startupError == nil { state.startupError = error }
            guard state.openedThreads == state.expectedThreads, let waiter = state.startupWaiter else { return nil }
            state.startupWaiter = nil
            return (waiter, state.startupError.map { .failure($0) } ?? .success(()))
        }
        if let (continuation, outcome) = waiter { continuation.resume(with: outcome) }
    }

    /// The next job, waiting for one; nil once shutdown has begun and the queue is empty.
    private func nextJob() -> Job? {
        lock.withLock(when: { !$0.jobs.isEmpty || $0.exiting }) { $0.jobs.popFirst() }
    }
}
