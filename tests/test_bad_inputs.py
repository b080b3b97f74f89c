"""Bad-input matrix (issue 7): every case goes through the real CLI entry point.

For each case in :data:`bad_inputs.builders.CASES` we assert the exit code, a one-line
message naming the file, the layer/key and the fix (no traceback unless ``-vv``), that
nothing partial is left behind, and that the inputs are byte-identical afterwards
(no side files such as ``.aux.xml`` either). Cases run in-process through
``ordos_geo.cli.main.main`` (fast); a few also run as a subprocess to check the real
exit codes and stderr of the installed command.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from bad_inputs.builders import CASES, SQUARE, Case, square_gdf, write_gdf
from cli_runner import run_cli

from ordos_geo.catalog import Catalog
from ordos_geo.catalog import checks as catalog_checks
from ordos_geo.crs import WORK_CRS
from ordos_geo.errors import OrdosGeoError, OutputError
from ordos_geo.grid import Grid
from ordos_geo.io import atomic
from ordos_geo.io.raster import write_cog
from ordos_geo.io.vector import read_vector, write_gpkg

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "troubleshooting.md"
ERR = "ordos-geo: error: "


def snapshot(paths: list[Path]) -> dict[str, str]:
    """sha256 of every file under ``paths`` (so changes and new side files both show)."""
    out: dict[str, str] = {}
    for root in paths:
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for f in files:
            out[str(f)] = hashlib.sha256(f.read_bytes()).hexdigest()
    return out


def run_inprocess(argv: list[str], monkeypatch: pytest.MonkeyPatch,
                  capfd: pytest.CaptureFixture[str], env: dict[str, str],
                  cwd: Path) -> tuple[int, str, str]:
    """Call the CLI entry point in this process; return (exit code, stdout, stderr)."""
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    monkeypatch.chdir(cwd)
    return run_cli(argv, capfd)


def run_subprocess(argv: list[str], env: dict[str, str], cwd: Path) -> tuple[int, str, str]:
    """Run the installed entry point in a fresh interpreter."""
    code = "from ordos_geo.cli.main import main; main()"
    r = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True,
                       env={**os.environ, **env}, cwd=cwd, timeout=120, check=False)
    return r.returncode, r.stdout, r.stderr


def leftovers(folder: Path) -> list[Path]:
    """Temporary files of io.atomic (``.<stem>.*.tmp<suffix>``) left in ``folder``."""
    return [p for p in folder.rglob(".*") if ".tmp" in p.name]


def check_case(case: Case, rc: int, out: str, err: str, d: Path,
               before: dict[str, str]) -> None:
    assert "Traceback" not in err, err
    assert rc == case.rc, f"exit {rc}, expected {case.rc}\nstdout: {out}\nstderr: {err}"
    if rc:
        errors = [ln for ln in err.splitlines() if ln.startswith(ERR)]
        assert len(errors) == 1, err
        text = errors[0] if case.one_line else err
        assert "internal error" not in text, text
    else:
        text = out + err
    for s in (*case.snippets, *([case.family] if case.family else [])):
        assert s in text, f"{s!r} not in message:\n{text}"
    assert snapshot(case.inputs) == before, "inputs changed or side files were written"
    for o in case.outputs:
        assert not o.exists(), f"{o} left behind"
    assert leftovers(d) == []


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input_case(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                        capfd: pytest.CaptureFixture[str],
                        request: pytest.FixtureRequest) -> None:
    d = tmp_path / name
    d.mkdir()
    case = CASES[name](d)
    if case.xfail:
        request.applymarker(pytest.mark.xfail(strict=True, reason=case.xfail))
    before = snapshot(case.inputs)
    rc, out, err = run_inprocess(case.argv, monkeypatch, capfd, case.env, d)
    check_case(case, rc, out, err, d, before)


SUBPROCESS = ["layer_latlon_swapped", "catalog_unknown_key", "projects_duplicate_ids",
              "coord_no_zone_prefix", "out_under_regular_file", "coord_100k_points"]


@pytest.mark.parametrize("name", SUBPROCESS)
def test_bad_input_subprocess(name: str, tmp_path: Path) -> None:
    """The installed entry point gives the same exit code and one-line message."""
    case = CASES[name](tmp_path)
    before = snapshot(case.inputs)
    rc, out, err = run_subprocess(case.argv, case.env, tmp_path)
    check_case(case, rc, out, err, tmp_path, before)


def test_traceback_only_with_vv(tmp_path: Path) -> None:
    case = CASES["catalog_unknown_key"](tmp_path)
    rc, _, err = run_subprocess(["-vv", *case.argv], case.env, tmp_path)
    assert rc == 1
    assert "Traceback" in err and err.rstrip().splitlines()[-1].startswith(ERR)


def test_matrix_is_big_enough() -> None:
    assert len(CASES) >= 30


def test_every_message_family_is_documented(tmp_path: Path) -> None:
    """docs/troubleshooting.md quotes every message family the matrix produces."""
    doc = DOC.read_text(encoding="utf-8")
    missing = {}
    for name, build in CASES.items():
        if name == "coord_100k_points":  # rc 0, no message; skip the big file
            continue
        d = tmp_path / name
        d.mkdir()
        fam = build(d).family
        if fam and fam not in doc:
            missing[name] = fam
    assert not missing, f"docs/troubleshooting.md lacks: {missing}"


# ------------------------------------------------------------------ unit-level hardening
def test_gbk_dbf_without_cpg_decodes_names(tmp_path: Path) -> None:
    case = CASES["layer_gbk_dbf_no_cpg"](tmp_path)
    assert case.rc == 0
    gdf = read_vector(tmp_path / "gbk.shp", crs=4326)
    assert list(gdf["name"]) == ["鄂尔多斯红线"]


def test_z_dropped_and_empty_dropped(tmp_path: Path) -> None:
    CASES["layer_zm_geometries"](tmp_path)
    g = read_vector(tmp_path / "z.gpkg")
    assert not g.has_z.any()
    CASES["layer_empty_polygons"](tmp_path)
    g = read_vector(tmp_path / "empties.gpkg")
    assert len(g) == 1 and g.attrs["dropped_empty"] == 1


def test_default_vector_layers_valid_after_projection(repo: Path) -> None:
    """Every default vector layer stays valid (and unionable) in WORK_CRS."""
    for gpkg in sorted((repo / "ordos_geo" / "data" / "layers").glob("*.gpkg")):
        gdf = gpd.read_file(gpkg)
        assert gdf.is_valid.all(), gpkg.name
        work = gdf.to_crs(WORK_CRS)
        bad = work[~work.is_valid]
        assert bad.empty, f"{gpkg.name}: {len(bad)} invalid after to_crs(WORK_CRS)"
        shapely.union_all(work.geometry.values)  # raised GEOS TopologyException before


def test_raster_check_falls_back_to_file_crs(tmp_path: Path, repo: Path) -> None:
    """A raster spec without crs uses the file's CRS (catalog_checks._check_raster)."""
    cat = Catalog.load()
    spec = cat["elevation"].model_copy(update={"crs": None})
    check = catalog_checks.check_layer(cat, spec)
    assert check.problems == (), check.problems
    assert check.bounds_lonlat is not None
    lo0, la0, lo1, la1 = check.bounds_lonlat
    assert 106 < lo0 < lo1 < 112 and 37 < la0 < la1 < 41.5
    info = catalog_checks.describe_layer(cat, spec)
    assert info["bounds_lonlat"] == [round(v, 6) for v in check.bounds_lonlat]


