# SPDX-License-Identifier: Apache-2.0
# UsageFlow — end-to-end: SPEC §6 scenario 12. A reseller exports only its customers' accepted
# records and marks them billed: the tier-1 reseller's list and export hold the accepted records of
# its own customers and of its tier-2 reseller's, never a direct customer's, another distributor's or
# a file's still pending; it marks exactly those billed with its own ids, after which nothing is
# left to bill; the tier-2 reseller sees and marks only its own, its mark beside the tier-1
# reseller's; the distributor's records are as it left them. Runs through grpcio and the CLI.

from __future__ import annotations

import csv
import json
from decimal import Decimal

import pytest
from google.protobuf import json_format

import usage_fixtures as uf
import usageflow_support as support
from usage_fixtures import at, row, write_fixture

APPROVED = "USAGE_RECORD_STATUS_APPROVED"


@pytest.fixture(scope="module")
def world(api, server):
    _, common, req, _ = uf.pb()
    w = type("World", (), {})()
    w.vendor = uf.make_account(api, server, common.ROLE_VENDOR, "Scenario 12 Vendor")
    w.distributor = uf.make_account(api, server, common.ROLE_DISTRIBUTOR, "Scenario 12 Distributor")
    w.distributor2 = uf.make_account(api, server, common.ROLE_DISTRIBUTOR, "Scenario 12 Other Distributor")
    w.market = uf.Market(api, w.vendor, w.distributor, "US")
    w.market2 = uf.Market(api, w.vendor, w.distributor2, "EU")
    w.qt, (w.integer_item, w.decimal_item) = uf.make_product(api, w.vendor, "Scenario 12 Storage", tier_levels=2)
    w.market.list_product(w.qt)
    w.market2.list_product(w.qt)
    w.files = uf.GrpcDriver(api)
    return w


class Channel:
    """One test's subscriptions and files, so the grpc and CLI runs do not see each other's."""

    def __init__(self, api, w, tmp_path):
        _, _, req, _ = uf.pb()
        self.sub_t1 = w.market.subscribe(w.qt)
        self.sub_t2 = w.market.subscribe(w.qt, tier2=True)
        direct = api.call(api.distributor.CreateCustomer, req.CreateCustomerRequest(name=uf.unique("Direct")),
                          w.distributor.key)
        self.sub_direct = api.call(api.distributor.CreateSubscription, req.CreateSubscriptionRequest(
            customer_id=direct.id, product_id=w.qt.id, marketplace_id=w.market.marketplace.id), w.distributor.key)
        self.sub_other = w.market2.subscribe(w.qt)
        p = uf.unique("s12")
        self.ids = {"t1a": f"{p}-t1a", "t1b": f"{p}-t1b", "t2": f"{p}-t2", "direct": f"{p}-d"}
        self.accepted = self.file(w, tmp_path, [
            row(self.ids["t1a"], w.integer_item, self.sub_t1, 12),
            row(self.ids["t1b"], w.decimal_item, self.sub_t1, Decimal("0.25"), start=at(1, 8), end=at(1, 9)),
            row(self.ids["t2"], w.decimal_item, self.sub_t2, Decimal("4.50")),
            row(self.ids["direct"], w.integer_item, self.sub_direct, 1),
        ])
        self.pending = self.file(w, tmp_path, [row(f"{p}-pending", w.integer_item, self.sub_t1, 5)], accept=False)
        self.foreign = self.file(w, tmp_path, [row(f"{p}-foreign", w.integer_item, self.sub_other, 6)],
                                 market=w.market2)

    @staticmethod
    def file(w, tmp_path, rows, *, market=None, accept=True) -> str:
        market = market or w.market
        file = w.files.create(w.vendor.key, w.qt, market.contract, name=uf.unique("scenario-12"))
        uploaded = w.files.upload(w.vendor.key, file["id"], write_fixture(tmp_path, "csv", rows))
        assert uploaded["status"] == uf.STATUS["ready"], uploaded
        w.files.submit(w.vendor.key, file["id"])
        if accept:
            w.files.accept(market.distributor.key, file["id"])
        return file["id"]


