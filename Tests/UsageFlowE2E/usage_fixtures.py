# SPDX-License-Identifier: Apache-2.0
# UsageFlow — end-to-end tests: tenants and channels for usage files, spreadsheets written by
# openpyxl and the csv module, and two drivers of the usage-file flow (grpcio and the CLI) that
# answer the same proto3 JSON dictionaries, so each scenario runs through both.

from __future__ import annotations

import datetime as dt
import csv
import io
import json
import uuid
from decimal import Decimal
from pathlib import Path

import grpc
import openpyxl
from google.protobuf import json_format

import usageflow_support as support

UTC = dt.timezone.utc

# The record columns of SPEC §3.1, in the template's order.
COLUMNS = [
    "record_id", "record_note", "item_search_criteria", "item_search_value", "quantity", "amount", "tier",
    "start_time_utc", "end_time_utc", "asset_search_criteria", "asset_search_value", "category_id",
    "asset_recon_id",
]
DYNAMIC_COLUMNS = ["item_name", "item_mpn", "item_unit", "item_precision"]


def pb():
    from uf_stubs import catalogue_pb2, common_pb2, requests_pb2, usage_pb2
    return catalogue_pb2, common_pb2, requests_pb2, usage_pb2


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


# ---- Periods and times ---------------------------------------------------------------------------
#
# Subscriptions are created by the tests, so they are active from now on: every period lies a few
# days ahead, where records inside it, before it (late) and after it (future) all fall while the
# subscription is active, and only the period rules decide.

def period_start() -> dt.date:
    return dt.datetime.now(UTC).date() + dt.timedelta(days=10)


PERIOD_FROM = period_start()
PERIOD_TO = PERIOD_FROM + dt.timedelta(days=2)


def at(day_offset: int, hour: int, minute: int = 0) -> dt.datetime:
    """A time `day_offset` days after the period's first day (negative: before it), UTC, naive
    as Excel date cells are."""
    day = PERIOD_FROM + dt.timedelta(days=day_offset)
    return dt.datetime(day.year, day.month, day.day, hour, minute)


def text_time(value: dt.datetime, offset: str = "") -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") + offset


# ---- Tenants and channels ------------------------------------------------------------------------

class Party:
    def __init__(self, account_id: str, key: str):
        self.id = account_id
        self.key = key


def make_account(api, server, role, name: str) -> Party:
    _, common, req, _ = pb()
    account = api.call(api.admin.CreateAccount, req.CreateAccountRequest(role=role, name=name), server.operator_key)
    issued = api.call(api.admin.CreateApiKey, req.CreateApiKeyRequest(
        account_id=account.id, scope=common.KEY_SCOPE_FULL, name=f"{name} key"), server.operator_key)
    return Party(account.id, issued.token)


