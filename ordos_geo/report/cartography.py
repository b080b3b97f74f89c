"""Cartographic furniture and page layout for static maps.

Scale bar, north arrow, graticule, and the map page (:class:`MapCanvas`: title,
legend panel, footer with CRS, sources, provenance stamp and date). The CJK font
lives in :mod:`ordos_geo.report.fonts` (re-exported here).
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import textwrap
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import geopandas as gpd
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from pyproj import CRS, Transformer

from ordos_geo.crs import ORDOS_BBOX_LONLAT, WORK_CRS
from ordos_geo.i18n import Lang
from ordos_geo.report.fonts import (  # re-exported
    CJKFont,
    figure_chars,
    get_cjk_font,
    missing_glyphs,
    rc_params,
)
from ordos_geo.report.text import MAP_TEXT

__all__ = [
    "ILLUSTRATIVE_STAMP",
    "CJKFont",
    "MapCanvas",
    "MapFigure",
    "StaticMapOptions",
    "add_graticule",
    "add_north_arrow",
    "add_scale_bar",
    "figure_chars",
    "get_cjk_font",
    "missing_glyphs",
    "rc_params",
]

log = logging.getLogger(__name__)

# --------------------------------------------------------------------------- furniture

Project = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


def _nice_length_km(width_km: float) -> float:
    target = width_km / 5.0
    for cand in (1, 2, 5, 10, 20, 25, 50, 100, 150, 200, 250, 500):
        if cand >= target:
            return float(cand)
    return 500.0


def add_scale_bar(
    ax: Axes, *, metres_per_unit: float, label_km: str = "km",
    loc: tuple[float, float] = (0.04, 0.04),
) -> float:
    """Draw a four-segment scale bar in kilometres in the lower-left corner.

    Parameters
    ----------
    ax
        Map axes whose x/y limits are already set.
    metres_per_unit
        Ground metres per map unit along x (1 for a metric CRS; ~85,000 per degree
        of longitude at 40° N for EPSG:4326).
    label_km
        Unit label.
    loc
        Position of the bar's left end in axes fraction.

    Returns
    -------
    float
        Length of the bar in km.
    """
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    width_km = (x1 - x0) * metres_per_unit / 1000.0
    length_km = _nice_length_km(width_km)
    seg = length_km * 1000.0 / metres_per_unit / 4.0
    bx = x0 + loc[0] * (x1 - x0)
    by = y0 + loc[1] * (y1 - y0)
    h = 0.012 * (y1 - y0)
    ax.add_patch(
        Rectangle((bx - 0.01 * (x1 - x0), by - 0.6 * h), 4 * seg + 0.02 * (x1 - x0), 4.2 * h,
                  facecolor="white", edgecolor="none", alpha=0.8, zorder=9)
    )
    for i in range(4):
        ax.add_patch(
            Rectangle((bx + i * seg, by), seg, h, facecolor="black" if i % 2 == 0 else "white",
                      edgecolor="black", linewidth=0.6, zorder=10)
        )
    for i, frac in ((0, 0.0), (2, 0.5), (4, 1.0)):
        val = length_km * frac
        txt = f"{val:g}" if i < 4 else f"{val:g} {label_km}"
        ax.text(bx + i * seg, by + 1.6 * h, txt, ha="center", va="bottom", fontsize=7, zorder=11)
    return length_km


def add_north_arrow(
    ax: Axes, project: Project, *, lon: float, lat: float, label: str = "N",
    loc: tuple[float, float] = (0.94, 0.86),
) -> float:
    """Draw a north arrow pointing to true north at ``(lon, lat)``.

    In a conic projection north is not "up" away from the central meridian, so the
    arrow's direction is computed from the projection.

    Returns
    -------
    float
        The arrow's angle from the map's +y axis in degrees (clockwise positive).
    """
    p0 = project(np.array([lon]), np.array([lat]))
    p1 = project(np.array([lon]), np.array([lat + 0.05]))
    dx = float(p1[0][0] - p0[0][0])
    dy = float(p1[1][0] - p0[1][0])
    angle = math.degrees(math.atan2(dx, dy))
    ux, uy = math.sin(math.radians(angle)), math.cos(math.radians(angle))
    length = 0.07
    bx, by = loc
    ax.annotate(
        "", xy=(bx + ux * length / 2, by + uy * length / 2),
        xytext=(bx - ux * length / 2, by - uy * length / 2), xycoords="axes fraction",
        arrowprops={"arrowstyle": "-|>,head_length=0.8,head_width=0.45", "color": "black",
                    "linewidth": 1.6},
        zorder=11,
    )
    ax.text(bx + ux * (length / 2 + 0.02), by + uy * (length / 2 + 0.025), label,
            transform=ax.transAxes, ha="center", va="center", fontsize=10, weight="bold",
            zorder=11)
    return angle


def _ticks(lo: float, hi: float, step: float) -> np.ndarray:
    start = math.ceil(lo / step) * step
    return np.arange(start, hi + 1e-9, step)


def add_graticule(
    ax: Axes, project: Project, inverse: Project, *, step_lon: float = 1.0, step_lat: float = 0.5,
) -> None:
    """Draw meridians/parallels and label them in degrees on the bottom and left edges.

    ``project`` maps lon/lat (degrees, EPSG:4326) to map units and ``inverse`` back.
    The axes limits must be set first; they are kept.
    """
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    cx = np.array([x0, x1, x0, x1, (x0 + x1) / 2, (x0 + x1) / 2, x0, x1])
    cy = np.array([y0, y0, y1, y1, y0, y1, (y0 + y1) / 2, (y0 + y1) / 2])
    lons, lats = inverse(cx, cy)
    lon_lo, lon_hi = float(np.min(lons)) - step_lon, float(np.max(lons)) + step_lon
    lat_lo, lat_hi = float(np.min(lats)) - step_lat, float(np.max(lats)) + step_lat
    style = {"color": "#7a7a7a", "linewidth": 0.35, "linestyle": (0, (4, 3)), "zorder": 1.5}
    xt: list[float] = []
    xl: list[str] = []
    yt: list[float] = []
    yl: list[str] = []
    dense_lat = np.linspace(lat_lo, lat_hi, 200)
    for lon in _ticks(lon_lo, lon_hi, step_lon):
        mx, my = project(np.full_like(dense_lat, lon), dense_lat)
        ax.plot(mx, my, **style)  # type: ignore[arg-type]
        if my[0] <= y0 <= my[-1]:
            xb = float(np.interp(y0, my, mx))
            if x0 <= xb <= x1:
                xt.append(xb)
                xl.append(f"{lon:g}°E")
    dense_lon = np.linspace(lon_lo, lon_hi, 200)
    for lat in _ticks(lat_lo, lat_hi, step_lat):
        mx, my = project(dense_lon, np.full_like(dense_lon, lat))
        ax.plot(mx, my, **style)  # type: ignore[arg-type]
        if mx[0] <= x0 <= mx[-1]:
            ya = float(np.interp(x0, mx, my))
            if y0 <= ya <= y1:
                yt.append(ya)
                yl.append(f"{lat:g}°N")
    ax.set_xticks(xt, xl, fontsize=7)
    ax.set_yticks(yt, yl, fontsize=7)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.tick_params(direction="in", length=3)


# --------------------------------------------------------------------------- page layout

ILLUSTRATIVE_STAMP = "示意数据 / illustrative — replace with official data"
#: The stamp in the map's language.
ILLUSTRATIVE_STAMP_LANG = {"zh": "示意数据——请以官方数据替换",
                           "en": "illustrative data — replace with official data"}


@dataclass
class StaticMapOptions:
    """Options for static maps.

    Attributes
    ----------
    lang
        ``"zh"`` or ``"en"`` for titles, legends and notes.
    crs
        ``"work"`` (equal-area Albers :data:`~ordos_geo.crs.WORK_CRS`) or ``"EPSG:4326"``.
    dpi
        PNG resolution (dots per inch).
    figsize
        Figure size in inches (A4 landscape by default).
    date
        Date printed on the map (ISO); today's UTC date when ``None``.
    """

    lang: Lang = "zh"
    crs: Literal["work", "EPSG:4326"] = "work"
    dpi: int = 300
    figsize: tuple[float, float] = (11.69, 8.27)
    date: str | None = None

    def t(self, key: str) -> str:
        """Caption ``key`` in the chosen language."""
        return MAP_TEXT[key][self.lang]

    @property
    def date_str(self) -> str:
        """The map date (ISO)."""
        return self.date or dt.datetime.now(dt.UTC).date().isoformat()


@dataclass
class MapFigure:
    """A drawn map.

    Attributes
    ----------
    key
        ``overview``, ``pv_suitability``, ``wind_suitability``, ``sites`` or ``screening``.
    title
        Title drawn on the map.
    figure
        The matplotlib figure.
    illustrative
        True if any illustrative layer or result derived from one is drawn.
    sources
        ``(layer title, provenance, source)`` of everything drawn.
    """

    key: str
    title: str
    figure: Figure
    illustrative: bool = False
    sources: list[tuple[str, str, str]] = field(default_factory=list)


# --------------------------------------------------------------------------- frame


@dataclass
class _Frame:
    crs: CRS
    project: Project
    inverse: Project
    metres_per_unit: float
    crs_label: str


def _frame(opts: StaticMapOptions) -> _Frame:
    if opts.crs == "EPSG:4326":
        lat_c = (ORDOS_BBOX_LONLAT[1] + ORDOS_BBOX_LONLAT[3]) / 2

        def ident(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            return np.asarray(x, float), np.asarray(y, float)

        return _Frame(CRS.from_epsg(4326), ident, ident,
                      111_320.0 * math.cos(math.radians(lat_c)), opts.t("crs_4326"))
    fwd = Transformer.from_crs("EPSG:4326", WORK_CRS, always_xy=True)
    inv = Transformer.from_crs(WORK_CRS, "EPSG:4326", always_xy=True)

    def project(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        a, b = fwd.transform(x, y)
        return np.asarray(a), np.asarray(b)

    def inverse(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        a, b = inv.transform(x, y)
        return np.asarray(a), np.asarray(b)

    return _Frame(WORK_CRS, project, inverse, 1.0, opts.t("crs_work"))


class MapCanvas:
    """One map page (A4 landscape by default): title, map axes, legend panel, footer.

    Drawing functions add layers to ``ax``, legend entries to ``handles`` and every
    drawn layer to ``sources`` via :meth:`note_layer`; :meth:`finish` adds the
    graticule, scale bar, north arrow, legend, footer (CRS, sources, date) and the
    illustrative stamp when needed.
    """

    def __init__(self, key: str, title: str, subtitle: str, opts: StaticMapOptions) -> None:
        self.key, self.title, self.opts = key, title, opts
        self.frame = _frame(opts)
        self.fig = Figure(figsize=opts.figsize, dpi=100)
        self.ax = self.fig.add_axes((0.05, 0.13, 0.62, 0.76))
        self.ax.set_aspect("equal")
        self.handles: list[Any] = []
        self.sources: list[tuple[str, str, str]] = []
        #: Labels placed at :meth:`finish` by priority (lower first); a label that would
        #: overlap one already placed is dropped, so nothing is overprinted.
        self.labels: list[tuple[float, float, float, str, dict[str, Any]]] = []
        self.illustrative = False
        self.fig.text(0.05, 0.955, title, fontsize=17, weight="bold", va="center")
        if subtitle:
            self.fig.text(0.05, 0.918, subtitle, fontsize=9.5, va="center", color="#333333")

    def note_layer(self, title: str, provenance: str, source: str) -> None:
        self.sources.append((title, provenance or "?", source or ""))
        if provenance == "illustrative":
            self.illustrative = True

    def to_map(self, gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        if gdf.crs is None:
            gdf = gdf.set_crs("EPSG:4326")  # result files are EPSG:4326 by contract
        return gdf.to_crs(self.frame.crs)

    def set_extent(self, bounds: Sequence[float] | None) -> None:
        if bounds is None or not np.all(np.isfinite(bounds)):
            lon0, lat0, lon1, lat1 = ORDOS_BBOX_LONLAT
            xs, ys = self.frame.project(np.array([lon0, lon1, lon0, lon1]),
                                        np.array([lat0, lat0, lat1, lat1]))
            bounds = (float(xs.min()), float(ys.min()), float(xs.max()), float(ys.max()))
        x0, y0, x1, y1 = bounds
        mx, my = 0.04 * (x1 - x0), 0.04 * (y1 - y0)
        self.ax.set_xlim(x0 - mx, x1 + mx)
        self.ax.set_ylim(y0 - my, y1 + my)

    def label(self, x: float, y: float, text: str, *, priority: float = 0.0,
              **kw: Any) -> None:
        """Queue a label at map coordinates ``(x, y)`` (placed by :meth:`place_labels`)."""
        self.labels.append((priority, x, y, text, kw))

    def place_labels(self) -> int:
        """Draw the queued labels by priority, dropping any that would overlap another
        label already drawn (priority placement); returns the number drawn."""
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        if not self.labels:
            return 0
        canvas = self.fig.canvas
        if not hasattr(canvas, "get_renderer"):
            canvas = FigureCanvasAgg(self.fig)
        renderer = canvas.get_renderer()  # type: ignore[attr-defined]
        x0, x1 = self.ax.get_xlim()
        y0, y1 = self.ax.get_ylim()
        placed: list[Any] = []
        n = 0
        for _, x, y, text, kw in sorted(self.labels, key=lambda t: t[0]):
            if not (min(x0, x1) <= x <= max(x0, x1) and min(y0, y1) <= y <= max(y0, y1)):
                continue
            kw = dict(kw)
            offset = kw.pop("offset", None)
            t = (self.ax.annotate(text, (x, y), xytext=offset, textcoords="offset points", **kw)
                 if offset is not None else self.ax.text(x, y, text, **kw))
            bb = t.get_window_extent(renderer).expanded(1.08, 1.15)
            if any(bb.overlaps(o) for o in placed):
                t.remove()
                continue
            placed.append(bb)
            n += 1
        self.labels = []
        return n

    def finish(self) -> MapFigure:
        opts, ax, fig = self.opts, self.ax, self.fig
        self.place_labels()
        add_graticule(ax, self.frame.project, self.frame.inverse)
        ax.set_xlabel("")  # geopandas labels axes with the CRS axis names; ticks are degrees
        ax.set_ylabel("")
        add_scale_bar(ax, metres_per_unit=self.frame.metres_per_unit)
        x0, x1 = ax.get_xlim()
        y0, y1 = ax.get_ylim()
        clon, clat = self.frame.inverse(np.array([x0 + 0.94 * (x1 - x0)]),
                                        np.array([y0 + 0.86 * (y1 - y0)]))
        add_north_arrow(ax, self.frame.project, lon=float(clon[0]), lat=float(clat[0]),
                              label=opts.t("north"))
        if self.handles:
            leg = fig.legend(handles=self.handles, loc="upper left", bbox_to_anchor=(0.70, 0.89),
                             frameon=True, fontsize=8.5, title=opts.t("legend"),
                             title_fontsize=10, alignment="left")
            leg.get_frame().set_edgecolor("#999999")
        # footer: CRS, sources with provenance, date
        src_text = _source_text(self.sources, lang=opts.lang)
        src_lines = _wrap(f"{opts.t('sources')}: {src_text}", 200).split("\n")
        if len(src_lines) > 4:
            src_lines = [*src_lines[:4], opts.t("more_sources")]
        lines = [self.frame.crs_label, *src_lines,
                 f"{opts.t('date')}: {opts.date_str} · {opts.t('tool')}"]
        fig.text(0.05, 0.085, "\n".join(lines), fontsize=6.2, va="top", color="#222222",
                 linespacing=1.3)
        if self.illustrative:
            fig.text(0.985, 0.955, ILLUSTRATIVE_STAMP_LANG.get(opts.lang, ILLUSTRATIVE_STAMP),
                     ha="right", va="center", fontsize=9,
                     color="#a93226", weight="bold",
                     bbox={"boxstyle": "round,pad=0.4", "facecolor": "#fdedec",
                           "edgecolor": "#a93226"})
            ax.text(0.5, 0.5, "示意数据" if opts.lang == "zh" else "ILLUSTRATIVE",
                    transform=ax.transAxes, rotation=30,
                    ha="center", va="center", fontsize=34, color="#a93226", alpha=0.10,
                    zorder=20)
        return MapFigure(self.key, self.title, fig, self.illustrative, list(self.sources))


#: Provenance words in the map footer, in the map's language.
PROVENANCE_LABEL = {
    "zh": {"illustrative": "示意", "derived": "派生", "official": "官方", "user": "用户"},
    "en": {},
}


def _source_text(items: Iterable[tuple[str, str, str]], max_source: int = 70,
                 lang: str = "en") -> str:
    """``title, title (provenance: source); ...`` grouped by (provenance, source)."""
    groups: dict[tuple[str, str], list[str]] = {}
    for title, prov, src in items:
        titles = groups.setdefault((prov, src), [])
        if title not in titles:
            titles.append(title)
    parts = []
    for (prov, src), titles in groups.items():
        s = src if len(src) <= max_source else src[: max_source - 3] + "..."
        shown = PROVENANCE_LABEL.get(lang, {}).get(prov, prov)
        parts.append(f"{', '.join(titles)} ({shown}{': ' + s if s else ''})")
    return "; ".join(parts)


def _wrap(text: str, width: int) -> str:
    out: list[str] = []
    for line in text.split("\n"):
        # CJK characters are ~2 Latin widths wide
        w = width if not any("\u4e00" <= c <= "\u9fff" for c in line) else int(width * 0.6)
        out.extend(textwrap.wrap(line, w) or [""])
    return "\n".join(out)
