# SPDX-License-Identifier: Apache-2.0
# UsageFlow — end-to-end: the catalogue and channel through Python grpcio stubs generated from Protos/.

from __future__ import annotations

import grpc
import pytest

import usageflow_support as support
from usageflow_support import expect_error, field_violations

OK = grpc.StatusCode


def pb():
    from uf_stubs import catalogue_pb2, common_pb2, requests_pb2
    return catalogue_pb2, common_pb2, requests_pb2


class Party:
    def __init__(self, account_id: str, key: str):
        self.id = account_id
        self.key = key


def make_account(api, server, role, name: str, scope=None) -> Party:
    catalogue, common, req = pb()
    account = api.call(api.admin.CreateAccount, req.CreateAccountRequest(role=role, name=name), server.operator_key)
    issued = api.call(api.admin.CreateApiKey,
                      req.CreateApiKeyRequest(account_id=account.id, scope=scope or common.KEY_SCOPE_FULL,
                                              name=f"{name} key"), server.operator_key)
    assert support.TOKEN.fullmatch(issued.token), issued.token
    return Party(account.id, issued.token)


@pytest.fixture(scope="module")
def world(api, server):
    """Two vendors, two distributors, and a complete channel for the first pair."""
    catalogue, common, req = pb()
    w = type("World", (), {})()
    w.vendor = make_account(api, server, common.ROLE_VENDOR, "Acme Cloud")
    w.vendor2 = make_account(api, server, common.ROLE_VENDOR, "Other Vendor")
    w.distributor = make_account(api, server, common.ROLE_DISTRIBUTOR, "Mega Distrib")
    w.distributor2 = make_account(api, server, common.ROLE_DISTRIBUTOR, "Second Distrib")

    caps = catalogue.Capabilities(ppu=True, schema=catalogue.PPU_SCHEMA_QT)
    w.product = api.call(api.vendor.CreateProduct, req.CreateProductRequest(name="Cloud Storage", capabilities=caps),
                         w.vendor.key)
    assert w.product.id.startswith("PRD-") and w.product.vendor_id == w.vendor.id
    w.items = []
    for name, mpn, precision in [("Storage", "STOR-GB-H", catalogue.PRECISION_INTEGER),
                                 ("vCPU", "VCPU-MHZ-H", catalogue.PRECISION_DECIMAL_2)]:
        item = api.call(api.vendor.CreateItem, req.CreateItemRequest(
            product_id=w.product.id, name=name, mpn=mpn, type=catalogue.ITEM_TYPE_PPU, precision=precision,
            unit="MB*h"), w.vendor.key)
        assert item.status == catalogue.ITEM_STATUS_DRAFT
        item = api.call(api.vendor.PublishItem, req.IdRequest(id=item.id), w.vendor.key)
        assert item.status == catalogue.ITEM_STATUS_PUBLISHED
        w.items.append(item)

    w.marketplace = api.call(api.distributor.CreateMarketplace,
                             req.CreateMarketplaceRequest(name="US", currency="USD"), w.distributor.key)
    contract = api.call(api.distributor.OfferContract, req.OfferContractRequest(
        vendor_id=w.vendor.id, marketplace_id=w.marketplace.id), w.distributor.key)
    assert contract.status == catalogue.CONTRACT_STATUS_PENDING
    w.contract = api.call(api.vendor.AcceptContract, req.IdRequest(id=contract.id), w.vendor.key)
    assert w.contract.status == catalogue.CONTRACT_STATUS_ACTIVE
    listing = api.call(api.vendor.RequestListing, req.RequestListingRequest(
        product_id=w.product.id, contract_id=w.contract.id), w.vendor.key)
    w.listing = api.call(api.distributor.ApproveListing, req.IdRequest(id=listing.id), w.distributor.key)
    assert w.listing.status == catalogue.LISTING_STATUS_LISTED

    w.reseller = api.call(api.distributor.CreateReseller, req.CreateResellerRequest(name="Reseller One"),
                          w.distributor.key)
    issued = api.call(api.distributor.CreateResellerKey, req.CreateApiKeyRequest(
        account_id=w.reseller.id, scope=common.KEY_SCOPE_FULL), w.distributor.key)
    w.reseller_key = issued.token
    w.customer = api.call(api.reseller.CreateCustomer, req.CreateCustomerRequest(name="Customer A"), w.reseller_key)
    assert w.customer.reseller_id == w.reseller.id
    w.subscription = api.call(api.reseller.CreateSubscription, req.CreateSubscriptionRequest(
        customer_id=w.customer.id, product_id=w.product.id, marketplace_id=w.marketplace.id, external_id="ext-1",
        parameters=[catalogue.Parameter(name="tenant_id", value="tenant-a", reconciliation=True)]), w.reseller_key)
    return w


