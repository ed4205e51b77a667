# SPDX-License-Identifier: Apache-2.0
"""Hostile-client tests for interop-server: the HTTP/2 attack catalogue of
reference/grpc-http2-nghttp2.md §3.7 and reliability-security.md §1.4–1.5, each asserting the
reaction the server documents (Sources/HTTP2/HTTP2Settings.swift, ServerConfiguration.swift).

Every test runs while well-behaved bystanders (h2 over h2c and TLS, grpcio over h2c) keep calling
EmptyCall; conftest.py fails the test if any of them fails or stops making progress. The last test
compares the servers' VmRSS with the baseline taken before the battery.
"""

from __future__ import annotations

import socket
import ssl
import struct
import threading
import time

import h2.errors
import pytest

import hostile_support as hs
from hostile_support import (METRICS, CONTINUATION, DATA, EMPTY_CALL, EMPTY_MESSAGE, END_HEADERS, END_STREAM,
                             ENHANCE_YOUR_CALM, FULL_DUPLEX_CALL, HEADERS, PING, PRIORITY, SETTINGS,
                             UNARY_CALL, WINDOW_UPDATE, H2Client, RawClient, error_name, frame, grpc_message,
                             request_headers)


@pytest.fixture(params=["h2c", "tls"])
def target(request, h2c_server, tls_server, tls_ctx):
    """(port, tls context or None, name) for tests run over both transports."""
    if request.param == "h2c":
        return h2c_server.port, None, "h2c"
    return tls_server.port, tls_ctx, "tls"


def assert_connection_still_serves(client) -> None:
    """A follow-up EmptyCall on the same connection succeeds."""
    if isinstance(client, H2Client):
        result = client.unary(timeout=5)
    else:
        sid = max(client.streams, default=-1) + 2 if client.streams else 1
        client.send(client.request(sid))
        client.pump(5, lambda: client.streams[sid].finished)
        result = client.streams[sid]
    assert client.goaway is None, f"connection got {client.goaway} instead of serving the next request"
    assert result.grpc_status == "0", f"follow-up request on the same connection failed: {result.describe()}"


# ==================================================================================================
# 1. Rapid reset (CVE-2023-44487)


def rapid_reset(client: H2Client, pairs: int, path: str = UNARY_CALL) -> tuple[int, float]:
    """Sends HEADERS+RST_STREAM(CANCEL) pairs in batches; returns (pairs sent, seconds)."""
    started = time.monotonic()
    sent = 0
    while sent < pairs and client.goaway is None and not client.closed and not client.send_failed:
        for _ in range(min(100, pairs - sent)):
            sid = client.start_request(path, flush=False)
            client.conn.reset_stream(sid, h2.errors.ErrorCodes.CANCEL)
            client.streams.pop(sid, None)
            sent += 1
        client.flush()
        client.pump(0.0)  # read what is there without waiting
    return sent, time.monotonic() - started


def test_rapid_reset_flood_gets_goaway(target, report):
    port, tls, name = target
    client = H2Client(port, tls=tls)
    client.pump(1, lambda: client.remote_settings_seen)
    sent, elapsed = rapid_reset(client, 3000)
    client.wait_closed_or_goaway(5)
    report(f"{name}: sent {sent} HEADERS+RST_STREAM pairs in {elapsed:.2f}s -> {client.goaway}, closed={client.closed}")
    assert client.goaway is not None, f"no GOAWAY after {sent} rapid-reset pairs (closed={client.closed})"
    assert client.goaway.error_code != hs.NO_ERROR, f"GOAWAY with NO_ERROR is not a rejection: {client.goaway}"
    assert client.goaway.last_stream_id >= 1999, f"GOAWAY inside nghttp2's burst of 1000 resets: {client.goaway}"
    # The connection must actually go away, not linger.
    assert client.pump(5, lambda: client.closed), "connection still open 5 s after the rapid-reset GOAWAY"
    client.close()


def test_rapid_reset_below_burst_is_tolerated(h2c_server, report):
    """200 cancelled calls (a legitimate client cancelling a batch) must not cost the connection."""
    client = H2Client(h2c_server.port)
    client.pump(1, lambda: client.remote_settings_seen)
    sent, _ = rapid_reset(client, 200)
    client.pump(0.5)
    assert sent == 200
    assert_connection_still_serves(client)
    client.close()


# ==================================================================================================
# 2. CONTINUATION flood (CVE-2024-28182)


def continuation_flood(client: RawClient, continuations: int, *, empty: bool, end_headers_last: bool) -> bytes:
    sid = 1
    head = request_headers(EMPTY_CALL, scheme=client.scheme)
    out = [client.headers_frame(sid, head, end_headers=False)]
    for i in range(continuations):
        last = end_headers_last and i == continuations - 1
        payload = b"" if empty else client.encode([(f"x-continuation-{i}", "v")])
        out.append(frame(CONTINUATION, END_HEADERS if last else 0, sid, payload))
    return b"".join(out)


@pytest.mark.parametrize("flavour", ["fields", "empty-frames"])
def test_continuation_flood_closes_connection(target, flavour, report):
    port, tls, name = target
    client = RawClient(port, tls=tls)
    client.pump(1, lambda: bool(client.server_settings))
    count = 2000 if flavour == "empty-frames" else 200
    started = time.monotonic()
    client.send(continuation_flood(client, count, empty=flavour == "empty-frames", end_headers_last=False))
    client.pump(5, lambda: client.closed)
    elapsed = time.monotonic() - started
    report(f"{name}/{flavour}: HEADERS + {count} CONTINUATION -> closed={client.closed} after {elapsed:.2f}s, "
           f"goaway={client.goaway}, last frame types received={[t for t, *_ in client.frames_received][-3:]}")
    assert client.closed, f"connection still open 5 s after HEADERS + {count} CONTINUATION frames"
    assert elapsed < 3, f"closing took {elapsed:.2f}s"
    assert 1 not in client.streams or client.streams[1].grpc_status is None, "the flooded request was served"
    if client.goaway is not None:
        assert client.goaway.error_code != hs.NO_ERROR, client.goaway
    client.close()


def test_eight_continuations_are_allowed(h2c_server, report):
    """The limit is 8 CONTINUATIONs: a header block split into HEADERS + 8 CONTINUATION is served."""
    client = RawClient(h2c_server.port)
    client.pump(1, lambda: bool(client.server_settings))
    client.send(continuation_flood(client, 8, empty=False, end_headers_last=True) + frame(DATA, END_STREAM, 1, EMPTY_MESSAGE))
    client.pump(5, lambda: 1 in client.streams and client.streams[1].finished or client.closed)
    assert not client.closed and client.goaway is None, f"8 CONTINUATIONs closed the connection ({client.goaway})"
    assert client.streams[1].grpc_status == "0", client.streams[1].describe()
    client.close()


# ==================================================================================================
# 3. Header list limits: 8 KiB (name + value + 32 per field) and 100 fields


def _base_headers(scheme: str) -> list[tuple[str, str]]:
    return request_headers(EMPTY_CALL, scheme=scheme)


