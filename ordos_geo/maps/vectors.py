"""Vector layers for the web map: reproject, simplify, attach escaped popups.

This is the only place (with :mod:`ordos_geo.maps.rasters`) where data is
reprojected to EPSG:4326 for display.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import folium
import geopandas as gpd
import numpy as np
import shapely

from ordos_geo.crs import WORK_CRS
from ordos_geo.errors import OrdosGeoError
from ordos_geo.maps.popups import esc, fmt_value, popup_html
from ordos_geo.maps.styles import (
    DEFAULT_STYLE,
    LAYER_STYLES,
    Lang,
    group_of,
    text,
)

__all__ = [
    "CatalogLike",
    "MapLayer",
    "catalog_layers",
    "feature_collection",
    "geojson_layer",
    "to_web",
]

log = logging.getLogger(__name__)

# Binds the pre-escaped popup/tooltip HTML built in Python; nothing else is inserted.
_ON_EACH = folium.JsCode(
    "function(f, l) { var p = f.properties || {};"
    " if (p._popup) { l.bindPopup(p._popup, {maxWidth: 420, maxHeight: 360}); }"
    " if (p._tooltip) { l.bindTooltip(p._tooltip, {sticky: true}); } }"
)


class CatalogLike(Protocol):
    """What the map needs from :class:`ordos_geo.catalog.Catalog`."""

    @property
    def ids(self) -> Iterable[str]: ...

    def __getitem__(self, layer_id: str) -> Any: ...

    def vector(self, layer_id: str, crs: Any = ...) -> gpd.GeoDataFrame: ...


@dataclass
class MapLayer:
    """One entry of the layer control.

    Attributes
    ----------
    group
        Group key (``g_base``, ``g_controls``, ``g_preferred``, ``g_results``, ``g_other``).
    key
        Stable id (catalog id, ``control_units_1``, ``pv_score`` ...).
    name
        Label in the layer control (plain text; escaped when rendered).
    layer
        The folium layer (GeoJson, ImageOverlay or FeatureGroup).
    illustrative
        True when the data are illustrative (triggers the visible notice).
    swatch
        Legend style (``color``, ``fillColor``, ``kind`` = ``line|area|point|raster``).
    bounds
        (west, south, east, north) in degrees, when known.
    """

    group: str
    key: str
    name: str
    layer: Any
    illustrative: bool = False
    swatch: dict[str, object] = field(default_factory=dict)
    bounds: tuple[float, float, float, float] | None = None


def to_web(gdf: gpd.GeoDataFrame, *, simplify_m: float) -> gpd.GeoDataFrame:
    """Reproject to EPSG:4326 for Leaflet, simplified by ``simplify_m`` metres.

    Simplification runs in the working equal-area CRS (metres) with topology
    preserved; coordinates are then rounded to 1e-5° (~1 m) to keep the HTML small.
    Empty results are dropped.
    """
    if gdf.crs is None:
        from ordos_geo.errors import CRSMismatchError

        raise CRSMismatchError(
            "map layer: GeoDataFrame has no CRS; declare it in the catalog (crs: EPSG:...)"
        )
    g = gdf
    if simplify_m > 0 and len(g):
        geoms = g.geometry.to_crs(WORK_CRS)
        simp = shapely.simplify(geoms.values, simplify_m, preserve_topology=True)
        g = g.set_geometry(gpd.GeoSeries(simp, index=g.index, crs=WORK_CRS)).to_crs("EPSG:4326")
    else:
        g = g.to_crs("EPSG:4326")
    geom = shapely.set_precision(g.geometry.values, 1e-5)
    g = g.set_geometry(gpd.GeoSeries(geom, index=g.index, crs="EPSG:4326"))
    keep = ~(g.geometry.is_empty | g.geometry.isna())
    return g[keep]


def _jsonable(v: object) -> object:
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and not np.isfinite(v):
        return None
    if v is None or isinstance(v, (str, int, float, bool)):
        return v
    return str(v)


def feature_collection(
    gdf: gpd.GeoDataFrame,
    props: Callable[[dict[str, Any]], dict[str, Any]],
) -> dict[str, Any]:
    """GeoJSON FeatureCollection of ``gdf`` (EPSG:4326) with ``props(row)`` as properties."""
    geoms = [json.loads(s) for s in shapely.to_geojson(gdf.geometry.values)]
    cols = [c for c in gdf.columns if c != gdf.geometry.name]
    records = gdf[cols].to_dict("records")
    feats = []
    for i, (row, geom) in enumerate(zip(records, geoms, strict=True)):
        clean = {k: _jsonable(v) for k, v in row.items()}
        feats.append({"type": "Feature", "id": i, "properties": props(clean), "geometry": geom})
    return {"type": "FeatureCollection", "features": feats}


def geojson_layer(
    fc: dict[str, Any],
    *,
    name: str,
    style: Mapping[str, object],
    show: bool,
    style_of: Callable[[dict[str, Any]], dict[str, object]] | None = None,
) -> folium.GeoJson:
    """A folium GeoJson layer with constant (or per-feature) style and escaped popups."""
    base = {k: v for k, v in style.items() if k not in {"show", "radius"}}
    radius = style.get("radius")

    def _style(feature: dict[str, Any]) -> dict[str, object]:
        s = dict(base)
        if style_of is not None:
            s.update(style_of(feature.get("properties") or {}))
        return s

    marker = None
    if radius is not None or any(
        f["geometry"]["type"] in {"Point", "MultiPoint"} for f in fc["features"][:5]
    ):
        marker = folium.CircleMarker(radius=float(radius) if isinstance(radius, (int, float))
                                     else 5.0)
    return folium.GeoJson(
        fc,
        name=name,
        style_function=_style,
        on_each_feature=_ON_EACH,
        marker=marker,
        show=show,
        overlay=True,
        control=True,
    )


def _meta(spec: Any, layer_id: str) -> dict[str, object]:
    return {
        "layer": layer_id,
        "provenance": getattr(spec, "provenance", None),
        "source": getattr(spec, "source", None),
        "licence": getattr(spec, "licence", None),
        "vintage": getattr(spec, "vintage", None),
    }


def _title(spec: Any, layer_id: str, lang: Lang) -> str:
    zh, en = getattr(spec, "title_zh", None), getattr(spec, "title_en", None)
    t = (zh or en) if lang == "zh" else (en or zh)
    return str(t) if t else layer_id


_NAME_FIELDS = ("name_zh", "unit_name", "name", "name_en", "park_id", "unit_code", "id")


def _feature_name(props: Mapping[str, Any], lang: Lang) -> str:
    order = _NAME_FIELDS if lang == "zh" else ("name_en", *_NAME_FIELDS)
    for k in order:
        v = fmt_value(props.get(k))
        if v:
            return v
    return ""


def _swatch(style: Mapping[str, object], kind: str) -> dict[str, object]:
    return {"color": style.get("color"), "fillColor": style.get("fillColor", style.get("color")),
            "kind": kind, "dashArray": style.get("dashArray")}


def _kind(gdf: gpd.GeoDataFrame) -> str:
    types = set(gdf.geom_type.dropna().unique())
    if types <= {"Point", "MultiPoint"}:
        return "point"
    if types <= {"LineString", "MultiLineString"}:
        return "line"
    return "area"


def _is_illustrative(spec: Any, gdf: gpd.GeoDataFrame) -> bool:
    if str(getattr(spec, "provenance", "")) == "illustrative":
        return True
    if "provenance" in gdf.columns:
        return bool((gdf["provenance"].astype(str) == "illustrative").any())
    return False


def catalog_layers(
    catalog: CatalogLike,
    *,
    lang: Lang,
    simplify_m: float,
    only: Iterable[str] | None = None,
) -> list[MapLayer]:
    """Every vector layer of ``catalog`` as :class:`MapLayer` (三线一单 units split by category).

    Raster layers (land cover, elevation, turbidity) are not drawn. A layer that
    cannot be read is skipped with a warning so that one bad file does not cost
    the whole map.
    """
    wanted = set(only) if only is not None else None
    out: list[MapLayer] = []
    for layer_id in list(catalog.ids):
        if wanted is not None and layer_id not in wanted:
            continue
        spec = catalog[layer_id]
        if str(getattr(spec, "kind", "vector")) != "vector":
            log.debug("map: %s is a raster layer; not drawn", layer_id)
            continue
        try:
            gdf = catalog.vector(layer_id, crs="EPSG:4326")
        except (OrdosGeoError, OSError, ValueError, RuntimeError) as exc:
            # a broken user layer must not cost the whole map (pyogrio raises RuntimeErrors)
            log.warning("map: layer %s skipped: %s", layer_id, exc)
            continue
        if gdf.empty:
            log.info("map: layer %s is empty; skipped", layer_id)
            continue
        web = to_web(gdf, simplify_m=simplify_m)
        meta = _meta(spec, layer_id)
        title = _title(spec, layer_id, lang)
        illus = _is_illustrative(spec, gdf)
        if layer_id == "control_units" and "category" in web.columns:
            out += _control_unit_layers(web, meta=meta, lang=lang, illustrative=illus)
            continue
        style = LAYER_STYLES.get(layer_id, DEFAULT_STYLE)
        name = title + (" *" if illus else "")

        def props(row: dict[str, Any], _t: str = title, _m: dict[str, object] = meta) -> dict:
            nm = _feature_name(row, lang)
            return {
                "_popup": popup_html(row, title=f"{_t}: {nm}" if nm else _t, meta=_m, lang=lang),
                "_tooltip": esc(nm or _t),
            }

        fc = feature_collection(web, props)
        layer = geojson_layer(fc, name=name, style=style, show=bool(style.get("show", False)))
        out.append(MapLayer(group_of(layer_id), layer_id, name, layer, illus,
                            _swatch(style, _kind(web)),
                            tuple(float(v) for v in web.total_bounds)))  # type: ignore[arg-type]
        log.info("map: layer %s: %d features", layer_id, len(web))
    return out


_UNIT_FIELDS = ("unit_code", "unit_name", "county", "category_zh", "spatial_constraints",
                "emission_control", "risk_control", "resource_efficiency")


def _control_unit_layers(
    web: gpd.GeoDataFrame, *, meta: dict[str, object], lang: Lang, illustrative: bool
) -> list[MapLayer]:
    out = []
    cats = web["category"].astype(str).str.strip()
    for cat in ("1", "2", "3", "x"):
        sel = web[~cats.isin(["1", "2", "3"])] if cat == "x" else web[cats == cat]
        if sel.empty:
            continue
        key = f"control_units_{cat}"
        style = LAYER_STYLES[key]
        name = text(f"unit_cat_{cat}", lang) + (" *" if illustrative else "")

        def props(row: dict[str, Any], _n: str = name, _c: str = cat) -> dict:
            nm = fmt_value(row.get("unit_name")) or fmt_value(row.get("unit_code"))
            fields = [f for f in _UNIT_FIELDS if f in row] + [
                k for k in row if k not in _UNIT_FIELDS and k not in
                {"category", "provenance", "source", "province", "city"}
            ]
            return {
                "_popup": popup_html(row, title=nm or _n, meta=meta, lang=lang, fields=fields),
                "_tooltip": esc(f"{nm} ({fmt_value(row.get('category_zh')) or _c})"),
            }

        fc = feature_collection(sel, props)
        layer = geojson_layer(fc, name=name, style=style, show=bool(style.get("show", False)))
        out.append(MapLayer("g_controls", key, name, layer, illustrative, _swatch(style, "area")))
    return out
