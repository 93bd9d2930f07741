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
app = marimo.App(width="medium", app_title="Building energy · CES")


@app.cell
def _():
    import marimo as mo

    return (mo,)


@app.cell
def _(mo):
    mo.md("""
    # Building energy

    How much heating and cooling does a building need, hour by hour, and what
    does a retrofit save? Pick a weather station and a building — the ASHRAE 140
    test boxes or a typical Austrian house from the TABULA typology — then
    change its geometry, envelope, windows, thermal mass, ventilation and set
    points. The hourly **ISO 13790 5R1C** model (air, surface and mass nodes)
    runs a whole year in your browser in a few tens of milliseconds; solar gains
    come from plane-of-array irradiance (Perez sky model) on every facade.
    """)
    return


@app.cell
def _():
    import dataclasses

    from climatevis import assets, building_charts
    from climatevis import building as bd

    return assets, bd, building_charts, dataclasses


@app.cell
def _(assets, mo):
    asset_folder = assets.asset_root(mo.notebook_location())
    station_labels = assets.station_labels(assets.read_index(asset_folder))
    return asset_folder, station_labels


@app.cell
def _(assets, bd, mo):
    reference = bd.read_reference_buildings(
        assets.read_data_file(mo.notebook_location(), "building_reference.csv")
    )
    presets = {
        "ASHRAE 140 case 600 (lightweight box)": bd.bestest(600),
        "ASHRAE 140 case 900 (heavyweight box)": bd.bestest(900),
        "ASHRAE 140 case 640 (600 with night set-back)": bd.bestest(640),
        "ASHRAE 140 case 940 (900 with night set-back)": bd.bestest(940),
    }
    presets.update({b.name: b for b in reference.values()})
    return (presets,)


@app.cell
def _(assets, mo, presets, station_labels):
    station_picker = mo.ui.dropdown(
        options=list(station_labels), value=assets.default_label(station_labels), label="Weather station"
    )
    upload = mo.ui.file(filetypes=[".epw", ".zip", ".gz"], label="or upload an EPW")
    preset_picker = mo.ui.dropdown(
        options=list(presets), value="Single-family house 1961-1980 (AT)", label="Building preset"
    )
    mo.hstack([station_picker, upload, preset_picker], justify="start", gap=2, wrap=True)
    return preset_picker, station_picker, upload


@app.cell
def _(asset_folder, assets, mo, station_labels, station_picker, upload):
    weather, load_error = assets.choose_weather(
        asset_folder,
        station_labels[station_picker.value],
        (upload.contents(), upload.name()) if upload.value else None,
    )
    if load_error:
        mo.output.replace(mo.callout(mo.md(assets.upload_error_note(load_error)), kind="warn"))
    return (weather,)


@app.cell
def _(bd, weather):
    # sun position and facade irradiance: computed once per weather file
    site = bd.Site.from_weather(weather)
    return (site,)


