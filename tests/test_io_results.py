"""io/results: one reader policy, formula-safe CSV, result sets written whole."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from ordos_geo.errors import LayerIOError, OutputError
from ordos_geo.grid import Grid
from ordos_geo.io import results as rs
from ordos_geo.io.raster import write_cog


# ------------------------------------------------------------------ reading
@pytest.mark.parametrize("name", ["pv_summary.json", "wind_capacity_by_banner.csv",
                                  "conflicts.gpkg", "pv_score.tif", "layers_summary.csv"])
def test_missing_file_is_none(tmp_path: Path, name: str) -> None:
    got = {"json": lambda: rs.read_json(tmp_path, name),
           "csv": lambda: rs.read_csv(tmp_path, name),
           "gpkg": lambda: rs.read_layer(tmp_path, name, "projects"),
           "tif": lambda: rs.raster_path(tmp_path, name)}[name.rsplit(".", 1)[1]]()
    assert got is None


@pytest.mark.parametrize(("name", "content", "command"), [
    ("pv_summary.json", b"{\"truncated\": ", "ordos-geo siting pv"),
    ("screening_summary.json", b"[1, 2]", "ordos-geo check"),
    ("wind_exclusions.csv", b"", "ordos-geo siting wind"),
    ("conflicts.csv", b'a,b\n"unclosed,1\n', "ordos-geo check"),
    ("layers_summary.csv", b"\xff\xfe\x00garbage", "ordos-geo run"),
    ("conflicts.gpkg", b"SQLite format 3\x00 but cut", "ordos-geo check"),
    ("pv_score.tif", b"II*\x00 truncated", "ordos-geo siting pv"),
])
def test_corrupt_file_is_one_line_error_naming_file_and_rerun(
        tmp_path: Path, name: str, content: bytes, command: str) -> None:
    # before: a corrupt CSV became "section not computed" with exit 0
    (tmp_path / name).write_bytes(content)
    reader = {"json": lambda: rs.read_json(tmp_path, name),
              "csv": lambda: rs.read_csv(tmp_path, name),
              "gpkg": lambda: rs.read_layer(tmp_path, name, "projects"),
              "tif": lambda: rs.raster_path(tmp_path, name)}[name.rsplit(".", 1)[1]]
    with pytest.raises(LayerIOError) as exc:
        reader()
    msg = str(exc.value)
    assert name in msg and f"rerun `{command}" in msg and "\n" not in msg


def test_gpkg_without_a_schema_layer_is_an_error(tmp_path: Path) -> None:
    gdf = gpd.GeoDataFrame({"a": [1]}, geometry=[shapely.Point(109.5, 39.5)], crs=4326)
    gdf.to_file(tmp_path / "conflicts.gpkg", layer="projects")
    assert len(rs.read_layer(tmp_path, "conflicts.gpkg", "projects")) == 1
    with pytest.raises(LayerIOError, match="no layer 'hits'; found: projects"):
        rs.read_layer(tmp_path, "conflicts.gpkg", "hits")


def test_good_raster_and_tags(tmp_path: Path) -> None:
    g = Grid.from_bounds((0, 0, 1000, 1000), res_m=100, crs="EPSG:32649")
    write_cog(np.zeros(g.shape, "uint8"), g, tmp_path / "wind_score.tif", nodata=255,
              tags={"provenance": "illustrative"})
    p = rs.raster_path(tmp_path, "wind_score.tif")
    assert p == tmp_path / "wind_score.tif"
    assert rs.raster_tags(p)["provenance"] == "illustrative"


def test_unknown_name_is_a_programming_error(tmp_path: Path) -> None:
    with pytest.raises(KeyError, match="not a result file"):
        rs.read_json(tmp_path, "whatever.json")


# ------------------------------------------------------------------ formula-safe CSV
def test_csv_neutralises_formulas_but_keeps_numbers(tmp_path: Path) -> None:
    df = pd.DataFrame({
        "name": ['=HYPERLINK("http://x","点击")', "+1+1", "-2+3", "@SUM(A1)", "\tcmd",
                 "\rcmd", "草原", "-12.5"],
        "overlap_m2": [-1.5, 2.0, -3.0, 4.0, 5.0, 6.0, 7.0, 8.0],
    })
    p = rs.write_csv(df, tmp_path / "conflicts.csv", bom=True)
    assert p.read_bytes().startswith(b"\xef\xbb\xbf")
    back = rs.read_csv(tmp_path, "conflicts.csv")
    assert back["name"].tolist() == [
        '\'=HYPERLINK("http://x","点击")', "'+1+1", "'-2+3", "'@SUM(A1)", "'\tcmd", "'\rcmd",
        "草原", "-12.5"]
    # numeric columns stay numbers (a negative value is not a formula)
    assert back["overlap_m2"].tolist() == df["overlap_m2"].tolist()
    assert "\n-1.5\n" not in p.read_text(encoding="utf-8-sig")  # it is in a row, unquoted:
    assert ",-1.5" in p.read_text(encoding="utf-8-sig")


def test_write_json_never_writes_nan(tmp_path: Path) -> None:
    p = rs.write_json({"a": float("nan"), "b": [1.0, float("inf")]}, tmp_path / "x.json")
    assert json.loads(p.read_text(encoding="utf-8")) == {"a": None, "b": [1.0, None]}


# ------------------------------------------------------------------ result sets
def test_result_set_is_invisible_until_the_end(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with rs.ResultSet(out, ["a.csv", "b.json"]) as s:
        rs.write_csv(pd.DataFrame({"x": [1]}), s.stage / "a.csv")
        rs.write_json({"y": 2}, s.stage / "b.json")
        assert not (out / "a.csv").exists()
    assert sorted(p.name for p in out.iterdir()) == ["a.csv", "b.json"]


def test_failed_command_leaves_the_previous_set_untouched(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.csv").write_text("old a\n")
    (out / "b.json").write_text("old b\n")
    with pytest.raises(OutputError, match="disk full"), \
            rs.ResultSet(out, ["a.csv", "b.json"], overwrite=True) as s:
        (s.stage / "a.csv").write_text("new a\n")
        raise OutputError("b.json: disk full while writing")
    assert (out / "a.csv").read_text() == "old a\n" and (out / "b.json").read_text() == "old b\n"
    assert sorted(p.name for p in out.iterdir()) == ["a.csv", "b.json"]


def test_failed_command_removes_the_folder_it_created(tmp_path: Path) -> None:
    out = tmp_path / "new"
    with pytest.raises(ValueError), rs.ResultSet(out, ["a.csv"]):
        raise ValueError("bad config")
    assert not out.exists()


def test_existing_output_refused_before_any_work(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("keep\n")
    with pytest.raises(OutputError, match=r"a\.csv: already exists; pass --overwrite"), \
            rs.ResultSet(tmp_path, ["a.csv"]):
        pytest.fail("the block must not run")  # pragma: no cover


def test_second_command_on_a_locked_folder_refused(tmp_path: Path) -> None:
    with rs.ResultSet(tmp_path, ["a.csv"]):
        with pytest.raises(OutputError) as exc, rs.ResultSet(tmp_path, ["b.csv"]):
            pass  # pragma: no cover
        msg = str(exc.value)
        assert "another ordos-geo command is writing to this folder" in msg
        assert "choose another --out" in msg and "\n" not in msg
    with rs.ResultSet(tmp_path, ["b.csv"]):  # released at the end
        pass
    assert not (tmp_path / rs.LOCK_NAME).exists()


def test_stale_temp_files_of_killed_runs_removed(tmp_path: Path) -> None:
    stale = [".pv_score.k2j4h5g1.tmp.tif", ".pv_score.k2j4h5g1.tmp.tif.staging.tif",
             "pv_score.tif.ovr.tmp", ".ordos_geo-stage.abc123/pv_sites.gpkg",
             "report/.report.a1b2c3d4.tmp.html"]
    keep = ["pv_score.tif", "notes.tmp.txt", ".hidden", "report/report.html"]
    for name in stale + keep:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    with rs.ResultSet(tmp_path, ["a.csv"]):
        pass
    left = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file())
    assert left == sorted(keep)


def test_output_folder_that_is_an_input_refused(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="also an input folder"), \
            rs.ResultSet(tmp_path, ["conflicts.csv"], inputs=[tmp_path]):
        pass  # pragma: no cover


def test_output_over_an_input_refused(tmp_path: Path) -> None:
    layer = tmp_path / "city.gpkg"
    layer.write_bytes(b"layer")
    with pytest.raises(OutputError, match="also an input"), \
            rs.ResultSet(tmp_path, ["city.gpkg"], inputs=[layer], overwrite=True):
        pass  # pragma: no cover
    assert layer.read_bytes() == b"layer"


def test_staged_file_refuses_a_folder(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="is a folder; give a file name"), \
            rs.staged_file(tmp_path, overwrite=True):
        pass  # pragma: no cover


def test_run_seed_makes_earlier_results_visible(tmp_path: Path) -> None:
    (tmp_path / "pv_summary.json").write_text('{"provenance": "derived"}')
    with rs.ResultSet(tmp_path, ["pv_map.html"], seed=["pv_summary.json", "absent.csv"]) as s:
        assert rs.read_json(s.stage, "pv_summary.json") == {"provenance": "derived"}
        (s.stage / "pv_map.html").write_text("<html>")
    assert (tmp_path / "pv_summary.json").read_text() == '{"provenance": "derived"}'
    assert (tmp_path / "pv_map.html").exists()


# ------------------------------------------------------------------ through the CLI
def test_check_outputs_never_carry_a_live_formula(
        tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    from bad_inputs.common import projects_csv, pv_row
    from cli_runner import run_cli
    from openpyxl import load_workbook

    csv = tmp_path / "p.csv"
    # a coking plant outside any park: prohibited, so it has a row in conflicts.csv
    csv.write_text(projects_csv([pv_row(项目名称="=1+2", 行业="焦化", 单位="万吨")]),
                   encoding="utf-8")
    rc, _, err = run_cli(["check", str(csv), "--out", str(tmp_path / "out")], capfd)
    assert rc == 0, err
    hits = rs.read_csv(tmp_path / "out", "conflicts.csv")
    assert len(hits) >= 1 and set(hits["project_name"]) == {"'=1+2"}
    assert pd.api.types.is_numeric_dtype(hits["distance_m"])
    ws = load_workbook(tmp_path / "out" / "verdicts.xlsx")["禁止"]
    header = [c.value for c in ws[1]]
    cell = ws.cell(row=2, column=header.index("项目名称") + 1)
    assert cell.value == "=1+2" and cell.data_type == "s"  # text, not a formula


def test_layers_summary_neutralises_a_hostile_title(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capfd: pytest.CaptureFixture[str]) -> None:
    from bad_inputs.common import catalog_entry, square_gdf, write_catalog, write_gdf
    from cli_runner import run_cli

    write_gdf(square_gdf(), tmp_path / "ok.gpkg")
    entry = catalog_entry("mine", "ok.gpkg").replace(
        "title_en: test mine", "title_en: '@SUM(A1)+HYPERLINK(\"http://x\")'")
    monkeypatch.setenv("ORDOS_GEO_LAYERS", str(write_catalog(tmp_path, entry)))
    out = tmp_path / "out"
    rc, _, err = run_cli(["run", "--out", str(out), "--steps", "layers_summary"], capfd)
    assert rc == 0, err
    table = rs.read_csv(out, "layers_summary.csv")
    assert table.loc[0, "title_en"] == "'@SUM(A1)+HYPERLINK(\"http://x\")"
    assert float(table.loc[0, "area_km2"]) > 0
