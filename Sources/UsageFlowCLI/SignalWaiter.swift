// SPDX-License-Identifier: Apache-2.0
// UsageFlow — usageflow

import Glibc

/// The write end of the self-pipe the signal handler writes to; set once before handlers are installed.
nonisolated(unsafe) private var signalPipeWriteFD: Int32 = -1

/// Turns SIGTERM and SIGINT into one call of `action` on a thread of its own.
///
/// The handler only writes a byte to a pipe (async-signal-safe); a dedicated thread reads it. This
/// works whichever thread the kernel picks for the signal, unlike masking, which misses threads
/// the runtime started before the mask was set.
final class SignalWaiter: @unchecked Sendable {
    // @unchecked Sendable: `action` is @Sendable and `readFD` is immutable after init.
    let action: @Sendable () -> Void
    private let readFD: Int32

    init(signals: [Int32], action: @escaping @Sendable () -> Void) {
        self.action = action
        var fds: [Int32] = [0, 0]
        _ = pipe(&fds)
        readFD = fds[0]
        signalPipeWriteFD = fds[1]
        for signalNumber in signals {
            var handler = sigaction()
            handler.__sigaction_handler.sa_handler = { _ in
                var byte: UInt8 = 1
                _ = write(signalPipeWriteFD, &byte, 1)
            }
            sigemptyset(&handler.sa_mask)
            sigaction(signalNumber, &handler, nil)
        }
    }

    func start() {
        var thread = pthread_t()
        let box = Unmanaged.passRetained(self)
        pthread_create(&thread, nil, { argument in
            let waiter = Unmanaged<SignalWaiter>.fromOpaque(argument!).takeRetainedValue()
            var byte: UInt8 = 0
            while read(waiter.readFD, &byte, 1) < 0, errno == EINTR {}
            waiter.action()
            return nil
        }, box.toOpaque())
        pthread_detach(thread)
    }
}
