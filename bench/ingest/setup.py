#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# UsageFlow — usage ingest benchmark: the tenants, the inputs, the correctness checks and the rows
# the C reference inserts.
#
#   setup.py OUT tenants HOST:PORT CA OPERATOR_KEY      vendor, distributor, channel, QT product, items,
#                                                      SUBSCRIPTIONS subscriptions → OUT/ids.json
#   setup.py OUT file HOST:PORT CA KIND NAME             a usage file; writes OUT/KIND.header (the framed
#                                                      first message of the upload) and prints its id
#   setup.py OUT records N PATH                          N records as framed UploadRecordsRequest batches
#   setup.py OUT xlsx N PATH                             an N-row workbook written by openpyxl (records sheet)
#   setup.py OUT chunks XLSX PATH                        the workbook as framed UploadUsageFileRequest chunks
#   setup.py OUT check HOST:PORT CA KIND FILE_ID N       the file is ready with N valid records, spot-checked
#   setup.py OUT dump DB SCHEMA ROWS N                   every stored row checked; schema and rows for raw_insert.c
#   setup.py OUT openpyxl XLSX                           openpyxl iterating the workbook read-only (the reference)
#
# The records are deterministic and all valid: record ids R0000001…, two published PPU items (an
# integer one and a decimal(2) one, searched by `item.mpn`), SUBSCRIPTIONS subscriptions searched by
# `asset.external_id`, times inside the file's period, and one parameter column (`region`). The
# period lies PERIOD_DAYS days ahead (subscriptions are active from their creation on); the
# inputs depend only on N and the period, so run.sh caches them per day.
import datetime as dt
import json
import os
import re
import sqlite3
import struct
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
# Every file of the API (so a service that imports a new file needs no change here), and the
# google.rpc files it may import.
PROTOS = ["google/rpc/status.proto", "google/rpc/error_details.proto"] + sorted(
    str(p.relative_to(ROOT / "Protos")) for p in (ROOT / "Protos" / "usageflow" / "v1").glob("*.proto"))
SUBSCRIPTIONS = int(os.environ.get("SUBSCRIPTIONS", "10"))
BATCH = int(os.environ.get("BATCH", "1000"))
CHUNK = 64 * 1024
ITEMS = [("INTEGER", "BENCH-STORAGE-GBH"), ("DECIMAL_2", "BENCH-TRANSFER-GB")]
REGIONS = ["eu-central", "eu-west", "us-east", "us-west", "ap-south"]
COLUMNS = ["record_id", "item_search_criteria", "item_search_value", "quantity", "start_time_utc", "end_time_utc",
           "asset_search_criteria", "asset_search_value", "region"]


def period() -> tuple[dt.date, dt.date]:
    start = dt.datetime.now(dt.timezone.utc).date() + dt.timedelta(days=int(os.environ.get("PERIOD_DAYS", "10")))
    return start, start + dt.timedelta(days=2)


def stubs(out: Path):
    """grpcio stubs for the API's protos, as a flat package `ingest_stubs` under OUT/stubs."""
    site = out / "stubs"
    package = site / "ingest_stubs"
    if not (package / "vendor_service_pb2_grpc.py").exists():
        import grpc_tools
        well_known = Path(grpc_tools.__file__).resolve().parent / "_proto"
        raw = out / "stubs-raw"
        raw.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "grpc_tools.protoc", f"-I{ROOT / 'Protos'}", f"-I{well_known}",
                        f"--python_out={raw}", f"--grpc_python_out={raw}", *PROTOS], check=True)
        package.mkdir(parents=True, exist_ok=True)
        (package / "__init__.py").write_text("")
        imports = re.compile(r"^from (?:usageflow\.v1|google\.rpc) import (\w+)", re.MULTILINE)
        for proto in PROTOS:
            stem = Path(proto).with_suffix("")
            for suffix in ("_pb2.py", "_pb2_grpc.py"):
                source = raw / f"{stem}{suffix}"
                (package / source.name).write_text(imports.sub(r"from ingest_stubs import \1", source.read_text()))
    sys.path.insert(0, str(site))


def channel(target: str, ca: str):
    import grpc
    credentials = grpc.ssl_channel_credentials(root_certificates=Path(ca).read_bytes())
    return grpc.secure_channel(target, credentials, options=[
        ("grpc.ssl_target_name_override", "localhost"), ("grpc.default_authority", "localhost"),
        ("grpc.max_receive_message_length", 64 * 1024 * 1024)])


def frame(message: bytes) -> bytes:
    return struct.pack(">BI", 0, len(message)) + message


def auth(key: str):
    return [("authorization", f"Bearer {key}")]


# ---- Tenants ---------------------------------------------------------------------------------------

