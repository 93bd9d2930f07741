"""Incremental, content-addressed sync between folders and S3 (native only: boto3).

``sync(source, destination)`` copies every file of ``source`` whose content
differs from the object of the same relative name at ``destination``. Either
side is a local folder or ``s3://bucket/prefix``.

* **Content, not timestamps.** Every object this module writes carries the
  sha256 of its bytes in its metadata (``x-amz-meta-sha256``). An object is
  written only when that hash differs from the source's (sizes are compared
  first, so unchanged files cost one HEAD request, changed sizes none).
  Objects written by other tools (no hash in the metadata) are compared by
  their plain MD5 ETag where S3 has one.
* **The server verifies the bytes.** Uploads send the sha256 as an S3
  checksum (``ChecksumSHA256``; per part for multipart uploads), so a byte
  corrupted on the way is rejected by the server instead of stored. Downloads
  are hashed and compared before they are renamed into place.
* **Nothing is lost.** Nothing is deleted unless ``delete=True``; local files
  are written to a temporary name and renamed; the production bucket is
  versioned, so an overwrite keeps the previous version.
* **Transient failures are retried** by botocore's ``standard`` retry mode
  (exponential backoff with jitter; throttling, 5xx, dropped connections).
  The endpoint comes from ``AWS_ENDPOINT_URL`` / ``AWS_ENDPOINT_URL_S3``
  (MinIO, SeaweedFS, ...), credentials from the usual AWS chain.

This module is for native Python only (the demos never import it).
"""

from __future__ import annotations

import base64
import contextlib
import fnmatch
import hashlib
import json
import mimetypes
import os
import re
import secrets
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

__all__ = [
    "SHA256_METADATA_KEY",
    "Location",
    "StorageError",
    "SyncResult",
    "content_type",
    "data_bucket",
    "file_sha256",
    "is_excluded",
    "parse_location",
    "read_object",
    "s3_client",
    "sync",
    "write_atomic",
]

#: Metadata key holding the hex sha256 of an object's bytes (``x-amz-meta-sha256``).
SHA256_METADATA_KEY = "sha256"
#: Files larger than this are sent as multipart uploads [bytes].
MULTIPART_THRESHOLD = 64 * 1024 * 1024
#: Size of one multipart part [bytes] (S3: at least 5 MiB except the last, at most 10 000 parts).
PART_SIZE = 16 * 1024 * 1024
#: Names never synced from a folder: temporary files of interrupted writes, OS clutter.
DEFAULT_EXCLUDE = (".*.tmp", ".DS_Store", "Thumbs.db", "__pycache__/*", "*.pyc")
_CHUNK = 1024 * 1024

# Fixed table first: mimetypes' answers depend on the platform (Windows registry,
# /etc/mime.types), and the portfolio's CDN needs the same header everywhere.
_CONTENT_TYPES = {
    ".epw": "text/plain",  # EPW text; ASCII data, headers sometimes Latin-1 or UTF-8
    ".csv": "text/csv; charset=utf-8",
    ".json": "application/json",
    ".toml": "application/toml",
    ".md": "text/markdown; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".wasm": "application/wasm",
    ".whl": "application/zip",
    ".zip": "application/zip",
    ".gz": "application/gzip",
    ".parquet": "application/vnd.apache.parquet",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
    ".ico": "image/vnd.microsoft.icon",
    ".woff2": "font/woff2",
    ".cvw": "application/octet-stream",  # climatevis station asset (see climatevis.assets)
    ".joblib": "application/octet-stream",
    ".pkl": "application/octet-stream",
}


class StorageError(ValueError):
    """A sync that cannot go on (no endpoint, no bucket, no access, bad path); one line."""


def content_type(name: str) -> str:
    """The Content-Type stored with an object named ``name`` (by its extension)."""
    suffix = PurePosixPath(name).suffix.lower()
    if suffix in _CONTENT_TYPES:
        return _CONTENT_TYPES[suffix]
    guessed, encoding = mimetypes.guess_type(name, strict=False)
    if guessed and not encoding:
        return guessed
    return "application/octet-stream"


