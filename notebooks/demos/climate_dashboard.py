# /// script
# requires-python = ">=3.11"
# dependencies = [
#     "marimo",
#     "numpy",
#     "pandas",
#     "plotly",
# ]
# ///

import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium", app_title="Climate dashboard · CES")


@app.cell
def _():
    import marimo as mo

    return (mo,)


@app.cell
def _(mo):
    mo.md("""
    # Climate dashboard

    What is the climate of a site, hour by hour, and what does it mean for a
    building and for people outdoors? Pick one of the bundled weather stations
    or upload your own EnergyPlus weather file (`.epw`, also zipped). Everything
    is computed in your browser; nothing is uploaded anywhere.

    The tabs cover the analyses of CBE Clima — temperature and humidity, sun
    and radiation, wind, the psychrometric chart, adaptive comfort and the
    outdoor UTCI, natural ventilation and a data explorer — and add what Clima
    cannot do: leap-year and sub-hourly files, monthly comfort-hour tables,
    design conditions, degree days by several methods, and two stations side
    by side. Formulas and references are in `climatevis.climate`.
    """)
    return


@app.cell
def _():
    from climatevis import assets, charts, climate
    from climatevis.epw import EPWError, read_epw

    return EPWError, assets, charts, climate, read_epw


@app.cell
def _(assets, mo):
    asset_folder = assets.asset_root(mo.notebook_location())
    stations = assets.read_index(asset_folder)
    station_labels = {f"{s['city'].title()} ({s['country']}, {s['source']})": s for s in stations}
    return asset_folder, station_labels


@app.cell
def _(mo, station_labels):
    station_picker = mo.ui.dropdown(
        options=list(station_labels), value=next(iter(station_labels)), label="Station"
    )
    upload = mo.ui.file(filetypes=[".epw", ".zip", ".gz"], label="or upload an EPW")
    unit_system = mo.ui.radio(options=["SI", "IP"], value="SI", inline=True, label="Units")
    mo.hstack([station_picker, upload, unit_system], justify="start", gap=2, wrap=True)
    return station_picker, unit_system, upload


@app.cell
def _(
    EPWError,
    asset_folder,
    assets,
    mo,
    read_epw,
    station_labels,
    station_picker,
    upload,
):
    weather, load_error = None, None
    if upload.value:
        try:
            weather = read_epw(upload.contents())
        except EPWError as err:
            load_error = f"{upload.name()}: {err}"
    if weather is None:
        weather = assets.load_station(asset_folder, station_labels[station_picker.value])
    mo.stop(
        load_error is not None and weather is None,
        mo.callout(mo.md(f"**Could not read the file.** {load_error}"), kind="danger"),
    )
    return load_error, weather


@app.cell
def _(climate, weather):
    # every derived hourly quantity (psychrometrics, sun, UTCI, running mean), once per file
    frame = climate.derive(weather)
    return (frame,)


@app.cell
def _(unit_system):
    system = unit_system.value
    return (system,)


@app.cell
def _(climate, frame, system):
    # the same table in the units to show
    view = climate.convert_frame(frame, system)
    return (view,)


@app.cell
def _(climate, load_error, mo, weather):
    _loc = weather.location
    _period = climate.data_period(weather)
    _origin = (
        f"typical year from {_period['first_year']}–{_period['last_year']}"
        if _period["typical_year"]
        else f"year {_period['first_year']}"
    )
    if _period["period_of_record"]:
        _origin += f" (period of record {_period['period_of_record']})"
    _line = mo.md(
        f"**{_loc.city.title()}**, {_loc.country} · {_loc.source} · WMO {_loc.wmo} · "
        f"{_loc.latitude:.2f}°, {_loc.longitude:.2f}° · {_loc.elevation:,.0f} m · "
        f"UTC{_loc.utc_offset:+g} · {_origin} · {len(weather.data):,} records "
        f"({weather.records_per_hour} per hour{', leap year' if weather.is_leap_year else ''})"
    )
    _rejected = (
        mo.callout(
            mo.md(f"**Upload rejected**, showing the bundled station instead. {load_error}"),
            kind="danger",
        )
        if load_error
        else None
    )
    mo.vstack([_rejected, _line] if _rejected else [_line])
    return


@app.cell
def _(mo):
    tab_bar = mo.ui.tabs(
        {
            name: ""
            for name in (
                "Summary",
                "Temperature & humidity",
                "Sun & radiation",
                "Wind",
                "Psychrometric chart",
                "Comfort",
                "Natural ventilation",
                "Data explorer",
                "Compare",
            )
        }
    )
    tab_bar
    return (tab_bar,)


@app.cell
def _(tab_bar):
    # the tabs whose cells run; the benchmark and the tests set every tab at once
    shown = {tab_bar.value}
    return (shown,)


@app.cell
def _(mo, system):
    # Controls live in cells of their own (not inside the gated tab cells), so that
    # their values survive switching tabs.
    _ip = system == "IP"
    heating_base = mo.ui.number(
        start=-40, stop=100, step=0.5, value=65 if _ip else 18, label="Heating base"
    )
    cooling_base = mo.ui.number(
        start=-40, stop=100, step=0.5, value=65 if _ip else 18, label="Cooling base"
    )
    dd_method = mo.ui.dropdown(
        options={
            "hourly (Σ of hourly differences / 24)": "hourly",
            "daily mean temperature": "daily",
            "Austrian HGT 20/12 (ÖNORM B 8110-5)": "hgt",
        },
        value="hourly (Σ of hourly differences / 24)",
        label="Method",
    )
    koppen_boundary = mo.ui.radio(
        options={"0 °C (Peel et al. 2007)": 0.0, "−3 °C (Köppen)": -3.0},
        value="0 °C (Peel et al. 2007)",
        label="Temperate/continental boundary (coldest month)",
        inline=True,
    )
    return cooling_base, dd_method, heating_base, koppen_boundary


@app.cell
def _(mo, shown):
    mo.stop("Summary" not in shown)
    mo.md("""
    ## Summary

    Key figures of the file: temperatures (mean, and the values the coldest and
    hottest 1 % of hours lie beyond), solar irradiation on a horizontal surface,
    heating and cooling degree days, the Köppen–Geiger climate class and the
    design conditions HVAC sizing starts from.
    """)
    return


