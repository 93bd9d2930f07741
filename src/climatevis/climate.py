"""Derived climate indicators for weather files: psychrometrics, degree days, statistics,
comfort (adaptive, PMV, UTCI), sun, wind, design conditions and climate classification.

Everything here is small functions over numpy arrays (or pandas Series) plus one
entry point, :func:`derive`, that turns a :class:`~climatevis.epw.Weather` into
one table of hourly (or sub-hourly) derived quantities, computed once per
weather file and reused by every chart. numpy/pandas only: runs in Pyodide.

Units (SI, as in the EPW data dictionary): temperatures degC, pressure Pa,
humidity ratio kg/kg dry air, enthalpy kJ/kg dry air, irradiance W/m2 (an
hourly EPW value in Wh/m2 is the mean irradiance of the interval), wind speed
m/s at 10 m, angles in degrees (azimuth clockwise from north), precipitation mm,
degree days K*d. :data:`VARIABLES` and :func:`to_unit_system` convert to IP.

References
----------
ASHRAE Fundamentals
    ASHRAE Handbook -- Fundamentals (2017), chapter 1 "Psychrometrics",
    equations (3), (5), (6), (20), (22), (32), (33), (35), (39), (40).
ASHRAE 55
    ANSI/ASHRAE Standard 55-2020, Thermal Environmental Conditions for Human
    Occupancy: section 5.4 (adaptive model), normative appendix C (SolarCal).
EN 16798-1
    EN 16798-1:2019, Energy performance of buildings -- Ventilation for
    buildings -- Part 1, annex B.2.2 (adaptive comfort, running mean).
ISO 7730
    ISO 7730:2005, Ergonomics of the thermal environment -- PMV and PPD,
    annex D (computer program).
Bröde et al. 2012
    P. Bröde et al., Deriving the operational procedure for the Universal
    Thermal Climate Index (UTCI), Int. J. Biometeorol. 56:481-494; the
    6th-order polynomial of the reference program UTCI_a002.f90.
Peel et al. 2007
    M. C. Peel, B. L. Finlayson, T. A. McMahon, Updated world map of the
    Köppen-Geiger climate classification, Hydrol. Earth Syst. Sci. 11:1633-1644.
"""

from __future__ import annotations

import functools
import itertools
import math
import re
import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from climatevis import solar
from climatevis.epw import MONTH_NAMES, nominal_day

if TYPE_CHECKING:
    from climatevis.epw import Weather

__all__ = [
    "MONTH_NAMES",
    "UTCI_CATEGORIES",
    "VARIABLES",
    "WIND_SPEED_BINS",
    "adaptive_ashrae55",
    "adaptive_comfort_hours",
    "adaptive_en16798",
    "cloud_cover_monthly",
    "convert_frame",
    "daily_statistics",
    "data_period",
    "degree_days",
    "derive",
    "design_conditions",
    "design_conditions_from_data",
    "dew_point",
    "diurnal_profile",
    "enthalpy",
    "humidity_ratio",
    "inside_polygon",
    "key_figures",
    "koppen_geiger",
    "monthly_statistics",
    "mrt_delta_solarcal",
    "natural_ventilation",
    "pmv_comfort_zone",
    "pmv_ppd",
    "pressure_from_elevation",
    "psychrometric_lines",
    "psychrometric_zones",
    "relative_humidity_from_humidity_ratio",
    "running_mean_temperature",
    "saturation_vapor_pressure",
    "sun_path",
    "time_mask",
    "to_unit_system",
    "unit_label",
    "unit_of",
    "utci",
    "utci_stress_category",
    "vapor_pressure_from_humidity_ratio",
    "wet_bulb",
    "wind_rose",
    "wind_speed_labels",
    "wind_statistics",
]

#: ASHRAE Fundamentals eq. (1): molar mass ratio water vapour / dry air.
_EPSILON = 0.621945
P_STANDARD = 101325.0  # Pa


def _f(x: Any) -> np.ndarray:
    return np.asarray(x, dtype=np.float64)


def _like(values: np.ndarray, template: Any, name: str | None = None) -> Any:
    """Return a Series on the template's index when the template is a Series."""
    if isinstance(template, pd.Series):
        return pd.Series(values, index=template.index, name=name)
    return values


# =========================================================================== units

# kind -> (SI unit, IP unit, factor, offset) with  ip = si * factor + offset
_KINDS: dict[str, tuple[str, str, float, float]] = {
    "temperature": ("°C", "°F", 1.8, 32.0),
    "temperature_delta": ("K", "°F", 1.8, 0.0),
    "degree_days": ("K·d", "°F·d", 1.8, 0.0),
    "speed": ("m/s", "mph", 2.2369363, 0.0),
    "irradiance": ("W/m²", "Btu/h·ft²", 0.3169983, 0.0),
    "irradiation": ("kWh/m²", "kBtu/ft²", 0.3169983, 0.0),
    "pressure": ("Pa", "psi", 1.4503774e-4, 0.0),
    "humidity_ratio": ("g/kg", "gr/lb", 7.0, 0.0),  # values are stored in g/kg for display
    # ASHRAE Fundamentals: SI enthalpy is zero for dry air at 0 °C, IP at 0 °F
    "enthalpy": ("kJ/kg", "Btu/lb", 1 / 2.326, 7.68),
    "length_mm": ("mm", "in", 1 / 25.4, 0.0),
    "length_m": ("m", "ft", 3.2808399, 0.0),
    "percent": ("%", "%", 1.0, 0.0),
    "tenths": ("tenths", "tenths", 1.0, 0.0),
    "angle": ("°", "°", 1.0, 0.0),
    "none": ("", "", 1.0, 0.0),
}

#: Variables of the :func:`derive` table: column -> (label, unit kind).
VARIABLES: dict[str, tuple[str, str]] = {
    "temp_air": ("Dry-bulb temperature", "temperature"),
    "temp_dew": ("Dew-point temperature", "temperature"),
    "relative_humidity": ("Relative humidity", "percent"),
    "pressure": ("Station pressure", "pressure"),
    "ghi": ("Global horizontal irradiance", "irradiance"),
    "dni": ("Direct normal irradiance", "irradiance"),
    "dhi": ("Diffuse horizontal irradiance", "irradiance"),
    "wind_speed": ("Wind speed (10 m)", "speed"),
    "wind_direction": ("Wind direction", "angle"),
    "total_sky_cover": ("Total sky cover", "tenths"),
    "precipitation": ("Liquid precipitation", "length_mm"),
    "humidity_ratio": ("Humidity ratio", "humidity_ratio"),
    "enthalpy": ("Enthalpy", "enthalpy"),
    "wet_bulb": ("Wet-bulb temperature", "temperature"),
    "solar_elevation": ("Solar elevation", "angle"),
    "solar_azimuth": ("Solar azimuth", "angle"),
    "mrt_delta": ("Mean radiant temperature rise in sun", "temperature_delta"),
    "utci_sun_wind": ("UTCI, sun and wind", "temperature"),
    "utci_shade_wind": ("UTCI, shade and wind", "temperature"),
    "utci_sun_calm": ("UTCI, sun and no wind", "temperature"),
    "utci_shade_calm": ("UTCI, shade and no wind", "temperature"),
    "t_running_mean": ("Running mean outdoor temperature", "temperature"),
}


def unit_of(column: str, system: str = "SI") -> str:
    """Display unit of a :func:`derive` column (humidity ratio in g/kg or gr/lb)."""
    return unit_label(VARIABLES[column][1], system) if column in VARIABLES else ""


def convert_frame(frame: pd.DataFrame, system: str = "SI") -> pd.DataFrame:
    """The :func:`derive` table in display units: humidity ratio in g/kg, and everything
    converted to IP when ``system == "IP"`` (°F, mph, Btu/h·ft², psi, gr/lb, Btu/lb, in).
    Calendar columns are kept as they are."""
    out = frame.copy(deep=False)  # copy-on-write (pandas 3): unconverted columns stay shared
    if "humidity_ratio" in out:
        out["humidity_ratio"] = out["humidity_ratio"] * 1000.0
    if system.upper() == "IP":
        for col, (_, kind) in VARIABLES.items():
            if col in out and _KINDS[kind][2:] != (1.0, 0.0):
                out[col] = to_unit_system(out[col].to_numpy(), kind, "IP")
    return out


def wind_speed_labels(system: str = "SI", speed_bins: Sequence[float] = ()) -> list[str]:
    """Labels of the wind-speed classes of :func:`wind_rose` in ``system`` units."""
    edges = [to_unit_system(b, "speed", system) for b in (speed_bins or WIND_SPEED_BINS)]
    return [f"{a:.3g}-{b:.3g}" for a, b in itertools.pairwise(edges)] + [f"≥{edges[-1]:.3g}"]


def unit_label(kind: str, system: str = "SI") -> str:
    """The unit of a quantity kind (see :data:`VARIABLES`) in ``"SI"`` or ``"IP"``."""
    si, ip, _, _ = _KINDS[kind]
    return ip if system.upper() == "IP" else si


def to_unit_system(values: Any, kind: str, system: str = "SI", delta: bool = False) -> Any:
    """Convert SI ``values`` of a quantity ``kind`` to ``system`` (``"SI"`` returns them as is).

    ``delta=True`` converts a difference (no offset), e.g. a temperature range.
    Humidity ratios are expected in g/kg (the display unit) and become grains per pound.
    """
    if system.upper() != "IP":
        return values
    _, _, factor, offset = _KINDS[kind]
    return values * factor + (0.0 if delta else offset)


# =========================================================================== calendar


def _records_per_day(n: int, records_per_hour: int) -> int:
    per_day = 24 * records_per_hour
    if n % per_day:
        raise ValueError(f"{n} records are not whole days at {records_per_hour} records per hour")
    return per_day


def time_mask(
    months: Any,
    hours: Any,
    month_range: tuple[int, int] = (1, 12),
    hour_range: tuple[int, int] = (0, 23),
    invert_months: bool = False,
    invert_hours: bool = False,
) -> np.ndarray:
    """Boolean mask of records whose month (1-12) and hour of day (0-23) are in the ranges.

    Ranges are inclusive. ``invert_*`` selects the complement, e.g. months (3, 10)
    inverted is November to February.
    """
    m = np.asarray(months)
    h = np.asarray(hours)
    in_m = (m >= month_range[0]) & (m <= month_range[1])
    in_h = (h >= hour_range[0]) & (h <= hour_range[1])
    return (~in_m if invert_months else in_m) & (~in_h if invert_hours else in_h)


# =========================================================================== psychrometrics
# ASHRAE Fundamentals 2017 ch. 1, Hyland-Wexler saturation pressure (eqs. 5, 6).
_C_ICE = (-5.6745359e03, 6.3925247e00, -9.6778430e-03, 6.2215701e-07, 2.0747825e-09,
          -9.4840240e-13, 4.1635019e00)
_C_WATER = (-5.8002206e03, 1.3914993e00, -4.8640239e-02, 4.1764768e-05, -1.4452093e-08,
            6.5459673e00)


def _ln_pws(t_c: np.ndarray) -> np.ndarray:
    t = t_c + 273.15
    c1, c2, c3, c4, c5, c6, c7 = _C_ICE
    c8, c9, c10, c11, c12, c13 = _C_WATER
    with np.errstate(invalid="ignore", divide="ignore"):
        ln_t = np.log(t)
        water = c8 / t + c9 + t * (c10 + t * (c11 + t * c12)) + c13 * ln_t
        ice = c1 / t + c2 + t * (c3 + t * (c4 + t * (c5 + t * c6))) + c7 * ln_t
    return np.where(t_c >= 0.0, water, ice)


