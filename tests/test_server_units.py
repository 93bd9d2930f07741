"""Unit tests of the server's parts: notebook catalog, password, sessions, rate limit, pages."""

from __future__ import annotations

import base64
import textwrap
from pathlib import Path

import pytest

from climatevis.server import pages
from climatevis.server.app import normalize_base_url
from climatevis.server.auth import (
    AuthConfigError,
    Guard,
    LoginLimiter,
    SessionSigner,
    basic_password,
    load_password,
)
from climatevis.server.catalog import CatalogError, describe, discover, slug_of

NOTEBOOK = '''
import marimo

app = marimo.App(app_title="Fallback title")


@app.cell
def _():
    import marimo as mo
    return (mo,)


@app.cell
def _(mo):
    mo.md(r"""
    # Heat **pumps** in `Vienna`

    How big must a heat pump be? See [the norm](https://example.org)
    for the method.

    A second paragraph that is not the description.
    """)
    return


@app.cell
def _(mo):
    mo.md("# A later heading")
    return
'''


def write(folder: Path, relative: str, text: str) -> Path:
    path = folder / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


# --------------------------------------------------------------------------- catalog


def test_describe_takes_first_heading_and_paragraph_as_plain_text():
    title, description = describe(NOTEBOOK)
    assert title == "Heat pumps in Vienna"
    assert description == "How big must a heat pump be? See the norm for the method."


def test_describe_falls_back_to_app_title_without_markdown():
    assert describe("import marimo\napp = marimo.App(app_title='Only a title')\n") == (
        "Only a title", "")


def test_discover_finds_apps_only_and_groups_them(tmp_path):
    write(tmp_path, "demos/heat_pump.py", NOTEBOOK)
    write(tmp_path, "analysis/Data Pipeline.py", NOTEBOOK.replace("Heat **pumps**", "ETL"))
    write(tmp_path, "demos/helpers.py", "def f():\n    return 1\n")           # not an app
    write(tmp_path, "demos/_private.py", NOTEBOOK)                             # underscore
    write(tmp_path, "demos/__marimo__/cache.py", NOTEBOOK)                     # marimo's cache
    write(tmp_path, "demos/broken.py", "import marimo\napp = marimo.App(\n")   # syntax error
    found = discover(tmp_path)
    assert [(nb.group, nb.slug, nb.relative) for nb in found] == [
        ("analysis", "data-pipeline", "analysis/Data Pipeline.py"),
        ("demos", "heat-pump", "demos/heat_pump.py"),
    ]
    assert found[0].title == "ETL in Vienna"


def test_discover_refuses_url_collisions_and_reserved_names(tmp_path):
    write(tmp_path, "demos/solar_calc.py", NOTEBOOK)
    write(tmp_path, "analysis/solar-calc.py", NOTEBOOK)
    with pytest.raises(CatalogError, match="would both be served at /solar-calc/"):
        discover(tmp_path)
    other = tmp_path / "other"
    write(other, "login.py", NOTEBOOK)
    with pytest.raises(CatalogError, match="reserved"):
        discover(other)
    with pytest.raises(CatalogError, match="not found"):
        discover(tmp_path / "missing")


def test_slug_is_kebab_case():
    assert slug_of(Path("notebooks/demos/Climate_Dashboard.py")) == "climate-dashboard"


def test_repository_notebooks_all_have_a_title_and_description():
    root = Path(__file__).resolve().parent.parent / "notebooks"
    found = discover(root)
    assert found, "no notebooks discovered in notebooks/"
    for nb in found:
        assert nb.title and nb.description, f"{nb.relative}: no heading/paragraph in its first mo.md"


# --------------------------------------------------------------------------- password


def test_password_from_env_or_file(tmp_path):
    assert load_password({}) is None
    assert load_password({"MARIMO_PASSWORD": ""}) is None
    assert load_password({"MARIMO_PASSWORD": "correct-horse"}) == "correct-horse"
    secret = tmp_path / "secret"
    secret.write_text("from-a-file\n", encoding="utf-8")
    assert load_password({"MARIMO_PASSWORD_FILE": str(secret)}) == "from-a-file"


