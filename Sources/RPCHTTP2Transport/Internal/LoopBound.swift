// SPDX-License-Identifier: Apache-2.0
// UsageFlow — RPCHTTP2Transport

/// A weak reference to a loop-confined object that may travel through `@Sendable` closures.
///
/// @unchecked Sendable: the reference is only dereferenced inside work queued with
/// `EventLoop.execute` on the loop that owns the object, never on the thread that captured it.
struct LoopBound<Value: AnyObject>: @unchecked Sendable {
    weak var value: Value?

    init(_ value: Value) { self.value = value }
}
