"""The front door: the handful of functions an analyst calls, one result type each.

``import ordos_geo as og`` exposes them; each is a thin wrapper over the library
function named in its docstring, so the CLI, the web page and a notebook share one
code path. Heavy modules (geopandas, rasterio, the engines) are imported when a
function is first called, so ``import ordos_geo`` stays fast.

Conventions: lengths and cell sizes in metres; areas in km² (``*_km2``) unless the
name says otherwise; rasters live on a :class:`~ordos_geo.grid.Grid` in the working
CRS (:data:`ordos_geo.crs.WORK_CRS`, equal-area Albers, metres); vector results are
in the working CRS unless stated (catalog reads default to EPSG:4326).

Examples
--------
>>> import ordos_geo as og
>>> cat = og.open_catalog()
>>> "red_lines" in cat.ids
True
>>> banners = og.read(cat["banners"].path)
>>> len(banners), str(banners.crs)
(9, 'EPSG:4326')
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from ordos_geo.errors import ConfigError

if TYPE_CHECKING:
    import geopandas as gpd
    import numpy as np

    from ordos_geo.catalog import Catalog
    from ordos_geo.eligibility import EligibilityConfig, EligibilityResult
    from ordos_geo.grid import Grid
    from ordos_geo.maps import MapOptions
    from ordos_geo.report import ReportResult
    from ordos_geo.siting import SitingConfig, SitingResult
    from ordos_geo.zoning import ScreeningResult

__all__ = [
    "RASTER_SUFFIXES",
    "build_report",
    "check",
    "eligible_land",
    "open_catalog",
    "read",
    "site",
    "write_map",
]

PathLike = str | os.PathLike[str]

#: File suffixes :func:`read` treats as rasters (everything else is read as vector).
RASTER_SUFFIXES = frozenset({".tif", ".tiff", ".vrt", ".img", ".asc", ".nc", ".jp2"})


def _catalog(catalog: Catalog | PathLike | None) -> Catalog:
    """A loaded catalog: pass one through, or load defaults + an optional user catalog."""
    from ordos_geo.catalog import Catalog

    if isinstance(catalog, Catalog):
        return catalog
    return Catalog.load(catalog)


def open_catalog(user_catalog: PathLike | None = None) -> Catalog:
    """Load the default layer catalog, overlaid with an optional user catalog.

    Wraps :meth:`ordos_geo.catalog.Catalog.load`. The default catalog ships inside the
    package (``ordos_geo/data/layers/catalog.yaml``); ``$ORDOS_GEO_LAYERS`` points it
    elsewhere.

    Parameters
    ----------
    user_catalog
        Optional YAML catalog whose entries add layers or replace default ones by id;
        its paths are relative to the file.

    Returns
    -------
    Catalog
        ``cat[id]`` is a :class:`~ordos_geo.catalog.LayerSpec`; ``cat.vector(id)`` reads
        a layer (EPSG:4326 by default), ``cat.raster_to_grid(id, grid)`` warps a raster.

    Raises
    ------
    ConfigError
        The catalog file is missing or invalid (one line naming file and key).

    Examples
    --------
    >>> cat = open_catalog()
    >>> cat["banners"].kind, cat.origin("banners").name
    ('vector', 'catalog.yaml')
    """
    return _catalog(user_catalog)


def read(
    path: PathLike,
    *,
    kind: Literal["auto", "vector", "raster", "projects"] = "auto",
    layer: str | None = None,
    crs: Any = None,
    encoding: str | None = None,
    grid: Grid | None = None,
    band: int = 1,
    resampling: str = "nearest",
    defaults: Mapping[str, Any] | None = None,
) -> gpd.GeoDataFrame | np.ma.MaskedArray:
    """Read any vector, raster, project or 界址点 file the tool understands.

    Parameters
    ----------
    path
        A file (or, with ``kind="projects"``, a folder). Vector: GeoPackage, Shapefile
        (GBK DBF too), GeoJSON, KML, zip, CSV/XLSX with 经度/纬度 or WKT, 界址点 ``.txt``.
        Raster: GeoTIFF and other GDAL rasters (suffixes in :data:`RASTER_SUFFIXES`).
    kind
        ``"auto"`` picks raster or vector by suffix; ``"projects"`` reads project
        proposals (:func:`ordos_geo.io.projects.read_projects`).
    layer, crs, encoding
        Vector only: layer inside a multi-layer file; the *declared* CRS (EPSG code,
        ``"EPSG:4524"``, ``"GCJ-02"``…) — a file without CRS takes it, a file whose CRS
        disagrees is refused; DBF encoding when detection fails.
    grid
        Raster only: warp onto this working grid
        (:func:`ordos_geo.io.raster.read_to_grid`); without it the band is read in the
        file's own CRS and cells.
    band, resampling
        Raster only: 1-based band; resampling name (``nearest``, ``bilinear``, …).
    defaults
        Projects only: attribute values for rows that lack them.

    Returns
    -------
    geopandas.GeoDataFrame or numpy.ma.MaskedArray
        Vectors in the file's (or declared) CRS, projects in the working CRS (metres);
        rasters as a masked array (mask = nodata or outside the source).

    Raises
    ------
    LayerIOError, CRSMismatchError, ProjectInputError
        One line naming the file, the layer or row, and the fix.

    Examples
    --------
    >>> from ordos_geo.resources import analysis_path, data_path
    >>> red = read(data_path("layers", "red_lines.gpkg"))
    >>> bool((red["provenance"] == "illustrative").all())
    True
    >>> lc = read(data_path("layers", "landcover.tif"))
    >>> lc.dtype.name, lc.ndim
    ('uint8', 2)
    >>> parcels = read(analysis_path("projects") / "e_pv_subsidence.txt")
    >>> parcels.crs.is_projected
    True
    """
    p = Path(path)
    if kind == "auto":
        kind = "raster" if p.suffix.lower() in RASTER_SUFFIXES else "vector"
    if kind == "vector":
        from ordos_geo.io.vector import read_vector

        return read_vector(p, layer=layer, crs=crs, encoding=encoding)
    if kind == "projects":
        from ordos_geo.io.projects import read_projects

        return read_projects([p], defaults=defaults)
    if kind == "raster":
        from ordos_geo.io.raster import raster_info, read_to_grid

        if grid is not None:
            return read_to_grid(p, grid, band=band, resampling=resampling, declared_crs=crs)
        info = raster_info(p)  # one-line LayerIOError for a missing/unreadable file
        if not 1 <= band <= int(info["count"]):
            raise ConfigError(f"{p}: band {band} does not exist (the file has "
                              f"{info['count']}); pass band=1..{info['count']}")
        import rasterio

        with rasterio.open(p) as src:
            return src.read(band, masked=True)
    raise ConfigError(f"read: kind {kind!r} is not one of auto, vector, raster, projects")


def eligible_land(
    config: EligibilityConfig | PathLike,
    *,
    catalog: Catalog | PathLike | None = None,
    res_m: float | None = None,
    engine: Literal["memory", "dask"] = "memory",
) -> EligibilityResult:
    """Eligible land: the region minus the configured exclusions, on one grid.

    Named ``eligible_land``, not ``eligibility``: ``ordos_geo.eligibility`` is the module
    it wraps, and importing a submodule rebinds that name on the package, which would
    hide a front-door function of the same name.

    Wraps :func:`ordos_geo.eligibility.compute_eligibility` (``engine="memory"``) and
    the blockwise dask backend (``engine="dask"``).

    Parameters
    ----------
    config
        An eligibility YAML (e.g. the shipped ``eligibility_example.yaml``) or a loaded
        :class:`~ordos_geo.eligibility.EligibilityConfig`.
    catalog
        A :class:`~ordos_geo.catalog.Catalog`, a user catalog path, or ``None`` for the
        defaults.
    res_m
        Cell size in metres (overrides the config's ``res_m``).
    engine
        ``"memory"`` (the whole grid in memory) or ``"dask"`` (chunk by chunk).

    Returns
    -------
    EligibilityResult
        ``reasons`` (uint8 raster on ``grid``: 0 eligible, k removed by the k-th
        exclusion, 255 outside), ``eligible_km2``, ``total_km2``, per-exclusion areas.

    Raises
    ------
    ConfigError
        Bad YAML key, unknown layer id, missing ``where`` field.

    Examples
    --------
    >>> from ordos_geo.resources import analysis_path
    >>> r = eligible_land(analysis_path("eligibility_example.yaml"), res_m=2000)
    >>> r.grid.res_m, 0 < r.eligible_km2 < r.total_km2
    (2000.0, True)
    """
    from ordos_geo.eligibility import (
        EligibilityConfig,
        compute_eligibility,
        load_eligibility_config,
    )

    cfg = config if isinstance(config, EligibilityConfig) else load_eligibility_config(config)
    cat = _catalog(catalog)
    if engine in ("memory", "dask"):
        return compute_eligibility(cfg, catalog=cat, res_m=res_m, engine=engine)
    raise ConfigError(f"eligible_land: engine {engine!r} is not one of memory, dask")


def site(
    kind: Literal["pv", "wind"],
    *,
    catalog: Catalog | PathLike | None = None,
    config: SitingConfig | PathLike | None = None,
    res_m: float | None = None,
    out_dir: PathLike | None = None,
    overwrite: bool = False,
    sensitivity: int = 0,
) -> SitingResult:
    """PV or wind siting: exclusions, suitability score, candidate sites, capacity.

    Wraps :func:`ordos_geo.siting.run_siting`.

    Parameters
    ----------
    kind
        ``"pv"`` or ``"wind"``.
    catalog
        A :class:`~ordos_geo.catalog.Catalog`, a user catalog path, or ``None``.
    config
        A siting YAML, a loaded :class:`~ordos_geo.siting.SitingConfig`, or ``None`` for
        the shipped ``pv.yaml`` / ``wind.yaml``.
    res_m
        Cell size in metres (overrides the config).
    out_dir
        Folder for the result files (``{kind}_score.tif``, ``{kind}_sites.gpkg``,
        ``{kind}_summary.json`` …); ``None`` writes nothing.
    overwrite
        Replace existing result files (otherwise an existing file is refused).
    sensitivity
        Number of weight perturbations for the robustness share (0 = off).

    Returns
    -------
    SitingResult
        ``score``/``classes``/``reasons`` arrays on ``grid``; ``sites`` (GeoDataFrame),
        ``capacity`` by banner, ``summary`` (``capacity_gw``, ``eligible_km2`` …),
        ``files`` written.

    Examples
    --------
    >>> pv = site("pv", res_m=2000)
    >>> pv.grid.res_m, pv.summary["capacity_gw"] > 0
    (2000.0, True)
    """
    from ordos_geo.siting import SitingConfig, run_siting

    cat = _catalog(catalog)
    if isinstance(config, SitingConfig):
        return run_siting(kind, catalog=cat, config=config, res_m=res_m, out_dir=out_dir,
                          overwrite=overwrite, sensitivity=sensitivity)
    return run_siting(kind, catalog=cat, config_path=config, res_m=res_m, out_dir=out_dir,
                      overwrite=overwrite, sensitivity=sensitivity)


def check(
    paths: PathLike | Iterable[PathLike],
    *,
    catalog: Catalog | PathLike | None = None,
    rules: PathLike | None = None,
    ledger: PathLike | None = None,
    defaults: Mapping[str, Any] | None = None,
) -> ScreeningResult:
    """Screen project proposals against the plan's zoning rules and the capacity ledger.

    Wraps :func:`ordos_geo.zoning.check_projects`.

    Parameters
    ----------
    paths
        One project file or folder, or several (CSV/XLSX, GeoPackage, Shapefile,
        GeoJSON, KML, 界址点 ``.txt``).
    catalog
        A :class:`~ordos_geo.catalog.Catalog`, a user catalog path, or ``None``.
    rules, ledger
        Rule YAML and capacity ledger CSV; ``None`` uses the shipped ones.
    defaults
        Attribute values for rows that lack them (``industry``, ``stage`` …).

    Returns
    -------
    ScreeningResult
        ``projects`` (one row per project with ``verdict`` and areas in m², ha, 亩;
        geometry in the working CRS), ``hits`` (one row per project × rule, with the
        clause), ``ledger`` summary.

    Examples
    --------
    >>> from ordos_geo.resources import analysis_path
    >>> res = check(analysis_path("projects"))
    >>> set(res.projects["verdict"]) <= {"compliant", "needs_information", "review",
    ...                                   "restricted", "prohibited"}
    True
    """
    from ordos_geo.zoning import check_projects

    items = [paths] if isinstance(paths, str | os.PathLike) else list(paths)
    return check_projects(items, catalog=_catalog(catalog), rules_path=rules,
                          ledger_path=ledger, defaults=defaults)


def write_map(
    out_path: PathLike,
    *,
    catalog: Catalog | PathLike | None = None,
    results_dir: PathLike | None = None,
    focus: Literal["pv", "wind", "screening"] | None = None,
    options: MapOptions | None = None,
    overwrite: bool = True,
) -> Path:
    """Write an offline interactive map (one self-contained HTML file).

    Wraps :func:`ordos_geo.maps.write_map`; data are shown in EPSG:4326.

    Parameters
    ----------
    out_path
        The ``.html`` file to write.
    catalog
        A :class:`~ordos_geo.catalog.Catalog`, a user catalog path, or ``None``.
    results_dir
        A folder written by :func:`site` / :func:`check` (or ``ordos-geo run``); ``None``
        maps the layers only.
    focus
        ``"pv"``, ``"wind"`` or ``"screening"`` for a single-topic map.
    options
        :class:`~ordos_geo.maps.MapOptions` (language, offline assets …).
    overwrite
        Replace an existing file.

    Returns
    -------
    pathlib.Path
        The written file.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     page = write_map(Path(d) / "overview.html")
    ...     page.stat().st_size > 100_000
    True
    """
    from ordos_geo.maps import write_map as _write_map

    return _write_map(_catalog(catalog), out_path, results_dir=results_dir, options=options,
                      overwrite=overwrite, focus=focus)


def build_report(
    results_dir: PathLike,
    out_dir: PathLike,
    *,
    catalog: Catalog | PathLike | None = None,
    lang: Literal["zh", "en"] = "zh",
    formats: Sequence[str] = ("html", "pdf", "png"),
    overwrite: bool = False,
    dpi: int = 300,
) -> ReportResult:
    """Build the static report (HTML, PDF, 300-dpi PNG maps) from a results folder.

    Wraps :func:`ordos_geo.report.build_report`. Sections whose result files are
    missing say "not computed"; every illustrative layer is labelled.

    Parameters
    ----------
    results_dir
        A folder written by :func:`site` / :func:`check` or ``ordos-geo run``.
    out_dir
        Output folder for ``report.html``, ``report.pdf`` and the maps.
    catalog
        A :class:`~ordos_geo.catalog.Catalog`, a user catalog path, or ``None``.
    lang
        ``"zh"`` or ``"en"``.
    formats
        Any of ``"html"``, ``"pdf"``, ``"png"``.
    overwrite
        Replace existing files.
    dpi
        Resolution of the PNG maps.

    Returns
    -------
    ReportResult
        ``paths`` written, ``missing`` result files, ``illustrative`` flag.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     rep = build_report(d, Path(d) / "report", formats=("html",), lang="en")
    ...     [p.name for p in rep.paths], rep.illustrative
    (['report.html'], True)
    """
    from ordos_geo.report import build_report as _build_report

    return _build_report(_catalog(catalog), Path(results_dir), Path(out_dir), lang=lang,
                         formats=formats, overwrite=overwrite, dpi=dpi)