@app.cell
def _(climate, cooling_base, dd_method, heating_base, koppen_boundary, system):
    # the key-figure options in SI, shared by the Summary and Compare tabs
    _hgt = dd_method.value == "hgt"
    key_figure_options = dict(
        heating_base=20.0 if _hgt else climate.from_unit_system(heating_base.value, "temperature", system),
        cooling_base=climate.from_unit_system(cooling_base.value, "temperature", system),
        degree_day_method="daily" if _hgt else dd_method.value,
        heating_limit=12.0 if _hgt else None,
        cold_threshold=koppen_boundary.value,
    )
    return (key_figure_options,)


@app.cell
def _(climate, frame, key_figure_options, weather):
    key_figures = climate.key_figures(weather, frame, **key_figure_options)
    return (key_figures,)


@app.cell
def _(climate, key_figures, koppen_boundary, mo, shown, system):
    mo.stop("Summary" not in shown)
    _koppen = key_figures["koppen"]
    _kg_note = (
        f"**Köppen–Geiger {_koppen['code']}**: {_koppen['name']} ({_koppen['rule']})."
        + (
            f" Temperature only — {_koppen['note']}, so the arid group B and the "
            "precipitation letter cannot be determined."
            if not _koppen["complete"]
            else ""
        )
    )
    mo.vstack(
        [
            mo.hstack(
                [
                    mo.stat(
                        f"{climate.to_unit_system(key_figures['temp_mean'], 'temperature', system):.1f} "
                        f"{climate.unit_label('temperature', system)}",
                        label="Mean air temperature",
                    ),
                    mo.stat(
                        f"{climate.to_unit_system(key_figures['ghi_annual'], 'irradiation', system):,.0f} "
                        f"{climate.unit_label('irradiation', system)}",
                        label="Global horizontal, per year",
                        caption=f"{key_figures['diffuse_share']:.0f} % diffuse",
                    ),
                    mo.stat(
                        f"{climate.to_unit_system(key_figures['hdd'], 'degree_days', system):,.0f}",
                        label=("HGT 20/12" if key_figures["heating_limit"] else "Heating degree days")
                        + f" [{climate.unit_label('degree_days', system)}]",
                    ),
                    mo.stat(
                        f"{climate.to_unit_system(key_figures['cdd'], 'degree_days', system):,.0f}",
                        label=f"Cooling degree days [{climate.unit_label('degree_days', system)}]",
                    ),
                    mo.stat(_koppen["code"], label="Köppen–Geiger"),
                ],
                widths="equal",
                wrap=True,
            ),
            mo.md(_kg_note),
            koppen_boundary,
        ]
    )
    return


@app.cell
def _(charts, climate, key_figures, mo, shown, system, weather):
    mo.stop("Summary" not in shown)
    _table = climate.key_figure_table({weather.location.city.title(): key_figures}, system)
    _design = climate.design_table(key_figures["design"], system)
    mo.hstack(
        [
            mo.vstack([mo.md("**Key figures**"), mo.Html(charts.html_table(_table))]),
            mo.vstack(
                [
                    mo.md(
                        f"**Design conditions** — header: {key_figures['design']['source']}; "
                        "computed: percentiles of this file's hours (indicative: ASHRAE uses many years)."
                    ),
                    mo.Html(charts.html_table(_design)),
                ]
            ),
        ],
        widths="equal",
        wrap=True,
    )
    return


@app.cell
def _(
    charts,
    climate,
    cooling_base,
    dd_method,
    heating_base,
    mo,
    shown,
    system,
    view,
    weather,
):
    mo.stop("Summary" not in shown)
    _hgt = dd_method.value == "hgt"
    _t20 = climate.to_unit_system(20.0, "temperature", system)
    _t12 = climate.to_unit_system(12.0, "temperature", system)
    _hdd = climate.degree_days(
        view["temp_air"],
        view["month"],
        _t20 if _hgt else heating_base.value,
        "heating",
        "daily" if _hgt else dd_method.value,
        weather.records_per_hour,
        heating_limit=_t12 if _hgt else None,
    )
    _cdd = climate.degree_days(
        view["temp_air"],
        view["month"],
        cooling_base.value,
        "cooling",
        "daily" if _hgt else dd_method.value,
        weather.records_per_hour,
    )
    mo.vstack(
        [
            mo.hstack([dd_method, heating_base, cooling_base], justify="start", wrap=True),
            charts.degree_days_bars(
                _hdd.to_numpy(),
                _cdd.to_numpy(),
                unit=climate.unit_label("degree_days", system),
                title=f"Degree days per month · heating {_hdd.sum():,.0f}, cooling {_cdd.sum():,.0f}",
            ),
        ]
    )
    return


@app.cell
def _(charts, climate, mo, shown, system, view):
    mo.stop("Summary" not in shown)
    charts.climate_profiles(
        [
            (
                "Dry bulb",
                view["temp_air"].to_numpy(),
                climate.unit_of("temp_air", system),
            ),
            (
                "Relative humidity",
                view["relative_humidity"].to_numpy(),
                "%",
            ),
            (
                "Global horizontal",
                view["ghi"].to_numpy()[view["ghi"].to_numpy() > 0],
                climate.unit_of("ghi", system),
            ),
            (
                "Wind speed",
                view["wind_speed"].to_numpy(),
                climate.unit_of("wind_speed", system),
            ),
        ],
        title="Climate profile (all hours; irradiance: daylight hours)",
    )
    return


@app.cell
def _(mo):
    th_variable = mo.ui.dropdown(
        options={
            "Dry-bulb temperature": "temp_air",
            "Relative humidity": "relative_humidity",
            "Dew-point temperature": "temp_dew",
            "Wet-bulb temperature": "wet_bulb",
            "Humidity ratio": "humidity_ratio",
            "Enthalpy": "enthalpy",
        },
        value="Dry-bulb temperature",
        label="Variable",
    )
    th_adaptive = mo.ui.switch(value=True, label="ASHRAE 55 adaptive comfort band")
    return th_adaptive, th_variable


