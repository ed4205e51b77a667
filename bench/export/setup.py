#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# UsageFlow — usage export benchmark: tenants, the accepted file, the export request and the check.
#
#   setup.py OUT tenants HOST:PORT CA OPERATOR_KEY   as bench/ingest's, plus the distributor's key → OUT/ids.json
#   setup.py OUT accept HOST:PORT CA FILE_ID         submits the uploaded file (vendor) and accepts it (distributor)
#   setup.py OUT request FILE_ID PATH                the framed ExportRecordsRequest h2load sends (batches of 1,000)
#   setup.py OUT check HOST:PORT CA FILE_ID N        exports through grpcio: N records, ids R0000001… in order, once
#
# The records themselves come from bench/ingest/setup.py (same ids, items, subscriptions, period),
# uploaded with UploadRecords; see run.sh.
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "ingest"))
import setup as ingest  # noqa: E402


def tenants(out: Path, target: str, ca: str, operator_key: str):
    from ingest_stubs import admin_service_pb2_grpc, common_pb2, requests_pb2 as req
    # The ingest tenants (vendor, channel, product, items, subscriptions), then a second key for the
    # distributor, found as the only distributor account.
    ingest.tenants(out, target, ca, operator_key)
    with ingest.channel(target, ca) as ch:
        admin = admin_service_pb2_grpc.AdminServiceStub(ch)
        accounts = admin.ListAccounts(req.ListAccountsRequest(role=common_pb2.ROLE_DISTRIBUTOR),
                                      metadata=ingest.auth(operator_key)).accounts
        assert len(accounts) == 1, accounts
        key = admin.CreateApiKey(req.CreateApiKeyRequest(
            account_id=accounts[0].id, scope=common_pb2.KEY_SCOPE_FULL, name="export bench"),
            metadata=ingest.auth(operator_key)).token
    ids = json.loads((out / "ids.json").read_text())
    ids["distributor_key"] = key
    (out / "ids.json").write_text(json.dumps(ids) + "\n")


def accept(out: Path, target: str, ca: str, file_id: str):
    from ingest_stubs import distributor_service_pb2_grpc, requests_pb2 as req, usage_pb2, vendor_service_pb2_grpc
    ids = json.loads((out / "ids.json").read_text())
    with ingest.channel(target, ca) as ch:
        vendor = vendor_service_pb2_grpc.VendorServiceStub(ch)
        distributor = distributor_service_pb2_grpc.DistributorServiceStub(ch)
        vendor.SubmitUsageFile(req.IdRequest(id=file_id), metadata=ingest.auth(ids["vendor_key"]), timeout=600)
        accepted = distributor.AcceptUsageFile(usage_pb2.AcceptUsageFileRequest(id=file_id),
                                               metadata=ingest.auth(ids["distributor_key"]), timeout=600)
    assert accepted.status == usage_pb2.USAGE_FILE_STATUS_ACCEPTED, accepted
    print(f"accepted {file_id}: {accepted.counts.approved} approved records")


def request(file_id: str, path: Path):
    from ingest_stubs import export_pb2
    message = export_pb2.ExportRecordsRequest(filter=export_pb2.RecordFilter(file_id=file_id), batch_size=1000)
    path.write_bytes(ingest.frame(message.SerializeToString()))


def check(out: Path, target: str, ca: str, file_id: str, n: int):
    from ingest_stubs import distributor_service_pb2_grpc, export_pb2
    ids = json.loads((out / "ids.json").read_text())
    expected = iter(f"R{i:07d}" for i in range(1, n + 1))
    seen = 0
    with ingest.channel(target, ca) as ch:
        distributor = distributor_service_pb2_grpc.DistributorServiceStub(ch)
        stream = distributor.ExportRecords(
            export_pb2.ExportRecordsRequest(filter=export_pb2.RecordFilter(file_id=file_id), batch_size=1000),
            metadata=ingest.auth(ids["distributor_key"]), timeout=3600)
        for batch in stream:
            for record in batch.records:
                want = next(expected, None)
                if record.record.record_id != want or not record.item.mpn or not record.subscription.external_id:
                    sys.exit(f"check: record {seen + 1} is {record.record.record_id}, expected {want}, or lacks its item")
                seen += 1
    if seen != n:
        sys.exit(f"check: {seen} records, expected {n}")
    print(f"check: ok, {n} records in order, each once, with item and subscription")


def main():
    out, mode, args = Path(sys.argv[1]), sys.argv[2], sys.argv[3:]
    ingest.stubs(out)
    if mode == "tenants":
        tenants(out, *args)
    elif mode == "accept":
        accept(out, *args)
    elif mode == "request":
        request(args[0], Path(args[1]))
    elif mode == "check":
        check(out, args[0], args[1], args[2], int(args[3]))
    else:
        sys.exit(f"setup.py: unknown mode {mode}")


if __name__ == "__main__":
    main()
