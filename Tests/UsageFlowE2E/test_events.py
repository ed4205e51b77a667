# SPDX-License-Identifier: Apache-2.0
# UsageFlow — end-to-end: the audit trail and its live stream (SPEC §4, events.proto). Every state
# change is recorded with who, when, from, to and why; ListEvents pages a tenant's history and
# WatchEvents streams it from a position, then live. A watcher that disconnects while 10,000 changes
# commit and resumes from the last position it received gets every event exactly once, in order;
# another vendor or distributor sees none of them; bad requests get exact statuses. The CLI's
# `events watch` prints each event as it arrives and resumes with --after-position.

from __future__ import annotations

import json
import subprocess
import threading
import time

import grpc
import pytest

import usage_fixtures as uf
import usageflow_support as support
from usage_fixtures import at, row, write_fixture

CHANGES = 10_000
# Many subscriptions with short histories, changed by a few threads: each change rewrites nothing
# but its own subscription, so the run measures the stream, not one long history.
SUBSCRIPTIONS = 50
PRODUCERS = 5


def ev():
    from uf_stubs import events_pb2
    return events_pb2


@pytest.fixture(scope="module")
def world(api, server):
    _, common, req, _ = uf.pb()
    w = type("World", (), {})()
    w.vendor = uf.make_account(api, server, common.ROLE_VENDOR, "Audited Vendor")
    w.distributor = uf.make_account(api, server, common.ROLE_DISTRIBUTOR, "Audited Distributor")
    w.vendor2 = uf.make_account(api, server, common.ROLE_VENDOR, "Other Vendor")
    w.distributor2 = uf.make_account(api, server, common.ROLE_DISTRIBUTOR, "Other Distributor")
    w.market = uf.Market(api, w.vendor, w.distributor, "Audit")
    w.market2 = uf.Market(api, w.vendor2, w.distributor2, "Elsewhere")
    w.qt, w.items = uf.make_product(api, w.vendor, "Audited Storage", tier_levels=2)
    w.qt2, _ = uf.make_product(api, w.vendor2, "Elsewhere Storage")
    w.listing = w.market.list_product(w.qt)
    w.market2.list_product(w.qt2)
    w.subscriptions = [w.market.subscribe(w.qt) for _ in range(SUBSCRIPTIONS)]
    w.tier2_subscription = w.market.subscribe(w.qt, tier2=True)
    w.sub2 = w.market2.subscribe(w.qt2)
    return w


def auth(key):
    return support.Api.auth(key)


def service(api, role):
    return {"vendor": api.vendor, "distributor": api.distributor, "reseller": api.reseller}[role]


def list_all(api, role, key, after=0, **filters):
    """Every event after `after` through ListEvents pages of 1,000."""
    events = []
    while True:
        page = api.call(service(api, role).ListEvents,
                        ev().ListEventsRequest(after_position=after, page_size=1000, **filters), key)
        events.extend(page.events)
        if not page.events:
            assert page.last_position == after, page
            return events
        assert page.last_position == page.events[-1].position
        after = page.last_position


def head(api, role, key):
    events = list_all(api, role, key)
    return events[-1].position if events else 0


def change_subscriptions(api, key, subscription_ids, cycles, failures):
    """Suspends and resumes each subscription `cycles` times, round after round."""
    _, _, req, _ = uf.pb()
    try:
        for n in range(cycles):
            for subscription_id in subscription_ids:
                api.call(api.distributor.SuspendSubscription,
                         req.ChangeSubscriptionRequest(id=subscription_id, reason=f"overdue {n}"), key)
                api.call(api.distributor.ResumeSubscription,
                         req.ChangeSubscriptionRequest(id=subscription_id, reason=f"paid {n}"), key)
    except Exception as error:  # noqa: BLE001 — reported by the test thread
        failures.append(error)


