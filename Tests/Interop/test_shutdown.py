# SPDX-License-Identifier: Apache-2.0
# UsageFlow — interop tests: graceful shutdown of interop-server (SIGTERM/SIGINT).
#
# Each test starts a server of its own. What a graceful shutdown owes its clients:
#   * the listener closes at once: new connections are refused while old calls drain;
#   * every connection gets a GOAWAY; calls already running finish normally, including ones
#     still sending request messages after the GOAWAY;
#   * calls the client starts after the GOAWAY fail with UNAVAILABLE and nothing else;
#   * the process exits 0 once the calls are done, and within the grace period (10 s) whatever
#     they do.

from __future__ import annotations

import signal
import socket
import threading
import time

import grpc
import pytest

import interop_support as support
from interop_stubs import empty_pb2, messages_pb2, test_pb2_grpc

T = support.CALL_TIMEOUT
ECHO_INITIAL = ("x-grpc-test-echo-initial", "in-flight")
COMPRESSABLE = messages_pb2.COMPRESSABLE


def payload(size: int):
    return messages_pb2.Payload(type=COMPRESSABLE, body=b"\x00" * size)


def output_request(*sizes: int, interval_us: int = 0):
    return messages_pb2.StreamingOutputCallRequest(
        response_type=COMPRESSABLE,
        response_parameters=[messages_pb2.ResponseParameters(size=s, interval_us=interval_us) for s in sizes])


@pytest.fixture
def start_server(certs, session_dir):
    """Starts a server of the test's own; kills whatever is left at the end."""
    started = []

    def start(tls: bool, name: str):
        args = ["--tls-cert", str(certs["server"]), "--tls-key", str(certs["server.key"])] if tls else ["--h2c"]
        server = support.ServerProcess(name, args, session_dir / "logs", tls=tls, ca=certs["ca"]).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.kill()


def wait_until(predicate, timeout: float, interval: float = 0.01) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


class Outcome:
    def __init__(self):
        self.code = None
        self.detail = ""
        self.count = 0
        self.ended_at = None

    def __repr__(self):
        return f"<{self.code} count={self.count} {self.detail!r}>"


