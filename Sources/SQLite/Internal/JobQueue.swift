// SPDX-License-Identifier: Apache-2.0
// UsageFlow — SQLite

/// A first-in first-out queue with amortized O(1) removal from the front.
struct JobQueue<Element> {
    private var items: [Element?] = []
    private var head = 0

    var isEmpty: Bool { head == items.count }

    mutating func append(_ element: Element) {
        items.append(element)
    }

    mutating func popFirst() -> Element? {
        guard head < items.count else { return nil }
        let element = items[head]
        items[head] = nil
        head += 1
        if head == items.count {
            items.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 32, head * 2 >= items.count {
            items.removeFirst(head)
            head = 0
        }
        return element
    }
}

extension JobQueue: Sendable where Element: Sendable {}
