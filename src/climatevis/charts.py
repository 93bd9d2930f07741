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
    "ces_template",
    "heatmap",
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
