"""Screening engine: every default rule hit and narrowly missed on a synthetic world.

The world (``ordos_geo.zoning.synthetic``) has 1 km boxes per layer in EPSG:4545; each
case places a project inside a zone or a few metres outside it, or changes the
industry, stage or a declared attribute. All cases are screened in one run against
the shipped ``analyses/zoning_rules.yaml``.
"""

from __future__ import annotations

import datetime as dt
import functools
import tempfile
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString, Point

from ordos_geo.catalog import Catalog
from ordos_geo.crs import WORK_CRS
from ordos_geo.errors import RuleError
from ordos_geo.io.projects import PROJECT_COLUMNS, adds_capacity
from ordos_geo.zoning import M2_PER_MU, load_rules, screen
from ordos_geo.zoning.ledger import read_ledger
from ordos_geo.zoning.synthetic import ORIGIN, WORLD_CRS, build_world, wbox
from ordos_geo.zoning.zones import ZoneSource


def sq(x: float, y: float, s: float = 100.0) -> shapely.Polygon:
    """Square of side ``s`` m with lower-left (x, y) in local world metres."""
    return wbox(x, y, x + s, y + s)


def pt(x: float, y: float) -> Point:
    return Point(ORIGIN[0] + x, ORIGIN[1] + y)


def line(x0: float, y0: float, x1: float, y1: float) -> LineString:
    return LineString([(ORIGIN[0] + x0, ORIGIN[1] + y0), (ORIGIN[0] + x1, ORIGIN[1] + y1)])


FAR = sq(15000, 15000)  # touches no zone

