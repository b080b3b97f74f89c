"""Land eligibility: region minus exclusions, a thin layer over :mod:`ordos_geo.exclusions`.

The library function behind ``ordos-geo eligibility``: config → engine → one
:class:`EligibilityResult`. A YAML config names a region layer and the exclusions;
every exclusion goes through the one exclusion engine (same spec, plan and burn as
siting), in memory or blockwise on dask.

Example config (``ordos_geo/data/analyses/eligibility_example.yaml``)::

    region: {layer: city}
    res_m: 100
    raster_exclusions:
      - {layer: landcover, codes: [0, 13], reason: water and urban land cover}
    vector_exclusions:
      - {layer: red_lines, reason: ecological protection red line}
      - {layer: urban_cores, buffer_m: 500, reason: urban core + 500 m}
    exclusions:   # the engine's spec (ordos_geo.exclusions.ExclusionSpec), any layer kind
      - {layer: my.gpkg, file_layer: roads, where: {class: 1}, mode: all_touched, reason: roads}

Codes run over ``raster_exclusions``, then ``vector_exclusions``, then ``exclusions``.
A ``layer`` is a catalog id or a file path (relative to the config file).
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pyproj
from pydantic import Field, PrivateAttr, field_validator, model_validator

from ordos_geo import raster as rz
from ordos_geo.config import (
    Scalar,
    StrictModel,
    display_path,
    filter_where,
    format_loc,
    load_yaml,
    locate_line,
    validate,
)
from ordos_geo.config import yaml_line_index as _yaml_line_index
from ordos_geo.crs import WORK_CRS_PROJ4
from ordos_geo.errors import ConfigError
from ordos_geo.exclusions import ExclusionPlan, ExclusionRun, ExclusionSpec
from ordos_geo.exclusions.plan import read_vector_layer, resolve_layer
from ordos_geo.grid import Grid

__all__ = [
    "EligibilityConfig",
    "EligibilityResult",
    "ExclusionStat",
    "RasterExclusion",
    "RegionSpec",
    "VectorExclusion",
    "compute_eligibility",
    "load_eligibility_config",
    "prepare_eligibility",
]

log = logging.getLogger(__name__)

WhereValue = Scalar | list[Scalar]


class RegionSpec(StrictModel):
    """The analysis region."""

    layer: str = Field(min_length=1, description="Catalog id or vector file path of the region.")
    where: dict[str, WhereValue] | None = Field(
        default=None,
        description="Keep features whose field equals the value (or is in the list).",
    )


class RasterExclusion(StrictModel):
    """Exclude cells of a categorical/continuous raster by code or value range."""

    layer: str = Field(min_length=1, description="Catalog id or raster file path.")
    codes: list[float] | None = Field(default=None, description="Class codes to exclude.")
    ranges: list[tuple[float, float]] | None = Field(
        default=None, description="Inclusive [lo, hi] value ranges to exclude (raster units)."
    )
    band: int = Field(default=1, ge=1, description="1-based band number.")
    reason: str = Field(min_length=1, description="Why these cells are excluded (reports).")

    @model_validator(mode="after")
    def _codes_or_ranges(self) -> RasterExclusion:
        if not self.codes and not self.ranges:
            raise ValueError("give codes: [...] or ranges: [[lo, hi], ...]")
        for lo, hi in self.ranges or ():
            if lo > hi:
                raise ValueError(f"range [{lo}, {hi}] has lo > hi; write [lo, hi]")
        return self


class VectorExclusion(StrictModel):
    """Exclude cells within ``buffer_m`` of the features of a vector layer."""

    layer: str = Field(min_length=1, description="Catalog id or vector file path.")
    buffer_m: float = Field(default=0.0, ge=0, description="Euclidean buffer, metres.")
    where: dict[str, WhereValue] | None = Field(
        default=None,
        description="Only features whose field equals the value (or is in the list).",
    )
    mode: Literal["centre", "all_touched"] = Field(
        default="centre",
        description="centre: cell centre inside; all_touched: any touched cell.",
    )
    reason: str = Field(min_length=1, description="Why these cells are excluded (reports).")


class EligibilityConfig(StrictModel):
    """An eligibility analysis: region, working grid, exclusions (applied in order)."""

    region: RegionSpec = Field(description="Region layer (and filter).")
    crs: str = Field(default=WORK_CRS_PROJ4, description="Working CRS (metric).")
    res_m: float = Field(default=100.0, gt=0, description="Cell size, metres.")
    raster_exclusions: list[RasterExclusion] = Field(
        default_factory=list, description="Raster exclusions (codes 1.. in order)."
    )
    vector_exclusions: list[VectorExclusion] = Field(
        default_factory=list, description="Vector exclusions (codes after the raster ones)."
    )
    exclusions: list[ExclusionSpec] = Field(
        default_factory=list,
        description="Exclusions in the engine's schema (codes after the vector ones).",
    )
    _source: Path | None = PrivateAttr(default=None)

    @field_validator("crs")
    @classmethod
    def _check_crs(cls, value: str) -> str:
        try:
            c = pyproj.CRS.from_user_input(value)
        except pyproj.exceptions.CRSError as exc:
            raise ValueError(f"not a CRS pyproj knows ({value!r})") from exc
        if not c.is_projected:
            raise ValueError(f"CRS {value!r} is not projected; use a metric CRS")
        return value

    @model_validator(mode="after")
    def _not_too_many(self) -> EligibilityConfig:
        if len(self.raster_exclusions) + len(self.vector_exclusions) + len(
                self.exclusions) > 254:
            raise ValueError("at most 254 exclusions (reason codes 1..254)")
        return self

    @property
    def source(self) -> Path | None:
        """The YAML file this config was loaded from (None if built in code)."""
        return self._source


def load_eligibility_config(path: str | os.PathLike[str]) -> EligibilityConfig:
    """Load and validate an eligibility YAML config.

    Raises
    ------
    ConfigError
        One line naming the file, line and key.
    """
    p = Path(path)
    cfg = validate(EligibilityConfig, load_yaml(p), p)
    cfg._source = p
    return cfg


@dataclass(frozen=True)
class ExclusionStat:
    """Area removed by one exclusion (cells it removed first; overlaps count once)."""

    code: int
    kind: Literal["raster", "vector"]
    layer: str
    reason: str
    removed_km2: float
    seconds: float


@dataclass
class EligibilityResult:
    """Result of :func:`compute_eligibility`.

    Attributes
    ----------
    reasons
        ``uint8`` of ``grid.shape``: 0 eligible, k removed by the k-th exclusion,
        255 outside the region; ``None`` with the dask engine (see ``files``).
    grid
        The working grid.
    eligible_km2, total_km2
        Eligible and region area (cell counts × cell area, km²).
    seconds
        Wall time of the computation including reading layers.
    exclusions
        One :class:`ExclusionStat` per exclusion, in code order.
    timings
        Wall seconds per step (``plan``, ``burn`` or ``chunks``).
    engine, n_chunks, chunk_shape
        ``memory``, ``dask-threads`` or ``dask-distributed``; how the grid was split.
    files
        GeoTIFFs written by the dask engine (``mask``, ``reasons``).
    counts
        ``int64[256]`` cells per reason code.
    """

    reasons: np.ndarray | None
    grid: Grid
    eligible_km2: float
    total_km2: float
    seconds: float
    exclusions: list[ExclusionStat] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    engine: str = "memory"
    n_chunks: int = 1
    chunk_shape: tuple[int, int] = (0, 0)
    files: dict[str, str] = field(default_factory=dict)
    counts: np.ndarray | None = None

    @property
    def codes(self) -> dict[int, str]:
        """Reason code → reason text (incl. 0 eligible, 255 outside region)."""
        out = {0: "eligible"}
        out.update({e.code: e.reason for e in self.exclusions})
        out[rz.OUTSIDE] = "outside region"
        return out

    def eligibility_mask(self) -> np.ndarray:
        """``uint8`` mask for files: 1 eligible, 0 excluded, 255 outside the region."""
        if self.reasons is None:
            raise ValueError("eligibility_mask: the dask engine keeps no reasons in memory")
        lut = np.zeros(256, dtype=np.uint8)
        lut[rz.ELIGIBLE] = 1
        lut[rz.OUTSIDE] = 255
        return lut[self.reasons]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (areas km², seconds, grid)."""
        return {
            "eligible_km2": round(self.eligible_km2, 3),
            "total_km2": round(self.total_km2, 3),
            "eligible_share": round(self.eligible_km2 / self.total_km2, 5)
            if self.total_km2
            else None,
            "res_m": self.grid.res_m,
            "crs": self.grid.crs.to_string(),
            "grid_shape": list(self.grid.shape),
            "cells": self.grid.size,
            "seconds": round(self.seconds, 3),
            "engine": self.engine,
            "chunks": self.n_chunks,
            "chunk_shape": list(self.chunk_shape),
            **({"files": dict(self.files)} if self.files else {}),
            "exclusions": [
                {
                    "code": e.code,
                    "kind": e.kind,
                    "layer": e.layer,
                    "reason": e.reason,
                    "removed_km2": round(e.removed_km2, 3),
                    "seconds": round(e.seconds, 3),
                }
                for e in self.exclusions
            ],
        }


