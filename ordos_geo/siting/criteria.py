"""Value functions (criterion value → score 0–100) and AHP weights.

Value functions map a criterion (a raster on the working grid: metres, kWh/kWp,
capacity factor, IGBP class …) to a suitability score in ``[0, 100]`` as float32.
NaN input gives NaN output (no data); callers decide what NaN means.

AHP (analytic hierarchy process): weights are the normalised principal eigenvector of
a reciprocal pairwise-comparison matrix; consistency ratio ``CR = CI / RI`` with
``CI = (λmax − n)/(n − 1)`` and Saaty's random index ``RI`` (Saaty 1980, *The Analytic
Hierarchy Process*, McGraw-Hill, table 1.7; also Saaty 2008, Int. J. Services
Sciences 1(1):83–98). A matrix with ``CR ≥ 0.1`` is rejected.

Examples
--------
>>> import numpy as np
>>> linear(np.array([0.0, 5.0, 10.0]), lo=0, hi=10).tolist()
[0.0, 50.0, 100.0]
>>> w, cr = ahp_weights([[1, 3], [1 / 3, 1]])
>>> [round(float(x), 2) for x in w], cr
([0.75, 0.25], 0.0)
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

import numpy as np

from ordos_geo.errors import ConfigError

__all__ = [
    "SAATY_RANDOM_INDEX",
    "ahp_weights",
    "apply_transform",
    "categorical",
    "distance_decay",
    "linear",
    "normalise_weights",
    "percentile_bounds",
    "piecewise",
]

log = logging.getLogger(__name__)

#: Saaty's random consistency index RI by matrix order n (Saaty 1980, table 1.7).
SAATY_RANDOM_INDEX: dict[int, float] = {
    1: 0.0, 2: 0.0, 3: 0.58, 4: 0.90, 5: 1.12, 6: 1.24, 7: 1.32, 8: 1.41, 9: 1.45,
    10: 1.49, 11: 1.51, 12: 1.48, 13: 1.56, 14: 1.57, 15: 1.59,
}


def linear(values: np.ndarray, *, lo: float, hi: float) -> np.ndarray:
    """Linear ramp: ``lo`` → 0, ``hi`` → 100, clipped; ``lo > hi`` gives a falling ramp.

    Parameters
    ----------
    values
        Criterion values (any units; ``lo``/``hi`` in the same units).
    lo, hi
        Values scoring 0 and 100.

    Returns
    -------
    numpy.ndarray
        float32 scores in ``[0, 100]`` (NaN where ``values`` is NaN).
    """
    if lo == hi:
        raise ConfigError(f"linear transform: lo == hi == {lo}; give two different values")
    v = np.asarray(values, dtype="float32")
    out = (v - np.float32(lo)) * np.float32(100.0 / (hi - lo))
    return np.clip(out, 0.0, 100.0).astype("float32", copy=False)


def piecewise(values: np.ndarray, *, points: Sequence[Sequence[float]]) -> np.ndarray:
    """Piecewise-linear function through ``points`` ``[(x, score), …]``, flat outside.

    ``x`` must be strictly increasing; scores are clipped to ``[0, 100]``.
    """
    pts = np.asarray(points, dtype="float64")
    if pts.ndim != 2 or pts.shape[1] != 2 or len(pts) < 2:
        raise ConfigError("piecewise transform: points must be ≥ 2 pairs [x, score]")
    if np.any(np.diff(pts[:, 0]) <= 0):
        raise ConfigError(
            f"piecewise transform: x values {pts[:, 0].tolist()} must be strictly increasing"
        )
    v = np.asarray(values, dtype="float32")
    out = np.interp(v, pts[:, 0], np.clip(pts[:, 1], 0, 100)).astype("float32")
    out[np.isnan(v)] = np.nan
    return out


def categorical(
    values: np.ndarray, *, scores: Mapping[int, float], default: float | None = None
) -> np.ndarray:
    """Score per class code (e.g. IGBP land-cover class); unknown codes get ``default``.

    ``default=None`` makes unknown codes NaN (no data).
    """
    v = np.asarray(values)
    fill = np.nan if default is None else float(default)
    out = np.full(v.shape, fill, dtype="float32")
    for code, s in scores.items():
        out[v == code] = float(np.clip(s, 0, 100))
    if np.issubdtype(v.dtype, np.floating):
        out[np.isnan(v)] = np.nan
    return out


def distance_decay(
    distance_m: np.ndarray, *, half_distance_m: float, near_is_good: bool = True
) -> np.ndarray:
    """Exponential decay with distance: 100 at 0 m, 50 at ``half_distance_m``.

    ``near_is_good=False`` inverts it (0 at 0 m, → 100 far away), e.g. for
    distance from settlements.
    """
    if not half_distance_m > 0:
        raise ConfigError(
            f"distance_decay transform: half_distance_m must be > 0 (got {half_distance_m})"
        )
    d = np.asarray(distance_m, dtype="float32")
    s = 100.0 * np.exp2(-d / np.float32(half_distance_m))
    if not near_is_good:
        s = 100.0 - s
    return s.astype("float32", copy=False)


#: Largest number of cells sampled for the percentiles of a ``percentile`` factor.
PERCENTILE_SAMPLE = 2_000_000


def percentile_bounds(
    values: np.ndarray,
    mask: np.ndarray | None,
    *,
    lo_pct: float = 5.0,
    hi_pct: float = 95.0,
    min_span: float = 0.0,
    descending: bool = False,
) -> tuple[float, float] | None:
    """Linear-ramp bounds from the region's percentiles (``percentile`` transform).

    The ``lo_pct`` and ``hi_pct`` percentiles of the finite ``values`` where ``mask``
    (a regular subsample of at most :data:`PERCENTILE_SAMPLE` cells on large grids), widened
    symmetrically to at least ``min_span`` so that a nearly uniform criterion (e.g. an
    assumed uniform wind speed) is not stretched to 0–100. ``descending`` swaps the
    bounds (low values score 100).

    Returns
    -------
    (lo, hi) or None
        Bounds for :func:`linear` in the units of ``values``; None without data.

    Examples
    --------
    >>> v = np.arange(101, dtype="float32")
    >>> percentile_bounds(v, None)
    (5.0, 95.0)
    >>> percentile_bounds(np.full(10, 7.0), None, min_span=2.0)
    (6.0, 8.0)
    """
    if not 0 <= lo_pct < hi_pct <= 100:
        raise ConfigError(f"percentile: need 0 ≤ lo_pct < hi_pct ≤ 100 (got {lo_pct}, {hi_pct})")
    n = values.size if mask is None else int(np.count_nonzero(mask))
    step = max(1, n // PERCENTILE_SAMPLE)
    if mask is None:
        sample = np.asarray(values).ravel()[::step]
    else:
        sample = np.asarray(values)[np.asarray(mask, dtype=bool)][::step]
    sample = sample[np.isfinite(sample)]
    if sample.size == 0:
        return None
    lo, hi = (float(x) for x in np.percentile(sample.astype("float64"), [lo_pct, hi_pct]))
    if hi - lo < min_span:
        mid = (lo + hi) / 2.0
        lo, hi = mid - min_span / 2.0, mid + min_span / 2.0
    if hi <= lo:
        hi = lo + 1e-6
    return (hi, lo) if descending else (lo, hi)


def apply_transform(values: np.ndarray, transform: str, params: Mapping[str, object]) -> np.ndarray:
    """Dispatch to a value function by name.

    ``linear|piecewise|categorical|distance_decay|identity`` (identity clips to 0–100).
    """
    p = dict(params)
    if transform == "linear":
        return linear(values, lo=float(p["lo"]), hi=float(p["hi"]))  # type: ignore[arg-type]
    if transform == "piecewise":
        return piecewise(values, points=p["points"])  # type: ignore[arg-type]
    if transform == "categorical":
        sc = {int(k): float(v) for k, v in p["scores"].items()}  # type: ignore[attr-defined]
        d = p.get("default")
        return categorical(values, scores=sc, default=None if d is None else float(d))  # type: ignore[arg-type]
    if transform == "distance_decay":
        return distance_decay(
            values,
            half_distance_m=float(p["half_distance_m"]),  # type: ignore[arg-type]
            near_is_good=bool(p.get("near_is_good", True)),
        )
    if transform == "identity":
        v = np.asarray(values, dtype="float32")
        return np.clip(v, 0.0, 100.0).astype("float32", copy=False)
    raise ConfigError(
        f"transform {transform!r} unknown; use linear, piecewise, categorical, distance_decay "
        "or identity"
    )


def normalise_weights(weights: Sequence[float]) -> np.ndarray:
    """Weights scaled to sum 1 (all must be ≥ 0, at least one > 0)."""
    w = np.asarray(weights, dtype="float64")
    if w.size == 0 or np.any(w < 0) or not np.isfinite(w).all() or w.sum() <= 0:
        raise ConfigError(f"weights {w.tolist()} must be ≥ 0 with a positive sum")
    return w / w.sum()


def ahp_weights(
    matrix: Sequence[Sequence[float]], *, where: str = "weights.ahp.matrix"
) -> tuple[np.ndarray, float]:
    """AHP priority weights and consistency ratio of a pairwise-comparison matrix.

    Parameters
    ----------
    matrix
        Square reciprocal matrix ``a[i][j]`` = importance of criterion i over j on
        Saaty's 1–9 scale; ``a[j][i]`` must equal ``1/a[i][j]`` (±1 %).
    where
        Location used in error messages (e.g. ``"analyses/pv.yaml: weights.ahp"``).

    Returns
    -------
    weights, cr
        Normalised principal eigenvector (sums to 1) and consistency ratio
        (0 for n ≤ 2). The caller decides whether ``cr`` is acceptable.
    """
    a = np.asarray(matrix, dtype="float64")
    if a.ndim != 2 or a.shape[0] != a.shape[1] or a.shape[0] < 1:
        raise ConfigError(f"{where}: must be a square matrix (got shape {a.shape})")
    n = a.shape[0]
    if np.any(~np.isfinite(a)) or np.any(a <= 0):
        raise ConfigError(f"{where}: entries must be positive numbers (Saaty scale 1/9–9)")
    if not np.allclose(np.diag(a), 1.0):
        raise ConfigError(f"{where}: diagonal must be 1")
    bad = np.argwhere(~np.isclose(a * a.T, 1.0, rtol=0.01))
    if bad.size:
        i, j = (int(x) for x in bad[0])
        raise ConfigError(
            f"{where}: not reciprocal at [{i}][{j}]={a[i, j]:g} vs [{j}][{i}]={a[j, i]:g}; "
            f"set [{j}][{i}] = 1/{a[i, j]:g}"
        )
    vals, vecs = np.linalg.eig(a)
    k = int(np.argmax(vals.real))
    lam = float(vals[k].real)
    w = np.abs(vecs[:, k].real)
    w = w / w.sum()
    if n <= 2:
        return w, 0.0
    ri = SAATY_RANDOM_INDEX.get(n, 1.59)
    ci = (lam - n) / (n - 1)
    cr = max(0.0, ci / ri)
    log.debug("AHP n=%d lambda_max=%.4f CI=%.4f CR=%.4f", n, lam, ci, cr)
    return w, float(cr)
