"""Eligible land at 30 m for one banner (region picked with ``where`` on ``adcode``).

Writes an eligibility YAML for the banner (region = the ``banners`` layer filtered with
``where: {adcode: ...}``; the exclusions of the shipped example: water/urban land cover,
red lines, nature reserves, urban cores + 500 m — the last three are illustrative), runs
it with :func:`ordos_geo.eligible_land` at 30 m and writes the reason raster as a
Cloud-Optimized GeoTIFF plus a CSV of removed area per exclusion.

Usage::

    python analyses/examples/banner_eligibility.py OUT_DIR [--adcode 150603] [--res 30]
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import yaml

import ordos_geo as og
from ordos_geo.io.raster import write_cog
from ordos_geo.resources import analysis_path


def write_config(path: Path, adcode: str, res_m: float) -> Path:
    """The shipped example with the region narrowed to one banner."""
    cfg = yaml.safe_load(analysis_path("eligibility_example.yaml").read_text(encoding="utf-8"))
    cfg["region"] = {"layer": "banners", "where": {"adcode": adcode}}
    cfg["res_m"] = res_m
    path.write_text(yaml.safe_dump(cfg, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path, help="output folder")
    ap.add_argument("--adcode", default="150603", help="banner adcode (default 康巴什区)")
    ap.add_argument("--res", type=float, default=30.0, help="cell size in metres")
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    cfg = write_config(args.out / f"eligibility_{args.adcode}.yaml", args.adcode, args.res)
    r = og.eligible_land(cfg)
    tif = write_cog(r.reasons, r.grid, args.out / f"reasons_{args.adcode}.tif", nodata=255,
                    tags={"units": "reason code (0 eligible, k = k-th exclusion, 255 outside)",
                          "provenance": "illustrative"}, overwrite=True)
    table = args.out / f"exclusions_{args.adcode}.csv"
    with table.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["code", "reason", "removed_km2"])
        for ex in r.exclusions:
            w.writerow([ex.code, ex.reason, f"{ex.removed_km2:.3f}"])
    print(f"banner {args.adcode} at {args.res:g} m: {r.grid.shape[0]}×{r.grid.shape[1]} cells, "
          f"eligible {r.eligible_km2:.1f} of {r.total_km2:.1f} km²")
    print(f"wrote {cfg}, {tif}, {table}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