@app.cell
def _(mo, shown, th_adaptive, th_variable):
    mo.stop("Temperature & humidity" not in shown)
    mo.vstack(
        [
            mo.md("""
            ## Temperature & humidity

            The yearly chart shows each day's range and mean; for the dry bulb it
            adds the ASHRAE 55 adaptive comfort band (80 % and 90 % acceptability)
            for a naturally ventilated building, from the running mean of the
            daily outdoor temperature. Below: the average day of each month and
            every hour of the year.
            """),
            mo.hstack([th_variable, th_adaptive], justify="start"),
        ]
    )
    return


@app.cell
def _(charts, climate, frame, mo, shown, system, th_adaptive, th_variable, view, weather):
    mo.stop("Temperature & humidity" not in shown)
    _col = th_variable.value
    _unit = climate.unit_of(_col, system)
    _daily = climate.daily_statistics(view[_col], view["month"], view["day"], weather.records_per_hour)
    _bands = None
    if _col == "temp_air" and th_adaptive.value:
        _trm = frame["t_running_mean"].to_numpy()[:: 24 * weather.records_per_hour]
        _limits = climate.adaptive_ashrae55(_trm)
        _bands = [
            (
                f"ASHRAE 55 adaptive {pct} %",
                climate.to_unit_system(_limits[f"lower_{pct}"].to_numpy(), "temperature", system),
                climate.to_unit_system(_limits[f"upper_{pct}"].to_numpy(), "temperature", system),
            )
            for pct in (80, 90)
        ]
    charts.daily_range(
        _daily,
        bands=_bands,
        unit=_unit,
        title=f"{climate.VARIABLES[_col][0]}: daily range and mean",
    )
    return


@app.cell
def _(charts, climate, mo, shown, system, th_variable, view):
    mo.stop("Temperature & humidity" not in shown)
    _col = th_variable.value
    _unit = climate.unit_of(_col, system)
    mo.vstack(
        [
            charts.diurnal_profiles(
                {
                    climate.VARIABLES[_col][0]: climate.diurnal_profile(
                        view[_col], view["month"], view["hour"]
                    )
                },
                unit=_unit,
                title="Average day of each month (line) with the monthly minimum and maximum",
            ),
            charts.heatmap(view[_col], title=f"{climate.VARIABLES[_col][0]}, every hour", unit=_unit),
        ]
    )
    return


@app.cell
def _(charts, climate, mo, shown, system, th_variable, view, weather):
    mo.stop("Temperature & humidity" not in shown)
    _col = th_variable.value
    _stats = climate.monthly_statistics(view[_col], view["month"], weather.records_per_hour)
    _stats.index = list(climate.MONTH_NAMES)
    mo.vstack(
        [
            mo.md(f"**Monthly statistics** of the {climate.VARIABLES[_col][0].lower()} [{climate.unit_of(_col, system)}]"),
            mo.Html(charts.html_table(_stats, index=True)),
        ]
    )
    return


@app.cell
def _(mo):
    sun_kind = mo.ui.radio(
        options={"polar": "polar", "cartesian": "cartesian"},
        value="polar",
        inline=True,
        label="Sun path",
    )
    sun_overlay = mo.ui.dropdown(
        options={
            "none": None,
            "Dry-bulb temperature": "temp_air",
            "Global horizontal irradiance": "ghi",
            "Direct normal irradiance": "dni",
            "Relative humidity": "relative_humidity",
            "UTCI, sun and wind": "utci_sun_wind",
        },
        value="Dry-bulb temperature",
        label="Colour the sun positions by",
    )
    sun_heatmap_variable = mo.ui.dropdown(
        options={
            "Global horizontal irradiance": "ghi",
            "Direct normal irradiance": "dni",
            "Diffuse horizontal irradiance": "dhi",
            "Total sky cover": "total_sky_cover",
        },
        value="Global horizontal irradiance",
        label="Heat map of",
    )
    return sun_heatmap_variable, sun_kind, sun_overlay


@app.cell
def _(mo, shown, sun_kind, sun_overlay):
    mo.stop("Sun & radiation" not in shown)
    mo.vstack(
        [
            mo.md("""
            ## Sun & radiation

            Where the sun is at every hour (local standard time; the day lines are
            the 21st of each month, the dotted lines each clock hour through the
            year), how much solar radiation arrives in an average day of each
            month, and how cloudy the sky is.
            """),
            mo.hstack([sun_kind, sun_overlay], justify="start", wrap=True),
        ]
    )
    return


@app.cell
def _(charts, climate, mo, shown, sun_kind, sun_overlay, system, view, weather):
    mo.stop("Sun & radiation" not in shown)
    _loc = weather.location
    _paths = climate.sun_path(_loc.latitude, _loc.longitude, _loc.utc_offset)
    _overlay = None
    if sun_overlay.value:
        _up = view["solar_elevation"].to_numpy() > 0
        _overlay = (
            view["solar_azimuth"].to_numpy()[_up],
            view["solar_elevation"].to_numpy()[_up],
            view[sun_overlay.value].to_numpy()[_up],
            climate.VARIABLES[sun_overlay.value][0],
            climate.unit_of(sun_overlay.value, system),
        )
    charts.sun_path(_paths, overlay=_overlay, kind=sun_kind.value, title=f"Sun path, latitude {_loc.latitude:.1f}°")
    return


@app.cell
def _(charts, climate, mo, shown, system, view):
    mo.stop("Sun & radiation" not in shown)
    _profiles = {
        climate.VARIABLES[col][0]: {
            "mean": climate.diurnal_profile(view[col], view["month"], view["hour"], quantiles=())["mean"]
        }
        for col in ("ghi", "dni", "dhi")
    }
    mo.vstack(
        [
            charts.diurnal_profiles(
                _profiles,
                unit=climate.unit_of("ghi", system),
                title="Solar irradiance in an average day of each month",
            ),
            charts.cloud_cover(
                climate.cloud_cover_monthly(view["total_sky_cover"], view["month"]),
                title="Sky cover: clear (< 3 tenths), intermediate, cloudy (> 7 tenths)",
            ),
        ]
    )
    return


