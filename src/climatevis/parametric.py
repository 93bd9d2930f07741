"""Parametric building studies: shoebox variants, sweeps, Latin hypercube samples, and
running them through the 5R1C model and real EnergyPlus side by side.

* **Parameters** — :data:`PARAMETERS` names the quantities a study may vary
  (U-values, glazing, window-to-wall ratios per facade, air change, gains,
  set points, thermal mass, geometry) with units and admissible bounds;
  :func:`apply` turns a base :class:`~climatevis.building.Building` plus
  values into a variant, :func:`shoebox` builds a parametric box.
* **Designs** — :func:`sweep` (one parameter, evenly spaced) and
  :func:`latin_hypercube` (McKay, Beckman & Conover 1979).
* **Simulation** — :func:`simulate_5r1c` (the ISO 13790 model, optionally in
  several processes) and :func:`simulate_energyplus` (real EnergyPlus through
  :func:`climatevis.energyplus.run_many`, cached by input hash) return one row
  of annual figures per variant; a variant that fails gets its error message
  in the ``error`` column instead of stopping the study.
* **Comparison** — :func:`compare_annual`, :func:`monthly_loads` and the
  figure builders put the two models next to each other.

Units: energies kWh (per m² of conditioned floor area where the column ends
in ``_m2``), powers kW, temperatures °C, U-values W/(m²K).

Native only (processes, EnergyPlus, plotly); the WebAssembly demos never import it.

References
----------
* McKay, M.D., Beckman, R.J., Conover, W.J. (1979). A comparison of three
  methods for selecting values of input variables in the analysis of output
  from a computer code. Technometrics 21(2), 239-245.
* EN ISO 13790:2008 Annex C (the 5R1C model in :mod:`climatevis.building`).
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import math
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from climatevis.building import (
    ORIENTATIONS,
    Building,
    BuildingError,
    Site,
    preset,
    preset_names,
    simulate,
)

__all__ = [
    "PARAMETERS",
    "RESULT_COLUMNS",
    "SHOEBOX",
    "Parameter",
    "apply",
    "base_building",
    "base_buildings",
    "compare_annual",
    "comparison_figure",
    "default_workers",
    "energyplus_hourly",
    "ground_temperatures",
    "latin_hypercube",
    "monthly_loads",
    "run_models",
    "shoebox",
    "simulate_5r1c",
    "simulate_energyplus",
    "sweep",
    "sweep_figure",
    "temperature_figure",
    "variants",
]

Progress = Callable[[int, int], None]
#: Annual result columns of :func:`simulate_5r1c` and :func:`simulate_energyplus`.
RESULT_COLUMNS = ("heating_kwh", "cooling_kwh", "peak_heating_kw", "peak_cooling_kw",
                  "heating_kwh_m2", "cooling_kwh_m2", "floor_area_m2")


@dataclass(frozen=True)
class Parameter:
    """A quantity a study may vary: ``low``..``high`` are the admissible bounds,
    ``default`` the range a study uses unless told otherwise (both in ``unit``)."""

    name: str
    label: str
    unit: str
    low: float
    high: float
    default: tuple[float, float]


def _p(name: str, label: str, unit: str, low: float, high: float, default: tuple[float, float]):
    return name, Parameter(name, label, unit, low, high, default)


#: What a study can vary. ``wwr`` sets all four facades, ``wwr_s`` … one facade (applied after ``wwr``).
PARAMETERS: dict[str, Parameter] = dict([
    _p("u_wall", "Wall U-value", "W/(m²K)", 0.08, 3.0, (0.12, 1.2)),
    _p("u_roof", "Roof U-value", "W/(m²K)", 0.08, 3.0, (0.10, 0.8)),
    _p("u_floor", "Floor U-value", "W/(m²K)", 0.08, 3.0, (0.12, 1.0)),
    _p("u_window", "Window U-value", "W/(m²K)", 0.5, 6.0, (0.7, 3.0)),
    _p("g_value", "Glazing g-value", "-", 0.1, 0.9, (0.3, 0.7)),
    _p("shading_factor", "External shading factor", "-", 0.1, 1.0, (0.3, 1.0)),
    _p("wwr", "Window-to-wall ratio, all facades", "-", 0.0, 0.9, (0.1, 0.5)),
    _p("wwr_s", "Window-to-wall ratio, S facade", "-", 0.0, 0.9, (0.1, 0.6)),
    _p("wwr_e", "Window-to-wall ratio, E facade", "-", 0.0, 0.9, (0.05, 0.4)),
    _p("wwr_n", "Window-to-wall ratio, N facade", "-", 0.0, 0.9, (0.05, 0.3)),
    _p("wwr_w", "Window-to-wall ratio, W facade", "-", 0.0, 0.9, (0.05, 0.4)),
    _p("infiltration_ach", "Infiltration", "1/h", 0.0, 3.0, (0.1, 1.0)),
    _p("ventilation_ach", "Mechanical ventilation", "1/h", 0.0, 3.0, (0.0, 0.6)),
    _p("heat_recovery", "Heat-recovery efficiency", "-", 0.0, 0.95, (0.0, 0.85)),
    _p("internal_gains", "Internal gains", "W/m²", 0.0, 30.0, (2.0, 6.0)),
    _p("heating_setpoint", "Heating set point", "°C", 10.0, 25.0, (19.0, 22.0)),
    _p("cooling_setpoint", "Cooling set point", "°C", 20.0, 32.0, (24.0, 28.0)),
    _p("heat_capacity", "Internal heat capacity Cm/Af", "kJ/(m²K)", 50.0, 450.0, (80.0, 370.0)),
    _p("azimuth", "Azimuth of the S facade", "°", 0.0, 360.0, (135.0, 225.0)),
    _p("width", "Width (S/N facades)", "m", 3.0, 100.0, (6.0, 20.0)),
    _p("depth", "Depth (E/W facades)", "m", 3.0, 100.0, (6.0, 15.0)),
])

# A single-storey 10 m × 8 m office-like box: 30 % glazing south, 15 % elsewhere,
# U-values of a 2000s retrofit, medium mass, heating 20 °C, cooling 26 °C (SHOEBOX below).
_SHOEBOX_BASE = Building(name="shoebox", width=10.0, depth=8.0, storey_height=3.0, storeys=1,
                         u_wall=0.35, u_roof=0.25, u_floor=0.40, infiltration_ach=0.4,
                         internal_gains=4.0, heating_setpoint=20.0, cooling_setpoint=26.0)

_WINDOW_FIELDS = {"u_window": "u_value", "g_value": "g_value", "shading_factor": "shading_factor"}


def apply(base: Building, values: Mapping[str, Any]) -> Building:
    """``base`` with the :data:`PARAMETERS` in ``values`` changed (validated again).

    Window-to-wall ratios become window areas of the facade's gross wall
    area; ``u_window``, ``g_value``, ``shading_factor`` apply to every facade;
    ``heat_capacity`` [kJ/(m²K)] sets Cm/Af with ``Am = 2.5·Af`` (ISO 13790
    Table 12) unless the base already fixes Am. Geometry changes keep the
    window-to-wall ratios. Unknown names or values outside a parameter's
    bounds raise :class:`~climatevis.building.BuildingError`.
    """
    unknown = sorted(set(values) - set(PARAMETERS))
    if unknown:
        raise BuildingError(f"unknown parameters {unknown} (known: {', '.join(PARAMETERS)})")
    for name, value in values.items():
        p = PARAMETERS[name]
        v = float(value)
        if not math.isfinite(v) or not p.low <= v <= p.high:
            raise BuildingError(f"{name} = {value!r} {p.unit} is outside {p.low:g}..{p.high:g}")
    changes: dict[str, Any] = {}
    for name in ("u_wall", "u_roof", "u_floor", "infiltration_ach", "ventilation_ach", "heat_recovery",
                 "internal_gains", "heating_setpoint", "cooling_setpoint", "azimuth", "width", "depth"):
        if name in values:
            changes[name] = float(values[name])
    if "heat_capacity" in values:
        changes["heat_capacity"] = float(values["heat_capacity"]) * 1000.0
        if base.mass_area_factor is None:
            changes["mass_area_factor"] = 2.5
    # window areas from the ratio of the *base* facade, re-applied to the new geometry
    ratios = {o: base.window(o).area / base.wall_area(o) for o in ORIENTATIONS}
    if "wwr" in values:
        ratios = dict.fromkeys(ORIENTATIONS, float(values["wwr"]))
    for o in ORIENTATIONS:
        if f"wwr_{o.lower()}" in values:
            ratios[o] = float(values[f"wwr_{o.lower()}"])
    width, depth = changes.get("width", base.width), changes.get("depth", base.depth)
    height = base.storey_height * base.storeys
    window_changes = {field: float(values[name]) for name, field in _WINDOW_FIELDS.items() if name in values}
    windows = {o: dataclasses.replace(base.window(o), area=ratios[o] * (width if o in "SN" else depth) * height,
                                      **window_changes)
               for o in ORIENTATIONS}
    return dataclasses.replace(base, windows=windows, **changes)


#: The parametric box of :func:`shoebox` (30 % glazing south, 15 % on the other facades).
SHOEBOX = apply(_SHOEBOX_BASE, {"wwr": 0.15, "wwr_s": 0.30})


def shoebox(**values: Any) -> Building:
    """A parametric box: :data:`SHOEBOX` with :data:`PARAMETERS` ``values`` applied."""
    return apply(SHOEBOX, values)


def base_buildings(selected: str = "") -> tuple[dict[str, str], str]:
    """A building picker's options, label → name for :func:`base_building` (the parametric
    shoebox, BESTEST 600 and 900, the Austrian reference buildings of
    :func:`climatevis.building.preset`), and the label of ``selected`` (else the shoebox's)."""
    options = {"Parametric shoebox": "shoebox", "BESTEST 600 (lightweight)": "bestest600",
               "BESTEST 900 (heavyweight)": "bestest900"}
    options.update({preset(name).name: name for name in preset_names() if not name.startswith("bestest")})
    return options, next((label for label, name in options.items() if name == selected), "Parametric shoebox")


def base_building(name: str) -> Building:
    """:data:`SHOEBOX` for ``"shoebox"``, else :func:`climatevis.building.preset` ``(name)``."""
    return SHOEBOX if name == "shoebox" else preset(name)


def variants(base: Building, design: pd.DataFrame) -> list[Building | BuildingError]:
    """One building per row of ``design`` (columns = parameter names); an invalid row
    gives its :class:`~climatevis.building.BuildingError` instead."""
    out: list[Building | BuildingError] = []
    for k, row in enumerate(design.to_dict("records")):
        try:
            out.append(apply(base, row).replace(name=f"{base.name}-{k}"))
        except BuildingError as err:
            out.append(err)
    return out


# --------------------------------------------------------------------------- designs


def sweep(parameter: str, start: float, stop: float, steps: int) -> pd.DataFrame:
    """``steps`` evenly spaced values of ``parameter`` from ``start`` to ``stop`` (one column)."""
    if parameter not in PARAMETERS:
        raise BuildingError(f"unknown parameter {parameter!r} (known: {', '.join(PARAMETERS)})")
    if steps < 1:
        raise BuildingError(f"sweep of {parameter}: steps must be >= 1, got {steps}")
    return pd.DataFrame({parameter: np.linspace(start, stop, steps) if steps > 1 else [float(start)]})


def latin_hypercube(ranges: Mapping[str, tuple[float, float]], n: int, seed: int | None = 0) -> pd.DataFrame:
    """``n`` Latin hypercube samples over ``ranges`` ({name: (low, high)}), one column per name.

    Each range is cut into ``n`` equal strata; every stratum of every
    parameter holds exactly one sample, placed uniformly inside it, and the
    strata are paired at random across parameters (McKay et al. 1979).
    ``seed`` makes the design reproducible.
    """
    if n < 1:
        raise BuildingError(f"latin_hypercube: n must be >= 1, got {n}")
    rng = np.random.default_rng(seed)
    names = list(ranges)
    strata = np.argsort(rng.random((n, len(names))), axis=0)  # a random permutation per column
    unit = (strata + rng.random((n, len(names)))) / n
    out = {}
    for k, name in enumerate(names):
        low, high = (float(v) for v in ranges[name])
        if not (math.isfinite(low) and math.isfinite(high)) or high < low:
            raise BuildingError(f"latin_hypercube: range of {name} must be low <= high, got {ranges[name]}")
        out[name] = low + unit[:, k] * (high - low)
    return pd.DataFrame(out)


# --------------------------------------------------------------------------- 5R1C


_WORKER_SITE: Site | None = None


def _init_worker(epw_bytes: bytes) -> None:
    from climatevis.epw import read_epw

    global _WORKER_SITE
    _WORKER_SITE = Site.from_weather(read_epw(epw_bytes))


def _process_context() -> Any:
    """``forkserver`` where it exists (POSIX), else ``spawn``: never a plain ``fork`` of a
    multi-threaded process such as a marimo kernel, which can deadlock the child."""
    import multiprocessing

    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    # the server imports numpy, pandas and the model once; workers fork from it ready to run
    context.set_forkserver_preload(["climatevis.parametric"])
    return context


def _summary_row(building: Building, site: Site) -> dict[str, Any]:
    try:
        s = simulate(building, site).summary()
    except (BuildingError, ValueError) as err:
        return {"error": str(err).splitlines()[0]}
    return {k: s[k] for k in RESULT_COLUMNS} | {"error": ""}


def _simulate_chunk(buildings: list[Building]) -> list[dict[str, Any]]:
    assert _WORKER_SITE is not None
    return [_summary_row(b, _WORKER_SITE) for b in buildings]


def simulate_5r1c(
    base: Building,
    design: pd.DataFrame,
    weather: Any,
    *,
    workers: int = 1,
    progress: Progress | None = None,
    epw_bytes: bytes | None = None,
) -> pd.DataFrame:
    """Annual 5R1C results for every row of ``design`` applied to ``base``.

    ``weather``: a :class:`~climatevis.epw.Weather` or :class:`~climatevis.building.Site`.
    With ``workers > 1`` the runs are spread over that many processes, each of
    which reads the weather once from ``epw_bytes`` (required then).
    ``progress(done, total)`` is called as runs finish. Returns ``design``
    plus :data:`RESULT_COLUMNS` and ``error`` (empty when the run succeeded).
    """
    buildings = variants(base, design)
    total = len(buildings)
    rows: list[dict[str, Any]] = [{} for _ in buildings]
    todo = []
    for k, b in enumerate(buildings):
        if isinstance(b, BuildingError):
            rows[k] = {"error": str(b)}
        else:
            todo.append(k)
    done = total - len(todo)
    if workers > 1 and len(todo) > 2 * workers:
        if epw_bytes is None:
            raise ValueError("simulate_5r1c: workers > 1 needs epw_bytes (each process reads the weather)")
        size = max(1, min(25, len(todo) // (4 * workers)))
        chunks = [todo[i:i + size] for i in range(0, len(todo), size)]
        with concurrent.futures.ProcessPoolExecutor(workers, mp_context=_process_context(),
                                                    initializer=_init_worker, initargs=(epw_bytes,)) as pool:
            futures = {pool.submit(_simulate_chunk, [buildings[k] for k in chunk]): chunk for chunk in chunks}
            for future in concurrent.futures.as_completed(futures):
                for k, row in zip(futures[future], future.result(), strict=True):
                    rows[k] = row
                done += len(futures[future])
                if progress is not None:
                    progress(done, total)
    else:
        site = weather if isinstance(weather, Site) else Site.from_weather(weather)
        for k in todo:
            rows[k] = _summary_row(buildings[k], site)
            done += 1
            if progress is not None:
                progress(done, total)
    return _result_frame(design, rows)


def _result_frame(design: pd.DataFrame, rows: list[dict[str, Any]]) -> pd.DataFrame:
    results = pd.DataFrame(rows, index=design.index)
    for col in (*RESULT_COLUMNS, "error"):
        if col not in results:
            results[col] = np.nan if col != "error" else ""
    results["error"] = results["error"].fillna("")
    return pd.concat([design, results[[*RESULT_COLUMNS, *(c for c in results if c not in RESULT_COLUMNS)]]],
                     axis=1)


# --------------------------------------------------------------------------- EnergyPlus


def ground_temperatures(weather: Any) -> list[float] | None:
    """The 12 monthly ground temperatures [°C] of the EPW's shallowest record (what the
    5R1C model uses), or ``None`` when the file has none."""
    records = [g for g in getattr(weather, "ground_temperatures", []) or []
               if len(g.get("monthly", [])) == 12 and all(np.isfinite(g["monthly"]))]
    if not records:
        return None
    return [float(t) for t in min(records, key=lambda g: g["depth"])["monthly"]]


def simulate_energyplus(
    base: Building,
    design: pd.DataFrame,
    epw_bytes: bytes,
    *,
    ground: Sequence[float] | None = None,
    max_workers: int | None = None,
    progress: Progress | None = None,
    **run_kwargs: Any,
) -> tuple[pd.DataFrame, list[Any]]:
    """Annual EnergyPlus results for every row of ``design`` applied to ``base``.

    Each variant becomes epJSON (:func:`climatevis.energyplus.model_for`;
    BESTEST cases keep their standard model, others see the monthly
    ``ground`` temperatures [°C]) and goes to :func:`run_models`. Returns the
    table (``design`` plus :data:`RESULT_COLUMNS`, ``runtime_s``, ``cached``,
    ``warnings``, ``error``) and the
    :class:`~climatevis.energyplus.SimulationResult` or error of each row.
    """
    from climatevis import energyplus

    models: list[dict | Exception] = []
    areas: list[float] = []
    for b in variants(base, design):
        if isinstance(b, Exception):
            models.append(b)
            areas.append(np.nan)
            continue
        try:
            models.append(energyplus.model_for(b, ground))
        except ValueError as err:  # e.g. a U-value the surface resistances cannot give
            models.append(BuildingError(str(err)))
        areas.append(b.floor_area)
    table, outcomes = run_models(models, epw_bytes, areas, max_workers=max_workers, progress=progress,
                                 **run_kwargs)
    table.index = design.index
    return pd.concat([design, table], axis=1), outcomes


def run_models(
    models: Sequence[Mapping[str, Any] | Exception],
    epw_bytes: bytes,
    floor_areas: Sequence[float],
    *,
    max_workers: int | None = None,
    progress: Progress | None = None,
    **run_kwargs: Any,
) -> tuple[pd.DataFrame, list[Any]]:
    """Run epJSON ``models`` on one weather file, each in its own EnergyPlus process, at
    most ``max_workers`` at a time; identical (model, weather, version) runs are answered
    from the cache. An entry that is already an exception (a variant that could not be
    built) is passed through as a failed row.

    ``run_kwargs`` go to :func:`climatevis.energyplus.run` (``cache_dir``,
    ``timeout``, ``executable``). One row per model: :data:`RESULT_COLUMNS`
    (per m² of ``floor_areas``), ``runtime_s``, ``cached``, ``warnings`` and
    ``error`` (for a failed run the message quoting ``eplusout.err``); a
    failed run never stops the others. ``progress(done, total)`` as runs finish.
    """
    from climatevis import energyplus

    total = len(models)
    cases = [(m, epw_bytes) for m in models if not isinstance(m, Exception)]
    where = [k for k, m in enumerate(models) if not isinstance(m, Exception)]
    skipped = total - len(cases)
    if progress is not None and skipped:
        progress(skipped, total)
    relay = None if progress is None else (lambda done, _n, _r: progress(done + skipped, total))
    outcomes: list[Any] = list(models)
    if cases:
        ran = energyplus.run_many(cases, max_workers=max_workers, progress=relay, return_exceptions=True,
                                  **run_kwargs)
        for k, outcome in zip(where, ran, strict=True):
            outcomes[k] = outcome
    rows = []
    for outcome, area in zip(outcomes, floor_areas, strict=True):
        if isinstance(outcome, energyplus.SimulationResult):
            outcome.floor_area = area  # its summary() then has the per-m² figures too
            s = outcome.summary()
            rows.append({**{k: s[k] for k in RESULT_COLUMNS}, "runtime_s": outcome.runtime_s,
                         "cached": outcome.cached, "warnings": outcome.warnings, "error": ""})
        else:
            rows.append({"error": str(outcome)})
    return _result_frame(pd.DataFrame(index=range(total)), rows), outcomes


# --------------------------------------------------------------------------- comparison


def energyplus_hourly(result: Any, index: pd.DatetimeIndex) -> pd.DataFrame:
    """EnergyPlus hourly results on the weather file's time ``index`` (same length), else on
    the first ``len(result.hourly)`` hours of it."""
    hourly = result.hourly.copy()
    n = min(len(hourly), len(index))
    hourly = hourly.iloc[:n]
    hourly.index = index[:n]
    return hourly


def monthly_loads(hourly: pd.DataFrame) -> pd.DataFrame:
    """Monthly ``heating`` and ``cooling`` [kWh] of hourly mean powers [W] on a DatetimeIndex."""
    return hourly[["heating", "cooling"]].groupby(hourly.index.month).sum() / 1000.0


def compare_annual(ours: Mapping[str, float], energyplus: Mapping[str, float]) -> pd.DataFrame:
    """Annual heating and cooling [kWh] and peaks [kW] of both models and the deviation
    of the 5R1C model from EnergyPlus [%]."""
    rows = []
    for key, label in (("heating_kwh", "Heating [kWh]"), ("cooling_kwh", "Cooling [kWh]"),
                       ("peak_heating_kw", "Peak heating [kW]"), ("peak_cooling_kw", "Peak cooling [kW]")):
        a, e = float(ours[key]), float(energyplus[key])
        rows.append({"quantity": label, "5R1C": a, "EnergyPlus": e,
                     "deviation_pct": 100.0 * (a - e) / e if e else np.nan})
    return pd.DataFrame(rows)


def comparison_figure(monthly_5r1c: pd.DataFrame, monthly_eplus: pd.DataFrame, title: str | None = None):
    """Grouped monthly bars [kWh]: heating and cooling of both models."""
    import plotly.graph_objects as go

    from climatevis.charts import MONTHS, _layout

    fig = go.Figure()
    for frame, model, pattern in ((monthly_eplus, "EnergyPlus", ""), (monthly_5r1c, "5R1C", "/")):
        for col, color, sign in (("heating", "#e07a5f", 1.0), ("cooling", "#5fa8d3", -1.0)):
            fig.add_bar(x=[MONTHS[m - 1] for m in frame.index], y=sign * frame[col], name=f"{col} · {model}",
                        marker=dict(color=color, pattern_shape=pattern, line=dict(width=0)),
                        hovertemplate="%{x}: %{y:,.0f} kWh<extra>" + f"{col} · {model}" + "</extra>")
    fig.update_layout(barmode="group", yaxis_title="kWh (cooling negative)")
    return _layout(fig, title, 380)


def sweep_figure(table: pd.DataFrame, parameter: str, title: str | None = None):
    """Annual heating and cooling [kWh/m²] over the swept ``parameter``: EnergyPlus solid,
    5R1C dashed (``table`` has columns ``<quantity>_eplus`` and ``<quantity>_5r1c``)."""
    import plotly.graph_objects as go

    from climatevis.charts import _layout

    p = PARAMETERS[parameter]
    fig = go.Figure()
    for quantity, color in (("heating_kwh_m2", "#e07a5f"), ("cooling_kwh_m2", "#5fa8d3")):
        for suffix, dash, model in (("eplus", "solid", "EnergyPlus"), ("5r1c", "dash", "5R1C")):
            col = f"{quantity}_{suffix}"
            if col in table:
                fig.add_scatter(x=table[parameter], y=table[col], mode="lines+markers",
                                name=f"{quantity.split('_')[0]} · {model}", line=dict(color=color, dash=dash))
    # legend further down than the template's: the x axis has a title here
    fig.update_layout(xaxis_title=f"{p.label} [{p.unit}]", yaxis_title="kWh/(m²a)", legend_y=-0.28)
    return _layout(fig, title, 380)


def temperature_figure(hourly_5r1c: pd.DataFrame, hourly_eplus: pd.DataFrame, start: pd.Timestamp,
                       days: int = 7, title: str | None = None):
    """Indoor air temperature [°C] of both models and the outdoor air for ``days`` from ``start``."""
    import plotly.graph_objects as go

    from climatevis.charts import GOLD, _layout

    end = start + pd.Timedelta(days=days)
    a = hourly_5r1c.loc[(hourly_5r1c.index >= start) & (hourly_5r1c.index < end)]
    e = hourly_eplus.loc[(hourly_eplus.index >= start) & (hourly_eplus.index < end)]
    fig = go.Figure()
    fig.add_scatter(x=a.index, y=a["temp_out"], name="outdoor", line=dict(color="#9ca3af", width=1))
    fig.add_scatter(x=e.index, y=e["temp_air"], name="indoor · EnergyPlus", line=dict(color=GOLD))
    fig.add_scatter(x=a.index, y=a["temp_air"], name="indoor · 5R1C", line=dict(color="#5fa8d3", dash="dash"))
    fig.update_layout(yaxis_title="°C")
    return _layout(fig, title, 340)


def default_workers() -> int:
    """Processes to use: the CPUs this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # macOS, Windows
        return max(1, os.cpu_count() or 1)
