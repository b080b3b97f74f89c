"""Interactive Folium maps of the layers and the analysis results.

:func:`build_map` returns a :class:`folium.Map`; :func:`write_map` writes it as one
self-contained HTML file (offline by default: Leaflet, plugins and images inlined,
no request leaves the page). Layers are read through the catalog and the result
files (DESIGN.md "Result files"); data are reprojected to EPSG:4326 only here.

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> from ordos_geo.maps import MapOptions, write_map
>>> with tempfile.TemporaryDirectory() as d:   # the layer overview of the default catalog
...     page = write_map(None, Path(d) / "overview.html", options=MapOptions(lang="en"))
...     "leaflet" in page.read_text(encoding="utf-8").lower()
True

With results: ``write_map(cat, "maps/pv_map.html", results_dir="maps", focus="pv")``.
"""

from __future__ import annotations

import html
import logging
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlparse

import folium
from folium import plugins

from ordos_geo.crs import ORDOS_BBOX_LONLAT
from ordos_geo.errors import ConfigError, OutputError
from ordos_geo.io.atomic import check_output_path, write_text_atomic
from ordos_geo.maps.labels import add_place_labels
from ordos_geo.maps.legend import (
    MapScript,
    css_element,
    legend_html,
    notice_html,
    swatch_html,
    title_html,
)
from ordos_geo.maps.offline import (
    default_icon_script,
    external_refs,
    inline_assets,
    strip_unused_defaults,
)
from ordos_geo.maps.results import SCORE_PANE, SearchEntry, result_layers
from ordos_geo.maps.styles import GROUPS, Focus, MapOptions, map_kind, text, visible_at_load
from ordos_geo.maps.vectors import CatalogLike, MapLayer, catalog_layers

__all__ = ["SIZE_BUDGET_BYTES", "MapOptions", "build_map", "render_html", "write_map"]

log = logging.getLogger(__name__)

#: Size budget of one map file at the default resolution (issue 5): 15 MB.
SIZE_BUDGET_BYTES = 15 * 1024 * 1024

_GCJ02_HOSTS = ("amap.com", "autonavi.com", "gaode.com", "map.qq.com", "gtimg.com",
                "tencent.com", "qq.com")
_TIANDITU = ("https://t{{s}}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile"
             "&VERSION=1.0.0&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles"
             "&TILEMATRIX={{z}}&TILEROW={{y}}&TILECOL={{x}}&tk={token}")
_FOCUS = (None, "pv", "wind", "screening")


def is_gcj02_tiles(url: str) -> bool:
    """True if a tile URL points at a GCJ-02 provider (Amap/Gaode, Tencent)."""
    host = (urlparse(url.replace("{s}", "a")).hostname or "").lower()
    return any(host == h or host.endswith("." + h) for h in _GCJ02_HOSTS)


def _load_catalog(catalog: CatalogLike | str | os.PathLike[str] | None) -> CatalogLike:
    if catalog is not None and not isinstance(catalog, (str, os.PathLike)):
        return catalog
    from ordos_geo.catalog import Catalog  # imported late: optional at import time

    return Catalog.load(catalog)  # type: ignore[no-any-return]


def _add_basemap(m: folium.Map, options: MapOptions) -> list[tuple[str, str]]:
    """Add tiles if asked; return notices ``(class, escaped html)`` to show."""
    notices: list[tuple[str, str]] = []
    if options.tile_url:
        if is_gcj02_tiles(options.tile_url):
            log.warning("map: tile source %s is GCJ-02 (Amap/Tencent): offset ~500 m from "
                        "the WGS84 data at Ordos; use --basemap osm|tianditu", options.tile_url)
            notices.append(("og-notice og-warn", html.escape(text("gcj02", options.lang))))
        folium.TileLayer(tiles=options.tile_url, attr="custom tiles", name="tiles",
                         control=False).add_to(m)
    elif options.basemap == "osm":
        folium.TileLayer("OpenStreetMap", name="OpenStreetMap", control=False).add_to(m)
    elif options.basemap == "tianditu":
        token = options.tianditu_token or ""
        for layer in ("vec", "cva"):
            folium.TileLayer(
                tiles=_TIANDITU.format(layer=layer, token=quote(token, safe="")),
                attr="天地图 tianditu.gov.cn", name=f"tianditu_{layer}", subdomains="01234567",
                control=False, max_zoom=18,
            ).add_to(m)
    if options.tile_url or options.basemap != "none":
        log.info("map: basemap tiles need network access when the page is opened")
    return notices