# (case id, rule id, expected hit, geometry, attributes)
CASES: list[tuple[str, str, bool, Any, dict[str, Any]]] = [
    ("core-steel", "P-4a", True, sq(450, 450), {"industry": "steel"}),
    ("core-steel-3m-out", "P-4a", False, wbox(1003, 450, 1103, 550), {"industry": "steel"}),
    ("core-steel-3m-in", "P-4a", True, wbox(997, 450, 1097, 550), {"industry": "steel"}),
    ("core-pv", "P-4a", False, sq(450, 450), {"industry": "pv"}),
    ("core-steel-expansion", "P-4a", False, sq(450, 450),
     {"industry": "steel", "stage": "expansion"}),
    ("chem-in-park", "P-4b", False, sq(2450, 450), {"industry": "coal_chemical"}),
    ("chem-3m-over-park-edge", "P-4b", True, wbox(2903, 450, 3003, 550),
     {"industry": "coal_chemical"}),
    ("chem-far", "P-4b", True, FAR, {"industry": "coal_chemical"}),
    ("pv-outside-park", "P-4b", False, FAR, {"industry": "pv"}),
    ("chem-exp-outside", "P-4c", True, FAR, {"industry": "coal_chemical", "stage": "expansion"}),
    ("chem-exp-inside", "P-4c", False, sq(2450, 450),
     {"industry": "coal_chemical", "stage": "expansion"}),
    ("chem-mengxi", "P-4d", True, sq(4450, 450), {"industry": "coal_chemical"}),
    ("chem-general-park", "P-4d", False, sq(2450, 450), {"industry": "coal_chemical"}),
    ("unit1", "P-4e", True, sq(4450, 2450), {"industry": "other"}),
    ("unit1-3m-out", "P-4e", False, wbox(5003, 2450, 5103, 2550), {"industry": "other"}),
    ("unit3", "P-4e", False, sq(6450, 2450), {"industry": "other"}),
    ("ferroalloy", "P-5a", True, FAR, {"industry": "ferroalloy"}),
    ("graphite-uhp", "P-5a", False, FAR, {"industry": "graphite_electrode_uhp"}),
    ("ferroalloy-relocation", "P-5a", False, FAR,
     {"industry": "ferroalloy", "stage": "relocation"}),
    ("cement-no-replacement", "P-5b", True, FAR, {"industry": "cement_clinker"}),
    ("cement-replacement", "P-5b", False, FAR,
     {"industry": "cement_clinker", "capacity_replacement": True}),
    ("refining-exp", "P-5c", True, FAR, {"industry": "refining", "stage": "expansion"}),
    ("refining-in-plan", "P-5c", False, FAR,
     {"industry": "refining", "stage": "expansion", "in_national_plan": True}),
    ("ethylene-new", "P-5c", True, FAR, {"industry": "ethylene"}),
    ("ethylene-exp", "P-5c", False, FAR, {"industry": "ethylene", "stage": "expansion"}),
    ("2high-baseline", "P-5d", True, FAR,
     {"industry": "coal_chemical", "energy_efficiency": "baseline"}),
    ("2high-benchmark", "P-5d", False, FAR,
     {"industry": "coal_chemical", "energy_efficiency": "benchmark"}),
    ("steel-qipanjing", "P-5e", True, sq(4450, 450), {"industry": "steel"}),
    ("steel-qipanjing-area", "P-5e", True, wbox(3920, 450, 3980, 510), {"industry": "steel"}),
    ("steel-qipanjing-upgrade", "P-5e", False, sq(4450, 450),
     {"industry": "steel", "stage": "upgrade"}),
    ("pvglass-qipanjing", "P-5e", False, sq(4450, 450), {"industry": "pv_glass"}),
    ("captive-new", "P-6a", True, FAR, {"industry": "captive_coal_power"}),
    ("captive-relocation", "P-6a", True, FAR,
     {"industry": "captive_coal_power", "stage": "relocation"}),
    ("captive-continuation", "P-6a", False, FAR,
     {"industry": "captive_coal_power", "stage": "continuation"}),
    ("coal-firing", "P-6b", True, FAR, {"industry": "other", "direct_coal_firing": True}),
    ("no-coal-firing", "P-6b", False, FAR, {"industry": "other", "direct_coal_firing": False}),
    # stages: 新增产能 = adds_capacity; 搬迁 is new at its new site where the plan says 新建
    ("chem-upgrade-no-added", "P-4c", False, FAR, {"industry": "coal_chemical",
                                                   "stage": "upgrade"}),
    ("chem-upgrade-added", "P-4c", True, FAR, {"industry": "coal_chemical", "stage": "upgrade",
                                               "added_capacity": 5.0}),
    ("chem-rebuild-added", "P-4c", True, FAR, {"industry": "coal_chemical", "stage": "rebuild",
                                               "added_capacity": 1.0}),
    ("chem-continuation", "P-4c", False, FAR, {"industry": "coal_chemical",
                                               "stage": "continuation"}),
    ("chem-expansion-zero", "P-4c", False, FAR, {"industry": "coal_chemical",
                                                 "stage": "expansion", "added_capacity": 0.0}),
    ("coking-relocated-mengxi", "P-4d", True, sq(4450, 450),
     {"industry": "coking", "stage": "relocation"}),
    ("steel-relocated-core", "P-4a", True, sq(450, 450),
     {"industry": "steel", "stage": "relocation"}),
    ("2high-relocated-baseline", "P-5d", True, FAR,
     {"industry": "coal_chemical", "stage": "relocation", "energy_efficiency": "baseline"}),
    ("coal-firing-relocated", "P-6b", True, FAR,
     {"industry": "other", "stage": "relocation", "direct_coal_firing": True}),
    ("ferroalloy-upgrade-added", "P-5a", True, FAR,
     {"industry": "ferroalloy", "stage": "upgrade", "added_capacity": 2.0}),
    # aliases no broader than the plan: generic 平板玻璃 / 水泥 / 石墨电极 are not banned
    ("flat-glass-generic", "P-5a", False, FAR, {"industry": "flat_glass_unspecified"}),
    ("cement-generic", "P-5a", False, FAR, {"industry": "cement"}),
    ("graphite-generic", "P-5a", False, FAR, {"industry": "graphite_electrode_unspecified"}),
    ("flat-glass-ordinary", "P-5a", True, FAR, {"industry": "flat_glass"}),
    # 二(五) 严格控制煤电、石化、煤化工等行业新增产能
    ("coalpower-new", "P-5f", True, FAR, {"industry": "coal_power"}),
    ("coalpower-upgrade", "P-5f", False, FAR, {"industry": "coal_power", "stage": "upgrade"}),
    ("methanol-in-park", "P-5f", True, sq(2450, 450), {"industry": "methanol"}),
    ("methanol-outside-park", "P-4b", True, FAR, {"industry": "methanol"}),
    ("polysilicon-outside-park", "P-4b", True, FAR, {"industry": "polysilicon"}),
    # 二(六)2 严格控制新增用煤项目; 新改扩建工业炉窑采用清洁低碳能源
    ("uses-coal", "P-6e", True, FAR, {"industry": "other", "uses_coal": True}),
    ("no-coal-use", "P-6e", False, FAR, {"industry": "other", "uses_coal": False}),
    ("coking-new-coal-use", "P-6e", True, FAR, {"industry": "coking"}),
    ("coal-kiln", "P-6f", True, FAR, {"industry": "pv_glass", "coal_fired_kiln": True}),
    ("clean-kiln", "P-6f", False, FAR, {"industry": "pv_glass", "coal_fired_kiln": False}),
    ("coal-kiln-continuation", "P-6f", False, FAR,
     {"industry": "pv_glass", "stage": "continuation", "coal_fired_kiln": True}),
    ("pv-kongdui", "P-6d", True, sq(10450, 4450), {"industry": "pv"}),
    ("pv-kongdui-3m-out", "P-6d", False, wbox(11003, 4450, 11103, 4550), {"industry": "pv"}),
    ("steel-kongdui", "P-6d", False, sq(10450, 4450), {"industry": "steel"}),
    ("coking-no-replacement", "P-8a", True, FAR, {"industry": "coking"}),
    ("coking-replacement", "P-8a", False, FAR,
     {"industry": "coking", "capacity_replacement": True}),
    ("freight-1.6", "P-9a", True, FAR, {"industry": "other", "annual_bulk_freight_mt": 1.6}),
    ("freight-1.6-rail", "P-9a", False, FAR,
     {"industry": "other", "annual_bulk_freight_mt": 1.6, "rail_spur": True}),
    ("freight-1.4", "P-9a", False, FAR, {"industry": "other", "annual_bulk_freight_mt": 1.4}),
    ("steel-redline", "P-12a", True, sq(450, 2450), {"industry": "steel"}),
    ("steel-reserve", "P-12a", True, sq(2450, 2450), {"industry": "steel"}),
    ("line-redline", "P-12a", False, line(-200, 2500, 1200, 2500),
     {"industry": "pv", "component": "line"}),
    ("steel-redline-3m-out", "P-12a", False, wbox(1003, 2450, 1103, 2550), {"industry": "steel"}),
    ("restoration-reserve", "P-12a", False, sq(2450, 2450), {"industry": "ecological_restoration"}),
    ("wind-reclamation", "P-15a", True, pt(8500, 4500), {"industry": "wind"}),
    ("pv-mining", "P-15a", False, sq(4450, 4450), {"industry": "pv"}),
    ("zero-carbon", "P-19a", True, sq(6450, 450), {"industry": "hydrogen"}),
    ("pv-supplying-zero-carbon", "P-19a", False, sq(6450, 450), {"industry": "pv"}),
    ("low-carbon-not-zero", "P-19a", False, sq(8450, 450), {"industry": "hydrogen"}),
    ("low-carbon", "P-19b", True, sq(8450, 450), {"industry": "hydrogen"}),
    ("zero-not-low-carbon", "P-19b", False, sq(6450, 450), {"industry": "hydrogen"}),
    ("pv-array-redline", "N-1a", True, sq(450, 2450), {"industry": "pv"}),
    ("pv-line-redline", "N-1a", False, line(-200, 2500, 1200, 2500),
     {"industry": "pv", "component": "line"}),
    ("pv-line-crosses", "N-1b", True, line(-200, 2500, 1200, 2500),
     {"industry": "pv", "component": "line"}),
    ("pv-line-3m-off", "N-1b", False, line(-200, 3003, 1200, 3003),
     {"industry": "pv", "component": "line"}),
    ("pv-cropland", "N-2a", True, sq(100, 7100), {"industry": "pv"}),
    ("pv-barren", "N-2a", False, sq(600, 7100), {"industry": "pv"}),
    ("pv-farmland", "N-2b", True, sq(450, 9450), {"industry": "pv"}),
    ("wind-farmland", "N-2b", False, sq(450, 9450), {"industry": "wind"}),
    ("pv-forest-class-1", "N-2b", True, sq(6450, 9450), {"industry": "pv"}),
    ("pv-grassland", "N-2b", True, sq(8450, 9450), {"industry": "pv"}),
    ("pv-forest-class-2", "N-2b", False, sq(2450, 9450), {"industry": "pv"}),
    ("pv-line-farmland-not-b", "N-2b", False, line(100, 9500, 900, 9500),
     {"industry": "pv", "component": "line"}),
    ("pv-line-farmland", "N-2h", True, line(100, 9500, 900, 9500),
     {"industry": "pv", "component": "line"}),
    ("pv-line-grassland", "N-2h", True, line(8100, 9500, 8900, 9500),
     {"industry": "pv", "component": "line"}),
    ("pv-array-farmland-not-h", "N-2h", False, sq(450, 9450), {"industry": "pv"}),
    ("wind-line-farmland", "N-2h", False, line(100, 9500, 900, 9500),
     {"industry": "wind", "component": "line"}),
    ("pv-line-forest-class-2", "N-2h", False, line(2100, 9500, 2900, 9500),
     {"industry": "pv", "component": "line"}),
    ("pv-sand-closure", "N-2d", True, sq(10450, 9450), {"industry": "pv"}),
    ("wind-sand-closure", "N-2d", False, pt(10500, 9500), {"industry": "wind"}),
    ("pv-youlin", "N-2e", True, sq(2450, 9450), {"industry": "pv"}),
    ("pv-shrub-not-e", "N-2e", False, sq(4450, 9450), {"industry": "pv"}),
    ("pv-shrub", "N-2f", True, sq(4450, 9450), {"industry": "pv"}),
    ("pv-youlin-not-f", "N-2f", False, sq(2450, 9450), {"industry": "pv"}),
    ("pv-cropland-layer", "N-2g", True, sq(12450, 9450), {"industry": "pv"}),
    ("pv-line-cropland", "N-2g", False, line(12100, 9500, 12900, 9500),
     {"industry": "pv", "component": "line"}),
    ("pv-barren-enc", "N-2c", True, sq(600, 7100), {"industry": "pv"}),
    ("pv-mining-not-desert", "N-2c", False, sq(4450, 4450), {"industry": "pv"}),
    ("wind-reserve", "N-3a", True, pt(2500, 2500), {"industry": "wind"}),
    ("pv-reserve", "N-3a", False, sq(2450, 2450), {"industry": "pv"}),
    ("wind-forest", "N-3b", True, pt(2500, 9500), {"industry": "wind"}),
    ("wind-line-forest", "N-3b", False, line(2100, 9500, 2900, 9500),
     {"industry": "wind", "component": "line"}),
    ("wind-shrub", "N-3b", False, pt(4500, 9500), {"industry": "wind"}),
    # coordinates that contradict the declaration (FAR lies in 示意乙旗)
    ("banner-wrong", "LOC-1", True, FAR, {"industry": "other", "banner": "示意甲旗"}),
    ("banner-unknown", "LOC-1", True, FAR, {"industry": "other", "banner": "火星旗"}),
    ("banner-right", "LOC-1", False, FAR, {"industry": "other", "banner": "示意乙"}),
    ("band-note", "LOC-1", True, FAR, {"industry": "other",
                                       "location_note": "outside the band of 带号 37"}),
    ("turbine-400m", "W-1", True, pt(0, 6400), {"industry": "wind"}),
    ("turbine-510m", "W-1", False, pt(0, 6510), {"industry": "wind"}),
]


