"""EnergyPlus Weather (EPW) files: a fast, strict reader and a writer.

The format is defined in the EnergyPlus *Auxiliary Programs* documentation,
chapter "Weather Converter Program / EnergyPlus Weather File (EPW) Data
Dictionary". A file has eight header records (LOCATION, DESIGN CONDITIONS,
TYPICAL/EXTREME PERIODS, GROUND TEMPERATURES, HOLIDAYS/DAYLIGHT SAVINGS,
COMMENTS 1, COMMENTS 2, DATA PERIODS) followed by one line of 35
comma-separated fields per record (hourly or N records per hour).

Columns use pvlib's names (``temp_air``, ``ghi``, ``dni`` ...) and the index is
the one ``pvlib.iotools.read_epw`` builds for hourly files: the start of each
hour (``hour - 1``) in the file's own years, localised to the fixed UTC
offset of the LOCATION record. Unlike pvlib, missing-value codes become NaN
and anything malformed raises :class:`EPWError` naming the line and field.

numpy/pandas only, so it runs natively and in Pyodide. Where numba is
installed (not in Pyodide), the data section goes through a compiled tokenizer
(:mod:`climatevis._epw_numba`, about 3x faster than pandas' CSV parser) that
returns exactly what the pandas path returns and hands anything unusual to it;
``CLIMATEVIS_NO_NUMBA=1`` switches it off.
"""

from __future__ import annotations

import dataclasses
import functools
import gzip
import importlib
import io
import itertools
import os
import re
import sys
import warnings
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd

__all__ = [
    "EPW_FIELDS",
    "MONTH_NAMES",
    "EPWError",
    "Location",
    "Weather",
    "nominal_day",
    "read_epw",
    "summary",
    "unpack",
    "write_epw",
]


class EPWError(ValueError):
    """A malformed EPW file. The message names the source, line and field."""


# name, unit, missing-value code (None: no code), integer field
# Missing codes from the EPW data dictionary; radiation and illuminance say
# "9999 (or greater)", so values >= the code are missing for every field
# except aerosol optical depth, whose code (0.999) is a real value range.
EPW_FIELDS: tuple[tuple[str, str, float | None, bool], ...] = (
    ("year", "-", None, True),
    ("month", "-", None, True),
    ("day", "-", None, True),
    ("hour", "-", None, True),
    ("minute", "-", None, True),
    ("data_source_unct", "-", None, False),
    ("temp_air", "degC", 99.9, False),
    ("temp_dew", "degC", 99.9, False),
    ("relative_humidity", "%", 999, False),
    ("atmospheric_pressure", "Pa", 999999, False),
    ("etr", "Wh/m2", 9999, False),
    ("etrn", "Wh/m2", 9999, False),
    ("ghi_infrared", "Wh/m2", 9999, False),
    ("ghi", "Wh/m2", 9999, False),
    ("dni", "Wh/m2", 9999, False),
    ("dhi", "Wh/m2", 9999, False),
    ("global_hor_illum", "lux", 999999, False),
    ("direct_normal_illum", "lux", 999999, False),
    ("diffuse_horizontal_illum", "lux", 999999, False),
    ("zenith_luminance", "Cd/m2", 9999, False),
    ("wind_direction", "deg", 999, False),
    ("wind_speed", "m/s", 999, False),
    ("total_sky_cover", "tenths", 99, False),
    ("opaque_sky_cover", "tenths", 99, False),
    ("visibility", "km", 9999, False),
    ("ceiling_height", "m", 99999, False),
    ("present_weather_observation", "-", None, False),
    ("present_weather_codes", "-", None, False),
    ("precipitable_water", "mm", 999, False),
    ("aerosol_optical_depth", "thousandths", 0.999, False),
    ("snow_depth", "cm", 999, False),
    ("days_since_last_snowfall", "days", 99, False),
    ("albedo", "-", 999, False),
    ("liquid_precipitation_depth", "mm", 999, False),
    ("liquid_precipitation_quantity", "hr", 99, False),
)
COLUMNS = tuple(f[0] for f in EPW_FIELDS)
N_FIELDS = len(EPW_FIELDS)  # 35
_TEXT_COLUMNS = ("data_source_unct",)
_INT_COLUMNS = tuple(f[0] for f in EPW_FIELDS if f[3])
_EXACT_MISSING = {"aerosol_optical_depth"}

HEADER_KEYWORDS = (
    "LOCATION",
    "DESIGN CONDITIONS",
    "TYPICAL/EXTREME PERIODS",
    "GROUND TEMPERATURES",
    "HOLIDAYS/DAYLIGHT SAVINGS",
    "COMMENTS 1",
    "COMMENTS 2",
    "DATA PERIODS",
)
N_HEADER = len(HEADER_KEYWORDS)

