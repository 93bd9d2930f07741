import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium", app_title="Surrogate model training · CES")


@app.cell
def _():
    import marimo as mo

    return (mo,)


@app.cell
def _(mo):
    mo.md("""
    # Surrogate models of heating and cooling demand

    Can a regression stand in for the building simulation, so that thousands
    of design variants are evaluated instantly? This notebook draws a **Latin
    hypercube** sample over the parameter ranges you set, simulates every
    sample with the hourly ISO 13790 **5R1C** model (a fraction of a second
    each, spread over several processes) and, optionally, a subset with real
    **EnergyPlus**, then trains scikit-learn surrogates of the annual heating
    and cooling demand per m²: a linear baseline, quadratic response surfaces
    and gradient boosting. **k-fold cross-validation** gives R² and MAE,
    parity plots show every held-out prediction, **permutation importance**
    ranks the inputs. The chosen models are saved with their metadata
    (inputs, ranges, training-data hash, scores, library versions) and their
    sha256 under `build/models/`, and optionally copied to S3; loading checks
    the hash before anything is unpickled.

    Batch use: `marimo export html ml_training.py -o report.html -- --samples 400 --run --save`.
    """)
    return


@app.cell
def _():
    import dataclasses
    import hashlib
    from pathlib import Path

    import pandas as pd

    from climatevis import assets, parametric, pipeline, surrogate
    from climatevis.cli import notebook_options
    from climatevis.data import REPO_ROOT

    return (
        Path,
        REPO_ROOT,
        assets,
        dataclasses,
        hashlib,
        notebook_options,
        parametric,
        pd,
        pipeline,
        surrogate,
    )


@app.cell
def _(REPO_ROOT, mo, notebook_options, parametric):
    # options after `--`: marimo edit|run|export ml_training.py -- --samples 200 --run --save
    cli = notebook_options(mo.cli_args(), {
        "epw": "vienna", "building": "shoebox", "samples": 300, "seed": 0, "folds": 5, "energyplus": 0,
        "workers": parametric.default_workers(), "run": False, "save": False, "name": "",
        "model_dir": str(REPO_ROOT / "build" / "models"), "s3": "",
    })
    auto = cli["run"] or mo.app_meta().mode == "script"
    return auto, cli


@app.cell
def _(mo):
    mo.md("""
    ## Weather and base building
    """)
    return


@app.cell
def _(cli, mo, parametric, pipeline):
    _stations, _default = pipeline.station_choices(cli["epw"])
    station = mo.ui.dropdown(options=_stations, value=_default, label="Catalog station")
    location = mo.ui.text(value="" if cli["epw"] in _stations.values() else cli["epw"],
                          label="or a path / s3://bucket/weather/file.epw", full_width=True)
    upload = mo.ui.file(filetypes=[".epw", ".zip", ".gz"], label="or upload an EPW")
    _bases, _base = parametric.base_buildings(cli["building"])
    base_choice = mo.ui.dropdown(options=_bases, value=_base, label="Base building")
    mo.vstack([mo.hstack([station, upload, base_choice], justify="start", gap=2), location])
    return base_choice, location, station, upload


@app.cell
def _(
    assets,
    base_choice,
    hashlib,
    location,
    mo,
    parametric,
    pipeline,
    station,
    upload,
):
    try:
        epw_name, epw_bytes, weather = pipeline.load_weather(
            station.value, location=location.value,
            upload=(upload.name(), upload.contents()) if upload.value else None,
        )
    except pipeline.PipelineError as _err:
        mo.stop(True, mo.callout(mo.md(f"**Cannot use this weather file.** {_err}"), kind="danger"))
    epw_sha256 = hashlib.sha256(epw_bytes).hexdigest()
    base = parametric.base_building(base_choice.value)
    _loc = weather.location
    mo.md(f"**{assets.city_name(_loc.city)}**, {_loc.country} · `{epw_name}` · base: {base.name}, "
          f"{base.floor_area:.0f} m² floor area")
    return base, epw_bytes, epw_name, epw_sha256, weather


