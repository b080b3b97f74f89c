"""Coordinate reference systems used in Ordos: the working CRS, datums, Gauss-Krüger zones.

- Geographic: CGCS2000 (EPSG:4490) is treated as WGS84 (EPSG:4326) at map scale.
- 3° Gauss-Krüger zones (X north, Y east, metres): CGCS2000, Xian 1980 and Beijing
  1954, each with the 2-digit zone prefix in the false easting (e.g. EPSG:4525,
  false easting 37 500 000 m) or without it (EPSG:4546, 500 000 m). See
  :func:`gk_epsg` and ``docs/crs.md``.
- Working CRS for areas and grids: an equal-area Albers centred on Ordos
  (:data:`WORK_CRS`).
"""

from __future__ import annotations

import functools
import logging
import math
from dataclasses import dataclass
from typing import Any, Literal, cast, get_args

import numpy as np
from pyproj import CRS
from pyproj.exceptions import CRSError

from ordos_geo.errors import ConfigError

__all__ = [
    "GCJ02",
    "GEOGRAPHIC_EPSG",
    "ORDOS_BBOX_LONLAT",
    "ORDOS_GK_ZONES",
    "WORK_BASE_NAME",
    "WORK_CRS",
    "WORK_CRS_NAME",
    "WORK_CRS_PROJ4",
    "CRSLike",
    "Datum",
    "GKZone",
    "check_equal_area",
    "crs_equivalent",
    "crs_label",
    "gk_epsg",
    "gk_info",
    "gk_zone_for_lon",
    "is_gcj02",
    "named_wkt",
    "normalize_datum",
    "parse_crs",
    "zone_from_easting",
]

logger = logging.getLogger(__name__)

#: PROJ string of the working equal-area CRS (Albers, GRS80, metres), see DATA.md §3.
WORK_CRS_PROJ4 = (
    "+proj=aea +lat_0=39 +lon_0=108.6 +lat_1=38 +lat_2=40.5 +x_0=0 +y_0=0 "
    "+ellps=GRS80 +units=m +no_defs"
)
#: The working equal-area CRS as a :class:`pyproj.CRS`.
WORK_CRS: CRS = CRS.from_proj4(WORK_CRS_PROJ4)
#: Name written into result files for :data:`WORK_CRS` (GIS programs show it).
WORK_CRS_NAME = "Ordos Albers equal-area (GRS80; lat 38/40.5, lon 108.6) - ordos_geo"
#: Names of the parts of :data:`WORK_CRS` that a PROJ string leaves "unknown" (shown in
#: the CRS details of QGIS and ``gdalsrsinfo``): its geographic base (GRS80 ellipsoid, no
#: datum shift — the ellipsoid of CGCS2000, which differs from WGS84 by centimetres) and
#: its map projection.
WORK_BASE_NAME = "GRS 1980 geographic (ellipsoid of CGCS2000, no datum shift) - ordos_geo"
WORK_CONVERSION_NAME = "Ordos Albers equal-area (lat 38/40.5, lon 108.6)"


def named_wkt(crs: Any) -> str:
    """WKT2 of ``crs`` for output files: the working CRS carries :data:`WORK_CRS_NAME`.

    A CRS from a PROJ string is called "unknown" in WKT, and QGIS then shows an empty
    authority and the description "unknown"; the name changes nothing else (same
    parameters, so areas and coordinates are unchanged).

    Examples
    --------
    >>> CRS.from_wkt(named_wkt(WORK_CRS)).name == WORK_CRS_NAME
    True
    >>> CRS.from_wkt(named_wkt(WORK_CRS)).equals(WORK_CRS, ignore_axis_order=True)
    True
    >>> c = CRS.from_wkt(named_wkt(WORK_CRS))  # its base CRS and projection are named too
    >>> c.geodetic_crs.name == WORK_BASE_NAME, c.coordinate_operation.name
    (True, 'Ordos Albers equal-area (lat 38/40.5, lon 108.6)')
    """
    c = crs if isinstance(crs, CRS) else CRS.from_user_input(crs)
    wkt = c.to_wkt()
    if c.name == "unknown" and c.is_projected and c.equals(WORK_CRS, ignore_axis_order=True):
        wkt = wkt.replace('PROJCRS["unknown"', f'PROJCRS["{WORK_CRS_NAME}"', 1)
        wkt = wkt.replace('BASEGEOGCRS["unknown"', f'BASEGEOGCRS["{WORK_BASE_NAME}"', 1)
        wkt = wkt.replace('CONVERSION["unknown"', f'CONVERSION["{WORK_CONVERSION_NAME}"', 1)
    return wkt

