"""The one exclusion schema, shared by eligibility and siting configs.

Examples
--------
>>> s = ExclusionSpec.model_validate({"layer": "landcover", "codes": [0, 13],
...                                   "reason": "water and urban"})
>>> s.mode, s.label
('centre', 'landcover')
>>> ExclusionSpec.model_validate({"layer": "red_lines", "reason": "r",
...                               "coverage": "fraction"}).mode
'fraction'
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, model_validator

from ordos_geo.config import StrictModel, WhereSpec

__all__ = ["ExclusionSpec", "Mode"]

#: How a geometry removes a cell: centre inside, any touch, or covered fraction.
Mode = Literal["centre", "all_touched", "fraction"]


class ExclusionSpec(StrictModel):
    """One exclusion: cells it covers are not eligible (first exclusion in order wins).

    A vector layer removes the cells its (buffered) features cover under ``mode``; a
    raster layer removes the cells whose centre lies in a source pixel matching
    ``codes``/``ranges`` (tested at the source resolution), within ``buffer_m`` of
    such a pixel when buffered.
    """

    layer: str = Field(min_length=1, description="Catalog layer id, or a vector/raster file "
                       "path (relative to the config file)")
    file_layer: str | None = Field(
        default=None, min_length=1,
        description="Layer name inside a multi-layer file (GeoPackage); file paths only")
    name: str = Field(default="", description="Short id (table column); default: the layer")
    reason: str = Field(min_length=1, description="Why these cells are excluded (zh / en)")
    source: str = Field(default="", description="Where the rule or the setback comes from")
    where: WhereSpec | None = Field(
        default=None, description="Vector layers: keep features {field: value | [values]}")
    codes: list[float] | None = Field(default=None, description="Raster: class codes to exclude")
    ranges: list[tuple[float, float]] | None = Field(
        default=None, description="Raster: inclusive [lo, hi] value ranges to exclude")
    band: int = Field(default=1, ge=1, description="Raster: 1-based band number")
    buffer_m: float = Field(default=0.0, ge=0, description="Euclidean setback, metres")
    buffer_tip_heights: float | None = Field(
        default=None, ge=0,
        description="Wind only: setback as a multiple of turbine tip height; the larger "
        "of this and buffer_m is used")
    mode: Mode = Field(
        default="centre",
        description="centre: cell centre inside; all_touched: any cell touched; fraction: "
        "covered fraction ≥ min_fraction")
    coverage: Literal["centre", "fraction"] | None = Field(
        default=None, description="Siting spelling of mode (centre | fraction)")
    min_fraction: float = Field(default=0.5, gt=0, le=1, description="With mode: fraction")
    enabled: bool = Field(default=True, description="false: keep the entry but skip it")

    @model_validator(mode="after")
    def _check(self) -> ExclusionSpec:
        if self.coverage is not None:
            if "mode" in self.model_fields_set and self.mode != self.coverage:
                raise ValueError("give mode or coverage, not both")
            object.__setattr__(self, "mode", self.coverage)
        for lo, hi in self.ranges or ():
            if lo > hi:
                raise ValueError(f"range [{lo}, {hi}] has lo > hi; write [lo, hi]")
        return self

    @property
    def label(self) -> str:
        """``name``, or the layer when no name is given."""
        return self.name or self.layer

    def setback_m(self, tip_height_m: float | None, *, what: str) -> float:
        """Buffer in metres: ``max(buffer_m, buffer_tip_heights × tip_height_m)``."""
        from ordos_geo.errors import ConfigError

        if self.buffer_tip_heights is None:
            return float(self.buffer_m)
        if tip_height_m is None:
            raise ConfigError(f"{what}.buffer_tip_heights: only for wind analyses "
                              "(needs a turbine tip height); use buffer_m")
        return max(float(self.buffer_m), self.buffer_tip_heights * float(tip_height_m))

    def describe(self) -> dict[str, Any]:
        """Short JSON-ready summary (for logs)."""
        return {"layer": self.layer, "reason": self.reason, "mode": self.mode}
