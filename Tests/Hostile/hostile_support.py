# SPDX-License-Identifier: Apache-2.0
"""Clients, frame builders and process helpers for the hostile HTTP/2 suite.

Two clients:

* ``H2Client`` drives the ``h2`` library (a real, validating HTTP/2 client) and is used for the
  well-behaved bystander and for every attack ``h2`` can express (rapid reset, ping flood, header
  abuse, odd gRPC headers, oversize length prefixes, empty DATA frames).
* ``RawClient`` writes frames byte by byte for abuse ``h2`` refuses to produce (CONTINUATION
  floods, zero-increment WINDOW_UPDATEs, PRIORITY floods, more streams than advertised).

Both record what the server did: per-stream response headers / data / trailers / resets, the
GOAWAY (error code, last stream id, debug data) and whether the socket was closed.
"""

from __future__ import annotations

import os
import select
import signal
import socket
import ssl
import struct
import subprocess
import threading
import time
from dataclasses import dataclass, field

import h2.config
import h2.connection
import h2.errors
import h2.events
import h2.exceptions
import hpack

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"

# Frame types (RFC 9113 §6).
DATA, HEADERS, PRIORITY, RST_STREAM, SETTINGS, PUSH_PROMISE, PING, GOAWAY, WINDOW_UPDATE, CONTINUATION = range(10)
# Flags.
END_STREAM = 0x1
ACK = 0x1
END_HEADERS = 0x4
PADDED = 0x8

# Error codes (RFC 9113 §7).
NO_ERROR = 0x0
PROTOCOL_ERROR = 0x1
INTERNAL_ERROR = 0x2
FLOW_CONTROL_ERROR = 0x3
STREAM_CLOSED = 0x5
FRAME_SIZE_ERROR = 0x6
REFUSED_STREAM = 0x7
CANCEL = 0x8
COMPRESSION_ERROR = 0x9
ENHANCE_YOUR_CALM = 0xB

ERROR_NAMES = {
    0x0: "NO_ERROR", 0x1: "PROTOCOL_ERROR", 0x2: "INTERNAL_ERROR", 0x3: "FLOW_CONTROL_ERROR",
    0x4: "SETTINGS_TIMEOUT", 0x5: "STREAM_CLOSED", 0x6: "FRAME_SIZE_ERROR", 0x7: "REFUSED_STREAM",
    0x8: "CANCEL", 0x9: "COMPRESSION_ERROR", 0xA: "CONNECT_ERROR", 0xB: "ENHANCE_YOUR_CALM",
    0xC: "INADEQUATE_SECURITY", 0xD: "HTTP_1_1_REQUIRED",
}

# Findings and numbers collected during the run (printed by conftest's terminal summary).
FINDINGS: list[tuple[str, str]] = []
METRICS: dict[str, object] = {}

EMPTY_CALL = "/grpc.testing.TestService/EmptyCall"
UNARY_CALL = "/grpc.testing.TestService/UnaryCall"
FULL_DUPLEX_CALL = "/grpc.testing.TestService/FullDuplexCall"
EMPTY_MESSAGE = b"\x00\x00\x00\x00\x00"  # gRPC length prefix of a zero-byte protobuf message


def error_name(code: int | None) -> str:
    if code is None:
        return "None"
    return f"{ERROR_NAMES.get(int(code), 'UNKNOWN')}(0x{int(code):x})"


def frame(ftype: int, flags: int, stream_id: int, payload: bytes = b"") -> bytes:
    """One HTTP/2 frame: 24-bit length, type, flags, 31-bit stream id, payload."""
    return struct.pack(">I", len(payload))[1:] + bytes([ftype, flags]) + struct.pack(">I", stream_id & 0x7FFFFFFF) + payload


def grpc_message(payload: bytes = b"", announced_length: int | None = None, flag: int = 0) -> bytes:
    """A gRPC Length-Prefixed-Message; ``announced_length`` lets the prefix lie."""
    length = len(payload) if announced_length is None else announced_length
    return bytes([flag]) + struct.pack(">I", length) + payload


