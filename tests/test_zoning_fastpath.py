"""The fast screening path equals a simple reference implementation.

The engine shares one STRtree query per layer selection between rules, skips the
overlay for footprints lying wholly inside a zone, merges partial overlaps in batches
and finds nearest zones with a bounding-box search. Here a deliberately naive
reference — shapely, one project × one zone at a time, no index — screens a random,
seeded world of rotated rectangles, circles, points and lines against the shipped rules;
hit sets must be the same, areas within 0.01 % and distances equal.
"""

from __future__ import annotations

import functools
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely import affinity

from ordos_geo.crs import WORK_CRS
from ordos_geo.io.projects import complete_schema
from ordos_geo.zoning import load_rules, screen
from ordos_geo.zoning.ledger import read_ledger
from ordos_geo.zoning.overlay import AREA_EPS_M2, nearest_distance, union_groups
from ordos_geo.zoning.rules import LayerRef, Rule, RuleSet, applicability
from ordos_geo.zoning.synthetic import random_world
from ordos_geo.zoning.zones import ZoneIndex, ZoneSource

SPATIAL = ("inside", "intersects", "outside", "within_distance")


def _jitter(geoms: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Rotate boxes by random angles; every fifth becomes a circle (64-gon)."""
    out = []
    for k, g in enumerate(geoms):
        if k % 5 == 4:
            c = g.centroid
            out.append(c.buffer(float(np.sqrt(g.area) / 2), quad_segs=16))
        else:
            out.append(affinity.rotate(g, float(rng.uniform(0, 90)), origin="centroid"))
    return np.asarray(out, dtype=object)


@functools.lru_cache(maxsize=1)
def world() -> tuple[gpd.GeoDataFrame, dict[str, gpd.GeoDataFrame]]:
    """Dense random world: 360 projects, 20 zones per layer in 25 km × 25 km."""
    projects, zones = random_world(360, 240, seed=13, extent_m=25_000.0)
    rng = np.random.default_rng(13)
    for lid, z in zones.items():
        if lid != "settlements":
            z.geometry = gpd.GeoSeries(_jitter(z.geometry.to_numpy(), rng), crs=WORK_CRS)
    g = _jitter(projects.geometry.to_numpy(), rng)
    # some points, some lines, one footprint that exactly equals a zone
    for k in range(0, 360, 23):
        g[k] = g[k].centroid
    for k in range(7, 360, 31):
        c = g[k].centroid
        g[k] = shapely.LineString([(c.x - 800, c.y - 300), (c.x + 900, c.y + 400)])
    g[11] = zones["red_lines"].geometry.iloc[3]
    projects.geometry = gpd.GeoSeries(g, crs=WORK_CRS)
    # enough variety for every rule: industries, stages, components
    projects["component"] = rng.choice(np.array(["array", "turbine", None], dtype=object), 360)
    return projects, zones


@functools.lru_cache(maxsize=1)
def fast_result() -> Any:
    projects, zones = world()
    return screen(projects, load_rules(), ZoneSource(zones), ledger=read_ledger())


def _reference(rule: Rule, projects: gpd.GeoDataFrame, rs: RuleSet, src: ZoneSource,
               ) -> pd.DataFrame:
    """Naive evaluation of one spatial rule: shapely, one pair at a time."""
    sp = rule.spatial
    Z = list(src.index(sp.any_of, rule_id=rule.id, rules_file="t").geoms)
    EX = (list(src.index(sp.none_of, rule_id=rule.id, rules_file="t").geoms)
          if sp.none_of else [])
    rows = []
    ap = applicability(rule, complete_schema(projects), rs)
    for p in np.flatnonzero(ap.sure | ap.unknown):
        g = projects.geometry.iloc[p]
        areal = g.geom_type in ("Polygon", "MultiPolygon")
        touching = [z for z in Z if g.intersects(z)]
        if sp.predicate == "within_distance":
            d = min((g.distance(z) for z in Z), default=np.inf)
            hit, overlap, dist = d <= (sp.distance_m or 0.0), np.nan, d
        else:
            inside = shapely.union_all([g.intersection(z) for z in touching]) if touching \
                else None
            in_area = inside.area if inside is not None else 0.0
            if sp.predicate == "intersects":
                hit, overlap, dist = bool(touching), (in_area if areal else np.nan), 0.0
            elif sp.predicate == "inside":
                hit = in_area > AREA_EPS_M2 if areal else bool(touching)
                overlap, dist = (in_area if areal else np.nan), 0.0
            else:  # outside
                if areal:
                    overlap = g.area - in_area
                    hit = overlap > max(AREA_EPS_M2, 1e-9 * g.area)
                else:
                    overlap = np.nan
                    hit = not touching or not g.covered_by(shapely.union_all(touching))
                dist = 0.0 if touching else min(g.distance(z) for z in Z)
        if hit and any(g.covered_by(e) for e in EX):
            hit = False
        if hit:
            rows.append({"_pidx": int(p), "overlap_m2": overlap, "distance_m": dist})
    return pd.DataFrame(rows, columns=["_pidx", "overlap_m2", "distance_m"])


def _spatial_rules() -> list[str]:
    return [r.id for r in load_rules().rules if r.spatial.predicate in SPATIAL]


@pytest.mark.parametrize("rule_id", _spatial_rules())
def test_fast_path_equals_reference(rule_id: str) -> None:
    projects, zones = world()
    rs = load_rules()
    src = ZoneSource(zones)
    rule = rs.rule(rule_id)
    missing = set(src.missing(rule.layers()))
    present = [r for r in rule.spatial.any_of if r.layer not in missing]
    if not present:
        assert rule_id not in fast_result().meta["rules_evaluated"]
        return
    if missing:  # partly evaluated: on the layers that exist
        rule = rule.model_copy(update={"spatial": rule.spatial.model_copy(update={
            "any_of": present,
            "none_of": [r for r in rule.spatial.none_of if r.layer not in missing]})})
    ref = _reference(rule, projects, rs, src)
    hits = fast_result().hits
    got = hits.loc[hits["rule_id"] == rule_id].sort_values("_pidx")
    assert got["_pidx"].tolist() == ref["_pidx"].tolist()
    np.testing.assert_allclose(got["overlap_m2"].to_numpy(dtype=float),
                               ref["overlap_m2"].to_numpy(dtype=float), rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(got["distance_m"].to_numpy(dtype=float),
                               ref["distance_m"].to_numpy(dtype=float), rtol=1e-9, atol=1e-9)
    # the reported part has the reported area (polygons) and lies in the footprint
    areal = shapely.get_type_id(got.geometry.to_numpy()) != 0
    g = projects.geometry.to_numpy()[got["_pidx"].to_numpy()]
    part_area = shapely.area(got.geometry.to_numpy())
    ov = got["overlap_m2"].to_numpy(dtype=float)
    ok = areal & np.isfinite(ov)
    np.testing.assert_allclose(part_area[ok], ov[ok], rtol=1e-4, atol=1e-3)
    assert shapely.area(shapely.difference(got.geometry.to_numpy(), g)).max(initial=0) < 1e-3


def test_world_exercises_the_fast_paths() -> None:
    """The case is not trivial: containments, partial overlaps, multi-zone and far hits."""
    hits = fast_result().hits
    share = hits["overlap_share"].to_numpy(dtype=float)
    inside = hits["predicate"].isin(["inside", "intersects"]).to_numpy()
    assert (np.isclose(share, 1.0) & inside).sum() >= 10  # footprint wholly inside
    assert ((share > 0.01) & (share < 0.99) & inside).sum() >= 10  # partial overlaps
    assert (hits["zones"].str.contains(" | ", regex=False) & inside).sum() >= 5
    far = (hits["predicate"] == "outside") & (hits["distance_m"] > 0)
    assert far.sum() >= 10
    assert len(fast_result().fix_hints) >= 3


def test_nearest_distance_equals_query_nearest() -> None:
    rng = np.random.default_rng(5)
    x, y = rng.uniform(0, 50_000, (2, 300))
    zones = _jitter(shapely.box(x, y, x + 700, y + 300), rng)
    zi = ZoneIndex.build([gpd.GeoDataFrame(geometry=list(zones), crs=WORK_CRS)])
    qx, qy = rng.uniform(-20_000, 70_000, (2, 2000))
    G = np.concatenate([_jitter(shapely.box(qx, qy, qx + 50, qy + 80), rng),
                        shapely.points(qx[:50], qy[:50]), [shapely.Polygon(), None]])
    got = nearest_distance(zi, G)
    (qi, _), d = zi.tree.query_nearest(G, return_distance=True, all_matches=False)
    want = np.full(len(G), np.nan)
    want[qi] = d
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    np.testing.assert_allclose(got[~np.isnan(got)], want[~np.isnan(want)], rtol=0, atol=0)
    empty = ZoneIndex.build([])
    assert np.isinf(nearest_distance(empty, G[:3])).all()


def test_union_groups_equals_union_per_group() -> None:
    rng = np.random.default_rng(2)
    x, y = rng.uniform(0, 1000, (2, 40))
    pieces = shapely.box(x, y, x + 300, y + 300)
    counts = np.array([1, 3, 2, 5, 1, 3, 10, 15])
    start = np.concatenate([[0], np.cumsum(counts)[:-1]])
    got = union_groups(pieces, start, counts)
    for k, (s, c) in enumerate(zip(start, counts, strict=True)):
        want = shapely.union_all(pieces[s : s + c])
        assert got[k].area == pytest.approx(want.area, rel=1e-12)
        assert shapely.equals(got[k], want)


def test_control_units_listing_equals_reference() -> None:
    """三线一单 units per project (shared pairs) equal a pair-by-pair overlay."""
    projects, zones = world()
    src = ZoneSource(zones)
    zi = src.index([LayerRef.model_validate("control_units")], rule_id="t", rules_file="t")
    codes = zi.attrs["unit_code"].astype(str).to_numpy()
    got = fast_result().projects["control_units"].tolist()
    n_multi = 0
    for p, g in enumerate(projects.geometry):
        areal = g.geom_type in ("Polygon", "MultiPolygon")
        want = [codes[j] for j, z in enumerate(zi.geoms) if g.intersects(z) and
                (not areal or g.intersection(z).area > AREA_EPS_M2)]
        n_multi += len(want) > 1
        assert got[p] == ";".join(want), p
    assert n_multi >= 3
