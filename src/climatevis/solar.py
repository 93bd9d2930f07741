"""PV yield: solar position, plane-of-array irradiance and the PVWatts v8 chain.

Names and units follow pvlib-python: angles in degrees, azimuths clockwise
from north (east 90°, south 180°), irradiance in W/m², temperatures in °C,
pressure in Pa. Every function is a small pure function over numpy arrays or
pandas objects; nothing here imports more than numpy/pandas, so the module
runs natively and in Pyodide.

Timing convention for hourly weather files (:func:`weather_times`): an EPW
record labelled hour *h* holds the energy of the hour ending at *h*:00 local
standard time, and :func:`climatevis.epw.read_epw` indexes it by the *start*
of that hour (pvlib's convention). PVWatts evaluates the sun at the middle of
the hour, i.e. at ``index + 30 min``; :func:`weather_times` returns exactly
those instants, and the PV chain uses them.

The chain (:class:`SolarSite`, :class:`SystemConfig`) follows PVWatts v8 as
NREL's SSC implements it (``cmod_pvwattsv8``): Perez sky, row-to-row shading
of open racks, De Soto cover and spectral modifiers, SAM's NOCT cell
temperature, the CEC single-diode model of each module class, the PVWatts
loss stack and a linear Sandia inverter — or, with ``model="pvwatts"``, the
PVWatts v5 chain as pvlib implements it (physical IAM, Fuentes or SAPM cell
temperature, linear DC, PVWatts inverter curve). Everything that depends only
on place and weather is computed once per :class:`SolarSite`.

References
----------
* Reda, I., Andreas, A. (2004). Solar position algorithm for solar radiation
  applications. Solar Energy 76(5), 577-589 (NREL/TP-560-34302): refraction,
  parallax, equation-of-time and topocentric conventions.
* Meeus, J. (1998). Astronomical Algorithms, 2nd ed., ch. 12, 22, 25: solar
  coordinates (accuracy ≈ 0.01° over 1950-2050), nutation, sidereal time.
* Perez, R., Ineichen, P., Seals, R., Michalsky, J., Stewart, R. (1990).
  Modeling daylight availability and irradiance components from direct and
  global irradiance. Solar Energy 44(5), 271-289.
* Hay, J.E., Davies, J.A. (1980). Calculation of the solar radiation incident
  on an inclined surface. Proc. First Canadian Solar Radiation Data Workshop.
* Spencer, J.W. (1971). Fourier series representation of the position of the
  sun. Search 2(5), 172.
* Kasten, F., Young, A.T. (1989). Revised optical air mass tables and
  approximation formula. Applied Optics 28(22), 4735-4738.
* Dobos, A.P. (2014). PVWatts Version 5 Manual. NREL/TP-6A20-62641.
* Gilman, P. et al. (2018). SAM Photovoltaic Model Technical Reference
  Update. NREL/TP-6A20-67399.
* De Soto, W., Klein, S.A., Beckman, W.A. (2006). Improvement and validation
  of a model for photovoltaic array performance. Solar Energy 80(1), 78-88.
* Fuentes, M.K. (1987). A simplified thermal model for flat-plate
  photovoltaic arrays. SAND85-0330.
* Appelbaum, J., Bany, J. (1979). Shadow effect of adjacent solar collectors
  in large scale systems. Solar Energy 23(6), 497-507; Deline, C. et al.
  (2013). A simplified model of uniform shading in large photovoltaic
  arrays. Solar Energy 96, 274-282.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = [
    "AM_DESOTO",
    "ARRAY_TYPES",
    "DEFAULT_LOSSES",
    "MODELS",
    "MODULE_TYPES",
    "PEREZ_1990",
    "SAPM_TEMPERATURE",
    "TEMPERATURE_MODELS",
    "CECModule",
    "Losses",
    "ModuleType",
    "PVError",
    "PVResult",
    "SolarSite",
    "SystemConfig",
    "absolute_airmass",
    "air_mass_modifier",
    "alt2pres",
    "aoi",
    "aoi_projection",
    "calcparams_cec",
    "cover_transmittance_desoto",
    "diffuse_incidence_angles",
    "extraterrestrial_radiation",
    "fuentes",
    "ground_diffuse",
    "haydavies",
    "iam_physical",
    "isotropic",
    "julian_day",
    "max_power_point",
    "max_power_table",
    "noct_sam",
    "perez",
    "perez_brightness",
    "poa_irradiance",
    "pvwatts_ac",
    "pvwatts_dc",
    "relative_airmass",
    "sandia_linear_ac",
    "sapm_cell",
    "simulate",
    "solar_position",
    "weather_times",
]

_RAD = np.pi / 180.0


def _sind(x):
    return np.sin(np.radians(x))


def _cosd(x):
    return np.cos(np.radians(x))


# --------------------------------------------------------------------------- time


def julian_day(times: pd.DatetimeIndex) -> np.ndarray:
    """Julian day (UT) of each timestamp.

    Parameters
    ----------
    times : pandas.DatetimeIndex
        tz-aware timestamps (naive ones are taken as UTC, as pvlib does).

    Returns
    -------
    numpy.ndarray of float
        Julian day number with day fraction [days] (Meeus 1998, ch. 7).
    """
    times = pd.DatetimeIndex(times)
    if times.tz is not None:
        times = times.tz_convert("UTC").tz_localize(None)
    ns = times.as_unit("ns").asi8.astype(np.float64)
    return ns / 86400e9 + 2440587.5


def _delta_t(year: np.ndarray) -> np.ndarray:
    """TT − UT [s]: Espenak & Meeus (2006) polynomial for 2005-2050, also used
    outside that range (an error of a minute moves the sun by < 0.001°)."""
    t = np.asarray(year, dtype=float) - 2000.0
    return 62.92 + 0.32217 * t + 0.005589 * t * t


def weather_times(weather_or_index, records_per_hour: int | None = None) -> pd.DatetimeIndex:
    """The instants PVWatts evaluates the sun at: the middle of each record.

    EPW (and TMY) irradiance is an average over the interval that *ends* at
    the labelled hour; :func:`climatevis.epw.read_epw` indexes each record by
    the interval *start*. The midpoint is therefore ``index + interval / 2``
    (``+ 30 min`` for hourly files), as PVWatts v8 does for non-instantaneous
    data (NREL SSC ``pvwattsv8``, sun position at the hour's midpoint).

    Parameters
    ----------
    weather_or_index : climatevis.epw.Weather or pandas.DatetimeIndex
        A weather object (its ``data.index`` and ``records_per_hour`` are
        used) or an index of interval starts.
    records_per_hour : int, optional
        Records per hour when an index is given (default: 1, hourly).

    Returns
    -------
    pandas.DatetimeIndex
        Mid-interval timestamps in the same time zone.
    """
    if isinstance(weather_or_index, pd.DatetimeIndex):
        index = weather_or_index
        n = records_per_hour or 1
    else:
        index = weather_or_index.data.index
        n = records_per_hour or getattr(weather_or_index, "records_per_hour", 1) or 1
    return index + pd.Timedelta(minutes=60 / n / 2)


# --------------------------------------------------------------------------- position


def alt2pres(altitude):
    """Mean atmospheric pressure [Pa] at an altitude [m] (ICAO standard
    atmosphere, 101325 Pa at sea level; the formula pvlib uses)."""
    return 100.0 * ((44331.514 - np.asarray(altitude, dtype=float)) / 11880.516) ** (1 / 0.1902632)


def _sun_coordinates(jd: np.ndarray):
    """Apparent geocentric right ascension, declination [deg], earth-sun
    distance [AU], apparent sidereal time at Greenwich [deg] and equation of
    time [min] for Julian days ``jd`` (UT). Meeus (1998) ch. 12, 22, 25."""
    year = 2000.0 + (jd - 2451545.0) / 365.25
    jde = jd + _delta_t(year) / 86400.0
    t = (jde - 2451545.0) / 36525.0
    # geometric mean longitude and mean anomaly of the sun (Meeus 25.2, 25.3)
    l0 = (280.46646 + t * (36000.76983 + 0.0003032 * t)) % 360.0
    m = 357.52911 + t * (35999.05029 - 0.0001537 * t)
    e = 0.016708634 - t * (0.000042037 + 0.0000001267 * t)
    mr = m * _RAD
    # equation of the centre (Meeus p. 164)
    c = (
        (1.914602 - t * (0.004817 + 0.000014 * t)) * np.sin(mr)
        + (0.019993 - 0.000101 * t) * np.sin(2 * mr)
        + 0.000289 * np.sin(3 * mr)
    )
    true_long = l0 + c
    nu = (m + c) * _RAD
    r = 1.000001018 * (1 - e * e) / (1 + e * np.cos(nu))
    # nutation, low-accuracy terms good to 0.5" (Meeus ch. 22)
    omega = (125.04452 - 1934.136261 * t) * _RAD
    lsun = (280.4665 + 36000.7698 * t) * _RAD
    lmoon = (218.3165 + 481267.8813 * t) * _RAD
    dpsi = (
        -17.20 * np.sin(omega) - 1.32 * np.sin(2 * lsun) - 0.23 * np.sin(2 * lmoon)
        + 0.21 * np.sin(2 * omega)
    ) / 3600.0
    deps = (
        9.20 * np.cos(omega) + 0.57 * np.cos(2 * lsun) + 0.10 * np.cos(2 * lmoon)
        - 0.09 * np.cos(2 * omega)
    ) / 3600.0
    # apparent longitude: nutation and aberration (20.4898"/R)
    lam = true_long + dpsi - 20.4898 / 3600.0 / r
    eps0 = 23.0 + 26.0 / 60 + (21.448 - t * (46.8150 + t * (0.00059 - 0.001813 * t))) / 3600.0
    eps = eps0 + deps
    lam_r, eps_r = lam * _RAD, eps * _RAD
    alpha = np.degrees(np.arctan2(np.cos(eps_r) * np.sin(lam_r), np.cos(lam_r))) % 360.0
    delta = np.degrees(np.arcsin(np.sin(eps_r) * np.sin(lam_r)))
    # apparent sidereal time at Greenwich (Meeus 12.4 plus equation of equinoxes)
    d = jd - 2451545.0
    tu = d / 36525.0
    theta0 = 280.46061837 + 360.98564736629 * d + tu * tu * (0.000387933 - tu / 38710000.0)
    theta = (theta0 + dpsi * np.cos(eps_r)) % 360.0
    # equation of time (Reda & Andreas 2004, eq. A.1), wrapped to ±20 min
    eot = 4.0 * (((l0 - 0.0057183 - alpha + dpsi * np.cos(eps_r)) + 180.0) % 360.0 - 180.0)
    return alpha, delta, r, theta, eot


def solar_position(
    times: pd.DatetimeIndex,
    latitude: float,
    longitude: float,
    altitude: float = 0.0,
    pressure: float | None = None,
    temperature: float = 12.0,
    atmos_refract: float = 0.5667,
) -> pd.DataFrame:
    """Topocentric solar position, with the conventions of NREL's SPA.

    Solar coordinates follow Meeus (1998, ch. 25, with ch. 22 nutation and
    aberration): the zenith agrees with NREL SPA (Reda & Andreas 2004) to about
    0.01° over 1950-2050. Parallax, atmospheric refraction and the equation of
    time follow SPA exactly, so columns mean what pvlib's
    ``get_solarposition`` columns mean.

    Parameters
    ----------
    times : pandas.DatetimeIndex
        Instants to evaluate (tz-aware; naive = UTC).
    latitude, longitude : float
        Site position [deg], north and east positive.
    altitude : float, default 0
        Site elevation above sea level [m].
    pressure : float, optional
        Mean air pressure [Pa] for refraction; default from ``altitude``
        (:func:`alt2pres`), as pvlib does.
    temperature : float, default 12
        Mean air temperature [°C] for refraction.
    atmos_refract : float, default 0.5667
        Refraction at sunrise [deg]; below -(0.26667 + this) elevation no
        refraction correction is applied (SPA eq. 42).

    Returns
    -------
    pandas.DataFrame
        Columns ``apparent_zenith``, ``zenith``, ``apparent_elevation``,
        ``elevation``, ``azimuth`` [deg; clockwise from north] and
        ``equation_of_time`` [min], indexed by ``times``.
    """
    times = pd.DatetimeIndex(times)
    if pressure is None:
        pressure = alt2pres(altitude)
    jd = julian_day(times)
    alpha, delta, r, theta, eot = _sun_coordinates(jd)
    phi = latitude * _RAD
    # local hour angle (SPA eq. 11: H = ν + σ − α)
    h = ((theta + longitude - alpha) % 360.0) * _RAD
    dr = delta * _RAD
    # topocentric parallax (SPA eq. 26-38); the equatorial horizontal parallax is 8.794"/R
    xi = (8.794 / 3600.0 / r) * _RAD
    u = np.arctan(0.99664719 * np.tan(phi))
    x = np.cos(u) + altitude / 6378140.0 * np.cos(phi)
    y = 0.99664719 * np.sin(u) + altitude / 6378140.0 * np.sin(phi)
    dalpha = np.arctan2(-x * np.sin(xi) * np.sin(h), np.cos(dr) - x * np.sin(xi) * np.cos(h))
    delta_t = np.arctan2(
        (np.sin(dr) - y * np.sin(xi)) * np.cos(dalpha), np.cos(dr) - x * np.sin(xi) * np.cos(h)
    )
    ht = h - dalpha
    # elevation without refraction (SPA eq. 41)
    sin_e0 = np.sin(phi) * np.sin(delta_t) + np.cos(phi) * np.cos(delta_t) * np.cos(ht)
    e0 = np.degrees(np.arcsin(np.clip(sin_e0, -1.0, 1.0)))
    # refraction (SPA eq. 42): pressure in mbar
    with np.errstate(divide="ignore", invalid="ignore"):
        de = (
            (np.asarray(pressure, dtype=float) / 100.0 / 1010.0)
            * (283.0 / (273.0 + np.asarray(temperature, dtype=float)))
            * 1.02
            / (60.0 * np.tan(np.radians(e0 + 10.3 / (e0 + 5.11))))
        )
    de = np.where(e0 >= -1.0 * (0.26667 + atmos_refract), de, 0.0)
    e = e0 + de
    # topocentric azimuth, clockwise from north (SPA eq. 45-47)
    gamma = np.degrees(
        np.arctan2(np.sin(ht), np.cos(ht) * np.sin(phi) - np.tan(delta_t) * np.cos(phi))
    )
    azimuth = (gamma + 180.0) % 360.0
    return pd.DataFrame(
        {
            "apparent_zenith": 90.0 - e,
            "zenith": 90.0 - e0,
            "apparent_elevation": e,
            "elevation": e0,
            "azimuth": azimuth,
            "equation_of_time": eot,
        },
        index=times,
    )


def extraterrestrial_radiation(times, solar_constant: float = 1366.1):
    """Extraterrestrial normal irradiance [W/m²] (Spencer 1971 earth-sun
    distance series, pvlib's default ``method='spencer'``).

    Parameters
    ----------
    times : pandas.DatetimeIndex or array of day-of-year
        Timestamps (day of year taken in UTC, as pvlib does) or days 1-366.
    solar_constant : float, default 1366.1 [W/m²]

    Returns
    -------
    pandas.Series (for a DatetimeIndex) or numpy.ndarray
    """
    if isinstance(times, pd.DatetimeIndex):
        utc = times.tz_convert("UTC") if times.tz is not None else times
        doy = utc.day_of_year.to_numpy(dtype=float)
    else:
        doy = np.asarray(times, dtype=float)
    b = 2.0 * np.pi * (doy - 1.0) / 365.0
    rover = (
        1.00011 + 0.034221 * np.cos(b) + 0.00128 * np.sin(b)
        + 0.000719 * np.cos(2 * b) + 0.000077 * np.sin(2 * b)
    )
    out = solar_constant * rover
    if isinstance(times, pd.DatetimeIndex):
        return pd.Series(out, index=times, name="dni_extra")
    return out


def relative_airmass(zenith, model: str = "kastenyoung1989"):
    """Relative optical air mass [-] at sea level; NaN when the sun is down.

    ``kastenyoung1989`` (Kasten & Young 1989; use the *apparent* zenith) or
    ``kasten1966`` (Kasten 1966, the form NREL SSC uses in its Perez model).

    Parameters
    ----------
    zenith : array-like, solar zenith [deg]
    """
    z = np.asarray(zenith, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        zc = np.where(z > 90.0, np.nan, z)
        if model == "kastenyoung1989":
            am = 1.0 / (_cosd(zc) + 0.50572 * (6.07995 + 90.0 - zc) ** -1.6364)
        elif model == "kasten1966":
            am = 1.0 / (_cosd(zc) + 0.15 * (93.885 - zc) ** -1.253)
        else:
            raise ValueError(f"relative_airmass: unknown model {model!r}")
    if isinstance(zenith, pd.Series):
        return pd.Series(am, index=zenith.index, name="airmass_relative")
    return am


def absolute_airmass(airmass_relative, pressure=101325.0):
    """Pressure-corrected air mass [-]: ``AM_rel · p / 101325`` (p in Pa)."""
    return airmass_relative * np.asarray(pressure, dtype=float) / 101325.0


# --------------------------------------------------------------------------- plane of array


def aoi_projection(surface_tilt, surface_azimuth, solar_zenith, solar_azimuth):
    """Cosine of the angle of incidence on a plane [-], clipped to [-1, 1].

    ``cos θ = cos β cos Z + sin β sin Z cos(γs − γ)`` (Duffie & Beckman,
    Solar Engineering of Thermal Processes, eq. 1.6.3), β tilt, Z zenith.
    """
    proj = _cosd(surface_tilt) * _cosd(solar_zenith) + _sind(surface_tilt) * _sind(
        solar_zenith
    ) * _cosd(np.subtract(solar_azimuth, surface_azimuth))
    return np.clip(proj, -1.0, 1.0)


def aoi(surface_tilt, surface_azimuth, solar_zenith, solar_azimuth):
    """Angle of incidence of beam radiation on a plane [deg]."""
    return np.degrees(
        np.arccos(aoi_projection(surface_tilt, surface_azimuth, solar_zenith, solar_azimuth))
    )


def isotropic(surface_tilt, dhi):
    """Sky diffuse on a tilted plane [W/m²], isotropic sky (Liu & Jordan 1963):
    ``DHI (1 + cos β) / 2``."""
    return dhi * (1.0 + _cosd(surface_tilt)) * 0.5


def haydavies(surface_tilt, surface_azimuth, dhi, dni, dni_extra, solar_zenith, solar_azimuth):
    """Sky diffuse on a tilted plane [W/m²], Hay & Davies (1980).

    Anisotropy index ``A = DNI / DNI_extra`` weights a circumsolar part
    (``R_b = cos θ / cos Z``, cos Z ≥ cos 89°) against an isotropic part.
    """
    proj = aoi_projection(surface_tilt, surface_azimuth, solar_zenith, solar_azimuth)
    return _haydavies_sky(dhi, dni / dni_extra, proj, _cosd(solar_zenith), _cosd(surface_tilt))


def _haydavies_sky(dhi, anisotropy, cos_aoi, cos_zenith, cos_tilt):
    """:func:`haydavies` from the anisotropy index and the cosines [-] (also used by
    :class:`SolarSite`, which keeps the sun's cosines)."""
    rb = np.maximum(cos_aoi, 0) / np.maximum(cos_zenith, 0.01745)
    return np.maximum(dhi * (anisotropy * rb + (1 - anisotropy) * (1 + cos_tilt) * 0.5), 0)


#: Perez et al. (1990) "allsites composite" coefficients, table 6:
#: rows = sky-clearness bins ε (edges 1, 1.065, 1.23, 1.5, 1.95, 2.8, 4.5, 6.2),
#: columns F11, F12, F13, F21, F22, F23.
PEREZ_1990 = np.array(
    [
        [-0.008, 0.588, -0.062, -0.060, 0.072, -0.022],
        [0.130, 0.683, -0.151, -0.019, 0.066, -0.029],
        [0.330, 0.487, -0.221, 0.055, -0.064, -0.026],
        [0.568, 0.187, -0.295, 0.109, -0.152, -0.014],
        [0.873, -0.392, -0.362, 0.226, -0.462, 0.001],
        [1.132, -1.237, -0.412, 0.288, -0.823, 0.056],
        [1.060, -1.600, -0.359, 0.264, -1.127, 0.131],
        [0.678, -0.327, -0.250, 0.156, -1.377, 0.251],
    ]
)
_PEREZ_EDGES = np.array([1.065, 1.23, 1.5, 1.95, 2.8, 4.5, 6.2])


def perez_brightness(dhi, dni, dni_extra, solar_zenith, airmass):
    """Perez (1990) sky parameters: clearness bin index 0-7 (-1 where
    undefined, e.g. DHI = 0) and F1, F2 (circumsolar and horizon
    brightening). Depends only on weather and sun, not on the plane, so a
    :class:`SolarSite` caches it. ``airmass`` is the *relative* air mass."""
    kappa = 1.041  # for zenith in radians (Perez 1990, eq. 1)
    z = np.radians(solar_zenith)
    with np.errstate(invalid="ignore", divide="ignore"):
        eps = ((dhi + dni) / dhi + kappa * z**3) / (1 + kappa * z**3)
        delta = dhi * airmass / dni_extra
    ebin = np.searchsorted(_PEREZ_EDGES, eps, side="right")
    valid = np.isfinite(eps) & np.isfinite(delta)
    ebin = np.where(valid, ebin, 0)
    c = PEREZ_1990[ebin]
    f1 = np.maximum(c[:, 0] + c[:, 1] * delta + c[:, 2] * z, 0.0)
    f2 = c[:, 3] + c[:, 4] * delta + c[:, 5] * z
    return np.where(valid, f1, np.nan), np.where(valid, f2, np.nan)


def perez(
    surface_tilt, surface_azimuth, dhi, dni, dni_extra, solar_zenith, solar_azimuth, airmass,
    f1f2=None,
):
    """Sky diffuse on a tilted plane [W/m²], Perez et al. (1990) with the
    1990 all-sites coefficients (:data:`PEREZ_1990`).

    ``DHI [(1 − F1)(1 + cos β)/2 + F1 a/b + F2 sin β]`` with
    ``a = max(0, cos θ)``, ``b = max(cos 85°, cos Z)``; zero when the sun is
    down (air mass NaN). ``f1f2`` may pass precomputed (F1, F2) from
    :func:`perez_brightness`.
    """
    f1, f2 = f1f2 if f1f2 is not None else perez_brightness(
        dhi, dni, dni_extra, solar_zenith, airmass
    )
    proj = aoi_projection(surface_tilt, surface_azimuth, solar_zenith, solar_azimuth)
    return _perez_sky(dhi, f1, f2, proj, _cosd(solar_zenith), _cosd(surface_tilt), _sind(surface_tilt))


def _perez_sky(dhi, f1, f2, cos_aoi, cos_zenith, cos_tilt, sin_tilt):
    """:func:`perez` from the brightness coefficients and the cosines [-] (also used by
    :class:`SolarSite`, which keeps the sun's cosines and F1, F2)."""
    a = np.maximum(cos_aoi, 0)
    b = np.maximum(cos_zenith, _cosd(85.0))
    sky = np.maximum(dhi * (0.5 * (1 - f1) * (1 + cos_tilt) + f1 * a / b + f2 * sin_tilt), 0.0)
    return np.where(np.isfinite(sky), sky, 0.0)


def ground_diffuse(surface_tilt, ghi, albedo=0.2):
    """Ground-reflected irradiance on a tilted plane [W/m²], isotropic ground:
    ``GHI ρ (1 − cos β) / 2``."""
    return ghi * albedo * (1.0 - _cosd(surface_tilt)) * 0.5


def poa_irradiance(
    surface_tilt,
    surface_azimuth,
    solar_zenith,
    solar_azimuth,
    dni,
    ghi,
    dhi,
    dni_extra=None,
    airmass=None,
    albedo=0.2,
    model: str = "perez",
) -> pd.DataFrame:
    """Plane-of-array irradiance [W/m²] and angle of incidence [deg].

    Parameters
    ----------
    surface_tilt : float
        Tilt from horizontal [deg], 0-180.
    surface_azimuth : float
        Azimuth the plane faces [deg], clockwise from north (south = 180).
    solar_zenith, solar_azimuth : array-like
        Sun position [deg] (apparent zenith, as pvlib's ModelChain uses).
    dni, ghi, dhi : array-like
        Direct normal, global and diffuse horizontal irradiance [W/m²].
    dni_extra : array-like, optional
        Extraterrestrial normal irradiance [W/m²]; needed by perez and
        haydavies. If ``None`` and the inputs are pandas objects with a
        DatetimeIndex, computed with :func:`extraterrestrial_radiation`.
    airmass : array-like, optional
        Relative air mass [-] for perez; default Kasten-Young from
        ``solar_zenith``.
    albedo : float or array-like, default 0.2
        Ground reflectance [-].
    model : {"perez", "haydavies", "isotropic"}

    Returns
    -------
    pandas.DataFrame
        ``poa_global, poa_direct, poa_diffuse, poa_sky_diffuse,
        poa_ground_diffuse, aoi``.
    """
    index = next(
        (o.index for o in (dni, ghi, dhi, solar_zenith) if isinstance(o, (pd.Series, pd.DataFrame))),
        None,
    )
    z = np.asarray(solar_zenith, dtype=float)
    az = np.asarray(solar_azimuth, dtype=float)
    dni_a, ghi_a, dhi_a = (np.asarray(v, dtype=float) for v in (dni, ghi, dhi))
    if model not in ("perez", "haydavies", "isotropic"):
        raise ValueError(f"poa_irradiance: unknown model {model!r} (perez, haydavies, isotropic)")
    if model != "isotropic" and dni_extra is None:
        if not isinstance(index, pd.DatetimeIndex):
            raise ValueError("poa_irradiance: dni_extra is required without a DatetimeIndex")
        dni_extra = extraterrestrial_radiation(index).to_numpy()
    dni_extra = None if dni_extra is None else np.asarray(dni_extra, dtype=float)
    proj = aoi_projection(surface_tilt, surface_azimuth, z, az)
    direct = np.maximum(dni_a * proj, 0.0)
    if model == "perez":
        am = relative_airmass(z) if airmass is None else np.asarray(airmass, dtype=float)
        sky = perez(surface_tilt, surface_azimuth, dhi_a, dni_a, dni_extra, z, az, am)
    elif model == "haydavies":
        sky = haydavies(surface_tilt, surface_azimuth, dhi_a, dni_a, dni_extra, z, az)
    else:
        sky = isotropic(surface_tilt, dhi_a)
    ground = ground_diffuse(surface_tilt, ghi_a, albedo)
    diffuse = sky + ground
    return pd.DataFrame(
        {
            "poa_global": direct + diffuse,
            "poa_direct": direct,
            "poa_diffuse": diffuse,
            "poa_sky_diffuse": sky,
            "poa_ground_diffuse": ground,
            "aoi": np.degrees(np.arccos(proj)),
        },
        index=index,
    )


# --------------------------------------------------------------------------- module optics


def _fresnel_interface(theta1, n1, n2):
    """Unpolarised transmittance of one interface and the refraction angle
    [rad] (Fresnel equations, Snell's law; Duffie & Beckman eq. 5.1.1-5.1.4)."""
    theta2 = np.arcsin(np.clip(n1 / n2 * np.sin(theta1), -1.0, 1.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        r_perp = np.sin(theta2 - theta1) ** 2 / np.sin(theta2 + theta1) ** 2
        r_par = np.tan(theta2 - theta1) ** 2 / np.tan(theta2 + theta1) ** 2
    # normal incidence: both ratios are 0/0; the limit is ((n1-n2)/(n1+n2))^2
    r0 = ((n1 - n2) / (n1 + n2)) ** 2
    r_perp = np.where(np.isfinite(r_perp), r_perp, r0)
    r_par = np.where(np.isfinite(r_par), r_par, r0)
    return 1.0 - 0.5 * (r_perp + r_par), theta2


def iam_physical(aoi, n=1.526, K=4.0, L=0.002, n_ar=None):
    """Incidence-angle modifier of a glass cover [-], normalised to normal
    incidence (De Soto et al. 2006, eq. 14-16; Duffie & Beckman ch. 5.3).

    Fresnel reflection at the air-glass interface (optionally through an
    anti-reflective layer of index ``n_ar``, with internal reflections between
    the two interfaces) and Bouguer absorption ``exp(-K L / cos θr)``. Agrees
    with ``pvlib.iam.physical``.

    Parameters
    ----------
    aoi : array-like, angle of incidence [deg]; ≥ 90° gives 0
    n : float, refractive index of the glass [-]
    K : float, glazing extinction coefficient [1/m]
    L : float, glazing thickness [m]
    n_ar : float, optional, refractive index of an anti-reflective coating
    """
    aoi = np.asarray(aoi, dtype=float)
    theta = np.radians(np.minimum(np.abs(aoi), 90.0))
    cos1 = np.cos(theta)
    n1 = 1.0
    n2 = n if n_ar is None else n_ar
    sin2 = n1 / n2 * np.sin(theta)
    cos2 = np.sqrt(1.0 - sin2**2)

    def _rho(na, nb, ca, cb):
        s = ((na * ca - nb * cb) / (na * ca + nb * cb)) ** 2
        p = ((na * cb - nb * ca) / (na * cb + nb * ca)) ** 2
        return s, p

    with np.errstate(divide="ignore", invalid="ignore"):
        rs, rp = _rho(n1, n2, cos1, cos2)
        r0 = ((n1 - n2) / (n1 + n2)) ** 2
        tau_s, tau_p, tau_0 = 1 - rs, 1 - rp, 1 - r0
        cos_glass = cos2
        if n_ar is not None:
            sin3 = n2 / n * sin2
            cos3 = np.sqrt(1.0 - sin3**2)
            rs2, rp2 = _rho(n2, n, cos2, cos3)
            r02 = ((n2 - n) / (n2 + n)) ** 2
            tau_s = tau_s * (1 - rs2) / (1 - rs2 * rs)
            tau_p = tau_p * (1 - rp2) / (1 - rp2 * rp)
            tau_0 = tau_0 * (1 - r02) / (1 - r02 * r0)
            cos_glass = cos3
        absorb = np.exp(-K * L / cos_glass)
        out = (tau_s + tau_p) / 2 * absorb / (tau_0 * np.exp(-K * L))
    return np.where(aoi >= 90.0, 0.0, out)


# Glass and coating of PVWatts v7/v8 modules (NREL SSC lib_pv_incidence_modifier).
_N_GLASS, _K_GLASS, _L_GLASS = 1.526, 4.0, 0.002
_N_ARC, _K_ARC, _L_ARC = 1.3, 4.0, 0.002 * 0.01


def _cover_transmittance(theta_deg, ar_glass, glass_from_air=False):
    """Cover transmittance at incidence ``theta_deg``: Fresnel + Bouguer per
    layer (De Soto et al. 2006, eq. 14); an AR layer is a thin film in series
    with the glass, without internal reflections. ``glass_from_air`` treats
    the glass interface as air-glass even under the coating — the
    normalisation PVWatts v8 (NREL SSC) uses."""
    theta = np.radians(theta_deg)
    tau = 1.0
    n_in = 1.0
    if ar_glass:
        t_arc, theta = _fresnel_interface(theta, 1.0, _N_ARC)
        tau = t_arc * np.exp(-_K_ARC * _L_ARC / np.cos(theta))
        n_in = 1.0 if glass_from_air else _N_ARC
    t_gl, theta2 = _fresnel_interface(theta, n_in, _N_GLASS)
    return tau * t_gl * np.exp(-_K_GLASS * _L_GLASS / np.cos(theta2))


_BEAM_TABLES: dict[bool, tuple[np.ndarray, np.ndarray]] = {}


def _beam_transmittance_table(ar_glass: bool) -> tuple[np.ndarray, np.ndarray]:
    if ar_glass not in _BEAM_TABLES:
        grid = np.linspace(1.0, 89.0, 17601)
        _BEAM_TABLES[ar_glass] = (grid, _cover_transmittance(grid, ar_glass))
    return _BEAM_TABLES[ar_glass]


def diffuse_incidence_angles(surface_tilt):
    """Effective incidence angles [deg] of sky- and ground-diffuse radiation on a plane
    tilted by ``surface_tilt`` [deg]: ``θ_sky = 59.7 − 0.1388β + 0.001497β²`` and
    ``θ_gnd = 90 − 0.5788β + 0.002693β²`` (Brandemuehl & Beckman 1980; Duffie &
    Beckman, Solar Engineering of Thermal Processes, eq. 5.4.1-5.4.2)."""
    beta = np.asarray(surface_tilt, dtype=float)
    return 59.7 - 0.1388 * beta + 0.001497 * beta**2, 90.0 - 0.5788 * beta + 0.002693 * beta**2


def cover_transmittance_desoto(aoi, surface_tilt, poa_direct, poa_sky_diffuse, poa_ground_diffuse,
                               ar_glass=True):
    """Irradiance transmitted through the module cover [W/m²].

    Beam at its incidence angle (limited to 1-89°); sky and ground diffuse at
    the equivalent angles of :func:`diffuse_incidence_angles`,
    each relative to (near-)normal incidence and capped at 1 (De Soto, Klein &
    Beckman 2006, Solar Energy 80(1), 78-88). With ``ar_glass`` this follows
    PVWatts v8 literally: beam and the 1° normalisation pass the coating,
    diffuse parts see plain glass, and the normalisation's glass interface
    is taken from air — so AR glass gains ≈ 1.7 % on diffuse light.
    """
    theta = np.clip(aoi, 1.0, 89.0)
    tau_norm = _cover_transmittance(1.0, ar_glass, glass_from_air=True)
    # the beam factor depends on the angle alone: a 0.005° table, interpolated
    # linearly (error < 1e-7), is ~30× faster than the Fresnel equations per record
    grid, table = _beam_transmittance_table(bool(ar_glass))
    pos = (theta - grid[0]) / (grid[1] - grid[0])
    idx = np.minimum(pos.astype(np.intp), table.size - 2)
    w = pos - idx
    k_beam = np.minimum((np.take(table, idx) * (1 - w) + np.take(table, idx + 1) * w) / tau_norm, 1.0)
    theta_sky, theta_gnd = diffuse_incidence_angles(surface_tilt)
    k_sky = np.minimum(_cover_transmittance(theta_sky, False) / tau_norm, 1.0)
    k_gnd = np.minimum(_cover_transmittance(theta_gnd, False) / tau_norm, 1.0)
    return np.maximum(poa_direct * k_beam + poa_sky_diffuse * k_sky + poa_ground_diffuse * k_gnd, 0.0)


#: Air-mass modifier polynomial for polycrystalline silicon (De Soto et al.
#: 2006, table A1), used by PVWatts v7/v8 for every module type.
AM_DESOTO = (0.918093, 0.086257, -0.024459, 0.002816, -0.000126)


def air_mass_modifier(solar_zenith, altitude=0.0, coefficients=AM_DESOTO):
    """Spectral (air-mass) modifier [-] of the CEC module model.

    Air mass by Kasten & Young (1989) from the zenith limited to 0-86°,
    scaled by ``exp(-0.0001184 · altitude)`` (King et al. 2004, SAPM), then
    ``M = Σ a_i AM^i`` ≥ 0 (De Soto et al. 2006, eq. 19).
    """
    z = np.clip(solar_zenith, 0.0, 86.0)
    am = 1.0 / (_cosd(z) + 0.5057 * (96.080 - z) ** -1.634)
    am = am * np.exp(-0.0001184 * altitude)
    a0, a1, a2, a3, a4 = coefficients
    return np.maximum(a0 + am * (a1 + am * (a2 + am * (a3 + am * a4))), 0.0)


# --------------------------------------------------------------------------- cell temperature

#: Sandia (SAPM) temperature parameters a, b [s/m], ΔT [°C] (King et al. 2004,
#: SAND2004-3535, table 1), keyed like ``pvlib.temperature.TEMPERATURE_MODEL_PARAMETERS``.
SAPM_TEMPERATURE = {
    "open_rack_glass_glass": (-3.47, -0.0594, 3.0),
    "close_mount_glass_glass": (-2.98, -0.0471, 1.0),
    "open_rack_glass_polymer": (-3.56, -0.0750, 3.0),
    "insulated_back_glass_polymer": (-2.81, -0.0455, 0.0),
}


def sapm_cell(poa_global, temp_air, wind_speed, a, b, deltaT, irrad_ref=1000.0):
    """Cell temperature [°C], Sandia array performance model (King et al. 2004,
    eq. 11-12): ``T_m = E e^(a + b·WS) + T_a``; ``T_c = T_m + E/E0 ΔT``."""
    t_mod = poa_global * np.exp(a + b * np.asarray(wind_speed)) + temp_air
    return t_mod + poa_global / irrad_ref * deltaT


def noct_sam(effective_irradiance, temp_air, wind_speed, noct, module_efficiency,
             transmittance_absorptance=0.9, wind_factor=0.51):
    """Cell temperature [°C], the NOCT model of SAM as PVWatts v7/v8 runs it.

    ``T_c = T_a + G/800 (NOCT − 20)(1 − η/τα) · 9.5 / (5.7 + 3.8 v)`` with
    ``v = 0.51 · WS`` (array below 22 ft), G the cover-transmitted,
    spectrally corrected irradiance [W/m²] (Gilman et al. 2018, SAM Photovoltaic
    Model Technical Reference Update, NREL/TP-6A20-67399, eq. 10.37).
    """
    v = np.maximum(np.asarray(wind_speed, dtype=float) * wind_factor, 0.001)
    rise = effective_irradiance / 800.0 * (noct - 20.0) * (1.0 - module_efficiency / transmittance_absorptance)
    return temp_air + np.where(effective_irradiance > 0, rise * 9.5 / (5.7 + 3.8 * v), 0.0)


def _fuentes_hconv(tave, windmod, temp_delta, xlen, tilt, turbulent):
    # Fuentes (1987) eq. 18-21: forced (laminar/turbulent) and free convection
    densair = 0.003484 * 101325.0 / tave
    visair = 0.24237e-6 * tave**0.76 / densair
    condair = 2.1695e-4 * tave**0.84
    reynold = windmod * xlen / visair
    laminar = 0.8600 / reynold**0.5 * densair * windmod * 1007 / 0.71**0.67
    if turbulent:
        hforce = np.where(
            reynold > 1.2e5, 0.0282 / reynold**0.2 * densair * windmod * 1007 / 0.71**0.4, laminar
        )
    else:
        hforce = laminar
    grashof = 9.8 / tave * temp_delta * xlen**3 / visair**2 * _sind(tilt)
    hfree = 0.21 * (grashof * 0.71) ** 0.32 * condair / xlen
    return (hfree**3 + hforce**3) ** (1.0 / 3.0)


def _fuentes_constants(noct_installed, surface_tilt, emissivity, absorption, xlen):
    """NOCT-derived ratios of Fuentes (1987) eq. 25-27 and the heat capacity."""
    boltz = 5.669e-8
    tinoct = noct_installed + 273.15
    hconv0 = _fuentes_hconv((tinoct + 293.15) / 2, 1.0, tinoct - 293.15, xlen, surface_tilt, False)
    hground0 = emissivity * boltz * (tinoct**2 + 293.15**2) * (tinoct + 293.15)
    backrat = (
        absorption * 800.0 - emissivity * boltz * (tinoct**4 - 282.21**4) - hconv0 * (tinoct - 293.15)
    ) / ((hground0 + hconv0) * (tinoct - 293.15))
    tground0 = np.clip((tinoct**4 - backrat * (tinoct**4 - 293.15**4)) ** 0.25, 293.15, tinoct)
    tgrat = (tground0 - 293.15) / (tinoct - 293.15)
    convrat = (absorption * 800 - emissivity * boltz * (2 * tinoct**4 - 282.21**4 - tground0**4)) / (
        hconv0 * (tinoct - 293.15)
    )
    # a high INOCT means coupling to the roof: more thermal mass (eq. 26)
    cap = 11000.0 * (1 + (tinoct - 321.15) / 12 if tinoct > 321.15 else 1.0)
    return tgrat, convrat, cap


def _fuentes_solve(sun, sun0, tamb, wind_speed, tprev_of, tprev_default, *, noct_installed,
                   module_height, wind_height, emissivity, absorption, surface_tilt, xlen,
                   timestep_hours, iterations):
    """Jacobi sweeps of Fuentes eq. 7 over all steps at once. ``tprev_of``
    indexes each step's predecessor in the arrays (−1: not among them; then
    ``tprev_default`` [K] is used)."""
    boltz = 5.669e-8
    tgrat, convrat, cap = _fuentes_constants(noct_installed, surface_tilt, emissivity, absorption, xlen)
    tsky = 0.68 * (0.0552 * tamb**1.5) + 0.32 * tamb  # eq. 24
    windmod = wind_speed * (module_height / wind_height) ** 0.2 + 1e-4  # eq. 22
    shape = np.broadcast_shapes(np.shape(sun), np.shape(tamb))
    tmod = np.broadcast_to(tamb, shape).copy()
    dsun = sun - sun0
    has_prev = tprev_of >= 0
    for _ in range(iterations):
        tprev = np.where(has_prev, tmod[..., np.maximum(tprev_of, 0)], tprev_default)
        hconv = convrat * _fuentes_hconv((tmod + tamb) / 2, windmod, np.abs(tmod - tamb), xlen,
                                         surface_tilt, True)
        hsky = emissivity * boltz * (tmod**2 + tsky**2) * (tmod + tsky)  # eq. 3
        tground = tamb + tgrat * (tmod - tamb)
        hground = emissivity * boltz * (tmod**2 + tground**2) * (tmod + tground)  # eq. 4
        htot = hconv + hsky + hground
        eigen = -htot / cap * timestep_hours * 3600  # eq. 8
        ex = np.where(eigen > -10, np.exp(np.maximum(eigen, -10)), 0.0)
        tmod = tprev * ex + (
            (1 - ex) * (hconv * tamb + hsky * tsky + hground * tground + sun0 + dsun / eigen) + dsun
        ) / htot
    return tmod


def fuentes(poa_global, temp_air, wind_speed, noct_installed, module_height=5.0,
            wind_height=9.144, emissivity=0.84, absorption=0.83, surface_tilt=30.0,
            module_width=0.31579, module_length=1.2, timestep_hours=1.0, iterations=6):
    """Cell temperature [°C], Fuentes (1987) transient model as PVWatts v5 uses it.

    Heat balance of the module with free/forced convection, sky and ground
    radiation and a first-order thermal lag (Fuentes, M.K. 1987, A simplified
    thermal model for flat-plate photovoltaic arrays, SAND85-0330, eq. 3-27;
    Dobos 2014, PVWatts Version 5 Manual, NREL/TP-6A20-62641). Mounting enters
    through the installed NOCT: 45 °C open rack, 49 °C roof mount.

    The paper solves hour by hour with 10 inner iterations; here all hours are
    iterated together (each sweep uses the previous sweep's temperatures, also
    for the preceding hour). Because the lag factor is ≈ e^-8 for hourly
    steps, both converge to the same temperatures (6 sweeps: < 0.001 K).

    Parameters
    ----------
    poa_global, temp_air, wind_speed : array-like, consecutive time steps
        Plane-of-array irradiance [W/m²], air temperature [°C], wind [m/s].
    noct_installed : float, installed nominal operating cell temperature [°C]
    timestep_hours : float, spacing of the time steps [h]
    Other parameters as ``pvlib.temperature.fuentes`` (same defaults; lengths
    in m, wind and module heights in m).
    """
    sun = np.asarray(poa_global, dtype=float) * absorption
    sun0 = np.concatenate([np.zeros((*sun.shape[:-1], 1)), sun[..., :-1]], axis=-1)
    n = sun.shape[-1]
    tmod = _fuentes_solve(
        sun, sun0, np.asarray(temp_air, dtype=float) + 273.15, np.asarray(wind_speed, dtype=float),
        np.arange(-1, n - 1), 293.15, noct_installed=noct_installed, module_height=module_height,
        wind_height=wind_height, emissivity=emissivity, absorption=absorption,
        surface_tilt=surface_tilt, xlen=2 * module_width * module_length / (module_width + module_length),
        timestep_hours=timestep_hours, iterations=iterations,
    )
    return tmod - 273.15


# --------------------------------------------------------------------------- DC and AC models


def pvwatts_dc(effective_irradiance, temp_cell, pdc0, gamma_pdc, temp_ref=25.0):
    """DC power [W], PVWatts linear model (Dobos 2014, NREL/TP-6A20-62641, eq. 5):
    ``P = G_eff/1000 · P_dc0 · (1 + γ (T_cell − T_ref))``, γ in 1/°C."""
    return effective_irradiance * 0.001 * pdc0 * (1.0 + gamma_pdc * (temp_cell - temp_ref))


@dataclass(frozen=True)
class CECModule:
    """Reference parameters of the De Soto/CEC single-diode model.

    ``a_ref`` modified ideality factor [V], ``I_L_ref`` light current [A],
    ``I_o_ref`` saturation current [A], ``R_s``/``R_sh_ref`` [Ω], ``Adjust``
    [%], ``alpha_sc`` [A/K], ``V_mp_ref``/``I_mp_ref`` [V, A], ``area`` [m²].
    """

    a_ref: float
    I_L_ref: float
    I_o_ref: float
    R_s: float
    R_sh_ref: float
    Adjust: float
    alpha_sc: float
    V_mp_ref: float
    I_mp_ref: float
    area: float

    @property
    def efficiency(self) -> float:
        """Reference efficiency ``V_mp I_mp / (1000 W/m² · area)`` [-]."""
        return self.V_mp_ref * self.I_mp_ref / (1000.0 * self.area)


_K_BOLTZ_EV = 8.618e-5  # eV/K, as NREL SSC lib_cec6par
_EG_REF = 1.12  # eV
_T_REF = 298.15  # K


def calcparams_cec(effective_irradiance, temp_cell, module: CECModule):
    """Single-diode parameters at operating conditions (De Soto, Klein &
    Beckman 2006, Solar Energy 80(1), eq. 3-9; CEC ``Adjust`` on α_sc,
    Dobos 2012 J. Sol. Energy Eng. 134(2)).

    Returns ``I_L, I_0, R_s, R_sh, nNsVth`` (A, A, Ω, Ω, V).
    """
    g = np.asarray(effective_irradiance, dtype=float)
    tk = np.asarray(temp_cell, dtype=float) + 273.15
    il = np.maximum(g / 1000.0 * (module.I_L_ref + module.alpha_sc * (1 - module.Adjust / 100) * (tk - _T_REF)), 0.0)
    eg = _EG_REF * (1 - 0.0002677 * (tk - _T_REF))
    io = module.I_o_ref * (tk / _T_REF) ** 3 * np.exp((_EG_REF / _T_REF - eg / tk) / _K_BOLTZ_EV)
    with np.errstate(divide="ignore"):
        rsh = module.R_sh_ref * 1000.0 / g
    return il, io, module.R_s, rsh, module.a_ref * tk / _T_REF


def max_power_point(photocurrent, saturation_current, resistance_series, resistance_shunt, nNsVth,
                    iterations=3):
    """Maximum power [W] of the single-diode equation
    ``I = I_L − I_0 (exp((V + I R_s)/a) − 1) − (V + I R_s)/R_sh``.

    Written in the diode voltage ``V_d = V + I R_s`` (Bishop 1988, Solar Cells
    25, 73-89), current and voltage are explicit. The open-circuit voltage
    comes from Newton's method started at the ideal-diode bound; the maximum
    power point from Newton's method on ``dP/dV_d = 0`` started at the ideal
XX
    ≈ 1e-11 relative accuracy). Returns ``(p_mp, v_mp, i_mp, v_oc)``.
    """
    il, io, rs, rsh, a = np.broadcast_arrays(
        *(np.asarray(x, dtype=float) for x in (photocurrent, saturation_current, resistance_series,
                                                resistance_shunt, nNsVth))
    )
    ok = il > 0
    il_s = np.where(ok, il, 1.0)
    gsh = 1.0 / rsh
    inv_a = 1.0 / a
    ilo = il_s + io
    # open circuit: I = 0, so V = V_d; Newton from the ideal-diode bound converges monotonically
    voc = a * np.log(il_s / io + 1.0)
    for _ in range(iterations):
        e = io * np.exp(voc * inv_a)
        voc = voc + (ilo - e - voc * gsh) / (e * inv_a + gsh)
    vd = np.maximum(voc - a * np.log1p(voc * inv_a), 0.0)
    for _ in range(iterations):
        e = io * np.exp(vd * inv_a)
        i = ilo - e - vd * gsh
        di = -(e * inv_a + gsh)
        d2i = -e * inv_a * inv_a
        v = vd - i * rs
        dv = 1.0 - rs * di
        dp = di * v + i * dv
        d2p = d2i * (v - i * rs) + 2.0 * di * dv
        vd = np.clip(vd - dp / d2p, 0.0, voc)
    i = ilo - io * np.exp(vd * inv_a) - vd * gsh
    v = vd - i * rs
    p = np.where(ok, i * v, 0.0)
    return p, np.where(ok, v, 0.0), np.where(ok, i, 0.0), np.where(ok, voc, 0.0)


_MPP_TABLES: dict[CECModule, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
_TABLE_SQRT_G = np.linspace(1.0, np.sqrt(2000.0), 441)  # √G grid: finer at low irradiance
_TABLE_T = np.arange(-50.0, 111.0, 1.0)


def max_power_table(effective_irradiance, temp_cell, module: CECModule):
    """Module maximum power [W] interpolated bilinearly in a table over
    √G (1-2000 W/m²) × cell temperature (−50…110 °C, 1 K), built once per
    module with :func:`max_power_point` (relative error < 1e-4 in annual
    energy). Used for the many orientations of :meth:`SolarSite.yield_map`."""
    if module not in _MPP_TABLES:
        g, t = np.meshgrid(_TABLE_SQRT_G**2, _TABLE_T, indexing="ij")
        _MPP_TABLES[module] = max_power_point(*calcparams_cec(g, t, module))[0]
    table = _MPP_TABLES[module]
    g = np.asarray(effective_irradiance, dtype=float)
    u0, du = _TABLE_SQRT_G[0], _TABLE_SQRT_G[1] - _TABLE_SQRT_G[0]
    fu = (np.sqrt(np.clip(g, 1.0, 2000.0)) - u0) / du
    ft = np.clip(np.asarray(temp_cell, dtype=float), -50.0, 110.0) - _TABLE_T[0]
    i = np.minimum(fu.astype(np.intp), table.shape[0] - 2)
    j = np.minimum(ft.astype(np.intp), table.shape[1] - 2)
    wu, wt = fu - i, ft - j
    flat, nt = table.ravel(), table.shape[1]
    k = i * nt + j
    low = np.take(flat, k) * (1 - wu) + np.take(flat, k + nt) * wu
    high = np.take(flat, k + 1) * (1 - wu) + np.take(flat, k + nt + 1) * wu
    return np.where(g >= 1.0, low * (1 - wt) + high * wt, 0.0)


def pvwatts_ac(pdc, pdc0, eta_inv_nom=0.96, eta_inv_ref=0.9637):
    """AC power [W], PVWatts inverter (Dobos 2014, eq. 8-10):
    ``η = η_nom/η_ref (−0.0162 ζ − 0.0059/ζ + 0.9858)``, ``ζ = P_dc / P_dc0``,
    clipped at ``P_ac0 = η_nom P_dc0`` and at 0. ``pdc0`` is the inverter's
    DC rating [W]."""
    return np.minimum(_pvwatts_inverter_unclipped(pdc, pdc0, eta_inv_nom, eta_inv_ref), eta_inv_nom * pdc0)


def _pvwatts_inverter_unclipped(pdc, pdc0, eta_inv_nom, eta_inv_ref):
    """:func:`pvwatts_ac` before the clipping at ``P_ac0`` [W] (kept for the loss diagram)."""
    pdc = np.asarray(pdc, dtype=float)
    zeta = pdc / pdc0
    with np.errstate(divide="ignore", invalid="ignore"):
        eta = eta_inv_nom / eta_inv_ref * (-0.0162 * zeta - np.where(pdc != 0, 0.0059 / zeta, 0.0) + 0.9858)
    return np.maximum(eta * pdc, 0.0)


def sandia_linear_ac(pdc, paco, pdco, pso):
    """AC power [W], Sandia inverter model with C0-C3 = 0 (King et al. 2007,
    SAND2007-5036, eq. 1): ``P_ac = P_aco (P_dc − P_so)/(P_dco − P_so)``,
    clipped at ``P_aco`` and 0 — the inverter PVWatts v8 uses."""
    return np.minimum(_sandia_linear_unclipped(pdc, paco, pdco, pso), paco)


def _sandia_linear_unclipped(pdc, paco, pdco, pso):
    """:func:`sandia_linear_ac` before the clipping at ``P_aco`` [W] (kept for the loss diagram)."""
    return np.maximum(paco * (np.asarray(pdc, dtype=float) - pso) / (pdco - pso), 0.0)


# --------------------------------------------------------------------------- system description


class PVError(ValueError):
    """Bad PV inputs (out-of-range system parameter, unusable weather)."""


@dataclass(frozen=True)
class Losses:
    """PVWatts system losses [%], combined multiplicatively:
    ``total = 100 (1 − Π (1 − L_i/100))`` = 14.0757 % for the defaults, which are
    PVWatts' (Dobos 2014, table 2; PVWatts v8)."""

    soiling: float = 2.0
    shading: float = 3.0
    snow: float = 0.0
    mismatch: float = 2.0
    wiring: float = 2.0
    connections: float = 0.5
    light_induced_degradation: float = 1.5
    nameplate_rating: float = 1.0
    age: float = 0.0
    availability: float = 3.0

    def __post_init__(self):
        for name, value in self.items():
            if not (-5.0 <= value < 100.0) or not np.isfinite(value):
                raise PVError(f"loss {name!r} must be between -5 and 100 %, got {value}")

    def items(self) -> list[tuple[str, float]]:
        """(name, loss [%]) in PVWatts' order."""
        return [(f.name, float(getattr(self, f.name))) for f in dataclasses.fields(self)]

    @property
    def total(self) -> float:
        """Combined loss [%]."""
        return 100.0 * (1.0 - float(np.prod([1.0 - v / 100.0 for _, v in self.items()])))

    @classmethod
    def from_total(cls, percent: float) -> Losses:
        """Itemised losses that combine to ``percent`` (PVWatts' single
        ``losses`` input): the default items' survival factors are scaled in
        log space, so their proportions are kept."""
        if not (-5.0 <= percent < 100.0):
            raise PVError(f"losses must be between -5 and 100 %, got {percent}")
        base = cls()
        if percent == 0:
            return cls(**{k: 0.0 for k in DEFAULT_LOSSES})
        # scale the default items' log-survival so that they combine to `percent`
        logs = {k: np.log1p(-v / 100.0) for k, v in base.items()}
        factor = np.log1p(-percent / 100.0) / sum(logs.values())
        return cls(**{k: float(-100.0 * np.expm1(lv * factor)) for k, lv in logs.items()})


#: PVWatts' default system losses [%] by name (the defaults of :class:`Losses`).
DEFAULT_LOSSES = dict(Losses().items())


@dataclass(frozen=True)
class ModuleType:
    """A PVWatts module class: temperature coefficient, cover and the
    representative CEC module PVWatts v8 simulates for it."""

    name: str
    gamma_pdc: float  # 1/°C
    ar_glass: bool
    cec: CECModule
    stc_efficiency: float = 0.19  # nominal efficiency PVWatts sizes its array geometry with


#: PVWatts v8 module classes (NREL SSC cmod_pvwattsv8: temperature coefficients
#: −0.37/−0.35/−0.32 %/°C; CEC parameters of the Canadian Solar CS1H-320MS,
#: SunPower SPR-E20-327 and First Solar FS-6435A as fitted by SAM 2020.2.29).
MODULE_TYPES = {
    "standard": ModuleType("standard", -0.0037, True, CECModule(
        a_ref=1.65916, I_L_ref=9.51393, I_o_ref=4.37813e-11, R_s=0.269953, R_sh_ref=654.059,
        Adjust=5.79586, alpha_sc=0.004755, V_mp_ref=35.8, I_mp_ref=9.01, area=1.6864), 0.19),
    "premium": ModuleType("premium", -0.0035, True, CECModule(
        a_ref=2.45326, I_L_ref=6.4704, I_o_ref=2.01784e-11, R_s=0.421231, R_sh_ref=261.723,
        Adjust=9.56482, alpha_sc=0.0026, V_mp_ref=54.7, I_mp_ref=5.98, area=1.6297), 0.21),
    "thin_film": ModuleType("thin_film", -0.0032, True, CECModule(
        a_ref=7.97293, I_L_ref=2.55475, I_o_ref=2.69243e-12, R_s=4.60991, R_sh_ref=2476.95,
        Adjust=-2.49865, alpha_sc=0.00102, V_mp_ref=183.6, I_mp_ref=2.37, area=2.4751), 0.18),
}

#: Fixed array types: installed NOCT for the Fuentes and NOCT models [°C]
#: (PVWatts: 45 open rack, 49 roof mount) and the matching SAPM preset.
ARRAY_TYPES = {
    "open_rack": {"noct": 45.0, "sapm": "open_rack_glass_polymer"},
    "roof_mount": {"noct": 49.0, "sapm": "close_mount_glass_glass"},
}

MODELS = ("pvwatts_v8", "pvwatts")
TEMPERATURE_MODELS = ("noct_sam", "fuentes", "sapm")


@dataclass(frozen=True)
class SystemConfig:
    """A fixed PV array, PVWatts-style.

    Parameters
    ----------
    kwp : DC nameplate [kW].
    surface_tilt : tilt from horizontal [deg], 0-90.
    surface_azimuth : azimuth the modules face [deg], clockwise from north, 0-360.
    module_type : ``standard``, ``premium`` or ``thin_film``.
    array_type : ``open_rack`` or ``roof_mount``.
    losses : :class:`Losses` (itemised) or a number (total %).
    dc_ac_ratio : DC nameplate / AC nameplate [-].
    inv_eff : inverter efficiency at rated power [%].
    albedo : ground reflectance [-].
    sky_model : ``perez`` (1990 coefficients), ``haydavies`` or ``isotropic``.
    model : ``pvwatts_v8`` (default) — PVWatts v8 as NREL SSC implements it:
        De Soto cover transmittance on beam, sky and ground diffuse, air-mass
        modifier, SAM's NOCT cell temperature, the CEC single-diode model of
        the module class, linear Sandia inverter; or ``pvwatts`` — the
        PVWatts v5 chain as pvlib implements it: physical IAM on beam,
        Fuentes cell temperature, linear DC with ``gamma_pdc``, PVWatts
        inverter curve (η_nom, η_ref = 0.9637).
    temperature_model : ``noct_sam``, ``fuentes`` or ``sapm``; default per model.
    gcr : ground coverage ratio (module row width / row pitch) [-], 0.01-0.99;
        the ``pvwatts_v8`` model shades open-rack rows by their neighbours as
        PVWatts v8 does (:func:`row_self_shading`; PVWatts' default 0.4).
    """

    kwp: float = 4.0
    surface_tilt: float = 20.0
    surface_azimuth: float = 180.0
    module_type: str = "standard"
    array_type: str = "open_rack"
    losses: Losses | float = Losses()
    dc_ac_ratio: float = 1.2
    inv_eff: float = 96.0
    albedo: float = 0.2
    sky_model: str = "perez"
    model: str = "pvwatts_v8"
    temperature_model: str | None = None
    gcr: float = 0.4

    def __post_init__(self):
        def check(name, value, lo, hi, lo_open=False):
            try:
                v = float(value)
            except (TypeError, ValueError):
                raise PVError(f"{name} must be a number, got {value!r}") from None
            if not np.isfinite(v) or v < lo or v > hi or (lo_open and v <= lo):
                bound = f"greater than {lo:g}" if lo_open and hi == np.inf else f"between {lo:g} and {hi:g}"
                raise PVError(f"{name} must be {bound}, got {value!r}")

        check("kwp", self.kwp, 0.0, np.inf, lo_open=True)
        check("surface_tilt", self.surface_tilt, 0.0, 90.0)
        check("surface_azimuth", self.surface_azimuth, 0.0, 360.0)
        check("dc_ac_ratio", self.dc_ac_ratio, 0.0, np.inf, lo_open=True)
        check("inv_eff", self.inv_eff, 90.0, 99.5)
        check("albedo", self.albedo, 0.0, 1.0)
        check("gcr", self.gcr, 0.01, 0.99)
        if self.module_type not in MODULE_TYPES:
            raise PVError(f"module_type must be one of {', '.join(MODULE_TYPES)}, got {self.module_type!r}")
        if self.array_type not in ARRAY_TYPES:
            raise PVError(f"array_type must be one of {', '.join(ARRAY_TYPES)}, got {self.array_type!r}")
        if self.model not in MODELS:
            raise PVError(f"model must be one of {', '.join(MODELS)}, got {self.model!r}")
        if self.sky_model not in ("perez", "haydavies", "isotropic"):
            raise PVError(f"sky_model must be perez, haydavies or isotropic, got {self.sky_model!r}")
        if self.temperature_model is not None and self.temperature_model not in TEMPERATURE_MODELS:
            raise PVError(
                f"temperature_model must be one of {', '.join(TEMPERATURE_MODELS)}, got {self.temperature_model!r}"
            )
        if not isinstance(self.losses, Losses):
            object.__setattr__(self, "losses", Losses.from_total(float(self.losses)))

    @property
    def loss_percent(self) -> float:
        return self.losses.total

    @property
    def cell_temperature_model(self) -> str:
        if self.temperature_model:
            return self.temperature_model
        return "noct_sam" if self.model == "pvwatts_v8" else "fuentes"

    @property
    def ac_kw(self) -> float:
        """AC nameplate [kW] = kWp / DC-AC ratio."""
        return self.kwp / self.dc_ac_ratio

    def replace(self, **changes) -> SystemConfig:
        """A copy with some fields changed (validated again)."""
        return dataclasses.replace(self, **changes)


# --------------------------------------------------------------------------- row-to-row shading


@dataclass(frozen=True)
class RowGeometry:
    """The array layout PVWatts v8 assumes for self-shading [m]: ``side`` is
    the slant height of a row (two modules in portrait), ``pitch`` the row
    spacing (``side / gcr``), ``row_length`` its length, ``nrows`` the number
    of rows; ``strings_across`` is true when a row holds more than one
    7-module string side by side (then the shadow's lateral offset is ignored)."""

    side: float
    pitch: float
    row_length: float
    nrows: int
    strings_across: bool


def pvwatts_row_geometry(kwp: float, module_type: str, gcr: float) -> RowGeometry:
    """PVWatts v8's assumed layout (NREL SSC cmod_pvwattsv8): 300 W modules of
    the class's nominal efficiency, aspect ratio 1.7, two up in portrait, a
    square field of ``ceil(sqrt(n/2))`` rows, strings of 7 modules."""
    eff = MODULE_TYPES[module_type].stc_efficiency
    area = 300.0 / eff / 1000.0
    width = float(np.sqrt(area / 1.7))
    length = width * 1.7
    nmodules = max(np.ceil(kwp * 1000.0 / 300.0), 1.0)
    nrows = int(np.ceil(np.sqrt(nmodules / 2)))
    nmodx = max(int(np.ceil(nmodules / (nrows * 2))), 1)
    side = length * 2
    return RowGeometry(side=side, pitch=side / gcr, row_length=nmodx * width, nrows=nrows,
                       strings_across=int(nmodx / 7) > 1)


def sky_view_derate(surface_tilt, gcr, n_steps: int = 250):
    """Fraction of the isotropic sky a module row still sees with the row in
    front, averaged up the row [-] (NREL SSC lib_pvshade ``sssky_diffuse_table``;
    Gilman et al. 2018, SAM Photovoltaic Model Technical Reference Update,
    NREL/TP-6A20-67399, ch. 8)."""
    beta = np.radians(np.asarray(surface_tilt, dtype=float))[..., None]
    x = 1.0 - np.arange(n_steps) / n_steps  # position up the row, from the top
    with np.errstate(divide="ignore", invalid="ignore"):
        arg = 1.0 / np.tan(beta) - 1.0 / (gcr * np.sin(beta) * x)
        gamma = -np.pi / 2 + np.arctan(arg)
        a_sky = np.pi + np.pi / np.sqrt(1 + np.tan(beta) ** 2)
        a_shade = np.pi + np.pi / np.sqrt(1 + np.tan(beta + gamma) ** 2)
    a_shade = np.where(np.isnan(a_shade), a_sky, np.where(beta + gamma > np.pi / 2, 2 * np.pi - a_shade, a_shade))
    return np.minimum((a_shade / a_sky).sum(axis=-1) / n_steps, 1.0)


def row_self_shading(surface_tilt, surface_azimuth, solar_zenith, solar_azimuth, dni, dhi,
                     poa_sky_diffuse, poa_ground_diffuse, albedo, geometry: RowGeometry):
    """Linear row-to-row self-shading of fixed open-rack arrays as PVWatts v8 applies it.

    Returns ``(beam_shaded_fraction, sky_factor, ground_factor)``:

    * shadow of the row in front from Appelbaum & Bany (1979), Solar Energy
      23(6), eq. 11-12, A12-A15 — height ``Hs = A (1 − R/p_y)`` and lateral
      offset ``g = R p_x/p_y`` on a row of slant height A and pitch R; the
      beam is reduced by the shaded area ``Hs (L − g) / (A L)``;
    * sky diffuse times :func:`sky_view_derate` (isotropic view factor);
    * ground-reflected light from the ground between rows, partly shaded
      (Deline et al. 2013, A simplified model of uniform shading in large
      photovoltaic arrays, Solar Energy 96, 274-282; SSC ``diffuse_reduce``).
    Diffuse factors are 1 below 0.1 W/m² of diffuse on the plane. Angles
    in degrees; irradiance in W/m². As in SSC, the azimuth difference is not
    wrapped, and arrays with zero tilt are never shaded.
    """
    g = geometry
    tilt = np.asarray(surface_tilt, dtype=float)
    azimuth = np.asarray(surface_azimuth, dtype=float)
    zen = np.asarray(solar_zenith, dtype=float)
    sun_az = np.asarray(solar_azimuth, dtype=float)
    az_eff = sun_az - azimuth
    lit = (zen < 90.0) & (tilt != 0) & (np.abs(az_eff) < 90.0)
    # trigonometry on the small arrays only (sun: per record, plane: per orientation),
    # combined with angle-sum identities: the grid of orientations costs products only
    cos_t, sin_t = _cosd(tilt), _sind(tilt)
    cos_z, sin_z = _cosd(zen), _sind(zen)
    cos_sa, sin_sa = _cosd(sun_az), _sind(sun_az)
    cos_a, sin_a = _cosd(azimuth), _sind(azimuth)
    cos_eff = cos_sa * cos_a + sin_sa * sin_a
    sin_eff = sin_sa * cos_a - cos_sa * sin_a
    with np.errstate(divide="ignore", invalid="ignore"):
        cot_alt = sin_z / cos_z  # 1 / tan(90° − Z)
        py = np.where(lit, g.side * (cos_t + cos_eff * sin_t * cot_alt), 0.0)
        px = np.where(lit, g.side * sin_t * sin_eff * cot_alt, 0.0)
        offset = np.where(py != 0, g.pitch * px / py, 0.0)
        height = np.where(py != 0, g.side * (1.0 - g.pitch / py), 0.0)
    offset = np.clip(offset, 0.0, g.row_length)
    if g.strings_across:
        offset = np.zeros_like(offset)
    height = np.clip(height, 0.0, g.side)
    beam_fraction = height * (g.row_length - offset) / (g.side * g.row_length)

    diffuse_on_plane = poa_sky_diffuse + poa_ground_diffuse
    weak = diffuse_on_plane < 0.1
    sky_factor = np.where(weak, 1.0, sky_view_derate(tilt, g.side / g.pitch))
    # ground between rows (B = 1, R = 1/gcr in row units); sin(alt) = cos Z
    b, r = 1.0, g.pitch / g.side
    gbh = dni * cos_z
    f1 = albedo * (1.0 - cos_t) * 0.5  # ρ sin²(β/2)
    with np.errstate(divide="ignore", invalid="ignore"):
        # sin(180° − alt − β) = sin(alt + β); fmax, as C's fmax: NaN gives the floor value
        y1 = np.fmax(r - b * (cos_z * cos_t + sin_z * sin_t) / cos_z, 0.00001)
    f2 = 0.5 * albedo * (1.0 + y1 / b - np.sqrt(y1**2 / b**2 + 2 * y1 / b * cos_t + 1.0))
    f3 = 0.5 * albedo * (1.0 + r / b - np.sqrt(r**2 / b**2 + 2 * r / b * cos_t + 1.0))
    n = g.nrows
    gr1 = f1 * (gbh + dhi)
    reduced = (f1 + (n - 1) * f2) / n * gbh + (f1 + (n - 1) * f3) / n * dhi
    with np.errstate(divide="ignore", invalid="ignore"):
        ground_factor = np.where(weak | ~(gr1 > 0), 1.0, reduced / gr1)
    return beam_fraction, sky_factor, ground_factor


# --------------------------------------------------------------------------- the simulation


def _check_weather(weather) -> None:
    data = weather.data
    where = getattr(weather.location, "city", "") or "weather"
    for col in ("ghi", "dni", "dhi"):
        if col not in data:
            raise PVError(f"{where}: no {col.upper()} column in the weather data")
        bad = ~np.isfinite(data[col].to_numpy(dtype=float))
        if bad.any():
            first = data.index[np.argmax(bad)]
            raise PVError(
                f"{where}: {col.upper()} is missing in {int(bad.sum())} of {len(data)} records "
                f"(first at {first:%Y-%m-%d %H:%M}); PV yield needs complete irradiance"
            )
        if (data[col].to_numpy() < 0).any():
            raise PVError(f"{where}: negative {col.upper()} values")


def _fill_gaps(values: np.ndarray, default: float) -> np.ndarray:
    """Linear interpolation over NaN (as NREL SSC fills missing weather fields)."""
    v = np.asarray(values, dtype=float)
    bad = ~np.isfinite(v)
    if not bad.any():
        return v
    if bad.all():
        return np.full_like(v, default)
    idx = np.arange(len(v))
    return np.interp(idx, idx[~bad], v[~bad])


class SolarSite:
    """Everything of a PV simulation that depends only on place and weather.

    Built once per weather file (solar position — the expensive part —,
    extraterrestrial irradiance, air mass, Perez sky brightness, spectral
    modifier, which records have the sun up); :meth:`simulate` then costs only
    the plane-of-array and module/inverter steps, so changing tilt, azimuth or
    any system parameter reruns in milliseconds.

    Parameters
    ----------
    weather : climatevis.epw.Weather
        Hourly or sub-hourly data with ``ghi, dni, dhi, temp_air, wind_speed``.
    times : pandas.DatetimeIndex, optional
        Instants of the sun position; default :func:`weather_times` (middle
        of each interval, PVWatts' convention).
    """

    def __init__(self, weather, times: pd.DatetimeIndex | None = None):
        _check_weather(weather)
        loc = weather.location
        data = weather.data
        self.weather = weather
        self.index = data.index
        self.records_per_hour = int(getattr(weather, "records_per_hour", 1) or 1)
        self.hours_per_record = 1.0 / self.records_per_hour
        self.latitude, self.longitude = float(loc.latitude), float(loc.longitude)
        self.altitude = float(loc.elevation or 0.0)
        self.times = weather_times(weather) if times is None else pd.DatetimeIndex(times)
        n = len(data)
        temp_air = _fill_gaps(data["temp_air"].to_numpy(dtype=float), 20.0)
        wind = _fill_gaps(data["wind_speed"].to_numpy(dtype=float), 0.0)
        sp = solar_position(self.times, self.latitude, self.longitude, self.altitude)
        self.solar_position = sp
        # PVWatts v8 counts the sun as up from sunrise to sunset, i.e. while the
        # centre is above −0.8333° (refraction at the horizon plus the solar radius)
        up = sp["elevation"].to_numpy() > -0.8333
        rows = np.flatnonzero(up)
        self.n_records = n
        self.rows = rows
        self.month = data.index.month.to_numpy()[rows]
        zen = sp["apparent_zenith"].to_numpy()[rows]
        self.zenith = zen
        self.azimuth = sp["azimuth"].to_numpy()[rows]
        self.cos_azimuth, self.sin_azimuth = _cosd(self.azimuth), _sind(self.azimuth)
        self.cos_zenith = _cosd(zen)
        self.sin_zenith = _sind(zen)
        self.dni = data["dni"].to_numpy(dtype=float)[rows]
        self.dhi = data["dhi"].to_numpy(dtype=float)[rows]
        self.ghi = data["ghi"].to_numpy(dtype=float)[rows]
        # PVWatts v8 (DNI+DHI input mode) reflects DNI·cos Z + DHI from the ground
        self.ghi_from_components = np.maximum(self.dni * np.maximum(self.cos_zenith, 0.0), 0.0) + self.dhi
        self.dni_extra = extraterrestrial_radiation(self.times).to_numpy()[rows]
        self.airmass = relative_airmass(zen)
        self.perez_f1, self.perez_f2 = perez_brightness(self.dhi, self.dni, self.dni_extra, zen, self.airmass)
        self.am_modifier = air_mass_modifier(zen, self.altitude)
        self.temp_air = temp_air[rows]
        self.wind_speed = wind[rows]
        # Fuentes' thermal lag needs each record's predecessor
        prev = np.full(n, -1)
        prev[rows] = np.arange(len(rows))
        self._prev_in_rows = np.where(rows > 0, prev[np.maximum(rows - 1, 0)], -1)
        self._temp_air_prev = temp_air[np.maximum(rows - 1, 0)] + 273.15

    # -- one orientation or a grid of them ---------------------------------

    def _chain(self, cfg: SystemConfig, tilt, azimuth, exact: bool = True):
        """Power chain over the sun-up records. ``tilt``/``azimuth`` are
        scalars or (m, 1) arrays; every output broadcasts to (…, n_sunup)."""
        module = MODULE_TYPES[cfg.module_type]
        tilt = np.asarray(tilt, dtype=float)
        cos_t, sin_t = _cosd(tilt), _sind(tilt)
        cos_daz = self.cos_azimuth * _cosd(azimuth) + self.sin_azimuth * _sind(azimuth)  # cos(γs − γ)
        proj = np.clip(cos_t * self.cos_zenith + sin_t * self.sin_zenith * cos_daz, -1.0, 1.0)
        above = self.zenith < 90.0
        direct = np.where(above, np.maximum(self.dni * proj, 0.0), 0.0)
        if cfg.sky_model == "perez":
            sky = _perez_sky(self.dhi, self.perez_f1, self.perez_f2, proj, self.cos_zenith, cos_t, sin_t)
        elif cfg.sky_model == "haydavies":
            sky = _haydavies_sky(self.dhi, self.dni / self.dni_extra, proj, self.cos_zenith, cos_t)
        else:
            sky = isotropic(tilt, self.dhi)
        ghi = self.ghi_from_components if cfg.model == "pvwatts_v8" else self.ghi
        ground = ground_diffuse(tilt, ghi, cfg.albedo)
        sky = np.broadcast_to(sky, direct.shape)
        ground = np.broadcast_to(ground, direct.shape)
        poa_unshaded = direct + sky + ground
        if cfg.model == "pvwatts_v8" and cfg.array_type == "open_rack":
            geometry = pvwatts_row_geometry(cfg.kwp, cfg.module_type, cfg.gcr)
            beam_frac, f_sky, f_ground = row_self_shading(
                tilt, azimuth, self.zenith, self.azimuth, self.dni, self.dhi, sky, ground, cfg.albedo, geometry
            )
            direct = direct * (1.0 - beam_frac)
            sky = sky * f_sky
            ground = ground * f_ground
        poa = direct + sky + ground
        aoi_deg = np.degrees(np.arccos(proj))
        pdc0 = cfg.kwp * 1000.0
        out = {"poa_unshaded": poa_unshaded, "poa": poa, "poa_direct": direct, "poa_sky_diffuse": sky, "poa_ground_diffuse": ground, "aoi": aoi_deg}
        if cfg.model == "pvwatts_v8":
            transmitted = cover_transmittance_desoto(aoi_deg, tilt, direct, sky, ground, module.ar_glass)
            effective = transmitted * self.am_modifier
        else:
            transmitted = direct * iam_physical(aoi_deg) + sky + ground
            effective = transmitted
        out["poa_transmitted"] = transmitted
        out["effective_irradiance"] = effective
        out["temp_cell"] = t_cell = self._cell_temperature(cfg, tilt, poa, effective)
        if cfg.model == "pvwatts_v8":
            cec = module.cec
            if exact:
                il, io, rs, rsh, a = calcparams_cec(effective, t_cell, cec)
                p_module = max_power_point(np.where(effective >= 1.0, il, 0.0), io, rs, rsh, a)[0]
            else:
                p_module = max_power_table(effective, t_cell, cec)
            dc_module = p_module * pdc0 / (cec.V_mp_ref * cec.I_mp_ref)
        else:
            dc_module = np.maximum(pvwatts_dc(effective, t_cell, pdc0, module.gamma_pdc), 0.0)
        dc = dc_module * (1.0 - cfg.loss_percent / 100.0)
        paco = pdc0 / cfg.dc_ac_ratio
        eta = cfg.inv_eff / 100.0
        # the inverter before its clipping at P_aco, kept apart for the loss diagram
        if cfg.model == "pvwatts_v8":
            # PVWatts v8 picks P_so by size, comparing the nameplate in W with
            # thresholds written in kW, so every system ≥ 1 kW gets the utility value
            pso = (0.002246 if pdc0 < 10 else 0.002478 if pdc0 < 1000 else 0.004931) * paco
            unclipped = _sandia_linear_unclipped(dc, paco, paco / eta, pso)
        else:
            unclipped = _pvwatts_inverter_unclipped(dc, paco / eta, eta, 0.9637)
        out["dc_module"] = dc_module
        out["dc"] = dc
        out["ac_unclipped"] = unclipped
        out["ac"] = np.minimum(unclipped, paco)
        return out

    def _cell_temperature(self, cfg, tilt, poa, effective):
        model = cfg.cell_temperature_model
        noct = ARRAY_TYPES[cfg.array_type]["noct"]
        if model == "noct_sam":
            eff_ref = MODULE_TYPES[cfg.module_type].cec.efficiency
            return noct_sam(effective, self.temp_air, self.wind_speed, noct, eff_ref)
        if model == "sapm":
            a, b, dt = SAPM_TEMPERATURE[ARRAY_TYPES[cfg.array_type]["sapm"]]
            return sapm_cell(poa, self.temp_air, self.wind_speed, a, b, dt)
        # Fuentes over the sun-up records; a night-time predecessor (no sun,
        # lag factor ≈ e^-8) starts from the air temperature
        absorption = 0.83
        sun = poa * absorption
        prev = self._prev_in_rows
        sun0 = np.where(prev >= 0, sun[..., np.maximum(prev, 0)], 0.0)
        t = _fuentes_solve(
            sun, sun0, self.temp_air + 273.15, self.wind_speed, prev, self._temp_air_prev,
            noct_installed=noct, module_height=5.0, wind_height=9.144, emissivity=0.84,
            absorption=absorption, surface_tilt=tilt,
            xlen=2 * 0.31579 * 1.2 / (0.31579 + 1.2), timestep_hours=self.hours_per_record, iterations=6,
        )
        return t - 273.15

    # -- public -------------------------------------------------------------

    def simulate(self, system: SystemConfig | None = None, **changes) -> PVResult:
        """Hourly PV output for ``system`` (default :class:`SystemConfig`),
        optionally with fields replaced, e.g. ``site.simulate(cfg, surface_tilt=35)``."""
        cfg = system or SystemConfig()
        if changes:
            cfg = cfg.replace(**changes)
        parts = self._chain(cfg, cfg.surface_tilt, cfg.surface_azimuth)
        return PVResult(self, cfg, parts)

    def yield_map(self, system: SystemConfig | None = None, tilts=None, azimuths=None,
                  chunk: int = 48) -> pd.DataFrame:
        """Annual AC energy [kWh] for every tilt × azimuth (rows × columns).

        Defaults: tilts 0-90° every 10°, azimuths 0-345° every 15°. All
        orientations run as one vectorised batch (``chunk`` at a time); the
        ``pvwatts_v8`` module model is interpolated in a table
        (:func:`max_power_table`, ≤ 1e-4 from :meth:`simulate`).
        """
        cfg = system or SystemConfig()
        tilts = np.arange(0.0, 90.1, 10.0) if tilts is None else np.asarray(tilts, dtype=float)
        azimuths = np.arange(0.0, 360.0, 15.0) if azimuths is None else np.asarray(azimuths, dtype=float)
        tt, aa = np.meshgrid(tilts, azimuths, indexing="ij")
        flat_t, flat_a = tt.ravel(), aa.ravel()
        energy = np.empty(flat_t.size)
        for start in range(0, flat_t.size, chunk):
            sl = slice(start, start + chunk)
            ac = self._chain(cfg, flat_t[sl, None], flat_a[sl, None], exact=False)["ac"]
            energy[sl] = ac.sum(axis=-1) * self.hours_per_record / 1000.0
        return pd.DataFrame(
            energy.reshape(tt.shape),
            index=pd.Index(tilts, name="surface_tilt"),
            columns=pd.Index(azimuths, name="surface_azimuth"),
        )


class PVResult:
    """Output of :meth:`SolarSite.simulate`: hourly series and summaries.

    Energies in kWh, powers in W, irradiance in W/m², temperatures in °C.
    """

    def __init__(self, site: SolarSite, system: SystemConfig, parts: dict):
        self.site = site
        self.system = system
        self._parts = parts

    def _full(self, name: str, night: float = 0.0) -> pd.Series:
        values = np.full(self.site.n_records, night, dtype=float)
        values[self.site.rows] = self._parts[name]
        return pd.Series(values, index=self.site.index, name=name)

    @property
    def ac(self) -> pd.Series:
        """AC power [W] per record."""
        return self._full("ac")

    @property
    def dc(self) -> pd.Series:
        """DC power after system losses [W]."""
        return self._full("dc")

    @property
    def poa_global(self) -> pd.Series:
        """Plane-of-array irradiance [W/m²]."""
        return self._full("poa")

    @property
    def temp_cell(self) -> pd.Series:
        """Cell temperature [°C] (NaN at night)."""
        return self._full("temp_cell", np.nan)

    def _kwh(self, name: str) -> float:
        return float(np.sum(self._parts[name])) * self.site.hours_per_record / 1000.0

    @property
    def annual_ac_kwh(self) -> float:
        return self._kwh("ac")

    @property
    def monthly_ac_kwh(self) -> np.ndarray:
        """AC energy per calendar month [kWh], January first (12 values)."""
        e = np.bincount(self.site.month - 1, weights=self._parts["ac"], minlength=12)
        return e * self.site.hours_per_record / 1000.0

    @property
    def annual_poa_kwh_m2(self) -> float:
        return self._kwh("poa")

    @property
    def specific_yield(self) -> float:
        """Annual AC energy per kWp [kWh/kWp]."""
        return self.annual_ac_kwh / self.system.kwp

    @property
    def capacity_factor(self) -> float:
        """AC energy over DC nameplate × hours of the year [%] (PVWatts' definition)."""
        hours = self.site.n_records * self.site.hours_per_record
        return 100.0 * self.annual_ac_kwh / (self.system.kwp * hours)

    @property
    def performance_ratio(self) -> float:
        """AC energy / (kWp × POA insolation in kWh/m²) [-]."""
        return self.annual_ac_kwh / (self.system.kwp * self.annual_poa_kwh_m2)

    def loss_waterfall(self) -> list[tuple[str, float]]:
        """Annual energy from nominal (kWp × POA/1000) down to AC [kWh]:
        ``[("Nominal at POA", +E), (loss name, −ΔE), …, ("AC output", E_ac)]``.
        The ten system losses are split in their multiplicative order."""
        cfg = self.system
        kwp = cfg.kwp
        nominal = kwp * self._kwh("poa_unshaded")
        shaded = kwp * self._kwh("poa")
        transmitted = kwp * self._kwh("poa_transmitted")
        effective = kwp * self._kwh("effective_irradiance")
        dc_module = self._kwh("dc_module")
        steps = [("Nominal at POA", nominal)]
        if shaded != nominal:
            steps.append(("Row-to-row shading", shaded - nominal))
        steps.append(("Reflection (cover)", transmitted - shaded))
        if cfg.model == "pvwatts_v8":
            steps.append(("Spectrum", effective - transmitted))
        steps.append(("Temperature & low light", dc_module - effective))
        remaining = dc_module
        for name, pct in cfg.losses.items():
            if pct:
                loss = remaining * pct / 100.0
                steps.append((name.replace("_", " ").capitalize(), -loss))
                remaining -= loss
        ac_unclipped = self._kwh("ac_unclipped")
        steps.append(("Inverter efficiency", ac_unclipped - remaining))
        steps.append(("Inverter clipping", self.annual_ac_kwh - ac_unclipped))
        steps.append(("AC output", self.annual_ac_kwh))
        return steps

    def summary(self) -> dict:
        """Stable keys (as the CLI prints them)."""
        return {
            "annual_ac_kwh": self.annual_ac_kwh,
            "monthly_ac_kwh": [float(x) for x in self.monthly_ac_kwh],
            "specific_yield_kwh_per_kwp": self.specific_yield,
            "capacity_factor": self.capacity_factor,
            "annual_poa_kwh_per_m2": self.annual_poa_kwh_m2,
            "performance_ratio": self.performance_ratio,
        }


def simulate(weather, system: SystemConfig | None = None, **changes) -> PVResult:
    """One-off convenience: ``SolarSite(weather).simulate(system, **changes)``."""
    return SolarSite(weather).simulate(system, **changes)