def request_headers(path: str = EMPTY_CALL, *, method: str = "POST", content_type: str | None = "application/grpc",
                    authority: str = "127.0.0.1", scheme: str = "http", extra=()) -> list[tuple[str, str]]:
    headers = [(":method", method), (":scheme", scheme), (":path", path), (":authority", authority)]
    if content_type is not None:
        headers.append(("content-type", content_type))
    headers.append(("te", "trailers"))
    headers.extend(extra)
    return headers


def header_list_size(headers) -> int:
    """SETTINGS_MAX_HEADER_LIST_SIZE accounting: name + value + 32 octets per field."""
    return sum(len(n.encode() if isinstance(n, str) else n) + len(v.encode() if isinstance(v, str) else v) + 32
               for n, v in headers)


# --------------------------------------------------------------------------------------------------
# Results


@dataclass
class StreamResult:
    stream_id: int
    headers: list = field(default_factory=list)   # list of header lists (response headers, trailers)
    data: bytearray = field(default_factory=bytearray)
    ended: bool = False
    reset_code: int | None = None

    def header(self, name: str) -> str | None:
        for block in self.headers:
            for n, v in block:
                if n == name:
                    return v
        return None

    @property
    def http_status(self) -> str | None:
        return self.header(":status")

    @property
    def grpc_status(self) -> str | None:
        # Trailers-only responses carry it in the first (only) block; otherwise the last block.
        for block in reversed(self.headers):
            for n, v in block:
                if n == "grpc-status":
                    return v
        return None

    @property
    def grpc_message(self) -> str | None:
        for block in reversed(self.headers):
            for n, v in block:
                if n == "grpc-message":
                    return v
        return None

    @property
    def finished(self) -> bool:
        return self.ended or self.reset_code is not None

    def describe(self) -> str:
        return (f"stream {self.stream_id}: status={self.http_status} grpc-status={self.grpc_status} "
                f"grpc-message={self.grpc_message!r} reset={error_name(self.reset_code) if self.reset_code is not None else None} "
                f"data={len(self.data)}B ended={self.ended}")


@dataclass
class GoAway:
    last_stream_id: int
    error_code: int
    debug: bytes

    def __str__(self) -> str:
        return f"GOAWAY(last_stream_id={self.last_stream_id}, {error_name(self.error_code)}, debug={self.debug!r})"


# --------------------------------------------------------------------------------------------------
# Sockets


def open_socket(port: int, *, host: str = "127.0.0.1", tls: ssl.SSLContext | None = None,
                source: str | None = None, timeout: float = 5.0) -> socket.socket:
    sock = socket.create_connection((host, port), timeout=timeout,
                                    source_address=(source, 0) if source else None)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    if tls is not None:
        sock = tls.wrap_socket(sock, server_hostname="localhost")
        if sock.selected_alpn_protocol() != "h2":
            raise AssertionError(f"ALPN negotiated {sock.selected_alpn_protocol()!r}, expected 'h2'")
    return sock


def client_tls_context(ca_file: str) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(ca_file)
    ctx.set_alpn_protocols(["h2"])
    return ctx


def _recv_some(sock: socket.socket, timeout: float) -> bytes | None:
    """Bytes, b'' on EOF/reset, or None when nothing arrived within ``timeout``."""
    if isinstance(sock, ssl.SSLSocket) and sock.pending():
        return sock.recv(65536)
    poller = select.poll()  # not select(): the connection-flood test pushes fds past 1024
    poller.register(sock, select.POLLIN | select.POLLERR | select.POLLHUP)
    if not poller.poll(max(0.0, timeout) * 1000):
        return None
    try:
        return sock.recv(65536)
    except ssl.SSLWantReadError:
        return None
    except (ConnectionResetError, BrokenPipeError, ssl.SSLError, OSError):
        return b""


# --------------------------------------------------------------------------------------------------
# h2-library client


