"""Write the result files of a siting run (COG, GeoPackage, CSV, JSON), atomically.

Raster tags carry ``units``, ``provenance`` (``illustrative`` when any illustrative
layer was used), ``config_sha256``, the resource method and, on the reason raster,
``reasons`` (JSON code → reason) and ``exclusions`` (the area table as JSON).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import TYPE_CHECKING

import numpy as np

from ordos_geo.io.raster import write_cog
from ordos_geo.io.results import write_csv, write_json
from ordos_geo.io.vector import write_gpkg

if TYPE_CHECKING:
    from ordos_geo.siting.run import SitingResult

__all__ = ["write_outputs"]

log = logging.getLogger(__name__)


#: Below this many cells the rasters are written one after the other.
_PARALLEL_MIN_CELLS = 20_000_000


def _run_parallel(jobs: list[Callable[[], object]], *, workers: int) -> None:
    """Run the writers (each atomic on its own); the first error is raised."""
    if workers <= 1 or len(jobs) <= 1:
        for job in jobs:
            job()
        return
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="cog") as ex:
        futures = [ex.submit(job) for job in jobs]
        for fut in futures:
            fut.result()


def write_outputs(r: SitingResult, *, overwrite: bool, workers: int = 2) -> None:
    """Write every file of ``r.files`` (paths were checked before the run).

    ``workers`` GeoTIFFs are written at the same time on large grids (threads of an
    executor made for this call; GDAL compresses without the GIL). CSVs go through the
    formula-safe writer of :mod:`ordos_geo.io.results`.
    """
    s = r.summary
    base = {
        "provenance": s["provenance"],
        "config_sha256": s["config_sha256"],
        "analysis": r.kind,
        "resource_method": r.resource.method,
        "layers": s["layers"],
        "crs": s["grid"]["crs"],
        "res_m": r.grid.res_m,
    }
    f = r.files
    thresholds = r.config.classes.thresholds
    reasons = {str(k): v for k, v in sorted(
        {0: "eligible", 255: "outside region",
         **{int(row["code"]): f"{row['name']}: {row['reason']}"
            for row in r.exclusions.to_dict(orient="records")}}.items())}
    res_vals = r.resource.values
    if np.isinf(res_vals).any():  # ±inf → NaN (nodata); otherwise written as is, no copy
        res_vals = np.where(np.isfinite(res_vals), res_vals, np.nan).astype("float32")
    jobs: list[Callable[[], object]] = [
        # largest first: the float32 resource raster takes longest to compress
        partial(write_cog, res_vals.astype("float32", copy=False), r.grid, f["resource"],
                nodata=float("nan"), overwrite=overwrite,
                tags={**base, "units": r.resource.units, "resource": r.resource.summary},
                band_descriptions=[r.resource.units], overview_resampling="average"),
        partial(write_cog, np.stack([r.score, r.classes]), r.grid, f["score"], nodata=255,
                overwrite=overwrite,
                tags={**base, "units": "score 0-100 (band 1); class (band 2)",
                      "classes": {"0": "excluded", **{str(i + 1): lab for i, lab in
                                                      enumerate(r.config.classes.labels)}},
                      "class_thresholds": thresholds, "weights": s["weights"]},
                band_descriptions=["score 0-100", "class 0 excluded, 1 low ... very high"]),
        partial(write_cog, r.reasons, r.grid, f["reasons"], nodata=None, overwrite=overwrite,
                tags={**base,
                      "units": "reason code (0 eligible, k = k-th exclusion, 255 outside)",
                      "reasons": reasons,
                      "exclusions": r.exclusions.round(3).to_dict(orient="records")},
                band_descriptions=["reason code"]),
    ]
    if r.robustness is not None and "robustness" in f:
        jobs.append(partial(
            write_cog, r.robustness, r.grid, f["robustness"], nodata=255, overwrite=overwrite,
            tags={**base, "units": "% of weight perturbations in the top "
                  f"{r.config.sensitivity.top_fraction:.0%} of eligible scores",
                  "runs": s["sensitivity_runs"],
                  "concentration": r.config.sensitivity.concentration,
                  "seed": r.config.sensitivity.seed},
            band_descriptions=["robustness %"],
        ))
    _run_parallel(jobs, workers=workers if r.grid.size >= _PARALLEL_MIN_CELLS else 1)
    sites = r.sites.copy()
    sites["provenance"] = s["provenance"]
    write_gpkg(sites, f["sites"], layer="sites", overwrite=True)
    write_csv(r.capacity, f["capacity"], overwrite=overwrite)
    if "supply_curve" in f and r.supply is not None:
        write_csv(r.supply, f["supply_curve"], overwrite=overwrite)
    if "turbines" in f and r.turbines is not None:
        tb = r.turbines.copy()
        tb["provenance"] = s["provenance"]
        write_gpkg(tb, f["turbines"], layer="turbines", overwrite=True)
    write_csv(r.exclusions.round(3), f["exclusions"], overwrite=overwrite)
    s["outputs"] = {k: p.name for k, p in f.items()}
    write_json(s, f["summary"], overwrite=overwrite)
    log.info("wrote %d files to %s", len(f), f["summary"].parent)
