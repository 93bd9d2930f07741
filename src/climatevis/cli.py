"""The ``climatevis`` command line.

Each command is a pair of functions, ``<name>_arguments(parser)`` and
``<name>_command(args) -> int``, registered in :data:`COMMANDS`. Errors from
the library (bad files, bad options) are printed as one line on stderr with
exit status 2; ``--json`` prints machine-readable output with stable keys.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any


class CLIError(Exception):
    """An error to show the user as one line (exit status 2)."""


def _print_json(payload: dict[str, Any]) -> None:
    from climatevis.fmt import json_safe

    print(json.dumps(json_safe(payload), indent=2))


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


# --------------------------------------------------------------------------- building


def building_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", help="EPW weather file (.epw, .zip or .gz)")
    p.add_argument("--case", default="bestest600",
                   help="bestest600, bestest640, bestest900, bestest940, bestest600ff, bestest900ff "
                        "or an id of data/examples/building_reference.csv (e.g. at-sfh-1980)")
    p.add_argument("--json", action="store_true", help="print JSON")


def building_command(args: argparse.Namespace) -> int:
    from climatevis.building import preset, simulate
    from climatevis.epw import read_epw

    b = preset(args.case)
    result = simulate(b, read_epw(args.file))
    keys = ("heating_kwh", "cooling_kwh", "peak_heating_kw", "peak_cooling_kw", "heating_kwh_m2",
            "cooling_kwh_m2", "floor_area_m2")
    summary = result.summary()
    payload: dict[str, Any] = {"case": args.case, "building": b.name, "weather": result.site_name}
    payload.update({k: summary[k] for k in keys})
    if args.json:
        _print_json(payload)
    else:
        _print_table(list(payload.items()))
    return 0


# --------------------------------------------------------------------------- pv


def pv_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", help="EPW file (.epw, .zip or .gz) with complete GHI/DNI/DHI")
    p.add_argument("--kwp", type=float, required=True, help="DC nameplate [kWp], > 0")
    p.add_argument("--tilt", type=float, required=True, help="tilt from horizontal [deg], 0-90")
    p.add_argument("--azimuth", type=float, required=True,
                   help="direction the modules face [deg clockwise from north; 180 = south], 0-360")
    p.add_argument("--module", default="standard", help="standard | premium | thin_film (default standard)")
    p.add_argument("--array", default="open_rack", help="open_rack | roof_mount (default open_rack)")
    p.add_argument("--losses", type=float, default=None,
                   help="total system losses [%%] (default PVWatts' 14.08)")
    p.add_argument("--dc-ac-ratio", type=float, default=1.2, help="DC/AC ratio (default 1.2)")
    p.add_argument("--inv-eff", type=float, default=96.0, help="inverter efficiency [%%] (default 96)")
    p.add_argument("--gcr", type=float, default=0.4,
                   help="ground coverage ratio of open-rack rows, for row-to-row shading (default 0.4)")
    p.add_argument("--model", default="pvwatts_v8", help="pvwatts_v8 (default) | pvwatts (v5 chain)")
    p.add_argument("--json", action="store_true",
                   help="print JSON: annual_ac_kwh, monthly_ac_kwh (12), specific_yield_kwh_per_kwp, "
                        "capacity_factor [%%], ...")


def pv_command(args: argparse.Namespace) -> int:
    from climatevis import solar
    from climatevis.epw import read_epw

    # validate the system before reading a possibly large file
    changes = {} if args.losses is None else {"losses": args.losses}
    cfg = solar.SystemConfig(
        kwp=args.kwp, surface_tilt=args.tilt, surface_azimuth=args.azimuth, module_type=args.module,
        array_type=args.array, dc_ac_ratio=args.dc_ac_ratio, inv_eff=args.inv_eff, model=args.model, gcr=args.gcr,
        **changes,
    )
    weather = read_epw(args.file)
    result = solar.SolarSite(weather).simulate(cfg)
    payload = {
        "file": str(args.file),
        "location": weather.location.city,
        "kwp": cfg.kwp,
        "surface_tilt": cfg.surface_tilt,
        "surface_azimuth": cfg.surface_azimuth,
        "module_type": cfg.module_type,
        "array_type": cfg.array_type,
        "losses_pct": cfg.loss_percent,
        "model": cfg.model,
        **result.summary(),
    }
    if args.json:
        _print_json(payload)
    else:
        from climatevis.epw import MONTH_NAMES

        rows = [(k, v) for k, v in payload.items() if k != "monthly_ac_kwh"]
        rows += [(f"ac_kwh_{m.lower()}", v) for m, v in zip(MONTH_NAMES, payload["monthly_ac_kwh"], strict=True)]
        _print_table(rows)
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
    ids = args.stations or [s.id for s in (catalog.demo_stations() if args.demo else catalog)]
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
    "building": ("annual heating/cooling of a building (hourly ISO 13790 5R1C model)",
                 building_arguments, building_command),
    "pv": ("annual and monthly PV yield (PVWatts v8 method) for an EPW file", pv_arguments, pv_command),
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
    # A command reads one or a few files: loading numba for the compiled EPW
    # tokenizer (2-4 s once per process) would cost more than it saves.
    os.environ.setdefault("CLIMATEVIS_NO_NUMBA", "1")
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
