"""Score overlays land where Leaflet draws them (Web Mercator), nodata is transparent."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import numpy as np
import pytest
import rasterio
from PIL import Image
from pyproj import Transformer
from rasterio.transform import from_origin

from ordos_geo.crs import WORK_CRS
from ordos_geo.errors import LayerIOError
from ordos_geo.maps.rasters import score_colormap, score_overlay

HOT_LONLAT = (108.9, 39.6)


def _write(path: Path, arr: np.ndarray, west: float, north: float, res: float,
           crs: object = WORK_CRS) -> None:
    prof = {"driver": "GTiff", "width": arr.shape[1], "height": arr.shape[0], "count": 1,
            "dtype": "uint8", "crs": crs, "transform": from_origin(west, north, res, res),
            "nodata": 255}
    with rasterio.open(path, "w", **prof) as dst:
        dst.write(arr, 1)


def _png(uri: str) -> np.ndarray:
    raw = base64.b64decode(uri.split(",", 1)[1])
    return np.asarray(Image.open(io.BytesIO(raw)).convert("RGBA"))


def _pixel_of(lon: float, lat: float, bounds: tuple, shape: tuple[int, int]) -> tuple[int, int]:
    """Where Leaflet puts (lon, lat) inside an ImageOverlay: linear in Web Mercator."""
    to_m = Transformer.from_crs("EPSG:4326", "EPSG:3857", always_xy=True)
    (south, west), (north, east) = bounds
    left, bottom = to_m.transform(west, south)
    right, top = to_m.transform(east, north)
    x, y = to_m.transform(lon, lat)
    return int((top - y) / (top - bottom) * shape[0]), int((x - left) / (right - left) * shape[1])


def test_hot_block_lands_at_its_lonlat(tmp_path: Path) -> None:
    # 400 km x 300 km at 1 km in the working Albers CRS; low score everywhere, a 100 block
    west, north, res = -200_000.0, 200_000.0, 1000.0
    arr = np.full((300, 400), 10, dtype="uint8")
    arr[:, :30] = 255  # nodata strip on the west
    to_alb = Transformer.from_crs("EPSG:4326", WORK_CRS, always_xy=True)
    hx, hy = to_alb.transform(*HOT_LONLAT)
    r, c = int((north - hy) // res), int((hx - west) // res)
    arr[r - 5:r + 5, c - 5:c + 5] = 100
    path = tmp_path / "pv_score.tif"
    _write(path, arr, west, north, res)

    ov = score_overlay(path, max_px=600)
    img = _png(ov.data_uri)
    assert img.shape[:2] == ov.shape and max(ov.shape) <= 600
    row, col = _pixel_of(*HOT_LONLAT, ov.bounds, ov.shape)
    hot = np.array([int(score_colormap()(100)[i:i + 2], 16) for i in (1, 3, 5)])
    assert np.abs(img[row, col, :3].astype(int) - hot).max() <= 2
    assert img[row, col, 3] > 0
    # 15 km away from the block it is the low score colour again
    row2, col2 = _pixel_of(HOT_LONLAT[0] + 0.2, HOT_LONLAT[1], ov.bounds, ov.shape)
    assert np.abs(img[row2, col2, :3].astype(int) - hot).max() > 40
    # the nodata strip (west edge) is transparent
    to_ll = Transformer.from_crs(WORK_CRS, "EPSG:4326", always_xy=True)
    lon_nd, lat_nd = to_ll.transform(west + 10_000, north - 150_000)
    rn, cn = _pixel_of(lon_nd, lat_nd, ov.bounds, ov.shape)
    assert img[rn, cn, 3] == 0


def test_geographic_raster_and_size_cap(tmp_path: Path) -> None:
    arr = np.tile(np.linspace(0, 100, 3000).astype("uint8"), (150, 1))
    path = tmp_path / "wind_score.tif"
    _write(path, arr, 106.7, 40.9, 0.0015, crs="EPSG:4326")
    ov = score_overlay(path, max_px=400)
    assert max(ov.shape) <= 400
    (south, west), (north, east) = ov.bounds
    assert west == pytest.approx(106.7, abs=0.01) and east == pytest.approx(111.2, abs=0.01)
    assert north == pytest.approx(40.9, abs=0.01) and south == pytest.approx(40.675, abs=0.01)
    img = _png(ov.data_uri)
    # the west edge is low-score (light), the east edge high-score (dark)
    mid = img.shape[0] // 2
    assert img[mid, 2, :3].sum() > img[mid, -3, :3].sum()


def test_unreadable_raster(tmp_path: Path) -> None:
    bad = tmp_path / "pv_score.tif"
    bad.write_text("not a tiff")
    with pytest.raises(LayerIOError, match=r"pv_score\.tif"):
        score_overlay(bad, max_px=100)
