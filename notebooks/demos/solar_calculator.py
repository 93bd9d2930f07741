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
app = marimo.App(width="medium", app_title="Solar calculator · CES")


@app.cell
def _():
    import marimo as mo

    return (mo,)


@app.cell
def _(mo):
    mo.md("""
    # Solar calculator

    How much electricity would a rooftop PV system make here, how much of it
    would the building use itself, and does it pay off? Pick a weather station
    (or upload an EnergyPlus `.epw` file), describe the system and your
    electricity use; the yield is simulated hour by hour for a typical year
    with the method of NREL's **PVWatts v8** (checked against NREL's own code
    within 0.3 % for the bundled sites), the economics follow the definitions
    of NREL's **System Advisor Model**. Everything runs in your browser.
    """)
    return


@app.cell
def _():
    from climatevis import assets, charts, finance, fmt, solar

    return assets, charts, finance, fmt, solar


@app.cell
def _(assets, mo):
    asset_folder = assets.asset_root(mo.notebook_location())
    station_labels = assets.station_labels(assets.read_index(asset_folder))
    return asset_folder, station_labels


@app.cell
def _(mo):
    mo.md("""
    ## 1 · Location
    """)
    return


@app.cell
def _(assets, mo, station_labels):
    station_picker = mo.ui.dropdown(
        options=list(station_labels), value=assets.default_label(station_labels), label="Station"
    )
    upload = mo.ui.file(filetypes=[".epw", ".zip", ".gz"], label="or upload an EPW")
    mo.hstack([station_picker, upload], justify="start", gap=2)
    return station_picker, upload


@app.cell
def _(
    asset_folder,
    assets,
    fmt,
    mo,
    solar,
    station_labels,
    station_picker,
    upload,
):
    _station = station_labels[station_picker.value]
    weather, load_error = assets.choose_weather(
        asset_folder, _station, (upload.contents(), upload.name()) if upload.value else None
    )
    try:
        site = solar.SolarSite(weather)
    except solar.PVError as err:  # an upload that reads but lacks usable irradiance
        weather, load_error = assets.load_station(asset_folder, _station), f"{upload.name()}: {err}"
        site = solar.SolarSite(weather)
    _loc = weather.location
    mo.vstack([
        mo.callout(mo.md(assets.upload_error_note(load_error)), kind="warn") if load_error else mo.md(""),
        mo.md(f"**{assets.city_name(_loc.city)}**, {_loc.country} · "
              f"{fmt.position(_loc.latitude, _loc.longitude)} · {_loc.elevation:,.0f} m"),
    ])
    return (site,)


@app.cell
def _(mo):
    mo.md("""
    ## 2 · System

    Size the array by its peak power, or by the roof area it covers and the
    module efficiency (1 m² at 20 % ≈ 0.2 kWp). **Tilt** is measured from the
    horizontal; **azimuth** is the direction the modules face, clockwise from
    north — pick the compass direction and fine-tune it.
    """)
    return


@app.cell
def _(mo):
    size_by = mo.ui.radio(options=["Peak power", "Roof area"], value="Peak power", label="Size by", inline=True)
    kwp_input = mo.ui.number(start=0.5, stop=1000, step=0.5, value=8.0, label="Peak power (kWp)")
    area_input = mo.ui.number(start=2, stop=5000, step=1, value=40, label="Roof area (m²)")
    efficiency_input = mo.ui.number(start=10, stop=25, step=0.5, value=21, label="Module efficiency (%)")
    tilt = mo.ui.slider(start=0, stop=90, step=5, value=30, label="Tilt (°)", show_value=True)
    direction = mo.ui.radio(
        options={"N": 0, "NE": 45, "E": 90, "SE": 135, "S": 180, "SW": 225, "W": 270, "NW": 315},
        value="S", label="Facing", inline=True,
    )
    fine_azimuth = mo.ui.slider(start=-20, stop=20, step=5, value=0, label="Fine-tune (°)", show_value=True)
    module_type = mo.ui.dropdown(
        options={"Standard (crystalline)": "standard", "Premium (high efficiency)": "premium",
                 "Thin film": "thin_film"},
        value="Standard (crystalline)", label="Module type",
    )
    mounting = mo.ui.dropdown(
        options={"Roof mount (close to the roof)": "roof_mount", "Open rack (free-standing)": "open_rack"},
        value="Roof mount (close to the roof)", label="Mounting",
    )
    return (
        area_input,
        direction,
        efficiency_input,
        fine_azimuth,
        kwp_input,
        module_type,
        mounting,
        size_by,
        tilt,
    )