def _oversized(kind: str, scheme: str) -> list[tuple[str, str]]:
    if kind == "one-9KiB-header":
        return [("x-huge", "h" * 9 * 1024)]
    if kind == "120-fields":
        return [(f"x-field-{i}", "v") for i in range(120)]
    if kind == "hpack-bomb":
        # 3 × ~4 KiB from one dynamic-table entry: the first copy is a literal with incremental
        # indexing, the next two are one- or two-byte indexed references.
        return [("x-bomb", "b" * 4000)] * 3
    raise AssertionError(kind)


@pytest.mark.parametrize("kind", ["one-9KiB-header", "120-fields", "hpack-bomb"])
def test_oversized_header_list_resets_stream_only(target, kind, report):
    port, tls, name = target
    client = H2Client(port, tls=tls)
    headers = _oversized(kind, client.scheme)
    sid = client.start_request(EMPTY_CALL, extra=headers, flush=False)
    client.send_data(sid, EMPTY_MESSAGE, end_stream=True)
    client.pump(5, lambda: client.streams[sid].finished or client.goaway is not None)
    result = client.streams[sid]
    report(f"{name}/{kind}: decoded list {hs.header_list_size(_base_headers(client.scheme) + headers)} B, "
           f"{len(headers) + 6} fields -> {result.describe()}, goaway={client.goaway}")
    assert result.reset_code is not None, f"expected RST_STREAM, got {result.describe()}"
    assert result.grpc_status is None, f"the oversized request reached a handler: {result.describe()}"
    assert_connection_still_serves(client)
    client.close()


@pytest.mark.parametrize("total,served", [(8192, True), (8193, False)])
def test_header_list_size_boundary(h2c_server, total, served, report):
    client = H2Client(h2c_server.port)
    base = _base_headers(client.scheme)
    pad = total - hs.header_list_size(base) - len("x-pad") - 32
    extra = [("x-pad", "p" * pad)]
    assert hs.header_list_size(base + extra) == total
    sid = client.start_request(EMPTY_CALL, extra=extra, flush=False)
    client.send_data(sid, EMPTY_MESSAGE, end_stream=True)
    client.pump(5, lambda: client.streams[sid].finished)
    result = client.streams[sid]
    if served:
        assert result.grpc_status == "0", f"a {total}-byte header list (the advertised limit) was refused: {result.describe()}"
    else:
        assert result.reset_code is not None, f"a {total}-byte header list was accepted: {result.describe()}"
    assert_connection_still_serves(client)
    client.close()


@pytest.mark.parametrize("fields,served", [(100, True), (101, False)])
def test_header_field_count_boundary(h2c_server, fields, served):
    client = H2Client(h2c_server.port)
    base = _base_headers(client.scheme)
    extra = [(f"x-f{i}", "v") for i in range(fields - len(base))]
    sid = client.start_request(EMPTY_CALL, extra=extra, flush=False)
    client.send_data(sid, EMPTY_MESSAGE, end_stream=True)
    client.pump(5, lambda: client.streams[sid].finished)
    result = client.streams[sid]
    if served:
        assert result.grpc_status == "0", f"{fields} header fields were refused: {result.describe()}"
    else:
        assert result.reset_code is not None, f"{fields} header fields were accepted: {result.describe()}"
    assert_connection_still_serves(client)
    client.close()


def test_more_streams_than_advertised_are_refused(h2c_server, report):
    """SETTINGS_MAX_CONCURRENT_STREAMS=100 (acknowledged): the 101st open stream is refused.

    RFC 9113 §5.1.2 asks for a stream error (PROTOCOL_ERROR or REFUSED_STREAM); nghttp2 1.52 makes
    it a connection error (GOAWAY PROTOCOL_ERROR "max concurrent streams exceeded"). Both are
    accepted here; which one happened is reported."""
    client = RawClient(h2c_server.port)
    client.pump(1, lambda: bool(client.server_settings))
    client.pump(0.2)  # let our SETTINGS ACK go out first
    assert client.server_settings.get(0x3) == 100, client.server_settings
    head = request_headers(FULL_DUPLEX_CALL, scheme=client.scheme)
    client.send(b"".join(client.headers_frame(1 + 2 * i, head) for i in range(100)))
    client.pump(0.3)
    assert client.goaway is None and not any(s.finished for s in client.streams.values()), \
        f"100 streams (the advertised limit) were not all accepted: {client.goaway}"
    client.send(client.headers_frame(201, head))
    client.pump(3, lambda: client.streams[201].finished or client.goaway is not None)
    result = client.streams[201]
    report(f"101st stream -> {result.describe()}; {client.goaway}")
    if client.goaway is not None:
        assert client.goaway.error_code in (hs.PROTOCOL_ERROR, hs.REFUSED_STREAM), client.goaway
        assert client.goaway.last_stream_id == 199, f"GOAWAY should cover the 100 accepted streams: {client.goaway}"
    else:
        assert result.reset_code in (hs.REFUSED_STREAM, hs.PROTOCOL_ERROR), result.describe()
        client.send(b"".join(frame(hs.RST_STREAM, 0, 1 + 2 * i, struct.pack(">I", hs.CANCEL)) for i in range(100)))
        client.send(client.request(203))
        client.pump(5, lambda: client.streams[203].finished)
        assert client.streams[203].grpc_status == "0", client.streams[203].describe()
    client.close()


# ==================================================================================================
# 4. Empty-frame floods (CVE-2019-9518) and server-provoked resets ("MadeYouReset", CVE-2025-8671)


@pytest.mark.parametrize("flavour", ["empty", "padding-only"])
def test_empty_data_flood_gets_enhance_your_calm(target, flavour, report):
    port, tls, name = target
    client = H2Client(port, tls=tls)
    sid = client.start_request(UNARY_CALL)
    sent = 0
    for _ in range(300):
        if client.goaway is not None or client.closed:
            break
        client.send_data(sid, b"", pad_length=8 if flavour == "padding-only" else None, flush=False)
        sent += 1
        if sent % 50 == 0:
            client.flush()
            client.pump(0.0)
    client.flush()
    client.wait_closed_or_goaway(5)
    report(f"{name}/{flavour}: {sent} empty DATA frames -> {client.goaway}, closed={client.closed}")
    assert client.goaway is not None, f"no GOAWAY after {sent} empty DATA frames"
    assert client.goaway.error_code == ENHANCE_YOUR_CALM, f"expected ENHANCE_YOUR_CALM, got {client.goaway}"
    assert client.pump(5, lambda: client.closed), "connection still open 5 s after GOAWAY"
    client.close()


def test_few_empty_data_frames_are_tolerated(h2c_server):
    client = H2Client(h2c_server.port)
    sid = client.start_request(UNARY_CALL)
    for _ in range(50):
        client.send_data(sid, b"", flush=False)
    client.send_data(sid, EMPTY_MESSAGE, end_stream=True)
    client.pump(5, lambda: client.streams[sid].finished)
    assert client.goaway is None, client.goaway
    assert client.streams[sid].grpc_status == "0", client.streams[sid].describe()
    client.close()


