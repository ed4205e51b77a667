# SPDX-License-Identifier: Apache-2.0
# UsageFlow — interop tests: the server-side cases of the gRPC interop test descriptions
# (grpc/grpc doc/interop-test-descriptions.md), run against interop-server over TLS and h2c, plus
# deadlines, concurrency, BenchmarkService, mutual TLS, health and reflection.

from __future__ import annotations

import concurrent.futures
import time

import grpc
import pytest
from google.protobuf import descriptor_pb2, descriptor_pool

import interop_support as support
from interop_stubs import (
    empty_pb2,
    messages_pb2,
    reflection_pb2,
    reflection_pb2_grpc,
    test_pb2_grpc,
)

T = support.CALL_TIMEOUT
Empty = empty_pb2.Empty
Payload = messages_pb2.Payload
SimpleRequest = messages_pb2.SimpleRequest
EchoStatus = messages_pb2.EchoStatus
ResponseParameters = messages_pb2.ResponseParameters
StreamingInputCallRequest = messages_pb2.StreamingInputCallRequest
StreamingOutputCallRequest = messages_pb2.StreamingOutputCallRequest
COMPRESSABLE = messages_pb2.COMPRESSABLE


def payload(size: int) -> Payload:
    return Payload(type=COMPRESSABLE, body=b"\x00" * size)


def output_request(*sizes: int, request_size: int = 0, interval_us: int = 0, status: EchoStatus | None = None):
    request = StreamingOutputCallRequest(
        response_type=COMPRESSABLE,
        response_parameters=[ResponseParameters(size=s, interval_us=interval_us) for s in sizes],
    )
    if request_size:
        request.payload.CopyFrom(payload(request_size))
    if status is not None:
        request.response_status.CopyFrom(status)
    return request


def assert_zero_payload(message, size: int) -> None:
    assert message.payload.type == COMPRESSABLE
    assert len(message.payload.body) == size
    assert message.payload.body == b"\x00" * size


def expect_rpc_error(code: grpc.StatusCode, call, *args, **kwargs) -> grpc.RpcError:
    with pytest.raises(grpc.RpcError) as info:
        result = call(*args, **kwargs)
        if hasattr(result, "__iter__") and not isinstance(result, (bytes, str)):
            list(result)
    assert info.value.code() == code, f"expected {code}, got {info.value.code()}: {info.value.details()!r}"
    return info.value


def assert_still_serving(stub) -> None:
    """After a cancellation or failure, the same connection must still carry calls."""
    assert stub.EmptyCall(Empty(), timeout=T) == Empty()


# ---------------------------------------------------------------------------------------------
# The interop cases
# ---------------------------------------------------------------------------------------------

def test_empty_unary(test_stub):
    assert test_stub.EmptyCall(Empty(), timeout=T) == Empty()


def test_large_unary(test_stub):
    response = test_stub.UnaryCall(
        SimpleRequest(response_type=COMPRESSABLE, response_size=314159, payload=payload(271828)), timeout=T)
    assert_zero_payload(response, 314159)


def test_client_streaming(test_stub):
    requests = [StreamingInputCallRequest(payload=payload(size)) for size in (27182, 8, 1828, 45904)]
    response = test_stub.StreamingInputCall(iter(requests), timeout=T)
    assert response.aggregated_payload_size == 74922


def test_server_streaming(test_stub):
    sizes = (31415, 9, 2653, 58979)
    responses = list(test_stub.StreamingOutputCall(output_request(*sizes), timeout=T))
    assert [len(r.payload.body) for r in responses] == list(sizes)
    for response, size in zip(responses, sizes):
        assert_zero_payload(response, size)


def test_ping_pong(test_stub):
    requests = support.RequestQueue()
    responses = test_stub.FullDuplexCall(requests, timeout=T)
    try:
        for request_size, response_size in ((27182, 31415), (8, 9), (1828, 2653), (45904, 58979)):
            requests.put(output_request(response_size, request_size=request_size))
            assert_zero_payload(next(responses), response_size)
        requests.close()
        assert list(responses) == []
        assert responses.code() == grpc.StatusCode.OK
    finally:
        requests.close()
        responses.cancel()


