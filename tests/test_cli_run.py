"""``ordos-geo run``: validate, layers_summary.csv, overview map; refuses to overwrite."""

from __future__ import annotations

import csv
import importlib.util
from pathlib import Path

import geopandas as gpd
import pytest
from cli_runner import run_cli
from shapely.geometry import LineString, box

from ordos_geo.catalog import ENV_LAYERS, Catalog
from ordos_geo.cli.run import STEPS, SUMMARY_COLUMNS, RunContext, Step, run_steps
from ordos_geo.crs import WORK_CRS, WORK_CRS_PROJ4
from ordos_geo.errors import OutputError

ENTRY = """\
  - id: {id}
    title_zh: {zh}
    title_en: {en}
    kind: vector
    path: {path}
    crs: {crs}
    roles: [zoning]
    provenance: {prov}
    source: test fixture
    licence: CC0
"""

HAS_MAPS = importlib.util.find_spec("ordos_geo.maps.interactive") is not None


@pytest.fixture
def catalog_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Default catalog (via $ORDOS_GEO_LAYERS): two squares in the working CRS, a line."""
    d = tmp_path / "layers"
    d.mkdir()
    # 10 km squares near the working CRS origin (108.6° E, 39° N), overlapping by half
    gpd.GeoDataFrame(
        {"k": [1, 2]},
        geometry=[box(0, 0, 10_000, 10_000), box(5_000, 0, 15_000, 10_000)],
        crs=WORK_CRS,
    ).to_file(d / "squares.gpkg", driver="GPKG")
    gpd.GeoDataFrame(
        {"name": ["黄河"]}, geometry=[LineString([(107, 40.2), (110, 40.5)])], crs="EPSG:4490"
    ).to_file(d / "river.gpkg", driver="GPKG")
    cat = d / "catalog.yaml"
    cat.write_text(
        "version: 1\nlayers:\n"
        + ENTRY.format(id="squares", zh="方块", en="Squares", path="squares.gpkg",
                       crs=f'"{WORK_CRS_PROJ4}"', prov="illustrative")
        + ENTRY.format(id="river", zh="黄河", en="Yellow River", path="river.gpkg",
                       crs="EPSG:4490", prov="derived"),
        encoding="utf-8",
    )
    monkeypatch.setenv(ENV_LAYERS, str(cat))
    return cat


#: The layer steps of ``run`` (the analysis steps need the full default catalog).
LAYER_STEPS = "validate,layers_summary,overview_map"


def test_unknown_step_is_one_line_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run_cli(["run", "--out", str(tmp_path / "o"), "--steps", "validate,nope"],
                           capsys)
    assert code == 1
    assert "--steps: unknown step 'nope' (available: validate, layers_summary" in err
    assert err.count("\n") == 1


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def test_run_writes_summary(catalog_env: Path, tmp_path: Path,
                            capsys: pytest.CaptureFixture[str]) -> None:
    out_dir = tmp_path / "out"
    code, out, err = run_cli(["run", "--out", str(out_dir), "--steps", LAYER_STEPS], capsys)
    assert code == 0, err
    csv_path = out_dir / "layers_summary.csv"
    assert csv_path.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM: Excel reads Chinese
    rows = _read_csv(csv_path)
    assert list(rows[0]) == SUMMARY_COLUMNS
    sq, rv = rows
    assert sq["id"] == "squares" and sq["title_zh"] == "方块"
    assert sq["provenance"] == "illustrative" and sq["features"] == "2"
    assert sq["area_km2"] == "150.000"  # dissolved: the 50 km² overlap counted once
    assert rv["area_km2"] == "" and rv["roles"] == "zoning" and rv["licence"] == "CC0"
    assert "layers: 2 valid" in out
    assert "layers_summary.csv (2 layers)" in out
    if HAS_MAPS:
        html = (out_dir / "overview.html").read_text(encoding="utf-8")
        assert "方块" in html and "overview.html" in out
    # no temporary files left behind
    assert sorted(p.name for p in out_dir.iterdir()) == sorted(
        ["layers_summary.csv"] + (["overview.html"] if HAS_MAPS else [])
    )


def test_run_refuses_to_overwrite(catalog_env: Path, tmp_path: Path,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    old = out_dir / "layers_summary.csv"
    old.write_text("old\n", encoding="utf-8")
    code, _, err = run_cli(["run", "--out", str(out_dir), "--steps", LAYER_STEPS], capsys)
    assert code == 1
    assert "layers_summary.csv: already exists; pass --overwrite" in err
    assert err.count("\n") == 1
    assert old.read_text(encoding="utf-8") == "old\n"
    assert not (out_dir / "overview.html").exists()  # checked before any step ran
    code, _, err = run_cli(["run", "--out", str(out_dir), "--overwrite", "--steps", LAYER_STEPS],
                           capsys)
    assert code == 0, err
    assert _read_csv(old)[0]["id"] == "squares"


def test_run_stops_on_invalid_layers(catalog_env: Path, tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    gpd.GeoDataFrame(
        {"k": [1]}, geometry=[box(116.3, 39.8, 116.5, 40.0)], crs="EPSG:4490"
    ).to_file(tmp_path / "beijing.gpkg", driver="GPKG")
    user = tmp_path / "user.yaml"
    user.write_text(
        "version: 1\nlayers:\n"
        + ENTRY.format(id="beijing", zh="北京", en="Beijing", path="beijing.gpkg",
                       crs="EPSG:4490", prov="user"),
        encoding="utf-8",
    )
    out_dir = tmp_path / "out"
    code, _, err = run_cli(["run", "--out", str(out_dir), "--catalog", str(user),
                             "--steps", LAYER_STEPS], capsys)
    assert code == 1
    lines = err.splitlines()
    assert lines[0] == "ordos-geo: error: 1 layer problem(s):"
    assert lines[1].startswith("  beijing: ")
    assert lines[-1].startswith("ordos-geo: error: catalog: 1 layer problem(s)")
    assert "Traceback" not in err
    assert not (out_dir / "layers_summary.csv").exists()


def test_run_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(["run", "--overwite"], capsys)
    assert code == 2 and "Usage:" in err


def test_steps_can_be_extended(catalog_env: Path, tmp_path: Path) -> None:
    calls: list[str] = []

    def extra(ctx: RunContext) -> list[Path]:
        assert ctx.report is not None and ctx.report.ok  # validate ran first
        calls.append("extra")
        p = ctx.out_dir / "extra.txt"
        p.write_text("x", encoding="utf-8")
        return [p]

    steps = [*STEPS[:2], Step("extra", ("extra.txt",), extra)]
    ctx = RunContext(catalog=Catalog.load(), out_dir=tmp_path / "o")
    written = run_steps(ctx, steps)
    assert [p.name for p in written] == ["layers_summary.csv", "extra.txt"]
    assert calls == ["extra"]
    # an existing output of a later step stops the run before the first step writes
    ctx2 = RunContext(catalog=Catalog.load(), out_dir=tmp_path / "p")
    ctx2.out_dir.mkdir()
    (ctx2.out_dir / "extra.txt").write_text("keep", encoding="utf-8")
    with pytest.raises(OutputError, match="pass --overwrite"):
        run_steps(ctx2, steps)
    assert not (ctx2.out_dir / "layers_summary.csv").exists()