@pytest.mark.parametrize("env, message", [
    ({"MARIMO_PASSWORD": "a-password", "MARIMO_PASSWORD_FILE": "x"}, "not both"),
    ({"MARIMO_PASSWORD": "short"}, "shorter than 8"),
    ({"MARIMO_PASSWORD_FILE": "/nonexistent/secret"}, "cannot read"),
])
def test_bad_password_configuration_is_one_clear_error(env, message):
    with pytest.raises(AuthConfigError, match=message):
        load_password(env)


def test_basic_header_parsing():
    header = "Basic " + base64.b64encode(b"anyone:pa:ss").decode()
    assert basic_password(header) == "pa:ss"
    assert basic_password("Bearer abc") is None
    assert basic_password("Basic !!!") is None
    assert basic_password("Basic " + base64.b64encode(b"no-colon").decode()) is None
    assert basic_password(None) is None


def test_dotenv_file_reading(tmp_path):
    from climatevis.server.__main__ import read_env_file

    path = tmp_path / ".env"
    path.write_text("# comment\n\nMARIMO_PASSWORD='quoted value'\nexport A=1\nB = \"two\"\nnot a line\n")
    assert read_env_file(path) == {"MARIMO_PASSWORD": "quoted value", "A": "1", "B": "two"}


# --------------------------------------------------------------------------- sessions


def test_session_tokens_verify_expire_and_resist_tampering():
    signer = SessionSigner(b"k" * 32, max_age=3600)
    token = signer.issue(now=1_000_000)
    assert signer.verify(token, now=1_000_010)
    assert not signer.verify(token, now=1_000_000 + 3601)          # expired
    assert not signer.verify(token, now=1_000_000 - 120)           # issued in the future
    issued, nonce, mac = token.split(".")
    assert not signer.verify(f"{int(issued) + 7200}.{nonce}.{mac}", now=1_000_010)  # extended
    assert not SessionSigner(b"x" * 32).verify(token, now=1_000_010)               # other key
    for junk in ("", "a.b", "a.b.c.d", "é.x.y", None):
        assert not signer.verify(junk, now=1_000_010)
    signer.revoke(token, now=1_000_020)
    assert not signer.verify(token, now=1_000_030)
    assert signer.verify(signer.issue(now=1_000_030), now=1_000_031)


def test_session_key_follows_the_password_unless_a_secret_is_set():
    a = SessionSigner.for_password("password-one", environ={})
    token = a.issue()
    assert SessionSigner.for_password("password-one", environ={}).verify(token)   # other task
    assert not SessionSigner.for_password("password-two", environ={}).verify(token)
    env = {"CLIMATEVIS_SESSION_SECRET": "s3cret"}
    b = SessionSigner.for_password("password-one", environ=env)
    assert not b.verify(token)
    assert SessionSigner.for_password("password-two", environ=env).verify(b.issue())


# --------------------------------------------------------------------------- rate limit


def test_failed_logins_are_limited_per_client_and_in_total():
    guard = Guard("right-password", signer=SessionSigner(b"k" * 32),
                  limiter=LoginLimiter(per_client=3, per_client_window=60, total=5,
                                       total_window=10))
    assert [guard.attempt("a", "wrong", now=t).failures for t in (0, 1, 2)] == [1, 2, 3]
    locked = guard.attempt("a", "right-password", now=3)
    assert not locked.ok and locked.retry_after == pytest.approx(57)  # even the right password
    assert guard.attempt("b", "right-password", now=3).ok              # other clients are not
    assert guard.attempt("a", "right-password", now=61).ok             # the window has passed
    # total: 5 failures from anywhere within 10 s lock everybody out for the rest of the window
    for i, t in enumerate((100, 100, 101, 101, 102)):
        assert not guard.attempt(f"c{i}", "wrong", now=t).ok
    assert guard.attempt("d", "right-password", now=103).retry_after == pytest.approx(7)
    assert guard.attempt("d", "right-password", now=111).ok


# --------------------------------------------------------------------------- pages, config


def test_base_url_normalisation():
    assert normalize_base_url("") == "" and normalize_base_url("/") == ""
    assert normalize_base_url("/tools/") == "/tools"
    for bad in ("tools", "/a//b", "/a/../b", "/a b", "/a?x"):
        with pytest.raises(ValueError):
            normalize_base_url(bad)


