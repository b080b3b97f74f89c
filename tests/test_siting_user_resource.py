"""The user's resource rasters drive siting through catalog roles, with no YAML edit.

The rasters are small files in the layouts the products ship in: Global Wind Atlas
(``CHN_wind-speed_100m.tif``, ``CHN_combined-Weibull-A_100m.tif``, float32 m/s in
EPSG:4326) and Global Solar Atlas (``…_LTAym_…/PVOUT.tif``, long-term averages of daily
totals, kWh/kWp/day). Values are synthetic (a smooth west–east gradient), not real data.
The runs use the default layers at a 3 km grid to stay quick.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import rasterio
from rasterio.transform import from_origin
from typer.testing import CliRunner

from ordos_geo.catalog import Catalog
from ordos_geo.siting import run_siting

RES = 3000.0
# Ordos lies within 106.4–111.5° E, 37.3–40.9° N
W, N, STEP = 106.0, 41.2, 0.02
NX, NY = 290, 210


def _write(path: Path, values: np.ndarray) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with rasterio.open(path, "w", driver="GTiff", width=NX, height=NY, count=1,
                       dtype="float32", crs="EPSG:4326", nodata=-9999.0,
                       transform=from_origin(W, N, STEP, STEP)) as dst:
        dst.write(values.astype("float32"), 1)
    return path


def _gradient(lo: float, hi: float) -> np.ndarray:
    return np.tile(np.linspace(lo, hi, NX, dtype="float32"), (NY, 1))


def _catalog(folder: Path, entries: list[tuple[str, str, str]]) -> Path:
    lines = ["version: 1", "layers:"]
    for lid, path, role in entries:
        lines += [f"- id: {lid}", f"  title_zh: {lid}", f"  title_en: {lid}", "  kind: raster",
                  f"  path: {path}", "  crs: EPSG:4326", f"  roles: [{role}]",
                  "  provenance: user", "  source: synthetic test raster in the product layout",
                  "  licence: CC0"]
    p = folder / "user_catalog.yaml"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p


def _wind(tmp: Path, name: str, speed: np.ndarray) -> dict:
    d = tmp / name
    _write(d / "CHN_wind-speed_100m.tif", speed)
    cat = Catalog.load(_catalog(d, [("gwa_speed", "CHN_wind-speed_100m.tif",
                                     "wind_speed_100m")]))
    return run_siting("wind", catalog=cat, res_m=RES, out_dir=None).summary


@pytest.fixture(scope="module")
def wind_runs(tmp_path_factory) -> tuple[dict, dict]:
    tmp = tmp_path_factory.mktemp("gwa")
    base = _gradient(6.0, 8.0)
    return _wind(tmp, "base", base), _wind(tmp, "slower", base - 1.0)


def test_gwa_raster_in_a_user_catalog_drives_wind_siting(wind_runs) -> None:
    s, _ = wind_runs
    assert s["resource"]["method"] == "user-wind-raster"
    assert s["resource_is_assumption"] is False
    assert s["resource_source"]["type"] == "raster"
    assert s["resource_source"]["roles"] == {"wind_speed_100m": "gwa_speed"}
    assert "gwa_speed" in s["layers"]
    assert s["resource"]["not_covered_km2"] == 0
    # the hub-height mean follows the raster (6–8 m/s at 100 m, shear to 117 m)
    assert 6.5 < s["resource"]["hub_speed_ms_mean"] < 8.5


def test_one_metre_per_second_less_wind_is_at_least_ten_percent_less_energy(wind_runs) -> None:
    base, slower = wind_runs
    assert base["annual_energy_twh"] > 0
    drop = 1 - slower["annual_energy_twh"] / base["annual_energy_twh"]
    assert drop >= 0.10
    # the full-load hours fall too: the energy is not a function of the land alone
    assert slower["supply"]["full_load_hours_mean"] < base["supply"]["full_load_hours_mean"]


def test_partial_coverage_is_reported_and_uncovered_cells_get_their_own_reason(
        tmp_path: Path) -> None:
    speed = _gradient(6.0, 8.0)
    speed[:, NX // 2:] = -9999.0  # the raster stops at ≈ 108.9° E
    s = _wind(tmp_path, "half", speed)
    assert s["resource"]["not_covered_km2"] > 10_000
    rows = {e["name"]: e for e in s["exclusions"]}
    assert "no_resource_data" in rows
    assert rows["no_resource_data"]["first_km2"] > 0
    assert s["resource_source"]["not_covered_km2"] == s["resource"]["not_covered_km2"]
    full = _wind(tmp_path, "full", _gradient(6.0, 8.0))
    assert s["eligible_km2"] < full["eligible_km2"]


def test_weibull_a_and_k_rasters_give_the_mean_speed(tmp_path: Path) -> None:
    from scipy.special import gamma

    a = _gradient(7.0, 8.0)
    k = np.full((NY, NX), 2.2, dtype="float32")
    _write(tmp_path / "CHN_combined-Weibull-A_100m.tif", a)
    _write(tmp_path / "CHN_combined-Weibull-k_100m.tif", k)
    cat = Catalog.load(_catalog(tmp_path, [
        ("gwa_a", "CHN_combined-Weibull-A_100m.tif", "weibull_a"),
        ("gwa_k", "CHN_combined-Weibull-k_100m.tif", "weibull_k")]))
    s = run_siting("wind", catalog=cat, res_m=RES, out_dir=None).summary
    assert s["resource"]["method"] == "user-weibull"
    assert s["resource"]["weibull_k"] == "raster"
    v100 = 7.5 * gamma(1 + 1 / 2.2)  # ≈ 6.64 m/s mid-range
    assert v100 * 0.9 < s["resource"]["hub_speed_ms_mean"] < v100 * 1.25


def test_gsa_daily_pvout_is_read_as_yearly_yield(tmp_path: Path) -> None:
    folder = "China_GISdata_LTAym_AvgDailyTotals_GlobalSolarAtlas-v2_GEOTIFF"
    _write(tmp_path / folder / "PVOUT.tif", _gradient(4.2, 4.6))
    cat = Catalog.load(_catalog(tmp_path, [("gsa_pvout", f"{folder}/PVOUT.tif", "pvout")]))
    s = run_siting("pv", catalog=cat, res_m=RES, out_dir=None).summary
    res = s["resource"]
    assert res["method"] == "user-pvout"
    assert "LTAym" in res["pvout_units_read_as"]
    assert 4.2 * 365 < res["yield_kwh_kwp_mean"] < 4.6 * 365
    # PV energy follows the user's yield: capacity × yield
    assert s["annual_energy_twh"] == pytest.approx(
        s["capacity_gw"] * s["supply"]["full_load_hours_mean"] / 1000, rel=0.01)


def test_implausible_units_are_one_line_errors(tmp_path: Path) -> None:
    from ordos_geo.errors import ConfigError

    _write(tmp_path / "CHN_power-density_100m.tif", _gradient(300.0, 500.0))
    cat = Catalog.load(_catalog(tmp_path, [("gwa_pd", "CHN_power-density_100m.tif",
                                            "wind_speed_100m")]))
    with pytest.raises(ConfigError, match="implausible for a mean wind speed") as ei:
        run_siting("wind", catalog=cat, res_m=RES, out_dir=None)
    assert "\n" not in str(ei.value)


def test_cli_run_and_siting_use_the_catalog_raster_without_config(tmp_path: Path) -> None:
    from ordos_geo.cli.main import app

    _write(tmp_path / "CHN_wind-speed_100m.tif", _gradient(6.0, 8.0))
    user = _catalog(tmp_path, [("gwa_speed", "CHN_wind-speed_100m.tif", "wind_speed_100m")])
    cfg = tmp_path / "wind.yaml"
    from ordos_geo.siting.config import default_config_path

    text = default_config_path("wind").read_text("utf-8").replace("res_m: 100", "res_m: 3000")
    cfg.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    r = CliRunner().invoke(app, ["run", "--steps", "siting_wind", "--catalog", str(user),
                                 "--wind-config", str(cfg), "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert "measured/reanalysis raster" in r.output
    s = json.loads((out / "wind_summary.json").read_text("utf-8"))
    assert s["resource"]["method"] == "user-wind-raster"
    assert (out / "wind_turbines.gpkg").is_file() and (out / "wind_supply_curve.csv").is_file()
    out2 = tmp_path / "out2"
    r = CliRunner().invoke(app, ["siting", "wind", "--catalog", str(user), "--res", "3000",
                                 "--out", str(out2)])
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["resource_source"] == "raster"
