"""Interactive map: layers, groups, focus maps, offline HTML, options, CLI."""

from __future__ import annotations

import html
import json
import logging
import re
from pathlib import Path

import folium
import pytest
import typer
from folium import plugins
from test_maps_data import XSS, make_catalog, make_results
from typer.testing import CliRunner

from ordos_geo.catalog import Catalog
from ordos_geo.errors import ConfigError, OutputError
from ordos_geo.maps import SIZE_BUDGET_BYTES, MapOptions, build_map, render_html, write_map
from ordos_geo.maps.interactive import is_gcj02_tiles
from ordos_geo.maps.offline import external_refs, inline_assets


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> tuple[Catalog, Path]:
    d = tmp_path_factory.mktemp("mapdata")
    return make_catalog(d / "layers"), make_results(d / "out")


def _groups(m: folium.Map) -> dict[str, list[str]]:
    """Layer-control groups → layer labels (swatch markup removed, unescaped)."""
    ctl = [c for c in m._children.values() if isinstance(c, plugins.GroupedLayerControl)]
    assert len(ctl) == 1
    return {html.unescape(g): [html.unescape(re.sub(r"<span[^>]*></span>", "", k))
                               for k in layers]
            for g, layers in ctl[0].grouped_overlays.items()}


def _names(m: folium.Map) -> list[str]:
    return [n for names in _groups(m).values() for n in names]


def test_overview_without_results_is_offline(data: tuple[Catalog, Path], tmp_path: Path) -> None:
    cat, _ = data
    out = write_map(cat, tmp_path / "maps" / "overview.html")
    page = out.read_text(encoding="utf-8")
    assert external_refs(page) == []
    assert "cdn.jsdelivr" not in page and "<script src=" not in page
    names = _names(build_map(cat))
    assert "测试banners" in names and "三线一单 优先保护单元 *" in names
    assert not any("光伏" in n for n in names)  # no results drawn
    assert "鄂尔多斯市 图层总览" in page
    assert "og-notice-ill" in page  # provenance notice present
    assert out.stat().st_size < SIZE_BUDGET_BYTES


def test_full_map_groups_and_results(data: tuple[Catalog, Path]) -> None:
    cat, res = data
    m = build_map(cat, results_dir=res)
    groups = _groups(m)
    assert list(groups) == ["基础地理", "管控要素", "优先开发区", "分析结果"]
    assert groups["分析结果"] == ["光伏适宜性评分", "光伏候选场址", "风电适宜性评分",
                                 "风电候选场址", "筛查项目（按结论着色）",
                                 "冲突范围（禁止/限制）", "合规剩余范围（调整建议）"]
    assert groups["管控要素"] == ["测试red_lines *", "三线一单 优先保护单元 *",
                                 "三线一单 重点管控单元 *", "三线一单 一般管控单元 *",
                                 "测试parks *"]
    page = render_html(m, offline=True)
    # score rasters are PNG data URIs, the colour bar and verdicts are in the legend
    assert page.count("data:image/png;base64,") >= 2
    assert "linear-gradient" in page
    legend = page[page.index("og-legend"):]
    assert "筛查项目数" in legend and "禁止" in legend and "ordos_geo" not in (
        legend.split("og-sum")[1].split("og-note")[0])  # only the counts, not tool metadata
    # JSON in the page escapes '<': the raw payload never appears unescaped
    assert XSS not in page and "<script>document.title" not in page
    assert external_refs(page) == []


def test_focus_maps_select_layers(data: tuple[Catalog, Path]) -> None:
    cat, res = data
    pv = _names(build_map(cat, results_dir=res, focus="pv"))
    assert "光伏适宜性评分" in pv and "风电适宜性评分" not in pv
    assert "筛查项目（按结论着色）" not in pv
    scr = _names(build_map(cat, results_dir=res, focus="screening"))
    assert "筛查项目（按结论着色）" in scr and not any("评分" in n for n in scr)
    with pytest.raises(ConfigError, match="focus"):
        build_map(cat, results_dir=res, focus="solar")  # type: ignore[arg-type]


def test_missing_result_files_are_skipped(data: tuple[Catalog, Path], tmp_path: Path,
                                          caplog: pytest.LogCaptureFixture) -> None:
    cat, res = data
    part = tmp_path / "partial"
    part.mkdir()
    (part / "pv_score.tif").write_bytes((res / "pv_score.tif").read_bytes())
    with caplog.at_level(logging.INFO, logger="ordos_geo.maps"):
        names = _names(build_map(cat, results_dir=part))
    assert "光伏适宜性评分" in names and "光伏候选场址" not in names
    assert any("conflicts.gpkg not found" in r.getMessage() for r in caplog.records)
    empty = tmp_path / "empty"
    empty.mkdir()
    with caplog.at_level(logging.WARNING, logger="ordos_geo.maps"):
        build_map(cat, results_dir=empty)
    assert any("no result files" in r.getMessage() for r in caplog.records)