@app.cell
def _(charts, climate, mo, shown, sun_heatmap_variable, system, view):
    mo.stop("Sun & radiation" not in shown)
    _col = sun_heatmap_variable.value
    mo.vstack(
        [
            sun_heatmap_variable,
            charts.heatmap(
                view[_col],
                title=climate.VARIABLES[_col][0],
                unit=climate.unit_of(_col, system),
            ),
        ]
    )
    return


@app.cell
def _(mo):
    wind_months = mo.ui.range_slider(start=1, stop=12, step=1, value=[1, 12], label="Months", show_value=True)
    wind_hours = mo.ui.range_slider(start=0, stop=23, step=1, value=[0, 23], label="Hours", show_value=True)
    wind_invert = mo.ui.multiselect(options=["invert months", "invert hours"], label="")
    return wind_hours, wind_invert, wind_months


@app.cell
def _(charts, climate, frame, mo, shown, system):
    mo.stop("Wind" not in shown)
    _stats = climate.wind_statistics(frame["wind_direction"], frame["wind_speed"])
    _unit = climate.unit_label("speed", system)
    _calm = climate.to_unit_system(climate.WIND_SPEED_BINS[0], "speed", system)
    mo.vstack(
        [
            mo.md(f"""
            ## Wind

            Wind roses show from where the wind blows (10 m above ground), how
            often and how strongly, as a share of the hours; calm hours (below
            {_calm:.2g} {_unit}) have no direction. Mean speed
            {climate.to_unit_system(_stats["mean_speed"], "speed", system):.1f} {_unit},
            calm {_stats["calm"]:.1f} % of the hours, prevailing direction
            {_stats["prevailing_direction"]:.0f}° (0° = from the north).
            """),
            charts.wind_rose(
                climate.wind_rose(frame["wind_direction"], frame["wind_speed"]),
                unit=_unit,
                speed_labels=climate.wind_speed_labels(system),
                title="Annual wind rose",
            ),
        ]
    )
    return


@app.cell
def wind_filtered_rose(
    charts,
    climate,
    frame,
    mo,
    shown,
    system,
    wind_hours,
    wind_invert,
    wind_months,
):
    mo.stop("Wind" not in shown)
    _selected = climate.time_mask(
        frame["month"],
        frame["hour"],
        tuple(wind_months.value),
        tuple(wind_hours.value),
        invert_months="invert months" in wind_invert.value,
        invert_hours="invert hours" in wind_invert.value,
    )
    _rose = climate.wind_rose(frame["wind_direction"], frame["wind_speed"], selected=_selected)
    mo.vstack(
        [
            mo.hstack([wind_months, wind_hours, wind_invert], justify="start", wrap=True),
            charts.wind_rose(
                _rose,
                unit=climate.unit_label("speed", system),
                speed_labels=climate.wind_speed_labels(system),
                title=f"Wind rose of the selected months and hours ({_rose.attrs['records']:,} records)",
            ),
        ]
    )
    return


@app.cell
def _(charts, climate, frame, mo, shown, system, weather):
    mo.stop("Wind" not in shown)
    _labels = climate.wind_speed_labels(system)
    _unit = climate.unit_label("speed", system)
    _d, _s = frame["wind_direction"], frame["wind_speed"]
    _seasons = {
        name: climate.wind_rose(_d, _s, selected=mask)
        for name, mask in climate.season_masks(frame["month"], weather.location.latitude).items()
    }
    _times = {
        name: climate.wind_rose(_d, _s, selected=mask)
        for name, mask in climate.time_of_day_masks(frame["hour"]).items()
    }
    _r_max = max(float(t.sum(axis=1).max()) for t in [*_seasons.values(), *_times.values()])
    mo.vstack(
        [
            charts.wind_rose(_seasons, unit=_unit, speed_labels=_labels, r_max=_r_max, title="Seasonal wind roses"),
            charts.wind_rose(_times, unit=_unit, speed_labels=_labels, r_max=_r_max, title="Wind by time of day"),
        ]
    )
    return


@app.cell
def _(charts, climate, mo, shown, system, view):
    mo.stop("Wind" not in shown)
    _unit = climate.unit_of("wind_speed", system)
    mo.vstack(
        [
            charts.heatmap(view["wind_speed"], title="Wind speed", unit=_unit),
            charts.diurnal_profiles(
                {"wind speed": climate.diurnal_profile(view["wind_speed"], view["month"], view["hour"])},
                unit=_unit,
                title="Wind speed in an average day of each month (band: minimum to maximum)",
            ),
        ]
    )
    return


@app.cell
def _(mo):
    psy_color = mo.ui.dropdown(
        options={
            "hour density": None,
            "Relative humidity": "relative_humidity",
            "Global horizontal irradiance": "ghi",
            "Wind speed (10 m)": "wind_speed",
            "Month": "month",
            "UTCI, sun and wind": "utci_sun_wind",
        },
        value="hour density",
        label="Show",
    )
    psy_months = mo.ui.range_slider(start=1, stop=12, step=1, value=[1, 12], label="Months", show_value=True)
    psy_hours = mo.ui.range_slider(start=0, stop=23, step=1, value=[0, 23], label="Hours", show_value=True)
    psy_invert = mo.ui.multiselect(options=["invert months", "invert hours"], label="")
    psy_zones = mo.ui.multiselect(
        options=[
            "PMV zone 0.5 clo (summer clothing)",
            "PMV zone 1.0 clo (winter clothing)",
            "adaptive band (80 %)",
        ],
        value=[
            "PMV zone 0.5 clo (summer clothing)",
            "PMV zone 1.0 clo (winter clothing)",
        ],
        label="Comfort zones",
    )
    return psy_color, psy_hours, psy_invert, psy_months, psy_zones


@app.cell
def _(mo, shown):
    mo.stop("Psychrometric chart" not in shown)
    mo.md("""
    ## Psychrometric chart

    Every hour of the selection by dry-bulb temperature and humidity ratio, at
    the station's mean pressure. The comfort zones are ASHRAE 55-2020's graphic
    comfort zone method (§5.3): PMV between −0.5 and +0.5 (ISO 7730) for 1.1 met,
    0.1 m/s air speed, mean radiant = air temperature and humidity ratio ≤
    0.012 kg/kg, at 0.5 and 1.0 clo. The adaptive band (ASHRAE 55 §5.4, 80 %
    acceptability) is for the mean running outdoor temperature of the
    selection and applies to naturally ventilated spaces; it has no humidity
    limit.
    """)
    return