@app.cell
def _(mo, solar):
    loss_inputs = mo.ui.dictionary({
        name: mo.ui.number(start=0, stop=50, step=0.5, value=value, label=name.replace("_", " ").capitalize())
        for name, value in solar.DEFAULT_LOSSES.items()
    })
    dc_ac_input = mo.ui.number(start=0.8, stop=2.0, step=0.05, value=1.2, label="DC/AC ratio")
    inverter_input = mo.ui.number(start=90, stop=99.5, step=0.5, value=96, label="Inverter efficiency (%)")
    return dc_ac_input, inverter_input, loss_inputs


@app.cell
def _(
    area_input,
    dc_ac_input,
    direction,
    efficiency_input,
    fine_azimuth,
    inverter_input,
    kwp_input,
    loss_inputs,
    mo,
    module_type,
    mounting,
    size_by,
    tilt,
):
    _size = kwp_input if size_by.value == "Peak power" else mo.hstack([area_input, efficiency_input])
    mo.vstack([
        mo.hstack([size_by, _size], justify="start", gap=2),
        mo.hstack([tilt, module_type, mounting], justify="start", gap=2, wrap=True),
        mo.hstack([direction, fine_azimuth], justify="start", gap=2, wrap=True),
        mo.accordion({
            "System losses (PVWatts defaults, 14.1 % in total)": loss_inputs,
            "Inverter": mo.hstack([dc_ac_input, inverter_input], justify="start"),
        }),
    ])
    return


@app.cell
def _(
    area_input,
    dc_ac_input,
    efficiency_input,
    inverter_input,
    kwp_input,
    loss_inputs,
    mo,
    module_type,
    mounting,
    size_by,
    solar,
):
    # everything but the orientation: the tilt × azimuth map depends only on this
    _kwp = kwp_input.value if size_by.value == "Peak power" else area_input.value * efficiency_input.value / 100
    _message = ""
    try:
        base_system = solar.SystemConfig(
            kwp=_kwp, module_type=module_type.value, array_type=mounting.value,
            losses=solar.Losses(**loss_inputs.value), dc_ac_ratio=dc_ac_input.value,
            inv_eff=inverter_input.value,
        )
    except solar.PVError as _err:
        base_system = None
        _message = str(_err)
    mo.stop(base_system is None, mo.callout(mo.md(f"**Check the system inputs.** {_message}"), kind="danger"))
    return (base_system,)


@app.cell
def _(base_system, direction, fine_azimuth, site, tilt):
    _azimuth = (direction.value + fine_azimuth.value) % 360
    system = base_system.replace(surface_tilt=tilt.value, surface_azimuth=_azimuth)
    pv = site.simulate(system)
    return pv, system


@app.cell
def _(mo):
    mo.md("""
    ## 3 · Yield
    """)
    return


@app.cell
def _(charts, fmt, mo, pv, system):
    mo.hstack(
        [
            mo.stat(fmt.energy(pv.annual_ac_kwh), label="Annual yield", caption="AC, first year"),
            mo.stat(f"{fmt.number(pv.specific_yield)} kWh/kWp", label="Specific yield",
                    caption=f"{fmt.number(system.kwp, 1)} kWp DC"),
            mo.stat(fmt.percent(pv.performance_ratio), label="Performance ratio",
                    caption="AC energy / (kWp × plane-of-array sunshine)"),
            charts.compass(system.surface_azimuth, tilt=system.surface_tilt, height=200),
        ],
        widths="equal", align="center",
    )
    return


@app.cell
def _(charts, pv):
    charts.monthly_bars(pv.monthly_ac_kwh, title="AC energy per month", unit="kWh")
    return


@app.cell
def _(charts, pv):
    charts.heatmap(pv.ac / 1000, title="AC power through the year (day × hour)", unit="kW")
    return