class Market:
    """A distributor's marketplace with a contract to one vendor, a reseller (allowed tier 2) with a
    tier-2 reseller under it, and a customer of each."""

    def __init__(self, api, vendor: Party, distributor: Party, name: str):
        catalogue, common, req, _ = pb()
        self.api = api
        self.vendor = vendor
        self.distributor = distributor
        self.marketplace = api.call(api.distributor.CreateMarketplace,
                                    req.CreateMarketplaceRequest(name=name, currency="USD"), distributor.key)
        offered = api.call(api.distributor.OfferContract, req.OfferContractRequest(
            vendor_id=vendor.id, marketplace_id=self.marketplace.id), distributor.key)
        self.contract = api.call(api.vendor.AcceptContract, req.IdRequest(id=offered.id), vendor.key)
        self.reseller = api.call(api.distributor.CreateReseller, req.CreateResellerRequest(
            name=f"{name} Reseller", allow_tier2=True), distributor.key)
        self.reseller_key = api.call(api.distributor.CreateResellerKey, req.CreateApiKeyRequest(
            account_id=self.reseller.id, scope=common.KEY_SCOPE_FULL), distributor.key).token
        self.customer = api.call(api.reseller.CreateCustomer, req.CreateCustomerRequest(name=f"{name} Customer"),
                                 self.reseller_key)
        self.tier2 = api.call(api.reseller.CreateReseller, req.CreateResellerRequest(name=f"{name} Tier 2"),
                              self.reseller_key)
        self.tier2_key = api.call(api.distributor.CreateResellerKey, req.CreateApiKeyRequest(
            account_id=self.tier2.id, scope=common.KEY_SCOPE_FULL), distributor.key).token
        self.tier2_customer = api.call(api.reseller.CreateCustomer, req.CreateCustomerRequest(
            name=f"{name} Tier-2 Customer"), self.tier2_key)

    def list_product(self, product):
        _, _, req, _ = pb()
        listing = self.api.call(self.api.vendor.RequestListing, req.RequestListingRequest(
            product_id=product.id, contract_id=self.contract.id), self.vendor.key)
        return self.api.call(self.api.distributor.ApproveListing, req.IdRequest(id=listing.id), self.distributor.key)

    def subscribe(self, product, *, tier2: bool = False, external_id: str = "", recon: str = ""):
        catalogue, _, req, _ = pb()
        parameters = [catalogue.Parameter(name="tenant_id", value=recon, reconciliation=True)] if recon else []
        customer, key = (self.tier2_customer, self.tier2_key) if tier2 else (self.customer, self.reseller_key)
        return self.api.call(self.api.reseller.CreateSubscription, req.CreateSubscriptionRequest(
            customer_id=customer.id, product_id=product.id, marketplace_id=self.marketplace.id,
            external_id=external_id, parameters=parameters), key)


def make_product(api, vendor: Party, name: str, *, schema: str = "QT", items=(("integer", "INT"), ("decimal_2", "DEC")),
                 dynamic=False, late=False, future=False, tier_levels=0):
    """A published pay-as-you-go product with one PPU item per (precision, mpn prefix)."""
    catalogue, _, req, _ = pb()
    caps = catalogue.Capabilities(ppu=True, schema=getattr(catalogue, f"PPU_SCHEMA_{schema}"), dynamic=dynamic,
                                  late=late, future=future, tier_levels=tier_levels)
    product = api.call(api.vendor.CreateProduct, req.CreateProductRequest(name=name, capabilities=caps), vendor.key)
    created = []
    for precision, prefix in items:
        item = api.call(api.vendor.CreateItem, req.CreateItemRequest(
            product_id=product.id, name=f"{name} {prefix}", mpn=unique(prefix), type=catalogue.ITEM_TYPE_PPU,
            precision=getattr(catalogue, f"PRECISION_{precision.upper()}"), unit="unit*h"), vendor.key)
        created.append(api.call(api.vendor.PublishItem, req.IdRequest(id=item.id), vendor.key))
    return product, created


# ---- Rows and spreadsheets -----------------------------------------------------------------------

def row(record_id: str, item, subscription, quantity, *, start=None, end=None, **extra) -> dict:
    """One record as a dict of column → cell value (str, int, Decimal, datetime or None).

    `item` is an Item (searched by MPN) or a (criteria, value) pair; `subscription` a Subscription
    (searched by id) or a pair.
    """
    item_criteria, item_value = item if isinstance(item, tuple) else ("item.mpn", item.mpn)
    asset_criteria, asset_value = subscription if isinstance(subscription, tuple) else ("asset.id", subscription.id)
    values = {
        "record_id": record_id, "item_search_criteria": item_criteria, "item_search_value": item_value,
        "quantity": quantity, "start_time_utc": start or at(0, 10), "end_time_utc": end or at(0, 11),
        "asset_search_criteria": asset_criteria, "asset_search_value": asset_value,
    }
    values.update(extra)
    return values


def header_for(rows: list[dict], extra: tuple[str, ...] = ()) -> list[str]:
    columns = [c for c in COLUMNS if any(c in r for r in rows)]
    for r in rows:
        for c in r:
            if c not in columns and c not in extra:
                columns.append(c)
    return columns + [c for c in extra if c not in columns]


