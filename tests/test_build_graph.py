"""The doit build graph, run for real in a temporary copy of the repository.

Two tiny demos stand in for the real ones so that each export takes seconds:
``alpha`` imports ``climatevis.epw``, ``beta`` imports ``climatevis.charts``.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest

from tests.harness import ROOT, executed, run_doit

pytestmark = pytest.mark.slow

DEMO = '''import marimo

app = marimo.App()


@app.cell
def _():
    from climatevis import {module}

    return ({module},)


@app.cell
def _({module}):
    {module}.__name__
    return


if __name__ == "__main__":
    app.run()
'''


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    repo = tmp_path_factory.mktemp("repo")
    for name in ("dodo.py", "pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, repo / name)
    shutil.copytree(ROOT / "tools", repo / "tools", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "src", repo / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    demos = repo / "notebooks" / "demos"
    demos.mkdir(parents=True)
    (demos / "alpha.py").write_text(DEMO.format(module="epw"))
    (demos / "beta.py").write_text(DEMO.format(module="charts"))
    (demos / "demos.toml").write_text("[alpha]\nweather = false\n\n[beta]\nweather = false\n")
    return repo


def test_build_graph(repo):
    demos = repo / "build" / "demos"

    first = run_doit(repo, "export", "size", "manifest")
    assert first.returncode == 0, first.stdout + first.stderr
    assert {"export:alpha", "export:beta", "manifest"} <= executed(first)
    wheel = next((demos / "alpha" / "public" / "wheels").glob("climatevis-*.whl"))
    assert wheel.exists() and not (demos / "alpha" / "CLAUDE.md").exists()
    manifest = json.loads((repo / "build" / "manifest.json").read_text())
    alpha = next(a for a in manifest["artifacts"] if a["name"] == "alpha")
    assert alpha["files"]["demos/alpha/index.html"] == digest(demos / "alpha" / "index.html")
    assert alpha["inputs"]["notebooks/demos/alpha.py"] == digest(repo / "notebooks/demos/alpha.py")
    assert "src/climatevis/epw.py" in alpha["inputs"] and "src/climatevis/charts.py" not in alpha["inputs"]

    # nothing changed: no export runs, and doit says so
    second = run_doit(repo, "export", "size", "manifest")
    assert second.returncode == 0 and executed(second) == set(), second.stdout
    assert "everything is up to date" in second.stdout

    # one notebook changed -> exactly that demo is re-exported
    nb = repo / "notebooks" / "demos" / "alpha.py"
    nb.write_text(nb.read_text().replace("__name__", "__doc__"))
    third = run_doit(repo, "export", "size", "manifest")
    assert third.returncode == 0, third.stdout + third.stderr
    assert {e for e in executed(third) if e.startswith("export:")} == {"export:alpha"}

    # a library module changed -> the demos that import it are re-exported
    module = repo / "src" / "climatevis" / "charts.py"
    module.write_text(module.read_text() + "\n# a change\n")
    fourth = run_doit(repo, "export")
    assert {e for e in executed(fourth) if e.startswith("export:")} == {"export:beta"}
    shared = repo / "src" / "climatevis" / "__init__.py"
    shared.write_text(shared.read_text() + "\n# a change everyone imports\n")
    fifth = run_doit(repo, "export")
    assert {e for e in executed(fifth) if e.startswith("export:")} == {"export:alpha", "export:beta"}

    # a failing export leaves the previous artifact in place and names the notebook
    before = {p.relative_to(demos): digest(p) for p in (demos / "alpha").rglob("*") if p.is_file()}
    nb.write_text("this is ( not a marimo notebook\n")
    broken = run_doit(repo, "export:alpha")
    assert broken.returncode != 0
    assert "notebooks/demos/alpha.py: marimo export failed" in broken.stdout + broken.stderr
    after = {p.relative_to(demos): digest(p) for p in (demos / "alpha").rglob("*") if p.is_file()}
    assert after == before
    assert not [p for p in demos.iterdir() if p.name.startswith(".")]  # no temp leftovers


def test_size_check_names_demo_and_excess(repo):
    (repo / "data" / "examples").mkdir(parents=True, exist_ok=True)
    (repo / "data" / "examples" / "big.bin").write_bytes(os.urandom(600 * 1024))
    config = repo / "notebooks" / "demos" / "demos.toml"
    config.write_text(config.read_text().replace("[beta]\nweather = false", '[beta]\nweather = false\ndata = ["big.bin"]'))
    result = run_doit(repo, "export:beta", "size:beta")
    assert result.returncode != 0
    out = result.stdout + result.stderr
    assert "demo beta is" in out and "bytes over the 512,000-byte limit" in out
    assert "largest file: public/data/big.bin" in out
