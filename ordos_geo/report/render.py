"""Render the report document model to self-contained HTML and to a multi-page PDF.

PDF choice: matplotlib ``PdfPages`` — text pages, tables drawn with matplotlib and
the vector map pages in one file. It needs no system libraries beyond the CJK font
(WeasyPrint needs Pango/Harfbuzz system packages and its own font configuration),
works offline and in CI, and embeds the same TrueType CJK font (Type 42) as the
maps, so PDF text stays searchable.

HTML: one file, maps embedded as base64 PNG data URIs, every string from data
files escaped with :func:`html.escape`; data values are wrapped in
``class="data"`` elements (numbers also carry ``data-key`` / ``data-value``).
"""

from __future__ import annotations

import base64
import html
import io
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib as mpl
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

from ordos_geo.i18n import Lang
from ordos_geo.io.atomic import atomic_path, write_text_atomic
from ordos_geo.report import cartography as carto
from ordos_geo.report.text import tr

if TYPE_CHECKING:
    from ordos_geo.report.figures import MapFigure
    from ordos_geo.report.model import Run, Section, Table

__all__ = ["Document", "render_html", "write_html", "write_pdf"]

log = logging.getLogger(__name__)

HTML_DPI = 150


@dataclass
class Document:
    """Sections + drawn maps + metadata, ready to render."""

    sections: list[Section]
    maps: dict[str, MapFigure]
    lang: Lang
    date: str
    illustrative: bool
    results_dir: str = ""
    #: PNG bytes (``HTML_DPI``) per map key for the HTML, when already drawn; maps not
    #: listed are drawn at ``HTML_DPI`` by :func:`render_html`.
    images: dict[str, bytes] = field(default_factory=dict)


def _esc(s: object) -> str:
    return html.escape(str(s), quote=True)


def _run_html(r: Run) -> str:
    if not r.data:
        return _esc(r.text)
    attrs = ' class="data"'
    if r.key is not None:
        attrs += f' data-key="{_esc(r.key)}"'
    if r.value is not None:
        attrs += f' data-value="{r.value!r}"'
    return f"<span{attrs}>{_esc(r.text)}</span>"


def _is_total(row: list[Run]) -> bool:
    """A banner table's TOTAL row (``adcode`` TOTAL / 合计)."""
    return any(r.text in ("TOTAL", "合计") for r in row)


def _table_html(t: Table, n: int, lang: Lang) -> str:
    head = "".join(f"<th>{_esc(c)}</th>" for c in t.columns)
    body = []
    for row in t.rows:
        cells = []
        for j, r in enumerate(row):
            cls = ["data"] if r.data else []
            if r.value is not None and j < len(t.numeric) and t.numeric[j]:
                cls.append("num")
            attrs = f' class="{" ".join(cls)}"' if cls else ""
            if r.key is not None:
                attrs += f' data-key="{_esc(r.key)}"'
            if r.value is not None:
                attrs += f' data-value="{r.value!r}"'
            cells.append(f"<td{attrs}>{_esc(r.text)}</td>")
        tr_attr = ' class="total"' if _is_total(row) else ""
        body.append(f"<tr{tr_attr}>" + "".join(cells) + "</tr>")
    return (f'<table id="tab-{_esc(t.key)}"><caption>{_esc(tr("table", lang))} {n}. '
            f"{_esc(t.caption)}</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table>")


def _png_data_uri(mf: MapFigure, png: bytes | None = None) -> str:
    if png is None:
        buf = io.BytesIO()
        with mpl.rc_context(carto.rc_params()):
            mf.figure.savefig(buf, format="png", dpi=HTML_DPI)
        png = buf.getvalue()
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


