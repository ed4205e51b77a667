# SPDX-License-Identifier: Apache-2.0
# UsageFlow — end-to-end: what only the CLI's file commands do: upload progress on a terminal and
# in a log, downloads to a file, to standard output and under the server's name, and their usage
# errors and exit codes.

from __future__ import annotations

import os
import pty
import re
import select
import subprocess

import pytest

import usage_fixtures as uf
import usageflow_support as support
from usage_fixtures import row, write_fixture


@pytest.fixture(scope="module")
def world(api, server):
    _, common, _, _ = uf.pb()
    w = type("World", (), {})()
    w.vendor = uf.make_account(api, server, common.ROLE_VENDOR, "CLI Usage Vendor")
    w.distributor = uf.make_account(api, server, common.ROLE_DISTRIBUTOR, "CLI Usage Distributor")
    w.market = uf.Market(api, w.vendor, w.distributor, "CLI Market")
    w.product, (w.item, w.decimal_item) = uf.make_product(api, w.vendor, "CLI Product")
    w.market.list_product(w.product)
    w.sub = w.market.subscribe(w.product)
    return w


def big_csv(tmp_path, w, count: int):
    prefix = uf.unique("big")
    rows = [row(f"{prefix}-{n}", w.item, w.sub, n % 50, record_note="x" * 40) for n in range(count)]
    return write_fixture(tmp_path, "csv", rows)


def create(server, w) -> str:
    return support.cli_json(["vendor", "files", "create", "--product-id", w.product.id, "--contract-id",
                             w.market.contract.id, "--name", uf.unique("cli"), "--period-from", str(uf.PERIOD_FROM),
                             "--period-to", str(uf.PERIOD_TO)], key=w.vendor.key, server=server)["id"]


def cli_env(server, key) -> dict:
    env = dict(os.environ)
    env.update(USAGEFLOW_KEY=key, USAGEFLOW_SERVER=f"127.0.0.1:{server.port}", USAGEFLOW_CA=str(server.ca))
    return env


def test_upload_prints_plain_progress_lines_when_stderr_is_not_a_terminal(server, world, tmp_path):
    w = world
    file_id = create(server, w)
    path = big_csv(tmp_path, w, 20_000)
    result = support.run_cli(["vendor", "files", "upload", file_id, str(path)], key=w.vendor.key, server=server,
                             timeout=300)
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    assert "\x1b" not in result.stderr and "[#" not in result.stderr
    progress = [line for line in lines if line.startswith("upload: ")]
    assert progress, result.stderr
    assert re.fullmatch(r"upload: [\d.]+ (B|KiB|MiB) of [\d.]+ (KiB|MiB) \(100%\), [\d.]+ (B|KiB|MiB|GiB)/s",
                        progress[-1]), progress[-1]
    assert "processing on the server…" in lines
    summary = lines[-1]
    assert re.fullmatch(r"ready: 20000 records in [\d.]+ s \([\d.]+ records/s\); total [\d.]+ s", summary), summary
    assert file_id in result.stdout and "ready" in result.stdout.lower()


