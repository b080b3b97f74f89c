"""Catalog entries: one :class:`LayerSpec` per layer (file, kind, roles, CRS, provenance).

Examples
--------
>>> spec = LayerSpec.model_validate({
...     "id": "red_lines", "title_zh": "生态保护红线", "title_en": "Red lines",
...     "kind": "vector", "path": "red_lines.gpkg", "crs": 4490,
...     "roles": ["exclusion", "zoning"], "provenance": "official",
...     "source": "自然资源局", "licence": "internal"})
>>> spec.crs, spec.roles
('EPSG:4490', ['exclusion', 'zoning'])
"""

from __future__ import annotations

import codecs
from pathlib import Path
from typing import Any, Literal, get_args

from pydantic import Field, field_validator

from ordos_geo import crs as _crs
from ordos_geo.config import StrictModel
from ordos_geo.crs import parse_crs

__all__ = [
    "PROVENANCES", "RESOURCE_ROLES", "ROLES", "CatalogFile", "LayerSpec", "Provenance", "Role",
]

Role = Literal[
    "zoning", "exclusion", "preference", "factor", "context", "grid",
    "ghi", "pvout", "wind_speed_100m", "weibull_a", "weibull_k", "dem",
]
Provenance = Literal["official", "derived", "illustrative", "user"]
ROLES: tuple[str, ...] = get_args(Role)
#: Roles of resource rasters that siting uses instead of its documented assumptions.
RESOURCE_ROLES: tuple[str, ...] = ("ghi", "pvout", "wind_speed_100m", "weibull_a", "weibull_k",
                                   "dem")
PROVENANCES: tuple[str, ...] = ("official", "derived", "illustrative", "user")


class LayerSpec(StrictModel):
    """One catalog entry: where a layer lives and what it is.

    ``path`` is relative to the catalog file that declares it; :meth:`Catalog.load`
    resolves it to an absolute path.
    """

    id: str = Field(
        pattern=r"^[a-z][a-z0-9_]*$",
        max_length=64,
        description="Layer id used by analyses and rules (lower case, digits, _).",
    )
    title_zh: str = Field(min_length=1, description="Chinese title shown on maps and reports.")
    title_en: str = Field(min_length=1, description="English title.")
    kind: Literal["vector", "raster"] = Field(description="vector (OGR) or raster (GDAL).")
    path: Path = Field(description="File, relative to the catalog file (or absolute).")
    layer: str | None = Field(
        default=None, description="Layer name inside a multi-layer file (GPKG, FileGDB)."
    )
    crs: str = Field(
        description="Declared CRS of the file: EPSG code (4490, 'EPSG:4524'), any pyproj "
        "string, or 'GCJ-02' for Amap/Tencent coordinates (converted to WGS84 on read)."
    )
    roles: list[Role] = Field(
        min_length=1,
        description="How analyses may use the layer: zoning, exclusion, preference, "
        "factor, context; grid (substations and lines for the connection distance); "
        "resource rasters ghi, pvout, wind_speed_100m, weibull_a, weibull_k, dem (siting "
        "uses them instead of its assumptions).",
    )
    provenance: Provenance = Field(
        description="official, derived (computed from real data), illustrative "
        "(built from published facts; replace with official data) or user."
    )
    source: str = Field(min_length=1, description="Where the data came from (citation).")
    licence: str = Field(min_length=1, description="Licence or terms of use of the data.")
    vintage: str | None = Field(default=None, description="Date or year the data describe.")
    notes: str | None = Field(default=None, description="Caveats: accuracy, resolution, gaps.")
    encoding: str | None = Field(
        default=None,
        description="Attribute encoding of a shapefile without .cpg (e.g. GBK).",
    )
    units: str | None = Field(default=None, description="Units of raster values (e.g. m).")
    fields: dict[str, str] | None = Field(
        default=None,
        description="Field mapping {name the rules read: name in this file}, e.g. "
        "{park_kind: 园区类型}; applied when the layer is read.",
    )
    categories: dict[int | str, str] | None = Field(
        default=None, description="Class code → label for categorical rasters or fields."
    )

    @field_validator("crs", mode="before")
    @classmethod
    def _check_crs(cls, value: Any) -> Any:
        if isinstance(value, bool):
            raise ValueError(f"not a CRS ({value!r}); use e.g. EPSG:4490, EPSG:4524 or GCJ-02")
        if isinstance(value, int):
            value = f"EPSG:{value}"
        if not isinstance(value, str):
            return value  # pydantic reports the type error
        text = value.strip()
        if text.upper().replace("_", "-") in ("GCJ-02", "GCJ02"):
            return _crs.GCJ02
        try:
            parse_crs(text)
        except Exception as exc:  # ConfigError, pyproj.CRSError
            raise ValueError(
                f"not a CRS pyproj knows ({text!r}); use e.g. EPSG:4490, EPSG:4524 or GCJ-02"
            ) from exc
        return text

    @field_validator("vintage", mode="before")
    @classmethod
    def _vintage_text(cls, value: Any) -> Any:
        # `vintage: 2019` in YAML is an int; keep it as text.
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        return value

    @field_validator("encoding")
    @classmethod
    def _check_encoding(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                codecs.lookup(value)
            except LookupError as exc:
                raise ValueError(
                    f"unknown encoding {value!r}; use e.g. GBK, GB18030 or UTF-8"
                ) from exc
        return value

    @field_validator("roles")
    @classmethod
    def _unique_roles(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(value))


class CatalogFile(StrictModel):
    """The content of a catalog YAML file."""

    version: Literal[1] = Field(description="Catalog format version (1).")
    layers: list[LayerSpec] = Field(description="Layer entries.")

    @field_validator("layers")
    @classmethod
    def _unique_ids(cls, layers: list[LayerSpec]) -> list[LayerSpec]:
        seen: dict[str, int] = {}
        for i, spec in enumerate(layers):
            if spec.id in seen:
                raise ValueError(
                    f"duplicate layer id '{spec.id}' (layers[{seen[spec.id]}] and "
                    f"layers[{i}]); give each layer its own id"
                )
            seen[spec.id] = i
        return layers
