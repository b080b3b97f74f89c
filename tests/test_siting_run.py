"""End-to-end siting on a tiny synthetic catalog built in tmp_path (run_siting, CLI)."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import rasterio
import yaml
from affine import Affine
from pyproj import Transformer
from shapely.geometry import Point, box

from ordos_geo.catalog import Catalog
from ordos_geo.crs import WORK_CRS as WORK
from ordos_geo.errors import ConfigError, OutputError
from ordos_geo.raster import OUTSIDE
from ordos_geo.siting import run_siting
from ordos_geo.siting.config import ExclusionSpec, SitingConfig
from ordos_geo.siting.run import check_layer_ids
from ordos_geo.siting.suitability import LayerReader, apply_exclusions

# Synthetic study area inside Ordos (the readers check coordinates lie in Ordos).
W, S, E, N = 108.90, 39.20, 109.10, 39.40
RED = box(108.92, 39.22, 108.96, 39.26)          # red line
RESERVE = box(108.94, 39.22, 108.98, 39.24)      # overlaps RED in its east half
CROP = (109.02, 39.22, 109.06, 39.26)            # IGBP 12 block in the land-cover raster
BARREN = (108.90, 39.30, 109.00, 39.40)          # IGBP 16 (NW quadrant)
KUBUQI = box(108.90, 39.30, 109.00, 39.40)       # preference zone = NW quadrant
TOWN = Point(109.05, 39.35)


def _vector(path: Path, gdf: gpd.GeoDataFrame) -> None:
    gdf.to_file(path, driver="GPKG", layer=path.stem)


def _raster(path: Path, bands: np.ndarray, *, dtype: str, nodata: float, res: float = 0.01,
            x0: float = 108.85, y1: float = 39.45) -> None:
    if bands.ndim == 2:
        bands = bands[None]
    with rasterio.open(path, "w", driver="GTiff", width=bands.shape[2], height=bands.shape[1],
                       count=bands.shape[0], dtype=dtype, crs="EPSG:4326", nodata=nodata,
                       transform=Affine(res, 0, x0, 0, -res, y1)) as dst:
        dst.write(bands.astype(dtype))


def _cells(bounds: tuple[float, float, float, float], res: float = 0.01,
           x0: float = 108.85, y1: float = 39.45) -> tuple[slice, slice]:
    w, s, e, n = bounds
    return (slice(round((y1 - n) / res), round((y1 - s) / res)),
            slice(round((w - x0) / res), round((e - x0) / res)))


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> Path:
    """A catalog, its layers and pv/wind configs in one folder."""
    d = tmp_path_factory.mktemp("siting_world")
    crs = "EPSG:4326"
    _vector(d / "city.gpkg", gpd.GeoDataFrame(
        {"adcode": ["150600"], "name_zh": ["测试市"]}, geometry=[box(W, S, E, N)], crs=crs))
    _vector(d / "banners.gpkg", gpd.GeoDataFrame(
        {"adcode": ["150625", "150627"], "name_zh": ["杭锦旗", "伊金霍洛旗"],
         "name_en": ["Hanggin Banner", "Ejin Horo Banner"]},
        geometry=[box(W, S, 109.0, N), box(109.0, S, E, N)], crs=crs))
    _vector(d / "red_lines.gpkg", gpd.GeoDataFrame(
        {"name_zh": ["红线"], "rl_type": ["test"]}, geometry=[RED], crs=crs))
    _vector(d / "nature_reserves.gpkg", gpd.GeoDataFrame(
        {"name_zh": ["保护区"], "level": ["national"]}, geometry=[RESERVE], crs=crs))
    _vector(d / "settlements.gpkg", gpd.GeoDataFrame(
        {"name_zh": ["镇"]}, geometry=[TOWN], crs=crs))
    _vector(d / "parks.gpkg", gpd.GeoDataFrame(
        {"park_id": ["P1"]}, geometry=[box(109.07, 39.37, 109.09, 39.39)], crs=crs))
    _vector(d / "kubuqi.gpkg", gpd.GeoDataFrame({"name_zh": ["库布其"]}, geometry=[KUBUQI],
                                                crs=crs))
    lc = np.full((30, 30), 10, dtype="uint8")
    lc[_cells(BARREN)] = 16
    lc[_cells(CROP)] = 12
    _raster(d / "landcover.tif", lc, dtype="uint8", nodata=255)
    _raster(d / "elevation.tif", np.full((30, 30), 1300), dtype="int16", nodata=-32768)
    _raster(d / "linke.tif", np.full((12, 30, 30), 3.0), dtype="float32", nodata=-9999)
    _raster(d / "ghi_1700.tif", np.full((30, 30), 1700.0), dtype="float32", nodata=-9999)
    _raster(d / "ghi_day.tif", np.full((30, 30), 1700.0 / 365), dtype="float32", nodata=-9999)
    _raster(d / "wind_7.tif", np.full((30, 30), 7.0), dtype="float32", nodata=-9999)
    ids = {"city": "city.gpkg", "banners": "banners.gpkg", "red_lines": "red_lines.gpkg",
           "nature_reserves": "nature_reserves.gpkg", "settlements": "settlements.gpkg",
           "parks": "parks.gpkg", "kubuqi": "kubuqi.gpkg", "landcover": "landcover.tif",
           "elevation": "elevation.tif", "linke_turbidity": "linke.tif",
           "ghi_gsa": "ghi_1700.tif"}
    layers = [{"id": i, "title_zh": i, "title_en": i,
               "kind": "raster" if f.endswith(".tif") else "vector", "path": f, "crs": crs,
               "roles": ["context"],
               "provenance": "illustrative" if i == "kubuqi" else "derived",
               "source": "synthetic test data", "licence": "CC0"} for i, f in ids.items()]
    (d / "catalog.yaml").write_text(yaml.safe_dump({"version": 1, "layers": layers},
                                                   allow_unicode=True), encoding="utf-8")
    base = {
        "grid": {"res_m": 250, "region": "city"},
        "exclusions": [
            {"name": "red_lines", "layer": "red_lines", "reason": "红线", "source": "test"},
            {"name": "reserves", "layer": "nature_reserves", "reason": "保护区",
             "source": "test"},
            {"name": "cropland", "layer": "landcover", "codes": [12], "reason": "耕地",
             "source": "test"},
            {"name": "town", "layer": "settlements", "buffer_m": 2000, "reason": "镇",
             "source": "test"},
        ],
        "factors": [
            {"name": "landcover", "input": "value", "layer": "landcover",
             "transform": "categorical", "params": {"scores": {16: 100, 10: 50}, "default": 0},
             "weight": 2},
            {"name": "parks", "input": "distance", "layer": "parks",
             "transform": "distance_decay", "params": {"half_distance_m": 10000}, "weight": 1},
            {"name": "res", "input": "resource", "transform": "linear",
             "params": {"lo": 1000, "hi": 2000}, "weight": 1},
        ],
        "preferences": [{"name": "kubuqi", "layer": "kubuqi", "mode": "bonus", "value": 10,
                         "clause": "二(六)1"}],
        "sites": {"min_score": 70, "min_area_km2": 2.0, "capacity_density_mw_per_km2": 30},
        "pv": {"sample_deg": 0.1},
    }
    (d / "pv.yaml").write_text(yaml.safe_dump({"kind": "pv", **base}, allow_unicode=True),
                               encoding="utf-8")
    wind = {"kind": "wind", **base}
    wind["factors"] = [{**f, "params": {"lo": 0.1, "hi": 0.5}} if f["name"] == "res" else f
                       for f in base["factors"]]
    wind["sites"] = {**base["sites"], "capacity_density_mw_per_km2": 3}
    (d / "wind.yaml").write_text(yaml.safe_dump(wind, allow_unicode=True), encoding="utf-8")
    return d


@pytest.fixture(scope="module")
def catalog(world: Path) -> Catalog:
    return Catalog.load(default=world / "catalog.yaml")


@pytest.fixture(scope="module")
def pv_run(world: Path, catalog: Catalog, tmp_path_factory):
    out = tmp_path_factory.mktemp("pv_out")
    return run_siting("pv", catalog=catalog, config_path=world / "pv.yaml", out_dir=out,
                      sensitivity=4)


def _cell_of(result, lon: float, lat: float) -> tuple[int, int]:
    x, y = Transformer.from_crs("EPSG:4326", result.grid.crs, always_xy=True).transform(lon, lat)
    r, c = result.grid.index(x, y)
    return int(r), int(c)


def test_outputs_written_with_tags(pv_run) -> None:
    names = {p.name for p in pv_run.files.values()}
    assert names == {"pv_score.tif", "pv_reasons.tif", "pv_resource.tif", "pv_sites.gpkg",
                     "pv_capacity_by_banner.csv", "pv_exclusions.csv", "pv_summary.json",
                     "pv_supply_curve.csv", "pv_robustness.tif"}
    for p in pv_run.files.values():
        assert p.exists() and p.stat().st_size > 0
    with rasterio.open(pv_run.files["reasons"]) as src:
        tags = src.tags()
        assert src.dtypes[0] == "uint8"
        codes = json.loads(tags["reasons"])
    assert codes["1"].startswith("red_lines") and codes["255"] == "outside region"
    assert tags["provenance"] == "illustrative"  # the kubuqi layer is illustrative
    with rasterio.open(pv_run.files["score"]) as src:
        assert src.nodata == 255 and src.count == 2
        score = src.read(1)
        assert "units" in src.tags()
    assert score[score != 255].max() <= 100
    summary = json.loads(pv_run.files["summary"].read_text(encoding="utf-8"))
    assert summary["target_gw"] == 50 and summary["installed_gw_2025"] == 27.79
    assert summary["resource"]["method"] == "pvlib-clearsky×index"
    assert len(summary["config_sha256"]) == 64
    sites = gpd.read_file(pv_run.files["sites"], layer="sites")
    assert sites.crs.to_epsg() == 4326 and len(sites) == summary["sites"] > 0
    with rasterio.open(pv_run.files["robustness"]) as src:
        rob = src.read(1)
    excluded = (pv_run.reasons != 0) & (pv_run.reasons != OUTSIDE)
    assert rob[rob != 255].max() <= 100
    assert (rob[excluded] == 0).all() and (rob[pv_run.reasons == OUTSIDE] == 255).all()
    # 4 runs: values are multiples of 25 %, and some cells stay top in every run
    assert set(np.unique(rob[pv_run.reasons == 0])) <= {0, 25, 50, 75, 100}
    assert (rob == 100).any()


def test_reason_codes_match_exclusions(pv_run) -> None:
    r = pv_run.reasons
    assert r[_cell_of(pv_run, 108.93, 39.25)] == 1            # red line only
    assert r[_cell_of(pv_run, 108.95, 39.23)] == 1            # red line ∩ reserve: first wins
    assert r[_cell_of(pv_run, 108.975, 39.23)] == 2           # reserve only
    assert r[_cell_of(pv_run, 109.04, 39.24)] == 3            # cropland cell of the raster
    assert r[_cell_of(pv_run, 109.05, 39.35)] == 4            # town + 2 km
    assert r[_cell_of(pv_run, 109.05, 39.364)] == 4           # 1.6 km north of the town
    assert r[_cell_of(pv_run, 109.05, 39.38)] == 0            # 3.3 km north: eligible
    assert r[0, 0] in (0, OUTSIDE)
    t = pv_run.exclusions.set_index("name")
    cell_km2 = pv_run.grid.cell_area_m2 / 1e6
    for code, name in enumerate(t.index, start=1):
        assert t.loc[name, "first_km2"] == pytest.approx((r == code).sum() * cell_km2)
        assert t.loc[name, "first_km2"] <= t.loc[name, "total_km2"] + 1e-9
    # reserve overlaps the red line: its total > first-come area
    assert t.loc["reserves", "total_km2"] > t.loc["reserves", "first_km2"]
    # town buffer ≈ π·2² km² (true Euclidean buffer)
    assert t.loc["town", "total_km2"] == pytest.approx(np.pi * 4, rel=0.08)
    s = pv_run.summary
    assert s["total_km2"] - s["eligible_km2"] == pytest.approx(t["first_km2"].sum(), abs=0.011)


def test_capacity_by_banner_sums_to_site_table(pv_run) -> None:
    cap = pv_run.capacity.set_index("adcode")
    sites = pv_run.sites
    assert list(cap.index[:2]) == ["150625", "150627"] and cap.index[-1] == "TOTAL"
    assert cap.loc["TOTAL", "capacity_mw"] == pytest.approx(sites["capacity_mw"].sum(), abs=0.1)
    assert cap.loc["TOTAL", "n_sites"] == len(sites)
    for adcode, grp in sites.groupby("banner_adcode"):
        assert cap.loc[str(adcode), "capacity_mw"] == pytest.approx(grp["capacity_mw"].sum(),
                                                                    abs=0.1)
        assert cap.loc[str(adcode), "n_sites"] == len(grp)
    np.testing.assert_allclose(sites["capacity_mw"], sites["area_km2"] * 30, atol=0.01)
    assert (sites["area_km2"] >= 2.0).all()
    assert summary_capacity(pv_run) == pytest.approx(sites["capacity_mw"].sum() / 1000, abs=1e-3)


def summary_capacity(run) -> float:
    return float(run.summary["capacity_gw"])


def test_sites_attributes(pv_run) -> None:
    sites = pv_run.sites
    # the barren NW quadrant is also the preferred (kubuqi) zone: its site is flagged
    nw = sites[sites["kubuqi"]]
    assert len(nw) >= 1
    assert (nw["landcover"] == 16).all() and (nw["banner_adcode"] == "150625").all()
    assert nw["preferred"].all()
    assert (sites["mean_score"] <= sites["max_score"]).all()
    assert (sites["mean_score"] >= 70).all()
    np.testing.assert_allclose(sites["area_mu"], sites["area_km2"] * 1500, rtol=1e-3)
    for row in sites.itertuples():
        assert row.geometry.contains(Point(row.lon, row.lat)) or row.geometry.distance(
            Point(row.lon, row.lat)) < 1e-5
    assert sites.geometry.is_valid.all()


def test_user_ghi_raster_scales_pv_yield(world: Path, catalog: Catalog) -> None:
    cfg = SitingConfig.model_validate(yaml.safe_load((world / "pv.yaml").read_text("utf-8")))
    model = run_siting("pv", catalog=catalog, config=cfg, out_dir=None)
    user = run_siting("pv", catalog=catalog, out_dir=None, config=cfg.model_copy(
        update={"pv": cfg.pv.model_copy(update={"ghi_raster": "ghi_gsa"})}))
    perday = run_siting("pv", catalog=catalog, out_dir=None, config=cfg.model_copy(
        update={"pv": cfg.pv.model_copy(update={"ghi_raster": str(world / "ghi_day.tif"),
                                                "ghi_units": "kWh/m2/day"})}))
    assert user.resource.method == "user-ghi"
    region = model.reasons != OUTSIDE
    ghi_cs = model.resource.summary["clear_sky_ghi_kwh_m2_yr_mean"]
    k = cfg.pv.clear_sky_index
    # yield_user / yield_model = GHI_user / (GHI_clear-sky × clear-sky index)
    ratio = user.resource.values[region] / model.resource.values[region]
    np.testing.assert_allclose(ratio, 1700.0 / (ghi_cs * k), rtol=2e-3)
    np.testing.assert_allclose(perday.resource.values[region], user.resource.values[region],
                               rtol=1e-5)


def test_wind_run_uses_turbine_and_user_raster(world: Path, catalog: Catalog) -> None:
    cfg = SitingConfig.model_validate(yaml.safe_load((world / "wind.yaml").read_text("utf-8")))
    ref = run_siting("wind", catalog=catalog, config=cfg, out_dir=None)
    assert ref.resource.method == "reference-speed"
    cf = ref.resource.values[ref.reasons != OUTSIDE]
    assert np.all((cf > 0) & (cf < 1))
    fast = run_siting("wind", catalog=catalog, out_dir=None, config=cfg.model_copy(update={
        "wind": cfg.wind.model_copy(update={"mean_speed_raster": str(world / "wind_7.tif"),
                                            "raster_height_m": 100.0,
                                            "reference_mean_speed_ms": 6.0})}))
    assert fast.resource.method == "user-wind-raster"
    assert fast.resource.summary["capacity_factor_mean"] > ref.resource.summary[
        "capacity_factor_mean"]  # 7.0 m/s raster vs 6.8 m/s reference


def test_missing_layer_id_is_one_line_error_naming_file_and_key(world: Path, catalog) -> None:
    cfg = yaml.safe_load((world / "pv.yaml").read_text("utf-8"))
    cfg["exclusions"][2]["layer"] = "no_such_layer"
    bad = world / "bad_layer.yaml"
    bad.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ConfigError) as ei:
        run_siting("pv", catalog=catalog, config_path=bad, out_dir=None)
    msg = str(ei.value)
    line = next(i for i, t in enumerate(bad.read_text("utf-8").splitlines(), 1)
                if "no_such_layer" in t)
    assert f"bad_layer.yaml:{line}: exclusions[2].layer:" in msg
    assert "'no_such_layer'" in msg and "\n" not in msg


def test_unknown_key_in_config_names_file_and_line(world: Path, catalog) -> None:
    bad = world / "bad_key.yaml"
    bad.write_text("kind: pv\nsites:\n  min_scor: 50\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bad_key.yaml:3: sites: unknown key 'min_scor'"):
        run_siting("pv", catalog=catalog, config_path=bad, out_dir=None)


def test_existing_outputs_refused_without_overwrite(pv_run, world, catalog) -> None:
    out = pv_run.files["summary"].parent
    with pytest.raises(OutputError, match="--overwrite"):
        run_siting("pv", catalog=catalog, config_path=world / "pv.yaml", out_dir=out)


def test_adding_an_exclusion_never_increases_eligible_area(world: Path, catalog) -> None:
    cfg = SitingConfig.model_validate(yaml.safe_load((world / "pv.yaml").read_text("utf-8")))
    check_layer_ids(cfg, catalog, "pv.yaml")
    from ordos_geo.grid import Grid
    from ordos_geo.raster import rasterize_mask

    region_gdf = catalog.vector("city", crs=cfg.grid.crs)
    grid = Grid.from_bounds(tuple(region_gdf.total_bounds), res_m=500, crs=region_gdf.crs)
    region = rasterize_mask(region_gdf, grid)
    specs = [*cfg.exclusions,
             ExclusionSpec(name="barren", layer="landcover", codes=[16], reason="x", source="t"),
             ExclusionSpec(name="kub", layer="kubuqi", buffer_m=500, reason="x", source="t",
                           coverage="fraction", min_fraction=0.3)]
    rng = np.random.default_rng(7)
    for _ in range(6):
        order = list(rng.permutation(len(specs)))
        prev: float | None = None
        prev_r = np.zeros(0)
        for n in range(len(specs) + 1):
            res = apply_exclusions([specs[i] for i in order[:n]], LayerReader(catalog, grid),
                                   region)
            if prev is not None:
                assert res.eligible_km2 <= prev + 1e-9
                # eligible cells only ever turn into excluded ones
                assert not np.any((res.reasons == 0) & (prev_r != 0))
            prev, prev_r = res.eligible_km2, res.reasons


def test_cli_prints_json_summary_last(world: Path, tmp_path, monkeypatch, capsys) -> None:
    from ordos_geo.cli.main import main

    monkeypatch.setenv("ORDOS_GEO_LAYERS", str(world / "catalog.yaml"))
    out = tmp_path / "o"
    with pytest.raises(SystemExit) as ei:
        main(["siting", "wind", "--config", str(world / "wind.yaml"), "--out", str(out),
              "--res", "500"])
    assert ei.value.code in (0, None)
    lines = capsys.readouterr().out.strip().splitlines()
    last = json.loads(lines[-1])
    assert last["kind"] == "wind" and last["resource_method"] == "reference-speed"
    assert (out / "wind_summary.json").exists()
    summary = json.loads((out / "wind_summary.json").read_text("utf-8"))
    assert summary["grid"]["res_m"] == 500
    assert summary["resource"]["turbine_type"] == "V126/3450"
    # missing layer id through the CLI: exit 1, one line on stderr
    cfg = yaml.safe_load((world / "wind.yaml").read_text("utf-8"))
    cfg["preferences"][0]["layer"] = "nope"
    bad = tmp_path / "w.yaml"
    bad.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    with pytest.raises(SystemExit) as ei:
        main(["siting", "wind", "--config", str(bad), "--out", str(out), "--overwrite"])
    assert ei.value.code == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "preferences[0].layer" in err[0] and "w.yaml" in err[0]


def test_where_filter_and_unknown_field(world: Path, catalog) -> None:
    from ordos_geo.grid import Grid
    from ordos_geo.raster import rasterize_mask

    region_gdf = catalog.vector("city", crs=WORK)
    grid = Grid.from_bounds(tuple(region_gdf.total_bounds), res_m=500, crs=region_gdf.crs)
    region = rasterize_mask(region_gdf, grid)
    east = ExclusionSpec(name="east", layer="banners", where={"adcode": ["150627"]},
                         reason="x", source="t")
    res = apply_exclusions([east], LayerReader(catalog, grid), region)
    banners = catalog.vector("banners", crs=WORK)
    east_cells = rasterize_mask(banners[banners["adcode"] == "150627"], grid) & region
    assert np.array_equal(res.reasons == 1, east_cells)
    bad = ExclusionSpec(name="e", layer="banners", where={"code": 1}, reason="x", source="t")
    with pytest.raises(ConfigError,
                       match=r"exclusions\[0\]\.where\.code: layer 'banners' has no field 'code'"):
        apply_exclusions([bad], LayerReader(catalog, grid), region)


def test_raster_ranges_buffer_and_tip_height_setbacks(world: Path, catalog) -> None:
    from ordos_geo.grid import Grid
    from ordos_geo.raster import rasterize_mask

    region_gdf = catalog.vector("city", crs=WORK)
    grid = Grid.from_bounds(tuple(region_gdf.total_bounds), res_m=250, crs=region_gdf.crs)
    region = rasterize_mask(region_gdf, grid)
    reader = LayerReader(catalog, grid)
    # elevation is 1300 m everywhere: an inclusive range around it removes every cell
    rng = apply_exclusions([ExclusionSpec(name="high", layer="elevation", ranges=[(1300, 1400)],
                                          reason="x", source="t")], reader, region)
    assert rng.eligible_km2 == 0 and rng.table.loc[0, "total_km2"] == rng.region_km2
    crop = ExclusionSpec(name="crop", layer="landcover", codes=[12], reason="x", source="t")
    plain = apply_exclusions([crop], reader, region).table.loc[0, "total_km2"]
    buffered = apply_exclusions([crop.model_copy(update={"buffer_m": 1000.0})], reader,
                                region).table.loc[0, "total_km2"]
    # CROP block ≈ 3.4 km × 4.4 km; a 1 km Euclidean buffer adds ≈ perimeter·1 + π·1²
    w_km, h_km = 0.04 * 85.9, 0.04 * 111.0
    assert plain == pytest.approx(w_km * h_km, rel=0.15)
    assert buffered - plain == pytest.approx(2 * (w_km + h_km) + np.pi, rel=0.2)
    town = ExclusionSpec(name="town", layer="settlements", buffer_m=500,
                         buffer_tip_heights=10, reason="x", source="t")
    res = apply_exclusions([town], reader, region, tip_height_m=180.0)
    assert res.table.loc[0, "buffer_m"] == 1800.0
    assert res.table.loc[0, "total_km2"] == pytest.approx(np.pi * 1.8**2, rel=0.1)
    with pytest.raises(ConfigError, match="buffer_tip_heights: only for wind"):
        apply_exclusions([town], reader, region)


def test_no_sites_still_writes_consistent_outputs(world: Path, catalog, tmp_path) -> None:
    cfg = SitingConfig.model_validate(yaml.safe_load((world / "pv.yaml").read_text("utf-8")))
    cfg = cfg.model_copy(update={"sites": cfg.sites.model_copy(update={"min_area_km2": 1e4})})
    r = run_siting("pv", catalog=catalog, config=cfg, out_dir=tmp_path, res_m=1000)
    assert r.summary["sites"] == 0 and r.summary["capacity_gw"] == 0
    cap = r.capacity.set_index("adcode")
    assert cap.loc["TOTAL", "n_sites"] == 0 and (cap["capacity_mw"] == 0).all()
    assert len(gpd.read_file(r.files["sites"], layer="sites")) == 0


def test_zone_factor_and_zone_floor(world: Path, catalog) -> None:
    from ordos_geo.grid import Grid
    from ordos_geo.raster import rasterize_mask
    from ordos_geo.siting.config import FactorSpec
    from ordos_geo.siting.suitability import NODATA, evaluate_factors

    region_gdf = catalog.vector("city", crs=WORK)
    grid = Grid.from_bounds(tuple(region_gdf.total_bounds), res_m=500, crs=region_gdf.crs)
    reader = LayerReader(catalog, grid)
    kub = rasterize_mask(catalog.vector("kubuqi", crs=WORK), grid)
    assert 0 < kub.sum() < kub.size
    zone = FactorSpec(name="plan", input="zones", zones={"kubuqi": 80}, transform="identity")
    # land cover: grassland 10 → 40 everywhere outside the barren NW quadrant (= kubuqi)
    floor = FactorSpec(name="land", input="value", layer="landcover", transform="categorical",
                       params={"scores": {16: 30, 10: 40}, "default": 0},
                       zones={"kubuqi": 90})
    fl = evaluate_factors([zone, floor], reader)
    z, land = fl.scores
    assert (z[kub] == 80).all() and (z[~kub] == NODATA).all()
    # inside the zone the floor (90) beats the categorical score (30 for barren)
    assert (land[kub] == 90).all()
    lc = np.ma.filled(reader.raster("landcover"), 255)
    assert (land[~kub & (lc == 10)] == 40).all()


def test_default_style_site_rule_on_world(world: Path, catalog) -> None:
    cfg = SitingConfig.model_validate(yaml.safe_load((world / "pv.yaml").read_text("utf-8")))
    cfg = cfg.model_copy(update={"sites": cfg.sites.model_copy(update={
        "min_score": 60, "min_area_km2": 0.5, "max_site_km2": 4.0,
        "split_by_banner": True, "capacity_density_mw_per_km2": 30.0})})
    r = run_siting("pv", catalog=catalog, config=cfg, out_dir=None)
    s = r.summary
    assert s["sites"] == len(r.sites) > 1
    assert (r.sites["area_km2"] <= 4.0 + 1e-9).all()
    # absolute rule: the site land is the eligible land scoring ≥ 60 in connected pieces
    # (≥ 0.5 km² after cutting), not a share of the eligible area
    cand_km2 = float(((r.reasons == 0) & (r.score >= 60) & (r.score <= 100)).sum()) \
        * r.grid.cell_area_m2 / 1e6
    assert s["sites_area_km2"] <= cand_km2 + 1e-6
    assert s["sites_area_km2"] > 0.8 * cand_km2
    curve = {c["min_score"]: c for c in s["threshold_curve"]}
    gws = [c["gw"] for c in s["threshold_curve"]]
    assert gws == sorted(gws, reverse=True)  # a stricter threshold never adds capacity
    # the curve at the run's own threshold equals the uncut sites (cutting drops slivers)
    assert curve[60.0]["area_km2"] >= s["sites_area_km2"] - 1e-6
    # ranked: site 1 has the best mean score
    assert r.sites["mean_score"].iloc[0] == r.sites["mean_score"].max()
    assert r.sites["mean_score"].is_monotonic_decreasing
    cap = r.capacity.set_index("adcode")
    assert cap.loc["TOTAL", "capacity_mw"] == pytest.approx(r.sites["capacity_mw"].sum(), abs=0.1)
    # energy = capacity × the site's mean specific yield; LCOE present for every site
    assert np.allclose(r.sites["annual_energy_mwh"],
                       r.sites["capacity_mw"] * r.sites["resource_mean"], rtol=1e-3)
    assert (r.sites["lcoe_cny_per_kwh"] > 0).all()
    assert s["annual_energy_twh"] == pytest.approx(r.sites["annual_energy_mwh"].sum() / 1e6,
                                                   abs=1e-3)
    # technical potential = class area × density, labelled as such
    tp = s["technical_potential"]
    assert "NOT candidate sites" in tp["definition"]
    for lab, v in tp["by_class"].items():
        assert v["gw"] == pytest.approx(s["classes_km2"][lab] * 30 / 1000, abs=2e-3)
    assert tp["all_eligible_gw"] == pytest.approx(s["eligible_km2"] * 30 / 1000, rel=1e-3)
