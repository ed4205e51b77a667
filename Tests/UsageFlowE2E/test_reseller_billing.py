# SPDX-License-Identifier: Apache-2.0
# UsageFlow — end-to-end: reseller billing marks (SPEC §4). A reseller marks approved or closed
# records of its own customers billed with its own billing ids, each mark answered on its own; a
# tier-1 reseller and its tier-2 reseller keep separate marks on one record; the same id again is a
# no-op, another id ALREADY_EXISTS; records of other resellers, direct customers, files still
# pending and other distributors are refused; the distributor's records never change; a new mark
# is an event for its reseller alone. Each test runs through Python grpcio and through
# `usageflow reseller records mark-billed`.

from __future__ import annotations

import csv
import json
from decimal import Decimal

import grpc
import pytest
from google.protobuf import json_format

import usage_fixtures as uf
import usageflow_support as support
from usage_fixtures import CallError, at, row, write_fixture

# google.rpc.Code values, as a RecordBillingResult's status carries them.
OK, INVALID_ARGUMENT, NOT_FOUND, ALREADY_EXISTS, FAILED_PRECONDITION = 0, 3, 5, 6, 9
APPROVED = "USAGE_RECORD_STATUS_APPROVED"


def export_pb():
    # A failed result's status may carry google.rpc.BadRequest; importing error_details registers it.
    from uf_stubs import error_details_pb2, export_pb2  # noqa: F401
    return export_pb2


@pytest.fixture(scope="module")
def world(api, server):
    _, common, req, _ = uf.pb()
    w = type("World", (), {})()
    w.vendor = uf.make_account(api, server, common.ROLE_VENDOR, "Billed Vendor")
    w.distributor = uf.make_account(api, server, common.ROLE_DISTRIBUTOR, "Billed Distributor")
    w.distributor2 = uf.make_account(api, server, common.ROLE_DISTRIBUTOR, "Other Billed Distributor")
    w.market = uf.Market(api, w.vendor, w.distributor, "US")
    w.market2 = uf.Market(api, w.vendor, w.distributor2, "EU")
    w.qt, (w.integer_item, w.decimal_item) = uf.make_product(api, w.vendor, "Billed Compute", tier_levels=2)
    w.market.list_product(w.qt)
    w.market2.list_product(w.qt)
    w.sub_t1 = w.market.subscribe(w.qt)
    w.sub_t2 = w.market.subscribe(w.qt, tier2=True)
    direct = api.call(api.distributor.CreateCustomer, req.CreateCustomerRequest(name="Direct"), w.distributor.key)
    w.sub_direct = api.call(api.distributor.CreateSubscription, req.CreateSubscriptionRequest(
        customer_id=direct.id, product_id=w.qt.id, marketplace_id=w.market.marketplace.id), w.distributor.key)
    w.sub_other = w.market2.subscribe(w.qt)
    w.files = uf.GrpcDriver(api)
    return w


def usage_file(w, tmp_path, rows, *, contract=None, distributor=None, accept=True) -> str:
    """A file of `rows`, uploaded, submitted and (unless `accept` is false) accepted."""
    files = w.files
    file = files.create(w.vendor.key, w.qt, contract or w.market.contract, name=uf.unique("billing"))
    uploaded = files.upload(w.vendor.key, file["id"], write_fixture(tmp_path, "csv", rows))
    assert uploaded["status"] == uf.STATUS["ready"], uploaded
    files.submit(w.vendor.key, file["id"])
    if accept:
        assert files.accept((distributor or w.distributor).key, file["id"])["status"] == uf.STATUS["accepted"]
    return file["id"]


def billable_file(w, tmp_path) -> tuple[str, dict[str, str]]:
    """An accepted file with a record on each of the tier-1, tier-2 and direct subscriptions."""
    prefix = uf.unique("rb")
    ids = {"t1": f"{prefix}-t1", "t2": f"{prefix}-t2", "direct": f"{prefix}-d"}
    rows = [
        row(ids["t1"], w.integer_item, w.sub_t1, 10, start=at(0, 8), end=at(0, 9)),
        row(ids["t2"], w.decimal_item, w.sub_t2, Decimal("1.25"), start=at(1, 8), end=at(1, 9)),
        row(ids["direct"], w.integer_item, w.sub_direct, 3, start=at(1, 8), end=at(1, 9)),
    ]
    return usage_file(w, tmp_path, rows), ids