def test_channel_walkthrough_ends_in_a_subscription_everyone_involved_sees(api, world):
    catalogue, common, req = pb()
    sub = world.subscription
    assert sub.id.startswith("AS-") and sub.status == catalogue.SUBSCRIPTION_STATUS_ACTIVE
    assert sub.contract_id == world.contract.id and sub.marketplace_id == world.marketplace.id
    assert sub.tiers.customer_id == world.customer.id and sub.tiers.tier1_id == world.reseller.id
    assert [p.name for p in sub.parameters] == ["tenant_id"] and sub.parameters[0].reconciliation
    seen_by_vendor = api.call(api.vendor.ListSubscriptions, req.ListSubscriptionsRequest(), world.vendor.key)
    assert [s.id for s in seen_by_vendor.subscriptions] == [sub.id]
    seen_by_distributor = api.call(api.distributor.GetSubscription, req.IdRequest(id=sub.id), world.distributor.key)
    assert seen_by_distributor.external_id == "ext-1"
    suspended = api.call(api.distributor.SuspendSubscription, req.ChangeSubscriptionRequest(id=sub.id, reason="unpaid"),
                         world.distributor.key)
    assert suspended.status == catalogue.SUBSCRIPTION_STATUS_SUSPENDED
    resumed = api.call(api.distributor.ResumeSubscription, req.ChangeSubscriptionRequest(id=sub.id),
                       world.distributor.key)
    assert resumed.status == catalogue.SUBSCRIPTION_STATUS_ACTIVE
    assert [(h.from_ if hasattr(h, "from_") else getattr(h, "from"), h.to) for h in resumed.history][-2:] == [
        ("active", "suspended"), ("suspended", "active")]


def test_other_tenants_get_not_found_for_everything_of_the_first_pair(api, world):
    _, _, req = pb()
    checks = [
        (api.vendor.GetProduct, req.IdRequest(id=world.product.id), world.vendor2.key),
        (api.vendor.GetItem, req.IdRequest(id=world.items[0].id), world.vendor2.key),
        (api.vendor.GetSubscription, req.IdRequest(id=world.subscription.id), world.vendor2.key),
        (api.vendor.AcceptContract, req.IdRequest(id=world.contract.id), world.vendor2.key),
        (api.distributor.GetSubscription, req.IdRequest(id=world.subscription.id), world.distributor2.key),
        (api.distributor.GetMarketplace, req.IdRequest(id=world.marketplace.id), world.distributor2.key),
        (api.distributor.GetReseller, req.IdRequest(id=world.reseller.id), world.distributor2.key),
        (api.distributor.GetCustomer, req.IdRequest(id=world.customer.id), world.distributor2.key),
        (api.distributor.ApproveListing, req.IdRequest(id=world.listing.id), world.distributor2.key),
    ]
    for method, request, key in checks:
        error = expect_error(OK.NOT_FOUND, method, request, key, api)
        assert request.id in error.details()
    for lister, request, key, field in [
        (api.vendor.ListSubscriptions, req.ListSubscriptionsRequest(), world.vendor2.key, "subscriptions"),
        (api.vendor.ListProducts, req.ListProductsRequest(), world.vendor2.key, "products"),
        (api.distributor.ListSubscriptions, req.ListSubscriptionsRequest(), world.distributor2.key, "subscriptions"),
        (api.distributor.ListCustomers, req.ListCustomersRequest(), world.distributor2.key, "customers"),
    ]:
        assert len(getattr(api.call(lister, request, key), field)) == 0


def test_credentials_are_checked_before_anything_else(api, server, world):
    _, common, req = pb()
    get = req.IdRequest(id=world.product.id)
    expect_error(OK.UNAUTHENTICATED, api.vendor.GetProduct, get, None, api)
    expect_error(OK.UNAUTHENTICATED, api.vendor.GetProduct, get, "KEY-0000-0000.not-a-real-secret-at-all-xx", api)
    expect_error(OK.UNAUTHENTICATED, api.vendor.GetProduct, get, "garbage", api)
    expect_error(OK.PERMISSION_DENIED, api.vendor.GetProduct, get, world.distributor.key, api)
    expect_error(OK.PERMISSION_DENIED, api.admin.ListAccounts, req.ListAccountsRequest(), world.vendor.key, api)

    reader = make_account(api, server, common.ROLE_VENDOR, "Read Only Vendor", scope=common.KEY_SCOPE_READ_ONLY)
    api.call(api.vendor.ListProducts, req.ListProductsRequest(), reader.key)
    expect_error(OK.PERMISSION_DENIED, api.vendor.CreateProduct, req.CreateProductRequest(name="x"), reader.key, api)

    issued = api.call(api.admin.CreateApiKey, req.CreateApiKeyRequest(account_id=world.vendor.id,
                                                                     scope=common.KEY_SCOPE_FULL),
                      server.operator_key)
    api.call(api.vendor.ListProducts, req.ListProductsRequest(), issued.token)
    api.call(api.admin.RevokeApiKey, req.IdRequest(id=issued.key.id), server.operator_key)
    expect_error(OK.UNAUTHENTICATED, api.vendor.ListProducts, req.ListProductsRequest(), issued.token, api)


