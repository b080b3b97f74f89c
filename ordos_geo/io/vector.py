"""Read any vector layer into a clean GeoDataFrame; write GeoPackage layers atomically.

Reading goes through pyogrio (GDAL/OGR): GeoPackage, Shapefile (including GBK/GB18030
attribute tables without a ``.cpg``), GeoJSON, KML; CSV/XLSX point tables and
界址点 TXT files are handed to :mod:`ordos_geo.io.tabular` and
:mod:`ordos_geo.io.coordfile`. Every reader returns geometries that are 2-D, valid
(repaired with ``make_valid``) and non-empty, in a checked CRS. Inputs are opened
read-only and nothing is written next to them.

Examples
--------
>>> import tempfile, pathlib, geopandas as gpd
>>> from shapely.geometry import box
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> g = gpd.GeoDataFrame({"name": ["东胜"]}, geometry=[box(109.9, 39.7, 110.1, 39.9)], crs=4490)
>>> _ = write_gpkg(g, d / "a.gpkg", layer="towns")
>>> read_vector(d / "a.gpkg").crs.to_epsg(), list_layers(d / "a.gpkg")
(4490, ['towns'])
"""

from __future__ import annotations

import codecs
import logging
import os
import shutil
import warnings
import zipfile
from pathlib import Path
from typing import IO, Any, cast

import geopandas as gpd
import numpy as np
import pyogrio
import shapely
from pyogrio.errors import DataLayerError, DataSourceError, FieldError, GeometryError
from pyproj import CRS

from ordos_geo.crs import (
    GCJ02,
    check_plausible,
    crs_equivalent,
    crs_label,
    gcj02_to_wgs84,
    is_gcj02,
    parse_crs,
)
from ordos_geo.errors import CRSMismatchError, LayerIOError, OutputError
from ordos_geo.io.atomic import atomic_path, check_output_path

__all__ = [
    "GPKG_OPTIONS",
    "apply_declared_crs",
    "clean_geometries",
    "detect_dbf_encoding",
    "list_layers",
    "read_vector",
    "write_gpkg",
]

logger = logging.getLogger(__name__)

#: Dataset creation options of every GeoPackage result: GeoPackage 1.2, which every
#: GDAL since 2.2 reads in full. source: the GDAL 3.6 of QGIS 3.22 (Debian bookworm)
#: warns "user_version … v1.4.0 … may only be partially supported" on each open of the
#: GeoPackage 1.4 that the GDAL of the pyogrio wheel (3.9+) writes by default.
GPKG_OPTIONS: dict[str, str] = {"VERSION": "1.2"}
_TABLE_SUFFIXES = {".csv", ".xlsx", ".xlsm"}
_COORDFILE_SUFFIXES = {".txt"}
_POLYGONAL = {"Polygon", "MultiPolygon"}
_ENCODING_SAMPLE = 4 * 1024 * 1024  # bytes of DBF records inspected for the encoding


def _where(path: Any, layer: Any) -> str:
    return f"{path}: layer {layer!r}" if layer not in (None, "") else str(path)


# --- encodings ----------------------------------------------------------------------


def _sidecar(path: Path, ext: str) -> Path | None:
    """The ``.shx``/``.dbf``/``.cpg``/``.prj`` next to a shapefile, any letter case."""
    for cand in (path.with_suffix(ext), path.with_suffix(ext.upper())):
        if cand.exists():
            return cand
    return None


def detect_dbf_encoding(dbf: str | os.PathLike[str]) -> str | None:
    """Guess the text encoding of a DBF attribute table that has no ``.cpg``.

    Chinese shapefiles are usually GBK (written by ArcGIS/MapGIS on Chinese Windows)
    without a ``.cpg``, which GDAL would decode as Latin-1. The record bytes are
    decoded as UTF-8; if that fails they are GBK, read as its superset GB18030.

    Parameters
    ----------
    dbf
        Path of the ``.dbf`` file (only read).

    Returns
    -------
    str or None
        ``"UTF-8"``, ``"GB18030"``, or ``None`` when all text is ASCII.
    """
    with open(dbf, "rb") as fh:
        return _dbf_encoding_from(fh)


