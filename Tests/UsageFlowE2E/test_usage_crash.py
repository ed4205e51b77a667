# SPDX-License-Identifier: Apache-2.0
# UsageFlow — end-to-end: crash consistency of usage uploads. Fifty uploads (record streams, CSV and
# XLSX files; valid, with invalid records, or unreadable as a whole; most replacing a record set the
# file already has) while the server is killed with SIGKILL at random points — as bytes arrive,
# while records are validated and written — and started again on the same database. After every
# restart and at the end, each file must be in a legal status with exactly the record set of one
# of its uploads (the one before the interrupted upload, or the interrupted one if it committed),
# its counts must match those records, and SQLite's integrity check must pass.
#
# The kill points come from a seeded random generator; the seed is printed and a failure names it.
# Reproduce a run with USAGEFLOW_CRASH_SEED=<seed> Tests/UsageFlowE2E/run.sh -k crash.

from __future__ import annotations

import collections
import concurrent.futures
import os
import random
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from decimal import Decimal

import pytest

import usage_fixtures as uf
import usage_hostile_support as hs
import usageflow_support as support
from usage_fixtures import at, count, row

UPLOADS = 50
FILES = 8
LEGAL_AFTER_RECOVERY = {"draft", "invalid", "ready"}


@dataclass(frozen=True)
class Outcome:
    """What one upload makes of a file: its status and the exact record ids, with how many of
    them are invalid."""
    status: str
    record_ids: tuple[str, ...]
    invalid: int
    source: str


@dataclass
class Tracked:
    id: str
    committed: Outcome
    uploads: list[str] = field(default_factory=list)


@dataclass
class Plan:
    index: int
    kind: str  # records | csv | xlsx
    variant: str  # valid | invalid_records | unreadable
    size: int
    prefix: str
    kill: str  # none | delay | processing
    delay: float

    def rows(self, w) -> list[dict]:
        rows = []
        for n in range(self.size):
            bad = self.variant == "invalid_records" and n % 7 == 3
            item = w.integer_item if n % 2 == 0 else w.decimal_item
            quantity = Decimal("1.5") if bad and item is w.integer_item else (
                Decimal("2.125") if bad else Decimal(n % 97) + (Decimal("0.25") if item is w.decimal_item else 0))
            rows.append(row(f"{self.prefix}-{n}", item, w.sub, quantity, start=at(0, 1 + n % 20),
                            end=at(0, 2 + n % 20), record_note=f"upload {self.index} row {n}"))
        return rows

    def outcome(self) -> Outcome:
        if self.variant == "unreadable":
            return Outcome("invalid", (), 0, f"upload {self.index} (unreadable)")
        ids = tuple(f"{self.prefix}-{n}" for n in range(self.size))
        invalid = sum(1 for n in range(self.size) if n % 7 == 3) if self.variant == "invalid_records" else 0
        return Outcome("invalid" if invalid else "ready", ids, invalid, f"upload {self.index}")


def make_plans(rng: random.Random) -> list[Plan]:
    plans = []
    for index in range(UPLOADS):
        kind = rng.choice(["records", "records", "csv", "xlsx"])
        variant = rng.choices(["valid", "invalid_records", "unreadable"], weights=[6, 3, 1])[0]
        if kind == "records" and variant == "unreadable":
            variant = "invalid_records"
        size = rng.choice([40, 300, 1200, 2500])
        kill = rng.choices(["none", "delay", "processing"], weights=[4, 3, 3])[0]
        if kill == "processing":
            # Processing a few dozen rows is over between two polls of the file's status; a kill
            # meant for that phase needs an upload whose processing lasts long enough to be seen.
            size = max(size, 2500)
        plans.append(Plan(index, kind, variant, size, uf.unique(f"c{index}"), kill, rng.random()))
    return plans


def write_upload(plan: Plan, w, directory) -> bytes | None:
    """The bytes of a CSV or XLSX upload (None for a record stream)."""
    rows = plan.rows(w)
    header = uf.header_for(rows)
    if plan.variant == "unreadable":
        header = [c for c in header if c != "quantity"]  # a required column missing: nothing is read
    if plan.kind == "csv":
        return uf.write_csv(directory / f"{plan.prefix}.csv", rows, header=header).read_bytes()
    if plan.kind == "xlsx":
        path = directory / f"{plan.prefix}.xlsx"
        if plan.size <= 300:
            return uf.write_xlsx(path, rows, header=header).read_bytes()  # openpyxl's own workbook
        return hs.write_workbook(path, hs.sheet_rows_xml(rows, header)).read_bytes()
    return None