def write_xlsx(path: Path, rows: list[dict], *, sheet: str = "records", header: list[str] | None = None,
               categories: list[tuple[str, str, str]] | None = None, date_cells: bool = True,
               writer: str = "openpyxl") -> Path:
    """A workbook as a vendor's tool writes one: decoy `instructions` and `general` sheets first,
    the records sheet by name, numbers as numbers and times as Excel date cells (or as text when
    `date_cells` is false).

    openpyxl writes strings inline in each cell; XlsxWriter (`writer="xlsxwriter"`) writes them to
    the shared-string table, as Excel does, so both ways of storing text are exercised.
    """
    header = header or header_for(rows)
    if writer == "xlsxwriter":
        return _write_xlsx_shared_strings(path, rows, sheet=sheet, header=header, categories=categories,
                                          date_cells=date_cells)
    book = openpyxl.Workbook()
    instructions = book.active
    instructions.title = "instructions"
    instructions["A1"] = "Report usage in the records sheet; this sheet is ignored."
    general = book.create_sheet("general")
    general.append(["attribute_id", "attribute_value"])
    general.append(["report_name", "written by openpyxl"])
    records = book.create_sheet(sheet)
    records.append(header)
    for values in rows:
        cells = []
        for column in header:
            value = values.get(column)
            if isinstance(value, dt.datetime) and not date_cells:
                value = text_time(value)
            cells.append(value)
        records.append(cells)
        for cell in records[records.max_row]:
            if isinstance(cell.value, dt.datetime):
                cell.number_format = "yyyy-mm-dd hh:mm:ss"
    if categories is not None:
        sheet_ = book.create_sheet("categories")
        sheet_.append(["category_id", "category_name", "category_description"])
        for category in categories:
            sheet_.append(list(category))
    book.save(path)
    return path


def _write_xlsx_shared_strings(path: Path, rows: list[dict], *, sheet: str, header: list[str],
                               categories, date_cells: bool) -> Path:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    date_format = book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    book.add_worksheet("instructions").write_string(0, 0, "Report usage in the records sheet; this sheet is ignored.")
    general = book.add_worksheet("general")
    general.write_row(0, 0, ["attribute_id", "attribute_value"])
    general.write_row(1, 0, ["report_name", "written by XlsxWriter"])
    records = book.add_worksheet(sheet)
    records.write_row(0, 0, header)
    for number, values in enumerate(rows, start=1):
        for column, name in enumerate(header):
            value = values.get(name)
            if value is None:
                continue
            if isinstance(value, dt.datetime):
                if date_cells:
                    records.write_datetime(number, column, value, date_format)
                else:
                    records.write_string(number, column, text_time(value))
            elif isinstance(value, (int, Decimal)) and not isinstance(value, bool):
                # XlsxWriter stores numbers as doubles; these fixtures' decimals have exact
                # shortest forms, so the cell text is the decimal as written.
                records.write_number(number, column, float(value))
            else:
                records.write_string(number, column, str(value))
    if categories is not None:
        sheet_ = book.add_worksheet("categories")
        sheet_.write_row(0, 0, ["category_id", "category_name", "category_description"])
        for number, category in enumerate(categories, start=1):
            for column, value in enumerate(category):
                if value:
                    sheet_.write_string(number, column, value)
    book.close()
    return path


def write_csv(path: Path, rows: list[dict], *, header: list[str] | None = None) -> Path:
    """RFC 4180: CRLF line ends, quotes only where needed, times as `YYYY-MM-DD HH:MM:SS`."""
    header = header or header_for(rows)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(header)
        for values in rows:
            cells = []
            for column in header:
                value = values.get(column)
                if isinstance(value, dt.datetime):
                    value = text_time(value)
                cells.append("" if value is None else str(value))
            writer.writerow(cells)
    return path


def write_fixture(directory: Path, fmt: str, rows: list[dict], **options) -> Path:
    path = directory / f"{unique('usage')}.{fmt}"
    if fmt == "xlsx":
        return write_xlsx(path, rows, **options)
    options.pop("sheet", None)
    options.pop("categories", None)
    options.pop("date_cells", None)
    options.pop("writer", None)
    return write_csv(path, rows, **options)


def read_xlsx_rows(data: bytes, sheet: str = "records") -> list[list]:
    """A sheet's rows, each padded to the header's width (a row's trailing empty cells may be absent)."""
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    assert sheet in book.sheetnames, book.sheetnames
    rows = [list(r) for r in book[sheet].iter_rows(values_only=True)]
    width = max((len(r) for r in rows), default=0)
    return [r + [None] * (width - len(r)) for r in rows]


