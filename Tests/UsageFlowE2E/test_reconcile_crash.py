# SPDX-License-Identifier: Apache-2.0
# UsageFlow — end-to-end: crash consistency of record closes (issue 6). The server is killed with
# SIGKILL while closes are under way — during a Reconcile stream over mutual TLS, and during a run
# of bulk CloseRecords calls — then started again on the same database. After every restart:
# every close the server acknowledged is stored with its billing id; nothing is half-applied (each
# file's approved and closed counts equal its records', and it is closed exactly when no approved
# record is left; a CloseRecords call that was not answered applied all of its closes or none);
# SQLite's integrity check passes. The closes are then sent again from the first unacknowledged
# one, the same billing ids making a committed-but-unanswered close a replay, until all are done.
#
# Kill points come from a seeded random generator; the seed is printed and named by failures.
# Reproduce with USAGEFLOW_CRASH_SEED=<seed> Tests/UsageFlowE2E/run.sh -k reconcile_crash.

from __future__ import annotations

import concurrent.futures
import os
import random
import threading
import time

import grpc
import pytest

import reconcile_stream_support as rs
import usage_fixtures as uf
import usage_hostile_support as hs
import usageflow_support as support

KILLS = 4


@pytest.fixture
def crash_server(pki, tmp_path_factory):
    server = hs.LimitedServer(tmp_path_factory.mktemp("reconcile-crash") / "server", pki)
    server.init()
    server.start()
    yield server
    code = server.stop()
    assert code == 0, f"usageflow serve exited {code} on SIGTERM:\n" + "".join(server.output[-50:])


def seeded() -> tuple[int, random.Random]:
    seed = int(os.environ.get("USAGEFLOW_CRASH_SEED") or time.time_ns() % 1_000_000)
    print(f"crash consistency seed: {seed} (USAGEFLOW_CRASH_SEED={seed} reproduces the kill points)")
    return seed, random.Random(seed)


def setup(server, pki, counts: list[int], prefix: str):
    channel = server.channel()
    api = support.Api(channel)
    w = hs.make_world(api, server, prefix)
    rs.register_identity(api, w.distributor, pki["client"])
    files = rs.accepted_files(api, w, counts, uf.unique(prefix[:1].lower())[:8])
    channel.close()
    return w, files


def check_after_restart(server, file_ids: list[str], acknowledged: dict, context: str) -> dict:
    """Every acknowledged close is stored; the stored state agrees with itself. Returns what is
    stored."""
    stored = rs.billing_ids(server.db, file_ids)
    lost = [key for key, billing in acknowledged.items() if stored.get(key) != billing]
    assert lost == [], f"{context}: {len(lost)} acknowledged closes are not stored, e.g. {lost[:3]}"
    problems = rs.consistency_problems(server.db)
    assert problems == [], f"{context}: {problems}"
    return stored


def test_sigkill_during_a_reconcile_stream_keeps_every_acknowledged_close(crash_server, pki):
    server = crash_server
    seed, rng = seeded()
    w, files = setup(server, pki, [15_000] * 4, "Stream Crash")
    file_ids = [f for f, _ in files]
    closes = [(file_id, ids[n], f"INV-{ids[n]}") for n in range(15_000) for file_id, ids in files]
    acknowledged: dict[tuple[str, str], str] = {}
    lock = threading.Lock()
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)
    kills = 0
    try:
        for round_number in range(KILLS + 1):
            pending = [c for c in closes if (c[0], c[1]) not in acknowledged]
            if not pending:
                break
            killing = round_number < KILLS
            target = int(len(pending) * rng.uniform(0.05, 0.5)) if killing else None
            answered = threading.Event()
            count = [0]

            def on_response(response, count=count, target=target, answered=answered):
                assert response.status.code == rs.OK, f"seed {seed}: {response}"
                with lock:
                    acknowledged[(response.file_id, response.record_id)] = response.external_billing_id
                count[0] += 1
                if target is not None and count[0] >= target:
                    answered.set()

            channel = rs.mtls_channel(server, pki)
            requests = [rs.close(f, r, b) for f, r, b in pending]
            future = pool.submit(rs.reconcile, channel, requests, on_response=on_response)
            if killing:
                # Kill once the target is answered, or at a random moment if the stream is faster.
                answered.wait(timeout=120)
                server.kill()
                kills += 1
                with pytest.raises(grpc.RpcError):
                    future.result(timeout=60)
                with lock:
                    snapshot = dict(acknowledged)
                channel.close()
                server.start()
                stored = check_after_restart(server, file_ids, snapshot,
                                             f"seed {seed}, kill {kills} after {count[0]} answers")
                unanswered = sum(1 for f, r, _ in pending if stored.get((f, r)) and (f, r) not in snapshot)
                print(f"kill {kills}: {count[0]} of {len(pending)} closes answered, {unanswered} more committed "
                      "unanswered")
            else:
                responses = future.result(timeout=600)
                channel.close()
                assert len(responses) == len(pending)
    finally:
        pool.shutdown(wait=True)

    assert kills == KILLS
    stored = check_after_restart(server, file_ids, acknowledged, f"seed {seed}, at the end")
    assert all(stored[(f, r)] == b for f, r, b in closes), f"seed {seed}: not every record is closed"
    api = support.Api(server.channel())
    for file_id in file_ids:
        file = uf.GrpcDriver(api).get(w.distributor.key, file_id, role="distributor")
        assert file["status"] == uf.STATUS["closed"], f"seed {seed}: {file}"
        assert (uf.count(file, "approved"), uf.count(file, "closed")) == (0, 15_000), file
    api.channel.close()


