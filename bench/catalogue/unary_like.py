#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# UsageFlow — catalogue read benchmark: a UnaryCall body whose reply is as large as a given reply, so
# the transport's cost of sending that many bytes is measured apart from the work that produces them.
#
#   unary_like.py OUTDIR NAME REPLY_BYTES     writes OUTDIR/bodies/NAME.bin, appends to OUTDIR/expect.txt
#
# Uses bench/grpc/make_bodies.py's encoders: SimpleRequest{response_size: n, payload: 1 byte}, with n
# chosen so that the framed SimpleResponse is REPLY_BYTES long (or the nearest length above).
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "grpc"))
from make_bodies import frame, simple_request, simple_response  # noqa: E402


def main():
    out, name, target = sys.argv[1], sys.argv[2], int(sys.argv[3])
    size = max(1, target - 16)
    while len(frame(simple_response(size))) < target:
        size += 1
    body = frame(simple_request(size, 1))
    reply = frame(simple_response(size))
    with open(os.path.join(out, "bodies", f"{name}.bin"), "wb") as f:
        f.write(body)
    with open(os.path.join(out, "expect.txt"), "a") as expect:
        expect.write(f"{name} /grpc.testing.BenchmarkService/UnaryCall {len(body)} {len(reply)} 1 1 {len(reply)}\n")


if __name__ == "__main__":
    main()