@app.cell
def _(mo):
    mo.md("""
    ## Parameters and ranges

    Each chosen parameter is sampled over its range; the others keep the base
    building's value. The surrogate is only valid inside these ranges.
    """)
    return


@app.cell
def _(mo, parametric):
    _defaults = ["u_wall", "u_roof", "u_window", "g_value", "wwr_s", "wwr_n", "infiltration_ach",
                 "internal_gains", "heating_setpoint", "heat_capacity"]
    chosen = mo.ui.multiselect(
        options={f"{p.label} [{p.unit}]": n for n, p in parametric.PARAMETERS.items()},
        value=[f"{parametric.PARAMETERS[n].label} [{parametric.PARAMETERS[n].unit}]" for n in _defaults],
        label="Parameters to vary", full_width=True,
    )
    chosen
    return (chosen,)


@app.cell
def _(chosen, mo, parametric):
    ranges_ui = mo.ui.dictionary({
        name: mo.ui.range_slider(
            start=parametric.PARAMETERS[name].low, stop=parametric.PARAMETERS[name].high,
            step=(parametric.PARAMETERS[name].high - parametric.PARAMETERS[name].low) / 200,
            value=list(parametric.PARAMETERS[name].default), show_value=True,
            label=f"{parametric.PARAMETERS[name].label} [{parametric.PARAMETERS[name].unit}]",
        )
        for name in chosen.value
    })
    ranges_ui.vstack()
    return (ranges_ui,)


@app.cell
def _(cli, mo, parametric):
    samples = mo.ui.slider(50, 2000, step=10, value=min(2000, max(50, cli["samples"])), label="Samples",
                           show_value=True)
    seed = mo.ui.number(start=0, stop=2**31 - 1, value=cli["seed"], label="Random seed")
    folds = mo.ui.slider(3, 10, value=cli["folds"], label="Cross-validation folds", show_value=True)
    n_eplus = mo.ui.slider(0, 50, value=cli["energyplus"], label="Also run in EnergyPlus (first N samples)",
                           show_value=True)
    workers = mo.ui.slider(1, max(parametric.default_workers(), cli["workers"]), value=cli["workers"],
                           label="Processes", show_value=True)
    train_button = mo.ui.run_button(label="Simulate and train", kind="success")
    mo.vstack([mo.hstack([samples, seed, folds], justify="start", gap=2),
               mo.hstack([n_eplus, workers, train_button], justify="start", gap=2)])
    return folds, n_eplus, samples, seed, train_button, workers


@app.cell
def _(
    auto,
    base,
    epw_bytes,
    mo,
    parametric,
    ranges_ui,
    samples,
    seed,
    train_button,
    weather,
    workers,
):
    mo.stop(not (train_button.value or auto),
            mo.md(f"Press **Simulate and train** to simulate {samples.value} samples."))
    mo.stop(not ranges_ui.value, mo.callout(mo.md("Choose at least one parameter."), kind="warn"))
    ranges = {k: (float(v[0]), float(v[1])) for k, v in ranges_ui.value.items()}
    design = parametric.latin_hypercube(ranges, samples.value, seed=int(seed.value))
    with mo.status.progress_bar(total=len(design), title="5R1C simulations", show_eta=True, show_rate=True,
                                subtitle=f"{workers.value} processes") as _bar:
        simulated = parametric.simulate_5r1c(
            base, design, weather, workers=workers.value, epw_bytes=epw_bytes,
            progress=lambda done, total: _bar.update(increment=done - _bar.current),
        )
    return design, ranges, simulated


@app.cell
def _(mo, ranges, simulated, surrogate):
    _ok = simulated[simulated["error"] == ""]
    X = _ok[list(ranges)].reset_index(drop=True)
    Y = _ok[list(surrogate.TARGETS)].reset_index(drop=True)
    training_sha256 = surrogate.dataset_sha256(X, Y)
    _failed = len(simulated) - len(_ok)
    mo.vstack([
        mo.md(f"{len(_ok)} samples simulated" + (f"; **{_failed} variants were invalid** and left out "
              f"(first: {simulated.loc[simulated['error'] != '', 'error'].iloc[0]})" if _failed else "")
              + f". Training data sha256 `{training_sha256[:16]}…`"),
        mo.accordion({"Samples and results": mo.ui.table(_ok.drop(columns="error").round(3), selection=None)}),
    ])
    return X, Y, training_sha256


