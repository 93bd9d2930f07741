"""Weather ETL: gather EPW files, validate each, derive assets and statistics, write back
incrementally.

1. :func:`gather` collects candidate files from sources: ``catalog`` (every
   station of ``data/catalog.toml``, fetched and sha256-verified by
   :func:`climatevis.data.fetch` from local folders, the mirror or upstream),
   ``catalog:vienna,berlin`` (some stations), ``s3://bucket/prefix`` (every
   ``.epw``/``.zip``/``.gz`` object below it), a local folder, or a file.
2. :func:`validate` reads each file (:func:`climatevis.epw.read_epw`) and
   checks completeness, missing values, physical ranges and the location;
   problems are collected per file, a bad file never stops the others.
3. :func:`derive` turns one valid file into outputs (relative names under
   the destination, the layout of the company bucket, ``data/README.md``)::

       weather/<file>.epw                     the EPW itself (the mirror climatevis.data reads)
       weather/parquet/<station>.parquet      every field, hourly, pvlib column names
       weather/stations/<station>.<sha12>.cvw the demos' compact format (climatevis.assets),
       weather/stations/index.json            for every station (merged with the destination's)
       weather/stats/<station>.json           key figures, degree days, design temperatures,
                                              ASHRAE 169 climate zone, monthly statistics
       weather/stats/stations.csv             one row of key figures per station (merged)

4. :func:`write` stages the outputs in a temporary folder and copies them with
   :func:`climatevis.storage.sync` to a folder or ``s3://bucket/prefix``:
   only files whose sha256 differs are written (a second run writes
   nothing), nothing is deleted, ``dry_run`` reports what would change.

:func:`run` chains the steps; :func:`options` and :func:`finish` serve the command
line ``python notebooks/analysis/data_pipeline.py --source … --dest … [--dry-run]``.
Derived files are byte-for-byte reproducible (no timestamps inside), which
is what makes the incremental write exact.

Native only (boto3 for S3, pyarrow for parquet).

References
----------
* EN ISO 15927-6:2007, accumulated temperature differences (degree days)
  from daily mean temperatures.
* ÖNORM B 8110-5 / OIB: Austrian heating degree days HGT 20/12 (base 20 °C,
  days with a mean below 12 °C).
* ANSI/ASHRAE Standard 169-2013, Table A-3: thermal climate zones 0-8 from
  HDD18 and CDD10.
* ASHRAE Handbook — Fundamentals (2021), ch. 14: annual 99.6 % / 0.4 %
  design dry-bulb temperatures as percentiles of the hourly values.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import math
import os
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "USAGE",
    "Candidate",
    "Derived",
    "Options",
    "PipelineError",
    "Report",
    "Validation",
    "climate_zone",
    "default_dest",
    "derive",
    "finish",
    "gather",
    "load_weather",
    "monthly_figure",
    "open_epw",
    "options",
    "outputs",
    "report_table",
    "run",
    "station_choices",
    "statistics",
    "validate",
    "validate_all",
    "write",
]

EPW_SUFFIXES = (".epw", ".zip", ".gz")
#: Where the derived files go, relative to the destination.
PARQUET, STATIONS, STATS = "weather/parquet", "weather/stations", "weather/stats"
#: Share of missing values in a key field above which a file is reported [-].
MISSING_WARN = 0.01
#: Physical plausibility limits of hourly values (field: (low, high) in the EPW's units).
LIMITS = {
    "temp_air": (-70.0, 60.0),
    "relative_humidity": (0.0, 110.0),
    "ghi": (0.0, 1500.0),
    "dni": (0.0, 1400.0),
    "dhi": (0.0, 900.0),
    "wind_speed": (0.0, 40.0),
    "atmospheric_pressure": (30000.0, 120000.0),
}
KEY_FIELDS = ("temp_air", "temp_dew", "relative_humidity", "ghi", "dni", "dhi", "wind_speed")


class PipelineError(ValueError):
    """A problem that stops the whole run (bad options, unreachable destination); one line."""


# --------------------------------------------------------------------------- gather


@dataclass
class Candidate:
    """One file found by :func:`gather`: its ``name``, where it came from (``origin``) and
    its bytes, or the ``error`` that kept it from being read."""

    name: str
    origin: str
    data: bytes | None = None
    error: str | None = None


def _local(path: Path) -> list[Candidate]:
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in EPW_SUFFIXES)
        if not files:
            return [Candidate(path.name or str(path), str(path), error="no .epw/.zip/.gz files in this folder")]
        return [c for p in files for c in _local(p)]
    try:
        return [Candidate(path.name, str(path), path.read_bytes())]
    except OSError as err:
        return [Candidate(path.name or str(path), str(path), error=f"cannot read ({err.strerror or err})")]


def _s3(url: str) -> list[Candidate]:
    from climatevis.storage import StorageError, parse_location, read_object, s3_client

    loc = parse_location(url)
    client = s3_client()
    start = f"{loc.prefix}/" if loc.prefix else ""
    out: list[Candidate] = []
    try:
        pages = client.get_paginator("list_objects_v2").paginate(Bucket=loc.bucket, Prefix=start)
        keys = [obj["Key"] for page in pages for obj in page.get("Contents", ())
                if obj["Key"].lower().endswith(EPW_SUFFIXES)]
    except Exception as err:  # botocore errors: one line for the report
        raise StorageError(f"{url}: cannot list ({_one_line(err)})") from None
    for key in sorted(keys):
        origin = f"s3://{loc.bucket}/{key}"
        try:
            data = read_object(origin, client=client)
        except StorageError as err:
            data, error = None, str(err)
        else:
            error = None if data is not None else "deleted while the prefix was read"
        out.append(Candidate(key.rsplit("/", 1)[-1], origin, data, error))
    if not out:
        out.append(Candidate(url, url, error="no .epw/.zip/.gz objects under this prefix"))
    return out


def _catalog(spec: str, mirror: str | None, fetch_dest: str | os.PathLike[str] | None) -> list[Candidate]:
    from climatevis.data import FetchError, WeatherDataError, fetch, load_catalog

    catalog = load_catalog()
    ids = [s.strip() for s in spec.partition(":")[2].split(",") if s.strip()] or list(catalog.stations)
    out = []
    for sid in ids:
        try:
            result = fetch(sid, catalog=catalog, dest=fetch_dest, mirror=mirror)
            out.append(Candidate(result.file, f"catalog:{sid} ({result.source})", result.path.read_bytes()))
        except (FetchError, WeatherDataError) as err:
            out.append(Candidate(sid, f"catalog:{sid}", error=str(err)))
    return out


def gather(sources: Iterable[str | os.PathLike[str]], *, mirror: str | None = None,
           fetch_dest: str | os.PathLike[str] | None = None) -> list[Candidate]:
    """Candidate files from every source, in order (see the module doc for source kinds).

    ``mirror`` is passed to :func:`climatevis.data.fetch` for catalog sources
    (default ``$CLIMATEVIS_WEATHER_MIRROR``), ``fetch_dest`` is where fetched
    catalog files are kept (default ``build/weather``). A source that cannot
    be read at all becomes one candidate with an ``error``.
    """
    from climatevis.storage import StorageError

    out: list[Candidate] = []
    for source in sources:
        text = os.fspath(source)
        try:
            if text == "catalog" or text.startswith("catalog:"):
                out += _catalog(text, mirror, fetch_dest)
            elif text.lower().startswith("s3://"):
                out += _s3(text)
            elif Path(text).exists():
                out += _local(Path(text))
            else:
                out.append(Candidate(Path(text).name or text, text, error="no such file or folder"))
        except (StorageError, ValueError) as err:
            out.append(Candidate(text, text, error=_one_line(err)))
    return out


def open_epw(source: str, *, mirror: str | None = None) -> tuple[str, bytes]:
    """``(file name, bytes)`` of one weather file: a catalog station id, ``s3://bucket/key``
    or a local path. Raises :class:`PipelineError` naming the source."""
    text = source.strip()
    if not text:
        raise PipelineError("no weather file given")
    if text.lower().startswith("s3://"):
        from climatevis.storage import StorageError, read_object

        try:
            body = read_object(text)
        except StorageError as err:
            raise PipelineError(str(err)) from None
        if body is None:
            raise PipelineError(f"{text}: no such object")
        return text.rstrip("/").rsplit("/", 1)[-1], body
    path = Path(text)
    if path.suffix.lower() in EPW_SUFFIXES or path.exists():
        try:
            return path.name, path.read_bytes()
        except OSError as err:
            raise PipelineError(f"{path}: cannot read ({err.strerror or err})") from None
    found = _catalog(f"catalog:{text}", mirror, None)[0]
    if found.error:
        raise PipelineError(found.error)
    assert found.data is not None
    return found.name, found.data


def station_choices(selected: str = "") -> tuple[dict[str, str], str]:
    """A station picker's options, ``"Vienna Schwechat airport (AUT)"`` → catalog id, and the
    label of the station ``selected`` (an id; else the first station)."""
    from climatevis.data import load_catalog

    options = {f"{s.name} ({s.country})": s.id for s in load_catalog()}
    return options, next((label for label, sid in options.items() if sid == selected), next(iter(options)))


def load_weather(station: str, *, location: str = "", upload: tuple[str, bytes] | None = None,
                 mirror: str | None = None) -> tuple[str, bytes, Any]:
    """The weather file an analysis notebook works on: the ``upload`` ``(name, bytes)`` when
    given, else ``location`` (a path or ``s3://bucket/key``) when not blank, else the catalog
    ``station`` (an id, fetched through ``mirror``).

    Returns ``(file name, EPW bytes, Weather)``; the bytes are unpacked from a
    ``.zip``/``.gz`` (EnergyPlus reads only plain EPW text, and their sha256 is
    the catalog's). Raises :class:`PipelineError` naming the source and, for a
    malformed file, the line.
    """
    from climatevis.epw import EPWError

    name, data = upload if upload is not None else open_epw(location.strip() or station, mirror=mirror)
    try:
        return name, *_read(data, name)
    except EPWError as err:
        raise PipelineError(_one_line(err)) from None


def _read(data: bytes, name: str) -> tuple[bytes, Any]:
    """The EPW text of ``data`` (unpacked from a .zip/.gz) and its Weather; an
    :class:`~climatevis.epw.EPWError` names the file ``name``, not ``<bytes>``."""
    from climatevis.epw import read_epw, unpack

    text = unpack(data, name)
    named = io.BytesIO(text)
    named.name = name
    return text, read_epw(named)


def _one_line(err: BaseException) -> str:
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__


# --------------------------------------------------------------------------- validate


@dataclass
class Validation:
    """Outcome of :func:`validate`: ``status`` is ``ok``, ``warning`` (usable, see
    ``problems``), ``error`` (not usable) or, from :func:`validate_all`, ``duplicate`` (the
    station of an earlier file: not used again); ``weather`` and ``epw_bytes`` are set
    exactly when it is :attr:`usable`."""

    candidate: Candidate
    status: str
    problems: list[str] = field(default_factory=list)
    weather: Any = None
    epw_bytes: bytes | None = None

    @property
    def usable(self) -> bool:
        """``ok`` or ``warning``: the file is read and goes to :func:`derive`."""
        return self.status in ("ok", "warning")


def validate(candidate: Candidate) -> Validation:
    """Read and check one candidate; never raises for bad data (problems are collected)."""
    from climatevis.epw import EPWError

    if candidate.error is not None or candidate.data is None:
        return Validation(candidate, "error", [candidate.error or "no data"])
    try:
        epw_bytes, weather = _read(candidate.data, candidate.name)
    except EPWError as err:
        return Validation(candidate, "error", [_one_line(err)])
    except (ValueError, OSError, UnicodeError) as err:  # e.g. a corrupt archive
        return Validation(candidate, "error", [f"not a readable EPW ({_one_line(err)})"])
    errors, warnings = [], []
    loc = weather.location
    if not (-90 <= loc.latitude <= 90 and -180 <= loc.longitude <= 180):
        errors.append(f"location {loc.latitude}, {loc.longitude} is not on Earth")
    elif abs(loc.utc_offset * 15.0 - loc.longitude) > 45.0:
        warnings.append(f"time zone UTC{loc.utc_offset:+g} is far from longitude {loc.longitude:g}°")
    data = weather.data
    hours = len(data) / weather.records_per_hour
    if hours not in (8760, 8784):
        warnings.append(f"partial year: {hours:g} hours")
    for name in KEY_FIELDS:
        if name not in data:
            errors.append(f"{name}: field missing")
            continue
        missing = int(data[name].isna().sum())
        if missing == len(data):
            (errors if name == "temp_air" else warnings).append(f"{name}: no values")
        elif missing > MISSING_WARN * len(data):
            warnings.append(f"{name}: {missing} missing values ({100.0 * missing / len(data):.1f} %)")
    for name, (low, high) in LIMITS.items():
        if name in data:
            values = data[name].to_numpy(dtype=float)
            bad = np.isfinite(values) & ((values < low) | (values > high))
            if bad.any():
                first = data.index[np.argmax(bad)]
                warnings.append(f"{name}: {int(bad.sum())} values outside {low:g}..{high:g} "
                                f"(first {values[bad][0]:g} at {first:%Y-%m-%d %H:%M})")
    status = "error" if errors else ("warning" if warnings else "ok")
    return Validation(candidate, status, errors + warnings, None if errors else weather,
                      None if errors else epw_bytes)


# --------------------------------------------------------------------------- statistics


def climate_zone(hdd18: float, cdd10: float) -> str:
    """ASHRAE 169-2013 thermal climate zone (``"0"`` … ``"8"``) from HDD18 and CDD10 [K·d]."""
    if cdd10 > 6000:
        return "0"
    if cdd10 > 5000:
        return "1"
    if cdd10 > 3500:
        return "2"
    for zone, upper in (("3", 2000), ("4", 3000), ("5", 4000), ("6", 5000), ("7", 7000)):
        if hdd18 <= upper:
            return zone
    return "8"


def statistics(weather: Any) -> dict[str, Any]:
    """Per-station key figures: :func:`climatevis.epw.summary` plus degree days (HDD18,
    CDD10, CDD18, Austrian HGT 20/12) [K·d] from daily means (EN ISO 15927-6, as ASHRAE 169
    uses them), the ASHRAE 169 climate zone, design dry-bulb temperatures [°C] (99.6 %
    heating and 0.4 % cooling, from the hourly values and, when the file has them, from its
    DESIGN CONDITIONS record) and monthly statistics (mean, mean daily minimum and maximum
    temperature [°C], GHI [kWh/m²], mean wind [m/s]). Formulas from :mod:`climatevis.climate`."""
    from climatevis import climate
    from climatevis.epw import summary

    out = summary(weather)
    data = weather.data
    rph = weather.records_per_hour
    temp, months = data["temp_air"], data["month"]

    def annual_dd(base: float, kind: str, heating_limit: float | None = None) -> float:
        return float(climate.degree_days(temp, months, base, kind, "daily", rph, heating_limit).sum())

    hdd18, cdd10 = annual_dd(18.0, "heating"), annual_dd(10.0, "cooling")
    out.update({
        "hdd_18": hdd18,
        "cdd_10": cdd10,
        "cdd_18": annual_dd(18.0, "cooling"),
        "hgt_20_12": annual_dd(20.0, "heating", heating_limit=12.0),
        "ashrae_climate_zone": climate_zone(hdd18, cdd10),
    })
    valid = temp.dropna()
    out["heating_design_db_996"] = float(np.percentile(valid, 0.4))
    out["cooling_design_db_004"] = float(np.percentile(valid, 99.6))
    design = getattr(weather, "design_conditions", None) or {}
    out["file_heating_db_996"] = _finite(design.get("heating", {}).get("db_996"))
    out["file_cooling_db_004"] = _finite(design.get("cooling", {}).get("db_004"))
    temps = climate.monthly_statistics(temp, months, rph)
    ghi = data.groupby("month")["ghi"].sum() / rph / 1000.0
    wind = data.groupby("month")["wind_speed"].mean()
    out["monthly"] = [
        {
            "month": m,
            "temp_air_mean": _finite(temps.loc[m, "mean"]),
            "temp_air_daily_min": _finite(temps.loc[m, "daily_min"]),
            "temp_air_daily_max": _finite(temps.loc[m, "daily_max"]),
            "ghi_kwh_m2": _finite(ghi.get(m)),
            "wind_speed_mean": _finite(wind.get(m)),
        }
        for m in range(1, 13)
    ]
    return out


def _finite(value: Any) -> float | None:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


# --------------------------------------------------------------------------- derive


@dataclass
class Derived:
    """Outputs of one station: ``files`` (relative name → bytes), its ``index_entry`` for
    ``weather/stations/index.json``, its ``row`` for ``weather/stats/stations.csv`` and its
    :func:`statistics`."""

    station: str
    files: dict[str, bytes]
    index_entry: dict[str, Any]
    row: dict[str, Any]
    stats: dict[str, Any] = field(default_factory=dict)


def _json_bytes(payload: Any) -> bytes:
    from climatevis.fmt import json_safe

    return (json.dumps(json_safe(payload), indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode()


def derive(validation: Validation) -> Derived:
    """The outputs of one usable file (see the module doc); deterministic bytes."""
    from climatevis.assets import DEMO_FIELDS, pack_weather, station_id

    if not validation.usable:
        raise PipelineError(f"{validation.candidate.name}: not usable ({'; '.join(validation.problems)})")
    weather, epw_bytes = validation.weather, validation.epw_bytes
    assert epw_bytes is not None
    sid = station_id(weather)
    epw_name = Path(validation.candidate.name).name
    for suffix in (".gz", ".zip"):
        epw_name = epw_name.removesuffix(suffix)
    if not epw_name.lower().endswith(".epw"):
        epw_name += ".epw"
    blob = pack_weather(weather, DEMO_FIELDS)
    asset_sha = hashlib.sha256(blob).hexdigest()
    asset_name = f"{sid}.{asset_sha[:12]}.cvw"
    parquet = io.BytesIO()
    weather.data.to_parquet(parquet, compression="zstd", index=True)
    stats = statistics(weather)
    epw_sha = hashlib.sha256(epw_bytes).hexdigest()
    stats.update({"station": sid, "epw": epw_name, "epw_sha256": epw_sha})
    loc = weather.location
    entry = {
        "id": sid, "file": asset_name, "sha256": asset_sha, "bytes": len(blob),
        "city": loc.city, "country": loc.country, "wmo": loc.wmo, "source": loc.source,
        "latitude": loc.latitude, "longitude": loc.longitude, "epw": epw_name, "epw_sha256": epw_sha,
    }
    row = {k: stats[k] for k in (
        "station", "city", "country", "wmo", "latitude", "longitude", "elevation", "temp_air_mean",
        "temp_air_min", "temp_air_max", "ghi_annual_kwh_m2", "dni_annual_kwh_m2", "wind_speed_mean",
        "hdd_18", "cdd_10", "hgt_20_12", "ashrae_climate_zone", "heating_design_db_996",
        "cooling_design_db_004")} | {"epw": epw_name, "epw_sha256": epw_sha}
    files = {
        f"weather/{epw_name}": epw_bytes,
        f"{PARQUET}/{sid}.parquet": parquet.getvalue(),
        f"{STATIONS}/{asset_name}": blob,
        f"{STATS}/{sid}.json": _json_bytes(stats),
    }
    return Derived(sid, files, entry, row, stats)


def monthly_figure(derived: Sequence[Derived], quantity: str = "temp_air_mean", unit: str = "°C",
                   title: str | None = None):
    """One line per station of a monthly statistic (a key of the ``monthly`` records of
    :func:`statistics`, e.g. ``temp_air_mean`` [°C] or ``ghi_kwh_m2`` [kWh/m²])."""
    import plotly.graph_objects as go

    from climatevis.assets import city_name
    from climatevis.charts import MONTHS, _layout

    fig = go.Figure()
    for d in derived:
        label = city_name(str(d.stats.get("city", d.station)))
        fig.add_scatter(x=list(MONTHS), y=[m[quantity] for m in d.stats["monthly"]], mode="lines+markers",
                        name=label, hovertemplate="%{x}: %{y:.1f} " + unit + "<extra>" + label + "</extra>")
    fig.update_layout(yaxis_title=unit)
    return _layout(fig, title, 360)


# --------------------------------------------------------------------------- write


def _read_destination(dest: str, rel: str) -> bytes | None:
    """A file already at the destination (folder or S3), or ``None``."""
    from climatevis.storage import StorageError, parse_location, read_object

    loc = parse_location(dest)
    if loc.path is not None:
        path = loc.path / rel
        return path.read_bytes() if path.is_file() else None
    try:
        return read_object(f"s3://{loc.bucket}/{loc.prefix}/{rel}" if loc.prefix else f"s3://{loc.bucket}/{rel}")
    except StorageError as err:
        raise PipelineError(str(err)) from None


def _merged_index(dest: str, derived: Sequence[Derived]) -> bytes:
    existing = _read_destination(dest, f"{STATIONS}/index.json")
    entries: dict[str, dict[str, Any]] = {}
    if existing:
        with contextlib.suppress(ValueError, KeyError, TypeError):
            entries = {e["id"]: e for e in json.loads(existing)["stations"]}
    for d in derived:
        entries[d.station] = d.index_entry
    return _json_bytes({"stations": [entries[k] for k in sorted(entries)]})


def _merged_table(dest: str, derived: Sequence[Derived]) -> bytes:
    existing = _read_destination(dest, f"{STATS}/stations.csv")
    rows: dict[str, dict[str, Any]] = {}
    if existing:
        with contextlib.suppress(ValueError, KeyError, pd.errors.ParserError):
            old = pd.read_csv(io.BytesIO(existing), dtype={"wmo": str, "ashrae_climate_zone": str})
            rows = {str(r["station"]): r for r in old.to_dict("records")}
    for d in derived:
        rows[d.station] = d.row
    table = pd.DataFrame([rows[k] for k in sorted(rows)])
    return table.to_csv(index=False, float_format="%.6g", lineterminator="\n").encode()


def outputs(derived: Sequence[Derived], dest: str) -> dict[str, bytes]:
    """Every file to write: each station's files plus the merged ``weather/stations/index.json``
    and ``weather/stats/stations.csv`` (stations already at ``dest`` and not in this run are kept)."""
    files: dict[str, bytes] = {}
    for d in derived:
        files.update(d.files)
    if derived:
        files[f"{STATIONS}/index.json"] = _merged_index(dest, derived)
        files[f"{STATS}/stations.csv"] = _merged_table(dest, derived)
    return files


def write(files: Mapping[str, bytes], dest: str | os.PathLike[str], *, dry_run: bool = False) -> Any:
    """Copy ``files`` (relative name → bytes) to ``dest`` (folder or ``s3://bucket/prefix``),
    writing only what differs (:func:`climatevis.storage.sync`). Returns its
    :class:`~climatevis.storage.SyncResult`."""
    from climatevis.storage import StorageError, sync

    with tempfile.TemporaryDirectory(prefix="climatevis-pipeline-") as tmp:
        stage = Path(tmp)
        for rel, data in files.items():
            path = stage / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        try:
            return sync(stage, os.fspath(dest), dry_run=dry_run, exclude=())
        except StorageError as err:
            raise PipelineError(str(err)) from None


# --------------------------------------------------------------------------- run


@dataclass
class Report:
    """What a run did: one ``table`` row per candidate file, the ``sync`` result, counts."""

    table: pd.DataFrame
    sync: Any
    dest: str
    dry_run: bool

    @property
    def failed(self) -> int:
        return int((self.table["status"] == "error").sum()) if len(self.table) else 0

    @property
    def written(self) -> list[str]:
        return list(self.sync.uploaded) if self.sync is not None else []

    def to_dict(self) -> dict[str, Any]:
        return {
            "dest": self.dest, "dry_run": self.dry_run, "failed": self.failed,
            "written": self.written, "unchanged": list(self.sync.skipped) if self.sync is not None else [],
            "write_errors": list(self.sync.failed) if self.sync is not None else [],
            "files": json.loads(self.table.to_json(orient="records")),
        }

    def text(self) -> str:
        """A plain-text table for the terminal."""
        cols = ["file", "status", "station", "written", "unchanged", "problems"]
        shown = self.table[cols].copy() if len(self.table) else pd.DataFrame(columns=cols)
        shown["problems"] = shown["problems"].str.slice(0, 90)
        verb = "would write" if self.dry_run else "wrote"
        lines = [shown.to_string(index=False),
                 f"{len(self.table)} files, {self.failed} rejected; {verb} {len(self.written)} files to {self.dest}"]
        return "\n".join(lines)


def validate_all(candidates: Sequence[Candidate]) -> list[Validation]:
    """:func:`validate` every candidate; a station seen before (same id) gets status
    ``duplicate`` and is not used again (its problem names the first file and whether
    the data differ)."""
    from climatevis.assets import station_id

    seen: dict[str, tuple[str, bytes]] = {}
    out = []
    for c in candidates:
        v = validate(c)
        if v.usable:
            sid = station_id(v.weather)
            if sid in seen:
                first, data = seen[sid]
                same = data == v.epw_bytes
                v = Validation(c, "duplicate", [f"same station as {first}" + ("" if same else " (different data; first one kept)")])
            else:
                seen[sid] = (c.origin, v.epw_bytes or b"")
        out.append(v)
    return out


def report_table(validations: Sequence[Validation], derived: Mapping[int, Derived], sync_result: Any) -> pd.DataFrame:
    """One row per candidate: file, origin, status, station, key figures, problems and how
    many of its outputs were written / were already identical at the destination."""
    uploaded = set(sync_result.uploaded) if sync_result is not None else set()
    skipped = set(sync_result.skipped) if sync_result is not None else set()
    rows = []
    for k, v in enumerate(validations):
        d = derived.get(k)
        s = d.row if d else {}
        names = set(d.files) if d else set()
        rows.append({
            "file": v.candidate.name, "origin": v.candidate.origin, "status": v.status,
            "station": d.station if d else "", "hours": len(v.weather.data) / v.weather.records_per_hour
            if v.weather is not None else np.nan,
            "temp_air_mean": s.get("temp_air_mean", np.nan), "ghi_annual_kwh_m2": s.get("ghi_annual_kwh_m2", np.nan),
            "hdd_18": s.get("hdd_18", np.nan), "climate_zone": s.get("ashrae_climate_zone", ""),
            "written": len(names & uploaded), "unchanged": len(names & skipped),
            "problems": "; ".join(v.problems),
        })
    return pd.DataFrame(rows)


def run(sources: Iterable[str | os.PathLike[str]], dest: str | os.PathLike[str], *, dry_run: bool = False,
        mirror: str | None = None, fetch_dest: str | os.PathLike[str] | None = None,
        progress: Callable[[int, int], None] | None = None) -> Report:
    """Gather, validate, derive and write; ``progress(done, total)`` after each file."""
    dest = os.fspath(dest)
    from climatevis.storage import parse_location

    parse_location(dest)  # a malformed s3:// URL fails before any work
    candidates = gather(sources, mirror=mirror, fetch_dest=fetch_dest)
    validations = validate_all(candidates)
    derived: dict[int, Derived] = {}
    for k, v in enumerate(validations):
        if v.usable:
            derived[k] = derive(v)
        if progress is not None:
            progress(k + 1, len(validations))
    files = outputs(list(derived.values()), dest)
    result = write(files, dest, dry_run=dry_run) if files else None
    return Report(report_table(validations, derived, result), result, dest, dry_run)


# --------------------------------------------------------------------------- command line

USAGE = """\
usage: data_pipeline.py --source SRC [--source SRC ...] --dest DEST [--dry-run]
                        [--mirror MIRROR] [--report FILE]

Weather ETL: validate EPW files, derive parquet, compact demo assets and
statistics, and write them incrementally to DEST.

  --source SRC     catalog | catalog:ID,ID | s3://bucket/prefix | folder | file
                   (repeat --source for several; default: catalog)
  --dest DEST      folder or s3://bucket[/prefix]; files go to DEST/weather/...
                   (default: build/pipeline)
  --dry-run        report what would be written; write nothing
  --mirror MIRROR  weather mirror for catalog sources (folder, s3:// or http(s)://)
  --report FILE    also write the report as JSON to FILE (a local path)

Exit status: 0 all files processed, 1 some files rejected (the others were
processed), 2 bad options or an unreachable destination.
"""


@dataclass
class Options:
    """Command-line options of the pipeline notebook (see :data:`USAGE`)."""

    sources: list[str]
    dest: str
    dry_run: bool = False
    mirror: str | None = None
    report: str | None = None
    help: bool = False


def default_dest() -> Path:
    """``build/pipeline`` of the repository."""
    from climatevis.data import REPO_ROOT

    return REPO_ROOT / "build" / "pipeline"


def options(cli_args: Mapping[str, Any]) -> Options:
    """Options from ``mo.cli_args()``; raises :class:`PipelineError` for unknown or bad ones."""
    from climatevis.cli import CLIError, notebook_options

    defaults = {"source": [], "dest": str(default_dest()), "dry_run": False, "mirror": "", "report": "",
                "help": False}
    try:
        o = notebook_options(cli_args, defaults)
    except CLIError as err:
        raise PipelineError(str(err)) from None
    return Options(sources=o["source"] or ["catalog"], dest=o["dest"], dry_run=o["dry_run"],
                   mirror=o["mirror"] or None, report=o["report"] or None, help=o["help"])


def finish(report: Report, opts: Options, out: Callable[[str], None] = print) -> int:
    """Print the report, write ``--report`` JSON, and return the exit status (:data:`USAGE`)."""
    import sys

    out(report.text())
    if opts.report:
        from climatevis.storage import write_atomic

        write_atomic(opts.report, (json.dumps(report.to_dict(), indent=2) + "\n").encode("utf-8"))
    if report.sync is not None and report.sync.failed:
        first = report.sync.failed[0]
        print(f"data_pipeline: error: {len(report.sync.failed)} files could not be written "
              f"(first: {first['name']}: {first['error']})", file=sys.stderr)
        return 1
    return 1 if report.failed else 0
