# SPDX-License-Identifier: Apache-2.0
# UsageFlow — end-to-end: SPEC §6 scenarios 1–6, 9 and 11 for usage files, each through Python
# grpcio and through the `usageflow` CLI, with XLSX fixtures written by openpyxl (shared strings,
# Excel date cells, a `usage_records` sheet, parameter columns) and CSV fixtures.

from __future__ import annotations

import datetime as dt
import zipfile
from decimal import Decimal

import pytest

import usage_fixtures as uf
from usage_fixtures import CallError, at, codes, count, expect_call_error, row, write_fixture


@pytest.fixture(scope="module")
def world(api, server):
    _, common, _, _ = uf.pb()
    w = type("World", (), {})()
    w.vendor = uf.make_account(api, server, common.ROLE_VENDOR, "Usage Vendor")
    w.distributor = uf.make_account(api, server, common.ROLE_DISTRIBUTOR, "Usage Distributor")
    w.distributor2 = uf.make_account(api, server, common.ROLE_DISTRIBUTOR, "Other Distributor")
    w.market = uf.Market(api, w.vendor, w.distributor, "US")
    w.market2 = uf.Market(api, w.vendor, w.distributor2, "EU")

    # Scenario 1's product: QT, an integer item and a decimal(2) item, two subscriptions.
    w.qt, (w.integer_item, w.decimal_item) = uf.make_product(api, w.vendor, "Cloud Compute")
    w.market.list_product(w.qt)
    w.market2.list_product(w.qt)
    w.sub_a = w.market.subscribe(w.qt, external_id="qt-a")
    w.sub_b = w.market.subscribe(w.qt, external_id="qt-b", recon="tenant-b")
    w.foreign_sub = w.market2.subscribe(w.qt)  # the same product under the other distributor

    w.dynamic, (w.dynamic_item,) = uf.make_product(api, w.vendor, "Dynamic Storage", items=[("integer", "DYN")],
                                                   dynamic=True)
    w.market.list_product(w.dynamic)
    w.dynamic_sub = w.market.subscribe(w.dynamic)

    w.strict, (w.strict_item,) = uf.make_product(api, w.vendor, "Strict Period", items=[("decimal_4", "STR")])
    w.lenient, (w.lenient_item,) = uf.make_product(api, w.vendor, "Lenient Period", items=[("decimal_4", "LEN")],
                                                   late=True, future=True)
    for product in (w.strict, w.lenient):
        w.market.list_product(product)
    w.strict_sub = w.market.subscribe(w.strict)
    w.lenient_sub = w.market.subscribe(w.lenient)

    w.tr, (w.tr_item,) = uf.make_product(api, w.vendor, "Rated Backup", schema="TR", items=[("decimal_2", "TRB")],
                                         tier_levels=2)
    w.market.list_product(w.tr)
    w.tr_sub = w.market.subscribe(w.tr, tier2=True)
    return w


def new_file(driver, w, product, **options) -> dict:
    created = driver.create(w.vendor.key, product, w.market.contract, name=uf.unique("file"), **options)
    assert created["status"] == uf.STATUS["draft"] and created["id"].startswith("UF-"), created
    return created


