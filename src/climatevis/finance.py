"""PV economics for a self-consumer, with the definitions of NREL SAM's
residential/commercial financial model (SSC ``cashloan``), without loan or taxes.

Conventions (Blair et al. 2014, *System Advisor Model, SAM 2014.1.14: General
Description*, NREL/TP-6A20-61019, and SAM help "Financial Parameters",
"Cash Flow", "Metrics"):

* Year 0 holds the investment; years 1…N the operation. Money is nominal.
* Escalation rates are *above inflation* and add to it: a year-1 value ``v``
  becomes ``v (1 + inflation + escalation)^(n−1)`` in year n (SSC
  ``escal_or_annual``).
* Nominal discount rate ``d_n = (1 + d_r)(1 + inflation) − 1`` from the real
  rate ``d_r``.
* Degradation compounds: year-n energy = year-1 energy · (1 − δ)^(n−1).
* NPV = ``CF_0 + Σ CF_n / (1 + d_n)^n`` of the after-tax cash flow (here:
  bill savings + feed-in revenue − O&M; year 0: −investment).
* IRR: the rate that makes that NPV zero.
* LCOE: present value of costs (investment, O&M) at ``d_n`` over the present
  value of energy — discounted at ``d_n`` for the nominal LCOE and at ``d_r``
  for the real LCOE.
* Payback: the first year n whose cumulative cash flow is positive, minus the
  fraction of that year still needed, ``n − cum_n / CF_n``; the discounted
  payback uses cash flows discounted at ``d_n``. NaN when never reached.

Self-consumption is computed hour by hour: the PV energy that the load uses at
the same hour; the rest is exported. Standard load profiles (BDEW H0 household,
G1 commercial/office) are built by :func:`load_profile` from
``data/examples/load_profiles_bdew.csv``.

numpy/pandas only (runs in Pyodide).
"""

from __future__ import annotations

import dataclasses
import io
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = [
    "LOAD_PROFILE_FILE",
    "Economics",
    "FinanceError",
    "FinanceResult",
    "austrian_holidays",
    "evaluate",
    "irr",
    "load_profile",
    "npv",
    "payback_period",
    "read_load_profiles",
    "self_consumption",
]

LOAD_PROFILE_FILE = "load_profiles_bdew.csv"


class FinanceError(ValueError):
    """Bad economic inputs (the message names the field)."""


@dataclass(frozen=True)
class Economics:
    """Economic assumptions; defaults are illustrative values for a small
    Austrian rooftop system bought in 2025 (EUR, editable):

    capex_per_kwp : turnkey price [EUR/kWp] (residential 5-10 kWp, VAT-free since 2024)
    subsidy : one-off grant at year 0 [EUR]
    om_per_kwp_year : operation and maintenance in year 1 [EUR/kWp/a]
    electricity_price : retail price the self-consumed energy saves, year 1 [EUR/kWh]
    feed_in_tariff : price paid for exported energy, year 1 [EUR/kWh]
    *_escalation : annual escalation above inflation [%/a] (SAM's convention; the
        default −2 % for the feed-in tariff with 2 % inflation keeps it fixed in
        nominal terms, 0 % for electricity lets it follow inflation)
    inflation : [%/a]; discount_rate : real discount rate [%/a]
    degradation : annual PV output decline [%/a, compounding]
    lifetime : analysis period [a]
    grid_co2_kg_per_kwh : emission factor of the grid electricity PV displaces [kg/kWh]
    """

    capex_per_kwp: float = 1400.0
    subsidy: float = 0.0
    om_per_kwp_year: float = 20.0
    om_escalation: float = 0.0
    electricity_price: float = 0.30
    electricity_escalation: float = 0.0
    feed_in_tariff: float = 0.07
    feed_in_escalation: float = -2.0
    inflation: float = 2.0
    discount_rate: float = 3.0
    degradation: float = 0.5
    lifetime: int = 25
    grid_co2_kg_per_kwh: float = 0.2

    def __post_init__(self):
        def need(name, lo, hi):
            v = getattr(self, name)
            try:
                v = float(v)
            except (TypeError, ValueError):
                raise FinanceError(f"{name} must be a number, got {getattr(self, name)!r}") from None
            if not np.isfinite(v) or not (lo <= v <= hi):
                raise FinanceError(f"{name} must be between {lo:g} and {hi:g}, got {v:g}")

        need("capex_per_kwp", 0, 1e5)
        need("subsidy", 0, 1e9)
        need("om_per_kwp_year", 0, 1e4)
        need("electricity_price", 0, 10)
        need("feed_in_tariff", 0, 10)
        for name in ("om_escalation", "electricity_escalation", "feed_in_escalation"):
            need(name, -50, 50)
        need("inflation", -10, 50)
        need("discount_rate", -10, 50)
        need("degradation", 0, 20)
        need("grid_co2_kg_per_kwh", 0, 5)
        if int(self.lifetime) != self.lifetime or not (1 <= self.lifetime <= 60):
            raise FinanceError(f"lifetime must be a whole number of years between 1 and 60, got {self.lifetime}")

    def replace(self, **changes) -> Economics:
        return dataclasses.replace(self, **changes)

    @property
    def nominal_discount_rate(self) -> float:
        """``(1 + d_r)(1 + i) − 1`` [fraction]."""
        return (1 + self.discount_rate / 100) * (1 + self.inflation / 100) - 1


