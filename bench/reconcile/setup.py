#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# UsageFlow — reconciliation stream benchmark: the tenants and accepted files, the closes, the
# reference's input and the correctness checks.
#
#   setup.py OUT world HOST:PORT CA OPERATOR_KEY CLIENT_CERT FILES PER_FILE
#       a vendor, a distributor, a listed QT product, a subscription; the client certificate
#       registered as the distributor's service identity; FILES files of PER_FILE records each
#       (UploadRecords), submitted and accepted → OUT/ids.json, and OUT/closes.csv: one close per
#       record, round robin over the files, billing id INV-<record id>
#   setup.py OUT raw DB                  OUT/raw-closes.tsv: the same closes as row keys for raw_update.c,
#                                        with each close's event object id and audience
#   setup.py OUT check DB N              every record closed with its billing id, every file closed
#                                        with counts that agree (prints "check: ok …")
import datetime as dt
import json
import sqlite3
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "ingest"))
import setup as ingest  # noqa: E402  (stubs, channel and auth helpers of the ingest benchmark)


def world(out: Path, target: str, ca: str, operator_key: str, client_cert: str, files: int, per_file: int):
    import hashlib
    import ssl
    from ingest_stubs import (admin_service_pb2_grpc, catalogue_pb2, common_pb2, distributor_service_pb2_grpc,
                              requests_pb2 as req, reseller_service_pb2_grpc, usage_pb2, vendor_service_pb2_grpc)
    from google.protobuf import timestamp_pb2
    with ingest.channel(target, ca) as ch:
        admin = admin_service_pb2_grpc.AdminServiceStub(ch)
        vendor = vendor_service_pb2_grpc.VendorServiceStub(ch)
        distributor = distributor_service_pb2_grpc.DistributorServiceStub(ch)
        reseller = reseller_service_pb2_grpc.ResellerServiceStub(ch)
        operator = ingest.auth(operator_key)

        def party(role, name):
            account = admin.CreateAccount(req.CreateAccountRequest(role=role, name=name), metadata=operator)
            key = admin.CreateApiKey(req.CreateApiKeyRequest(
                account_id=account.id, scope=common_pb2.KEY_SCOPE_FULL, name=f"{name} key"), metadata=operator).token
            return account, ingest.auth(key)

        vendor_account, vendor_auth = party(common_pb2.ROLE_VENDOR, "Northwind Cloud Services GmbH")
        _, dist_auth = party(common_pb2.ROLE_DISTRIBUTOR, "Contoso Distribution Ltd")
        der = ssl.PEM_cert_to_DER_cert(Path(client_cert).read_text())
        distributor.CreateServiceIdentity(req.CreateServiceIdentityRequest(
            name="Contoso billing", sha256_fingerprint=hashlib.sha256(der).hexdigest()), metadata=dist_auth)
        marketplace = distributor.CreateMarketplace(
            req.CreateMarketplaceRequest(name="Europe", currency="EUR"), metadata=dist_auth)
        offered = distributor.OfferContract(req.OfferContractRequest(
            vendor_id=vendor_account.id, marketplace_id=marketplace.id), metadata=dist_auth)
        contract = vendor.AcceptContract(req.IdRequest(id=offered.id), metadata=vendor_auth)
        product = vendor.CreateProduct(req.CreateProductRequest(
            name="Northwind Object Storage",
            capabilities=catalogue_pb2.Capabilities(ppu=True, schema=catalogue_pb2.PPU_SCHEMA_QT)),
            metadata=vendor_auth)
        item = vendor.CreateItem(req.CreateItemRequest(
            product_id=product.id, name="Storage", mpn="BENCH-STORAGE-GBH", type=catalogue_pb2.ITEM_TYPE_PPU,
            precision=catalogue_pb2.PRECISION_INTEGER, unit="unit*h"), metadata=vendor_auth)
        vendor.PublishItem(req.IdRequest(id=item.id), metadata=vendor_auth)
        listing = vendor.RequestListing(req.RequestListingRequest(
            product_id=product.id, contract_id=contract.id), metadata=vendor_auth)
        distributor.ApproveListing(req.IdRequest(id=listing.id), metadata=dist_auth)
        customer = distributor.CreateCustomer(req.CreateCustomerRequest(name="Tailspin Toys"), metadata=dist_auth)
        subscription = distributor.CreateSubscription(req.CreateSubscriptionRequest(
            customer_id=customer.id, product_id=product.id, marketplace_id=marketplace.id), metadata=dist_auth)

        start, end = ingest.period()
        begin = timestamp_pb2.Timestamp()
        begin.FromDatetime(dt.datetime(start.year, start.month, start.day, 1, tzinfo=dt.timezone.utc))
        finish = timestamp_pb2.Timestamp()
        finish.FromDatetime(dt.datetime(start.year, start.month, start.day, 2, tzinfo=dt.timezone.utc))
        file_ids = []
        for index in range(files):
            file = vendor.CreateUsageFile(usage_pb2.CreateUsageFileRequest(
                product_id=product.id, contract_id=contract.id, name=f"Usage {index + 1}",
                period_from=str(start), period_to=str(end)), metadata=vendor_auth)

            def requests(index=index, file=file):
                yield usage_pb2.UploadRecordsRequest(header=usage_pb2.UploadRecordsHeader(file_id=file.id))
                for first in range(0, per_file, 5000):
                    yield usage_pb2.UploadRecordsRequest(batch=usage_pb2.UsageRecordBatch(records=[
                        usage_pb2.UsageRecordInput(
                            record_id=record_id(index, n), item_search_criteria="item.id", item_search_value=item.id,
                            quantity=str(n % 1000), start_time_utc=begin, end_time_utc=finish,
                            asset_search_criteria="asset.id", asset_search_value=subscription.id)
                        for n in range(first, min(first + 5000, per_file))]))

            uploaded = vendor.UploadRecords(requests(), metadata=vendor_auth, timeout=3600)
            assert uploaded.counts.valid == per_file, uploaded
            vendor.SubmitUsageFile(req.IdRequest(id=file.id), metadata=vendor_auth)
            accepted = distributor.AcceptUsageFile(usage_pb2.AcceptUsageFileRequest(id=file.id), metadata=dist_auth)
            assert accepted.counts.approved == per_file, accepted
            file_ids.append(file.id)
    with open(out / "closes.csv", "w") as closes:
        closes.write("file_id,record_id,external_billing_id\n")
        for n in range(per_file):
            for index, file_id in enumerate(file_ids):
                closes.write(f"{file_id},{record_id(index, n)},INV-{record_id(index, n)}\n")
    (out / "ids.json").write_text(json.dumps({"files": file_ids, "per_file": per_file}) + "\n")


