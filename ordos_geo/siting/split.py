"""Split candidate areas into project-sized sites (by banner and on a regular tile grid).

A connected candidate region can be thousands of km² (a homogeneous desert, or a
region whose outline is drawn by the arcs of a distance factor). Such a region is not a
project: PV plants in China are ≈ 1–2,000 MW (a 500 MW plant takes ≈ 15–28 km²) and
wind farms ≈ 100–1,000 MW (≈ 30–300 km²). Two documented rules make sites
project-sized:

* ``split_by_banner``: cells only connect within one banner (旗/区), so every site lies
  in exactly one banner and capacity by banner is exact, not a majority assignment.
* ``max_site_km2``: a region larger than this is cut along a regular square tile grid
  of side ``floor(sqrt(max_site_km2) km / res)`` cells; each connected piece inside a
  tile becomes its own site, so no site exceeds ``max_site_km2``. Tiles are anchored to
  multiples of the tile side in the working CRS (not to the grid's corner), so the same
  tile lines are used at every extent. Regions not larger than the limit are never
  cut, even when they straddle a tile line.

Pieces keep 8-connectivity (``scipy.ndimage.label`` with a 3×3 structure). The pieces
of a region tile it exactly: their union is the region and they do not overlap
(``min_area_km2`` is applied afterwards, by the caller).
"""

from __future__ import annotations

import logging
import math

import numpy as np

__all__ = [
    "EIGHT",
    "bincount_rows",
    "compact_labels",
    "label_by_key",
    "remap",
    "split_large",
    "tile_cells",
]

log = logging.getLogger(__name__)

#: 8-connectivity structure (edges and corners).
EIGHT = np.ones((3, 3), dtype=bool)


#: Rows per block of :func:`remap` / :func:`bincount_rows` (bounded int64 index copies).
_ROWS = 512