@pytest.mark.parametrize("transport", ["tls", "h2c"])
def test_graceful_shutdown_under_load(transport, start_server, channel_factory):
    server = start_server(transport == "tls", f"shutdown-load-{transport}")
    stream_stub = test_pb2_grpc.TestServiceStub(channel_factory(server))
    unary_stub = test_pb2_grpc.TestServiceStub(channel_factory(server))

    STREAMS, RESPONSES, INTERVAL_US = 6, 8, 250_000  # each server stream runs ~2 s
    draining = threading.Event()      # SIGTERM sent and the listener seen closed
    stop_unary = threading.Event()
    threads: list[threading.Thread] = []

    # Server streaming: in flight (first response received) when SIGTERM is sent.
    stream_started = [threading.Event() for _ in range(STREAMS)]
    stream_outcomes = [Outcome() for _ in range(STREAMS)]

    def server_streaming(index: int):
        outcome = stream_outcomes[index]
        call = stream_stub.StreamingOutputCall(output_request(*[1000] * RESPONSES, interval_us=INTERVAL_US), timeout=30)
        try:
            for response in call:
                assert len(response.payload.body) == 1000
                outcome.count += 1
                stream_started[index].set()
            outcome.code = grpc.StatusCode.OK
        except grpc.RpcError as error:
            outcome.code, outcome.detail = error.code(), error.details()
        finally:
            outcome.ended_at = time.monotonic()
            stream_started[index].set()

    # Client streaming: the handler is running (its echoed headers arrived) before SIGTERM, and
    # the client keeps sending request messages after the GOAWAY.
    client_started = threading.Event()
    client_outcome = Outcome()

    def client_streaming():
        requests = support.RequestQueue()
        call = stream_stub.StreamingInputCall.future(requests, metadata=[ECHO_INITIAL], timeout=30)
        try:
            requests.put(messages_pb2.StreamingInputCallRequest(payload=payload(1000)))
            call.initial_metadata()
            client_started.set()
            draining.wait(20)
            for _ in range(3):
                requests.put(messages_pb2.StreamingInputCallRequest(payload=payload(1000)))
            requests.close()
            client_outcome.count = call.result(timeout=30).aggregated_payload_size
            client_outcome.code = grpc.StatusCode.OK
        except grpc.RpcError as error:
            client_outcome.code, client_outcome.detail = error.code(), error.details()
        finally:
            requests.close()
            client_outcome.ended_at = time.monotonic()
            client_started.set()

    # Full duplex: ping-pong before SIGTERM and after the GOAWAY on the same call.
    duplex_started = threading.Event()
    duplex_outcome = Outcome()

    def full_duplex():
        requests = support.RequestQueue()
        call = stream_stub.FullDuplexCall(requests, timeout=30)
        try:
            for round_ in range(6):
                if round_ == 3:
                    duplex_started.set()
                    draining.wait(20)
                requests.put(output_request(100 + round_))
                assert len(next(call).payload.body) == 100 + round_
                duplex_outcome.count += 1
            requests.close()
            assert list(call) == []
            duplex_outcome.code = grpc.StatusCode.OK
        except grpc.RpcError as error:
            duplex_outcome.code, duplex_outcome.detail = error.code(), error.details()
        finally:
            requests.close()
            duplex_outcome.ended_at = time.monotonic()
            duplex_started.set()

    # Unary load on a second connection: (started, ended, code, details) per call.
    unary_log: list[list[tuple]] = [[] for _ in range(3)]
    unary_warm = [threading.Event() for _ in range(3)]

    def unary_loop(index: int):
        log = unary_log[index]
        while not stop_unary.is_set() and len(log) < 100_000:
            started = time.monotonic()
            try:
                unary_stub.UnaryCall(messages_pb2.SimpleRequest(response_size=100, payload=payload(100)), timeout=5)
                log.append((started, time.monotonic(), grpc.StatusCode.OK, ""))
            except grpc.RpcError as error:
                log.append((started, time.monotonic(), error.code(), error.details()))
                break  # the first failure ends this client's loop
            if len(log) >= 5:
                unary_warm[index].set()
        unary_warm[index].set()

    threads += [threading.Thread(target=server_streaming, args=(i,), daemon=True) for i in range(STREAMS)]
    threads += [threading.Thread(target=client_streaming, daemon=True), threading.Thread(target=full_duplex, daemon=True)]
    unary_threads = [threading.Thread(target=unary_loop, args=(i,), daemon=True) for i in range(3)]
    for thread in threads + unary_threads:
        thread.start()
    try:
        for event in stream_started + [client_started, duplex_started] + unary_warm:
            assert event.wait(15), "calls did not get going within 15 s"
        assert all(o.code is None for o in stream_outcomes), f"a stream ended before SIGTERM: {stream_outcomes}"

        sigterm_at = server.send(signal.SIGTERM)
        refused = wait_until(lambda: support.connection_refused(server.port, timeout=0.5), timeout=3)
        refused_at = time.monotonic()
        draining.set()
        assert refused, "the listener still accepts connections 3 s after SIGTERM"
        streams_running_when_refused = sum(1 for o in stream_outcomes if o.ended_at is None or o.ended_at > refused_at)

        # A new channel during the drain: UNAVAILABLE, promptly.
        late = test_pb2_grpc.TestServiceStub(channel_factory(server))
        with pytest.raises(grpc.RpcError) as info:
            late.EmptyCall(empty_pb2.Empty(), timeout=5)
        assert info.value.code() == grpc.StatusCode.UNAVAILABLE, info.value.details()

        for thread in threads:
            thread.join(30)
        stop_unary.set()
        for thread in unary_threads:
            thread.join(10)
        assert not any(t.is_alive() for t in threads + unary_threads), "client threads still running 30 s after SIGTERM"
        calls_done_at = max(o.ended_at for o in stream_outcomes + [client_outcome, duplex_outcome])

        code = server.wait(timeout=max(0.1, sigterm_at + support.GRACE_PERIOD + 2 - time.monotonic()))
        exited_at = time.monotonic()
    finally:
        draining.set()
        stop_unary.set()

    unary_calls = [entry for log in unary_log for entry in log]
    print(f"shutdown[{transport}]: exit {code} {exited_at - sigterm_at:.2f}s after SIGTERM "
          f"({exited_at - calls_done_at:.2f}s after the last call); listener refused after {refused_at - sigterm_at:.3f}s "
          f"with {streams_running_when_refused}/{STREAMS} streams running; unary calls: "
          f"{sum(1 for e in unary_calls if e[1] < sigterm_at)} done before SIGTERM, "
          f"{sum(1 for e in unary_calls if e[1] >= sigterm_at and e[2] == grpc.StatusCode.OK)} OK after, "
          f"{sum(1 for e in unary_calls if e[2] == grpc.StatusCode.UNAVAILABLE)} UNAVAILABLE "
          f"(first started {min((e[0] - sigterm_at for e in unary_calls if e[2] != grpc.StatusCode.OK), default=float('nan')):+.3f}s from SIGTERM)")

    # In-flight calls completed normally.
    for index, outcome in enumerate(stream_outcomes):
        assert outcome.code == grpc.StatusCode.OK and outcome.count == RESPONSES, \
            f"server stream #{index} in flight at SIGTERM: {outcome}{server.diagnostics()}"
    assert client_outcome.code == grpc.StatusCode.OK and client_outcome.count == 4000, \
        f"client stream sending after the GOAWAY: {client_outcome}{server.diagnostics()}"
    assert duplex_outcome.code == grpc.StatusCode.OK and duplex_outcome.count == 6, \
        f"full-duplex call ping-ponging across the GOAWAY: {duplex_outcome}{server.diagnostics()}"
    assert streams_running_when_refused > 0, "the streams ended before the listener closed: the drain was not observed"

    # Unary calls: OK, or UNAVAILABLE for calls that were not done before SIGTERM.
    before = [e for e in unary_calls if e[1] < sigterm_at]
    assert before and all(e[2] == grpc.StatusCode.OK for e in before), \
        f"unary calls finished before SIGTERM: {[e for e in before if e[2] != grpc.StatusCode.OK][:5]}"
    bad = [e for e in unary_calls if e[2] not in (grpc.StatusCode.OK, grpc.StatusCode.UNAVAILABLE)]
    assert not bad, f"unary calls ended with neither OK nor UNAVAILABLE: {bad[:5]}"
    # A call started well before SIGTERM was on the wire before the GOAWAY: it must not fail.
    early_failures = [e for e in unary_calls if e[2] != grpc.StatusCode.OK and e[0] < sigterm_at - 0.5]
    assert not early_failures, f"calls started >0.5 s before SIGTERM failed: {early_failures[:5]}"

    # The process: exit 0, within the grace period, and soon after the last call.
    assert code is not None, f"still running {support.GRACE_PERIOD + 2:.0f} s after SIGTERM{server.diagnostics()}"
    assert code == 0, f"exit code {code}{server.diagnostics()}"
    assert exited_at - calls_done_at < 5, \
        f"exited {exited_at - calls_done_at:.1f}s after its last call ended (idle connections holding the drain?)"
    assert "interop-server stopped" in server.stdout_lines, server.diagnostics()
    assert support.connection_refused(server.port)


