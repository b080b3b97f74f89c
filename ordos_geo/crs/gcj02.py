"""GCJ-02 (Amap/Gaode, Tencent) ⇄ WGS84.

GCJ-02 has no EPSG code; it is an obfuscating offset of ~435-570 m ENE at Ordos. The
public reverse-engineered formula is used forward; :func:`gcj02_to_wgs84` inverts it
iteratively (< 1 mm).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["gcj02_to_wgs84", "wgs84_to_gcj02"]

_A = 6378245.0
_EE = 0.00669342162296594323


def _transform_lat(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
    ret += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    ret += (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    ret += (160.0 * np.sin(y / 12.0 * np.pi) + 320 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    return ret


def _transform_lon(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    ret += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    ret += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    ret += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    return ret


def _offset(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    dlat = _transform_lat(lon - 105.0, lat - 35.0)
    dlon = _transform_lon(lon - 105.0, lat - 35.0)
    radlat = lat / 180.0 * np.pi
    magic = 1 - _EE * np.sin(radlat) ** 2
    sqrtmagic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrtmagic) * np.pi)
    dlon = (dlon * 180.0) / (_A / sqrtmagic * np.cos(radlat) * np.pi)
    return dlon, dlat


def wgs84_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Forward GCJ-02 obfuscation (vectorised).

    Parameters
    ----------
    lon, lat
        WGS84 longitude/latitude in degrees (arrays or scalars).

    Returns
    -------
    lon, lat
        GCJ-02 degrees.

    Examples
    --------
    >>> x, y = wgs84_to_gcj02(109.99, 39.82)
    >>> round(float(x) - 109.99, 4) > 0
    True
    """
    lon_a = np.asarray(lon, dtype="float64")
    lat_a = np.asarray(lat, dtype="float64")
    dlon, dlat = _offset(lon_a, lat_a)
    return lon_a + dlon, lat_a + dlat


def gcj02_to_wgs84(
    lon: ArrayLike, lat: ArrayLike, *, tol_deg: float = 1e-10, max_iter: int = 30
) -> tuple[np.ndarray, np.ndarray]:
    """Inverse of :func:`wgs84_to_gcj02` by fixed-point iteration (vectorised).

    Converges to better than 1e-9° (~0.1 mm) in a handful of iterations in China.

    Examples
    --------
    >>> x, y = wgs84_to_gcj02(109.99, 39.82)
    >>> lon, lat = gcj02_to_wgs84(x, y)
    >>> abs(float(lon) - 109.99) < 1e-8 and abs(float(lat) - 39.82) < 1e-8
    True
    """
    glon = np.asarray(lon, dtype="float64")
    glat = np.asarray(lat, dtype="float64")
    wlon, wlat = glon.copy(), glat.copy()
    for _ in range(max_iter):
        flon, flat = wgs84_to_gcj02(wlon, wlat)
        dlon, dlat = flon - glon, flat - glat
        wlon = wlon - dlon
        wlat = wlat - dlat
        if np.all(np.abs(dlon) < tol_deg) and np.all(np.abs(dlat) < tol_deg):
            break
    return wlon, wlat


# --- CRS parsing and Gauss-Krüger zones -----------------------------------------------

#: Geodetic datums of Chinese Gauss-Krüger grids handled here.