def test_upload_draws_a_bar_on_a_terminal(server, world, tmp_path):
    w = world
    file_id = create(server, w)
    path = big_csv(tmp_path, w, 5_000)
    master, slave = pty.openpty()
    proc = subprocess.Popen([str(support.binary()), "vendor", "files", "upload", file_id, str(path)],
                            env=cli_env(server, w.vendor.key), stdout=subprocess.PIPE, stderr=slave)
    os.close(slave)
    screen = b""
    while True:
        ready, _, _ = select.select([master], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(master, 4096)
        except OSError:
            break
        if not chunk:
            break
        screen += chunk
    os.close(master)
    stdout, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0, screen.decode(errors="replace")
    text = screen.decode()
    assert "\r[" in text and "\x1b[K" in text, text
    assert re.search(r"\[#{30}\] 100%  [\d.]+ (KiB|MiB) / [\d.]+ (KiB|MiB)  [\d.]+ (B|KiB|MiB|GiB)/s", text), text
    assert re.search(r"ready: 5000 records in [\d.]+ s", text), text
    assert file_id.encode() in stdout


def test_upload_progress_can_be_forced_either_way(server, world, tmp_path):
    w = world
    file_id = create(server, w)
    path = write_fixture(tmp_path, "xlsx", [row(uf.unique("p"), w.item, w.sub, 1)])
    forced = support.run_cli(["vendor", "files", "upload", file_id, str(path), "--progress"], key=w.vendor.key,
                             server=server)
    # (run_cli reads text with universal newlines, which turns the bar's carriage returns into newlines)
    assert forced.returncode == 0 and "\x1b[K" in forced.stderr and "] 100%" in forced.stderr, forced.stderr
    plain = support.run_cli(["vendor", "files", "upload", file_id, str(path), "--no-progress", "--json"],
                            key=w.vendor.key, server=server)
    assert plain.returncode == 0 and "\x1b" not in plain.stderr and "upload: " in plain.stderr
    assert '"USAGE_FILE_STATUS_READY"' in plain.stdout


def test_processed_and_template_downloads_write_files_stdout_and_the_servers_name(server, world, tmp_path):
    w = world
    file_id = create(server, w)
    prefix = uf.unique("d")
    path = write_fixture(tmp_path, "csv", [row(f"{prefix}-1", w.item, w.sub, 1),
                                           row(f"{prefix}-2", w.item, w.sub, "1.5")])
    assert support.run_cli(["vendor", "files", "upload", file_id, str(path)], key=w.vendor.key,
                           server=server).returncode == 0
    to_stdout = subprocess.run([str(support.binary()), "vendor", "files", "processed", file_id, "--format", "csv",
                                "--out", "-"], env=cli_env(server, w.vendor.key), capture_output=True, timeout=60)
    assert to_stdout.returncode == 0, to_stdout.stderr
    rows = uf.read_csv_rows(to_stdout.stdout)
    assert rows[0][-2:] == ["status", "errors"] and [r[-2] for r in rows[1:]] == ["valid", "invalid"]
    assert "quantity.precision" in rows[2][-1]

    work = tmp_path / "named"
    work.mkdir()
    named = subprocess.run([str(support.binary()), "vendor", "files", "processed", file_id],
                           env=cli_env(server, w.vendor.key), capture_output=True, text=True, timeout=60, cwd=work)
    assert named.returncode == 0, named.stderr
    written = list(work.iterdir())
    assert len(written) == 1 and written[0].suffix == ".xlsx" and file_id in written[0].name, written
    assert f"wrote {written[0].name}" in named.stderr
    assert uf.read_xlsx_rows(written[0].read_bytes())[1][0] == f"{prefix}-1"

    template = tmp_path / "template.xlsx"
    result = support.run_cli(["vendor", "files", "template", w.product.id, "--out", str(template)],
                             key=w.vendor.key, server=server)
    assert result.returncode == 0, result.stderr
    assert "record_id" in uf.read_xlsx_rows(template.read_bytes())[0]

    missing = tmp_path / "missing.xlsx"
    failed = support.run_cli(["vendor", "files", "processed", "UF-2000-01-0000-0000", "--out", str(missing)],
                             key=w.vendor.key, server=server)
    assert failed.returncode == 1 and "NOT_FOUND" in failed.stderr
    assert not missing.exists() and not (tmp_path / "missing.xlsx.part").exists()


def test_file_commands_report_usage_errors_with_exit_2_and_call_errors_with_exit_1(server, world, tmp_path):
    w = world
    key = w.vendor.key
    text_file = tmp_path / "notes.txt"
    text_file.write_text("hello")
    for args in [
        ["vendor", "files", "upload", "UF-2000-01-0000-0000"],
        ["vendor", "files", "upload", "UF-2000-01-0000-0000", str(text_file)],
        ["vendor", "files", "upload", "UF-2000-01-0000-0000", str(tmp_path / "absent.csv")],
        ["vendor", "files", "upload", "UF-2000-01-0000-0000", str(text_file), "--format", "ods"],
        ["vendor", "files", "frobnicate"],
        ["vendor", "files", "status", "UF-1", "UF-2"],
        ["distributor", "files", "submit", "UF-1"],
        ["vendor", "files", "processed", "UF-1", "--out", ""],
    ]:
        result = support.run_cli(args, key=key, server=server)
        assert result.returncode == 2, (args, result.returncode, result.stderr)
        assert result.stderr.startswith("usageflow: "), (args, result.stderr)

    missing = support.run_cli(["vendor", "files", "status", "UF-2000-01-0000-0000"], key=key, server=server)
    assert missing.returncode == 1 and missing.stderr.startswith("error: NOT_FOUND: ")
    wrong_role = support.run_cli(["distributor", "files", "list"], key=key, server=server)
    assert wrong_role.returncode == 1 and "PERMISSION_DENIED" in wrong_role.stderr

    for role, verbs in [("vendor", ["create", "upload", "status", "records", "processed", "template", "submit",
                                    "delete"]),
                        ("distributor", ["list", "accept", "reject"])]:
        listing = support.run_cli([role, "files", "--help"], server=server)
        assert listing.returncode == 0
        for verb in verbs:
            assert f"  {verb} " in listing.stdout, (role, verb, listing.stdout)
    upload_help = support.run_cli(["vendor", "files", "upload", "--help"], server=server)
    assert upload_help.returncode == 0 and "progress" in upload_help.stdout
    records_help = support.run_cli(["vendor", "files", "records", "--help"], server=server)
    assert records_help.returncode == 0 and "--status" in records_help.stdout
