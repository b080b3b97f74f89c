"""Wind turbine layout inside candidate sites: a staggered lattice, as GLAES and reV do.

Turbines stand on one lattice over the whole working grid: rows run across the
prevailing wind with ``spacing_across_d`` rotor diameters between turbines, rows are
``spacing_along_d`` diameters apart along the wind, and every other row is shifted by
half a spacing (staggered). The lattice is anchored at the origin of the working CRS
(metres), so it does not depend on the extent and turbines of neighbouring sites keep
the spacing too. A turbine is placed where the lattice point's cell belongs to a site;
setbacks (settlements, urban cores × tip height, reserves …) are exclusions, so they
already removed those cells. Sites that hold no lattice point get no turbine and are
dropped by the caller: a wind site is its turbines.

Energy per turbine: ``P_rated × CF(cell) × 8760 h × (1 − wake_loss)`` (CF already net of
the non-wake losses of :func:`ordos_geo.siting.resource.wind_cf_from_speed`).
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from ordos_geo.grid import Grid
from ordos_geo.siting.config import WindLayoutSpec

__all__ = ["HOURS_PER_YEAR", "TurbineLayout", "lattice_points", "place_turbines", "turbine_table"]

log = logging.getLogger(__name__)

HOURS_PER_YEAR = 8760.0


@dataclass
class TurbineLayout:
    """Turbines placed in sites.

    Attributes
    ----------
    x, y
        Turbine positions in the working CRS (m).
    site
        Site id (label) of each turbine.
    cf
        Net capacity factor (before wake loss) at each turbine's cell.
    """

    x: np.ndarray
    y: np.ndarray
    site: np.ndarray
    cf: np.ndarray

    def per_site(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        """Number of turbines and mean CF per site 1..n (CF NaN without turbines)."""
        cnt = np.bincount(self.site, minlength=n + 1)[1:]
        cfs = np.bincount(self.site, weights=self.cf.astype("float64"), minlength=n + 1)[1:]
        with np.errstate(invalid="ignore", divide="ignore"):
            return cnt, np.where(cnt > 0, cfs / np.maximum(cnt, 1), np.nan)


def lattice_points(bounds: tuple[float, float, float, float], *, across_m: float,
                   along_m: float, wind_from_deg: float) -> tuple[np.ndarray, np.ndarray]:
    """Staggered lattice points covering ``bounds`` (working CRS, metres).

    Parameters
    ----------
    bounds
        ``(xmin, ymin, xmax, ymax)``.
    across_m, along_m
        Spacing across and along the prevailing wind, m.
    wind_from_deg
        Direction the prevailing wind blows from, degrees clockwise from north.

    Examples
    --------
    >>> x, y = lattice_points((0, 0, 1000, 1000), across_m=100, along_m=200,
    ...                       wind_from_deg=0)
    >>> int(x.size), float(np.diff(np.unique(y)).min())
    (63, 200.0)
    """
    th = math.radians(wind_from_deg)
    ux, uy = math.sin(th), math.cos(th)      # along the wind
    vx, vy = math.cos(th), -math.sin(th)     # across the wind
    xmin, ymin, xmax, ymax = bounds
    cx = np.array([xmin, xmin, xmax, xmax])
    cy = np.array([ymin, ymax, ymin, ymax])
    a = cx * vx + cy * vy                    # across coordinate
    b = cx * ux + cy * uy                    # along coordinate
    j = np.arange(math.floor(b.min() / along_m) - 1, math.ceil(b.max() / along_m) + 2)
    i = np.arange(math.floor(a.min() / across_m) - 1, math.ceil(a.max() / across_m) + 2)
    ii, jj = np.meshgrid(i, j)
    aa = (ii + 0.5 * (jj % 2)) * across_m
    bb = jj * along_m
    x = aa * vx + bb * ux
    y = aa * vy + bb * uy
    keep = (x >= xmin) & (x <= xmax) & (y >= ymin) & (y <= ymax)
    return x[keep].ravel(), y[keep].ravel()


def place_turbines(labels: np.ndarray, grid: Grid, *, rotor_diameter_m: float,
                   spec: WindLayoutSpec, cf: np.ndarray) -> TurbineLayout:
    """Place turbines of rotor diameter ``rotor_diameter_m`` in the labelled sites.

    Parameters
    ----------
    labels
        int32 site labels on ``grid`` (0 = no site).
    grid
        Working grid (equal-area CRS, metres).
    rotor_diameter_m
        Rotor diameter D, m (spacings are multiples of D).
    spec
        Spacing, prevailing direction and wake loss.
    cf
        Net capacity-factor raster on ``grid`` (float32).

    Returns
    -------
    TurbineLayout
    """
    xmin, ymin, xmax, ymax = grid.bounds
    x, y = lattice_points((xmin, ymin, xmax, ymax),
                          across_m=spec.spacing_across_d * rotor_diameter_m,
                          along_m=spec.spacing_along_d * rotor_diameter_m,
                          wind_from_deg=spec.prevailing_wind_deg)
    r, c = grid.index(x, y)
    ok = (r >= 0) & (r < grid.height) & (c >= 0) & (c < grid.width)
    x, y, r, c = x[ok], y[ok], r[ok], c[ok]
    site = labels[r, c]
    inside = site > 0
    cf_t = np.asarray(cf[r[inside], c[inside]], dtype="float32")
    good = np.isfinite(cf_t)
    log.info("turbine lattice: %d points, %d in sites", int(x.size), int(good.sum()))
    return TurbineLayout(x[inside][good], y[inside][good],
                         site[inside][good].astype(np.int64), cf_t[good])


def turbine_table(layout: TurbineLayout, grid: Grid, *, turbine: Any,
                  wake_loss: float) -> Any:
    """Turbine points as a GeoDataFrame in EPSG:4326 (one row per turbine).

    Columns: ``turbine_id, site_id, turbine_type, hub_height_m, rotor_diameter_m,
    capacity_mw, capacity_factor`` (net of wake loss), ``annual_energy_mwh, lon, lat``.
    """
    import geopandas as gpd

    p_mw = turbine.nominal_power_w / 1e6
    cf_net = layout.cf.astype("float64") * (1.0 - wake_loss)
    gdf = gpd.GeoDataFrame({
        "turbine_id": np.arange(1, layout.site.size + 1, dtype="int64"),
        "site_id": layout.site.astype("int64"),
        "turbine_type": turbine.turbine_type,
        "hub_height_m": turbine.hub_height_m,
        "rotor_diameter_m": turbine.rotor_diameter_m,
        "capacity_mw": p_mw,
        "capacity_factor": np.round(cf_net, 4),
        "annual_energy_mwh": np.round(p_mw * cf_net * HOURS_PER_YEAR, 1),
    }, geometry=gpd.points_from_xy(layout.x, layout.y), crs=grid.crs).to_crs("EPSG:4326")
    gdf["lon"] = np.round(gdf.geometry.x.to_numpy(), 6)
    gdf["lat"] = np.round(gdf.geometry.y.to_numpy(), 6)
    return gdf