@app.cell
def _(
    base,
    design,
    epw_bytes,
    mo,
    n_eplus,
    parametric,
    simulated,
    weather,
    workers,
):
    mo.stop(n_eplus.value == 0)
    _subset = design.iloc[: n_eplus.value]
    with mo.status.progress_bar(total=len(_subset), title="EnergyPlus runs", show_eta=True,
                                subtitle=f"up to {workers.value} in parallel") as _bar:
        eplus_subset, _ = parametric.simulate_energyplus(
            base, _subset, epw_bytes, ground=parametric.ground_temperatures(weather), max_workers=workers.value,
            progress=lambda done, total: _bar.update(increment=done - _bar.current),
        )
    eplus_subset = eplus_subset.join(simulated[["heating_kwh_m2", "cooling_kwh_m2"]].add_suffix("_5r1c"))
    return (eplus_subset,)


@app.cell
def _(X, Y, folds, mo, seed, surrogate):
    with mo.status.spinner(title=f"{folds.value}-fold cross-validation of {len(surrogate.MODEL_KINDS)} models …"):
        evaluation = surrogate.evaluate(X, Y, folds=folds.value, seed=int(seed.value))
    best = evaluation.best()
    return best, evaluation


@app.cell
def _(best, evaluation, mo, surrogate):
    _scores = evaluation.scores.assign(
        model=evaluation.scores["model"].map(surrogate.MODEL_KINDS),
        chosen=[best[t] == k for t, k in zip(evaluation.scores["target"], evaluation.scores["model"], strict=True)],
    )
    mo.vstack([
        mo.md("## Cross-validated scores\n\nR² and MAE (kWh/m²a) on held-out folds, mean ± standard "
              "deviation over folds; the best model of each target is kept."),
        mo.hstack([mo.stat(f"{evaluation.scores.query('target == @t and model == @k')['r2_mean'].iloc[0]:.4f}",
                           label=f"R² {surrogate.TARGETS[t]}", caption=surrogate.MODEL_KINDS[k])
                   for t, k in best.items()], widths="equal"),
        mo.ui.table(_scores.round(4), selection=None),
    ])
    return


@app.cell
def _(Y, evaluation, mo, surrogate):
    mo.ui.tabs({
        label: surrogate.parity_figure(
            Y[target].to_numpy(),
            {surrogate.MODEL_KINDS[k]: evaluation.predictions[(target, k)] for k in surrogate.MODEL_KINDS},
            title=f"{label}: cross-validated prediction against 5R1C",
        )
        for target, label in surrogate.TARGETS.items()
    })
    return


@app.cell
def _(X, Y, best, evaluation, mo, seed, surrogate):
    with mo.status.spinner(title="Permutation importance on the held-out folds …"):
        importances = surrogate.importance(evaluation, X, Y, best, seed=int(seed.value))
    mo.vstack([
        mo.md("## Which inputs matter\n\nDrop of the held-out R² when one input is shuffled."),
        mo.hstack([surrogate.importance_figure(importances, t, title=surrogate.TARGETS[t]) for t in best],
                  widths="equal"),
    ])
    return (importances,)


@app.cell
def _(X, Y, best, ranges, seed, surrogate):
    model = surrogate.fit(X, Y, best, ranges=ranges, seed=int(seed.value))
    return (model,)


@app.cell
def _(eplus_subset, mo, model, surrogate):
    _pred = model.predict(eplus_subset)
    _rows = eplus_subset.assign(**{f"{t}_surrogate": _pred[t] for t in surrogate.TARGETS})
    _cols = [c for t in surrogate.TARGETS for c in (f"{t}", f"{t}_5r1c", f"{t}_surrogate")]
    mo.vstack([
        mo.md("## EnergyPlus subset\n\nThe same samples in EnergyPlus (columns without suffix), the "
              "5R1C model and the surrogate, kWh/m²a. The surrogate learns the 5R1C model; this shows "
              "how far both are from EnergyPlus."),
        mo.ui.table(_rows[[*model.inputs, *_cols, "error"]].round(2), selection=None),
    ])
    return


