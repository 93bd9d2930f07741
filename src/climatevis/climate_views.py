"""The climate dashboard's figures and tables, each from the derived table in one call.

Every function takes the :func:`climatevis.climate.derive` table (``frame``,
SI units), the unit ``system`` to show ("SI" or "IP") and the user's options,
and returns finished figures (:mod:`climatevis.charts`), tables or text. The
notebook (``notebooks/demos/climate_dashboard.py``) only lays them out; the
benchmark and the tests call the same functions. numpy/pandas/plotly only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from climatevis import assets, charts, climate

if TYPE_CHECKING:
    import plotly.graph_objects as go

    from climatevis.epw import Weather

__all__ = [
    "adaptive_comfort",
    "climate_profile",
    "compare_figures",
    "degree_day_chart",
    "explorer_charts",
    "explorer_csv",
    "filtered_wind_rose",
    "key_figure_options",
    "koppen_note",
    "location_line",
    "natural_ventilation",
    "psychrometric",
    "selection",
    "solar_charts",
    "station_name",
    "summary_stats",
    "sun_path_chart",
    "temperature_charts",
    "utci_charts",
    "wind_roses",
    "wind_speed_charts",
]

T = "temperature"
#: Options of the dashboard's "invert" control next to a month and an hour range.
INVERT_OPTIONS = ("invert months", "invert hours")


def _t(values: Any, system: str) -> Any:
    return climate.to_unit_system(values, T, system)


def selection(frame: pd.DataFrame, months: Any, hours: Any, invert: Any = ()) -> np.ndarray:
    """The records of the month range ``months`` (1-12) and hour range ``hours`` (0-23), both
    inclusive (:func:`climatevis.climate.time_mask`); ``invert`` holds those of
    :data:`INVERT_OPTIONS` that select the complement of their range."""
    return climate.time_mask(frame["month"], frame["hour"], tuple(months), tuple(hours),
                             invert_months=INVERT_OPTIONS[0] in invert, invert_hours=INVERT_OPTIONS[1] in invert)


def station_name(weather: Weather) -> str:
    """The station's city, readable ("VIENNA_ SCHWECHAT" -> "Vienna Schwechat")."""
    return assets.city_name(weather.location.city)


def location_line(weather: Weather) -> str:
    """One line of Markdown: station, source, position, data period, records."""
    loc = weather.location
    period = climate.data_period(weather)
    origin = (f"typical year from {period['first_year']}–{period['last_year']}" if period["typical_year"]
              else f"year {period['first_year']}")
    if period["period_of_record"]:
        origin += f" (period of record {period['period_of_record']})"
    leap = ", leap year" if weather.is_leap_year else ""
    return (f"**{station_name(weather)}**, {loc.country} · {loc.source} · WMO {loc.wmo} · "
            f"{loc.latitude:.2f}°, {loc.longitude:.2f}° · {loc.elevation:,.0f} m · UTC{loc.utc_offset:+g} · "
            f"{origin} · {len(weather.data):,} records ({weather.records_per_hour} per hour{leap})")


# --------------------------------------------------------------------------- summary


def key_figure_options(method: str, heating_base: float, cooling_base: float, system: str,
                       cold_threshold: float = 0.0) -> dict[str, Any]:
    """Options of :func:`climatevis.climate.key_figures` in SI from the dashboard's controls
    (bases in ``system`` units; ``method`` "hourly", "daily" or "hgt" for HGT 20/12)."""
    hgt = method == "hgt"
    return {
        "heating_base": 20.0 if hgt else float(climate.from_unit_system(heating_base, T, system)),
        "cooling_base": float(climate.from_unit_system(cooling_base, T, system)),
        "degree_day_method": "daily" if hgt else method,
        "heating_limit": 12.0 if hgt else None,
        "cold_threshold": cold_threshold,
    }


