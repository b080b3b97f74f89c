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
    "PROJECT_COLUMNS",
    "STAGES",
    "ProjectDefaults",
    "read_projects",
    "to_work_crs",
]

log = logging.getLogger(__name__)

#: Industry vocabulary: id -> Chinese names/aliases accepted in input files.
#: Sets over it (heavy_chemical, two_high …) live in ``analyses/zoning_rules.yaml``.
INDUSTRIES: dict[str, tuple[str, ...]] = {
    "pv": ("光伏", "光伏发电", "光伏电站", "光伏用地", "太阳能发电"),
    "wind": ("风电", "风力发电", "风电场", "风电用地"),
    "storage": ("储能",),
    "hydrogen": ("氢能", "制氢", "绿氢"),
    "steel": ("钢铁", "炼钢"),
    "ferroalloy": ("铁合金", "硅铁", "硅锰"),
    "calcium_carbide": ("电石",),
    "pvc_carbide": ("电石法pvc", "电石法聚氯乙烯"),
    "cement_clinker": ("水泥", "水泥熟料", "熟料"),
    "graphite_electrode": ("石墨电极", "普通功率石墨电极", "高功率石墨电极"),
    "graphite_electrode_uhp": ("超高功率石墨电极",),
    "flat_glass": ("平板玻璃", "普通平板玻璃"),
    "pv_glass": ("光伏玻璃",),
    "electrolytic_aluminium": ("电解铝",),
    "coking": ("焦化", "焦炭", "兰炭"),
    "coal_chemical": ("煤化工", "现代煤化工"),
    "petrochemical": ("石化", "石油化工"),
    "refining": ("炼油",),
    "ethylene": ("乙烯",),
    "px": ("对二甲苯",),
    "coal_to_olefins": ("煤制烯烃",),
    "synthetic_ammonia": ("合成氨", "尿素"),
    "coal_power": ("煤电", "燃煤发电", "火电", "燃煤热电"),
    "captive_coal_power": ("燃煤自备电厂", "自备电厂"),
    "coal_mining": ("煤矿", "煤炭开采"),
    "logistics": ("物流园区", "物流"),
    "other": ("其他",),
}
#: Project stages and their Chinese names.
STAGES: dict[str, tuple[str, ...]] = {
    "new": ("新建",),
    "expansion": ("扩建", "改扩建", "改建", "技改", "扩能"),
    "relocation": ("搬迁", "迁建", "异地搬迁"),
}
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
    "capacity_10kt", "in_national_plan", "capacity_replacement", "energy_efficiency",
    "direct_coal_firing", "annual_bulk_freight_mt", "rail_spur", "component", "expect",
    "source_file", "source_row",
)

_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "project_id", "项目编号", "编号", "项目代码", "parcel_id", "地块编号"),
    "name": ("name", "project_name", "项目名称", "名称", "地块名称"),
    "industry": ("industry", "行业", "行业类别", "产业"),
    "stage": ("stage", "阶段", "建设性质", "建设阶段"),
    "capacity": ("capacity", "产能", "规模", "建设规模", "装机容量", "装机规模"),
    "capacity_unit": ("capacity_unit", "unit", "单位", "产能单位", "规模单位"),
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
_BOOL_FIELDS = ("in_national_plan", "capacity_replacement", "direct_coal_firing", "rail_spur")
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


def _norm(text: Any) -> str:
    return re.sub(r"[\s()（）\[\]【】/]+", "", str(text)).lower()


def _lookup(value: Any, table: Mapping[str, Sequence[str]]) -> str | None:
    """Return the vocabulary id for ``value`` (id itself or a Chinese alias), else None."""
    key = _norm(value)
    for vid, aliases in table.items():
        if key == _norm(vid) or any(key == _norm(a) for a in aliases):
            return vid
    return None


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
    if _is_missing(value):
        return None
    if isinstance(value, bool | np.bool_):
        return bool(value)
    key = _norm(value)
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise row.fail(fld, f"not a yes/no value ({str(value)[:40]!r})", "use true/false or 是/否")


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


def _clean_geometry(geom: Any, row: _Row) -> Any:
    if geom is None or (isinstance(geom, float) and math.isnan(geom)):
        raise row.fail("geometry", "missing geometry",
                       "give coordinates (经度/纬度, WKT) or a shape")
    if shapely.is_empty(geom):
        raise row.fail("geometry", "empty geometry", "give coordinates or a shape")
    geom = shapely.force_2d(geom)
    if not shapely.is_valid(geom):
        geom = shapely.make_valid(geom)
    if geom.geom_type == "GeometryCollection":
        polys = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
        geom = shapely.union_all(polys) if polys else geom
    return geom


