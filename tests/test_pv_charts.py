"""The PV/economics figure builders in climatevis.charts."""

from __future__ import annotations

import numpy as np
import pandas as pd

from climatevis import charts


def test_monthly_bars_stack_and_lines():
    fig = charts.monthly_bars({"a": np.arange(12), "b": np.ones(12)}, lines={"demand": np.full(12, 5.0)}, unit="kWh")
    assert [t.type for t in fig.data] == ["bar", "bar", "scatter"]
    assert fig.data[0].marker.color != fig.data[1].marker.color
    assert fig.layout.barmode == "stack" and fig.layout.template.layout.paper_bgcolor == charts.BLACK


def test_waterfall_and_cash_flow():
    fig = charts.waterfall([("start", 100.0), ("loss", -10.0), ("end", 90.0)])
    assert list(fig.data[0].measure) == ["absolute", "relative", "total"]
    table = pd.DataFrame({"cash_flow": [-100.0, 30, 40, 50], "cumulative": [-100.0, -70, -30, 20],
                          "discounted_cumulative": [-100.0, -72, -35, 8]})
    fig = charts.cash_flow(table)
    assert len(fig.data) == 3 and list(fig.data[1].y) == [-100, -70, -30, 20]


def test_orientation_map_marks_optimum_and_choice():
    grid = pd.DataFrame([[1.0, 2.0], [3.0, 0.5]], index=[0.0, 30.0], columns=[90.0, 180.0])
    fig = charts.orientation_map(grid, chosen=(0.0, 180.0))
    star = fig.data[1]
    assert (star.x[0], star.y[0]) == (90.0, 30.0)
    assert (fig.data[2].x[0], fig.data[2].y[0]) == (180.0, 0.0)
    assert charts.compass(135.0).data[0].theta[1] == 135.0
