// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Storage tests

import Domain

/// Every object of a list, read page by page as a client would, with the positions between pages.
func readAll<T>(size: Int, _ list: (PageRequest) throws -> Page<T>) throws -> (items: [T], pages: Int) {
    var items: [T] = []
    var pages = 0
    var after: Int64?
    repeat {
        let page = try list(PageRequest(size: size, after: after))
        if page.items.count > size {
            throw TestFailure(reason: "a page of size \(size) holds \(page.items.count) objects")
        }
        items += page.items
        pages += 1
        after = page.nextAfter
    } while after != nil && pages < 10_000
    return (items, pages)
}
