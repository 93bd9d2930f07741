"""Numbers for people: short, rounded, with units (English style, SI prefixes).

Used by the demos' key-figure cards and texts. Pure Python.
"""

from __future__ import annotations

import math

__all__ = ["energy", "json_safe", "mass", "money", "number", "percent", "position", "price_per_kwh", "years"]

_MINUS = "\u2212"


def _finite(x) -> bool:
    return x is not None and isinstance(x, (int, float)) and math.isfinite(x)


def number(x: float, digits: int = 0) -> str:
    """``12,345`` / ``−3.2``; ``–`` for missing values."""
    if not _finite(x):
        return "–"
    text = f"{abs(x):,.{digits}f}"
    return (_MINUS if x < 0 and float(text.replace(",", "")) != 0 else "") + text


def energy(kwh: float) -> str:
    """``850 kWh``, ``5,044 kWh``, ``12.3 MWh``, ``4.56 GWh``."""
    if not _finite(kwh):
        return "–"
    a = abs(kwh)
    if a >= 1e6:
        return f"{number(kwh / 1e6, 2)} GWh"
    if a >= 1e4:
        return f"{number(kwh / 1e3, 1)} MWh"
    return f"{number(kwh, 0)} kWh"


def money(amount: float, symbol: str = "€") -> str:
    """``€ 12,345``, ``−€ 1,200``, ``€ 1.23 M``."""
    if not _finite(amount):
        return "–"
    sign = _MINUS if amount < 0 else ""
    a = abs(amount)
    if a >= 1e6:
        return f"{sign}{symbol} {a / 1e6:,.2f} M"
    return f"{sign}{symbol} {a:,.0f}"


def price_per_kwh(eur_per_kwh: float) -> str:
    """``9.8 ct/kWh`` (euro cents)."""
    if not _finite(eur_per_kwh):
        return "–"
    return f"{number(eur_per_kwh * 100, 1)} ct/kWh"


def percent(fraction: float, digits: int = 0) -> str:
    """``34 %`` from 0.34."""
    if not _finite(fraction):
        return "–"
    return f"{number(fraction * 100, digits)} %"


def years(value: float, lifetime: float | None = None) -> str:
    """``9.4 years``; ``not within 25 years`` when there is none."""
    if not _finite(value):
        return f"not within {lifetime:g} years" if lifetime else "never"
    return f"{number(value, 1)} years"


def mass(tonnes: float) -> str:
    """``1.2 t``, ``850 kg``."""
    if not _finite(tonnes):
        return "–"
    if abs(tonnes) < 1:
        return f"{number(tonnes * 1000, 0)} kg"
    return f"{number(tonnes, 1)} t"


def position(latitude: float, longitude: float) -> str:
    """``48.12° N, 16.57° E`` / ``39.83° N, 104.65° W`` from degrees north and east."""
    return (f"{abs(latitude):.2f}° {'N' if latitude >= 0 else 'S'}, "
            f"{abs(longitude):.2f}° {'E' if longitude >= 0 else 'W'}")


def json_safe(value):
    """``value`` with NaN/±inf as ``None`` and numpy scalars as Python numbers, recursively
    through dicts, lists and tuples: what ``json.dumps`` can write as standard JSON."""
    if hasattr(value, "item") and not isinstance(value, (list, tuple, dict)) and getattr(value, "shape", None) == ():
        value = value.item()  # numpy scalar
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: json_safe(x) for k, x in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(x) for x in value]
    return value
