"""The engineers' server over HTTP, websockets and in a browser, started like the container.

Each server runs as ``python -m climatevis.server --host 127.0.0.1 --port <free>`` in a
folder laid out like the image's /app (a copy of notebooks/, data/, station assets in
build/assets/weather derived from real EPWs), so nothing here writes into the repository.
"""

from __future__ import annotations

import asyncio
import base64
import concurrent.futures
import contextlib
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil
import pytest
from websockets.asyncio.client import connect as ws_connect
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect as ws_connect_sync

from tests.conftest import canmet_epw_paths, shared_epw_paths
from tests.harness import ROOT, free_port, screenshot, terminate, wait_http

PASSWORD = "correct-horse-battery-staple"
FILE_PASSWORD = "another-long-password-from-a-file"
REPORTS = ROOT / "build" / "reports"
_ENV_DROP = ("MARIMO_PASSWORD", "MARIMO_PASSWORD_FILE", "CLIMATEVIS_BASE_URL",
             "CLIMATEVIS_NOTEBOOKS", "CLIMATEVIS_SESSION_SECRET", "CLIMATEVIS_ASSETS",
             "FORWARDED_ALLOW_IPS")
DEMO = "climate-dashboard"   # the foundation demo: always present


# --------------------------------------------------------------------------- servers


@dataclass
class Served:
    url: str           # http://127.0.0.1:<port>
    base: str          # "" or e.g. "/tools"
    proc: subprocess.Popen
    log: Path

    def client(self, **kwargs) -> httpx.Client:
        return httpx.Client(base_url=self.url, follow_redirects=False, trust_env=False,
                            timeout=120, **kwargs)

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def rss(self, children: bool = False) -> int:
        """Resident memory of the server process (with its children: the editor), bytes."""
        proc = psutil.Process(self.proc.pid)
        family = [proc, *proc.children(recursive=True)] if children else [proc]
        return sum(p.memory_info().rss for p in family)


