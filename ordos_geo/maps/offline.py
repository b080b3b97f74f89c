"""Self-contained HTML: inline Leaflet, its plugins and their images.

Folium links its JavaScript/CSS from CDNs. For an offline map we (1) drop the
resources we do not use (jQuery, Bootstrap, Font Awesome, awesome-markers) and
(2) replace every remaining ``<script src>``/``<link href>`` by the vendored copy
in ``ordos_geo/static/`` (see ``static/README.md`` for versions and licences).
:func:`external_refs` then proves that no ``src``/``href`` leaves the page.
"""

from __future__ import annotations

import base64
import logging
import re
from functools import cache
from html.parser import HTMLParser
from importlib import resources
from typing import Any

from ordos_geo.errors import OutputError

__all__ = ["external_refs", "inline_assets", "strip_unused_defaults", "vendored_names"]

log = logging.getLogger(__name__)

# CDN file name (last path segment) → vendored file in ordos_geo/static
_VENDORED: dict[str, str] = {
    "leaflet.js": "leaflet.js",
    "leaflet.css": "leaflet.css",
    "leaflet.groupedlayercontrol.min.js": "leaflet.groupedlayercontrol.min.js",
    "leaflet.groupedlayercontrol.min.css": "leaflet.groupedlayercontrol.min.css",
    "Control.FullScreen.min.js": "Control.FullScreen.js",
    "Control.FullScreen.js": "Control.FullScreen.js",
    "Control.FullScreen.css": "Control.FullScreen.css",
    "leaflet-measure.min.js": "leaflet-measure.min.js",
    "leaflet-measure.min.css": "leaflet-measure.css",
    "leaflet-measure.css": "leaflet-measure.css",
    "leaflet-search.min.js": "leaflet-search.min.js",
    "leaflet-search.min.css": "leaflet-search.min.css",
    "L.Control.MousePosition.min.js": "L.Control.MousePosition.min.js",
    "L.Control.MousePosition.min.css": "L.Control.MousePosition.min.css",
}

# Folium defaults the ordos_geo maps do not use (no Marker icons, no Bootstrap UI,
# no jQuery-based popups): dropped in both offline and CDN mode.
_UNUSED_DEFAULTS = {
    "jquery", "bootstrap", "awesome_markers", "bootstrap_css", "glyphicons_css",
    "awesome_markers_font_css", "awesome_markers_css", "awesome_rotate_css",
}

_SCRIPT_RE = re.compile(r"<script\s+src=\"([^\"]+)\"\s*>\s*</script>", re.I)
_LINK_RE = re.compile(r"<link\s+rel=\"stylesheet\"\s+href=\"([^\"]+)\"\s*/?>", re.I)


def vendored_names() -> list[str]:
    """Names of the vendored asset files shipped in ``ordos_geo/static``."""
    return sorted(set(_VENDORED.values()))


@cache
def _asset(name: str) -> str:
    try:
        return (resources.files("ordos_geo") / "static" / name).read_text(encoding="utf-8")
    except OSError as exc:
        raise OutputError(
            f"ordos_geo/static/{name}: vendored map asset missing ({exc}); reinstall "
            "ordos_geo or rebuild with ordos_geo/static/build_static.py, or pass --cdn"
        ) from exc


@cache
def _marker_data_uri(name: str) -> str:
    raw = (resources.files("ordos_geo") / "static" / name).read_bytes()
    return "data:image/png;base64," + base64.b64encode(raw).decode("ascii")


def strip_unused_defaults(m: Any) -> None:
    """Remove folium's unused default JS/CSS (jQuery, Bootstrap, Font Awesome) from map ``m``."""
    m.default_js = [(n, u) for n, u in m.default_js if n not in _UNUSED_DEFAULTS]
    m.default_css = [(n, u) for n, u in m.default_css if n not in _UNUSED_DEFAULTS]


def _safe_script(js: str) -> str:
    # A literal "</script" inside inlined code would end the element early.
    return js.replace("</script", "<\\/script")


def inline_assets(html: str) -> str:
    """Replace CDN ``<script src>`` and stylesheet ``<link href>`` by inline copies.

    Raises
    ------
    OutputError
        If a linked resource has no vendored copy (use ``--cdn`` or vendor it).
    """

    def _name(url: str) -> str:
        return url.split("?")[0].rstrip("/").rsplit("/", 1)[-1]

    def _vendored(m: re.Match[str], what: str) -> str | None:
        """The vendored asset for a matched URL; None for data URIs (kept as they are)."""
        url = m.group(1)
        if url.startswith("data:"):
            return None
        vend = _VENDORED.get(_name(url))
        if vend is None:
            raise OutputError(
                f"map html: {what} {url}: no vendored offline copy; pass --cdn or add it "
                "to ordos_geo/static"
            )
        return vend

    def js(m: re.Match[str]) -> str:
        vend = _vendored(m, "script")
        if vend is None:
            return m.group(0)
        return f"<script>/* {vend} (vendored) */\n{_safe_script(_asset(vend))}\n</script>"

    def css(m: re.Match[str]) -> str:
        vend = _vendored(m, "stylesheet")
        if vend is None:
            return m.group(0)
        return f"<style>/* {vend} (vendored) */\n{_asset(vend).replace('</style', '')}\n</style>"

    out = _SCRIPT_RE.sub(js, html)
    out = _LINK_RE.sub(css, out)
    return out


def default_icon_script() -> str:
    """JS that points Leaflet's default marker icon at data URIs (no image requests)."""
    return (
        "L.Icon.Default.imagePath='';L.Icon.Default.mergeOptions({"
        f"iconUrl:'{_marker_data_uri('marker-icon.png')}',"
        f"iconRetinaUrl:'{_marker_data_uri('marker-icon-2x.png')}',"
        f"shadowUrl:'{_marker_data_uri('marker-shadow.png')}'}});"
    )


class _RefCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.refs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for key, value in attrs:
            if key in {"src", "href", "srcset", "poster", "data", "action"} and value:
                v = value.strip()
                if not v.startswith(("data:", "#", "javascript:")) and v != "":
                    self.refs.append(f"<{tag} {key}={v[:120]}>")


_CSS_URL_RE = re.compile(r"url\(\s*['\"]?(?!data:|#)([^'\")]+)", re.I)
_IMPORT_RE = re.compile(r"@import\s", re.I)


def external_refs(html: str) -> list[str]:
    """List every reference in ``html`` that would make the browser fetch something.

    Looks at ``src``/``href``/``srcset``/``poster``/``data``/``action`` attributes of
    the static markup and at CSS ``url(...)``/``@import`` in ``<style>`` blocks.
    ``data:`` URIs and in-page anchors are fine.
    """
    p = _RefCollector()
    p.feed(html)
    refs = list(p.refs)
    for block in re.findall(r"<style[^>]*>(.*?)</style>", html, re.S | re.I):
        refs += [f"css url({u[:120]})" for u in _CSS_URL_RE.findall(block)]
        if _IMPORT_RE.search(block):
            refs.append("css @import")
    return refs
