"""Read any raster onto the working grid; write Cloud-Optimized GeoTIFFs atomically.

:func:`read_to_grid` warps one band of any GDAL raster onto a
:class:`~ordos_geo.grid.Grid` with :func:`rasterio.warp.reproject`, straight from the
file into an array of the source dtype (no float64 copy of the full grid), and
returns a :class:`numpy.ma.MaskedArray` whose mask marks nodata, NaN and cells
outside the source. Reading never writes next to the input (``GDAL_PAM_ENABLED=NO``:
no ``.aux.xml``).

Examples
--------
>>> import tempfile, pathlib
>>> from ordos_geo.grid import Grid
>>> g = Grid.from_bounds((0.0, 4_300_000.0, 1000.0, 4_301_000.0), res_m=100, crs=4545)
>>> g2 = Grid.from_bounds((400_000.0, 4_300_000.0, 401_000.0, 4_301_000.0), res_m=100, crs=4545)
>>> a = np.arange(100, dtype="uint8").reshape(10, 10)
>>> p = write_cog(a, g2, pathlib.Path(tempfile.mkdtemp()) / "a.tif", nodata=255,
...               tags={"units": "class", "provenance": "derived"})
>>> m = read_to_grid(p, g2)
>>> m.dtype, int(m[0, 0]), int(m[9, 9]), raster_info(p)["tags"]["units"]
(dtype('uint8'), 0, 99, 'class')
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, cast

import numpy as np
import rasterio
import rasterio.shutil
from pyproj import CRS, Transformer
from rasterio.enums import Resampling
from rasterio.errors import RasterioError
from rasterio.warp import reproject

from ordos_geo.crs import (
    check_plausible,
    crs_equivalent,
    crs_label,
    is_gcj02,
    named_wkt,
    parse_crs,
)
from ordos_geo.errors import ConfigError, CRSMismatchError, LayerIOError, OutputError
from ordos_geo.grid import Grid, check_geotransform
from ordos_geo.io.atomic import atomic_path

__all__ = ["RESAMPLING_METHODS", "check_blocks", "check_geotransform", "raster_info",
           "read_to_grid", "write_cog"]

logger = logging.getLogger(__name__)

#: Resampling names accepted by :func:`read_to_grid`.
RESAMPLING_METHODS: tuple[str, ...] = (
    "nearest",
    "bilinear",
    "cubic",
    "cubic_spline",
    "lanczos",
    "average",
    "mode",
    "max",
    "min",
    "med",
    "q1",
    "q3",
    "sum",
    "rms",
)

# No .aux.xml is read or written next to inputs (world files and .ovr still work).
_READ_ENV = {"GDAL_PAM_ENABLED": "NO"}


def _resampling(name: str) -> Resampling:
    key = str(name).strip().lower()
    if key not in RESAMPLING_METHODS:
        raise ConfigError(
            f"resampling: {name!r} is not a resampling method; use one of "
            f"{', '.join(RESAMPLING_METHODS)}"
        )
    return Resampling[key]


@contextlib.contextmanager
def _open(path: Path) -> Iterator[Any]:
    if not path.exists():
        raise LayerIOError(f"{path}: file not found; check the path (relative to the catalog file)")
    with rasterio.Env(**_READ_ENV):
        try:
            src = rasterio.open(path)
        except RasterioError as exc:
            msg = " ".join(str(exc).split())[:160]
            raise LayerIOError(
                f"{path}: not a readable raster ({msg}); check or re-export the GeoTIFF"
            ) from exc
        try:
            check_geotransform(src.transform, path)
            yield src
        finally:
            src.close()


def check_blocks(path: str | os.PathLike[str], *, max_pixels: int = 200_000_000) -> None:
    """Decode every block of every band (rasters up to ``max_pixels`` cells × bands).

    Finds truncated or corrupt files before an analysis trips on them; larger rasters
    are checked on their first, middle and last block rows only.

    Raises
    ------
    LayerIOError
        ``path: band b, block at row r, col c does not decode (…); re-export …``.
    """
    p = Path(path)
    with _open(p) as src, rasterio.Env(**_READ_ENV):
        windows = [w for _, w in src.block_windows(1)]
        if src.width * src.height * src.count > max_pixels and windows:
            rows = sorted({w.row_off for w in windows})
            keep = {rows[0], rows[len(rows) // 2], rows[-1]}
            windows = [w for w in windows if w.row_off in keep]
        for b in range(1, src.count + 1):
            for w in windows:
                try:
                    src.read(b, window=w)
                except RasterioError as exc:
                    msg = " ".join(str(exc).split())[:120]
                    raise LayerIOError(
                        f"{p}: band {b}, block at row {w.row_off}, col {w.col_off} does not "
                        f"decode ({msg}); the file is truncated or corrupt: re-export or "
                        "re-download it") from exc


def raster_info(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Basic facts about a raster file (read-only).

    Returns
    -------
    dict
        ``crs`` (``"EPSG:4326"``-style label or ``None``), ``wkt``, ``shape``
        ``(rows, cols)``, ``bounds`` ``(xmin, ymin, xmax, ymax)`` in the file CRS,
        ``res`` ``(x, y)`` in CRS units, ``dtype``, ``nodata``, ``count``, ``tags``,
        ``descriptions``.
    """
    p = Path(path)
    with _open(p) as src:
        crs = CRS.from_wkt(src.crs.to_wkt()) if src.crs else None
        return {
            "crs": crs_label(crs) if crs is not None else None,
            "wkt": crs.to_wkt() if crs is not None else None,
            "shape": (src.height, src.width),
            "bounds": tuple(float(v) for v in src.bounds),
            "res": tuple(float(v) for v in src.res),
            "dtype": src.dtypes[0],
            "nodata": src.nodata,
            "count": src.count,
            "tags": dict(src.tags()),
            "descriptions": tuple(src.descriptions),
        }


