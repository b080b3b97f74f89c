"""Static report (HTML + PDF + PNG maps) built from the result files of the other commands.

Numbers come only from the files ``ordos-geo siting`` / ``check`` / ``run`` wrote (see
docs/DESIGN.md "Result files"): ``{pv,wind}_summary.json``,
``{pv,wind}_capacity_by_banner.csv``, ``{pv,wind}_sites.gpkg``, ``{pv,wind}_score.tif``,
``{pv,wind}_exclusions.csv``, ``conflicts.csv``, ``conflicts.gpkg``,
``screening_summary.json`` and ``layers_summary.csv``. A missing file turns its
section into a visible "not computed" note; a present but unreadable one stops with a
one-line error (read through :mod:`ordos_geo.io.results`); columns are read defensively.

The report is one document model (:class:`Section` / :class:`Table` / :class:`Run`)
rendered twice, to self-contained HTML and to a multi-page PDF
(:mod:`ordos_geo.report.render`), so both show the same numbers.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Sequence
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ordos_geo.errors import OutputError
from ordos_geo.i18n import PROVENANCE_ZH, Lang
from ordos_geo.io import results as results_io
from ordos_geo.report import cartography as carto
from ordos_geo.report import figures as static
from ordos_geo.report.model import (
    Run,
    Section,
    Table,
    cell,
    df_table,
    flatten,
    get_first,
    is_num,
    num_run,
)
from ordos_geo.report.text import tr

__all__ = [
    "ReportData",
    "ReportResult",
    "Run",
    "Section",
    "Table",
    "build_report",
    "build_sections",
    "load_results",
]

log = logging.getLogger(__name__)

FORMATS = ("html", "pdf", "png")
#: Plan figures used only when a summary file does not carry them (鄂环发〔2023〕76号 二(六)1;
#: installed capacity end-2025 from DATA.md §2).
PLAN_TARGET_GW = 50.0
INSTALLED_GW_2025 = 27.79
KINDS = ("pv", "wind")
#: The maps a report may draw (one PNG and one PDF each).
MAP_KEYS = ("overview", "pv_suitability", "wind_suitability", "sites", "screening")


# --------------------------------------------------------------------------- results


@dataclass
class ReportData:
    """Everything read from a results folder (None = file missing)."""

    results_dir: Path | None
    summaries: dict[str, dict[str, Any] | None]
    capacity: dict[str, pd.DataFrame | None]
    sites: dict[str, pd.DataFrame | None]
    exclusions: dict[str, pd.DataFrame | None]
    projects: pd.DataFrame | None
    hits: pd.DataFrame | None
    screening: dict[str, Any] | None
    layers: pd.DataFrame | None
    supply: dict[str, pd.DataFrame | None] = field(default_factory=dict)


@dataclass
class ReportResult:
    """What :func:`build_report` wrote.

    Attributes
    ----------
    out_dir
        Output folder.
    paths
        Files written (HTML, PDF, PNG/PDF maps).
    missing
        Result files that were absent (their sections say "not computed").
    illustrative
        True if any drawn layer or result was illustrative.
    """

    out_dir: Path
    paths: list[Path]
    missing: list[str]
    illustrative: bool


# --------------------------------------------------------------------------- loading


# One policy (ordos_geo.io.results): missing → None ("not computed"); present but
# unreadable → LayerIOError naming the file and the command that rewrites it.
def _csv(path: Path) -> pd.DataFrame | None:
    df: pd.DataFrame | None = results_io.read_csv(path.parent, path.name, dtype={"adcode": str})
    return df


def _json(path: Path) -> dict[str, Any] | None:
    return results_io.read_json(path.parent, path.name)


def _gpkg_table(path: Path, layer: str) -> pd.DataFrame | None:
    df: pd.DataFrame | None = results_io.read_layer(path.parent, path.name, layer,
                                                    geometry=False)
    return df


def load_results(results_dir: Path | None) -> ReportData:
    """Read every result file the report uses from ``results_dir`` (missing → None)."""
    if results_dir is None:
        return ReportData(None, dict.fromkeys(KINDS), dict.fromkeys(KINDS),
                          dict.fromkeys(KINDS), dict.fromkeys(KINDS), None, None, None, None)
    d = Path(results_dir)
    hits = _gpkg_table(d / "conflicts.gpkg", "hits")
    if hits is None:
        hits = _csv(d / "conflicts.csv")
    return ReportData(
        results_dir=d,
        summaries={k: _json(d / f"{k}_summary.json") for k in KINDS},
        capacity={k: _csv(d / f"{k}_capacity_by_banner.csv") for k in KINDS},
        sites={k: _gpkg_table(d / f"{k}_sites.gpkg", "sites") for k in KINDS},
        exclusions={k: _csv(d / f"{k}_exclusions.csv") for k in KINDS},
        supply={k: _csv(d / f"{k}_supply_curve.csv") for k in KINDS},
        projects=_gpkg_table(d / "conflicts.gpkg", "projects"),
        hits=hits,
        screening=_json(d / "screening_summary.json"),
        layers=_csv(d / "layers_summary.csv"),
    )


# --------------------------------------------------------------------------- sections


def _summary_section(data: ReportData, lang: Lang) -> Section:
    sec = Section("summary", tr("sec_summary", lang), figures=["overview"])
    rows: list[list[Run]] = []
    total_gw = 0.0
    have = False
    target: Any = None
    installed: Any = None
    for kind in KINDS:
        s = data.summaries[kind]
        if s is None:
            sec.missing.append(f"{kind}_summary.json")
            continue
        have = True
        elig = get_first(s, "eligible_km2")
        tot = get_first(s, "total_km2")
        share = 100.0 * float(elig) / float(tot) if is_num(elig) and is_num(tot) and tot else None
        cap = get_first(s, "capacity_gw")
        if is_num(cap):
            total_gw += float(cap)
        target = target if target is not None else get_first(s, "target_gw")
        installed = installed if installed is not None else get_first(s, "installed_gw_2025")
        n_sites = get_first(s, "sites", "n_sites")
        if isinstance(n_sites, list):
            n_sites = len(n_sites)
        rows.append([Run(tr(kind, lang)), num_run(elig, f"{kind}.eligible_km2"),
                     num_run(tot, f"{kind}.total_km2"),
                     num_run(round(share, 2) if share is not None else None, f"{kind}.share"),
                     num_run(n_sites, f"{kind}.sites"), num_run(cap, f"{kind}.capacity_gw"),
                     num_run(_technical_gw(s), f"{kind}.technical_potential_gw")])
    if not have:
        return sec
    sec.tables.append(Table("summary", tr("tab_summary", lang),
                            [tr(c, lang) for c in ("col_kind", "col_eligible", "col_total",
                                                   "col_share", "col_sites", "col_cap_gw",
                                                   "col_tech_gw")],
                            rows, [False, True, True, True, True, True, True]))
    from_file = target is not None
    target_v = float(target) if is_num(target) else PLAN_TARGET_GW
    inst_v = float(installed) if is_num(installed) else INSTALLED_GW_2025
    gap = target_v - inst_v
    sec.paragraphs.append([
        Run(tr("p_potential", lang)), num_run(round(total_gw, 3), "total.capacity_gw"),
        Run(tr("p_gw_vs_target", lang)), num_run(target_v, "plan.target_gw"),
        Run(tr("p_target_open", lang)), Run(tr("plan_clause", lang), data=True),
        Run(tr("p_target_close", lang)), Run(tr("p_installed", lang)),
        num_run(inst_v, "plan.installed_gw_2025"), Run(tr("p_gap", lang)),
        num_run(round(gap, 2), "plan.gap_gw"), Run(tr("p_ratio", lang)),
        num_run(round(total_gw / gap, 2) if gap > 0 else None, "plan.potential_over_gap"),
        Run(tr("p_ratio_end", lang)),
    ])
    if not from_file:
        sec.paragraphs.append([Run(tr("p_plan_default", lang))])
    sec.paragraphs.append([Run(tr("p_potential_caveat", lang))])
    return sec


def _technical_gw(summary: dict[str, Any]) -> Any:
    """All-eligible-land technical potential (GW) from a siting summary, if recorded."""
    tp = summary.get("technical_potential")
    return tp.get("all_eligible_gw") if isinstance(tp, dict) else None


def _banner_section(data: ReportData, lang: Lang) -> Section:
    sec = Section("banners", tr("sec_banners", lang))
    name = "name_zh" if lang == "zh" else "name_en"
    for kind in KINDS:
        df = data.capacity[kind]
        if df is None:
            sec.missing.append(f"{kind}_capacity_by_banner.csv")
            continue
        sec.tables.append(df_table(
            df, f"{kind}_banners", tr(f"tab_{kind}_banners", lang), lang,
            [name, "adcode", "n_sites", "area_km2", "capacity_mw"], key_col="adcode"))
    return sec


def _sites_section(data: ReportData, lang: Lang, top_n: int) -> Section:
    sec = Section("sites", tr("sec_sites", lang),
                  figures=["sites", "pv_supply_curve", "wind_supply_curve"])
    for kind in KINDS:
        df = data.sites[kind]
        if df is None:
            sec.missing.append(f"{kind}_sites.gpkg")
            continue
        order = next((c for c in ("capacity_mw", "area_km2", "mean_score") if c in df.columns),
                     None)
        if order:
            df = df.sort_values(order, ascending=False)
        banner = "banner_zh" if lang == "zh" else "banner_en"
        sec.tables.append(df_table(
            localise(df, lang), f"{kind}_sites",
            tr(f"tab_{kind}_sites", lang).format(n=min(top_n, len(df)), total=len(df)), lang,
            ["site_id", banner, "banner", "area_km2", "mean_score", "n_turbines", "capacity_mw",
             "full_load_hours", "lcoe_cny_per_kwh", "preferred"],
            key_col="site_id", max_rows=top_n))
    for kind in KINDS:
        s = data.summaries[kind] or {}
        sup = s.get("supply") or {}
        src = s.get("resource_source") or {}
        site_df = data.sites[kind]
        if (sup.get("lcoe_cny_per_kwh_min") is not None and site_df is not None
                and "lcoe_cny_per_kwh" in site_df.columns):
            lc = site_df["lcoe_cny_per_kwh"]
            sec.paragraphs.append([Run(tr("p_supply", lang).format(
                kind=tr(kind, lang), gw=float(s.get("capacity_gw") or 0.0),
                twh=float(s.get("annual_energy_twh") or 0.0),
                flh=float(sup.get("full_load_hours_mean") or 0.0),
                lo=float(lc.min()), hi=float(lc.max()),
                med=float(sup["lcoe_cny_per_kwh_median"]),
                src=src.get(lang, src.get("en", "?"))))])
        curve = s.get("threshold_curve")
        if curve:
            sec.tables.append(df_table(pd.DataFrame(curve), f"{kind}_curve",
                                       tr(f"tab_{kind}_curve", lang), lang,
                                       ["min_score", "sites", "area_km2", "gw"],
                                       key_col="min_score"))
        sup_df = data.supply.get(kind)
        if sup_df is not None and len(sup_df):
            banner = "banner_zh" if lang == "zh" else "banner_en"
            sec.tables.append(df_table(
                sup_df, f"{kind}_supply", tr(f"tab_{kind}_supply", lang).format(
                    n=min(top_n, len(sup_df)), total=len(sup_df)), lang,
                ["rank", "site_id", banner, "capacity_mw", "full_load_hours",
                 "grid_distance_km", "lcoe_cny_per_kwh", "cumulative_gw"],
                key_col="site_id", max_rows=top_n))
    return sec


def _suitability_section(data: ReportData, lang: Lang) -> Section:
    sec = Section("suitability", tr("sec_suitability", lang),
                  figures=["pv_suitability", "wind_suitability"])
    for kind in KINDS:
        df = data.exclusions[kind]
        if df is None:
            sec.missing.append(f"{kind}_exclusions.csv")
            continue
        sec.tables.append(df_table(localise(df, lang), f"{kind}_exclusions",
                                   tr(f"tab_{kind}_excl", lang), lang,
                                   ["code", "reason", "buffer_m", "first_km2", "total_km2",
                                    "area_km2_first", "area_km2_total", "provenance",
                                    "source"], key_col="code"))
    return sec


#: zh labels of layer kinds (result and catalog tables); provenance: i18n.PROVENANCE_ZH.
KIND_ZH = {"vector": "矢量", "raster": "栅格", "pv": "光伏", "wind": "风电"}


def _code_maps(lang: Lang) -> dict[str, dict[str, str]]:
    """Column → {code: label} for the reader's language (codes stay codes in files)."""
    from ordos_geo.io.projects import INDUSTRY_ZH, STAGE_ZH
    from ordos_geo.zoning.outputs import VERDICT_ZH

    if lang == "zh":
        return {"industry": INDUSTRY_ZH, "stage": STAGE_ZH, "verdict": VERDICT_ZH,
                "severity": VERDICT_ZH, "provenance": PROVENANCE_ZH, "kind": KIND_ZH}
    back = {v: k for k, v in VERDICT_ZH.items()}
    return {"verdict": back, "severity": back,
            "industry": {v: k for k, v in INDUSTRY_ZH.items()},
            "stage": {v: k for k, v in STAGE_ZH.items()},
            "provenance": {v: k for k, v in PROVENANCE_ZH.items()}}


