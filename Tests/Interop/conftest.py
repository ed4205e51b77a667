# SPDX-License-Identifier: Apache-2.0
# UsageFlow — interop tests: session set-up.
#
# * Python stubs are generated from Protos/ with grpc_tools.protoc when pytest starts (before the
#   test modules are imported) into a temporary package `interop_stubs` (see interop_support).
# * Certificates are made with openssl into a temporary directory: a test CA with a server
#   certificate (localhost, 127.0.0.1, ::1) and a client certificate, and a second CA with a
#   client certificate the server must reject.
# * One interop-server per session for each of TLS, h2c and mTLS (--client-ca), on port 0; each is
#   stopped with SIGTERM at the end and must exit 0. Leftovers are killed with SIGKILL.
#
# The server is not built here: Tests/Interop/run.sh builds it. $INTEROP_SERVER names the binary.

from __future__ import annotations

import atexit
import faulthandler
import os
import shutil
import sys
import tempfile
import threading
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import interop_support as support  # noqa: E402

# A test (with its fixtures' set-up and tear-down) that runs longer than this is a hang: the
# watchdog dumps every thread's stack, kills the servers and ends pytest with exit code 3.
HARD_TEST_TIMEOUT = float(os.environ.get("INTEROP_TEST_TIMEOUT", "120"))

_session_dir: Path | None = None


def pytest_configure(config):
    global _session_dir
    binary = support.server_binary()
    if not binary.is_file() or not os.access(binary, os.X_OK):
        raise pytest.UsageError(
            f"interop-server binary not found at {binary}: build it with "
            "`swift build --product interop-server` (Tests/Interop/run.sh does) or set INTEROP_SERVER")
    _session_dir = Path(tempfile.mkdtemp(prefix="usageflow-interop-"))
    try:
        site = support.generate_stubs(_session_dir / "stubs")
    except Exception as error:  # noqa: BLE001 — reported as a usage error, not a traceback
        raise pytest.UsageError(f"could not generate Python stubs: {error}") from error
    sys.path.insert(0, str(site))
    atexit.register(support.kill_all_servers)


def pytest_unconfigure(config):
    support.kill_all_servers()
    if _session_dir is not None and not os.environ.get("INTEROP_KEEP_TMP"):
        shutil.rmtree(_session_dir, ignore_errors=True)


def pytest_report_header(config):
    return [f"interop-server: {support.server_binary()}", f"interop temp dir: {_session_dir}"]


def _watchdog_fired(nodeid: str) -> None:
    sys.stderr.write(f"\n\n*** {nodeid} exceeded {HARD_TEST_TIMEOUT:.0f}s: dumping threads, killing servers, exiting ***\n")
    faulthandler.dump_traceback(file=sys.stderr, all_threads=True)
    sys.stderr.flush()
    support.kill_all_servers()
    os._exit(3)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    timer = threading.Timer(HARD_TEST_TIMEOUT, _watchdog_fired, args=(item.nodeid,))
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()


# ---------------------------------------------------------------------------------------------
# Certificates and servers
# ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def session_dir() -> Path:
    assert _session_dir is not None
    return _session_dir


@pytest.fixture(scope="session")
def certs(session_dir) -> dict[str, Path]:
    return support.make_pki(session_dir / "certs")


def _session_server(name: str, args: list[str], session_dir: Path, tls: bool, ca: Path | None):
    server = support.ServerProcess(name, args, session_dir / "logs", tls=tls, ca=ca).start()
    try:
        yield server
    finally:
        if server.running:
            code, elapsed = server.stop()
        else:
            code, elapsed = server.proc.returncode, 0.0
        server.kill()
        assert code == 0, (f"{name} server did not exit 0 after SIGTERM (exit {code} after {elapsed:.1f}s)"
                           f"{server.diagnostics()}")


@pytest.fixture(scope="session")
def tls_server(certs, session_dir):
    yield from _session_server(
        "tls", ["--tls-cert", str(certs["server"]), "--tls-key", str(certs["server.key"])],
        session_dir, tls=True, ca=certs["ca"])


@pytest.fixture(scope="session")
def h2c_server(session_dir):
    yield from _session_server("h2c", ["--h2c"], session_dir, tls=False, ca=None)


@pytest.fixture(scope="session")
def mtls_server(certs, session_dir):
    yield from _session_server(
        "mtls",
        ["--tls-cert", str(certs["server"]), "--tls-key", str(certs["server.key"]), "--client-ca", str(certs["ca"])],
        session_dir, tls=True, ca=certs["ca"])


# ---------------------------------------------------------------------------------------------
# Per-transport fixtures: every test that uses `server`, `channel` or the stubs runs over TLS and h2c
# ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="session", params=["tls", "h2c"])
def transport(request) -> str:
    return request.param


@pytest.fixture(scope="session")
def server(transport, request) -> support.ServerProcess:
    return request.getfixturevalue(f"{transport}_server")


@pytest.fixture
def live_server(server):
    """The session server, checked to be alive before and after the test."""
    assert server.running, f"{server.name} server is not running (exit {server.proc.returncode}){server.diagnostics()}"
    yield server
    assert server.running, f"{server.name} server died during the test (exit {server.proc.returncode}){server.diagnostics()}"


@pytest.fixture(scope="session")
def channel_factory(certs):
    """Opens channels to a ServerProcess; all are closed at session end."""
    opened = []

    def open_for(server: support.ServerProcess, **overrides):
        arguments = dict(tls=server.tls, ca=certs["ca"] if server.tls else None)
        arguments.update(overrides)
        channel = support.open_channel(server.port, **arguments)
        opened.append(channel)
        return channel

    yield open_for
    for channel in opened:
        channel.close()


@pytest.fixture(scope="session")
def shared_channel(server, channel_factory):
    """One channel per transport, shared by the tests that do not need a connection of their own."""
    return channel_factory(server)


@pytest.fixture
def channel(live_server, shared_channel):
    return shared_channel


@pytest.fixture
def test_stub(channel):
    from interop_stubs import test_pb2_grpc
    return test_pb2_grpc.TestServiceStub(channel)


@pytest.fixture
def benchmark_stub(channel):
    from interop_stubs import benchmark_service_pb2_grpc
    return benchmark_service_pb2_grpc.BenchmarkServiceStub(channel)
