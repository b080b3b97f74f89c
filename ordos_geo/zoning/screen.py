"""Batch screening of project proposals against the zoning rules.

All geometry work happens once in the equal-area :data:`ordos_geo.crs.WORK_CRS`
(metres): for each rule the applicable projects are queried against an STRtree of the
rule's zones in one vectorised call, and intersection areas are computed only for the
candidate pairs. For each project × rule hit the conflict table records the overlap in
m², 公顷 and 亩 (1 亩 = 10000/15 m² ≈ 666.67 m²) and as a share of the footprint, the
nearest distance in metres (for ``outside``/``within_distance``), the zones touched,
the citation and the bilingual message. The verdict is the worst severity
(prohibited > restricted > review; ``encouraged`` is listed apart; ``compliant`` when
nothing else hits). Footprints partly in prohibited zones get a **fix hint**: the
remainder free of those zones.

Predicates
----------
``inside``
    any part of the footprint lies inside a zone (overlap area > 0.01 m²; points and
    lines: intersect).
``intersects``
    the geometry touches or overlaps a zone.
``outside``
    some part of the footprint lies outside every zone (points: not in any zone).
``within_distance``
    the geometry is within ``distance_m`` of a zone.
``anywhere``
    no spatial condition.
``ledger``
    the capacity-cap ledger (:mod:`ordos_geo.zoning.ledger`).

``none_of`` zones exempt a project lying entirely inside one of their features.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ordos_geo._version import __version__
from ordos_geo.crs import WORK_CRS, WORK_CRS_PROJ4
from ordos_geo.errors import RuleError
from ordos_geo.io.projects import (
    ProjectDefaults,
    complete_schema,
    read_projects,
    to_work_crs,
)
from ordos_geo.zoning.ledger import read_ledger, run_ledger
from ordos_geo.zoning.overlay import OverlayCache, set_key, union_groups
from ordos_geo.zoning.rules import (
    SEVERITY_ORDER,
    Applicability,
    LayerRef,
    Rule,
    RuleSet,
    applicability,
    load_rules,
    rule_columns,
)
from ordos_geo.zoning.spatial import (
    AREA_EPS_M2,
    control_units,
    join_per_project,
    spatial_hits,
    zones_text,
)
from ordos_geo.zoning.townships import match_names, name_key, read_townships
from ordos_geo.zoning.zones import ZoneSource, rules_file_name

__all__ = [
    "AREA_EPS_M2",
    "HIT_COLUMNS",
    "M2_PER_MU",
    "REMAINDER_NOTE",
    "ScreeningResult",
    "check_projects",
    "screen",
]

log = logging.getLogger(__name__)

#: 1 亩 in m² (10000/15 = 666.67 m²).
M2_PER_MU = 10000.0 / 15.0

#: Columns of the hits table (plus ``geometry``: the conflicting part, WORK_CRS).
HIT_COLUMNS = (
    "project_id", "project_name", "industry", "stage", "rule_id", "severity", "title_zh",
    "title_en", "citation", "doc_no", "clause", "quote", "verify", "status", "predicate",
    "layers", "illustrative", "overlap_m2", "overlap_ha", "overlap_mu", "overlap_share",
    "distance_m", "zones", "missing_fields", "message_zh", "message_en", "ledger_industry",
    "ledger_existing", "ledger_before", "ledger_after", "ledger_cap", "ledger_unit",
    "ledger_year", "ledger_order",
)
#: Chinese names of the project attributes a rule may need (for needs-information hits).
FIELD_ZH = {
    "in_national_plan": "是否纳入国家相关领域产业规划", "capacity_replacement": "产能置换方案",
    "energy_efficiency": "能效水平", "direct_coal_firing": "是否配套直燃煤设施",
    "uses_coal": "是否新增用煤", "coal_fired_kiln": "是否建设燃煤工业炉窑",
    "rail_spur": "是否引入铁路专用线", "annual_bulk_freight_mt": "大宗货物年运量",
    "capacity": "产能", "added_capacity": "新增产能", "banner": "所在旗区",
}


@dataclass
class ScreeningResult:
    """Outcome of a screening run (all geometry in WORK_CRS, metres).

    Attributes
    ----------
    projects
        Input projects plus ``verdict``, ``area_m2``, ``area_ha``, ``area_mu``,
        ``n_hits``, ``rules_hit``, ``encouraged``, ``control_units``.
    hits
        One row per project × rule hit (:data:`HIT_COLUMNS`), geometry = conflicting part.
    fix_hints
        Footprints partly in prohibited zones: the compliant remainder and its area.
    ledger
        Ledger summary per capped industry (万吨 per year).
    skipped_rules
        Rules not evaluated (``if_layer_missing: skip``) with the reason.
    meta
        Inputs, rules files, layer provenance, timings.
    """

    projects: gpd.GeoDataFrame
    hits: gpd.GeoDataFrame
    fix_hints: gpd.GeoDataFrame
    ledger: pd.DataFrame = field(default_factory=pd.DataFrame)
    skipped_rules: list[dict[str, str]] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)

    def verdict_counts(self) -> dict[str, int]:
        """Number of projects per verdict (all classes, zeros included)."""
        counts = self.projects["verdict"].value_counts()
        return {v: int(counts.get(v, 0)) for v in (*SEVERITY_ORDER, "compliant")}

    def conditional_count(self) -> int:
        """Projects whose verdict is conditional (a rule not evaluated or undecided)."""
        return int(self.projects["conditional"].sum()) if "conditional" in self.projects else 0


# ----------------------------------------------------------------------------- engine
def screen(
    projects: gpd.GeoDataFrame,
    ruleset: RuleSet,
    zones: ZoneSource,
    *,
    ledger: pd.DataFrame | None = None,
    rules_file: str = "rules",
    as_of: dt.date | None = None,
) -> ScreeningResult:
    """Screen projects (already in the project schema) against a rule set.

    Parameters
    ----------
    projects
        From :func:`ordos_geo.io.projects.read_projects` (any CRS; re-projected once to
        WORK_CRS).
    ruleset
        From :func:`ordos_geo.zoning.rules.load_rules`.
    zones
        Layer access (:class:`~ordos_geo.zoning.zones.ZoneSource`).
    ledger
        Capacity ledger (:func:`~ordos_geo.zoning.ledger.read_ledger`); needed when a
        rule uses the ``ledger`` predicate (default ledger when None).
    rules_file
        Name of the rules file, for messages.
    as_of
        Screening date for dated caps (default: today).

    A rule whose layer is missing from the catalog, or whose layer lacks a field the
    rule filters on, is not evaluated: its applicable projects list it under
    ``not_evaluated`` and their verdict is marked ``conditional`` (unless the rule
    says ``if_layer_missing: error``).

    Raises
    ------
    RuleError
        ``if_layer_missing: error`` and the layer is absent.
    """
    t0 = time.perf_counter()
    as_of = as_of or dt.date.today()
    gdf = complete_schema(to_work_crs(projects)).reset_index(drop=True)  # input untouched
    geoms = np.asarray(gdf.geometry.to_numpy(), dtype=object)
    shapely.prepare(geoms)
    type_id = shapely.get_type_id(geoms)
    areal = np.isin(type_id, (3, 6))
    areas = shapely.area(geoms)

    skipped: list[dict[str, str]] = []
    active: list[Rule] = []
    #: rule id -> (reason, whole rule skipped?) for the per-project "not evaluated" list
    not_eval: dict[str, tuple[str, bool]] = {}
    for rule in ruleset.rules:
        src = rule._source or rules_file
        missing = zones.missing(rule.layers())
        bad_fields = zones.missing_fields([r for r in rule.layers() if r.layer not in missing])
        if missing and rule.spatial.if_layer_missing == "error":
            raise RuleError(
                f"{src}: rule {rule.id}: layer '{missing[0]}' is not in the catalog "
                f"(available: {', '.join(zones.ids)}); add it with --catalog or fix the rule")
        if not missing and not bad_fields:
            active.append(rule)
            continue
        gone = set(missing) | {lyr for lyr, _ in bad_fields}
        present = [r for r in rule.spatial.any_of if r.layer not in gone]
        parts = []
        if missing:
            parts.append(f"layer(s) {', '.join(dict.fromkeys(missing))} not in the catalog "
                         "(supply them with --catalog)")
        for lyr, fld in bad_fields:
            parts.append(f"layer '{lyr}' has no field '{fld}' (add it, or map it in the "
                         f"catalog: fields: {{{fld}: <your field>}})")
        what = "partly evaluated" if present else "not evaluated"
        reason = f"{what}: " + "; ".join(parts)
        skipped.append({"rule_id": rule.id, "status": what.split()[0], "reason": reason})
        not_eval[rule.id] = (reason, not present)
        log.warning("%s: rule %s %s", src, rule.id, reason)
        if not present:
            continue
        spatial = rule.spatial.model_copy(update={
            "any_of": present,
            "none_of": [r for r in rule.spatial.none_of if r.layer not in gone]})
        active.append(rule.model_copy(update={"spatial": spatial}))

    chunks: list[dict[str, np.ndarray]] = []
    ledger_summary = pd.DataFrame()
    unchecked: list[str] = []
    timings: dict[str, float] = {}
    masks: dict[str, np.ndarray] = {}
    need_ref: dict[str, np.ndarray] = {}
    need_set: dict[str, np.ndarray] = {}
    need_outside: dict[str, np.ndarray] = {}
    n_proj = len(gdf)
    phases = {"prepare": time.perf_counter() - t0}
    t_phase = time.perf_counter()
    text_cols = rule_columns(gdf)
    appl: dict[str, Applicability] = {}
    for rule in ruleset.rules:  # skipped rules too: their projects are "not evaluated"
        if rule.id in not_eval and not_eval[rule.id][1]:
            appl[rule.id] = applicability(rule, gdf, ruleset, columns=text_cols)
    loc_unchecked: dict[int, str] = {}  # LOC-1: declared township the list does not know
    for rule in active:
        t = time.perf_counter()
        ap = appl[rule.id] = applicability(rule, gdf, ruleset, columns=text_cols)
        if rule.severity == "encouraged":  # an undecided encouragement is no flag at all
            ap.unknown[:] = False
        mask = masks[rule.id] = ap.sure | ap.unknown
        timings[rule.id] = time.perf_counter() - t
        sp = rule.spatial
        if sp.predicate not in ("inside", "intersects", "outside") or not mask.any():
            continue
        # which projects the shared overlay needs, per layer selection and per zone set
        for ref in sp.any_of:
            need_ref.setdefault(ref.key(), np.zeros(n_proj, dtype=bool))[:] |= mask
        need_set.setdefault(set_key(sp.any_of), np.zeros(n_proj, dtype=bool))[:] |= mask
        if sp.predicate == "outside":
            need_outside.setdefault(set_key(sp.any_of),
                                    np.zeros(n_proj, dtype=bool))[:] |= mask
    if "control_units" in zones:  # control_units() lists the units of every project
        need_ref["control_units||"] = np.ones(n_proj, dtype=bool)
    cache = OverlayCache(geoms, areas, areal, zones, need_ref=need_ref, need_set=need_set,
                         need_outside=need_outside, rules_file=rules_file)
    for no, rule in enumerate(active):
        t = time.perf_counter() - timings[rule.id]
        mask = masks[rule.id]
        idx = np.flatnonzero(mask)
        if rule.spatial.predicate == "ledger":
            led = ledger if ledger is not None else read_ledger()
            res = run_ledger(gdf, mask, rule.caps, led, as_of=as_of)
            ledger_summary, unchecked = res.summary, res.unchecked
            if res.flags:
                fl = pd.DataFrame(res.flags)
                pidx = fl["pidx"].to_numpy(dtype=np.intp)
                nan = np.full(len(pidx), np.nan)
                chunk = {"_pidx": pidx, "_rule": np.full(len(pidx), no), "overlap_m2": nan,
                         "distance_m": nan, "zones": np.full(len(pidx), "", dtype=object),
                         "_part": geoms[pidx], "_severity": fl["severity"].to_numpy(dtype=object),
                         "_note_zh": fl["note_zh"].to_numpy(dtype=object),
                         "_note_en": fl["note_en"].to_numpy(dtype=object),
                         "missing_fields": fl["missing"].to_numpy(dtype=object)}
                for k in ("industry", "existing", "before", "after", "cap", "unit", "year",
                          "order"):
                    chunk[f"ledger_{k}"] = fl[k].to_numpy()
                chunks.append(chunk)
        elif rule.spatial.predicate == "location" and len(idx):
            loc = location_hits(rule, idx, gdf, geoms, zones, rules_file, loc_unchecked)
            if loc is not None:
                chunks.append({**loc, "_rule": np.full(len(loc["_pidx"]), no)})
        elif len(idx):
            r = spatial_hits(rule, idx, geoms, areas, areal, zones, rules_file, cache)
            h = np.flatnonzero(r["hit"])
            if len(h):
                labels = r["labels"]
                text = np.full(len(h), "", dtype=object)
                if labels is not None and r["zone_runs"] is not None:
                    first, cnt, zs = r["zone_runs"]
                    c = cnt[h]
                    one = c == 1
                    text[one] = labels[zs[first[h[one]]]]  # the usual case, vectorised
                    for j in np.flatnonzero(c > 1):
                        k = h[j]
                        text[j] = zones_text(labels, zs[first[k] : first[k] + cnt[k]])
                chunks.append({"_pidx": idx[h], "_rule": np.full(len(h), no),
                               "overlap_m2": r["overlap"][h], "distance_m": r["dist"][h],
                               "zones": text, "_part": r["part"][h]})
        timings[rule.id] = round(time.perf_counter() - t, 4)
    phases["rules"] = time.perf_counter() - t_phase

    t_phase = time.perf_counter()
    units = control_units(geoms, areal, zones, cache)
    phases["control_units"] = time.perf_counter() - t_phase
    del cache, masks, need_ref, need_set, need_outside  # free the overlay before the tables
    t_phase = time.perf_counter()
    illu = [_illustrative(r, zones, ledger) for r in active]
    unknown = {no: appl[r.id] for no, r in enumerate(active) if appl[r.id].unknown.any()}
    hits = _assemble_hits(chunks, active, gdf, areas, areal, illu, unknown)
    del chunks
    ne_lists: list[list[str]] = [[] for _ in range(n_proj)]
    for rid, (reason, _whole) in not_eval.items():
        ap_ne = appl.get(rid)
        if ap_ne is None:
            continue
        for p in np.flatnonzero(ap_ne.sure | ap_ne.unknown):
            ne_lists[p].append(f"{rid}: {reason}")
    for q, reason in loc_unchecked.items():
        ne_lists[q].append(f"LOC-1: {reason}")
    not_evaluated = np.array(["; ".join(x) for x in ne_lists], dtype=object)
    out = _verdicts(gdf, hits, areas, areal, not_evaluated)
    for col, vals in units.items():
        out[col] = vals
    phases["hits_table"] = time.perf_counter() - t_phase
    t_phase = time.perf_counter()
    fixes = _fix_hints(out, hits, geoms, areas, areal)
    phases["fix_hints"] = time.perf_counter() - t_phase
    meta = {
        "tool": f"ordos_geo {__version__}",
        "work_crs": WORK_CRS_PROJ4,
        "n_projects": len(out),
        "rules_evaluated": [r.id for r in active],
        "as_of": as_of.isoformat(),
        "ledger_unchecked": unchecked,
        "seconds": round(time.perf_counter() - t0, 3),
        "seconds_per_rule": timings,
        "seconds_per_phase": {k: round(v, 4) for k, v in phases.items()},
        "layers": {lid: zones.describe(lid) for lid in sorted(
            {ref.layer for r in active for ref in r.layers()} |
            ({"control_units"} if "control_units" in zones else set()))},
    }
    log.info("screened %d project(s) against %d rule(s) in %.2f s: %d hit(s)",
             len(out), len(active), meta["seconds"], len(hits))
    return ScreeningResult(projects=out, hits=hits, fix_hints=fixes, ledger=ledger_summary,
                           skipped_rules=skipped, meta=meta)


def _illustrative(rule: Rule, zones: ZoneSource, ledger: pd.DataFrame | None) -> bool:
    """Whether a rule's evidence is illustrative (a layer, or the ledger, says so)."""
    if rule.spatial.predicate == "ledger":
        prov = (ledger.attrs.get("provenance") if ledger is not None else None) or ["illustrative"]
        return "illustrative" in prov
    return any(zones.describe(r.layer).get("provenance") == "illustrative"
               for r in rule.layers() if r.layer in zones)


