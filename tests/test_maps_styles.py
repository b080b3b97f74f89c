"""Map symbology: verdict → project style, layers on at load, palette, English texts."""

from __future__ import annotations

import base64
import html
import io
import re
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pytest
from folium import plugins
from PIL import Image
from shapely.geometry import LineString, Point
from test_maps_data import XSS, make_catalog, make_results

from ordos_geo.catalog import Catalog
from ordos_geo.maps import build_map, render_html
from ordos_geo.maps.styles import (
    _TEXT,
    FIELD_LABELS,
    LAYER_STYLES,
    RESULT_STYLES,
    SCORE_OPACITY,
    VERDICT_COLOURS,
    is_encouraged,
    map_kind,
    project_style,
    text,
    verdict_colour,
    visible_at_load,
)

_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> tuple[Catalog, Path]:
    d = tmp_path_factory.mktemp("styledata")
    res = make_results(d / "out")
    # point and line projects as well (the real data are mostly points)
    pts = gpd.GeoDataFrame(
        {"id": ["Q-1", "Q-2", "Q-3", "Q-4", "Q-5"],
         "name": ["点-禁止", "点-合规", "点-审查", "点-合规-鼓励", "线-限制"],
         "verdict": ["prohibited", "compliant", "review", "compliant", "restricted"],
         "encouraged": ["", "", "", "P-6d;N-2c", ""]},
        geometry=[Point(108.5, 39.6), Point(108.6, 39.6), Point(108.7, 39.6),
                  Point(108.8, 39.6), LineString([(108.9, 39.5), (109.0, 39.6)])], crs=4326)
    projects = gpd.read_file(res / "conflicts.gpkg", layer="projects")
    allp = gpd.GeoDataFrame(
        [*projects.to_dict("records"), *pts.to_dict("records")], geometry="geometry", crs=4326)
    allp.to_file(res / "conflicts.gpkg", layer="projects", driver="GPKG")
    return make_catalog(d / "layers"), res


def _layers(m: folium.Map) -> dict[str, Any]:
    """Layer-control label (swatch removed, unescaped) → folium layer."""
    ctl = [c for c in m._children.values() if isinstance(c, plugins.GroupedLayerControl)]
    assert len(ctl) == 1
    out: dict[str, Any] = {}
    for group in ctl[0].grouped_overlays.values():
        for label, var in group.items():
            name = html.unescape(re.sub(r"<span[^>]*></span>", "", label))
            out[name] = next(c for c in m._children.values()
                             if getattr(c, "get_name", lambda: "")() == var)
    return out


def _on(m: folium.Map) -> set[str]:
    return {name for name, lyr in _layers(m).items() if lyr.show}


# ------------------------------------------------------------------ project symbols
def test_project_style_by_verdict_and_geometry() -> None:
    pt = project_style({"verdict": "prohibited", "encouraged": ""}, "point")
    assert pt["fill"] is True and pt["fillColor"] == VERDICT_COLOURS["prohibited"]
    assert pt["color"] == "#ffffff"  # white halo
    comp = project_style({"verdict": "compliant", "encouraged": None}, "point")
    assert comp["fillColor"] == VERDICT_COLOURS["compliant"] != pt["fillColor"]
    enc = project_style({"verdict": "compliant", "encouraged": "P-6d"}, "point")
    assert enc["fillColor"] == comp["fillColor"] and enc["color"] != "#ffffff"
    assert float(enc["weight"]) > float(comp["weight"])  # type: ignore[arg-type]
    area = project_style({"verdict": "restricted"}, "area")
    assert area["fill"] is True and area["fillColor"] == area["color"]
    assert area["color"] == VERDICT_COLOURS["restricted"] == "#E69F00"  # Okabe–Ito orange
    assert 0.3 <= float(area["fillOpacity"]) <= 0.8  # type: ignore[arg-type]
    line = project_style({"verdict": "review"}, "line")
    assert line["color"] == VERDICT_COLOURS["review"]
    assert verdict_colour("禁止") == verdict_colour("Prohibited") == VERDICT_COLOURS["prohibited"]
    assert verdict_colour("??") == "#7f7f7f"
    assert is_encouraged({"verdict": "鼓励"}) and not is_encouraged({"encouraged": float("nan")})