def test_empty_stream(test_stub):
    responses = test_stub.FullDuplexCall(iter([]), timeout=T)
    assert list(responses) == []
    assert responses.code() == grpc.StatusCode.OK


ECHO_INITIAL = ("x-grpc-test-echo-initial", "test_initial_metadata_value")
ECHO_TRAILING = ("x-grpc-test-echo-trailing-bin", b"\xab\xab\xab")


def test_custom_metadata_unary(test_stub):
    response, call = test_stub.UnaryCall.with_call(
        SimpleRequest(response_type=COMPRESSABLE, response_size=314159, payload=payload(271828)),
        metadata=[ECHO_INITIAL, ECHO_TRAILING], timeout=T)
    assert_zero_payload(response, 314159)
    assert ECHO_INITIAL in list(call.initial_metadata())
    assert ECHO_TRAILING in list(call.trailing_metadata())


def test_custom_metadata_full_duplex(test_stub):
    responses = test_stub.FullDuplexCall(
        iter([output_request(314159, request_size=271828)]), metadata=[ECHO_INITIAL, ECHO_TRAILING], timeout=T)
    received = list(responses)
    assert len(received) == 1
    assert_zero_payload(received[0], 314159)
    assert ECHO_INITIAL in list(responses.initial_metadata())
    assert ECHO_TRAILING in list(responses.trailing_metadata())


def test_custom_metadata_on_error_status(test_stub):
    """Not in the descriptions, but servers echo trailing metadata on failed calls too."""
    with pytest.raises(grpc.RpcError) as info:
        test_stub.UnaryCall(SimpleRequest(response_status=EchoStatus(code=2, message="boom")),
                            metadata=[ECHO_INITIAL, ECHO_TRAILING], timeout=T)
    assert info.value.code() == grpc.StatusCode.UNKNOWN
    assert ECHO_TRAILING in list(info.value.trailing_metadata())


TEST_STATUS = EchoStatus(code=2, message="test status message")


def test_status_code_and_message_unary(test_stub):
    error = expect_rpc_error(grpc.StatusCode.UNKNOWN, test_stub.UnaryCall, SimpleRequest(response_status=TEST_STATUS), timeout=T)
    assert error.details() == "test status message"


def test_status_code_and_message_full_duplex(test_stub):
    error = expect_rpc_error(grpc.StatusCode.UNKNOWN, test_stub.FullDuplexCall,
                             iter([output_request(status=TEST_STATUS)]), timeout=T)
    assert error.details() == "test status message"


SPECIAL_MESSAGE = "\t\ntest with whitespace\r\nand Unicode BMP \u263a and non-BMP \U0001f608\t\n"


def test_special_status_message(test_stub):
    error = expect_rpc_error(grpc.StatusCode.UNKNOWN, test_stub.UnaryCall,
                             SimpleRequest(response_status=EchoStatus(code=2, message=SPECIAL_MESSAGE)), timeout=T)
    assert error.details() == SPECIAL_MESSAGE


def test_unimplemented_method(test_stub):
    expect_rpc_error(grpc.StatusCode.UNIMPLEMENTED, test_stub.UnimplementedCall, Empty(), timeout=T)
    assert_still_serving(test_stub)


def test_unimplemented_service(channel, test_stub):
    stub = test_pb2_grpc.UnimplementedServiceStub(channel)
    expect_rpc_error(grpc.StatusCode.UNIMPLEMENTED, stub.UnimplementedCall, Empty(), timeout=T)
    assert_still_serving(test_stub)


def test_cancel_after_begin(test_stub):
    requests = support.RequestQueue()
    future = test_stub.StreamingInputCall.future(requests, timeout=T)
    try:
        future.cancel()
        with pytest.raises(grpc.FutureCancelledError):
            future.result(timeout=T)
        assert future.code() == grpc.StatusCode.CANCELLED
    finally:
        requests.close()
    assert_still_serving(test_stub)


def test_cancel_after_first_response(test_stub):
    requests = support.RequestQueue()
    responses = test_stub.FullDuplexCall(requests, timeout=T)
    try:
        requests.put(output_request(31415, request_size=27182))
        assert_zero_payload(next(responses), 31415)
        responses.cancel()
        with pytest.raises(grpc.RpcError) as info:
            next(responses)
        assert info.value.code() == grpc.StatusCode.CANCELLED
    finally:
        requests.close()
    assert_still_serving(test_stub)


