# SPDX-License-Identifier: Apache-2.0
# UsageFlow — end-to-end tests: session set-up.
#
# * grpcio stubs are generated from Protos/ when pytest starts, into a temporary package `uf_stubs`.
# * Certificates come from openssl (the interop suite's helper): a test CA, a server certificate for
#   localhost/127.0.0.1 and a client certificate.
# * Each test module gets a fresh `usageflow serve` on its own database (created by `usageflow init`,
#   whose operator key the tests use), stopped with SIGTERM at the end: it must exit 0.

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import usageflow_support as support  # noqa: E402

_session_dir: Path | None = None


def pytest_configure(config):
    global _session_dir
    if not support.binary().is_file():
        raise pytest.UsageError(f"usageflow not found at {support.binary()}")
    _session_dir = Path(tempfile.mkdtemp(prefix="usageflow-e2e-"))
    sys.path.insert(0, str(support.generate_stubs(_session_dir / "stubs")))


def pytest_unconfigure(config):
    if _session_dir is not None:
        shutil.rmtree(_session_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def pki() -> dict[str, Path]:
    assert _session_dir is not None
    return support.interop_support.make_pki(_session_dir / "pki")


@pytest.fixture(scope="module")
def server(pki, request):
    assert _session_dir is not None
    server = support.Server(_session_dir / f"server-{request.module.__name__}", pki)
    server.init()
    server.start()
    yield server
    code = server.stop()
    assert code == 0, f"usageflow serve exited {code} on SIGTERM:\n" + "".join(server.output[-50:])


@pytest.fixture(scope="module")
def api(server):
    channel = server.channel()
    yield support.Api(channel)
    channel.close()


@pytest.fixture(params=["grpc", "cli"])
def driver(request, api, server, tmp_path):
    """The usage-file tests run once through grpcio stubs and once through the `usageflow` CLI;
    both drivers answer with the same proto3 JSON."""
    import usage_fixtures as uf
    if request.param == "grpc":
        return uf.GrpcDriver(api)
    return uf.CliDriver(server, tmp_path / "cli")
