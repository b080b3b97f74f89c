"""A tiny synthetic zoning world for tests, demos and benchmarks (NOT real data).

:func:`build_world` writes one small GeoPackage per layer id of the default set that
the rules use (boxes of 1 km in CGCS2000 3° Gauss-Krüger zone 36 without prefix, EPSG:4545,
offset by :data:`ORIGIN` so that they lie near 108.6° E 39° N, inside Ordos), a
10 × 10 class raster standing in for ``landcover``, and a ``catalog.yaml`` listing them
with ``provenance: illustrative``.
Every zone sits on its own 1 km cell so that a project can be placed inside or outside
it by a few metres. :data:`WORLD` gives the boxes.

:func:`random_world` builds many random zones and footprints in memory for the
screening benchmark.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import Point, box

from ordos_geo.crs import WORK_CRS
from ordos_geo.io.projects import complete_schema

__all__ = ["LANDCOVER_ORIGIN", "ORIGIN", "WORLD", "WORLD_CRS", "build_world", "random_world",
           "wbox"]

#: CRS of the synthetic world layers (CGCS2000 / 3-degree Gauss-Kruger CM 108E).
WORLD_CRS = "EPSG:4545"
#: Offset (easting, northing) of the world's local coordinates, metres.
ORIGIN = (550_000.0, 4_320_000.0)


def wbox(x0: float, y0: float, x1: float, y1: float) -> shapely.Polygon:
    """A box in :data:`WORLD_CRS` from local world coordinates (metres from ORIGIN)."""
    return box(ORIGIN[0] + x0, ORIGIN[1] + y0, ORIGIN[0] + x1, ORIGIN[1] + y1)

#: layer id -> list of (box (minx, miny, maxx, maxy) in local metres, attributes).
WORLD: dict[str, list[tuple[tuple[float, float, float, float], dict[str, Any]]]] = {
    "urban_cores": [((0, 0, 1000, 1000), {"name_zh": "示意主城区"})],
    "parks": [
        ((2000, 0, 3000, 1000), {"park_id": "G", "name_zh": "示意一般园区", "park_kind": "general",
                                 "mengxi": 0, "qipanjing_mengxi": 0}),
        ((4000, 0, 5000, 1000), {"park_id": "M", "name_zh": "示意蒙西产业园",
                                 "park_kind": "general", "mengxi": 1, "qipanjing_mengxi": 1}),
        ((6000, 0, 7000, 1000), {"park_id": "Z", "name_zh": "示意零碳产业园",
                                 "park_kind": "zero_carbon", "mengxi": 0, "qipanjing_mengxi": 0}),
        ((8000, 0, 9000, 1000), {"park_id": "L", "name_zh": "示意低碳示范园区",
                                 "park_kind": "low_carbon_demo", "mengxi": 0,
                                 "qipanjing_mengxi": 0}),
    ],
    "red_lines": [((0, 2000, 1000, 3000), {"name_zh": "示意生态保护红线", "rl_type": "示意"})],
    "nature_reserves": [((2000, 2000, 3000, 3000),
                         {"name_zh": "示意自然保护区", "level": "国家级"})],
    "control_units": [
        ((4000, 2000, 5000, 3000), {"unit_code": "ZH15060210001", "unit_name": "示意优先保护单元",
                                    "category": 1, "category_zh": "优先保护单元",
                                    "spatial_constraints": "禁止开发性、生产性建设活动(示意)"}),
        ((6000, 2000, 7000, 3000), {"unit_code": "ZH15060230001", "unit_name": "示意一般管控单元",
                                    "category": 3, "category_zh": "一般管控单元",
                                    "spatial_constraints": "执行一般管控要求(示意)"}),
    ],
    "kubuqi": [((0, 4000, 1000, 5000), {"name_zh": "示意库布其沙漠"})],
    "mu_us": [((2000, 4000, 3000, 5000), {"name_zh": "示意毛乌素沙地"})],
    "mining_areas": [((4000, 4000, 5000, 5000), {"name_zh": "示意矿区"})],
    "subsidence": [((6000, 4000, 7000, 5000), {"name_zh": "示意采煤沉陷区"})],
    "reclamation": [((8000, 4000, 9000, 5000), {"name_zh": "示意排土场"})],
    "kongdui_banks": [((10000, 4000, 11000, 5000), {"name_zh": "示意孔兑两岸"})],
    # user-supplied national layers (only written with extra=True)
    "basic_farmland": [((0, 9000, 1000, 10000), {"name_zh": "示意永久基本农田"})],
    "forest": [
        ((2000, 9000, 3000, 10000), {"name_zh": "示意有林地", "forest_type": "有林地",
                                     "protection_level": "II"}),
        ((4000, 9000, 5000, 10000), {"name_zh": "示意灌木林地", "forest_type": "灌木林地",
                                     "protection_level": "III"}),
        ((6000, 9000, 7000, 10000), {"name_zh": "示意Ⅰ级保护林地", "forest_type": "其他林地",
                                     "protection_level": "I"}),
    ],
    "basic_grassland": [((8000, 9000, 9000, 10000), {"name_zh": "示意基本草原"})],
    "sand_closure": [((10000, 9000, 11000, 10000), {"name_zh": "示意沙化土地封禁保护区"})],
    "cropland": [((12000, 9000, 13000, 10000), {"name_zh": "示意耕地"})],
    "qipanjing_mengxi": [((3900, -100, 5100, 1100), {"name_zh": "示意棋盘井蒙西地区"})],
    "banners": [((-1000, -1000, 9500, 12000), {"name_zh": "示意甲旗", "adcode": "150601"}),
                ((9500, -1000, 20000, 20000), {"name_zh": "示意乙旗", "adcode": "150602"})],
}
#: Layers written only with ``extra=True`` (the national and new default layers).
_EXTRA = ("basic_farmland", "forest", "basic_grassland", "sand_closure", "cropland",
          "qipanjing_mengxi", "banners")
#: Settlement point (local metres).
SETTLEMENT_XY = (0.0, 6000.0)
#: Lower-left corner of the 10 × 10 landcover raster (100 m cells): columns 0-4 are
#: class 12 (cropland), columns 5-9 class 16 (barren).
LANDCOVER_ORIGIN = (0.0, 7000.0)


def _write_raster(path: Path) -> None:
    import rasterio
    from affine import Affine

    arr = np.full((10, 10), 16, dtype="uint8")
    arr[:, :5] = 12
    x0, y0 = LANDCOVER_ORIGIN[0] + ORIGIN[0], LANDCOVER_ORIGIN[1] + ORIGIN[1]
    with rasterio.open(path, "w", driver="GTiff", width=10, height=10, count=1, dtype="uint8",
                       crs=WORLD_CRS, transform=Affine(100.0, 0.0, x0, 0.0, -100.0, y0 + 1000),
                       nodata=255) as dst:
        dst.write(arr, 1)


def build_world(folder: str | os.PathLike[str], *, extra: bool = False) -> Path:
    """Write the synthetic layers and their ``catalog.yaml`` into ``folder``.

    Parameters
    ----------
    folder
        Output folder (created).
    extra
        Also write the layers of :data:`_EXTRA` (basic farmland, forest with
        ``forest_type``/``protection_level``, basic grassland, sand closure, cropland,
        the 棋盘井/蒙西 area, two banners).

    Returns
    -------
    pathlib.Path
        The catalog file.
    """
    d = Path(folder)
    d.mkdir(parents=True, exist_ok=True)
    entries = []
    for lid, feats in WORLD.items():
        if lid in _EXTRA and not extra:
            continue
        gdf = gpd.GeoDataFrame([a for _, a in feats], geometry=[wbox(*b) for b, _ in feats],
                               crs=WORLD_CRS)
        gdf["provenance"], gdf["source"], gdf["confidence"] = "illustrative", "synthetic", "low"
        gdf.to_file(d / f"{lid}.gpkg", layer=lid, driver="GPKG")
        entries.append((lid, "vector", f"{lid}.gpkg"))
    pts = gpd.GeoDataFrame({"name_zh": ["示意居民点"], "provenance": ["illustrative"]},
                           geometry=[Point(SETTLEMENT_XY[0] + ORIGIN[0],
                                           SETTLEMENT_XY[1] + ORIGIN[1])],
                           crs=WORLD_CRS)
    pts.to_file(d / "settlements.gpkg", layer="settlements", driver="GPKG")
    entries.append(("settlements", "vector", "settlements.gpkg"))
    _write_raster(d / "landcover.tif")
    entries.append(("landcover", "raster", "landcover.tif"))
    lines = ["version: 1", "layers:"]
    for lid, kind, path in entries:
        lines += [f"  - id: {lid}", f"    title_zh: 示意{lid}", f"    title_en: synthetic {lid}",
                  f"    kind: {kind}", f"    path: {path}", f"    crs: '{WORLD_CRS}'",
                  "    roles: [zoning]", "    provenance: illustrative",
                  "    source: ordos_geo.zoning.synthetic (not real data)",
                  "    licence: MIT"]
    cat = d / "catalog.yaml"
    cat.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return cat


def random_world(
    n_projects: int, n_zones: int, *, seed: int = 0, extent_m: float = 200_000.0
) -> tuple[gpd.GeoDataFrame, dict[str, gpd.GeoDataFrame]]:
    """Random square footprints and zone polygons (WORK_CRS) for benchmarks.

    Footprints are 100-1,000 m squares; zones are 500-5,000 m squares split evenly over
    the layers the default rules use. Seeded, so runs are comparable.
    """
    rng = np.random.default_rng(seed)

    def squares(n: int, lo: float, hi: float) -> np.ndarray:
        x = rng.uniform(-extent_m / 2, extent_m / 2, n)
        y = rng.uniform(-extent_m / 2, extent_m / 2, n)
        s = rng.uniform(lo, hi, n)
        return shapely.box(x, y, x + s, y + s)

    layers = ["urban_cores", "parks", "red_lines", "nature_reserves", "control_units", "kubuqi",
              "mu_us", "mining_areas", "subsidence", "reclamation", "kongdui_banks",
              "landcover"]  # landcover as polygons: vector stand-in for the class raster
    per = max(1, n_zones // len(layers))
    zones: dict[str, gpd.GeoDataFrame] = {}
    for lid in layers:
        g = squares(per, 500, 5000)
        attrs: dict[str, Any] = {"name_zh": [f"{lid}-{i}" for i in range(per)]}
        if lid == "parks":
            attrs["park_kind"] = rng.choice(["general", "zero_carbon", "low_carbon_demo"], per)
            attrs["mengxi"] = rng.integers(0, 2, per)
            attrs["qipanjing_mengxi"] = attrs["mengxi"]
        if lid == "control_units":
            attrs["unit_code"] = [f"ZH{i:08d}" for i in range(per)]
            attrs["unit_name"] = attrs["name_zh"]
            attrs["category"] = rng.integers(1, 4, per)
            attrs["spatial_constraints"] = ["示意"] * per
        zones[lid] = gpd.GeoDataFrame(attrs, geometry=g, crs=WORK_CRS)
    zones["settlements"] = gpd.GeoDataFrame(
        {"name_zh": ["s"] * per},
        geometry=shapely.points(rng.uniform(-extent_m / 2, extent_m / 2, (per, 2))), crs=WORK_CRS)
    industries = np.array(["pv", "wind", "steel", "coal_chemical", "coking", "other"])
    projects = gpd.GeoDataFrame({
        "id": [f"B{i}" for i in range(n_projects)],
        "name": [f"bench {i}" for i in range(n_projects)],
        "industry": rng.choice(industries, n_projects),
        "stage": rng.choice(np.array(["new", "expansion", "relocation", "upgrade", "rebuild",
                                       "continuation"]), n_projects),
        "capacity": np.nan, "capacity_unit": None, "capacity_mw": np.nan,
        "capacity_10kt": rng.uniform(0, 5, n_projects), "in_national_plan": None,
        "capacity_replacement": None, "energy_efficiency": None, "direct_coal_firing": None,
        "annual_bulk_freight_mt": np.nan, "rail_spur": None, "component": None, "expect": None,
        "source_file": "random", "source_row": "",
    }, geometry=squares(n_projects, 100, 1000), crs=WORK_CRS)
    projects = complete_schema(projects)
    return projects, zones