def _provoke_reset(client: RawClient, flavour: str, sid: int) -> bytes:
    """Frames after which the *server* must reset stream ``sid`` (a stream error, not a connection error)."""
    head = request_headers(UNARY_CALL, scheme=client.scheme)
    if flavour == "uppercase-header":
        return client.headers_frame(sid, head + [("X-Upper", "1")])
    if flavour == "content-length-mismatch":
        return client.headers_frame(sid, head + [("content-length", "1")]) + frame(DATA, END_STREAM, sid, EMPTY_MESSAGE)
    if flavour == "window-overflow":
        return client.headers_frame(sid, head) + frame(WINDOW_UPDATE, 0, sid, struct.pack(">I", 0x7FFFFFFF))
    raise AssertionError(flavour)


@pytest.mark.parametrize("flavour", ["uppercase-header", "content-length-mismatch", "window-overflow"])
def test_made_you_reset_flood_gets_enhance_your_calm(target, flavour, report):
    """Malformed requests make the *server* reset each stream. The client never sends RST_STREAM,
    so nghttp2's rapid-reset bucket never fills; only the server's own counters of resets sent /
    invalid frames (100 per 10 s) can stop it (CVE-2025-8671)."""
    port, tls, name = target
    client = RawClient(port, tls=tls)
    client.pump(1, lambda: bool(client.server_settings))
    sent = 0
    for _ in range(20):
        client.send(b"".join(_provoke_reset(client, flavour, 1 + 2 * (sent + i)) for i in range(25)))
        sent += 25
        if client.pump(0.02, lambda: client.goaway is not None or client.closed):
            break
    client.wait_closed_or_goaway(5)
    resets = [s.reset_code for s in client.streams.values() if s.reset_code is not None]
    report(f"{name}/{flavour}: {sent} provoking requests -> {len(resets)} RST_STREAM "
           f"({error_name(resets[0]) if resets else '-'}) from the server, then {client.goaway}, closed={client.closed}")
    assert resets, "the server did not reset the malformed streams at all"
    assert client.goaway is not None, f"no GOAWAY after the server reset {len(resets)} streams"
    assert client.goaway.error_code == ENHANCE_YOUR_CALM, client.goaway
    assert len(resets) <= 150, f"GOAWAY only after {len(resets)} server resets (limit 100 per 10 s)"
    client.close()


# ==================================================================================================
# 5. Length prefix: the 4 MiB limit is decided from the 5-byte prefix


@pytest.mark.parametrize("announced", [4 * 1024 * 1024 + 1, 2 ** 31, 2 ** 32 - 1],
                         ids=["4MiB+1", "2GiB", "4GiB-1"])
def test_oversize_length_prefix_is_rejected_at_once(target, announced, report):
    port, tls, name = target
    client = H2Client(port, tls=tls)
    sid = client.start_request(UNARY_CALL)
    started = time.monotonic()
    client.send_data(sid, struct.pack(">BI", 0, announced))  # the prefix only, no END_STREAM
    client.pump(5, lambda: client.streams[sid].finished)
    elapsed = time.monotonic() - started
    result = client.streams[sid]
    report(f"{name}: prefix announcing {announced} B -> {result.describe()} in {elapsed * 1000:.0f} ms")
    assert result.grpc_status == "8", f"expected RESOURCE_EXHAUSTED, got {result.describe()}"
    assert elapsed < 1.0, f"rejection took {elapsed:.2f}s: the server waited for the body"
    assert_connection_still_serves(client)
    client.close()


def test_prefix_split_across_frames_is_still_checked(h2c_server):
    client = H2Client(h2c_server.port)
    sid = client.start_request(UNARY_CALL)
    prefix = struct.pack(">BI", 0, 2 ** 31)
    for byte in prefix:
        client.send_data(sid, bytes([byte]))
    client.pump(5, lambda: client.streams[sid].finished)
    assert client.streams[sid].grpc_status == "8", client.streams[sid].describe()
    client.close()


def _simple_request_with_payload(size: int) -> bytes:
    def varint(n: int) -> bytes:
        out = bytearray()
        while True:
            byte, n = n & 0x7F, n >> 7
            if n:
                out.append(byte | 0x80)
            else:
                out.append(byte)
                return bytes(out)
    payload = b"\x12" + varint(size) + b"a" * size          # Payload.body (field 2)
    return b"\x1a" + varint(len(payload)) + payload          # SimpleRequest.payload (field 3)


@pytest.mark.parametrize("size", [512 * 1024, 2 * 1024 * 1024, 4 * 1024 * 1024 - 64],
                         ids=["512KiB", "2MiB", "4MiB-64"])
def test_large_message_under_the_limit_is_served(h2c_server, size, report):
    """The other side of case 5: a legitimate message under 4 MiB must get through flow control."""
    client = H2Client(h2c_server.port)
    sid = client.start_request(UNARY_CALL)
    message = grpc_message(_simple_request_with_payload(size))
    started = time.monotonic()
    sent_all = client.send_body(sid, message, timeout=3)
    client.pump(3, lambda: client.streams[sid].finished)
    result = client.streams[sid]
    report(f"{len(message)} B request: all sent={sent_all}, stream window left="
           f"{client.conn.local_flow_control_window(sid) if not result.finished else '-'} -> {result.describe()} "
           f"after {time.monotonic() - started:.1f}s")
    assert sent_all, (f"the server stopped granting flow-control window after "
                      f"{len(message) - 0} B were offered; {result.describe()}")
    assert result.grpc_status == "0", result.describe()
    client.close()


def test_partial_messages_do_not_starve_the_connection(h2c_server, report):
    """16 streams each holding 1 MiB of a message that announces 2 MiB (legal: under 4 MiB). The
    connection window (16 MiB) must keep being credited, so another call on the same connection
    (think of a proxy multiplexing many users) still gets through."""
    client = H2Client(h2c_server.port)
    client.pump(1, lambda: client.remote_settings_seen)
    for _ in range(16):
        sid = client.start_request(UNARY_CALL)
        client.send_body(sid, struct.pack(">BI", 0, 2 * 1024 * 1024) + b"a" * (1024 * 1024 - 5), end_stream=False, timeout=2)
    window = client.conn.outbound_flow_control_window
    sid = client.start_request(EMPTY_CALL)
    sent = client.send_body(sid, EMPTY_MESSAGE, timeout=3)
    client.pump(3, lambda: client.streams[sid].finished)
    result = client.streams[sid]
    report(f"after 16 × 1 MiB partial messages the connection send window is {window} B; "
           f"EmptyCall body sent={sent} -> {result.describe()}")
    assert sent and result.grpc_status == "0", (
        f"other calls on the connection are starved: connection window {window} B never reopened; {result.describe()}")
    client.close()


# ==================================================================================================
# 6. Malformed grpc-timeout


@pytest.mark.parametrize("value", ["1x", "123456789S", "", "S", "-1S", "1.5S", "1s", "0x10S"])
def test_malformed_grpc_timeout_is_internal(h2c_server, value, report):
    client = H2Client(h2c_server.port)
    result = client.unary(EMPTY_CALL, extra=[("grpc-timeout", value)], timeout=3)
    assert result.grpc_status == "13", f"grpc-timeout {value!r}: expected INTERNAL, got {result.describe()}"
    client.close()


