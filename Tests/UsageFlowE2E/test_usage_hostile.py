# SPDX-License-Identifier: Apache-2.0
# UsageFlow — end-to-end: hostile uploads. Truncated and corrupt archives, ZIP bombs (honest and
# lying about their size), XML with a DOCTYPE (entity expansion, external entities) or undefined
# entities, a sheet of two million rows, CSV with an unbalanced quote, invalid UTF-8, numbers such
# as `1e400`, `NaN`, `-0` and `1.234567891` on a decimal(8) item, and uploads over the byte limit.
#
# Each gives a precise file error (the file becomes `invalid` with the reason as its error detail
# and no records: nothing of the upload, nor of the record set it replaced, is half kept) or a
# precise error on each affected record, leaves no spooled upload behind, and leaves the file
# usable: a good upload afterwards makes it `ready`. The last test checks that the server's peak
# memory through the whole battery stayed bounded.

from __future__ import annotations

import csv
import datetime as dt
import io
import struct
import time
import uuid
import zipfile
from decimal import Decimal

import grpc
import pytest

import usage_fixtures as uf
import usage_hostile_support as hs
import usageflow_support as support
from usage_fixtures import count, row

# The records-per-file limit of the module's server: the two-million-row sheet is real, and the
# server must refuse it after streaming this many records, without reading the rest into memory.
RECORD_LIMIT = 50_000
# The byte limit of the second server, for the byte-limit cases.
BYTE_LIMIT = 64 * 1024
# How much the server's peak resident set may grow over the battery. The battery pushes a 1 GiB
# ZIP bomb, a sheet of about 0.6 GiB of XML, billion-laughs entities and a 50,000-record
# transaction through one process: holding any of them whole would pass this bound several times
# over, while a streaming reader needs only its window (an XML token is capped at 4 MiB), a batch
# of 512 records and SQLite's page cache.
PEAK_GROWTH_BOUND = 64 * hs.MIB

_battery: set[str] = set()


@pytest.fixture(scope="module")
def hostile(pki, tmp_path_factory):
    server = hs.LimitedServer(tmp_path_factory.mktemp("hostile") / "server", pki, max_file_records=RECORD_LIMIT)
    server.init()
    server.start()
    channel = server.channel()
    api = support.Api(channel)
    h = type("Hostile", (), {})()
    h.server, h.api = server, api
    h.w = hs.make_world(api, server, "Hostile")
    # Warm the paths the battery uses (a good workbook, CSV and record stream) before the
    # baseline, so the bound measures what hostile input adds, not first-use allocations.
    for fmt in ("xlsx", "csv", "records"):
        file = hs.new_file(api, h.w)
        _good_upload(h, file["id"], fmt)
    h.baseline = server.memory()
    yield h
    channel.close()
    code = server.stop()
    assert code == 0, f"usageflow serve exited {code} on SIGTERM:\n" + "".join(server.output[-50:])


@pytest.fixture(scope="module")
def small(pki, tmp_path_factory):
    """A server whose uploads may have at most BYTE_LIMIT bytes."""
    server = hs.LimitedServer(tmp_path_factory.mktemp("small") / "server", pki, max_upload_bytes=BYTE_LIMIT)
    server.init()
    server.start()
    channel = server.channel()
    h = type("Small", (), {})()
    h.server, h.api = server, support.Api(channel)
    h.w = hs.make_world(h.api, server, "Small")
    yield h
    channel.close()
    code = server.stop()
    assert code == 0, f"usageflow serve exited {code} on SIGTERM:\n" + "".join(server.output[-50:])


# ---- Helpers -------------------------------------------------------------------------------------

def _good_rows(w, prefix: str, n: int = 3) -> list[dict]:
    return [row(f"{prefix}-{i}", w.integer_item, w.sub, i + 1) for i in range(n)]


