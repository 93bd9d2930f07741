"""The exported WASM demos in build/demos (made by `just export`, which `just test` runs first)
and every demo notebook run natively."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import urllib.parse
import zipfile
from pathlib import Path

import pytest

from tests.harness import ROOT
from tools import buildgraph as bg

DEMOS = bg.demo_notebooks()
PYODIDE = json.loads(bg.PYODIDE_LOCK.read_text())["packages"]


def exported(notebook: Path) -> Path:
    out = bg.DEMOS_OUT / bg.kebab(notebook.stem)
    if not (out / "index.html").exists():
        pytest.skip(f"{out.relative_to(ROOT)} not built: run `just export` (`just test` does)")
    return out


def embedded_code(index_html: str) -> str:
    match = re.search(r"<marimo-code[^>]*>(.*?)</marimo-code>", index_html, re.S)
    assert match, "index.html does not embed the notebook"
    return urllib.parse.unquote(match.group(1).strip())


def script_pins(code: str) -> dict[str, str]:
    block = re.search(r"^# /// script\n(.*?)^# ///$", code, re.S | re.M)
    assert block, "no PEP 723 block in the exported notebook"
    pins = {}
    for name, version in re.findall(r'"([A-Za-z0-9_.-]+)==([^"; ]+)', block.group(1)):
        pins[name.lower()] = version
    return pins


@pytest.mark.parametrize("notebook", DEMOS, ids=[d.stem for d in DEMOS])
def test_exported_demo(notebook):
    out = exported(notebook)
    html = (out / "index.html").read_text(encoding="utf-8")
    code = embedded_code(html)
    body = lambda text: re.sub(r"^# /// script\n.*?^# ///$", "", text, flags=re.S | re.M).strip()  # noqa: E731
    assert body(code) == body(notebook.read_text(encoding="utf-8"))  # the notebook itself, only pins rewritten
    pins = script_pins(code)
    # pinned to Pyodide's builds, not to what is installed here
    for package in ("numpy", "pandas"):
        assert pins.get(package) == PYODIDE[package]["version"], (package, pins)
    wheels = list((out / "public" / "wheels").glob("climatevis-*.whl"))
    assert len(wheels) == 1
    with zipfile.ZipFile(wheels[0]) as wheel:
        bundled = {n for n in wheel.namelist() if n.startswith("climatevis/")}
    expected = {f"climatevis/{p.name}" for p in bg.library_closure(notebook)}
    assert bundled == expected
    assert f"../public/wheels/{urllib.parse.quote(wheels[0].name)}" in code
    if bg.demo_config(notebook.stem)["weather"]:
        index = json.loads((out / "public" / "weather" / "index.json").read_text())
        assert index["stations"] and all((out / "public" / "weather" / s["file"]).exists() for s in index["stations"])
    assert not (out / "CLAUDE.md").exists()
    assert bg.own_size(out) < bg.SIZE_LIMIT


def test_manifest_lists_every_demo():
    manifest_path = ROOT / "build" / "manifest.json"
    if not manifest_path.exists():
        pytest.skip("build/manifest.json not built: run `just export`")
    manifest = json.loads(manifest_path.read_text())
    names = {a["name"] for a in manifest["artifacts"]}
    assert {bg.kebab(d.stem) for d in DEMOS} <= names
    for artifact in manifest["artifacts"]:
        if artifact["kind"] != "wasm-demo":
            continue
        index = ROOT / "build" / f"demos/{artifact['name']}/index.html"
        assert artifact["files"][f"demos/{artifact['name']}/index.html"] == bg.sha256_file(index)
        for path, sha in artifact["inputs"].items():
            assert len(sha) == 64, path


@pytest.mark.slow
@pytest.mark.parametrize("notebook", DEMOS, ids=[d.stem for d in DEMOS])
def test_demo_runs_natively_without_cell_errors(notebook, tmp_path, demo_assets):
    result = subprocess.run(
        [sys.executable, "-m", "marimo", "export", "html", str(notebook), "-o", str(tmp_path / "out.html")],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]  # marimo exits 1 when a cell fails
    html = (tmp_path / "out.html").read_text(encoding="utf-8")
    assert "marimo-error" not in html and "Traceback" not in html
    assert html.count("marimo-plotly") >= 1  # outputs were rendered, not just the code
