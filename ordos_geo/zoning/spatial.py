"""Vectorised spatial predicates of the screening engine (shapely 2, STRtree bulk queries).

All geometries are in the equal-area :data:`ordos_geo.crs.WORK_CRS` (metres). For one
rule, :func:`spatial_hits` slices the shared :class:`~ordos_geo.zoning.overlay.OverlayCache`
(one STRtree bulk query per layer selection for all rules; intersections only for
candidate pairs, none for footprints lying wholly inside a zone); :func:`control_units`
lists the 三线一单 units each project touches.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import shapely

from ordos_geo.zoning.overlay import AREA_EPS_M2, OverlayCache
from ordos_geo.zoning.rules import LayerRef, Rule
from ordos_geo.zoning.zones import ZoneSource

__all__ = [
    "AREA_EPS_M2",
    "control_units",
    "group_runs",
    "join_per_project",
    "spatial_hits",
    "zone_labels",
    "zones_text",
]

_NAME_FIELDS = ("name_zh", "unit_name", "name", "name_en", "park_id", "unit_code")
_MAX_ZONES_LISTED = 5


def group_runs(gi: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Sort order and (unique, start, count) runs of the input index of query pairs."""
    order = np.argsort(gi, kind="stable")
    uniq, start, counts = np.unique(gi[order], return_index=True, return_counts=True)
    return order, uniq, start, counts


def zone_labels(at: pd.DataFrame, report_fields: list[str]) -> np.ndarray:
    """One label per zone feature (rows of ``at``): the report fields, or layer:name."""
    n = len(at)
    if report_fields:
        cols = [at[f].astype(str).where(at[f].notna(), "") for f in report_fields if f in at]
        if not cols:
            return np.full(n, "", dtype=object)
        lab = cols[0]
        for c in cols[1:]:
            lab = lab + " / " + c
        return lab.to_numpy(dtype=object)
    name = pd.Series([f"#{j}" for j in range(n)], index=at.index, dtype=object)
    for f in reversed(_NAME_FIELDS):
        if f in at:
            name = at[f].astype(str).where(at[f].notna(), name)
    layer = at["_layer"].astype(str) if "_layer" in at else pd.Series([""] * n, index=at.index)
    return (layer + ":" + name).to_numpy(dtype=object)


def zones_text(labels: np.ndarray, rows: np.ndarray) -> str:
    items = [str(x) for x in labels[rows[:_MAX_ZONES_LISTED]]]
    more = len(rows) - _MAX_ZONES_LISTED
    return " | ".join(items) + (f" | (+{more} more)" if more > 0 else "")


