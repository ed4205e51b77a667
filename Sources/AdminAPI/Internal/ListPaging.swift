// SPDX-License-Identifier: Apache-2.0
// UsageFlow — AdminAPI

import Domain
import ServiceSupport

/// The page a list request asks for, read so that a bad `page_size` or `page_token` joins the
/// request's other field violations instead of being reported in a second round trip.
///
/// The filter key names the list and renders its filters, so a token only continues the list
/// (and the filters) it came from.
struct ListPaging {
    let filterKey: String
    let request: PageRequest

    init(
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
    func nextToken<T>(after page: Page<T>) -> String {
        PageToken.next(page, filterKey: filterKey)
    }
}
