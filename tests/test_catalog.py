"""Layer catalog: strict loading with located errors, user overrides, reading, validation."""

from __future__ import annotations

import logging
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import rasterio
from affine import Affine
from shapely.geometry import LineString, Polygon, box

from ordos_geo.catalog import ENV_LAYERS, Catalog, default_catalog_path
from ordos_geo.crs import WORK_CRS, WORK_CRS_PROJ4
from ordos_geo.errors import ConfigError
from ordos_geo.grid import Grid

# --- fixtures: a tiny catalog with real files -------------------------------------------

#: 0.1° pixels, top-left corner 108° E 40.5° N
DEM_TRANSFORM = Affine(0.1, 0.0, 108.0, 0.0, -0.1, 40.5)

ENTRY = """\
  - id: {id}
    title_zh: {zh}
    title_en: {en}
    kind: {kind}
    path: {path}
    crs: {crs}
    roles: [{roles}]
    provenance: {prov}
    source: test fixture
    licence: CC0
"""


def entry(
    id: str,
    path: str,
    *,
    kind: str = "vector",
    crs: str = "EPSG:4490",
    roles: str = "context",
    prov: str = "derived",
    zh: str = "测试",
    en: str = "Test",
) -> str:
    return ENTRY.format(
        id=id, path=path, kind=kind, crs=crs, roles=roles, prov=prov, zh=zh, en=en
    )


def write_catalog(folder: Path, entries: list[str], name: str = "catalog.yaml") -> Path:
    p = folder / name
    p.write_text("version: 1\nlayers:\n" + "".join(entries), encoding="utf-8")
    return p


def _gpkg(path: Path, geoms: list, crs: object, **cols: list) -> Path:
    gpd.GeoDataFrame(cols, geometry=geoms, crs=crs).to_file(path, driver="GPKG")
    return path


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """Vector and raster files in and around Ordos."""
    d = tmp_path / "layers"
    d.mkdir()
    # two boxes near 东胜 in CGCS2000 lon/lat
    _gpkg(
        d / "parks.gpkg",
        [box(109.9, 39.7, 110.0, 39.8), box(108.7, 39.8, 108.8, 39.9)],
        "EPSG:4490",
        name_zh=["东胜园区", "杭锦园区"],
        area_ha=[1.5, 2.0],
    )
    # a 10 km × 10 km square and an overlapping one (overlap 5 km × 10 km) in the
    # working CRS: dissolved area is 150 km², summed area would be 200 km².
    _gpkg(
        d / "squares.gpkg",
        [box(0, 0, 10_000, 10_000), box(5_000, 0, 15_000, 10_000)],
        WORK_CRS,
        k=[1, 2],
    )
    # a river line in Gauss-Krüger zone 37 (prefixed easting), CGCS2000
    _gpkg(
        d / "river.gpkg",
        [LineString([(37_400_000, 4_400_000), (37_420_000, 4_410_000)])],
        "EPSG:4525",
        name=["河"],
    )
    # a self-intersecting "bow tie" inside Ordos: repaired on read
    _gpkg(
        d / "bowtie.gpkg",
        [Polygon([(109.0, 39.0), (109.2, 39.2), (109.2, 39.0), (109.0, 39.2)])],
        "EPSG:4326",
        k=[1],
    )
    # a layer in Beijing: valid, but not in Ordos
    _gpkg(d / "beijing.gpkg", [box(116.3, 39.8, 116.5, 40.0)], "EPSG:4326", k=[1])
    # a 20 × 10 raster of elevations over Ordos, 0.1° pixels
    arr = (np.arange(200, dtype="int16").reshape(10, 20) + 1000)
    with rasterio.open(
        d / "dem.tif", "w", driver="GTiff", width=20, height=10, count=1, dtype="int16",
        crs="EPSG:4326", transform=DEM_TRANSFORM, nodata=-1,
    ) as dst:
        dst.write(arr, 1)
    return d


