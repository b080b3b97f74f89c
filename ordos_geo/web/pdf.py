"""The one-project PDF report of the web page: verdict, rules with clauses and quotes, a map.

Drawn with matplotlib's object API (no pyplot state) in the report's CJK font
(:mod:`ordos_geo.report.fonts`), colours from :mod:`ordos_geo.maps.styles`. The map
is in the working equal-area CRS (metres), with a 1 km grid of ticks; it shows the
footprint in its verdict colour, the conflicting parts and the compliant remainder.
"""

from __future__ import annotations

import io
import logging
import unicodedata
from typing import Any

from ordos_geo.i18n import Lang

__all__ = ["project_pdf"]

log = logging.getLogger(__name__)

_SEV = {"zh": {"prohibited": "禁止", "restricted": "限制", "review": "审查",
               "compliant": "合规", "encouraged": "鼓励"},
        "en": {"prohibited": "prohibited", "restricted": "restricted", "review": "review",
               "compliant": "compliant", "encouraged": "encouraged"}}
_TXT: dict[str, dict[str, Any]] = {
    "zh": {"title": "建设项目选址研判报告", "verdict": "研判结论", "area": "占地面积",
           "rules": "命中规则(条款与原文)", "none": "未命中禁止、限制或审查类规则。",
           "fix": "修正建议:避开禁止区后可保留", "map": "项目位置(等积投影,米)",
           "legend": ("项目范围", "冲突部分", "可保留部分"), "units": "三线一单单元",
           "note": "说明", "tool": "由 ordos-geo 生成;研判结果仅供初筛参考,以主管部门审查为准。",
           "overlap": "重叠", "distance": "距离"},
    "en": {"title": "Project siting screening report", "verdict": "Verdict",
           "area": "Footprint", "rules": "Rules hit (clause and quote)",
           "none": "No prohibited, restricted or review rule hit.",
           "fix": "Fix hint: remainder outside prohibited zones",
           "map": "Project location (equal-area CRS, metres)",
           "legend": ("footprint", "conflicting part", "compliant remainder"),
           "units": "三线一单 units", "note": "Notes",
           "tool": "Made with ordos-geo; a first screening, not an approval.",
           "overlap": "overlap", "distance": "distance"},
}


def _wrap(text: str, width: int) -> list[str]:
    """Wrap ``text`` to ``width`` half-width cells (CJK characters count 2).

    Latin words are kept whole when a space is near the end of the line.

    >>> _wrap("abc def ghi", 8)
    ['abc def', 'ghi']
    >>> _wrap("生态保护红线", 6)
    ['生态保', '护红线']
    """
    def cells(s: str) -> int:
        return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)

    lines: list[str] = []
    for para in str(text).splitlines() or [""]:
        cur = ""
        for ch in para:
            if cells(cur + ch) > width:
                cut = cur.rfind(" ")
                if ch != " " and cut > len(cur) * 0.6 and cur[-1:].isascii():
                    lines.append(cur[:cut])
                    cur = cur[cut + 1:]
                else:
                    lines.append(cur.rstrip())
                    cur = ""
                if ch == " " and not cur:
                    continue
            cur += ch
        lines.append(cur)
    return lines


def _draw_map(ax: Any, result: Any, index: int, colours: dict[str, str]) -> None:
    import geopandas as gpd
    from matplotlib.patches import Patch

    from ordos_geo.maps.styles import RESULT_STYLES, verdict_colour

    pr = result.projects.iloc[[index]]
    pid = pr["id"].iloc[0]
    hits = result.hits[(result.hits["_pidx"] == index)
                       & result.hits["severity"].isin(["prohibited", "restricted"])]
    fix = result.fix_hints[result.fix_hints["project_id"] == pid]
    colour = verdict_colour(pr["verdict"].iloc[0])
    geom_kind = pr.geometry.iloc[0].geom_type
    if geom_kind == "Point":
        pr.buffer(300).plot(ax=ax, facecolor="none", edgecolor="none")  # frame the point
        pr.plot(ax=ax, color=colour, markersize=80, edgecolor="white", zorder=3)
    else:
        pr.plot(ax=ax, facecolor="none", edgecolor=colour, linewidth=2.2, zorder=3)
    conflict = str(RESULT_STYLES["conflict_parts"]["color"])
    rem = RESULT_STYLES["remainders"]
    parts = gpd.GeoDataFrame(hits, geometry="geometry")
    parts = parts[parts.geometry.notna() & ~parts.geometry.is_empty
                  & parts.geom_type.isin(["Polygon", "MultiPolygon"])]
    if len(parts):
        parts.plot(ax=ax, facecolor=colours["prohibited"], edgecolor=conflict, alpha=0.6,
                   hatch="///", linewidth=0.8)
    if len(fix):
        fix.plot(ax=ax, facecolor=str(rem["fillColor"]), edgecolor=str(rem["color"]),
                 alpha=0.5, linestyle="--", linewidth=1.2)
    ax.set_aspect("equal")
    ax.ticklabel_format(style="plain", useOffset=False)
    ax.tick_params(labelsize=6)
    ax.grid(True, linewidth=0.3, color="#bbbbbb")
    lg = _TXT["zh"]["legend"] if colours.get("_lang") == "zh" else _TXT["en"]["legend"]
    ax.legend(handles=[Patch(facecolor="none", edgecolor=colour, linewidth=2, label=lg[0]),
                       Patch(facecolor=colours["prohibited"], alpha=0.6, hatch="///",
                             edgecolor=conflict, label=lg[1]),
                       Patch(facecolor=str(rem["fillColor"]), alpha=0.5,
                             edgecolor=str(rem["color"]), linestyle="--", label=lg[2])],
              loc="lower right", fontsize=7, framealpha=0.9)


