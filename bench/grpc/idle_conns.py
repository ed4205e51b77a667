#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# UsageFlow — gRPC transport benchmark: memory per idle TLS connection.
#
#   idle_conns.py PORT COUNT PID [--path /svc/Method --body FILE] [--hold SECONDS]
#
# Reads the server's RSS (VmRSS of PID), opens COUNT TLS connections with ALPN h2 (no certificate
# check), completes the handshake and the HTTP/2 preface and SETTINGS exchange on each, and, with
# --path/--body, makes one gRPC call per connection first (so per-connection buffers have been
# used once, the usual state of an idle connection); then holds all of them open, waits for the
# server to settle, reads RSS again and prints
#   idle_conns: COUNT connections, rss_before_kib, rss_after_kib, kib_per_connection
# Connections come from 127.0.0.2..127.0.0.9 in turn, so a per-IP connection cap is not what is
# measured.
import socket
import ssl
import sys
import time

import h2.config
import h2.connection
import h2.events


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def pump(sock, conn, until):
    """Reads frames until `until(events)` is true; sends whatever h2 wants to send."""
    while True:
        data = conn.data_to_send()
        if data:
            sock.sendall(data)
        chunk = sock.recv(65536)
        if not chunk:
            raise RuntimeError("server closed the connection")
        events = conn.receive_data(chunk)
        data = conn.data_to_send()
        if data:
            sock.sendall(data)
        if until(events):
            return events


def main():
    port, count, pid = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    path = sys.argv[sys.argv.index("--path") + 1] if "--path" in sys.argv else None
    body = open(sys.argv[sys.argv.index("--body") + 1], "rb").read() if "--body" in sys.argv else None
    hold = float(sys.argv[sys.argv.index("--hold") + 1]) if "--hold" in sys.argv else 2.0
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.set_alpn_protocols(["h2"])
    before = rss_kib(pid)
    held = []
    for i in range(count):
        raw = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # else delayed ACKs cost 40 ms each
        raw.bind((f"127.0.0.{2 + i % 8}", 0))
        raw.connect(("127.0.0.1", port))
        sock = context.wrap_socket(raw, server_hostname="localhost")
        assert sock.selected_alpn_protocol() == "h2", sock.selected_alpn_protocol()
        conn = h2.connection.H2Connection(config=h2.config.H2Configuration(client_side=True, header_encoding=None))
        conn.initiate_connection()
        pump(sock, conn, lambda events: any(isinstance(e, h2.events.RemoteSettingsChanged) for e in events))
        if path:
            stream = conn.get_next_available_stream_id()
            conn.send_headers(stream, [(":method", "POST"), (":scheme", "https"), (":path", path),
                                       (":authority", f"127.0.0.1:{port}"), ("content-type", "application/grpc"),
                                       ("te", "trailers")])
            conn.send_data(stream, body, end_stream=True)
            pump(sock, conn, lambda events: any(isinstance(e, h2.events.StreamEnded) for e in events))
        held.append((sock, conn))
    time.sleep(hold)
    after = rss_kib(pid)
    alive = 0
    for sock, _ in held:
        sock.setblocking(False)
        try:
            alive += sock.recv(1) != b""
        except (ssl.SSLWantReadError, BlockingIOError):
            alive += 1  # nothing to read: still open
        except OSError:
            pass
    for sock, _ in held:
        sock.close()
    print(f"idle_conns: {count} connections ({alive} still open), rss_before_kib {before}, rss_after_kib {after}, "
          f"kib_per_connection {(after - before) / count:.1f}")


if __name__ == "__main__":
    main()