def summary_stats(figures: dict[str, Any], system: str) -> list[tuple[str, str, str | None]]:
    """(value, label, caption) of the headline figures."""
    dd = climate.unit_label("degree_days", system)
    heating = "HGT 20/12" if figures["heating_limit"] else "Heating degree days"
    return [
        (f"{_t(figures['temp_mean'], system):.1f} {climate.unit_label(T, system)}", "Mean air temperature", None),
        (f"{climate.to_unit_system(figures['ghi_annual'], 'irradiation', system):,.0f} "
         f"{climate.unit_label('irradiation', system)}", "Global horizontal, per year",
         f"{figures['diffuse_share']:.0f} % diffuse"),
        (f"{climate.to_unit_system(figures['hdd'], 'degree_days', system):,.0f}", f"{heating} [{dd}]", None),
        (f"{climate.to_unit_system(figures['cdd'], 'degree_days', system):,.0f}", f"Cooling degree days [{dd}]", None),
        (figures["koppen"]["code"], "Köppen–Geiger", None),
    ]


def koppen_note(koppen: dict[str, Any]) -> str:
    """The climate class in words, and why it may be incomplete (Markdown)."""
    text = f"**Köppen–Geiger {koppen['code']}**: {koppen['name']} ({koppen['rule']})."
    if not koppen["complete"]:
        text += (f" Temperature only — {koppen['note']}, so the arid group B and the precipitation "
                 "letter cannot be determined.")
    return text


def degree_day_chart(frame: pd.DataFrame, records_per_hour: int, system: str, options: dict[str, Any]) -> go.Figure:
    """Monthly heating and cooling degree days with the options of :func:`key_figure_options`."""
    t, m = frame["temp_air"], frame["month"]
    hdd = climate.degree_days(t, m, options["heating_base"], "heating", options["degree_day_method"],
                              records_per_hour, options["heating_limit"]).to_numpy()
    cdd = climate.degree_days(t, m, options["cooling_base"], "cooling", options["degree_day_method"],
                              records_per_hour).to_numpy()
    hdd, cdd = (climate.to_unit_system(x, "degree_days", system) for x in (hdd, cdd))
    return charts.degree_days_bars(hdd, cdd, unit=climate.unit_label("degree_days", system),
                                   title=f"Degree days per month · heating {hdd.sum():,.0f}, cooling {cdd.sum():,.0f}")


def climate_profile(view: pd.DataFrame, system: str) -> go.Figure:
    ghi = view["ghi"].to_numpy()
    return charts.climate_profiles([
        ("Dry bulb", view["temp_air"].to_numpy(), climate.unit_of("temp_air", system)),
        ("Relative humidity", view["relative_humidity"].to_numpy(), "%"),
        ("Global horizontal", ghi[ghi > 0], climate.unit_of("ghi", system)),
        ("Wind speed", view["wind_speed"].to_numpy(), climate.unit_of("wind_speed", system)),
    ], title="Climate profile (all hours; irradiance: daylight hours)")


# --------------------------------------------------------------------------- temperature & humidity


def _adaptive_bands(frame: pd.DataFrame, records_per_hour: int, system: str,
                    levels: tuple[int, ...] = (80, 90)) -> list[tuple[str, np.ndarray, np.ndarray]]:
    trm = frame["t_running_mean"].to_numpy()[:: 24 * records_per_hour]
    limits = climate.adaptive_ashrae55(trm)
    return [(f"ASHRAE 55 adaptive {p} %", _t(limits[f"lower_{p}"].to_numpy(), system),
             _t(limits[f"upper_{p}"].to_numpy(), system)) for p in levels]


def temperature_charts(frame: pd.DataFrame, view: pd.DataFrame, column: str, records_per_hour: int,
                       system: str, adaptive: bool = True) -> tuple[go.Figure, go.Figure, go.Figure, pd.DataFrame]:
    """Yearly daily range (with the ASHRAE 55 adaptive bands for the dry bulb), monthly average
    days, the hourly heat map and the monthly statistics of one variable."""
    unit = climate.unit_of(column, system)
    label = climate.VARIABLES[column][0]
    series = view[column]
    daily = climate.daily_statistics(series, view["month"], view["day"], records_per_hour)
    bands = _adaptive_bands(frame, records_per_hour, system) if column == "temp_air" and adaptive else None
    stats = climate.monthly_statistics(series, view["month"], records_per_hour)
    stats.index = pd.Index(climate.MONTH_NAMES, name="month")
    return (
        charts.daily_range(daily, bands=bands, unit=unit, title=f"{label}: daily range and mean"),
        charts.diurnal_profiles({label: climate.diurnal_profile(series, view["month"], view["hour"])}, unit=unit,
                                title="Average day of each month (line) with the monthly minimum and maximum"),
        charts.heatmap(series, title=f"{label}, every hour", unit=unit),
        stats,
    )