def test_bad_input_gets_invalid_argument_with_field_violations_and_stores_nothing(api, world):
    catalogue, _, req = pb()
    before = api.call(api.vendor.ListItems, req.ListItemsRequest(product_id=world.product.id), world.vendor.key)
    cases = [
        (req.CreateItemRequest(product_id=world.product.id, name="x" * 256, mpn="M-1", type=catalogue.ITEM_TYPE_PPU,
                               precision=catalogue.PRECISION_INTEGER, unit="MB*h"), "name"),
        (req.CreateItemRequest(product_id=world.product.id, name="New", mpn="M-2", type=catalogue.ITEM_TYPE_PPU,
                               precision=99, unit="MB*h"), "precision"),
        (req.CreateItemRequest(product_id=world.product.id, name="New", mpn="M-3", type=catalogue.ITEM_TYPE_PPU,
                               precision=catalogue.PRECISION_INTEGER, unit="parsecs"), "unit"),
    ]
    for request, field in cases:
        error = expect_error(OK.INVALID_ARGUMENT, api.vendor.CreateItem, request, world.vendor.key, api)
        assert field in field_violations(error), (field, field_violations(error), error.details())
    duplicate = req.CreateItemRequest(product_id=world.product.id, name="Other", mpn="STOR-GB-H",
                                      type=catalogue.ITEM_TYPE_PPU, precision=catalogue.PRECISION_INTEGER,
                                      unit="MB*h")
    expect_error(OK.ALREADY_EXISTS, api.vendor.CreateItem, duplicate, world.vendor.key, api)
    error = expect_error(OK.INVALID_ARGUMENT, api.distributor.CreateMarketplace,
                         req.CreateMarketplaceRequest(name="Nowhere", currency="XYZ"), world.distributor.key, api)
    assert "currency" in field_violations(error)
    error = expect_error(OK.FAILED_PRECONDITION, api.vendor.DeleteItem, req.IdRequest(id=world.items[0].id),
                         world.vendor.key, api)
    assert "published" in error.details()
    after = api.call(api.vendor.ListItems, req.ListItemsRequest(product_id=world.product.id), world.vendor.key)
    assert [i.id for i in after.items] == [i.id for i in before.items]


def test_list_rpcs_page_with_stable_tokens(api, world):
    catalogue, _, req = pb()
    product = api.call(api.vendor.CreateProduct, req.CreateProductRequest(name="Paged"), world.vendor.key)
    created = []
    for n in range(25):
        created.append(api.call(api.vendor.CreateItem, req.CreateItemRequest(
            product_id=product.id, name=f"Item {n}", mpn=f"MPN-{n}", type=catalogue.ITEM_TYPE_RESERVATION,
            precision=catalogue.PRECISION_INTEGER, unit="unit*h"), world.vendor.key).id)
    seen, token, pages = [], "", 0
    while True:
        page = api.call(api.vendor.ListItems, req.ListItemsRequest(product_id=product.id, page_size=10,
                                                                   page_token=token), world.vendor.key)
        seen += [i.id for i in page.items]
        pages += 1
        if pages == 1:  # an insert between pages lands after everything already listed
            created.append(api.call(api.vendor.CreateItem, req.CreateItemRequest(
                product_id=product.id, name="Late", mpn="MPN-late", type=catalogue.ITEM_TYPE_RESERVATION,
                precision=catalogue.PRECISION_INTEGER, unit="unit*h"), world.vendor.key).id)
        token = page.next_page_token
        if not token:
            break
    assert seen == created and pages == 3
    error = expect_error(OK.INVALID_ARGUMENT, api.vendor.ListItems,
                         req.ListItemsRequest(product_id=product.id, page_size=1001), world.vendor.key, api)
    assert "page_size" in field_violations(error)
    expect_error(OK.INVALID_ARGUMENT, api.vendor.ListItems,
                 req.ListItemsRequest(product_id=product.id, page_token="bogus"), world.vendor.key, api)


def test_reflection_lists_the_usageflow_services(server):
    from uf_stubs import reflection_pb2, reflection_pb2_grpc
    with server.channel() as channel:
        stub = reflection_pb2_grpc.ServerReflectionStub(channel)
        replies = stub.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(list_services="")]),
                                            timeout=10)
        names = {s.name for reply in replies for s in reply.list_services_response.service}
    assert {"usageflow.v1.AdminService", "usageflow.v1.VendorService", "usageflow.v1.DistributorService",
            "usageflow.v1.ResellerService"} <= names
