"""Write the result files of a siting run (COG, GeoPackage, CSV, JSON), atomically.

Raster tags carry ``units``, ``provenance`` (``illustrative`` when any illustrative
layer was used), ``config_sha256``, the resource method and, on the reason raster,
``reasons`` (JSON code → reason) and ``exclusions`` (the area table as JSON).
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

import numpy as np

from ordos_geo.io.atomic import write_text_atomic
from ordos_geo.io.raster import write_cog
from ordos_geo.io.vector import write_gpkg

if TYPE_CHECKING:
    from ordos_geo.siting.run import SitingResult

__all__ = ["write_outputs"]

log = logging.getLogger(__name__)


def _csv(df: Any) -> str:
    return str(df.to_csv(index=False, lineterminator="\n"))


def write_outputs(r: SitingResult, *, overwrite: bool) -> None:
    """Write every file of ``r.files`` (paths were checked before the run)."""
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
    write_cog(
        np.stack([r.score, r.classes]), r.grid, f["score"], nodata=255, overwrite=overwrite,
        tags={**base, "units": "score 0-100 (band 1); class (band 2)",
              "classes": {"0": "excluded", **{str(i + 1): lab for i, lab in
                                              enumerate(r.config.classes.labels)}},
              "class_thresholds": thresholds, "weights": s["weights"]},
        band_descriptions=["score 0-100", "class 0 excluded, 1 low ... very high"],
    )
    reasons = {str(k): v for k, v in sorted(
        {0: "eligible", 255: "outside region",
         **{int(row["code"]): f"{row['name']}: {row['reason']}"
            for row in r.exclusions.to_dict(orient="records")}}.items())}
    write_cog(
        r.reasons, r.grid, f["reasons"], nodata=None, overwrite=overwrite,
        tags={**base, "units": "reason code (0 eligible, k = k-th exclusion, 255 outside)",
              "reasons": reasons,
              "exclusions": r.exclusions.round(3).to_dict(orient="records")},
        band_descriptions=["reason code"],
    )
    write_cog(
        np.where(np.isfinite(r.resource.values), r.resource.values, np.nan).astype("float32"),
        r.grid, f["resource"], nodata=float("nan"), overwrite=overwrite,
        tags={**base, "units": r.resource.units, "resource": r.resource.summary},
        band_descriptions=[r.resource.units], overview_resampling="average",
    )
    if r.robustness is not None and "robustness" in f:
        write_cog(
            r.robustness, r.grid, f["robustness"], nodata=255, overwrite=overwrite,
            tags={**base, "units": "% of weight perturbations in the top "
                  f"{r.config.sensitivity.top_fraction:.0%} of eligible scores",
                  "runs": s["sensitivity_runs"],
                  "concentration": r.config.sensitivity.concentration,
                  "seed": r.config.sensitivity.seed},
            band_descriptions=["robustness %"],
        )
    sites = r.sites.copy()
    sites["provenance"] = s["provenance"]
    write_gpkg(sites, f["sites"], layer="sites", overwrite=True)
    write_text_atomic(f["capacity"], _csv(r.capacity), overwrite=overwrite)
    write_text_atomic(f["exclusions"], _csv(r.exclusions.round(3)), overwrite=overwrite)
    s["outputs"] = {k: p.name for k, p in f.items()}
    write_text_atomic(f["summary"], json.dumps(s, ensure_ascii=False, indent=2, default=str)
                      + "\n", overwrite=overwrite)
    log.info("wrote %d files to %s", len(f), f["summary"].parent)
