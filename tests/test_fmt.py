from climatevis import fmt


def test_human_numbers():
    assert fmt.energy(5043.6) == "5,044 kWh"
    assert fmt.energy(12345) == "12.3 MWh"
    assert fmt.energy(4.56e6) == "4.56 GWh"
    assert fmt.money(12345.4) == "€ 12,345"
    assert fmt.money(-1200) == "\u2212€ 1,200"
    assert fmt.money(1.234e6) == "€ 1.23 M"
    assert fmt.price_per_kwh(0.0982) == "9.8 ct/kWh"
    assert fmt.percent(0.344) == "34 %"
    assert fmt.percent(0.0567, 1) == "5.7 %"
    assert fmt.years(9.43) == "9.4 years"
    assert fmt.years(float("nan"), 25) == "not within 25 years"
    assert fmt.mass(0.85) == "850 kg" and fmt.mass(1.24) == "1.2 t"
    assert fmt.number(-0.0001, 1) == "0.0"
    assert fmt.energy(float("nan")) == "–"
    assert fmt.position(48.12, 16.57) == "48.12° N, 16.57° E"
    assert fmt.position(-33.95, -104.653) == "33.95° S, 104.65° W"
