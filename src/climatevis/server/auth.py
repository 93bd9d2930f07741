"""Authentication for the engineers' server: one shared password.

* The password comes from ``MARIMO_PASSWORD`` or the file named by
  ``MARIMO_PASSWORD_FILE`` (an SST / Docker secret); it is compared in
  constant time (:func:`hmac.compare_digest` over SHA-256 digests, so the
  length does not leak either).
* A successful login (the form at ``<base>/login`` or HTTP Basic with any
  user name) is remembered in a signed session cookie — HttpOnly,
  SameSite=Lax, Secure when the request arrived over HTTPS (directly or via
  a trusted proxy's ``X-Forwarded-Proto``). The cookie holds an issue time, a
  random nonce and an HMAC-SHA256; no password, nothing to look up. The key
  is ``CLIMATEVIS_SESSION_SECRET`` when set, otherwise derived from the
  password with scrypt, so every task behind a load balancer accepts the
  same cookies and changing the password logs everybody out.
* Failed logins are counted per client address and in total; past the
  limits further attempts get ``429 Too Many Requests`` (even with the right
  password) until the window has passed.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import secrets
import time
from collections import defaultdict, deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "COOKIE_NAME",
    "MIN_PASSWORD_LENGTH",
    "AuthConfigError",
    "Guard",
    "LoginLimiter",
    "SessionSigner",
    "load_password",
]

COOKIE_NAME = "climatevis_session"
MIN_PASSWORD_LENGTH = 8
SESSION_SECONDS = 12 * 3600


class AuthConfigError(ValueError):
    """The password configuration is unusable; the message says why."""


def load_password(environ: Mapping[str, str] | None = None) -> str | None:
    """The server password from ``MARIMO_PASSWORD`` or ``MARIMO_PASSWORD_FILE``; None if unset.

    A trailing newline in the file is ignored (``echo secret > file``).
    """
    env = os.environ if environ is None else environ
    direct, path = env.get("MARIMO_PASSWORD") or None, env.get("MARIMO_PASSWORD_FILE") or None
    if direct and path:
        raise AuthConfigError("set MARIMO_PASSWORD or MARIMO_PASSWORD_FILE, not both")
    password = direct
    if path:
        try:
            password = Path(path).read_text(encoding="utf-8").rstrip("\r\n")
        except OSError as err:
            raise AuthConfigError(
                f"MARIMO_PASSWORD_FILE={path}: cannot read it ({err.strerror})"
            ) from None
        if not password:
            raise AuthConfigError(f"MARIMO_PASSWORD_FILE={path}: the file is empty")
    if password is not None and len(password) < MIN_PASSWORD_LENGTH:
        source = "MARIMO_PASSWORD_FILE" if path else "MARIMO_PASSWORD"
        raise AuthConfigError(
            f"{source}: the password is shorter than {MIN_PASSWORD_LENGTH} characters"
        )
    return password


def _digest(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8")).digest()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


class SessionSigner:
    """Issues and verifies session tokens ``<issued>.<nonce>.<mac>``, valid for ``max_age``
    seconds (``issued`` in Unix seconds)."""

    def __init__(self, key: bytes, max_age: int = SESSION_SECONDS) -> None:
        self._key = key
        self.max_age = max_age
        self._revoked: dict[str, float] = {}

    @classmethod
    def for_password(cls, password: str, environ: Mapping[str, str] | None = None,
                     max_age: int = SESSION_SECONDS) -> SessionSigner:
        env = os.environ if environ is None else environ
        secret = env.get("CLIMATEVIS_SESSION_SECRET")
        if secret:
            key = _digest(secret)
        else:
            # scrypt (RFC 7914) makes a leaked cookie useless for guessing the password offline
            key = hashlib.scrypt(password.encode("utf-8"), salt=b"climatevis-session-v1",
                                 n=2**14, r=8, p=1, dklen=32)
        return cls(key, max_age)

    def _mac(self, body: str) -> str:
        return _b64(hmac.new(self._key, body.encode("ascii"), hashlib.sha256).digest())

    def issue(self, now: float | None = None) -> str:
        body = f"{int(now if now is not None else time.time())}.{secrets.token_urlsafe(18)}"
        return f"{body}.{self._mac(body)}"

    def verify(self, token: str | None, now: float | None = None) -> bool:
        if not token or token.count(".") != 2 or not token.isascii():
            return False
        body, _, mac = token.rpartition(".")
        if not hmac.compare_digest(mac, self._mac(body)):
            return False
        issued_text, nonce = body.split(".")
        if not issued_text.isdigit():
            return False
        now = time.time() if now is None else now
        age = now - int(issued_text)
        return -60 <= age <= self.max_age and nonce not in self._revoked

    def revoke(self, token: str | None, now: float | None = None) -> None:
        """Log a session out (in this process; other tasks expire it at ``max_age``)."""
        if self.verify(token, now):
            now = time.time() if now is None else now
            self._revoked = {n: t for n, t in self._revoked.items() if t > now}
            self._revoked[token.split(".")[1]] = now + self.max_age


@dataclass
class LoginLimiter:
    """Sliding-window count of failed logins: at most ``per_client`` per address within
    ``per_client_window`` seconds and ``total`` within ``total_window`` seconds for the
    whole server (times from a monotonic clock, in seconds)."""

    per_client: int = 5
    per_client_window: float = 600.0
    total: int = 100
    total_window: float = 60.0
    _clients: dict[str, deque[float]] = field(default_factory=lambda: defaultdict(deque))
    _all: deque[float] = field(default_factory=deque)

    def _prune(self, now: float) -> None:
        while self._all and now - self._all[0] > self.total_window:
            self._all.popleft()
        for client in list(self._clients):
            q = self._clients[client]
            while q and now - q[0] > self.per_client_window:
                q.popleft()
            if not q:
                del self._clients[client]

    def retry_after(self, client: str, now: float) -> float:
        """Seconds until ``client`` may try again; 0 when it may try now."""
        self._prune(now)
        waits = [0.0]
        q = self._clients.get(client)
        if q is not None and len(q) >= self.per_client:
            waits.append(self.per_client_window - (now - q[-self.per_client]))
        if len(self._all) >= self.total:
            waits.append(self.total_window - (now - self._all[-self.total]))
        return max(waits)

    def failed(self, client: str, now: float) -> int:
        """Record a failure; returns the client's failures within the window."""
        self._prune(now)
        self._clients[client].append(now)
        self._all.append(now)
        return len(self._clients[client])

    def succeeded(self, client: str) -> None:
        self._clients.pop(client, None)