def test_write_failing_half_way_leaves_nothing(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """A writer that dies after writing part of the file leaves no target and no temp."""
    target = tmp_path / "out.gpkg"

    def boom(*args: object, **kw: object) -> None:
        path = Path(str(args[1]))
        path.write_bytes(b"SQLite format 3\x00partial")
        raise OSError("disk full")

    import pyogrio

    monkeypatch.setattr(pyogrio, "write_dataframe", boom)
    with pytest.raises(OrdosGeoError):
        write_gpkg(square_gdf(), target, layer="x")
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []
    # the same for a raster and an existing target: the old bytes survive
    tif = tmp_path / "r.tif"
    tif.write_bytes(b"old")
    grid = Grid.from_bounds((0, 0, 1000, 1000), res_m=100, crs=WORK_CRS)

    def half(*args: object, **kw: object) -> None:
        raise RuntimeError("killed")

    import rasterio

    monkeypatch.setattr(rasterio.io.DatasetWriter, "write", half)
    with pytest.raises(Exception):  # noqa: B017 — whatever the writer raised
        write_cog(np.zeros(grid.shape, "uint8"), grid, tif, nodata=255, tags={})
    assert tif.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["r.tif"]


def test_output_equal_to_input_refused(tmp_path: Path) -> None:
    src = write_gdf(square_gdf(), tmp_path / "in.gpkg")
    before = src.read_bytes()
    with pytest.raises(OutputError, match="also an input"):
        atomic.check_output_path(src, overwrite=True, inputs=[src])
    assert src.read_bytes() == before


def test_existing_output_needs_overwrite(tmp_path: Path) -> None:
    p = tmp_path / "a.csv"
    atomic.write_text_atomic(p, "one\n", overwrite=False)
    with pytest.raises(OutputError, match="pass --overwrite"):
        atomic.write_text_atomic(p, "two\n", overwrite=False)
    assert p.read_text() == "one\n"
    atomic.write_text_atomic(p, "two\n", overwrite=True)
    assert p.read_text() == "two\n"


def test_html_in_layer_title_is_escaped_in_overview(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch,
                                                    capfd: pytest.CaptureFixture[str]) -> None:
    """A user layer titled with a script tag must not inject it into overview.html."""
    write_gdf(square_gdf("<b>粗</b>"), tmp_path / "evil.gpkg")
    (tmp_path / "mine.yaml").write_text(
        "version: 1\nlayers:\n  - id: evil\n    title_zh: \"<script>alert(1)</script>\"\n"
        "    title_en: \"<img src=x onerror=alert(2)>\"\n    kind: vector\n    path: evil.gpkg\n"
        "    crs: EPSG:4326\n    roles: [context]\n    provenance: user\n    source: t\n"
        "    licence: CC0\n", encoding="utf-8")
    html_path = tmp_path / "m.html"
    rc, _o, e = run_inprocess(["map", "--out", str(html_path), "--catalog",
                              str(tmp_path / "mine.yaml")], monkeypatch, capfd, {}, tmp_path)
    assert rc == 0, e
    html = html_path.read_text(encoding="utf-8")
    assert "alert(1)" in html  # the title is shown ...
    assert "<script>alert(1)" not in html  # ... but escaped, also inside JSON strings
    assert "\\u003cscript\\u003ealert" not in html
    assert "<b>粗" not in html
    assert "\\u003cb\\u003e\\u7c97" not in html  # <b>粗 inside a JSON string


def test_square_fixture_is_inside_ordos() -> None:
    from ordos_geo.crs import ORDOS_BBOX_LONLAT as B

    x0, y0, x1, y1 = SQUARE.bounds
    assert B[0] < x0 < x1 < B[2] and B[1] < y0 < y1 < B[3]


def test_100k_point_parcel_reads_exactly(tmp_path: Path) -> None:
    """The 100,000-point 界址点 ring (circle r = 400 m) keeps its area and all vertices."""
    from ordos_geo.io.coordfile import read_coordfile

    CASES["coord_100k_points"](tmp_path)
    g = read_coordfile(tmp_path / "parcel.txt")
    assert g.crs.to_epsg() == 4525
    assert int(g["n_points"].iloc[0]) in (100_000, 100_001)
    assert float(g.geometry.area.iloc[0]) == pytest.approx(np.pi * 400**2, rel=1e-4)
    assert shapely.get_num_coordinates(g.geometry.iloc[0]) == 100_001


def test_nan_coordinates_are_a_clear_error(tmp_path: Path) -> None:
    CASES["layer_nan_coordinates"](tmp_path)
    with pytest.raises(OrdosGeoError, match=r"nan.geojson.*NaN or infinite coordinates"):
        read_vector(tmp_path / "nan.geojson", crs=4326)
