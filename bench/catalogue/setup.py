#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# UsageFlow — catalogue read benchmark: the data, the request bodies and the correctness check.
#
#   setup.py OUTDIR setup HOST:PORT CA OPERATOR_KEY     vendor, product, 100 items; bodies; expect lines
#   setup.py OUTDIR check HOST:PORT CA                  GetProduct and ListItems answer as at setup
#
# `setup` makes, through AdminService and VendorService over TLS: one vendor account, a full-scope
# vendor key, one product (ppu on) and ITEMS items (PPU, 4 decimals, `unit*h`), with names, MPNs and
# descriptions of realistic lengths. It then writes OUTDIR/bodies/getproduct.bin (IdRequest) and
# OUTDIR/bodies/listitems.bin (ListItemsRequest{product_id, page_size ITEMS}), each one framed gRPC
# message, OUTDIR/vendor.key (the bearer token) and appends to OUTDIR/expect.txt, per workload, the
# exact response DATA bytes per call, taken from a reply read twice and required to be identical
# (the replies carry no per-call field, so a correct server sends these bytes every time).
# `check` calls both methods once more with grpcio and compares the replies with those bytes.
import os
import re
import struct
import subprocess
import sys
from pathlib import Path

import grpc

ROOT = Path(__file__).resolve().parent.parent.parent
ITEMS = int(os.environ.get("ITEMS", "100"))
# Every file of the API, so a service that imports a new file needs no change here.
PROTOS = sorted(str(p.relative_to(ROOT / "Protos")) for p in (ROOT / "Protos" / "usageflow" / "v1").glob("*.proto"))
VENDOR = "/usageflow.v1.VendorService/"


def stubs(out: Path):
    """grpcio stubs for the API's protos, as a flat package `cat_stubs` under OUTDIR/stubs."""
    site = out / "stubs"
    package = site / "cat_stubs"
    if not (package / "vendor_service_pb2_grpc.py").exists():
        import grpc_tools
        well_known = Path(grpc_tools.__file__).resolve().parent / "_proto"
        raw = out / "stubs-raw"
        raw.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "grpc_tools.protoc", f"-I{ROOT / 'Protos'}", f"-I{well_known}",
                        f"--python_out={raw}", f"--grpc_python_out={raw}", *PROTOS], check=True)
        package.mkdir(parents=True, exist_ok=True)
        (package / "__init__.py").write_text("")
        imports = re.compile(r"^from usageflow\.v1 import (\w+)", re.MULTILINE)
        for proto in PROTOS:
            stem = Path(proto).with_suffix("")
            for suffix in ("_pb2.py", "_pb2_grpc.py"):
                source = raw / f"{stem}{suffix}"
                (package / source.name).write_text(imports.sub(r"from cat_stubs import \1", source.read_text()))
    sys.path.insert(0, str(site))


def channel(target: str, ca: str) -> grpc.Channel:
    credentials = grpc.ssl_channel_credentials(root_certificates=Path(ca).read_bytes())
    return grpc.secure_channel(target, credentials, options=[
        ("grpc.ssl_target_name_override", "localhost"), ("grpc.default_authority", "localhost")])


def frame(message: bytes) -> bytes:
    return struct.pack(">BI", 0, len(message)) + message


def raw_call(ch: grpc.Channel, method: str, body: bytes, key: str) -> bytes:
    """One unary call with the request given as bytes; returns the reply's bytes."""
    call = ch.unary_unary(VENDOR + method, request_serializer=None, response_deserializer=None)
    return call(body, metadata=[("authorization", f"Bearer {key}")], timeout=30)


