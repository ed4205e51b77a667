#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# UsageFlow — gRPC transport benchmark: correctness spot check with a real gRPC client (grpcio),
# run against each gRPC server before and after the load. h2load only sees :status; this sees
# grpc-status and the exact response bytes.
#
#   check.py OUTDIR HOST:PORT [--ca FILE]        (exit 0 when every call is OK and byte-exact)
#
# Uses the request bodies and expected replies written by make_bodies.py (raw bytes, no stubs):
# UnaryCall, StreamingFromClient and StreamingCall with the benchmark's messages, TestService
# StreamingOutputCall, and StreamingFromServer read for 1,000 messages and then cancelled.
import os
import struct
import sys

import grpc


def messages(data):
    """Splits gRPC length-prefixed frames into message bytes."""
    out, offset = [], 0
    while offset < len(data):
        flag, length = struct.unpack_from(">BI", data, offset)
        assert flag == 0
        out.append(data[offset + 5:offset + 5 + length])
        offset += 5 + length
    return out


def main():
    outdir, target = sys.argv[1], sys.argv[2]
    ca = sys.argv[sys.argv.index("--ca") + 1] if "--ca" in sys.argv else None
    if ca:
        with open(ca, "rb") as f:
            channel = grpc.secure_channel(target, grpc.ssl_channel_credentials(root_certificates=f.read()))
    else:
        channel = grpc.insecure_channel(target)
    identity = dict(request_serializer=None, response_deserializer=None)
    expect = {}
    with open(os.path.join(outdir, "expect.txt")) as f:
        for line in f:
            name, path = line.split()[:2]
            with open(os.path.join(outdir, "bodies", name + ".bin"), "rb") as body:
                requests = messages(body.read())
            with open(os.path.join(outdir, "docroot", path.lstrip("/")), "rb") as reply:
                replies = messages(reply.read())
            expect[name] = (path, requests, replies)
    failures = []

    def check(name, got, want):
        if got != want:
            failures.append(f"{name}: got {len(got)} messages / {sum(map(len, got))} bytes, "
                            f"want {len(want)} / {sum(map(len, want))}")

    try:
        path, requests, replies = expect["unary"]
        for _ in range(3):
            check("unary", [channel.unary_unary(path, **identity)(requests[0], timeout=10)], replies)
        path, requests, replies = expect["cstream"]
        check("cstream", [channel.stream_unary(path, **identity)(iter(requests), timeout=30)], replies)
        path, requests, replies = expect["sstream"]
        check("sstream", list(channel.unary_stream(path, **identity)(requests[0], timeout=30)), replies)
        path, requests, replies = expect["bidi"]
        check("bidi", list(channel.stream_stream(path, **identity)(iter(requests), timeout=30)), replies)
        path, requests, replies = expect["sfs"]
        call = channel.unary_stream(path, **identity)(requests[0], timeout=30)
        got = [next(call) for _ in range(1000)]
        call.cancel()
        check("sfs (1,000 then cancel)", got, replies * 1000)
    except grpc.RpcError as error:
        failures.append(f"RPC failed: {error.code()} {error.details()}")
    channel.close()
    if failures:
        print(f"check {target}: FAILED: " + "; ".join(failures))
        return 1
    print(f"check {target}: ok (unary x3, client stream, server stream, bidi, endless stream + cancel)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