def test_a_watcher_disconnected_during_10000_changes_resumes_and_receives_each_event_once_in_order(api, world):
    w = world
    start = head(api, "distributor", w.distributor.key)
    reseller_start = head(api, "reseller", w.market.reseller_key)
    strangers = [(role, key, head(api, role, key))
                 for role, key in (("vendor", w.vendor.key), ("vendor", w.vendor2.key),
                                   ("distributor", w.distributor2.key))]
    cycles = CHANGES // (2 * SUBSCRIPTIONS)
    failures: list[Exception] = []
    ids = [s.id for s in w.subscriptions]
    producers = [threading.Thread(target=change_subscriptions,
                                  args=(api, w.distributor.key, ids[n::PRODUCERS], cycles, failures), daemon=True)
                 for n in range(PRODUCERS)]
    for producer in producers:
        producer.start()

    received = []
    # First connection: read a quarter of the changes, then drop the stream while they go on.
    first = api.distributor.WatchEvents(ev().WatchEventsRequest(after_position=start),
                                        metadata=auth(w.distributor.key), timeout=300)
    for event in first:
        received.append(event)
        if len(received) >= CHANGES // 4:
            break
    first.cancel()
    assert any(p.is_alive() for p in producers), "the changes ended before the watcher disconnected"
    time.sleep(0.5)  # changes keep committing while nobody watches

    # Second connection: resume after the last position received, read until the last change.
    resumed = api.distributor.WatchEvents(ev().WatchEventsRequest(after_position=received[-1].position),
                                          metadata=auth(w.distributor.key), timeout=300)
    resumed_during_changes = any(p.is_alive() for p in producers)
    expected_total = CHANGES
    for event in resumed:
        received.append(event)
        if len(received) >= expected_total:
            break
    resumed.cancel()
    for producer in producers:
        producer.join(timeout=300)
    assert not failures, failures
    assert resumed_during_changes, "the changes ended before the watcher resumed"

    listed = list_all(api, "distributor", w.distributor.key, after=start)
    assert len(listed) == CHANGES
    assert [e.position for e in received] == [e.position for e in listed], "gaps, repeats or reordering"
    assert received == listed
    assert all(a.position < b.position for a, b in zip(received, received[1:]))

    # Each subscription alternates suspended/active, in the order its changes were made.
    for subscription in w.subscriptions:
        mine = [e for e in received if e.object_id == subscription.id]
        assert len(mine) == 2 * cycles
        assert [(getattr(e, "from"), e.to) for e in mine[:2]] == [
            ("active", "suspended"), ("suspended", "active")]
        assert mine[0].reason == "overdue 0" and mine[-1].reason == f"paid {cycles - 1}"
        assert {e.actor for e in mine} == {w.distributor.id}
        assert all(e.object_type == "subscription" and e.at.seconds > 0 for e in mine)

    # The tier-1 reseller the subscriptions are billed through sees the same changes; the vendor,
    # the other vendor and the other distributor see none of them.
    reseller = list_all(api, "reseller", w.market.reseller_key, after=reseller_start)
    assert [e.position for e in reseller] == [e.position for e in listed]
    for role, key, before in strangers:
        assert list_all(api, role, key, after=before) == []


def test_each_party_sees_its_own_objects_and_nothing_of_another_tenant(api, world, tmp_path):
    w = world
    mine = {w.qt.id, w.listing.id, w.market.contract.id, *(s.id for s in w.subscriptions),
            w.tier2_subscription.id, *(i.id for i in w.items)}
    vendor = list_all(api, "vendor", w.vendor.key)
    distributor = list_all(api, "distributor", w.distributor.key)
    tier2 = list_all(api, "reseller", w.market.tier2_key)

    assert {e.object_type for e in vendor} >= {"product", "item", "contract", "listing"}
    assert "subscription" not in {e.object_type for e in vendor}
    assert [(getattr(e, "from"), e.to) for e in vendor if e.object_id == w.market.contract.id] == [
        ("", "pending"), ("pending", "active")]
    accepted = [e for e in vendor if e.object_id == w.market.contract.id][1]
    assert accepted.actor == w.vendor.id
    assert [(getattr(e, "from"), e.to) for e in vendor if e.object_id == w.items[0].id] == [
        ("", "draft"), ("draft", "published")]
    assert {e.object_type for e in distributor} >= {"contract", "listing", "subscription"}
    assert not {"product", "item"} & {e.object_type for e in distributor}
    # A tier-2 reseller sees only its own: its subscription, and the key it was given (issued by
    # its distributor, which sees that key's event too).
    tier2_key_id = w.market.tier2_key.split(".")[0]
    assert {e.object_id for e in tier2} == {w.tier2_subscription.id, tier2_key_id}, "a tier-2 reseller sees only its own"
    assert [(e.object_type, getattr(e, "from"), e.to) for e in tier2 if e.object_id == tier2_key_id] == [
        ("api_key", "", "active")]
    assert tier2_key_id in {e.object_id for e in distributor if e.object_type == "api_key"}
    assert "api_key" not in {e.object_type for e in vendor if e.object_id == tier2_key_id}

    # A production file is the distributor's from its submission on; a preview file never is.
    driver = uf.GrpcDriver(api)
    files = {}
    for environment in ("production", "preview"):
        file = driver.create(w.vendor.key, w.qt, w.market.contract, name=uf.unique("audit"), environment=environment)
        rows = [row(uf.unique("ev"), w.items[0], w.subscriptions[0], 5, start=at(0, 8), end=at(0, 9))]
        driver.upload(w.vendor.key, file["id"], write_fixture(tmp_path, "csv", rows))
        driver.submit(w.vendor.key, file["id"])
        files[environment] = file["id"]
    vendor_files = [e for e in list_all(api, "vendor", w.vendor.key, object_types=["usage_file"])]
    production = [(getattr(e, "from"), e.to) for e in vendor_files if e.object_id == files["production"]]
    assert production[0] == ("", "draft") and production[-1] == ("ready", "pending"), production
    assert any(e.object_id == files["preview"] for e in vendor_files)
    seen = list_all(api, "distributor", w.distributor.key, object_types=["usage_file"])
    assert [(e.object_id, getattr(e, "from"), e.to) for e in seen] == [(files["production"], "ready", "pending")]
    one = list_all(api, "vendor", w.vendor.key, object_id=files["production"])
    assert [e.position for e in one] == [e.position for e in vendor_files if e.object_id == files["production"]]

    # The other pair: none of the first pair's objects, and its own are there.
    for role, key in (("vendor", w.vendor2.key), ("distributor", w.distributor2.key)):
        theirs = list_all(api, role, key)
        assert theirs, f"the other {role} has events of its own"
        assert not mine & {e.object_id for e in theirs}, f"the other {role} sees the first pair's objects"
        assert not set(files.values()) & {e.object_id for e in theirs}
    # Naming another tenant's object is an empty page, like a missing one.
    assert list_all(api, "distributor", w.distributor2.key, object_id=w.market.contract.id) == []
    assert list_all(api, "distributor", w.distributor2.key, object_id="CRD-00000-00000-00000") == []