def _has_cjk(text: str) -> bool:
    return any("\u3400" <= ch <= "\u9fff" for ch in text)


def one_language(text: object, lang: Lang) -> object:
    """The ``lang`` half of a bilingual label such as ``"生态保护红线 ecological red line"``
    or ``"Barren 裸地"``; text in one language only is returned unchanged.

    Examples
    --------
    >>> one_language("生态保护红线 ecological protection red line", "zh")
    '生态保护红线'
    >>> one_language("Barren 裸地", "en")
    'Barren'
    >>> one_language("旗府/镇 1 km settlement area", "en")
    '1 km settlement area'
    """
    if not isinstance(text, str) or not _has_cjk(text):
        return text
    words = text.split()
    has_latin = [any("a" <= ch.lower() <= "z" for ch in w) and not _has_cjk(w) for w in words]
    if not any(has_latin):
        return text
    if lang == "zh":
        keep = [w for w, lat in zip(words, has_latin, strict=True) if not lat]
        # keep numbers and units between Chinese words ("1 km" after 旗府/镇 goes)
        out = " ".join(w for w in keep if _has_cjk(w) or not w.replace(".", "").isdigit())
        return out.strip() or text
    keep = [w for w in words if not _has_cjk(w)]
    return " ".join(keep).strip() or text


