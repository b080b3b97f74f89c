"""Pydantic models of a siting analysis (``analyses/pv.yaml``, ``analyses/wind.yaml``).

Every number that is an assumption rather than a measurement sits next to a
``*_source`` / ``source`` string saying where it comes from. Load a file with
:func:`load_siting_config`; errors are one line naming the file, line and key.

Examples
--------
>>> cfg = SitingConfig.model_validate({"kind": "pv"})
>>> cfg.grid.res_m, round(cfg.sites.density_mw_per_km2(), 1)
(100.0, 33.3)
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import Field, field_validator, model_validator

from ordos_geo.config import StrictModel, display_path, load_yaml, validate
from ordos_geo.crs import WORK_CRS_PROJ4
from ordos_geo.errors import ConfigError
from ordos_geo.exclusions.spec import ExclusionSpec
from ordos_geo.resources import analysis_path

__all__ = [
    "DEFAULT_DISTANCE_RES_M",
    "ClassesSpec",
    "CostSpec",
    "ExclusionSpec",
    "FactorSpec",
    "GridSpec",
    "PVResourceSpec",
    "PreferenceSpec",
    "SensitivitySpec",
    "SitesSpec",
    "SitingConfig",
    "TargetsSpec",
    "WeightsSpec",
    "WindLayoutSpec",
    "WindResourceSpec",
    "config_sha256",
    "default_config_path",
    "load_siting_config",
]

Scalar = str | int | float | bool

#: Default cell size (m) of distance factors: the PV/wind distance-decay factors change
#: over tens of km, so a 100 m distance grid (error ≤ 141 m) is far finer than needed.
DEFAULT_DISTANCE_RES_M = 100.0

#: Folder with the shipped analyses (``analyses/`` at the repository root).
ANALYSES_DIR = analysis_path("")


class GridSpec(StrictModel):
    """The working grid of the analysis."""

    crs: str = Field(
        default=WORK_CRS_PROJ4, description="Working CRS (metric; default Ordos Albers)"
    )
    res_m: float = Field(default=100.0, gt=0, description="Cell size in metres (e.g. 30, 100, 250)")
    region: str = Field(default="city", description="Catalog layer id of the study region")
    distance_res_m: float | None = Field(
        default=None, gt=0,
        description="Cell size (m) on which `input: distance` factors are computed before "
        "bilinear interpolation to res_m; null = max(res_m, 100). Error vs. the exact "
        "distance ≤ √2 × this (≈ 141 m at 100 m); set it equal to res_m for exact "
        "distances. Not used for exclusions or buffers (always exact)",
    )

    def distance_cell_m(self) -> float:
        """Cell size (m) of the distance transform behind ``input: distance`` factors.

        ``distance_res_m`` when set (never finer than ``res_m``), else
        ``max(res_m, DEFAULT_DISTANCE_RES_M)``. Equal to ``res_m`` means exact (EDT on
        the working grid, error ≤ res_m/√2); coarser adds at most ``cell/√2``
        (distance is 1-Lipschitz; total error ≤ √2 × cell).
        """
        d = DEFAULT_DISTANCE_RES_M if self.distance_res_m is None else self.distance_res_m
        return max(self.res_m, d)


class FactorSpec(StrictModel):
    """One scoring factor: a criterion raster turned into 0–100 by a value function."""

    name: str = Field(description="Short id of the factor")
    input: Literal["value", "distance", "resource", "zones"] = Field(
        default="value",
        description="value: raster layer values; distance: Euclidean distance "
        "(m) to a vector layer's features; resource: PV yield (kWh/kWp/yr) or wind "
        "capacity factor (0–1) from the resource model; zones: the highest `zones` "
        "score of the polygon layers holding the cell (cell centre), no data outside all",
    )
    variable: Literal["yield", "ghi", "capacity_factor", "wind_speed"] | None = Field(
        default=None,
        description="input: resource: which resource variable (PV: yield kWh/kWp/yr or "
        "all-sky ghi kWh/m²/yr; wind: capacity_factor or hub-height wind_speed m/s); "
        "null = the analysis' main variable (PV yield, wind capacity factor)",
    )
    zones: dict[str, float] | None = Field(
        default=None,
        description="Polygon layer id → score 0–100. input: zones: the factor value "
        "(cells in no zone get missing_score); any other input: a floor, cells inside a "
        "zone score at least the zone's score (e.g. mapped desert over a coarse land cover)",
    )
    layer: str | None = Field(
        default=None, description="Catalog layer id (not for input: resource)"
    )
    where: dict[str, Scalar | list[Scalar]] | None = Field(
        default=None, description="Attribute filter for distance to a vector layer"
    )
    resampling: Literal["nearest", "bilinear"] = Field(
        default="nearest", description="How a raster layer is put on the grid"
    )
    transform: Literal["linear", "piecewise", "categorical", "distance_decay", "identity",
                       "percentile"] = Field(
        description="Value function (identity: the value is already a 0–100 score; "
        "percentile: linear between the region's lo_pct and hi_pct percentiles of the "
        "eligible cells, widened to at least min_span)"
    )
    params: dict[str, object] = Field(
        default_factory=dict,
        description="linear: lo, hi; piecewise: points [[x, s]]; "
        "categorical: scores {code: s}, default; distance_decay: half_distance_m, "
        "near_is_good; percentile: lo_pct (5), hi_pct (95), min_span (units of the value), "
        "descending (false)",
    )
    missing_score: float = Field(
        default=0.0, ge=0, le=100, description="Score where the criterion has no data"
    )
    weight: float | None = Field(
        default=None, ge=0, description="Direct weight (weights.method: direct)"
    )
    source: str = Field(default="", description="Why this factor and these parameters")

    @model_validator(mode="after")
    def _check(self) -> FactorSpec:
        bad = {k: v for k, v in (self.zones or {}).items() if not 0 <= v <= 100}
        if bad:
            raise ValueError(f"factor {self.name!r}: zone scores must be 0–100 (got {bad})")
        if self.input == "zones":
            if not self.zones:
                raise ValueError(f"factor {self.name!r}: input zones needs zones "
                                 "{layer id: score}")
        elif self.input != "resource" and not self.layer:
            raise ValueError(f"factor {self.name!r}: input {self.input} needs a layer id")
        return self


class WeightsSpec(StrictModel):
    """How factor weights are obtained."""

    method: Literal["direct", "ahp"] = Field(default="direct", description="direct or ahp")
    matrix: list[list[float]] | None = Field(
        default=None, description="AHP pairwise matrix, rows/columns in the order of `factors`"
    )
    max_cr: float = Field(default=0.1, gt=0, description="Maximum consistency ratio (Saaty: 0.1)")

    @field_validator("matrix", mode="before")
    @classmethod
    def _fractions(cls, value: object) -> object:
        # Saaty judgements are usually written as fractions: accept "1/3" in YAML.
        if not isinstance(value, list):
            return value
        return [[_fraction(x) for x in row] if isinstance(row, list) else row for row in value]


def _fraction(x: object) -> object:
    if isinstance(x, str) and "/" in x:
        num, _, den = x.partition("/")
        try:
            return float(num) / float(den)
        except (ValueError, ZeroDivisionError):
            raise ValueError(f"{x!r} is not a number or fraction like 1/3") from None
    return x


class PreferenceSpec(StrictModel):
    """A priority zone of the plan that raises the score of cells inside it."""

    name: str = Field(description="Short id (column in the site table)")
    layer: str = Field(description="Catalog layer id (polygons)")
    mode: Literal["bonus", "multiplier"] = Field(default="bonus", description="bonus or multiplier")
    value: float = Field(
        default=10.0, ge=0, description="Points added (bonus) or factor (multiplier)"
    )
    clause: str = Field(default="", description="Plan clause, e.g. 二(六)1")
    where: dict[str, Scalar | list[Scalar]] | None = Field(
        default=None, description="Attribute filter"
    )


class ClassesSpec(StrictModel):
    """Score classes: 0 excluded, 1 low … len(thresholds)+1 very high."""

    thresholds: list[float] = Field(
        default_factory=lambda: [40.0, 60.0, 80.0], description="Ascending score cut points"
    )
    labels: list[str] = Field(
        default_factory=lambda: ["low", "medium", "high", "very high"],
        description="One label per class above 0",
    )

    @model_validator(mode="after")
    def _check(self) -> ClassesSpec:
        if list(self.thresholds) != sorted(self.thresholds):
            raise ValueError("classes.thresholds must be ascending")
        if len(self.labels) != len(self.thresholds) + 1:
            raise ValueError("classes.labels needs len(thresholds) + 1 entries")
        return self


class SitesSpec(StrictModel):
    """Candidate sites (an absolute rule) and PV capacity density.

    A cell is a candidate where it is eligible and scores ≥ ``min_score``; sites are
    connected candidate regions (within one banner), cleaned by the shape rule
    (``min_width_m``: morphological opening), cut to ``max_site_km2`` and kept when at
    least ``min_area_km2``. No share of the eligible land enters the rule.
    """

    min_score: float = Field(
        default=60.0, ge=0, le=100,
        description="Candidate cells: eligible with score ≥ this (absolute threshold)",
    )
    top_fraction: float | None = Field(
        default=None,
        description="REMOVED: a relative shortlist fixes the result by its own definition; "
        "use min_score (absolute) — kept only to give a clear error",
    )
    min_area_km2: float = Field(
        default=1.0, ge=0, description="Minimum site area after splitting, km²"
    )
    min_width_m: float | None = Field(
        default=None, ge=0,
        description="Shape rule: candidate land narrower than this (m) is removed by a "
        "morphological opening with a disc of this diameter (strips, spurs, single "
        "cells); null = no shape rule",
    )
    max_site_km2: float | None = Field(
        default=None, gt=0,
        description="Largest site, km²: larger connected regions are cut on a square "
        "tile grid of side sqrt(max_site_km2) km; null = no limit",
    )
    split_by_banner: bool = Field(
        default=False, description="Sites never cross a banner boundary (exact capacity by banner)"
    )
    site_rule_source: str = Field(
        default="", description="Why this threshold and these site sizes"
    )
    threshold_curve: list[float] = Field(
        default_factory=lambda: [50.0, 55.0, 60.0, 65.0, 70.0, 75.0, 80.0, 85.0, 90.0],
        description="Score thresholds at which the site rule is re-run to report how "
        "GW change with the threshold",
    )
    capacity_density_mw_per_km2: float | None = Field(
        default=None, gt=0,
        description="PV: MW per km² of site area; null = module_power_w_m2 × gcr × "
        "array_share (wind capacity = the counted turbines)",
    )
    module_power_w_m2: float = Field(
        default=224.0, gt=0,
        description="PV module power per m² of module (STC), W/m²",
    )
    gcr: float = Field(default=0.33, gt=0, le=1, description="PV ground-cover ratio")
    array_share: float = Field(
        default=0.45, gt=0, le=1,
        description="Share of a site's gross area covered by array fields (rest: roads, "
        "fire breaks, setbacks, substation, irregular edges)",
    )
    capacity_density_source: str = Field(
        default="224 W/m² (2023 TOPCon module, 580 Wp on 2.58 m²) × GCR 0.33 (rows "
        "unshaded 9–15 h on the winter solstice at ≈ 40° N, GB 50797-2012 §6.6) × 45 % of "
        "the gross site area in array fields (ASSUMPTION) ≈ 33 MWp/km², close to NREL's "
        "total-area density (Ong et al. 2013, NREL/TP-6A20-56290: ≈ 31 MW/km²)",
        description="Source of the density parameters",
    )

    @field_validator("top_fraction")
    @classmethod
    def _removed(cls, value: float | None) -> float | None:
        if value is not None:
            raise ValueError(
                "sites.top_fraction was removed (a shortlist of a share of the eligible land "
                "fixed the GW by definition); delete it and set sites.min_score"
            )
        return value

    @model_validator(mode="after")
    def _check(self) -> SitesSpec:
        if self.max_site_km2 is not None and self.max_site_km2 < self.min_area_km2:
            raise ValueError(
                f"max_site_km2 ({self.max_site_km2:g}) must be ≥ min_area_km2 "
                f"({self.min_area_km2:g})"
            )
        return self

    def density_mw_per_km2(self) -> float:
        """PV capacity per km² of gross site area (MW/km²)."""
        if self.capacity_density_mw_per_km2 is not None:
            return float(self.capacity_density_mw_per_km2)
        return self.module_power_w_m2 * self.gcr * self.array_share


class CostSpec(StrictModel):
    """Cost parameters of the levelised cost of energy (CNY, China 2023–2025)."""

    capex_cny_per_kw: float = Field(default=3400.0, gt=0, description="Overnight CAPEX, CNY/kW")
    opex_cny_per_kw_yr: float = Field(default=45.0, ge=0, description="Fixed O&M, CNY/kW/yr")
    wacc: float = Field(default=0.05, ge=0, lt=1, description="Real discount rate (WACC)")
    lifetime_yr: int = Field(default=25, gt=0, description="Economic lifetime, years")
    connection_cny_per_km: float = Field(
        default=1.0e6, ge=0, description="Grid connection line cost per km of distance, CNY/km"
    )
    source: str = Field(default="", description="Where each number comes from")

    def crf(self) -> float:
        """Capital recovery factor ``r(1+r)^n / ((1+r)^n − 1)`` (``1/n`` at r = 0)."""
        r, n = self.wacc, self.lifetime_yr
        if r == 0:
            return 1.0 / n
        return r * (1 + r) ** n / ((1 + r) ** n - 1)


class TargetsSpec(StrictModel):
    """Targets shown next to the capacity result (city-wide, all renewables)."""

    target_gw: float = Field(default=50.0, ge=0, description="Renewable capacity target, GW")
    target_source: str = Field(
        default="鄂环发〔2023〕76号 二(六)1: 2025年争取可再生能源装机达到5000万千瓦 "
        "(all renewables, not per technology)",
        description="Source",
    )
    installed_gw_2025: float = Field(
        default=27.79, ge=0, description="Installed new-energy GW, end-2025"
    )
    installed_source: str = Field(
        default="Ordos new-energy installed capacity end-2025: 27.79 GW (project DATA.md, [sure])",
        description="Source",
    )


class PVResourceSpec(StrictModel):
    """PV resource model (pvlib) or a user GHI raster."""

    ghi_raster: str | None = Field(
        default=None,
        description="Catalog layer id or GeoTIFF path (relative to this file) of "
        "all-sky GHI, e.g. Global Solar Atlas; replaces the clear-sky model",
    )
    ghi_units: Literal["kWh/m2/yr", "kWh/m2/day"] = Field(default="kWh/m2/yr", description="Units")
    clear_sky_index: float = Field(default=0.75, gt=0, le=1, description="All-sky / clear-sky GHI")
    clear_sky_index_source: str = Field(
        default="assumption: pvlib Ineichen clear-sky GHI in Ordos ≈ 2,200 kWh/m²/yr "
        "(upper bound); published all-sky GHI ≈ 1,600–1,700 kWh/m²/yr "
        "(Global Solar Atlas summaries) → ≈ 0.75",
        description="Source",
    )
    tilt_deg: float | None = Field(default=None, ge=0, le=90, description="Tilt; null = latitude")
    azimuth_deg: float = Field(default=180.0, ge=0, lt=360, description="Azimuth, 180 = south")
    sample_deg: float = Field(default=0.25, gt=0, description="Model sample spacing, degrees")
    year: int = Field(default=2019, description="Calendar year of the hourly simulation")
    albedo: float = Field(default=0.25, ge=0, le=1, description="Ground albedo (assumption)")
    ambient_temp_c: float = Field(
        default=12.0,
        description="Daytime ambient temperature for the cell-temperature model, °C "
        "(assumption: Ordos annual mean ≈ 6–9 °C, daytime warmer)",
    )
    wind_speed_ms: float = Field(
        default=3.0, ge=0, description="Wind speed for cell temperature (m/s)"
    )
    gamma_pdc: float = Field(
        default=-0.0037,
        description="Power temperature coefficient, 1/°C "
        "(PVWatts v5 standard module, Dobos 2014 NREL/TP-6A20-62641)",
    )
    system_losses: float = Field(
        default=0.14, ge=0, lt=1, description="PVWatts v5 default losses 14 % (Dobos 2014)"
    )
    inverter_efficiency: float = Field(default=0.96, gt=0, le=1, description="PVWatts nominal 0.96")


class WindResourceSpec(StrictModel):
    """Wind resource: a user mean-speed raster or a documented reference speed."""

    turbine_type: str = Field(default="V126/3450", description="windpowerlib oedb turbine type")
    hub_height_m: float = Field(default=117.0, gt=0, description="Hub height, m")
    mean_speed_raster: str | None = Field(
        default=None,
        description="Catalog layer id or GeoTIFF path of mean wind speed (m/s), "
        "e.g. Global Wind Atlas; replaces the reference speed",
    )
    raster_height_m: float = Field(
        default=100.0, gt=0, description="Height of the raster speeds, m"
    )
    reference_mean_speed_ms: float = Field(
        default=6.8, gt=0, description="Mean speed used without a raster, m/s at reference_height_m"
    )
    reference_height_m: float = Field(default=100.0, gt=0, description="Height of the reference, m")
    reference_source: str = Field(
        default="ASSUMPTION: ~6.5–7 m/s mean at 100 m for Ordos from Global Wind Atlas summaries; "
        "not a measurement — give mean_speed_raster (GWA GeoTIFF) for real results",
        description="Source",
    )
    shear_exponent: float = Field(
        default=0.143,
        ge=0,
        le=0.6,
        description="Power-law shear exponent to move speeds to hub height (1/7 assumption)",
    )
    weibull_k: float = Field(
        default=2.0, gt=0.5, le=6, description="Weibull shape k (2 = Rayleigh)"
    )
    density_correction: bool = Field(
        default=True,
        description="Scale speeds by (ρ/ρ0)^(1/3) with ISA air density at the "
        "elevation layer's height (IEC 61400-12-1)",
    )
    losses: float = Field(
        default=0.10,
        ge=0,
        lt=1,
        description="Non-wake losses: availability, electrical, performance (the wake "
        "loss is wind_layout.wake_loss)",
    )


class WindLayoutSpec(StrictModel):
    """Turbine placement inside wind sites (a staggered lattice, as GLAES and reV do)."""

    spacing_across_d: float = Field(
        default=4.0, gt=0, description="Spacing across the prevailing wind, rotor diameters")
    spacing_along_d: float = Field(
        default=7.0, gt=0, description="Spacing along the prevailing wind, rotor diameters")
    prevailing_wind_deg: float = Field(
        default=315.0, ge=0, lt=360,
        description="Direction the prevailing wind blows FROM, degrees clockwise from north")
    wake_loss: float = Field(
        default=0.08, ge=0, lt=1, description="Array (wake) loss on the farm energy")
    source: str = Field(default="", description="Where the layout parameters come from")


class SensitivitySpec(StrictModel):
    """Monte-Carlo perturbation of the weights."""

    concentration: float = Field(default=50.0, gt=0, description="Dirichlet α = concentration × w")
    top_fraction: float = Field(default=0.2, gt=0, lt=1, description="Top share of eligible scores")
    seed: int = Field(default=20231031, description="Random seed")


class SitingConfig(StrictModel):
    """A declarative PV or wind siting analysis."""

    kind: Literal["pv", "wind"] = Field(description="pv or wind")
    title: str = Field(default="", description="Title for reports")
    grid: GridSpec = Field(default_factory=GridSpec, description="Working grid")
    banners_layer: str = Field(default="banners", description="Layer with adcode/name_zh/name_en")
    landcover_layer: str | None = Field(default="landcover", description="IGBP land-cover raster")
    elevation_layer: str | None = Field(default="elevation", description="Elevation raster (m)")
    linke_layer: str | None = Field(
        default="linke_turbidity", description="12-band Linke turbidity"
    )
    exclusions: list[ExclusionSpec] = Field(default_factory=list, description="Exclusions")
    factors: list[FactorSpec] = Field(default_factory=list, description="Scoring factors")
    weights: WeightsSpec = Field(default_factory=WeightsSpec, description="Weights")
    preferences: list[PreferenceSpec] = Field(default_factory=list, description="Preferences")
    classes: ClassesSpec = Field(default_factory=ClassesSpec, description="Score classes")
    sites: SitesSpec = Field(default_factory=SitesSpec, description="Sites and capacity")
    targets: TargetsSpec = Field(default_factory=TargetsSpec, description="Targets")
    pv: PVResourceSpec = Field(default_factory=PVResourceSpec, description="PV resource")
    wind: WindResourceSpec = Field(default_factory=WindResourceSpec, description="Wind")
    wind_layout: WindLayoutSpec = Field(
        default_factory=WindLayoutSpec, description="Turbine layout (wind)")
    cost: CostSpec = Field(default_factory=CostSpec, description="LCOE parameters")
    grid_layers: list[str] | None = Field(
        default=None,
        description="Catalog ids of grid connections (substations, lines); null = every "
        "layer with role grid (a user's non-illustrative ones first)")
    sensitivity: SensitivitySpec = Field(
        default_factory=SensitivitySpec, description="Robustness runs"
    )

    @model_validator(mode="after")
    def _check(self) -> SitingConfig:
        names = [e.name for e in self.exclusions if e.enabled]
        if len(names) > 254:
            raise ValueError("at most 254 exclusions (reason codes are uint8)")
        if len(set(names)) != len(names):
            raise ValueError(f"exclusion names must be unique (got {names})")
        fnames = [f.name for f in self.factors]
        if len(set(fnames)) != len(fnames):
            raise ValueError(f"factor names must be unique (got {fnames})")
        if self.weights.method == "ahp":
            m = self.weights.matrix
            if m is None:
                raise ValueError("weights.matrix is required with weights.method: ahp")
            if len(m) != len(self.factors) or any(len(r) != len(self.factors) for r in m):
                raise ValueError(
                    f"weights.matrix must be {len(self.factors)}×{len(self.factors)} "
                    "(one row/column per factor, in factor order)"
                )
        elif self.factors and any(f.weight is None for f in self.factors):
            missing = [f.name for f in self.factors if f.weight is None]
            raise ValueError(f"weights.method direct: factors {missing} need a weight")
        return self

    def factor_weights(self, *, path: str = "<config>") -> tuple[np.ndarray, float | None]:
        """Normalised factor weights and the AHP consistency ratio (None if direct).

        Raises
        ------
        ConfigError
            AHP matrix with CR ≥ ``weights.max_cr``.
        """
        from ordos_geo.siting.criteria import ahp_weights, normalise_weights

        if not self.factors:
            return np.zeros(0), None
        if self.weights.method == "direct":
            return normalise_weights([f.weight or 0.0 for f in self.factors]), None
        assert self.weights.matrix is not None  # checked by the validator
        w, cr = ahp_weights(self.weights.matrix, where=f"{path}: weights.matrix")
        if cr >= self.weights.max_cr:
            raise ConfigError(
                f"{path}: weights.matrix: AHP consistency ratio CR = {cr:.3f} ≥ "
                f"{self.weights.max_cr:g}; revise the pairwise judgements"
            )
        return w, cr


def default_config_path(kind: str) -> Path:
    """Path of the shipped analysis ``analyses/{kind}.yaml``."""
    return ANALYSES_DIR / f"{kind}.yaml"


def load_siting_config(path: str | os.PathLike[str]) -> SitingConfig:
    """Load and validate a siting analysis YAML file.

    Raises
    ------
    ConfigError
        One line with file, line and key path.
    """
    data = load_yaml(path)
    return validate(SitingConfig, data, path)


def config_sha256(path: str | os.PathLike[str] | None, cfg: SitingConfig) -> str:
    """sha256 of the config file bytes, or of the model's JSON when built in code."""
    if path is not None and Path(path).is_file():
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    return hashlib.sha256(cfg.model_dump_json().encode()).hexdigest()


def shown(path: str | os.PathLike[str] | None) -> str:
    """Path as shown in messages (relative to the current folder when possible)."""
    return "<config>" if path is None else display_path(path)
