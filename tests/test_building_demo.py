"""The building-energy demo: a native run with the library's numbers, and a real browser.

marimo's checks (tests/test_lint.py) and the export's 500 KB rule (tests/test_export.py,
the doit size task) cover every demo alike."""

from __future__ import annotations

import importlib.util
import json
import re
import sys

import pytest

from tests.conftest import ROOT
from tests.harness import marimo_run, screenshot, wait_marimo_idle

NOTEBOOK = ROOT / "notebooks" / "demos" / "building_energy.py"
MARIMO = [sys.executable, "-m", "marimo"]


def test_notebook_runs_natively(demo_assets, monkeypatch):
    monkeypatch.setenv("CLIMATEVIS_ASSETS", str(demo_assets))
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
@pytest.mark.browser
def test_browser_more_insulation_less_heating(page, demo_assets):
    with marimo_run(NOTEBOOK, env={"CLIMATEVIS_ASSETS": str(demo_assets)}) as url:
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