def record_id(file_index: int, n: int) -> str:
    return f"F{file_index + 1}-R{n + 1:07d}"


def raw(out: Path, db: str):
    """The closes of closes.csv as (file_seq, product_seq, record_id, billing_id) rows."""
    with sqlite3.connect(db) as connection:
        keys = {file_id: (seq, product_seq, distributor) for file_id, seq, product_seq, distributor in connection.execute(
            "SELECT f.id, f.seq, p.seq, f.distributor_id FROM usage_files f JOIN products p ON p.id = f.product_id")}
    with open(out / "closes.csv") as closes, open(out / "raw-closes.tsv", "w") as rows:
        next(closes)
        for line in closes:
            file_id, record, billing = line.rstrip("\n").split(",")
            seq, product_seq, distributor = keys[file_id]
            rows.write(f"{seq}\t{product_seq}\t{record}\t{billing}\t{file_id}/{record}\t{distributor}\n")


def check(out: Path, db: str, n: int):
    ids = json.loads((out / "ids.json").read_text())
    marks = ",".join("?" * len(ids["files"]))
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as connection:
        closed, right = connection.execute(f"""
            SELECT count(*), sum(r.external_billing_id = 'INV-' || r.record_id) FROM usage_records r
            JOIN usage_files f ON f.seq = r.file_seq WHERE f.id IN ({marks}) AND r.status = 'closed'""",
                                           ids["files"]).fetchone()
        files = connection.execute(f"""
            SELECT count(*) FROM usage_files f WHERE f.id IN ({marks}) AND f.status = 'closed'
              AND f.count_approved = 0 AND f.count_closed = ?""", [*ids["files"], ids["per_file"]]).fetchone()[0]
    if (closed, right, files) == (n, n, len(ids["files"])):
        print(f"check: ok, {n} records closed with their billing ids, {files} files closed")
    else:
        print(f"check: FAILED: {closed} closed records ({right} with the right id), {files} closed files")


if __name__ == "__main__":
    out = Path(sys.argv[1])
    command = sys.argv[2]
    if command == "world":
        ingest.stubs(out)
        world(out, sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6], int(sys.argv[7]), int(sys.argv[8]))
    elif command == "raw":
        raw(out, sys.argv[3])
    elif command == "check":
        check(out, sys.argv[3], int(sys.argv[4]))
    else:
        sys.exit(f"setup.py: unknown command {command}")
