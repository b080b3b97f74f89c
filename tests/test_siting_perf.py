"""Siting at fine resolution: coarse distance factors, the raster cache, site maxima.

The data are small synthetic layers inside Ordos built in ``tmp_path`` (a 12 km x 12 km
area at 30-50 m), so every test runs in seconds.
"""

from __future__ import annotations

import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import rasterio
import shapely
import yaml
from affine import Affine
from shapely.geometry import LineString, Point, box

from ordos_geo.catalog import Catalog
from ordos_geo.crs import WORK_CRS as WORK
from ordos_geo.grid import Grid
from ordos_geo.siting import run_siting
from ordos_geo.siting.config import DEFAULT_DISTANCE_RES_M, FactorSpec, GridSpec, SitingConfig
from ordos_geo.siting.sites import site_table
from ordos_geo.siting.suitability import LayerReader, evaluate_factors

W, S, E, N = 109.00, 39.30, 109.14, 39.41           # ≈ 12 km x 12 km inside Ordos
TOWNS = [Point(109.02, 39.32), Point(109.12, 39.39)]
PARK = box(109.10, 39.31, 109.12, 39.33)
ROAD = LineString([(109.00, 39.40), (109.14, 39.36)])


def _raster(path: Path, bands: np.ndarray, *, dtype: str, nodata: float) -> None:
    if bands.ndim == 2:
        bands = bands[None]
    res = 0.01
    with rasterio.open(path, "w", driver="GTiff", width=bands.shape[2], height=bands.shape[1],
                       count=bands.shape[0], dtype=dtype, crs="EPSG:4326", nodata=nodata,
                       transform=Affine(res, 0, W - 0.03, 0, -res, N + 0.03)) as dst:
        dst.write(bands.astype(dtype))


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("siting_perf_world")
    crs = "EPSG:4326"
    vec = {
        "city": gpd.GeoDataFrame({"adcode": ["150600"]}, geometry=[box(W, S, E, N)], crs=crs),
        "banners": gpd.GeoDataFrame(
            {"adcode": ["150621", "150622"], "name_zh": ["达拉特旗", "准格尔旗"],
             "name_en": ["Dalad", "Jungar"]},
            geometry=[box(W, S, 109.07, N), box(109.07, S, E, N)], crs=crs),
        "settlements": gpd.GeoDataFrame({"name_zh": ["镇一", "镇二"]}, geometry=TOWNS, crs=crs),
        "parks": gpd.GeoDataFrame({"park_id": ["P1"]}, geometry=[PARK], crs=crs),
        "roads": gpd.GeoDataFrame({"name": ["r"]}, geometry=[ROAD], crs=crs),
    }
    for name, gdf in vec.items():
        gdf.to_file(d / f"{name}.gpkg", driver="GPKG", layer=name)
    lc = np.full((17, 20), 10, dtype="uint8")
    lc[:8, :8] = 16
    lc[12:, 12:] = 12
    _raster(d / "landcover.tif", lc, dtype="uint8", nodata=255)
    _raster(d / "elevation.tif", np.full((17, 20), 1300), dtype="int16", nodata=-32768)
    _raster(d / "linke.tif", np.full((12, 17, 20), 3.0), dtype="float32", nodata=-9999)
    ids = {**{k: f"{k}.gpkg" for k in vec}, "landcover": "landcover.tif",
           "elevation": "elevation.tif", "linke_turbidity": "linke.tif"}
    layers = [{"id": i, "title_zh": i, "title_en": i,
               "kind": "raster" if f.endswith(".tif") else "vector", "path": f, "crs": crs,
               "roles": ["context"], "provenance": "derived", "source": "synthetic test data",
               "licence": "CC0"} for i, f in ids.items()]
    (d / "catalog.yaml").write_text(yaml.safe_dump({"version": 1, "layers": layers},
                                                   allow_unicode=True), encoding="utf-8")
    return d


@pytest.fixture(scope="module")
def catalog(world: Path) -> Catalog:
    return Catalog.load(default=world / "catalog.yaml")


def _grid(catalog: Catalog, res_m: float) -> Grid:
    region = catalog.vector("city", crs=WORK)
    return Grid.from_bounds(tuple(region.total_bounds), res_m=res_m, crs=region.crs)


