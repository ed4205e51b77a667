# SPDX-License-Identifier: Apache-2.0
# UsageFlow — end-to-end: workbooks saved by LibreOffice Calc (headless), whose XLSX writer differs
# from openpyxl's and XlsxWriter's (its own styles, shared strings, date formats and sheet layout):
# an openpyxl workbook re-saved by Calc, and a CSV file opened and saved as XLSX by Calc. Skipped
# when `soffice` is not installed (Debian: libreoffice-calc-nogui).

from __future__ import annotations

import shutil
import subprocess
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest

import usage_fixtures as uf
from usage_fixtures import at, count, row

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")


def calc_save_as_xlsx(source: Path, out_dir: Path) -> Path:
    """Opens `source` in headless Calc and saves it as XLSX (Calc's own writer)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    profile = out_dir / "profile"
    command = [SOFFICE, "--headless", "--norestore", f"-env:UserInstallation=file://{profile}",
               "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out_dir), str(source)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=180)
    saved = out_dir / (source.stem + ".xlsx")
    assert result.returncode == 0 and saved.is_file(), f"soffice failed:\n{result.stdout}\n{result.stderr}"
    return saved


@pytest.fixture(scope="module")
def world(api, server):
    _, common, _, _ = uf.pb()
    w = type("World", (), {})()
    w.vendor = uf.make_account(api, server, common.ROLE_VENDOR, "Calc Vendor")
    w.distributor = uf.make_account(api, server, common.ROLE_DISTRIBUTOR, "Calc Distributor")
    w.market = uf.Market(api, w.vendor, w.distributor, "Calc Market")
    w.product, (w.integer_item, w.decimal_item) = uf.make_product(api, w.vendor, "Calc Product")
    w.market.list_product(w.product)
    w.sub = w.market.subscribe(w.product, external_id="calc-sub")
    return w


def rows_for(w, prefix: str) -> list[dict]:
    return [
        row(f"{prefix}-1", w.integer_item, w.sub, 12, start=at(0, 8), end=at(0, 9), region="eu"),
        row(f"{prefix}-2", w.decimal_item, ("asset.external_id", "calc-sub"), Decimal("2.75"), start=at(1, 0),
            end=at(1, 23, 59), region="us"),
        row(f"{prefix}-3", w.decimal_item, w.sub, Decimal("0.125"), region="ap"),  # too precise for decimal(2)
    ]


@pytest.mark.parametrize("source", ["openpyxl", "csv"])
def test_a_workbook_saved_by_libreoffice_calc_is_read_like_any_other(driver, world, tmp_path, source):
    w = world
    prefix = uf.unique("calc")
    rows = rows_for(w, prefix)
    if source == "openpyxl":
        original = uf.write_xlsx(tmp_path / "original.xlsx", rows, sheet="usage_records")
    else:
        original = uf.write_csv(tmp_path / "records.csv", rows)  # Calc names the sheet after the file
    saved = calc_save_as_xlsx(original, tmp_path / "calc")
    with zipfile.ZipFile(saved) as archive:
        assert "xl/sharedStrings.xml" in archive.namelist()  # Calc keeps text in the shared-string table

    file = driver.create(w.vendor.key, w.product, w.market.contract, name=uf.unique("calc"))
    uploaded = driver.upload(w.vendor.key, file["id"], saved)
    records = driver.records(w.vendor.key, file["id"])
    assert [r["recordId"] for r in records] == [r["record_id"] for r in rows], records
    assert [r["quantity"] for r in records[:2]] == ["12", "2.75"]
    assert [r["status"] for r in records] == ["USAGE_RECORD_STATUS_VALID"] * 2 + ["USAGE_RECORD_STATUS_INVALID"]
    assert uf.codes(records[2]) == ["quantity.precision"]
    assert records[0]["startTime"] == at(0, 8).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert records[1]["endTime"] == at(1, 23, 59).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert [(p["name"], p["value"]) for p in records[0]["parameters"]] == [("region", "eu")]
    assert uploaded["status"] == uf.STATUS["invalid"] and count(uploaded, "valid") == 2
