"""The report's speed measures keep its content: decimated rasters, one Agg drawing per
map (PNG file and HTML copy), the lighter CJK font subset.

Timings themselves are in docs/report.md (measured, not asserted here).
"""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path

import matplotlib as mpl
import numpy as np
import pytest
import rasterio
from affine import Affine
from fontTools.ttLib import TTFont
from matplotlib.image import AxesImage
from PIL import Image
from test_report_fixtures import make_catalog, make_results

from ordos_geo.crs import WORK_CRS
from ordos_geo.report import build_report, fonts
from ordos_geo.report import cartography as carto
from ordos_geo.report import figures as static

DATE = "2026-01-15"


def _write(path: Path, arr: np.ndarray, transform: Affine) -> None:
    with rasterio.open(path, "w", driver="GTiff", width=arr.shape[1], height=arr.shape[0],
                       count=1, dtype="uint8", crs=WORK_CRS.to_wkt(), transform=transform,
                       nodata=255) as dst:
        dst.write(arr, 1)


@pytest.fixture(scope="module")
def fine_results(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """PV score/reasons on a 250 m grid over the fixture banners (880 x 680 cells)."""
    out = tmp_path_factory.mktemp("fine")
    res, x0, y0, ny, nx = 250.0, 55_000.0, 60_000.0, 680, 880
    t = Affine(res, 0.0, x0, 0.0, -res, y0 + ny * res)
    score = np.full((ny, nx), 60, "uint8")
    reasons = np.zeros((ny, nx), "uint8")
    reasons[300:500, 300:500] = 1  # excluded block
    reasons[:40, :] = 255  # outside the region
    score[reasons == 255] = 255
    _write(out / "pv_score.tif", score, t)
    _write(out / "pv_reasons.tif", reasons, t)
    return out


def _image(mf: static.MapFigure) -> AxesImage:
    (ax,) = [a for a in mf.figure.axes if a.get_images()]
    (im,) = ax.get_images()
    return im


def test_score_raster_read_at_printed_pixel_size(fine_results: Path) -> None:
    opts = static.StaticMapOptions(lang="en", dpi=30, date=DATE)
    with mpl.rc_context(carto.rc_params()):
        mf = static.suitability_map("pv", fine_results, make_catalog(), opts)
    assert mf is not None
    rgba = np.asarray(_image(mf).get_array())
    ax = mf.figure.axes[0]
    # ground metres per printed pixel, from the final map extent and axes size
    bbox = ax.get_position()
    w_px = bbox.width * opts.figsize[0] * opts.dpi
    h_px = bbox.height * opts.figsize[1] * opts.dpi
    m_per_px = max(np.ptp(ax.get_xlim()) / w_px, np.ptp(ax.get_ylim()) / h_px)
    k = 880 // rgba.shape[1]
    assert k >= 2  # decimated …
    assert rgba.shape[:2] == (680 // k, 880 // k)
    assert k * 250 <= m_per_px * 1.001 < (k + 1) * 250  # … to no coarser than a pixel
    # colours: the shared score ramp (ordos_geo.palette, as the HTML maps), opaque so
    # the colour bar is what is drawn; excluded cells grey, outside the region transparent
    from matplotlib.colors import LinearSegmentedColormap

    from ordos_geo.palette import SCORE_COLOURS

    expect = LinearSegmentedColormap.from_list("s", list(SCORE_COLOURS))(0.6, bytes=True)
    assert tuple(rgba[600 // k, 100 // k]) == (*expect[:3], 255)
    assert tuple(rgba[400 // k, 400 // k]) == (0xCF, 0xCF, 0xCF, 255)
    assert rgba[10 // k, 100 // k, 3] == 0
    excluded = (rgba[..., :3] == 0xCF).all(axis=2) & (rgba[..., 3] == 255)
    assert excluded.sum() == pytest.approx((200 / k) ** 2, rel=0.05)


def test_fine_print_reads_every_cell(fine_results: Path) -> None:
    opts = static.StaticMapOptions(lang="en", dpi=3000, date=DATE)
    with mpl.rc_context(carto.rc_params()):
        mf = static.suitability_map("pv", fine_results, make_catalog(), opts)
    assert mf is not None
    assert np.asarray(_image(mf).get_array()).shape[:2] == (680, 880)


@pytest.fixture(scope="module")
def overview() -> static.MapFigure:
    opts = static.StaticMapOptions(lang="zh", date=DATE)
    with mpl.rc_context(carto.rc_params()):
        mf = static.overview_map(make_catalog(), opts)
    assert mf is not None
    return mf


def test_render_image_equals_matplotlib_png(overview: static.MapFigure) -> None:
    img = static.render_image(overview, 40)
    buf = io.BytesIO()
    with mpl.rc_context(carto.rc_params()):
        overview.figure.savefig(buf, format="png", dpi=40)
    buf.seek(0)
    with Image.open(buf) as ref:
        assert img.size == ref.size == (int(11.69 * 40), int(8.27 * 40))
        assert np.array_equal(np.asarray(img), np.asarray(ref.convert("RGB")))


def test_scale_image_halves_and_never_enlarges(overview: static.MapFigure) -> None:
    img = static.render_image(overview, 60)
    half = static.scale_image(img, 60, 30)
    assert half.size == (-(-img.width // 2), -(-img.height // 2))  # box filter, edge kept
    assert static.scale_image(img, 60, 150) is img
    odd = static.scale_image(img, 60, 45)
    assert odd.size == (round(img.width * 0.75), round(img.height * 0.75))
    with Image.open(io.BytesIO(static.png_bytes(half, 30))) as im:
        assert im.info["dpi"][0] == pytest.approx(30, abs=0.5)


def test_html_maps_are_the_png_files(tmp_path: Path) -> None:
    """At ≤ 150 dpi the HTML embeds exactly the pixels of the PNG files (one drawing)."""
    res = make_results(tmp_path / "res")
    out = tmp_path / "out"
    build_report(make_catalog(), res, out, lang="en", formats=("html", "png"), date=DATE,
                 dpi=40)
    html = (out / "report.html").read_text(encoding="utf-8")
    found = dict(re.findall(r'<figure id="fig-([a-z_]+)"><img src="data:image/png;base64,'
                            r'([A-Za-z0-9+/=]+)"', html))
    assert set(found) == {"overview", "pv_suitability", "wind_suitability", "sites",
                          "screening"}
    for key, b64 in found.items():
        with Image.open(io.BytesIO(base64.b64decode(b64))) as emb, \
                Image.open(out / f"{key}.png") as png:
            assert emb.size == png.size == (int(11.69 * 40), int(8.27 * 40))
            assert np.array_equal(np.asarray(emb.convert("RGB")),
                                  np.asarray(png.convert("RGB")))


def test_font_subset_is_light() -> None:
    """No kerning, localised or vertical forms in the cached subset (slow to re-subset)."""
    font = carto.get_cjk_font()
    if font.path == font.source:
        pytest.skip("no TrueType subset on this machine (fallback font)")
    tt = TTFont(str(font.path), lazy=True)
    tags = {r.FeatureTag for t in ("GSUB", "GPOS") if t in tt
            for r in tt[t].table.FeatureList.FeatureRecord}
    assert tags <= set(fonts.LAYOUT_FEATURES)
    assert not tags & {"kern", "locl", "vert", "palt"}
    assert "glyf" in tt and "CFF " not in tt
    cmap = tt.getBestCmap()
    assert all(ord(c) in cmap for c in "鄂尔多斯市伊金霍洛旗准格尔旗°±—·")