def localise(df: pd.DataFrame, lang: Lang) -> pd.DataFrame:
    """Codes translated and bilingual labels reduced to the reader's language (a copy)."""
    out = df.copy()
    for col, table in _code_maps(lang).items():
        if col in out.columns:
            out[col] = [table.get(str(v), v) if isinstance(v, str) else v for v in out[col]]
    for col in ("reason", "landcover_label", "main_exclusion"):
        if col in out.columns:
            out[col] = pd.Series([one_language(v, lang) for v in out[col]], index=out.index,
                                 dtype=object)
    return out


def _by_severity(df: pd.DataFrame, col: str) -> pd.DataFrame:
    """Rows sorted worst verdict/severity first (stable), unknown values last."""
    if col not in df.columns:
        return df
    rank = {k: i for i, k in enumerate(static.VERDICTS)}
    keys = [rank.get(static.normalise_verdict(v), len(rank)) for v in df[col]]
    return df.assign(_rank=keys).sort_values("_rank", kind="stable").drop(columns="_rank")


def _screening_section(data: ReportData, lang: Lang, max_rows: int) -> Section:
    sec = Section("screening", tr("sec_screening", lang), figures=["screening"])
    if data.projects is None:
        sec.missing.append("conflicts.gpkg")
    else:
        projects = _by_severity(data.projects, "verdict")
        if len(projects) > max_rows:
            sec.paragraphs.append([Run(tr("p_truncated", lang).format(
                n=max_rows, total=len(projects)))])
        sec.tables.append(df_table(localise(projects, lang), "projects", tr("tab_projects", lang),
                                   lang,
                                   ["id", "name", "industry", "stage", "verdict", "area_ha",
                                    "area_mu", "rules_hit"], key_col="id", max_rows=max_rows))
    if data.hits is None:
        sec.missing.append("conflicts.csv")
    else:
        title = "title_zh" if lang == "zh" else "title_en"
        hits = data.hits.rename(columns={title: "rule_title"}) if title in data.hits.columns \
            else data.hits
        hits = _by_severity(hits, "severity")
        sec.tables.append(df_table(localise(hits, lang), "hits", tr("tab_hits", lang), lang,
                                   ["project_id", "rule_id", "severity", "rule_title", "citation",
                                    "overlap_ha", "overlap_mu"], max_rows=max_rows))
    if data.screening:
        counts = data.screening.get("by_verdict") or data.screening.get("verdicts")
        if isinstance(counts, dict):
            runs = [Run(tr("p_verdict_counts", lang))]
            for k, v in counts.items():
                label = static.VERDICTS[k][1 if lang == "zh" else 2] if k in static.VERDICTS \
                    else str(k)
                runs += [Run(f" {label}: ", data=k not in static.VERDICTS),
                         num_run(v, f"verdict.{k}"), Run(";")]
            sec.paragraphs.append(runs)
        notes = data.screening.get(f"notes_{lang}") or data.screening.get("notes") or []
        for note in notes:
            sec.paragraphs.append([Run(str(note), data=True)])
    return sec