def spatial_hits(
    rule: Rule, idx: np.ndarray, geoms: np.ndarray, areas: np.ndarray, areal: np.ndarray,
    zones: ZoneSource, rules_file: str, cache: OverlayCache,
) -> dict[str, Any]:
    """Evaluate the spatial predicate of ``rule`` for projects ``idx`` (sorted).

    ``inside``/``intersects``/``outside`` results come from the shared
    :class:`~ordos_geo.zoning.overlay.OverlayCache` (one query per layer selection);
    ``within_distance`` queries the rule's zones directly. Returns ``hit``, ``overlap``
    (m²), ``dist`` (m), ``part`` (geometry), ``labels`` (per combined zone) and
    ``zone_runs`` (first, count, zones) per project of ``idx``.
    """
    sp = rule.spatial
    G = geoms[idx]
    n = len(G)
    overlap = np.full(n, np.nan)
    dist = np.full(n, np.nan)
    part = np.full(n, None, dtype=object)
    zone_runs = None
    labels = None
    if sp.predicate == "anywhere":
        hit = np.ones(n, dtype=bool)
        return {"hit": hit, "overlap": overlap, "dist": dist, "part": G.copy(), "labels": None,
                "zone_runs": zone_runs}
    a = areal[idx]
    if sp.predicate == "within_distance":
        zi = zones.index(sp.any_of, rule_id=rule.id, rules_file=rules_file)
        gi, zj = zi.tree.query(G, predicate="dwithin", distance=float(sp.distance_m or 0.0))
        hit = np.zeros(n, dtype=bool)
        hit[gi] = True
        if len(gi):
            d = shapely.distance(G[gi], zi.geoms[zj])
            order, uniq, start, _ = group_runs(gi)
            dist[uniq] = np.minimum.reduceat(d[order], start)
        part = G.copy()
    else:
        ov = cache.overlap(sp.any_of, rule.id)
        p = np.searchsorted(ov.sel, idx)
        has, inside_area = ov.has[p], ov.area[p]
        if sp.predicate in ("intersects", "inside"):
            hit = has if sp.predicate == "intersects" else np.where(
                a, inside_area > AREA_EPS_M2, has)
            overlap = np.where(a, inside_area, np.nan)
            part = ov.part[p]
            dist = np.where(hit, 0.0, np.nan)
        else:  # outside
            out = cache.outside(sp.any_of, rule.id)
            q = np.searchsorted(out.sel, idx)
            hit, overlap, part, dist = out.hit[q], out.outside_area[q], out.part[q], out.dist[q]
        labels = cache.labels(sp.any_of, sp.report_fields, rule.id)
        zone_runs = (ov.first[p], ov.cnt[p], ov.zs)
    if sp.none_of:
        ex = zones.index(sp.none_of, rule_id=rule.id, rules_file=rules_file)
        ei, _ = ex.tree.query(G, predicate="covered_by")
        exempt = np.zeros(n, dtype=bool)
        exempt[ei] = True
        hit = hit & ~exempt
    return {"hit": hit, "overlap": overlap, "dist": dist, "part": part, "labels": labels,
            "zone_runs": zone_runs}


def control_units(
    geoms: np.ndarray, areal: np.ndarray, zones: ZoneSource, cache: OverlayCache | None = None,
) -> dict[str, np.ndarray]:
    """三线一单 unit codes, names and categories touched by each project ('' when none).

    A footprint that only shares a boundary with a unit (overlap ≤ 0.01 m²) does not
    touch it. With ``cache`` (whose ``need_ref`` has ``control_units||`` for every
    project) the query and intersections are shared with the rules on that layer.
    """
    n = len(geoms)
    cols = {k: np.full(n, "", dtype=object) for k in
            ("control_units", "control_unit_names", "control_unit_categories")}
    if "control_units" not in zones:
        return cols
    ref = LayerRef.model_validate("control_units")
    if cache is not None:
        zi, gi, zj, full = cache.layer_pairs("control_units")
    else:
        zi = zones.index([ref], rule_id="control_units", rules_file="(built-in)")
        gi, zj = zi.tree.query(geoms, predicate="intersects")
        order = np.lexsort((zj, gi))
        gi, zj = gi[order], zj[order]
        full = shapely.contains(zi.geoms[zj], geoms[gi])
    keep = np.ones(len(gi), dtype=bool)
    part = np.flatnonzero(areal[gi] & ~full)
    if len(part):
        pieces = (cache.pieces(ref, part, "control_units") if cache is not None else
                  shapely.intersection(geoms[gi[part]], zi.geoms[zj[part]]))
        keep[part] = shapely.area(pieces) > AREA_EPS_M2
    gi, zj = gi[keep], zj[keep]
    for col, fld in (("control_units", "unit_code"), ("control_unit_names", "unit_name"),
                     ("control_unit_categories", "category")):
        if fld in zi.attrs:
            vals = zi.attrs[fld].astype(str).to_numpy(dtype=object)
            cols[col] = join_per_project(gi, vals[zj], n)
    return cols


def join_per_project(pidx: np.ndarray, text: np.ndarray, n: int) -> np.ndarray:
    """';'-joined ``text`` per project (hits are sorted by project), '' where none."""
    out = np.full(n, "", dtype=object)
    if len(pidx):
        uniq, start = np.unique(pidx, return_index=True)
        # object-array add is string concatenation: one C loop instead of n joins
        joined = np.add.reduceat((text + ";").astype(object), start)
        out[uniq] = [s[:-1] for s in joined]
    return out
