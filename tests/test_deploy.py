"""Deployment: the SST config against the real platform types, the lock, the wrappers, the cost guard.

The type check is the real one the build graph runs: pnpm installs the locked
packages from npm, ``sst install`` (with bun from npm, no GitHub, no AWS)
generates ``deploy/.sst/platform``, and TypeScript checks ``sst.config.ts``.
A broken copy of the config proves the check rejects what the real types forbid.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.harness import ROOT
from tools import deploy, deploy_cost

DEPLOY = ROOT / "deploy"

pytestmark = pytest.mark.skipif(shutil.which("npx") is None, reason="Node.js (npx) is not installed")


@pytest.fixture(scope="session")
def platform() -> Path:
    """deploy/ with the locked packages installed (`pnpm install --frozen-lockfile`) and
    .sst/platform generated: the `typecheck` task's work up to the compiler."""
    deploy.platform_types(DEPLOY)
    return DEPLOY


def _no_aws_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(HOME=str(tmp_path), AWS_EC2_METADATA_DISABLED="true", AWS_CONFIG_FILE=str(tmp_path / "none"),
               AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "none"))
    return env


# --------------------------------------------------------------------------- type check


@pytest.mark.slow
def test_config_type_checks_against_the_real_sst_platform(platform):
    assert (platform / ".sst" / "platform" / "version").read_text().strip() == "4.17.1"
    assert (platform / ".sst" / "platform" / "config.d.ts").is_file()
    deploy.run_tsc(platform)  # raises with the compiler's messages otherwise


@pytest.mark.slow
def test_type_check_rejects_what_the_platform_forbids(platform, tmp_path):
    """The mistakes of the original product document: a Service without a cluster, a `port`
    argument, an `sst.aws.Alarm` component. Each must be a compile error."""
    broken = tmp_path / "deploy"
    broken.mkdir()
    for name in ("package.json", "pnpm-lock.yaml", "tsconfig.json", "stages.json"):
        shutil.copy(platform / name, broken / name)
    for name in ("node_modules", ".sst"):
        (broken / name).symlink_to(platform / name, target_is_directory=True)
    config = (platform / "sst.config.ts").read_text()
    mistakes = """
    new sst.aws.Service("NoCluster", { image: "nginx" });
    new sst.aws.Service("WithPort", { cluster, port: 7860 });
    new sst.aws.Alarm("HighMemory", { threshold: 80 });
    return {
      endpoint:"""
    assert config.count("\n    return {\n      endpoint:") == 1
    (broken / "sst.config.ts").write_text(config.replace("\n    return {\n      endpoint:", mistakes))
    with pytest.raises(deploy.DeployError) as err:
        deploy.run_tsc(broken)
    message = str(err.value)
    assert "Property 'cluster' is missing" in message
    assert "'port' does not exist in type 'ServiceArgs'" in message
    assert "Property 'Alarm' does not exist" in message


@pytest.mark.slow
def test_frozen_lockfile_install_works_and_a_stale_lock_is_refused(platform, tmp_path):
    # the fixture's install ran `pnpm install --frozen-lockfile` (or found the stamp it writes
    # only after that install succeeded for exactly this package.json and lock)
    stamp = (platform / "node_modules" / ".climatevis-install").read_text()
    package, lock = (platform / "package.json").read_bytes(), (platform / "pnpm-lock.yaml").read_bytes()
    assert stamp == hashlib.sha256(package + lock).hexdigest()
    assert (platform / "node_modules" / ".bin" / "sst").exists() and (platform / "node_modules" / ".bin" / "tsc").exists()
    assert deploy.bun_path(platform).stat().st_size > 1_000_000

    copy = tmp_path / "deploy"
    copy.mkdir()
    shutil.copy(platform / "pnpm-lock.yaml", copy / "pnpm-lock.yaml")
    changed = json.loads(package)
    changed["devDependencies"]["typescript"] = "5.9.3"
    (copy / "package.json").write_text(json.dumps(changed))
    run = subprocess.run([*deploy.pnpm_command(copy), "install", "--frozen-lockfile"], cwd=copy,
                         capture_output=True, text=True)
    assert run.returncode != 0 and "OUTDATED_LOCKFILE" in run.stdout + run.stderr