def _dln_pws(t_c: np.ndarray) -> np.ndarray:
    t = t_c + 273.15
    c1, _, c3, c4, c5, c6, c7 = _C_ICE
    c8, _, c10, c11, c12, c13 = _C_WATER
    water = -c8 / t**2 + c10 + t * (2 * c11 + 3 * c12 * t) + c13 / t
    ice = -c1 / t**2 + c3 + t * (2 * c4 + t * (3 * c5 + 4 * c6 * t)) + c7 / t
    return np.where(t_c >= 0.0, water, ice)


def saturation_vapor_pressure(temp_air: Any) -> Any:
    """Saturation pressure of water vapour [Pa] over ice (< 0 °C) or liquid water (≥ 0 °C).

    ASHRAE Fundamentals 2017 ch. 1, eqs. (5) and (6) (Hyland and Wexler 1983),
    valid from -100 to 200 °C. ``temp_air`` in °C.
    """
    return _like(np.exp(_ln_pws(_f(temp_air))), temp_air)


def pressure_from_elevation(elevation: Any) -> Any:
    """Standard atmospheric pressure [Pa] at ``elevation`` [m] (ASHRAE Fundamentals eq. 3)."""
    return _like(101325.0 * (1.0 - 2.25577e-5 * _f(elevation)) ** 5.2559, elevation)


def humidity_ratio(vapor_pressure: Any, pressure: Any = P_STANDARD) -> Any:
    """Humidity ratio [kg/kg dry air] from the partial pressure of water vapour [Pa]
    and the total pressure [Pa] (ASHRAE Fundamentals eq. 20)."""
    pw = _f(vapor_pressure)
    return _like(_EPSILON * pw / (_f(pressure) - pw), vapor_pressure)


def vapor_pressure_from_humidity_ratio(humidity_ratio: Any, pressure: Any = P_STANDARD) -> Any:
    """Partial pressure of water vapour [Pa] from the humidity ratio [kg/kg] and the
    total pressure [Pa] (ASHRAE Fundamentals eq. 20 solved for p_w)."""
    w = _f(humidity_ratio)
    return _like(_f(pressure) * w / (_EPSILON + w), humidity_ratio)


def relative_humidity_from_humidity_ratio(
    temp_air: Any, humidity_ratio: Any, pressure: Any = P_STANDARD
) -> Any:
    """Relative humidity [%] from dry bulb [°C], humidity ratio [kg/kg] and pressure [Pa]
    (ASHRAE Fundamentals eq. 22, p_w / p_ws)."""
    pw = vapor_pressure_from_humidity_ratio(_f(humidity_ratio), pressure)
    return _like(100.0 * pw / np.exp(_ln_pws(_f(temp_air))), temp_air)


def enthalpy(temp_air: Any, humidity_ratio: Any) -> Any:
    """Specific enthalpy of moist air [kJ/kg dry air], zero for dry air at 0 °C
    (ASHRAE Fundamentals eq. 32). ``temp_air`` in °C, ``humidity_ratio`` in kg/kg."""
    t = _f(temp_air)
    return _like(1.006 * t + _f(humidity_ratio) * (2501.0 + 1.86 * t), temp_air)


def dew_point(vapor_pressure: Any) -> Any:
    """Dew-point (frost-point below 0 °C) temperature [°C] of a vapour pressure [Pa].

    Inverts the Hyland-Wexler saturation pressure exactly with Newton's method,
    started from ASHRAE Fundamentals eqs. (39)/(40), so that
    ``dew_point(saturation_vapor_pressure(t)) == t``.
    """
    pw = _f(vapor_pressure)
    with np.errstate(invalid="ignore", divide="ignore"):
        alpha = np.log(pw / 1000.0)
        guess = np.where(
            pw >= 611.2,
            6.54 + 14.526 * alpha + 0.7389 * alpha**2 + 0.09486 * alpha**3
            + 0.4569 * (pw / 1000.0) ** 0.1984,
            6.09 + 12.608 * alpha + 0.4959 * alpha**2,
        )
        target = np.log(pw)
        t = guess
        for _ in range(4):
            t = t - (_ln_pws(t) - target) / _dln_pws(t)
    return _like(t, vapor_pressure)


def _w_from_wet_bulb(t: np.ndarray, t_wb: np.ndarray, pressure: np.ndarray) -> np.ndarray:
    """ASHRAE Fundamentals eqs. (33) (wet bulb ≥ 0 °C) and (35) (below, over ice)."""
    pws = np.exp(_ln_pws(t_wb))
    ws = _EPSILON * pws / (pressure - pws)
    above = ((2501.0 - 2.326 * t_wb) * ws - 1.006 * (t - t_wb)) / (2501.0 + 1.86 * t - 4.186 * t_wb)
    below = ((2830.0 - 0.24 * t_wb) * ws - 1.006 * (t - t_wb)) / (2830.0 + 1.86 * t - 2.1 * t_wb)
    return np.where(t_wb >= 0.0, above, below)


def wet_bulb(temp_air: Any, humidity_ratio: Any, pressure: Any = P_STANDARD) -> Any:
    """Thermodynamic wet-bulb temperature [°C].

    Solves ASHRAE Fundamentals eq. (33) (eq. (35) over ice) for t* by secant
    steps from Stull's (2011) estimate, kept between the dew point and the dry
    bulb, to 1e-6 K. ``temp_air`` °C, ``humidity_ratio`` kg/kg, ``pressure`` Pa.
    """
    t = _f(temp_air)
    w = _f(humidity_ratio)
    p = np.broadcast_to(_f(pressure), t.shape)
    with np.errstate(invalid="ignore", divide="ignore"):
        pw = vapor_pressure_from_humidity_ratio(w, p)
        lo = np.minimum(dew_point(pw), t)
        hi = t
        rh = np.clip(100.0 * pw / np.exp(_ln_pws(t)), 1.0, 100.0)
        # Stull (2011) empirical wet bulb (±0.3 K at sea level) as the starting point
        stull = (t * np.arctan(0.151977 * np.sqrt(rh + 8.313659)) + np.arctan(t + rh)
                 - np.arctan(rh - 1.676331) + 0.00391838 * rh**1.5 * np.arctan(0.023101 * rh) - 4.686035)
        x0 = np.clip(stull, lo, hi)
        x1 = np.clip(x0 + 0.05, lo, hi)
        x1 = np.where(x1 == x0, x0 - 0.05, x1)
        f0 = _w_from_wet_bulb(t, x0, p) - w
        f1 = _w_from_wet_bulb(t, x1, p) - w
        x = x1
        for _ in range(12):  # secant steps kept inside [dew point, dry bulb]
            denom = f1 - f0
            x = np.clip(np.where(denom != 0, x1 - f1 * (x1 - x0) / denom, x1), lo, hi)
            step = np.nanmax(np.abs(x - x1), initial=0.0)
            x0, f0 = x1, f1
            x1, f1 = x, _w_from_wet_bulb(t, x, p) - w
            if step < 1e-6:
                break
    return _like(x, temp_air)


# =========================================================================== days and months


def _daily(values: np.ndarray, records_per_hour: int) -> np.ndarray:
    """Records as a (days, records per day) array (EPW files hold whole days in order)."""
    return values.reshape(-1, _records_per_day(len(values), records_per_hour))


def _day_months(months: np.ndarray, records_per_hour: int) -> np.ndarray:
    return _daily(np.asarray(months), records_per_hour)[:, 0]


def _monthly_sum(values: np.ndarray, months: np.ndarray) -> np.ndarray:
    return np.bincount(months - 1, weights=values, minlength=12)[:12]


def daily_statistics(values: Any, months: Any, days: Any, records_per_hour: int = 1) -> pd.DataFrame:
    """Minimum, mean and maximum of each day (NaN-aware), with its month and day of month.

    Days are consecutive blocks of ``24 * records_per_hour`` records, so
    leap-year and sub-hourly files need no calendar arithmetic.
    """
    v = _daily(_f(values), records_per_hour)
    with np.errstate(invalid="ignore"), _quiet_nan_warnings():
        out = pd.DataFrame({
            "month": _day_months(_f(months).astype(int), records_per_hour),
            "day": _daily(np.asarray(days), records_per_hour)[:, 0],
            "min": np.nanmin(v, axis=1),
            "mean": np.nanmean(v, axis=1),
            "max": np.nanmax(v, axis=1),
        })
    return out


def _quiet_nan_warnings() -> warnings.catch_warnings:
    """Silence numpy's 'all-NaN slice' warnings: all-NaN groups correctly give NaN."""
    return warnings.catch_warnings(action="ignore", category=RuntimeWarning)


def monthly_statistics(values: Any, months: Any, records_per_hour: int = 1) -> pd.DataFrame:
    """Monthly statistics of an (hourly or sub-hourly) series.

    Columns: ``mean``, ``min``, ``max``, ``p01``/``p99`` (1st/99th percentile,
    linear interpolation), ``daily_min``/``daily_max`` (means of the daily
    extremes) and ``diurnal_range`` (mean of daily max - daily min). Index:
    month 1-12; months without data are NaN. Same unit as ``values``.
    """
    v = _f(values)
    m = np.asarray(months).astype(int)
    day_v = _daily(v, records_per_hour)
    day_m = _day_months(m, records_per_hour)
    rows = []
    with _quiet_nan_warnings():
        dmin = np.nanmin(day_v, axis=1)
        dmax = np.nanmax(day_v, axis=1)
        for month in range(1, 13):
            sel = v[m == month]
            dsel = day_m == month
            if sel.size == 0 or np.isnan(sel).all():
                rows.append([np.nan] * 8)
                continue
            p01, p99 = np.nanpercentile(sel, [1, 99])
            rows.append([
                np.nanmean(sel), np.nanmin(sel), np.nanmax(sel), p01, p99,
                np.nanmean(dmin[dsel]), np.nanmean(dmax[dsel]), np.nanmean((dmax - dmin)[dsel]),
            ])
    cols = ["mean", "min", "max", "p01", "p99", "daily_min", "daily_max", "diurnal_range"]
    return pd.DataFrame(rows, index=pd.RangeIndex(1, 13, name="month"), columns=cols)


def diurnal_profile(
    values: Any, months: Any, hours: Any, quantiles: Sequence[float] = (0.0, 1.0)
) -> dict[str, np.ndarray]:
    """Average day of each month: arrays of shape (12, 24) indexed [month - 1, hour].

    Returns ``{"mean": ..., "q<k>": ...}`` with one entry per quantile (0 and 1 =
    minimum and maximum). Sub-hourly records are pooled into their hour.
    """
    v = _f(values)
    key = (np.asarray(months).astype(int) - 1) * 24 + np.asarray(hours).astype(int)
    ok = np.isfinite(v)
    sums = np.bincount(key[ok], weights=v[ok], minlength=288)
    counts = np.bincount(key[ok], minlength=288)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = {"mean": (sums / counts).reshape(12, 24)}
    order = np.lexsort((v[ok], key[ok]))
    sorted_v = v[ok][order]
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    for q in quantiles:
        pos = starts + np.clip(np.floor(q * (counts - 1)).astype(int), 0, None)
        grid = np.where(counts > 0, sorted_v[np.minimum(pos, max(len(sorted_v) - 1, 0))]
                        if len(sorted_v) else np.nan, np.nan)
        out[f"q{q:g}"] = grid.reshape(12, 24)
    return out


# =========================================================================== degree days


