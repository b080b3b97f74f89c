"""Tests for ordos_geo.io.raster: warping onto the grid, masks, CRS checks, COG writing."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest
import rasterio
from rasterio.transform import from_origin

from ordos_geo.crs import WORK_CRS
from ordos_geo.errors import ConfigError, CRSMismatchError, LayerIOError, OutputError
from ordos_geo.grid import Grid
from ordos_geo.io.raster import raster_info, read_to_grid, write_cog

# Source raster: 0.1° cells over 109.0-110.0 E, 39.0-40.0 N (10 x 10), value = 10*row + col.
SRC_TRANSFORM = from_origin(109.0, 40.0, 0.1, 0.1)
VALUES = (np.arange(100).reshape(10, 10)).astype("uint8")


def _write_src(
    path: Path,
    arr: np.ndarray = VALUES,
    *,
    crs: str | None = "EPSG:4326",
    nodata: float | None = None,
    transform: object = SRC_TRANSFORM,
) -> Path:
    prof = {
        "driver": "GTiff",
        "height": arr.shape[-2],
        "width": arr.shape[-1],
        "count": 1 if arr.ndim == 2 else arr.shape[0],
        "dtype": arr.dtype.name,
        "crs": crs,
        "transform": transform,
        "nodata": nodata,
    }
    with rasterio.open(path, "w", **prof) as ds:
        ds.write(arr if arr.ndim == 3 else arr[np.newaxis])
    return path


def _grid_over(lonlat: tuple[float, float, float, float], res_m: float) -> Grid:
    from pyproj import Transformer

    tr = Transformer.from_crs(4326, WORK_CRS, always_xy=True)
    return Grid.from_bounds(tr.transform_bounds(*lonlat), res_m=res_m, crs=WORK_CRS)


def _expected_at_centres(grid: Grid) -> tuple[np.ndarray, np.ndarray]:
    """Nearest-neighbour expectation computed independently with pyproj."""
    from pyproj import Transformer

    rows, cols = np.indices(grid.shape)
    x, y = grid.xy(rows, cols)
    lon, lat = Transformer.from_crs(WORK_CRS, 4326, always_xy=True).transform(x, y)
    c = np.floor((lon - 109.0) / 0.1).astype(int)
    r = np.floor((40.0 - lat) / 0.1).astype(int)
    inside = (c >= 0) & (c < 10) & (r >= 0) & (r < 10)
    exp = np.where(inside, 10 * np.clip(r, 0, 9) + np.clip(c, 0, 9), -1)
    return exp, inside


def _snapshot(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}


def test_read_to_grid_nearest_matches_independent_lookup(tmp_path: Path) -> None:
    src = _write_src(tmp_path / "v.tif", nodata=255)
    grid = _grid_over((108.9, 38.9, 110.1, 40.1), 5000)  # reaches beyond the source
    before = _snapshot(tmp_path)
    out = read_to_grid(src, grid)
    assert _snapshot(tmp_path) == before  # no .aux.xml, input unchanged
    assert isinstance(out, np.ma.MaskedArray)
    assert out.dtype == np.uint8 and out.shape == grid.shape
    exp, inside = _expected_at_centres(grid)
    # cells whose centre is well inside a source cell must match exactly
    mask = np.ma.getmaskarray(out)
    ok = inside & ~mask
    assert ok.sum() > 0.9 * inside.sum()
    agree = (out.data[ok] == exp[ok]).mean()
    assert agree > 0.97  # differences only at cell edges (reprojection rounding)
    assert mask[~inside].all()


def test_nodata_and_outside_masked_without_source_nodata(tmp_path: Path) -> None:
    src = _write_src(tmp_path / "nonod.tif", nodata=None)  # uint8, no nodata value
    grid = _grid_over((108.5, 38.5, 110.5, 40.5), 10000)
    out = read_to_grid(src, grid)
    _, inside = _expected_at_centres(grid)
    assert (out.mask == ~inside).mean() > 0.97
    assert out[~out.mask].min() >= 0


def test_float_nan_and_nodata_values_masked(tmp_path: Path) -> None:
    arr = VALUES.astype("float32")
    arr[0, :] = np.nan
    arr[9, :] = -9999.0
    src = _write_src(tmp_path / "f.tif", arr, nodata=-9999.0)
    grid = _grid_over((109.0, 39.0, 110.0, 40.0), 2000)
    out = read_to_grid(src, grid, resampling="bilinear")
    assert out.dtype == np.float32
    assert not np.isnan(out.compressed()).any()
    assert (out.compressed() != -9999.0).all()
    assert out.mask.any() and (~out.mask).sum() > 0.5 * out.size
    assert out.compressed().min() >= 10 and out.compressed().max() <= 89


def test_multiband_band_selection_and_range(tmp_path: Path) -> None:
    arr = np.stack([VALUES, VALUES + 100]).astype("uint8")
    src = _write_src(tmp_path / "mb.tif", arr, nodata=255)
    grid = _grid_over((109.2, 39.2, 109.8, 39.8), 5000)
    b1 = read_to_grid(src, grid, band=1)
    b2 = read_to_grid(src, grid, band=2)
    assert np.array_equal(
        b2.compressed().astype(int) - b1.compressed().astype(int), np.full(b1.count(), 100)
    )
    with pytest.raises(LayerIOError, match="band 3 requested but the raster has 2 band"):
        read_to_grid(src, grid, band=3)


def test_crs_missing_declared_and_mismatch(tmp_path: Path) -> None:
    src = _write_src(tmp_path / "nocrs.tif", crs=None, nodata=255)
    grid = _grid_over((109.2, 39.2, 109.8, 39.8), 5000)
    with pytest.raises(CRSMismatchError, match=r"nocrs.tif: raster has no CRS; declare crs:"):
        read_to_grid(src, grid)
    out = read_to_grid(src, grid, declared_crs="EPSG:4326")
    ref = read_to_grid(_write_src(tmp_path / "ref.tif", nodata=255), grid)
    assert np.array_equal(out.filled(0), ref.filled(0))
    assert read_to_grid(tmp_path / "ref.tif", grid, declared_crs=4490).count() == ref.count()
    with pytest.raises(CRSMismatchError, match="differs from the declared EPSG:4525"):
        read_to_grid(tmp_path / "ref.tif", grid, declared_crs=4525)
    with pytest.raises(CRSMismatchError, match="look like degrees"):
        read_to_grid(src, grid, declared_crs=4525)


def test_corrupt_missing_and_bad_resampling(tmp_path: Path) -> None:
    grid = _grid_over((109.2, 39.2, 109.8, 39.8), 5000)
    bad = tmp_path / "bad.tif"
    bad.write_bytes(b"II*\x00" + b"\x00" * 50)
    with pytest.raises(LayerIOError, match=r"bad.tif: not a readable raster") as ei:
        read_to_grid(bad, grid)
    assert "\n" not in str(ei.value)
    with pytest.raises(LayerIOError, match="file not found"):
        read_to_grid(tmp_path / "none.tif", grid)
    with pytest.raises(ConfigError, match="use one of nearest, bilinear"):
        read_to_grid(_write_src(tmp_path / "ok.tif"), grid, resampling="spline")


def test_write_cog_tags_descriptions_and_round_trip(tmp_path: Path) -> None:
    grid = _grid_over((109.0, 39.0, 110.0, 40.0), 100)  # ~860 x 1110 cells: overviews
    rng = np.random.default_rng(7)
    score = rng.integers(0, 101, size=grid.shape).astype("uint8")
    score[0, :5] = 255
    p = write_cog(
        np.ma.masked_equal(score, 255),
        grid,
        tmp_path / "pv_score.tif",
        nodata=255,
        tags={"units": "score 0-100", "provenance": "derived", "reasons": {"1": "红线"}},
        band_descriptions=["pv_score"],
    )
    info = raster_info(p)
    assert info["tags"]["units"] == "score 0-100"
    assert info["tags"]["provenance"] == "derived"
    assert info["tags"]["reasons"] == '{"1": "红线"}'
    assert info["descriptions"] == ("pv_score",)
    assert info["nodata"] == 255 and info["dtype"] == "uint8" and info["shape"] == grid.shape
    with rasterio.open(p) as ds:
        assert ds.profile["tiled"] and ds.profile["compress"] == "deflate"
        assert ds.crs is not None and ds.transform.almost_equals(grid.transform)
        data = ds.read(1)
        assert ds.overviews(1)  # COG with internal overviews at this size
        assert ds.tags(ns="IMAGE_STRUCTURE").get("LAYOUT") == "COG"
    assert np.array_equal(data, score)
    back = read_to_grid(p, grid)
    assert np.array_equal(back.filled(255), score)
    assert back.mask.sum() == 5
    assert sorted(q.name for q in tmp_path.iterdir()) == ["pv_score.tif"]


def test_write_cog_refuses_and_validates(tmp_path: Path) -> None:
    grid = _grid_over((109.0, 39.0, 109.5, 39.5), 5000)
    a = np.zeros(grid.shape, dtype="float32")
    p = write_cog(a, grid, tmp_path / "a.tif", nodata=None, tags={"units": "m"})
    with pytest.raises(OutputError, match="pass --overwrite"):
        write_cog(a, grid, p, nodata=None, tags={"units": "m"}, overwrite=False)
    with pytest.raises(Exception, match="does not match working grid"):
        write_cog(np.zeros((3, 3)), grid, tmp_path / "b.tif", nodata=None, tags={})
    with pytest.raises(OutputError, match="band descriptions"):
        write_cog(a, grid, tmp_path / "c.tif", nodata=None, tags={}, band_descriptions=["x", "y"])
    assert sorted(q.name for q in tmp_path.iterdir()) == ["a.tif"]


def test_results_carry_the_working_crs_by_name(tmp_path: Path) -> None:
    from pyproj import CRS

    from ordos_geo.crs import WORK_CRS_NAME
    from ordos_geo.crs.parse import WORK_BASE_NAME
    from ordos_geo.io.raster import read_to_grid, write_cog

    grid = Grid.from_bounds((-5000.0, -5000.0, 5000.0, 5000.0), res_m=1000, crs=WORK_CRS)
    a = np.arange(100, dtype="uint8").reshape(10, 10)
    p = write_cog(a, grid, tmp_path / "named.tif", nodata=255, tags={})
    with rasterio.open(p) as src:
        crs = CRS.from_wkt(src.crs.to_wkt())
        assert src.res == (1000.0, 1000.0)
    assert crs.name == WORK_CRS_NAME  # not "unknown": GIS programs show the name
    assert crs.geodetic_crs is not None and crs.geodetic_crs.name == WORK_BASE_NAME
    assert crs.equals(WORK_CRS, ignore_axis_order=True)  # same parameters: areas unchanged
    back = read_to_grid(p, grid)
    assert np.array_equal(np.ma.getdata(back), a)
    # any other CRS is written as it is
    g2 = Grid.from_bounds((400_000.0, 4_300_000.0, 401_000.0, 4_301_000.0), res_m=100,
                          crs=4545)
    p2 = write_cog(np.zeros((10, 10), "uint8"), g2, tmp_path / "gk.tif", nodata=255, tags={})
    with rasterio.open(p2) as src:
        assert src.crs.to_epsg() == 4545
