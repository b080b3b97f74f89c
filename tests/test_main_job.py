"""End to end: ``ordos-geo run`` on the embedded default layers (the README's main job).

One run (module-scoped, ~1 min on 2 cores) is shared by the assertions below; they check
that every output of every step exists and that the numbers agree between files.
"""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import rasterio

CLI = [sys.executable, "-c", "from ordos_geo.cli.main import main; main()"]

EXPECTED = [
    "layers_summary.csv", "overview.html",
    *(f"{k}_{n}" for k in ("pv", "wind") for n in (
        "score.tif", "reasons.tif", "resource.tif", "sites.gpkg",
        "capacity_by_banner.csv", "exclusions.csv", "summary.json")),
    "conflicts.csv", "conflicts.gpkg", "verdicts.xlsx", "screening_summary.json",
    "ordos_siting.html", "pv_map.html", "wind_map.html", "screening_map.html",
    "report/report.html", "report/report.pdf",
    "pv_supply_curve.csv", "pv_supply_curve.png", "wind_supply_curve.csv",
    "wind_supply_curve.png", "wind_turbines.gpkg", "ordos_geo.qgs", "pv_score.qml",
    "conflicts.qml",
]


@pytest.fixture(scope="module")
def run_out(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("main_job") / "maps"
    proc = subprocess.run([*CLI, "run", "--out", str(out)], capture_output=True, text=True,
                          timeout=900)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return out, proc.stdout


def test_every_output_written_and_no_temporaries(run_out: tuple[Path, str]) -> None:
    out, stdout = run_out
    missing = [n for n in EXPECTED if not (out / n).is_file()]
    assert not missing, missing
    leftovers = [p.name for p in out.rglob("*") if ".tmp" in p.name]
    assert not leftovers, leftovers
    assert stdout.strip().splitlines()[-1].startswith("done:")


def _total_row(path: Path) -> dict[str, str]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    return next(r for r in rows if r["adcode"] == "TOTAL")


@pytest.mark.parametrize("kind", ["pv", "wind"])
def test_capacity_numbers_agree_across_outputs(run_out: tuple[Path, str], kind: str) -> None:
    out, _ = run_out
    summary = json.loads((out / f"{kind}_summary.json").read_text(encoding="utf-8"))
    total = _total_row(out / f"{kind}_capacity_by_banner.csv")
    assert float(total["capacity_mw"]) / 1000 == pytest.approx(summary["capacity_gw"], abs=1e-3)
    assert summary["target_gw"] == 50 and summary["installed_gw_2025"] == 27.79
    # the whole city is analysed: total area within 0.5 % of the published 86,882 km²
    assert summary["total_km2"] == pytest.approx(86_882, rel=5e-3)
    assert 0 < summary["eligible_km2"] < summary["total_km2"]
    with rasterio.open(out / f"{kind}_score.tif") as ds:
        tags = ds.tags()
        assert tags["provenance"] == "illustrative"
        score = ds.read(1)
    valid = score[score != 255]
    assert valid.size and valid.max() <= 100
    # the report shows the same capacity as the CSV
    html = (out / "report" / "report.html").read_text(encoding="utf-8")
    assert "示意数据" in html
    assert ".ordos_geo-stage" not in html  # the final folder is named, not the staging one
    shown = re.search(rf'data-key="{kind}\.capacity_gw" data-value="([^"]+)"', html)
    assert shown, f"{kind} capacity missing from report.html"
    assert float(shown.group(1)) == pytest.approx(summary["capacity_gw"], abs=1e-3)


def test_screening_gives_every_example_a_cited_verdict(run_out: tuple[Path, str]) -> None:
    out, _ = run_out
    s = json.loads((out / "screening_summary.json").read_text(encoding="utf-8"))
    counts = s["verdicts"]
    assert counts.get("prohibited", 0) > 0 and counts.get("compliant", 0) > 0
    with (out / "conflicts.csv").open(encoding="utf-8-sig", newline="") as f:
        hits = list(csv.DictReader(f))
    assert hits
    cited = [h for h in hits if h.get("rule_id")]
    assert cited and all(h["citation"].strip() for h in cited)
    # plan (P-) and national (N-) rules cite a document number; others (e.g. W-1, a
    # literature setback) say where their parameter comes from instead
    official = [h for h in cited if h["rule_id"][:2] in ("P-", "N-")]
    assert official and all(re.search(r"〔20\d\d〕", h["citation"]) for h in official)


def test_maps_are_offline(run_out: tuple[Path, str]) -> None:
    out, _ = run_out
    for name in ("overview.html", "ordos_siting.html", "screening_map.html"):
        html = (out / name).read_text(encoding="utf-8")
        ext = re.findall(r"""(?:src|href)\\s*=\\s*["'](?:https?:)?//""", html)
        assert not ext, (name, ext[:3])


def test_qgis_opens_the_project_run_writes(run_out: tuple[Path, str], tmp_path: Path) -> None:
    """The ``ordos_geo.qgs`` of the real run, opened and rendered by QGIS 3.22 itself."""
    from qgis_check import SKIP_REASON, check_project, qgis_available

    from ordos_geo.crs import WORK_CRS_NAME

    if not qgis_available():
        pytest.skip(SKIP_REASON)
    out, _ = run_out
    doc, stderr = check_project(out / "ordos_geo.qgs", tmp_path / "run.png", tmp_path)
    assert "partially supported" not in stderr
    assert doc["read"] and doc["crs"] == WORK_CRS_NAME
    for lyr in doc["layers"]:
        assert lyr["valid"] and lyr["drawn"] > 0, lyr
        assert lyr["crs"] and lyr["crs"].lower() != "unknown", lyr
    files = {lyr["source"].split("|")[0].removeprefix(str(out) + "/") for lyr in doc["layers"]}
    results = {f"{k}_{n}" for k in ("pv", "wind")
               for n in ("score.tif", "reasons.tif", "resource.tif", "sites.gpkg")}
    results |= {"wind_turbines.gpkg", "conflicts.gpkg"}
    assert results <= {Path(f).name for f in files}  # every result of the run is a layer
    assert set(doc["styles"]) == {p.name for p in out.glob("*.qml")}
    assert all(st["loaded"] and st["drawn"] > 0 for st in doc["styles"].values())
    assert doc["render"]["colours"] > 20 and doc["render"]["nonwhite_share"] > 0.2