def _dbf_encoding_from(fh: IO[bytes]) -> str | None:
    head = fh.read(32)
    if len(head) < 32:
        return None
    header_len = int.from_bytes(head[8:10], "little")
    descriptors = fh.read(max(0, header_len - 32))
    body = fh.read(_ENCODING_SAMPLE)
    # Field names (11 bytes each in 32-byte descriptors) may be Chinese too.
    names = [
        descriptors[i : i + 11].split(b"\0")[0]
        for i in range(0, len(descriptors) - 31, 32)
        if descriptors[i : i + 1] != b"\r"
    ]
    body = b"\n".join([*names, body])
    if body.isascii():
        return None
    try:
        # Incremental decoder: a multi-byte character cut at the sample end is fine.
        codecs.getincrementaldecoder("utf-8")().decode(body, final=False)
    except UnicodeDecodeError:
        return "GB18030"
    return "UTF-8"


def _shapefile_encoding(path: Path, encoding: str | None) -> str | None:
    if encoding:
        return encoding
    if _sidecar(path, ".cpg") is not None:
        return None  # GDAL honours the .cpg
    dbf = _sidecar(path, ".dbf")
    if dbf is None:
        return None
    enc = detect_dbf_encoding(dbf)
    if enc is not None:
        logger.info("%s: no .cpg; attribute text decoded as %s", path, enc)
    return enc


# --- layers -------------------------------------------------------------------------


def list_layers(path: str | os.PathLike[str]) -> list[str]:
    """Names of the layers in a vector data source.

    Raises
    ------
    LayerIOError
        If the file is missing or not a readable vector data source.
    """
    p = Path(path)
    _check_exists(p)
    src = _zip_source(p, None, None)[0] if p.suffix.lower() == ".zip" else p
    return _layer_names(src, p)


def _layer_names(src: str | Path, shown: Path) -> list[str]:
    try:
        return [str(name) for name, _ in pyogrio.list_layers(src)]
    except DataSourceError as exc:
        raise LayerIOError(
            f"{shown}: not a readable vector file ({_short(exc)}); check the file"
        ) from exc


_ZIP_DATA = (".shp", ".gpkg", ".geojson", ".json", ".kml")


def _zip_source(
    p: Path, layer: str | None, encoding: str | None
) -> tuple[str, str | None, str | None]:
    """``(GDAL /vsizip/ path, layer inside it, encoding)`` for a zipped data set.

    A zip holding several vector files takes ``layer`` as the file name (no extension).
    """
    try:
        with zipfile.ZipFile(p) as zf:
            names = [
                n for n in zf.namelist() if not n.endswith("/") and not n.startswith("__MACOSX")
            ]
            data = [n for n in names if Path(n).suffix.lower() in _ZIP_DATA]
            if not data:
                raise LayerIOError(
                    f"{p}: the zip holds no vector file (.shp .gpkg .geojson .kml); "
                    "check the archive"
                )
            member, inner_layer = data[0], layer
            if len(data) > 1:
                pick = [n for n in data if layer is not None and Path(n).stem == layer]
                if len(pick) != 1:
                    raise LayerIOError(
                        f"{p}: the zip holds {len(data)} vector files ({', '.join(data[:10])}); "
                        "choose one with layer: (its file name without extension)"
                    )
                member, inner_layer = pick[0], None
            enc = encoding
            if Path(member).suffix.lower() == ".shp":
                stem = member[:-4]
                lower = {n.lower(): n for n in names}
                for ext in (".shx", ".dbf"):
                    if (stem + ext).lower() not in lower:
                        raise LayerIOError(
                            f"{p}: {member}: {ext} file missing in the zip; zip all shapefile "
                            "parts (.shp .shx .dbf .prj .cpg) together"
                        )
                if enc is None and (stem + ".cpg").lower() not in lower:
                    with zf.open(lower[(stem + ".dbf").lower()]) as fh:
                        enc = _dbf_encoding_from(fh)
                    if enc is not None:
                        logger.info("%s: %s has no .cpg; text decoded as %s", p, member, enc)
    except zipfile.BadZipFile as exc:
        raise LayerIOError(f"{p}: not a readable zip archive; re-create the zip") from exc
    return f"/vsizip/{p.resolve()}/{member}", inner_layer, enc


def _check_exists(p: Path) -> None:
    if not p.exists():
        raise LayerIOError(f"{p}: file not found; check the path (relative to the catalog file)")
    if p.suffix.lower() == ".shp":
        for ext in (".shx", ".dbf"):
            if _sidecar(p, ext) is None:
                raise LayerIOError(
                    f"{p}: {ext} file missing next to the .shp; copy all shapefile parts "
                    "(.shp .shx .dbf .prj .cpg) together"
                )


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text[:160].rstrip(".;")


