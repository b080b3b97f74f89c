"""Place labels on the interactive maps: banner names, banner seats and towns.

Labels are Leaflet markers with a text ``DivIcon`` (escaped names from the catalog's
``banners`` and ``settlements`` layers), in their own pane above the vector layers and
not in the layer control. Which labels show depends on the zoom, like a basemap's:
banner names from zoom 7, banner seats from 8, towns from 9 (a script sets the class
``og-zoom-N`` on the map container; CSS hides what is not due). Banner names sit at a
point inside the banner chosen away from its seats and towns and from its border
(:func:`banner_label_point`), seats and towns next to their dot; a seat whose name the
district's own name repeats (东胜 in 东胜区) is not labelled twice.

Examples
--------
>>> css = LABEL_CSS
>>> ".og-label-town" in css and "og-zoom-9" in css
True
"""

from __future__ import annotations

import html
import logging
from typing import Any

import folium
import numpy as np
import shapely
from branca.element import MacroElement
from jinja2 import Template

from ordos_geo.i18n import Lang

__all__ = ["LABEL_CSS", "LABEL_PANE", "LABEL_SCRIPT", "add_place_labels", "banner_label_point",
           "place_label_box"]

log = logging.getLogger(__name__)

#: Leaflet pane of the labels (above vectors at 400 and markers at 600).
LABEL_PANE = "og_labels"

#: Zoom from which each label class is shown.
MIN_ZOOM = {"banner": 7, "banner_seat": 8, "town": 9}

LABEL_CSS = """
.og-label{font:12px/1.2 "Noto Sans CJK SC","Microsoft YaHei",sans-serif;color:#222;
  white-space:nowrap;text-shadow:0 0 3px #fff,0 0 3px #fff,0 0 2px #fff;pointer-events:none;
  display:none}
.og-label-banner{font-size:14px;font-weight:bold;color:#3b3b3b;letter-spacing:1px;
  transform:translate(-50%,-50%)}
.og-label-banner_seat{font-weight:bold;transform:translate(6px,-50%)}
.og-label-town{font-size:11px;color:#444;transform:translate(5px,-50%)}
.og-label-banner_seat::before,.og-label-town::before{content:"";position:absolute;left:-6px;
  top:50%;width:5px;height:5px;margin-top:-3px;border-radius:50%;background:#333;
  border:1px solid #fff}
""" + "".join(
    f".og-zoom-{z} .og-label-{cls}{{display:inline-block}}\n"
    for cls, z0 in MIN_ZOOM.items() for z in range(z0, 19)
)

#: Sets ``og-zoom-N`` on the map container (N = whole zoom level) now and on every zoom.
LABEL_SCRIPT = """
(function(map){
  var el = map.getContainer();
  function zoomClass(){
    var z = Math.floor(map.getZoom());
    el.className = el.className.replace(/\\bog-zoom-\\d+\\b/g, '').trim() + ' og-zoom-' + z;
  }
  map.on('zoomend', zoomClass); map.whenReady(zoomClass);
})(%(map)s);
"""


class _ZoomClass(MacroElement):  # type: ignore[misc]
    """Runs :data:`LABEL_SCRIPT` right after the map object exists (a child of the map)."""

    _template = Template("""
        {% macro script(this, kwargs) %}{{ this.js }}{% endmacro %}
    """)

    def __init__(self, map_name: str) -> None:
        super().__init__()
        self._name = "OgZoomClass"
        self.js = LABEL_SCRIPT % {"map": map_name}


def _label(lat: float, lon: float, text: str, cls: str) -> folium.Marker:
    icon = folium.DivIcon(html=f'<div class="og-label og-label-{cls}">{html.escape(text)}</div>',
                          icon_size=(0, 0), icon_anchor=(0, 0), class_name="og-label-icon")
    return folium.Marker([lat, lon], icon=icon, interactive=False, pane=LABEL_PANE)


#: Label box sizes at zoom 8 (where banner names and seats first show together), degrees:
#: a banner name's width per character and half height; a seat or town label's width
#: per character (it starts at its dot) and half height.
BANNER_CHAR_DEG, BANNER_HALF_H_DEG = 0.085, 0.05
PLACE_CHAR_DEG, PLACE_HALF_H_DEG = 0.07, 0.045


def place_label_box(pt: Any, name: str) -> Any:
    """The box (lon/lat) a seat or town label covers at zoom 8: its dot, then the text."""
    return shapely.box(pt.x - 0.04, pt.y - PLACE_HALF_H_DEG,
                       pt.x + 0.04 + PLACE_CHAR_DEG * len(name), pt.y + PLACE_HALF_H_DEG)