def _layers_section(data: ReportData, catalog: Any, lang: Lang) -> Section:
    sec = Section("layers", tr("sec_layers", lang))
    title = "title_zh" if lang == "zh" else "title_en"
    cols = ["id", title, "kind", "features", "area_km2", "provenance", "source", "licence",
            "vintage"]
    df = data.layers
    if df is None and catalog is not None:
        recs = [{c: getattr(s, c, None) for c in ["id", "title_zh", "title_en", "kind",
                                                  "provenance", "source", "licence", "vintage"]}
                for s in static.catalog_specs(catalog)]
        df = pd.DataFrame(recs) if recs else None
    if df is None:
        sec.missing.append("layers_summary.csv")
        return sec
    sec.tables.append(df_table(localise(df, lang), "layers", tr("tab_layers", lang), lang, cols,
                               key_col="id"))
    if "provenance" in df.columns and (df["provenance"] == "illustrative").any():
        sec.paragraphs.append([Run(tr("p_illustrative", lang))])
    return sec


def _methods_section(data: ReportData, lang: Lang) -> Section:
    sec = Section("methods", tr("sec_methods", lang))
    sec.paragraphs.append([Run(tr("p_methods", lang))])
    for kind in KINDS:
        s = data.summaries[kind]
        if s is None:
            sec.missing.append(f"{kind}_summary.json")
            continue
        rows: list[list[Run]] = []

        def add(group: str, name: str, v: Any, rows: list[list[Run]] = rows,
                kind: str = kind) -> None:
            if isinstance(v, list | dict):
                v = json.dumps(v, ensure_ascii=False)
            elif lang == "zh" and isinstance(v, str) and v in PROVENANCE_ZH:
                v = PROVENANCE_ZH[v]
            rows.append([Run(tr(f"grp_{group}", lang)), Run(name, data=True),
                         cell(v, f"{kind}.{group}.{name}")])

        for group, keys in _METHOD_KEYS.items():
            for top in keys:
                for k, v in flatten(top if top not in _NESTED else "", s.get(top)):
                    if k:
                        add(group, k, v)
        for p in s.get("preferences") or []:
            if isinstance(p, dict):
                add("preferences", str(p.get("name", p.get("layer", "?"))),
                    f"{p.get('mode', '')} {p.get('value', '')} — {p.get('clause', '')}".strip())
        for note in s.get(f"notes_{lang}") or s.get("notes") or []:
            sec.paragraphs.append([Run(f"{tr(kind, lang)}: ", data=False),
                                   Run(str(note), data=True)])
        if rows:
            sec.tables.append(Table(f"{kind}_methods", tr(f"tab_{kind}_methods", lang),
                                    [tr("col_group", lang), tr("col_param", lang),
                                     tr("col_value", lang)], rows, [False, False, False]))
    return sec


