"""QGIS styles and project for a results folder — checked as XML here, and by QGIS itself.

The QGIS check runs Debian's ``python3-qgis`` (QGIS 3.22, system Python, installed by
``make sysdeps``) offscreen on a project written from real results (default layers at a
coarse grid, the bundled example projects).
"""

from __future__ import annotations

import itertools
import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from qgis_check import SKIP_REASON, check_project, qgis_available
from typer.testing import CliRunner

from ordos_geo.cli.main import app
from ordos_geo.crs import WORK_CRS_NAME
from ordos_geo.palette import SCORE_COLOURS, VERDICT_PALETTE
from ordos_geo.qgis import PROJECT_NAME, qgis_file_names, write_qgis_files
from ordos_geo.resources import analysis_path


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("qgis_results")
    runner = CliRunner()
    for kind in ("pv", "wind"):
        r = runner.invoke(app, ["siting", kind, "--res", "3000", "--sensitivity", "2",
                                "--out", str(d)])
        assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["check", str(analysis_path("projects")), "--out", str(d)])
    assert r.exit_code == 0, r.output
    return d


def test_siting_writes_a_style_beside_each_result(results: Path) -> None:
    for kind in ("pv", "wind"):
        for stem in ("score", "reasons", "resource", "robustness", "sites"):
            assert (results / f"{kind}_{stem}.qml").is_file(), (kind, stem)
    assert (results / "wind_turbines.qml").is_file()
    assert (results / "conflicts.qml").is_file()  # `check --out` styles its projects too


def test_sites_are_filled_by_mean_score_in_the_score_ramp(results: Path) -> None:
    import pyogrio

    root = ET.parse(results / "pv_sites.qml").getroot()
    renderer = root.find("renderer-v2")
    assert renderer.get("type") == "graduatedSymbol" and renderer.get("attr") == "mean_score"
    ranges = [(float(r.get("lower")), float(r.get("upper"))) for r in renderer.iter("range")]
    assert ranges[0][0] == 0.0 and ranges[-1][1] == 100.0
    assert all(a[1] == b[0] for a, b in itertools.pairwise(ranges))  # no gaps
    fills = [sym.find("layer/prop[@k='color']").get("v") for sym in renderer.iter("symbol")]
    lo, hi = (tuple(int(SCORE_COLOURS[i][j:j + 2], 16) for j in (1, 3, 5)) for i in (0, -1))
    first, last = (tuple(int(x) for x in fills[i].split(",")[:3]) for i in (0, -1))
    # the lowest class is near the ramp's light end, the highest near its dark end
    assert sum(abs(a - b) for a, b in zip(first, lo, strict=True)) < 60
    assert sum(abs(a - b) for a, b in zip(last, hi, strict=True)) < 60
    outlines = {sym.find("layer/prop[@k='outline_color']").get("v")
                for sym in renderer.iter("symbol")}
    assert len(outlines) == 1 and outlines.pop() not in fills  # one kind colour, not a score
    scores = pyogrio.read_dataframe(results / "pv_sites.gpkg", columns=["mean_score"],
                                    read_geometry=False)["mean_score"]
    assert scores.between(0, 100).all()  # every site falls in a class


def test_geopackages_are_version_1_2_for_qgis_3_22(results: Path) -> None:
    import sqlite3

    names = ["pv_sites.gpkg", "wind_sites.gpkg", "wind_turbines.gpkg", "conflicts.gpkg"]
    for name in names:
        with sqlite3.connect(results / name) as db:
            (version,) = db.execute("PRAGMA user_version").fetchone()
        # 10400 (1.4, the wheel's GDAL default) makes the GDAL 3.6 of QGIS 3.22 warn
        assert version == 10200, (name, version)