# Field names of the ASHRAE design-condition groups as EnergyPlus' weather
# converter writes them (ASHRAE Handbook of Fundamentals 2009/2013/2017, ch. 14).
DESIGN_HEATING_KEYS = (
    "coldest_month", "db_996", "db_990", "dp_996", "hr_dp_996", "db_dp_996", "dp_990",
    "hr_dp_990", "db_dp_990", "ws_004c", "db_ws_004c", "ws_010c", "db_ws_010c",
    "ws_db_996", "wd_db_996",
)
DESIGN_COOLING_KEYS = (
    "hottest_month", "db_range", "db_004", "wb_db_004", "db_010", "wb_db_010", "db_020",
    "wb_db_020", "wb_004", "db_wb_004", "wb_010", "db_wb_010", "wb_020", "db_wb_020",
    "ws_db_004", "wd_db_004", "dp_004", "hr_dp_004", "db_dp_004", "dp_010", "hr_dp_010",
    "db_dp_010", "dp_020", "hr_dp_020", "db_dp_020", "en_004", "db_en_004", "en_010",
    "db_en_010", "en_020", "db_en_020", "hrs_8_4_db",
)
DESIGN_EXTREMES_KEYS = (
    "ws_010", "ws_025", "ws_050", "wb_max", "db_min_mean", "db_max_mean", "db_min_stddev",
    "db_max_stddev", "db_min_05years", "db_max_05years", "db_min_10years", "db_max_10years",
    "db_min_20years", "db_max_20years", "db_min_50years", "db_max_50years",
)

_DAYS_IN_MONTH = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
_DAYS_BEFORE_MONTH = np.cumsum(_DAYS_IN_MONTH)[:-1]  # index: month - 1
MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def nominal_day(month: Any, day: Any, leap: bool | None = None) -> tuple[np.ndarray, bool]:
    """Day of year (1 = 1 January) of each month and day in a nominal year, and whether that
    year is a leap year: by default when the data hold a 29 February (TMY files mix years)."""
    month = np.asarray(month)
    if leap is None:
        leap = bool(((month == 2) & (np.asarray(day) == 29)).any())
    return _DAYS_BEFORE_MONTH[month - 1] + day + ((month > 2) & leap), leap


@dataclasses.dataclass(frozen=True)
class Location:
    """The LOCATION record. Angles in degrees (north, east positive), UTC offset in hours,
    elevation in metres above sea level."""

    city: str
    state: str
    country: str
    source: str
    wmo: str
    latitude: float
    longitude: float
    utc_offset: float
    elevation: float


@dataclasses.dataclass
class Weather:
    """A parsed EPW file.

    ``data`` holds the 35 fields (pvlib column names, SI units as in the EPW
    data dictionary: degC, %, Pa, Wh/m2 per interval, lux, deg, m/s, tenths ...)
    with missing values as NaN. ``header`` keeps every header record as its list
    of raw fields (what :func:`write_epw` writes back); the other attributes are
    parsed views of it.
    """

    location: Location
    data: pd.DataFrame
    header: dict[str, list[str]]
    design_conditions: dict[str, Any]
    typical_extreme_periods: list[dict[str, str]]
    ground_temperatures: list[dict[str, Any]]
    holidays_dst: dict[str, Any]
    comments: tuple[str, str]
    data_periods: list[dict[str, Any]]
    records_per_hour: int
    source_name: str = "<epw>"

    @property
    def is_leap_year(self) -> bool:
        """True when the data holds a 29 February or the header says it is a leap year."""
        if bool(((self.data["month"] == 2) & (self.data["day"] == 29)).any()):
            return True
        return bool(self.holidays_dst.get("leap_year", False))

    @property
    def metadata(self) -> dict[str, Any]:
        """The LOCATION record as the dict ``pvlib.iotools.read_epw`` returns."""
        loc = self.location
        return {
            "loc": "LOCATION", "city": loc.city, "state-prov": loc.state,
            "country": loc.country, "data_type": loc.source, "WMO_code": loc.wmo,
            "latitude": loc.latitude, "longitude": loc.longitude, "TZ": loc.utc_offset,
            "altitude": loc.elevation,
        }


# --------------------------------------------------------------------------- input


