"""Vector and raster layers → masks on the working grid (the rasterisation engine).

Public API (stable; used by ``siting`` and ``ordos-geo eligibility``)::

    rasterize_mask(geoms, grid, *, mode="centre", buffer_m=0.0, out=None) -> ndarray[bool]
    burn_into(out, geoms, grid, *, value, mode="centre", buffer_m=0.0) -> None  # in place
    coverage_fraction(geoms, grid) -> ndarray[uint8]   # exact 0-100 % of each cell
    distance_to(geoms, grid, *, max_distance_m=None, coarse_m=None)
        -> ndarray[float32]  # metres; coarse_m: EDT on a coarser grid, error ≤ √2·coarse_m
    buffer_mask(geoms, grid, buffer_m) -> ndarray[bool]
    raster_class_mask(arr, *, codes=None, ranges=None) -> ndarray[bool]
    warp_class_mask(path, grid, *, codes=None, ranges=None, band=1, src_crs=None,
                    out=None, method="auto") -> ndarray[bool]  # class test at source res
    burn_class_into(out, path, grid, *, value, codes=None, ranges=None, band=1,
                    src_crs=None, method="auto") -> None    # in place, like burn_into
    apply_reasons(reasons, mask, code) -> None     # in place, first exclusion wins
    reason_counts(reasons, codes=None) -> ndarray[int64]  # cells per code 0..255

(``coverage_fraction``/``distance_to`` live in :mod:`ordos_geo.rasterize_metrics`, the
raster-class functions in :mod:`ordos_geo.rasterize_raster`, the GDAL burning in
:mod:`ordos_geo._burn`; import them from here. The same burns run window by window,
on dask, in :mod:`ordos_geo.scale`.)

Conventions
-----------
* ``geoms`` is a :class:`geopandas.GeoSeries` / ``GeoDataFrame`` (its CRS must equal
  ``grid.crs``), or any iterable / array of shapely geometries that are already in
  ``grid.crs`` (metres). ``None`` and empty geometries are ignored.
* A cell belongs to a geometry when its **centre** is inside (``mode="centre"``, GDAL's
  default rasterisation rule), or when the geometry touches it at all
  (``mode="all_touched"``). Lines and points only make sense with ``all_touched`` or
  with ``buffer_m > 0``.
* Buffers are true Euclidean: the geometry is buffered with shapely
  (``quad_segs=16``, i.e. 64 segments per circle; area error < 0.2 %) before it is
  rasterised, never a diamond/square kernel.
* Masks are ``bool`` (1 byte per cell); no full-grid float64 is ever allocated.
  Large grids are rasterised in row blocks (each block only sees the geometries whose
  bounding box meets it).
* Reason rasters are ``uint8``: 0 = eligible, k = removed by the k-th exclusion,
  255 = outside the region (:data:`OUTSIDE`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

import numpy as np

from ordos_geo._burn import (
    QUAD_SEGS,
    Mode,
    as_geometry_array,
    buffered,
    burn,
    check_mode,
    prepare_out,
)
from ordos_geo.errors import GridMismatchError, OrdosGeoError
from ordos_geo.grid import Grid
from ordos_geo.rasterize_metrics import coverage_fraction, distance_to
from ordos_geo.rasterize_raster import burn_class_into, raster_class_mask, warp_class_mask

__all__ = [
    "ELIGIBLE",
    "OUTSIDE",
    "QUAD_SEGS",
    "Mode",
    "apply_reasons",
    "buffer_mask",
    "burn_class_into",
    "burn_into",
    "coverage_fraction",
    "distance_to",
    "raster_class_mask",
    "rasterize_mask",
    "reason_counts",
    "warp_class_mask",
]

log = logging.getLogger(__name__)

#: Reason code of an eligible cell.
ELIGIBLE = 0
#: Reason code of a cell outside the analysis region.
OUTSIDE = 255


# --------------------------------------------------------------------------------------
# public API
# --------------------------------------------------------------------------------------
def rasterize_mask(
    geoms: Any,
    grid: Grid,
    *,
    mode: Mode = "centre",
    buffer_m: float = 0.0,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """Boolean mask of the cells covered by ``geoms`` (optionally buffered).

    Parameters
    ----------
    geoms
        GeoSeries/GeoDataFrame in ``grid.crs`` or shapely geometries in ``grid.crs``.
    grid
        Working grid (metric CRS).
    mode
        ``"centre"``: a cell counts when its centre is inside (default);
        ``"all_touched"``: every cell the geometry touches counts.
    buffer_m
        Euclidean buffer distance in metres (≥ 0) applied before rasterising.
    out
        Optional preallocated ``bool``/``uint8`` array of ``grid.shape`` to reuse; it is
        cleared first.

    Returns
    -------
    numpy.ndarray
        ``bool`` array of ``grid.shape``.

    Examples
    --------
    >>> from shapely import box
    >>> g = Grid.from_bounds((0, 0, 1000, 1000), res_m=100, crs="EPSG:32649")
    >>> int(rasterize_mask([box(0, 0, 500, 1000)], g).sum())
    50
    """
    check_mode(mode)
    arr = buffered(as_geometry_array(geoms, grid), float(buffer_m))
    buf = prepare_out(out, grid)
    burn(arr, grid, buf, all_touched=(mode == "all_touched"))
    return buf.view(bool)


def burn_into(
    out: np.ndarray,
    geoms: Any,
    grid: Grid,
    *,
    value: int,
    mode: Mode = "centre",
    buffer_m: float = 0.0,
) -> None:
    """Burn ``value`` into the cells of ``out`` covered by ``geoms`` (in place).

    Cells not covered keep their value, so one preallocated ``uint8`` array can take
    several layers (e.g. a region burnt as 0 into an array filled with 255).

    Parameters
    ----------
    out
        C-contiguous ``uint8`` array of ``grid.shape``.
    geoms, grid, mode, buffer_m
        As in :func:`rasterize_mask`.
    value
        0..255.

    Examples
    --------
    >>> from shapely import box
    >>> g = Grid.from_bounds((0, 0, 300, 100), res_m=100, crs="EPSG:32649")
    >>> a = np.full(g.shape, 255, dtype=np.uint8)
    >>> burn_into(a, [box(0, 0, 200, 100)], g, value=0)
    >>> a.tolist()
    [[0, 0, 255]]
    """
    check_mode(mode)
    grid.check_array(out, what="burn_into out")
    if out.dtype != np.uint8 or not out.flags.c_contiguous:
        raise GridMismatchError("burn_into out: must be a C-contiguous uint8 array")
    if not 0 <= int(value) <= 255:
        raise OrdosGeoError(f"burn_into: value must be 0..255 (got {value})")
    arr = buffered(as_geometry_array(geoms, grid), float(buffer_m))
    burn(arr, grid, out, all_touched=(mode == "all_touched"), value=int(value))


def buffer_mask(geoms: Any, grid: Grid, buffer_m: float) -> np.ndarray:
    """Cells whose centre lies within ``buffer_m`` metres (Euclidean) of a geometry.

    Works for points, lines and polygons (a polygon's interior counts as distance 0).

    Examples
    --------
    >>> import math
    >>> from shapely import Point
    >>> g = Grid.from_bounds((-3000, -3000, 3000, 3000), res_m=30, crs="EPSG:32649")
    >>> m = buffer_mask([Point(0, 0)], g, 1000)
    >>> bool(abs(m.sum() * g.cell_area_m2 / 1e6 - math.pi) < 0.02 * math.pi)
    True
    """
    return rasterize_mask(geoms, grid, mode="centre", buffer_m=buffer_m)


def apply_reasons(reasons: np.ndarray, mask: np.ndarray, code: int) -> None:
    """Mark cells of ``mask`` that are still eligible (0) with ``code``, in place.

    The first exclusion that removes a cell keeps its code; cells outside the region
    (255) are never touched.

    Parameters
    ----------
    reasons
        ``uint8`` reason raster (0 eligible, 1..254 exclusion codes, 255 outside).
    mask
        ``bool`` (or 0/1 ``uint8``) array of the same shape.
    code
        Exclusion code 1..254.

    Examples
    --------
    >>> r = np.array([0, 0, 2, 255], dtype=np.uint8)
    >>> apply_reasons(r, np.array([True, False, True, True]), 3)
    >>> r.tolist()
    [3, 0, 2, 255]
    """
    if not 1 <= int(code) <= 254:
        raise OrdosGeoError(f"apply_reasons: code must be 1..254 (got {code})")
    if reasons.shape != mask.shape:
        raise GridMismatchError(
            f"apply_reasons: mask shape {mask.shape} differs from reasons shape {reasons.shape}"
        )
    flat_r = reasons.reshape(-1)  # a view for C-contiguous arrays
    if reasons.dtype != np.uint8 or not np.shares_memory(flat_r, reasons):
        raise GridMismatchError("apply_reasons: reasons must be a C-contiguous uint8 array")
    flat_m = mask.reshape(-1)
    # Branch-free arithmetic on cache-sized chunks (reasons += code * (reasons == 0 & mask))
    # is ~5x faster than np.putmask on 100 M+ cell grids.
    step = 2**20
    hit = np.empty(min(step, flat_r.size), dtype=bool)
    add = np.empty(hit.size, dtype=np.uint8)
    c = np.uint8(code)
    for i in range(0, flat_r.size, step):
        rb, mb = flat_r[i:i + step], flat_m[i:i + step]
        n = rb.size
        h, a = hit[:n], add[:n]
        np.equal(rb, 0, out=h)
        if mb.dtype == np.bool_:
            np.logical_and(h, mb, out=h)
        else:
            np.logical_and(h, mb != 0, out=h)
        np.multiply(h.view(np.uint8), c, out=a)
        np.add(rb, a, out=rb)


def reason_counts(reasons: np.ndarray, codes: Iterable[int] | None = None) -> np.ndarray:
    """Number of cells per reason code (``int64`` array of length 256).

    With ``codes`` only those codes are counted (one fast pass each; the others stay
    0); without, all codes are counted in chunks.

    Examples
    --------
    >>> reason_counts(np.array([0, 0, 1, 255], dtype=np.uint8), codes=[0, 1, 255])[[0, 1, 255]]
    array([2, 1, 1])
    """
    counts = np.zeros(256, dtype=np.int64)
    flat = reasons.reshape(-1)
    # 1 M-cell chunks stay in cache: ~5x faster than whole-array comparisons.
    step = 2**20
    if codes is not None:
        wanted = sorted({int(c) for c in codes})
        for i in range(0, flat.size, step):
            chunk = flat[i:i + step]
            for c in wanted:
                counts[c] += np.count_nonzero(chunk == c)
        return counts
    for i in range(0, flat.size, step):
        counts += np.bincount(flat[i:i + step], minlength=256)
    return counts
