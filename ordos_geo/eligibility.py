"""Land eligibility: region minus raster-class and buffered vector exclusions.

The library function behind ``ordos-geo eligibility``. A YAML config names a region
layer, raster exclusions (class codes or value ranges) and vector exclusions (with an
optional Euclidean buffer); each is rasterised once onto one working grid (cell
centre rule, see :mod:`ordos_geo.raster`) into a ``uint8`` reason raster.

Example config (``analyses/eligibility_example.yaml``)::

    region: {layer: city}
    res_m: 100
    raster_exclusions:
      - {layer: landcover, codes: [0, 13], reason: water and urban land cover}
    vector_exclusions:
      - {layer: red_lines, reason: ecological protection red line}
      - {layer: urban_cores, buffer_m: 500, reason: urban core + 500 m}

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
import shapely
from pydantic import Field, PrivateAttr, field_validator, model_validator

from ordos_geo import raster as rz
from ordos_geo.config import StrictModel, display_path, load_yaml, locate_line, validate
from ordos_geo.config import yaml_line_index as _yaml_line_index
from ordos_geo.crs import WORK_CRS_PROJ4
from ordos_geo.errors import ConfigError, LayerIOError
from ordos_geo.grid import Grid

__all__ = [
    "EligibilityConfig",
    "EligibilityPlan",
    "EligibilityResult",
    "ExclusionStat",
    "PlannedExclusion",
    "RasterExclusion",
    "RegionSpec",
    "VectorExclusion",
    "compute_eligibility",
    "load_eligibility_config",
    "prepare_eligibility",
]

log = logging.getLogger(__name__)

Scalar = str | int | float | bool
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
        if len(self.raster_exclusions) + len(self.vector_exclusions) > 254:
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
        255 outside the region.
    grid
        The working grid.
    eligible_km2, total_km2
        Eligible and region area (cell counts × cell area, km²).
    seconds
        Wall time of the computation including reading layers.
    exclusions
        One :class:`ExclusionStat` per exclusion, in code order.
    timings
        Wall seconds per step (``region``, ``exclusion:<code>``, ``count``).
    """

    reasons: np.ndarray
    grid: Grid
    eligible_km2: float
    total_km2: float
    seconds: float
    exclusions: list[ExclusionStat] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def codes(self) -> dict[int, str]:
        """Reason code → reason text (incl. 0 eligible, 255 outside region)."""
        out = {0: "eligible"}
        out.update({e.code: e.reason for e in self.exclusions})
        out[rz.OUTSIDE] = "outside region"
        return out

    def eligibility_mask(self) -> np.ndarray:
        """``uint8`` mask for files: 1 eligible, 0 excluded, 255 outside the region."""
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
# layer resolution
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
        from ordos_geo.config import format_loc

        where = f"{self.shown}:{line}" if line else self.shown
        return f"{where}: {format_loc(loc)}"


def _resolve(
    value: str, kind: str, catalog: Any, where: _Where, loc: tuple[str | int, ...]
) -> tuple[str, Any]:
    """Return ``("catalog", id)`` or ``("file", Path)`` for a layer value."""
    if catalog is not None and value in catalog:
        spec = catalog[value]
        if spec.kind != kind:
            raise ConfigError(
                f"{where.key(*loc)}: layer '{value}' is a {spec.kind} layer, not {kind}; "
                f"use a {kind} layer"
            )
        return "catalog", value
    base = where.path.parent if where.path is not None else Path.cwd()
    p = Path(value).expanduser()
    p = p if p.is_absolute() else base / p
    if p.exists():
        return "file", p
    looks_like_path = "/" in value or "\\" in value or Path(value).suffix != ""
    if looks_like_path:
        raise ConfigError(
            f"{where.key(*loc)}: file not found ({display_path(p)}); paths are relative to "
            "the config file"
        )
    ids = ", ".join(catalog.ids) if catalog is not None else "no catalog loaded"
    raise ConfigError(
        f"{where.key(*loc)}: unknown layer id '{value}' (available: {ids}); use a catalog "
        "id or a file path, or add the layer with --catalog"
    )


