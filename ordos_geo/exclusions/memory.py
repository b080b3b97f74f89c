"""The in-memory backend: the whole reason raster in one array.

Also holds :func:`burn_reasons`, the one function that turns planned exclusions into
reason codes on a grid (or a window of it); the blockwise backend calls it per window,
so both backends give identical reason rasters.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from ordos_geo.exclusions.plan import ExclusionPlan, PlannedExclusion
from ordos_geo.grid import Grid
from ordos_geo.raster import OUTSIDE, apply_reasons, coverage_fraction, rasterize_mask

__all__ = ["ExclusionRun", "ExclusionStat", "burn_reasons", "run_memory"]


@dataclass(frozen=True)
class ExclusionStat:
    """Area of one exclusion: first-come (cells carrying its code) and total, km²."""

    code: int
    name: str
    kind: str
    layer: str
    reason: str
    source: str
    buffer_m: float
    first_km2: float
    total_km2: float
    provenance: str
    seconds: float


@dataclass
class ExclusionRun:
    """Result of either backend.

    Attributes
    ----------
    grid
        Working grid.
    reasons
        ``uint8`` reason raster (0 eligible, k = k-th exclusion, 255 outside the
        region) for the memory backend; ``None`` for the blockwise one.
    files
        GeoTIFFs written by the blockwise backend (``reasons``, ``mask``).
    counts
        ``int64[256]`` cells per reason code.
    stats
        One :class:`ExclusionStat` per exclusion, in code order.
    eligible_km2, region_km2
        Eligible and region area (cells × cell area of the equal-area grid), km².
    seconds, engine, n_chunks, chunk_shape
        Wall time (plan + burn), backend name and how the grid was split.
    """

    grid: Grid
    reasons: np.ndarray | None
    counts: np.ndarray
    stats: list[ExclusionStat]
    eligible_km2: float
    region_km2: float
    seconds: float
    engine: str = "memory"
    n_chunks: int = 1
    chunk_shape: tuple[int, int] = (0, 0)
    files: dict[str, str] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)


def _mask(geoms: np.ndarray, grid: Grid, mode: str, min_fraction: float) -> np.ndarray:
    if geoms.size == 0:
        return np.zeros(grid.shape, dtype=bool)
    if mode == "fraction":
        return coverage_fraction(geoms, grid) >= np.uint8(round(min_fraction * 100))
    return rasterize_mask(geoms, grid, mode="all_touched" if mode == "all_touched"
                          else "centre")


def burn_reasons(
    grid: Grid,
    inside: np.ndarray,
    exclusions: Sequence[PlannedExclusion],
    geoms: Sequence[np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Reason codes and per-exclusion total cells of ``grid`` (a whole grid or a window).

    Parameters
    ----------
    grid
        The grid or window (:meth:`Grid.subgrid`) to burn.
    inside
        ``bool`` of ``grid.shape``: region cells (others get 255).
    exclusions
        Planned exclusions in code order (first one covering a cell wins).
    geoms
        Geometries per exclusion to use instead of ``e.geoms`` (clipped to a window).

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        ``uint8`` reasons of ``grid.shape``; ``int64`` total region cells covered by
        each exclusion regardless of order.
    """
    reasons = np.full(grid.shape, OUTSIDE, dtype=np.uint8)
    np.copyto(reasons, np.uint8(0), where=inside)
    totals = np.zeros(len(exclusions), dtype=np.int64)
    for k, e in enumerate(exclusions):
        m = _mask(e.geoms if geoms is None else geoms[k], grid, e.mode, e.min_fraction)
        m &= inside
        totals[k] = int(np.count_nonzero(m))
        apply_reasons(reasons, m, e.code)
    return reasons, totals


def summarise(plan: ExclusionPlan, counts: np.ndarray, totals: np.ndarray
              ) -> tuple[list[ExclusionStat], float, float]:
    """Per-exclusion stats, eligible km², region km² from cell counts."""
    km2 = plan.grid.cell_area_m2 / 1e6
    stats = [ExclusionStat(e.code, e.name, e.kind, e.layer, e.reason, e.source,
                           round(e.buffer_m, 1), float(counts[e.code]) * km2,
                           float(totals[k]) * km2, e.provenance, e.seconds)
             for k, e in enumerate(plan.exclusions)]
    region = float(plan.grid.size - counts[OUTSIDE]) * km2
    return stats, float(counts[0]) * km2, region


def run_memory(plan: ExclusionPlan, *, region_mask: np.ndarray | None = None) -> ExclusionRun:
    """Burn ``plan`` on the whole grid in memory.

    Parameters
    ----------
    plan
        From :func:`ordos_geo.exclusions.plan_exclusions`.
    region_mask
        ``bool`` region cells of ``plan.grid``; default: the plan's region geometries
        with the cell-centre rule (one of the two is needed).
    """
    t0 = time.perf_counter()
    grid = plan.grid
    if region_mask is None:
        if plan.region is None:
            raise ValueError("run_memory: the plan has no region; pass region_mask")
        region_mask = rasterize_mask(plan.region, grid, mode="centre")
    grid.check_array(region_mask, what="region mask")
    reasons, totals = burn_reasons(grid, region_mask.astype(bool, copy=False), plan.exclusions)
    counts = np.bincount(reasons.reshape(-1), minlength=256).astype(np.int64)
    stats, eligible, region = summarise(plan, counts, totals)
    plan_s = sum(e.seconds for e in plan.exclusions)
    return ExclusionRun(grid, reasons, counts, stats, eligible, region,
                        plan_s + time.perf_counter() - t0, "memory", 1, grid.shape,
                        timings={"plan": plan_s, "burn": time.perf_counter() - t0})


