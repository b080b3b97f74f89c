"""Static (matplotlib + geopandas) maps for reports: no tiles, print quality.

Five maps, each with title, legend, scale bar in km, north arrow (true north),
lon/lat graticule labels in degrees, the CRS, data provenance (with a
"示意数据 / illustrative" stamp when an illustrative layer is drawn) and the date:

- ``overview``  banners, Yellow River and the control layers;
- ``pv_suitability`` / ``wind_suitability``  the score rasters ``{kind}_score.tif``;
- ``sites``  candidate sites ``{pv,wind}_sites.gpkg``;
- ``screening``  screened projects ``conflicts.gpkg`` coloured by verdict.

Maps are drawn in the equal-area working CRS :data:`ordos_geo.crs.WORK_CRS`
(default) or in EPSG:4326; layers are reprojected only here. Figures are built
with the object-oriented API (no pyplot, no GUI backend) and saved as 300-dpi PNG
and vector PDF with embedded TrueType (Type 42) fonts.
"""

from __future__ import annotations

import contextlib
import io
import logging
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import matplotlib as mpl
import numpy as np
from matplotlib.cm import ScalarMappable
from matplotlib.colors import LinearSegmentedColormap, Normalize
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from PIL import Image
from pyproj import CRS

from ordos_geo.errors import LayerIOError
from ordos_geo.io import results as results_io
from ordos_geo.io.atomic import atomic_path, check_output_path, write_bytes_atomic
from ordos_geo.palette import SCORE_COLOURS, VERDICT_PALETTE
from ordos_geo.report import cartography as carto
from ordos_geo.report.cartography import (
    ILLUSTRATIVE_STAMP,
    MapCanvas,
    MapFigure,
    StaticMapOptions,
)

__all__ = [
    "ILLUSTRATIVE_STAMP",
    "MapFigure",
    "StaticMapOptions",
    "catalog_specs",
    "make_maps",
    "overview_map",
    "png_bytes",
    "render_image",
    "save_figure",
    "scale_image",
    "screening_map",
    "sites_map",
    "suitability_map",
    "write_png",
]

log = logging.getLogger(__name__)


#: Verdict → (colour, zh label, en label), worst first. Values in result files may be
#: English keys or Chinese labels; both are normalised by :func:`normalise_verdict`.
VERDICTS: dict[str, tuple[str, str, str]] = {
    "prohibited": (VERDICT_PALETTE["prohibited"], "禁止", "prohibited"),
    "restricted": (VERDICT_PALETTE["restricted"], "限制", "restricted"),
    "needs_information": (VERDICT_PALETTE["needs_information"], "待补充信息",
                          "needs information"),
    "review": (VERDICT_PALETTE["review"], "审查", "review"),
    "encouraged": (VERDICT_PALETTE["encouraged"], "鼓励", "encouraged"),
    "compliant": (VERDICT_PALETTE["compliant"], "合规", "compliant"),
}
_VERDICT_ALIASES = {zh: key for key, (_, zh, _) in VERDICTS.items()} | {
    "不符合": "prohibited", "符合": "compliant", "ok": "compliant", "none": "compliant",
}

#: Catalog layers drawn on the overview: id → (facecolor, edgecolor, alpha, hatch, zorder).
OVERVIEW_STYLE: dict[str, tuple[str, str, float, str | None, float]] = {
    "kubuqi": ("#f3e1a8", "#c9a227", 0.7, None, 2.0),
    "mu_us": ("#f7edc9", "#c9a227", 0.6, None, 2.0),
    "red_lines": ("#e74c3c", "#a93226", 0.45, None, 3.0),
    "nature_reserves": ("#1e8449", "#145a32", 0.45, "//", 3.5),
    "urban_cores": ("#7f8c8d", "#4d5656", 0.8, None, 4.0),
    "parks": ("#8e44ad", "#5b2c6f", 0.6, None, 4.0),
    "subsidence": ("#6e2c00", "#6e2c00", 0.4, "xx", 3.2),
    "mining_areas": ("#555555", "#333333", 0.25, "..", 3.1),
}


# --------------------------------------------------------------------------- catalog


