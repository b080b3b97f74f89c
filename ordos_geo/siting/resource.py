"""Solar and wind resource on the working grid (pvlib, windpowerlib).

PV
    Clear-sky irradiance from pvlib's Ineichen–Perez model with monthly Linke turbidity
    and altitude (the ``linke_turbidity`` and ``elevation`` layers) is simulated hourly
    for one year on a coarse sample (``pv.sample_deg``, default 0.25°), transposed to a
    south-facing plane tilted at the latitude (Hay–Davies), turned into DC power with
    PVWatts (``pvlib.pvsystem.pvwatts_dc``, cell temperature from the PVsyst model at a
    fixed ambient temperature — an assumption) and into AC energy with the PVWatts
    nominal inverter efficiency and system losses. The clear-sky yield is an upper
    bound; it is scaled by ``pv.clear_sky_index`` (≈ 0.75 for Ordos, see its source).
    A user all-sky GHI raster (``pv.ghi_raster``) replaces the irradiance model: the
    specific yield is then ``GHI_user × (modelled yield / modelled GHI)``, i.e. the
    modelled performance ratio incl. transposition gain is kept.

Wind
    A user mean-speed raster (``wind.mean_speed_raster``, e.g. Global Wind Atlas) or a
    documented reference mean speed is moved to hub height with a power law, corrected
    for air density at the site's elevation (IEC 61400-12-1: ``v·(ρ/ρ0)^(1/3)``), and
    the capacity factor is the power curve of a windpowerlib turbine integrated against
    a Weibull distribution of shape ``k`` (``scipy.stats.weibull_min``) minus losses.

All rasters returned are float32 on the working grid (CRS metres); NaN = no data.
"""

from __future__ import annotations

import logging
import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ordos_geo.errors import ConfigError
from ordos_geo.siting.config import PVResourceSpec, WindResourceSpec

__all__ = [
    "PVPointResult",
    "ResourceResult",
    "TurbineInfo",
    "air_density_isa",
    "interpolate_coarse",
    "load_turbine",
    "pv_yield_points",
    "resource_roles",
    "to_yearly",
    "weibull_capacity_factor",
    "wind_cf_from_speed",
]

log = logging.getLogger(__name__)

#: Sea-level ISA air density, kg/m³ (power curves refer to it).
RHO0 = 1.225


@dataclass
class ResourceResult:
    """A resource raster and what produced it.

    Attributes
    ----------
    values
        float32 on the working grid: PV specific yield (kWh/kWp/yr, AC) or wind
        capacity factor (0–1, net of losses).
    units
        Units of ``values``.
    method
        ``"pvlib-clearsky×index"``, ``"user-ghi"``, ``"user-wind-raster"`` or
        ``"reference-speed"``.
    summary
        Key numbers (means over the region) and parameters for the summary JSON.
    variables
        Further float32 rasters by name (PV: ``ghi`` all-sky GHI kWh/m²/yr; wind:
        ``wind_speed`` mean hub-height speed m/s) for ``input: resource`` factors with
        a ``variable``.
    source_type
        ``"raster"`` (a measured/reanalysis raster the user gave), ``"model"``
        (pvlib clear-sky model × an index) or ``"assumption"`` (one reference value).
    """

    values: np.ndarray
    units: str
    method: str
    summary: dict[str, Any] = field(default_factory=dict)
    variables: dict[str, np.ndarray] = field(default_factory=dict)
    source_type: str = "model"

    def variable(self, name: str | None) -> np.ndarray:
        """The main raster (``name`` None or the main variable) or a named variable."""
        main = "yield" if self.units.startswith("kWh/kWp") else "capacity_factor"
        if name is None or name == main:
            return self.values
        if name not in self.variables:
            have = ", ".join([main, *self.variables])
            raise ConfigError(f"factors: resource variable {name!r} not available "
                              f"(this resource has: {have})")
        return self.variables[name]


@dataclass
class PVPointResult:
    """PV model results at sample points (arrays of length n)."""

    ghi_clearsky_kwh_m2: np.ndarray
    poa_clearsky_kwh_m2: np.ndarray
    yield_clearsky_kwh_kwp: np.ndarray