def test_reason_labels_fall_back_to_the_exclusions_table(results: Path, tmp_path: Path) -> None:
    import rasterio

    from ordos_geo.qgis import _reasons_of

    src = results / "pv_reasons.tif"
    with rasterio.open(src) as r:
        profile, data = r.profile, r.read()
    dst = tmp_path / "pv_reasons.tif"
    with rasterio.open(dst, "w", **profile) as w:  # the same raster without its tags
        w.write(data)
    shutil.copy(results / "pv_exclusions.csv", tmp_path / "pv_exclusions.csv")
    from_table = _reasons_of(dst)
    from_tags = _reasons_of(src)
    assert set(from_table) == set(from_tags) - {255}
    assert from_table[1] == from_tags[1]  # "red_lines: 生态保护红线 …" either way


def test_mixed_project_geometries_get_one_layer_each(results: Path) -> None:
    import pyogrio

    write_qgis_files(results, project=True)
    prj = ET.parse(results / PROJECT_NAME).getroot()
    gdf = pyogrio.read_dataframe(results / "conflicts.gpkg", layer="projects", columns=[])
    present = {t.removeprefix("Multi") for t in gdf.geom_type.unique()}
    assert len(present) > 1  # the bundled examples hold points, lines and polygons
    symbol_of = {"Point": "marker", "LineString": "line", "Polygon": "fill"}
    seen = {}
    for m in prj.iter("maplayer"):
        src = m.findtext("datasource")
        if src.startswith("./conflicts.gpkg|layername=projects|"):
            geom = src.rsplit("geometrytype=", 1)[1]
            seen[geom] = {s.get("type") for s in m.iter("symbol")}
    assert set(seen) == present
    assert "./conflicts.gpkg|layername=fix_hints" in {m.findtext("datasource")
                                                      for m in prj.iter("maplayer")}
    assert all(seen[g] == {symbol_of[g]} for g in seen)  # QGIS draws a symbol of its type


def test_styles_and_project_are_valid_xml_with_the_palette(results: Path) -> None:
    written = write_qgis_files(results, project=True)
    names = {p.name for p in written}
    assert names <= set(qgis_file_names()) and PROJECT_NAME in names
    for p in written:
        ET.parse(p)  # well-formed
    score = ET.parse(results / "pv_score.qml").getroot()
    colours = [i.get("color") for i in score.iter("item")]
    assert colours == list(SCORE_COLOURS)
    robust = ET.parse(results / "pv_robustness.qml").getroot()
    assert [i.get("color") for i in robust.iter("item")] == list(SCORE_COLOURS)
    assert [i.get("label") for i in robust.iter("item")][-1] == "100 %"
    reasons = ET.parse(results / "pv_reasons.qml").getroot()
    entries = {int(e.get("value")): e.get("label") for e in reasons.iter("paletteEntry")}
    summary = json.loads((results / "pv_summary.json").read_text("utf-8"))
    assert len(entries) == len(summary["exclusions"]) + 1  # every reason + eligible
    assert "red_lines" in entries[1]
    conflicts = ET.parse(results / "conflicts.qml").getroot()
    cats = [c.get("value") for c in conflicts.iter("category")]
    assert cats == list(VERDICT_PALETTE)
    import pyogrio

    verdicts = set(pyogrio.read_dataframe(results / "conflicts.gpkg", layer="projects",
                                          columns=["verdict"], read_geometry=False)["verdict"])
    assert len(verdicts) > 2 and verdicts <= set(cats)  # every level screening gives is a class
    colours = {c.get("value"): c.get("symbol") for c in conflicts.iter("category")}
    fills = {s.get("name"): s.find("layer/prop[@k='color']").get("v")
             for s in conflicts.iter("symbol")}
    for level, hexcol in VERDICT_PALETTE.items():  # Okabe–Ito, e.g. prohibited #D55E00
        r, g, b = (int(hexcol[i:i + 2], 16) for i in (1, 3, 5))
        assert fills[colours[level]].startswith(f"{r},{g},{b},"), level
    assert conflicts.get("labelsEnabled") == "1"  # project names beside their markers
    assert conflicts.find("labeling/settings/text-style").get("fieldName") == "name"
    prj = ET.parse(results / PROJECT_NAME).getroot()
    sources = [m.findtext("datasource") for m in prj.iter("maplayer")]
    assert "./pv_score.tif" in sources and "./wind_robustness.tif" in sources
    checked = {t.get("source"): t.get("checked") for t in prj.iter("layer-tree-layer")}
    assert checked["./pv_robustness.tif"] == "Qt::Unchecked"  # below the score, off
    assert checked["./pv_score.tif"] == "Qt::Checked"
    assert "./conflicts.gpkg|layername=projects|geometrytype=Point" in sources
    assert all(not s.startswith("/") for s in sources)  # relative: the folder can move
    assert prj.find("projectCrs/spatialrefsys/description").text == WORK_CRS_NAME


