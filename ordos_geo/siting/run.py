"""Orchestration of a PV or wind siting analysis: :func:`run_siting`.

Steps (one working grid, equal-area CRS, ``grid.res_m`` metres):

1. region → grid; 2. resource (pvlib / windpowerlib); 3. exclusions → reason raster
and area table; 4. factors → weighted score (+ preferences) and classes;
5. candidate sites → site table and capacity per banner; 6. optional robustness runs;
7. outputs in ``out_dir`` (see :data:`OUTPUT_NAMES`), all written atomically.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from ordos_geo.config import locate_line, yaml_line_index
from ordos_geo.crs import check_equal_area
from ordos_geo.errors import ConfigError, GridMismatchError
from ordos_geo.grid import Grid
from ordos_geo.io.atomic import check_output_path, ensure_out_dir
from ordos_geo.raster import rasterize_mask, reason_counts
from ordos_geo.siting.config import (
    SitingConfig,
    config_sha256,
    default_config_path,
    load_siting_config,
    shown,
)
from ordos_geo.siting.layout import place_turbines, turbine_table
from ordos_geo.siting.resource import (
    ResourceResult,
    load_turbine,
    pv_resource,
    resource_roles,
    wind_resource,
)
from ordos_geo.siting.sensitivity import robustness
from ordos_geo.siting.sites import (
    banner_index,
    capacity_by_banner,
    label_sites,
    site_table,
    threshold_curve,
)
from ordos_geo.siting.split import remap
from ordos_geo.siting.suitability import (
    LayerReader,
    apply_exclusions,
    classify,
    evaluate_factors,
    preference_masks,
    weighted_score,
)
from ordos_geo.siting.supply import add_economics, grid_distance_km, supply_curve

__all__ = ["OUTPUT_NAMES", "SitingResult", "check_layer_ids", "run_siting"]

log = logging.getLogger(__name__)

Kind = Literal["pv", "wind"]

#: Output files per analysis (``{kind}`` replaced by ``pv`` or ``wind``).
#: Peak bytes per grid cell of an in-memory siting run (float32 resource, score and
#: factor blocks, uint8 reasons/classes/masks), for :meth:`Grid.check_fits`.
BYTES_PER_CELL = 40

OUTPUT_NAMES = {
    "score": "{kind}_score.tif",
    "reasons": "{kind}_reasons.tif",
    "resource": "{kind}_resource.tif",
    "sites": "{kind}_sites.gpkg",
    "capacity": "{kind}_capacity_by_banner.csv",
    "exclusions": "{kind}_exclusions.csv",
    "summary": "{kind}_summary.json",
    "supply_curve": "{kind}_supply_curve.csv",
    "robustness": "{kind}_robustness.tif",
}
#: Written by wind runs only.
WIND_OUTPUT_NAMES = {"turbines": "wind_turbines.gpkg"}


def output_names(kind: str, *, sensitivity: int = 0) -> list[str]:
    """File names a siting run of ``kind`` writes (the CLI stages exactly these).

    Examples
    --------
    >>> output_names("wind")[-1]
    'wind_turbines.gpkg'
    """
    names = [n.format(kind=kind) for k, n in OUTPUT_NAMES.items()
             if k != "robustness" or sensitivity]
    if kind == "wind":
        names += list(WIND_OUTPUT_NAMES.values())
    return names


@dataclass
class SitingResult:
    """Everything a siting run produced (arrays on ``grid``; tables; file paths)."""

    kind: str
    grid: Grid
    config: SitingConfig
    score: np.ndarray
    classes: np.ndarray
    reasons: np.ndarray
    resource: ResourceResult
    sites: Any
    capacity: pd.DataFrame
    exclusions: pd.DataFrame
    summary: dict[str, Any]
    files: dict[str, Path] = field(default_factory=dict)
    robustness: np.ndarray | None = None
    supply: pd.DataFrame | None = None
    turbines: Any = None


def check_layer_ids(
    cfg: SitingConfig, catalog: Any, where: str, *,
    config_path: str | os.PathLike[str] | None = None,
) -> None:
    """Raise a one-line :class:`ConfigError` for the first layer id not in the catalog."""
    refs: list[tuple[str, str | None]] = [
        ("grid.region", cfg.grid.region),
        ("banners_layer", cfg.banners_layer),
        ("landcover_layer", cfg.landcover_layer),
        ("elevation_layer", cfg.elevation_layer),
    ]
    if cfg.kind == "pv":
        refs.append(("linke_layer", cfg.linke_layer))
    refs += [(f"exclusions[{i}].layer", e.layer) for i, e in enumerate(cfg.exclusions)
             if e.enabled]
    refs += [(f"factors[{i}].layer", f.layer) for i, f in enumerate(cfg.factors)]
    refs += [(f"factors[{i}].zones", z) for i, f in enumerate(cfg.factors)
             for z in (f.zones or {})]
    refs += [(f"preferences[{i}].layer", p.layer) for i, p in enumerate(cfg.preferences)]
    for key, lid in refs:
        if lid is not None and lid not in catalog:
            avail = ", ".join(catalog.ids)
            line = None
            if config_path is not None and Path(config_path).is_file():
                loc = tuple(int(x) if x.isdigit() else x
                            for x in key.replace("[", ".").replace("]", "").split("."))
                line = locate_line(yaml_line_index(config_path), loc)
            at = f"{where}:{line}" if line is not None else where
            raise ConfigError(
                f"{at}: {key}: unknown layer id {lid!r} (available: {avail}); "
                "fix the id or add the layer with --catalog"
            )


def _provenance(used: dict[str, str]) -> str:
    vals = set(used.values())
    for p in ("illustrative", "user", "derived", "official"):
        if p in vals:
            return p
    return "derived"


def run_siting(
    kind: Kind,
    *,
    catalog: Any,
    config_path: str | os.PathLike[str] | None = None,
    config: SitingConfig | None = None,
    res_m: float | None = None,
    out_dir: str | os.PathLike[str] | None,
    overwrite: bool = False,
    sensitivity: int = 0,
) -> SitingResult:
    """Run a PV or wind siting analysis and write its result files.

    Parameters
    ----------
    kind
        ``"pv"`` or ``"wind"``.
    catalog
        An :class:`ordos_geo.catalog.Catalog`.
    config_path
        Analysis YAML; ``None`` = ``analyses/{kind}.yaml``.
    config
        A ready :class:`SitingConfig` (instead of ``config_path``; for scripts/tests).
    res_m
        Override ``grid.res_m`` (metres).
    out_dir
        Folder for the outputs; ``None`` computes without writing.
    overwrite
        Replace existing outputs (otherwise an existing output is an error, checked
        before any computation).
    sensitivity
        Number of Monte-Carlo weight perturbations (0 = none).

    Returns
    -------
    SitingResult

    Raises
    ------
    ConfigError
        Invalid config, unknown layer id, inconsistent AHP matrix, wrong kind.
    OutputError
        Output exists without ``overwrite`` or cannot be written.
    """
    t0 = time.perf_counter()
    if config is None:
        config_path = Path(config_path) if config_path else default_config_path(kind)
        cfg = load_siting_config(config_path)
    else:
        cfg = config
    where = shown(config_path)
    if cfg.kind != kind:
        raise ConfigError(f"{where}: kind: config is for {cfg.kind!r}, not {kind!r}; "
                          f"use analyses/{kind}.yaml or set kind: {kind}")
    if res_m is not None:
        if not res_m > 0:
            raise ConfigError(f"--res: must be > 0 metres (got {res_m})")
        cfg = cfg.model_copy(update={"grid": cfg.grid.model_copy(update={"res_m": res_m})})
    if sensitivity < 0:
        raise ConfigError(f"--sensitivity: must be ≥ 0 (got {sensitivity})")
    check_layer_ids(cfg, catalog, where, config_path=config_path)
    weights, cr = cfg.factor_weights(path=where)
    config_dir = Path(config_path).resolve().parent if config_path else None

    files: dict[str, Path] = {}
    if out_dir is not None:
        ensure_out_dir(out_dir)
        inputs = [config_path, *(catalog.files() if hasattr(catalog, "files") else ())]
        names = {**OUTPUT_NAMES, **(WIND_OUTPUT_NAMES if kind == "wind" else {})}
        for key, name in names.items():
            if key == "robustness" and sensitivity == 0:
                continue
            files[key] = check_output_path(Path(out_dir) / name.format(kind=kind),
                                           overwrite=overwrite, inputs=inputs)

    stages: dict[str, float] = {}
    lap = [time.perf_counter()]

    def _stage(name: str) -> None:
        now = time.perf_counter()
        stages[name] = round(now - lap[0], 2)
        lap[0] = now
        log.info("%s: stage %s %.1f s", kind, name, stages[name])

    # 1. region and grid
    region_gdf = catalog.vector(cfg.grid.region, crs=cfg.grid.crs)
    if region_gdf.empty:
        raise ConfigError(f"{where}: grid.region: layer {cfg.grid.region!r} has no features")
    res_key = "--res" if res_m is not None else f"{where}: grid.res_m"
    # areas are cell counts × cell area: only right in an equal-area CRS
    check_equal_area(region_gdf.crs, where=f"{where}: grid.crs",
                     bounds=tuple(region_gdf.total_bounds))
    try:
        grid = Grid.from_bounds(tuple(region_gdf.total_bounds), res_m=cfg.grid.res_m,
                                crs=region_gdf.crs)
    except GridMismatchError as exc:
        raise ConfigError(f"{res_key}: {str(exc).removeprefix('grid: ')}") from exc
    grid.check_fits(bytes_per_cell=BYTES_PER_CELL, where=res_key)
    layers = LayerReader(catalog, grid)
    layers.note(cfg.grid.region)
    region = rasterize_mask(region_gdf, grid, mode="centre")
    if not region.any():
        raise ConfigError(f"{res_key}: {cfg.grid.res_m:g} m cells leave no cell centre inside "
                          f"region {cfg.grid.region!r} (grid {grid.shape}); use a smaller "
                          "resolution, e.g. 100")
    log.info("%s: grid %s, %d region cells", kind, grid, int(region.sum()))
    _stage("grid")

    # 2. resource (role-tagged user rasters win over the documented assumptions)
    roles = resource_roles(catalog)
    turbine = None
    if kind == "pv":
        res = pv_resource(layers, cfg.pv, region,
                          elevation_layer=roles.get("dem") or cfg.elevation_layer,
                          linke_layer=cfg.linke_layer, config_dir=config_dir,
                          where=f"{where}: pv", roles=roles)
    else:
        turbine = load_turbine(cfg.wind.turbine_type, cfg.wind.hub_height_m)
        res = wind_resource(layers, cfg.wind, region, elevation_layer=cfg.elevation_layer,
                            turbine=turbine, config_dir=config_dir, where=f"{where}: wind",
                            roles=roles)
    t_res = time.perf_counter()
    _stage("resource")

    # 3. exclusions, then "no resource data" where a user raster does not reach
    excl = apply_exclusions(cfg.exclusions, layers, region,
                            tip_height_m=turbine.tip_height_m if turbine else None,
                            where_prefix=f"{where}: exclusions")
    not_covered_km2 = _mark_no_resource(excl, res, region, grid)
    _stage("exclusions")
    # 4. factors, score, classes (preference masks first: zone factors reuse them)
    pmasks = preference_masks(cfg.preferences, layers, where_prefix=f"{where}: preferences")
    fl = evaluate_factors(cfg.factors, layers, resource=res.variable,
                          where_prefix=f"{where}: factors",
                          distance_cell_m=cfg.grid.distance_cell_m(),
                          eligible=excl.reasons == 0)
    factor_bounds = dict(fl.bounds)
    layers.release(raster=False)  # land cover is read again for the site table
    _stage("factors")
    score = weighted_score(fl, weights, excl.reasons, prefs=cfg.preferences, pref_masks=pmasks)
    classes = classify(score, excl.reasons, cfg.classes.thresholds)
    fnames = fl.names
    if sensitivity == 0:
        del fl  # one uint8 raster per factor; only the robustness runs need them again
    _stage("score")

    # 5. sites and capacity
    banners = catalog.vector(cfg.banners_layer, crs=grid.crs)
    layers.note(cfg.banners_layer)
    bidx = banner_index(banners, grid)
    lc = lc_labels = None
    if cfg.landcover_layer:
        lc = layers.raster(cfg.landcover_layer, resampling="nearest")
        lc_labels = layers.categories(cfg.landcover_layer)
    layers.release()
    sr = cfg.sites
    labels, n = label_sites(score, excl.reasons, min_score=sr.min_score,
                            min_area_km2=sr.min_area_km2, cell_area_m2=grid.cell_area_m2,
                            banner_idx=bidx if sr.split_by_banner else None,
                            max_site_km2=sr.max_site_km2, grid=grid,
                            min_width_m=sr.min_width_m)
    _stage("label_sites")
    layout = None
    if kind == "wind":
        assert turbine is not None
        layout = place_turbines(labels, grid, rotor_diameter_m=turbine.rotor_diameter_m,
                                spec=cfg.wind_layout, cf=res.values)
        cnt, _ = layout.per_site(n)
        # a wind site is its turbines: sites holding none are dropped, ids stay by rank
        new_id = np.zeros(n + 1, dtype=np.int32)
        keep = np.flatnonzero(cnt > 0)
        new_id[keep + 1] = np.arange(1, keep.size + 1, dtype=np.int32)
        if keep.size < n:
            log.info("wind: %d of %d sites hold no turbine and are dropped", n - keep.size, n)
            labels = remap(new_id, labels)
            layout.site = new_id[layout.site].astype(np.int64)
            n = int(keep.size)
        _stage("turbines")
    density = sr.density_mw_per_km2() if kind == "pv" else None
    sites = site_table(labels, n, grid, score, banners=banners, banner_idx=bidx,
                       pref_masks=pmasks, landcover=lc, landcover_labels=lc_labels,
                       density_mw_per_km2=density, resource=res.values)
    del labels
    turbines = None
    if kind == "pv":
        sites["annual_energy_mwh"] = np.round(sites["capacity_mw"].to_numpy("float64")
                                              * sites["resource_mean"].to_numpy("float64"), 1)
    else:
        assert layout is not None and turbine is not None
        cnt, _ = layout.per_site(n)
        p_mw = turbine.nominal_power_w / 1e6
        wake = cfg.wind_layout.wake_loss
        e = np.bincount(layout.site, weights=layout.cf.astype("float64"), minlength=n + 1)[1:]
        sites.insert(sites.columns.get_loc("capacity_mw"), "n_turbines", cnt.astype("int64"))
        sites["capacity_mw"] = np.round(cnt * p_mw, 2)
        sites["annual_energy_mwh"] = np.round(e * p_mw * 8760.0 * (1.0 - wake), 1)
        turbines = turbine_table(layout, grid, turbine=turbine, wake_loss=wake)
    grid_ids = _grid_layer_ids(cfg, catalog)
    grid_gdfs = []
    for gid in grid_ids:
        grid_gdfs.append(catalog.vector(gid, crs=grid.crs))
        layers.note(gid)
    dist = grid_distance_km(sites, grid_gdfs, grid.crs)
    add_economics(sites, cost=cfg.cost, distance_km=dist)
    # geometry last (GeoPackage readers show attribute columns first)
    sites = sites[[c for c in sites.columns if c != "geometry"] + ["geometry"]]
    supply = supply_curve(sites)
    cap = capacity_by_banner(sites, banners)
    _stage("site_table")
    site_km2 = float(sites["area_km2"].sum()) if len(sites) else 0.0
    mw_km2 = (density if density is not None
              else (float(sites["capacity_mw"].sum()) / site_km2 if site_km2 else 0.0))
    curve = threshold_curve(score, excl.reasons, sr.threshold_curve,
                            min_area_km2=sr.min_area_km2, cell_area_m2=grid.cell_area_m2,
                            banner_idx=bidx if sr.split_by_banner else None, grid=grid,
                            min_width_m=sr.min_width_m, mw_per_km2=mw_km2)
    _stage("threshold_curve")

    # 6. robustness
    rob = None
    if sensitivity > 0:
        rob = robustness(fl, weights, excl.reasons, runs=sensitivity,
                         concentration=cfg.sensitivity.concentration,
                         top_fraction=cfg.sensitivity.top_fraction, seed=cfg.sensitivity.seed,
                         prefs=cfg.preferences, pref_masks=pmasks).percent
        _stage("robustness")
    t_run = time.perf_counter()

    summary = _summary(kind, cfg, where, config_path, grid, region, excl, fnames, weights, cr,
                       res, sites, classes, layers.used, sensitivity)
    summary["resource"]["not_covered_km2"] = round(not_covered_km2, 2)
    if "ghi" in res.variables:
        summary["resource"]["ghi_grades_km2"] = _ghi_grades(res.variables["ghi"], region, grid)
        summary["resource"]["ghi_grades_source"] = GHI_GRADES_SOURCE
    summary["resource_source"] = _resource_source(res, roles, not_covered_km2)
    summary["factor_bounds"] = {k: [round(v[0], 4), round(v[1], 4)]
                                for k, v in factor_bounds.items()}
    summary["threshold_curve"] = curve
    summary["threshold_curve_mw_per_km2"] = round(mw_km2, 3)
    summary["grid_layers"] = grid_ids
    summary["cost"] = cfg.cost.model_dump()
    summary["supply"] = _supply_summary(sites, turbines)
    summary["timing_s"] = {"resource": round(t_res - t0, 2), "total": round(t_run - t0, 2),
                           "stages": stages}
    result = SitingResult(kind, grid, cfg, score, classes, excl.reasons, res, sites, cap,
                          excl.table, summary, files, rob, supply, turbines)
    if out_dir is not None:
        from ordos_geo.siting.outputs import write_outputs

        write_outputs(result, overwrite=overwrite)
        _stage("outputs")
        summary["timing_s"]["with_outputs"] = round(time.perf_counter() - t0, 2)
    log.info("%s siting done in %.1f s", kind, time.perf_counter() - t0)
    return result


#: Name of the reason given to eligible cells the resource raster does not cover.
NO_RESOURCE = "no_resource_data"


def _mark_no_resource(excl: Any, res: ResourceResult, region: np.ndarray, grid: Grid) -> float:
    """Give eligible cells without resource data their own reason; km² not covered.

    A user raster that misses part of the region leaves NaN there: those cells are
    not scored lower in silence but get the reason "no resource data" (the next free
    code) and a row in the exclusion table. Returns the region area without resource
    data (km², whatever other reason the cells have).
    """
    cell_km2 = grid.cell_area_m2 / 1e6
    total = 0
    first = 0
    code = int(excl.table["code"].max()) + 1 if len(excl.table) else 1
    for r0 in range(0, grid.height, 1024):
        sl = slice(r0, r0 + 1024)
        miss = ~np.isfinite(res.values[sl])
        miss &= region[sl]
        total += int(np.count_nonzero(miss))
        rb = excl.reasons[sl]
        miss &= rb == 0
        first += int(np.count_nonzero(miss))
        rb[miss] = code
    if total == 0:
        return 0.0
    row = {"code": code, "name": NO_RESOURCE, "layer": "resource",
           "reason": "无资源数据 no resource data (the resource raster does not cover the "
           "cell)", "source": "cells outside the user's resource raster are not scored",
           "buffer_m": 0.0, "first_km2": first * cell_km2, "total_km2": total * cell_km2,
           "provenance": "user"}
    excl.table = pd.concat([excl.table, pd.DataFrame([row])], ignore_index=True)
    excl.eligible_km2 -= first * cell_km2
    log.warning("resource raster misses %.1f km² of the region (%.1f km² otherwise "
                "eligible): reason %s", total * cell_km2, first * cell_km2, NO_RESOURCE)
    return total * cell_km2


#: GB/T 31155-2014 太阳能资源等级 by annual GHI (kWh/m²/yr): lower bounds and names.
GHI_GRADES = [(1750.0, "最丰富 ≥1750"), (1400.0, "很丰富 1400–1750"), (1050.0, "丰富 1050–1400"),
              (-np.inf, "一般 <1050")]
GHI_GRADES_SOURCE = ("GB/T 31155-2014 太阳能资源等级 总辐射 (GHI, kWh/m²/yr): 最丰富 ≥ 1,750, "
                     "很丰富 1,400–1,750, 丰富 1,050–1,400, 一般 < 1,050; applied to GHI")


def _ghi_grades(ghi: np.ndarray, region: np.ndarray, grid: Grid) -> dict[str, float]:
    """Region area (km²) per GB/T 31155 GHI grade (cells without GHI: grade 一般 is not
    assumed — they are counted under "no data")."""
    counts = dict.fromkeys([name for _, name in GHI_GRADES], 0)
    nodata = 0
    for r0 in range(0, grid.height, 1024):
        g = ghi[r0:r0 + 1024][region[r0:r0 + 1024]]
        fin = np.isfinite(g)
        nodata += int(np.count_nonzero(~fin))
        g = g[fin]
        upper = np.inf
        for lo, name in GHI_GRADES:
            counts[name] += int(np.count_nonzero((g >= lo) & (g < upper)))
            upper = lo
    cell_km2 = grid.cell_area_m2 / 1e6
    out = {k: round(v * cell_km2, 2) for k, v in counts.items()}
    if nodata:
        out["no data"] = round(nodata * cell_km2, 2)
    return out


def _grid_layer_ids(cfg: SitingConfig, catalog: Any) -> list[str]:
    """Grid-connection layers: ``grid_layers``, else role ``grid`` (user layers first).

    When the catalog holds grid layers that are not illustrative (the user's), only
    those are used: an official grid replaces the illustrative default, it does not
    add to it.
    """
    if cfg.grid_layers is not None:
        for gid in cfg.grid_layers:
            if gid not in catalog:
                raise ConfigError(f"grid_layers: unknown layer id {gid!r}; add it with "
                                  "--catalog or fix the id")
        return list(cfg.grid_layers)
    if not hasattr(catalog, "by_role"):
        return []
    specs = [sp for sp in catalog.by_role("grid") if sp.kind == "vector"]
    real = [sp for sp in specs if sp.provenance != "illustrative"]
    return [sp.id for sp in (real or specs)]


_SOURCE_TEXT = {
    "raster": ("measured/reanalysis raster given by the user", "用户提供的实测/再分析栅格"),
    "model": ("model (pvlib clear-sky × clear-sky index), not a measurement",
              "模型估算(pvlib 晴空模型 × 晴空指数),非实测"),
    "assumption": ("ASSUMPTION: one uniform reference value, not a measurement",
                   "假设:全市统一参考值,非实测"),
}


def _resource_source(res: ResourceResult, roles: dict[str, str],
                     not_covered_km2: float) -> dict[str, Any]:
    en, zh = _SOURCE_TEXT.get(res.source_type, _SOURCE_TEXT["model"])
    used_roles = {r: lid for r, lid in roles.items()
                  if lid in (res.summary.get("wind_layers") or [])
                  or lid in (res.summary.get("pvout_layer"), res.summary.get("ghi_layer"))}
    return {"type": res.source_type, "method": res.method, "en": en, "zh": zh,
            "roles": used_roles, "not_covered_km2": round(not_covered_km2, 2)}


def _supply_summary(sites: Any, turbines: Any) -> dict[str, Any]:
    if not len(sites):
        return {"sites": 0}
    lc = sites["lcoe_cny_per_kwh"].to_numpy("float64")
    fin = lc[np.isfinite(lc)]
    cap = sites["capacity_mw"].to_numpy("float64")
    e = sites["annual_energy_mwh"].to_numpy("float64")
    d = sites["grid_distance_km"].to_numpy("float64")
    out: dict[str, Any] = {
        "lcoe_cny_per_kwh_min": round(float(fin.min()), 4) if fin.size else None,
        "lcoe_cny_per_kwh_median": round(float(np.median(fin)), 4) if fin.size else None,
        "lcoe_cny_per_kwh_capacity_weighted": round(
            float(np.nansum(lc * e) / np.nansum(e)), 4) if np.nansum(e) > 0 else None,
        "full_load_hours_mean": round(float(e.sum() / cap.sum()), 0) if cap.sum() else None,
        "grid_distance_km_median": round(float(np.nanmedian(d)), 2)
        if np.isfinite(d).any() else None,
    }
    if turbines is not None:
        out["turbines"] = len(turbines)
    return out


def _summary(kind: str, cfg: SitingConfig, where: str, config_path: Any, grid: Grid,
             region: np.ndarray, excl: Any, fnames: list[str], weights: np.ndarray,
             cr: float | None, res: ResourceResult, sites: Any, classes: np.ndarray,
             used: dict[str, str], sensitivity: int) -> dict[str, Any]:
    cell_km2 = grid.cell_area_m2 / 1e6
    labels = ["excluded", *cfg.classes.labels]
    cls_counts = reason_counts(classes, codes=range(len(labels)))
    cap_mw = float(sites["capacity_mw"].sum()) if len(sites) else 0.0
    prov = _provenance(used)
    return {
        "kind": kind,
        "title": cfg.title,
        "config": where,
        "config_sha256": config_sha256(config_path, cfg),
        "grid": {"crs": cfg.grid.crs, "res_m": grid.res_m, "shape": list(grid.shape),
                 "cell_rule": "cell centre"},
        "total_km2": round(excl.region_km2, 2),
        "eligible_km2": round(excl.eligible_km2, 2),
        "eligible_share": round(excl.eligible_km2 / excl.region_km2, 4)
        if excl.region_km2 else 0.0,
        "exclusions": excl.table.drop(columns=["source"]).round(3).to_dict(orient="records"),
        "classes_km2": {labels[i]: round(float(cls_counts[i]) * cell_km2, 2)
                        for i in range(len(labels))},
        "sites": len(sites),
        "sites_area_km2": round(float(sites["area_km2"].sum()) if len(sites) else 0.0, 2),
        "sites_preferred": int(sites["preferred"].sum()) if len(sites) else 0,
        "site_rule": {"rule": "absolute: eligible cells with score ≥ min_score, land "
                      "narrower than min_width_m removed, connected regions within a banner, "
                      "cut to max_site_km2, kept when ≥ min_area_km2; every such site counts",
                      "min_score": cfg.sites.min_score,
                      "min_width_m": cfg.sites.min_width_m,
                      "min_area_km2": cfg.sites.min_area_km2,
                      "max_site_km2": cfg.sites.max_site_km2,
                      "split_by_banner": cfg.sites.split_by_banner, "connectivity": 8,
                      "ranking": "site ids by mean score, best first",
                      "source": cfg.sites.site_rule_source},
        "sites_max_area_km2": round(float(sites["area_km2"].max()) if len(sites) else 0.0, 2),
        "capacity_gw": round(cap_mw / 1000.0, 3),
        "annual_energy_twh": round(float(sites["annual_energy_mwh"].sum()) / 1e6, 3)
        if len(sites) else 0.0,
        "capacity_definition": "candidate sites only: site area × PV density "
        "(module W/m² × GCR × array share)" if kind == "pv" else
        "candidate sites only: the counted turbines × rated power",
        "technical_potential": _potential(cfg, cls_counts, cell_km2, kind, sites),
        "capacity_density_mw_per_km2": round(cfg.sites.density_mw_per_km2(), 3)
        if kind == "pv" else None,
        "capacity_density_source": cfg.sites.capacity_density_source if kind == "pv"
        else "turbine layout: " + cfg.wind_layout.source,
        "target_gw": cfg.targets.target_gw,
        "target_source": cfg.targets.target_source,
        "installed_gw_2025": cfg.targets.installed_gw_2025,
        "installed_source": cfg.targets.installed_source,
        "resource": {"method": res.method, "units": res.units, **res.summary},
        "resource_is_assumption": res.method == "reference-speed",
        "weights": {n: round(float(w), 4) for n, w in zip(fnames, weights, strict=True)},
        "weights_method": cfg.weights.method,
        "ahp_consistency_ratio": None if cr is None else round(cr, 4),
        "preferences": [p.model_dump() for p in cfg.preferences],
        "sensitivity_runs": sensitivity,
        "provenance": prov,
        "layers": dict(sorted(used.items())),
        "notes": [
            "Elevation is 1/12° (28 m steps): slope is not used; give a DEM for slope.",
            *(["Some layers are illustrative (示意数据): replace them with official data."]
              if prov == "illustrative" else []),
            *(["ASSUMPTION: the wind resource is ONE uniform reference speed "
               f"({cfg.wind.reference_mean_speed_ms:g} m/s at {cfg.wind.reference_height_m:g} m),"
               " not a measured wind map; the capacity factor varies only with air density "
               "(elevation), so wind scores and sites reflect land, access and the plan's "
               "zones, not wind quality; add a Global Wind Atlas GeoTIFF to a --catalog with "
               "role wind_speed_100m (or weibull_a/weibull_k)."]
              if res.method == "reference-speed" else []),
            "capacity_gw counts candidate sites only; technical_potential is all eligible "
            "land per score class × density (an upper bound, not a build-out).",
            "Capacity is what the site rule and the layout give (PV: area × density; wind: "
            "counted turbines), not a plan or a grid-connection limit; the target and "
            "installed figures are city-wide, all renewables. threshold_curve shows how it "
            "changes with sites.min_score.",
        ],
        "notes_zh": [
            "高程数据为 1/12°（28 m 级差），未使用坡度；如需坡度请提供 DEM。",
            *(["部分图层为示意数据，请以官方数据替换。"] if prov == "illustrative" else []),
            *([f"假设：风资源为全市统一参考风速（{cfg.wind.reference_mean_speed_ms:g} m/s，"
               f"{cfg.wind.reference_height_m:g} m 高度），并非实测风图谱；容量系数仅随空气密度"
               "（海拔）变化，风电评分与场址反映的是土地、接入条件与规划分区，而非风资源优劣；"
               "请在 --catalog 中加入角色为 wind_speed_100m（或 weibull_a/weibull_k）的"
               "全球风能图谱 GeoTIFF。"] if res.method == "reference-speed" else []),
            "候选场址容量仅计入候选场址；技术潜力为各评分等级全部可开发土地 × 装机密度"
            "（上限，并非建设规模）。",
            "容量由场址规则与风机布置得出（光伏：面积 × 密度；风电：布置的风机台数），"
            "不是规划或电网接入上限；目标与已装机数为全市全部可再生能源口径。"
            "threshold_curve 给出容量随评分阈值的变化。",
        ],
    }


def _potential(cfg: SitingConfig, cls_counts: np.ndarray, cell_km2: float, kind: str,
               sites: Any) -> dict[str, Any]:
    """Technical potential by score class: eligible area × capacity density (GW).

    PV: the density parameter; wind: the MW per km² the turbine layout reached in the
    run's own sites (turbines × rating / site area).
    """
    if kind == "pv":
        dens = cfg.sites.density_mw_per_km2()
    else:
        km2 = float(sites["area_km2"].sum()) if len(sites) else 0.0
        dens = float(sites["capacity_mw"].sum()) / km2 if km2 else 0.0
    by: dict[str, dict[str, float]] = {}
    for i, lab in enumerate(cfg.classes.labels, start=1):
        km2 = float(cls_counts[i]) * cell_km2
        by[lab] = {"area_km2": round(km2, 2), "gw": round(km2 * dens / 1000.0, 3)}
    top = cfg.classes.labels[-2:] if len(cfg.classes.labels) >= 2 else cfg.classes.labels
    return {
        "definition": "TECHNICAL POTENTIAL (upper bound): all eligible land of the class × "
        f"{dens:.3g} MW/km²; ignores site size, grid capacity and competing uses; "
        "NOT candidate sites",
        "mw_per_km2": round(dens, 3),
        "by_class": by,
        "classes": {"lower_bounds": cfg.classes.thresholds},
        "top_two_classes": list(top),
        "top_two_classes_gw": round(sum(by[k]["gw"] for k in top), 3),
        "all_eligible_gw": round(sum(v["gw"] for v in by.values()), 3),
    }
