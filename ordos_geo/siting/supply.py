"""Energy, grid connection, levelised cost and the supply curve of candidate sites (reV style).

Per site (rows of the site table):

* ``annual_energy_mwh`` — PV: ``capacity_mw × yield`` (yield in kWh/kWp/yr = MWh/MW/yr,
  the site's mean specific yield); wind: the sum over its turbines of
  ``P × CF × 8760 h × (1 − wake_loss)``.
* ``capacity_factor = energy / (capacity × 8760 h)``; ``full_load_hours = energy /
  capacity`` (h/yr).
* ``grid_distance_km`` — straight-line distance from the site outline to the nearest
  feature of the grid layers (substations and lines, working equal-area CRS); NaN
  when no grid layer is given.
* ``lcoe_cny_per_kwh = (CRF × (CAPEX + connection) + OPEX) / energy`` with
  ``CRF = r(1+r)^n / ((1+r)^n − 1)`` (real WACC ``r``, lifetime ``n`` years), CAPEX and
  OPEX per kW of capacity and the connection at ``connection_cny_per_km`` × distance.

The supply curve lists the sites by LCOE, cheapest first, with the cumulative capacity
and energy for the city (``cumulative_gw``, ``cumulative_twh``) and within each banner
(``cumulative_gw_banner``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ordos_geo.siting.config import CostSpec

__all__ = ["SUPPLY_COLUMNS", "add_economics", "grid_distance_km", "supply_curve"]

log = logging.getLogger(__name__)

#: Columns of ``{kind}_supply_curve.csv``.
SUPPLY_COLUMNS = [
    "rank", "site_id", "banner_adcode", "banner_zh", "banner_en", "capacity_mw",
    "annual_energy_mwh", "capacity_factor", "full_load_hours", "grid_distance_km",
    "capex_cny", "connection_cny", "lcoe_cny_per_kwh", "cumulative_gw", "cumulative_twh",
    "cumulative_gw_banner", "mean_score", "lon", "lat",
]


def grid_distance_km(sites: Any, grid_layers: Sequence[Any], crs: Any) -> np.ndarray:
    """Distance (km) from each site outline to the nearest grid feature.

    Parameters
    ----------
    sites
        GeoDataFrame of sites (any CRS).
    grid_layers
        GeoDataFrames of substations (points) and lines.
    crs
        Equal-area working CRS (metres) the distances are measured in.

    Returns
    -------
    numpy.ndarray
        float64 km per site; NaN without grid features.
    """
    import shapely

    if len(sites) == 0:
        return np.zeros(0)
    geoms = [g for gdf in grid_layers if len(gdf) for g in gdf.to_crs(crs).geometry.values
             if g is not None and not g.is_empty]
    if not geoms:
        return np.full(len(sites), np.nan)
    tree = shapely.STRtree(geoms)
    sg = sites.to_crs(crs).geometry.values
    (i_site, _), dist = tree.query_nearest(sg, return_distance=True, all_matches=False)
    out = np.full(len(sites), np.nan)
    out[i_site] = dist / 1000.0
    return out


def add_economics(sites: Any, *, cost: CostSpec, distance_km: np.ndarray) -> Any:
    """Add capacity factor, full-load hours, CAPEX and LCOE columns (in place, returned).

    ``sites`` must hold ``capacity_mw`` and ``annual_energy_mwh``. Sites without a grid
    distance (no grid layer) are costed without a connection.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"capacity_mw": [100.0], "annual_energy_mwh": [160_000.0]})
    >>> c = CostSpec(capex_cny_per_kw=3400, opex_cny_per_kw_yr=45, wacc=0.05,
    ...              lifetime_yr=25, connection_cny_per_km=1e6)
    >>> out = add_economics(s, cost=c, distance_km=np.array([10.0]))
    >>> round(float(out["lcoe_cny_per_kwh"].iloc[0]), 4), int(out["full_load_hours"].iloc[0])
    (0.1833, 1600)
    """
    cap = sites["capacity_mw"].to_numpy(dtype="float64")
    e = sites["annual_energy_mwh"].to_numpy(dtype="float64")
    with np.errstate(invalid="ignore", divide="ignore"):
        flh = np.where(cap > 0, e / cap, np.nan)
    d = np.asarray(distance_km, dtype="float64")
    conn = np.where(np.isfinite(d), d, 0.0) * cost.connection_cny_per_km
    capex = cap * 1000.0 * cost.capex_cny_per_kw
    opex = cap * 1000.0 * cost.opex_cny_per_kw_yr
    annual = cost.crf() * (capex + conn) + opex
    with np.errstate(invalid="ignore", divide="ignore"):
        lcoe = np.where(e > 0, annual / (e * 1000.0), np.nan)
    sites["capacity_factor"] = np.round(flh / 8760.0, 4)
    sites["full_load_hours"] = np.round(flh, 0)
    sites["grid_distance_km"] = np.round(d, 2)
    sites["capex_cny"] = np.round(capex, -3)
    sites["connection_cny"] = np.round(conn, -3)
    sites["lcoe_cny_per_kwh"] = np.round(lcoe, 4)
    return sites


def supply_curve(sites: Any) -> pd.DataFrame:
    """Sites sorted by LCOE (cheapest first) with city and banner cumulative totals.

    Returns
    -------
    pandas.DataFrame
        :data:`SUPPLY_COLUMNS`.
    """
    df = pd.DataFrame(sites.drop(columns="geometry", errors="ignore")).copy()
    if df.empty:
        return pd.DataFrame({c: [] for c in SUPPLY_COLUMNS})
    df = df.sort_values(["lcoe_cny_per_kwh", "site_id"], na_position="last", kind="stable")
    df = df.reset_index(drop=True)
    df["rank"] = np.arange(1, len(df) + 1)
    df["cumulative_gw"] = np.round(df["capacity_mw"].cumsum() / 1000.0, 4)
    df["cumulative_twh"] = np.round(df["annual_energy_mwh"].cumsum() / 1e6, 4)
    df["cumulative_gw_banner"] = np.round(
        df.groupby("banner_adcode", dropna=False)["capacity_mw"].cumsum() / 1000.0, 4)
    for c in SUPPLY_COLUMNS:
        if c not in df.columns:
            df[c] = None
    return df[SUPPLY_COLUMNS]
