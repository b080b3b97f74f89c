"""QGIS styles and a QGIS project for a results folder — plain XML, no QGIS needed to write.

``write_qgis_files(out_dir)`` looks at the result files present in ``out_dir`` and writes

* a ``.qml`` style beside each styled result (QGIS loads ``<name>.qml`` as the default
  style of ``<name>.tif`` / ``<name>.gpkg``):

  - ``{pv,wind}_score.tif`` — score 0–100, the shared ramp
    (:data:`ordos_geo.palette.SCORE_COLOURS`, ColorBrewer Purples);
  - ``{pv,wind}_reasons.tif`` — paletted, one class per reason code with its label (the
    raster's ``reasons`` tag), eligible cells transparent;
  - ``{pv,wind}_resource.tif`` — a ramp between the 2nd and 98th percentile;
  - ``{pv,wind}_robustness.tif`` (``siting --sensitivity N``) — % of the weight-perturbed
    runs in which a cell is in the top quintile, the score ramp over 0–100 %;
  - ``{pv,wind}_sites.gpkg`` — filled by ``mean_score`` in the score ramp (classes of 10
    points), outlined in a colour per kind (not a score colour), labelled by site id;
  - ``wind_turbines.gpkg`` — small points;
  - ``conflicts.gpkg`` (``conflicts.qml``, for its ``projects`` layer, in the symbol type
    of its most common geometry: one sidecar serves the whole GeoPackage) — categorised by
    verdict with the Okabe–Ito colours of :data:`ordos_geo.palette.VERDICT_PALETTE`;

* ``ordos_geo.qgs`` — a QGIS project (XML, QGIS 3.22 and later) with every present result
  grouped (PV siting, wind siting, screening), styled as above, in the named working CRS
  (:data:`ordos_geo.crs.WORK_CRS_NAME`), paths relative to the project. The ``projects``
  layer of ``conflicts.gpkg`` holds points, lines and polygons together; QGIS draws a
  layer with one geometry type only, so the project holds one layer per geometry type
  present (``|geometrytype=Point/LineString/Polygon``), each with its verdict symbols and
  project-name labels, and the ``fix_hints`` layer (compliant remainders) when not empty.

Examples
--------
>>> xml = score_qml()
>>> "singlebandpseudocolor" in xml and "#3f007d" in xml
True
"""

from __future__ import annotations

import html
import json
import logging
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ordos_geo.crs import WORK_CRS, WORK_CRS_NAME, WORK_CRS_PROJ4, named_wkt
from ordos_geo.io.atomic import write_text_atomic
from ordos_geo.palette import SCORE_COLOURS, VERDICT_PALETTE

__all__ = [
    "PROJECT_NAME",
    "qgis_file_names",
    "reasons_qml",
    "robustness_qml",
    "score_qml",
    "write_qgis_files",
]

log = logging.getLogger(__name__)

#: File name of the QGIS project written into a results folder.
PROJECT_NAME = "ordos_geo.qgs"
QGIS_VERSION = "3.22.0-Białowieża"
_HEAD = "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"

#: Site outline colour per kind: the outlines of the sites on the HTML maps
#: (``ordos_geo.maps.styles.RESULT_STYLES``), neither a score nor a verdict colour (an
#: orange outline read as a "restricted" project beside the verdict markers).
SITE_COLOURS = {"pv": "#7a3d00", "wind": "#08306b"}
#: Labels of the verdict levels in the styles (zh / en).
VERDICT_LABELS = {
    "prohibited": "禁止 prohibited", "restricted": "限制 restricted",
    "needs_information": "待补充信息 needs information", "review": "审查 review",
    "encouraged": "鼓励 encouraged", "compliant": "合规 compliant",
}


def _rgba(colour: str, alpha: int = 255) -> str:
    c = colour.lstrip("#")
    return f"{int(c[0:2], 16)},{int(c[2:4], 16)},{int(c[4:6], 16)},{alpha}"


def _esc(s: object) -> str:
    return html.escape(str(s), quote=True)


