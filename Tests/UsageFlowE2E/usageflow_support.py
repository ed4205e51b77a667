# SPDX-License-Identifier: Apache-2.0
# UsageFlow — end-to-end tests: stubs, the server process, the CLI and call helpers.

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import grpc

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent.parent
sys.path.insert(0, str(REPO_ROOT / "Tests" / "Interop"))
import interop_support  # noqa: E402  (certificates and stub generation helpers)

STUB_PROTOS = [
    "google/rpc/status.proto",
    "google/rpc/error_details.proto",
    "grpc/health/v1/health.proto",
    "grpc/reflection/v1/reflection.proto",
    "usageflow/v1/common.proto",
    "usageflow/v1/catalogue.proto",
    "usageflow/v1/requests.proto",
    "usageflow/v1/usage.proto",
    "usageflow/v1/reconciliation.proto",
    "usageflow/v1/export.proto",
    "usageflow/v1/totals.proto",
    "usageflow/v1/events.proto",
    "usageflow/v1/admin_service.proto",
    "usageflow/v1/vendor_service.proto",
    "usageflow/v1/distributor_service.proto",
    "usageflow/v1/reseller_service.proto",
]

TOKEN = re.compile(r"KEY-\d{4}-\d{4}\.[A-Za-z0-9_-]{20,}")
CALL_TIMEOUT = 20.0


def binary() -> Path:
    path = os.environ.get("USAGEFLOW_BIN")
    if not path:
        raise RuntimeError("set USAGEFLOW_BIN to the usageflow executable (Tests/UsageFlowE2E/run.sh does)")
    return Path(path)


