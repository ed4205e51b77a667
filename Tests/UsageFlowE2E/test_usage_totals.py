# SPDX-License-Identifier: Apache-2.0
# UsageFlow — end-to-end: usage totals (SPEC §4). Consumed and accepted usage per subscription and
# item over a period, for the vendor (its products), the distributor (its marketplaces) and the
# resellers (their customers; tier 1 includes its tier 2), checked against sums worked out by hand;
# another distributor and another vendor see nothing of it and are answered NOT_FOUND for its ids;
# bad periods get exact statuses. Each test runs through Python grpcio and through
# `usageflow <role> usage-totals get`.

from __future__ import annotations

import json
from decimal import Decimal

import grpc
import pytest
from google.protobuf import json_format

import usage_fixtures as uf
import usageflow_support as support
from usage_fixtures import CallError, at, expect_call_error, row, write_fixture


@pytest.fixture(scope="module")
def world(api, server, tmp_path_factory):
    """Two distributors selling one vendor's product, usage files in every state, and the totals
    each party must see for the files' period, worked out by hand."""
    _, common, req, _ = uf.pb()
    w = type("World", (), {})()
    w.vendor = uf.make_account(api, server, common.ROLE_VENDOR, "Totalled Vendor")
    w.vendor2 = uf.make_account(api, server, common.ROLE_VENDOR, "Other Totalled Vendor")
    w.distributor = uf.make_account(api, server, common.ROLE_DISTRIBUTOR, "Totalled Distributor")
    w.distributor2 = uf.make_account(api, server, common.ROLE_DISTRIBUTOR, "Other Totalled Distributor")
    w.market = uf.Market(api, w.vendor, w.distributor, "US")
    w.market2 = uf.Market(api, w.vendor, w.distributor2, "EU")
    w.qt, (w.integer_item, w.decimal_item) = uf.make_product(api, w.vendor, "Totalled Storage", tier_levels=2)
    w.product2, _ = uf.make_product(api, w.vendor2, "Unrelated Product")
    w.market.list_product(w.qt)
    w.market2.list_product(w.qt)
    w.sub_t1 = w.market.subscribe(w.qt)
    w.sub_t2 = w.market.subscribe(w.qt, tier2=True)
    direct = api.call(api.distributor.CreateCustomer, req.CreateCustomerRequest(name="Direct"), w.distributor.key)
    w.sub_direct = api.call(api.distributor.CreateSubscription, req.CreateSubscriptionRequest(
        customer_id=direct.id, product_id=w.qt.id, marketplace_id=w.market.marketplace.id), w.distributor.key)
    w.sub_other = w.market2.subscribe(w.qt)

    files = uf.GrpcDriver(api)
    work = tmp_path_factory.mktemp("totals")

    def usage_file(rows, *, market=None, then=("submit", "accept")):
        market = market or w.market
        file = files.create(w.vendor.key, w.qt, market.contract, name=uf.unique("totals"))
        uploaded = files.upload(w.vendor.key, file["id"], write_fixture(work, "csv", rows))
        assert uploaded["status"] == uf.STATUS["ready"], uploaded
        if "submit" in then:
            files.submit(w.vendor.key, file["id"])
        if "accept" in then:
            files.accept(market.distributor.key, file["id"])
        if "reject" in then:
            files.reject(market.distributor.key, file["id"], "wrong")
        if "close" in then:
            files.close_file(market.distributor.key, file["id"], "CLOSED-1")
        return file["id"]

    p = uf.unique("tot")
    usage_file([
        row(f"{p}-a1", w.integer_item, w.sub_t1, 10),
        row(f"{p}-a2", w.decimal_item, w.sub_t1, Decimal("1.25"), start=at(1, 8), end=at(1, 9)),
        row(f"{p}-a3", w.decimal_item, w.sub_t2, Decimal("0.75"), start=at(2, 23, 0), end=at(2, 23, 59)),
        row(f"{p}-a4", w.integer_item, w.sub_direct, 7),
    ])
    usage_file([row(f"{p}-c1", w.decimal_item, w.sub_t2, Decimal("0.05"))], then=("submit", "accept", "close"))
    usage_file([
        row(f"{p}-b1", w.decimal_item, w.sub_t1, Decimal("2.50")),
        row(f"{p}-b2", w.integer_item, w.sub_t2, 3),
    ], then=("submit",))
    usage_file([row(f"{p}-r1", w.integer_item, w.sub_t1, 100)], then=("submit", "reject"))
    usage_file([row(f"{p}-d1", w.integer_item, w.sub_t1, 1000)], then=())
    usage_file([row(f"{p}-e1", w.integer_item, w.sub_other, 5)], market=w.market2)

    # (subscription, item) → (consumed, accepted, consumed records, accepted records).
    t1, t2, direct_, other = w.sub_t1.id, w.sub_t2.id, w.sub_direct.id, w.sub_other.id
    integer, decimal = w.integer_item.id, w.decimal_item.id
    w.totals = {
        (t1, integer): ("10", "10", 1, 1),
        (t1, decimal): ("3.75", "1.25", 2, 1),
        (t2, decimal): ("0.80", "0.80", 2, 2),
        (t2, integer): ("3", "0", 1, 0),
        (direct_, integer): ("7", "7", 1, 1),
        (other, integer): ("5", "5", 1, 1),
    }
    return w


