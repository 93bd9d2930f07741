"""Compact, content-hashed weather assets for the WebAssembly demos.

An EPW file is 1.5 MB of text; a demo may ship at most 500 KB of its own
files. A *station asset* keeps the fields a demo needs, losslessly at the
EPW's own resolution: every field is stored as integers (value × 10^k with
the smallest k that is exact, k ≤ 4), delta-coded along time in the smallest
integer type that holds the steps, and deflated (zlib). Header records and
location travel as JSON. A typical station is 50–85 KB.

Layout of one asset: ``b"CVW1"``, a little-endian uint32 header length, the
UTF-8 JSON header, then the zlib payload. Files are named
``<station-id>.<sha256[:12]>.cvw`` and listed in ``index.json``.

Reading works natively (paths) and in Pyodide (URLs, through urllib, which
marimo routes to the browser's fetch). numpy/pandas/stdlib only.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import struct
import zlib
from collections.abc import Iterable, Sequence
from pathlib import Path, PurePath
from typing import Any

import numpy as np
import pandas as pd

from climatevis.epw import COLUMNS, EPWError, Location, Weather, _build_index

__all__ = [
    "DEMO_FIELDS",
    "AssetError",
    "asset_root",
    "choose_weather",
    "city_name",
    "default_label",
    "load_station",
    "pack_weather",
    "read_data_file",
    "read_index",
    "read_upload",
    "station_id",
    "station_labels",
    "unpack_weather",
    "upload_error_note",
    "write_station_assets",
]

MAGIC = b"CVW1"
INDEX_NAME = "index.json"
#: Calendar fields always stored (they rebuild the index).
CALENDAR = ("year", "month", "day", "hour", "minute")
#: Fields the three demos use (climate, PV, building energy).
DEMO_FIELDS = (
    "temp_air", "temp_dew", "relative_humidity", "atmospheric_pressure", "ghi", "dni", "dhi",
    "ghi_infrared", "wind_direction", "wind_speed", "total_sky_cover", "opaque_sky_cover",
    "liquid_precipitation_depth", "albedo", "snow_depth",
)
_NAN_CODE = -(2**30)
_DTYPES = (np.int8, np.int16, np.int32, np.int64)


class AssetError(ValueError):
    """A corrupt or missing asset; the message names the file."""


def station_id(weather: Weather) -> str:
    """A stable, URL-safe id: ``<country>-<city>-<wmo>``, e.g. ``aut-vienna-schwechat-110360``."""
    loc = weather.location
    raw = f"{loc.country}-{loc.city}-{loc.wmo}".lower()
    return re.sub(r"[^a-z0-9]+", "-", raw).strip("-") or "station"


def _scale_of(values: np.ndarray) -> int:
    finite = values[np.isfinite(values)]
    for k in range(5):
        scaled = finite * 10**k
        if np.array_equal(np.round(scaled), scaled) or np.allclose(
            np.round(scaled), scaled, rtol=0, atol=1e-6
        ):
            return k
    return 4  # more than 4 decimals: rounded to 1e-4 (recorded in the header)


def pack_weather(weather: Weather, fields: Sequence[str] | None = None) -> bytes:
    """Pack ``weather`` (the calendar plus ``fields``, default all numeric) into bytes."""
    data = weather.data
    if fields is None:
        fields = [c for c in COLUMNS if c not in CALENDAR and c != "data_source_unct"]
    unknown = [f for f in fields if f not in data.columns]
    if unknown:
        raise AssetError(f"pack_weather: weather has no fields {unknown}")
    specs, chunks = [], []
    for name in (*CALENDAR, *fields):
        values = data[name].to_numpy(dtype=np.float64)
        k = _scale_of(values)
        q = np.round(values * 10**k)
        q = np.where(np.isnan(q), _NAN_CODE, q).astype(np.int64)
        steps = np.diff(q, prepend=np.int64(0))
        dtype = next(d for d in _DTYPES if steps.min() >= np.iinfo(d).min and steps.max() <= np.iinfo(d).max)
        chunks.append(steps.astype(dtype).tobytes())
        specs.append({"name": name, "decimals": k, "dtype": np.dtype(dtype).name})
    loc = weather.location
    header = {
        "format": 1,
        "records": len(data),
        "records_per_hour": weather.records_per_hour,
        "location": {f: getattr(loc, f) for f in Location.__dataclass_fields__},
        "fields": specs,
        "header": weather.header,
        "source_name": os.path.basename(weather.source_name),
    }
    head = json.dumps(header, separators=(",", ":")).encode()
    return MAGIC + struct.pack("<I", len(head)) + head + zlib.compress(b"".join(chunks), 9)


def unpack_weather(blob: bytes, name: str = "<asset>") -> Weather:
    """Rebuild a :class:`~climatevis.epw.Weather` (only the packed fields) from bytes."""
    from climatevis import epw

    if blob[:4] != MAGIC or len(blob) < 8:
        raise AssetError(f"{name}: not a climatevis station asset")
    (n_head,) = struct.unpack("<I", blob[4:8])
    try:
        header = json.loads(blob[8:8 + n_head])
        payload = zlib.decompress(blob[8 + n_head:])
    except (ValueError, zlib.error) as err:
        raise AssetError(f"{name}: corrupt asset ({err})") from None
    n = header["records"]
    cols: dict[str, np.ndarray] = {}
    offset = 0
    for spec in header["fields"]:
        dtype = np.dtype(spec["dtype"])
        size = n * dtype.itemsize
        if offset + size > len(payload):
            raise AssetError(f"{name}: truncated asset (field {spec['name']})")
        q = np.cumsum(np.frombuffer(payload, dtype, n, offset).astype(np.int64))
        offset += size
        if spec["name"] in CALENDAR:
            cols[spec["name"]] = q
        else:
            v = q / 10.0 ** spec["decimals"]
            v[q == _NAN_CODE] = np.nan
            cols[spec["name"]] = v
    data = pd.DataFrame(cols)
    loc = Location(**header["location"])
    rph = int(header["records_per_hour"])
    data.index = _build_index(data, loc.utc_offset, rph)
    records = [header["header"][k] for k in epw.HEADER_KEYWORDS]
    periods = epw._parse_data_periods(records[7], name)[0]
    return epw._weather(records, loc, data, periods, rph, header.get("source_name", name))


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def write_station_assets(
    epw_paths: Iterable[str | os.PathLike[str]],
    out_dir: str | os.PathLike[str],
    fields: Sequence[str] = DEMO_FIELDS,
) -> list[dict[str, Any]]:
    """Pack each EPW into ``out_dir`` and write ``index.json``; returns the index entries.

    Every file is written to a temporary name and renamed. Assets no longer in
    the index are removed (``out_dir`` belongs to the build). An unreadable EPW
    raises :class:`~climatevis.epw.EPWError` naming it.
    """
    from climatevis.epw import read_epw

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    entries = []
    for path in epw_paths:
        weather = read_epw(path)
        blob = pack_weather(weather, fields)
        sid = station_id(weather)
        digest = hashlib.sha256(blob).hexdigest()
        file = f"{sid}.{digest[:12]}.cvw"
        if not (out / file).exists():
            _atomic_write(out / file, blob)
        loc = weather.location
        entries.append({
            "id": sid, "file": file, "sha256": digest, "bytes": len(blob),
            "city": loc.city, "country": loc.country, "wmo": loc.wmo, "source": loc.source,
            "latitude": loc.latitude, "longitude": loc.longitude, "epw": Path(path).name,
            "epw_sha256": hashlib.sha256(Path(path).read_bytes()).hexdigest(),
        })
    ids = [e["id"] for e in entries]
    dupes = {i for i in ids if ids.count(i) > 1}
    if dupes:
        raise AssetError(f"write_station_assets: two EPWs give the same station id {sorted(dupes)}")
    keep = {e["file"] for e in entries} | {INDEX_NAME}
    _atomic_write(out / INDEX_NAME, json.dumps({"stations": entries}, indent=1).encode())
    for stale in out.glob("*.cvw"):
        if stale.name not in keep:
            stale.unlink()
    return entries


# --------------------------------------------------------------------------- reading


def _read_bytes(location: PurePath | str) -> bytes:
    text = str(location)
    if re.match(r"^https?:/", text):
        from urllib.request import urlopen

        url = re.sub(r"^(https?):/(?!/)", r"\1://", text)  # PurePath folds '//'
        with urlopen(url) as response:  # in Pyodide, marimo patches urllib onto fetch
            return response.read()
    return Path(text).read_bytes()


def asset_root(notebook_location: PurePath | str | None = None) -> PurePath:
    """Where a demo's weather assets are.

    In an export (WASM or a served export) they are at
    ``<notebook location>/public/weather``. When a notebook runs from the
    source tree, ``$CLIMATEVIS_ASSETS`` or the repository's
    ``build/assets/weather`` (made by ``just assets``) is used.
    """
    if notebook_location is not None:
        text = str(notebook_location)
        if re.match(r"^https?:/", text):
            return PurePath(notebook_location) / "public" / "weather"
        public = Path(text) / "public" / "weather"
        if (public / INDEX_NAME).exists():
            return public
    env = os.environ.get("CLIMATEVIS_ASSETS")
    if env:
        return Path(env)
    start = Path(str(notebook_location)) if notebook_location is not None else Path.cwd()
    for folder in (start, *start.resolve().parents):
        candidate = folder / "build" / "assets" / "weather"
        if (candidate / INDEX_NAME).exists():
            return candidate
    raise AssetError(
        "no weather assets found: run `just assets` (or set CLIMATEVIS_ASSETS to a folder "
        "with index.json)"
    )


def read_index(root: PurePath | str) -> list[dict[str, Any]]:
    """The stations listed in ``<root>/index.json``."""
    try:
        return json.loads(_read_bytes(PurePath(root) / INDEX_NAME))["stations"]
    except (OSError, ValueError, KeyError) as err:
        raise AssetError(f"{root}/{INDEX_NAME}: cannot read the station index ({err})") from None


def load_station(root: PurePath | str, entry: dict[str, Any]) -> Weather:
    """Load one station listed by :func:`read_index`, verifying its sha256."""
    where = PurePath(root) / entry["file"]
    try:
        blob = _read_bytes(where)
    except OSError as err:
        raise AssetError(f"{where}: cannot read ({err})") from None
    digest = hashlib.sha256(blob).hexdigest()
    if digest != entry["sha256"]:
        raise AssetError(f"{where}: sha256 {digest} does not match the index ({entry['sha256']})")
    try:
        return unpack_weather(blob, str(where))
    except (EPWError, KeyError, ValueError) as err:
        raise AssetError(f"{where}: {err}") from None


def read_data_file(notebook_location: PurePath | str | None, name: str) -> bytes:
    """Bytes of a small data file a demo ships (e.g. ``load_profiles.csv``).

    In an export the build copies it to ``<notebook location>/public/data/<name>``;
    from the source tree it is read from the repository's ``data/examples/<name>``.
    """
    if notebook_location is not None:
        text = str(notebook_location)
        exported = PurePath(notebook_location) / "public" / "data" / name
        if re.match(r"^https?:/", text) or Path(str(exported)).exists():
            return _read_bytes(exported)
    start = Path(str(notebook_location)) if notebook_location is not None else Path.cwd()
    for folder in (start, *start.resolve().parents):
        candidate = folder / "data" / "examples" / name
        if candidate.exists():
            return candidate.read_bytes()
    raise AssetError(f"data file {name!r} not found (public/data/ of the export or data/examples/)")


# --------------------------------------------------------------------------- demo helpers


def city_name(city: str) -> str:
    """An EPW's city, readable: ``"VIENNA_ SCHWECHAT"`` → ``"Vienna Schwechat"``."""
    return re.sub(r"[_\s]+", " ", city).strip().title()


