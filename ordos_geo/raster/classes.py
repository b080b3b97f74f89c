"""Raster classes onto the working grid.

Re-exported by :mod:`ordos_geo.raster`; import them from there.
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import shapely
from rasterio import features
from rasterio.windows import Window

from ordos_geo.errors import GridMismatchError, OrdosGeoError
from ordos_geo.grid import Grid, check_geotransform
from ordos_geo.raster.burn import GDAL_MEM_LOCK, burn, prepare_out, threads

__all__ = ["burn_class_into", "class_polygons", "raster_class_mask", "warp_class_mask"]

log = logging.getLogger(__name__)


def raster_class_mask(
    arr: np.ndarray,
    *,
    codes: Sequence[float] | None = None,
    ranges: Sequence[Sequence[float]] | None = None,
) -> np.ndarray:
    """Cells whose value is one of ``codes`` or inside one of ``ranges`` (inclusive).

    Masked cells of a :class:`numpy.ma.MaskedArray` (nodata) never match.

    Examples
    --------
    >>> raster_class_mask(np.array([0, 5, 13, 20]), codes=[0, 13]).tolist()
    [True, False, True, False]
    >>> raster_class_mask(np.array([0, 5, 13, 20]), ranges=[[4, 13]]).tolist()
    [False, True, True, False]
    """
    if not codes and not ranges:
        raise OrdosGeoError("raster_class_mask: give codes=[...] or ranges=[[lo, hi], ...]")
    data = np.ma.getdata(arr)
    out = np.zeros(data.shape, dtype=bool)
    if codes:
        out |= np.isin(data, np.asarray(list(codes), dtype=np.float64))
    for r in ranges or ():
        if len(r) != 2 or not r[0] <= r[1]:
            raise OrdosGeoError(f"raster_class_mask: range {list(r)} must be [lo, hi] with lo ≤ hi")
        lo, hi = float(r[0]), float(r[1])
        if np.isnan(lo) or np.isnan(hi):
            raise OrdosGeoError(f"raster_class_mask: range {list(r)} has NaN; give numbers")
        # compare in float64: a bound such as ±1e308 must not overflow to ±inf in the
        # raster's float32 (which would make "≤ 1e308" match every finite and inf cell)
        vals = data.astype(np.float64, copy=False)
        with np.errstate(invalid="ignore"):  # NaN cells compare False, as intended
            out |= (vals >= lo) & (vals <= hi)
    m = np.ma.getmaskarray(arr) if np.ma.isMaskedArray(arr) else None
    if m is not None and m.any():
        out &= ~m
    return out


def warp_class_mask(
    path: str | os.PathLike[str],
    grid: Grid,
    *,
    codes: Sequence[float] | None = None,
    ranges: Sequence[Sequence[float]] | None = None,
    band: int = 1,
    src_crs: Any = None,
    out: np.ndarray | None = None,
    method: Literal["auto", "polygons", "warp"] = "auto",
) -> np.ndarray:
    """Cells of ``grid`` whose nearest source pixel has one of ``codes`` / is in ``ranges``.

    The class test runs at the source resolution (only the window covering the grid is
    read); the 0/1 result is then put on the grid with nearest-neighbour semantics
    (a cell takes the value of the source pixel that contains its centre), with a
    single byte per cell and no masked array. Source nodata and cells outside the
    source are ``False``. Two ways:

    * ``"polygons"``: the matching source pixels are polygonised, their edges densified
      to one source pixel (so curved parallels stay exact to millimetres after
      reprojection), transformed to ``grid.crs`` and burnt with the cell-centre rule.
      Exact, and fast when the source is coarser than the grid (e.g. 250 m land
      cover on a 30 m grid).
    * ``"warp"``: GDAL nearest-neighbour warp of the 0/1 mask. GDAL's approximate
      transformer may shift boundaries by up to 0.125 source pixel. Better for fine,
      fragmented sources.

    ``"auto"`` uses polygons when the source window has at most a quarter as many
    pixels as the grid has cells.

    Parameters
    ----------
    path
        Raster file (any GDAL format).
    grid
        Working grid.
    codes, ranges
        As in :func:`raster_class_mask`.
    band
        1-based band number.
    src_crs
        Declared CRS of the source when the file has none or a wrong one (e.g.
        MODIS' Clarke 1866 sphere treated as EPSG:4326); ``None`` = the file's CRS.
    out
        Optional ``uint8``/``bool`` array of ``grid.shape`` to reuse.
    method
        ``"auto"``, ``"polygons"`` or ``"warp"``.

    Returns
    -------
    numpy.ndarray
        ``bool`` of ``grid.shape``.
    """
    buf = prepare_out(out, grid)
    burn_class_into(buf, path, grid, value=1, codes=codes, ranges=ranges, band=band,
                    src_crs=src_crs, method=method)
    return buf.view(bool)


def burn_class_into(
    out: np.ndarray,
    path: str | os.PathLike[str],
    grid: Grid,
    *,
    value: int,
    codes: Sequence[float] | None = None,
    ranges: Sequence[Sequence[float]] | None = None,
    band: int = 1,
    src_crs: Any = None,
    method: Literal["auto", "polygons", "warp"] = "auto",
) -> None:
    """Set ``out`` to ``value`` where :func:`warp_class_mask` would be True (in place).

    Other cells keep their value, as with :func:`burn_into`.
    """
    if method not in ("auto", "polygons", "warp"):
        raise OrdosGeoError(f"warp_class_mask: method {method!r} is not auto, polygons or warp")
    grid.check_array(out, what="burn_class_into out")
    if out.dtype != np.uint8 or not out.flags.c_contiguous:
        raise GridMismatchError("burn_class_into out: must be a C-contiguous uint8 array")
    got = _read_class_window(path, grid, codes=codes, ranges=ranges, band=band,
                             src_crs=src_crs)
    if got is None:
        return
    cls, src_transform, crs = got
    if method == "polygons" or (method == "auto" and cls.size * 4 <= grid.size):
        polys = _class_polygons(cls, src_transform, crs, grid)
        burn(polys, grid, out, all_touched=False, value=int(value))
        return
    tmp = np.zeros(grid.shape, dtype=np.uint8)
    with GDAL_MEM_LOCK:
        _reproject_nearest(cls, tmp, src_transform, crs, grid)
    np.putmask(out, tmp.view(bool), np.uint8(value))


def class_polygons(
    path: str | os.PathLike[str],
    grid: Grid,
    *,
    codes: Sequence[float] | None = None,
    ranges: Sequence[Sequence[float]] | None = None,
    band: int = 1,
    src_crs: Any = None,
) -> np.ndarray:
    """Polygons (in ``grid.crs`` metres) of the source pixels matching ``codes``/``ranges``.

    The class test runs at the source resolution on the window covering ``grid``; the
    matching pixels are polygonised (4-connected) and their edges densified to one
    source pixel before reprojection, so burning them with the cell-centre rule gives
    each cell the class of the source pixel holding its centre (the exact rule of the
    exclusion engine). Nodata pixels never match.
    """
    got = _read_class_window(path, grid, codes=codes, ranges=ranges, band=band,
                             src_crs=src_crs)
    if got is None:
        return np.array([], dtype=object)
    cls, src_transform, crs = got
    return _class_polygons(cls, src_transform, crs, grid)


def _reproject_nearest(cls: np.ndarray, tmp: np.ndarray, src_transform: Any, crs: Any,
                       grid: Grid) -> None:
    from rasterio.enums import Resampling
    from rasterio.warp import reproject

    reproject(
        cls,
        tmp,
        src_transform=src_transform,
        src_crs=crs,
        src_nodata=None,
        dst_transform=grid.transform,
        dst_crs=grid.crs,
        dst_nodata=None,
        resampling=Resampling.nearest,
        num_threads=threads(),
        init_dest_nodata=False,
    )


def _read_class_window(
    path: str | os.PathLike[str],
    grid: Grid,
    *,
    codes: Sequence[float] | None,
    ranges: Sequence[Sequence[float]] | None,
    band: int,
    src_crs: Any,
) -> tuple[np.ndarray, Any, Any] | None:
    """Class mask (uint8 0/1) of the source window covering ``grid``, its transform and CRS."""
    import rasterio
    from rasterio.errors import RasterioError, WindowError
    from rasterio.warp import transform_bounds
    from rasterio.windows import from_bounds

    from ordos_geo.errors import LayerIOError

    try:
        with rasterio.open(path) as src:
            check_geotransform(src.transform, path)  # pixel size 0 / rotated: one line
            crs = src_crs if src_crs is not None else src.crs
            if crs is None:
                raise LayerIOError(
                    f"{path}: raster has no CRS; declare it with crs: in the catalog"
                )
            if band < 1 or band > src.count:
                raise LayerIOError(
                    f"{path}: band {band} does not exist (bands: 1..{src.count}); fix band"
                )
            left, bottom, right, top = transform_bounds(grid.crs, crs, *grid.bounds,
                                                        densify_pts=21)
            try:
                win = from_bounds(left, bottom, right, top, transform=src.transform)
                # Explicit floor/ceil of both edges plus one pixel of margin: rasterio
                # 1.4's round_offsets/round_lengths round to nearest whatever ``op`` says,
                # which lost the last source row/column of small windows (and with it
                # class pixels under the grid's edge cells).
                c0 = math.floor(win.col_off) - 1
                r0 = math.floor(win.row_off) - 1
                c1 = math.ceil(win.col_off + win.width) + 1
                r1 = math.ceil(win.row_off + win.height) + 1
                win = Window(c0, r0, c1 - c0, r1 - r0).intersection(
                    Window(0, 0, src.width, src.height))
            except WindowError:
                log.warning("%s: raster does not overlap the grid; nothing excluded", path)
                return None
            data = src.read(band, window=win, masked=True)
            # the window's transform without rasterio's Affine ``*`` (deprecated there)
            t, c, r = src.transform, float(win.col_off), float(win.row_off)
            src_transform = type(t)(t.a, t.b, t.c + t.a * c + t.b * r,
                                    t.d, t.e, t.f + t.d * c + t.e * r)
    except RasterioError as exc:
        raise LayerIOError(f"{path}: cannot read raster ({exc}); check the file") from exc
    cls = raster_class_mask(data, codes=codes, ranges=ranges).view(np.uint8)
    return cls, src_transform, crs


def _class_polygons(cls: np.ndarray, transform: Any, src_crs: Any, grid: Grid) -> np.ndarray:
    """Polygons of the 1-pixels of ``cls`` in ``grid.crs`` (edges densified to 1 pixel)."""
    from pyproj import CRS, Transformer
    from shapely.geometry import shape

    if not cls.any():
        return np.array([], dtype=object)
    with GDAL_MEM_LOCK:
        geoms = [shape(g) for g, v in features.shapes(cls, mask=cls.view(bool),
                                                       transform=transform, connectivity=4)
                 if v == 1]
    arr = np.array(geoms, dtype=object)
    step = min(abs(transform.a), abs(transform.e))
    arr = shapely.segmentize(arr, step)
    tr = Transformer.from_crs(CRS.from_user_input(src_crs), grid.crs, always_xy=True)
    return shapely.transform(arr, lambda xy: np.column_stack(tr.transform(xy[:, 0], xy[:, 1])))