def _media_type(value: str | None) -> str:
    return (value or "").split(";")[0].strip().lower()


def file_sha256(path: str | os.PathLike[str]) -> str:
    """Hex sha256 of a file's bytes, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def write_atomic(path: str | os.PathLike[str], data: bytes | Callable[[BinaryIO], None]) -> None:
    """Replace ``path`` all at once with ``data`` (bytes, or a function writing to the open
    binary file).

    The bytes go to a temporary name in the same folder (created if needed),
    are flushed to disk and renamed over ``path``: readers see the old file or
    the complete new one. On any error the temporary file is removed and
    ``path`` is left as it was.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    # not mkstemp: its 0600 mode would stick to the renamed file; "xb" honours the umask.
    # The name matches DEFAULT_EXCLUDE, so a sync never copies a leftover of a killed process.
    tmp = target.with_name(f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        with open(tmp, "xb") as fh:
            if callable(data):
                data(fh)
            else:
                fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _file_md5(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


# --------------------------------------------------------------------------- locations


@dataclass(frozen=True)
class Location:
    """A sync endpoint: a local folder (``path``) or an S3 prefix (``bucket``, ``prefix``)."""

    path: Path | None = None
    bucket: str = ""
    prefix: str = ""

    @property
    def is_s3(self) -> bool:
        return self.path is None

    def __str__(self) -> str:
        if self.path is not None:
            return str(self.path)
        return f"s3://{self.bucket}/{self.prefix}" if self.prefix else f"s3://{self.bucket}"


_BUCKET_RE = re.compile(r"^[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]$")


def parse_location(text: str | os.PathLike[str]) -> Location:
    """``s3://bucket/prefix`` or a folder path; raises :class:`StorageError` for bad S3 URLs."""
    raw = os.fspath(text)
    if not raw.lower().startswith("s3://"):
        return Location(path=Path(raw))
    bucket, _, prefix = raw[5:].partition("/")
    if not _BUCKET_RE.match(bucket):
        raise StorageError(f"{raw}: {bucket!r} is not a valid S3 bucket name")
    prefix = prefix.strip("/")
    if any(part in ("", ".", "..") for part in prefix.split("/")) and prefix:
        raise StorageError(f"{raw}: the prefix must not contain empty, '.' or '..' parts")
    return Location(bucket=bucket, prefix=prefix)


def s3_client(endpoint_url: str | None = None, max_attempts: int | None = None,
              connect_timeout: float = 10.0, read_timeout: float = 60.0) -> Any:
    """A boto3 S3 client with retries; the endpoint from ``AWS_ENDPOINT_URL[_S3]``.

    Retries: botocore's ``standard`` mode (or ``$AWS_RETRY_MODE``, e.g.
    ``adaptive``) with ``max_attempts`` attempts in total (default
    ``$AWS_MAX_ATTEMPTS`` or 5); ``connect_timeout`` and ``read_timeout`` in
    seconds, per attempt. Custom endpoints (MinIO, SeaweedFS,
    docker-compose host names) get path-style addressing; AWS gets the
    default (virtual-hosted) style.
    """
    import boto3.session
    from botocore.config import Config

    if max_attempts is None:
        env = os.environ.get("AWS_MAX_ATTEMPTS", "")
        max_attempts = int(env) if env.isdigit() and int(env) > 0 else 5
    mode = os.environ.get("AWS_RETRY_MODE", "standard")
    if mode not in ("standard", "adaptive", "legacy"):
        raise StorageError(f"AWS_RETRY_MODE={mode!r}: expected standard, adaptive or legacy")

    endpoint_url = (endpoint_url or os.environ.get("AWS_ENDPOINT_URL_S3")
                    or os.environ.get("AWS_ENDPOINT_URL") or None)
    config = Config(
        retries={"mode": mode, "max_attempts": max_attempts},
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
        # We send our own SHA256 checksums; no extra CRC32 trailers that older
        # S3-compatible servers reject.
        request_checksum_calculation="when_required",
        response_checksum_validation="when_supported",
        s3={"addressing_style": "path"} if endpoint_url else {},
        user_agent_extra="climatevis-sync",
        max_pool_connections=16,
    )
    return boto3.session.Session(botocore_session=_botocore_session()).client(
        "s3", endpoint_url=endpoint_url, config=config)


_LOADER_LOCK = threading.Lock()
_LOADER: Any = None


def _botocore_session() -> Any:
    """A new botocore session (credentials resolved afresh) sharing one data loader.

    Parsing botocore's service and endpoint JSON is most of the ~0.3-1 s a new
    client costs; the loader caches it, so later clients are cheap.
    """
    import botocore.session

    global _LOADER
    session = botocore.session.get_session()
    with _LOADER_LOCK:
        if _LOADER is None:
            _LOADER = session.get_component("data_loader")
        else:
            session.register_component("data_loader", _LOADER)
    return session


# --------------------------------------------------------------------------- stores


@dataclass
class _Entry:
    rel: str                      # relative POSIX name under the location
    size: int
    etag: str | None = None       # S3 only
    sha256: str | None = None     # filled lazily
    md5: str | None = None        # folders only, filled lazily
    ctype: str | None = None      # S3 only, after a HEAD
    headed: bool = False


def is_excluded(rel: str, patterns: Sequence[str]) -> bool:
    """Whether the relative name ``rel`` (or its last part) matches one of the glob ``patterns``."""
    name = rel.rsplit("/", 1)[-1]
    return any(fnmatch.fnmatchcase(rel, p) or fnmatch.fnmatchcase(name, p) for p in patterns)


class _DirStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def describe(self) -> str:
        return str(self.root)

    def check(self, *, as_source: bool) -> None:
        if as_source and not self.root.is_dir():
            raise StorageError(f"{self.root}: no such folder")
        if not as_source and self.root.exists() and not self.root.is_dir():
            raise StorageError(f"{self.root}: exists and is not a folder")

    def list(self, exclude: Sequence[str]) -> dict[str, _Entry]:
        out: dict[str, _Entry] = {}
        if not self.root.is_dir():
            return out
        for dirpath, _dirs, files in os.walk(self.root):
            for name in files:
                path = Path(dirpath, name)
                rel = path.relative_to(self.root).as_posix()
                if is_excluded(rel, exclude) or not path.is_file():
                    continue
                out[rel] = _Entry(rel, path.stat().st_size)
        return out

    def _path(self, rel: str) -> Path:
        target = (self.root / rel).resolve()
        root = self.root.resolve()
        if target != root and root not in target.parents:
            raise StorageError(f"{rel!r} would be written outside {self.root}")
        return target

    def sha256(self, entry: _Entry) -> str | None:
        if entry.sha256 is None:
            entry.sha256 = file_sha256(self._path(entry.rel))
        return entry.sha256

    def md5(self, entry: _Entry) -> str | None:
        if entry.md5 is None:
            entry.md5 = _file_md5(self._path(entry.rel))
        return entry.md5

    def content_type_ok(self, entry: _Entry) -> bool:
        return True

    @contextlib.contextmanager
    def local_copy(self, entry: _Entry) -> Iterator[Path]:
        yield self._path(entry.rel)

    def put(self, rel: str, local: Path, sha256: str, size: int) -> None:
        def copy(out: BinaryIO) -> None:
            digest = hashlib.sha256()
            with open(local, "rb") as src:
                while chunk := src.read(_CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
            if digest.hexdigest() != sha256:
                raise StorageError(f"{local} changed while it was copied (sha256 {digest.hexdigest()}, "
                                   f"expected {sha256})")

        write_atomic(self._path(rel), copy)

    def delete(self, rels: Sequence[str]) -> None:
        for rel in rels:
            self._path(rel).unlink(missing_ok=True)


class _S3Store:
    def __init__(self, client: Any, bucket: str, prefix: str,
                 multipart_threshold: int, part_size: int) -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix
        self.multipart_threshold = multipart_threshold
        self.part_size = part_size

    def describe(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}" if self.prefix else f"s3://{self.bucket}"

    def key(self, rel: str) -> str:
        return f"{self.prefix}/{rel}" if self.prefix else rel

    def check(self, *, as_source: bool) -> None:
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except Exception as err:
            if _status(err) == 403:  # HEAD responses have no body: ask again for the reason
                try:
                    self.client.list_objects_v2(Bucket=self.bucket, MaxKeys=1)
                except Exception as detailed:
                    err = detailed
            raise _fatal(err, self.client, self.bucket) from None

    def list(self, exclude: Sequence[str]) -> dict[str, _Entry]:
        start = f"{self.prefix}/" if self.prefix else ""
        out: dict[str, _Entry] = {}
        try:
            pages = self.client.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=start)
            for page in pages:
                for obj in page.get("Contents", ()):
                    rel = obj["Key"][len(start):]
                    if not rel or rel.endswith("/") or is_excluded(rel, exclude):
                        continue  # "folder" placeholder objects
                    out[rel] = _Entry(rel, int(obj["Size"]), etag=obj.get("ETag", "").strip('"'))
        except Exception as err:
            raise _fatal(err, self.client, self.bucket) from None
        return out

    def _head(self, entry: _Entry) -> None:
        if entry.headed:
            return
        head = self.client.head_object(Bucket=self.bucket, Key=self.key(entry.rel))
        meta = {k.lower(): v for k, v in head.get("Metadata", {}).items()}
        value = meta.get(SHA256_METADATA_KEY, "").lower()
        entry.sha256 = value if re.fullmatch(r"[0-9a-f]{64}", value) else None
        entry.ctype = head.get("ContentType")
        entry.headed = True

    def sha256(self, entry: _Entry) -> str | None:
        self._head(entry)
        return entry.sha256

    def md5(self, entry: _Entry) -> str | None:
        # A plain (single-part, unencrypted) upload's ETag is the MD5 of its bytes.
        etag = entry.etag or ""
        return etag.lower() if re.fullmatch(r"[0-9a-fA-F]{32}", etag) else None

    def content_type_ok(self, entry: _Entry) -> bool:
        self._head(entry)
        return _media_type(entry.ctype) == _media_type(content_type(entry.rel))

    @contextlib.contextmanager
    def local_copy(self, entry: _Entry) -> Iterator[Path]:
        """Download to a temporary file, verified against the object's sha256 metadata."""
        fd, tmp = tempfile.mkstemp(prefix=".climatevis-sync.", suffix=".tmp")
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self.key(entry.rel),
                                              ChecksumMode="ENABLED")
            digest = hashlib.sha256()
            with os.fdopen(fd, "wb") as out:
                for chunk in response["Body"].iter_chunks(_CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
            meta = {k.lower(): v for k, v in response.get("Metadata", {}).items()}
            expected = meta.get(SHA256_METADATA_KEY)
            if expected and digest.hexdigest() != expected.lower():
                raise StorageError(
                    f"{self.describe()}/{entry.rel}: downloaded bytes have sha256 "
                    f"{digest.hexdigest()}, the object's metadata says {expected}")
            entry.sha256 = digest.hexdigest()
            yield Path(tmp)
        finally:
            with contextlib.suppress(OSError):
                os.unlink(tmp)

    def put(self, rel: str, local: Path, sha256: str, size: int) -> None:
        key, ctype = self.key(rel), content_type(rel)
        meta = {SHA256_METADATA_KEY: sha256}
        if size <= self.multipart_threshold:
            checksum = base64.b64encode(bytes.fromhex(sha256)).decode()
            with open(local, "rb") as body:  # seekable: botocore rewinds it on a retry
                self.client.put_object(Bucket=self.bucket, Key=key, Body=body, ContentType=ctype,
                                       Metadata=meta, ChecksumSHA256=checksum)
            return
        upload = self.client.create_multipart_upload(
            Bucket=self.bucket, Key=key, ContentType=ctype, Metadata=meta,
            ChecksumAlgorithm="SHA256")
        upload_id = upload["UploadId"]
        try:
            parts, whole = [], hashlib.sha256()
            with open(local, "rb") as fh:
                number = 1
                while chunk := fh.read(self.part_size):
                    whole.update(chunk)
                    checksum = base64.b64encode(hashlib.sha256(chunk).digest()).decode()
                    part = self.client.upload_part(
                        Bucket=self.bucket, Key=key, UploadId=upload_id, PartNumber=number,
                        Body=chunk, ChecksumSHA256=checksum)
                    parts.append({"PartNumber": number, "ETag": part["ETag"],
                                  "ChecksumSHA256": checksum})
                    number += 1
            if whole.hexdigest() != sha256:
                raise StorageError(f"{local} changed during the upload (sha256 {whole.hexdigest()}, "
                                   f"expected {sha256})")
            self.client.complete_multipart_upload(
                Bucket=self.bucket, Key=key, UploadId=upload_id, MultipartUpload={"Parts": parts})
        except BaseException:
            with contextlib.suppress(Exception):
                self.client.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload_id)
            raise

    def delete(self, rels: Sequence[str]) -> None:
        rels = list(rels)
        for start in range(0, len(rels), 1000):  # DeleteObjects takes at most 1000 keys
            batch = [{"Key": self.key(r)} for r in rels[start:start + 1000]]
            response = self.client.delete_objects(
                Bucket=self.bucket, Delete={"Objects": batch, "Quiet": True})
            errors = response.get("Errors") or []
            if errors:
                first = errors[0]
                raise StorageError(f"{self.describe()}: could not delete {len(errors)} objects "
                                   f"(first: {first.get('Key')}: {first.get('Code')})")


def _status(err: BaseException) -> int | None:
    response = getattr(err, "response", None) or {}
    return response.get("ResponseMetadata", {}).get("HTTPStatusCode")


_DENIED_REASONS = {
    "InvalidAccessKeyId": "the access key id is unknown to the server",
    "SignatureDoesNotMatch": "the secret access key does not match the access key id",
    "AccessDenied": "these credentials may not use this bucket",
    "ExpiredToken": "the session token has expired",
    "InvalidToken": "the session token is invalid",
}


def _fatal(err: BaseException, client: Any, bucket: str) -> StorageError:
    """Translate botocore errors that stop a whole sync (or a read) into one clear line."""
    from botocore import exceptions as bex

    where = f"s3://{bucket}"
    endpoint = client.meta.endpoint_url
    if isinstance(err, StorageError):
        return err
    if isinstance(err, (bex.EndpointConnectionError, bex.ConnectTimeoutError)):
        return StorageError(f"cannot reach the S3 endpoint {endpoint} ({err})")
    if isinstance(err, (bex.NoCredentialsError, bex.PartialCredentialsError)):
        return StorageError("no AWS credentials: set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY "
                            "or AWS_PROFILE")
    if isinstance(err, bex.ClientError):
        error = err.response.get("Error", {})
        code = str(error.get("Code", ""))
        status = _status(err)
        if code in ("NoSuchBucket", "404") or (status == 404 and code in ("", "NotFound")):
            return StorageError(f"bucket {bucket!r} does not exist at {endpoint}")
        if code in (*_DENIED_REASONS, "403", "Forbidden") or status == 403:
            reason = _DENIED_REASONS.get(code, "check the AWS credentials and the bucket policy")
            return StorageError(f"access to {where} denied at {endpoint} ({code or status}: "
                                f"{reason})")
        return StorageError(f"{where}: {code or status}: {error.get('Message', err)}")
    if isinstance(err, bex.BotoCoreError):
        return StorageError(f"{where} at {endpoint}: {err}")
    return StorageError(f"{where}: {type(err).__name__}: {err}")


def _is_connection_error(err: BaseException) -> bool:
    from botocore import exceptions as bex

    return isinstance(err, (bex.EndpointConnectionError, bex.ConnectTimeoutError,
                            bex.NoCredentialsError))


def _is_auth_error(err: BaseException) -> bool:
    from botocore import exceptions as bex

    if not isinstance(err, bex.ClientError):
        return False
    code = str(err.response.get("Error", {}).get("Code", ""))
    return code in _DENIED_REASONS or code == "NoSuchBucket"


def read_object(url: str, *, client: Any = None, max_bytes: int | None = None) -> bytes | None:
    """The bytes of the object ``s3://bucket/key``, or ``None`` when there is no such key.

    Anything else (endpoint unreachable, bucket missing, access denied, more
    than ``max_bytes`` bytes) raises :class:`StorageError` with one line.
    """
    loc = parse_location(url)
    if loc.path is not None or not loc.prefix:
        raise StorageError(f"{url}: not an s3://bucket/key address")
    client = client or s3_client()
    try:
        body = client.get_object(Bucket=loc.bucket, Key=loc.prefix)["Body"]
        data = body.read() if max_bytes is None else body.read(max_bytes + 1)
    except Exception as err:
        code = str(getattr(err, "response", {}).get("Error", {}).get("Code", ""))
        if code in ("NoSuchKey", "404", "NotFound"):
            return None
        raise _fatal(err, client, loc.bucket) from None
    if max_bytes is not None and len(data) > max_bytes:
        raise StorageError(f"{url}: larger than {max_bytes} bytes")
    return data


# --------------------------------------------------------------------------- sync


@dataclass
class SyncResult:
    """What a sync did (or, with ``dry_run``, would do).

    ``uploaded``: relative names written to the destination; ``skipped``:
    names already identical there; ``deleted``: names removed from the
    destination (only with ``delete``); ``bytes``: bytes written;
    ``failed``: ``{"name", "error"}`` for objects that could not be written.
    """

    source: str
    destination: str
    dry_run: bool = False
    uploaded: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    failed: list[dict[str, str]] = field(default_factory=list)
    bytes: int = 0

    @property
    def ok(self) -> bool:
        return not self.failed

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)