#: The caveat written with every fix hint (maps translate it).
REMAINDER_NOTE = "remainder is free of prohibited zones only; re-screen it"


def _text(value: Any) -> str:
    """A text attribute, '' for missing (None, NaN)."""
    return value.strip() if isinstance(value, str) else ""


def location_hits(
    rule: Rule, idx: np.ndarray, gdf: gpd.GeoDataFrame, geoms: np.ndarray, zones: ZoneSource,
    rules_file: str, not_evaluated: dict[int, str] | None = None,
) -> dict[str, np.ndarray] | None:
    """Projects whose coordinates contradict their declared banner or township.

    The declared ``banner`` (旗区) is matched to the layer's ``name_zh``
    (:func:`~ordos_geo.zoning.townships.match_names`: "鄂托克" means 鄂托克旗, not 鄂托克前旗);
    a footprint that does not touch the matched area is flagged, and so is a banner name
    the layer does not know. A declared ``township`` (乡镇) is checked against a catalog
    layer ``townships`` (polygons with ``name_zh``) when there is one; otherwise against
    the shipped township list: the footprint must touch the township's banner, and a
    declared banner must be that banner. A township the list does not know is recorded
    in ``not_evaluated`` (project index → reason), never flagged. ``location_note`` comes
    from the readers (e.g. a 界址点 parcel outside the band of its declared 带号).
    """
    ref = rule.spatial.any_of[0]
    layer = zones.index([ref], rule_id=rule.id, rules_file=rules_file)
    names = [str(v) for v in layer.attrs.get("name_zh", pd.Series([""] * len(layer)))]
    keys = [name_key(v) for v in names]
    town_layer = None
    if "townships" in zones and ref.layer != "townships":
        town_layer = zones.index([LayerRef(layer="townships", classes=None)], rule_id=rule.id,
                                 rules_file=rules_file)
    table = read_townships() if town_layer is None else ()
    table_keys = [name_key(t.name_zh) for t in table]
    town_names = [] if town_layer is None else [
        str(v) for v in town_layer.attrs.get("name_zh", pd.Series([""] * len(town_layer)))]
    town_keys = [name_key(v) for v in town_names]
    out_p: list[int] = []
    zh: list[str] = []
    en: list[str] = []
    where: list[str] = []
    for p in idx:
        found = [names[k] for k in layer.tree.query(geoms[p], predicate="intersects")]
        note = _text(gdf["location_note"].iat[p])
        problems: list[tuple[str, str]] = []
        if note:
            problems.append((f"坐标存疑：{note}。", f"Location in doubt: {note}."))
        declared = _text(gdf["banner"].iat[p]) if not note else ""
        match = match_names(declared, keys) if declared else []
        if declared and not match:
            problems.append((f"申报旗区“{declared}”不在图层 {ref.layer} 中({'、'.join(names)})。",
                             f"Declared banner {declared!r} is not in layer {ref.layer}."))
        elif declared and not any(shapely.intersects(geoms[p], layer.geoms[k]) for k in match):
            problems.append((
                f"坐标位于{'、'.join(found) or '图层范围外'}，与申报旗区“{declared}”不符，"
                "请核实坐标系和带号。",
                f"The coordinates fall in {', '.join(found) or 'no banner'}, not in the "
                f"declared banner {declared!r}; check the CRS and the 带号."))
        town = _text(gdf["township"].iat[p]) if not note else ""
        if town and town_layer is not None:
            problems += _township_layer_check(town, geoms[p], town_layer, town_names,
                                              town_keys)
        elif town:
            towns = [table[k] for k in match_names(town, table_keys)]
            if not towns:
                if not_evaluated is not None:
                    not_evaluated[int(p)] = (
                        f"township {town!r} is not in the township list "
                        "(ordos_geo/data/analyses/townships.csv): not checked; add a "
                        "catalog layer 'townships'")
            else:
                own = list(dict.fromkeys(t.banner_zh for t in towns))
                own_keys = [name_key(b) for b in own]
                hit_keys = [name_key(b) for b in found]
                if not any(match_names(b, own_keys) for b in hit_keys):
                    problems.append((
                        f"申报乡镇“{town}”属于{'、'.join(own)}，坐标却位于"
                        f"{'、'.join(found) or '图层范围外'}，请核实坐标系和带号。",
                        f"The declared township {town!r} lies in {', '.join(own)}, but the "
                        f"coordinates fall in {', '.join(found) or 'no banner'}; check the CRS "
                        "and the 带号."))
                if match and not any(match_names(names[k], own_keys) for k in match):
                    problems.append((
                        f"申报乡镇“{town}”属于{'、'.join(own)}，与申报旗区“{declared}”不符。",
                        f"The declared township {town!r} lies in {', '.join(own)}, not in the "
                        f"declared banner {declared!r}."))
        if problems:
            out_p.append(int(p))
            zh.append("".join(z for z, _ in problems))
            en.append(" ".join(e for _, e in problems))
            where.append(" | ".join(found))
    if not out_p:
        return None
    pid = np.asarray(out_p, dtype=np.intp)
    nan = np.full(len(pid), np.nan)
    return {"_pidx": pid, "overlap_m2": nan, "distance_m": nan,
            "zones": np.asarray(where, dtype=object), "_part": geoms[pid],
            "_note_zh": np.asarray(zh, dtype=object), "_note_en": np.asarray(en, dtype=object)}


