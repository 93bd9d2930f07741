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

    The tabs hold the analyses of CBE Clima and what it lacks: leap-year and
    sub-hourly files, monthly comfort-hour tables, design conditions, degree
    days by several methods, two stations side by side. Formulas and their
    references: `climatevis.climate`.
    """)
    return


@app.cell
def _():
    from climatevis import assets, charts, climate
    from climatevis import climate_views as views

    return assets, charts, climate, views


@app.cell
def _(mo):
    def month_hour_sliders():
        """The month and hour range sliders of a tab's filter, set to the whole year and day."""
        return (
            mo.ui.range_slider(start=1, stop=12, step=1, value=[1, 12], label="Months", show_value=True),
            mo.ui.range_slider(start=0, stop=23, step=1, value=[0, 23], label="Hours", show_value=True),
        )

    return (month_hour_sliders,)


@app.cell
def _(assets, mo):
    asset_folder = assets.asset_root(mo.notebook_location())
    station_labels = assets.station_labels(assets.read_index(asset_folder))
    return asset_folder, station_labels


@app.cell
def _(assets, mo, station_labels):
    station_picker = mo.ui.dropdown(
        options=list(station_labels), value=assets.default_label(station_labels), label="Station"
    )
    upload = mo.ui.file(filetypes=[".epw", ".zip", ".gz"], label="or upload an EPW")
    unit_system = mo.ui.radio(options=["SI", "IP"], value="SI", inline=True, label="Units")
    mo.hstack([station_picker, upload, unit_system], justify="start", gap=2, wrap=True)
    return station_picker, unit_system, upload


