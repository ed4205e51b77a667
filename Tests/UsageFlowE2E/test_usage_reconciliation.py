# SPDX-License-Identifier: Apache-2.0
# UsageFlow — end-to-end: reconciliation (SPEC §4, scenarios 7 and 8). The distributor closes the
# approved records of an accepted file one by one, in bulk with a result per record, or as a whole
# file; replays with the same billing id succeed and change nothing, another id is ALREADY_EXISTS;
# only accepted files close, billing ids and notes are checked, the vendor may not close and another
# distributor finds nothing. Each test runs through Python
# grpcio and through the `usageflow` CLI.

from __future__ import annotations

from decimal import Decimal

import pytest

import usage_fixtures as uf
from usage_fixtures import at, count, expect_call_error, row, write_fixture

# google.rpc.Code values, as a RecordCloseResult's status carries them.
OK, INVALID_ARGUMENT, NOT_FOUND, ALREADY_EXISTS = 0, 3, 5, 6
APPROVED, CLOSED = "USAGE_RECORD_STATUS_APPROVED", "USAGE_RECORD_STATUS_CLOSED"


@pytest.fixture(scope="module")
def world(api, server):
    _, common, _, _ = uf.pb()
    w = type("World", (), {})()
    w.vendor = uf.make_account(api, server, common.ROLE_VENDOR, "Reconciled Vendor")
    w.distributor = uf.make_account(api, server, common.ROLE_DISTRIBUTOR, "Billing Distributor")
    w.distributor2 = uf.make_account(api, server, common.ROLE_DISTRIBUTOR, "Other Billing Distributor")
    w.market = uf.Market(api, w.vendor, w.distributor, "US")
    w.market2 = uf.Market(api, w.vendor, w.distributor2, "EU")
    w.qt, (w.integer_item, w.decimal_item) = uf.make_product(api, w.vendor, "Metered Compute")
    w.market.list_product(w.qt)
    w.market2.list_product(w.qt)
    w.sub_a = w.market.subscribe(w.qt)
    w.sub_b = w.market.subscribe(w.qt)
    return w


def accepted_file(driver, w, tmp_path, size: int) -> tuple[dict, list[str]]:
    """A file of `size` valid records, uploaded, submitted and accepted: every record approved."""
    file = driver.create(w.vendor.key, w.qt, w.market.contract, name=uf.unique("recon"))
    prefix = uf.unique("rc")
    rows = [
        row(f"{prefix}-{n}", w.integer_item if n % 2 else w.decimal_item, w.sub_a if n % 2 else w.sub_b,
            n * 10 if n % 2 else Decimal(f"{n}.25"), start=at(n % 3, 8), end=at(n % 3, 9))
        for n in range(1, size + 1)
    ]
    uploaded = driver.upload(w.vendor.key, file["id"], write_fixture(tmp_path, "csv", rows))
    assert uploaded["status"] == uf.STATUS["ready"] and count(uploaded, "valid") == size, uploaded
    assert driver.submit(w.vendor.key, file["id"])["status"] == uf.STATUS["pending"]
    accepted = driver.accept(w.distributor.key, file["id"], note="checked")
    assert accepted["status"] == uf.STATUS["accepted"], accepted
    assert (count(accepted, "approved"), count(accepted, "closed")) == (size, 0), accepted
    return accepted, [r["record_id"] for r in rows]


def code(result: dict) -> int:
    # proto3 JSON leaves out a zero code, so OK has no `code` at all.
    return int(result.get("status", {}).get("code", 0))


def by_record_id(records: list[dict]) -> dict[str, dict]:
    return {r["recordId"]: r for r in records}


