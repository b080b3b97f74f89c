"""Tests for ordos_geo.crs: EPSG table, zone detection, GCJ-02 round trip, plausibility."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import CRS, Geod, Transformer

from ordos_geo.crs import (
    GCJ02,
    ORDOS_BBOX_LONLAT,
    GKZone,
    check_plausible,
    crs_equivalent,
    gcj02_to_wgs84,
    gk_epsg,
    gk_info,
    gk_zone_for_lon,
    normalize_datum,
    parse_crs,
    wgs84_to_gcj02,
    zone_from_easting,
)
from ordos_geo.errors import ConfigError, CRSMismatchError

DATUM_NAMES = {
    "CGCS2000": "China Geodetic Coordinate System 2000",
    "Xian1980": "Xian 1980",
    "Beijing1954": "Beijing 1954",
}


@pytest.mark.parametrize("datum", ["CGCS2000", "Xian1980", "Beijing1954"])
@pytest.mark.parametrize("zone", [25, 34, 35, 36, 37, 38, 45])
@pytest.mark.parametrize("prefixed", [True, False])
def test_gk_epsg_matches_pyproj_definition(datum: str, zone: int, prefixed: bool) -> None:
    crs = CRS.from_epsg(gk_epsg(zone, prefixed=prefixed, datum=datum))
    assert crs.coordinate_operation is not None
    params = crs.coordinate_operation.params
    by_name = {p.name: p.value for p in params}
    assert by_name["Longitude of natural origin"] == 3 * zone
    assert by_name["Scale factor at natural origin"] == 1.0
    expected_fe = zone * 1_000_000 + 500_000 if prefixed else 500_000
    assert by_name["False easting"] == expected_fe
    assert crs.geodetic_crs is not None
    assert crs.geodetic_crs.name == DATUM_NAMES[datum]
    assert gk_info(crs) == GKZone(datum, zone, prefixed)  # type: ignore[arg-type]


def test_gk_epsg_ordos_table() -> None:
    # The codes docs/crs.md lists for Ordos (CM 105/108/111).
    assert [gk_epsg(z) for z in (35, 36, 37)] == [4523, 4524, 4525]
    assert [gk_epsg(z, prefixed=False) for z in (35, 36, 37)] == [4544, 4545, 4546]
    assert [gk_epsg(z, datum="Xian1980") for z in (35, 36, 37)] == [2359, 2360, 2361]
    assert [gk_epsg(z, prefixed=False, datum="西安80") for z in (35, 36, 37)] == [2380, 2381, 2382]
    assert [gk_epsg(z, datum="Beijing1954") for z in (35, 36, 37)] == [2411, 2412, 2413]
    assert [gk_epsg(z, prefixed=False, datum="北京54") for z in (35, 36, 37)] == [2432, 2433, 2434]


def test_gk_epsg_rejects_bad_zone_and_datum() -> None:
    with pytest.raises(ConfigError, match="zone 60"):
        gk_epsg(60)
    with pytest.raises(ConfigError, match="unknown datum"):
        gk_epsg(37, datum="NAD83")


def test_normalize_datum_headers() -> None:
    assert normalize_datum("2000国家大地坐标系") == "CGCS2000"
    assert normalize_datum("CGCS2000") == "CGCS2000"
    assert normalize_datum("1980西安坐标系") == "Xian1980"
    assert normalize_datum("西安1980坐标系") == "Xian1980"
    assert normalize_datum("1954北京坐标系") == "Beijing1954"
    assert normalize_datum("80西安坐标系") == "Xian1980"
    assert normalize_datum("2000国家大地坐标系(CGCS2000)") == "CGCS2000"
    assert normalize_datum("北京54坐标系") == "Beijing1954"
    with pytest.raises(ConfigError, match="unknown datum 'WGS84'"):
        normalize_datum("WGS84")


def test_zone_from_easting_and_lon() -> None:
    assert zone_from_easting(37_395_200.0) == 37
    assert zone_from_easting(36_633_000.0) == 36
    assert zone_from_easting(395_200.0) is None
    assert zone_from_easting(float("nan")) is None
    assert [gk_zone_for_lon(x) for x in (106.8, 108.0, 109.49, 109.51, 111.4)] == [
        36,
        36,
        36,
        37,
        37,
    ]


def test_gk_info_recognises_esri_prj_wkt() -> None:
    esri = (
        'PROJCS["CGCS2000_3_Degree_GK_Zone_37",GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",'
        'DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]],'
        'PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],'
        'PROJECTION["Gauss_Kruger"],PARAMETER["False_Easting",37500000.0],'
        'PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",111.0],'
        'PARAMETER["Scale_Factor",1.0],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]'
    )
    assert gk_info(CRS.from_wkt(esri)) == GKZone("CGCS2000", 37, True)
    custom = CRS.from_proj4("+proj=tmerc +lon_0=108 +k=1 +x_0=500000 +y_0=0 +ellps=GRS80 +units=m")
    assert gk_info(custom) == GKZone("CGCS2000", 36, False)
    assert gk_info(4326) is None


def test_parse_crs_forms() -> None:
    assert parse_crs("GCJ-02") == GCJ02
    assert parse_crs("gcj02") == GCJ02
    assert parse_crs(4490).to_epsg() == 4490  # type: ignore[union-attr]
    assert parse_crs("EPSG:4525").to_epsg() == 4525  # type: ignore[union-attr]
    assert parse_crs("4546").to_epsg() == 4546  # type: ignore[union-attr]
    assert parse_crs("CGCS2000").to_epsg() == 4490  # type: ignore[union-attr]
    with pytest.raises(ConfigError, match=r"catalog.yaml: x.crs: unknown CRS"):
        parse_crs("not a crs", where="catalog.yaml: x.crs")
    with pytest.raises(ConfigError, match="EPSG:999999"):
        parse_crs(999999)


def test_crs_equivalent_rules() -> None:
    assert crs_equivalent(CRS.from_epsg(4490), CRS.from_epsg(4326))
    assert crs_equivalent(CRS.from_epsg(4525), CRS.from_epsg(4525))
    assert not crs_equivalent(CRS.from_epsg(4525), CRS.from_epsg(4546))
    assert not crs_equivalent(CRS.from_epsg(4525), CRS.from_epsg(2361))  # Xian 1980
    assert not crs_equivalent(CRS.from_epsg(4490), CRS.from_epsg(4214))  # Beijing 1954 geog.
    assert not crs_equivalent(CRS.from_epsg(4326), CRS.from_epsg(4525))


def _ordos_lonlat_grid(n: int = 41) -> tuple[np.ndarray, np.ndarray]:
    x0, y0, x1, y1 = ORDOS_BBOX_LONLAT
    lon, lat = np.meshgrid(np.linspace(x0, x1, n), np.linspace(y0, y1, n))
    return lon.ravel(), lat.ravel()


def test_gcj02_round_trip_below_half_metre_over_ordos() -> None:
    lon, lat = _ordos_lonlat_grid()
    glon, glat = wgs84_to_gcj02(lon, lat)
    geod = Geod(ellps="WGS84")
    _, _, shift = geod.inv(lon, lat, glon, glat)
    # The obfuscation itself is hundreds of metres (377-624 m over the padded bbox).
    assert shift.min() > 350 and shift.max() < 700
    blon, blat = gcj02_to_wgs84(glon, glat)
    _, _, err = geod.inv(lon, lat, blon, blat)
    assert err.max() < 0.5
    assert err.max() < 0.001  # measured 3.5e-9 m on a 201x201 grid; the requirement is 0.5 m


def test_gcj02_scalar_and_shape() -> None:
    x, y = gcj02_to_wgs84(*wgs84_to_gcj02(109.99, 39.82))
    assert np.ndim(x) == 0 and abs(float(x) - 109.99) < 1e-8 and abs(float(y) - 39.82) < 1e-8


# --- plausibility -------------------------------------------------------------------

DONGSHENG_LONLAT = (109.9, 39.75, 110.1, 39.9)


def _gk_bounds(epsg: int) -> tuple[float, float, float, float]:
    tr = Transformer.from_crs(4326, epsg, always_xy=True)
    return tr.transform_bounds(*DONGSHENG_LONLAT)


def test_plausible_cases_pass() -> None:
    check_plausible(DONGSHENG_LONLAT, CRS.from_epsg(4490), path="a.gpkg", layer="l")
    check_plausible(DONGSHENG_LONLAT, GCJ02, path="a.gpkg")
    check_plausible(_gk_bounds(4525), CRS.from_epsg(4525), path="a.gpkg")
    check_plausible(_gk_bounds(4546), CRS.from_epsg(4546), path="a.gpkg")
    check_plausible(_gk_bounds(2361), CRS.from_epsg(2361), path="a.gpkg")
    check_plausible((np.nan,) * 4, CRS.from_epsg(4326), path="empty.gpkg")


def test_swapped_lonlat_raises_one_line() -> None:
    x0, y0, x1, y1 = DONGSHENG_LONLAT
    with pytest.raises(CRSMismatchError) as ei:
        check_plausible((y0, x0, y1, x1), CRS.from_epsg(4490), path="pts.csv", layer="sites")
    msg = str(ei.value)
    assert msg.startswith("pts.csv: layer 'sites': longitude and latitude look swapped")
    assert "swap" in msg.split(";")[-1] and "\n" not in msg


def test_gk_metres_declared_as_degrees_suggests_zone() -> None:
    with pytest.raises(CRSMismatchError, match=r"look like metres.*EPSG:4525") as ei:
        check_plausible(_gk_bounds(4525), CRS.from_epsg(4490), path="red.shp")
    assert str(ei.value).startswith("red.shp: ")


def test_unprefixed_gk_declared_as_degrees() -> None:
    with pytest.raises(CRSMismatchError, match="without zone prefix"):
        check_plausible(_gk_bounds(4546), CRS.from_epsg(4326), path="red.shp")


def test_degrees_declared_as_gk() -> None:
    with pytest.raises(CRSMismatchError, match=r"look like degrees.*EPSG:4490"):
        check_plausible(DONGSHENG_LONLAT, CRS.from_epsg(4525), path="a.shp")


def test_prefixed_crs_with_unprefixed_eastings() -> None:
    with pytest.raises(CRSMismatchError, match=r"no zone prefix.*EPSG:4546"):
        check_plausible(_gk_bounds(4546), CRS.from_epsg(4525), path="a.shp")


def test_unprefixed_crs_with_prefixed_eastings() -> None:
    with pytest.raises(CRSMismatchError, match=r"carry zone prefix 37.*EPSG:4525"):
        check_plausible(_gk_bounds(4525), CRS.from_epsg(4546), path="a.shp")


def test_wrong_zone_prefix() -> None:
    with pytest.raises(CRSMismatchError, match=r"zone 37 .*is zone 36; declare crs: EPSG:4525"):
        check_plausible(_gk_bounds(4525), CRS.from_epsg(4524), path="a.shp")


def test_gk_xy_swapped() -> None:
    x0, y0, x1, y1 = _gk_bounds(4525)
    with pytest.raises(CRSMismatchError, match="X and Y look swapped"):
        check_plausible((y0, x0, y1, x1), CRS.from_epsg(4525), path="a.shp")


def test_outside_ordos() -> None:
    beijing = (116.2, 39.8, 116.5, 40.0)
    with pytest.raises(CRSMismatchError, match="outside Ordos"):
        check_plausible(beijing, CRS.from_epsg(4326), path="bj.geojson")
    check_plausible(beijing, CRS.from_epsg(4326), path="bj.geojson", region_lonlat=None)


@settings(max_examples=60, deadline=None)
@given(
    lon=st.floats(ORDOS_BBOX_LONLAT[0], ORDOS_BBOX_LONLAT[2]),
    lat=st.floats(ORDOS_BBOX_LONLAT[1], ORDOS_BBOX_LONLAT[3]),
)
def test_zone_of_projected_point_is_its_prefix(lon: float, lat: float) -> None:
    zone = gk_zone_for_lon(lon)
    x, y = _TO_GK[zone].transform(lon, lat)
    assert zone_from_easting(x) == zone
    assert 4_150_000 < y < 4_540_000  # DATA.md §3 northing range (with margin)
    check_plausible((x, y, x + 1, y + 1), CRS.from_epsg(gk_epsg(zone)), path="p")
    glon, glat = wgs84_to_gcj02(lon, lat)
    blon, blat = gcj02_to_wgs84(glon, glat)
    assert abs(float(blon) - lon) < 1e-8 and abs(float(blat) - lat) < 1e-8


_TO_GK = {z: Transformer.from_crs(4326, gk_epsg(z), always_xy=True) for z in (35, 36, 37)}