#: Summary keys shown in the methods table, by group; keys in _NESTED are dicts whose
#: entries are listed without the dict's name.
_METHOD_KEYS: dict[str, tuple[str, ...]] = {
    "weights": ("weights", "weights_method", "ahp_consistency_ratio"),
    "parameters": ("parameters", "capacity_density_mw_per_km2", "capacity_density_source",
                   "site_rule", "grid"),
    "resource": ("resource",),
    "plan": ("target_gw", "target_source", "installed_gw_2025", "installed_source"),
    "run": ("config", "config_sha256", "config_hash", "provenance"),
}
_NESTED = {"weights", "parameters", "resource"}


def build_sections(data: ReportData, catalog: Any, *, lang: Lang = "zh",
                   top_n: int = 10, max_rows: int = 200) -> list[Section]:
    """The report's sections in order (summary, banners, sites, maps, screening, ...).

    Screening tables list at most ``max_rows`` rows, worst verdict first (the full
    lists are in ``conflicts.csv`` / ``verdicts.xlsx``).
    """
    return [
        _summary_section(data, lang),
        _banner_section(data, lang),
        _sites_section(data, lang, top_n),
        _suitability_section(data, lang),
        _screening_section(data, lang, max_rows),
        _layers_section(data, catalog, lang),
        _methods_section(data, lang),
    ]


