"""Score rasters as Leaflet image overlays (PNG data URIs, Web-Mercator-correct).

Leaflet's ``ImageOverlay`` stretches an image linearly between two lon/lat corners
*in screen (Web Mercator) space*. An image gridded in EPSG:4326 would therefore be
misplaced north–south by up to ~2.2 km in the middle of Ordos' 3.4° latitude span, and one in
the working Albers CRS would be skewed. So the raster is warped to EPSG:3857 first
(nearest neighbour: scores are classes of 1 point, not to be smoothed) and only its
corner coordinates are given in lon/lat.
"""

from __future__ import annotations

import base64
import io
import logging
import os
from dataclasses import dataclass

import numpy as np
import rasterio
from branca.colormap import LinearColormap
from pyproj import Transformer
from rasterio.enums import Resampling
from rasterio.warp import calculate_default_transform, reproject

from ordos_geo.errors import LayerIOError
from ordos_geo.maps.styles import SCORE_COLOURS

__all__ = ["ScoreOverlay", "score_colormap", "score_overlay"]

log = logging.getLogger(__name__)

_WEB_MERCATOR = "EPSG:3857"


def score_colormap(vmin: float = 0.0, vmax: float = 100.0) -> LinearColormap:
    """The branca colour map used for suitability scores (0–100)."""
    return LinearColormap(list(SCORE_COLOURS), vmin=vmin, vmax=vmax)


@dataclass(frozen=True)
class ScoreOverlay:
    """A rendered score raster.

    Attributes
    ----------
    data_uri
        ``data:image/png;base64,...`` of the RGBA image (transparent = nodata).
    bounds
        ``((south, west), (north, east))`` in degrees (EPSG:4326).
    shape
        (rows, cols) of the PNG.
    valid_fraction
        Share of PNG pixels that carry a score.
    """

    data_uri: str
    bounds: tuple[tuple[float, float], tuple[float, float]]
    shape: tuple[int, int]
    valid_fraction: float


def _size(width: int | None, height: int | None, path: object) -> tuple[int, int]:
    if width is None or height is None:  # rasterio returns None only on failure
        raise LayerIOError(f"{path}: cannot compute a Web Mercator grid; check its CRS")
    return int(width), int(height)


def _lut(opacity: float) -> np.ndarray:
    cmap = score_colormap()
    lut = np.zeros((256, 4), dtype=np.uint8)  # everything transparent by default
    for v in range(101):
        r, g, b, _ = cmap.rgba_floats_tuple(v)
        lut[v] = (round(r * 255), round(g * 255), round(b * 255), round(opacity * 255))
    return lut


def score_overlay(
    path: str | os.PathLike[str], *, max_px: int, opacity: float = 0.7
) -> ScoreOverlay:
    """Render a score GeoTIFF (uint8 0–100, nodata 255) as a Web-Mercator PNG.

    Parameters
    ----------
    path
        GeoTIFF with a CRS (any projected or geographic CRS).
    max_px
        Longest side of the output image in pixels (coarser if the source is larger).
    opacity
        Alpha of scored pixels (0–1); nodata and values > 100 are transparent.

    Raises
    ------
    LayerIOError
        If the file cannot be read or has no CRS.
    """
    try:
        src = rasterio.open(path)
    except rasterio.errors.RasterioIOError as exc:
        raise LayerIOError(
            f"{path}: cannot open score raster ({exc}); rerun the siting step"
        ) from exc
    with src:
        if src.crs is None:
            raise LayerIOError(f"{path}: score raster has no CRS; rerun the siting step")
        nodata = 255 if src.nodata is None else int(src.nodata)
        transform, width, height = calculate_default_transform(
            src.crs, _WEB_MERCATOR, src.width, src.height, *src.bounds
        )
        width, height = _size(width, height, path)
        scale = max(width, height) / max_px
        if scale > 1:
            width, height = max(1, round(width / scale)), max(1, round(height / scale))
            transform, width, height = calculate_default_transform(
                src.crs, _WEB_MERCATOR, src.width, src.height, *src.bounds,
                dst_width=width, dst_height=height,
            )
            width, height = _size(width, height, path)
        dst = np.full((height, width), nodata, dtype=np.uint8)
        band = src.read(1)
        band = np.where(band == nodata, 255, band).astype(np.uint8)
        reproject(
            band, dst, src_transform=src.transform, src_crs=src.crs, src_nodata=255,
            dst_transform=transform, dst_crs=_WEB_MERCATOR, dst_nodata=255,
            resampling=Resampling.nearest,
        )
    rgba = _lut(opacity)[dst]
    from PIL import Image  # Pillow ships with matplotlib, a core dependency

    buf = io.BytesIO()
    Image.fromarray(rgba, "RGBA").save(buf, format="PNG", optimize=True)
    # north-up transform from calculate_default_transform (no rotation terms)
    left, top = transform.c, transform.f
    right, bottom = left + transform.a * width, top + transform.e * height
    to_ll = Transformer.from_crs(_WEB_MERCATOR, "EPSG:4326", always_xy=True)
    west, south = to_ll.transform(left, bottom)
    east, north = to_ll.transform(right, top)
    valid = float(np.mean(dst <= 100)) if dst.size else 0.0
    log.info("map: %s rendered %dx%d px (%.0f KB PNG, %.0f%% scored)", path, width, height,
             buf.tell() / 1024, 100 * valid)
    return ScoreOverlay(
        data_uri="data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii"),
        bounds=((float(south), float(west)), (float(north), float(east))),
        shape=(int(height), int(width)),
        valid_fraction=valid,
    )