def degree_days(
    temp_air: Any,
    months: Any,
    base: float = 18.0,
    kind: str = "heating",
    method: str = "hourly",
    records_per_hour: int = 1,
    heating_limit: float | None = None,
) -> pd.Series:
    """Monthly degree days [K·d] below (heating) or above (cooling) a base temperature.

    Methods (EN ISO 15927-6 and ASHRAE Fundamentals ch. 14 use both):

    * ``"hourly"``: the sum over all records of ``max(base - T, 0)`` (heating)
      or ``max(T - base, 0)`` (cooling), times the record length in days
      (1/24 for hourly data).
    * ``"daily"``: the same with the daily mean temperature, one term per day.

    ``heating_limit`` (heating, daily method only) counts only days whose mean
    is below the limit: the Austrian heating degree days HGT 20/12 (ÖNORM B
    8110-5, Statistik Austria) are ``base=20, heating_limit=12``.

    Missing temperatures are skipped and each month scaled by its share of valid
    records. Returns a Series indexed by month 1-12 (sum it for the year).
    """
    if kind not in ("heating", "cooling"):
        raise ValueError(f"degree_days: kind must be 'heating' or 'cooling', got {kind!r}")
    if method not in ("hourly", "daily"):
        raise ValueError(f"degree_days: method must be 'hourly' or 'daily', got {method!r}")
    if heating_limit is not None and (kind != "heating" or method != "daily"):
        raise ValueError("degree_days: heating_limit needs kind='heating' and method='daily'")
    t = _f(temp_air)
    m = np.asarray(months).astype(int)
    if method == "daily":
        with _quiet_nan_warnings():
            t = np.nanmean(_daily(t, records_per_hour), axis=1)
        m = _day_months(m, records_per_hour)
        per_record = 1.0
    else:
        per_record = 1.0 / (24 * records_per_hour)
    diff = base - t if kind == "heating" else t - base
    excess = np.clip(diff, 0.0, None)
    if heating_limit is not None:
        excess = np.where(t < heating_limit, excess, 0.0)
    ok = np.isfinite(excess)
    total = _monthly_sum(np.where(ok, excess, 0.0), m) * per_record
    n_all = np.bincount(m - 1, minlength=12)[:12]
    n_ok = np.bincount(m[ok] - 1, minlength=12)[:12]
    with np.errstate(invalid="ignore", divide="ignore"):
        scaled = np.where(n_ok > 0, total * n_all / n_ok, np.where(n_all > 0, np.nan, 0.0))
    return pd.Series(scaled, index=pd.RangeIndex(1, 13, name="month"), name=f"{kind}_degree_days")


# =========================================================================== adaptive comfort


def running_mean_temperature(daily_mean: Any, alpha: float = 0.8, days: int = 7) -> np.ndarray:
    """Exponentially weighted running mean of the daily mean outdoor temperature [°C].

    ``T_rm(d) = Σ_{i=1..days} α^(i-1) T(d-i) / Σ α^(i-1)``: the previous
    ``days`` days, the latest weighted most (EN 16798-1 annex B.2.2 with
    α = 0.8 over 7 days; ASHRAE 55-2020 §5.4.2.3 allows α 0.6-0.9 over 7-30 days).
    A typical-year file has no days before 1 January, so the first days use
    the last days of the file (the year wraps around). One value per day.
    """
    t = _f(daily_mean)
    n = len(t)
    weights = alpha ** np.arange(days)
    k = min(days, n)
    padded = np.concatenate([t[n - k:], t]) if n else t
    if k < days:  # fewer days than the window: repeat the available ones
        padded = np.concatenate([np.resize(t, days - k), padded])
    out = np.zeros(n)
    for i in range(days):
        out += weights[i] * padded[days - 1 - i: days - 1 - i + n]
    return out / weights.sum()


def _air_speed_cooling(temp_operative: np.ndarray, air_speed: float) -> np.ndarray:
    """ASHRAE 55-2020 §5.4.2.4 (EN 16798-1 table B.7 alike): the upper acceptability
    limit rises by 1.2/1.8/2.2 K at air speeds of 0.6/0.9/1.2 m/s, only where the
    operative temperature is at least 25 °C."""
    rise = 2.2 if air_speed >= 1.2 else 1.8 if air_speed >= 0.9 else 1.2 if air_speed >= 0.6 else 0.0
    return np.where(temp_operative >= 25.0, rise, 0.0)


def adaptive_ashrae55(
    t_running_mean: Any, temp_operative: Any = None, air_speed: float = 0.0
) -> pd.DataFrame:
    """ASHRAE 55-2020 adaptive model (§5.4): comfort temperature and acceptability limits [°C].

    ``t_cmf = 0.31 * t_running_mean + 17.8``; 80 % acceptability ±3.5 K, 90 %
    ±2.5 K. Applicable for prevailing mean outdoor temperatures 10-33.5 °C
    (``applicable``; limits are still returned outside it, for plotting). With
    ``temp_operative`` and ``air_speed`` ≥ 0.6 m/s the upper limits rise where the
    operative temperature is ≥ 25 °C (§5.4.2.4).
    """
    trm = _f(t_running_mean)
    t_cmf = 0.31 * trm + 17.8
    rise = 0.0 if temp_operative is None else _air_speed_cooling(_f(temp_operative), air_speed)
    return pd.DataFrame({
        "t_cmf": t_cmf,
        "lower_80": t_cmf - 3.5, "upper_80": t_cmf + 3.5 + rise,
        "lower_90": t_cmf - 2.5, "upper_90": t_cmf + 2.5 + rise,
        "applicable": (trm >= 10.0) & (trm <= 33.5),
    })


def adaptive_en16798(
    t_running_mean: Any, temp_operative: Any = None, air_speed: float = 0.0
) -> pd.DataFrame:
    """EN 16798-1:2019 adaptive model (annex B.2.2): comfort temperature and category limits [°C].

    ``t_cmf = 0.33 * t_running_mean + 18.8``; category I +2/-3 K, II +3/-4 K,
    III +4/-5 K. The upper limits apply for running means 10-30 °C, the lower
    limits for 15-30 °C (``applicable_upper`` / ``applicable_lower``;
    ``applicable`` = both). Air speed raises the upper limits as in ASHRAE 55.
    """
    trm = _f(t_running_mean)
    t_cmf = 0.33 * trm + 18.8
    rise = 0.0 if temp_operative is None else _air_speed_cooling(_f(temp_operative), air_speed)
    upper_ok = (trm >= 10.0) & (trm <= 30.0)
    lower_ok = (trm >= 15.0) & (trm <= 30.0)
    return pd.DataFrame({
        "t_cmf": t_cmf,
        "lower_I": t_cmf - 3.0, "upper_I": t_cmf + 2.0 + rise,
        "lower_II": t_cmf - 4.0, "upper_II": t_cmf + 3.0 + rise,
        "lower_III": t_cmf - 5.0, "upper_III": t_cmf + 4.0 + rise,
        "applicable_upper": upper_ok, "applicable_lower": lower_ok,
        "applicable": upper_ok & lower_ok,
    })


def adaptive_comfort_hours(
    temp_operative: Any, lower: Any, upper: Any, months: Any, selected: Any = None
) -> pd.DataFrame:
    """Share of the (selected) records of each month below, inside and above a comfort band [%].

    ``lower``/``upper`` are per-record limits (NaN where the model does not
    apply: those records count as ``not_applicable``). The four columns add up
    to 100 for every month with selected records; the last row, ``year``,
    is the whole selection.
    """
    t = _f(temp_operative)
    lo = _f(lower)
    hi = _f(upper)
    m = np.asarray(months).astype(int)
    sel = np.ones(t.shape, bool) if selected is None else np.asarray(selected, bool)
    valid = np.isfinite(t) & np.isfinite(lo) & np.isfinite(hi)
    classes = {
        "below": valid & (t < lo),
        "inside": valid & (t >= lo) & (t <= hi),
        "above": valid & (t > hi),
        "not_applicable": ~valid,
    }
    n = np.bincount(m[sel] - 1, minlength=12)[:12].astype(float)
    data = {}
    for name, mask in classes.items():
        count = np.bincount(m[sel & mask] - 1, minlength=12)[:12]
        with np.errstate(invalid="ignore", divide="ignore"):
            data[name] = np.append(100.0 * count / n, 100.0 * count.sum() / max(n.sum(), 1))
    return pd.DataFrame(data, index=[*MONTH_NAMES, "year"])


# =========================================================================== UTCI
# Bröde et al. 2012: UTCI = Ta + offset(Ta, va, ΔTmrt, Pa), a 6th-order polynomial
# in air temperature Ta [°C], wind speed at 10 m va [m/s], ΔTmrt = Tmrt - Ta [K]
# and vapour pressure Pa [kPa]. The 210 coefficients of the reference program
# UTCI_a002.f90, in its order: Pa outermost, then ΔTmrt, va, Ta innermost, each
# term of total degree ≤ 6 (see _UTCI_EXPONENTS).
_UTCI_COEFFICIENTS = np.array([
     6.07562052E-01, -2.27712343E-02,  8.06470249E-04, -1.54271372E-04, -3.24651735E-06,
     7.32602852E-08,  1.35959073E-09, -2.25836520E+00,  8.80326035E-02,  2.16844454E-03,
    -1.53347087E-05, -5.72983704E-07, -2.55090145E-09, -7.51269505E-01, -4.08350271E-03,
    -5.21670675E-05,  1.94544667E-06,  1.14099531E-08,  1.58137256E-01, -6.57263143E-05,
     2.22697524E-07, -4.16117031E-08, -1.27762753E-02,  9.66891875E-06,  2.52785852E-09,
     4.56306672E-04, -1.74202546E-07, -5.91491269E-06,  3.98374029E-01,  1.83945314E-04,
    -1.73754510E-04, -7.60781159E-07,  3.77830287E-08,  5.43079673E-10, -2.00518269E-02,
     8.92859837E-04,  3.45433048E-06, -3.77925774E-07, -1.69699377E-09,  1.69992415E-04,
    -4.99204314E-05,  2.47417178E-07,  1.07596466E-08,  8.49242932E-05,  1.35191328E-06,
    -6.21531254E-09, -4.99410301E-06, -1.89489258E-08,  8.15300114E-08,  7.55043090E-04,
    -5.65095215E-05, -4.52166564E-07,  2.46688878E-08,  2.42674348E-10,  1.54547250E-04,
     5.24110970E-06, -8.75874982E-08, -1.50743064E-09, -1.56236307E-05, -1.33895614E-07,
     2.49709824E-09,  6.51711721E-07,  1.94960053E-09, -1.00361113E-08, -1.21206673E-05,
    -2.18203660E-07,  7.51269482E-09,  9.79063848E-11,  1.25006734E-06, -1.81584736E-09,
    -3.52197671E-10, -3.36514630E-08,  1.35908359E-10,  4.17032620E-10, -1.30369025E-09,
     4.13908461E-10,  9.22652254E-12, -5.08220384E-09, -2.24730961E-11,  1.17139133E-10,
     6.62154879E-10,  4.03863260E-13,  1.95087203E-12, -4.73602469E-12,  5.12733497E+00,
    -3.12788561E-01, -1.96701861E-02,  9.99690870E-04,  9.51738512E-06, -4.66426341E-07,
     5.48050612E-01, -3.30552823E-03, -1.64119440E-03, -5.16670694E-06,  9.52692432E-07,
    -4.29223622E-02,  5.00845667E-03,  1.00601257E-06, -1.81748644E-06, -1.25813502E-03,
    -1.79330391E-04,  2.34994441E-06,  1.29735808E-04,  1.29064870E-06, -2.28558686E-06,
    -3.69476348E-02,  1.62325322E-03, -3.14279680E-05,  2.59835559E-06, -4.77136523E-08,
     8.64203390E-03, -6.87405181E-04, -9.13863872E-06,  5.15916806E-07, -3.59217476E-05,
     3.28696511E-05, -7.10542454E-07, -1.24382300E-05, -7.38584400E-09,  2.20609296E-07,
    -7.32469180E-04, -1.87381964E-05,  4.80925239E-06, -8.75492040E-08,  2.77862930E-05,
    -5.06004592E-06,  1.14325367E-07,  2.53016723E-06, -1.72857035E-08, -3.95079398E-08,
    -3.59413173E-07,  7.04388046E-07, -1.89309167E-08, -4.79768731E-07,  7.96079978E-09,
     1.62897058E-09,  3.94367674E-08, -1.18566247E-09,  3.34678041E-10, -1.15606447E-10,
    -2.80626406E+00,  5.48712484E-01, -3.99428410E-03, -9.54009191E-04,  1.93090978E-05,
    -3.08806365E-01,  1.16952364E-02,  4.95271903E-04, -1.90710882E-05,  2.10787756E-03,
    -6.98445738E-04,  2.30109073E-05,  4.17856590E-04, -1.27043871E-05, -3.04620472E-06,
     5.14507424E-02, -4.32510997E-03,  8.99281156E-05, -7.14663943E-07, -2.66016305E-04,
     2.63789586E-04, -7.01199003E-06, -1.06823306E-04,  3.61341136E-06,  2.29748967E-07,
     3.04788893E-04, -6.42070836E-05,  1.16257971E-06,  7.68023384E-06, -5.47446896E-07,
    -3.59937910E-08, -4.36497725E-06,  1.68737969E-07,  2.67489271E-08,  3.23926897E-09,
    -3.53874123E-02, -2.21201190E-01,  1.55126038E-02, -2.63917279E-04,  4.53433455E-02,
    -4.32943862E-03,  1.45389826E-04,  2.17508610E-04, -6.66724702E-05,  3.33217140E-05,
    -2.26921615E-03,  3.80261982E-04, -5.45314314E-09, -7.96355448E-04,  2.53458034E-05,
    -6.31223658E-06,  3.02122035E-04, -4.77403547E-06,  1.73825715E-06, -4.09087898E-07,
     6.14155345E-01, -6.16755931E-02,  1.33374846E-03,  3.55375387E-03, -5.13027851E-04,
     1.02449757E-04, -1.48526421E-03, -4.11469183E-05, -6.80434415E-06, -9.77675906E-06,
     8.82773108E-02, -3.01859306E-03,  1.04452989E-03,  2.47090539E-04,  1.48348065E-03,])
