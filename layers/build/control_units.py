"""Illustrative 三线一单 environmental control units derived by rule from the other layers.

Rule (DATA.md §2): inside each banner,
1 优先保护 = red lines and nature reserves;
2 重点管控 = industrial parks, urban cores, mining, subsidence and reclamation areas
  (minus category 1);
3 一般管控 = the rest of the banner.
The units therefore tile every banner without gaps or overlaps (computed on the
1e-6° storage grid). Codes are ``ZH`` + adcode + category digit + 3-digit serial.
Requirement texts quote the plan 鄂环发〔2023〕76号 with clause references.
``common.write_vector`` makes sure every unit stays valid after projection to
``WORK_CRS`` (a 1e-6° snap can leave centimetre spikes that self-intersect there).
"""

from __future__ import annotations

import logging
from typing import Any

import geopandas as gpd
import shapely
from common import GRID_DEG, area_km2, write_vector

__all__ = ["build_control_units"]

log = logging.getLogger(__name__)

PLAN = "鄂环发〔2023〕76号"
CAT_ZH = {1: "优先保护单元", 2: "重点管控单元", 3: "一般管控单元"}
#: Parts smaller than this (km²) are crumbs from clipping; they are merged into a neighbour.
MIN_PART_KM2 = 0.05

# Requirement texts: (空间布局约束, 污染物排放管控, 环境风险防控, 资源开发效率要求).
TEXTS: dict[str, tuple[str, str, str, str]] = {
    "ecological": (
        "严守生态保护红线，严格管控自然保护地非生态活动〔三(十二)3〕；"
        "生态保护红线内光伏方阵、风电场不属于允许的有限人为活动（自然资发〔2022〕142号，待核）",
        "不新增污染物排放；推进黄河流域等生态环境保护综合治理〔三(十二)3〕",
        "利用高空视频监控、卫星遥感影像等信息化手段，加强自然保护地和生态保护红线监管〔三(十二)3〕",
        "严格执行草畜平衡、禁牧休牧、退耕还林还草等制度〔三(十二)3〕",
    ),
    "park": (
        "新上重化工项目必须入园，对布局在园区外的现有重化工企业，严禁在原址审批新增产能项目〔二(四)〕；"
        "不再审批铁合金、电石、电石法聚氯乙烯(PVC)、水泥(熟料)、超高功率以下石墨电极、"
        "普通平板玻璃等新增产能项目〔二(五)〕",
        "推进挥发性有机物(VOCs)、氮氧化物和温室气体协同控制〔四(十三)〕；"
        "2025年底前65蒸吨及以上燃煤锅炉全面实现超低排放〔四(十三)2〕",
        "禁止持久性有机污染物和添汞产品的非法生产；逐步减少危险废物焚烧、填埋处置〔四(十六)4〕",
        "推动自治区级及以上工业园区全部完成循环化改造〔三(八)1〕；禁止新建项目配套建设直燃煤设施"
        "〔二(六)2〕；优化工业园区供水系统，增加再生水使用比例〔四(十四)1〕",
    ),
    "urban": (
        "城市主城区禁止新建重污染项目〔二(四)〕",
        "2025年，主城区新能源公交车占比达到100%〔三(九)2〕",
        "加强生活垃圾填埋场垃圾渗滤液、恶臭和温室气体协同控制〔四(十六)2〕",
        "城镇规划区内新建建筑全面执行绿色建筑标准〔三(十)1〕；到2025年全市城镇清洁取暖率达到80%以上"
        "〔三(十)1〕",
    ),
    "mining": (
        "研究利用露天煤矿排土场、采煤沉陷区受损土地等因地制宜规划建设光伏发电、风力发电等新能源项目"
        "〔四(十五)〕；结合采煤沉陷区、露天煤矿复垦区推广“光伏+”多元化模式〔二(六)1〕",
        "实施新能源重卡、矿卡替代工程〔三(九)2〕；大宗货物年运量150万吨以上的矿区引入铁路专用线"
        "〔三(九)1〕",
        "推进煤炭绿色开采，推广矿区环境治理与修复〔三(八)2〕",
        "合理控制煤炭开发强度〔二(六)2〕；大力推进疏干水、再生水等非常规水资源化利用〔四(十四)1〕",
    ),
    "general": (
        "衔接国土空间规划分区和用途管制要求，严格执行国家自治区产业准入及退出清单制度〔二(四)〕；"
        "以沙漠、荒漠、矿区等为重点，加快推动风能和太阳能开发利用〔二(六)1〕",
        "严格落实污染物区域削减替代等要求〔二(五)〕",
        "加强农牧业面源污染治理〔三(十一)2〕",
        "坚持量水而行，发展循环型农牧业；加快推进节水灌溉工程建设〔三(十一)1、2〕",
    ),
}
EXTRA_PARK: dict[str, tuple[str, str, str]] = {
    # extra 空间布局约束 / 排放 / 效率 texts for particular parks
    "mengxi": ("鄂托克经济开发区蒙西产业园不得新建重化工项目〔二(四)〕", "", ""),
    "qipanjing_mengxi": (
        "棋盘井蒙西地区严格控制钢铁、电解铝、水泥、平板玻璃(不含光伏玻璃)等产能〔二(五)〕",
        "棋盘井蒙西地区，2023年全面完成焦化行业超低排放改造、干熄焦改造，2024年全面完成钢铁行业"
        "超低排放改造〔四(十三)2〕", ""),
    "zero_carbon": ("", "", "零碳示范园区新能源消纳比重达到100%〔五(十九)〕"),
    "low_carbon_demo": ("", "", "低碳示范园区新能源消纳比重达到50%〔五(十九)〕"),
}