def catalog_specs(catalog: Any) -> list[Any]:
    """Layer specs of a catalog, whatever its iteration protocol (specs or ids)."""
    if catalog is None:
        return []
    specs = getattr(catalog, "specs", None)
    if specs is not None:
        return list(specs.values()) if isinstance(specs, dict) else list(specs)
    out = []
    for item in catalog:
        out.append(catalog[item] if isinstance(item, str) else item)
    return out


def _spec(catalog: Any, layer_id: str) -> Any | None:
    for s in catalog_specs(catalog):
        if getattr(s, "id", None) == layer_id:
            return s
    return None


def normalise_verdict(value: object) -> str:
    """Map a verdict from a result file to a key of :data:`VERDICTS` (unknown → review)."""
    v = str(value).strip()
    key = v.lower()
    if key in VERDICTS:
        return key
    return _VERDICT_ALIASES.get(v, _VERDICT_ALIASES.get(key, "review"))


# --------------------------------------------------------------------------- layers


def _read_layer(catalog: Any, layer_id: str) -> tuple[gpd.GeoDataFrame, Any] | None:
    spec = _spec(catalog, layer_id)
    if spec is None or getattr(spec, "kind", "vector") != "vector":
        return None
    try:
        gdf = catalog.vector(layer_id, crs="EPSG:4326")
    except Exception as exc:  # a broken layer must not stop the report
        log.warning("layer %s: cannot be drawn (%s); skipped", layer_id, exc)
        return None
    if gdf is None or len(gdf) == 0:
        return None
    return gdf, spec


def _title(spec: Any, opts: StaticMapOptions) -> str:
    if opts.lang == "zh":
        return str(getattr(spec, "title_zh", None) or spec.id)
    return str(getattr(spec, "title_en", None) or spec.id)


def _basemap(c: MapCanvas, catalog: Any, *, labels: bool = True) -> Sequence[float] | None:
    """Banners (outline + names) and the Yellow River. Returns map bounds or None."""
    bounds = None
    got = _read_layer(catalog, "banners") or _read_layer(catalog, "city")
    if got is not None:
        gdf, spec = got
        g = c.to_map(gdf)
        g.plot(ax=c.ax, facecolor="#fbfbf8", edgecolor="none", zorder=1)
        g.boundary.plot(ax=c.ax, color="#555555", linewidth=0.7, zorder=5.5)
        bounds = tuple(g.total_bounds)
        c.handles.append(Patch(facecolor="#fbfbf8", edgecolor="#555555", label=c.opts.t("banners")))
        c.note_layer(_title(spec, c.opts), spec.provenance, getattr(spec, "source", ""))
        name_col = "name_zh" if c.opts.lang == "zh" else "name_en"
        if labels and name_col in g.columns:
            for geom, name in zip(g.geometry, g[name_col], strict=False):
                if geom is None or geom.is_empty or not isinstance(name, str):
                    continue
                p = geom.representative_point()
                # banner names first: they win any overlap with project labels
                c.label(p.x, p.y, name, priority=0, fontsize=7.5, ha="center", va="center",
                        color="#333333", zorder=8,
                        bbox={"facecolor": "white", "alpha": 0.55, "edgecolor": "none",
                              "pad": 0.6})
    got = _read_layer(catalog, "yellow_river")
    if got is not None:
        gdf, spec = got
        c.to_map(gdf).plot(ax=c.ax, color="#2e86c1", linewidth=1.3, zorder=6)
        c.handles.append(Line2D([], [], color="#2e86c1", linewidth=1.5, label=c.opts.t("river")))
        c.note_layer(_title(spec, c.opts), spec.provenance, getattr(spec, "source", ""))
    return bounds


