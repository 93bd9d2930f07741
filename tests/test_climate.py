"""climatevis.climate against independent references.

References: pythermalcomfort (UTCI, adaptive models, running mean, SolarCal,
PMV), ladybug-core (psychrometrics, wind rose, design days, daily means),
pvlib (solar position), the ASHRAE Handbook's tables and the examples quoted
in issue 3, and hand-computed values. pythermalcomfort and ladybug are used
here only; ``climatevis.climate`` imports numpy and pandas alone.
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from climatevis import climate
from climatevis.epw import nominal_day, read_epw

RNG = np.random.default_rng(20260212)


# --------------------------------------------------------------------------- test weather


def _epw_lines(path: Path) -> tuple[list[str], list[list[str]]]:
    text = Path(path).read_text(encoding="latin-1").replace("\r\n", "\n")
    lines = text.rstrip("\n").split("\n")
    return lines[:8], [line.split(",") for line in lines[8:]]


def leap_year_epw(path: Path) -> bytes:
    """A real EPW turned into a leap-year file: February's rows get the year 2020 and
    28 February is repeated as 29 February (8784 rows)."""
    header, rows = _epw_lines(path)
    out = []
    for row in rows:
        if row[1].strip() == "2":
            row = [row[0], *row[1:]]
            row[0] = "2020"
        out.append(row)
        if row[1].strip() == "2" and row[2].strip() == "28":
            out.append([row[0], row[1], "29", *row[3:]])
    holidays = header[4].split(",")
    holidays[1] = "Yes"
    header[4] = ",".join(holidays)
    return ("\n".join([*header, *(",".join(r) for r in out)]) + "\n").encode("latin-1")


def subhourly_epw(path: Path, per_hour: int = 4) -> bytes:
    """A real EPW at ``per_hour`` records per hour: each hour's record repeated, minutes set."""
    header, rows = _epw_lines(path)
    periods = header[7].split(",")
    periods[2] = str(per_hour)
    header[7] = ",".join(periods)
    step = 60 // per_hour
    out = []
    for row in rows:
        for k in range(per_hour):
            out.append([*row[:4], str(step * (k + 1)), *row[5:]])
    return ("\n".join([*header, *(",".join(r) for r in out)]) + "\n").encode("latin-1")


@pytest.fixture(scope="session")
def vienna(vienna_epw):
    return read_epw(vienna_epw)


@pytest.fixture(scope="session")
def vienna_frame(vienna):
    return climate.derive(vienna)


@pytest.fixture(scope="session")
def weathers(all_epws):
    return {p.name: read_epw(p) for p in all_epws}


@pytest.fixture(scope="session")
def frames(weathers):
    return {name: climate.derive(w) for name, w in weathers.items()}


# --------------------------------------------------------------------------- psychrometrics


def test_saturation_pressure_matches_ashrae_table_and_ladybug():
    from ladybug.psychrometrics import saturated_vapor_pressure

    # ASHRAE Handbook -- Fundamentals 2017, ch. 1, table 3 (kPa)
    table = {-20.0: 0.10326, 0.0: 0.61121, 20.0: 2.3389, 40.0: 7.3849, 60.0: 19.946}
    for t, kpa in table.items():
        assert climate.saturation_vapor_pressure(t) / 1000 == pytest.approx(kpa, rel=2e-4), t
    t = np.concatenate([RNG.uniform(-60, -0.01, 300), RNG.uniform(0.01, 80, 300)])
    ref = np.array([saturated_vapor_pressure(x + 273.15) for x in t])
    np.testing.assert_allclose(climate.saturation_vapor_pressure(t), ref, rtol=1e-9)


def test_pressure_from_elevation_ashrae_table_1():
    # ASHRAE Fundamentals 2017 ch. 1 table 1: standard atmosphere
    assert climate.pressure_from_elevation(0) == pytest.approx(101325, abs=1)
    assert climate.pressure_from_elevation(1500) == pytest.approx(84556, abs=5)
    assert climate.pressure_from_elevation(-500) == pytest.approx(107478, abs=5)


def test_humidity_ratio_enthalpy_dew_point_against_ladybug():
    from ladybug import psychrometrics as lp

    t = RNG.uniform(-25, 45, 400)
    rh = RNG.uniform(5, 100, 400)
    p = RNG.uniform(80000, 103000, 400)
    pw = rh / 100 * climate.saturation_vapor_pressure(t)
    w = climate.humidity_ratio(pw, p)
    np.testing.assert_allclose(w, [lp.humid_ratio_from_db_rh(a, b, c) for a, b, c in zip(t, rh, p)], rtol=1e-9)
    h = climate.enthalpy(t, w)
    ref_h = np.array([lp.enthalpy_from_db_hr(a, b) for a, b in zip(t, w)])
    positive = ref_h > 0  # ladybug clips enthalpies below its reference to zero
    np.testing.assert_allclose(h[positive], ref_h[positive], rtol=1e-9)
    td = climate.dew_point(pw)
    ref = np.array([lp.dew_point_from_db_rh(a, b) for a, b in zip(t, rh)])
    np.testing.assert_allclose(td, ref, atol=0.01)
    # exact inverse of the saturation pressure, over ice and over water
    tt = np.linspace(-60, 80, 141)
    np.testing.assert_allclose(climate.dew_point(climate.saturation_vapor_pressure(tt)), tt, atol=1e-7)
    np.testing.assert_allclose(climate.relative_humidity_from_humidity_ratio(t, w, p), rh, rtol=1e-9)


