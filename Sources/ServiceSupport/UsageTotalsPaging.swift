// SPDX-License-Identifier: Apache-2.0
// UsageFlow — ServiceSupport

import Contracts
import Domain
import ProtoWire

/// Reads a `GetUsageTotals` request the same way for the vendor, the distributor and the
/// reseller, and writes its page tokens.
///
/// Totals are computed, not stored, so they have no insertion position for `PageToken`: a page
/// continues after the subscription and item of the last total it held, which stays the right
/// place however the totals change between calls (a group that appears earlier is simply not
/// repeated). The token is base64url of `t1:<filter digest>:<subscription id>:<item id>`, bound
/// to the period and filters of the request that produced it, like every other page token.
public struct UsageTotalsPaging: Sendable {
    public let query: UsageTotalsOperations.Query
    public let size: Int
    /// Where the page starts; nil for the first page.
    public let after: UsageTotal.Key?
    /// What a token is bound to: the list, the period and the filters.
    let filterKey: String

    /// Reads the request; INVALID_ARGUMENT with every bad field (period, page size and token).
    public init(_ request: Usageflow_V1_GetUsageTotalsRequest, list: String) throws(DomainError) {
        query = UsageTotalsOperations.Query(
            periodFrom: request.periodFrom, periodTo: request.periodTo, productID: request.productId.nonEmpty,
            marketplaceID: request.marketplaceId.nonEmpty, customerID: request.customerId.nonEmpty,
            subscriptionID: request.subscriptionId.nonEmpty, itemID: request.itemId.nonEmpty)
        filterKey = [
            list, request.periodFrom, request.periodTo, request.productId, request.marketplaceId, request.customerId,
            request.subscriptionId, request.itemId,
        ].joined(separator: "|")
        var validation = Validation()
        UsageTotalsOperations.validate(query, into: &validation)
        if request.pageSize < 0 || request.pageSize > Int32(Limits.maxPageSize) {
            validation.fail("page_size", "must be between 0 and \(Limits.maxPageSize) (got \(request.pageSize))")
        }
        size = request.pageSize <= 0 ? Limits.defaultPageSize : Int(request.pageSize)
        var after: UsageTotal.Key?
        if !request.pageToken.isEmpty {
            after = Self.decode(request.pageToken, filterKey: filterKey)
            if after == nil { validation.fail("page_token", "is not a token from this list with these filters") }
        }
        self.after = after
        try validation.check()
    }

    /// The `next_page_token` after `page`; empty on the last page.
    public func nextToken(after page: UsageTotalsOperations.Page) -> String {
        guard let key = page.nextAfter else { return "" }
        return Self.encode(key, filterKey: filterKey)
    }

    static func encode(_ key: UsageTotal.Key, filterKey: String) -> String {
        let text = "t1:\(digest(filterKey)):\(key.subscriptionID):\(key.itemID)"
        return Base64.encode(Array(text.utf8)).replacing("+", with: "-").replacing("/", with: "_")
            .replacing("=", with: "")
    }

    static func decode(_ token: String, filterKey: String) -> UsageTotal.Key? {
        guard token.utf8.count <= 1024 else { return nil }
        var standard = token.replacing("-", with: "+").replacing("_", with: "/")
        while standard.utf8.count % 4 != 0 { standard += "=" }
        guard let bytes = Base64.decode(standard), let text = String(validating: bytes, as: UTF8.self) else {
            return nil
        }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "t1", parts[1] == Substring(digest(filterKey)), !parts[2].isEmpty,
            !parts[3].isEmpty
        else { return nil }
        return UsageTotal.Key(subscriptionID: String(parts[2]), itemID: String(parts[3]))
    }

    /// FNV-1a 64 of the filter key in hex, as `PageToken` binds its tokens: not a secret, only a
    /// consistency check.
    private static func digest(_ key: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return String(hash, radix: 16)
    }
}
