"""Project input: every format into one schema; bad rows name file, row and field."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from openpyxl import Workbook
from shapely.geometry import Point

from ordos_geo.crs import WORK_CRS
from ordos_geo.errors import ProjectInputError
from ordos_geo.io.projects import INDUSTRIES, INDUSTRY_ZH, ProjectDefaults, read_projects
from ordos_geo.zoning.synthetic import ORIGIN, WORLD_CRS, wbox

CSV_ZH = (
    "项目编号,项目名称,行业,阶段,产能,单位,经度,纬度,产能置换,铁路专用线,大宗货物年运量\n"
    "A1,示例光伏,光伏,新建,100,MW,109.5,39.5,,,\n"
    "A2,示例焦化,兰炭,扩建,60,万吨/年,109.6,39.6,是,否,180\n"
)


def coordfile_text(parcel_id: str = "PV-01", use: str = "光伏用地") -> str:
    """A 200 m × 100 m parcel with a 20 m × 20 m hole, CGCS2000 GK zone 36 with prefix."""
    e0, n0 = 36_000_000 + ORIGIN[0] + 6100, ORIGIN[1] + 4100

    def p(k: str, ring: int, dx: float, dy: float) -> str:
        return f"{k},{ring},{n0 + dy:.3f},{e0 + dx:.3f}"

    rows = ["[属性描述]", "坐标系=2000国家大地坐标系", "几度分带=3", "投影类型=高斯克吕格",
            "计量单位=米", "带号=36", "精度=0.001", "转换参数=,,,,,,", "[地块坐标]",
            f"10,1.9600,{parcel_id},沉陷区光伏地块,面,,{use},,@",
            p("J1", 1, 0, 100), p("J2", 1, 200, 100), p("J3", 1, 200, 0), p("J4", 1, 0, 0),
            p("J1", 1, 0, 100),
            p("J5", 2, 90, 70), p("J6", 2, 110, 70), p("J7", 2, 110, 50), p("J8", 2, 90, 50),
            p("J5", 2, 90, 70)]
    return "\r\n".join(rows) + "\r\n"


def test_csv_with_chinese_headers_and_values(tmp_path: Path) -> None:
    f = tmp_path / "p.csv"
    f.write_text(CSV_ZH, encoding="utf-8")
    gdf = read_projects([f])
    assert gdf.crs == WORK_CRS
    a1, a2 = gdf.iloc[0], gdf.iloc[1]
    assert (a1["id"], a1["name"], a1["industry"], a1["stage"]) == ("A1", "示例光伏", "pv", "new")
    assert a1["capacity_mw"] == 100.0 and a1["component"] == "array"
    assert (a2["industry"], a2["stage"], a2["capacity_10kt"]) == ("coking", "expansion", 60.0)
    assert a2["capacity_replacement"] is True and a2["rail_spur"] is False
    assert a2["annual_bulk_freight_mt"] == pytest.approx(1.8)  # 180 万吨 = 1.8 Mt
    assert a1.geometry.geom_type == "Point"  # points are screened as points
    lonlat = gpd.GeoSeries([a1.geometry], crs=WORK_CRS).to_crs(4326).iloc[0]
    assert (lonlat.x, lonlat.y) == pytest.approx((109.5, 39.5), abs=1e-9)
    assert a2["source_row"] == "row 3"


def test_xlsx(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    for line in CSV_ZH.strip().split("\n"):
        ws.append([float(v) if v.replace(".", "").isdigit() and "." in v else v
                   for v in line.split(",")])
    f = tmp_path / "p.xlsx"
    wb.save(f)
    gdf = read_projects([f])
    assert gdf["id"].tolist() == ["A1", "A2"]
    assert gdf["industry"].tolist() == ["pv", "coking"]


def test_geojson_footprint_with_attributes(tmp_path: Path) -> None:
    f = tmp_path / "p.geojson"
    gpd.GeoDataFrame({"id": ["G1"], "name": ["风电"], "industry": ["wind"], "stage": ["new"],
                      "capacity": [2], "capacity_unit": ["GW"], "component": ["升压站"],
                      "direct_coal_firing": ["no"]},
                     geometry=[wbox(0, 0, 200, 100)], crs=WORLD_CRS).to_crs(4326).to_file(f)
    g = read_projects([f]).iloc[0]
    assert g["capacity_mw"] == 2000.0 and g["component"] == "substation"
    assert g["direct_coal_firing"] is False
    assert g.geometry.area == pytest.approx(20000.0, rel=2e-4)  # equal-area CRS


def test_bare_kml_takes_defaults(tmp_path: Path) -> None:
    f = tmp_path / "p.kml"
    gpd.GeoDataFrame({"Name": ["风机1"]}, geometry=[Point(109.0, 39.0)],
                     crs=4326).to_file(f, driver="KML")
    with pytest.raises(ProjectInputError, match=r"p\.kml: feature 1: field 'industry'"):
        read_projects([f])
    g = read_projects([f], defaults=ProjectDefaults(industry="风电", stage="new")).iloc[0]
    assert (g["name"], g["industry"], g["component"]) == ("风机1", "wind", "turbine")
    assert g["id"] == "p.1"  # the Placemark id (LIBKML exposes it as field 'id')


def test_shapefile_in_gauss_kruger(tmp_path: Path) -> None:
    f = tmp_path / "p.shp"
    gpd.GeoDataFrame({"id": ["S1"], "industry": ["steel"], "stage": ["relocation"]},
                     geometry=[wbox(0, 0, 100, 100)], crs=WORLD_CRS).to_file(f)
    g = read_projects([f]).iloc[0]
    assert g["stage"] == "relocation" and g["name"] == "S1"


def test_coordfile_parcel_with_hole(tmp_path: Path) -> None:
    f = tmp_path / "pv.txt"
    f.write_bytes(coordfile_text().encode("gbk"))
    gdf = read_projects([f], defaults={"stage": "new"})
    g = gdf.iloc[0]
    assert (g["id"], g["name"], g["industry"]) == ("PV-01", "沉陷区光伏地块", "pv")
    assert len(g.geometry.interiors) == 1
    expected = gpd.GeoSeries([wbox(6100, 4100, 6300, 4200).difference(wbox(6190, 4150, 6210,
                                                                          4170))],
                             crs=WORLD_CRS).to_crs(WORK_CRS).iloc[0].area
    assert g.geometry.area == pytest.approx(expected, rel=1e-9)
    assert g.geometry.area == pytest.approx(19600.0, rel=2e-4)


def test_coordfile_folder_and_use_mapping(tmp_path: Path) -> None:
    d = tmp_path / "parcels"
    d.mkdir()
    (d / "a.txt").write_text(coordfile_text("A", "光伏用地"), encoding="utf-8")
    (d / "b.txt").write_text(coordfile_text("B", "仓储用地"), encoding="utf-8")
    with pytest.raises(ProjectInputError, match=r"b\.txt: parcel 1.*field 'industry'"):
        read_projects([d], defaults={"stage": "new"})
    gdf = read_projects([d], defaults={"stage": "new", "industry": "other"})
    assert gdf["industry"].tolist() == ["pv", "other"]  # 光伏用地 -> pv wins over the default


@pytest.mark.parametrize(
    ("row", "pattern"),
    [
        ("B1,x,钢厂,新建,1,万吨,109.5,39.5", r"row 3: field 'industry': unknown industry '钢厂' "
                                           r"\(行业可填: 光伏、风电、储能"),
        ("B1,x,钢铁,筹建,1,万吨,109.5,39.5", r"row 3: field 'stage': unknown stage '筹建'"),
        ("B1,x,钢铁,新建,-5,万吨,109.5,39.5", r"row 3: field 'capacity': negative capacity"),
        ("B1,x,钢铁,新建,5,,109.5,39.5", r"row 3: field 'capacity_unit'"),
        ("B1,x,钢铁,新建,5,桶,109.5,39.5", r"row 3: field 'capacity_unit': unknown unit"),
        ("A1,x,钢铁,新建,5,万吨,109.5,39.5", r"row 3: field 'id': duplicate id 'A1' \(first in "),
    ],
)
def test_bad_rows_name_file_row_and_field(tmp_path: Path, row: str, pattern: str) -> None:
    f = tmp_path / "bad.csv"
    f.write_text("项目编号,项目名称,行业,阶段,产能,单位,经度,纬度\n"
                 "A1,ok,光伏,新建,1,MW,109.4,39.4\n" + row + "\n", encoding="utf-8")
    with pytest.raises(ProjectInputError, match=r"bad\.csv: " + pattern) as exc:
        read_projects([f])
    assert "\n" not in str(exc.value)


def test_unknown_industry_lists_the_vocabulary(tmp_path: Path) -> None:
    f = tmp_path / "bad.csv"
    f.write_text("id,industry,stage,lon,lat\nX,nuclear,new,109,39\n", encoding="utf-8")
    with pytest.raises(ProjectInputError) as exc:
        read_projects([f])
    assert all(INDUSTRY_ZH[k] in str(exc.value) for k in INDUSTRIES if k != "other")


def test_duplicate_ids_across_files(tmp_path: Path) -> None:
    for name in ("a.csv", "b.csv"):
        (tmp_path / name).write_text("id,industry,stage,lon,lat\nSAME,pv,new,109,39\n",
                                     encoding="utf-8")
    with pytest.raises(ProjectInputError, match=r"b\.csv: row 2: field 'id': duplicate id "
                                                r"'SAME' \(first in .*a\.csv row 2\)"):
        read_projects([tmp_path / "a.csv", tmp_path / "b.csv"])


def test_missing_file_and_unsupported_type(tmp_path: Path) -> None:
    with pytest.raises(ProjectInputError, match="file not found"):
        read_projects([tmp_path / "nope.csv"])
    (tmp_path / "x.dwg").write_text("x")
    with pytest.raises(ProjectInputError, match=r"unsupported project file type '\.dwg'"):
        read_projects([tmp_path / "x.dwg"])


def test_wkt_polygon_in_csv(tmp_path: Path) -> None:
    f = tmp_path / "w.csv"
    poly = shapely.box(109.0, 39.0, 109.01, 39.01)
    f.write_text(f'id,industry,stage,wkt\nW1,pv,new,"{poly.wkt}"\n', encoding="utf-8")
    g = read_projects([f]).iloc[0]
    assert g.geometry.geom_type == "Polygon" and g.geometry.area > 0


def test_geopackage_layer_choice(tmp_path: Path) -> None:
    f = tmp_path / "p.gpkg"
    g = gpd.GeoDataFrame({"id": ["K1"], "industry": ["pv"], "stage": ["new"]},
                         geometry=[wbox(0, 0, 100, 100)], crs=WORLD_CRS)
    g.to_file(f, layer="other")
    g.assign(id=["K2"]).to_file(f, layer="extra")
    with pytest.raises(ProjectInputError, match=r"several layers .*none named 'projects'"):
        read_projects([f])
    g.assign(id=["K3"]).to_file(f, layer="projects")
    assert read_projects([f])["id"].tolist() == ["K3"]


def test_coordfile_project_section_supplies_stage_and_industry(tmp_path: Path) -> None:
    from ordos_geo.io.coordfile import EXAMPLE

    header = "[项目信息]\r\n项目名称=扩建光伏\r\n建设性质=扩建\r\n行业=风电\r\n"
    f = tmp_path / "parcel.txt"
    f.write_bytes((header + EXAMPLE.replace("\n", "\r\n")).encode("gbk"))
    before = f.read_bytes()
    got = read_projects([f])
    assert got.loc[0, "stage"] == "expansion"
    assert got.loc[0, "industry"] == "wind"  # the header's 行业 beats the 地块用途 hint
    assert got.loc[0, "name"] == "光伏地块1"  # the parcel's own 地块名称 is kept
    assert f.read_bytes() == before
    # without the section the stage must come from --stage: a one-line error names it
    g = tmp_path / "bare.txt"
    g.write_text(EXAMPLE, encoding="utf-8")
    with pytest.raises(ProjectInputError, match=r"bare\.txt: parcel 1 .*--industry"):
        read_projects([g])
    with pytest.raises(ProjectInputError, match=r"bare\.txt: parcel 1 .*--stage"):
        read_projects([g], defaults=ProjectDefaults(industry="pv"))
    bare = read_projects([g], defaults=ProjectDefaults(industry="pv", stage="new"))
    assert bare.loc[0, "stage"] == "new"


def test_table_errors_name_the_row_as_in_the_file(tmp_path: Path) -> None:
    f = tmp_path / "p.csv"
    # a blank line before the bad row: the message must still say row 4
    f.write_text("id,name,industry,stage,经度,纬度\n"
                 "A,甲,pv,new,109.9,39.8\n\n"
                 "B,乙,nonsense,new,109.8,39.7\n", encoding="utf-8")
    with pytest.raises(ProjectInputError, match=r"p\.csv: row 4: field 'industry'"):
        read_projects([f])


# ----------------------------------------------------------------------------- round 2
def _csv(tmp_path: Path, body: str, name: str = "p.csv") -> Path:
    f = tmp_path / name
    f.write_text("项目编号,项目名称,行业,阶段,产能,单位,经度,纬度\n" + body, encoding="utf-8")
    return f


@pytest.mark.parametrize(("text", "industry"), [
    ("电石法聚氯乙烯(PVC)", "pvc_carbide"), ("焦炭(兰炭)", "coking"),
    ("合成氨(尿素)", "synthetic_ammonia"), ("超高功率以下石墨电极", "graphite_electrode"),
    ("对二甲苯(PX)", "px"), ("水泥(熟料)", "cement_clinker"), ("普通平板玻璃", "flat_glass"),
    ("甲醇", "methanol"), ("乙二醇", "ethylene_glycol"), ("煤制油", "coal_to_liquids"),
    ("煤制天然气", "coal_to_gas"), ("烧碱", "chlor_alkali"), ("多晶硅", "polysilicon"),
    ("工业硅", "industrial_silicon"), ("硅化工", "silicon_chemical"),
    ("cement", "cement"), ("Calcium Carbide", "calcium_carbide"),
    ("glass", "flat_glass_unspecified"),
    # no broader than the plan: the generic words are not the banned products
    ("平板玻璃", "flat_glass_unspecified"), ("水泥", "cement"),
    ("石墨电极", "graphite_electrode_unspecified"), ("ＰＶ", "pv"),
])
def test_vocabulary_plan_terms_english_and_narrow_aliases(tmp_path: Path, text: str,
                                                          industry: str) -> None:
    gdf = read_projects([_csv(tmp_path, f"A1,x,{text},新建,,,109.5,39.5\n")])
    assert gdf.loc[0, "industry"] == industry


def test_no_alias_maps_to_two_industries() -> None:
    from ordos_geo.io.projects import _norm

    seen: dict[str, str] = {}
    for vid, names in INDUSTRIES.items():
        for n in (vid, *names):
            assert seen.setdefault(_norm(n), vid) == vid, (n, vid, seen[_norm(n)])


@pytest.mark.parametrize(("text", "stage", "adds"), [
    ("新建", "new", True), ("扩建", "expansion", True), ("改建", "rebuild", False),
    ("技改", "upgrade", False), ("搬迁", "relocation", False), ("续建", "continuation", False),
    ("retrofit", "upgrade", False), ("relocate", "relocation", False),
    ("continued", "continuation", False), ("expand", "expansion", True),
])
def test_stages_and_english_aliases(tmp_path: Path, text: str, stage: str, adds: bool) -> None:
    gdf = read_projects([_csv(tmp_path, f"A1,x,钢铁,{text},,,109.5,39.5\n")])
    assert (gdf.loc[0, "stage"], bool(gdf.loc[0, "adds_capacity"])) == (stage, adds)


def test_added_capacity_decides_whether_a_stage_adds(tmp_path: Path) -> None:
    f = tmp_path / "p.csv"
    f.write_text("id,industry,stage,capacity,added_capacity,unit,lon,lat\n"
                 "U1,steel,技改,50,10,万吨,109.5,39.5\n"
                 "U2,steel,扩建,50,0,万吨,109.5,39.5\n", encoding="utf-8")
    gdf = read_projects([f])
    assert gdf["adds_capacity"].tolist() == [True, False]
    assert gdf["added_capacity_10kt"].tolist() == [10.0, 0.0]


@pytest.mark.parametrize(("cap", "unit", "mw", "kt"), [
    ("200万千瓦", "", 2000.0, None), ("100MW", "", 100.0, None), ("30万吨/年", "", None, 30.0),
    ("1,500 t/a", "", None, 0.15), ("66", "万千瓦", 660.0, None), ("５万吨", "", None, 5.0),
])
def test_capacities_with_inline_units(tmp_path: Path, cap: str, unit: str, mw: float | None,
                                      kt: float | None) -> None:
    gdf = read_projects([_csv(tmp_path, f'A1,x,钢铁,新建,"{cap}",{unit},109.5,39.5\n')])
    got_mw, got_kt = gdf.loc[0, "capacity_mw"], gdf.loc[0, "capacity_10kt"]
    assert (np.isnan(got_mw) if mw is None else got_mw == pytest.approx(mw))
    assert (np.isnan(got_kt) if kt is None else got_kt == pytest.approx(kt))


def test_inline_unit_errors_name_the_unit_column(tmp_path: Path) -> None:
    with pytest.raises(ProjectInputError, match=r"row 2: field 'capacity': unknown unit '桶'"):
        read_projects([_csv(tmp_path, "A1,x,钢铁,新建,5桶,,109.5,39.5\n")])
    with pytest.raises(ProjectInputError, match=r"inline unit '万吨' disagrees with the unit "
                                                r"column \('MW'\)"):
        read_projects([_csv(tmp_path, "A1,x,钢铁,新建,5万吨,MW,109.5,39.5\n")])


def test_json_booleans_and_numeric_booleans(tmp_path: Path) -> None:
    f = tmp_path / "p.geojson"
    feats = [{"type": "Feature", "properties": {"id": f"G{i}", "industry": "refining",
                                                "stage": "new", "in_national_plan": v},
              "geometry": {"type": "Point", "coordinates": [109.5, 39.5]}}
             for i, v in enumerate([False, True, 0, 1.0, "0.0"])]
    f.write_text(json.dumps({"type": "FeatureCollection", "features": feats}), encoding="utf-8")
    gdf = read_projects([f])
    assert gdf["in_national_plan"].tolist() == [False, True, False, True, False]


def test_a_batch_reports_every_bad_row_and_skip_invalid_screens_the_rest(tmp_path: Path) -> None:
    f = _csv(tmp_path, "A1,ok,光伏,新建,1,MW,109.4,39.4\n"
                       "A2,x,钢厂,新建,1,万吨,109.5,39.5\n"
                       "A3,x,钢铁,筹建,1,万吨,109.5,39.5\n"
                       "A4,x,钢铁,新建,1,万吨,,\n")
    with pytest.raises(ProjectInputError) as exc:
        read_projects([f])
    msg = str(exc.value)
    assert msg.startswith("3 invalid project row(s); fix them or pass --skip-invalid")
    assert "row 3: field 'industry'" in msg and "row 4: field 'stage'" in msg
    assert "row 5: field 'geometry': 经度 and 纬度 blank" in msg
    gdf = read_projects([f], skip_invalid=True)
    assert gdf["id"].tolist() == ["A1"]
    assert [s["row"] for s in gdf.attrs["skipped"]] == ["row 3", "row 4", "row 5"]


def test_the_batch_report_is_capped(tmp_path: Path) -> None:
    body = "".join(f"B{i},x,钢厂,新建,1,万吨,109.5,39.5\n" for i in range(30))
    with pytest.raises(ProjectInputError, match=r"^30 invalid .*… and 10 more$"):
        read_projects([_csv(tmp_path, body)])


def test_blank_coordinates_never_drop_a_row(tmp_path: Path) -> None:
    with pytest.raises(ProjectInputError, match=r"p\.csv: row 3: field 'geometry': 经度 and "
                                                r"纬度 blank; fill in the coordinates"):
        read_projects([_csv(tmp_path, "A1,ok,光伏,新建,1,MW,109.4,39.4\n"
                                      "A2,banned,铁合金,新建,1,万吨,,\n")])


def test_xlsx_formula_without_cached_value_is_named(tmp_path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["项目编号", "行业", "阶段", "经度", "纬度"])
    ws.append(["A1", "光伏", "新建", 109.5, 39.5])
    ws.append(["A2", "光伏", "新建", "=B9+1", "=C9+1"])  # openpyxl stores no cached value
    p = tmp_path / "f.xlsx"
    wb.save(p)
    with pytest.raises(ProjectInputError, match=r"f\.xlsx: row 3: field 'geometry': column\(s\) "
                                                r"经度, 纬度 hold a formula without a cached "
                                                r"value"):
        read_projects([p])


def test_empty_first_sheet_points_to_sheet_option(tmp_path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "封面"
    ws = wb.create_sheet("项目")
    ws.append(["项目编号", "行业", "阶段", "经度", "纬度"])
    ws.append(["A1", "光伏", "新建", 109.5, 39.5])
    p = tmp_path / "s.xlsx"
    wb.save(p)
    with pytest.raises(ProjectInputError, match=r"the first sheet \('封面'\) is empty; .*pass "
                                                r"--sheet NAME \(sheets: 封面, 项目\)"):
        read_projects([p])
    assert read_projects([p], defaults={"sheet": "项目"})["id"].tolist() == ["A1"]


def test_three_point_ring_is_a_one_line_error(tmp_path: Path) -> None:
    f = tmp_path / "w.csv"
    f.write_text('id,industry,stage,wkt\n'
                 'W1,pv,new,"POLYGON((109.5 39.5,109.6 39.5,109.6 39.6))"\n', encoding="utf-8")
    with pytest.raises(ProjectInputError, match=r"row 2: column 'wkt' is not valid WKT .*ring "
                                                r"needs at least 4 points") as exc:
        read_projects([f])
    assert "\n" not in str(exc.value) and "GEOSException" not in str(exc.value)
    g = tmp_path / "g.geojson"
    g.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"id": "G1", "industry": "pv", "stage": "new"},
         "geometry": {"type": "Polygon", "coordinates": [[[109.5, 39.5], [109.6, 39.5],
                                                          [109.5, 39.5]]]}}]}),
        encoding="utf-8")
    with pytest.raises(ProjectInputError, match=r"g\.geojson: feature 1: field 'geometry'"):
        read_projects([g])


def test_ids_are_nfkc_normalised_and_zero_width_stripped(tmp_path: Path) -> None:
    f = _csv(tmp_path, "L-3,a,光伏,新建,1,MW,109.4,39.4\nL-\u200b3,b,光伏,新建,1,MW,109.5,39.5\n")
    with pytest.raises(ProjectInputError, match=r"row 3: field 'id': duplicate id 'L-3'"):
        read_projects([f])
    g = _csv(tmp_path, "Ｌ－４,a,光伏,新建,1,MW,109.4,39.4\n", name="q.csv")
    assert read_projects([g])["id"].tolist() == ["L-4"]


def test_banner_from_the_coordfile_header(tmp_path: Path) -> None:
    f = tmp_path / "a.txt"
    f.write_text("[项目信息]\n旗区=达拉特旗\n" + coordfile_text("A", "光伏用地"), encoding="utf-8")
    gdf = read_projects([f], defaults={"stage": "new"})
    assert gdf.loc[0, "banner"] == "达拉特旗"


def test_vocabulary_lookup_matches_a_scan_of_the_tables() -> None:
    """The indexed lookup (issue 15) gives what a scan of ids and aliases in table order gives."""
    import unicodedata

    from ordos_geo.io import projects as pj

    def scan(value: object, table: dict[str, tuple[str, ...]]) -> str | None:
        key = pj._norm(value)
        for vid, aliases in table.items():
            if key == pj._norm(vid) or any(key == pj._norm(a) for a in aliases):
                return vid
        return None

    for table in (pj.INDUSTRIES, pj.STAGES, pj.COMPONENTS, pj.EFFICIENCY):
        words = [w for vid, aliases in table.items() for w in (vid, *aliases)]
        variants = [v for w in words for v in (w, f" {w.upper()} ", unicodedata.normalize(
            "NFKC", w).replace("(", "（"), f"{w}\u200b", f"x{w}")]
        for v in [*variants, "", "nothing-like-this", 3.0]:
            assert pj._lookup(v, table) == scan(v, table), v
