// SPDX-License-Identifier: Apache-2.0
// UsageFlow — DistributorAPI

import Contracts
import Domain

extension SubscriptionOperations.Draft {
    /// The draft a `CreateSubscriptionRequest` asks for; the operation validates every field.
    init(_ request: Usageflow_V1_CreateSubscriptionRequest) {
        self.init(
            customerID: request.customerId, productID: request.productId, marketplaceID: request.marketplaceId,
            externalID: request.externalId, externalUID: request.externalUid,
            parameters: request.parameters.map {
                Parameter(name: $0.name, value: $0.value, reconciliation: $0.reconciliation)
            })
    }
}
