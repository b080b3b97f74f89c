"""``ordos-geo layers list|show|validate`` on a small catalog and on the default set."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pytest
from cli_runner import run_cli
from shapely.geometry import LineString, box

from ordos_geo.catalog import ENV_LAYERS

ENTRY = """\
  - id: {id}
    title_zh: {zh}
    title_en: {en}
    kind: vector
    path: {path}
    crs: EPSG:4490
    roles: [{roles}]
    provenance: {prov}
    source: test fixture
    licence: CC0
"""


@pytest.fixture
def small_catalog(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Two-layer default catalog (via $ORDOS_GEO_LAYERS) plus one layer outside Ordos."""
    d = tmp_path / "layers"
    d.mkdir()
    gpd.GeoDataFrame(
        {"name_zh": ["东胜园区", "杭锦园区"], "area_ha": [1.5, 2.0]},
        geometry=[box(109.9, 39.7, 110.0, 39.8), box(108.7, 39.8, 108.8, 39.9)],
        crs="EPSG:4490",
    ).to_file(d / "parks.gpkg", driver="GPKG")
    gpd.GeoDataFrame(
        {"name": ["黄河"]}, geometry=[LineString([(107, 40.2), (110, 40.5)])], crs="EPSG:4490"
    ).to_file(d / "river.gpkg", driver="GPKG")
    gpd.GeoDataFrame(
        {"k": [1]}, geometry=[box(116.3, 39.8, 116.5, 40.0)], crs="EPSG:4490"
    ).to_file(d / "beijing.gpkg", driver="GPKG")
    cat = d / "catalog.yaml"
    cat.write_text(
        "version: 1\nlayers:\n"
        + ENTRY.format(id="parks", zh="工业园区", en="Industrial parks", path="parks.gpkg",
                       roles="zoning, preference", prov="illustrative")
        + ENTRY.format(id="river", zh="黄河", en="Yellow River", path="river.gpkg",
                       roles="context", prov="derived"),
        encoding="utf-8",
    )
    monkeypatch.setenv(ENV_LAYERS, str(cat))
    return cat


@pytest.fixture
def broken_user(small_catalog: Path) -> Path:
    user = small_catalog.parent / "broken.yaml"
    user.write_text(
        "version: 1\nlayers:\n"
        + ENTRY.format(id="beijing", zh="北京", en="Beijing", path="beijing.gpkg",
                       roles="context", prov="user"),
        encoding="utf-8",
    )
    return user


def test_list_table(small_catalog: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(["layers", "list"], capsys)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["id", "title", "(zh"]
    parks = next(line for line in lines if line.startswith("parks "))
    assert "工业园区 / Industrial parks" in parks
    assert "zoning,preference" in parks and "illustrative" in parks and "EPSG:4490" in parks
    assert parks.rstrip().endswith("2")  # features
    river = next(line for line in lines if line.startswith("river "))
    # columns line up although titles mix CJK (2 cells wide) and Latin text
    assert _display_col(parks, "vector") == _display_col(river, "vector")
    assert lines[-1].startswith("2 layers (1 illustrative")


def _display_col(line: str, word: str) -> int:
    import unicodedata

    prefix = line[: line.index(word)]
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in prefix)


