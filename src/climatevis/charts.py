"""CES-branded plotly figures.

Every builder is a pure function of data and options that returns a
``plotly.graph_objects.Figure`` using the one CES template: black background,
gold accents, light-grey text with WCAG-AA contrast, one font stack, margins
and legends that still work on a 360 px wide phone screen.

Speed: plotly validates every property it is given and deep-copies templates,
which costs 20-60 ms per figure. The builders here assemble plain dicts and
wrap them with ``go.Figure(..., _validate=False)`` (:func:`_figure`), about
50x faster; the test suite re-validates every figure they return
(``go.Figure(fig.to_dict())``), so a typo cannot slip through.

Builders take values already in the unit system to show (see
:func:`climatevis.climate.to_unit_system`) and the unit as a label, except the
psychrometric chart, which draws its own property lines and takes ``system``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from climatevis.epw import MONTH_NAMES as MONTHS
from climatevis.epw import nominal_day

__all__ = [
    "CES_COLORWAY",
    "CES_DIVERGING",
    "CES_SEQUENTIAL",
    "GOLD",
    "TEMPLATE_NAME",
    "UTCI_COLORS",
    "adaptive_comfort_scatter",
    "cash_flow",
    "ces_template",
    "climate_profiles",
    "cloud_cover",
    "comfort_hours_bars",
    "compass",
    "daily_range",
    "degree_days_bars",
    "diurnal_profiles",
    "heatmap",
    "html_table",
    "monthly_bars",
    "orientation_map",
    "psychrometric_chart",
    "scatter",
    "stacked_monthly",
    "sun_path",
    "utci_categories_monthly",
    "utci_heatmap",
    "waterfall",
    "wind_rose",
]

BLACK = "#000000"
PANEL = "#0d0d0d"
GOLD = "#d4a72c"
GOLD_LIGHT = "#f0cf6b"
TEXT = "#e8e6e1"      # contrast 16:1 on black
MUTED = "#a7a39a"     # contrast 8:1 on black
GRID = "#2b2b2b"
FONT = "Inter, 'Helvetica Neue', Arial, sans-serif"

#: Categorical colours: gold first, then hues that stay distinct on black.
CES_COLORWAY = [GOLD, "#5fa8d3", "#e07a5f", "#81b29a", "#c084fc", GOLD_LIGHT, "#f2f2f2", "#9ca3af"]
#: Sequential scale for magnitudes (dark blue → gold → pale yellow).
CES_SEQUENTIAL = [
    [0.0, "#0b1d3a"], [0.25, "#27408b"], [0.5, "#7b5ea7"], [0.75, GOLD], [1.0, "#fff3c4"],
]
#: Diverging scale for quantities around a reference (cold blue ↔ neutral ↔ hot red/gold).
CES_DIVERGING = [
    [0.0, "#1d4e89"], [0.35, "#5fa8d3"], [0.5, "#f2f2f2"], [0.65, GOLD], [1.0, "#b3261e"],
]
TEMPLATE_NAME = "ces"


def ces_template() -> go.layout.Template:
    """The CES plotly template (also registered as ``pio.templates['ces']``)."""
    axis = dict(
        gridcolor=GRID, zerolinecolor=GRID, linecolor=MUTED, tickcolor=MUTED,
        tickfont=dict(color=MUTED, size=12), title=dict(font=dict(color=TEXT, size=13)),
        automargin=True,
    )
    template = go.layout.Template(
        layout=dict(
            paper_bgcolor=BLACK,
            plot_bgcolor=PANEL,
            font=dict(family=FONT, color=TEXT, size=13),
            title=dict(font=dict(color=GOLD, size=17), x=0.0, xanchor="left"),
            colorway=CES_COLORWAY,
            colorscale=dict(sequential=CES_SEQUENTIAL, diverging=CES_DIVERGING),
            xaxis=axis,
            yaxis=axis,
            polar=dict(
                bgcolor=PANEL,
                angularaxis=dict(gridcolor=GRID, linecolor=MUTED, tickfont=dict(color=MUTED)),
                radialaxis=dict(gridcolor=GRID, linecolor=MUTED, tickfont=dict(color=MUTED)),
            ),
            legend=dict(
                bgcolor="rgba(0,0,0,0)", font=dict(color=TEXT, size=12),
                orientation="h", yanchor="top", y=-0.15, xanchor="left", x=0.0,
            ),
            hoverlabel=dict(bgcolor="#1a1a1a", bordercolor=GOLD, font=dict(color=TEXT)),
            margin=dict(l=48, r=16, t=56, b=48),
            coloraxis=dict(colorbar=dict(outlinewidth=0, tickfont=dict(color=MUTED))),
        ),
    )
    template.data.bar = [go.Bar(marker=dict(color=GOLD, line=dict(width=0)))]
    template.data.heatmap = [go.Heatmap(colorscale=CES_SEQUENTIAL)]
    return template


pio.templates[TEMPLATE_NAME] = ces_template()


def _layout(fig: go.Figure, title: str | None, height: int | None = None) -> go.Figure:
    fig.update_layout(template=TEMPLATE_NAME, title=title, height=height)
    return fig


# --------------------------------------------------------------------------- fast figures

_TEMPLATE_DICT = pio.templates[TEMPLATE_NAME].to_plotly_json()
BLUE, RED, GREEN, GREY = "#5fa8d3", "#e05545", "#81b29a", "#6b6b6b"
#: UTCI stress categories, extreme cold ... extreme heat (Bröde et al. 2012's ten classes).
UTCI_COLORS = ("#08306b", "#1d4e89", "#2f6db5", "#5fa8d3", "#a6d4ec", "#81b29a",
               "#f2c14e", "#e07a2f", "#c2361f", "#7a0d0d")
#: Wind-speed classes, light to strong.
WIND_COLORS = ("#27408b", "#3f6fb5", "#5fa8d3", "#81b29a", GOLD, "#e07a2f", "#e05545", "#b3261e",
               "#fff3c4", "#ffffff")
#: Compass directions [deg, clockwise from north] and their names, for angular axes.
COMPASS = {0: "N", 45: "NE", 90: "E", 135: "SE", 180: "S", 225: "SW", 270: "W", 315: "NW"}


def _figure(data: list[dict], layout: dict | None = None, title: str | None = None,
            height: int | None = None) -> go.Figure:
    """A figure from plain dicts with the CES template, skipping plotly's (slow) validation."""
    lay = {"template": _TEMPLATE_DICT, "dragmode": "zoom", **(layout or {})}
    if title is not None:
        lay["title"] = {"text": title}
    if height is not None:
        lay["height"] = height
    return go.Figure(data=data, layout=lay, _validate=False)