def _source_bytes(source: Any) -> tuple[bytes, str]:
    """Return the raw bytes of ``source`` and a name for messages."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source), "<bytes>"
    if isinstance(source, Path) or (
        isinstance(source, str) and "\n" not in source and not source.startswith("LOCATION")
    ):
        path = Path(source)
        try:
            return path.read_bytes(), str(source)
        except FileNotFoundError:
            raise EPWError(f"{source}: no such file") from None
        except IsADirectoryError:
            raise EPWError(f"{source}: is a directory, not an EPW file") from None
        except OSError as err:
            raise EPWError(f"{source}: cannot read ({err.strerror or err})") from None
    if isinstance(source, str):
        return source.encode("utf-8"), "<text>"
    if hasattr(source, "read"):
        content = source.read()
        name = str(getattr(source, "name", "<file object>"))
        if isinstance(content, str):
            return content.encode("utf-8"), name
        return bytes(content), name
    raise TypeError(f"read_epw: cannot read from {type(source).__name__}")


def _unpack(raw: bytes, name: str) -> tuple[bytes, str]:
    """Unwrap .gz and .zip containers (climate.onebuilding.org ships zips)."""
    if raw[:2] == b"\x1f\x8b":
        try:
            return _unpack(gzip.decompress(raw), name)
        except (OSError, EOFError, zipfile.BadZipFile) as err:
            raise EPWError(f"{name}: corrupt gzip data ({err})") from None
    if raw[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(raw)) as zf:
                members = [m for m in zf.namelist() if m.lower().endswith(".epw")]
                if len(members) != 1:
                    what = "no .epw file" if not members else f"{len(members)} .epw files"
                    raise EPWError(f"{name}: zip archive holds {what}; expected exactly one")
                return zf.read(members[0]), f"{name}!{members[0]}"
        except zipfile.BadZipFile as err:
            raise EPWError(f"{name}: corrupt zip archive ({err})") from None
    return raw, name


def unpack(data: bytes, name: str = "<bytes>") -> bytes:
    """The EPW bytes in ``data``: the one ``.epw`` of a zip archive, gunzipped, or ``data``
    itself. Raises :class:`EPWError` for a corrupt or ambiguous archive."""
    return _unpack(data, name)[0]


def _decode_line(line: bytes) -> str:
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        return line.decode("latin-1")  # IWEC/TMYx headers may carry Latin-1 place names


# --------------------------------------------------------------------------- header


def _split_header(raw: bytes, name: str) -> tuple[list[list[str]], memoryview, int]:
    """Split off the eight header records; returns (records, data bytes, first data line).

    The data bytes are a view into ``raw``: copying ~1.5 MB costs as much as
    a tenth of the whole fast read.
    """
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if b"\x00" in raw[:4096]:
        raise EPWError(f"{name}: line 1: binary data (NUL bytes), not an EPW text file")
    pos = 0
    records: list[list[str]] = []
    for lineno, keyword in enumerate(HEADER_KEYWORDS, start=1):
        end = raw.find(b"\n", pos)
        if end < 0:
            end = len(raw)
            if pos >= len(raw):
                raise EPWError(
                    f"{name}: line {lineno}: file ends before the {keyword} header record"
                )
        line = _decode_line(raw[pos:end]).rstrip("\r")
        pos = end + 1
        fields = line.split(",")
        head = fields[0].strip().upper()
        if head != keyword:
            if lineno == 1:
                low = line.lstrip().lower()
                hint = (
                    " (looks like an HTML page, e.g. a download error)"
                    if low.startswith(("<!doctype", "<html", "<?xml", "<head", "<body"))
                    else ""
                )
                raise EPWError(
                    f"{name}: line 1: not an EPW file, expected a LOCATION record, "
                    f"found {line[:40]!r}{hint}"
                )
            raise EPWError(
                f"{name}: line {lineno}: expected the {keyword} header record, found {line[:40]!r}"
            )
        records.append(fields)
    return records, memoryview(raw)[pos:], N_HEADER + 1


def _num(fields: list[str], i: int, name: str, line: int, what: str) -> float:
    try:
        return float(fields[i])
    except (IndexError, ValueError):
        got = repr(fields[i]) if i < len(fields) else "nothing"
        raise EPWError(f"{name}: line {line}, field {i + 1} ({what}): expected a number, got {got}") from None


def _parse_location(f: list[str], name: str) -> Location:
    if len(f) < 10:
        raise EPWError(f"{name}: line 1: LOCATION record has {len(f)} fields, expected 10")
    lat = _num(f, 6, name, 1, "latitude")
    lon = _num(f, 7, name, 1, "longitude")
    tz = _num(f, 8, name, 1, "time zone")
    elev = _num(f, 9, name, 1, "elevation")
    for value, lo, hi, what, idx in (
        (lat, -90, 90, "latitude", 7), (lon, -180, 180, "longitude", 8),
        (tz, -12, 14, "time zone", 9), (elev, -1000, 9999.9, "elevation", 10),
    ):
        if not lo <= value <= hi:
            raise EPWError(f"{name}: line 1, field {idx} ({what}): {value} outside {lo}..{hi}")
    return Location(
        city=f[1].strip(), state=f[2].strip(), country=f[3].strip(), source=f[4].strip(),
        wmo=f[5].strip(), latitude=lat, longitude=lon, utc_offset=tz, elevation=elev,
    )


def _float_or_nan(s: str) -> float:
    try:
        return float(s)
    except ValueError:
        return float("nan")


def _parse_design_conditions(f: list[str]) -> dict[str, Any]:
    """``DESIGN CONDITIONS,n,source,,Heating,...,Cooling,...,Extremes,...``."""
    out: dict[str, Any] = {"source": "", "heating": {}, "cooling": {}, "extremes": {}}
    if len(f) < 3 or not f[1].strip() or _float_or_nan(f[1]) == 0:
        return out
    out["source"] = f[2].strip()
    groups = {"heating": DESIGN_HEATING_KEYS, "cooling": DESIGN_COOLING_KEYS,
              "extremes": DESIGN_EXTREMES_KEYS}
    marks = [(i, f[i].strip().lower()) for i in range(len(f)) if f[i].strip().lower() in groups]
    for n, (i, group) in enumerate(marks):
        end = marks[n + 1][0] if n + 1 < len(marks) else len(f)
        values = [_float_or_nan(v) for v in f[i + 1:end]]
        out[group] = dict(zip(groups[group], values, strict=False))
    return out


def _groups(f: list[str], size: int) -> list[list[str]]:
    """The groups of ``size`` fields whose number field 2 of a header record announces
    (a truncated last group is left out; an unreadable count gives none)."""
    try:
        n = int(float(f[1]))
    except (IndexError, ValueError):
        return []
    groups = (f[2 + size * k: 2 + size * (k + 1)] for k in range(n))
    return [g for g in groups if len(g) == size]


def _parse_periods(f: list[str]) -> list[dict[str, str]]:
    return [{"name": g[0].strip(), "type": g[1].strip(), "start": g[2].strip(), "end": g[3].strip()}
            for g in _groups(f, 4)]


def _parse_ground(f: list[str]) -> list[dict[str, Any]]:
    return [{
        "depth": _float_or_nan(g[0]),
        "conductivity": _float_or_nan(g[1]),
        "density": _float_or_nan(g[2]),
        "specific_heat": _float_or_nan(g[3]),
        "monthly": [_float_or_nan(v) for v in g[4:]],
    } for g in _groups(f, 16)]


def _parse_holidays(f: list[str]) -> dict[str, Any]:
    leap = f[1].strip().lower() in ("yes", "y") if len(f) > 1 else False
    holidays = []
    try:
        n = int(float(f[4]))
        holidays = [(f[5 + 2 * k].strip(), f[6 + 2 * k].strip()) for k in range(n)]
    except (IndexError, ValueError):
        pass
    return {
        "leap_year": leap,
        "dst_start": f[2].strip() if len(f) > 2 else "0",
        "dst_end": f[3].strip() if len(f) > 3 else "0",
        "holidays": holidays,
    }


def _parse_md(text: str) -> tuple[int, int] | None:
    m = re.fullmatch(r"\s*(\d{1,2})\s*/\s*(\d{1,2})(?:\s*/\s*\d{2,4})?\s*", text)
    return (int(m.group(1)), int(m.group(2))) if m else None


def _parse_data_periods(f: list[str], name: str) -> tuple[list[dict[str, Any]], int]:
    line = N_HEADER
    n = int(_num(f, 1, name, line, "number of data periods"))
    rph = _num(f, 2, name, line, "records per hour")
    if rph != int(rph) or not 1 <= rph <= 60 or 60 % int(rph):
        raise EPWError(f"{name}: line {line}, field 3 (records per hour): {f[2]!r} does not divide 60 minutes")
    periods = []
    for k in range(max(n, 0)):
        chunk = f[3 + 4 * k: 7 + 4 * k]
        if len(chunk) < 4:
            raise EPWError(f"{name}: line {line}: DATA PERIODS announces {n} periods but lists {k}")
        start, end = _parse_md(chunk[2]), _parse_md(chunk[3])
        if start is None or end is None:
            bad = 4 + 4 * k + (2 if start is None else 3)
            raise EPWError(f"{name}: line {line}, field {bad} (period date): expected M/D, got {f[bad - 1]!r}")
        periods.append({"name": chunk[0].strip(), "start_weekday": chunk[1].strip(),
                        "start": start, "end": end})
    return periods, int(rph)


def _period_days(start: tuple[int, int], end: tuple[int, int], leap: bool) -> int:
    dim = _DAYS_IN_MONTH.copy()
    if leap:
        dim[2] = 29
    doy = np.concatenate([[0], np.cumsum(dim[1:])])
    d0 = doy[start[0] - 1] + start[1]
    d1 = doy[end[0] - 1] + end[1]
    return int(d1 - d0 + 1 if d1 >= d0 else d1 + doy[12] - d0 + 1)


# --------------------------------------------------------------------------- data

# Until the DataFrame is built, the data section is two blocks, int64 (the
# calendar fields and the present-weather code) and float64 (the other
# numbers), plus the text column. Both tokenizers below fill this layout and
# everything after them (missing codes, calendar checks, the frame) is shared,
# so the two can differ only in which input they accept, never in the result.
_INT_BLOCK = (*_INT_COLUMNS, "present_weather_codes")
_FLOAT_BLOCK = tuple(c for c in COLUMNS if c not in _INT_BLOCK and c not in _TEXT_COLUMNS)
_CODES = {f[0]: f[2] for f in EPW_FIELDS}
# per float-block row: values >= this are missing (inf: no code or an exact one)
_MISSING_AT_LEAST = np.array(
    [np.inf if _CODES[c] is None or c in _EXACT_MISSING else _CODES[c] for c in _FLOAT_BLOCK]
)[:, None]
_WITHOUT_TEXT = [c for c in COLUMNS if c not in _TEXT_COLUMNS]
_INT_PLACES = np.array([_WITHOUT_TEXT.index(c) for c in _INT_BLOCK])  # block rows -> columns
_FLOAT_PLACES = np.array([_WITHOUT_TEXT.index(c) for c in _FLOAT_BLOCK])
_MISSING_EXACTLY = tuple((_FLOAT_BLOCK.index(c), _CODES[c]) for c in sorted(_EXACT_MISSING))

NO_NUMBA_ENV = "CLIMATEVIS_NO_NUMBA"
_compiled: Any = None  # the bound numba tokenizer; None: not loaded yet, False: unavailable


def _fast_tokenizer() -> Any:
    """The numba-compiled tokenizer (``climatevis._epw_numba``), or None for pandas only.

    None in Pyodide (no numba there: do not even try the import), when numba
    is not installed or cannot compile here, or when the environment variable
    ``CLIMATEVIS_NO_NUMBA`` is set (to anything but ``0``). numba is loaded on
    the first read, not with this module: that costs about as long as importing
    pandas, once per process, and pays off from the second file on.
    """
    global _compiled
    if sys.platform == "emscripten" or os.environ.get(NO_NUMBA_ENV, "0") not in ("", "0"):
        return None
    if _compiled is None:
        _compiled = _load_tokenizer() or False
    return _compiled or None


def _load_tokenizer() -> Any:
    """Import numba, bind the column layout and compile: the tokenizer, or None."""
    try:
        # imported by name so that WASM exports (which bundle what a notebook's imports
        # reach) leave this native-only module out of their wheel
        nb = importlib.import_module("climatevis._epw_numba")
    except ImportError:  # numba missing, or built for another numpy
        return None
    except Exception as err:  # e.g. no writable cache directory; numba's errors share no base
        return _no_tokenizer(err)
    kinds = np.array(
        [nb.TEXT if c in _TEXT_COLUMNS else nb.QUOTED_INT if c == "present_weather_codes"
         else nb.INT if c in _INT_BLOCK else nb.FLOAT for c in COLUMNS], dtype=np.int8,
    )
    slots = np.array([_INT_BLOCK.index(c) if c in _INT_BLOCK else
                      _FLOAT_BLOCK.index(c) if c in _FLOAT_BLOCK else 0 for c in COLUMNS])
    tokenize = functools.partial(nb.tokenize, kinds, slots, len(_FLOAT_BLOCK), len(_INT_BLOCK))
    # Compile (or load numba's cache) now, on one record, so that a numba that
    # cannot compile on this machine costs a warning, not the read.
    record = ",".join(["1"] * len(_INT_COLUMNS) + ["?"] + ["0"] * (N_FIELDS - len(_INT_COLUMNS) - 1))
    try:
        records = tokenize(np.frombuffer(record.encode(), dtype=np.uint8))[0]
    except Exception as err:
        return _no_tokenizer(err)
    return tokenize if records == 1 else _no_tokenizer("self-check failed")


def _no_tokenizer(why: object) -> None:
    reason = f"{type(why).__name__}: {why}" if isinstance(why, Exception) else str(why)
    warnings.warn(f"climatevis.epw: compiled tokenizer unavailable ({reason.splitlines()[0]}); "
                  "reading with pandas", RuntimeWarning, stacklevel=6)  # read_epw's caller


def _tokenize_fast(tokenize: Any, body: memoryview) -> tuple[np.ndarray, np.ndarray, Any] | None:
    """Blocks from the compiled tokenizer; None when it leaves the input to pandas."""
    n, floats, ints, text, offsets, ascii_only = tokenize(np.frombuffer(body, dtype=np.uint8))
    if n < 0:
        return None
    return ints, floats, _text_column(text, offsets, ascii_only)


def _text_column(text: np.ndarray, offsets: np.ndarray, ascii_only: bool) -> Any:
    """The text column with the dtype pandas' ``read_csv`` gives it.

    That is the default string dtype (``str`` in pandas 3, ``object`` before).
    When it is Arrow-backed, the tokenizer's bytes and offsets already are an
    Arrow string array (for ASCII, which is also UTF-8), so no Python string is
    made; otherwise the strings are cut from the Latin-1 text as pandas does.
    """
    dtype = pd.Series([""]).dtype
    if ascii_only and getattr(dtype, "storage", None) == "pyarrow":
        import pyarrow as pa

        array = pa.LargeStringArray.from_buffers(
            len(offsets) - 1, pa.py_buffer(offsets), pa.py_buffer(text)
        )
        return pd.array(array, dtype=dtype)
    decoded = text.tobytes().decode("latin-1")  # one byte per character
    bounds = offsets.tolist()
    return pd.array([decoded[a:b] for a, b in itertools.pairwise(bounds)], dtype=dtype)


def _tokenize_pandas(body: bytes, first_line: int, name: str) -> tuple[np.ndarray, np.ndarray, Any]:
    """Blocks from pandas' C parser; every input the compiled tokenizer refuses ends here.

    Anything odd (a short or long line, a blank line, a non-number) shows up as a
    parser error or a column of the wrong type, and then the slow scan names the
    exact line and field.
    """
    try:
        df = pd.read_csv(
            io.BytesIO(body), header=None, names=COLUMNS, na_filter=False, engine="c",
            skip_blank_lines=False, encoding="latin-1", low_memory=False,
        )
    except (ValueError, pd.errors.ParserError):
        raise _scan_for_error(body, first_line, name) from None
    ints = np.empty((len(_INT_BLOCK), len(df)), dtype=np.int64)
    floats = np.empty((len(_FLOAT_BLOCK), len(df)))
    text = None
    for col, _unit, _missing, is_int in EPW_FIELDS:
        series = df[col]
        kind = series.dtype.kind
        if col in _TEXT_COLUMNS:
            text = series.array
            continue
        if col == "present_weather_codes" and kind not in "iu":
            series = _unquote_codes(series, body, first_line, name)
            kind = "i"
        if kind not in "iuf" or (is_int and kind == "f"):
            raise _scan_for_error(body, first_line, name)
        if col in _INT_BLOCK:
            ints[_INT_BLOCK.index(col)] = series.to_numpy()
            continue
        row = floats[_FLOAT_BLOCK.index(col)]
        row[:] = series.to_numpy()
        if kind == "f" and not np.isfinite(row).all():
            raise _scan_for_error(body, first_line, name)
    return ints, floats, text


def _scan_for_error(body: bytes, first_line: int, name: str) -> EPWError:
    """Slow path: find the first malformed line/field to report it precisely."""
    lines = body.decode("latin-1").split("\n")
    last = max((k for k, line in enumerate(lines) if line.strip()), default=-1)
    for k, line in enumerate(lines[: last + 1]):
        lineno = first_line + k
        line = line.rstrip("\r")
        if not line.strip():
            return EPWError(f"{name}: line {lineno}: empty line inside the data")
        fields = line.split(",")
        if len(fields) != N_FIELDS:
            return EPWError(
                f"{name}: line {lineno}: {len(fields)} fields, expected {N_FIELDS}"
                + (" (file truncated?)" if len(fields) < N_FIELDS and k == last else "")
            )
        for i, (col, _unit, _miss, is_int) in enumerate(EPW_FIELDS):
            if col in _TEXT_COLUMNS:
                continue
            value = fields[i].strip()
            if col == "present_weather_codes":
                value = value.strip("'\"")
            try:
                x = float(value)
            except ValueError:
                return EPWError(
                    f"{name}: line {lineno}, field {i + 1} ({col}): expected a number, got {value!r}"
                )
            if not np.isfinite(x):
                return EPWError(f"{name}: line {lineno}, field {i + 1} ({col}): {value!r} is not finite")
            if is_int and x != int(x):
                return EPWError(f"{name}: line {lineno}, field {i + 1} ({col}): {value!r} is not an integer")
    return EPWError(f"{name}: line {first_line}: unreadable data section")


def _parse_data(body: memoryview, first_line: int, name: str) -> tuple[np.ndarray, np.ndarray, Any]:
    """The data section as (int64 block, float64 block, text column), missing values NaN."""
    end = len(body)
    while end and body[end - 1] in b"\r\n \t":
        end -= 1
    if not end:
        raise EPWError(f"{name}: line {first_line}: no data records after the header")
    body = body[:end]  # trailing blank lines are no records
    tokenize = _fast_tokenizer()
    blocks = _tokenize_fast(tokenize, body) if tokenize else None
    ints, floats, text = blocks or _tokenize_pandas(bytes(body), first_line, name)
    np.putmask(floats, floats >= _MISSING_AT_LEAST, np.nan)
    for k, code in _MISSING_EXACTLY:
        floats[k, floats[k] == code] = np.nan
    _check_calendar(dict(zip(_INT_BLOCK, ints, strict=True)), first_line, name)
    return ints, floats, text


def _frame(ints: np.ndarray, floats: np.ndarray, text: Any, index: pd.Index) -> pd.DataFrame:
    """The 35 columns in EPW order, made from the two blocks without copying them.

    pandas >= 3 takes ready blocks (``pandas.api.internals``), ~10x faster than
    building the frame column by column; older pandas (and Pyodide builds
    without that module) go through the ordinary constructor.
    """
    try:
        from pandas.api.internals import create_dataframe_from_blocks
    except ImportError:
        columns = dict(zip(_INT_BLOCK, ints, strict=True))
        columns.update(zip(_FLOAT_BLOCK, floats, strict=True))
        columns[_TEXT_COLUMNS[0]] = text
        return pd.DataFrame(columns, index=index, columns=COLUMNS)
    data = create_dataframe_from_blocks(
        [(ints, _INT_PLACES), (floats, _FLOAT_PLACES)],
        index=index, columns=pd.Index(_WITHOUT_TEXT),
    )
    data.insert(COLUMNS.index(_TEXT_COLUMNS[0]), _TEXT_COLUMNS[0], text)
    return data


def _unquote_codes(series: pd.Series, body: bytes, first_line: int, name: str) -> pd.Series:
    """Some converters write the 9-digit present-weather code quoted ('999999999)."""
    try:
        return series.astype(str).str.strip().str.strip("'\"").astype(np.int64)
    except ValueError:
        raise _scan_for_error(body, first_line, name) from None


def _check_calendar(cols: Mapping[str, np.ndarray], first_line: int, name: str) -> None:
    month, day = cols["month"], cols["day"]
    for col, lo, hi in (("month", 1, 12), ("day", 1, 31), ("hour", 1, 24), ("minute", 0, 60)):
        v = cols[col]
        bad = np.flatnonzero((v < lo) | (v > hi))
        if bad.size:
            k = int(bad[0])
            raise EPWError(
                f"{name}: line {first_line + k}, field {COLUMNS.index(col) + 1} ({col}): "
                f"{int(v[k])} outside {lo}..{hi}"
            )
    dim = _DAYS_IN_MONTH[month] + ((month == 2) & _is_leap(cols["year"]))
    bad = np.flatnonzero(day > dim)
    if bad.size:
        k = int(bad[0])
        raise EPWError(
            f"{name}: line {first_line + k}, field 3 (day): {month[k]}/{day[k]} is not a date"
        )


def _is_leap(year: np.ndarray) -> np.ndarray:
    return ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)


