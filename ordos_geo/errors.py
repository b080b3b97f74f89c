"""One error tree for ordos_geo.

Every message is one line that names the file, the layer (or key) and the fix, e.g.
``layers/roads.gpkg: layer 'roads' not found (available: road_lines); set layers.roads.layer``.
The CLI turns any :class:`OrdosGeoError` into exit code 1 and prints only that line.
"""

from __future__ import annotations

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
]


class OrdosGeoError(Exception):
    """Root of all errors raised by ordos_geo for bad input or impossible requests."""

    def __init__(self, message: str) -> None:
        # Keep messages on one line: the CLI prints them verbatim.
        super().__init__(" ".join(str(message).split("\n")).strip())


class ConfigError(OrdosGeoError, ValueError):
    """A YAML catalog, analysis config or rules file is invalid."""


class LayerIOError(OrdosGeoError, OSError):
    """A layer or input file cannot be read (missing, corrupt, wrong layer name...)."""


class CRSMismatchError(OrdosGeoError):
    """Coordinates do not match the declared CRS, or a CRS is missing/implausible."""


class GridMismatchError(OrdosGeoError):
    """Two rasters or arrays are not on the same working grid."""


class RuleError(OrdosGeoError):
    """A zoning rule is invalid or refers to a missing layer/field."""


class ProjectInputError(OrdosGeoError, ValueError):
    """A project proposal file has a bad row, field or geometry."""


class OutputError(OrdosGeoError, OSError):
    """An output cannot be written (exists without --overwrite, unwritable, equals an input)."""


class OrdosGeoWarning(UserWarning):
    """Warnings issued by ordos_geo (repaired geometries, illustrative data...)."""