# --------------------------------------------------------------------------------------
# config → engine
# --------------------------------------------------------------------------------------
class _Where:
    """Locates keys of the config file for error messages."""

    def __init__(self, cfg: EligibilityConfig) -> None:
        self.path = cfg.source
        self.shown = display_path(cfg.source) if cfg.source else "<config>"
        self._index: dict[Any, int] | None = None

    def key(self, *loc: str | int) -> str:
        line = None
        if self.path is not None and self.path.is_file():
            if self._index is None:
                self._index = _yaml_line_index(self.path)
            line = locate_line(self._index, loc)
        where = f"{self.shown}:{line}" if line else self.shown
        return f"{where}: {format_loc(loc)}"

    @property
    def base_dir(self) -> Path | None:
        return self.path.parent if self.path is not None else None


def _specs(cfg: EligibilityConfig) -> list[tuple[ExclusionSpec, tuple[str, int], str | None]]:
    """Every exclusion as an engine spec, with its config location and required kind."""
    out: list[tuple[ExclusionSpec, tuple[str, int], str | None]] = []
    for i, rx in enumerate(cfg.raster_exclusions):
        out.append((ExclusionSpec(layer=rx.layer, reason=rx.reason, codes=rx.codes,
                                  ranges=rx.ranges, band=rx.band),
                    ("raster_exclusions", i), "raster"))
    for i, vx in enumerate(cfg.vector_exclusions):
        out.append((ExclusionSpec(layer=vx.layer, reason=vx.reason, buffer_m=vx.buffer_m,
                                  where=vx.where, mode=vx.mode),
                    ("vector_exclusions", i), "vector"))
    out += [(ex, ("exclusions", i), None) for i, ex in enumerate(cfg.exclusions)]
    return out


