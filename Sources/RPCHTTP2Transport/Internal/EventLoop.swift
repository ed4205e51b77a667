// SPDX-License-Identifier: Apache-2.0
// UsageFlow — RPCHTTP2Transport

import CLinux
import Glibc
import Synchronization

/// Something registered with an event loop for readiness events on a file descriptor.
protocol EventLoopHandler: AnyObject {
    /// Called on the loop thread with the `epoll` event mask.
    func handleEvents(_ events: UInt32)
}

/// Something that wants to run once more at the end of the loop's current turn (loop thread only).
protocol EndOfTurnHandler: AnyObject {
    func endOfTurn()
}

/// One epoll loop on its own thread: sockets registered with it are only ever touched there.
///
/// Other threads reach the loop with `execute`, which queues a closure and writes the loop's
/// eventfd; the loop drains the queue after each wake-up. Timers are a small heap checked every
/// turn, which bounds `epoll_wait`'s timeout.
///
/// The loop is also a `TaskExecutor`: call handlers run as tasks that prefer it, so a handler that
/// does not wait on anything else runs, answers and finishes within the loop turn that received
/// its request, with no hop to the cooperative pool and back. Jobs enqueued from the loop thread
/// itself go on a plain array; others take the lock and wake the loop.
final class EventLoop: TaskExecutor, @unchecked Sendable {
    // @unchecked Sendable: `epollFD` and `wakeFD` are immutable after init; `pending` is behind a
    // Mutex and `loopThread` is atomic; every other stored property is touched only on the loop
    // thread (`handlers`, `timers`, `localJobs`, `localWork`, `endOfTurn`, the scratch buffers).

    let index: Int
    private let epollFD: Int32
    private let wakeFD: Int32
    private let pending = Mutex<PendingWork>(PendingWork())
    private var handlers: [Int32: any EventLoopHandler] = [:]
    private var timers = TimerHeap()
    /// Task jobs and closures queued from the loop thread itself.
    private var localJobs: [UnownedJob] = []
    private var spareJobs: [UnownedJob] = []
    private var localWork: [() -> Void] = []
    /// Handlers to call at the end of the current turn, after every event, job and task.
    private var endOfTurn: [any EndOfTurnHandler] = []
    private var spareEndOfTurn: [any EndOfTurnHandler] = []
    private var thread: pthread_t?
    /// The loop thread's `pthread_self()`, or 0 before it starts.
    private let loopThread = Atomic<UInt>(0)
    /// One read buffer for every connection of the loop: a connection reads and processes its
    /// bytes before the next one runs, so idle connections hold no read memory of their own.
    var readScratch = [UInt8](repeating: 0, count: 64 * 1024)
    /// Decrypted bytes on their way from TLS into HTTP/2, HTTP/2 output on its way into TLS, and
    /// bytes on their way to a socket: transient within one call, so one buffer each per loop,
    /// allocated once and kept (reallocating a megabyte per flush costs page faults).
    var plaintextScratch = [UInt8](repeating: 0, count: 64 * 1024)
    var plaintextOutput: [UInt8] = []
    var socketScratch: [UInt8] = []

    /// Task jobs the loop runs per turn before it looks at its sockets again.
    static let jobsPerTurn = 4096

    private struct PendingWork {
        var jobs: [@Sendable () -> Void] = []
        var tasks: [UnownedJob] = []
        var wakePending = false
        var stopping = false
    }

    init(index: Int) throws {
        self.index = index
        epollFD = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard epollFD >= 0 else { throw TransportError.system("epoll_create1", errno) }
        wakeFD = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        guard wakeFD >= 0 else { throw TransportError.system("eventfd", errno) }
        var event = epoll_event()
        event.events = clinux_epollin()
        event.data.fd = wakeFD
        guard epoll_ctl(epollFD, EPOLL_CTL_ADD, wakeFD, &event) == 0 else {
            throw TransportError.system("epoll_ctl(eventfd)", errno)
        }
    }

    deinit {
        close(wakeFD)
        close(epollFD)
    }

