"""Open a notebook by name: `just edit climate_dashboard` (or a path).

Finds ``notebooks/**/<name>.py`` and runs ``marimo edit`` on it, bound to
127.0.0.1 with marimo's access token (an editor can run arbitrary code).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def find(name: str) -> Path:
    direct = Path(name)
    if direct.suffix == ".py" and direct.exists():
        return direct
    stem = direct.stem.replace("-", "_")
    matches = sorted((ROOT / "notebooks").rglob(f"{stem}.py"))
    if not matches:
        known = ", ".join(sorted(p.stem for p in (ROOT / "notebooks").rglob("*.py")))
        raise SystemExit(f"no notebook named {name!r}; known: {known}")
    return matches[0]


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] != "edit":
        raise SystemExit("usage: tools/notebook.py edit NAME")
    notebook = find(argv[1])
    bindir = str(Path(sys.executable).parent)
    env = {**os.environ, "PATH": bindir + os.pathsep + os.environ.get("PATH", "")}
    cmd = [sys.executable, "-m", "marimo", "edit", str(notebook), "--host", "127.0.0.1"]
    editor = subprocess.Popen(cmd, cwd=ROOT, env=env)
    try:
        return editor.wait()
    except KeyboardInterrupt:  # Ctrl-C reached marimo too: let it shut down, no traceback here
        return editor.wait()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
