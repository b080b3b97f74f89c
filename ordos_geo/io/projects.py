"""Project proposals from GPKG/SHP/GeoJSON/KML/CSV/XLSX/界址点 TXT into one schema.

Every reader returns the same columns (see :data:`PROJECT_COLUMNS`) with the geometry
in the equal-area :data:`ordos_geo.crs.WORK_CRS` (metres). Points stay points (screened
as points), polygons are footprints. English or Chinese headers are accepted
(``项目编号, 项目名称, 行业, 阶段, 产能, 单位, 经度, 纬度`` …). Files that carry no
attributes (界址点 parcels, bare geometries) take them from :class:`ProjectDefaults`
(the CLI's ``--industry``, ``--stage`` …). A bad row raises a one-line
:class:`~ordos_geo.errors.ProjectInputError` naming the file, the row and the field.

Examples
--------
>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "p.csv"
>>> _ = p.write_text("项目编号,项目名称,行业,阶段,产能,单位,经度,纬度\\n"
...                  "A1,示例光伏,光伏,新建,100,MW,109.5,39.5\\n", encoding="utf-8")
>>> gdf = read_projects([p])
>>> [str(gdf.loc[0, c]) for c in ("id", "industry", "stage", "capacity_mw")]
['A1', 'pv', 'new', '100.0']
"""

from __future__ import annotations

import functools
import logging
import math
import os
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from ordos_geo.crs import WORK_CRS
from ordos_geo.errors import OrdosGeoError, ProjectInputError
from ordos_geo.io.coordfile import read_coordfile
from ordos_geo.io.tabular import read_points_table
from ordos_geo.io.vector import list_layers, read_vector

__all__ = [
    "COMPONENTS",
    "INDUSTRIES",
    "INDUSTRY_ZH",
    "MAX_REPORTED_ROWS",
    "NEW_ON_SITE",
    "PROJECT_COLUMNS",
    "STAGES",
    "STAGE_ZH",
    "ProjectDefaults",
    "adds_capacity",
    "complete_schema",
    "normalise_id",
    "read_projects",
    "to_work_crs",
]

log = logging.getLogger(__name__)