def read_csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


# ---- Replies -------------------------------------------------------------------------------------

STATUS = {name: f"USAGE_FILE_STATUS_{name.upper()}" for name in
          ["draft", "uploading", "processing", "invalid", "ready", "pending", "accepted", "rejected", "closed",
           "deleted"]}


def count(file: dict, name: str) -> int:
    return int(file.get("counts", {}).get(name, "0"))


def codes(record: dict) -> list[str]:
    return [e["code"] for e in record.get("errors", [])]


class CallError(Exception):
    """A failed call, the same from grpcio and from the CLI: the status name and message."""

    def __init__(self, code: str, message: str):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


def expect_call_error(code: str, call, *args, **kwargs) -> CallError:
    try:
        reply = call(*args, **kwargs)
    except CallError as error:
        assert error.code == code, f"expected {code}, got {error.code}: {error.message}"
        return error
    raise AssertionError(f"expected {code}, got a reply: {reply}")


# ---- Drivers -------------------------------------------------------------------------------------

class GrpcDriver:
    """The usage-file flow through grpcio stubs; replies as proto3 JSON dicts."""

    name = "grpc"

    def __init__(self, api):
        self.api = api

    @staticmethod
    def _dict(message) -> dict:
        return json_format.MessageToDict(message)

    def _call(self, method, request, key):
        try:
            return self.api.call(method, request, key)
        except grpc.RpcError as error:
            raise CallError(error.code().name, error.details() or "") from None

    def create(self, key, product, contract, *, name="Usage", period_from=None, period_to=None, external_id="",
               environment="production", note="", description="") -> dict:
        _, _, _, usage = pb()
        request = usage.CreateUsageFileRequest(
            product_id=product.id, contract_id=contract.id, name=name, external_id=external_id, note=note,
            description=description, period_from=str(period_from or PERIOD_FROM),
            period_to=str(period_to or PERIOD_TO),
            environment=getattr(usage, f"USAGE_ENVIRONMENT_{environment.upper()}"))
        return self._dict(self._call(self.api.vendor.CreateUsageFile, request, key))

    def upload(self, key, file_id: str, path: Path, *, chunk: int = 16 * 1024) -> dict:
        _, _, _, usage = pb()
        fmt = usage.USAGE_FILE_FORMAT_XLSX if path.suffix == ".xlsx" else usage.USAGE_FILE_FORMAT_CSV
        data = path.read_bytes()

        def requests():
            yield usage.UploadUsageFileRequest(header=usage.UploadUsageFileHeader(file_id=file_id, format=fmt))
            for offset in range(0, len(data), chunk):
                yield usage.UploadUsageFileRequest(chunk=data[offset:offset + chunk])

        try:
            reply = self.api.vendor.UploadUsageFile(requests(), metadata=self.api.auth(key), timeout=120)
        except grpc.RpcError as error:
            raise CallError(error.code().name, error.details() or "") from None
        return self._dict(reply)

    def get(self, key, file_id: str, *, role: str = "vendor") -> dict:
        _, _, req, _ = pb()
        return self._dict(self._call(getattr(self.api, role).GetUsageFile, req.IdRequest(id=file_id), key))

    def records(self, key, file_id: str, *, status: str | None = None, role: str = "vendor") -> list[dict]:
        _, _, _, usage = pb()
        out, token = [], ""
        while True:
            request = usage.ListUsageRecordsRequest(file_id=file_id, page_token=token, page_size=1000)
            if status:
                request.status = getattr(usage, f"USAGE_RECORD_STATUS_{status.upper()}")
            page = self._call(getattr(self.api, role).ListRecords, request, key)
            out += [self._dict(r) for r in page.records]
            token = page.next_page_token
            if not token:
                return out

    def list(self, key, *, role: str = "vendor", status: str | None = None, product_id: str = "") -> list[dict]:
        _, _, _, usage = pb()
        request = usage.ListUsageFilesRequest(product_id=product_id, page_size=1000)
        if status:
            request.status = getattr(usage, STATUS[status])
        return [self._dict(f) for f in self._call(getattr(self.api, role).ListUsageFiles, request, key).files]

    def submit(self, key, file_id: str) -> dict:
        _, _, req, _ = pb()
        return self._dict(self._call(self.api.vendor.SubmitUsageFile, req.IdRequest(id=file_id), key))

    def delete(self, key, file_id: str) -> dict:
        _, _, req, _ = pb()
        return self._dict(self._call(self.api.vendor.DeleteUsageFile, req.IdRequest(id=file_id), key))

    def accept(self, key, file_id: str, note: str = "") -> dict:
        _, _, _, usage = pb()
        return self._dict(self._call(self.api.distributor.AcceptUsageFile,
                                     usage.AcceptUsageFileRequest(id=file_id, note=note), key))

    def reject(self, key, file_id: str, note: str) -> dict:
        _, _, _, usage = pb()
        return self._dict(self._call(self.api.distributor.RejectUsageFile,
                                     usage.RejectUsageFileRequest(id=file_id, note=note), key))

    def _download(self, method, request, key) -> bytes:
        try:
            chunks = list(method(request, metadata=self.api.auth(key), timeout=120))
        except grpc.RpcError as error:
            raise CallError(error.code().name, error.details() or "") from None
        return b"".join(c.data for c in chunks)

    def processed(self, key, file_id: str, fmt: str = "xlsx") -> bytes:
        _, _, _, usage = pb()
        request = usage.DownloadProcessedFileRequest(
            file_id=file_id, format=getattr(usage, f"USAGE_FILE_FORMAT_{fmt.upper()}"))
        return self._download(self.api.vendor.DownloadProcessedFile, request, key)

    def template(self, key, product_id: str, fmt: str = "xlsx") -> bytes:
        _, _, _, usage = pb()
        request = usage.DownloadTemplateRequest(
            product_id=product_id, format=getattr(usage, f"USAGE_FILE_FORMAT_{fmt.upper()}"))
        return self._download(self.api.vendor.DownloadTemplate, request, key)

    def _reconciliation(self):
        # A bulk result's failed status may carry google.rpc.BadRequest in its details; importing
        # error_details registers that type so the reply converts to JSON.
        from uf_stubs import error_details_pb2, reconciliation_pb2  # noqa: F401
        return reconciliation_pb2

    def close_record(self, key, file_id: str, record_id: str, billing_id: str, note: str = "") -> dict:
        recon = self._reconciliation()
        return self._dict(self._call(self.api.distributor.CloseRecord, recon.CloseRecordRequest(
            file_id=file_id, record_id=record_id, external_billing_id=billing_id, external_billing_note=note), key))

    def close_records(self, key, file_id: str, closes: list[tuple[str, str, str]]) -> dict:
        """`closes`: (record_id, billing id, note) per record, in order."""
        recon = self._reconciliation()
        request = recon.CloseRecordsRequest(file_id=file_id, records=[
            recon.RecordClose(record_id=r, external_billing_id=b, external_billing_note=n) for r, b, n in closes])
        return self._dict(self._call(self.api.distributor.CloseRecords, request, key))

    def close_file(self, key, file_id: str, billing_id: str, note: str = "") -> dict:
        recon = self._reconciliation()
        return self._dict(self._call(self.api.distributor.CloseUsageFile, recon.CloseUsageFileRequest(
            id=file_id, external_billing_id=billing_id, external_billing_note=note), key))


