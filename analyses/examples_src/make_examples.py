"""Generate the bundled example proposals (``ordos_geo/data/analyses/projects/``) from layers.

Run from the repository root after the default layers change (after the new default
layers — forest, cropland, basic_farmland, basic_grassland, sand_closure,
qipanjing_mengxi — arrive, the examples must be regenerated and given positive and
negative cases for N-2b, N-2d … N-2g, N-3b and the P-5e area)::

    .venv/bin/python analyses/examples_src/make_examples.py

Each example is placed with the layers themselves (inside a zone by ≥ 100 m, or a few
hundred metres outside it, and clear of every other zone the rules use unless listed
in ``allow``), so it triggers, or narrowly misses, the rule it is written for. The
expected outcome is written by hand in the ``expect`` column: the verdict, then
``+RULE`` (must hit) and ``-RULE`` (must not hit). ``tests/test_zoning_examples.py``
screens the folder and checks every expectation. The 界址点 TXT files carry no
attributes: their expectations are in ``expected_parcels.yaml``.

Files written (a format mix, as planners send them):

- ``a_plan_points.csv`` — Chinese headers, lon/lat points (WGS84 ≈ CGCS2000).
- ``b_ledger.geojson`` — steel/coking/ferroalloy footprints, in the order the capacity
  ledger (P-8b) counts them.
- ``c_parks.xlsx`` — projects in and near industrial parks (lon/lat points).
- ``d_renewables.geojson`` — PV and wind footprints, turbines and lines.
- ``e_pv_subsidence.txt`` — 界址点 parcel with a hole on subsidence land, CGCS2000 GK
  zone of each parcel with zone prefix (e.g. EPSG:4525 for zone 37).
- ``f_pv_redline_edge.txt`` — 界址点 parcel partly in a red line (gets a fix hint).

All positions derive from illustrative layers: they are demonstrations, not real
projects.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from openpyxl import Workbook
from pyproj import Transformer
from shapely.geometry import LineString, Point, box
from shapely.ops import nearest_points

from ordos_geo.catalog import Catalog
from ordos_geo.crs import WORK_CRS, gk_epsg, gk_zone_for_lon
from ordos_geo.io.projects import to_work_crs
from ordos_geo.zoning.rules import LayerRef
from ordos_geo.zoning.zones import ZoneSource

HERE = Path(__file__).resolve().parent
#: Where the example proposals go: only project files live there, so that
#: `ordos-geo check analyses/projects/*` works.
OUT = HERE.parents[1] / "ordos_geo" / "data" / "analyses" / "projects"
RNG = np.random.default_rng(20231031)


#: New default layers (zone key -> layer id, where): examples for N-2b, N-2d … N-2g, N-3b
#: and the P-5e area are generated only when the catalog has them.
OPTIONAL: dict[str, tuple[str, dict[str, Any]]] = {
    "basic_farmland": ("basic_farmland", {}),
    "basic_grassland": ("basic_grassland", {}),
    "forest_youlin": ("forest", {"forest_type": "有林地"}),
    "forest_shrub": ("forest", {"forest_type": "灌木林地"}),
    "forest_other": ("forest", {"forest_type": "其他林地"}),
    "sand_closure": ("sand_closure", {}),
    "cropland_layer": ("cropland", {}),
    "qipanjing_area": ("qipanjing_mengxi", {}),
}


def _zones() -> dict[str, Any]:
    cat = Catalog.load()
    src = ZoneSource(cat)

    def u(layer: str, **where: Any) -> Any:
        ref = LayerRef.model_validate({"layer": layer, "where": where})
        return shapely.union_all(src.index([ref], rule_id="examples", rules_file="-").geoms)

    def lc(*classes: int) -> Any:
        ref = LayerRef.model_validate({"layer": "landcover", "classes": list(classes)})
        return shapely.union_all(src.index([ref], rule_id="examples", rules_file="-").geoms)

    z = {
        "urban": u("urban_cores"),
        "park_general": u("parks", park_kind="general", mengxi=0, qipanjing_mengxi=0),
        "park_mengxi": u("parks", mengxi=1),
        "park_qipanjing": u("parks", qipanjing_mengxi=1),
        "park_zero": u("parks", park_kind="zero_carbon"),
        "park_low": u("parks", park_kind="low_carbon_demo"),
        "red_lines": u("red_lines"), "reserves": u("nature_reserves"),
        "cu1": u("control_units", category=1), "kubuqi": u("kubuqi"), "mu_us": u("mu_us"),
        "mining": u("mining_areas"), "subsidence": u("subsidence"),
        "reclamation": u("reclamation"), "kongdui_banks": u("kongdui_banks"),
        "settlements": u("settlements").buffer(1500), "cropland": lc(12, 14),
        "barren": lc(16),
    }
    for key, (lid, where) in OPTIONAL.items():  # the new default layers, once they exist
        if lid in cat.ids:
            z[key] = u(lid, **where)
    z["city"] = shapely.union_all(to_work_crs(cat.vector("city", crs=None)).geometry.to_numpy())
    z["settlement_pts"] = u("settlements")
    return z


Z = _zones()
BANNERS = to_work_crs(Catalog.load().vector("banners", crs=None))


def banner_of(geom: Any) -> str:
    """The banner (旗区) name whose area contains ``geom``'s centroid."""
    hit = BANNERS.loc[BANNERS.contains(geom.centroid), "name_zh"]
    return str(hit.iloc[0])