def scenario1_rows(w, prefix: str) -> list[dict]:
    return [
        row(f"{prefix}-1", w.integer_item, w.sub_a, 3, start=at(0, 8), end=at(0, 9)),
        row(f"{prefix}-2", w.decimal_item, w.sub_a, Decimal("2.25"), start=at(1, 8), end=at(1, 20)),
        row(f"{prefix}-3", ("item.local_id", w.integer_item.local_id), ("asset.external_id", "qt-b"), 7,
            start=at(2, 0), end=at(2, 23, 59)),
    ]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_scenario_1_three_records_for_two_subscriptions_are_ready_then_pending(driver, world, tmp_path, fmt):
    w = world
    file = new_file(driver, w, w.qt)
    rows = scenario1_rows(w, uf.unique("s1"))
    path = write_fixture(tmp_path, fmt, rows)
    uploaded = driver.upload(w.vendor.key, file["id"], path)
    assert uploaded["status"] == uf.STATUS["ready"], uploaded
    assert (count(uploaded, "uploaded"), count(uploaded, "valid"), count(uploaded, "invalid")) == (3, 3, 0)
    assert uploaded["columns"][:4] == ["record_id", "item_search_criteria", "item_search_value", "quantity"]

    records = driver.records(w.vendor.key, file["id"])
    assert [r["recordId"] for r in records] == [r["record_id"] for r in rows]
    assert all(r["status"] == "USAGE_RECORD_STATUS_VALID" and not r.get("errors") for r in records)
    assert [r["itemId"] for r in records] == [w.integer_item.id, w.decimal_item.id, w.integer_item.id]
    assert [r["subscriptionId"] for r in records] == [w.sub_a.id, w.sub_a.id, w.sub_b.id]
    assert [r["quantity"] for r in records] == ["3", "2.25", "7"]
    # Excel date cells and text times land on the same instants.
    assert records[1]["startTime"] == at(1, 8).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert records[2]["endTime"] == at(2, 23, 59).strftime("%Y-%m-%dT%H:%M:%SZ")

    # The distributor sees nothing before submission.
    expect_call_error("NOT_FOUND", driver.get, w.distributor.key, file["id"], role="distributor")
    submitted = driver.submit(w.vendor.key, file["id"])
    assert submitted["status"] == uf.STATUS["pending"]
    history = submitted["history"]
    assert [h["to"] for h in history][0] == "draft" and [h["to"] for h in history][-2:] == ["ready", "pending"]
    assert history[-1]["from"] == "ready" and history[-1]["actor"] == w.vendor.id
    seen = driver.get(w.distributor.key, file["id"], role="distributor")
    assert seen["status"] == uf.STATUS["pending"] and count(seen, "valid") == 3
    assert file["id"] in [f["id"] for f in driver.list(w.distributor.key, role="distributor", status="pending")]
    assert len(driver.records(w.distributor.key, file["id"], role="distributor")) == 3
    expect_call_error("FAILED_PRECONDITION", driver.submit, w.vendor.key, file["id"])


def test_scenario_2_precision_errors_make_the_file_invalid_and_submit_is_refused(driver, world, tmp_path):
    w = world
    file = new_file(driver, w, w.qt)
    prefix = uf.unique("s2")
    rows = [
        row(f"{prefix}-1", w.integer_item, w.sub_a, Decimal("100.5")),
        row(f"{prefix}-2", w.decimal_item, w.sub_a, Decimal("3.257")),
        row(f"{prefix}-3", w.integer_item, w.sub_b, 4),
    ]
    uploaded = driver.upload(w.vendor.key, file["id"], write_fixture(tmp_path, "xlsx", rows))
    assert uploaded["status"] == uf.STATUS["invalid"], uploaded
    assert (count(uploaded, "valid"), count(uploaded, "invalid")) == (1, 2)

    invalid = driver.records(w.vendor.key, file["id"], status="invalid")
    assert [r["recordId"] for r in invalid] == [f"{prefix}-1", f"{prefix}-2"]
    for record, value in zip(invalid, ["100.5", "3.257"]):
        assert codes(record) == ["quantity.precision"], record
        error = record["errors"][0]
        assert error["column"] == "quantity" and "quantity" in error["message"] and value in error["message"]
    assert [r["recordId"] for r in driver.records(w.vendor.key, file["id"], status="valid")] == [f"{prefix}-3"]

    error = expect_call_error("FAILED_PRECONDITION", driver.submit, w.vendor.key, file["id"])
    assert "invalid" in error.message
    assert driver.get(w.vendor.key, file["id"])["status"] == uf.STATUS["invalid"]

    # The processed file: the upload with status and errors columns, readable by openpyxl.
    processed = uf.read_xlsx_rows(driver.processed(w.vendor.key, file["id"], "xlsx"))
    header = processed[0]
    assert header[-2:] == ("status", "errors") or list(header[-2:]) == ["status", "errors"], header
    assert list(header[:-2]) == uploaded["columns"]
    body = {r[0]: r for r in processed[1:]}
    assert set(body) == {f"{prefix}-1", f"{prefix}-2", f"{prefix}-3"}
    assert body[f"{prefix}-1"][-2] == "invalid" and "quantity.precision" in body[f"{prefix}-1"][-1]
    assert body[f"{prefix}-3"][-2] == "valid" and not body[f"{prefix}-3"][-1]
    csv_rows = uf.read_csv_rows(driver.processed(w.vendor.key, file["id"], "csv"))
    assert csv_rows[0][-2:] == ["status", "errors"] and len(csv_rows) == 4


