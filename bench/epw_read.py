"""Benchmark: reading one EPW with climatevis, pvlib, ladybug-core and pyepw in one process.

    python bench/epw_read.py [FILE.epw] [--repeat N]

Prints the median and best time of each reader and the ratio to climatevis.
Not a test: timings depend on the machine; the target is climatevis ≥ 3×
faster than ``pvlib.iotools.read_epw``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
DEFAULT = ROOT.parent / "shared" / "data" / "weather" / "AUT_Vienna.Schwechat.110360_IWEC.epw"


def readers(path: Path):
    from climatevis.epw import read_epw

    yield "climatevis.epw.read_epw", lambda: read_epw(path)
    try:
        import pvlib

        yield "pvlib.iotools.read_epw", lambda: pvlib.iotools.read_epw(str(path))
    except ImportError:
        pass
    try:
        from ladybug.epw import EPW

        def ladybug():  # ladybug parses lazily: touch the data so the work is done
            epw = EPW(str(path))
            return epw.dry_bulb_temperature.values

        yield "ladybug.epw.EPW", ladybug
    except ImportError:
        pass
    try:
        from pyepw.epw import EPW as PyEPW

        def pyepw():
            epw = PyEPW()
            epw.read(str(path))
            return epw

        yield "pyepw.epw.EPW", pyepw
    except ImportError:
        pass


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--repeat", type=int, default=21)
    args = parser.parse_args()
    if not args.file.exists():
        print(f"{args.file}: not found (pass an EPW file)", file=sys.stderr)
        return 2
    warnings.simplefilter("ignore")
    runs = list(readers(args.file))
    for _name, fn in runs:  # warm-up: imports, caches
        fn()
    times: dict[str, list[float]] = {name: [] for name, _ in runs}
    for _ in range(args.repeat):  # interleaved, so machine noise hits every reader alike
        for name, fn in runs:
            t0 = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t0)
    ours = statistics.median(times["climatevis.epw.read_epw"])
    print(f"{args.file.name}, {args.repeat} interleaved runs each\n")
    print(f"{'reader':<26}{'median ms':>11}{'best ms':>10}{'× climatevis':>14}")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"{name:<26}{median * 1e3:>11.1f}{min(values) * 1e3:>10.1f}{median / ours:>14.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