@app.cell
def _(charts, mo, pv):
    mo.vstack([
        charts.waterfall(pv.loss_waterfall(), title="From sunshine on the modules to AC energy"),
        mo.md("""
        *Nominal at POA* is what the array would make at its rated efficiency
        with all the sunlight reaching the module plane. Then: shade from the
        row in front (open racks only), light reflected by the glass, the spectrum, the warm-cell and low-light efficiency of
        the module, the ten PVWatts system losses, the inverter's efficiency
        and clipping at its AC rating.
        """),
    ])
    return


@app.cell
def _(mo):
    mo.md("""
    ### Which orientation is best?

    Annual yield per kWp for every tilt (0–90° in 10° steps) and azimuth
    (every 15°); the star marks the optimum, the circle your system.
    """)
    return


@app.cell
def _(base_system, site):
    # per kWp (the row layout PVWatts assumes for open racks depends on the size)
    orientation_grid = site.yield_map(base_system) / base_system.kwp
    return (orientation_grid,)


@app.cell
def _(charts, fmt, mo, orientation_grid, pv, system):
    _best_tilt, _best_az = orientation_grid.stack().idxmax()
    _best = orientation_grid.loc[_best_tilt, _best_az]
    mo.vstack([
        charts.orientation_map(orientation_grid, chosen=(system.surface_tilt, system.surface_azimuth),
                               title="Specific yield by orientation"),
        mo.md(f"Optimum here: tilt **{_best_tilt:.0f}°**, azimuth **{_best_az:.0f}°** with "
              f"**{fmt.number(_best)} kWh/kWp**; your system reaches "
              f"**{fmt.percent(pv.specific_yield / _best)}** of that."),
    ])
    return


@app.cell
def _(mo):
    mo.md("""
    ## 4 · Use on site and economics

    PV energy is worth the most when the building uses it at the same hour
    (it replaces bought electricity); the rest is sold at the feed-in
    tariff. The demand follows a German/Austrian standard load profile
    (BDEW H0 for households, G1 for offices and shops open on weekdays). The
    defaults are rough Austrian values for 2025 — change them to yours.
    """)
    return


@app.cell
def _(mo):
    load_kind = mo.ui.dropdown(
        options={"Household (BDEW H0)": "h0", "Office / shop (BDEW G1)": "g1"},
        value="Household (BDEW H0)", label="Consumer",
    )
    annual_load = mo.ui.number(start=0, stop=10_000_000, step=100, value=4500, label="Electricity use (kWh/a)")
    capex = mo.ui.number(start=0, stop=10_000, step=50, value=1400, label="Investment (€/kWp)")
    subsidy = mo.ui.number(start=0, stop=1_000_000, step=100, value=0, label="Subsidy (€)")
    om = mo.ui.number(start=0, stop=200, step=1, value=20, label="O&M (€/kWp/a)")
    price = mo.ui.number(start=0, stop=1, step=0.01, value=0.30, label="Electricity price (€/kWh)")
    tariff = mo.ui.number(start=0, stop=1, step=0.005, value=0.07, label="Feed-in tariff (€/kWh)")
    price_escalation = mo.ui.number(start=-5, stop=10, step=0.5, value=0.0,
                                    label="Price rise above inflation (%/a)")
    inflation = mo.ui.number(start=0, stop=10, step=0.5, value=2.0, label="Inflation (%/a)")
    discount = mo.ui.number(start=0, stop=15, step=0.5, value=3.0, label="Discount rate, real (%/a)")
    degradation = mo.ui.number(start=0, stop=2, step=0.1, value=0.5, label="Degradation (%/a)")
    lifetime = mo.ui.number(start=5, stop=40, step=1, value=25, label="Lifetime (years)")
    co2_factor = mo.ui.number(start=0, stop=1.5, step=0.01, value=0.20, label="Grid CO₂ (kg/kWh)")
    mo.vstack([
        mo.hstack([load_kind, annual_load], justify="start", gap=2),
        mo.hstack([capex, subsidy, om], justify="start", gap=2, wrap=True),
        mo.hstack([price, tariff, price_escalation], justify="start", gap=2, wrap=True),
        mo.hstack([inflation, discount, degradation, lifetime, co2_factor], justify="start", gap=2, wrap=True),
        mo.md("<small>The feed-in tariff stays fixed in euros; O&M and the electricity price follow "
              "inflation (plus the rise you enter). The grid CO₂ factor is an assumption for the "
              "electricity the PV energy displaces.</small>"),
    ])
    return (
        annual_load,
        capex,
        co2_factor,
        degradation,
        discount,
        inflation,
        lifetime,
        load_kind,
        om,
        price,
        price_escalation,
        subsidy,
        tariff,
    )


