"""QGIS styles and a QGIS project for a results folder — plain XML, no QGIS needed to write.

``write_qgis_files(out_dir)`` looks at the result files present in ``out_dir`` and writes

* a ``.qml`` style beside each styled result (QGIS loads ``<name>.qml`` as the default
  style of ``<name>.tif`` / ``<name>.gpkg``):

  - ``{pv,wind}_score.tif`` — score 0–100, the shared ramp
    (:data:`ordos_geo.palette.SCORE_COLOURS`, ColorBrewer Purples);
  - ``{pv,wind}_reasons.tif`` — paletted, one class per reason code with its label (the
    raster's ``reasons`` tag), eligible cells transparent;
  - ``{pv,wind}_resource.tif`` — a ramp between the 2nd and 98th percentile;
  - ``{pv,wind}_sites.gpkg`` — a fixed fill per kind, dark outline, labelled by site id;
  - ``wind_turbines.gpkg`` — small points;
  - ``conflicts.gpkg`` (``conflicts.qml``, for the ``projects`` layer) — categorised by
    verdict with the Okabe–Ito colours of :data:`ordos_geo.palette.VERDICT_PALETTE`;

* ``ordos_geo.qgs`` — a QGIS project (XML, QGIS 3.22 and later) with every present result
  grouped (PV siting, wind siting, screening), styled as above, in the named working CRS
  (:data:`ordos_geo.crs.WORK_CRS_NAME`), paths relative to the project.

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
    "score_qml",
    "write_qgis_files",
]

log = logging.getLogger(__name__)

#: File name of the QGIS project written into a results folder.
PROJECT_NAME = "ordos_geo.qgs"
QGIS_VERSION = "3.22.0-Białowieża"
_HEAD = "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"

#: Site fill colour per kind (not a score colour: sites stand out on the score layer).
SITE_COLOURS = {"pv": "#E69F00", "wind": "#56B4E9"}
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


def score_qml() -> str:
    """Style of ``{kind}_score.tif`` band 1: the shared score ramp over 0–100."""
    n = len(SCORE_COLOURS)
    stops = [(100.0 * i / (n - 1), c, f"{100.0 * i / (n - 1):.0f}")
             for i, c in enumerate(SCORE_COLOURS)]
    return _raster_qml(_ramp_renderer(stops, 0.0, 100.0))


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
            size: float = 2.0) -> str:
    if kind == "marker":
        layer = ('<layer class="SimpleMarker" enabled="1" locked="0" pass="0">'
                 f'<prop k="color" v="{_rgba(colour, alpha)}"/><prop k="name" v="circle"/>'
                 f'<prop k="outline_color" v="{_rgba(outline)}"/>'
                 '<prop k="outline_width" v="0.2"/>'
                 f'<prop k="size" v="{size:g}"/><prop k="size_unit" v="MM"/></layer>')
    else:
        layer = ('<layer class="SimpleFill" enabled="1" locked="0" pass="0">'
                 f'<prop k="color" v="{_rgba(colour, alpha)}"/><prop k="style" v="solid"/>'
                 f'<prop k="outline_color" v="{_rgba(outline)}"/>'
                 '<prop k="outline_style" v="solid"/><prop k="outline_width" v="0.3"/>'
                 '<prop k="outline_width_unit" v="MM"/></layer>')
    return (f'<symbol type="{kind}" name="{name}" alpha="1" clip_to_extent="1" '
            f'force_rhr="0">{layer}</symbol>')


def _labeling(field: str, size: float = 8.0) -> str:
    return ('<labeling type="simple"><settings calloutType="simple">'
            f'<text-style fieldName="{_esc(field)}" fontSize="{size:g}" '
            'fontFamily="Noto Sans CJK SC" textColor="20,20,20,255" isExpression="0">'
            '<text-buffer bufferDraw="1" bufferSize="0.8" bufferColor="255,255,255,255"/>'
            '</text-style><placement placement="1" dist="0"/>'
            '<rendering obstacle="1" displayAll="0"/></settings></labeling>')


def _vector_qml(renderer: str, labeling: str = "") -> str:
    on = "1" if labeling else "0"
    return (f'{_HEAD}<qgis version="{QGIS_VERSION}" styleCategories="AllStyleCategories" '
            f'labelsEnabled="{on}">\n  {renderer}\n  {labeling}\n</qgis>\n')


def single_qml(kind: str, colour: str, *, alpha: int = 200, label: str | None = None,
               size: float = 2.0) -> str:
    """One symbol for every feature (``kind`` fill or marker), optional labels."""
    r = ('<renderer-v2 type="singleSymbol" symbollevels="0" enableorderby="0" '
         f'forceraster="0"><symbols>{_symbol(kind, "0", colour, alpha=alpha, size=size)}'
         "</symbols></renderer-v2>")
    return _vector_qml(r, _labeling(label) if label else "")


def verdict_qml(kind: str = "marker") -> str:
    """Categorised by ``verdict`` with the Okabe–Ito colours (worst first)."""
    cats = "".join(f'<category render="true" symbol="{i}" value="{_esc(v)}" '
                   f'label="{_esc(VERDICT_LABELS[v])}"/>' for i, v in enumerate(VERDICT_PALETTE))
    syms = "".join(_symbol(kind, str(i), c, size=3.0, outline="#000000")
                   for i, c in enumerate(VERDICT_PALETTE.values()))
    r = ('<renderer-v2 type="categorizedSymbol" attr="verdict" symbollevels="0" '
         f'enableorderby="0" forceraster="0"><categories>{cats}</categories>'
         f"<symbols>{syms}</symbols></renderer-v2>")
    return _vector_qml(r)


# --------------------------------------------------------------------------- folder


def _reasons_of(path: Path) -> dict[int, str]:
    import rasterio

    with rasterio.open(path) as src:
        raw = src.tags().get("reasons")
    try:
        d = json.loads(raw) if raw else {}
    except ValueError:
        d = {}
    return {int(k): str(v) for k, v in d.items()} or {0: "eligible"}


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
            units = "kWh/kWp/yr" if kind == "pv" else "CF"
            styles[f"{kind}_resource.tif"] = ramp_qml(lo, hi, units)
        if (out / f"{kind}_sites.gpkg").is_file():
            styles[f"{kind}_sites.gpkg"] = single_qml("fill", SITE_COLOURS[kind], alpha=170,
                                                      label="site_id")
    if (out / "wind_turbines.gpkg").is_file():
        styles["wind_turbines.gpkg"] = single_qml("marker", "#1f1f1f", alpha=255, size=1.0)
    if (out / "conflicts.gpkg").is_file():
        styles["conflicts.gpkg"] = verdict_qml("marker")
    return styles


def qgis_file_names(kinds: Sequence[str] = ("pv", "wind"), *, screening: bool = True,
                    project: bool = True) -> list[str]:
    """Every file :func:`write_qgis_files` may write (for staging and overwrite checks)."""
    names = []
    for k in kinds:
        names += [f"{k}_score.qml", f"{k}_reasons.qml", f"{k}_resource.qml", f"{k}_sites.qml"]
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


_GROUPS = {"pv": ("光伏选址 PV siting", ("pv_sites.gpkg", "pv_score.tif", "pv_reasons.tif",
                                       "pv_resource.tif")),
           "wind": ("风电选址 Wind siting", ("wind_turbines.gpkg", "wind_sites.gpkg",
                                          "wind_score.tif", "wind_reasons.tif",
                                          "wind_resource.tif")),
           "screening": ("项目筛查 Screening", ("conflicts.gpkg",))}
_TITLES = {"score": "适宜性评分 score", "reasons": "排除原因 exclusion reasons",
           "resource": "资源 resource", "sites": "候选场址 candidate sites",
           "turbines": "风机 turbines", "conflicts": "筛查项目 screened projects"}


def _project(out: Path, styles: dict[str, str]) -> str:
    wgs = "EPSG:4326"
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
            lid = f"og_{stem}"
            is_raster = f.endswith(".tif")
            if is_raster:
                source, provider, ltype = f"./{f}", "gdal", "raster"
                srs = _srs_xml(named_wkt(WORK_CRS))
            else:
                layer = {"conflicts.gpkg": "projects", "wind_turbines.gpkg": "turbines"}.get(
                    f, "sites")
                source, provider, ltype = f"./{f}|layername={layer}", "ogr", "vector"
                from pyproj import CRS

                srs = (f"<spatialrefsys><wkt>{_esc(CRS.from_user_input(wgs).to_wkt())}</wkt>"
                       f"<authid>{wgs}</authid><description>WGS 84</description>"
                       "<geographicflag>true</geographicflag></spatialrefsys>")
            style = styles[f]
            body = style.split("<qgis", 1)[1].split(">", 1)[1].rsplit("</qgis>", 1)[0]
            labels = 'labelsEnabled="1"' in style
            geom = ""
            if not is_raster:
                geom = {"conflicts.gpkg": "Point", "wind_turbines.gpkg": "Point"}.get(
                    f, "Polygon")
                wkb = "Point" if geom == "Point" else "MultiPolygon"
                geom = f' geometry="{geom}" wkbType="{wkb}"'
            layers.append(
                f'<maplayer type="{ltype}"{geom} labelsEnabled="{int(labels)}" '
                'styleCategories="AllStyleCategories">'
                f"<id>{lid}</id><datasource>{_esc(source)}</datasource>"
                f"<layername>{_esc(title)}</layername><srs>{srs}</srs>"
                f"<provider>{provider}</provider>{body}</maplayer>")
            # score, sites, turbines and projects on; reasons and resource below them, off
            on = "Qt::Unchecked" if short in ("reasons", "resource") else "Qt::Checked"
            items.append(f'<layer-tree-layer id="{lid}" name="{_esc(title)}" '
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