def _township_layer_check(town: str, geom: Any, towns: Any, names: list[str],
                          keys: list[str]) -> list[tuple[str, str]]:
    """A declared township tested against a ``townships`` polygon layer (zh, en problems).

    ``names`` / ``keys`` are the layer's ``name_zh`` values and their name keys."""
    match = match_names(town, keys)
    if not match:
        return [(f"申报乡镇“{town}”不在图层 townships 中。",
                 f"Declared township {town!r} is not in layer townships.")]
    if any(shapely.intersects(geom, towns.geoms[k]) for k in match):
        return []
    found = [names[k] for k in towns.tree.query(geom, predicate="intersects")]
    return [(f"坐标位于{'、'.join(found) or '乡镇图层范围外'}，与申报乡镇“{town}”不符，"
             "请核实坐标系和带号。",
             f"The coordinates fall in {', '.join(found) or 'no township'}, not in the "
             f"declared township {town!r}; check the CRS and the 带号.")]


def _rule_table(active: list[Rule], illustrative: list[bool]) -> dict[str, np.ndarray]:
    """Rule-level hit columns, one entry per active rule (indexed by rule number)."""
    tab: dict[str, list[Any]] = {k: [] for k in (
        "rule_id", "severity", "title_zh", "title_en", "citation", "doc_no", "clause", "quote",
        "verify", "status", "predicate", "layers", "illustrative", "message_zh", "message_en")}
    for rule, illu in zip(active, illustrative, strict=True):
        c = rule.citation
        for k, v in (("rule_id", rule.id), ("severity", rule.severity),
                     ("title_zh", rule.title_zh), ("title_en", rule.title_en),
                     ("citation", f"{c.doc_no} {c.clause}"), ("doc_no", c.doc_no),
                     ("clause", c.clause), ("quote", c.quote), ("verify", c.verify),
                     ("status", c.status), ("predicate", rule.spatial.predicate),
                     ("layers", ",".join(dict.fromkeys(r.layer for r in rule.spatial.any_of))),
                     ("illustrative", illu),
                     ("message_zh", rule.message.zh), ("message_en", rule.message.en)):
            tab[k].append(v)
    return {k: np.array(v, dtype=bool if k in ("verify", "illustrative") else object)
            for k, v in tab.items()}