def test_review_close_and_billing_marks_reach_exactly_their_parties(api, world, tmp_path):
    w = world
    from uf_stubs import error_details_pb2, export_pb2  # noqa: F401
    driver = uf.GrpcDriver(api)
    heads = {name: head(api, role, key) for name, role, key in (
        ("vendor", "vendor", w.vendor.key), ("distributor", "distributor", w.distributor.key),
        ("reseller", "reseller", w.market.reseller_key), ("tier2", "reseller", w.market.tier2_key),
        ("distributor2", "distributor", w.distributor2.key))}
    file = driver.create(w.vendor.key, w.qt, w.market.contract, name=uf.unique("billed"))
    record_id = uf.unique("bill")
    rows = [row(record_id, w.items[0], w.subscriptions[2], 7, start=at(1, 8), end=at(1, 9))]
    driver.upload(w.vendor.key, file["id"], write_fixture(tmp_path, "csv", rows))
    driver.submit(w.vendor.key, file["id"])
    driver.accept(w.distributor.key, file["id"], note="looks right")
    marked = api.call(api.reseller.MarkRecordsBilled, export_pb2.MarkRecordsBilledRequest(records=[
        export_pb2.RecordBillingMark(file_id=file["id"], record_id=record_id, external_billing_id="R-INV-1")]),
        w.market.reseller_key)
    assert marked.results[0].status.code == 0, marked
    driver.close_file(w.distributor.key, file["id"], "D-INV-1", "January")

    def transitions(name, role, key, **filters):
        return [(e.object_type, getattr(e, "from"), e.to) for e in list_all(api, role, key, after=heads[name],
                                                                            **filters)]

    distributor = transitions("distributor", "distributor", w.distributor.key, object_id=file["id"])
    assert distributor == [("usage_file", "ready", "pending"), ("usage_file", "pending", "accepted"),
                           ("usage_file", "accepted", "closed")]
    accepted = list_all(api, "distributor", w.distributor.key, after=heads["distributor"], object_id=file["id"])[1]
    assert (accepted.actor, accepted.reason) == (w.distributor.id, "looks right")
    vendor = transitions("vendor", "vendor", w.vendor.key, object_types=["usage_file"])
    assert vendor[0] == ("usage_file", "", "draft") and vendor[-2:] == distributor[-2:]
    billing = list_all(api, "reseller", w.market.reseller_key, after=heads["reseller"],
                       object_types=["reseller_billing"])
    assert [(e.object_id, e.to, e.actor) for e in billing] == [
        (f"{file['id']}/{record_id}", "billed", w.market.reseller.id)]
    # The mark is the reseller's own: neither the distributor, the tier-2 reseller nor anyone else sees it.
    assert "reseller_billing" not in {t for t, _, _ in transitions("distributor", "distributor", w.distributor.key)}
    assert transitions("tier2", "reseller", w.market.tier2_key) == []
    assert transitions("distributor2", "distributor", w.distributor2.key) == []


