# SPDX-License-Identifier: Apache-2.0
"""Fixtures for the hostile HTTP/2 suite: servers, a throwaway TLS certificate, bystanders, RSS.

Environment:
  HOSTILE_SERVER_BIN   interop-server to test (default: `swift build --show-bin-path`/interop-server,
                       built with `swift build --product interop-server` if missing)
  HOSTILE_SLOW=1       also run the tests that wait for the default 10 s / 20 s / 30 s timeouts
                       (the default run checks every timeout on servers started with short ones)
  HOSTILE_EVENT_LOOPS  --event-loops for the servers (default 1, so attacker and bystanders share
                       one loop: an attack that stalls the loop shows up as bystander failures)
  HOSTILE_REPORT       write the findings summary (JSON) to this file as well
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

sys.path.insert(0, os.path.dirname(__file__))

import hostile_support as hs  # noqa: E402

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SLOW = os.environ.get("HOSTILE_SLOW") == "1"

# Findings collected by tests via `report(...)`, printed at the end of the run.
FINDINGS = hs.FINDINGS
METRICS = hs.METRICS


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: waits for the default server timeouts (run with HOSTILE_SLOW=1)")
    config.addinivalue_line("markers", "no_bystander_check: the test itself checks the bystanders")


def pytest_collection_modifyitems(config, items):
    if SLOW:
        return
    skip = pytest.mark.skip(reason="slow timeout test; set HOSTILE_SLOW=1 to run it")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not FINDINGS and not METRICS:
        return
    terminalreporter.section("hostile findings")
    for test, text in FINDINGS:
        terminalreporter.write_line(f"[{test}] {text}")
    for key, value in METRICS.items():
        terminalreporter.write_line(f"{key}: {value}")
    path = os.environ.get("HOSTILE_REPORT")
    if path:
        with open(path, "w") as out:
            json.dump({"findings": FINDINGS, "metrics": METRICS}, out, indent=2, default=str)


@pytest.fixture
def report(request):
    """report(text): records a line for the end-of-run summary under the test's name."""
    name = request.node.name

    def record(text: str) -> None:
        FINDINGS.append((name, text))

    return record


# --------------------------------------------------------------------------------------------------
# Server binary, certificates, servers


@pytest.fixture(scope="session")
def server_binary() -> str:
    explicit = os.environ.get("HOSTILE_SERVER_BIN")
    if explicit:
        assert os.access(explicit, os.X_OK), f"HOSTILE_SERVER_BIN={explicit} is not executable"
        return explicit
    bin_path = subprocess.run(["swift", "build", "--show-bin-path"], cwd=REPO_ROOT, check=True,
                              capture_output=True, text=True).stdout.strip()
    binary = os.path.join(bin_path, "interop-server")
    if not os.access(binary, os.X_OK):
        subprocess.run(["swift", "build", "--product", "interop-server"], cwd=REPO_ROOT, check=True)
    return binary


@pytest.fixture(scope="session")
def workdir(tmp_path_factory) -> str:
    return str(tmp_path_factory.mktemp("hostile"))


@pytest.fixture(scope="session")
def tls_files(workdir) -> tuple[str, str]:
    """A throwaway self-signed P-256 certificate for localhost / 127.0.0.1."""
    cert = os.path.join(workdir, "cert.pem")
    key = os.path.join(workdir, "key.pem")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-keyout", key, "-out", cert, "-days", "1", "-nodes", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
        check=True, capture_output=True)
    return cert, key


@pytest.fixture(scope="session")
def tls_ctx(tls_files):
    return hs.client_tls_context(tls_files[0])


def _loops() -> list[str]:
    return ["--event-loops", os.environ.get("HOSTILE_EVENT_LOOPS", "1")]


def _stop_server(server: hs.ServerProcess) -> None:
    alive = server.alive()
    code = server.stop()
    METRICS[f"{server.name} exit status after SIGTERM"] = code if alive else f"already dead ({code})"
    assert alive, f"{server.name} died during the run: {server.stderr_tail()}"
    assert code == 0, f"{server.name} did not exit 0 on SIGTERM (got {code}): {server.stderr_tail()}"


@pytest.fixture(scope="session")
def h2c_server(server_binary, workdir):
    server = hs.ServerProcess(server_binary, workdir, "h2c-server", ["--h2c", *_loops()])
    yield server
    _stop_server(server)


@pytest.fixture(scope="session")
def tls_server(server_binary, workdir, tls_files):
    cert, key = tls_files
    server = hs.ServerProcess(server_binary, workdir, "tls-server", ["--tls-cert", cert, "--tls-key", key, *_loops()])
    yield server
    _stop_server(server)


# Connection timeouts (seconds) of the short-timeout servers. The first-request timeout differs from
# the handshake timeout so a TLS connection's close time tells which of the two closed it.
SHORT_TIMEOUTS = {"handshake": 2.0, "first_request": 3.0, "idle": 3.0, "write_stall": 3.0}


