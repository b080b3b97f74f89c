"""A check against reality, not a fit: where do known built or approved plants fall?

For each plant of a known-plants layer (points with ``name_zh``, ``kind`` pv | wind,
``capacity_mw``, ``status``, ``location_confidence`` and optionally
``footprint_radius_m``) and a siting result of the same kind:

* ``reason`` — what the tool says at the plant's point: ``eligible`` or the exclusion
  that removes the cell (first in config order);
* ``score`` and ``score_percentile`` — the cell's score and its percentile among all
  eligible cells (share of eligible cells scoring lower, %, ties counted half);
* ``eligible_share_footprint`` and ``main_exclusion_footprint`` — the share of the cells
  within ``footprint_radius_m`` of the point that are eligible, and the exclusion
  covering most of the rest (plant positions are approximate, so the footprint says
  more than the point);
* ``in_site`` / ``site_distance_km`` — the candidate site holding the point, or the
  distance to the nearest one (working equal-area CRS).

Nothing here changes a weight: the table is reported, disagreements explained in
``docs/validation.md``.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["PLANT_COLUMNS", "check_plants"]

log = logging.getLogger(__name__)

#: Columns of :func:`check_plants`.
PLANT_COLUMNS = [
    "name_zh", "kind", "capacity_mw", "status", "location_confidence", "lon", "lat",
    "reason", "score", "score_percentile", "eligible_share_footprint",
    "main_exclusion_footprint", "in_site", "site_distance_km",
]


def _reason_names(result: Any) -> dict[int, str]:
    names = {0: "eligible", 255: "outside region"}
    for row in result.exclusions.to_dict(orient="records"):
        names[int(row["code"])] = str(row["name"])
    return names


def check_plants(result: Any, plants: Any) -> pd.DataFrame:
    """Compare known plants of ``result.kind`` with a siting result.

    Parameters
    ----------
    result
        A :class:`ordos_geo.siting.run.SitingResult`.
    plants
        GeoDataFrame of plant points (any CRS); rows of the other kind are skipped.

    Returns
    -------
    pandas.DataFrame
        :data:`PLANT_COLUMNS`, one row per plant of the kind.
    """
    grid = result.grid
    p = plants[plants["kind"] == result.kind]
    if p.empty:
        return pd.DataFrame({c: [] for c in PLANT_COLUMNS})
    pw = p.to_crs(grid.crs)
    ll = p.to_crs("EPSG:4326")
    names = _reason_names(result)
    score = result.score
    reasons = result.reasons
    elig = reasons == 0
    hist = np.bincount(score[elig].ravel(), minlength=256).astype("float64")
    below = np.concatenate([[0.0], np.cumsum(hist)[:-1]])
    total = hist.sum()
    sites_w = result.sites.to_crs(grid.crs) if len(result.sites) else None
    rows = []
    for (_, plant), geom, geom_ll in zip(p.iterrows(), pw.geometry, ll.geometry, strict=True):
        x, y = geom.x, geom.y
        r_arr, c_arr = grid.index([x], [y])
        r, c = int(r_arr[0]), int(c_arr[0])
        inside = 0 <= r < grid.height and 0 <= c < grid.width
        code = int(reasons[r, c]) if inside else 255
        sc = int(score[r, c]) if inside else 255
        pct = (100.0 * (below[sc] + 0.5 * hist[sc]) / total
               if code == 0 and total and sc <= 100 else None)
        rad = float(plant.get("footprint_radius_m") or 0.0) or 1.5 * grid.res_m
        k = int(np.ceil(rad / grid.res_m))
        r0, r1 = max(r - k, 0), min(r + k + 1, grid.height)
        c0, c1 = max(c - k, 0), min(c + k + 1, grid.width)
        share = None
        main = None
        if r1 > r0 and c1 > c0:
            rr, cc = np.mgrid[r0:r1, c0:c1]
            cx, cy = grid.xy(rr.ravel(), cc.ravel())
            disc = ((np.asarray(cx) - x) ** 2 + (np.asarray(cy) - y) ** 2) <= rad * rad
            codes = reasons[r0:r1, c0:c1].ravel()[disc]
            codes = codes[codes != 255]
            if codes.size:
                share = round(100.0 * float(np.mean(codes == 0)), 1)
                ex = codes[codes != 0]
                if ex.size:
                    main = names.get(int(np.bincount(ex).argmax()), "?")
        site_id = None
        dist = None
        if sites_w is not None:
            hit = sites_w.geometry.contains(geom)
            if hit.any():
                site_id = int(sites_w.loc[hit, "site_id"].iloc[0])
                dist = 0.0
            else:
                dist = round(float(sites_w.geometry.distance(geom).min()) / 1000.0, 2)
        rows.append({
            "name_zh": plant.get("name_zh"), "kind": plant.get("kind"),
            "capacity_mw": plant.get("capacity_mw"), "status": plant.get("status"),
            "location_confidence": plant.get("location_confidence"),
            "lon": round(float(geom_ll.x), 4), "lat": round(float(geom_ll.y), 4),
            "reason": names.get(code, str(code)), "score": sc if code == 0 else None,
            "score_percentile": None if pct is None else round(pct, 1),
            "eligible_share_footprint": share, "main_exclusion_footprint": main,
            "in_site": site_id, "site_distance_km": dist,
        })
    return pd.DataFrame(rows, columns=PLANT_COLUMNS)