def pv_yield_points(
    lat: np.ndarray,
    lon: np.ndarray,
    altitude_m: np.ndarray,
    linke_monthly: np.ndarray,
    spec: PVResourceSpec,
) -> PVPointResult:
    """Clear-sky annual GHI, POA and AC specific yield at points (pvlib).

    Parameters
    ----------
    lat, lon
        Degrees (EPSG:4326), shape ``(n,)``.
    altitude_m
        Metres above sea level, shape ``(n,)``.
    linke_monthly
        Linke turbidity per month, shape ``(n, 12)``.
    spec
        PV parameters (tilt, azimuth, albedo, temperature and loss assumptions).

    Returns
    -------
    PVPointResult
        Annual sums: GHI and POA in kWh/m², specific yield in kWh/kWp (AC, clear sky).

    Notes
    -----
    Solar position is computed once per distinct latitude (at the mean longitude of
    those points): shifting longitude only shifts the hours, which leaves annual sums
    unchanged to well under 0.1 %.
    """
    with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
        # pvlib's pandas-4 deprecations and night-time divisions by zero in Ineichen
        warnings.filterwarnings("ignore", module=r"pvlib\..*")
        return _pv_yield_points(lat, lon, altitude_m, linke_monthly, spec)


def _pv_yield_points(
    lat: np.ndarray,
    lon: np.ndarray,
    altitude_m: np.ndarray,
    linke_monthly: np.ndarray,
    spec: PVResourceSpec,
) -> PVPointResult:
    import pvlib

    lat = np.asarray(lat, dtype="float64")
    lon = np.asarray(lon, dtype="float64")
    alt = np.asarray(altitude_m, dtype="float64")
    tl = np.asarray(linke_monthly, dtype="float64")
    n = lat.size
    times = pd.date_range(
        f"{spec.year}-01-01 00:30", f"{spec.year}-12-31 23:30", freq="h", tz="UTC"
    )
    month_idx = times.month.to_numpy() - 1
    dni_extra = pvlib.irradiance.get_extra_radiation(times).to_numpy()
    ghi_sum = np.full(n, np.nan)
    poa_sum = np.full(n, np.nan)
    y_sum = np.full(n, np.nan)
    for la in np.unique(np.round(lat, 6)):
        sel = np.flatnonzero(np.isclose(lat, la))
        sp = pvlib.solarposition.get_solarposition(
            times, la, float(np.mean(lon[sel])), method="nrel_numpy"
        )
        app_zen = sp["apparent_zenith"].to_numpy()
        zen = sp["zenith"].to_numpy()
        azi = sp["azimuth"].to_numpy()
        am_rel = pvlib.atmosphere.get_relative_airmass(app_zen)
        tilt = abs(la) if spec.tilt_deg is None else spec.tilt_deg
        for i in sel:
            if not (np.isfinite(alt[i]) and np.all(np.isfinite(tl[i]))):
                continue
            am_abs = pvlib.atmosphere.get_absolute_airmass(
                am_rel, pvlib.atmosphere.alt2pres(alt[i])
            )
            cs = pvlib.clearsky.ineichen(
                app_zen, am_abs, tl[i][month_idx], altitude=alt[i], dni_extra=dni_extra
            )
            ghi = np.nan_to_num(np.asarray(cs["ghi"], dtype="float64"))
            dni = np.nan_to_num(np.asarray(cs["dni"], dtype="float64"))
            dhi = np.nan_to_num(np.asarray(cs["dhi"], dtype="float64"))
            poa = pvlib.irradiance.get_total_irradiance(
                tilt, spec.azimuth_deg, zen, azi, dni, ghi, dhi,
                dni_extra=dni_extra, model="haydavies", albedo=spec.albedo,
            )["poa_global"]
            poa = np.nan_to_num(np.asarray(poa, dtype="float64"))
            tcell = pvlib.temperature.pvsyst_cell(poa, spec.ambient_temp_c, spec.wind_speed_ms)
            pdc = pvlib.pvsystem.pvwatts_dc(poa, tcell, 1.0, spec.gamma_pdc)  # kW per kWp
            pac = np.clip(np.asarray(pdc), 0, None) * spec.inverter_efficiency
            ghi_sum[i] = ghi.sum() / 1000.0
            poa_sum[i] = poa.sum() / 1000.0
            y_sum[i] = pac.sum() * (1.0 - spec.system_losses)
    return PVPointResult(ghi_sum, poa_sum, y_sum)