class H2Client:
    """A gRPC-over-HTTP/2 client on the ``h2`` library that records everything the server does."""

    def __init__(self, port: int, *, tls: ssl.SSLContext | None = None, host: str = "127.0.0.1",
                 timeout: float = 5.0, validate: bool = False):
        self.sock = open_socket(port, host=host, tls=tls, timeout=timeout)
        self.scheme = "https" if tls else "http"
        config = h2.config.H2Configuration(
            client_side=True, header_encoding="utf-8",
            validate_outbound_headers=validate, normalize_outbound_headers=validate,
            validate_inbound_headers=False)
        self.conn = h2.connection.H2Connection(config=config)
        self.conn.initiate_connection()
        self.streams: dict[int, StreamResult] = {}
        self.goaway: GoAway | None = None
        self.closed = False
        self.send_failed = False
        self.protocol_error: str | None = None
        self.ping_acks = 0
        self.remote_settings_seen = False
        self.flush()

    # Output --------------------------------------------------------------------------------------
    def flush(self) -> None:
        data = self.conn.data_to_send()
        if data:
            self.send_raw(data)

    def send_raw(self, data: bytes) -> None:
        if self.closed or self.send_failed:
            self.send_failed = True
            return
        try:
            self.sock.sendall(data)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError):
            # The peer is going away; what it sent before (a GOAWAY) may still be readable, so
            # leave `closed` to the reading side.
            self.send_failed = True

    def start_request(self, path: str = EMPTY_CALL, *, method: str = "POST",
                      content_type: str | None = "application/grpc", extra=(), end_stream: bool = False,
                      flush: bool = True) -> int:
        sid = self.conn.get_next_available_stream_id()
        headers = request_headers(path, method=method, content_type=content_type, scheme=self.scheme, extra=extra)
        self.conn.send_headers(sid, headers, end_stream=end_stream)
        self.streams[sid] = StreamResult(sid)
        if flush:
            self.flush()
        return sid

    def send_data(self, sid: int, data: bytes, *, end_stream: bool = False, pad_length=None, flush: bool = True) -> None:
        self.conn.send_data(sid, data, end_stream=end_stream, pad_length=pad_length)
        if flush:
            self.flush()

    def send_body(self, sid: int, data: bytes, *, end_stream: bool = True, timeout: float = 5.0) -> bool:
        """Sends ``data`` as flow control allows, reading WINDOW_UPDATEs; False if the window stays shut."""
        view = memoryview(data)
        deadline = time.monotonic() + timeout
        while True:
            if self.closed or self.streams[sid].finished:
                return False
            window = min(self.conn.local_flow_control_window(sid), self.conn.max_outbound_frame_size)
            if window > 0 and view:
                chunk = view[:window]
                view = view[len(chunk):]
                self.send_data(sid, bytes(chunk), end_stream=end_stream and not view)
                if not view:
                    return True
                continue
            if not view:
                self.send_data(sid, b"", end_stream=end_stream)
                return True
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            before = self.conn.local_flow_control_window(sid)
            self.pump(min(remaining, 0.5), lambda: self.conn.local_flow_control_window(sid) > before
                      or self.streams[sid].finished)

    def unary(self, path: str = EMPTY_CALL, message: bytes = EMPTY_MESSAGE, *, extra=(), timeout: float = 5.0,
              content_type: str | None = "application/grpc", method: str = "POST") -> StreamResult:
        sid = self.start_request(path, extra=extra, content_type=content_type, method=method, flush=False)
        self.send_data(sid, message, end_stream=True)
        self.pump(timeout, lambda: self.streams[sid].finished)
        return self.streams[sid]

    def ping(self, opaque: bytes = b"hostile!", *, flush: bool = True) -> None:
        self.conn.ping(opaque)
        if flush:
            self.flush()

    # Input ---------------------------------------------------------------------------------------
    def pump(self, timeout: float, until=None) -> bool:
        """Reads and handles frames until ``until()`` holds, the socket closes, or ``timeout``."""
        deadline = time.monotonic() + timeout
        while True:
            if until is not None and until():
                return True
            if self.closed:
                return until() if until is not None else False
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            chunk = _recv_some(self.sock, min(remaining, 0.25))
            if chunk is None:
                continue
            if chunk == b"":
                self.closed = True
                continue
            self.receive(chunk)

    def receive(self, chunk: bytes) -> None:
        if self.protocol_error is not None:
            return  # h2 already gave up; keep draining the socket only
        try:
            events = self.conn.receive_data(chunk)
        except h2.exceptions.ProtocolError as error:
            self.protocol_error = repr(error)
            return
        for event in events:
            self._handle(event)
        try:
            self.flush()
        except h2.exceptions.ProtocolError:
            pass

    def _stream(self, sid: int) -> StreamResult:
        return self.streams.setdefault(sid, StreamResult(sid))

    def _handle(self, event) -> None:
        if isinstance(event, (h2.events.ResponseReceived, h2.events.TrailersReceived,
                              h2.events.InformationalResponseReceived)):
            self._stream(event.stream_id).headers.append(list(event.headers))
        elif isinstance(event, h2.events.DataReceived):
            self._stream(event.stream_id).data.extend(event.data)
            if event.flow_controlled_length:
                try:
                    self.conn.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
                except (h2.exceptions.StreamClosedError, h2.exceptions.ProtocolError):
                    pass
        elif isinstance(event, h2.events.StreamEnded):
            self._stream(event.stream_id).ended = True
        elif isinstance(event, h2.events.StreamReset):
            self._stream(event.stream_id).reset_code = int(event.error_code)
        elif isinstance(event, h2.events.ConnectionTerminated):
            self.goaway = GoAway(event.last_stream_id or 0, int(event.error_code), event.additional_data or b"")
        elif isinstance(event, h2.events.PingAckReceived):
            self.ping_acks += 1
        elif isinstance(event, h2.events.RemoteSettingsChanged):
            self.remote_settings_seen = True

    def wait_closed_or_goaway(self, timeout: float) -> bool:
        return self.pump(timeout, lambda: self.goaway is not None or self.closed)

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass


# --------------------------------------------------------------------------------------------------
# Raw frame client


class RawClient:
    """Sends hand-made frames; parses and records the server's frames (HPACK-decoding headers)."""

    def __init__(self, port: int, *, tls: ssl.SSLContext | None = None, host: str = "127.0.0.1",
                 source: str | None = None, timeout: float = 5.0, preface: bool = True):
        self.sock = open_socket(port, host=host, tls=tls, source=source, timeout=timeout)
        self.scheme = "https" if tls else "http"
        self.encoder = hpack.Encoder()
        self.decoder = hpack.Decoder()
        self.decoder.max_header_list_size = 1 << 20
        self.buffer = b""
        self.streams: dict[int, StreamResult] = {}
        self.goaway: GoAway | None = None
        self.closed = False
        self.send_failed = False
        self.frames_received: list[tuple[int, int, int, int]] = []  # (type, flags, stream, length)
        self.ping_acks = 0
        self.server_settings: dict[int, int] = {}
        self._block: tuple[int, int, bytearray] | None = None  # (stream, flags, fragment) during CONTINUATION
        if preface:
            self.send(PREFACE + frame(SETTINGS, 0, 0))

    def send(self, data: bytes) -> None:
        if self.closed or self.send_failed:
            self.send_failed = True
            return
        try:
            self.sock.sendall(data)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError):
            # The peer is going away; what it sent before (a GOAWAY) may still be readable, so
            # leave `closed` to the reading side.
            self.send_failed = True

    def encode(self, headers) -> bytes:
        return self.encoder.encode(headers)

    def headers_frame(self, sid: int, headers, *, end_stream: bool = False, end_headers: bool = True) -> bytes:
        flags = (END_STREAM if end_stream else 0) | (END_HEADERS if end_headers else 0)
        self.streams.setdefault(sid, StreamResult(sid))
        return frame(HEADERS, flags, sid, self.encode(headers))

    def request(self, sid: int, path: str = EMPTY_CALL, message: bytes = EMPTY_MESSAGE, extra=()) -> bytes:
        """Bytes of a complete unary request on ``sid``."""
        return (self.headers_frame(sid, request_headers(path, scheme=self.scheme, extra=extra))
                + frame(DATA, END_STREAM, sid, message))

    def pump(self, timeout: float, until=None) -> bool:
        deadline = time.monotonic() + timeout
        while True:
            if until is not None and until():
                return True
            if self.closed:
                return until() if until is not None else False
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            chunk = _recv_some(self.sock, min(remaining, 0.25))
            if chunk is None:
                continue
            if chunk == b"":
                self.closed = True
                continue
            self.buffer += chunk
            self._parse()

    def wait_closed_or_goaway(self, timeout: float) -> bool:
        return self.pump(timeout, lambda: self.goaway is not None or self.closed)

    def wait_closed(self, timeout: float) -> bool:
        return self.pump(timeout, lambda: self.closed)

    def _parse(self) -> None:
        while len(self.buffer) >= 9:
            length = int.from_bytes(self.buffer[0:3], "big")
            if len(self.buffer) < 9 + length:
                return
            ftype, flags = self.buffer[3], self.buffer[4]
            sid = int.from_bytes(self.buffer[5:9], "big") & 0x7FFFFFFF
            payload = self.buffer[9:9 + length]
            self.buffer = self.buffer[9 + length:]
            self.frames_received.append((ftype, flags, sid, length))
            self._handle(ftype, flags, sid, payload)

    def _handle(self, ftype: int, flags: int, sid: int, payload: bytes) -> None:
        if ftype == SETTINGS and not flags & ACK:
            for i in range(0, len(payload) - 5, 6):
                ident, value = struct.unpack(">HI", payload[i:i + 6])
                self.server_settings[ident] = value
            self.send(frame(SETTINGS, ACK, 0))
        elif ftype == PING:
            if flags & ACK:
                self.ping_acks += 1
            else:
                self.send(frame(PING, ACK, 0, payload))
        elif ftype == GOAWAY:
            last, code = struct.unpack(">II", payload[:8])
            self.goaway = GoAway(last & 0x7FFFFFFF, code, payload[8:])
        elif ftype == RST_STREAM:
            self.streams.setdefault(sid, StreamResult(sid)).reset_code = struct.unpack(">I", payload[:4])[0]
        elif ftype == DATA:
            body = payload
            if flags & PADDED:
                pad = body[0]
                body = body[1:len(body) - pad]
            stream = self.streams.setdefault(sid, StreamResult(sid))
            stream.data.extend(body)
            if flags & END_STREAM:
                stream.ended = True
            if payload:  # keep windows open, as a reading client would
                self.send(frame(WINDOW_UPDATE, 0, 0, struct.pack(">I", len(payload)))
                          + frame(WINDOW_UPDATE, 0, sid, struct.pack(">I", len(payload))))
        elif ftype == HEADERS:
            body = payload
            if flags & PADDED:
                pad = body[0]
                body = body[1:len(body) - pad]
            if flags & 0x20:  # PRIORITY
                body = body[5:]
            self._block = (sid, flags, bytearray(body))
            if flags & END_HEADERS:
                self._finish_block()
        elif ftype == CONTINUATION and self._block is not None:
            self._block[2].extend(payload)
            if flags & END_HEADERS:
                self._finish_block()

    def _finish_block(self) -> None:
        sid, flags, block = self._block
        self._block = None
        stream = self.streams.setdefault(sid, StreamResult(sid))
        stream.headers.append([(n, v) for n, v in self.decoder.decode(bytes(block), raw=False)])
        if flags & END_STREAM:
            stream.ended = True

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass


# --------------------------------------------------------------------------------------------------
# Server process


def vm_rss_kib(pid: int, key: str = "VmRSS") -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    raise KeyError(key)


class ServerProcess:
    """interop-server on port 0, output to files (a full pipe would stall the server)."""

    def __init__(self, binary: str, workdir: str, name: str, args: list[str]):
        self.name = name
        self.stdout_path = os.path.join(workdir, f"{name}.stdout")
        self.stderr_path = os.path.join(workdir, f"{name}.stderr")
        self.command = [binary, "--port", "0", "--host", "127.0.0.1", *args]
        self._stdout = open(self.stdout_path, "wb")
        self._stderr = open(self.stderr_path, "wb")
        self.process = subprocess.Popen(self.command, stdout=self._stdout, stderr=self._stderr,
                                        stdin=subprocess.DEVNULL)
        self.pid = self.process.pid
        self.port = self._wait_for_port(timeout=30)
        self.exit_code: int | None = None

    def _wait_for_port(self, timeout: float) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with open(self.stdout_path, "rb") as out:
                for line in out.read().decode(errors="replace").splitlines():
                    if "listening on" in line:
                        return int(line.split("listening on", 1)[1].split()[0].rsplit(":", 1)[1])
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}: {self.stderr_tail()}")
            time.sleep(0.05)
        raise RuntimeError(f"{self.name} did not print its port within {timeout}s")

    def alive(self) -> bool:
        return self.process.poll() is None

    def rss_kib(self) -> int:
        return vm_rss_kib(self.pid)

    def hwm_kib(self) -> int:
        return vm_rss_kib(self.pid, "VmHWM")

    def stderr_tail(self, limit: int = 2000) -> str:
        try:
            with open(self.stderr_path, "rb") as err:
                return err.read()[-limit:].decode(errors="replace")
        except OSError:
            return ""

    def stop(self, timeout: float = 20.0) -> int | None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                self.exit_code = None
                return None
        self.exit_code = self.process.returncode
        self._stdout.close()
        self._stderr.close()
        return self.exit_code


