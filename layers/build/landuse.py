"""Land-use layers calibrated to published totals, allocated on a 1 km grid.

Layers: ``kubuqi`` (rebuilt), ``cropland``, ``basic_farmland``, ``forest``,
``basic_grassland``, ``red_lines`` (rebuilt), ``sand_closure``.

Method (the same for every layer): on a 1 km grid in ``WORK_CRS`` each cell gets a
score from the real layers (MODIS class, distance to the Yellow River, elevation,
banner, distance to towns, the desert extents) plus smooth seeded noise (Gaussian
filtered, σ = 4-8 km, so patches look like mapped land, never like rectangles). The
best-scoring cells are taken until the published total is met; the cells are
polygonised, smoothed, clipped to the city and cut against the layers they must not
overlap (known plants, parks, urban cores, mines; farmland vs red lines), and the
area is re-measured and the quota corrected until the drawn area is within 1 % of
the target. Land classes are exclusive: a cell is cropland, forest, grassland, sand
or built/mined land. Red lines overlay forest, grassland and sand, never cropland.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import numpy as np
import rasterio
import shapely
from affine import Affine
from common import LAYERS_DIR
from known import plant_footprints
from rasterio.features import rasterize
from rasterio.features import shapes as raster_shapes
from scipy import ndimage
from shapely.geometry import shape
from shapes import to_m

__all__ = ["LANDUSE_TARGETS", "Grid", "build_grid"]

log = logging.getLogger(__name__)

CELL_M = 1000.0
#: Published totals (km²) the layers are calibrated to (DATA.md §7; SOURCES.md).
LANDUSE_TARGETS: dict[str, float] = {
    "red_lines": 23_385.0,        # ≥ 23,385 km², 国土空间总体规划 (2021-2035)
    "basic_grassland": 38_667.0,  # ≥ 5,800万亩
    "cropland": 5_841.0,
    "basic_farmland": 4_285.0,
    "kubuqi": 16_600.0,
}
#: 森林覆盖率 27.4 % (ordos.gov.cn 2024): 有林地 + 灌木林地 share of the city.
FOREST_COVER = 0.274
#: 其他林地 (nurseries, cut-over, not-yet-closed plantations) is land class 林地 but not
#: forest cover; no Ordos figure found — ASSUMPTION: 5 % on top of the forest cover.
OTHER_FOREST_SHARE = 0.05
#: 沙化土地封禁保护区: no published Ordos total found — ASSUMPTION (km²).
SAND_CLOSURE_KM2 = 1_500.0
#: Red lines are drawn a little above the published minimum (≥ 23,385 km²).
RED_LINE_MARGIN = 1.02


@dataclass
class Grid:
    """1 km analysis grid in ``WORK_CRS`` with the per-cell inputs (2-D arrays)."""

    transform: Affine
    shape: tuple[int, int]
    inside: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    modis: np.ndarray
    elev: np.ndarray
    d_river: np.ndarray
    d_town: np.ndarray
    banner: np.ndarray

    def mask(self, geom_m: Any, all_touched: bool = False) -> np.ndarray:
        """Cells whose centre (or any part, ``all_touched``) falls in ``geom_m``."""
        if geom_m is None or shapely.is_empty(geom_m):
            return np.zeros(self.shape, bool)
        return rasterize([(geom_m, 1)], out_shape=self.shape, transform=self.transform,
                         fill=0, all_touched=all_touched, dtype="uint8").astype(bool)

    def noise(self, rng: np.random.Generator, sigma_km: float) -> np.ndarray:
        """Smooth seeded noise, zero mean, unit standard deviation."""
        z = ndimage.gaussian_filter(rng.standard_normal(self.shape), sigma_km * 1000 / CELL_M)
        return (z - z.mean()) / (z.std() or 1.0)

    def polygons(self, sel: np.ndarray, *, smooth_m: float = 700.0,
                 simplify_m: float = 350.0, min_km2: float = 2.0) -> Any:
        """Polygonise selected cells (metres), smoothed and simplified."""
        if not sel.any():
            return shapely.Polygon()
        parts = [shape(g) for g, v in raster_shapes(sel.astype("uint8"), mask=sel,
                                                    transform=self.transform) if v == 1]
        g = shapely.union_all(parts)
        g = shapely.buffer(shapely.buffer(g, smooth_m, quad_segs=3), -smooth_m, quad_segs=3)
        g = shapely.simplify(g, simplify_m)
        keep = [p for p in shapely.get_parts(g) if p.area >= min_km2 * 1e6]
        return shapely.make_valid(shapely.union_all(keep)) if keep else shapely.Polygon()


def _edt_m(src: np.ndarray) -> np.ndarray:
    return ndimage.distance_transform_edt(~src) * CELL_M


def build_grid(city_m: Any, banner_m: dict[str, Any], river_m: Any, towns_m: list[Any],
               landcover: np.ndarray, lc_transform: Affine) -> Grid:
    """Build the 1 km grid and sample the real layers onto it."""
    minx, miny, maxx, maxy = (float(v) for v in shapely.bounds(city_m))
    x0 = np.floor(minx / CELL_M) * CELL_M - CELL_M
    y1 = np.ceil(maxy / CELL_M) * CELL_M + CELL_M
    w = int(np.ceil((maxx - x0) / CELL_M)) + 2
    h = int(np.ceil((y1 - miny) / CELL_M)) + 2
    tr = Affine(CELL_M, 0, x0, 0, -CELL_M, y1)
    cols, rows = np.meshgrid(np.arange(w) + 0.5, np.arange(h) + 0.5)
    xs, ys = tr * (cols, rows)
    from pyproj import Transformer

    from ordos_geo.crs import WORK_CRS

    inv = Transformer.from_crs(WORK_CRS, "EPSG:4326", always_xy=True)
    lon, lat = inv.transform(xs, ys)
    lon, lat = np.asarray(lon), np.asarray(lat)
    inside = rasterize([(city_m, 1)], out_shape=(h, w), transform=tr, fill=0,
                       dtype="uint8").astype(bool)
    # MODIS class and elevation at cell centres (nearest pixel)
    ci, ri = ~lc_transform * (lon, lat)
    ri = np.clip(np.floor(ri).astype(int), 0, landcover.shape[0] - 1)
    ci = np.clip(np.floor(ci).astype(int), 0, landcover.shape[1] - 1)
    modis = landcover[ri, ci]
    with rasterio.open(LAYERS_DIR / "elevation.tif") as src:
        dem = src.read(1)
        ec, er = ~src.transform * (lon, lat)
    er = np.clip(np.floor(er).astype(int), 0, dem.shape[0] - 1)
    ec = np.clip(np.floor(ec).astype(int), 0, dem.shape[1] - 1)
    elev = dem[er, ec].astype(float)
    river = rasterize([(river_m, 1)], out_shape=(h, w), transform=tr, fill=0,
                      all_touched=True, dtype="uint8").astype(bool)
    towns = np.zeros((h, w), bool)
    for t in towns_m:
        c, r = ~tr * (t.x, t.y)
        towns[int(r), int(c)] = True
    banner = np.zeros((h, w), dtype="<U6")
    for code in sorted(banner_m):
        banner[rasterize([(banner_m[code], 1)], out_shape=(h, w), transform=tr, fill=0,
                         dtype="uint8").astype(bool)] = code
    return Grid(transform=tr, shape=(h, w), inside=inside, lon=lon, lat=lat, modis=modis,
                elev=elev, d_river=_edt_m(river), d_town=_edt_m(towns), banner=banner)


def top_cells(score: np.ndarray, cand: np.ndarray, n: int) -> np.ndarray:
    """The ``n`` best-scoring candidate cells (ties broken by position: deterministic)."""
    sel = np.zeros(score.shape, bool)
    idx = np.flatnonzero(cand)
    n = int(min(max(n, 0), idx.size))
    if n == 0:
        return sel
    order = np.argsort(-score.ravel()[idx], kind="stable")[:n]
    sel.ravel()[idx[order]] = True
    return sel


def fit(make: Any, target_km2: float, n0: int, *, tol: float = 0.01,
        rounds: int = 6) -> tuple[Any, int]:
    """Call ``make(n_cells) -> geometry (m)`` and correct ``n`` until the drawn area is
    within ``tol`` of ``target_km2``; return the geometry and the final cell count."""
    n = n0
    g = make(n)
    for _ in range(rounds):
        a = g.area / 1e6
        if abs(a / target_km2 - 1) <= tol or a == 0:
            break
        n = round(n * target_km2 / a)
        g = make(n)
    return g, n


def footprints() -> Any:
    """Known plants' footprints (metres), re-exported for the builders."""
    return plant_footprints()


def to_m_all(geoms: Any) -> Any:
    """Union of lon/lat geometries, in metres."""
    return shapely.union_all([shapely.make_valid(to_m(g)) for g in geoms])