def frame(rows: list[tuple[str, Any, dict[str, Any]]], crs: str = WORLD_CRS) -> gpd.GeoDataFrame:
    """Projects in the reader's schema (as read_projects would give them)."""
    recs = []
    for pid, _geom, attrs in rows:
        rec: dict[str, Any] = dict.fromkeys(PROJECT_COLUMNS)
        rec.update(id=pid, name=pid, stage="new", capacity_mw=np.nan, capacity_10kt=np.nan,
                   annual_bulk_freight_mt=np.nan, source_file="test", source_row="row")
        rec.update(attrs)
        rec["adds_capacity"] = adds_capacity(rec["stage"], rec.get("added_capacity"))
        if rec["component"] is None and rec["industry"] in ("pv", "wind"):
            rec["component"] = "array" if rec["industry"] == "pv" else "turbine"
        recs.append(rec)
    return gpd.GeoDataFrame(recs, geometry=[g for _, g, _ in rows], crs=crs)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> ZoneSource:
    cat = build_world(tmp_path_factory.mktemp("world"), extra=True)
    return ZoneSource(Catalog.load(default=cat))


@pytest.fixture(scope="module")
def result(world: ZoneSource) -> Any:
    projects = frame([(cid, geom, attrs) for cid, _, _, geom, attrs in CASES])
    return screen(projects, load_rules(), world, ledger=read_ledger())