def expected(w, subscriptions) -> list[tuple]:
    return sorted((s, i, *v) for (s, i), v in w.totals.items() if s in subscriptions)


def as_rows(totals: list[dict]) -> list[tuple]:
    """The reply's totals as (subscription, item, consumed, accepted, counts), in reply order."""
    return [(t["subscriptionId"], t["itemId"], t["consumedQuantity"], t["acceptedQuantity"],
             int(t.get("consumedRecords", 0)), int(t.get("acceptedRecords", 0))) for t in totals]


class GrpcTotals:
    name = "grpc"

    def __init__(self, api):
        self.api = api

    def get(self, role: str, key: str, **fields) -> dict:
        from uf_stubs import error_details_pb2, totals_pb2  # noqa: F401
        request = totals_pb2.GetUsageTotalsRequest(**fields)
        try:
            return json_format.MessageToDict(self.api.call(getattr(self.api, role).GetUsageTotals, request, key))
        except grpc.RpcError as error:
            raise CallError(error.code().name, error.details() or "") from None


class CliTotals:
    name = "cli"

    def __init__(self, server):
        self.server = server

    def get(self, role: str, key: str, **fields) -> dict:
        args = [role, "usage-totals", "get"]
        for name, value in fields.items():
            args += [f"--{name.replace('_', '-')}", str(value)]
        result = support.run_cli([*args, "--json"], key=key, server=self.server)
        errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
        if result.returncode == 1 and errors:
            code, _, message = errors[0][len("error: "):].partition(": ")
            raise CallError(code, message)
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)


@pytest.fixture(params=["grpc", "cli"])
def totals(request, api, server):
    return GrpcTotals(api) if request.param == "grpc" else CliTotals(server)


def period() -> dict:
    return {"period_from": str(uf.PERIOD_FROM), "period_to": str(uf.PERIOD_TO)}


def test_each_party_sees_the_hand_worked_totals_of_what_it_may_see(totals, world):
    w = world
    everything = {w.sub_t1.id, w.sub_t2.id, w.sub_direct.id, w.sub_other.id}
    cases = [
        ("vendor", w.vendor.key, everything),
        ("distributor", w.distributor.key, everything - {w.sub_other.id}),
        ("distributor", w.distributor2.key, {w.sub_other.id}),
        ("reseller", w.market.reseller_key, {w.sub_t1.id, w.sub_t2.id}),
        ("reseller", w.market.tier2_key, {w.sub_t2.id}),
    ]
    for role, key, subscriptions in cases:
        reply = totals.get(role, key, **period())
        assert as_rows(reply.get("totals", [])) == expected(w, subscriptions), (role, reply)
        assert not reply.get("nextPageToken"), reply
        assert all(t["productId"] == w.qt.id for t in reply.get("totals", []))
        # QT records carry no amounts: the amount sums are an exact zero.
        assert all(Decimal(t["consumedAmount"]) == 0 == Decimal(t["acceptedAmount"]) for t in reply.get("totals", []))
    assert totals.get("vendor", w.vendor2.key, **period()).get("totals", []) == []
    assert totals.get("reseller", w.market2.tier2_key, **period()).get("totals", []) == []