def test_pages_escape_notebook_text(tmp_path):
    write(tmp_path, "demos/x.py", NOTEBOOK.replace("Heat **pumps** in `Vienna`", "<script>x</script>"))
    html = pages.index_page(discover(tmp_path), "/base", edit=True, logout=True)
    assert "<script>x" not in html and "&lt;script&gt;x&lt;/script&gt;" in html
    assert 'href="/base/x/"' in html and 'href="/base/edit/?file=demos/x.py"' in html
    assert "<script" not in pages.login_page("/b", '/b/"><script>')


def test_page_palette_is_the_chart_palette():
    charts = pytest.importorskip("climatevis.charts")
    for name in ("BLACK", "PANEL", "GOLD", "GOLD_LIGHT", "TEXT", "MUTED", "FONT"):
        assert getattr(pages, name) == getattr(charts, name), name


# --------------------------------------------------------------------------- page cache


def test_app_pages_are_rendered_once_per_version_of_the_notebook(tmp_path):
    import asyncio
    import concurrent.futures
    import os

    from climatevis.server.app import PageCache
    from climatevis.server.catalog import Notebook

    path = write(tmp_path, "demos/x.py", NOTEBOOK)
    notebook = Notebook(path, "demos/x.py", "x", "demos", "X", "")
    renders = []

    async def marimo_page(scope, receive, send):
        renders.append(scope["headers"])
        status = 500 if "fail" in path.read_text() else 200
        body = f"page {len(renders)}".encode()
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"etag", f'"{len(renders)}"'.encode())]})
        await send({"type": "http.response.body", "body": body})

    cache = PageCache(marimo_page)

    def get(method="GET", headers=()):
        sent = []

        async def send(message):
            sent.append(message)

        scope = {"type": "http", "method": method, "path": "/x/", "headers": list(headers)}
        with concurrent.futures.ThreadPoolExecutor(1) as pool:  # Playwright may own this loop
            pool.submit(asyncio.run, cache(scope, None, send, notebook)).result()
        return sent[0]["status"], sent[1]["body"]

    assert get() == (200, b"page 1")
    assert get() == (200, b"page 1") and len(renders) == 1
    assert get("HEAD") == (200, b"")
    assert get(headers=[(b"if-none-match", b'"1"')]) == (304, b"")
    assert renders == [[]]                               # rendered without the visitor's headers
    path.write_text(path.read_text() + "\n# changed\n")
    os.utime(path, ns=(0, path.stat().st_mtime_ns + 10**9))
    assert get() == (200, b"page 2")
    path.write_text("fail")
    assert get() == (500, b"page 3") and get() == (500, b"page 4")   # errors are not cached


# --------------------------------------------------------------------------- CPython gh-106905


def test_ast_work_around_only_on_affected_pythons():
    import ast
    import builtins

    from climatevis.server.compat import ast_conversion_is_racy, serialize_ast_conversion

    assert ast_conversion_is_racy((3, 11, 2)) and ast_conversion_is_racy((3, 11, 7))
    assert ast_conversion_is_racy((3, 12, 1))
    assert not ast_conversion_is_racy((3, 11, 8)) and not ast_conversion_is_racy((3, 11, 14))
    assert not ast_conversion_is_racy((3, 12, 2)) and not ast_conversion_is_racy((3, 13, 0))
    original = builtins.compile, ast.parse
    try:
        patched = serialize_ast_conversion()
        assert patched == ast_conversion_is_racy()
        assert serialize_ast_conversion() is False                  # once only
        assert ast.dump(ast.parse("x = 1")) == ast.dump(
            compile("x = 1", "<s>", "exec", ast.PyCF_ONLY_AST))
        assert eval(compile("1 + 1", "<s>", "eval")) == 2
    finally:
        builtins.compile, ast.parse = original


def test_post_login_redirects_stay_on_this_server(tmp_path):
    from climatevis.server.app import Router, ServerConfig

    router = Router(ServerConfig(tmp_path, base_url="/b"), [], None, None)
    assert router._safe_next("/b/climate-dashboard/?x=1") == "/b/climate-dashboard/?x=1"
    for bad in ("https://evil.example/", "//evil.example/", "/b/\t/evil", "/b/\\evil", "/other/",
                "/b/\r\nSet-Cookie:x", "/b/ x", None, ""):
        assert router._safe_next(bad) == "/b/", bad
    assert router._safe_next("/b/%0d%0a") == "/b/%0d%0a"     # stays percent-encoded: harmless