def _hit(result: Any, pid: str, rule_id: str) -> pd.DataFrame:
    h = result.hits
    return h.loc[(h["project_id"] == pid) & (h["rule_id"] == rule_id)]


@pytest.mark.parametrize(("case", "rule_id", "expected"),
                         [(c[0], c[1], c[2]) for c in CASES], ids=[c[0] for c in CASES])
def test_rule_case(result: Any, case: str, rule_id: str, expected: bool) -> None:
    assert (len(_hit(result, case, rule_id)) == 1) is expected


def test_every_default_rule_has_a_positive_and_a_negative_case() -> None:
    ids = set(load_rules().ids) - {"P-8b"}  # the ledger has its own tests below
    pos = {c[1] for c in CASES if c[2]}
    neg = {c[1] for c in CASES if not c[2]}
    assert ids <= pos, ids - pos
    assert ids <= neg, ids - neg


def test_overlap_areas_match_shapely_in_work_crs(result: Any) -> None:
    h = _hit(result, "core-steel-3m-in", "P-4a").iloc[0]
    proj = gpd.GeoSeries([wbox(997, 450, 1097, 550)], crs=WORLD_CRS).to_crs(WORK_CRS).iloc[0]
    zone = gpd.GeoSeries([wbox(0, 0, 1000, 1000)], crs=WORLD_CRS).to_crs(WORK_CRS).iloc[0]
    expected = proj.intersection(zone).area
    assert expected == pytest.approx(300.0, rel=1e-3)  # 3 m × 100 m
    assert h["overlap_m2"] == pytest.approx(expected, rel=1e-9)
    assert h["overlap_ha"] == pytest.approx(expected / 1e4, rel=1e-9)
    assert h["overlap_mu"] == pytest.approx(expected / 666.6666667, rel=1e-6)
    assert h["overlap_share"] == pytest.approx(expected / proj.area, rel=1e-9)