def _source_crs(src: Any, declared: Any, path: Path) -> CRS:
    file_crs = CRS.from_wkt(src.crs.to_wkt()) if src.crs else None
    if declared is None:
        if file_crs is None:
            raise CRSMismatchError(
                f"{path}: raster has no CRS; declare crs: in the catalog (e.g. EPSG:4326)"
            )
        return file_crs
    decl = parse_crs(declared, where=f"{path}: crs")
    if is_gcj02(decl):
        raise CRSMismatchError(
            f"{path}: GCJ-02 rasters are not supported; warp the raster to WGS84 first "
            "(or convert its corner coordinates) and declare EPSG:4326"
        )
    decl = cast(CRS, decl)
    if file_crs is None:
        logger.info("%s: raster has no CRS; using the declared %s", path, crs_label(decl))
        return decl
    if not crs_equivalent(file_crs, decl):
        raise CRSMismatchError(
            f"{path}: raster CRS {crs_label(file_crs)} differs from the declared "
            f"{crs_label(decl)}; fix crs: in the catalog (or reproject the raster)"
        )
    return file_crs


def read_to_grid(
    path: str | os.PathLike[str],
    grid: Grid,
    *,
    band: int = 1,
    resampling: str = "nearest",
    declared_crs: Any = None,
) -> np.ma.MaskedArray:
    """Warp one raster band onto ``grid``.

    Parameters
    ----------
    path
        Any GDAL raster (GeoTIFF, …).
    grid
        Target working grid (metric CRS).
    band
        1-based band index.
    resampling
        One of :data:`RESAMPLING_METHODS`; ``"nearest"`` for classes, ``"bilinear"``
        or ``"average"`` for continuous values.
    declared_crs
        CRS from the catalog: used when the file has none; must agree with the file's
        otherwise (EPSG:4490 ≈ EPSG:4326).

    Returns
    -------
    numpy.ma.MaskedArray
        Shape ``grid.shape``, the source dtype, in the source units; masked where the
        source is nodata/NaN or the cell centre lies outside the source.

    Raises
    ------
    LayerIOError
        Missing or corrupt file, band out of range.
    CRSMismatchError
        No CRS, a CRS that disagrees with the declared one, or implausible bounds.
    ConfigError
        Unknown resampling name.
    """
    p = Path(path)
    rs = _resampling(resampling)
    with _open(p) as src:
        if not 1 <= int(band) <= src.count:
            raise LayerIOError(
                f"{p}: band {band} requested but the raster has {src.count} band(s); "
                f"set band: to 1…{src.count}"
            )
        src_crs = _source_crs(src, declared_crs, p)
        check_plausible(tuple(src.bounds), src_crs, path=p, region_lonlat=None)
        dtype = np.dtype(src.dtypes[band - 1])
        nodata = src.nodatavals[band - 1]
        if nodata is not None and np.isnan(nodata) and dtype.kind != "f":
            nodata = None
        dst_nodata: float | None = nodata
        if dst_nodata is None and dtype.kind == "f":
            dst_nodata = float("nan")
        dst = np.empty(grid.shape, dtype=dtype)
        dst.fill(dst_nodata if dst_nodata is not None else 0)
        kw: dict[str, Any] = {
            "destination": dst,
            "src_crs": src_crs,
            "src_transform": src.transform,
            "src_nodata": nodata,
            "dst_transform": grid.transform,
            "dst_crs": grid.crs,
            "dst_nodata": dst_nodata,
            "resampling": rs,
            "init_dest_nodata": dst_nodata is not None,
            # GDAL's warper splits large outputs into chunks and runs them on both
            # cores (the 30 m Ordos grid: 173 M cells)
            "num_threads": 2 if grid.size >= 10_000_000 else 1,
            "warp_mem_limit": 256,
        }
        try:
            with rasterio.Env(**_READ_ENV):
                if src.crs is not None:
                    # Warp straight from the file: no in-memory copy of the source band.
                    reproject(source=rasterio.band(src, band), **kw)
                else:
                    reproject(source=src.read(band), **kw)
        except RasterioError as exc:
            msg = " ".join(str(exc).split())[:160]
            raise LayerIOError(
                f"{p}: cannot read band {band} ({msg}); the file may be truncated or corrupt: "
                "re-export or re-download it"
            ) from exc
        if dst_nodata is None:
            mask = _outside_source(grid, src_crs, src.transform, src.width, src.height)
        elif dtype.kind == "f":
            mask = ~np.isfinite(dst)  # NaN and ±inf are no measurement: nodata
            if nodata is not None and not np.isnan(nodata):
                mask |= dst == dtype.type(nodata)
        else:
            mask = dst == dtype.type(dst_nodata)
    out = np.ma.MaskedArray(dst, mask=mask, copy=False)
    if mask.all():
        logger.warning(
            "%s: band %d has no valid pixels on the grid (all nodata/NaN or outside the "
            "raster); check the file's extent, nodata value and CRS", p, band,
        )
    if dst_nodata is not None and not np.isnan(dst_nodata):
        out.fill_value = dst_nodata
    logger.debug(
        "%s band %d → grid %s: %d of %d cells valid",
        p,
        band,
        grid.shape,
        int(mask.size - mask.sum()),
        mask.size,
    )
    return out