def test_scenario_7_accept_close_one_record_then_bulk_close_the_rest_and_the_file_is_closed(driver, world, tmp_path):
    w = world
    file, ids = accepted_file(driver, w, tmp_path, 4)

    closed = driver.close_record(w.distributor.key, file["id"], ids[0], "INV-7001", "January invoice")
    assert (closed["recordId"], closed["fileId"], closed["status"]) == (ids[0], file["id"], CLOSED), closed
    assert (closed["externalBillingId"], closed["externalBillingNote"]) == ("INV-7001", "January invoice")
    assert closed.get("closedAt"), closed
    assert closed["quantity"] == "10", "closing changed what was reported"

    after_one = driver.get(w.distributor.key, file["id"], role="distributor")
    assert after_one["status"] == uf.STATUS["accepted"], after_one
    assert (count(after_one, "uploaded"), count(after_one, "approved"), count(after_one, "closed")) == (4, 3, 1)

    bulk = driver.close_records(w.distributor.key, file["id"], [(i, f"INV-7{n:03}", "") for n, i in
                                                               enumerate(ids[1:], start=2)])
    results = bulk["results"]
    assert [r["recordId"] for r in results] == ids[1:]
    assert [code(r) for r in results] == [OK, OK, OK], results
    assert [r["externalBillingId"] for r in results] == ["INV-7002", "INV-7003", "INV-7004"]
    assert all(r.get("closedAt") for r in results), results
    assert bulk["file"]["status"] == uf.STATUS["closed"], bulk["file"]
    assert (count(bulk["file"], "approved"), count(bulk["file"], "closed")) == (0, 4), bulk["file"]
    closing = bulk["file"]["history"][-1]
    assert (closing["from"], closing["to"], closing["actor"]) == ("accepted", "closed", w.distributor.id), closing

    # Both parties see the file closed and every record with its own billing id.
    seen = driver.get(w.vendor.key, file["id"])
    assert seen["status"] == uf.STATUS["closed"] and count(seen, "closed") == 4, seen
    for role, key in (("vendor", w.vendor.key), ("distributor", w.distributor.key)):
        records = driver.records(key, file["id"], role=role)
        assert [r["status"] for r in records] == [CLOSED] * 4, records
        assert [r["externalBillingId"] for r in records] == ["INV-7001", "INV-7002", "INV-7003", "INV-7004"]
    assert file["id"] in [f["id"] for f in driver.list(w.distributor.key, role="distributor", status="closed")]


def test_scenario_8_bulk_close_with_an_unknown_id_and_another_files_record_closes_the_rest(driver, world, tmp_path):
    w = world
    file, ids = accepted_file(driver, w, tmp_path, 3)
    other, other_ids = accepted_file(driver, w, tmp_path, 2)
    unknown = uf.unique("no-such-record")

    closes = [(ids[0], "INV-8001", "first"), (unknown, "INV-8999", ""), (ids[1], "INV-8002", ""),
              (other_ids[0], "INV-8998", ""), (ids[2], "INV-8003", "")]
    bulk = driver.close_records(w.distributor.key, file["id"], closes)
    results = bulk["results"]
    assert [r["recordId"] for r in results] == [c[0] for c in closes], "results follow the request's order"
    assert [code(r) for r in results] == [OK, NOT_FOUND, OK, NOT_FOUND, OK], results
    assert unknown in results[1]["status"].get("message", ""), results[1]
    assert other_ids[0] in results[3]["status"].get("message", ""), results[3]
    assert not results[1].get("externalBillingId") and not results[3].get("externalBillingId")
    assert [results[n]["externalBillingId"] for n in (0, 2, 4)] == ["INV-8001", "INV-8002", "INV-8003"]

    # The failures undo nothing: the rest are closed, and with them the file.
    assert bulk["file"]["status"] == uf.STATUS["closed"], bulk["file"]
    assert (count(bulk["file"], "approved"), count(bulk["file"], "closed")) == (0, 3), bulk["file"]
    records = by_record_id(driver.records(w.distributor.key, file["id"], role="distributor"))
    assert [records[i]["status"] for i in ids] == [CLOSED] * 3
    assert records[ids[0]]["externalBillingNote"] == "first"

    # The other file's record was not touched.
    untouched = driver.get(w.distributor.key, other["id"], role="distributor")
    assert untouched["status"] == uf.STATUS["accepted"], untouched
    assert (count(untouched, "approved"), count(untouched, "closed")) == (2, 0), untouched
    other_records = driver.records(w.distributor.key, other["id"], role="distributor")
    assert all(r["status"] == APPROVED and not r.get("externalBillingId") for r in other_records), other_records


