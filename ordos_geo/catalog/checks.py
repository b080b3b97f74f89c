"""Checks, statistics and descriptions of catalog layers (``layers validate|list|show``).

The registry (:mod:`ordos_geo.catalog.registry`) maps ids to files; this module opens the
files and reports on them. Problems are collected in a
:class:`ValidationReport`, never raised, so one bad layer does not hide the others.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

import pyproj

from ordos_geo import crs as _crs
from ordos_geo.catalog.spec import LayerSpec
from ordos_geo.config import display_path
from ordos_geo.crs import check_plausible, parse_crs
from ordos_geo.errors import OrdosGeoError


class VectorSource(Protocol):
    """What the checks need from a catalog: cached vector reads by layer id."""

    def vector(self, layer_id: str, crs: Any = ...) -> Any: ...

    def origin(self, layer_id: str) -> Any: ...

__all__ = ["LayerCheck", "ValidationReport", "check_layer", "describe_layer", "layer_stats"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LayerCheck:
    """Outcome of checking one layer (see :meth:`Catalog.validate`).

    ``bounds_lonlat`` is (west, south, east, north) in degrees (EPSG:4326); ``size`` is
    ``(width, height, bands)`` for rasters.
    """

    id: str
    kind: str
    problems: tuple[str, ...] = ()
    repaired: int = 0
    features: int | None = None
    size: tuple[int, int, int] | None = None
    bounds_lonlat: tuple[float, float, float, float] | None = None

    @property
    def status(self) -> Literal["ok", "repaired", "problem"]:
        """``problem`` if any problem, else ``repaired`` if geometries were repaired, else ok."""
        if self.problems:
            return "problem"
        return "repaired" if self.repaired else "ok"

    def line(self) -> str:
        """One line for ``layers validate``: ``id: OK (…)`` / ``REPAIRED n`` / ``PROBLEM: …``."""
        what = (
            f"{self.features} feature{'' if self.features == 1 else 's'}"
            if self.features is not None
            else f"{self.size[0]}x{self.size[1]} px, {self.size[2]} band(s)"
            if self.size
            else ""
        )
        if self.problems:
            return f"{self.id}: PROBLEM: {'; '.join(self.problems)}"
        if self.repaired:
            return f"{self.id}: REPAIRED {self.repaired} geometries ({what})"
        return f"{self.id}: OK ({what})"


@dataclass
class ValidationReport:
    """Per-layer checks of a catalog; ``ok`` is true when no layer has a problem."""

    checks: list[LayerCheck] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no layer has a problem (repaired geometries are not problems)."""
        return not any(c.problems for c in self.checks)

    @property
    def problems(self) -> list[str]:
        """One line per problem: ``layer_id: what is wrong``."""
        return [f"{c.id}: {p}" for c in self.checks for p in c.problems]

    def lines(self) -> list[str]:
        """One line per layer (see :meth:`LayerCheck.line`)."""
        return [c.line() for c in self.checks]


