"""Candidate sites (contiguous eligible areas), their attributes, capacity per banner.

A candidate site is a connected region of eligible cells (reason 0) with score ≥
``min_score``; cells connect through edges **and corners (8-connectivity,**
``scipy.ndimage.label`` with a 3×3 structure), optionally only within one banner.
Land narrower than ``min_width_m`` is removed first (shape rule: a morphological
opening). Regions larger than ``max_site_km2`` are cut on a regular tile grid
(:mod:`ordos_geo.siting.split`); pieces smaller than ``min_area_km2`` are dropped.
Sites are numbered by rank (mean score, best first); every site passing this absolute
rule is kept. Each site is vectorised
with ``rasterio.features.shapes`` (cell edges, working CRS) and written in EPSG:4326.

Attributes: ``area_km2`` (cells × cell area, equal-area CRS; also ``area_ha`` and
``area_mu``, 1 亩 = 666.67 m²), ``mean_score``,
``max_score``, banner by majority of cells (``banner_adcode``, ``banner_zh``,
``banner_en``), dominant land cover (IGBP code and label), one boolean column per
preference zone (true when ≥ 50 % of the site's cells lie in the zone) and
``preferred`` (any of them), ``capacity_mw = area_km2 × density``, and ``lon``/``lat``
of a point inside the site (EPSG:4326).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ordos_geo.errors import ConfigError
from ordos_geo.grid import Grid
from ordos_geo.siting.split import (
    compact_labels,
    label_by_key,
    remap,
    split_large,
    tile_cells,
)
from ordos_geo.units import M2_PER_MU

__all__ = [
    "IGBP_LABELS",
    "banner_index",
    "candidate_mask",
    "capacity_by_banner",
    "label_sites",
    "site_table",
    "threshold_curve",
]

log = logging.getLogger(__name__)

#: IGBP land-cover classes as in the MODIS MCD12C1 product used here (0 = water).
IGBP_LABELS: dict[int, str] = {
    0: "Water 水体", 1: "Evergreen needleleaf forest 常绿针叶林",
    2: "Evergreen broadleaf forest 常绿阔叶林", 3: "Deciduous needleleaf forest 落叶针叶林",
    4: "Deciduous broadleaf forest 落叶阔叶林", 5: "Mixed forest 混交林",
    6: "Closed shrubland 郁闭灌丛", 7: "Open shrubland 稀疏灌丛", 8: "Woody savanna 木本稀树草原",
    9: "Savanna 稀树草原", 10: "Grassland 草地", 11: "Permanent wetland 永久湿地",
    12: "Cropland 耕地", 13: "Urban and built-up 城市建设用地",
    14: "Cropland/natural vegetation mosaic 耕地/自然植被镶嵌", 15: "Snow and ice 冰雪",
    16: "Barren 裸地",
}

#: Share of a site's cells that must lie in a preference zone to flag the site.
PREFERENCE_SHARE = 0.5


def candidate_mask(
    score: np.ndarray,
    reasons: np.ndarray,
    *,
    min_score: float,
    min_width_cells: float = 0.0,
) -> np.ndarray:
    """Candidate cells: eligible (reason 0), score ≥ ``min_score``, shape rule applied.

    The shape rule is a morphological opening (``scipy.ndimage.binary_opening``) with a
    disc of diameter ``min_width_cells``: land narrower than that — strips between
    exclusions, spurs, isolated cells — is removed (a project needs a buildable block,
    not a ribbon). ``min_width_cells`` < 2 leaves the mask unchanged.
    """
    from scipy import ndimage

    cand = (reasons == 0) & (score >= min_score) & (score <= 100)
    if min_width_cells >= 2:
        r = (min_width_cells - 1) / 2.0
        n = int(np.floor(r))
        yy, xx = np.mgrid[-n:n + 1, -n:n + 1]
        disc = (yy * yy + xx * xx) <= r * r + 1e-9
        cand = ndimage.binary_opening(cand, structure=disc)
    return np.asarray(cand, dtype=bool)


def label_sites(
    score: np.ndarray,
    reasons: np.ndarray,
    *,
    min_score: float,
    min_area_km2: float,
    cell_area_m2: float,
    banner_idx: np.ndarray | None = None,
    max_site_km2: float | None = None,
    grid: Grid | None = None,
    min_width_m: float | None = None,
) -> tuple[np.ndarray, int]:
    """Label candidate sites by an absolute rule and split them to project size.

    1. Candidate cells: eligible (reason 0) with score ≥ ``min_score``, then the shape
       rule (:func:`candidate_mask`, ``min_width_m``); regions are 8-connected (and, with
       ``banner_idx``, never cross a banner boundary).
    2. Regions larger than ``max_site_km2`` are cut on a regular tile grid
       (:mod:`ordos_geo.siting.split`); pieces below ``min_area_km2`` are dropped.
    3. Sites are numbered by mean score, best first (ties: first cell in row-major
       order). Every site passing the rule is kept: no share of the eligible land
       enters, so the total comes from the data and the threshold alone.

    Parameters
    ----------
    score, reasons
        uint8 score (0–100, 255 nodata) and reason (0 eligible) rasters.
    min_score
        Score threshold of candidate cells.
    min_area_km2
        Smallest site kept, km² (after splitting).
    cell_area_m2
        Cell area of the (equal-area) working grid, m².
    banner_idx
        From :func:`banner_index`: when given, sites never cross a banner boundary.
    max_site_km2
        Largest site, km² (needs ``grid``).
    grid
        Working grid (anchors the tile grid to multiples of the tile side in its CRS).
    min_width_m
        Shape rule: minimum width of buildable land, metres (None = none; needs
        ``grid``).

    Returns
    -------
    labels, n
        int32 raster (0 = no site, 1..n = site id by rank, 1 = best mean score) and the
        number of sites.

    Examples
    --------
    >>> import numpy as np
    >>> score = np.zeros((6, 8), np.uint8); score[1:5, 1:4] = 90; score[1:5, 5:7] = 70
    >>> labels, n = label_sites(score, np.zeros_like(score), min_score=60,
    ...                         min_area_km2=0.05, cell_area_m2=10_000)
    >>> n, int((labels == 1).sum()), int((labels == 2).sum())
    (2, 12, 8)
    """
    width_cells = 0.0
    if min_width_m:
        if grid is None:
            raise ValueError("min_width_m needs the working grid")
        width_cells = min_width_m / grid.res_m
    cand = candidate_mask(score, reasons, min_score=min_score, min_width_cells=width_cells)
    labels, n = label_by_key(cand, banner_idx)
    del cand
    if n == 0:
        return labels, 0
    if max_site_km2 is not None:
        if grid is None:
            raise ValueError("max_site_km2 needs the working grid")
        tile = tile_cells(max_site_km2, grid.res_m)
        if tile < 1:
            raise ConfigError(
                f"sites.max_site_km2: {max_site_km2:g} km² is smaller than one "
                f"{grid.res_m:g} m cell; raise it or use a finer --res")
        anchor = (round(-grid.transform.f / grid.res_m), round(grid.transform.c / grid.res_m))
        max_cells = int(max_site_km2 * 1e6 / cell_area_m2 + 1e-9)
        labels, n = split_large(labels, n, max_cells=max_cells, tile=tile, anchor=anchor)
    min_cells = min_area_km2 * 1e6 / cell_area_m2 - 1e-9
    labels, n = compact_labels(labels, n, min_cells=min_cells)
    if n == 0:
        return labels, 0
    idx = labels > 0
    lab = labels[idx]
    cnt = np.bincount(lab, minlength=n + 1)[1:]
    mean = np.bincount(lab, weights=score[idx].astype("float64"), minlength=n + 1)[1:] / cnt
    del idx, lab
    order = np.lexsort((np.arange(n), -np.round(mean, 6)))  # best first, then row-major
    new_id = np.zeros(n + 1, dtype=np.int32)
    new_id[order + 1] = np.arange(1, n + 1, dtype=np.int32)
    log.info("%d candidate sites (score ≥ %g)", n, min_score)
    return remap(new_id, labels), n


def threshold_curve(
    score: np.ndarray,
    reasons: np.ndarray,
    thresholds: Sequence[float],
    *,
    min_area_km2: float,
    cell_area_m2: float,
    banner_idx: np.ndarray | None,
    grid: Grid,
    min_width_m: float | None,
    mw_per_km2: float,
    max_cells: int = 20_000_000,
) -> list[dict[str, float]]:
    """Site area and capacity at each score threshold (the same site rule re-run).

    Splitting to ``max_site_km2`` only cuts sites, so it is left out here; the area is
    that of the whole rule otherwise (shape rule, banner split, ``min_area_km2``).
    ``mw_per_km2``: capacity per km² of site area (PV density; for wind the density of
    the counted turbines in the run's own sites).

    Grids larger than ``max_cells`` are sampled every k-th row and column first (the
    cell at each sample keeps its score, reason and banner; areas scale by k²), so the
    curve costs about the same at 30 m as at 100 m; ``summary.threshold_curve`` of such a
    run is an estimate (the run's own threshold is exact in ``capacity_gw``).

    Returns
    -------
    list of dict
        ``{"min_score", "sites", "area_km2", "gw"}`` per threshold, ascending.
    """
    k = max(1, int(np.ceil(np.sqrt(score.size / max_cells)))) if score.size > max_cells else 1
    if k > 1:
        from affine import Affine

        t = grid.transform
        score = score[::k, ::k]
        reasons = reasons[::k, ::k]
        banner_idx = None if banner_idx is None else banner_idx[::k, ::k]
        grid = Grid(grid.crs, Affine(t.a * k, 0.0, t.c, 0.0, t.e * k, t.f), score.shape)
        cell_area_m2 = cell_area_m2 * k * k
    out = []
    for thr in sorted(float(x) for x in thresholds):
        labels, n = label_sites(score, reasons, min_score=thr, min_area_km2=min_area_km2,
                                cell_area_m2=cell_area_m2, banner_idx=banner_idx, grid=grid,
                                min_width_m=min_width_m)
        km2 = float(np.count_nonzero(labels)) * cell_area_m2 / 1e6
        del labels
        out.append({"min_score": thr, "sites": int(n), "area_km2": round(km2, 2),
                    "gw": round(km2 * mw_per_km2 / 1000.0, 3), "sample_step": k})
    return out


def banner_index(banners: Any, grid: Grid) -> np.ndarray:
    """uint16 raster: 0 = no banner, i+1 = row i of ``banners`` (cell centre inside)."""
    from rasterio import features

    shapes = [(g, i + 1) for i, g in enumerate(banners.geometry.values)
              if g is not None and not g.is_empty]
    if not shapes:
        return np.zeros(grid.shape, dtype=np.uint16)
    return features.rasterize(
        shapes, out_shape=grid.shape, transform=grid.transform, fill=0, dtype="uint16"
    )


def _majority(lab: np.ndarray, vals: np.ndarray, n: int, nvals: int) -> np.ndarray:
    """Most frequent value per label 1..n (ties → smallest value)."""
    combo = lab.astype(np.int64) * nvals + vals.astype(np.int64)
    counts = np.bincount(combo, minlength=(n + 1) * nvals).reshape(n + 1, nvals)
    return np.asarray(counts[1:].argmax(axis=1))


def site_table(
    labels: np.ndarray,
    n: int,
    grid: Grid,
    score: np.ndarray,
    *,
    banners: Any,
    banner_idx: np.ndarray,
    pref_masks: Mapping[str, np.ndarray],
    landcover: np.ndarray | None,
    landcover_labels: Mapping[int, str] | None,
    density_mw_per_km2: float | None,
    resource: np.ndarray | None = None,
) -> Any:
    """Vectorise labelled sites and compute their attributes.

    Parameters
    ----------
    labels, n
        From :func:`label_sites`.
    grid
        Working grid (equal-area CRS, metres).
    score
        uint8 score raster.
    banners
        GeoDataFrame with ``adcode``, ``name_zh``, ``name_en`` (row order of
        ``banner_idx``).
    banner_idx
        From :func:`banner_index`.
    pref_masks
        Preference name → bool mask.
    landcover
        IGBP class raster (uint8, 255 = nodata) or None.
    landcover_labels
        Code → label for ``landcover``.
    density_mw_per_km2
        Capacity density, MW/km² (PV); None = set ``capacity_mw`` later (wind: the
        counted turbines), the column is 0 here.
    resource
        float32 resource raster (PV yield kWh/kWp/yr or wind CF): its mean over the
        site's cells becomes ``resource_mean`` (NaN cells ignored).

    Returns
    -------
    geopandas.GeoDataFrame
        One row per site, EPSG:4326.
    """
    import geopandas as gpd
    import shapely
    from rasterio import features

    pref_names = list(pref_masks)
    cols = ["site_id", "area_km2", "area_ha", "area_mu", "mean_score", "max_score",
            "banner_adcode", "banner_zh", "banner_en", "landcover", "landcover_label",
            *pref_names, "preferred", "resource_mean", "capacity_mw", "lon", "lat"]
    if n == 0:
        return gpd.GeoDataFrame({c: [] for c in cols}, geometry=[], crs="EPSG:4326")
    idx = labels > 0
    lab = labels[idx]
    cnt = np.bincount(lab, minlength=n + 1)[1:].astype("float64")
    sc_u8 = score[idx]
    mean_sc = np.bincount(lab, weights=sc_u8.astype("float64"), minlength=n + 1)[1:] / cnt
    # maximum per site over the site cells only (ndimage.maximum sorts the full grid)
    max_all = np.zeros(n + 1, dtype=score.dtype)
    np.maximum.at(max_all, lab, sc_u8)
    max_sc = max_all[1:]
    del sc_u8
    cell_km2 = grid.cell_area_m2 / 1e6
    area = cnt * cell_km2

    nb = len(banners)
    bmaj = _majority(lab, banner_idx[idx], n, nb + 1)
    bdf = pd.DataFrame(banners.drop(columns="geometry")).reset_index(drop=True)

    def bfield(name: str) -> list[Any]:
        if name not in bdf.columns:
            return [None] * n
        vals = bdf[name].tolist()
        return [vals[b - 1] if b > 0 else None for b in bmaj]

    data: dict[str, Any] = {
        "site_id": np.arange(1, n + 1, dtype="int64"),
        "area_km2": np.round(area, 4),
        "mean_score": np.round(mean_sc, 2),
        "max_score": max_sc.astype("int64"),
        "banner_adcode": bfield("adcode"),
        "banner_zh": bfield("name_zh"),
        "banner_en": bfield("name_en"),
    }
    if landcover is not None:
        lc = np.ma.filled(landcover, 255)[idx].astype(np.int64)
        lc = np.clip(lc, 0, 255)
        lmaj = _majority(lab, lc, n, 256)
        labels_map = dict(IGBP_LABELS)
        labels_map.update(landcover_labels or {})
        data["landcover"] = lmaj.astype("int64")
        data["landcover_label"] = [labels_map.get(int(c), "no data" if c == 255 else str(c))
                                   for c in lmaj]
    else:
        data["landcover"] = np.full(n, -1, dtype="int64")
        data["landcover_label"] = ["no data"] * n
    any_pref = np.zeros(n, dtype=bool)
    for name in pref_names:
        inside = np.bincount(lab, weights=pref_masks[name][idx].astype("float64"),
                             minlength=n + 1)[1:]
        flag = inside / cnt >= PREFERENCE_SHARE
        data[name] = flag
        any_pref |= flag
    data["preferred"] = any_pref
    if resource is not None:
        rv = np.asarray(resource[idx], dtype="float64")
        fin = np.isfinite(rv)
        rs = np.bincount(lab[fin], weights=rv[fin], minlength=n + 1)[1:]
        rc = np.bincount(lab[fin], minlength=n + 1)[1:]
        with np.errstate(invalid="ignore", divide="ignore"):
            data["resource_mean"] = np.round(np.where(rc > 0, rs / np.maximum(rc, 1), np.nan), 4)
        del rv, fin
    else:
        data["resource_mean"] = np.full(n, np.nan)
    data["capacity_mw"] = (np.round(area * density_mw_per_km2, 2) if density_mw_per_km2
                           else np.zeros(n))

    geoms: dict[int, list[Any]] = {}
    # 4-connected pieces are always valid polygons; their union per label gives the
    # (8-connected) site as a valid (Multi)Polygon
    for geom, val in features.shapes(labels, mask=idx, connectivity=4,
                                     transform=grid.transform):
        geoms.setdefault(int(val), []).append(shapely.geometry.shape(geom))
    polys = [shapely.union_all(geoms[i]) if len(geoms.get(i, [])) > 1
             else (geoms[i][0] if i in geoms else shapely.Polygon())
             for i in range(1, n + 1)]
    gdf = gpd.GeoDataFrame(data, geometry=polys, crs=grid.crs)
    gdf.insert(2, "area_ha", np.round(area * 100.0, 2))
    gdf.insert(3, "area_mu", np.round(area * 1e6 / M2_PER_MU, 1))
    out = gdf.to_crs("EPSG:4326")
    rp = out.geometry.representative_point()
    out.insert(len(out.columns) - 1, "lon", np.round(rp.x.to_numpy(), 5))
    out.insert(len(out.columns) - 1, "lat", np.round(rp.y.to_numpy(), 5))
    return out


def capacity_by_banner(sites: Any, banners: Any) -> pd.DataFrame:
    """Sites, area and capacity per banner (every banner listed) plus a TOTAL row.

    Columns: ``adcode, name_zh, name_en, n_sites, area_km2, capacity_mw``. Sites count
    towards the banner holding most of their cells, so the TOTAL equals the site table.
    """
    b = pd.DataFrame(banners.drop(columns="geometry")).reset_index(drop=True)
    for c in ("adcode", "name_zh", "name_en"):
        if c not in b.columns:
            b[c] = None
    base = b[["adcode", "name_zh", "name_en"]].copy()
    s = pd.DataFrame(sites.drop(columns="geometry")) if len(sites) else pd.DataFrame(
        {"banner_adcode": [], "area_km2": [], "capacity_mw": [], "site_id": []})
    agg = s.groupby("banner_adcode", dropna=False).agg(
        n_sites=("site_id", "count"), area_km2=("area_km2", "sum"),
        capacity_mw=("capacity_mw", "sum"),
    ).reset_index()
    out = base.merge(agg, left_on="adcode", right_on="banner_adcode", how="left")
    out = out.drop(columns="banner_adcode")
    unassigned = agg[agg["banner_adcode"].isna()]
    if len(unassigned):
        out = pd.concat([out, pd.DataFrame({
            "adcode": ["NONE"], "name_zh": ["区外"], "name_en": ["outside banners"],
            "n_sites": unassigned["n_sites"].to_numpy(),
            "area_km2": unassigned["area_km2"].to_numpy(),
            "capacity_mw": unassigned["capacity_mw"].to_numpy(),
        })], ignore_index=True)
    out["n_sites"] = out["n_sites"].fillna(0).astype("int64")
    out["area_km2"] = out["area_km2"].fillna(0.0).round(3)
    out["capacity_mw"] = out["capacity_mw"].fillna(0.0).round(1)
    total = pd.DataFrame({
        "adcode": ["TOTAL"], "name_zh": ["合计"], "name_en": ["Total"],
        "n_sites": [int(out["n_sites"].sum())],
        "area_km2": [round(float(s["area_km2"].sum()) if len(s) else 0.0, 3)],
        "capacity_mw": [round(float(s["capacity_mw"].sum()) if len(s) else 0.0, 1)],
    })
    out["adcode"] = out["adcode"].astype(str)
    return pd.concat([out, total], ignore_index=True)
