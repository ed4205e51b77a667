#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# UsageFlow — gRPC transport benchmark: request bodies for h2load and the static replies nghttpd
# serves as the ceiling. Hand-encoded protobuf (no protoc needed); every message is framed with
# the 5-byte gRPC prefix (compressed flag 0, big-endian length).
#
#   make_bodies.py OUTDIR [MESSAGES] [PAYLOAD]     (defaults 1000 messages of 100 bytes)
#
# Writes OUTDIR/bodies/*.bin, OUTDIR/docroot/<service>/<method> (nghttpd replies) and
# OUTDIR/expect.txt: per workload, request body bytes and the exact response DATA bytes per call
# that a correct server sends (the byte accounting that stands in for h2load's blindness to
# grpc-status).
import os
import struct
import sys


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def field_varint(number, value):
    return varint(number << 3) + varint(value) if value else b""


def field_bytes(number, value):
    return varint(number << 3 | 2) + varint(len(value)) + value


def frame(message):
    return struct.pack(">BI", 0, len(message)) + message


def payload(size):  # grpc.testing.Payload{body: size zero bytes}; type COMPRESSABLE (0) is not written
    return field_bytes(2, bytes(size)) if size else b""


def simple_request(response_size, payload_size):
    # SimpleRequest{response_size = 2, payload = 3}
    out = field_varint(2, response_size)
    if payload_size:
        out += field_bytes(3, payload(payload_size))
    return out


def simple_response(size):
    # SimpleResponse{payload = 1}; an empty payload is still written by no one: size 0 -> empty
    return field_bytes(1, payload(size)) if size else b""


def streaming_output_request(count, size):
    # StreamingOutputCallRequest{response_parameters = 2 (repeated ResponseParameters{size = 1})}
    return b"".join(field_bytes(2, field_varint(1, size)) for _ in range(count))


def streaming_output_response(size):
    # StreamingOutputCallResponse{payload = 1}
    return field_bytes(1, payload(size))


def main():
    out = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    size = int(sys.argv[3]) if len(sys.argv) > 3 else 100
    os.makedirs(os.path.join(out, "bodies"), exist_ok=True)
    bench = "grpc.testing.BenchmarkService"
    test = "grpc.testing.TestService"
    workloads = {
        # name: (path, request body, response DATA per call)
        "unary": (f"{bench}/UnaryCall", frame(simple_request(1, 1)), frame(simple_response(1))),
        "cstream": (f"{bench}/StreamingFromClient", frame(simple_request(1, size)) * count, frame(simple_response(1))),
        "sstream": (f"{test}/StreamingOutputCall", frame(streaming_output_request(count, size)),
                    frame(streaming_output_response(size)) * count),
        "bidi": (f"{bench}/StreamingCall", frame(simple_request(size, size)) * count, frame(simple_response(size)) * count),
        # Endless: the server repeats one response until the client goes away (h2load -D).
        "sfs": (f"{bench}/StreamingFromServer", frame(simple_request(size, 0)), frame(simple_response(size))),
    }
    with open(os.path.join(out, "expect.txt"), "w") as expect:
        for name, (path, body, reply) in workloads.items():
            with open(os.path.join(out, "bodies", name + ".bin"), "wb") as f:
                f.write(body)
            directory = os.path.join(out, "docroot", os.path.dirname(path))
            os.makedirs(directory, exist_ok=True)
            with open(os.path.join(out, "docroot", path), "wb") as f:
                f.write(reply)
            messages_in = count if name in ("cstream", "bidi") else 1
            messages_out = count if name in ("sstream", "bidi") else 1
            # name path request_bytes response_bytes_per_call messages_in messages_out message_size_out
            expect.write(f"{name} /{path} {len(body)} {len(reply)} {messages_in} {messages_out} "
                         f"{len(reply) // messages_out}\n")


if __name__ == "__main__":
    main()
