"""climatevis.finance against numpy-financial and hand computations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from climatevis import finance
from climatevis.assets import read_data_file
from tests.harness import ROOT

npf = pytest.importorskip("numpy_financial")

HOURS = pd.date_range("2019-01-01", periods=8760, freq="h", tz="Etc/GMT-1")


@pytest.fixture(scope="module")
def profiles():
    return finance.read_load_profiles(read_data_file(ROOT / "notebooks" / "demos", finance.LOAD_PROFILE_FILE))


def synthetic_pv(kwp=5.0):
    """A clear-sky-like daily bell, larger in summer [kWh per hour]."""
    hour = HOURS.hour.to_numpy()
    doy = HOURS.day_of_year.to_numpy()
    bell = np.clip(np.sin((hour - 6) / 12 * np.pi), 0, None)
    season = 0.55 + 0.45 * np.sin((doy - 80) / 365 * 2 * np.pi)
    return kwp * 0.8 * bell * season


@pytest.mark.parametrize("seed", range(20))
def test_npv_irr_payback_match_numpy_financial(seed):
    rng = np.random.default_rng(seed)
    cf = np.concatenate([[-rng.uniform(1e3, 5e4)], rng.uniform(-500, 6000, rng.integers(5, 40))])
    for rate in (0.0, 0.03, 0.0506, 0.12):
        assert finance.npv(rate, cf) == pytest.approx(npf.npv(rate, cf), rel=1e-12, abs=1e-8)
    ref = npf.irr(cf)
    ours = finance.irr(cf)
    if np.isnan(ref):
        assert np.isnan(ours) or abs(finance.npv(ours, cf)) < 1e-6 * np.abs(cf).sum()
    else:
        assert ours == pytest.approx(ref, rel=1e-9, abs=1e-12)
        assert abs(npf.npv(ours, cf)) < 1e-6 * np.abs(cf).sum()
    cum = np.cumsum(cf)
    later = [n for n in range(1, cf.size) if cum[n] > 0]
    expected = later[0] - cum[later[0]] / cf[later[0]] if later else np.nan
    assert finance.payback_period(cf) == pytest.approx(expected, nan_ok=True)


def test_irr_without_sign_change_is_nan():
    assert np.isnan(finance.irr([100, 5, 5]))
    assert np.isnan(finance.irr([-100, -5]))


def test_evaluate_follows_sam_definitions(profiles):
    pv = synthetic_pv(6.0)
    load = finance.load_profile(profiles, "h0", HOURS, 4000.0).to_numpy()
    eco = finance.Economics(capex_per_kwp=1300, subsidy=800, om_per_kwp_year=22, om_escalation=1.0,
                            electricity_price=0.28, electricity_escalation=1.5, feed_in_tariff=0.08,
                            feed_in_escalation=-2.0, inflation=2.5, discount_rate=3.5, degradation=0.6,
                            lifetime=20, grid_co2_kg_per_kwh=0.25)
    res = finance.evaluate(pv, load, 6.0, eco)
    cf = res.cash_flows
    years = np.arange(1, 21)
    i = 0.025
    factor = (1 - 0.006) ** (years - 1)
    # independent recomputation of the yearly rows
    used = np.array([np.minimum(pv * f, load).sum() for f in factor])
    produced = pv.sum() * factor
    price = 0.28 * (1 + i + 0.015) ** (years - 1)
    tariff = 0.08 * (1 + i - 0.02) ** (years - 1)
    om = 22 * 6 * (1 + i + 0.01) ** (years - 1)
    net = used * price + (produced - used) * tariff - om
    flows = np.concatenate([[-(1300 * 6 - 800)], net])
    np.testing.assert_allclose(cf["cash_flow"].to_numpy(), flows, rtol=1e-12)
    d_nom = (1.035) * (1.025) - 1
    assert eco.nominal_discount_rate == pytest.approx(d_nom)
    assert res.npv == pytest.approx(npf.npv(d_nom, flows), rel=1e-10)
    assert res.irr == pytest.approx(npf.irr(flows), rel=1e-8)
    costs = np.concatenate([[1300 * 6 - 800], om])
    energy = np.concatenate([[0], produced])
    assert res.lcoe_nominal == pytest.approx(npf.npv(d_nom, costs) / npf.npv(d_nom, energy), rel=1e-10)
    assert res.lcoe_real == pytest.approx(npf.npv(d_nom, costs) / npf.npv(0.035, energy), rel=1e-10)
    assert res.lcoe_real < res.lcoe_nominal  # energy is discounted less at the real rate
    disc = flows / (1 + d_nom) ** np.arange(21)
    assert res.discounted_payback == pytest.approx(finance.payback_period(disc))
    assert res.payback < res.discounted_payback
    assert res.co2_avoided_t_lifetime == pytest.approx(produced.sum() * 0.25 / 1000)
    assert cf["cumulative"].iloc[-1] == pytest.approx(flows.sum())


def test_lcoe_real_is_below_nominal_with_inflation():
    pv = synthetic_pv(5.0)
    res = finance.evaluate(pv, np.zeros_like(pv), 5.0, finance.Economics(inflation=2.0))
    assert res.lcoe_real < res.lcoe_nominal
    assert res.self_consumption_share == 0 and res.autarky == 0


def test_self_consumption_split():
    pv = np.array([0, 1, 3, 2, 0.0])
    load = np.array([1, 1, 1, 5, 0.5])
    s = finance.self_consumption(pv, load)
    assert s["self_consumed_kwh"] == 4 and s["exported_kwh"] == 2 and s["imported_kwh"] == 4.5
    assert s["self_consumption_share"] == pytest.approx(4 / 6)
    assert s["autarky"] == pytest.approx(4 / 8.5)
    with pytest.raises(finance.FinanceError, match="differ in length"):
        finance.self_consumption(pv, load[:3])


def test_load_profiles(profiles):
    assert set(profiles.columns) >= {"h0", "g1"}
    assert len(profiles) == 3 * 3 * 24
    h0 = finance.load_profile(profiles, "h0", HOURS, 3500.0)
    g1 = finance.load_profile(profiles, "g1", HOURS, 20000.0)
    assert h0.sum() == pytest.approx(3500.0) and g1.sum() == pytest.approx(20000.0)
    # households: winter evenings above summer evenings (dynamisation), evening peak above night
    jan_evening = h0[(h0.index.month == 1) & (h0.index.hour == 18)].mean()
    jul_evening = h0[(h0.index.month == 7) & (h0.index.hour == 18)].mean()
    assert jan_evening > 1.2 * jul_evening
    assert h0[h0.index.hour == 19].mean() > 2 * h0[h0.index.hour == 3].mean()
    # offices (2025 calendar): Wednesday 8 Jan 11:00 busy, Sunday 12 Jan and 25 Dec (holiday) quiet
    assert g1.loc["2019-01-08 11:00"] > 4 * g1.loc["2019-01-12 11:00"]
    assert g1.loc["2019-12-25 11:00"] == pytest.approx(g1.loc["2019-01-12 11:00"], rel=0.3)
    with pytest.raises(finance.FinanceError, match="unknown load profile"):
        finance.load_profile(profiles, "x9", HOURS, 1000.0)


def test_austrian_holidays():
    days = {d.strftime("%m-%d") for d in finance.austrian_holidays(2025)}
    # Easter 2025 is 20 April: Easter Monday 21 Apr, Ascension 29 May, Whit Monday 9 Jun, Corpus Christi 19 Jun
    assert {"04-21", "05-29", "06-09", "06-19", "10-26", "12-08"} <= days
    assert len(days) == 13


@pytest.mark.parametrize(
    "field, value, message",
    [("lifetime", 0, "lifetime"), ("discount_rate", 80, "discount_rate"), ("capex_per_kwp", -1, "capex_per_kwp"),
     ("electricity_price", float("nan"), "electricity_price")],
)
def test_economics_validation(field, value, message):
    with pytest.raises(finance.FinanceError, match=message):
        finance.Economics(**{field: value})