@pytest.mark.slow
def test_qgis_opens_the_project_styles_and_renders_it(results: Path, tmp_path: Path) -> None:
    if not qgis_available():
        pytest.skip(SKIP_REASON)
    write_qgis_files(results, project=True)
    png = tmp_path / "project.png"
    doc, stderr = check_project(results / PROJECT_NAME, png, tmp_path)
    assert "partially supported" not in stderr  # QGIS's GDAL reads every GeoPackage
    assert doc["read"] and doc["crs_valid"] and doc["crs"] == WORK_CRS_NAME
    layers = doc["layers"]
    assert len(layers) >= 10
    for lyr in layers:
        assert lyr["valid"], lyr
        assert lyr["crs"] and lyr["crs"].lower() != "unknown", lyr
        assert lyr["drawn"] > 0, lyr  # each layer alone draws something in its style
        if "symbols" in lyr:  # QGIS draws only symbols of the layer's geometry type
            want = {"Point": "Marker", "Line": "Line", "Polygon": "Fill"}[lyr["geometry"]]
            assert lyr["symbols"] == [want], lyr
    n_projects = sum(lyr["features"] for lyr in layers
                     if "conflicts.gpkg|layername=projects" in lyr["source"])
    summary = json.loads((results / "screening_summary.json").read_text("utf-8"))
    assert n_projects == sum(summary["verdicts"].values())  # every project is on the map
    rasters = [lyr for lyr in layers if lyr["source"].endswith(".tif")]
    assert rasters and all(lyr["crs"] == WORK_CRS_NAME for lyr in rasters)
    kinds = {Path(lyr["source"].split("|")[0]).name: lyr["renderer"] for lyr in layers}
    assert kinds["pv_score.tif"] == "singlebandpseudocolor"
    assert kinds["pv_reasons.tif"] == "paletted"
    assert kinds["conflicts.gpkg"] == "categorizedSymbol"
    assert set(doc["styles"]) == {p.name for p in results.glob("*.qml")}
    for name, st in doc["styles"].items():
        assert st["loaded"] and st["layer_valid"] and st["drawn"] > 0, (name, st)
        assert st["crs"] and st["crs"].lower() != "unknown", (name, st)
    # the render is a map, not a blank page
    assert doc["render"]["colours"] > 20 and doc["render"]["nonwhite_share"] > 0.2
    assert png.stat().st_size > 5000


def test_polygon_only_projects_get_fill_styles(results: Path, tmp_path: Path) -> None:
    import geopandas as gpd

    parks = gpd.read_file(results / "conflicts.gpkg", layer="projects")
    parks = parks[parks.geom_type.isin(["Polygon", "MultiPolygon"])]
    assert len(parks) > 0
    parks.to_file(tmp_path / "conflicts.gpkg", layer="projects", driver="GPKG")
    written = {p.name for p in write_qgis_files(tmp_path, project=True)}
    assert written == {"conflicts.qml", PROJECT_NAME}
    side = ET.parse(tmp_path / "conflicts.qml").getroot()
    assert {s.get("type") for s in side.iter("symbol")} == {"fill"}
    prj = ET.parse(tmp_path / PROJECT_NAME).getroot()
    (layer,) = list(prj.iter("maplayer"))
    assert layer.findtext("datasource") == "./conflicts.gpkg|layername=projects"
    assert {s.get("type") for s in layer.iter("symbol")} == {"fill"}
