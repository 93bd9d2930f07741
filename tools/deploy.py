"""SST deployment helpers: offline type check, AWS wrappers, log tailing.

    python -m tools.deploy typecheck [--deploy-dir DIR]
    python -m tools.deploy sst deploy --stage dev        # any `sst` command, in deploy/
    python -m tools.deploy logs [--stage production] [--since 1h] [--follow]
    python -m tools.deploy credentials | confirm STAGE

pnpm is the version pinned in ``deploy/package.json`` (``packageManager``), run
through ``npx`` so that nothing but Node.js has to be installed. The type check
works without AWS credentials and without GitHub: ``sst install`` with a bun
binary from npm writes the real platform types to ``deploy/.sst/platform``, and
TypeScript checks ``sst.config.ts`` against them. Errors are one line and exit 2.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEPLOY_DIR = REPO / "deploy"
#: SST commands that talk to AWS (everything but local ones like `version`).
AWS_COMMANDS = {"deploy", "diff", "remove", "refresh", "secret", "state", "unlock", "shell", "dev"}
#: Commands that change a protected stage: they ask for the stage's name first.
DESTRUCTIVE = {"deploy", "remove"}


class DeployError(RuntimeError):
    """A failure with a one-line explanation."""


def pnpm_command(deploy_dir: Path = DEPLOY_DIR) -> list[str]:
    """``npx --yes pnpm@<pinned>`` for the version in package.json's ``packageManager``."""
    manager = json.loads((deploy_dir / "package.json").read_text())["packageManager"]
    name, _, version = manager.partition("@")
    if name != "pnpm" or not version:
        raise DeployError(f"{deploy_dir}/package.json: packageManager must be pnpm@<version>, not {manager!r}")
    npx = shutil.which("npx")
    if npx is None:
        raise DeployError("npx not found: install Node.js 20 or newer (it brings npm and npx)")
    return [npx, "--prefer-offline", "--yes", f"pnpm@{version.split('+')[0]}"]


def _run(cmd: list[str], cwd: Path, env: dict[str, str] | None = None, what: str = "") -> str:
    result = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        out = (result.stdout + result.stderr).strip()
        raise DeployError(f"{what or ' '.join(cmd)} failed (exit {result.returncode}):\n{out}")
    return result.stdout


def _bin(deploy_dir: Path, name: str) -> str:
    return str(deploy_dir / "node_modules" / ".bin" / (f"{name}.cmd" if os.name == "nt" else name))


def install(deploy_dir: Path = DEPLOY_DIR) -> None:
    """``pnpm install --frozen-lockfile`` (the lock is the truth; a stale lock is an error).

    Skipped when node_modules was installed from the same package.json and lock
    (a stamp with their sha256 is written after a successful install).
    """
    digest = hashlib.sha256(
        (deploy_dir / "package.json").read_bytes() + (deploy_dir / "pnpm-lock.yaml").read_bytes()
    ).hexdigest()
    stamp = deploy_dir / "node_modules" / ".climatevis-install"
    if stamp.is_file() and stamp.read_text() == digest:
        return
    _run([*pnpm_command(deploy_dir), "install", "--frozen-lockfile", "--reporter=silent"], deploy_dir,
         what=f"pnpm install --frozen-lockfile in {deploy_dir}")
    stamp.write_text(digest)


def bun_path(deploy_dir: Path = DEPLOY_DIR) -> Path:
    """The bun binary from the locked ``bun`` npm package (its postinstall puts it in bin/)."""
    linked = deploy_dir / "node_modules" / "bun" / "bin" / "bun.exe"
    if linked.is_file() and linked.stat().st_size > 1_000_000:
        return linked
    # postinstall skipped (e.g. --ignore-scripts): use the platform package directly
    for candidate in sorted((deploy_dir / "node_modules" / ".pnpm").glob("@oven+bun-*/node_modules/@oven/*/bin/bun*")):
        if candidate.is_file() and candidate.stat().st_size > 1_000_000:
            return candidate
    raise DeployError(f"no bun binary under {deploy_dir}/node_modules: run `pnpm install` in {deploy_dir}")