def _good_upload(h, file_id: str, fmt: str = "csv") -> dict:
    rows = _good_rows(h.w, uf.unique("good"))
    if fmt == "records":
        reply = hs.upload_records(h.api, h.w.vendor.key, file_id, rows)
    else:
        data = _xlsx_bytes(rows) if fmt == "xlsx" else _csv_bytes(rows)
        reply = hs.upload_bytes(h.api, h.w.vendor.key, file_id, data, fmt)
    assert reply["status"] == uf.STATUS["ready"] and count(reply, "uploaded") == len(rows), reply
    return reply


def _csv_bytes(rows: list[dict], header: list[str] | None = None) -> bytes:
    """RFC 4180 bytes, as usage_fixtures.write_csv writes them, without a file."""
    header = header or uf.header_for(rows)
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for values in rows:
        cells = [values.get(c) for c in header]
        writer.writerow(["" if v is None else uf.text_time(v) if isinstance(v, dt.datetime) else str(v) for v in cells])
    return out.getvalue().encode()


def _xlsx_bytes(rows: list[dict], **options) -> bytes:
    """A workbook written by openpyxl."""
    import tempfile
    from pathlib import Path
    with tempfile.TemporaryDirectory() as directory:
        return uf.write_xlsx(Path(directory) / "book.xlsx", rows, **options).read_bytes()


def _hand_written_xlsx(rows: list[dict] | None = None, *, sheet: bytes | None = None,
                       shared_strings: bytes | None = None) -> bytes:
    import tempfile
    from pathlib import Path
    pieces = [sheet] if sheet is not None else hs.sheet_rows_xml(rows or [])
    with tempfile.TemporaryDirectory() as directory:
        return hs.write_workbook(Path(directory) / "book.xlsx", pieces, shared_strings=shared_strings).read_bytes()