@pytest.mark.parametrize("transport", ["tls", "h2c"])
def test_goaway_frames_during_drain(transport, start_server, certs):
    """At the frame level: GOAWAY(NO_ERROR) covering the running stream, which then finishes; new
    streams after the GOAWAY are not served; the server closes the connection when done."""
    server = start_server(transport == "tls", f"shutdown-goaway-{transport}")
    client = support.RawH2Client(server.port, tls=transport == "tls", ca=certs["ca"], keep_open_after_goaway=True)
    try:
        running = client.start_call("/grpc.testing.TestService/StreamingOutputCall")
        client.send_message(running, output_request(*[10] * 5, interval_us=300_000).SerializeToString(), end_stream=True)
        stream = client.streams[running]
        assert client.pump(lambda: len(stream.messages) >= 1, timeout=10), "no first response"

        sigterm_at = server.send(signal.SIGTERM)
        assert client.pump(lambda: client.goaway is not None, timeout=5), "no GOAWAY within 5 s of SIGTERM"
        error_code, last_stream_id = client.goaway
        assert error_code == 0, f"GOAWAY with error code {error_code}, not NO_ERROR"
        assert last_stream_id >= running, f"GOAWAY last_stream_id {last_stream_id} excludes running stream {running}"

        late = None
        try:
            late = client.start_call("/grpc.testing.TestService/EmptyCall")
            client.send_message(late, empty_pb2.Empty().SerializeToString(), end_stream=True)
        except OSError:
            late = None  # the server already closed the connection: nothing new was served either

        assert client.pump(lambda: stream.ended and (late is None or client.streams[late].ended), timeout=10) \
            or client.closed_by_peer, "running stream did not finish"
        assert stream.status == "0", f"running stream ended with {stream.status!r} (reset {stream.reset_code})"
        assert len(stream.messages) == 5
        if late is not None:
            late_stream = client.streams[late]
            client.pump(lambda: late_stream.ended or client.closed_by_peer, timeout=5)
            final_last_stream_id = client.goaway[1]
            refused = late_stream.reset_code == 7  # REFUSED_STREAM
            ignored = late > final_last_stream_id and late_stream.headers is None
            assert refused or ignored, (
                f"stream {late} opened after the GOAWAY was served: headers {late_stream.headers}, "
                f"trailers {late_stream.trailers}, reset {late_stream.reset_code}, last_stream_id {final_last_stream_id}")

        assert client.pump(lambda: client.closed_by_peer, timeout=5), "server kept the connection open after the drain"
        code = server.wait(timeout=max(0.1, sigterm_at + support.GRACE_PERIOD + 2 - time.monotonic()))
        assert code == 0, f"exit {code}{server.diagnostics()}"
    finally:
        client.close()