def _search(m: folium.Map, entries: list[SearchEntry], lang: str) -> None:
    if not entries:
        return
    fc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"label": label},
         "geometry": {"type": "Point", "coordinates": [round(x, 5), round(y, 5)]}}
        for label, x, y in entries
    ]}
    # leaflet-search adds its layer to the map: make the index points invisible
    index = folium.GeoJson(fc, name="search-index", control=False, show=False,
                           marker=folium.CircleMarker(radius=0, opacity=0, fill_opacity=0,
                                                      interactive=False))
    index.add_to(m)
    plugins.Search(index, search_label="label", geom_type="Point", search_zoom=12,
                   position="topleft", collapsed=True,
                   placeholder=text("search", "zh" if lang == "zh" else "en")).add_to(m)


def build_map(
    catalog: CatalogLike | str | os.PathLike[str] | None,
    *,
    results_dir: str | os.PathLike[str] | None = None,
    options: MapOptions | None = None,
    focus: Focus | None = None,
) -> folium.Map:
    """Build the interactive map.

    Parameters
    ----------
    catalog
        A loaded :class:`ordos_geo.catalog.Catalog`, a path to a user catalog YAML
        (overlaid on the default one), or ``None`` for the default catalog.
    results_dir
        Folder with result files (``pv_score.tif``, ``conflicts.gpkg`` ...); ``None``
        draws the layer overview only. Missing files are skipped with a log line.
    options
        :class:`MapOptions` (offline, basemap, language, raster size ...).
    focus
        ``None`` (everything), ``"pv"``, ``"wind"`` or ``"screening"``: which result
        layers are drawn and switched on.

    Returns
    -------
    folium.Map
        Leaflet map in EPSG:3857 display; all data given in EPSG:4326.
    """
    opts = options or MapOptions()
    if focus not in _FOCUS:
        raise ConfigError(f"map: focus: {focus!r} is not one of pv, wind, screening; "
                          "pass focus=None|'pv'|'wind'|'screening'")
    lang = opts.lang
    cat = _load_catalog(catalog)
    west, south, east, north = ORDOS_BBOX_LONLAT
    m = folium.Map(location=[(south + north) / 2, (west + east) / 2], zoom_start=8,
                   tiles=None, control_scale=False, prefer_canvas=True, max_zoom=18,
                   zoom_snap=0.25)
    strip_unused_defaults(m)
    m.get_root().header.add_child(css_element(), name="ordos_css")  # type: ignore[attr-defined]
    notices = _add_basemap(m, opts)

    folium.map.CustomPane(SCORE_PANE, z_index=350, pointer_events=False).add_to(m)
    layers: list[MapLayer] = catalog_layers(cat, lang=lang, simplify_m=opts.simplify_m)
    search: list[SearchEntry] = []
    verdicts: list[str] = []
    summary = ""
    if results_dir is not None:
        rdir = Path(results_dir)
        if not rdir.is_dir():
            log.warning("map: results folder %s not found; drawing layers only", rdir)
        else:
            rl, search, verdicts, summary = result_layers(rdir, lang=lang,
                                                          max_px=opts.max_raster_px, focus=focus)
            if not rl:
                log.warning("map: no result files in %s; drawing layers only", rdir)
            layers += rl

    kind = map_kind(focus, any(ly.group == "g_results" for ly in layers))
    groups: dict[str, list[Any]] = {}
    for ly in layers:
        ly.layer.show = visible_at_load(ly.key, kind)
        # the layer control inserts names with innerHTML: escaped name + trusted swatch
        sw = swatch_html(ly.swatch) if ly.swatch.get("kind") != "raster" else ""
        ly.layer.layer_name = sw + html.escape(ly.name)
        ly.layer.add_to(m)
        gname = html.escape(text(ly.group, lang))
        groups.setdefault(gname, []).append(ly.layer)
    add_place_labels(m, cat, lang=lang)
    collapsed: list[int] = []
    if groups:
        ordered = {html.escape(text(g, lang)): groups[html.escape(text(g, lang))]
                   for g in GROUPS if html.escape(text(g, lang)) in groups}
        plugins.GroupedLayerControl(ordered, exclusive_groups=False, collapsed=False,
                                    position="topright").add_to(m)
        # groups with nothing on at load start folded (click the group name to unfold)
        collapsed = [i for i, members in enumerate(ordered.values())
                     if not any(lyr.show for lyr in members)]

    plugins.Fullscreen(position="topleft").add_to(m)
    _search(m, search, lang)
    plugins.MeasureControl(position="topleft", primary_length_unit="kilometers",
                           secondary_length_unit="meters", primary_area_unit="hectares",
                           secondary_area_unit="sqmeters").add_to(m)
    prefix = "经度, 纬度" if lang == "zh" else "lon, lat"
    plugins.MousePosition(position="bottomleft", separator=", ", lng_first=True,
                          num_digits=5, prefix=prefix, empty_string="").add_to(m)

    illus = [ly for ly in layers if ly.illustrative]
    if illus:
        notices.append(("og-notice og-notice-ill",
                        notice_html([ly.name.rstrip(" *") for ly in illus], lang)))
    title_key = {None: "title", "pv": "title_pv", "wind": "title_wind",
                 "screening": "title_screening"}[focus]
    if results_dir is None and focus is None:
        title_key = "title_overview"
    title = opts.title or text(title_key, lang)
    sub = (f"{text('generated', lang)} {datetime.now(UTC):%Y-%m-%d} · ordos_geo · "
           "EPSG:4326 / Web Mercator")
    group_names = {g: text(g, lang) for g in GROUPS}
    legend = legend_html(layers, verdicts, lang, group_names, summary)
    extra = default_icon_script() if opts.offline else ""
    MapScript(title_html=title_html(title, sub), legend_html=legend, notices=notices,
              extra_js=extra, sep="、" if lang == "zh" else ", ",
              collapsed_groups=collapsed, n_groups=len(groups),
              collapse_hint=text("collapse_hint", lang),
              illustrative=[(ly.layer.get_name(), html.escape(ly.name.rstrip(" *")))
                            for ly in illus]).add_to(m)
    m.get_root().title = html.escape(title)  # type: ignore[attr-defined]  # raw in <title>
    frame = [ly.bounds for ly in layers if ly.key in ("city", "banners") and ly.bounds]
    if frame:
        west, south = min(b[0] for b in frame), min(b[1] for b in frame)
        east, north = max(b[2] for b in frame), max(b[3] for b in frame)
    m.fit_bounds([[south, west], [north, east]], padding=(10, 10))
    return m


