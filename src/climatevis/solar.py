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
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = [
    "absolute_airmass",
    "alt2pres",
    "aoi",
    "aoi_projection",
    "extraterrestrial_radiation",
    "ground_diffuse",
    "haydavies",
    "isotropic",
    "julian_day",
    "perez",
    "poa_irradiance",
    "relative_airmass",
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
    cos_tt = np.maximum(aoi_projection(surface_tilt, surface_azimuth, solar_zenith, solar_azimuth), 0)
    cos_z = np.maximum(_cosd(solar_zenith), 0.01745)
    ai = dni / dni_extra
    return np.maximum(dhi * (ai * cos_tt / cos_z + (1 - ai) * (1 + _cosd(surface_tilt)) * 0.5), 0)


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
    a = np.maximum(aoi_projection(surface_tilt, surface_azimuth, solar_zenith, solar_azimuth), 0)
    b = np.maximum(_cosd(solar_zenith), _cosd(85.0))
    sky = dhi * (0.5 * (1 - f1) * (1 + _cosd(surface_tilt)) + f1 * a / b + f2 * _sind(surface_tilt))
    sky = np.maximum(sky, 0.0)
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