@dataclass(frozen=True)
class Attempt:
    ok: bool
    retry_after: float = 0.0     #: > 0: refused without checking (rate-limited)
    failures: int = 0            #: the client's failures in the window (after this one)


class Guard:
    """The password check, its rate limit and the session cookies."""

    def __init__(self, password: str, signer: SessionSigner | None = None,
                 limiter: LoginLimiter | None = None) -> None:
        self._password_digest = _digest(password)
        self.signer = signer or SessionSigner.for_password(password)
        self.limiter = limiter or LoginLimiter()

    def attempt(self, client: str, password: str, now: float | None = None) -> Attempt:
        """Check a login attempt from ``client`` (an address), counting failures."""
        now = time.monotonic() if now is None else now
        wait = self.limiter.retry_after(client, now)
        if wait > 0:
            return Attempt(ok=False, retry_after=wait)
        if hmac.compare_digest(_digest(password), self._password_digest):
            self.limiter.succeeded(client)
            return Attempt(ok=True)
        return Attempt(ok=False, failures=self.limiter.failed(client, now))


def basic_password(header: str | None) -> str | None:
    """The password of an ``Authorization: Basic`` header (any user name), else None."""
    if not header:
        return None
    scheme, _, credentials = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(credentials.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    _user, sep, password = decoded.partition(":")
    return password if sep else None