def other_banner(geom: Any) -> str:
    """A banner name whose area does not touch ``geom``."""
    return str(BANNERS.loc[~BANNERS.intersects(geom.buffer(1000)), "name_zh"].iloc[0])
LAYERS = [k for k in Z if k not in ("city", "settlement_pts")]


#: Land-class layers (N-2b, N-2d … N-2g, N-3b) cover most of the city (basic grassland
#: alone 44 %): footprints are not kept clear of them, so a renewable example may land on
#: one and its expectation says so; the national examples target them on purpose.
LAND = ("basic_farmland", "basic_grassland", "forest_youlin", "forest_shrub", "forest_other",
        "sand_closure", "cropland_layer")


def _others(allow: tuple[str, ...]) -> Any:
    skip = set(allow) | set(LAND)
    return shapely.union_all([Z[k] for k in LAYERS if k not in skip])


def _sample_in(geom: Any, n: int = 4000) -> np.ndarray:
    x0, y0, x1, y1 = geom.bounds
    pts = shapely.points(RNG.uniform(x0, x1, n), RNG.uniform(y0, y1, n))
    shapely.prepare(geom)
    return pts[shapely.contains(geom, pts)]


def _square(p: Point, size: float) -> Any:
    return box(p.x - size / 2, p.y - size / 2, p.x + size / 2, p.y + size / 2)


def inside(target: str, *, allow: tuple[str, ...] = (), size: float = 200.0,
           margin: float = 300.0) -> Any:
    """A square footprint ≥ 100 m inside ``target``, ≥ ``margin`` from disallowed zones."""
    if target.startswith("park"):  # the 棋盘井/蒙西 area holds its parks
        allow = (*allow, "qipanjing_area")
    others = _others((target, *allow))
    inner = Z[target].buffer(-(size / 2 + 100))
    for p in _sample_in(inner if not inner.is_empty else Z[target]):
        fp = _square(p, size)
        if fp.buffer(margin).within(Z["city"]) and fp.buffer(margin).disjoint(others):
            return fp
    sys.exit(f"no clear spot inside {target} (allow={allow})")


def near(target: str, *, dist: float = 400.0, allow: tuple[str, ...] = (),
         size: float = 200.0, margin: float = 150.0) -> Any:
    """A square footprint about ``dist`` m outside ``target`` and clear of other zones."""
    others = _others((target, *allow))
    ring = Z[target].buffer(dist + size / 2).boundary
    for t in RNG.uniform(0, ring.length, 4000):
        fp = _square(ring.interpolate(t), size)
        if fp.within(Z["city"]) and fp.buffer(margin).disjoint(others) \
                and 0.5 * dist <= fp.distance(Z[target]) <= 2 * dist:
            return fp
    sys.exit(f"no clear spot near {target}")