def test_projects_layer_is_filled_by_verdict(data: tuple[Catalog, Path]) -> None:
    cat, res = data
    m = build_map(cat, results_dir=res, focus="screening")
    lyr = _layers(m)["筛查项目（按结论着色）"]
    seen: dict[str, tuple[dict[str, Any], str]] = {}
    pins: dict[str, tuple[dict[str, Any], str]] = {}
    for f in lyr.data["features"]:
        st = lyr.style_function(f)
        name = html.unescape(f["properties"]["_tooltip"]).split(" — ")[0]
        (pins if f["properties"].get("_pin") else seen)[name] = (st, f["geometry"]["type"])
    # footprints and lines also get a pin (filled circle) at city scale; points do not
    assert set(pins) == {"乌兰木伦光伏项目", XSS, "线-限制"}
    assert pins["线-限制"][1] == "Point" and pins["线-限制"][0]["fill"] is True
    assert pins["线-限制"][0]["fillColor"] == VERDICT_COLOURS["restricted"]
    assert pins["乌兰木伦光伏项目"][0]["color"] == "#111111"  # encouraged verdict
    for name, verdict in (("点-禁止", "prohibited"), ("点-合规", "compliant"),
                          ("点-审查", "review"), ("点-合规-鼓励", "compliant")):
        st, gtype = seen[name]
        assert gtype == "Point"
        assert st["fill"] is True and st["fillColor"] == VERDICT_COLOURS[verdict], name
    assert seen["点-禁止"][0]["color"] == "#ffffff"
    assert seen["点-合规-鼓励"][0]["color"] == "#111111"  # encouraged: dark outline
    assert seen["线-限制"][0]["color"] == VERDICT_COLOURS["restricted"]
    assert seen["乌兰木伦光伏项目"][0]["fill"] is True  # footprint filled
    assert seen["乌兰木伦光伏项目"][0]["fillColor"] == VERDICT_COLOURS["encouraged"]
    # in the page: the point marker is created with radius 8 and the styler's fill
    page = render_html(m, offline=False)
    assert '"radius": 8.0' in page
    legend = page[page.index("og-legend"):]
    assert "受鼓励项目" in legend  # encouraged symbol explained


def test_conflict_parts_skip_points(data: tuple[Catalog, Path], tmp_path: Path) -> None:
    cat, res = data
    m = build_map(cat, results_dir=res, focus="screening")
    parts = _layers(m)["冲突范围（禁止/限制）"]
    assert {f["geometry"]["type"] for f in parts.data["features"]} == {"Polygon"}


# ------------------------------------------------------------------ on at load
def test_layers_on_at_load_per_map(data: tuple[Catalog, Path]) -> None:
    cat, res = data
    full = _on(build_map(cat, results_dir=res))
    assert {"测试banners", "测试yellow_river", "测试red_lines *", "测试parks *", "光伏适宜性评分",
            "光伏候选场址", "筛查项目（按结论着色）"} <= full
    assert not {"风电适宜性评分", "测试kubuqi *", "测试settlements", "三线一单 优先保护单元 *",
                "冲突范围（禁止/限制）"} & full
    pv = _on(build_map(cat, results_dir=res, focus="pv"))
    assert {"光伏适宜性评分", "光伏候选场址", "测试red_lines *", "测试kubuqi *"} <= pv
    wind = _on(build_map(cat, results_dir=res, focus="wind"))
    assert {"风电适宜性评分", "风电候选场址", "测试settlements", "测试red_lines *"} <= wind
    assert "测试parks *" not in wind
    scr = _on(build_map(cat, results_dir=res, focus="screening"))
    assert {"筛查项目（按结论着色）", "冲突范围（禁止/限制）", "合规剩余范围（调整建议）",
            "测试red_lines *", "测试parks *"} <= scr
    assert not {"测试kubuqi *", "三线一单 优先保护单元 *"} & scr
    over = _on(build_map(cat))  # overview: the catalog styles decide
    assert "测试kubuqi *" in over and "三线一单 优先保护单元 *" not in over
    assert map_kind(None, False) == "overview" and map_kind("pv", True) == "pv"
    assert visible_at_load("red_lines", "overview") and not visible_at_load("mu_us", "full")


def test_empty_groups_start_folded(data: tuple[Catalog, Path]) -> None:
    cat, res = data
    page = render_html(build_map(cat, results_dir=res), offline=False)
    # groups: 0 base, 1 controls, 2 preferred (nothing on in the full map), 3 results
    assert re.search(r"\[2\]\.forEach\(function\(i\)\{ L\.DomUtil\.addClass\(lc, 'og-c'", page)
    assert ".og-c2 #leaflet-control-layers-group-2>label" in page
    pv = render_html(build_map(cat, results_dir=res, focus="pv"), offline=False)
    assert re.search(r"\[\]\.forEach\(function\(i\)", pv)  # kubuqi on: nothing folded


