"""Map options, texts in Chinese and English, layer groups and styles.

Everything a planner may want to change about the look of the interactive map lives
here, separate from the code that reads layers and writes HTML.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from ordos_geo.errors import ConfigError
from ordos_geo.i18n import Lang
from ordos_geo.palette import SCORE_COLOURS, VERDICT_PALETTE, VERDICT_ZH_KEYS

__all__ = [
    "GROUPS",
    "LAYER_STYLES",
    "RESULT_STYLES",
    "SCORE_COLOURS",
    "SCORE_OPACITY",
    "VERDICT_COLOURS",
    "VISIBLE_AT_LOAD",
    "MapOptions",
    "group_of",
    "is_encouraged",
    "map_kind",
    "project_style",
    "text",
    "verdict_colour",
    "visible_at_load",
]

log = logging.getLogger(__name__)

Basemap = Literal["none", "osm", "tianditu"]
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
    "illustrative_short": ("示意数据 / illustrative", "Illustrative data"),
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
    "encouraged_legend": ("受鼓励项目（黑色粗边）", "Encouraged project (black outline)"),
    "collapse_hint": ("点击组名展开/收起", "Click a group name to expand/collapse"),
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
    "remainder_note": ("剩余范围仅避开禁止区，须重新筛查", "the remainder avoids prohibited zones "
                       "only; screen it again"),
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
    "control_unit_names": ("三线一单单元名称", "ECZ unit names"),
    "in_national_plan": ("纳入国家规划", "In a national plan"),
    "capacity_replacement": ("产能置换", "Capacity replacement"),
    "energy_efficiency": ("能效水平", "Energy efficiency"),
    "direct_coal_firing": ("直接燃煤", "Direct coal firing"),
    "annual_bulk_freight_mt": ("大宗货物年运量 (百万吨)", "Annual bulk freight (Mt)"),
    "rail_spur": ("铁路专用线", "Rail spur"),
    "component": ("组成部分", "Component"),
    "expect": ("预期结论", "Expected verdict"),
    "source_file": ("来源文件", "Source file"),
    "source_row": ("来源行", "Source row"),
    "lon": ("经度", "Longitude"),
    "lat": ("纬度", "Latitude"),
    "annual_energy_mwh": ("年发电量 (MWh)", "Annual energy (MWh)"),
    "full_load_hours": ("满发小时数 (h)", "Full-load hours (h)"),
    "lcoe_cny_per_kwh": ("平准化度电成本 (元/kWh)", "LCOE (CNY/kWh)"),
    "grid_distance_km": ("距电网接入点 (km)", "Distance to grid (km)"),
    "resource_mean": ("资源均值", "Mean resource"),
    "capacity_factor": ("容量系数", "Capacity factor"),
    "capex_cny": ("投资 (元)", "CAPEX (CNY)"),
    "connection_cny": ("接网投资 (元)", "Grid connection (CNY)"),
    "n_turbines": ("风机台数", "Turbines"),
    "conditional": ("结论附条件", "Conditional"),
    "status": ("状态", "Status"),
    "kind": ("类型", "Kind"),
    "location_confidence": ("位置可信度", "Location confidence"),
    "unit_kind": ("单元类型", "Unit kind"),
    "land_class": ("地类", "Land class"),
    "voltage_kv": ("电压等级 (kV)", "Voltage (kV)"),
    "length_km": ("长度 (km)", "Length (km)"),
    "year": ("年份", "Year"),
    "footprint_radius_m": ("占地半径 (m)", "Footprint radius (m)"),
    "seat_zh": ("驻地", "Seat"),
    "forest_type": ("林地类型", "Forest type"),
    "protection_level": ("保护等级", "Protection level"),
    "counts_in_forest_cover": ("计入森林覆盖率", "Counts in forest cover"),
    "area_published_or_assumed_km2": ("公布或假定面积 (km²)", "Published or assumed area (km²)"),
    "area_assumed_km2": ("假定面积 (km²)", "Assumed area (km²)"),
    "published_km2": ("公布面积 (km²)", "Published area (km²)"),
    "needs_information": ("待补充信息", "Needs information"),
    "not_evaluated": ("未评估的规则", "Rules not evaluated"),
    "added_capacity": ("新增产能", "Added capacity"),
    "replaced_capacity": ("置换产能", "Replaced capacity"),
    "coalfield": ("煤田", "Coalfield"),
    "from_zh": ("起点", "From"),
    "to_zh": ("终点", "To"),
    "site_mu": ("面积 (亩)", "Area (mu)"),
    "parks": ("园区", "Parks"),
    "township": ("乡镇", "Township"),
    "declared_date": ("申报日期", "Declared date"),
}

#: Fields never shown in popups (internal or shown elsewhere).
HIDDEN_FIELDS = frozenset({"provenance", "source", "geometry", "_popup", "_tooltip", "_label",
                          "_gtype", "_style"})


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


#: Leaflet path styles per catalog layer id; ``show`` = visible when the layer
#: overview (no results) opens; result maps use :data:`VISIBLE_AT_LOAD` instead.
#:
#: Palette (issue 5 follow-up), one colour family per role so that roles are told
#: apart at a glance, drawn from the colour-blind-safe Okabe–Ito set where a hue
#: must carry meaning (red/green are never the only difference):
#:
#: * controls (no-go and managed zones): red red lines, bluish-green
#:   *dashed* nature reserves, greys for urban cores and parks, pink/peach/grey
#:   三线一单 units;
#: * preferred zones: sand and earth tones (yellow Kubuqi, tan Mu Us, ochre
#:   subsidence, dashed brown reclamation), light fills;
#: * results: the score as a translucent white → purple ramp (:data:`SCORE_COLOURS`),
#:   PV sites orange and wind sites sky blue with dark outlines, projects as filled
#:   verdict-coloured symbols with a white halo (:func:`project_style`).
LAYER_STYLES: dict[str, dict[str, object]] = {
    "city": {"color": "#222222", "weight": 2.5, "fill": False, "show": True},
    "banners": {"color": "#444444", "weight": 1.2, "fill": False, "dashArray": "4 3",
                "show": True},
    "yellow_river": {"color": "#1f78b4", "weight": 3, "show": True},
    "settlements": {"color": "#222222", "fillColor": "#ffffff", "radius": 4, "weight": 1.5,
                    "fillOpacity": 1.0, "show": True},
    "mining_areas": {"color": "#616161", "fillColor": "#9e9e9e", "weight": 0.8,
                     "fillOpacity": 0.25, "show": False},
    "red_lines": {"color": "#a50f15", "fillColor": "#e0301e", "weight": 1.4,
                  "fillOpacity": 0.45, "show": True},
    "nature_reserves": {"color": "#00654a", "fillColor": "#009e73", "weight": 1.8,
                        "fillOpacity": 0.40, "dashArray": "6 3", "show": True},
    "urban_cores": {"color": "#37474f", "fillColor": "#78909c", "weight": 1.2,
                    "fillOpacity": 0.40, "show": True},
    "parks": {"color": "#212121", "fillColor": "#bdbdbd", "weight": 1.6,
              "fillOpacity": 0.35, "show": True},
    "kubuqi": {"color": "#b8a200", "fillColor": "#f0e442", "weight": 0.8,
               "fillOpacity": 0.28, "show": True},
    "mu_us": {"color": "#a0762c", "fillColor": "#e0bb7a", "weight": 0.8,
              "fillOpacity": 0.28, "show": True},
    "subsidence": {"color": "#6b4a10", "fillColor": "#a6761d", "weight": 1.0,
                   "fillOpacity": 0.40, "show": True},
    "reclamation": {"color": "#6d4c41", "fillColor": "#d7ccc8", "weight": 1.2,
                    "fillOpacity": 0.45, "dashArray": "4 2", "show": True},
    "kongdui": {"color": "#0072b2", "weight": 1.8, "dashArray": "5 4", "show": True},
    "kongdui_banks": {"color": "#0072b2", "fillColor": "#a6d2ea", "weight": 0.8,
                      "fillOpacity": 0.35, "show": False},
    # 三线一单 units by category (1 优先保护, 2 重点管控, 3 一般管控)
    "control_units_1": {"color": "#9c3d74", "fillColor": "#cc79a7", "weight": 0.8,
                        "fillOpacity": 0.35, "show": False},
    "control_units_2": {"color": "#b36b00", "fillColor": "#fdd49e", "weight": 0.8,
                        "fillOpacity": 0.35, "show": False},
    "control_units_3": {"color": "#757575", "fillColor": "#e0e0e0", "weight": 0.6,
                        "fillOpacity": 0.25, "show": False},
    "control_units_x": {"color": "#616161", "fillColor": "#bdbdbd", "weight": 0.6,
                        "fillOpacity": 0.25, "show": False},
}
DEFAULT_STYLE: dict[str, object] = {"color": "#5d4037", "fillColor": "#a1887f", "weight": 1.0,
                                    "fillOpacity": 0.3, "show": False}

#: Result layer styles (sites: a fixed colour per kind, not the score palette, so
#: they stand out on the score overlay; opaque fill and a dark outline).
RESULT_STYLES: dict[str, dict[str, object]] = {
    "pv_sites": {"color": "#7a3d00", "fillColor": "#e69f00", "weight": 2.5,
                 "fillOpacity": 0.75},
    "wind_sites": {"color": "#08306b", "fillColor": "#56b4e9", "weight": 2.0,
                   "fillOpacity": 0.55},
    "conflict_parts": {"color": "#7f0000", "weight": 1.5, "fillOpacity": 0.6,
                       "dashArray": "3 2"},
    "remainders": {"color": "#08306b", "weight": 2.0, "fillColor": "#9ecae1",
                   "fillOpacity": 0.3, "dashArray": "6 3"},
}

#: Opacity (0–1) of scored pixels in the score overlays: translucent so that the
#: control and preferred-zone fills beneath stay readable.
SCORE_OPACITY = 0.55

# ----------------------------------------------------------------- visible at load
MapKind = Literal["overview", "full", "pv", "wind", "screening"]

_BASE_ON = frozenset({"city", "banners", "yellow_river"})
_CONTROLS_ON = frozenset({"red_lines", "nature_reserves"})

#: Layer keys switched on when each kind of map opens (everything else is off and
#: can be ticked in the layer control). ``overview`` follows ``LAYER_STYLES[*].show``.
VISIBLE_AT_LOAD: dict[str, frozenset[str]] = {
    "full": _BASE_ON | _CONTROLS_ON | {"parks", "pv_score", "pv_sites", "wind_sites",
                                       "projects"},
    # PV: its own results, the exclusions it applies and the deserts/subsidence/
    # reclamation it rewards (analyses/pv.yaml)
    "pv": _BASE_ON | _CONTROLS_ON | {"urban_cores", "pv_score", "pv_sites", "kubuqi",
                                     "mu_us", "subsidence", "reclamation"},
    "wind": _BASE_ON | _CONTROLS_ON | {"urban_cores", "settlements", "wind_score",
                                       "wind_sites", "kubuqi"},
    # 三线一单 units stay off: they tile the region and their priority-protection
    # units largely repeat the red lines and reserves
    "screening": _BASE_ON | _CONTROLS_ON | {"parks", "urban_cores", "projects",
                                            "conflict_parts", "remainders"},
}


def map_kind(focus: str | None, has_results: bool) -> MapKind:
    """Kind of map: ``overview`` (no result layers), ``full`` or the focus."""
    if not has_results:
        return "overview"
    if focus in ("pv", "wind", "screening"):
        return focus  # type: ignore[return-value]
    return "full"


def visible_at_load(key: str, kind: MapKind) -> bool:
    """Whether the layer ``key`` (catalog id or result key) is on when ``kind`` opens."""
    if kind == "overview":
        return bool(LAYER_STYLES.get(key, DEFAULT_STYLE).get("show", False))
    return key in VISIBLE_AT_LOAD[kind]


#: Verdict → colour; English severities and their Chinese equivalents (RULES.md):
#: the Okabe–Ito palette of :mod:`ordos_geo.palette` (categorical, colour-blind safe).
VERDICT_COLOURS: dict[str, str] = {
    **VERDICT_PALETTE,
    **{zh: VERDICT_PALETTE[key] for zh, key in VERDICT_ZH_KEYS.items()},
    "allowed": VERDICT_PALETTE["compliant"], "pass": VERDICT_PALETTE["compliant"],
    "ok": VERDICT_PALETTE["compliant"], "允许": VERDICT_PALETTE["compliant"],
    "通过": VERDICT_PALETTE["compliant"],
}
_UNKNOWN_VERDICT = "#7f7f7f"


_VERDICT_ZH = {"prohibited": "禁止", "restricted": "限制", "review": "审查",
               "needs_information": "待补充信息", "compliant": "合规", "encouraged": "鼓励"}
_VERDICT_EN = {"needs_information": "needs information"}


def verdict_label(verdict: object, lang: Lang) -> str:
    """Legend label of a verdict in the map's language (``禁止`` / ``prohibited``)."""
    v = str(verdict).strip()
    if lang == "zh":
        return _VERDICT_ZH.get(v.lower(), v)
    key = VERDICT_ZH_KEYS.get(v, v)
    return _VERDICT_EN.get(key, key)


