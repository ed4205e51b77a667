# SPDX-License-Identifier: Apache-2.0
# UsageFlow — end-to-end: ReconciliationService.Reconcile over mutual TLS with grpcio (issue 6). A
# distributor's billing system, authenticated by its client certificate, streams 100,000 closes
# across four accepted files: every close is answered once, in order, and the files close. The same
# stream replayed answers every close OK and unchanged and leaves the database byte for byte as it
# was. API keys are refused, a missing credential is UNAUTHENTICATED, and a close aimed at another
# distributor's file is NOT_FOUND on its own while the stream goes on.

from __future__ import annotations

import time

import grpc
import pytest

import reconcile_stream_support as rs
import usageflow_support as support
import usage_fixtures as uf
import usage_hostile_support as hs
from reconcile_stream_support import ALREADY_EXISTS, FAILED_PRECONDITION, INVALID_ARGUMENT, NOT_FOUND, OK

FILES = 4
PER_FILE = 25_000


@pytest.fixture(scope="module")
def world(api, server, pki):
    w = hs.make_world(api, server, "Stream")
    rs.register_identity(api, w.distributor, pki["client"])
    # Another distributor, listing the same vendor's product, with an accepted file of its own.
    _, common, _, _ = uf.pb()
    w.other = uf.make_account(api, server, common.ROLE_DISTRIBUTOR, "Stream Other Distributor")
    w.other_market = uf.Market(api, w.vendor, w.other, "Stream Elsewhere")
    w.other_market.list_product(w.product)
    w.other_sub = w.other_market.subscribe(w.product)
    driver = uf.GrpcDriver(api)
    other_file = driver.create(w.vendor.key, w.product, w.other_market.contract, name=uf.unique("other"))
    rows = [uf.row(f"other-{n}", w.integer_item, w.other_sub, n) for n in range(3)]
    assert hs.upload_records(api, w.vendor.key, other_file["id"], rows)["status"] == uf.STATUS["ready"]
    driver.submit(w.vendor.key, other_file["id"])
    driver.accept(w.other.key, other_file["id"])
    w.other_file = other_file["id"]
    return w


@pytest.fixture(scope="module")
def mtls(server, pki):
    channel = rs.mtls_channel(server, pki)
    yield channel
    channel.close()


def code(response) -> int:
    return response.status.code


def test_a_stream_of_100000_closes_closes_every_file_and_its_replay_changes_nothing(api, server, world, mtls):
    w = world
    files = rs.accepted_files(api, w, [PER_FILE] * FILES, uf.unique("s")[:8])
    # Round robin over the files, so every group of the stream spans all of them.
    requests = [rs.close(file_id, ids[n], f"INV-{index}-{n}", note="monthly")
                for n in range(PER_FILE) for index, (file_id, ids) in enumerate(files)]
    assert len(requests) == FILES * PER_FILE == FILES * PER_FILE

    started = time.monotonic()
    responses = rs.reconcile(mtls, requests)
    elapsed = time.monotonic() - started
    print(f"100,000 closes in {elapsed:.1f} s ({len(requests) / elapsed:,.0f} closes/s, debug build and "
          "a Python client)")
    assert len(responses) == len(requests), "one response per request"
    assert [(r.file_id, r.record_id) for r in responses] == [(q.file_id, q.record_id) for q in requests], \
        "responses in request order"
    failed = [r for r in responses if code(r) != OK]
    assert failed == [], f"{len(failed)} closes failed, first: {failed[:3]}"
    assert all(r.changed for r in responses)
    assert [r.external_billing_id for r in responses] == [q.external_billing_id for q in requests]
    assert all(r.closed_at.seconds > 0 for r in responses)

    driver = uf.GrpcDriver(api)
    for file_id, _ in files:
        file = driver.get(w.distributor.key, file_id, role="distributor")
        assert file["status"] == uf.STATUS["closed"], file
        assert (uf.count(file, "approved"), uf.count(file, "closed")) == (0, PER_FILE), file
        closing = file["history"][-1]
        assert (closing["from"], closing["to"], closing["actor"]) == ("accepted", "closed", w.distributor.id)
    stored = rs.billing_ids(server.db, [f for f, _ in files])
    assert all(stored[(q.file_id, q.record_id)] == q.external_billing_id for q in requests)
    assert rs.consistency_problems(server.db) == []

    before = rs.database_digest(server.db)
    replay = rs.reconcile(mtls, requests)
    assert len(replay) == len(requests)
    assert [(r.file_id, r.record_id) for r in replay] == [(q.file_id, q.record_id) for q in requests]
    assert all(code(r) == OK and not r.changed for r in replay), \
        f"not OK/unchanged: {[r for r in replay if code(r) != OK or r.changed][:3]}"
    assert [r.external_billing_id for r in replay] == [r.external_billing_id for r in responses]
    assert [(r.closed_at.seconds, r.closed_at.nanos) for r in replay] == \
        [(r.closed_at.seconds, r.closed_at.nanos) for r in responses], "a replay reports the first close's time"
    assert rs.database_digest(server.db) == before, "the replay changed usage_records or usage_files"


