"""The climatevis build graph (https://pydoit.org).

doit tracks the *content* of every input (md5, checked when size or mtime
moved) and reruns a task only when one changed. `just` wraps these tasks;
`doit list` explains them. Heavy imports (marimo, pandas, the library) happen
inside actions, so loading this file costs a few milliseconds; the tasks whose
inputs take a scan of many files (lint, docker, pipeline) are created only when
they run (`@create_after()`), not on every `just export`.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from doit import create_after
from doit.reporter import ConsoleReporter
from doit.tools import config_changed

from tools import buildgraph as bg
from tools import container
from tools import datatasks as dt


class SummaryReporter(ConsoleReporter):
    """doit's console output plus one closing line: what ran, or that all was up to date."""

    def initialize(self, tasks, selected_tasks):
        super().initialize(tasks, selected_tasks)
        self._ran, self._fresh = [], []

    def execute_task(self, task):
        if task.actions:  # group tasks (export, size) have none
            self._ran.append(task.name)
        super().execute_task(task)

    def skip_uptodate(self, task):
        if task.actions:
            self._fresh.append(task.name)
        super().skip_uptodate(task)

    def complete_run(self):
        super().complete_run()
        if not self.failures and not self.runtime_errors:
            if self._ran:
                self.outstream.write(f"ran {len(self._ran)} task(s); {len(self._fresh)} up to date\n")
            else:
                self.outstream.write(f"everything is up to date ({len(self._fresh)} tasks)\n")


DOIT_CONFIG = {
    "backend": "json",  # dbm's format differs between Python builds
    "dep_file": ".doit.db",
    "default_tasks": ["export", "size", "manifest"],
    "reporter": SummaryReporter,
    "verbosity": 2,
}

ROOT = bg.ROOT
PY = sys.executable  # the venv's python (just runs doit with it)


