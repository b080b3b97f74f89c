"""Builders of bad inputs, each returning a :class:`Case` run by ``tests/test_bad_inputs.py``.

Every builder writes its files into a fresh folder (``tmp_path``) deterministically
and says how the real CLI must react (see :class:`bad_inputs.common.Case`).
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import shapely

from bad_inputs.common import (
    GK37,
    LAT0,
    LON0,
    SQUARE,
    Case,
    catalog_entry,
    check_argv,
    coordfile_text,
    gk_square,
    only_layer,
    projects_csv,
    pv_row,
    square_gdf,
    write_catalog,
    write_gdf,
    write_tif,
)

__all__ = ["CASES", "SQUARE", "Case", "square_gdf", "write_gdf"]


# ------------------------------------------------------------------ layer cases
def layer_self_intersecting(d: Path) -> Case:
    bowtie = shapely.Polygon([(LON0, LAT0), (LON0 + .01, LAT0 + .01), (LON0 + .01, LAT0),
                              (LON0, LAT0 + .01), (LON0, LAT0)])
    p = write_gdf(gpd.GeoDataFrame({"name": ["蝴蝶"]}, geometry=[bowtie], crs=4326),
                  d / "bowtie.gpkg")
    return Case(["layers", "validate"], 0, ("bad: REPAIRED 1",), "REPAIRED",
                inputs=[d], env=only_layer(d, p.name))


def layer_empty_polygons(d: Path) -> Case:
    gdf = gpd.GeoDataFrame({"name": ["ok", "empty"]}, geometry=[SQUARE, shapely.Polygon()],
                           crs=4326)
    p = write_gdf(gdf, d / "empties.gpkg")
    return Case(["layers", "validate"], 0, ("bad: OK (1 feature)",), "",
                inputs=[d], env=only_layer(d, p.name))


def layer_empty(d: Path) -> Case:
    p = write_gdf(square_gdf().iloc[:0], d / "empty.gpkg")
    return Case(["layers", "validate"], 1, ("empty.gpkg", "bad", "no features"),
                "no features; check the file and its layer", inputs=[d],
                env=only_layer(d, p.name), one_line=False)


def shp_square(d: Path, stem: str, crs: int | None = 4326) -> Path:
    return write_gdf(square_gdf(crs=crs), d / f"{stem}.shp")


def layer_shp_missing_prj(d: Path) -> Case:
    p = shp_square(d, "noprj")
    p.with_suffix(".prj").unlink()
    return Case(["layers", "validate"], 0, ("bad: OK (1 feature)",), "", inputs=[d],
                env=only_layer(d, p.name))


def layer_shp_missing_shx(d: Path) -> Case:
    p = shp_square(d, "noshx")
    p.with_suffix(".shx").unlink()
    return Case(["layers", "validate"], 1, ("noshx.shp", ".shx"), ".shx file missing", inputs=[d],
                env=only_layer(d, p.name), one_line=False)


def layer_shp_missing_dbf(d: Path) -> Case:
    p = shp_square(d, "nodbf")
    p.with_suffix(".dbf").unlink()
    return Case(["layers", "validate"], 1, ("nodbf.shp", ".dbf"), ".dbf file missing", inputs=[d],
                env=only_layer(d, p.name), one_line=False)


def layer_gbk_dbf_no_cpg(d: Path) -> Case:
    p = d / "gbk.shp"
    pyogrio.write_dataframe(square_gdf("鄂尔多斯红线"), p, driver="ESRI Shapefile",
                            encoding="GBK")
    p.with_suffix(".cpg").unlink(missing_ok=True)
    return Case(["layers", "validate"], 0, ("bad: OK (1 feature)",), "", inputs=[d],
                env=only_layer(d, p.name))


def layer_latlon_swapped(d: Path) -> Case:
    swapped = shapely.transform(SQUARE, lambda xy: xy[:, ::-1])
    p = write_gdf(gpd.GeoDataFrame({"name": ["x"]}, geometry=[swapped], crs=4326),
                  d / "swapped.gpkg")
    return Case(["layers", "validate"], 1, ("swapped.gpkg", "bad", "swapped"),
                "longitude and latitude look swapped",
                inputs=[d], env=only_layer(d, p.name), one_line=False)


def layer_gk_declared_degrees(d: Path) -> Case:
    ring = [(e, n) for n, e in gk_square()]
    p = write_gdf(gpd.GeoDataFrame({"name": ["x"]}, geometry=[shapely.Polygon(ring)], crs=None),
                  d / "gk.shp")
    p.with_suffix(".prj").unlink(missing_ok=True)
    return Case(["layers", "validate"], 1, ("gk.shp", "bad", "metres"),
                "coordinates look like metres",
                inputs=[d], env=only_layer(d, p.name, crs="EPSG:4490"), one_line=False)


def layer_outside_ordos(d: Path) -> Case:
    beijing = shapely.box(116.3, 39.9, 116.4, 40.0)
    p = write_gdf(gpd.GeoDataFrame({"name": ["北京"]}, geometry=[beijing], crs=4326),
                  d / "beijing.gpkg")
    return Case(["layers", "validate"], 1, ("beijing.gpkg", "bad", "Ordos"),
                "data lie outside Ordos",
                inputs=[d], env=only_layer(d, p.name), one_line=False)


def layer_mixed_geometry_types(d: Path) -> Case:
    fc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "面"},
         "geometry": shapely.geometry.mapping(SQUARE)},
        {"type": "Feature", "properties": {"name": "点"},
         "geometry": {"type": "Point", "coordinates": [LON0 + .02, LAT0 + .02]}},
        {"type": "Feature", "properties": {"name": "线"},
         "geometry": {"type": "LineString", "coordinates": [[LON0, LAT0], [LON0 + .03, LAT0]]}},
    ]}
    p = d / "mixed.geojson"
    p.write_text(json.dumps(fc, ensure_ascii=False), encoding="utf-8")
    return Case(["layers", "validate"], 0, ("bad: OK (3 features)",), "", inputs=[d],
                env=only_layer(d, p.name))


def layer_zm_geometries(d: Path) -> Case:
    z = shapely.force_3d(SQUARE, 1200.0)
    p = write_gdf(gpd.GeoDataFrame({"name": ["z"]}, geometry=[z], crs=4326), d / "z.gpkg")
    return Case(["layers", "validate"], 0, ("bad: OK (1 feature)",), "", inputs=[d],
                env=only_layer(d, p.name))


def layer_html_and_long_names(d: Path) -> Case:
    evil = "<script>alert('x')</script>" + "长" * 600
    p = write_gdf(square_gdf(evil), d / "evil.gpkg")
    return Case(["layers", "show", "bad"], 0, ("features:", "1"), "", inputs=[d],
                env=only_layer(d, p.name))


def layer_nan_coordinates(d: Path) -> Case:
    p = d / "nan.geojson"
    p.write_text('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": '
                 '{}, "geometry": {"type": "Point", "coordinates": [NaN, 39.5]}}]}',
                 encoding="utf-8")
    return Case(["layers", "validate"], 1, ("nan.geojson", "feature 1"),
                "NaN or infinite coordinates", inputs=[d], env=only_layer(d, p.name),
                one_line=False)


# ------------------------------------------------------------------ raster cases
def raster_no_overlap(d: Path) -> Case:
    p = write_tif(d / "beijing.tif", np.ones((10, 10), "uint8"), west=116.3, north=40.0)
    return Case(["layers", "validate"], 1, ("beijing.tif", "bad", "Ordos"),
                "data lie outside Ordos",
                inputs=[d], env=only_layer(d, p.name, kind="raster"), one_line=False)


def raster_corrupt(d: Path) -> Case:
    good = write_tif(d / "good.tif", np.ones((10, 10), "uint8"))
    data = good.read_bytes()
    p = d / "corrupt.tif"
    p.write_bytes(data[: len(data) // 3])
    good.unlink()
    return Case(["layers", "validate"], 1, ("corrupt.tif",), "not a readable raster", inputs=[d],
                env=only_layer(d, p.name, kind="raster"), one_line=False)


def raster_not_a_tiff(d: Path) -> Case:
    p = d / "text.tif"
    p.write_bytes(b"this is not a GeoTIFF\n" * 10)
    return Case(["layers", "validate"], 1, ("text.tif",), "not a readable raster", inputs=[d],
                env=only_layer(d, p.name, kind="raster"), one_line=False)


def raster_without_crs(d: Path) -> Case:
    p = write_tif(d / "nocrs.tif", np.ones((10, 10), "uint8"), crs=None)
    return Case(["layers", "validate"], 0, ("bad: OK (10x10 px",), "", inputs=[d],
                env=only_layer(d, p.name, kind="raster"))


def elig_config(d: Path, body: str) -> Path:
    p = d / "elig.yaml"
    p.write_text(body, encoding="utf-8")
    return p


def _elig_raster_case(d: Path, arr: np.ndarray, nodata: float | None) -> Case:
    write_tif(d / "ras.tif", arr, west=106.0, north=41.5, res=0.1, nodata=nodata)
    cfg = elig_config(d, "region: {layer: city}\nres_m: 5000\nraster_exclusions:\n"
                         "  - {layer: ras.tif, codes: [1], reason: test}\n")
    return Case(["eligibility", "--config", str(cfg)], 0, ("ras.tif", "no valid pixels"),
                "no valid pixels", inputs=[d], one_line=False)


def raster_all_nodata(d: Path) -> Case:
    return _elig_raster_case(d, np.full((60, 60), 255, "uint8"), 255)


def raster_nan(d: Path) -> Case:
    return _elig_raster_case(d, np.full((60, 60), np.nan, "float32"), None)


# ------------------------------------------------------------------ catalog YAML cases
def catalog_user(d: Path, entries: str) -> tuple[Path, list[str]]:
    write_gdf(square_gdf(), d / "ok.gpkg")
    cat = write_catalog(d, entries, name="mine.yaml")
    return cat, ["layers", "list", "--catalog", str(cat)]


def catalog_unknown_key(d: Path) -> Case:
    _cat, argv = catalog_user(d, catalog_entry("mine", "ok.gpkg", extra="  colour: red\n"))
    return Case(argv, 1, ("mine.yaml", "colour", "unknown key"), "unknown key", inputs=[d])


def catalog_wrong_type(d: Path) -> Case:
    _cat, argv = catalog_user(d, catalog_entry("mine", "ok.gpkg", roles="5"))
    return Case(argv, 1, ("mine.yaml", "roles"), "Input should be a valid list", inputs=[d])


def catalog_bad_crs(d: Path) -> Case:
    _cat, argv = catalog_user(d, catalog_entry("mine", "ok.gpkg", crs="EPSG:99999"))
    return Case(argv, 1, ("mine.yaml", "crs", "EPSG:99999"),
                "not a CRS pyproj knows", inputs=[d])


def catalog_missing_path(d: Path) -> Case:
    _cat, argv = catalog_user(d, catalog_entry("mine", "gone.gpkg"))
    return Case(argv, 1, ("mine.yaml", "gone.gpkg", "file not found"), "file not found",
                inputs=[d])


def catalog_yaml_syntax(d: Path) -> Case:
    cat = d / "mine.yaml"
    cat.write_text("version: 1\nlayers:\n  - id: [unclosed\n    kind: vector\n", encoding="utf-8")
    return Case(["layers", "list", "--catalog", str(cat)], 1, ("mine.yaml:",), "YAML syntax error",
                inputs=[d])


def catalog_non_utf8(d: Path) -> Case:
    write_gdf(square_gdf(), d / "ok.gpkg")
    cat = d / "mine.yaml"
    text = "version: 1\nlayers:\n" + textwrap.indent(catalog_entry("mine", "ok.gpkg"), "  ")
    cat.write_bytes(text.encode("gbk"))
    return Case(["layers", "list", "--catalog", str(cat)], 1, ("mine.yaml", "UTF-8"),
                "not valid UTF-8", inputs=[d])


def catalog_duplicate_ids(d: Path) -> Case:
    entry = catalog_entry("mine", "ok.gpkg")
    _cat, argv = catalog_user(d, entry + entry)
    return Case(argv, 1, ("mine.yaml", "mine", "duplicate"), "duplicate layer id", inputs=[d])


def catalog_missing_file(d: Path) -> Case:
    return Case(["layers", "list", "--catalog", str(d / "nowhere.yaml")], 1,
                ("nowhere.yaml",), "file not found; check the path", inputs=[d])


# ------------------------------------------------------------------ analysis configs
def elig_unknown_key(d: Path) -> Case:
    cfg = elig_config(d, "region: {layer: city}\nres_m: 5000\nresolution: 30\n")
    return Case(["eligibility", "--config", str(cfg)], 1, ("elig.yaml", "resolution"),
                "unknown key", inputs=[d])


def elig_wrong_type(d: Path) -> Case:
    cfg = elig_config(d, "region: {layer: city}\nres_m: fine\n")
    return Case(["eligibility", "--config", str(cfg)], 1, ("elig.yaml", "res_m"),
                "Input should be a valid number",
                inputs=[d])


def elig_negative_buffer(d: Path) -> Case:
    cfg = elig_config(d, "region: {layer: city}\nres_m: 5000\nvector_exclusions:\n"
                         "  - {layer: red_lines, buffer_m: -50, reason: x}\n")
    return Case(["eligibility", "--config", str(cfg)], 1, ("elig.yaml", "buffer_m"),
                "Input should be greater than or equal to 0",
                inputs=[d])


def elig_unknown_layer(d: Path) -> Case:
    cfg = elig_config(d, "region: {layer: city}\nres_m: 5000\nvector_exclusions:\n"
                         "  - {layer: no_such_layer, reason: x}\n")
    return Case(["eligibility", "--config", str(cfg)], 1, ("elig.yaml", "no_such_layer"),
                "unknown layer id", inputs=[d])


def elig_missing_config(d: Path) -> Case:
    return Case(["eligibility", "--config", str(d / "absent.yaml")], 1, ("absent.yaml",),
                "file not found; check the path", inputs=[d])


def siting_unknown_key(d: Path) -> Case:
    cfg = d / "pv.yaml"
    cfg.write_text("kind: pv\ngrid: {res_m: 5000, region: city}\nsun_hours: 3000\n",
                   encoding="utf-8")
    out = d / "out"
    return Case(["siting", "pv", "--config", str(cfg), "--out", str(out)], 1,
                ("pv.yaml", "sun_hours"), "unknown key", inputs=[cfg], outputs=[out])


# ------------------------------------------------------------------ rules
def rules_missing_layer(d: Path) -> Case:
    rules = d / "rules.yaml"
    rules.write_text(textwrap.dedent("""\
        version: 1
        rules:
          - id: X-1
            title_zh: 测试
            title_en: test
            citation: {doc_no: test, title: test, clause: "1", quote: test}
            applies: {industries: [pv]}
            spatial: {predicate: inside, any_of: [no_such_layer], if_layer_missing: error}
            severity: prohibited
            message: {zh: 测试, en: test}
        """), encoding="utf-8")
    csv = d / "p.csv"
    csv.write_text(projects_csv([pv_row()]), encoding="utf-8")
    return Case(check_argv(d, csv, extra=("--rules", str(rules))), 1,
                ("rules.yaml", "no_such_layer"), "is not in the catalog", inputs=[rules, csv],
                outputs=[d / "out"])


def rules_unknown_key(d: Path) -> Case:
    rules = d / "rules.yaml"
    rules.write_text("version: 1\nrules: []\nextra_key: 1\n", encoding="utf-8")
    csv = d / "p.csv"
    csv.write_text(projects_csv([pv_row()]), encoding="utf-8")
    return Case(check_argv(d, csv, extra=("--rules", str(rules))), 1,
                ("rules.yaml", "extra_key"), "unknown key", inputs=[rules, csv],
                outputs=[d / "out"])


# ------------------------------------------------------------------ projects
def _projects(d: Path, rows: list[dict[str, object]], snippets: tuple[str, ...], family: str,
              rc: int = 1, encoding: str = "utf-8") -> Case:
    csv = d / "p.csv"
    csv.write_bytes(projects_csv(rows).encode(encoding))
    return Case(check_argv(d, csv), rc, ("p.csv", *snippets) if rc else snippets, family,
                inputs=[csv],
                outputs=[d / "out"] if rc else [])


def projects_duplicate_ids(d: Path) -> Case:
    return _projects(d, [pv_row("A"), pv_row("A")], ("'A'",), "duplicate id")


def projects_unknown_industry(d: Path) -> Case:
    return _projects(d, [pv_row(行业="量子冶金")], ("量子冶金",), "unknown industry")


def projects_negative_capacity(d: Path) -> Case:
    return _projects(d, [pv_row(产能=-5)], ("capacity",), "negative capacity")


def projects_latlon_swapped(d: Path) -> Case:
    return _projects(d, [pv_row(经度=LAT0, 纬度=LON0)], (), "longitude and latitude look swapped")


def projects_outside_ordos(d: Path) -> Case:
    return _projects(d, [pv_row(经度=116.4, 纬度=39.9)], (), "data lie outside Ordos")


def projects_gk_as_degrees(d: Path) -> Case:
    n, e = gk_square()[0]
    return _projects(d, [pv_row(经度=e, 纬度=n)], ("--crs",),
                     "coordinates are metres but no crs was given")


def projects_gbk_csv(d: Path) -> Case:
    return _projects(d, [pv_row(项目名称="伊金霍洛旗光伏")], ("T-1",), "", rc=0, encoding="gbk")


def projects_missing_path(d: Path) -> Case:
    return Case(check_argv(d, d / "absent.csv"), 1, ("absent.csv",),
                "file not found; check the path", inputs=[d], outputs=[d / "out"])


def projects_html_long_name(d: Path) -> Case:
    name = "<img src=x onerror=alert(1)>" + "光" * 2000
    return _projects(d, [pv_row(项目名称=name)], ("T-1",), "", rc=0)


def projects_xlsx_no_coordinates(d: Path) -> Case:
    import pandas as pd

    p = d / "p.xlsx"
    pd.DataFrame({"项目编号": ["A"], "项目名称": ["x"], "行业": ["光伏"]}).to_excel(p, index=False)
    return Case(check_argv(d, p), 1, ("p.xlsx",), "no longitude/latitude", inputs=[p],
                outputs=[d / "out"])


def projects_wkt_zm(d: Path) -> Case:
    """WKT with Z and M ordinates (POLYGON ZM): dropped to 2-D on read."""
    ring = ", ".join(f"{x} {y} 1200 7" for x, y in SQUARE.exterior.coords)
    p = d / "zm.csv"
    p.write_text("项目编号,项目名称,行业,阶段,产能,单位,wkt\n"
                 f'ZM-1,测试,光伏,新建,10,MW,"POLYGON ZM (({ring}))"\n', encoding="utf-8")
    return Case(check_argv(d, p), 0, ("ZM-1",), "", inputs=[p])


# ------------------------------------------------------------------ 界址点 coordinate files
def _coord(d: Path, text: str | bytes, snippets: tuple[str, ...], family: str, rc: int = 1,
           extra: tuple[str, ...] = ()) -> Case:
    p = d / "parcel.txt"
    if isinstance(text, str):
        p.write_text(text, encoding="utf-8")
    else:
        p.write_bytes(text)
    return Case(check_argv(d, p, extra=("--stage", "new", *extra)), rc,
                ("parcel.txt", *snippets) if rc else snippets, family, inputs=[p],
                outputs=[d / "out"] if rc else [])


def coord_no_zone_prefix(d: Path) -> Case:
    ring = [(n, e - 37_000_000) for n, e in gk_square()]
    return _coord(d, coordfile_text([ring], zone=""), ("--zone",), "eastings have no zone prefix")


def coord_wrong_zone(d: Path) -> Case:
    return _coord(d, coordfile_text([gk_square()], zone="36"), ("T-1",),
                  "disagrees with the easting prefix", rc=0)


def coord_wrong_zone_unprefixed(d: Path) -> Case:
    ring = [(n, e - 37_000_000) for n, e in gk_square()]
    return _coord(d, coordfile_text([ring], zone="39"), (), "data lie outside Ordos")


def coord_truncated(d: Path) -> Case:
    text = coordfile_text([gk_square()])
    return _coord(d, text[: text.rindex(",") - 3], ("line 11",),
                  "expected a point row")


def coord_garbage(d: Path) -> Case:
    return _coord(d, bytes(range(256)) * 4, ("UTF-8 nor GBK",), "neither UTF-8 nor GBK")


def coord_gbk(d: Path) -> Case:
    return _coord(d, coordfile_text([gk_square()]).encode("gbk"), ("T-1",), "", rc=0)


def coord_100k_points(d: Path) -> Case:
    """One parcel whose ring has 100,000 界址点 (a circle of radius ~400 m)."""
    e0, n0 = GK37.transform(LON0 + 0.005, LAT0 + 0.005)
    t = np.linspace(0.0, 2 * np.pi, 100_000, endpoint=False)
    ring = list(zip((n0 + 400 * np.sin(t)).tolist(), (e0 + 400 * np.cos(t)).tolist(),
                    strict=True))
    ring.append(ring[0])
    return _coord(d, coordfile_text([ring]), ("T-1",), "", rc=0)


# ------------------------------------------------------------------ outputs
def out_under_regular_file(d: Path) -> Case:
    f = d / "afile"
    f.write_text("not a folder\n", encoding="utf-8")
    return Case(["run", "--out", str(f / "sub")], 1, ("afile",), "cannot create output folder",
                inputs=[f], outputs=[f / "sub"])


def out_exists_no_overwrite(d: Path) -> Case:
    out = d / "res"
    out.mkdir()
    (out / "layers_summary.csv").write_text("keep me\n", encoding="utf-8")
    return Case(["run", "--out", str(out)], 1, ("layers_summary.csv",),
                "already exists; pass --overwrite", inputs=[out])


def out_equals_input(d: Path) -> Case:
    ras = write_tif(d / "ras.tif", np.zeros((60, 60), "uint8"), west=106.0, north=41.5, res=0.1)
    cfg = elig_config(d, "region: {layer: city}\nres_m: 5000\nraster_exclusions:\n"
                         "  - {layer: ras.tif, codes: [1], reason: test}\n")
    return Case(["eligibility", "--config", str(cfg), "--save-mask", str(ras), "--overwrite"],
                1, ("ras.tif",), "output path is also an input", inputs=[d])


def check_out_exists(d: Path) -> Case:
    csv = d / "p.csv"
    csv.write_text(projects_csv([pv_row()]), encoding="utf-8")
    out = d / "out"
    out.mkdir()
    (out / "conflicts.csv").write_text("keep me\n", encoding="utf-8")
    return Case(check_argv(d, csv), 1, ("conflicts.csv",), "already exists; pass --overwrite",
                inputs=[csv, out])


def check_out_equals_input(d: Path) -> Case:
    out = d / "out"
    out.mkdir()
    csv = out / "conflicts.csv"
    csv.write_text(projects_csv([pv_row()]), encoding="utf-8")
    return Case(["check", str(csv), "--out", str(out), "--overwrite"], 1, ("conflicts.csv",),
                "output path is also an input", inputs=[out])


def siting_out_exists(d: Path) -> Case:
    out = d / "out"
    out.mkdir()
    (out / "pv_score.tif").write_bytes(b"keep me")
    return Case(["siting", "pv", "--res", "5000", "--out", str(out)], 1, ("pv_score.tif",),
                "already exists; pass --overwrite", inputs=[out])


def map_out_exists(d: Path) -> Case:
    html = d / "m.html"
    html.write_text("keep me\n", encoding="utf-8")
    return Case(["map", "--out", str(html)], 1, ("m.html",), "already exists; pass --overwrite",
                inputs=[html])


def elig_mask_exists(d: Path) -> Case:
    mask = d / "mask.tif"
    mask.write_bytes(b"previous result")
    cfg = elig_config(d, "region: {layer: city}\nres_m: 5000\n")
    return Case(["eligibility", "--config", str(cfg), "--save-mask", str(mask)], 1,
                ("mask.tif",), "already exists; pass --overwrite", inputs=[d])


# ------------------------------------------------------------------ result folders (map/report)
def _corrupt_results(d: Path) -> Path:
    res = d / "results"
    res.mkdir()
    (res / "pv_score.tif").write_bytes(b"not a GeoTIFF, a truncated download\n")
    return res


def map_corrupt_results(d: Path) -> Case:
    res = _corrupt_results(d)
    out = d / "m.html"
    return Case(["map", "--results", str(res), "--out", str(out)], 1,
                ("pv_score.tif", "rerun"), "cannot read", inputs=[res],
                outputs=[out])


def report_corrupt_results(d: Path) -> Case:
    res = _corrupt_results(d)
    out = d / "rep"
    return Case(["report", "--results", str(res), "--out", str(out), "--format", "html"], 1,
                ("pv_score.tif", "rerun"), "cannot read", inputs=[res],
                outputs=[out])


def report_bad_format(d: Path) -> Case:
    out = d / "rep"
    return Case(["report", "--out", str(out), "--format", "docx"], 1, ("--format", "docx"),
                "is not a format", outputs=[out])


def report_missing_results(d: Path) -> Case:
    out = d / "rep"
    return Case(["report", "--results", str(d / "nope"), "--out", str(out), "--format", "html"],
                1, ("nope", "--results"), "--results folder not found", outputs=[out])


def map_missing_results(d: Path) -> Case:
    out = d / "m.html"
    return Case(["map", "--results", str(d / "nope"), "--out", str(out)], 1,
                ("nope", "--results"), "--results folder not found", outputs=[out])


def report_out_exists(d: Path) -> Case:
    (d / "results").mkdir()
    out = d / "rep"
    out.mkdir()
    (out / "report.html").write_text("keep me\n", encoding="utf-8")
    return Case(["report", "--results", str(d / "results"), "--out", str(out), "--format",
                 "html"], 1, ("report.html",), "already exists; pass --overwrite", inputs=[d])


CASES: dict[str, Callable[[Path], Case]] = {
    f.__name__: f
    for f in (
        layer_self_intersecting, layer_empty_polygons, layer_empty, layer_shp_missing_prj,
        layer_shp_missing_shx, layer_shp_missing_dbf, layer_gbk_dbf_no_cpg,
        layer_latlon_swapped, layer_gk_declared_degrees, layer_outside_ordos,
        layer_mixed_geometry_types, layer_zm_geometries, layer_nan_coordinates,
        layer_html_and_long_names,
        raster_no_overlap, raster_corrupt, raster_not_a_tiff, raster_without_crs,
        raster_all_nodata, raster_nan,
        catalog_unknown_key, catalog_wrong_type, catalog_bad_crs, catalog_missing_path,
        catalog_yaml_syntax, catalog_non_utf8, catalog_duplicate_ids, catalog_missing_file,
        elig_unknown_key, elig_wrong_type, elig_negative_buffer, elig_unknown_layer,
        elig_missing_config, siting_unknown_key,
        rules_missing_layer, rules_unknown_key,
        projects_duplicate_ids, projects_unknown_industry, projects_negative_capacity,
        projects_latlon_swapped, projects_outside_ordos, projects_gk_as_degrees,
        projects_gbk_csv, projects_missing_path, projects_html_long_name,
        projects_xlsx_no_coordinates, projects_wkt_zm,
        coord_no_zone_prefix, coord_wrong_zone, coord_wrong_zone_unprefixed, coord_truncated,
        coord_garbage, coord_gbk, coord_100k_points,
        out_under_regular_file, out_exists_no_overwrite, out_equals_input,
        check_out_exists, check_out_equals_input, siting_out_exists, map_out_exists,
        map_corrupt_results, report_corrupt_results, report_bad_format, elig_mask_exists,
        report_missing_results, report_out_exists, map_missing_results,
    )
}

# issue 18 (round 2): broken georeference, absurd resolutions, CRS, protected outputs
from bad_inputs.round2 import ROUND2_CASES  # noqa: E402

CASES.update(ROUND2_CASES)
