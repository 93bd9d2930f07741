"""Helpers behind dodo.py's data tasks: ``weather`` (fetch the catalog) and ``upload_data``.

Like tools/buildgraph.py, importing this module costs only the stdlib: the
climatevis library (and boto3) are imported inside the actions, whose expected
failures end the task with one line (``buildgraph.action``).

* ``weather`` fetches every station of data/catalog.toml into build/weather/
  (verified by sha256, see climatevis.data) and writes
  build/weather/fetch-report.json. A demo station that cannot be fetched fails
  the task; any other station that cannot be fetched is printed as a warning
  and listed in the report, and the task runs again next time until it has
  them all.
* ``upload_data`` syncs data/examples/, the fetched EPWs and the derived demo
  assets into the data bucket (layout in data/README.md). It is up to date
  when the files, the bucket and the endpoint are the same as at the last
  successful upload.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tomllib
from pathlib import Path
from typing import Any

# stdlib only; importing it also puts this checkout's src/ first on sys.path for the actions
from tools.buildgraph import ASSETS, ROOT, BuildError, action, sha256_file

CATALOG = ROOT / "data" / "catalog.toml"
EXAMPLES = ROOT / "data" / "examples"
WEATHER = ROOT / "build" / "weather"
REPORT = WEATHER / "fetch-report.json"
DEPLOY = ROOT / "deploy"

# --------------------------------------------------------------------------- weather


def catalog_stations() -> list[dict[str, Any]]:
    """The catalog's station tables (id, file, demo, ...), or [] without a catalog.

    Parsed with tomllib only (≈1 ms): dodo.py calls this while loading.
    """
    if not CATALOG.exists():
        return []
    stations = tomllib.loads(CATALOG.read_text(encoding="utf-8")).get("stations", {})
    return [{"id": sid, **entry} for sid, entry in stations.items() if isinstance(entry, dict)]


def demo_weather_files() -> list[Path]:
    """build/weather/<file> of the stations the demos bundle (``demo = true``), in catalog order."""
    return [WEATHER / s["file"] for s in catalog_stations() if s.get("demo") and "file" in s]


def _stat(path: Path) -> list[int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns]


def weather_uptodate() -> bool:
    """Up to date when the last run fetched every station and none of the files changed since."""
    try:
        report = json.loads(REPORT.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if report.get("failed"):
        return False  # try the missing stations again
    fetched = report.get("fetched", [])
    expected = {s["file"] for s in catalog_stations() if "file" in s}
    if {r["file"] for r in fetched} != expected:
        return False
    return all(_stat(WEATHER / r["file"]) == r.get("stat") for r in fetched)


@action
def fetch_weather() -> None:
    """Fetch the catalog into build/weather/, write the report, fail on a missing demo station."""
    from climatevis.data import fetch_all, load_catalog
    from climatevis.storage import write_atomic

    if not CATALOG.exists():
        raise BuildError(f"{CATALOG.relative_to(ROOT)} not found")
    catalog = load_catalog(CATALOG)
    report = fetch_all(catalog=catalog, dest=WEATHER)
    payload = report.to_dict()
    for entry in payload["fetched"]:
        entry["stat"] = _stat(Path(entry["path"]))
        entry["path"] = str(Path(entry["path"]).relative_to(ROOT)) \
            if Path(entry["path"]).is_relative_to(ROOT) else entry["path"]
    write_atomic(REPORT, json.dumps(payload, indent=1).encode("utf-8"))

    for r in report.fetched:
        where = "already verified" if r.source == "build" else f"from {r.source}"
        print(f"  {r.station:<18} {r.file}  {where}")
        for warning in r.warnings:
            print(f"    warning: {warning}")
    for r in report.recorded:
        print(f"  {r.station:<18} NEW HASH {r.sha256} recorded in "
              f"{catalog.lock_path.relative_to(ROOT)}: review it, then copy it into the catalog")
    if report.failed:
        for err in report.failed:
            print(f"  {err.station:<18} NOT FETCHED: {err}", file=sys.stderr)
        demo = {s.id for s in catalog.demo_stations()}
        missing_demo = sorted(e.station for e in report.failed if e.station in demo)
        if missing_demo:
            raise BuildError(
                f"demo stations {', '.join(missing_demo)} could not be fetched (sources tried: "
                f"{REPORT.relative_to(ROOT)}); set CLIMATEVIS_WEATHER_DIR or "
                "CLIMATEVIS_WEATHER_MIRROR")
        print(f"  warning: {len(report.failed)} of {len(catalog)} stations could not be fetched "
              f"({', '.join(e.station for e in report.failed)}); the demos do not need them. "
              "This task runs again until it has them.", file=sys.stderr)


# --------------------------------------------------------------------------- upload


def upload_plan() -> list[tuple[Path, str, tuple[str, ...]]]:
    """(local folder, key prefix in the bucket, excluded names) of everything uploaded."""
    return [
        (EXAMPLES, "data", ()),
        (WEATHER, "weather", ("fetch-report.json",)),
        (ASSETS, "weather/assets", ()),
    ]


def _bucket(stage: str) -> str:
    from climatevis.storage import data_bucket

    return data_bucket(stage or None, DEPLOY)


def _endpoint() -> str:
    return os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL") or "aws"


def upload_digest(bucket: str) -> str:
    """One hash over the bucket, the endpoint and the content of every file to upload."""
    from climatevis.storage import DEFAULT_EXCLUDE, is_excluded

    digest = hashlib.sha256(f"{bucket}\n{_endpoint()}\n".encode())
    for folder, prefix, exclude in upload_plan():
        if not folder.is_dir():
            continue
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            rel = path.relative_to(folder).as_posix()
            if is_excluded(rel, (*DEFAULT_EXCLUDE, *exclude)):
                continue
            digest.update(f"{prefix}/{rel}\t{sha256_file(path)}\n".encode())
    return digest.hexdigest()


def upload_uptodate(task: Any, values: dict[str, Any]) -> bool:
    """doit uptodate: nothing changed since the last successful upload to this bucket."""
    stage = task.options.get("stage", "") if task.options else ""
    try:
        bucket = _bucket(stage)
    except ValueError:
        return False  # let the action report the missing bucket
    return values.get("digest") == upload_digest(bucket)


@action
def upload_data(stage: str = "") -> dict[str, str]:
    """Sync data/examples, build/weather and build/assets/weather into the data bucket."""
    from climatevis.storage import DEFAULT_EXCLUDE, sync

    bucket = _bucket(stage)
    digest = upload_digest(bucket)  # before the upload: what exactly was sent
    for folder, prefix, exclude in upload_plan():
        if not folder.is_dir():
            print(f"  {folder.relative_to(ROOT)}/ does not exist: nothing to upload")
            continue
        result = sync(folder, f"s3://{bucket}/{prefix}", exclude=(*DEFAULT_EXCLUDE, *exclude))
        print(f"  {folder.relative_to(ROOT)}/ -> s3://{bucket}/{prefix}/: "
              f"{len(result.uploaded)} uploaded, {len(result.skipped)} unchanged, "
              f"{result.bytes:,} bytes")
        if result.failed:
            first = result.failed[0]
            raise BuildError(f"s3://{bucket}/{prefix}/{first['name']}: {first['error']} "
                                f"({len(result.failed)} objects failed)")
    return {"digest": digest, "bucket": bucket}