@app.cell
def psychrometric_filtered(
    charts,
    climate,
    frame,
    mo,
    psy_color,
    psy_hours,
    psy_invert,
    psy_months,
    psy_zones,
    shown,
    system,
    view,
    weather,
):
    mo.stop("Psychrometric chart" not in shown)
    _selected = climate.time_mask(
        frame["month"],
        frame["hour"],
        tuple(psy_months.value),
        tuple(psy_hours.value),
        invert_months="invert months" in psy_invert.value,
        invert_hours="invert hours" in psy_invert.value,
    )
    _pressure = float(frame["pressure"].mean())
    _t = frame["temp_air"].to_numpy()
    _lines = climate.psychrometric_lines(
        _pressure,
        system,
        (float(min(_t.min(), 0.0)), float(max(_t.max(), 35.0))),
        humidity_ratio_max=max(float(frame["humidity_ratio"].max()), 0.015),
    )
    _band = None
    if "adaptive band (80 %)" in psy_zones.value:
        _trm = float(frame["t_running_mean"].to_numpy()[_selected].mean())
        _limits = climate.adaptive_ashrae55([_trm])
        _band = (float(_limits["lower_80"].iloc[0]), float(_limits["upper_80"].iloc[0]))
    _clo = [
        clo
        for clo, name in ((0.5, "PMV zone 0.5 clo (summer clothing)"), (1.0, "PMV zone 1.0 clo (winter clothing)"))
        if name in psy_zones.value
    ]
    _zones = climate.psychrometric_zones(_pressure, system, clo_levels=_clo, adaptive_band=_band)
    _x = view["temp_air"].to_numpy()[_selected]
    _y = view["humidity_ratio"].to_numpy()[_selected]
    _color = None
    if psy_color.value:
        _col = psy_color.value
        _color = (
            view[_col].to_numpy()[_selected],
            climate.VARIABLES.get(_col, ("Month", ""))[0],
            climate.unit_of(_col, system),
        )
    _inside = [
        f"{z['name']}: **{100 * climate.inside_polygon(_x, _y, z['x'], z['y']).mean():.1f} %**"
        for z in _zones
    ]
    mo.vstack(
        [
            mo.hstack([psy_color, psy_months, psy_hours, psy_invert], justify="start", wrap=True),
            psy_zones,
            charts.psychrometric_chart(
                _x,
                _y,
                _lines,
                color=_color,
                zones=_zones,
                records_per_hour=weather.records_per_hour,
                title="Psychrometric chart at "
                + (f"{_pressure / 1000:.1f} kPa" if system == "SI" else f"{climate.to_unit_system(_pressure, 'pressure', 'IP'):.2f} psi"),
            ),
            mo.md("Share of the selected hours inside each zone: " + "; ".join(_inside))
            if _inside
            else mo.md(""),
        ]
    )
    return


@app.cell
def _(mo, system):
    _ip = system == "IP"
    comfort_model = mo.ui.radio(
        options={"ASHRAE 55 adaptive": "ashrae", "EN 16798-1 adaptive": "en"},
        value="ASHRAE 55 adaptive",
        inline=True,
        label="Model",
    )
    comfort_speed = mo.ui.dropdown(
        options={
            ("≤ 59 fpm (still air)" if _ip else "≤ 0.3 m/s (still air)"): 0.0,
            ("118 fpm" if _ip else "0.6 m/s"): 0.6,
            ("177 fpm" if _ip else "0.9 m/s"): 0.9,
            ("236 fpm" if _ip else "1.2 m/s"): 1.2,
        },
        value="≤ 59 fpm (still air)" if _ip else "≤ 0.3 m/s (still air)",
        label="Indoor air speed",
    )
    comfort_hours = mo.ui.range_slider(
        start=0, stop=23, step=1, value=[0, 23], label="Occupied hours", show_value=True
    )
    utci_scenario = mo.ui.dropdown(
        options={
            "sun and wind": "utci_sun_wind",
            "shade and wind": "utci_shade_wind",
            "sun, no wind": "utci_sun_calm",
            "shade, no wind": "utci_shade_calm",
        },
        value="sun and wind",
        label="UTCI scenario",
    )
    utci_months = mo.ui.range_slider(start=1, stop=12, step=1, value=[1, 12], label="Months", show_value=True)
    utci_hours = mo.ui.range_slider(start=0, stop=23, step=1, value=[0, 23], label="Hours", show_value=True)
    return (
        comfort_hours,
        comfort_model,
        comfort_speed,
        utci_hours,
        utci_months,
        utci_scenario,
    )


@app.cell
def _(mo, shown):
    mo.stop("Comfort" not in shown)
    mo.md("""
    ## Comfort

    **Adaptive comfort** (ASHRAE 55-2020 §5.4 or EN 16798-1 annex B.2.2): the
    comfortable operative temperature of a naturally ventilated space follows
    the running mean of the outdoor temperature (α = 0.8 over 7 days). As a
    climate-level indicator the operative temperature is taken equal to the
    outdoor dry bulb (a free-running building without solar or internal
    gains); hours whose running mean lies outside the model's range
    (ASHRAE 10–33.5 °C, EN 10–30 °C upper / 15–30 °C lower limit) count as
    "not applicable". An air speed of 0.6 m/s or more raises the upper limit
    above 25 °C.
    """)
    return


