# SPDX-License-Identifier: Apache-2.0
# UsageFlow — end-to-end: export for billing (SPEC §4). The distributor exports its accepted records
# through grpcio and through `usageflow distributor records export` as CSV, XLSX (read back with
# openpyxl) and JSONL; an export cut off after a few batches resumes from its cursor with every
# record exactly once, also with the CLI's --resume; resellers see only their own tier's records and
# another distributor none; bad filters and cursors get exact statuses; a whole accepted file
# downloads as a spreadsheet; and a client reading a 200,000-record export slowly does not make the
# server's memory grow with the export.

from __future__ import annotations

import csv
import io
import json
import os
import time
from decimal import Decimal
from pathlib import Path

import grpc
import openpyxl
import pytest

import usage_fixtures as uf
import usageflow_support as support
from usage_fixtures import at, row, write_fixture

APPROVED, CLOSED = "USAGE_RECORD_STATUS_APPROVED", "USAGE_RECORD_STATUS_CLOSED"


def export_pb():
    from uf_stubs import export_pb2, reconciliation_pb2  # noqa: F401
    return export_pb2


@pytest.fixture(scope="module")
def world(api, server):
    _, common, _, _ = uf.pb()
    w = type("World", (), {})()
    w.vendor = uf.make_account(api, server, common.ROLE_VENDOR, "Exported Vendor")
    w.distributor = uf.make_account(api, server, common.ROLE_DISTRIBUTOR, "Exporting Distributor")
    w.distributor2 = uf.make_account(api, server, common.ROLE_DISTRIBUTOR, "Other Exporting Distributor")
    w.market = uf.Market(api, w.vendor, w.distributor, "Export US")
    w.market2 = uf.Market(api, w.vendor, w.distributor2, "Export EU")
    w.qt, (w.integer_item, w.decimal_item) = uf.make_product(api, w.vendor, "Exported Storage", tier_levels=2)
    w.market.list_product(w.qt)
    w.market2.list_product(w.qt)
    w.sub_tier1 = w.market.subscribe(w.qt, external_id=uf.unique("ext"), recon="recon-1")
    w.sub_tier2 = w.market.subscribe(w.qt, tier2=True)
    w.sub_other = w.market2.subscribe(w.qt)
    w.grpc = uf.GrpcDriver(api)
    return w


def accepted_file(w, tmp_path, size: int, *, prefix: str | None = None, accept: bool = True) -> tuple[dict, list[str]]:
    """A file of `size` valid records alternating the two subscriptions and items; accepted unless not."""
    prefix = prefix or uf.unique("ex")
    rows = [
        row(f"{prefix}-{n}", w.integer_item if n % 2 else w.decimal_item, w.sub_tier1 if n % 2 else w.sub_tier2,
            n if n % 2 else Decimal(f"{n}.25"), start=at(n % 3, 8), end=at(n % 3, 9))
        for n in range(1, size + 1)
    ]
    file = w.grpc.create(w.vendor.key, w.qt, w.market.contract, name=uf.unique("export"))
    uploaded = w.grpc.upload(w.vendor.key, file["id"], write_fixture(tmp_path, "csv", rows), chunk=256 * 1024)
    assert uploaded["status"] == uf.STATUS["ready"], uploaded
    w.grpc.submit(w.vendor.key, file["id"])
    if accept:
        file = w.grpc.accept(w.distributor.key, file["id"])
        assert file["status"] == uf.STATUS["accepted"], file
    return file, [r["record_id"] for r in rows]


def stream(api, key, *, batch_size=0, cursor="", role="distributor", limit=None, **filters):
    """The batches of an ExportRecords call; with `limit`, the call is cancelled after that many."""
    export = export_pb()
    statuses = filters.pop("statuses", [])
    request = export.ExportRecordsRequest(filter=export.RecordFilter(statuses=statuses, **filters),
                                          batch_size=batch_size, cursor=cursor)
    service = api.distributor if role == "distributor" else api.reseller
    call = service.ExportRecords(request, metadata=api.auth(key), timeout=600)
    batches = []
    for batch in call:
        batches.append(batch)
        if limit is not None and len(batches) >= limit:
            call.cancel()
            break
    return batches


def ids(batches) -> list[str]:
    return [r.record.record_id for b in batches for r in b.records]