class GrpcReseller:
    name = "grpc"

    def __init__(self, api):
        self.api = api

    @staticmethod
    def export_pb():
        from uf_stubs import error_details_pb2, export_pb2  # noqa: F401
        return export_pb2

    def list(self, key, *, billed: str = "BILLED_ANY", **filter_) -> list[dict]:
        export = self.export_pb()
        out, token = [], ""
        while True:
            request = export.ListResellerRecordsRequest(
                filter=export.RecordFilter(**filter_), billed=getattr(export.ListResellerRecordsRequest, billed),
                page_size=2, page_token=token)
            page = self.api.call(self.api.reseller.ListRecords, request, key)
            out += [json_format.MessageToDict(r) for r in page.records]
            token = page.next_page_token
            if not token:
                return out

    def export(self, key, **filter_) -> list[dict]:
        export = self.export_pb()
        request = export.ExportRecordsRequest(filter=export.RecordFilter(**filter_), batch_size=2)
        batches = self.api.reseller.ExportRecords(request, metadata=self.api.auth(key), timeout=60)
        return [json_format.MessageToDict(r) for batch in batches for r in batch.records]

    def mark(self, key, marks: list[tuple[str, str, str]]) -> list[dict]:
        export = self.export_pb()
        request = export.MarkRecordsBilledRequest(records=[
            export.RecordBillingMark(file_id=f, record_id=r, external_billing_id=b) for f, r, b in marks])
        reply = self.api.call(self.api.reseller.MarkRecordsBilled, request, key)
        return [json_format.MessageToDict(r) for r in reply.results]