class CliDriver:
    """The same flow through `usageflow vendor files …` and `usageflow distributor files …`, and the
    distributor's closes through `distributor records close|close-many` and `distributor usage-files close`."""

    name = "cli"

    def __init__(self, server, work_dir: Path):
        self.server = server
        self.dir = work_dir
        self.dir.mkdir(parents=True, exist_ok=True)

    def run(self, key, args: list[str], *, json_output: bool = True):
        result = support.run_cli([*args, *(["--json"] if json_output else [])], key=key, server=self.server,
                                 timeout=180)
        errors = [n for n, line in enumerate(result.stderr.splitlines()) if line.startswith("error: ")]
        if result.returncode == 1 and errors:
            lines = result.stderr.splitlines()[errors[0]:]
            code, _, message = lines[0][len("error: "):].partition(": ")
            raise CallError(code, "\n".join([message, *lines[1:]]))
        assert result.returncode == 0, f"usageflow {' '.join(args)} exited {result.returncode}:\n{result.stderr}"
        self.last = result
        return result

    def _json(self, key, args: list[str]) -> dict:
        return json.loads(self.run(key, args).stdout)

    def create(self, key, product, contract, *, name="Usage", period_from=None, period_to=None, external_id="",
               environment="production", note="", description="") -> dict:
        args = ["vendor", "files", "create", "--product-id", product.id, "--contract-id", contract.id,
                "--name", name, "--period-from", str(period_from or PERIOD_FROM),
                "--period-to", str(period_to or PERIOD_TO), "--environment", environment]
        for flag, value in [("--external-id", external_id), ("--note", note), ("--description", description)]:
            if value:
                args += [flag, value]
        return self._json(key, args)

    def upload(self, key, file_id: str, path: Path) -> dict:
        return self._json(key, ["vendor", "files", "upload", file_id, str(path)])

    def get(self, key, file_id: str, *, role: str = "vendor") -> dict:
        return self._json(key, [role, "files", "status", file_id])

    def records(self, key, file_id: str, *, status: str | None = None, role: str = "vendor") -> list[dict]:
        out, token = [], ""
        while True:
            args = [role, "files", "records", file_id, "--page-size", "1000"]
            if status:
                args += ["--status", status]
            if token:
                args += ["--page-token", token]
            page = self._json(key, args)
            out += page.get("records", [])
            token = page.get("nextPageToken", "")
            if not token:
                return out

    def list(self, key, *, role: str = "vendor", status: str | None = None, product_id: str = "") -> list[dict]:
        args = [role, "files", "list", "--page-size", "1000"]
        if status:
            args += ["--status", status]
        if product_id:
            args += ["--product-id", product_id]
        return self._json(key, args).get("files", [])

    def submit(self, key, file_id: str) -> dict:
        return self._json(key, ["vendor", "files", "submit", file_id])

    def delete(self, key, file_id: str) -> dict:
        return self._json(key, ["vendor", "files", "delete", file_id])

    def accept(self, key, file_id: str, note: str = "") -> dict:
        return self._json(key, ["distributor", "files", "accept", file_id, *(["--note", note] if note else [])])

    def reject(self, key, file_id: str, note: str) -> dict:
        return self._json(key, ["distributor", "files", "reject", file_id, "--note", note])

    def _download(self, key, args: list[str]) -> bytes:
        out = self.dir / unique("download")
        self.run(key, [*args, "--out", str(out)], json_output=False)
        return out.read_bytes()

    def processed(self, key, file_id: str, fmt: str = "xlsx") -> bytes:
        return self._download(key, ["vendor", "files", "processed", file_id, "--format", fmt])

    def template(self, key, product_id: str, fmt: str = "xlsx") -> bytes:
        return self._download(key, ["vendor", "files", "template", product_id, "--format", fmt])

    def close_record(self, key, file_id: str, record_id: str, billing_id: str, note: str = "") -> dict:
        args = ["distributor", "records", "close", "--file-id", file_id, "--record-id", record_id,
                "--external-billing-id", billing_id]
        return self._json(key, [*args, *(["--external-billing-note", note] if note else [])])

    def close_records(self, key, file_id: str, closes: list[tuple[str, str, str]]) -> dict:
        """`closes`: (record_id, billing id, note) per record, in order, sent as the `--data` body."""
        body = {"fileId": file_id, "records": [
            {"recordId": r, "externalBillingId": b, "externalBillingNote": n} for r, b, n in closes]}
        return self._json(key, ["distributor", "records", "close-many", "--data", json.dumps(body)])

    def close_file(self, key, file_id: str, billing_id: str, note: str = "") -> dict:
        args = ["distributor", "usage-files", "close", file_id, "--external-billing-id", billing_id]
        return self._json(key, [*args, *(["--external-billing-note", note] if note else [])])