def test_wet_bulb_solves_ashrae_eq_33_and_agrees_with_ladybug():
    from ladybug import psychrometrics as lp

    # ASHRAE Fundamentals ch. 1 eq. (33), computed by hand for t = 30 °C, t* = 25 °C at sea level
    ws = 0.621945 * 3169.9 / (101325 - 3169.9)
    w = ((2501 - 2.326 * 25) * ws - 1.006 * 5) / (2501 + 1.86 * 30 - 4.186 * 25)
    assert climate.wet_bulb(30.0, w, 101325) == pytest.approx(25.0, abs=0.01)
    t = RNG.uniform(-25, 45, 1000)
    rh = RNG.uniform(5, 100, 1000)
    w = climate.humidity_ratio(rh / 100 * climate.saturation_vapor_pressure(t))
    wb = climate.wet_bulb(t, w)
    ref = np.array([lp.wet_bulb_from_db_rh(a, b) for a, b in zip(t, rh)])  # bisection to 0.1 K
    # eqs. (33)/(35) jump at t* = 0 °C (water/ice); there a bisection stops at the jump, not a root
    away = np.abs(wb) > 0.5
    np.testing.assert_allclose(wb[away], ref[away], atol=0.06)
    p = np.full(t.shape, 101325.0)
    assert np.max(np.abs(climate._w_from_wet_bulb(t, wb, p) - w)) < 1e-12  # ours solves the equation everywhere
    assert np.all(wb <= t + 1e-9)
    assert np.all(wb >= climate.dew_point(rh / 100 * climate.saturation_vapor_pressure(t)) - 1e-9)


# --------------------------------------------------------------------------- degree days


def test_degree_days_hand_computed_methods():
    months = np.repeat(np.arange(1, 13), [24 * d for d in (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)])
    day = np.tile(np.r_[np.full(12, 20.0), np.full(12, 10.0)], 365)  # 12 h at 20, 12 h at 10 °C
    hourly = climate.degree_days(day, months, 18.0, "heating", "hourly")
    daily = climate.degree_days(day, months, 18.0, "heating", "daily")
    assert hourly.sum() == pytest.approx(365 * 12 * 8 / 24)  # only the cold hours count
    assert daily.sum() == pytest.approx(365 * 3)  # daily mean 15 °C
    assert hourly[2] == pytest.approx(28 * 4)
    assert climate.degree_days(day, months, 18.0, "cooling", "hourly").sum() == pytest.approx(365 * 12 * 2 / 24)
    assert climate.degree_days(day, months, 18.0, "cooling", "daily").sum() == 0
    # Austrian HGT 20/12: only days with a mean below 12 °C, each counting 20 - mean
    cold = np.full(8760, 11.0)
    warm = np.full(8760, 13.0)
    assert climate.degree_days(cold, months, 20, "heating", "daily", heating_limit=12).sum() == pytest.approx(365 * 9)
    assert climate.degree_days(warm, months, 20, "heating", "daily", heating_limit=12).sum() == 0
    with pytest.raises(ValueError, match="heating_limit"):
        climate.degree_days(cold, months, 20, "heating", "hourly", heating_limit=12)
    with pytest.raises(ValueError, match="kind"):
        climate.degree_days(cold, months, 20, "warming")


def test_degree_days_missing_values_are_scaled_not_dropped():
    months = np.repeat(np.arange(1, 13), 730)[:8760]
    t = np.full(8760, 8.0)
    full = climate.degree_days(t, months, 18.0)
    t[::2] = np.nan
    assert climate.degree_days(t, months, 18.0).to_numpy() == pytest.approx(full.to_numpy())


def test_daily_degree_days_match_ladybug_daily_means(vienna_epw, vienna, vienna_frame):
    from ladybug.epw import EPW

    lb = EPW(str(vienna_epw))
    # ladybug starts its year at 0:00 (EPW hour 24 of 31 December moved to the front), so
    # its days are one hour off the EPW's (hours 1-24); undo the shift, then average per day
    hourly_lb = np.roll(np.array(lb.dry_bulb_temperature.values), -1)
    daily_means = hourly_lb.reshape(365, 24).mean(axis=1)
    month_of_day = np.array([dt.month for dt in lb.dry_bulb_temperature.datetimes])[12::24]
    ref = np.bincount(month_of_day - 1, weights=np.clip(18.0 - daily_means, 0, None), minlength=12)
    ours = climate.degree_days(vienna_frame["temp_air"], vienna_frame["month"], 18.0, "heating", "daily")
    np.testing.assert_allclose(ours.to_numpy(), ref, atol=1e-9)
    hourly = climate.degree_days(vienna_frame["temp_air"], vienna_frame["month"], 18.0)
    ref_hourly = np.array(lb.dry_bulb_temperature.values)
    assert hourly.sum() == pytest.approx(np.clip(18.0 - ref_hourly, 0, None).sum() / 24)