@app.cell
def _(assets, finance, mo):
    load_table = finance.read_load_profiles(assets.read_data_file(mo.notebook_location(), finance.LOAD_PROFILE_FILE))
    return (load_table,)


@app.cell
def _(
    annual_load,
    capex,
    co2_factor,
    degradation,
    discount,
    finance,
    inflation,
    lifetime,
    load_kind,
    load_table,
    mo,
    om,
    price,
    price_escalation,
    pv,
    subsidy,
    system,
    tariff,
):
    _message = ""
    try:
        economics = finance.Economics(
            capex_per_kwp=capex.value, subsidy=subsidy.value, om_per_kwp_year=om.value,
            electricity_price=price.value, electricity_escalation=price_escalation.value,
            feed_in_tariff=tariff.value, feed_in_escalation=-inflation.value, inflation=inflation.value,
            discount_rate=discount.value, degradation=degradation.value, lifetime=int(lifetime.value),
            grid_co2_kg_per_kwh=co2_factor.value,
        )
    except finance.FinanceError as _err:
        economics, _message = None, str(_err)
    mo.stop(economics is None, mo.callout(mo.md(f"**Check the economic inputs.** {_message}"), kind="danger"))
    pv_kwh = pv.ac / 1000.0
    load_kwh = finance.load_profile(load_table, load_kind.value, pv_kwh.index, annual_load.value)
    money = finance.evaluate(pv_kwh.to_numpy(), load_kwh.to_numpy(), system.kwp, economics)
    return economics, load_kwh, money, pv_kwh


@app.cell
def _(economics, fmt, mo, money):
    mo.vstack([
        mo.hstack([
            mo.stat(fmt.percent(money.self_consumption_share), label="Used on site",
                    caption="share of the PV energy (self-consumption)"),
            mo.stat(fmt.percent(money.autarky), label="Autarky", caption="share of the demand met by PV"),
            mo.stat(fmt.money(money.investment), label="Investment"),
            mo.stat(fmt.mass(money.co2_avoided_t_year1), label="CO₂ avoided per year",
                    caption=f"{fmt.mass(money.co2_avoided_t_lifetime)} over {economics.lifetime} years"),
        ], widths="equal"),
        mo.hstack([
            mo.stat(fmt.money(money.npv), label="Net present value",
                    caption=f"at {economics.nominal_discount_rate * 100:.1f} % nominal"),
            mo.stat(fmt.percent(money.irr, 1), label="Internal rate of return", caption="nominal"),
            mo.stat(fmt.price_per_kwh(money.lcoe_real), label="Cost of PV electricity",
                    caption=f"LCOE real · {fmt.price_per_kwh(money.lcoe_nominal)} nominal"),
            mo.stat(fmt.years(money.payback, economics.lifetime), label="Payback",
                    caption=f"discounted: {fmt.years(money.discounted_payback, economics.lifetime)}"),
        ], widths="equal"),
    ])
    return


@app.cell
def _(charts, load_kwh, pv_kwh):
    _used = pv_kwh.clip(upper=load_kwh)
    _by_month = lambda s: s.groupby(s.index.month).sum().reindex(range(1, 13), fill_value=0).to_numpy()  # noqa: E731
    charts.monthly_bars(
        {"PV used on site": _by_month(_used), "PV exported": _by_month(pv_kwh - _used)},
        lines={"Demand": _by_month(load_kwh)},
        title="PV energy used on site, exported, and the demand", unit="kWh",
    )
    return


@app.cell
def _(charts, money):
    charts.cash_flow(money.cash_flows, title="Cash flow over the lifetime")
    return


@app.cell
def _(mo):
    mo.md("""
    <small>Method: solar position (NREL SPA conventions), Perez 1990 sky
    model, De Soto glass and spectrum modifiers, SAM's NOCT cell temperature
    and CEC single-diode module model of PVWatts v8, its row-to-row
    shading of open racks (ground coverage 0.4), inverter and losses. Not
    modelled: shading by surroundings, snow, batteries. Economics: SAM residential cash-flow definitions without
    taxes or loans. Source code: the `climatevis` library.</small>
    """)
    return


if __name__ == "__main__":
    app.run()