def test_timeout_on_sleeping_server(test_stub):
    requests = support.RequestQueue()
    responses = test_stub.FullDuplexCall(requests, timeout=0.001)
    try:
        requests.put(output_request(31415, request_size=27182, interval_us=2_000_000))
        with pytest.raises(grpc.RpcError) as info:
            next(responses)
        assert info.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    finally:
        requests.close()
        responses.cancel()
    assert_still_serving(test_stub)


# ---------------------------------------------------------------------------------------------
# Beyond the descriptions: the rest of TestService, deadlines, concurrency
# ---------------------------------------------------------------------------------------------

def test_cacheable_unary(test_stub):
    response, call = test_stub.CacheableUnaryCall.with_call(
        SimpleRequest(response_type=COMPRESSABLE, response_size=10, payload=payload(10)), timeout=T)
    assert_zero_payload(response, 10)
    assert ("cache-control", "max-age=60, public") in list(call.initial_metadata())


def test_half_duplex(test_stub):
    sizes = (5, 0, 1000)
    received = list(test_stub.HalfDuplexCall(iter([output_request(s) for s in sizes]), timeout=T))
    assert [len(r.payload.body) for r in received] == list(sizes)


def test_fill_server_id(test_stub):
    assert test_stub.UnaryCall(SimpleRequest(fill_server_id=True), timeout=T).server_id != ""


@pytest.mark.parametrize("deadline", [2.0, 60.0, 3600.0, 30 * 86400.0], ids=["2s", "60s", "1h", "30d"])
def test_generous_deadline_succeeds(test_stub, deadline):
    """grpc-timeout in every unit grpcio picks must parse; a call well within it must succeed."""
    response = test_stub.UnaryCall(SimpleRequest(response_size=100, payload=payload(100)), timeout=deadline)
    assert_zero_payload(response, 100)
    streamed = list(test_stub.StreamingOutputCall(output_request(10, 10, 10, interval_us=50_000), timeout=max(deadline, 5.0)))
    assert len(streamed) == 3


def test_server_enforces_grpc_timeout(live_server, certs):
    """The server (not only the client) must end a call whose grpc-timeout has passed with DEADLINE_EXCEEDED."""
    client = support.RawH2Client(live_server.port, tls=live_server.tls, ca=certs["ca"])
    try:
        started = time.monotonic()
        stream_id = client.start_call("/grpc.testing.TestService/FullDuplexCall", timeout_header="300m")
        client.send_message(stream_id, output_request(10, interval_us=5_000_000).SerializeToString())
        stream = client.streams[stream_id]
        assert client.pump(lambda: stream.ended, timeout=4.0), "no end of stream within 4 s of a 300 ms grpc-timeout"
        elapsed = time.monotonic() - started
        assert stream.status == str(grpc.StatusCode.DEADLINE_EXCEEDED.value[0]), \
            f"status {stream.status!r}, headers {stream.headers}, trailers {stream.trailers}, reset {stream.reset_code}"
        assert elapsed >= 0.25, f"ended after {elapsed:.3f}s, before its 300 ms deadline"
        assert stream.messages == []
    finally:
        client.close()


def test_500_concurrent_unary_calls_on_one_channel(live_server, channel_factory):
    channel = channel_factory(live_server)
    stub = test_pb2_grpc.TestServiceStub(channel)
    futures = [
        stub.UnaryCall.future(SimpleRequest(response_type=COMPRESSABLE, response_size=1000 + i, payload=payload(100)), timeout=60)
        for i in range(500)
    ]
    failures = []
    for i, future in enumerate(futures):
        try:
            assert len(future.result(timeout=60).payload.body) == 1000 + i
        except grpc.RpcError as error:
            failures.append(f"#{i}: {error.code()} {error.details()}")
    assert not failures, f"{len(failures)} of 500 failed, e.g. {failures[:5]}"