def run_export(w, server, key, args: list[str], role="distributor"):
    return support.run_cli([role, "records", "export", *args], key=key, server=server, timeout=600)


def test_an_export_carries_everything_billing_needs_through_grpc(api, world, tmp_path):
    w = world
    file, record_ids = accepted_file(w, tmp_path, 4)
    batches = stream(api, w.distributor.key, file_id=file["id"])
    assert ids(batches) == record_ids
    assert all(b.cursor for b in batches)
    first, second = batches[0].records[0], batches[0].records[1]
    assert (first.record.file_id, first.record.status, first.record.quantity) == (file["id"], 3, "1")
    assert (first.vendor_id, first.distributor_id, first.product_id) == (w.vendor.id, w.distributor.id, w.qt.id)
    assert (first.marketplace_id, first.contract_id, first.currency) == (
        w.market.marketplace.id, w.market.contract.id, "USD")
    assert (first.period_from, first.period_to) == (str(uf.PERIOD_FROM), str(uf.PERIOD_TO))
    assert (first.item.id, first.item.mpn, first.item.name, first.item.unit) == (
        w.integer_item.id, w.integer_item.mpn, w.integer_item.name, "unit*h")
    assert first.item.local_id == w.integer_item.local_id
    assert (first.subscription.id, first.subscription.external_id) == (w.sub_tier1.id, w.sub_tier1.external_id)
    assert first.subscription.reconciliation_id == "recon-1"
    assert (first.customer.id, first.tier1.id, first.HasField("tier2")) == (
        w.market.customer.id, w.market.reseller.id, False)
    assert (second.record.quantity, second.tier1.id, second.tier2.id, second.customer.id) == (
        "2.25", w.market.reseller.id, w.market.tier2.id, w.market.tier2_customer.id)
    assert not first.HasField("reseller_billing")


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "jsonl"])
def test_the_cli_writes_csv_xlsx_and_jsonl_with_progress(api, world, server, tmp_path, fmt):
    w = world
    file, record_ids = accepted_file(w, tmp_path, 7)
    out = tmp_path / f"export.{fmt}"
    result = run_export(w, server, w.distributor.key, ["--format", fmt, "--out", str(out), "--file-id", file["id"],
                                                       "--batch-size", "3"])
    assert result.returncode == 0, result.stderr
    assert f"exported 7 records" in result.stderr and "records/s" in result.stderr, result.stderr
    assert not Path(str(out) + ".cursor").exists(), "a finished export left its cursor"
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(out.read_bytes().decode("utf-8"), newline="")))
        assert [r["record_id"] for r in rows] == record_ids
        assert rows[1]["quantity"] == "2.25" and rows[1]["item_precision"] == "decimal_2", rows[1]
        assert rows[0]["tier1_id"] == w.market.reseller.id and rows[0]["reconciliation_id"] == "recon-1"
        assert rows[1]["tier2_id"] == w.market.tier2.id and rows[0]["status"] == "approved"
    elif fmt == "xlsx":
        book = openpyxl.load_workbook(out, read_only=True)
        sheet = [list(r) for r in book["records"].iter_rows(values_only=True)]
        header = sheet[0]
        assert [r[header.index("record_id")] for r in sheet[1:]] == record_ids
        quantities = [r[header.index("quantity")] for r in sheet[1:3]]
        assert [Decimal(str(q)) for q in quantities] == [Decimal("1"), Decimal("2.25")]
        assert not Path(str(out) + ".rows").exists(), "the row spool was left behind"
    else:
        lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
        assert [line["record"]["recordId"] for line in lines] == record_ids
        assert lines[1]["item"]["precision"] == "PRECISION_DECIMAL_2", lines[1]["item"]
        assert lines[0]["subscription"]["reconciliationId"] == "recon-1"