def far(size: float = 200.0, margin: float = 2000.0) -> Any:
    """A footprint at least ``margin`` m from every zone."""
    allz = _others(())
    for p in _sample_in(Z["city"].buffer(-5000)):
        fp = _square(p, size)
        if fp.buffer(margin).disjoint(allz):
            return fp
    sys.exit("no clear spot far from all zones")


def crossing(target: str, *, allow: tuple[str, ...] = (), length: float = 3000.0) -> Any:
    """A straight line crossing ``target`` whose ends lie outside it."""
    others = _others((target, *allow))
    for p in _sample_in(Z[target]):
        for ang in (0.0, np.pi / 2, np.pi / 4, -np.pi / 4):
            dx, dy = np.cos(ang) * length / 2, np.sin(ang) * length / 2
            ln = LineString([(p.x - dx, p.y - dy), (p.x + dx, p.y + dy)])
            ends = [Point(ln.coords[0]), Point(ln.coords[-1])]
            if all(not Z[target].contains(e) for e in ends) and ln.buffer(200).disjoint(others):
                return ln
    sys.exit(f"no line crossing {target}")


def near_point(target: str, dist: float, *, allow: tuple[str, ...] = ()) -> Any:
    """A point ``dist`` m from the nearest feature of a point layer, clear of other zones."""
    others = _others(("settlements", *allow))
    pts = shapely.get_parts(Z[target])
    for p in pts:
        for ang in RNG.uniform(0, 2 * np.pi, 64):
            q = Point(p.x + dist * np.cos(ang), p.y + dist * np.sin(ang))
            nearest = min(q.distance(x) for x in pts)
            if abs(nearest - dist) < 1 and q.buffer(150).disjoint(others):
                return q
    sys.exit(f"no point {dist} m from {target}")


# ---------------------------------------------------------------------------- examples
ENC_RENEW = ("kubuqi", "mu_us", "mining", "subsidence", "reclamation", "kongdui_banks",
             "barren")
#: what the 沙化土地封禁保护区 lie in: the desert zones and the sand-fixation red lines
SAND = (*ENC_RENEW, "red_lines", "cu1")


def row(pid: str, name: str, industry: str, stage: str, geom: Any, expect: str,
        **attrs: Any) -> dict[str, Any]:
    return {"id": pid, "name": name, "industry": industry, "stage": stage, "expect": expect,
            "geometry": geom, **attrs}


#: heavy industries must declare direct coal firing and coal-fired kilns (missing_fields)
ND = {"direct_coal_firing": "否", "coal_fired_kiln": "否"}


