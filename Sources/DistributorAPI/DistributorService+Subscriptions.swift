// SPDX-License-Identifier: Apache-2.0
// UsageFlow — DistributorAPI

import Contracts
import Domain
import RPCCore
import ServiceSupport

extension DistributorService {
    public func createSubscription(
        request: Usageflow_V1_CreateSubscriptionRequest, context: ServerContext
    ) async throws -> Usageflow_V1_Subscription {
        let tenant = try context.tenant()
        let subscription = try await SubscriptionOperations(environment: environment)
            .create(tenant, SubscriptionOperations.Draft(request))
        return Usageflow_V1_Subscription(subscription)
    }

    public func getSubscription(
        request: Usageflow_V1_IdRequest, context: ServerContext
    ) async throws -> Usageflow_V1_Subscription {
        let tenant = try context.tenant()
        let subscription = try await SubscriptionOperations(environment: environment).get(tenant, id: request.id)
        return Usageflow_V1_Subscription(subscription)
    }

    public func listSubscriptions(
        request: Usageflow_V1_ListSubscriptionsRequest, context: ServerContext
    ) async throws -> Usageflow_V1_ListSubscriptionsResponse {
        let tenant = try context.tenant()
        var validation = Validation()
        let status = SubscriptionStatus.decode(request.status, field: "status", into: &validation)
        let paging = ListPaging(
            list: "subscriptions",
            filters: [
                "product": request.productId, "customer": request.customerId, "reseller": request.resellerId,
                "status": "\(request.status.rawValue)", "external": request.externalId,
            ],
            pageSize: request.pageSize, pageToken: request.pageToken, into: &validation)
        try validation.check()
        let page = try await SubscriptionOperations(environment: environment).list(
            tenant, productID: request.productId.nonEmpty, customerID: request.customerId.nonEmpty,
            resellerID: request.resellerId.nonEmpty, status: status, externalID: request.externalId.nonEmpty,
            page: paging.request)
        var response = Usageflow_V1_ListSubscriptionsResponse()
        response.subscriptions = page.items.map(Usageflow_V1_Subscription.init)
        response.nextPageToken = paging.nextToken(after: page)
        return response
    }

    public func suspendSubscription(
        request: Usageflow_V1_ChangeSubscriptionRequest, context: ServerContext
    ) async throws -> Usageflow_V1_Subscription {
        let tenant = try context.tenant()
        let subscription = try await SubscriptionOperations(environment: environment)
            .suspend(tenant, id: request.id, reason: request.reason)
        return Usageflow_V1_Subscription(subscription)
    }

    public func resumeSubscription(
        request: Usageflow_V1_ChangeSubscriptionRequest, context: ServerContext
    ) async throws -> Usageflow_V1_Subscription {
        let tenant = try context.tenant()
        let subscription = try await SubscriptionOperations(environment: environment)
            .resume(tenant, id: request.id, reason: request.reason)
        return Usageflow_V1_Subscription(subscription)
    }

    public func terminateSubscription(
        request: Usageflow_V1_ChangeSubscriptionRequest, context: ServerContext
    ) async throws -> Usageflow_V1_Subscription {
        let tenant = try context.tenant()
        let subscription = try await SubscriptionOperations(environment: environment)
            .terminate(tenant, id: request.id, reason: request.reason)
        return Usageflow_V1_Subscription(subscription)
    }
}
