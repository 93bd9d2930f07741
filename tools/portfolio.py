"""Hand the exported WASM demos to the portfolio website's repository.

    python -m tools.portfolio PATH [--demos build/demos] [--prune]

Copies every export ``build/demos/<name>/`` into
``PATH/apps/web/public/demos/<name>/`` and writes marimo's frontend
``assets/`` (≈ 26 MB, identical for every demo exported by one marimo version)
once, into ``demos/_marimo/<version>-<hash>/assets/``. Only files whose
content changed are written (temp file, then rename); files of a demo that
its new export no longer has are removed. The stray ``CLAUDE.md`` marimo puts
into every export is left out. PATH must be the root of a git repository
with ``apps/web/``; the next git commands are printed at the end.

Why the layout works: in WebAssembly, ``mo.notebook_location()`` is the parent
of the folder that holds the Pyodide worker script (marimo crawls out of
``.../assets/worker-*.js``), and both the demo's wheel (``../public/wheels``)
and its data (``<notebook location>/public/...``) are found from there. So each
demo keeps its own small ``assets/`` with only the worker script (and what the
worker imports); the one place in the shared frontend that builds the worker's
URL from its own location is rewritten to take it from the page instead
(``./assets/worker-*.js`` relative to ``document.baseURI``), and the page's
references to ``./assets/`` point at the shared folder. Everything else keeps
marimo's semantics, so notebooks and ``climatevis.assets`` need no change.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from tools.buildgraph import own_size  # what the 500 KB budget counts: the page and public/

REPO = Path(__file__).resolve().parents[1]
SOURCE = REPO / "build" / "demos"
SHARED_ROOT = "_marimo"
EXCLUDE = {"CLAUDE.md", ".DS_Store"}

# `new URL(`worker-XXXX.js`, import.meta.url)` in one of marimo's chunks
WORKER_URL = re.compile(r"new URL\((?P<q>[`'\"])(?P<name>worker-[\w-]+\.js)(?P=q),\s*import\.meta\.url\)")
# href="./..." / src="./..." in index.html
PAGE_REF = re.compile(r"(?P<attr>\b(?:href|src)=)(?P<q>[\"'])(?P<url>[^\"']*)(?P=q)")
# relative module / asset references inside JS and CSS
JS_REF = re.compile(r"(?P<q>[`'\"])(?P<path>\./[\w@+.-]+\.(?:m?js|css|wasm|json|png|svg|woff2?|ttf|ico))(?P=q)")
JS_URL_REF = re.compile(r"new URL\((?P<q>[`'\"])(?P<path>[\w@+.-]+\.\w+)(?P=q),\s*import\.meta\.url\)")
CSS_URL = re.compile(r"url\((?P<q>[\"']?)(?P<path>(?!data:|https?:|#|/)[^)\"']+)(?P=q)\)")
# the rewritten worker URL (relative to the page)
PAGE_WORKER = re.compile(r"new URL\([`'\"]\./assets/(?P<name>worker-[\w-]+\.js)[`'\"],document\.baseURI\)")
WHEEL_REF = re.compile(r"\.\./public/wheels/[\w.%+-]+\.whl")
VERSION = re.compile(r'"version":\s*"(?P<v>[\w.+-]+)"')


#: What the website must allow for the demos (served as a Content-Security-Policy header).
#: Pyodide (runtime and packages) comes from jsDelivr, marimo's Pyodide lock file from
#: wasm.marimo.app, packages Pyodide lacks (plotly) from PyPI via micropip; WebAssembly
#: needs 'wasm-unsafe-eval'; marimo's page has inline bootstrap scripts and styles.
CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'", "'unsafe-inline'", "'wasm-unsafe-eval'", "https://cdn.jsdelivr.net"],
    "worker-src": ["'self'", "blob:"],
    "connect-src": ["'self'", "https://cdn.jsdelivr.net", "https://wasm.marimo.app", "https://pypi.org",
                    "https://files.pythonhosted.org"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:"],
    "font-src": ["'self'", "data:"],
    "frame-src": ["'self'", "blob:", "data:"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
}


def csp_header() -> str:
    """:data:`CONTENT_SECURITY_POLICY` as one header value."""
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in CONTENT_SECURITY_POLICY.items())


class PortfolioError(ValueError):
    """Refused or failed hand-off; the message says why and where."""


@dataclass
class Plan:
    """Destination path (relative to demos/) → source file, plus rewritten contents."""

    files: dict[str, Path] = field(default_factory=dict)
    contents: dict[str, bytes] = field(default_factory=dict)
    demos: list[str] = field(default_factory=list)
    shared: set[str] = field(default_factory=set)
    exports: list[Path] = field(default_factory=list)

    def data(self, rel: str) -> bytes:
        return self.contents[rel] if rel in self.contents else self.files[rel].read_bytes()


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and p.name not in EXCLUDE)


def find_demos(source: Path) -> list[Path]:
    """Export folders (each with index.html and assets/) under ``source``."""
    if not source.is_dir():
        raise PortfolioError(f"{source}: no exported demos (run `just export` first)")
    demos = sorted(d for d in source.iterdir() if (d / "index.html").is_file())
    if not demos:
        raise PortfolioError(f"{source}: no exported demos (run `just export` first)")
    for demo in demos:
        if not (demo / "assets").is_dir():
            raise PortfolioError(f"{demo}: an export without assets/ (not a `marimo export html-wasm` folder?)")
    return demos


def _worker(assets: Path) -> tuple[Path, re.Match[str]]:
    hits = [(js, m) for js in sorted(assets.glob("*.js")) for m in WORKER_URL.finditer(js.read_text("utf-8"))]
    if len(hits) != 1:
        raise PortfolioError(
            f"{assets}: expected one `new URL(`worker-*.js`, import.meta.url)` in marimo's frontend, "
            f"found {len(hits)}; this marimo version starts its Pyodide worker differently, so "
            "tools/portfolio.py must be adapted before the assets can be shared"
        )
    return hits[0]


def _module_closure(start: Path) -> list[Path]:
    """``start`` and the files it references relatively, transitively (same folder)."""
    seen: list[Path] = []
    todo = [start]
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.append(path)
        if path.suffix in (".js", ".mjs"):
            text = path.read_text("utf-8")
            refs = [m["path"] for m in JS_REF.finditer(text)] + [m["path"] for m in JS_URL_REF.finditer(text)]
            for ref in refs:
                target = (path.parent / ref).resolve()
                if target.is_file():
                    todo.append(target)
    return seen


def plan(source: Path = SOURCE) -> Plan:
    """What to write where (relative to ``apps/web/public/demos/``)."""
    out = Plan()
    for demo in find_demos(source):
        name = demo.name
        if name.startswith(SHARED_ROOT):
            raise PortfolioError(f"{demo}: a demo may not be called {SHARED_ROOT}*")
        out.demos.append(name)
        out.exports.append(demo)
        html = (demo / "index.html").read_text("utf-8")
        version = (VERSION.search(html) or {"v": "unknown"})["v"]
        assets = demo / "assets"
        shared_files = _files(assets)
        digest = _sha256(
            "".join(f"{p.relative_to(assets).as_posix()}\0{_sha256(p.read_bytes())}\n" for p in shared_files).encode()
        )
        shared = f"{SHARED_ROOT}/{version}-{digest[:10]}"
        out.shared.add(shared)

        chunk, match = _worker(assets)
        worker = assets / match["name"]
        if not worker.is_file():
            raise PortfolioError(f"{chunk}: refers to {match['name']}, which the export does not have")
        for path in shared_files:
            out.files[f"{shared}/assets/{path.relative_to(assets).as_posix()}"] = path
        patched = chunk.read_text("utf-8").replace(
            match[0], f"new URL({match['q']}./assets/{match['name']}{match['q']},document.baseURI)"
        )
        out.contents[f"{shared}/assets/{chunk.name}"] = patched.encode("utf-8")
        for path in _module_closure(worker.resolve()):
            out.files[f"{name}/assets/{path.relative_to(assets.resolve()).as_posix()}"] = path

        def rewrite(m: re.Match[str], shared: str = shared) -> str:
            url = m["url"]
            if url.startswith("./assets/"):
                url = f"../{shared}/assets/{url[len('./assets/'):]}"
            return f"{m['attr']}{m['q']}{url}{m['q']}"

        page = PAGE_REF.sub(rewrite, html)
        out.contents[f"{name}/index.html"] = page.encode("utf-8")
        for path in _files(demo):
            rel = path.relative_to(demo).as_posix()
            if rel != "index.html" and not rel.startswith("assets/"):
                out.files[f"{name}/{rel}"] = path
        out.files[f"{name}/index.html"] = demo / "index.html"
    return out


def check_repository(path: Path) -> Path:
    """The portfolio's ``apps/web/public/demos`` folder; refuses anything but a git repo root with apps/web/."""
    path = Path(path).expanduser()
    if not path.is_dir():
        raise PortfolioError(f"{path}: no such directory")
    try:
        top = subprocess.run(["git", "-C", str(path), "rev-parse", "--show-toplevel"],
                             capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise PortfolioError("git not found: it is needed to check the portfolio repository") from None
    if top.returncode != 0 or Path(top.stdout.strip()).resolve() != path.resolve():
        raise PortfolioError(f"{path}: not the root of a git repository (expected the portfolio monorepo)")
    if not (path / "apps" / "web").is_dir():
        raise PortfolioError(f"{path}: has no apps/web/ (expected the portfolio monorepo)")
    return path / "apps" / "web" / "public" / "demos"


@dataclass
class Result:
    written: list[str]
    unchanged: int
    removed: list[str]
    unused_shared: list[str]
    problems: list[str]


def _write(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, target)


def sync(the_plan: Plan, dest: Path, prune: bool = False) -> Result:
    """Write what changed, drop files a demo no longer has, verify the result."""
    written, unchanged = [], 0
    for rel in sorted(the_plan.files):
        target = dest / rel
        data = the_plan.data(rel)
        if target.is_file() and target.stat().st_size == len(data) and target.read_bytes() == data:
            unchanged += 1
            continue
        _write(target, data)
        written.append(rel)
    removed = []
    for name in the_plan.demos:
        for path in _files(dest / name) if (dest / name).is_dir() else []:
            rel = path.relative_to(dest).as_posix()
            if rel not in the_plan.files:
                path.unlink()
                removed.append(rel)
    used = shared_in_use(dest)
    unused = sorted(
        f"{SHARED_ROOT}/{d.name}" for d in (dest / SHARED_ROOT).iterdir()
        if d.is_dir() and f"{SHARED_ROOT}/{d.name}" not in used
    ) if (dest / SHARED_ROOT).is_dir() else []
    if prune:
        for rel in unused:
            shutil.rmtree(dest / rel)
            removed.append(rel + "/")
        unused = []
    return Result(written, unchanged, removed, unused, verify(dest, dangling_in_exports(the_plan.exports)))


def shared_in_use(dest: Path) -> set[str]:
    """The shared folders the demos' pages refer to."""
    return {shared for page in dest.glob("*/index.html") for shared in shared_in_use_of(page.read_text("utf-8"))}


def _refs_of(path: Path) -> list[str]:
    text = path.read_text("utf-8", errors="replace")
    if path.suffix == ".css":
        return [m["path"] for m in CSS_URL.finditer(text)]
    return [m["path"] for m in JS_REF.finditer(text)] + [m["path"] for m in JS_URL_REF.finditer(text)]


def _asset_key(path: Path) -> str:
    """A file's path inside its ``assets/`` folder (the same in an export and after the copy)."""
    parts = path.as_posix().split("/assets/")
    return parts[-1]


def dangling_in_exports(exports: list[Path]) -> set[tuple[str, str]]:
    """(file in assets/, reference) pairs that do not resolve in marimo's own export.

    Minified code holds strings that look like relative paths but are not
    fetched (e.g. a WebAssembly import namespace ``"./loro_wasm_bg.js"``, or the
    page-relative ``"./favicon.ico"``); only references that resolve in the
    export must keep resolving after the copy.
    """
    out = set()
    for export in exports:
        for path in (export / "assets").rglob("*"):
            if path.suffix in (".js", ".mjs", ".css") and path.is_file():
                for ref in _refs_of(path):
                    if not (path.parent / unquote(ref.split("?")[0].split("#")[0])).is_file():
                        out.add((_asset_key(path), ref))
    return out


def verify(dest: Path, ignore: set[tuple[str, str]] = frozenset()) -> list[str]:
    """Every reference a copied demo makes resolves to a file (empty list = all good).

    Checks each page's href/src, the page-relative worker every shared
    frontend expects, the wheels the notebook installs (relative to the worker),
    and the relative imports/urls of every JS and CSS file in use, except the
    ``ignore`` pairs (see :func:`dangling_in_exports`).
    """
    problems: list[str] = []
    checked: set[Path] = set()

    def scan(folder: Path) -> None:
        for path in sorted(folder.rglob("*")):
            if path in checked or path.suffix not in (".js", ".mjs", ".css") or not path.is_file():
                continue
            checked.add(path)
            for ref in _refs_of(path):
                if (_asset_key(path), ref) in ignore:
                    continue
                if not (path.parent / unquote(ref.split("?")[0].split("#")[0])).is_file():
                    problems.append(f"{path.relative_to(dest).as_posix()}: {ref} does not exist")

    for page in sorted(dest.glob("*/index.html")):
        demo = page.parent
        html = page.read_text("utf-8")
        for m in PAGE_REF.finditer(html):
            url = m["url"]
            if not url or urlsplit(url).scheme or url.startswith(("#", "/", "data:")):
                continue
            if not (demo / unquote(url.split("?")[0].split("#")[0])).is_file():
                problems.append(f"{demo.name}/index.html: {url} does not exist")
        for wheel in set(WHEEL_REF.findall(html)) | set(WHEEL_REF.findall(unquote(html))):
            if not (demo / "assets" / unquote(wheel)).resolve().is_file():
                problems.append(f"{demo.name}/index.html: wheel {unquote(wheel)} does not exist")
        for shared in shared_in_use_of(html):
            folder = dest / shared
            for js in folder.glob("assets/*.js"):
                for m in PAGE_WORKER.finditer(js.read_text("utf-8")):
                    if not (demo / "assets" / m["name"]).is_file():
                        problems.append(f"{demo.name}/assets/{m['name']} (the page-relative worker) does not exist")
            scan(folder)
        if (demo / "assets").is_dir():
            scan(demo / "assets")
    return problems


def shared_in_use_of(html: str) -> set[str]:
    """The shared folders (``_marimo/<id>``) one page refers to."""
    out = set()
    for m in PAGE_REF.finditer(html):
        parts = m["url"].split("/")
        if len(parts) > 3 and parts[0] == ".." and parts[1] == SHARED_ROOT:
            out.add(f"{SHARED_ROOT}/{parts[2]}")
    return out


class BrokenCopy(PortfolioError):
    """The copy was written, but a reference in it does not resolve."""


def hand_off(path: Path, demos: Path = SOURCE, prune: bool = False) -> None:
    """Copy the exports into the portfolio repository at ``path``; print what changed and the next steps.

    Raises :class:`PortfolioError` (refused; nothing written) or :class:`BrokenCopy` (a
    reference does not resolve; every problem is printed to stderr first).
    """
    dest = check_repository(path)
    the_plan = plan(demos)
    result = sync(the_plan, dest, prune=prune)
    print(f"{len(result.written)} files written, {result.unchanged} unchanged, {len(result.removed)} removed "
          f"in {dest}")
    for name in the_plan.demos:
        print(f"  {name}/  own files {own_size(dest / name) / 1024:.0f} KB")
    for shared in sorted(the_plan.shared):
        size = sum(p.stat().st_size for p in _files(dest / shared))
        print(f"  {shared}/  shared marimo frontend {size / 1e6:.1f} MB")
    for rel in result.removed:
        print(f"  removed {rel}")
    for rel in result.unused_shared:
        print(f"  unused {rel}/ (no demo refers to it; --prune deletes it)")
    if result.problems:
        for problem in result.problems:
            print(f"  {problem}", file=sys.stderr)
        raise BrokenCopy(f"{len(result.problems)} reference(s) in {dest} do not resolve (listed above)")
    print("\nNext, in the portfolio repository:")
    print(f"  cd {path}")
    print("  git status apps/web/public/demos")
    print("  git add apps/web/public/demos")
    print('  git commit -m "Update the climatevis demos"')
    print("\nThe site must allow the demos' sources (README.md, section Portfolio hand-off):")
    print(f"  Content-Security-Policy: {csp_header()}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.portfolio", description=__doc__.split("\n\n")[0])
    parser.add_argument("path", type=Path, help="the portfolio repository (root of a git checkout with apps/web/)")
    parser.add_argument("--demos", type=Path, default=SOURCE, help="exported demos (default: build/demos)")
    parser.add_argument("--prune", action="store_true", help="also delete shared folders no demo uses")
    opts = parser.parse_args(argv)
    try:
        hand_off(opts.path, opts.demos, opts.prune)
    except (PortfolioError, OSError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1 if isinstance(err, BrokenCopy) else 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
