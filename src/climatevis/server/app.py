"""The ASGI application: marimo apps, index, login, health and the editor proxy.

Layout under ``base_url`` (``""`` or e.g. ``/notebooks``)::

    /health            {"status": "ok"} — the only path open without a login
    /login, /logout    the password form; the session cookie
    /                  the index of notebooks (CES style)
    /<slug>/           a notebook as an app (marimo run mode, incl. its /ws)
    /edit/             marimo's editor for the notebooks folder (see edit.py)

Middleware, outermost first: security headers → authentication → routing.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from starlette.websockets import WebSocket

from climatevis.server.auth import COOKIE_NAME, Guard, basic_password
from climatevis.server.catalog import Notebook, discover
from climatevis.server.compat import serialize_ast_conversion
from climatevis.server.edit import EditServer
from climatevis.server.pages import index_page, login_page, message_page

__all__ = ["ServerConfig", "create_app", "normalize_base_url"]

LOG = logging.getLogger("climatevis.server")
#: The server's own pages: no scripts at all, styles inline.
PAGE_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
            "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
#: marimo's pages need scripts, workers and inline styles; still forbid framing and plugins.
APP_CSP = "frame-ancestors 'self'; base-uri 'self'; object-src 'none'; form-action 'self'"
SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "SAMEORIGIN",
    "referrer-policy": "same-origin",
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    "content-security-policy": APP_CSP,
}
_SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
#: What a post-login redirect target may contain (no whitespace, backslashes or controls).
_LOCAL_PATH = re.compile(r"[A-Za-z0-9/_.~%?=&+:@!$'()*,;-]+")


@dataclass(frozen=True)
class ServerConfig:
    notebooks: Path
    base_url: str = ""
    #: ``None`` only for ``--insecure-local``: no login, loopback Host headers only.
    guard: Guard | None = None
    edit: bool = True
    #: Seconds a run-mode session outlives its closed websocket.
    session_ttl: int = 120


def normalize_base_url(value: str | None) -> str:
    """``""`` or ``/a/b`` (leading slash, no trailing slash); raises ValueError otherwise."""
    text = (value or "").strip()
    if text in ("", "/"):
        return ""
    if not text.startswith("/") or "//" in text or any(c in text for c in "?#\\ %"):
        raise ValueError(f"--base-url {value!r}: use a path like /notebooks")
    if any(part in (".", "..") for part in text.split("/")):
        raise ValueError(f"--base-url {value!r}: '.' and '..' are not allowed")
    return text.rstrip("/")


def _client_address(scope: Scope) -> str:
    """The address failed logins are counted under: the peer, or what a trusted proxy's
    ``X-Forwarded-For`` says (uvicorn's ``--forwarded-allow-ips``)."""
    return (scope.get("client") or ("unknown", 0))[0]


def _is_loopback_host(host_header: str) -> bool:
    host = host_header.rsplit(":", 1)[0] if not host_header.endswith("]") else host_header
    host = host.strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class SecurityHeaders:
    """Adds browser hardening headers to every HTTP response that lacks them."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        https = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.decode("latin-1").lower() for k, _ in headers}
                extra = dict(SECURITY_HEADERS)
                if https:
                    extra["strict-transport-security"] = "max-age=31536000"
                headers += [(k.encode(), v.encode()) for k, v in extra.items() if k not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class Authenticate:
    """Lets a request through only with a valid session cookie or HTTP Basic password.

    Public: ``<base>/health`` and ``<base>/login``. Cross-site requests that
    could change state (websockets, non-GET methods whose ``Origin`` names
    another host) are refused, whatever their credentials.
    """

    def __init__(self, app: ASGIApp, guard: Guard | None, base_url: str) -> None:
        self.app = app
        self.guard = guard
        self.base_url = base_url
        self.public = {f"{base_url}/health", f"{base_url}/login"}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        if scope["path"] == f"{self.base_url}/health":
            await self.app(scope, receive, send)
            return
        if self.guard is None and not _is_loopback_host(headers.get("host", "")):
            # password-less local mode: refuse DNS-rebinding tricks (a foreign Host name)
            await self._refuse(scope, receive, send, 403, "Forbidden: local server")
            return
        origin = headers.get("origin")
        if origin and (scope["type"] == "websocket" or scope.get("method") not in _SAFE_METHODS):
            if urlsplit(origin).netloc.lower() != headers.get("host", "").lower():
                LOG.warning("refused a cross-site %s to %s from %s", scope["type"], scope["path"],
                            origin)
                await self._refuse(scope, receive, send, 403, "Forbidden: cross-site request")
                return
        if self.guard is None or scope["path"] in self.public:
            await self.app(scope, receive, send)
            return
        cookies = Request(scope).cookies if scope["type"] == "http" else WebSocket(
            scope, receive, send).cookies
        if self.guard.signer.verify(cookies.get(COOKIE_NAME)):
            await self.app(scope, receive, send)
            return
        password = basic_password(headers.get("authorization"))
        if password is not None:
            client = _client_address(scope)
            attempt = self.guard.attempt(client, password)
            if attempt.ok:
                await self.app(scope, receive, send)
                return
            if attempt.retry_after:
                await self._refuse(scope, receive, send, 429, "Too many failed logins",
                                   {"retry-after": str(int(attempt.retry_after) + 1)})
                return
            LOG.warning("HTTP Basic login failed from %s (%d failures in the window)", client,
                        attempt.failures)
        await self._challenge(scope, receive, send, headers)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, status: int, text: str,
                      headers: dict[str, str] | None = None) -> None:
        response = JSONResponse({"detail": text}, status_code=status, headers=headers)
        if scope["type"] == "websocket":
            websocket = WebSocket(scope, receive, send)
            if "websocket.http.response" in scope.get("extensions", {}):
                await websocket.send_denial_response(response)
            else:
                await websocket.close(code=1008)
            return
        await response(scope, receive, send)

    async def _challenge(self, scope: Scope, receive: Receive, send: Send,
                         headers: Headers) -> None:
        wants_page = (scope["type"] == "http" and scope["method"] in ("GET", "HEAD")
                      and "text/html" in headers.get("accept", ""))
        if wants_page:
            target = scope["path"] + (f"?{scope['query_string'].decode('latin-1')}"
                                      if scope.get("query_string") else "")
            location = f"{self.base_url}/login?next={quote(target, safe='')}"
            await RedirectResponse(location, status_code=303)(scope, receive, send)
            return
        await self._refuse(scope, receive, send, 401, "Authentication required",
                           {"www-authenticate": 'Basic realm="CES climatevis", charset="UTF-8"'})


class PageCache:
    """Caches the HTML page of each app until its notebook file changes.

    marimo re-reads, parses and compiles the notebook for every page request
    (~80-150 ms of CPU for a small notebook), on the event loop — under load
    that starves every other request, ``/health`` included. The page is the
    same for every visitor (sessions start later, over the websocket), so it
    is rendered once per version of the file; ``If-None-Match`` is answered
    from the cache too.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._pages: dict[str, tuple[tuple[int, int], int, list[tuple[bytes, bytes]], bytes]] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send, notebook: Notebook) -> None:
        stat = notebook.path.stat()
        version = (stat.st_mtime_ns, stat.st_size)
        key = notebook.slug
        async with self._locks.setdefault(key, asyncio.Lock()):
            cached = self._pages.get(key)
            if cached is None or cached[0] != version:
                messages: list[Message] = []

                async def collect(message: Message) -> None:
                    messages.append(message)

                await self.app({**scope, "method": "GET", "headers": []}, receive, collect)
                start = messages[0]
                body = b"".join(m.get("body", b"") for m in messages[1:])
                if start["status"] != 200:  # errors are not cached
                    await self._replay(send, start["status"], start.get("headers", []), body,
                                       scope["method"])
                    return
                cached = self._pages[key] = (version, 200, list(start.get("headers", [])), body)
        _, status, headers, body = cached
        etag = next((v for k, v in headers if k.lower() == b"etag"), None)
        if etag is not None and Headers(scope=scope).get("if-none-match") == etag.decode("latin-1"):
            await self._replay(send, 304, [(k, v) for k, v in headers if k.lower() in (
                b"etag", b"cache-control", b"vary")], b"", scope["method"])
            return
        await self._replay(send, status, headers, body, scope["method"])

    @staticmethod
    async def _replay(send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes,
                      method: str) -> None:
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": b"" if method == "HEAD" else body})