def input_paths(cfg: EligibilityConfig, *, catalog: Any) -> list[Path]:
    """Every file the config reads (region and exclusions).

    The CLI passes them as ``inputs=`` to the output checks so that an output
    (``--save-mask``) can never overwrite one of them.
    """
    where = _Where(cfg)
    layers: list[tuple[str, str | None, tuple[str | int, ...]]] = [
        (cfg.region.layer, "vector", ("region", "layer"))]
    layers += [(s.layer, kind, (*loc, "layer")) for s, loc, kind in _specs(cfg)]
    out: list[Path] = []
    for value, kind, loc in layers:
        src, ref = resolve_layer(value, kind, catalog, base_dir=where.base_dir,
                                 where=where.key(*loc))
        out.append(Path(catalog[ref].path) if src == "catalog" else Path(ref))
    return out


def prepare_eligibility(
    cfg: EligibilityConfig,
    *,
    catalog: Any,
    res_m: float | None = None,
    crs: Any = None,
) -> ExclusionPlan:
    """Read the region, build the grid and plan every exclusion (nothing burnt yet).

    Raises
    ------
    ConfigError
        Unknown layer id, wrong layer kind, missing field in ``where``, empty region.
    """
    where = _Where(cfg)
    grid_crs, res = _grid_params(cfg, where, res_m, crs)
    specs = _specs(cfg)
    # resolve every layer first so a typo fails before any heavy work
    resolve_layer(cfg.region.layer, "vector", catalog, base_dir=where.base_dir,
                  where=where.key("region", "layer"))
    for s, loc, kind in specs:
        resolve_layer(s.layer, kind, catalog, base_dir=where.base_dir,
                      where=where.key(*loc, "layer"))
    grid, region = _region(cfg, catalog, grid_crs, res, where)
    for s, loc, kind in specs:
        if kind == "raster" or (kind is None and (s.codes or s.ranges)):
            _warn_if_no_valid_pixels(s, catalog, where, loc)
    from ordos_geo.exclusions import plan_exclusions

    return plan_exclusions([s for s, _, _ in specs], grid, catalog=catalog, region=region,
                           base_dir=where.base_dir,
                           locate=lambda i, key: where.key(*specs[i][1], key))


