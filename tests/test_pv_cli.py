"""``climatevis pv``: JSON keys, agreement with the library, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from climatevis import solar
from climatevis.epw import read_epw


def run_cli(*args: str) -> subprocess.CompletedProcess:
    """The real command line, in a child process (exit status, streams)."""
    return subprocess.run(
        [sys.executable, "-m", "climatevis", "pv", *args], capture_output=True, text=True, timeout=300
    )


def run_main(capsys, *args: str) -> subprocess.CompletedProcess:
    """The same entry point in-process (fast)."""
    from climatevis.cli import main

    code = main(["pv", *args])
    captured = capsys.readouterr()
    return subprocess.CompletedProcess(args, code, captured.out, captured.err)


def test_pv_json_output(vienna_epw):
    out = run_cli(str(vienna_epw), "--kwp", "5", "--tilt", "30", "--azimuth", "180", "--module", "premium",
                  "--array", "roof_mount", "--losses", "12", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    for key in ("annual_ac_kwh", "monthly_ac_kwh", "specific_yield_kwh_per_kwp", "capacity_factor"):
        assert key in data
    assert len(data["monthly_ac_kwh"]) == 12
    assert sum(data["monthly_ac_kwh"]) == pytest.approx(data["annual_ac_kwh"])
    expected = solar.simulate(
        read_epw(vienna_epw),
        solar.SystemConfig(kwp=5, surface_tilt=30, module_type="premium", array_type="roof_mount", losses=12),
    )
    assert data["annual_ac_kwh"] == pytest.approx(expected.annual_ac_kwh, rel=1e-9)
    assert data["specific_yield_kwh_per_kwp"] == pytest.approx(expected.annual_ac_kwh / 5)
    assert data["capacity_factor"] == pytest.approx(100 * expected.annual_ac_kwh / (5 * 8760))
    assert data["losses_pct"] == pytest.approx(12.0)


def test_pv_table_output(vienna_epw, capsys):
    out = run_main(capsys, str(vienna_epw), "--kwp", "4", "--tilt", "35", "--azimuth", "160")
    assert out.returncode == 0, out.stderr
    assert "annual_ac_kwh" in out.stdout and "ac_kwh_dec" in out.stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (["--kwp", "5", "--tilt", "95", "--azimuth", "180"], "surface_tilt must be between 0 and 90"),
        (["--kwp", "-5", "--tilt", "30", "--azimuth", "180"], "kwp must be greater than 0"),
        (["--kwp", "5", "--tilt", "30", "--azimuth", "180", "--module", "mono"], "module_type must be one of"),
        (["--kwp", "5", "--tilt", "30", "--azimuth", "180", "--losses", "120"], "losses must be between"),
    ],
)
def test_pv_bad_options_exit_2_with_one_line(vienna_epw, capsys, args, message):
    out = run_main(capsys, str(vienna_epw), *args)
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], out.stderr
    assert out.stdout == ""


def test_pv_epw_with_missing_irradiance(vienna_epw, tmp_path: Path):
    lines = vienna_epw.read_text(encoding="latin-1").splitlines(keepends=True)
    for i in range(8 + 4000, 8 + 4003):  # three DNI values set to the missing code 9999
        fields = lines[i].split(",")
        fields[14] = "9999"
        lines[i] = ",".join(fields)
    broken = tmp_path / "vienna-missing-dni.epw"
    broken.write_text("".join(lines), encoding="latin-1")
    out = run_cli(str(broken), "--kwp", "5", "--tilt", "30", "--azimuth", "180", "--json")
    assert out.returncode == 2
    lines_err = out.stderr.strip().splitlines()
    assert len(lines_err) == 1
    assert "DNI is missing in 3 of 8760 records" in lines_err[0]


def test_pv_missing_file(capsys):
    out = run_main(capsys, "/nonexistent/weather.epw", "--kwp", "5", "--tilt", "30", "--azimuth", "180")
    assert out.returncode == 2 and len(out.stderr.strip().splitlines()) == 1