def _store(location: Location, client: Any, multipart_threshold: int, part_size: int):
    if location.path is not None:
        return _DirStore(location.path)
    return _S3Store(client, location.bucket, location.prefix, multipart_threshold, part_size)


def _unchanged(src, s: _Entry, dst, d: _Entry) -> bool:
    if s.size != d.size:
        return False
    ss, ds = src.sha256(s), dst.sha256(d)
    if ss and ds:
        same = ss == ds
    else:  # an object written by another tool: fall back to MD5 ETags
        sm, dm = src.md5(s), dst.md5(d)
        same = bool(sm and dm and sm == dm)
    return same and dst.content_type_ok(d)


def sync(
    source: str | os.PathLike[str] | Location,
    destination: str | os.PathLike[str] | Location,
    *,
    dry_run: bool = False,
    delete: bool = False,
    exclude: Iterable[str] = DEFAULT_EXCLUDE,
    client: Any = None,
    workers: int = 4,
    multipart_threshold: int = MULTIPART_THRESHOLD,
    part_size: int = PART_SIZE,
) -> SyncResult:
    """Make ``destination`` hold every file of ``source`` (folders or ``s3://bucket/prefix``).

    Objects whose sha256 already matches are skipped; ``dry_run`` reads both
    sides and writes nothing; ``delete`` removes destination objects that
    are not in ``source`` (the only way this function deletes anything).
    ``exclude``: glob patterns of names never synced; ``workers``: files
    transferred at once; files above ``multipart_threshold`` bytes go up in
    parts of ``part_size`` bytes (at least 5 MiB).
    Errors that stop the whole sync (endpoint unreachable, bucket missing,
    access denied) raise :class:`StorageError`; a failure of single objects
    is listed in :attr:`SyncResult.failed` (the others are still synced).
    """
    src_loc = source if isinstance(source, Location) else parse_location(source)
    dst_loc = destination if isinstance(destination, Location) else parse_location(destination)
    if part_size < 5 * 1024 * 1024:
        raise StorageError("part_size must be at least 5 MiB (S3 multipart limit)")
    if src_loc.is_s3 or dst_loc.is_s3:
        client = client or s3_client()
    src = _store(src_loc, client, multipart_threshold, part_size)
    dst = _store(dst_loc, client, multipart_threshold, part_size)
    result = SyncResult(str(src_loc), str(dst_loc), dry_run=dry_run)
    exclude = tuple(exclude)

    src.check(as_source=True)
    dst.check(as_source=False)
    src_entries = src.list(exclude)
    dst_entries = dst.list(exclude)

    lock = threading.Lock()
    abort: list[BaseException] = []

    def one(rel: str) -> None:
        if abort:
            return
        s = src_entries[rel]
        try:
            d = dst_entries.get(rel)
            if d is not None and _unchanged(src, s, dst, d):
                with lock:
                    result.skipped.append(rel)
                return
            if dry_run:
                with lock:
                    result.uploaded.append(rel)
                    result.bytes += s.size
                return
            with src.local_copy(s) as local:
                sha = src.sha256(s) or file_sha256(local)
                dst.put(rel, local, sha, s.size)
            with lock:
                result.uploaded.append(rel)
                result.bytes += s.size
        except Exception as err:
            if _is_connection_error(err) or _is_auth_error(err):
                abort.append(err)
                return
            message = str(err).splitlines()[0] if str(err) else type(err).__name__
            with lock:
                result.failed.append({"name": rel, "error": message})

    names = sorted(src_entries)
    if workers > 1 and len(names) > 1:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(one, names))
    else:
        for rel in names:
            one(rel)
    if abort:
        store = dst if isinstance(dst, _S3Store) else src
        raise _fatal(abort[0], store.client, store.bucket) if isinstance(store, _S3Store) else abort[0]

    if delete:
        stale = sorted(set(dst_entries) - set(src_entries))
        if stale and not dry_run:
            try:
                dst.delete(stale)
            except Exception as err:
                raise _fatal(err, dst.client, dst.bucket) if isinstance(dst, _S3Store) else err from None
        result.deleted = stale

    result.uploaded.sort()
    result.skipped.sort()
    result.failed.sort(key=lambda f: f["name"])
    return result