def input_paths(cfg: EligibilityConfig, *, catalog: Any) -> list[Path]:
    """Every file the config reads (region, raster and vector exclusions).

    The CLI registers them with :func:`ordos_geo.io.atomic.register_inputs` so that an
    output (``--save-mask``) can never overwrite one of them.
    """
    where = _Where(cfg)
    layers: list[tuple[str, str, tuple[str | int, ...]]] = [
        (cfg.region.layer, "vector", ("region", "layer"))]
    layers += [(rx.layer, "raster", ("raster_exclusions", i, "layer"))
               for i, rx in enumerate(cfg.raster_exclusions)]
    layers += [(vx.layer, "vector", ("vector_exclusions", i, "layer"))
               for i, vx in enumerate(cfg.vector_exclusions)]
    out: list[Path] = []
    for value, kind, loc in layers:
        src, ref = _resolve(value, kind, catalog, where, loc)
        out.append(Path(catalog[ref].path) if src == "catalog" else Path(ref))
    return out


def _read_vector(
    value: str, catalog: Any, grid_crs: pyproj.CRS, where: _Where, loc: tuple[str | int, ...]
) -> Any:
    src, ref = _resolve(value, "vector", catalog, where, loc)
    if src == "catalog":
        return catalog.vector(ref, crs=grid_crs)
    from ordos_geo.io.vector import read_vector

    gdf = read_vector(ref)
    if gdf.crs is None:
        raise LayerIOError(
            f"{display_path(ref)}: vector file has no CRS; add a .prj or register it in a "
            "--catalog with crs:"
        )
    return gdf.to_crs(grid_crs)


def _filter(gdf: Any, where_cfg: dict[str, Any] | None, where: _Where,
            loc: tuple[str | int, ...], layer: str) -> Any:
    if not where_cfg:
        return gdf
    keep = np.ones(len(gdf), dtype=bool)
    for fld, val in where_cfg.items():
        if fld not in gdf.columns:
            cols = ", ".join(str(c) for c in gdf.columns if c != gdf.geometry.name)
            raise ConfigError(
                f"{where.key(*loc, 'where', fld)}: layer '{layer}' has no field '{fld}' "
                f"(fields: {cols}); fix the field name"
            )
        vals = val if isinstance(val, list) else [val]
        # YAML `adcode: 150602` must match a text field "150602" (and 150602.0)
        wanted = {_norm(v) for v in vals}
        keep &= gdf[fld].map(_norm).isin(wanted).to_numpy()
    return gdf[keep]


def _norm(value: Any) -> str:
    """Text form used to compare ``where`` values with field values of any dtype."""
    if isinstance(value, bool | np.bool_):
        return str(bool(value)).lower()
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    if isinstance(value, np.integer):
        return str(int(value))
    return str(value).strip()


