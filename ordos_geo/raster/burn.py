"""Low-level burning of shapely geometries into uint8 arrays (used by :mod:`ordos_geo.raster`).

Private helpers: the public API lives in :mod:`ordos_geo.raster`.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterable
from typing import Any, Literal

import numpy as np
import shapely
from rasterio import features
from rasterio.windows import Window

from ordos_geo.errors import CRSMismatchError, GridMismatchError, OrdosGeoError
from ordos_geo.grid import Grid

log = logging.getLogger(__name__)

#: shapely ``quad_segs`` for buffers: 16 → 64-gon, inscribed area 0.16 % below a circle.
QUAD_SEGS = 16

#: Row-block height of large burns.
BLOCK_ROWS = 1024
#: Grids smaller than this (cells) are rasterised in one call.
SMALL = 4_000_000

#: Serialises rasterio calls that build in-memory (MEM) datasets — ``features.rasterize``,
#: ``features.shapes``, array ``reproject``: rasterio 1.4 loses the geotransform when
#: several threads create them at once (seen as ``NotGeoreferencedWarning`` and a burn
#: with the identity transform). Processes (dask.distributed workers) do not need it.
GDAL_MEM_LOCK = threading.RLock()

Mode = Literal["centre", "all_touched"]
MODES = ("centre", "all_touched")


def threads() -> int:
    """Threads for GDAL warps: ``$ORDOS_GEO_THREADS`` or the CPU count (at most 4)."""
    env = os.environ.get("ORDOS_GEO_THREADS")
    if env and env.isdigit() and int(env) > 0:
        return int(env)
    return max(1, min(4, os.cpu_count() or 1))


# --------------------------------------------------------------------------------------
# geometry input
# --------------------------------------------------------------------------------------
def as_geometry_array(geoms: Any, grid: Grid) -> np.ndarray:
    """Return a 1-D object array of non-empty shapely geometries in ``grid.crs``."""
    crs = getattr(geoms, "crs", None)
    if crs is not None and not grid.crs.equals(crs):
        raise CRSMismatchError(
            f"rasterize: geometries are in {getattr(crs, 'name', crs)} but the working grid is "
            f"in {grid.crs.name}; reproject them with .to_crs(grid.crs) first"
        )
    if hasattr(geoms, "geometry") and hasattr(geoms.geometry, "values"):
        arr = np.asarray(geoms.geometry.values, dtype=object)
    elif isinstance(geoms, shapely.Geometry):
        arr = np.array([geoms], dtype=object)
    elif isinstance(geoms, np.ndarray):
        arr = geoms.astype(object, copy=False).ravel()
    elif isinstance(geoms, Iterable):
        arr = np.array(list(geoms), dtype=object)
    else:
        raise OrdosGeoError(
            f"rasterize: expected shapely geometries or a GeoSeries, got {type(geoms).__name__}"
        )
    if arr.size == 0:
        return arr
    keep = ~(shapely.is_missing(arr) | shapely.is_empty(arr))
    return arr[keep]


def buffered(arr: np.ndarray, buffer_m: float) -> np.ndarray:
    if buffer_m < 0:
        raise OrdosGeoError(f"rasterize: buffer_m must be ≥ 0 (got {buffer_m}); use 0 for none")
    if buffer_m == 0 or arr.size == 0:
        return arr
    out = shapely.buffer(arr, buffer_m, quad_segs=QUAD_SEGS)
    return out[~shapely.is_empty(out)]


def check_mode(mode: str) -> None:
    if mode not in MODES:
        raise OrdosGeoError(f"rasterize: mode {mode!r} is not one of {', '.join(MODES)}")


# --------------------------------------------------------------------------------------
# core burn
# --------------------------------------------------------------------------------------
def shapes_of(arr: np.ndarray) -> list[dict[str, Any]]:
    """GeoJSON-like dicts for ``arr`` (same order), built from ragged coordinate arrays.

    rasterio only takes GeoJSON-like mappings; shapely's ``__geo_interface__`` walks
    coordinates in Python and dominates the time on large layers, so the nested lists
    are sliced from one ``tolist()`` per geometry family instead.
    """
    out: list[dict[str, Any] | None] = [None] * arr.size
    tid = shapely.get_type_id(arr)
    families = (((3, 6), "Polygon"), ((1, 5), "LineString"), ((0, 4), "Point"))
    done = np.zeros(arr.size, dtype=bool)
    for ids, _name in families:
        idx = np.flatnonzero(np.isin(tid, ids))
        if idx.size == 0:
            continue
        try:
            gtype, coords, offsets = shapely.to_ragged_array(arr[idx], include_z=False)
        except (ValueError, TypeError):  # unusual mixes: fall back below
            continue
        clist = coords.tolist()
        name = gtype.name  # POINT, LINESTRING, POLYGON, MULTI...
        if name == "POINT":
            parts: list[Any] = clist
        else:
            o = offsets[0].tolist()
            parts = [clist[o[i]:o[i + 1]] for i in range(len(o) - 1)]
            for lvl in offsets[1:]:
                o = lvl.tolist()
                parts = [parts[o[i]:o[i + 1]] for i in range(len(o) - 1)]
        gj = {"POINT": "Point", "LINESTRING": "LineString", "POLYGON": "Polygon",
              "MULTIPOINT": "MultiPoint", "MULTILINESTRING": "MultiLineString",
              "MULTIPOLYGON": "MultiPolygon"}[name]
        for k, i in enumerate(idx.tolist()):
            out[i] = {"type": gj, "coordinates": parts[k]}
        done[idx] = True
    for i in np.flatnonzero(~done).tolist():  # collections, linear rings
        out[i] = arr[i].__geo_interface__
    return [d if d is not None else {"type": "GeometryCollection", "geometries": []}
            for d in out]


def burn_window(
    shapes: list[dict[str, Any]],
    bounds: np.ndarray,
    grid: Grid,
    window: Window,
    out: np.ndarray,
    *,
    all_touched: bool,
    value: int,
) -> None:
    """Burn the shapes whose bounds meet ``window`` into ``out`` (the window's view)."""
    t = grid.window_transform(window)
    x0, y1 = t.c, t.f
    x1 = x0 + t.a * window.width
    y0 = y1 + t.e * window.height
    sel = (bounds[:, 0] <= x1) & (bounds[:, 2] >= x0) & (bounds[:, 1] <= y1) & (bounds[:, 3] >= y0)
    if not sel.any():
        return
    items = [(shapes[i], value) for i in np.flatnonzero(sel).tolist()]
    with GDAL_MEM_LOCK:
        features.rasterize(
            items,
            out=out,
            transform=t,
            all_touched=all_touched,
            merge_alg=features.MergeAlg.replace,
            dtype=out.dtype,
        )


def burn(
    arr: np.ndarray,
    grid: Grid,
    out: np.ndarray,
    *,
    all_touched: bool,
    value: int = 1,
) -> np.ndarray:
    """Burn ``value`` for every geometry of ``arr`` into the uint8 array ``out`` (in place).

    Large grids are split into row blocks; each block only sees the geometries whose
    bounding box meets it.
    """
    if arr.size == 0:
        return out
    bounds = shapely.bounds(arr)
    shapes = shapes_of(arr)
    if grid.size <= SMALL:
        burn_window(shapes, bounds, grid, Window(0, 0, grid.width, grid.height), out,
                     all_touched=all_touched, value=value)
        return out
    # Row blocks keep each GDAL burn cache-friendly and let every block skip the
    # geometries that miss it. Blocks run sequentially: rasterio's in-memory datasets
    # are not safe to create from several threads at once (seen as a lost geotransform,
    # i.e. a burn with the identity transform), and threads gave no speed-up anyway.
    for w in grid.blocks(block_rows=BLOCK_ROWS):
        r0, r1 = int(w.row_off), int(w.row_off + w.height)
        burn_window(shapes, bounds, grid, w, out[r0:r1], all_touched=all_touched, value=value)
    return out


def prepare_out(out: np.ndarray | None, grid: Grid) -> np.ndarray:
    if out is None:
        return np.zeros(grid.shape, dtype=np.uint8)
    grid.check_array(out, what="rasterize out")
    if out.dtype not in (np.uint8, np.bool_) or not out.flags.c_contiguous:
        raise GridMismatchError("rasterize out: must be a C-contiguous bool or uint8 array")
    buf = out.view(np.uint8)
    buf.fill(0)
    return buf