_UTCI_EXPONENTS = np.array([
    (t, v, d, p) for p in range(7) for d in range(7 - p) for v in range(7 - p - d)
    for t in range(7 - p - d - v)
])

#: UTCI assessment scale (Bröde et al. 2012, table 1): (category, lower, upper) in °C,
#: upper edge inclusive. Index 5 is "no thermal stress"; codes run from -5 to +4.
UTCI_CATEGORIES: tuple[tuple[str, float, float], ...] = (
    ("extreme cold stress", -math.inf, -40.0),
    ("very strong cold stress", -40.0, -27.0),
    ("strong cold stress", -27.0, -13.0),
    ("moderate cold stress", -13.0, 0.0),
    ("slight cold stress", 0.0, 9.0),
    ("no thermal stress", 9.0, 26.0),
    ("moderate heat stress", 26.0, 32.0),
    ("strong heat stress", 32.0, 38.0),
    ("very strong heat stress", 38.0, 46.0),
    ("extreme heat stress", 46.0, math.inf),
)


def _utci_saturation_hpa(temp_air: np.ndarray) -> np.ndarray:
    """Saturation vapour pressure over water [hPa] as UTCI_a002.f90 computes it (Hardy 1998, ITS-90)."""
    g = (-2.8365744e03, -6.028076559e03, 1.954263612e01, -2.737830188e-02, 1.6261698e-05,
         7.0229056e-10, -1.8680009e-13)
    tk = temp_air + 273.15
    es = 2.7150305 * np.log(tk)
    for i, gi in enumerate(g):
        es = es + gi * tk ** (i - 2)
    return np.exp(es) * 0.01


def _utci_plan() -> list[tuple[int, int, list[tuple[int, np.ndarray]]]]:
    """The coefficients grouped for Horner's scheme: per (ΔTmrt, Pa) power pair, per va
    power, the coefficients of Ta^0..Ta^k."""
    plan = []
    for p in range(7):
        for d in range(7 - p):
            per_v = []
            for v in range(7 - p - d):
                sel = (_UTCI_EXPONENTS[:, 3] == p) & (_UTCI_EXPONENTS[:, 2] == d) & (_UTCI_EXPONENTS[:, 1] == v)
                order = np.argsort(_UTCI_EXPONENTS[sel, 0])
                per_v.append((v, _UTCI_COEFFICIENTS[sel][order]))
            plan.append((d, p, per_v))
    return plan


_UTCI_PLAN = _utci_plan()


def _powers(x: np.ndarray) -> np.ndarray:
    out = np.empty((7, x.size))
    out[0] = 1.0
    for k in range(1, 7):
        out[k] = out[k - 1] * x
    return out


def _utci_offset(ta: np.ndarray, va: np.ndarray, d_tmrt: np.ndarray, pa: np.ndarray) -> np.ndarray:
    # Σ c·Ta^i·va^j·ΔTmrt^k·Pa^l with Horner's scheme in Ta; in-place, few temporaries
    v_pow, d_pow, p_pow = _powers(va), _powers(d_tmrt), _powers(pa)
    total = np.zeros_like(ta)
    q = np.empty_like(ta)
    h = np.empty_like(ta)
    for d, p, per_v in _UTCI_PLAN:
        q.fill(0.0)
        for v, coefs in per_v:
            h.fill(coefs[-1])
            for c in coefs[-2::-1]:
                h *= ta
                h += c
            if v:
                h *= v_pow[v]
            q += h
        q *= d_pow[d]
        q *= p_pow[p]
        total += q
    return total


def utci(temp_air: Any, temp_mrt: Any, wind_speed: Any, relative_humidity: Any) -> Any:
    """Universal Thermal Climate Index [°C] (Bröde et al. 2012, 6th-order polynomial).

    ``temp_air`` and ``temp_mrt`` (mean radiant temperature) in °C,
    ``wind_speed`` in m/s **at 10 m above ground** (the EPW height),
    ``relative_humidity`` in %. NaN outside the polynomial's validity range:
    -50 ≤ Ta ≤ 50 °C, -30 ≤ Tmrt - Ta ≤ 70 K, 0.5 ≤ va ≤ 17 m/s,
    0 ≤ RH ≤ 100 % and vapour pressure ≤ 5 kPa.
    """
    ta = _f(temp_air)
    shape = np.broadcast_shapes(ta.shape, _f(temp_mrt).shape, _f(wind_speed).shape,
                                _f(relative_humidity).shape)
    ta = np.broadcast_to(ta, shape).ravel()
    tr = np.broadcast_to(_f(temp_mrt), shape).ravel()
    va = np.broadcast_to(_f(wind_speed), shape).ravel()
    rh = np.broadcast_to(_f(relative_humidity), shape).ravel()
    with np.errstate(invalid="ignore", over="ignore"):
        pa = _utci_saturation_hpa(ta) * rh / 100.0 / 10.0  # kPa
        d_tmrt = tr - ta
        valid = ((ta >= -50) & (ta <= 50) & (d_tmrt >= -30) & (d_tmrt <= 70) & (va >= 0.5)
                 & (va <= 17) & (rh >= 0) & (rh <= 100) & (pa <= 5.0))
        out = np.full(ta.shape, np.nan)
        if valid.any():
            out[valid] = ta[valid] + _utci_offset(ta[valid], va[valid], d_tmrt[valid], pa[valid])
    out = out.reshape(shape)
    return _like(out, temp_air) if shape == np.shape(temp_air) else out


def utci_stress_category(utci_value: Any) -> np.ndarray:
    """Stress category code of each UTCI value: -5 (extreme cold) ... 0 (no thermal
    stress) ... +4 (extreme heat), NaN where UTCI is NaN. Names in :data:`UTCI_CATEGORIES`
    (index = code + 5)."""
    u = _f(utci_value)
    edges = np.array([c[2] for c in UTCI_CATEGORIES[:-1]])
    code = np.searchsorted(edges, u, side="left").astype(float) - 5.0
    return np.where(np.isnan(u), np.nan, code)


# =========================================================================== sun


def sun_path(latitude: float, longitude: float, utc_offset: float, year: int = 2001,
             step_minutes: int = 10) -> dict[str, pd.DataFrame]:
    """Lines of a sun-path diagram, in local standard time (UTC + ``utc_offset`` hours).

    * ``"days"``: the course of the sun on the 21st of each month (solstices and
      equinoxes among them), one point every ``step_minutes``; columns
      ``month``, ``azimuth``, ``elevation`` (apparent).
    * ``"hours"``: analemmas, the position at each full clock hour on every
      third day of the year; columns ``hour``, ``azimuth``, ``elevation``.

    Positions from :func:`climatevis.solar.solar_position` (NREL SPA conventions).
    Only points above the horizon are kept.
    """
    tz = round(utc_offset * 3600)
    minutes = pd.to_timedelta(np.arange(0, 1440, step_minutes), unit="min")
    days21 = pd.DatetimeIndex([pd.Timestamp(year=year, month=m, day=21) for m in range(1, 13)])
    day_times = (days21.repeat(len(minutes)) + np.tile(minutes, 12)).tz_localize(tz)
    pos = solar.solar_position(day_times, latitude, longitude)
    days = pd.DataFrame({"month": np.repeat(np.arange(1, 13), len(minutes)),
                         "azimuth": pos["azimuth"].to_numpy(), "elevation": pos["apparent_elevation"].to_numpy()})
    dates = pd.date_range(f"{year}-01-01", f"{year}-12-31", freq="3D")
    hour_times = (dates.repeat(24) + pd.to_timedelta(np.tile(np.arange(24), len(dates)), unit="h")).tz_localize(tz)
    pos = solar.solar_position(hour_times, latitude, longitude)
    hours = pd.DataFrame({"hour": np.tile(np.arange(24), len(dates)), "azimuth": pos["azimuth"].to_numpy(),
                          "elevation": pos["apparent_elevation"].to_numpy()})
    hours = hours.sort_values("hour", kind="stable")
    return {"days": days[days["elevation"] > 0].reset_index(drop=True),
            "hours": hours[hours["elevation"] > 0].reset_index(drop=True)}


# ASHRAE 55-2020 normative appendix C (SolarCal, after Fanger 1970): projected area
# factor f_p of a standing person, by the sun's horizontal angle relative to the
# person's front (SHARP, rows 0..180° in 15° steps) and solar altitude (columns
# 0..90° in 15° steps).
_FP_STANDING = np.array([
    [0.350, 0.350, 0.314, 0.258, 0.206, 0.144, 0.082],
    [0.342, 0.342, 0.310, 0.252, 0.200, 0.140, 0.082],
    [0.330, 0.330, 0.300, 0.244, 0.190, 0.132, 0.082],
    [0.310, 0.310, 0.275, 0.228, 0.175, 0.124, 0.082],
    [0.283, 0.283, 0.251, 0.208, 0.160, 0.114, 0.082],
    [0.252, 0.252, 0.228, 0.188, 0.150, 0.108, 0.082],
    [0.230, 0.230, 0.214, 0.180, 0.148, 0.108, 0.082],
    [0.242, 0.242, 0.222, 0.180, 0.153, 0.112, 0.082],
    [0.274, 0.274, 0.245, 0.203, 0.165, 0.116, 0.082],
    [0.304, 0.304, 0.270, 0.220, 0.174, 0.121, 0.082],
    [0.328, 0.328, 0.290, 0.234, 0.183, 0.125, 0.082],
    [0.344, 0.344, 0.304, 0.244, 0.190, 0.128, 0.082],
    [0.347, 0.347, 0.308, 0.246, 0.191, 0.128, 0.082],
])


