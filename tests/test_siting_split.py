"""Site splitting (banner, tiles), ranking, the relative site rule and zone factors."""

from __future__ import annotations

import numpy as np
import pytest
from affine import Affine
from scipy import ndimage

from ordos_geo.crs import WORK_CRS
from ordos_geo.errors import ConfigError
from ordos_geo.grid import Grid
from ordos_geo.siting.config import FactorSpec, SitesSpec
from ordos_geo.siting.sites import label_sites
from ordos_geo.siting.split import (
    EIGHT,
    compact_labels,
    label_by_key,
    split_large,
    tile_cells,
)

RES = 100.0


def _grid(shape: tuple[int, int], x0: float = -12_345_600.0, y1: float = 4_567_800.0) -> Grid:
    return Grid(WORK_CRS, Affine(RES, 0, x0, 0, -RES, y1), shape)


def _blob(shape: tuple[int, int], seed: int) -> np.ndarray:
    """An irregular, mostly connected candidate mask (smoothed noise)."""
    rng = np.random.default_rng(seed)
    noise = ndimage.gaussian_filter(rng.random(shape), 4)
    return noise > np.quantile(noise, 0.35)


def _score(mask: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    score = np.where(mask, rng.integers(80, 101, mask.shape), 50).astype(np.uint8)
    reasons = np.zeros(mask.shape, dtype=np.uint8)
    return score, reasons


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("max_km2", [1.0, 4.0, 9.5])
def test_split_sites_tile_the_original_regions(seed: int, max_km2: float) -> None:
    shape = (173, 211)
    cand = _blob(shape, seed)
    grid = _grid(shape)
    score, reasons = _score(cand, seed)
    orig, n_orig = label_by_key(cand)
    assert n_orig >= 1
    labels, n = label_sites(score, reasons, min_score=80, min_area_km2=0.0,
                            cell_area_m2=grid.cell_area_m2, max_site_km2=max_km2, grid=grid)
    # union of the pieces == the original regions; pieces are disjoint by construction
    assert np.array_equal(labels > 0, orig > 0)
    sizes = np.bincount(labels.ravel(), minlength=n + 1)[1:]
    assert (sizes > 0).all()
    # no site larger than max_site_km2
    assert sizes.max() * grid.cell_area_m2 / 1e6 <= max_km2 + 1e-9
    for i in range(1, n + 1):
        piece = labels == i
        # each piece lies in exactly one original region and is 8-connected
        assert np.unique(orig[piece]).size == 1
        assert ndimage.label(piece, structure=EIGHT)[1] == 1
    # regions not larger than the limit are left whole
    osz = np.bincount(orig.ravel())[1:]
    small = np.flatnonzero(osz * grid.cell_area_m2 / 1e6 <= max_km2) + 1
    for r in small:
        assert np.unique(labels[orig == r]).size == 1


def test_tiles_are_anchored_to_the_crs_not_the_grid_corner() -> None:
    # one full rectangle of candidates, split with 2 km tiles (20 cells)
    cand = np.ones((50, 50), dtype=bool)
    score, reasons = _score(cand, 0)
    for x0 in (0.0, 700.0):  # the second grid starts 7 cells east of a tile line
        grid = _grid(cand.shape, x0=x0, y1=100_000.0)
        labels, n = label_sites(score, reasons, min_score=0, min_area_km2=0,
                                cell_area_m2=grid.cell_area_m2, max_site_km2=4.0, grid=grid)
        cols = [int(np.flatnonzero((labels == i).any(axis=0))[0]) for i in range(1, n + 1)]
        starts = sorted(set(cols))
        # tile lines at global x = k·2000 m
        assert all(((x0 + c * RES) % 2000.0 == 0) or c == 0 for c in starts)
    assert tile_cells(4.0, RES) == 20 and tile_cells(25.0, 30.0) == 166
    assert tile_cells(0.001, RES) == 0


def test_split_by_banner_keeps_each_site_in_one_banner() -> None:
    cand = np.ones((40, 60), dtype=bool)
    banner = np.zeros(cand.shape, dtype=np.uint16)
    banner[:, :25] = 1
    banner[:, 25:] = 2
    banner[30:, 50:] = 0  # a corner outside every banner
    score, reasons = _score(cand, 4)
    grid = _grid(cand.shape)
    labels, n = label_sites(score, reasons, min_score=0, min_area_km2=0,
                            cell_area_m2=grid.cell_area_m2, banner_idx=banner)
    assert n == 3
    for i in range(1, n + 1):
        assert np.unique(banner[labels == i]).size == 1
    assert np.array_equal(labels > 0, cand)


def test_min_area_applies_after_splitting_and_ids_are_ranked() -> None:
    cand = np.zeros((30, 30), dtype=bool)
    cand[0:25, 0:25] = True      # 6.25 km² → split on 2 km tiles: 20×20, 20×5, 5×20, 5×5
    score = np.full(cand.shape, 50, dtype=np.uint8)
    score[cand] = 90
    score[0:20, 0:20] = 95       # the big tile piece scores best
    reasons = np.zeros(cand.shape, dtype=np.uint8)
    grid = _grid(cand.shape, x0=0.0, y1=4000.0)  # tile lines at rows/cols 0, 20
    labels, n = label_sites(score, reasons, min_score=80, min_area_km2=0.3,
                            cell_area_m2=grid.cell_area_m2, max_site_km2=4.0, grid=grid)
    sizes = np.bincount(labels.ravel(), minlength=n + 1)[1:]
    # 5×5 corner (0.25 km²) dropped; 20×5 pieces (1 km²) kept
    assert sorted(sizes.tolist()) == [100, 100, 400]
    assert sizes[0] == 400  # id 1 = best mean score


def test_absolute_rule_keeps_every_site_above_the_threshold() -> None:
    # 16 separate 10×10 squares with distinct scores 81..96
    shape = (64, 64)
    score = np.full(shape, 50, dtype=np.uint8)
    reasons = np.zeros(shape, dtype=np.uint8)
    vals = iter(range(81, 97))
    for r in range(4):
        for c in range(4):
            score[r * 16:r * 16 + 10, c * 16:c * 16 + 10] = next(vals)
    grid = _grid(shape)
    lab, n = label_sites(score, reasons, min_score=80, min_area_km2=0,
                         cell_area_m2=grid.cell_area_m2)
    assert n == 16 and np.count_nonzero(lab) == 1600
    # ids by rank: site 1 has the best mean score
    assert [int(score[lab == i][0]) for i in range(1, 4)] == [96, 95, 94]
    # the result follows the data: more eligible land above the threshold → more sites,
    # no share of the eligible land caps it
    score2 = score.copy()
    score2[40:60, 0:10] = 90  # a new high-scoring block, 200 cells
    lab2, _ = label_sites(score2, reasons, min_score=80, min_area_km2=0,
                           cell_area_m2=grid.cell_area_m2)
    # rows 40-59 overlap the squares of rows 32-41 and 48-57 in 20 + 100 cells
    assert np.count_nonzero(lab2) == np.count_nonzero(lab) + 200 - 120
    # a higher threshold keeps only what scores above it
    high, n_high = label_sites(score, reasons, min_score=95, min_area_km2=0,
                               cell_area_m2=grid.cell_area_m2)
    assert n_high == 2 and set(np.unique(score[high > 0])) == {95, 96}
    # removing eligibility (an exclusion) removes the land
    reasons2 = reasons.copy()
    reasons2[0:10, 0:10] = 1
    _, n3 = label_sites(score, reasons2, min_score=80, min_area_km2=0,
                        cell_area_m2=grid.cell_area_m2)
    assert n3 == 15


def test_shape_rule_removes_strips_narrower_than_the_minimum_width() -> None:
    shape = (40, 40)
    score = np.zeros(shape, dtype=np.uint8)
    reasons = np.zeros(shape, dtype=np.uint8)
    score[5:25, 5:25] = 90      # a 20×20 block (2 km wide at 100 m)
    score[30:32, 0:40] = 90     # a 2-cell (200 m) strip, 40 cells long
    grid = _grid(shape)
    lab, n = label_sites(score, reasons, min_score=80, min_area_km2=0,
                         cell_area_m2=grid.cell_area_m2)
    assert n == 2
    lab, n = label_sites(score, reasons, min_score=80, min_area_km2=0,
                         cell_area_m2=grid.cell_area_m2, grid=grid, min_width_m=300)
    assert n == 1
    # the block survives (an opening keeps shapes wider than the disc); the disc of
    # 3 cells rounds off only its 4 corner cells
    assert np.count_nonzero(lab) == 396 and (lab[6:24, 5:25] == 1).all()


def test_compact_labels_orders_by_first_cell_and_drops_small() -> None:
    lab = np.array([[0, 5, 5, 0], [2, 0, 0, 7], [2, 2, 0, 7]], dtype=np.int32)
    out, k = compact_labels(lab, 7, min_cells=2)
    assert k == 3
    assert out.tolist() == [[0, 1, 1, 0], [2, 0, 0, 3], [2, 2, 0, 3]]
    out, k = compact_labels(lab, 7, min_cells=3)
    assert k == 1 and out.tolist() == [[0, 0, 0, 0], [1, 0, 0, 0], [1, 1, 0, 0]]


def test_split_large_needs_a_tile_and_configs_are_checked() -> None:
    lab = np.ones((4, 4), dtype=np.int32)
    with pytest.raises(ValueError, match="tile"):
        split_large(lab, 1, max_cells=2, tile=0)
    grid = _grid((4, 4))
    with pytest.raises(ConfigError, match="max_site_km2"):
        label_sites(np.full((4, 4), 90, np.uint8), np.zeros((4, 4), np.uint8), min_score=0,
                    min_area_km2=0, cell_area_m2=grid.cell_area_m2, max_site_km2=0.001,
                    grid=grid)
    with pytest.raises(ValueError, match="max_site_km2"):
        SitesSpec(min_area_km2=5, max_site_km2=2)
    with pytest.raises(ValueError, match="input zones needs zones"):
        FactorSpec(name="z", input="zones", transform="identity")
    with pytest.raises(ValueError, match="0–100"):
        FactorSpec(name="z", input="zones", zones={"a": 120}, transform="identity")