# --------------------------------------------------------------------------------------------------
# Well-behaved bystanders


class Bystander(threading.Thread):
    """Keeps making unary EmptyCall calls on one long-lived connection and counts the outcomes.

    A failure is anything but grpc-status 0 within the per-call timeout: a reset, a GOAWAY, a
    closed connection, or a wrong status. After a failure it reconnects (counting one failure).
    """

    def __init__(self, name: str, connect, interval: float = 0.01, call_timeout: float = 5.0):
        super().__init__(name=name, daemon=True)
        self.connect = connect  # returns an object with .call() -> None or raises
        self.interval = interval
        self.call_timeout = call_timeout
        self.lock = threading.Lock()
        self.successes = 0
        self.failures: list[tuple[float, str]] = []
        self.max_latency = 0.0
        self.latencies: list[float] = []
        self._halt = threading.Event()

    def run(self) -> None:
        caller = None
        while not self._halt.is_set():
            try:
                if caller is None:
                    caller = self.connect()
                started = time.monotonic()
                caller.call(self.call_timeout)
                elapsed = time.monotonic() - started
                with self.lock:
                    self.successes += 1
                    self.latencies.append(elapsed)
                    self.max_latency = max(self.max_latency, elapsed)
            except Exception as error:  # noqa: BLE001 — every failure is a finding
                if self._halt.is_set():
                    break
                with self.lock:
                    self.failures.append((time.monotonic(), f"{type(error).__name__}: {error}"))
                if caller is not None:
                    try:
                        caller.close()
                    except Exception:  # noqa: BLE001
                        pass
                caller = None
                time.sleep(0.1)
            self._halt.wait(self.interval)
        if caller is not None:
            try:
                caller.close()
            except Exception:  # noqa: BLE001
                pass

    def snapshot(self) -> tuple[int, int, int]:
        with self.lock:
            return self.successes, len(self.failures), len(self.latencies)

    def latencies_since(self, index: int) -> list[float]:
        with self.lock:
            return list(self.latencies[index:])

    def failures_since(self, index: int) -> list[str]:
        with self.lock:
            return [text for _, text in self.failures[index:]]

    def stop(self) -> None:
        self._halt.set()
        self.join(10)


class H2UnaryCaller:
    """A bystander's connection: sequential EmptyCalls over one h2 connection."""

    def __init__(self, port: int, tls: ssl.SSLContext | None = None):
        self.client = H2Client(port, tls=tls, validate=True)

    def call(self, timeout: float) -> None:
        result = self.client.unary(EMPTY_CALL, EMPTY_MESSAGE, timeout=timeout)
        if self.client.goaway is not None:
            raise RuntimeError(f"bystander connection got {self.client.goaway}")
        if not result.finished:
            raise TimeoutError(f"no response within {timeout}s ({result.describe()}, closed={self.client.closed})")
        if result.grpc_status != "0":
            raise RuntimeError(f"unexpected result {result.describe()}")
        # Forget finished streams so a long run does not grow the client.
        self.client.streams.pop(result.stream_id, None)

    def close(self) -> None:
        self.client.close()


class GrpcioUnaryCaller:
    """A bystander on grpcio (BDP pings and all), calling EmptyCall with raw bytes."""

    def __init__(self, port: int):
        import grpc  # noqa: PLC0415 — optional dependency

        self.grpc = grpc
        self.channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        self.method = self.channel.unary_unary(EMPTY_CALL)  # bytes in, bytes out

    def call(self, timeout: float) -> None:
        response = self.method(b"", timeout=timeout)
        if response != b"":
            raise RuntimeError(f"unexpected EmptyCall response {response!r}")

    def close(self) -> None:
        self.channel.close()