def _pv_config(**grid: float) -> SitingConfig:
    lin = {"transform": "linear", "weight": 1}
    return SitingConfig.model_validate({
        "kind": "pv",
        "grid": {"res_m": 100, "region": "city", **grid},
        "exclusions": [
            {"name": "cropland", "layer": "landcover", "codes": [12], "reason": "耕地",
             "source": "test"},
            {"name": "towns", "layer": "settlements", "buffer_m": 800, "reason": "镇",
             "source": "test"},
        ],
        "factors": [
            {"name": "land", "input": "value", "layer": "landcover",
             "transform": "categorical", "params": {"scores": {16: 100, 10: 60}, "default": 0},
             "weight": 2},
            {"name": "park", "input": "distance", "layer": "parks",
             "params": {"lo": 8000, "hi": 0}, **lin},
            {"name": "road", "input": "distance", "layer": "roads",
             "params": {"lo": 6000, "hi": 0}, **lin},
        ],
        "sites": {"min_score": 60, "min_area_km2": 0.5, "max_site_km2": 9,
                  "capacity_density_mw_per_km2": 30},
        "pv": {"sample_deg": 0.05},
    })


# --- the config option -----------------------------------------------------------------
@pytest.mark.parametrize(("res", "opt", "expected"), [
    (30, None, DEFAULT_DISTANCE_RES_M),   # default: coarse 100 m on a 30 m grid
    (100, None, 100),                     # 100 m default run: exact, as before
    (250, None, 250),                     # never finer than the working grid
    (30, 30, 30),                         # explicit exact
    (30, 250, 250),
    (100, 50, 100),                       # finer than the grid → the grid
])
def test_distance_cell_default_and_override(res, opt, expected) -> None:
    g = GridSpec(res_m=res, distance_res_m=opt)
    assert g.distance_cell_m() == expected


def test_distance_res_must_be_positive() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="distance_res_m"):
        GridSpec(res_m=30, distance_res_m=0)


# --- coarse vs exact distance factors ---------------------------------------------------
def test_coarse_distance_factor_agrees_with_exact_within_bound(catalog) -> None:
    """30 m grid: distance factors from a 100 m EDT stay within √2·100 m of the truth."""
    from ordos_geo.raster import distance_to

    grid = _grid(catalog, 30)
    cell = GridSpec(res_m=30).distance_cell_m()
    assert cell == 100
    roads = catalog.vector("roads", crs=grid.crs)
    exact = distance_to(roads, grid)
    coarse = distance_to(roads, grid, coarse_m=cell)
    xs, ys = grid.xy(*np.indices(grid.shape).reshape(2, -1))
    truth = shapely.distance(shapely.points(np.asarray(xs), np.asarray(ys)),
                             roads.geometry.iloc[0]).reshape(grid.shape)
    assert np.abs(exact - truth).max() <= grid.res_m / math.sqrt(2) + 1e-3
    err = np.abs(coarse - truth)
    assert err.max() <= math.sqrt(2) * cell + 1e-3
    assert err.mean() < cell / 2  # typically a fraction of the coarse cell

    # the same through the siting factor path: linear score 100 at 0 m → 0 at 6 km,
    # i.e. 1 point per 60 m, so coarse and exact scores differ by at most
    # (√2·cell + res/√2) / 60 m + 1 point of rounding
    spec = FactorSpec(name="road", input="distance", layer="roads", transform="linear",
                      params={"lo": 6000, "hi": 0}, weight=1)
    reader = LayerReader(catalog, grid)
    s_exact = evaluate_factors([spec], reader).scores[0].astype(int)
    s_coarse = evaluate_factors([spec], reader, distance_cell_m=cell).scores[0].astype(int)
    bound = (math.sqrt(2) * cell + grid.res_m / math.sqrt(2)) / 60.0 + 1
    diff = np.abs(s_coarse - s_exact)
    assert diff.max() <= bound
    assert diff.any()  # the coarse path was really taken
    # a distance cell not coarser than the grid is the exact transform
    same = evaluate_factors([spec], reader, distance_cell_m=grid.res_m).scores[0]
    assert np.array_equal(same, s_exact)


def test_run_at_fine_res_with_coarse_distance_matches_exact(catalog) -> None:
    """Default coarse distances change neither eligibility nor sites by more than a few %."""
    fine = run_siting("pv", catalog=catalog, config=_pv_config(), res_m=50, out_dir=None)
    exact = run_siting("pv", catalog=catalog, config=_pv_config(distance_res_m=50), res_m=50,
                       out_dir=None)
    sf, se = fine.summary, exact.summary
    # exclusions never use the coarse grid: identical reasons
    assert np.array_equal(fine.reasons, exact.reasons)
    assert sf["eligible_km2"] == se["eligible_km2"]
    assert se["sites"] > 0
    assert sf["capacity_gw"] == pytest.approx(se["capacity_gw"], rel=0.05)
    assert abs(sf["sites"] - se["sites"]) <= max(1, 0.05 * se["sites"])
    # score of eligible cells: within the distance bound of both factors (weights 1/4)
    ok = fine.reasons == 0
    d = np.abs(fine.score[ok].astype(int) - exact.score[ok].astype(int))
    per_factor = (math.sqrt(2) * 100 + 50 / math.sqrt(2)) / 60.0 + 1
    assert d.max() <= math.ceil(0.25 * per_factor * 2) + 1
    assert "stages" in sf["timing_s"] and "factors" in sf["timing_s"]["stages"]


