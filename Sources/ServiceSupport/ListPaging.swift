// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ServiceSupport

import Domain

/// The page a list request asks for, read so that a bad `page_size` or `page_token` joins the
/// request's other field violations instead of being reported in a second round trip.
///
/// The filter key names the list and renders its filters, so a token only continues the list
/// (and the filters) it came from. Every role service reads its list requests through this one
/// type so that tokens, limits and violation wording are the same on every list.
public struct ListPaging: Sendable {
    /// `list|name=value|…`: what a page token is bound to.
    public let filterKey: String
    /// The page to read; the first page when `page_size` or `page_token` was bad (the call fails
    /// on the recorded violations before it reads).
    public let request: PageRequest

    /// Reads `pageSize` and `pageToken` for the list named `list` with `filters`, recording any
    /// violation in `validation` under `page_size` or `page_token`.
    ///
    /// - Parameters:
    ///   - list: a name unique among the lists a token could be replayed against, such as
    ///     `"subscriptions"` or `"vendor.products"`.
    ///   - filters: the request's filters in a fixed order, empty values included, so a token
    ///     from one filtered list is refused on another.
    public init(
        list: String, filters: KeyValuePairs<String, String> = [:], pageSize: Int32, pageToken: String,
        into validation: inout Validation
    ) {
        filterKey = ([list] + filters.map { "\($0.key)=\($0.value)" }).joined(separator: "|")
        do throws(DomainError) {
            request = try PageToken.request(pageSize: pageSize, token: pageToken, filterKey: filterKey)
        } catch {
            for violation in error.violations { validation.fail(violation.field, violation.description) }
            request = PageRequest()
        }
    }

    /// The `next_page_token` for the page after `page`; empty on the last page.
    public func nextToken<T>(after page: Page<T>) -> String {
        PageToken.next(page, filterKey: filterKey)
    }
}