@app.cell
def _(bd, mo, preset_picker, presets):
    base = presets[preset_picker.value]
    _wwr = {o: base.window(o).area / base.wall_area(o) for o in bd.ORIENTATIONS}
    width = mo.ui.slider(4.0, 40.0, step=0.5, value=base.width, label="Width (S/N facades) [m]")
    depth = mo.ui.slider(4.0, 30.0, step=0.5, value=base.depth, label="Depth [m]")
    storeys = mo.ui.slider(1, 8, step=1, value=base.storeys, label="Storeys")
    storey_height = mo.ui.slider(2.4, 4.0, step=0.1, value=round(base.storey_height, 1), label="Storey height [m]")
    azimuth = mo.ui.slider(90, 270, step=5, value=int(base.azimuth), label="Main facade faces [° from N]")
    u_wall = mo.ui.slider(0.10, 2.50, step=0.01, value=round(base.u_wall, 2), label="Wall U-value [W/(m²K)]")
    u_roof = mo.ui.slider(0.08, 2.00, step=0.01, value=round(base.u_roof, 2), label="Roof U-value [W/(m²K)]")
    u_floor = mo.ui.slider(0.03, 2.00, step=0.01, value=round(base.u_floor, 2), label="Floor U-value [W/(m²K)]")
    wwr = {
        o: mo.ui.slider(0.0, 0.9, step=0.01, value=round(_wwr[o], 2), label=f"Window-to-wall ratio {o}")
        for o in ("S", "E", "N", "W")
    }
    _w = base.window("S") if base.window("S").area > 0 else next(
        (base.window(o) for o in bd.ORIENTATIONS if base.window(o).area > 0), base.window("S"))
    u_window = mo.ui.slider(0.5, 5.0, step=0.05, value=round(_w.u_value, 2), label="Window U-value [W/(m²K)]")
    g_window = mo.ui.slider(0.2, 0.9, step=0.01, value=round(_w.g_value, 2), label="Glazing g-value [-]")
    shading = mo.ui.slider(0.2, 1.0, step=0.05, value=round(_w.shading_factor, 2), label="Shading factor F_sh [-]")
    mass = mo.ui.dropdown(
        options=["as preset", *bd.MASS_CLASSES], value="as preset", label="Thermal mass (ISO 13790 class)"
    )
    infiltration = mo.ui.slider(0.0, 1.5, step=0.05, value=round(base.infiltration_ach, 2),
                                label="Infiltration + window airing [1/h]")
    ventilation = mo.ui.slider(0.0, 1.0, step=0.05, value=round(base.ventilation_ach, 2),
                               label="Mechanical ventilation [1/h]")
    recovery = mo.ui.slider(0.0, 0.9, step=0.05, value=round(base.heat_recovery, 2), label="Heat recovery [-]")
    heating_sp = mo.ui.slider(16.0, 24.0, step=0.5, value=base.heating_setpoint or 20.0, label="Heating set point [°C]")
    cooling_sp = mo.ui.slider(23.0, 30.0, step=0.5, value=base.cooling_setpoint or 26.0, label="Cooling set point [°C]")
    setback = mo.ui.checkbox(value=base.setback_setpoint is not None, label="Night set-back (23-07 h)")
    mo.accordion(
        {
            "Geometry": mo.vstack([width, depth, storeys, storey_height, azimuth]),
            "Envelope": mo.vstack([u_wall, u_roof, u_floor]),
            "Windows": mo.vstack([*wwr.values(), u_window, g_window, shading]),
            "Mass and air": mo.vstack([mass, infiltration, ventilation, recovery]),
            "Set points": mo.vstack([heating_sp, cooling_sp, setback]),
        },
        multiple=True,
    )
    return (
        azimuth,
        base,
        cooling_sp,
        depth,
        g_window,
        heating_sp,
        infiltration,
        mass,
        recovery,
        setback,
        shading,
        storey_height,
        storeys,
        u_floor,
        u_roof,
        u_wall,
        u_window,
        ventilation,
        width,
        wwr,
    )