    /// Starts the loop thread.
    func start() throws {
        let box = Unmanaged.passRetained(self)
        var handle = pthread_t()
        let result = pthread_create(&handle, nil, { argument in
            let loop = Unmanaged<EventLoop>.fromOpaque(argument!).takeRetainedValue()
            loop.run()
            return nil
        }, box.toOpaque())
        guard result == 0 else {
            box.release()
            throw TransportError.system("pthread_create", result)
        }
        thread = handle
    }

    /// Stops the loop after the work already queued, and waits for its thread to end.
    func stopAndJoin() {
        pending.withLock { $0.stopping = true }
        wake()
        if let thread { pthread_join(thread, nil) }
        thread = nil
    }

    /// Whether the caller is on this loop's thread.
    var inLoop: Bool {
        loopThread.load(ordering: .relaxed) == UInt(pthread_self())
    }

    /// Runs `work` on the loop thread, soon; safe from any thread.
    func execute(_ work: @escaping @Sendable () -> Void) {
        if inLoop {
            localWork.append(work)
            return
        }
        let needsWake = pending.withLock { state -> Bool in
            state.jobs.append(work)
            if state.wakePending { return false }
            state.wakePending = true
            return true
        }
        if needsWake { wake() }
    }

    /// TaskExecutor: runs a task's job on the loop thread.
    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        if inLoop {
            localJobs.append(job)
            return
        }
        let needsWake = pending.withLock { state -> Bool in
            state.tasks.append(job)
            if state.wakePending { return false }
            state.wakePending = true
            return true
        }
        if needsWake { wake() }
    }

    private func wake() {
        var one: UInt64 = 1
        _ = write(wakeFD, &one, 8)
    }

    // MARK: Loop-thread API

    func register(fd: Int32, events: UInt32, handler: any EventLoopHandler) throws {
        var event = epoll_event()
        event.events = events
        event.data.fd = fd
        guard epoll_ctl(epollFD, EPOLL_CTL_ADD, fd, &event) == 0 else {
            throw TransportError.system("epoll_ctl(add)", errno)
        }
        handlers[fd] = handler
    }

    func modify(fd: Int32, events: UInt32) {
        var event = epoll_event()
        event.events = events
        event.data.fd = fd
        _ = epoll_ctl(epollFD, EPOLL_CTL_MOD, fd, &event)
    }

    func deregister(fd: Int32) {
        _ = epoll_ctl(epollFD, EPOLL_CTL_DEL, fd, nil)
        handlers[fd] = nil
    }

    /// Calls `action` on the loop thread once `deadline` (monotonic nanoseconds) has passed.
    @discardableResult
    func schedule(at deadline: UInt64, _ action: @escaping () -> Void) -> TimerHeap.TimerID {
        timers.insert(deadline: deadline, action: action)
    }

    func cancelTimer(_ id: TimerHeap.TimerID) { timers.cancel(id) }

    /// Calls `handler.endOfTurn()` once the loop has handled this turn's events, jobs and tasks
    /// (loop thread only), so many small outputs become one socket write. The caller keeps its own
    /// flag so it is registered once per turn.
    func runAtEndOfTurn(_ handler: any EndOfTurnHandler) { endOfTurn.append(handler) }

    // MARK: The loop

    private func run() {
        loopThread.store(UInt(pthread_self()), ordering: .relaxed)
        let executor = asUnownedTaskExecutor()
        var events = [epoll_event](repeating: epoll_event(), count: 256)
        var remoteWork: [@Sendable () -> Void] = []
        var remoteTasks: [UnownedJob] = []
        while true {
            let busy = !localJobs.isEmpty || !localWork.isEmpty || !endOfTurn.isEmpty
            let timeout = busy ? 0 : timers.millisecondsUntilNext(now: MonotonicClock.now)
            let count = events.withUnsafeMutableBufferPointer {
                epoll_wait(epollFD, $0.baseAddress, Int32($0.count), timeout)
            }
            if count < 0, errno != EINTR { break }
            for index in 0..<max(0, Int(count)) {
                let fd = events[index].data.fd
                if fd == wakeFD {
                    var value: UInt64 = 0
                    _ = read(wakeFD, &value, 8)
                    continue
                }
                handlers[fd]?.handleEvents(events[index].events)
            }
            // Actions may schedule new timers, so take the due ones out before running any.
            for action in timers.popDue(now: MonotonicClock.now) { action() }
            let stopping = pending.withLock { state -> Bool in
                swap(&remoteWork, &state.jobs)
                swap(&remoteTasks, &state.tasks)
                state.wakePending = false
                return state.stopping
            }
            for work in remoteWork { work() }
            remoteWork.removeAll(keepingCapacity: true)
            localJobs.append(contentsOf: remoteTasks)
            remoteTasks.removeAll(keepingCapacity: true)
            runTasksAndEndOfTurn(executor)
            if stopping { break }
        }
        handlers.removeAll()
    }

    /// Runs the closures queued on the loop thread so far, then task jobs and the end-of-turn
    /// handlers until no job is left or the per-turn share is used up. Whatever is queued beyond
    /// that runs next turn, after the sockets have been looked at (epoll then does not block).
    private func runTasksAndEndOfTurn(_ executor: UnownedTaskExecutor) {
        if !localWork.isEmpty {
            let work = localWork
            localWork.removeAll(keepingCapacity: true)
            for item in work { item() }
        }
        var budget = Self.jobsPerTurn
        repeat {
            while !localJobs.isEmpty, budget > 0 {
                swap(&localJobs, &spareJobs)
                for job in spareJobs { job.runSynchronously(on: executor) }
                budget -= spareJobs.count
                spareJobs.removeAll(keepingCapacity: true)
            }
            while !endOfTurn.isEmpty {
                swap(&endOfTurn, &spareEndOfTurn)
                for handler in spareEndOfTurn { handler.endOfTurn() }
                spareEndOfTurn.removeAll(keepingCapacity: true)
            }
        } while budget > 0 && !localJobs.isEmpty
    }
}

