"""The climate dashboard notebook: runs natively with every tab and every shared station
(also leap-year, sub-hourly, IP units and a bad upload), and reacts in a real browser.

marimo's checks (tests/test_lint.py), the native export and the WebAssembly export within
the 500 KB rule (tests/test_export.py) are checked for every demo alike."""

from __future__ import annotations

import contextlib
import re
import sys
import types

import plotly.graph_objects as go
import pytest

from climatevis.epw import read_epw
from tests.harness import ROOT, marimo_run, screenshot
from tests.test_climate import leap_year_epw, subhourly_epw

NOTEBOOK = ROOT / "notebooks" / "demos" / "climate_dashboard.py"
TABS = ("Summary", "Temperature & humidity", "Sun & radiation", "Wind", "Psychrometric chart",
        "Comfort", "Natural ventilation", "Data explorer", "Compare")
MARIMO = [sys.executable, "-m", "marimo"]


def slug(tab: str) -> str:
    return re.sub(r"[^a-z]+", "-", tab.lower()).strip("-")


@contextlib.contextmanager
def validating_figures():
    """Render plotly figures inside layouts by validating them (instead of the script-mode
    fallback, plotly's to_html with 3.5 MB of plotly.js); yields the list of figures."""
    from marimo._output import formatting

    seen: list[go.Figure] = []
    saved = dict(formatting.FORMATTERS.formatters)

    def check(fig: go.Figure) -> tuple[str, str]:
        go.Figure(fig.to_dict())  # every property valid
        seen.append(fig)
        return ("text/html", "<div></div>")

    formatting.FORMATTERS.add_formatter(go.Figure, check)
    try:
        yield seen
    finally:
        formatting.FORMATTERS.formatters.clear()
        formatting.FORMATTERS.formatters.update(saved)


@pytest.fixture(scope="module")
def dashboard(demo_assets):
    sys.path.insert(0, str(NOTEBOOK.parent))
    try:
        import climate_dashboard
    finally:
        sys.path.remove(str(NOTEBOOK.parent))
    return climate_dashboard.app


def run_all_tabs(app, **defs) -> tuple[list, dict, list[go.Figure]]:
    with validating_figures() as figures:
        outputs, namespace = app.run(defs={"shown": set(TABS), **defs})
        for out in outputs:
            if isinstance(out, go.Figure):
                go.Figure(out.to_dict())
                figures.append(out)
    return list(outputs), dict(namespace), figures


def test_station_name_is_readable(vienna_epw):
    from climatevis import climate_views

    assert climate_views.station_name(read_epw(vienna_epw)) == "Vienna Schwechat"  # "VIENNA_ SCHWECHAT"


# --------------------------------------------------------------------------- native runs


def test_every_tab_runs_with_every_shared_station(dashboard, shared_epws):
    for path in shared_epws:
        weather = read_epw(path)
        _, ns, figures = run_all_tabs(dashboard, weather=weather, load_error=None)
        assert len(figures) >= 30, path.name
        assert ns["frame"].shape[0] == 8760
        assert ns["key_figures"]["koppen"]["code"]
        assert ns["weather_b"] is not None and ns["frame_b"] is not None  # the Compare tab ran


@pytest.mark.parametrize("variant", ["leap", "subhourly"])
def test_every_tab_runs_with_leap_and_subhourly_files(dashboard, vienna_epw, variant):
    raw = leap_year_epw(vienna_epw) if variant == "leap" else subhourly_epw(vienna_epw)
    weather = read_epw(raw)
    _, ns, figures = run_all_tabs(dashboard, weather=weather, load_error=None)
    assert len(ns["frame"]) == (8784 if variant == "leap" else 35040)
    heatmaps = [f for f in figures if f.data and f.data[0].type == "heatmap" and f.data[0].z.shape[0] == 24]
    assert heatmaps and all(f.data[0].z.shape[1] == (366 if variant == "leap" else 365) for f in heatmaps)


def test_ip_units_switch(dashboard, vienna_epw):
    weather = read_epw(vienna_epw)
    _, ns, figures = run_all_tabs(dashboard, weather=weather, load_error=None, system="IP")
    assert ns["view"]["temp_air"].max() > 80  # °F
    titles = " ".join(str(f.layout.yaxis.title.text) for f in figures if f.layout.yaxis.title.text)
    assert "°F" in titles and "°C" not in titles


def test_bad_upload_shows_a_clear_message_and_keeps_a_station(dashboard):
    _, first, _ = run_all_tabs(dashboard)
    upload = types.SimpleNamespace(value=[1], contents=lambda: b"<html>Not Found</html>\n",
                                   name=lambda: "download.epw")
    with validating_figures():
        outputs, ns = dashboard.run(defs={"shown": {"Summary"}, "upload": upload,
                                          "station_picker": first["station_picker"],
                                          "unit_system": first["unit_system"]})
    assert ns["load_error"].startswith("download.epw: line 1")
    assert "not an EPW file" in ns["load_error"] and "HTML" in ns["load_error"]
    assert ns["weather"] is not None  # the bundled station is shown instead
    rendered = " ".join(getattr(o, "text", "") for o in outputs if o is not None)
    assert "Upload rejected" in rendered
    assert "Not Found" in rendered and "<html>Not Found" not in rendered  # the file's text is escaped


