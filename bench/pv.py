"""Benchmark: one annual PV simulation with climatevis, pvlib ModelChain and PySAM PVWatts v8.

    python bench/pv.py [FILE.epw] [--repeat N]

All in one process, runs interleaved so machine noise hits every model
alike; prints medians, best times and ratios. The configurations are the
ones the accuracy tests compare (tests/pv_references.py):

* climatevis ``pvwatts_v8`` chain vs PySAM ``Pvwattsv8`` (which also reads
  and parses the EPW file; the climatevis "from file" row includes
  ``read_epw`` for a like-for-like figure);
* climatevis ``pvwatts`` chain vs pvlib ``ModelChain`` (PVWatts DC/AC/losses,
  Perez, physical IAM) with SAPM and with Fuentes cell temperature.

Also: a rerun after changing tilt and azimuth (solar position cached in a
``SolarSite``) and the tilt × azimuth yield map (0-90° every 10° × 0-345°
every 15°, 240 orientations). Targets: annual run ≥ 3× faster than pvlib,
rerun < 10 ms, map < 2 s. Not a test: timings depend on the machine.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

from common import SHARED_WEATHER

DEFAULT = SHARED_WEATHER / "AUT_Vienna.Schwechat.110360_IWEC.epw"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    if not args.file.exists():
        print(f"{args.file}: not found (pass an EPW file)", file=sys.stderr)
        return 2
    warnings.simplefilter("ignore")

    from climatevis import solar
    from climatevis.epw import read_epw
    from tests import pv_references as ref

    weather = read_epw(args.file)
    times_1y = ref.single_year_times(weather.data.index)
    v8 = solar.SystemConfig(kwp=4.0, surface_tilt=30, surface_azimuth=180)
    v5_sapm = v8.replace(model="pvwatts", temperature_model="sapm")
    v5_fuentes = v8.replace(model="pvwatts")
    pysam_file = ref.epw_for_pysam(args.file, Path(tempfile.mkdtemp(prefix="cv-bench-")))

    runs = {
        "climatevis v8, from file": lambda: solar.SolarSite(read_epw(args.file)).simulate(v8).annual_ac_kwh,
        "climatevis v8": lambda: solar.SolarSite(weather).simulate(v8).annual_ac_kwh,
        "PySAM Pvwattsv8 (reads file)": lambda: ref.pysam_pvwatts_v8(pysam_file, v8)["annual_ac_kwh"],
        "climatevis v5, SAPM": lambda: solar.SolarSite(weather, times=times_1y).simulate(v5_sapm).annual_ac_kwh,
        "pvlib ModelChain, SAPM": lambda: ref.pvlib_modelchain(weather, times_1y, v5_sapm)["annual_ac_kwh"],
        "climatevis v5, Fuentes": lambda: solar.SolarSite(weather, times=times_1y).simulate(v5_fuentes).annual_ac_kwh,
        "pvlib ModelChain, Fuentes": lambda: ref.pvlib_modelchain(weather, times_1y, v5_fuentes)["annual_ac_kwh"],
    }
    available = {}
    for name, fn in runs.items():  # warm-up; skip references that are not installed
        try:
            available[name] = (fn, fn())
        except ImportError as err:
            print(f"skipping {name}: {err}", file=sys.stderr)
    times: dict[str, list[float]] = {name: [] for name in available}
    for _ in range(args.repeat):
        for name, (fn, _) in available.items():
            t0 = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t0)

    print(f"{args.file.name}: one annual hourly run, {args.repeat} interleaved runs each\n")
    print(f"{'model':<32}{'kWh':>9}{'median ms':>11}{'best ms':>10}{'ratio':>8}")
    pairs = {"PySAM Pvwattsv8 (reads file)": "climatevis v8, from file",
             "pvlib ModelChain, SAPM": "climatevis v5, SAPM",
             "pvlib ModelChain, Fuentes": "climatevis v5, Fuentes"}
    for name, values in times.items():
        median = statistics.median(values)
        ratio = ""
        if name in pairs and pairs[name] in times:
            ratio = f"{median / statistics.median(times[pairs[name]]):.1f}×"
        print(f"{name:<32}{available[name][1]:>9.1f}{median * 1e3:>11.1f}{min(values) * 1e3:>10.1f}{ratio:>8}")
    print("(ratio = reference time / climatevis time for the same configuration)\n")

    site = solar.SolarSite(weather)
    site.simulate(v8)
    for label, cfg in (("v8 (default)", v8), ("v5, SAPM", v5_sapm), ("v5, Fuentes", v5_fuentes)):
        reruns = []
        for k in range(max(args.repeat, 5) * 3):
            t0 = time.perf_counter()
            site.simulate(cfg, surface_tilt=10 + (k * 7) % 70, surface_azimuth=90 + (k * 23) % 180)
            reruns.append(time.perf_counter() - t0)
        print(f"rerun after a tilt/azimuth change, {label:<13} median {statistics.median(reruns) * 1e3:6.2f} ms"
              f"  (best {min(reruns) * 1e3:.2f} ms; target < 10 ms)")
    for label, cfg in (("v8 (default)", v8), ("v5, SAPM", v5_sapm)):
        maps = []
        for _ in range(3):
            t0 = time.perf_counter()
            grid = site.yield_map(cfg)
            maps.append(time.perf_counter() - t0)
        print(f"tilt × azimuth map {grid.shape[0]}×{grid.shape[1]}, {label:<13} median "
              f"{statistics.median(maps):6.2f} s  (best {min(maps):.2f} s; target < 2 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
