"""Screening result files: conflicts.csv, conflicts.gpkg, verdicts.xlsx, screening_summary.json.

- ``conflicts.csv`` — one row per project × rule hit, UTF-8 **with BOM** (Excel then
  shows Chinese correctly); areas in m², 公顷 (ha) and 亩, distances in metres.
- ``conflicts.gpkg`` — layers ``projects`` (with verdict), ``hits`` (the conflicting
  part of each footprint) and ``fix_hints`` (compliant remainders), EPSG:4326.
- ``verdicts.xlsx`` — one sheet per verdict class (禁止/限制/审查/合规) with Chinese
  headers, plus the hits, fix hints, the ledger and notes.
- ``screening_summary.json`` — counts, rules, skipped rules, ledger, layer provenance.

All files are written atomically (:mod:`ordos_geo.io.atomic`). Text from the input
files (project names …) is written verbatim; no HTML is produced here. Spreadsheet
cells that start with ``=``, ``+``, ``-`` or ``@`` are stored as text, never as
formulas: in the XLSX as string cells, in ``conflicts.csv`` with a leading ``'``
(:func:`ordos_geo.io.results.neutralise_cell`; numbers stay numbers).
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio

from ordos_geo.errors import OutputError
from ordos_geo.io.atomic import atomic_path, check_output_path, ensure_out_dir
from ordos_geo.io.results import write_csv, write_json
from ordos_geo.io.vector import GPKG_OPTIONS
from ordos_geo.zoning.rules import SEVERITY_ORDER
from ordos_geo.zoning.screen import HIT_COLUMNS, ScreeningResult

__all__ = ["OUTPUT_FILES", "VERDICT_ZH", "check_json", "project_records", "summary_dict",
           "write_outputs"]

log = logging.getLogger(__name__)

#: File names written by :func:`write_outputs`.
OUTPUT_FILES = ("conflicts.csv", "conflicts.gpkg", "verdicts.xlsx", "screening_summary.json")
#: Verdict / severity labels in Chinese.
VERDICT_ZH = {"prohibited": "禁止", "restricted": "限制", "review": "审查",
              "needs_information": "待补充信息", "compliant": "合规", "encouraged": "鼓励"}
#: 三线一单 unit categories.
CATEGORY_ZH = {"1": "优先保护单元", "2": "重点管控单元", "3": "一般管控单元"}
#: Component names in Chinese.
COMPONENT_ZH = {"array": "光伏方阵", "turbine": "风机", "substation": "升压站", "road": "道路",
                "line": "线路"}
#: Energy-efficiency levels in Chinese.
EFFICIENCY_ZH = {"benchmark": "标杆水平", "advanced": "先进水平", "baseline": "基准水平",
                 "below_baseline": "低于基准水平"}
_PROJECT_OUT = ["id", "name", "industry", "stage", "capacity", "capacity_unit", "verdict",
                "area_m2", "area_ha", "area_mu", "n_hits", "rules_hit", "encouraged",
                "control_units", "control_unit_names", "control_unit_categories",
                "in_national_plan",
                "capacity_replacement", "energy_efficiency", "direct_coal_firing",
                "annual_bulk_freight_mt", "rail_spur", "component", "added_capacity",
                "replaced_capacity", "declared_date", "banner", "needs_information",
                "not_evaluated", "conditional", "source_file", "source_row"]
_PROJECT_ZH = {"id": "项目编号", "name": "项目名称", "industry": "行业", "stage": "阶段",
               "capacity": "产能/规模", "capacity_unit": "单位", "verdict": "结论",
               "area_m2": "占地面积(平方米)", "area_ha": "占地面积(公顷)",
               "area_mu": "占地面积(亩)",
               "n_hits": "命中规则数", "rules_hit": "命中规则", "encouraged": "鼓励事项",
               "control_units": "三线一单单元编码", "control_unit_names": "三线一单单元名称",
               "control_unit_categories": "管控类别", "source_file": "来源文件",
               "source_row": "来源行", "in_national_plan": "纳入国家规划",
               "capacity_replacement": "产能置换", "energy_efficiency": "能效水平",
               "direct_coal_firing": "直燃煤设施",
               "annual_bulk_freight_mt": "大宗货物年运量(百万吨)",
               "rail_spur": "铁路专用线", "component": "工程组成", "added_capacity": "新增产能",
               "replaced_capacity": "置换(退出)产能", "declared_date": "申报日期",
               "banner": "旗区", "needs_information": "待补充信息的规则",
               "not_evaluated": "未评估的规则及原因", "conditional": "结论是否有条件"}
_HIT_ZH = {"project_id": "项目编号", "project_name": "项目名称", "rule_id": "规则编号",
           "industry": "行业", "stage": "阶段",
           "severity": "严重程度", "title_zh": "规则", "doc_no": "文号", "clause": "条款",
           "quote": "原文摘录", "verify": "待核实", "status": "文件状态", "layers": "图层",
           "illustrative": "示意数据", "missing_fields": "缺少的申报信息",
           "overlap_m2": "重叠面积(平方米)",
           "overlap_ha": "重叠面积(公顷)", "overlap_mu": "重叠面积(亩)",
           "overlap_share": "占项目面积比例", "distance_m": "距离(米)", "zones": "涉及区域",
           "message_zh": "说明", "message_en": "Message", "ledger_existing": "台账现有产能",
           "ledger_before": "本项目前合计", "ledger_after": "本项目后合计",
           "ledger_cap": "控制上限", "ledger_unit": "产能单位", "ledger_year": "目标年",
           "ledger_order": "台账计入顺序"}
_FIX_ZH = {"project_id": "项目编号", "project_name": "项目名称", "prohibited_rules": "禁止类规则",
           "footprint_m2": "项目面积(平方米)", "remainder_m2": "可保留面积(平方米)",
           "remainder_ha": "可保留面积(公顷)", "remainder_mu": "可保留面积(亩)",
           "remainder_share": "可保留比例", "note": "说明"}
_ROUND = {"overlap_m2": 2, "overlap_ha": 4, "overlap_mu": 2, "overlap_share": 4,
          "distance_m": 1, "area_m2": 2, "area_ha": 4, "area_mu": 2, "footprint_m2": 2,
          "remainder_m2": 2, "remainder_ha": 4, "remainder_mu": 2, "remainder_share": 4,
          "ledger_existing": 4, "ledger_before": 4, "ledger_after": 4}


def _rounded(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for c, nd in _ROUND.items():
        if c in out.columns:
            out[c] = pd.to_numeric(out[c], errors="coerce").round(nd)
    return out


def _num(v: Any, nd: int = 4) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return round(f, nd) if math.isfinite(f) else None


def _hit_record(h: Any) -> dict[str, Any]:
    """One hit as JSON: rule, citation with quote, layers and zones, overlap, ledger, flags."""
    rec: dict[str, Any] = {
        "rule_id": h["rule_id"], "severity": h["severity"], "title_zh": h["title_zh"],
        "title_en": h["title_en"], "citation": h["citation"], "doc_no": h["doc_no"],
        "clause": h["clause"], "quote": h["quote"], "verify": bool(h["verify"]),
        "document_status": h["status"], "illustrative": bool(h["illustrative"]),
        "predicate": h["predicate"],
        "layers": [x for x in str(h["layers"]).split(",") if x],
        "zones": [z for z in str(h["zones"] or "").split(" | ") if z],
        "overlap_m2": _num(h["overlap_m2"], 2), "overlap_ha": _num(h["overlap_ha"]),
        "overlap_mu": _num(h["overlap_mu"], 2), "overlap_share": _num(h["overlap_share"]),
        "distance_m": _num(h["distance_m"], 1),
        "missing_fields": [f for f in str(h["missing_fields"] or "").split(",") if f],
        "message_zh": h["message_zh"], "message_en": h["message_en"],
        "ledger": None,
    }
    if h["predicate"] == "ledger":
        rec["ledger"] = {"industry": h["ledger_industry"], "existing": _num(h["ledger_existing"]),
                         "before": _num(h["ledger_before"]), "after": _num(h["ledger_after"]),
                         "cap": _num(h["ledger_cap"]), "unit": h["ledger_unit"],
                         "target_year": None if _num(h["ledger_year"]) is None
                         else int(h["ledger_year"]),
                         "order": None if _num(h["ledger_order"]) is None
                         else int(h["ledger_order"]),
                         "order_rule": "declared date, then id"}
    return rec


_SEV_RANK = {"prohibited": 0, "restricted": 1, "review": 2, "needs_information": 3,
             "encouraged": 4}


def project_records(result: ScreeningResult) -> list[dict[str, Any]]:
    """Per project: id, name, industry, stage, verdict (+ ``conditional``), areas and hits.

    Hits are ordered worst first (prohibited → encouraged) and carry the quote, the
    layers and zone names, the overlap, the ledger before/after/cap and the verify
    and illustrative flags; ``not_evaluated`` lists the rules that could not be
    evaluated for the project and why. Points and lines have no area (``None``).
    """
    by_p: dict[int, list[dict[str, Any]]] = {}
    h = result.hits
    # plain dicts, not iterrows(): one Series per row cost ~0.3 ms × every hit
    for row in h.drop(columns="geometry").to_dict("records"):
        by_p.setdefault(int(row["_pidx"]), []).append(_hit_record(row))
    pr = result.projects
    out = []
    n = len(pr)

    def col(name: str, default: Any) -> list[Any]:
        return pr[name].tolist() if name in pr else [default] * n

    ids, names, inds, stages = col("id", None), col("name", None), col("industry", None), \
        col("stage", None)
    verdicts, ha, mu = col("verdict", None), col("area_ha", None), col("area_mu", None)
    units, ne, cond = col("control_units", ""), col("not_evaluated", ""), \
        col("conditional", False)
    files, rows = col("source_file", None), col("source_row", None)
    for i in range(n):
        hits = sorted(by_p.get(i, []), key=lambda r: _SEV_RANK.get(r["severity"], 5))
        not_eval = []
        for item in [x for x in str(ne[i]).split("; ") if x]:
            rid, _, why = item.partition(": ")
            not_eval.append({"rule_id": rid, "reason": why})
        out.append({
            "id": ids[i], "name": names[i], "industry": inds[i], "stage": stages[i],
            "verdict": verdicts[i], "verdict_zh": VERDICT_ZH.get(str(verdicts[i]), ""),
            "conditional": bool(cond[i]),
            "area_ha": _num(ha[i]), "area_mu": _num(mu[i], 2),
            "control_units": [u for u in str(units[i]).split(";") if u],
            "hits": hits, "not_evaluated": not_eval,
            "source": f"{files[i]}: {rows[i]}",
        })
    return out


def check_json(
    result: ScreeningResult,
    *,
    outputs: Mapping[str, str | os.PathLike[str]] | None = None,
    fail_on: str | None = None,
) -> dict[str, Any]:
    """The JSON document of ``ordos-geo check --json`` (also ``POST /api/check`` of the web page).

    Parameters
    ----------
    result
        From :func:`ordos_geo.zoning.check_projects`.
    outputs
        Written file name -> where it is (a path for the CLI, a download URL for the
        web page); stored as text.
    fail_on
        ``"prohibited"``, ``"restricted"``, ``"review"`` or ``None``: ``failed`` is true
        when a project reached this severity or worse, or when a row was left out by
        ``--skip-invalid`` (a row not screened can never pass the gate).

    Returns
    -------
    dict
        ``verdicts`` (counts per level), ``conditional`` (projects whose verdict depends
        on rules not evaluated or undecided), ``projects`` (:func:`project_records`),
        ``skipped_rules``, ``skipped_rows``, ``ledger``, ``as_of``, ``examples``,
        ``outputs``, ``fail_on`` and ``failed``.
    """
    skipped_rows = result.meta.get("skipped_rows", [])
    failed = False
    if fail_on is not None:
        worst = SEVERITY_ORDER[: SEVERITY_ORDER.index(fail_on) + 1]
        failed = bool(result.projects["verdict"].isin(worst).any()) or bool(skipped_rows)
    return {
        "verdicts": result.verdict_counts(),
        "conditional": result.conditional_count(),
        "projects": project_records(result),
        "skipped_rules": result.skipped_rules,
        "skipped_rows": skipped_rows,
        "ledger": json.loads(result.ledger.to_json(orient="records", force_ascii=False))
        if len(result.ledger) else [],
        "as_of": result.meta.get("as_of"),
        "examples": bool(result.meta.get("examples", False)),
        "outputs": {k: str(v) for k, v in (outputs or {}).items()},
        "fail_on": fail_on,
        "failed": failed,
        # phase times, s (read, screen; the CLI adds write)
        "timings": dict(result.meta.get("timings") or {}),
    }


def summary_dict(result: ScreeningResult) -> dict[str, Any]:
    """The content of ``screening_summary.json``."""
    h = result.hits
    by_rule: dict[str, dict[str, Any]] = {}
    for rid, grp in h.groupby("rule_id", sort=False):
        by_rule[str(rid)] = {"severity": str(grp["severity"].iloc[0]),
                             "citation": str(grp["citation"].iloc[0]),
                             "projects": int(grp["_pidx"].nunique())}
    layers = result.meta.get("layers", {})
    illustrative = sorted(k for k, v in layers.items() if v.get("provenance") == "illustrative")
    # each note in Chinese and in English: the report shows the reader's language only;
    # `notes` keeps the bilingual line for the CLI and the JSON readers
    pairs: list[tuple[str, str]] = []
    if illustrative:
        pairs.append(("使用了示意数据图层（" + "、".join(illustrative) +
                      "），结论用于决策前请以官方数据替换",
                      "illustrative layers used (" + ", ".join(illustrative) +
                      ") — replace with official data before relying on the verdicts"))
    ledger = result.meta.get("ledger") or {}
    if "illustrative" in (ledger.get("provenance") or []):
        pairs.append(("产能台账为示意数据，请用 --ledger 文件提供官方数据",
                      "capacity ledger is illustrative — pass --ledger FILE with official "
                      "numbers"))
    if result.skipped_rules:
        ids = ", ".join(s["rule_id"] for s in result.skipped_rules)
        pairs.append((f"部分规则未评估（缺少图层或字段），相关结论为有条件结论：{ids}",
                      "some rules were not evaluated for lack of layers or fields: " + ids))
    if result.meta.get("examples"):
        pairs.append(("以下为内置示例项目，并非真实申报项目",
                      "these are the bundled EXAMPLE projects, not real proposals"))
    if result.meta.get("skipped_rows"):
        n = len(result.meta["skipped_rows"])
        pairs.append((f"{n} 行输入无效已跳过（--skip-invalid），见 skipped_rows",
                      f"{n} invalid input row(s) skipped (--skip-invalid): see skipped_rows"))
    notes = [f"{zh} / {en}" for zh, en in pairs]
    return {
        "tool": result.meta.get("tool"),
        "inputs": result.meta.get("inputs", []),
        "rules_files": result.meta.get("rules_files", []),
        "work_crs": result.meta.get("work_crs"),
        "n_projects": len(result.projects),
        "examples": bool(result.meta.get("examples", False)),
        "as_of": result.meta.get("as_of"),
        "verdicts": result.verdict_counts(),
        "conditional": result.conditional_count(),
        "skipped_rows": result.meta.get("skipped_rows", []),
        "projects_with_encouraged": int((result.projects["encouraged"] != "").sum()),
        "n_hits": len(h),
        "hits_by_rule": by_rule,
        "rules_evaluated": result.meta.get("rules_evaluated", []),
        "skipped_rules": result.skipped_rules,
        "fix_hints": len(result.fix_hints),
        "ledger": {**ledger, "unchecked_projects": result.meta.get("ledger_unchecked", []),
                   "caps": json.loads(result.ledger.to_json(orient="records", force_ascii=False))
                   if len(result.ledger) else []},
        "layers": layers,
        "area_units": {"ha": "10000 m2", "mu": "10000/15 m2 = 666.67 m2"},
        "notes": notes,
        "notes_zh": [zh for zh, _ in pairs],
        "notes_en": [en for _, en in pairs],
        "seconds": result.meta.get("seconds"),
        "timings": result.meta.get("timings"),
    }


def _for_gpkg(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    out = gdf.copy()
    for c in out.columns:
        if c == out.geometry.name:
            continue
        if out[c].dtype == object:
            # mixed bool/None or text: store text ('' for missing), never 'None'
            out[c] = [("" if v is None or (isinstance(v, float) and math.isnan(v)) else
                       str(v).lower() if isinstance(v, bool | np.bool_) else str(v))
                      for v in out[c]]
    return out.to_crs("EPSG:4326")


def _write_gpkg(result: ScreeningResult, path: Path, overwrite: bool) -> None:
    projects = result.projects[[c for c in _PROJECT_OUT if c in result.projects.columns]
                               + ["geometry"]]
    hits = result.hits.drop(columns=["_pidx"])
    layers = {"projects": _rounded(projects), "hits": _rounded(hits),
              "fix_hints": _rounded(result.fix_hints)}
    with atomic_path(path, overwrite=overwrite) as tmp:
        for name, gdf in layers.items():
            g = _for_gpkg(gpd.GeoDataFrame(gdf, geometry="geometry"))
            kwargs: dict[str, Any] = {}
            if len(g) == 0 or g.geometry.isna().all():
                kwargs["geometry_type"] = "Unknown"
            else:
                types = set(g.geometry.dropna().geom_type)
                kwargs["geometry_type"] = types.pop() if len(types) == 1 else "Unknown"
            if not tmp.exists():
                kwargs["dataset_options"] = GPKG_OPTIONS  # GeoPackage 1.2 (QGIS 3.22)
            try:
                pyogrio.write_dataframe(g, tmp, layer=name, driver="GPKG",
                                        append=tmp.exists(), **kwargs)
            except Exception as exc:  # pyogrio errors: one line, name the layer
                raise OutputError(f"{path}: layer '{name}': cannot write ({exc}); check the "
                                  "output folder") from exc


def _xlsx_value(v: Any) -> Any:
    if v is None:
        return None
    if isinstance(v, float | np.floating):
        return None if not math.isfinite(float(v)) else float(v)
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, bool | np.bool_):
        return "是" if v else "否"
    return v


#: Characters XML 1.0 cannot hold (removed from text cells).
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _sheet(wb: Any, title: str, df: pd.DataFrame, headers: dict[str, str]) -> None:
    """One worksheet, rows streamed (xlsxwriter ``constant_memory``): text stays text —
    a cell such as ``=HYPERLINK(…)`` is a string, never a formula (the workbook is opened
    with ``strings_to_formulas`` off)."""
    ws = wb.add_worksheet(title)
    ws.freeze_panes(1, 0)
    cols = [c for c in df.columns if c != "geometry" and not c.startswith("_")]
    ws.write_row(0, 0, [headers.get(c, c) for c in cols])
    for r, rec in enumerate(df[cols].itertuples(index=False), start=1):
        for c, v in enumerate(rec):
            v = _xlsx_value(v)
            if v is None:
                continue
            if isinstance(v, str):
                ws.write_string(r, c, _ILLEGAL_XML.sub("", v))
            else:
                ws.write(r, c, v)


def _zh_codes(df: pd.DataFrame) -> pd.DataFrame:
    """Codes as Chinese words (行业 煤化工, not coal_chemical): the sheet is for planners."""
    from ordos_geo.io.projects import INDUSTRY_ZH, STAGE_ZH

    out = df.copy()
    maps: dict[str, dict[str, str]] = {
        "industry": INDUSTRY_ZH, "stage": STAGE_ZH, "verdict": VERDICT_ZH,
        "severity": VERDICT_ZH, "component": COMPONENT_ZH, "energy_efficiency": EFFICIENCY_ZH,
        "status": {"in_force": "现行", "superseded_pending": "据报已被替代(新文本待核)"}}
    for col, table in maps.items():
        if col in out.columns:
            out[col] = [table.get(str(v), v) if v is not None else None for v in out[col]]
    if "control_unit_categories" in out.columns:
        out["control_unit_categories"] = [
            ";".join(CATEGORY_ZH.get(c, c) for c in str(v).split(";") if c) if v else v
            for v in out["control_unit_categories"]]
    if "missing_fields" in out.columns:
        from ordos_geo.zoning.screen import FIELD_ZH

        out["missing_fields"] = ["、".join(FIELD_ZH.get(f, f) for f in str(v).split(",") if f)
                                 for v in out["missing_fields"]]
    return out


#: Above this many hits, ``verdicts.xlsx`` holds the verdict sheets and a note instead of
#: the hit list (which is in ``conflicts.csv`` and ``conflicts.gpkg`` in full).
XLSX_MAX_HITS = 50_000


def _write_xlsx(result: ScreeningResult, path: Path, overwrite: bool) -> None:
    with atomic_path(path, overwrite=overwrite) as tmp:
        _write_workbook(result, tmp)


def _write_workbook(result: ScreeningResult, path: Path) -> None:
    """The verdict workbook (xlsxwriter, constant memory: rows go straight to disk)."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {
        "constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
        "strings_to_numbers": False, "nan_inf_to_errors": False})
    pr = _rounded(result.projects[[c for c in _PROJECT_OUT if c in result.projects.columns]])
    pr = _zh_codes(pr)
    for v in (*SEVERITY_ORDER, "compliant"):
        sel = result.projects["verdict"].to_numpy() == v
        _sheet(wb, VERDICT_ZH[v], pr.loc[sel], _PROJECT_ZH)
    extra_notes: list[str] = []
    if len(result.hits) <= XLSX_MAX_HITS:
        hits = _rounded(result.hits.drop(columns=["_pidx"]))
        hits = _zh_codes(hits[[c for c in HIT_COLUMNS if c in _HIT_ZH and c != "message_en"]])
        _sheet(wb, "冲突明细", hits, _HIT_ZH)
    else:  # the full list is conflicts.csv; a sheet that size is slow to write and to open
        msg = (f"冲突明细共 {len(result.hits):,} 条，超过 {XLSX_MAX_HITS:,} 条，未写入本工作簿；"
               "完整列表见 conflicts.csv 与 conflicts.gpkg（hits 图层）")
        extra_notes.append(msg)
        _sheet(wb, "冲突明细", pd.DataFrame({"说明": [msg]}), {})
    _sheet(wb, "修正建议", _rounded(result.fix_hints), _FIX_ZH)
    _sheet(wb, "产能台账", _zh_codes(result.ledger), {"industry": "行业", "year": "年份",
                                                 "cap": "控制上限", "unit": "单位",
                                                 "existing": "现有", "approved": "已批",
                                                 "proposed_accepted": "拟建(未超限)",
                                                 "proposed_flagged": "拟建(超限)",
                                                 "total_after": "合计", "headroom": "余量",
                                                 "target_year_passed": "目标年已过",
                                                 "order": "计入顺序"})
    notes = pd.DataFrame({"说明": [*summary_dict(result)["notes_zh"], *extra_notes] or ["-"]})
    _sheet(wb, "说明", notes, {})
    wb.close()


