"""EPW reader/writer: equal to pvlib's reader, cross-checked with pyepw, strict on bad input."""

from __future__ import annotations

import gzip
import io
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from climatevis.epw import COLUMNS, EPW_FIELDS, EPWError, read_epw, summary, write_epw
from tests.conftest import canmet_epw_paths, shared_epw_paths

REFERENCE_FILES = shared_epw_paths() + canmet_epw_paths()
ids = [p.name for p in REFERENCE_FILES]
pvlib = pytest.importorskip("pvlib")


def lines_of(path: Path) -> list[str]:
    return path.read_text(encoding="latin-1").splitlines()


def text_of(lines: list[str]) -> str:
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- reference equality


@pytest.mark.parametrize("path", REFERENCE_FILES, ids=ids)
def test_equals_pvlib_reader(path):
    ours = read_epw(path)
    data, meta = pvlib.iotools.read_epw(path)
    pd.testing.assert_index_equal(ours.data.index, data.index)
    assert list(ours.data.columns) == list(data.columns)
    for col in data.columns:
        if col == "data_source_unct":
            assert (ours.data[col].to_numpy() == data[col].to_numpy()).all()
            continue
        mine = ours.data[col].to_numpy(dtype=float)
        theirs = data[col].to_numpy(dtype=float)
        present = ~np.isnan(mine)
        np.testing.assert_array_equal(mine[present], theirs[present], err_msg=col)
        # every value we call missing carries the field's missing code in the file
        code = dict((f[0], f[2]) for f in EPW_FIELDS)[col]
        if (~present).any():
            assert code is not None and (theirs[~present] >= code).all(), col
    for key in ("city", "country", "latitude", "longitude", "TZ", "altitude"):
        assert ours.metadata[key] == meta[key]


@pytest.mark.parametrize("path", REFERENCE_FILES, ids=ids)
def test_cross_check_with_pyepw(path):
    pyepw = pytest.importorskip("pyepw.epw")
    theirs = pyepw.EPW()
    theirs.read(str(path))
    ours = read_epw(path)
    assert theirs.location.city.strip() == ours.location.city
    assert theirs.location.latitude == pytest.approx(ours.location.latitude)
    assert theirs.location.timezone == pytest.approx(ours.location.utc_offset)
    rows = theirs.weatherdata
    assert len(rows) == len(ours.data)
    for field, attr in (("temp_air", "dry_bulb_temperature"), ("relative_humidity", "relative_humidity"),
                        ("ghi", "global_horizontal_radiation"), ("dni", "direct_normal_radiation"),
                        ("wind_speed", "wind_speed"), ("atmospheric_pressure", "atmospheric_station_pressure")):
        values = np.array([getattr(r, attr) for r in rows], dtype=float)
        mine = ours.data[field].to_numpy()
        ok = ~np.isnan(mine)
        np.testing.assert_allclose(mine[ok], values[ok], err_msg=field)


def test_header_records(vienna_epw):
    w = read_epw(vienna_epw)
    assert w.location.wmo == "110360"
    assert w.design_conditions["source"].startswith("Climate Design Data 2009")
    assert w.design_conditions["heating"]["db_996"] == pytest.approx(-11.5)
    assert w.design_conditions["cooling"]["db_004"] == pytest.approx(30.9)
    assert w.design_conditions["cooling"]["db_range"] == pytest.approx(10.4)
    assert w.design_conditions["extremes"]["ws_010"] > 0
    assert len(w.ground_temperatures) == 3 and len(w.ground_temperatures[0]["monthly"]) == 12
    assert any(p["type"] == "Extreme" for p in w.typical_extreme_periods)
    assert w.data_periods[0]["start"] == (1, 1) and w.data_periods[0]["end"] == (12, 31)
    assert w.records_per_hour == 1 and not w.is_leap_year
    assert "IWEC" in w.comments[0]


