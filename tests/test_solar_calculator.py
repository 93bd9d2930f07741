"""The solar calculator demo in headless Chromium: moving the tilt slider changes the yield."""

from __future__ import annotations

import re

import pytest

from tests.harness import ROOT, marimo_run, screenshot, wait_marimo_idle

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NOTEBOOK = ROOT / "notebooks" / "demos" / "solar_calculator.py"


def deep_text(page) -> str:
    """All text of the page, including marimo's shadow-DOM outputs."""
    return page.evaluate(
        """() => { const out = []; const walk = (n) => { if (n.shadowRoot) walk(n.shadowRoot);
          for (const c of n.childNodes) { if (c.nodeType === 3) out.push(c.textContent); else walk(c); } };
          walk(document.body); return out.join("\\n"); }"""
    )


def annual_yield(page) -> str:
    text = deep_text(page)
    match = re.search(r"Annual yield\s+([\d,.]+ [kMG]Wh)", text)
    assert match, text[:2000]
    return match.group(1)


def test_tilt_slider_changes_annual_yield(page, demo_assets):
    with marimo_run(NOTEBOOK, env={"CLIMATEVIS_ASSETS": str(demo_assets)}) as url:
        page.goto(url)
        wait_marimo_idle(page, expect=".js-plotly-plot", timeout=180)
        screenshot(page, "solar-calculator")
        assert "Traceback" not in deep_text(page)
        before = annual_yield(page)
        tilt = page.locator("[role=slider]").first
        assert tilt.get_attribute("aria-valuenow") == "30"
        tilt.focus()
        for _ in range(6):  # 30° -> 60°
            page.keyboard.press("ArrowRight")
        page.wait_for_timeout(500)
        wait_marimo_idle(page, timeout=180)
        assert tilt.get_attribute("aria-valuenow") == "60"
        after = annual_yield(page)
        assert after != before, (before, after)
        # a 60° roof in central Europe yields less than a 30° one
        number = lambda s: float(s.split()[0].replace(",", ""))  # noqa: E731
        assert number(after) < number(before)
        screenshot(page, "solar-calculator-tilt-60")