def code(result: dict) -> int:
    # proto3 JSON leaves out a zero code, so OK has no `code` at all.
    return int(result.get("status", {}).get("code", 0))


class GrpcMarker:
    name = "grpc"

    def __init__(self, api):
        self.api = api

    def mark(self, key, marks: list[tuple[str, str, str, str]]) -> dict:
        """`marks`: (file id, record id, billing id, note) per record; the reply as proto3 JSON."""
        export = export_pb()
        request = export.MarkRecordsBilledRequest(records=[
            export.RecordBillingMark(file_id=f, record_id=r, external_billing_id=b, external_billing_note=n)
            for f, r, b, n in marks])
        try:
            return json_format.MessageToDict(self.api.call(self.api.reseller.MarkRecordsBilled, request, key))
        except grpc.RpcError as error:
            raise CallError(error.code().name, error.details() or "") from None


class CliMarker:
    """`usageflow reseller records mark-billed`: one mark with --record, several from a CSV file."""

    name = "cli"

    def __init__(self, server, work_dir):
        self.server = server
        self.dir = work_dir
        self.dir.mkdir(parents=True, exist_ok=True)

    def mark(self, key, marks: list[tuple[str, str, str, str]]) -> dict:
        if len(marks) == 1:
            f, r, b, n = marks[0]
            args = ["--record", f"{f}/{r}", "--billing-id", b, *(["--note", n] if n else [])]
        else:
            path = self.dir / f"{uf.unique('marks')}.csv"
            with open(path, "w", newline="", encoding="utf-8") as handle:
                writer = csv.writer(handle, lineterminator="\r\n")
                writer.writerow(["file_id", "record_id", "external_billing_id", "external_billing_note"])
                writer.writerows(marks)
            args = ["--in", str(path)]
        result = support.run_cli(["reseller", "records", "mark-billed", *args, "--json"], key=key, server=self.server)
        errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
        if errors:
            code_, _, message = errors[0][len("error: "):].partition(": ")
            raise CallError(code_, message)
        reply = json.loads(result.stdout)
        failed = any(code(r) != OK for r in reply.get("results", []))
        assert result.returncode == (1 if failed else 0), (result.returncode, result.stderr)
        return reply


@pytest.fixture(params=["grpc", "cli"])
def marker(request, api, server, tmp_path):
    return GrpcMarker(api) if request.param == "grpc" else CliMarker(server, tmp_path / "cli")


def distributor_view(w, file_id: str) -> list[dict]:
    return w.files.records(w.distributor.key, file_id, role="distributor")


def test_tier_1_and_tier_2_mark_one_record_each_with_their_own_id_and_the_distributor_sees_no_change(
        marker, world, tmp_path):
    w = world
    file_id, ids = billable_file(w, tmp_path)
    before = distributor_view(w, file_id)

    first = marker.mark(w.market.reseller_key, [(file_id, ids["t1"], "T1-100", "January"),
                                                (file_id, ids["t2"], "T1-101", "")])
    results = first["results"]
    assert [(r["fileId"], r["recordId"]) for r in results] == [(file_id, ids["t1"]), (file_id, ids["t2"])]
    assert [code(r) for r in results] == [OK, OK], results
    billing = results[0]["billing"]
    assert (billing["resellerId"], billing["externalBillingId"], billing["externalBillingNote"]) == (
        w.market.reseller.id, "T1-100", "January")
    assert billing.get("billedAt"), billing

    second = marker.mark(w.market.tier2_key, [(file_id, ids["t2"], "T2-200", "own invoice")])
    assert code(second["results"][0]) == OK, second
    assert second["results"][0]["billing"]["resellerId"] == w.market.tier2.id
    assert second["results"][0]["billing"]["externalBillingId"] == "T2-200"

    # The tier-1 reseller's mark on that record is still its own.
    again = marker.mark(w.market.reseller_key, [(file_id, ids["t2"], "T1-101", "")])
    assert again["results"][0]["billing"]["externalBillingId"] == "T1-101", again

    after = distributor_view(w, file_id)
    assert after == before, "marking changed the distributor's records"
    assert all(r["status"] == APPROVED and not r.get("externalBillingId") for r in after), after


