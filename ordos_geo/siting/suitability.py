"""Exclusions, factors and preferences → reason raster and score raster on one grid.

* Reason raster (uint8): 0 eligible, k = removed by the k-th enabled exclusion
  (first exclusion in config order wins), 255 = outside the region.
* Exclusion table: area removed per exclusion, both *first-come* (cells carrying its
  code) and *total overlap* (all region cells it covers, regardless of order), km².
* Factor scores are stored as uint8 0–100 (255 = no data) to keep memory at one byte
  per cell; the weighted score is computed blockwise in float32.
* Score raster (uint8): 0–100 inside the region (excluded cells are 0), 255 nodata
  outside. Class raster: 0 excluded, 1 … n by ``classes.thresholds``, 255 outside.

Areas are cell counts × cell area of the working grid (equal-area CRS, m² → km²).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ordos_geo.errors import ConfigError
from ordos_geo.grid import Grid
from ordos_geo.rasterize import (
    OUTSIDE,
    apply_reasons,
    coverage_fraction,
    distance_to,
    raster_class_mask,
    rasterize_mask,
)
from ordos_geo.siting.config import ExclusionSpec, FactorSpec, PreferenceSpec
from ordos_geo.siting.criteria import apply_transform

__all__ = [
    "NODATA",
    "ExclusionResult",
    "FactorLayers",
    "LayerReader",
    "apply_exclusions",
    "classify",
    "evaluate_factors",
    "filter_where",
    "preference_masks",
    "weighted_score",
    "zone_scores",
]

log = logging.getLogger(__name__)

#: Nodata of uint8 score/factor rasters.
NODATA = 255
_BLOCK_ROWS = 512


def filter_where(gdf: Any, where: Mapping[str, Any] | None, *, what: str) -> Any:
    """Rows of ``gdf`` matching ``{field: value | [values]}`` (all conditions)."""
    if not where:
        return gdf
    keep = np.ones(len(gdf), dtype=bool)
    for fld, val in where.items():
        if fld not in gdf.columns:
            raise ConfigError(
                f"{what}.where: field {fld!r} not in layer (fields: "
                f"{', '.join(c for c in gdf.columns if c != 'geometry')}); fix the field name"
            )
        vals = val if isinstance(val, list) else [val]
        col = gdf[fld]
        keep &= col.isin(vals).to_numpy() | col.astype(str).isin([str(v) for v in vals]).to_numpy()
    return gdf[keep]


@dataclass
class LayerReader:
    """Reads catalog layers onto the working grid and records which were used.

    Parameters
    ----------
    catalog
        An :class:`ordos_geo.catalog.Catalog`.
    grid
        The working grid.
    """

    catalog: Any
    grid: Grid
    used: dict[str, str] = field(default_factory=dict)

    def note(self, layer_id: str) -> None:
        """Record that ``layer_id`` was used (for provenance in the outputs)."""
        spec = self.catalog[layer_id]
        self.used[layer_id] = str(spec.provenance)

    def kind(self, layer_id: str) -> str:
        """``"vector"`` or ``"raster"``."""
        return str(self.catalog[layer_id].kind)

    def vector(self, layer_id: str, where: Mapping[str, Any] | None = None,
               *, what: str = "") -> Any:
        """Features of a vector layer in the grid CRS, filtered by ``where``."""
        self.note(layer_id)
        gdf = self.catalog.vector(layer_id, crs=self.grid.crs)
        return filter_where(gdf, where, what=what or layer_id)

    def raster(self, layer_id: str, *, resampling: str = "nearest", band: int = 1,
               grid: Grid | None = None) -> np.ma.MaskedArray:
        """A raster layer band warped to the working grid (masked where no data)."""
        self.note(layer_id)
        return self.catalog.raster_to_grid(
            layer_id, grid or self.grid, resampling=resampling, band=band
        )

    def categories(self, layer_id: str) -> dict[int, str]:
        """Class labels of a categorical raster (catalog ``categories``), may be empty."""
        cats = getattr(self.catalog[layer_id], "categories", None) or {}
        out: dict[int, str] = {}
        for k, v in cats.items():
            try:
                out[int(k)] = str(v)
            except (TypeError, ValueError):
                continue
        return out


@dataclass
class ExclusionResult:
    """Reason raster and per-exclusion areas.

    Attributes
    ----------
    reasons
        uint8 reason raster on the grid.
    table
        One row per enabled exclusion: ``code, name, layer, reason, source,
        buffer_m, first_km2, total_km2, provenance``.
    region_km2, eligible_km2
        Region and eligible area, km².
    """

    reasons: np.ndarray
    table: pd.DataFrame
    region_km2: float
    eligible_km2: float

    def codes(self) -> dict[int, str]:
        """Reason code → reason text (incl. 0 and 255)."""
        out = {0: "eligible", OUTSIDE: "outside region"}
        for r in self.table.itertuples():
            out[int(r.code)] = f"{r.name}: {r.reason}"  # type: ignore[arg-type]
        return out


def exclusion_mask(
    spec: ExclusionSpec, layers: LayerReader, *, buffer_m: float, what: str
) -> np.ndarray:
    """Boolean mask of one exclusion on the working grid."""
    grid = layers.grid
    if layers.kind(spec.layer) == "vector":
        gdf = layers.vector(spec.layer, spec.where, what=what)
        if spec.coverage == "fraction":
            geoms = gdf.geometry
            if buffer_m > 0:
                geoms = geoms.buffer(buffer_m, quad_segs=16)
            frac = coverage_fraction(geoms, grid)
            return frac >= np.uint8(round(spec.min_fraction * 100))
        return rasterize_mask(gdf, grid, mode="centre", buffer_m=buffer_m)
    if not spec.codes and not spec.ranges:
        raise ConfigError(f"{what}: raster layer {spec.layer!r} needs codes or ranges")
    arr = layers.raster(spec.layer, resampling="nearest")
    mask = raster_class_mask(arr, codes=spec.codes, ranges=spec.ranges)
    if buffer_m > 0 and mask.any():
        from scipy import ndimage

        d = ndimage.distance_transform_edt(~mask, sampling=grid.res_m)
        mask = d <= buffer_m
    return mask


def apply_exclusions(
    exclusions: Sequence[ExclusionSpec],
    layers: LayerReader,
    region: np.ndarray,
    *,
    tip_height_m: float | None = None,
    where_prefix: str = "exclusions",
) -> ExclusionResult:
    """Build the reason raster and the area table for the enabled exclusions.

    Parameters
    ----------
    exclusions
        Exclusion specs in priority order (first match sets a cell's reason).
    layers
        Layer reader bound to the working grid.
    region
        Boolean region mask (cell centre inside the region).
    tip_height_m
        Turbine tip height (m) for ``buffer_tip_heights`` (wind).
    where_prefix
        Location prefix for error messages (e.g. ``"analyses/pv.yaml: exclusions"``).
    """
    grid = layers.grid
    reasons = np.full(grid.shape, OUTSIDE, dtype=np.uint8)
    reasons[region] = 0
    cell_km2 = grid.cell_area_m2 / 1e6
    rows: list[dict[str, Any]] = []
    code = 0
    for i, spec in enumerate(exclusions):
        if not spec.enabled:
            continue
        code += 1
        what = f"{where_prefix}[{i}]"
        buf = spec.buffer_m
        if spec.buffer_tip_heights is not None:
            if tip_height_m is None:
                raise ConfigError(f"{what}.buffer_tip_heights: only for wind analyses")
            buf = max(buf, spec.buffer_tip_heights * tip_height_m)
        mask = exclusion_mask(spec, layers, buffer_m=buf, what=what)
        mask &= region
        total = int(np.count_nonzero(mask))
        apply_reasons(reasons, mask, code)
        rows.append({
            "code": code, "name": spec.name, "layer": spec.layer, "reason": spec.reason,
            "source": spec.source, "buffer_m": round(buf, 1),
            "total_km2": total * cell_km2,
            "provenance": layers.used.get(spec.layer, ""),
        })
        log.info("exclusion %d %s: %.1f km² (buffer %.0f m)", code, spec.name,
                 total * cell_km2, buf)
    counts = np.bincount(reasons.ravel(), minlength=256)
    for r in rows:
        r["first_km2"] = int(counts[r["code"]]) * cell_km2
    cols = ["code", "name", "layer", "reason", "source", "buffer_m", "first_km2",
            "total_km2", "provenance"]
    table = pd.DataFrame(rows, columns=cols)
    region_km2 = int(np.count_nonzero(region)) * cell_km2
    return ExclusionResult(reasons, table, region_km2, int(counts[0]) * cell_km2)


@dataclass
class FactorLayers:
    """Factor scores on the grid: uint8 0–100, 255 = no data (one array per factor)."""

    names: list[str]
    scores: list[np.ndarray]
    missing_scores: list[float]


def _to_uint8_score(s: np.ndarray) -> np.ndarray:
    out = np.full(s.shape, NODATA, dtype=np.uint8)
    ok = np.isfinite(s)
    out[ok] = np.rint(np.clip(s[ok], 0, 100)).astype(np.uint8)
    return out


def evaluate_factors(
    factors: Sequence[FactorSpec],
    layers: LayerReader,
    *,
    resource: Callable[[], np.ndarray] | None = None,
    where_prefix: str = "factors",
) -> FactorLayers:
    """Turn each factor's criterion into a uint8 score raster.

    Parameters
    ----------
    factors
        Factor specs.
    layers
        Layer reader bound to the working grid.
    resource
        Callable returning the resource raster (float32; kWh/kWp/yr or CF) for
        ``input: resource`` factors.
    """
    names, scores, missing = [], [], []
    for i, f in enumerate(factors):
        what = f"{where_prefix}[{i}]"
        if f.input == "resource":
            if resource is None:
                raise ConfigError(f"{what}.input: no resource model available")
            vals: np.ndarray = resource()
        elif f.input == "zones":
            vals = zone_scores(f.zones or {}, layers, what=what)
        elif f.input == "distance":
            assert f.layer is not None
            if layers.kind(f.layer) != "vector":
                raise ConfigError(f"{what}.layer: input distance needs a vector layer")
            vals = distance_to(layers.vector(f.layer, f.where, what=what), layers.grid)
        else:
            assert f.layer is not None
            if layers.kind(f.layer) != "raster":
                raise ConfigError(f"{what}.layer: input value needs a raster layer "
                                  "(use input: distance for a vector layer)")
            arr = layers.raster(f.layer, resampling=f.resampling)
            vals = np.ma.filled(arr.astype("float32"), np.nan)
        out = np.full(vals.shape, NODATA, dtype=np.uint8)
        # row blocks keep the float32 temporaries small on large grids
        for r0 in range(0, vals.shape[0], _BLOCK_ROWS):
            r1 = min(vals.shape[0], r0 + _BLOCK_ROWS)
            try:
                s = apply_transform(vals[r0:r1], f.transform, f.params)
            except (KeyError, TypeError, ValueError) as exc:
                if isinstance(exc, ConfigError):
                    raise ConfigError(f"{what}.params: {exc}") from exc
                raise ConfigError(
                    f"{what}.params: {f.transform} needs {exc}; see docs/siting.md"
                ) from exc
            out[r0:r1] = _to_uint8_score(s)
        if f.zones and f.input != "zones":
            # zones as a floor: a cell inside a zone scores at least the zone's score
            floor = _to_uint8_score(zone_scores(f.zones, layers, what=what))
            inside = floor != NODATA
            out[inside] = np.where(out[inside] == NODATA, floor[inside],
                                   np.maximum(out[inside], floor[inside]))
        scores.append(out)
        names.append(f.name)
        missing.append(f.missing_score)
        del vals
    return FactorLayers(names, scores, missing)


def zone_scores(zones: Mapping[str, float], layers: LayerReader, *, what: str) -> np.ndarray:
    """float32 raster: highest score of the zones (polygon layers) holding each cell centre.

    Cells in no zone are NaN (the factor's ``missing_score`` applies).
    """
    out = np.full(layers.grid.shape, np.nan, dtype="float32")
    for lid, sc in zones.items():
        if layers.kind(lid) != "vector":
            raise ConfigError(f"{what}.zones: {lid!r} is a raster; zones must be polygon layers")
        m = rasterize_mask(layers.vector(lid, what=f"{what}.zones"), layers.grid, mode="centre")
        out[m] = np.fmax(out[m], np.float32(sc))
    return out


def preference_masks(
    prefs: Sequence[PreferenceSpec], layers: LayerReader, *, where_prefix: str = "preferences"
) -> dict[str, np.ndarray]:
    """Boolean mask (cell centre inside) per preference zone."""
    out: dict[str, np.ndarray] = {}
    for i, p in enumerate(prefs):
        gdf = layers.vector(p.layer, p.where, what=f"{where_prefix}[{i}]")
        out[p.name] = rasterize_mask(gdf, layers.grid, mode="centre")
    return out


def weighted_score(
    factors: FactorLayers,
    weights: np.ndarray,
    reasons: np.ndarray,
    *,
    prefs: Sequence[PreferenceSpec] = (),
    pref_masks: Mapping[str, np.ndarray] | None = None,
    block_rows: int = _BLOCK_ROWS,
) -> np.ndarray:
    """Weighted sum of factor scores + preferences → uint8 score raster.

    ``score = Σ wᵢ·sᵢ`` (weights normalised, missing factor data → the factor's
    ``missing_score``), then each preference in order: ``bonus`` adds its value,
    ``multiplier`` multiplies; capped to ``[0, 100]`` and rounded. Cells excluded
    (reason 1–254) get 0; outside the region (255) get :data:`NODATA`.
    """
    w = np.asarray(weights, dtype="float32")
    if w.size != len(factors.scores):
        raise ConfigError(f"{w.size} weights for {len(factors.scores)} factors")
    shape = reasons.shape
    out = np.full(shape, NODATA, dtype=np.uint8)
    masks = pref_masks or {}
    for r0 in range(0, shape[0], block_rows):
        r1 = min(shape[0], r0 + block_rows)
        acc = np.zeros((r1 - r0, shape[1]), dtype="float32")
        for wi, s, miss in zip(w, factors.scores, factors.missing_scores, strict=True):
            blk = s[r0:r1]
            v = blk.astype("float32")
            v[blk == NODATA] = np.float32(miss)
            acc += wi * v
        for p in prefs:
            m = masks.get(p.name)
            if m is None:
                continue
            mb = m[r0:r1]
            if p.mode == "bonus":
                acc[mb] += np.float32(p.value)
            else:
                acc[mb] *= np.float32(p.value)
        np.clip(acc, 0, 100, out=acc)
        rb = reasons[r0:r1]
        blk_out = np.rint(acc).astype(np.uint8)
        blk_out[rb != 0] = 0
        blk_out[rb == OUTSIDE] = NODATA
        out[r0:r1] = blk_out
    return out


def classify(score: np.ndarray, reasons: np.ndarray, thresholds: Sequence[float]) -> np.ndarray:
    """Class raster: 0 excluded, 1 … len(thresholds)+1 by score, 255 outside."""
    cls = (np.digitize(score, np.asarray(thresholds, dtype="float32"), right=False) + 1)
    out = cls.astype(np.uint8)
    out[reasons != 0] = 0
    out[reasons == OUTSIDE] = NODATA
    return out
