# SPDX-License-Identifier: Apache-2.0
# UsageFlow — end-to-end: the `usageflow` CLI against `usageflow serve`, and `serve --demo`.

from __future__ import annotations

import time

import usageflow_support as support
from usageflow_support import cli_json, run_cli


def test_cli_walks_the_catalogue_with_json_output(server):
    op = server.operator_key
    vendor = cli_json(["admin", "accounts", "create", "--role", "vendor", "--name", "CLI Vendor"], key=op, server=server)
    assert vendor["id"].startswith("VA-") and vendor["role"] == "ROLE_VENDOR"
    issued = cli_json(["admin", "keys", "create", "--account-id", vendor["id"], "--scope", "full"], key=op,
                      server=server)
    key = issued["token"]
    assert support.TOKEN.fullmatch(key)

    product = cli_json(["vendor", "products", "create", "--name", "CLI Product", "--capabilities.ppu", "true",
                        "--capabilities.schema", "qt"], key=key, server=server)
    assert product["capabilities"]["ppu"] is True and product["capabilities"]["schema"] == "PPU_SCHEMA_QT"
    item = cli_json(["vendor", "items", "create", "--product-id", product["id"], "--name", "Storage", "--mpn",
                     "STOR-1", "--type", "ppu", "--precision", "decimal_2", "--unit", "MB*h"], key=key, server=server)
    assert item["id"] == product["id"] + "-0001" and item["precision"] == "PRECISION_DECIMAL_2"
    published = cli_json(["vendor", "items", "publish", "--id", item["id"]], key=key, server=server)
    assert published["status"] == "ITEM_STATUS_PUBLISHED"
    listed = cli_json(["vendor", "items", "list", "--product-id", product["id"]], key=key, server=server)
    assert [i["id"] for i in listed["items"]] == [item["id"]]

    # Readable output by default.
    text = run_cli(["vendor", "products", "get", "--id", product["id"]], key=key, server=server, check=True).stdout
    assert product["id"] in text and "CLI Product" in text


def test_cli_reports_errors_with_status_names_violations_and_exit_codes(server):
    op = server.operator_key
    vendor = cli_json(["admin", "accounts", "create", "--role", "vendor", "--name", "Err Vendor"], key=op,
                      server=server)
    key = cli_json(["admin", "keys", "create", "--account-id", vendor["id"], "--scope", "full"], key=op,
                   server=server)["token"]

    too_long = run_cli(["vendor", "products", "create", "--name", "x" * 300], key=key, server=server)
    assert too_long.returncode == 1
    assert "INVALID_ARGUMENT" in too_long.stderr and "name" in too_long.stderr

    unauthenticated = run_cli(["vendor", "products", "list"], key=None, server=server)
    assert unauthenticated.returncode == 1 and "UNAUTHENTICATED" in unauthenticated.stderr

    wrong_role = run_cli(["distributor", "marketplaces", "list"], key=key, server=server)
    assert wrong_role.returncode == 1 and "PERMISSION_DENIED" in wrong_role.stderr

    missing = run_cli(["vendor", "products", "get", "--id", "PRD-000-000-000"], key=key, server=server)
    assert missing.returncode == 1 and "NOT_FOUND" in missing.stderr

    usage = run_cli(["vendor", "products", "create", "--no-such-flag", "1"], key=key, server=server)
    assert usage.returncode == 2
    help_text = run_cli(["vendor", "--help"], server=server)
    assert help_text.returncode == 0 and "items" in help_text.stdout and "products" in help_text.stdout


def test_serve_demo_prints_working_keys_for_a_ready_channel(pki, tmp_path):
    server = support.Server(tmp_path / "demo", pki, demo=True)
    server.start()
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and len(set(support.TOKEN.findall("".join(server.output)))) < 4:
            time.sleep(0.1)
        tokens = sorted(set(support.TOKEN.findall("".join(server.output))))
        assert len(tokens) >= 4, "".join(server.output)
        vendors = [t for t in tokens
                   if run_cli(["vendor", "products", "list", "--json"], key=t, server=server).returncode == 0]
        assert len(vendors) == 1
        products = cli_json(["vendor", "products", "list"], key=vendors[0], server=server)["products"]
        assert len(products) == 1
        items = cli_json(["vendor", "items", "list", "--product-id", products[0]["id"]], key=vendors[0],
                         server=server)["items"]
        assert len(items) == 2 and all(i["status"] == "ITEM_STATUS_PUBLISHED" for i in items)
        subscriptions = cli_json(["vendor", "subscriptions", "list"], key=vendors[0], server=server)["subscriptions"]
        assert len(subscriptions) == 1 and subscriptions[0]["status"] == "SUBSCRIPTION_STATUS_ACTIVE"
    finally:
        assert server.stop() == 0, "".join(server.output[-50:])