@pytest.mark.parametrize("value", ["99999999H", "1S", "100000m"])
def test_valid_grpc_timeout_is_accepted(h2c_server, value):
    client = H2Client(h2c_server.port)
    result = client.unary(EMPTY_CALL, extra=[("grpc-timeout", value)])
    assert result.grpc_status == "0", f"grpc-timeout {value!r}: {result.describe()}"
    client.close()


def _echo_status_request(code: int, message: str) -> bytes:
    """SimpleRequest{response_status: EchoStatus{code, message}} (field 7)."""
    text = message.encode()
    inner = b"\x08" + bytes([code]) + b"\x12" + bytes([len(text)]) + text
    return b"\x3a" + bytes([len(inner)]) + inner


@pytest.mark.parametrize("message", ["boom", "boom ", " boom"], ids=["plain", "trailing-space", "leading-space"])
def test_status_message_is_always_delivered(h2c_server, message, report):
    """The server must answer every call. A grpc-message is client-influenced here (the interop
    EchoStatus, or the malformed grpc-timeout text echoed in the rejection); whatever its
    characters, the status must arrive (percent-encoded if need be), never be dropped."""
    client = H2Client(h2c_server.port)
    result = client.unary(UNARY_CALL, grpc_message(_echo_status_request(2, message)), timeout=3)
    report(f"EchoStatus(2, {message!r}) -> {result.describe()}")
    assert result.finished, f"no response at all within 3 s for status message {message!r}: the call hangs"
    assert result.grpc_status == "2", result.describe()
    client.close()


# ==================================================================================================
# 7. Wrong content-type → 415, wrong method → 405


@pytest.mark.parametrize("content_type", ["text/plain", None, "application/json", "application/grpc-web"],
                         ids=["text/plain", "missing", "json", "grpc-web"])
def test_non_grpc_content_type_is_415(target, content_type):
    port, tls, _ = target
    client = H2Client(port, tls=tls)
    result = client.unary(EMPTY_CALL, content_type=content_type)
    assert result.http_status == "415", f"content-type {content_type!r}: {result.describe()}"
    assert_connection_still_serves(client)
    client.close()


@pytest.mark.parametrize("method", ["GET", "PUT", "HEAD"])
def test_non_post_is_405(h2c_server, method):
    client = H2Client(h2c_server.port)
    sid = client.start_request(EMPTY_CALL, method=method, end_stream=True)
    client.pump(5, lambda: client.streams[sid].finished)
    result = client.streams[sid]
    assert result.http_status == "405", f"{method}: {result.describe()}"
    assert_connection_still_serves(client)
    client.close()


# ==================================================================================================
# 8. Half-open and silent connections


def _client_hello() -> bytes:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.set_alpn_protocols(["h2"])
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = ctx.wrap_bio(incoming, outgoing, server_hostname="localhost")
    try:
        tls.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return outgoing.read()


def _wait_for_close(sock: socket.socket, timeout: float, received: bytearray | None = None) -> float | None:
    """Seconds until the peer closed (EOF or reset), or None. Server bytes go to ``received`` when
    given (cleartext HTTP/2 frames, already decrypted on a TLS socket), else they are discarded."""
    started = time.monotonic()
    sock.settimeout(0.5)
    while time.monotonic() - started < timeout:
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            continue
        except (ConnectionResetError, OSError):
            return time.monotonic() - started
        if chunk == b"":
            return time.monotonic() - started
        if received is not None:
            received.extend(chunk)
    return None


def _goaway_in(data: bytes) -> hs.GoAway | None:
    """The first GOAWAY among the server frames in ``data`` (which start at a frame boundary)."""
    offset = 0
    while offset + 9 <= len(data):
        length = int.from_bytes(data[offset:offset + 3], "big")
        if data[offset + 3] == hs.GOAWAY and offset + 9 + length <= len(data) and length >= 8:
            last, code = struct.unpack(">II", data[offset + 9:offset + 17])
            return hs.GoAway(last & 0x7FFFFFFF, code, bytes(data[offset + 17:offset + 9 + length]))
        offset += 9 + length
    return None