def _month_axis(leap: bool = False, title: str | None = None) -> dict:
    """A day-of-year x axis (1 = 1 January) labelled with month names at month centres."""
    start = nominal_day(np.arange(1, 13), 1, leap)[0]
    return {"tickvals": (start + 15).tolist(), "ticktext": list(MONTHS), "range": [1, 366 + leap],
            "title": {"text": title} if title else None, "showgrid": False}


def _stepped_scale(colors: list[str] | tuple[str, ...], n: int) -> list[list]:
    """A colour scale of ``n`` flat steps (category k between k/n and (k+1)/n)."""
    scale = []
    for k in range(n):
        scale += [[k / n, colors[k % len(colors)]], [(k + 1) / n, colors[k % len(colors)]]]
    return scale


def _day_hour_layout(leap: bool) -> dict:
    """Axes of a day-of-year × hour-of-day heat map."""
    return {"xaxis": _month_axis(leap), "yaxis": {"title": {"text": "hour"}, "tickvals": [0, 6, 12, 18, 23]}}


def _day_hour_grid(series: pd.Series) -> tuple[np.ndarray, bool]:
    """(24, days) means of a series by hour of day and day of a nominal year."""
    if not isinstance(series.index, pd.DatetimeIndex):
        raise TypeError("heatmap: series needs a DatetimeIndex")
    doy, leap = nominal_day(series.index.month.to_numpy(), series.index.day.to_numpy())
    n_days = 366 if leap else 365
    hour = series.index.hour.to_numpy()
    key = hour * n_days + (doy - 1)
    values = series.to_numpy(dtype=float)
    ok = np.isfinite(values)
    sums = np.bincount(key[ok], weights=values[ok], minlength=24 * n_days)
    counts = np.bincount(key[ok], minlength=24 * n_days)
    with np.errstate(invalid="ignore", divide="ignore"):
        grid = np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)
    return grid.reshape(24, n_days), leap


def heatmap(
    series: pd.Series,
    *,
    title: str | None = None,
    unit: str = "",
    colorscale: list | str | None = None,
    zmin: float | None = None,
    zmax: float | None = None,
    height: int = 380,
) -> go.Figure:
    """Annual heat map: day of year (x) × hour of day (y) of an hourly or sub-hourly series.

    Sub-hourly data are averaged to hours; leap years give 366 columns. The
    x axis shows dates of a nominal year so that TMY files (mixed years) read
    as one calendar. NaN (e.g. records filtered out) stays blank.
    """
    grid, leap = _day_hour_grid(series)
    trace = {
        "type": "heatmap", "x": np.arange(1, grid.shape[1] + 1), "y": np.arange(24), "z": grid,
        "colorscale": colorscale or CES_SEQUENTIAL, "zmin": zmin, "zmax": zmax,
        "colorbar": {"title": {"text": unit}, "thickness": 12},
        "hovertemplate": "day %{x}, %{y}:00<br>%{z:.1f} " + unit + "<extra></extra>",
        "hoverongaps": False,
    }
    return _figure([trace], _day_hour_layout(leap), title, height)


def utci_heatmap(
    series: pd.Series, category_names: list[str], edges: list[float],
    *, title: str | None = None, unit: str = "°C", height: int = 380,
) -> go.Figure:
    """Heat map of the UTCI stress category of each day and hour (10 colours), the
    UTCI value in the hover. ``edges``: the 9 inner category limits in ``unit``."""
    grid, leap = _day_hour_grid(series)
    with np.errstate(invalid="ignore"):
        codes = np.searchsorted(np.asarray(edges, float), grid, side="left").astype(float)
    codes[np.isnan(grid)] = np.nan
    n = len(category_names)
    trace = {
        "type": "heatmap", "x": np.arange(1, grid.shape[1] + 1), "y": np.arange(24), "z": codes,
        "customdata": grid, "zmin": -0.5, "zmax": n - 0.5, "colorscale": _stepped_scale(UTCI_COLORS, n),
        "colorbar": {"tickvals": list(range(n)), "ticktext": list(category_names), "thickness": 12,
                     "tickfont": {"size": 10}},
        "hovertemplate": "day %{x}, %{y}:00<br>UTCI %{customdata:.1f} " + unit + "<extra></extra>",
        "hoverongaps": False,
    }
    return _figure([trace], _day_hour_layout(leap), title, height)