def overview_map(catalog: Any, opts: StaticMapOptions | None = None) -> MapFigure | None:
    """Overview map: banners, Yellow River, control and preference layers of the catalog.

    Returns ``None`` when the catalog has neither ``banners`` nor ``city``.
    """
    opts = opts or StaticMapOptions()
    sub = {"zh": "旗区、黄河、生态保护红线、自然保护地、城市核心区、园区、沙漠",
           "en": "Banners, Yellow River, red lines, reserves, urban cores, parks, deserts"
           }[opts.lang]
    c = MapCanvas("overview", opts.t("overview"), sub, opts)
    bounds = _basemap(c, catalog)
    if bounds is None:
        return None
    for layer_id, (fc, ec, alpha, hatch, z) in OVERVIEW_STYLE.items():
        got = _read_layer(catalog, layer_id)
        if got is None:
            continue
        gdf, spec = got
        g = c.to_map(gdf)
        geom_types = set(g.geom_type)
        if geom_types <= {"Point", "MultiPoint"}:
            g.plot(ax=c.ax, color=ec, markersize=12, zorder=z)
        else:
            g.plot(ax=c.ax, facecolor=fc, edgecolor=ec, alpha=alpha, linewidth=0.5, hatch=hatch,
                   zorder=z)
        c.handles.append(Patch(facecolor=fc, edgecolor=ec, alpha=alpha, hatch=hatch,
                               label=_title(spec, c.opts)))
        c.note_layer(_title(spec, c.opts), spec.provenance, getattr(spec, "source", ""))
    got = _read_layer(catalog, "settlements")
    if got is not None:
        gdf, spec = got
        g = c.to_map(gdf)
        g = g[g.geom_type == "Point"]
        c.ax.scatter(g.geometry.x, g.geometry.y, s=10, c="black", marker="o", zorder=9)
        c.handles.append(Line2D([], [], color="black", marker="o", linestyle="", markersize=4,
                                label=_title(spec, c.opts)))
        c.note_layer(_title(spec, c.opts), spec.provenance, getattr(spec, "source", ""))
    c.set_extent(bounds)
    return c.finish()


def _read_json(path: Path) -> dict[str, Any]:
    # missing → {}; present but unreadable → LayerIOError (ordos_geo.io.results policy)
    return results_io.read_json(path.parent, path.name) or {}


def _result_provenance(results_dir: Path, kind: str) -> str:
    summ = _read_json(results_dir / f"{kind}_summary.json")
    prov = summ.get("provenance")
    if isinstance(prov, dict):
        vals = {str(v) for v in prov.values()}
        return "illustrative" if "illustrative" in vals else "derived"
    if isinstance(prov, list):
        return "illustrative" if "illustrative" in {str(v) for v in prov} else "derived"
    return str(prov) if prov else "derived"