def test_mu_definition() -> None:
    assert abs(M2_PER_MU - 666.67) < 0.005
    assert abs(10000 / M2_PER_MU - 15.0) < 1e-12


def test_outside_reports_nearest_distance(result: Any) -> None:
    h = _hit(result, "chem-far", "P-4b").iloc[0]
    proj = gpd.GeoSeries([FAR], crs=WORLD_CRS).to_crs(WORK_CRS).iloc[0]
    parks = gpd.GeoSeries([wbox(2000, 0, 3000, 1000), wbox(4000, 0, 5000, 1000),
                           wbox(6000, 0, 7000, 1000), wbox(8000, 0, 9000, 1000)],
                          crs=WORLD_CRS).to_crs(WORK_CRS)
    assert h["distance_m"] == pytest.approx(min(parks.distance(proj)), rel=1e-9)
    # 3 m over the park edge: distance 0, overlap = the part outside (3 m × 100 m)
    e = _hit(result, "chem-3m-over-park-edge", "P-4b").iloc[0]
    assert e["distance_m"] == 0.0
    assert e["overlap_m2"] == pytest.approx(300.0, rel=1e-3)


def test_within_distance_reports_distance(result: Any) -> None:
    h = _hit(result, "turbine-400m", "W-1").iloc[0]
    assert h["distance_m"] == pytest.approx(400.0, rel=1e-3)


def test_verdict_is_worst_severity_and_encouraged_apart(result: Any) -> None:
    p = result.projects.set_index("id")
    assert p.loc["core-steel", "verdict"] == "prohibited"
    assert p.loc["cement-no-replacement", "verdict"] == "prohibited"  # P-5a beats P-5b
    assert p.loc["cement-replacement", "verdict"] == "prohibited"  # P-5a still applies
    assert p.loc["unit1", "verdict"] == "review"
    assert p.loc["pv-kongdui", "verdict"] == "compliant"
    assert p.loc["pv-kongdui", "encouraged"] == "P-6d"
    assert p.loc["steel-kongdui", "verdict"] == "needs_information"  # 两高, efficiency undeclared
    assert p.loc["steel-kongdui", "conditional"]


def test_missing_attribute_is_needs_information_not_restricted(result: Any) -> None:
    """An undeclared attribute gives needs_information (one rule per field), never a ban."""
    h = _hit(result, "refining-exp", "P-5c").iloc[0]
    assert h["severity"] == "needs_information" and h["missing_fields"] == "in_national_plan"
    assert "未申报" in h["message_zh"]
    assert _hit(result, "2high-baseline", "P-5d").iloc[0]["severity"] == "restricted"
    assert _hit(result, "freight-1.6", "P-9a").iloc[0]["severity"] == "needs_information"
    # direct_coal_firing: undeclared = needs_information for heavy industry, absent otherwise
    assert _hit(result, "steel-kongdui", "P-6b").iloc[0]["severity"] == "needs_information"
    assert _hit(result, "zero-carbon", "P-6b").empty  # hydrogen: assume_false
    p = result.projects.set_index("id")
    assert p.loc["refining-exp", "needs_information"] == "P-5c"
    assert p.loc["refining-exp", "verdict"] == "prohibited"  # P-4c decides, P-5c stays open
    assert p.loc["refining-exp", "conditional"]