def _outside_source(
    grid: Grid, src_crs: CRS, src_transform: Any, width: int, height: int
) -> np.ndarray:
    """Cells whose centre falls outside a source raster that has no nodata value."""
    mask = np.zeros(grid.shape, dtype=bool)
    tr = Transformer.from_crs(grid.crs, src_crs, always_xy=True)
    inv = ~src_transform
    for win in grid.blocks(512):
        xs, ys = np.meshgrid(grid.centres_x(win), grid.centres_y(win))
        sx, sy = tr.transform(xs, ys)
        col = inv.a * sx + inv.b * sy + inv.c
        row = inv.d * sx + inv.e * sy + inv.f
        out = ~(np.isfinite(col) & np.isfinite(row))
        out |= (col < 0) | (col >= width) | (row < 0) | (row >= height)
        r0, c0 = int(win.row_off), int(win.col_off)
        mask[r0 : r0 + int(win.height), c0 : c0 + int(win.width)] = out
    return mask


def _tag_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def write_cog(
    arr: np.ndarray,
    grid: Grid,
    path: str | os.PathLike[str],
    *,
    nodata: float | int | None,
    tags: Mapping[str, Any],
    overwrite: bool = True,
    band_descriptions: Sequence[str] | None = None,
    overview_resampling: str = "nearest",
) -> Path:
    """Write an array on ``grid`` as a Cloud-Optimized GeoTIFF (deflate), atomically.

    Parameters
    ----------
    arr
        ``(rows, cols)`` or ``(bands, rows, cols)`` on ``grid``; a masked array has its
        masked cells written as ``nodata``; ``bool`` is written as ``uint8``.
    grid
        The working grid (gives CRS and transform).
    path
        Output ``.tif`` path.
    nodata
        Nodata value in the array's dtype (or ``None``).
    tags
        Dataset tags; should carry ``units`` and ``provenance``. Non-string values are
        stored as JSON (e.g. the ``reasons`` code table).
    overwrite
        Replace an existing file; otherwise raise :class:`OutputError`.
    band_descriptions
        One description per band.
    overview_resampling
        Resampling for the COG overviews (``"nearest"`` keeps class codes intact;
        ``"average"`` suits continuous values).

    Returns
    -------
    pathlib.Path
        The final path.
    """
    a = np.asarray(arr)
    if isinstance(arr, np.ma.MaskedArray):
        if nodata is None and np.ma.getmaskarray(arr).any():
            raise OutputError(f"{path}: masked array needs a nodata value; pass nodata=")
        a = arr.filled(nodata) if nodata is not None else arr.data
    if a.dtype == bool:
        a = a.astype("uint8")
    if a.ndim == 2:
        a = a[np.newaxis]
    if a.ndim != 3:
        raise OutputError(f"{path}: array must be 2-D or 3-D (got shape {a.shape})")
    grid.check_array(a, what=str(path))
    count = a.shape[0]
    if band_descriptions is not None and len(band_descriptions) != count:
        raise OutputError(
            f"{path}: {len(band_descriptions)} band descriptions for {count} band(s); "
            "give one per band"
        )
    missing = [k for k in ("units", "provenance") if k not in tags]
    if missing:
        logger.warning("%s: raster tags lack %s", path, ", ".join(missing))
    ovr = _resampling(overview_resampling).name.upper()
    profile = grid.to_profile(dtype=a.dtype.name, nodata=nodata, count=count)
    profile["crs"] = named_wkt(grid.crs)  # the working CRS by name (QGIS shows it)
    # the staging file is temporary: no compression (the COG copy compresses once)
    profile.update(tiled=True, blockxsize=512, blockysize=512, compress=None)
    with rasterio.Env(GDAL_PAM_ENABLED="NO"), atomic_path(path, overwrite=overwrite) as tmp:
        staging = tmp.parent / (tmp.name + ".staging.tif")
        try:
            with rasterio.open(staging, "w", **profile) as ds:
                ds.write(a)
                ds.update_tags(**{str(k): _tag_text(v) for k, v in tags.items()})
                for i, text in enumerate(band_descriptions or (), start=1):
                    ds.set_band_description(i, str(text))
            with rasterio.open(staging) as ds:
                rasterio.shutil.copy(
                    ds,
                    tmp,
                    driver="COG",
                    COMPRESS="DEFLATE",
                    PREDICTOR="YES",  # horizontal/floating-point predictor: smaller files
                    BLOCKSIZE=512,
                    OVERVIEW_RESAMPLING=ovr,
                    NUM_THREADS="ALL_CPUS",  # tiles compress independently: same bytes
                )
        except (RasterioError, OSError) as exc:
            msg = " ".join(str(exc).split())[:160]
            raise OutputError(
                f"{path}: cannot write GeoTIFF ({msg}); check free space and permissions of "
                "the output folder"
            ) from exc
        finally:
            staging.unlink(missing_ok=True)
    logger.info("wrote %s (%d band(s), %s)", path, count, a.dtype.name)
    return Path(path)
