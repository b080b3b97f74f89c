"""Vector and raster layers → masks, fractions, distances and reason codes on the grid.

The rasterisation engine under :mod:`ordos_geo.exclusions` and :mod:`ordos_geo.siting`::

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
    class_polygons(path, grid, *, codes=None, ranges=None, band=1, src_crs=None)
        -> ndarray[object]   # matching source pixels as polygons in grid.crs
    apply_reasons(reasons, mask, code) -> None     # in place, first exclusion wins
    reason_counts(reasons, codes=None) -> ndarray[int64]  # cells per code 0..255

Modules: :mod:`~ordos_geo.raster.burn` (GDAL burning and the lock that serialises
rasterio's in-memory datasets), :mod:`~ordos_geo.raster.masks` (vector masks),
:mod:`~ordos_geo.raster.classes` (raster classes), :mod:`~ordos_geo.raster.metrics`
(coverage fractions, distances), :mod:`~ordos_geo.raster.reasons` (reason codes).

Examples
--------
>>> from shapely import box
>>> from ordos_geo.grid import Grid
>>> g = Grid.from_bounds((0, 0, 1000, 1000), res_m=100, crs="EPSG:32649")
>>> int(rasterize_mask([box(0, 0, 500, 1000)], g).sum())
50
"""

from ordos_geo.raster.burn import QUAD_SEGS, Mode
from ordos_geo.raster.classes import (
    burn_class_into,
    class_polygons,
    raster_class_mask,
    warp_class_mask,
)
from ordos_geo.raster.masks import buffer_mask, burn_into, rasterize_mask
from ordos_geo.raster.metrics import coverage_fraction, distance_to
from ordos_geo.raster.reasons import ELIGIBLE, OUTSIDE, apply_reasons, reason_counts

__all__ = [
    "ELIGIBLE",
    "OUTSIDE",
    "QUAD_SEGS",
    "Mode",
    "apply_reasons",
    "buffer_mask",
    "burn_class_into",
    "burn_into",
    "class_polygons",
    "coverage_fraction",
    "distance_to",
    "raster_class_mask",
    "rasterize_mask",
    "reason_counts",
    "warp_class_mask",
]
