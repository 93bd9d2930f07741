"""The browser harness itself: a marimo app in headless Chromium reacts to input."""

from __future__ import annotations

import pytest

from tests.harness import ROOT, marimo_run, screenshot, wait_marimo_idle

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_climate_dashboard_renders_and_switches_station(page):
    with marimo_run(ROOT / "notebooks" / "demos" / "climate_dashboard.py") as url:
        page.goto(url)
        wait_marimo_idle(page, expect=".js-plotly-plot")
        text_before = page.inner_text("body")
        screenshot(page, "climate-dashboard-skeleton")
        assert "Climate dashboard" in text_before
        assert page.locator(".js-plotly-plot").count() >= 1