def test_score_overlay_is_translucent(data: tuple[Catalog, Path]) -> None:
    cat, res = data
    m = build_map(cat, results_dir=res, focus="pv")
    ov = _layers(m)["光伏适宜性评分"]
    png = base64.b64decode(ov.url.split(",", 1)[1])
    with Image.open(io.BytesIO(png)) as im:
        alpha = np.asarray(im.convert("RGBA"))[..., 3]
    values = set(np.unique(alpha).tolist())
    assert values <= {0, round(SCORE_OPACITY * 255)} and len(values) == 2
    assert SCORE_OPACITY <= 0.6  # controls beneath stay readable


# ------------------------------------------------------------------ palette
_DEU = np.array([[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                 [-0.011820, 0.042940, 0.968881]])  # Machado et al. 2009, severity 1
_PRO = np.array([[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                 [-0.003882, -0.048116, 1.051998]])
_BG = "#f3f1ec"  # map background (legend.PAGE_CSS)


def _lab(lin: np.ndarray) -> np.ndarray:
    m = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722],
                  [0.0193, 0.1192, 0.9505]])
    xyz = m @ lin / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def _min_delta_e(a: tuple[str, float], b: tuple[str, float]) -> float:
    """Smallest CIE76 ΔE between two translucent fills over the map background, for
    normal vision, deuteranopia and protanopia (linear-RGB simulation)."""
    def shown(c: tuple[str, float]) -> np.ndarray:
        # blending in sRGB as the browser does, then to linear light
        srgb = c[1] * _srgb(c[0]) + (1 - c[1]) * _srgb(_BG)
        return np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)

    x, y = shown(a), shown(b)
    out = [float(np.linalg.norm(_lab(x) - _lab(y)))]
    for sim in (_DEU, _PRO):
        out.append(float(np.linalg.norm(_lab(np.clip(sim @ x, 0, 1))
                                        - _lab(np.clip(sim @ y, 0, 1)))))
    return min(out)


def _srgb(hexc: str) -> np.ndarray:
    return np.array([int(hexc.lstrip("#")[i:i + 2], 16) for i in (0, 2, 4)]) / 255


def _fill(style: dict[str, object]) -> tuple[str, float]:
    return str(style["fillColor"]), float(style["fillOpacity"])  # type: ignore[arg-type]


# pairs a reader must tell apart at a glance (results vs controls vs preferred zones)
_PAIRS = (("wind_sites", "nature_reserves"), ("red_lines", "nature_reserves"),
          ("nature_reserves", "subsidence"), ("pv_sites", "kubuqi"), ("pv_sites", "wind_sites"))
_MIN_DE = 14.0


def _style(key: str) -> dict[str, object]:
    return RESULT_STYLES.get(key) or LAYER_STYLES[key]


@pytest.mark.parametrize(("a", "b"), _PAIRS)
def test_palette_pairs_distinguishable_with_cvd(a: str, b: str) -> None:
    assert _min_delta_e(_fill(_style(a)), _fill(_style(b))) >= _MIN_DE


def test_palette_check_rejects_the_old_colours() -> None:
    # control: the palette before this change (teal wind sites on green reserves,
    # red vs green red lines/reserves) fails the same check
    old_wind, old_res, old_red = ("#26a69a", 0.6), ("#2e7d32", 0.30), ("#e53935", 0.35)
    assert _min_delta_e(old_wind, old_res) < _MIN_DE
    assert _min_delta_e(old_red, old_res) < _MIN_DE
    assert _min_delta_e(("#d7191c", 0.95), ("#2c7bb6", 0.95)) > 60  # verdict ends


# ------------------------------------------------------------------ English
def test_english_texts_have_no_chinese() -> None:
    bad = [k for k, (_, en) in _TEXT.items() if _CJK.search(en)]
    bad += [k for k, (_, en) in FIELD_LABELS.items() if _CJK.search(en)]
    assert bad == []
    assert text("illustrative_short", "en") == "Illustrative data"


def test_english_map_chrome_is_english(data: tuple[Catalog, Path]) -> None:
    cat, res = data
    page = render_html(build_map(cat, results_dir=res, options=_en()), offline=False)
    # legend, notices and title are JSON strings in the map script
    script = page[page.index("og-title"):]
    legend = script[script.index("og-legend"):script.index("L.control.scale")]
    assert not _CJK.search(legend), _CJK.findall(legend)[:10]
    names = _layers(build_map(cat, results_dir=res, options=_en()))
    results = [n for n in names if "score" in n or "sites" in n or "projects" in n.lower()]
    assert len(results) >= 5 and not any(_CJK.search(n) for n in results)
    assert "Illustrative data" in page and "示意数据 / illustrative" not in page


def _en() -> Any:
    from ordos_geo.maps import MapOptions

    return MapOptions(lang="en")