def _projected_area_factor(solar_altitude: np.ndarray, sharp: np.ndarray) -> np.ndarray:
    """Bilinear interpolation in the f_p table (standing person)."""
    alt = np.clip(solar_altitude, 0.0, 90.0) / 15.0
    az = np.clip(sharp, 0.0, 180.0) / 15.0
    i = np.minimum(np.floor(az).astype(int), 11)
    j = np.minimum(np.floor(alt).astype(int), 5)
    u = az - i
    v = alt - j
    f = _FP_STANDING
    return ((1 - u) * (1 - v) * f[i, j] + u * (1 - v) * f[i + 1, j]
            + (1 - u) * v * f[i, j + 1] + u * v * f[i + 1, j + 1])


def mrt_delta_solarcal(
    solar_elevation: Any,
    dni: Any,
    dhi: Any = None,
    ghi: Any = None,
    sharp: float = 45.0,
    ground_reflectance: Any = 0.2,
    absorptivity: float = 0.7,
    sky_view: float = 1.0,
    body_exposed: float = 1.0,
    transmittance: float = 1.0,
    max_delta: float | None = 70.0,
) -> Any:
    """Rise of the mean radiant temperature [K] of a standing person in the sun (ASHRAE 55 SolarCal).

    ASHRAE 55-2020 normative appendix C::

        ERF   = (α_SW / α_LW) · f_eff · T_sol · (0.5·f_svv·(I_diff + I_TH·R_floor) + f_p·f_bes·I_dir)
        ΔT_mr = ERF / (f_eff · h_r)

    with f_eff = 0.725 (standing), α_LW = 0.95, h_r = 6.0 W/(m²·K), f_p from
    the standard's projected-area table (:func:`_projected_area_factor`).
    ``solar_elevation`` in degrees (no gain below the horizon), irradiances in
    W/m2: ``dni`` (I_dir), ``dhi`` (I_diff) and ``ghi`` (I_TH). Without
    ``dhi``/``ghi`` the standard's estimates I_diff = 0.2·I_dir and
    I_TH = I_dir·sin(β) + I_diff are used. ``sharp``: the sun's horizontal angle
    relative to the person's front [deg]; ``absorptivity`` α_SW of skin and
    clothing; ``sky_view`` f_svv, ``body_exposed`` f_bes, ``transmittance``
    T_sol (1 outdoors). ``max_delta`` caps the result (70 K is the UTCI's limit
    for Tmrt - Ta).
    """
    beta = _f(solar_elevation)
    i_dir = np.nan_to_num(_f(dni), nan=0.0)
    i_diff = 0.2 * i_dir if dhi is None else np.nan_to_num(_f(dhi), nan=0.0)
    sun_up = beta > 0
    i_th = (i_dir * np.sin(np.clip(beta, 0, 90) * np.pi / 180.0) + i_diff) if ghi is None \
        else np.nan_to_num(_f(ghi), nan=0.0)
    f_eff, a_lw, h_r = 0.725, 0.95, 6.0
    f_p = _projected_area_factor(beta, np.broadcast_to(_f(sharp), beta.shape))
    erf = (absorptivity / a_lw) * f_eff * transmittance * (
        0.5 * sky_view * (i_diff + i_th * _f(ground_reflectance))
        + f_p * body_exposed * np.where(sun_up, i_dir, 0.0)
    )
    delta = erf / (f_eff * h_r)
    if max_delta is not None:
        delta = np.minimum(delta, max_delta)
    return _like(delta, solar_elevation)


# =========================================================================== wind

#: Lower edges of the wind-speed classes [m/s] (Beaufort 1-9); below the first is calm.
WIND_SPEED_BINS = (0.5, 1.5, 3.3, 5.5, 7.9, 10.7, 13.8, 17.1, 20.7)


def wind_rose(
    wind_direction: Any,
    wind_speed: Any,
    sectors: int = 16,
    speed_bins: Sequence[float] = WIND_SPEED_BINS,
    selected: Any = None,
) -> pd.DataFrame:
    """Frequency of wind by direction sector and speed class [% of the selected records].

    Sector k is centred on ``k * 360 / sectors`` degrees (0 = wind from the
    north, clockwise). Speeds below ``speed_bins[0]`` are calm and not
    assigned a direction; their share is ``.attrs["calm"]``. Records with a
    missing speed or direction are left out. Rows: sector centres; columns:
    speed classes (``"0.5-1.5"``, ..., ``">=20.7"``). The table plus ``calm``
    adds up to 100. ``.attrs["records"]`` is the number of records counted.
    """
    d = _f(wind_direction)
    s = _f(wind_speed)
    ok = np.isfinite(d) & np.isfinite(s)
    if selected is not None:
        ok &= np.asarray(selected, bool)
    d, s = d[ok], s[ok]
    n = d.size
    width = 360.0 / sectors
    sector = np.floor(np.mod(d + width / 2.0, 360.0) / width).astype(int) % sectors
    edges = np.asarray(speed_bins, float)
    speed_class = np.searchsorted(edges, s, side="right") - 1  # -1 = calm
    windy = speed_class >= 0
    counts = np.bincount(sector[windy] * len(edges) + speed_class[windy],
                         minlength=sectors * len(edges)).reshape(sectors, len(edges))
    labels = [f"{a:g}-{b:g}" for a, b in itertools.pairwise(edges)] + [f">={edges[-1]:g}"]
    table = pd.DataFrame(100.0 * counts / max(n, 1), index=np.arange(sectors) * width, columns=labels)
    table.index.name = "direction"
    table.attrs["calm"] = 100.0 * float((~windy).sum()) / max(n, 1)
    table.attrs["records"] = int(n)
    return table


def wind_statistics(wind_direction: Any, wind_speed: Any, selected: Any = None) -> dict[str, float]:
    """Mean and 99th-percentile speed [m/s], calm share [%] (< 0.5 m/s) and the prevailing
    direction (centre of the most frequent of 16 sectors) [deg]."""
    rose = wind_rose(wind_direction, wind_speed, selected=selected)
    s = _f(wind_speed)
    if selected is not None:
        s = s[np.asarray(selected, bool)]
    s = s[np.isfinite(s)]
    totals = rose.sum(axis=1)
    return {
        "mean_speed": float(s.mean()) if s.size else math.nan,
        "p99_speed": float(np.percentile(s, 99)) if s.size else math.nan,
        "calm": rose.attrs["calm"],
        "prevailing_direction": float(totals.idxmax()) if totals.max() > 0 else math.nan,
    }


# =========================================================================== design conditions

#: Design values computed from data: key (as in the EPW header) -> description.
DESIGN_KEYS = {
    "heating": {
        "coldest_month": "coldest month (lowest mean dry bulb)",
        "db_996": "heating dry bulb, 99.6 % [°C]",
        "db_990": "heating dry bulb, 99 % [°C]",
    },
    "cooling": {
        "hottest_month": "hottest month (highest mean dry bulb)",
        "db_range": "mean daily dry-bulb range of the hottest month [K]",
        "db_004": "cooling dry bulb, 0.4 % [°C]", "wb_db_004": "mean coincident wet bulb [°C]",
        "db_010": "cooling dry bulb, 1 % [°C]", "wb_db_010": "mean coincident wet bulb [°C]",
        "db_020": "cooling dry bulb, 2 % [°C]", "wb_db_020": "mean coincident wet bulb [°C]",
        "wb_004": "evaporation wet bulb, 0.4 % [°C]", "db_wb_004": "mean coincident dry bulb [°C]",
        "wb_010": "evaporation wet bulb, 1 % [°C]", "db_wb_010": "mean coincident dry bulb [°C]",
    },
    "extremes": {"ws_010": "extreme wind speed, 1 % [m/s]"},
}


def _coincident_mean(values: np.ndarray, other: np.ndarray, target: float) -> float:
    """Mean of ``other`` over the records whose ``values`` lie within ±0.5 K of ``target``
    (the 10 nearest when that band is empty)."""
    ok = np.isfinite(values) & np.isfinite(other)
    v, o = values[ok], other[ok]
    band = np.abs(v - target) <= 0.5
    if band.sum() == 0:
        band = np.argsort(np.abs(v - target))[:10]
    return float(np.mean(o[band]))


def design_conditions_from_data(
    temp_air: Any, wet_bulb_temp: Any, wind_speed: Any, months: Any, records_per_hour: int = 1
) -> dict[str, dict[str, float]]:
    """Design conditions computed from one weather file, with the EPW header's keys.

    As ASHRAE Fundamentals ch. 14 defines them, from the cumulative frequency of
    the records: the 99.6 %/99 % heating dry bulb is exceeded by 99.6 %/99 % of
    the records (the 0.4th/1st percentile); the 0.4/1/2 % cooling dry bulb and
    the 0.4/1 % wet bulb are exceeded by that share (99.6th... percentile);
    "mean coincident" values average the other temperature over the records
    within ±0.5 K of the design value. ASHRAE derives its tables from many
    years of observations; a typical year gives indicative values only.
    """
    t = _f(temp_air)
    wb = _f(wet_bulb_temp)
    ws = _f(wind_speed)
    m = np.asarray(months).astype(int)
    tt = t[np.isfinite(t)]
    monthly = np.array([np.nanmean(t[m == k]) if (m == k).any() else np.nan for k in range(1, 13)])
    hottest = int(np.nanargmax(monthly)) + 1
    coldest = int(np.nanargmin(monthly)) + 1
    day_t = _daily(t, records_per_hour)
    with _quiet_nan_warnings():
        ranges = np.nanmax(day_t, axis=1) - np.nanmin(day_t, axis=1)
    day_m = _day_months(m, records_per_hour)
    heating = {"coldest_month": float(coldest),
               "db_996": float(np.percentile(tt, 0.4)), "db_990": float(np.percentile(tt, 1.0))}
    cooling: dict[str, float] = {"hottest_month": float(hottest),
                                 "db_range": float(np.nanmean(ranges[day_m == hottest]))}
    for key, q in (("004", 99.6), ("010", 99.0), ("020", 98.0)):
        db = float(np.percentile(tt, q))
        cooling[f"db_{key}"] = db
        cooling[f"wb_db_{key}"] = _coincident_mean(t, wb, db)
    wbb = wb[np.isfinite(wb)]
    for key, q in (("004", 99.6), ("010", 99.0)):
        w = float(np.percentile(wbb, q))
        cooling[f"wb_{key}"] = w
        cooling[f"db_wb_{key}"] = _coincident_mean(wb, t, w)
    wss = ws[np.isfinite(ws)]
    extremes = {"ws_010": float(np.percentile(wss, 99.0)) if wss.size else math.nan}
    return {"heating": heating, "cooling": cooling, "extremes": extremes}


def design_conditions(weather: Weather, frame: pd.DataFrame | None = None) -> dict[str, Any]:
    """Design conditions of a weather file: the header's (ASHRAE) values when it has them,
    else values computed from the data (:func:`design_conditions_from_data`).

    Returns ``{"source": str, "from_header": bool, "heating": {...},
    "cooling": {...}, "extremes": {...}, "computed": {...}}``; the groups hold
    the keys of :data:`DESIGN_KEYS` (°C, K, m/s, months 1-12). ``computed`` is
    always present, for comparison.
    """
    f = frame if frame is not None else derive(weather)
    computed = design_conditions_from_data(
        f["temp_air"], f["wet_bulb"], f["wind_speed"], f["month"], weather.records_per_hour)
    header = weather.design_conditions or {}
    has_header = bool(header.get("heating")) and np.isfinite(header["heating"].get("db_996", np.nan))
    out: dict[str, Any] = {"computed": computed, "from_header": has_header}
    if has_header:
        out["source"] = header.get("source") or "EPW header"
        for group, keys in DESIGN_KEYS.items():
            out[group] = {k: float(header.get(group, {}).get(k, np.nan)) for k in keys}
    else:
        out["source"] = "computed from this file's hourly data (the header has no design conditions)"
        out.update(computed)
    return out


