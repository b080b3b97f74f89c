"""Robustness of the score to the factor weights (Monte-Carlo, seeded).

Each run draws weights from a Dirichlet distribution centred on the configured
weights (``α = concentration × w``; larger concentration = smaller perturbations),
recomputes the score with the same preferences, and marks the eligible cells whose
score is in the top ``top_fraction`` (default the top quintile) of eligible scores.
The robustness raster is the share of runs (%) in which each cell was marked.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ordos_geo.raster import OUTSIDE
from ordos_geo.siting.config import PreferenceSpec
from ordos_geo.siting.suitability import NODATA, FactorLayers, weighted_score

__all__ = ["RobustnessResult", "robustness", "top_threshold"]

log = logging.getLogger(__name__)


@dataclass
class RobustnessResult:
    """uint8 raster (% of runs in the top fraction; 255 outside) and the sampled weights."""

    percent: np.ndarray
    weights: np.ndarray
    runs: int


def top_threshold(score: np.ndarray, eligible: np.ndarray, top_fraction: float) -> int:
    """Smallest integer score ``t`` such that cells with score ≥ t are at most about
    ``top_fraction`` of the eligible cells (at least the highest score value).
    """
    hist = np.bincount(score[eligible].ravel(), minlength=256)[:101]
    total = int(hist.sum())
    if total == 0:
        return 101
    cum_from_top = np.cumsum(hist[::-1])  # cells with score ≥ 100-i
    target = top_fraction * total
    # largest set (lowest t) whose size does not exceed the target; at least t = max
    ok = np.flatnonzero(cum_from_top <= target)
    if ok.size == 0:
        return int(np.flatnonzero(hist)[-1])
    return 100 - int(ok[-1])


def robustness(
    factors: FactorLayers,
    weights: np.ndarray,
    reasons: np.ndarray,
    *,
    runs: int,
    concentration: float = 50.0,
    top_fraction: float = 0.2,
    seed: int = 0,
    prefs: Sequence[PreferenceSpec] = (),
    pref_masks: Mapping[str, np.ndarray] | None = None,
) -> RobustnessResult:
    """Share of weight perturbations in which each eligible cell stays in the top fraction.

    Parameters
    ----------
    factors
        Factor score rasters (uint8).
    weights
        Base weights (normalised).
    reasons
        Reason raster (0 eligible).
    runs
        Number of Monte-Carlo runs (≥ 1).
    concentration
        Dirichlet concentration.
    top_fraction
        Share of eligible cells counted as "top" (0.2 = top quintile).
    seed
        Random seed (results are reproducible).

    Returns
    -------
    RobustnessResult
        ``percent``: uint8, 0–100 for region cells (0 for excluded), 255 outside.
    """
    rng = np.random.default_rng(seed)
    w = np.asarray(weights, dtype="float64")
    alpha = np.maximum(concentration * w, 1e-3)
    eligible = reasons == 0
    count = np.zeros(reasons.shape, dtype=np.uint16)
    drawn = np.zeros((runs, w.size))
    for k in range(runs):
        wk = rng.dirichlet(alpha) if w.size > 1 else np.ones(1)
        drawn[k] = wk
        s = weighted_score(factors, wk, reasons, prefs=prefs, pref_masks=pref_masks)
        t = top_threshold(s, eligible, top_fraction)
        count += (eligible & (s >= t) & (s != NODATA)).astype(np.uint16)
        log.debug("robustness run %d: weights %s threshold %d", k + 1, np.round(wk, 3), t)
    pct = np.rint(count * (100.0 / max(runs, 1))).astype(np.uint8)
    pct[reasons == OUTSIDE] = NODATA
    return RobustnessResult(pct, drawn, runs)