def _raster_qml(renderer: str) -> str:
    return (f'{_HEAD}<qgis version="{QGIS_VERSION}" styleCategories="AllStyleCategories">\n'
            f"  <pipe>\n{renderer}  </pipe>\n  <blendMode>0</blendMode>\n</qgis>\n")


def _ramp_renderer(stops: Sequence[tuple[float, str, str]], lo: float, hi: float) -> str:
    items = "".join(f'          <item alpha="255" value="{v:.6g}" label="{_esc(lab)}" '
                    f'color="{c}"/>\n' for v, c, lab in stops)
    return (f'    <rasterrenderer type="singlebandpseudocolor" band="1" opacity="1" '
            f'alphaBand="-1" classificationMin="{lo:.6g}" classificationMax="{hi:.6g}" '
            'nodataColor="">\n'
            "      <rastershader>\n"
            '        <colorrampshader colorRampType="INTERPOLATED" classificationMode="1" '
            f'clip="0" minimumValue="{lo:.6g}" maximumValue="{hi:.6g}">\n'
            f"{items}        </colorrampshader>\n      </rastershader>\n"
            "    </rasterrenderer>\n")


def score_qml(unit: str = "") -> str:
    """Style of ``{kind}_score.tif`` band 1: the shared score ramp over 0–100 (legend
    labels followed by ``unit``)."""
    n = len(SCORE_COLOURS)
    stops = [(100.0 * i / (n - 1), c, f"{100.0 * i / (n - 1):.0f}{unit}")
             for i, c in enumerate(SCORE_COLOURS)]
    return _raster_qml(_ramp_renderer(stops, 0.0, 100.0))


def robustness_qml() -> str:
    """Style of ``{kind}_robustness.tif`` band 1: % of runs in the top quintile, 0–100,
    in the score ramp (255 outside Ordos is the raster's nodata).

    Examples
    --------
    >>> robustness_qml().count("<item "), "100 %" in robustness_qml()
    (5, True)
    """
    return score_qml(" %")


def ramp_qml(lo: float, hi: float, units: str = "") -> str:
    """A resource ramp (the score colours) between ``lo`` and ``hi``."""
    n = len(SCORE_COLOURS)
    stops = [(lo + (hi - lo) * i / (n - 1), c, f"{lo + (hi - lo) * i / (n - 1):.4g} {units}")
             for i, c in enumerate(SCORE_COLOURS)]
    return _raster_qml(_ramp_renderer(stops, lo, hi))


#: Colours of reason classes (excluded land), cycled; 0 eligible is transparent.
_REASON_COLOURS = ("#D55E00", "#0072B2", "#009E73", "#CC79A7", "#E69F00", "#56B4E9",
                   "#F0E442", "#999999", "#882255", "#44AA99", "#117733", "#332288",
                   "#DDCC77", "#AA4499", "#88CCEE", "#661100")


def reasons_qml(reasons: dict[int, str]) -> str:
    """Paletted style of a reason raster: one class per code, eligible (0) transparent.

    Examples
    --------
    >>> xml = reasons_qml({0: "eligible", 1: "red_lines: 生态保护红线", 255: "outside"})
    >>> xml.count("<paletteEntry"), 'alpha="0"' in xml
    (2, True)
    """
    entries = []
    for code in sorted(reasons):
        if code == 255:
            continue
        colour = "#ffffff" if code == 0 else _REASON_COLOURS[(code - 1) % len(_REASON_COLOURS)]
        alpha = 0 if code == 0 else 255
        entries.append(f'        <paletteEntry value="{code}" color="{colour}" alpha="{alpha}" '
                       f'label="{_esc(reasons[code])}"/>\n')
    renderer = ('    <rasterrenderer type="paletted" band="1" opacity="1" alphaBand="-1" '
                'nodataColor="">\n      <colorPalette>\n' + "".join(entries)
                + "      </colorPalette>\n    </rasterrenderer>\n")
    return _raster_qml(renderer)


