"""Illustrative layers built from published facts (docs: ../SOURCES.md, DATA.md §2).

Every feature has ``provenance = "illustrative"``: shapes sit where the real features
sit and match published areas where one exists, but their outlines are drawn, not
surveyed. Replace them with official data through a user catalog.

Shapes are drawn in metres (``WORK_CRS``) with a seeded RNG and derived from the
real layers (city, banners, Yellow River, MODIS land cover).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
import shapely.ops
from common import area_km2, write_vector
from known import grid_rows, plant_rows
from shapely.geometry import Point
from shapes import blob, drop_small, fit_area, meander, roughen, to_lonlat, to_m, xy_m

__all__ = ["Ctx", "build_illustrative", "save"]

log = logging.getLogger(__name__)

SEED = 20231031  # date the plan was issued; any fixed seed gives byte-stable layers
ILL = "illustrative"
#: Polygon parts and holes smaller than this are dropped from drawn layers, m² (5 ha).
MIN_PART_M2 = 50_000.0
DATA_MD = "DATA.md §2 facts; outline drawn (seeded), see layers/SOURCES.md"


@dataclass
class Ctx:
    """Inputs shared by the illustrative builders (lon/lat unless named ``*_m``)."""

    city: Any
    banners: gpd.GeoDataFrame
    river: Any
    landcover: np.ndarray
    landcover_transform: Any
    rng: np.random.Generator = field(default_factory=lambda: np.random.default_rng(SEED))
    stats: dict[str, Any] = field(default_factory=dict)
    out: dict[str, gpd.GeoDataFrame] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.city_m = to_m(self.city)
        self.banner_m = {r.adcode: to_m(r.geometry) for r in self.banners.itertuples()}
        self.river_m = to_m(self.river)

    def banner_of(self, geom_m: Any) -> str:
        """adcode of the banner holding most of ``geom_m``."""
        areas = {c: shapely.area(shapely.intersection(g, geom_m))
                 for c, g in self.banner_m.items()}
        return max(sorted(areas), key=lambda c: areas[c])


def _gdf(rows: list[dict[str, Any]]) -> gpd.GeoDataFrame:
    for r in rows:
        r["geometry"] = to_lonlat(drop_small(r["geometry"], MIN_PART_M2))
        r.setdefault("provenance", ILL)
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=4326)


def save(ctx: Ctx, layer_id: str, rows: list[dict[str, Any]], sort_by: list[str]) -> None:
    gdf = _gdf(rows)
    if gdf.geom_type.isin(["Polygon", "MultiPolygon"]).all():
        gdf["area_km2"] = [round(area_km2(g), 3) for g in gdf.geometry]
        ctx.stats[f"{layer_id}_km2"] = float(gdf["area_km2"].sum())
    ctx.out[layer_id] = gdf
    write_vector(gdf, layer_id, sort_by=sort_by)


# --------------------------------------------------------------------------- points
SETTLEMENTS: list[tuple[str, str, str, float, float, str]] = [
    # name_zh, name_en, kind, lon, lat, confidence  (seats: DATA.md §2, approximate)
    ("东胜", "Dongsheng", "banner_seat", 109.99, 39.82, "medium"),
    ("康巴什", "Kangbashi", "banner_seat", 109.79, 39.61, "medium"),
    ("树林召镇", "Shulinzhao", "banner_seat", 110.04, 40.40, "medium"),
    ("薛家湾镇", "Xuejiawan", "banner_seat", 111.24, 39.86, "medium"),
    ("敖勒召其镇", "Aolezhaoqi", "banner_seat", 107.48, 38.18, "medium"),
    ("乌兰镇", "Wulan", "banner_seat", 107.98, 39.10, "medium"),
    ("锡尼镇", "Xini", "banner_seat", 108.74, 39.83, "medium"),
    ("嘎鲁图镇", "Galutu", "banner_seat", 108.84, 38.60, "medium"),
    ("阿勒腾席热镇", "Altanxiret", "banner_seat", 109.74, 39.57, "medium"),
    ("棋盘井镇", "Qipanjing", "town", 106.98, 39.35, "low"),
    ("乌兰木伦镇", "Ulan Mulun", "town", 110.05, 39.38, "low"),
    ("上海庙镇", "Shanghaimiao", "town", 106.95, 38.30, "low"),
    ("独贵塔拉镇", "Duguitala", "town", 108.25, 40.32, "low"),
    ("大路镇", "Dalu", "town", 111.05, 40.10, "low"),
    ("沙圪堵镇", "Shagedu", "town", 111.10, 39.70, "low"),
]


def build_settlements(ctx: Ctx) -> None:
    """Banner seats (DATA.md §2) and a few towns, points."""
    rows = []
    for zh, en, kind, lon, lat, conf in SETTLEMENTS:
        p = Point(*xy_m(lon, lat))
        rows.append({"name_zh": zh, "name_en": en, "kind": kind,
                     "banner": ctx.banner_of(p.buffer(10)), "lon": lon, "lat": lat,
                     "source": "DATA.md §2 banner seats (approximate); towns: approximate "
                               "positions, verify", "confidence": conf, "geometry": p})
    save(ctx, "settlements", rows, ["kind", "name_en"])


# ----------------------------------------------------------------- urban cores
def build_urban_cores(ctx: Ctx) -> None:
    """东胜 and 康巴什 built-up cores: irregular blobs inside their districts."""
    spec = [("东胜中心城区", "Dongsheng urban core", "150602", 109.97, 39.81, 65.0, 1.7, 15.0),
            ("康巴什中心城区", "Kangbashi urban core", "150603", 109.79, 39.605, 35.0, 1.5, 0.0)]
    rows = []
    for zh, en, code, lon, lat, a, el, ang in spec:
        g = blob(lon, lat, a, ctx.rng, rough=0.2, elong=el, angle_deg=ang)
        g = fit_area(g, ctx.banner_m[code], a)
        rows.append({"name_zh": zh, "name_en": en, "banner": code,
                     "area_assumed_km2": a,
                     "source": "seat position DATA.md §2; size assumed (tens of km², order of "
                               "magnitude of the built-up area), outline drawn",
                     "confidence": "low", "geometry": g})
    save(ctx, "urban_cores", rows, ["name_en"])


# ----------------------------------------------------------------- nature reserves
def build_reserves(ctx: Ctx) -> None:
    """Three national nature reserves, sized to their published areas (Ordos part)."""
    otog = ctx.banner_m["150624"]
    qpj = Point(*xy_m(106.98, 39.35)).buffer(9000)  # 棋盘井 industrial area is outside it
    # 西鄂尔多斯: published bbox 106°40′–107°44′ E, 39°13′–40°11′ N, part in Wuhai.
    w = blob(107.22, 39.72, 5000.0, ctx.rng, rough=0.3, elong=1.8, angle_deg=80)
    clip = shapely.difference(otog, qpj)
    west = fit_area(w, clip, 4000.0)
    dino = blob(107.85, 39.42, 464.1, ctx.rng, rough=0.25, elong=1.4, angle_deg=30)
    dino = fit_area(dino, shapely.difference(otog, west), 464.1)
    # 遗鸥: 147.7 km², 109°14′–109°23′ E (泊江海子, Dongsheng/Ejin Horo border)
    gull_box = to_m(shapely.box(109 + 14 / 60, 39.6, 109 + 23 / 60, 40.0))
    gull = blob(109.31, 39.80, 147.7, ctx.rng, rough=0.2, elong=1.2, angle_deg=60)
    gull = fit_area(gull, shapely.intersection(ctx.city_m, gull_box), 147.7)
    rows = [
        {"name_zh": "西鄂尔多斯国家级自然保护区", "name_en": "West Ordos NNR",
         "level": "national", "published_km2": "4550-5560 (whole reserve, incl. Wuhai)",
         "source": "bbox 106°40′–107°44′E 39°13′–40°11′N (DATA.md §2); Ordos part drawn "
                   "at an assumed 4,000 km²", "confidence": "low", "geometry": west},
        {"name_zh": "鄂尔多斯遗鸥国家级自然保护区", "name_en": "Ordos Relict Gull NNR",
         "level": "national", "published_km2": "147.7",
         "source": "147.7 km², 109°14′–109°23′E, Ramsar site 1148 (DATA.md §2)",
         "confidence": "medium", "geometry": gull},
        {"name_zh": "鄂托克恐龙遗迹化石国家级自然保护区",
         "name_en": "Otog Dinosaur Footprint Fossil NNR", "level": "national",
         "published_km2": "464.1",
         "source": "464.1 km² at 阿尔巴斯苏木 (DATA.md §2); position assumed, coordinates "
                   "not found", "confidence": "low", "geometry": dino},
    ]
    save(ctx, "nature_reserves", rows, ["name_en"])


# ----------------------------------------------------------------- parks
PARKS: list[tuple[str, str, str, str, float, float, float, int, int, str, str]] = [
    # id, name_zh, name_en, kind, lon, lat, area km², mengxi, qipanjing_mengxi, conf, src
    ("P01", "鄂托克经济开发区蒙西产业园", "Otog EDZ Mengxi Industrial Park", "general",
     107.02, 39.47, 40.0, 1, 1, "low", "plan 二(四); position near 蒙西镇 assumed"),
    ("P02", "鄂托克经济开发区棋盘井产业园", "Otog EDZ Qipanjing Industrial Park", "general",
     106.99, 39.34, 57.0, 0, 1, "low", "棋盘井 town plan 57 km² (DATA.md §2)"),
    ("P03", "蒙苏经济开发区", "Mengsu Economic Development Zone", "general",
     109.80, 39.42, 110.0, 0, 0, "low", "Ejin Horo, 100-150 km² control (DATA.md §2)"),
    ("P04", "鄂尔多斯零碳产业园", "Ordos Zero-Carbon Industrial Park", "zero_carbon",
     109.92, 39.47, 20.0, 0, 0, "low", "plan 五(十九); inside 蒙苏经济开发区 (DATA.md §2)"),
    ("P05", "上海庙经济开发区", "Shanghaimiao Economic Development Zone", "low_carbon_demo",
     106.98, 38.27, 46.0, 0, 0, "low",
     "46 km² (DATA.md §2); plan 五(十九) 国家生态工业示范区 (low-carbon demo: assumption)"),
    ("P06", "达拉特经济开发区", "Dalad Economic Development Zone", "general",
     110.12, 40.33, 35.0, 0, 0, "low", "area not found: 35 km² assumed"),
    ("P07", "准格尔经济开发区", "Jungar Economic Development Zone", "general",
     110.867, 39.667, 40.0, 0, 0, "low", "near 110°52′E 39°40′N (DATA.md §2); area assumed"),
    ("P08", "杭锦经济开发区", "Hanggin Economic Development Zone", "general",
     108.22, 40.27, 22.83, 0, 0, "low", "22.83 km² (DATA.md §2); position assumed"),
    ("P09", "鄂尔多斯高新技术产业开发区", "Ordos Hi-tech Industrial Development Zone",
     "general", 109.88, 39.63, 10.0, 0, 0, "low", "10 km² planned (DATA.md §2)"),
]


def build_parks(ctx: Ctx) -> None:
    """Industrial parks with the fields the zoning rules use (二(四), 二(五), 五(十九))."""
    avoid = shapely.union_all([to_m(g) for g in ctx.out["urban_cores"].geometry]
                              + [to_m(g) for g in ctx.out["nature_reserves"].geometry])
    taken: Any = avoid
    rows = []
    for pid, zh, en, kind, lon, lat, a, mx, qm, conf, src in PARKS:
        g = blob(lon, lat, a, ctx.rng, rough=0.3, elong=1.5, angle_deg=ctx.rng.uniform(0, 180))
        free = shapely.difference(ctx.city_m, taken)
        g = fit_area(g, free, a)
        taken = shapely.union(taken, g)
        rows.append({"park_id": pid, "name_zh": zh, "name_en": en,
                     "banner": ctx.banner_of(g), "park_kind": kind, "mengxi": mx,
                     "qipanjing_mengxi": qm, "area_published_or_assumed_km2": a,
                     "source": src, "confidence": conf, "geometry": g})
    save(ctx, "parks", rows, ["park_id"])


# ----------------------------------------------------------------- mining
MINING: list[tuple[str, str, str, float, float, float, float, float]] = [
    # name_zh, name_en, coalfield, lon, lat, area km² (assumed), elongation, angle
    ("准格尔矿区", "Jungar coalfield (mining area)", "准格尔煤田", 111.12, 39.80, 1000.0, 2.2,
     95.0),
    ("神东矿区(鄂尔多斯部分)", "Shendong mining area (Ordos part)", "东胜煤田", 110.05, 39.33,
     900.0, 1.5, 110.0),
    ("东胜矿区", "Dongsheng coalfield (mining area)", "东胜煤田", 109.40, 39.42, 600.0, 1.6,
     20.0),
    ("呼吉尔特矿区", "Hujierte mining area", "东胜煤田", 109.10, 39.02, 700.0, 1.6, 60.0),
    ("上海庙矿区", "Shanghaimiao mining area", "上海庙煤田", 107.05, 38.40, 900.0, 1.8, 80.0),
    ("棋盘井矿区", "Qipanjing mining area", "桌子山煤田", 107.02, 39.25, 250.0, 1.6, 90.0),
]


def build_mining(ctx: Ctx) -> None:
    """Coal mining areas, subsidence (underground) and reclamation (open pit) areas."""
    cores = shapely.union_all([to_m(g) for g in ctx.out["urban_cores"].geometry])
    rows = []
    mine_m: dict[str, Any] = {}
    reserves = shapely.union_all([to_m(g) for g in ctx.out["nature_reserves"].geometry])
    parks = shapely.union_all([to_m(g) for g in ctx.out["parks"].geometry])
    free = shapely.difference(ctx.city_m, shapely.union_all([cores, reserves, parks]))
    for zh, en, field_zh, lon, lat, a, el, ang in MINING:
        g = blob(lon, lat, a, ctx.rng, rough=0.3, elong=el, angle_deg=ang)
        g = fit_area(g, free, a)
        mine_m[zh] = g
        rows.append({"name_zh": zh, "name_en": en, "kind": "coal_mining_area",
                     "coalfield": field_zh, "area_assumed_km2": a,
                     "source": "coalfields named in DATA.md §2 (准格尔, 东胜/神东); 上海庙 "
                               "(Otog Front, home of subsidence PV, layers/SOURCES.md), "
                               "呼吉尔特, 棋盘井 (桌子山); extent and size assumed",
                     "confidence": "low", "geometry": g})
    save(ctx, "mining_areas", rows, ["name_en"])

    # subsidence: the 伊旗天骄绿能 site (4.2万亩 = 28.0 km²) + patches in 神东/东胜
    site_km2 = 42_000 * 666.67 / 1e6
    shendong = mine_m["神东矿区(鄂尔多斯部分)"]
    first = fit_area(blob(110.03, 39.37, site_km2, ctx.rng, rough=0.2), shendong, site_km2)
    sub = [{"name_zh": "伊旗天骄绿能采煤沉陷区光伏基地", "name_en":
            "Yiqi Tianjiao Lvneng subsidence PV site (500 MW)", "site_mu": 42000,
            "source": "伊旗天骄绿能 500 MW PV on ~4.2万亩 subsidence land at 乌兰木伦镇 "
                      "(DATA.md §2); outline drawn", "confidence": "medium", "geometry": first}]
    taken = first
    sub += _patches(ctx, [("神东", shendong, 5), ("东胜", mine_m["东胜矿区"], 3),
                          ("上海庙", mine_m["上海庙矿区"], 1)],
                    taken, (15.0, 45.0), "采煤沉陷区", "coal-mining subsidence area",
                    "end-2024: 248 km² of subsidence treated (DATA.md §2); patches drawn")
    save(ctx, "subsidence", sub, ["name_en"])

    taken = shapely.union_all([to_m(g) for g in ctx.out["subsidence"].geometry])
    rec = _patches(ctx, [("准格尔", mine_m["准格尔矿区"], 6)], taken, (25.0, 45.0),
                   "露天煤矿排土场/复垦区", "open-pit dump / reclamation area",
                   "end-2024: 202 km² of open-pit land reclaimed (DATA.md §2); patches drawn")
    save(ctx, "reclamation", rec, ["name_en"])


def _patches(
    ctx: Ctx, where: list[tuple[str, Any, int]], taken: Any, size: tuple[float, float],
    zh: str, en: str, src: str,
) -> list[dict[str, Any]]:
    rows = []
    for label, area_m, n in where:
        minx, miny, maxx, maxy = area_m.bounds
        k = 0
        tries = 0
        while k < n and tries < 500:
            tries += 1
            x, y = ctx.rng.uniform(minx, maxx), ctx.rng.uniform(miny, maxy)
            if not shapely.contains_xy(area_m, x, y) or shapely.contains_xy(taken, x, y):
                continue
            a = float(ctx.rng.uniform(*size))
            g = shapely.affinity.translate(blob(0, 0, a, ctx.rng, rough=0.3), 0, 0)
            c = shapely.centroid(g)
            g = shapely.affinity.translate(g, x - c.x, y - c.y)
            g = shapely.difference(shapely.intersection(g, area_m), taken)
            g = shapely.intersection(g, ctx.city_m)
            if g.area < 5e6:
                continue
            k += 1
            taken = shapely.union(taken, shapely.buffer(g, 500))
            rows.append({"name_zh": f"{label}{zh}{k:02d}", "name_en": f"{label} {en} {k:02d}",
                         "source": src, "confidence": "low", "geometry": g})
    return rows


# ----------------------------------------------------------------- deserts
def build_mu_us(ctx: Ctx) -> None:
    """Mu Us: published bounds ∩ southern Ordos with a random northern edge, ~25,000 km²."""
    bounds_m = roughen(to_m(shapely.box(107 + 20 / 60, 37.5, 111.5, 39 + 20 / 60)), ctx.rng,
                       spacing_m=10000.0, radius_m=(3000.0, 7000.0))
    south = shapely.union_all([ctx.banner_m[c] for c in ("150623", "150626", "150627",
                                                          "150624")])
    lons = np.linspace(107.2, 111.6, 45)
    wiggle = np.zeros_like(lons)
    for k in range(1, 7):
        wiggle += ctx.rng.uniform(0.3, 1.0) / k * np.sin(
            k * np.pi * (lons - 107.2) / 4.4 + ctx.rng.uniform(0, 2 * np.pi))
    wiggle = wiggle / np.abs(wiggle).max() * 0.2
    # edge falls from ~39.2° N in the east (Ejin Horo) to ~38.7° N in the west (Otog)
    trend = 38.70 + (lons - 107.2) / 4.4 * 0.45

    radii = ctx.rng.uniform(3000, 8000, size=lons.size)

    def area_for(shift: float) -> tuple[float, Any]:
        top = trend + wiggle + shift
        ring = [(107.2, 37.4), *zip(lons.tolist(), top.tolist(), strict=True), (111.6, 37.4)]
        bites = shapely.union_all([shapely.buffer(Point(*xy_m(x, y)), r) for x, y, r in
                                   zip(lons.tolist(), top.tolist(), radii.tolist(), strict=True)])
        poly = shapely.difference(to_m(shapely.Polygon(ring)), bites)
        g = shapely.intersection(shapely.intersection(poly, bounds_m),
                                 shapely.intersection(south, ctx.city_m))
        return g.area / 1e6, g

    lo, hi = -0.6, 0.6
    g = None
    for _ in range(30):
        mid = (lo + hi) / 2
        a, g = area_for(mid)
        if a < 25000:
            lo = mid
        else:
            hi = mid
    rows = [{"name_zh": "毛乌素沙地", "name_en": "Mu Us Sandy Land", "published_km2": 25000,
             "source": "bounds 37°30′–39°20′N 107°20′–111°30′E (DATA.md §2) ∩ Otog Front, "
                       "Uxin, Ejin Horo, Otog; northern edge drawn, fitted to ~25,000 km² "
                       "in Ordos (uncertain)", "confidence": "low", "geometry": g}]
    save(ctx, "mu_us", rows, ["name_en"])


# ----------------------------------------------------------------- 孔兑
KONGDUI: list[tuple[str, str, float, float]] = [
    # name_zh, name_en, source lon, mouth lon (west → east; Hangjin, Dalad, Jungar)
    ("毛不拉孔兑", "Maobula Kongdui", 108.70, 108.85),
    ("布日嘎斯太沟", "Buriga Sitai Gully", 109.00, 109.10),
    ("黑赖沟", "Heilai Gully", 109.25, 109.35),
    ("西柳沟", "Xiliu Gully", 109.55, 109.60),
    ("罕台川", "Hantai River", 109.80, 109.85),
    ("哈什拉川", "Hashila River", 110.00, 110.05),
    ("母哈尔河", "Muhaer River", 110.15, 110.22),
    ("东柳沟", "Dongliu Gully", 110.30, 110.40),
    ("壕庆河", "Haoqing River", 110.45, 110.55),
    ("呼斯太河", "Husitai River", 110.60, 110.70),
]


def build_kongdui(ctx: Ctx) -> None:
    """十大孔兑: meandering lines from the Ordos ridge north to the Yellow River."""
    rows, banks = [], []
    for zh, en, slon, mlon in KONGDUI:
        slat = 39.82 + float(ctx.rng.uniform(-0.10, 0.08))
        # mouth: the river point nearest to (mlon, 40.6)
        target = Point(*xy_m(mlon, 40.6))
        mouth = shapely.ops.nearest_points(ctx.river_m, target)[0]
        line = meander((slon, slat), mouth, ctx.rng, amp_m=float(ctx.rng.uniform(1500, 4000)))
        # the river runs on the boundary: the last metres to the mouth may leave the city
        src_pt = Point(line.coords[0])
        parts = shapely.get_parts(shapely.line_merge(shapely.intersection(line, ctx.city_m)))
        line = min(parts, key=lambda p: p.distance(src_pt))  # the part from the source on
        rows.append({"name_zh": zh, "name_en": en,
                     "length_km": round(line.length / 1000, 1),
                     "source": "十大孔兑 (Hangjin, Dalad, Jungar) run north to the Yellow "
                               "River; courses drawn between approximate source and mouth, "
                               "clipped to the city",
                     "confidence": "low", "geometry": line})
        strip = shapely.difference(shapely.buffer(line, 1500), shapely.buffer(line, 150))
        banks.append({"name_zh": f"{zh}两岸", "name_en": f"{en} banks",
                      "source": "150-1,500 m either side of the drawn 孔兑 course (plan 二(六)1 "
                                "“孔兑两岸 光伏+”); widths assumed",
                      "confidence": "low",
                      "geometry": shapely.intersection(strip, ctx.city_m)})
    save(ctx, "kongdui", rows, ["name_en"])
    save(ctx, "kongdui_banks", banks, ["name_en"])


# ----------------------------------------------------------------- known plants, grid
def build_known(ctx: Ctx) -> None:
    """Known PV/wind plants (negative evidence) and the 500/220 kV grid, from reports."""
    save(ctx, "known_plants", plant_rows(ctx.banner_of), ["kind", "name_zh"])
    places = [(zh, kind, lon, lat) for zh, _en, kind, lon, lat, _c in SETTLEMENTS]
    subs, lines = grid_rows(ctx.banner_of, ctx.city_m, places)
    save(ctx, "grid_substations", subs, ["voltage_kv", "name_zh"])
    save(ctx, "grid_lines", lines, ["voltage_kv", "name_zh"])


def build_qipanjing_mengxi(ctx: Ctx) -> None:
    """棋盘井/蒙西 as one area: the two parks and 棋盘井 town joined (plan 二(五), 四(十三)2)."""
    p = ctx.out["parks"]
    parks = [to_m(x) for x in p.loc[p["qipanjing_mengxi"] == 1].geometry]
    town = Point(*xy_m(106.98, 39.35)).buffer(4000)
    hull = shapely.convex_hull(shapely.union_all([*parks, town]))
    g = roughen(shapely.buffer(hull, 3000, quad_segs=6), ctx.rng, spacing_m=4000.0,
                radius_m=(800.0, 2000.0))
    reserves = shapely.union_all([to_m(x) for x in ctx.out["nature_reserves"].geometry])
    g = shapely.difference(shapely.intersection(g, ctx.banner_m["150624"]), reserves)
    g = max(shapely.get_parts(g), key=lambda x: x.area)  # one area
    save(ctx, "qipanjing_mengxi", [{
        "name_zh": "棋盘井—蒙西地区", "name_en": "Qipanjing-Mengxi area", "banner": "150624",
        "parks": "P01,P02", "source": "plan 二(五)、四(十三)2 speak of 棋盘井蒙西地区; outline = "
        "convex hull of the 蒙西 and 棋盘井 parks and 棋盘井 town (4 km) + 3 km, roughened, "
        "inside 鄂托克旗, outside the reserves; size follows from that (assumed)",
        "confidence": "low", "geometry": g}], ["name_en"])


def build_illustrative(ctx: Ctx) -> Ctx:
    """Build all illustrative layers in dependency order (control units separately)."""
    build_settlements(ctx)
    build_urban_cores(ctx)
    build_reserves(ctx)
    build_parks(ctx)
    build_mining(ctx)
    build_mu_us(ctx)
    build_kongdui(ctx)
    build_known(ctx)
    build_qipanjing_mengxi(ctx)
    return ctx