# --------------------------------------------------------------------------- sun


def sun_path_chart(weather: Weather, view: pd.DataFrame, system: str, kind: str = "polar",
                   overlay: str | None = "temp_air") -> go.Figure:
    """Sun path with the positions of the hours with the sun up, coloured by ``overlay``."""
    loc = weather.location
    paths = climate.sun_path(loc.latitude, loc.longitude, loc.utc_offset)
    dots = None
    if overlay:
        up = view["solar_elevation"].to_numpy() > 0
        dots = (view["solar_azimuth"].to_numpy()[up], view["solar_elevation"].to_numpy()[up],
                view[overlay].to_numpy()[up], climate.VARIABLES[overlay][0], climate.unit_of(overlay, system))
    return charts.sun_path(paths, overlay=dots, kind=kind, title=f"Sun path, latitude {loc.latitude:.1f}°")


def solar_charts(view: pd.DataFrame, system: str, heatmap_column: str = "ghi") -> tuple[go.Figure, ...]:
    """Average day of each month of GHI, DNI and DHI; sky cover; a heat map."""
    profiles = {climate.VARIABLES[c][0]: {"mean": climate.diurnal_profile(view[c], view["month"], view["hour"], ())["mean"]}
                for c in ("ghi", "dni", "dhi")}
    return (
        charts.diurnal_profiles(profiles, unit=climate.unit_of("ghi", system),
                                title="Solar irradiance in an average day of each month"),
        charts.cloud_cover(climate.cloud_cover_monthly(view["total_sky_cover"], view["month"]),
                           title="Sky cover: clear (< 3 tenths), intermediate, cloudy (> 7 tenths)"),
        charts.heatmap(view[heatmap_column], title=climate.VARIABLES[heatmap_column][0],
                       unit=climate.unit_of(heatmap_column, system)),
    )


# --------------------------------------------------------------------------- wind


def wind_roses(frame: pd.DataFrame, latitude: float, system: str) -> dict[str, Any]:
    """Annual, seasonal and time-of-day wind roses, and the summary statistics (speeds in
    ``system`` units); the rose of selected months and hours is :func:`filtered_wind_rose`."""
    d, s = frame["wind_direction"], frame["wind_speed"]
    unit = climate.unit_label("speed", system)
    labels = climate.wind_speed_labels(system)
    stats = climate.wind_statistics(d, s)
    seasons = {k: climate.wind_rose(d, s, selected=m) for k, m in climate.season_masks(frame["month"], latitude).items()}
    times = {k: climate.wind_rose(d, s, selected=m) for k, m in climate.time_of_day_masks(frame["hour"]).items()}
    r_max = max(float(t.sum(axis=1).max()) for t in [*seasons.values(), *times.values()])
    return {
        "mean_speed": climate.to_unit_system(stats["mean_speed"], "speed", system),
        "calm": stats["calm"], "prevailing_direction": stats["prevailing_direction"],
        "calm_below": climate.to_unit_system(climate.WIND_SPEED_BINS[0], "speed", system), "unit": unit,
        "annual": charts.wind_rose(climate.wind_rose(d, s), unit=unit, speed_labels=labels, title="Annual wind rose"),
        "seasons": charts.wind_rose(seasons, unit=unit, speed_labels=labels, r_max=r_max, title="Seasonal wind roses"),
        "times": charts.wind_rose(times, unit=unit, speed_labels=labels, r_max=r_max, title="Wind by time of day"),
    }


def filtered_wind_rose(frame: pd.DataFrame, system: str, selected: Any) -> go.Figure:
    rose = climate.wind_rose(frame["wind_direction"], frame["wind_speed"], selected=selected)
    return charts.wind_rose(rose, unit=climate.unit_label("speed", system), speed_labels=climate.wind_speed_labels(system),
                            title=f"Wind rose of the selected months and hours ({rose.attrs['records']:,} records)")


