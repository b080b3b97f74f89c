"""Geometry helpers for the illustrative layers: irregular blobs, meandering lines.

Shapes are drawn in the equal-area working CRS (metres, ``ordos_geo.crs.WORK_CRS``)
and converted to lon/lat (EPSG:4326). Irregularity comes from a seeded
:class:`numpy.random.Generator` so that every rebuild gives the same shapes.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import shapely
import shapely.affinity
from common import GRID_DEG, snap
from pyproj import Transformer
from shapely.geometry import LineString, Point, Polygon

from ordos_geo.crs import WORK_CRS

__all__ = [
    "blob",
    "drop_small",
    "fit_area",
    "meander",
    "roughen",
    "to_lonlat",
    "to_m",
    "xy_m",
]

_FWD = Transformer.from_crs("EPSG:4326", WORK_CRS, always_xy=True)
_INV = Transformer.from_crs(WORK_CRS, "EPSG:4326", always_xy=True)


def _tf(geom: Any, tr: Transformer) -> Any:
    def fn(xy: np.ndarray) -> np.ndarray:
        x, y = tr.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geom, fn)


def to_m(geom: Any) -> Any:
    """EPSG:4326 lon/lat geometry → working CRS (metres)."""
    return _tf(geom, _FWD)


def to_lonlat(geom: Any) -> Any:
    """Working CRS (metres) geometry → EPSG:4326 lon/lat, snapped to the storage grid."""
    return snap(_tf(geom, _INV))


def xy_m(lon: float, lat: float) -> tuple[float, float]:
    """Project one lon/lat point (degrees) to working-CRS metres."""
    x, y = _FWD.transform(lon, lat)
    return float(x), float(y)


def blob(
    lon: float,
    lat: float,
    area_km2: float,
    rng: np.random.Generator,
    *,
    rough: float = 0.25,
    elong: float = 1.0,
    angle_deg: float = 0.0,
    n: int = 72,
) -> Any:
    """Irregular star-shaped polygon of about ``area_km2`` around a lon/lat centre.

    The radius is a smooth random Fourier series (harmonics 2-6) so outlines look like
    mapped features, never like rectangles. Returned in metres (working CRS).

    Parameters
    ----------
    lon, lat
        Centre, degrees (EPSG:4326).
    area_km2
        Target area, km² (met exactly by rescaling).
    rng
        Seeded generator.
    rough
        Relative amplitude of the radius perturbation.
    elong
        Ratio of the long to the short axis.
    angle_deg
        Orientation of the long axis, degrees counter-clockwise from east.
    """
    t = np.linspace(0, 2 * np.pi, n, endpoint=False)
    r = np.ones_like(t)
    for k in range(2, 7):
        amp = rough * rng.uniform(0.3, 1.0) / k
        r += amp * np.cos(k * t + rng.uniform(0, 2 * np.pi))
    r = np.clip(r, 0.35, None)
    x = r * np.cos(t) * np.sqrt(elong)
    y = r * np.sin(t) / np.sqrt(elong)
    a = np.deg2rad(angle_deg)
    xr = x * np.cos(a) - y * np.sin(a)
    yr = x * np.sin(a) + y * np.cos(a)
    cx, cy = xy_m(lon, lat)
    poly = shapely.make_valid(Polygon(np.column_stack([xr, yr])))
    scale = np.sqrt(area_km2 * 1e6 / poly.area)
    return shapely.affinity.translate(
        shapely.affinity.scale(poly, scale, scale, origin=(0, 0)), cx, cy
    )


def fit_area(geom_m: Any, clip_m: Any, target_km2: float, *, iters: int = 12) -> Any:
    """Rescale ``geom_m`` about its centroid so that ``geom_m ∩ clip_m`` has the target area.

    Geometries in metres; bisection on the scale factor (monotone for star shapes).
    """
    c = shapely.centroid(geom_m)
    lo, hi = 0.2, 5.0
    best = shapely.intersection(geom_m, clip_m)
    for _ in range(iters * 3):
        mid = (lo + hi) / 2
        g = shapely.intersection(
            shapely.affinity.scale(geom_m, mid, mid, origin=c), clip_m
        )
        best = g
        if g.area / 1e6 < target_km2:
            lo = mid
        else:
            hi = mid
        if abs(g.area / 1e6 - target_km2) < 1e-4 * target_km2:
            break
    return best


def meander(
    start_lonlat: tuple[float, float],
    end_m: Point,
    rng: np.random.Generator,
    *,
    amp_m: float = 1500.0,
    n: int = 60,
) -> Any:
    """A gently meandering line (metres) from a lon/lat source to a point in metres.

    Lateral offsets are a smooth random series that vanishes at both ends, so the line
    starts and ends exactly at the given points.
    """
    sx, sy = xy_m(*start_lonlat)
    ex, ey = end_m.x, end_m.y
    s = np.linspace(0, 1, n)
    dx, dy = ex - sx, ey - sy
    length = float(np.hypot(dx, dy))
    nx, ny = -dy / length, dx / length
    off = np.zeros_like(s)
    for k in range(1, 6):
        off += rng.uniform(0.4, 1.0) / k * np.sin(k * np.pi * s + rng.uniform(0, np.pi))
    off *= np.sin(np.pi * s)  # zero at both ends
    off = off / (np.abs(off).max() or 1.0) * amp_m
    x = sx + dx * s + nx * off
    y = sy + dy * s + ny * off
    return LineString(np.column_stack([x, y]))


#: Storage grid, degrees (re-exported for the builders).
GRID = GRID_DEG


def roughen(
    geom_m: Any,
    rng: np.random.Generator,
    *,
    spacing_m: float = 8000.0,
    radius_m: tuple[float, float] = (2000.0, 5000.0),
) -> Any:
    """Make straight outline stretches irregular (metres in, metres out).

    Small random blobs are added to or cut from the outline every ``spacing_m`` metres
    along every exterior ring, so pixel steps and cut lines do not read as rectangles.
    """
    add: list[Any] = []
    cut: list[Any] = []
    for poly in shapely.get_parts(geom_m):
        ring = poly.exterior
        n = max(int(ring.length // spacing_m), 4)
        for d in np.linspace(0, ring.length, n, endpoint=False):
            p = ring.interpolate(float(d))
            r = float(rng.uniform(*radius_m))
            b = shapely.affinity.scale(p.buffer(r, quad_segs=6),
                                       float(rng.uniform(0.6, 1.4)), 1.0)
            (add if rng.uniform() < 0.5 else cut).append(b)
    out = shapely.union(geom_m, shapely.union_all(add)) if add else geom_m
    return shapely.difference(out, shapely.union_all(cut)) if cut else out


def drop_small(geom_m: Any, min_area_m2: float) -> Any:
    """Remove polygon parts and fill holes smaller than ``min_area_m2`` (metres).

    Clipping drawn shapes against each other leaves crumbs (a few m² to a few ha) that
    no map reader would draw; lines and points are returned unchanged.
    """
    if geom_m.geom_type not in ("Polygon", "MultiPolygon"):
        return geom_m
    keep = []
    for poly in shapely.get_parts(geom_m):
        if poly.area < min_area_m2:
            continue
        holes = [h for h in poly.interiors if Polygon(h).area >= min_area_m2]
        keep.append(Polygon(poly.exterior, holes))
    if not keep:
        return geom_m
    return shapely.union_all(keep)