def test_an_interrupted_export_resumes_from_its_cursor_with_every_record_once(api, world, tmp_path):
    w = world
    file, record_ids = accepted_file(w, tmp_path, 11)
    full = ids(stream(api, w.distributor.key, batch_size=2, file_id=file["id"]))
    assert full == record_ids

    partial = stream(api, w.distributor.key, batch_size=2, limit=2, file_id=file["id"])
    assert len(partial) == 2
    # Files accepted while the export is stopped come after it: also one uploaded before it.
    early, early_ids = accepted_file(w, tmp_path, 3, accept=False)
    w.grpc.accept(w.distributor.key, early["id"])
    rest = stream(api, w.distributor.key, batch_size=2, cursor=partial[-1].cursor, file_id=file["id"])
    assert ids(partial) + ids(rest) == record_ids

    everything = ids(stream(api, w.distributor.key, batch_size=5))
    assert len(everything) == len(set(everything)), "a record came twice"
    cut = stream(api, w.distributor.key, batch_size=5, limit=1)
    later, later_ids = accepted_file(w, tmp_path, 2)
    resumed = ids(cut) + ids(stream(api, w.distributor.key, batch_size=5, cursor=cut[-1].cursor))
    assert resumed == everything + later_ids
    assert set(early_ids) <= set(resumed)


def test_the_cli_resumes_an_interrupted_export_without_duplicates(api, world, server, tmp_path):
    w = world
    file, record_ids = accepted_file(w, tmp_path, 9)
    out = tmp_path / "resumed.csv"
    # The state a stopped export leaves: two batches written and recorded, part of a third written
    # but not recorded; --resume must drop the part and continue after the recorded cursor.
    first = run_export(w, server, w.distributor.key, ["--format", "csv", "--out", str(out), "--file-id", file["id"]])
    assert first.returncode == 0, first.stderr
    text = out.read_bytes().decode("utf-8")
    header = text.split("\r\n")[0] + "\r\n"
    partial = stream(api, w.distributor.key, batch_size=2, limit=2, file_id=file["id"])
    full_rows = text.split("\r\n")[1:]
    kept = header + "\r\n".join(full_rows[:4]) + "\r\n"
    out.write_bytes((kept + "half a row,").encode("utf-8"))
    Path(str(out) + ".cursor").write_text(f"{partial[-1].cursor}\n{len(kept.encode())}\n4\n")

    resumed = run_export(w, server, w.distributor.key,
                         ["--format", "csv", "--out", str(out), "--file-id", file["id"], "--resume"])
    assert resumed.returncode == 0, resumed.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_bytes().decode("utf-8"), newline="")))
    assert [r["record_id"] for r in rows] == record_ids
    again = run_export(w, server, w.distributor.key,
                       ["--format", "csv", "--out", str(out), "--file-id", file["id"], "--resume"])
    assert again.returncode == 2 and "no saved cursor" in again.stderr, again.stderr


def test_resellers_see_their_tier_and_another_distributor_nothing(api, world, server, tmp_path):
    w = world
    file, record_ids = accepted_file(w, tmp_path, 6)
    tier1 = ids(stream(api, w.market.reseller_key, role="reseller", file_id=file["id"]))
    tier2 = ids(stream(api, w.market.tier2_key, role="reseller", file_id=file["id"]))
    assert tier1 == record_ids, "a tier-1 reseller sees its own customers' and its tier-2's records"
    assert tier2 == [i for n, i in enumerate(record_ids, start=1) if n % 2 == 0]
    other = ids(stream(api, w.market2.reseller_key, role="reseller"))
    assert not set(other) & set(record_ids)
    assert not set(ids(stream(api, w.distributor2.key))) & set(record_ids)
    with pytest.raises(grpc.RpcError) as refused:
        stream(api, w.distributor2.key, file_id=file["id"])
    assert refused.value.code() == grpc.StatusCode.NOT_FOUND
    with pytest.raises(grpc.RpcError) as refused:
        stream(api, w.market.tier2_key, role="reseller", subscription_id=w.sub_tier1.id)
    assert refused.value.code() == grpc.StatusCode.NOT_FOUND

    out = tmp_path / "tier2.jsonl"
    result = run_export(w, server, w.market.tier2_key, ["--format", "jsonl", "--out", str(out)], role="reseller")
    assert result.returncode == 0, result.stderr
    seen = [json.loads(line)["record"]["recordId"] for line in out.read_text().splitlines()]
    assert set(tier2) <= set(seen) and not set(seen) & {i for n, i in enumerate(record_ids, 1) if n % 2}
    denied = run_export(w, server, w.distributor2.key, ["--format", "csv", "--out", str(tmp_path / "x.csv"),
                                                        "--file-id", file["id"]])
    assert denied.returncode == 1 and "NOT_FOUND" in denied.stderr, denied.stderr