# --------------------------------------------------------------------------- financial maths


def npv(rate: float, cash_flows) -> float:
    """Net present value of ``cash_flows`` (index 0 = now, not discounted) at ``rate`` [fraction]."""
    cf = np.asarray(cash_flows, dtype=float)
    return float(np.sum(cf / (1.0 + rate) ** np.arange(cf.size)))


def irr(cash_flows) -> float:
    """Internal rate of return [fraction]: the real root ``r > −1`` of
    ``Σ CF_n (1+r)^−n = 0`` closest to zero (the choice numpy-financial makes);
    NaN when there is none."""
    cf = np.asarray(cash_flows, dtype=float)
    if cf.size < 2 or np.all(cf >= 0) or np.all(cf <= 0):
        return float("nan")
    # polynomial in x = 1/(1+r): Σ CF_n x^n
    roots = np.roots(cf[::-1])
    real = roots[(np.abs(roots.imag) < 1e-9) & (roots.real > 0)].real
    if real.size == 0:
        return float("nan")
    rates = 1.0 / real - 1.0
    return float(rates[np.argmin(np.abs(rates))])


def payback_period(cash_flows) -> float:
    """SAM's payback [years]: first year n ≥ 1 with a positive cumulative cash
    flow, minus the part of that year not needed: ``n − cum_n / CF_n``."""
    cf = np.asarray(cash_flows, dtype=float)
    cum = np.cumsum(cf)
    hits = np.flatnonzero(cum[1:] > 0)
    if hits.size == 0:
        return float("nan")
    n = hits[0] + 1
    return float(n - cum[n] / cf[n]) if cf[n] != 0 else float(n)


# --------------------------------------------------------------------------- load profiles