def check_file(api, w, tracked: Tracked, candidates: list[Outcome], seed: int) -> Outcome:
    """The file's state is one of the candidates, whole, with matching counts; returns which."""
    driver = uf.GrpcDriver(api)
    file = driver.get(w.vendor.key, tracked.id)
    status = file["status"].removeprefix("USAGE_FILE_STATUS_").lower()
    context = f"seed {seed}, file {tracked.id}, uploads {tracked.uploads}"
    assert status in LEGAL_AFTER_RECOVERY, f"{context}: status {status} after recovery:\n{file}"
    records = driver.records(w.vendor.key, tracked.id)
    ids = tuple(r["recordId"] for r in records)
    invalid = sum(1 for r in records if r["status"] == "USAGE_RECORD_STATUS_INVALID")
    assert count(file, "uploaded") == len(records), f"{context}: counts {file.get('counts')} for {len(records)} records"
    assert count(file, "invalid") == invalid, f"{context}: counts {file.get('counts')}, {invalid} invalid records"
    assert count(file, "valid") == len(records) - invalid, f"{context}: counts {file.get('counts')}"
    positions = [int(r["position"]) for r in records]
    assert all(a < b for a, b in zip(positions, positions[1:])), f"{context}: positions out of order or repeated"
    for candidate in candidates:
        if (status, ids, invalid) == (candidate.status, candidate.record_ids, candidate.invalid):
            return candidate
    prefixes = sorted({i.rsplit("-", 1)[0] for i in ids})
    raise AssertionError(
        f"{context}: status {status} with {len(ids)} records ({invalid} invalid) from {prefixes} is none of "
        + "; ".join(f"{c.source}: {c.status}, {len(c.record_ids)} records, {c.invalid} invalid" for c in candidates))


def test_sigkill_during_fifty_uploads_leaves_every_file_whole(pki, tmp_path_factory):
    seed = int(os.environ.get("USAGEFLOW_CRASH_SEED") or time.time_ns() % 1_000_000)
    print(f"crash consistency seed: {seed} (USAGEFLOW_CRASH_SEED={seed} reproduces the plan)")
    rng = random.Random(seed)
    work = tmp_path_factory.mktemp("crash")
    server = hs.LimitedServer(work / "server", pki)
    server.init()
    server.start()
    channel = server.channel()
    api = support.Api(channel)
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)
    kills = 0
    kinds_of_kill: collections.Counter[str] = collections.Counter()
    resolved: collections.Counter[str] = collections.Counter()
    started = time.monotonic()
    try:
        w = hs.make_world(api, server, "Crash")
        files = [Tracked(hs.new_file(api, w)["id"], Outcome("draft", (), 0, "no upload")) for _ in range(FILES)]
        plans = make_plans(rng)
        durations = {"records": 0.5, "csv": 0.5, "xlsx": 0.5}
        for plan in plans:
            tracked = files[rng.randrange(FILES)]
            tracked.uploads.append(f"{plan.index}:{plan.kind}/{plan.variant}/{plan.size}/kill={plan.kill}")
            data = write_upload(plan, w, work)
            rows = plan.rows(w) if plan.kind == "records" else None

            def upload(api=api, plan=plan, data=data, rows=rows, file_id=tracked.id):
                if plan.kind == "records":
                    return hs.upload_records(api, w.vendor.key, file_id, rows, batch=200)
                return hs.upload_bytes(api, w.vendor.key, file_id, data, plan.kind, chunk=32 * 1024)

            begun = time.monotonic()
            future = pool.submit(upload)
            killed = False
            if plan.kill == "delay":
                killed = _kill_after(server, future, plan.delay * durations[plan.kind] * 1.2)
            elif plan.kill == "processing":
                killed = _kill_when_processing(server, future, api, w, tracked.id, plan.delay * 0.05)
            try:
                reply = future.result(timeout=180)
            except uf.CallError as error:
                assert killed, f"seed {seed}: upload {plan.index} failed without a kill: {error}"
                reply = None
            if killed:
                kills += 1
                kinds_of_kill[plan.kill] += 1
                channel.close()
                server.start()
                channel = server.channel()
                api = support.Api(channel)
                candidates = [tracked.committed, plan.outcome()] if reply is None else [plan.outcome()]
            else:
                durations[plan.kind] = 0.5 * durations[plan.kind] + 0.5 * (time.monotonic() - begun)
                candidates = [plan.outcome()]
                status = reply["status"].removeprefix("USAGE_FILE_STATUS_").lower()
                assert status == plan.outcome().status, f"seed {seed}: upload {plan.index} replied {reply}"
            previous = tracked.committed
            tracked.committed = check_file(api, w, tracked, candidates, seed)
            if killed and reply is None:
                resolved["previous set kept" if tracked.committed is previous else "new set committed"] += 1

        for tracked in files:
            check_file(api, w, tracked, [tracked.committed], seed)
        print(f"{UPLOADS} uploads, {kills} kills ({dict(kinds_of_kill)}; {dict(resolved)}), "
              f"{time.monotonic() - started:.1f} s, spool files left by kills: {len(server.spool_files())}")
        assert kills >= 10, f"seed {seed}: only {kills} of {UPLOADS} uploads were interrupted"
        assert kinds_of_kill["processing"] >= 3, f"seed {seed}: only {kinds_of_kill} kills while processing"
    finally:
        pool.shutdown(wait=True)
        channel.close()
        code = server.stop()
    assert code == 0, f"usageflow serve exited {code} on SIGTERM:\n" + "".join(server.output[-50:])

    with sqlite3.connect(server.db) as db:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        stuck = db.execute("SELECT id, status FROM usage_files WHERE status IN ('uploading', 'processing')").fetchall()
        assert stuck == [], f"seed {seed}: files left mid-upload: {stuck}"
        mismatched = db.execute("""
            SELECT f.id, f.count_uploaded, f.count_valid, f.count_invalid,
                   (SELECT count(*) FROM usage_records r WHERE r.file_seq = f.seq)
            FROM usage_files f
            WHERE f.count_uploaded != (SELECT count(*) FROM usage_records r WHERE r.file_seq = f.seq)
               OR f.count_valid + f.count_invalid != f.count_uploaded""").fetchall()
        assert mismatched == [], f"seed {seed}: counts that do not match the stored records: {mismatched}"
        orphans = db.execute(
            "SELECT count(*) FROM usage_records WHERE file_seq NOT IN (SELECT seq FROM usage_files)").fetchone()[0]
        assert orphans == 0, f"seed {seed}: {orphans} records of no file"