def test_generated_folders_stay_out_of_git():
    for path in ("deploy/.sst/platform/config.d.ts", "deploy/node_modules/.bin/sst"):
        check = subprocess.run(["git", "check-ignore", "-q", path], cwd=ROOT)
        assert check.returncode == 0, f"{path} is not ignored by git"
    tracked = subprocess.run(["git", "ls-files", "deploy"], cwd=ROOT, capture_output=True, text=True).stdout.split()
    assert "deploy/pnpm-lock.yaml" in tracked
    assert not [t for t in tracked if t.startswith(("deploy/.sst/", "deploy/node_modules/"))]


def test_config_reads_its_stage_settings_from_stages_json():
    config = (DEPLOY / "sst.config.ts").read_text()
    assert 'import("./stages.json")' in config
    assert deploy_cost.STAGES_FILE == DEPLOY / "stages.json"
    settings = json.loads((DEPLOY / "stages.json").read_text())
    prod, dev = settings["stages"]["production"], settings["stages"]["dev"]
    assert (prod["cpu"], prod["memory"]) == ("1 vCPU", "2 GB")
    assert prod["scaling"] == {"min": 1, "max": 2, "cpuUtilization": 70}
    assert prod["capacity"] == "fargate" and dev["capacity"] == "spot" and prod["protect"]


# --------------------------------------------------------------------------- wrappers


def test_deploy_without_aws_credentials_fails_early_in_one_line(tmp_path):
    for args in (["sst", "deploy", "--stage", "dev"], ["sst", "diff", "--stage", "production"],
                 ["logs", "--stage", "production"]):
        run = subprocess.run([sys.executable, "-m", "tools.deploy", *args], cwd=ROOT, env=_no_aws_env(tmp_path),
                             capture_output=True, text=True, timeout=120)
        assert run.returncode == 2, run.stdout + run.stderr
        lines = run.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: no AWS credentials"), run.stderr
        assert run.stdout == ""


def test_a_protected_stage_is_not_changed_without_confirmation(tmp_path):
    env = _no_aws_env(tmp_path) | {"AWS_ACCESS_KEY_ID": "AKIAEXAMPLE", "AWS_SECRET_ACCESS_KEY": "example"}
    run = subprocess.run([sys.executable, "-m", "tools.deploy", "sst", "remove", "--stage", "production"],
                         cwd=ROOT, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)
    assert run.returncode == 2 and "needs confirmation" in run.stderr


# --------------------------------------------------------------------------- cost


def test_cost_of_dev_matches_a_hand_computation():
    settings, prices = deploy_cost.load()
    dev = settings["stages"]["dev"]
    p = {k: v.get("usd", v.get("fraction", v.get("gb"))) for k, v in prices["prices"].items()}
    use = dev["expectedUsage"]
    month = prices["hoursPerMonth"]  # 730 h
    office = dev["officeHours"]
    # 7:00–20:00 on 5 of 7 days: 13 h × 5/7 × 730/24 ≈ 282.4 h
    days = {"MON-FRI": 5, "MON-SAT": 6, "MON-SUN": 7}[office["weekdays"]]
    hours = (office["stop"] - office["start"]) * days / 7 * month / 24
    task_hours = hours * dev["scaling"]["min"] + use["extraTaskHours"]
    fargate = task_hours * (1 * p["fargateVcpuHour"] + 2 * p["fargateGbHour"]) * (1 - p["fargateSpotDiscount"])
    ipv4 = (task_hours + settings["availabilityZones"] * month) * p["publicIpv4Hour"]
    alb = month * p["albHour"] + month * use["lcuAverage"] * p["albLcuHour"]
    s3 = (use["s3StorageGB"] * p["s3StandardGbMonth"] + use["s3PutRequests"] / 1000 * p["s3PutPer1000"]
          + use["s3GetRequests"] / 1000 * p["s3GetPer1000"])
    cloudwatch = use["logsGB"] * (p["logsIngestGb"] + p["logsStoredGbMonth"]) + 4 * p["alarmMonth"]
    other = use["imageGB"] * p["ecrGbMonth"] + p["hostedZoneMonth"] + max(0, use["egressGB"] - 100) * p["egressGb"]
    by_hand = fargate + ipv4 + alb + s3 + cloudwatch + other

    cost = deploy_cost.stage_cost("dev", dev, settings, prices)
    assert cost.lines["Fargate compute"] == pytest.approx(fargate, rel=1e-12)
    assert cost.total_usd == pytest.approx(by_hand, rel=1e-12)
    assert cost.total_eur == pytest.approx(by_hand / prices["usdPerEur"]["value"], rel=1e-12)
    assert hours == pytest.approx(282.44, abs=0.01)


