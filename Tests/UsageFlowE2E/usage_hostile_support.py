# SPDX-License-Identifier: Apache-2.0
# UsageFlow — end-to-end tests: servers with chosen usage limits that can be killed and restarted,
# their memory use, record-stream uploads, and workbooks written byte by byte (for parts no Excel
# library would write: a DOCTYPE, a ZIP bomb, two million rows streamed into the archive).

from __future__ import annotations

import contextlib
import datetime as dt
import os
import signal
import struct
import zipfile
import zlib
from pathlib import Path
from typing import Iterable, Iterator
from xml.sax.saxutils import escape

import grpc

import usage_fixtures as uf
import usageflow_support as support

MIB = 1024 * 1024


# ---- The server ----------------------------------------------------------------------------------

class LimitedServer(support.Server):
    """`usageflow serve` with chosen usage limits and spool directory, which a test may kill with
    SIGKILL and start again on the same database and port."""

    def __init__(self, work_dir: Path, pki, *, max_file_records: int | None = None,
                 max_upload_bytes: int | None = None):
        super().__init__(work_dir, pki)
        self.spool = self.dir / "spool"
        self.spool.mkdir(exist_ok=True)
        self.settings = {"USAGEFLOW_SPOOL_DIR": str(self.spool)}
        if max_file_records is not None:
            self.settings["USAGEFLOW_MAX_FILE_RECORDS"] = str(max_file_records)
        if max_upload_bytes is not None:
            self.settings["USAGEFLOW_MAX_UPLOAD_BYTES"] = str(max_upload_bytes)

    def start(self) -> "LimitedServer":
        # The limits reach the process through the environment variables each flag has, so the
        # shared start-up (arguments, health wait) stays in one place.
        with _environment(self.settings):
            super().start()
        return self

    @property
    def pid(self) -> int:
        assert self.proc is not None and self.proc.poll() is None, "the server is not running"
        return self.proc.pid

    def kill(self) -> None:
        """SIGKILL: no handler runs, no transaction finishes, nothing is flushed."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=20)

    def memory(self) -> dict[str, int]:
        """VmRSS and VmHWM (peak resident set) of the server process, in bytes."""
        values = {}
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            name, _, rest = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                values[name] = int(rest.split()[0]) * 1024
        return values

    def spool_files(self) -> list[str]:
        return sorted(p.name for p in self.spool.iterdir())


@contextlib.contextmanager
def _environment(settings: dict[str, str]) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in settings}
    os.environ.update(settings)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


# ---- A vendor's world ----------------------------------------------------------------------------

def make_world(api, server, name: str):
    """A vendor with a QT product (integer, decimal(2) and decimal(8) items) listed under one
    distributor's contract, and one subscription."""
    _, common, _, _ = uf.pb()
    w = type("World", (), {})()
    w.vendor = uf.make_account(api, server, common.ROLE_VENDOR, f"{name} Vendor")
    w.distributor = uf.make_account(api, server, common.ROLE_DISTRIBUTOR, f"{name} Distributor")
    w.market = uf.Market(api, w.vendor, w.distributor, name)
    w.product, (w.integer_item, w.decimal_item, w.fine_item) = uf.make_product(
        api, w.vendor, f"{name} Product", items=[("integer", "INT"), ("decimal_2", "DEC"), ("decimal_8", "FINE")])
    w.market.list_product(w.product)
    w.sub = w.market.subscribe(w.product)
    return w


def new_file(api, w) -> dict:
    return uf.GrpcDriver(api).create(w.vendor.key, w.product, w.market.contract, name=uf.unique("file"))


# ---- Record streams ------------------------------------------------------------------------------

def record_input(values: dict):
    """A row dict (usage_fixtures.row) as an UploadRecords record."""
    from google.protobuf import timestamp_pb2
    _, _, _, usage = uf.pb()
    record = usage.UsageRecordInput()
    for column, value in values.items():
        if value is None:
            continue
        if column in ("start_time_utc", "end_time_utc"):
            stamp = timestamp_pb2.Timestamp()
            stamp.FromDatetime(value.replace(tzinfo=dt.timezone.utc) if isinstance(value, dt.datetime) else value)
            getattr(record, column).CopyFrom(stamp)
        elif column == "tier":
            record.tier = int(value)
        else:
            setattr(record, column, str(value))
    return record


def upload_records(api, key: str, file_id: str, rows: list[dict], *, batch: int = 500, timeout: float = 120) -> dict:
    """UploadRecords: a header, then the rows in batches; the reply as a proto3 JSON dict."""
    _, _, _, usage = uf.pb()

    def requests():
        yield usage.UploadRecordsRequest(header=usage.UploadRecordsHeader(file_id=file_id))
        for start in range(0, len(rows), batch):
            yield usage.UploadRecordsRequest(batch=usage.UsageRecordBatch(
                records=[record_input(r) for r in rows[start:start + batch]]))

    try:
        reply = api.vendor.UploadRecords(requests(), metadata=api.auth(key), timeout=timeout)
    except grpc.RpcError as error:
        raise uf.CallError(error.code().name, error.details() or "") from None
    return uf.GrpcDriver._dict(reply)


def upload_bytes(api, key: str, file_id: str, data: bytes | Iterable[bytes], fmt: str, *,
                 chunk: int = 64 * 1024, timeout: float = 120) -> dict:
    """UploadUsageFile with the given bytes (or an iterable of pieces, sent as they come)."""
    _, _, _, usage = uf.pb()
    declared = getattr(usage, f"USAGE_FILE_FORMAT_{fmt.upper()}")

    def pieces():
        if isinstance(data, (bytes, bytearray)):
            for offset in range(0, len(data), chunk):
                yield bytes(data[offset:offset + chunk])
        else:
            yield from data

    def requests():
        yield usage.UploadUsageFileRequest(header=usage.UploadUsageFileHeader(file_id=file_id, format=declared))
        for piece in pieces():
            yield usage.UploadUsageFileRequest(chunk=piece)

    try:
        reply = api.vendor.UploadUsageFile(requests(), metadata=api.auth(key), timeout=timeout)
    except grpc.RpcError as error:
        raise uf.CallError(error.code().name, error.details() or "") from None
    return uf.GrpcDriver._dict(reply)