def plan_points() -> list[dict[str, Any]]:
    b = {"energy_efficiency": "benchmark", **ND}
    loc = far().centroid
    return [
        row("E-P4b-1", "园区外新建煤化工", "coal_chemical", "new", far().centroid,
            "prohibited +P-4b +P-5f +P-6e", **b),
        row("E-P4c-1", "园区外煤化工扩建", "coal_chemical", "expansion", far().centroid,
            "prohibited +P-4c"),
        row("E-P4c-3", "园区外煤化工技改(不新增产能)", "coal_chemical", "技改", far().centroid,
            "compliant -P-4c -P-5f -P-6e"),
        row("E-P4c-4", "园区外甲醇技改(新增产能)", "甲醇", "技改", far().centroid,
            "prohibited +P-4c +P-5f", added_capacity="20万吨/年"),
        row("E-P5a-1", "新建铁合金", "ferroalloy", "new", far().centroid, "prohibited +P-5a",
            capacity=5, unit="万吨", **b),
        row("E-P5a-2", "超高功率石墨电极", "graphite_electrode_uhp", "new", far().centroid,
            "compliant -P-5a", **ND),
        row("E-P5a-3", "铁合金技改(不新增产能)", "铁合金", "技改", far().centroid,
            "compliant -P-5a", added_capacity=0, unit="万吨", **ND),
        row("E-P5a-4", "普通平板玻璃扩建", "普通平板玻璃", "扩建", far().centroid,
            "prohibited +P-5a", added_capacity="30万吨/年", capacity_replacement="是", **ND),
        row("E-P5a-5", "平板玻璃(未说明普通)扩建", "平板玻璃", "扩建", far().centroid,
            "compliant -P-5a", added_capacity="30万吨/年", capacity_replacement="是", **ND),
        row("E-P5d-1", "新建煤电(能效基准)", "coal_power", "new", far().centroid,
            "restricted +P-5d", capacity=66, unit="万千瓦", energy_efficiency="baseline"),
        row("E-P5d-2", "新建煤电(能效标杆)", "coal_power", "new", far().centroid,
            "restricted -P-5d +P-5f +P-6e", capacity=66, unit="万千瓦", **b),
        row("E-P5d-3", "新建煤电(未申报能效)", "coal_power", "new", far().centroid,
            "restricted +P-5d +P-5f", capacity="66万千瓦", **ND),
        row("E-P6a-1", "新建燃煤自备电厂", "captive_coal_power", "new", far().centroid,
            "prohibited +P-6a", capacity=350, unit="MW", **b),
        row("E-P6a-2", "燃煤自备电厂搬迁", "captive_coal_power", "relocation", far().centroid,
            "prohibited +P-6a", capacity=350, unit="MW", **b),
        row("E-P6a-3", "燃煤自备电厂续建", "captive_coal_power", "续建", far().centroid,
            "compliant -P-6a", capacity=350, unit="MW", **b),
        row("E-P6b-1", "配套直燃煤设施", "other", "new", far().centroid, "prohibited +P-6b",
            direct_coal_firing="是"),
        row("E-P6b-2", "无直燃煤设施", "other", "new", far().centroid, "compliant -P-6b",
            direct_coal_firing="否"),
        row("E-P5f-1", "煤电技改(不新增产能)", "coal_power", "upgrade", far().centroid,
            "compliant -P-5f -P-6e", capacity=200, unit="MW", **b),
        row("E-P6e-1", "新增用煤项目", "other", "new", far().centroid, "restricted +P-6e",
            uses_coal="是"),
        row("E-P6e-2", "不用煤项目", "other", "new", far().centroid, "compliant -P-6e",
            uses_coal="否"),
        row("E-P6f-1", "燃煤炉窑光伏玻璃", "pv_glass", "new", far().centroid,
            "restricted +P-6f", direct_coal_firing="否", coal_fired_kiln="是"),
        row("E-P6f-2", "清洁能源炉窑光伏玻璃", "pv_glass", "new", far().centroid,
            "compliant -P-6f", **ND),
        row("E-P6f-3", "未申报炉窑燃料的光伏玻璃", "pv_glass", "new", far().centroid,
            "needs_information +P-6f", direct_coal_firing="否"),
        row("E-P9a-1", "煤矿(未申报铁路专用线)", "coal_mining", "new", far().centroid,
            "needs_information +P-9a", annual_bulk_freight_mt=2.0),
        row("E-P9a-3", "煤矿(无铁路专用线)", "coal_mining", "new", far().centroid,
            "review +P-9a", annual_bulk_freight_mt=2.0, rail_spur="否"),
        row("E-P9a-2", "煤矿(有铁路专用线)", "coal_mining", "new", far().centroid,
            "compliant -P-9a", annual_bulk_freight_mt=2.0, rail_spur="是"),
        row("E-P12a-1", "保护区内制氢", "hydrogen", "new", inside("reserves", allow=("cu1",
            "red_lines", "barren", "cropland")).centroid, "prohibited +P-12a +P-4e"),
        row("E-P12a-2", "保护区外制氢", "hydrogen", "new",
            near("reserves", allow=("barren", "cropland")).centroid, "compliant -P-12a"),
        row("E-P12a-3", "保护区内生态修复", "生态修复", "new", inside("reserves", allow=(
            "cu1", "red_lines", "barren", "cropland")).centroid, "review -P-12a +P-4e"),
        row("E-LOC-1", "坐标与旗区不符", "other", "new", loc, "review +LOC-1",
            banner=other_banner(loc)),
        row("E-LOC-2", "坐标与旗区相符", "other", "new", loc, "compliant -LOC-1",
            banner=banner_of(loc)),
        row("E-XSS", "<script>alert(1)</script>", "other", "new", far().centroid,
            "compliant"),
    ]