_CSS = """
body{font-family:"Noto Sans CJK SC","Noto Sans SC","Microsoft YaHei",sans-serif;
 max-width:1100px;margin:2em auto;padding:0 1em;color:#222;line-height:1.55}
h1{font-size:1.7em;margin-bottom:.2em}h2{border-bottom:2px solid #2e86c1;padding-bottom:.2em;
 margin-top:2em}.subtitle,.meta{color:#555;margin:.2em 0}
.stamp{border:2px solid #a93226;background:#fdedec;color:#a93226;font-weight:bold;
 padding:.6em 1em;margin:1em 0;border-radius:6px}
.missing{border-left:4px solid #e67e22;background:#fef5e7;padding:.4em .8em;color:#7e5109}
table{border-collapse:collapse;margin:1em 0;font-size:.9em;width:100%}
caption{text-align:left;font-weight:bold;padding:.3em 0}
th,td{border:1px solid #ccc;padding:.25em .5em;vertical-align:top}
th{background:#eaf2f8}td.num{text-align:right;font-variant-numeric:tabular-nums}
figure{margin:1.5em 0}figure img{max-width:100%;border:1px solid #ddd}
figcaption{color:#555;font-size:.9em}nav ul{columns:2;list-style:none;padding-left:0}
tr.total td{font-weight:bold;background:#f4f6f7}
"""


def render_html(doc: Document) -> str:
    """The report as one self-contained HTML string (no external resources)."""
    lang = doc.lang
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">',
        f"<title>{_esc(tr('report_title', lang))}</title><style>{_CSS}</style></head><body>",
        f"<header><h1>{_esc(tr('report_title', lang))}</h1>",
        f'<p class="subtitle">{_esc(tr("subtitle", lang))} '
        f'<span class="data">{_esc(tr("plan_name", lang))}</span></p>',
        f'<p class="meta">{_esc(tr("generated", lang))}: <span class="data">{_esc(doc.date)}'
        f"</span>"
        + (f' · {_esc(tr("results_dir", lang))}: <span class="data">{_esc(doc.results_dir)}'
           "</span>" if doc.results_dir else "")
        + "</p></header>",
    ]
    if doc.illustrative:
        parts.append(f'<div class="stamp">{_esc(tr("stamp", lang))}</div>')
    parts.append(f"<nav><h2>{_esc(tr('toc', lang))}</h2><ul>")
    parts += [f'<li><a href="#sec-{_esc(s.key)}">{_esc(s.title)}</a></li>' for s in doc.sections]
    parts.append("</ul></nav>")
    n_tab = n_fig = 0
    for sec in doc.sections:
        parts.append(f'<section id="sec-{_esc(sec.key)}"><h2>{_esc(sec.title)}</h2>')
        for m in sec.missing:
            parts.append(f'<p class="missing">{_esc(tr("not_computed", lang))}: '
                         f'<span class="data">{_esc(m)}</span></p>')
        for para in sec.paragraphs:
            parts.append("<p>" + "".join(_run_html(r) for r in para) + "</p>")
        for t in sec.tables:
            n_tab += 1
            parts.append(_table_html(t, n_tab, lang))
        for key in sec.figures:
            mf = doc.maps.get(key)
            if mf is None:
                continue
            n_fig += 1
            uri = _png_data_uri(mf, doc.images.get(key))
            parts.append(f'<figure id="fig-{_esc(key)}"><img src="{uri}" '
                         f'alt="{_esc(mf.title)}"><figcaption>{_esc(tr("figure", lang))} '
                         f"{n_fig}. {_esc(mf.title)}</figcaption></figure>")
        parts.append("</section>")
    parts.append("</body></html>")
    return "\n".join(parts)


def write_html(doc: Document, path: Path, *, overwrite: bool = False) -> Path:
    """Write :func:`render_html` atomically to ``path``."""
    write_text_atomic(path, render_html(doc), overwrite=overwrite)
    log.info("wrote %s", path)
    return Path(path)


# --------------------------------------------------------------------------- PDF

_A4 = (8.27, 11.69)
_LEFT, _RIGHT, _TOP, _BOTTOM = 0.08, 0.92, 0.93, 0.07
_PT_PER_FIG_X = _A4[0] * 72.0
_PT_PER_FIG_Y = _A4[1] * 72.0


def _w(ch: str) -> float:
    """Approximate advance width of ``ch`` in em."""
    return 1.0 if ord(ch) >= 0x2E80 else 0.52


def _wrap(text: str, width_em: float) -> list[str]:
    """Wrap ``text`` to lines no wider than ``width_em`` (CJK-aware, breaks anywhere)."""
    lines: list[str] = []
    for para in str(text).split("\n"):
        cur, w = "", 0.0
        for ch in para:
            cw = _w(ch)
            if w + cw > width_em and cur:
                # prefer breaking at the last space for Latin text
                cut = cur.rfind(" ")
                if cut > len(cur) * 0.5:
                    lines.append(cur[:cut])
                    cur = cur[cut + 1:]
                    w = sum(_w(c) for c in cur)
                else:
                    lines.append(cur)
                    cur, w = "", 0.0
            cur += ch
            w += cw
        lines.append(cur)
    return lines