def _assemble_hits(
    chunks: list[dict[str, np.ndarray]], active: list[Rule], gdf: gpd.GeoDataFrame,
    areas: np.ndarray, areal: np.ndarray, illustrative: list[bool],
    unknown: dict[int, Applicability],
) -> gpd.GeoDataFrame:
    """One table of all hits, built column by column from per-rule arrays (no row loops).

    Rows are sorted by project (input order), then rule order. A hit of a project the
    rule could not decide (``unknown``: an attribute it needs is missing) becomes a
    ``needs_information`` hit naming the missing attributes.
    """
    def cat(key: str, fill: Any, dtype: Any) -> np.ndarray:
        return np.concatenate([c[key] if key in c else np.full(len(c["_pidx"]), fill, dtype=dtype)
                               for c in chunks]) if chunks else np.empty(0, dtype=dtype)

    pidx = cat("_pidx", 0, np.intp).astype(np.intp)
    order = np.argsort(pidx, kind="stable")  # chunks come in rule order
    pidx = pidx[order]
    rule_no = cat("_rule", 0, np.intp)[order].astype(np.intp)
    cols: dict[str, Any] = {"_pidx": pidx, "_rule": rule_no}
    cols["project_id"] = gdf["id"].to_numpy()[pidx]
    cols["project_name"] = gdf["name"].to_numpy()[pidx]
    cols["industry"] = gdf["industry"].to_numpy()[pidx]
    cols["stage"] = gdf["stage"].to_numpy()[pidx]
    for k, v in _rule_table(active, illustrative).items():
        # take from a typed array of one row per rule: no per-row string inference
        cols[k] = v[rule_no] if v.dtype == bool else np.asarray(v, dtype=object)[rule_no]
    ov = cat("overlap_m2", np.nan, "float64")[order]
    cols["overlap_m2"] = ov
    cols["overlap_ha"] = ov / 1e4
    cols["overlap_mu"] = ov / M2_PER_MU
    with np.errstate(divide="ignore", invalid="ignore"):
        cols["overlap_share"] = np.where(areal[pidx] & (areas[pidx] > 0), ov / areas[pidx],
                                         np.nan)
    cols["distance_m"] = cat("distance_m", np.nan, "float64")[order]
    cols["zones"] = cat("zones", "", object)[order]
    missing = cat("missing_fields", "", object)[order]
    sev_over = cat("_severity", None, object)[order]
    note_zh = cat("_note_zh", "", object)[order]
    note_en = cat("_note_en", "", object)[order]
    sev = np.asarray(cols["severity"], dtype=object).copy()
    msg_zh = np.asarray(cols["message_zh"], dtype=object).copy()
    msg_en = np.asarray(cols["message_en"], dtype=object).copy()
    has_over = pd.notna(sev_over)
    # undecided hits: one message per (rule, missing fields) group, not per row
    for no, ap in unknown.items():
        rows = np.flatnonzero((rule_no == no) & ~has_over)
        rows = rows[ap.unknown[pidx[rows]]]
        if not len(rows):
            continue
        key = np.full(len(rows), "", dtype=object)
        for f, m in ap.missing.items():
            on = m[pidx[rows]]
            key[on] = np.where(key[on] == "", f, key[on] + "," + f)
        missing[rows] = key
        sev[rows] = "needs_information"
        for flds_txt in set(key.tolist()):
            sel = rows[key == flds_txt]
            flds = [f for f in flds_txt.split(",") if f]
            base_zh, base_en = msg_zh[sel[0]], msg_en[sel[0]]
            msg_zh[sel] = (f"无法判定：未申报{'、'.join(FIELD_ZH.get(f, f) for f in flds)}；"
                           f"请补充后复核。规则原文：{base_zh}")
            msg_en[sel] = (f"Cannot be decided: {', '.join(flds)} not declared; declare it and "
                           f"re-screen. The rule: {base_en}")
    sev[has_over] = sev_over[has_over]
    noted = note_zh != ""
    if noted.any():
        msg_zh[noted] = msg_zh[noted] + note_zh[noted]
        msg_en[noted] = msg_en[noted] + " " + note_en[noted]
    cols["severity"], cols["message_zh"], cols["message_en"] = sev, msg_zh, msg_en
    cols["missing_fields"] = missing
    for k in ("industry", "unit"):
        cols[f"ledger_{k}"] = cat(f"ledger_{k}", None, object)[order]
    for k in ("existing", "before", "after", "cap", "year", "order"):
        cols[f"ledger_{k}"] = cat(f"ledger_{k}", np.nan, "float64")[order]
    geom = cat("_part", None, object)[order]
    df = pd.DataFrame({c: cols.pop(c) for c in ("_pidx", "_rule", *HIT_COLUMNS)}, copy=False)
    for c in ("severity", "message_zh", "message_en", "missing_fields", "zones"):
        df[c] = df[c].astype(object)
    return gpd.GeoDataFrame(df, geometry=gpd.GeoSeries(geom, crs=WORK_CRS), crs=WORK_CRS)