def ledger_rows() -> list[dict[str, Any]]:
    reseed(2)
    # Counted by declared date, then id (none is dated here): steel existing 80
    # (illustrative ledger) + 5 + 5 + 2 + 2 + 2 = 96; +10 -> 106 > 100 is flagged and not
    # added; +4 -> 100 fits exactly; an expansion without added_capacity cannot be
    # counted; 8 new with 10 retired (减量置换) nets -2.
    s = {"energy_efficiency": "benchmark", "capacity_replacement": True, "unit": "万吨", **ND}
    return [
        row("E-P4a-1", "主城区新建钢铁", "steel", "new", inside("urban", allow=(
            "park_general", "park_zero", "cu1", "cropland", "barren"), margin=100),
            "prohibited +P-4a", capacity=5, **s),
        row("E-P4a-2", "主城区外新建钢铁", "steel", "new", near("urban"), "compliant -P-4a",
            capacity=5, **s),
        row("E-P5b-1", "钢铁扩建(无置换)", "steel", "expansion", far(), "restricted +P-5b",
            capacity=12, added_capacity=2, unit="万吨", capacity_replacement=False, **ND),
        row("E-P5b-2", "钢铁扩建(等量置换)", "steel", "expansion", far(), "compliant -P-5b",
            capacity=12, added_capacity=2, **s),
        row("E-P5b-3", "钢铁扩建(未申报置换)", "steel", "expansion", far(),
            "needs_information +P-5b", capacity=12, added_capacity=2, unit="万吨", **ND),
        # the 2025 cap: the target year has passed, so a breach is review, not prohibited
        row("E-P8b-1", "钢铁超上限", "steel", "new", far(), "review +P-8b", capacity=10,
            **s),
        row("E-P8b-2", "钢铁恰好达上限", "steel", "new", far(), "compliant -P-8b", capacity=4,
            **s),
        row("E-P8b-3", "钢铁扩建(未申报新增产能)", "steel", "expansion", far(),
            "needs_information +P-8b", capacity=20, **s),
        row("E-P8b-4", "钢铁减量置换(净减少)", "steel", "new", far(), "compliant -P-8b",
            capacity=8, replaced_capacity=10, **s),
    ]


