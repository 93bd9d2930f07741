"""`just test` includes the linters: ruff, marimo check --strict, and the WASM rules on demos."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.harness import ROOT
from tools import buildgraph as bg


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_ruff():
    result = run("ruff", "check", ".")
    assert result.returncode == 0, result.stdout[-4000:]


@pytest.mark.parametrize("rules", [(), ("--select", "MW")], ids=["strict", "wasm-rules"])
def test_marimo_check(rules):
    notebooks = [str(p) for p in (ROOT / "notebooks").rglob("*.py")] if not rules else [
        str(p) for p in bg.demo_notebooks()]
    result = run("marimo", "check", "--strict", *rules, *notebooks)
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