def interpolate_coarse(
    coarse: np.ndarray, factor_rows: float, factor_cols: float, shape: tuple[int, int],
    *, row_offset: float = 0.0, col_offset: float = 0.0,
) -> np.ndarray:
    """Bilinear interpolation of a coarse grid onto a fine grid (separable, float32).

    Parameters
    ----------
    coarse
        ``(h, w)`` values at coarse-cell centres; NaN cells are filled with the nearest
        valid value first.
    factor_rows, factor_cols
        Fine cells per coarse cell.
    shape
        Fine grid shape ``(H, W)``.
    row_offset, col_offset
        Fine-grid index of the coarse grid's upper-left corner (usually 0).
    """
    from scipy import ndimage

    c = np.asarray(coarse, dtype="float64")
    bad = ~np.isfinite(c)
    if bad.all():
        return np.full(shape, np.nan, dtype="float32")
    if bad.any():
        idx = ndimage.distance_transform_edt(bad, return_distances=False, return_indices=True)
        c = c[tuple(idx)]

    def weights(n_fine: int, n_coarse: int, f: float, off: float) -> np.ndarray:
        pos = (np.arange(n_fine) + 0.5 - off) / f - 0.5  # fine centre in coarse index units
        pos = np.clip(pos, 0, n_coarse - 1)
        i0 = np.floor(pos).astype(int)
        i1 = np.minimum(i0 + 1, n_coarse - 1)
        t = pos - i0
        m = np.zeros((n_fine, n_coarse), dtype="float32")
        m[np.arange(n_fine), i0] += (1 - t).astype("float32")
        m[np.arange(n_fine), i1] += t.astype("float32")
        return m

    ry = weights(shape[0], c.shape[0], factor_rows, row_offset)
    rx = weights(shape[1], c.shape[1], factor_cols, col_offset)
    return (ry @ (c.astype("float32") @ rx.T)).astype("float32")


# --- wind ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TurbineInfo:
    """A windpowerlib turbine: power curve (m/s, W), rated power (W), geometry (m)."""

    turbine_type: str
    hub_height_m: float
    rotor_diameter_m: float
    nominal_power_w: float
    curve_speed_ms: np.ndarray
    curve_power_w: np.ndarray

    @property
    def tip_height_m(self) -> float:
        """Hub height plus rotor radius, metres."""
        return self.hub_height_m + self.rotor_diameter_m / 2.0


def load_turbine(turbine_type: str, hub_height_m: float) -> TurbineInfo:
    """Load a turbine from windpowerlib's bundled oedb library (offline).

    Raises
    ------
    ConfigError
        Unknown turbine type (message lists a few valid ones).
    """
    from windpowerlib import WindTurbine
    from windpowerlib.wind_turbine import get_turbine_types

    try:
        with warnings.catch_warnings():
            # windpowerlib's own pandas deprecations and its "no power curve" warning
            # (turned into a ConfigError below) are not for our users
            warnings.filterwarnings("ignore", module=r"windpowerlib\..*")
            t = WindTurbine(turbine_type=turbine_type, hub_height=hub_height_m)
        pc = t.power_curve
        if pc is None or t.rotor_diameter is None:
            raise KeyError(turbine_type)
    except Exception as exc:  # windpowerlib raises KeyError/ValueError/TypeError variously
        try:
            types = get_turbine_types(print_out=False, filter_=True)
            known = sorted(types.loc[types["has_power_curve"], "turbine_type"].tolist())
        except Exception:  # pragma: no cover - library data missing
            known = []
        hint = ", ".join(k for k in known if "/3" in k or "/4" in k)[:160]
        raise ConfigError(
            f"wind.turbine_type: {turbine_type!r} not in windpowerlib's turbine library; "
            f"use one of e.g. {hint or 'V126/3450, E-141/4200'}"
        ) from exc
    return TurbineInfo(
        turbine_type=turbine_type,
        hub_height_m=float(hub_height_m),
        rotor_diameter_m=float(t.rotor_diameter),
        nominal_power_w=float(t.nominal_power),
        curve_speed_ms=pc["wind_speed"].to_numpy(dtype="float64"),
        curve_power_w=pc["value"].to_numpy(dtype="float64"),
    )


def weibull_capacity_factor(
    turbine: TurbineInfo, mean_speed_ms: np.ndarray | float, *, k: float = 2.0
) -> np.ndarray:
    """Gross capacity factor of ``turbine`` for Weibull-distributed speeds.

    ``CF = ∫ P(v) f(v; k, c) dv / P_rated`` with scale ``c = v̄ / Γ(1 + 1/k)``; the
    power curve is linear between its points and zero beyond its last speed (cut-out).

    Parameters
    ----------
    turbine
        From :func:`load_turbine`.
    mean_speed_ms
        Mean wind speed(s) at hub height, m/s.
    k
        Weibull shape parameter.

    Returns
    -------
    numpy.ndarray
        Capacity factor in ``[0, 1]`` (float64), same shape as ``mean_speed_ms``.
    """
    from scipy.special import gamma
    from scipy.stats import weibull_min

    vbar = np.atleast_1d(np.asarray(mean_speed_ms, dtype="float64"))
    v = np.arange(0.0, 40.0 + 1e-9, 0.05)
    p = np.interp(v, turbine.curve_speed_ms, turbine.curve_power_w, right=0.0)
    p = np.clip(p, 0, turbine.nominal_power_w)
    # probability mass of each bin [v_i - dv/2, v_i + dv/2) to avoid density spikes
    edges = np.concatenate([[0.0], (v[:-1] + v[1:]) / 2, [np.inf]])
    out = np.zeros(vbar.shape, dtype="float64")
    ok = vbar > 0
    c = vbar[ok] / gamma(1.0 + 1.0 / k)
    cdf = weibull_min.cdf(edges[None, :], k, scale=c[:, None])
    mass = np.diff(cdf, axis=1)
    out[ok] = mass @ p / turbine.nominal_power_w
    return np.clip(out.reshape(np.shape(mean_speed_ms)), 0.0, 1.0)


