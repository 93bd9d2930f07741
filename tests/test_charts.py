"""climatevis.charts: every builder returns a valid CES figure, for every shared EPW and for
leap-year and sub-hourly variants, and the figures show what the data say."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from climatevis import charts, climate
from climatevis.epw import read_epw
from tests.test_climate import leap_year_epw, subhourly_epw


def validated(fig: go.Figure) -> go.Figure:
    """The builders skip plotly's validation for speed; re-validate every property here."""
    assert isinstance(fig, go.Figure)
    checked = go.Figure(fig.to_dict())  # raises ValueError on any invalid property
    assert checked.layout.template.layout.paper_bgcolor == charts.BLACK
    assert checked.layout.template.layout.font.family == charts.FONT
    return checked


def all_figures(weather, system: str = "SI") -> dict[str, go.Figure]:
    """Every figure the dashboard draws, built from one weather file."""
    f = climate.derive(weather)
    v = climate.convert_frame(f, system)
    rph = weather.records_per_hour
    loc = weather.location
    t_unit = climate.unit_label("temperature", system)
    daily = climate.daily_statistics(v["temp_air"], v["month"], v["day"], rph)
    limits = climate.adaptive_ashrae55(f["t_running_mean"].to_numpy()[:: 24 * rph])
    bands = [(f"{p} %", climate.to_unit_system(limits[f"lower_{p}"].to_numpy(), "temperature", system),
              climate.to_unit_system(limits[f"upper_{p}"].to_numpy(), "temperature", system)) for p in (80, 90)]
    up = f["solar_elevation"].to_numpy() > 0
    seasons = {k: climate.wind_rose(f["wind_direction"], f["wind_speed"], selected=m)
               for k, m in climate.season_masks(f["month"], loc.latitude).items()}
    adaptive = climate.adaptive_ashrae55(f["t_running_mean"], f["temp_air"])
    ok = adaptive["applicable"].to_numpy()
    hours = climate.adaptive_comfort_hours(f["temp_air"], adaptive["lower_80"].where(ok),
                                           adaptive["upper_80"].where(ok), f["month"])
    lines = climate.psychrometric_lines(float(f["pressure"].mean()), system,
                                        (float(f["temp_air"].min()), float(f["temp_air"].max())))
    zones = climate.psychrometric_zones(float(f["pressure"].mean()), system, adaptive_band=(20.5, 27.5))
    names = [c[0] for c in climate.UTCI_CATEGORIES]
    edges = [climate.to_unit_system(c[2], "temperature", system) for c in climate.UTCI_CATEGORIES[:-1]]
    hdd = climate.degree_days(v["temp_air"], v["month"], 18, records_per_hour=rph)
    cdd = climate.degree_days(v["temp_air"], v["month"], 18, "cooling", records_per_hour=rph)
    suited = climate.natural_ventilation(f["temp_air"], f["temp_dew"])
    return {
        "heatmap": charts.heatmap(v["temp_air"], title="T", unit=t_unit),
        "daily_range": charts.daily_range(daily, bands=bands, unit=t_unit),
        "diurnal": charts.diurnal_profiles({"T": climate.diurnal_profile(v["temp_air"], v["month"], v["hour"])}),
        "profiles": charts.climate_profiles([("T", v["temp_air"], t_unit), ("RH", v["relative_humidity"], "%"),
                                             ("GHI", v["ghi"][v["ghi"] > 0], "W/m²"),
                                             ("wind", v["wind_speed"], "m/s")]),
        "sun_polar": charts.sun_path(climate.sun_path(loc.latitude, loc.longitude, loc.utc_offset),
                                     overlay=(f["solar_azimuth"][up], f["solar_elevation"][up],
                                              v["temp_air"][up], "T", t_unit)),
        "sun_cartesian": charts.sun_path(climate.sun_path(loc.latitude, loc.longitude, loc.utc_offset),
                                         kind="cartesian"),
        "radiation": charts.diurnal_profiles({c: {"mean": climate.diurnal_profile(v[c], v["month"], v["hour"], ())["mean"]}
                                              for c in ("ghi", "dni", "dhi")}),
        "cloud_cover": charts.cloud_cover(climate.cloud_cover_monthly(v["total_sky_cover"], v["month"])),
        "wind_rose": charts.wind_rose(climate.wind_rose(f["wind_direction"], f["wind_speed"]),
                                      speed_labels=climate.wind_speed_labels(system)),
        "wind_seasons": charts.wind_rose(seasons),
        "psychrometric": charts.psychrometric_chart(v["temp_air"], v["humidity_ratio"], lines, zones=zones,
                                                    records_per_hour=rph),
        "psychrometric_coloured": charts.psychrometric_chart(v["temp_air"], v["humidity_ratio"], lines,
                                                             color=(v["ghi"], "GHI", "W/m²")),
        "utci_heatmap": charts.utci_heatmap(v["utci_sun_wind"], names, edges, unit=t_unit),
        "utci_monthly": charts.utci_categories_monthly(climate.utci_category_shares(f["utci_sun_wind"], f["month"])),
        "degree_days": charts.degree_days_bars(hdd.to_numpy(), cdd.to_numpy()),
        "comfort_hours": charts.comfort_hours_bars(hours),
        "adaptive_scatter": charts.adaptive_comfort_scatter(f["doy"], f["hour"], f["temp_air"],
                                                            adaptive["lower_80"], adaptive["upper_80"]),
        "natural_ventilation": charts.monthly_bars({"h": climate.monthly_share(suited, f["month"],
                                                                                records_per_hour=rph)["hours"]}),
        "scatter": charts.scatter(v["temp_air"], v["relative_humidity"], color=v["ghi"]),
    }