def _verdicts(
    gdf: gpd.GeoDataFrame, hits: gpd.GeoDataFrame, areas: np.ndarray, areal: np.ndarray,
    not_evaluated: np.ndarray,
) -> gpd.GeoDataFrame:
    out = gdf.copy(deep=False)  # copy-on-write: new columns do not reach gdf
    n = len(out)
    rank = {s: i for i, s in enumerate(SEVERITY_ORDER)}
    worst = np.full(n, len(SEVERITY_ORDER), dtype=int)
    pidx = hits["_pidx"].to_numpy(dtype=np.intp)
    sev = hits["severity"].to_numpy()
    r = np.full(len(sev), len(SEVERITY_ORDER), dtype=int)
    for s, i in rank.items():
        r[sev == s] = i
    np.minimum.at(worst, pidx, r)
    labels = np.array([*SEVERITY_ORDER, "compliant"], dtype=object)
    out["verdict"] = labels[worst]
    # points and lines have no area: NaN, never "0 公顷"
    a = np.where(areal, areas, np.nan)
    out["area_m2"] = a
    out["area_ha"] = a / 1e4
    out["area_mu"] = a / M2_PER_MU
    out["n_hits"] = np.bincount(pidx[sev != "encouraged"], minlength=n)
    rid = hits["rule_id"].astype(str).to_numpy(dtype=object)
    is_enc = sev == "encouraged"
    out["rules_hit"] = join_per_project(pidx[~is_enc], rid[~is_enc], n)
    out["encouraged"] = join_per_project(pidx[is_enc], rid[is_enc], n)
    need = sev == "needs_information"
    out["needs_information"] = join_per_project(pidx[need], rid[need], n)
    out["not_evaluated"] = not_evaluated
    out["conditional"] = (out["not_evaluated"] != "").to_numpy() | \
        (out["needs_information"] != "").to_numpy()
    return out