def file_chunks(path: Path, chunk: int = 256 * 1024) -> Iterator[bytes]:
    with open(path, "rb") as handle:
        while piece := handle.read(chunk):
            yield piece


# ---- Workbooks written by hand -------------------------------------------------------------------

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '{shared}</Types>')
SHARED_OVERRIDE = ('<Override PartName="/xl/sharedStrings.xml" '
                   'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>')
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>')
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="{name}" sheetId="1" r:id="rId1"/></sheets></workbook>')
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'worksheet" Target="worksheets/sheet1.xml"/>{shared}</Relationships>')
SHARED_REL = ('<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
              'relationships/sharedStrings" Target="sharedStrings.xml"/>')
SHEET_OPEN = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
              '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
SHEET_CLOSE = '</sheetData></worksheet>'


def column_name(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(ord("A") + rest) + name
    return name


def cell_xml(reference: str, value) -> str:
    """A cell: a number as a `<v>` literal written as is (so `1E400` or `-0` reach the reader
    verbatim), anything else as an inline string. Pass `Number("…")` for a number literal."""
    if value is None:
        return ""
    if isinstance(value, Number):
        return f'<c r="{reference}"><v>{value}</v></c>'
    if isinstance(value, dt.datetime):
        value = uf.text_time(value)
    return f'<c r="{reference}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'


class Number(str):
    """A number cell's literal, exactly as it goes into `<v>`."""


def row_xml(number: int, values: list) -> str:
    cells = "".join(cell_xml(f"{column_name(i)}{number}", v) for i, v in enumerate(values))
    return f'<row r="{number}">{cells}</row>'


def sheet_rows_xml(rows: list[dict], header: list[str] | None = None) -> Iterator[bytes]:
    """The pieces of a records sheet: header row, then one `<row>` per dict."""
    header = header or uf.header_for(rows)
    yield (SHEET_OPEN + row_xml(1, header)).encode()
    for n, values in enumerate(rows, start=2):
        yield row_xml(n, [values.get(c) for c in header]).encode()
    yield SHEET_CLOSE.encode()


def write_workbook(path: Path, sheet: Iterable[bytes], *, sheet_name: str = "records",
                   shared_strings: bytes | None = None, level: int = 6,
                   sheet_size_hint: int | None = None) -> Path:
    """A minimal workbook whose sheet XML is streamed into the archive piece by piece, so a sheet
    of any size never sits whole in this process's memory either."""
    shared = shared_strings is not None
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES.format(shared=SHARED_OVERRIDE if shared else ""))
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK.format(name=sheet_name))
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.format(shared=SHARED_REL if shared else ""))
        if shared:
            archive.writestr("xl/sharedStrings.xml", shared_strings)
        force64 = sheet_size_hint is not None and sheet_size_hint > 0x7FFF0000
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=force64) as out:
            buffer = []
            size = 0
            for piece in sheet:
                buffer.append(piece)
                size += len(piece)
                if size >= MIB:
                    out.write(b"".join(buffer))
                    buffer, size = [], 0
            out.write(b"".join(buffer))
    return path


def workbook_parts(sheet: bytes, *, sheet_name: str = "records",
                   shared_strings: bytes | None = None) -> list[tuple[str, bytes]]:
    """The parts of the minimal workbook `write_workbook` writes, in memory."""
    shared = shared_strings is not None
    parts = [
        ("[Content_Types].xml", CONTENT_TYPES.format(shared=SHARED_OVERRIDE if shared else "").encode()),
        ("_rels/.rels", ROOT_RELS.encode()),
        ("xl/workbook.xml", WORKBOOK.format(name=sheet_name).encode()),
        ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.format(shared=SHARED_REL if shared else "").encode()),
    ]
    if shared:
        parts.append(("xl/sharedStrings.xml", shared_strings))
    parts.append(("xl/worksheets/sheet1.xml", sheet))
    return parts


def raw_archive(parts: list[tuple[str, bytes]], *, cut: str | None = None) -> bytes:
    """A ZIP archive written field by field, each part deflated. The part named `cut` keeps
    only the first half of its compressed bytes while its headers and the central directory
    agree with that shorter length: an archive that is whole as a container but whose entry
    ends before its deflate stream does (what a truncated copy of one member looks like)."""
    out = bytearray()
    central = bytearray()
    for name, content in parts:
        packer = zlib.compressobj(6, zlib.DEFLATED, -15)
        compressed = packer.compress(content) + packer.flush()
        if name == cut:
            compressed = compressed[:len(compressed) // 2]
        crc = zlib.crc32(content)
        encoded = name.encode()
        offset = len(out)
        fields = struct.pack("<HHHHHIII", 20, 0, 8, 0, 0x21, crc, len(compressed), len(content))
        out += b"PK\x03\x04" + fields + struct.pack("<HH", len(encoded), 0) + encoded + compressed
        central += (b"PK\x01\x02" + struct.pack("<H", 20) + fields
                    + struct.pack("<HHHHHII", len(encoded), 0, 0, 0, 0, 0, offset) + encoded)
    directory = len(out)
    out += central
    out += b"PK\x05\x06" + struct.pack("<HHHHIIH", 0, 0, len(parts), len(parts), len(central), directory, 0)
    return bytes(out)
