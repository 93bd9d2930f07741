"""Test harness shared by the suites: free ports, marimo servers, headless Chromium.

Browser tests drive Debian's Chromium (``apt-get install chromium``) with
Playwright's Python API and ``executable_path``; Playwright's own browser
download does not work on the build machines.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "build" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
    "--no-first-run", "--disable-background-networking", "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_doit(repo: Path, *args: str, env: dict[str, str | None] | None = None,
             timeout: float = 600) -> subprocess.CompletedProcess:
    """``tools/run_doit.py ARGS`` in a copy of the repository; ``env`` overrides (None removes)."""
    full = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", **(env or {})}
    return subprocess.run([sys.executable, str(repo / "tools" / "run_doit.py"), *args], cwd=repo,
                          env={k: v for k, v in full.items() if v is not None},
                          capture_output=True, text=True, timeout=timeout)


def executed(result: subprocess.CompletedProcess) -> set[str]:
    """The tasks a doit run executed (``.  name``; up-to-date ones print ``-- name``)."""
    return {line[3:].strip() for line in result.stdout.splitlines() if line.startswith(".  ")}


def wait_http(url: str, timeout: float = 60.0, proc: subprocess.Popen | None = None) -> None:
    """Wait until ``url`` answers (any HTTP status), or fail naming the URL."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            out = proc.stdout.read() if proc.stdout else ""
            raise RuntimeError(f"server for {url} exited with {proc.returncode}: {out[-2000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer within {timeout:.0f} s")


def terminate(proc: subprocess.Popen, grace: float = 10.0) -> None:
    """Terminate ``proc``; kill it when it has not exited after ``grace`` seconds."""
    proc.terminate()
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@contextlib.contextmanager
def serve(cmd: list[str], url: str, env: dict[str, str] | None = None,
          timeout: float = 90.0) -> Iterator[subprocess.Popen]:
    """Run a server command until the ``with`` block ends; its output goes to the failure message."""
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env={**os.environ, **(env or {})}, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True,
    )
    try:
        wait_http(url, timeout, proc)
        yield proc
    finally:
        terminate(proc)


@contextlib.contextmanager
def marimo_run(notebook: Path, env: dict[str, str] | None = None) -> Iterator[str]:
    """``marimo run NOTEBOOK --headless`` on a free loopback port; yields its URL."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    cmd = [sys.executable, "-m", "marimo", "run", str(notebook), "--headless", "--host",
           "127.0.0.1", "--port", str(port), "--no-token"]
    with serve(cmd, url + "/health", env):
        yield url


def chromium_path() -> str:
    for candidate in (os.environ.get("CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser",
                      shutil.which("chromium"), shutil.which("google-chrome")):
        if candidate and Path(candidate).exists():
            return candidate
    pytest.skip("Chromium is not installed (apt-get install chromium chromium-driver)")


@pytest.fixture(scope="session")
def browser():
    """A headless Chromium driven by Playwright (one per test session)."""
    sync_api = pytest.importorskip("playwright.sync_api")
    path = chromium_path()
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    p = context.new_page()
    p.set_default_timeout(60_000)
    yield p
    context.close()


def screenshot(page, name: str) -> Path:
    """Save a full-page PNG to ``build/screenshots/<name>.png``."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def wait_marimo_idle(page, expect: str | None = None, timeout: float = 90.0) -> None:
    """Wait until ``expect`` (a CSS selector) is visible and no marimo cell is running or queued."""
    page.wait_for_selector(expect or "[data-cell-id]", state="attached", timeout=timeout * 1000)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        busy = page.locator('[data-status="running"], [data-status="queued"]').count()
        if busy == 0:
            page.wait_for_timeout(300)
            if page.locator('[data-status="running"], [data-status="queued"]').count() == 0:
                return
        page.wait_for_timeout(200)
    raise TimeoutError("marimo cells still running")