def park_rows() -> list[dict[str, Any]]:
    reseed(3)
    b = {"energy_efficiency": "benchmark", **ND}
    ok = ("cu1", "cropland", "barren", "urban", "mining", "subsidence", "reclamation")
    return [
        row("E-P4b-2", "园区内新建煤化工", "coal_chemical", "new",
            inside("park_general", allow=ok).centroid, "restricted -P-4b +P-5f", **b),
        row("E-P4c-2", "园区内煤化工扩建", "coal_chemical", "expansion",
            inside("park_general", allow=ok).centroid, "restricted -P-4c +P-5f"),
        row("E-P4d-1", "蒙西产业园新建煤化工", "coal_chemical", "new",
            inside("park_mengxi", allow=("park_qipanjing", *ok)).centroid,
            "prohibited +P-4d", **b),
        row("E-P4d-2", "蒙西产业园制氢", "hydrogen", "new",
            inside("park_mengxi", allow=("park_qipanjing", *ok)).centroid, "compliant -P-4d"),
        row("E-P4d-3", "焦化厂搬迁入蒙西产业园", "焦炭(兰炭)", "搬迁",
            inside("park_mengxi", allow=("park_qipanjing", *ok)).centroid, "prohibited +P-4d",
            **b),
        row("E-P5c-1", "园区内炼油扩建(未纳入规划)", "refining", "expansion",
            inside("park_general", allow=ok).centroid, "restricted +P-5c +P-5f -P-4c"),
        row("E-P5c-2", "园区内炼油扩建(已纳入规划)", "refining", "expansion",
            inside("park_general", allow=ok).centroid, "restricted -P-5c +P-5f",
            in_national_plan="是"),
        row("E-P5c-3", "园区内新建对二甲苯(未纳入规划)", "对二甲苯(PX)", "new",
            inside("park_general", allow=ok).centroid, "prohibited +P-5c",
            in_national_plan="否", **b),
        row("E-P5e-1", "棋盘井电解铝", "electrolytic_aluminium", "new",
            inside("park_qipanjing", allow=("park_mengxi", *ok)).centroid, "restricted +P-5e",
            capacity_replacement="是", **b),
        row("E-P5e-2", "棋盘井光伏玻璃", "pv_glass", "new",
            inside("park_qipanjing", allow=("park_mengxi", *ok)).centroid, "compliant -P-5e",
            **ND),
        row("E-P8a-1", "园区内新建焦化(无置换)", "coking", "new",
            inside("park_general", allow=ok).centroid, "restricted +P-8a", capacity=10,
            unit="万吨", **b),
        row("E-P8a-2", "园区内新建焦化(减量置换)", "coking", "new",
            inside("park_general", allow=ok).centroid, "restricted -P-8a +P-6e", capacity=10,
            unit="万吨", capacity_replacement="是", **b),
        row("E-P19a-1", "零碳产业园储能", "storage", "new",
            inside("park_zero", allow=ok).centroid, "review +P-19a"),
        row("E-P19a-2", "一般园区储能", "storage", "new",
            inside("park_general", allow=ok).centroid, "compliant -P-19a -P-19b"),
        row("E-P19b-1", "低碳示范园区储能", "storage", "new",
            inside("park_low", allow=ok).centroid, "review +P-19b"),
        row("E-P19a-3", "零碳产业园配套光伏", "pv", "new",
            inside("park_zero", allow=ok).centroid, "compliant -P-19a"),
    ]


def reseed(group: int) -> None:
    """Restart the sampler for one group of examples: a group's positions do not move
    when another group gains a row."""
    RNG.bit_generator.state = np.random.default_rng(20231031 + group).bit_generator.state


def renewable_rows() -> list[dict[str, Any]]:
    reseed(4)
    return [
        row("E-P6d-1", "库布其光伏", "pv", "new", inside("kubuqi", allow=ENC_RENEW, size=500),
            "restricted +P-6d +N-2f", capacity=50, unit="MW"),
        row("E-P6d-2", "库布其边外光伏", "pv", "new", near("kubuqi", allow=("barren",)),
            "compliant -P-6d", capacity=10, unit="MW"),
        row("E-P15a-1", "排土场光伏", "pv", "new",
            inside("reclamation", allow=("mining", "subsidence", "barren")),
            "compliant +P-15a +P-6d", capacity=20, unit="MW"),
        row("E-P15a-2", "排土场储能", "storage", "new",
            inside("reclamation", allow=("mining", "subsidence", "barren")),
            "compliant -P-15a"),
        row("E-N1a-1", "红线内光伏方阵", "pv", "new",
            inside("red_lines", allow=("cu1", *ENC_RENEW), size=200, margin=200),
            "prohibited +N-1a +P-12a"),
        row("E-N1b-1", "穿越红线的送出线路", "pv", "new",
            crossing("red_lines", allow=("cu1", "cropland", *ENC_RENEW)),
            "review +N-1b +P-4e +N-2h -N-2b -N-1a -P-12a", component="line"),
        row("E-N1b-2", "远离红线的送出线路", "pv", "new", far().boundary,
            "review +N-2h -N-2b -N-1b -P-4e", component="line"),
        row("E-N2a-1", "耕地像元上的光伏", "pv", "new",
            inside("cropland", allow=("barren",), size=300, margin=300),
            "prohibited +N-2a +N-2b +N-2g"),
        row("E-N2a-2", "耕地像元外的光伏", "pv", "new",
            near("cropland", dist=400, allow=()), "prohibited +N-2b +N-2g -N-2a -N-2c"),
        row("E-N2c-1", "荒漠(裸地)光伏", "pv", "new",
            inside("barren", allow=ENC_RENEW, size=300), "compliant +N-2c"),
        row("E-N3a-1", "保护区内风机", "wind", "new",
            inside("reserves", allow=("cu1", "red_lines", *ENC_RENEW, "cropland")).centroid,
            "prohibited +N-3a +P-12a"),
        row("E-N3a-2", "保护区外风机", "wind", "new",
            near("reserves", dist=600, allow=(*ENC_RENEW, "cropland")).centroid,
            "compliant -N-3a"),
        row("E-W1-1", "距居民点300米风机", "wind", "new",
            near_point("settlement_pts", 300, allow=("urban", "cu1", "cropland", *ENC_RENEW)),
            "review +W-1"),
        row("E-W1-2", "距居民点800米风机", "wind", "new",
            near_point("settlement_pts", 800, allow=("urban", "cu1", "cropland", *ENC_RENEW)),
            "compliant -W-1"),
    ]