def generate_stubs(work_dir: Path) -> Path:
    """Generates grpcio stubs for the UsageFlow protos into a flat package `uf_stubs`."""
    import grpc_tools

    well_known = Path(grpc_tools.__file__).resolve().parent / "_proto"
    raw = work_dir / "protoc-out"
    raw.mkdir(parents=True)
    command = [
        sys.executable, "-m", "grpc_tools.protoc", f"-I{REPO_ROOT / 'Protos'}", f"-I{well_known}",
        f"--python_out={raw}", f"--grpc_python_out={raw}", *STUB_PROTOS,
    ]
    result = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        raise RuntimeError(f"protoc failed:\n{result.stdout}\n{result.stderr}")
    package = work_dir / "site" / "uf_stubs"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    imports = re.compile(r"^from (?:usageflow\.v1|google\.rpc|grpc\.health\.v1|grpc\.reflection\.v1) import (\w+)",
                         re.MULTILINE)
    for proto in STUB_PROTOS:
        stem = Path(proto).with_suffix("")
        for suffix in ("_pb2.py", "_pb2_grpc.py"):
            source = raw / f"{stem}{suffix}"
            text = imports.sub(r"from uf_stubs import \1", source.read_text())
            (package / source.name).write_text(text)
    return work_dir / "site"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_cli(args: list[str], *, key: str | None = None, server: "Server | None" = None,
            timeout: float = 60, check: bool = False) -> subprocess.CompletedProcess:
    """Runs the `usageflow` executable with the key and server in its environment."""
    env = dict(os.environ)
    env.pop("USAGEFLOW_KEY", None)
    if key is not None:
        env["USAGEFLOW_KEY"] = key
    if server is not None:
        env["USAGEFLOW_SERVER"] = f"127.0.0.1:{server.port}"
        env["USAGEFLOW_CA"] = str(server.ca)
    result = subprocess.run([str(binary()), *args], env=env, capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise AssertionError(f"usageflow {' '.join(args)} exited {result.returncode}:\n"
                             f"stdout: {result.stdout}\nstderr: {result.stderr}")
    return result


def cli_json(args: list[str], *, key: str, server: "Server") -> dict:
    result = run_cli([*args, "--json"], key=key, server=server, check=True)
    return json.loads(result.stdout)


class Server:
    """`usageflow serve` on a fresh database and an ephemeral port, over TLS with test certificates."""

    def __init__(self, work_dir: Path, pki: dict[str, Path], *, demo: bool = False):
        self.dir = work_dir
        self.dir.mkdir(parents=True, exist_ok=True)
        self.db = self.dir / "usageflow.db"
        self.ca = pki["ca"]
        self.pki = pki
        self.port = free_port()
        self.demo = demo
        self.proc: subprocess.Popen | None = None
        self.output: list[str] = []
        self.operator_key: str | None = None

    def init(self) -> str:
        result = run_cli(["init", "--db", str(self.db)], check=True)
        tokens = TOKEN.findall(result.stdout)
        assert len(tokens) == 1, f"init printed {len(tokens)} keys:\n{result.stdout}"
        self.operator_key = tokens[0]
        return self.operator_key

    def start(self) -> "Server":
        args = [
            str(binary()), "serve", "--db", str(self.db), "--address", f"127.0.0.1:{self.port}",
            "--tls-cert", str(self.pki["server"]), "--tls-key", str(self.pki["server.key"]),
            "--client-ca", str(self.ca),
        ]
        if self.demo:
            args.append("--demo")
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        threading.Thread(target=self._drain, daemon=True).start()
        deadline = time.monotonic() + 30
        from uf_stubs import health_pb2, health_pb2_grpc
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"usageflow serve exited {self.proc.returncode}:\n" + "".join(self.output))
            try:
                with self.channel() as channel:
                    reply = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=1)
                    if reply.status == health_pb2.HealthCheckResponse.SERVING:
                        return self
            except grpc.RpcError:
                time.sleep(0.1)
        raise RuntimeError("usageflow serve did not become healthy in 30 s:\n" + "".join(self.output))

    def _drain(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        for line in self.proc.stdout:
            self.output.append(line)

    def channel(self) -> grpc.Channel:
        credentials = grpc.ssl_channel_credentials(root_certificates=self.ca.read_bytes())
        return grpc.secure_channel(f"127.0.0.1:{self.port}", credentials, options=[
            ("grpc.ssl_target_name_override", "localhost"), ("grpc.default_authority", "localhost")])

    def stop(self) -> int | None:
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            return None


class Api:
    """Typed stubs over one channel, with the caller's key per call."""

    def __init__(self, channel: grpc.Channel):
        from uf_stubs import (admin_service_pb2_grpc, distributor_service_pb2_grpc, reseller_service_pb2_grpc,
                              vendor_service_pb2_grpc)
        self.channel = channel
        self.admin = admin_service_pb2_grpc.AdminServiceStub(channel)
        self.vendor = vendor_service_pb2_grpc.VendorServiceStub(channel)
        self.distributor = distributor_service_pb2_grpc.DistributorServiceStub(channel)
        self.reseller = reseller_service_pb2_grpc.ResellerServiceStub(channel)

    @staticmethod
    def auth(key: str | None) -> list[tuple[str, str]]:
        return [("authorization", f"Bearer {key}")] if key else []

    def call(self, method, request, key: str | None):
        return method(request, metadata=self.auth(key), timeout=CALL_TIMEOUT)


def expect_error(code: grpc.StatusCode, method, request, key: str | None, api: Api) -> grpc.RpcError:
    try:
        reply = api.call(method, request, key)
    except grpc.RpcError as error:
        assert error.code() == code, f"expected {code}, got {error.code()}: {error.details()}"
        return error
    raise AssertionError(f"expected {code}, got a reply: {reply}")


def field_violations(error: grpc.RpcError) -> dict[str, str]:
    """The google.rpc.BadRequest field violations of an error, by field."""
    from uf_stubs import error_details_pb2, status_pb2
    for key, value in error.trailing_metadata() or ():
        if key == "grpc-status-details-bin":
            status = status_pb2.Status.FromString(value)
            for detail in status.details:
                if detail.type_url.endswith("google.rpc.BadRequest"):
                    bad = error_details_pb2.BadRequest.FromString(detail.value)
                    return {v.field: v.description for v in bad.field_violations}
    return {}