def wind_speed_charts(view: pd.DataFrame, system: str) -> tuple[go.Figure, go.Figure]:
    unit = climate.unit_of("wind_speed", system)
    return (
        charts.heatmap(view["wind_speed"], title="Wind speed", unit=unit),
        charts.diurnal_profiles({"wind speed": climate.diurnal_profile(view["wind_speed"], view["month"], view["hour"])},
                                unit=unit, title="Wind speed in an average day of each month (band: minimum to maximum)"),
    )


# --------------------------------------------------------------------------- psychrometric chart

ZONES = {"PMV zone 0.5 clo (summer clothing)": 0.5, "PMV zone 1.0 clo (winter clothing)": 1.0,
         "adaptive band (80 %)": None}


def psychrometric(frame: pd.DataFrame, view: pd.DataFrame, system: str, selected: Any, records_per_hour: int,
                  color: str | None = None, zones: Any = tuple(ZONES)[:2]) -> tuple[go.Figure, list[tuple[str, float]]]:
    """The psychrometric chart of the ``selected`` records, with the chosen comfort ``zones``
    (names of :data:`ZONES`), and the share [%] of the selected hours inside each zone."""
    sel = np.asarray(selected, bool)
    pressure = float(frame["pressure"].mean())
    t = frame["temp_air"].to_numpy()
    lines = climate.psychrometric_lines(pressure, system, (float(min(np.nanmin(t), 0.0)), float(max(np.nanmax(t), 35.0))),
                                        humidity_ratio_max=max(float(frame["humidity_ratio"].max()), 0.015))
    band = None
    if "adaptive band (80 %)" in zones and sel.any():
        limits = climate.adaptive_ashrae55([float(frame["t_running_mean"].to_numpy()[sel].mean())])
        band = (float(limits["lower_80"].iloc[0]), float(limits["upper_80"].iloc[0]))
    clo = [ZONES[z] for z in ZONES if z in zones and ZONES[z] is not None]
    polygons = climate.psychrometric_zones(pressure, system, clo_levels=clo, adaptive_band=band)
    x = view["temp_air"].to_numpy()[sel]
    y = view["humidity_ratio"].to_numpy()[sel]
    dots = None
    if color:
        dots = (view[color].to_numpy()[sel], climate.VARIABLES.get(color, ("Month", ""))[0], climate.unit_of(color, system))
    p = f"{pressure / 1000:.1f} kPa" if system.upper() == "SI" else f"{climate.to_unit_system(pressure, 'pressure', 'IP'):.2f} psi"
    fig = charts.psychrometric_chart(x, y, lines, color=dots, zones=polygons, records_per_hour=records_per_hour,
                                     title=f"Psychrometric chart at {p}")
    shares = [(z["name"], 100.0 * float(climate.inside_polygon(x, y, z["x"], z["y"]).mean()) if x.size else float("nan"))
              for z in polygons]
    return fig, shares


# --------------------------------------------------------------------------- comfort


def adaptive_comfort(frame: pd.DataFrame, system: str, model: str = "ashrae", air_speed: float = 0.0,
                     occupied: Any = None, leap: bool = False) -> dict[str, Any]:
    """Adaptive comfort with the outdoor dry bulb as operative temperature (a free-running
    building): per acceptability class the monthly share of the ``occupied`` hours below,
    inside and above the band (CBE Clima issue #135), its chart, and every hour against the band."""
    t = frame["temp_air"].to_numpy()
    trm = frame["t_running_mean"].to_numpy()
    occ = np.ones(t.shape, bool) if occupied is None else np.asarray(occupied, bool)
    if model == "ashrae":
        limits = climate.adaptive_ashrae55(trm, t, air_speed)
        classes = {"80 % acceptability": "80", "90 % acceptability": "90"}
        ok_lower = ok_upper = limits["applicable"].to_numpy()
    else:
        limits = climate.adaptive_en16798(trm, t, air_speed)
        classes = {"category I": "I", "category II": "II", "category III": "III"}
        ok_lower = limits["applicable_lower"].to_numpy()
        ok_upper = limits["applicable_upper"].to_numpy()
    tables = {}
    for name, key in classes.items():
        lower = np.where(ok_lower, limits[f"lower_{key}"].to_numpy(), np.nan)
        upper = np.where(ok_upper, limits[f"upper_{key}"].to_numpy(), np.nan)
        tables[name] = climate.adaptive_comfort_hours(t, lower, upper, frame["month"], occ)
    first, key = next(iter(classes.items()))
    return {
        "tables": tables,
        "chart": charts.comfort_hours_bars(tables[first], title=f"Occupied hours below, inside and above the band ({first})"),
        "hours": charts.adaptive_comfort_scatter(
            frame["doy"].to_numpy()[occ], frame["hour"].to_numpy()[occ], _t(t[occ], system),
            _t(limits[f"lower_{key}"].to_numpy()[occ], system), _t(limits[f"upper_{key}"].to_numpy()[occ], system),
            unit=climate.unit_label(T, system), leap=leap, band_name=first,
            title="Every occupied hour against the comfort band"),
    }


