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
from ordos_geo.siting.resource import ResourceResult, load_turbine, pv_resource, wind_resource
from ordos_geo.siting.sensitivity import robustness
from ordos_geo.siting.sites import (
    banner_index,
    capacity_by_banner,
    label_sites,
    site_table,
)
from ordos_geo.siting.suitability import (
    LayerReader,
    apply_exclusions,
    classify,
    evaluate_factors,
    preference_masks,
    weighted_score,
)

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
    "robustness": "{kind}_robustness.tif",
}


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
        for key, name in OUTPUT_NAMES.items():
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

    # 2. resource
    turbine = None
    if kind == "pv":
        res = pv_resource(layers, cfg.pv, region, elevation_layer=cfg.elevation_layer,
                          linke_layer=cfg.linke_layer, config_dir=config_dir,
                          where=f"{where}: pv")
    else:
        turbine = load_turbine(cfg.wind.turbine_type, cfg.wind.hub_height_m)
        res = wind_resource(layers, cfg.wind, region, elevation_layer=cfg.elevation_layer,
                            turbine=turbine, config_dir=config_dir, where=f"{where}: wind")
    t_res = time.perf_counter()
    _stage("resource")

    # 3. exclusions
    excl = apply_exclusions(cfg.exclusions, layers, region,
                            tip_height_m=turbine.tip_height_m if turbine else None,
                            where_prefix=f"{where}: exclusions")
    _stage("exclusions")
    # 4. factors, score, classes (preference masks first: zone factors reuse them)
    pmasks = preference_masks(cfg.preferences, layers, where_prefix=f"{where}: preferences")
    fl = evaluate_factors(cfg.factors, layers, resource=lambda: res.values,
                          where_prefix=f"{where}: factors",
                          distance_cell_m=cfg.grid.distance_cell_m())
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
    labels, n = label_sites(score, excl.reasons, min_score=cfg.sites.min_score,
                            min_area_km2=cfg.sites.min_area_km2, cell_area_m2=grid.cell_area_m2,
                            banner_idx=bidx if cfg.sites.split_by_banner else None,
                            max_site_km2=cfg.sites.max_site_km2, grid=grid,
                            top_fraction=cfg.sites.top_fraction)
    _stage("label_sites")
    sites = site_table(labels, n, grid, score, banners=banners, banner_idx=bidx,
                       pref_masks=pmasks, landcover=lc, landcover_labels=lc_labels,
                       density_mw_per_km2=cfg.sites.capacity_density_mw_per_km2)
    del labels
    cap = capacity_by_banner(sites, banners)
    _stage("site_table")

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
    summary["timing_s"] = {"resource": round(t_res - t0, 2), "total": round(t_run - t0, 2),
                           "stages": stages}
    result = SitingResult(kind, grid, cfg, score, classes, excl.reasons, res, sites, cap,
                          excl.table, summary, files, rob)
    if out_dir is not None:
        from ordos_geo.siting.outputs import write_outputs

        write_outputs(result, overwrite=overwrite)
        _stage("outputs")
        summary["timing_s"]["with_outputs"] = round(time.perf_counter() - t0, 2)
    log.info("%s siting done in %.1f s", kind, time.perf_counter() - t0)
    return result


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
        "site_rule": {"min_score": cfg.sites.min_score, "top_fraction": cfg.sites.top_fraction,
                      "min_area_km2": cfg.sites.min_area_km2,
                      "max_site_km2": cfg.sites.max_site_km2,
                      "split_by_banner": cfg.sites.split_by_banner, "connectivity": 8,
                      "ranking": "sites ranked by mean score; with top_fraction the best "
                      "sites are kept until their area reaches top_fraction × eligible area",
                      "top_fraction_target_km2": None if cfg.sites.top_fraction is None
                      else round(cfg.sites.top_fraction * excl.eligible_km2, 2),
                      "source": cfg.sites.site_rule_source},
        "sites_max_area_km2": round(float(sites["area_km2"].max()) if len(sites) else 0.0, 2),
        "capacity_gw": round(cap_mw / 1000.0, 3),
        "capacity_definition": "candidate sites only: site area × capacity density",
        "technical_potential": _potential(cfg, cls_counts, cell_km2),
        "capacity_density_mw_per_km2": cfg.sites.capacity_density_mw_per_km2,
        "capacity_density_source": cfg.sites.capacity_density_source,
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
               "zones, not wind quality; give wind.mean_speed_raster (e.g. Global Wind Atlas)."]
              if res.method == "reference-speed" else []),
            "capacity_gw counts candidate sites only; technical_potential is all eligible "
            "land per score class × density (an upper bound, not a build-out).",
            "Capacity = site area × density (a parameter), not a plan or a grid-connection "
            "limit; the target and installed figures are city-wide, all renewables.",
        ],
    }


def _potential(cfg: SitingConfig, cls_counts: np.ndarray, cell_km2: float) -> dict[str, Any]:
    """Technical potential by score class: eligible area × capacity density (GW)."""
    dens = cfg.sites.capacity_density_mw_per_km2
    by: dict[str, dict[str, float]] = {}
    for i, lab in enumerate(cfg.classes.labels, start=1):
        km2 = float(cls_counts[i]) * cell_km2
        by[lab] = {"area_km2": round(km2, 2), "gw": round(km2 * dens / 1000.0, 3)}
    top = cfg.classes.labels[-2:] if len(cfg.classes.labels) >= 2 else cfg.classes.labels
    return {
        "definition": "TECHNICAL POTENTIAL (upper bound): all eligible land of the class × "
        f"{dens:g} MW/km²; ignores site size, grid capacity and competing uses; "
        "NOT candidate sites",
        "by_class": by,
        "classes": {"lower_bounds": cfg.classes.thresholds},
        "top_two_classes": list(top),
        "top_two_classes_gw": round(sum(by[k]["gw"] for k in top), 3),
        "all_eligible_gw": round(sum(v["gw"] for v in by.values()), 3),
    }