@pytest.mark.parametrize("rpc", ["ListEvents", "WatchEvents"])
def test_bad_requests_get_exact_statuses(api, world, server, rpc):
    w = world
    events = ev()
    make = events.ListEventsRequest if rpc == "ListEvents" else events.WatchEventsRequest

    def call(request, key, role="distributor"):
        method = getattr(service(api, role), rpc)
        if rpc == "ListEvents":
            return method(request, metadata=auth(key), timeout=10)
        stream = method(request, metadata=auth(key), timeout=10)
        return next(iter(stream))

    def refused(code, request, key=w.distributor.key, role="distributor"):
        with pytest.raises(grpc.RpcError) as caught:
            call(request, key, role)
        assert caught.value.code() == code, f"{caught.value.code()}: {caught.value.details()}"
        return caught.value

    error = refused(grpc.StatusCode.INVALID_ARGUMENT, make(after_position=-1))
    assert "after_position" in support.field_violations(error)
    error = refused(grpc.StatusCode.INVALID_ARGUMENT, make(object_types=["subscription", "invoice"]))
    assert list(support.field_violations(error)) == ["object_types[1]"]
    assert "invoice" in error.details()
    if rpc == "ListEvents":
        error = refused(grpc.StatusCode.INVALID_ARGUMENT, make(page_size=1001))
        assert "page_size" in support.field_violations(error)
        refused(grpc.StatusCode.INVALID_ARGUMENT, make(page_size=-1))
        assert len(call(make(page_size=1000), w.distributor.key).events) <= 1000
        total = len(list_all(api, "distributor", w.distributor.key))
        assert len(call(make(), w.distributor.key).events) == min(100, total), "page_size 0 means 100"
    refused(grpc.StatusCode.UNAUTHENTICATED, make(), key=None)
    refused(grpc.StatusCode.PERMISSION_DENIED, make(), key=server.operator_key)
    refused(grpc.StatusCode.PERMISSION_DENIED, make(), key=w.vendor.key)
    refused(grpc.StatusCode.PERMISSION_DENIED, make(), key=w.distributor.key, role="vendor")


def test_a_watch_ends_cleanly_at_its_deadline_and_delivers_live_events(api, world):
    w = world
    _, _, req, _ = uf.pb()
    start = head(api, "reseller", w.market.tier2_key)
    stream = api.reseller.WatchEvents(ev().WatchEventsRequest(after_position=start, object_types=["subscription"]),
                                      metadata=auth(w.market.tier2_key), timeout=3)
    got = []

    def read():
        try:
            for event in stream:
                got.append(event)
        except grpc.RpcError as error:
            got.append(error)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    time.sleep(0.5)
    api.call(api.distributor.SuspendSubscription,
             req.ChangeSubscriptionRequest(id=w.tier2_subscription.id, reason="live"), w.distributor.key)
    api.call(api.distributor.ResumeSubscription,
             req.ChangeSubscriptionRequest(id=w.tier2_subscription.id, reason="live again"), w.distributor.key)
    reader.join(timeout=10)
    assert not reader.is_alive(), "the stream outlived its deadline"
    assert [e.reason for e in got[:2]] == ["live", "live again"], got
    assert isinstance(got[-1], grpc.RpcError) and got[-1].code() == grpc.StatusCode.DEADLINE_EXCEEDED