def utci_charts(frame: pd.DataFrame, view: pd.DataFrame, system: str, scenario: str = "utci_sun_wind",
                selected: Any = None) -> tuple[go.Figure, go.Figure, pd.DataFrame]:
    """UTCI stress-category heat map of a scenario, monthly category shares, and the four
    scenarios compared, for the ``selected`` records."""
    sel = np.ones(len(frame), bool) if selected is None else np.asarray(selected, bool)
    names = [c[0] for c in climate.UTCI_CATEGORIES]
    edges = [_t(c[2], system) for c in climate.UTCI_CATEGORIES[:-1]]
    return (
        charts.utci_heatmap(view[scenario].where(sel), names, edges, unit=climate.unit_label(T, system),
                            title=f"UTCI thermal stress, {climate.UTCI_SCENARIOS[scenario]}"),
        charts.utci_categories_monthly(climate.utci_category_shares(frame[scenario], frame["month"], sel),
                                       title="Share of the selected hours in each stress category"),
        climate.utci_scenario_summary(frame, sel),
    )


def natural_ventilation(frame: pd.DataFrame, view: pd.DataFrame, system: str, t_min: float, t_max: float,
                        dew_point_max: float | None, selected: Any, records_per_hour: int) -> dict[str, Any]:
    """Hours suited to natural ventilation (thresholds in ``system`` units) among the selected."""
    sel = np.asarray(selected, bool)
    suited = climate.natural_ventilation(view["temp_air"], view["temp_dew"], t_min, t_max, dew_point_max)
    monthly = climate.monthly_share(suited, frame["month"], sel, records_per_hour)
    total = float(monthly["hours"].sum())
    return {
        "hours": total, "share": 100.0 * total / max(sel.sum() / records_per_hour, 1),
        "heatmap": charts.heatmap(view["temp_air"].where(suited & sel), unit=climate.unit_label(T, system),
                                  title="Dry bulb in the hours suited to natural ventilation"),
        "hours_chart": charts.monthly_bars({"suitable hours": monthly["hours"].to_numpy()}, unit="h",
                                           title="Suitable hours per month"),
        "share_chart": charts.monthly_bars({"share of the selected hours": monthly["share"].to_numpy()}, unit="%",
                                           title="Share of the selected hours per month"),
    }


# --------------------------------------------------------------------------- data explorer


def explorer_charts(view: pd.DataFrame, column: str, selected: Any, records_per_hour: int, system: str,
                    x: str, y: str, color: str) -> tuple[go.Figure, ...] | tuple[Any, ...]:
    """Daily range, average days, heat map, monthly statistics and a scatter of the selection."""
    sel = np.asarray(selected, bool)
    unit = climate.unit_of(column, system)
    label = climate.VARIABLES[column][0]
    series = view[column].where(sel)
    stats = climate.monthly_statistics(series, view["month"], records_per_hour)
    stats.index = pd.Index(climate.MONTH_NAMES, name="month")
    return (
        charts.daily_range(climate.daily_statistics(series, view["month"], view["day"], records_per_hour), unit=unit,
                           title=f"{label}: daily range and mean"),
        charts.diurnal_profiles({label: climate.diurnal_profile(series, view["month"], view["hour"])}, unit=unit,
                                title="Average day of each month"),
        charts.heatmap(series, title=label, unit=unit),
        stats,
        charts.scatter(view[x].to_numpy()[sel], view[y].to_numpy()[sel], color=view[color].to_numpy()[sel],
                       x_label=f"{climate.VARIABLES[x][0]} [{climate.unit_of(x, system)}]",
                       y_label=f"{climate.VARIABLES[y][0]} [{climate.unit_of(y, system)}]",
                       color_label=climate.unit_of(color, system),
                       title=f"{climate.VARIABLES[y][0]} against {climate.VARIABLES[x][0].lower()}"),
    )


