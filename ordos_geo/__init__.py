"""ordos_geo — geospatial zoning and siting analysis for Ordos (鄂尔多斯), Inner Mongolia.

Layers enter through one door (:mod:`ordos_geo.catalog` + :mod:`ordos_geo.io`), are put
on one metric working grid (:mod:`ordos_geo.grid`), excluded by
:mod:`ordos_geo.exclusions`, analysed by two engines (:mod:`ordos_geo.siting`,
:mod:`ordos_geo.zoning`) and leave through :mod:`ordos_geo.maps` and
:mod:`ordos_geo.report`.

The front door (:mod:`ordos_geo.api`, documented in ``docs/api.md``):

=====================  ==========================================================
:func:`open_catalog`   default + user layer catalog → ``Catalog``
:func:`read`           any vector / raster / project / 界址点 file
:func:`eligible_land`  eligible land → ``EligibilityResult``
:func:`site`           PV / wind siting → ``SitingResult``
:func:`check`          project screening → ``ScreeningResult``
:func:`write_map`      offline interactive HTML map → ``Path``
:func:`build_report`   static report (HTML/PDF/PNG) → ``ReportResult``
=====================  ==========================================================

plus the error tree (:class:`OrdosGeoError` and its subclasses). Importing the package
is cheap: the engines load on first use.

Examples
--------
>>> import ordos_geo as og
>>> issubclass(og.ConfigError, og.OrdosGeoError)
True
"""

from ordos_geo._version import __version__
from ordos_geo.api import (
    build_report,
    check,
    eligible_land,
    open_catalog,
    read,
    site,
    write_map,
)
from ordos_geo.errors import (
    ConfigError,
    CRSMismatchError,
    GridMismatchError,
    LayerIOError,
    OrdosGeoError,
    OrdosGeoWarning,
    OutputError,
    ProjectInputError,
    RuleError,
)

__all__ = [
    "CRSMismatchError",
    "ConfigError",
    "GridMismatchError",
    "LayerIOError",
    "OrdosGeoError",
    "OrdosGeoWarning",
    "OutputError",
    "ProjectInputError",
    "RuleError",
    "__version__",
    "build_report",
    "check",
    "eligible_land",
    "open_catalog",
    "read",
    "site",
    "write_map",
]