def _watch_closes(sockets: dict[str, socket.socket], timeout: float, *,
                  frames: bool = False) -> dict[str, tuple[float | None, hs.GoAway | None]]:
    """Waits on every socket at once; name -> (seconds until the server closed it or None, the
    GOAWAY it sent first when ``frames``). Closes the sockets."""
    results: dict[str, tuple[float | None, hs.GoAway | None]] = {}

    def watch(name, sock):
        received = bytearray() if frames else None
        elapsed = _wait_for_close(sock, timeout, received)
        results[name] = (elapsed, _goaway_in(received) if frames else None)

    threads = [threading.Thread(target=watch, args=item) for item in sockets.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for sock in sockets.values():
        sock.close()
    return results


def _describe_closes(results) -> str:
    return ", ".join(f"{name}: {'open' if elapsed is None else f'{elapsed:.2f}s'}"
                     + (f" after {goaway}" if goaway else "")
                     for name, (elapsed, goaway) in results.items())


def _check_handshake_timeout(port: int, timeout: float, low: float, high: float, report) -> None:
    """A partial ClientHello, and a TCP connection that sends nothing at all, must both be closed by
    the TLS handshake timeout (measured from accept)."""
    hello = _client_hello()
    partial = socket.create_connection(("127.0.0.1", port))
    partial.sendall(hello[: len(hello) // 2])
    silent = socket.create_connection(("127.0.0.1", port))
    results = _watch_closes({"partial ClientHello": partial, "silent": silent}, high + 4)
    report(f"handshake timeout {timeout:g}s, closed after: {_describe_closes(results)} "
           f"(ClientHello {len(hello)} B, sent half)")
    for name, (elapsed, _) in results.items():
        assert elapsed is not None, f"{name} TLS connection still open after {high + 4:g} s"
        assert low <= elapsed <= high, f"{name} TLS connection closed after {elapsed:.2f}s, expected ~{timeout:g} s"


def test_tls_half_open_handshake_is_closed_by_handshake_timeout(short_timeouts, report):
    """The handshake timeout on a server configured with a short one (SHORT_TIMEOUTS)."""
    timeout = short_timeouts.timeouts["handshake"]
    _check_handshake_timeout(short_timeouts.tls.port, timeout, timeout - 0.25, timeout + 1.5, report)


@pytest.mark.slow
def test_tls_half_open_handshake_is_closed_after_10s(tls_server, report):
    """The default 10 s TLS handshake timeout."""
    _check_handshake_timeout(tls_server.port, 10, 9.0, 12.5, report)


def _check_first_request_timeout(h2c_port: int, tls_port: int, tls_ctx, timeout: float, low: float, high: float,
                                 report) -> None:
    """First-request timeout: silent TCP, preface + SETTINGS only, an unfinished HEADERS block
    (slowloris), and a finished TLS handshake with nothing after it are each closed once the
    timeout has passed since accept, the cleartext ones after a GOAWAY(NO_ERROR)."""
    silent = socket.create_connection(("127.0.0.1", h2c_port))
    preface = socket.create_connection(("127.0.0.1", h2c_port))
    preface.sendall(hs.PREFACE + frame(SETTINGS, 0, 0))
    slowloris = RawClient(h2c_port)
    slowloris.send(slowloris.headers_frame(1, request_headers(EMPTY_CALL), end_headers=False))
    tls_idle = hs.open_socket(tls_port, tls=tls_ctx)
    sockets = {"silent h2c": silent, "preface only": preface, "unfinished HEADERS": slowloris.sock,
               "TLS, no request": tls_idle}
    results = _watch_closes(sockets, high + 6, frames=True)
    report(f"first-request timeout {timeout:g}s, closed after: {_describe_closes(results)}")
    for name, (elapsed, goaway) in results.items():
        assert elapsed is not None, f"{name}: still open after {high + 6:g} s"
        assert low <= elapsed <= high, f"{name}: closed after {elapsed:.2f}s, expected ~{timeout:g} s"
    # RawClient's constructor read the server's first frames, so its socket's stream starts mid-way.
    # Over TLS the GOAWAY is checked by test_timeout_goaway_reaches_tls_clients.
    for name in ("silent h2c", "preface only"):
        goaway = results[name][1]
        assert goaway is not None and goaway.error_code == hs.NO_ERROR, \
            f"{name}: closed with {goaway or 'no GOAWAY'}, expected GOAWAY(NO_ERROR) first"


def test_connections_without_a_request_are_closed_by_first_request_timeout(short_timeouts, tls_ctx, report):
    """The first-request timeout on servers configured with a short one; on TLS it must be the
    first-request timer, not the (shorter) handshake timer, that closes a finished handshake."""
    timeout = short_timeouts.timeouts["first_request"]
    assert timeout - short_timeouts.timeouts["handshake"] >= 0.75  # else the TLS case proves nothing
    _check_first_request_timeout(short_timeouts.h2c.port, short_timeouts.tls.port, tls_ctx, timeout,
                                 timeout - 0.25, timeout + 1.5, report)


@pytest.mark.slow
def test_connections_without_a_request_are_closed_after_20s(h2c_server, tls_server, tls_ctx, report):
    """The default 20 s first-request timeout."""
    _check_first_request_timeout(h2c_server.port, tls_server.port, tls_ctx, 20, 18.5, 24, report)


def test_idle_connection_is_closed_by_idle_timeout(short_timeouts, tls_ctx, report):
    """Idle timeout (3 s here; 300 s by default, checked once a second): a connection that made a
    call and then stays silent is sent GOAWAY(NO_ERROR) naming its last stream, then closed, about
    the idle timeout after the call. A connection that keeps making calls, and one whose only call
    stays open and silent for longer than the timeout, are left alone; the latter is idled the
    timeout after its call ends."""
    timeout = short_timeouts.timeouts["idle"]
    low, high = timeout - 0.25, timeout + 2.0  # + the once-a-second sweep and scheduling slack
    ports = {"h2c": (short_timeouts.h2c.port, None), "tls": (short_timeouts.tls.port, tls_ctx)}
    outcomes: dict[str, str] = {}
    problems: list[str] = []

    def idled(name: str, client: H2Client, last_stream: int, expect_goaway: bool = True) -> None:
        started = time.monotonic()
        client.pump(high + 2, lambda: client.goaway is not None or client.closed)
        elapsed = time.monotonic() - started
        got_goaway = client.goaway is not None
        client.pump(2, lambda: client.closed)
        outcomes[name] = f"GOAWAY after {elapsed:.2f}s: {client.goaway}, closed: {client.closed}"
        if not got_goaway and not client.closed:
            problems.append(f"{name}: neither GOAWAY nor close within {high + 2:g}s")
        elif not got_goaway and expect_goaway:
            problems.append(f"{name}: closed without a GOAWAY")
        elif got_goaway and (client.goaway.error_code != hs.NO_ERROR or client.goaway.last_stream_id != last_stream):
            problems.append(f"{name}: got {client.goaway}, expected GOAWAY(last_stream_id={last_stream}, NO_ERROR)")
        if not low <= elapsed <= high:
            problems.append(f"{name}: idled after {elapsed:.2f}s, expected ~{timeout:g}s")
        if not client.closed:
            problems.append(f"{name}: still open 2 s after its GOAWAY")

    def silent_after_one_call(transport: str) -> None:
        name = f"silent after one call ({transport})"
        client = H2Client(ports[transport][0], tls=ports[transport][1])
        try:
            result = client.unary()
            if result.grpc_status != "0":
                problems.append(f"{name}: the call failed: {result.describe()}")
                return
            # Over TLS the GOAWAY is checked by test_timeout_goaway_reaches_tls_clients.
            idled(name, client, 1, expect_goaway=transport == "h2c")
        finally:
            client.close()

    def keeps_calling() -> None:
        name = "a call every 0.5 s (h2c)"
        client = H2Client(short_timeouts.h2c.port)
        try:
            started, calls = time.monotonic(), 0
            while time.monotonic() - started < 2 * timeout:
                result = client.unary(timeout=3)
                calls += 1
                if result.grpc_status != "0" or client.goaway is not None or client.closed:
                    problems.append(f"{name}: call {calls} after {time.monotonic() - started:.2f}s: "
                                    f"{result.describe()}, {client.goaway}, closed: {client.closed}")
                    return
                client.pump(0.5, lambda: client.goaway is not None or client.closed)
            outcomes[name] = f"{calls} calls over {time.monotonic() - started:.1f}s, still open"
        finally:
            client.close()

    def call_in_flight() -> None:
        name = "silent open call (h2c)"
        client = H2Client(short_timeouts.h2c.port)
        try:
            sid = client.start_request(FULL_DUPLEX_CALL)
            # Past the timeout plus one sweep period: an idle check that ignored the open call would have fired.
            client.pump(timeout + 1.25, lambda: client.goaway is not None or client.closed)
            if client.goaway is not None or client.closed:
                problems.append(f"{name}: idled while its call was open ({client.goaway}, closed: {client.closed})")
                return
            client.send_data(sid, b"", end_stream=True)
            client.pump(3, lambda: client.streams.get(sid) is not None and client.streams[sid].finished)
            result = client.streams.get(sid)
            if result is None or result.grpc_status != "0":
                problems.append(f"{name}: the call did not finish OK: {result.describe() if result else 'no response'}")
                return
            idled(name, client, sid)
            outcomes[name] = f"open {timeout + 1.25:g}s, call OK, then " + outcomes[name]
        finally:
            client.close()

    def guarded(case, *args) -> None:
        try:
            case(*args)
        except Exception as error:  # noqa: BLE001 - a client error is a finding, not a lost thread
            problems.append(f"{case.__name__}{args}: {error!r}")

    threads = [threading.Thread(target=guarded, args=(silent_after_one_call, "h2c")),
               threading.Thread(target=guarded, args=(silent_after_one_call, "tls")),
               threading.Thread(target=guarded, args=(keeps_calling,)),
               threading.Thread(target=guarded, args=(call_in_flight,))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    report(f"idle timeout {timeout:g}s: " + "; ".join(f"{k}: {v}" for k, v in sorted(outcomes.items())))
    assert not problems, "; ".join(problems)


def test_idle_timeout_counts_from_the_last_stream_closing(short_timeouts, report):
    """ServerConfiguration.idleTimeout: "a connection with no open streams for this long is closed".
    A server-streaming call that answers after longer than the idle timeout, to a client that sends
    nothing meanwhile, leaves a connection that must stay usable for about the timeout after it."""
    timeout = short_timeouts.timeouts["idle"]
    client = H2Client(short_timeouts.h2c.port)
    try:
        interval_us = int((timeout + 1.5) * 1_000_000)
        parameters = b"\x08\x01\x10" + _varint(interval_us)  # ResponseParameters{size: 1, interval_us}
        result = client.unary("/grpc.testing.TestService/StreamingOutputCall",
                              grpc_message(b"\x12" + _varint(len(parameters)) + parameters), timeout=timeout + 5)
        assert result.grpc_status == "0", f"the streaming call failed: {result.describe()}"
        ended = time.monotonic()
        client.pump(timeout - 0.5, lambda: client.goaway is not None or client.closed)
        after = time.monotonic() - ended
        report(f"call of {timeout + 1.5:g}s, then {client.goaway or 'no GOAWAY'} {after:.2f}s after it ended")
        assert client.goaway is None and not client.closed, \
            f"idled {after:.2f}s after its only call ended ({client.goaway}); the idle timeout is {timeout:g}s"
        assert client.unary().grpc_status == "0"
    finally:
        client.close()


def test_timeout_goaway_reaches_tls_clients(short_timeouts, tls_ctx, report):
    """The first-request and idle timeouts send GOAWAY(NO_ERROR) before closing over TLS as they do
    over h2c, so a client can tell a deliberate close from a lost connection."""
    timeout = max(short_timeouts.timeouts["first_request"], short_timeouts.timeouts["idle"])
    no_request = hs.open_socket(short_timeouts.tls.port, tls=tls_ctx)
    idle = H2Client(short_timeouts.tls.port, tls=tls_ctx)
    assert idle.unary().grpc_status == "0"
    results = _watch_closes({"TLS, no request": no_request}, timeout + 4, frames=True)
    idle.pump(3, lambda: idle.goaway is not None or idle.closed)
    idle.close()
    results["TLS, idle after one call"] = (None, idle.goaway)
    report("GOAWAY before close: " + ", ".join(f"{name}: {goaway}" for name, (_, goaway) in results.items()))
    for name, (_, goaway) in results.items():
        assert goaway is not None and goaway.error_code == hs.NO_ERROR, f"{name}: closed with {goaway or 'no GOAWAY'}"


# ==================================================================================================
# 9. Ping flood


def test_ping_flood_gets_goaway(target, report):
    port, tls, name = target
    client = H2Client(port, tls=tls)
    client.pump(1, lambda: client.remote_settings_seen)
    for i in range(2000):
        client.ping(struct.pack(">Q", i), flush=False)
    client.flush()
    client.wait_closed_or_goaway(5)
    report(f"{name}: 2000 PINGs -> {client.ping_acks} ACKs, {client.goaway}, closed={client.closed}")
    assert client.goaway is not None, f"no GOAWAY after a ping flood ({client.ping_acks} ACKs, closed={client.closed})"
    assert client.goaway.error_code == ENHANCE_YOUR_CALM, client.goaway
    assert client.pump(5, lambda: client.closed), "connection still open 5 s after GOAWAY"
    client.close()


def test_ping_flood_without_reading_is_stopped(h2c_server, report):
    """The nastier variant: the client never reads, so the server cannot deliver ACKs or GOAWAY."""
    sock = socket.create_connection(("127.0.0.1", h2c_server.port))
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.sendall(hs.PREFACE + frame(SETTINGS, 0, 0))
    pings = b"".join(frame(PING, 0, 0, struct.pack(">Q", i)) for i in range(1000))
    sock.settimeout(0.5)
    sent = 0
    started = time.monotonic()
    stopped = None
    while time.monotonic() - started < 5:
        try:
            sock.sendall(pings)
            sent += 1000
        except socket.timeout:
            continue
        except (BrokenPipeError, ConnectionResetError, OSError) as error:
            stopped = type(error).__name__
            break
    elapsed = time.monotonic() - started
    sock.close()
    report(f"non-reading ping flood: {sent} PINGs in {elapsed:.2f}s -> {stopped or 'still accepted'}")
    assert stopped is not None, f"the server kept accepting PINGs from a non-reading client ({sent} in {elapsed:.1f}s)"


def test_occasional_pings_are_tolerated(h2c_server):
    client = H2Client(h2c_server.port)
    client.pump(1, lambda: client.remote_settings_seen)
    client.ping(b"keepaliv")
    client.pump(1, lambda: client.ping_acks >= 1)
    client.ping(b"keepali2")
    client.pump(1, lambda: client.ping_acks >= 2)
    assert client.ping_acks == 2 and client.goaway is None, (client.ping_acks, client.goaway)
    assert_connection_still_serves(client)
    client.close()


# ==================================================================================================
# Control-frame floods the library should absorb (the connection keeps serving)


@pytest.mark.parametrize("flood", ["settings", "priority-on-idle-streams", "window-update", "ping-ack"])
def test_control_frame_flood_is_absorbed(h2c_server, flood, report):
    client = RawClient(h2c_server.port)
    client.pump(1, lambda: bool(client.server_settings))
    count = 5000
    if flood == "settings":
        frames = [frame(SETTINGS, 0, 0, struct.pack(">HI", 0x4, 1 << 20))] * count
    elif flood == "priority-on-idle-streams":
        frames = [frame(PRIORITY, 0, 1001 + 2 * i, struct.pack(">IB", 0, 15)) for i in range(count)]
    elif flood == "window-update":
        frames = [frame(WINDOW_UPDATE, 0, 0, struct.pack(">I", 1))] * count
    else:
        frames = [frame(PING, hs.ACK, 0, b"unasked!")] * count
    started = time.monotonic()
    client.send(b"".join(frames))
    client.pump(0.5)
    elapsed = time.monotonic() - started
    outcome = f"{client.goaway}" if client.goaway else ("closed" if client.closed else "open")
    report(f"{count} {flood} frames in {elapsed:.2f}s -> {outcome}")
    if client.goaway is None and not client.closed:
        sid = 1 if flood != "priority-on-idle-streams" else 1 + 2 * count + 2000
        client.send(client.request(sid))
        client.pump(5, lambda: client.streams[sid].finished)
        assert client.streams[sid].grpc_status == "0", client.streams[sid].describe()
    elif flood == "settings":
        # More than max_outbound_ack (1000) SETTINGS ACKs queued at once is nghttp2's SETTINGS-flood
        # guard (CVE-2019-9515): the session ends. A GOAWAY, if any, must not claim NO_ERROR.
        assert client.goaway is None or client.goaway.error_code != hs.NO_ERROR, outcome
    else:
        # Dropping a connection for a flood the library should absorb is acceptable only as ENHANCE_YOUR_CALM.
        assert client.goaway is not None and client.goaway.error_code == ENHANCE_YOUR_CALM, outcome
    client.close()


# ==================================================================================================
# Connection floods: per-IP limit (1000)


def _hold_connections(port: int, count: int, source: str) -> tuple[list[socket.socket], int]:
    """Opens ``count`` connections from ``source`` and waits until the server has admitted them
    (each admitted connection receives the server's SETTINGS). Returns (sockets, admitted)."""
    held = []
    for _ in range(count):
        sock = socket.create_connection(("127.0.0.1", port), source_address=(source, 0))
        sock.sendall(hs.PREFACE + frame(SETTINGS, 0, 0))
        held.append(sock)
    admitted = 0
    for sock in held:
        sock.settimeout(5)
        try:
            if sock.recv(9):
                admitted += 1
        except (socket.timeout, OSError):
            pass
    return held, admitted


def test_per_ip_connection_limit(h2c_server, report):
    """1000 connections from 127.0.0.2 are admitted; more from it are closed at once; 127.0.0.1
    (the bystanders' address) is unaffected. Done twice, to tell a leak (second round grows
    again) from memory the allocator merely keeps (second round reuses it)."""
    limit = 1000
    rss = [h2c_server.rss_kib()]
    admitted_rounds, refused, other_result = [], [], None
    for round_index in range(2):
        held, admitted = _hold_connections(h2c_server.port, limit, "127.0.0.2")
        admitted_rounds.append(admitted)
        rss.append(h2c_server.rss_kib())
        try:
            if round_index == 0:
                for _ in range(5):
                    extra = socket.create_connection(("127.0.0.1", h2c_server.port), source_address=("127.0.0.2", 0))
                    extra.sendall(hs.PREFACE + frame(SETTINGS, 0, 0))
                    refused.append(_wait_for_close(extra, 3))
                    extra.close()
                other = H2Client(h2c_server.port)
                other_result = other.unary()
                other.close()
        finally:
            for sock in held:
                sock.close()
        time.sleep(1.0)
        rss.append(h2c_server.rss_kib())
    METRICS["per-IP flood VmRSS KiB (before, 1000 held, closed, 1000 held again, closed)"] = rss
    report(f"admitted {admitted_rounds} of {limit}; extra connections closed after "
           f"{[round(t, 3) if t else t for t in refused]} s; VmRSS {rss[0]} -> {rss[1]} KiB with {limit} idle "
           f"connections (~{(rss[1] - rss[0]) / limit:.0f} KiB each) -> {rss[2]} KiB after closing; "
           f"second round {rss[3]} -> {rss[4]} KiB")
    assert admitted_rounds == [limit, limit], f"connections from 127.0.0.2 admitted per round: {admitted_rounds}"
    assert all(t is not None and t < 1.5 for t in refused), f"connections over the per-IP limit were not closed: {refused}"
    assert other_result.grpc_status == "0", f"127.0.0.1 was refused while 127.0.0.2 was at its limit: {other_result.describe()}"
    assert rss[4] - rss[2] < 16 * 1024, f"a second round of {limit} connections grew VmRSS again: {rss} (leak)"


# ==================================================================================================
# Slow reader with a zero flow-control window (CVE-2019-9517 "internal data buffering")


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _streaming_output_request(messages: int, size: int) -> bytes:
    """StreamingOutputCallRequest{response_parameters: [ResponseParameters{size}] * messages}."""
    parameters = b"\x08" + _varint(size)
    return b"".join(b"\x12" + _varint(len(parameters)) + parameters for _ in range(messages))


def _zero_window_reader(port: int, streams: int, messages: int, size: int) -> socket.socket:
    """A client that advertises SETTINGS_INITIAL_WINDOW_SIZE=0, asks every stream for a large
    server-streaming response, and never opens a window: the server can send nothing."""
    import hpack  # noqa: PLC0415

    sock = socket.create_connection(("127.0.0.1", port))
    encoder = hpack.Encoder()
    out = [hs.PREFACE, frame(SETTINGS, 0, 0, struct.pack(">HI", 0x4, 0)), frame(SETTINGS, hs.ACK, 0)]
    body = grpc_message(_streaming_output_request(messages, size))
    for i in range(streams):
        sid = 1 + 2 * i
        out.append(frame(HEADERS, END_HEADERS, sid, encoder.encode(request_headers("/grpc.testing.TestService/StreamingOutputCall"))))
        out.append(frame(DATA, END_STREAM, sid, body))
    sock.sendall(b"".join(out))
    return sock


def test_zero_window_reader_memory_is_bounded(h2c_server, report):
    """100 streams × 8 × 256 KiB responses to a reader that never grants window. What one
    connection may pin is its outbound budget (4 MiB of unsent responses: past it, sends wait and
    new calls do not start) plus what each call that did start holds while it waits (its message
    and the serialized copy, 512 KiB here): about 15 MiB. Without the budget every one of the 100
    handlers would build and hold its response (75 MiB measured). Allow 40 MiB."""
    before = h2c_server.rss_kib()
    sock = _zero_window_reader(h2c_server.port, 100, 8, 256 * 1024)
    peak = before
    for _ in range(20):
        time.sleep(0.1)
        peak = max(peak, h2c_server.rss_kib())
    time.sleep(1.0)
    peak = max(peak, h2c_server.rss_kib())
    sock.close()
    time.sleep(0.5)
    after = h2c_server.rss_kib()
    growth = (peak - before) / 1024
    METRICS["zero-window reader VmRSS KiB (before, held, after close)"] = (before, peak, after)
    report(f"one zero-window connection, 100 streams × 8 × 256 KiB: VmRSS {before} -> {peak} KiB "
           f"(+{growth:.1f} MiB, {(peak - before) / 100:.0f} KiB per stream) -> {after} KiB after close")
    assert growth <= 40, (f"one connection that never opens its window pinned {growth:.0f} MiB of server memory "
                          f"({(peak - before) / 100:.0f} KiB per stream; the connection's budget is 4 MiB)")


def _streaming_output_reply_size(size: int) -> int:
    """Bytes of one framed StreamingOutputCallResponse{payload{body: size zero bytes}}."""
    payload = 1 + len(_varint(size)) + size
    return 5 + 1 + len(_varint(payload)) + payload


def test_zero_window_reader_gets_every_response_once_it_reads(h2c_server, report):
    """The budget must hold calls back, never lose them: 32 streams × 4 × 256 KiB (32 MiB, eight
    times the connection's budget) to a client whose windows start shut. Once it opens them and
    reads, every call completes with all of its bytes and status OK."""
    streams, messages, size = 32, 4, 256 * 1024
    client = hs.RawClient(h2c_server.port, preface=False)
    out = [hs.PREFACE, frame(SETTINGS, 0, 0, struct.pack(">HI", 0x4, 0))]
    body = grpc_message(_streaming_output_request(messages, size))
    for i in range(streams):
        sid = 1 + 2 * i
        out.append(client.headers_frame(sid, request_headers("/grpc.testing.TestService/StreamingOutputCall")))
        out.append(frame(DATA, END_STREAM, sid, body))
    client.send(b"".join(out))
    client.pump(1.0)
    held_back = sum(len(s.data) for s in client.streams.values())
    rss_while_shut = h2c_server.rss_kib()
    started = time.monotonic()
    # Open every stream window (SETTINGS applies to open streams too) and the connection window.
    client.send(frame(SETTINGS, 0, 0, struct.pack(">HI", 0x4, 1 << 20))
                + frame(WINDOW_UPDATE, 0, 0, struct.pack(">I", (1 << 30))))
    done = client.pump(30, lambda: all(client.streams.get(1 + 2 * i) is not None
                                        and client.streams[1 + 2 * i].finished for i in range(streams)))
    elapsed = time.monotonic() - started
    client.close()
    expected = messages * _streaming_output_reply_size(size)
    results = [client.streams.get(1 + 2 * i) for i in range(streams)]
    complete = [r for r in results if r is not None and r.grpc_status == "0" and len(r.data) == expected]
    report(f"{streams} streams × {messages} × 256 KiB with windows shut: {held_back} B sent in 1 s, "
           f"VmRSS {rss_while_shut} KiB; after opening them {len(complete)}/{streams} calls complete in {elapsed:.1f}s")
    assert held_back == 0, f"{held_back} DATA bytes sent into a zero window"
    assert done, "calls still open 30 s after the client opened its windows: " + "; ".join(
        r.describe() if r else "missing" for r in results if r is None or not r.finished)[:600]
    assert len(complete) == streams, "; ".join(r.describe() if r else "missing" for r in results
                                                if r not in complete)[:600]


def _socket_non_reader(port: int, streams: int, messages: int, size: int) -> socket.socket:
    """A client that opens every window wide, asks for large server-streaming responses and then never
    reads its socket (with a small receive buffer): the server's writes stop making progress."""
    import hpack  # noqa: PLC0415

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", port))
    encoder = hpack.Encoder()
    out = [hs.PREFACE, frame(SETTINGS, 0, 0, struct.pack(">HI", 0x4, (1 << 31) - 1)), frame(SETTINGS, hs.ACK, 0),
           frame(WINDOW_UPDATE, 0, 0, struct.pack(">I", (1 << 31) - 1 - 65535))]
    body = grpc_message(_streaming_output_request(messages, size))
    headers = request_headers("/grpc.testing.TestService/StreamingOutputCall")
    for i in range(streams):
        sid = 1 + 2 * i
        out.append(frame(HEADERS, END_HEADERS, sid, encoder.encode(headers)))
        out.append(frame(DATA, END_STREAM, sid, body))
    sock.sendall(b"".join(out))
    return sock


def test_stalled_readers_are_closed_by_write_stall_timeout(short_timeouts, report):
    """Write-stall timeout (3 s here, 30 s by default, checked once a second): a connection whose
    output makes no progress for the timeout is closed, whether the client's flow-control windows
    hold it back (zero-window reader: GOAWAY(NO_ERROR), then close) or the client stops reading
    its socket (nothing more can be written, so no GOAWAY is expected)."""
    timeout = short_timeouts.timeouts["write_stall"]
    low, high = timeout - 0.25, timeout + 2.5  # + the sweep, and the time the socket takes to fill
    port = short_timeouts.h2c.port
    streams, messages, size = 8, 8, 1024 * 1024
    non_reader = _socket_non_reader(port, streams, messages, size)
    zero_window = _zero_window_reader(port, 10, 4, 64 * 1024)
    drained: dict[str, object] = {}

    def drain_late() -> None:
        # A server that gave up on the socket closes it, but its FIN waits behind the unread bytes:
        # stay silent past the timeout, then read what is queued; it must end in EOF well before
        # everything asked for has arrived.
        time.sleep(high)
        received = bytearray()
        drained["eof_after"] = _wait_for_close(non_reader, 5, received)
        drained["bytes"] = len(received)

    drainer = threading.Thread(target=drain_late)
    drainer.start()
    results = _watch_closes({"zero-window reader": zero_window}, high + 5, frames=True)
    drainer.join()
    non_reader.close()
    asked = streams * messages * _streaming_output_reply_size(size)
    eof_after = drained["eof_after"]
    report(f"write-stall timeout {timeout:g}s: {_describe_closes(results)}; socket never read: "
           f"{'still open' if eof_after is None else 'closed'} at {high:g}s + {eof_after or 0:.2f}s of draining, "
           f"{drained['bytes']} of {asked} B asked for had been sent")
    elapsed, goaway = results["zero-window reader"]
    assert elapsed is not None, f"a reader that never grants window is still connected after {high + 5:g} s"
    assert low <= elapsed <= high, f"zero-window reader closed after {elapsed:.2f}s, expected ~{timeout:g} s"
    assert goaway is not None and goaway.error_code == hs.NO_ERROR, f"zero-window reader: {goaway or 'no GOAWAY'}"
    assert eof_after is not None, f"a client that stopped reading its socket is still connected after {high + 5:g} s"
    assert drained["bytes"] < asked, "the server sent every response to a client that did not read"


@pytest.mark.slow
def test_zero_window_reader_is_closed_by_write_stall_timeout(h2c_server, report):
    """A connection whose output cannot make progress for 30 s (write-stall timeout) is closed,
    including when it is the peer's flow-control window, not the socket, that is shut."""
    sock = _zero_window_reader(h2c_server.port, 10, 4, 64 * 1024)
    elapsed = _wait_for_close(sock, 45)
    sock.close()
    report(f"zero-window reader closed after {elapsed if elapsed is None else round(elapsed, 1)} s")
    assert elapsed is not None, "a reader that never grants window is still connected after 45 s"
    assert elapsed <= 40, f"closed only after {elapsed:.1f}s"


# ==================================================================================================
# 11. RSS after the whole battery (keep this test last)


def test_zz_rss_growth_after_battery(battery, h2c_server, tls_server, report):
    """After every attack above, each server's resident memory is at most 32 MiB above its
    baseline (taken after warm-up, before the first attack), while the bystanders keep being
    served (checked by the autouse fixture over this test too). RSS is sampled for 2 s after a 2 s
    settle, which covers the server's once-a-second housekeeping (cancelled handlers finishing,
    memory freed by closed connections handed back), and the largest sample counts."""
    time.sleep(2.0)
    before = battery["rss_before"]
    samples = {s.name: [] for s in (h2c_server, tls_server)}
    for _ in range(10):
        for server in (h2c_server, tls_server):
            samples[server.name].append(server.rss_kib())
        time.sleep(0.2)
    after = {name: max(values) for name, values in samples.items()}
    peak = {s.name: s.hwm_kib() for s in (h2c_server, tls_server)}
    METRICS["VmRSS after battery (KiB)"] = after
    METRICS["VmHWM peak (KiB)"] = peak
    growth = {name: (after[name] - before[name]) / 1024 for name in after}
    deltas = sorted(METRICS.get("h2c VmRSS delta per test (KiB)", {}).items(), key=lambda item: -item[1])[:3]
    report("largest h2c VmRSS steps: " + ", ".join(f"{test} +{delta} KiB" for test, delta in deltas))
    report("VmRSS growth (MiB): " + ", ".join(f"{n}: {before[n] / 1024:.1f} -> {after[n] / 1024:.1f} "
                                             f"(+{g:.1f}, peak {peak[n] / 1024:.1f})" for n, g in growth.items()))
    for name, grew in growth.items():
        assert grew <= 32, f"{name} VmRSS grew by {grew:.1f} MiB over the battery (limit 32 MiB)"