def _fit_widths(natural: list[float], total: float) -> list[float]:
    """Column widths (em) summing to ``total``: narrow columns keep their natural width,
    only the widest are capped (water-filling); spare room is shared proportionally."""
    if sum(natural) <= total:
        return [x * total / sum(natural) for x in natural]
    lo, hi = 0.0, max(natural)
    for _ in range(50):
        cap = (lo + hi) / 2
        if sum(min(x, cap) for x in natural) > total:
            hi = cap
        else:
            lo = cap
    widths = [min(x, lo) for x in natural]
    spare = total - sum(widths)
    return [w + spare / len(widths) for w in widths]


class _PdfWriter:
    def __init__(self, pdf: PdfPages, doc: Document) -> None:
        self.pdf, self.doc = pdf, doc
        self.fig: Figure | None = None
        self.y = _TOP
        self.page = 0

    # page handling
    def new_page(self) -> Figure:
        self.flush()
        self.page += 1
        fig = Figure(figsize=_A4)
        lang = self.doc.lang
        fig.text(_LEFT, 0.035, f"{tr('report_title', lang)} · {self.doc.date}", fontsize=7,
                 color="#666666")
        fig.text(_RIGHT, 0.035, tr("page", lang).format(n=self.page), fontsize=7,
                 color="#666666", ha="right")
        if self.doc.illustrative:
            fig.text(_RIGHT, 0.965, "示意数据" if lang == "zh" else "illustrative data",
                     fontsize=8, color="#a93226",
                     ha="right", weight="bold",
                     bbox={"boxstyle": "round,pad=0.3", "facecolor": "#fdedec",
                           "edgecolor": "#a93226"})
        self.fig, self.y = fig, _TOP
        return fig

    def flush(self) -> None:
        if self.fig is not None:
            self.pdf.savefig(self.fig)
            self.fig.clear()
            self.fig = None

    def need(self, height: float) -> Figure:
        if self.fig is None or self.y - height < _BOTTOM:
            return self.new_page()
        return self.fig

    # content
    def text(self, text: str, *, size: float = 9.5, weight: str = "normal",
             color: str = "#222222", gap: float = 0.006, box: dict | None = None) -> None:
        width_em = (_RIGHT - _LEFT) * _PT_PER_FIG_X / size
        lines = _wrap(text, width_em)
        line_h = size * 1.45 / _PT_PER_FIG_Y
        for i in range(0, len(lines), 40):
            chunk = lines[i:i + 40]
            fig = self.need(line_h * len(chunk) + gap)
            fig.text(_LEFT, self.y, "\n".join(chunk), fontsize=size, weight=weight,
                     color=color, va="top", linespacing=1.45, bbox=box)
            self.y -= line_h * len(chunk) + gap

    def table(self, t: Table, n: int) -> None:
        size = 7.0
        em = size / _PT_PER_FIG_X  # one em in figure-x fraction
        avail = _RIGHT - _LEFT
        nat = [max([sum(_w(c) for c in col)] + [sum(_w(c) for c in r[j].text) for r in t.rows])
               + 1.0 for j, col in enumerate(t.columns)]
        widths = [x * em for x in _fit_widths(nat, avail / em)]
        line_h = size * 1.35 / _PT_PER_FIG_Y
        pad = 0.35 * line_h

        def cell_lines(text: str, j: int, max_lines: int = 4) -> list[str]:
            lines = _wrap(text, widths[j] / em - 0.8)
            if len(lines) > max_lines:  # the HTML report has the full text
                lines = lines[:max_lines]
                lines[-1] = lines[-1][:-1] + "…"
            return lines

        header = [cell_lines(c, j) for j, c in enumerate(t.columns)]
        cap = f"{tr('table', self.doc.lang)} {n}. {t.caption}"
        hh = max(len(h) for h in header) * line_h + 2 * pad
        self.need(hh + 3 * line_h + 0.02)
        self.text(cap, size=8.5, weight="bold", gap=0.004)

        def draw_header() -> None:
            fig = self.need(hh)
            fig.add_artist(Rectangle((_LEFT, self.y - hh), avail, hh, facecolor="#eaf2f8",
                                     edgecolor="none", transform=fig.transFigure))
            x = _LEFT
            for j, h in enumerate(header):
                right = j < len(t.numeric) and t.numeric[j]
                fig.text(x + widths[j] - 0.4 * em if right else x + 0.4 * em, self.y - pad,
                         "\n".join(h), fontsize=size, weight="bold", va="top",
                         linespacing=1.35, ha="right" if right else "left")
                x += widths[j]
            self.y -= hh
            fig.add_artist(Line2D([_LEFT, _RIGHT], [self.y, self.y], linewidth=0.6,
                                  color="#555555", transform=fig.transFigure))

        draw_header()
        for row in t.rows:
            lines = [cell_lines(r.text, j) for j, r in enumerate(row)]
            rh = max(len(x) for x in lines) * line_h + 2 * pad
            if self.y - rh < _BOTTOM:
                self.new_page()
                draw_header()
            fig = self.fig or self.new_page()
            x = _LEFT
            for j, cl in enumerate(lines):
                right = row[j].value is not None and j < len(t.numeric) and t.numeric[j]
                fig.text(x + widths[j] - 0.4 * em if right else x + 0.4 * em, self.y - pad,
                         "\n".join(cl), fontsize=size, va="top", linespacing=1.35,
                         ha="right" if right else "left",
                         weight="bold" if _is_total(row) else "normal")
                x += widths[j]
            self.y -= rh
            fig.add_artist(Line2D([_LEFT, _RIGHT], [self.y, self.y], linewidth=0.3,
                                  color="#bbbbbb", transform=fig.transFigure))
        self.y -= 0.015