def banner_label_point(area: Any, name: str, places: list[tuple[Any, str]], *,
                       samples: int = 30) -> Any:
    """A point inside ``area`` (EPSG:4326) for the label ``name``, clear of ``places``.

    Candidates are a ``samples`` × ``samples`` lattice over the area's bounds plus its
    representative point. The label's box (centred on the candidate, sized for zoom 8)
    should not overlap any seat or town label box (``places`` = (point, name)); among the
    candidates with the least overlap the one farthest inside the area wins.

    >>> from shapely.geometry import Point, box
    >>> town = (Point(0.9, 0.5), "甲镇")
    >>> p = banner_label_point(box(0, 0, 2, 1), "示意旗", [town])
    >>> label = box(p.x - 0.1275, p.y - 0.05, p.x + 0.1275, p.y + 0.05)
    >>> p.within(box(0, 0, 2, 1)) and not label.intersects(place_label_box(*town))
    True
    """
    fallback = area.representative_point()
    minx, miny, maxx, maxy = area.bounds
    xs, ys = np.meshgrid(np.linspace(minx, maxx, samples + 2)[1:-1],
                         np.linspace(miny, maxy, samples + 2)[1:-1])
    cand = np.append(shapely.points(xs.ravel(), ys.ravel()), fallback)
    cand = cand[shapely.contains(area, cand)]
    if not len(cand):
        return fallback
    half_w = BANNER_CHAR_DEG * len(name) / 2
    cx, cy = shapely.get_x(cand), shapely.get_y(cand)
    boxes = shapely.box(cx - half_w, cy - BANNER_HALF_H_DEG, cx + half_w, cy + BANNER_HALF_H_DEG)
    overlap = np.zeros(len(cand))
    for pt, pname in places:
        overlap += shapely.area(shapely.intersection(boxes, place_label_box(pt, pname)))
    inside = shapely.distance(cand, area.boundary)
    best = np.flatnonzero(overlap <= overlap.min() + 1e-12)
    return cand[best[int(np.argmax(inside[best]))]]


def _repeats(seat: str, banner: str) -> bool:
    """Whether a seat's name is its district's name without the suffix (东胜 / 东胜区).

    >>> _repeats("东胜", "东胜区"), _repeats("Kangbashi", "Kangbashi District")
    (True, True)
    >>> _repeats("锡尼镇", "杭锦旗")
    False
    """
    short = banner.rstrip("区旗市").removesuffix(" District").removesuffix(" Banner")
    return banner != seat and short == seat


def add_place_labels(m: folium.Map, catalog: Any, *, lang: Lang) -> int:
    """Add banner, banner-seat and town labels to ``m``; returns the number of labels.

    Layers missing from the catalog are skipped (a log line); names come from
    ``name_zh`` / ``name_en`` (the reader's language first).
    """
    folium.map.CustomPane(LABEL_PANE, z_index=650, pointer_events=False).add_to(m)
    group = folium.FeatureGroup(name="labels", control=False, show=True)
    n = 0
    first, second = ("name_zh", "name_en") if lang == "zh" else ("name_en", "name_zh")

    def name_of(row: Any) -> str | None:
        for col in (first, second):
            v = row.get(col)
            if isinstance(v, str) and v.strip():
                return v.strip()
        return None

    ids = set(getattr(catalog, "ids", []))
    places: list[tuple[Any, str, str]] = []  # (point, name, class)
    if "settlements" in ids:
        s = catalog.vector("settlements", crs="EPSG:4326")
        for row, geom in zip(s.to_dict("records"), s.geometry, strict=True):
            name = name_of(row)
            if name and geom is not None and not geom.is_empty:
                cls = "town" if str(row.get("kind", "banner_seat")) == "town" else "banner_seat"
                places.append((geom.representative_point(), name, cls))
    banner_names: list[tuple[Any, str]] = []
    if "banners" in ids:
        b = catalog.vector("banners", crs="EPSG:4326")
        for row, geom in zip(b.to_dict("records"), b.geometry, strict=True):
            name = name_of(row)
            if not name or geom is None or geom.is_empty:
                continue
            pt = banner_label_point(geom, name, [(p, nm) for p, nm, _ in places])
            _label(pt.y, pt.x, name, "banner").add_to(group)
            banner_names.append((geom, name))
            n += 1
    for pt, name, cls in places:
        if any(_repeats(name, bn) and g.intersects(pt) for g, bn in banner_names):
            continue
        _label(pt.y, pt.x, name, cls).add_to(group)
        n += 1
    group.add_to(m)
    m.get_root().header.add_child(  # type: ignore[attr-defined]
        folium.Element(f"<style>{LABEL_CSS}</style>"), name="og_label_css")
    _ZoomClass(m.get_name()).add_to(m)
    log.info("map: %d place labels", n)
    return n