def test_english_labels(data: tuple[Catalog, Path]) -> None:
    cat, res = data
    m = build_map(cat, results_dir=res, options=MapOptions(lang="en"))
    page = render_html(m, offline=True)
    names = _names(m)
    assert "Test banners" in names and "PV suitability score" in names
    assert "ECZ units: priority protection *" in names
    assert "Ordos — renewable siting and zoning map" in page
    assert "Replace with official data" in page


def test_cdn_mode_links_cdn_without_unused_libraries(data: tuple[Catalog, Path]) -> None:
    cat, _ = data
    page = render_html(build_map(cat, options=MapOptions(offline=False)), offline=False)
    assert re.search(r'<script src="https://cdn\.jsdelivr\.net/npm/leaflet@[\d.]+/dist/leaflet\.js"',
                     page)
    assert "jquery" not in page.lower() and "bootstrap" not in page.lower()
    assert external_refs(page)  # the CDN links are external, as asked


def test_overwrite_refused(data: tuple[Catalog, Path], tmp_path: Path) -> None:
    cat, _ = data
    out = tmp_path / "m.html"
    out.write_text("old")
    with pytest.raises(OutputError, match="--overwrite"):
        write_map(cat, out, overwrite=False)
    assert out.read_text() == "old"


def test_gcj02_tiles_warned(data: tuple[Catalog, Path], caplog: pytest.LogCaptureFixture) -> None:
    cat, _ = data
    assert is_gcj02_tiles("https://webrd0{s}.is.autonavi.com/appmaptile?x={x}&y={y}&z={z}")
    assert is_gcj02_tiles("https://rt0.map.gtimg.com/tile?z={z}&x={x}&y={y}")
    assert not is_gcj02_tiles("https://tile.openstreetmap.org/{z}/{x}/{y}.png")
    url = "https://wprd0{s}.is.autonavi.com/appmaptile?style=7&x={x}&y={y}&z={z}"
    with caplog.at_level(logging.WARNING, logger="ordos_geo.maps"):
        page = render_html(build_map(cat, options=MapOptions(tile_url=url)), offline=True)
    assert any("GCJ-02" in r.getMessage() for r in caplog.records)
    assert "og-warn" in page and "GCJ-02" in page


def test_basemap_options(data: tuple[Catalog, Path]) -> None:
    cat, _ = data
    with pytest.raises(ConfigError, match="--tianditu-token"):
        MapOptions(basemap="tianditu")
    with pytest.raises(ConfigError, match="--lang"):
        MapOptions(lang="fr")  # type: ignore[arg-type]
    page = render_html(build_map(cat, options=MapOptions(basemap="tianditu",
                                                         tianditu_token="abc123")), offline=True)
    assert "tianditu.gov.cn/vec_w/wmts" in page and "tk=abc123" in page
    none = render_html(build_map(cat), offline=True)
    assert "L.tileLayer(" not in none


def test_offline_checker_catches_external_references() -> None:
    page = ('<html><head><link rel="stylesheet" href="https://x.org/a.css">'
            "<style>.a{background:url(img/b.png)} .b{background:url(data:image/png;base64,AA)}"
            '</style></head><body><img src="http://x.org/i.png"><a href="#top">t</a>'
            '<img src="data:image/png;base64,AAAA"></body></html>')
    refs = external_refs(page)
    assert len(refs) == 3
    assert any("https://x.org/a.css" in r for r in refs)
    assert any("img/b.png" in r for r in refs)
    with pytest.raises(OutputError, match="no vendored offline copy"):
        inline_assets('<script src="https://cdn.example.com/unknown-plugin.js"></script>')
    inlined = inline_assets(
        '<script src="https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js"></script>')
    assert "<script src" not in inlined and "Leaflet" in inlined


def _cli_app() -> typer.Typer:
    from ordos_geo.cli import map as map_cli

    app = typer.Typer()

    @app.callback()
    def _root() -> None:  # a group, so that `map` is a sub-command as in ordos-geo
        pass

    map_cli.register(app)
    return app


