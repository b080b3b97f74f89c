"""Tests for the 界址点坐标 TXT reader/writer (DATA.md §4 and its variants)."""

from __future__ import annotations

import logging
from pathlib import Path

import geopandas as gpd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyproj import Transformer
from shapely.geometry import Polygon, box

from ordos_geo.errors import CRSMismatchError, LayerIOError, ProjectInputError
from ordos_geo.io.coordfile import EXAMPLE, read_coordfile, write_coordfile
from ordos_geo.io.vector import read_vector

HEADER = """[属性描述]
坐标系=2000国家大地坐标系
几度分带=3
投影类型=高斯克吕格
计量单位=米
带号=37
精度=0.001
转换参数=,,,,,,
[地块坐标]
"""


def _write(
    tmp_path: Path, text: str, *, name: str = "p.txt", encoding: str = "utf-8", crlf: bool = False
) -> Path:
    p = tmp_path / name
    if crlf:
        text = text.replace("\n", "\r\n")
    p.write_bytes(text.encode(encoding))
    return p


def test_data_md_example(tmp_path: Path) -> None:
    p = _write(tmp_path, EXAMPLE)
    before = p.read_bytes()
    g = read_coordfile(p)
    assert len(g) == 1
    assert g.crs.to_epsg() == 4525
    row = g.iloc[0]
    assert row["parcel_id"] == "1" and row["name"] == "光伏地块1"
    assert row["area_ha_declared"] == pytest.approx(1.96)
    assert row["n_points"] == 10
    geom = g.geometry.iloc[0]
    assert geom.geom_type == "Polygon" and len(geom.interiors) == 1
    assert geom.area == pytest.approx(19_600.0)
    assert row["area_ha"] == pytest.approx(1.96)
    assert geom.bounds == pytest.approx((37_395_200.0, 4_386_800.0, 37_395_400.0, 4_386_900.0))
    assert g.attrs["warnings"] == []
    assert g.attrs["zone"] == 37 and g.attrs["datum"] == "CGCS2000"
    assert p.read_bytes() == before


def _variant_text() -> str:
    """Many quirks at once: sections, 分带=3度带, blank 带号, 13 fields, area unit,
    ids without J, no closing point, numbering restarting per ring, wrong 界址点数,
    X/Y swapped in one parcel, two parcels."""
    return """[项目信息]
项目名称=某光伏项目
[属性描述]
坐标系=2000国家大地坐标系
分带=3度带
投影类型=高斯克吕格
计量单位=米
带号=
精度=0.001
[扩展信息]
备注=测试
[地块坐标]
7,0.7655公顷,A-01,光伏地块2,面,J49G001001,光伏,0601,,,,,@
1,1,4386900.000,37395200.000
2,1,4386900.000,37395400.000
3,1,4386800.000,37395400.000
4,1,4386800.000,37395200.000
1,2,4386870.000,37395290.000
2,2,4386870.000,37395310.000
3,2,4386850.000,37395310.000
4,2,4386850.000,37395290.000
5,2.0000,A-02,升压站,面,,,,@
J1,1,37396000.000,4387000.000
J2,1,37396100.000,4387000.000
J3,1,37396100.000,4386950.000
J4,1,37396000.000,4386950.000
J1,1,37396000.000,4387000.000
"""


@pytest.mark.parametrize("encoding", ["utf-8", "gbk", "utf-8-sig"])
@pytest.mark.parametrize("crlf", [False, True])
def test_variants(tmp_path: Path, encoding: str, crlf: bool) -> None:
    p = _write(tmp_path, _variant_text(), encoding=encoding, crlf=crlf)
    g = read_coordfile(p)
    assert g.crs.to_epsg() == 4525  # zone from the easting prefix
    assert list(g["parcel_id"]) == ["A-01", "A-02"]
    assert list(g["name"]) == ["光伏地块2", "升压站"]
    assert list(g["use"]) == ["光伏", ""] and list(g["land_class"]) == ["0601", ""]
    assert list(g["sheet"]) == ["J49G001001", ""]
    assert g["area_ha_declared"].tolist() == pytest.approx([0.7655, 2.0])
    assert g.geometry.iloc[0].area == pytest.approx(19_600.0)
    assert g.geometry.iloc[1].area == pytest.approx(5_000.0)  # swapped X/Y read correctly
    assert list(g["n_points"]) == [8, 5]
    text = " | ".join(g.attrs["warnings"])
    assert "X/Y swapped" in text
    assert "界址点数 7 but 8 point rows" in text
    assert "declared area 0.7655 ha but the boundary encloses 1.9600 ha" in text
    assert "declared area 2.0000 ha but the boundary encloses 0.5000 ha" in text