def daily_range(
    daily: pd.DataFrame,
    *,
    bands: list[tuple[str, np.ndarray, np.ndarray]] | None = None,
    title: str | None = None,
    unit: str = "",
    y_range: tuple[float, float] | None = None,
    height: int = 380,
) -> go.Figure:
    """Daily range of a variable over the year: a bar from each day's minimum to its
    maximum, the daily mean as a line, and optional comfort ``bands``
    ``(name, lower, upper)`` (one value per day) drawn behind as shaded areas.
    ``daily`` has columns ``month``, ``day``, ``min``, ``mean``, ``max``
    (:func:`climatevis.climate.daily_statistics`)."""
    x, leap = nominal_day(daily["month"].to_numpy(), daily["day"].to_numpy())
    data: list[dict] = []
    shades = ("rgba(129,178,154,0.22)", "rgba(129,178,154,0.38)", "rgba(129,178,154,0.55)")
    for k, (name, lower, upper) in enumerate(bands or []):
        data.append({"type": "scatter", "x": x, "y": lower, "mode": "lines", "line": {"width": 0},
                     "showlegend": False, "hoverinfo": "skip", "legendgroup": name})
        data.append({"type": "scatter", "x": x, "y": upper, "mode": "lines", "line": {"width": 0},
                     "fill": "tonexty", "fillcolor": shades[k % 3], "name": name, "legendgroup": name,
                     "hoverinfo": "skip"})
    lo = daily["min"].to_numpy()
    hi = daily["max"].to_numpy()
    data.append({"type": "bar", "x": x, "y": hi - lo, "base": lo, "name": "daily range",
                 "marker": {"color": "rgba(212,167,44,0.55)"}, "customdata": np.c_[lo, hi],
                 "hovertemplate": "day %{x}: %{customdata[0]:.1f} to %{customdata[1]:.1f} " + unit
                 + "<extra></extra>"})
    data.append({"type": "scatter", "x": x, "y": daily["mean"].to_numpy(), "mode": "lines",
                 "name": "daily mean", "line": {"color": GOLD_LIGHT, "width": 1.5},
                 "hovertemplate": "mean %{y:.1f} " + unit + "<extra></extra>"})
    layout = {"xaxis": _month_axis(leap), "bargap": 0,
              "yaxis": {"title": {"text": unit}, "range": list(y_range) if y_range else None}}
    return _figure(data, layout, title, height)


