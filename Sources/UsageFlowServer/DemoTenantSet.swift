// SPDX-License-Identifier: Apache-2.0
// UsageFlow — UsageFlowServer

import Domain

/// What `DemoData.seed` made: the ids, and each party's bearer token, which exists nowhere else.
///
/// `summary` prints each token exactly once, inside a ready-to-paste `export USAGEFLOW_KEY=…`
/// line, followed by commands to try as that party.
public struct DemoTenantSet: Sendable {
    public let operatorKey: String
    public let vendor: Account
    public let vendorKey: String
    public let distributor: Account
    public let distributorKey: String
    public let reseller: Reseller
    public let resellerKey: String
    public let customer: Customer
    public let marketplace: Marketplace
    public let contract: Contract
    public let product: Product
    public let items: [Item]
    public let listing: Listing
    public let subscription: Subscription

    /// The text for standard output: how to connect, the ids, then per party its key and example
    /// commands.
    ///
    /// - Parameters:
    ///   - server: the address clients should dial.
    ///   - caPath: the CA clients should trust, or nil when clients need none of ours.
    ///   - cleartext: whether the server speaks h2c (client commands then need `--h2c`).
    public func summary(server: NetworkAddress, caPath: String?, cleartext: Bool) -> String {
        let h2c = cleartext ? " --h2c" : ""
        func row(_ label: String, _ id: String, _ text: String) -> String {
            "  " + pad(label, 14) + pad(id, 24) + text + "\n"
        }
        var text = "UsageFlow demo tenant set. The keys below are shown only now; nothing stores them.\n\n"
        text += "Connect:\n  export USAGEFLOW_SERVER=\(server)\n"
        if let caPath { text += "  export USAGEFLOW_CA=\(caPath)\n" }
        text += "\nIds:\n"
        text += row("vendor", vendor.id, vendor.name)
        text += row("distributor", distributor.id, distributor.name)
        text += row("marketplace", marketplace.id, "\(marketplace.name) (\(marketplace.currency))")
        text += row("contract", contract.id, contract.status.rawValue)
        text += row("product", product.id, "\(product.name) (pay-as-you-go, QT)")
        for (index, item) in items.enumerated() {
            text += row(index == 0 ? "items" : "", item.id, "\(item.name), \(item.precision.rawValue), \(item.unit)")
        }
        text += row("listing", listing.id, listing.status.rawValue)
        text += row("reseller", reseller.id, "\(reseller.name) (tier \(reseller.tier))")
        text += row("customer", customer.id, customer.name)
        let reconciliation = subscription.parameters.first { $0.reconciliation }
        text += row(
            "subscription", subscription.id,
            subscription.status.rawValue + (reconciliation.map { ", reconciliation \($0.name)=\($0.value)" } ?? ""))

        let firstItem = items.first?.id ?? "<item id>"
        text += """

            As the operator:
              export USAGEFLOW_KEY=\(operatorKey)
              usageflow admin accounts list\(h2c)
              usageflow admin keys list --account-id \(vendor.id)\(h2c)

            As the vendor:
              export USAGEFLOW_KEY=\(vendorKey)
              usageflow vendor products get \(product.id)\(h2c)
              usageflow vendor items list --product-id \(product.id)\(h2c)
              usageflow vendor items create --product-id \(product.id) --name Transfer --mpn XFER-GB --type ppu --precision decimal-4 --unit 'MB*h'\(h2c)
              usageflow vendor items get \(firstItem) --json\(h2c)
              usageflow vendor subscriptions list\(h2c)

            As the distributor:
              export USAGEFLOW_KEY=\(distributorKey)
              usageflow distributor listings list\(h2c)
              usageflow distributor subscriptions get \(subscription.id)\(h2c)
              usageflow distributor subscriptions suspend \(subscription.id) --reason 'payment overdue'\(h2c)
              usageflow distributor customers create --name 'Direct Customer'\(h2c)

            As the reseller:
              export USAGEFLOW_KEY=\(resellerKey)
              usageflow reseller customers list\(h2c)
              usageflow reseller subscriptions list\(h2c)
              usageflow reseller resellers create --name 'Demo Sub-Reseller'\(h2c)

            Every command takes --help; `usageflow --help` lists them all.

            """
        return text
    }

    private func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }
}