# --------------------------------------------------------------------------------------
# the computation
# --------------------------------------------------------------------------------------
def compute_eligibility(
    cfg: EligibilityConfig,
    *,
    catalog: Any,
    res_m: float | None = None,
    crs: Any = None,
) -> EligibilityResult:
    """Rasterise the region and the exclusions onto one grid and measure eligible land.

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

    Returns
    -------
    EligibilityResult
        Reason raster, grid, eligible/total km², per-exclusion removed km².

    Raises
    ------
    ConfigError
        Unknown layer id, missing field in ``where``, empty region.
    """
    t_start = time.perf_counter()
    where = _Where(cfg)
    grid_crs, res = _grid_params(cfg, where, res_m, crs)
    timings: dict[str, float] = {}

    # 1. resolve every layer first so a typo fails before any heavy work
    _resolve(cfg.region.layer, "vector", catalog, where, ("region", "layer"))
    for i, rx in enumerate(cfg.raster_exclusions):
        _resolve(rx.layer, "raster", catalog, where, ("raster_exclusions", i, "layer"))
    for i, vx in enumerate(cfg.vector_exclusions):
        _resolve(vx.layer, "vector", catalog, where, ("vector_exclusions", i, "layer"))

    # 2. region → grid → reasons (255 outside, 0 inside)
    t0 = time.perf_counter()
    grid, outside = _region(cfg, catalog, grid_crs, res, where)
    timings["region"] = time.perf_counter() - t0

    # 3. exclusions, burnt straight into the reason raster in *reverse* order so that
    #    the first exclusion that covers a cell keeps its code (no scratch masks).
    reasons = np.zeros(grid.shape, dtype=np.uint8)
    n_raster = len(cfg.raster_exclusions)
    jobs: list[tuple[int, Literal["raster", "vector"], int]] = [
        (i + 1, "raster", i) for i in range(n_raster)
    ] + [(n_raster + j + 1, "vector", j) for j in range(len(cfg.vector_exclusions))]
    seconds_by_code: dict[int, float] = {}
    for code, kind, i in reversed(jobs):
        t0 = time.perf_counter()
        if kind == "raster":
            rx = cfg.raster_exclusions[i]
            path, declared = _raster_source(rx, i, catalog, where)
            rz.burn_class_into(reasons, path, grid, value=code, codes=rx.codes,
                               ranges=rx.ranges, band=rx.band, src_crs=declared)
            what = f"raster {rx.layer}"
        else:
            vx = cfg.vector_exclusions[i]
            loc: tuple[str | int, ...] = ("vector_exclusions", i)
            gdf = _read_vector(vx.layer, catalog, grid_crs, where, (*loc, "layer"))
            gdf = _filter(gdf, vx.where, where, loc, vx.layer)
            if len(gdf) == 0:
                log.warning("exclusion %d (%s): no features in layer '%s' after where; "
                            "nothing excluded", code, vx.reason, vx.layer)
            rz.burn_into(reasons, gdf, grid, value=code, mode=vx.mode, buffer_m=vx.buffer_m)
            del gdf
            what = f"vector {vx.layer}, buffer {vx.buffer_m:g} m"
        dt = time.perf_counter() - t0
        seconds_by_code[code] = dt
        timings[f"exclusion:{code}"] = dt
        log.info("exclusion %d (%s): %.2f s", code, what, dt)
    t0 = time.perf_counter()
    rz.burn_into(reasons, [outside], grid, value=rz.OUTSIDE)
    timings["outside"] = time.perf_counter() - t0
    code = len(jobs)
    stats: list[tuple[int, Literal["raster", "vector"], str, str, float]] = []
    for c, kind, i in jobs:
        ex: RasterExclusion | VectorExclusion = (
            cfg.raster_exclusions[i] if kind == "raster" else cfg.vector_exclusions[i]
        )
        stats.append((c, kind, ex.layer, ex.reason, seconds_by_code[c]))

    # 4. areas
    t0 = time.perf_counter()
    counts = rz.reason_counts(reasons, codes=[rz.ELIGIBLE, rz.OUTSIDE, *range(1, code + 1)])
    km2 = grid.cell_area_m2 / 1e6
    total_cells = grid.size - int(counts[rz.OUTSIDE])
    timings["count"] = time.perf_counter() - t0
    seconds = time.perf_counter() - t_start
    return EligibilityResult(
        reasons=reasons,
        grid=grid,
        eligible_km2=float(counts[rz.ELIGIBLE]) * km2,
        total_km2=float(total_cells) * km2,
        seconds=seconds,
        exclusions=[
            ExclusionStat(c, k, lay, why, float(counts[c]) * km2, dt)
            for c, k, lay, why, dt in stats
        ],
        timings=timings,
    )


@dataclass(frozen=True)
class PlannedExclusion:
    """One exclusion ready to burn on any window of the grid.

    See :mod:`ordos_geo.exclusions.blockwise`.

    Vector exclusions carry their geometries (buffered, in ``grid.crs`` metres); raster
    exclusions the file, class codes/ranges, band and declared CRS.
    """

    code: int
    kind: Literal["raster", "vector"]
    layer: str
    reason: str
    geoms: Any = None
    all_touched: bool = False
    path: Any = None
    codes: tuple[float, ...] | None = None
    ranges: tuple[tuple[float, float], ...] | None = None
    band: int = 1
    src_crs: Any = None


@dataclass(frozen=True)
class EligibilityPlan:
    """Grid, region complement and exclusions of a config, nothing rasterised yet."""

    grid: Grid
    outside: Any
    jobs: list[PlannedExclusion]