def _segments(grid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(12, 24) month x hour values as one line: 12 segments of 24 hours with gaps."""
    x = (np.arange(12)[:, None] * 25 + np.arange(25)[None, :]).astype(float)
    y = np.concatenate([grid, np.full((12, 1), np.nan)], axis=1)
    x[:, 24] = np.nan
    return x.ravel(), y.ravel()


def diurnal_profiles(
    profiles: dict[str, dict[str, np.ndarray]],
    *,
    title: str | None = None,
    unit: str = "",
    y_range: tuple[float, float] | None = None,
    height: int = 360,
) -> go.Figure:
    """The average day of each month, months side by side: per named series the mean
    (line) and the band between its ``"q0"`` and ``"q1"`` arrays (minimum and maximum,
    shaded). Each array has shape (12, 24) (:func:`climatevis.climate.diurnal_profile`)."""
    data: list[dict] = []
    for k, (name, prof) in enumerate(profiles.items()):
        color = CES_COLORWAY[k % len(CES_COLORWAY)]
        x, y = _segments(prof["mean"])
        if "q0" in prof and "q1" in prof:
            # one closed band per month (a filled area would bridge the gaps between months)
            hours = np.arange(12)[:, None] * 25 + np.arange(24)[None, :]
            band_x = np.concatenate([hours, hours[:, ::-1], np.full((12, 1), np.nan)], axis=1).ravel()
            band_y = np.concatenate([prof["q0"], prof["q1"][:, ::-1], np.full((12, 1), np.nan)], axis=1).ravel()
            data.append({"type": "scatter", "x": band_x, "y": band_y, "mode": "lines", "line": {"width": 0},
                         "fill": "toself", "fillcolor": _rgba(color, 0.25), "showlegend": False,
                         "hoverinfo": "skip", "legendgroup": name})
        data.append({"type": "scatter", "x": x, "y": y, "mode": "lines", "name": name,
                     "line": {"color": color, "width": 2}, "legendgroup": name,
                     "hovertemplate": name + " %{y:.1f} " + unit + "<extra></extra>"})
    layout = {
        "xaxis": {"tickvals": (np.arange(12) * 25 + 12).tolist(), "ticktext": list(MONTHS),
                  "showgrid": False, "range": [-1, 300]},
        "yaxis": {"title": {"text": unit}, "range": list(y_range) if y_range else None},
        "showlegend": len(profiles) > 1,
    }
    return _figure(data, layout, title, height)


def _rgba(hex_color: str, alpha: float) -> str:
    r, g, b = (int(hex_color[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def climate_profiles(
    columns: list[tuple[str, np.ndarray, str]], *, title: str | None = None, height: int = 360,
) -> go.Figure:
    """Violin plots ("climate profile") of several variables side by side:
    ``(label, values, unit)`` each, every one on its own y axis."""
    n = len(columns)
    data, layout = [], {"showlegend": False}
    gap = 0.06
    width = (1 - gap * (n - 1)) / n
    for k, (label, values, unit) in enumerate(columns):
        suffix = "" if k == 0 else str(k + 1)
        v = np.asarray(values, float)
        data.append({"type": "violin", "y": v[np.isfinite(v)], "name": label,
                     "xaxis": f"x{suffix}", "yaxis": f"y{suffix}", "points": False,
                     "box": {"visible": True}, "meanline": {"visible": True},
                     "line": {"color": CES_COLORWAY[k % len(CES_COLORWAY)]},
                     "fillcolor": _rgba(CES_COLORWAY[k % len(CES_COLORWAY)], 0.35),
                     "hoverinfo": "y"})
        layout[f"xaxis{suffix}"] = {"domain": [k * (width + gap), k * (width + gap) + width],
                                    "showticklabels": True, "tickfont": {"size": 11}}
        layout[f"yaxis{suffix}"] = {"anchor": f"x{suffix}", "title": {"text": unit}}
    return _figure(data, layout, title, height)


def _lines_with_gaps(frame: pd.DataFrame, key: str, x: str, y: str) -> tuple[np.ndarray, np.ndarray]:
    """All lines of a long table (one line per ``key``, rows in order) as one trace with gaps."""
    k = frame[key].to_numpy()
    breaks = np.flatnonzero(k[1:] != k[:-1]) + 1
    return (np.insert(frame[x].to_numpy(dtype=float), breaks, np.nan),
            np.insert(frame[y].to_numpy(dtype=float), breaks, np.nan))


def _split_wrapped(az: np.ndarray, el: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Break a line where the azimuth jumps across north (cartesian sun path)."""
    jump = np.abs(np.diff(az)) > 180
    idx = np.flatnonzero(jump) + 1
    return np.insert(az, idx, np.nan), np.insert(el, idx, np.nan)


def sun_path(
    paths: dict[str, pd.DataFrame],
    *,
    overlay: tuple[np.ndarray, np.ndarray, np.ndarray, str, str] | None = None,
    kind: str = "polar",
    title: str | None = None,
    height: int = 460,
) -> go.Figure:
    """Sun-path diagram with day lines (21st of each month) and hour lines (analemmas).

    ``paths`` from :func:`climatevis.climate.sun_path`. ``overlay`` = (azimuth,
    elevation, values, label, unit) of the records with the sun up, drawn as
    dots coloured by ``values``. ``kind``: ``"polar"`` (view from above, north
    up, the horizon as the outer circle) or ``"cartesian"`` (azimuth × elevation).
    """
    if kind not in ("polar", "cartesian"):
        raise ValueError(f"sun_path: kind must be 'polar' or 'cartesian', got {kind!r}")
    days, hours = paths["days"], paths["hours"]
    data: list[dict] = []

    def line(az: np.ndarray, el: np.ndarray, name: str, color: str, width: float, dash: str) -> dict:
        if kind == "polar":
            return {"type": "scatterpolar", "theta": az, "r": 90 - el, "mode": "lines", "name": name,
                    "line": {"color": color, "width": width, "dash": dash}, "hoverinfo": "skip"}
        az, el = _split_wrapped(az, el)
        return {"type": "scatter", "x": az, "y": el, "mode": "lines", "name": name,
                "line": {"color": color, "width": width, "dash": dash}, "hoverinfo": "skip"}

    az, el = _lines_with_gaps(hours, "hour", "azimuth", "elevation")
    data.append(line(az, el, "hour lines", MUTED, 1, "dot"))
    az, el = _lines_with_gaps(days, "month", "azimuth", "elevation")
    data.append(line(az, el, "21st of each month", GOLD, 1.5, "solid"))
    # label each hour line at its highest point
    tops = hours.loc[hours.groupby("hour")["elevation"].idxmax()]
    if kind == "polar":
        data.append({"type": "scatterpolar", "theta": tops["azimuth"], "r": 90 - tops["elevation"],
                     "mode": "text", "text": tops["hour"].astype(str), "textfont": {"color": MUTED, "size": 10},
                     "showlegend": False, "hoverinfo": "skip"})
    else:
        data.append({"type": "scatter", "x": tops["azimuth"], "y": tops["elevation"], "mode": "text",
                     "text": tops["hour"].astype(str), "textposition": "top center",
                     "textfont": {"color": MUTED, "size": 10}, "showlegend": False, "hoverinfo": "skip"})
    if overlay is not None:
        o_az, o_el, values, label, unit = overlay
        marker = {"color": values, "colorscale": CES_SEQUENTIAL, "size": 4, "opacity": 0.8,
                  "colorbar": {"title": {"text": unit}, "thickness": 12}}
        hover = label + " %{marker.color:.1f} " + unit + "<extra></extra>"
        if kind == "polar":
            data.append({"type": "scatterpolar", "theta": o_az, "r": 90 - np.asarray(o_el),
                         "mode": "markers", "marker": marker, "name": label, "hovertemplate": hover})
        else:
            data.append({"type": "scattergl", "x": o_az, "y": o_el, "mode": "markers", "marker": marker,
                         "name": label, "hovertemplate": hover})
    if kind == "polar":
        layout = {"polar": {
            "radialaxis": {"range": [0, 90], "tickvals": [30, 60], "ticktext": ["60°", "30°"], "angle": 90,
                           "tickangle": 90, "tickfont": {"size": 9}},
            "angularaxis": {"rotation": 90, "direction": "clockwise", "tickvals": list(COMPASS),
                            "ticktext": list(COMPASS.values())}}}
    else:
        layout = {"xaxis": {"title": {"text": "azimuth [°]"}, "range": [0, 360], "tickvals": list(range(0, 361, 45))},
                  "yaxis": {"title": {"text": "elevation [°]"}, "range": [0, 90]}}
    return _figure(data, layout, title, height)


def stacked_monthly(
    table: pd.DataFrame, colors: list[str] | tuple[str, ...], *, title: str | None = None,
    unit: str = "%", height: int = 340,
) -> go.Figure:
    """Stacked monthly bars: one row per month (12 rows, extra rows ignored), one colour per column."""
    rows = table.iloc[:12]
    data = [{"type": "bar", "x": list(MONTHS), "y": rows[col].to_numpy(), "name": str(col),
             "marker": {"color": colors[k % len(colors)]},
             "hovertemplate": str(col) + ": %{y:.1f} " + unit + "<extra></extra>"}
            for k, col in enumerate(rows.columns)]
    layout = {"barmode": "stack", "yaxis": {"title": {"text": unit}}, "bargap": 0.15}
    return _figure(data, layout, title, height)


def cloud_cover(table: pd.DataFrame, *, title: str | None = None, height: int = 320) -> go.Figure:
    """Monthly share of clear / intermediate / cloudy records (:func:`climatevis.climate.cloud_cover_monthly`)."""
    return stacked_monthly(table, ["#5fa8d3", "#a7a39a", "#4b4b4b"], title=title, height=height)


def comfort_hours_bars(table: pd.DataFrame, *, title: str | None = None, height: int = 340) -> go.Figure:
    """Monthly share of hours below / inside / above a comfort band (and where the model
    does not apply) (:func:`climatevis.climate.adaptive_comfort_hours`)."""
    cols = [c for c in ("below", "inside", "above", "not_applicable") if c in table]
    colors = {"below": BLUE, "inside": GREEN, "above": RED, "not_applicable": GREY}
    return stacked_monthly(table[cols], [colors[c] for c in cols], title=title, height=height)


def monthly_bars(
    values: dict[str, np.ndarray] | np.ndarray,
    *,
    lines: dict[str, np.ndarray] | None = None,
    title: str | None = None,
    unit: str = "kWh",
    stacked: bool = True,
    colors: list[str] | None = None,
    height: int = 340,
) -> go.Figure:
    """Twelve monthly values as bars (a dict: one series per key, stacked unless
    ``stacked=False``, in the CES colour order or ``colors``) and optional monthly
    ``lines`` drawn over them."""
    series = values if isinstance(values, dict) else {title or "": values}
    palette = colors or CES_COLORWAY
    data: list[dict] = [
        {"type": "bar", "x": list(MONTHS), "y": np.asarray(v, dtype=float), "name": name,
         "marker": {"color": palette[k % len(palette)]},
         "hovertemplate": "%{x}: %{y:,.0f} " + unit + "<extra>" + name + "</extra>"}
        for k, (name, v) in enumerate(series.items())
    ]
    for name, v in (lines or {}).items():
        data.append({"type": "scatter", "x": list(MONTHS), "y": np.asarray(v, dtype=float), "name": name,
                     "mode": "lines+markers", "line": {"color": TEXT, "width": 2}, "marker": {"size": 6, "color": TEXT},
                     "hovertemplate": "%{x}: %{y:,.0f} " + unit + "<extra>" + name + "</extra>"})
    layout = {"barmode": "stack" if stacked else "group", "showlegend": len(series) + len(lines or {}) > 1,
              "yaxis": {"title": {"text": unit}, "rangemode": "tozero"}}
    return _figure(data, layout, title, height)


def degree_days_bars(
    heating: np.ndarray, cooling: np.ndarray, *, unit: str = "K·d", title: str | None = None,
    height: int = 320,
) -> go.Figure:
    """Monthly heating (blue) and cooling (red) degree days."""
    return monthly_bars({"heating degree days": heating, "cooling degree days": cooling},
                        title=title, unit=unit, stacked=False, colors=[BLUE, RED], height=height)


def _legend_colorbar(labels: list[str], colors: list[str] | tuple[str, ...], title: str) -> dict:
    """A stepped colour scale and a colour bar that serves as the legend of categories
    (one trace can then draw every category)."""
    n = len(labels)
    return {"colorscale": _stepped_scale(colors, n), "cmin": -0.5, "cmax": n - 0.5,
            "colorbar": {"tickvals": list(range(n)), "ticktext": labels, "thickness": 12,
                         "title": {"text": title}, "tickfont": {"size": 10}, "len": 0.9}}


def wind_rose(
    tables: pd.DataFrame | dict[str, pd.DataFrame], *, unit: str = "m/s",
    speed_labels: list[str] | None = None, title: str | None = None, height: int | None = None,
    r_max: float | None = None,
) -> go.Figure:
    """Wind rose(s): stacked bars per direction sector and speed class, in % of the records.

    ``tables`` from :func:`climatevis.climate.wind_rose` (one table, or a dict of
    titled tables drawn side by side, e.g. seasons); their ``attrs["calm"]`` is
    printed under each rose. ``speed_labels`` replaces the class names (e.g. in
    IP units); ``r_max`` fixes the radial range so that roses compare. Each
    rose is one trace (bars stacked through ``base``), the speed classes are
    explained by the colour bar.
    """
    named = {"": tables} if isinstance(tables, pd.DataFrame) else dict(tables)
    n = len(named)
    first = next(iter(named.values()))
    labels = speed_labels or [str(c) for c in first.columns]
    legend = _legend_colorbar(labels, WIND_COLORS, unit)
    data: list[dict] = []
    layout: dict[str, Any] = {"annotations": [], "showlegend": False}
    if r_max is None:
        r_max = max(float(t.sum(axis=1).max()) for t in named.values()) if named else 1.0
    gap = 0.08 if n > 1 else 0.0
    width = (0.9 - gap * (n - 1)) / n  # the colour bar takes the right edge
    for k, (name, table) in enumerate(named.items()):
        polar = "polar" if k == 0 else f"polar{k + 1}"
        freq = table.to_numpy(dtype=float)  # sectors x classes
        base = np.cumsum(freq, axis=1) - freq
        sectors, classes = freq.shape
        keep = freq.ravel() > 0
        theta = np.repeat(table.index.to_numpy(dtype=float), classes)[keep]
        cls = np.tile(np.arange(classes), sectors)[keep]
        data.append({
            "type": "barpolar", "subplot": polar, "r": freq.ravel()[keep], "base": base.ravel()[keep],
            "theta": theta, "width": 360.0 / sectors,
            "marker": {"color": cls, **legend, "showscale": k == 0, "line": {"width": 0}},
            "customdata": np.array(labels, dtype=object)[cls],
            "hovertemplate": "%{theta}°, %{customdata} " + unit + ": %{r:.1f} %<extra></extra>",
        })
        x0 = k * (width + gap)
        layout[polar] = {"domain": {"x": [x0, x0 + width], "y": [0.08, 0.92 if name else 1.0]},
                         "radialaxis": {"range": [0, r_max * 1.05], "ticksuffix": "%", "angle": 90,
                                        "tickfont": {"size": 9}},
                         "angularaxis": {"rotation": 90, "direction": "clockwise",
                                         "tickvals": [0, 90, 180, 270], "ticktext": ["N", "E", "S", "W"]}}
        calm = table.attrs.get("calm", float("nan"))
        layout["annotations"].append({"text": f"{name}<br>calm {calm:.1f} %" if name else f"calm {calm:.1f} %",
                                      "x": x0 + width / 2, "y": -0.02, "xref": "paper", "yref": "paper",
                                      "showarrow": False, "font": {"size": 11, "color": MUTED},
                                      "yanchor": "top"})
    layout["margin"] = {"l": 24, "r": 16, "t": 56, "b": 56}
    return _figure(data, layout, title, height or (420 if n == 1 else 340))


def utci_categories_monthly(
    table: pd.DataFrame, *, title: str | None = None, height: int = 340,
) -> go.Figure:
    """Monthly share [%] of the hours in each UTCI stress category, stacked (one trace;
    the colour bar names the categories). ``table`` from
    :func:`climatevis.climate.utci_category_shares` (12 rows, 10 columns)."""
    rows = table.iloc[:12]
    share = rows.to_numpy(dtype=float)
    share = np.nan_to_num(share)
    base = np.cumsum(share, axis=1) - share
    months, classes = share.shape
    keep = share.ravel() > 0
    cls = np.tile(np.arange(classes), months)[keep]
    names = [str(c) for c in rows.columns]
    trace = {"type": "bar", "x": np.repeat(np.arange(months), classes)[keep], "y": share.ravel()[keep],
             "base": base.ravel()[keep],
             "marker": {"color": cls, **_legend_colorbar(names, UTCI_COLORS, ""), "line": {"width": 0}},
             "customdata": np.array(names, dtype=object)[cls],
             "hovertemplate": "%{customdata}: %{y:.1f} %<extra></extra>"}
    layout = {"xaxis": {"tickvals": list(range(12)), "ticktext": list(MONTHS)},
              "yaxis": {"title": {"text": "%"}, "range": [0, 100]}, "bargap": 0.15, "showlegend": False}
    return _figure([trace], layout, title, height)


def psychrometric_chart(
    temp_air: np.ndarray,
    humidity_ratio: np.ndarray,
    lines: dict[str, Any],
    *,
    color: tuple[np.ndarray, str, str] | None = None,
    zones: list[dict[str, Any]] | None = None,
    records_per_hour: int = 1,
    density_max: float | None = None,
    title: str | None = None,
    height: int = 480,
) -> go.Figure:
    """Psychrometric chart: dry bulb (x) against humidity ratio (y), in the units of ``lines``.

    Without ``color`` the records are shown as hour density (hours per 1 x 1
    unit cell); with ``color = (values, label, unit)`` as dots coloured by a
    variable. ``lines`` from :func:`climatevis.climate.psychrometric_lines`
    (relative-humidity curves, units and axis ranges). ``zones``: comfort zones
    as dicts with ``name``, ``x``, ``y`` (a closed polygon) and ``color``.
    ``density_max`` fixes the top of the hour-density scale (to compare charts).
    """
    x_unit, y_unit = lines["x_unit"], lines["y_unit"]
    data: list[dict] = []
    x = np.asarray(temp_air, float)
    y = np.asarray(humidity_ratio, float)
    ok = np.isfinite(x) & np.isfinite(y)
    x_rng, y_rng = lines["x_range"], lines["y_range"]
    if color is None:
        xb = np.arange(np.floor(x_rng[0]), np.ceil(x_rng[1]) + 1, lines["x_step"])
        yb = np.arange(0, np.ceil(y_rng[1]) + 1, lines["y_step"])
        counts, _, _ = np.histogram2d(y[ok], x[ok], bins=[yb, xb])
        hours = counts / records_per_hour
        hours[hours == 0] = np.nan
        data.append({"type": "heatmap", "x": (xb[:-1] + xb[1:]) / 2, "y": (yb[:-1] + yb[1:]) / 2,
                     "z": hours, "colorscale": CES_SEQUENTIAL, "hoverongaps": False, "zmin": 0,
                     "zmax": density_max, "colorbar": {"title": {"text": "hours"}, "thickness": 12, "x": 1.1},
                     "hovertemplate": "%{x:.0f} " + x_unit + ", %{y:.0f} " + y_unit
                     + "<br>%{z:.0f} h<extra></extra>"})
    else:
        values, label, unit = color
        v = np.asarray(values, float)[ok]
        data.append({"type": "scattergl", "x": x[ok], "y": y[ok], "mode": "markers", "name": label,
                     "marker": {"color": v, "colorscale": CES_SEQUENTIAL, "size": 3, "opacity": 0.7,
                                "colorbar": {"title": {"text": unit}, "thickness": 12, "x": 1.1}},
                     "hovertemplate": "%{x:.1f} " + x_unit + ", %{y:.1f} " + y_unit + "<br>" + label
                     + " %{marker.color:.1f} " + unit + "<extra></extra>"})
    curves_x, curves_y, label_x, label_y, label_text = [], [], [], [], []
    for rh, (lx, ly) in lines["rh"].items():
        if rh < 100:
            curves_x += [lx, [np.nan]]
            curves_y += [ly, [np.nan]]
        at = int(np.searchsorted(ly, y_rng[1] * 0.97)) - 1 if rh < 100 else len(lx) - 1
        at = min(max(at, 0), len(lx) - 1)
        label_x.append(lx[at])
        label_y.append(ly[at])
        label_text.append(f"{rh} %")
    if curves_x:
        data.append({"type": "scatter", "x": np.concatenate(curves_x), "y": np.concatenate(curves_y),
                     "mode": "lines", "showlegend": False, "line": {"color": MUTED, "width": 0.7},
                     "hoverinfo": "skip"})
    if 100 in lines["rh"]:
        sx, sy = lines["rh"][100]
        data.append({"type": "scatter", "x": sx, "y": sy, "mode": "lines", "showlegend": False,
                     "line": {"color": TEXT, "width": 1.5}, "hoverinfo": "skip"})
    data.append({"type": "scatter", "x": label_x, "y": label_y, "mode": "text", "text": label_text,
                 "textposition": "top left", "showlegend": False, "textfont": {"color": MUTED, "size": 9},
                 "hoverinfo": "skip"})
    for k, zone in enumerate(zones or []):
        zc = zone.get("color", CES_COLORWAY[(k + 1) % len(CES_COLORWAY)])
        data.append({"type": "scatter", "x": zone["x"], "y": zone["y"], "mode": "lines", "name": zone["name"],
                     "fill": "toself", "fillcolor": _rgba(zc, 0.12), "line": {"color": zc, "width": 2},
                     "hoverinfo": "name"})
    layout = {"xaxis": {"title": {"text": f"dry-bulb temperature [{x_unit}]"}, "range": list(x_rng)},
              "yaxis": {"title": {"text": f"humidity ratio [{y_unit}]"}, "range": list(y_rng), "side": "right"},
              "margin": {"l": 16, "r": 16, "t": 56, "b": 48}, "legend": {"y": -0.22}}
    return _figure(data, layout, title, height)


def adaptive_comfort_scatter(
    doy: np.ndarray, hour: np.ndarray, temp: np.ndarray, lower: np.ndarray, upper: np.ndarray,
    *, unit: str = "°C", leap: bool = False, title: str | None = None, height: int = 380,
    band_name: str = "comfort band",
) -> go.Figure:
    """Every selected hour as a dot against the adaptive comfort band (CBE Clima issue #135):
    blue below, green inside, red above; the band's limits as lines."""
    x = np.asarray(doy, float) - 1 + np.asarray(hour, float) / 24.0
    t = np.asarray(temp, float)
    lo = np.asarray(lower, float)
    hi = np.asarray(upper, float)
    ok = np.isfinite(t) & np.isfinite(lo) & np.isfinite(hi)
    data: list[dict] = [
        {"type": "scattergl", "x": x, "y": lo, "mode": "lines", "name": f"{band_name} (lower)",
         "line": {"color": GREEN, "width": 1}, "hoverinfo": "skip", "showlegend": False},
        {"type": "scattergl", "x": x, "y": hi, "mode": "lines", "name": band_name,
         "line": {"color": GREEN, "width": 1}, "hoverinfo": "skip"},
    ]
    for name, mask, c in (("below", ok & (t < lo), BLUE), ("inside", ok & (t >= lo) & (t <= hi), GREEN),
                          ("above", ok & (t > hi), RED)):
        data.append({"type": "scattergl", "x": x[mask], "y": t[mask], "mode": "markers", "name": name,
                     "marker": {"color": c, "size": 3, "opacity": 0.6},
                     "hovertemplate": "%{y:.1f} " + unit + "<extra>" + name + "</extra>"})
    layout = {"xaxis": _month_axis(leap), "yaxis": {"title": {"text": unit}}}
    return _figure(data, layout, title, height)


def scatter(
    x: np.ndarray, y: np.ndarray, *, color: np.ndarray | None = None, x_label: str = "",
    y_label: str = "", color_label: str = "", title: str | None = None, height: int = 400,
) -> go.Figure:
    """Scatter of two variables, optionally coloured by a third (data explorer)."""
    marker: dict[str, Any] = {"size": 3, "opacity": 0.6, "color": GOLD}
    if color is not None:
        marker.update(color=np.asarray(color, float), colorscale=CES_SEQUENTIAL,
                      colorbar={"title": {"text": color_label}, "thickness": 12})
    trace = {"type": "scattergl", "x": np.asarray(x, float), "y": np.asarray(y, float), "mode": "markers",
             "marker": marker, "hovertemplate": "%{x:.1f}, %{y:.1f}<extra></extra>"}
    layout = {"xaxis": {"title": {"text": x_label}}, "yaxis": {"title": {"text": y_label}}}
    return _figure([trace], layout, title, height)


def html_table(frame: pd.DataFrame, *, index: bool = False, decimals: int = 1) -> str:
    """A compact HTML table in the CES style (gold header, thin rules, numbers right-aligned),
    for ``mo.Html``: far lighter than an interactive table widget for small result tables.
    Floats are shown with ``decimals`` places, NaN as an em dash."""
    import html

    def cell(value: object, tag: str) -> str:
        numeric = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
        if numeric and not np.isfinite(value):
            text = "—"
        elif isinstance(value, (float, np.floating)):
            text = f"{value:,.{decimals}f}"
        else:
            text = html.escape(str(value))
        align = "right" if numeric else "left"
        return f'<{tag} style="text-align:{align};padding:2px 10px;border-bottom:1px solid {GRID}">{text}</{tag}>'

    columns = ([frame.index.name or ""] if index else []) + [str(c) for c in frame.columns]
    head = "".join(
        f'<th style="text-align:left;padding:4px 10px;color:{GOLD};border-bottom:1px solid {MUTED}">'
        f"{html.escape(c)}</th>" for c in columns)
    rows = []
    for key, values in zip(frame.index, frame.itertuples(index=False, name=None), strict=True):
        cells = ([cell(key, "th")] if index else []) + [cell(v, "td") for v in values]
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return (f'<table style="border-collapse:collapse;font-size:13px;color:{TEXT};margin:4px 0">'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>")


# --------------------------------------------------------------------------- PV and economics

def waterfall(
    steps: list[tuple[str, float]], *, title: str | None = None, unit: str = "kWh", height: int = 380
) -> go.Figure:
    """Energy waterfall: first step absolute, then signed changes, last step the total."""
    names = [s[0] for s in steps]
    values = [float(s[1]) for s in steps]
    measure = ["absolute"] + ["relative"] * (len(steps) - 2) + ["total"]
    fig = go.Figure(
        go.Waterfall(
            x=names, y=values, measure=measure,
            increasing=dict(marker=dict(color="#81b29a")),
            decreasing=dict(marker=dict(color="#e07a5f")),
            totals=dict(marker=dict(color=GOLD)),
            connector=dict(line=dict(color=MUTED, width=1)),
            hovertemplate="%{x}: %{y:,.0f} " + unit + "<extra></extra>",
        )
    )
    fig.update_yaxes(title=unit)
    fig.update_xaxes(tickangle=-35)
    return _layout(fig, title, height)


def cash_flow(
    table: pd.DataFrame, *, title: str | None = None, currency: str = "EUR", height: int = 380
) -> go.Figure:
    """Yearly cash flow (bars) and cumulative and discounted cumulative (lines);
    ``table`` has columns ``cash_flow``, ``cumulative``, ``discounted_cumulative``
    indexed by year."""
    years = table.index.to_numpy()
    fig = go.Figure()
    colours = np.where(table["cash_flow"].to_numpy() >= 0, GOLD, "#e07a5f")
    fig.add_bar(x=years, y=table["cash_flow"], name="Cash flow", marker=dict(color=colours),
                hovertemplate="year %{x}: %{y:,.0f} " + currency + "<extra></extra>")
    fig.add_scatter(x=years, y=table["cumulative"], name="Cumulative", mode="lines",
                    line=dict(color=TEXT, width=2),
                    hovertemplate="year %{x}: %{y:,.0f} " + currency + "<extra>cumulative</extra>")
    fig.add_scatter(x=years, y=table["discounted_cumulative"], name="Cumulative, discounted", mode="lines",
                    line=dict(color="#5fa8d3", width=2, dash="dash"),
                    hovertemplate="year %{x}: %{y:,.0f} " + currency + "<extra>discounted</extra>")
    fig.update_xaxes(title="year")
    fig.update_yaxes(title=currency, zeroline=True, zerolinecolor=MUTED)
    return _layout(fig, title, height)


def orientation_map(
    grid: pd.DataFrame,
    *,
    chosen: tuple[float, float] | None = None,
    title: str | None = None,
    unit: str = "kWh/kWp",
    height: int = 400,
) -> go.Figure:
    """Heat map of a tilt (rows) × azimuth (columns) grid, with the optimum
    (star) and an optional chosen orientation (circle)."""
    tilts = grid.index.to_numpy(dtype=float)
    azimuths = grid.columns.to_numpy(dtype=float)
    z = grid.to_numpy(dtype=float)
    i, j = np.unravel_index(np.nanargmax(z), z.shape)
    fig = go.Figure(
        go.Heatmap(
            x=azimuths, y=tilts, z=z, colorscale=CES_SEQUENTIAL,
            colorbar=dict(title=dict(text=unit), thickness=12),
            hovertemplate="azimuth %{x:.0f}°, tilt %{y:.0f}°: %{z:,.0f} " + unit + "<extra></extra>",
        )
    )
    fig.add_scatter(x=[azimuths[j]], y=[tilts[i]], mode="markers", name="Optimum",
                    marker=dict(symbol="star", size=18, color=BLACK, line=dict(color=TEXT, width=1.5)),
                    hovertemplate=f"optimum: azimuth {azimuths[j]:.0f}°, tilt {tilts[i]:.0f}°, "
                                  f"{z[i, j]:,.0f} {unit}<extra></extra>")
    if chosen is not None:
        fig.add_scatter(x=[chosen[1]], y=[chosen[0]], mode="markers", name="Your system",
                        marker=dict(symbol="circle-open", size=16, color=GOLD_LIGHT, line=dict(width=3)),
                        hovertemplate="your system: azimuth %{x:.0f}°, tilt %{y:.0f}°<extra></extra>")
    ticks = [a for a in COMPASS if azimuths.min() <= a <= azimuths.max()]
    fig.update_xaxes(title="azimuth", tickvals=ticks, ticktext=[f"{COMPASS[a]} {a}°" for a in ticks])
    fig.update_yaxes(title="tilt (°)")
    fig.update_layout(showlegend=False)
    return _layout(fig, title, height)


def compass(azimuth: float, *, tilt: float | None = None, height: int = 220) -> go.Figure:
    """A compass rose with an arrow towards ``azimuth`` (degrees clockwise from north)."""
    fig = go.Figure()
    fig.add_scatterpolar(r=[0, 1], theta=[azimuth, azimuth], mode="lines+markers",
                         line=dict(color=GOLD, width=4), marker=dict(size=[0, 12], color=GOLD),
                         hoverinfo="skip")
    label = f"{azimuth:.0f}°" + (f" · tilt {tilt:.0f}°" if tilt is not None else "")
    fig.update_layout(
        polar=dict(
            angularaxis=dict(rotation=90, direction="clockwise", tickvals=list(COMPASS),
                             ticktext=list(COMPASS.values())),
            radialaxis=dict(visible=False, range=[0, 1.05]),
        ),
        showlegend=False, margin=dict(l=24, r=24, t=36, b=24),
    )
    return _layout(fig, label, height)
