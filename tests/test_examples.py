"""data/examples: the committed sample files are what they claim to be."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "data" / "examples" / "solar_panel_specs.json"


@pytest.fixture(scope="module")
def specs() -> dict:
    return json.loads(SPECS.read_text(encoding="utf-8"))


def test_solar_panel_specs_are_the_cec_database_values(specs: dict) -> None:
    pvsystem = pytest.importorskip("pvlib.pvsystem")
    database = pvsystem.retrieve_sam("CECMod")
    assert specs["source"]["file"].endswith(".csv") and specs["source"]["extracted"]
    assert len(specs["modules"]) >= 12
    technologies = {m["Technology"] for m in specs["modules"]}
    assert {"Mono-c-Si", "Multi-c-Si", "CdTe", "Thin Film"} <= technologies
    for module in specs["modules"]:
        reference = database[module["pvlib_key"]]
        for column, unit in specs["units"].items():
            if column == "efficiency_stc":
                continue
            expected = float(reference[column])
            if math.isnan(expected):
                assert module[column] is None, (module["pvlib_key"], column)
            else:
                assert module[column] == pytest.approx(expected, rel=1e-12), (module["name"], column, unit)
        assert module["Technology"] == reference["Technology"]
        assert module["Bifacial"] == bool(int(reference["Bifacial"]))
        assert module["efficiency_stc"] == pytest.approx(
            module["STC"] / (module["A_c"] * 1000), abs=5e-5)


def test_solar_panel_specs_reproduce_their_rating(specs: dict) -> None:
    """The CEC single-diode parameters give the rated P_mp at STC (1000 W/m², 25 °C)."""
    pvsystem = pytest.importorskip("pvlib.pvsystem")
    for m in specs["modules"]:
        params = pvsystem.calcparams_cec(
            effective_irradiance=1000.0, temp_cell=25.0, alpha_sc=m["alpha_sc"], a_ref=m["a_ref"],
            I_L_ref=m["I_L_ref"], I_o_ref=m["I_o_ref"], R_sh_ref=m["R_sh_ref"], R_s=m["R_s"],
            Adjust=m["Adjust"])
        p_mp = float(pvsystem.singlediode(*params)["p_mp"])
        assert p_mp == pytest.approx(m["STC"], rel=0.01), m["name"]
        assert m["STC"] == pytest.approx(m["I_mp_ref"] * m["V_mp_ref"], rel=0.001)