def _replace_member(data: bytes, name: str, content: bytes) -> bytes:
    """The archive with one member's content replaced, the rest copied as is."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info, content if info.filename == name else source.read(info.filename))
    return out.getvalue()


def expect_file_error(h, data, fmt: str, *fragments: str, name: str) -> dict:
    """Uploads hostile bytes over a file that holds a good record set: the file must become
    `invalid` with an error detail containing every fragment, with no records at all, no spool
    left behind, and still accept a good upload afterwards."""
    _battery.add(name)
    file = hs.new_file(h.api, h.w)
    _good_upload(h, file["id"])
    reply = hs.upload_bytes(h.api, h.w.vendor.key, file["id"], data, fmt, timeout=300)
    detail = reply.get("errorDetail", "")
    assert reply["status"] == uf.STATUS["invalid"], reply
    for fragment in fragments:
        assert fragment in detail, f"{name}: error detail {detail!r} lacks {fragment!r}"
    assert {k: count(reply, k) for k in ("uploaded", "valid", "invalid")} == {"uploaded": 0, "valid": 0,
                                                                              "invalid": 0}, reply
    driver = uf.GrpcDriver(h.api)
    assert driver.records(h.w.vendor.key, file["id"]) == [], f"{name}: records kept after a file error"
    stored = driver.get(h.w.vendor.key, file["id"])
    assert stored["status"] == uf.STATUS["invalid"] and stored.get("errorDetail") == detail, stored
    assert h.server.spool_files() == [], f"{name}: spooled uploads left behind: {h.server.spool_files()}"
    _good_upload(h, file["id"])
    return reply


# ---- Archives ------------------------------------------------------------------------------------

@pytest.mark.parametrize("cut", ["half", "last_byte", "local_header_only"])
def test_truncated_zip_is_a_file_error(hostile, cut):
    data = _xlsx_bytes(_good_rows(hostile.w, uf.unique("trunc"), 50))
    end = {"half": len(data) // 2, "last_byte": len(data) - 1, "local_header_only": 40}[cut]
    expect_file_error(hostile, data[:end], "xlsx", "the XLSX file cannot be read",
                      "no end-of-central-directory record: the archive is truncated or not a ZIP file",
                      name=f"truncated zip ({cut})")


def test_sheet_data_cut_short_inside_a_whole_directory_is_a_file_error(hostile):
    # The container is consistent (headers and central directory agree) but the sheet's deflate
    # stream stops half way: the entry must be refused where it breaks, and the rows read before
    # that point must not be kept.
    rows = _good_rows(hostile.w, uf.unique("cut"), 2000)
    sheet = b"".join(hs.sheet_rows_xml(rows))
    data = hs.raw_archive(hs.workbook_parts(sheet), cut="xl/worksheets/sheet1.xml")
    expect_file_error(hostile, data, "xlsx", "the records sheet cannot be read",
                      "xl/worksheets/sheet1.xml: the compressed data ends before the deflate stream does",
                      name="sheet data cut short")


def _zip_bomb_sheet(size: int):
    """A records sheet with a header row and then `size` zero bytes of text: about 1,000 times
    smaller deflated than inflated."""
    yield (hs.SHEET_OPEN + hs.row_xml(1, uf.COLUMNS) + '<row r="2"><c r="A2"><v>').encode()
    zeros = b"0" * hs.MIB
    for _ in range(size // hs.MIB):
        yield zeros
    yield b"</v></c></row>" + hs.SHEET_CLOSE.encode()


def test_zip_bomb_is_refused_after_bounded_work(hostile, tmp_path):
    path = hs.write_workbook(tmp_path / "bomb.xlsx", _zip_bomb_sheet(1023 * hs.MIB), level=9)
    assert path.stat().st_size < 2 * hs.MIB, "the bomb should be tiny when compressed"
    begun = time.monotonic()
    expect_file_error(hostile, path.read_bytes(), "xlsx", "the records sheet cannot be read",
                      "xl/worksheets/sheet1.xml expands more than 500 times", "refusing a likely ZIP bomb",
                      name="zip bomb")
    assert time.monotonic() - begun < 30


def test_zip_bomb_lying_about_its_size_is_refused(hostile, tmp_path):
    # The directory says the sheet inflates to 4,096 bytes; it inflates to 256 MiB.
    path = hs.write_workbook(tmp_path / "liar.xlsx", _zip_bomb_sheet(256 * hs.MIB), level=9)
    data = bytearray(path.read_bytes())
    name = b"xl/worksheets/sheet1.xml"
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo(name.decode())
    struct.pack_into("<I", data, info.header_offset + 22, 4096)
    central = data.find(b"PK\x01\x02")
    while data[central + 46:central + 46 + len(name)] != name:
        central = data.find(b"PK\x01\x02", central + 4)
        assert central >= 0
    struct.pack_into("<I", data, central + 24, 4096)
    expect_file_error(hostile, bytes(data), "xlsx", "the records sheet cannot be read",
                      "xl/worksheets/sheet1.xml inflates to more than the 4096 bytes it declares",
                      name="lying zip bomb")


# ---- XML -----------------------------------------------------------------------------------------

BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    + "".join(f' <!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">\n'
              for i in range(1, 10))
    + "]>\n")


def test_entity_expansion_in_the_sheet_is_refused(hostile):
    sheet = (BILLION_LAUGHS + '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             '<sheetData>' + hs.row_xml(1, uf.COLUMNS)
             + '<row r="2"><c r="A2" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>')
    expect_file_error(hostile, _hand_written_xlsx(sheet=sheet.encode()), "xlsx",
                      "the records sheet cannot be read",
                      "a DOCTYPE declaration is not allowed (custom entities could expand without bound)",
                      name="billion laughs in the sheet")


def test_entity_expansion_in_the_shared_strings_is_refused(hostile):
    # The shared-string table is read when the workbook opens, before any sheet.
    shared = (BILLION_LAUGHS + '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
              'uniqueCount="1"><si><t>&lol9;</t></si></sst>')
    sheet = (hs.SHEET_OPEN + hs.row_xml(1, uf.COLUMNS) + '<row r="2"><c r="A2" t="s"><v>0</v></c></row>'
             + hs.SHEET_CLOSE)
    data = hs.raw_archive(hs.workbook_parts(sheet.encode(), shared_strings=shared.encode()))
    expect_file_error(hostile, data, "xlsx", "the XLSX file cannot be read", "xl/sharedStrings.xml",
                      "a DOCTYPE declaration is not allowed", name="billion laughs in the shared strings")


def test_external_entity_is_refused(hostile):
    sheet = ('<?xml version="1.0"?>\n<!DOCTYPE w [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
             '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
             + hs.row_xml(1, uf.COLUMNS)
             + '<row r="2"><c r="A2" t="inlineStr"><is><t>&xxe;</t></is></c></row></sheetData></worksheet>')
    reply = expect_file_error(hostile, _hand_written_xlsx(sheet=sheet.encode()), "xlsx",
                              "a DOCTYPE declaration is not allowed", name="external entity")
    assert "root:" not in reply["errorDetail"]


def test_undefined_entity_reference_is_a_file_error(hostile):
    sheet = (hs.SHEET_OPEN + hs.row_xml(1, uf.COLUMNS)
             + '<row r="2"><c r="A2" t="inlineStr"><is><t>&lol;</t></is></c></row>' + hs.SHEET_CLOSE)
    expect_file_error(hostile, _hand_written_xlsx(sheet=sheet.encode()), "xlsx", "the records sheet cannot be read",
                      "the entity &lol; is not defined (only the five predefined entities are allowed)",
                      name="undefined entity")


# ---- Size ----------------------------------------------------------------------------------------

ROWS_2M = 2_000_000


def _two_million_rows(w):
    """A shared-string table and a records sheet of two million distinct records, the sheet
    generated as it is written. The values every row repeats are shared strings, as Excel
    stores them; each record id is an inline string."""
    header = ["record_id", "item_search_criteria", "item_search_value", "quantity", "start_time_utc",
              "end_time_utc", "asset_search_criteria", "asset_search_value"]
    strings = ["item.mpn", w.integer_item.mpn, uf.text_time(uf.at(0, 10)), uf.text_time(uf.at(0, 11)), "asset.id",
               w.sub.id]
    shared = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="http://schemas.openxmlformats.org/'
              f'spreadsheetml/2006/main" count="{len(strings)}" uniqueCount="{len(strings)}">'
              + "".join(f"<si><t>{value}</t></si>" for value in strings) + "</sst>").encode()

    def sheet():
        yield (hs.SHEET_OPEN + hs.row_xml(1, header)).encode()
        template = ('<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>big-{n}</t></is></c><c r="B{n}" t="s"><v>0</v>'
                    '</c><c r="C{n}" t="s"><v>1</v></c><c r="D{n}"><v>{q}</v></c><c r="E{n}" t="s"><v>2</v></c>'
                    '<c r="F{n}" t="s"><v>3</v></c><c r="G{n}" t="s"><v>4</v></c><c r="H{n}" t="s"><v>5</v></c></row>')
        for first in range(2, ROWS_2M + 2, 20_000):
            last = min(first + 20_000, ROWS_2M + 2)
            yield "".join(template.format(n=n, q=n % 1000) for n in range(first, last)).encode()
        yield hs.SHEET_CLOSE.encode()

    return shared, sheet()


def test_sheet_with_two_million_rows_breaks_the_record_limit(hostile, tmp_path):
    begun = time.monotonic()
    shared, sheet = _two_million_rows(hostile.w)
    path = hs.write_workbook(tmp_path / "two-million.xlsx", sheet, shared_strings=shared, level=1)
    generated = time.monotonic() - begun
    with zipfile.ZipFile(path) as archive:
        inflated = archive.getinfo("xl/worksheets/sheet1.xml").file_size
    print(f"2,000,000-row sheet: {inflated / hs.MIB:.0f} MiB of XML, {path.stat().st_size / hs.MIB:.0f} MiB "
          f"compressed, written in {generated:.1f} s")
    expect_file_error(hostile, hs.file_chunks(path), "xlsx",
                      f"the upload has more than {RECORD_LIMIT} records, the most one usage file may hold",
                      name="two million rows")


# ---- CSV -----------------------------------------------------------------------------------------

def test_csv_with_an_unbalanced_quote_is_a_file_error(hostile):
    w = hostile.w
    good = _csv_bytes(_good_rows(w, uf.unique("quote"), 3))
    broken = good + b'"never-closed,item.mpn,' + w.integer_item.mpn.encode() + b",1\r\nmore,lines,follow\r\n"
    expect_file_error(hostile, broken, "csv", "the CSV file cannot be read",
                      "line 5: a quoted field opened on this line is never closed", name="unbalanced quote")


def test_csv_with_a_quote_inside_an_unquoted_field_is_a_file_error(hostile):
    w = hostile.w
    good = _csv_bytes(_good_rows(w, uf.unique("stray"), 2))
    broken = good + b'"a"b,item.mpn,x,1\r\n'
    expect_file_error(hostile, broken, "csv", "the CSV file cannot be read", "line 4:",
                      "a quote inside a quoted field must be doubled", name="stray quote")


def test_csv_with_invalid_utf8_is_a_file_error(hostile):
    w = hostile.w
    rows = _good_rows(w, uf.unique("utf8"), 3)
    rows[1]["record_note"] = "NOTE"
    data = _csv_bytes(rows).replace(b"NOTE", b"caf\xc3(\xff")
    expect_file_error(hostile, data, "csv", "the CSV file cannot be read",
                      "line 3: field 2 is not valid UTF-8 (save the file as UTF-8)", name="invalid UTF-8 in CSV")


def test_csv_header_with_invalid_utf8_is_a_file_error(hostile):
    data = _csv_bytes(_good_rows(hostile.w, uf.unique("utf8h"), 1)).replace(b"quantity", b"quant\xfeity", 1)
    expect_file_error(hostile, data, "csv", "the CSV file cannot be read", "line 1:", "is not valid UTF-8",
                      name="invalid UTF-8 in the CSV header")


def test_workbook_with_invalid_utf8_is_a_file_error(hostile):
    rows = _good_rows(hostile.w, uf.unique("utf8x"), 3)
    rows[1]["record_note"] = "NOTE"
    data = _hand_written_xlsx(rows)
    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").replace(b"NOTE", b"caf\xc3(\xff")
    expect_file_error(hostile, _replace_member(data, "xl/worksheets/sheet1.xml", sheet), "xlsx",
                      "the records sheet cannot be read", "not valid UTF-8", name="invalid UTF-8 in XLSX")


# ---- Numbers -------------------------------------------------------------------------------------

# quantity as written → the record's error code; None: the record is valid. The item is the
# decimal(8) one, so 1.23456789 fits and 1.234567891 does not (never rounded).
NUMBERS = {
    "1e400": "quantity.exponent_not_allowed",
    "NaN": "quantity.not_a_number",
    "-0": "quantity.negative_zero",
    "1.234567891": "quantity.precision",
    "1.23456789": None,
    "0": None,
}
# The same literals as XLSX number cells: a number cell may carry an exponent (Excel writes
# them), which is expanded exactly; 1E400 then has more digits than any quantity may.
NUMBER_CELLS = {**NUMBERS, "1e400": "quantity.overflow"}


@pytest.mark.parametrize("fmt", ["csv", "xlsx_text", "xlsx_number", "records"])
def test_hostile_numbers_are_precise_record_errors(hostile, fmt):
    _battery.add(f"numbers ({fmt})")
    w = hostile.w
    prefix = uf.unique("num")
    expected = NUMBER_CELLS if fmt == "xlsx_number" else NUMBERS
    literals = list(expected)
    rows = [row(f"{prefix}-{i}", w.fine_item, w.sub, hs.Number(q) if fmt == "xlsx_number" else q)
            for i, q in enumerate(literals)]
    file = hs.new_file(hostile.api, w)
    if fmt == "records":
        reply = hs.upload_records(hostile.api, w.vendor.key, file["id"], rows)
    elif fmt == "csv":
        reply = hs.upload_bytes(hostile.api, w.vendor.key, file["id"], _csv_bytes(rows), "csv")
    else:
        reply = hs.upload_bytes(hostile.api, w.vendor.key, file["id"], _hand_written_xlsx(rows), "xlsx")
    bad = [q for q in literals if expected[q]]
    assert reply["status"] == uf.STATUS["invalid"] and not reply.get("errorDetail"), reply
    assert (count(reply, "uploaded"), count(reply, "valid"), count(reply, "invalid")) == (
        len(literals), len(literals) - len(bad), len(bad)), reply
    records = uf.GrpcDriver(hostile.api).records(w.vendor.key, file["id"])
    assert [r["recordId"] for r in records] == [r["record_id"] for r in rows]
    for literal, record in zip(literals, records):
        code = expected[literal]
        if code is None:
            assert record["status"] == "USAGE_RECORD_STATUS_VALID", (literal, record)
            assert Decimal(record["quantity"]) == Decimal(literal) and "e" not in record["quantity"].lower()
            continue
        assert record["status"] == "USAGE_RECORD_STATUS_INVALID", (literal, record)
        assert uf.codes(record) == [code], (literal, record.get("errors"))
        error = record["errors"][0]
        assert error.get("column") == "quantity", (literal, error)
        assert "quantity" in error["message"] and literal in error["message"], (literal, error)
        # A quantity that parses keeps its exact value (never rounded); one that does not, none.
        assert record.get("quantity", "") == (literal if code == "quantity.precision" else ""), (literal, record)
    assert hostile.server.spool_files() == []


# ---- Byte limit ----------------------------------------------------------------------------------

def _bytes_detail() -> str:
    return f"the upload is larger than {BYTE_LIMIT} bytes, the most one usage file upload may have"


def _rows_of_size(w, prefix: str, target: int) -> list[dict]:
    rows, size = [], 0
    while size < target:
        rows.append(row(f"{prefix}-{len(rows)}", w.integer_item, w.sub, len(rows) % 10, record_note=uuid.uuid4().hex * 3))
        size = len(_csv_bytes(rows)) if len(rows) % 20 == 0 else size
    return rows


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "records"])
def test_upload_over_the_byte_limit_makes_the_file_invalid(small, fmt):
    w = small.w
    file = hs.new_file(small.api, w)
    _good_upload(small, file["id"], fmt)
    rows = _rows_of_size(w, uf.unique("over"), 4 * BYTE_LIMIT)
    if fmt == "records":
        reply = hs.upload_records(small.api, w.vendor.key, file["id"], rows)
    else:
        data = _csv_bytes(rows) if fmt == "csv" else _hand_written_xlsx(rows)
        if fmt == "xlsx":
            assert len(data) > BYTE_LIMIT, "the workbook should be over the limit even compressed"
        reply = hs.upload_bytes(small.api, w.vendor.key, file["id"], data, fmt)
    assert reply["status"] == uf.STATUS["invalid"], reply
    assert _bytes_detail() in reply.get("errorDetail", ""), reply
    assert count(reply, "uploaded") == 0 and uf.GrpcDriver(small.api).records(w.vendor.key, file["id"]) == []
    assert small.server.spool_files() == []
    _good_upload(small, file["id"], fmt)


def test_upload_just_under_the_byte_limit_is_accepted(small):
    w = small.w
    rows = _rows_of_size(w, uf.unique("under"), BYTE_LIMIT - 4096)
    while len(_csv_bytes(rows)) > BYTE_LIMIT:
        rows.pop()
    data = _csv_bytes(rows)
    file = hs.new_file(small.api, w)
    reply = hs.upload_bytes(small.api, w.vendor.key, file["id"], data, "csv")
    assert reply["status"] == uf.STATUS["ready"] and count(reply, "uploaded") == len(rows), (len(data), reply)


# ---- Record streams in their wire form -------------------------------------------------------------

def _raw_upload(api, key: str, messages: list[bytes]):
    """UploadRecords with each message's bytes sent as given; the reply, or the CallError."""
    _, _, _, usage = uf.pb()
    call = api.channel.stream_unary("/usageflow.v1.VendorService/UploadRecords",
                                    request_serializer=lambda data: data,
                                    response_deserializer=usage.UsageFile.FromString)
    try:
        return call(iter(messages), metadata=api.auth(key), timeout=60)
    except grpc.RpcError as error:
        return uf.CallError(error.code().name, error.details() or "")