def test_concurrent_streams_on_one_channel(live_server, channel_factory):
    """50 full-duplex calls interleaved on one connection each get their own answers."""
    channel = channel_factory(live_server)
    stub = test_pb2_grpc.TestServiceStub(channel)

    def run(index: int) -> list[int]:
        sizes = [index + 1, index + 2, index + 3]
        return [len(r.payload.body) for r in stub.FullDuplexCall(iter([output_request(s) for s in sizes]), timeout=30)]

    with concurrent.futures.ThreadPoolExecutor(max_workers=50) as pool:
        results = list(pool.map(run, range(50), timeout=60))
    assert results == [[i + 1, i + 2, i + 3] for i in range(50)]


def test_idle_connection_does_not_burn_cpu(transport, certs, session_dir, channel_factory):
    """An open connection with no calls must cost (almost) nothing: a server of its own, one
    finished call, then 2 s of silence during which the process may use at most 10% of a core."""
    tls = transport == "tls"
    args = ["--tls-cert", str(certs["server"]), "--tls-key", str(certs["server.key"])] if tls else ["--h2c"]
    server = support.ServerProcess(f"idle-{transport}", args, session_dir / "logs", tls=tls, ca=certs["ca"]).start()
    try:
        stub = test_pb2_grpc.TestServiceStub(channel_factory(server))
        assert stub.EmptyCall(Empty(), timeout=T) == Empty()
        window = 2.0
        before = support.cpu_seconds(server.proc.pid)
        time.sleep(window)
        used = support.cpu_seconds(server.proc.pid) - before
        assert used < 0.1 * window, (
            f"interop-server used {used:.2f} CPU-seconds in {window:.0f} s with one idle {transport} connection "
            f"({used / window:.0%} of a core): the event loop spins while nothing happens")
        code, _ = server.stop()
        assert code == 0, server.diagnostics()
    finally:
        server.kill()


# ---------------------------------------------------------------------------------------------
# BenchmarkService
# ---------------------------------------------------------------------------------------------

def test_benchmark_unary(benchmark_stub):
    response = benchmark_stub.UnaryCall(SimpleRequest(response_size=1024, payload=payload(16)), timeout=T)
    assert len(response.payload.body) == 1024


def test_benchmark_streaming_call(benchmark_stub):
    requests = support.RequestQueue()
    responses = benchmark_stub.StreamingCall(requests, timeout=T)
    try:
        for size in (1, 100, 10_000, 0):
            requests.put(SimpleRequest(response_size=size, payload=payload(size)))
            assert len(next(responses).payload.body) == size
        requests.close()
        assert list(responses) == []
    finally:
        requests.close()
        responses.cancel()


def test_benchmark_streaming_from_client(benchmark_stub):
    requests = [SimpleRequest(response_size=size, payload=payload(8)) for size in (10, 20, 30)]
    response = benchmark_stub.StreamingFromClient(iter(requests), timeout=T)
    assert len(response.payload.body) == 30


def test_benchmark_streaming_from_server_until_cancelled(benchmark_stub, test_stub):
    responses = benchmark_stub.StreamingFromServer(SimpleRequest(response_size=64), timeout=T)
    for _ in range(5):
        assert len(next(responses).payload.body) == 64
    responses.cancel()
    with pytest.raises(grpc.RpcError) as info:
        for _ in range(100_000):
            next(responses)
    assert info.value.code() == grpc.StatusCode.CANCELLED
    assert_still_serving(test_stub)


def test_benchmark_streaming_both_ways(benchmark_stub):
    sizes = [3, 2, 1]
    received = list(benchmark_stub.StreamingBothWays(iter([SimpleRequest(response_size=s) for s in sizes]), timeout=T))
    assert [len(r.payload.body) for r in received] == sizes


# ---------------------------------------------------------------------------------------------
# Mutual TLS
# ---------------------------------------------------------------------------------------------

@pytest.fixture
def mtls(mtls_server):
    assert mtls_server.running, f"mTLS server is not running{mtls_server.diagnostics()}"
    yield mtls_server
    assert mtls_server.running, f"mTLS server died during the test{mtls_server.diagnostics()}"


def test_mtls_trusted_client_certificate(mtls, channel_factory, certs):
    channel = channel_factory(mtls, cert=certs["client"], key=certs["client.key"])
    stub = test_pb2_grpc.TestServiceStub(channel)
    assert stub.EmptyCall(Empty(), timeout=T) == Empty()
    response = stub.UnaryCall(SimpleRequest(fill_username=True, response_size=1), timeout=T)
    assert support.CLIENT_CN in response.username, f"username {response.username!r} does not name the client certificate"