def station_labels(entries: Iterable[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Human labels for a station picker, e.g. ``"Vienna Schwechat (AUT, IWEC Data)"`` → entry."""
    return {f"{city_name(e['city'])} ({e['country']}, {e['source']})": e for e in entries}


def default_label(labels: dict[str, Any], prefer: str = "Vienna") -> str:
    """The label to preselect: the first one containing ``prefer`` (CES is in Vienna), else the first."""
    return next((k for k in labels if prefer.lower() in k.lower()), next(iter(labels)))


def read_upload(contents: bytes, name: str) -> tuple[Weather | None, str | None]:
    """Read an uploaded EPW (or .zip/.gz): ``(weather, None)``, or ``(None, message)`` where the
    message of :class:`~climatevis.epw.EPWError` names the file, the line and the field."""
    import io

    from climatevis.epw import read_epw

    source = io.BytesIO(contents)
    source.name = name
    try:
        return read_epw(source), None
    except EPWError as err:
        return None, str(err)


def choose_weather(
    root: PurePath | str, entry: dict[str, Any], upload: tuple[bytes, str] | None = None
) -> tuple[Weather, str | None]:
    """The weather a demo shows: the uploaded file ``(contents, name)`` when it reads, else
    the bundled station ``entry``; plus the upload's error message (``None`` when fine)."""
    if upload is not None:
        weather, error = read_upload(*upload)
        if weather is not None:
            return weather, None
        return load_station(root, entry), error
    return load_station(root, entry), None


def upload_error_note(message: str) -> str:
    """Markdown for a rejected upload (the demo shows the bundled station instead); the
    message quotes the file, so it is escaped."""
    import html

    return f"**Upload rejected**, showing the bundled station instead. {html.escape(message)}"