def test_list_json(small_catalog: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(["layers", "list", "--json"], capsys)
    assert code == 0
    data = json.loads(out)
    assert [r["id"] for r in data["layers"]] == ["parks", "river"]
    assert data["layers"][0]["provenance"] == "illustrative"
    assert data["layers"][0]["features"] == 2
    assert data["layers"][0]["roles"] == ["zoning", "preference"]


def test_list_by_role(small_catalog: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(["layers", "list", "--json", "--role", "preference"], capsys)
    assert code == 0
    assert [r["id"] for r in json.loads(out)["layers"]] == ["parks"]
    code, _, err = run_cli(["layers", "list", "--role", "colour"], capsys)
    assert code == 2 and "use one of: zoning, exclusion" in err


def test_show(small_catalog: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(["layers", "show", "parks"], capsys)
    assert code == 0, err
    assert out.splitlines()[0] == "parks: 工业园区 / Industrial parks"
    assert "W 108.7000  S 39.7000  E 110.0000  N 39.9000 (degrees, EPSG:4326)" in out
    assert "source:         test fixture" in out
    assert "licence:        CC0" in out
    assert "示意数据 / illustrative" in out
    attrs = out.split("attributes:")[1].split()
    assert attrs == ["name", "dtype", "name_zh", "str", "area_ha", "float64"]


def test_show_json(small_catalog: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(["layers", "show", "river", "--json"], capsys)
    assert code == 0
    info = json.loads(out)
    assert info["geometry_types"] == ["LineString"]
    assert info["bounds_lonlat"] == pytest.approx([107, 40.2, 110, 40.5])


def test_show_unknown_id_is_one_line_error(
    small_catalog: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(["layers", "show", "roads"], capsys)
    assert code == 1 and out == ""
    assert err.count("\n") == 1
    assert "unknown layer id 'roads' (available: parks, river)" in err


def test_validate_ok(small_catalog: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(["layers", "validate"], capsys)
    # the layers open fine, but `parks` lacks the fields the zoning rules filter on
    assert code == 1, err
    lines = out.splitlines()
    assert lines[:2] == ["parks: OK (2 features)", "river: OK (1 feature)"]
    assert any(x.startswith("ERROR layer 'parks': field 'park_kind' needed by rule(s) P-19a")
               and "fields: {park_kind: <your field>}" in x for x in lines[2:])


def test_validate_broken_user_catalog(
    broken_user: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(["layers", "validate", "--catalog", str(broken_user)], capsys)
    assert code == 1
    assert out.splitlines()[0] == "parks: OK (2 features)"
    assert out.splitlines()[2].startswith("beijing: PROBLEM: ")
    assert "outside Ordos" in out.splitlines()[2]
    err_lines = err.splitlines()
    assert err_lines[0] == "ordos-geo: error: 1 layer problem(s):"
    assert len(err_lines) == 2 and err_lines[1].startswith("  beijing: ")
    assert "beijing.gpkg" in err_lines[1] and "116.3" in err_lines[1]
    assert "Traceback" not in err


def test_validate_json(broken_user: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(["layers", "validate", "--json", "--catalog", str(broken_user)],
                           capsys)
    assert code == 1
    data = json.loads(out)
    assert data["ok"] is False
    assert [c["status"] for c in data["layers"]] == ["ok", "ok", "problem"]


def test_invalid_catalog_is_one_line(small_catalog: Path, tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\nlayers:\n  - id: x\n    colour: red\n", encoding="utf-8")
    code, _, err = run_cli(["layers", "list", "--catalog", str(bad)], capsys)
    assert code == 1
    assert err.count("\n") == 1 and "bad.yaml:3: layers[0]" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    "args",
    [["layers", "list", "--bogus"], ["layers", "show"], ["layers", "nope"],
     ["layers", "show", "a", "b"]],
)
def test_usage_errors_exit_2(small_catalog: Path, args: list[str],
                             capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(args, capsys)
    assert code == 2
    assert "Usage:" in err


# --- the embedded default set (layers/catalog.yaml) --------------------------------------


def _default_catalog(repo: Path) -> Path:
    p = repo / "ordos_geo" / "data" / "layers" / "catalog.yaml"
    if not p.exists():
        pytest.skip("layers/catalog.yaml not built yet")
    return p


def test_default_catalog_lists_all_layers(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _default_catalog(repo)
    monkeypatch.delenv(ENV_LAYERS, raising=False)
    code, out, err = run_cli(["layers", "list", "--json"], capsys)
    assert code == 0, err
    rows = json.loads(out)["layers"]
    assert len(rows) >= 15
    assert all(r["provenance"] in {"official", "derived", "illustrative", "user"} for r in rows)
    ids = {r["id"] for r in rows}
    assert {"city", "banners", "landcover", "red_lines", "control_units", "parks"} <= ids
    code, out, _ = run_cli(["layers", "list"], capsys)
    assert code == 0
    for r in rows:  # the table shows every layer with its provenance
        line = next(x for x in out.splitlines() if x.startswith(r["id"] + " "))
        assert f" {r['provenance']} " in line


def test_default_catalog_validates(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _default_catalog(repo)
    monkeypatch.delenv(ENV_LAYERS, raising=False)
    code, out, err = run_cli(["layers", "validate"], capsys)
    assert code == 0, err
    assert all((": OK (" in x) or (": REPAIRED " in x) for x in out.splitlines())
