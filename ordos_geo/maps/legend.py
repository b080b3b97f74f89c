"""Title, provenance notice, legends and small controls drawn inside the map.

All of them are Leaflet controls or absolutely positioned boxes *inside* the map
container, so they stay visible in full-screen mode. Their HTML is built here from
escaped text and passed to the page as JSON strings.
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence

from branca.element import Element, MacroElement
from folium.template import Template

from ordos_geo.maps.styles import SCORE_COLOURS, Lang, text, verdict_colour, verdict_label
from ordos_geo.maps.vectors import MapLayer

__all__ = ["PAGE_CSS", "MapScript", "legend_html", "notice_html", "title_html"]

#: CSS for popups, legend, title and notice; fonts are system fonts (no web fonts).
PAGE_CSS = """
<style>
.leaflet-container{background:#f3f1ec;font:13px/1.4 "Noto Sans CJK SC","Noto Sans SC",
 "Microsoft YaHei","PingFang SC",system-ui,sans-serif}
.og-title{position:absolute;top:10px;left:50%;transform:translateX(-50%);z-index:1000;
 background:rgba(255,255,255,.93);padding:6px 16px;border-radius:4px;
 box-shadow:0 1px 5px rgba(0,0,0,.35);font-size:18px;font-weight:600;color:#222;
 white-space:nowrap;pointer-events:none}
