# SPDX-License-Identifier: Apache-2.0
# UsageFlow — end-to-end: reconciliation files (SPEC §4). A distributor uploads an XLSX or CSV file
# of `record_id, external_billing_id, external_billing_note` rows for one accepted usage file; each
# row closes one record as CloseRecord would, or fails on its own with the status a CloseRecord of
# it would answer. The same file again changes nothing; an unreadable file or one without a required
# column applies nothing; another distributor finds nothing. Each test runs through Python grpcio
# and through `usageflow distributor reconcile`.

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest

import usage_fixtures as uf
import usageflow_support as support
from usage_fixtures import CallError, at, count, expect_call_error, row, write_fixture

OK, INVALID_ARGUMENT, NOT_FOUND, ALREADY_EXISTS, FAILED_PRECONDITION = 0, 3, 5, 6, 9
APPROVED, CLOSED = "USAGE_RECORD_STATUS_APPROVED", "USAGE_RECORD_STATUS_CLOSED"
STATUS = {name: f"RECONCILIATION_STATUS_{name.upper()}" for name in
          ("processing", "completed", "completed_with_errors", "invalid", "failed")}


def recon_pb():
    # Importing error_details registers google.rpc.BadRequest, which a row's status may carry.
    from uf_stubs import error_details_pb2, reconciliation_pb2, requests_pb2, usage_pb2  # noqa: F401
    return reconciliation_pb2, requests_pb2, usage_pb2


# ---- Drivers -------------------------------------------------------------------------------------
#
# `reconcile` answers (reconciliation, failed rows) as proto3 JSON dicts through either path.

def reconcile(driver, key: str, file_id: str, path: Path, *, fmt: str | None = None) -> tuple[dict, list[dict]]:
    fmt = fmt or path.suffix.lstrip(".")
    if isinstance(driver, uf.CliDriver):
        result = support.run_cli(["distributor", "reconcile", "--file", str(path), "--usage-file", file_id,
                                  "--format", fmt, "--json"], key=key, server=driver.server, timeout=180)
        errors = [n for n, line in enumerate(result.stderr.splitlines()) if line.startswith("error: ")]
        if result.returncode == 1 and errors:
            code, _, message = result.stderr.splitlines()[errors[0]][len("error: "):].partition(": ")
            raise CallError(code, message)
        body = json.loads(result.stdout)
        expected = 0 if body["reconciliation"]["status"] == STATUS["completed"] else 1
        assert result.returncode == expected, f"exit {result.returncode}:\n{result.stderr}"
        return body["reconciliation"], body["failed_rows"]

    recon, _, usage = recon_pb()
    data = path.read_bytes()
    wire_format = getattr(usage, f"USAGE_FILE_FORMAT_{fmt.upper()}")

    def requests():
        yield recon.UploadReconciliationFileRequest(
            header=recon.UploadReconciliationFileHeader(file_id=file_id, format=wire_format))
        for offset in range(0, len(data), 7000):
            yield recon.UploadReconciliationFileRequest(chunk=data[offset:offset + 7000])

    api = driver.api
    try:
        reply = api.distributor.UploadReconciliationFile(requests(), metadata=api.auth(key), timeout=120)
    except Exception as error:  # grpc.RpcError
        raise CallError(error.code().name, error.details() or "") from None
    reconciliation = uf.GrpcDriver._dict(reply)
    return reconciliation, rows(driver, key, reply.id, failed_only=True) if reply.counts.failed else []


def rows(driver, key: str, reconciliation_id: str, *, failed_only: bool = False) -> list[dict]:
    """Every row of a reconciliation, page by page (small pages, so paging is exercised)."""
    out, token = [], ""
    while True:
        if isinstance(driver, uf.CliDriver):
            args = ["distributor", "reconciliation-rows", "list", "--reconciliation-id", reconciliation_id,
                    "--page-size", "2"]
            if failed_only:
                args += ["--failed-only", "true"]
            if token:
                args += ["--page-token", token]
            page = driver._json(key, args)
            out += page.get("rows", [])
            token = page.get("nextPageToken", "")
        else:
            recon, _, _ = recon_pb()
            page = driver._call(driver.api.distributor.ListReconciliationRows, recon.ListReconciliationRowsRequest(
                reconciliation_id=reconciliation_id, failed_only=failed_only, page_size=2, page_token=token), key)
            out += [uf.GrpcDriver._dict(r) for r in page.rows]
            token = page.next_page_token
        if not token:
            return out


