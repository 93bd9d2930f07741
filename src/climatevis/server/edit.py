"""Editing for engineers: marimo's edit server on loopback, behind the server's login.

``marimo edit`` is the only supported way to edit marimo notebooks in a
browser, and it spawns one kernel process per open notebook — it cannot be
mounted into the run-mode ASGI app. So the server starts it as a child
process on ``127.0.0.1:<free port>`` with ``--base-url <base>/edit`` the first
time an authenticated engineer opens ``<base>/edit/``, and reverse-proxies
HTTP and websockets to it. The child has its own random token (handed over
on stdin, never on the command line); the proxy authenticates every request
to it with that token, so nothing else on the machine can use it, and the
child is never reachable except through the authenticated proxy.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
import re
import secrets
import socket
import sys
from pathlib import Path

import httpx
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

__all__ = ["EditServer"]

LOG = logging.getLogger("climatevis.server")
#: Headers that describe one hop, not the message (RFC 9110 §7.6.1), plus what must not leak.
_HOP_BY_HOP = {
    "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
    "transfer-encoding", "upgrade", "host", "authorization", "cookie",
}
_WS_SKIP = _HOP_BY_HOP | {
    "sec-websocket-key", "sec-websocket-version", "sec-websocket-extensions",
    "sec-websocket-protocol", "origin",
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _without_cookie(header: str, name: str) -> str:
    return "; ".join(c for c in header.split(";") if c.strip().split("=", 1)[0] != name)


class EditServer:
    """Starts ``marimo edit <notebooks>`` on demand (waiting up to ``start_timeout`` seconds
    for it to answer) and proxies ``<base>/edit/…`` to it."""

    def __init__(self, notebooks: Path, base_url: str, cwd: Path, cookie_name: str,
                 start_timeout: float = 90.0) -> None:
        self.notebooks = notebooks
        self.prefix = f"{base_url}/edit"
        self.cwd = cwd
        self.cookie_name = cookie_name
        self.start_timeout = start_timeout
        self._token = secrets.token_urlsafe(32)
        self._auth = "Basic " + base64.b64encode(f"climatevis:{self._token}".encode()).decode()
        self._process: asyncio.subprocess.Process | None = None
        self._port = 0
        self._client: httpx.AsyncClient | None = None
        self._lock = asyncio.Lock()
        self._relay: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.returncode is None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self.running else None

    async def _start(self) -> None:
        self._port = _free_port()
        cmd = [
            sys.executable, "-m", "marimo", "edit", str(self.notebooks), "--headless",
            "--host", "127.0.0.1", "--port", str(self._port), "--base-url", self.prefix,
            "--token-password-file", "-", "--skip-update-check", "--no-sandbox",
        ]
        LOG.info("starting the marimo editor on 127.0.0.1:%d", self._port)
        self._process = await asyncio.create_subprocess_exec(
            *cmd, cwd=self.cwd, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT)
        assert self._process.stdin is not None and self._process.stdout is not None
        self._process.stdin.write(self._token.encode() + b"\n")
        await self._process.stdin.drain()
        self._process.stdin.close()
        self._relay = asyncio.create_task(self._relay_output(self._process.stdout))
        self._client = httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{self._port}", trust_env=False, timeout=None,
            headers={"authorization": self._auth})
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.start_timeout
        while loop.time() < deadline:
            if self._process.returncode is not None:
                raise RuntimeError(f"marimo edit exited with status {self._process.returncode}")
            with contextlib.suppress(httpx.TransportError):
                if (await self._client.get(f"{self.prefix}/health")).status_code == 200:
                    return
            await asyncio.sleep(0.2)
        raise RuntimeError(f"marimo edit did not answer within {self.start_timeout:.0f} s")

    @staticmethod
    async def _relay_output(stream: asyncio.StreamReader) -> None:
        """The editor's log lines, minus its start-up banner's access token."""
        async for raw in stream:
            line = raw.decode("utf-8", "replace").rstrip()
            if line.strip():
                LOG.info("editor: %s", re.sub(r"access_token=[^\s&]+", "access_token=***", line))

    async def ensure_started(self) -> None:
        async with self._lock:
            if not self.running:
                await self.stop()
                await self._start()

    async def stop(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None
        process, self._process = self._process, None
        if process is not None and process.returncode is None:
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), 10)
            except TimeoutError:
                process.kill()
                await process.wait()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self.ensure_started()
        except (RuntimeError, OSError) as err:
            LOG.error("the marimo editor is unavailable: %s", err)
            if scope["type"] == "websocket":
                await WebSocket(scope, receive, send).close(code=1011)
            else:
                await PlainTextResponse(f"The editor is unavailable: {err}",
                                        status_code=503)(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await self._proxy_websocket(scope, receive, send)
        else:
            await self._proxy_http(scope, receive, send)

    def _upstream_headers(self, raw: list[tuple[bytes, bytes]], skip: set[str]) -> list[tuple[str, str]]:
        headers = []
        for key, value in raw:
            name = key.decode("latin-1").lower()
            if name == "cookie":
                kept = _without_cookie(value.decode("latin-1"), self.cookie_name)
                if kept:
                    headers.append(("cookie", kept))
            elif name not in skip:
                headers.append((name, value.decode("latin-1")))
        return headers

    async def _proxy_http(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert self._client is not None
        request = Request(scope, receive)
        path = scope.get("raw_path") or scope["path"].encode()
        url = httpx.URL(path=path.decode("latin-1"), query=scope.get("query_string", b""))
        body = request.stream() if request.method not in ("GET", "HEAD") else None
        upstream = self._client.build_request(
            request.method, url, headers=self._upstream_headers(scope["headers"], _HOP_BY_HOP),
            content=body)
        try:
            response = await self._client.send(upstream, stream=True)
        except httpx.TransportError as err:
            await PlainTextResponse(f"The editor did not answer: {err}",
                                    status_code=502)(scope, receive, send)
            return
        try:
            headers = [(k.lower(), v) for k, v in response.headers.raw
                       if k.decode("latin-1").lower() not in _HOP_BY_HOP
                       and k.lower() != b"set-cookie"]
            await send({"type": "http.response.start", "status": response.status_code,
                        "headers": headers})
            async for chunk in response.aiter_raw():
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        finally:
            await response.aclose()

    async def _proxy_websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        client = WebSocket(scope, receive, send)
        path = (scope.get("raw_path") or scope["path"].encode()).decode("latin-1")
        query = scope.get("query_string", b"").decode("latin-1")
        url = f"ws://127.0.0.1:{self._port}{path}" + (f"?{query}" if query else "")
        headers = self._upstream_headers(scope["headers"], _WS_SKIP)
        headers.append(("authorization", self._auth))
        subprotocols = scope.get("subprotocols") or None
        try:
            upstream = await connect(url, additional_headers=headers, subprotocols=subprotocols,
                                     proxy=None, max_size=None, compression=None,
                                     ping_interval=None)
        except (OSError, InvalidStatus, TimeoutError) as err:
            LOG.warning("editor websocket %s refused: %s", path, err)
            await client.close(code=1011)
            return
        await client.accept(subprotocol=upstream.subprotocol)

        async def client_to_upstream() -> None:
            try:
                while True:
                    message = await client.receive()
                    if message["type"] == "websocket.disconnect":
                        return
                    if message.get("text") is not None:
                        await upstream.send(message["text"])
                    elif message.get("bytes") is not None:
                        await upstream.send(message["bytes"])
            except (WebSocketDisconnect, ConnectionClosed):
                return

        async def upstream_to_client() -> None:
            try:
                async for message in upstream:
                    if isinstance(message, str):
                        await client.send_text(message)
                    else:
                        await client.send_bytes(message)
            except (WebSocketDisconnect, ConnectionClosed, RuntimeError):
                return

        tasks = [asyncio.create_task(client_to_upstream()), asyncio.create_task(upstream_to_client())]
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in tasks:
                task.cancel()
            await upstream.close()
            code = upstream.close_code or 1000
            with contextlib.suppress(RuntimeError, WebSocketDisconnect):
                await client.close(code=code if code != 1006 else 1011,
                                   reason=upstream.close_reason or "")