def test_mtls_rejects_client_without_certificate(mtls, channel_factory):
    stub = test_pb2_grpc.TestServiceStub(channel_factory(mtls))
    expect_rpc_error(grpc.StatusCode.UNAVAILABLE, stub.EmptyCall, Empty(), timeout=T)


def test_mtls_rejects_certificate_from_other_ca(mtls, channel_factory, certs):
    stub = test_pb2_grpc.TestServiceStub(channel_factory(mtls, cert=certs["other-client"], key=certs["other-client.key"]))
    expect_rpc_error(grpc.StatusCode.UNAVAILABLE, stub.EmptyCall, Empty(), timeout=T)


def test_mtls_serves_again_after_rejections(mtls, channel_factory, certs):
    for overrides in ({}, {"cert": certs["other-client"], "key": certs["other-client.key"]}):
        stub = test_pb2_grpc.TestServiceStub(channel_factory(mtls, **overrides))
        expect_rpc_error(grpc.StatusCode.UNAVAILABLE, stub.EmptyCall, Empty(), timeout=T)
    stub = test_pb2_grpc.TestServiceStub(channel_factory(mtls, cert=certs["client"], key=certs["client.key"]))
    assert stub.EmptyCall(Empty(), timeout=T) == Empty()


def test_tls_server_rejects_cleartext_client(tls_server, channel_factory):
    stub = test_pb2_grpc.TestServiceStub(channel_factory(tls_server, tls=False, ca=None))
    expect_rpc_error(grpc.StatusCode.UNAVAILABLE, stub.EmptyCall, Empty(), timeout=T)
    assert tls_server.running


# ---------------------------------------------------------------------------------------------
# Health (grpc.health.v1): skipped while the server answers UNIMPLEMENTED for the service
# ---------------------------------------------------------------------------------------------

def skip_if_unimplemented(error: grpc.RpcError, service: str) -> None:
    if error.code() == grpc.StatusCode.UNIMPLEMENTED:
        pytest.skip(f"{service} is not implemented by interop-server yet (UNIMPLEMENTED: {error.details()!r})")


@pytest.fixture
def health_stub(channel):
    from grpc_health.v1 import health_pb2_grpc
    stub = health_pb2_grpc.HealthStub(channel)
    from grpc_health.v1 import health_pb2
    try:
        stub.Check(health_pb2.HealthCheckRequest(service=""), timeout=T)
    except grpc.RpcError as error:
        skip_if_unimplemented(error, "grpc.health.v1.Health")
        # Any other error is the test's to report.
    return stub


def test_health_check_overall_serving(health_stub):
    from grpc_health.v1 import health_pb2
    response = health_stub.Check(health_pb2.HealthCheckRequest(service=""), timeout=T)
    assert response.status == health_pb2.HealthCheckResponse.SERVING


def test_health_check_unknown_service_not_found(health_stub):
    from grpc_health.v1 import health_pb2
    expect_rpc_error(grpc.StatusCode.NOT_FOUND, health_stub.Check,
                     health_pb2.HealthCheckRequest(service="no.such.Service"), timeout=T)


def test_health_watch_first_message(health_stub):
    from grpc_health.v1 import health_pb2
    responses = health_stub.Watch(health_pb2.HealthCheckRequest(service=""), timeout=T)
    try:
        assert next(responses).status == health_pb2.HealthCheckResponse.SERVING
    finally:
        responses.cancel()


def test_health_watch_unknown_service(health_stub):
    """The health protocol: Watch on an unknown service sends SERVICE_UNKNOWN and keeps the call open."""
    from grpc_health.v1 import health_pb2
    responses = health_stub.Watch(health_pb2.HealthCheckRequest(service="no.such.Service"), timeout=T)
    try:
        assert next(responses).status == health_pb2.HealthCheckResponse.SERVICE_UNKNOWN
    finally:
        responses.cancel()


# ---------------------------------------------------------------------------------------------
# Reflection: v1alpha through grpcio-reflection's client, v1 with raw requests
# ---------------------------------------------------------------------------------------------

TEST_SERVICE_METHODS = {"EmptyCall", "UnaryCall", "CacheableUnaryCall", "StreamingOutputCall",
                        "StreamingInputCall", "FullDuplexCall", "HalfDuplexCall"}