def _normalise_frame(
    gdf: gpd.GeoDataFrame,
    shown: str,
    row_labels: Sequence[str],
    defaults: ProjectDefaults,
    *,
    id_prefix: str,
    industry_hint: Sequence[Any] | None = None,
) -> gpd.GeoDataFrame:
    """Turn one file's rows into the project schema (geometry stays in the file's CRS)."""
    df = _rename_columns(pd.DataFrame(gdf.drop(columns="geometry")))
    records: list[dict[str, Any]] = []
    geoms: list[Any] = []
    vocab = ", ".join(INDUSTRIES)
    for i in range(len(df)):
        src = df.iloc[i]
        row = _Row(shown, row_labels[i])

        def get(name: str, _src: pd.Series = src) -> Any:
            val = _src.get(name) if name in _src.index else None
            if _is_missing(val):
                val = defaults.attributes.get(name)
            return None if _is_missing(val) else val

        rec: dict[str, Any] = {}
        pid = get("id")
        rec["id"] = str(pid).strip() if pid is not None else f"{id_prefix}-{i + 1}"
        if isinstance(pid, float) and pid.is_integer():
            rec["id"] = str(int(pid))
        name = get("name")
        rec["name"] = str(name) if name is not None else rec["id"]

        raw_ind = get("industry")
        ind = _lookup(raw_ind, INDUSTRIES) if raw_ind is not None else None
        if raw_ind is not None and ind is None:
            raise row.fail("industry", f"unknown industry {str(raw_ind)[:40]!r} (valid: {vocab})",
                           "use one of the valid values or a Chinese name such as 光伏")
        if ind is None and industry_hint is not None and industry_hint[i] is not None:
            ind = _match_use(industry_hint[i])
        if ind is None and defaults.industry is not None:
            ind = _lookup(defaults.industry, INDUSTRIES)
            if ind is None:
                raise row.fail("industry", f"unknown --industry {defaults.industry!r} "
                               f"(valid: {vocab})", "pass a valid --industry")
        if ind is None:
            raise row.fail("industry", "missing", "add an industry column or pass --industry")
        rec["industry"] = ind

        raw_stage = get("stage") or defaults.stage
        if raw_stage is None:
            raise row.fail("stage", "missing", "add a stage column (new/expansion/relocation) "
                           "or pass --stage")
        stage = _lookup(raw_stage, STAGES)
        if stage is None:
            raise row.fail("stage", f"unknown stage {str(raw_stage)[:40]!r} (valid: "
                           f"{', '.join(STAGES)})",
                           "use new, expansion or relocation (新建/扩建/搬迁)")
        rec["stage"] = stage

        cap = _to_float(get("capacity"), row, "capacity")
        if cap is None and defaults.capacity is not None:
            cap = float(defaults.capacity)
        if cap is not None and cap < 0:
            raise row.fail("capacity", f"negative capacity ({cap:g})", "capacity must be ≥ 0")
        unit = get("capacity_unit") or (defaults.capacity_unit if cap is not None else None)
        rec["capacity"], rec["capacity_unit"] = cap, (str(unit) if unit is not None else None)
        rec["capacity_mw"], rec["capacity_10kt"] = np.nan, np.nan
        if cap is not None:
            if unit is None:
                raise row.fail("capacity_unit", "capacity given without a unit",
                               "add a unit column (MW, 万千瓦, 万吨 …) or pass --unit")
            kind = _unit_factor(str(unit))
            if kind is None:
                raise row.fail("capacity_unit", f"unknown unit {str(unit)[:30]!r} (valid: "
                               f"{', '.join(list(_POWER_UNITS) + list(_MASS_UNITS))})",
                               "use a power unit (MW) or a mass-per-year unit (万吨)")
            rec["capacity_mw" if kind[0] == "power" else "capacity_10kt"] = cap * kind[1]

        for b in _BOOL_FIELDS:
            rec[b] = _to_bool(get(b), row, b)
        eff = get("energy_efficiency")
        rec["energy_efficiency"] = None
        if eff is not None:
            rec["energy_efficiency"] = _lookup(eff, EFFICIENCY)
            if rec["energy_efficiency"] is None:
                raise row.fail("energy_efficiency", f"unknown level {str(eff)[:30]!r} (valid: "
                               f"{', '.join(EFFICIENCY)})", "use benchmark/advanced/baseline")
        freight = _to_float(get("annual_bulk_freight_mt"), row, "annual_bulk_freight_mt")
        if freight is None:
            f10 = _to_float(get("annual_bulk_freight_10kt"), row, "annual_bulk_freight_10kt")
            freight = f10 / 100.0 if f10 is not None else None
        if freight is not None and freight < 0:
            raise row.fail("annual_bulk_freight_mt", f"negative freight ({freight:g})",
                           "must be ≥ 0")
        rec["annual_bulk_freight_mt"] = np.nan if freight is None else freight
        comp = get("component") or defaults.component
        if comp is not None:
            cid = _lookup(comp, COMPONENTS)
            if cid is None:
                raise row.fail("component", f"unknown component {str(comp)[:30]!r} (valid: "
                               f"{', '.join(COMPONENTS)})",
                               "use array, turbine, substation, road or line")
            comp = cid
        elif ind == "pv":
            comp = "array"  # the main works of a PV project when nothing else is declared
        elif ind == "wind":
            comp = "turbine"
        rec["component"] = comp
        exp = get("expect")
        rec["expect"] = str(exp) if exp is not None else None
        rec["source_file"], rec["source_row"] = shown, row_labels[i]
        geoms.append(_clean_geometry(gdf.geometry.iloc[i], row))
        records.append(rec)
    out = gpd.GeoDataFrame(records, columns=list(PROJECT_COLUMNS),
                           geometry=gpd.GeoSeries(geoms, crs=gdf.crs), crs=gdf.crs)
    for b in (*_BOOL_FIELDS, "energy_efficiency", "component", "expect", "capacity_unit"):
        out[b] = out[b].astype(object)  # keep True/False/None, never numpy bools or NaN
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


