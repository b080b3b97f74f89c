"""Static maps: CJK font, cartographic furniture, provenance stamp, PNG/PDF output."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import matplotlib as mpl
import numpy as np
import pytest
from matplotlib.text import Text
from PIL import Image
from pyproj import Transformer
from test_report_fixtures import make_catalog, make_results

from ordos_geo.crs import WORK_CRS
from ordos_geo.errors import OrdosGeoError, OutputError
from ordos_geo.report import cartography as carto
from ordos_geo.report import figures as static
from ordos_geo.report import fonts

DATE = "2026-11-26"


def _has_cjk(s: str) -> bool:
    return any("\u3400" <= c <= "\u9fff" or "\u3000" <= c <= "\u303f" for c in s)


def _texts(fig: mpl.figure.Figure) -> list[str]:
    return [t.get_text() for t in fig.findobj(Text) if t.get_text()]


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_results(tmp_path_factory.mktemp("static") / "res")


@pytest.fixture(scope="module")
def maps_zh(results: Path) -> dict[str, static.MapFigure | None]:
    return static.make_maps(make_catalog(), results, static.StaticMapOptions(date=DATE))


def test_cjk_font_is_registered_noto() -> None:
    font = carto.get_cjk_font()
    assert "CJK" in font.family or "WenQuanYi" in font.family
    assert font.path.is_file()
    # the same font matplotlib resolves for the family
    from matplotlib import font_manager

    found = font_manager.findfont(font_manager.FontProperties(family=font.family),
                                  fallback_to_default=False)
    assert Path(found) == font.path


def test_missing_font_raises_with_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fonts, "NOTO_CANDIDATES", ("/nonexistent/a.ttc",))
    monkeypatch.setattr(fonts, "WQY_CANDIDATES", ("/nonexistent/b.ttc",))
    carto.get_cjk_font.cache_clear()
    try:
        with pytest.raises(OrdosGeoError, match="apt-get install fonts-noto-cjk"):
            carto.get_cjk_font()
    finally:
        monkeypatch.undo()
        carto.get_cjk_font.cache_clear()
        carto.get_cjk_font()


def test_all_five_maps_drawn(maps_zh: dict[str, static.MapFigure | None]) -> None:
    assert list(maps_zh) == ["overview", "pv_suitability", "wind_suitability", "sites",
                             "screening"]
    assert all(m is not None for m in maps_zh.values())


@pytest.mark.parametrize("key", ["overview", "pv_suitability", "wind_suitability", "sites",
                                 "screening"])
def test_map_furniture(maps_zh: dict[str, static.MapFigure | None], key: str) -> None:
    mf = maps_zh[key]
    assert mf is not None
    texts = _texts(mf.figure)
    joined = "\n".join(texts)
    assert mf.title in texts  # title
    assert mf.figure.legends, "legend missing"
    assert any(t.endswith(" km") for t in texts)  # scale bar
    assert "北" in texts  # north arrow label
    ax = mf.figure.axes[0]
    xl = [t.get_text() for t in ax.get_xticklabels()]
    yl = [t.get_text() for t in ax.get_yticklabels()]
    assert xl and all(s.endswith("°E") for s in xl)
    assert yl and all(s.endswith("°N") for s in yl)
    assert "Albers" in joined  # CRS stated
    assert DATE in joined  # date
    assert "数据来源" in joined  # provenance
    assert mf.illustrative and carto.ILLUSTRATIVE_STAMP_LANG["zh"] in texts


def test_no_missing_glyphs_in_maps(maps_zh: dict[str, static.MapFigure | None]) -> None:
    for mf in maps_zh.values():
        assert mf is not None
        chars = carto.figure_chars(mf.figure)
        assert any(_has_cjk(c) for c in chars)
        assert carto.missing_glyphs(chars) == set(), mf.key


def test_graticule_labels_sit_on_their_meridians(
        maps_zh: dict[str, static.MapFigure | None]) -> None:
    ax = maps_zh["overview"].figure.axes[0]  # type: ignore[union-attr]
    inv = Transformer.from_crs(WORK_CRS, "EPSG:4326", always_xy=True)
    y0 = ax.get_ylim()[0]
    for x, lab in zip(ax.get_xticks(), ax.get_xticklabels(), strict=True):
        lon, _ = inv.transform(x, y0)
        assert lon == pytest.approx(float(lab.get_text().rstrip("°E")), abs=1e-3)
    x0 = ax.get_xlim()[0]
    for y, lab in zip(ax.get_yticks(), ax.get_yticklabels(), strict=True):
        _, lat = inv.transform(x0, y)
        assert lat == pytest.approx(float(lab.get_text().rstrip("°N")), abs=1e-3)


def test_north_arrow_follows_meridian_convergence() -> None:
    fwd = Transformer.from_crs("EPSG:4326", WORK_CRS, always_xy=True)

    def project(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        a, b = fwd.transform(x, y)
        return np.asarray(a), np.asarray(b)

    fig = mpl.figure.Figure()
    ax = fig.add_subplot()
    # central meridian: north is up
    assert carto.add_north_arrow(ax, project, lon=108.6, lat=39.5) == pytest.approx(0, abs=0.01)
    # Albers cone constant n = (sin φ1 + sin φ2) / 2 → convergence γ = n (λ - λ0), westward
    n = (np.sin(np.radians(38)) + np.sin(np.radians(40.5))) / 2
    got = carto.add_north_arrow(ax, project, lon=111.0, lat=39.5)
    assert got == pytest.approx(-n * 2.4, abs=0.05)


def test_scale_bar_length_in_km() -> None:
    fig = mpl.figure.Figure()
    ax = fig.add_subplot()
    ax.set_xlim(0, 400_000)
    ax.set_ylim(0, 300_000)
    km = carto.add_scale_bar(ax, metres_per_unit=1.0)
    assert km == 100.0  # first nice length ≥ a fifth of 400 km
    widths = [p.get_width() for p in ax.patches][1:]  # first patch = white background
    assert sum(widths) == pytest.approx(100_000.0)


def test_no_stamp_without_illustrative_layers(tmp_path: Path) -> None:
    res = make_results(tmp_path / "res", illustrative=False)
    with mpl.rc_context(carto.rc_params()):
        mf = static.overview_map(make_catalog(illustrative=False), static.StaticMapOptions())
        pv = static.suitability_map("pv", res, make_catalog(illustrative=False),
                                    static.StaticMapOptions())
    assert mf is not None and pv is not None
    for m in (mf, pv):
        assert not m.illustrative
        assert carto.ILLUSTRATIVE_STAMP_LANG["zh"] not in _texts(m.figure)


def test_english_map_captions_have_no_cjk(results: Path) -> None:
    opts = static.StaticMapOptions(lang="en", crs="EPSG:4326", date=DATE)
    with mpl.rc_context(carto.rc_params()):
        mf = static.screening_map(results, make_catalog(illustrative=False), opts)
    assert mf is not None
    texts = _texts(mf.figure)
    assert "N" in texts and "EPSG:4326" in "\n".join(texts)
    # data values (sources, project ids) may hold CJK; captions must not
    captions = [mf.title, *[t.get_text() for t in mf.figure.legends[0].get_texts()]]
    assert not any(_has_cjk(c) for c in captions), captions


def test_missing_results_give_none(tmp_path: Path) -> None:
    out = static.make_maps(make_catalog(), tmp_path, static.StaticMapOptions())
    assert out["overview"] is not None
    assert [k for k, v in out.items() if v is None] == ["pv_suitability", "wind_suitability",
                                                        "sites", "screening"]


@pytest.mark.skipif(shutil.which("pdffonts") is None, reason="poppler-utils not installed")
def test_save_png_300dpi_and_vector_pdf(maps_zh: dict[str, static.MapFigure | None],
                                        tmp_path: Path) -> None:
    mf = maps_zh["overview"]
    assert mf is not None
    paths = static.save_figure(mf, tmp_path, formats=("png", "pdf"), dpi=300)
    png, pdf = paths
    with Image.open(png) as im:
        assert im.size == (round(11.69 * 300), round(8.27 * 300))
        assert im.info["dpi"][0] == pytest.approx(300, abs=0.5)
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True,
                           check=True).stdout
    rows = fonts.splitlines()[2:]
    assert any("NotoSansCJK" in r for r in rows)
    assert all("CID TrueType" in r and " yes " in r for r in rows), fonts  # Type 42 embedded
    with pytest.raises(OutputError, match="--overwrite"):
        static.save_figure(mf, tmp_path, formats=("png",), dpi=50)
