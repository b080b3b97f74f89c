"""Tests for ordos_geo.io.tabular: CSV/XLSX point and WKT tables."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import openpyxl
import pytest

from ordos_geo.crs import wgs84_to_gcj02
from ordos_geo.errors import CRSMismatchError, LayerIOError, ProjectInputError
from ordos_geo.io.tabular import parse_degrees, read_points_table
from ordos_geo.io.vector import read_vector

CSV = "名称,经度,纬度,地类编码,容量_mw\n东胜,109.99,39.82,0601,100\n康巴什,109.79,39.61,0602,50.5\n"


def test_csv_utf8_and_gbk(tmp_path: Path) -> None:
    for enc in ("utf-8", "gbk", "utf-8-sig"):
        p = tmp_path / f"s_{enc}.csv"
        p.write_bytes(CSV.encode(enc))
        before = p.read_bytes()
        g = read_points_table(p)
        assert g.crs.to_epsg() == 4326
        assert list(g["名称"]) == ["东胜", "康巴什"]
        assert list(g["地类编码"]) == ["0601", "0602"]  # code kept as text
        assert g["容量_mw"].tolist() == [100, 50.5]
        assert g.geometry.x.tolist() == [109.99, 109.79]
        assert g.geometry.y.tolist() == [39.82, 39.61]
        assert list(g["source_row"]) == [2, 3]
        assert p.read_bytes() == before


def test_english_names_dms_and_blank_rows(tmp_path: Path) -> None:
    p = tmp_path / "e.csv"
    p.write_text(
        'id,Longitude (deg),LAT\n1,"109°59\'24""",39度49分12秒\n2,,\n3,110.04,40.40\n',
        encoding="utf-8",
    )
    g = read_points_table(p)
    assert g.geometry.x.round(6).tolist() == [109.99, 110.04]
    assert g.geometry.y.round(6).tolist() == [39.82, 40.40]
    assert g.attrs["dropped_empty"] == 1


def test_parse_degrees() -> None:
    assert parse_degrees("109°59'24\"") == pytest.approx(109.99)
    assert parse_degrees("39 49 12") == pytest.approx(39.82)
    assert parse_degrees("109°59′24″E") == pytest.approx(109.99)
    assert parse_degrees(109) == 109.0
    with pytest.raises(ValueError):
        parse_degrees("东胜")
    with pytest.raises(ValueError):
        parse_degrees("109°75'")


def test_xlsx_sheets(tmp_path: Path) -> None:
    p = tmp_path / "sites.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "说明"
    ws.append(["这是说明页"])
    ws2 = wb.create_sheet("项目")
    ws2.append(["项目名称", "经度", "纬度", "容量(MW)"])
    ws2.append(["A", 109.99, 39.82, 100])
    ws2.append(["B", "109.79", "39.61", 200])
    wb.save(p)
    g = read_points_table(p, sheet="项目")
    assert list(g["项目名称"]) == ["A", "B"]
    assert g.geometry.x.tolist() == [109.99, 109.79]
    assert g["容量(MW)"].tolist() == [100, 200]
    assert len(read_points_table(p, sheet=1)) == 2
    with pytest.raises(LayerIOError, match=r"sheet 'x' not found \(sheets: 说明, 项目\)"):
        read_points_table(p, sheet="x")
    with pytest.raises(ProjectInputError, match="no longitude/latitude"):
        read_points_table(p)  # first sheet has no coordinate columns
    assert len(read_vector(p, layer="项目")) == 2


def test_wkt_column_and_metric_crs(tmp_path: Path) -> None:
    p = tmp_path / "w.csv"
    p.write_text(
        "name,wkt\n"
        'a,"POLYGON ((37395200 4386800, 37395400 4386800, 37395400 4386900, 37395200 4386900, '
        '37395200 4386800))"\n'
        'b,"POINT ZM (37395300 4386850 1200 5)"\n',
        encoding="utf-8",
    )
    with pytest.raises(CRSMismatchError, match=r"metres but no crs.*EPSG:4525"):
        read_points_table(p)
    g = read_points_table(p, crs="EPSG:4525")
    assert g.crs.to_epsg() == 4525
    assert g.geometry.iloc[0].area == pytest.approx(20_000.0)
    assert not g.has_z.any()
    assert g.geometry.iloc[1].wkt == "POINT (37395300 4386850)"
    bad = tmp_path / "bad.csv"
    bad.write_text("name,wkt\na,POLYGON ((1 2, 3\n", encoding="utf-8")
    with pytest.raises(ProjectInputError, match=r"bad.csv: row 2: column 'wkt' is not valid WKT"):
        read_points_table(bad, crs=4525)


def test_bad_value_names_row(tmp_path: Path) -> None:
    p = tmp_path / "v.csv"
    p.write_text("经度,纬度\n109.99,39.82\n109.x,39.6\n", encoding="utf-8")
    with pytest.raises(ProjectInputError, match=r"v.csv: row 3: 经度 '109.x' is not a number"):
        read_points_table(p)


def test_swapped_lonlat_columns(tmp_path: Path) -> None:
    p = tmp_path / "sw.csv"
    p.write_text("lat,lon\n109.99,39.82\n109.79,39.61\n", encoding="utf-8")
    with pytest.raises(CRSMismatchError, match="swapped"):
        read_points_table(p)


def test_gcj02_declared(tmp_path: Path) -> None:
    lon, lat = np.array([109.99, 109.79]), np.array([39.82, 39.61])
    glon, glat = wgs84_to_gcj02(lon, lat)
    p = tmp_path / "amap.csv"
    p.write_text(
        "lng,lat\n" + "".join(f"{a:.10f},{b:.10f}\n" for a, b in zip(glon, glat, strict=True)),
        encoding="utf-8",
    )
    g = read_points_table(p, crs="GCJ-02")
    assert np.abs(g.geometry.x.to_numpy() - lon).max() < 1e-7
    assert np.abs(g.geometry.y.to_numpy() - lat).max() < 1e-7


def test_explicit_columns_and_missing(tmp_path: Path) -> None:
    p = tmp_path / "gk.csv"
    p.write_text("点,X,Y\n1,4386900.0,37395200.0\n", encoding="utf-8")
    g = read_points_table(p, lon="Y", lat="X", crs=4525)
    assert g.geometry.x.iloc[0] == 37395200.0
    with pytest.raises(ProjectInputError, match=r"lon column 'E' not found \(columns: 点, X, Y\)"):
        read_points_table(p, lon="E", lat="X", crs=4525)
    with pytest.raises(LayerIOError, match="file not found"):
        read_points_table(tmp_path / "nope.csv")
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"not a zip")
    with pytest.raises(LayerIOError, match="not a readable XLSX"):
        read_points_table(junk)