def _pick_layer(src: str | Path, p: Path, layer: str | None) -> str | None:
    names = _layer_names(src, p)
    if layer is not None:
        if layer not in names:
            raise LayerIOError(
                f"{p}: layer {layer!r} not found (available: {', '.join(names) or 'none'}); "
                "set layer: in the catalog"
            )
        return layer
    if len(names) > 1:
        raise LayerIOError(
            f"{p}: file has {len(names)} layers ({', '.join(names[:10])}); "
            "choose one with layer: in the catalog"
        )
    return names[0] if names else None


# --- reading ------------------------------------------------------------------------


def read_vector(
    path: str | os.PathLike[str],
    *,
    layer: str | None = None,
    crs: Any = None,
    encoding: str | None = None,
) -> gpd.GeoDataFrame:
    """Read a vector layer, repair it and check its CRS.

    Parameters
    ----------
    path
        GeoPackage, Shapefile, GeoJSON, KML (any OGR format), or a ``.zip`` holding one
        of them (``layer`` picks the file when it holds several); ``.csv``/``.xlsx`` go to
        :func:`ordos_geo.io.tabular.read_points_table`, ``.txt`` 界址点 files to
        :func:`ordos_geo.io.coordfile.read_coordfile`.
    layer
        Layer name; required when the file holds several layers.
    crs
        Declared CRS (EPSG code, ``"EPSG:4525"``, ``"GCJ-02"`` …). A file without a CRS
        takes it; a file whose CRS differs raises :class:`CRSMismatchError`
        (CGCS2000 EPSG:4490 and WGS84 EPSG:4326 count as equal). ``"GCJ-02"``
        coordinates are converted to WGS84 (EPSG:4326).
    encoding
        Attribute text encoding; by default the ``.cpg`` or a UTF-8/GBK detection.

    Returns
    -------
    geopandas.GeoDataFrame
        2-D valid non-empty geometries in the file's (or declared) CRS.
        ``attrs``: ``repaired`` (geometries fixed by ``make_valid``), ``dropped_empty``
        (null/empty geometries removed), ``source`` (path), ``layer``.

    Raises
    ------
    LayerIOError
        Missing or corrupt file, missing ``.shx``/``.dbf``, unknown or ambiguous layer.
    CRSMismatchError
        No CRS anywhere, a declared CRS that disagrees with the file's, or implausible
        coordinates (see :func:`ordos_geo.crs.check_plausible`).
    """
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix in _TABLE_SUFFIXES:
        from ordos_geo.io.tabular import read_points_table

        return read_points_table(p, sheet=layer, crs=crs)
    if suffix in _COORDFILE_SUFFIXES:
        from ordos_geo.io.coordfile import read_coordfile

        gdf = read_coordfile(p)
        return apply_declared_crs(gdf, crs, path=p, layer=layer) if crs is not None else gdf
    _check_exists(p)
    src: str | Path = p
    if suffix == ".zip":
        src, layer, enc = _zip_source(p, layer, encoding)
    else:
        enc = _shapefile_encoding(p, encoding) if suffix == ".shp" else encoding
    lyr = _pick_layer(src, p, layer)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # GDAL notes, logged below
            gdf = pyogrio.read_dataframe(src, layer=lyr, encoding=enc)
    except (DataSourceError, DataLayerError, FieldError, GeometryError) as exc:
        raise LayerIOError(
            f"{_where(p, lyr)}: cannot read ({_short(exc)}); check or re-export the file"
        ) from exc
    except UnicodeDecodeError as exc:
        raise LayerIOError(
            f"{_where(p, lyr)}: attribute text is not {enc or 'the detected encoding'}; "
            "set encoding: (e.g. GBK or UTF-8) in the catalog"
        ) from exc
    if not isinstance(gdf, gpd.GeoDataFrame):
        raise LayerIOError(f"{_where(p, lyr)}: layer has no geometry column; use a spatial layer")
    gdf = clean_geometries(gdf, path=p, layer=lyr)
    gdf = apply_declared_crs(gdf, crs, path=p, layer=lyr)
    gdf.attrs["source"] = str(p)
    gdf.attrs["layer"] = lyr
    return gdf


