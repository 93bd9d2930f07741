"""CES-branded plotly figures.

Every builder is a pure function of data and options that returns a
``plotly.graph_objects.Figure`` using the one CES template: black background,
gold accents, light-grey text with WCAG-AA contrast, one font stack, margins
and legends that still work on a 360 px wide phone screen.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

__all__ = [
    "CES_COLORWAY",
    "CES_DIVERGING",
    "CES_SEQUENTIAL",
    "GOLD",
    "TEMPLATE_NAME",
    "cash_flow",
    "ces_template",
    "compass",
    "heatmap",
    "monthly_bars",
    "orientation_map",
    "waterfall",
]

BLACK = "#000000"
PANEL = "#0d0d0d"
GOLD = "#d4a72c"
GOLD_LIGHT = "#f0cf6b"
GOLD_DARK = "#8a6a14"
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
    as one calendar.
    """
    if not isinstance(series.index, pd.DatetimeIndex):
        raise TypeError("heatmap: series needs a DatetimeIndex")
    idx = series.index
    day = (idx.dayofyear - 1).to_numpy()
    hour = idx.hour.to_numpy()
    # Feb 29 shifts day-of-year by one after February; keep months aligned
    leap = bool(((idx.month == 2) & (idx.day == 29)).any())
    n_days = 366 if leap else 365
    if not leap:
        day = np.where(idx.is_leap_year & (idx.month > 2), day - 1, day)
    count = np.zeros((24, n_days))
    values = series.to_numpy(dtype=float)
    ok = np.isfinite(values)
    sums = np.zeros((24, n_days))
    np.add.at(sums, (hour[ok], day[ok]), values[ok])
    np.add.at(count, (hour[ok], day[ok]), 1)
    with np.errstate(invalid="ignore"):
        grid = np.where(count > 0, sums / np.maximum(count, 1), np.nan)
    dates = pd.Timestamp("2000-01-01" if leap else "2001-01-01") + pd.to_timedelta(
        np.arange(n_days), unit="D"
    )
    fig = go.Figure(
        go.Heatmap(
            x=dates, y=np.arange(24), z=grid, colorscale=colorscale or CES_SEQUENTIAL,
            zmin=zmin, zmax=zmax, colorbar=dict(title=dict(text=unit), thickness=12),
            hovertemplate="%{x|%d %b} %{y}:00<br>%{z:.1f} " + unit + "<extra></extra>",
        )
    )
    fig.update_xaxes(tickformat="%b", dtick="M1", title=None)
    fig.update_yaxes(title="hour", tickvals=[0, 6, 12, 18, 23])
    return _layout(fig, title, height)


# --------------------------------------------------------------------------- PV and economics

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def monthly_bars(
    values: dict[str, np.ndarray] | np.ndarray,
    *,
    lines: dict[str, np.ndarray] | None = None,
    title: str | None = None,
    unit: str = "kWh",
    stacked: bool = True,
    height: int = 340,
) -> go.Figure:
    """Twelve monthly values as bars (a dict: one stacked series per key, in
    the CES colour order) and optional monthly ``lines`` drawn over them."""
    series = values if isinstance(values, dict) else {title or "": values}
    fig = go.Figure()
    for k, (name, v) in enumerate(series.items()):
        fig.add_bar(
            x=list(MONTHS), y=np.asarray(v, dtype=float), name=name,
            marker=dict(color=CES_COLORWAY[k % len(CES_COLORWAY)]),
            hovertemplate="%{x}: %{y:,.0f} " + unit + "<extra>" + name + "</extra>",
        )
    for name, v in (lines or {}).items():
        fig.add_scatter(
            x=list(MONTHS), y=np.asarray(v, dtype=float), name=name, mode="lines+markers",
            line=dict(color=TEXT, width=2), marker=dict(size=6, color=TEXT),
            hovertemplate="%{x}: %{y:,.0f} " + unit + "<extra>" + name + "</extra>",
        )
    fig.update_layout(barmode="stack" if stacked else "group", showlegend=len(series) + len(lines or {}) > 1)
    fig.update_yaxes(title=unit, rangemode="tozero")
    return _layout(fig, title, height)


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
    ticks = [a for a in (0, 45, 90, 135, 180, 225, 270, 315) if azimuths.min() <= a <= azimuths.max()]
    labels = {0: "N", 45: "NE", 90: "E", 135: "SE", 180: "S", 225: "SW", 270: "W", 315: "NW"}
    fig.update_xaxes(title="azimuth", tickvals=ticks, ticktext=[f"{labels[a]} {a}°" for a in ticks])
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
            angularaxis=dict(rotation=90, direction="clockwise", tickvals=[0, 45, 90, 135, 180, 225, 270, 315],
                             ticktext=["N", "NE", "E", "SE", "S", "SW", "W", "NW"]),
            radialaxis=dict(visible=False, range=[0, 1.05]),
        ),
        showlegend=False, margin=dict(l=24, r=24, t=36, b=24),
    )
    return _layout(fig, label, height)
