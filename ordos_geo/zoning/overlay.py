"""Shared overlay cache of the screening engine: one STRtree query per zone layer.

Many rules look at the same layers (``parks`` for P-4b and P-4c; ``red_lines`` for
P-12a, N-1a and N-1b; the desert and mining layers for P-6d, P-15a and N-2c). The
:class:`OverlayCache` therefore works at two levels, all in the equal-area
:data:`ordos_geo.crs.WORK_CRS` (metres, m²):

* per **layer selection** (:meth:`LayerRef.key <ordos_geo.zoning.rules.LayerRef.key>`):
  one bulk ``STRtree.query(predicate="intersects")`` of every project that any rule
  needs against that selection, a prepared containment test per candidate pair and,
  only when a rule needs it, the intersection of the pair (never for a footprint lying
  wholly inside one of the zones: its overlap is the footprint itself);
* per **zone set** (the ``any_of`` list of a rule): the area of the footprint inside the
  union of the zones and that part, computed once and sliced by every rule with the same
  ``any_of``; for ``outside`` rules also the part outside every zone and, for footprints
  touching no zone, the nearest distance (``STRtree.query_nearest``).

No ``union_all`` is done per project: footprints with several partial overlaps are
merged in vectorised batches (:func:`union_groups`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely

from ordos_geo.zoning.rules import LayerRef
from ordos_geo.zoning.zones import ZoneIndex, ZoneSource

__all__ = ["AREA_EPS_M2", "OverlayCache", "SetOutside", "SetOverlap", "nearest_distance",
           "set_key", "union_groups"]

log = logging.getLogger(__name__)

#: Overlaps below this area (m²) are boundary contact, not occupation.
AREA_EPS_M2 = 0.01


def set_key(refs: Sequence[LayerRef]) -> str:
    """Cache key of an ordered zone set (``any_of`` list)."""
    return "||".join(r.key() for r in refs)


def union_groups(pieces: np.ndarray, start: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Union of each run ``pieces[start[k] : start[k] + counts[k]]`` (vectorised by run length).

    Parameters
    ----------
    pieces
        Geometries sorted so that each group is contiguous.
    start, counts
        Start and length of each group (``counts >= 1``).

    Returns
    -------
    numpy.ndarray
        One geometry per group (the piece itself for groups of one).
    """
    out = np.empty(len(start), dtype=object)
    one = counts == 1
    out[one] = pieces[start[one]]
    for c in np.unique(counts[~one]):
        k = np.flatnonzero(counts == c)
        grid = pieces[start[k][:, None] + np.arange(c)[None, :]]
        out[k] = shapely.union_all(grid, axis=1)
    return out


def nearest_distance(zi: ZoneIndex, G: np.ndarray, *, max_rounds: int = 40) -> np.ndarray:
    """Distance (m) from each geometry of ``G`` to its nearest zone of ``zi``.

    Equal to ``zi.tree.query_nearest(G, return_distance=True)`` but several times faster
    for many queries: a bounding-box query with the boxes of ``G`` grown by a radius
    ``r`` (first half the mean zone spacing) gives candidates, whose exact distances
    (``shapely.distance``) are reduced per geometry. A minimum ``m <= r`` is exact (every
    zone closer than ``r`` is a candidate); the others are queried again with
    ``r = m`` (or ``2 r`` when there was no candidate). Exact distances are computed
    only for candidates whose bounding box is nearer than the exact distance to the
    candidate with the nearest box. ``inf`` where ``zi`` is empty,
    ``nan`` for empty geometries.
    """
    n = len(G)
    out = np.full(n, np.inf)
    if n == 0 or len(zi) == 0:
        return out
    ok = ~(shapely.is_missing(G) | shapely.is_empty(G))
    out[~ok] = np.nan
    b = shapely.bounds(G)
    zb = shapely.total_bounds(zi.geoms)
    zbounds = shapely.bounds(zi.geoms)
    r0 = 0.5 * float(np.sqrt(max((zb[2] - zb[0]) * (zb[3] - zb[1]), 1.0) / len(zi)))
    todo = np.flatnonzero(ok)
    r = np.full(len(todo), r0)
    for _ in range(max_rounds):
        if not len(todo):
            break
        bt = b[todo]
        boxes = shapely.box(bt[:, 0] - r, bt[:, 1] - r, bt[:, 2] + r, bt[:, 3] + r)
        qi, zj = zi.tree.query(boxes)
        m = np.full(len(todo), np.inf)
        if len(qi):
            # exact distance first to the candidate with the nearest box (an upper bound),
            # then only to candidates whose box is nearer than that bound
            g, z = bt[qi], zbounds[zj]
            dx = np.maximum(np.maximum(z[:, 0] - g[:, 2], g[:, 0] - z[:, 2]), 0.0)
            dy = np.maximum(np.maximum(z[:, 1] - g[:, 3], g[:, 1] - z[:, 3]), 0.0)
            bd = np.hypot(dx, dy)
            order = np.lexsort((bd, qi))
            qi, zj, bd = qi[order], zj[order], bd[order]
            head = np.ones(len(qi), dtype=bool)
            head[1:] = qi[1:] != qi[:-1]
            m[qi[head]] = shapely.distance(G[todo[qi[head]]], zi.geoms[zj[head]])
            rest = np.flatnonzero(~head & (bd < m[qi]))
            if len(rest):
                d = shapely.distance(G[todo[qi[rest]]], zi.geoms[zj[rest]])
                np.minimum.at(m, qi[rest], d)
        done = m <= r
        out[todo[done]] = m[done]
        again = ~done
        todo, r = todo[again], np.where(np.isfinite(m[again]), m[again], 2 * r[again])
    if len(todo):  # pathological extents: fall back to the tree's own nearest search
        (qi, _), dd = zi.tree.query_nearest(G[todo], return_distance=True, all_matches=False)
        out[todo[qi]] = dd
    return out


