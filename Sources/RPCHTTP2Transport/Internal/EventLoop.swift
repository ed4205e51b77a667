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

/// One epoll loop on its own thread: sockets registered with it are only ever touched there.
///
/// Other threads reach the loop with `execute`, which queues a closure and writes the loop's
/// eventfd; the loop drains the queue after each wake-up. Timers are a small heap checked every
/// turn, which bounds `epoll_wait`'s timeout.
final class EventLoop: @unchecked Sendable {
    // @unchecked Sendable: `epollFD` and `wakeFD` are immutable after init; `pending` is behind a
    // Mutex; every other stored property is touched only on the loop thread (`handlers`, `timers`).

    let index: Int
    private let epollFD: Int32
    private let wakeFD: Int32
    private let pending = Mutex<PendingWork>(PendingWork())
    private var handlers: [Int32: any EventLoopHandler] = [:]
    private var timers = TimerHeap()
    /// Work the loop runs at the end of the current turn, after every event and queued job.
    private var endOfTurn: [() -> Void] = []
    private var thread: pthread_t?
    /// One read buffer for every connection of the loop: a connection reads and processes its
    /// bytes before the next one runs, so idle connections hold no read memory of their own.
    var readScratch = [UInt8](repeating: 0, count: 64 * 1024)
    private(set) var threadID: pthread_t?

    private struct PendingWork {
        var jobs: [@Sendable () -> Void] = []
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
        guard let threadID else { return false }
        return pthread_equal(threadID, pthread_self()) != 0
    }

    /// Runs `work` on the loop thread, soon; safe from any thread.
    func execute(_ work: @escaping @Sendable () -> Void) {
        let needsWake = pending.withLock { state -> Bool in
            state.jobs.append(work)
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

    /// Runs `work` once the loop has handled this turn's events and jobs (loop thread only), so
    /// many small outputs become one socket write.
    func runAtEndOfTurn(_ work: @escaping () -> Void) { endOfTurn.append(work) }

    // MARK: The loop

    private func run() {
        threadID = pthread_self()
        var events = [epoll_event](repeating: epoll_event(), count: 256)
        while true {
            let timeout = timers.millisecondsUntilNext(now: MonotonicClock.now)
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
            let (jobs, stopping) = pending.withLock { state -> ([@Sendable () -> Void], Bool) in
                let jobs = state.jobs
                state.jobs.removeAll(keepingCapacity: true)
                state.wakePending = false
                return (jobs, state.stopping)
            }
            for job in jobs { job() }
            while !endOfTurn.isEmpty {
                let work = endOfTurn
                endOfTurn.removeAll(keepingCapacity: true)
                for item in work { item() }
            }
            if stopping { break }
        }
        handlers.removeAll()
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