# --- raster cache -------------------------------------------------------------------------
def test_layer_reader_reuses_last_raster_read_only(catalog) -> None:
    grid = _grid(catalog, 100)
    calls: list[tuple[str, int]] = []

    class Counting:
        def __getattr__(self, name: str):
            return getattr(catalog, name)

        def __getitem__(self, key: str):
            return catalog[key]

        def raster_to_grid(self, layer_id, g, *, resampling="nearest", band=1):
            calls.append((layer_id, band))
            return catalog.raster_to_grid(layer_id, g, resampling=resampling, band=band)

    reader = LayerReader(Counting(), grid)
    a = reader.raster("landcover")
    b = reader.raster("landcover")
    assert a is b and calls == [("landcover", 1)]
    with pytest.raises(ValueError, match="read-only"):
        a.data[0, 0] = 1
    # other resampling / layer / grid → a fresh read; the cache holds one entry
    reader.raster("landcover", resampling="bilinear")
    reader.raster("elevation")
    coarse = _grid(catalog, 1000)
    reader.raster("elevation", grid=coarse)
    reader.raster("elevation", grid=coarse)
    reader.raster("landcover")
    assert calls == [("landcover", 1)] * 2 + [("elevation", 1)] * 3 + [("landcover", 1)]
    assert np.array_equal(np.ma.filled(reader.raster("landcover"), 255),
                          np.ma.filled(catalog.raster_to_grid("landcover", grid), 255))


# --- site maxima --------------------------------------------------------------------------
def test_site_table_max_and_mean_score_per_site(catalog) -> None:
    grid = _grid(catalog, 200)
    rng = np.random.default_rng(3)
    score = rng.integers(0, 101, size=grid.shape).astype(np.uint8)
    labels = np.zeros(grid.shape, dtype=np.int32)
    labels[2:10, 2:12] = 1
    labels[20:30, 5:9] = 2
    labels[40:44, 30:50] = 3
    banners = catalog.vector("banners", crs=grid.crs)
    from ordos_geo.siting.sites import banner_index

    sites = site_table(labels, 3, grid, score, banners=banners,
                       banner_idx=banner_index(banners, grid), pref_masks={}, landcover=None,
                       landcover_labels=None, density_mw_per_km2=30)
    for i in (1, 2, 3):
        cells = score[labels == i]
        row = sites.iloc[i - 1]
        assert row["max_score"] == int(cells.max())
        assert row["mean_score"] == pytest.approx(round(float(cells.mean()), 2))
        assert row["area_km2"] == pytest.approx(cells.size * grid.cell_area_m2 / 1e6, abs=1e-4)


# --- outputs written in threads ------------------------------------------------------------
def test_parallel_cog_writes_equal_sequential(catalog, tmp_path, monkeypatch) -> None:
    """The threaded writer (used on grids ≥ 20 M cells) writes the same rasters."""
    import ordos_geo.siting.outputs as outputs

    seq = tmp_path / "seq"
    par = tmp_path / "par"
    run_siting("pv", catalog=catalog, config=_pv_config(), res_m=100, out_dir=seq,
               sensitivity=2)
    calls: list[int] = []
    real = outputs._run_parallel

    def spy(jobs, *, workers):
        calls.append(workers)
        return real(jobs, workers=workers)

    monkeypatch.setattr(outputs, "_PARALLEL_MIN_CELLS", 0)
    monkeypatch.setattr(outputs, "_run_parallel", spy)
    run_siting("pv", catalog=catalog, config=_pv_config(), res_m=100, out_dir=par,
               sensitivity=2)
    assert len(calls) == 1 and calls[0] > 1  # default workers of write_outputs
    for name in ("pv_score.tif", "pv_reasons.tif", "pv_resource.tif", "pv_robustness.tif"):
        with rasterio.open(seq / name) as a, rasterio.open(par / name) as b:
            pa, pb = dict(a.profile), dict(b.profile)
            na, nb = pa.pop("nodata"), pb.pop("nodata")
            assert pa == pb and (na == nb or (np.isnan(na) and np.isnan(nb)))
            assert np.array_equal(a.read(), b.read(), equal_nan=True)
            assert a.tags() == b.tags()
