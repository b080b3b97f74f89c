"""Coordinate reference systems for Ordos: parsing, Gauss-Krüger zones, GCJ-02, checks.

- :mod:`ordos_geo.crs.parse` — the working equal-area CRS (:data:`WORK_CRS`), datums,
  3° Gauss-Krüger zones with and without the zone prefix, :func:`parse_crs`.
- :mod:`ordos_geo.crs.gcj02` — GCJ-02 (Amap/Gaode, Tencent) ⇄ WGS84.
- :mod:`ordos_geo.crs.checks` — :func:`check_plausible` catches swapped axes,
  Gauss-Krüger metres declared as degrees (and the reverse), a missing or wrong zone
  prefix and data outside Ordos with a one-line
  :class:`~ordos_geo.errors.CRSMismatchError`.

Examples
--------
>>> from ordos_geo.crs import gk_epsg, zone_from_easting
>>> gk_epsg(37, prefixed=True), gk_epsg(37, prefixed=False)
(4525, 4546)
>>> zone_from_easting(37_395_200.0)
37
"""

from ordos_geo.crs.checks import check_plausible
from ordos_geo.crs.gcj02 import gcj02_to_wgs84, wgs84_to_gcj02
from ordos_geo.crs.parse import (
    GCJ02,
    GEOGRAPHIC_EPSG,
    ORDOS_BBOX_LONLAT,
    ORDOS_GK_ZONES,
    WORK_CRS,
    WORK_CRS_NAME,
    WORK_CRS_PROJ4,
    CRSLike,
    Datum,
    GKZone,
    check_equal_area,
    crs_equivalent,
    crs_label,
    gk_epsg,
    gk_info,
    gk_zone_for_lon,
    is_gcj02,
    named_wkt,
    normalize_datum,
    parse_crs,
    zone_from_easting,
)

__all__ = [
    "GCJ02",
    "GEOGRAPHIC_EPSG",
    "ORDOS_BBOX_LONLAT",
    "ORDOS_GK_ZONES",
    "WORK_CRS",
    "WORK_CRS_NAME",
    "WORK_CRS_PROJ4",
    "CRSLike",
    "Datum",
    "GKZone",
    "check_equal_area",
    "check_plausible",
    "crs_equivalent",
    "crs_label",
    "gcj02_to_wgs84",
    "gk_epsg",
    "gk_info",
    "gk_zone_for_lon",
    "is_gcj02",
    "named_wkt",
    "normalize_datum",
    "parse_crs",
    "wgs84_to_gcj02",
    "zone_from_easting",
]