def _symbol(kind: str, name: str, colour: str, *, alpha: int = 255, outline: str = "#333333",
            size: float = 2.0, outline_width: float = 0.3) -> str:
    """One QGIS symbol: ``kind`` ``marker`` (size mm), ``line`` (width mm) or ``fill``."""
    if kind == "marker":
        layer = ('<layer class="SimpleMarker" enabled="1" locked="0" pass="0">'
                 f'<prop k="color" v="{_rgba(colour, alpha)}"/><prop k="name" v="circle"/>'
                 f'<prop k="outline_color" v="{_rgba(outline)}"/>'
                 '<prop k="outline_width" v="0.2"/>'
                 f'<prop k="size" v="{size:g}"/><prop k="size_unit" v="MM"/></layer>')
    elif kind == "line":
        layer = ('<layer class="SimpleLine" enabled="1" locked="0" pass="0">'
                 f'<prop k="line_color" v="{_rgba(colour, alpha)}"/>'
                 '<prop k="line_style" v="solid"/>'
                 f'<prop k="line_width" v="{size:g}"/><prop k="line_width_unit" v="MM"/>'
                 '<prop k="capstyle" v="round"/><prop k="joinstyle" v="round"/></layer>')
    else:
        layer = ('<layer class="SimpleFill" enabled="1" locked="0" pass="0">'
                 f'<prop k="color" v="{_rgba(colour, alpha)}"/><prop k="style" v="solid"/>'
                 f'<prop k="outline_color" v="{_rgba(outline)}"/>'
                 '<prop k="outline_style" v="solid"/>'
                 f'<prop k="outline_width" v="{outline_width:g}"/>'
                 '<prop k="outline_width_unit" v="MM"/></layer>')
    return (f'<symbol type="{kind}" name="{name}" alpha="1" clip_to_extent="1" '
            f'force_rhr="0">{layer}</symbol>')


def ramp_colour(t: float) -> str:
    """Colour of the score ramp at ``t`` in [0, 1] (linear between the stops of
    :data:`ordos_geo.palette.SCORE_COLOURS`, as QGIS interpolates the score raster).

    Examples
    --------
    >>> ramp_colour(0.0) == SCORE_COLOURS[0], ramp_colour(1.0) == SCORE_COLOURS[-1]
    (True, True)
    """
    t = min(1.0, max(0.0, float(t))) * (len(SCORE_COLOURS) - 1)
    i = min(int(t), len(SCORE_COLOURS) - 2)
    f = t - i
    a, b = (tuple(int(c.lstrip("#")[j:j + 2], 16) for j in (0, 2, 4))
            for c in SCORE_COLOURS[i:i + 2])
    return "#" + "".join(f"{round(x + (y - x) * f):02x}" for x, y in zip(a, b, strict=True))


def _labeling(field: str, size: float = 8.0, placement: int = 1, dist: float = 0.0) -> str:
    """Simple labels from ``field`` (``placement`` 0 around a point at ``dist`` mm, 1 over
    the point/centroid, 2 along a line); QGIS drops colliding labels, never overprints."""
    return ('<labeling type="simple"><settings calloutType="simple">'
            f'<text-style fieldName="{_esc(field)}" fontSize="{size:g}" '
            'fontFamily="Noto Sans CJK SC" textColor="20,20,20,255" isExpression="0">'
            '<text-buffer bufferDraw="1" bufferSize="0.8" bufferColor="255,255,255,255"/>'
            f'</text-style><placement placement="{placement}" dist="{dist:g}"/>'
            '<rendering obstacle="1" displayAll="0"/></settings></labeling>')


def _vector_qml(renderer: str, labeling: str = "") -> str:
    on = "1" if labeling else "0"
    return (f'{_HEAD}<qgis version="{QGIS_VERSION}" styleCategories="AllStyleCategories" '
            f'labelsEnabled="{on}">\n  {renderer}\n  {labeling}\n</qgis>\n')


