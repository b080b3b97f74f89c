"""Tests of the rasterisation engine (ordos_geo.raster) against shapely geometry."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import rasterio
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Transformer
from rasterio.transform import from_origin

from ordos_geo import raster as rz
from ordos_geo.crs import WORK_CRS
from ordos_geo.errors import CRSMismatchError, GridMismatchError, OrdosGeoError
from ordos_geo.grid import Grid
from ordos_geo.raster import burn as _burn
from ordos_geo.raster import metrics as rasterize_metrics

UTM = "EPSG:32649"


def _star(rng: np.random.Generator, cx: float, cy: float, area_m2: float) -> shapely.Geometry:
    """A random irregular (possibly concave) polygon of roughly ``area_m2``."""
    r = math.sqrt(area_m2 / math.pi)
    n = int(rng.integers(8, 40))
    th = np.sort(rng.uniform(0, 2 * np.pi, n))
    rad = r * (1 + rng.uniform(-0.3, 0.3, n))
    return shapely.make_valid(shapely.Polygon(np.c_[cx + rad * np.cos(th), cy + rad * np.sin(th)]))


# --- rasterize_mask -------------------------------------------------------------------
def test_centre_rule_on_aligned_box() -> None:
    g = Grid.from_bounds((0, 0, 1000, 1000), res_m=100, crs=UTM)
    m = rz.rasterize_mask([shapely.box(0, 0, 500, 1000)], g)
    assert m.dtype == bool and m.shape == (10, 10)
    assert m[:, :5].all() and not m[:, 5:].any()


def test_centre_vs_all_touched() -> None:
    g = Grid.from_bounds((0, 0, 1000, 1000), res_m=100, crs=UTM)
    small = shapely.box(420, 420, 440, 440)  # inside one cell, centre not covered
    assert rz.rasterize_mask([small], g).sum() == 0
    at = rz.rasterize_mask([small], g, mode="all_touched")
    assert at.sum() == 1 and at[5, 4]  # row 5 from the top holds y 400-500
    line = shapely.LineString([(50, 50), (950, 50)])
    assert rz.rasterize_mask([line], g, mode="all_touched")[-1].all()


def test_geoseries_crs_must_match_grid() -> None:
    import geopandas as gpd

    g = Grid.from_bounds((0, 0, 1000, 1000), res_m=100, crs=UTM)
    gs = gpd.GeoSeries([shapely.box(0, 0, 500, 500)], crs="EPSG:4326")
    with pytest.raises(CRSMismatchError, match="to_crs"):
        rz.rasterize_mask(gs, g)
    ok = gpd.GeoSeries([shapely.box(0, 0, 500, 500)], crs=UTM)
    assert rz.rasterize_mask(ok, g).sum() == 25


def test_bad_mode_and_buffer() -> None:
    g = Grid.from_bounds((0, 0, 100, 100), res_m=10, crs=UTM)
    with pytest.raises(OrdosGeoError, match="mode"):
        rz.rasterize_mask([shapely.box(0, 0, 1, 1)], g, mode="center")  # type: ignore[arg-type]
    with pytest.raises(OrdosGeoError, match="buffer_m"):
        rz.rasterize_mask([shapely.box(0, 0, 1, 1)], g, buffer_m=-1)


def test_empty_and_none_geometries_are_ignored() -> None:
    g = Grid.from_bounds((0, 0, 100, 100), res_m=10, crs=UTM)
    geoms = [None, shapely.Polygon(), shapely.box(0, 0, 50, 100)]
    assert rz.rasterize_mask(geoms, g).sum() == 50
    assert rz.rasterize_mask([], g).sum() == 0


def test_blockwise_equals_single_burn(monkeypatch: pytest.MonkeyPatch) -> None:
    """Row blocks (used for large grids) give exactly the single-call answer."""
    rng = np.random.default_rng(3)
    polys = [_star(rng, *rng.uniform(0, 20_000, 2), rng.uniform(1e5, 2e7)) for _ in range(60)]
    g = Grid.from_bounds((0, 0, 20_000, 20_000), res_m=20, crs=UTM)  # 1 M cells
    single = rz.rasterize_mask(polys, g)
    monkeypatch.setattr(_burn, "SMALL", 0)
    monkeypatch.setattr(_burn, "BLOCK_ROWS", 37)  # odd block height, many blocks
    with warnings.catch_warnings():
        warnings.simplefilter("error", rasterio.errors.NotGeoreferencedWarning)
        blocked = rz.rasterize_mask(polys, g)
    assert np.array_equal(single, blocked)


def test_mixed_geometry_types_and_collections() -> None:
    g = Grid.from_bounds((0, 0, 1000, 1000), res_m=100, crs=UTM)
    gc = shapely.GeometryCollection([shapely.box(0, 0, 200, 200), shapely.Point(950, 950)])
    multi = shapely.MultiPolygon([shapely.box(800, 0, 1000, 200), shapely.box(0, 800, 200, 1000)])
    m = rz.rasterize_mask([gc, multi, shapely.LineString([(0, 550), (1000, 550)])], g,
                          mode="all_touched")
    assert m[8:, :2].all() and m[8:, 8:].all() and m[:2, :2].all() and m[0, 9]
    assert m[4].all() and not m[3].any() and not m[5, 2:8].any()  # y 500-600 is row 4


def test_out_buffer_is_reused_and_cleared() -> None:
    g = Grid.from_bounds((0, 0, 100, 100), res_m=10, crs=UTM)
    out = np.ones(g.shape, dtype=np.uint8)
    m = rz.rasterize_mask([shapely.box(0, 0, 30, 100)], g, out=out)
    assert np.shares_memory(m, out) and m.sum() == 30
    with pytest.raises(GridMismatchError):
        rz.rasterize_mask([shapely.box(0, 0, 30, 100)], g, out=np.zeros((3, 3), np.uint8))


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_rasterised_area_matches_vector_area(seed: int) -> None:
    """Per polygon the error is bounded by the boundary cells; over a layer of random
    polygons ≥ 1 km² at 100 m the total is within 0.5 % of the vector area."""
    rng = np.random.default_rng(seed)
    polys = [_star(rng, *rng.uniform(0, 1000, 2), math.exp(rng.uniform(0, math.log(50))) * 1e6)
             for _ in range(40)]
    polys = [p for p in polys if p.area >= 1e6]
    tot_v = tot_r = 0.0
    for p in polys:
        g = Grid.from_bounds(p.bounds, res_m=100, crs=UTM)
        ra = rz.rasterize_mask([p], g).sum() * g.cell_area_m2
        boundary_cells = rz.rasterize_mask([p.boundary], g, mode="all_touched").sum()
        assert abs(ra - p.area) <= boundary_cells * g.cell_area_m2
        tot_v += p.area
        tot_r += ra
    assert abs(tot_r - tot_v) / tot_v < 0.005


# --- buffers and distances ------------------------------------------------------------
@settings(max_examples=20, deadline=None)
@given(dx=st.floats(-500, 500), dy=st.floats(-500, 500))
def test_point_buffer_1km_at_30m_is_pi_km2(dx: float, dy: float) -> None:
    g = Grid.from_bounds((-2000, -2000, 2000, 2000), res_m=30, crs=UTM)
    m = rz.buffer_mask([shapely.Point(dx, dy)], g, 1000)
    area_km2 = m.sum() * g.cell_area_m2 / 1e6
    assert abs(area_km2 - math.pi) <= 0.02 * math.pi


def test_buffer_mask_matches_euclidean_distance() -> None:
    """Cells clearly inside the buffer are in, cells clearly outside are out."""
    rng = np.random.default_rng(7)
    line = shapely.LineString(np.c_[np.linspace(0, 5000, 12), rng.uniform(0, 3000, 12)])
    g = Grid.from_bounds((-2000, -2000, 7000, 5000), res_m=50, crs=UTM)
    buf = 600.0
    m = rz.buffer_mask([line], g, buf)
    rows, cols = np.indices(g.shape)
    x, y = g.xy(rows.ravel(), cols.ravel())
    d = shapely.distance(shapely.points(x, y), line).reshape(g.shape)
    tol = buf * (1 - math.cos(math.pi / 64)) + 1e-6  # 64-gon chord sag
    assert m[d <= buf - tol].all()
    assert not m[d > buf + 1e-6].any()


def test_distance_to_against_shapely() -> None:
    rng = np.random.default_rng(11)
    geoms = [shapely.LineString(rng.uniform(0, 10_000, (5, 2))),
             shapely.Point(8000, 1000), shapely.box(1000, 7000, 2500, 9000)]
    g = Grid.from_bounds((0, 0, 10_000, 10_000), res_m=100, crs=UTM)
    d = rz.distance_to(geoms, g)
    assert d.dtype == np.float32
    r, c = rng.integers(0, g.height, 500), rng.integers(0, g.width, 500)
    x, y = g.xy(r, c)
    exact = shapely.distance(shapely.points(x, y), shapely.union_all(geoms))
    assert np.all(np.abs(d[r, c] - exact) <= g.res_m / math.sqrt(2) + 1e-3)
    assert d[20, 15] == 0  # inside the box (x 1500, y 8000)
    capped = rz.distance_to(geoms, g, max_distance_m=500)
    assert capped.max() == pytest.approx(500)
    assert np.array_equal(capped, np.minimum(d, 500))


def test_distance_to_blocks_with_halo_see_geometry_outside_grid(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rng = np.random.default_rng(12)
    # lines that start well outside the grid
    geoms = [shapely.LineString(rng.uniform(-3000, 13_000, (4, 2))) for _ in range(3)]
    geoms.append(shapely.Point(-400, 5000))  # only outside
    g = Grid.from_bounds((0, 0, 10_000, 10_000), res_m=100, crs=UTM)
    monkeypatch.setattr(rasterize_metrics, "_EDT_BLOCK_CELLS", 1)  # many row blocks (4 x halo each)
    d = rz.distance_to(geoms, g, max_distance_m=1500)
    r, c = np.indices(g.shape)
    x, y = g.xy(r.ravel(), c.ravel())
    exact = np.minimum(shapely.distance(shapely.points(x, y), shapely.union_all(geoms)), 1500)
    assert np.abs(d.ravel() - exact).max() <= g.res_m / math.sqrt(2) + 1e-3
    assert d[50, 0] < 500  # the point 450 m outside the grid counts


@pytest.mark.parametrize(("coarse", "cap"), [(150.0, None), (200.0, 2500.0)])
def test_distance_to_coarse_error_bound(coarse: float, cap: float | None) -> None:
    rng = np.random.default_rng(13)
    # lines reaching outside the grid: without a cap only the part inside counts (as for
    # the full-grid EDT); with a cap everything within the cap counts
    geoms = [shapely.LineString(rng.uniform(-2000, 14_000, (6, 2))) for _ in range(3)]
    geoms += [shapely.box(2000, 7000, 3500, 8200), shapely.Point(9000, 1500)]
    g = Grid.from_bounds((0, 0, 12_000, 10_000), res_m=30, crs=UTM)
    d = rz.distance_to(geoms, g, coarse_m=coarse, max_distance_m=cap)
    assert d.dtype == np.float32 and d.shape == g.shape
    r, c = np.indices(g.shape)
    x, y = g.xy(r.ravel(), c.ravel())
    union = shapely.union_all(geoms)
    if cap is None:
        union = shapely.clip_by_rect(union, *g.bounds)
    exact = shapely.distance(shapely.points(x, y), union)
    if cap is not None:
        exact = np.minimum(exact, cap)
    err = np.abs(d.ravel() - exact)
    assert err.max() <= math.sqrt(2) * coarse + 1e-3  # the documented bound
    assert err.mean() < 0.5 * coarse  # typically much smaller than the bound
    fine = rz.distance_to(geoms, g, max_distance_m=cap)
    assert np.abs(fine.ravel() - exact).mean() < err.mean()  # the price of coarse_m
    # coarse_m not above the resolution: the exact path, bit for bit
    assert np.array_equal(rz.distance_to(geoms, g, coarse_m=30, max_distance_m=cap), fine)


def test_distance_to_nothing_and_far_geometry() -> None:
    g = Grid.from_bounds((0, 0, 1000, 1000), res_m=100, crs=UTM)
    assert np.isinf(rz.distance_to([], g)).all()
    assert (rz.distance_to([], g, max_distance_m=50) == 50).all()
    far = rz.distance_to([shapely.Point(5000, 50)], g)  # outside the grid: exact path
    assert far[9, 9] == pytest.approx(5000 - 950, abs=1e-3)


# --- coverage fraction ----------------------------------------------------------------
@pytest.mark.parametrize("engine", ["exactextract", "shapely"])
def test_coverage_fraction_exact(engine: str, monkeypatch: pytest.MonkeyPatch) -> None:
    if engine == "exactextract":
        pytest.importorskip("exactextract")
    else:
        monkeypatch.setattr(rasterize_metrics, "_coverage_exactextract", lambda *a: False)
    rng = np.random.default_rng(5)
    polys = [_star(rng, *rng.uniform(500, 4500, 2), rng.uniform(2e5, 3e6)) for _ in range(6)]
    g = Grid.from_bounds((0, 0, 5000, 5000), res_m=100, crs=UTM)
    cov = rz.coverage_fraction(polys, g)
    assert cov.dtype == np.uint8 and cov.max() <= 100
    union = shapely.union_all(polys)
    # every cell within half a percent of its exact share
    r, c = np.indices(g.shape)
    x, y = g.xy(r.ravel(), c.ravel())
    cells = shapely.box(x - 50, y - 50, x + 50, y + 50)
    exact = (shapely.area(shapely.intersection(cells, union)) / g.cell_area_m2 * 100)
    assert np.abs(cov.ravel() - exact).max() <= 0.5 + 1e-9
    assert abs(cov.sum() / 100 * g.cell_area_m2 - union.area) / union.area < 0.01
    assert rz.coverage_fraction([shapely.LineString([(0, 0), (900, 900)])], g).sum() == 0


# --- raster classes -------------------------------------------------------------------
def test_raster_class_mask_codes_ranges_and_nodata() -> None:
    a = np.ma.masked_array([0, 5, 13, 20, 13], mask=[False, False, False, False, True])
    assert rz.raster_class_mask(a, codes=[0, 13]).tolist() == [True, False, True, False, False]
    assert rz.raster_class_mask(a, ranges=[[4, 13]]).tolist() == [False, True, True, False, False]
    both = rz.raster_class_mask(a, codes=[20], ranges=[[0, 0]])
    assert both.tolist() == [True, False, False, True, False]
    with pytest.raises(OrdosGeoError):
        rz.raster_class_mask(a)
    with pytest.raises(OrdosGeoError, match="lo"):
        rz.raster_class_mask(a, ranges=[[5, 1]])


def _lonlat_raster(path, rng: np.random.Generator) -> tuple[np.ndarray, object]:
    data = rng.choice(np.array([0, 10, 13, 16], dtype=np.uint8), (60, 80), p=[.2, .5, .1, .2])
    data[0, 0] = 255
    t = from_origin(109.0, 40.0, 0.005, 0.005)
    with rasterio.open(path, "w", driver="GTiff", height=60, width=80, count=1,
                       dtype="uint8", crs="EPSG:4326", transform=t, nodata=255) as dst:
        dst.write(data, 1)
    return data, t


def test_warp_class_mask_is_nearest_exact(tmp_path) -> None:
    rng = np.random.default_rng(2)
    data, t = _lonlat_raster(tmp_path / "lc.tif", rng)
    tr = Transformer.from_crs("EPSG:4326", WORK_CRS, always_xy=True)
    x0, y0, x1, y1 = tr.transform_bounds(109.02, 39.72, 109.38, 39.98)
    g = Grid.from_bounds((x0, y0, x1, y1), res_m=50, crs=WORK_CRS)
    poly = rz.warp_class_mask(tmp_path / "lc.tif", g, codes=[0, 13], method="polygons")
    poly = poly.copy()
    warp = rz.warp_class_mask(tmp_path / "lc.tif", g, codes=[0, 13], method="warp")
    # the truth: the source pixel containing each cell centre
    r, c = np.indices(g.shape)
    x, y = g.xy(r.ravel(), c.ravel())
    lon, lat = Transformer.from_crs(WORK_CRS, "EPSG:4326", always_xy=True).transform(x, y)
    col = np.floor((lon - t.c) / t.a).astype(int)
    row = np.floor((lat - t.f) / t.e).astype(int)
    truth = np.isin(data[row, col], [0, 13]).reshape(g.shape)
    assert np.array_equal(poly, truth)
    assert (warp == truth).mean() > 0.99  # GDAL's approximate transformer
    auto = rz.warp_class_mask(tmp_path / "lc.tif", g, codes=[0, 13])
    assert np.array_equal(auto, truth)


def test_burn_class_into_keeps_other_cells(tmp_path) -> None:
    rng = np.random.default_rng(4)
    _data, _ = _lonlat_raster(tmp_path / "lc.tif", rng)
    tr = Transformer.from_crs("EPSG:4326", WORK_CRS, always_xy=True)
    g = Grid.from_bounds(tr.transform_bounds(109.05, 39.75, 109.3, 39.95), res_m=100,
                         crs=WORK_CRS)
    out = np.full(g.shape, 7, dtype=np.uint8)
    rz.burn_class_into(out, tmp_path / "lc.tif", g, value=3, codes=[16])
    m = rz.warp_class_mask(tmp_path / "lc.tif", g, codes=[16])
    assert np.array_equal(out == 3, m) and (out[~m] == 7).all()


def test_class_mask_on_small_windows_of_a_coarse_raster(tmp_path) -> None:
    """Windows much smaller than a source pixel still see every pixel under their cells.

    Regression: rasterio 1.4's ``round_lengths(op="ceil")`` rounds to nearest, so the
    source window of a small grid lost its last row/column of pixels.
    """
    rng = np.random.default_rng(7)
    t = from_origin(108.0, 41.0, 0.1, 0.1)
    data = (rng.uniform(0, 1, (30, 40)) < 0.3).astype(np.uint8)
    with rasterio.open(tmp_path / "c.tif", "w", driver="GTiff", width=40, height=30,
                       count=1, dtype="uint8", crs="EPSG:4326", transform=t) as dst:
        dst.write(data, 1)
    tr = Transformer.from_crs("EPSG:4326", WORK_CRS, always_xy=True)
    g = Grid.from_bounds(tr.transform_bounds(109.5, 39.6, 110.4, 40.2), res_m=250,
                         crs=WORK_CRS)
    r, c = np.indices(g.shape)
    lon, lat = Transformer.from_crs(WORK_CRS, "EPSG:4326", always_xy=True).transform(
        *g.xy(r.ravel(), c.ravel()))
    truth = data[np.floor((lat - 41.0) / -0.1).astype(int),
                 np.floor((lon - 108.0) / 0.1).astype(int)].reshape(g.shape) == 1
    assert 0.1 < truth.mean() < 0.5
    full = rz.warp_class_mask(tmp_path / "c.tif", g, codes=[1], method="polygons").copy()
    # pixel edges are straight chords between corners 0.1° apart: a cell centre within
    # ~2 m of a curved parallel may fall on the other side (1 cell here)
    assert (full != truth).sum() <= 2
    n = 0
    for w in g.blocks(block_rows=37, block_cols=53):
        sub = g.subgrid(w)
        m = rz.warp_class_mask(tmp_path / "c.tif", sub, codes=[1], method="polygons")
        r0, c0 = int(w.row_off), int(w.col_off)
        assert np.array_equal(m, full[r0:r0 + sub.height, c0:c0 + sub.width]), w
        n += 1
    assert n > 10


def test_warp_class_mask_no_overlap_is_empty(tmp_path) -> None:
    _lonlat_raster(tmp_path / "lc.tif", np.random.default_rng(0))
    g = Grid.from_bounds((0, 0, 1000, 1000), res_m=100, crs=UTM)  # far from 109 E 40 N
    assert not rz.warp_class_mask(tmp_path / "lc.tif", g, codes=[0]).any()


# --- reasons --------------------------------------------------------------------------
def test_apply_reasons_first_exclusion_wins() -> None:
    reasons = np.zeros((4, 4), dtype=np.uint8)
    reasons[0] = rz.OUTSIDE
    a = np.zeros((4, 4), bool)
    a[:2] = True
    b = np.zeros((4, 4), bool)
    b[1:3] = True
    rz.apply_reasons(reasons, a, 1)
    rz.apply_reasons(reasons, b, 2)
    assert reasons[0].tolist() == [255] * 4
    assert reasons[1].tolist() == [1] * 4 and reasons[2].tolist() == [2] * 4
    assert reasons[3].tolist() == [0] * 4
    counts = rz.reason_counts(reasons)
    assert counts[[0, 1, 2, 255]].tolist() == [4, 4, 4, 4]
    assert np.array_equal(rz.reason_counts(reasons, codes=[0, 1, 2, 255]), counts)
    with pytest.raises(OrdosGeoError):
        rz.apply_reasons(reasons, a, 255)


def test_burn_into_region_then_exclusion() -> None:
    g = Grid.from_bounds((0, 0, 400, 100), res_m=100, crs=UTM)
    a = np.full(g.shape, rz.OUTSIDE, dtype=np.uint8)
    rz.burn_into(a, [shapely.box(0, 0, 300, 100)], g, value=0)
    assert a.tolist() == [[0, 0, 0, 255]]
    with pytest.raises(GridMismatchError):
        rz.burn_into(a.astype(np.int16), [shapely.box(0, 0, 1, 1)], g, value=1)


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), code=st.integers(1, 254))
def test_apply_reasons_matches_reference(seed: int, code: int) -> None:
    """Chunked arithmetic == the obvious definition, across chunk borders (1.1 M cells)."""
    rng = np.random.default_rng(seed)
    reasons = rng.choice(np.array([0, 0, 0, 7, 255], dtype=np.uint8), (1100, 1000))
    mask_u8 = rng.integers(0, 3, reasons.shape).astype(np.uint8)  # 0/1/2: nonzero = True
    expected = reasons.copy()
    expected[(expected == 0) & (mask_u8 != 0)] = code
    got = reasons.copy()
    rz.apply_reasons(got, mask_u8, code)
    assert np.array_equal(got, expected)
    got_b = reasons.copy()
    rz.apply_reasons(got_b, mask_u8 != 0, code)
    assert np.array_equal(got_b, expected)
