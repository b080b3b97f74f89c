"""Vectorised spatial predicates of the screening engine (shapely 2, STRtree bulk queries).

All geometries are in the equal-area :data:`ordos_geo.crs.WORK_CRS` (metres). For one
rule, :func:`spatial_hits` queries the applicable projects against the rule's zones in
one call and computes intersections only for candidate pairs (none for footprints lying
wholly inside a zone); :func:`control_units` lists the 三线一单 units each project
touches.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import shapely

from ordos_geo.zoning.rules import LayerRef, Rule
from ordos_geo.zoning.zones import ZoneIndex, ZoneSource

__all__ = [
    "AREA_EPS_M2",
    "control_units",
    "group_runs",
    "join_per_project",
    "overlap_parts",
    "runs",
    "spatial_hits",
    "zone_labels",
    "zones_text",
]

#: Overlaps below this area (m²) are boundary contact, not occupation.
AREA_EPS_M2 = 0.01
_NAME_FIELDS = ("name_zh", "unit_name", "name", "name_en", "park_id", "unit_code")
_MAX_ZONES_LISTED = 5


def group_runs(gi: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Sort order and (unique, start, count) runs of the input index of query pairs."""
    order = np.argsort(gi, kind="stable")
    uniq, start, counts = np.unique(gi[order], return_index=True, return_counts=True)
    return order, uniq, start, counts