def _fix_hints(
    out: gpd.GeoDataFrame, hits: gpd.GeoDataFrame, geoms: np.ndarray, areas: np.ndarray,
    areal: np.ndarray,
) -> gpd.GeoDataFrame:
    """Remainder of footprints once the parts in prohibited zones are taken out."""
    sel = (hits["severity"] == "prohibited").to_numpy()
    pidx = hits["_pidx"].to_numpy(dtype=np.intp)[sel]
    pred = hits["predicate"].to_numpy()[sel]
    rid = hits["rule_id"].astype(str).to_numpy()[sel]
    part = np.asarray(hits.geometry.to_numpy(), dtype=object)[sel]
    ov = hits["overlap_m2"].to_numpy(dtype="float64")[sel]
    # a non-spatial prohibition (anywhere, ledger, distance) forbids the whole project, and
    # so does a prohibited part covering the footprint (remainder ≤ AREA_EPS_M2 / 2)
    whole = np.zeros(len(areas), dtype=bool)
    whole[pidx[pd.Series(pred).isin(["anywhere", "ledger", "within_distance"]).to_numpy()]] = True
    whole[pidx[areas[pidx] - ov < AREA_EPS_M2 / 2]] = True
    keep = areal[pidx] & ~whole[pidx]
    pidx, rid, part = pidx[keep], rid[keep], part[keep]
    cols = ["project_id", "project_name", "prohibited_rules", "footprint_m2", "remainder_m2",
            "remainder_ha", "remainder_mu", "remainder_share", "note"]
    if not len(pidx):
        return gpd.GeoDataFrame(pd.DataFrame({c: [] for c in cols}),
                                geometry=gpd.GeoSeries([], crs=WORK_CRS), crs=WORK_CRS)
    order = np.argsort(pidx, kind="stable")
    uniq, start, counts = np.unique(pidx[order], return_index=True, return_counts=True)
    pidx, rid, part = pidx[order], rid[order], part[order]
    conflict = union_groups(part, start, counts)
    rest = shapely.difference(geoms[uniq], conflict)
    rest_area = shapely.area(rest)
    ok = (rest_area > AREA_EPS_M2) & (areas[uniq] - rest_area > AREA_EPS_M2)
    rules_text = join_per_project(pidx, rid.astype(object), len(areas))[uniq]
    p, ra = uniq[ok], rest_area[ok]
    df = pd.DataFrame({
        "project_id": out["id"].to_numpy()[p], "project_name": out["name"].to_numpy()[p],
        "prohibited_rules": rules_text[ok], "footprint_m2": areas[p], "remainder_m2": ra,
        "remainder_ha": ra / 1e4, "remainder_mu": ra / M2_PER_MU,
        "remainder_share": ra / areas[p],
        "note": REMAINDER_NOTE}, columns=cols)
    return gpd.GeoDataFrame(df, geometry=gpd.GeoSeries(rest[ok], crs=WORK_CRS), crs=WORK_CRS)


