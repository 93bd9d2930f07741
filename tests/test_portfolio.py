"""Portfolio hand-off: copy, deduplicate marimo's frontend, verify, refuse bad targets.

The exports are real ``marimo export html-wasm`` folders: ``build/demos/`` when
the build made them, otherwise the climate dashboard exported here (twice, under
two names, so that two demos share one frontend). A browser test serves the
copied site on loopback and checks that Chromium loads every file and starts the
Pyodide worker from the demo's own folder, and that marimo's own
``notebook_location()`` for that worker, fed to ``climatevis.assets``, finds
and loads the demo's weather data over HTTP.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
import types
from pathlib import Path

import pytest

from tests.conftest import canmet_epw_paths, shared_epw_paths
from tests.harness import ROOT
from tools import portfolio
from tools.buildgraph import own_size

BUILD_DEMOS = ROOT / "build" / "demos"


def _export(notebook: Path, out: Path) -> None:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    subprocess.run(
        [sys.executable, "-m", "marimo", "export", "html-wasm", str(notebook), "-o", str(out), "--mode", "run"],
        check=True, cwd=ROOT, env=env, capture_output=True, text=True,
    )
    epws = (shared_epw_paths() or canmet_epw_paths())[:2]
    if epws:  # the build bundles station assets into public/weather; do the same
        subprocess.run([sys.executable, "-m", "climatevis", "assets", *map(str, epws), "--out",
                        str(out / "public" / "weather")], check=True, cwd=ROOT, capture_output=True, text=True)


@pytest.fixture(scope="session")
def exports(tmp_path_factory) -> Path:
    """A folder of demo exports (each <name>/index.html + assets/ + public/)."""
    if BUILD_DEMOS.is_dir() and any((d / "index.html").is_file() for d in BUILD_DEMOS.iterdir()):
        return BUILD_DEMOS
    root = tmp_path_factory.mktemp("demos")
    _export(ROOT / "notebooks" / "demos" / "climate_dashboard.py", root / "climate-dashboard")
    shutil.copytree(root / "climate-dashboard", root / "climate-dashboard-copy")
    return root


def _portfolio_repo(root: Path) -> Path:
    (root / "apps" / "web").mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    return root


@pytest.fixture
def repo(tmp_path) -> Path:
    return _portfolio_repo(tmp_path / "ces-portfolio")


@pytest.fixture(scope="session")
def copied(exports, tmp_path_factory) -> tuple[Path, portfolio.Result, portfolio.Result]:
    """The exports copied twice into one portfolio repo: (demos dir, first result, second result)."""
    repo = _portfolio_repo(tmp_path_factory.mktemp("site") / "ces-portfolio")
    dest = portfolio.check_repository(repo)
    first = portfolio.sync(portfolio.plan(exports), dest)
    second = portfolio.sync(portfolio.plan(exports), dest)
    return dest, first, second


def test_first_copy_writes_all_second_copies_nothing(copied, exports):
    _, first, second = copied
    planned = portfolio.plan(exports)
    assert sorted(first.written) == sorted(planned.files)
    assert first.problems == [] and second.problems == []
    assert second.written == [] and second.removed == []
    assert second.unchanged == len(planned.files)


def test_frontend_is_shared_once_and_pages_point_at_it(copied, exports):
    dest, _, _ = copied
    demos = [d.name for d in portfolio.find_demos(exports)]
    shared = {s for d in demos for s in portfolio.shared_in_use_of((dest / d / "index.html").read_text())}
    assert len(shared) == 1, "one marimo version → one shared frontend"
    (folder,) = shared
    n_assets = len(list((exports / demos[0] / "assets").iterdir()))
    assert len(list((dest / folder / "assets").iterdir())) == n_assets
    for name in demos:
        html = (dest / name / "index.html").read_text()
        assert 'src="./assets/' not in html and 'href="./assets/' not in html
        own_assets = sorted(p.name for p in (dest / name / "assets").iterdir())
        assert own_assets and all(n.startswith(("worker-", "__vite")) for n in own_assets), own_assets
        assert not (dest / name / "CLAUDE.md").exists()
        assert (dest / name / "public").is_dir()
        # the demo's own files stay small; the 26 MB frontend is not among them
        assert own_size(dest / name) < 1_000_000
    assert len(portfolio.PAGE_WORKER.findall(
        "".join(p.read_text() for p in (dest / folder / "assets").glob("*.js")))) == 1


def test_only_changed_files_are_copied_and_stale_ones_removed(exports, repo, tmp_path):
    source = tmp_path / "demos"
    name = portfolio.find_demos(exports)[0].name
    shutil.copytree(exports / name, source / name)  # one demo is enough (and a third of the copying)
    dest = portfolio.check_repository(repo)
    portfolio.sync(portfolio.plan(source), dest)
    wheel = next((source / name / "public" / "wheels").glob("*.whl"))
    extra = source / name / "public" / "data" / "extra.csv"
    extra.parent.mkdir(parents=True, exist_ok=True)
    extra.write_text("a,b\n1,2\n")
    result = portfolio.sync(portfolio.plan(source), dest)
    assert result.written == [f"{name}/public/data/extra.csv"]
    extra.unlink()
    result = portfolio.sync(portfolio.plan(source), dest)
    assert result.written == [] and result.removed == [f"{name}/public/data/extra.csv"]
    assert (dest / name / wheel.relative_to(source / name)).is_file()


def test_a_missing_shared_file_is_reported(copied, tmp_path):
    dest, _, _ = copied
    site = tmp_path / "site"
    shutil.copytree(dest, site)
    (folder,) = portfolio.shared_in_use(site)
    css = next((site / folder / "assets").glob("index-*.css"))
    css.unlink()
    problems = portfolio.verify(site)
    assert any(css.name in p and "index.html" in p for p in problems), problems
    next(site.glob("*/assets/worker-*.js")).unlink()
    assert any("page-relative worker" in p for p in portfolio.verify(site))


def test_refuses_a_folder_that_is_not_the_portfolio_repository(tmp_path, exports):
    plain = tmp_path / "plain"
    (plain / "apps" / "web").mkdir(parents=True)
    with pytest.raises(portfolio.PortfolioError, match="not the root of a git repository"):
        portfolio.check_repository(plain)
    bare = _portfolio_repo(tmp_path / "no-web")
    shutil.rmtree(bare / "apps")
    with pytest.raises(portfolio.PortfolioError, match="no apps/web"):
        portfolio.check_repository(bare)
    inside = _portfolio_repo(tmp_path / "outer") / "apps"
    with pytest.raises(portfolio.PortfolioError, match="not the root"):
        portfolio.check_repository(inside)
    # the command line refuses with exit 2 and writes nothing
    code = subprocess.run([sys.executable, "-m", "tools.portfolio", str(plain), "--demos", str(exports)],
                          cwd=ROOT, capture_output=True, text=True)
    assert code.returncode == 2 and "not the root of a git repository" in code.stderr
    assert not (plain / "apps" / "web" / "public").exists()


def test_command_line_prints_the_next_git_commands(exports, copied):
    repo = copied[0].parents[3]  # <repo>/apps/web/public/demos, already up to date: nothing to write
    run = subprocess.run([sys.executable, "-m", "tools.portfolio", str(repo), "--demos", str(exports)],
                         cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("0 files written")
    assert "git add apps/web/public/demos" in run.stdout and f"cd {repo}" in run.stdout


def test_doit_task_refuses_in_one_line(tmp_path):
    import dodo

    failed = dodo._portfolio(str(tmp_path))
    assert failed.get_msg().strip() == f"{tmp_path}: not the root of a git repository (expected the portfolio monorepo)"
    assert "give the portfolio repository" in dodo._portfolio("").get_msg()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Static files with the Content-Security-Policy the README asks the website to send."""

    def end_headers(self):
        self.send_header("Content-Security-Policy", portfolio.csp_header())
        super().end_headers()

    def log_message(self, *args):
        pass


