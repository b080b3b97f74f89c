"""Project input: every format into one schema; bad rows name file, row and field."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from openpyxl import Workbook
from shapely.geometry import Point

from ordos_geo.crs import WORK_CRS
from ordos_geo.errors import ProjectInputError
from ordos_geo.io.projects import INDUSTRIES, ProjectDefaults, read_projects
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
    assert all(k in str(exc.value) for k in INDUSTRIES)


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