def _build_index(
    data: pd.DataFrame | Mapping[str, np.ndarray], utc_offset: float, records_per_hour: int
) -> pd.DatetimeIndex:
    """Start of each interval; for hourly files exactly pvlib's index."""
    y, m, d, h = (np.asarray(data[c]) for c in ("year", "month", "day", "hour"))
    # days since 1970-01-01 from the civil date (H. Hinnant's days_from_civil)
    yy = y - (m <= 2)
    era = np.floor_divide(yy, 400)
    yoe = yy - era * 400
    mp = (m + 9) % 12
    doy = (153 * mp + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    days = era * 146097 + doe - 719468
    us = (days * 24 + (h - 1)) * 3_600_000_000
    if records_per_hour > 1:
        # N records share one hour field: k-th record starts k/N into that hour
        n = len(us)
        k = np.arange(n) % records_per_hour
        us = us + k * (3_600_000_000 // records_per_hour)
    index = pd.DatetimeIndex(us.astype("datetime64[us]")).as_unit(_parsed_unit())
    return index.tz_localize(int(utc_offset * 3600))


def _parsed_unit() -> str:
    """The resolution pandas gives parsed timestamps (``ns`` in pandas 2, ``us`` in 3)."""
    global _UNIT
    if _UNIT is None:
        _UNIT = pd.to_datetime(["2000010100"], format="%Y%m%d%H").unit
    return _UNIT


_UNIT: str | None = None


# --------------------------------------------------------------------------- API


def read_epw(source: Any, coerce_year: int | None = None) -> Weather:
    """Read an EPW file.

    Parameters
    ----------
    source : path, bytes, str (EPW text), or binary/text file object
        ``.zip`` (one ``.epw`` inside) and ``.gz`` content is unpacked
        automatically, whatever the file name.
    coerce_year : int, optional
        Replace the year column (TMY files mix years) before building the index.

    Returns
    -------
    Weather
        ``data`` has the 35 EPW fields with pvlib's column names and units of
        the EPW data dictionary; missing values are NaN.

    Raises
    ------
    EPWError
        For any malformed input, with the line and field in the message.
    """
    raw, name = _source_bytes(source)
    if not raw:
        raise EPWError(f"{name}: line 1: empty file")
    raw, name = _unpack(raw, name)
    if not raw[:4096].strip():
        raise EPWError(f"{name}: line 1: empty file (or only blank lines)")
    records, body, first_line = _split_header(raw, name)
    location = _parse_location(records[0], name)
    periods, rph = _parse_data_periods(records[7], name)
    ints, floats, text = _parse_data(body, first_line, name)
    cols = dict(zip(_INT_BLOCK, ints, strict=True))  # views: coerce_year writes through

    n = ints.shape[1]
    if n % (24 * rph):
        raise EPWError(
            f"{name}: line {first_line + n - 1}: {n} records is not a whole number of days "
            f"at {rph} records per hour (file truncated?)"
        )
    if periods:
        leap = bool(((cols["month"] == 2) & (cols["day"] == 29)).any())
        expected = sum(_period_days(p["start"], p["end"], leap) for p in periods) * 24 * rph
        if expected != n:
            raise EPWError(
                f"{name}: line {first_line + n - 1}: DATA PERIODS announce {expected} records, "
                f"the file has {n} (file truncated?)"
            )
    hours = cols["hour"].reshape(-1, rph)
    if rph > 1 and (hours != hours[:, :1]).any():
        k = int(np.flatnonzero((hours != hours[:, :1]).any(axis=1))[0]) * rph
        raise EPWError(
            f"{name}: line {first_line + k}, field 4 (hour): {rph} records per hour announced, "
            "but the hour changes within a group"
        )
    if coerce_year is not None:
        cols["year"][:] = coerce_year
    data = _frame(ints, floats, text, _build_index(cols, location.utc_offset, rph))
    return _weather(records, location, data, periods, rph, name)


def _weather(records: list[list[str]], location: Location, data: pd.DataFrame,
             data_periods: list[dict[str, Any]], records_per_hour: int, name: str) -> Weather:
    """A :class:`Weather` from its eight header records (raw fields, in file order) and its data;
    :func:`climatevis.assets.unpack_weather` rebuilds station assets with it too."""
    return Weather(
        location=location,
        data=data,
        header=dict(zip(HEADER_KEYWORDS, records, strict=True)),
        design_conditions=_parse_design_conditions(records[1]),
        typical_extreme_periods=_parse_periods(records[2]),
        ground_temperatures=_parse_ground(records[3]),
        holidays_dst=_parse_holidays(records[4]),
        comments=(",".join(records[5][1:]).strip(), ",".join(records[6][1:]).strip()),
        data_periods=data_periods,
        records_per_hour=records_per_hour,
        source_name=name,
    )


def _format_column(values: pd.Series, col: str, missing: float | None) -> pd.Series:
    if col in _TEXT_COLUMNS:
        return values.astype(str)
    if col == "present_weather_codes":  # nine digits, leading zeros significant
        return pd.Series(np.char.mod("%09d", values.to_numpy(np.int64)), index=values.index)
    v = values.to_numpy(dtype=np.float64, na_value=np.nan)
    if missing is not None:
        v = np.where(np.isnan(v), missing, v)
    elif np.isnan(v).any():
        raise ValueError(f"write_epw: column {col!r} has missing values and no EPW missing code")
    ints = np.round(v)
    is_int = ints == v
    text = np.char.mod("%.10g", v).astype(object)
    text[is_int] = np.char.mod("%d", ints[is_int].astype(np.int64)).astype(object)
    return pd.Series(text, index=values.index)


def write_epw(weather: Weather, path: str | os.PathLike[str] | IO[str]) -> Path | None:
    """Write ``weather`` as an EPW file (missing values back to their codes).

    Writes to a temporary file next to ``path`` and renames it, so a failure
    never leaves a half-written file. Returns the path (``None`` for a file object).
    ``read_epw(write_epw(w, p))`` equals ``w``.
    """
    loc = weather.location
    header = dict(weather.header)
    header["LOCATION"] = [
        "LOCATION", loc.city, loc.state, loc.country, loc.source, loc.wmo,
        f"{loc.latitude:g}", f"{loc.longitude:g}", f"{loc.utc_offset:g}", f"{loc.elevation:g}",
    ]
    lines = [",".join(header[kw]) for kw in HEADER_KEYWORDS]
    data = weather.data
    missing = [c for c in COLUMNS if c not in data.columns]
    if missing:
        raise ValueError(f"write_epw: data lacks EPW fields {missing}")
    cols = [_format_column(data[c], c, m) for c, _u, m, _i in EPW_FIELDS]
    body = pd.concat(cols, axis=1).to_csv(header=False, index=False, lineterminator="\n")
    text = "\n".join(lines) + "\n" + body
    if hasattr(path, "write"):
        path.write(text)  # type: ignore[union-attr]
        return None
    target = Path(path)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8", newline="\n")
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()
    return target


def summary(weather: Weather) -> dict[str, Any]:
    """Location and key figures of a weather file (the ``climatevis epw --json`` payload).

    Temperatures in degC, annual irradiation in kWh/m2 (missing hours filled
    with the mean of the others), wind speed in m/s.
    """
    d = weather.data
    loc = weather.location
    rph = weather.records_per_hour
    hours = len(d) / rph

    def annual_kwh(col: str) -> float:  # Wh/m2 per interval -> kWh/m2 per year
        return float(d[col].mean() * hours / 1000.0)

    return {
        "city": loc.city, "state": loc.state, "country": loc.country, "source": loc.source,
        "wmo": loc.wmo, "latitude": loc.latitude, "longitude": loc.longitude,
        "utc_offset": loc.utc_offset, "elevation": loc.elevation,
        "records": len(d), "records_per_hour": rph, "is_leap_year": weather.is_leap_year,
        "temp_air_mean": float(d["temp_air"].mean()),
        "temp_air_min": float(d["temp_air"].min()),
        "temp_air_max": float(d["temp_air"].max()),
        "ghi_annual_kwh_m2": annual_kwh("ghi"),
        "dni_annual_kwh_m2": annual_kwh("dni"),
        "dhi_annual_kwh_m2": annual_kwh("dhi"),
        "wind_speed_mean": float(d["wind_speed"].mean()),
        "missing_values": {c: int(n) for c, n in d.isna().sum().items() if n},
    }
