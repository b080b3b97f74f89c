"""The layer catalog: layer ids → files, kind, roles, CRS, provenance, licence.

Data enters the tool through one door: a :class:`Catalog` loaded from the default
``layers/catalog.yaml`` (shipped with the repository) overlaid with an optional user
catalog. Every analysis asks the catalog for a layer by id; the catalog reads it through
:mod:`ordos_geo.io` with the declared CRS, so a CRS mismatch, a GBK shapefile or a
GCJ-02 layer is handled in one place.

Examples
--------
>>> from ordos_geo.crs import WORK_CRS
>>> from ordos_geo.grid import Grid
>>> cat = Catalog.load()
>>> banners = cat.vector("banners")                 # EPSG:4326 by default
>>> len(banners), str(banners.crs)
(9, 'EPSG:4326')
>>> grid = Grid.from_bounds(banners.to_crs(WORK_CRS).total_bounds, res_m=5000, crs=WORK_CRS)
>>> dem = cat.raster_to_grid("elevation", grid)    # metres, on the 5 km working grid
>>> dem.shape == grid.shape
True
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pyproj

from ordos_geo.catalog.checks import (
    LayerCheck,
    ValidationReport,
    check_layer,
    describe_layer,
    layer_stats,
)
from ordos_geo.catalog.spec import PROVENANCES, ROLES, CatalogFile, LayerSpec
from ordos_geo.config import display_path, load_yaml, locate_line, validate
from ordos_geo.config import yaml_line_index as _yaml_line_index
from ordos_geo.errors import ConfigError
from ordos_geo.resources import data_path

__all__ = [
    "ENV_LAYERS",
    "PROVENANCES",
    "ROLES",
    "Catalog",
    "CatalogFile",
    "LayerCheck",
    "LayerSpec",
    "ValidationReport",
    "default_catalog_path",
]

log = logging.getLogger(__name__)

#: Environment variable pointing at another default catalog (a file or a folder
#: holding ``catalog.yaml``).
ENV_LAYERS = "ORDOS_GEO_LAYERS"


def default_catalog_path() -> Path:
    """The default catalog: ``$ORDOS_GEO_LAYERS`` or the catalog shipped in the package.

    ``$ORDOS_GEO_LAYERS`` may name a catalog file or a folder containing ``catalog.yaml``.
    """
    env = os.environ.get(ENV_LAYERS)
    if env:
        p = Path(env).expanduser()
        return p / "catalog.yaml" if p.is_dir() else p
    return data_path("layers", "catalog.yaml")


def _check_duplicate_ids(data: dict[str, Any], path: Path) -> None:
    """Report a repeated id at the line of its second entry (the model also rejects it)."""
    entries = data.get("layers")
    if not isinstance(entries, list):
        return
    seen: dict[str, int] = {}
    for i, entry in enumerate(entries):
        lid = entry.get("id") if isinstance(entry, dict) else None
        if not isinstance(lid, str):
            continue
        if lid in seen:
            line = locate_line(_yaml_line_index(path), ("layers", i, "id"))
            where = f"{display_path(path)}:{line}" if line else display_path(path)
            raise ConfigError(
                f"{where}: layers[{i}].id: duplicate layer id '{lid}' (also layers[{seen[lid]}]);"
                " give each layer its own id"
            )
        seen[lid] = i


def _read_catalog_file(path: Path, *, user: bool) -> list[LayerSpec]:
    """Load and validate one catalog file; resolve paths relative to it."""
    data = load_yaml(path)
    if user and isinstance(data.get("layers"), list):
        # A user catalog may leave out provenance: its layers are "user" data.
        data["layers"] = [
            {**entry, "provenance": entry.get("provenance", "user")}
            if isinstance(entry, dict)
            else entry
            for entry in data["layers"]
        ]
    _check_duplicate_ids(data, path)
    cat = validate(CatalogFile, data, path)
    base = path.resolve().parent
    specs: list[LayerSpec] = []
    lines: dict[Any, int] | None = None
    for i, spec in enumerate(cat.layers):
        full = (base / spec.path.expanduser()).resolve()
        if not full.exists():
            lines = lines if lines is not None else _yaml_line_index(path)
            line = locate_line(lines, ("layers", i, "path"))
            where = f"{display_path(path)}:{line}" if line else display_path(path)
            raise ConfigError(
                f"{where}: layers[{i}].path: file not found ({spec.path}, looked in "
                f"{display_path(full)}); paths are relative to the catalog file"
            )
        specs.append(spec.model_copy(update={"path": full}))
    return specs


def _repair_after_reprojection(gdf: Any, layer_id: str) -> Any:
    """Repair geometries that became invalid in the target CRS (nearly touching rings).

    A layer valid in lon/lat can turn invalid after projection; overlays and
    rasterization would then fail. Polygons stay polygons (``method="structure"``).
    """
    import shapely

    geoms = gdf.geometry.values
    bad = ~shapely.is_valid(geoms)
    if bad.any():
        fixed = shapely.make_valid(geoms[bad], method="structure", keep_collapsed=False)
        gdf = gdf.copy()
        gdf.loc[bad, gdf.geometry.name] = fixed
        log.info(
            "layer '%s': %d geometries repaired after reprojection to %s",
            layer_id, int(bad.sum()), gdf.crs.name if gdf.crs else "?",
        )
    return gdf


def _map_fields(gdf: Any, spec: LayerSpec, origin: Path | None) -> Any:
    """Rename the file's fields to the names the rules read (``fields`` of the spec)."""
    if not spec.fields:
        return gdf
    missing = [src for src in spec.fields.values() if src not in gdf.columns]
    if missing:
        cols = ", ".join(str(c) for c in gdf.columns if c != gdf.geometry.name)
        where = display_path(origin) if origin is not None else display_path(spec.path)
        raise ConfigError(
            f"{where}: layer '{spec.id}': fields maps to {missing[0]!r}, which "
            f"{display_path(spec.path)} does not have (fields: {cols}); fix the fields mapping"
        )
    out = gdf.rename(columns={src: dst for dst, src in spec.fields.items()})
    out.attrs.update(gdf.attrs)
    return out


