"""Reference PV simulations for the accuracy tests and bench/pv.py.

* NREL PVWatts v8 through PySAM (``PySAM.Pvwattsv8``), reading the EPW file.
* pvlib-python's ``ModelChain`` with PVWatts DC/AC/losses, Perez, physical IAM.

Both are configured like :class:`climatevis.solar.SystemConfig`. Three
conventions have to be aligned by hand, and each is documented where it is
done:

1. The ground coverage ratio is the config's ``gcr`` (PVWatts shades
   open-rack rows by their neighbours, and so does climatevis' v8 chain).
2. SSC takes an EPW's *minute* field literally: minute 60 (EnergyPlus'
   hour-ending convention) makes it evaluate the sun at the middle of the
   hour, but minute 0 — as in the TMY3-derived EPWs shipped with EnergyPlus —
   at the *start* of the hour, a 30-minute shift worth −4 … +8 % for east or
   west arrays. Such files are handed to PySAM as a copy whose minute fields
   read 60, so both models see the same (mid-hour) timing.
3. pvlib's Fuentes model steps through the index, so mixed TMY years (a
   negative time step between months) turn it into NaN; pvlib's Perez gives
   NaN when DHI is 0 with the sun up, which Fuentes would carry forward. The
   pvlib runs therefore use one calendar year and DHI ≥ 1e-9 W/m².
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from climatevis import solar

MODULE_CODES = {"standard": 0, "premium": 1, "thin_film": 2}
ARRAY_CODES = {"open_rack": 0, "roof_mount": 1}


def epw_minutes(path: Path) -> set[str]:
    with open(path, encoding="latin-1") as f:
        lines = f.readlines()[8:50]
    return {line.split(",")[4] for line in lines if line.strip()}


def epw_for_pysam(path: Path, workdir: Path | None = None) -> Path:
    """``path`` itself, or a copy with minute fields 60 when they read 0 (see 2.)."""
    if epw_minutes(path) != {"0"}:
        return Path(path)
    lines = Path(path).read_text(encoding="latin-1").splitlines(keepends=True)
    fixed = lines[:8] + [
        ",".join([*parts[:4], "60", *parts[5:]]) for parts in (ln.split(",") for ln in lines[8:])
    ]
    out = Path(workdir or tempfile.mkdtemp(prefix="cv-pysam-")) / Path(path).name
    out.write_text("".join(fixed), encoding="latin-1")
    return out


def pysam_pvwatts_v8(epw: Path, cfg: solar.SystemConfig, *, gcr: float | None = None) -> dict:
    """Annual and monthly AC [kWh] and hourly AC [W] from PySAM Pvwattsv8."""
    import PySAM.Pvwattsv8 as pvwatts

    model = pvwatts.new()
    model.SolarResource.solar_resource_file = str(epw)
    model.SolarResource.use_wf_albedo = 0  # EPW albedo fields are often 0 or missing
    model.SolarResource.albedo = [cfg.albedo]
    model.SystemDesign.assign(
        {
            "system_capacity": cfg.kwp,
            "module_type": MODULE_CODES[cfg.module_type],
            "array_type": ARRAY_CODES[cfg.array_type],
            "dc_ac_ratio": cfg.dc_ac_ratio,
            "inv_eff": cfg.inv_eff,
            "tilt": cfg.surface_tilt,
            "azimuth": cfg.surface_azimuth,
            "gcr": cfg.gcr if gcr is None else gcr,
            "losses": cfg.loss_percent,
            "bifaciality": 0,
        }
    )
    model.AdjustmentFactors.adjust_constant = 0
    model.execute(0)
    out = model.Outputs.export()
    return {
        "annual_ac_kwh": out["ac_annual"],
        "monthly_ac_kwh": np.asarray(out["ac_monthly"]),
        "ac": np.asarray(out["ac"]),
    }


def single_year_times(index: pd.DatetimeIndex, year: int = 2019) -> pd.DatetimeIndex:
    """Mid-interval instants with every record moved to one (non-leap) year (see 3.)."""
    naive = pd.to_datetime(
        {"year": year, "month": index.month, "day": index.day, "hour": index.hour, "minute": index.minute}
    )
    # pvlib's SPA assumes nanosecond timestamps
    return (pd.DatetimeIndex(naive).tz_localize(index.tz) + pd.Timedelta(minutes=30)).as_unit("ns")


def pvlib_modelchain(weather, times: pd.DatetimeIndex, cfg: solar.SystemConfig) -> dict:
    """pvlib ModelChain: Perez, physical IAM, no spectral loss, PVWatts DC
    (``gamma_pdc`` of the module class), PVWatts losses and inverter, Fuentes
    (installed NOCT 45/49 °C) or SAPM cell temperature."""
    import pvlib
    from pvlib.modelchain import ModelChain
    from pvlib.pvsystem import Array, FixedMount, PVSystem

    loc = weather.location
    location = pvlib.location.Location(
        loc.latitude, loc.longitude, tz=float(loc.utc_offset), altitude=loc.elevation
    )
    array_type = solar.ARRAY_TYPES[cfg.array_type]
    temp_model = cfg.cell_temperature_model
    if temp_model == "fuentes":
        tparams = {"noct_installed": array_type["noct"], "surface_tilt": cfg.surface_tilt}
    elif temp_model == "sapm":
        tparams = dict(zip(("a", "b", "deltaT"), solar.SAPM_TEMPERATURE[array_type["sapm"]], strict=True))
    else:
        raise ValueError(f"no pvlib reference for temperature model {temp_model}")
    array = pvlib.pvsystem.Array(
        FixedMount(cfg.surface_tilt, cfg.surface_azimuth),
        albedo=cfg.albedo,
        module_parameters={"pdc0": cfg.kwp * 1000, "gamma_pdc": solar.MODULE_TYPES[cfg.module_type].gamma_pdc},
        temperature_model_parameters=tparams,
    )
    assert isinstance(array, Array)
    eta = cfg.inv_eff / 100
    losses = {k: v for k, v in cfg.losses.items()}
    losses["lid"] = losses.pop("light_induced_degradation")
    system = PVSystem(
        arrays=[array],
        inverter_parameters={"pdc0": cfg.ac_kw * 1000 / eta, "eta_inv_nom": eta},
        losses_parameters=losses,
    )
    mc = ModelChain(
        system, location, dc_model="pvwatts", ac_model="pvwatts", aoi_model="physical",
        spectral_model="no_loss", temperature_model=temp_model, losses_model="pvwatts",
        transposition_model=cfg.sky_model,
    )
    d = weather.data
    frame = pd.DataFrame({c: d[c].to_numpy() for c in ("ghi", "dni", "dhi", "temp_air", "wind_speed")}, index=times)
    frame["dhi"] = frame["dhi"].where(frame["dhi"] > 0, 1e-9)
    mc.run_model(frame)
    ac = mc.results.ac.fillna(0).clip(lower=0).to_numpy()
    monthly = np.bincount(d.index.month.to_numpy() - 1, weights=ac, minlength=12) / 1000
    return {"annual_ac_kwh": ac.sum() / 1000, "monthly_ac_kwh": monthly, "ac": ac}


def read_sam_csv(path: Path):
    """A SAM/TMY2-style CSV weather file (two header lines, then columns
    Year, Month, Day, Hour (0-23, start of hour), GHI, DNI, DHI, Tdry, Wspd,
    Pres [mbar] ...) as a :class:`climatevis.epw.Weather`-like object."""
    from types import SimpleNamespace

    head = pd.read_csv(path, nrows=1)
    data = pd.read_csv(path, skiprows=2)
    tz = float(head["Time Zone"].iloc[0])
    index = pd.to_datetime(
        {"year": data["Year"], "month": data["Month"], "day": data["Day"], "hour": data["Hour"]}
    )
    index = pd.DatetimeIndex(index).tz_localize(f"Etc/GMT{-int(tz):+d}")
    frame = pd.DataFrame(
        {
            "ghi": data["GHI"].to_numpy(float), "dni": data["DNI"].to_numpy(float),
            "dhi": data["DHI"].to_numpy(float), "temp_air": data["Tdry"].to_numpy(float),
            "wind_speed": data["Wspd"].to_numpy(float), "atmospheric_pressure": data["Pres"].to_numpy(float) * 100,
        },
        index=index,
    )
    location = SimpleNamespace(
        city=str(head["City"].iloc[0]), latitude=float(head["Latitude"].iloc[0]),
        longitude=float(head["Longitude"].iloc[0]), utc_offset=tz, elevation=float(head["Elevation"].iloc[0]),
    )
    return SimpleNamespace(location=location, data=frame, records_per_hour=1)
