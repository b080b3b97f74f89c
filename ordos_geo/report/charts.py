"""Charts of siting results (not maps): the supply curve of candidate sites.

``supply_curve_figure`` draws ``{kind}_supply_curve.csv`` (written by ``ordos-geo siting
{kind}``): levelised cost (CNY/kWh) against cumulative capacity (GW), cheapest sites
first, for the city (thick step line) and within each banner (thin lines), with the
plan's 2025 target (50 GW, all renewables) and the installed new-energy capacity at
end-2025 (27.79 GW) marked, and the resource's source in the footnote. Built with the
object-oriented matplotlib API (no pyplot).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Literal

import matplotlib as mpl
import numpy as np
from matplotlib.figure import Figure

from ordos_geo.io import results as results_io
from ordos_geo.io.atomic import check_output_path
from ordos_geo.report import cartography as carto
from ordos_geo.report.cartography import ILLUSTRATIVE_STAMP, ILLUSTRATIVE_STAMP_LANG, MapFigure

__all__ = ["chart_names", "supply_curve_figure", "write_supply_curve_png"]

log = logging.getLogger(__name__)

ChartLang = Literal["zh", "en", "both"]

_TEXT = {
    "title": {"pv": ("光伏供给曲线", "PV supply curve"),
              "wind": ("风电供给曲线", "Wind supply curve")},
    "x": ("累计装机 (GW)", "cumulative capacity (GW)"),
    "y": ("平准化度电成本 LCOE (元/kWh)", "levelised cost LCOE (CNY/kWh)"),
    "city": ("全市", "city"),
    "target": ("2025 目标 {v:g} GW (全部可再生能源)", "2025 target {v:g} GW (all renewables)"),
    "installed": ("2025 年底已装机 {v:g} GW", "installed end-2025 {v:g} GW"),
    "resource": ("资源数据: {v}", "resource: {v}"),
    "sites": ("{n} 个候选场址, {gw:.1f} GW", "{n} candidate sites, {gw:.1f} GW"),
}


def _t(key: str, lang: ChartLang, kind: str | None = None, **fmt: Any) -> str:
    entry = _TEXT[key]
    pair = entry[kind] if isinstance(entry, dict) and kind else entry
    zh, en = (s.format(**fmt) for s in pair)  # type: ignore[union-attr]
    return zh if lang == "zh" else en if lang == "en" else f"{zh} / {en}"


def supply_curve_figure(results_dir: Path, kind: str, *, lang: ChartLang = "both"
                        ) -> MapFigure | None:
    """The supply-curve chart of ``kind`` from the results in ``results_dir``.

    Returns
    -------
    MapFigure or None
        Key ``{kind}_supply_curve``; None when the CSV is missing (not computed).
    """
    df = results_io.read_csv(results_dir, f"{kind}_supply_curve.csv")
    if df is None:
        return None
    s = results_io.read_json(results_dir, f"{kind}_summary.json") or {}
    carto.get_cjk_font()
    title = _t("title", lang, kind)
    df = df[np.isfinite(df["lcoe_cny_per_kwh"].astype(float))]
    x = np.concatenate([[0.0], df["cumulative_gw"].to_numpy(float)])
    y = df["lcoe_cny_per_kwh"].to_numpy(float)
    banner_col = "banner_zh" if lang != "en" else "banner_en"
    with mpl.rc_context(carto.rc_params()):
        fig = Figure(figsize=(8.0, 5.2))
        ax = fig.add_subplot(1, 1, 1)
        if len(df):
            for i, (name, g) in enumerate(df.groupby(banner_col, sort=True)):
                gx = np.concatenate([[0.0], g["cumulative_gw_banner"].to_numpy(float)])
                ax.step(gx, np.concatenate([g["lcoe_cny_per_kwh"].to_numpy(float)[:1],
                                            g["lcoe_cny_per_kwh"].to_numpy(float)]),
                        where="pre", lw=0.9, alpha=0.85, color=mpl.colormaps["tab10"](i % 10),
                        label=str(name))
            ax.step(x, np.concatenate([y[:1], y]), where="pre", lw=2.4, color="#222222",
                    label=_t("city", lang))
        target = s.get("target_gw")
        installed = s.get("installed_gw_2025")
        for v, key, style in ((target, "target", "--"), (installed, "installed", ":")):
            if isinstance(v, int | float):
                ax.axvline(float(v), color="#555555", ls=style, lw=1.2)
                ax.annotate(_t(key, lang, v=float(v)), (float(v), 1.0),
                            xycoords=("data", "axes fraction"), rotation=90, va="top",
                            ha="right", fontsize=7.5, color="#333333",
                            xytext=(-2, -4), textcoords="offset points")
        ax.set_xlabel(_t("x", lang))
        ax.set_ylabel(_t("y", lang))
        ax.set_title(title, fontsize=11)
        ax.set_xlim(left=0)
        ax.grid(True, lw=0.4, alpha=0.5)
        ax.legend(fontsize=7, loc="lower right", ncol=2, frameon=True)
        src = s.get("resource_source") or {}
        foot = [_t("sites", lang, n=len(df), gw=float(x[-1]) if len(x) else 0.0)]
        if src:
            if lang == "both":
                foot.append(f"资源数据: {src.get('zh')}")
                foot.append(f"resource: {src.get('en')}")
            else:
                foot.append(_t("resource", lang, v=src.get(lang)))
        illustrative = s.get("provenance") == "illustrative"
        if illustrative:
            foot.append(ILLUSTRATIVE_STAMP if lang == "both"
                        else ILLUSTRATIVE_STAMP_LANG[lang])
        fig.text(0.01, 0.01, "\n".join(foot), fontsize=6.5, va="bottom", ha="left",
                 color="#333333", wrap=True)
        fig.subplots_adjust(left=0.1, right=0.97, top=0.92, bottom=0.2)
    return MapFigure(f"{kind}_supply_curve", title, fig, illustrative=illustrative)


def chart_names(kind: str) -> list[str]:
    """Chart files the siting commands write next to the results of ``kind``."""
    return [f"{kind}_supply_curve.png"]


def write_supply_curve_png(results_dir: Path, kind: str, path: Path, *,
                           lang: ChartLang = "both", dpi: int = 150,
                           overwrite: bool = False) -> Path | None:
    """Write the supply-curve chart as PNG (atomic); None when there is no curve.

    Without a CJK font (Debian ``fonts-noto-cjk``) the chart is skipped with a warning:
    the CSV holds the same numbers.
    """
    from ordos_geo.report.figures import render_image, write_png
    from ordos_geo.report.fonts import FontNotFoundError

    check_output_path(path, overwrite=overwrite)
    try:
        mf = supply_curve_figure(results_dir, kind, lang=lang)
    except FontNotFoundError as exc:
        log.warning("%s not drawn: %s", path.name, exc)
        return None
    if mf is None:
        return None
    img = render_image(mf, dpi)
    mf.figure.clear()
    return write_png(path, img, dpi, overwrite=overwrite)
