"""Benchmark: one annual hourly 5R1C simulation versus EnergyPlus on the same case.

Prints medians (several repeats) of
* the 5R1C core: ``simulate(building, site)`` with the sun position and facade
  irradiance already prepared (what the demo does on every input change; target < 50 ms),
* the full run from a parsed EPW (``Site.from_weather`` + ``simulate``),
* one real EnergyPlus 25.2 run of the same BESTEST case (cache disabled), and the ratio.

Usage: ``python bench/building.py [EPW] [--case 600] [--repeat 7] [--no-energyplus]``
"""

from __future__ import annotations

import argparse
import statistics
import sys

from common import SHARED_WEATHER, median_time

from climatevis import building as bd
from climatevis.epw import read_epw

DEFAULT_EPW = SHARED_WEATHER / "USA_CO_Denver.Intl.AP.725650_TMY3.epw"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("epw", nargs="?", default=str(DEFAULT_EPW))
    parser.add_argument("--case", default="600")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--no-energyplus", action="store_true")
    args = parser.parse_args()

    weather = read_epw(args.epw)
    building = bd.bestest(args.case)
    site = bd.Site.from_weather(weather)
    core = median_time(lambda: bd.simulate(building, site), args.repeat).wall_s
    full = median_time(lambda: bd.simulate(building, bd.Site.from_weather(weather)), args.repeat).wall_s
    summary = bd.simulate(building, site).summary()
    print(f"case {args.case}, {weather.location.city} ({len(site.index)} h)")
    print(f"5R1C annual run (prepared site)      median {core * 1000:8.1f} ms   target < 50 ms")
    print(f"5R1C annual run incl. sun/irradiance median {full * 1000:8.1f} ms")
    print(f"  heating {summary['heating_kwh']:,.0f} kWh, cooling {summary['cooling_kwh']:,.0f} kWh")
    if args.no_energyplus:
        return 0
    from climatevis import energyplus as ep

    try:
        ep.energyplus_executable()
    except ep.EnergyPlusError as err:
        print(f"EnergyPlus: not available ({err})")
        return 0
    model = ep.bestest_model(args.case)
    runs = [ep.run(model, args.epw, cache_dir=False) for _ in range(max(1, min(args.repeat, 3)))]
    eplus = statistics.median(r.runtime_s for r in runs)
    es = runs[0].summary()
    print(f"EnergyPlus {runs[0].energyplus_version} annual run   median {eplus:8.2f} s  ({len(runs)} runs)")
    print(f"  heating {es['heating_kwh']:,.0f} kWh, cooling {es['cooling_kwh']:,.0f} kWh")
    print(f"ratio EnergyPlus / 5R1C (prepared site): {eplus / core:,.0f}x;  incl. sun: {eplus / full:,.0f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