@app.cell
def _(
    azimuth,
    base,
    bd,
    cooling_sp,
    dataclasses,
    depth,
    g_window,
    heating_sp,
    infiltration,
    mass,
    mo,
    recovery,
    setback,
    shading,
    storey_height,
    storeys,
    u_floor,
    u_roof,
    u_wall,
    u_window,
    ventilation,
    width,
    wwr,
):
    def _keep(slider, exact, digits=2):
        """The preset's exact value while the (rounded) slider still shows it."""
        return exact if abs(slider.value - round(exact, digits)) < 1e-9 else slider.value

    _geometry = dict(width=width.value, depth=depth.value, storeys=int(storeys.value),
                     storey_height=_keep(storey_height, base.storey_height, 1), azimuth=float(azimuth.value))
    _shape = bd.Building(name="shape", **_geometry)
    _windows = {}
    for _o, _slider in wwr.items():
        _old = base.window(_o)
        _ratio = _keep(_slider, _old.area / base.wall_area(_o))
        _windows[_o] = dataclasses.replace(
            _old, area=_ratio * _shape.wall_area(_o), u_value=_keep(u_window, _old.u_value),
            g_value=_keep(g_window, _old.g_value), shading_factor=_keep(shading, _old.shading_factor),
        )
    _mass = {} if mass.value == "as preset" else dict(mass_class=mass.value, heat_capacity=None,
                                                     mass_area_factor=None)
    try:
        building = base.replace(
            name=f"{base.name} (edited)", **_geometry, windows=_windows, **_mass,
            u_wall=_keep(u_wall, base.u_wall), u_roof=_keep(u_roof, base.u_roof), u_floor=_keep(u_floor, base.u_floor),
            infiltration_ach=_keep(infiltration, base.infiltration_ach), ventilation_ach=ventilation.value,
            heat_recovery=recovery.value, heating_setpoint=heating_sp.value, cooling_setpoint=cooling_sp.value,
            setback_setpoint=(base.setback_setpoint or 15.0) if setback.value else None,
        )
        building_error = None
    except bd.BuildingError as err:
        building, building_error = None, str(err)
    mo.stop(building is None, mo.callout(mo.md(f"**This building is not valid.** {building_error}"), kind="danger"))
    return (building,)


@app.cell
def _(bd, building, site):
    result = bd.simulate(building, site)
    free_floating = bd.simulate(building.free_floating(), site)
    summary = result.summary()
    return free_floating, result, summary


@app.cell
def _(bd, building, mo, summary):
    _class = bd.energy_class(summary["heating_kwh_m2"])
    mo.vstack([
        mo.hstack(
            [
                mo.stat(f"{summary['heating_kwh_m2']:,.1f} kWh/m²a", label="Heating demand",
                        caption=f"{summary['heating_kwh']:,.0f} kWh per year"),
                mo.stat(_class, label="Energy class (HWB)", caption="Austrian scale, OIB-RL 6"),
                mo.stat(f"{summary['cooling_kwh_m2']:,.1f} kWh/m²a", label="Cooling demand",
                        caption=f"{summary['cooling_kwh']:,.0f} kWh per year"),
                mo.stat(f"{summary['peak_heating_kw']:,.1f} kW", label="Peak heating load",
                        caption=f"peak cooling {summary['peak_cooling_kw']:,.1f} kW"),
            ],
            widths="equal",
        ),
        mo.md(
            f"Conditioned floor area {building.floor_area:,.0f} m², volume {building.volume:,.0f} m³, "
            f"transmission H<sub>T</sub> {building.transmission_coefficient:,.0f} W/K, "
            f"windows {building.window_area:,.0f} m². Energy classes: A++ ≤ 10, A+ ≤ 15, A ≤ 25, "
            "B ≤ 50, C ≤ 100, D ≤ 150, E ≤ 200, F ≤ 250, G > 250 kWh/m²a (heating demand, "
            "Austrian energy certificate per OIB-Richtlinie 6). Indicative only: the certificate uses "
            "the OIB reference climate and gross floor area."
        ).style(font_size="0.85rem", color="#a7a39a"),
    ])
    return


@app.cell
def _(building_charts, result):
    building_charts.energy_balance(result)
    return


@app.cell
def _(mo):
    week = mo.ui.slider(1, 52, value=3, label="Week of the year", full_width=True)
    week
    return (week,)


@app.cell
def _(building_charts, free_floating, result, week):
    building_charts.temperature_week(result, week.value, free_floating=free_floating)
    return


@app.cell
def _(building_charts, result):
    building_charts.load_duration_curve(result)
    return


@app.cell
def _(mo):
    mo.md("""
    ## Retrofit

    Add insulation, replace the windows or add a ventilation unit with heat
    recovery, and compare with the building above.
    """)
    return