class CliReseller:
    """`usageflow reseller records list|export|mark-billed`, replies as proto3 JSON."""

    name = "cli"

    def __init__(self, server, work_dir):
        self.server = server
        self.dir = work_dir
        self.dir.mkdir(parents=True, exist_ok=True)

    def run(self, key, args: list[str], *, exit_codes=(0,)) -> list[dict]:
        result = support.run_cli([*args, "--json"], key=key, server=self.server)
        assert result.returncode in exit_codes, f"usageflow {' '.join(args)} exited {result.returncode}:\n{result.stderr}"
        decoder, text, replies, at_ = json.JSONDecoder(), result.stdout, [], 0
        while True:
            while at_ < len(text) and text[at_].isspace():
                at_ += 1
            if at_ >= len(text):
                return replies
            reply, at_ = decoder.raw_decode(text, at_)
            replies.append(reply)

    @staticmethod
    def body(billed: str | None = None, **filter_) -> str:
        camel = {"".join(w.capitalize() if n else w for n, w in enumerate(k.split("_"))): v for k, v in filter_.items()}
        return json.dumps({"filter": camel, **({"billed": billed} if billed else {})})

    def list(self, key, *, billed: str = "BILLED_ANY", **filter_) -> list[dict]:
        out, token = [], ""
        while True:
            args = ["reseller", "records", "list", "--data", self.body(billed, **filter_), "--page-size", "2"]
            page = self.run(key, [*args, *(["--page-token", token] if token else [])])[0]
            out += page.get("records", [])
            token = page.get("nextPageToken", "")
            if not token:
                return out

    def export(self, key, **filter_) -> list[dict]:
        """`reseller records export --format jsonl`: one ExportedRecord per line on standard output
        (or, where the command has no export form of its own, the streamed replies as JSON)."""
        if "--format" not in support.run_cli(["reseller", "records", "export", "--help"]).stdout:
            replies = self.run(key, ["reseller", "records", "export", "--data", self.body(**filter_), "--batch-size", "2"])
            return [r for reply in replies for r in reply.get("records", [])]
        args = ["reseller", "records", "export", "--format", "jsonl", "--batch-size", "2", "--no-progress"]
        for name, value in filter_.items():
            args += [f"--{name.replace('_', '-')}", value]
        result = support.run_cli(args, key=key, server=self.server, check=True)
        return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]

    def mark(self, key, marks: list[tuple[str, str, str]]) -> list[dict]:
        path = self.dir / f"{uf.unique('marks')}.csv"
        with open(path, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\r\n")
            writer.writerow(["file_id", "record_id", "external_billing_id"])
            writer.writerows(marks)
        # Exit status 1 says some mark failed; the reply says which.
        reply = self.run(key, ["reseller", "records", "mark-billed", "--in", str(path)], exit_codes=(0, 1))[0]
        return reply["results"]


@pytest.fixture(params=["grpc", "cli"])
def reseller(request, api, server, tmp_path):
    return GrpcReseller(api) if request.param == "grpc" else CliReseller(server, tmp_path / "cli")


def keys(records: list[dict]) -> list[tuple[str, str]]:
    return sorted((r["record"]["fileId"], r["record"]["recordId"]) for r in records)


def test_scenario_12_a_reseller_exports_only_its_customers_accepted_records_and_marks_them_billed(
        reseller, api, world, tmp_path):
    w = world
    c = Channel(api, w, tmp_path)
    period = {"period_from": str(uf.PERIOD_FROM), "period_to": str(uf.PERIOD_TO)}
    mine = [(c.accepted, c.ids["t1a"]), (c.accepted, c.ids["t1b"]), (c.accepted, c.ids["t2"])]
    scope = {"product_id": w.qt.id, **period}

    # Tier 1: its own customer's records and its tier-2 reseller's, accepted ones only.
    listed = [r for r in reseller.list(w.market.reseller_key, **scope) if r["record"]["fileId"] == c.accepted]
    exported = [r for r in reseller.export(w.market.reseller_key, **scope)
                if r["record"]["fileId"] in (c.accepted, c.pending, c.foreign)]
    assert keys(exported) == sorted(mine), exported
    assert keys(listed) == sorted(mine), listed
    by_id = {r["record"]["recordId"]: r for r in exported}
    t1a = by_id[c.ids["t1a"]]
    assert t1a["record"]["status"] == APPROVED and t1a["record"]["quantity"] == "12", t1a
    assert t1a["subscription"]["id"] == c.sub_t1.id and t1a["tier1"]["id"] == w.market.reseller.id
    assert t1a["customer"]["id"] == w.market.customer.id and "tier2" not in t1a
    assert by_id[c.ids["t2"]]["tier2"]["id"] == w.market.tier2.id
    assert all("resellerBilling" not in r for r in exported), "nothing is billed yet"

    # It marks exactly those billed, with its own ids.
    results = reseller.mark(w.market.reseller_key, [(f, r, f"T1-{n}") for n, (f, r) in enumerate(mine)])
    assert [int(r.get("status", {}).get("code", 0)) for r in results] == [0, 0, 0], results
    left = [r for r in reseller.list(w.market.reseller_key, billed="BILLED_NO", **scope)
            if r["record"]["fileId"] == c.accepted]
    assert left == [], left
    billed = {r["record"]["recordId"]: r for r in reseller.list(w.market.reseller_key, billed="BILLED_YES", **scope)
              if r["record"]["fileId"] == c.accepted}
    assert {k: v["resellerBilling"]["externalBillingId"] for k, v in billed.items()} == {
        r: f"T1-{n}" for n, (_, r) in enumerate(mine)}
    assert all(v["resellerBilling"]["resellerId"] == w.market.reseller.id for v in billed.values())

    # Tier 2: only its own customer's record; its mark stands beside the tier-1 reseller's.
    tier2 = [r for r in reseller.export(w.market.tier2_key, **scope) if r["record"]["fileId"] == c.accepted]
    assert keys(tier2) == [(c.accepted, c.ids["t2"])], tier2
    assert "resellerBilling" not in tier2[0], "the tier-2 reseller saw the tier-1 reseller's mark"
    results = reseller.mark(w.market.tier2_key, [(c.accepted, c.ids["t2"], "T2-1")])
    assert int(results[0].get("status", {}).get("code", 0)) == 0, results
    tier2_billed = [r for r in reseller.list(w.market.tier2_key, billed="BILLED_YES", **scope)
                    if r["record"]["fileId"] == c.accepted]
    assert [r["resellerBilling"]["externalBillingId"] for r in tier2_billed] == ["T2-1"]
    tier1_view = {r["record"]["recordId"]: r for r in reseller.list(w.market.reseller_key, **scope)
                  if r["record"]["fileId"] == c.accepted}
    assert tier1_view[c.ids["t2"]]["resellerBilling"]["externalBillingId"] == "T1-2"

    # Records that are not its own cannot be marked; the distributor's records are unchanged.
    refused = reseller.mark(w.market.tier2_key, [(c.accepted, c.ids["direct"], "X"), (c.foreign, "x", "X")])
    assert [int(r["status"]["code"]) for r in refused] == [5, 5], refused
    records = w.files.records(w.distributor.key, c.accepted, role="distributor")
    assert [r["status"] for r in records] == [APPROVED] * 4
    assert not any(r.get("externalBillingId") for r in records), records

    # Another distributor's reseller sees none of it.
    assert [r for r in reseller.export(w.market2.reseller_key, **scope) if r["record"]["fileId"] == c.accepted] == []
