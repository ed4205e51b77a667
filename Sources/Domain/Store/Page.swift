// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Domain

/// Which slice of a list to read: at most `size` objects after the position `after`.
///
/// Positions are the storage's insertion sequence, so a page boundary never moves when other
/// objects are inserted meanwhile: new objects land after every existing position, and a client
/// paging through a list neither skips nor repeats anything.
public struct PageRequest: Sendable, Hashable {
    public var size: Int
    /// The position of the last object of the previous page; nil for the first page.
    public var after: Int64?

    public init(size: Int = Limits.defaultPageSize, after: Int64? = nil) {
        self.size = size
        self.after = after
    }
}

/// One page of a list, in ascending position order.
public struct Page<Element: Sendable>: Sendable {
    public var items: [Element]
    /// The position to continue after, or nil when this was the last page.
    public var nextAfter: Int64?

    public init(items: [Element], nextAfter: Int64?) {
        self.items = items
        self.nextAfter = nextAfter
    }

    public func map<T: Sendable>(_ transform: (Element) throws -> T) rethrows -> Page<T> {
        Page<T>(items: try items.map(transform), nextAfter: nextAfter)
    }
}