def _poly(geom: Any) -> Any:
    """Keep only the polygonal parts of an overlay result (drop lines/points)."""
    parts = [x for x in shapely.get_parts(geom) if x.geom_type in ("Polygon", "MultiPolygon")
             and not x.is_empty]
    if not parts:
        return shapely.Polygon()
    return shapely.union_all(parts, grid_size=GRID_DEG)


def _and(a: Any, b: Any) -> Any:
    return _poly(shapely.intersection(a, b, grid_size=GRID_DEG))


def _minus(a: Any, b: Any) -> Any:
    return _poly(shapely.difference(a, b, grid_size=GRID_DEG))


def _or(a: Any, b: Any) -> Any:
    return _poly(shapely.union(a, b, grid_size=GRID_DEG))


def _join(a: str, b: str) -> str:
    return f"{a}；{b}" if b else a


def build_control_units(
    banners: gpd.GeoDataFrame, layers: dict[str, gpd.GeoDataFrame], stats: dict[str, Any]
) -> gpd.GeoDataFrame:
    """Derive and write the ``control_units`` layer (EPSG:4326).

    Parameters
    ----------
    banners
        ``banners`` layer (adcode, name_zh, geometry in EPSG:4326).
    layers
        Already built illustrative layers by id (red_lines, nature_reserves, parks,
        urban_cores, mining_areas, subsidence, reclamation), EPSG:4326.
    stats
        Filled with unit counts and areas per category.
    """
    g = GRID_DEG
    eco = _poly(shapely.union_all(list(layers["red_lines"].geometry)
                                  + list(layers["nature_reserves"].geometry), grid_size=g))
    mining = _poly(shapely.union_all(list(layers["mining_areas"].geometry)
                                     + list(layers["subsidence"].geometry)
                                     + list(layers["reclamation"].geometry), grid_size=g))
    rows: list[dict[str, Any]] = []
    for b in banners.sort_values("adcode").itertuples():
        bg = b.geometry
        serial = {1: 0, 2: 0, 3: 0}
        pending: list[tuple[int, str, str, Any, tuple[str, str, str, str]]] = []
        p = _and(bg, eco)
        pending.append((1, f"{b.name_zh}生态保护红线优先保护单元", "ecological", p,
                        TEXTS["ecological"]))
        taken = p
        for park in layers["parks"].sort_values("park_id").itertuples():
            k = _minus(_and(bg, park.geometry), taken)
            t = list(TEXTS["park"])
            for flag in ("mengxi", "qipanjing_mengxi"):
                if int(getattr(park, flag)) == 1:
                    extra = EXTRA_PARK[flag]
                    t = [_join(t[0], extra[0]), _join(t[1], extra[1]), t[2], t[3]]
            if park.park_kind in EXTRA_PARK:
                t[3] = _join(t[3], EXTRA_PARK[park.park_kind][2])
            pending.append((2, f"{park.name_zh}重点管控单元", f"park:{park.park_id}", k,
                            (t[0], t[1], t[2], t[3])))
            taken = _or(taken, k)
        for core in layers["urban_cores"].sort_values("name_en").itertuples():
            k = _minus(_and(bg, core.geometry), taken)
            pending.append((2, f"{core.name_zh}重点管控单元", "urban", k, TEXTS["urban"]))
            taken = _or(taken, k)
        k = _minus(_and(bg, mining), taken)
        pending.append((2, f"{b.name_zh}矿区及采煤沉陷区重点管控单元", "mining", k,
                        TEXTS["mining"]))
        taken = _or(taken, k)
        rest = _minus(bg, taken)
        kept = []
        for cat, name, kind, geom, texts in pending:
            # crumbs from clipping (< MIN_PART_KM2) join the 一般 unit
            parts = [x for x in shapely.get_parts(geom) if not x.is_empty]
            big = [x for x in parts if area_km2(x) >= MIN_PART_KM2]
            small = [x for x in parts if area_km2(x) < MIN_PART_KM2]
            if small:
                rest = _or(rest, shapely.union_all(small))
            if big:
                kept.append((cat, name, kind, _poly(shapely.union_all(big)), texts))
        # crumbs of the 一般 unit go to the kept unit sharing the longest border
        for crumb in [x for x in shapely.get_parts(rest) if area_km2(x) < MIN_PART_KM2]:
            if not kept:
                break
            ring = shapely.boundary(crumb)
            shared = [shapely.length(shapely.intersection(ring, shapely.buffer(k[3], 1e-6)))
                      for k in kept]
            i = int(max(range(len(kept)), key=lambda j: shared[j]))
            if shared[i] <= 0:
                continue
            cat, name, kind, geom, texts = kept[i]
            kept[i] = (cat, name, kind, _or(geom, crumb), texts)
            rest = _minus(rest, crumb)
        kept.append((3, f"{b.name_zh}一般管控单元", "general", rest, TEXTS["general"]))
        for cat, name, kind, geom, texts in kept:
            serial[cat] += 1
            rows.append({
                "unit_code": f"ZH{b.adcode}{cat}{serial[cat]:03d}",
                "unit_name": name, "province": "内蒙古自治区", "city": "鄂尔多斯市",
                "county": b.name_zh, "adcode": b.adcode, "category": cat,
                "category_zh": CAT_ZH[cat], "unit_kind": kind,
                "spatial_constraints": texts[0], "emission_control": texts[1],
                "risk_control": texts[2], "resource_efficiency": texts[3],
                "provenance": "illustrative",
                "source": f"derived by rule from the illustrative layers; texts quote {PLAN}",
                "confidence": "low",
                "geometry": shapely.make_valid(geom),
            })
    gdf = gpd.GeoDataFrame(rows, geometry="geometry", crs=4326)
    gdf["area_km2"] = [round(area_km2(x), 3) for x in gdf.geometry]
    for cat in (1, 2, 3):
        sel = gdf[gdf["category"] == cat]
        stats[f"control_units_cat{cat}"] = (len(sel), float(sel["area_km2"].sum()))
    stats["control_units_n"] = len(gdf)
    stats["control_units_km2"] = float(gdf["area_km2"].sum())
    write_vector(gdf, "control_units", sort_by=["unit_code"])
    return gdf
