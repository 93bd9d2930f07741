"""What the benchmark scripts share: the checkout on ``sys.path``, the reference EPWs the
tests use, and one median timer.

Imported first by every ``bench/*.py`` script (``import common``: the scripts run from
``bench/``, which Python puts on ``sys.path``).
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
for _folder in (ROOT, ROOT / "src"):  # climatevis from the checkout; tests.* for the references
    if str(_folder) not in sys.path:
        sys.path.insert(0, str(_folder))

from tests.reference_data import SHARED_WEATHER, canmet_epw_paths, shared_epw_paths  # noqa: E402

__all__ = ["ROOT", "SHARED_WEATHER", "Timing", "canmet_epw_paths", "median_time", "shared_epw_paths"]


@dataclass(frozen=True)
class Timing:
    wall_s: float  #: median wall-clock time [s]
    cpu_s: float  #: median CPU time of this process [s] (steadier on a busy machine)
    best_s: float  #: fastest wall-clock time [s]
    result: Any  #: what the last run returned


def median_time(fn: Callable[[], Any], repeat: int, warm_up: bool = True) -> Timing:
    """Run ``fn`` ``repeat`` times (after one untimed warm-up run) and take the medians."""
    result = fn() if warm_up else None
    wall, cpu = [], []
    for _ in range(max(1, repeat)):
        t0, c0 = time.perf_counter(), time.process_time()
        result = fn()
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return Timing(statistics.median(wall), statistics.median(cpu), min(wall), result)