class Router:
    """Dispatches to the server's pages, the editor proxy or the marimo app of a notebook."""

    def __init__(self, config: ServerConfig, notebooks: list[Notebook], marimo_app: ASGIApp,
                 edit: EditServer | None) -> None:
        self.config = config
        self.base = config.base_url
        self.notebooks = notebooks
        self.by_slug = {nb.slug: nb for nb in notebooks}
        self.slugs = set(self.by_slug)
        self.marimo_app = marimo_app
        self.pages = PageCache(marimo_app)
        self.edit = edit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        path, base = scope["path"], self.base
        if not (path == base or path.startswith(base + "/")):
            await self._not_found(scope, receive, send)
            return
        rest = path[len(base):]
        if scope["type"] == "http":
            handler = {"/health": self._health, "/login": self._login, "/logout": self._logout,
                       "/": self._index, "": self._to_slash, "/edit": self._to_slash}.get(rest)
            if handler is not None:
                await handler(scope, receive, send)
                return
        if rest.startswith("/edit/") and self.edit is not None:
            await self.edit(scope, receive, send)
            return
        segments = rest.split("/")
        if len(segments) > 1 and segments[1] in self.slugs:
            if (scope["type"] == "http" and scope["method"] in ("GET", "HEAD")
                    and rest == f"/{segments[1]}/" and not scope.get("query_string")):
                await self.pages(scope, receive, send, self.by_slug[segments[1]])
                return
            await self.marimo_app(scope, receive, send)
            return
        await self._not_found(scope, receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                LOG.info("serving %d notebooks: %s", len(self.notebooks),
                         ", ".join(f"{self.base}/{nb.slug}/" for nb in self.notebooks))
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self.edit is not None:
                    await self.edit.stop()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _not_found(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            await WebSocket(scope, receive, send).close(code=1008)
            return
        page = message_page("Not found", "There is no page at this address.", self.base)
        await HTMLResponse(page, status_code=404,
                           headers={"content-security-policy": PAGE_CSP})(scope, receive, send)

    async def _to_slash(self, scope: Scope, receive: Receive, send: Send) -> None:
        await RedirectResponse(scope["path"] + "/", status_code=307)(scope, receive, send)

    async def _health(self, scope: Scope, receive: Receive, send: Send) -> None:
        await JSONResponse({"status": "ok"},
                           headers={"cache-control": "no-store"})(scope, receive, send)

    def _page(self, html: str, status: int = 200, headers: dict[str, str] | None = None) -> Response:
        return HTMLResponse(html, status_code=status, headers={
            "content-security-policy": PAGE_CSP, "cache-control": "no-store", **(headers or {})})

    async def _index(self, scope: Scope, receive: Receive, send: Send) -> None:
        html = index_page(self.notebooks, self.base, edit=self.edit is not None,
                          logout=self.config.guard is not None)
        await self._page(html)(scope, receive, send)

    def _safe_next(self, value: str | None) -> str:
        """Only local paths under the base URL (no open redirects)."""
        if (value and value.startswith(self.base + "/") and not value.startswith("//")
                and _LOCAL_PATH.fullmatch(value) and not urlsplit(value).netloc):
            return value
        return self.base + "/"

    async def _login(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        guard = self.config.guard
        if guard is None:
            await RedirectResponse(self.base + "/", status_code=303)(scope, receive, send)
            return
        if request.method not in ("GET", "HEAD", "POST"):
            await Response(status_code=405, headers={"allow": "GET, HEAD, POST"})(
                scope, receive, send)
            return
        if request.method != "POST":
            next_url = self._safe_next(request.query_params.get("next"))
            if guard.signer.verify(request.cookies.get(COOKIE_NAME)):
                await RedirectResponse(next_url, status_code=303)(scope, receive, send)
                return
            await self._page(login_page(self.base, next_url))(scope, receive, send)
            return
        async with request.form(max_files=0, max_fields=4) as form:
            password = str(form.get("password") or "")
            next_url = self._safe_next(str(form.get("next") or ""))
        client = _client_address(scope)
        attempt = guard.attempt(client, password)
        if attempt.ok:
            LOG.info("login from %s", client)
            response = RedirectResponse(next_url, status_code=303)
            response.set_cookie(COOKIE_NAME, guard.signer.issue(), max_age=guard.signer.max_age,
                                path=self.base or "/", httponly=True, samesite="lax",
                                secure=request.url.scheme == "https")
            await response(scope, receive, send)
            return
        if attempt.retry_after:
            wait = int(attempt.retry_after) + 1
            LOG.warning("login from %s refused: rate-limited for %d s", client, wait)
            page = login_page(self.base, next_url,
                              f"Too many failed attempts. Try again in {wait} seconds.")
            await self._page(page, 429, {"retry-after": str(wait)})(scope, receive, send)
            return
        LOG.warning("login failed from %s (%d failures in the window)", client, attempt.failures)
        await self._page(login_page(self.base, next_url, "Wrong password."), 401)(
            scope, receive, send)

    async def _logout(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        if request.method != "POST":
            await Response(status_code=405, headers={"allow": "POST"})(scope, receive, send)
            return
        if self.config.guard is not None:
            self.config.guard.signer.revoke(request.cookies.get(COOKIE_NAME))
        response = RedirectResponse(f"{self.base}/login", status_code=303)
        response.delete_cookie(COOKIE_NAME, path=self.base or "/", httponly=True, samesite="lax",
                               secure=request.url.scheme == "https")
        await response(scope, receive, send)


def _marimo_apps(notebooks: list[Notebook], base_url: str, session_ttl: int) -> ASGIApp:
    import marimo

    builder = marimo.create_asgi_app(quiet=True, include_code=False, session_ttl=session_ttl)
    for nb in notebooks:
        builder = builder.with_app(path=f"{base_url}/{nb.slug}", root=str(nb.path))
    return builder.build()


def create_app(config: ServerConfig, cwd: Path | None = None) -> Any:
    """The whole server as one ASGI app (notebooks are discovered now, once)."""
    if serialize_ast_conversion():
        LOG.warning("Python %s has CPython bug gh-106905: serialising AST conversions "
                    "(upgrade to >= 3.11.8)", sys.version.split()[0])
    notebooks = discover(config.notebooks)
    edit = (EditServer(Path(config.notebooks).resolve(), config.base_url, cwd or Path.cwd(),
                       COOKIE_NAME) if config.edit else None)
    router = Router(config, notebooks, _marimo_apps(notebooks, config.base_url, config.session_ttl),
                    edit)
    return SecurityHeaders(Authenticate(router, config.guard, config.base_url))