def test_missing_codes_become_nan(denver_epw):
    lines = lines_of(denver_epw)
    fields = lines[8].split(",")
    fields[6], fields[8], fields[13], fields[21], fields[29] = "99.9", "999", "9999", "999", "0.999"
    lines[8] = ",".join(fields)
    w = read_epw(text_of(lines))
    row = w.data.iloc[0]
    for col in ("temp_air", "relative_humidity", "ghi", "wind_speed", "aerosol_optical_depth"):
        assert np.isnan(row[col]), col
    assert not np.isnan(w.data["temp_air"].iloc[1])


def test_coerce_year(vienna_epw):
    w = read_epw(vienna_epw, coerce_year=2021)
    assert (w.data.index.year == 2021).all() and w.data.index.is_monotonic_increasing
    data, _ = pvlib.iotools.read_epw(vienna_epw, coerce_year=2021)
    pd.testing.assert_index_equal(w.data.index, data.index)


# --------------------------------------------------------------------------- variants


def leap_year_lines(path: Path) -> list[str]:
    """A real file turned into a 2020 leap-year file: 29 Feb is a copy of 28 Feb."""
    lines = lines_of(path)
    header, rows = lines[:8], lines[8:]
    out, feb29 = [], []
    for row in rows:
        f = row.split(",")
        f[0] = "2020"
        out.append(",".join(f))
        if f[1] == "2" and f[2] == "28":
            feb29.append(",".join([*f[:2], "29", *f[3:]]))
            if f[3] == "24":
                out += feb29
    fields = header[4].split(",")
    fields[1] = "Yes"
    header[4] = ",".join(fields)
    return header + out


def test_leap_year_file(vienna_epw):
    w = read_epw(text_of(leap_year_lines(vienna_epw)))
    assert len(w.data) == 8784 and w.is_leap_year
    feb29 = w.data[(w.data.month == 2) & (w.data.day == 29)]
    assert len(feb29) == 24 and (feb29.index.day == 29).all()
    assert w.data.index.is_monotonic_increasing and w.data.index.is_unique
    data, _ = pvlib.iotools.read_epw(io.StringIO(text_of(leap_year_lines(vienna_epw))))
    pd.testing.assert_index_equal(w.data.index, data.index)