def air_density_isa(elevation_m: np.ndarray) -> np.ndarray:
    """ISA troposphere air density (kg/m³) at an elevation (m above sea level)."""
    h = np.asarray(elevation_m, dtype="float64")
    return RHO0 * np.power(np.clip(1.0 - 2.25577e-5 * h, 0.1, None), 4.25588)


def wind_cf_from_speed(
    speed_ms: np.ndarray,
    spec: WindResourceSpec,
    turbine: TurbineInfo,
    *,
    speed_height_m: float,
    elevation_m: np.ndarray | None = None,
    weibull_k: np.ndarray | float | None = None,
    block_rows: int = 1024,
) -> tuple[np.ndarray, np.ndarray]:
    """Net capacity factor and hub-height mean speed from a mean-speed raster (float32).

    Speeds at ``speed_height_m`` are moved to hub height with the power law
    ``(h_hub / h)^α``, optionally density-corrected with ``elevation_m`` (the corrected
    speed enters the power curve; the returned hub speed is not density-corrected) and
    looked up in a table of :func:`weibull_capacity_factor` (0.02 m/s × 0.05 k steps),
    times ``1 − spec.losses``. ``weibull_k``: a per-cell shape raster (e.g. Global Wind
    Atlas combined Weibull k) or None = ``spec.weibull_k``. Row blocks keep temporaries
    small; NaN stays NaN.

    Returns
    -------
    cf, hub_speed
        float32 rasters: capacity factor (0–1) and mean speed at hub height (m/s).
    """
    s = np.asarray(speed_ms, dtype="float32")
    fac = np.float32((spec.hub_height_m / speed_height_m) ** spec.shear_exponent)
    table_v = np.arange(0.0, 25.0 + 1e-9, 0.02)
    k_arr = None if weibull_k is None or np.ndim(weibull_k) == 0 else np.asarray(weibull_k)
    k0 = float(spec.weibull_k if weibull_k is None or k_arr is not None else weibull_k)
    if k_arr is None:
        ks = np.array([k0])
    else:
        fin = k_arr[np.isfinite(k_arr)]
        lo = max(1.0, float(np.floor(fin.min() * 20) / 20)) if fin.size else k0
        hi = min(5.0, float(np.ceil(fin.max() * 20) / 20)) if fin.size else k0
        ks = np.arange(lo, hi + 1e-9, 0.05)
    table = np.stack([weibull_capacity_factor(turbine, table_v, k=float(kk)) for kk in ks])
    table = (table * (1.0 - spec.losses)).astype("float32")
    cf = np.empty(s.shape, dtype="float32")
    hub = np.empty(s.shape, dtype="float32")
    for r0 in range(0, s.shape[0], block_rows):
        sl = slice(r0, r0 + block_rows)
        v = s[sl] * fac
        hub[sl] = v
        if spec.density_correction and elevation_m is not None:
            # ISA density ratio ρ/ρ0 = (1 − 2.25577e-5 h)^4.25588 in float32, cube root
            h = np.nan_to_num(np.asarray(elevation_m[sl], dtype="float32"), nan=0.0)
            base = np.clip(np.float32(1.0) - np.float32(2.25577e-5) * h, np.float32(0.1), None)
            v = v * np.power(base, np.float32(4.25588 / 3.0))
        bad = ~np.isfinite(v)
        vi = np.clip(np.rint(np.nan_to_num(v) / 0.02), 0, table_v.size - 1).astype(np.int32)
        if k_arr is None:
            ki = np.zeros(vi.shape, dtype=np.int32)
        else:
            kb = k_arr[sl]
            bad |= ~np.isfinite(kb)
            ki = np.clip(np.rint((np.nan_to_num(kb, nan=ks[0]) - ks[0]) / 0.05), 0,
                         ks.size - 1).astype(np.int32)
        out = table[ki, vi]
        out[bad] = np.nan
        cf[sl] = out
    return cf, hub


def check_ghi_units(values: np.ndarray, units: str, *, where: str) -> np.ndarray:
    """Convert a user GHI raster to kWh/m²/yr and sanity-check its range."""
    v = np.asarray(values, dtype="float32")
    if units == "kWh/m2/day":
        v = v * np.float32(365.0)
    finite = v[np.isfinite(v)]
    if finite.size and not (300 <= float(np.nanmedian(finite)) <= 3500):
        raise ConfigError(
            f"{where}: pv.ghi_units: median {float(np.nanmedian(finite)):.0f} kWh/m²/yr is "
            "implausible; check pv.ghi_units (kWh/m2/yr or kWh/m2/day)"
        )
    return v