def test_scenario_3_unknown_item_subscription_and_foreign_subscription_then_a_corrected_upload(
        driver, world, tmp_path):
    w = world
    file = new_file(driver, w, w.qt)
    prefix = uf.unique("s3")
    bad = [
        row(f"{prefix}-1", ("item.mpn", "NO-SUCH-MPN"), w.sub_a, 1),
        row(f"{prefix}-2", w.integer_item, ("asset.id", "AS-0000-0000-0000"), 1),
        row(f"{prefix}-3", w.integer_item, w.foreign_sub, 1),
    ]
    uploaded = driver.upload(w.vendor.key, file["id"], write_fixture(tmp_path, "csv", bad))
    assert uploaded["status"] == uf.STATUS["invalid"] and count(uploaded, "invalid") == 3, uploaded
    records = driver.records(w.vendor.key, file["id"])
    assert codes(records[0]) == ["item.not_found"]
    assert codes(records[1]) == ["subscription.not_found"]
    assert codes(records[2]) in (["subscription.other_contract"], ["subscription.not_found"]), records[2]
    assert "NO-SUCH-MPN" in records[0]["errors"][0]["message"]

    fixed_prefix = uf.unique("s3fixed")
    fixed = [row(f"{fixed_prefix}-1", w.integer_item, w.sub_a, 1), row(f"{fixed_prefix}-2", w.decimal_item, w.sub_b, 2)]
    again = driver.upload(w.vendor.key, file["id"], write_fixture(tmp_path, "xlsx", fixed, writer="xlsxwriter"))
    assert again["status"] == uf.STATUS["ready"] and count(again, "uploaded") == 2, again
    assert [r["recordId"] for r in driver.records(w.vendor.key, file["id"])] == [f"{fixed_prefix}-1",
                                                                                   f"{fixed_prefix}-2"]


def dynamic_row(record_id: str, mpn: str, subscription) -> dict:
    return row(record_id, ("item.mpn", mpn), subscription, 5, item_name=f"Dynamic {mpn}", item_mpn=mpn,
               item_unit="unit*h", item_precision="integer")


def test_scenario_4_dynamic_item_created_from_a_file_only_when_the_product_allows(driver, world, api, tmp_path):
    w = world
    _, _, req, _ = uf.pb()
    mpn = uf.unique("NEW")
    file = new_file(driver, w, w.dynamic)
    uploaded = driver.upload(w.vendor.key, file["id"],
                             write_fixture(tmp_path, "xlsx", [dynamic_row(uf.unique("s4"), mpn, w.dynamic_sub)]))
    assert uploaded["status"] == uf.STATUS["ready"], (uploaded, driver.records(w.vendor.key, file["id"]))
    items = api.call(api.vendor.ListItems, req.ListItemsRequest(product_id=w.dynamic.id), w.vendor.key).items
    created = [i for i in items if i.mpn == mpn]
    assert len(created) == 1 and created[0].dynamic
    assert driver.records(w.vendor.key, file["id"])[0]["itemId"] == created[0].id

    other_mpn = uf.unique("NEW")
    static = new_file(driver, w, w.qt)
    refused = driver.upload(w.vendor.key, static["id"],
                            write_fixture(tmp_path, "xlsx", [dynamic_row(uf.unique("s4"), other_mpn, w.sub_a)]))
    assert refused["status"] == uf.STATUS["invalid"]
    assert codes(driver.records(w.vendor.key, static["id"])[0]) == ["item.not_found"]
    items = api.call(api.vendor.ListItems, req.ListItemsRequest(product_id=w.qt.id), w.vendor.key).items
    assert other_mpn not in [i.mpn for i in items]


def period_rows(prefix: str, item, subscription) -> list[dict]:
    return [
        row(f"{prefix}-before", item, subscription, 1, start=at(-1, 10), end=at(-1, 11)),
        row(f"{prefix}-after", item, subscription, 1, start=at(3, 10), end=at(3, 11)),
        row(f"{prefix}-reversed", item, subscription, 1, start=at(1, 11), end=at(1, 10)),
        row(f"{prefix}-offset", item, subscription, 1, start=uf.text_time(at(1, 10), "+02:00"),
            end=uf.text_time(at(1, 11), "+00:00")),
        row(f"{prefix}-inside", item, subscription, Decimal("0.0001"),
            start=uf.text_time(at(0, 0)).replace(" ", "T") + "Z", end=at(2, 23, 59)),
    ]


