"""Benchmark: reading one EPW with climatevis, pvlib, ladybug-core and pyepw in one process.

    python bench/epw_read.py [FILE.epw] [--repeat N]

Prints the median and best wall-clock time of each reader, its median CPU
time (of this thread: less disturbed by other processes on a busy machine)
and the ratios to climatevis. climatevis is timed twice: as it runs here
(with the numba tokenizer when numba is installed) and with pandas alone
(``CLIMATEVIS_NO_NUMBA=1``, what Pyodide runs). The first call of each reader
(imports; for climatevis numba's import and compiled-code cache) is reported
separately and not counted.
Not a test: timings depend on the machine; the target is climatevis ≥ 3×
faster than ``pvlib.iotools.read_epw``.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import sys
import time
import warnings
from pathlib import Path

from common import SHARED_WEATHER

DEFAULT = SHARED_WEATHER / "AUT_Vienna.Schwechat.110360_IWEC.epw"
OURS = "climatevis.epw.read_epw"


def readers(path: Path):
    from climatevis import epw

    def pandas_only():
        os.environ[epw.NO_NUMBA_ENV] = "1"
        try:
            return epw.read_epw(path)
        finally:
            del os.environ[epw.NO_NUMBA_ENV]

    yield OURS, lambda: epw.read_epw(path)
    if importlib.util.find_spec("numba") is not None:  # not imported yet: the first call pays
        yield "  … pandas path only", pandas_only
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
    os.environ.pop("CLIMATEVIS_NO_NUMBA", None)
    runs = list(readers(args.file))
    first: dict[str, float] = {}
    for name, fn in runs:  # warm-up: imports, caches
        t0 = time.perf_counter()
        fn()
        first[name] = time.perf_counter() - t0
    wall: dict[str, list[float]] = {name: [] for name, _ in runs}
    cpu: dict[str, list[float]] = {name: [] for name, _ in runs}
    for _ in range(args.repeat):  # interleaved, so machine noise hits every reader alike
        for name, fn in runs:
            t0, c0 = time.perf_counter(), time.thread_time()
            fn()
            cpu[name].append(time.thread_time() - c0)
            wall[name].append(time.perf_counter() - t0)
    ours, ours_cpu = statistics.median(wall[OURS]), statistics.median(cpu[OURS])
    load = f", load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs" if hasattr(os, "getloadavg") else ""
    print(f"{args.file.name}, {args.repeat} interleaved runs each{load}\n")
    print(f"{'reader':<26}{'median ms':>11}{'best ms':>9}{'× climatevis':>14}"
          f"{'cpu ms':>9}{'× (cpu)':>9}{'first call ms':>15}")
    for name, values in wall.items():
        median, median_cpu = statistics.median(values), statistics.median(cpu[name])
        print(f"{name:<26}{median * 1e3:>11.1f}{min(values) * 1e3:>9.1f}{median / ours:>14.2f}"
              f"{median_cpu * 1e3:>9.1f}{median_cpu / ours_cpu:>9.2f}{first[name] * 1e3:>15.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