def test_hits_carry_quote_flags_and_zones(result: Any) -> None:
    h = _hit(result, "pv-forest-class-1", "N-2b").iloc[0]
    assert h["quote"].endswith("东北内蒙古重点国有林区") and bool(h["verify"])
    assert bool(h["illustrative"])  # the synthetic layers are illustrative
    assert "示意Ⅰ级保护林地" in h["zones"]
    n3 = _hit(result, "wind-reserve", "N-3a").iloc[0]
    assert n3["status"] == "superseded_pending"
    loc = _hit(result, "banner-wrong", "LOC-1").iloc[0]
    assert "示意乙旗" in loc["zones"] and "示意甲旗" in loc["message_zh"]


def test_control_units_listed_with_constraints(result: Any) -> None:
    p = result.projects.set_index("id")
    assert p.loc["unit1", "control_units"] == "ZH15060210001"
    assert p.loc["unit3", "control_units"] == "ZH15060230001"
    assert p.loc["unit1-3m-out", "control_units"] == ""
    z = _hit(result, "unit1", "P-4e").iloc[0]["zones"]
    assert "ZH15060210001" in z and "禁止开发性" in z


def test_fix_hint_is_the_remainder_outside_prohibited_zones(result: Any) -> None:
    fx = result.fix_hints.set_index("project_id")
    assert "core-steel-3m-in" in fx.index
    row = fx.loc["core-steel-3m-in"]
    proj = gpd.GeoSeries([wbox(997, 450, 1097, 550)], crs=WORLD_CRS).to_crs(WORK_CRS).iloc[0]
    zone = gpd.GeoSeries([wbox(0, 0, 1000, 1000)], crs=WORLD_CRS).to_crs(WORK_CRS).iloc[0]
    expected = proj.difference(zone).area
    assert expected == pytest.approx(9700.0, rel=1e-3)
    assert row["remainder_m2"] == pytest.approx(expected, rel=1e-9)
    assert row["remainder_mu"] == pytest.approx(expected / M2_PER_MU)
    assert row.geometry.intersection(zone).area < 1e-6
    # partly outside a park (P-4b): the remainder is the part inside the park (97 m × 100 m)
    assert fx.loc["chem-3m-over-park-edge", "remainder_m2"] == pytest.approx(9700.0, rel=1e-3)
    # fully prohibited (anywhere) projects get no hint
    assert "ferroalloy" not in fx.index


def test_screening_twice_gives_the_same_verdicts(world: ZoneSource) -> None:
    projects = frame([(c[0], c[3], c[4]) for c in CASES[:12]])
    a = screen(projects, load_rules(), world, ledger=read_ledger())
    b = screen(projects, load_rules(), world, ledger=read_ledger())
    assert a.projects["verdict"].tolist() == b.projects["verdict"].tolist()


# ----------------------------------------------------------------------------- ledger
def _ledger_csv(tmp_path: Path, existing: float) -> Path:
    p = tmp_path / "ledger.csv"
    p.write_text("industry,name,capacity,unit,status,provenance,source\n"
                 f"steel,现有,{existing},万吨,existing,user,test\n"
                 "steel,已批,50000,t,approved,user,test\n", encoding="utf-8")
    return p


def test_ledger_flags_the_project_that_crosses_the_cap(world: ZoneSource, tmp_path: Path) -> None:
    # existing 80 + approved 5 (50 000 t) = 85; cap 100 万吨
    rows = [("s1", FAR, {"industry": "steel", "capacity_10kt": 10.0}),   # 95: fits
            ("s2", FAR, {"industry": "steel", "capacity_10kt": 10.0}),   # 105: over
            ("s3", FAR, {"industry": "steel", "capacity_10kt": 5.0}),    # 100: fits exactly
            ("s4", FAR, {"industry": "steel", "capacity_10kt": 1.0,
                         "stage": "relocation"})]                        # not counted
    res = screen(frame(rows), load_rules(), world, ledger=read_ledger(_ledger_csv(tmp_path, 80)),
                 as_of=dt.date(2025, 6, 30))
    led = res.hits.loc[res.hits["rule_id"] == "P-8b"]
    assert led["project_id"].tolist() == ["s2"]
    row = led.iloc[0]
    assert (row["ledger_existing"], row["ledger_before"], row["ledger_after"]) == (85, 95, 105)
    assert row["ledger_cap"] == 100 and row["ledger_unit"] == "万吨"
    assert row["severity"] == "prohibited"
    summ = res.ledger.set_index("industry").loc["steel"]
    assert summ["total_after"] == 100 and summ["headroom"] == 0
    assert row["ledger_order"] == 2 and row["ledger_year"] == 2025