def sub_hourly_lines(path: Path, per_hour: int = 4, days: int | None = None) -> list[str]:
    """Each hourly record repeated ``per_hour`` times with minutes 15/30/45/60."""
    lines = lines_of(path)
    header, rows = lines[:8], lines[8:]
    if days is not None:
        rows = rows[: 24 * days]
        dp = header[7].split(",")
        dp[-1] = f"1/{days}"
        header[7] = ",".join(dp)
    dp = header[7].split(",")
    dp[2] = str(per_hour)
    header[7] = ",".join(dp)
    out = []
    for row in rows:
        f = row.split(",")
        for k in range(1, per_hour + 1):
            f[4] = str(k * 60 // per_hour)
            out.append(",".join(f))
    return header + out


def test_sub_hourly_file(vienna_epw):
    w = read_epw(text_of(sub_hourly_lines(vienna_epw)))
    assert w.records_per_hour == 4 and len(w.data) == 4 * 8760
    steps = np.diff(w.data.index[:8].asi8)
    assert (steps == steps[0]).all()
    assert pd.Timedelta(steps[0], unit=w.data.index.unit) == pd.Timedelta(minutes=15)
    hourly = read_epw(vienna_epw)
    np.testing.assert_array_equal(w.data["temp_air"].to_numpy()[::4], hourly.data["temp_air"].to_numpy())
    assert summary(w)["ghi_annual_kwh_m2"] == pytest.approx(summary(hourly)["ghi_annual_kwh_m2"])


@pytest.mark.parametrize("encoding", ["latin-1", "utf-8"])
def test_non_ascii_header(vienna_epw, encoding):
    lines = lines_of(vienna_epw)
    f = lines[0].split(",")
    f[1] = "Wien-Schwechat Flughafen Österreich"
    lines[0] = ",".join(f)
    w = read_epw(text_of(lines).encode(encoding))
    assert w.location.city == "Wien-Schwechat Flughafen Österreich"


def test_zip_and_gz(vienna_epw, tmp_path):
    raw = vienna_epw.read_bytes()
    reference = read_epw(vienna_epw).data
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("AUT_Vienna/AUT_Vienna.epw", raw)
        zf.writestr("AUT_Vienna/AUT_Vienna.stat", "not weather")
    zpath = tmp_path / "vienna.zip"
    zpath.write_bytes(buf.getvalue())
    gzpath = tmp_path / "vienna.epw.gz"
    gzpath.write_bytes(gzip.compress(raw))
    for source in (zpath, buf.getvalue(), gzpath, gzip.compress(raw), open(zpath, "rb")):
        pd.testing.assert_frame_equal(read_epw(source).data, reference)


def test_text_path_and_file_objects(vienna_epw):
    reference = read_epw(vienna_epw).data
    text = vienna_epw.read_text(encoding="latin-1")
    for source in (str(vienna_epw), text, io.StringIO(text), io.BytesIO(vienna_epw.read_bytes())):
        pd.testing.assert_frame_equal(read_epw(source).data, reference)


@pytest.mark.parametrize("path", REFERENCE_FILES[:4], ids=ids[:4])
def test_round_trip(path, tmp_path):
    first = read_epw(path)
    out = write_epw(first, tmp_path / "copy.epw")
    second = read_epw(out)
    pd.testing.assert_frame_equal(second.data, first.data)
    assert second.location == first.location
    assert repr(second.design_conditions) == repr(first.design_conditions)
    assert repr(second.ground_temperatures) == repr(first.ground_temperatures)  # NaN != NaN
    assert second.header == {**first.header, "LOCATION": second.header["LOCATION"]}
    assert not list(tmp_path.glob(".*tmp"))


def test_round_trip_variants(vienna_epw, tmp_path):
    for lines in (leap_year_lines(vienna_epw), sub_hourly_lines(vienna_epw, 2)):
        first = read_epw(text_of(lines))
        second = read_epw(write_epw(first, tmp_path / "v.epw"))
        pd.testing.assert_frame_equal(second.data, first.data)


# --------------------------------------------------------------------------- bad input


def _edit(lines: list[str], row: int, field: int, value: str) -> list[str]:
    out = list(lines)
    f = out[row].split(",")
    f[field] = value
    out[row] = ",".join(f)
    return out


def bad_inputs(path: Path) -> list[tuple[str, bytes, str]]:
    """(name, content, regex the message must match)."""
    lines = lines_of(path)
    t = lambda ls: text_of(ls).encode("latin-1")  # noqa: E731
    zip_none, zip_two = io.BytesIO(), io.BytesIO()
    with zipfile.ZipFile(zip_none, "w") as zf:
        zf.writestr("readme.txt", "nothing here")
    with zipfile.ZipFile(zip_two, "w") as zf:
        zf.writestr("a.epw", t(lines))
        zf.writestr("b.epw", t(lines))
    return [
        ("empty file", b"", r"line 1: empty file"),
        ("blank lines only", b"\n\n  \n", r"line 1: empty file"),
        ("html error page", b"<!DOCTYPE html><html><body>404 Not Found</body></html>", r"line 1: .*HTML"),
        ("binary garbage", bytes(range(256)) * 20, r"line 1: binary data"),
        ("not an epw", b"a,b,c\n1,2,3\n", r"line 1: not an EPW file"),
        ("header cut short", t(lines[:5]), r"line 6: file ends before the COMMENTS 1"),
        ("header record missing", t(lines[:7] + lines[8:]), r"line 8: expected the DATA PERIODS"),
        ("no data", t(lines[:8]), r"line 9: no data records"),
        ("truncated mid-line", t(lines[:5000])[:-40], r"line 5000: \d+ fields, expected 35 \(file truncated\?\)"),
        ("truncated at a line", t(lines[:5008]), r"line 5008: 5000 records is not a whole number of days"),
        ("truncated at midnight", t(lines[:4808]), r"line 4808: DATA PERIODS announce 8760 records, the file has 4800"),
        ("extra field", t(lines[:100] + [lines[100] + ",1"] + lines[101:]), r"line 101: 36 fields, expected 35"),
        ("missing field", t(lines[:200] + [lines[200].rsplit(",", 1)[0]] + lines[201:]), r"line 201: 34 fields"),
        ("text in temp_air", t(_edit(lines, 300, 6, "warm")), r"line 301, field 7 \(temp_air\): expected a number, got 'warm'"),
        ("text in year", t(_edit(lines, 10, 0, "19x2")), r"line 11, field 1 \(year\): expected a number"),
        ("fraction in hour", t(_edit(lines, 12, 3, "3.5")), r"line 13, field 4 \(hour\): '3.5' is not an integer"),
        ("month 13", t(_edit(lines, 20, 1, "13")), r"line 21, field 2 \(month\): 13 outside 1..12"),
        ("hour 25", t(_edit(lines, 30, 3, "25")), r"line 31, field 4 \(hour\): 25 outside 1..24"),
        ("30 February", t(_edit(_edit(lines, 40 * 24 + 8, 2, "30"), 40 * 24 + 8, 1, "2")), r"line 969, field 3 \(day\): 2/30 is not a date"),
        ("nan value", t(_edit(lines, 50, 13, "nan")), r"line 51, field 14 \(ghi\): 'nan' is not finite"),
        ("bad latitude", t(_edit(lines, 0, 6, "north")), r"line 1, field 7 \(latitude\): expected a number"),
        ("latitude out of range", t(_edit(lines, 0, 6, "95")), r"line 1, field 7 \(latitude\): 95.0 outside -90..90"),
        ("records per hour 7", t(_edit(lines, 7, 2, "7")), r"line 8, field 3 \(records per hour\)"),
        ("blank line in data", t(lines[:60] + [""] + lines[60:]), r"line 61: empty line inside the data"),
        ("zip without epw", zip_none.getvalue(), r"zip archive holds no .epw file"),
        ("zip with two epws", zip_two.getvalue(), r"zip archive holds 2 .epw files"),
        ("corrupt gzip", gzip.compress(t(lines))[:500], r"corrupt gzip"),
    ]


def test_at_least_15_bad_inputs_each_named(vienna_epw):
    cases = bad_inputs(vienna_epw)
    assert len(cases) >= 15
    for name, content, pattern in cases:
        with pytest.raises(EPWError) as info:
            read_epw(content)
        assert isinstance(info.value, ValueError)
        assert re.search(pattern, str(info.value)), f"{name}: {info.value}"
        assert "\n" not in str(info.value), name


def test_missing_path_is_epwerror(tmp_path):
    with pytest.raises(EPWError, match="no such file"):
        read_epw(tmp_path / "nope.epw")
    with pytest.raises(EPWError, match="is a directory"):
        read_epw(tmp_path)


@pytest.fixture(scope="module")
def one_day(vienna_epw) -> list[str]:
    lines = lines_of(vienna_epw)
    dp = lines[7].split(",")
    dp[-1] = "1/ 1"
    return lines[:7] + [",".join(dp)] + lines[8:32]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    row=st.integers(min_value=0, max_value=31),
    position=st.integers(min_value=0, max_value=400),
    junk=st.text(alphabet=st.characters(codec="latin-1"), min_size=0, max_size=6),
    drop=st.integers(min_value=0, max_value=5),
)
def test_fuzzed_lines_give_epwerror_or_valid_weather(one_day, row, position, junk, drop):
    lines = list(one_day)
    line = lines[row]
    at = min(position, len(line))
    lines[row] = line[:at] + junk + line[at + drop:]
    try:
        w = read_epw(text_of(lines).encode("latin-1"))
    except EPWError as err:
        assert re.search(r"line \d+", str(err)), str(err)
        return
    assert len(w.data) == 24 and list(w.data.columns) == list(COLUMNS)
    assert w.data.index.is_unique
    assert w.data[["year", "month", "day", "hour"]].notna().all().all()