.og-title small{display:block;font-size:11px;font-weight:400;color:#555;text-align:center}
.og-notice{position:absolute;bottom:26px;left:50%;transform:translateX(-50%);z-index:1000;
 max-width:46%;background:#fff4f4;border:2px solid #c62828;color:#b71c1c;padding:5px 10px;
 border-radius:4px;font-size:12px;box-shadow:0 1px 4px rgba(0,0,0,.3)}
.og-notice.og-warn{background:#fff8e1;border-color:#ef6c00;color:#e65100;bottom:auto;top:62px}
.og-legend{background:rgba(255,255,255,.95);padding:6px 10px;border-radius:4px;
 box-shadow:0 1px 5px rgba(0,0,0,.35);max-height:calc(100vh - 250px);overflow:auto;
 font-size:12px;
 min-width:170px}
.og-legend summary{font-weight:600;cursor:pointer}
.og-legend .og-lg{margin-top:4px;font-weight:600;color:#333;border-top:1px solid #ddd;
 padding-top:3px}
.og-legend .og-row{display:flex;align-items:center;gap:6px;margin:2px 0}
.og-sw{display:inline-block;width:18px;height:12px;flex:none;box-sizing:border-box}
.og-dot{width:14px;height:14px;border-radius:50%;border:2.5px solid #fff;
 box-shadow:0 0 0 1px #555}
.og-dot.og-enc{border:3px solid #111;box-shadow:none}
.og-bar{height:12px;width:160px;border:1px solid #999}
.og-ticks{display:flex;justify-content:space-between;width:162px;font-size:10px;color:#444}
.og-pop{font-size:12px;max-width:400px}
.og-pop .og-h{font-weight:600;font-size:14px;margin-bottom:4px}
.og-tab{border-collapse:collapse;width:100%}
.og-tab th{text-align:left;color:#555;font-weight:500;padding:1px 8px 1px 0;
 vertical-align:top;white-space:nowrap}
.og-tab td{padding:1px 0}
.og-tab td.og-long{white-space:normal;padding-bottom:4px;color:#222}
.og-src{margin-top:6px;padding-top:4px;border-top:1px solid #ddd;color:#555;font-size:11px}
.og-badge{display:inline-block;background:#c62828;color:#fff;padding:0 5px;
 border-radius:3px;font-size:11px;margin-bottom:2px}
.og-sub{font-weight:600;margin-top:6px}
.og-hits{margin:2px 0 0 0;padding-left:16px}
.og-sev{color:#000;padding:0 4px;border-radius:3px;font-size:11px}
.og-sum{margin-top:4px}
.og-note{max-width:220px;color:#444;font-size:11px}
.leaflet-control-layers label .og-sw{margin:0 4px 0 2px;vertical-align:middle}
.leaflet-control-layers-expanded{padding:4px 8px 4px 6px}
.leaflet-control-layers{max-height:calc(100vh - 40px);overflow:auto;font-size:11.5px;
 line-height:1.25}
.leaflet-control-layers label{margin:0;display:block}
.leaflet-control-layers-selector{margin:1px 2px 0 0;vertical-align:-2px}
.leaflet-control-layers-group-label{cursor:pointer;user-select:none}
.leaflet-control-layers-group-name{font-weight:700;display:block;margin:3px 0 1px}
.leaflet-control-layers-group-name::before{content:"▾ ";color:#666}
"""
#: Folded groups of the layer control: the container gets class ``og-c<i>`` for a
#: folded group ``i`` (ids of leaflet.groupedlayercontrol, stable across redraws).
PAGE_CSS += "".join(
    f".og-c{i} #leaflet-control-layers-group-{i}>label:not(.leaflet-control-layers-group-label)"
    f"{{display:none}}.og-c{i} #leaflet-control-layers-group-{i} "
    '.leaflet-control-layers-group-name::before{content:"▸ "}'
    for i in range(8)
) + "\n</style>\n"


def swatch_html(sw: dict[str, object]) -> str:
    """Small HTML swatch for a layer style (used in the layer control and legend)."""
    return _swatch_html(sw)


def _swatch_html(sw: dict[str, object]) -> str:
    color = html.escape(str(sw.get("color") or "#666"))
    fill = html.escape(str(sw.get("fillColor") or color))
    kind = sw.get("kind")
    dash = "dashed" if sw.get("dashArray") else "solid"
    if kind == "line":
        return (f'<span class="og-sw" style="height:0;border-top:3px {dash} {color};'
                'margin:6px 4px 6px 2px"></span>')
    if kind == "point":
        return (f'<span class="og-sw" style="width:10px;height:10px;border-radius:50%;'
                f'background:{fill};border:2px solid {color}"></span>')
    return (f'<span class="og-sw" style="background:{fill};opacity:.8;'
            f'border:1.5px {dash} {color}"></span>')


def colourbar_html(label: str, colours: Sequence[str] = SCORE_COLOURS,
                   ticks: Sequence[int] = (0, 25, 50, 75, 100)) -> str:
    """Horizontal colour bar (CSS gradient) with tick labels; ``label`` is escaped."""
    grad = ",".join(html.escape(c) for c in colours)
    tick_html = "".join(f"<span>{t}</span>" for t in ticks)
    return (f'<div class="og-lg">{html.escape(label)}</div>'
            f'<div class="og-bar" style="background:linear-gradient(to right,{grad})"></div>'
            f'<div class="og-ticks">{tick_html}</div>')


def legend_html(layers: Sequence[MapLayer], verdicts: Sequence[str], lang: Lang,
                group_names: dict[str, str], summary_html: str = "") -> str:
    """Legend: swatches of result layers, score colour bar, verdict colours, notes.

    Reference layers carry their swatch in the layer control itself.
    """
    parts = [f"<details open><summary>{html.escape(text('legend', lang))}</summary>"]
    raster = False
    for gkey, gname in group_names.items():
        rows = []
        for ly in layers:
            if ly.group != gkey or gkey != "g_results":
                continue
            if ly.swatch.get("kind") == "raster":
                raster = True
                continue
            if ly.key == "projects":
                continue
            rows.append(f'<div class="og-row">{_swatch_html(ly.swatch)}'
                        f"<span>{html.escape(ly.name)}</span></div>")
        if rows:
            parts.append(f'<div class="og-lg">{html.escape(gname)}</div>' + "".join(rows))
    if raster:
        parts.append(colourbar_html(text("score_legend", lang)))
    if verdicts:
        # the same symbol as a point project: verdict fill, white halo, thin dark edge
        rows = [f'<div class="og-row"><span class="og-sw og-dot" style="background:'
                f'{verdict_colour(v)}"></span>'
                f"<span>{html.escape(verdict_label(v, lang))}</span></div>" for v in verdicts]
        if any(ly.key == "projects" and ly.swatch.get("encouraged") for ly in layers):
            rows.append(f'<div class="og-row"><span class="og-sw og-dot og-enc" style="'
                        f'background:{verdict_colour("compliant")}"></span>'
                        f"<span>{html.escape(text('encouraged_legend', lang))}</span></div>")
        parts.append(f'<div class="og-lg">{html.escape(text("verdict_legend", lang))}</div>'
                     + "".join(rows))
    if summary_html:
        parts.append(f'<div class="og-sum">{summary_html}</div>')
    parts.append(f'<div class="og-lg">{html.escape(text("notes", lang))}</div>'
                 f'<div class="og-note">{html.escape(text("legend_notes", lang))}</div>')
    parts.append("</details>")
    return "".join(parts)


def title_html(title: str, subtitle: str) -> str:
    """Title box (escaped)."""
    return f"{html.escape(title)}<small>{html.escape(subtitle)}</small>"


def notice_html(illustrative: Sequence[str], lang: Lang) -> str:
    """The "示意数据 / illustrative" notice naming the illustrative layers (escaped).

    This is the static text (all illustrative layers); in the page the list is
    updated to the illustrative layers currently switched on, and the notice is
    hidden when none is.
    """
    sep = "、" if lang == "zh" else ", "
    return (notice_prefix(lang) + '<span class="og-ill">'
            + sep.join(html.escape(n) for n in illustrative) + "</span>"
            + html.escape(text("illustrative_tail", lang)))


def notice_prefix(lang: Lang) -> str:
    """Escaped lead-in of the illustrative notice."""
    return (f"<b>{html.escape(text('illustrative_short', lang))}</b> — "
            + html.escape(text("illustrative", lang)))


def _js_string(s: str) -> str:
    # JSON string that is also safe inside a <script> element
    return json.dumps(s, ensure_ascii=False).replace("</", "<\\/").replace("<!--", "<\\!--")


class MapScript(MacroElement):
    """Adds title, notices, legend, metric scale bar and extra JS to the map.

    Parameters
    ----------
    title_html, legend_html
        Pre-escaped HTML (see :func:`title_html`, :func:`legend_html`).
    notices
        ``(css_class, pre-escaped html)`` boxes, e.g. the illustrative notice.
    extra_js
        Trusted JS built by ordos_geo (never from input files).
    illustrative
        ``(JS variable name, escaped layer name)`` of illustrative layers: the notice
        with class ``og-notice-ill`` lists those switched on and hides otherwise.
    sep
        Separator between layer names in the notice.
    collapsed_groups
        Indexes (display order) of layer-control groups folded when the page opens;
        clicking a group name folds/unfolds it.
    n_groups
        Number of groups in the layer control (the CSS folds the first 8).
    collapse_hint
        Tooltip of the layer control (plain text; escaped by the browser as a title).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function(map){
            var c = map.getContainer();
            var t = document.createElement('div'); t.className = 'og-title';
            t.innerHTML = {{ this.title_js }}; c.appendChild(t);
            {% for cls, body in this.notices %}
            (function(){ var n = document.createElement('div'); n.className = {{ cls }};
              n.innerHTML = {{ body }}; c.appendChild(n);
              L.DomEvent.disableClickPropagation(n); })();
            {% endfor %}
            {% if this.illustrative %}
            (function(){
              var ill = [{% for var, name in this.illustrative %}
                  [{{ var }}, {{ name }}],{% endfor %}];
              var n = c.querySelector('.og-notice-ill');
              function upd(){
                var on = ill.filter(function(x){ return map.hasLayer(x[0]); })
                            .map(function(x){ return x[1]; });
                n.style.display = on.length ? '' : 'none';
                n.querySelector('.og-ill').innerHTML = on.join({{ this.sep }});
              }
              map.on('overlayadd overlayremove layeradd layerremove', upd); upd();
            })();
            {% endif %}
            (function(){
              // foldable groups in the layer control: click a group name
              var lc = c.querySelector('.leaflet-control-layers'); if (!lc) { return; }
              {{ this.collapsed_js }}.forEach(function(i){ L.DomUtil.addClass(lc, 'og-c' + i); });
              lc.title = {{ this.collapse_hint }};
              L.DomEvent.on(lc, 'click', function(e){
                var g = e.target && e.target.closest
                    ? e.target.closest('.leaflet-control-layers-group-label') : null;
                if (!g || !g.parentNode || !g.parentNode.id) { return; }
                var id = g.parentNode.id.replace('leaflet-control-layers-group-', '');
                lc.classList.toggle('og-c' + id);
              });
            })();
            var lg = L.control({position: 'bottomleft'});
            lg.onAdd = function(){ var d = L.DomUtil.create('div', 'og-legend');
                d.innerHTML = {{ this.legend_js }};
                L.DomEvent.disableClickPropagation(d); L.DomEvent.disableScrollPropagation(d);
                return d; };
            lg.addTo(map);
            L.control.scale({imperial: false, maxWidth: 160}).addTo(map);
            // plain-text credit: no outbound link anywhere in an offline page
            if (map.attributionControl) {
                map.attributionControl.setPrefix('Leaflet (BSD-2-Clause) · ordos_geo'); }
            {{ this.extra_js }}
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, *, title_html: str, legend_html: str,
                 notices: Sequence[tuple[str, str]], extra_js: str = "",
                 illustrative: Sequence[tuple[str, str]] = (), sep: str = "、",
                 collapsed_groups: Sequence[int] = (), n_groups: int = 0,
                 collapse_hint: str = "") -> None:
        super().__init__()
        self.collapsed_js = json.dumps([int(i) for i in collapsed_groups])
        self.collapse_hint = _js_string(collapse_hint)
        # (JS variable of the layer, pre-escaped display name)
        self.illustrative = [(v, _js_string(n)) for v, n in illustrative]
        self.sep = _js_string(sep)
        self._name = "OrdosMapScript"
        self.title_js = _js_string(title_html)
        self.legend_js = _js_string(legend_html)
        self.notices = [(_js_string(c), _js_string(b)) for c, b in notices]
        self.extra_js = extra_js


def css_element() -> Element:
    """The page CSS as a branca element (goes into ``<head>``)."""
    return Element(PAGE_CSS)