def _read_raster_on(
    c: MapCanvas, path: Path, *, factor: int = 1
) -> tuple[np.ma.MaskedArray, tuple[float, float, float, float]]:
    """Band 1 of ``path`` in the map CRS, read decimated by ``factor`` (nearest).

    ``factor`` > 1 reads every ``factor``-th cell (GDAL uses the COG overviews), so a
    100 m grid is read at about the size of a printed pixel instead of in full.
    """
    import rasterio
    import rasterio.errors
    from rasterio.warp import Resampling, calculate_default_transform, reproject

    try:
        src = rasterio.open(path)
    except rasterio.errors.RasterioIOError as exc:
        raise LayerIOError(
            f"{path}: cannot open score raster ({' '.join(str(exc).split())[:120]}); "
            "rerun the siting step (ordos-geo siting … --overwrite)"
        ) from exc
    with src, _read_errors(path):
        nodata = src.nodata
        src_crs = CRS.from_user_input(src.crs) if src.crs else None
        if src_crs is not None and src_crs.equals(c.frame.crs):
            shape = (max(1, src.height // factor), max(1, src.width // factor))
            arr = src.read(1, out_shape=shape, resampling=Resampling.nearest)
            b = src.bounds
            extent = (float(b.left), float(b.right), float(b.bottom), float(b.top))
        else:
            dst_t, w, h = calculate_default_transform(src.crs, c.frame.crs.to_wkt(), src.width,
                                                      src.height, *src.bounds)
            arr = np.full((h, w), 255 if nodata is None else nodata, dtype=src.dtypes[0])
            reproject(rasterio.band(src, 1), arr, dst_transform=dst_t,
                      dst_crs=c.frame.crs.to_wkt(), resampling=Resampling.nearest,
                      dst_nodata=nodata)
            extent = (float(dst_t.c), float(dst_t.c + dst_t.a * w), float(dst_t.f + dst_t.e * h),
                      float(dst_t.f))
    mask = np.zeros(arr.shape, bool) if nodata is None else arr == nodata
    return np.ma.masked_array(arr, mask=mask), extent


@contextlib.contextmanager
def _read_errors(path: Path) -> Iterator[None]:
    """A block that does not decode (truncated or corrupt file) → one-line LayerIOError."""
    try:
        yield
    except LayerIOError:
        raise
    except Exception as exc:  # rasterio/GDAL errors have no common base class
        raise LayerIOError(
            f"{path}: cannot read ({' '.join(str(exc).split())[:120]}); rerun the siting step "
            "(ordos-geo siting … --overwrite)") from exc


def _decimation(c: MapCanvas, bounds: Sequence[float] | None, path: Path) -> int:
    """Cells of ``path`` per printed pixel (≥ 1) for a map of ``bounds`` at ``opts.dpi``.

    The map axes keep an equal aspect, so the ground size of one pixel is the larger
    of the x and y extents (plus the 4 % margin of :meth:`MapCanvas.set_extent`)
    divided by the axes size in pixels.
    """
    import rasterio

    if bounds is None:
        return 1
    try:
        with rasterio.open(path) as src:
            res = float(min(abs(src.res[0]), abs(src.res[1])))
            same = src.crs is not None and CRS.from_user_input(src.crs).equals(c.frame.crs)
    except Exception:  # the real read below reports the error
        return 1
    if not same or res <= 0:
        return 1
    pos = c.ax.get_position()
    w_in, h_in = pos.width * c.opts.figsize[0], pos.height * c.opts.figsize[1]
    x0, y0, x1, y1 = bounds
    m_per_in = max((x1 - x0) * 1.08 / w_in, (y1 - y0) * 1.08 / h_in)
    return max(1, int(m_per_in / c.opts.dpi / res))


def suitability_map(
    kind: Literal["pv", "wind"], results_dir: Path, catalog: Any,
    opts: StaticMapOptions | None = None,
) -> MapFigure | None:
    """Score map from ``{kind}_score.tif`` (uint8 0–100, nodata 255).

    Cells whose ``{kind}_reasons.tif`` code is not 0 are drawn grey as excluded.
    Returns ``None`` when the score raster is missing.
    """
    opts = opts or StaticMapOptions()
    found = results_io.raster_path(results_dir, f"{kind}_score.tif")
    if found is None:
        log.info("%s_score.tif: missing in %s; %s suitability map skipped", kind, results_dir,
                 kind)
        return None
    path = found
    key = f"{kind}_suitability"
    sub = {"zh": f"结果文件 {path.name}；灰色为排除区域，颜色越深越适宜",
           "en": f"Result file {path.name}; grey = excluded, darker = more suitable"}[opts.lang]
    src = (_read_json(Path(results_dir) / f"{kind}_summary.json") or {}).get("resource_source")
    if isinstance(src, dict) and src.get(opts.lang):
        sub += {"zh": f"\n资源数据：{src['zh']}",
                "en": f"\nresource: {src['en']}"}[opts.lang]
    c = MapCanvas(key, opts.t(key), sub, opts)
    bounds = _basemap(c, catalog, labels=True)
    factor = _decimation(c, bounds, path)
    score, extent = _read_raster_on(c, path, factor=factor)
    reasons_path = results_io.raster_path(results_dir, f"{kind}_reasons.tif")
    excluded = None
    if reasons_path is not None:
        reasons, _ = _read_raster_on(c, reasons_path, factor=factor)
        if reasons.shape == score.shape:
            excluded = ~np.ma.getmaskarray(reasons) & (reasons.filled(0) != 0) \
                & (reasons.filled(0) != 255)
    # the same ramp as the HTML maps and the QGIS styles (ordos_geo.palette)
    cmap = LinearSegmentedColormap.from_list("ordos_score", list(SCORE_COLOURS))
    norm = Normalize(vmin=0, vmax=100)
    # One RGBA image, coloured once here, instead of two scalar images that matplotlib
    # would normalise and colour-map again for every output (PNG, PDF, report pages).
    rgba = cmap(norm(score.filled(0).astype(np.float32)), bytes=True)
    rgba[..., 3] = np.where(np.ma.getmaskarray(score), 0, 255)  # opaque: as the colour bar
    if excluded is not None:
        rgba[excluded] = (0xCF, 0xCF, 0xCF, 255)
        c.handles.append(Patch(facecolor="#cfcfcf", label=opts.t("excluded")))
    c.ax.imshow(rgba, extent=extent, zorder=2, interpolation="nearest")
    im = ScalarMappable(norm=norm, cmap=cmap)
    cax = c.fig.add_axes((0.71, 0.16, 0.22, 0.022))
    cb = c.fig.colorbar(im, cax=cax, orientation="horizontal")
    cb.set_label(opts.t("score"), fontsize=8.5)
    cb.ax.tick_params(labelsize=7)
    c.note_layer(path.name, _result_provenance(Path(results_dir), kind), "ordos-geo siting")
    if bounds is None:
        bounds = (extent[0], extent[2], extent[1], extent[3])
    c.set_extent(bounds)
    return c.finish()


def read_sites(results_dir: Path, kind: str) -> gpd.GeoDataFrame | None:
    """``{kind}_sites.gpkg`` layer ``sites`` (EPSG:4326), or None when missing.

    A present but unreadable file raises :class:`~ordos_geo.errors.LayerIOError`.
    """
    df = results_io.read_layer(results_dir, f"{kind}_sites.gpkg", "sites")
    return None if df is None else gpd.GeoDataFrame(df, geometry="geometry")


def read_projects(results_dir: Path) -> gpd.GeoDataFrame | None:
    """``conflicts.gpkg`` layer ``projects``, or None when missing (unreadable → LayerIOError)."""
    df = results_io.read_layer(results_dir, "conflicts.gpkg", "projects")
    return None if df is None else gpd.GeoDataFrame(df, geometry="geometry")


def sites_map(results_dir: Path, catalog: Any, opts: StaticMapOptions | None = None,
              *, label_top: int = 8) -> MapFigure | None:
    """Candidate PV and wind sites; the ``label_top`` largest of each kind are labelled."""
    opts = opts or StaticMapOptions()
    # wind first: its sites are larger and PV sites must stay visible on top
    layers = {k: read_sites(Path(results_dir), k) for k in ("wind", "pv")}
    if all(v is None for v in layers.values()):
        return None
    sub = {"zh": "结果文件 pv_sites.gpkg / wind_sites.gpkg；标注面积最大的场址编号",
           "en": "Result files pv_sites.gpkg / wind_sites.gpkg; largest sites labelled"}[opts.lang]
    c = MapCanvas("sites", opts.t("sites"), sub, opts)
    bounds = _basemap(c, catalog)
    colours = {"pv": ("#f39c12", "#a04000"), "wind": ("#3498db", "#1b4f72")}
    all_bounds = []
    for kind, gdf in layers.items():
        if gdf is None or len(gdf) == 0:
            continue
        g = c.to_map(gdf)
        fc, ec = colours[kind]
        g.plot(ax=c.ax, facecolor=fc, edgecolor=ec, linewidth=0.5,
               alpha=0.6 if kind == "wind" else 0.95, zorder=5 if kind == "wind" else 5.2)
        c.handles.append(Patch(facecolor=fc, edgecolor=ec, alpha=0.6 if kind == "wind" else 0.95,
                               label=opts.t(f"{kind}_sites")))
        c.note_layer(f"{kind}_sites.gpkg", _result_provenance(Path(results_dir), kind),
                     "ordos-geo siting")
        all_bounds.append(g.total_bounds)
        if "site_id" in g.columns:
            top = g.sort_values("area_km2", ascending=False) if "area_km2" in g.columns else g
            for geom, sid in zip(top.geometry[:label_top], top["site_id"][:label_top],
                                 strict=False):
                p = geom.representative_point()
                label = f"{kind.upper()}-{sid}" if isinstance(sid, int | np.integer) else sid
                c.ax.annotate(str(label), (p.x, p.y), xytext=(3, 3), textcoords="offset points",
                              fontsize=6.5, color=ec, zorder=9)
    if bounds is None and all_bounds:
        b = np.array(all_bounds)
        bounds = (b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max())
    c.set_extent(bounds)
    return c.finish()


def screening_map(results_dir: Path, catalog: Any, opts: StaticMapOptions | None = None,
                  *, max_labels: int = 60) -> MapFigure | None:
    """Screened projects (``conflicts.gpkg`` layer ``projects``) coloured by verdict.

    Footprints are tiny at city scale, so each project is also drawn as a marker at
    its representative point, labelled with its id when there are at most
    ``max_labels`` projects.
    """
    opts = opts or StaticMapOptions()
    gdf = read_projects(Path(results_dir))
    if gdf is None or len(gdf) == 0:
        return None
    sub = {"zh": "结果文件 conflicts.gpkg；颜色为最严重的规则结论",
           "en": "Result file conflicts.gpkg; colour = most severe rule outcome"}[opts.lang]
    c = MapCanvas("screening", opts.t("screening"), sub, opts)
    bounds = _basemap(c, catalog)
    for layer_id in ("red_lines", "nature_reserves", "urban_cores", "parks"):
        got = _read_layer(catalog, layer_id)
        if got is None:
            continue
        lg, spec = got
        fc, ec, alpha, _, z = OVERVIEW_STYLE[layer_id]
        c.to_map(lg).plot(ax=c.ax, facecolor=fc, edgecolor=ec, alpha=alpha * 0.5,
                          linewidth=0.4, zorder=z)
        c.handles.append(Patch(facecolor=fc, edgecolor=ec, alpha=alpha * 0.5,
                               label=_title(spec, opts)))
        c.note_layer(_title(spec, opts), spec.provenance, getattr(spec, "source", ""))
    g = c.to_map(gdf)
    verdict = (g["verdict"] if "verdict" in g.columns else None)
    keys = [normalise_verdict(v) for v in verdict] if verdict is not None else ["review"] * len(g)
    g = g.assign(_v=keys)
    pts = g.geometry.representative_point()
    for key, (colour, zh, en) in VERDICTS.items():
        sel = g["_v"] == key
        if not sel.any():
            continue
        poly = g[sel & g.geom_type.isin(["Polygon", "MultiPolygon"])]
        if len(poly):
            poly.plot(ax=c.ax, facecolor=colour, edgecolor="black", linewidth=0.4, zorder=7)
        c.ax.scatter(pts[sel].x, pts[sel].y, s=38, c=colour, edgecolors="black",
                     linewidths=0.6, zorder=8)
        n = int(sel.sum())
        c.handles.append(Line2D([], [], marker="o", linestyle="", markerfacecolor=colour,
                                markeredgecolor="black", markersize=7,
                                label=f"{zh if opts.lang == 'zh' else en} ({n})"))
    if len(g) <= max_labels:  # project names, worst verdict first; overlaps are dropped
        names = g["name"] if "name" in g.columns else g.get("id")
        if names is not None:
            rank = {k: i for i, k in enumerate(VERDICTS)}
            for p, name, key in zip(pts, names, g["_v"], strict=False):
                if not isinstance(name, str) or not name.strip():
                    continue
                short = name.strip() if len(name.strip()) <= 14 else name.strip()[:13] + "…"
                c.label(p.x, p.y, short, priority=1 + rank.get(key, 9), fontsize=6,
                        zorder=9, ha="left", va="bottom", offset=(4, 3))
    summ = _read_json(Path(results_dir) / "screening_summary.json")
    layers = summ.get("layers")
    prov = str(summ.get("provenance", "user"))
    if isinstance(layers, dict) and any(isinstance(v, dict) and v.get("provenance") ==
                                        "illustrative" for v in layers.values()):
        prov = "illustrative"
    c.note_layer("conflicts.gpkg", prov, "ordos-geo check")
    if bounds is None:
        bounds = tuple(g.total_bounds)
    c.set_extent(bounds)
    return c.finish()


def make_maps(catalog: Any, results_dir: Path | None,
              opts: StaticMapOptions | None = None) -> dict[str, MapFigure | None]:
    """Draw all five maps; a map whose inputs are missing is ``None``.

    Keys in order: ``overview``, ``pv_suitability``, ``wind_suitability``, ``sites``,
    ``screening``.
    """
    opts = opts or StaticMapOptions()
    carto.get_cjk_font()
    out: dict[str, MapFigure | None] = {}
    with mpl.rc_context(carto.rc_params()):
        out["overview"] = overview_map(catalog, opts)
        rd = Path(results_dir) if results_dir is not None else None
        out["pv_suitability"] = suitability_map("pv", rd, catalog, opts) if rd else None
        out["wind_suitability"] = suitability_map("wind", rd, catalog, opts) if rd else None
        out["sites"] = sites_map(rd, catalog, opts) if rd else None
        out["screening"] = screening_map(rd, catalog, opts) if rd else None
    return out


def render_image(mf: MapFigure, dpi: int = 300) -> Image.Image:
    """Draw ``mf`` once with Agg at ``dpi`` and return it as an RGB image.

    The figure background is opaque white, so dropping the alpha channel loses
    nothing; the same image is saved as ``<key>.png`` and, scaled down with
    :func:`scale_image`, embedded in the HTML report.
    """
    buf = io.BytesIO()
    with mpl.rc_context(carto.rc_params()):
        mf.figure.savefig(buf, format="raw", dpi=dpi)
    # Agg truncates the figure size in pixels (RendererAgg(int(w), int(h)))
    w = int(mf.figure.get_figwidth() * dpi)
    h = int(mf.figure.get_figheight() * dpi)
    data = buf.getvalue()
    if len(data) != w * h * 4:  # should not happen: let PNG decoding tell the size
        buf = io.BytesIO()
        with mpl.rc_context(carto.rc_params()):
            mf.figure.savefig(buf, format="png", dpi=dpi)
        buf.seek(0)
        with Image.open(buf) as im:
            return im.convert("RGB")
    return Image.frombuffer("RGBA", (w, h), data, "raw", "RGBA", 0, 1).convert("RGB")


def scale_image(img: Image.Image, from_dpi: int, to_dpi: int) -> Image.Image:
    """``img`` drawn at ``from_dpi`` resampled to ``to_dpi`` (box filter for halving)."""
    if to_dpi >= from_dpi:
        return img
    if from_dpi % to_dpi == 0:
        return img.reduce(from_dpi // to_dpi)
    size = (max(1, round(img.width * to_dpi / from_dpi)),
            max(1, round(img.height * to_dpi / from_dpi)))
    return img.resize(size, Image.Resampling.LANCZOS)


def png_bytes(img: Image.Image, dpi: int) -> bytes:
    """``img`` encoded as PNG with its resolution (``dpi``) recorded."""
    buf = io.BytesIO()
    img.save(buf, format="PNG", dpi=(dpi, dpi), compress_level=6)
    return buf.getvalue()


def save_figure(mf: MapFigure, out_dir: Path, *, formats: Iterable[str] = ("png", "pdf"),
                dpi: int = 300, overwrite: bool = False,
                image: Image.Image | None = None) -> list[Path]:
    """Save a map as ``<key>.png`` (``dpi``) and/or ``<key>.pdf`` (vector, Type 42 fonts).

    ``image`` is the map already drawn at ``dpi`` by :func:`render_image` (drawn here
    when ``None``). Written atomically; an existing file is refused unless ``overwrite``.
    """
    written: list[Path] = []
    with mpl.rc_context(carto.rc_params()):
        for fmt in formats:
            if fmt not in ("png", "pdf"):
                continue
            path = Path(out_dir) / f"{mf.key}.{fmt}"
            if fmt == "png":
                check_output_path(path, overwrite=overwrite)
                write_png(path, image if image is not None else render_image(mf, dpi), dpi,
                          overwrite=overwrite)
                written.append(path)
                continue
            else:
                with atomic_path(path, overwrite=overwrite) as tmp:
                    mf.figure.savefig(tmp, format=fmt, dpi=100,
                                      metadata={"Title": mf.title})
            written.append(path)
            log.info("wrote %s", path)
    return written


def write_png(path: Path, image: Image.Image, dpi: int, *, overwrite: bool = False) -> Path:
    """Encode ``image`` (drawn at ``dpi``) as PNG and write it atomically to ``path``.

    Touches no matplotlib object, so it may run in a worker thread (PIL and zlib
    release the GIL while encoding) while the next map is drawn.
    """
    write_bytes_atomic(path, png_bytes(image, dpi), overwrite=overwrite)
    log.info("wrote %s", path)
    return Path(path)