def test_degree_days_leap_and_subhourly(vienna_epw, vienna, vienna_frame):
    leap = read_epw(leap_year_epw(vienna_epw))
    sub = read_epw(subhourly_epw(vienna_epw))
    assert len(leap.data) == 8784 and len(sub.data) == 4 * 8760
    f_leap, f_sub = climate.derive(leap), climate.derive(sub)
    base = climate.degree_days(vienna_frame["temp_air"], vienna_frame["month"], 18.0)
    hdd_sub = climate.degree_days(f_sub["temp_air"], f_sub["month"], 18.0, records_per_hour=4)
    np.testing.assert_allclose(hdd_sub.to_numpy(), base.to_numpy(), rtol=1e-12)
    hdd_leap = climate.degree_days(f_leap["temp_air"], f_leap["month"], 18.0, "heating", "daily")
    feb28 = (vienna_frame["month"] == 2) & (vienna_frame["day"] == 28)
    extra = max(18.0 - vienna_frame.loc[feb28, "temp_air"].mean(), 0)
    daily = climate.degree_days(vienna_frame["temp_air"], vienna_frame["month"], 18.0, "heating", "daily")
    assert hdd_leap[2] == pytest.approx(daily[2] + extra)
    assert f_leap["doy"].max() == 366


def test_nominal_day_of_year_is_the_calendar_day(vienna_frame):
    # TMY months come from different years: the day of year is that of one nominal year
    expected = pd.to_datetime({"year": 2001, "month": vienna_frame["month"], "day": vienna_frame["day"]})
    np.testing.assert_array_equal(vienna_frame["doy"], expected.dt.day_of_year)
    doy, leap = nominal_day(np.array([2, 2, 3, 12]), np.array([28, 29, 1, 31]))
    assert leap and doy.tolist() == [59, 60, 61, 366]
    doy, leap = nominal_day(np.array([3, 12]), np.array([1, 31]))
    assert not leap and doy.tolist() == [60, 365]
    assert nominal_day(np.arange(1, 13), 1, leap=True)[0].tolist()[1:3] == [32, 61]


# --------------------------------------------------------------------------- statistics


def test_monthly_statistics_and_profiles_match_pandas(vienna_frame):
    f = vienna_frame
    stats = climate.monthly_statistics(f["temp_air"], f["month"])
    by_month = f.groupby("month")["temp_air"]
    np.testing.assert_allclose(stats["mean"], by_month.mean())
    np.testing.assert_allclose(stats["p01"], by_month.quantile(0.01))
    np.testing.assert_allclose(stats["p99"], by_month.quantile(0.99))
    daily = f.groupby("day_index")["temp_air"].agg(["min", "max"]).assign(month=f.groupby("day_index")["month"].first())
    np.testing.assert_allclose(stats["diurnal_range"], (daily["max"] - daily["min"]).groupby(daily["month"]).mean())
    prof = climate.diurnal_profile(f["temp_air"], f["month"], f["hour"])
    ref = f.groupby(["month", "hour"])["temp_air"].agg(["mean", "min", "max"])
    np.testing.assert_allclose(prof["mean"].ravel(), ref["mean"])
    np.testing.assert_allclose(prof["q0"].ravel(), ref["min"])
    np.testing.assert_allclose(prof["q1"].ravel(), ref["max"])


# --------------------------------------------------------------------------- adaptive comfort