# --------------------------------------------------------------------------- CLI


def test_cli_json(vienna_epw):
    out = subprocess.run([sys.executable, "-m", "climatevis", "epw", str(vienna_epw), "--json"],
                         capture_output=True, text=True, check=True)
    payload = json.loads(out.stdout)
    for key in ("city", "country", "latitude", "longitude", "utc_offset", "elevation", "records",
                "records_per_hour", "is_leap_year", "temp_air_mean", "ghi_annual_kwh_m2"):
        assert key in payload
    assert payload["records"] == 8760 and payload["latitude"] == 48.12
    data, _ = pvlib.iotools.read_epw(vienna_epw)
    assert payload["ghi_annual_kwh_m2"] == pytest.approx(data["ghi"].sum() / 1000)
    assert payload["temp_air_mean"] == pytest.approx(data["temp_air"].mean())


def test_cli_error_is_one_line_and_nonzero(tmp_path):
    bad = tmp_path / "bad.epw"
    bad.write_text("<html>error</html>")
    out = subprocess.run([sys.executable, "-m", "climatevis", "epw", str(bad)], capture_output=True, text=True)
    assert out.returncode == 2
    assert out.stderr.count("\n") == 1 and "bad.epw: line 1" in out.stderr


# --------------------------------------------------------------------------- demo station assets