def _kill_after(server, future, delay: float) -> bool:
    """SIGKILL after `delay` seconds if the upload is still under way."""
    try:
        future.result(timeout=delay)
        return False
    except concurrent.futures.TimeoutError:
        server.kill()
        return True
    except uf.CallError:
        return False


def _kill_when_processing(server, future, api, w, file_id: str, extra: float) -> bool:
    """SIGKILL once the file is seen in `processing` (plus `extra` seconds), if the upload has
    not finished by then."""
    driver = uf.GrpcDriver(api)
    while not future.done():
        try:
            status = driver.get(w.vendor.key, file_id)["status"]
        except uf.CallError:
            status = ""
        if status == uf.STATUS["processing"]:
            time.sleep(extra)
            if future.done():
                return False
            server.kill()
            return True
        time.sleep(0.005)
    return False


def test_restart_removes_the_spool_of_an_upload_interrupted_by_a_crash(pki, tmp_path_factory):
    work = tmp_path_factory.mktemp("spool")
    server = hs.LimitedServer(work / "server", pki)
    server.init()
    server.start()
    channel = server.channel()
    try:
        api = support.Api(channel)
        w = hs.make_world(api, server, "Spool")
        file_id = hs.new_file(api, w)["id"]
        spooled = threading.Event()

        def pieces():
            # The first bytes, then a pause until the server has started spooling them.
            yield b"record_id,item_search_criteria,item_search_value,quantity\r\n" * 100
            spooled.wait(timeout=30)
            yield b"x,item.mpn,y,1\r\n"

        pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)
        future = pool.submit(hs.upload_bytes, api, w.vendor.key, file_id, pieces(), "csv")
        deadline = time.monotonic() + 20
        while not server.spool_files() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert server.spool_files(), "the upload never reached the spool"
        server.kill()
        spooled.set()
        with pytest.raises(uf.CallError):
            future.result(timeout=30)
        pool.shutdown()
        server.start()
        status = uf.GrpcDriver(api).get(w.vendor.key, file_id)["status"]
        assert status == uf.STATUS["draft"], status
        assert server.spool_files() == [], f"spool files after the restart: {server.spool_files()}"
    finally:
        channel.close()
        code = server.stop()
        assert code == 0