def compute_eligibility(
    cfg: EligibilityConfig,
    *,
    catalog: Any,
    res_m: float | None = None,
    crs: Any = None,
    engine: Literal["memory", "dask"] = "memory",
    scheduler: Any = None,
    n_workers: int | None = None,
    chunk: int | tuple[int, int] = 2048,
    mask_path: str | os.PathLike[str] | None = None,
    reasons_path: str | os.PathLike[str] | None = None,
    overwrite: bool = False,
    tags: dict[str, str] | None = None,
) -> EligibilityResult:
    """Eligible land: the region minus the exclusions, on one grid.

    Parameters
    ----------
    cfg
        Validated config (see :func:`load_eligibility_config`).
    catalog
        :class:`ordos_geo.catalog.Catalog` used to resolve layer ids (may be ``None``
        when every layer is a file path).
    res_m
        Cell size in metres; overrides ``cfg.res_m``.
    crs
        Working CRS (metric); overrides ``cfg.crs``.
    engine
        ``memory`` (:func:`ordos_geo.exclusions.run_memory`) or ``dask``
        (:func:`ordos_geo.exclusions.run_blockwise`; identical reason codes, never
        the whole grid in memory).
    scheduler, n_workers, chunk
        dask engine only: ``None``/``"threads"``, ``"local"``, a scheduler address or a
        ``distributed.Client``; workers; window edge in cells.
    mask_path, reasons_path, overwrite, tags
        dask engine only: GeoTIFFs written window by window.

    Returns
    -------
    EligibilityResult
        Reason raster (memory), grid, eligible/total km², per-exclusion removed km².

    Raises
    ------
    ConfigError
        Unknown layer id, missing field in ``where``, empty region.
    """
    if engine not in ("memory", "dask"):
        raise ConfigError(f"engine {engine!r}: use memory or dask")
    if engine == "memory" and (scheduler is not None or mask_path or reasons_path):
        raise ConfigError("scheduler/mask_path/reasons_path need engine='dask'")
    t0 = time.perf_counter()
    plan = prepare_eligibility(cfg, catalog=catalog, res_m=res_m, crs=crs)
    run: ExclusionRun
    if engine == "memory":
        from ordos_geo.exclusions import run_memory

        run = run_memory(plan)
    else:
        from ordos_geo.exclusions.blockwise import run_blockwise

        run = run_blockwise(plan, scheduler=scheduler, n_workers=n_workers, chunk=chunk,
                            mask_path=mask_path, reasons_path=reasons_path,
                            overwrite=overwrite, tags=tags)
    seconds = time.perf_counter() - t0
    stats = [ExclusionStat(st.code, "raster" if st.kind == "raster" else "vector",
                           st.layer, st.reason, st.first_km2, st.seconds)
             for st in run.stats]
    for st in stats:
        log.info("exclusion %d (%s %s): %.1f km² removed", st.code, st.kind, st.layer,
                 st.removed_km2)
    return EligibilityResult(
        reasons=run.reasons, grid=run.grid, eligible_km2=run.eligible_km2,
        total_km2=run.region_km2, seconds=seconds, exclusions=stats,
        timings=dict(run.timings), engine=run.engine, n_chunks=run.n_chunks,
        chunk_shape=run.chunk_shape, files=dict(run.files), counts=run.counts)