def project_pdf(result: Any, index: int, *, lang: Lang = "zh") -> bytes:
    """Render the PDF report of project ``index`` of a screening result.

    Parameters
    ----------
    result
        :class:`ordos_geo.zoning.ScreeningResult` (geometry in the working CRS).
    index
        Row of ``result.projects`` (0-based, the order of the check JSON).
    lang
        ``"zh"`` or ``"en"`` headings (rule titles and quotes stay in Chinese: they
        are the legal text).

    Returns
    -------
    bytes
        A PDF of one page (two when many rules are hit), fonts embedded (Type 42).
    """
    from matplotlib import rc_context
    from matplotlib.backends.backend_pdf import PdfPages
    from matplotlib.figure import Figure
    from matplotlib.patches import FancyBboxPatch

    from ordos_geo.maps.styles import VERDICT_COLOURS, verdict_colour
    from ordos_geo.report.fonts import rc_params
    from ordos_geo.zoning.outputs import summary_dict

    t = _TXT[lang]
    sev = _SEV[lang]
    p = result.projects.iloc[index]
    hits = result.hits[result.hits["_pidx"] == index]
    shown = hits[hits["severity"] != "encouraged"]
    enc = hits[hits["severity"] == "encouraged"]
    fix = result.fix_hints[result.fix_hints["project_id"] == p["id"]]
    colours = {**VERDICT_COLOURS, "_lang": lang}
    lines: list[tuple[str, float, str, bool]] = []  # text, size, colour, bold

    def add(text: str, size: float = 8.5, colour: str = "#222222", bold: bool = False) -> None:
        # half-width cells per line: ~480 pt of text width, a cell ≈ 0.6 em
        for ln in _wrap(text, int(480 / (size * (0.66 if bold else 0.6)))):
            lines.append((ln, size, colour, bold))

    add(t["rules"], 10, bold=True)
    if len(shown) == 0:
        add(t["none"])
    for h in shown.itertuples():
        ov = (f"{t['overlap']} {h.overlap_ha:.2f} ha / {h.overlap_mu:.1f} 亩"
              if h.overlap_ha == h.overlap_ha and h.overlap_ha > 0 else "")
        dist = (f"{t['distance']} {h.distance_m:.0f} m"
                if h.distance_m == h.distance_m and h.distance_m is not None else "")
        add(f"[{sev.get(h.severity, h.severity)}] {h.rule_id} {h.title_zh}  "
            f"{' · '.join(x for x in (ov, dist) if x)}", 8.5,
            verdict_colour(h.severity) if h.severity != "review" else "#8a6d00", bold=True)
        add(f"{h.doc_no} {h.clause}", 7.5, "#444444")
        add(f"“{h.quote}”", 7.5, "#444444")
        add(str(h.message_zh if lang == "zh" else h.message_en), 7.5)
    if len(enc):
        add(("鼓励事项: " if lang == "zh" else "Encouraged: ") +
            "; ".join(f"{r.rule_id} {r.title_zh}" for r in enc.itertuples()), 8, "#2c7bb6")
    for f in fix.itertuples():
        add(f"{t['fix']} {f.remainder_ha:.2f} ha / {f.remainder_mu:.1f} 亩 "
            f"({f.remainder_share:.0%}) — {f.note}", 8.5, "#08306b", bold=True)
    notes = summary_dict(result)["notes"]
    if notes:
        add(t["note"], 9, bold=True)
        for n in notes:
            add("• " + n, 7.5, "#666666")
    add(t["tool"], 7, "#888888")

    buf = io.BytesIO()
    with rc_context(rc_params()), PdfPages(buf, metadata={"Title": f"{t['title']} {p['id']}",
                                                          "Creator": "ordos-geo"}) as pdf:
        fig = Figure(figsize=(8.27, 11.69))
        fig.text(0.07, 0.955, t["title"], fontsize=16, weight="bold")
        fig.text(0.07, 0.93, f"{p['id']}  {p['name']}", fontsize=11)
        v = str(p["verdict"])
        fig.patches.append(FancyBboxPatch((0.07, 0.875), 0.27, 0.04,
                                          boxstyle="round,pad=0.005",
                                          transform=fig.transFigure, color=verdict_colour(v)))
        fig.text(0.085, 0.886, f"{t['verdict']}: {sev.get(v, v)}", fontsize=13, weight="bold",
                 color="#111111" if v == "review" else "white")
        cap = "" if p["capacity"] != p["capacity"] or p["capacity"] is None else (
            f"{p['capacity']:g} {p['capacity_unit'] or ''}")
        attrs = " · ".join(str(x) for x in (p["industry"], p["stage"], cap)
                           if x is not None and x == x and str(x))
        fig.text(0.37, 0.897, f"{t['area']}: {p['area_ha']:.2f} ha / {p['area_mu']:.1f} 亩   "
                 f"{attrs}", fontsize=9)
        fig.text(0.37, 0.880, f"{t['units']}: {p.get('control_units', '') or '-'}", fontsize=8,
                 color="#444444")
        ax = fig.add_axes((0.12, 0.53, 0.78, 0.31))
        _draw_map(ax, result, index, colours)
        ax.set_title(t["map"], fontsize=8, loc="left")
        y = 0.485
        for text, size, colour, bold in lines:
            if y < 0.04:
                pdf.savefig(fig)
                fig = Figure(figsize=(8.27, 11.69))
                y = 0.95
            fig.text(0.07, y, text, fontsize=size, color=colour,
                     weight="bold" if bold else "normal")
            y -= size / 72 / 11.69 * 1.45
        pdf.savefig(fig)
    log.info("project %s: PDF report, %d bytes", p["id"], buf.tell())
    return buf.getvalue()