def get_reconciliation(driver, key: str, reconciliation_id: str) -> dict:
    if isinstance(driver, uf.CliDriver):
        return driver._json(key, ["distributor", "reconciliations", "get", reconciliation_id])
    _, req, _ = recon_pb()
    return uf.GrpcDriver._dict(driver._call(driver.api.distributor.GetReconciliation,
                                            req.IdRequest(id=reconciliation_id), key))


def list_reconciliations(driver, key: str, file_id: str) -> list[dict]:
    if isinstance(driver, uf.CliDriver):
        return driver._json(key, ["distributor", "reconciliations", "list", "--file-id", file_id]).get(
            "reconciliations", [])
    recon, _, _ = recon_pb()
    page = driver._call(driver.api.distributor.ListReconciliations,
                        recon.ListReconciliationsRequest(file_id=file_id), key)
    return [uf.GrpcDriver._dict(r) for r in page.reconciliations]


# ---- Files ---------------------------------------------------------------------------------------

HEADER = ["record_id", "external_billing_id", "external_billing_note"]


def write_recon(directory: Path, fmt: str, lines: list[tuple], *, header: list[str] = HEADER) -> Path:
    """A reconciliation file as a billing system writes one: openpyxl for XLSX (a decoy sheet first,
    the rows on `records`, an extra column), the csv module for CSV."""
    path = directory / f"{uf.unique('recon')}.{fmt}"
    if fmt == "xlsx":
        book = openpyxl.Workbook()
        book.active.title = "summary"
        book.active["A1"] = "exported by the billing system"
        sheet = book.create_sheet("records")
        sheet.append([*header, "amount_billed"])
        for values in lines:
            sheet.append([*values, 12.5])
        book.save(path)
    else:
        import csv
        with open(path, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\r\n")
            writer.writerow(["invoice_date", *header])
            for values in lines:
                writer.writerow(["2026-12-31", *values])
    return path


@pytest.fixture(scope="module")
def world(api, server):
    _, common, _, _ = uf.pb()
    w = type("World", (), {})()
    w.vendor = uf.make_account(api, server, common.ROLE_VENDOR, "Recon File Vendor")
    w.distributor = uf.make_account(api, server, common.ROLE_DISTRIBUTOR, "Recon File Distributor")
    w.distributor2 = uf.make_account(api, server, common.ROLE_DISTRIBUTOR, "Other Recon Distributor")
    w.market = uf.Market(api, w.vendor, w.distributor, "US")
    w.qt, (w.integer_item, _) = uf.make_product(api, w.vendor, "Reconciled Storage")
    w.market.list_product(w.qt)
    w.sub = w.market.subscribe(w.qt)
    return w


def accepted_file(driver, w, tmp_path, size: int) -> tuple[dict, list[str]]:
    file = driver.create(w.vendor.key, w.qt, w.market.contract, name=uf.unique("recon-file"))
    prefix = uf.unique("rf")
    usage = [row(f"{prefix}-{n}", w.integer_item, w.sub, n, start=at(0, n % 20), end=at(0, n % 20 + 1))
             for n in range(1, size + 1)]
    uploaded = driver.upload(w.vendor.key, file["id"], write_fixture(tmp_path, "csv", usage))
    assert uploaded["status"] == uf.STATUS["ready"], uploaded
    driver.submit(w.vendor.key, file["id"])
    accepted = driver.accept(w.distributor.key, file["id"])
    assert accepted["status"] == uf.STATUS["accepted"] and count(accepted, "approved") == size, accepted
    return accepted, [r["record_id"] for r in usage]


def counts(reconciliation: dict) -> tuple[int, int, int, int]:
    c = reconciliation.get("counts", {})
    return tuple(int(c.get(name, "0")) for name in ("rows", "closed", "unchanged", "failed"))


def code(item: dict) -> int:
    return int(item.get("status", {}).get("code", 0))


def billing_ids(driver, w, file_id: str) -> dict[str, str]:
    return {r["recordId"]: r.get("externalBillingId", "") for r in
            driver.records(w.distributor.key, file_id, role="distributor")}


# ---- Tests ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_reconciliation_file_closes_the_rest_of_an_accepted_file_and_the_file_is_closed(
        driver, world, tmp_path, fmt):
    w = world
    file, ids = accepted_file(driver, w, tmp_path, 5)
    driver.close_record(w.distributor.key, file["id"], ids[0], "INV-100")

    path = write_recon(tmp_path, fmt, [(ids[0], "INV-100", ""), *[(i, f"INV-{n}", f"note {n}")
                                                                   for n, i in enumerate(ids[1:], start=101)]])
    reconciliation, failed = reconcile(driver, w.distributor.key, file["id"], path)
    assert reconciliation["status"] == STATUS["completed"], reconciliation
    assert counts(reconciliation) == (5, 4, 1, 0), reconciliation
    assert failed == []
    assert reconciliation["id"].startswith("RC-") and reconciliation["fileId"] == file["id"]
    assert reconciliation["distributorId"] == w.distributor.id
    assert reconciliation["format"] == f"USAGE_FILE_FORMAT_{fmt.upper()}"
    assert reconciliation.get("completedAt") and reconciliation.get("createdAt"), reconciliation

    closed = driver.get(w.distributor.key, file["id"], role="distributor")
    assert closed["status"] == uf.STATUS["closed"], closed
    assert (count(closed, "approved"), count(closed, "closed")) == (0, 5), closed
    assert billing_ids(driver, w, file["id"]) == {ids[0]: "INV-100", **{i: f"INV-{n}" for n, i in
                                                                         enumerate(ids[1:], start=101)}}
    records = {r["recordId"]: r for r in driver.records(w.vendor.key, file["id"])}
    assert records[ids[1]]["externalBillingNote"] == "note 101" and records[ids[1]]["status"] == CLOSED

    # Stored: every row with its outcome, in file order; the header is row 1.
    stored = rows(driver, w.distributor.key, reconciliation["id"])
    assert [int(r["position"]) for r in stored] == [2, 3, 4, 5, 6], stored
    assert [r["recordId"] for r in stored] == ids
    assert [code(r) for r in stored] == [OK] * 5
    assert [r["status"].get("message") for r in stored] == ["unchanged"] + ["closed"] * 4
    assert get_reconciliation(driver, w.distributor.key, reconciliation["id"]) == reconciliation
    assert [r["id"] for r in list_reconciliations(driver, w.distributor.key, file["id"])] == [reconciliation["id"]]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_failing_rows_fail_alone_and_the_rest_close(driver, world, tmp_path, fmt):
    w = world
    file, ids = accepted_file(driver, w, tmp_path, 5)
    other, other_ids = accepted_file(driver, w, tmp_path, 1)
    driver.close_record(w.distributor.key, file["id"], ids[1], "INV-FIRST")
    unknown = uf.unique("no-such-record")

    lines = [
        (ids[0], "INV-1", ""),              # row 2: closes
        (unknown, "INV-2", ""),             # row 3: NOT_FOUND
        (other_ids[0], "INV-3", ""),        # row 4: another file's record, NOT_FOUND
        (ids[1], "INV-OTHER", ""),          # row 5: closed before with INV-FIRST, ALREADY_EXISTS
        (ids[2], "INV-4", "x" * 201),       # row 6: a note over 200 characters, INVALID_ARGUMENT
        (ids[3], "INV-5", ""),              # row 7: closes
        (ids[3], "INV-6", ""),              # row 8: the same record again with another id, INVALID_ARGUMENT
        ("", "INV-7", ""),                  # row 9: no record id, INVALID_ARGUMENT
        (ids[4], "INV-8", "last"),          # row 10: closes
        (ids[0], "INV-1", ""),              # row 11: the same close again: unchanged
    ]
    reconciliation, failed = reconcile(driver, w.distributor.key, file["id"], write_recon(tmp_path, fmt, lines))
    assert reconciliation["status"] == STATUS["completed_with_errors"], reconciliation
    assert counts(reconciliation) == (10, 3, 1, 6), reconciliation
    assert [int(r["position"]) for r in failed] == [3, 4, 5, 6, 8, 9], failed
    assert [code(r) for r in failed] == [NOT_FOUND, NOT_FOUND, ALREADY_EXISTS, INVALID_ARGUMENT,
                                         INVALID_ARGUMENT, INVALID_ARGUMENT], failed
    assert unknown in failed[0]["status"]["message"]
    assert "INV-FIRST" in failed[2]["status"]["message"], failed[2]
    assert "external_billing_note" in failed[3]["status"]["message"], failed[3]
    assert "row 7" in failed[4]["status"]["message"] and "INV-5" in failed[4]["status"]["message"], failed[4]
    assert "record_id" in failed[5]["status"]["message"], failed[5]

    # The failures undid nothing; what failed stayed as it was; the file is closed once ids[2] is.
    assert billing_ids(driver, w, file["id"]) == {ids[0]: "INV-1", ids[1]: "INV-FIRST", ids[2]: "",
                                                  ids[3]: "INV-5", ids[4]: "INV-8"}
    partly = driver.get(w.distributor.key, file["id"], role="distributor")
    assert partly["status"] == uf.STATUS["accepted"], partly
    assert (count(partly, "approved"), count(partly, "closed")) == (1, 4), partly
    untouched = driver.get(w.distributor.key, other["id"], role="distributor")
    assert (untouched["status"], count(untouched, "closed")) == (uf.STATUS["accepted"], 0), untouched

    everything = rows(driver, w.distributor.key, reconciliation["id"])
    assert [int(r["position"]) for r in everything] == list(range(2, 12))
    assert [code(r) for r in everything] == [OK, NOT_FOUND, NOT_FOUND, ALREADY_EXISTS, INVALID_ARGUMENT, OK,
                                             INVALID_ARGUMENT, INVALID_ARGUMENT, OK, OK]

    # A second file for the last record closes the usage file.
    done, _ = reconcile(driver, w.distributor.key, file["id"], write_recon(tmp_path, fmt, [(ids[2], "INV-4", "")]))
    assert (done["status"], counts(done)) == (STATUS["completed"], (1, 1, 0, 0)), done
    assert driver.get(w.distributor.key, file["id"], role="distributor")["status"] == uf.STATUS["closed"]


