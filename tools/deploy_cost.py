"""Monthly AWS cost of each deployment stage, and the production budget guard.

    python -m tools.deploy_cost [--json] [--limit 50]

Reads the same numbers the SST config deploys (``deploy/stages.json``: task
size, scaling, capacity, office hours, availability zones) and the list prices
in ``deploy/prices.json`` (eu-central-1, each with its source page and date).
Prints one column per stage and the production options; exits 1 when the
production stage is estimated above the limit (EUR 50 per month).

The model, per month (730 h):

* Fargate: task-hours × (vCPU × price per vCPU-hour + GB × price per GB-hour),
  × (1 − spot discount) on Fargate Spot. Task-hours are the hours the service
  runs (all month, or its office hours) × ``scaling.min`` plus the expected
  hours of extra tasks (``expectedUsage.extraTaskHours``, at most what
  ``scaling.max`` allows).
* Public IPv4 addresses: one per running task, one per load-balancer node
  (one node per availability zone, all month).
* Application Load Balancer: hours (all month) + average LCUs × hours.
* S3: stored GB + PUT and GET requests. CloudWatch: log GB ingested and
  stored (one month's retention), alarms (the config's 2 plus the 2 that CPU
  target tracking creates). ECR: the stored image. Cloud Map: the VPC's private
  DNS zone. Data transfer out beyond the free 100 GB.

The worst case runs ``scaling.max`` tasks for every running hour.
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
STAGES_FILE = REPO / "deploy" / "stages.json"
PRICES_FILE = REPO / "deploy" / "prices.json"
LIMIT_EUR = 50.0
GUARDED_STAGE = "production"
#: CloudWatch alarms per stage: HighMemory + HighCpu (sst.config.ts) + the
#: high/low pair of the CPU target-tracking policy.
ALARMS = 4
WEEKDAYS = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")


class CostError(ValueError):
    """Bad input: the message names the file and the field."""


@dataclass
class StageCost:
    stage: str
    lines: dict[str, float]  # USD per month, by line item
    usd_per_eur: float
    running_hours: float
    task_hours: float
    worst_usd: float
    notes: list[str] = field(default_factory=list)

    @property
    def total_usd(self) -> float:
        return sum(self.lines.values())

    @property
    def total_eur(self) -> float:
        return self.total_usd / self.usd_per_eur

    @property
    def worst_eur(self) -> float:
        return self.worst_usd / self.usd_per_eur


def weekday_count(spec: str) -> int:
    """Days per week in a cron day field such as ``MON-FRI`` or ``MON,WED,FRI``."""
    days: set[str] = set()
    for part in spec.upper().split(","):
        first, _, last = part.partition("-")
        if first not in WEEKDAYS or (last and last not in WEEKDAYS):
            raise CostError(f"officeHours.weekdays {spec!r}: use MON..SUN, ranges and commas")
        i, j = WEEKDAYS.index(first), WEEKDAYS.index(last or first)
        if j < i:
            raise CostError(f"officeHours.weekdays {spec!r}: range runs backwards")
        days.update(WEEKDAYS[i:j + 1])
    return len(days)


def running_hours(office_hours: dict[str, Any] | None, hours_per_month: float) -> float:
    """Hours per month the service runs: all of them, or its weekly office hours."""
    if office_hours is None:
        return hours_per_month
    per_day = office_hours["stop"] - office_hours["start"]
    return per_day * weekday_count(office_hours["weekdays"]) / 7 * hours_per_month / 24


def _amount(text: str, unit: str, where: str) -> float:
    number, _, suffix = text.partition(" ")
    try:
        value = float(number)
    except ValueError:
        value = -1.0
    if suffix != unit or value <= 0:
        raise CostError(f"{where}: {text!r} is not like '1 {unit}'")
    return value


def _price(prices: dict[str, Any], key: str) -> float:
    try:
        entry = prices["prices"][key]
        return float(entry.get("usd", entry.get("fraction", entry.get("gb"))))
    except (KeyError, TypeError, ValueError):
        raise CostError(f"deploy/prices.json: prices.{key} is missing or not a number") from None


def stage_cost(name: str, entry: dict[str, Any], settings: dict[str, Any], prices: dict[str, Any],
               load_balancer: bool = True) -> StageCost:
    """The monthly cost of one stage (``entry`` as in stages.json).

    ``load_balancer=False`` prices the variant without an ALB (one task reached
    at its public IP), which the config does not offer but the options table shows.
    """
    where = f"deploy/stages.json: stages.{name}"
    try:
        vcpu = _amount(entry["cpu"], "vCPU", f"{where}.cpu")
        memory = _amount(entry["memory"], "GB", f"{where}.memory")
        low, high = int(entry["scaling"]["min"]), int(entry["scaling"]["max"])
        capacity = entry["capacity"]
        usage = entry["expectedUsage"]
        azs = int(settings["availabilityZones"])
        month = float(prices["hoursPerMonth"])
        usd_per_eur = float(prices["usdPerEur"]["value"])
    except KeyError as err:
        raise CostError(f"{where}: missing field {err}") from None
    if capacity not in ("fargate", "spot"):
        raise CostError(f"{where}.capacity: {capacity!r} is not 'fargate' or 'spot'")
    p = {key: _price(prices, key) for key in prices["prices"]}

    hours = running_hours(entry.get("officeHours"), month)
    extra = min(float(usage["extraTaskHours"]), hours * (high - low))
    task_hours = hours * low + extra
    discount = p["fargateSpotDiscount"] if capacity == "spot" else 0.0
    per_task_hour = (vcpu * p["fargateVcpuHour"] + memory * p["fargateGbHour"]) * (1 - discount)

    def lines_for(task_hours: float) -> dict[str, float]:
        return {
            "Fargate compute": task_hours * per_task_hour,
            "Public IPv4, tasks": task_hours * p["publicIpv4Hour"],
            "Load balancer, hours": month * p["albHour"],
            "Load balancer, LCU": month * float(usage["lcuAverage"]) * p["albLcuHour"],
            "Public IPv4, load balancer": azs * month * p["publicIpv4Hour"],
            "S3 storage + requests": float(usage["s3StorageGB"]) * p["s3StandardGbMonth"]
            + float(usage["s3PutRequests"]) / 1000 * p["s3PutPer1000"]
            + float(usage["s3GetRequests"]) / 1000 * p["s3GetPer1000"],
            "CloudWatch logs + alarms": float(usage["logsGB"]) * (p["logsIngestGb"] + p["logsStoredGbMonth"])
            + ALARMS * p["alarmMonth"],
            "ECR image": float(usage["imageGB"]) * p["ecrGbMonth"],
            "Cloud Map DNS zone": p["hostedZoneMonth"],
            "Data transfer out": max(0.0, float(usage["egressGB"]) - p["egressFreeGb"]) * p["egressGb"],
        }

    def without_alb(lines: dict[str, float]) -> dict[str, float]:
        return lines if load_balancer else {k: v for k, v in lines.items() if "Load balancer" not in k
                                            and "load balancer" not in k}

    if not load_balancer:  # one task: nothing would spread load over a second one
        high, task_hours = low, hours * low
    lines = without_alb(lines_for(task_hours))
    worst = sum(without_alb(lines_for(hours * high)).values())
    notes = []
    if entry.get("domain"):
        notes.append("custom domain: its Route 53 hosted zone is not counted (usually exists already)")
    return StageCost(name, lines, usd_per_eur, hours, task_hours, worst, notes)


def load(stages_file: Path = STAGES_FILE, prices_file: Path = PRICES_FILE) -> tuple[dict, dict]:
    out = []
    for path in (stages_file, prices_file):
        try:
            out.append(json.loads(Path(path).read_text()))
        except (OSError, ValueError) as err:
            raise CostError(f"{path}: {err}") from None
    return out[0], out[1]


def estimate(settings: dict[str, Any], prices: dict[str, Any]) -> list[StageCost]:
    """One :class:`StageCost` per stage in stages.json."""
    return [stage_cost(name, entry, settings, prices) for name, entry in settings["stages"].items()]


def production_options(settings: dict[str, Any], prices: dict[str, Any]) -> list[tuple[str, StageCost]]:
    """The production stage as configured and in the obvious alternatives."""
    base = settings["stages"][GUARDED_STAGE]
    hours = base.get("officeHours") or {"timezone": "Europe/Vienna", "weekdays": "MON-FRI", "start": 7, "stop": 20}
    variants = {
        "as configured": {},
        "Fargate, 24/7": {"capacity": "fargate", "officeHours": None},
        "Fargate Spot, 24/7": {"capacity": "spot", "officeHours": None},
        f"Fargate, office hours ({hours['weekdays']} {hours['start']}-{hours['stop']} h)": {
            "capacity": "fargate", "officeHours": hours},
        "Fargate Spot, office hours": {"capacity": "spot", "officeHours": hours},
    }
    out = []
    for label, change in variants.items():
        entry = copy.deepcopy(base) | change
        if change and entry == base:
            continue  # the configured variant is listed once
        out.append((label, stage_cost(GUARDED_STAGE, entry, settings, prices)))
    no_alb = copy.deepcopy(base) | {"capacity": "fargate", "officeHours": None}
    out.append(("Fargate, 24/7, one task, no load balancer (public IP, no HTTPS)",
                stage_cost(GUARDED_STAGE, no_alb, settings, prices, load_balancer=False)))
    return out


def format_table(costs: list[StageCost], prices: dict[str, Any]) -> str:
    names = [c.stage for c in costs]
    items = list(costs[0].lines)
    width = max(len(i) for i in [*items, "Worst case (max tasks), EUR"]) + 2
    rows = [f"{'USD per month':<{width}}" + "".join(f"{n:>12}" for n in names)]
    rows.append("-" * len(rows[0]))
    for item in items:
        rows.append(f"{item:<{width}}" + "".join(f"{c.lines[item]:>12.2f}" for c in costs))
    rows.append("-" * len(rows[0]))
    rows.append(f"{'Total, USD':<{width}}" + "".join(f"{c.total_usd:>12.2f}" for c in costs))
    rows.append(f"{'Total, EUR':<{width}}" + "".join(f"{c.total_eur:>12.2f}" for c in costs))
    rows.append(f"{'Worst case (max tasks), EUR':<{width}}" + "".join(f"{c.worst_eur:>12.2f}" for c in costs))
    rows.append(f"{'Running hours / task-hours':<{width}}"
                + "".join(f"{c.running_hours:>6.0f}/{c.task_hours:<5.0f}" for c in costs))
    fx = prices["usdPerEur"]
    rows.append(f"(eu-central-1 list prices of {prices['asOf']}, {fx['value']} USD per EUR of {fx['date']};"
                " deploy/prices.json)")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.deploy_cost", description=__doc__.split("\n\n")[0])
    parser.add_argument("--stages", type=Path, default=STAGES_FILE)
    parser.add_argument("--prices", type=Path, default=PRICES_FILE)
    parser.add_argument("--limit", type=float, default=LIMIT_EUR, help="EUR per month for production")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    opts = parser.parse_args(argv)
    try:
        settings, prices = load(opts.stages, opts.prices)
        costs = estimate(settings, prices)
        options = production_options(settings, prices) if GUARDED_STAGE in settings["stages"] else []
    except CostError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    guarded = next((c for c in costs if c.stage == GUARDED_STAGE), None)
    if opts.json:
        print(json.dumps({
            "limit_eur": opts.limit,
            "stages": {c.stage: {"lines_usd": c.lines, "total_usd": c.total_usd, "total_eur": c.total_eur,
                                 "worst_eur": c.worst_eur, "running_hours": c.running_hours,
                                 "task_hours": c.task_hours} for c in costs},
            "production_options": {label: c.total_eur for label, c in options},
        }, indent=1))
    else:
        print(format_table(costs, prices))
        if options:
            print("\nProduction options, EUR per month (expected / worst case):")
            for label, c in options:
                mark = "ok  " if c.total_eur <= opts.limit else "over"
                print(f"  {mark} {c.total_eur:7.2f} / {c.worst_eur:7.2f}  {label}")
        for c in costs:
            for note in c.notes:
                print(f"note ({c.stage}): {note}")
    if guarded is not None and guarded.total_eur > opts.limit:
        print(f"error: stage {GUARDED_STAGE} is estimated at EUR {guarded.total_eur:.2f} per month, over the "
              f"limit of EUR {opts.limit:.2f} by {guarded.total_eur - opts.limit:.2f} (deploy/stages.json; "
              "README, section Deployment, lists cheaper options)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