def _batch_bytes(records: list[bytes]) -> bytes:
    """An UploadRecordsRequest holding a batch of the given encoded records."""
    def field(number: int, payload: bytes) -> bytes:
        return _varint(number << 3 | 2) + _varint(len(payload)) + payload
    return field(2, b"".join(field(1, record) for record in records))


def _varint(value: int) -> bytes:
    out = bytearray()
    while value >= 0x80:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def test_record_with_invalid_utf8_in_a_batch_refuses_the_stream(hostile):
    """The server reads batches from their bytes; a record it leaves to the decoder (here invalid
    UTF-8 in the middle of a batch) gets the decoder's refusal, and the file keeps its records."""
    w = hostile.w
    _, _, _, usage = uf.pb()
    file = hs.new_file(hostile.api, w)
    before = _good_upload(hostile, file["id"], "records")
    rows = _good_rows(w, uf.unique("utf"), 3)
    records = [hs.record_input(r).SerializeToString() for r in rows]
    marker = rows[1]["record_id"].encode()
    records[1] = records[1].replace(marker, b"\xff" + marker[1:])
    header = usage.UploadRecordsRequest(header=usage.UploadRecordsHeader(file_id=file["id"])).SerializeToString()
    outcome = _raw_upload(hostile.api, w.vendor.key, [header, _batch_bytes(records)])
    assert isinstance(outcome, uf.CallError) and outcome.code == "INTERNAL", outcome
    assert "UTF-8" in outcome.message or "utf" in outcome.message.lower(), outcome.message
    driver = uf.GrpcDriver(hostile.api)
    after = driver.get(w.vendor.key, file["id"])
    assert after["status"] == before["status"], after
    kept = {r["recordId"] for r in driver.records(w.vendor.key, file["id"])}
    assert len(kept) == count(before, "uploaded") and not kept & {r["record_id"] for r in rows}, kept
    assert hostile.server.spool_files() == []