def test_cli_watch_prints_events_as_they_arrive_and_resumes_after_a_position(api, world, server):
    w = world
    _, _, req, _ = uf.pb()
    listed = list_all(api, "distributor", w.distributor.key)
    after = listed[-5].position
    env = {"USAGEFLOW_KEY": w.distributor.key}

    # The role form, as JSON lines, stopping after three events.
    result = support.run_cli(["distributor", "events", "watch", "--after-position", str(after), "--max-events", "3",
                              "--json"], key=w.distributor.key, server=server, check=True, timeout=30)
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [int(line["position"]) for line in lines] == [e.position for e in listed[-4:-1]]

    # The top-level form, readable, live: a change made after it started is printed.
    command = [str(support.binary()), "events", "watch", "--role", "distributor",
               "--after-position", str(listed[-1].position), "--max-events", "1"]
    process = subprocess.Popen(command, env=cli_env(server, env), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    try:
        time.sleep(1.0)
        api.call(api.distributor.SuspendSubscription,
                 req.ChangeSubscriptionRequest(id=w.subscriptions[1].id, reason="from the cli test"),
                 w.distributor.key)
        out, err = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    assert w.subscriptions[1].id in out and "active → suspended" in out and "from the cli test" in out, out
    api.call(api.distributor.ResumeSubscription,
             req.ChangeSubscriptionRequest(id=w.subscriptions[1].id, reason="back"), w.distributor.key)

    # Bad input is a usage error or the server's status, not a hang.
    missing_role = support.run_cli(["events", "watch"], key=w.distributor.key, server=server)
    assert missing_role.returncode == 2 and "--role" in missing_role.stderr
    bad = support.run_cli(["distributor", "events", "watch", "--after-position", "-3"], key=w.distributor.key,
                          server=server, timeout=30)
    assert bad.returncode == 1 and "INVALID_ARGUMENT" in bad.stderr, bad.stderr
    listed_cli = support.run_cli(["events", "list", "--role", "vendor", "--json"], key=w.vendor.key, server=server,
                                 check=True)
    assert json.loads(listed_cli.stdout)["events"]


def cli_env(server, extra):
    import os
    env = dict(os.environ)
    env.update(extra)
    env["USAGEFLOW_SERVER"] = f"127.0.0.1:{server.port}"
    env["USAGEFLOW_CA"] = str(server.ca)
    return env


def test_a_graceful_shutdown_ends_open_watches_at_once_with_unavailable(pki, tmp_path):
    own = support.Server(tmp_path / "server", pki)
    own.init()
    own.start()
    try:
        channel = own.channel()
        api = support.Api(channel)
        _, common, _, _ = uf.pb()
        vendor = uf.make_account(api, own, common.ROLE_VENDOR, "Watched Vendor")
        uf.make_product(api, vendor, "Watched Product")
        stream = api.vendor.WatchEvents(ev().WatchEventsRequest(), metadata=auth(vendor.key), timeout=60)
        received = iter(stream)
        # The vendor's key (issued by the operator), then its product.
        assert [next(received).object_type for _ in range(2)] == ["api_key", "product"]
        started = time.monotonic()
        code = own.stop()
        assert code == 0
        # The grace period is 10 s: a watch that held the server open would take all of it.
        assert time.monotonic() - started < 5, "an open watch held up the shutdown"
        with pytest.raises(grpc.RpcError) as ended:
            for _ in stream:
                pass
        assert ended.value.code() == grpc.StatusCode.UNAVAILABLE
        channel.close()
    finally:
        own.stop()


def test_cli_watch_resumes_across_a_server_restart_without_gaps_or_repeats(pki, tmp_path):
    own = support.Server(tmp_path / "server", pki)
    own.init()
    own.start()
    channel = own.channel()
    process = None
    try:
        api = support.Api(channel)
        _, common, _, _ = uf.pb()
        vendor = uf.make_account(api, own, common.ROLE_VENDOR, "Restarted Vendor")
        _, items = uf.make_product(api, vendor, "Restarted Product", items=(("integer", "INT"),))
        before = list_all(api, "vendor", vendor.key)
        # The vendor's key, the product, the item created, the item published.
        assert [e.object_type for e in before] == ["api_key", "product", "item", "item"]
        process = subprocess.Popen(
            [str(support.binary()), "vendor", "events", "watch", "--json", "--max-events", "6"],
            env=cli_env(own, {"USAGEFLOW_KEY": vendor.key}), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True)
        time.sleep(1.5)
        assert own.stop() == 0
        own.start()
        channel.close()
        channel = own.channel()
        api = support.Api(channel)
        _, _, req, _ = uf.pb()
        api.call(api.vendor.EndItemSale, req.IdRequest(id=items[0].id), vendor.key)
        second = api.call(api.vendor.CreateProduct, req.CreateProductRequest(name="After the restart"), vendor.key)
        out, err = process.communicate(timeout=30)
        assert process.returncode == 0, err
        printed = [json.loads(line) for line in out.splitlines()]
        after = list_all(api, "vendor", vendor.key)
        assert [int(e["position"]) for e in printed] == [e.position for e in after]
        assert [e.get("objectId") for e in printed][-2:] == [items[0].id, second.id]
        assert "resuming after position" in err, err
    finally:
        if process is not None and process.poll() is None:
            process.kill()
        channel.close()
        own.stop()