@contextlib.contextmanager
def static_site(folder: Path):
    """A static file server for ``folder`` on a free loopback port; yields its base URL."""
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.browser
@pytest.mark.slow
def test_browser_loads_the_shared_frontend_and_the_demo_finds_its_data(copied, browser, monkeypatch):
    """Chromium loads each copied page from the shared frontend without a missing file or a
    violation of the documented Content-Security-Policy, starts the worker from the demo's
    folder, and marimo's notebook_location() for that worker leads climatevis.assets to the
    demo's own data (read over HTTP, sha256-checked)."""
    import marimo._runtime.runtime as runtime

    from climatevis import assets

    dest, _, _ = copied
    with static_site(dest.parent) as base:  # apps/web/public
        context = browser.new_context()
        external: list[str] = []

        def only_loopback(route):  # the demo would load Pyodide from its CDN: not here
            if route.request.url.startswith(base + "/"):
                route.continue_()
            else:
                external.append(route.request.url)
                route.abort()

        context.route("**/*", only_loopback)
        try:
            for page_html in sorted(dest.glob("*/index.html")):
                name = page_html.parent.name
                page = context.new_page()
                failed: list[str] = []
                page.on("response", lambda r, failed=failed: r.status >= 400 and failed.append(f"{r.status} {r.url}"))
                page.on("console", lambda m, failed=failed: "Content Security Policy" in m.text
                        and failed.append(m.text))
                with page.expect_event("worker", timeout=90_000) as event:
                    page.goto(f"{base}/demos/{name}/", wait_until="commit")
                worker_url = event.value.url
                page.wait_for_timeout(1500)
                page.close()
                assert failed == [], failed
                assert worker_url.startswith(f"{base}/demos/{name}/assets/worker-"), worker_url
                assert any("pyodide" in u for u in external), "the worker went on to load Pyodide"

                # What the worker's Python sees: marimo's own notebook_location() for this URL.
                monkeypatch.setattr(runtime, "is_pyodide", lambda: True)
                monkeypatch.setitem(sys.modules, "js", types.SimpleNamespace(location=worker_url))
                location = runtime.notebook_location()
                assert str(location).rstrip("/").endswith(f"/demos/{name}")
                if (page_html.parent / "public" / "weather" / "index.json").is_file():
                    root = assets.asset_root(location)
                    stations = assets.read_index(root)
                    weather = assets.load_station(root, stations[0])
                    assert len(weather.data) >= 8760
        finally:
            context.close()
