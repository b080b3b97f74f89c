"""Result files of ``siting`` and ``check`` as map layers (contract: DESIGN.md "Result files").

Every file is optional: a missing one drops its layer with a log line, so a map can
be drawn after siting only, screening only, or both; a present but unreadable one
stops with a one-line error (files are read through :mod:`ordos_geo.io.results`).
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
import pandas as pd

from ordos_geo.io import results as rio_results
from ordos_geo.maps.popups import (
    VALUE_ZH,
    esc,
    fmt_value,
    popup_html,
    table_html,
    value_label,
)
from ordos_geo.maps.rasters import score_colormap, score_overlay
from ordos_geo.maps.styles import (
    RESULT_STYLES,
    SCORE_OPACITY,
    Lang,
    is_encouraged,
    project_style,
    text,
    verdict_colour,
    verdict_label,
)
from ordos_geo.maps.vectors import MapLayer, feature_collection, geojson_layer, to_web
from ordos_geo.palette import VERDICT_PALETTE
from ordos_geo.zoning.screen import REMAINDER_NOTE

__all__ = ["SCORE_PANE", "SearchEntry", "result_layers"]

log = logging.getLogger(__name__)

SearchEntry = tuple[str, float, float]  # (escaped label, lon, lat)

#: Leaflet pane of the score overlays (z-index 350: above tiles, below vectors at 400).
SCORE_PANE = "ogScores"

#: Radius in screen pixels of point projects (visible at city scale, zoom 8).
PROJECT_RADIUS_PX = 8.0
#: Radius in pixels of the pin marking a project footprint or line at its
#: representative point (footprints of a few hectares vanish at city scale).
PIN_RADIUS_PX = 6.5


def _geom_kind(gtype: object) -> str:
    g = str(gtype)
    if g in ("Point", "MultiPoint"):
        return "point"
    if g in ("LineString", "MultiLineString"):
        return "line"
    return "area"


_SITE_FIELDS = ("site_id", "banner_zh", "banner_en", "banner", "area_km2", "mean_score",
                "max_score", "n_turbines", "capacity_mw", "annual_energy_mwh",
                "full_load_hours", "lcoe_cny_per_kwh", "grid_distance_km", "preferred")

#: Short label of where a siting run's resource came from, by ``resource_source.type``.
_RESOURCE_LABEL = {
    "zh": {"raster": "资源：实测/再分析栅格", "model": "资源：模型估算",
           "assumption": "资源：假设值"},
    "en": {"raster": "resource: measured raster", "model": "resource: model",
           "assumption": "resource: ASSUMED"},
}


def _resource_label(results: Path, kind: str, lang: Lang) -> str:
    """``（资源：…）`` for a layer name, from ``{kind}_summary.json``; '' if unknown."""
    data = rio_results.read_json(results, f"{kind}_summary.json") or {}
    src = data.get("resource_source")
    typ = src.get("type") if isinstance(src, dict) else None
    label = _RESOURCE_LABEL[lang].get(str(typ)) if typ else None
    return f" ({label})" if label else ""


def _read_layer(path: Path, layer: str) -> pd.DataFrame | None:
    df: pd.DataFrame | None = rio_results.read_layer(path.parent, path.name, layer)
    return df


def _provenance(results: Path, kind: str) -> str:
    """Provenance of a siting run: ``{kind}_summary.json`` key ``provenance``, else the
    ``provenance`` tag of ``{kind}_score.tif``, else ``derived``."""
    data = rio_results.read_json(results, f"{kind}_summary.json")
    if data is not None and isinstance(data.get("provenance"), str):
        return str(data["provenance"])
    tif = rio_results.raster_path(results, f"{kind}_score.tif")
    if tif is not None:
        tag = rio_results.raster_tags(tif).get("provenance")
        if tag:
            return str(tag)
    return "derived"


def _score_layer(
    results: Path, kind: str, *, lang: Lang, max_px: int, show: bool
) -> MapLayer | None:
    path = rio_results.raster_path(results, f"{kind}_score.tif")
    if path is None:
        log.info("map: %s_score.tif not found in %s; %s score layer skipped", kind, results, kind)
        return None
    ov = score_overlay(path, max_px=max_px, opacity=SCORE_OPACITY)
    illus = _provenance(results, kind) == "illustrative"
    name = (text(f"{kind}_score", lang) + _resource_label(results, kind, lang)
            + (" *" if illus else ""))
    # in its own pane below the vector layers, so boundaries and zones stay readable
    layer = folium.raster_layers.ImageOverlay(
        image=ov.data_uri, bounds=[list(ov.bounds[0]), list(ov.bounds[1])], name=name,
        opacity=1.0, show=show, interactive=False, cross_origin=False, pane=SCORE_PANE,
    )
    return MapLayer("g_results", f"{kind}_score", name, layer, illus,
                    {"kind": "raster", "colormap": score_colormap()})


def _site_layer(results: Path, kind: str, *, lang: Lang, show: bool,
                search: list[SearchEntry]) -> MapLayer | None:
    path = results / f"{kind}_sites.gpkg"
    if not path.exists():
        log.info("map: %s not found; %s sites skipped", path, kind)
        return None
    df = _read_layer(path, "sites")
    if df is None or df.empty:
        return None
    gdf = gpd.GeoDataFrame(df, geometry="geometry")
    web = to_web(gdf, simplify_m=0.0)
    name = text(f"{kind}_sites", lang)
    prov = _provenance(results, kind)
    meta = {"layer": f"{kind}_sites.gpkg", "provenance": prov,
            "source": f"ordos-geo siting ({path.name})"}

    def props(row: dict[str, Any]) -> dict[str, Any]:
        fields = [f for f in _SITE_FIELDS if f in row] + [
            k for k in row if k not in _SITE_FIELDS and k not in {"provenance", "source"}
        ]
        sid = fmt_value(row.get("site_id"))
        title = f"{name} {sid}".strip()
        return {
            "_popup": popup_html(row, title=title, meta=meta, lang=lang, fields=fields),
            "_tooltip": esc(f"{title} · {fmt_value(row.get('capacity_mw'))} MW"),
        }

    fc = feature_collection(web, props)
    pts = web.geometry.representative_point()
    for f, p in zip(fc["features"], pts, strict=True):
        search.append((f["properties"]["_tooltip"], p.x, p.y))
    # a fixed colour per kind (not the score palette) so sites stand out on the score layer
    style = RESULT_STYLES[f"{kind}_sites"]
    layer = geojson_layer(fc, name=name + (" *" if prov == "illustrative" else ""),
                          style=style, show=show)
    return MapLayer("g_results", f"{kind}_sites", name + (" *" if prov == "illustrative" else ""),
                    layer, prov == "illustrative", {"kind": "area", "color": style["color"],
                                                    "fillColor": style["fillColor"]})


def _message(h: Any, lang: Lang) -> str:
    for k in (f"message_{lang}", "message_zh", "message_en", "message"):
        v = fmt_value(h.get(k))
        if v:
            return v
    return ""


#: A layer id in front of a zone name in a hit's ``zones`` text.
_LAYER_PREFIX = re.compile(r"\b[a-z][a-z0-9_]*:(?=\S)")


#: A lower-case code in a zone text, and the zh labels of the codes zones report.
_CODE_TOKEN = re.compile(r"\b[a-z][a-z0-9_]*\b")
_ZONE_CODES_ZH: dict[str, str] = {k: v for field in ("park_kind", "level", "unit_kind", "kind")
                                  for k, v in VALUE_ZH[field].items()}


def _hit_item(h: Any, lang: Lang) -> str:
    ov = ""
    if fmt_value(h.get("overlap_ha")):
        ov = (f"{fmt_value(h.get('overlap_ha'))} {text('ha', lang)} / "
              f"{fmt_value(h.get('overlap_mu'))} {text('mu', lang)}")
    sev = fmt_value(h.get("severity"))
    msg = _message(h, lang)
    quote = fmt_value(h.get("quote"))
    # zone names without their layer ids ("urban_cores:康巴什中心城区" → 康巴什中心城区)
    zones = _LAYER_PREFIX.sub("", fmt_value(h.get("zones")))
    if lang == "zh":  # coded zone attributes ("上海庙经济开发区 / low_carbon_demo")
        zones = _CODE_TOKEN.sub(lambda m: _ZONE_CODES_ZH.get(m.group(0), m.group(0)), zones)
    return (
        f'<li><span class="og-sev" style="background:{verdict_colour(sev)}">'
        f"{esc(value_label('severity', sev, lang))}</span> <b>{esc(h.get('rule_id'))}</b> "
        f"{esc(h.get('citation'))}"
        + (f"<br>“{html.escape(quote)}”" if quote else "")
        + (f"<br>{html.escape(zones)}" if zones else "")
        + (f"<br><i>{html.escape(text('overlap', lang))}: {html.escape(ov)}</i>" if ov else "")
        + (f"<br>{html.escape(msg)}" if msg else "")
        + "</li>"
    )


#: Popup order of hits: worst first, so the prohibiting clause is never below the fold.
_HIT_ORDER = {"prohibited": 0, "restricted": 1, "review": 2, "needs_information": 3,
              "encouraged": 4}


def _hint_item(h: Any, lang: Lang) -> str:
    if fmt_value(h.get("remainder_ha")):
        share = h.get("remainder_share")
        pct = f" ({float(share):.0%})" if isinstance(share, (int, float)) else ""
        body = (f"{text('remainder', lang)}: {fmt_value(h.get('remainder_ha'))} "
                f"{text('ha', lang)} / {fmt_value(h.get('remainder_mu'))} {text('mu', lang)}"
                f"{pct}")
        if fmt_value(h.get("prohibited_rules")):
            body += f"; {text('avoid', lang)}: {fmt_value(h.get('prohibited_rules'))}"
        note = fmt_value(h.get("note"))
        if note == REMAINDER_NOTE:  # the screening's fixed caveat, in the map's language
            body += f" — {text('remainder_note', lang)}"
        elif note:
            body += f" — {note}"
        return f"<li>{html.escape(body)}</li>"
    vals = [fmt_value(h.get(c)) for c in h.index
            if c not in {"project_id", "project_name", "geometry"} and fmt_value(h.get(c))]
    return "<li>" + " — ".join(html.escape(v) for v in vals) + "</li>" if vals else ""


def _hits_html(hits: pd.DataFrame | None, hints: pd.DataFrame | None, pid: str,
               lang: Lang) -> str:
    """Escaped list of rule hits (citation, overlap 公顷/亩, message) and fix hints."""
    out = []
    if hits is not None and "project_id" in hits.columns:
        sel = hits[hits["project_id"].astype(str) == pid]
        if "severity" in sel.columns:
            sel = sel.iloc[sel["severity"].map(lambda v: _HIT_ORDER.get(str(v), 5))
                           .to_numpy().argsort(kind="stable")]
        rows = [_hit_item(h, lang) for _, h in sel.iterrows()]
        if rows:
            out.append(f'<div class="og-sub">{html.escape(text("hits", lang))}</div>'
                       f'<ul class="og-hits">{"".join(rows)}</ul>')
    if hints is not None and "project_id" in hints.columns:
        sel = hints[hints["project_id"].astype(str) == pid]
        items = [t for t in (_hint_item(h, lang) for _, h in sel.iterrows()) if t]
        if items:
            out.append(f'<div class="og-sub">{html.escape(text("fix_hints", lang))}</div>'
                       f'<ul class="og-hits">{"".join(items)}</ul>')
    return "".join(out)


def _spatial(df: pd.DataFrame | None) -> gpd.GeoDataFrame | None:
    """The rows of ``df`` with a non-empty geometry, in EPSG:4326 (None if none)."""
    if df is None or "geometry" not in df.columns or df.empty:
        return None
    g = gpd.GeoDataFrame(df, geometry="geometry")
    g = g[g.geometry.notna() & ~g.geometry.is_empty]
    if g.empty or g.crs is None:
        return None
    return to_web(g, simplify_m=0.0)


def _conflict_layers(hits: pd.DataFrame | None, hints: pd.DataFrame | None, *, lang: Lang,
                     meta: dict[str, object]) -> list[MapLayer]:
    """Conflicting parts of footprints (prohibited/restricted hits) and compliant remainders."""
    out: list[MapLayer] = []
    g = _spatial(hits)
    if g is not None and "severity" in g.columns:
        g = g[g["severity"].astype(str).isin(["prohibited", "restricted", "禁止", "限制"])]
        # a point project's "conflicting part" is the point itself, already drawn in its
        # verdict colour by the projects layer: only footprints and lines are shown
        g = g[~g.geom_type.isin(["Point", "MultiPoint"])]
        if not g.empty:
            name = text("conflict_parts", lang)

            def props(row: dict[str, Any]) -> dict[str, Any]:
                title = f"{fmt_value(row.get('project_name'))} · {fmt_value(row.get('rule_id'))}"
                body = f'<ul class="og-hits">{_hit_item(pd.Series(row), lang)}</ul>'
                return {
                    "_popup": popup_html({}, title=title, meta=meta, lang=lang, fields=[],
                                         extra_html=body),
                    "_tooltip": esc(title),
                    "_c": verdict_colour(row.get("severity")),
                }

            fc = feature_collection(g, props)
            style = RESULT_STYLES["conflict_parts"]
            worst = VERDICT_PALETTE["prohibited"]
            layer = geojson_layer(fc, name=name, style=style, show=True,
                                  style_of=lambda p: {"fill": True,
                                                      "fillColor": p.get("_c", worst)})
            out.append(MapLayer("g_results", "conflict_parts", name, layer, False,
                                {"kind": "area", "color": style["color"], "fillColor": worst,
                                 "dashArray": style["dashArray"]}))
    g = _spatial(hints)
    if g is not None:
        name = text("remainders", lang)

        def hprops(row: dict[str, Any]) -> dict[str, Any]:
            title = fmt_value(row.get("project_name")) or fmt_value(row.get("project_id"))
            body = f'<ul class="og-hits">{_hint_item(pd.Series(row), lang)}</ul>'
            return {"_popup": popup_html({}, title=title, meta=meta, lang=lang, fields=[],
                                         extra_html=body),
                    "_tooltip": esc(f"{title} · {text('remainder', lang)}")}

        fc = feature_collection(g, hprops)
        style = RESULT_STYLES["remainders"]
        layer = geojson_layer(fc, name=name, style=style, show=False)
        out.append(MapLayer("g_results", "remainders", name, layer, False,
                            {"kind": "area", "color": style["color"],
                             "fillColor": style["fillColor"], "dashArray": style["dashArray"]}))
    return out


def _project_layers(results: Path, *, lang: Lang, show: bool,
                    search: list[SearchEntry]) -> tuple[list[MapLayer], list[str]]:
    path = results / "conflicts.gpkg"
    if not path.exists():
        log.info("map: %s not found; screened projects skipped", path)
        return [], []
    df = _read_layer(path, "projects")
    if df is None or df.empty:
        return [], []
    hits = _read_layer(path, "hits")
    hints = _read_layer(path, "fix_hints")
    gdf = gpd.GeoDataFrame(df, geometry="geometry")
    web = to_web(gdf, simplify_m=0.0)
    name = text("projects", lang)
    meta: dict[str, object] = {"layer": "conflicts.gpkg", "provenance": "user",
                               "source": f"ordos-geo check ({path.name})"}
    shown = ("id", "name", "industry", "stage", "verdict", "area_ha", "area_mu")

    def props(row: dict[str, Any]) -> dict[str, Any]:
        pid = fmt_value(row.get("id"))
        nm = fmt_value(row.get("name")) or pid
        verdict = fmt_value(row.get("verdict"))
        fields = [f for f in shown if f in row] + [
            k for k in row if k not in shown and k not in {"provenance", "source", "_gtype"}
        ]
        return {
            "_popup": popup_html(row, title=nm, meta=meta, lang=lang, fields=fields,
                                 extra_html=_hits_html(hits, hints, pid, lang)),
            "_tooltip": esc(f"{nm} — {value_label('verdict', verdict, lang)}"),
            "_style": project_style(row, _geom_kind(row.get("_gtype"))),
            "_pin_style": {**project_style(row, "point"), "radius": PIN_RADIUS_PX},
        }

    web = web.assign(_gtype=web.geom_type)
    fc = feature_collection(web, props)
    pins: list[dict[str, Any]] = []
    for f, p in zip(fc["features"], web.geometry.representative_point(), strict=True):
        search.append((f["properties"]["_tooltip"], p.x, p.y))
        pin_style = f["properties"].pop("_pin_style")
        if f["geometry"]["type"] not in ("Point", "MultiPoint"):
            # footprints and lines of a few hectares are < 2 px at city scale: a pin in
            # the verdict colour marks them (drawn after the footprints, so on top)
            pins.append({"type": "Feature", "id": len(fc["features"]) + len(pins),
                         "properties": {**f["properties"], "_style": pin_style, "_pin": True},
                         "geometry": {"type": "Point",
                                      "coordinates": [round(p.x, 5), round(p.y, 5)]}})
    fc["features"] += pins
    # points are drawn 8 px (radius) so they read at city scale; the per-feature
    # style (verdict fill, white halo / dark encouraged outline) comes from
    # styles.project_style
    style: dict[str, object] = {"radius": PROJECT_RADIUS_PX}
    layer = geojson_layer(fc, name=name, style=style, show=show,
                          style_of=lambda p: dict(p.get("_style") or {}))
    order = ("prohibited", "禁止", "restricted", "限制", "review", "审查", "compliant", "合规",
             "encouraged", "鼓励")
    verdicts = sorted({fmt_value(v) for v in web.get("verdict", pd.Series(dtype=str))
                       if fmt_value(v)},
                      key=lambda v: (order.index(v) if v in order else len(order), v))
    # swatch: the verdict colours side by side (the verdict legend says which is which)
    ramp = "linear-gradient(90deg,{})".format(",".join(
        verdict_colour(v) for v in ("prohibited", "restricted", "review", "compliant")))
    layers = [MapLayer("g_results", "projects", name, layer, False,
                       {"kind": "area", "color": "#212121", "fillColor": ramp,
                        "encouraged": bool(web.apply(
                            lambda r: is_encouraged(r.to_dict()), axis=1).any())})]
    layers += _conflict_layers(hits, hints, lang=lang, meta=meta)
    return layers, verdicts


def _summary_html(results: Path, lang: Lang) -> str:
    data = rio_results.read_json(results, "screening_summary.json")
    if data is None:
        return ""
    # the counts a reader wants next to the verdict colours (zoning/outputs.summary_dict)
    rows: list[tuple[str, object]] = [
        (text(label, lang), data[key]) for key, label in
        (("n_projects", "sum_projects"), ("n_hits", "sum_hits"), ("fix_hints", "sum_fixes"))
        if key in data and not isinstance(data[key], (dict, list))
    ]
    verdicts = data.get("verdicts")
    if isinstance(verdicts, dict):
        rows += [(verdict_label(k, lang), v) for k, v in verdicts.items()
                 if not isinstance(v, (dict, list))]
    if not rows:  # another layout: show its first scalar entries
        rows = [(str(k), v) for k, v in data.items() if not isinstance(v, (dict, list))][:8]
    return table_html(rows)


def result_layers(
    results: Path,
    *,
    lang: Lang,
    max_px: int,
    focus: str | None,
) -> tuple[list[MapLayer], list[SearchEntry], list[str], str]:
    """Layers from a results folder.

    Returns
    -------
    layers, search entries (escaped label, lon, lat), verdicts present, summary HTML
    """
    layers: list[MapLayer] = []
    search: list[SearchEntry] = []
    verdicts: list[str] = []
    kinds: Iterable[str] = ("pv", "wind") if focus in (None, "screening") else (focus or "",)
    for kind in kinds:
        if focus == "screening":
            break
        on_score = focus == kind or (focus is None and kind == "pv")
        for ly in (
            _score_layer(results, kind, lang=lang, max_px=max_px, show=on_score),
            _site_layer(results, kind, lang=lang, show=focus in (None, kind), search=search),
        ):
            if ly is not None:
                layers.append(ly)
    if focus in (None, "screening"):
        pls, verdicts = _project_layers(results, lang=lang, show=True, search=search)
        layers += pls
    summary = _summary_html(results, lang) if focus in (None, "screening") else ""
    return layers, search, verdicts, summary