def explorer_csv(view: pd.DataFrame, selected: Any, system: str) -> bytes:
    """The selected records of every variable as CSV, with units in the column names."""
    cols = ["month", "day", "hour", *climate.VARIABLES]
    out = view.loc[np.asarray(selected, bool), cols]
    out.columns = [f"{c} [{climate.unit_of(c, system)}]" if climate.unit_of(c, system) else c for c in cols]
    return out.to_csv(index_label="time").encode()


# --------------------------------------------------------------------------- compare


def compare_figures(pair: list[tuple[Weather, pd.DataFrame]], system: str) -> dict[str, Any]:
    """Two stations on the key charts with shared scales: dry bulb with the adaptive band,
    the average days of both, wind roses, psychrometric charts, UTCI categories, and the
    monthly heating degree days."""
    names = [station_name(w) for w, _ in pair]
    if names[0] == names[1]:
        names[1] += " (2)"
    views = [climate.convert_frame(f, system) for _, f in pair]
    unit = climate.unit_label(T, system)
    lo = min(float(v["temp_air"].min()) for v in views)
    hi = max(float(v["temp_air"].max()) for v in views)
    roses = [climate.wind_rose(f["wind_direction"], f["wind_speed"]) for _, f in pair]
    r_max = max(float(r.sum(axis=1).max()) for r in roses)
    t_all = np.concatenate([f["temp_air"].to_numpy() for _, f in pair])
    lines = climate.psychrometric_lines(climate.P_STANDARD, system, (min(float(np.nanmin(t_all)), 0.0), max(float(np.nanmax(t_all)), 35.0)),
                                        humidity_ratio_max=max(float(f["humidity_ratio"].max()) for _, f in pair))
    zones = climate.psychrometric_zones(climate.P_STANDARD, system)
    out: dict[str, Any] = {"daily": [], "wind": [], "psychrometric": [], "utci": []}
    for name, (w, f), v, rose in zip(names, pair, views, roses, strict=True):
        rph = w.records_per_hour
        out["daily"].append(charts.daily_range(
            climate.daily_statistics(v["temp_air"], v["month"], v["day"], rph),
            bands=_adaptive_bands(f, rph, system, (80,)), unit=unit, y_range=(lo - 2, hi + 2),
            title=f"{name}: dry bulb", height=320))
        out["wind"].append(charts.wind_rose(rose, unit=climate.unit_label("speed", system),
                                            speed_labels=climate.wind_speed_labels(system), r_max=r_max,
                                            title=f"{name}: wind", height=360))
        out["psychrometric"].append(charts.psychrometric_chart(
            v["temp_air"].to_numpy(), v["humidity_ratio"].to_numpy(), lines, zones=zones, records_per_hour=rph,
            density_max=100, title=f"{name}: psychrometric chart", height=380))
        out["utci"].append(charts.utci_categories_monthly(
            climate.utci_category_shares(f["utci_sun_wind"], f["month"]), title=f"{name}: UTCI (sun and wind)",
            height=320))
    out["profiles"] = charts.diurnal_profiles(
        {name: climate.diurnal_profile(v["temp_air"], v["month"], v["hour"]) for name, v in zip(names, views, strict=True)},
        unit=unit, title="Average day of each month, both stations")
    hdd = {name: climate.to_unit_system(climate.degree_days(f["temp_air"], f["month"], 18.0, "heating", "hourly",
                                                            w.records_per_hour).to_numpy(), "degree_days", system)
           for name, (w, f) in zip(names, pair, strict=True)}
    out["degree_days"] = charts.monthly_bars(hdd, unit=climate.unit_label("degree_days", system), stacked=False,
                                             title="Heating degree days per month (base 18 °C / 64.4 °F)")
    out["names"] = names
    return out