def test_the_same_id_again_changes_nothing_and_another_id_is_already_exists_naming_the_first(marker, world, tmp_path):
    w = world
    file_id, ids = billable_file(w, tmp_path)
    first = marker.mark(w.market.reseller_key, [(file_id, ids["t1"], "INV-1", "first")])["results"][0]
    replay = marker.mark(w.market.reseller_key, [(file_id, ids["t1"], "INV-1", "a later note")])["results"][0]
    assert code(replay) == OK and replay["billing"] == first["billing"], (first, replay)

    conflict = marker.mark(w.market.reseller_key, [(file_id, ids["t1"], "INV-2", "")])["results"][0]
    assert code(conflict) == ALREADY_EXISTS, conflict
    assert conflict["status"]["message"] == (
        f"record {ids['t1']} of usage file {file_id} is already marked billed with external_billing_id INV-1")
    assert "billing" not in conflict


def test_records_that_are_not_the_resellers_are_not_found_alike_and_pending_ones_fail_on_their_state(
        marker, world, tmp_path):
    w = world
    file_id, ids = billable_file(w, tmp_path)
    prefix = uf.unique("pend")
    pending = usage_file(w, tmp_path, [row(f"{prefix}-1", w.integer_item, w.sub_t1, 1)], accept=False)
    other = usage_file(w, tmp_path, [row(f"{prefix}-2", w.integer_item, w.sub_other, 1)],
                       contract=w.market2.contract, distributor=w.distributor2)
    missing = "UF-2000-01-0000-0000"
    marks = [
        (file_id, ids["direct"], "X-1", ""),         # a direct customer's
        (file_id, ids["t1"], "X-2", ""),             # the tier-2 reseller does not sell it
        (file_id, "no-such-record", "X-3", ""),
        (missing, ids["t2"], "X-4", ""),
        (other, f"{prefix}-2", "X-5", ""),          # another distributor's file
        (pending, f"{prefix}-1", "X-6", ""),         # a tier-1 record, still pending
        (file_id, ids["t2"], "X-7", ""),
    ]
    results = marker.mark(w.market.tier2_key, marks)["results"]
    assert [r["recordId"] for r in results] == [m[1] for m in marks], "results follow the request's order"
    assert [code(r) for r in results] == [NOT_FOUND] * 5 + [NOT_FOUND, OK], results
    for (f, r, _, _), result in zip(marks, results[:6]):
        assert result["status"]["message"] == f"record {r} of usage file {f} not found", result

    # The tier-1 reseller sells the pending record, which is not approved yet.
    state = marker.mark(w.market.reseller_key, [(pending, f"{prefix}-1", "X-8", "")])["results"][0]
    assert code(state) == FAILED_PRECONDITION, state
    assert state["status"]["message"] == (
        f"record {prefix}-1 of usage file {pending} is valid; only approved or closed records can be marked billed")
    # Another distributor's reseller finds nothing of this distributor's.
    foreign = marker.mark(w.market2.reseller_key, [(file_id, ids["t1"], "X-9", "")])["results"][0]
    assert code(foreign) == NOT_FOUND, foreign


def test_closed_records_can_be_marked_and_a_mark_outlives_the_distributors_close(marker, world, tmp_path):
    w = world
    file_id, ids = billable_file(w, tmp_path)
    marked = marker.mark(w.market.reseller_key, [(file_id, ids["t2"], "R-1", "")])["results"][0]
    assert code(marked) == OK
    w.files.close_record(w.distributor.key, file_id, ids["t1"], "DIST-1")
    closed = marker.mark(w.market.reseller_key, [(file_id, ids["t1"], "R-2", "")])["results"][0]
    assert code(closed) == OK, closed
    w.files.close_record(w.distributor.key, file_id, ids["t2"], "DIST-2")
    replay = marker.mark(w.market.reseller_key, [(file_id, ids["t2"], "R-1", "")])["results"][0]
    assert replay["billing"] == marked["billing"], "the distributor's close changed the reseller's mark"
    records = {r["recordId"]: r for r in distributor_view(w, file_id)}
    assert records[ids["t1"]]["externalBillingId"] == "DIST-1" and records[ids["t2"]]["externalBillingId"] == "DIST-2"


def test_bad_billing_ids_and_notes_fail_their_own_mark_with_field_violations(marker, world, tmp_path):
    w = world
    file_id, ids = billable_file(w, tmp_path)
    results = marker.mark(w.market.reseller_key, [
        (file_id, ids["t1"], "B" * 256, ""),
        (file_id, ids["t1"], "GOOD", "n" * 201),
        (file_id, ids["t1"], "GOOD", "fine"),
    ])["results"]
    assert [code(r) for r in results] == [INVALID_ARGUMENT, INVALID_ARGUMENT, OK], results
    fields = [[v["field"] for d in r["status"]["details"] for v in d.get("fieldViolations", [])] for r in results[:2]]
    assert fields == [["records[0].external_billing_id"], ["records[1].external_billing_note"]], results