@dataclass
class _RefPairs:
    """Candidate pairs of one layer selection, sorted by (project, zone).

    A ``where`` selection of a vector layer is a view on the whole layer's pairs
    (``base``, ``rows``): one query and one intersection per pair for all selections.
    """

    zi: ZoneIndex
    gi: np.ndarray  # global project index
    zj: np.ndarray  # zone index within zi
    full: np.ndarray  # zone contains the footprint
    piece: np.ndarray | None  # footprint ∩ zone (None until needed; the footprint when full)
    base: _RefPairs | None = None
    rows: np.ndarray | None = None


@dataclass
class SetOverlap:
    """Per project of ``sel``: overlap with the union of a zone set (m², WORK_CRS).

    ``first``/``cnt`` index ``zs``: the combined zone indices each project touches,
    sorted by zone index.
    """

    sel: np.ndarray
    has: np.ndarray
    area: np.ndarray
    part: np.ndarray
    first: np.ndarray
    cnt: np.ndarray
    zs: np.ndarray


@dataclass
class SetOutside:
    """Per project of ``sel``: the ``outside`` predicate of a zone set."""

    sel: np.ndarray
    hit: np.ndarray
    outside_area: np.ndarray
    part: np.ndarray
    dist: np.ndarray


class OverlayCache:
    """Lazy, shared overlay results for one screening run.

    Parameters
    ----------
    geoms, areas, areal
        Project geometries (prepared, WORK_CRS), their areas (m²) and whether they are
        polygons.
    zones
        Layer access.
    need_ref, need_set, need_outside
        Boolean masks over the projects: which projects any rule needs per layer
        selection key, per zone-set key, and per zone-set key for ``outside`` rules.
    rules_file
        For messages.
    """

    def __init__(
        self, geoms: np.ndarray, areas: np.ndarray, areal: np.ndarray, zones: ZoneSource, *,
        need_ref: Mapping[str, np.ndarray], need_set: Mapping[str, np.ndarray],
        need_outside: Mapping[str, np.ndarray], rules_file: str,
    ) -> None:
        self.geoms, self.areas, self.areal, self.zones = geoms, areas, areal, zones
        self.need_ref, self.need_set, self.need_outside = need_ref, need_set, need_outside
        self.rules_file = rules_file
        self._refs: dict[str, _RefPairs] = {}
        self._sets: dict[str, SetOverlap] = {}
        self._outside: dict[str, SetOutside] = {}
        self._labels: dict[tuple[str, tuple[str, ...]], np.ndarray] = {}

    # ------------------------------------------------------------ layer selections
    def _need_layer(self, layer: str) -> np.ndarray:
        """Projects needed by any selection of ``layer``."""
        need = np.zeros(len(self.geoms), dtype=bool)
        for k, m in self.need_ref.items():
            if k.split("|", 1)[0] == layer:
                need |= m
        return need

    def _query(self, zi: ZoneIndex, need: np.ndarray) -> _RefPairs:
        G = self.geoms
        sel = np.flatnonzero(need)
        gi, zj = zi.tree.query(G[sel], predicate="intersects")
        gi = sel[gi]
        order = np.lexsort((zj, gi))
        gi, zj = gi[order], zj[order]
        full = shapely.contains(zi.geoms[zj], G[gi])  # zones are prepared
        piece = np.full(len(gi), None, dtype=object)
        piece[full] = G[gi[full]]
        return _RefPairs(zi=zi, gi=gi, zj=zj, full=full, piece=piece)

    def _ref(self, ref: LayerRef, rule_id: str) -> _RefPairs:
        key = ref.key()
        if key not in self._refs:
            kw = {"rule_id": rule_id, "rules_file": self.rules_file}
            zi = self.zones.index([ref], **kw)
            sub = self.zones.subset(ref, **kw)
            if sub is None or len(sub) != len(zi):  # raster classes: their own polygons
                rp = self._query(zi, self.need_ref[key])
            elif not ref.where:  # the whole layer, for every selection of it
                rp = self._query(zi, self._need_layer(ref.layer))
            else:
                base = self._ref(LayerRef.model_validate(ref.layer), rule_id)
                inv = np.full(len(base.zi), -1, dtype=np.intp)
                inv[sub] = np.arange(len(sub))
                rows = np.flatnonzero((inv[base.zj] >= 0) & self.need_ref[key][base.gi])
                rp = _RefPairs(zi=zi, gi=base.gi[rows], zj=inv[base.zj[rows]],
                               full=base.full[rows], piece=None, base=base, rows=rows)
            self._refs[key] = rp
            log.debug("zones %s: %d candidate pair(s), %d containment(s)", key, len(rp.gi),
                      int(rp.full.sum()))
        return self._refs[key]

    def layer_pairs(self, layer: str) -> tuple[ZoneIndex, np.ndarray, np.ndarray, np.ndarray]:
        """Whole-layer pairs (zone index, project, zone, zone contains project)."""
        rp = self._ref(LayerRef.model_validate(layer), layer)
        return rp.zi, rp.gi, rp.zj, rp.full

    def pieces(self, ref: LayerRef, rows: np.ndarray, rule_id: str) -> np.ndarray:
        """Intersections (footprint ∩ zone) of pairs ``rows`` of a layer selection."""
        return self._pieces(self._ref(ref, rule_id), rows)

    def _pieces(self, rp: _RefPairs, rows: np.ndarray) -> np.ndarray:
        """Intersections of pairs ``rows`` of ``rp`` (computed once, then cached)."""
        if rp.base is not None and rp.rows is not None:
            return self._pieces(rp.base, rp.rows[rows])
        assert rp.piece is not None
        todo = rows[shapely.is_missing(rp.piece[rows])]
        if len(todo):
            rp.piece[todo] = shapely.intersection(self.geoms[rp.gi[todo]],
                                                  rp.zi.geoms[rp.zj[todo]])
        return rp.piece[rows]

    def zone_geoms(self, refs: Sequence[LayerRef], rule_id: str) -> np.ndarray:
        """Zone geometries of a zone set in combined (concatenated) order."""
        return np.concatenate([self._ref(r, rule_id).zi.geoms for r in refs])

    def labels(self, refs: Sequence[LayerRef], report_fields: list[str], rule_id: str,
               ) -> np.ndarray:
        """One label per zone of a zone set in combined order (see :func:`zone_labels`)."""
        from ordos_geo.zoning.spatial import zone_labels

        key = (set_key(refs), tuple(report_fields))
        if key not in self._labels:
            attrs = pd.concat([self._ref(r, rule_id).zi.attrs for r in refs], ignore_index=True)
            self._labels[key] = zone_labels(attrs, report_fields)
        return self._labels[key]

    # ------------------------------------------------------------------ zone sets
    def overlap(self, refs: Sequence[LayerRef], rule_id: str) -> SetOverlap:
        """Overlap of the needed projects with the union of the zone set ``refs``."""
        key = set_key(refs)
        if key in self._sets:
            return self._sets[key]
        need = self.need_set[key]
        sel = np.flatnonzero(need)
        G = self.geoms
        gis, zcs, fulls, srcs, rows = [], [], [], [], []
        offset = 0
        for k, ref in enumerate(refs):
            rp = self._ref(ref, rule_id)
            keep = np.flatnonzero(need[rp.gi])
            gis.append(rp.gi[keep])
            zcs.append(rp.zj[keep] + offset)
            fulls.append(rp.full[keep])
            srcs.append(np.full(len(keep), k, dtype=np.intp))
            rows.append(keep)
            offset += len(rp.zi)
        gi, zc = np.concatenate(gis), np.concatenate(zcs)
        full, src, row = np.concatenate(fulls), np.concatenate(srcs), np.concatenate(rows)
        if len(refs) > 1:
            order = np.lexsort((zc, gi))
            gi, zc, full, src, row = gi[order], zc[order], full[order], src[order], row[order]
        n = len(sel)
        area = np.zeros(n)
        part = np.full(n, None, dtype=object)
        has = np.zeros(n, dtype=bool)
        first = np.zeros(n, dtype=np.intp)
        cnt = np.zeros(n, dtype=np.intp)
        if len(gi):
            uniq, start, counts = np.unique(gi, return_index=True, return_counts=True)
            pos = np.searchsorted(sel, uniq)
            has[pos], first[pos], cnt[pos] = True, start, counts
            covered = np.logical_or.reduceat(full, start)
            # footprints wholly inside one zone: overlap = footprint, no overlay at all
            cov = pos[covered]
            area[cov] = self.areas[sel[cov]]
            part[cov] = G[sel[cov]]
            # the others: intersections of their pairs, merged per project
            grp = np.repeat(np.arange(len(uniq)), counts)
            todo = ~covered[grp]
            piece = np.full(len(gi), None, dtype=object)
            for k, ref in enumerate(refs):
                m = todo & (src == k)
                if m.any():
                    piece[m] = self._pieces(self._ref(ref, rule_id), row[m])
            pidx = np.flatnonzero(~covered)
            if len(pidx):
                merged = union_groups(piece, start[pidx], counts[pidx])
                part[pos[pidx]] = merged
                area[pos[pidx]] = shapely.area(merged)
        res = SetOverlap(sel=sel, has=has, area=area, part=part, first=first, cnt=cnt, zs=zc)
        self._sets[key] = res
        return res

    def outside(self, refs: Sequence[LayerRef], rule_id: str) -> SetOutside:
        """``outside`` predicate of the needed projects for the zone set ``refs``."""
        key = set_key(refs)
        if key in self._outside:
            return self._outside[key]
        ov = self.overlap(refs, rule_id)
        sel = np.flatnonzero(self.need_outside[key])
        p = np.searchsorted(ov.sel, sel)
        G = self.geoms[sel]
        a = self.areal[sel]
        has, inside_area, inside_part = ov.has[p], ov.area[p], ov.part[p]
        first, cnt = ov.first[p], ov.cnt[p]
        total = self.areas[sel]
        outside_area = np.where(a, total - inside_area, np.nan)
        tol = np.maximum(AREA_EPS_M2, 1e-9 * total)
        hit = np.where(a, outside_area > tol, ~has)
        zg = self.zone_geoms(refs, rule_id)
        # lines (and points on a boundary) touching zones: outside unless covered
        for k in np.flatnonzero(~a & has):
            zs = ov.zs[first[k] : first[k] + cnt[k]]
            hit[k] = not shapely.covered_by(G[k], shapely.union_all(zg[zs]))
        part = np.full(len(sel), None, dtype=object)
        far = hit & ~has
        part[far] = G[far]
        one = np.flatnonzero(hit & has & (cnt == 1))
        part[one] = shapely.difference(G[one], zg[ov.zs[first[one]]])
        many = hit & has & (cnt > 1)
        # polygons: footprint minus its (already merged) part inside the zones
        m = np.flatnonzero(many & a)
        part[m] = shapely.difference(G[m], inside_part[m])
        for k in np.flatnonzero(many & ~a):
            zs = ov.zs[first[k] : first[k] + cnt[k]]
            part[k] = shapely.difference(G[k], shapely.union_all(zg[zs]))
        dist = np.where(hit, 0.0, np.nan)
        fi = np.flatnonzero(far)
        if len(fi):
            best = np.full(len(fi), np.inf)
            for ref in refs:
                zi = self._ref(ref, rule_id).zi
                if len(zi):
                    best = np.minimum(best, nearest_distance(zi, G[fi]))
            dist[fi] = np.where(np.isfinite(best), best, np.nan)
        res = SetOutside(sel=sel, hit=hit, outside_area=outside_area, part=part, dist=dist)
        self._outside[key] = res
        return res