def national_rows() -> list[dict[str, Any]]:
    """Examples on the new default layers (none while the catalog lacks them)."""
    reseed(5)
    out: list[dict[str, Any]] = []
    have = set(Z)
    crop = ("cropland", "cropland_layer", "barren")
    if {"basic_farmland", "cropland_layer"} <= have:
        out += [row("E-N2b-1", "基本农田上的光伏", "pv", "new",
                    inside("basic_farmland", allow=crop), "prohibited +N-2b -N-2h"),
                row("E-N2b-2", "基本农田上的风机", "wind", "new",
                    inside("basic_farmland", allow=crop).centroid, "compliant -N-2b")]
    if "sand_closure" in have:
        out += [row("E-N2d-1", "封禁保护区内光伏", "pv", "new",
                    inside("sand_closure", allow=SAND), "prohibited +N-2d"),
                # the closure areas lie inside sand-fixation red lines: the turbine is
                # prohibited by the red line (N-1a), not by the PV-only N-2d
                row("E-N2d-2", "封禁保护区内风机", "wind", "new",
                    inside("sand_closure", allow=SAND).centroid, "prohibited -N-2d +N-1a")]
    if {"forest_youlin", "forest_shrub"} <= have:
        out += [row("E-N2e-1", "有林地上的光伏方阵", "pv", "new",
                    inside("forest_youlin", allow=ENC_RENEW), "prohibited +N-2e -N-2f"),
                row("E-N2f-1", "灌木林地上的光伏方阵", "pv", "new",
                    inside("forest_shrub", allow=ENC_RENEW), "restricted -N-2e +N-2f"),
                row("E-N3b-1", "有林地上的风机", "wind", "new",
                    inside("forest_youlin", allow=ENC_RENEW).centroid, "restricted +N-3b"),
                row("E-N3b-2", "灌木林地上的风机", "wind", "new",
                    inside("forest_shrub", allow=ENC_RENEW).centroid, "compliant -N-3b")]
    if "cropland_layer" in have:
        out += [row("E-N2g-1", "耕地上的光伏方阵", "pv", "new",
                    inside("cropland_layer", allow=("cropland", "barren")), "prohibited +N-2g"),
                row("E-N2g-2", "穿越耕地的集电线路", "pv", "new",
                    inside("cropland_layer", allow=("cropland", "barren")).boundary,
                    "review +N-2h -N-2b -N-2g", component="line")]
    if "qipanjing_area" in have:
        out += [row("E-P5e-3", "棋盘井蒙西地区园区外钢铁", "steel", "new",
                    inside("qipanjing_area", allow=("cropland", "barren", "mining", "subsidence",
                                                "reclamation", "settlements"),
                           margin=100).centroid,
                    "restricted +P-5e", capacity_replacement="是", energy_efficiency="benchmark",
                    **ND)]
    return out


def _lonlat(rows: list[dict[str, Any]]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=WORK_CRS).to_crs(4326)


