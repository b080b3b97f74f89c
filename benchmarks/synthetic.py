"""Deterministic synthetic inputs over the Ordos extent for the eligibility benchmark.

Everything is seeded; the same ``seed`` gives byte-identical geometry. Nothing here is
real data: the layers only have the *size and shape complexity* of real ones.

Built into ``benchmarks/_data/`` (git-ignored):

- ``region.gpkg`` — one irregular polygon filling the Ordos bounding box
  (106.7-111.45° E, 37.58-40.85° N) in the working Albers CRS.
- ``zones.gpkg`` — ``n_zones`` irregular polygons, areas log-uniform in
  0.05-50 km²; ~20 % with a hole, ~15 % multipart; field ``kind`` (a/b/c).
- ``roads.gpkg`` — ``n_roads`` random-walk lines (20-150 km); buffered 500 m in the
  config.
- ``landcover.tif`` — EPSG:4326, 0.0025° (~250 m), uint8 IGBP-like classes from
  smoothed noise (0 water ~2 %, 13 urban ~1 %, 10 grassland, 16 barren, 12 cropland);
  nodata 255.
- ``catalog.yaml`` — layer ids ``bench_region``, ``bench_zones``, ``bench_roads``,
  ``bench_landcover`` (use with ``ORDOS_GEO_LAYERS``).
- ``eligibility.yaml`` — the benchmark config (ids above).

Run ``python benchmarks/synthetic.py [--out DIR] [--seed N]``.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import rasterio
import shapely
from pyproj import Transformer
from rasterio.transform import from_origin
from scipy import ndimage

from ordos_geo.crs import WORK_CRS, WORK_CRS_PROJ4

__all__ = ["build"]

#: Ordos extent (lon/lat degrees): 106°42′-111°27′ E, 37°35′-40°51′ N.
ORDOS_LONLAT = (106.70, 37.58, 111.45, 40.85)


def _bbox_albers() -> tuple[float, float, float, float]:
    tr = Transformer.from_crs("EPSG:4326", WORK_CRS, always_xy=True)
    x0, y0, x1, y1 = tr.transform_bounds(*ORDOS_LONLAT, densify_pts=21)
    return float(x0), float(y0), float(x1), float(y1)


def _star(rng: np.random.Generator, cx: float, cy: float, r: float, n: int,
          rough: float) -> np.ndarray:
    """Closed ring: a circle of radius ``r`` with smooth random radial perturbation."""
    theta = np.sort(rng.uniform(0, 2 * math.pi, n))
    k = np.arange(1, 5)
    amp = rng.normal(0, rough, k.size) / k
    phase = rng.uniform(0, 2 * math.pi, k.size)
    rad = r * (1 + (amp[:, None] * np.sin(k[:, None] * theta + phase[:, None])).sum(0))
    rad *= 1 + rng.normal(0, rough / 4, n)
    rad = np.clip(rad, 0.25 * r, None)
    return np.column_stack([cx + rad * np.cos(theta), cy + rad * np.sin(theta)])


def _region(rng: np.random.Generator) -> shapely.Polygon:
    x0, y0, x1, y1 = _bbox_albers()
    theta = np.linspace(0, 2 * math.pi, 720, endpoint=False)
    # super-ellipse (exponent 3) with a wobbly edge, then scaled into the bbox
    ct, st = np.cos(theta), np.sin(theta)
    sx = np.sign(ct) * np.abs(ct) ** (2 / 3)
    sy = np.sign(st) * np.abs(st) ** (2 / 3)
    wob = 1 + 0.06 * np.sin(7 * theta + rng.uniform(0, 6)) + 0.03 * np.sin(
        23 * theta + rng.uniform(0, 6)) + rng.normal(0, 0.004, theta.size)
    xs, ys = sx * wob, sy * wob
    xs = x0 + (xs - xs.min()) / (xs.max() - xs.min()) * (x1 - x0)
    ys = y0 + (ys - ys.min()) / (ys.max() - ys.min()) * (y1 - y0)
    return shapely.make_valid(shapely.Polygon(np.column_stack([xs, ys])))


def _zones(rng: np.random.Generator, n: int) -> gpd.GeoDataFrame:
    x0, y0, x1, y1 = _bbox_albers()
    areas_km2 = np.exp(rng.uniform(math.log(0.05), math.log(50.0), n))
    geoms: list[shapely.Geometry] = []
    kinds = rng.choice(np.array(["a", "b", "c"]), n)
    has_hole = rng.random(n) < 0.20
    multipart = rng.random(n) < 0.15
    for i in range(n):
        r = math.sqrt(areas_km2[i] * 1e6 / math.pi)
        cx, cy = rng.uniform(x0, x1), rng.uniform(y0, y1)
        nv = int(rng.integers(12, 48))
        shell = _star(rng, cx, cy, r, nv, 0.25)
        holes = []
        if has_hole[i]:
            holes.append(_star(rng, cx, cy, 0.3 * r, 10, 0.1)[::-1])
        poly = shapely.make_valid(shapely.Polygon(shell, holes))
        if multipart[i]:
            parts = [poly]
            for _ in range(int(rng.integers(1, 3))):
                d = rng.uniform(2.5, 4.0) * r
                ang = rng.uniform(0, 2 * math.pi)
                parts.append(shapely.Polygon(_star(rng, cx + d * math.cos(ang),
                                                   cy + d * math.sin(ang), 0.5 * r, 12, 0.2)))
            poly = shapely.make_valid(shapely.union_all(parts))
        geoms.append(poly)
    return gpd.GeoDataFrame({"zone_id": np.arange(n), "kind": kinds}, geometry=geoms,
                            crs=WORK_CRS)


def _roads(rng: np.random.Generator, n: int) -> gpd.GeoDataFrame:
    x0, y0, x1, y1 = _bbox_albers()
    lines = []
    for _ in range(n):
        length = rng.uniform(20_000, 150_000)
        step = 1_000.0
        k = int(length / step)
        heading = rng.uniform(0, 2 * math.pi) + np.cumsum(rng.normal(0, 0.08, k))
        xs = rng.uniform(x0, x1) + np.concatenate([[0], np.cumsum(step * np.cos(heading))])
        ys = rng.uniform(y0, y1) + np.concatenate([[0], np.cumsum(step * np.sin(heading))])
        lines.append(shapely.LineString(np.column_stack([xs, ys])))
    return gpd.GeoDataFrame({"road_id": np.arange(n)}, geometry=lines, crs=WORK_CRS)


def _landcover(rng: np.random.Generator, path: Path, res_deg: float = 0.0025) -> None:
    lon0, lat0, lon1, lat1 = ORDOS_LONLAT
    w = math.ceil((lon1 - lon0) / res_deg)
    h = math.ceil((lat1 - lat0) / res_deg)
    base = ndimage.gaussian_filter(rng.standard_normal((h, w)).astype("float32"), 12)
    base /= base.std()
    fine = ndimage.gaussian_filter(rng.standard_normal((h, w)).astype("float32"), 2)
    fine /= fine.std()
    lc = np.full((h, w), 10, dtype=np.uint8)  # grassland
    lc[base > 0.9] = 16  # barren
    lc[(base < -1.2)] = 12  # cropland
    lc[fine > 2.05] = 0  # water ~2 %
    lc[(fine < -2.33)] = 13  # urban ~1 %
    lc[:2, :2] = 255  # a little nodata
    profile = {"driver": "GTiff", "height": h, "width": w, "count": 1, "dtype": "uint8",
               "crs": "EPSG:4326", "transform": from_origin(lon0, lat1, res_deg, res_deg),
               "nodata": 255, "compress": "deflate", "tiled": True}
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(lc, 1)


CATALOG = """\
version: 1
layers:
  - {{id: bench_region, title_zh: 合成区域, title_en: synthetic region, kind: vector,
     path: region.gpkg, crs: "{crs}", roles: [context], provenance: illustrative,
     source: benchmarks/synthetic.py seed {seed}, licence: MIT}}
  - {{id: bench_zones, title_zh: 合成分区, title_en: synthetic zones, kind: vector,
     path: zones.gpkg, crs: "{crs}", roles: [exclusion], provenance: illustrative,
     source: benchmarks/synthetic.py seed {seed}, licence: MIT}}
  - {{id: bench_roads, title_zh: 合成道路, title_en: synthetic roads, kind: vector,
     path: roads.gpkg, crs: "{crs}", roles: [exclusion], provenance: illustrative,
     source: benchmarks/synthetic.py seed {seed}, licence: MIT}}
  - {{id: bench_landcover, title_zh: 合成土地覆盖, title_en: synthetic land cover, kind: raster,
     path: landcover.tif, crs: "EPSG:4326", roles: [exclusion], provenance: illustrative,
     source: benchmarks/synthetic.py seed {seed}, licence: MIT}}