def _overlaps(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def _bounds_lonlat(bounds: Iterable[float], crs: Any) -> tuple[float, float, float, float]:
    """(minx, miny, maxx, maxy) in the declared CRS → lon/lat degrees (EPSG:4326)."""
    b = tuple(float(v) for v in bounds)
    if crs == _crs.GCJ02:  # the ~0.5 km offset does not matter for an extent
        return b[0], b[1], b[2], b[3]
    tr = pyproj.Transformer.from_crs(parse_crs(crs), "EPSG:4326", always_xy=True)
    w, s, e, n = tr.transform_bounds(b[0], b[1], b[2], b[3], densify_pts=21)
    return float(w), float(s), float(e), float(n)


def _fmt_bounds(b: Iterable[float]) -> str:
    return "(" + ", ".join(f"{v:.4g}" for v in b) + ")"


def _raster_size(info: dict[str, Any]) -> tuple[int, int, int]:
    shape = info.get("shape") or (0, 0)
    height, width = int(shape[-2]), int(shape[-1])
    return width, height, int(info.get("count") or 1)


def _check_vector(cat: VectorSource, spec: LayerSpec) -> LayerCheck:
    try:
        gdf = cat.vector(spec.id, crs="EPSG:4326")
    except Exception as exc:  # collected, not raised: the report lists every layer
        return LayerCheck(spec.id, spec.kind, problems=(_one_line(exc),))
    problems: list[str] = []
    n = len(gdf)
    repaired = int(gdf.attrs.get("repaired", 0) or 0)
    bounds: tuple[float, float, float, float] | None = None
    if n == 0:
        problems.append(f"{display_path(spec.path)}: no features; check the file and its layer")
    else:
        invalid = int((~gdf.geometry.is_valid).sum())
        if invalid:
            problems.append(f"{invalid} invalid geometries remain after repair")
        bounds = tuple(float(v) for v in gdf.total_bounds)  # type: ignore[assignment]
        if bounds is not None and not _overlaps(bounds, _crs.ORDOS_BBOX_LONLAT):
            problems.append(
                f"extent {_fmt_bounds(bounds)} (lon/lat) does not overlap Ordos "
                f"{_fmt_bounds(_crs.ORDOS_BBOX_LONLAT)}; check crs: {spec.crs}"
            )
    return LayerCheck(
        spec.id, spec.kind, tuple(problems), repaired=repaired, features=n, bounds_lonlat=bounds
    )


def _check_raster(spec: LayerSpec) -> LayerCheck:
    try:
        from ordos_geo.io.raster import raster_info

        info = raster_info(spec.path)
    except Exception as exc:
        return LayerCheck(spec.id, spec.kind, problems=(_one_line(exc),))
    problems: list[str] = []
    size = _raster_size(info)
    if size[0] * size[1] == 0:
        problems.append(f"{display_path(spec.path)}: raster has no pixels")
    native = tuple(float(v) for v in info["bounds"])
    # the catalog's crs: wins; without it the file's own CRS is used
    crs: Any = spec.crs
    if not crs and info.get("wkt"):
        crs = pyproj.CRS.from_wkt(info["wkt"])
    try:
        check_plausible(native, crs, path=display_path(spec.path), layer=spec.id)
    except Exception as exc:
        problems.append(_one_line(exc))
    bounds: tuple[float, float, float, float] | None = None
    if crs is not None:
        try:
            bounds = _bounds_lonlat(native, crs)
        except Exception as exc:
            problems.append(f"cannot transform bounds from {spec.crs}: {_one_line(exc)}")
    if bounds is not None and not _overlaps(bounds, _crs.ORDOS_BBOX_LONLAT) and not problems:
        problems.append(
            f"extent {_fmt_bounds(bounds)} (lon/lat) does not overlap Ordos "
            f"{_fmt_bounds(_crs.ORDOS_BBOX_LONLAT)}; check crs: {spec.crs}"
        )
    return LayerCheck(spec.id, spec.kind, tuple(problems), size=size, bounds_lonlat=bounds)


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text if isinstance(exc, OrdosGeoError) else f"{type(exc).__name__}: {text}"


def check_layer(cat: VectorSource, spec: LayerSpec) -> LayerCheck:
    """Check one layer: opens, CRS plausible, geometries valid, extent overlaps Ordos."""
    check = _check_vector(cat, spec) if spec.kind == "vector" else _check_raster(spec)
    log.info("layer '%s': %s", spec.id, check.line())
    return check


def _dissolved_area_m2(geoms: Any) -> float:
    """Area of the union of polygons (m² in their metric CRS), robust to topology errors."""
    import shapely

    try:
        return float(shapely.union_all(geoms).area)
    except shapely.errors.GEOSException:
        # Reprojection can leave slivers that GEOS cannot overlay exactly; a 1 cm
        # precision grid makes the union robust and changes areas by < 1 m² per km.
        log.debug("union failed; retrying on a 0.01 m precision grid")
        return float(shapely.union_all(shapely.make_valid(geoms), grid_size=0.01).area)


def layer_stats(cat: VectorSource, spec: LayerSpec, *, area: bool = False) -> dict[str, Any]:
    """Cheap statistics for listings: features (vector), size (raster), area_km2 (polygons).

    ``area_km2`` is the dissolved polygon area (overlaps counted once) in
    :data:`ordos_geo.crs.WORK_CRS`, km². Unreadable layers give ``None`` values.
    """
    out: dict[str, Any] = {"features": None, "size": None, "area_km2": None}
    try:
        if spec.kind == "vector":
            import pyogrio

            n = int(pyogrio.read_info(spec.path, layer=spec.layer).get("features", -1))
            out["features"] = n if n >= 0 else len(cat.vector(spec.id, crs=None))
            if area:
                gdf = cat.vector(spec.id, crs=_crs.WORK_CRS)
                polys = gdf.geometry[gdf.geom_type.isin(["Polygon", "MultiPolygon"])]
                if len(polys):
                    out["area_km2"] = _dissolved_area_m2(polys.values) / 1e6
        else:
            from ordos_geo.io.raster import raster_info

            w, h, b = _raster_size(raster_info(spec.path))
            out["size"] = f"{w}x{h}" if b == 1 else f"{w}x{h}x{b}"
    except Exception as exc:
        log.warning("layer '%s': cannot read statistics: %s", spec.id, _one_line(exc))
    return out


def describe_layer(cat: VectorSource, spec: LayerSpec) -> dict[str, Any]:
    """Metadata plus what the file holds, for ``layers show``.

    Returns the catalog fields, ``catalog_file``, ``bounds_lonlat`` (degrees) and, for
    vectors, ``features``, ``geometry_types``, ``repaired`` and ``schema``
    (column → dtype); for rasters ``size``, ``dtype``, ``nodata``, ``file_crs``.
    Raises the reading error (unlike :meth:`Catalog.validate`).
    """
    out: dict[str, Any] = spec.model_dump(mode="json")
    origin = cat.origin(spec.id)
    out["catalog_file"] = str(origin) if origin else None
    if spec.kind == "vector":
        gdf = cat.vector(spec.id, crs="EPSG:4326")
        out["features"] = len(gdf)
        out["geometry_types"] = sorted({str(t) for t in gdf.geom_type.dropna().unique()})
        out["repaired"] = int(gdf.attrs.get("repaired", 0) or 0)
        out["bounds_lonlat"] = (
            [round(float(v), 6) for v in gdf.total_bounds] if len(gdf) else None
        )
        out["schema"] = {
            str(c): str(t) for c, t in gdf.dtypes.items() if c != gdf.geometry.name
        }
    else:
        from ordos_geo.io.raster import raster_info

        info = raster_info(spec.path)
        w, h, b = _raster_size(info)
        out["size"] = {"width": w, "height": h, "bands": b}
        out["dtype"] = str(info.get("dtype"))
        out["nodata"] = info.get("nodata")
        out["file_crs"] = str(info.get("crs")) if info.get("crs") is not None else None
        crs: Any = spec.crs or (pyproj.CRS.from_wkt(info["wkt"]) if info.get("wkt") else None)
        out["bounds_lonlat"] = (
            [round(v, 6) for v in _bounds_lonlat(info["bounds"], crs)]
            if crs is not None else None
        )
    return out
