"""Regenerate data/examples/solar_panel_specs.json from the CEC module database pvlib ships.

    .venv/bin/python tools/solar_panel_specs.py [--check]

The modules are a hand-picked dozen spanning what the solar demo offers:
residential 60/120-cell and commercial 72/144-cell crystalline silicon (PERC,
half-cut, IBC, heterojunction, bifacial), one multicrystalline module and two
thin-film technologies (CdTe, CIS). Values are copied unchanged from the
database (datasheet values and NREL SAM's fitted CEC single-diode
parameters), under pvlib's column names so that they can be passed to
``pvlib.pvsystem.calcparams_cec`` as they are. pvlib is a dev dependency; the
JSON is committed. ``--check`` exits 1 if the committed file is out of date.
tests/test_examples.py checks the file against pvlib as well.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "data" / "examples" / "solar_panel_specs.json"

#: CEC name (as in the database file, where commas became "_") -> (manufacturer, model)
MODULES = {
    "LONGi Green Energy Technology Co._ Ltd. LR6-60PB-320M": ("LONGi", "LR6-60PB-320M"),
    "JA Solar JAM60S01-320/PR": ("JA Solar", "JAM60S01-320/PR"),
    "Hanwha Q CELLS Q.PEAK DUO-G5 325": ("Hanwha Q CELLS", "Q.PEAK DUO-G5 325"),
    "LG Electronics Inc. LG370Q1C-A5": ("LG Electronics", "LG370Q1C-A5 (NeON R)"),
    "SANYO ELECTRIC CO LTD OF PANASONIC GROUP VBHN340SA17": ("Panasonic", "VBHN340SA17 (HIT)"),
    "SunPower SPR-X22-370": ("SunPower", "SPR-X22-370"),
    "REC Solar REC380TP2SM 72": ("REC", "REC380TP2SM 72 (TwinPeak 2S)"),
    "Jinko Solar Co._ Ltd JKM410M-72HL-V": ("Jinko Solar", "JKM410M-72HL-V"),
    "LONGi Green Energy Technology Co._ Ltd. LR6-72HBD-385M": ("LONGi", "LR6-72HBD-385M"),
    "Canadian Solar Inc. CS6U-340P": ("Canadian Solar", "CS6U-340P"),
    "First Solar_ Inc. FS-6435A": ("First Solar", "FS-6435A (Series 6)"),
    "Solar Frontier SF175-S": ("Solar Frontier", "SF175-S"),
}
NUMERIC = ("STC", "PTC", "A_c", "Length", "Width", "N_s", "I_sc_ref", "V_oc_ref", "I_mp_ref",
           "V_mp_ref", "alpha_sc", "beta_oc", "T_NOCT", "a_ref", "I_L_ref", "I_o_ref", "R_s",
           "R_sh_ref", "Adjust", "gamma_r")


def database_file() -> Path:
    import pvlib

    files = sorted((Path(pvlib.__file__).parent / "data").glob("sam-library-cec-modules-*.csv"))
    if not files:
        raise SystemExit("pvlib ships no sam-library-cec-modules-*.csv")
    return files[-1]


def pvlib_key(name: str) -> str:
    """The key ``pvlib.pvsystem.retrieve_sam('CECMod')`` uses for a database name."""
    import pandas as pd
    from pvlib.pvsystem import _normalize_sam_product_names

    return str(_normalize_sam_product_names(pd.Index([name]))[0])


def build() -> dict:
    import pvlib

    path = database_file()
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    header, units = rows[0], rows[1]
    by_name = {row[0]: dict(zip(header, row, strict=True)) for row in rows[3:]}
    missing = sorted(set(MODULES) - set(by_name))
    if missing:
        raise SystemExit(f"{path.name}: modules not found: {missing}")
    modules = []
    for name, (manufacturer, model) in MODULES.items():
        row = by_name[name]
        entry = {"name": name, "pvlib_key": pvlib_key(name), "manufacturer": manufacturer,
                 "model": model, "Technology": row["Technology"],
                 "Bifacial": row["Bifacial"] == "1", "BIPV": row["BIPV"] == "Y"}
        for column in NUMERIC:
            value = float(row[column]) if row[column] else math.nan
            entry[column] = None if math.isnan(value) else (
                int(value) if column == "N_s" else value)
        entry["efficiency_stc"] = round(entry["STC"] / (entry["A_c"] * 1000.0), 4)
        entry["Version"], entry["Date"] = row["Version"], row["Date"]
        modules.append(entry)
    unit_of = {c: u for c, u in zip(header, units, strict=True) if u}
    unit_of.update({"STC": "W", "PTC": "W", "efficiency_stc": "1 (STC / (A_c · 1000 W/m²))",
                    "Adjust": "% (adjustment to alpha_sc, CEC 6-parameter fit)"})
    return {
        "source": {
            "database": "California Energy Commission (CEC) PV module list with NREL SAM's "
                        "fitted CEC single-diode parameters (Dobos 2012, J. Sol. Energy Eng. "
                        "134(2), 021011)",
            "file": f"pvlib {pvlib.__version__}: pvlib/data/{path.name}",
            "file_sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
            "database_version": sorted({m["Version"] for m in modules}),
            "database_date": sorted({m["Date"] for m in modules}),
            "extracted": dt.date.today().isoformat(),
            "note": "The most recent modules of this database snapshot (entries dated "
                    "2019-01-03); modules launched since (TOPCon, 182/210 mm wafers, 400-600 W) "
                    "are not in it. Values are copied unchanged; keys are pvlib's column names.",
        },
        "units": {k: unit_of[k] for k in [*NUMERIC, "efficiency_stc"] if k in unit_of},
        "modules": modules,
    }


def render(data: dict) -> str:
    return json.dumps(data, indent=1, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    data = build()
    if "--check" in argv:
        committed = json.loads(OUT.read_text(encoding="utf-8"))
        committed["source"]["extracted"] = data["source"]["extracted"]
        if committed != data:
            print(f"{OUT.relative_to(ROOT)} is out of date: run tools/solar_panel_specs.py")
            return 1
        return 0
    tmp = OUT.with_suffix(".tmp")
    tmp.write_text(render(data), encoding="utf-8")
    tmp.replace(OUT)
    print(f"{OUT.relative_to(ROOT)}: {len(data['modules'])} modules")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