def test_scenario_5_period_rules_late_future_reversed_and_non_utc_times(driver, world, tmp_path):
    w = world
    strict = new_file(driver, w, w.strict)
    uploaded = driver.upload(w.vendor.key, strict["id"],
                             write_fixture(tmp_path, "xlsx", period_rows(uf.unique("s5"), w.strict_item, w.strict_sub)))
    assert uploaded["status"] == uf.STATUS["invalid"]
    by_id = {r["recordId"].rsplit("-", 1)[1]: r for r in driver.records(w.vendor.key, strict["id"])}
    assert codes(by_id["before"]) == ["start_time_utc.before_period"]
    assert codes(by_id["after"]) == ["end_time_utc.after_period"]
    assert "end_time_utc.not_after_start" in codes(by_id["reversed"])
    assert codes(by_id["offset"]) == ["start_time_utc.not_utc"]
    assert "+02:00" in by_id["offset"]["errors"][0]["message"]
    assert by_id["inside"]["status"] == "USAGE_RECORD_STATUS_VALID", by_id["inside"]

    lenient = new_file(driver, w, w.lenient)
    uploaded = driver.upload(w.vendor.key, lenient["id"], write_fixture(
        tmp_path, "csv", period_rows(uf.unique("s5"), w.lenient_item, w.lenient_sub)))
    by_id = {r["recordId"].rsplit("-", 1)[1]: r for r in driver.records(w.vendor.key, lenient["id"])}
    assert by_id["before"]["status"] == "USAGE_RECORD_STATUS_VALID", by_id["before"]
    assert by_id["after"]["status"] == "USAGE_RECORD_STATUS_VALID", by_id["after"]
    assert "end_time_utc.not_after_start" in codes(by_id["reversed"])
    assert codes(by_id["offset"]) == ["start_time_utc.not_utc"]
    assert uploaded["status"] == uf.STATUS["invalid"] and count(uploaded, "invalid") == 2


def test_scenario_6_reject_reupload_resubmit_and_the_vendor_cannot_accept(driver, world, api, tmp_path):
    w = world
    file = new_file(driver, w, w.qt)
    first = scenario1_rows(w, uf.unique("s6"))
    assert driver.upload(w.vendor.key, file["id"], write_fixture(tmp_path, "xlsx", first))["status"] == uf.STATUS[
        "ready"]
    driver.submit(w.vendor.key, file["id"])

    # Only a distributor key may accept or reject; the vendor's own key is refused.
    _, _, _, usage = uf.pb()
    vendor_accept = uf.GrpcDriver(api)
    expect_call_error("PERMISSION_DENIED", vendor_accept.accept, w.vendor.key, file["id"], "mine")
    expect_call_error("INVALID_ARGUMENT", driver.reject, w.distributor.key, file["id"], "")
    expect_call_error("FAILED_PRECONDITION", driver.upload, w.vendor.key, file["id"],
                      write_fixture(tmp_path, "csv", first))

    rejected = driver.reject(w.distributor.key, file["id"], "Quantities for March are doubled")
    assert rejected["status"] == uf.STATUS["rejected"]
    assert rejected["rejectionNote"] == "Quantities for March are doubled"
    assert {r["status"] for r in driver.records(w.vendor.key, file["id"])} == {"USAGE_RECORD_STATUS_REJECTED"}
    expect_call_error("FAILED_PRECONDITION", driver.accept, w.distributor.key, file["id"])

    second = scenario1_rows(w, uf.unique("s6b"))
    again = driver.upload(w.vendor.key, file["id"], write_fixture(tmp_path, "xlsx", second, sheet="usage_records",
                                                                  writer="xlsxwriter"))
    assert again["status"] == uf.STATUS["ready"], again
    assert driver.submit(w.vendor.key, file["id"])["status"] == uf.STATUS["pending"]
    accepted = driver.accept(w.distributor.key, file["id"], "Looks right")
    assert accepted["status"] == uf.STATUS["accepted"] and count(accepted, "approved") == 3
    assert {r["status"] for r in driver.records(w.vendor.key, file["id"])} == {"USAGE_RECORD_STATUS_APPROVED"}
    expect_call_error("FAILED_PRECONDITION", driver.delete, w.vendor.key, file["id"])