@app.cell
def adaptive_comfort_filtered(
    charts,
    climate,
    comfort_hours,
    comfort_model,
    comfort_speed,
    frame,
    mo,
    shown,
    system,
    weather,
):
    mo.stop("Comfort" not in shown)
    _t = frame["temp_air"].to_numpy()
    _trm = frame["t_running_mean"].to_numpy()
    _occupied = climate.time_mask(frame["month"], frame["hour"], (1, 12), tuple(comfort_hours.value))
    if comfort_model.value == "ashrae":
        _limits = climate.adaptive_ashrae55(_trm, _t, comfort_speed.value)
        _classes = {"80 % acceptability": "80", "90 % acceptability": "90"}
        _ok = _limits["applicable"].to_numpy()
        _ok_lower = _ok_upper = _ok
    else:
        _limits = climate.adaptive_en16798(_trm, _t, comfort_speed.value)
        _classes = {"category I": "I", "category II": "II", "category III": "III"}
        _ok_lower = _limits["applicable_lower"].to_numpy()
        _ok_upper = _limits["applicable_upper"].to_numpy()
    _tables = {}
    for _name, _key in _classes.items():
        _lower = _limits[f"lower_{_key}"].to_numpy()
        _upper = _limits[f"upper_{_key}"].to_numpy()
        _lower_ok = _lower.copy()
        _upper_ok = _upper.copy()
        _lower_ok[~_ok_lower] = float("nan")
        _upper_ok[~_ok_upper] = float("nan")
        _tables[_name] = (
            climate.adaptive_comfort_hours(_t, _lower_ok, _upper_ok, frame["month"], _occupied),
            _lower,
            _upper,
        )
    _first = next(iter(_tables))
    _table, _lower, _upper = _tables[_first]
    _sel = _occupied
    mo.vstack(
        [
            mo.hstack([comfort_model, comfort_speed, comfort_hours], justify="start", wrap=True),
            charts.comfort_hours_bars(
                _table, title=f"Occupied hours below, inside and above the band ({_first})"
            ),
            mo.ui.tabs(
                {
                    name: mo.Html(charts.html_table(table, index=True))
                    for name, (table, _l, _u) in _tables.items()
                }
            ),
            charts.adaptive_comfort_scatter(
                frame["doy"].to_numpy()[_sel],
                frame["hour"].to_numpy()[_sel],
                climate.to_unit_system(_t[_sel], "temperature", system),
                climate.to_unit_system(_lower[_sel], "temperature", system),
                climate.to_unit_system(_upper[_sel], "temperature", system),
                unit=climate.unit_label("temperature", system),
                leap=weather.is_leap_year,
                band_name=_first,
                title="Every occupied hour against the comfort band",
            ),
        ]
    )
    return


@app.cell
def utci_filtered(
    charts,
    climate,
    frame,
    mo,
    shown,
    system,
    utci_hours,
    utci_months,
    utci_scenario,
    view,
):
    mo.stop("Comfort" not in shown)
    _selected = climate.time_mask(frame["month"], frame["hour"], tuple(utci_months.value), tuple(utci_hours.value))
    _col = utci_scenario.value
    _series = view[_col].where(_selected)
    _edges = [climate.to_unit_system(c[2], "temperature", system) for c in climate.UTCI_CATEGORIES[:-1]]
    _names = [c[0] for c in climate.UTCI_CATEGORIES]
    mo.vstack(
        [
            mo.md("""
            **Outdoor comfort, UTCI** (Universal Thermal Climate Index, Bröde et al.
            2012): the air temperature of a reference environment that strains the
            body like the actual one. Four scenarios as in CBE Clima: in the sun
            (mean radiant temperature raised by the direct, diffuse and reflected
            sun, ASHRAE 55 SolarCal, standing person) or in the shade, with the
            measured wind or with 0.5 m/s.
            """),
            mo.hstack([utci_scenario, utci_months, utci_hours], justify="start", wrap=True),
            charts.utci_heatmap(
                _series,
                _names,
                _edges,
                unit=climate.unit_label("temperature", system),
                title=f"UTCI thermal stress, {utci_scenario.selected_key}",
            ),
            charts.utci_categories_monthly(
                climate.utci_category_shares(frame[_col], frame["month"], _selected),
                title="Share of the selected hours in each stress category",
            ),
            mo.md("**All four scenarios**, share of the selected hours [%]"),
            mo.Html(charts.html_table(climate.utci_scenario_summary(frame, _selected), index=True)),
        ]
    )
    return


@app.cell
def _(mo, system):
    _ip = system == "IP"
    nv_min = mo.ui.number(start=-40, stop=120, step=0.5, value=50 if _ip else 10, label="Outdoor dry bulb from")
    nv_max = mo.ui.number(start=-40, stop=120, step=0.5, value=75 if _ip else 24, label="to")
    nv_dew = mo.ui.number(start=-40, stop=100, step=0.5, value=61 if _ip else 16, label="Dew point at most")
    nv_use_dew = mo.ui.switch(value=True, label="Limit the dew point")
    nv_months = mo.ui.range_slider(start=1, stop=12, step=1, value=[1, 12], label="Months", show_value=True)
    nv_hours = mo.ui.range_slider(start=0, stop=23, step=1, value=[0, 23], label="Hours", show_value=True)
    return nv_dew, nv_hours, nv_max, nv_min, nv_months, nv_use_dew


@app.cell
def natural_ventilation_filtered(
    charts,
    climate,
    frame,
    mo,
    nv_dew,
    nv_hours,
    nv_max,
    nv_min,
    nv_months,
    nv_use_dew,
    shown,
    system,
    view,
    weather,
):
    mo.stop("Natural ventilation" not in shown)
    _selected = climate.time_mask(frame["month"], frame["hour"], tuple(nv_months.value), tuple(nv_hours.value))
    _suited = climate.natural_ventilation(
        view["temp_air"],
        view["temp_dew"],
        nv_min.value,
        nv_max.value,
        nv_dew.value if nv_use_dew.value else None,
    )
    _monthly = climate.monthly_share(_suited, frame["month"], _selected, weather.records_per_hour)
    _unit = climate.unit_label("temperature", system)
    _total = _monthly["hours"].sum()
    _share = 100 * _total / max(_selected.sum() / weather.records_per_hour, 1)
    mo.vstack(
        [
            mo.md(f"""
            ## Natural ventilation

            Hours when opening the windows can cool a building without bringing
            in air that is too cold, too hot or too humid: outdoor dry bulb
            within the range and (optionally) the dew point below a limit. The
            defaults are CBE Clima's. **{_total:,.0f} h** of the selected hours
            are suitable ({_share:.0f} %).
            """),
            mo.hstack([nv_min, nv_max, nv_use_dew, nv_dew], justify="start", wrap=True),
            mo.hstack([nv_months, nv_hours], justify="start", wrap=True),
            charts.heatmap(
                view["temp_air"].where(_suited & _selected),
                title="Dry bulb in the hours suited to natural ventilation",
                unit=_unit,
            ),
            charts.monthly_bars(
                {"suitable hours": _monthly["hours"].to_numpy()},
                unit="h",
                title="Suitable hours per month",
            ),
            charts.monthly_bars(
                {"share of the selected hours": _monthly["share"].to_numpy()},
                unit="%",
                title="Share of the selected hours per month",
            ),
        ]
    )
    return