# --------------------------------------------------------------------------- entry point


def _targets(out_dir: Path, formats: Iterable[str], keys: Iterable[str]) -> list[Path]:
    fm = set(formats)
    paths = []
    if "html" in fm:
        paths.append(out_dir / "report.html")
    if "pdf" in fm:
        paths.append(out_dir / "report.pdf")
    for k in keys:
        if "png" in fm:
            paths.append(out_dir / f"{k}.png")
        if "pdf" in fm:
            paths.append(out_dir / f"{k}.pdf")
    return paths


def build_report(
    catalog: Any,
    results_dir: str | Path | None,
    out_dir: str | Path,
    *,
    lang: Lang = "zh",
    formats: Sequence[str] = FORMATS,
    overwrite: bool = False,
    date: str | None = None,
    top_n: int = 10,
    dpi: int = 300,
    results_label: str | None = None,
) -> ReportResult:
    """Build the static report from a results folder.

    Parameters
    ----------
    catalog
        A :class:`ordos_geo.catalog.Catalog` (layers for the maps and the
        provenance table); ``None`` loads the default catalog when available.
    results_dir
        Folder with the result files of ``siting`` / ``check`` / ``run``; ``None``
        draws only the overview and marks every result section "not computed".
    out_dir
        Output folder; gets ``report.html``, ``report.pdf`` and one PNG (300 dpi)
        and vector PDF per map (``overview``, ``pv_suitability``, ...).
    lang
        ``"zh"`` or ``"en"``.
    formats
        Any of ``"html"``, ``"pdf"``, ``"png"``.
    overwrite
        Replace existing outputs; otherwise any existing target raises.
    date
        Date printed on maps and report (ISO, default today UTC).
    top_n
        Number of candidate sites listed per kind.
    dpi
        Resolution of the PNG maps (dots per inch).
    results_label
        How the results folder is named in the report (default: ``results_dir``; ``run``
        passes the final folder, not its staging folder).

    Returns
    -------
    ReportResult
        The paths written and the missing inputs.

    Raises
    ------
    OutputError
        If an output exists and ``overwrite`` is false (nothing is written then).
    """
    from ordos_geo.report import render as report_render

    if lang not in ("zh", "en"):
        raise OutputError(f"--lang: {lang!r} is not a report language; use zh or en")
    bad = [f for f in formats if f not in FORMATS]
    if bad:
        raise OutputError(f"--format: unknown format {bad[0]!r}; choose from html, pdf, png")
    out = Path(out_dir)
    all_maps = (*MAP_KEYS, *(f"{k}_supply_curve" for k in KINDS))
    if not overwrite:  # fail before the (slow) drawing when anything would be replaced
        _refuse_existing(_targets(out, formats, all_maps))
    if catalog is None:
        catalog = _load_default_catalog()
    opts = static.StaticMapOptions(lang=lang, date=date)
    maps = {k: v for k, v in static.make_maps(
        catalog, Path(results_dir) if results_dir is not None else None, opts).items()
        if v is not None}
    if results_dir is not None:
        from ordos_geo.report.charts import supply_curve_figure

        for kind in KINDS:
            chart = supply_curve_figure(Path(results_dir), kind, lang=lang)
            if chart is not None:
                maps[chart.key] = chart
    for key, mf in maps.items():
        missing = carto.missing_glyphs(carto.figure_chars(mf.figure))
        if missing:
            log.warning("map %s: characters %s are not in the CJK font subset; drawn with the "
                        "fallback face", key, "".join(sorted(missing)))
    data = load_results(Path(results_dir) if results_dir is not None else None)
    sections = build_sections(data, catalog, lang=lang, top_n=top_n)
    illustrative = any(m.illustrative for m in maps.values()) or _any_illustrative(data)
    # one worker for PNG encoding (PIL/zlib release the GIL), for this report only; the
    # with-block never returns (or raises) while a PNG is still being written
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="ordos_geo-png") as pool:
        map_files, html_png = _write_maps(maps, out, formats, dpi, pool)
        doc = report_render.Document(sections=sections, maps=maps, lang=lang,
                                     date=opts.date_str, illustrative=illustrative,
                                     results_dir=results_label or (str(results_dir) if results_dir
                                                                  else ""))
        report_files: dict[str, Path] = {}
        if "pdf" in formats:  # main thread, while PNGs are still being encoded
            report_files["pdf"] = report_render.write_pdf(doc, out / "report.pdf",
                                                          overwrite=True)
        doc.images = {k: f.result() for k, f in html_png.items()}
        if "html" in formats:
            report_files["html"] = report_render.write_html(doc, out / "report.html",
                                                            overwrite=True)
        written = [f.result() if isinstance(f, Future) else f for f in map_files]
    written += [report_files[f] for f in ("html", "pdf") if f in report_files]
    for mf in maps.values():
        mf.figure.clear()
    missing_files = sorted({m for s in sections for m in s.missing})
    log.info("report: %d files in %s; not computed: %s", len(written), out,
             ", ".join(missing_files) or "none")
    return ReportResult(out, written, missing_files, illustrative)