#: Pseudo-CRS name for GCJ-02 coordinates in catalogs (``crs: GCJ-02``).
GCJ02 = "GCJ-02"

#: Ordos' extent in lon/lat (degrees, EPSG:4326), with a small margin:
#: 106°42′-111°27′ E, 37°35′-40°51′ N as published; the Amap outline reaches 106.48° E.
ORDOS_BBOX_LONLAT: tuple[float, float, float, float] = (106.4, 37.5, 111.6, 40.95)

Datum = Literal["CGCS2000", "Xian1980", "Beijing1954"]

#: What a catalog may declare as a CRS: EPSG code, string, :class:`pyproj.CRS`, "GCJ-02".
CRSLike = int | str | CRS

#: Geographic (lon/lat) EPSG code of each datum.
GEOGRAPHIC_EPSG: dict[str, int] = {"CGCS2000": 4490, "Xian1980": 4610, "Beijing1954": 4214}

#: 3° zones that cover Ordos (CM 105° E at the western edge, 108° E, 111° E).
ORDOS_GK_ZONES: tuple[int, ...] = (35, 36, 37)

# EPSG codes are consecutive per datum (verified with pyproj for zones 25-45, see
# tests/test_crs.py): (code of zone 25 with prefix, code of CM 75° E without prefix).
_GK_BASE: dict[str, tuple[int, int]] = {
    "CGCS2000": (4513, 4534),
    "Xian1980": (2349, 2370),
    "Beijing1954": (2401, 2422),
}
_MIN_ZONE, _MAX_ZONE = 25, 45

# Keywords that identify a datum in free text ("2000国家大地坐标系", "80西安坐标系" …).
_DATUM_KEYWORDS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("cgcs", "2000"), "CGCS2000"),
    (("西安", "xian", "xi'an", "1980"), "Xian1980"),
    (("北京", "beijing", "1954"), "Beijing1954"),
)

_GCJ_NAMES = {"gcj-02", "gcj02", "gcj", "gcj_02", "amap", "gaode", "火星坐标系"}
_GEO_NAMES = {"wgs84": 4326, "wgs 84": 4326, "wgs-84": 4326, "cgcs2000": 4490}


def normalize_datum(value: str, *, where: str = "datum") -> Datum:
    """Canonical datum name for a free-text datum / 坐标系 header value.

    Parameters
    ----------
    value
        E.g. ``"CGCS2000"``, ``"2000国家大地坐标系"``, ``"1980西安坐标系"``, ``"北京54"``.
    where
        Context for the error message (file and key).

    Raises
    ------
    ConfigError
        For an unknown datum.

    Examples
    --------
    >>> normalize_datum("2000国家大地坐标系"), normalize_datum("西安80")
    ('CGCS2000', 'Xian1980')
    """
    key = "".join(str(value).split()).lower().replace("_", "").replace("-", "")
    for words, datum in _DATUM_KEYWORDS:
        if any(w in key for w in words):
            return cast(Datum, datum)
    raise ConfigError(
        f"{where}: unknown datum {value!r}; use one of {', '.join(get_args(Datum))} "
        "(or 2000国家大地坐标系 / 1980西安坐标系 / 1954北京坐标系)"
    )


def gk_epsg(zone: int, *, prefixed: bool = True, datum: str = "CGCS2000") -> int:
    """EPSG code of a 3° Gauss-Krüger zone.

    Parameters
    ----------
    zone
        3° zone number (25-45); the central meridian is ``3 * zone`` degrees east
        (zone 36 → CM 108° E, zone 37 → CM 111° E).
    prefixed
        True: eastings carry the zone prefix (false easting ``zone * 1e6 + 500 000`` m);
        False: false easting 500 000 m.
    datum
        ``"CGCS2000"`` (default), ``"Xian1980"`` or ``"Beijing1954"`` (aliases such as
        ``"2000国家大地坐标系"`` are accepted).

    Examples
    --------
    >>> gk_epsg(37), gk_epsg(37, prefixed=False), gk_epsg(36, datum="Xian1980")
    (4525, 4546, 2360)
    >>> gk_epsg(35, prefixed=False, datum="Beijing1954")
    2432
    """
    d = normalize_datum(datum)
    if isinstance(zone, bool) or not isinstance(zone, int | np.integer):
        raise ConfigError(f"zone: must be an integer 3° zone number (got {zone!r}); e.g. 37")
    z = int(zone)
    if not _MIN_ZONE <= z <= _MAX_ZONE:
        raise ConfigError(
            f"zone: 3° Gauss-Krüger zone {z} is outside China ({_MIN_ZONE}-{_MAX_ZONE}); "
            "Ordos uses zones 35-37"
        )
    with_prefix, without = _GK_BASE[d]
    return with_prefix + (z - _MIN_ZONE) if prefixed else without + (z - _MIN_ZONE)