def test_refusals_are_per_close_and_the_stream_goes_on(api, server, world, mtls):
    w = world
    (file_id, ids), = rs.accepted_files(api, w, [4], uf.unique("r")[:8])
    driver = uf.GrpcDriver(api)
    pending = hs.new_file(api, w)["id"]
    assert hs.upload_records(api, w.vendor.key, pending, [uf.row("p-1", w.integer_item, w.sub, 1)])["status"] \
        == uf.STATUS["ready"]
    driver.submit(w.vendor.key, pending)
    missing = uf.unique("no-such-record")
    requests = [
        rs.close(file_id, ids[0], "INV-A"),
        rs.close(w.other_file, "other-0", "INV-THEIRS"),  # another distributor's file
        rs.close(file_id, ids[0], "INV-B"),  # closed with another id
        rs.close(file_id, missing, "INV-C"),
        rs.close(pending, "p-1", "INV-D"),  # not accepted
        rs.close(file_id, ids[1], ""),  # no billing id
        rs.close("UF-2026-01-0000-0000", ids[1], "INV-E"),  # no such file
        rs.close(file_id, ids[1], "INV-F"),
        rs.close(file_id, ids[0], "INV-A"),  # a replay
    ]
    responses = rs.reconcile(mtls, requests)
    assert [r.record_id for r in responses] == [q.record_id for q in requests]
    assert [code(r) for r in responses] == [OK, NOT_FOUND, ALREADY_EXISTS, NOT_FOUND, FAILED_PRECONDITION,
                                            INVALID_ARGUMENT, NOT_FOUND, OK, OK]
    assert w.other_file in responses[1].status.message and "not found" in responses[1].status.message
    assert responses[1].status.message.replace(w.other_file, "X") == \
        responses[6].status.message.replace("UF-2026-01-0000-0000", "X"), \
        "another distributor's file is refused exactly like a missing one"
    assert "INV-A" in responses[2].status.message
    assert missing in responses[3].status.message
    assert "pending" in responses[4].status.message
    assert "external_billing_id" in responses[5].status.message
    assert [responses[0].changed, responses[7].changed, responses[8].changed] == [True, True, False]

    # The other distributor's record is untouched; this file has two of four records closed.
    theirs = driver.records(w.other.key, w.other_file, role="distributor")
    assert all(r["status"] == "USAGE_RECORD_STATUS_APPROVED" for r in theirs), theirs
    file = driver.get(w.distributor.key, file_id, role="distributor")
    assert (file["status"], uf.count(file, "approved"), uf.count(file, "closed")) == \
        (uf.STATUS["accepted"], 2, 2), file
    assert rs.consistency_problems(server.db) == []