def _write_coordfile(path: Path, parcel_id: str, name: str, poly: Any) -> None:
    """界址点 TXT in the CGCS2000 3° GK zone of the parcel, with zone prefix; X north, Y east."""
    lon = Transformer.from_crs(WORK_CRS, "EPSG:4326", always_xy=True).transform(
        poly.centroid.x, poly.centroid.y)[0]
    zone = gk_zone_for_lon(lon)
    tr = Transformer.from_crs(WORK_CRS, gk_epsg(zone, prefixed=True), always_xy=True)
    rings = [poly.exterior, *poly.interiors]
    pts: list[str] = []
    k = 1
    for ring_no, ring in enumerate(rings, start=1):
        for x, y in ring.coords:
            e, n = tr.transform(x, y)
            pts.append(f"J{k},{ring_no},{n:.3f},{e:.3f}")
            k += 1
    area_ha = poly.area / 1e4
    # [项目信息] carries what the coordinate rows cannot: the project's name and its
    # 建设性质 (new/expansion/relocation), read by ordos_geo.io.projects.
    text = ["[项目信息]", f"项目名称={name}", "建设性质=新建", "行业=光伏",
            "[属性描述]", "坐标系=2000国家大地坐标系", "几度分带=3", "投影类型=高斯克吕格",
            "计量单位=米", f"带号={zone}", "精度=0.001", "转换参数=,,,,,,", "[地块坐标]",
            f"{len(pts)},{area_ha:.4f},{parcel_id},{name},面,,光伏用地,,@", *pts]
    path.write_bytes(("\r\n".join(text) + "\r\n").encode("gbk"))


def main() -> None:
    pts = _lonlat(plan_points())
    pts["经度"], pts["纬度"] = pts.geometry.x.round(6), pts.geometry.y.round(6)
    cols = {"id": "项目编号", "name": "项目名称", "industry": "行业", "stage": "阶段",
            "capacity": "产能", "unit": "单位", "added_capacity": "新增产能",
            "banner": "旗区", "expect": "expect"}
    pts.drop(columns="geometry").rename(columns=cols).to_csv(
        OUT / "a_plan_points.csv", index=False, encoding="utf-8-sig")

    _lonlat(ledger_rows()).to_file(OUT / "b_ledger.geojson", driver="GeoJSON")

    parks = _lonlat(park_rows())
    parks["经度"], parks["纬度"] = parks.geometry.x.round(6), parks.geometry.y.round(6)
    table = parks.drop(columns="geometry").rename(columns=cols)
    wb = Workbook()
    ws = wb.active
    ws.title = "projects"
    ws.append(list(table.columns))
    for rec in table.itertuples(index=False):
        ws.append([None if (isinstance(v, float) and np.isnan(v)) else v for v in rec])
    wb.save(OUT / "c_parks.xlsx")

    _lonlat(renewable_rows()).to_file(OUT / "d_renewables.geojson", driver="GeoJSON")

    sub = inside("subsidence", allow=("mining", "reclamation", "barren", "cropland"),
                 size=600, margin=200)
    c = sub.centroid
    hole = box(c.x - 40, c.y - 40, c.x + 40, c.y + 40)
    _write_coordfile(OUT / "e_pv_subsidence.txt", "JZD-SUB-01", "沉陷区光伏复合项目地块",
                     sub.difference(hole))
    # a parcel straddling a red-line edge: half inside -> prohibited, fix hint = other half
    line = crossing("red_lines", allow=("cu1", "cropland", *ENC_RENEW), length=800)
    edge = Point(line.coords[0])
    inner = nearest_points(Z["red_lines"].boundary, edge)[0]
    parcel = box(inner.x - 150, inner.y - 150, inner.x + 150, inner.y + 150)
    _write_coordfile(OUT / "f_pv_redline_edge.txt", "JZD-RL-01", "跨红线光伏地块", parcel)
    (HERE / "expected_parcels.yaml").write_text(
        "# Expected outcomes of the 界址点 examples (TXT files carry no attributes).\n"
        "JZD-SUB-01: compliant +P-15a +P-6d\n"
        "JZD-RL-01: prohibited +N-1a +P-12a\n", encoding="utf-8")
    national = national_rows()  # last: the other groups' positions do not depend on it
    if national:
        _lonlat(national).to_file(OUT / "g_national_layers.geojson", driver="GeoJSON")
    print("wrote examples to", OUT)


if __name__ == "__main__":
    main()
