"""The working grid: one metric CRS, one resolution, one transform per analysis.

Convention (used by siting and ``ordos-geo eligibility``): the grid origin is snapped
to multiples of ``res_m`` around the region's bounds (outwards), and a cell belongs to
a polygon when its **centre** is inside.

Examples
--------
The bounds (1010, 2020, 1390, 2310) snap outwards to (1000, 2000, 1400, 2400): the top
edge 2310 rounds *up* to 2400, so the grid has 4 rows, not 3.

>>> g = Grid.from_bounds((1010.0, 2020.0, 1390.0, 2310.0), res_m=100, crs="EPSG:32649")
>>> g.shape, g.bounds
((4, 4), (1000.0, 2000.0, 1400.0, 2400.0))
>>> g.cell_area_m2
10000.0
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
from affine import Affine
from pyproj import CRS
from rasterio.windows import Window

from ordos_geo.errors import GridMismatchError, LayerIOError

__all__ = ["MAX_CELLS", "Grid", "check_geotransform"]


#: Largest grid accepted at all (2³¹ − 1 cells: beyond, even one uint8 layer is > 2 GB
#: and GDAL/NumPy index limits are reached). Memory is checked by :meth:`Grid.check_fits`.
MAX_CELLS = 2**31 - 1


def _human(n: float) -> str:
    for unit in ("B", "kB", "MB", "GB", "TB", "PB"):
        if n < 1000:
            return f"{n:.0f} {unit}"
        n /= 1000
    return f"{n:.0f} EB"


def _physical_memory() -> int:
    try:
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (AttributeError, ValueError, OSError):  # not POSIX: no estimate
        return 0


@dataclass(frozen=True)
class Grid:
    """A north-up raster grid in a metric CRS.

    Attributes
    ----------
    crs
        Working CRS (metric, e.g. the Ordos equal-area Albers).
    transform
        Affine transform from (col, row) to CRS coordinates of the upper-left corner.
    shape
        ``(rows, cols)``.
    """

    crs: CRS
    transform: Affine
    shape: tuple[int, int]

    @classmethod
    def from_bounds(
        cls,
        bounds: tuple[float, float, float, float],
        *,
        res_m: float,
        crs: Any,
    ) -> Grid:
        """Grid covering ``bounds`` (in ``crs``) with the origin snapped to ``res_m``.

        Parameters
        ----------
        bounds
            ``(xmin, ymin, xmax, ymax)`` in metres of ``crs``.
        res_m
            Cell size in metres (> 0).
        crs
            Anything :class:`pyproj.CRS` accepts; must be projected (metres).
        """
        if not (math.isfinite(res_m) and res_m > 0):
            raise GridMismatchError(f"grid: res_m must be a finite number > 0 (got {res_m}); "
                                    "set grid.res_m or --res, e.g. 100")
        if len(bounds) != 4 or not all(math.isfinite(float(v)) for v in bounds):
            raise GridMismatchError(f"grid: bounds {tuple(bounds)} are not finite; check the "
                                    "region layer's geometries and CRS")
        if not (bounds[2] > bounds[0] and bounds[3] > bounds[1]):
            raise GridMismatchError(f"grid: bounds {tuple(bounds)} are empty (zero width or "
                                    "height); the region must be a polygon layer with area")
        c = CRS.from_user_input(crs)
        if not c.is_projected:
            raise GridMismatchError(
                f"grid: CRS {c.to_string()} is not projected; use a metric CRS such as the "
                "Ordos equal-area Albers (ordos_geo.crs.WORK_CRS)"
            )
        xmin, ymin, xmax, ymax = bounds
        x0 = math.floor(xmin / res_m) * res_m
        y1 = math.ceil(ymax / res_m) * res_m
        x1 = math.ceil(xmax / res_m) * res_m
        y0 = math.floor(ymin / res_m) * res_m
        cols = max(1, round((x1 - x0) / res_m))
        rows = max(1, round((y1 - y0) / res_m))
        if rows * cols > MAX_CELLS:
            raise GridMismatchError(
                f"grid: {res_m:g} m cells over {(xmax - xmin) / 1e3:,.0f} × "
                f"{(ymax - ymin) / 1e3:,.0f} km make {rows * cols:.3g} cells (more than "
                f"{MAX_CELLS:.3g}, ≥ {_human(rows * cols)} per uint8 layer); use a coarser "
                "grid.res_m / --res (e.g. 100)")
        return cls(c, Affine(res_m, 0.0, x0, 0.0, -res_m, y1), (rows, cols))

    def check_fits(self, *, bytes_per_cell: float, where: str,
                   available: int | None = None) -> None:
        """Refuse an in-memory analysis whose arrays would not fit in RAM.

        Parameters
        ----------
        bytes_per_cell
            Bytes the caller holds per cell at its peak (all arrays together).
        where
            Config key or option for the message (e.g. ``analyses/pv.yaml: grid.res_m``).
        available
            Bytes of memory to compare with; default the machine's physical memory.

        Raises
        ------
        GridMismatchError
            When ``size × bytes_per_cell`` exceeds 80 % of ``available``.

        Examples
        --------
        >>> g = Grid.from_bounds((0, 0, 1000, 1000), res_m=1, crs="EPSG:32649")
        >>> g.check_fits(bytes_per_cell=40, where="--res", available=10_000_000)
        Traceback (most recent call last):
        ...
        ordos_geo.errors.GridMismatchError: --res: 1,000,000 cells × 40 B need 40 MB ...
        """
        need = self.size * bytes_per_cell
        avail = _physical_memory() if available is None else available
        if avail and need > 0.8 * avail:
            raise GridMismatchError(
                f"{where}: {self.size:,} cells × {bytes_per_cell:g} B need {_human(need)} of "
                f"memory, more than this machine has ({_human(avail)}); use a coarser "
                "resolution or --engine dask (blockwise) where the command offers it")

    # --- properties -----------------------------------------------------------------
    @property
    def res_m(self) -> float:
        """Cell size in metres."""
        return float(self.transform.a)

    @property
    def height(self) -> int:
        return self.shape[0]

    @property
    def width(self) -> int:
        return self.shape[1]

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """``(xmin, ymin, xmax, ymax)`` in CRS metres."""
        t = self.transform
        return (t.c, t.f + t.e * self.height, t.c + t.a * self.width, t.f)

    @property
    def cell_area_m2(self) -> float:
        return float(abs(self.transform.a * self.transform.e))

    @property
    def size(self) -> int:
        return self.height * self.width

    def __repr__(self) -> str:
        return (
            f"Grid(res_m={self.res_m:g}, shape={self.shape}, bounds={self.bounds}, "
            f"crs={self.crs.to_string()[:60]!r})"
        )

    # --- coordinates ----------------------------------------------------------------
    def xy(self, rows: Any, cols: Any) -> tuple[np.ndarray, np.ndarray]:
        """Cell-centre coordinates (metres) for row/col index arrays."""
        r = np.asarray(rows, dtype="float64") + 0.5
        c = np.asarray(cols, dtype="float64") + 0.5
        t = self.transform
        return t.c + c * t.a, t.f + r * t.e

    def centres_x(self, window: Window | None = None) -> np.ndarray:
        """1-D array of cell-centre x coordinates (columns of ``window``)."""
        w = window or Window(0, 0, self.width, self.height)
        c = np.arange(int(w.col_off), int(w.col_off + w.width), dtype="float64") + 0.5
        return self.transform.c + c * self.transform.a

    def centres_y(self, window: Window | None = None) -> np.ndarray:
        """1-D array of cell-centre y coordinates (rows of ``window``)."""
        w = window or Window(0, 0, self.width, self.height)
        r = np.arange(int(w.row_off), int(w.row_off + w.height), dtype="float64") + 0.5
        return self.transform.f + r * self.transform.e

    def index(self, x: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
        """Row/col indices of the cells containing points ``(x, y)`` (may be out of range)."""
        t = self.transform
        cols = np.floor((np.asarray(x, dtype="float64") - t.c) / t.a).astype("int64")
        rows = np.floor((np.asarray(y, dtype="float64") - t.f) / t.e).astype("int64")
        return rows, cols

    # --- windows --------------------------------------------------------------------
    def window_transform(self, window: Window) -> Affine:
        """Affine transform of a window's upper-left cell."""
        return self.transform @ Affine.translation(window.col_off, window.row_off)

    def subgrid(self, window: Window) -> Grid:
        """The grid of ``window`` (same CRS and resolution)."""
        shape = (int(window.height), int(window.width))
        return Grid(self.crs, self.window_transform(window), shape)

    def blocks(self, block_rows: int = 2048, block_cols: int | None = None) -> Iterator[Window]:
        """Iterate over row-major windows of at most ``block_rows x block_cols`` cells."""
        bc = block_cols or self.width
        for r0 in range(0, self.height, block_rows):
            for c0 in range(0, self.width, bc):
                yield Window(
                    c0, r0, min(bc, self.width - c0), min(block_rows, self.height - r0)
                )

    def check_same(self, other: Grid, *, what: str = "array") -> None:
        """Raise :class:`GridMismatchError` unless ``other`` is the same grid."""
        if (
            self.shape != other.shape
            or not self.transform.almost_equals(other.transform)
            or not self.crs.equals(other.crs)
        ):
            raise GridMismatchError(
                f"{what}: grid {other!r} differs from working grid {self!r}; "
                "reproject it to the working grid first"
            )

    def check_array(self, arr: np.ndarray, *, what: str = "array") -> None:
        """Raise :class:`GridMismatchError` unless ``arr`` has this grid's 2-D shape."""
        if tuple(arr.shape[-2:]) != self.shape:
            raise GridMismatchError(
                f"{what}: shape {arr.shape} does not match working grid shape {self.shape}"
            )

    def to_profile(self, *, dtype: str, nodata: float | int | None, count: int = 1) -> dict:
        """A rasterio profile for a GeoTIFF on this grid."""
        return {
            "driver": "GTiff",
            "height": self.height,
            "width": self.width,
            "count": count,
            "dtype": dtype,
            "crs": self.crs.to_wkt(),
            "transform": self.transform,
            "nodata": nodata,
        }


