"""Plausibility checks for coordinates against their declared CRS (Ordos).

:func:`check_plausible` catches the usual mistakes — swapped axes, Gauss-Krüger
metres declared as degrees and the reverse, a missing or wrong zone prefix, data
outside Ordos — with a one-line :class:`~ordos_geo.errors.CRSMismatchError`.
Re-exported by :mod:`ordos_geo.crs`.
"""

from __future__ import annotations

import functools
import math
from typing import Any, cast

from pyproj import CRS, Transformer

from ordos_geo.crs.parse import (
    _MAX_ZONE,
    _MIN_ZONE,
    ORDOS_BBOX_LONLAT,
    CRSLike,
    GKZone,
    crs_label,
    gk_epsg,
    gk_info,
    parse_crs,
    zone_from_easting,
)
from ordos_geo.errors import CRSMismatchError

__all__ = ["check_plausible"]

_LON_RANGE = (ORDOS_BBOX_LONLAT[0], ORDOS_BBOX_LONLAT[2])
_LAT_RANGE = (ORDOS_BBOX_LONLAT[1], ORDOS_BBOX_LONLAT[3])


def _where(path: Any, layer: Any) -> str:
    s = str(path) if path is not None else "<data>"
    return f"{s}: layer {layer!r}" if layer not in (None, "") else s


def _within(lo: float, hi: float, rng: tuple[float, float], pad: float = 0.0) -> bool:
    return rng[0] - pad <= lo and hi <= rng[1] + pad


def _northing_like(lo: float, hi: float) -> bool:
    return lo >= 1e6 and hi < 1e7


def _metres_hint(x0: float, x1: float, y0: float, y1: float) -> str:
    """Fix hint for metric coordinates that were declared as degrees."""
    if x0 >= 1e7 and zone_from_easting(x0) == zone_from_easting(x1):
        z = zone_from_easting(x0)
        if z is not None and _MIN_ZONE <= z <= _MAX_ZONE:
            return (
                f"they look like Gauss-Krüger zone {z} with prefix: declare crs: "
                f"EPSG:{gk_epsg(z)} (CGCS2000; Xian 1980 EPSG:{gk_epsg(z, datum='Xian1980')}, "
                f"Beijing 1954 EPSG:{gk_epsg(z, datum='Beijing1954')})"
            )
    if y0 >= 1e7 and _northing_like(x0, x1):
        z = zone_from_easting(y0)
        code = f"EPSG:{gk_epsg(z)}" if z and _MIN_ZONE <= z <= _MAX_ZONE else "its GK code"
        return (
            f"X/Y also look swapped (x is a northing, y an easting of zone {z}): swap the "
            f"columns and declare crs: {code}"
        )
    if x0 >= 1e5 and x1 < 1e6 and _northing_like(y0, y1):
        return (
            "they look like Gauss-Krüger metres without zone prefix: declare crs: EPSG:4544 "
            "(CM 105° E), EPSG:4545 (CM 108° E) or EPSG:4546 (CM 111° E)"
        )
    return "declare the projected CRS the data is in (crs: in the catalog)"