def test_the_period_is_the_records_start_day_and_pages_follow_subscription_then_item(totals, world):
    w = world
    last_day = totals.get("distributor", w.distributor.key, period_from=str(uf.PERIOD_TO), period_to=str(uf.PERIOD_TO))
    assert as_rows(last_day.get("totals", [])) == [(w.sub_t2.id, w.decimal_item.id, "0.75", "0.75", 1, 1)], last_day
    after = uf.PERIOD_TO + uf.dt.timedelta(days=1)
    assert totals.get("vendor", w.vendor.key, period_from=str(after), period_to=str(after)).get("totals", []) == []

    seen, token, calls = [], "", 0
    while True:
        page = totals.get("vendor", w.vendor.key, page_size=2, **({"page_token": token} if token else {}), **period())
        seen += as_rows(page.get("totals", []))
        token, calls = page.get("nextPageToken", ""), calls + 1
        if not token or calls > 10:
            break
    assert seen == expected(w, {s for s, _ in w.totals}) and calls == 3, seen


def test_filters_narrow_and_ids_the_caller_cannot_see_are_not_found(totals, world):
    w = world
    by_customer = totals.get("vendor", w.vendor.key, customer_id=w.market.tier2_customer.id, **period())
    assert as_rows(by_customer["totals"]) == expected(w, {w.sub_t2.id})
    by_item = totals.get("reseller", w.market.reseller_key, item_id=w.decimal_item.id, **period())
    assert [t["itemId"] for t in by_item["totals"]] == [w.decimal_item.id] * 2
    by_marketplace = totals.get("vendor", w.vendor.key, marketplace_id=w.market2.marketplace.id, **period())
    assert as_rows(by_marketplace["totals"]) == expected(w, {w.sub_other.id})

    refusals = [
        ("distributor", w.distributor2.key, {"subscription_id": w.sub_t1.id}, f"subscription {w.sub_t1.id} not found"),
        ("distributor", w.distributor2.key, {"marketplace_id": w.market.marketplace.id},
         f"marketplace {w.market.marketplace.id} not found"),
        ("vendor", w.vendor2.key, {"product_id": w.qt.id}, f"product {w.qt.id} not found"),
        ("vendor", w.vendor.key, {"product_id": w.product2.id}, f"product {w.product2.id} not found"),
        ("vendor", w.vendor2.key, {"item_id": w.integer_item.id}, f"item {w.integer_item.id} not found"),
        ("reseller", w.market.tier2_key, {"subscription_id": w.sub_t1.id}, f"subscription {w.sub_t1.id} not found"),
        ("reseller", w.market.tier2_key, {"customer_id": w.market.customer.id}, f"customer {w.market.customer.id} not found"),
        ("reseller", w.market2.reseller_key, {"subscription_id": w.sub_t2.id}, f"subscription {w.sub_t2.id} not found"),
        ("vendor", w.vendor.key, {"subscription_id": "AS-0000-0000-0000"}, "subscription AS-0000-0000-0000 not found"),
    ]
    for role, key, fields, message in refusals:
        error = expect_call_error("NOT_FOUND", totals.get, role, key, **fields, **period())
        assert error.message.splitlines()[0] == message, (role, fields, error.message)


def test_bad_periods_are_invalid_argument_naming_the_fields(api, world):
    w = world
    from uf_stubs import totals_pb2
    cases = [
        ({}, {"period_from", "period_to"}),
        ({"period_from": "2026-01-01"}, {"period_to"}),
        ({"period_from": "2026-02-30", "period_to": "2026-03-01"}, {"period_from"}),
        ({"period_from": "2026/01/01", "period_to": "2026-01-31"}, {"period_from"}),
        ({"period_from": "2026-02-01", "period_to": "2026-01-31"}, {"period_to"}),
        ({"period_from": "2025-01-01", "period_to": "2026-01-02"}, {"period_to"}),
        ({"period_from": "2026-01-01", "period_to": "2026-01-31", "page_size": 1001}, {"page_size"}),
        ({"period_from": "2026-01-01", "period_to": "2026-01-31", "page_token": "bogus"}, {"page_token"}),
    ]
    for fields, violated in cases:
        for method, key in ((api.vendor.GetUsageTotals, w.vendor.key), (api.reseller.GetUsageTotals, w.market.reseller_key)):
            error = support.expect_error(grpc.StatusCode.INVALID_ARGUMENT, method,
                                         totals_pb2.GetUsageTotalsRequest(**fields), key, api)
            assert set(support.field_violations(error)) == violated, (fields, support.field_violations(error))
    leap = totals_pb2.GetUsageTotalsRequest(period_from="2024-01-01", period_to="2024-12-31")
    assert list(api.call(api.distributor.GetUsageTotals, leap, w.distributor.key).totals) == []
    support.expect_error(grpc.StatusCode.PERMISSION_DENIED, api.distributor.GetUsageTotals,
                         totals_pb2.GetUsageTotalsRequest(**period()), w.vendor.key, api)
