import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium", app_title="Weather data pipeline · CES")


@app.cell
def _():
    import sys

    import marimo as mo

    return mo, sys


@app.cell
def _(mo):
    mo.md("""
    # Weather data pipeline

    Which weather files do we have, are they sound, and are the derived data
    in the bucket up to date? This notebook **gathers** EPW files (from the
    station catalog, its mirror, an S3 prefix such as `s3://bucket/weather`,
    or a local folder), **validates** each one and reports its problems
    without stopping at the first bad file, **derives** per station a parquet
    table, the compact asset the WebAssembly demos load, and climate
    statistics, and **writes** them to a folder or to S3 — only the files
    whose content changed, so a second run writes nothing. Everything lands
    under `weather/` of the destination, in the layout of the company bucket:
    `weather/<file>.epw` (the mirror the catalog fetches from),
    `weather/parquet/`, `weather/stations/` (compact assets and their
    `index.json`) and `weather/stats/` (one JSON per station and
    `stations.csv`).

    Nothing is written until you press *Write*; the table below first shows
    what would change. The same notebook runs as a script (it then writes
    unless `--dry-run` is given):

    ```
    python notebooks/analysis/data_pipeline.py --source catalog --dest s3://my-bucket
    python notebooks/analysis/data_pipeline.py --source ../shared/data/weather --dest build/pipeline --dry-run
    ```

    `--source` may be repeated; `--report FILE` also writes the report as JSON;
    the exit status is 1 when a file was rejected (the others are still processed).
    """)
    return


@app.cell
def _():
    from climatevis import pipeline
    from climatevis.storage import content_type

    return content_type, pipeline


@app.cell
def _(mo, pipeline, sys):
    # options after `--` (marimo edit/run/export) or on the command line (python notebook.py …)
    batch = mo.app_meta().mode == "script"
    try:
        cli = pipeline.options(mo.cli_args())
    except pipeline.PipelineError as _err:
        if batch:
            print(f"data_pipeline: error: {_err}", file=sys.stderr)
            sys.exit(2)
        raise
    if batch and cli.help:
        print(pipeline.USAGE)
        sys.exit(0)
    return batch, cli


@app.cell
def _(batch, mo, sys):
    def stop_with(error):
        """Fatal problem: one line and exit status 2 in a script, a red box in the notebook."""
        if batch:
            print(f"data_pipeline: error: {error}", file=sys.stderr)
            sys.exit(2)
        mo.stop(True, mo.callout(mo.md(f"**Cannot continue.** {error}"), kind="danger"))

    return (stop_with,)


@app.cell
def _(cli, mo):
    sources_input = mo.ui.text_area(
        value="\n".join(cli.sources),
        label="Sources, one per line: `catalog`, `catalog:vienna,berlin`, `s3://bucket/weather`, a folder or a file",
        full_width=True,
        rows=3,
    )
    dest_input = mo.ui.text(value=cli.dest, label="Destination: a folder or s3://bucket/prefix", full_width=True)
    mirror_input = mo.ui.text(
        value=cli.mirror or "", label="Mirror for catalog stations (optional; default $CLIMATEVIS_WEATHER_MIRROR)",
        full_width=True,
    )
    mo.vstack([sources_input, dest_input, mirror_input])
    return dest_input, mirror_input, sources_input


@app.cell
def _(mirror_input, mo, pipeline, sources_input):
    _sources = [s.strip() for s in sources_input.value.splitlines() if s.strip()]
    with mo.status.spinner(title="Gathering and validating weather files …"):
        candidates = pipeline.gather(_sources, mirror=mirror_input.value.strip() or None)
        validations = pipeline.validate_all(candidates)
    return (validations,)


@app.cell
def _(mo, pipeline, validations):
    derived = {}
    _usable = [k for k, v in enumerate(validations) if v.usable]
    for _k in mo.status.progress_bar(_usable, title="Deriving parquet, demo assets and statistics",
                                     remove_on_exit=True):
        derived[_k] = pipeline.derive(validations[_k])
    return (derived,)


@app.cell
def _(derived, dest_input, pipeline, stop_with):
    dest = dest_input.value.strip()
    try:
        files = pipeline.outputs(list(derived.values()), dest)
        plan = pipeline.write(files, dest, dry_run=True) if files else None
    except (pipeline.PipelineError, ValueError) as _err:
        stop_with(_err)
    return dest, files, plan


@app.cell
def _(dest, mo, plan):
    _changed = len(plan.uploaded) if plan is not None else 0
    write_button = mo.ui.run_button(
        label=f"Write {_changed} changed files to {dest}", disabled=_changed == 0, kind="warn"
    )
    write_button
    return (write_button,)


@app.cell
def _(batch, cli, dest, files, mo, pipeline, plan, stop_with, write_button):
    # the notebook writes when the button is pressed; a script run writes unless --dry-run
    dry_run = not (write_button.value or (batch and not cli.dry_run))
    sync_result = plan
    if not dry_run and files:
        try:
            with mo.status.spinner(title=f"Writing changed files to {dest} …"):
                sync_result = pipeline.write(files, dest)
        except pipeline.PipelineError as _err:
            stop_with(_err)
    return dry_run, sync_result


@app.cell
def _(derived, dest, dry_run, pipeline, sync_result, validations):
    report = pipeline.Report(pipeline.report_table(validations, derived, sync_result), sync_result, dest, dry_run)
    return (report,)


@app.cell
def _(mo, report):
    _verb = "would be written" if report.dry_run else "written"
    _problems = report.table[report.table["status"] != "ok"]
    mo.vstack([
        mo.hstack([
            mo.stat(len(report.table), label="files found"),
            mo.stat(report.failed, label="rejected"),
            mo.stat(len(report.written), label=f"files {_verb}"),
            mo.stat(len(report.sync.skipped) if report.sync is not None else 0, label="already up to date"),
        ], widths="equal"),
        mo.ui.table(report.table.round(2), selection=None, label="One row per file", page_size=15),
        mo.callout(mo.md("\n".join(f"* **{r.file}** ({r.status}): {r.problems}" for r in _problems.itertuples())),
                   kind="warn") if len(_problems) else mo.md("Every file passed validation."),
    ])
    return


@app.cell
def _(content_type, mo, report):
    mo.stop(report.sync is None)
    _rows = [{"file": n, "action": "write" if n in report.written else "unchanged", "content_type": content_type(n)}
             for n in sorted([*report.sync.uploaded, *report.sync.skipped])]
    mo.accordion({f"Destination files ({len(_rows)})": mo.ui.table(_rows, selection=None, page_size=20)})
    return


@app.cell
def _(derived, mo, pipeline):
    mo.stop(not derived)
    _stations = list(derived.values())
    mo.vstack([
        mo.md("## Climate summary per station"),
        pipeline.monthly_figure(_stations, "temp_air_mean", "°C", title="Monthly mean air temperature"),
        pipeline.monthly_figure(_stations, "ghi_kwh_m2", "kWh/m²", title="Monthly global horizontal irradiation"),
    ])
    return


@app.cell
def _(batch, cli, pipeline, report, sys):
    # script runs end here: the report on stdout, exit status 0 / 1 (files rejected) / 2 (fatal)
    if batch:
        sys.exit(pipeline.finish(report, cli))
    return


if __name__ == "__main__":
    app.run()