def assert_same_weather(back, weather, fields):
    """``back`` (unpacked from an asset) holds ``weather``'s calendar and ``fields`` exactly."""
    from climatevis import assets

    assert back.data.index.equals(weather.data.index)
    for col in (*assets.CALENDAR, *fields):
        np.testing.assert_array_equal(back.data[col].to_numpy(float), weather.data[col].to_numpy(float),
                                      err_msg=col)  # NaN where the file has a missing value
    assert back.location == weather.location and back.header == weather.header
    assert back.records_per_hour == weather.records_per_hour and back.is_leap_year == weather.is_leap_year
    assert back.data_periods == weather.data_periods and back.comments == weather.comments
    assert back.holidays_dst == weather.holidays_dst
    # parsed header views (NaN for empty fields, hence compared as text)
    assert repr(back.ground_temperatures) == repr(weather.ground_temperatures)
    assert repr(back.design_conditions) == repr(weather.design_conditions)


@pytest.mark.parametrize("prefix", ["AUT_Vienna", "USA_CO_Denver"])
def test_station_asset_round_trip_is_lossless(prefix, tmp_path):
    from climatevis import assets
    from tests.conftest import shared_epw

    path = shared_epw(prefix)
    weather = read_epw(path)
    (entry,) = assets.write_station_assets([path], tmp_path)
    assert entry["bytes"] < 100_000 and (tmp_path / entry["file"]).stat().st_size == entry["bytes"]
    back = assets.load_station(tmp_path, entry)
    assert_same_weather(back, weather, assets.DEMO_FIELDS)
    assert back.source_name == path.name


def test_leap_year_and_subhourly_assets_round_trip(vienna_epw):
    from climatevis import assets
    from tests.test_climate import leap_year_epw, subhourly_epw

    for raw in (leap_year_epw(vienna_epw), subhourly_epw(vienna_epw)):
        weather = read_epw(raw)
        assert_same_weather(assets.unpack_weather(assets.pack_weather(weather)), weather, assets.DEMO_FIELDS)


def test_corrupt_assets_are_named(vienna_epw, tmp_path):
    from climatevis import assets

    (entry,) = assets.write_station_assets([vienna_epw], tmp_path)
    blob = (tmp_path / entry["file"]).read_bytes()
    (tmp_path / entry["file"]).write_bytes(blob[:-1] + bytes([blob[-1] ^ 1]))
    with pytest.raises(assets.AssetError, match=rf"{re.escape(entry['file'])}: sha256 .* does not match"):
        assets.load_station(tmp_path, entry)
    for bad, message in ((b"not an asset", "not a climatevis station asset"),
                         (blob[:len(blob) // 2], "corrupt asset"),
                         (b"garbage", "not a climatevis station asset")):
        with pytest.raises(assets.AssetError, match=message):
            assets.unpack_weather(bad, "x.cvw")