@pytest.fixture
def good_catalog(data_dir: Path) -> Path:
    return write_catalog(
        data_dir,
        [
            entry("parks", "parks.gpkg", roles="zoning, preference", zh="园区", en="Parks"),
            entry("squares", "squares.gpkg", crs=WORK_CRS_PROJ4.replace(" +no_defs", "")),
            entry("river", "river.gpkg", crs="4525"),
            entry("dem", "dem.tif", kind="raster", crs="EPSG:4326", roles="factor"),
        ],
    )


def _err(default: Path, user: Path | None = None) -> str:
    with pytest.raises(ConfigError) as exc:
        Catalog.load(user, default=default)
    msg = str(exc.value)
    assert "\n" not in msg
    return msg


# --- loading --------------------------------------------------------------------------


def test_load_good_catalog(good_catalog: Path, data_dir: Path) -> None:
    cat = Catalog.load(default=good_catalog)
    assert cat.ids == ["parks", "squares", "river", "dem"]
    assert [s.id for s in cat] == cat.ids and len(cat) == 4
    assert "parks" in cat and "roads" not in cat
    spec = cat["parks"]
    assert spec.path == (data_dir / "parks.gpkg").resolve() and spec.path.is_absolute()
    assert spec.roles == ["zoning", "preference"]
    assert cat["river"].crs == "EPSG:4525"  # 4525 in YAML (an int) normalised
    assert cat.origin("parks") == good_catalog
    assert [s.id for s in cat.by_role("factor")] == ["dem"]


def test_catalog_file_model_rejects_duplicate_ids() -> None:
    from ordos_geo.catalog import CatalogFile
    from ordos_geo.config import validate

    layer = {"id": "a", "title_zh": "甲", "title_en": "A", "kind": "vector", "path": "a.gpkg",
             "crs": 4490, "roles": ["context"], "provenance": "derived", "source": "s",
             "licence": "l"}
    with pytest.raises(ConfigError, match=r"x.yaml: layers: duplicate layer id 'a' \(layers\[0\] "
                       r"and layers\[1\]\)"):
        validate(CatalogFile, {"version": 1, "layers": [layer, dict(layer)]}, "x.yaml")


def test_unknown_id_lists_available(good_catalog: Path) -> None:
    cat = Catalog.load(default=good_catalog)
    with pytest.raises(ConfigError, match=r"unknown layer id 'roads' \(available: parks, squares"):
        cat["roads"]


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            lambda t: t.replace("    licence: CC0\n", "    licence: CC0\n    colour: red\n", 1),
            "catalog.yaml:13: layers[0]: unknown key 'colour' (expected: id, title_zh,",
        ),
        (
            lambda t: t.replace("roles: [zoning, preference]", "roles: {a: 1}"),
            "catalog.yaml:9: layers[0].roles: Input should be a valid list",
        ),
        (
            lambda t: t.replace("provenance: derived", "provenance: official-ish", 1),
            "catalog.yaml:10: layers[0].provenance: Input should be 'official', 'derived', "
            "'illustrative' or 'user' (got 'official-ish')",
        ),
        (
            lambda t: t.replace("kind: raster", "kind: grid"),
            "layers[3].kind: Input should be 'vector' or 'raster' (got 'grid')",
        ),
        (
            lambda t: t.replace("id: river", "id: parks"),
            "catalog.yaml:23: layers[2].id: duplicate layer id 'parks' (also layers[0])",
        ),
        (
            lambda t: t.replace("crs: 4525", "crs: EPSG:999999"),
            "layers[2].crs: not a CRS pyproj knows ('EPSG:999999')",
        ),
        (
            lambda t: t.replace("path: river.gpkg", "path: rivers_v2.gpkg"),
            "catalog.yaml:27: layers[2].path: file not found (rivers_v2.gpkg",
        ),
        (
            lambda t: t.replace("    path: river.gpkg\n", ""),
            "catalog.yaml:23: layers[2]: missing required key 'path'",
        ),
        (
            lambda t: t.replace("version: 1", "version: 2"),
            "catalog.yaml:1: version: Input should be 1 (got 2)",
        ),
        (
            lambda t: t.replace("id: dem", "id: Dem Model"),
            "layers[3].id: String should match pattern",
        ),
    ],
    ids=["unknown-key", "wrong-type", "bad-provenance", "unknown-kind", "duplicate-id",
         "bad-crs", "missing-file", "missing-path-key", "bad-version", "bad-id"],
)
def test_catalog_errors_name_file_line_and_key(good_catalog: Path, edit, expected: str) -> None:
    good_catalog.write_text(edit(good_catalog.read_text(encoding="utf-8")), encoding="utf-8")
    msg = _err(good_catalog)
    assert expected in msg, msg