def write_pdf(doc: Document, path: Path, *, overwrite: bool = False) -> Path:
    """Write the report as a multi-page PDF (A4 text/table pages + landscape map pages)."""
    lang = doc.lang
    with mpl.rc_context(carto.rc_params()), atomic_path(path, overwrite=overwrite) as tmp, \
            PdfPages(tmp, metadata={"Title": tr("report_title", lang),
                                    "Creator": "ordos_geo"}) as pdf:
        w = _PdfWriter(pdf, doc)
        w.new_page()
        w.text(tr("report_title", lang), size=17, weight="bold", gap=0.01)
        w.text(f"{tr('subtitle', lang)} {tr('plan_name', lang)}", size=10, color="#444444")
        meta = f"{tr('generated', lang)}: {doc.date}"
        if doc.results_dir:
            meta += f" · {tr('results_dir', lang)}: {doc.results_dir}"
        w.text(meta, size=8.5, color="#555555", gap=0.015)
        if doc.illustrative:
            w.text(tr("stamp", lang), size=9.5, weight="bold", color="#a93226", gap=0.02,
                   box={"boxstyle": "round,pad=0.5", "facecolor": "#fdedec",
                        "edgecolor": "#a93226"})
        n_tab = 0
        # page 1: the summary (headline figures); then every map and chart; then the
        # other sections; layer provenance and methods last, as appendices
        figures = [k for sec in doc.sections for k in sec.figures if k in doc.maps]
        for i, sec in enumerate(doc.sections):
            w.need(0.12)
            w.text(sec.title, size=13, weight="bold", color="#1b4f72", gap=0.012)
            for m in sec.missing:
                w.text(f"{tr('not_computed', lang)}: {m}", size=9, color="#9c640c")
            for para in sec.paragraphs:
                w.text("".join(r.text for r in para), gap=0.01)
            for t in sec.tables:
                n_tab += 1
                w.table(t, n_tab)
            if i == 0:
                w.flush()
                for j, key in enumerate(figures, 1):
                    mf = doc.maps[key]
                    mf.figure.text(0.985, 0.02, f"{tr('figure', lang)} {j}", ha="right",
                                   fontsize=8, color="#666666")
                    pdf.savefig(mf.figure)
                w.page += len(figures)  # map pages count in the page numbers
        w.flush()
        pages = w.page
    log.info("wrote %s (%d pages)", path, pages)
    return Path(path)

