"""``python -m climatevis.server``: run the engineers' server with uvicorn.

Exactly what the container runs (``--host 0.0.0.0 --port 7860``) and what
``just serve`` runs on 127.0.0.1. Configuration errors are one line on
stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

LOOPBACK = {"127.0.0.1", "::1", "localhost"}


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m climatevis.server",
        description="Serve every notebook in notebooks/ as a marimo app, with an index, an "
                    "editor for engineers and one password (MARIMO_PASSWORD or "
                    "MARIMO_PASSWORD_FILE).")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=7860, help="port (default 7860)")
    p.add_argument("--base-url", default=os.environ.get("CLIMATEVIS_BASE_URL", ""),
                   help="path prefix of every URL, e.g. /notebooks (env CLIMATEVIS_BASE_URL)")
    p.add_argument("--notebooks", type=Path,
                   default=Path(os.environ.get("CLIMATEVIS_NOTEBOOKS", "notebooks")),
                   help="folder of notebooks (default ./notebooks; env CLIMATEVIS_NOTEBOOKS)")
    p.add_argument("--no-edit", dest="edit", action="store_false",
                   help="do not offer the notebook editor at <base>/edit/")
    p.add_argument("--insecure-local", action="store_true",
                   help="allow running without a password, only on 127.0.0.1")
    p.add_argument("--forwarded-allow-ips", default=None,
                   help="proxies whose X-Forwarded-For/-Proto are trusted (uvicorn's option; "
                        "env FORWARDED_ALLOW_IPS; default 127.0.0.1). Behind a load balancer give "
                        "its network (e.g. the VPC CIDR): with '*' the client address is the "
                        "left-most X-Forwarded-For entry, which the client writes itself")
    p.add_argument("--env-file", type=Path, default=None,
                   help="read variables missing from the environment (MARIMO_PASSWORD, ...) from "
                        "this dotenv file if it exists (`just serve` passes .env)")
    p.add_argument("--log-level", default="info",
                   choices=["critical", "error", "warning", "info", "debug"])
    return p


def read_env_file(path: Path) -> dict[str, str]:
    """``KEY=VALUE`` lines of a dotenv file (comments, blank lines and ``export`` ignored)."""
    values = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.removeprefix("export ").partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def main(argv: Sequence[str] | None = None) -> int:
    # the dotenv file first: the other options default to environment variables
    early = argparse.ArgumentParser(add_help=False)
    early.add_argument("--env-file", type=Path, default=None)
    env_file = early.parse_known_args(argv)[0].env_file
    if env_file is not None and env_file.is_file():
        for key, value in read_env_file(env_file).items():
            os.environ.setdefault(key, value)
    args = build_parser().parse_args(argv)

    def fail(message: str) -> int:
        print(f"climatevis.server: error: {message}", file=sys.stderr)
        return 2

    from climatevis.server.app import ServerConfig, create_app, normalize_base_url
    from climatevis.server.auth import Guard, load_password

    try:
        base_url = normalize_base_url(args.base_url)
        password = load_password()
    except ValueError as err:
        return fail(str(err))
    if password is None:
        if not args.insecure_local:
            return fail("no password configured: set MARIMO_PASSWORD or MARIMO_PASSWORD_FILE "
                        "(or use --insecure-local on 127.0.0.1 for a password-less local server)")
        if args.host not in LOOPBACK:
            return fail(f"--insecure-local binds only to 127.0.0.1, not {args.host}")
    if not args.notebooks.is_dir():
        return fail(f"{args.notebooks}: notebooks folder not found (use --notebooks)")

    logging.basicConfig(level=args.log_level.upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per proxied request otherwise
    log = logging.getLogger("climatevis.server")
    if password is None:
        log.warning("NO PASSWORD: --insecure-local, serving 127.0.0.1 only")
    trusted = args.forwarded_allow_ips or os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
    if "*" in (h.strip() for h in trusted.split(",")):
        # uvicorn then takes the first X-Forwarded-For entry, which any client can set:
        # the per-address login limit is moot (the server-wide one still holds)
        log.warning("forwarded-allow-ips '*': clients choose the address failed logins are "
                    "counted under; give the load balancer's network instead")
    config = ServerConfig(notebooks=args.notebooks, base_url=base_url,
                          guard=Guard(password) if password else None, edit=args.edit)
    try:
        app = create_app(config)
    except ValueError as err:  # CatalogError: two notebooks on one URL, a reserved name
        return fail(str(err))

    import uvicorn

    uvicorn.run(app, host=args.host, port=args.port, proxy_headers=True,
                forwarded_allow_ips=args.forwarded_allow_ips, log_level=args.log_level,
                server_header=False, timeout_graceful_shutdown=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