def test_missing_default_catalog(tmp_path: Path) -> None:
    msg = _err(tmp_path / "nowhere" / "catalog.yaml")
    assert "catalog.yaml: default catalog not found" in msg


def test_env_var_points_to_default(monkeypatch: pytest.MonkeyPatch, good_catalog: Path) -> None:
    monkeypatch.setenv(ENV_LAYERS, str(good_catalog.parent))  # a folder works
    assert default_catalog_path() == good_catalog.parent / "catalog.yaml"
    assert Catalog.load().ids[0] == "parks"
    monkeypatch.setenv(ENV_LAYERS, str(good_catalog.parent / "other.yaml"))
    assert "other.yaml: default catalog not found; unset ORDOS_GEO_LAYERS" in _err_env()


def _err_env() -> str:
    with pytest.raises(ConfigError) as exc:
        Catalog.load()
    return str(exc.value)


def test_user_catalog_overrides_and_adds(
    good_catalog: Path, data_dir: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    user_dir = tmp_path / "mydata" / "official"
    user_dir.mkdir(parents=True)
    _gpkg(user_dir / "parks_2024.gpkg", [box(109.5, 39.5, 109.6, 39.6)], "EPSG:4490", n=[1])
    _gpkg(user_dir / "red.gpkg", [box(107.0, 39.3, 107.5, 39.6)], "EPSG:4490", n=[1])
    text = entry("parks", "parks_2024.gpkg", prov="official", zh="园区2024", en="Parks 2024")
    text += entry("red_lines_official", "red.gpkg", roles="exclusion").replace(
        "    provenance: derived\n", ""
    )
    user = write_catalog(user_dir, [text], name="mine.yaml")
    with caplog.at_level(logging.INFO, logger="ordos_geo.catalog"):
        cat = Catalog.load(user, default=good_catalog)
    assert cat.ids == ["parks", "squares", "river", "dem", "red_lines_official"]
    assert cat["parks"].title_en == "Parks 2024" and cat["parks"].provenance == "official"
    assert cat["parks"].path == (user_dir / "parks_2024.gpkg").resolve()
    assert cat["red_lines_official"].provenance == "user"  # default in a user catalog
    assert cat.origin("parks") == user and cat.origin("dem") == good_catalog
    assert "replaces layer 'parks'" in caplog.text
    assert "adds layer 'red_lines_official'" in caplog.text
    assert cat.vector("parks").total_bounds[0] == pytest.approx(109.5)


def test_user_catalog_paths_are_relative_to_user_file(good_catalog: Path, tmp_path: Path) -> None:
    user = write_catalog(tmp_path, [entry("extra", "parks.gpkg")], name="user.yaml")
    msg = _err(good_catalog, user)  # parks.gpkg exists next to the default, not the user file
    assert "user.yaml:" in msg and "layers[0].path: file not found (parks.gpkg" in msg


def test_provenance_required_in_default_catalog(good_catalog: Path) -> None:
    text = good_catalog.read_text(encoding="utf-8").replace("    provenance: derived\n", "", 1)
    good_catalog.write_text(text, encoding="utf-8")
    assert "layers[0]: missing required key 'provenance'" in _err(good_catalog)


# --- reading --------------------------------------------------------------------------


def test_vector_reads_reprojects_and_caches(
    good_catalog: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ordos_geo.io.vector as iov

    calls: list[Path] = []
    real = iov.read_vector

    def counting(path, **kw):  # type: ignore[no-untyped-def]
        calls.append(Path(path))
        return real(path, **kw)

    monkeypatch.setattr(iov, "read_vector", counting)
    cat = Catalog.load(default=good_catalog)
    g = cat.vector("river")
    assert g.crs.to_epsg() == 4326
    w, s, e, n = g.total_bounds
    # GK zone 37 (CM 111° E), 100 km west of the CM at ~39.7° N
    assert 109.8 < w < 109.9 and 39.6 < s < 39.8 and e > w and n > s
    g_work = cat.vector("river", crs=WORK_CRS)
    assert g_work.crs == WORK_CRS
    g["name"] = "changed"  # a copy: the cache is not affected
    assert cat.vector("river")["name"].tolist() == ["河"]
    assert len(calls) == 1  # one file read for three requests in two CRSs
    native = cat.vector("river", crs=None)
    assert native.crs.to_epsg() == 4525


def test_vector_of_raster_and_raster_of_vector_fail(good_catalog: Path) -> None:
    cat = Catalog.load(default=good_catalog)
    with pytest.raises(ConfigError, match="layer 'dem' is a raster layer, not vector"):
        cat.vector("dem")
    with pytest.raises(ConfigError, match="layer 'parks' is a vector layer, not raster"):
        cat.raster_path("parks")
    assert cat.raster_path("dem").name == "dem.tif"


def test_raster_to_grid(good_catalog: Path) -> None:
    cat = Catalog.load(default=good_catalog)
    # a 0.1° grid identical to the file: values come through unchanged
    grid = Grid("EPSG:4326", DEM_TRANSFORM, (10, 20))
    arr = cat.raster_to_grid("dem", grid)
    assert arr.shape == (10, 20)
    assert int(arr[0, 0]) == 1000 and int(arr[9, 19]) == 1199


# --- validation and listings ----------------------------------------------------------


def test_validate_good_catalog(good_catalog: Path) -> None:
    report = Catalog.load(default=good_catalog).validate()
    assert report.ok, report.problems
    by_id = {c.id: c for c in report.checks}
    assert by_id["parks"].status == "ok" and by_id["parks"].features == 2
    assert by_id["dem"].size == (20, 10, 1)
    assert by_id["dem"].bounds_lonlat == pytest.approx((108.0, 39.5, 110.0, 40.5))
    assert report.lines()[0] == "parks: OK (2 features)"


@pytest.mark.filterwarnings("ignore:.crs. was not provided")
def test_validate_collects_problems(data_dir: Path) -> None:
    # metres declared as degrees, a layer outside Ordos, a repaired bow tie
    (data_dir / "metres.gpkg").unlink(missing_ok=True)
    _gpkg(
        data_dir / "metres.gpkg",
        [box(37_400_000, 4_400_000, 37_401_000, 4_401_000)],
        None,
        k=[1],
    )
    cat_path = write_catalog(
        data_dir,
        [
            entry("bowtie", "bowtie.gpkg", crs="EPSG:4326"),
            entry("beijing", "beijing.gpkg", crs="EPSG:4326"),
            entry("metres", "metres.gpkg", crs="EPSG:4490"),
            entry("parks", "parks.gpkg"),
        ],
        name="broken.yaml",
    )
    report = Catalog.load(default=cat_path).validate()
    assert not report.ok
    status = {c.id: c.status for c in report.checks}
    assert status == {"bowtie": "repaired", "beijing": "problem", "metres": "problem",
                      "parks": "ok"}
    assert report.checks[0].repaired == 1
    assert report.lines()[0].startswith("bowtie: REPAIRED 1 geometries")
    assert len(report.problems) == 2
    assert all("\n" not in p for p in report.problems)
    assert report.problems[0].startswith("beijing: ")
    assert "Ordos" in report.problems[0]
    assert report.problems[1].startswith("metres: ") and "metres" in report.problems[1]


def test_summary_rows_with_dissolved_area(good_catalog: Path) -> None:
    rows = {r["id"]: r for r in Catalog.load(default=good_catalog).summary_rows(area=True)}
    assert rows["squares"]["area_km2"] == pytest.approx(150.0, rel=1e-9)
    assert rows["squares"]["features"] == 2
    assert rows["river"]["area_km2"] is None  # lines have no area
    assert rows["dem"]["size"] == "20x10" and rows["dem"]["features"] is None
    assert rows["parks"]["roles"] == ["zoning", "preference"]
    # parks: two 0.1° boxes at ~39.8° N ≈ 2 × 8.55 km × 11.1 km ≈ 190 km²
    assert 180 < rows["parks"]["area_km2"] < 200


def test_describe_vector_and_raster(good_catalog: Path) -> None:
    cat = Catalog.load(default=good_catalog)
    d = cat.describe("parks")
    assert d["features"] == 2 and d["geometry_types"] == ["Polygon"]
    assert d["schema"] == {"name_zh": "str", "area_ha": "float64"}
    assert d["bounds_lonlat"] == pytest.approx([108.7, 39.7, 110.0, 39.9])
    r = cat.describe("dem")
    assert r["size"] == {"width": 20, "height": 10, "bands": 1}
    assert r["dtype"] == "int16" and r["nodata"] == -1


def test_reprojection_repairs_invalid_geometries() -> None:
    from ordos_geo.catalog.registry import _repair_after_reprojection

    bowtie = Polygon([(0, 0), (10, 10), (10, 0), (0, 10)])
    gdf = gpd.GeoDataFrame({"k": [1, 2]}, geometry=[bowtie, box(20, 0, 30, 10)], crs=WORK_CRS)
    out = _repair_after_reprojection(gdf, "x")
    assert out.is_valid.all()
    assert out.geom_type.tolist() == ["MultiPolygon", "Polygon"]  # still polygons
    assert out.area.iloc[0] == pytest.approx(50.0)  # two triangles of 25 m²
    assert not gdf.is_valid.iloc[0]  # the input frame is not modified


def test_docs_example_gbk_shapefile_gk_zone36(good_catalog: Path, tmp_path: Path) -> None:
    """docs/catalog.md: official red lines as a GBK shapefile (no .cpg) in GK zone 36."""
    folder = tmp_path / "my_ordos" / "红线"
    folder.mkdir(parents=True)
    shp = folder / "生态保护红线.shp"
    # 10 km × 10 km at northing 4,400 km, 60 km east of 108° E (prefixed easting)
    gpd.GeoDataFrame(
        {"name_zh": ["杭锦旗生态红线"]},
        geometry=[box(36_560_000, 4_400_000, 36_570_000, 4_410_000)],
        crs="EPSG:4524",
    ).to_file(shp, encoding="GBK")
    shp.with_suffix(".cpg").unlink()
    user = write_catalog(
        tmp_path / "my_ordos",
        [
            "  - id: red_lines\n    title_zh: 生态保护红线（官方）\n"
            "    title_en: Ecological protection red lines (official)\n    kind: vector\n"
            "    path: 红线/生态保护红线.shp\n    crs: EPSG:4524\n    encoding: GBK\n"
            "    roles: [zoning, exclusion]\n    provenance: official\n"
            "    source: 鄂尔多斯市自然资源局\n    licence: internal\n    vintage: \"2023\"\n"
        ],
        name="official.yaml",
    )
    cat = Catalog.load(user, default=good_catalog)
    g = cat.vector("red_lines")
    assert g["name_zh"].tolist() == ["杭锦旗生态红线"]
    w, s, e, n = g.total_bounds
    assert 108.6 < w < 108.8 and 39.6 < s < 39.8  # ~108.7° E, 39.7° N (杭锦旗)
    assert 0.11 < e - w < 0.13 and 0.08 < n - s < 0.1  # 10 km ≈ 0.117° lon, 0.09° lat
    rows = {r["id"]: r for r in cat.summary_rows(area=True)}
    assert rows["red_lines"]["area_km2"] == pytest.approx(100.0, rel=2e-3)  # GK scale ≈ 1
    assert cat.validate().ok