#: Industry vocabulary: id -> accepted names (the plan's own terms verbatim, other
#: Chinese names, English words). Aliases are never broader than the plan: a generic
#: 平板玻璃, 水泥 or 石墨电极 is *not* the 普通平板玻璃, 水泥(熟料) or
#: 超高功率以下石墨电极 that 二(五) bans. Sets over it (heavy_chemical, two_high …) live
#: in ``analyses/zoning_rules.yaml``.
INDUSTRIES: dict[str, tuple[str, ...]] = {
    "pv": ("光伏", "光伏发电", "光伏电站", "光伏用地", "太阳能发电", "solar", "solar pv",
           "photovoltaic"),
    "wind": ("风电", "风力发电", "风电场", "风电用地", "wind power", "wind farm"),
    "storage": ("储能", "energy storage", "battery storage"),
    "hydrogen": ("氢能", "制氢", "绿氢", "green hydrogen"),
    "steel": ("钢铁", "炼钢", "iron and steel"),
    "ferroalloy": ("铁合金", "硅铁", "硅锰", "ferro-alloy", "ferro alloy"),
    "calcium_carbide": ("电石", "calcium carbide", "carbide"),
    "pvc_carbide": ("电石法聚氯乙烯(PVC)", "电石法pvc", "电石法聚氯乙烯", "carbide pvc",
                    "carbide-route pvc"),
    "cement": ("水泥", "cement"),
    "cement_clinker": ("水泥(熟料)", "水泥熟料", "熟料", "clinker", "cement clinker"),
    "graphite_electrode": ("超高功率以下石墨电极", "普通功率石墨电极", "高功率石墨电极",
                           "non-uhp graphite electrode"),
    "graphite_electrode_uhp": ("超高功率石墨电极", "uhp graphite electrode"),
    "graphite_electrode_unspecified": ("石墨电极", "graphite electrode"),
    "flat_glass": ("普通平板玻璃", "ordinary flat glass"),
    "flat_glass_unspecified": ("平板玻璃", "flat glass", "glass"),
    "pv_glass": ("光伏玻璃", "pv glass", "solar glass"),
    "electrolytic_aluminium": ("电解铝", "electrolytic aluminum", "aluminium smelting",
                               "aluminum smelting"),
    "coking": ("焦化", "焦炭", "兰炭", "焦炭(兰炭)", "coke", "semi-coke"),
    "coal_chemical": ("煤化工", "现代煤化工", "coal chemical", "coal chemicals"),
    "methanol": ("甲醇", "煤制甲醇"),
    "ethylene_glycol": ("乙二醇", "煤制乙二醇", "meg", "glycol"),
    "coal_to_liquids": ("煤制油", "coal to oil", "ctl"),
    "coal_to_gas": ("煤制气", "煤制天然气", "sng", "coal to gas", "synthetic natural gas"),
    "petrochemical": ("石化", "石油化工", "petrochemicals"),
    "refining": ("炼油", "oil refining", "refinery"),
    "ethylene": ("乙烯",),
    "px": ("对二甲苯", "对二甲苯(PX)", "对乙甲苯", "paraxylene", "p-xylene"),
    "coal_to_olefins": ("煤制烯烃", "cto", "coal to olefins"),
    "synthetic_ammonia": ("合成氨", "尿素", "合成氨(尿素)", "ammonia", "urea"),
    "chlor_alkali": ("氯碱", "烧碱", "氯碱化工", "chlor-alkali", "caustic soda"),
    "polysilicon": ("多晶硅", "poly-silicon"),
    "industrial_silicon": ("工业硅", "金属硅", "silicon metal", "metallurgical silicon"),
    "silicon_chemical": ("硅化工", "有机硅", "silicone", "silicon chemicals"),
    "coal_power": ("煤电", "燃煤发电", "火电", "燃煤热电", "coal-fired power", "coal fired power"),
    "captive_coal_power": ("燃煤自备电厂", "自备电厂", "captive power", "captive coal power"),
    "coal_mining": ("煤矿", "煤炭开采", "coal mine"),
    "logistics": ("物流园区", "物流", "logistics park"),
    "ecological_restoration": ("生态修复", "生态治理", "生态保护修复", "防沙治沙", "植树造林",
                               "ecological restoration", "restoration"),
    "other": ("其他",),
}
#: Chinese display name of each industry id (first Chinese alias).
INDUSTRY_ZH: dict[str, str] = {
    k: next(a for a in v if any("\u4e00" <= ch <= "\u9fff" for ch in a))
    for k, v in INDUSTRIES.items()
}
#: Project stages the plan distinguishes (see docs/zoning.md, stage table).
STAGES: dict[str, tuple[str, ...]] = {
    "new": ("新建", "新上", "new", "greenfield"),
    "expansion": ("扩建", "改扩建", "扩能", "新改扩建", "expand", "extension"),
    "rebuild": ("改建", "rebuild", "reconstruction"),
    "upgrade": ("技改", "技术改造", "升级改造", "retrofit", "technical upgrade"),
    "relocation": ("搬迁", "迁建", "异地搬迁", "relocate", "relocated"),
    "continuation": ("续建", "continued", "continuing", "resumption"),
}
#: Chinese name of each stage.
STAGE_ZH: dict[str, str] = {k: v[0] for k, v in STAGES.items()}
#: Components of PV/wind projects (N-1/N-3 treat lines and roads differently).
COMPONENTS: dict[str, tuple[str, ...]] = {
    "array": ("光伏阵列", "光伏方阵", "方阵", "阵列"),
    "turbine": ("风机", "风电机组", "机组"),
    "substation": ("升压站", "变电站"),
    "road": ("道路", "检修道路", "场内道路"),
    "line": ("线路", "集电线路", "送出线路", "输电线路"),
}
#: Energy-efficiency levels (国家标杆 / 先进 / 基准 / 低于基准).
EFFICIENCY: dict[str, tuple[str, ...]] = {
    "benchmark": ("标杆", "标杆水平", "国家标杆水平"),
    "advanced": ("先进", "先进值", "先进水平", "先进标准"),
    "baseline": ("基准", "基准水平"),
    "below_baseline": ("低于基准", "低于基准水平"),
}
#: Power units -> factor to MW.
_POWER_UNITS = {"kw": 1e-3, "千瓦": 1e-3, "mw": 1.0, "兆瓦": 1.0, "gw": 1e3, "万千瓦": 10.0,
                "mwp": 1.0, "kwp": 1e-3, "gwp": 1e3}
#: Mass-per-year units -> factor to 万吨 (10 kt) per year.
_MASS_UNITS = {"t": 1e-4, "吨": 1e-4, "kt": 0.1, "千吨": 0.1, "万吨": 1.0, "万t": 1.0,
               "mt": 100.0, "百万吨": 100.0, "亿吨": 1e4}

#: Output columns of :func:`read_projects` (plus ``geometry`` in WORK_CRS).
PROJECT_COLUMNS = (
    "id", "name", "industry", "stage", "capacity", "capacity_unit", "capacity_mw",
    "capacity_10kt", "added_capacity", "added_capacity_mw", "added_capacity_10kt",
    "replaced_capacity", "replaced_capacity_mw", "replaced_capacity_10kt", "adds_capacity",
    "in_national_plan", "capacity_replacement", "energy_efficiency", "direct_coal_firing",
    "uses_coal", "coal_fired_kiln", "annual_bulk_freight_mt", "rail_spur", "component",
    "declared_date", "banner", "township", "location_note", "expect", "source_file",
    "source_row",
)
#: Stages that are new on their site (新建 / 新上): a relocated plant is new where it goes.
NEW_ON_SITE = ("new", "relocation")
#: How many bad rows one error message lists.
MAX_REPORTED_ROWS = 20