def nominal_tilt(lat_deg: float) -> float:
    """Tilt used when ``pv.tilt_deg`` is null: the latitude (degrees)."""
    return float(abs(lat_deg)) if math.isfinite(lat_deg) else 40.0


# --- on the working grid ------------------------------------------------------------


def resource_roles(catalog: Any) -> dict[str, str]:
    """Resource role → catalog layer id (the first layer carrying each resource role).

    Roles: ``ghi``, ``pvout``, ``wind_speed_100m``, ``weibull_a``, ``weibull_k``, ``dem``
    (:data:`ordos_geo.catalog.RESOURCE_ROLES`). The default catalog has none, so every
    role found is the user's and wins over the documented assumption.

    Raises
    ------
    ConfigError
        A layer with a resource role is not a raster.
    """
    from ordos_geo.catalog import RESOURCE_ROLES

    out: dict[str, str] = {}
    for spec in catalog:
        for role in spec.roles:
            if role in RESOURCE_ROLES and role not in out:
                if spec.kind != "raster":
                    raise ConfigError(
                        f"catalog: {spec.id}: role {role} needs a raster layer (GeoTIFF); "
                        "fix the layer's kind/path or drop the role")
                out[role] = spec.id
            elif role in RESOURCE_ROLES:
                log.warning("catalog: layers %s and %s both have role %s; using %s",
                            out[role], spec.id, role, out[role])
    return out


#: Plausible medians of yearly (and daily) totals: GHI kWh/m², PVOUT kWh/kWp.
_YEARLY_RANGE = {"ghi": (300.0, 3500.0), "pvout": (300.0, 3000.0)}