def tr_rows(prefix: str, w, *, tiers=(0, 1, 2), amounts=("12.50", "10.00", "-1.25")) -> list[dict]:
    rows = []
    for tier, amount in zip(tiers, amounts):
        rows.append(row(f"{prefix}-t{tier}", w.tr_item, w.tr_sub, Decimal("4.5"), tier=tier,
                        amount=None if amount is None else Decimal(amount)))
    return rows


def test_scenario_9_tiers_rated_rows_need_a_known_tier_and_an_amount(driver, world, tmp_path):
    w = world
    file = new_file(driver, w, w.tr)
    uploaded = driver.upload(w.vendor.key, file["id"], write_fixture(tmp_path, "xlsx", tr_rows(uf.unique("s9"), w)))
    assert uploaded["status"] == uf.STATUS["ready"], (uploaded, driver.records(w.vendor.key, file["id"]))
    records = driver.records(w.vendor.key, file["id"])
    assert [(r.get("tier", 0), r["amount"]) for r in records] == [(0, "12.5"), (1, "10"), (2, "-1.25")] or \
        [(r.get("tier", 0), r["amount"]) for r in records] == [(0, "12.50"), (1, "10.00"), (2, "-1.25")]

    bad = new_file(driver, w, w.tr)
    prefix = uf.unique("s9bad")
    rows = tr_rows(prefix, w, tiers=(0, 3), amounts=("1", "1")) + tr_rows(prefix + "x", w, tiers=(1,), amounts=(None,))
    uploaded = driver.upload(w.vendor.key, bad["id"], write_fixture(tmp_path, "csv", rows))
    assert uploaded["status"] == uf.STATUS["invalid"] and count(uploaded, "invalid") == 2, uploaded
    records = driver.records(w.vendor.key, bad["id"])
    assert records[0]["status"] == "USAGE_RECORD_STATUS_VALID"
    assert codes(records[1]) == ["tier.invalid"]
    assert codes(records[2]) == ["amount.required"]


def test_scenario_11_external_id_idempotency_and_duplicate_record_ids_across_files(driver, world, tmp_path):
    w = world
    external = uf.unique("ext")
    first = driver.create(w.vendor.key, w.qt, w.market.contract, name="Monthly", external_id=external)
    repeat = driver.create(w.vendor.key, w.qt, w.market.contract, name="Monthly", external_id=external)
    assert repeat["id"] == first["id"]
    error = expect_call_error("ALREADY_EXISTS", driver.create, w.vendor.key, w.qt, w.market.contract,
                              name="Different", external_id=external)
    assert first["id"] in error.message

    prefix = uf.unique("s11")
    rows = [row(f"{prefix}-1", w.integer_item, w.sub_a, 1), row(f"{prefix}-2", w.integer_item, w.sub_b, 2)]
    assert driver.upload(w.vendor.key, first["id"], write_fixture(tmp_path, "xlsx", rows))["status"] == uf.STATUS[
        "ready"]

    second = new_file(driver, w, w.qt)
    rows2 = [row(f"{prefix}-2", w.integer_item, w.sub_a, 1), row(f"{prefix}-3", w.integer_item, w.sub_a, 1),
             row(f"{prefix}-3", w.integer_item, w.sub_b, 1)]
    uploaded = driver.upload(w.vendor.key, second["id"], write_fixture(tmp_path, "csv", rows2))
    assert uploaded["status"] == uf.STATUS["invalid"]
    records = driver.records(w.vendor.key, second["id"])
    assert codes(records[0]) == ["record_id.used_by_another_file"]
    assert first["id"] in records[0]["errors"][0]["message"]
    assert records[1]["status"] == "USAGE_RECORD_STATUS_VALID"
    assert codes(records[2]) == ["record_id.duplicate"]

    # Once the first file is deleted its record ids are free again.
    assert driver.delete(w.vendor.key, first["id"])["status"] == uf.STATUS["deleted"]
    rows3 = [row(f"{prefix}-2", w.integer_item, w.sub_a, 1)]
    assert driver.upload(w.vendor.key, second["id"], write_fixture(tmp_path, "xlsx", rows3))["status"] == uf.STATUS[
        "ready"]
    # And a deleted file's external id may be used again, for a new file.
    renewed = driver.create(w.vendor.key, w.qt, w.market.contract, name="Monthly", external_id=external)
    assert renewed["id"] != first["id"]