@app.cell
def _(mo):
    add_wall = mo.ui.slider(0, 30, step=1, value=16, label="Extra wall insulation [cm, λ = 0.035]")
    add_roof = mo.ui.slider(0, 40, step=1, value=20, label="Extra roof insulation [cm]")
    new_windows = mo.ui.dropdown(
        options={"keep": None, "double low-e (U 1.1, g 0.60)": (1.1, 0.60),
                 "triple low-e (U 0.7, g 0.50)": (0.7, 0.50)},
        value="triple low-e (U 0.7, g 0.50)", label="Windows",
    )
    add_mvhr = mo.ui.checkbox(value=True, label="Ventilation unit, 0.4 1/h, 80 % heat recovery")
    mo.hstack([add_wall, add_roof, new_windows, add_mvhr], wrap=True, gap=1.5)
    return add_mvhr, add_roof, add_wall, new_windows


@app.cell
def _(add_mvhr, add_roof, add_wall, bd, building, new_windows):
    retrofit = building.replace(
        name="Retrofit",
        u_wall=bd.add_insulation(building.u_wall, add_wall.value / 100),
        u_roof=bd.add_insulation(building.u_roof, add_roof.value / 100),
    )
    if new_windows.value is not None:
        retrofit = retrofit.with_windows(u_value=new_windows.value[0], g_value=new_windows.value[1], panes=3)
    if add_mvhr.value:
        retrofit = retrofit.replace(ventilation_ach=0.4, heat_recovery=0.8,
                                    infiltration_ach=min(building.infiltration_ach, 0.1))
    return (retrofit,)


@app.cell
def _(bd, building_charts, mo, retrofit, site, summary):
    _after = bd.simulate(retrofit, site).summary()
    _saved = summary["heating_kwh"] - _after["heating_kwh"]
    _share = _saved / summary["heating_kwh"] if summary["heating_kwh"] > 0 else 0.0
    mo.vstack([
        mo.hstack(
            [
                mo.stat(f"{_after['heating_kwh_m2']:,.1f} kWh/m²a", label="Heating after retrofit",
                        caption=f"class {bd.energy_class(_after['heating_kwh_m2'])}"),
                mo.stat(f"{_saved:,.0f} kWh/a", label="Heating saved", caption=f"{_share:.0%} less"),
                mo.stat(f"{_after['peak_heating_kw']:,.1f} kW", label="Peak heating after",
                        caption=f"was {summary['peak_heating_kw']:,.1f} kW"),
            ],
            widths="equal",
        ),
        building_charts.retrofit_comparison({"Baseline": summary, "Retrofit": _after}),
    ])
    return


@app.cell
def _(mo):
    mo.md("""
    ## Without heating or cooling

    The same building free-floating: how warm does it get in summer?
    """)
    return


@app.cell
def _(mo):
    threshold = mo.ui.slider(24.0, 30.0, step=0.5, value=26.0, label="Overheating above [°C operative]")
    threshold
    return (threshold,)


@app.cell
def _(bd, free_floating, mo, threshold):
    _hours = bd.overheating_hours(free_floating, threshold.value)
    _h = free_floating.hourly
    mo.hstack(
        [
            mo.stat(f"{_hours:,} h", label=f"Hours above {threshold.value:.1f} °C", caption="free-floating, per year"),
            mo.stat(f"{_h['temp_operative'].max():.1f} °C", label="Warmest hour (operative)"),
            mo.stat(f"{_h['temp_operative'].min():.1f} °C", label="Coldest hour (operative)"),
        ],
        widths="equal",
    )
    return


@app.cell
def _(mo):
    mo.md("""
    <small>Method: EN ISO 13790 Annex C hourly 5R1C model (Crank–Nicolson mass node,
    H<sub>tr,ms</sub> = 9.1·A<sub>m</sub>, H<sub>tr,is</sub> = 3.45·A<sub>t</sub>, heating and
    cooling from the 10 W/m² probe), window gains with the angular transmittance of the
    glazing less the share reflected back out, exterior surface resistances from the hour's
    wind, opaque solar gains and radiation to the sky. Validated against ASHRAE 140 and
    EnergyPlus 25.2 (see the project README). Austrian presets: TABULA/EPISCOPE typology
    (U-values per construction period).</small>
    """)
    return


if __name__ == "__main__":
    app.run()