def _rel(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


# --------------------------------------------------------------------------- inputs


def task_pyodide_lock():
    """Refresh tools/pyodide/pyodide-lock.json when marimo's Pyodide version changes (npm)."""
    return {
        "actions": [bg.refresh_pyodide_lock],
        "targets": [_rel(bg.PYODIDE_LOCK)],
        "uptodate": [bg.pyodide_lock_current],
        "verbosity": 2,
    }


def task_weather():
    """Fetch the catalog's weather stations into build/weather (sha256-verified; reports any it cannot get)."""
    return {
        "actions": [dt.fetch_weather],
        "file_dep": [_rel(dt.CATALOG), _rel(bg.PACKAGE / "data.py")] if dt.CATALOG.exists() else [],
        "targets": [_rel(p) for p in dt.demo_weather_files()] + [_rel(dt.REPORT)],
        "uptodate": [dt.weather_uptodate],
        "clean": True,
        "verbosity": 2,
    }


def task_assets():
    """Pack the catalog's demo stations (demo = true) into compact, content-hashed assets (build/assets/weather)."""
    sources = dt.demo_weather_files()
    return {
        "actions": [(bg.build_assets, [[str(p) for p in sources], str(bg.ASSETS)])],
        "file_dep": [_rel(p) for p in sources] + [_rel(bg.PACKAGE / "assets.py"), _rel(bg.PACKAGE / "epw.py")],
        "targets": [_rel(bg.ASSETS / "index.json")],
        "task_dep": ["weather"],
        "uptodate": [config_changed({"stations": [p.name for p in sources]})],
        "clean": True,
    }


# --------------------------------------------------------------------------- demos


def _export_inputs(notebook: Path) -> list[str]:
    config = bg.demo_config(notebook.stem)
    inputs = [_rel(notebook), *(_rel(p) for p in bg.library_closure(notebook)),
              _rel(bg.PYODIDE_LOCK), "pyproject.toml"]
    if bg.DEMOS_CONFIG.exists():
        inputs.append(_rel(bg.DEMOS_CONFIG))
    if config["weather"]:
        inputs.append(_rel(bg.ASSETS / "index.json"))
    inputs += [f"data/examples/{name}" for name in config["data"]]
    return inputs


def task_export():
    """Export each demo notebook to WebAssembly: build/demos/<name>/ (marimo export html-wasm)."""
    marimo = bg.marimo_version()
    for notebook in bg.demo_notebooks():
        name = bg.kebab(notebook.stem)
        inputs = _export_inputs(notebook)
        yield {
            "name": name,
            "doc": f"export {_rel(notebook)} to build/demos/{name}/",
            "actions": [(bg.export_demo, [str(notebook), inputs])],
            "file_dep": inputs,
            "targets": [f"build/demos/{name}/index.html", f"build/meta/{name}.json"],
            "task_dep": ["pyodide_lock"],
            "uptodate": [config_changed({"marimo": marimo})],
            "clean": True,
        }


def task_size():
    """Fail when a demo's own files (index.html + public/) exceed 500 KB."""
    for notebook in bg.demo_notebooks():
        name = bg.kebab(notebook.stem)
        yield {
            "name": name,
            "doc": f"check that build/demos/{name}/ stays within {bg.SIZE_LIMIT // 1024} KB",
            "actions": [(bg.check_size, [str(bg.DEMOS_OUT / name)])],
            "file_dep": [f"build/demos/{name}/index.html"],
            "uptodate": [config_changed({"limit": bg.SIZE_LIMIT})],
        }


def task_manifest():
    """Write build/manifest.json: every artifact with its sha256 and its inputs' hashes."""
    names = [bg.kebab(nb.stem) for nb in bg.demo_notebooks()]
    deps = [f"build/demos/{n}/index.html" for n in names] + [f"build/meta/{n}.json" for n in names]
    return {
        "actions": [(bg.write_manifest, [names, "build/manifest.json"])],
        "file_dep": deps,
        "targets": ["build/manifest.json"],
        "clean": True,
    }


# --------------------------------------------------------------------------- analysis


@create_after()
def task_pipeline():
    """Weather ETL (on demand): validate the fetched EPWs, write parquet, assets and statistics to build/pipeline/.

    Runs notebooks/analysis/data_pipeline.py as a script on build/weather (the catalog, fetched
    by the weather task). Only changed files are written; $CLIMATEVIS_PIPELINE_DEST may name
    another folder or s3://bucket/prefix. Report: build/meta/pipeline.json; a rejected file fails the task.
    """
    notebook = ROOT / "notebooks" / "analysis" / "data_pipeline.py"
    dest = os.environ.get("CLIMATEVIS_PIPELINE_DEST", "build/pipeline")
    report = "build/meta/pipeline.json"
    # a checkout without the analysis notebooks still loads every other task
    library = bg.library_closure(notebook) if notebook.exists() else []
    return {
        "actions": [[PY, _rel(notebook), "--source", _rel(dt.WEATHER), "--dest", dest, "--report", report]],
        "file_dep": [_rel(notebook), _rel(dt.REPORT), *(_rel(p) for p in library)],
        "task_dep": ["weather"],
        "targets": [report],
        "uptodate": [config_changed({"dest": dest})],
        "verbosity": 2,
    }


# --------------------------------------------------------------------------- container


@create_after()
def task_docker():
    """Build the server image climatevis-server:<sha256 of its inputs> (skipped when it exists)."""
    return {
        "actions": [container.build_image],
        "file_dep": container.image_inputs(),
        "uptodate": [container.image_exists],
        "verbosity": 2,
    }


# --------------------------------------------------------------------------- checks


def _python_sources() -> list[str]:
    folders = ("src", "notebooks", "tests", "tools", "bench")
    return ["dodo.py", "pyproject.toml"] + sorted(
        _rel(p) for f in folders for p in (ROOT / f).rglob("*.py") if ".venv" not in p.parts
    )


@create_after()
def task_lint():
    """ruff on everything; marimo check --strict on all notebooks, --select MW (WASM rules) on demos."""
    notebooks = sorted(_rel(p) for p in (ROOT / "notebooks").rglob("*.py"))
    demos = [_rel(p) for p in bg.demo_notebooks()]
    return {
        "actions": [
            [PY, "-m", "ruff", "check", "."],
            [PY, "-m", "marimo", "check", "--strict", *notebooks],
            [PY, "-m", "marimo", "check", "--strict", "--select", "MW", *demos],
        ],
        "file_dep": _python_sources(),
    }


def task_test():
    """Run the whole pytest suite (after the demos are exported and checked)."""
    return {
        "actions": [[PY, "-m", "pytest"]],
        "task_dep": ["export", "size", "manifest"],
        "uptodate": [False],
        "verbosity": 2,
    }


# --------------------------------------------------------------------------- data in S3


def task_upload_data():
    """Upload data/examples, the fetched EPWs and the demo assets to the data bucket (incremental)."""
    return {
        "params": [{"name": "stage", "long": "stage", "type": str, "default": "",
                    "help": "SST stage whose bucket to use (deploy/.sst outputs); "
                            "$MARIMO_DATA_BUCKET wins"}],
        "actions": [dt.upload_data],
        "task_dep": ["weather", "assets"],
        "uptodate": [dt.upload_uptodate],
        "verbosity": 2,
    }


# --------------------------------------------------------------------------- deployment (SST) and portfolio

DEPLOY_INPUTS = ["deploy/sst.config.ts", "deploy/package.json", "deploy/pnpm-lock.yaml", "deploy/tsconfig.json",
                 "deploy/stages.json"]


def task_typecheck():
    """Type-check deploy/sst.config.ts against the real SST 4 platform types (npm only, no AWS)."""
    return {
        "actions": [[PY, "-m", "tools.deploy", "typecheck"]],
        "file_dep": [*DEPLOY_INPUTS, "tools/deploy.py"],
        "verbosity": 2,
    }


def task_cost():
    """Monthly AWS cost per stage (deploy/stages.json x deploy/prices.json); fails if production > EUR 50."""
    return {
        "actions": [[PY, "-m", "tools.deploy_cost"]],
        "file_dep": ["deploy/stages.json", "deploy/prices.json", "tools/deploy_cost.py"],
        "verbosity": 2,
    }


def _sst(command, stage, yes):
    from doit.exceptions import TaskFailed

    from tools import deploy

    if not stage:
        return TaskFailed(f"give the stage: doit {command} --stage dev|production|<personal>")
    try:
        code = deploy.run_sst([command, "--stage", stage], assume_yes=yes)
    except deploy.DeployError as err:
        return TaskFailed(str(err))
    return code == 0


def task_deploy():
    """Deploy a stage with SST (doit deploy --stage S): type check, cost guard and the demos first."""
    return {
        "params": [{"name": "stage", "long": "stage", "type": str, "default": "",
                    "help": "SST stage: dev, production or a personal one"},
                   {"name": "yes", "long": "yes", "type": bool, "default": False,
                    "help": "already confirmed (a protected stage asks otherwise)"}],
        "actions": [(_sst, ["deploy"])],
        "task_dep": ["typecheck", "cost", "export", "size", "manifest"],
        "uptodate": [False],
        "verbosity": 2,
    }


@bg.action
def _portfolio(path):
    from tools import portfolio

    if not path:
        raise bg.BuildError("give the portfolio repository: doit portfolio --path PATH (just portfolio PATH)")
    portfolio.hand_off(Path(path))


def task_portfolio():
    """Copy the exported demos into PATH/apps/web/public/demos/ (doit portfolio --path PATH; changed files only)."""
    return {
        "params": [{"name": "path", "long": "path", "type": str, "default": "",
                    "help": "root of the portfolio monorepo (a git checkout with apps/web/)"}],
        "actions": [_portfolio],
        "task_dep": ["export", "size", "manifest"],
        "uptodate": [False],
        "verbosity": 2,
    }