def _write_maps(
    maps: dict[str, static.MapFigure], out: Path, formats: Sequence[str], dpi: int,
    pool: Executor,
) -> tuple[list[Path | Future[Path]], dict[str, Future[bytes]]]:
    """Draw each map once with Agg; write ``<key>.png`` / ``<key>.pdf``; HTML copies.

    The Agg image at ``dpi`` is both the PNG file and, scaled to
    :data:`~ordos_geo.report.render.HTML_DPI`, the picture embedded in the HTML. PNG
    encoding runs in one worker thread (it does not touch matplotlib) while the main
    thread draws the next map and the PDFs. Returns the map files in order (paths or
    futures of paths) and the futures of the HTML PNG bytes per map key.
    """
    from ordos_geo.report import render as report_render

    files: list[Path | Future[Path]] = []
    html_png: dict[str, Future[bytes]] = {}
    html_dpi = min(report_render.HTML_DPI, dpi)
    draw_dpi = dpi if "png" in formats else html_dpi
    for key, mf in maps.items():
        if "png" in formats or "html" in formats:
            image = static.render_image(mf, draw_dpi)
            if "png" in formats:
                files.append(pool.submit(static.write_png, out / f"{key}.png", image, dpi,
                                         overwrite=True))
            if "html" in formats:
                html_png[key] = pool.submit(_html_png, image, draw_dpi, html_dpi)
        if "pdf" in formats:
            files += static.save_figure(mf, out, formats=("pdf",), dpi=dpi, overwrite=True)
    return files, html_png


def _html_png(image: Any, from_dpi: int, to_dpi: int) -> bytes:
    return static.png_bytes(static.scale_image(image, from_dpi, to_dpi), to_dpi)


def _refuse_existing(paths: Iterable[Path]) -> None:
    for p in paths:
        if p.exists():
            raise OutputError(f"{p}: already exists; pass --overwrite to replace it")


def _any_illustrative(data: ReportData) -> bool:
    for s in data.summaries.values():
        if s and "illustrative" in json.dumps(s.get("provenance", "")):
            return True
    lay = data.layers
    return bool(lay is not None and "provenance" in lay.columns
                and (lay["provenance"] == "illustrative").any())


def _load_default_catalog() -> Any:
    try:
        from ordos_geo.catalog import Catalog
    except ImportError:
        log.warning("ordos_geo.catalog is not available; maps drawn without layers")
        return None
    return Catalog.load()

