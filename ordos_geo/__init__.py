"""ordos_geo — geospatial zoning and siting analysis for Ordos (鄂尔多斯), Inner Mongolia.

Layers enter through one door (:mod:`ordos_geo.catalog` + :mod:`ordos_geo.io`), are put
on one metric working grid (:mod:`ordos_geo.grid`), analysed by two engines
(:mod:`ordos_geo.siting`, :mod:`ordos_geo.zoning`) and leave through
:mod:`ordos_geo.maps` and :mod:`ordos_geo.report`.
"""

from importlib.metadata import PackageNotFoundError, version

from ordos_geo.errors import (
    ConfigError,
    CRSMismatchError,
    GridMismatchError,
    LayerIOError,
    OrdosGeoError,
    OrdosGeoWarning,
    OutputError,
    RuleError,
)

try:
    __version__ = version("ordos-geo")
except PackageNotFoundError:  # running from a source tree without install
    __version__ = "0.0.0+unknown"

__all__ = [
    "CRSMismatchError",
    "ConfigError",
    "GridMismatchError",
    "LayerIOError",
    "OrdosGeoError",
    "OrdosGeoWarning",
    "OutputError",
    "RuleError",
    "__version__",
]