def runs(gi: np.ndarray, zj: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per input geometry k: start and count of its zones in the returned sorted zone index."""
    first = np.zeros(n, dtype=np.intp)
    cnt = np.zeros(n, dtype=np.intp)
    order, uniq, start, counts = group_runs(gi)
    first[uniq], cnt[uniq] = start, counts
    return first, cnt, zj[order]


def overlap_parts(
    G: np.ndarray, zi: ZoneIndex, gi: np.ndarray, zj: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per input geometry: area inside the union of its zones (m²) and that part."""
    area = np.zeros(len(G))
    part = np.full(len(G), None, dtype=object)
    if len(gi) == 0:
        return area, part
    order, uniq, start, counts = group_runs(gi)
    gi, zj = gi[order], zj[order]
    # footprints wholly inside one zone need no intersection (prepared containment test)
    full = shapely.contains(zi.geoms[zj], G[gi])
    inter = np.empty(len(gi), dtype=object)
    inter[full] = G[gi[full]]
    inter[~full] = shapely.intersection(G[gi[~full]], zi.geoms[zj[~full]])
    one = counts == 1
    area[uniq[one]] = shapely.area(inter[start[one]])
    part[uniq[one]] = inter[start[one]]
    for u, s, c in zip(uniq[~one], start[~one], counts[~one], strict=True):
        merged = shapely.union_all(inter[s : s + c])
        area[u], part[u] = shapely.area(merged), merged
    return area, part


def zone_labels(zi: ZoneIndex, report_fields: list[str]) -> np.ndarray:
    """One label per zone feature: the report fields, or layer:name."""
    at = zi.attrs
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
    zones: ZoneSource, rules_file: str,
) -> dict[str, Any]:
    """Evaluate the spatial predicate of ``rule`` for projects ``idx``."""
    sp = rule.spatial
    G = geoms[idx]
    n = len(G)
    overlap = np.full(n, np.nan)
    dist = np.full(n, np.nan)
    part = np.full(n, None, dtype=object)
    zone_runs = None
    if sp.predicate == "anywhere":
        hit = np.ones(n, dtype=bool)
        return {"hit": hit, "overlap": overlap, "dist": dist, "part": G.copy(), "zones": None,
                "zone_runs": zone_runs}
    zi = zones.index(sp.any_of, rule_id=rule.id, rules_file=rules_file)
    a = areal[idx]
    if sp.predicate == "within_distance":
        gi, zj = zi.tree.query(G, predicate="dwithin", distance=float(sp.distance_m or 0.0))
        hit = np.zeros(n, dtype=bool)
        hit[gi] = True
        if len(gi):
            d = shapely.distance(G[gi], zi.geoms[zj])
            order, uniq, start, _ = group_runs(gi)
            dist[uniq] = np.minimum.reduceat(d[order], start)
        part = G.copy()
    else:
        gi, zj = zi.tree.query(G, predicate="intersects")
        has = np.zeros(n, dtype=bool)
        has[gi] = True
        inside_area, inside_part = overlap_parts(G, zi, gi, zj)
        if sp.predicate == "intersects":
            hit = has
            overlap = np.where(a, inside_area, np.nan)
            part = inside_part
            dist = np.where(hit, 0.0, np.nan)
        elif sp.predicate == "inside":
            hit = np.where(a, inside_area > AREA_EPS_M2, has)
            overlap = np.where(a, inside_area, np.nan)
            part = inside_part
            dist = np.where(hit, 0.0, np.nan)
        else:  # outside
            total = areas[idx]
            outside_area = np.where(a, total - inside_area, np.nan)
            tol = np.maximum(AREA_EPS_M2, 1e-9 * total)
            hit = np.where(a, outside_area > tol, ~has)
            first, cnt, zs_sorted = runs(gi, zj, n)
            # lines (and points on a boundary) touching zones: outside unless covered
            for k in np.flatnonzero(~a & has):
                zs = zs_sorted[first[k] : first[k] + cnt[k]]
                hit[k] = not shapely.covered_by(G[k], shapely.union_all(zi.geoms[zs]))
            overlap = outside_area
            far = hit & ~has
            part[far] = G[far]
            one = np.flatnonzero(hit & has & (cnt == 1))
            part[one] = shapely.difference(G[one], zi.geoms[zs_sorted[first[one]]])
            for k in np.flatnonzero(hit & has & (cnt > 1)):
                zs = zs_sorted[first[k] : first[k] + cnt[k]]
                part[k] = shapely.difference(G[k], shapely.union_all(zi.geoms[zs]))
            dist = np.where(hit, 0.0, np.nan)
            if far.any() and len(zi):
                (qi, _), dd = zi.tree.query_nearest(G[far], return_distance=True,
                                                   all_matches=False)
                dist_far = np.full(int(far.sum()), np.nan)
                dist_far[qi] = dd
                dist[np.flatnonzero(far)] = dist_far
        zone_runs = runs(gi, zj, n)
    if sp.none_of:
        ex = zones.index(sp.none_of, rule_id=rule.id, rules_file=rules_file)
        ei, _ = ex.tree.query(G, predicate="covered_by")
        exempt = np.zeros(n, dtype=bool)
        exempt[ei] = True
        hit &= ~exempt
    return {"hit": hit, "overlap": overlap, "dist": dist, "part": part, "zones": zi,
            "zone_runs": zone_runs}


def control_units(
    geoms: np.ndarray, areal: np.ndarray, zones: ZoneSource
) -> dict[str, np.ndarray]:
    """三线一单 unit codes, names and categories touched by each project ('' when none).

    A footprint that only shares a boundary with a unit (overlap ≤ 0.01 m²) does not
    touch it.
    """
    n = len(geoms)
    cols = {k: np.full(n, "", dtype=object) for k in
            ("control_units", "control_unit_names", "control_unit_categories")}
    if "control_units" not in zones:
        return cols
    zi = zones.index([LayerRef.model_validate("control_units")], rule_id="control_units",
                     rules_file="(built-in)")
    gi, zj = zi.tree.query(geoms, predicate="intersects")
    keep = np.ones(len(gi), dtype=bool)
    part = areal[gi] & ~shapely.contains(zi.geoms[zj], geoms[gi])
    if part.any():
        keep[part] = shapely.area(shapely.intersection(geoms[gi[part]],
                                                       zi.geoms[zj[part]])) > AREA_EPS_M2
    gi, zj = gi[keep], zj[keep]
    order = np.argsort(gi, kind="stable")
    gi, zj = gi[order], zj[order]
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