def remap(table: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """``table[labels]`` in row blocks.

    NumPy turns an int32 index array into a full int64 copy first (8 bytes per cell,
    1.4 GB at 30 m over Ordos); row blocks keep that copy small.
    """
    out = np.empty(labels.shape, dtype=table.dtype)
    for r0 in range(0, labels.shape[0], _ROWS):
        out[r0:r0 + _ROWS] = table[labels[r0:r0 + _ROWS]]
    return out


def bincount_rows(labels: np.ndarray, minlength: int) -> np.ndarray:
    """``np.bincount(labels.ravel(), minlength=minlength)`` in row blocks (int64)."""
    counts = np.zeros(minlength, dtype=np.int64)
    for r0 in range(0, labels.shape[0], _ROWS):
        c = np.bincount(labels[r0:r0 + _ROWS].ravel(), minlength=minlength)
        if c.size > counts.size:
            counts = np.concatenate([counts, np.zeros(c.size - counts.size, np.int64)])
        counts[: c.size] += c
    return counts


def label_by_key(cand: np.ndarray, key: np.ndarray | None = None) -> tuple[np.ndarray, int]:
    """Connected regions of ``cand`` (8-connectivity) that never cross a change of ``key``.

    Parameters
    ----------
    cand
        Boolean candidate mask on the working grid.
    key
        Integer raster (e.g. banner index, 0 = outside every banner) or None (plain
        connected components).

    Returns
    -------
    labels, n
        int32 labels (0 = not a candidate) and the number of regions.
    """
    from scipy import ndimage

    if key is None:
        lab, n = ndimage.label(cand, structure=EIGHT)
        return lab.astype(np.int32, copy=False), int(n)
    # key + 1 where a candidate (uint16 for up to 65,534 keys: half the memory of int32)
    small = key.size == 0 or (int(key.min()) >= 0 and int(key.max()) < 65_535)
    k: np.ndarray = key.astype(np.uint16 if small else np.int64)
    np.add(k, 1, out=k, casting="unsafe")
    k[~cand] = 0
    labels = np.zeros(cand.shape, dtype=np.int32)
    n = 0
    for kv, sl in enumerate(ndimage.find_objects(k), start=1):
        if sl is None:
            continue
        sub = k[sl] == kv
        lab, m = ndimage.label(sub, structure=EIGHT)
        view = labels[sl]
        view[sub] = lab[sub].astype(np.int32) + n
        n += int(m)
    return labels, n


def tile_cells(max_site_km2: float, res_m: float) -> int:
    """Side of the splitting tile in cells: ``floor(sqrt(max_site_km2)·1000 / res_m)``.

    A tile of that side holds at most ``max_site_km2`` of area. Returns 0 when one cell
    is already larger than the limit.
    """
    return math.floor(math.sqrt(max_site_km2) * 1000.0 / res_m + 1e-9)


def split_large(
    labels: np.ndarray,
    n: int,
    *,
    max_cells: int,
    tile: int,
    anchor: tuple[int, int] = (0, 0),
) -> tuple[np.ndarray, int]:
    """Cut every region with more than ``max_cells`` cells along a ``tile``-cell grid.

    Parameters
    ----------
    labels, n
        Region labels (modified in place) and their count.
    max_cells
        Largest region (in cells) left whole.
    tile
        Tile side in cells (≥ 1).
    anchor
        Global (row, col) index of the grid's upper-left cell, e.g. ``(round(-y_top /
        res), round(x_left / res))``: tiles start at global indices divisible by
        ``tile``.

    Returns
    -------
    labels, n
        Labels where the cut regions' ids are replaced by new ids ``> n`` (the old ids
        become unused; compact with :func:`compact_labels`) and the new largest id.
    """
    from scipy import ndimage

    if tile < 1:
        raise ValueError("tile must be ≥ 1 cell")
    sizes = bincount_rows(labels, n + 1)
    big = sizes > max_cells
    big[0] = False
    if not big.any():
        return labels, n
    bigmask = remap(big, labels)
    rows = np.flatnonzero(bigmask.any(axis=1))
    cols = np.flatnonzero(bigmask.any(axis=0))
    r_anchor, c_anchor = anchor
    nid = n
    cuts = 0
    # first tile line at or above the first row/col holding a large region
    r_start = rows[0] - ((rows[0] + r_anchor) % tile)
    c_start = cols[0] - ((cols[0] + c_anchor) % tile)
    for r0 in range(int(r_start), int(rows[-1]) + 1, tile):
        rs = slice(max(r0, 0), r0 + tile)
        band = bigmask[rs]
        if not band.any():
            continue
        for c0 in range(int(c_start), int(cols[-1]) + 1, tile):
            cs = slice(max(c0, 0), c0 + tile)
            sub = band[:, cs]
            if not sub.any():
                continue
            view = labels[rs, cs]
            for old in np.unique(view[sub]):
                piece = view == old
                lab, m = ndimage.label(piece, structure=EIGHT)
                view[piece] = lab[piece].astype(np.int32) + nid
                nid += int(m)
                cuts += int(m)
    log.info("split %d regions larger than %d cells into %d tile pieces",
             int(big.sum()), max_cells, cuts)
    return labels, nid


def compact_labels(labels: np.ndarray, n: int, *, min_cells: float) -> tuple[np.ndarray, int]:
    """Drop regions smaller than ``min_cells`` and renumber 1..k by first cell (row-major).

    Returns
    -------
    labels, k
        New int32 labels and the number of regions kept.
    """
    flat = labels.ravel()
    nz = np.flatnonzero(flat)
    if nz.size == 0:
        return np.zeros(labels.shape, dtype=np.int32), 0
    vals = flat[nz]
    del nz
    sizes = np.bincount(vals, minlength=n + 1)
    keep = sizes >= min_cells
    keep[0] = False
    # first cell (row-major) of each label: a minimum per label, no sort of the cells
    none = np.iinfo(np.int64).max
    first = np.full(n + 1, none, dtype=np.int64)
    np.minimum.at(first, vals, np.arange(vals.size, dtype=np.int64))
    del vals
    uniq = np.flatnonzero(keep & (first != none))
    order = uniq[np.argsort(first[uniq], kind="stable")]
    new_id = np.zeros(n + 1, dtype=np.int32)
    new_id[order] = np.arange(1, order.size + 1, dtype=np.int32)
    return remap(new_id, labels), int(order.size)
