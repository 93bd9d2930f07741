"""Benchmark of the analysis notebooks' workloads (what an engineer waits for).

Prints
* one EnergyPlus 25.2 run of the parametric shoebox (cache disabled; median of ``--repeat``),
* a sweep of 8 shoebox variants with up to ``--workers`` EnergyPlus processes at a time
  (ratio: against 8 single runs one after another), and the same 8 answered from the cache,
* 5R1C samples per second for the surrogate's training set (1 and ``--workers`` processes,
  and their ratio),
* surrogate training on ``--samples`` Latin hypercube samples: k-fold cross-validation of
  every model kind, permutation importance, the final fit, and the cross-validated scores.

Usage: ``python bench/analysis.py [EPW] [--workers 2] [--samples 300] [--repeat 3] [--no-energyplus]``
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from common import SHARED_WEATHER

from climatevis import parametric, surrogate
from climatevis.epw import read_epw

DEFAULT_EPW = SHARED_WEATHER / "AUT_Vienna.Schwechat.110360_IWEC.epw"
INPUTS = ("u_wall", "u_roof", "u_window", "g_value", "wwr_s", "wwr_n", "infiltration_ach", "internal_gains",
          "heating_setpoint", "heat_capacity")


def timed(fn):
    started = time.perf_counter()
    value = fn()
    return time.perf_counter() - started, value


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("epw", nargs="?", default=str(DEFAULT_EPW))
    parser.add_argument("--workers", type=int, default=parametric.default_workers())
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-energyplus", action="store_true")
    args = parser.parse_args()
    raw = Path(args.epw).read_bytes()
    weather = read_epw(raw)
    print(f"{weather.location.city}, {args.workers} workers")

    if not args.no_energyplus:
        from climatevis import energyplus

        print(f"EnergyPlus {energyplus.energyplus_version()}")
        one = parametric.sweep("u_wall", 0.3, 0.3, 1)
        single = [timed(lambda: parametric.simulate_energyplus(parametric.SHOEBOX, one, raw, cache_dir=False))[0]
                  for _ in range(args.repeat)]
        print(f"EnergyPlus, one annual run (shoebox)        median {statistics.median(single):7.1f} s")
        design = parametric.sweep("u_wall", 0.15, 1.0, 8)
        with tempfile.TemporaryDirectory() as cache:
            cold, (table, _) = timed(lambda: parametric.simulate_energyplus(
                parametric.SHOEBOX, design, raw, max_workers=args.workers, cache_dir=cache))
            warm, _ = timed(lambda: parametric.simulate_energyplus(
                parametric.SHOEBOX, design, raw, max_workers=args.workers, cache_dir=cache))
        assert (table["error"] == "").all(), table["error"]
        print(f"EnergyPlus sweep of 8, {args.workers} in parallel            {cold:7.1f} s "
              f"({cold / 8:.1f} s per variant, {8 * statistics.median(single) / cold:.2f}x one at a time)")
        print(f"the same sweep again (all from the cache)          {warm:7.2f} s ({cold / warm:.0f}x faster)")

    ranges = {k: parametric.PARAMETERS[k].default for k in INPUTS}
    design = parametric.latin_hypercube(ranges, args.samples, seed=0)
    serial, _ = timed(lambda: parametric.simulate_5r1c(parametric.SHOEBOX, design.iloc[:40], weather))
    par, table = timed(lambda: parametric.simulate_5r1c(parametric.SHOEBOX, design, weather, workers=args.workers,
                                                        epw_bytes=raw))
    print(f"5R1C samples, 1 process                            {40 / serial:7.1f} per s")
    print(f"5R1C samples, {args.workers} processes ({args.samples} samples)          {par:7.1f} s "
          f"({args.samples / par:.1f} per s, {(args.samples / par) / (40 / serial):.2f}x 1 process)")
    X, Y = table[list(INPUTS)], table[list(surrogate.TARGETS)]
    cv, evaluation = timed(lambda: surrogate.evaluate(X, Y, folds=5))
    best = evaluation.best()
    imp, _ = timed(lambda: surrogate.importance(evaluation, X, Y, best))
    fit, _ = timed(lambda: surrogate.fit(X, Y, best, ranges=ranges))
    print(f"5-fold CV of {len(surrogate.MODEL_KINDS)} model kinds × 2 targets          {cv:7.1f} s")
    print(f"permutation importance (best models)               {imp:7.1f} s")
    print(f"final fit                                          {fit:7.2f} s")
    print("cross-validated scores (mean over folds):")
    for row in evaluation.scores.itertuples():
        mark = "*" if best[row.target] == row.model else " "
        print(f" {mark} {row.target:<15} {row.model:<18} R² {row.r2_mean:.4f} ± {row.r2_std:.4f}   "
              f"MAE {row.mae_mean:6.2f} kWh/(m²a)   {row.fit_s * 1000:7.1f} ms per fit")
    return 0


if __name__ == "__main__":
    sys.exit(main())