@app.cell
def _(cli, mo, training_sha256):
    model_name = mo.ui.text(value=cli["name"] or f"surrogate-{training_sha256[:10]}", label="Model name")
    model_dir = mo.ui.text(value=cli["model_dir"], label="Local folder", full_width=True)
    s3_dest = mo.ui.text(value=cli["s3"], label="Also copy to (s3://bucket/models, optional)", full_width=True)
    save_button = mo.ui.run_button(label="Save model", kind="success")
    mo.vstack([mo.md("## Save"), mo.hstack([model_name, save_button], justify="start", gap=2), model_dir, s3_dest])
    return model_dir, model_name, s3_dest, save_button


@app.cell
def _(
    Path,
    X,
    base,
    cli,
    dataclasses,
    epw_name,
    epw_sha256,
    evaluation,
    folds,
    importances,
    mo,
    model,
    model_dir,
    model_name,
    parametric,
    ranges,
    s3_dest,
    save_button,
    seed,
    surrogate,
    training_sha256,
    weather,
):
    mo.stop(not (save_button.value or cli["save"]), mo.md("Press **Save model** to write it."))
    _folder = Path(model_dir.value) / model_name.value
    _meta = {
        "name": model_name.value,
        "targets": surrogate.TARGETS,
        "units": {k: parametric.PARAMETERS[k].unit for k in ranges},
        "simulator": "ISO 13790 5R1C hourly model (climatevis.building)",
        "base_building": dataclasses.asdict(base),
        "weather": {"file": epw_name, "sha256": epw_sha256, "city": weather.location.city,
                    "country": weather.location.country, "wmo": weather.location.wmo},
        "samples": len(X), "sampling": "Latin hypercube", "seed": int(seed.value), "folds": folds.value,
        "training_data_sha256": training_sha256,
        "scores": evaluation.scores.to_dict("records"),
        "permutation_importance": importances.to_dict("records"),
    }
    saved = surrogate.save(model, _folder, _meta)
    # what a user of the model gets: the hash is checked before unpickling
    _reloaded, _ = surrogate.load(saved.directory, expected_sha256=saved.sha256)
    _same = bool((_reloaded.predict(X) == model.predict(X)).all().all())
    _uploaded = ""
    if s3_dest.value.strip():
        _sync = surrogate.upload(saved, f"{s3_dest.value.strip().rstrip('/')}/{model_name.value}")
        _uploaded = f" Copied to `{_sync.destination}`: {len(_sync.uploaded)} written, {len(_sync.skipped)} unchanged."
    mo.callout(mo.md(f"Saved `{saved.model_path}` — sha256 `{saved.sha256}` — and its metadata "
                     f"`{saved.metadata_path.name}`; reloaded after checking the hash, "
                     f"{'identical' if _same else 'DIFFERENT'} predictions.{_uploaded}"),
               kind="success" if _same else "danger")
    return


@app.cell
def _(mo, model, parametric):
    try_inputs = mo.ui.dictionary({
        name: mo.ui.slider(low, high, step=round((high - low) / 100, 6) or 1, value=round(0.5 * (low + high), 6),
                           label=f"{parametric.PARAMETERS[name].label} [{parametric.PARAMETERS[name].unit}]",
                           show_value=True)
        for name, (low, high) in model.ranges.items()
    })
    mo.vstack([mo.md("## Try the surrogate\n\nInstant predictions inside the training ranges."),
               try_inputs.vstack()])
    return (try_inputs,)


@app.cell
def _(mo, model, pd, surrogate, try_inputs):
    _row = pd.DataFrame([try_inputs.value])
    _pred = model.predict(_row).iloc[0]
    mo.hstack([mo.stat(f"{_pred[t]:.1f}", label=surrogate.TARGETS[t]) for t in surrogate.TARGETS], widths="equal")
    return


if __name__ == "__main__":
    app.run()