def check_projects(
    paths: Iterable[str | os.PathLike[str]],
    *,
    catalog: Any = None,
    rules_path: str | os.PathLike[str] | None = None,
    ledger_path: str | os.PathLike[str] | None = None,
    defaults: ProjectDefaults | Mapping[str, Any] | None = None,
    skip_invalid: bool = False,
    as_of: dt.date | None = None,
) -> ScreeningResult:
    """Read project files and screen them: the library entry of ``ordos-geo check``.

    Parameters
    ----------
    paths
        Project files or folders (see :func:`ordos_geo.io.projects.read_projects`).
    catalog
        :class:`ordos_geo.catalog.Catalog`, a user catalog file overlaid on the default
        one, ``None`` (default catalog) or a mapping ``layer id -> GeoDataFrame``.
    rules_path
        User rules file overlaid on ``analyses/zoning_rules.yaml`` (same id replaces;
        ``extends_default: false`` in the file uses it alone).
    ledger_path
        Capacity ledger CSV; default ``analyses/capacity_ledger.csv`` (illustrative).
    defaults
        Attribute defaults for inputs without them (``--industry``, ``--stage`` …).
    skip_invalid
        Screen the valid rows and list the bad ones in ``meta["skipped_rows"]``
        instead of stopping at them (every bad row is reported either way).
    as_of
        Screening date for dated caps (default today).

    Returns
    -------
    ScreeningResult
    """
    paths = list(paths)
    t0 = time.perf_counter()
    ruleset = load_rules(user_path=rules_path) if rules_path is not None else load_rules()
    zones = catalog if isinstance(catalog, ZoneSource) else ZoneSource(catalog)
    projects = read_projects(paths, defaults=defaults, skip_invalid=skip_invalid)
    uses_ledger = any(r.spatial.predicate == "ledger" for r in ruleset.rules)
    led = read_ledger(ledger_path) if uses_ledger else None
    t_read = time.perf_counter() - t0
    result = screen(projects, ruleset, zones, ledger=led, rules_file=rules_file_name(rules_path),
                    as_of=as_of)
    # phase times (s): reading the projects, rules and ledger; screening (incl. reading the
    # zone layers, which ZoneSource does lazily inside `screen`)
    result.meta["timings"] = {"read": round(t_read, 3),
                              "screen": round(time.perf_counter() - t0 - t_read, 3)}
    result.meta["inputs"] = [str(p) for p in paths]
    result.meta["skipped_rows"] = list(projects.attrs.get("skipped") or [])
    result.meta["rules_files"] = [rules_file_name(None)] + (
        [rules_file_name(rules_path)] if rules_path is not None else [])
    if led is not None:
        result.meta["ledger"] = {"path": led.attrs.get("path"),
                                 "provenance": led.attrs.get("provenance")}
    return result