def tenants(out: Path, target: str, ca: str, operator_key: str):
    from ingest_stubs import (admin_service_pb2_grpc, catalogue_pb2, common_pb2, distributor_service_pb2_grpc,
                              requests_pb2 as req, reseller_service_pb2_grpc, vendor_service_pb2_grpc)
    with channel(target, ca) as ch:
        admin = admin_service_pb2_grpc.AdminServiceStub(ch)
        vendor = vendor_service_pb2_grpc.VendorServiceStub(ch)
        distributor = distributor_service_pb2_grpc.DistributorServiceStub(ch)
        reseller = reseller_service_pb2_grpc.ResellerServiceStub(ch)
        operator = auth(operator_key)

        def party(role, name):
            account = admin.CreateAccount(req.CreateAccountRequest(role=role, name=name), metadata=operator)
            key = admin.CreateApiKey(req.CreateApiKeyRequest(
                account_id=account.id, scope=common_pb2.KEY_SCOPE_FULL, name=f"{name} key"), metadata=operator).token
            return account, auth(key), key

        vendor_account, vendor_auth, vendor_key = party(common_pb2.ROLE_VENDOR, "Northwind Cloud Services GmbH")
        _, dist_auth, _ = party(common_pb2.ROLE_DISTRIBUTOR, "Contoso Distribution Ltd")
        marketplace = distributor.CreateMarketplace(
            req.CreateMarketplaceRequest(name="Europe", currency="EUR"), metadata=dist_auth)
        offered = distributor.OfferContract(req.OfferContractRequest(
            vendor_id=vendor_account.id, marketplace_id=marketplace.id), metadata=dist_auth)
        contract = vendor.AcceptContract(req.IdRequest(id=offered.id), metadata=vendor_auth)
        product = vendor.CreateProduct(req.CreateProductRequest(
            name="Northwind Object Storage",
            description="Object storage and transfer, billed by use.",
            capabilities=catalogue_pb2.Capabilities(ppu=True, schema=catalogue_pb2.PPU_SCHEMA_QT)),
            metadata=vendor_auth)
        for precision, mpn in ITEMS:
            item = vendor.CreateItem(req.CreateItemRequest(
                product_id=product.id, name=f"Storage {mpn}", mpn=mpn, type=catalogue_pb2.ITEM_TYPE_PPU,
                precision=getattr(catalogue_pb2, f"PRECISION_{precision}"), unit="unit*h"), metadata=vendor_auth)
            vendor.PublishItem(req.IdRequest(id=item.id), metadata=vendor_auth)
        listing = vendor.RequestListing(req.RequestListingRequest(
            product_id=product.id, contract_id=contract.id), metadata=vendor_auth)
        distributor.ApproveListing(req.IdRequest(id=listing.id), metadata=dist_auth)
        tier1 = distributor.CreateReseller(req.CreateResellerRequest(name="Fabrikam Reseller"), metadata=dist_auth)
        reseller_auth = auth(distributor.CreateResellerKey(req.CreateApiKeyRequest(
            account_id=tier1.id, scope=common_pb2.KEY_SCOPE_FULL), metadata=dist_auth).token)
        customer = reseller.CreateCustomer(req.CreateCustomerRequest(name="Tailspin Toys"), metadata=reseller_auth)
        for index in range(SUBSCRIPTIONS):
            reseller.CreateSubscription(req.CreateSubscriptionRequest(
                customer_id=customer.id, product_id=product.id, marketplace_id=marketplace.id,
                external_id=subscription_external_id(index)), metadata=reseller_auth)
    (out / "ids.json").write_text(json.dumps({
        "vendor_key": vendor_key, "product": product.id, "contract": contract.id}) + "\n")


def subscription_external_id(index: int) -> str:
    return f"SUB-NW-{index + 1:04d}"


def create_file(out: Path, target: str, ca: str, kind: str, name: str):
    from ingest_stubs import usage_pb2, vendor_service_pb2_grpc
    ids = json.loads((out / "ids.json").read_text())
    start, end = period()
    with channel(target, ca) as ch:
        vendor = vendor_service_pb2_grpc.VendorServiceStub(ch)
        file = vendor.CreateUsageFile(usage_pb2.CreateUsageFileRequest(
            product_id=ids["product"], contract_id=ids["contract"], name=name,
            period_from=str(start), period_to=str(end)), metadata=auth(ids["vendor_key"]))
    if kind == "records":
        header = usage_pb2.UploadRecordsRequest(header=usage_pb2.UploadRecordsHeader(
            file_id=file.id, parameter_columns=["region"]))
    else:
        header = usage_pb2.UploadUsageFileRequest(header=usage_pb2.UploadUsageFileHeader(
            file_id=file.id, format=usage_pb2.USAGE_FILE_FORMAT_XLSX))
    (out / f"{kind}.header").write_bytes(frame(header.SerializeToString()))
    print(file.id)