def single_qml(kind: str, colour: str, *, alpha: int = 200, label: str | None = None,
               size: float = 2.0, outline: str = "#333333") -> str:
    """One symbol for every feature (``kind`` fill or marker), optional labels."""
    sym = _symbol(kind, "0", colour, alpha=alpha, size=size, outline=outline,
                  outline_width=0.6 if kind == "fill" else 0.3)
    r = ('<renderer-v2 type="singleSymbol" symbollevels="0" enableorderby="0" '
         f'forceraster="0"><symbols>{sym}'
         "</symbols></renderer-v2>")
    return _vector_qml(r, _labeling(label) if label else "")


def sites_qml(outline: str, *, field: str = "mean_score", step: float = 10.0,
              label: str | None = "site_id") -> str:
    """Sites filled by ``field`` (score 0–100) in the score ramp, in classes of ``step``
    points coloured at their middle, outlined in ``outline`` (0.25 mm: sites are often
    tiled side by side, and a thicker outline hatches the whole block).

    Examples
    --------
    >>> xml = sites_qml("#E69F00")
    >>> xml.count("<range "), 'attr="mean_score"' in xml
    (10, True)
    """
    n = round(100.0 / step)
    ranges, syms = [], []
    for i in range(n):
        lo, hi = i * step, (i + 1) * step
        ranges.append(f'<range render="true" symbol="{i}" lower="{lo:.6g}" upper="{hi:.6g}" '
                      f'label="{lo:.0f} – {hi:.0f}"/>')
        syms.append(_symbol("fill", str(i), ramp_colour((lo + hi) / 200.0), alpha=230,
                            outline=outline, outline_width=0.25))
    r = (f'<renderer-v2 type="graduatedSymbol" attr="{_esc(field)}" '
         'graduatedMethod="GraduatedColor" symbollevels="0" enableorderby="0" '
         f'forceraster="0"><ranges>{"".join(ranges)}</ranges>'
         f'<symbols>{"".join(syms)}</symbols><mode name="fixed"/></renderer-v2>')
    return _vector_qml(r, _labeling(label) if label else "")


def verdict_qml(kind: str = "marker", *, label: str | None = "name") -> str:
    """Categorised by ``verdict`` with the Okabe–Ito colours (worst first); ``kind`` is the
    symbol type: ``marker`` (points), ``line`` or ``fill`` (polygons, half-opaque); labelled
    by ``label`` (the project name).

    Examples
    --------
    >>> xml = verdict_qml("fill")
    >>> xml.count('<symbol type="fill"'), 'attr="verdict"' in xml
    (6, True)
    """
    cats = "".join(f'<category render="true" symbol="{i}" value="{_esc(v)}" '
                   f'label="{_esc(VERDICT_LABELS[v])}"/>' for i, v in enumerate(VERDICT_PALETTE))
    size = {"marker": 3.0, "line": 1.2}.get(kind, 2.0)
    alpha = 150 if kind == "fill" else 255  # parks: the land beneath stays visible
    syms = "".join(_symbol(kind, str(i), c, size=size, alpha=alpha, outline_width=0.6,
                           outline=c if kind == "fill" else "#000000")
                   for i, c in enumerate(VERDICT_PALETTE.values()))
    r = ('<renderer-v2 type="categorizedSymbol" attr="verdict" symbollevels="0" '
         f'enableorderby="0" forceraster="0"><categories>{cats}</categories>'
         f"<symbols>{syms}</symbols></renderer-v2>")
    placement = {"marker": 0, "line": 2}.get(kind, 1)
    labels = (_labeling(label, placement=placement, dist=1.0 if kind == "marker" else 0.0)
              if label else "")
    return _vector_qml(r, labels)


# --------------------------------------------------------------------------- folder


def _reasons_of(path: Path) -> dict[int, str]:
    """Reason code → label: the raster's ``reasons`` tag, else ``{kind}_exclusions.csv``
    beside it (columns ``code``, ``name``, ``reason``)."""
    import rasterio

    with rasterio.open(path) as src:
        raw = src.tags().get("reasons")
    try:
        d = json.loads(raw) if raw else {}
    except ValueError:
        d = {}
    reasons = {int(k): str(v) for k, v in d.items()}
    table = path.with_name(path.name.replace("_reasons.tif", "_exclusions.csv"))
    if not reasons and table.is_file():
        import csv

        with table.open(encoding="utf-8-sig", newline="") as f:
            for row in csv.DictReader(f):
                try:
                    code = int(row["code"])
                except (KeyError, TypeError, ValueError):
                    continue
                name, why = row.get("name") or "", row.get("reason") or ""
                reasons[code] = f"{name}: {why}" if name and why else (name or why or str(code))
    return {0: "eligible", **reasons}