def test_idle_connections_do_not_delay_exit(start_server, channel_factory):
    server = start_server(False, "shutdown-idle")
    stubs = [test_pb2_grpc.TestServiceStub(channel_factory(server)) for _ in range(3)]
    for stub in stubs:
        assert stub.EmptyCall(empty_pb2.Empty(), timeout=T) == empty_pb2.Empty()
    code, elapsed = server.stop(signal.SIGTERM)
    assert code == 0, f"exit {code}{server.diagnostics()}"
    assert elapsed < 3, f"took {elapsed:.1f}s to stop with only idle connections open"


def test_sigint_stops_gracefully(start_server, channel_factory):
    server = start_server(False, "shutdown-sigint")
    stub = test_pb2_grpc.TestServiceStub(channel_factory(server))
    assert stub.EmptyCall(empty_pb2.Empty(), timeout=T) == empty_pb2.Empty()
    code, elapsed = server.stop(signal.SIGINT)
    assert code == 0, f"exit {code} after SIGINT{server.diagnostics()}"
    assert elapsed < 3, f"took {elapsed:.1f}s to stop after SIGINT"
    assert "interop-server stopped" in server.stdout_lines


def test_grace_period_ends_stuck_calls(start_server, channel_factory):
    """A call that outlives the grace period is cut off, and the process still exits 0 in time."""
    server = start_server(False, "shutdown-grace")
    stub = test_pb2_grpc.TestServiceStub(channel_factory(server))
    call = stub.StreamingOutputCall(
        messages_pb2.StreamingOutputCallRequest(response_parameters=[
            messages_pb2.ResponseParameters(size=10),
            messages_pb2.ResponseParameters(size=10, interval_us=120_000_000),
        ]), timeout=60)
    assert len(next(call).payload.body) == 10
    sigterm_at = server.send(signal.SIGTERM)
    with pytest.raises(grpc.RpcError) as info:
        next(call)
    ended = time.monotonic() - sigterm_at
    assert info.value.code() == grpc.StatusCode.UNAVAILABLE, f"{info.value.code()}: {info.value.details()}"
    assert ended < support.GRACE_PERIOD + 3, f"call cut off {ended:.1f}s after SIGTERM"
    code = server.wait(timeout=max(0.1, sigterm_at + support.GRACE_PERIOD + 3 - time.monotonic()))
    exited = time.monotonic() - sigterm_at
    assert code == 0, f"exit {code} ({exited:.1f}s after SIGTERM){server.diagnostics()}"
    assert exited >= support.GRACE_PERIOD - 1, f"exited after {exited:.1f}s, before the grace period was over"


def test_sigterm_during_connection_churn(start_server):
    """Clients that connect and hang up at once while SIGTERM arrives must not take the server down.

    A connection accepted just before the listener closes gets the server's SETTINGS after the
    client's FIN (the client answers with RST), then the drain's GOAWAY: that second write fails
    with EPIPE, which must be an error on that connection, not a SIGPIPE for the process. Up to 8
    attempts (the race is hit in most of them)."""
    for attempt in range(8):
        server = start_server(False, f"shutdown-churn-{attempt}")
        stop = threading.Event()
        connections = [0]

        def churn():
            while not stop.is_set():
                try:
                    socket.create_connection(("127.0.0.1", server.port), timeout=1).close()
                    connections[0] += 1
                except OSError:
                    pass

        threads = [threading.Thread(target=churn, daemon=True) for _ in range(4)]
        for thread in threads:
            thread.start()
        try:
            assert wait_until(lambda: connections[0] >= 200, timeout=10), "could not connect 200 times"
            server.send(signal.SIGTERM)
            code = server.wait(timeout=support.GRACE_PERIOD + 2)
        finally:
            stop.set()
            for thread in threads:
                thread.join(5)
        assert code is not None, f"attempt {attempt}: still running {support.GRACE_PERIOD + 2:.0f} s after SIGTERM"
        assert code == 0, (
            f"attempt {attempt}: exit {code}{' (killed by SIGPIPE)' if code == -signal.SIGPIPE else ''} after SIGTERM "
            f"during connection churn ({connections[0]} connections){server.diagnostics()}")