@app.cell
def _(climate, mo):
    _options = {label: col for col, (label, _kind) in climate.VARIABLES.items()}
    explorer_variable = mo.ui.dropdown(options=_options, value="Dry-bulb temperature", label="Variable")
    explorer_months = mo.ui.range_slider(start=1, stop=12, step=1, value=[1, 12], label="Months", show_value=True)
    explorer_hours = mo.ui.range_slider(start=0, stop=23, step=1, value=[0, 23], label="Hours", show_value=True)
    explorer_filter_variable = mo.ui.dropdown(
        options={"no filter": None, **_options}, value="no filter", label="Keep records where"
    )
    explorer_filter_min = mo.ui.number(value=-100, label="is at least")
    explorer_filter_max = mo.ui.number(value=2000, label="and at most")
    explorer_x = mo.ui.dropdown(options=_options, value="Dry-bulb temperature", label="x")
    explorer_y = mo.ui.dropdown(options=_options, value="Relative humidity", label="y")
    explorer_color = mo.ui.dropdown(options=_options, value="Global horizontal irradiance", label="colour")
    return (
        explorer_color,
        explorer_filter_max,
        explorer_filter_min,
        explorer_filter_variable,
        explorer_hours,
        explorer_months,
        explorer_variable,
        explorer_x,
        explorer_y,
    )


@app.cell
def explorer_selection(
    climate,
    explorer_filter_max,
    explorer_filter_min,
    explorer_filter_variable,
    explorer_hours,
    explorer_months,
    frame,
    shown,
    view,
):
    # the records the explorer shows (and downloads)
    explorer_selected = None
    if "Data explorer" in shown:
        explorer_selected = climate.time_mask(
            frame["month"], frame["hour"], tuple(explorer_months.value), tuple(explorer_hours.value)
        )
        if explorer_filter_variable.value:
            _v = view[explorer_filter_variable.value].to_numpy()
            explorer_selected &= (_v >= explorer_filter_min.value) & (_v <= explorer_filter_max.value)
    return (explorer_selected,)


@app.cell
def _(
    climate,
    explorer_filter_max,
    explorer_filter_min,
    explorer_filter_variable,
    explorer_hours,
    explorer_months,
    explorer_selected,
    explorer_variable,
    mo,
    shown,
    system,
    view,
    weather,
):
    mo.stop("Data explorer" not in shown)

    def _csv() -> bytes:
        _cols = ["month", "day", "hour", *climate.VARIABLES]
        _out = view.loc[explorer_selected, _cols]
        _out.columns = [
            f"{c} [{climate.unit_of(c, system)}]" if climate.unit_of(c, system) else c for c in _cols
        ]
        return _out.to_csv(index_label="time").encode()

    _n = int(explorer_selected.sum())
    mo.vstack(
        [
            mo.md(f"""
            ## Data explorer

            Any variable of the file or derived from it, filtered by months, hours
            and a value range of any variable. The download holds exactly the
            records the charts show ({_n:,} of {len(view):,}), in
            {system} units.
            """),
            mo.hstack([explorer_variable, explorer_months, explorer_hours], justify="start", wrap=True),
            mo.hstack(
                [explorer_filter_variable, explorer_filter_min, explorer_filter_max],
                justify="start",
                wrap=True,
            ),
            mo.download(
                data=_csv,
                filename=f"{weather.location.city.lower().replace(' ', '_')}_filtered_{system}.csv",
                mimetype="text/csv",
                label="Download the filtered data (CSV)",
            ),
        ]
    )
    return


@app.cell
def explorer_charts(
    charts,
    climate,
    explorer_selected,
    explorer_variable,
    mo,
    shown,
    system,
    view,
    weather,
):
    mo.stop("Data explorer" not in shown)
    _col = explorer_variable.value
    _unit = climate.unit_of(_col, system)
    _label = climate.VARIABLES[_col][0]
    _series = view[_col].where(explorer_selected)
    _stats = climate.monthly_statistics(_series, view["month"], weather.records_per_hour)
    _stats.index = list(climate.MONTH_NAMES)
    mo.vstack(
        [
            charts.daily_range(
                climate.daily_statistics(_series, view["month"], view["day"], weather.records_per_hour),
                unit=_unit,
                title=f"{_label}: daily range and mean",
            ),
            charts.diurnal_profiles(
                {_label: climate.diurnal_profile(_series, view["month"], view["hour"])},
                unit=_unit,
                title="Average day of each month",
            ),
            charts.heatmap(_series, title=_label, unit=_unit),
            mo.md(f"**Monthly statistics** [{_unit}]"),
            mo.Html(charts.html_table(_stats, index=True, decimals=2)),
        ]
    )
    return


@app.cell
def _(
    charts,
    climate,
    explorer_color,
    explorer_selected,
    explorer_x,
    explorer_y,
    mo,
    shown,
    system,
    view,
):
    mo.stop("Data explorer" not in shown)
    _x, _y, _c = explorer_x.value, explorer_y.value, explorer_color.value
    mo.vstack(
        [
            mo.hstack([explorer_x, explorer_y, explorer_color], justify="start", wrap=True),
            charts.scatter(
                view[_x].to_numpy()[explorer_selected],
                view[_y].to_numpy()[explorer_selected],
                color=view[_c].to_numpy()[explorer_selected],
                x_label=f"{climate.VARIABLES[_x][0]} [{climate.unit_of(_x, system)}]",
                y_label=f"{climate.VARIABLES[_y][0]} [{climate.unit_of(_y, system)}]",
                color_label=climate.unit_of(_c, system),
                title=f"{climate.VARIABLES[_y][0]} against {climate.VARIABLES[_x][0].lower()}",
            ),
        ]
    )
    return


