"""Figures for hourly building-energy results (:mod:`climatevis.building`), in the CES template.

Pure functions of a :class:`~climatevis.building.Result` (or its tables) that
return plotly figures: monthly energy balance, indoor temperature of one week,
load-duration curve and a baseline-versus-retrofit comparison.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from climatevis.building import Result, load_duration
from climatevis.charts import BLUE, CES_COLORWAY, GOLD, GOLD_LIGHT, GREEN, MONTHS, MUTED, _layout

__all__ = ["energy_balance", "load_duration_curve", "retrofit_comparison", "temperature_week"]

COOLING = CES_COLORWAY[2]  # coral
#: Heat flows shown in the balance: column -> (label, colour).
FLOW_STYLE: dict[str, tuple[str, str]] = {
    "heating": ("Heating", GOLD),
    "solar_windows": ("Solar (windows)", GOLD_LIGHT),
    "solar_opaque": ("Solar (opaque)", "#b8962e"),
    "internal": ("Internal gains", GREEN),
    "storage": ("Storage", "#9ca3af"),
    "transmission_windows": ("Windows", BLUE),
    "transmission_opaque": ("Walls, roof, floor", "#27408b"),
    "ventilation": ("Ventilation", "#c084fc"),
    "sky_radiation": ("Sky radiation", "#1d4e89"),
    "window_radiant_loss": ("Radiant loss via windows", "#4b5563"),
    "cooling": ("Cooling", COOLING),
}


def energy_balance(result: Result, title: str | None = "Monthly energy balance", height: int = 420) -> go.Figure:
    """Stacked monthly bars [kWh]: gains above zero, losses (and cooling) below."""
    monthly = result.monthly()
    fig = go.Figure()
    for column, (label, colour) in FLOW_STYLE.items():
        values = monthly[column].to_numpy()
        if np.allclose(values, 0.0):
            continue
        fig.add_bar(x=[MONTHS[m - 1] for m in monthly.index], y=values, name=label, marker_color=colour,
                    hovertemplate=f"{label}: %{{y:,.0f}} kWh<extra></extra>")
    fig.update_layout(barmode="relative", bargap=0.15)
    fig.update_yaxes(title="kWh per month", zeroline=True, zerolinecolor=MUTED)
    return _layout(fig, title, height)


def temperature_week(result: Result, week: int, free_floating: Result | None = None,
                     title: str | None = None, height: int = 380) -> go.Figure:
    """Hourly outdoor, indoor air and operative temperature [°C] of week ``week`` (1-52),
    with the heating/cooling power [kW] on a second axis and, optionally, the
    free-floating operative temperature."""
    h = result.hourly
    start = (int(np.clip(week, 1, 52)) - 1) * 168
    part = h.iloc[start:start + 168]
    x = part.index.tz_localize(None)
    fig = go.Figure()
    fig.add_scatter(x=x, y=part["temp_out"], name="Outdoor", line=dict(color=BLUE, width=1.5))
    fig.add_scatter(x=x, y=part["temp_air"], name="Indoor air", line=dict(color=GOLD, width=2))
    fig.add_scatter(x=x, y=part["temp_operative"], name="Operative", line=dict(color=GOLD_LIGHT, width=1, dash="dot"))
    if free_floating is not None:
        ff = free_floating.hourly.iloc[start:start + 168]
        fig.add_scatter(x=x, y=ff["temp_operative"], name="Free-floating", line=dict(color=COOLING, width=1.5))
    fig.add_bar(x=x, y=part["heating"] / 1000.0, name="Heating [kW]", yaxis="y2", marker_color=GOLD, opacity=0.35)
    fig.add_bar(x=x, y=-part["cooling"] / 1000.0, name="Cooling [kW]", yaxis="y2", marker_color=COOLING,
                opacity=0.35)
    fig.update_layout(
        yaxis=dict(title="°C"),
        yaxis2=dict(title="kW", overlaying="y", side="right", showgrid=False),
        bargap=0,
    )
    return _layout(fig, title or f"Week {week}: temperatures and loads", height)


def load_duration_curve(result: Result, title: str | None = "Load-duration curve", height: int = 360) -> go.Figure:
    """Hourly heating and cooling power [kW] sorted from the peak down."""
    ld = load_duration(result)
    fig = go.Figure()
    for column, label, colour in (("heating_kw", "Heating", GOLD), ("cooling_kw", "Cooling", COOLING)):
        if ld[column].max() > 0:
            fig.add_scatter(x=ld["hours"], y=ld[column], name=label, line=dict(color=colour, width=2),
                            hovertemplate="%{y:.2f} kW for %{x} h<extra></extra>")
    fig.update_xaxes(title="hours per year at or above the load", range=[0, 8760])
    fig.update_yaxes(title="kW", rangemode="tozero")
    return _layout(fig, title, height)


def retrofit_comparison(summaries: Mapping[str, Mapping[str, float]], title: str | None = "Baseline versus retrofit",
                        height: int = 340) -> go.Figure:
    """Grouped bars of heating and cooling demand [kWh/(m²a)] per variant."""
    frame = pd.DataFrame(summaries).T
    fig = go.Figure()
    for column, label, colour in (("heating_kwh_m2", "Heating", GOLD), ("cooling_kwh_m2", "Cooling", COOLING)):
        fig.add_bar(x=list(frame.index), y=frame[column], name=label, marker_color=colour,
                    text=[f"{v:.0f}" for v in frame[column]], textposition="outside",
                    hovertemplate=f"{label}: %{{y:.1f}} kWh/(m²a)<extra></extra>")
    fig.update_layout(barmode="group", colorway=CES_COLORWAY)
    fig.update_yaxes(title="kWh/(m²a)", rangemode="tozero")
    return _layout(fig, title, height)
