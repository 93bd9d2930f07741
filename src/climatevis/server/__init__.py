"""The engineers' server: every notebook as an app, an editor, one login.

``python -m climatevis.server --host H --port P [--base-url /x]`` serves
every marimo notebook under ``notebooks/`` in run mode at
``<base>/<notebook-name>/``, marimo's editor at ``<base>/edit/`` (a loopback
child process, proxied), an index page and ``<base>/health``. Everything but
``/health`` needs the password from ``MARIMO_PASSWORD`` or
``MARIMO_PASSWORD_FILE``. See :mod:`climatevis.server.app`.

Native only (uvicorn, marimo's server, httpx); the WebAssembly demos never
import this package.
"""

from climatevis.server.app import ServerConfig, create_app

__all__ = ["ServerConfig", "create_app"]
