"""The overlay scripts in ``analyses/examples/`` run and write what they say they write."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
import rasterio

import ordos_geo as og

pytestmark = pytest.mark.slow

EXAMPLES = Path(__file__).resolve().parents[1] / "analyses" / "examples"


def _run(script: str, *args: str) -> str:
    r = subprocess.run([sys.executable, str(EXAMPLES / script), *args], capture_output=True,
                       text=True, timeout=900, check=False)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-3000:]
    return r.stdout


def test_official_red_lines_replace_the_default(tmp_path: Path) -> None:
    out = _run("official_red_lines.py", str(tmp_path), "--res", "2000")
    cat = og.open_catalog(tmp_path / "my_catalog.yaml")
    assert cat.origin("red_lines") == tmp_path / "my_catalog.yaml"
    red = cat.vector("red_lines")  # GBK DBF without .cpg, fields mapped to the rule names
    assert "新增红线(示意)" in set(red["name_zh"])
    assert {"name_zh", "rl_type"} <= set(red.columns)
    lines = [ln for ln in out.splitlines() if ln.startswith("PV at 2000 m")]
    assert len(lines) == 2
    default_km2, official_km2 = (float(ln.split("eligible ")[1].split(" km²")[0]) for ln in lines)
    # the stand-in adds a 10 km × 10 km block of desert: eligible land can only shrink
    assert 0 < default_km2 - official_km2 <= 100 + 1e-6


def test_screen_parcels_writes_one_xlsx_row_per_parcel(tmp_path: Path) -> None:
    out = _run("screen_parcels.py", str(tmp_path))
    parcels = sorted((tmp_path / "parcels").glob("*.txt"))
    assert len(parcels) >= 3
    ids = [pid for p in parcels for pid in og.read(p)["parcel_id"]]
    wb = openpyxl.load_workbook(tmp_path / "screening" / "verdicts.xlsx", read_only=True)
    cells = {row[0] for ws in wb.worksheets for row in ws.iter_rows(values_only=True) if row}
    assert set(ids) <= cells  # every parcel of every file has its verdict row
    assert "JZD-NEW-01" in ids  # the parcel the script wrote with write_coordfile
    assert f"screened {len(ids)} parcels" in out


def test_banner_eligibility_at_30_m(tmp_path: Path) -> None:
    out = _run("banner_eligibility.py", str(tmp_path), "--adcode", "150603")
    with rasterio.open(tmp_path / "reasons_150603.tif") as src:
        assert src.res == (30.0, 30.0)
        reasons = src.read(1)
    banner = og.open_catalog().vector("banners")
    kangbashi = banner[banner["adcode"].astype(str) == "150603"].to_crs(src.crs)
    inside_km2 = (reasons != 255).sum() * 30 * 30 / 1e6
    # cell-centre rule: the burnt area matches the polygon to well under 1 %
    assert inside_km2 == pytest.approx(kangbashi.area.sum() / 1e6, rel=0.01)
    assert "banner 150603 at 30 m" in out
