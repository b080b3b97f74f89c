"""Tests for ordos_geo.io.vector on small files built in tmp_path."""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import shapely
from pyproj import Transformer
from shapely.geometry import Point, Polygon, box

from ordos_geo.crs import wgs84_to_gcj02
from ordos_geo.errors import CRSMismatchError, LayerIOError, OutputError
from ordos_geo.io.vector import (
    clean_geometries,
    detect_dbf_encoding,
    list_layers,
    read_vector,
    write_gpkg,
)

NAMES = ["鄂尔多斯市", "东胜区", "康巴什区"]


def _towns(crs: int | str = 4490) -> gpd.GeoDataFrame:
    pts = [Point(109.99, 39.82), Point(109.79, 39.61), Point(110.04, 40.40)]
    return gpd.GeoDataFrame({"name_zh": NAMES, "n": [1, 2, 3]}, geometry=pts, crs=crs)


def _snapshot(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file()
    }


def test_gbk_shapefile_without_cpg(tmp_path: Path) -> None:
    shp = tmp_path / "towns.shp"
    pyogrio.write_dataframe(_towns(), shp, encoding="GBK")
    (tmp_path / "towns.cpg").unlink()
    dbf = (tmp_path / "towns.dbf").read_bytes()
    assert "东胜区".encode("gbk") in dbf and "东胜区".encode() not in dbf
    assert detect_dbf_encoding(tmp_path / "towns.dbf") == "GB18030"
    before = _snapshot(tmp_path)
    gdf = read_vector(shp)
    assert list(gdf["name_zh"]) == NAMES
    assert gdf.crs.to_epsg() == 4490
    assert _snapshot(tmp_path) == before  # no .cpg/.qix/.aux.xml written, bytes unchanged


def test_utf8_shapefile_without_cpg(tmp_path: Path) -> None:
    shp = tmp_path / "towns.shp"
    pyogrio.write_dataframe(_towns(), shp, encoding="UTF-8")
    (tmp_path / "towns.cpg").unlink()
    assert detect_dbf_encoding(tmp_path / "towns.dbf") == "UTF-8"
    assert list(read_vector(shp)["name_zh"]) == NAMES


def test_gpkg_geojson_kml_read_and_unchanged(tmp_path: Path) -> None:
    g = _towns()
    write_gpkg(g, tmp_path / "a.gpkg", layer="towns")
    g.to_file(tmp_path / "a.geojson", engine="pyogrio")
    g.to_crs(4326).to_file(tmp_path / "a.kml", driver="KML", engine="pyogrio")
    before = _snapshot(tmp_path)
    for name in ("a.gpkg", "a.geojson", "a.kml"):
        out = read_vector(tmp_path / name)
        assert len(out) == 3, name
        assert out.crs.to_epsg() in (4326, 4490), name
        assert np.allclose(out.geometry.x.to_numpy(), g.geometry.x.to_numpy()), name
    assert set(read_vector(tmp_path / "a.kml").columns) >= {"name_zh", "geometry"}
    assert _snapshot(tmp_path) == before