def test_sigkill_during_bulk_closes_keeps_every_answered_call_and_applies_the_others_whole(crash_server, pki):
    server = crash_server
    seed, rng = seeded()
    w, files = setup(server, pki, [12_000] * 2, "Bulk Crash")
    file_ids = [f for f, _ in files]
    recon = rs.recon_pb()
    # Calls of 1,000 closes, alternating between the files.
    calls = []
    for start in range(0, 12_000, 1000):
        for file_id, ids in files:
            calls.append((file_id, [(r, f"BULK-{r}") for r in ids[start:start + 1000]]))
    answered_calls: set[int] = set()
    acknowledged: dict[tuple[str, str], str] = {}
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)
    kills = 0

    def run(api, indices, progress: threading.Event, target: int):
        done = 0
        for index in indices:
            file_id, closes = calls[index]
            request = recon.CloseRecordsRequest(file_id=file_id, records=[
                recon.RecordClose(record_id=r, external_billing_id=b) for r, b in closes])
            reply = api.distributor.CloseRecords(request, metadata=api.auth(w.distributor.key), timeout=120)
            assert all(result.status.code == rs.OK for result in reply.results), f"seed {seed}: {reply.results[:2]}"
            answered_calls.add(index)
            for r, b in closes:
                acknowledged[(file_id, r)] = b
            done += 1
            if done >= target:
                progress.set()

    try:
        for round_number in range(KILLS + 1):
            pending = [i for i in range(len(calls)) if i not in answered_calls]
            if not pending:
                break
            killing = round_number < KILLS
            channel = server.channel()
            api = support.Api(channel)
            progress = threading.Event()
            target = rng.randrange(1, max(2, len(pending) // 3)) if killing else len(pending) + 1
            future = pool.submit(run, api, pending, progress, target)
            if not killing:
                future.result(timeout=600)
                channel.close()
                break
            progress.wait(timeout=120)
            time.sleep(rng.uniform(0, 0.3))  # somewhere inside the next call
            server.kill()
            kills += 1
            try:
                future.result(timeout=60)
            except grpc.RpcError:
                pass  # the kill broke the call in flight
            else:
                # The last pending calls were answered within the pause before the kill: nothing
                # was in flight this round, and the server was killed at rest.
                assert all(i in answered_calls for i in pending), f"seed {seed}: the calls ended unanswered, unbroken"
                print(f"kill {kills}: every pending call was answered before the kill")
            channel.close()
            server.start()
            context = f"seed {seed}, kill {kills}"
            stored = check_after_restart(server, file_ids, dict(acknowledged), context)
            # An unanswered call committed all of its closes or none of them.
            for index in pending:
                if index in answered_calls:
                    continue
                file_id, closes = calls[index]
                closed = sum(1 for r, b in closes if stored.get((file_id, r)) == b)
                assert closed in (0, len(closes)), f"{context}: call {index} half applied: {closed} of {len(closes)}"
                if closed:
                    print(f"kill {kills}: call {index} committed, unanswered")
    finally:
        pool.shutdown(wait=True)

    assert kills == KILLS
    stored = check_after_restart(server, file_ids, acknowledged, f"seed {seed}, at the end")
    assert all(stored[(f, r)] == b for f, closes in calls for r, b in closes)