def test_the_call_needs_one_to_a_thousand_marks_and_a_full_reseller_key(api, world, tmp_path):
    w = world
    export = export_pb()
    empty = support.expect_error(grpc.StatusCode.INVALID_ARGUMENT, api.reseller.MarkRecordsBilled,
                                 export.MarkRecordsBilledRequest(), w.market.reseller_key, api)
    assert "records" in support.field_violations(empty)
    file_id, ids = billable_file(w, tmp_path)
    mark = export.RecordBillingMark(file_id=file_id, record_id=ids["t1"], external_billing_id="B")
    support.expect_error(grpc.StatusCode.INVALID_ARGUMENT, api.reseller.MarkRecordsBilled,
                         export.MarkRecordsBilledRequest(records=[mark] * 1001), w.market.reseller_key, api)
    replies = api.call(api.reseller.MarkRecordsBilled, export.MarkRecordsBilledRequest(records=[mark] * 1000),
                       w.market.reseller_key)
    assert len(replies.results) == 1000 and all(r.status.code == OK for r in replies.results)
    support.expect_error(grpc.StatusCode.PERMISSION_DENIED, api.reseller.MarkRecordsBilled,
                         export.MarkRecordsBilledRequest(records=[mark]), w.distributor.key, api)


def test_the_cli_prints_a_line_per_record_and_exits_1_when_any_mark_failed(server, world, tmp_path):
    w = world
    file_id, ids = billable_file(w, tmp_path)
    path = tmp_path / "marks.csv"
    path.write_text("record,external_billing_id,external_billing_note\r\n"
                    f"{file_id}/{ids['t1']},CLI-1,\"Jan, first\"\r\n"
                    f"{file_id}/{ids['direct']},CLI-2,\r\n", encoding="utf-8")
    result = support.run_cli(["reseller", "records", "mark-billed", "--in", str(path)], key=w.market.reseller_key,
                             server=server)
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"{file_id}/{ids['t1']}\tOK\tCLI-1 (Jan, first)", lines
    assert lines[1] == f"{file_id}/{ids['direct']}\tNOT_FOUND\trecord {ids['direct']} of usage file {file_id} not found"
    assert "1 marked billed, 1 not" in result.stderr

    one = support.run_cli(["reseller", "records", "mark-billed", "--record", f"{file_id}/{ids['t1']}",
                           "--billing-id", "CLI-1"], key=w.market.reseller_key, server=server)
    assert one.returncode == 0 and one.stdout == f"{file_id}/{ids['t1']}\tOK\tCLI-1 (Jan, first)\n", one
    usage = support.run_cli(["reseller", "records", "mark-billed", "--record", "no-slash", "--billing-id", "X"],
                            key=w.market.reseller_key, server=server)
    assert usage.returncode == 2 and "FILE_ID/RECORD_ID" in usage.stderr
    assert "usageflow reseller records mark-billed --record" in support.run_cli(
        ["reseller", "records", "mark-billed", "--help"]).stdout


def test_a_new_mark_is_an_event_for_its_reseller_alone_and_a_replay_adds_none(api, world, tmp_path):
    w = world
    from uf_stubs import events_pb2
    file_id, ids = billable_file(w, tmp_path)
    marker = GrpcMarker(api)
    marker.mark(w.market.tier2_key, [(file_id, ids["t2"], "EV-1", "")])
    marker.mark(w.market.tier2_key, [(file_id, ids["t2"], "EV-1", "replayed")])
    object_id = f"{file_id}/{ids['t2']}"

    def events(key):
        request = events_pb2.ListEventsRequest(object_types=["reseller_billing"], object_id=object_id, page_size=100)
        return list(api.call(api.reseller.ListEvents if key != w.distributor.key else api.distributor.ListEvents,
                             request, key).events)

    seen = events(w.market.tier2_key)
    # `from` is a Python keyword, so the field is read by name.
    assert [(e.object_type, e.object_id, getattr(e, "from"), e.to, e.reason, e.actor) for e in seen] == [
        ("reseller_billing", object_id, "", "billed", "external_billing_id EV-1", w.market.tier2.id)], seen
    assert events(w.market.reseller_key) == [], "the tier-1 reseller saw the tier-2 reseller's mark"
    assert events(w.distributor.key) == []
