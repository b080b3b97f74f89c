"""Engine functions at 30 m over the synthetic Ordos grid, each case in a fresh process.

Usage::

    .venv/bin/python benchmarks/bench_engine.py [--res 30] [--only distance cog]

Cases:

Choose with ``--only distance coarse cog``.

* ``distance exact`` — ``distance_to(roads, grid)`` (scipy EDT on the full grid);
* ``distance coarse C`` — ``distance_to(roads, grid, coarse_m=C)`` (EDT on a C m grid,
  bilinear float32 upsampling in row blocks; error ≤ √2·C) — the max and mean error
  against the exact EDT are printed;
* ``cog ...`` — writing the 171 M-cell uint8 eligibility mask as a COG with
  ``io.raster.write_cog`` and with GDAL option variants (deflate level, threads,
  overview count), to see what the write costs.

One JSON line per case: wall s (of the measured step, in-process), peak RSS MB of the
process (includes building the grid and the inputs).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import textwrap
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "_data"

SETUP = textwrap.dedent(
    """
    import json, resource, sys, time
    import numpy as np, geopandas as gpd
    from ordos_geo.crs import WORK_CRS
    from ordos_geo.grid import Grid
    from ordos_geo import raster as rz
    data, res = sys.argv[1], float(sys.argv[2])
    region = gpd.read_file(f"{data}/region.gpkg").to_crs(WORK_CRS)
    grid = Grid.from_bounds(tuple(region.total_bounds), res_m=res, crs=WORK_CRS)
    roads = gpd.read_file(f"{data}/roads.gpkg").to_crs(WORK_CRS)
    def done(case, t0, **kw):
        print(json.dumps({"case": case, "res_m": res, "cells_m": round(grid.size / 1e6, 1),
                          "seconds": round(time.perf_counter() - t0, 2),
                          "peak_rss_mb": round(resource.getrusage(
                              resource.RUSAGE_SELF).ru_maxrss / 1024), **kw}))
    """
)

DIST_EXACT = SETUP + textwrap.dedent(
    """
    t0 = time.perf_counter()
    d = rz.distance_to(roads, grid)
    done("distance exact", t0)
    """
)

DIST_COARSE = SETUP + textwrap.dedent(
    """
    c = float(sys.argv[3])
    t0 = time.perf_counter()
    d = rz.distance_to(roads, grid, coarse_m=c)
    done(f"distance coarse {c:g} m", t0)
    # error against shapely's exact distance at 20,000 random cell centres
    import shapely
    rng = np.random.default_rng(0)
    r = rng.integers(0, grid.height, 20000); cidx = rng.integers(0, grid.width, 20000)
    x, y = grid.xy(r, cidx)
    # without max_distance_m only the geometry inside the grid counts (as for the full EDT)
    near = shapely.clip_by_rect(shapely.union_all(roads.geometry.values), *grid.bounds)
    exact = shapely.distance(shapely.points(x, y), near)
    err = np.abs(d[r, cidx] - exact)
    print(json.dumps({"case": f"distance coarse {c:g} m error vs shapely (20,000 cells)",
                      "max_m": round(float(err.max()), 1), "mean_m": round(float(err.mean()), 1),
                      "bound_m": round(2 ** 0.5 * c, 1)}))
    """
)

COG = SETUP + textwrap.dedent(
    """
    import os, tempfile, rasterio, rasterio.shutil
    variant = sys.argv[3]
    zones = gpd.read_file(f"{data}/zones.gpkg").to_crs(WORK_CRS)
    mask = np.full(grid.shape, 255, dtype=np.uint8)  # 1 eligible, 0 excluded, 255 outside
    rz.burn_into(mask, region, grid, value=1)
    rz.burn_into(mask, zones, grid, value=0)
    rz.burn_into(mask, roads, grid, value=0, buffer_m=500)
    out = tempfile.mkdtemp()
    t0 = time.perf_counter()
    if variant == "write_cog":
        from ordos_geo.io.raster import write_cog
        write_cog(mask, grid, f"{out}/m.tif", nodata=255, tags={"units": "1", "provenance": "x"})
    else:
        opts = json.loads(sys.argv[4])
        prof = grid.to_profile(dtype="uint8", nodata=255)
        prof.update(tiled=True, blockxsize=512, blockysize=512, compress="deflate",
                    zlevel=int(opts.get("LEVEL", 6)))
        with rasterio.Env(GDAL_PAM_ENABLED="NO"):
            with rasterio.open(f"{out}/s.tif", "w", **prof) as ds:
                ds.write(mask, 1)
            if variant == "gtiff":
                pass
            else:
                with rasterio.open(f"{out}/s.tif") as ds:
                    rasterio.shutil.copy(ds, f"{out}/m.tif", driver="COG", COMPRESS="DEFLATE",
                                         BLOCKSIZE=512, OVERVIEW_RESAMPLING="NEAREST", **opts)
    size = sum(p.stat().st_size for p in __import__("pathlib").Path(out).iterdir())
    done(f"cog {variant} {sys.argv[4] if len(sys.argv) > 4 else ''}".strip(), t0,
         mb_on_disk=round(size / 1e6, 1))
    """
)


def _run(code: str, *args: str) -> None:
    out = subprocess.run([sys.executable, "-c", code, str(DATA), *args], capture_output=True,
                         text=True)
    if out.returncode != 0:
        print(json.dumps({"failed": args, "stderr": out.stderr[-800:]}))
        return
    for line in out.stdout.strip().splitlines():
        print(line, flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--res", default="30")
    ap.add_argument("--only", nargs="+", default=["distance", "coarse", "cog"],
                    choices=["distance", "coarse", "cog"])
    a = ap.parse_args()
    if "distance" in a.only:
        _run(DIST_EXACT, a.res)
    if "coarse" in a.only:
        for c in ("100", "250"):
            _run(DIST_COARSE, a.res, c)
    if "cog" in a.only:
        _run(COG, a.res, "write_cog")
        for opts in ({"LEVEL": 6, "NUM_THREADS": "1"}, {"LEVEL": 1, "NUM_THREADS": "1"},
                     {"LEVEL": 1, "NUM_THREADS": "ALL_CPUS"},
                     {"LEVEL": 1, "NUM_THREADS": "ALL_CPUS", "OVERVIEW_COUNT": 3}):
            _run(COG, a.res, "cog", json.dumps(opts))
        _run(COG, a.res, "gtiff", json.dumps({"LEVEL": 1}))


if __name__ == "__main__":
    main()