def test_explorer_download_holds_exactly_the_filtered_records(dashboard, vienna_epw):
    weather = read_epw(vienna_epw)
    stub = types.SimpleNamespace
    _, ns, _ = run_all_tabs(dashboard, weather=weather, load_error=None)
    _, ns2, _ = run_all_tabs(dashboard, weather=weather, load_error=None,
                             explorer_months=stub(value=[6, 8]), explorer_hours=stub(value=[10, 14]),
                             explorer_variable=ns["explorer_variable"], explorer_x=ns["explorer_x"],
                             explorer_y=ns["explorer_y"], explorer_color=ns["explorer_color"],
                             explorer_filter_variable=ns["explorer_filter_variable"],
                             explorer_filter_min=ns["explorer_filter_min"],
                             explorer_filter_max=ns["explorer_filter_max"])
    selected = ns2["explorer_selected"]
    assert selected.sum() == (30 + 31 + 31) * 5
    frame = ns2["frame"]
    assert set(frame.loc[selected, "month"]) == {6, 7, 8}
    assert set(frame.loc[selected, "hour"]) == {10, 11, 12, 13, 14}
    import io

    import pandas as pd

    from climatevis import climate, climate_views

    ip_view = climate.convert_frame(frame, "IP")
    csv = pd.read_csv(io.BytesIO(climate_views.explorer_csv(ip_view, selected, "IP")))
    assert len(csv) == selected.sum()
    assert "temp_air [°F]" in csv.columns and "humidity_ratio [gr/lb]" in csv.columns
    assert csv["temp_air [°F]"].to_numpy() == pytest.approx(frame.loc[selected, "temp_air"].to_numpy() * 1.8 + 32)


# --------------------------------------------------------------------------- browser

def settle(page, timeout: float = 120.0) -> None:
    """Wait until the number of rendered plots stops changing and marimo shows no error."""
    deadline = timeout * 1000
    waited, last, stable = 0, -1, 0
    while waited < deadline:
        n = page.locator(".js-plotly-plot").count()
        stable = stable + 1 if n == last else 0
        last = n
        if stable >= 4:
            break
        page.wait_for_timeout(500)
        waited += 500
    body = page.inner_text("body")
    assert "An internal error occurred" not in body and "Traceback" not in body


def plot_titles(page) -> list[str]:
    return page.locator(".js-plotly-plot .gtitle").evaluate_all("els => els.map(e => e.textContent)")


def plots_fingerprint(page) -> str:
    """A digest of what the plots draw (their SVG)."""
    import hashlib

    # locators pierce marimo's shadow roots, document.querySelectorAll would not
    svg = page.locator(".js-plotly-plot .main-svg").evaluate_all("els => els.map(e => e.innerHTML).join('|')")
    assert svg, "no plot rendered"
    return hashlib.sha256(svg.encode()).hexdigest()


@pytest.mark.browser
@pytest.mark.slow
def test_dashboard_in_the_browser_switches_station_and_tab(page, demo_assets):
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.set_viewport_size({"width": 1280, "height": 3200})
    with marimo_run(NOTEBOOK) as url:
        page.goto(url)
        page.wait_for_selector(".js-plotly-plot", timeout=180_000)
        settle(page)
        header_before = page.locator("text=WMO").first.inner_text()
        data_before = plots_fingerprint(page)

        # another station: the location line and the figures change
        select = page.locator("select").first
        options = select.locator("option").all_inner_texts()
        current = select.evaluate("s => s.options[s.selectedIndex].text")
        other = next(o for o in options if o != current)
        select.select_option(label=other)
        page.wait_for_function("(before) => !document.body.innerText.includes(before)", arg=header_before,
                               timeout=120_000)
        settle(page)
        assert page.locator("text=WMO").first.inner_text() != header_before
        assert plots_fingerprint(page) != data_before

        # every tab: its own figures, and a screenshot
        seen_titles: dict[str, tuple[str, ...]] = {}
        for tab in TABS:
            page.get_by_role("tab", name=tab, exact=True).click()
            heading = "Compare" if tab == "Compare" else tab
            page.locator("h2", has_text=heading).first.wait_for(timeout=120_000)
            settle(page)
            titles = tuple(plot_titles(page))
            assert page.locator(".js-plotly-plot").count() >= 1, tab
            seen_titles[tab] = titles
            screenshot(page, f"climate-{slug(tab)}")
        assert len(set(seen_titles.values())) == len(TABS), seen_titles  # each tab shows different figures

        # SI -> IP: the summary shows °F
        page.get_by_role("tab", name="Summary", exact=True).click()
        settle(page)
        page.get_by_role("radio", name="IP").check()
        page.get_by_text("°F").first.wait_for(timeout=120_000)
        settle(page)

        # a file that is not an EPW: a clear message, and the station stays
        page.locator("input[type=file]").first.set_input_files(
            files=[{"name": "not-a-weather-file.epw", "mimeType": "text/plain",
                    "buffer": b"<html><body>404 Not Found</body></html>\n"}])
        page.get_by_text("Upload rejected").first.wait_for(timeout=120_000)
        message = page.get_by_text("not-a-weather-file.epw: line 1").first.inner_text()
        assert "not an EPW file" in message and "<html><body>404 Not Found" in message  # shown as text
        assert page.locator("text=WMO").count() >= 1
        screenshot(page, "climate-upload-error")
    assert not errors, errors