def check_plausible(
    bounds: tuple[float, float, float, float] | Any,
    crs: CRSLike | None,
    *,
    path: Any = None,
    layer: Any = None,
    region_lonlat: tuple[float, float, float, float] | None = ORDOS_BBOX_LONLAT,
) -> None:
    """Check that coordinates fit their CRS and lie in Ordos; raise one clear error if not.

    Parameters
    ----------
    bounds
        ``(xmin, ymin, xmax, ymax)`` in x = east (longitude / easting),
        y = north (latitude / northing) order, in units of ``crs``.
    crs
        The CRS the coordinates claim to be in (:class:`pyproj.CRS` or ``"GCJ-02"``).
    path, layer
        Named in the error message.
    region_lonlat
        Region the data must intersect (lon/lat degrees); default Ordos with a margin.
        ``None`` skips the region test.

    Raises
    ------
    CRSMismatchError
        For swapped lon/lat or X/Y, Gauss-Krüger metres declared as degrees, degrees
        declared as metres, a zone prefix missing, unexpected or from another zone,
        or data that do not reach the region.

    Examples
    --------
    >>> check_plausible((109.0, 39.0, 110.0, 40.0), CRS.from_epsg(4490), path="a.shp")
    >>> check_plausible((39.0, 109.0, 40.0, 110.0), 4490, path="a.shp")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ordos_geo.errors.CRSMismatchError: a.shp: longitude and latitude look swapped ...
    """
    vals = [float(v) for v in bounds]
    if len(vals) != 4 or not all(math.isfinite(v) for v in vals):
        return  # empty layer: nothing to check
    x0, y0, x1, y1 = vals
    where = _where(path, layer)
    if crs is None:
        raise CRSMismatchError(f"{where}: no CRS; declare crs: in the catalog (e.g. EPSG:4490)")
    if not isinstance(crs, CRS):
        crs = parse_crs(crs, where=where)
    label = crs_label(crs)
    geographic = isinstance(crs, str) or crs.is_geographic
    if geographic:
        if max(abs(x0), abs(x1), abs(y0), abs(y1)) > 360:
            raise CRSMismatchError(
                f"{where}: coordinates look like metres (x {x0:.0f}…{x1:.0f}, y {y0:.0f}…"
                f"{y1:.0f}) but the CRS {label} is in degrees; {_metres_hint(x0, x1, y0, y1)}"
            )
        if _within(x0, x1, _LAT_RANGE, 1.0) and _within(y0, y1, _LON_RANGE, 1.0):
            raise CRSMismatchError(
                f"{where}: longitude and latitude look swapped (x ≈ {(x0 + x1) / 2:.2f}, "
                f"y ≈ {(y0 + y1) / 2:.2f}; Ordos is lon 106.7-111.5, lat 37.6-40.9); "
                "swap the lon/lat columns (x must be the longitude)"
            )
        if abs(y0) > 90 or abs(y1) > 90 or abs(x0) > 360 or abs(x1) > 360:
            raise CRSMismatchError(
                f"{where}: latitude outside ±90° (y {y0:g}…{y1:g}) in {label}; "
                "check the column order and the declared CRS"
            )
        lonlat = (x0, y0, x1, y1)
    else:
        crs = cast(CRS, crs)  # only "GCJ-02" is a str, handled above
        if max(abs(x0), abs(x1), abs(y0), abs(y1)) <= 360:
            raise CRSMismatchError(
                f"{where}: coordinates look like degrees (x {x0:g}…{x1:g}, y {y0:g}…{y1:g}) "
                f"but the CRS {label} is in metres; declare crs: EPSG:4490 (CGCS2000 "
                "lon/lat) or EPSG:4326"
            )
        gk = gk_info(crs)
        if gk is not None:
            _check_gk(gk, x0, y0, x1, y1, where=where, label=label)
        lonlat = _lonlat_bounds(crs, (x0, y0, x1, y1))
    if region_lonlat is None:
        return
    rx0, ry0, rx1, ry1 = region_lonlat
    lx0, ly0, lx1, ly1 = lonlat
    eps = 1e-6  # degrees (~0.1 m): rounding of reprojected bounds at the region's edge
    if (
        not all(math.isfinite(v) for v in lonlat)
        or lx1 < rx0 - eps
        or lx0 > rx1 + eps
        or ly1 < ry0 - eps
        or ly0 > ry1 + eps
    ):
        raise CRSMismatchError(
            f"{where}: data lie outside Ordos (lon {lx0:.3f}…{lx1:.3f}, lat {ly0:.3f}…{ly1:.3f} "
            f"when read as {label}); check the declared CRS or the coordinates"
        )


def _check_gk(
    gk: GKZone, x0: float, y0: float, x1: float, y1: float, *, where: str, label: str
) -> None:
    if _northing_like(x0, x1) and (y0 >= 1e7 or (y0 >= 1e5 and y1 < 1e6)):
        raise CRSMismatchError(
            f"{where}: X and Y look swapped (x ≈ {x0:.0f} is a northing, y ≈ {y0:.0f} an "
            "easting; Gauss-Krüger X is north, Y east with the zone prefix); swap the "
            "coordinate columns"
        )
    if gk.prefixed and x1 < 1e6:
        alt = gk_epsg(gk.zone, prefixed=False, datum=gk.datum)
        raise CRSMismatchError(
            f"{where}: eastings have no zone prefix (x ≈ {x0:.0f}) but {label} expects "
            f"prefixed eastings ≈ {gk.zone}xxxxxx; declare crs: EPSG:{alt} (CM "
            f"{gk.central_meridian}° E without prefix) if that is the zone"
        )
    if not gk.prefixed and x0 >= 1e7:
        z: int = zone_from_easting(x0) or gk.zone
        fix = (
            f"EPSG:{gk_epsg(z, prefixed=True, datum=gk.datum)}"
            if _MIN_ZONE <= z <= _MAX_ZONE
            else "the prefixed GK code"
        )
        raise CRSMismatchError(
            f"{where}: eastings carry zone prefix {z} (x ≈ {x0:.0f}) but {label} has no "
            f"prefix; declare crs: {fix}"
        )
    if gk.prefixed:
        zones = {zone_from_easting(x0), zone_from_easting(x1)}
        if zones != {gk.zone}:
            found = ", ".join(str(z) for z in sorted(z for z in zones if z is not None))
            zx = zone_from_easting(x0)
            fix = (
                f"declare crs: EPSG:{gk_epsg(zx, datum=gk.datum)}"
                if zx is not None and _MIN_ZONE <= zx <= _MAX_ZONE and len(zones) == 1
                else "check the eastings"
            )
            raise CRSMismatchError(
                f"{where}: eastings are in zone {found} (x ≈ {x0:.0f}) but {label} is zone "
                f"{gk.zone}; {fix}"
            )


@functools.lru_cache(maxsize=64)
def _to_lonlat(crs: CRS) -> Transformer:
    return Transformer.from_crs(crs, 4326, always_xy=True)


def _lonlat_bounds(
    crs: CRS, b: tuple[float, float, float, float]
) -> tuple[float, float, float, float]:
    try:
        out = _to_lonlat(crs).transform_bounds(*b, densify_pts=11)
    except Exception:  # pyproj raises various errors for out-of-domain bounds
        return (math.nan, math.nan, math.nan, math.nan)
    return (float(out[0]), float(out[1]), float(out[2]), float(out[3]))