def test_a_repeated_close_with_the_same_billing_id_is_a_no_op_and_another_id_already_exists(driver, world, tmp_path):
    w = world
    file, ids = accepted_file(driver, w, tmp_path, 3)

    first = driver.close_record(w.distributor.key, file["id"], ids[0], "B-1", "once")
    again = driver.close_record(w.distributor.key, file["id"], ids[0], "B-1", "once")
    assert again == first, "a replay changed the record"
    assert count(driver.get(w.distributor.key, file["id"], role="distributor"), "closed") == 1, \
        "a replay counted twice"
    error = expect_call_error("ALREADY_EXISTS", driver.close_record, w.distributor.key, file["id"], ids[0], "B-2")
    assert ids[0] in error.message and "B-1" in error.message, error.message

    # In bulk: the replay is OK with the first close's time, the other id fails alone, the new
    # record closes; a record named twice is closed by its first entry.
    bulk = driver.close_records(w.distributor.key, file["id"], [
        (ids[0], "B-1", "once"), (ids[1], "B-3", ""), (ids[1], "B-3", ""), (ids[0], "B-9", ""), (ids[1], "B-4", "")])
    results = bulk["results"]
    assert [code(r) for r in results] == [OK, OK, OK, ALREADY_EXISTS, ALREADY_EXISTS], results
    assert results[0]["closedAt"] == first["closedAt"], "a replay moved the close time"
    assert results[2]["closedAt"] == results[1]["closedAt"]
    assert bulk["file"]["status"] == uf.STATUS["accepted"], bulk["file"]
    assert (count(bulk["file"], "approved"), count(bulk["file"], "closed")) == (1, 2), bulk["file"]
    records = by_record_id(driver.records(w.distributor.key, file["id"], role="distributor"))
    assert [records[i].get("externalBillingId", "") for i in ids] == ["B-1", "B-3", ""]

    # Closing the last record closes the file; replaying the whole bulk afterwards keeps it closed.
    driver.close_record(w.distributor.key, file["id"], ids[2], "B-5")
    closes = [(ids[0], "B-1", "once"), (ids[1], "B-3", ""), (ids[2], "B-5", "")]
    replay = driver.close_records(w.distributor.key, file["id"], closes)
    assert [code(r) for r in replay["results"]] == [OK, OK, OK], replay["results"]
    assert replay["file"]["status"] == uf.STATUS["closed"], replay["file"]
    assert count(replay["file"], "closed") == 3


def test_closing_a_whole_file_uses_one_billing_id_and_earlier_closes_keep_theirs(driver, world, tmp_path):
    w = world
    file, ids = accepted_file(driver, w, tmp_path, 3)
    driver.close_record(w.distributor.key, file["id"], ids[1], "OWN-1")

    closed = driver.close_file(w.distributor.key, file["id"], "FILE-1", "whole file")
    assert closed["id"] == file["id"] and closed["status"] == uf.STATUS["closed"], closed
    assert (count(closed, "approved"), count(closed, "closed")) == (0, 3), closed
    assert closed["history"][-1]["actor"] == w.distributor.id
    records = by_record_id(driver.records(w.vendor.key, file["id"]))
    assert [records[i]["externalBillingId"] for i in ids] == ["FILE-1", "OWN-1", "FILE-1"]
    assert all(records[i]["status"] == CLOSED and records[i].get("closedAt") for i in ids), records

    assert driver.close_file(w.distributor.key, file["id"], "FILE-1", "whole file") == closed, \
        "a replay of the whole-file close changed the file"


