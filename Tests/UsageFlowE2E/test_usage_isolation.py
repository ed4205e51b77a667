# SPDX-License-Identifier: Apache-2.0
# UsageFlow — end-to-end: SPEC §6 scenario 10, tenant isolation of usage files, through grpcio and
# through the CLI: a second vendor and a second distributor see nothing of the first pair's files,
# records or subscriptions, and every attempt answers NOT_FOUND; preview files never reach the
# distributor.

from __future__ import annotations

import pytest

import usage_fixtures as uf
from usage_fixtures import expect_call_error, row, write_fixture


@pytest.fixture(scope="module")
def pair(api, server, tmp_path_factory):
    """The first pair with a pending file, a ready file and a submitted preview file; the second pair
    with a channel of its own."""
    _, common, _, _ = uf.pb()
    w = type("Pair", (), {})()
    w.vendor = uf.make_account(api, server, common.ROLE_VENDOR, "First Vendor")
    w.distributor = uf.make_account(api, server, common.ROLE_DISTRIBUTOR, "First Distributor")
    w.vendor2 = uf.make_account(api, server, common.ROLE_VENDOR, "Second Vendor")
    w.distributor2 = uf.make_account(api, server, common.ROLE_DISTRIBUTOR, "Second Distributor")
    w.market = uf.Market(api, w.vendor, w.distributor, "First Market")
    w.market2 = uf.Market(api, w.vendor2, w.distributor2, "Second Market")
    w.product, (w.item, _) = uf.make_product(api, w.vendor, "First Product")
    w.market.list_product(w.product)
    w.sub = w.market.subscribe(w.product, external_id="first-sub")
    w.product2, _ = uf.make_product(api, w.vendor2, "Second Product")
    w.market2.list_product(w.product2)

    grpc_driver = uf.GrpcDriver(api)
    directory = tmp_path_factory.mktemp("isolation")
    w.files = {}
    for name, environment, submit in [("pending", "production", True), ("ready", "production", False),
                                      ("preview", "preview", True)]:
        file = grpc_driver.create(w.vendor.key, w.product, w.market.contract, name=name, environment=environment)
        rows = [row(uf.unique(name), w.item, w.sub, 1)]
        assert grpc_driver.upload(w.vendor.key, file["id"], write_fixture(directory, "xlsx", rows))["status"] == \
            uf.STATUS["ready"]
        if submit:
            grpc_driver.submit(w.vendor.key, file["id"])
        w.files[name] = file["id"]
    return w


def test_scenario_10_other_tenants_get_not_found_for_every_file_action(driver, pair, tmp_path):
    w = pair
    upload = write_fixture(tmp_path, "csv", [row(uf.unique("x"), w.item, w.sub, 1)])
    for file_id in w.files.values():
        for key in (w.vendor2.key,):
            for call, args in [
                (driver.get, (key, file_id)),
                (driver.records, (key, file_id)),
                (driver.submit, (key, file_id)),
                (driver.delete, (key, file_id)),
                (driver.upload, (key, file_id, upload)),
                (driver.processed, (key, file_id)),
            ]:
                error = expect_call_error("NOT_FOUND", call, *args)
                assert file_id in error.message
        for call, args in [
            (driver.get, (w.distributor2.key, file_id)),
            (driver.records, (w.distributor2.key, file_id)),
            (driver.accept, (w.distributor2.key, file_id)),
            (driver.reject, (w.distributor2.key, file_id, "not mine")),
        ]:
            kwargs = {"role": "distributor"} if call in (driver.get, driver.records) else {}
            expect_call_error("NOT_FOUND", call, *args, **kwargs)
    expect_call_error("NOT_FOUND", driver.template, w.vendor2.key, w.product.id)
    expect_call_error("NOT_FOUND", driver.create, w.vendor2.key, w.product, w.market.contract)
    expect_call_error("NOT_FOUND", driver.create, w.vendor.key, w.product, w.market2.contract)
    first_pair = set(w.files.values())
    assert not first_pair & {f["id"] for f in driver.list(w.vendor2.key)}
    assert driver.list(w.distributor2.key, role="distributor") == []
    # Their subscriptions and records are out of reach too: a file of the second vendor cannot
    # name the first pair's subscription.
    other = driver.create(w.vendor2.key, w.product2, w.market2.contract, name="Second")
    stolen = driver.upload(w.vendor2.key, other["id"], write_fixture(tmp_path, "csv", [
        row(uf.unique("steal"), ("item.mpn", "whatever"), ("asset.id", w.sub.id), 1)]))
    record = driver.records(w.vendor2.key, other["id"])[0]
    assert "subscription.not_found" in uf.codes(record), record
    assert stolen["status"] == uf.STATUS["invalid"]


def test_the_distributor_sees_production_files_from_pending_on_and_never_previews(driver, pair):
    w = pair
    listed = [f["id"] for f in driver.list(w.distributor.key, role="distributor")]
    assert listed == [w.files["pending"]]
    for hidden in (w.files["ready"], w.files["preview"]):
        expect_call_error("NOT_FOUND", driver.get, w.distributor.key, hidden, role="distributor")
        expect_call_error("NOT_FOUND", driver.accept, w.distributor.key, hidden)
    seen = driver.get(w.distributor.key, w.files["pending"], role="distributor")
    assert seen.get("note", "") == ""
    vendor_view = driver.get(w.vendor.key, w.files["preview"])
    assert vendor_view["status"] == uf.STATUS["pending"] and vendor_view["environment"] == "USAGE_ENVIRONMENT_PREVIEW"
