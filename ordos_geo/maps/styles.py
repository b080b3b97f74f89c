"""Map options, texts in Chinese and English, layer groups and styles.

Everything a planner may want to change about the look of the interactive map lives
here, separate from the code that reads layers and writes HTML.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Literal

from ordos_geo.errors import ConfigError

__all__ = [
    "GROUPS",
    "LAYER_STYLES",
    "VERDICT_COLOURS",
    "MapOptions",
    "group_of",
    "text",
    "verdict_colour",
]

log = logging.getLogger(__name__)

Basemap = Literal["none", "osm", "tianditu"]
Lang = Literal["zh", "en"]
Focus = Literal["pv", "wind", "screening"]

_BASEMAPS = ("none", "osm", "tianditu")
_LANGS = ("zh", "en")


@dataclass(frozen=True)
class MapOptions:
    """Options of the interactive map (see ``ordos-geo map --help``).

    Parameters
    ----------
    offline
        Inline Leaflet, every plugin and every image so that the HTML file makes no
        network request (default). ``False`` links the CDN copies folium uses.
    basemap
        ``"none"`` (default: the vector layers are the backdrop), ``"osm"``
        (OpenStreetMap tiles, needs network) or ``"tianditu"`` (天地图 vector tiles,
        CGCS2000 ≈ WGS84; needs network and ``tianditu_token``).
    tianditu_token
        The user's 天地图 key (https://console.tianditu.gov.cn); never stored elsewhere.
    lang
        ``"zh"`` or ``"en"``: layer names, legends and notices.
    max_raster_px
        Longest side, in pixels, of a score raster after reprojection to Web
        Mercator; larger rasters are resampled (nearest) to keep the HTML small.
    simplify_m
        Tolerance in metres (working equal-area CRS) for simplifying vector
        geometries before they are written into the page.
    tile_url
        Optional custom XYZ tile URL (overrides ``basemap``). A GCJ-02 source
        (Amap/Gaode, Tencent) is accepted but warned about: it is offset ~500 m.
    title
        Optional page title; default is a bilingual title chosen by ``lang``.
    """

    offline: bool = True
    basemap: Basemap = "none"
    tianditu_token: str | None = None
    lang: Lang = "zh"
    max_raster_px: int = 1200
    simplify_m: float = 60.0
    tile_url: str | None = None
    title: str | None = None

    def __post_init__(self) -> None:
        if self.basemap not in _BASEMAPS:
            raise ConfigError(
                f"map options: basemap: {self.basemap!r} is not one of {', '.join(_BASEMAPS)}; "
                "pass --basemap none|osm|tianditu"
            )
        if self.lang not in _LANGS:
            raise ConfigError(
                f"map options: lang: {self.lang!r} is not one of zh, en; pass --lang zh|en"
            )
        if self.basemap == "tianditu" and not self.tianditu_token:
            raise ConfigError(
                "map options: tianditu_token: 天地图 tiles need a key; "
                "pass --tianditu-token TOKEN or choose --basemap none|osm"
            )
        if self.max_raster_px < 16:
            raise ConfigError(
                f"map options: max_raster_px: must be >= 16 (got {self.max_raster_px}); "
                "use e.g. 1200"
            )
        if self.simplify_m < 0:
            raise ConfigError(
                f"map options: simplify_m: must be >= 0 metres (got {self.simplify_m}); use e.g. 60"
            )


# --------------------------------------------------------------------------- texts
_TEXT: dict[str, tuple[str, str]] = {
    "title": ("鄂尔多斯市 新能源选址与分区管控图", "Ordos — renewable siting and zoning map"),
    "title_pv": ("鄂尔多斯市 光伏选址图", "Ordos — PV siting map"),
    "title_wind": ("鄂尔多斯市 风电选址图", "Ordos — wind siting map"),
    "title_screening": ("鄂尔多斯市 项目合规筛查图", "Ordos — project screening map"),
    "title_overview": ("鄂尔多斯市 图层总览", "Ordos — layer overview"),
    "g_base": ("基础地理", "Base"),
    "g_controls": ("管控要素", "Controls"),
    "g_preferred": ("优先开发区", "Preferred zones"),
    "g_results": ("分析结果", "Results"),
    "g_other": ("其他图层", "Other layers"),
    "illustrative": (
        "当前显示的示意图层（标 *，依公开资料绘制）：",
        "Illustrative layers shown (marked *, drawn from published facts): ",
    ),
    "illustrative_tail": (
        "。请以官方数据替换后再用于决策。",
        ". Replace with official data before use.",
    ),
    "illustrative_short": ("示意数据 / illustrative", "illustrative / 示意数据"),
    "source": ("来源", "Source"),
    "provenance": ("数据性质", "Provenance"),
    "licence": ("许可", "Licence"),
    "vintage": ("年份", "Vintage"),
    "layer": ("图层", "Layer"),
    "pv_score": ("光伏适宜性评分", "PV suitability score"),
    "wind_score": ("风电适宜性评分", "Wind suitability score"),
    "pv_sites": ("光伏候选场址", "PV candidate sites"),
    "wind_sites": ("风电候选场址", "Wind candidate sites"),
    "projects": ("筛查项目（按结论着色）", "Screened projects (by verdict)"),
    "score_legend": ("适宜性评分 (0–100)", "Suitability score (0–100)"),
    "verdict_legend": ("项目筛查结论", "Screening verdict"),
    "legend": ("图例", "Legend"),
    "notes": ("说明", "Notes"),
    "legend_notes": (
        "图层样式见右上角图层列表；标 * 为示意数据。点击要素查看属性、依据与数据来源。",
        "Layer styles are shown in the layer list (top right); * = illustrative data. "
        "Click a feature for its attributes, citations and data source.",
    ),
    "search": ("搜索项目或场址名称", "Search project or site"),
    "gcj02": (
        "警告：所配置的底图为GCJ-02（高德/腾讯）坐标，在本地区偏移约500米，与图中数据不对齐。",
        "Warning: the configured basemap uses GCJ-02 (Amap/Tencent) coordinates, offset "
        "~500 m here; it does not align with the data.",
    ),
    "no_results": ("未找到分析结果文件", "No result files found"),
    "hits": ("规则命中", "Rule hits"),
    "conflict_parts": ("冲突范围（禁止/限制）", "Conflicting parts (prohibited/restricted)"),
    "remainders": ("合规剩余范围（调整建议）", "Compliant remainders (fix hints)"),
    "remainder": ("不含禁止区的剩余范围", "Remainder free of prohibited zones"),
    "avoid": ("需避让", "avoid"),
    "fix_hints": ("调整建议", "How to fix"),
    "sum_projects": ("筛查项目数", "Projects screened"),
    "sum_hits": ("规则命中数", "Rule hits"),
    "sum_fixes": ("调整建议数", "Fix hints"),
    "rule": ("规则", "Rule"),
    "severity": ("严重程度", "Severity"),
    "citation": ("依据", "Citation"),
    "overlap": ("重叠面积", "Overlap"),
    "verdict": ("结论", "Verdict"),
    "unit_cat_1": ("三线一单 优先保护单元", "ECZ units: priority protection"),
    "unit_cat_2": ("三线一单 重点管控单元", "ECZ units: key control"),
    "unit_cat_3": ("三线一单 一般管控单元", "ECZ units: general control"),
    "unit_cat_x": ("三线一单 其他单元", "ECZ units: other"),
    "ha": ("公顷", "ha"),
    "mu": ("亩", "mu"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    "generated": ("生成", "Generated"),
}

#: Field labels for popups (field → (zh, en)); unknown fields show their own name.
FIELD_LABELS: dict[str, tuple[str, str]] = {
    "name_zh": ("名称", "Name (zh)"),
    "name_en": ("英文名", "Name"),
    "name": ("名称", "Name"),
    "adcode": ("行政区划代码", "Admin code"),
    "rl_type": ("红线类型", "Red-line type"),
    "level": ("级别", "Level"),
    "unit_code": ("单元编码", "Unit code"),
    "unit_name": ("单元名称", "Unit name"),
    "province": ("省", "Province"),
    "city": ("市", "City"),
    "county": ("县（旗、区）", "County"),
    "category": ("管控单元分类", "Category"),
    "category_zh": ("管控单元分类", "Category"),
    "spatial_constraints": ("空间布局约束", "Spatial layout constraints"),
    "emission_control": ("污染物排放管控", "Emission control"),
    "risk_control": ("环境风险防控", "Environmental risk control"),
    "resource_efficiency": ("资源开发效率要求", "Resource efficiency"),
    "park_id": ("园区编号", "Park id"),
    "park_kind": ("园区类型", "Park kind"),
    "banner": ("旗区", "Banner"),
    "mengxi": ("蒙西产业园", "Mengxi park"),
    "qipanjing_mengxi": ("棋盘井/蒙西地区", "Qipanjing/Mengxi area"),
    "confidence": ("可信度", "Confidence"),
    "site_id": ("场址编号", "Site id"),
    "area_km2": ("面积 (km²)", "Area (km²)"),
    "mean_score": ("平均评分", "Mean score"),
    "max_score": ("最高评分", "Max score"),
    "capacity_mw": ("装机容量 (MW)", "Capacity (MW)"),
    "id": ("项目编号", "Project id"),
    "industry": ("行业", "Industry"),
    "stage": ("阶段", "Stage"),
    "verdict": ("结论", "Verdict"),
    "area_ha": ("面积 (公顷)", "Area (ha)"),
    "area_mu": ("面积 (亩)", "Area (mu)"),
    "banner_zh": ("旗区", "Banner (zh)"),
    "banner_en": ("旗区（英文）", "Banner"),
    "banner_adcode": ("旗区代码", "Banner code"),
    "landcover": ("土地覆盖代码", "Land-cover code"),
    "landcover_label": ("土地覆盖 (MODIS IGBP)", "Land cover (MODIS IGBP)"),
    "preferred": ("位于优先开发区", "In a preferred zone"),
    "kubuqi": ("优先区：库布其沙漠", "Preferred: Kubuqi Desert"),
    "mu_us": ("优先区：毛乌素沙地", "Preferred: Mu Us Sandy Land"),
    "subsidence": ("优先区：采煤沉陷区", "Preferred: subsidence area"),
    "reclamation": ("优先区：排土场/复垦区", "Preferred: mine dump / reclamation"),
    "kongdui_banks": ("优先区：孔兑两岸", "Preferred: kongdui banks"),
    "mining_areas": ("优先区：煤矿区", "Preferred: mining area"),
    "n_hits": ("命中规则数", "Rule hits"),
    "rules_hit": ("命中规则", "Rules hit"),
    "encouraged": ("鼓励依据", "Encouraged by"),
    "control_units": ("三线一单单元", "ECZ units"),
    "control_unit_categories": ("单元分类", "Unit categories"),
    "capacity": ("规模", "Capacity"),
    "capacity_unit": ("规模单位", "Capacity unit"),
    "area_m2": ("面积 (m²)", "Area (m²)"),
}

#: Fields never shown in popups (internal or shown elsewhere).
HIDDEN_FIELDS = frozenset({"provenance", "source", "geometry", "_popup", "_tooltip", "_label"})


def text(key: str, lang: Lang, **fmt: str) -> str:
    """Return the UI text ``key`` in ``lang`` (``"zh"`` or ``"en"``), formatted with ``fmt``."""
    zh, en = _TEXT[key]
    s = zh if lang == "zh" else en
    return s.format(**fmt) if fmt else s


def field_label(field: str, lang: Lang) -> str:
    """Popup label of an attribute field (the field name itself when unknown)."""
    pair = FIELD_LABELS.get(field)
    if pair is None:
        return field
    return pair[0] if lang == "zh" else pair[1]


# --------------------------------------------------------------------------- groups
#: Group keys in display order.
GROUPS = ("g_base", "g_controls", "g_preferred", "g_results", "g_other")

_GROUP_OF: dict[str, str] = {
    "city": "g_base",
    "banners": "g_base",
    "yellow_river": "g_base",
    "settlements": "g_base",
    "mining_areas": "g_base",
    "red_lines": "g_controls",
    "control_units": "g_controls",
    "nature_reserves": "g_controls",
    "urban_cores": "g_controls",
    "parks": "g_controls",
    "kubuqi": "g_preferred",
    "mu_us": "g_preferred",
    "subsidence": "g_preferred",
    "reclamation": "g_preferred",
    "kongdui": "g_preferred",
    "kongdui_banks": "g_preferred",
}


def group_of(layer_id: str) -> str:
    """Group key of a catalog layer id (unknown user layers go to ``g_other``)."""
    return _GROUP_OF.get(layer_id, "g_other")


#: Leaflet path styles per catalog layer id; ``show`` = visible when the page opens.
LAYER_STYLES: dict[str, dict[str, object]] = {
    "city": {"color": "#333333", "weight": 2.5, "fill": False, "show": True},
    "banners": {"color": "#555555", "weight": 1.2, "fill": False, "dashArray": "4 3",
                "show": True},
    "yellow_river": {"color": "#1f78b4", "weight": 3, "show": True},
    "settlements": {"color": "#222222", "fillColor": "#ffffff", "radius": 4, "weight": 1.5,
                    "fillOpacity": 1.0, "show": True},
    "mining_areas": {"color": "#6d4c41", "fillColor": "#8d6e63", "weight": 0.8,
                     "fillOpacity": 0.25, "show": False},
    "red_lines": {"color": "#c62828", "fillColor": "#e53935", "weight": 1.2,
                  "fillOpacity": 0.35, "show": True},
    "nature_reserves": {"color": "#1b5e20", "fillColor": "#2e7d32", "weight": 1.5,
                        "fillOpacity": 0.30, "dashArray": "6 3", "show": True},
    "urban_cores": {"color": "#4a148c", "fillColor": "#7b1fa2", "weight": 1.2,
                    "fillOpacity": 0.35, "show": True},
    "parks": {"color": "#37474f", "fillColor": "#607d8b", "weight": 1.5,
              "fillOpacity": 0.35, "show": True},
    "kubuqi": {"color": "#c49a2c", "fillColor": "#f2c14e", "weight": 0.8,
               "fillOpacity": 0.30, "show": True},
    "mu_us": {"color": "#b5832a", "fillColor": "#e8b96a", "weight": 0.8,
              "fillOpacity": 0.25, "show": True},
    "subsidence": {"color": "#00838f", "fillColor": "#26c6da", "weight": 1.0,
                   "fillOpacity": 0.40, "show": True},
    "reclamation": {"color": "#2e7d32", "fillColor": "#9ccc65", "weight": 1.0,
                    "fillOpacity": 0.40, "show": True},
    "kongdui": {"color": "#0277bd", "weight": 1.8, "dashArray": "5 4", "show": True},
    "kongdui_banks": {"color": "#0288d1", "fillColor": "#81d4fa", "weight": 0.8,
                      "fillOpacity": 0.35, "show": False},
    # 三线一单 units by category (1 优先保护, 2 重点管控, 3 一般管控)
    "control_units_1": {"color": "#ad1457", "fillColor": "#f48fb1", "weight": 0.8,
                        "fillOpacity": 0.35, "show": False},
    "control_units_2": {"color": "#ef6c00", "fillColor": "#ffcc80", "weight": 0.8,
                        "fillOpacity": 0.35, "show": False},
    "control_units_3": {"color": "#558b2f", "fillColor": "#dcedc8", "weight": 0.6,
                        "fillOpacity": 0.25, "show": False},
    "control_units_x": {"color": "#616161", "fillColor": "#bdbdbd", "weight": 0.6,
                        "fillOpacity": 0.25, "show": False},
}
DEFAULT_STYLE: dict[str, object] = {"color": "#5d4037", "fillColor": "#a1887f", "weight": 1.0,
                                    "fillOpacity": 0.3, "show": False}

#: Verdict → colour; English severities and their Chinese equivalents (RULES.md).
VERDICT_COLOURS: dict[str, str] = {
    "prohibited": "#d7191c",
    "禁止": "#d7191c",
    "restricted": "#fd8d3c",
    "限制": "#fd8d3c",
    "review": "#fecc5c",
    "审查": "#fecc5c",
    "compliant": "#2b83ba",
    "合规": "#2b83ba",
    "encouraged": "#1a9641",
    "鼓励": "#1a9641",
    "allowed": "#2b83ba",
    "pass": "#2b83ba",
    "ok": "#2b83ba",
    "允许": "#2b83ba",
    "通过": "#2b83ba",
}
_UNKNOWN_VERDICT = "#7f7f7f"


_VERDICT_ZH = {"prohibited": "禁止", "restricted": "限制", "review": "审查",
               "compliant": "合规", "encouraged": "鼓励"}


def verdict_label(verdict: object, lang: Lang) -> str:
    """Legend label of a verdict: ``禁止 prohibited`` in Chinese maps, the value otherwise."""
    v = str(verdict).strip()
    zh = _VERDICT_ZH.get(v.lower())
    return f"{zh} {v}" if lang == "zh" and zh else v


def verdict_colour(verdict: object) -> str:
    """Colour for a screening verdict (grey when the verdict is not recognised)."""
    key = str(verdict).strip()
    return VERDICT_COLOURS.get(key, VERDICT_COLOURS.get(key.lower(), _UNKNOWN_VERDICT))


#: Colour stops of the score colour bar (0 → 100), a sequential yellow-orange-red-
#: purple scale readable on white and printable in grey.
SCORE_COLOURS = ("#ffffcc", "#fed976", "#fd8d3c", "#e31a1c", "#800026")