def _easter(year: int) -> pd.Timestamp:
    """Gregorian Easter Sunday (anonymous algorithm, Meeus 1998 ch. 8)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    ll = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ll) // 451
    month = (h + ll - 7 * m + 114) // 31
    day = (h + ll - 7 * m + 114) % 31 + 1
    return pd.Timestamp(year=year, month=month, day=day)


def austrian_holidays(year: int) -> list[pd.Timestamp]:
    """Austrian public holidays (Feiertagsruhegesetz 1957) of ``year``."""
    easter = _easter(year)
    fixed = [(1, 1), (1, 6), (5, 1), (8, 15), (10, 26), (11, 1), (12, 8), (12, 25), (12, 26)]
    days = [pd.Timestamp(year=year, month=m, day=d) for m, d in fixed]
    days += [easter + pd.Timedelta(days=k) for k in (1, 39, 50, 60)]  # Easter/Whit Monday, Ascension, Corpus Christi
    return sorted(days)


def read_load_profiles(source: bytes | str) -> pd.DataFrame:
    """The typical-day table (``season, day_type, hour`` → profile columns, W
    per 1 000 kWh/a) from the bytes or text of ``load_profiles_bdew.csv``."""
    text = source.decode("utf-8") if isinstance(source, bytes) else source
    table = pd.read_csv(io.StringIO(text), comment="#")
    need = {"season", "day_type", "hour"}
    if not need <= set(table.columns):
        raise FinanceError(f"load profile table needs columns {sorted(need)}, got {list(table.columns)}")
    return table.set_index(["season", "day_type", "hour"])


def _bdew_season(month: np.ndarray, day: np.ndarray) -> np.ndarray:
    # BDEW: winter 1 Nov - 20 Mar, summer 15 May - 14 Sep, transition otherwise
    md = month * 100 + day
    return np.where((md >= 1101) | (md <= 320), "winter", np.where((md >= 515) & (md <= 914), "summer", "transition"))


def load_profile(table: pd.DataFrame, kind: str, index: pd.DatetimeIndex, annual_kwh: float,
                 year: int = 2025, holidays: list[pd.Timestamp] | None = None) -> pd.Series:
    """Hourly electricity demand [kWh per record] from a BDEW standard load profile.

    Each record of ``index`` (month, day, hour; its own years are ignored, as
    TMY years are mixed) is placed in calendar ``year`` to get its day type:
    workday, Saturday (also 24 and 31 December) or Sunday/public holiday
    (``holidays``, default :func:`austrian_holidays`). The BDEW H0 profile
    is multiplied by the dynamisation polynomial
    ``F(t) = −3.92e−10 t⁴ + 3.2e−7 t³ − 7.02e−5 t² + 2.1e−3 t + 1.24``
    (t = day of year; VDEW 2000, *Anwendung der Repräsentativen VDEW-Lastprofile*).
    The result is scaled to ``annual_kwh`` over the records.
    """
    if kind not in table.columns:
        raise FinanceError(f"unknown load profile {kind!r}; available: {', '.join(table.columns)}")
    if not (np.isfinite(annual_kwh) and annual_kwh >= 0):
        raise FinanceError(f"annual_kwh must be ≥ 0, got {annual_kwh}")
    month, day, hour = index.month.to_numpy(), index.day.to_numpy(), index.hour.to_numpy()
    day = np.where((month == 2) & (day == 29), 28, day)
    dates = pd.to_datetime({"year": year, "month": month, "day": day})
    weekday = dates.dt.day_of_week.to_numpy()
    hol = {pd.Timestamp(h).normalize() for h in (holidays if holidays is not None else austrian_holidays(year))}
    is_holiday = dates.isin(hol).to_numpy()
    saturday_like = (weekday == 5) | (((month == 12) & np.isin(day, (24, 31))) & (weekday != 6))
    day_type = np.where((weekday == 6) | is_holiday, "sunday", np.where(saturday_like, "saturday", "workday"))
    season = _bdew_season(month, day)
    keys = pd.MultiIndex.from_arrays([season, day_type, hour])
    watts = table[kind].reindex(keys).to_numpy(dtype=float)
    if kind == "h0":
        t = dates.dt.day_of_year.to_numpy(dtype=float)
        watts = watts * (-3.92e-10 * t**4 + 3.2e-7 * t**3 - 7.02e-5 * t**2 + 2.1e-3 * t + 1.24)
    total = watts.sum()
    values = watts * (annual_kwh / total) if total > 0 else np.zeros_like(watts)
    return pd.Series(values, index=index, name=f"load_{kind}_kwh")


# --------------------------------------------------------------------------- evaluation


def self_consumption(pv_kwh, load_kwh) -> dict:
    """Hour-by-hour split of PV energy [kWh per record]: used on site
    (``min(pv, load)``), exported and imported; shares of PV used on site
    (self-consumption) and of the load covered (autarky)."""
    pv = np.asarray(pv_kwh, dtype=float)
    load = np.asarray(load_kwh, dtype=float)
    if pv.shape != load.shape:
        raise FinanceError(f"PV and load series differ in length ({pv.size} vs {load.size} records)")
    used = np.minimum(pv, load)
    return {
        "self_consumed_kwh": float(used.sum()),
        "exported_kwh": float((pv - used).sum()),
        "imported_kwh": float((load - used).sum()),
        "self_consumption_share": float(used.sum() / pv.sum()) if pv.sum() > 0 else 0.0,
        "autarky": float(used.sum() / load.sum()) if load.sum() > 0 else 0.0,
    }


@dataclass
class FinanceResult:
    """Yearly cash flows (nominal EUR) and SAM's metrics."""

    cash_flows: pd.DataFrame
    npv: float
    irr: float
    lcoe_nominal: float
    lcoe_real: float
    payback: float
    discounted_payback: float
    self_consumption_share: float
    autarky: float
    co2_avoided_t_year1: float
    co2_avoided_t_lifetime: float
    investment: float

    def summary(self) -> dict:
        return {
            "investment_eur": self.investment,
            "npv_eur": self.npv,
            "irr": self.irr,
            "lcoe_nominal_eur_per_kwh": self.lcoe_nominal,
            "lcoe_real_eur_per_kwh": self.lcoe_real,
            "payback_years": self.payback,
            "discounted_payback_years": self.discounted_payback,
            "self_consumption_share": self.self_consumption_share,
            "autarky": self.autarky,
            "co2_avoided_t_year1": self.co2_avoided_t_year1,
            "co2_avoided_t_lifetime": self.co2_avoided_t_lifetime,
        }