def test_adaptive_ashrae55_published_example_and_pythermalcomfort():
    from pythermalcomfort.models import adaptive_ashrae

    band = climate.adaptive_ashrae55([20.0]).iloc[0]  # issue 3: Trm 20 °C -> 24.0 °C, 20.5-27.5
    assert band["t_cmf"] == pytest.approx(24.0)
    assert (band["lower_80"], band["upper_80"]) == pytest.approx((20.5, 27.5))
    assert (band["lower_90"], band["upper_90"]) == pytest.approx((21.5, 26.5))
    trm = RNG.uniform(10, 33.5, 200)
    to = RNG.uniform(15, 35, 200)
    for speed in (0.1, 0.6, 0.9, 1.2):
        ours = climate.adaptive_ashrae55(trm, to, speed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ref = adaptive_ashrae(tdb=to, tr=to, t_running_mean=trm, v=speed, round_output=False)
        np.testing.assert_allclose(ours["t_cmf"], ref.tmp_cmf, atol=1e-9)
        ok = np.isfinite(ref.tmp_cmf_80_up)
        np.testing.assert_allclose(ours["upper_80"][ok], ref.tmp_cmf_80_up[ok], atol=1e-9)
        np.testing.assert_allclose(ours["upper_90"][ok], ref.tmp_cmf_90_up[ok], atol=1e-9)
        np.testing.assert_allclose(ours["lower_80"][ok], ref.tmp_cmf_80_low[ok], atol=1e-9)
    flags = climate.adaptive_ashrae55([9.9, 10.0, 33.5, 33.6])["applicable"].tolist()
    assert flags == [False, True, True, False]


def test_adaptive_en16798_against_pythermalcomfort():
    from pythermalcomfort.models import adaptive_en

    band = climate.adaptive_en16798([20.0]).iloc[0]
    assert band["t_cmf"] == pytest.approx(25.4)
    assert (band["lower_II"], band["upper_II"]) == pytest.approx((21.4, 28.4))
    trm = RNG.uniform(10, 30, 200)
    to = RNG.uniform(15, 35, 200)
    for speed in (0.1, 0.6, 1.2):
        ours = climate.adaptive_en16798(trm, to, speed)
        ref = adaptive_en(tdb=to, tr=to, t_running_mean=trm, v=speed, round_output=False)
        for mine, theirs in (("t_cmf", "tmp_cmf"), ("lower_I", "tmp_cmf_cat_i_low"),
                             ("upper_I", "tmp_cmf_cat_i_up"), ("lower_III", "tmp_cmf_cat_iii_low"),
                             ("upper_III", "tmp_cmf_cat_iii_up")):
            np.testing.assert_allclose(ours[mine], getattr(ref, theirs), atol=1e-9)
    flags = climate.adaptive_en16798([9.9, 12.0, 20.0, 30.1])
    assert flags["applicable_upper"].tolist() == [False, True, True, False]
    assert flags["applicable_lower"].tolist() == [False, False, True, False]


def test_running_mean_against_pythermalcomfort():
    from pythermalcomfort.environment import running_mean_outdoor_temperature

    daily = RNG.uniform(-5, 30, 365)
    ours = climate.running_mean_temperature(daily, alpha=0.8)
    for day in (0, 3, 7, 100, 364):
        previous = [daily[(day - k) % 365] for k in range(1, 8)]  # newest first; wraps to December
        # pythermalcomfort rounds to 0.1 K
        assert ours[day] == pytest.approx(running_mean_outdoor_temperature(previous, alpha=0.8), abs=0.05)
        weights = 0.8 ** np.arange(7)
        assert ours[day] == pytest.approx(np.dot(weights, previous) / weights.sum(), abs=1e-12)
    assert climate.running_mean_temperature(np.full(10, 12.0))[0] == pytest.approx(12.0)


def test_adaptive_comfort_hours_adds_up_and_classifies():
    t = np.array([18.0, 22.0, 30.0, 22.0])
    lo = np.array([20.0, 20.0, 20.0, np.nan])
    hi = np.array([26.0, 26.0, 26.0, np.nan])
    table = climate.adaptive_comfort_hours(t, lo, hi, [1, 1, 1, 1])
    assert table.loc["Jan"].tolist() == pytest.approx([25.0, 25.0, 25.0, 25.0])
    assert table.loc["Jan"].sum() == pytest.approx(100)
    assert np.isnan(table.loc["Feb", "inside"])


# --------------------------------------------------------------------------- UTCI


def test_utci_published_value_and_validity():
    assert round(float(climate.utci(25, 25, 1.0, 50)), 1) == 24.6  # pythermalcomfort's documented example
    assert np.isnan(climate.utci(51, 51, 1, 50))
    assert np.isnan(climate.utci(20, 20, 0.4, 50))
    assert np.isnan(climate.utci(20, 20, 17.1, 50))
    assert np.isnan(climate.utci(20, 91, 1, 50))  # Tmrt - Ta > 70 K
    assert np.isnan(climate.utci(20, -11, 1, 50))  # Tmrt - Ta < -30 K
    assert np.isnan(climate.utci(45, 45, 1, 95))  # vapour pressure above 5 kPa
    assert np.isfinite(climate.utci(-50, -50, 0.5, 100))


def test_utci_within_0_1_of_pythermalcomfort_where_valid():
    from pythermalcomfort.models import utci

    n = 20000
    ta = RNG.uniform(-50, 50, n)
    tr = ta + RNG.uniform(-30, 70, n)
    va = RNG.uniform(0.5, 17, n)
    rh = RNG.uniform(0, 100, n)
    ours = climate.utci(ta, tr, va, rh)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = utci(ta, tr, va, rh, round_output=False).utci
    assert np.array_equal(np.isnan(ours), np.isnan(ref))
    ok = np.isfinite(ref)
    assert ok.sum() > 0.8 * n
    assert np.max(np.abs(ours[ok] - ref[ok])) < 0.1
    assert np.max(np.abs(ours[ok] - ref[ok])) < 1e-6  # in fact the same polynomial


def test_utci_stress_categories():
    values = np.array([-45, -40, -39.9, -27, -20, -13, -5, 0, 5, 9, 9.1, 26, 26.1, 32, 35, 38, 40, 46, 47, np.nan])
    codes = climate.utci_stress_category(values)
    expected = [-5, -5, -4, -4, -3, -3, -2, -2, -1, -1, 0, 0, 1, 1, 2, 2, 3, 3, 4]
    assert codes[:-1].tolist() == expected
    assert np.isnan(codes[-1])
    assert len(climate.UTCI_CATEGORIES) == 10
    assert climate.UTCI_CATEGORIES[5][0] == "no thermal stress"


# --------------------------------------------------------------------------- SolarCal, sun


def test_solarcal_against_pythermalcomfort():
    from pythermalcomfort.models import solar_gain

    alt = RNG.uniform(0, 90, 300)
    sharp = RNG.uniform(0, 180, 300)
    dni = RNG.uniform(0, 1000, 300)
    refl = RNG.uniform(0, 0.6, 300)
    ref = solar_gain(sol_altitude=alt, sharp=sharp, sol_radiation_dir=dni, sol_transmittance=1, f_svv=1,
                     f_bes=1, asw=0.7, posture="standing", floor_reflectance=refl, round_output=False)
    ours = np.array([climate.mrt_delta_solarcal(a, d, sharp=s, ground_reflectance=r, max_delta=None)
                     for a, d, s, r in zip(alt, dni, sharp, refl)])
    np.testing.assert_allclose(ours, ref.delta_mrt, rtol=1e-6, atol=1e-9)
    # with measured diffuse and global irradiance the sky terms follow them
    assert climate.mrt_delta_solarcal(-5.0, 0.0, 0.0, 0.0) == 0.0
    assert climate.mrt_delta_solarcal(30.0, 800.0, 100.0, 500.0) > climate.mrt_delta_solarcal(30.0, 800.0, 50.0, 450.0)
    assert climate.mrt_delta_solarcal(60, 5000.0) == 70.0  # capped at the UTCI limit


def test_derived_sun_is_pvlibs_at_mid_interval(weathers, frames):
    import pvlib

    for name, w in list(weathers.items())[:5]:
        loc = w.location
        times = w.data.index + pd.Timedelta(minutes=30)  # EPW values cover the hour before the label
        ref = pvlib.solarposition.get_solarposition(times, loc.latitude, loc.longitude, altitude=loc.elevation)
        f = frames[name]
        up = ref["elevation"].to_numpy() > 0
        d_el = f["solar_elevation"].to_numpy() - ref["elevation"].to_numpy()
        assert np.max(np.abs(d_el[up])) < 0.05, name
        high = (ref["elevation"].to_numpy() > 1) & (ref["elevation"].to_numpy() < 85)
        d_az = (f["solar_azimuth"].to_numpy() - ref["azimuth"].to_numpy() + 180) % 360 - 180
        assert np.max(np.abs(d_az[high])) < 0.05, name


def test_sun_path_noon_height_on_the_solstice():
    for lat in (48.2, 25.3, -33.9):
        paths = climate.sun_path(lat, 16.4, 1.0)
        june = paths["days"][paths["days"]["month"] == 6]["elevation"].max()
        december = paths["days"][paths["days"]["month"] == 12]["elevation"].max()
        summer, winter = (june, december) if lat > 0 else (december, june)
        # declination ±23.44°, refraction ~0.01° at these heights, 10-min sampling
        noon_summer = 90 - abs(lat) + 23.44
        if noon_summer < 80:  # near the zenith the 10-minute samples miss the peak
            assert summer == pytest.approx(noon_summer, abs=0.15)
        assert winter == pytest.approx(90 - abs(lat) - 23.44, abs=0.15)
        assert (paths["hours"]["elevation"] > 0).all()


# --------------------------------------------------------------------------- wind


def test_wind_rose_sectors_classes_and_calm_by_hand():
    direction = np.array([0, 11.2, 11.25, 348.75, 360, 90, 180, 270, 45, 200])
    speed = np.array([0.4, 0.5, 1.5, 3.3, 20.7, 5.0, 7.9, 0.0, 2.0, np.nan])
    rose = climate.wind_rose(direction, speed)
    assert rose.attrs["records"] == 9  # the NaN speed is left out
    assert rose.attrs["calm"] == pytest.approx(100 * 2 / 9)
    assert rose.loc[0.0, "0.5-1.5"] == pytest.approx(100 / 9)  # 11.2° is still north
    assert rose.loc[22.5, "1.5-3.3"] == pytest.approx(100 / 9)  # 11.25° starts the NNE sector
    assert rose.loc[0.0, "3.3-5.5"] == pytest.approx(100 / 9)  # 348.75° is north again
    assert rose.loc[0.0, ">=20.7"] == pytest.approx(100 / 9)
    assert rose.loc[45.0, "1.5-3.3"] == pytest.approx(100 / 9)
    assert rose.to_numpy().sum() + rose.attrs["calm"] == pytest.approx(100)
    assert rose.columns[0] == "0.5-1.5" and len(rose.columns) == 9 and len(rose) == 16


def test_wind_rose_matches_ladybug_histogram(vienna_epw, vienna_frame):
    from ladybug.epw import EPW
    from ladybug.windrose import WindRose

    lb = EPW(str(vienna_epw))
    rose_lb = WindRose(lb.wind_direction, lb.wind_speed, 16)
    counts_lb = np.array([len(b) for b in rose_lb.histogram_data])
    ours = climate.wind_rose(vienna_frame["wind_direction"], vienna_frame["wind_speed"], speed_bins=(1e-10,))
    counts = np.round(ours.iloc[:, 0].to_numpy() * 8760 / 100).astype(int)
    assert rose_lb.zero_count == round(ours.attrs["calm"] * 8760 / 100)
    np.testing.assert_array_equal(counts, counts_lb)


def test_wind_statistics(vienna_frame):
    stats = climate.wind_statistics(vienna_frame["wind_direction"], vienna_frame["wind_speed"])
    assert stats["mean_speed"] == pytest.approx(vienna_frame["wind_speed"].mean())
    rose = climate.wind_rose(vienna_frame["wind_direction"], vienna_frame["wind_speed"])
    assert stats["prevailing_direction"] == rose.sum(axis=1).idxmax()


# --------------------------------------------------------------------------- design conditions


def test_design_conditions_from_header_and_from_data(vienna, vienna_frame):
    design = climate.design_conditions(vienna, vienna_frame)
    assert design["from_header"]
    assert design["heating"]["db_996"] == -11.5  # Vienna IWEC header (ASHRAE 2009)
    assert design["cooling"]["db_004"] == 30.9
    computed = design["computed"]
    t = vienna_frame["temp_air"].to_numpy()
    assert computed["heating"]["db_996"] == pytest.approx(np.percentile(t, 0.4))
    assert computed["cooling"]["db_010"] == pytest.approx(np.percentile(t, 99))
    assert (t > computed["cooling"]["db_004"]).mean() == pytest.approx(0.004, abs=0.001)


def test_computed_design_dry_bulbs_match_ladybug_design_days(vienna_epw, vienna_frame):
    from ladybug.epw import EPW

    lb = EPW(str(vienna_epw))
    winter = lb.approximate_design_day("WinterDesignDay", 0.4)
    summer = lb.approximate_design_day("SummerDesignDay", 0.4)
    computed = climate.design_conditions_from_data(vienna_frame["temp_air"], vienna_frame["wet_bulb"],
                                                   vienna_frame["wind_speed"], vienna_frame["month"])
    assert computed["heating"]["db_996"] == pytest.approx(winter.dry_bulb_condition.dry_bulb_max, abs=0.15)
    assert computed["cooling"]["db_004"] == pytest.approx(summer.dry_bulb_condition.dry_bulb_max, abs=0.15)
    assert computed["cooling"]["db_range"] == pytest.approx(summer.dry_bulb_condition.dry_bulb_range, abs=0.15)


def test_design_conditions_close_to_the_ashrae_header(weathers, frames):
    for name, w in weathers.items():
        design = climate.design_conditions(w, frames[name])
        if not design["from_header"]:
            continue
        # one typical year against ASHRAE's multi-year statistics: indicative agreement
        assert design["computed"]["heating"]["db_996"] == pytest.approx(design["heating"]["db_996"], abs=6), name
        assert design["computed"]["cooling"]["db_004"] == pytest.approx(design["cooling"]["db_004"], abs=3), name


def test_design_conditions_computed_when_the_header_has_none(vienna_epw):
    text = Path(vienna_epw).read_text(encoding="latin-1").split("\n")
    text[1] = "DESIGN CONDITIONS,0"
    w = read_epw("\n".join(text).encode("latin-1"))
    design = climate.design_conditions(w)
    assert not design["from_header"]
    assert design["heating"] == design["computed"]["heating"]
    assert "computed" in design["source"]
    table = climate.design_table(design)
    assert (table["file header"] == "—").all()


# --------------------------------------------------------------------------- Köppen-Geiger

KOPPEN_CASES = {  # approximate climate normals; expected class by Peel et al.'s rules, by hand
    "Singapore": ("Af", 1.3, [26.5, 27, 27.5, 28, 28.3, 28.2, 27.8, 27.7, 27.6, 27.6, 27, 26.5],
                  [234, 115, 170, 179, 171, 162, 159, 176, 169, 194, 256, 288]),
    "Cairo": ("BWh", 30.0, [14, 15, 18, 21.5, 25, 27.5, 28, 28, 26, 23.5, 19, 15.5],
              [5, 4, 4, 1, 0.5, 0, 0, 0, 0, 0.7, 4, 6]),
    "London": ("Cfb", 51.5, [5.2, 5.3, 7.6, 9.9, 13.3, 16.5, 18.7, 18.5, 15.7, 12, 8, 5.5],
               [55, 41, 42, 44, 49, 45, 45, 50, 49, 69, 59, 55]),
    "Moscow": ("Dfb", 55.8, [-6.5, -6.7, -1, 6.4, 13, 17, 19.2, 17, 11.3, 5.6, -1.2, -5.2],
               [52, 41, 35, 37, 49, 80, 85, 82, 68, 71, 55, 52]),
    "Rome": ("Csa", 41.9, [7.5, 8.5, 11, 13.5, 18, 22, 25, 25, 21.5, 17, 12, 8.5],
             [67, 73, 58, 81, 53, 34, 19, 37, 73, 113, 115, 81]),
    "Sydney": ("Cfa", -33.9, [23, 23, 22, 19, 16, 13.5, 12.5, 14, 16.5, 18.5, 20, 22],
               [100, 120, 130, 125, 120, 130, 100, 80, 70, 77, 85, 78]),
    "Hong Kong": ("Cwa", 22.3, [16.3, 17, 19, 22.6, 26, 28, 29, 28.8, 28, 25.7, 21.8, 17.9],
                  [33, 42, 68, 170, 305, 456, 376, 432, 327, 100, 38, 27]),
    "Yakutsk": ("Dfd", 62.0, [-38.6, -33.8, -20.1, -4.8, 7.5, 16.4, 19.5, 15.2, 6.1, -7.8, -27, -37.6],
                [8, 6, 5, 7, 16, 31, 37, 36, 22, 14, 12, 9]),
    "Utqiagvik": ("ET", 71.3, [-25, -27, -26, -18, -6, 2, 5, 4, -1, -9, -18, -23],
                  [5, 4, 4, 4, 4, 8, 25, 28, 16, 10, 6, 5]),
    "Dakar": ("BSh", 14.7, [21.5, 21, 21.5, 22, 23.5, 26.5, 27.5, 27.5, 28, 28, 26, 23.5],
              [0, 1, 0, 0, 1, 12, 66, 155, 135, 24, 2, 1]),
}


@pytest.mark.parametrize("city", sorted(KOPPEN_CASES))
def test_koppen_geiger_classes_by_hand(city):
    code, lat, t, p = KOPPEN_CASES[city]
    result = climate.koppen_geiger(t, p, lat)
    assert result["code"] == code
    assert result["complete"]
    assert "Peel" in result["rule"]


def test_koppen_without_precipitation_reports_temperature_only():
    _, lat, t, _ = KOPPEN_CASES["London"]
    result = climate.koppen_geiger(t, None, lat)
    assert result["code"] == "C?b" and not result["complete"] and result["note"]
    assert climate.koppen_geiger(t, np.zeros(12), lat)["code"] == "C?b"
    # the C/D boundary: a coldest month of -1 °C is D with Peel's 0 °C, C with Köppen's -3 °C
    t_cold = np.array(t) - 6.2
    assert climate.koppen_geiger(t_cold, None, lat)["code"].startswith("D")
    assert climate.koppen_geiger(t_cold, None, lat, cold_threshold=-3)["code"].startswith("C")
    with pytest.raises(ValueError):
        climate.koppen_geiger(t[:11], None, lat)


def test_key_figures_of_the_shared_files(weathers, frames):
    for name, w in weathers.items():
        k = climate.key_figures(w, frames[name])
        assert k["temp_p01"] < k["temp_mean"] < k["temp_p99"], name
        assert 500 < k["ghi_annual"] < 2600, name
        assert 10 < k["diffuse_share"] < 80, name
        assert k["hdd"] >= 0 and k["cdd"] >= 0
        assert k["koppen"]["code"][0] in "ABCDE"
        if not k["koppen"]["complete"]:
            assert k["precipitation_annual"] is None and k["koppen"]["note"]
    dubai = next((n for n in weathers if n.startswith("ARE_Dubai")), None)
    if dubai:
        k = climate.key_figures(weathers[dubai], frames[dubai])
        assert k["koppen"]["code"] == "BWh"
        assert k["period"]["period_of_record"] == "1978-2019"


# --------------------------------------------------------------------------- PMV (ISO 7730)

ISO_7730_TABLE_D1 = [  # tdb, tr, v_ar, rh, met, clo -> PMV (ISO 7730:2005 annex D)
    (22.0, 22.0, 0.10, 60, 1.2, 0.5, -0.75),
    (27.0, 27.0, 0.10, 60, 1.2, 0.5, 0.77),
    (27.0, 27.0, 0.30, 60, 1.2, 0.5, 0.44),
    (23.5, 25.5, 0.10, 60, 1.2, 0.5, -0.01),
    (23.5, 25.5, 0.30, 60, 1.2, 0.5, -0.55),
    (19.0, 19.0, 0.10, 40, 1.2, 1.0, -0.60),
    (23.5, 23.5, 0.30, 40, 1.2, 1.0, 0.12),
    (23.0, 21.0, 0.10, 40, 1.2, 1.0, 0.05),
    (23.0, 21.0, 0.30, 40, 1.2, 1.0, -0.16),
    (22.0, 22.0, 0.10, 60, 1.6, 0.5, 0.05),
    (27.0, 27.0, 0.10, 60, 1.6, 0.5, 1.17),
    (27.0, 27.0, 0.30, 60, 1.6, 0.5, 0.95),
]


@pytest.mark.parametrize("case", ISO_7730_TABLE_D1)
def test_pmv_iso_7730_table(case):
    *inputs, expected = case
    assert float(climate.pmv_ppd(*inputs)["pmv"]) == pytest.approx(expected, abs=0.01)


def test_pmv_ppd_against_pythermalcomfort():
    from pythermalcomfort.models import pmv_ppd_iso

    n = 300
    args = (RNG.uniform(12, 30, n), RNG.uniform(12, 35, n), RNG.uniform(0.05, 0.9, n), RNG.uniform(10, 90, n),
            RNG.uniform(0.9, 3, n), RNG.uniform(0.1, 1.8, n))
    ours = climate.pmv_ppd(*args)
    ref = pmv_ppd_iso(*args, round_output=False, limit_inputs=False)
    np.testing.assert_allclose(ours["pmv"], ref.pmv, atol=0.01)
    np.testing.assert_allclose(ours["ppd"], ref.ppd, atol=0.3)


def test_pmv_comfort_zone_edges_are_at_pmv_plus_minus_half():
    from pythermalcomfort.models import pmv_ppd_iso

    for clo in (0.5, 1.0):
        zone = climate.pmv_comfort_zone(met=1.1, clo=clo, air_speed=0.1)
        t = zone["temp_air"].to_numpy()[:-1]
        w = zone["humidity_ratio"].to_numpy()[:-1]
        rh = climate.relative_humidity_from_humidity_ratio(t, w)
        pmv = pmv_ppd_iso(t, t, 0.1 + 0.3 * 0.1, rh, 1.1, clo, round_output=False, limit_inputs=False).pmv
        half = len(t) // 2
        np.testing.assert_allclose(pmv[:half], -0.5, atol=0.01)
        np.testing.assert_allclose(pmv[half:], 0.5, atol=0.01)
        assert w.max() == pytest.approx(0.012)
    summer = climate.pmv_comfort_zone(clo=0.5)["temp_air"]
    winter = climate.pmv_comfort_zone(clo=1.0)["temp_air"]
    assert summer.mean() > winter.mean() + 2  # lighter clothing: a warmer zone


def test_inside_polygon():
    square = ([0, 1, 1, 0, 0], [0, 0, 1, 1, 0])
    inside = climate.inside_polygon([0.5, 1.5, 0.5, 0.99], [0.5, 0.5, -0.1, 0.99], *square)
    assert inside.tolist() == [True, False, False, True]


# --------------------------------------------------------------------------- the derived table


def test_derive_every_shared_file(weathers, frames):
    for name, f in frames.items():
        w = weathers[name]
        assert len(f) == len(w.data)
        for col in ("temp_air", "humidity_ratio", "enthalpy", "wet_bulb", "solar_elevation", "utci_shade_calm",
                    "t_running_mean", "pressure"):
            assert f[col].notna().mean() > 0.99, (name, col)
        assert (f["wet_bulb"] <= f["temp_air"] + 1e-6).all()
        dark = (f["solar_elevation"] < 0) & (f["ghi"].fillna(0) == 0) & (f["dhi"].fillna(0) == 0)
        assert (f.loc[dark, "mrt_delta"] == 0).all(), name
        assert (f["utci_sun_wind"] >= f["utci_shade_wind"] - 1e-9).mean() > 0.99
        assert f["t_running_mean"].nunique() <= len(f) / 24 + 1


def test_derive_leap_and_subhourly(vienna_epw, vienna_frame):
    leap = climate.derive(read_epw(io.BytesIO(leap_year_epw(vienna_epw))))
    assert len(leap) == 8784 and leap["doy"].max() == 366
    sub = climate.derive(read_epw(subhourly_epw(vienna_epw)))
    assert len(sub) == 35040
    hourly = vienna_frame.iloc[np.arange(35040) // 4]
    # the file's values repeat within each hour, so do the quantities derived from them
    np.testing.assert_allclose(sub["wet_bulb"].to_numpy(), hourly["wet_bulb"].to_numpy())
    np.testing.assert_allclose(sub["utci_shade_calm"].to_numpy(), hourly["utci_shade_calm"].to_numpy())
    np.testing.assert_allclose(sub["t_running_mean"].to_numpy(), hourly["t_running_mean"].to_numpy())


def test_unit_conversions_round_trip_and_known_values(vienna_frame):
    assert climate.to_unit_system(20.0, "temperature", "IP") == pytest.approx(68.0)
    assert climate.to_unit_system(10.0, "temperature_delta", "IP") == pytest.approx(18.0)
    assert climate.to_unit_system(1.0, "speed", "IP") == pytest.approx(2.23694, rel=1e-5)
    assert climate.to_unit_system(1000.0, "irradiation", "IP") == pytest.approx(317.0, rel=1e-3)
    assert climate.to_unit_system(10.0, "humidity_ratio", "IP") == pytest.approx(70.0)  # g/kg -> gr/lb
    assert climate.to_unit_system(0.0, "enthalpy", "IP") == pytest.approx(7.68)  # 0 °C dry air
    for kind in ("temperature", "speed", "pressure", "enthalpy", "length_mm"):
        assert climate.from_unit_system(climate.to_unit_system(12.3, kind, "IP"), kind, "IP") == pytest.approx(12.3)
    ip = climate.convert_frame(vienna_frame, "IP")
    np.testing.assert_allclose(ip["temp_air"], vienna_frame["temp_air"] * 1.8 + 32)
    np.testing.assert_allclose(ip["humidity_ratio"], vienna_frame["humidity_ratio"] * 7000)
    assert (ip["month"] == vienna_frame["month"]).all()
    assert climate.unit_of("temp_air", "IP") == "°F" and climate.unit_of("humidity_ratio") == "g/kg"
