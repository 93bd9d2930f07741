"""The ``climatevis`` command line.

Each command is a pair of functions, ``<name>_arguments(parser)`` and
``<name>_command(args) -> int``, registered in :data:`COMMANDS`. Errors from
the library (bad files, bad options) are printed as one line on stderr with
exit status 2; ``--json`` prints machine-readable output with stable keys.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any


class CLIError(Exception):
    """An error to show the user as one line (exit status 2)."""


def _print_json(payload: dict[str, Any]) -> None:
    def clean(v: Any) -> Any:
        if isinstance(v, float) and not math.isfinite(v):
            return None
        if isinstance(v, dict):
            return {k: clean(x) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return [clean(x) for x in v]
        return v

    print(json.dumps(clean(payload), indent=2))


def _print_table(rows: Sequence[tuple[str, Any]]) -> None:
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        if isinstance(value, float):
            value = f"{value:,.2f}"
        print(f"{key:<{width}}  {value}")


# --------------------------------------------------------------------------- epw


def epw_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", help="EPW file (.epw, .zip or .gz)")
    p.add_argument("--json", action="store_true", help="print JSON")


def epw_command(args: argparse.Namespace) -> int:
    from climatevis.epw import read_epw, summary

    payload = summary(read_epw(args.file))
    if args.json:
        _print_json(payload)
    else:
        _print_table([(k, v) for k, v in payload.items() if k != "missing_values"])
    return 0


# --------------------------------------------------------------------------- assets


def assets_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("files", nargs="+", help="EPW files to pack")
    p.add_argument("--out", required=True, help="output folder (gets index.json)")
    p.add_argument("--json", action="store_true", help="print the index entries as JSON")


def assets_command(args: argparse.Namespace) -> int:
    from climatevis.assets import write_station_assets

    entries = write_station_assets([Path(f) for f in args.files], args.out)
    if args.json:
        _print_json({"stations": entries})
    else:
        for e in entries:
            print(f"{e['id']:<40} {e['bytes']:>8,} bytes  {e['file']}")
    return 0


# --------------------------------------------------------------------------- fetch


def fetch_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("stations", nargs="*", metavar="STATION",
                   help="catalog ids (default: every station; see --list)")
    p.add_argument("--demo", action="store_true", help="only the stations the demos bundle")
    p.add_argument("--out", help="folder for the EPW files (default: build/weather)")
    p.add_argument("--catalog", help="catalog file (default: data/catalog.toml)")
    p.add_argument("--list", action="store_true", help="list the catalog and exit")
    p.add_argument("--json", action="store_true", help="print JSON")


def fetch_command(args: argparse.Namespace) -> int:
    from climatevis.data import fetch_all, load_catalog

    catalog = load_catalog(args.catalog)
    ids = args.stations or [s.id for s in catalog if s.demo or not args.demo]
    if args.list:
        rows = [{"id": s.id, "name": s.name, "country": s.country, "wmo": s.wmo,
                 "file": s.file, "sha256": s.sha256, "demo": s.demo} for s in catalog]
        if args.json:
            _print_json({"stations": rows})
        else:
            for r in rows:
                flag = "demo" if r["demo"] else ""
                print(f"{r['id']:<18} {r['country']} {r['wmo']:<7} {flag:<4}  {r['name']}")
        return 0
    report = fetch_all(ids, catalog=catalog, dest=args.out)
    if args.json:
        _print_json(report.to_dict())
    else:
        for r in report.fetched:
            print(f"ok      {r.station:<18} {r.file}  <- {r.source}")
            for warning in r.warnings:
                print(f"  warning: {warning}")
        for r in report.recorded:
            print(f"new     {r.station:<18} sha256 {r.sha256} recorded in {catalog.lock_path}")
        for err in report.failed:
            print(f"FAILED  {err.station:<18} {err}")
    if report.failed:
        raise CLIError(f"{len(report.failed)} of {len(ids)} stations could not be fetched: "
                       + ", ".join(e.station for e in report.failed))
    return 0


# --------------------------------------------------------------------------- sync


def sync_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("source", metavar="SRC", help="folder or s3://bucket/prefix")
    p.add_argument("destination", metavar="DEST", help="folder or s3://bucket/prefix")
    p.add_argument("--dry-run", action="store_true", help="show what would change; change nothing")
    p.add_argument("--delete", action="store_true",
                   help="delete objects in DEST that are not in SRC (nothing is deleted otherwise)")
    p.add_argument("--exclude", action="append", default=[], metavar="GLOB",
                   help="skip names matching GLOB (repeatable; temporary files are always skipped)")
    p.add_argument("--json", action="store_true",
                   help="print JSON (uploaded, skipped, deleted, failed, bytes)")


def sync_command(args: argparse.Namespace) -> int:
    from climatevis.storage import DEFAULT_EXCLUDE, sync

    result = sync(args.source, args.destination, dry_run=args.dry_run, delete=args.delete,
                  exclude=(*DEFAULT_EXCLUDE, *args.exclude))
    if args.json:
        _print_json(result.to_dict())
    else:
        verb = "would upload" if args.dry_run else "uploaded"
        for name in result.uploaded:
            print(f"{verb}: {name}")
        for name in result.deleted:
            print(f"{'would delete' if args.dry_run else 'deleted'}: {name}")
        for failure in result.failed:
            print(f"FAILED: {failure['name']}: {failure['error']}")
        print(f"{len(result.uploaded)} {verb}, {len(result.skipped)} unchanged, "
              f"{len(result.deleted)} deleted, {result.bytes:,} bytes")
    if result.failed:
        raise CLIError(f"{len(result.failed)} objects failed (first: {result.failed[0]['name']}: "
                       f"{result.failed[0]['error']})")
    return 0


# --------------------------------------------------------------------------- notebooks


def notebook_options(cli_args: Mapping[str, Any], defaults: Mapping[str, Any]) -> dict[str, Any]:
    """A notebook's options from ``mo.cli_args()`` (``python nb.py --name value`` or
    ``marimo edit|run|export … nb.py -- --name value``), checked against ``defaults``.

    Names may use dashes or underscores; each value is converted to the type
    of its default (a list default collects a repeated option; a ``bool``
    default is a flag: ``--flag``, ``--flag=true``/``false``). Unknown names
    or values of the wrong type raise :class:`CLIError` naming the option.
    """
    out = dict(defaults)
    for raw_name, value in cli_args.items():
        name = raw_name.replace("-", "_")
        if name not in defaults:
            known = ", ".join("--" + k.replace("_", "-") for k in defaults)
            raise CLIError(f"unknown option --{raw_name} (known: {known})")
        default = defaults[name]
        values = value if isinstance(value, list) else [value]
        try:
            if isinstance(default, list):
                out[name] = [str(v) for v in values if str(v) != ""]
                continue
            if len(values) > 1:
                raise ValueError("given more than once")
            v = values[0]
            if isinstance(default, bool):
                text = str(v).lower()
                if text not in ("", "true", "false", "1", "0", "yes", "no"):
                    raise ValueError(f"expected true or false, got {v!r}")
                out[name] = text in ("", "true", "1", "yes")
            elif isinstance(default, int):
                if isinstance(v, bool) or float(v) != int(float(v)):
                    raise ValueError(f"expected an integer, got {v!r}")
                out[name] = int(float(v))
            elif isinstance(default, float):
                out[name] = float(v)
            else:
                if v == "":
                    raise ValueError("needs a value")
                out[name] = str(v)
        except (TypeError, ValueError) as err:
            raise CLIError(f"--{raw_name}: {err}") from None
    return out


# --------------------------------------------------------------------------- main

#: name -> (help, add-arguments, run)
COMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None],
                          Callable[[argparse.Namespace], int]]] = {
    "epw": ("location and summary of an EPW weather file", epw_arguments, epw_command),
    "assets": ("pack EPW files into compact demo assets", assets_arguments, assets_command),
    "fetch": ("fetch the catalog's weather files, verified by sha256", fetch_arguments,
              fetch_command),
    "sync": ("incremental sync between folders and s3://bucket/prefix", sync_arguments,
             sync_command),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="climatevis", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (help_, add_arguments, _run) in COMMANDS.items():
        add_arguments(sub.add_parser(name, help=help_, description=help_))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    run = COMMANDS[args.command][2]
    try:
        return run(args)
    except (CLIError, ValueError, OSError) as err:  # EPWError is a ValueError
        message = str(err).splitlines()[0] if str(err) else type(err).__name__
        print(f"climatevis {args.command}: error: {message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