def clean_geometries(gdf: gpd.GeoDataFrame, *, path: Any, layer: Any = None) -> gpd.GeoDataFrame:
    """Drop Z/M, drop null/empty geometries and repair invalid ones (``make_valid``).

    Polygon layers stay polygonal (``make_valid(method="structure")``; collapsed
    parts are dropped). Counts go to ``attrs["repaired"]`` and
    ``attrs["dropped_empty"]`` and are logged.

    Examples
    --------
    >>> from shapely.geometry import Polygon
    >>> bow = Polygon([(0, 0), (1, 1), (1, 0), (0, 1)])
    >>> g = clean_geometries(gpd.GeoDataFrame(geometry=[bow, None]), path="x.gpkg")
    >>> g.attrs["repaired"], g.attrs["dropped_empty"], round(float(g.area.sum()), 2)
    (1, 1, 0.5)
    """
    geoms = np.asarray(gdf.geometry.array, dtype=object)
    present = ~shapely.is_missing(geoms)
    if present.any():
        has_zm = shapely.has_z(geoms[present]) | shapely.has_m(geoms[present])
        if has_zm.any():
            geoms = geoms.copy()
            geoms[present] = shapely.force_2d(geoms[present])
            logger.info("%s: Z/M coordinates dropped", _where(path, layer))
    coords, owner = shapely.get_coordinates(geoms, return_index=True)
    nonfinite = np.unique(owner[~np.isfinite(coords).all(axis=1)])
    if nonfinite.size:  # GEOS cannot test or repair these: stop with a clear message
        raise LayerIOError(
            f"{_where(path, layer)}: {nonfinite.size} feature(s) have NaN or infinite "
            f"coordinates (first: feature {int(nonfinite[0]) + 1}); fix or delete them in "
            "the source file"
        )
    invalid = present & ~shapely.is_valid(geoms) & ~shapely.is_empty(geoms)
    n_repaired = int(invalid.sum())
    if n_repaired:
        geoms = geoms.copy()
        idx = np.flatnonzero(invalid)
        types = shapely.get_type_id(geoms[idx])
        poly = np.isin(types, (3, 6))  # Polygon, MultiPolygon
        if poly.any():
            geoms[idx[poly]] = shapely.make_valid(
                geoms[idx[poly]], method="structure", keep_collapsed=False
            )
        if (~poly).any():
            geoms[idx[~poly]] = shapely.make_valid(geoms[idx[~poly]])
        logger.warning(
            "%s: %d invalid geometr%s repaired with make_valid",
            _where(path, layer),
            n_repaired,
            "y" if n_repaired == 1 else "ies",
        )
    keep = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    n_dropped = int((~keep).sum())
    out = gdf.copy()
    out = out.set_geometry(gpd.GeoSeries(geoms, index=gdf.index, crs=gdf.crs))
    if n_dropped:
        out = out.loc[keep].copy()
        logger.warning(
            "%s: %d null/empty geometr%s dropped",
            _where(path, layer),
            n_dropped,
            "y" if n_dropped == 1 else "ies",
        )
    out.attrs.update(gdf.attrs)
    out.attrs["repaired"] = n_repaired
    out.attrs["dropped_empty"] = n_dropped
    return out