def test_cli_map(data: tuple[Catalog, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                 repo: Path) -> None:
    _, res = data
    out = tmp_path / "cli.html"
    r = CliRunner().invoke(_cli_app(), ["map", "--out", str(out), "--results", str(res),
                                        "--lang", "en", "--focus", "pv"])
    assert r.exit_code == 0, r.output
    line = json.loads(r.stdout.strip().splitlines()[-1])
    assert line["map"] == str(out) and line["bytes"] == out.stat().st_size
    page = out.read_text(encoding="utf-8")
    assert "PV suitability score" in page and external_refs(page) == []
    r2 = CliRunner().invoke(_cli_app(), ["map", "--out", str(out)])
    assert r2.exit_code != 0 and "--overwrite" in str(r2.exception)
    r3 = CliRunner().invoke(_cli_app(), ["map", "--out", str(out), "--basemap", "amap"])
    assert isinstance(r3.exception, ConfigError) and "--basemap" in str(r3.exception)


def test_default_catalog_overview(tmp_path: Path) -> None:
    """The embedded default layer set (layers/catalog.yaml) as ``run`` draws it."""
    cat = Catalog.load()
    out = write_map(cat, tmp_path / "overview.html")
    page = out.read_text(encoding="utf-8")
    assert external_refs(page) == []
    assert out.stat().st_size < SIZE_BUDGET_BYTES
    names = _names(build_map(cat))
    vector_ids = [i for i in cat.ids if cat[i].kind == "vector"]
    titles = [cat[i].title_zh for i in vector_ids if i != "control_units"]
    for t in titles:
        assert any(n.startswith(t) for n in names), t
    if any(cat[i].provenance == "illustrative" for i in vector_ids):
        assert "og-notice-ill" in page


def test_unreadable_layer_is_skipped(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    cat = make_catalog(tmp_path / "layers")
    (tmp_path / "layers" / "kubuqi.gpkg").write_bytes(b"this is not a geopackage")
    with caplog.at_level(logging.WARNING, logger="ordos_geo.maps"):
        names = _names(build_map(cat))
    assert "测试kubuqi *" not in names and "测试banners" in names
    assert any("kubuqi skipped" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_default_place_labels_do_not_overlap_at_zoom_8(lang: str) -> None:
    """Banner names keep clear of seat and town labels (label boxes sized for zoom 8)."""
    import shapely

    import ordos_geo as og
    from ordos_geo.maps.labels import (
        BANNER_CHAR_DEG,
        BANNER_HALF_H_DEG,
        banner_label_point,
        place_label_box,
    )

    cat = og.open_catalog()
    col = "name_zh" if lang == "zh" else "name_en"
    s = cat.vector("settlements", crs="EPSG:4326")
    places = [(g.representative_point(), str(n)) for g, n in zip(s.geometry, s[col],
                                                                 strict=True)]
    b = cat.vector("banners", crs="EPSG:4326")
    for geom, name in zip(b.geometry, b[col], strict=True):
        pt = banner_label_point(geom, str(name), places)
        assert geom.contains(pt), name
        hw = BANNER_CHAR_DEG * len(str(name)) / 2
        label = shapely.box(pt.x - hw, pt.y - BANNER_HALF_H_DEG, pt.x + hw,
                            pt.y + BANNER_HALF_H_DEG)
        hit = [n for p, n in places if label.intersects(place_label_box(p, n))]
        assert not hit, (name, hit)


def test_project_popups_are_wholly_in_the_maps_language(tmp_path: Path) -> None:
    """Screened examples on the default data: zh popups carry no verdict, industry, stage,
    severity, component or zone codes; en popups keep the codes."""
    import ordos_geo as og
    from ordos_geo.resources import analysis_path
    from ordos_geo.zoning import write_outputs

    out = tmp_path / "res"
    write_outputs(og.check(analysis_path("projects")), out)
    codes = {"prohibited", "restricted", "needs_information", "compliant", "coal_chemical",
             "relocation", "continuation", "array", "turbine", "low_carbon_demo",
             "zero_carbon", "urban_cores", "red_lines"}
    for lang in ("zh", "en"):
        page = render_html(build_map(og.open_catalog(), results_dir=out, focus="screening",
                                     options=MapOptions(lang=lang)), offline=True)
        pops = [json.loads(f'"{p}"') for p in re.findall(r'"_popup": "((?:[^"\\]|\\.)*)"', page)]
        projects = [re.sub(r"<[^>]+>", " ", p.split("og-src")[0]) for p in pops
                    if "og-hits" in p]
        assert len(projects) > 40
        words = {w for p in projects for w in re.findall(r"\b[a-z_]{4,}\b", p)}
        if lang == "zh":
            assert not words & codes, words & codes
            assert not any("/work/" in p or "/tmp/" in p for p in projects)  # file names only
        else:
            assert {"prohibited", "compliant"} <= words