_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "project_id", "项目编号", "编号", "项目代码", "parcel_id", "地块编号"),
    "name": ("name", "project_name", "项目名称", "名称", "地块名称"),
    "industry": ("industry", "行业", "行业类别", "产业"),
    "stage": ("stage", "阶段", "建设性质", "建设阶段"),
    "capacity": ("capacity", "产能", "规模", "建设规模", "装机容量", "装机规模"),
    "capacity_unit": ("capacity_unit", "unit", "单位", "产能单位", "规模单位"),
    "added_capacity": ("added_capacity", "新增产能", "新增规模", "新增装机"),
    "replaced_capacity": ("replaced_capacity", "置换产能", "减量置换产能", "淘汰产能",
                          "退出产能"),
    "uses_coal": ("uses_coal", "新增用煤", "用煤", "用煤项目"),
    "coal_fired_kiln": ("coal_fired_kiln", "燃煤工业炉窑", "燃煤炉窑"),
    "declared_date": ("declared_date", "申报日期", "申报时间", "受理日期"),
    "banner": ("banner", "旗区", "所在旗区", "旗县区"),
    "township": ("township", "苏木乡镇", "乡镇", "所在乡镇"),
    "in_national_plan": ("in_national_plan", "纳入国家规划", "国家规划"),
    "capacity_replacement": ("capacity_replacement", "产能置换", "置换方案"),
    "energy_efficiency": ("energy_efficiency", "能效水平", "能效"),
    "direct_coal_firing": ("direct_coal_firing", "直燃煤设施", "直燃煤"),
    "annual_bulk_freight_mt": ("annual_bulk_freight_mt", "大宗货物年运量_mt", "年运量_mt"),
    "annual_bulk_freight_10kt": ("annual_bulk_freight_10kt", "大宗货物年运量", "年运量"),
    "rail_spur": ("rail_spur", "铁路专用线"),
    "component": ("component", "组成", "工程组成", "构件"),
    "expect": ("expect", "预期结论"),
}
_BOOL_FIELDS = ("in_national_plan", "capacity_replacement", "direct_coal_firing", "rail_spur",
                "uses_coal", "coal_fired_kiln")
#: Zero-width and soft-hyphen characters stripped from ids (after NFKC).
_INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
_QUANTITY = re.compile(r"^\s*([+-]?(?:\d[\d,]*(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?)\s*(.*?)\s*$",
                       re.IGNORECASE)
_TRUE = {"true", "yes", "y", "1", "是", "有", "已纳入", "t"}
_FALSE = {"false", "no", "n", "0", "否", "无", "未纳入", "f", ""}
_TABULAR = {".csv", ".txt_table", ".xlsx", ".xlsm"}
_VECTOR = {".gpkg", ".shp", ".geojson", ".json", ".kml", ".kmz", ".gml", ".fgb"}


@dataclass
class ProjectDefaults:
    """Attribute values for inputs that lack them (CLI ``--industry``, ``--stage`` …).

    A value present in the file wins over the default. ``zone`` is the 3° Gauss-Krüger
    zone for 界址点 files without a usable 带号; ``crs`` is the declared CRS of files
    without one (e.g. a Shapefile without ``.prj``, a CSV in CGCS2000).
    """

    industry: str | None = None
    stage: str | None = None
    capacity: float | None = None
    capacity_unit: str | None = None
    component: str | None = None
    zone: int | None = None
    crs: str | int | None = None
    sheet: str | int | None = None
    attributes: dict[str, Any] = field(default_factory=dict)


@functools.lru_cache(maxsize=64)
def _transformer(crs_wkt: str) -> pyproj.Transformer:
    # Building a transformer costs ~0.1 s for some CRS pairs; screening re-projects
    # many layers from the same few CRS, so keep them.
    return pyproj.Transformer.from_crs(pyproj.CRS.from_wkt(crs_wkt), WORK_CRS, always_xy=True)