# =========================================================================== classification


def _precipitation_usable(precipitation: np.ndarray) -> tuple[bool, str]:
    p = precipitation
    n = p.size
    valid = np.isfinite(p)
    if n == 0 or valid.sum() < 0.9 * n:
        return False, f"precipitation is missing in {100 * (1 - valid.mean()):.0f} % of the records"
    if np.nansum(p) <= 0:
        return False, "precipitation is zero in every record (not recorded in this file)"
    return True, ""


_KOPPEN_NAMES = {
    "Af": "Tropical rainforest", "Am": "Tropical monsoon", "Aw": "Tropical savanna",
    "BWh": "Hot desert", "BWk": "Cold desert", "BSh": "Hot semi-arid", "BSk": "Cold semi-arid",
    "ET": "Tundra", "EF": "Ice cap",
}
_SECOND = {"s": "dry summer", "w": "dry winter", "f": "no dry season"}
_THIRD = {"a": "hot summer", "b": "warm summer", "c": "cold summer", "d": "very cold winter"}


def koppen_geiger(
    monthly_temp: Sequence[float],
    monthly_precip: Sequence[float] | None,
    latitude: float,
    cold_threshold: float = 0.0,
) -> dict[str, Any]:
    """Köppen-Geiger class from 12 monthly mean temperatures [°C] and precipitation totals [mm].

    The rule set of Peel et al. 2007 (table 1), applied in the order E, B, A,
    C/D: E if the warmest month is below 10 °C (ET above 0 °C, else EF); B if
    the annual precipitation MAP < 10·P_th, with P_th = 2·MAT (+28 if ≥ 70 % of
    it falls in the summer half-year, +14 if neither half has 70 %), BW if
    MAP < 5·P_th, h/k by MAT ≥ 18 °C; A if the coldest month ≥ 18 °C (f: driest
    month ≥ 60 mm, m: ≥ 100 - MAP/25, else w); C if the coldest month is above
    ``cold_threshold`` (0 °C as Peel et al.; Köppen's original uses -3 °C),
    D otherwise, with s (driest summer month < 40 mm and < 1/3 of the wettest
    winter month), w (driest winter month < 1/10 of the wettest summer month),
    f (neither) and a (warmest ≥ 22 °C), b (≥ 4 months ≥ 10 °C), c, or d
    (D only: coldest < -38 °C). Summer is April-September north of the equator.

    Weather files often lack precipitation (IWEC files hold zeros, TMY3 files
    leave hours missing). Without usable precipitation (``None``, < 90 % of
    records, or all zero) the class is reported from temperature alone: the
    arid group B cannot be tested and the precipitation letter is ``?``
    (e.g. ``"C?b"``); ``complete`` is False and ``note`` says why.
    """
    t = _f(monthly_temp)
    if t.shape != (12,) or not np.isfinite(t).all():
        raise ValueError("koppen_geiger: need 12 finite monthly mean temperatures")
    p = None if monthly_precip is None else _f(monthly_precip)
    note = ""
    if p is not None and (p.shape != (12,) or not np.isfinite(p).all() or p.sum() <= 0):
        note = "precipitation incomplete or all zero"
        p = None
    elif p is None:
        note = "no precipitation data"
    t_hot, t_cold = t.max(), t.min()
    mat = t.mean()
    summer = np.zeros(12, bool)
    summer[3:9] = True
    if latitude < 0:
        summer = ~summer

    def result(code: str, complete: bool) -> dict[str, Any]:
        group = code[0]
        if code in _KOPPEN_NAMES:
            name = _KOPPEN_NAMES[code]
        else:
            base = {"A": "Tropical", "C": "Temperate", "D": "Continental"}[group]
            parts = [_SECOND.get(code[1], "precipitation pattern unknown")]
            if len(code) > 2:
                parts.append(_THIRD[code[2]])
            name = f"{base}, {', '.join(parts)}"
        return {"code": code, "name": name, "complete": complete, "note": note,
                "rule": f"Peel et al. 2007, C/D boundary {cold_threshold:g} °C"}

    if t_hot < 10.0:
        return result("ET" if t_hot > 0.0 else "EF", True)
    if p is not None:
        map_ = p.sum()
        p_summer = p[summer].sum()
        if p_summer >= 0.7 * map_:
            p_th = 2 * mat + 28
        elif map_ - p_summer >= 0.7 * map_:
            p_th = 2 * mat
        else:
            p_th = 2 * mat + 14
        if map_ < 10 * p_th:
            return result(("BW" if map_ < 5 * p_th else "BS") + ("h" if mat >= 18 else "k"), True)
    if t_cold >= 18.0:
        if p is None:
            return result("A?", False)
        p_dry = p.min()
        return result("Af" if p_dry >= 60 else "Am" if p_dry >= 100 - p.sum() / 25 else "Aw", True)
    group = "C" if t_cold > cold_threshold else "D"
    if p is None:
        second = "?"
    else:
        ps_dry, ps_wet = p[summer].min(), p[summer].max()
        pw_dry, pw_wet = p[~summer].min(), p[~summer].max()
        if ps_dry < 40 and ps_dry < pw_wet / 3:
            second = "s"
        elif pw_dry < ps_wet / 10:
            second = "w"
        else:
            second = "f"
    warm_months = int((t >= 10.0).sum())
    if t_hot >= 22.0:
        third = "a"
    elif warm_months >= 4:
        third = "b"
    elif group == "D" and t_cold < -38.0:
        third = "d"
    else:
        third = "c"
    return result(group + second + third, p is not None)


def natural_ventilation(
    temp_air: Any, temp_dew: Any, t_min: float = 10.0, t_max: float = 24.0,
    dew_point_max: float | None = 16.0,
) -> np.ndarray:
    """Records suited to natural ventilation: outdoor dry bulb within [t_min, t_max] °C and,
    unless ``dew_point_max`` is None, a dew point at most ``dew_point_max`` °C (to
    avoid condensation and humid discomfort). The defaults are CBE Clima's."""
    t = _f(temp_air)
    ok = (t >= t_min) & (t <= t_max)
    if dew_point_max is not None:
        ok &= _f(temp_dew) <= dew_point_max
    return ok


def cloud_cover_monthly(total_sky_cover: Any, months: Any) -> pd.DataFrame:
    """Share of records per month [%] that are clear (< 3 tenths of sky cover),
    intermediate (3-7 tenths) and cloudy (> 7 tenths); missing values are left out."""
    c = _f(total_sky_cover)
    m = np.asarray(months).astype(int)
    ok = np.isfinite(c)
    n = np.bincount(m[ok] - 1, minlength=12)[:12].astype(float)
    data = {}
    for name, mask in (("clear", c < 3), ("intermediate", (c >= 3) & (c <= 7)), ("cloudy", c > 7)):
        with np.errstate(invalid="ignore", divide="ignore"):
            data[name] = 100.0 * np.bincount(m[ok & mask] - 1, minlength=12)[:12] / n
    return pd.DataFrame(data, index=pd.Index(MONTH_NAMES, name="month"))


# =========================================================================== PMV (ISO 7730)


def _pmv_pa(tdb: Any, tr: Any, vr: Any, pa: Any, met: Any, clo: Any, wme: Any = 0.0) -> np.ndarray:
    """ISO 7730:2005 annex D with the water vapour partial pressure ``pa`` [Pa] as input."""
    ta, tr_, var, pa_, met_, clo_, wme_ = np.broadcast_arrays(*(_f(x) for x in (tdb, tr, vr, pa, met, clo, wme)))
    icl = 0.155 * clo_
    m = met_ * 58.15
    mw = m - wme_ * 58.15
    fcl = np.where(icl <= 0.078, 1.0 + 1.29 * icl, 1.05 + 0.645 * icl)
    hcf = 12.1 * np.sqrt(var)
    taa = ta + 273.0
    tra = tr_ + 273.0
    tcla = taa + (35.5 - ta) / (3.5 * icl + 0.1)
    p1 = icl * fcl
    p2 = p1 * 3.96
    p3 = p1 * 100.0
    p4 = p1 * taa
    p5 = 308.7 - 0.028 * mw + p2 * (tra / 100.0) ** 4
    xn = tcla / 100.0
    xf = tcla / 50.0
    hc = hcf
    for _ in range(150):  # the standard's fixed-point iteration for the clothing temperature
        xf = (xf + xn) / 2.0
        hcn = 2.38 * np.abs(100.0 * xf - taa) ** 0.25
        hc = np.maximum(hcf, hcn)
        xn_new = (p5 + p4 * hc - p2 * xf**4) / (100.0 + p3 * hc)
        done = np.nanmax(np.abs(xn_new - xf), initial=0.0) < 0.00015
        xn = xn_new
        if done:
            break
    tcl = 100.0 * xn - 273.0
    hl1 = 3.05e-3 * (5733.0 - 6.99 * mw - pa_)  # skin diffusion
    hl2 = np.where(mw > 58.15, 0.42 * (mw - 58.15), 0.0)  # sweating
    hl3 = 1.7e-5 * m * (5867.0 - pa_)  # latent respiration
    hl4 = 0.0014 * m * (34.0 - ta)  # dry respiration
    hl5 = 3.96 * fcl * (xn**4 - (tra / 100.0) ** 4)  # radiation
    hl6 = fcl * hc * (tcl - ta)  # convection
    ts = 0.303 * np.exp(-0.036 * m) + 0.028
    return ts * (mw - hl1 - hl2 - hl3 - hl4 - hl5 - hl6)


def pmv_ppd(tdb: Any, tr: Any, vr: Any, rh: Any, met: Any, clo: Any, wme: Any = 0.0) -> dict[str, Any]:
    """Predicted mean vote and predicted percentage dissatisfied (ISO 7730:2005, Fanger).

    ``tdb`` air and ``tr`` mean radiant temperature [°C], ``vr`` relative air
    speed [m/s], ``rh`` [%], ``met`` metabolic rate [met], ``clo`` clothing
    insulation [clo], ``wme`` external work [met]. The vapour pressure is
    ``rh`` times the saturation pressure of ASHRAE Fundamentals eq. (6).
    Returns ``{"pmv": ..., "ppd": ... [%]}`` (no applicability limits applied).
    """
    pa = _f(rh) / 100.0 * np.exp(_ln_pws(_f(tdb)))
    pmv = _pmv_pa(tdb, tr, vr, pa, met, clo, wme)
    ppd = 100.0 - 95.0 * np.exp(-0.03353 * pmv**4 - 0.2179 * pmv**2)
    return {"pmv": pmv, "ppd": ppd}


def pmv_comfort_zone(
    met: float = 1.1, clo: float = 0.5, air_speed: float = 0.1, pressure: float = P_STANDARD,
    pmv_limit: float = 0.5, humidity_ratio_max: float = 0.012, points: int = 13,
) -> pd.DataFrame:
    """The PMV comfort zone on a psychrometric chart, as ASHRAE 55-2020 §5.3 draws its
    graphic comfort zone: -``pmv_limit`` ≤ PMV ≤ +``pmv_limit`` (ISO 7730 PMV) for
    mean radiant temperature = air temperature, at ``met``, ``clo`` and air speed,
    humidity ratio 0 to ``humidity_ratio_max`` (0.012 kg/kg in ASHRAE 55).

    The relative air speed adds the activity-generated 0.3·(met - 1) m/s (ISO 7730).
    Returns the closed polygon: columns ``temp_air`` [°C] (= operative
    temperature) and ``humidity_ratio`` [kg/kg], cool edge upwards then warm
    edge downwards.
    """
    cool, warm, w = _pmv_zone_edges(round(float(met), 3), round(float(clo), 3), round(float(air_speed), 3),
                                    round(float(pressure), -1), float(pmv_limit), float(humidity_ratio_max),
                                    int(points))
    return pd.DataFrame({"temp_air": np.concatenate([cool, warm[::-1], cool[:1]]),
                         "humidity_ratio": np.concatenate([w, w[::-1], w[:1]])})