def _grid_params(cfg: EligibilityConfig, where: _Where, res_m: float | None,
                 crs: Any) -> tuple[pyproj.CRS, float]:
    res = float(res_m if res_m is not None else cfg.res_m)
    if not res > 0:
        raise ConfigError(f"{where.shown}: res_m: must be > 0 (got {res}); pass a positive --res")
    try:
        grid_crs = pyproj.CRS.from_user_input(crs if crs is not None else cfg.crs)
    except pyproj.exceptions.CRSError as exc:
        raise ConfigError(f"{where.shown}: crs: not a CRS pyproj knows ({crs!r})") from exc
    if not grid_crs.is_projected:
        raise ConfigError(
            f"{where.shown}: crs: {grid_crs.name} is not projected; use a metric CRS "
            "such as the default Ordos Albers"
        )
    return grid_crs, res


def _region(cfg: EligibilityConfig, catalog: Any, grid_crs: pyproj.CRS, res: float,
            where: _Where) -> tuple[Grid, Any]:
    """The grid around the region and the region's geometries (in ``grid_crs``)."""
    region = read_vector_layer(cfg.region.layer, catalog, grid_crs, base_dir=where.base_dir,
                               where=where.key("region", "layer"))
    region = filter_where(region, cfg.region.where, layer=cfg.region.layer,
                          loc=lambda f: where.key("region", "where", f))
    region = region[~(region.geometry.is_empty | region.geometry.isna())]
    if len(region) == 0:
        raise ConfigError(
            f"{where.key('region')}: no region features left (layer '{cfg.region.layer}', "
            f"where {cfg.region.where}); fix region.where"
        )
    from ordos_geo.crs import check_equal_area

    check_equal_area(grid_crs, where=where.key("crs"), bounds=tuple(region.total_bounds))
    grid = Grid.from_bounds(tuple(region.total_bounds), res_m=res, crs=grid_crs)
    log.info("eligibility grid: %s (%.1f M cells)", grid, grid.size / 1e6)
    return grid, region


def _warn_if_no_valid_pixels(s: ExclusionSpec, catalog: Any, where: _Where,
                             loc: tuple[str, int]) -> None:
    """Log a warning when a raster exclusion holds only nodata/NaN (it would remove nothing).

    Reads a decimated overview (at most 1024 × 1024 pixels): a raster with any valid
    pixel region larger than the decimation step is seen.
    """
    import rasterio

    src, ref = resolve_layer(s.layer, None, catalog, base_dir=where.base_dir,
                             where=where.key(*loc, "layer"))
    path = catalog[ref].path if src == "catalog" else ref
    try:
        with rasterio.open(path) as ds:
            shape = (min(ds.height, 1024), min(ds.width, 1024))
            arr = ds.read(s.band, masked=True, out_shape=shape)
    except Exception:  # unreadable files are reported by the plan itself
        return
    invalid = np.ma.getmaskarray(arr)
    if arr.dtype.kind == "f":
        invalid = invalid | ~np.isfinite(arr.filled(np.nan))
    if invalid.all():
        log.warning(
            "%s: raster exclusion '%s' (%s): no valid pixels (all nodata/NaN); it removes "
            "nothing — check the file and its nodata value",
            display_path(Path(path)), s.reason, where.key(*loc, "layer"),
        )