def offline_sst_env(deploy_dir: Path = DEPLOY_DIR) -> dict[str, str]:
    """Environment for `sst install` without GitHub (no Pulumi download) and without AWS."""
    env = dict(os.environ)
    env.update(
        SST_SKIP_DEPENDENCY_CHECK="1",
        SST_TELEMETRY_DISABLED="1",
        SST_BUN_PATH=str(bun_path(deploy_dir)),
        SST_STAGE="typecheck",
        NO_COLOR="1",
    )
    return env


def platform_types(deploy_dir: Path = DEPLOY_DIR) -> None:
    """Install the locked packages and let ``sst install`` write ``.sst/platform`` (offline)."""
    deploy_dir = Path(deploy_dir)
    install(deploy_dir)
    _run([_bin(deploy_dir, "sst"), "install"], deploy_dir, offline_sst_env(deploy_dir),
         what="sst install (platform types)")


def typecheck(deploy_dir: Path = DEPLOY_DIR) -> None:
    """Generate the platform types, then run ``tsc --noEmit`` against them.

    Raises :class:`DeployError` with the compiler's messages when the config
    does not match the real SST/Pulumi types.
    """
    platform_types(deploy_dir)
    run_tsc(Path(deploy_dir))


def run_tsc(deploy_dir: Path = DEPLOY_DIR) -> None:
    """``tsc --noEmit -p tsconfig.json`` against the generated ``.sst/platform`` types."""
    if not (deploy_dir / ".sst" / "platform" / "config.d.ts").is_file():
        raise DeployError(f"no {deploy_dir}/.sst/platform/config.d.ts: `sst install` has not run")
    result = subprocess.run([_bin(deploy_dir, "tsc"), "-p", "tsconfig.json", "--pretty", "false"], cwd=deploy_dir,
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise DeployError(f"{deploy_dir}/sst.config.ts does not type-check:\n{(result.stdout + result.stderr).strip()}")


def require_aws_credentials() -> None:
    """Fail early, in one line, when no AWS credentials can be found."""
    try:
        import boto3
        import botocore.exceptions
    except ImportError:  # pragma: no cover - boto3 is in the lock
        raise DeployError("boto3 is not installed: run `python3 tools/bootstrap.py`") from None
    try:
        credentials = boto3.Session().get_credentials()
    except botocore.exceptions.BotoCoreError as err:
        raise DeployError(f"AWS credentials are misconfigured: {err}") from None
    if credentials is None:
        raise DeployError(
            "no AWS credentials: set AWS_PROFILE (after `aws sso login`) or AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY, then retry (README, section Deployment)"
        )


def _stage_of(args: list[str]) -> str | None:
    for i, arg in enumerate(args):
        if arg == "--stage" and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith("--stage="):
            return arg.split("=", 1)[1]
    return os.environ.get("SST_STAGE")


def _is_protected(stage: str, deploy_dir: Path = DEPLOY_DIR) -> bool:
    settings = json.loads((deploy_dir / "stages.json").read_text())
    entry = settings["stages"].get(stage) or settings["stages"][settings["defaultStage"]]
    return bool(entry["protect"])


def confirm(stage: str, command: str = "deploy", deploy_dir: Path = DEPLOY_DIR) -> None:
    """Ask to type the stage's name before changing a protected stage (stages.json `protect`)."""
    if not _is_protected(stage, deploy_dir):
        return
    if not sys.stdin.isatty():
        raise DeployError(f"sst {command} --stage {stage}: a protected stage needs confirmation (run it in a terminal)")
    answer = input(f"sst {command} on the protected stage {stage!r}. Type the stage name to continue: ")
    if answer.strip() != stage:
        raise DeployError("not confirmed; nothing was done")


def run_sst(args: list[str], deploy_dir: Path = DEPLOY_DIR, assume_yes: bool = False) -> int:
    """Run ``pnpm sst <args>`` in deploy/ after the checks a real deployment needs."""
    if not args:
        raise DeployError("usage: python -m tools.deploy sst <command> [--stage STAGE] ...")
    command = args[0]
    stage = _stage_of(args)
    if command in AWS_COMMANDS:
        if stage is None:
            raise DeployError(f"sst {command}: pass --stage (dev, production or a personal stage)")
        require_aws_credentials()
    if command in DESTRUCTIVE and stage is not None and not assume_yes:
        confirm(stage, command, deploy_dir)
    install(deploy_dir)
    code = subprocess.run([_bin(deploy_dir, "sst"), *args], cwd=deploy_dir).returncode
    outputs = deploy_dir / ".sst" / "outputs.json"
    if code == 0 and command == "deploy" and stage and outputs.is_file():
        # keep each stage's outputs (the data bucket's name for `just upload-data STAGE`)
        shutil.copyfile(outputs, outputs.with_name(f"outputs.{stage}.json"))
    return code


def _since_ms(text: str) -> int:
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    if not text or text[-1] not in units or not text[:-1].isdigit():
        raise DeployError(f"--since {text!r}: use a number with s, m, h or d (e.g. 30m)")
    return int((time.time() - int(text[:-1]) * units[text[-1]]) * 1000)


def tail_logs(stage: str, since: str = "1h", follow: bool = False, deploy_dir: Path = DEPLOY_DIR) -> None:
    """Print the server's CloudWatch log events (SST 4 has no `sst logs`)."""
    require_aws_credentials()
    import boto3
    import botocore.exceptions

    settings = json.loads((deploy_dir / "stages.json").read_text())
    group = f"/{settings['app']}/{stage}/marimo"  # the name sst.config.ts gives the log group
    client = boto3.client("logs", region_name=settings["region"])
    start, seen = _since_ms(since), set()
    try:
        while True:
            kwargs = {"logGroupName": group, "startTime": start}
            for page in client.get_paginator("filter_log_events").paginate(**kwargs):
                for event in page["events"]:
                    if event["eventId"] in seen:
                        continue
                    seen.add(event["eventId"])
                    stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(event["timestamp"] / 1000))
                    print(f"{stamp}Z {event['logStreamName'].rsplit('/', 1)[-1][:12]} {event['message'].rstrip()}")
                    start = max(start, event["timestamp"])
            if not follow:
                return
            time.sleep(5)
    except client.exceptions.ResourceNotFoundException:
        raise DeployError(f"log group {group} not found in {settings['region']}: is stage {stage!r} deployed?") from None
    except botocore.exceptions.ClientError as err:
        raise DeployError(f"CloudWatch Logs: {err}") from None
    except KeyboardInterrupt:
        return


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.deploy", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("typecheck", help="type-check deploy/sst.config.ts against the real SST types")
    check.add_argument("--deploy-dir", type=Path, default=DEPLOY_DIR)
    sst = sub.add_parser("sst", help="run `pnpm sst ...` in deploy/ (checks credentials first)")
    sst.add_argument("--yes", action="store_true", help="do not ask before changing a protected stage")
    sst.add_argument("args", nargs=argparse.REMAINDER)
    logs = sub.add_parser("logs", help="print the server's CloudWatch logs")
    logs.add_argument("--stage", default="production")
    logs.add_argument("--since", default="1h")
    logs.add_argument("--follow", action="store_true")
    sub.add_parser("credentials", help="fail unless AWS credentials are configured")
    ask = sub.add_parser("confirm", help="ask to type a protected stage's name (no-op for other stages)")
    ask.add_argument("stage")
    ask.add_argument("--action", default="deploy", help="what will be done (for the prompt)")
    opts = parser.parse_args(argv)
    try:
        if opts.command == "typecheck":
            typecheck(opts.deploy_dir)
            print(f"sst.config.ts type-checks against the SST platform types ({opts.deploy_dir}/.sst/platform)")
        elif opts.command == "sst":
            args = opts.args[1:] if opts.args[:1] == ["--"] else opts.args
            return run_sst(args, assume_yes=opts.yes)
        elif opts.command == "logs":
            tail_logs(opts.stage, opts.since, opts.follow)
        elif opts.command == "confirm":
            confirm(opts.stage, opts.action)
        else:
            require_aws_credentials()
    except DeployError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