@pytest.mark.parametrize("writer", ["openpyxl", "xlsxwriter"])
def test_workbook_features_parameter_columns_categories_date_cells_and_string_storage(driver, world, tmp_path,
                                                                                      writer):
    w = world
    file = new_file(driver, w, w.qt)
    prefix = uf.unique("wb")
    rows = [
        row(f"{prefix}-1", w.integer_item, w.sub_a, 2, record_note="first", category_id="compute",
            region="eu-west", plan="gold"),
        row(f"{prefix}-2", w.decimal_item, ("asset.recon_id", "tenant-b"), Decimal("0.5"), category_id="storage",
            asset_recon_id="tenant-b", region="us-east", plan=""),
        row(f"{prefix}-3", w.decimal_item, ("parameter.tenant_id", "tenant-b"), Decimal("1.25"),
            start=uf.text_time(at(1, 9)), end=uf.text_time(at(1, 10)).replace(" ", "T") + "+00:00",
            region="ap-south", plan="silver"),
        row(f"{prefix}-4", w.integer_item, w.sub_a, 1, category_id="unknown-category"),
    ]
    categories = [("compute", "Compute", "CPU hours"), ("storage", "Storage", "")]
    path = uf.write_xlsx(tmp_path / "features.xlsx", rows, sheet="usage_records", categories=categories,
                         writer=writer)
    with zipfile.ZipFile(path) as archive:  # how the library stored the text: shared or inline strings
        shared = [n for n in archive.namelist() if n.lower() == "xl/sharedstrings.xml"]
        if writer == "xlsxwriter":
            assert shared and "eu-west" in archive.read(shared[0]).decode()
        else:
            assert not shared and any('t="inlineStr"' in archive.read(n).decode()
                                      for n in archive.namelist() if n.startswith("xl/worksheets/"))

    uploaded = driver.upload(w.vendor.key, file["id"], path)
    assert uploaded["status"] == uf.STATUS["invalid"] and count(uploaded, "invalid") == 1, uploaded
    assert uploaded["columns"][-2:] == ["region", "plan"]
    records = driver.records(w.vendor.key, file["id"])
    assert [r["status"] for r in records[:3]] == ["USAGE_RECORD_STATUS_VALID"] * 3, records
    assert [(p["name"], p.get("value", "")) for p in records[0]["parameters"]] == [("region", "eu-west"),
                                                                                   ("plan", "gold")]
    assert records[0]["note"] == "first" and records[0]["categoryId"] == "compute"
    assert records[1]["subscriptionId"] == w.sub_b.id and records[2]["subscriptionId"] == w.sub_b.id
    assert records[0]["startTime"] == at(0, 10).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert records[2]["endTime"] == at(1, 10).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert codes(records[3]) == ["category_id.not_found"] and "unknown-category" in records[3]["errors"][0]["message"]

    processed = uf.read_xlsx_rows(driver.processed(w.vendor.key, file["id"]))
    assert list(processed[0]) == uploaded["columns"] + ["status", "errors"]
    assert [r[0] for r in processed[1:]] == [r["record_id"] for r in rows]
    region = processed[0].index("region")
    assert [r[region] or None for r in processed[1:]] == ["eu-west", "us-east", "ap-south", None]
    assert [r[-2] for r in processed[1:]] == ["valid", "valid", "valid", "invalid"]


def test_template_downloads_open_in_openpyxl_and_as_csv(driver, world):
    w = world
    workbook = driver.template(w.vendor.key, w.qt.id, "xlsx")
    rows = uf.read_xlsx_rows(workbook)
    assert "record_id" in rows[0] and "quantity" in rows[0] and "asset_search_value" in rows[0]
    text = driver.template(w.vendor.key, w.qt.id, "csv")
    header = uf.read_csv_rows(text)[0]
    assert header[0] == "record_id" and "item_search_criteria" in header
