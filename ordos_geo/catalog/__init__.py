"""The layer catalog: layer ids → files, kind, roles, CRS, provenance, licence.

Data enters the tool through one door: a :class:`Catalog` loaded from the default
catalog (shipped inside the package) overlaid with an optional user catalog. Every
analysis asks the catalog for a layer by id; the catalog reads it through
:mod:`ordos_geo.io` with the declared CRS, so a CRS mismatch, a GBK shapefile or a
GCJ-02 layer is handled in one place.

- :mod:`ordos_geo.catalog.spec` — :class:`LayerSpec` (one entry) and the file model.
- :mod:`ordos_geo.catalog.registry` — :class:`Catalog`: loading, look-up, cached reads.
- :mod:`ordos_geo.catalog.checks` — validation, statistics and descriptions of layers.

Examples
--------
>>> cat = Catalog.load()
>>> "banners" in cat and cat["banners"].kind
'vector'
"""

from ordos_geo.catalog.checks import LayerCheck, ValidationReport
from ordos_geo.catalog.registry import ENV_LAYERS, Catalog, default_catalog_path
from ordos_geo.catalog.spec import PROVENANCES, RESOURCE_ROLES, ROLES, CatalogFile, LayerSpec

__all__ = [
    "ENV_LAYERS",
    "PROVENANCES",
    "RESOURCE_ROLES",
    "ROLES",
    "Catalog",
    "CatalogFile",
    "LayerCheck",
    "LayerSpec",
    "ValidationReport",
    "default_catalog_path",
]