def to_work_crs(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Re-project ``gdf`` to :data:`~ordos_geo.crs.WORK_CRS` with a cached transformer."""
    if gdf.crs is None:
        raise ProjectInputError("GeoDataFrame without CRS; declare it with --crs")
    if gdf.crs == WORK_CRS:
        return gdf
    tr = _transformer(gdf.crs.to_wkt())
    geoms = shapely.transform(np.asarray(gdf.geometry.to_numpy(), dtype=object),
                              lambda xy: np.column_stack(tr.transform(xy[:, 0], xy[:, 1])))
    out = gdf.set_geometry(gpd.GeoSeries(geoms, index=gdf.index, crs=WORK_CRS), crs=WORK_CRS)
    out = out.set_crs(WORK_CRS, allow_override=True)
    out.attrs.update(gdf.attrs)
    return out


_NORM_DROP = re.compile(r"[\s()（）\[\]【】/]+")


@functools.lru_cache(maxsize=65536)
def _norm_str(text: str) -> str:
    return _NORM_DROP.sub("", _INVISIBLE.sub("", unicodedata.normalize("NFKC", text))).lower()


def _norm(text: Any) -> str:
    # the vocabulary of a file repeats (a few industries and stages over many rows):
    # the normalised text of a value is computed once
    return _norm_str(str(text))


def normalise_id(value: Any) -> str:
    """A project id as compared: NFKC, zero-width characters removed, trimmed.

    Examples
    --------
    >>> normalise_id("L-\u200b3") == normalise_id("L-3") == normalise_id("Ｌ－３")
    True
    """
    return _INVISIBLE.sub("", unicodedata.normalize("NFKC", str(value))).strip()


def _lookup(value: Any, table: Mapping[str, Sequence[str]]) -> str | None:
    """Return the vocabulary id for ``value`` (id itself or a Chinese alias), else None."""
    return _table_index(table).get(_norm(value))


#: id(table) -> (table, {normalised id or alias: id}); the vocabularies are module constants
_INDEXES: dict[int, tuple[Mapping[str, Sequence[str]], dict[str, str]]] = {}


def _table_index(table: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """``{normalised id or alias: id}``, the first id in table order winning (as a scan would)."""
    hit = _INDEXES.get(id(table))
    if hit is not None and hit[0] is table:
        return hit[1]
    index: dict[str, str] = {}
    for vid, aliases in table.items():
        index.setdefault(_norm(vid), vid)
        for a in aliases:
            index.setdefault(_norm(a), vid)
    _INDEXES[id(table)] = (table, index)
    return index


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return (isinstance(value, str) and value.strip() == "") or value is pd.NA


class _Row:
    """Error helper bound to one input row."""

    def __init__(self, shown: str, row_label: str) -> None:
        self.shown, self.row_label = shown, row_label

    def fail(self, fld: str, what: str, fix: str) -> ProjectInputError:
        return ProjectInputError(f"{self.shown}: {self.row_label}: field '{fld}': {what}; {fix}")


def _rename_columns(df: pd.DataFrame) -> pd.DataFrame:
    """Map English/Chinese headers to schema names (first match wins)."""
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for col in df.columns:
        if col == "geometry":
            continue
        key = _norm(col)
        for target, aliases in _ALIASES.items():
            if target in taken:
                continue
            if any(key == _norm(a) for a in aliases):
                mapping[col] = target
                taken.add(target)
                break
    return df.rename(columns=mapping)


def _to_float(value: Any, row: _Row, fld: str) -> float | None:
    if _is_missing(value):
        return None
    try:
        out = float(str(value).replace(",", "").strip())
    except ValueError:
        raise row.fail(fld, f"not a number ({str(value)[:40]!r})", "write a plain number") from None
    if not math.isfinite(out):
        raise row.fail(fld, f"not a finite number ({value!r})", "write a plain number")
    return out


def _to_bool(value: Any, row: _Row, fld: str) -> bool | None:
    """A yes/no value in any storage type: bool, 0/1 numbers, text (true/是/有/1.0 …)."""
    if _is_missing(value):
        return None
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | float | np.integer | np.floating) and float(value) in (0.0, 1.0):
        return bool(value)
    key = _norm(value)
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    try:
        num = float(key)
    except ValueError:
        num = math.nan
    if num in (0.0, 1.0):
        return bool(num)
    raise row.fail(fld, f"not a yes/no value ({str(value)[:40]!r})",
                   "use true/false, 1/0 or 是/否")


def _quantity(value: Any, unit: Any, row: _Row, fld: str) -> tuple[float | None, str | None]:
    """A number and its unit: ``200`` + unit column, or inline ``200万千瓦``, ``30万吨/年``.

    An inline unit wins when the unit column is blank; when both are given they must
    be the same kind and factor.
    """
    if _is_missing(value):
        return None, None if _is_missing(unit) else str(unit).strip()
    col_unit = None if _is_missing(unit) else str(unit).strip()
    if isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool):
        num, inline = float(value), ""
    else:
        m = _QUANTITY.match(unicodedata.normalize("NFKC", str(value)))
        if m is None:
            raise row.fail(fld, f"not a number ({str(value)[:40]!r})",
                           "write a number with an optional unit, e.g. 200, 200万千瓦 or "
                           "30万吨/年 (or put the unit in the unit column)")
        num, inline = float(m.group(1).replace(",", "")), m.group(2)
    if not math.isfinite(num):
        raise row.fail(fld, f"not a finite number ({value!r})", "write a plain number")
    if num < 0:
        raise row.fail(fld, f"negative {fld} ({num:g})", f"{fld} must be ≥ 0")
    if inline:
        kind = _unit_factor(inline)
        if kind is None:
            raise row.fail(fld, f"unknown unit {inline[:30]!r} in {str(value)[:40]!r} (valid: "
                           f"{', '.join(list(_POWER_UNITS) + list(_MASS_UNITS))})",
                           "write e.g. 200万千瓦, 100MW or 30万吨/年")
        if col_unit is not None and _unit_factor(col_unit) != kind:
            raise row.fail(fld, f"inline unit {inline!r} disagrees with the unit column "
                           f"({col_unit!r})", "give the unit in one place")
        return num, inline
    return num, col_unit


def _unit_factor(unit: str) -> tuple[str, float] | None:
    u = _norm(unit)
    for suffix in ("/年", "/a", "/yr", "/year", "年", "每年"):
        if u.endswith(_norm(suffix)) and len(u) > len(_norm(suffix)):
            u = u[: -len(_norm(suffix))]
    if u in _POWER_UNITS:
        return "power", _POWER_UNITS[u]
    if u in {_norm(k) for k in _MASS_UNITS}:
        return "mass", next(v for k, v in _MASS_UNITS.items() if _norm(k) == u)
    return None


def _clean_geometry(geom: Any, row: _Row, problem: str | None = None) -> Any:
    if problem is not None:
        raise row.fail("geometry", problem,
                       "fill in the coordinates (经度/纬度) of this row or delete the row")
    if geom is None or (isinstance(geom, float) and math.isnan(geom)):
        raise row.fail("geometry", "missing geometry",
                       "give coordinates (经度/纬度, WKT) or a shape")
    if shapely.is_empty(geom):
        raise row.fail("geometry", "empty or degenerate geometry", "give coordinates or a shape "
                       "(a polygon ring needs at least 4 points, the last equal to the first)")
    geom = shapely.force_2d(geom)
    if not shapely.is_valid(geom):
        geom = shapely.make_valid(geom)
    if geom.geom_type == "GeometryCollection":
        polys = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
        geom = shapely.union_all(polys) if polys else geom
    return geom


def _in_units(num: float | None, unit: str | None, row: _Row, fld: str) -> tuple[float, float]:
    """``(MW, 万吨 per year)`` of a quantity; NaN for the kind it is not."""
    if num is None:
        return math.nan, math.nan
    if unit is None:
        raise row.fail("capacity_unit", f"{fld} given without a unit",
                       "add a unit column (MW, 万千瓦, 万吨 …), write it inline (200万千瓦) "
                       "or pass --unit")
    kind = _unit_factor(unit)
    if kind is None:
        raise row.fail("capacity_unit", f"unknown unit {unit[:30]!r} (valid: "
                       f"{', '.join(list(_POWER_UNITS) + list(_MASS_UNITS))})",
                       "use a power unit (MW, 万千瓦) or a mass-per-year unit (万吨/年)")
    return (num * kind[1], math.nan) if kind[0] == "power" else (math.nan, num * kind[1])


def adds_capacity(stage: str, added: float | None) -> bool:
    """Whether a project adds capacity (新增产能), whatever its stage is called.

    新建 always does; 扩建 does unless ``added_capacity`` is declared 0; 改建, 技改,
    搬迁 and 续建 do only when a positive ``added_capacity`` is declared.

    Examples
    --------
    >>> adds_capacity("upgrade", None), adds_capacity("upgrade", 5.0), adds_capacity("new", None)
    (False, True, True)
    """
    if stage == "new":
        return True
    if added is not None:
        return added > 0
    return stage == "expansion"


def _date(value: Any, row: _Row) -> str | None:
    if value is None:
        return None
    try:
        ts: Any = pd.Timestamp(value.strip() if isinstance(value, str) else value)
    except (ValueError, TypeError):
        ts = pd.NaT
    if pd.isna(ts):
        raise row.fail("declared_date", f"not a date ({str(value)[:30]!r})",
                       "write the date as YYYY-MM-DD")
    return ts.date().isoformat()


def _industry_names() -> str:
    return "、".join(INDUSTRY_ZH[k] for k in INDUSTRIES if k != "other")


def _one_row(
    src: Mapping[Any, Any], i: int, row: _Row, defaults: ProjectDefaults, id_prefix: str,
    industry_hint: Sequence[Any] | None,
) -> dict[str, Any]:
    def get(name: str) -> Any:
        val = src.get(name)
        if _is_missing(val):
            val = defaults.attributes.get(name)
        return None if _is_missing(val) else val

    rec: dict[str, Any] = {}
    pid = get("id")
    if isinstance(pid, float) and pid.is_integer():
        pid = int(pid)
    rec["id"] = normalise_id(pid) if pid is not None else f"{id_prefix}-{i + 1}"
    if not rec["id"]:
        raise row.fail("id", f"blank after removing invisible characters ({pid!r})",
                       "give a visible project id")
    name = get("name")
    rec["name"] = str(name) if name is not None else rec["id"]

    raw_ind = get("industry")
    ind = _lookup(raw_ind, INDUSTRIES) if raw_ind is not None else None
    if raw_ind is not None and ind is None:
        raise row.fail("industry", f"unknown industry {str(raw_ind)[:40]!r} (行业可填: "
                       f"{_industry_names()}; English ids such as pv, coking also work)",
                       "use one of these names")
    if ind is None and industry_hint is not None and industry_hint[i] is not None:
        ind = _match_use(industry_hint[i])
    if ind is None and defaults.industry is not None:
        ind = _lookup(defaults.industry, INDUSTRIES)
        if ind is None:
            raise row.fail("industry", f"unknown --industry {defaults.industry!r} (行业可填: "
                           f"{_industry_names()})", "pass a valid --industry")
    if ind is None:
        raise row.fail("industry", "missing", "add an industry column (行业) or pass --industry")
    rec["industry"] = ind

    raw_stage = get("stage") or defaults.stage
    stage_names = ", ".join(f"{v[0]} {k}" for k, v in STAGES.items())
    if raw_stage is None:
        raise row.fail("stage", "missing", f"add a stage column (建设性质: {stage_names}) "
                       "or pass --stage")
    stage = _lookup(raw_stage, STAGES)
    if stage is None:
        raise row.fail("stage", f"unknown stage {str(raw_stage)[:40]!r} (valid: {stage_names})",
                       "use one of these")
    rec["stage"] = stage

    unit_col = get("capacity_unit") or defaults.capacity_unit
    cap, unit = _quantity(get("capacity"), unit_col, row, "capacity")
    if cap is None and defaults.capacity is not None:
        cap, unit = float(defaults.capacity), defaults.capacity_unit
    rec["capacity"], rec["capacity_unit"] = cap, (unit if cap is not None else None)
    rec["capacity_mw"], rec["capacity_10kt"] = _in_units(cap, unit, row, "capacity")
    for fld in ("added_capacity", "replaced_capacity"):
        num, u = _quantity(get(fld), unit if unit is not None else unit_col, row, fld)
        rec[fld] = num
        rec[f"{fld}_mw"], rec[f"{fld}_10kt"] = _in_units(num, u, row, fld)
        if num is not None and cap is not None and not math.isnan(rec["capacity_mw"]) and \
                math.isnan(rec[f"{fld}_mw"]):
            raise row.fail(fld, "unit kind differs from the capacity's",
                           "give both in power units or both in mass-per-year units")
    rec["adds_capacity"] = adds_capacity(stage, rec["added_capacity"])

    for b in _BOOL_FIELDS:
        rec[b] = _to_bool(get(b), row, b)
    eff = get("energy_efficiency")
    rec["energy_efficiency"] = None
    if eff is not None:
        rec["energy_efficiency"] = _lookup(eff, EFFICIENCY)
        if rec["energy_efficiency"] is None:
            raise row.fail("energy_efficiency", f"unknown level {str(eff)[:30]!r} (valid: "
                           + ", ".join(f"{v[1]} {k}" for k, v in EFFICIENCY.items()) + ")",
                           "use one of these")
    freight = _to_float(get("annual_bulk_freight_mt"), row, "annual_bulk_freight_mt")
    if freight is None:
        f10 = _to_float(get("annual_bulk_freight_10kt"), row, "annual_bulk_freight_10kt")
        freight = f10 / 100.0 if f10 is not None else None
    if freight is not None and freight < 0:
        raise row.fail("annual_bulk_freight_mt", f"negative freight ({freight:g})", "must be ≥ 0")
    rec["annual_bulk_freight_mt"] = np.nan if freight is None else freight
    comp = get("component") or defaults.component
    if comp is not None:
        cid = _lookup(comp, COMPONENTS)
        if cid is None:
            raise row.fail("component", f"unknown component {str(comp)[:30]!r} (valid: "
                           + ", ".join(f"{v[0]} {k}" for k, v in COMPONENTS.items()) + ")",
                           "use one of these")
        comp = cid
    elif ind == "pv":
        comp = "array"  # the main works of a PV project when nothing else is declared
    elif ind == "wind":
        comp = "turbine"
    rec["component"] = comp
    rec["declared_date"] = _date(get("declared_date"), row)
    for fld in ("banner", "township", "location_note"):
        v = get(fld)
        rec[fld] = str(v).strip() if v is not None else None
    exp = get("expect")
    rec["expect"] = str(exp) if exp is not None else None
    return rec


def _normalise_frame(
    gdf: gpd.GeoDataFrame,
    shown: str,
    row_labels: Sequence[str],
    defaults: ProjectDefaults,
    *,
    id_prefix: str,
    industry_hint: Sequence[Any] | None = None,
    problems: list[dict[str, str]] | None = None,
) -> gpd.GeoDataFrame:
    """Turn one file's rows into the project schema (geometry stays in the file's CRS).

    A bad row is appended to ``problems`` (file, row, error) and left out; with
    ``problems=None`` the first bad row raises.
    """
    df = _rename_columns(pd.DataFrame(gdf.drop(columns="geometry")))
    geo_problems: dict[int, str] = gdf.attrs.get("geometry_problems") or {}
    records: list[dict[str, Any]] = []
    geoms: list[Any] = []
    # one dict per row and the geometry array: no pandas row objects in the loop
    src_rows = df.to_dict("records")
    src_geoms = gdf.geometry.to_numpy()
    for i in range(len(df)):
        row = _Row(shown, row_labels[i])
        try:
            rec = _one_row(src_rows[i], i, row, defaults, id_prefix, industry_hint)
            geom = _clean_geometry(src_geoms[i], row, geo_problems.get(i))
        except ProjectInputError as exc:
            if problems is None:
                raise
            problems.append({"file": shown, "row": row_labels[i], "error": str(exc)})
            continue
        rec["source_file"], rec["source_row"] = shown, row_labels[i]
        geoms.append(geom)
        records.append(rec)
    out = gpd.GeoDataFrame(records, columns=list(PROJECT_COLUMNS),
                           geometry=gpd.GeoSeries(geoms, crs=gdf.crs), crs=gdf.crs)
    for b in (*_BOOL_FIELDS, "energy_efficiency", "component", "expect", "capacity_unit",
              "declared_date", "banner", "township", "location_note"):
        out[b] = out[b].astype(object)  # keep True/False/None, never numpy bools or NaN
    out["adds_capacity"] = out["adds_capacity"].astype(bool)
    return out


def _match_use(use: Any) -> str | None:
    """Map a 界址点 地块用途 (e.g. 光伏用地) to an industry id where it can."""
    if _is_missing(use):
        return None
    exact = _lookup(use, INDUSTRIES)
    if exact is not None:
        return exact
    key = _norm(use)
    best: tuple[int, str] | None = None
    for vid, aliases in INDUSTRIES.items():
        for a in aliases:
            na = _norm(a)
            if na and na in key and (best is None or len(na) > best[0]):
                best = (len(na), vid)
    return best[1] if best else None


# --------------------------------------------------------------------------- readers
def _read_vector_file(path: Path, defaults: ProjectDefaults) -> gpd.GeoDataFrame:
    layers = list_layers(path)
    layer = None
    if len(layers) > 1:
        layer = "projects" if "projects" in layers else None
        if layer is None:
            raise ProjectInputError(f"{path}: several layers ({', '.join(layers)}) and none "
                                    "named 'projects'; keep one layer or name it 'projects'")
    return read_vector(path, layer=layer, crs=defaults.crs)


def _header_attributes(attrs: Any, header: dict[str, str]) -> None:
    """Fill project fields missing from a 界址点 file's parcels from its header sections.

    A ``[项目信息]`` section may say what coordinate rows cannot, e.g. ``建设性质=新建``
    or ``行业=光伏``; a key matching a field alias (``_ALIASES``) fills that field for
    every parcel that lacks it. Parcel values (地块编号, 地块名称) are never replaced.
    """
    for field_name, aliases in _ALIASES.items():
        value = next((str(header[a]).strip() for a in aliases if str(header.get(a, "")).strip()),
                     None)
        if value is None:
            continue
        if field_name not in attrs.columns:
            attrs[field_name] = value
        else:
            attrs[field_name] = attrs[field_name].where(attrs[field_name].notna(), value)


def _read_one(path: Path, defaults: ProjectDefaults,
              problems: list[dict[str, str]] | None = None) -> gpd.GeoDataFrame:
    shown = str(path)
    suffix = path.suffix.lower()
    hint: list[Any] | None = None
    if suffix == ".txt":
        raw = read_coordfile(path, zone=defaults.zone)
        lines = raw["line"].tolist() if "line" in raw.columns else [None] * len(raw)
        labels = [f"parcel {i + 1}" + (f" (line {ln})" if ln is not None else "")
                  for i, ln in enumerate(lines)]
        hint = list(raw["use"]) if "use" in raw.columns else None
        attrs = raw.drop(columns=[c for c in ("use", "land_class", "area_ha_declared", "n_points",
                                               "source_file") if c in raw.columns])
        attrs = attrs.rename(columns={"parcel_id": "id"})
        _header_attributes(attrs, raw.attrs.get("header") or {})
        gdf = gpd.GeoDataFrame(attrs, geometry=raw.geometry, crs=raw.crs)
    elif suffix in _TABULAR:
        gdf = read_points_table(path, crs=defaults.crs, sheet=defaults.sheet,
                                keep_missing=True)
        # the row in the file as the user sees it (blank rows were skipped by the reader)
        rows = (gdf["source_row"].tolist() if "source_row" in gdf.columns
                else [i + 2 for i in range(len(gdf))])
        labels = [f"row {r}" for r in rows]
    elif suffix in _VECTOR:
        gdf = _read_vector_file(path, defaults)
        labels = [f"feature {i + 1}" for i in range(len(gdf))]
        if gdf.attrs.get("dropped_empty") and isinstance(gdf.index, pd.RangeIndex | pd.Index):
            # read_vector drops null geometries: a dropped project must not vanish
            kept = {int(k) for k in gdf.index}
            n_all = len(kept) + int(gdf.attrs["dropped_empty"])
            lost = [k for k in range(n_all) if k not in kept]
            for k in lost:
                err = ProjectInputError(f"{shown}: feature {k + 1}: field 'geometry': missing "
                                        "or empty geometry; draw the shape or delete the feature")
                if problems is None:
                    raise err
                problems.append({"file": shown, "row": f"feature {k + 1}", "error": str(err)})
            labels = [f"feature {int(k) + 1}" for k in gdf.index]
            gdf = gdf.reset_index(drop=True)
    else:
        raise ProjectInputError(
            f"{shown}: unsupported project file type '{suffix}' (supported: "
            f"{', '.join(sorted(_VECTOR | {'.csv', '.xlsx', '.txt'}))}); convert the file"
        )
    if gdf.crs is None:
        raise ProjectInputError(f"{shown}: no coordinate reference system; pass --crs "
                                "(e.g. EPSG:4490 or EPSG:4525)")
    if len(gdf) == 0 and not (problems and any(q["file"] == shown for q in problems)):
        raise ProjectInputError(f"{shown}: no projects in the file; check the file or layer")
    out = _normalise_frame(gdf, shown, labels, defaults, id_prefix=path.stem, industry_hint=hint,
                           problems=problems)
    return to_work_crs(out)


def complete_schema(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """``gdf`` with every :data:`PROJECT_COLUMNS` column (missing ones empty).

    For frames built in code (tests, benchmarks, the web page) rather than read with
    :func:`read_projects`; ``adds_capacity`` is derived from ``stage`` and
    ``added_capacity`` when absent.
    """
    missing = [c for c in PROJECT_COLUMNS if c not in gdf.columns]
    if not missing:
        return gdf
    out = gdf.copy()
    numeric = {"capacity", "capacity_mw", "capacity_10kt", "added_capacity", "added_capacity_mw",
               "added_capacity_10kt", "replaced_capacity", "replaced_capacity_mw",
               "replaced_capacity_10kt", "annual_bulk_freight_mt"}
    for c in missing:
        if c == "adds_capacity":
            continue
        out[c] = np.nan if c in numeric else pd.Series([None] * len(out), index=out.index,
                                                        dtype=object)
    if "adds_capacity" in missing:
        added = pd.to_numeric(out["added_capacity"], errors="coerce")
        out["adds_capacity"] = [adds_capacity(str(s), None if pd.isna(a) else float(a))
                                for s, a in zip(out["stage"], added, strict=True)]
    return out


def _expand(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            inner = sorted(q for q in p.iterdir() if q.is_file() and not q.name.startswith(".")
                           and q.suffix.lower() in (_VECTOR | _TABULAR | {".txt"}))
            if not inner:
                raise ProjectInputError(f"{p}: folder holds no project files; give files instead")
            files.extend(inner)
        elif not p.exists():
            raise ProjectInputError(f"{p}: file not found; check the path")
        else:
            files.append(p)
    return files


def read_projects(
    paths: Iterable[str | os.PathLike[str]],
    *,
    defaults: ProjectDefaults | Mapping[str, Any] | None = None,
    skip_invalid: bool = False,
) -> gpd.GeoDataFrame:
    """Read project proposals from files or folders into one GeoDataFrame.

    Parameters
    ----------
    paths
        Files (``.gpkg .shp .geojson .json .kml .csv .xlsx .txt`` — ``.txt`` is a 界址点
        file) or folders of them (read in name order, not recursively).
    defaults
        Attribute values for rows that lack them (:class:`ProjectDefaults` or a mapping
        with the same keys).
    skip_invalid
        Leave bad rows out and list them in ``attrs["skipped"]`` (file, row, error)
        instead of raising. Without it every bad row of the batch is reported at once
        (up to :data:`MAX_REPORTED_ROWS`) and nothing is screened.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns :data:`PROJECT_COLUMNS`; geometry in :data:`~ordos_geo.crs.WORK_CRS`
        (metres, equal-area). ``capacity_mw`` is MW for power units, ``capacity_10kt``
        is 万吨 per year for mass units (also for ``added_capacity_*`` and
        ``replaced_capacity_*``); ``annual_bulk_freight_mt`` is million tonnes per year;
        ``adds_capacity`` says whether the project adds capacity (see
        :func:`adds_capacity`). Ids are NFKC-normalised with zero-width characters
        removed. Rows keep input order (file order, then row order).

    Raises
    ------
    ProjectInputError
        Naming the file, the row and the field of every bad row: unknown industry (lists
        the Chinese names), bad stage, negative capacity, duplicate id (after
        normalisation), blank coordinates, formula cells without a cached value …
    """
    if defaults is None:
        d = ProjectDefaults()
    elif isinstance(defaults, ProjectDefaults):
        d = defaults
    else:
        d = ProjectDefaults(**dict(defaults))
    frames: list[gpd.GeoDataFrame] = []
    problems: list[dict[str, str]] = []
    for path in _expand(paths):
        try:
            frame = _read_one(path, d, problems)
        except ProjectInputError:
            raise
        except OrdosGeoError as exc:  # CRS / layer errors from io.* already name the file
            raise ProjectInputError(str(exc)) from exc
        log.info("%s: %d project(s)", path, len(frame))
        frames.append(frame)
    if not frames:
        raise ProjectInputError("no project files given; pass one or more PROJECTS paths")
    gdf = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry", crs=WORK_CRS)
    seen: dict[str, str] = {}
    dup = np.zeros(len(gdf), dtype=bool)
    for k, (pid, src, row) in enumerate(zip(gdf["id"], gdf["source_file"], gdf["source_row"],
                                            strict=True)):
        if pid in seen:
            dup[k] = True
            problems.append({"file": src, "row": row, "error": (
                f"{src}: {row}: field 'id': duplicate id {pid!r} (first in {seen[pid]}); make "
                "project ids unique (ids are compared after Unicode NFKC normalisation, without "
                "zero-width characters)")})
        else:
            seen[pid] = f"{src} {row}"
    if problems and not skip_invalid:
        shown = problems[:MAX_REPORTED_ROWS]
        more = len(problems) - len(shown)
        head = (f"{len(problems)} invalid project row(s); fix them or pass --skip-invalid to "
                "screen the rest" if len(problems) > 1 else None)
        lines = [p["error"] for p in shown] + ([f"… and {more} more"] if more else [])
        err = ProjectInputError(f"{head}: " + " | ".join(lines) if head else lines[0])
        err.problems = problems  # type: ignore[attr-defined]
        raise err
    if dup.any():
        gdf = gdf.loc[~dup].reset_index(drop=True)
    for p in problems:
        log.warning("skipped: %s", p["error"])
    if len(gdf) == 0:
        raise ProjectInputError(f"no valid project rows ({len(problems)} skipped); fix the rows")
    gdf.attrs["skipped"] = problems
    return gdf
