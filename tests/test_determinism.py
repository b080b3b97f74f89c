"""Determinism (issue 7): the same inputs give the same outputs, run after run.

CSV files must be byte-identical; GeoTIFFs pixel-identical (same grid, tags, nodata);
GeoPackage/XLSX containers carry time stamps, so their *content* is compared; JSON
summaries are compared without wall-clock fields (``seconds*``, ``timings``) and the
output paths. Commands run
in-process through the CLI entry point, each into its own folder.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
from cli_runner import run_cli

REPO = Path(__file__).resolve().parents[1]


def cli(argv: list[str], capfd: pytest.CaptureFixture[str]) -> str:
    """Run ``ordos-geo argv`` in-process; fail with its stderr unless exit code 0."""
    rc, out, err = run_cli(argv, capfd)
    assert rc == 0, f"{argv}: exit {rc}\n{err}"
    return out


def _without_timing(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _without_timing(v) for k, v in obj.items()
                if not k.startswith(("seconds", "timing")) and k not in ("mask", "reasons")}
    if isinstance(obj, list):
        return [_without_timing(v) for v in obj]
    return obj


def assert_same_raster(a: Path, b: Path) -> None:
    with rasterio.open(a) as ra, rasterio.open(b) as rb:
        pa, pb = dict(ra.profile), dict(rb.profile)
        na, nb = pa.pop("nodata"), pb.pop("nodata")
        assert pa == pb
        assert na == nb or (na is not None and nb is not None and np.isnan(na) and np.isnan(nb))
        assert ra.tags() == rb.tags()
        assert np.array_equal(ra.read(), rb.read(), equal_nan=ra.dtypes[0].startswith("float"))


def test_run_layers_summary_is_byte_identical(tmp_path: Path,
                                              capfd: pytest.CaptureFixture[str]) -> None:
    outs = [tmp_path / "a", tmp_path / "b"]
    for o in outs:
        cli(["run", "--out", str(o), "--steps", "validate,layers_summary"], capfd)
    a, b = (o / "layers_summary.csv" for o in outs)
    assert a.read_bytes() == b.read_bytes()
    assert len(pd.read_csv(a, encoding="utf-8-sig")) >= 19


def test_eligibility_mask_is_pixel_identical(tmp_path: Path,
                                             capfd: pytest.CaptureFixture[str]) -> None:
    cfg = REPO / "ordos_geo" / "data" / "analyses" / "eligibility_example.yaml"
    stdouts = []
    for name in ("a", "b"):
        stdouts.append(cli(["eligibility", "--config", str(cfg), "--res", "2000", "--json",
                            "--save-mask", str(tmp_path / f"{name}_mask.tif"),
                            "--save-reasons", str(tmp_path / f"{name}_reasons.tif")], capfd))
    assert_same_raster(tmp_path / "a_mask.tif", tmp_path / "b_mask.tif")
    assert_same_raster(tmp_path / "a_reasons.tif", tmp_path / "b_reasons.tif")
    with rasterio.open(tmp_path / "a_mask.tif") as src:
        values = set(np.unique(src.read(1)).tolist())
    assert values == {0, 1, 255}  # excluded, eligible, outside: a real mask, not a constant
    summaries = [_without_timing(json.loads(s.strip().splitlines()[-1])) for s in stdouts]
    assert summaries[0] == summaries[1]


def test_check_outputs_are_identical(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    projects = REPO / "ordos_geo" / "data" / "analyses" / "projects"
    outs = [tmp_path / "a", tmp_path / "b"]
    for o in outs:
        cli(["check", str(projects), "--stage", "new", "--out", str(o)], capfd)
    a, b = outs
    assert (a / "conflicts.csv").read_bytes() == (b / "conflicts.csv").read_bytes()
    assert len(pd.read_csv(a / "conflicts.csv", encoding="utf-8-sig")) > 0
    ja, jb = (json.loads((o / "screening_summary.json").read_text(encoding="utf-8"))
              for o in outs)
    assert _without_timing(ja) == _without_timing(jb)
    pd.testing.assert_frame_equal(pd.read_excel(a / "verdicts.xlsx"),
                                  pd.read_excel(b / "verdicts.xlsx"))
    for layer in ("projects", "hits"):
        ga = gpd.read_file(a / "conflicts.gpkg", layer=layer)
        gb = gpd.read_file(b / "conflicts.gpkg", layer=layer)
        pd.testing.assert_frame_equal(pd.DataFrame(ga.drop(columns="geometry")),
                                      pd.DataFrame(gb.drop(columns="geometry")))
        assert list(ga.geometry.to_wkb()) == list(gb.geometry.to_wkb())


def test_siting_pv_outputs_are_identical(tmp_path: Path,
                                         capfd: pytest.CaptureFixture[str]) -> None:
    """Coarse (5 km) PV siting twice: CSVs byte-identical, rasters pixel-identical."""
    outs = [tmp_path / "a", tmp_path / "b"]
    for o in outs:
        cli(["siting", "pv", "--res", "5000", "--out", str(o)], capfd)
    a, b = outs
    csvs = sorted(p.name for p in a.glob("*.csv"))
    assert "pv_capacity_by_banner.csv" in csvs
    for name in csvs:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    tifs = sorted(p.name for p in a.glob("*.tif"))
    assert "pv_score.tif" in tifs
    for name in tifs:
        assert_same_raster(a / name, b / name)
    ga, gb = (gpd.read_file(o / "pv_sites.gpkg", layer="sites") for o in outs)
    assert len(ga) > 0
    pd.testing.assert_frame_equal(pd.DataFrame(ga.drop(columns="geometry")),
                                  pd.DataFrame(gb.drop(columns="geometry")))
    assert list(ga.geometry.to_wkb()) == list(gb.geometry.to_wkb())
    ja, jb = (json.loads((o / "pv_summary.json").read_text(encoding="utf-8")) for o in outs)
    assert _without_timing(ja) == _without_timing(jb)