@app.cell
def _(asset_folder, assets, station_labels, station_picker, upload):
    weather, load_error = assets.choose_weather(
        asset_folder,
        station_labels[station_picker.value],
        (upload.contents(), upload.name()) if upload.value else None,
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
def _(assets, load_error, mo, views, weather):
    _line = mo.md(views.location_line(weather))
    mo.vstack(
        [
            mo.callout(mo.md(assets.upload_error_note(load_error)), kind="danger"),
            _line,
        ]
        if load_error
        else [_line]
    )
    return


@app.cell
def _(mo):
    _names = ["Summary", "Temperature & humidity", "Sun & radiation", "Wind", "Psychrometric chart"]
    _names += ["Comfort", "Natural ventilation", "Data explorer", "Compare"]
    tab_bar = mo.ui.tabs({name: "" for name in _names})
    tab_bar
    return (tab_bar,)


@app.cell
def _(tab_bar):
    # the tabs whose cells run; the benchmark and the tests switch on every tab at once
    shown = {tab_bar.value}
    return (shown,)


@app.cell
def _(mo, system):
    # controls live in cells of their own, so that they keep their values across tabs
    heating_base = mo.ui.number(start=-40, stop=100, step=0.5, value=65 if system == "IP" else 18, label="Heating base")
    cooling_base = mo.ui.number(start=-40, stop=100, step=0.5, value=65 if system == "IP" else 18, label="Cooling base")
    dd_method = mo.ui.dropdown(
        options={"hourly (Σ hourly differences / 24)": "hourly", "daily mean": "daily", "Austrian HGT 20/12": "hgt"},
        value="hourly (Σ hourly differences / 24)",
        label="Degree days",
    )
    koppen_boundary = mo.ui.radio(
        options={"0 °C (Peel et al. 2007)": 0.0, "−3 °C (Köppen)": -3.0},
        value="0 °C (Peel et al. 2007)",
        label="C/D boundary (coldest month)",
        inline=True,
    )
    return cooling_base, dd_method, heating_base, koppen_boundary


@app.cell
def _(cooling_base, dd_method, heating_base, koppen_boundary, system, views):
    key_figure_options = views.key_figure_options(
        dd_method.value, heating_base.value, cooling_base.value, system, koppen_boundary.value
    )
    return (key_figure_options,)


@app.cell
def _(climate, frame, key_figure_options, weather):
    key_figures = climate.key_figures(weather, frame, **key_figure_options)
    return (key_figures,)


@app.cell
def _(key_figures, koppen_boundary, mo, shown, system, views):
    mo.stop("Summary" not in shown)
    mo.vstack(
        [
            mo.md("""
            ## Summary

            Temperatures (mean, and the values the coldest and hottest 1 % of
            hours lie beyond), solar irradiation on a horizontal surface, degree
            days, the Köppen–Geiger class and the design conditions HVAC sizing
            starts from.
            """),
            mo.hstack(
                [mo.stat(value, label=label, caption=caption) for value, label, caption in views.summary_stats(key_figures, system)],
                widths="equal",
                wrap=True,
            ),
            mo.md(views.koppen_note(key_figures["koppen"])),
            koppen_boundary,
        ]
    )
    return


@app.cell
def _(charts, climate, key_figures, mo, shown, system, views, weather):
    mo.stop("Summary" not in shown)
    _design = key_figures["design"]
    mo.hstack(
        [
            mo.vstack(
                [
                    mo.md("**Key figures**"),
                    mo.Html(charts.html_table(climate.key_figure_table({views.station_name(weather): key_figures}, system))),
                ]
            ),
            mo.vstack(
                [
                    mo.md(f"**Design conditions**: header {_design['source']}; computed: percentiles of this file's hours (indicative)."),
                    mo.Html(charts.html_table(climate.design_table(_design, system))),
                ]
            ),
        ],
        widths="equal",
        wrap=True,
    )
    return


@app.cell
def _(
    cooling_base,
    dd_method,
    frame,
    heating_base,
    key_figure_options,
    mo,
    shown,
    system,
    view,
    views,
    weather,
):
    mo.stop("Summary" not in shown)
    mo.vstack(
        [
            mo.hstack([dd_method, heating_base, cooling_base], justify="start", wrap=True),
            views.degree_day_chart(frame, weather.records_per_hour, system, key_figure_options),
            views.climate_profile(view, system),
        ]
    )
    return


@app.cell
def _(climate, mo):
    th_variable = mo.ui.dropdown(
        options={climate.VARIABLES[c][0]: c for c in ("temp_air", "relative_humidity", "temp_dew", "wet_bulb", "humidity_ratio", "enthalpy")},
        value="Dry-bulb temperature",
        label="Variable",
    )
    th_adaptive = mo.ui.switch(value=True, label="ASHRAE 55 adaptive comfort band")
    return th_adaptive, th_variable


@app.cell
def _(
    charts,
    frame,
    mo,
    shown,
    system,
    th_adaptive,
    th_variable,
    view,
    views,
    weather,
):
    mo.stop("Temperature & humidity" not in shown)
    _daily, _days, _heat, _stats = views.temperature_charts(
        frame, view, th_variable.value, weather.records_per_hour, system, th_adaptive.value
    )
    mo.vstack(
        [
            mo.md("""
            ## Temperature & humidity

            Each day's range and mean; for the dry bulb with the ASHRAE 55
            adaptive comfort band (80 % and 90 % acceptability) of a naturally
            ventilated building. Below: the average day of each month, every
            hour of the year, and monthly statistics.
            """),
            mo.hstack([th_variable, th_adaptive], justify="start"),
            _daily,
            _days,
            _heat,
            mo.Html(charts.html_table(_stats, index=True)),
        ]
    )
    return


@app.cell
def _(climate, mo):
    sun_kind = mo.ui.radio(options=["polar", "cartesian"], value="polar", inline=True, label="Sun path")
    sun_overlay = mo.ui.dropdown(
        options={"none": None, **{climate.VARIABLES[c][0]: c for c in ("temp_air", "ghi", "dni", "relative_humidity", "utci_sun_wind")}},
        value="Dry-bulb temperature",
        label="Colour the sun positions by",
    )
    sun_heatmap = mo.ui.dropdown(
        options={climate.VARIABLES[c][0]: c for c in ("ghi", "dni", "dhi", "total_sky_cover")},
        value="Global horizontal irradiance",
        label="Heat map of",
    )
    return sun_heatmap, sun_kind, sun_overlay


@app.cell
def _(mo, shown, sun_kind, sun_overlay, system, view, views, weather):
    mo.stop("Sun & radiation" not in shown)
    mo.vstack(
        [
            mo.md("""
            ## Sun & radiation

            Where the sun is at every hour (local standard time; day lines: the
            21st of each month, dotted: each clock hour through the year), the
            solar radiation of an average day of each month, and the sky cover.
            """),
            mo.hstack([sun_kind, sun_overlay], justify="start", wrap=True),
            views.sun_path_chart(weather, view, system, sun_kind.value, sun_overlay.value),
        ]
    )
    return


@app.cell
def _(mo, shown, sun_heatmap, system, view, views):
    mo.stop("Sun & radiation" not in shown)
    _days, _clouds, _heat = views.solar_charts(view, system, sun_heatmap.value)
    mo.vstack([_days, _clouds, sun_heatmap, _heat])
    return


@app.cell
def _(mo, month_hour_sliders, views):
    wind_months, wind_hours = month_hour_sliders()
    wind_invert = mo.ui.multiselect(options=views.INVERT_OPTIONS, label="")
    return wind_hours, wind_invert, wind_months


@app.cell
def _(frame, mo, shown, system, views, weather):
    mo.stop("Wind" not in shown)
    wind = views.wind_roses(frame, weather.location.latitude, system)
    mo.vstack(
        [
            mo.md(f"""
            ## Wind

            From where the wind blows (10 m above ground), how often and how
            strongly, as a share of the hours; calm hours (below
            {wind["calm_below"]:.2g} {wind["unit"]}) have no direction. Mean speed
            {wind["mean_speed"]:.1f} {wind["unit"]}, calm {wind["calm"]:.1f} % of
            the hours, prevailing direction {wind["prevailing_direction"]:.0f}°
            (0° = from the north).
            """),
            wind["annual"],
        ]
    )
    return (wind,)


@app.cell
def wind_filtered_rose(
    frame,
    mo,
    shown,
    system,
    views,
    wind_hours,
    wind_invert,
    wind_months,
):
    mo.stop("Wind" not in shown)
    _selected = views.selection(frame, wind_months.value, wind_hours.value, wind_invert.value)
    mo.vstack(
        [
            mo.hstack([wind_months, wind_hours, wind_invert], justify="start", wrap=True),
            views.filtered_wind_rose(frame, system, _selected),
        ]
    )
    return


@app.cell
def _(mo, shown, system, view, views, wind):
    mo.stop("Wind" not in shown)
    mo.vstack([wind["seasons"], wind["times"], *views.wind_speed_charts(view, system)])
    return


@app.cell
def _(mo, month_hour_sliders, views):
    psy_color = mo.ui.dropdown(
        options={"hour density": None, "Relative humidity": "relative_humidity", "Global horizontal irradiance": "ghi",
                 "Wind speed (10 m)": "wind_speed", "Month": "month", "UTCI, sun and wind": "utci_sun_wind"},
        value="hour density",
        label="Show",
    )
    psy_months, psy_hours = month_hour_sliders()
    psy_invert = mo.ui.multiselect(options=views.INVERT_OPTIONS, label="")
    psy_zones = mo.ui.multiselect(options=list(views.ZONES), value=list(views.ZONES)[:2], label="Comfort zones")
    return psy_color, psy_hours, psy_invert, psy_months, psy_zones


@app.cell
def _(mo, shown):
    mo.stop("Psychrometric chart" not in shown)
    mo.md("""
    ## Psychrometric chart

    Every hour of the selection by dry bulb and humidity ratio, at the
    station's mean pressure. Comfort zones: ASHRAE 55-2020's graphic comfort
    zone method (§5.3), PMV −0.5 to +0.5 (ISO 7730) at 1.1 met, 0.1 m/s, mean
    radiant = air temperature, humidity ratio ≤ 0.012 kg/kg, 0.5 and 1.0 clo;
    and the ASHRAE 55 adaptive band (§5.4, 80 %) for the mean running outdoor
    temperature of the selection, which applies to naturally ventilated spaces
    and has no humidity limit.
    """)
    return


@app.cell
def psychrometric_filtered(
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
    views,
    weather,
):
    mo.stop("Psychrometric chart" not in shown)
    _selected = views.selection(frame, psy_months.value, psy_hours.value, psy_invert.value)
    _chart, _shares = views.psychrometric(
        frame, view, system, _selected, weather.records_per_hour, psy_color.value, psy_zones.value
    )
    mo.vstack(
        [
            mo.hstack([psy_color, psy_months, psy_hours, psy_invert], justify="start", wrap=True),
            psy_zones,
            _chart,
            mo.md("Share of the selected hours inside: " + "; ".join(f"{n}: **{s:.1f} %**" for n, s in _shares)),
        ]
    )
    return


@app.cell
def _(mo, month_hour_sliders, system):
    _ip = system == "IP"
    comfort_model = mo.ui.radio(
        options={"ASHRAE 55 adaptive": "ashrae", "EN 16798-1 adaptive": "en"},
        value="ASHRAE 55 adaptive",
        inline=True,
        label="Model",
    )
    _speeds = [("≤ 59 fpm (still air)", "≤ 0.3 m/s (still air)", 0.0), ("118 fpm", "0.6 m/s", 0.6)]
    _speeds += [("177 fpm", "0.9 m/s", 0.9), ("236 fpm", "1.2 m/s", 1.2)]
    comfort_speed = mo.ui.dropdown(
        options={(ip if _ip else si): v for ip, si, v in _speeds},
        value=_speeds[0][0 if _ip else 1],
        label="Indoor air speed",
    )
    comfort_hours = mo.ui.range_slider(start=0, stop=23, step=1, value=[0, 23], label="Occupied hours", show_value=True)
    utci_scenario = mo.ui.dropdown(
        options={name: col for col, name in (("utci_sun_wind", "sun and wind"), ("utci_shade_wind", "shade and wind"),
                                             ("utci_sun_calm", "sun, no wind"), ("utci_shade_calm", "shade, no wind"))},
        value="sun and wind",
        label="UTCI scenario",
    )
    utci_months, utci_hours = month_hour_sliders()
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
    climate indicator the operative temperature is the outdoor dry bulb (a
    free-running building without solar or internal gains); hours whose
    running mean is outside the model's range (ASHRAE 10–33.5 °C; EN 10–30 °C
    upper, 15–30 °C lower limit) are "not applicable". An air speed from 0.6 m/s
    raises the upper limit above 25 °C.
    """)
    return


@app.cell
def adaptive_comfort_filtered(
    charts,
    comfort_hours,
    comfort_model,
    comfort_speed,
    frame,
    mo,
    shown,
    system,
    views,
    weather,
):
    mo.stop("Comfort" not in shown)
    _occupied = views.selection(frame, (1, 12), comfort_hours.value)
    _adaptive = views.adaptive_comfort(
        frame, system, comfort_model.value, comfort_speed.value, _occupied, weather.is_leap_year
    )
    mo.vstack(
        [
            mo.hstack([comfort_model, comfort_speed, comfort_hours], justify="start", wrap=True),
            _adaptive["chart"],
            mo.ui.tabs({name: mo.Html(charts.html_table(t, index=True)) for name, t in _adaptive["tables"].items()}),
            _adaptive["hours"],
        ]
    )
    return


@app.cell
def utci_filtered(
    charts,
    frame,
    mo,
    shown,
    system,
    utci_hours,
    utci_months,
    utci_scenario,
    view,
    views,
):
    mo.stop("Comfort" not in shown)
    _selected = views.selection(frame, utci_months.value, utci_hours.value)
    _heat, _monthly, _scenarios = views.utci_charts(frame, view, system, utci_scenario.value, _selected)
    mo.vstack(
        [
            mo.md("""
            **Outdoor comfort, UTCI** (Universal Thermal Climate Index, Bröde et
            al. 2012): the air temperature of a reference environment that strains
            the body like the actual one. Four scenarios as in CBE Clima: in the
            sun (mean radiant temperature raised by direct, diffuse and reflected
            sun, ASHRAE 55 SolarCal, standing person) or in the shade, with the
            measured wind or with 0.5 m/s.
            """),
            mo.hstack([utci_scenario, utci_months, utci_hours], justify="start", wrap=True),
            _heat,
            _monthly,
            mo.md("**The four scenarios**, share of the selected hours [%]"),
            mo.Html(charts.html_table(_scenarios, index=True)),
        ]
    )
    return


@app.cell
def _(mo, month_hour_sliders, system):
    _ip = system == "IP"
    nv_min = mo.ui.number(start=-40, stop=120, step=0.5, value=50 if _ip else 10, label="Outdoor dry bulb from")
    nv_max = mo.ui.number(start=-40, stop=120, step=0.5, value=75 if _ip else 24, label="to")
    nv_dew = mo.ui.number(start=-40, stop=100, step=0.5, value=61 if _ip else 16, label="Dew point at most")
    nv_use_dew = mo.ui.switch(value=True, label="Limit the dew point")
    nv_months, nv_hours = month_hour_sliders()
    return nv_dew, nv_hours, nv_max, nv_min, nv_months, nv_use_dew


@app.cell
def natural_ventilation_filtered(
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
    views,
    weather,
):
    mo.stop("Natural ventilation" not in shown)
    _selected = views.selection(frame, nv_months.value, nv_hours.value)
    _nv = views.natural_ventilation(
        frame, view, system, nv_min.value, nv_max.value, nv_dew.value if nv_use_dew.value else None,
        _selected, weather.records_per_hour,
    )
    mo.vstack(
        [
            mo.md(f"""
            ## Natural ventilation

            Hours when opening the windows can cool a building without letting
            in air that is too cold, too hot or too humid: outdoor dry bulb in
            the range, dew point below the limit (CBE Clima's defaults).
            **{_nv["hours"]:,.0f} h** of the selected hours are suitable
            ({_nv["share"]:.0f} %).
            """),
            mo.hstack([nv_min, nv_max, nv_use_dew, nv_dew], justify="start", wrap=True),
            mo.hstack([nv_months, nv_hours], justify="start", wrap=True),
            _nv["heatmap"],
            _nv["hours_chart"],
            _nv["share_chart"],
        ]
    )
    return


@app.cell
def _(climate, mo, month_hour_sliders):
    _options = {label: col for col, (label, _kind) in climate.VARIABLES.items()}
    explorer_variable = mo.ui.dropdown(options=_options, value="Dry-bulb temperature", label="Variable")
    explorer_months, explorer_hours = month_hour_sliders()
    explorer_filter_variable = mo.ui.dropdown(options={"no filter": None, **_options}, value="no filter", label="Keep records where")
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
    explorer_filter_max,
    explorer_filter_min,
    explorer_filter_variable,
    explorer_hours,
    explorer_months,
    frame,
    shown,
    view,
    views,
):
    # the records the explorer shows and downloads
    explorer_selected = None
    if "Data explorer" in shown:
        explorer_selected = views.selection(frame, explorer_months.value, explorer_hours.value)
        if explorer_filter_variable.value:
            _v = view[explorer_filter_variable.value].to_numpy()
            explorer_selected &= (_v >= explorer_filter_min.value) & (_v <= explorer_filter_max.value)
    return (explorer_selected,)


@app.cell
def _(
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
    views,
    weather,
):
    mo.stop("Data explorer" not in shown)
    mo.vstack(
        [
            mo.md(f"""
            ## Data explorer

            Any variable of the file or derived from it, filtered by months,
            hours and the range of any variable. The download holds exactly the
            records the charts show ({int(explorer_selected.sum()):,} of
            {len(view):,}), in {system} units.
            """),
            mo.hstack([explorer_variable, explorer_months, explorer_hours], justify="start", wrap=True),
            mo.hstack([explorer_filter_variable, explorer_filter_min, explorer_filter_max], justify="start", wrap=True),
            mo.download(
                data=lambda: views.explorer_csv(view, explorer_selected, system),
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
    explorer_color,
    explorer_selected,
    explorer_variable,
    explorer_x,
    explorer_y,
    mo,
    shown,
    system,
    view,
    views,
    weather,
):
    mo.stop("Data explorer" not in shown)
    _daily, _days, _heat, _stats, _scatter = views.explorer_charts(
        view, explorer_variable.value, explorer_selected, weather.records_per_hour, system,
        explorer_x.value, explorer_y.value, explorer_color.value,
    )
    mo.vstack(
        [
            _daily,
            _days,
            _heat,
            mo.Html(charts.html_table(_stats, index=True, decimals=2)),
            mo.hstack([explorer_x, explorer_y, explorer_color], justify="start", wrap=True),
            _scatter,
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
    frame,
    frame_b,
    key_figures,
    key_figures_b,
    mo,
    shown,
    system,
    views,
    weather,
    weather_b,
):
    mo.stop("Compare" not in shown)
    _both = views.compare_figures([(weather, frame), (weather_b, frame_b)], system)
    _table = climate.key_figure_table(dict(zip(_both["names"], (key_figures, key_figures_b), strict=True)), system)
    mo.vstack(
        [
            mo.md("""
            ## Compare

            Two stations side by side on the key charts, with the same scales
            (CBE Clima shows one station at a time).
            """),
            compare_picker,
            mo.Html(charts.html_table(_table)),
            *[mo.hstack(_both[key], widths="equal", wrap=True) for key in ("daily", "wind", "psychrometric", "utci")],
            _both["profiles"],
            _both["degree_days"],
        ]
    )
    return


if __name__ == "__main__":
    app.run()
