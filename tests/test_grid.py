"""Tests for the working grid (ordos_geo.grid)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ordos_geo.crs import WORK_CRS
from ordos_geo.errors import GridMismatchError
from ordos_geo.grid import Grid


def test_origin_snapped_outwards_to_resolution() -> None:
    g = Grid.from_bounds((-12345.0, 5050.0, 20001.0, 30099.0), res_m=100, crs=WORK_CRS)
    xmin, ymin, xmax, ymax = g.bounds
    assert (xmin, ymin, xmax, ymax) == (-12400.0, 5000.0, 20100.0, 30100.0)
    assert g.shape == (251, 325)
    assert g.cell_area_m2 == 10_000.0


def test_geographic_crs_refused() -> None:
    with pytest.raises(GridMismatchError, match="not projected"):
        Grid.from_bounds((0, 0, 1, 1), res_m=0.01, crs="EPSG:4326")


@pytest.mark.parametrize("res", [0, -5, float("inf"), float("nan")])
def test_bad_resolution_refused(res: float) -> None:
    with pytest.raises(GridMismatchError, match="res_m must be a finite number > 0"):
        Grid.from_bounds((0, 0, 1000, 1000), res_m=res, crs=WORK_CRS)


def test_grid_too_many_cells_refused_before_allocating() -> None:
    # 0.001 m cells over the city (~400 km): 1e17 cells, a MemoryError (exit 70) before
    with pytest.raises(GridMismatchError, match="coarser") as exc:
        Grid.from_bounds((0, 0, 400_000, 350_000), res_m=0.001, crs=WORK_CRS)
    assert "1.4e+17 cells" in str(exc.value)


def test_grid_empty_bounds_refused() -> None:
    with pytest.raises(GridMismatchError, match="empty"):
        Grid.from_bounds((5, 5, 5, 10), res_m=1, crs=WORK_CRS)


def test_check_fits_names_the_key_and_the_fix() -> None:
    g = Grid.from_bounds((0, 0, 100_000, 100_000), res_m=10, crs=WORK_CRS)  # 1e8 cells
    g.check_fits(bytes_per_cell=8, where="grid.res_m", available=10**12)
    with pytest.raises(GridMismatchError, match=r"grid.res_m: .* --engine dask"):
        g.check_fits(bytes_per_cell=8, where="grid.res_m", available=5 * 10**8)


@given(
    x=st.floats(-2e5, 2e5), y=st.floats(-2e5, 2e5), res=st.sampled_from([30.0, 50.0, 100.0])
)
def test_pixel_coordinate_round_trip(x: float, y: float, res: float) -> None:
    g = Grid.from_bounds((-2e5, -2e5, 2e5, 2e5), res_m=res, crs=WORK_CRS)
    r, c = g.index(x, y)
    cx, cy = g.xy(r, c)
    # the centre of the containing cell is within half a cell of the point
    assert abs(float(cx) - x) <= res / 2 + 1e-6
    assert abs(float(cy) - y) <= res / 2 + 1e-6
    r2, c2 = g.index(cx, cy)
    assert (int(r2), int(c2)) == (int(r), int(c))


def test_blocks_cover_grid_exactly_once() -> None:
    g = Grid.from_bounds((0, 0, 1030, 770), res_m=10, crs=WORK_CRS)
    seen = np.zeros(g.shape, dtype="uint8")
    for w in g.blocks(block_rows=16, block_cols=25):
        seen[w.row_off : w.row_off + w.height, w.col_off : w.col_off + w.width] += 1
        sub = g.subgrid(w)
        assert sub.shape == (w.height, w.width)
        assert sub.transform.c == g.transform.c + w.col_off * 10
    assert (seen == 1).all()


def test_check_same_detects_mismatch() -> None:
    a = Grid.from_bounds((0, 0, 1000, 1000), res_m=100, crs=WORK_CRS)
    b = Grid.from_bounds((0, 0, 1000, 1000), res_m=50, crs=WORK_CRS)
    a.check_same(a)
    with pytest.raises(GridMismatchError, match="differs from working grid"):
        a.check_same(b, what="score.tif")
    with pytest.raises(GridMismatchError, match="does not match"):
        a.check_array(np.zeros((3, 3)), what="mask")