def render_html(m: folium.Map, *, offline: bool) -> str:
    """Render ``m`` to one HTML string; with ``offline`` inline every asset and verify it.

    Raises
    ------
    OutputError
        If, in offline mode, any ``src``/``href``/CSS ``url()`` still points outside.
    """
    page = m.get_root().render()
    if not offline:
        return page
    page = inline_assets(page)
    refs = external_refs(page)
    if refs:
        raise OutputError(
            f"map html: {len(refs)} external reference(s) left in offline mode "
            f"({'; '.join(refs[:3])}); pass --cdn or report this bug"
        )
    return page


def write_map(
    catalog: CatalogLike | str | os.PathLike[str] | None,
    out_path: str | os.PathLike[str],
    *,
    results_dir: str | os.PathLike[str] | None = None,
    options: MapOptions | None = None,
    overwrite: bool = True,
    focus: Focus | None = None,
) -> Path:
    """Build the map and write it atomically as one HTML file.

    Parameters
    ----------
    catalog, results_dir, options, focus
        As in :func:`build_map`. ``results_dir=None`` writes the layer overview
        (``maps/overview.html`` of ``ordos-geo run``).
    out_path
        Output ``.html`` path (folders are created).
    overwrite
        Replace an existing file; otherwise :class:`~ordos_geo.errors.OutputError`.

    Returns
    -------
    pathlib.Path
        The written file. Its size is logged; above 15 MB a warning says how to shrink it.
    """
    opts = options or MapOptions()
    out = check_output_path(out_path, overwrite=overwrite)
    m = build_map(catalog, results_dir=results_dir, options=opts, focus=focus)
    page = render_html(m, offline=opts.offline)
    size = len(page.encode("utf-8"))
    if size > SIZE_BUDGET_BYTES:
        log.warning("map: %s is %.1f MB (> 15 MB budget); lower max_raster_px or raise "
                    "simplify_m", out, size / 1e6)
    write_text_atomic(out, page, overwrite=overwrite)
    log.info("map: wrote %s (%.2f MB, %s)", out, size / 1e6, "offline" if opts.offline else "CDN")
    return out