def test_the_vendor_cannot_close_anything(driver, world, tmp_path):
    w = world
    file, ids = accepted_file(driver, w, tmp_path, 2)

    error = expect_call_error("PERMISSION_DENIED", driver.close_record, w.vendor.key, file["id"], ids[0], "V-1")
    assert "CloseRecord" in error.message, error.message
    expect_call_error("PERMISSION_DENIED", driver.close_records, w.vendor.key, file["id"], [(ids[0], "V-1", "")])
    expect_call_error("PERMISSION_DENIED", driver.close_file, w.vendor.key, file["id"], "V-1")

    unchanged = driver.get(w.distributor.key, file["id"], role="distributor")
    assert unchanged["status"] == uf.STATUS["accepted"], unchanged
    assert (count(unchanged, "approved"), count(unchanged, "closed")) == (2, 0), unchanged


def test_another_distributor_gets_not_found_for_every_close(driver, world, tmp_path):
    w = world
    file, ids = accepted_file(driver, w, tmp_path, 2)
    other = w.distributor2.key

    expect_call_error("NOT_FOUND", driver.close_record, other, file["id"], ids[0], "X-1")
    expect_call_error("NOT_FOUND", driver.close_records, other, file["id"], [(ids[0], "X-1", ""), (ids[1], "X-2", "")])
    expect_call_error("NOT_FOUND", driver.close_file, other, file["id"], "X-1")

    unchanged = driver.get(w.distributor.key, file["id"], role="distributor")
    assert unchanged["status"] == uf.STATUS["accepted"], unchanged
    assert (count(unchanged, "approved"), count(unchanged, "closed")) == (2, 0), unchanged
    records = driver.records(w.distributor.key, file["id"], role="distributor")
    assert all(r["status"] == APPROVED and not r.get("externalBillingId") for r in records), records


def test_closes_are_refused_before_acceptance_and_for_malformed_billing_ids(driver, world, tmp_path):
    w = world
    pending = driver.create(w.vendor.key, w.qt, w.market.contract, name=uf.unique("recon"))
    record_id = uf.unique("rc")
    rows = [row(record_id, w.integer_item, w.sub_a, 1)]
    assert driver.upload(w.vendor.key, pending["id"], write_fixture(tmp_path, "csv", rows))["status"] == uf.STATUS[
        "ready"]
    driver.submit(w.vendor.key, pending["id"])
    error = expect_call_error("FAILED_PRECONDITION", driver.close_record, w.distributor.key, pending["id"], record_id,
                              "P-1")
    assert "pending" in error.message, error.message
    expect_call_error("FAILED_PRECONDITION", driver.close_records, w.distributor.key, pending["id"],
                      [(record_id, "P-1", "")])
    expect_call_error("FAILED_PRECONDITION", driver.close_file, w.distributor.key, pending["id"], "P-1")

    file, ids = accepted_file(driver, w, tmp_path, 2)
    expect_call_error("INVALID_ARGUMENT", driver.close_record, w.distributor.key, file["id"], ids[0], "")
    expect_call_error("INVALID_ARGUMENT", driver.close_record, w.distributor.key, file["id"], ids[0], "B" * 256)
    expect_call_error("INVALID_ARGUMENT", driver.close_record, w.distributor.key, file["id"], ids[0], "B-1", "n" * 201)
    expect_call_error("INVALID_ARGUMENT", driver.close_file, w.distributor.key, file["id"], "")

    # In bulk a malformed close fails alone.
    bulk = driver.close_records(w.distributor.key, file["id"], [(ids[0], "", ""), (ids[1], "B-2", "")])
    assert [code(r) for r in bulk["results"]] == [INVALID_ARGUMENT, OK], bulk["results"]
    assert (count(bulk["file"], "approved"), count(bulk["file"], "closed")) == (1, 1), bulk["file"]
