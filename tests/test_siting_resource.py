"""Wind capacity factor (windpowerlib power curve × Weibull) and the PV point model (pvlib)."""

from __future__ import annotations

import numpy as np
import pytest

from ordos_geo.errors import ConfigError
from ordos_geo.siting.config import PVResourceSpec, WindResourceSpec
from ordos_geo.siting.resource import (
    air_density_isa,
    interpolate_coarse,
    load_turbine,
    pv_yield_points,
    weibull_capacity_factor,
    wind_cf_from_speed,
)


@pytest.fixture(scope="module")
def v126():
    return load_turbine("V126/3450", 117.0)


def test_turbine_from_windpowerlib_library(v126) -> None:
    assert v126.nominal_power_w == pytest.approx(3.45e6)
    assert v126.rotor_diameter_m == pytest.approx(126.0)
    assert v126.tip_height_m == pytest.approx(180.0)


def test_unknown_turbine_is_config_error() -> None:
    with pytest.raises(ConfigError, match=r"wind\.turbine_type: 'XYZ/1' not in windpowerlib"):
        load_turbine("XYZ/1", 100.0)


def test_wind_cf_between_0_and_1_and_increasing_with_mean_speed(v126) -> None:
    # realistic mean speeds (2-11 m/s); far above that, Weibull mass beyond the
    # cut-out speed makes CF fall again (checked below), which is physical
    speeds = np.arange(2.0, 11.01, 0.5)
    cf = weibull_capacity_factor(v126, speeds, k=2.0)
    assert np.all((cf >= 0) & (cf <= 1))
    assert np.all(np.diff(cf) > 0)
    assert cf[0] < 0.05 and cf[-1] > 0.6
    extreme = weibull_capacity_factor(v126, np.array([13.0, 20.0, 40.0]), k=2.0)
    assert np.all((extreme >= 0) & (extreme <= 1)) and extreme[2] < extreme[0]


def test_wind_cf_matches_direct_integration(v126) -> None:
    # independent check: Monte-Carlo sample of Rayleigh speeds (k=2) through the curve
    rng = np.random.default_rng(1)
    vbar = 7.0
    c = vbar / 0.886226925  # Γ(1.5)
    v = c * rng.weibull(2.0, 400_000)
    p = np.interp(v, v126.curve_speed_ms, v126.curve_power_w, right=0.0)
    expected = p.mean() / v126.nominal_power_w
    assert weibull_capacity_factor(v126, vbar, k=2.0) == pytest.approx(expected, abs=0.004)


def test_density_correction_lowers_cf_at_altitude(v126) -> None:
    spec = WindResourceSpec()
    speed = np.full(2, 6.8, dtype="float32")
    cf_sea, _ = wind_cf_from_speed(speed, spec, v126, speed_height_m=100,
                                elevation_m=np.zeros(2))
    cf_high, _ = wind_cf_from_speed(speed, spec, v126, speed_height_m=100,
                                 elevation_m=np.full(2, 1500.0))
    assert np.all(cf_high < cf_sea)
    assert air_density_isa(np.array([0.0]))[0] == pytest.approx(1.225)
    assert air_density_isa(np.array([1500.0]))[0] == pytest.approx(1.0581, abs=0.001)


def test_pv_clear_sky_model_at_ordos() -> None:
    # DATA.md: Ineichen clear-sky GHI in Ordos ≈ 2,200-2,230 kWh/m²/yr with the pvlib
    # Linke climatology (≈ 3); a higher turbidity must lower GHI and yield.
    spec = PVResourceSpec()
    r = pv_yield_points(np.array([39.5, 39.5]), np.array([109.0, 109.0]),
                        np.array([1300.0, 1300.0]), np.array([[3.0] * 12, [5.0] * 12]), spec)
    assert 2100 < r.ghi_clearsky_kwh_m2[0] < 2350
    assert r.poa_clearsky_kwh_m2[0] > r.ghi_clearsky_kwh_m2[0]  # tilted plane gains
    assert r.ghi_clearsky_kwh_m2[1] < r.ghi_clearsky_kwh_m2[0]
    assert r.yield_clearsky_kwh_kwp[1] < r.yield_clearsky_kwh_kwp[0]
    # yield / POA = performance ratio; PVWatts losses (14 %) and inverter (0.96) bound it
    pr = r.yield_clearsky_kwh_kwp[0] / r.poa_clearsky_kwh_m2[0]
    assert 0.70 < pr < 0.86 * 0.96 + 0.01


def test_interpolate_coarse_is_bilinear_and_exact_on_planes() -> None:
    yy, xx = np.mgrid[0:4, 0:5]
    coarse = (2.0 * xx + 3.0 * yy).astype("float64")
    fine = interpolate_coarse(coarse, 4, 4, (16, 20))
    # fine cell centre (r, c) ↔ coarse index ((r + .5)/4 - .5, (c + .5)/4 - .5)
    r, c = 9, 13
    cy, cx = (r + 0.5) / 4 - 0.5, (c + 0.5) / 4 - 0.5
    assert fine[r, c] == pytest.approx(2.0 * cx + 3.0 * cy, abs=1e-5)
    coarse[0, 0] = np.nan
    assert np.isfinite(interpolate_coarse(coarse, 4, 4, (16, 20))).all()