def test_gk_shapefile_declared_crs_equivalence(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    g = _towns(4326)
    p = tmp_path / "t.gpkg"
    write_gpkg(g, p, layer="t")
    with caplog.at_level(logging.INFO, logger="ordos_geo.io.vector"):
        out = read_vector(p, crs="EPSG:4490")
    assert "equivalent" in caplog.text
    assert len(out) == 3
    with pytest.raises(CRSMismatchError, match=r"t.gpkg: layer 't': file CRS EPSG:4326 differs"):
        read_vector(p, crs=4525)


def test_missing_crs_error_and_declared(tmp_path: Path) -> None:
    shp = tmp_path / "noprj.shp"
    g = _towns().to_crs(4525)
    pyogrio.write_dataframe(g, shp)
    (tmp_path / "noprj.prj").unlink()
    with pytest.raises(CRSMismatchError, match=r"noprj.shp.*no CRS.*declare crs:"):
        read_vector(shp)
    out = read_vector(shp, crs=4525)
    assert out.crs.to_epsg() == 4525
    # Wrong declaration of the same file: metres declared as degrees.
    with pytest.raises(CRSMismatchError, match=r"look like metres.*EPSG:4525"):
        read_vector(shp, crs=4490)


def test_gcj02_declared_is_converted(tmp_path: Path) -> None:
    g = _towns(4326)
    glon, glat = wgs84_to_gcj02(g.geometry.x.to_numpy(), g.geometry.y.to_numpy())
    gj = g.set_geometry(gpd.points_from_xy(glon, glat), crs=4326)
    p = tmp_path / "amap.geojson"
    gj.to_file(p, engine="pyogrio")
    out = read_vector(p, crs="GCJ-02")
    assert out.crs.to_epsg() == 4326
    assert np.abs(out.geometry.x.to_numpy() - g.geometry.x.to_numpy()).max() < 1e-8
    assert np.abs(out.geometry.y.to_numpy() - g.geometry.y.to_numpy()).max() < 1e-8
    with pytest.raises(CRSMismatchError, match="declared GCJ-02 but the file is in EPSG:4525"):
        src = tmp_path / "gk.gpkg"
        write_gpkg(g.to_crs(4525), src, layer="gk")
        read_vector(src, crs="GCJ-02")


def test_repair_and_empty_drop_reported(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    bow = Polygon([(109.0, 39.0), (109.1, 39.1), (109.1, 39.0), (109.0, 39.1)])
    good = box(109.2, 39.2, 109.3, 39.3)
    g = gpd.GeoDataFrame({"k": [1, 2, 3, 4]}, geometry=[bow, good, Polygon(), None], crs=4490)
    p = tmp_path / "bad.gpkg"
    pyogrio.write_dataframe(g, p, layer="bad")
    with caplog.at_level(logging.WARNING, logger="ordos_geo.io.vector"):
        out = read_vector(p)
    assert out.attrs["repaired"] == 1
    assert out.attrs["dropped_empty"] == 2
    assert list(out["k"]) == [1, 2]
    assert out.is_valid.all()
    assert set(out.geom_type) <= {"Polygon", "MultiPolygon"}
    # bow tie of two triangles: 2 * 0.05*0.1/2 = 0.005 deg²
    assert out.geometry.iloc[0].area == pytest.approx(0.005)
    assert "1 invalid geometry repaired" in caplog.text
    assert "2 null/empty geometries dropped" in caplog.text


def test_z_dropped_from_file_and_m_dropped(tmp_path: Path) -> None:
    pz = Polygon([(109.0, 39.0, 1200.0), (109.1, 39.0, 1210.0), (109.1, 39.1, 1220.0)])
    g = gpd.GeoDataFrame({"k": [1]}, geometry=[pz], crs=4490)
    p = tmp_path / "z.gpkg"
    pyogrio.write_dataframe(g, p)
    assert pyogrio.read_info(p)["geometry_type"].endswith("Z")
    out = read_vector(p)
    assert not out.has_z.any()
    m = shapely.from_wkt("LINESTRING M (109 39 5, 109.1 39.1 6)")
    cleaned = clean_geometries(gpd.GeoDataFrame(geometry=[m], crs=4490), path="m")
    assert not shapely.has_m(cleaned.geometry.array).any()
    assert cleaned.geometry.iloc[0].wkt == "LINESTRING (109 39, 109.1 39.1)"


def test_swapped_axes_in_file(tmp_path: Path) -> None:
    g = _towns(4326)
    sw = g.set_geometry(gpd.points_from_xy(g.geometry.y, g.geometry.x), crs=4326)
    p = tmp_path / "sw.geojson"
    sw.to_file(p, engine="pyogrio")
    with pytest.raises(CRSMismatchError, match=r"sw.geojson.*swapped"):
        read_vector(p)


def test_io_errors_are_one_line(tmp_path: Path) -> None:
    with pytest.raises(LayerIOError, match=r"nope.gpkg: file not found"):
        read_vector(tmp_path / "nope.gpkg")
    bad = tmp_path / "bad.gpkg"
    bad.write_bytes(b"not a geopackage" * 20)
    with pytest.raises(LayerIOError, match=r"bad.gpkg: not a readable vector file") as ei:
        read_vector(bad)
    assert "\n" not in str(ei.value)
    trunc = tmp_path / "t.geojson"
    trunc.write_text('{"type": "FeatureCollection", "features": [')
    with pytest.raises(LayerIOError, match=r"t\.geojson: not a readable .*Unterminated"):
        read_vector(trunc)
    # missing sidecars
    shp = tmp_path / "s.shp"
    pyogrio.write_dataframe(_towns(), shp)
    (tmp_path / "s.shx").unlink()
    with pytest.raises(LayerIOError, match=r"s.shp: .shx file missing"):
        read_vector(shp)
    shp2 = tmp_path / "d.shp"
    pyogrio.write_dataframe(_towns(), shp2)
    (tmp_path / "d.dbf").unlink()
    with pytest.raises(LayerIOError, match=r"d.shp: .dbf file missing"):
        read_vector(shp2)


def test_layers_missing_and_ambiguous(tmp_path: Path) -> None:
    p = tmp_path / "multi.gpkg"
    write_gpkg(_towns(), p, layer="towns")
    write_gpkg(_towns().iloc[:1], p, layer="seat")
    assert sorted(list_layers(p)) == ["seat", "towns"]
    assert len(read_vector(p, layer="towns")) == 3
    assert len(read_vector(p, layer="seat")) == 1
    with pytest.raises(LayerIOError, match=r"layer 'roads' not found \(available: .*towns"):
        read_vector(p, layer="roads")
    with pytest.raises(LayerIOError, match="has 2 layers"):
        read_vector(p)


def test_write_gpkg_overwrite_rules(tmp_path: Path) -> None:
    p = tmp_path / "o.gpkg"
    write_gpkg(_towns(), p, layer="a")
    with pytest.raises(OutputError, match="pass --overwrite"):
        write_gpkg(_towns(), p, layer="a", overwrite=False)
    write_gpkg(_towns().iloc[:2], p, layer="a")
    assert len(read_vector(p, layer="a")) == 2
    leftovers = [q.name for q in tmp_path.iterdir() if q.name != "o.gpkg"]
    assert leftovers == []
    with pytest.raises(OutputError, match="no CRS"):
        write_gpkg(gpd.GeoDataFrame(geometry=[Point(0, 0)]), tmp_path / "n.gpkg", layer="x")


def test_gk_file_round_trip_in_4525(tmp_path: Path) -> None:
    tr = Transformer.from_crs(4490, 4525, always_xy=True)
    x, y = tr.transform(109.99, 39.82)
    assert 37_367_000 < x < 37_541_000 and 4_162_000 < y < 4_526_000  # DATA.md §3 ranges
    g = gpd.GeoDataFrame({"k": [1]}, geometry=[box(x, y, x + 200, y + 100)], crs=4525)
    p = tmp_path / "gk.shp"
    pyogrio.write_dataframe(g, p)
    out = read_vector(p, crs="EPSG:4525")
    assert out.geometry.iloc[0].area == pytest.approx(20_000.0)


def test_geojson_in_gk_metres_without_crs_member(tmp_path: Path) -> None:
    p = tmp_path / "gk.geojson"
    p.write_text(
        '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": '
        '{"名称": "地块"}, "geometry": {"type": "Polygon", "coordinates": [[[37395200, 4386800], '
        "[37395400, 4386800], [37395400, 4386900], [37395200, 4386900], [37395200, 4386800]]]}}]}",
        encoding="utf-8",
    )
    with pytest.raises(CRSMismatchError, match=r"look like metres.*EPSG:4525"):
        read_vector(p)  # GDAL reports WGS84 for GeoJSON without "crs"
    out = read_vector(p, crs="EPSG:4525")
    assert out.crs.to_epsg() == 4525
    assert out.geometry.iloc[0].area == pytest.approx(20_000.0)
    with pytest.raises(CRSMismatchError, match=r"carry zone prefix 37.*EPSG:4525"):
        read_vector(p, crs="EPSG:4546")


def test_gbk_field_names_without_cpg(tmp_path: Path) -> None:
    g = gpd.GeoDataFrame(
        {"名称": ["A", "B"]}, geometry=[Point(109.9, 39.8), Point(110, 39.7)], crs=4490
    )
    shp = tmp_path / "n.shp"
    pyogrio.write_dataframe(g, shp, encoding="GBK")
    (tmp_path / "n.cpg").unlink()
    assert detect_dbf_encoding(tmp_path / "n.dbf") == "GB18030"
    assert list(read_vector(shp).columns) == ["名称", "geometry"]


def test_zipped_gbk_shapefile_in_subfolder(tmp_path: Path) -> None:
    import zipfile

    parts = tmp_path / "parts"
    parts.mkdir()
    pyogrio.write_dataframe(_towns(), parts / "towns.shp", encoding="GBK")
    (parts / "towns.cpg").unlink()
    zp = tmp_path / "towns.zip"
    with zipfile.ZipFile(zp, "w") as zf:
        for f in sorted(parts.iterdir()):
            zf.write(f, f"数据/{f.name}")
        zf.writestr("readme.txt", "说明")
    before = zp.read_bytes()
    out = read_vector(zp)
    assert list(out["name_zh"]) == NAMES
    assert list_layers(zp) == ["towns"]
    assert zp.read_bytes() == before
    # two data sets in one zip: layer picks the file
    with zipfile.ZipFile(zp, "a") as zf:
        zf.writestr("other.geojson", _towns().to_json())
    with pytest.raises(LayerIOError, match=r"holds 2 vector files .*choose one with layer:"):
        read_vector(zp)
    assert len(read_vector(zp, layer="other")) == 3
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"PK not really")
    with pytest.raises(LayerIOError, match="not a readable zip"):
        read_vector(bad)