def gk_zone_for_lon(lon: float) -> int:
    """3° zone whose central meridian is nearest to ``lon`` (degrees east).

    Examples
    --------
    >>> gk_zone_for_lon(109.99), gk_zone_for_lon(107.2)
    (37, 36)
    """
    return math.floor(float(lon) / 3.0 + 0.5)


def zone_from_easting(y: float) -> int | None:
    """Zone number from a prefixed Gauss-Krüger easting, or ``None`` without prefix.

    A prefixed easting is ``zone * 1e6 + 500 000 ± ~170 000`` m, so any value ≥ 1e7
    carries the zone in its leading two digits.

    Examples
    --------
    >>> zone_from_easting(37395200.0), zone_from_easting(395200.0)
    (37, None)
    """
    v = float(y)
    if not math.isfinite(v) or v < 1e7:
        return None
    return int(v // 1_000_000)


@dataclass(frozen=True)
class GKZone:
    """A Chinese 3° Gauss-Krüger grid.

    Attributes
    ----------
    datum
        ``"CGCS2000"``, ``"Xian1980"`` or ``"Beijing1954"``.
    zone
        3° zone number (central meridian ``3 * zone`` ° E).
    prefixed
        Whether eastings carry the zone prefix.
    """

    datum: Datum
    zone: int
    prefixed: bool

    @property
    def central_meridian(self) -> int:
        """Central meridian in degrees east."""
        return 3 * self.zone

    @property
    def epsg(self) -> int:
        """EPSG code (see :func:`gk_epsg`)."""
        return gk_epsg(self.zone, prefixed=self.prefixed, datum=self.datum)

    @property
    def false_easting(self) -> float:
        """False easting in metres."""
        return self.zone * 1e6 + 5e5 if self.prefixed else 5e5


_EPSG_TO_GK: dict[int, GKZone] = {
    gk_epsg(z, prefixed=p, datum=d): GKZone(cast(Datum, d), z, p)
    for d in _GK_BASE
    for z in range(_MIN_ZONE, _MAX_ZONE + 1)
    for p in (True, False)
}


@functools.lru_cache(maxsize=256)
def _epsg_of(crs: CRS) -> int | None:
    # Cached: to_epsg() scans the EPSG database (~0.1 s for CRSs without a code).
    try:
        return crs.to_epsg(min_confidence=70)
    except CRSError:  # pragma: no cover - pyproj failure on odd WKT
        return None


def gk_info(crs: Any) -> GKZone | None:
    """The :class:`GKZone` a CRS is, or ``None`` if it is no Chinese 3° GK grid.

    Recognises the EPSG codes and equivalent WKT/.prj definitions (e.g. ESRI's
    ``CGCS2000_3_Degree_GK_Zone_37``) by their transverse Mercator parameters.

    Examples
    --------
    >>> gk_info(4525)
    GKZone(datum='CGCS2000', zone=37, prefixed=True)
    >>> gk_info("EPSG:4326") is None
    True
    """
    c = crs if isinstance(crs, CRS) else CRS.from_user_input(crs)
    code = _epsg_of(c)
    if code in _EPSG_TO_GK:
        return _EPSG_TO_GK[code]
    if not c.is_projected:
        return None
    p = _proj_params(c)
    if p.get("proj") != "tmerc" or float(p.get("k", p.get("k_0", 1.0))) != 1.0:
        return None
    lon0 = float(p.get("lon_0", 0.0))
    if lon0 % 3 != 0 or float(p.get("y_0", 0.0)) != 0.0:
        return None
    zone = int(lon0 // 3)
    x0 = float(p.get("x_0", 0.0))
    if x0 == 5e5:
        prefixed = False
    elif x0 == zone * 1e6 + 5e5:
        prefixed = True
    else:
        return None
    datum = _datum_of(c)
    if datum is None or not _MIN_ZONE <= zone <= _MAX_ZONE:
        return None
    return GKZone(datum, zone, prefixed)


def _proj_params(c: CRS) -> dict[str, Any]:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "lose projection information" is expected here
        return dict(c.to_dict())


def _datum_of(c: CRS) -> Datum | None:
    geod = c.geodetic_crs
    if geod is None:
        return None
    code = _epsg_of(geod)
    for d, g in GEOGRAPHIC_EPSG.items():
        if code == g:
            return cast(Datum, d)
    ell = c.ellipsoid
    if ell is None:
        return None
    name = (geod.name + " " + (c.datum.name if c.datum else "")).lower()
    if "xian" in name or "xi'an" in name or abs(ell.semi_major_metre - 6378140.0) < 0.5:
        return "Xian1980"
    if "beijing" in name or abs(ell.semi_major_metre - 6378245.0) < 0.5:
        return "Beijing1954"
    if abs(ell.semi_major_metre - 6378137.0) < 0.5:
        return "CGCS2000"
    return None


def parse_crs(value: Any, *, where: str = "crs") -> CRS | str:
    """Parse a declared CRS into a :class:`pyproj.CRS`, or the string ``"GCJ-02"``.

    Parameters
    ----------
    value
        An EPSG code (``4490``, ``"4490"``, ``"EPSG:4525"``), ``"CGCS2000"``,
        ``"WGS84"``, ``"GCJ-02"`` (also ``gcj02``), a WKT/PROJ string or a
        :class:`pyproj.CRS`.
    where
        Context for the error message, e.g. ``"layers/catalog.yaml: red_lines.crs"``.

    Raises
    ------
    ConfigError
        If the value is not a CRS.

    Examples
    --------
    >>> parse_crs("gcj02")
    'GCJ-02'
    >>> parse_crs(4525).to_epsg()
    4525
    """
    if isinstance(value, CRS):
        return value
    if value is None or isinstance(value, bool):
        raise ConfigError(f"{where}: no CRS given; declare one, e.g. EPSG:4490 or EPSG:4525")
    if isinstance(value, int | np.integer):
        return _from_epsg(int(value), where)
    text = str(value).strip()
    low = text.lower()
    if low in _GCJ_NAMES:
        return GCJ02
    if low in _GEO_NAMES:
        return CRS.from_epsg(_GEO_NAMES[low])
    if text.isdigit():
        return _from_epsg(int(text), where)
    try:
        return CRS.from_user_input(text)
    except CRSError as exc:
        raise ConfigError(
            f"{where}: unknown CRS {text[:60]!r}; use an EPSG code such as EPSG:4490, "
            "EPSG:4525 (CGCS2000 GK zone 37) or GCJ-02"
        ) from exc


def _from_epsg(code: int, where: str) -> CRS:
    try:
        return CRS.from_epsg(code)
    except CRSError as exc:
        raise ConfigError(
            f"{where}: EPSG:{code} is not a known CRS; use e.g. EPSG:4490 or EPSG:4525"
        ) from exc


def is_gcj02(value: Any) -> bool:
    """Whether ``value`` names GCJ-02 (``"GCJ-02"``, ``"gcj02"`` …).

    Use this instead of ``crs == GCJ02``: comparing a :class:`pyproj.CRS` with a
    string makes pyproj try to parse the string as a CRS (slow, ~0.2 s).

    Examples
    --------
    >>> is_gcj02("GCJ-02"), is_gcj02(CRS.from_epsg(4326))
    (True, False)
    """
    return isinstance(value, str) and value.strip().lower() in _GCJ_NAMES


def crs_label(crs: CRS | str | None) -> str:
    """Short human label: ``"EPSG:4525"``, ``"GCJ-02"``, or the CRS name."""
    if crs is None:
        return "no CRS"
    if isinstance(crs, str):
        return crs
    code = _epsg_of(crs)
    return f"EPSG:{code}" if code else crs.name


_CGCS_WGS = {4326, 4490}


def crs_equivalent(a: CRS, b: CRS) -> bool:
    """Whether two CRSs describe the same coordinates for this toolkit's purposes.

    Axis order is ignored (data are handled in x=east, y=north order). CGCS2000
    (EPSG:4490) and WGS84 (EPSG:4326) count as the same (they differ by centimetres),
    as do GK grids on the CGCS2000 and WGS84 ellipsoids with the same parameters.
    Xian 1980 or Beijing 1954 never equal CGCS2000 (tens of metres apart).

    Examples
    --------
    >>> crs_equivalent(CRS.from_epsg(4490), CRS.from_epsg(4326))
    True
    >>> crs_equivalent(CRS.from_epsg(4525), CRS.from_epsg(2361))
    False
    """
    if a.equals(b, ignore_axis_order=True):
        return True
    ca, cb = _epsg_of(a), _epsg_of(b)
    if ca is not None and ca == cb:
        return True
    if a.is_geographic and b.is_geographic:
        return ca in _CGCS_WGS and cb in _CGCS_WGS
    if a.is_projected and b.is_projected:
        ga, gb = gk_info(a), gk_info(b)
        if ga is not None or gb is not None:
            return ga == gb
        pa, pb = _proj_params(a), _proj_params(b)
        keys = ("proj", "lat_0", "lon_0", "lat_1", "lat_2", "k", "k_0", "x_0", "y_0", "units")
        if any(_num(pa.get(k)) != _num(pb.get(k)) for k in keys):
            return False
        ea, eb = a.ellipsoid, b.ellipsoid
        return (
            ea is not None
            and eb is not None
            and abs(ea.semi_major_metre - eb.semi_major_metre) < 0.5
            and abs(ea.inverse_flattening - eb.inverse_flattening) < 1e-3
        )
    return False


def _num(v: Any) -> Any:
    try:
        return round(float(v), 9)
    except (TypeError, ValueError):
        return v



#: Largest areal distortion accepted for a working grid (0.1 %: a Gauss-Krüger 3° zone
#: inside Ordos stays below 0.05 %; UTM 49N over all of Ordos reaches 0.3 %).
MAX_AREAL_DISTORTION = 1e-3


def check_equal_area(
    crs: Any, *, where: str, bounds: tuple[float, float, float, float] | None = None,
) -> None:
    """Refuse a working CRS whose cell areas are wrong over the grid.

    A CRS passes when its projection is equal-area by definition (Albers, Lambert
    azimuthal / cylindrical equal-area, Equal Earth, Mollweide, sinusoidal), or — when
    ``bounds`` (in ``crs`` units) are given — when the areal scale factor over those
    bounds departs from 1 by at most :data:`MAX_AREAL_DISTORTION`.

    Raises
    ------
    ConfigError
        ``<where>: EPSG:3857 is not equal-area (cell areas off by up to +68 % over the
        grid); use the default Ordos Albers …``.

    Examples
    --------
    >>> check_equal_area(WORK_CRS, where="grid.crs")
    >>> check_equal_area("EPSG:3857", where="--crs",
    ...                  bounds=(11.9e6, 4.6e6, 12.4e6, 5.0e6))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ordos_geo.errors.ConfigError: --crs: EPSG:3857 is not equal-area (cell areas off by up to +...
    """
    c = CRS.from_user_input(crs)
    op = c.coordinate_operation
    method = (op.method_name if op is not None else "").lower()
    if any(k in method for k in ("equal area", "equal-area", "equal earth", "mollweide",
                                 "sinusoidal")):
        return
    label = c.to_string() if c.to_epsg() is None else f"EPSG:{c.to_epsg()}"
    fix = ("use the default Ordos equal-area Albers (omit the CRS, or "
           f"'{WORK_CRS_PROJ4}') or another equal-area CRS")
    if bounds is None or not c.is_projected:
        what = method or "no projection"
        raise ConfigError(f"{where}: {label} is not an equal-area projection ({what}); areas "
                          f"would be wrong; {fix}")
    from pyproj import Proj, Transformer

    xmin, ymin, xmax, ymax = bounds
    xs, ys = np.meshgrid(np.linspace(xmin, xmax, 5), np.linspace(ymin, ymax, 5))
    tr = Transformer.from_crs(c, c.geodetic_crs, always_xy=True)
    lon, lat = tr.transform(xs.ravel(), ys.ravel())
    with np.errstate(invalid="ignore"):
        scale = np.asarray(Proj(c).get_factors(lon, lat).areal_scale, dtype=float)
    worst = float(np.nanmax(np.abs(scale - 1.0))) if np.isfinite(scale).any() else math.inf
    if worst > MAX_AREAL_DISTORTION:
        sign = "+" if np.nanmax(scale) - 1 >= 1 - np.nanmin(scale) else "-"
        raise ConfigError(f"{where}: {label} is not equal-area (cell areas off by up to "
                          f"{sign}{worst:.1%} over the grid); {fix}")