def test_cost_task_prints_each_stage_and_passes_for_the_committed_stages():
    run = subprocess.run([sys.executable, "-m", "tools.deploy_cost"], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    header = run.stdout.splitlines()[0]
    assert "production" in header and "dev" in header
    assert "Total, EUR" in run.stdout and "Production options" in run.stdout
    data = json.loads(subprocess.run([sys.executable, "-m", "tools.deploy_cost", "--json"], cwd=ROOT,
                                     capture_output=True, text=True, check=True).stdout)
    assert data["stages"]["production"]["total_eur"] <= 50
    assert data["production_options"]["Fargate, 24/7"] > 50  # why production runs office hours


def test_cost_guard_fails_when_production_exceeds_the_limit(tmp_path):
    settings = json.loads((DEPLOY / "stages.json").read_text())
    settings["stages"]["production"]["officeHours"] = None  # on-demand, around the clock
    stages = tmp_path / "stages.json"
    stages.write_text(json.dumps(settings))
    run = subprocess.run([sys.executable, "-m", "tools.deploy_cost", "--stages", str(stages)], cwd=ROOT,
                         capture_output=True, text=True)
    assert run.returncode == 1
    assert "stage production is estimated at EUR" in run.stderr and "over the limit of EUR 50.00" in run.stderr


def test_cost_rejects_a_malformed_stage(tmp_path):
    settings = json.loads((DEPLOY / "stages.json").read_text())
    settings["stages"]["dev"]["cpu"] = "one vCPU"
    stages = tmp_path / "stages.json"
    stages.write_text(json.dumps(settings))
    run = subprocess.run([sys.executable, "-m", "tools.deploy_cost", "--stages", str(stages)], cwd=ROOT,
                         capture_output=True, text=True)
    assert run.returncode == 2 and "stages.dev.cpu" in run.stderr


# --------------------------------------------------------------------------- build graph and recipes


def test_doit_tasks_rerun_on_the_right_inputs():
    import dodo

    typecheck = dodo.task_typecheck()
    assert {"deploy/sst.config.ts", "deploy/pnpm-lock.yaml", "deploy/stages.json", "deploy/package.json",
            "deploy/tsconfig.json"} <= set(typecheck["file_dep"])
    assert {"deploy/stages.json", "deploy/prices.json"} <= set(dodo.task_cost()["file_dep"])
    deploy_task = dodo.task_deploy()
    assert deploy_task["task_dep"][:2] == ["typecheck", "cost"] and "export" in deploy_task["task_dep"]
    assert "export" in dodo.task_portfolio()["task_dep"]


@pytest.mark.skipif(shutil.which("just") is None, reason="just is not installed")
def test_recipes_check_credentials_before_any_work(tmp_path):
    listing = subprocess.run(["just", "--list"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    for recipe in ("deploy-dev", "deploy-prod", "diff stage", "logs", "remove-dev", "portfolio path", "cost",
                   "typecheck"):
        assert recipe in listing
    for recipe in (["deploy-dev"], ["deploy-prod"], ["upload-data", "dev"]):
        dry = subprocess.run(["just", "--dry-run", *recipe], cwd=ROOT, capture_output=True, text=True)
        first = next(line for line in dry.stderr.splitlines() if "tools.deploy" in line or "run_doit" in line)
        assert "tools.deploy credentials" in first, dry.stderr
    run = subprocess.run(["just", "deploy-dev"], cwd=ROOT, env=_no_aws_env(tmp_path), capture_output=True,
                         text=True, timeout=300)
    assert run.returncode != 0
    assert run.stderr.startswith("error: no AWS credentials"), run.stderr
    assert "typecheck" not in run.stdout + run.stderr  # nothing else ran
