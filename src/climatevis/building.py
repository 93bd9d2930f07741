"""Hourly building energy: the ISO 13790 / ISO 52016-1 simple hourly 5R1C model.

One thermal zone is a network of three temperature nodes and one capacity
(EN ISO 13790:2008, Annex C; carried over as the "5R1C" option into the
national annexes of EN ISO 52016-1:2017):

* the **air** node ``θair`` (ventilation ``Hve`` to the supply temperature,
  convective gains and the heating/cooling power),
* the **surface** ("star") node ``θs`` (windows ``Htr,w`` to outdoors, coupling
  ``Htr,is = 3.45·At`` to the air, radiative gains ``Φst``),
* the **mass** node ``θm`` with capacity ``Cm`` (coupling ``Htr,ms = 9.1·Am``
  to the surface node, opaque envelope ``Htr,em`` to outdoors, gains ``Φm``),

integrated hour by hour with the Crank–Nicolson scheme of C.3 (eq. C.4–C.11).
Heating and cooling follow C.4: a free-floating step, a probe with
``10 W/m²·Af`` of heating, linear interpolation to the set point, and the
limits of the plant. Because the network is linear this interpolation is
exact, and the energy balance of every hour closes to round-off
(:func:`energy_balance_residual`).

Beyond the plain standard, and in the spirit of its §11 (solar gains) and of
EN ISO 52016-1 / 52010-1, this module uses:

* window solar gains hour by hour from plane-of-array irradiance (Perez 1990,
  :mod:`climatevis.solar`), with the angular dependence of an uncoated
  1-3-pane glazing (Fresnel reflection and Bouguer absorption, Duffie &
  Beckman 2013 §5.1-5.4) instead of the constant ``F_w = 0.9``;
* the share of the transmitted sunlight that the room reflects back out
  through its windows (:func:`solar_reflected_out`);
* exterior surface resistances hour by hour instead of the fixed Rse the
  U-values are stated with: EN ISO 6946 Annex C (``h_c = 4 + 4·v``) for
  opaque elements, the MoWiTT correlation measured on glazing for windows,
  with the weather's wind at the facade (:func:`exterior_surface_resistance`,
  :func:`glazing_exterior_resistance`); on calm nights this lowers a
  window's U by up to a third, as detailed simulation programs find;
* opaque solar gains ``α·Rse·U·A·I`` and long-wave radiation to the sky
  ``F_r·Rse·U·A·h_r·(θe − θsky)`` (ISO 13790 §11.3.4-11.3.5, windows
  included) with those hourly Rse and U and the sky temperature from the
  EPW's horizontal infrared radiation; for vertical surfaces ``F_r`` is the
  sky view factor 0.5 times Walton's ``β = √0.5``, the share of that view
  radiating at the (hemispherical) sky temperature;
* convective/radiative split of internal gains as a parameter (ISO: 50/50);
* optionally the air heat capacity ``ρ·c`` from the site's air pressure
  (ASHRAE 140 specifies infiltration at site air density; ISO uses
  1200 J/(m³K)).

Units: lengths m, areas m², U in W/(m²K), capacities J/K, powers W, energies
kWh in summaries, temperatures °C, irradiance W/m². Azimuths follow pvlib:
degrees clockwise from north, south = 180.

numpy/pandas only: runs natively and in Pyodide.

References
----------
* EN ISO 13790:2008, Energy performance of buildings — Calculation of energy
  use for space heating and cooling. Annex C (5R1C), §7.2.2 (``At = 4.5·Af``),
  §9.3 (ventilation, ``ρa·ca = 1200 J/(m³K)``), §11.3 (solar), §12.3 and
  Table 12 (thermal-mass classes).
* EN ISO 13786:2017, Annex C: effective heat capacity, simplified method.
* EN ISO 6946:2017: surface resistances, ``h_r = 4·ε·σ·T³``.
* ANSI/ASHRAE Standard 140-2020, cases 600, 640, 900, 940 (specification of
  the BESTEST boxes used by :func:`bestest`).
* Yazdanian, M., Klems, J.H. (1994). Measurement of the exterior convective
  film coefficient for windows in low-rise buildings. ASHRAE Transactions
  100(1), 1087-1096 (the MoWiTT correlation).
* Walton, G.N. (1983). Thermal Analysis Research Program reference manual
  (TARP), NBSIR 83-2655 (sky share β of tilted surfaces).
* ASHRAE Handbook—Fundamentals (2017), ch. 24: wind speed profile.
* Duffie, J.A., Beckman, W.A. (2013). Solar Engineering of Thermal
  Processes, 4th ed., §5.1-5.4 (cover transmittance, effective incidence
  angles for diffuse radiation, Brandemuehl & Beckman 1980).
* TABULA/EPISCOPE residential building typology, Austria (Österreichische
  Energieagentur; data: IWU ``tabula-values.xlsx``, CC BY 4.0): the Austrian
  presets in ``data/examples/building_reference.csv``.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from climatevis import solar

__all__ = [
    "BESTEST_RANGES",
    "HWB_CLASSES",
    "MASS_CLASSES",
    "ORIENTATIONS",
    "Building",
    "BuildingError",
    "Layer",
    "Result",
    "Site",
    "Window",
    "add_insulation",
    "bestest",
    "effective_heat_capacity",
    "energy_balance_residual",
    "energy_class",
    "exterior_surface_resistance",
    "glazing_angular_factor",
    "glazing_exterior_resistance",
    "layers_u_value",
    "load_duration",
    "overheating_hours",
    "preset",
    "preset_names",
    "read_reference_buildings",
    "simulate",
    "solar_reflected_out",
    "wind_speed_at_height",
]

SIGMA = 5.670374419e-8  # Stefan-Boltzmann constant [W/(m²K⁴)]

#: ISO 13790 Table 12: class -> (Cm per m² of Af [J/(m²K)], Am/Af [-]).
MASS_CLASSES: dict[str, tuple[float, float]] = {
    "very light": (80_000.0, 2.5),
    "light": (110_000.0, 2.5),
    "medium": (165_000.0, 2.5),
    "heavy": (260_000.0, 3.0),
    "very heavy": (370_000.0, 3.5),
}

#: Facades and the angle each faces, relative to the building azimuth
#: (the azimuth of the "S" facade; 180 = the S facade faces south).
ORIENTATIONS: dict[str, float] = {"S": 0.0, "W": 90.0, "N": 180.0, "E": -90.0}

#: Austrian energy-certificate classes for the heating demand HWB [kWh/(m²a)],
#: upper bounds: OIB-Richtlinie 6 (2011, 2015 editions), scale "HWB_Ref,SK".
HWB_CLASSES: tuple[tuple[str, float], ...] = (
    ("A++", 10.0), ("A+", 15.0), ("A", 25.0), ("B", 50.0), ("C", 100.0),
    ("D", 150.0), ("E", 200.0), ("F", 250.0), ("G", math.inf),
)

#: ASHRAE 140-2020 reference-program ranges (min, max) for Denver TMY3,
#: as quoted in the building-energy issue: annual MWh and peak kW.
BESTEST_RANGES: dict[str, dict[str, tuple[float, float]]] = {
    "bestest600": {"heating_mwh": (3.993, 4.504), "cooling_mwh": (5.432, 6.162),
                   "peak_heating_kw": (3.020, 3.359), "peak_cooling_kw": (5.422, 6.481)},
    "bestest900": {"heating_mwh": (1.379, 1.814), "cooling_mwh": (2.267, 2.714)},
}


class BuildingError(ValueError):
    """Invalid building input; the message names the field and the value."""


# --------------------------------------------------------------------------- constructions


@dataclass(frozen=True)
class Layer:
    """One homogeneous layer of an opaque construction.

    ``thickness`` [m], ``conductivity`` [W/(mK)], ``density`` [kg/m³],
    ``specific_heat`` [J/(kgK)]. A layer with density 0 is massless (its
    thermal resistance ``thickness / conductivity`` only), as ASHRAE 140
    specifies for the floor insulation of cases 600/900.
    """

    name: str
    thickness: float
    conductivity: float
    density: float
    specific_heat: float

    @property
    def resistance(self) -> float:
        """Thermal resistance [m²K/W]."""
        return self.thickness / self.conductivity


def layers_u_value(layers: Sequence[Layer], rsi: float = 0.13, rse: float = 0.04) -> float:
    """U-value [W/(m²K)] of layers with surface resistances ``rsi``, ``rse`` [m²K/W] (EN ISO 6946)."""
    return 1.0 / (rsi + sum(layer.resistance for layer in layers) + rse)


def effective_heat_capacity(layers_inside_out: Sequence[Layer], insulation_conductivity: float = 0.1) -> float:
    """Areal internal heat capacity κ [J/(m²K)] (EN ISO 13786 Annex C simplified method).

    Layers are counted from the inside up to the smallest of: half the total
    thickness, the first insulation layer (``conductivity`` below
    ``insulation_conductivity`` [W/(mK)]), and 0.10 m.
    """
    total = sum(layer.thickness for layer in layers_inside_out)
    depth_left = min(0.5 * total, 0.10)
    kappa = 0.0
    for layer in layers_inside_out:
        if layer.conductivity < insulation_conductivity or depth_left <= 0:
            break
        d = min(layer.thickness, depth_left)
        kappa += layer.density * layer.specific_heat * d
        depth_left -= d
    return kappa


def add_insulation(u_value: float, thickness: float, conductivity: float = 0.035) -> float:
    """U-value [W/(m²K)] after adding ``thickness`` [m] of insulation of ``conductivity`` [W/(mK)]."""
    if u_value <= 0:
        raise BuildingError(f"add_insulation: U-value must be > 0, got {u_value}")
    if thickness < 0 or conductivity <= 0:
        raise BuildingError(f"add_insulation: thickness {thickness} m / conductivity {conductivity} W/(mK) invalid")
    return 1.0 / (1.0 / u_value + thickness / conductivity)


# --------------------------------------------------------------------------- glazing


def _cover_transmittance(theta_deg, panes: int, refractive_index: float, kl: float) -> np.ndarray:
    """Transmittance of ``panes`` identical glass covers (Duffie & Beckman eq. 5.1.4-5.2.2)."""
    t1 = np.radians(np.clip(np.asarray(theta_deg, dtype=float), 0.0, 89.999))
    t2 = np.arcsin(np.sin(t1) / refractive_index)
    with np.errstate(invalid="ignore", divide="ignore"):
        r_perp = np.sin(t2 - t1) ** 2 / np.sin(t2 + t1) ** 2
        r_par = np.tan(t2 - t1) ** 2 / np.tan(t2 + t1) ** 2
    r0 = ((refractive_index - 1) / (refractive_index + 1)) ** 2
    r_perp = np.where(t1 < 1e-6, r0, r_perp)
    r_par = np.where(t1 < 1e-6, r0, r_par)
    n = panes
    tau_r = 0.5 * ((1 - r_par) / (1 + (2 * n - 1) * r_par) + (1 - r_perp) / (1 + (2 * n - 1) * r_perp))
    tau_a = np.exp(-n * kl / np.cos(t2))
    return tau_r * tau_a


def glazing_angular_factor(aoi, panes: int = 2, refractive_index: float = 1.526,
                           extinction_thickness: float = 0.0622) -> np.ndarray:
    """Ratio g(θ)/g(0) [-] of a glazing's solar transmittance at incidence ``aoi`` [deg].

    Clear float glass covers (n = 1.526, K·L = 0.0196/mm × 3.175 mm, the
    ASHRAE 140 pane) with Fresnel reflection and Bouguer absorption, Duffie &
    Beckman (2013) §5.1-5.3. 0 beyond 90°.
    """
    aoi = np.asarray(aoi, dtype=float)
    ratio = _cover_transmittance(aoi, panes, refractive_index, extinction_thickness) / \
        _cover_transmittance(0.0, panes, refractive_index, extinction_thickness)
    return np.where(np.isfinite(aoi) & (aoi < 90.0), ratio, 0.0)


# --------------------------------------------------------------------------- exterior surface films

#: Thermal emissivity of uncoated glass (EN 673; ASHRAE 140-2020 glazing).
GLASS_EMISSIVITY = 0.84


def wind_speed_at_height(wind_speed, height: float, reference_height: float = 10.0,
                         exponent: float = 0.14) -> np.ndarray:
    """Wind speed [m/s] at ``height`` [m] from a measurement [m/s] at ``reference_height`` [m],
    both over open flat terrain: power law ``v·(z/z_ref)^a`` with ``a = 0.14`` (ASHRAE
    Handbook—Fundamentals 2017, ch. 24, eq. 4 and Table 1, "open terrain"; the profile
    EnergyPlus applies for terrain "Country")."""
    return np.asarray(wind_speed, dtype=float) * (max(height, 0.1) / reference_height) ** exponent


def exterior_surface_resistance(wind_speed, temp_air, emissivity: float = 0.9) -> np.ndarray:
    """Exterior surface resistance Rse = 1/(h_c + h_r) [m²K/W] of an opaque element (EN ISO 6946:2017 Annex C).

    ``wind_speed`` [m/s] next to the surface: ``h_c = 4 + 4·v``; ``temp_air`` [°C]:
    ``h_r = 4·ε·σ·T³`` with the ``emissivity`` ε. At ``v = 4 m/s``, ε = 0.9 and 10 °C this
    is the standard Rse = 0.04 m²K/W.
    """
    t = np.asarray(temp_air, dtype=float) + 273.15
    return 1.0 / (4.0 + 4.0 * np.asarray(wind_speed, dtype=float) + 4.0 * emissivity * SIGMA * t**3)


def glazing_exterior_resistance(wind_speed, temp_air, windward, temp_difference=5.0,
                                emissivity: float = GLASS_EMISSIVITY) -> np.ndarray:
    """Exterior surface resistance Rse = 1/(h_c + h_r) [m²K/W] of glazing.

    Convection from the MoWiTT correlation, measured on smooth glazed
    surfaces (Yazdanian & Klems 1994, ASHRAE Trans. 100(1); ASHRAE
    Handbook—Fundamentals): ``h_c = √((0.84·ΔT^⅓)² + (a·v^b)²)`` with
    ``a, b = 3.26, 0.89`` on the ``windward`` side and ``3.55, 0.617`` leeward;
    ``wind_speed`` v [m/s] at the window's height, ``temp_difference`` ΔT [K]
    between glass and air. Radiation ``h_r = 4·ε·σ·T³`` at ``temp_air`` [°C].
    Glass is smooth: at 4 m/s this gives h_c ≈ 10 W/(m²K), half of EN ISO
    6946's ``4 + 4·v`` for (rough) building elements.
    """
    v = np.maximum(np.asarray(wind_speed, dtype=float), 0.0)
    a = np.where(windward, 3.26, 3.55)
    b = np.where(windward, 0.89, 0.617)
    h_c = np.sqrt((0.84 * np.abs(temp_difference) ** (1.0 / 3.0)) ** 2 + (a * v**b) ** 2)
    t = np.asarray(temp_air, dtype=float) + 273.15
    return 1.0 / (h_c + 4.0 * emissivity * SIGMA * t**3)


def solar_reflected_out(interior_solar_absorptance: float, glazed_area: float, transmitting_area: float,
                        internal_area: float) -> float:
    """Share [-] of the solar radiation entering a room that leaves again through its windows.

    The room's surfaces (``internal_area`` At [m²]) absorb
    ``interior_solar_absorptance`` α of what reaches them and reflect the rest
    diffusely, spread by area; windows take ``glazed_area`` [m²] of it and
    transmit ``transmitting_area`` [m²] (glazed area × diffuse transmittance)
    to the outside. Summing the reflections (an enclosure with uniform
    radiosity, as in the ASHRAE 140 "cavity albedo" of the BESTEST cases)::

        f = (1 − α)·τA/At / (1 − (1 − α)·(1 − Ag/At))
    """
    if internal_area <= 0 or glazed_area <= 0:
        return 0.0
    rho = 1.0 - interior_solar_absorptance
    return rho * transmitting_area / internal_area / (1.0 - rho * (1.0 - glazed_area / internal_area))


# --------------------------------------------------------------------------- the building


@dataclass(frozen=True)
class Window:
    """The windows of one facade.

    ``area`` [m²] includes frames; ``u_value`` [W/(m²K)] is the whole-window
    value; ``g_value`` [-] the glazing's total solar energy transmittance at
    normal incidence; ``frame_fraction`` [-] the opaque share of ``area``;
    ``shading_factor`` [-] the external-shading reduction factor ``F_sh``
    (1 = unshaded, ISO 13790 §11.4.4); ``panes`` (1-3) and the panes'
    ``extinction_thickness`` K·L [-] (extinction coefficient × thickness)
    set the angular dependence of the transmittance.
    """

    area: float = 0.0
    u_value: float = 1.3
    g_value: float = 0.6
    frame_fraction: float = 0.3
    shading_factor: float = 1.0
    panes: int = 2
    extinction_thickness: float = 0.0622


def _no_windows() -> dict[str, Window]:
    return {o: Window() for o in ORIENTATIONS}


@dataclass(frozen=True)
class Building:
    """A rectangular building (one thermal zone) for the 5R1C model.

    Geometry: a ``width`` × ``depth`` footprint [m] with ``storeys`` storeys
    of ``storey_height`` [m] (internal dimensions). The "S" and "N" facades
    are ``width`` long, "E" and "W" ``depth``; ``azimuth`` is where the "S"
    facade faces (pvlib convention, 180 = south). The conditioned floor area
    is ``Af = width·depth·storeys``.

    Envelope: ``u_wall``, ``u_roof``, ``u_floor`` [W/(m²K)];
    ``floor_boundary`` "ground" (to the EPW ground temperature),
    "outdoor" or "adiabatic"; ``roof_boundary`` "outdoor" or "adiabatic";
    ``thermal_bridge`` ΔU [W/(m²K)] on the whole envelope area (TABULA);
    exterior ``absorptance_*`` [-], long-wave ``emissivity`` [-] and
    ``external_resistance`` Rse [m²K/W], the exterior surface resistance the
    U-values (windows' too) are stated with. ``exterior_films`` "hourly"
    replaces it hour by hour by a wind- and temperature-dependent Rse
    (opaque: :func:`exterior_surface_resistance`, EN ISO 6946; glazing:
    :func:`glazing_exterior_resistance`, MoWiTT; wind from the weather at the
    facade's mid-height and the roof), "fixed" keeps it. ``windows`` maps
    "S", "E", "N", "W" to a :class:`Window`.

    Mass: ``mass_class`` (ISO 13790 Table 12) unless ``heat_capacity``
    [J/(m²K) per m² Af] and ``mass_area_factor`` (Am/Af) are given.

    Air: ``infiltration_ach`` and mechanical ``ventilation_ach`` [1/h] of the
    volume ``Af·storey_height``; ``heat_recovery`` [-] efficiency on the
    mechanical part while the outdoor air is below the heating or above the
    cooling set point (bypass in between); ``air_heat_capacity`` ρc [J/(m³K)], ``None`` = from the
    hourly site air pressure and temperature.

    Solar: ``interior_solar_absorptance`` [-] of the room surfaces sets the
    share of transmitted sunlight reflected back out through the windows
    (:func:`solar_reflected_out`).

    Gains and control: ``internal_gains`` [W/m² Af] times the 24-hour
    ``gains_profile`` (fractions, default constant 1), of which
    ``convective_fraction`` goes to the air node; ``heating_setpoint`` and
    ``cooling_setpoint`` [°C] on the air temperature (``None`` = no plant),
    ``setback_setpoint`` [°C] for heating during ``setback_hours`` (start,
    end) [h, local standard time]; plant limits ``heating_capacity``,
    ``cooling_capacity`` [W] (``None`` = unlimited).
    """

    name: str = "custom"
    width: float = 10.0
    depth: float = 10.0
    storey_height: float = 2.7
    storeys: int = 1
    azimuth: float = 180.0
    u_wall: float = 0.35
    u_roof: float = 0.20
    u_floor: float = 0.40
    floor_boundary: str = "ground"
    roof_boundary: str = "outdoor"
    thermal_bridge: float = 0.0
    absorptance_wall: float = 0.6
    absorptance_roof: float = 0.6
    emissivity: float = 0.9
    external_resistance: float = 0.04
    exterior_films: str = "hourly"
    windows: Mapping[str, Window] = field(default_factory=_no_windows)
    mass_class: str = "medium"
    heat_capacity: float | None = None
    mass_area_factor: float | None = None
    internal_area_factor: float = 4.5
    interior_solar_absorptance: float = 0.6
    infiltration_ach: float = 0.4
    ventilation_ach: float = 0.0
    heat_recovery: float = 0.0
    air_heat_capacity: float | None = 1200.0
    internal_gains: float = 3.75
    gains_profile: tuple[float, ...] | None = None
    convective_fraction: float = 0.5
    heating_setpoint: float | None = 20.0
    cooling_setpoint: float | None = 26.0
    setback_setpoint: float | None = None
    setback_hours: tuple[int, int] = (23, 7)
    heating_capacity: float | None = None
    cooling_capacity: float | None = None

    def __post_init__(self) -> None:
        def positive(name: str, allow_zero: bool = False) -> None:
            v = getattr(self, name)
            if not isinstance(v, (int, float)) or not math.isfinite(v) or v < 0 or (v == 0 and not allow_zero):
                raise BuildingError(f"{self.name}: {name} must be {'>= 0' if allow_zero else '> 0'}, got {v!r}")

        for name in ("width", "depth", "storey_height", "u_wall", "u_roof", "u_floor", "external_resistance",
                     "internal_area_factor"):
            positive(name)
        for name in ("thermal_bridge", "infiltration_ach", "ventilation_ach", "internal_gains"):
            positive(name, allow_zero=True)
        if not isinstance(self.storeys, int) or self.storeys < 1:
            raise BuildingError(f"{self.name}: storeys must be an integer >= 1, got {self.storeys!r}")
        for name in ("absorptance_wall", "absorptance_roof", "emissivity", "heat_recovery", "convective_fraction",
                     "interior_solar_absorptance"):
            v = getattr(self, name)
            if not 0.0 <= v <= 1.0:
                raise BuildingError(f"{self.name}: {name} must be within 0..1, got {v!r}")
        if self.floor_boundary not in ("ground", "outdoor", "adiabatic"):
            raise BuildingError(f"{self.name}: floor_boundary must be ground, outdoor or adiabatic, got {self.floor_boundary!r}")
        if self.roof_boundary not in ("outdoor", "adiabatic"):
            raise BuildingError(f"{self.name}: roof_boundary must be outdoor or adiabatic, got {self.roof_boundary!r}")
        if self.exterior_films not in ("hourly", "fixed"):
            raise BuildingError(f"{self.name}: exterior_films must be hourly or fixed, got {self.exterior_films!r}")
        u_max = 1.0 / self.external_resistance
        for name in ("u_wall", "u_roof", "u_floor"):
            if getattr(self, name) >= u_max:
                raise BuildingError(f"{self.name}: {name} {getattr(self, name)} W/(m²K) is not below "
                                    f"1/external_resistance = {u_max:g}")
        unknown = set(self.windows) - set(ORIENTATIONS)
        if unknown:
            raise BuildingError(f"{self.name}: windows has unknown orientations {sorted(unknown)} (use S, E, N, W)")
        for o, w in self.windows.items():
            where = f"{self.name}: window {o}"
            if w.area < 0:
                raise BuildingError(f"{where}: area must be >= 0, got {w.area}")
            if w.area > self.wall_area(o) + 1e-9:
                raise BuildingError(
                    f"{where}: area {w.area:g} m² is larger than its wall ({self.wall_area(o):g} m²)"
                )
            if w.u_value <= 0:
                raise BuildingError(f"{where}: u_value must be > 0, got {w.u_value}")
            if w.u_value >= 1.0 / self.external_resistance:
                raise BuildingError(f"{where}: u_value {w.u_value} W/(m²K) is not below "
                                    f"1/external_resistance = {1.0 / self.external_resistance:g}")
            for name in ("g_value", "frame_fraction", "shading_factor"):
                if not 0.0 <= getattr(w, name) <= 1.0:
                    raise BuildingError(f"{where}: {name} must be within 0..1, got {getattr(w, name)}")
            if w.panes not in (1, 2, 3):
                raise BuildingError(f"{where}: panes must be 1, 2 or 3, got {w.panes}")
            if not 0.0 <= w.extinction_thickness < 5.0:
                raise BuildingError(f"{where}: extinction_thickness must be within 0..5, got {w.extinction_thickness}")
        if self.mass_class not in MASS_CLASSES:
            raise BuildingError(f"{self.name}: mass_class must be one of {list(MASS_CLASSES)}, got {self.mass_class!r}")
        if self.heat_capacity is not None and self.heat_capacity <= 0:
            raise BuildingError(f"{self.name}: heat_capacity must be > 0 J/(m²K), got {self.heat_capacity}")
        if self.mass_area_factor is not None and self.mass_area_factor <= 0:
            raise BuildingError(f"{self.name}: mass_area_factor must be > 0, got {self.mass_area_factor}")
        if self.air_heat_capacity is not None and self.air_heat_capacity <= 0:
            raise BuildingError(f"{self.name}: air_heat_capacity must be > 0 J/(m³K), got {self.air_heat_capacity}")
        if self.gains_profile is not None and (
            len(self.gains_profile) != 24 or min(self.gains_profile) < 0
        ):
            raise BuildingError(f"{self.name}: gains_profile needs 24 fractions >= 0")
        h, c = self.heating_setpoint, self.cooling_setpoint
        if h is not None and c is not None and h > c:
            raise BuildingError(f"{self.name}: heating_setpoint {h} °C is above cooling_setpoint {c} °C")
        if self.setback_setpoint is not None and h is not None and self.setback_setpoint > h:
            raise BuildingError(f"{self.name}: setback_setpoint {self.setback_setpoint} °C is above heating_setpoint {h} °C")
        for name in ("heating_capacity", "cooling_capacity"):
            v = getattr(self, name)
            if v is not None and v < 0:
                raise BuildingError(f"{self.name}: {name} must be >= 0 W, got {v}")
        hms = 9.1 * self.mass_area
        # hourly exterior films may lower Rse towards 0: bound the opaque conductance without it
        h_op_max = self.h_tr_op + sum(
            u * u * self.external_resistance / (1.0 - u * self.external_resistance) * area
            for u, area in ((self.u_wall, self.opaque_wall_area), (self.u_roof, self.roof_area),
                            (self.u_floor, self.roof_area)))
        if h_op_max >= hms:
            raise BuildingError(
                f"{self.name}: opaque conductance {self.h_tr_op:.0f} W/K (up to {h_op_max:.0f} W/K without the "
                f"exterior film) is not below Htr,ms = 9.1·Am = {hms:.0f} W/K; the 5R1C network cannot represent it"
            )

    # ---- geometry
    @property
    def floor_area(self) -> float:
        """Conditioned floor area Af [m²]."""
        return self.width * self.depth * self.storeys

    @property
    def volume(self) -> float:
        """Conditioned air volume [m³]."""
        return self.floor_area * self.storey_height

    def wall_area(self, orientation: str) -> float:
        """Gross wall area of one facade, windows included [m²]."""
        length = self.width if orientation in ("S", "N") else self.depth
        return length * self.storey_height * self.storeys

    def window(self, orientation: str) -> Window:
        return self.windows.get(orientation, Window())

    @property
    def window_area(self) -> float:
        return sum(self.window(o).area for o in ORIENTATIONS)

    @property
    def opaque_wall_area(self) -> float:
        return sum(self.wall_area(o) - self.window(o).area for o in ORIENTATIONS)

    @property
    def roof_area(self) -> float:
        return self.width * self.depth

    @property
    def envelope_area(self) -> float:
        """Area of the thermal envelope (walls, windows, roof, floor) [m²]."""
        area = sum(self.wall_area(o) for o in ORIENTATIONS)
        area += self.roof_area if self.roof_boundary != "adiabatic" else 0.0
        area += self.roof_area if self.floor_boundary != "adiabatic" else 0.0
        return area

    def facade_azimuth(self, orientation: str) -> float:
        return (self.azimuth + ORIENTATIONS[orientation]) % 360.0

    # ---- 5R1C parameters
    @property
    def heat_capacity_total(self) -> float:
        """Cm [J/K]."""
        per_m2 = self.heat_capacity if self.heat_capacity is not None else MASS_CLASSES[self.mass_class][0]
        return per_m2 * self.floor_area

    @property
    def mass_area(self) -> float:
        """Am [m²]."""
        factor = self.mass_area_factor if self.mass_area_factor is not None else \
            MASS_CLASSES.get(self.mass_class, (0, 2.5))[1]
        return factor * self.floor_area

    @property
    def internal_area(self) -> float:
        """At = Λat·Af [m²], Λat = ``internal_area_factor`` (ISO 13790 §7.2.2.2: 4.5)."""
        return self.internal_area_factor * self.floor_area

    @property
    def h_tr_w(self) -> float:
        """Window conductance Htr,w [W/K]."""
        return sum(self.window(o).u_value * self.window(o).area for o in ORIENTATIONS)

    def _opaque_parts(self) -> tuple[float, float]:
        """(conductance to outdoor air, conductance to the ground) of the opaque envelope [W/K]."""
        outdoor = self.u_wall * self.opaque_wall_area + self.thermal_bridge * self.envelope_area
        ground = 0.0
        if self.roof_boundary == "outdoor":
            outdoor += self.u_roof * self.roof_area
        if self.floor_boundary == "outdoor":
            outdoor += self.u_floor * self.roof_area
        elif self.floor_boundary == "ground":
            ground = self.u_floor * self.roof_area
        return outdoor, ground

    @property
    def h_tr_op(self) -> float:
        """Opaque conductance Htr,op [W/K] (thermal bridges included)."""
        return sum(self._opaque_parts())

    @property
    def transmission_coefficient(self) -> float:
        """H_T = Htr,w + Htr,op [W/K]."""
        return self.h_tr_w + self.h_tr_op

    def ventilation_airflow(self) -> float:
        """Effective air change [m³/h] with heat recovery active (ISO 13790 §9.3, b_ve)."""
        return self.volume * (self.infiltration_ach + self.ventilation_ach * (1.0 - self.heat_recovery))

    def replace(self, **changes: Any) -> Building:
        """A copy with ``changes`` (validated again)."""
        return dataclasses.replace(self, **changes)

    def with_windows(self, **changes: Any) -> Building:
        """A copy with ``changes`` applied to every facade's :class:`Window` (area excluded)."""
        return self.replace(windows={o: dataclasses.replace(self.window(o), **changes) for o in ORIENTATIONS})

    def free_floating(self) -> Building:
        """The same building without heating or cooling."""
        return self.replace(heating_setpoint=None, cooling_setpoint=None, setback_setpoint=None)


# --------------------------------------------------------------------------- presets

#: ASHRAE 140 constructions, inside to outside (Standard 140-2020 §7.2.1, Tables 7-6, 7-7 / 9-1).
BESTEST_CONSTRUCTIONS: dict[str, tuple[Layer, ...]] = {
    "wall600": (
        Layer("Plasterboard", 0.012, 0.160, 950.0, 840.0),
        Layer("Fiberglass quilt", 0.066, 0.040, 12.0, 840.0),
        Layer("Wood siding", 0.009, 0.140, 530.0, 900.0),
    ),
    "roof600": (
        Layer("Plasterboard", 0.010, 0.160, 950.0, 840.0),
        Layer("Fiberglass quilt", 0.1118, 0.040, 12.0, 840.0),
        Layer("Roof deck", 0.019, 0.140, 530.0, 900.0),
    ),
    "floor600": (
        Layer("Timber flooring", 0.025, 0.140, 650.0, 1200.0),
        Layer("Floor insulation", 1.003, 0.040, 0.0, 0.0),
    ),
    "wall900": (
        Layer("Concrete block", 0.100, 0.510, 1400.0, 1000.0),
        Layer("Foam insulation", 0.0615, 0.040, 10.0, 1400.0),
        Layer("Wood siding", 0.009, 0.140, 530.0, 900.0),
    ),
    "floor900": (
        Layer("Concrete slab", 0.080, 1.130, 1400.0, 1000.0),
        Layer("Floor insulation", 1.007, 0.040, 0.0, 0.0),
    ),
}
BESTEST_CONSTRUCTIONS["roof900"] = BESTEST_CONSTRUCTIONS["roof600"]
#: ASHRAE 140 combined surface coefficients [W/(m²K)] of opaque surfaces.
BESTEST_H_INSIDE, BESTEST_H_OUTSIDE = 8.29, 29.3


def _mass_from_layers(areas_layers: Sequence[tuple[float, Sequence[Layer]]], floor_area: float) -> tuple[float, float]:
    """(Cm/Af [J/(m²K)], Am/Af [-]) from element areas and layers, ISO 13790 eq. 65-66."""
    kappas = [(a, effective_heat_capacity(layers)) for a, layers in areas_layers]
    cm = sum(a * k for a, k in kappas)
    am = cm * cm / sum(a * k * k for a, k in kappas)
    return cm / floor_area, am / floor_area


def bestest(case: int | str = 600) -> Building:
    """ASHRAE Standard 140 BESTEST case 600, 640, 900, 940 (and the free-floating 600FF, 900FF).

    An 8 m × 6 m × 2.7 m box, 12 m² of double clear glazing facing south
    (Standard 140-2020 glazing: U = 3.0 W/(m²K) with the standard's surface
    coefficients, SHGC 0.769 at normal incidence), 0.5 ach infiltration
    at site air density, 200 W internal gains (60 % radiative), heating below
    20 °C and cooling above 27 °C on the air temperature; 640/940 set the
    heating back to 10 °C from 23:00 to 07:00. U-values and the thermal mass
    (EN ISO 13786 simplified κ, ISO 13790 eq. 65-66) follow from the
    standard's layers.
    """
    key = str(case).upper().removeprefix("BESTEST")
    series = {"600": "600", "640": "600", "600FF": "600", "900": "900", "940": "900", "900FF": "900"}
    if key not in series:
        raise BuildingError(f"bestest: unknown case {case!r} (600, 640, 600FF, 900, 940, 900FF)")
    s = series[key]
    wall, roof, floor = (BESTEST_CONSTRUCTIONS[f"{e}{s}"] for e in ("wall", "roof", "floor"))
    rsi, rse = 1 / BESTEST_H_INSIDE, 1 / BESTEST_H_OUTSIDE
    width, depth, height, window_area = 8.0, 6.0, 2.7, 12.0
    opaque_walls = 2 * (width + depth) * height - window_area
    cm, am = _mass_from_layers([(opaque_walls, wall), (width * depth, roof), (width * depth, floor)],
                               width * depth)
    free = key.endswith("FF")
    return Building(
        name=f"bestest{key.lower()}",
        width=width, depth=depth, storey_height=height, storeys=1, azimuth=180.0,
        u_wall=layers_u_value(wall, rsi, rse), u_roof=layers_u_value(roof, rsi, rse),
        u_floor=layers_u_value(floor, rsi, rse),
        floor_boundary="outdoor", roof_boundary="outdoor", thermal_bridge=0.0,
        absorptance_wall=0.6, absorptance_roof=0.6, emissivity=0.9, external_resistance=rse,
        # Standard 140-2020 double clear glazing: two 3.048 mm panes (τ 0.834, ρ 0.075: n = 1.526,
        # K·L = 0.093), 12 mm air; SHGC 0.769 at normal incidence. U with the standard's films:
        # 1/(1/8.29 + 0.179 + 1/29.3) = 3.0 W/(m²K), the glazing's 0.179 m²K/W from EN 673 (gap
        # h_r + h_g = 3.72 + 2.08 W/(m²K) at 10 °C, ε = 0.84; two panes 3 mm at 1 W/(mK)).
        windows={"S": Window(area=window_area, u_value=3.0, g_value=0.769, frame_fraction=0.0,
                             shading_factor=1.0, panes=2, extinction_thickness=0.093),
                 "E": Window(), "N": Window(), "W": Window()},
        heat_capacity=cm, mass_area_factor=am,
        # one room without partitions: At is its actual room-facing area (walls, windows, roof, floor)
        internal_area_factor=(2 * (width + depth) * height + 2 * width * depth) / (width * depth),
        infiltration_ach=0.5, ventilation_ach=0.0, heat_recovery=0.0, air_heat_capacity=None,
        internal_gains=200.0 / (width * depth), convective_fraction=0.4,
        heating_setpoint=None if free else 20.0, cooling_setpoint=None if free else 27.0,
        setback_setpoint=10.0 if key in ("640", "940") else None, setback_hours=(23, 7),
    )


_CSV_FLOAT = ("width", "depth", "storey_height", "azimuth", "u_wall", "u_roof", "u_floor", "thermal_bridge",
              "heat_capacity", "infiltration_ach", "ventilation_ach", "heat_recovery", "internal_gains",
              "heating_setpoint", "cooling_setpoint")


def read_reference_buildings(source: bytes | str | os.PathLike[str]) -> dict[str, Building]:
    """Buildings from ``building_reference.csv`` (bytes, text or a path), keyed by ``id``.

    One row per building: geometry, U-values, window area per facade
    (``window_area_s`` ...), glazing ``u_window``, ``g_window``,
    ``frame_fraction``, ``shading_factor``, ``panes`` and the air, gains and
    set-point columns of :class:`Building`. Columns starting with
    ``source`` or ``note`` document the figures and are ignored here. A bad
    value raises :class:`BuildingError` naming row and column.
    """
    if isinstance(source, bytes):
        text = source.decode("utf-8-sig")
    elif isinstance(source, str) and "\n" in source:
        text = source
    else:
        text = Path(source).read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    out: dict[str, Building] = {}
    for n, row in enumerate(rows, start=2):
        def num(col: str, row=row, n=n) -> float:
            try:
                return float(row[col])
            except (KeyError, TypeError, ValueError):
                raise BuildingError(f"building_reference.csv line {n}: column {col!r} is not a number "
                                    f"({row.get(col)!r})") from None
        windows = {
            o: Window(area=num(f"window_area_{o.lower()}"), u_value=num("u_window"), g_value=num("g_window"),
                      frame_fraction=num("frame_fraction"), shading_factor=num("shading_factor"),
                      panes=int(num("panes")))
            for o in ORIENTATIONS
        }
        kwargs: dict[str, Any] = {c: num(c) for c in _CSV_FLOAT}
        kwargs["storeys"] = int(num("storeys"))
        try:
            out[row["id"]] = Building(name=row["name"], windows=windows, floor_boundary=row["floor_boundary"],
                                      mass_area_factor=2.5, **kwargs)
        except BuildingError as err:
            raise BuildingError(f"building_reference.csv line {n}: {err}") from None
    return out


def preset_names(reference: Mapping[str, Building] | None = None) -> list[str]:
    """Names :func:`preset` accepts: the BESTEST cases and the reference-building ids."""
    names = [f"bestest{c}" for c in ("600", "640", "900", "940", "600ff", "900ff")]
    return names + list(reference if reference is not None else _default_reference())


def _default_reference() -> dict[str, Building]:
    from climatevis.assets import AssetError, read_data_file

    here = Path(__file__).resolve().parents[2] / "data" / "examples" / "building_reference.csv"
    if here.exists():
        return read_reference_buildings(here)
    try:
        return read_reference_buildings(read_data_file(None, "building_reference.csv"))
    except AssetError:
        return {}


def preset(name: str, reference: Mapping[str, Building] | None = None) -> Building:
    """A preset by name: ``bestest600`` … (see :func:`bestest`) or an id of
    ``building_reference.csv`` (``reference``: already-read buildings; default: the
    repository's ``data/examples`` file)."""
    key = name.strip().lower()
    if key.startswith("bestest"):
        return bestest(key.removeprefix("bestest"))
    buildings = reference if reference is not None else _default_reference()
    if key not in buildings:
        raise BuildingError(f"unknown building preset {name!r}; choose from {', '.join(preset_names(buildings))}")
    return buildings[key]


# --------------------------------------------------------------------------- weather and sun


@dataclass
class Site:
    """Hourly weather with the sun position computed once, plus a cache of
    plane-of-array irradiance per (tilt, azimuth). Build it with
    :meth:`from_weather` and pass it to :func:`simulate` repeatedly."""

    index: pd.DatetimeIndex
    temp_air: np.ndarray
    dni: np.ndarray
    ghi: np.ndarray
    dhi: np.ndarray
    sky_temperature: np.ndarray
    air_pressure: np.ndarray
    ground_temperature: np.ndarray
    solar_zenith: np.ndarray
    solar_azimuth: np.ndarray
    dni_extra: np.ndarray
    albedo: float = 0.2
    model: str = "perez"
    name: str = ""
    wind_speed: np.ndarray | None = None
    wind_direction: np.ndarray | None = None
    _poa: dict[tuple[float, float], pd.DataFrame] = field(default_factory=dict, repr=False)

    @classmethod
    def from_weather(cls, weather: Any, albedo: float = 0.2, model: str = "perez") -> Site:
        """From a :class:`climatevis.epw.Weather` (sub-hourly records are averaged to hours).

        Missing radiation counts as 0, missing temperatures are interpolated;
        without infrared data the sky is taken 11 K below the air (ISO 13790
        §11.4.6); without ground temperatures the ground is at the annual mean
        air temperature.
        """
        data = weather.data
        rph = int(getattr(weather, "records_per_hour", 1) or 1)
        if rph > 1:
            data = data.select_dtypes("number").groupby(np.arange(len(data)) // rph).mean()
            data.index = weather.data.index[::rph]
        index = pd.DatetimeIndex(data.index)
        if len(index) < 24 * 7:
            raise BuildingError(f"weather {weather.source_name}: needs at least a week of hourly data, got {len(index)} h")

        def column(name: str, fill: float | None = None) -> np.ndarray:
            if name not in data:
                if fill is None:
                    raise BuildingError(f"weather {weather.source_name}: missing column {name!r}")
                return np.full(len(index), fill)
            s = data[name].astype(float)
            if fill is None:
                if s.isna().all():
                    raise BuildingError(f"weather {weather.source_name}: column {name!r} has no values")
                s = s.interpolate(limit_direction="both")
            return s.fillna(fill if fill is not None else 0.0).to_numpy()

        # EPW temperatures are instantaneous at the end of each hour; the hour's mean (what the
        # hourly balance needs, and what EnergyPlus interpolates) is the mean of both ends.
        temp_end = column("temp_air")
        temp_air = 0.5 * (temp_end + np.roll(temp_end, 1))
        loc = weather.location
        pressure_default = 101325.0 * (1 - 2.25577e-5 * loc.elevation) ** 5.25588
        pressure = column("atmospheric_pressure", pressure_default)
        pressure = np.where(np.isfinite(pressure) & (pressure > 30000), pressure, pressure_default)
        ir = data["ghi_infrared"].to_numpy(dtype=float) if "ghi_infrared" in data else np.full(len(index), np.nan)
        sky = np.where(np.isfinite(ir) & (ir > 50), (np.maximum(ir, 0) / SIGMA) ** 0.25 - 273.15, temp_end - 11.0)
        ground = _ground_temperature(weather, index, temp_air)
        # EPW wind speed [m/s] at 10 m, read like the temperature (values at the hour's end, mean of
        # both ends); without it, ISO 6946's reference 4 m/s
        wind = column("wind_speed", 4.0)
        wind = np.where(np.isfinite(wind) & (wind >= 0), wind, 4.0)
        wind = 0.5 * (wind + np.roll(wind, 1))
        wdir = column("wind_direction", 180.0)
        times = solar.weather_times(index, 1)
        pos = solar.solar_position(times, loc.latitude, loc.longitude, altitude=loc.elevation)
        dni_extra = np.asarray(solar.extraterrestrial_radiation(times), dtype=float)
        return cls(
            index=index, temp_air=temp_air, dni=column("dni", 0.0), ghi=column("ghi", 0.0),
            dhi=column("dhi", 0.0), sky_temperature=sky, air_pressure=pressure, ground_temperature=ground,
            solar_zenith=pos["apparent_zenith"].to_numpy(), solar_azimuth=pos["azimuth"].to_numpy(),
            dni_extra=dni_extra, albedo=albedo, model=model,
            name=f"{loc.city}, {loc.country}", wind_speed=wind, wind_direction=wdir,
        )

    def poa(self, surface_tilt: float, surface_azimuth: float) -> pd.DataFrame:
        """Plane-of-array irradiance [W/m²] and aoi [deg] (cached)."""
        key = (round(float(surface_tilt), 6), round(float(surface_azimuth) % 360.0, 6))
        if key not in self._poa:
            self._poa[key] = solar.poa_irradiance(
                key[0], key[1], self.solar_zenith, self.solar_azimuth, self.dni, self.ghi, self.dhi,
                dni_extra=self.dni_extra, albedo=self.albedo, model=self.model,
            ).fillna(0.0)
        return self._poa[key]


def _ground_temperature(weather: Any, index: pd.DatetimeIndex, temp_air: np.ndarray) -> np.ndarray:
    records = [g for g in getattr(weather, "ground_temperatures", []) or []
               if len(g.get("monthly", [])) == 12 and all(np.isfinite(g["monthly"]))]
    if records:
        shallow = min(records, key=lambda g: g["depth"])
        return np.asarray(shallow["monthly"], dtype=float)[index.month.to_numpy() - 1]
    return np.full(len(index), float(np.nanmean(temp_air)))


# --------------------------------------------------------------------------- simulation


@dataclass
class Result:
    """Hourly results of :func:`simulate`.

    ``hourly`` columns: temperatures [°C] ``temp_out``, ``temp_air``,
    ``temp_surface``, ``temp_mass``, ``temp_operative``, ``heating_setpoint``,
    ``cooling_setpoint``; heat flows into the zone [W] ``heating``,
    ``cooling`` (both ≥ 0; cooling removes heat), ``transmission_windows``,
    ``transmission_opaque``, ``ventilation``, ``solar_windows`` (net of the
    share reflected back out, :func:`solar_reflected_out`), ``solar_opaque``, ``sky_radiation``, ``window_radiant_loss`` (the share
    ``Htr,w/(9.1·At)`` of radiant gains that ISO 13790 eq. C.3 sends back out
    through the windows), ``internal``, ``storage`` (heat released by the
    mass). Per hour::

        transmission_windows + transmission_opaque + ventilation + solar_windows
        + solar_opaque + sky_radiation + window_radiant_loss + internal
        + heating - cooling + storage = 0
    """

    building: Building
    hourly: pd.DataFrame
    site_name: str = ""

    FLOWS = ("transmission_windows", "transmission_opaque", "ventilation", "solar_windows", "solar_opaque",
             "sky_radiation", "window_radiant_loss", "internal", "heating", "cooling", "storage")

    @property
    def heating_kwh(self) -> float:
        return float(self.hourly["heating"].sum() / 1000.0)

    @property
    def cooling_kwh(self) -> float:
        return float(self.hourly["cooling"].sum() / 1000.0)

    def summary(self) -> dict[str, float]:
        """Annual figures: ``heating_kwh, cooling_kwh, peak_heating_kw, peak_cooling_kw,
        heating_kwh_m2, cooling_kwh_m2`` (per m² of Af) and indoor temperature range [°C]."""
        af = self.building.floor_area
        h = self.hourly
        return {
            "heating_kwh": self.heating_kwh,
            "cooling_kwh": self.cooling_kwh,
            "peak_heating_kw": float(h["heating"].max() / 1000.0),
            "peak_cooling_kw": float(h["cooling"].max() / 1000.0),
            "heating_kwh_m2": self.heating_kwh / af,
            "cooling_kwh_m2": self.cooling_kwh / af,
            "floor_area_m2": af,
            "temp_air_min": float(h["temp_air"].min()),
            "temp_air_max": float(h["temp_air"].max()),
        }

    def monthly(self) -> pd.DataFrame:
        """Monthly energy balance [kWh]: one column per heat flow (gains positive, losses negative;
        cooling negative), indexed by month number."""
        flows = self.hourly[list(self.FLOWS)].copy()
        flows["cooling"] = -flows["cooling"]
        return flows.groupby(self.hourly.index.month).sum() / 1000.0


def _hourly_setpoints(b: Building, hours: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n = len(hours)
    heat = np.full(n, -np.inf) if b.heating_setpoint is None else np.full(n, float(b.heating_setpoint))
    if b.heating_setpoint is not None and b.setback_setpoint is not None:
        start, end = b.setback_hours
        night = (hours >= start) | (hours < end) if start > end else (hours >= start) & (hours < end)
        heat[night] = b.setback_setpoint
    cool = np.full(n, np.inf) if b.cooling_setpoint is None else np.full(n, float(b.cooling_setpoint))
    return heat, cool


@dataclass
class _Envelope:
    """Hourly exterior surface resistances [m²K/W] and element conductances [W/K]."""

    rse_wall: np.ndarray
    rse_roof: np.ndarray
    rse_glass: dict[str, np.ndarray]
    u_wall: np.ndarray
    u_roof: np.ndarray
    h_windows: np.ndarray
    h_outdoor: np.ndarray
    h_ground: float

    def u_window(self, b: Building, orientation: str) -> np.ndarray:
        return _film_corrected(b.window(orientation).u_value, b.external_resistance, self.rse_glass[orientation])


def _film_corrected(u_value: float, rse_stated: float, rse: np.ndarray) -> np.ndarray:
    """U [W/(m²K)] stated with ``rse_stated`` after replacing that film by ``rse`` [m²K/W]."""
    return 1.0 / (1.0 / u_value - rse_stated + rse)


def _envelope(b: Building, site: Site) -> _Envelope:
    n = len(site.index)
    rse0 = b.external_resistance
    rse_glass = {o: np.full(n, rse0) for o in ORIENTATIONS}
    if b.exterior_films == "fixed" or site.wind_speed is None:
        rse_wall = rse_roof = np.full(n, rse0)
    else:  # hourly films with the wind next to the facades and the roof
        height = b.storey_height * b.storeys
        v_facade = wind_speed_at_height(site.wind_speed, 0.5 * height)
        v_roof = wind_speed_at_height(site.wind_speed, height)
        rse_wall = exterior_surface_resistance(v_facade, site.temp_air, b.emissivity)
        rse_roof = exterior_surface_resistance(v_roof, site.temp_air, b.emissivity)
        wind_from = site.wind_direction if site.wind_direction is not None else np.full(n, np.nan)
        inside = b.heating_setpoint if b.heating_setpoint is not None else 20.0
        for o in ORIENTATIONS:
            w = b.window(o)
            if w.area <= 0:
                continue
            # windward: the wind blows from within 90° of the facade's normal
            windward = np.abs((wind_from - b.facade_azimuth(o) + 180.0) % 360.0 - 180.0) <= 90.0
            # glass-to-air difference of the steady state with the stated film
            glass_dt = rse0 * w.u_value * np.abs(inside - site.temp_air)
            rse_glass[o] = glazing_exterior_resistance(v_facade, site.temp_air, windward, glass_dt)
    u_wall = _film_corrected(b.u_wall, rse0, rse_wall)
    u_roof = _film_corrected(b.u_roof, rse0, rse_roof)
    h_windows = sum((_film_corrected(b.window(o).u_value, rse0, rse_glass[o]) * b.window(o).area
                     for o in ORIENTATIONS if b.window(o).area > 0), np.zeros(n))
    h_outdoor = u_wall * b.opaque_wall_area + b.thermal_bridge * b.envelope_area
    h_ground = 0.0
    if b.roof_boundary == "outdoor":
        h_outdoor = h_outdoor + u_roof * b.roof_area
    if b.floor_boundary == "outdoor":
        h_outdoor = h_outdoor + _film_corrected(b.u_floor, rse0, rse_wall) * b.roof_area
    elif b.floor_boundary == "ground":
        h_ground = b.u_floor * b.roof_area
    return _Envelope(rse_wall, rse_roof, rse_glass, u_wall, u_roof, h_windows, h_outdoor, h_ground)


#: Form factor to the sky of a vertical surface, F_r (ISO 13790 §11.4.6: 0.5 = its view factor),
#: times Walton's share β = √0.5 of that view that radiates at the sky temperature: the EPW's
#: infrared is hemispherical, and the sky near the horizon radiates close to air temperature
#: (Walton 1983, TARP; EnergyPlus Engineering Reference, "External Longwave Radiation").
_F_SKY_VERTICAL = 0.5 * math.sqrt(0.5)


def _solar_and_sky(b: Building, site: Site, env: _Envelope) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(window solar gains, opaque solar gains, sky radiation) [W], ISO 13790 §11.3."""
    n = len(site.index)
    win = np.zeros(n)
    opaque = np.zeros(n)
    sky_loss = np.zeros(n)
    dtheta = site.temp_air - site.sky_temperature
    t_mean = 0.5 * (site.temp_air + site.sky_temperature) + 273.15
    hr_unit = 4.0 * SIGMA * t_mean**3  # h_r / ε, EN ISO 6946 Annex C
    diffuse_angles = np.stack(solar.diffuse_incidence_angles(90.0))  # sky, ground on a facade [deg]
    glazed = transmitting = 0.0  # glass area and its diffuse transmitting area [m²]
    for o in ORIENTATIONS:
        w = b.window(o)
        opaque_area = b.wall_area(o) - w.area
        if w.area <= 0 and opaque_area <= 0:
            continue
        poa = site.poa(90.0, b.facade_azimuth(o))
        if w.area > 0:
            kl = w.extinction_thickness
            f_sky, f_ground = glazing_angular_factor(diffuse_angles, w.panes, extinction_thickness=kl)
            tau = (poa["poa_direct"].to_numpy() * glazing_angular_factor(poa["aoi"].to_numpy(), w.panes,
                                                                          extinction_thickness=kl)
                   + poa["poa_sky_diffuse"].to_numpy() * f_sky + poa["poa_ground_diffuse"].to_numpy() * f_ground)
            win += w.shading_factor * (1.0 - w.frame_fraction) * w.area * w.g_value * tau
            sky_loss += _F_SKY_VERTICAL * env.rse_glass[o] * env.u_window(b, o) * w.area * GLASS_EMISSIVITY \
                * hr_unit * dtheta
            glass = w.area * (1.0 - w.frame_fraction)
            glazed += glass
            transmitting += glass * w.g_value * float(f_sky)
        if opaque_area > 0:
            rse_u = env.rse_wall * env.u_wall * opaque_area
            opaque += b.absorptance_wall * rse_u * poa["poa_global"].to_numpy()
            sky_loss += _F_SKY_VERTICAL * rse_u * b.emissivity * hr_unit * dtheta
    win *= 1.0 - solar_reflected_out(b.interior_solar_absorptance, glazed, transmitting, b.internal_area)
    if b.roof_boundary == "outdoor":
        rse_u = env.rse_roof * env.u_roof * b.roof_area
        opaque += b.absorptance_roof * rse_u * site.ghi
        sky_loss += 1.0 * rse_u * b.emissivity * hr_unit * dtheta
    return win, opaque, -sky_loss


def simulate(building: Building, weather: Any, *, warmup_hours: int = 336) -> Result:
    """Hourly 5R1C simulation of ``building`` for a year of ``weather``.

    ``weather`` is a :class:`climatevis.epw.Weather` or a :class:`Site` (reuse
    a ``Site`` to skip the sun-position and irradiance work on repeated
    runs). The mass temperature is initialised by simulating the last
    ``warmup_hours`` of the year first (a typical year is cyclic).
    """
    b = building
    site = weather if isinstance(weather, Site) else Site.from_weather(weather)
    n = len(site.index)
    hours = site.index.hour.to_numpy()
    af = b.floor_area
    theta_e = site.temp_air

    # --- conductances (ISO 13790 §7-9, §12.2.2), hourly with the exterior films
    env = _envelope(b, site)
    h_out, h_ground = env.h_outdoor, env.h_ground
    h_op = h_out + h_ground
    h_ms = 9.1 * b.mass_area
    h_is = 3.45 * b.internal_area
    h_w = env.h_windows
    with np.errstate(divide="ignore"):
        h_em = np.where(h_op > 0, 1.0 / (1.0 / np.maximum(h_op, 1e-12) - 1.0 / h_ms), 0.0)
    theta_e_op = theta_e if h_ground == 0 else (h_out * theta_e + h_ground * site.ground_temperature) / h_op
    if b.air_heat_capacity is None:  # ρ = p/(R·T), c_p = 1006 J/(kgK)
        rho_c = site.air_pressure / (287.05 * (theta_e + 273.15)) * 1006.0
    else:
        rho_c = np.full(n, b.air_heat_capacity)
    # heat recovery with bypass: it works while the outdoor air is below the heating or above
    # the cooling set point; in between the unit bypasses (free cooling at night)
    recovering = (theta_e < (b.heating_setpoint if b.heating_setpoint is not None else 20.0)) | (
        theta_e > (b.cooling_setpoint if b.cooling_setpoint is not None else 26.0))
    airflow = b.volume * (b.infiltration_ach + b.ventilation_ach * (1.0 - b.heat_recovery * recovering))
    h_ve = rho_c * airflow / 3600.0
    theta_sup = theta_e
    cm = b.heat_capacity_total

    # --- gains (ISO 13790 eq. C.1-C.3, generalised convective split)
    profile = np.ones(24) if b.gains_profile is None else np.asarray(b.gains_profile, dtype=float)
    phi_int = b.internal_gains * af * profile[hours]
    sol_win, sol_op, sky = _solar_and_sky(b, site, env)
    phi_sol = sol_win + sol_op + sky
    phi_ia = b.convective_fraction * phi_int
    radiant = (1.0 - b.convective_fraction) * phi_int + phi_sol
    at = b.internal_area
    phi_m = b.mass_area / at * radiant
    phi_st = (1.0 - b.mass_area / at - h_w / (9.1 * at)) * radiant

    # --- affine coefficients: θm,t = A·θm,t-1 + B + C·Φ ; θair = a3·θm,t-1 + b3 + c3·Φ
    h1 = h_ve * h_is / (h_ve + h_is)  # eq. C.6 without dividing by Hve (Hve may be 0)
    k1 = h_is / (h_ve + h_is)         # = H1 / Hve
    h2 = h1 + h_w
    h3 = 1.0 / (1.0 / h2 + 1.0 / h_ms) if np.all(h2 > 0) else h2 * h_ms / (h2 + h_ms)
    c_dt = cm / 3600.0
    den = c_dt + 0.5 * (h3 + h_em)
    big_a = (c_dt - 0.5 * (h3 + h_em)) / den
    src_st = phi_st + h_w * theta_e + h1 * theta_sup + k1 * phi_ia   # eq. C.5 numerator, Φ = 0
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(h2 > 0, h3 / h2, 0.0)
    big_b = (phi_m + h_em * theta_e_op + ratio * src_st) / den
    big_c = ratio * k1 / den
    a1, b1, c1 = 0.5 * (1.0 + big_a), 0.5 * big_b, 0.5 * big_c        # θm = (θm,t + θm,t-1)/2
    s = h_ms + h_w + h1
    a2, b2, c2 = h_ms * a1 / s, (h_ms * b1 + src_st) / s, (h_ms * c1 + k1) / s  # eq. C.10
    a3 = h_is * a2 / (h_is + h_ve)                                   # eq. C.11
    b3 = (h_is * b2 + h_ve * theta_sup + phi_ia) / (h_is + h_ve)
    c3 = (h_is * c2 + 1.0) / (h_is + h_ve)

    set_h, set_c = _hourly_setpoints(b, hours)
    cap_h = math.inf if b.heating_capacity is None else float(b.heating_capacity)
    cap_c = math.inf if b.cooling_capacity is None else float(b.cooling_capacity)
    probe = 10.0 * af  # ISO 13790 C.4.2 step 2: 10 W/m² of floor area

    A, B, C = big_a.tolist(), big_b.tolist(), big_c.tolist()
    a3l, b3l, c3l = a3.tolist(), b3.tolist(), c3.tolist()
    sh, sc = set_h.tolist(), set_c.tolist()
    start = np.array(b.heating_setpoint if b.heating_setpoint is not None else 20.0)
    theta = float(np.clip(start, np.min(theta_e), np.max(theta_e) + 20))
    order = list(range(max(0, n - warmup_hours), n)) + list(range(n))
    power = [0.0] * n
    mass_start = [0.0] * n
    for step, t in enumerate(order):
        th0 = a3l[t] * theta + b3l[t]                 # step 1: free floating
        if th0 < sh[t]:
            th10 = th0 + c3l[t] * probe               # step 2: 10 W/m² probe
            phi = min(probe * (sh[t] - th0) / (th10 - th0), cap_h)
        elif th0 > sc[t]:
            th10 = th0 + c3l[t] * probe
            phi = max(probe * (sc[t] - th0) / (th10 - th0), -cap_c)
        else:
            phi = 0.0
        if step >= len(order) - n:
            power[t] = phi
            mass_start[t] = theta
        theta = A[t] * theta + B[t] + C[t] * phi

    phi_hc = np.asarray(power)
    th_prev = np.asarray(mass_start)
    th_end = big_a * th_prev + big_b + big_c * phi_hc
    th_m = 0.5 * (th_prev + th_end)
    th_s = a2 * th_prev + b2 + c2 * phi_hc
    th_air = a3 * th_prev + b3 + c3 * phi_hc
    hourly = pd.DataFrame(
        {
            "temp_out": theta_e,
            "temp_air": th_air,
            "temp_surface": th_s,
            "temp_mass": th_m,
            "temp_operative": 0.3 * th_air + 0.7 * th_s,  # ISO 13790 eq. C.12
            "heating_setpoint": set_h,
            "cooling_setpoint": set_c,
            "heating": np.maximum(phi_hc, 0.0),
            "cooling": np.maximum(-phi_hc, 0.0),
            "transmission_windows": h_w * (theta_e - th_s),
            "transmission_opaque": h_em * (theta_e_op - th_m),
            "ventilation": h_ve * (theta_sup - th_air),
            "solar_windows": sol_win,
            "solar_opaque": sol_op,
            "sky_radiation": sky,
            "window_radiant_loss": -h_w / (9.1 * at) * radiant,
            "internal": phi_int,
            "storage": -cm * (th_end - th_prev) / 3600.0,
        },
        index=site.index,
    )
    return Result(building=b, hourly=hourly, site_name=site.name)


def energy_balance_residual(result: Result) -> np.ndarray:
    """Hourly sum of all heat flows into the zone [W]; zero up to round-off."""
    h = result.hourly
    total = sum(h[c].to_numpy() for c in Result.FLOWS if c != "cooling")
    return total - h["cooling"].to_numpy()


# --------------------------------------------------------------------------- reporting helpers


def energy_class(heating_kwh_m2: float) -> str:
    """Austrian energy-certificate class of a heating demand [kWh/(m²a)] (:data:`HWB_CLASSES`)."""
    for label, upper in HWB_CLASSES:
        if heating_kwh_m2 <= upper:
            return label
    return HWB_CLASSES[-1][0]


def overheating_hours(result: Result, threshold: float = 26.0, column: str = "temp_operative") -> int:
    """Hours per year with ``column`` [°C] above ``threshold`` [°C]."""
    return int((result.hourly[column] > threshold).sum())


def load_duration(result: Result) -> pd.DataFrame:
    """Heating and cooling power [kW] sorted in descending order, with the hour rank (1 = peak)."""
    h = result.hourly
    return pd.DataFrame({
        "hours": np.arange(1, len(h) + 1),
        "heating_kw": np.sort(h["heating"].to_numpy())[::-1] / 1000.0,
        "cooling_kw": np.sort(h["cooling"].to_numpy())[::-1] / 1000.0,
    })