"""

CONFIG = """\
# Benchmark eligibility config (synthetic layers from benchmarks/synthetic.py).
region: {layer: bench_region}
res_m: 100
raster_exclusions:
  - {layer: bench_landcover, codes: [0, 13], reason: water and urban land cover}
vector_exclusions:
  - {layer: bench_zones, reason: synthetic protected zones}
  - {layer: bench_roads, buffer_m: 500, reason: road + 500 m}
"""


def build(out: Path, *, seed: int = 20231, n_zones: int = 5000, n_roads: int = 200) -> Path:
    """Write the synthetic layers, catalog and config into ``out``; return ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    region = _region(rng)
    gpd.GeoDataFrame({"name": ["synthetic Ordos"]}, geometry=[region], crs=WORK_CRS).to_file(
        out / "region.gpkg", engine="pyogrio")
    _zones(rng, n_zones).to_file(out / "zones.gpkg", engine="pyogrio")
    _roads(rng, n_roads).to_file(out / "roads.gpkg", engine="pyogrio")
    _landcover(rng, out / "landcover.tif")
    crs_text = WORK_CRS_PROJ4
    (out / "catalog.yaml").write_text(CATALOG.format(crs=crs_text, seed=seed), encoding="utf-8")
    (out / "eligibility.yaml").write_text(CONFIG, encoding="utf-8")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path(__file__).parent / "_data")
    ap.add_argument("--seed", type=int, default=20231)
    ap.add_argument("--zones", type=int, default=5000)
    ap.add_argument("--roads", type=int, default=200)
    a = ap.parse_args()
    build(a.out, seed=a.seed, n_zones=a.zones, n_roads=a.roads)
    print(f"wrote {a.out}")


if __name__ == "__main__":
    main()