def verdict_colour(verdict: object) -> str:
    """Colour for a screening verdict (grey when the verdict is not recognised)."""
    key = str(verdict).strip()
    return VERDICT_COLOURS.get(key, VERDICT_COLOURS.get(key.lower(), _UNKNOWN_VERDICT))


#: Colour stops of the score colour bar: :data:`ordos_geo.palette.SCORE_COLOURS`.


#: Outline of an encouraged project (鼓励, a non-empty ``encouraged`` field): dark and
#: thick instead of the white halo of the other projects.
ENCOURAGED_OUTLINE = "#111111"


def is_encouraged(props: Mapping[str, object]) -> bool:
    """True if a project is encouraged: verdict 鼓励/encouraged or any ``encouraged`` rule."""
    v = str(props.get("verdict") or "").strip().lower()
    enc = props.get("encouraged")
    return v in ("encouraged", "鼓励") or (enc is not None and str(enc).strip() not in
                                           ("", "nan", "None", "none"))


def project_style(props: Mapping[str, object], geom_kind: str) -> dict[str, object]:
    """Leaflet style of one screened project, from its ``verdict`` and ``encouraged``.

    Parameters
    ----------
    props
        The project's attributes (``verdict``, ``encouraged``).
    geom_kind
        ``"point"``, ``"line"`` or ``"area"`` (footprint).

    Returns
    -------
    dict
        Points: a filled circle in the verdict colour with a white halo (dark, thick
        outline if encouraged); footprints: filled in the verdict colour, outlined in
        it (dark if encouraged); lines: drawn in the verdict colour.
    """
    colour = verdict_colour(props.get("verdict"))
    enc = is_encouraged(props)
    if geom_kind == "point":
        return {"fill": True, "fillColor": colour, "fillOpacity": 0.95,
                "color": ENCOURAGED_OUTLINE if enc else "#ffffff",
                "weight": 3.0 if enc else 2.5, "opacity": 1.0}
    if geom_kind == "line":
        return {"color": colour, "weight": 5.0 if enc else 4.0, "opacity": 0.95,
                "dashArray": "8 4" if enc else None}
    return {"fill": True, "fillColor": colour, "fillOpacity": 0.55,
            "color": ENCOURAGED_OUTLINE if enc else colour, "weight": 3.0 if enc else 2.0,
            "opacity": 1.0}
