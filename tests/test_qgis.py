"""QGIS styles and project for a results folder — checked as XML here, and by QGIS itself.

The QGIS check runs Debian's ``python3-qgis`` (QGIS 3.22, system Python, installed by
``make sysdeps``) offscreen on a project written from real results (default layers at a
coarse grid, the bundled example projects).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ordos_geo.cli.main import app
from ordos_geo.crs import WORK_CRS_NAME
from ordos_geo.palette import SCORE_COLOURS, VERDICT_PALETTE
from ordos_geo.qgis import PROJECT_NAME, qgis_file_names, write_qgis_files
from ordos_geo.resources import analysis_path

HERE = Path(__file__).resolve().parent
SYSTEM_PY = Path("/usr/bin/python3")


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("qgis_results")
    runner = CliRunner()
    for kind in ("pv", "wind"):
        r = runner.invoke(app, ["siting", kind, "--res", "3000", "--out", str(d)])
        assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["check", str(analysis_path("projects")), "--out", str(d)])
    assert r.exit_code == 0, r.output
    return d


def test_siting_writes_a_style_beside_each_result(results: Path) -> None:
    for kind in ("pv", "wind"):
        for stem in ("score", "reasons", "resource", "sites"):
            assert (results / f"{kind}_{stem}.qml").is_file(), (kind, stem)
    assert (results / "wind_turbines.qml").is_file()


def test_styles_and_project_are_valid_xml_with_the_palette(results: Path) -> None:
    written = write_qgis_files(results, project=True)
    names = {p.name for p in written}
    assert names <= set(qgis_file_names()) and PROJECT_NAME in names
    for p in written:
        ET.parse(p)  # well-formed
    score = ET.parse(results / "pv_score.qml").getroot()
    colours = [i.get("color") for i in score.iter("item")]
    assert colours == list(SCORE_COLOURS)
    reasons = ET.parse(results / "pv_reasons.qml").getroot()
    entries = {int(e.get("value")): e.get("label") for e in reasons.iter("paletteEntry")}
    summary = json.loads((results / "pv_summary.json").read_text("utf-8"))
    assert len(entries) == len(summary["exclusions"]) + 1  # every reason + eligible
    assert "red_lines" in entries[1]
    conflicts = ET.parse(results / "conflicts.qml").getroot()
    cats = [c.get("value") for c in conflicts.iter("category")]
    assert cats == list(VERDICT_PALETTE)
    prj = ET.parse(results / PROJECT_NAME).getroot()
    sources = [m.findtext("datasource") for m in prj.iter("maplayer")]
    assert "./pv_score.tif" in sources and "./conflicts.gpkg|layername=projects" in sources
    assert all(not s.startswith("/") for s in sources)  # relative: the folder can move
    assert prj.find("projectCrs/spatialrefsys/description").text == WORK_CRS_NAME


def _qgis_available() -> bool:
    if not SYSTEM_PY.exists():
        return False
    r = subprocess.run([str(SYSTEM_PY), "-c", "import qgis.core"], capture_output=True,
                       check=False, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    return r.returncode == 0


@pytest.mark.slow
def test_qgis_opens_the_project_styles_and_renders_it(results: Path, tmp_path: Path) -> None:
    if not _qgis_available():
        make = shutil.which("make")
        if make:  # `make sysdeps` installs python3-qgis where apt-get may run
            subprocess.run([make, "-C", str(HERE.parent), "sysdeps"], check=False,
                           capture_output=True, timeout=1800)
        if not _qgis_available():
            pytest.skip("QGIS (Debian python3-qgis for /usr/bin/python3) is not installed")
    write_qgis_files(results, project=True)
    png = tmp_path / "project.png"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_RUNTIME_DIR": str(tmp_path)}
    r = subprocess.run([str(SYSTEM_PY), str(HERE / "qgis" / "check_project.py"),
                        str(results / PROJECT_NAME), str(png)], capture_output=True,
                       text=True, timeout=600, check=False, env=env)
    assert r.returncode == 0, r.stderr[-3000:]
    doc = json.loads(r.stdout.strip().splitlines()[-1])
    assert doc["read"] and doc["crs_valid"] and doc["crs"] == WORK_CRS_NAME
    layers = doc["layers"]
    assert len(layers) >= 10
    for lyr in layers:
        assert lyr["valid"], lyr
        assert lyr["crs"] and lyr["crs"].lower() != "unknown", lyr
    rasters = [lyr for lyr in layers if lyr["source"].endswith(".tif")]
    assert rasters and all(lyr["crs"] == WORK_CRS_NAME for lyr in rasters)
    kinds = {Path(lyr["source"].split("|")[0]).name: lyr["renderer"] for lyr in layers}
    assert kinds["pv_score.tif"] == "singlebandpseudocolor"
    assert kinds["pv_reasons.tif"] == "paletted"
    assert kinds["conflicts.gpkg"] == "categorizedSymbol"
    assert all(s["loaded"] and s["layer_valid"] for s in doc["styles"].values()), doc["styles"]
    # the render is a map, not a blank page
    assert doc["render"]["colours"] > 20 and doc["render"]["nonwhite_share"] > 0.2
    assert png.stat().st_size > 5000