def test_the_same_file_again_is_all_unchanged_and_changes_nothing(driver, world, tmp_path):
    w = world
    file, ids = accepted_file(driver, w, tmp_path, 4)
    path = write_recon(tmp_path, "xlsx", [(i, f"R-{n}", "again") for n, i in enumerate(ids)])
    first, _ = reconcile(driver, w.distributor.key, file["id"], path)
    assert (first["status"], counts(first)) == (STATUS["completed"], (4, 4, 0, 0)), first
    before = driver.records(w.distributor.key, file["id"], role="distributor")
    file_before = driver.get(w.distributor.key, file["id"], role="distributor")

    second, failed = reconcile(driver, w.distributor.key, file["id"], path)
    assert (second["status"], counts(second), failed) == (STATUS["completed"], (4, 0, 4, 0), []), second
    assert second["id"] != first["id"]
    assert driver.records(w.distributor.key, file["id"], role="distributor") == before, "a replay changed records"
    assert driver.get(w.distributor.key, file["id"], role="distributor") == file_before, "a replay changed the file"
    assert [r["id"] for r in list_reconciliations(driver, w.distributor.key, file["id"])] == [first["id"], second["id"]]


@pytest.mark.parametrize("case", ["missing_column", "garbage", "truncated_xlsx"])
def test_an_unreadable_file_is_invalid_and_applies_nothing(driver, world, tmp_path, case):
    w = world
    file, ids = accepted_file(driver, w, tmp_path, 3)
    if case == "missing_column":
        path = write_recon(tmp_path, "csv", [(i, "") for i in ids], header=["record_id", "billing"])
        fmt, detail = "csv", "external_billing_id"
    elif case == "garbage":
        path = tmp_path / "garbage.xlsx"
        path.write_bytes(b"PK\x03\x04" + bytes(range(256)) * 20)
        fmt, detail = "xlsx", "XLSX"
    else:
        # Every row but the last is fine; the archive is cut short, so nothing may apply.
        whole = write_recon(tmp_path, "xlsx", [(i, f"T-{n}", "") for n, i in enumerate(ids)])
        data = whole.read_bytes()
        path = tmp_path / "truncated.xlsx"
        path.write_bytes(data[: len(data) * 2 // 3])
        fmt, detail = "xlsx", "XLSX"

    reconciliation, failed = reconcile(driver, w.distributor.key, file["id"], path, fmt=fmt)
    assert reconciliation["status"] == STATUS["invalid"], reconciliation
    assert detail in reconciliation.get("errorDetail", ""), reconciliation
    assert counts(reconciliation) == (0, 0, 0, 0) and failed == []
    assert rows(driver, w.distributor.key, reconciliation["id"]) == []
    unchanged = driver.get(w.distributor.key, file["id"], role="distributor")
    assert (unchanged["status"], count(unchanged, "approved"), count(unchanged, "closed")) == \
        (uf.STATUS["accepted"], 3, 0), unchanged
    assert set(billing_ids(driver, w, file["id"]).values()) == {""}


def test_another_distributor_finds_nothing_and_the_vendor_may_not_reconcile(driver, world, tmp_path):
    w = world
    file, ids = accepted_file(driver, w, tmp_path, 2)
    path = write_recon(tmp_path, "csv", [(i, "X-1", "") for i in ids])

    error = expect_call_error("NOT_FOUND", reconcile, driver, w.distributor2.key, file["id"], path)
    assert file["id"] in error.message, error.message
    expect_call_error("PERMISSION_DENIED", reconcile, driver, w.vendor.key, file["id"], path)
    assert count(driver.get(w.distributor.key, file["id"], role="distributor"), "closed") == 0

    mine, _ = reconcile(driver, w.distributor.key, file["id"], path)
    expect_call_error("NOT_FOUND", get_reconciliation, driver, w.distributor2.key, mine["id"])
    expect_call_error("NOT_FOUND", rows, driver, w.distributor2.key, mine["id"])
    expect_call_error("NOT_FOUND", list_reconciliations, driver, w.distributor2.key, file["id"])


def test_a_file_not_accepted_is_refused_before_its_bytes(driver, world, tmp_path):
    w = world
    file = driver.create(w.vendor.key, w.qt, w.market.contract, name=uf.unique("pending"))
    usage = [row(uf.unique("p"), w.integer_item, w.sub, 1, start=at(0, 1), end=at(0, 2))]
    driver.upload(w.vendor.key, file["id"], write_fixture(tmp_path, "csv", usage))
    driver.submit(w.vendor.key, file["id"])
    path = write_recon(tmp_path, "csv", [(usage[0]["record_id"], "P-1", "")])
    error = expect_call_error("FAILED_PRECONDITION", reconcile, driver, w.distributor.key, file["id"], path)
    assert "pending" in error.message, error.message


# ---- Crash consistency ---------------------------------------------------------------------------

def test_sigkill_while_applying_leaves_a_failed_reconciliation_whose_rows_agree_with_the_records(pki, tmp_path):
    """`kill -9` while a large file is being applied, then a restart: the reconciliation is
    `failed` with the rows of the batches that committed, exactly those records are closed, the
    file's counts agree with its records, and uploading the file again finishes it."""
    import sqlite3
    import threading
    import time

    size = 60_000
    server = support.Server(tmp_path / "server", pki)
    server.init()
    server.start()
    channel = server.channel()
    try:
        api = support.Api(channel)
        _, common, _, _ = uf.pb()
        vendor = uf.make_account(api, server, common.ROLE_VENDOR, "Crash Vendor")
        distributor = uf.make_account(api, server, common.ROLE_DISTRIBUTOR, "Crash Distributor")
        market = uf.Market(api, vendor, distributor, "US")
        product, (item, _) = uf.make_product(api, vendor, "Crash Storage")
        market.list_product(product)
        sub = market.subscribe(product)
        driver = uf.GrpcDriver(api)
        file = driver.create(vendor.key, product, market.contract, name="crash")
        usage = [row(f"k-{n}", item, sub, n % 9, start=at(0, n % 20), end=at(0, n % 20 + 1)) for n in range(size)]
        assert driver.upload(vendor.key, file["id"], write_fixture(tmp_path, "csv", usage))["status"] == \
            uf.STATUS["ready"]
        driver.submit(vendor.key, file["id"])
        driver.accept(distributor.key, file["id"])
        path = write_recon(tmp_path, "csv", [(f"k-{n}", f"K-{n}", "") for n in range(size)])

        failure: list[BaseException] = []

        def upload():
            try:
                reconcile(driver, distributor.key, file["id"], path)
                failure.append(AssertionError("the upload finished before the kill"))
            except CallError:
                pass  # the connection died with the server
            except BaseException as error:  # noqa: BLE001
                failure.append(error)

        thread = threading.Thread(target=upload)
        thread.start()
        applying = None
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and applying is None:
            for r in list_reconciliations(driver, distributor.key, file["id"]):
                if r["status"] == STATUS["processing"] and counts(r)[0] >= 2000:
                    applying = r
            time.sleep(0.02)
        assert applying is not None, "the reconciliation was never seen applying"
        server.proc.kill()
        server.proc.wait()
        thread.join(timeout=30)
        assert not failure, failure
    finally:
        channel.close()

    server.start()
    channel = server.channel()
    try:
        driver = uf.GrpcDriver(support.Api(channel))
        after = get_reconciliation(driver, distributor.key, applying["id"])
        assert after["status"] == STATUS["failed"], after
        applied, closed, unchanged, failed = counts(after)
        assert applied >= counts(applying)[0] and applied % 1000 == 0 and applied < size, after
        assert (closed, unchanged, failed) == (applied, 0, 0), after
        assert f"after applying {applied} rows" in after["errorDetail"], after
        assert len(rows(driver, distributor.key, after["id"], failed_only=True)) == 0

        stored = driver.get(distributor.key, file["id"], role="distributor")
        assert stored["status"] == uf.STATUS["accepted"], stored
        assert (count(stored, "closed"), count(stored, "approved")) == (applied, size - applied), stored
        with sqlite3.connect(f"file:{server.db}?mode=ro", uri=True) as db:
            by_status = dict(db.execute(
                "SELECT r.status, count(*) FROM usage_records r JOIN usage_files f ON f.seq = r.file_seq "
                "WHERE f.id = ? GROUP BY r.status", (file["id"],)).fetchall())
            stored_rows = db.execute(
                "SELECT count(*) FROM reconciliation_rows WHERE reconciliation_seq = "
                "(SELECT seq FROM reconciliations WHERE id = ?)", (after["id"],)).fetchone()[0]
            assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert by_status == {"closed": applied, "approved": size - applied}, by_status
        assert stored_rows == applied

        again, failed_rows = reconcile(driver, distributor.key, file["id"], path)
        assert (again["status"], counts(again), failed_rows) == \
            (STATUS["completed"], (size, size - applied, applied, 0), []), again
        finished = driver.get(distributor.key, file["id"], role="distributor")
        assert (finished["status"], count(finished, "closed")) == (uf.STATUS["closed"], size), finished
    finally:
        channel.close()
        assert server.stop() == 0