def test_api_keys_are_refused_and_no_credential_is_unauthenticated(api, server, world):
    w = world
    (file_id, ids), = rs.accepted_files(api, w, [1], uf.unique("k")[:8])
    channel = server.channel()  # TLS without a client certificate
    try:
        for key, expected in ((w.distributor.key, grpc.StatusCode.PERMISSION_DENIED),
                              (w.vendor.key, grpc.StatusCode.PERMISSION_DENIED),
                              (None, grpc.StatusCode.UNAUTHENTICATED)):
            with pytest.raises(grpc.RpcError) as raised:
                rs.reconcile(channel, [rs.close(file_id, ids[0], "INV-KEY")], metadata=api.auth(key), timeout=20)
            assert raised.value.code() == expected, raised.value.details()
    finally:
        channel.close()
    file = uf.GrpcDriver(api).get(w.distributor.key, file_id, role="distributor")
    assert uf.count(file, "closed") == 0, file


def test_an_empty_stream_ends_ok(mtls):
    assert rs.reconcile(mtls, []) == []


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_the_cli_streams_a_file_of_closes_and_counts_what_became_of_them(api, server, world, pki, tmp_path, fmt):
    import json
    w = world
    (file_id, ids), = rs.accepted_files(api, w, [30], uf.unique("c")[:8])
    closes = [(file_id, record_id, f"INV-CLI-{n}", "via \"cli\", quoted") for n, record_id in enumerate(ids)]
    closes.append((file_id, uf.unique("missing"), "INV-X", ""))
    closes.append((w.other_file, "other-1", "INV-Y", ""))
    path = tmp_path / f"closes.{fmt}"
    if fmt == "jsonl":
        path.write_text("".join(json.dumps({"file_id": f, "record_id": r, "external_billing_id": b,
                                            "external_billing_note": n}) + "\n" for f, r, b, n in closes))
    else:
        def cell(text):
            return '"' + text.replace('"', '""') + '"' if any(c in text for c in ',"\n') else text
        path.write_text("file_id,record_id,external_billing_id,external_billing_note\r\n" + "".join(
            ",".join(cell(v) for v in close) + "\r\n" for close in closes))
    args = ["distributor", "reconcile-stream", "--in", str(path), "--cert", str(pki["client"]),
            "--client-key", str(pki["client.key"]), "--json", "--no-progress"]

    first = support.run_cli(args, server=server, timeout=120)
    assert first.returncode == 1, f"a failed close must fail the command:\n{first.stdout}\n{first.stderr}"
    summary = json.loads(first.stdout)
    assert (summary["sent"], summary["answered"], summary["closed"], summary["unchanged"], summary["failed"]) == \
        (32, 32, 30, 0, 2), summary
    assert summary["failed_by_status"] == {"NOT_FOUND": 2}, summary
    assert [f["record_id"] for f in summary["failures"]] == [closes[30][1], "other-1"]
    assert "32 of 32 closes answered" in first.stderr, first.stderr
    records = uf.GrpcDriver(api).records(w.distributor.key, file_id, role="distributor")
    assert [r.get("externalBillingNote") for r in records] == ['via "cli", quoted'] * 30

    replay = support.run_cli(args[:-2] + ["--no-progress"], server=server, timeout=120)
    assert replay.returncode == 1
    text = replay.stdout
    assert "sent 32\nclosed 0\nunchanged 30\nfailed 2\n  NOT_FOUND 2\n" in text, text

    only_ok = tmp_path / f"ok.{fmt}"
    lines = path.read_text().splitlines(keepends=True)
    only_ok.write_text("".join(lines[:-2]))
    ok = support.run_cli(args[:-2] + ["--no-progress"] + ["--in", str(only_ok)], server=server, timeout=120)
    assert ok.returncode == 0, ok.stdout + ok.stderr

    refused = support.run_cli(["distributor", "reconcile-stream", "--in", str(path), "--no-progress"],
                              key=w.distributor.key, server=server, timeout=60)
    assert refused.returncode == 1 and "PERMISSION_DENIED" in refused.stderr, refused.stderr
