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

import json
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ordos_geo.config import filter_where as _filter_where
from ordos_geo.errors import ConfigError
from ordos_geo.grid import Grid
from ordos_geo.raster import OUTSIDE, distance_to, rasterize_mask
from ordos_geo.siting.config import ExclusionSpec, FactorSpec, PreferenceSpec
from ordos_geo.siting.criteria import apply_transform, percentile_bounds

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
#: Columns of :attr:`ExclusionResult.table`.
EXCLUSION_COLUMNS = ["code", "name", "layer", "reason", "source", "buffer_m", "first_km2",
                     "total_km2", "provenance"]


def filter_where(gdf: Any, where: Mapping[str, Any] | None, *, what: str) -> Any:
    """Rows of ``gdf`` matching ``{field: value | [values]}``.

    Typed comparison of :func:`ordos_geo.config.where_mask`.
    """
    return _filter_where(gdf, where, layer=what, loc=lambda f: f"{what}.where.{f}")


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
    _last: tuple[tuple[str, str, int], np.ma.MaskedArray] | None = field(
        default=None, repr=False)
    _masks: dict[tuple[str, str], np.ndarray] = field(default_factory=dict, repr=False)

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
        """A raster layer band warped to the working grid (masked where no data).

        The last band read onto the working grid is kept (read-only) and returned again
        for the same ``(layer_id, resampling, band)``: the land-cover layer serves
        several exclusions, a factor and the site table, and each warp of it costs
        seconds at 30 m. Reads onto another ``grid`` are not cached.
        """
        self.note(layer_id)
        if grid is not None and grid != self.grid:
            return self.catalog.raster_to_grid(layer_id, grid, resampling=resampling,
                                               band=band)
        key = (layer_id, resampling, band)
        if self._last is not None and self._last[0] == key:
            return self._last[1]
        self._last = None  # free the previous layer before warping the next
        arr = self.catalog.raster_to_grid(layer_id, self.grid, resampling=resampling,
                                          band=band)
        data = np.ma.getdata(arr)
        data.flags.writeable = False
        mask = np.ma.getmask(arr)
        if mask is not np.ma.nomask:
            mask.flags.writeable = False
        arr = np.ma.MaskedArray(data, mask=mask, copy=False)
        self._last = (key, arr)
        return arr

    def mask(self, layer_id: str, where: Mapping[str, Any] | None = None,
             *, what: str = "") -> np.ndarray:
        """Read-only boolean mask (cell centre inside) of a vector layer, filtered by ``where``.

        Cached per ``(layer_id, where)`` until :meth:`release`: the plan's zones serve
        as preference flags, as a zone factor and as a factor's floor, and each
        rasterisation costs about a second at 30 m.
        """
        key = (layer_id, json.dumps(where, sort_keys=True, default=str))
        m = self._masks.get(key)
        if m is None:
            m = rasterize_mask(self.vector(layer_id, where, what=what), self.grid,
                               mode="centre")
            m.flags.writeable = False
            self._masks[key] = m
        else:
            self.note(layer_id)
        return m

    def release(self, *, raster: bool = True) -> None:
        """Drop the cached masks and (unless ``raster=False``) the cached raster."""
        if raster:
            self._last = None
        self._masks.clear()

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

    Raster classes take the class of the source pixel holding each cell centre (test
    at source resolution); see :mod:`ordos_geo.exclusions` (the engine doing the work).
    """
    from ordos_geo.exclusions import plan_exclusions, run_memory

    grid = layers.grid
    plan = plan_exclusions(exclusions, grid, catalog=layers.catalog, tip_height_m=tip_height_m,
                           where_prefix=where_prefix)
    run = run_memory(plan, region_mask=np.asarray(region, dtype=bool))
    assert run.reasons is not None
    for e in plan.exclusions:
        if e.layer in layers.catalog:
            layers.note(e.layer)
    rows = [{"code": st.code, "name": st.name, "layer": st.layer, "reason": st.reason,
             "source": st.source, "buffer_m": st.buffer_m, "first_km2": st.first_km2,
             "total_km2": st.total_km2, "provenance": layers.used.get(st.layer, "")}
            for st in run.stats]
    for st in run.stats:
        log.info("exclusion %d %s: %.1f km² (buffer %.0f m)", st.code, st.name,
                 st.total_km2, st.buffer_m)
    table = pd.DataFrame(rows, columns=EXCLUSION_COLUMNS)
    return ExclusionResult(run.reasons, table, run.region_km2, run.eligible_km2)


@dataclass
class FactorLayers:
    """Factor scores on the grid: uint8 0–100, 255 = no data (one array per factor)."""

    names: list[str]
    scores: list[np.ndarray]
    missing_scores: list[float]
    #: Factor name → (lo, hi) of a ``percentile`` factor (units of its value).
    bounds: dict[str, tuple[float, float]] = field(default_factory=dict)


def _to_uint8_score(s: np.ndarray) -> np.ndarray:
    """Scores (any float) → uint8 0–100 rounded half to even; NaN/±inf → :data:`NODATA`."""
    v = np.clip(np.asarray(s, dtype="float32"), 0, 100)
    bad = ~np.isfinite(s)
    np.rint(v, out=v)
    v[bad] = NODATA
    return v.astype(np.uint8)


def _transform(vals: np.ndarray, f: FactorSpec, what: str) -> np.ndarray:
    """``apply_transform`` with one-line config errors naming the factor."""
    try:
        return apply_transform(vals, f.transform, f.params)
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, ConfigError):
            raise ConfigError(f"{what}.params: {exc}") from exc
        raise ConfigError(
            f"{what}.params: {f.transform} needs {exc}; see docs/siting.md"
        ) from exc


def _lut_score(codes: np.ndarray, values: np.ndarray, f: FactorSpec | None,
               what: str) -> np.ndarray:
    """uint8 score of ``codes`` (uint8 indices into ``values``) via a look-up table.

    Every transform is element-wise, so scoring the (≤ 256) distinct input values once
    and indexing gives exactly the per-cell result, without float copies of the grid.
    ``f`` None: no transform (values are scores already).
    """
    s = values if f is None else _transform(values, f, what)
    lut = np.full(256, NODATA, dtype=np.uint8)
    lut[: values.size] = _to_uint8_score(np.asarray(s, dtype="float32"))
    return np.asarray(lut[codes])


def _zone_codes(zones: Mapping[str, float], layers: LayerReader, *,
                what: str) -> tuple[np.ndarray, np.ndarray] | None:
    """uint8 raster of the highest zone per cell as an index into ``[NaN, *levels]``.

    ``levels`` are the distinct zone scores, ascending; code 0 = in no zone. None when
    there are more than 255 distinct or non-finite scores (use :func:`zone_scores`).
    """
    raw = np.asarray([float(v) for v in zones.values()], dtype="float32")
    if not np.isfinite(raw).all():
        return None
    levels = np.unique(raw)
    if levels.size > 255:
        return None
    codes = np.zeros(layers.grid.shape, dtype=np.uint8)
    for lid, sc in zones.items():
        if layers.kind(lid) != "vector":
            raise ConfigError(f"{what}.zones: {lid!r} is a raster; zones must be polygon layers")
        k = np.uint8(np.searchsorted(levels, np.float32(sc)) + 1)
        upd = codes < k
        upd &= layers.mask(lid, what=f"{what}.zones")
        codes[upd] = k
        del upd
    return codes, np.concatenate([np.array([np.nan], dtype="float32"), levels])


def _zone_score_u8(zones: Mapping[str, float], layers: LayerReader, f: FactorSpec | None,
                   what: str) -> np.ndarray:
    """uint8 score of a zone raster (highest zone score, NaN outside) after ``f``."""
    zc = _zone_codes(zones, layers, what=what)
    if zc is None:
        vals = zone_scores(zones, layers, what=what)
        return _to_uint8_score(vals if f is None else _transform(vals, f, what))
    return _lut_score(zc[0], zc[1], f, what)


def evaluate_factors(
    factors: Sequence[FactorSpec],
    layers: LayerReader,
    *,
    resource: Callable[[str | None], np.ndarray] | None = None,
    where_prefix: str = "factors",
    distance_cell_m: float | None = None,
    eligible: np.ndarray | None = None,
) -> FactorLayers:
    """Turn each factor's criterion into a uint8 score raster.

    Parameters
    ----------
    factors
        Factor specs.
    layers
        Layer reader bound to the working grid.
    resource
        Callable ``resource(variable)`` returning a resource raster (float32; e.g.
        kWh/kWp/yr, kWh/m²/yr, CF, m/s; ``None`` = the main variable) for ``input:
        resource`` factors.
    where_prefix
        Location prefix for error messages.
    distance_cell_m
        Cell size (m, grid CRS) of the distance transform of ``input: distance``
        factors (``grid.distance_cell_m()``); coarser than the working grid it is
        bilinearly interpolated (:func:`ordos_geo.raster.distance_to` with
        ``coarse_m``; error vs. the true distance ≤ √2 × ``distance_cell_m``).
        ``None`` or ≤ ``grid.res_m``: exact on the working grid (error ≤ res/√2).
    eligible
        Cells whose values set the bounds of ``percentile`` factors (the eligible
        cells; None = every cell).
    """
    names, scores, missing = [], [], []
    bounds: dict[str, tuple[float, float]] = {}
    for i, f in enumerate(factors):
        what = f"{where_prefix}[{i}]"
        out: np.ndarray | None = None
        vals: np.ndarray | None = None
        if f.input == "resource":
            if resource is None:
                raise ConfigError(f"{what}.input: no resource model available")
            vals = resource(f.variable)
        elif f.input == "zones":
            out = _zone_score_u8(f.zones or {}, layers, f, what)
        elif f.input == "distance":
            assert f.layer is not None
            if layers.kind(f.layer) != "vector":
                raise ConfigError(f"{what}.layer: input distance needs a vector layer")
            coarse = (distance_cell_m if distance_cell_m is not None
                      and distance_cell_m > layers.grid.res_m else None)
            vals = distance_to(layers.vector(f.layer, f.where, what=what), layers.grid,
                               coarse_m=coarse)
        else:
            assert f.layer is not None
            if layers.kind(f.layer) != "raster":
                raise ConfigError(f"{what}.layer: input value needs a raster layer "
                                  "(use input: distance for a vector layer)")
            arr = layers.raster(f.layer, resampling=f.resampling)
            data = np.ma.getdata(arr)
            if data.dtype == np.uint8:
                # class rasters (land cover): look-up table over the 256 codes
                out = _lut_score(data, np.arange(256, dtype="float32"), f, what)
                mask = np.ma.getmask(arr)
                if mask is not np.ma.nomask:
                    out[mask] = _lut_score(np.zeros(1, dtype=np.uint8),
                                           np.array([np.nan], dtype="float32"), f, what)[0]
            else:
                vals = np.ma.filled(arr.astype("float32"), np.nan)
        if f.transform == "percentile":
            if vals is None:
                raise ConfigError(f"{what}.transform: percentile needs a continuous value "
                                  "(resource, distance or a non-class raster)")
            p = dict(f.params)
            try:
                b = percentile_bounds(vals, eligible,
                                      lo_pct=float(p.get("lo_pct", 5.0)),  # type: ignore[arg-type]
                                      hi_pct=float(p.get("hi_pct", 95.0)),  # type: ignore[arg-type]
                                      min_span=float(p.get("min_span", 0.0)),  # type: ignore[arg-type]
                                      descending=bool(p.get("descending", False)))
            except (TypeError, ValueError) as exc:
                raise ConfigError(f"{what}.params: {exc}") from exc
            b = b or (0.0, 1.0)
            bounds[f.name] = b
            log.info("factor %s: percentile bounds %.4g – %.4g", f.name, *b)
            f = f.model_copy(update={"transform": "linear",
                                     "params": {"lo": b[0], "hi": b[1]}})
        if out is None:
            assert vals is not None
            out = np.full(vals.shape, NODATA, dtype=np.uint8)
            # row blocks keep the float32 temporaries small on large grids
            for r0 in range(0, vals.shape[0], _BLOCK_ROWS):
                r1 = min(vals.shape[0], r0 + _BLOCK_ROWS)
                out[r0:r1] = _to_uint8_score(_transform(vals[r0:r1], f, what))
        if f.zones and f.input != "zones":
            # zones as a floor: a cell inside a zone scores at least the zone's score
            floor = _zone_score_u8(f.zones, layers, None, what)
            up = floor != NODATA
            up &= (out == NODATA) | (floor > out)
            np.copyto(out, floor, where=up)
            del floor, up
        scores.append(out)
        names.append(f.name)
        missing.append(f.missing_score)
        del vals
    return FactorLayers(names, scores, missing, bounds)


def zone_scores(zones: Mapping[str, float], layers: LayerReader, *, what: str) -> np.ndarray:
    """float32 raster: highest score of the zones (polygon layers) holding each cell centre.

    Cells in no zone are NaN (the factor's ``missing_score`` applies).
    """
    out = np.full(layers.grid.shape, np.nan, dtype="float32")
    for lid, sc in zones.items():
        if layers.kind(lid) != "vector":
            raise ConfigError(f"{what}.zones: {lid!r} is a raster; zones must be polygon layers")
        m = layers.mask(lid, what=f"{what}.zones")
        out[m] = np.fmax(out[m], np.float32(sc))
    return out


def preference_masks(
    prefs: Sequence[PreferenceSpec], layers: LayerReader, *, where_prefix: str = "preferences"
) -> dict[str, np.ndarray]:
    """Boolean mask (cell centre inside) per preference zone."""
    out: dict[str, np.ndarray] = {}
    for i, p in enumerate(prefs):
        out[p.name] = layers.mask(p.layer, p.where, what=f"{where_prefix}[{i}]")
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
            v *= wi
            acc += v
        for p in prefs:
            m = masks.get(p.name)
            if m is None:
                continue
            mb = m[r0:r1]
            # a bonus of 0 or a multiplier of 1 (flag-only zones) changes nothing
            if p.mode == "bonus" and p.value != 0:
                np.add(acc, np.float32(p.value), out=acc, where=mb)
            elif p.mode != "bonus" and p.value != 1:
                np.multiply(acc, np.float32(p.value), out=acc, where=mb)
        np.clip(acc, 0, 100, out=acc)
        rb = reasons[r0:r1]
        blk_out = np.rint(acc).astype(np.uint8)
        blk_out[rb != 0] = 0
        blk_out[rb == OUTSIDE] = NODATA
        out[r0:r1] = blk_out
    return out


def classify(score: np.ndarray, reasons: np.ndarray, thresholds: Sequence[float]) -> np.ndarray:
    """Class raster: 0 excluded, 1 … len(thresholds)+1 by score, 255 outside."""
    th = np.asarray(thresholds, dtype="float32")
    if score.dtype == np.uint8:  # look-up table over the 256 values
        out = (np.digitize(np.arange(256, dtype="float32"), th, right=False) + 1
               ).astype(np.uint8)[score]
    else:
        out = (np.digitize(score, th, right=False) + 1).astype(np.uint8)
    out[reasons != 0] = 0
    out[reasons == OUTSIDE] = NODATA
    return out
