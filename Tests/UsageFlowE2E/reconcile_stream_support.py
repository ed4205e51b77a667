# SPDX-License-Identifier: Apache-2.0
# UsageFlow — end-to-end tests: the Reconcile stream over mutual TLS. A distributor registers the
# test client certificate as its service identity (by SHA-256 fingerprint); a channel presenting
# that certificate then calls ReconciliationService.Reconcile through grpcio's generic
# stream-stream API with the reconciliation_pb2 messages. Also: accepted files of many records,
# uploaded as record streams, and a digest of what the database holds for records and files.

from __future__ import annotations

import hashlib
import sqlite3
import ssl
import threading
from pathlib import Path
from typing import Callable, Iterable, Iterator

import grpc

import usage_fixtures as uf
import usage_hostile_support as hs

RECONCILE = "/usageflow.v1.ReconciliationService/Reconcile"
OK, INVALID_ARGUMENT, NOT_FOUND, ALREADY_EXISTS, FAILED_PRECONDITION = 0, 3, 5, 6, 9


def recon_pb():
    from uf_stubs import error_details_pb2, reconciliation_pb2  # noqa: F401  (BadRequest details decode)
    return reconciliation_pb2


def fingerprint(certificate: Path) -> str:
    """The SHA-256 of the certificate's DER bytes, in hex: what a service identity pins."""
    der = ssl.PEM_cert_to_DER_cert(certificate.read_text())
    return hashlib.sha256(der).hexdigest()


def register_identity(api, distributor: uf.Party, certificate: Path, name: str = "Billing system"):
    _, _, req, _ = uf.pb()
    return api.call(api.distributor.CreateServiceIdentity, req.CreateServiceIdentityRequest(
        name=name, sha256_fingerprint=fingerprint(certificate)), distributor.key)


def mtls_channel(server, pki) -> grpc.Channel:
    """A channel to `server` presenting the test client certificate."""
    credentials = grpc.ssl_channel_credentials(
        root_certificates=server.ca.read_bytes(), private_key=pki["client.key"].read_bytes(),
        certificate_chain=pki["client"].read_bytes())
    return grpc.secure_channel(f"127.0.0.1:{server.port}", credentials, options=[
        ("grpc.ssl_target_name_override", "localhost"), ("grpc.default_authority", "localhost")])


def reconcile_method(channel: grpc.Channel):
    recon = recon_pb()
    return channel.stream_stream(
        RECONCILE, request_serializer=recon.ReconcileRequest.SerializeToString,
        response_deserializer=recon.ReconcileResponse.FromString)


def close(file_id: str, record_id: str, billing_id: str, note: str = ""):
    return recon_pb().ReconcileRequest(file_id=file_id, record_id=record_id, external_billing_id=billing_id,
                                       external_billing_note=note)


def reconcile(channel: grpc.Channel, requests: Iterable, *, metadata=(), timeout: float = 600,
              on_response: Callable | None = None) -> list:
    """Sends `requests` on one stream and returns every response, in order (grpc.RpcError when the
    stream ends with an error)."""
    call = reconcile_method(channel)(iter(requests), metadata=list(metadata), timeout=timeout)
    responses = []
    for response in call:
        responses.append(response)
        if on_response is not None:
            on_response(response)
    return responses


def accepted_files(api, w, counts: list[int], prefix: str) -> list[tuple[str, list[str]]]:
    """Files of the world's product with `counts[i]` valid records each, uploaded as record
    streams, submitted and accepted: every record approved. Returns (file id, record ids) pairs."""
    driver = uf.GrpcDriver(api)
    files = []
    for index, size in enumerate(counts):
        file_id = hs.new_file(api, w)["id"]
        ids = [f"{prefix}{index}-{n:06d}" for n in range(size)]
        rows = [uf.row(record_id, w.integer_item, w.sub, n % 1000, start=uf.at(0, 1 + n % 20),
                       end=uf.at(0, 2 + n % 20)) for n, record_id in enumerate(ids)]
        uploaded = hs.upload_records(api, w.vendor.key, file_id, rows, batch=2000, timeout=600)
        assert uploaded["status"] == uf.STATUS["ready"], uploaded
        assert uf.count(uploaded, "valid") == size, uploaded
        driver.submit(w.vendor.key, file_id)
        accepted = driver.accept(w.distributor.key, file_id, note="to bill")
        assert uf.count(accepted, "approved") == size, accepted
        files.append((file_id, ids))
    return files


def database_digest(db: Path) -> dict[str, str]:
    """SHA-256 of every row of usage_records and usage_files (and the files' histories), in key
    order, read through SQLite beside the running server (WAL lets a reader see the last commit)."""
    digests = {}
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as connection:
        for name, query in (
            ("usage_records", "SELECT * FROM usage_records ORDER BY seq"),
            ("usage_files", "SELECT * FROM usage_files ORDER BY seq"),
            ("usage_file_history", "SELECT * FROM usage_file_history ORDER BY file_id, position"),
        ):
            digest = hashlib.sha256()
            for row in connection.execute(query):
                digest.update(repr(row).encode())
            digests[name] = digest.hexdigest()
    return digests


def consistency_problems(db: Path) -> list[str]:
    """What contradicts itself in the stored reconciliation state: a file whose counts or status
    disagree with its records, or a closed record without its billing id and time."""
    problems = []
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as connection:
        for file_id, status, approved, closed, real_approved, real_closed in connection.execute("""
                SELECT f.id, f.status, f.count_approved, f.count_closed,
                       (SELECT count(*) FROM usage_records r WHERE r.file_seq = f.seq AND r.status = 'approved'),
                       (SELECT count(*) FROM usage_records r WHERE r.file_seq = f.seq AND r.status = 'closed')
                FROM usage_files f WHERE f.status IN ('accepted', 'closed')"""):
            if (approved, closed) != (real_approved, real_closed):
                problems.append(f"{file_id}: counts approved {approved}, closed {closed}; records {real_approved} "
                                f"approved, {real_closed} closed")
            if (status == "closed") != (real_approved == 0):
                problems.append(f"{file_id}: {status} with {real_approved} approved records")
        half = connection.execute("""
            SELECT count(*) FROM usage_records WHERE status = 'closed'
              AND (external_billing_id IS NULL OR closed_at IS NULL)""").fetchone()[0]
        if half:
            problems.append(f"{half} closed records without a billing id or close time")
        integrity = connection.execute("PRAGMA integrity_check").fetchall()
        if integrity != [("ok",)]:
            problems.append(f"integrity_check: {integrity}")
    return problems


def billing_ids(db: Path, file_ids: list[str]) -> dict[tuple[str, str], str | None]:
    """(file id, record id) → the stored billing id (None while not closed)."""
    marks = ",".join("?" * len(file_ids))
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as connection:
        rows = connection.execute(f"""
            SELECT f.id, r.record_id, r.external_billing_id, r.status FROM usage_records r
            JOIN usage_files f ON f.seq = r.file_seq WHERE f.id IN ({marks})""", file_ids)
        return {(f, r): (b if s == "closed" else None) for f, r, b, s in rows}


class Gate:
    """Lets a request generator run until told to stop, so a test can end a stream from outside."""

    def __init__(self):
        self.stop = threading.Event()

    def requests(self, requests: Iterable) -> Iterator:
        for request in requests:
            if self.stop.is_set():
                return
            yield request