def check_geotransform(transform: Any, path: str | os.PathLike[str]) -> None:
    """Refuse a geotransform with a zero, non-finite or rotated pixel size.

    Such a raster cannot be warped ("Cannot invert geotransform"); the message names
    the file and the fix.

    Raises
    ------
    LayerIOError
        ``path: pixel size 0 …`` / ``rotated geotransform …``.

    Examples
    --------
    >>> from affine import Affine
    >>> check_geotransform(Affine(100, 0, 0, 0, -100, 0), "ok.tif")
    >>> check_geotransform(Affine(0, 0, 0, 0, -100, 0), "bad.tif")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ordos_geo.errors.LayerIOError: bad.tif: pixel size is 0 ...
    """
    t = transform
    if not all(math.isfinite(v) for v in (t.a, t.b, t.c, t.d, t.e, t.f)):
        raise LayerIOError(f"{path}: geotransform has non-finite values ({tuple(t)[:6]}); "
                           "re-export the raster with a valid georeference")
    if t.b != 0 or t.d != 0:
        raise LayerIOError(f"{path}: rotated geotransform (row/column rotation {t.b}, {t.d}); "
                           "warp it north-up first, e.g. gdalwarp in.tif out.tif")
    if t.a == 0 or t.e == 0:
        raise LayerIOError(f"{path}: pixel size is 0 (x {t.a}, y {t.e}); the georeference is "
                           "broken: re-export the raster (gdal_translate -a_ullr …) or fix its "
                           "world file")