def test_unknown_fields_in_records_are_skipped(hostile):
    """Fields the schema does not have (a newer client's) are skipped, as the decoder skips them."""
    w = hostile.w
    _, _, _, usage = uf.pb()
    file = hs.new_file(hostile.api, w)
    rows = _good_rows(w, uf.unique("unknown"), 3)
    records = [hs.record_input(r).SerializeToString() + _varint(99 << 3 | 2) + _varint(3) + b"new"
               + _varint(100 << 3) + _varint(7) for r in rows]
    header = usage.UploadRecordsRequest(header=usage.UploadRecordsHeader(file_id=file["id"])).SerializeToString()
    reply = _raw_upload(hostile.api, w.vendor.key, [header, _batch_bytes(records)])
    assert not isinstance(reply, uf.CallError), reply
    reply = uf.GrpcDriver._dict(reply)
    assert reply["status"] == uf.STATUS["ready"] and count(reply, "uploaded") == 3, reply
    stored = uf.GrpcDriver(hostile.api).records(w.vendor.key, file["id"])
    assert [r["recordId"] for r in stored] == [r["record_id"] for r in rows]


# ---- Memory --------------------------------------------------------------------------------------

def test_peak_memory_stays_bounded_through_the_battery(hostile):
    """Runs last in this module: the peak resident set after the battery against the resident
    set before it."""
    if len(_battery) < 10:
        pytest.skip(f"only {len(_battery)} hostile uploads ran in this session; the bound needs the whole battery")
    after = hostile.server.memory()
    growth = after["VmHWM"] - hostile.baseline["VmRSS"]
    print(f"server memory: {hostile.baseline['VmRSS'] / hs.MIB:.0f} MiB resident before the battery, "
          f"peak {after['VmHWM'] / hs.MIB:.0f} MiB, {after['VmRSS'] / hs.MIB:.0f} MiB resident after; "
          f"{len(_battery)} hostile uploads")
    assert growth <= PEAK_GROWTH_BOUND, (
        f"peak resident set grew by {growth / hs.MIB:.0f} MiB over the battery "
        f"(bound {PEAK_GROWTH_BOUND / hs.MIB:.0f} MiB): {hostile.baseline} → {after}")
