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

    What is the climate of a site, hour by hour? Pick one of the bundled
    weather stations or upload your own EnergyPlus weather file (`.epw`,
    also zipped). Everything is computed in your browser.
    """)
    return


@app.cell
def _():
    from climatevis import assets, charts
    from climatevis.epw import EPWError, read_epw, summary

    return EPWError, assets, charts, read_epw, summary


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
    mo.hstack([station_picker, upload], justify="start", gap=2)
    return station_picker, upload


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
def _(load_error, mo, summary, weather):
    key_figures = summary(weather)
    _loc = weather.location
    _stats = mo.hstack(
        [
            mo.stat(f"{key_figures['temp_air_mean']:.1f} °C", label="Mean air temperature"),
            mo.stat(f"{key_figures['ghi_annual_kwh_m2']:,.0f} kWh/m²", label="Global horizontal, per year"),
            mo.stat(f"{_loc.latitude:.2f}°, {_loc.longitude:.2f}°", label="Latitude, longitude"),
            mo.stat(f"{_loc.elevation:,.0f} m", label="Elevation"),
        ],
        widths="equal",
    )
    _note = (
        mo.callout(mo.md(f"Upload rejected, showing the bundled station instead: {load_error}"), kind="warn")
        if load_error
        else mo.md(
            f"**{_loc.city.title()}**, {_loc.country} · {_loc.source} · WMO {_loc.wmo} · "
            f"{key_figures['records']:,} records ({key_figures['records_per_hour']} per hour)"
        )
    )
    mo.vstack([_note, _stats])
    return


@app.cell
def _(charts, weather):
    charts.heatmap(weather.data["temp_air"], title="Dry-bulb temperature", unit="°C")
    return


if __name__ == "__main__":
    app.run()