def setup(out: Path, target: str, ca: str, operator_key: str):
    from cat_stubs import (admin_service_pb2_grpc, catalogue_pb2, common_pb2, requests_pb2,
                           vendor_service_pb2_grpc)
    with channel(target, ca) as ch:
        admin = admin_service_pb2_grpc.AdminServiceStub(ch)
        vendor = vendor_service_pb2_grpc.VendorServiceStub(ch)
        operator = [("authorization", f"Bearer {operator_key}")]
        account = admin.CreateAccount(requests_pb2.CreateAccountRequest(
            role=common_pb2.ROLE_VENDOR, name="Northwind Cloud Services GmbH"), metadata=operator, timeout=30)
        issued = admin.CreateApiKey(requests_pb2.CreateApiKeyRequest(
            account_id=account.id, scope=common_pb2.KEY_SCOPE_FULL, name="catalogue benchmark"),
            metadata=operator, timeout=30)
        key = issued.token
        auth = [("authorization", f"Bearer {key}")]
        product = vendor.CreateProduct(requests_pb2.CreateProductRequest(
            name="Northwind Compute Platform",
            description="Virtual machines, block storage and networking, billed by the hour of use.",
            capabilities=catalogue_pb2.Capabilities(ppu=True, schema=catalogue_pb2.PPU_SCHEMA_QT)),
            metadata=auth, timeout=30)
        for i in range(ITEMS):
            vendor.CreateItem(requests_pb2.CreateItemRequest(
                product_id=product.id, name=f"Compute instance, {2 ** (i % 6)} vCPU, tier {i:03d}",
                mpn=f"NW-CMP-{i:04d}-H", description=f"One running instance of size class {i}, per hour.",
                type=catalogue_pb2.ITEM_TYPE_PPU, precision=catalogue_pb2.PRECISION_DECIMAL_4, unit="unit*h"),
                metadata=auth, timeout=30)
    (out / "vendor.key").write_text(key + "\n")
    (out / "product.id").write_text(product.id + "\n")
    bodies = {
        "getproduct": ("GetProduct", requests_pb2.IdRequest(id=product.id).SerializeToString()),
        "listitems": ("ListItems", requests_pb2.ListItemsRequest(
            product_id=product.id, page_size=ITEMS).SerializeToString()),
    }
    (out / "bodies").mkdir(parents=True, exist_ok=True)
    with channel(target, ca) as ch, open(out / "expect.txt", "a") as expect:
        for name, (method, body) in bodies.items():
            (out / "bodies" / f"{name}.bin").write_bytes(frame(body))
            first = raw_call(ch, method, body, key)
            second = raw_call(ch, method, body, key)
            if first != second:
                sys.exit(f"setup: two {method} replies differ; the byte check needs a fixed reply")
            (out / f"{name}.reply").write_bytes(first)
            # Same columns as bench/grpc/make_bodies.py: name path request_bytes reply_bytes_per_call
            # messages_in messages_out message_size_out
            reply = frame(first)
            expect.write(f"{name} {VENDOR}{method} {len(frame(body))} {len(reply)} 1 1 {len(reply)}\n")
    check(out, target, ca)


def check(out: Path, target: str, ca: str):
    from cat_stubs import catalogue_pb2, requests_pb2
    key = (out / "vendor.key").read_text().strip()
    product_id = (out / "product.id").read_text().strip()
    with channel(target, ca) as ch:
        got = raw_call(ch, "GetProduct", requests_pb2.IdRequest(id=product_id).SerializeToString(), key)
        product = catalogue_pb2.Product.FromString(got)
        page = raw_call(ch, "ListItems", requests_pb2.ListItemsRequest(
            product_id=product_id, page_size=ITEMS).SerializeToString(), key)
        items = requests_pb2.ListItemsResponse.FromString(page)
    problems = []
    if product.id != product_id:
        problems.append(f"GetProduct returned {product.id!r}")
    if got != (out / "getproduct.reply").read_bytes():
        problems.append("GetProduct reply differs from the one at setup")
    if len(items.items) != ITEMS or any(item.product_id != product_id for item in items.items):
        problems.append(f"ListItems returned {len(items.items)} items")
    if page != (out / "listitems.reply").read_bytes():
        problems.append("ListItems reply differs from the one at setup")
    if problems:
        sys.exit("check: " + "; ".join(problems))
    print(f"check: ok (GetProduct {len(got)} B; ListItems {len(items.items)} items, {len(page)} B, "
          f"next_page_token {'set' if items.next_page_token else 'empty'})")


def main():
    out, mode, target, ca = Path(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
    stubs(out)
    if mode == "setup":
        setup(out, target, ca, sys.argv[5])
    elif mode == "check":
        check(out, target, ca)
    else:
        sys.exit(f"setup.py: unknown mode {mode}")


if __name__ == "__main__":
    main()