def _units_of(path: Path) -> str:
    """Units of band 1 (its description, else the ``units`` tag), for legend labels."""
    import rasterio

    with rasterio.open(path) as src:
        return str(src.descriptions[0] or src.tags().get("units") or "")


def _percentiles(path: Path) -> tuple[float, float]:
    import rasterio

    with rasterio.open(path) as src:
        # an overview (or a decimated read) is enough for a colour stretch
        h, w = max(1, src.height // 16), max(1, src.width // 16)
        a = src.read(1, out_shape=(h, w), masked=True).astype("float64")
    v = np.ma.compressed(a)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return 0.0, 1.0
    lo, hi = (float(x) for x in np.percentile(v, [2, 98]))
    return (lo, hi if hi > lo else lo + 1.0)


#: Vector results: file → (layer inside the GeoPackage, geometry type QGIS opens it with).
_VECTOR_LAYERS = {"conflicts.gpkg": ("projects", "Point"),
                  "wind_turbines.gpkg": ("turbines", "Point")}
_SYMBOL_OF = {"Point": "marker", "LineString": "line", "Polygon": "fill"}


def _styles(out: Path) -> dict[str, str]:
    """Result file name → QML text, for the results present in ``out``."""
    styles: dict[str, str] = {}
    for kind in ("pv", "wind"):
        if (out / f"{kind}_score.tif").is_file():
            styles[f"{kind}_score.tif"] = score_qml()
        if (out / f"{kind}_reasons.tif").is_file():
            styles[f"{kind}_reasons.tif"] = reasons_qml(_reasons_of(out / f"{kind}_reasons.tif"))
        if (out / f"{kind}_resource.tif").is_file():
            lo, hi = _percentiles(out / f"{kind}_resource.tif")
            units = _units_of(out / f"{kind}_resource.tif").split(" (", 1)[0]
            styles[f"{kind}_resource.tif"] = ramp_qml(lo, hi, units)
        if (out / f"{kind}_robustness.tif").is_file():
            styles[f"{kind}_robustness.tif"] = robustness_qml()
        if (out / f"{kind}_sites.gpkg").is_file():
            styles[f"{kind}_sites.gpkg"] = sites_qml(SITE_COLOURS[kind])
    if (out / "wind_turbines.gpkg").is_file():
        styles["wind_turbines.gpkg"] = single_qml("marker", "#1f1f1f", alpha=255, size=1.0)
    if (out / "conflicts.gpkg").is_file():
        # one sidecar per GeoPackage: the symbol type of its most common project geometry
        counts = _geometry_counts(out / "conflicts.gpkg", "projects")
        main = max(counts, key=lambda g: counts[g]) if counts else "Point"
        styles["conflicts.gpkg"] = verdict_qml(_SYMBOL_OF[main])
    return styles


def qgis_file_names(kinds: Sequence[str] = ("pv", "wind"), *, screening: bool = True,
                    project: bool = True) -> list[str]:
    """Every file :func:`write_qgis_files` may write (for staging and overwrite checks)."""
    names = []
    for k in kinds:
        names += [f"{k}_score.qml", f"{k}_reasons.qml", f"{k}_resource.qml",
                  f"{k}_robustness.qml", f"{k}_sites.qml"]
    if "wind" in kinds:
        names.append("wind_turbines.qml")
    if screening:
        names.append("conflicts.qml")
    if project:
        names.append(PROJECT_NAME)
    return names


def _srs_xml(wkt: str) -> str:
    return (f"<spatialrefsys><wkt>{_esc(wkt)}</wkt><proj4>{_esc(WORK_CRS_PROJ4)}</proj4>"
            f"<description>{_esc(WORK_CRS_NAME)}</description><projectionacronym>aea"
            "</projectionacronym><ellipsoidacronym>GRS80</ellipsoidacronym>"
            "<geographicflag>false</geographicflag></spatialrefsys>")


#: Layer-tree groups, top first (QGIS draws the top of the tree last): the few screened
#: projects above the siting results.
_GROUPS = {"screening": ("项目筛查 Screening", ("conflicts.gpkg",)),
           "pv": ("光伏选址 PV siting", ("pv_sites.gpkg", "pv_score.tif", "pv_reasons.tif",
                                       "pv_resource.tif", "pv_robustness.tif")),
           "wind": ("风电选址 Wind siting", ("wind_turbines.gpkg", "wind_sites.gpkg",
                                          "wind_score.tif", "wind_reasons.tif",
                                          "wind_resource.tif", "wind_robustness.tif"))}
_TITLES = {"score": "适宜性评分 score", "reasons": "排除原因 exclusion reasons",
           "resource": "资源 resource",
           "robustness": "稳健性 robustness (% of runs in the top quintile)",
           "sites": "候选场址 candidate sites",
           "turbines": "风机 turbines", "conflicts": "筛查项目 screened projects",
           "fix_hints": "可保留部分 remainder outside prohibited zones (fix hints)"}


def _has_features(path: Path, layer: str) -> bool:
    """Whether ``path`` holds ``layer`` with at least one feature."""
    import pyogrio

    if layer not in {str(n) for n in pyogrio.list_layers(path)[:, 0]}:
        return False
    return int(pyogrio.read_info(path, layer=layer).get("features") or 0) > 0


def _geometry_counts(path: Path, layer: str) -> dict[str, int]:
    """Features per geometry type in ``layer`` of ``path`` (Point, LineString, Polygon, in
    that order; multi-part types count as their single-part type; absent types left out)."""
    import pyogrio

    info = pyogrio.read_info(path, layer=layer)
    gtype = str(info.get("geometry_type") or "Unknown").removeprefix("Multi").removesuffix(" Z")
    if gtype in _SYMBOL_OF:
        return {gtype: int(info.get("features") or 0)}
    df = pyogrio.read_dataframe(path, layer=layer, columns=[])
    counts = df.geometry.geom_type.dropna().str.removeprefix("Multi").value_counts()
    return {t: int(counts[t]) for t in _SYMBOL_OF if t in counts.index}


def _layer_srs(is_raster: bool) -> str:
    if is_raster:
        return _srs_xml(named_wkt(WORK_CRS))
    from pyproj import CRS

    return (f"<spatialrefsys><wkt>{_esc(CRS.from_user_input('EPSG:4326').to_wkt())}</wkt>"
            "<authid>EPSG:4326</authid><description>WGS 84</description>"
            "<geographicflag>true</geographicflag></spatialrefsys>")


def _project(out: Path, styles: dict[str, str]) -> str:
    tree: list[str] = []
    layers: list[str] = []
    for gkey, (gname, files) in _GROUPS.items():
        items = []
        for f in files:
            if f not in styles:
                continue
            stem = f.rsplit(".", 1)[0]
            short = stem.split("_", 1)[1] if "_" in stem else stem
            title = (f"{_TITLES.get(short, short)} ({gkey})" if gkey != "screening"
                     else _TITLES["conflicts"])
            is_raster = f.endswith(".tif")
            # (layer id, title, source, provider, renderer body, geometry attributes)
            parts: list[tuple[str, str, str, str, str, str]] = []
            if is_raster:
                parts.append((f"og_{stem}", title, f"./{f}", "gdal", styles[f], ""))
            else:
                name, default_geom = _VECTOR_LAYERS.get(f, ("sites", "Polygon"))
                geoms = list(_geometry_counts(out / f, name)) or [default_geom]
                for g in geoms:
                    style = verdict_qml(_SYMBOL_OF[g]) if f == "conflicts.gpkg" else styles[f]
                    if len(geoms) > 1:  # a mixed layer: one QGIS layer per geometry type
                        parts.append((f"og_{stem}_{g.lower()}", f"{title} · {g}",
                                      f"./{f}|layername={name}|geometrytype={g}", "ogr",
                                      style, g))
                    else:
                        parts.append((f"og_{stem}", title, f"./{f}|layername={name}", "ogr",
                                      style, g))
                if f == "conflicts.gpkg" and _has_features(out / f, "fix_hints"):
                    # the part of a prohibited footprint outside the prohibited zones
                    parts.append(("og_conflicts_fix_hints", _TITLES["fix_hints"],
                                  f"./{f}|layername=fix_hints", "ogr",
                                  single_qml("fill", VERDICT_PALETTE["compliant"], alpha=60,
                                             outline=VERDICT_PALETTE["compliant"]),
                                  "Polygon"))
            for lid, ltitle, source, provider, style, geom in parts:
                body = style.split("<qgis", 1)[1].split(">", 1)[1].rsplit("</qgis>", 1)[0]
                labels = 'labelsEnabled="1"' in style
                gattr = ""
                if geom:
                    wkb = {"Point": "Point", "LineString": "LineString"}.get(geom, "MultiPolygon")
                    gattr = f' geometry="{geom.replace("LineString", "Line")}" wkbType="{wkb}"'
                ltype = "raster" if is_raster else "vector"
                layers.append(
                    f'<maplayer type="{ltype}"{gattr} labelsEnabled="{int(labels)}" '
                    'styleCategories="AllStyleCategories">'
                    f"<id>{lid}</id><datasource>{_esc(source)}</datasource>"
                    f"<layername>{_esc(ltitle)}</layername><srs>{_layer_srs(is_raster)}</srs>"
                    f"<provider>{provider}</provider>{body}</maplayer>")
                # score, sites, turbines and projects on; reasons, resource, robustness off
                off = ("reasons", "resource", "robustness")
                on = "Qt::Unchecked" if short in off else "Qt::Checked"
                items.append(f'<layer-tree-layer id="{lid}" name="{_esc(ltitle)}" '
                             f'source="{_esc(source)}" providerKey="{provider}" '
                             f'checked="{on}" expanded="0"/>')
        if items:
            tree.append(f'<layer-tree-group name="{_esc(gname)}" checked="Qt::Checked" '
                        f'expanded="1">{"".join(items)}</layer-tree-group>')
    return (f'{_HEAD}<qgis projectname="ordos_geo" version="{QGIS_VERSION}">\n'
            f"<title>鄂尔多斯 ordos_geo results</title>\n"
            f"<projectCrs>{_srs_xml(named_wkt(WORK_CRS))}</projectCrs>\n"
            f'<layer-tree-group>{"".join(tree)}</layer-tree-group>\n'
            f'<projectlayers>{"".join(layers)}</projectlayers>\n'
            '<properties><Paths><Absolute type="bool">false</Absolute></Paths>'
            '<SpatialRefSys><ProjectionsEnabled type="int">1</ProjectionsEnabled>'
            f'<ProjectCrs type="QString">{_esc(named_wkt(WORK_CRS))}</ProjectCrs>'
            "</SpatialRefSys></properties>\n"
            "</qgis>\n")


def write_qgis_files(out_dir: str | os.PathLike[str], *, project: bool = True,
                     overwrite: bool = True) -> list[Path]:
    """Write a QML beside each styled result in ``out_dir`` and, with ``project``, the
    QGIS project :data:`PROJECT_NAME` over all of them (atomic files).

    Returns
    -------
    list of Path
        Files written (none when no result file is present).
    """
    out = Path(out_dir)
    styles = _styles(out)
    written = []
    for name, xml in styles.items():
        p = out / (name.rsplit(".", 1)[0] + ".qml")
        write_text_atomic(p, xml, overwrite=overwrite)
        written.append(p)
    if project and styles:
        p = out / PROJECT_NAME
        write_text_atomic(p, _project(out, styles), overwrite=overwrite)
        written.append(p)
    log.info("qgis: %d file(s) in %s", len(written), out)
    return written