def test_bad_filters_and_cursors_are_invalid_arguments(api, world, tmp_path):
    w = world
    file, _ = accepted_file(w, tmp_path, 3)
    cases = [
        dict(statuses=[1]),  # valid records are not exported
        dict(period_from="2026-13-01"),
        dict(period_from="2026-02-10", period_to="2026-02-01"),
    ]
    for filters in cases:
        with pytest.raises(grpc.RpcError) as refused:
            stream(api, w.distributor.key, **filters)
        assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT, filters
    fields = support.field_violations(refused.value)
    assert "filter.period_to" in fields, fields
    with pytest.raises(grpc.RpcError) as refused:
        stream(api, w.market.reseller_key, role="reseller", statuses=[4])  # rejected: distributors only
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    cursor = stream(api, w.distributor.key, batch_size=1, limit=1, file_id=file["id"])[0].cursor
    for key, role, filters in [(w.distributor.key, "distributor", {}),
                               (w.market.reseller_key, "reseller", {"file_id": file["id"]})]:
        with pytest.raises(grpc.RpcError) as refused:
            stream(api, key, role=role, cursor=cursor, **filters)
        assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert "cursor" in support.field_violations(refused.value)
    with pytest.raises(grpc.RpcError) as refused:
        stream(api, w.distributor.key, batch_size=5000)
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT


def test_a_whole_accepted_file_downloads_as_xlsx_and_csv(api, world, server, tmp_path):
    w = world
    file, record_ids = accepted_file(w, tmp_path, 3)
    out = tmp_path / "whole.xlsx"
    result = support.run_cli(["distributor", "usage-files", "export", file["id"], "--out", str(out)],
                             key=w.distributor.key, server=server)
    assert result.returncode == 0, result.stderr
    rows = uf.read_xlsx_rows(out.read_bytes())
    header = rows[0]
    assert header[:1] == ["record_id"] and header[-4:] == [
        "status", "external_billing_id", "external_billing_note", "closed_at"], header
    assert [r[0] for r in rows[1:]] == record_ids
    assert [r[header.index("item_mpn")] for r in rows[1:]] == [
        w.integer_item.mpn, w.decimal_item.mpn, w.integer_item.mpn]
    _, _, _, usage = uf.pb()
    export = export_pb()
    request = export.ExportUsageFileRequest(file_id=file["id"], format=usage.USAGE_FILE_FORMAT_CSV)
    data = b"".join(c.data for c in api.distributor.ExportUsageFile(request, metadata=api.auth(w.distributor.key),
                                                                    timeout=60))
    assert [r[0] for r in uf.read_csv_rows(data)[1:]] == record_ids
    pending, _ = accepted_file(w, tmp_path, 1, accept=False)
    with pytest.raises(grpc.RpcError) as refused:
        list(api.distributor.ExportUsageFile(export.ExportUsageFileRequest(file_id=pending["id"],
                                                                           format=usage.USAGE_FILE_FORMAT_CSV),
                                             metadata=api.auth(w.distributor.key), timeout=60))
    assert refused.value.code() == grpc.StatusCode.FAILED_PRECONDITION


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def test_a_slow_reader_of_a_200k_record_export_does_not_grow_the_servers_memory(api, world, server, tmp_path):
    w = world
    size = int(os.environ.get("USAGEFLOW_E2E_EXPORT_RECORDS", "200000"))
    file, _ = accepted_file(w, tmp_path, size, prefix=uf.unique("big"))
    pid = server.proc.pid
    baseline = rss_kib(pid)
    export = export_pb()
    request = export.ExportRecordsRequest(filter=export.RecordFilter(file_id=file["id"]), batch_size=1000)
    call = api.distributor.ExportRecords(request, metadata=api.auth(w.distributor.key), timeout=1800)
    received, payload, peak = 0, 0, baseline
    for n, batch in enumerate(call):
        received += len(batch.records)
        payload += batch.ByteSize()
        if n % 10 == 0:
            peak = max(peak, rss_kib(pid))
        # A slow reader: the server must wait on flow control, not buffer the export ahead.
        time.sleep(0.02)
    peak = max(peak, rss_kib(pid))
    assert received == size
    growth = (peak - baseline) * 1024
    assert payload > 40 * 1024 * 1024, f"the export was only {payload} bytes"
    assert growth < payload / 3, f"the server grew by {growth} bytes for a {payload}-byte export"