def test_reflection_v1alpha_descriptor_database(channel):
    from grpc_reflection.v1alpha.proto_reflection_descriptor_database import ProtoReflectionDescriptorDatabase

    database = ProtoReflectionDescriptorDatabase(channel)  # the channel gives every call a deadline
    try:
        services = database.get_services()
    except grpc.RpcError as error:
        skip_if_unimplemented(error, "grpc.reflection.v1alpha.ServerReflection")
        raise
    assert "grpc.testing.TestService" in services
    assert "grpc.testing.BenchmarkService" in services

    file = database.FindFileContainingSymbol("grpc.testing.TestService")
    assert file.name == "grpc/testing/test.proto"
    assert "TestService" in [service.name for service in file.service]

    pool = descriptor_pool.DescriptorPool(database)
    service = pool.FindServiceByName("grpc.testing.TestService")
    assert TEST_SERVICE_METHODS <= {method.name for method in service.methods}
    unary = service.methods_by_name["UnaryCall"]
    assert unary.input_type.full_name == "grpc.testing.SimpleRequest"
    assert "response_size" in unary.input_type.fields_by_name
    with pytest.raises(KeyError):
        database.FindFileContainingSymbol("no.such.Symbol")


def _reflection_v1(channel, requests):
    stub = reflection_pb2_grpc.ServerReflectionStub(channel)
    try:
        return list(stub.ServerReflectionInfo(iter(requests), timeout=T))
    except grpc.RpcError as error:
        skip_if_unimplemented(error, "grpc.reflection.v1.ServerReflection")
        raise


def test_reflection_v1_raw_requests(channel):
    R = reflection_pb2.ServerReflectionRequest
    requests = [
        R(host="localhost", list_services=""),
        R(file_containing_symbol="grpc.testing.TestService"),
        R(file_containing_symbol="grpc.testing.TestService.EmptyCall"),
        R(file_containing_symbol="grpc.testing.SimpleRequest"),
        R(file_by_filename="grpc/testing/messages.proto"),
        R(file_containing_symbol="no.such.Symbol"),
        R(file_by_filename="no/such/file.proto"),
    ]
    responses = _reflection_v1(channel, requests)
    assert len(responses) == len(requests), f"{len(responses)} responses to {len(requests)} requests"
    for request, response in zip(requests, responses):
        assert response.original_request == request

    listed = {service.name for service in responses[0].list_services_response.service}
    assert {"grpc.testing.TestService", "grpc.testing.BenchmarkService"} <= listed

    def files(response) -> dict[str, descriptor_pb2.FileDescriptorProto]:
        assert response.WhichOneof("message_response") == "file_descriptor_response", response
        result = {}
        for raw in response.file_descriptor_response.file_descriptor_proto:
            file = descriptor_pb2.FileDescriptorProto.FromString(raw)
            result[file.name] = file
        return result

    test_files = files(responses[1])
    assert "grpc/testing/test.proto" in test_files
    assert "TestService" in [s.name for s in test_files["grpc/testing/test.proto"].service]
    assert "grpc/testing/test.proto" in files(responses[2])
    assert "grpc/testing/messages.proto" in files(responses[3])
    assert "grpc/testing/messages.proto" in files(responses[4])

    for response in responses[5:]:
        assert response.WhichOneof("message_response") == "error_response", response
        assert response.error_response.error_code == grpc.StatusCode.NOT_FOUND.value[0]

    # Everything test.proto depends on must be obtainable, and the set must build a pool.
    known = dict(test_files)
    missing = [d for f in list(known.values()) for d in f.dependency if d not in known]
    if missing:
        extra = _reflection_v1(channel, [R(file_by_filename=name) for name in missing])
        for response in extra:
            known.update(files(response))
    pool = descriptor_pool.DescriptorPool()
    pending = dict(known)
    while pending:
        ready = [name for name, f in pending.items() if all(d not in pending for d in f.dependency)]
        assert ready, f"unresolvable dependencies among {sorted(pending)}"
        for name in ready:
            pool.Add(pending.pop(name))
    service = pool.FindServiceByName("grpc.testing.TestService")
    assert TEST_SERVICE_METHODS <= {method.name for method in service.methods}