def to_yearly(values: np.ndarray, *, quantity: str, units: str | None, name: str,
              what: str) -> tuple[np.ndarray, str]:
    """Yearly totals (kWh/m²/yr or kWh/kWp/yr) from a Global-Solar-Atlas-style raster.

    The period comes from ``units`` (catalog ``units``: ``…/day`` or ``…/yr``), else from
    the file name (Global Solar Atlas folders ``…_LTAym_…`` hold long-term averages of
    daily totals, ``…_LTAy_…`` yearly totals), else from the range (a median below 20 is
    daily). Daily totals are × 365.

    Returns
    -------
    values, how
        float32 yearly totals and how the period was recognised.

    Raises
    ------
    ConfigError
        The result is implausible for ``quantity`` (``ghi`` or ``pvout``).

    Examples
    --------
    >>> v, how = to_yearly(np.array([4.4, 4.5], "float32"), quantity="pvout", units=None,
    ...                    name="China_GISdata_LTAym_AvgDailyTotals/PVOUT.tif", what="pvout")
    >>> [round(float(x)) for x in v], how
    ([1606, 1642], 'daily totals (file name LTAym)')
    """
    v = np.asarray(values, dtype="float32")
    u = (units or "").lower().replace(" ", "")
    daily: bool | None = None
    how = ""
    if u:
        if "day" in u or "/d" in u:
            daily, how = True, f"daily totals (units {units})"
        elif "yr" in u or "year" in u or "/a" in u:
            daily, how = False, f"yearly totals (units {units})"
    if daily is None:
        up = name.upper()
        if "LTAYM" in up:
            daily, how = True, "daily totals (file name LTAym)"
        elif "LTAY" in up:
            daily, how = False, "yearly totals (file name LTAy)"
    finite = v[np.isfinite(v)]
    med = float(np.median(finite[:: max(1, finite.size // 1_000_000)])) if finite.size else 0.0
    if daily is None:
        daily = med < 20.0
        how = f"{'daily' if daily else 'yearly'} totals (median {med:.3g})"
    if daily:
        v = v * np.float32(365.0)
        med *= 365.0
    lo, hi = _YEARLY_RANGE[quantity]
    if finite.size and not lo <= med <= hi:
        unit = "kWh/m²/yr" if quantity == "ghi" else "kWh/kWp/yr"
        raise ConfigError(
            f"{what}: {name}: median {med:.0f} {unit} after reading it as {how} is "
            f"implausible for {quantity.upper()}; set the layer's units in the catalog "
            "(e.g. kWh/m2/day or kWh/m2/yr)")
    return v, how


def _role_raster(layers: Any, layer_id: str, *, resampling: str = "bilinear") -> np.ndarray:
    arr = layers.raster(layer_id, resampling=resampling)
    return np.ma.filled(np.ma.asarray(arr).astype("float32"), np.nan)


def read_user_raster(ref: str, layers: Any, config_dir: Any, *, what: str,
                     resampling: str = "bilinear") -> np.ndarray:
    """A user raster given as catalog id or file path (relative to the config), float32.

    Raises
    ------
    ConfigError
        Neither a catalog id nor an existing file.
    """
    from pathlib import Path

    if ref in layers.catalog:
        arr = layers.raster(ref, resampling=resampling)
        return np.ma.filled(np.ma.asarray(arr).astype("float32"), np.nan)
    p = Path(ref)
    if not p.is_absolute() and config_dir is not None:
        p = Path(config_dir) / p
    if not p.is_file():
        raise ConfigError(
            f"{what}: {ref!r} is neither a catalog layer id nor an existing file; "
            "give a GeoTIFF path (relative to the config) or add it to a --catalog"
        )
    from ordos_geo.io.raster import read_to_grid

    layers.used[f"file:{p.name}"] = "user"
    arr = read_to_grid(p, layers.grid, resampling=resampling)
    return np.ma.filled(np.ma.asarray(arr).astype("float32"), np.nan)


def _coarse_grid(grid: Any, sample_deg: float) -> tuple[Any, int]:
    from affine import Affine

    from ordos_geo.grid import Grid

    k = max(1, round(sample_deg * 111_000.0 / grid.res_m))
    t = grid.transform
    shape = (-(-grid.height // k), -(-grid.width // k))
    return Grid(grid.crs, Affine(t.a * k, 0.0, t.c, 0.0, t.e * k, t.f), shape), k


def pv_resource(
    layers: Any,
    spec: PVResourceSpec,
    region: np.ndarray,
    *,
    elevation_layer: str | None,
    linke_layer: str | None,
    config_dir: Any = None,
    where: str = "pv",
    roles: Mapping[str, str] | None = None,
) -> ResourceResult:
    """PV specific yield (kWh/kWp/yr, AC) on the working grid.

    The pvlib model runs on a coarse grid aligned with the working grid (cells of
    about ``spec.sample_deg``) where it meets the region, and is interpolated
    bilinearly. See the module docstring for the method and assumptions.

    A catalog layer with role ``pvout`` (Global Solar Atlas PVOUT) replaces the modelled
    yield; one with role ``ghi`` (or ``pv.ghi_raster``) replaces the modelled irradiance
    (``roles`` from :func:`resource_roles`). Cells the user raster does not cover are NaN.
    """
    from pyproj import Transformer

    grid = layers.grid
    cg, k = _coarse_grid(grid, spec.sample_deg)
    pad = np.zeros((cg.height * k, cg.width * k), dtype=bool)
    pad[: grid.height, : grid.width] = region
    touch = pad.reshape(cg.height, k, cg.width, k).any(axis=(1, 3))
    del pad
    if elevation_layer:
        elev = np.ma.filled(layers.raster(elevation_layer, resampling="bilinear", grid=cg)
                            .astype("float32"), np.nan)
    else:
        elev = np.zeros(cg.shape, dtype="float32")
    if linke_layer:
        tl = np.stack([np.ma.filled(layers.raster(linke_layer, resampling="bilinear", band=b,
                                                  grid=cg).astype("float32"), np.nan)
                       for b in range(1, 13)], axis=-1)
    else:
        tl = np.full((*cg.shape, 12), 3.0, dtype="float32")
    rows, cols = np.nonzero(touch & np.isfinite(elev) & np.isfinite(tl).all(axis=-1))
    xs, ys = cg.xy(rows, cols)
    lon, lat = Transformer.from_crs(grid.crs, "EPSG:4326", always_xy=True).transform(xs, ys)
    # one latitude per coarse row keeps solar-position calls to the number of rows
    row_lat = np.zeros(cg.height)
    for r in np.unique(rows):
        row_lat[r] = float(np.mean(np.asarray(lat)[rows == r]))
    pts = pv_yield_points(row_lat[rows], np.asarray(lon), elev[rows, cols].astype("float64"),
                          tl[rows, cols].astype("float64"), spec)
    ghi_c = np.full(cg.shape, np.nan)
    y_c = np.full(cg.shape, np.nan)
    ghi_c[rows, cols] = pts.ghi_clearsky_kwh_m2
    y_c[rows, cols] = pts.yield_clearsky_kwh_kwp
    y_cs = interpolate_coarse(y_c, k, k, grid.shape)
    summary: dict[str, Any] = {
        "sample_points": int(rows.size),
        "sample_cell_km": round(cg.res_m / 1000.0, 2),
        "clear_sky_ghi_kwh_m2_yr_mean": _mean(ghi_c[rows, cols]),
        "clear_sky_yield_kwh_kwp_mean": _mean(y_c[rows, cols]),
        "tilt_deg": "latitude" if spec.tilt_deg is None else spec.tilt_deg,
        "azimuth_deg": spec.azimuth_deg,
        "model": "pvlib Ineichen clear sky (Linke, altitude) → Hay-Davies POA → PVWatts DC "
                 "(PVsyst cell temperature) → inverter η and losses",
        "assumptions": {
            "ambient_temp_c": spec.ambient_temp_c, "gamma_pdc": spec.gamma_pdc,
            "system_losses": spec.system_losses, "albedo": spec.albedo,
            "inverter_efficiency": spec.inverter_efficiency,
        },
    }
    roles = dict(roles or {})
    ghi_ref = spec.ghi_raster or roles.get("ghi")
    ghi_u: np.ndarray | None = None
    if ghi_ref:
        if spec.ghi_raster:
            ghi_u = check_ghi_units(
                read_user_raster(spec.ghi_raster, layers, config_dir,
                                 what=f"{where}.ghi_raster"),
                spec.ghi_units, where=where,
            )
            how: str = str(spec.ghi_units)
        else:
            ls = layers.catalog[ghi_ref]
            ghi_u, how = to_yearly(_role_raster(layers, ghi_ref), quantity="ghi",
                                   units=ls.units, name=str(ls.path), what=f"catalog: {ghi_ref}")
        summary.update({"ghi_layer": ghi_ref, "ghi_units_read_as": how,
                        "user_ghi_kwh_m2_yr_mean": _masked_mean(ghi_u, region)})
    pvout_ref = roles.get("pvout")
    source_type = "raster"
    if pvout_ref:
        ls = layers.catalog[pvout_ref]
        values, how_p = to_yearly(_role_raster(layers, pvout_ref), quantity="pvout",
                                units=ls.units, name=str(ls.path), what=f"catalog: {pvout_ref}")
        method = "user-pvout"
        summary.update({"pvout_layer": pvout_ref, "pvout_units_read_as": how_p,
                        "note": "specific yield = the user's PVOUT raster (Global Solar "
                        "Atlas style); the pvlib model is not used for the yield"})
    elif ghi_u is not None:
        ratio = interpolate_coarse(
            np.where(ghi_c > 0, y_c / np.where(ghi_c > 0, ghi_c, 1.0), np.nan), k, k, grid.shape
        )
        values = (ghi_u * ratio).astype("float32")
        del ratio
        method = "user-ghi"
        summary.update({
            "ghi_raster": ghi_ref, "ghi_units": spec.ghi_units,
            "note": "specific yield = user GHI × modelled (yield / clear-sky GHI) ratio",
        })
    else:
        values = y_cs
        values *= np.float32(spec.clear_sky_index)
        method = "pvlib-clearsky×index"
        source_type = "model"
        summary.update({
            "clear_sky_index": spec.clear_sky_index,
            "clear_sky_index_source": spec.clear_sky_index_source,
            "all_sky_ghi_kwh_m2_yr_estimate": round(
                (summary["clear_sky_ghi_kwh_m2_yr_mean"] or 0.0) * spec.clear_sky_index, 1),
        })
    if ghi_u is None:
        ghi_u = interpolate_coarse(ghi_c, k, k, grid.shape)
        ghi_u *= np.float32(spec.clear_sky_index)
        summary["ghi_source"] = "model: pvlib clear-sky GHI × clear_sky_index"
    else:
        summary["ghi_source"] = f"raster: {ghi_ref}"
    summary["yield_kwh_kwp_mean"] = _masked_mean(values, region)
    summary["ghi_kwh_m2_yr_mean"] = _masked_mean(ghi_u, region)
    summary["method"] = method
    res = ResourceResult(values, "kWh/kWp/yr (AC)", method, summary,
                         variables={"ghi": ghi_u}, source_type=source_type)
    return res


def wind_resource(
    layers: Any,
    spec: WindResourceSpec,
    region: np.ndarray,
    *,
    elevation_layer: str | None,
    turbine: TurbineInfo | None = None,
    config_dir: Any = None,
    where: str = "wind",
    roles: Mapping[str, str] | None = None,
) -> ResourceResult:
    """Net wind capacity factor (0–1) on the working grid; see the module docstring.

    Precedence of the speed: ``wind.mean_speed_raster``; catalog layers with roles
    ``weibull_a`` (+ ``weibull_k``) — mean speed ``A·Γ(1 + 1/k)`` at 100 m (Global Wind
    Atlas combined Weibull); role ``wind_speed_100m`` (GWA mean speed at 100 m); else the
    documented reference speed (an assumption). A ``weibull_k`` layer gives the shape per
    cell. Cells the raster does not cover are NaN.
    """
    from scipy.special import gamma

    grid = layers.grid
    tb = turbine or load_turbine(spec.turbine_type, spec.hub_height_m)
    roles = dict(roles or {})
    k_ras: np.ndarray | None = None
    if "weibull_k" in roles:
        k_ras = _role_raster(layers, roles["weibull_k"])
        bad = np.isfinite(k_ras) & ((k_ras < 0.8) | (k_ras > 6))
        if bad.any():
            raise ConfigError(f"catalog: {roles['weibull_k']}: Weibull k outside 0.8–6 in "
                              f"{int(bad.sum())} cells; is it the combined-Weibull-k GeoTIFF?")
    layers_used: list[str] = []
    if spec.mean_speed_raster:
        speed = read_user_raster(spec.mean_speed_raster, layers, config_dir,
                                 what=f"{where}.mean_speed_raster")
        height = spec.raster_height_m
        method = "user-wind-raster"
        layers_used.append(spec.mean_speed_raster)
    elif "weibull_a" in roles:
        a_ras = _role_raster(layers, roles["weibull_a"])
        kk = k_ras if k_ras is not None else np.float32(spec.weibull_k)
        speed = (a_ras * gamma(1.0 + 1.0 / kk)).astype("float32")
        del a_ras
        height = 100.0
        method = "user-weibull"
        layers_used += [roles["weibull_a"], *([roles["weibull_k"]] if k_ras is not None else [])]
    elif "wind_speed_100m" in roles:
        speed = _role_raster(layers, roles["wind_speed_100m"])
        height = 100.0
        method = "user-wind-raster"
        layers_used.append(roles["wind_speed_100m"])
    else:
        speed = np.full(grid.shape, spec.reference_mean_speed_ms, dtype="float32")
        height = spec.reference_height_m
        method = "reference-speed"
    if method != "reference-speed":
        med = _masked_mean(speed, region)
        if med is not None and not 1.5 <= med <= 20:
            raise ConfigError(f"{where}: {', '.join(layers_used)}: mean {med:.2f} m/s is "
                              "implausible for a mean wind speed; is it the wind-speed "
                              "GeoTIFF (m/s), not power density (W/m²)?")
    elev = None
    elev_id = roles.get("dem") or elevation_layer
    if spec.density_correction and elev_id:
        elev = np.ma.filled(layers.raster(elev_id, resampling="bilinear")
                            .astype("float32"), np.nan)
    cf, hub = wind_cf_from_speed(speed, spec, tb, speed_height_m=height, elevation_m=elev,
                                 weibull_k=k_ras)
    del speed
    summary: dict[str, Any] = {
        "method": method,
        "turbine_type": tb.turbine_type, "hub_height_m": tb.hub_height_m,
        "rotor_diameter_m": tb.rotor_diameter_m, "tip_height_m": tb.tip_height_m,
        "nominal_power_mw": tb.nominal_power_w / 1e6,
        "weibull_k": "raster" if k_ras is not None else spec.weibull_k,
        "shear_exponent": spec.shear_exponent,
        "losses": spec.losses, "density_correction": bool(elev is not None),
        "hub_speed_ms_mean": _masked_mean(hub, region),
        "capacity_factor_mean": _masked_mean(cf, region),
    }
    if method == "reference-speed":
        summary.update({"reference_mean_speed_ms": spec.reference_mean_speed_ms,
                        "reference_height_m": spec.reference_height_m,
                        "reference_source": spec.reference_source})
    else:
        summary.update({"wind_layers": layers_used, "raster_height_m": height})
    if elev is not None:
        summary["air_density_kg_m3_mean"] = _mean(air_density_isa(elev[region][::97]))
    del elev
    return ResourceResult(cf, "capacity factor (0-1, net of losses)", method, summary,
                          variables={"wind_speed": hub},
                          source_type="assumption" if method == "reference-speed"
                          else "raster")


def _mean(a: np.ndarray) -> float | None:
    a = np.asarray(a, dtype="float64")
    a = a[np.isfinite(a)]
    return round(float(a.mean()), 4) if a.size else None


def _masked_mean(values: np.ndarray, mask: np.ndarray, *, block_rows: int = 1024) -> float | None:
    """Mean of the finite ``values`` where ``mask``, rounded like :func:`_mean`.

    Row blocks with a float64 accumulator: no full-grid float64 copy (at 30 m over
    Ordos the masked values alone are ~100 M cells).
    """
    total = 0.0
    count = 0
    for r0 in range(0, values.shape[0], block_rows):
        v = values[r0:r0 + block_rows][mask[r0:r0 + block_rows]]
        v = v[np.isfinite(v)]
        total += float(np.sum(v, dtype=np.float64))
        count += int(v.size)
    return round(total / count, 4) if count else None
