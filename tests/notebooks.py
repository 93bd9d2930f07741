"""Running the analysis notebooks end to end, the way engineers and the build graph do.

``export_html`` runs a notebook in marimo's kernel (``marimo export html``,
every cell executed, outputs rendered) with options after ``--``; marimo
exits non-zero when any cell raised. ``run_script`` runs it as a plain
script (``python notebook.py --option value``).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.harness import ROOT

ANALYSIS = ROOT / "notebooks" / "analysis"


def _env(extra: dict[str, str] | None) -> dict[str, str]:
    bindir = str(Path(sys.executable).parent)
    return {**os.environ, "PATH": bindir + os.pathsep + os.environ.get("PATH", ""), **(extra or {})}


def export_html(notebook: str, out: Path, *args: str, env: dict[str, str] | None = None,
                timeout: float = 600) -> str:
    """Run ``notebooks/analysis/<notebook>.py`` with ``args``; assert every cell ran; the HTML."""
    cmd = [sys.executable, "-m", "marimo", "export", "html", str(ANALYSIS / f"{notebook}.py"),
           "-o", str(out), "--force", "--", *args]
    proc = subprocess.run(cmd, cwd=ROOT, env=_env(env), capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, f"{notebook}: cells failed\n{proc.stdout[-3000:]}\n{proc.stderr[-6000:]}"
    return out.read_text(encoding="utf-8")


def run_script(notebook: str, *args: str, env: dict[str, str] | None = None,
               timeout: float = 600) -> subprocess.CompletedProcess:
    """``python notebooks/analysis/<notebook>.py args…`` (marimo's script mode)."""
    return subprocess.run([sys.executable, str(ANALYSIS / f"{notebook}.py"), *args], cwd=ROOT,
                          env=_env(env), capture_output=True, text=True, timeout=timeout)