def _ledger_run(world: ZoneSource, tmp_path: Path, rows: list[Any],
                as_of: dt.date = dt.date(2025, 6, 30)) -> Any:
    return screen(frame(rows), load_rules(), world,
                  ledger=read_ledger(_ledger_csv(tmp_path, 80)), as_of=as_of)


def test_ledger_is_independent_of_input_order(world: ZoneSource, tmp_path: Path) -> None:
    """Counted by declared date (undated last), then id — not by row order."""
    rows = [("s-b", FAR, {"industry": "steel", "capacity_10kt": 10.0}),
            ("s-a", FAR, {"industry": "steel", "capacity_10kt": 10.0}),
            ("s-dated", FAR, {"industry": "steel", "capacity_10kt": 10.0,
                              "declared_date": "2024-03-01"})]
    flagged = set()
    for order in (rows, rows[::-1], [rows[1], rows[2], rows[0]]):
        res = _ledger_run(world, tmp_path, order)
        led = res.hits.loc[res.hits["rule_id"] == "P-8b"]
        flagged.add(frozenset(zip(led["project_id"], led["ledger_order"], strict=True)))
    # 85 + s-dated 10 = 95 (order 1), + s-a 10 = 105 > 100 -> s-a (2) and s-b (3) flagged
    assert flagged == {frozenset({("s-a", 2), ("s-b", 3)})}


def test_ledger_nets_reduction_replacement(world: ZoneSource, tmp_path: Path) -> None:
    rows = [("net", FAR, {"industry": "steel", "capacity_10kt": 30.0,
                          "replaced_capacity_10kt": 20.0}),  # net +10 -> 95
            ("gross", FAR, {"industry": "steel", "capacity_10kt": 5.0})]  # 100: fits
    res = _ledger_run(world, tmp_path, rows)
    assert res.hits.loc[res.hits["rule_id"] == "P-8b"].empty
    assert res.ledger.set_index("industry").loc["steel", "total_after"] == 100


def test_ledger_expansion_without_added_capacity_needs_information(
        world: ZoneSource, tmp_path: Path) -> None:
    rows = [("exp", FAR, {"industry": "steel", "stage": "expansion", "capacity_10kt": 30.0})]
    h = _ledger_run(world, tmp_path, rows).hits
    row = h.loc[h["rule_id"] == "P-8b"].iloc[0]
    assert row["severity"] == "needs_information" and row["missing_fields"] == "added_capacity"


def test_ledger_caps_are_dated(world: ZoneSource, tmp_path: Path) -> None:
    rows = [("big", FAR, {"industry": "steel", "capacity_10kt": 50.0})]
    before = _ledger_run(world, tmp_path, rows, dt.date(2025, 12, 31)).hits
    after = _ledger_run(world, tmp_path, rows, dt.date(2026, 1, 1)).hits
    assert before.loc[before["rule_id"] == "P-8b", "severity"].tolist() == ["prohibited"]
    row = after.loc[after["rule_id"] == "P-8b"].iloc[0]
    assert row["severity"] == "review" and "目标年已过" in row["message_zh"]


def test_missing_layer_or_field_is_not_evaluated_and_conditional(tmp_path: Path) -> None:
    """A missing layer (or a layer without the field a rule filters on) never stops the run."""
    parks = gpd.GeoDataFrame({"name_zh": ["p"]}, geometry=[sq(0, 0)], crs=WORLD_CRS)
    zones = ZoneSource({"parks": parks})  # no park_kind / mengxi fields, no other layers
    projects = frame([("a", FAR, {"industry": "steel"}), ("b", FAR, {"industry": "hydrogen"})])
    res = screen(projects, load_rules(), zones, ledger=read_ledger())
    p = res.projects.set_index("id")
    assert "P-4a: not evaluated: layer(s) urban_cores not in the catalog" in p.loc["a",
                                                                                "not_evaluated"]
    assert "P-19a: not evaluated: layer 'parks' has no field 'park_kind'" in p.loc["b",
                                                                                 "not_evaluated"]
    assert "fields: {park_kind: <your field>}" in p.loc["b", "not_evaluated"]
    assert bool(p.loc["a", "conditional"]) and bool(p.loc["b", "conditional"])
    assert {s["rule_id"] for s in res.skipped_rules} >= {"P-4a", "P-4d", "P-19a"}