@pytest.fixture(scope="session")
def shared_weathers(shared_epws):
    return {p.name: read_epw(p) for p in shared_epws}


def test_every_builder_on_every_shared_file(shared_weathers):
    for name, weather in shared_weathers.items():
        for chart, fig in all_figures(weather).items():
            checked = validated(fig)
            assert len(checked.data) >= 1, (name, chart)


def test_every_builder_in_ip_units(vienna_epw):
    figures = all_figures(read_epw(vienna_epw), "IP")
    for fig in figures.values():
        validated(fig)
    x_title = figures["psychrometric"].layout.xaxis.title.text
    assert "°F" in x_title and "gr/lb" in figures["psychrometric"].layout.yaxis.title.text


@pytest.mark.parametrize("variant", ["leap", "subhourly"])
def test_every_builder_on_leap_and_subhourly_files(vienna_epw, variant):
    raw = leap_year_epw(vienna_epw) if variant == "leap" else subhourly_epw(vienna_epw)
    weather = read_epw(raw)
    figures = all_figures(weather)
    for fig in figures.values():
        validated(fig)
    grid = figures["heatmap"].data[0].z
    assert grid.shape == (24, 366 if variant == "leap" else 365)
    assert np.isfinite(grid).all()


def test_heatmap_averages_subhourly_records_to_hours(vienna_epw):
    hourly = read_epw(vienna_epw).data["temp_air"]
    sub = read_epw(subhourly_epw(vienna_epw)).data["temp_air"]
    np.testing.assert_allclose(charts.heatmap(sub).data[0].z, charts.heatmap(hourly).data[0].z)
    # one column per day, one row per hour: 1 January 00:00-01:00 is the file's first record
    assert charts.heatmap(hourly).data[0].z[0, 0] == hourly.iloc[0]


def test_wind_rose_bars_add_up_to_the_non_calm_share(vienna_epw):
    f = climate.derive(read_epw(vienna_epw))
    table = climate.wind_rose(f["wind_direction"], f["wind_speed"])
    trace = charts.wind_rose(table).data[0]
    assert np.sum(trace.r) == pytest.approx(100 - table.attrs["calm"])
    # bars of one sector stack: each base is the sum of the slower classes below it
    north = np.asarray(trace.theta) == 0
    assert np.max(np.asarray(trace.base)[north] + np.asarray(trace.r)[north]) == pytest.approx(table.loc[0.0].sum())


def test_psychrometric_density_counts_every_hour(vienna_epw):
    f = climate.derive(read_epw(vienna_epw))
    lines = climate.psychrometric_lines(101325, "SI", (float(f["temp_air"].min()), float(f["temp_air"].max())))
    heat = charts.psychrometric_chart(f["temp_air"], f["humidity_ratio"] * 1000, lines).data[0]
    assert np.nansum(heat.z) == pytest.approx(len(f), abs=2)  # every hour lands in a cell


def test_utci_monthly_shares_stack_to_100(vienna_epw):
    f = climate.derive(read_epw(vienna_epw))
    bar = charts.utci_categories_monthly(climate.utci_category_shares(f["utci_sun_wind"], f["month"])).data[0]
    x = np.asarray(bar.x)
    totals = np.bincount(x, weights=np.asarray(bar.y))
    np.testing.assert_allclose(totals, 100.0)


def test_sun_path_rejects_an_unknown_kind():
    with pytest.raises(ValueError, match="kind"):
        charts.sun_path({"days": pd.DataFrame(), "hours": pd.DataFrame()}, kind="3d")


def test_html_table_escapes_and_formats():
    table = pd.DataFrame({"name": ["<b>x</b>", "y"], "value": [1.23456, np.nan]})
    html = charts.html_table(table, decimals=2)
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "1.23" in html and "—" in html
    assert html.count("<tr>") == 3


def test_existing_heatmap_api_still_works():
    idx = pd.date_range("2001-01-01", periods=8760, freq="h", tz="Europe/Vienna")
    fig = charts.heatmap(pd.Series(np.arange(8760.0), index=idx), title="t", unit="u", zmin=0, zmax=10)
    validated(fig)
    with pytest.raises(TypeError):
        charts.heatmap(pd.Series([1.0, 2.0]))