class ShortTimeoutServers:
    """An h2c and a TLS interop-server with every connection timeout shortened to SHORT_TIMEOUTS, so
    the timeout defences are exercised in seconds rather than the defaults' minutes."""

    def __init__(self, binary: str, workdir: str, tls_files: tuple[str, str]):
        self.timeouts = dict(SHORT_TIMEOUTS)
        flags = ["--handshake-timeout", str(self.timeouts["handshake"]),
                 "--first-request-timeout", str(self.timeouts["first_request"]),
                 "--idle-timeout", str(self.timeouts["idle"]),
                 "--write-stall-timeout", str(self.timeouts["write_stall"]), *_loops()]
        self.h2c = hs.ServerProcess(binary, workdir, "h2c-short-timeouts", ["--h2c", *flags])
        try:
            self.tls = hs.ServerProcess(binary, workdir, "tls-short-timeouts",
                                        ["--tls-cert", tls_files[0], "--tls-key", tls_files[1], *flags])
        except Exception:
            self.h2c.stop()
            raise


@pytest.fixture(scope="session")
def short_timeouts(server_binary, workdir, tls_files):
    servers = ShortTimeoutServers(server_binary, workdir, tls_files)
    yield servers
    _stop_server(servers.h2c)
    _stop_server(servers.tls)


# --------------------------------------------------------------------------------------------------
# Bystanders and the RSS baseline


@pytest.fixture(scope="session")
def battery(h2c_server, tls_server, tls_ctx):
    """Starts the well-behaved bystanders, warms the servers up and records the RSS baseline."""
    bystanders = [
        hs.Bystander("h2-bystander(h2c)", lambda: hs.H2UnaryCaller(h2c_server.port)),
        hs.Bystander("h2-bystander(tls)", lambda: hs.H2UnaryCaller(tls_server.port, tls_ctx)),
    ]
    try:
        import grpc  # noqa: F401,PLC0415

        bystanders.append(hs.Bystander("grpcio-bystander(h2c)", lambda: hs.GrpcioUnaryCaller(h2c_server.port)))
    except ImportError:
        METRICS["grpcio bystander"] = "skipped (grpcio not installed)"
    for bystander in bystanders:
        bystander.start()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and any(b.snapshot()[0] < 20 for b in bystanders):
        time.sleep(0.05)
    for bystander in bystanders:
        assert bystander.snapshot()[0] >= 20, f"{bystander.name} could not make calls: {bystander.failures_since(0)}"
        assert bystander.snapshot()[1] == 0, f"{bystander.name} failed during warm-up: {bystander.failures_since(0)}"
    # Warm-up: a few hundred calls on fresh connections so allocator arenas and caches exist.
    for server, ctx in ((h2c_server, None), (tls_server, tls_ctx)):
        for _ in range(5):
            client = hs.H2Client(server.port, tls=ctx)
            for _ in range(40):
                assert client.unary().grpc_status == "0"
            client.close()
    time.sleep(0.5)
    state = {
        "bystanders": bystanders,
        "rss_before": {s.name: s.rss_kib() for s in (h2c_server, tls_server)},
        "servers": (h2c_server, tls_server),
    }
    METRICS["VmRSS before battery (KiB)"] = state["rss_before"]
    yield state
    for bystander in bystanders:
        bystander.stop()
    METRICS["bystander totals"] = {
        b.name: {"successes": b.successes, "failures": len(b.failures), "max_latency_ms": round(b.max_latency * 1000, 1)}
        for b in bystanders}


@pytest.fixture(autouse=True)
def bystanders_keep_being_served(request, battery, report):
    """Case 10: during every test, each bystander keeps succeeding and never fails."""
    bystanders = battery["bystanders"]
    before = {b.name: b.snapshot() for b in bystanders}
    rss_before = {s.name: s.rss_kib() for s in battery["servers"] if s.alive()}
    started = time.monotonic()
    yield
    if "no_bystander_check" in request.keywords:
        return
    # Let each bystander finish a few more calls after the attack (proves the loop is not wedged).
    deadline = time.monotonic() + 8
    while time.monotonic() < deadline and any(b.snapshot()[0] - before[b.name][0] < 3 for b in bystanders):
        time.sleep(0.02)
    problems = []
    summary = []
    for b in bystanders:
        successes, failures, latency_index = before[b.name]
        now_successes, now_failures, _ = b.snapshot()
        latencies = b.latencies_since(latency_index)
        worst = max(latencies) if latencies else float("nan")
        summary.append(f"{b.name}: +{now_successes - successes} ok, +{now_failures - failures} failed, "
                       f"max latency {worst * 1000:.0f} ms")
        if now_successes - successes <= 0:
            problems.append(f"{b.name} made no successful call during the test")
        if now_failures > failures:
            problems.append(f"{b.name} failed: {b.failures_since(failures)[:3]}")
    for server in battery["servers"]:
        if not server.alive():
            problems.append(f"{server.name} died: {server.stderr_tail()}")
    rss_after = {s.name: s.rss_kib() for s in battery["servers"] if s.alive()}
    if "h2c-server" in rss_after and abs(rss_after["h2c-server"] - rss_before["h2c-server"]) >= 1024:
        METRICS.setdefault("h2c VmRSS delta per test (KiB)", {})[request.node.name] = \
            rss_after["h2c-server"] - rss_before["h2c-server"]
    report(f"bystanders over {time.monotonic() - started:.1f}s: " + "; ".join(summary)
           + " | VmRSS KiB " + ", ".join(f"{n} {rss_before[n]}->{rss_after.get(n)}" for n in rss_before))
    assert not problems, "; ".join(problems)