def test_if_layer_missing_error_still_stops(tmp_path: Path) -> None:
    rules = tmp_path / "r.yaml"
    rules.write_text(
        "extends_default: false\nrules:\n"
        "  - id: U-1\n    title_zh: 测试\n    title_en: test\n"
        "    citation: {doc_no: test, clause: '1', quote: 测试}\n"
        "    spatial: {predicate: inside, any_of: [nope], if_layer_missing: error}\n"
        "    severity: prohibited\n    message: {zh: 测试, en: test}\n", encoding="utf-8")
    zones = ZoneSource({"zone": gpd.GeoDataFrame(geometry=[sq(0, 0)], crs=WORLD_CRS)})
    with pytest.raises(RuleError, match=r"r\.yaml: rule U-1: layer 'nope' is not in the catalog"):
        screen(frame([("a", FAR, {"industry": "other"})]), load_rules(user_path=rules), zones)


def test_none_of_exempts_projects_inside(tmp_path: Path) -> None:
    rules = tmp_path / "r.yaml"
    rules.write_text(
        "extends_default: false\nrules:\n"
        "  - id: U-1\n    title_zh: 测试\n    title_en: test\n"
        "    citation: {doc_no: test, clause: '1', quote: 测试}\n"
        "    spatial: {predicate: inside, any_of: [zone], none_of: [exempt]}\n"
        "    severity: prohibited\n    message: {zh: 测试, en: test}\n", encoding="utf-8")
    zones = ZoneSource({"zone": gpd.GeoDataFrame(geometry=[sq(0, 0, 1000)], crs=WORLD_CRS),
                        "exempt": gpd.GeoDataFrame(geometry=[sq(0, 0, 300)], crs=WORLD_CRS)})
    projects = frame([("in-exempt", sq(100, 100), {"industry": "other"}),
                      ("not-exempt", sq(500, 500), {"industry": "other"})])
    res = screen(projects, load_rules(user_path=rules), zones)
    assert res.hits["project_id"].tolist() == ["not-exempt"]


# ----------------------------------------------------------------------------- invariants
@functools.lru_cache(maxsize=1)
def _invariant_setup() -> tuple[ZoneSource, Any]:
    d = Path(tempfile.mkdtemp())
    rules = d / "r.yaml"
    rules.write_text(
        "extends_default: false\nrules:\n"
        "  - id: U-1\n    title_zh: 测试\n    title_en: test\n"
        "    citation: {doc_no: test, clause: '1', quote: 测试}\n"
        "    spatial: {predicate: inside, any_of: [zone]}\n"
        "    severity: prohibited\n    message: {zh: 测试, en: test}\n", encoding="utf-8")
    # two overlapping zones: overlap areas must count their union once
    zone = gpd.GeoDataFrame(geometry=[sq(0, 0, 1000), sq(500, 500, 1000)], crs=WORLD_CRS)
    return ZoneSource({"zone": zone}), load_rules(user_path=rules)


@settings(max_examples=40, deadline=None)
@given(x=st.floats(-600, 1600), y=st.floats(-600, 1600), s=st.floats(1, 800))
def test_overlap_and_remainder_match_shapely(x: float, y: float, s: float) -> None:
    zones, rules = _invariant_setup()
    res = screen(frame([("p", sq(x, y, s), {"industry": "other"})]), rules, zones)
    work = gpd.GeoSeries([sq(x, y, s), sq(0, 0, 1000), sq(500, 500, 1000)],
                         crs=WORLD_CRS).to_crs(WORK_CRS)
    fp = work.iloc[0]
    inter = fp.intersection(shapely.union_all(work.iloc[1:].to_numpy())).area
    hit = res.hits.loc[res.hits["rule_id"] == "U-1"]
    assert (len(hit) == 1) == (inter > 0.01)
    if len(hit):
        assert hit["overlap_m2"].iloc[0] == pytest.approx(inter, rel=1e-9, abs=1e-6)
        assert hit["overlap_mu"].iloc[0] == pytest.approx(inter * 15 / 10000, rel=1e-9,
                                                          abs=1e-6)
        if len(res.fix_hints):
            rem = res.fix_hints["remainder_m2"].iloc[0]
            assert rem + inter == pytest.approx(fp.area, rel=1e-9)
        else:  # no hint: wholly inside (or a sliver outside)
            assert fp.area - inter <= 0.02