/// Monotonic time in nanoseconds.
enum MonotonicClock {
    static var now: UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }
}

/// A binary min-heap of timers, used on one loop thread.
///
/// Cancelling removes the entry at once, so the closure and whatever it captures are freed then,
/// not when the deadline would have passed (a connection's 20 s first-request timer would
/// otherwise keep its memory pinned long after it closed).
struct TimerHeap {
    typealias TimerID = UInt64

    private struct Entry {
        let deadline: UInt64
        let id: TimerID
        let action: () -> Void
    }

    private var heap: [Entry] = []
    private var nextID: TimerID = 1

    var count: Int { heap.count }

    @discardableResult
    mutating func insert(deadline: UInt64, action: @escaping () -> Void) -> TimerID {
        let id = nextID
        nextID += 1
        heap.append(Entry(deadline: deadline, id: id, action: action))
        siftUp(heap.count - 1)
        return id
    }

    mutating func cancel(_ id: TimerID) {
        guard let index = heap.firstIndex(where: { $0.id == id }) else { return }
        remove(at: index)
    }

    /// Milliseconds until the earliest timer, rounded up; -1 when there is none.
    func millisecondsUntilNext(now: UInt64) -> Int32 {
        guard let first = heap.first else { return -1 }
        if first.deadline <= now { return 0 }
        return Int32(min(60_000, (first.deadline - now + 999_999) / 1_000_000))
    }

    mutating func popDue(now: UInt64) -> [() -> Void] {
        var due: [() -> Void] = []
        while let first = heap.first, first.deadline <= now {
            due.append(first.action)
            remove(at: 0)
        }
        return due
    }

    private mutating func remove(at index: Int) {
        let last = heap.removeLast()
        guard index < heap.count else { return }
        heap[index] = last
        siftDown(index)
        siftUp(index)
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].deadline < heap[parent].deadline else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < heap.count, heap[left].deadline < heap[smallest].deadline { smallest = left }
            if right < heap.count, heap[right].deadline < heap[smallest].deadline { smallest = right }
            if smallest == parent { break }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
