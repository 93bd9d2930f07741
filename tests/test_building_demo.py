"""The building-energy demo: marimo checks, a native run, the export size and a real browser."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, shared_epw_paths
from tests.harness import marimo_run, screenshot, wait_marimo_idle

NOTEBOOK = ROOT / "notebooks" / "demos" / "building_energy.py"
MARIMO = [sys.executable, "-m", "marimo"]


@pytest.fixture(scope="session")
def weather_assets(tmp_path_factory):
    """Station assets for the demo: the repository's build/assets/weather, else made from the shared EPWs."""
    built = ROOT / "build" / "assets" / "weather"
    if (built / "index.json").exists():
        return built
    paths = shared_epw_paths()
    if not paths:
        pytest.skip("no weather assets (just assets) and no shared EPWs")
    from climatevis.assets import write_station_assets

    out = tmp_path_factory.mktemp("weather")
    write_station_assets(paths, out)
    return out


@pytest.mark.parametrize("select", [[], ["--select", "MW"]], ids=["strict", "MW"])
def test_marimo_check(select):
    out = subprocess.run([*MARIMO, "check", "--strict", *select, str(NOTEBOOK)], capture_output=True, text=True,
                         cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr


def test_notebook_runs_natively(weather_assets, monkeypatch):
    monkeypatch.setenv("CLIMATEVIS_ASSETS", str(weather_assets))
    spec = importlib.util.spec_from_file_location("building_energy_demo", NOTEBOOK)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    _outputs, defs = module.app.run()
    summary = defs["summary"]
    assert summary["heating_kwh_m2"] > 50  # the default preset: an uninsulated 1961-1980 house
    from climatevis import building as bd

    # the untouched preset is simulated exactly as the library preset
    direct = bd.simulate(bd.preset("at-sfh-1980"), defs["site"]).summary()
    assert summary["heating_kwh"] == pytest.approx(direct["heating_kwh"], rel=1e-9)
    assert defs["retrofit"].u_wall < defs["building"].u_wall


@pytest.mark.slow
def test_export_stays_under_500_kb(tmp_path):
    """The demo's own files (page + wheel + its data file) stay under 500 KB; marimo's shared
    ``assets/`` and the weather stations the build bundles are not counted here."""
    if shutil.which("uv") is None and not (Path(sys.executable).parent / "uv").exists():
        pytest.skip("marimo export html-wasm needs uv")
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    out = tmp_path / "export"
    run = subprocess.run([*MARIMO, "export", "html-wasm", str(NOTEBOOK), "-o", str(out), "--mode", "run"],
                         capture_output=True, text=True, cwd=ROOT, env=env, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    own = [p for p in out.rglob("*") if p.is_file() and "assets" not in p.relative_to(out).parts
           and p.name != "CLAUDE.md"]
    data = ROOT / "data" / "examples" / "building_reference.csv"
    total = sum(p.stat().st_size for p in own) + data.stat().st_size
    assert total < 500_000, f"{total:,} bytes"
    assert any(p.suffix == ".whl" for p in own)


@pytest.mark.slow
@pytest.mark.browser
def test_browser_more_insulation_less_heating(page, weather_assets):
    with marimo_run(NOTEBOOK, env={"CLIMATEVIS_ASSETS": str(weather_assets)}) as url:
        page.goto(url)
        wait_marimo_idle(page, expect="marimo-stat")
        stat = page.locator('marimo-stat[data-label*="Heating demand"]')

        def heating() -> float:
            value = json.loads(stat.get_attribute("data-value"))
            return float(re.sub(r"[^0-9.]", "", value.split("kWh")[0]))

        before = heating()
        page.get_by_text("Envelope", exact=True).click()
        slider = page.locator('marimo-slider[data-label*="Wall U-value"] [role=slider]')
        slider.focus()
        slider.press("Home")  # U 1.30 -> 0.10 W/(m²K): one input change, one rerun
        wait_marimo_idle(page, expect="marimo-stat")
        page.wait_for_function(
            """(before) => {
                const el = document.querySelector('marimo-stat[data-label*="Heating demand"]');
                return el && !JSON.parse(el.dataset.value).startsWith(before);
            }""",
            arg=f"{before:,.1f}",
            timeout=60_000,
        )
        after = heating()
        screenshot(page, "building-energy-insulated")
        assert after < before - 10, (before, after)
        assert page.locator(".js-plotly-plot").count() >= 4