def test_wrong_zone_header_warns_and_uses_prefix(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    p = _write(tmp_path, EXAMPLE.replace("带号=37", "带号=36"))
    with caplog.at_level(logging.WARNING, logger="ordos_geo.io.coordfile"):
        g = read_coordfile(p)
    assert g.crs.to_epsg() == 4525
    assert "带号=36 disagrees with the easting prefix 37" in caplog.text


@pytest.mark.parametrize(
    ("datum_line", "epsg"),
    [("坐标系=1980西安坐标系", 2361), ("坐标系=1954北京坐标系", 2413), ("坐标系=CGCS2000", 4525)],
)
def test_datum_headers(tmp_path: Path, datum_line: str, epsg: int) -> None:
    p = _write(tmp_path, EXAMPLE.replace("坐标系=2000国家大地坐标系", datum_line))
    assert read_coordfile(p).crs.to_epsg() == epsg


def test_unprefixed_eastings_need_zone(tmp_path: Path) -> None:
    text = EXAMPLE.replace(",37395", ",395")
    p = _write(tmp_path, text)
    g = read_coordfile(p)  # 带号=37 in the header → CM 111° E without prefix
    assert g.crs.to_epsg() == 4546
    assert g.geometry.iloc[0].area == pytest.approx(19_600.0)
    p2 = _write(tmp_path, text.replace("带号=37", "带号="), name="nozone.txt")
    with pytest.raises(
        ProjectInputError, match=r"nozone.txt: eastings have no zone prefix.*--zone"
    ):
        read_coordfile(p2)
    assert read_coordfile(p2, zone=37).crs.to_epsg() == 4546


def test_multipolygon_ring_outside_first(tmp_path: Path) -> None:
    text = (
        HEADER
        + """8,0.0300,9,两块,面,,,,@
J1,1,4386900,37395200
J2,1,4386900,37395300
J3,1,4386800,37395300
J4,1,4386800,37395200
J5,2,4386900,37395500
J6,2,4386900,37395600
J7,2,4386800,37395600
J8,2,4386800,37395500
"""
    )
    g = read_coordfile(_write(tmp_path, text))
    geom = g.geometry.iloc[0]
    assert geom.geom_type == "MultiPolygon" and len(geom.geoms) == 2
    assert geom.area == pytest.approx(20_000.0)


@pytest.mark.parametrize(
    ("bad_line", "match"),
    [
        ("J3,1,43868OO.000,37395400.000", r"line 13: X '43868OO.000' is not a number"),
        ("J3,x,4386800.000,37395400.000", r"line 13: 圈号 'x' is not an integer"),
        ("J3,1,4386800.000", r"line 13: expected a point row"),
    ],
)
def test_parse_errors_name_file_and_line(tmp_path: Path, bad_line: str, match: str) -> None:
    text = EXAMPLE.replace("J3,1,4386800.000,37395400.000", bad_line)
    p = _write(tmp_path, text, name="bad.txt")
    with pytest.raises(ProjectInputError, match=r"bad.txt: " + match) as ei:
        read_coordfile(p)
    assert "\n" not in str(ei.value)


def test_structural_errors(tmp_path: Path) -> None:
    with pytest.raises(ProjectInputError, match="no parcels found"):
        read_coordfile(_write(tmp_path, HEADER, name="empty.txt"))
    orphan = HEADER + "J1,1,4386900.000,37395200.000\n"
    with pytest.raises(ProjectInputError, match="line 10: point row before any parcel row"):
        read_coordfile(_write(tmp_path, orphan, name="orphan.txt"))
    two = HEADER + "2,0.1,1,x,面,,,,@\nJ1,1,4386900,37395200\nJ2,1,4386900,37395300\n"
    with pytest.raises(ProjectInputError, match="ring 1 has 2 distinct points"):
        read_coordfile(_write(tmp_path, two, name="two.txt"))
    six = EXAMPLE.replace("几度分带=3", "几度分带=6")
    with pytest.raises(ProjectInputError, match="only 3° Gauss-Krüger zones"):
        read_coordfile(_write(tmp_path, six, name="six.txt"))
    with pytest.raises(LayerIOError, match="cannot read"):
        read_coordfile(tmp_path / "missing.txt")


def test_outside_ordos_is_rejected(tmp_path: Path) -> None:
    # Zone 39 (CM 117° E, Beijing area) prefix: plausible GK but not Ordos.
    text = EXAMPLE.replace(",37395", ",39395").replace("带号=37", "带号=39")
    with pytest.raises(CRSMismatchError, match="outside Ordos"):
        read_coordfile(_write(tmp_path, text))


def test_writer_round_trip(tmp_path: Path) -> None:
    src = read_coordfile(_write(tmp_path, _variant_text(), name="src.txt"))
    out = write_coordfile(src, tmp_path / "out.txt")
    back = read_coordfile(out)
    assert back.crs.to_epsg() == 4525
    assert list(back["parcel_id"]) == list(src["parcel_id"])
    assert list(back["name"]) == list(src["name"])
    for a, b in zip(src.geometry, back.geometry, strict=True):
        assert a.symmetric_difference(b).area < 1e-6
    assert back.attrs["warnings"] == []  # counts and areas now consistent
    text = out.read_bytes().decode("utf-8")
    assert "带号=37" in text and text.count("@") == 2 and "\r\n" in text
    # GBK output and a frame in lon/lat: zone chosen from the centre longitude (109.99 E → 37)
    tr = Transformer.from_crs(4490, 4525, always_xy=True)
    x, y = tr.transform(109.99, 39.82)
    ll = gpd.GeoDataFrame(
        {"parcel_id": ["P1"], "name": ["测试"]},
        geometry=[box(x, y, x + 300, y + 200)],
        crs=4525,
    ).to_crs(4490)
    p = write_coordfile(ll, tmp_path / "gbk.txt", encoding="gbk")
    assert "测试".encode("gbk") in p.read_bytes()
    g = read_coordfile(p)
    assert g.crs.to_epsg() == 4525
    assert g.geometry.iloc[0].area == pytest.approx(60_000.0, rel=1e-6)


def test_writer_refuses_lines_and_reads_via_read_vector(tmp_path: Path) -> None:
    from shapely.geometry import LineString

    g = gpd.GeoDataFrame(geometry=[LineString([(0, 0), (1, 1)])], crs=4525)
    with pytest.raises(ProjectInputError, match="only polygons"):
        write_coordfile(g, tmp_path / "l.txt")
    p = _write(tmp_path, EXAMPLE, name="ex.txt")
    v = read_vector(p)
    assert v.crs.to_epsg() == 4525 and len(v) == 1
    assert isinstance(v.geometry.iloc[0], Polygon)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    e=st.floats(37_380_000, 37_520_000),
    n=st.floats(4_200_000, 4_500_000),
    w=st.floats(5, 2000),
    h=st.floats(5, 2000),
    hole=st.booleans(),
)
def test_writer_reader_round_trip_property(
    tmp_path: Path, e: float, n: float, w: float, h: float, hole: bool
) -> None:
    outer = box(e, n, e + w, n + h)
    geom = outer.difference(box(e + w / 4, n + h / 4, e + w / 2, n + h / 2)) if hole else outer
    g = gpd.GeoDataFrame({"parcel_id": ["X"]}, geometry=[geom], crs=4525)
    p = write_coordfile(g, tmp_path / "rt.txt")
    back = read_coordfile(p)
    assert back.crs.to_epsg() == 4525
    # coordinates are written with 3 decimals (mm): areas agree to that precision
    assert back.geometry.iloc[0].area == pytest.approx(geom.area, abs=0.01 * (w + h))
    assert len(back.geometry.iloc[0].interiors) == (1 if hole else 0)
    assert back.attrs["warnings"] == []
