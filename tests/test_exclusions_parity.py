"""Parity of the one exclusion engine: eligibility, siting and the blockwise backend.

The same exclusions run through :func:`ordos_geo.eligibility.compute_eligibility`
(memory and dask), :func:`ordos_geo.siting.suitability.apply_exclusions` and
:func:`ordos_geo.exclusions.run_blockwise` must give the same reason raster, cell for
cell — on the default layers (coarse 1000 m grid to stay quick) and on a user layer
registered in a user catalog, filtered by ``where`` on a float code field and on a
0/1 field.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import rasterio
from shapely.geometry import box

from ordos_geo.catalog import Catalog
from ordos_geo.eligibility import EligibilityConfig, compute_eligibility
from ordos_geo.exclusions import iter_reason_windows, plan_exclusions, run_blockwise, run_memory
from ordos_geo.grid import Grid
from ordos_geo.raster import rasterize_mask
from ordos_geo.resources import analysis_path
from ordos_geo.siting.config import load_siting_config
from ordos_geo.siting.resource import load_turbine
from ordos_geo.siting.suitability import LayerReader, apply_exclusions

RES = 1000.0


def _siting(cat: Catalog, specs: list, crs: str, *, tip: float | None = None
            ) -> tuple[np.ndarray, Grid]:
    region_gdf = cat.vector("city", crs=crs)
    grid = Grid.from_bounds(tuple(region_gdf.total_bounds), res_m=RES, crs=region_gdf.crs)
    region = rasterize_mask(region_gdf, grid, mode="centre")
    res = apply_exclusions(specs, LayerReader(cat, grid), region, tip_height_m=tip)
    return res.reasons, grid


def _eligibility(cat: Catalog, specs: list, crs: str, tmp_path: Path) -> tuple[
        np.ndarray, np.ndarray, Grid]:
    cfg = EligibilityConfig.model_validate({
        "region": {"layer": "city"}, "crs": crs, "res_m": RES,
        "exclusions": [s.model_dump(exclude_defaults=True) for s in specs]})
    mem = compute_eligibility(cfg, catalog=cat)
    tif = tmp_path / "reasons.tif"
    dk = compute_eligibility(cfg, catalog=cat, engine="dask", chunk=(37, 53), n_workers=2,
                             reasons_path=tif)
    assert dk.n_chunks > 4 and dk.reasons is None
    assert dk.eligible_km2 == pytest.approx(mem.eligible_km2)
    with rasterio.open(tif) as ds:
        blockwise = ds.read(1)
    assert mem.reasons is not None
    return mem.reasons, blockwise, mem.grid


@pytest.mark.parametrize("kind", ["pv", "wind"])
def test_default_layers_identical_in_every_engine(kind: str, tmp_path: Path) -> None:
    cat = Catalog.load(None)
    cfg = load_siting_config(analysis_path(f"{kind}.yaml"))
    tip = load_turbine(cfg.wind.turbine_type, cfg.wind.hub_height_m).tip_height_m \
        if kind == "wind" else None
    siting, grid = _siting(cat, cfg.exclusions, cfg.grid.crs, tip=tip)
    codes = set(np.unique(siting).tolist())
    assert {0, 1, 255} <= codes and len(codes) >= 5  # several exclusions really bite
    # the blockwise backend on the siting exclusions (tip-height buffers included)
    region = cat.vector("city", crs=cfg.grid.crs)
    plan = plan_exclusions(cfg.exclusions, grid, catalog=cat, region=region, tip_height_m=tip)
    run_blockwise(plan, chunk=(29, 41), reasons_path=tmp_path / "b.tif")
    with rasterio.open(tmp_path / "b.tif") as ds:
        np.testing.assert_array_equal(ds.read(1), siting)
    np.testing.assert_array_equal(run_memory(plan).reasons, siting)
    assembled = np.zeros_like(siting)
    for win, block in iter_reason_windows(plan, chunk=(31, 17), n_workers=2):
        assembled[win.row_off:win.row_off + win.height,
                  win.col_off:win.col_off + win.width] = block
    np.testing.assert_array_equal(assembled, siting)
    if kind == "pv":  # no tip-height buffers: the same list runs as an eligibility config
        mem, blockwise, egrid = _eligibility(cat, cfg.exclusions, cfg.grid.crs, tmp_path)
        assert egrid == grid
        np.testing.assert_array_equal(mem, siting)
        np.testing.assert_array_equal(blockwise, siting)


@pytest.fixture
def user_catalog(tmp_path: Path) -> Path:
    """A GeoPackage of 3 boxes inside Ordos with a float code and a 0/1 field."""
    cat = Catalog.load(None)
    x0, y0, x1, y1 = cat.vector("city", crs="EPSG:4326").total_bounds
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    gdf = gpd.GeoDataFrame(
        {"adcode": [150602.0, 150603.0, 150621.0], "mengxi": [0, 1, 0]},
        geometry=[box(cx - 0.6, cy - 0.3, cx - 0.1, cy + 0.2),
                  box(cx, cy, cx + 0.5, cy + 0.4),
                  box(cx - 0.3, cy - 0.6, cx + 0.3, cy - 0.35)],
        crs="EPSG:4326")
    gdf.to_file(tmp_path / "user.gpkg", layer="zones", driver="GPKG")
    (tmp_path / "user_catalog.yaml").write_text(
        "version: 1\nlayers:\n"
        "  - id: user_zones\n    path: user.gpkg\n    kind: vector\n    crs: EPSG:4326\n"
        "    roles: [context]\n    title_zh: 测试区\n    title_en: Test zones\n"
        "    source: built by this test\n    licence: CC0\n",
        encoding="utf-8")
    return tmp_path / "user_catalog.yaml"


def test_user_layer_where_identical_in_every_engine(user_catalog: Path, tmp_path: Path) -> None:
    from ordos_geo.exclusions import ExclusionSpec

    cat = Catalog.load(user_catalog)
    crs = load_siting_config(analysis_path("pv.yaml")).grid.crs
    specs = [
        ExclusionSpec(name="code", layer="user_zones", where={"adcode": "150602"},
                      reason="float code field, text value"),
        ExclusionSpec(name="flag", layer="user_zones", where={"mengxi": True}, buffer_m=3000,
                      reason="0/1 field, boolean value"),
        ExclusionSpec(name="urban", layer="landcover", codes=[13], reason="urban"),
    ]
    siting, grid = _siting(cat, specs, crs)
    mem, blockwise, egrid = _eligibility(cat, specs, crs, tmp_path)
    assert egrid == grid
    np.testing.assert_array_equal(mem, siting)
    np.testing.assert_array_equal(blockwise, siting)
    # each where matched exactly its one row: code 1 is the first box, code 2 the
    # buffered second one; the third box (adcode 150621, mengxi 0) excludes nothing
    zones = cat.vector("user_zones", crs=crs)
    region = rasterize_mask(cat.vector("city", crs=crs), grid)
    first = rasterize_mask(zones.iloc[[0]], grid) & region
    assert first.sum() > 0
    np.testing.assert_array_equal(siting == 1, first)
    second = rasterize_mask(zones.iloc[[1]], grid, buffer_m=3000) & region & ~first
    assert second.sum() > 0
    np.testing.assert_array_equal(siting == 2, second)
    third = rasterize_mask(zones.iloc[[2]], grid) & region
    assert third.sum() > 0 and not np.isin(siting[third & ~first & ~second], [1, 2]).any()


def test_file_layers_fraction_and_raster_buffer_identical_in_both_backends(
        user_catalog: Path, tmp_path: Path) -> None:
    """File path + layer inside a multi-layer GeoPackage, all_touched, fraction, raster buffer."""
    from shapely.geometry import LineString

    cat = Catalog.load(None)
    zones = gpd.read_file(tmp_path / "user.gpkg", layer="zones")
    x0, y0, x1, y1 = zones.total_bounds
    roads = gpd.GeoDataFrame({"kind": ["a", "b"]}, crs="EPSG:4326", geometry=[
        LineString([(x0, y0), (x1, y1)]), LineString([(x0, y1), (x1, y0)])])
    roads.to_file(tmp_path / "user.gpkg", layer="roads", driver="GPKG")
    cfg_path = tmp_path / "elig.yaml"
    cfg_path.write_text(
        "region: {layer: city}\nres_m: 1000\nexclusions:\n"
        "  - {layer: user.gpkg, file_layer: roads, where: {kind: a}, mode: all_touched, "
        "reason: road a cells}\n"
        "  - {layer: user.gpkg, file_layer: zones, mode: fraction, min_fraction: 0.3, "
        "reason: zones ≥ 30 %}\n"
        "  - {layer: landcover, codes: [13], buffer_m: 2500, reason: urban + 2.5 km}\n",
        encoding="utf-8")
    from ordos_geo.eligibility import load_eligibility_config

    cfg = load_eligibility_config(cfg_path)
    mem = compute_eligibility(cfg, catalog=cat)
    dk = compute_eligibility(cfg, catalog=cat, engine="dask", chunk=(23, 31),
                             reasons_path=tmp_path / "r.tif")
    with rasterio.open(tmp_path / "r.tif") as ds:
        np.testing.assert_array_equal(ds.read(1), mem.reasons)
    assert mem.reasons is not None
    assert all((mem.reasons == c).any() for c in (1, 2, 3))
    # fraction ≥ 30 % takes more cells than the centre rule of the same zones
    centre = rasterize_mask(zones.to_crs(mem.grid.crs), mem.grid)
    assert int((mem.reasons == 2).sum()) + int(((mem.reasons == 1) & centre).sum()) \
        > int((centre & (mem.reasons != 255)).sum())
    # the buffered raster class removes more than the class pixels alone
    plain = compute_eligibility(cfg.model_copy(update={"exclusions": [
        cfg.exclusions[2].model_copy(update={"buffer_m": 0.0})]}), catalog=cat)
    assert dk.exclusions[2].removed_km2 > 0 and plain.exclusions[0].removed_km2 > 0
    assert plain.eligible_km2 > compute_eligibility(cfg.model_copy(update={
        "exclusions": [cfg.exclusions[2]]}), catalog=cat).eligible_km2