class Catalog:
    """Layer ids → :class:`LayerSpec`, with cached reading through :mod:`ordos_geo.io`.

    Iterating yields the :class:`LayerSpec` entries in catalog order; ``catalog.ids``
    gives the ids.

    Parameters
    ----------
    specs
        Layer entries with absolute paths.
    origins
        Catalog file that declared each id (for messages).
    """

    def __init__(
        self, specs: Iterable[LayerSpec], *, origins: dict[str, Path] | None = None
    ) -> None:
        self._specs: dict[str, LayerSpec] = {}
        for s in specs:
            if s.id in self._specs:
                raise ConfigError(f"layer id '{s.id}' given twice; give each layer its own id")
            self._specs[s.id] = s
        self._origins: dict[str, Path] = dict(origins or {})
        self._vector_cache: dict[tuple[str, str], Any] = {}

    # -- loading ---------------------------------------------------------------------
    @classmethod
    def load(
        cls,
        user_catalog: str | os.PathLike[str] | None = None,
        *,
        default: str | os.PathLike[str] | None = None,
    ) -> Catalog:
        """Load the default catalog and overlay a user catalog.

        Parameters
        ----------
        user_catalog
            Optional YAML catalog; its entries are added, or replace default entries
            with the same id. Its paths are relative to the user catalog file and
            ``provenance`` defaults to ``user``.
        default
            Default catalog file; ``None`` = :func:`default_catalog_path`.

        Raises
        ------
        ConfigError
            Invalid YAML, unknown/missing keys, bad values, duplicate ids or a
            layer file that does not exist (message names file, line and key).
        """
        default_path = Path(default) if default is not None else default_catalog_path()
        if not default_path.exists():
            hint = (
                f"unset {ENV_LAYERS} or point it at a catalog"
                if os.environ.get(ENV_LAYERS) and default is None
                else f"reinstall ordos-geo (its data is missing) or set {ENV_LAYERS} to a catalog"
            )
            raise ConfigError(f"{display_path(default_path)}: default catalog not found; {hint}")
        specs = {s.id: s for s in _read_catalog_file(default_path, user=False)}
        origins = dict.fromkeys(specs, default_path)
        if user_catalog is not None:
            user_path = Path(user_catalog)
            for s in _read_catalog_file(user_path, user=True):
                if s.id in specs:
                    log.info("user catalog %s replaces layer '%s'", display_path(user_path), s.id)
                else:
                    log.info("user catalog %s adds layer '%s'", display_path(user_path), s.id)
                specs[s.id] = s
                origins[s.id] = user_path
        log.debug("catalog: %d layers", len(specs))
        return cls(specs.values(), origins=origins)

    def files(self) -> list[Path]:
        """Every file this catalog reads: its YAML file(s) and each layer's data file.

        A shapefile brings its ``.dbf``/``.shx``/``.prj``/``.cpg`` sidecars. Commands pass
        these as ``inputs`` to the output checks, so no output may replace a layer.
        """
        out: dict[Path, None] = dict.fromkeys(self._origins.values())
        for s in self._specs.values():
            p = Path(s.path)
            out[p] = None
            if p.suffix.lower() == ".shp":
                for ext in (".dbf", ".shx", ".prj", ".cpg"):
                    out[p.with_suffix(ext)] = None
        return list(out)

    # -- mapping protocol ---------------------------------------------------------------
    def __getitem__(self, layer_id: str) -> LayerSpec:
        try:
            return self._specs[layer_id]
        except (KeyError, TypeError):
            raise ConfigError(
                f"unknown layer id {layer_id!r} (available: {', '.join(self._specs)}); "
                "check the id or add the layer to a --catalog"
            ) from None

    def __contains__(self, layer_id: object) -> bool:
        return layer_id in self._specs

    def __iter__(self) -> Iterator[LayerSpec]:
        return iter(self._specs.values())

    def __len__(self) -> int:
        return len(self._specs)

    def __repr__(self) -> str:
        return f"Catalog({len(self)} layers: {', '.join(self._specs)})"

    @property
    def ids(self) -> list[str]:
        """Layer ids in catalog order."""
        return list(self._specs)

    @property
    def specs(self) -> list[LayerSpec]:
        """Layer entries in catalog order."""
        return list(self._specs.values())

    def origin(self, layer_id: str) -> Path | None:
        """The catalog file that declared ``layer_id`` (None if built in memory)."""
        self[layer_id]
        return self._origins.get(layer_id)

    def by_role(self, role: str) -> list[LayerSpec]:
        """Entries that have ``role`` (one of :data:`ROLES`)."""
        if role not in ROLES:
            raise ConfigError(f"unknown role {role!r}; use one of: {', '.join(ROLES)}")
        return [s for s in self if role in s.roles]

    def _spec_of_kind(self, layer_id: str, kind: str) -> LayerSpec:
        spec = self[layer_id]
        if spec.kind != kind:
            raise ConfigError(
                f"{display_path(self._origins.get(layer_id, spec.path))}: layer "
                f"'{layer_id}' is a {spec.kind} layer, not {kind}; use a {kind} layer id"
            )
        return spec

    # -- reading ------------------------------------------------------------------------
    def vector(self, layer_id: str, crs: Any = "EPSG:4326") -> Any:
        """Read a vector layer (cached) and return it in ``crs``.

        Parameters
        ----------
        layer_id
            Catalog id of a vector layer.
        crs
            Target CRS (anything pyproj accepts, e.g. :data:`ordos_geo.crs.WORK_CRS`);
            ``None`` keeps the declared CRS (GCJ-02 layers come back in EPSG:4326).

        Returns
        -------
        geopandas.GeoDataFrame
            A copy of the cached frame; ``attrs["repaired"]`` counts geometries
            repaired with ``make_valid`` on read.
        """
        from ordos_geo.io.vector import read_vector

        spec = self._spec_of_kind(layer_id, "vector")
        key = (layer_id, self._crs_key(crs))
        if key not in self._vector_cache:
            native_key = (layer_id, "native")
            if native_key not in self._vector_cache:
                log.debug("reading layer '%s' from %s", layer_id, spec.path)
                self._vector_cache[native_key] = _map_fields(read_vector(
                    spec.path, layer=spec.layer, crs=spec.crs, encoding=spec.encoding
                ), spec, self._origins.get(layer_id))
            native = self._vector_cache[native_key]
            if crs is not None:
                out = _repair_after_reprojection(native.to_crs(crs), layer_id)
                out.attrs.update(native.attrs)
                self._vector_cache[key] = out
        gdf = self._vector_cache[key]
        copy = gdf.copy()
        copy.attrs.update(gdf.attrs)
        return copy

    @staticmethod
    def _crs_key(crs: Any) -> str:
        if crs is None:
            return "native"
        try:
            return str(pyproj.CRS.from_user_input(crs).to_wkt())
        except pyproj.exceptions.CRSError as exc:
            raise ConfigError(
                f"target CRS {crs!r} is not a CRS pyproj knows; use e.g. EPSG:4326"
            ) from exc

    def raster_path(self, layer_id: str) -> Path:
        """Absolute path of a raster layer's file."""
        return self._spec_of_kind(layer_id, "raster").path

    def raster_to_grid(
        self, layer_id: str, grid: Any, *, resampling: str = "nearest", band: int = 1
    ) -> Any:
        """Read band ``band`` of a raster layer warped onto ``grid``.

        Parameters
        ----------
        layer_id
            Catalog id of a raster layer.
        grid
            The working :class:`ordos_geo.grid.Grid` (metric CRS).
        resampling
            rasterio resampling name: ``nearest`` for classes, ``bilinear``/``average``
            for continuous values.
        band
            1-based band number.

        Returns
        -------
        numpy.ma.MaskedArray
            Values on the grid (native dtype, units of ``spec.units``), masked where
            nodata or outside the source.
        """
        from ordos_geo.io.raster import read_to_grid

        spec = self._spec_of_kind(layer_id, "raster")
        return read_to_grid(
            spec.path, grid, band=band, resampling=resampling, declared_crs=spec.crs
        )

    # -- checks and listings ------------------------------------------------------------
    def validate(self) -> ValidationReport:
        """Open every layer and check it; problems are collected, never raised.

        Per layer: the file opens, the declared CRS is plausible for Ordos, geometries
        are valid (or were repaired on read, counted), the extent overlaps Ordos, and
        there is at least one feature / a non-empty raster.
        """
        return ValidationReport([check_layer(self, s) for s in self])

    def summary_rows(self, *, area: bool = False) -> list[dict[str, Any]]:
        """One row per layer for listings and ``layers_summary.csv``.

        Parameters
        ----------
        area
            Also compute ``area_km2``: dissolved area of polygon layers in
            :data:`ordos_geo.crs.WORK_CRS` (km²); ``None`` for other layers.

        Returns
        -------
        list of dict
            Keys: id, title_zh, title_en, kind, roles (list), provenance, crs,
            features (vector; None if unreadable), size (raster ``WxH`` or ``WxHxB``),
            [area_km2], source, licence, vintage, path.
        """
        rows = []
        for s in self:
            stats = layer_stats(self, s, area=area)
            row: dict[str, Any] = {
                "id": s.id,
                "title_zh": s.title_zh,
                "title_en": s.title_en,
                "kind": s.kind,
                "roles": list(s.roles),
                "provenance": s.provenance,
                "crs": s.crs,
                "features": stats.get("features"),
                "size": stats.get("size"),
            }
            if area:
                row["area_km2"] = stats.get("area_km2")
            row.update(
                source=s.source, licence=s.licence, vintage=s.vintage, path=str(s.path)
            )
            rows.append(row)
        return rows

    def describe(self, layer_id: str) -> dict[str, Any]:
        """Metadata, lon/lat bounds and attribute schema (vector) or raster info of a layer."""
        return describe_layer(self, self[layer_id])