@functools.lru_cache(maxsize=64)
def _pmv_zone_edges(met: float, clo: float, air_speed: float, pressure: float, pmv_limit: float,
                    humidity_ratio_max: float, points: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Temperatures where PMV = -limit and +limit at each humidity ratio (secant method)."""
    w = np.linspace(0.0, humidity_ratio_max, points)
    pa = np.tile(vapor_pressure_from_humidity_ratio(w, pressure), 2)
    target = np.repeat([-pmv_limit, pmv_limit], points)
    vr = air_speed + 0.3 * max(met - 1.0, 0.0)

    def f(t: np.ndarray) -> np.ndarray:
        return _pmv_pa(t, t, vr, pa, met, clo) - target

    x0, x1 = np.full(2 * points, 18.0), np.full(2 * points, 28.0)
    f0, f1 = f(x0), f(x1)
    for _ in range(20):  # PMV is smooth and monotonic in temperature: the secant converges fast
        denom = f1 - f0
        x2 = np.where(denom != 0, x1 - f1 * (x1 - x0) / denom, x1)
        x0, f0, x1 = x1, f1, x2
        f1 = f(x1)
        if np.max(np.abs(x1 - x0)) < 1e-6:
            break
    return x1[:points], x1[points:], w


# =========================================================================== the derived table


def derive(
    weather: Weather,
    sharp: float = 45.0,
    absorptivity: float = 0.7,
    running_mean_alpha: float = 0.8,
) -> pd.DataFrame:
    """Every derived hourly (or sub-hourly) quantity of a weather file, computed once.

    Columns (units as in the module docstring): the calendar (``month``,
    ``day``, ``hour`` 0-23, ``doy`` day of a nominal year, ``day_index`` position
    of the day in the file), the file's ``temp_air``, ``temp_dew``,
    ``relative_humidity``, ``ghi``, ``dni``, ``dhi``, ``wind_speed``,
    ``wind_direction``, ``total_sky_cover``, ``precipitation``; ``pressure``
    (station pressure, gaps filled with the standard pressure at the station's
    elevation); psychrometrics ``humidity_ratio``, ``enthalpy``, ``wet_bulb``;
    the sun at mid-interval (``solar_elevation``, ``solar_azimuth``, geometric, from
    :func:`climatevis.solar.solar_position`);
    ``mrt_delta`` (SolarCal, standing person, SHARP ``sharp``, short-wave
    absorptivity ``absorptivity``, ground reflectance = the file's albedo or
    0.2); UTCI in four scenarios (``utci_sun_wind``, ``utci_shade_wind``,
    ``utci_sun_calm``, ``utci_shade_calm``: mean radiant temperature = air
    temperature + ``mrt_delta`` in the sun or = air temperature in the shade;
    the 10 m wind limited to the model's 0.5-17 m/s, or 0.5 m/s for "no wind",
    as CBE Clima does); ``t_running_mean`` (EN 16798-1 running mean, α =
    ``running_mean_alpha``, constant within a day).
    Works for leap-year and sub-hourly files (days are blocks of 24 x records per hour).
    """
    d = weather.data
    rph = weather.records_per_hour
    loc = weather.location
    n = len(d)
    _records_per_day(n, rph)
    month = d["month"].to_numpy().astype(np.int64)
    day = d["day"].to_numpy().astype(np.int64)
    out: dict[str, np.ndarray] = {
        "month": month,
        "day": day,
        "hour": d["hour"].to_numpy().astype(np.int64) - 1,
        "doy": nominal_day(month, day)[0],
        "day_index": np.arange(n) // (24 * rph),
    }
    for col, src in (("temp_air", "temp_air"), ("temp_dew", "temp_dew"),
                     ("relative_humidity", "relative_humidity"), ("ghi", "ghi"), ("dni", "dni"),
                     ("dhi", "dhi"), ("wind_speed", "wind_speed"), ("wind_direction", "wind_direction"),
                     ("total_sky_cover", "total_sky_cover"), ("precipitation", "liquid_precipitation_depth")):
        out[col] = d[src].to_numpy(dtype=np.float64) if src in d else np.full(n, np.nan)
    t = out["temp_air"]
    p = d["atmospheric_pressure"].to_numpy(dtype=np.float64) if "atmospheric_pressure" in d \
        else np.full(n, np.nan)
    p = np.where(np.isfinite(p) & (p > 30000), p, pressure_from_elevation(loc.elevation))
    out["pressure"] = p
    # vapour pressure from the dew point where the file has it, else from RH
    with np.errstate(invalid="ignore"):
        pw = np.where(np.isfinite(out["temp_dew"]), np.exp(_ln_pws(out["temp_dew"])),
                      out["relative_humidity"] / 100.0 * np.exp(_ln_pws(t)))
    w = humidity_ratio(pw, p)
    out["humidity_ratio"] = w
    out["enthalpy"] = enthalpy(t, w)
    out["wet_bulb"] = wet_bulb(t, w, p)
    # the sun at mid-interval (EPW values cover the interval), as climatevis.solar computes it
    sun = solar.solar_position(solar.weather_times(weather), loc.latitude, loc.longitude, loc.elevation)
    out["solar_elevation"] = sun["elevation"].to_numpy()
    out["solar_azimuth"] = sun["azimuth"].to_numpy()
    albedo = d["albedo"].to_numpy(dtype=np.float64) if "albedo" in d else np.full(n, np.nan)
    albedo = np.where(np.isfinite(albedo) & (albedo > 0) & (albedo < 1), albedo, 0.2)
    mrt_delta = mrt_delta_solarcal(out["solar_elevation"], out["dni"], out["dhi"], out["ghi"], sharp=sharp,
                                   ground_reflectance=albedo, absorptivity=absorptivity)
    out["mrt_delta"] = mrt_delta
    wind = np.clip(out["wind_speed"], 0.5, 17.0)
    calm = np.full(n, 0.5)
    rh = out["relative_humidity"]
    t_sun = t + mrt_delta
    out["utci_sun_wind"] = utci(t, t_sun, wind, rh)
    out["utci_shade_wind"] = utci(t, t, wind, rh)
    out["utci_sun_calm"] = utci(t, t_sun, calm, rh)
    out["utci_shade_calm"] = utci(t, t, calm, rh)
    with _quiet_nan_warnings():
        daily_mean = np.nanmean(_daily(t, rph), axis=1)
    out["t_running_mean"] = np.repeat(running_mean_temperature(daily_mean, running_mean_alpha), 24 * rph)
    return pd.DataFrame(out, index=d.index)


def data_period(weather: Weather) -> dict[str, Any]:
    """Where the data come from: the LOCATION source (e.g. ``"IWEC Data"``, ``"TMY3"``),
    the years in the file (a typical year mixes months of several years) and, when
    the comments state it, the period of record the months were chosen from."""
    years = np.unique(weather.data["year"].to_numpy())
    text = " ".join(weather.comments)
    match = re.search(r"Period of Record\s*=?\s*(\d{4})\s*-\s*(\d{4})", text, re.IGNORECASE)
    return {
        "source": weather.location.source,
        "first_year": int(years.min()),
        "last_year": int(years.max()),
        "typical_year": len(years) > 1,
        "period_of_record": f"{match.group(1)}-{match.group(2)}" if match else None,
        "comments": weather.comments[0],
    }


def key_figures(
    weather: Weather,
    frame: pd.DataFrame,
    heating_base: float = 18.0,
    cooling_base: float = 18.0,
    degree_day_method: str = "hourly",
    heating_limit: float | None = None,
    cold_threshold: float = 0.0,
) -> dict[str, Any]:
    """The summary figures of a weather file (SI units).

    Temperatures [°C] (mean, 1st/99th percentile, min, max), annual global
    horizontal irradiation [kWh/m2] and its diffuse share [%], heating and
    cooling degree days [K·d] (:func:`degree_days` with the given bases, method
    and heating limit), mean wind speed [m/s], annual precipitation [mm]
    (None if the file has no usable precipitation), Köppen-Geiger class
    (:func:`koppen_geiger` with ``cold_threshold``), design conditions
    (:func:`design_conditions`) and the data period (:func:`data_period`).
    """
    rph = weather.records_per_hour
    t = frame["temp_air"].to_numpy()
    m = frame["month"].to_numpy()
    hours = len(frame) / rph
    ghi = frame["ghi"].to_numpy()
    dhi = frame["dhi"].to_numpy()
    tt = t[np.isfinite(t)]
    hdd = degree_days(t, m, heating_base, "heating", degree_day_method, rph, heating_limit).sum()
    cdd = degree_days(t, m, cooling_base, "cooling", degree_day_method, rph).sum()
    precip = frame["precipitation"].to_numpy()
    usable, why = _precipitation_usable(precip)
    monthly_t = np.array([np.nanmean(t[m == k]) for k in range(1, 13)])
    monthly_p = _monthly_sum(np.nan_to_num(precip), m) if usable else None
    koppen = koppen_geiger(monthly_t, monthly_p, weather.location.latitude, cold_threshold)
    if not usable:
        koppen["note"] = why
    return {
        "temp_mean": float(tt.mean()),
        "temp_p01": float(np.percentile(tt, 1)),
        "temp_p99": float(np.percentile(tt, 99)),
        "temp_min": float(tt.min()),
        "temp_max": float(tt.max()),
        "ghi_annual": float(np.nanmean(ghi) * hours / 1000.0),
        "diffuse_share": float(100.0 * np.nansum(dhi) / np.nansum(ghi)) if np.nansum(ghi) > 0 else math.nan,
        "hdd": float(hdd), "cdd": float(cdd),
        "heating_base": heating_base, "cooling_base": cooling_base, "heating_limit": heating_limit,
        "wind_mean": float(np.nanmean(frame["wind_speed"].to_numpy())),
        "precipitation_annual": float(np.nansum(precip)) if usable else None,
        "koppen": koppen,
        "design": design_conditions(weather, frame),
        "period": data_period(weather),
        "records": len(frame),
        "records_per_hour": rph,
        "leap_year": bool(frame["doy"].max() == 366),
    }


# =========================================================================== psychrometric chart


def psychrometric_lines(
    pressure: float = P_STANDARD, system: str = "SI", temp_range: tuple[float, float] = (-20.0, 50.0),
    rh_levels: Sequence[int] = (10, 20, 30, 40, 50, 60, 70, 80, 90, 100),
    humidity_ratio_max: float | None = None,
) -> dict[str, Any]:
    """Relative-humidity curves and axes of a psychrometric chart at ``pressure`` [Pa].

    ``system`` "SI" draws °C against g/kg, "IP" °F against grains per pound.
    ``temp_range`` [°C] is widened to whole 5 K; ``humidity_ratio_max`` [kg/kg]
    (e.g. the data's maximum) limits the humidity axis, which otherwise runs up to
    saturation at the highest temperature (at most 30 g/kg). Returns
    ``{"rh": {level: (x, y)}, "x_unit", "y_unit", "x_range", "y_range", "x_step", "y_step"}``.
    """
    lo = 5 * math.floor(temp_range[0] / 5)
    hi = 5 * math.ceil(temp_range[1] / 5)
    t = np.linspace(lo, hi, 120)
    pws = np.exp(_ln_pws(t))
    curves = {}
    for rh in rh_levels:
        w = humidity_ratio(rh / 100.0 * pws, pressure) * 1000.0
        curves[int(rh)] = (to_unit_system(t, "temperature", system),
                           to_unit_system(w, "humidity_ratio", system))
    w_top = min(float(humidity_ratio(np.exp(_ln_pws(np.array(hi))), pressure)) * 1000.0, 30.0)
    if humidity_ratio_max is not None and np.isfinite(humidity_ratio_max):
        w_top = min(w_top, 5.0 * math.ceil((humidity_ratio_max * 1000.0 * 1.1 + 1.0) / 5.0))
    ip = system.upper() == "IP"
    return {
        "rh": curves,
        "x_unit": unit_label("temperature", system), "y_unit": unit_label("humidity_ratio", system),
        "x_range": (float(to_unit_system(lo, "temperature", system)), float(to_unit_system(hi, "temperature", system))),
        "y_range": (0.0, float(to_unit_system(max(w_top, 5.0), "humidity_ratio", system))),
        "x_step": 2.0 if ip else 1.0, "y_step": 7.0 if ip else 1.0,
    }


def psychrometric_zones(
    pressure: float = P_STANDARD, system: str = "SI", met: float = 1.1, air_speed: float = 0.1,
    clo_levels: Sequence[float] = (0.5, 1.0), adaptive_band: tuple[float, float] | None = None,
) -> list[dict[str, Any]]:
    """Comfort zones for :func:`climatevis.charts.psychrometric_chart`, in ``system`` units.

    * The PMV zones of ASHRAE 55-2020 §5.3 (graphic comfort zone method):
      -0.5 ≤ PMV ≤ 0.5 (ISO 7730) at ``met``, ``air_speed`` and each clothing
      level of ``clo_levels``, mean radiant = air temperature, humidity ratio
      ≤ 0.012 kg/kg (:func:`pmv_comfort_zone`).
    * Optionally an adaptive band ``(lower, upper)`` [°C] of operative
      temperature (ASHRAE 55 §5.4 / EN 16798-1), which has no humidity limit:
      drawn from dry air up to saturation.
    """
    zones = []
    for clo in clo_levels:
        z = pmv_comfort_zone(met=met, clo=clo, air_speed=air_speed, pressure=pressure)
        zones.append({
            "name": f"PMV ±0.5, {clo:g} clo, {met:g} met (ASHRAE 55 §5.3)",
            "x": to_unit_system(z["temp_air"].to_numpy(), "temperature", system),
            "y": to_unit_system(z["humidity_ratio"].to_numpy() * 1000.0, "humidity_ratio", system),
        })
    if adaptive_band is not None:
        lo, hi = adaptive_band
        t = np.linspace(lo, hi, 30)
        w_sat = humidity_ratio(np.exp(_ln_pws(t)), pressure) * 1000.0
        x = np.concatenate([[lo], t, [hi, lo]])
        y = np.concatenate([[0.0], w_sat, [0.0, 0.0]])
        zones.append({"name": f"adaptive band {lo:.1f}-{hi:.1f} °C",
                      "x": to_unit_system(x, "temperature", system),
                      "y": to_unit_system(y, "humidity_ratio", system), "color": "#81b29a"})
    return zones


def inside_polygon(x: Any, y: Any, polygon_x: Any, polygon_y: Any) -> np.ndarray:
    """Whether each point (x, y) lies inside a closed polygon (even-odd ray casting)."""
    px, py = _f(x), _f(y)
    vx, vy = _f(polygon_x), _f(polygon_y)
    inside = np.zeros(px.shape, bool)
    for k in range(len(vx) - 1):
        x1, y1, x2, y2 = vx[k], vy[k], vx[k + 1], vy[k + 1]
        if y1 == y2:
            continue
        crosses = (py >= min(y1, y2)) & (py < max(y1, y2))
        x_cross = x1 + (py - y1) * (x2 - x1) / (y2 - y1)
        inside ^= crosses & (px < x_cross)
    return inside


# =========================================================================== tables for display


def from_unit_system(values: Any, kind: str, system: str = "SI", delta: bool = False) -> Any:
    """Inverse of :func:`to_unit_system`: values in ``system`` units back to SI."""
    if system.upper() != "IP":
        return values
    _, _, factor, offset = _KINDS[kind]
    return (values - (0.0 if delta else offset)) / factor


def season_masks(months: Any, latitude: float) -> dict[str, np.ndarray]:
    """Records of each meteorological season (winter = Dec-Feb north of the equator, Jun-Aug south)."""
    m = np.asarray(months)
    groups = {"Dec-Feb": (12, 1, 2), "Mar-May": (3, 4, 5), "Jun-Aug": (6, 7, 8), "Sep-Nov": (9, 10, 11)}
    names = (("winter", "spring", "summer", "autumn") if latitude >= 0
             else ("summer", "autumn", "winter", "spring"))
    return {f"{season} ({span})": np.isin(m, months_)
            for season, (span, months_) in zip(names, groups.items(), strict=True)}


def time_of_day_masks(hours: Any) -> dict[str, np.ndarray]:
    """Records of the night (0-5 h), morning (6-11 h), afternoon (12-17 h) and evening (18-23 h)."""
    h = np.asarray(hours)
    return {name: (h >= a) & (h <= b) for name, (a, b) in
            {"night 0-5 h": (0, 5), "morning 6-11 h": (6, 11), "afternoon 12-17 h": (12, 17),
             "evening 18-23 h": (18, 23)}.items()}


def monthly_share(mask: Any, months: Any, selected: Any = None, records_per_hour: int = 1) -> pd.DataFrame:
    """Per month: hours where ``mask`` holds and their share [%] of the selected hours."""
    ok = np.asarray(mask, bool)
    m = np.asarray(months).astype(int)
    sel = np.ones(ok.shape, bool) if selected is None else np.asarray(selected, bool)
    n = np.bincount(m[sel] - 1, minlength=12)[:12]
    k = np.bincount(m[sel & ok] - 1, minlength=12)[:12]
    with np.errstate(invalid="ignore", divide="ignore"):
        share = 100.0 * k / n
    return pd.DataFrame({"hours": k / records_per_hour, "share": share}, index=pd.Index(MONTH_NAMES, name="month"))


def utci_category_shares(utci_value: Any, months: Any, selected: Any = None) -> pd.DataFrame:
    """Share [%] of the selected records of each month in each UTCI stress category
    (columns in the order of :data:`UTCI_CATEGORIES`; records without UTCI left out)."""
    code = utci_stress_category(utci_value)
    m = np.asarray(months).astype(int)
    ok = np.isfinite(code)
    if selected is not None:
        ok &= np.asarray(selected, bool)
    key = (m[ok] - 1) * 10 + (code[ok].astype(int) + 5)
    counts = np.bincount(key, minlength=120)[:120].reshape(12, 10).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = 100.0 * counts / counts.sum(axis=1, keepdims=True)
    return pd.DataFrame(share, index=pd.Index(MONTH_NAMES, name="month"),
                        columns=[c[0] for c in UTCI_CATEGORIES])


UTCI_SCENARIOS = {
    "utci_sun_wind": "sun and wind", "utci_shade_wind": "shade and wind",
    "utci_sun_calm": "sun, no wind", "utci_shade_calm": "shade, no wind",
}


def utci_scenario_summary(frame: pd.DataFrame, selected: Any = None) -> pd.DataFrame:
    """For each UTCI scenario of :func:`derive`: share [%] of the selected records with
    cold stress, no thermal stress and heat stress, and without a valid UTCI."""
    sel = np.ones(len(frame), bool) if selected is None else np.asarray(selected, bool)
    rows = {}
    for col, name in UTCI_SCENARIOS.items():
        code = utci_stress_category(frame[col].to_numpy())[sel]
        n = max(code.size, 1)
        rows[name] = {"cold stress": 100.0 * np.sum(code < 0) / n, "no thermal stress": 100.0 * np.sum(code == 0) / n,
                      "heat stress": 100.0 * np.sum(code > 0) / n, "no UTCI": 100.0 * np.sum(np.isnan(code)) / n}
    return pd.DataFrame(rows).T


def key_figure_table(figures: dict[str, dict[str, Any]], system: str = "SI") -> pd.DataFrame:
    """Key figures (:func:`key_figures`) of one or more stations as a display table in ``system``
    units: one row per quantity, one column per station, plus the unit."""
    def t(v: float) -> float:
        return float(to_unit_system(v, "temperature", system))

    rows: dict[str, list[Any]] = {}
    unit_t = unit_label("temperature", system)
    for f in figures.values():
        design = f["design"]
        entries = {
            ("Mean air temperature", unit_t): round(t(f["temp_mean"]), 1),
            ("Coldest 1 % of hours below", unit_t): round(t(f["temp_p01"]), 1),
            ("Hottest 1 % of hours above", unit_t): round(t(f["temp_p99"]), 1),
            ("Global horizontal irradiation", unit_label("irradiation", system) + "/yr"):
                round(float(to_unit_system(f["ghi_annual"], "irradiation", system))),
            ("Diffuse share of it", "%"): round(f["diffuse_share"], 1),
            (f"Heating degree days (base {t(f['heating_base']):.4g})", unit_label("degree_days", system)):
                round(float(to_unit_system(f["hdd"], "degree_days", system))),
            (f"Cooling degree days (base {t(f['cooling_base']):.4g})", unit_label("degree_days", system)):
                round(float(to_unit_system(f["cdd"], "degree_days", system))),
            ("Mean wind speed", unit_label("speed", system)):
                round(float(to_unit_system(f["wind_mean"], "speed", system)), 1),
            ("Köppen-Geiger class", ""): f["koppen"]["code"],
            ("Heating design dry bulb 99.6 %", unit_t): round(t(design["heating"]["db_996"]), 1),
            ("Cooling design dry bulb 0.4 %", unit_t): round(t(design["cooling"]["db_004"]), 1),
            ("Data", ""): f"{f['period']['source']}, {f['period']['first_year']}-{f['period']['last_year']}",
        }
        for key, value in entries.items():
            rows.setdefault(key, []).append(value)
    table = pd.DataFrame([[label, unit, *values] for (label, unit), values in rows.items()],
                         columns=["quantity", "unit", *figures])
    return table


def design_table(design: dict[str, Any], system: str = "SI") -> pd.DataFrame:
    """Design conditions (:func:`design_conditions`) as a display table: the header's values
    (when the file has them) next to the values computed from its data."""
    rows = []
    for group, keys in DESIGN_KEYS.items():
        for key, text in keys.items():
            if key.endswith("month"):
                kind, fmt = None, "{:.0f}"
            elif key == "db_range":
                kind, fmt = "temperature_delta", "{:.1f}"
            elif key.startswith("ws"):
                kind, fmt = "speed", "{:.1f}"
            else:
                kind, fmt = "temperature", "{:.1f}"

            def show(value: float, kind: str | None = kind, fmt: str = fmt) -> str:
                if value is None or not np.isfinite(value):
                    return "—"
                if kind is None:
                    return MONTH_NAMES[int(value) - 1]
                return fmt.format(float(to_unit_system(value, kind.replace("_delta", ""), system,
                                                       delta=kind.endswith("_delta"))))

            label = re.sub(r"\s*\[.*\]$", "", text)
            unit = "" if kind is None else unit_label(kind, system)
            header_value = design[group].get(key, np.nan) if design["from_header"] else np.nan
            rows.append([group, label, unit, show(header_value), show(design["computed"][group][key])])
    return pd.DataFrame(rows, columns=["group", "design condition", "unit", "file header", "from the data"])
