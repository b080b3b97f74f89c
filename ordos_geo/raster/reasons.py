"""Reason rasters: ``uint8`` codes, 0 eligible, k = removed by the k-th exclusion, 255 outside.

Examples
--------
>>> import numpy as np
>>> r = np.array([0, 0, 2, 255], dtype=np.uint8)
>>> apply_reasons(r, np.array([True, False, True, True]), 3)
>>> reason_counts(r, codes=[0, 2, 3, 255])[[0, 2, 3, 255]].tolist()
[1, 1, 1, 1]
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from ordos_geo.errors import GridMismatchError, OrdosGeoError

__all__ = ["ELIGIBLE", "OUTSIDE", "apply_reasons", "reason_counts"]

#: Reason code of an eligible cell.
ELIGIBLE = 0
#: Reason code of a cell outside the analysis region.
OUTSIDE = 255


def apply_reasons(reasons: np.ndarray, mask: np.ndarray, code: int) -> None:
    """Mark cells of ``mask`` that are still eligible (0) with ``code``, in place.

    The first exclusion that removes a cell keeps its code; cells outside the region
    (255) are never touched.

    Parameters
    ----------
    reasons
        ``uint8`` reason raster (0 eligible, 1..254 exclusion codes, 255 outside).
    mask
        ``bool`` (or 0/1 ``uint8``) array of the same shape.
    code
        Exclusion code 1..254.

    Examples
    --------
    >>> r = np.array([0, 0, 2, 255], dtype=np.uint8)
    >>> apply_reasons(r, np.array([True, False, True, True]), 3)
    >>> r.tolist()
    [3, 0, 2, 255]
    """
    if not 1 <= int(code) <= 254:
        raise OrdosGeoError(f"apply_reasons: code must be 1..254 (got {code})")
    if reasons.shape != mask.shape:
        raise GridMismatchError(
            f"apply_reasons: mask shape {mask.shape} differs from reasons shape {reasons.shape}"
        )
    flat_r = reasons.reshape(-1)  # a view for C-contiguous arrays
    if reasons.dtype != np.uint8 or not np.shares_memory(flat_r, reasons):
        raise GridMismatchError("apply_reasons: reasons must be a C-contiguous uint8 array")
    flat_m = mask.reshape(-1)
    # Branch-free arithmetic on cache-sized chunks (reasons += code * (reasons == 0 & mask))
    # is ~5x faster than np.putmask on 100 M+ cell grids.
    step = 2**20
    hit = np.empty(min(step, flat_r.size), dtype=bool)
    add = np.empty(hit.size, dtype=np.uint8)
    c = np.uint8(code)
    for i in range(0, flat_r.size, step):
        rb, mb = flat_r[i:i + step], flat_m[i:i + step]
        n = rb.size
        h, a = hit[:n], add[:n]
        np.equal(rb, 0, out=h)
        if mb.dtype == np.bool_:
            np.logical_and(h, mb, out=h)
        else:
            np.logical_and(h, mb != 0, out=h)
        np.multiply(h.view(np.uint8), c, out=a)
        np.add(rb, a, out=rb)


def reason_counts(reasons: np.ndarray, codes: Iterable[int] | None = None) -> np.ndarray:
    """Number of cells per reason code (``int64`` array of length 256).

    With ``codes`` only those codes are counted (one fast pass each; the others stay
    0); without, all codes are counted in chunks.

    Examples
    --------
    >>> reason_counts(np.array([0, 0, 1, 255], dtype=np.uint8), codes=[0, 1, 255])[[0, 1, 255]]
    array([2, 1, 1])
    """
    counts = np.zeros(256, dtype=np.int64)
    flat = reasons.reshape(-1)
    # 1 M-cell chunks stay in cache: ~5x faster than whole-array comparisons.
    step = 2**20
    if codes is not None:
        wanted = sorted({int(c) for c in codes})
        for i in range(0, flat.size, step):
            chunk = flat[i:i + step]
            for c in wanted:
                counts[c] += np.count_nonzero(chunk == c)
        return counts
    for i in range(0, flat.size, step):
        counts += np.bincount(flat[i:i + step], minlength=256)
    return counts