def prepare_eligibility(
    cfg: EligibilityConfig,
    *,
    catalog: Any,
    res_m: float | None = None,
    crs: Any = None,
) -> EligibilityPlan:
    """Read the region and the vector exclusions, build the grid, resolve raster layers.

    Used by the blockwise/dask engine
    (:func:`ordos_geo.exclusions.blockwise.compute_eligibility_blockwise`):
    the geometries are buffered once here (shapely, ``quad_segs=16``, metres of the
    working CRS) exactly as :func:`compute_eligibility` does before burning.

    Raises
    ------
    ConfigError
        As :func:`compute_eligibility`.
    """
    where = _Where(cfg)
    grid_crs, res = _grid_params(cfg, where, res_m, crs)
    _resolve(cfg.region.layer, "vector", catalog, where, ("region", "layer"))
    for i, rx in enumerate(cfg.raster_exclusions):
        _resolve(rx.layer, "raster", catalog, where, ("raster_exclusions", i, "layer"))
    for i, vx in enumerate(cfg.vector_exclusions):
        _resolve(vx.layer, "vector", catalog, where, ("vector_exclusions", i, "layer"))
    grid, outside = _region(cfg, catalog, grid_crs, res, where)
    jobs: list[PlannedExclusion] = []
    for i, rx in enumerate(cfg.raster_exclusions):
        path, declared = _raster_source(rx, i, catalog, where)
        jobs.append(PlannedExclusion(
            i + 1, "raster", rx.layer, rx.reason, path=path,
            codes=tuple(rx.codes) if rx.codes else None,
            ranges=tuple((float(a), float(b)) for a, b in rx.ranges) if rx.ranges else None,
            band=rx.band, src_crs=declared))
    n_raster = len(cfg.raster_exclusions)
    for j, vx in enumerate(cfg.vector_exclusions):
        loc: tuple[str | int, ...] = ("vector_exclusions", j)
        gdf = _read_vector(vx.layer, catalog, grid_crs, where, (*loc, "layer"))
        gdf = _filter(gdf, vx.where, where, loc, vx.layer)
        if len(gdf) == 0:
            log.warning("exclusion %d (%s): no features in layer '%s' after where; "
                        "nothing excluded", n_raster + j + 1, vx.reason, vx.layer)
        from ordos_geo.raster.burn import as_geometry_array, buffered

        geoms = buffered(as_geometry_array(gdf, grid), float(vx.buffer_m))
        jobs.append(PlannedExclusion(n_raster + j + 1, "vector", vx.layer, vx.reason,
                                     geoms=geoms, all_touched=vx.mode == "all_touched"))
    return EligibilityPlan(grid, outside, jobs)


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
    """The grid around the region and the region's complement inside the grid box."""
    region = _read_vector(cfg.region.layer, catalog, grid_crs, where, ("region", "layer"))
    region = _filter(region, cfg.region.where, where, ("region",), cfg.region.layer)
    region = region[~(region.geometry.is_empty | region.geometry.isna())]
    if len(region) == 0:
        raise ConfigError(
            f"{where.key('region')}: no region features left (layer '{cfg.region.layer}', "
            f"where {cfg.region.where}); fix region.where"
        )
    grid = Grid.from_bounds(tuple(region.total_bounds), res_m=res, crs=grid_crs)
    log.info("eligibility grid: %s (%.1f M cells)", grid, grid.size / 1e6)
    # The complement of the region inside the grid box, burnt last with 255: one burn
    # instead of a region mask plus a full-grid masking pass.
    outside = shapely.difference(shapely.box(*grid.bounds),
                                 shapely.union_all(region.geometry.values))
    return grid, outside


def _raster_source(rx: RasterExclusion, i: int, catalog: Any, where: _Where) -> tuple[Any, Any]:
    src, ref = _resolve(rx.layer, "raster", catalog, where, ("raster_exclusions", i, "layer"))
    if src == "catalog":
        spec = catalog[ref]
        path, declared = spec.path, _declared_crs(spec.crs, where, i)
    else:
        path, declared = ref, None
    _warn_if_no_valid_pixels(path, rx, where, i)
    return path, declared


def _warn_if_no_valid_pixels(path: Any, rx: RasterExclusion, where: _Where, i: int) -> None:
    """Log a warning when a raster exclusion holds only nodata/NaN (it would remove nothing).

    Reads a decimated overview (at most 1024 × 1024 pixels): a raster with any valid
    pixel region larger than the decimation step is seen.
    """
    import rasterio

    try:
        with rasterio.open(path) as src:
            shape = (min(src.height, 1024), min(src.width, 1024))
            arr = src.read(rx.band, masked=True, out_shape=shape)
    except Exception:  # unreadable files are reported by the burn itself
        return
    invalid = np.ma.getmaskarray(arr)
    if arr.dtype.kind == "f":
        invalid = invalid | ~np.isfinite(arr.filled(np.nan))
    if invalid.all():
        log.warning(
            "%s: raster exclusion '%s' (%s): no valid pixels (all nodata/NaN); it removes "
            "nothing — check the file and its nodata value",
            display_path(Path(path)), rx.reason, where.key("raster_exclusions", i, "layer"),
        )


def _declared_crs(value: Any, where: _Where, i: int) -> Any:
    if value is None:
        return None
    from ordos_geo.crs import GCJ02

    if value == GCJ02:
        raise ConfigError(
            f"{where.key('raster_exclusions', i, 'layer')}: GCJ-02 rasters are not supported; "
            "convert the raster to WGS84 first"
        )
    return pyproj.CRS.from_user_input(value)
