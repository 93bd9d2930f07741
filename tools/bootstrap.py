"""Create or refresh `.venv` from the hash-locked requirements.

Run by the justfile's `venv` recipe, which every recipe depends on (doit lives
in the venv), when `.venv/.climatevis-ready` does not hold the current sha256 of
both locks and `pyproject.toml` (just compares them without starting Python).
The venv is recreated only when a lock file's content changes: the sha256 of
both locks (and the Python version) is kept in `.venv/climatevis-locks.sha256`.
If only `pyproject.toml` changed, the project is re-installed without
recreating the environment. Standard library only; runs on Linux, macOS and
Windows with Python >= 3.11.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
LOCKS = ("requirements.txt", "requirements-dev.txt")
STAMP = VENV / "climatevis-locks.sha256"
READY = VENV / ".climatevis-ready"  # the justfile compares this line with the files' hashes


def venv_python() -> Path:
    if os.name == "nt":
        return VENV / "Scripts" / "python.exe"
    return VENV / "bin" / "python"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def wanted_stamp() -> dict[str, str]:
    stamp = {name: _sha256(ROOT / name) for name in LOCKS}
    stamp["python"] = f"{sys.version_info.major}.{sys.version_info.minor}"
    stamp["pyproject.toml"] = _sha256(ROOT / "pyproject.toml")
    return stamp


def read_stamp() -> dict[str, str]:
    try:
        lines = STAMP.read_text(encoding="utf-8").splitlines()
    except OSError:
        return {}
    return dict(line.split("  ", 1)[::-1] for line in lines if "  " in line)


def write_stamp(stamp: dict[str, str]) -> None:
    tmp = STAMP.with_suffix(".tmp")
    tmp.write_text("".join(f"{v}  {k}\n" for k, v in stamp.items()), encoding="utf-8")
    os.replace(tmp, STAMP)


def run(*cmd: str | Path) -> None:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    subprocess.run([str(c) for c in cmd], check=True, cwd=ROOT)


def install_locked(py: Path) -> None:
    uv = shutil.which("uv")
    lock = ROOT / "requirements-dev.txt"
    if uv:  # same hashes, much faster; its cache makes a rebuild take seconds
        run(uv, "pip", "install", "--quiet", "--python", py, "--require-hashes", "-r", lock)
    else:
        run(py, "-m", "pip", "install", "--disable-pip-version-check", "--require-hashes",
            "-r", lock)


def install_project(py: Path) -> None:
    # hatchling comes from the lock, so no build isolation (and no unhashed download)
    run(py, "-m", "pip", "install", "--disable-pip-version-check", "--quiet", "--no-deps",
        "--no-build-isolation", "--editable", ROOT)


def main() -> int:
    if sys.version_info < (3, 11):  # noqa: UP036 - run by whatever python3 is on PATH
        print(f"climatevis needs Python >= 3.11, this is {sys.version.split()[0]}", file=sys.stderr)
        return 1
    want = wanted_stamp()
    have = read_stamp()
    py = venv_python()
    if have == want and py.exists():
        if not READY.exists():
            READY.write_text("-".join(want[k] for k in (*LOCKS, "pyproject.toml")) + "\n", encoding="utf-8")
        return 0
    locks_same = all(have.get(k) == want[k] for k in (*LOCKS, "python")) and py.exists()
    try:
        if not locks_same:
            print(f"setting up {VENV.name} from the locked requirements ...", flush=True)
            if VENV.exists():
                shutil.rmtree(VENV)
            run(sys.executable, "-m", "venv", VENV)
            install_locked(py)
            # the locked part is done: a failing project install only redoes itself
            write_stamp({**want, "pyproject.toml": "pending"})
        install_project(py)
    except subprocess.CalledProcessError as err:
        print(f"bootstrap: '{' '.join(map(str, err.cmd))}' failed (exit {err.returncode}); "
              f"{VENV.name} is not marked ready, the next run retries", file=sys.stderr)
        return 1
    write_stamp(want)
    ready = "-".join(want[k] for k in (*LOCKS, "pyproject.toml"))
    READY.write_text(ready + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