def apply_declared_crs(
    gdf: gpd.GeoDataFrame, declared: Any, *, path: Any, layer: Any = None
) -> gpd.GeoDataFrame:
    """Reconcile a frame's own CRS with the declared one, convert GCJ-02, check plausibility.

    Parameters
    ----------
    gdf
        Frame as read (its ``crs`` may be ``None``).
    declared
        Declared CRS or ``None`` (see :func:`ordos_geo.crs.parse_crs`).
    path, layer
        For messages.

    Raises
    ------
    CRSMismatchError
        No CRS at all, or file and declaration disagree, or implausible coordinates.
    """
    where = _where(path, layer)
    file_crs: CRS | None = gdf.crs
    decl = parse_crs(declared, where=f"{where}: crs") if declared is not None else None
    if decl is None:
        if file_crs is None:
            raise CRSMismatchError(
                f"{where}: no CRS (.prj missing or empty); declare crs: in the catalog "
                "(e.g. EPSG:4490, EPSG:4525 or GCJ-02)"
            )
        check_plausible(gdf.total_bounds, file_crs, path=path, layer=layer)
        return gdf
    if is_gcj02(decl):
        if file_crs is not None and not (
            file_crs.is_geographic and crs_equivalent(file_crs, CRS.from_epsg(4326))
        ):
            raise CRSMismatchError(
                f"{where}: declared GCJ-02 but the file is in {crs_label(file_crs)}; GCJ-02 "
                "data are lon/lat degrees: remove crs: GCJ-02 or fix the file's CRS"
            )
        check_plausible(gdf.total_bounds, GCJ02, path=path, layer=layer)
        out = gdf.set_geometry(
            shapely.transform(
                np.asarray(gdf.geometry.array, dtype=object),
                lambda xy: np.column_stack(gcj02_to_wgs84(xy[:, 0], xy[:, 1])),
            ),
            crs=None,
        )
        out = out.set_crs(4326, allow_override=True)
        out.attrs.update(gdf.attrs)
        logger.info("%s: GCJ-02 coordinates converted to WGS84 (EPSG:4326)", where)
        return out
    decl = cast(CRS, decl)  # parse_crs returns a CRS unless GCJ-02
    if file_crs is None:
        logger.info("%s: no CRS in the file; using the declared %s", where, crs_label(decl))
        out = gdf.set_crs(decl)
    elif crs_equivalent(file_crs, decl):
        if not file_crs.equals(decl, ignore_axis_order=True):
            logger.info(
                "%s: file CRS %s taken as the declared %s (equivalent at map scale)",
                where,
                crs_label(file_crs),
                crs_label(decl),
            )
        out = gdf
    elif file_crs.is_geographic and decl.is_projected and _metric_bounds(gdf):
        # GeoJSON without a "crs" member is reported as WGS84 by GDAL even when the
        # coordinates are metres: the declaration is the only real information.
        logger.warning(
            "%s: file says %s but coordinates are metres; using the declared %s",
            where,
            crs_label(file_crs),
            crs_label(decl),
        )
        out = gdf.set_crs(decl, allow_override=True)
    else:
        raise CRSMismatchError(
            f"{where}: file CRS {crs_label(file_crs)} differs from the declared "
            f"{crs_label(decl)}; fix crs: in the catalog (or reproject the file)"
        )
    check_plausible(out.total_bounds, out.crs, path=path, layer=layer)
    return out


def _metric_bounds(gdf: gpd.GeoDataFrame) -> bool:
    b = gdf.total_bounds
    return bool(len(gdf)) and bool(np.all(np.isfinite(b))) and float(np.abs(b).max()) > 360


# --- writing ------------------------------------------------------------------------


def write_gpkg(
    gdf: gpd.GeoDataFrame,
    path: str | os.PathLike[str],
    *,
    layer: str,
    overwrite: bool = True,
) -> Path:
    """Write ``gdf`` as layer ``layer`` of a GeoPackage, atomically.

    Other layers of an existing file are kept (the file is copied, the layer written,
    and the copy renamed over the original), so ``conflicts.gpkg`` can hold
    ``projects`` and ``hits``.

    Parameters
    ----------
    gdf
        Frame with a CRS.
    path
        Output ``.gpkg`` path.
    layer
        Layer name.
    overwrite
        Replace an existing layer of that name; otherwise raise :class:`OutputError`.

    Returns
    -------
    pathlib.Path
        The final path.
    """
    p = check_output_path(path, overwrite=True)
    if gdf.crs is None:
        raise OutputError(f"{p}: layer {layer!r}: frame has no CRS; set one before writing")
    existing = list_layers(p) if p.exists() else []
    if layer in existing and not overwrite:
        raise OutputError(f"{p}: layer {layer!r} already exists; pass --overwrite to replace it")
    with atomic_path(p, overwrite=True) as tmp:
        if existing:
            shutil.copyfile(p, tmp)
        try:
            pyogrio.write_dataframe(
                gdf,
                tmp,
                layer=layer,
                driver="GPKG",
                append=False,
                layer_options={"OVERWRITE": "YES"} if layer in existing else None,
                dataset_options=None if existing else GPKG_OPTIONS,
            )
        except (DataSourceError, DataLayerError, FieldError, GeometryError, OSError) as exc:
            raise OutputError(f"{p}: layer {layer!r}: cannot write ({_short(exc)}); check free "
                              "space and permissions of the output folder") from exc
    logger.info("wrote %s (layer %s, %d features)", p, layer, len(gdf))
    return p