# --------------------------------------------------------------------------- stage → bucket


def data_bucket(stage: str | None = None, deploy_dir: str | os.PathLike[str] = "deploy") -> str:
    """The data bucket to upload to.

    ``$MARIMO_DATA_BUCKET`` wins. Otherwise the SST outputs of ``stage``:
    ``<deploy>/.sst/outputs.<stage>.json`` if present, else
    ``<deploy>/.sst/outputs.json`` (SST writes the last deployment's outputs
    there) when its bucket name contains the stage name (SST physical names
    are ``<app>-<stage>-...``), so that one stage's data never lands in
    another stage's bucket.
    """
    env = os.environ.get("MARIMO_DATA_BUCKET", "").strip()
    if env:
        return env
    if not stage:
        raise StorageError("no data bucket: set MARIMO_DATA_BUCKET or give the SST stage")
    sst = Path(deploy_dir) / ".sst"
    candidates = [(sst / f"outputs.{stage}.json", False), (sst / "outputs.json", True)]
    seen = []
    for path, check_stage in candidates:
        if not path.is_file():
            continue
        try:
            outputs = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            raise StorageError(f"{path}: cannot read the SST outputs ({err})") from None
        bucket = _bucket_output(outputs)
        if bucket is None:
            raise StorageError(f"{path}: no 'bucket' output (keys: {sorted(outputs)})")
        if check_stage and stage.lower() not in bucket.lower():
            seen.append(f"{path} names {bucket!r}, not a {stage!r} bucket")
            continue
        return bucket
    detail = f" ({'; '.join(seen)})" if seen else ""
    raise StorageError(f"no data bucket for stage {stage!r}: set MARIMO_DATA_BUCKET or deploy "
                       f"the stage (just deploy-{'prod' if stage == 'production' else stage})"
                       f"{detail}")


def _bucket_output(outputs: Any) -> str | None:
    if not isinstance(outputs, dict):
        return None
    for key in ("bucket", "Bucket", "bucketName", "dataBucket"):
        value = outputs.get(key)
        if isinstance(value, str) and value:
            return value
        if isinstance(value, dict) and isinstance(value.get("name"), str):
            return value["name"]
    matches = [v for k, v in outputs.items() if "bucket" in k.lower() and isinstance(v, str)]
    return matches[0] if len(matches) == 1 else None