# ---- Inputs ----------------------------------------------------------------------------------------

def record_values(i: int, start: dt.date):
    """Record i (1-based): (record_id, mpn, quantity, start, end, subscription external id, region)."""
    integer = i % 2 == 1
    mpn = ITEMS[0][1] if integer else ITEMS[1][1]
    quantity = str(i % 5000 + 1) if integer else f"{i % 700}.{i % 97:02d}"
    begin = dt.datetime(start.year, start.month, start.day, tzinfo=dt.timezone.utc) + dt.timedelta(
        minutes=(i * 7) % (2 * 24 * 60))
    return (f"R{i:07d}", mpn, quantity, begin, begin + dt.timedelta(hours=1),
            subscription_external_id(i % SUBSCRIPTIONS), REGIONS[i % len(REGIONS)])


def records(n: int, path: Path):
    from ingest_stubs import usage_pb2
    start, _ = period()
    tmp = path.with_suffix(".tmp")
    with open(tmp, "wb") as output:
        batch = usage_pb2.UsageRecordBatch()
        for i in range(1, n + 1):
            record_id, mpn, quantity, begin, end, subscription, region = record_values(i, start)
            record = batch.records.add()
            record.record_id = record_id
            record.item_search_criteria = "item.mpn"
            record.item_search_value = mpn
            record.quantity = quantity
            record.start_time_utc.seconds = int(begin.timestamp())
            record.end_time_utc.seconds = int(end.timestamp())
            record.asset_search_criteria = "asset.external_id"
            record.asset_search_value = subscription
            record.parameter_values.append(region)
            if len(batch.records) == BATCH or i == n:
                output.write(frame(usage_pb2.UploadRecordsRequest(batch=batch).SerializeToString()))
                batch = usage_pb2.UsageRecordBatch()
    tmp.rename(path)


def xlsx(n: int, path: Path):
    """The records sheet written by openpyxl, as a vendor's tool would: text, numbers, date cells."""
    import openpyxl
    start, _ = period()
    book = openpyxl.Workbook(write_only=True)
    instructions = book.create_sheet("instructions")
    instructions.append(["Report usage in the records sheet; this sheet is ignored."])
    sheet = book.create_sheet("records")
    sheet.append(COLUMNS)
    for i in range(1, n + 1):
        record_id, mpn, quantity, begin, end, subscription, region = record_values(i, start)
        # Integers as number cells; decimals as text, since openpyxl writes a float with 17
        # significant digits (68.68 becomes 68.68000000000001, which a decimal(2) item refuses).
        cell = int(quantity) if "." not in quantity else quantity
        sheet.append([record_id, "item.mpn", mpn, cell, begin.replace(tzinfo=None),
                      end.replace(tzinfo=None), "asset.external_id", subscription, region])
    tmp = path.with_suffix(".tmp")
    book.save(tmp)
    tmp.rename(path)


def chunks(workbook: Path, path: Path):
    from ingest_stubs import usage_pb2
    data = workbook.read_bytes()
    with open(path, "wb") as output:
        for offset in range(0, len(data), CHUNK):
            output.write(frame(usage_pb2.UploadUsageFileRequest(chunk=data[offset:offset + CHUNK]).SerializeToString()))


# ---- Checks ----------------------------------------------------------------------------------------

def check(out: Path, target: str, ca: str, kind: str, file_id: str, n: int):
    """The file is ready with n valid records, and its first page of records is what was sent (dump
    checks every stored row)."""
    from ingest_stubs import requests_pb2, usage_pb2, vendor_service_pb2_grpc
    ids = json.loads((out / "ids.json").read_text())
    start, _ = period()
    problems = []
    with channel(target, ca) as ch:
        vendor = vendor_service_pb2_grpc.VendorServiceStub(ch)
        key = auth(ids["vendor_key"])
        file = vendor.GetUsageFile(requests_pb2.IdRequest(id=file_id), metadata=key)
        status = usage_pb2.UsageFileStatus.Name(file.status)
        if status != "USAGE_FILE_STATUS_READY":
            problems.append(f"status {status}, error detail {file.error_detail!r}")
        counts = (file.counts.uploaded, file.counts.valid, file.counts.invalid)
        if counts != (n, n, 0):
            problems.append(f"counts uploaded/valid/invalid {counts}, expected ({n}, {n}, 0)")
        if file.counts.invalid:
            bad = vendor.ListRecords(usage_pb2.ListUsageRecordsRequest(
                file_id=file_id, page_size=1, status=usage_pb2.USAGE_RECORD_STATUS_INVALID), metadata=key).records
            problems += [f"record {r.position} is invalid: {[(e.code, e.message) for e in r.errors]}" for r in bad]
        page = vendor.ListRecords(usage_pb2.ListUsageRecordsRequest(file_id=file_id, page_size=1000), metadata=key)
        if len(page.records) != min(n, 1000):
            problems.append(f"the first page has {len(page.records)} records")
        # A stream's positions count records from 1, a sheet's are its rows (the header is row 1).
        offset = 1 if kind == "xlsx" else 0
        for expected, record in enumerate(page.records, start=1):
            record_id, _, quantity, begin, end, _, region = record_values(expected, start)
            got = (record.position - offset, record.record_id, Decimal(record.quantity), record.start_time.seconds,
                   record.end_time.seconds, usage_pb2.UsageRecordStatus.Name(record.status), len(record.errors),
                   [(p.name, p.value) for p in record.parameters])
            want = (expected, record_id, Decimal(quantity), int(begin.timestamp()), int(end.timestamp()),
                    "USAGE_RECORD_STATUS_VALID", 0, [("region", region)])
            if got != want:
                problems.append(f"record {expected}: {got}, expected {want}")
                break
    if problems:
        sys.exit("check: " + "; ".join(problems))
    print(f"check: ok ({file_id} ready, {n} uploaded, {n} valid, 0 invalid; first page matches)")