def evaluate(pv_kwh, load_kwh, kwp: float, economics: Economics | None = None) -> FinanceResult:
    """Cash flows and metrics of a PV system over its lifetime.

    Parameters
    ----------
    pv_kwh : array-like, PV AC energy per record of year 1 [kWh] (e.g.
        ``PVResult.ac / 1000`` for hourly data).
    load_kwh : array-like, demand per record [kWh], same length (zeros: all exported).
    kwp : DC nameplate [kWp] (for investment and O&M).
    economics : :class:`Economics`.
    """
    eco = economics or Economics()
    if not (np.isfinite(kwp) and kwp > 0):
        raise FinanceError(f"kwp must be greater than 0, got {kwp}")
    pv = np.asarray(pv_kwh, dtype=float)
    load = np.asarray(load_kwh, dtype=float)
    first = self_consumption(pv, load)
    years = np.arange(1, int(eco.lifetime) + 1)
    factor = (1 - eco.degradation / 100) ** (years - 1)
    # self-consumption per year with the degraded PV profile
    used = np.array([np.minimum(pv * f, load).sum() for f in factor])
    produced = pv.sum() * factor
    exported = produced - used
    i = eco.inflation / 100
    price = eco.electricity_price * (1 + i + eco.electricity_escalation / 100) ** (years - 1)
    tariff = eco.feed_in_tariff * (1 + i + eco.feed_in_escalation / 100) ** (years - 1)
    om = eco.om_per_kwp_year * kwp * (1 + i + eco.om_escalation / 100) ** (years - 1)
    savings = used * price
    revenue = exported * tariff
    net = savings + revenue - om
    investment = eco.capex_per_kwp * kwp - eco.subsidy
    cf = np.concatenate([[-investment], net])
    d_nom = eco.nominal_discount_rate
    d_real = eco.discount_rate / 100
    disc = (1 + d_nom) ** -np.arange(cf.size)
    costs = np.concatenate([[investment], om])
    pv_costs = float(np.sum(costs * disc))
    energy = np.concatenate([[0.0], produced])
    pv_energy_nom = float(np.sum(energy * disc))
    pv_energy_real = float(np.sum(energy * (1 + d_real) ** -np.arange(cf.size)))
    table = pd.DataFrame(
        {
            "pv_kwh": np.concatenate([[0.0], produced]),
            "self_consumed_kwh": np.concatenate([[0.0], used]),
            "exported_kwh": np.concatenate([[0.0], exported]),
            "electricity_price": np.concatenate([[np.nan], price]),
            "feed_in_tariff": np.concatenate([[np.nan], tariff]),
            "bill_savings": np.concatenate([[0.0], savings]),
            "feed_in_revenue": np.concatenate([[0.0], revenue]),
            "om_cost": np.concatenate([[0.0], -om]),
            "investment": np.concatenate([[-investment], np.zeros(years.size)]),
            "cash_flow": cf,
            "cumulative": np.cumsum(cf),
            "discounted": cf * disc,
            "discounted_cumulative": np.cumsum(cf * disc),
        },
        index=pd.Index(np.arange(cf.size), name="year"),
    )
    co2 = eco.grid_co2_kg_per_kwh / 1000.0
    return FinanceResult(
        cash_flows=table,
        npv=npv(d_nom, cf),
        irr=irr(cf),
        lcoe_nominal=pv_costs / pv_energy_nom if pv_energy_nom > 0 else float("nan"),
        lcoe_real=pv_costs / pv_energy_real if pv_energy_real > 0 else float("nan"),
        payback=payback_period(cf),
        discounted_payback=payback_period(cf * disc),
        self_consumption_share=first["self_consumption_share"],
        autarky=first["autarky"],
        co2_avoided_t_year1=float(produced[0] * co2),
        co2_avoided_t_lifetime=float(produced.sum() * co2),
        investment=float(investment),
    )