def expected_notebooks(notebooks: Path) -> dict[str, Path]:
    """slug -> file, found independently of climatevis.server.catalog."""
    found = {}
    for path in notebooks.rglob("*.py"):
        if "__marimo__" in path.parts or path.name.startswith("_"):
            continue
        if re.search(r"^app = marimo\.App\(", path.read_text(encoding="utf-8"), re.M):
            found[re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-")] = path
    return found


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """A copy of what the image holds under /app, with station assets built from real EPWs."""
    epws = shared_epw_paths() or canmet_epw_paths()    # like `just assets`: 4-5 stations
    if not epws:
        pytest.skip("no EPW files to derive the demos' station assets from")
    root = tmp_path_factory.mktemp("app")
    shutil.copytree(ROOT / "notebooks", root / "notebooks",
                    ignore=shutil.ignore_patterns("__marimo__", "__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", root)
    if (ROOT / "data").is_dir():
        (root / "data").symlink_to(ROOT / "data", target_is_directory=True)
    subprocess.run([sys.executable, "-m", "climatevis", "assets", *map(str, epws), "--out",
                    str(root / "build" / "assets" / "weather")], check=True, cwd=root,
                   stdout=subprocess.DEVNULL)
    (root / "home").mkdir()
    (root / "secret").write_text(FILE_PASSWORD + "\n", encoding="utf-8")
    (root / "short.env").write_text("# a dotenv file\nexport MARIMO_PASSWORD='short'\n")
    return root


def server_env(site: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _ENV_DROP}
    env["HOME"] = str(site / "home")   # marimo's user config and recents stay out of ~
    env.update(extra)
    return env


def server_cmd(port: int, *args: str) -> list[str]:
    """The container's CMD with a loopback address and a free port."""
    return [sys.executable, "-m", "climatevis.server", "--host", "127.0.0.1", "--port",
            str(port), *args]


@contextlib.contextmanager
def run_server(site: Path, env: dict[str, str], *args: str, base: str = "") -> Iterator[Served]:
    port = free_port()
    log = site / f"server-{port}.log"
    with open(log, "w", encoding="utf-8") as out:
        proc = subprocess.Popen(server_cmd(port, *args), cwd=site, env=env, stdout=out,
                                stderr=subprocess.STDOUT)
    served = Served(f"http://127.0.0.1:{port}", base, proc, log)
    try:
        try:
            wait_http(f"{served.url}{base}/health", 120, proc)
        except (RuntimeError, TimeoutError) as err:
            raise RuntimeError(f"{err}\n{served.log_text()[-3000:]}") from None
        yield served
    finally:
        terminate(proc, grace=20)
    assert not [p for p in psutil.process_iter(["cmdline"])
                if f"--port {port}" in " ".join(p.info["cmdline"] or [])], "orphaned children"


@pytest.fixture(scope="module")
def server(site) -> Iterator[Served]:
    with run_server(site, server_env(site, MARIMO_PASSWORD=PASSWORD)) as served:
        yield served


@pytest.fixture(scope="module")
def cookie(server) -> str:
    with server.client() as http:
        r = http.post("/login", data={"password": PASSWORD, "next": "/"})
    assert r.status_code == 303, r.text
    return r.cookies["climatevis_session"]


def login_headers(cookie: str) -> dict[str, str]:
    return {"cookie": f"climatevis_session={cookie}"}


def ws_url(served: Served, path: str) -> str:
    return served.url.replace("http://", "ws://") + served.base + path


def basic(password: str) -> dict[str, str]:
    return {"authorization": "Basic " + base64.b64encode(f"engineer:{password}".encode()).decode()}


def run_async(coroutine):
    """asyncio.run in a worker thread (Playwright's sync API owns this thread's event loop)."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def ws_refused_status(url: str, headers: dict[str, str] | None = None) -> int:
    with pytest.raises(InvalidStatus) as refused:
        with ws_connect_sync(url, additional_headers=headers, proxy=None, open_timeout=60):
            pass
    return refused.value.response.status_code


# --------------------------------------------------------------------------- HTTP


def test_health_is_open_and_says_ok(server):
    with server.client() as http:
        r = http.get("/health")
    assert r.status_code == 200 and r.json() == {"status": "ok"}
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors" in r.headers["content-security-policy"]


def test_every_other_path_needs_a_login(server):
    paths = ["/", f"/{DEMO}/", f"/{DEMO}/api/status", "/edit/", "/edit/api/home/workspace_files",
             "/no-such-page", "/favicon.ico", *[f"/{slug}/" for slug in
                                                expected_notebooks(ROOT / "notebooks")]]
    with server.client() as http:
        for path in paths:
            api = http.get(path)
            assert api.status_code == 401, path
            assert api.headers["www-authenticate"].startswith("Basic")
            page = http.get(path, headers={"accept": "text/html"})
            assert page.status_code == 303, path
            assert page.headers["location"].startswith("/login?next=")
            assert http.post(path, content=b"{}").status_code == 401, path
        # a wrong HTTP Basic password is refused too (once: failures are rate-limited)
        assert http.get("/", headers=basic("not-the-password")).status_code == 401
    assert ws_refused_status(ws_url(server, f"/{DEMO}/ws?session_id=s_anon")) == 401
    assert ws_refused_status(ws_url(server, "/edit/ws?session_id=s_anon")) == 401


def test_login_sets_a_hardened_session_cookie(server):
    with server.client() as http:
        form = http.get("/login?next=/climate-dashboard/")
        assert form.status_code == 200 and 'name="password"' in form.text
        assert "default-src 'none'" in form.headers["content-security-policy"]
        assert form.headers["x-frame-options"] == "SAMEORIGIN"
        ok = http.post("/login", data={"password": PASSWORD, "next": f"/{DEMO}/"})
        assert ok.status_code == 303 and ok.headers["location"] == f"/{DEMO}/"
        cookie = ok.headers["set-cookie"].lower()
        for attribute in ("httponly", "samesite=lax", "path=/", "max-age=43200"):
            assert attribute in cookie
        assert "secure" not in cookie                       # plain HTTP on loopback
        # behind the load balancer (a trusted proxy says the client used HTTPS)
        tls = http.post("/login", data={"password": PASSWORD, "next": "https://evil.example/"},
                        headers={"x-forwarded-proto": "https"})
        assert "secure" in tls.headers["set-cookie"].lower()
        assert tls.headers["strict-transport-security"].startswith("max-age=")
        assert tls.headers["location"] == "/"               # no open redirect


def test_index_lists_every_notebook_with_its_description(server, cookie, site):
    with server.client() as http:
        r = http.get("/", headers=login_headers(cookie))
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    html = r.text
    expected = expected_notebooks(site / "notebooks")
    assert len(re.findall(r'<li class="card"', html)) == len(expected)
    for slug, path in expected.items():
        assert f'href="/{slug}/"' in html, slug
        assert f'/edit/?file={path.relative_to(site / "notebooks").as_posix()}"' in html
    card = re.search(r'<li class="card" data-notebook="climate-dashboard">.*?</li>', html).group(0)
    assert "Climate dashboard" in card and "What is the climate of a site" in card
    for group, heading in (("demos", "Demos"), ("analysis", "Analysis")):
        if any(p.parent.name == group for p in expected.values()):
            assert f"<h2>{heading}</h2>" in html


def test_each_app_page_loads(server, cookie, site):
    with server.client(headers=login_headers(cookie)) as http:
        for slug in expected_notebooks(site / "notebooks"):
            r = http.get(f"/{slug}/")
            assert r.status_code == 200, (slug, r.text[:300])
            assert "<marimo-filename" in r.text and "<marimo-code" not in r.text  # run mode
            assert http.get(f"/{slug}").status_code in (301, 307)                 # slash added


async def run_session(url: str, headers: dict[str, str], timeout: float = 180) -> dict:
    """Open one app session over marimo's websocket and wait until every cell has run."""
    status: dict[str, str] = {}
    errors: list[str] = []
    ran = False
    async with ws_connect(url, additional_headers=headers, proxy=None, max_size=None,
                          open_timeout=60) as ws:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            data = json.loads(await asyncio.wait_for(ws.recv(), timeout)).get("data", {})
            if data.get("op") == "kernel-ready":
                status = dict.fromkeys(data["cell_ids"], "idle")
            elif data.get("op") == "cell-op":
                if data.get("status"):
                    status[data["cell_id"]] = data["status"]
                    ran = ran or data["status"] == "running"
                output = data.get("output") or {}
                if "error" in str(output.get("mimetype", "")):
                    errors.append(f"{data['cell_id']}: {str(output.get('data'))[:300]}")
            if ran and status and all(s == "idle" for s in status.values()):
                return {"cells": len(status), "errors": errors, "ws": ws}
    raise TimeoutError(f"{url}: cells still running after {timeout:.0f} s: {status}")


def test_app_websocket_runs_the_notebook_when_logged_in(server, cookie):
    url = ws_url(server, f"/{DEMO}/ws?session_id=s_{uuid.uuid4().hex[:8]}")
    result = run_async(run_session(url, login_headers(cookie)))
    assert result["cells"] > 0 and result["errors"] == []


def test_editor_needs_a_login_and_runs_behind_the_proxy(server, cookie):
    with server.client() as http:
        assert http.get("/edit/", headers={"accept": "text/html"}).status_code == 303
        r = http.get("/edit/", headers=login_headers(cookie))
        assert r.status_code == 200 and "<marimo-" in r.text
        assert http.get("/edit").status_code == 401                 # even the redirect
    editors = [p for p in psutil.Process(server.proc.pid).children()
               if "edit" in p.cmdline() and "marimo" in " ".join(p.cmdline())]
    assert len(editors) == 1
    listening = [c for c in editors[0].net_connections("inet") if c.status == psutil.CONN_LISTEN]
    assert listening and all(c.laddr.ip == "127.0.0.1" for c in listening)
    direct = httpx.get(f"http://127.0.0.1:{listening[0].laddr.port}/edit/api/usage",
                       trust_env=False)
    assert direct.status_code == 401                                  # its own token is secret
    # its websockets through the proxy: test_browser_editor_opens_and_runs_a_notebook


def test_cross_site_requests_are_refused(server, cookie):
    evil = {**login_headers(cookie), "origin": "http://evil.example"}
    with server.client() as http:
        assert http.post("/logout", headers=evil).status_code == 403
        assert http.post("/login", data={"password": PASSWORD},
                         headers={"origin": "http://evil.example"}).status_code == 403
    assert ws_refused_status(ws_url(server, f"/{DEMO}/ws?session_id=s_evil"), evil) == 403


def test_logout_ends_the_session(server):
    with server.client() as http:
        mine = http.post("/login", data={"password": PASSWORD}).cookies["climatevis_session"]
        assert http.get("/", headers=login_headers(mine)).status_code == 200
        out = http.post("/logout", headers={**login_headers(mine), "origin": server.url})
        assert out.status_code == 303 and out.headers["location"] == "/login"
        assert 'climatevis_session=""' in out.headers["set-cookie"]
        assert http.get("/", headers=login_headers(mine)).status_code == 401


# --------------------------------------------------------------------------- start-up


@pytest.mark.parametrize("env, args, message", [
    ({}, [], "no password configured"),
    ({}, ["--insecure-local", "--host", "0.0.0.0"], "binds only to 127.0.0.1"),
    ({"MARIMO_PASSWORD": "short"}, [], "shorter than 8"),
    ({"MARIMO_PASSWORD": PASSWORD, "MARIMO_PASSWORD_FILE": "/x"}, [], "not both"),
    ({"MARIMO_PASSWORD_FILE": "/nonexistent/secret"}, [], "cannot read"),
    ({"MARIMO_PASSWORD": PASSWORD}, ["--base-url", "tools"], "use a path like"),
    ({"MARIMO_PASSWORD": PASSWORD}, ["--notebooks", "missing"], "notebooks folder not found"),
    ({}, ["--env-file", "short.env"], "shorter than 8"),       # the dotenv file is read
])
def test_refuses_to_start_with_one_clear_line(site, env, args, message):
    cmd = server_cmd(free_port(), *args)
    if "--host" in args:  # the later --host wins, as with any argparse option
        cmd = [*cmd[:3], *args]
    done = subprocess.run(cmd, cwd=site, env=server_env(site, **env), capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 2
    assert message in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "Traceback" not in done.stderr


def test_insecure_local_mode_serves_loopback_only(site):
    env = server_env(site, FORWARDED_ALLOW_IPS="*")
    with run_server(site, env, "--insecure-local", "--no-edit") as local:
        with local.client() as http:
            assert http.get("/").status_code == 200
            assert http.get(f"/{DEMO}/").status_code == 200
            rebound = http.get("/", headers={"host": "evil.example:80"})
            assert rebound.status_code == 403                  # DNS rebinding
            assert http.get("/edit/").status_code == 404       # --no-edit
        assert "NO PASSWORD" in local.log_text()
        assert "clients choose the address failed logins are counted under" in local.log_text()


# --------------------------------------------------------------------------- base URL, limits


@pytest.fixture(scope="module")
def tools_server(site) -> Iterator[Served]:
    env = server_env(site, MARIMO_PASSWORD_FILE=str(site / "secret"))
    with run_server(site, env, "--base-url", "/tools", "--no-edit", base="/tools") as served:
        yield served


def test_base_url_moves_every_path_and_the_health_check(tools_server):
    with tools_server.client() as http:
        health = http.get("/tools/health")
        assert health.status_code == 200 and health.json() == {"status": "ok"}
        assert http.get("/health").status_code in (401, 404)
        assert http.get("/tools/").status_code == 401
        login = http.post("/tools/login", data={"password": FILE_PASSWORD, "next": "/tools/"})
        assert login.status_code == 303 and login.headers["location"] == "/tools/"
        assert "path=/tools" in login.headers["set-cookie"].lower()
        headers = login_headers(login.cookies["climatevis_session"])
        index = http.get("/tools/", headers=headers).text
        assert f'href="/tools/{DEMO}/"' in index and "/tools/edit/" not in index
        assert http.get(f"/tools/{DEMO}/", headers=headers).status_code == 200
        assert http.get("/tools/edit/", headers=headers).status_code == 404
    url = ws_url(tools_server, f"/{DEMO}/ws?session_id=s_tools")
    assert run_async(run_session(url, headers))["errors"] == []


def test_wrong_passwords_are_refused_counted_and_rate_limited(tools_server):
    attacker = {"x-forwarded-for": "203.0.113.9"}      # loopback is a trusted proxy
    with tools_server.client() as http:
        for _ in range(5):
            r = http.post("/tools/login", data={"password": "guess-guess"}, headers=attacker)
            assert r.status_code == 401 and "Wrong password" in r.text
        assert "login failed from 203.0.113.9 (5 failures in the window)" in tools_server.log_text()
        locked = http.post("/tools/login", data={"password": FILE_PASSWORD}, headers=attacker)
        assert locked.status_code == 429 and int(locked.headers["retry-after"]) > 500
        assert http.get("/tools/", headers={**attacker, **basic(FILE_PASSWORD)}).status_code == 429
        other = http.post("/tools/login", data={"password": FILE_PASSWORD},
                          headers={"x-forwarded-for": "198.51.100.4"})
        assert other.status_code == 303                    # others are not locked out
        session = login_headers(other.cookies["climatevis_session"])
        http.cookies.clear()                               # every request below says who it is
        # a distributed guess: 100 failures in a minute from anywhere stop every login
        for i in range(100):
            http.get("/tools/", headers={"x-forwarded-for": f"192.0.2.{i}", **basic("guess")})
        blocked = http.post("/tools/login", data={"password": FILE_PASSWORD},
                            headers={"x-forwarded-for": "198.51.100.77"})
        assert blocked.status_code == 429
        assert http.get("/tools/", headers=session).status_code == 200   # sessions still work


def test_the_image_healthcheck_follows_the_base_url(tools_server):
    """The Dockerfile's HEALTHCHECK command, pointed at this server: exit 0 only when healthy."""
    from tests.test_container import instructions

    health = next(args for name, args in instructions() if name == "HEALTHCHECK")
    port = tools_server.url.rsplit(":", 1)[1]
    probe = [sys.executable if c == "python" else c.replace("7860", port)
             for c in json.loads(health.split("CMD", 1)[1])]

    def exit_status(base_url: str) -> int:
        env = {**os.environ, "CLIMATEVIS_BASE_URL": base_url}
        return subprocess.run(probe, env=env, capture_output=True, timeout=30).returncode

    assert exit_status("/tools") == 0
    assert exit_status("") != 0                                  # /health is under /tools
    probe = [c.replace(port, str(free_port())) for c in probe]
    assert exit_status("/tools") != 0                            # nothing listening


# --------------------------------------------------------------------------- browser


FINGERPRINT_JS = """els => els.map(e => {
  const s = JSON.stringify(e.data || []); let h = 0;
  for (let i = 0; i < s.length; i++) { h = (h * 31 + s.charCodeAt(i)) | 0; }
  return s.length + ':' + h; })"""


def fingerprint(page) -> tuple:
    """What the notebook shows: plotly data (hashed) and the text of every output."""
    plots = tuple(page.locator(".js-plotly-plot").evaluate_all(FINGERPRINT_JS))
    texts = tuple(page.locator(".output-area").all_inner_texts())
    return plots, texts


INPUTS = {"slider": "[role=slider]", "select": "select", "number": "input[type=number]"}


def settle(page, timeout: float = 150) -> tuple:
    """Wait until the kernel has drawn the inputs, no cell runs and the outputs stop changing."""
    page.wait_for_selector("[data-cell-id]", state="attached", timeout=timeout * 1000)
    inputs = ", ".join(INPUTS.values())
    deadline, last = time.monotonic() + timeout, None
    while time.monotonic() < deadline:
        busy = page.locator('[data-status="running"], [data-status="queued"]').count()
        now = fingerprint(page)
        if not busy and now == last and page.locator(inputs).count():
            return now
        last = now
        page.wait_for_timeout(1500)
    raise TimeoutError(f"{page.url}: the app did not settle in {timeout:.0f} s")


def _move(kind: str, element) -> None:
    if kind == "slider":
        element.focus()
        for _ in range(3):
            element.press("ArrowRight")
    elif kind == "select":
        values = element.locator("option").evaluate_all("os => os.map(o => o.value)")
        others = [v for v in values if v != element.input_value()]
        if others:
            element.select_option(others[-1])
    else:
        element.fill(str(float(element.input_value() or 0) + 1))
        element.press("Enter")


def change_an_input(page, before: tuple) -> str:
    """Move a slider, pick another option or change a number until an output changes."""
    attempts = []
    for kind, selector in INPUTS.items():
        found = page.locator(selector)
        attempts += [(kind, i, found.nth(i)) for i in range(min(found.count(), 3))]
    for kind, i, element in attempts:
        _move(kind, element)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            page.wait_for_timeout(500)
            if fingerprint(page) != before:
                return f"{kind} {i}"
    raise AssertionError(f"{page.url}: no input changed any output (tried {len(attempts)})")


def browser_login(browser, served: Served):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(120_000)
    page.goto(served.url + "/")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("li.card")
    return context, page


@pytest.mark.browser
@pytest.mark.slow
def test_browser_login_index_and_every_demo_reacts(server, browser, site):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(120_000)
    page.goto(f"{server.url}/{DEMO}/")
    assert "/login?next=" in page.url
    screenshot(page, "server-login")
    page.fill("#password", "not-the-password")
    page.click("button[type=submit]")
    assert page.locator("p.error").inner_text() == "Wrong password."
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{server.url}/{DEMO}/")
    page.goto(server.url + "/")
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(0, 0, 0)"
    assert page.evaluate("getComputedStyle(document.querySelector('h1')).color") == \
        "rgb(212, 167, 44)"                                                    # CES gold
    screenshot(page, "server-index")
    demos = [slug for slug, path in expected_notebooks(site / "notebooks").items()
             if path.parent.name == "demos"]
    changed = {}
    for slug in demos:
        page.goto(server.url + "/")
        page.click(f'li.card[data-notebook="{slug}"] a.button')
        page.wait_for_url(f"{server.url}/{slug}/")
        before = settle(page)
        changed[slug] = change_an_input(page, before)
        settle(page)
        screenshot(page, f"server-{slug}")
    context.close()
    assert set(changed) == set(demos), changed


@pytest.mark.browser
@pytest.mark.slow
def test_browser_editor_opens_and_runs_a_notebook(server, browser):
    context, page = browser_login(browser, server)
    page.goto(f"{server.url}/edit/?file=demos/climate_dashboard.py")
    page.wait_for_selector("[data-cell-id]")
    page.locator('[data-testid="chrome-controls-bottom-right"] [data-testid="run-button"]').click()
    page.wait_for_selector(".js-plotly-plot", timeout=180_000)
    screenshot(page, "server-editor")
    context.close()


# --------------------------------------------------------------------------- load, memory


def write_report(name: str, payload: dict) -> None:
    REPORTS.mkdir(parents=True, exist_ok=True)
    (REPORTS / f"{name}.json").write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    print(f"\n{name}: {json.dumps(payload, indent=2)}")


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 \
        else values[0]


async def keep_alive_client(host: str, port: int, paths: tuple[str, ...], headers: dict[str, str],
                            stop: float, latencies: dict[str, list[float]], errors: list[str],
                            offset: int) -> None:
    """One HTTP/1.1 keep-alive connection sending GETs in turn until ``stop``.

    Plain asyncio streams: httpx's async client stalls with 50 concurrent clients in one
    process and would measure itself rather than the server.
    """
    reader, writer = await asyncio.open_connection(host, port)
    extra = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    n = offset
    try:
        while time.monotonic() < stop:
            path = paths[n % len(paths)]
            n += 1
            t = time.perf_counter()
            writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n{extra}\r\n".encode())
            await writer.drain()
            head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
            fields = dict(line.lower().split(": ", 1) for line in head[1:] if ": " in line)
            await reader.readexactly(int(fields["content-length"]))
            latencies[path].append(time.perf_counter() - t)
            if head[0].split()[1] != "200":
                errors.append(f"{path}: {head[0]}")
    except (OSError, asyncio.IncompleteReadError, KeyError, ValueError) as err:
        errors.append(f"connection {offset}: {type(err).__name__}: {err}")
    finally:
        writer.close()


@pytest.mark.slow
def test_load_50_clients_for_20_seconds(server, cookie):
    """Bounded load on loopback; reports latency and memory, asserts only 'no errors'."""
    clients, seconds = 50, 20.0
    paths = ("/health", f"/{DEMO}/")
    latencies: dict[str, list[float]] = {p: [] for p in paths}
    errors: list[str] = []
    rss = [server.rss()]
    port = int(server.url.rsplit(":", 1)[1])

    async def sample(stop: float) -> None:
        while time.monotonic() < stop:
            await asyncio.sleep(0.5)
            rss.append(server.rss())

    async def main() -> None:
        stop = time.monotonic() + seconds
        await asyncio.gather(sample(stop), *(
            keep_alive_client("127.0.0.1", port, paths, login_headers(cookie), stop, latencies,
                              errors, i) for i in range(clients)))

    run_async(main())
    report = {"clients": clients, "seconds": seconds, "errors": len(errors),
              "server_rss_before_mb": round(rss[0] / 2**20, 1),
              "server_rss_peak_mb": round(max(rss) / 2**20, 1),
              "with_editor_processes_mb": round(server.rss(children=True) / 2**20, 1)}
    for path, values in latencies.items():
        report[path] = {"requests": len(values), "per_s": round(len(values) / seconds, 1),
                        "p50_ms": round(1000 * statistics.median(values), 1),
                        "p99_ms": round(1000 * percentile(values, 99), 1)}
    write_report("server-load", report)
    assert not errors, errors[:10]
    assert all(latencies.values())


@pytest.mark.slow
def test_twenty_app_sessions_memory(server, cookie):
    """20 concurrent app sessions (websockets that each run the notebook); memory per session."""
    headers = login_headers(cookie)

    def url() -> str:
        return ws_url(server, f"/{DEMO}/ws?session_id=s_{uuid.uuid4().hex[:10]}")

    async def main() -> dict:
        warm = await run_session(url(), headers)         # first session imports the libraries
        await asyncio.sleep(1)
        rss_one = server.rss()
        t = time.perf_counter()
        results = await asyncio.gather(*(run_session(url(), headers) for _ in range(20)))
        elapsed = time.perf_counter() - t
        await asyncio.sleep(1)
        rss_all = server.rss()
        for r in [warm, *results]:
            await r["ws"].close()
        return {"sessions": 20, "errors": [e for r in results for e in r["errors"]],
                "all_ran_s": round(elapsed, 1), "rss_with_1_session_mb": round(rss_one / 2**20, 1),
                "rss_with_21_sessions_mb": round(rss_all / 2**20, 1),
                "mb_per_extra_session": round((rss_all - rss_one) / 20 / 2**20, 2)}

    report = run_async(main())
    write_report("server-sessions", report)
    assert report["errors"] == []