def _read_one(path: Path, defaults: ProjectDefaults) -> gpd.GeoDataFrame:
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
        gdf = read_points_table(path, crs=defaults.crs)
        # the row in the file as the user sees it (blank rows were skipped by the reader)
        rows = (gdf["source_row"].tolist() if "source_row" in gdf.columns
                else [i + 2 for i in range(len(gdf))])
        labels = [f"row {r}" for r in rows]
    elif suffix in _VECTOR:
        gdf = _read_vector_file(path, defaults)
        labels = [f"feature {i + 1}" for i in range(len(gdf))]
    else:
        raise ProjectInputError(
            f"{shown}: unsupported project file type '{suffix}' (supported: "
            f"{', '.join(sorted(_VECTOR | {'.csv', '.xlsx', '.txt'}))}); convert the file"
        )
    if gdf.crs is None:
        raise ProjectInputError(f"{shown}: no coordinate reference system; pass --crs "
                                "(e.g. EPSG:4490 or EPSG:4525)")
    if len(gdf) == 0:
        raise ProjectInputError(f"{shown}: no projects in the file; check the file or layer")
    out = _normalise_frame(gdf, shown, labels, defaults, id_prefix=path.stem, industry_hint=hint)
    return to_work_crs(out)


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

    Returns
    -------
    geopandas.GeoDataFrame
        Columns :data:`PROJECT_COLUMNS`; geometry in :data:`~ordos_geo.crs.WORK_CRS`
        (metres, equal-area). ``capacity_mw`` is MW for power units, ``capacity_10kt``
        is 万吨 per year for mass units; ``annual_bulk_freight_mt`` is million tonnes
        per year. Rows keep input order (file order, then row order).

    Raises
    ------
    ProjectInputError
        One line naming the file, the row and the field: unknown industry (lists the
        vocabulary), bad stage, negative capacity, duplicate id, missing geometry …
    """
    if defaults is None:
        d = ProjectDefaults()
    elif isinstance(defaults, ProjectDefaults):
        d = defaults
    else:
        d = ProjectDefaults(**dict(defaults))
    frames: list[gpd.GeoDataFrame] = []
    for path in _expand(paths):
        try:
            frame = _read_one(path, d)
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
    for pid, src, row in zip(gdf["id"], gdf["source_file"], gdf["source_row"], strict=True):
        if pid in seen:
            raise ProjectInputError(f"{src}: {row}: field 'id': duplicate id {pid!r} (first in "
                                    f"{seen[pid]}); make project ids unique")
        seen[pid] = f"{src} {row}"
    return gdf