def write_outputs(
    result: ScreeningResult, out_dir: str | os.PathLike[str], *, overwrite: bool = False
) -> dict[str, Path]:
    """Write the four screening files into ``out_dir``.

    Parameters
    ----------
    result
        From :func:`ordos_geo.zoning.check_projects`.
    out_dir
        Output folder (created).
    overwrite
        Replace existing files; otherwise an existing file raises
        :class:`~ordos_geo.errors.OutputError` before anything is written.

    Returns
    -------
    dict
        File name -> path.
    """
    d = ensure_out_dir(out_dir)
    paths = {name: d / name for name in OUTPUT_FILES}
    for p in paths.values():  # the project files read may never be replaced
        check_output_path(p, overwrite=overwrite, inputs=result.meta.get("inputs", ()))
    hits = _rounded(result.hits.drop(columns=["_pidx", "geometry"]))
    write_csv(pd.DataFrame(hits[list(HIT_COLUMNS)]), paths["conflicts.csv"],
              overwrite=overwrite, bom=True, lineterminator="\r\n")
    _write_gpkg(result, paths["conflicts.gpkg"], overwrite)
    _write_xlsx(result, paths["verdicts.xlsx"], overwrite)
    write_json(summary_dict(result), paths["screening_summary.json"], overwrite=overwrite)
    log.info("wrote %s", ", ".join(str(p) for p in paths.values()))
    return paths