@app.cell
def _(mo, station_labels, station_picker):
    _others = [label for label in station_labels if label != station_picker.value] or list(station_labels)
    compare_picker = mo.ui.dropdown(options=list(station_labels), value=_others[0], label="Compare with")
    return (compare_picker,)


@app.cell
def _(
    asset_folder,
    assets,
    climate,
    compare_picker,
    key_figure_options,
    shown,
    station_labels,
):
    # the second station is loaded only when the Compare tab is open
    weather_b, frame_b, key_figures_b = None, None, None
    if "Compare" in shown:
        weather_b = assets.load_station(asset_folder, station_labels[compare_picker.value])
        frame_b = climate.derive(weather_b)
        key_figures_b = climate.key_figures(weather_b, frame_b, **key_figure_options)
    return frame_b, key_figures_b, weather_b


@app.cell
def _(
    charts,
    climate,
    compare_picker,
    key_figures,
    key_figures_b,
    mo,
    shown,
    system,
    weather,
    weather_b,
):
    mo.stop("Compare" not in shown)
    _a = weather.location.city.title()
    _b = weather_b.location.city.title()
    if _b == _a:
        _b += " (2)"
    _table = climate.key_figure_table({_a: key_figures, _b: key_figures_b}, system)
    mo.vstack(
        [
            mo.md("""
            ## Compare

            Two stations side by side on the key charts, with the same scales so
            that the pictures compare directly (CBE Clima shows one station at a
            time).
            """),
            compare_picker,
            mo.Html(charts.html_table(_table)),
        ]
    )
    return


@app.cell
def _(charts, climate, frame, frame_b, mo, shown, system, weather, weather_b):
    mo.stop("Compare" not in shown)
    _pair = [(weather, frame), (weather_b, frame_b)]
    _unit = climate.unit_label("temperature", system)
    _views = [climate.convert_frame(f, system) for _w, f in _pair]
    _lo = min(float(v["temp_air"].min()) for v in _views)
    _hi = max(float(v["temp_air"].max()) for v in _views)
    _range = (_lo - 2, _hi + 2)
    _daily = []
    for (_w, _f), _v in zip(_pair, _views, strict=True):
        _trm = _f["t_running_mean"].to_numpy()[:: 24 * _w.records_per_hour]
        _limits = climate.adaptive_ashrae55(_trm)
        _daily.append(
            charts.daily_range(
                climate.daily_statistics(_v["temp_air"], _v["month"], _v["day"], _w.records_per_hour),
                bands=[
                    (
                        "ASHRAE 55 adaptive 80 %",
                        climate.to_unit_system(_limits["lower_80"].to_numpy(), "temperature", system),
                        climate.to_unit_system(_limits["upper_80"].to_numpy(), "temperature", system),
                    )
                ],
                unit=_unit,
                y_range=_range,
                title=f"{_w.location.city.title()}: dry bulb",
                height=320,
            )
        )
    _names = [w.location.city.title() for w, _f in _pair]
    if _names[0] == _names[1]:
        _names[1] += " (2)"
    _profiles = charts.diurnal_profiles(
        {
            name: climate.diurnal_profile(v["temp_air"], v["month"], v["hour"])
            for name, v in zip(_names, _views, strict=True)
        },
        unit=_unit,
        title="Average day of each month, both stations",
    )
    mo.vstack([mo.hstack(_daily, widths="equal", wrap=True), _profiles])
    return


@app.cell
def _(charts, climate, frame, frame_b, mo, shown, system, weather, weather_b):
    mo.stop("Compare" not in shown)
    _pair = [(weather, frame), (weather_b, frame_b)]
    _roses = [climate.wind_rose(f["wind_direction"], f["wind_speed"]) for _w, f in _pair]
    _r_max = max(float(r.sum(axis=1).max()) for r in _roses)
    _wind = [
        charts.wind_rose(
            r,
            unit=climate.unit_label("speed", system),
            speed_labels=climate.wind_speed_labels(system),
            r_max=_r_max,
            title=f"{w.location.city.title()}: wind",
            height=360,
        )
        for (w, _f), r in zip(_pair, _roses, strict=True)
    ]
    _t_all = [f["temp_air"].to_numpy() for _w, f in _pair]
    _lines = climate.psychrometric_lines(
        101325.0,
        system,
        (float(min(min(t.min() for t in _t_all), 0.0)), float(max(max(t.max() for t in _t_all), 35.0))),
        humidity_ratio_max=max(float(f["humidity_ratio"].max()) for _w, f in _pair),
    )
    _zones = climate.psychrometric_zones(101325.0, system)
    _psy = []
    for _w, _f in _pair:
        _v = climate.convert_frame(_f, system)
        _psy.append(
            charts.psychrometric_chart(
                _v["temp_air"].to_numpy(),
                _v["humidity_ratio"].to_numpy(),
                _lines,
                zones=_zones,
                records_per_hour=_w.records_per_hour,
                density_max=100,
                title=f"{_w.location.city.title()}: psychrometric chart",
                height=380,
            )
        )
    _utci = [
        charts.utci_categories_monthly(
            climate.utci_category_shares(f["utci_sun_wind"], f["month"]),
            title=f"{w.location.city.title()}: UTCI (sun and wind)",
            height=320,
        )
        for w, f in _pair
    ]
    _dd_unit = climate.unit_label("degree_days", system)
    _names = [w.location.city.title() for w, _f in _pair]
    if _names[0] == _names[1]:
        _names[1] += " (2)"
    _hdd = {
        name: climate.to_unit_system(
            climate.degree_days(f["temp_air"], f["month"], 18.0, "heating", "hourly", w.records_per_hour).to_numpy(),
            "degree_days",
            system,
        )
        for name, (w, f) in zip(_names, _pair, strict=True)
    }
    mo.vstack(
        [
            mo.hstack(_wind, widths="equal", wrap=True),
            mo.hstack(_psy, widths="equal", wrap=True),
            mo.hstack(_utci, widths="equal", wrap=True),
            charts.monthly_bars(_hdd, unit=_dd_unit, title="Heating degree days per month (base 18 °C / 64.4 °F)"),
        ]
    )
    return


if __name__ == "__main__":
    app.run()
