"""The plan step: resolve, read, filter and buffer every exclusion layer once.

A plan holds, per enabled exclusion, shapely geometries in the grid CRS (metres),
already filtered by ``where`` and buffered, plus the region geometries. Raster
exclusions become the polygons of the source pixels matching ``codes``/``ranges``
(tested at the source resolution, :func:`ordos_geo.raster.class_polygons`), so the
cell-centre rule gives every cell the class of the source pixel holding its centre and
raster buffers are exact Euclidean buffers of those pixels. Both backends
(:mod:`~ordos_geo.exclusions.memory`, :mod:`~ordos_geo.exclusions.blockwise`) burn
the same plan, hence give identical reason rasters.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyproj
import shapely

from ordos_geo.config import display_path, filter_where
from ordos_geo.errors import ConfigError, LayerIOError
from ordos_geo.exclusions.spec import ExclusionSpec, Mode
from ordos_geo.grid import Grid
from ordos_geo.raster.burn import QUAD_SEGS, as_geometry_array

__all__ = ["ExclusionPlan", "Locator", "PlannedExclusion", "plan_exclusions",
           "resolve_layer"]

log = logging.getLogger(__name__)

#: ``locate(i, key)`` → location text for messages, e.g. ``"pv.yaml:12: exclusions[0].layer"``.
Locator = Callable[[int, str], str]


@dataclass(frozen=True)
class PlannedExclusion:
    """One exclusion ready to burn on any window of the grid.

    ``geoms`` are non-empty shapely geometries in ``grid.crs``, buffered by
    ``buffer_m`` metres (``quad_segs=16``).
    """

    code: int
    name: str
    layer: str
    kind: str  # "vector" | "raster"
    reason: str
    source: str
    buffer_m: float
    mode: Mode
    min_fraction: float
    geoms: np.ndarray
    provenance: str = ""
    seconds: float = 0.0


@dataclass(frozen=True)
class ExclusionPlan:
    """Grid, region geometries and planned exclusions (codes 1.. in order)."""

    grid: Grid
    region: np.ndarray | None
    exclusions: list[PlannedExclusion]

    def codes(self) -> dict[int, str]:
        """Reason code → reason text (incl. 0 eligible, 255 outside region)."""
        out = {0: "eligible"}
        out.update({e.code: e.reason for e in self.exclusions})
        out[255] = "outside region"
        return out


def _default_locate(prefix: str) -> Locator:
    return lambda i, key: f"{prefix}[{i}].{key}"


def resolve_layer(value: str, kind: str | None, catalog: Any, *, base_dir: Path | None,
                  where: str) -> tuple[str, Any]:
    """``("catalog", id)`` or ``("file", Path)`` for a layer value (id or path).

    Raises
    ------
    ConfigError
        Unknown id, missing file, or a catalog layer of the wrong ``kind``.
    """
    if catalog is not None and value in catalog:
        spec = catalog[value]
        if kind is not None and spec.kind != kind:
            raise ConfigError(f"{where}: layer '{value}' is a {spec.kind} layer, not {kind}; "
                              f"use a {kind} layer")
        return "catalog", value
    base = base_dir if base_dir is not None else Path.cwd()
    p = Path(value).expanduser()
    p = p if p.is_absolute() else base / p
    if p.exists():
        return "file", p
    if "/" in value or "\\" in value or Path(value).suffix != "":
        raise ConfigError(f"{where}: file not found ({display_path(p)}); paths are relative "
                          "to the config file")
    ids = ", ".join(catalog.ids) if catalog is not None else "no catalog loaded"
    raise ConfigError(f"{where}: unknown layer id '{value}' (available: {ids}); use a "
                      "catalog id or a file path, or add the layer with --catalog")


_RASTER_SUFFIXES = (".tif", ".tiff", ".vrt", ".img", ".nc", ".asc")


def _kind_of(src: str, ref: Any, catalog: Any) -> str:
    if src == "catalog":
        return str(catalog[ref].kind)
    return "raster" if Path(ref).suffix.lower() in _RASTER_SUFFIXES else "vector"


def read_vector_layer(value: str, catalog: Any, crs: Any, *, base_dir: Path | None,
                      where: str, file_layer: str | None = None) -> Any:
    """A vector layer (catalog id or file path) in ``crs``."""
    src, ref = resolve_layer(value, "vector", catalog, base_dir=base_dir, where=where)
    if src == "catalog":
        if file_layer is not None:
            raise ConfigError(f"{where}: file_layer is only for file paths; layer '{value}' "
                              "is a catalog id (drop file_layer)")
        return catalog.vector(ref, crs=crs)
    from ordos_geo.io.vector import read_vector

    gdf = read_vector(ref, layer=file_layer)
    if gdf.crs is None:
        raise LayerIOError(f"{display_path(ref)}: vector file has no CRS; add a .prj or "
                           "register it in a --catalog with crs:")
    return gdf.to_crs(crs)


def _field_loc(at: str) -> Callable[[str], str]:
    """Location of a missing ``where`` field: ``"<at>.<field>"``."""
    return lambda f: f"{at}.{f}"


def _declared_crs(value: Any, where: str) -> Any:
    if value is None:
        return None
    from ordos_geo.crs import GCJ02

    if value == GCJ02:
        raise ConfigError(f"{where}: GCJ-02 rasters are not supported; convert the raster "
                          "to WGS84 first")
    return pyproj.CRS.from_user_input(value)


def plan_exclusions(
    specs: Sequence[ExclusionSpec],
    grid: Grid,
    *,
    catalog: Any,
    region: Any = None,
    base_dir: Path | None = None,
    tip_height_m: float | None = None,
    locate: Locator | None = None,
    where_prefix: str = "exclusions",
) -> ExclusionPlan:
    """Resolve, read, filter and buffer each enabled exclusion once.

    Parameters
    ----------
    specs
        Exclusions in priority order; disabled ones are skipped (codes stay 1..n over
        the enabled ones).
    grid
        Working grid (metric CRS); geometries are returned in ``grid.crs`` metres.
    catalog
        :class:`ordos_geo.catalog.Catalog` for layer ids (``None``: file paths only).
    region
        Region geometries (GeoDataFrame/GeoSeries/array in ``grid.crs``) or ``None``
        (the memory backend can take a region mask instead).
    base_dir
        Folder file paths are relative to (the config file's folder).
    tip_height_m
        Turbine tip height, metres, for ``buffer_tip_heights``.
    locate, where_prefix
        Location text of entry ``i``'s ``key`` for messages (default
        ``f"{where_prefix}[{i}].{key}"``).

    Raises
    ------
    ConfigError
        Unknown layer, missing ``where`` field, raster without codes/ranges, ...
    """
    loc = locate or _default_locate(where_prefix)
    enabled = [(i, s) for i, s in enumerate(specs) if s.enabled]
    if len(enabled) > 254:
        raise ConfigError(f"{where_prefix}: {len(enabled)} exclusions; at most 254 "
                          "(reason codes 1..254)")
    # resolve every layer first so a typo fails before any heavy work
    resolved = [resolve_layer(s.layer, None, catalog, base_dir=base_dir, where=loc(i, "layer"))
                for i, s in enumerate(specs) if s.enabled]
    out: list[PlannedExclusion] = []
    for code, ((i, s), (src, ref)) in enumerate(zip(enabled, resolved, strict=True), start=1):
        t0 = time.perf_counter()
        kind = _kind_of(src, ref, catalog)
        buf = s.setback_m(tip_height_m, what=loc(i, "buffer_tip_heights").rsplit(".", 1)[0])
        prov = str(catalog[ref].provenance) if src == "catalog" else "user file"
        if kind == "vector":
            if s.codes or s.ranges:
                raise ConfigError(f"{loc(i, 'codes')}: layer '{s.layer}' is a vector layer; "
                                  "codes/ranges are for raster layers (use where)")
            gdf = read_vector_layer(s.layer, catalog, grid.crs, base_dir=base_dir,
                                    where=loc(i, "layer"), file_layer=s.file_layer)
            gdf = filter_where(gdf, s.where, layer=s.layer, loc=_field_loc(loc(i, "where")))
            if len(gdf) == 0:
                log.warning("exclusion %d (%s): no features in layer '%s' after where; "
                            "nothing excluded", code, s.reason, s.layer)
            geoms = as_geometry_array(gdf, grid)
        else:
            if not s.codes and not s.ranges:
                raise ConfigError(f"{loc(i, 'layer')}: raster layer '{s.layer}' needs "
                                  "codes: [...] or ranges: [[lo, hi], ...]")
            if s.where:
                raise ConfigError(f"{loc(i, 'where')}: layer '{s.layer}' is a raster; where "
                                  "is for vector layers (use codes or ranges)")
            from ordos_geo.raster.classes import class_polygons

            if src == "catalog":
                path, declared = catalog[ref].path, _declared_crs(catalog[ref].crs,
                                                                  loc(i, "layer"))
            else:
                path, declared = ref, None
            geoms = class_polygons(path, grid, codes=s.codes,
                                   ranges=[list(r) for r in s.ranges] if s.ranges else None,
                                   band=s.band, src_crs=declared)
        if buf > 0 and geoms.size:
            geoms = shapely.buffer(geoms, buf, quad_segs=QUAD_SEGS)
        out.append(PlannedExclusion(
            code=code, name=s.label, layer=s.layer, kind=kind, reason=s.reason,
            source=s.source, buffer_m=buf, mode=s.mode, min_fraction=s.min_fraction,
            geoms=np.asarray(geoms, dtype=object), provenance=prov,
            seconds=time.perf_counter() - t0))
        log.info("exclusion %d %s (%s %s, buffer %.0f m): %d geometries", code, s.label,
                 kind, s.layer, buf, len(geoms))
    reg = None if region is None else as_geometry_array(region, grid)
    return ExclusionPlan(grid, reg, out)
