"""Result files and the ``check`` command, end to end on the synthetic world."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import typer
from openpyxl import load_workbook
from typer.testing import CliRunner

from ordos_geo.catalog import Catalog
from ordos_geo.cli.check import register
from ordos_geo.errors import OutputError
from ordos_geo.zoning import check_json, check_projects, write_outputs
from ordos_geo.zoning.synthetic import ORIGIN, WORLD_CRS, build_world, wbox

XSS = "<script>alert(1)</script>"


def coordfile(path: Path) -> Path:
    """PV parcel with a hole on the subsidence box (zone 36, prefixed eastings)."""
    e0, n0 = 36_000_000 + ORIGIN[0] + 6100, ORIGIN[1] + 4100
    pts = [("J1", 1, 0, 100), ("J2", 1, 200, 100), ("J3", 1, 200, 0), ("J4", 1, 0, 0),
           ("J5", 2, 90, 70), ("J6", 2, 110, 70), ("J7", 2, 110, 50), ("J8", 2, 90, 50)]
    lines = ["[属性描述]", "坐标系=2000国家大地坐标系", "几度分带=3", "带号=36", "[地块坐标]",
             "8,1.9600,JZD-1,沉陷区光伏,面,,光伏用地,,@"]
    lines += [f"{k},{r},{n0 + dy:.3f},{e0 + dx:.3f}" for k, r, dx, dy in pts]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_world(tmp_path_factory.mktemp("world"))


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    d = tmp_path_factory.mktemp("in")
    gj = d / "p.geojson"
    gpd.GeoDataFrame(
        {"id": ["X1", "X2", "X3"], "name": [XSS, "=1+1", "跨界钢厂"],
         "industry": ["other", "pv", "steel"], "stage": ["new", "new", "new"],
         "energy_efficiency": [None, None, "benchmark"]},
        geometry=[wbox(450, 2450, 550, 2550),       # red line: prohibited (P-12a)
                  wbox(15000, 15000, 15100, 15100),  # nothing: compliant
                  wbox(900, 400, 1100, 500)],        # half in the urban core: fix hint
        crs=WORLD_CRS).to_file(gj)
    return [gj, coordfile(d / "jzd.txt")]


@pytest.fixture(scope="module")
def written(world: Path, inputs: list[Path], tmp_path_factory: pytest.TempPathFactory) -> Any:
    res = check_projects(inputs, catalog=Catalog.load(default=world), defaults={"stage": "new"})
    out = tmp_path_factory.mktemp("out")
    return res, write_outputs(res, out)


def test_verdicts(written: Any) -> None:
    res, _ = written
    v = dict(zip(res.projects["id"], res.projects["verdict"], strict=True))
    assert v == {"X1": "prohibited", "X2": "compliant", "X3": "prohibited",
                 "JZD-1": "compliant"}
    jzd = res.projects.set_index("id").loc["JZD-1"]
    assert set(jzd["encouraged"].split(";")) == {"P-6d", "P-15a", "N-2c"}
    assert jzd["area_ha"] == pytest.approx(1.96, rel=2e-4)


def test_csv_has_bom_and_verbatim_text(written: Any) -> None:
    _, paths = written
    raw = paths["conflicts.csv"].read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    df = pd.read_csv(paths["conflicts.csv"], encoding="utf-8-sig")
    assert XSS in df["project_name"].tolist()
    row = df.loc[(df["project_id"] == "X1") & (df["rule_id"] == "P-12a")].iloc[0]
    assert row["citation"] == "鄂环发〔2023〕76号 三(十二)3"
    assert row["overlap_mu"] == pytest.approx(row["overlap_m2"] / (10000 / 15), abs=0.01)


def test_gpkg_layers(written: Any) -> None:
    _, paths = written
    assert [x[0] for x in pyogrio.list_layers(paths["conflicts.gpkg"])] == [
        "projects", "hits", "fix_hints"]
    pr = gpd.read_file(paths["conflicts.gpkg"], layer="projects")
    assert pr.crs.to_epsg() == 4326
    assert XSS in pr["name"].tolist() and "verdict" in pr.columns
    fx = gpd.read_file(paths["conflicts.gpkg"], layer="fix_hints")
    assert fx["project_id"].tolist() == ["X3"]
    assert fx["remainder_share"].iloc[0] == pytest.approx(0.5, abs=1e-3)


def test_xlsx_sheets_headers_and_no_formulas(written: Any) -> None:
    _, paths = written
    wb = load_workbook(paths["verdicts.xlsx"])
    assert wb.sheetnames[:5] == ["禁止", "限制", "审查", "待补充信息", "合规"]
    ws = wb["禁止"]
    header = [c.value for c in ws[1]]
    assert header[:3] == ["项目编号", "项目名称", "行业"]
    assert "expect" not in header and "预期结论" not in header  # test-fixture column dropped
    assert all(h is not None and any("\u4e00" <= ch <= "\u9fff" for ch in h) for h in header)
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    names = [r[1] for r in rows]
    assert XSS in names
    # codes are written as Chinese words (行业, 阶段, 结论), not as English ids
    col = {h: i for i, h in enumerate(header)}
    assert {r[col["结论"]] for r in rows} == {"禁止"}
    assert all(r[col["阶段"]] in ("新建", "扩建", "改建", "技改", "搬迁", "续建") for r in rows)
    assert not any(str(r[col["行业"]]).isascii() for r in rows)
    ok = wb["合规"]
    cell = next(r[1] for r in ok.iter_rows(min_row=2) if r[0].value == "X2")
    assert cell.value == "=1+1" and cell.data_type == "s"


def test_large_hit_lists_stay_out_of_the_workbook(written: Any, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from ordos_geo.zoning import outputs as zo

    res, _ = written
    assert len(res.hits) >= 2
    monkeypatch.setattr(zo, "XLSX_MAX_HITS", 1)
    path = tmp_path / "v.xlsx"
    zo._write_xlsx(res, path, True)
    wb = load_workbook(path)
    note = [r[0] for r in wb["冲突明细"].iter_rows(min_row=2, values_only=True)]
    assert len(note) == 1 and "conflicts.csv" in note[0] and f"{len(res.hits):,}" in note[0]
    # the verdict sheets are whole; the notes sheet says where the hits are
    assert sum(wb[v].max_row - 1 for v in ("禁止", "限制", "审查", "待补充信息", "合规")) \
        == len(res.projects)
    assert any("conflicts.csv" in str(r[0]) for r in wb["说明"].iter_rows(values_only=True))


def test_summary_json(written: Any) -> None:
    _, paths = written
    s = json.loads(paths["screening_summary.json"].read_text(encoding="utf-8"))
    assert s["verdicts"] == {"prohibited": 2, "restricted": 0, "review": 0,
                             "needs_information": 0, "compliant": 2}
    assert s["examples"] is False and "conditional" in s and s["skipped_rows"] == []
    assert s["hits_by_rule"]["P-12a"]["projects"] == 1
    assert any("illustrative" in n for n in s["notes"])
    assert s["ledger"]["provenance"] == ["illustrative"]


def test_existing_outputs_are_not_overwritten(written: Any) -> None:
    res, paths = written
    before = paths["conflicts.csv"].read_bytes()
    with pytest.raises(OutputError, match="pass --overwrite"):
        write_outputs(res, paths["conflicts.csv"].parent)
    assert paths["conflicts.csv"].read_bytes() == before


# ----------------------------------------------------------------------------- CLI
@pytest.fixture()
def cli(world: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("ORDOS_GEO_LAYERS", str(world))
    app = typer.Typer()

    @app.callback()
    def _root() -> None:
        pass

    register(app)
    runner = CliRunner()
    return lambda *args: runner.invoke(app, ["check", *map(str, args)])


def test_cli_json_and_fail_on(cli: Any, inputs: list[Path], tmp_path: Path) -> None:
    import time

    t0 = time.perf_counter()
    r = cli(*inputs, "--stage", "new", "--out", tmp_path / "a", "--json")
    wall = time.perf_counter() - t0
    assert r.exit_code == 0, r.output
    last = json.loads(r.stdout.strip().splitlines()[-1])
    # phase times of the command (seconds): read, screen, write — each ≥ 0, together
    # not more than the command took
    tm = last["timings"]
    assert set(tm) == {"read", "screen", "write"}
    assert all(isinstance(v, float | int) and v >= 0 for v in tm.values())
    assert sum(tm.values()) <= wall + 0.01
    summ = json.loads((tmp_path / "a" / "screening_summary.json").read_text("utf-8"))
    assert set(summ["timings"]) == {"read", "screen"}
    p = {x["id"]: x for x in last["projects"]}
    assert p["X1"]["verdict"] == "prohibited" and p["X1"]["name"] == XSS
    hit = next(h for h in p["X1"]["hits"] if h["rule_id"] == "P-12a")
    assert hit["severity"] == "prohibited" and hit["citation"].startswith("鄂环发〔2023〕76号")
    assert p["JZD-1"]["area_mu"] == pytest.approx(19600 / (10000 / 15), rel=2e-4)
    r = cli(*inputs, "--stage", "new", "--out", tmp_path / "b", "--fail-on", "prohibited")
    assert r.exit_code == 3
    assert "禁止 prohibited" in r.stdout
    r = cli(inputs[1], "--stage", "new", "--out", tmp_path / "c", "--fail-on", "review")
    assert r.exit_code == 0  # the 界址点 parcel is compliant (only encouraged hits)


def test_cli_refuses_overwrite_and_bad_rows(cli: Any, inputs: list[Path], tmp_path: Path) -> None:
    assert cli(inputs[1], "--stage", "new", "--out", tmp_path).exit_code == 0
    r = cli(inputs[1], "--stage", "new", "--out", tmp_path)
    assert isinstance(r.exception, OutputError)
    bad = tmp_path / "bad.csv"
    bad.write_text("id,industry,stage,lon,lat\nA,pv,build,109,39\n", encoding="utf-8")
    r = cli(bad, "--out", tmp_path / "x")
    assert "row 2: field 'stage'" in str(r.exception)


# ----------------------------------------------------------------------------- round 2
def test_check_json_hits_carry_quote_layer_zones_and_flags(written: Any) -> None:
    res, _ = written
    doc = check_json(res)
    p = {x["id"]: x for x in doc["projects"]}
    hit = next(h for h in p["X1"]["hits"] if h["rule_id"] == "P-12a")
    assert hit["quote"] == "严守生态保护红线,严格管控自然保护地非生态活动"
    assert hit["layers"] == ["red_lines", "nature_reserves"] and hit["zones"]
    assert hit["illustrative"] is True and hit["verify"] is False
    assert hit["overlap_m2"] == pytest.approx(10000.0, rel=1e-3) and hit["ledger"] is None
    # worst first, then the rules that could not be evaluated, with the reason
    sev = [h["severity"] for h in p["X3"]["hits"]]
    order = ["prohibited", "restricted", "review", "needs_information", "encouraged"]
    assert sev == sorted(sev, key=order.index)
    assert p["X2"]["verdict"] == "compliant" and p["X2"]["conditional"] is True
    assert any(n["rule_id"] == "N-2b" and "not in the catalog" in n["reason"]
               for n in p["X2"]["not_evaluated"])
    assert doc["conditional"] >= 1 and doc["examples"] is False


def test_point_projects_have_no_area(world: Path, tmp_path: Path) -> None:
    f = tmp_path / "pt.csv"
    f.write_text("id,industry,stage,lon,lat\nP1,other,new,109.5,39.5\n", encoding="utf-8")
    res = check_projects([f], catalog=Catalog.load(default=world))
    rec = check_json(res)["projects"][0]
    assert rec["area_ha"] is None and rec["area_mu"] is None


def test_cli_default_out_is_a_folder_named_after_the_input(
        cli: Any, inputs: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    r = cli(inputs[1], "--stage", "new")
    assert r.exit_code == 0, r.output
    assert (tmp_path / "jzd_screening" / "verdicts.xlsx").is_file()


def test_cli_skip_invalid_lists_skipped_rows_and_fails_the_gate(cli: Any,
                                                                tmp_path: Path) -> None:
    f = tmp_path / "mixed.csv"
    f.write_text("id,industry,stage,lon,lat\nOK-1,other,new,109.5,39.5\n"
                 "BAD-1,ferroalloy,new,,\nBAD-2,steel,筹建,109.5,39.5\n", encoding="utf-8")
    r = cli(f, "--out", tmp_path / "a")
    assert r.exit_code != 0 and "2 invalid project row(s)" in str(r.exception)
    r = cli(f, "--out", tmp_path / "b", "--skip-invalid")
    assert r.exit_code == 0, r.output
    assert "skipped: " in r.stdout and "row 3: field 'geometry'" in r.stdout
    # a row that was not screened can never pass a --fail-on gate
    r = cli(f, "--out", tmp_path / "c", "--skip-invalid", "--fail-on", "prohibited", "--json")
    assert r.exit_code == 3
    doc = json.loads(r.stdout.strip().splitlines()[-1])
    assert [s["row"] for s in doc["skipped_rows"]] == ["row 3", "row 4"]


def test_cli_table_keeps_long_ids_apart(cli: Any, tmp_path: Path) -> None:
    f = tmp_path / "ids.csv"
    f.write_text("id,industry,stage,lon,lat\n"
                 "鄂尔多斯市达拉特旗光伏项目-2024-001,pv,new,109.5,39.5\n"
                 "鄂尔多斯市达拉特旗光伏项目-2024-002,pv,new,109.6,39.5\n", encoding="utf-8")
    r = cli(f, "--out", tmp_path / "o")
    assert r.exit_code == 0, r.output
    assert "鄂尔多斯市达拉特旗光伏项目-2024-001" in r.stdout
    assert "鄂尔多斯市达拉特旗光伏项目-2024-002" in r.stdout


def test_run_screens_the_users_projects_and_marks_examples(world: Path, inputs: list[Path],
                                                           tmp_path: Path) -> None:
    from ordos_geo.cli.run import RunContext, step_screening

    cat = Catalog.load(default=world)
    mine = RunContext(catalog=cat, out_dir=tmp_path / "mine", projects=[inputs[0]])
    step_screening(mine)
    s = json.loads((tmp_path / "mine" / "screening_summary.json").read_text(encoding="utf-8"))
    assert s["examples"] is False and s["n_projects"] == 3
    ex = RunContext(catalog=cat, out_dir=tmp_path / "ex")
    step_screening(ex)
    s = json.loads((tmp_path / "ex" / "screening_summary.json").read_text(encoding="utf-8"))
    assert s["examples"] is True and any("EXAMPLE" in n for n in s["notes"])


def test_cli_as_of_dates_the_ledger_caps(cli: Any, tmp_path: Path) -> None:
    gj = tmp_path / "steel.geojson"
    gpd.GeoDataFrame({"id": ["S1"], "industry": ["steel"], "stage": ["new"],
                      "capacity": ["50万吨/年"]},
                     geometry=[wbox(15000, 15000, 15100, 15100)], crs=WORLD_CRS).to_file(gj)
    sev = {}
    for day in ("2025-06-30", "2026-01-01"):
        r = cli(gj, "--out", tmp_path / day, "--as-of", day, "--json")
        assert r.exit_code == 0, r.output
        doc = json.loads(r.stdout.strip().splitlines()[-1])
        hit = next(h for h in doc["projects"][0]["hits"] if h["rule_id"] == "P-8b")
        assert hit["ledger"]["cap"] == 100 and hit["ledger"]["target_year"] == 2025
        sev[day] = hit["severity"]
    assert sev == {"2025-06-30": "prohibited", "2026-01-01": "review"}