# ---- The reference's rows --------------------------------------------------------------------------

def dump(db: Path, schema: Path, rows: Path, n: int):
    """The server's schema (every table and index) and its usage_records rows in insertion order, in
    the binary form raw_insert.c reads: per row 21 values, each a tag byte (0 NULL, 1 integer as 8
    bytes little-endian, 3 text as a 4-byte little-endian length and the bytes).

    On the way it checks every stored row against the record sent: position, record id, status,
    quantity, times (microseconds), and that the item and subscription were resolved."""
    connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    statements = [sql for (sql,) in connection.execute(
        "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY rowid")]
    schema.write_text(";\n".join(statements) + ";\n")
    columns = ("file_seq, product_seq, position, record_id, status, note, item_id, subscription_id, quantity, "
               "amount, tier, start_at, end_at, category_id, asset_recon_id, parameters, raw_values, errors, "
               "external_billing_id, external_billing_note, closed_at")
    count = 0
    start, _ = period()
    with open(rows, "wb") as output:
        buffer = bytearray()
        for row in connection.execute(f"SELECT {columns} FROM usage_records ORDER BY seq"):
            i = count + 1
            record_id, _, quantity, begin, end, _, _ = record_values(i, start)
            want = (i, record_id, "valid", quantity, int(begin.timestamp()) * 1_000_000,
                    int(end.timestamp()) * 1_000_000)
            got = (row[2], row[3], row[4], row[8], row[11], row[12])
            if got != want or row[6] is None or row[7] is None or row[17] != "":
                sys.exit(f"dump: stored row {i} is {row}, expected {want} with an item, a subscription, no errors")
            for value in row:
                if value is None:
                    buffer += b"\x00"
                elif isinstance(value, int):
                    buffer += b"\x01" + struct.pack("<q", value)
                else:
                    encoded = value.encode()
                    buffer += b"\x03" + struct.pack("<I", len(encoded)) + encoded
            count += 1
            if len(buffer) > 1 << 20:
                output.write(buffer)
                buffer.clear()
        output.write(buffer)
    if count != n:
        sys.exit(f"dump: {count} rows stored, expected {n}")
    print(f"dump: {count} rows checked, {rows.stat().st_size} bytes for the reference")


def openpyxl_iterate(workbook: Path):
    """The reference: openpyxl merely iterating the records sheet read-only, values only."""
    import openpyxl
    started = time.perf_counter()
    cpu = time.process_time()
    book = openpyxl.load_workbook(workbook, read_only=True)
    rows = cells = 0
    for row in book["records"].iter_rows(values_only=True):
        rows += 1
        cells += sum(1 for value in row if value is not None)
    book.close()
    print(f"{rows - 1}\t{time.perf_counter() - started:.3f}\t{time.process_time() - cpu:.3f}\t{cells}")


def main():
    out, mode, args = Path(sys.argv[1]), sys.argv[2], sys.argv[3:]
    stubs(out)
    if mode == "tenants":
        tenants(out, *args)
    elif mode == "file":
        create_file(out, *args)
    elif mode == "records":
        records(int(args[0]), Path(args[1]))
    elif mode == "xlsx":
        xlsx(int(args[0]), Path(args[1]))
    elif mode == "chunks":
        chunks(Path(args[0]), Path(args[1]))
    elif mode == "check":
        check(out, args[0], args[1], args[2], args[3], int(args[4]))
    elif mode == "dump":
        dump(Path(args[0]), Path(args[1]), Path(args[2]), int(args[3]))
    elif mode == "openpyxl":
        openpyxl_iterate(Path(args[0]))
    else:
        sys.exit(f"setup.py: unknown mode {mode}")


if __name__ == "__main__":
    main()
