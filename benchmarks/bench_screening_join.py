"""Screening join: ordos_geo's in-process screening vs geopandas and DuckDB spatial.

Usage::

    .venv/bin/python benchmarks/bench_screening_join.py [N_PROJECTS] [N_ZONES]

Same seeded inputs as ``bench_screening.py`` (``ordos_geo.zoning.synthetic.random_world``:
100-1,000 m square footprints, 500-5,000 m square zones in the working CRS). Three timings,
each on data already in memory:

* ``ordos_geo`` — :func:`ordos_geo.zoning.screen` with the default rules (all predicates,
  overlap areas, distances, verdicts: strictly more work than a join);
* ``geopandas`` — ``gpd.sjoin(projects, zones, predicate="intersects")`` plus the
  overlap area of every pair (``shapely.intersection`` + ``area``);
* ``duckdb`` — the same intersects join + ``ST_Area(ST_Intersection(...))`` in DuckDB
  with the spatial extension loaded from the local ``duckdb_extension_spatial`` package
  (``LOAD '<path>'``; nothing is downloaded). Loading the geometries into DuckDB (WKB) is
  timed separately.

Prints one JSON line per engine and the ratios to ``ordos_geo``. ``peak_rss_mb`` is the
process peak so far (cumulative: the later engines include the earlier ones' peak).
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ordos_geo.zoning import load_rules, screen
from ordos_geo.zoning.ledger import read_ledger
from ordos_geo.zoning.synthetic import random_world
from ordos_geo.zoning.zones import ZoneSource


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _spatial_extension() -> Path | None:
    try:
        import duckdb
        import duckdb_extension_spatial as ext
    except ImportError:
        return None
    hits = sorted(Path(ext.__file__).parent.rglob("spatial.duckdb_extension"))
    want = f"v{duckdb.__version__}"
    same = [h for h in hits if want in h.parts]
    return (same or hits or [None])[0]


def main(n_projects: int = 100_000, n_zones: int = 5_000) -> list[dict[str, Any]]:
    """Run the three engines; return one record per engine."""
    projects, zone_layers = random_world(n_projects, n_zones, seed=1)
    polys = [g[["geometry"]].assign(layer=k) for k, g in zone_layers.items()
             if k != "settlements"]
    zones = gpd.GeoDataFrame(pd.concat(polys, ignore_index=True), crs=projects.crs)
    rows: list[dict[str, Any]] = []

    src, rules, ledger = ZoneSource(zone_layers), load_rules(), read_ledger()
    t0 = time.perf_counter()
    res = screen(projects, rules, src, ledger=ledger)
    rows.append({"engine": "ordos_geo screen (all rules)", "seconds": time.perf_counter() - t0,
                 "pairs": len(res.hits), "peak_rss_mb": round(_rss_mb())})

    t0 = time.perf_counter()
    j = gpd.sjoin(projects[["geometry"]], zones, predicate="intersects", how="inner")
    a = projects.geometry.values[j.index.to_numpy()]
    b = zones.geometry.values[j["index_right"].to_numpy()]
    area = shapely.area(shapely.intersection(np.asarray(a), np.asarray(b)))
    rows.append({"engine": "geopandas sjoin + overlap area", "seconds": time.perf_counter() - t0,
                 "pairs": len(j), "overlap_m2": float(area.sum()),
                 "peak_rss_mb": round(_rss_mb())})

    ext = _spatial_extension()
    if ext is None:
        print("duckdb / duckdb-extension-spatial not installed: skipped", file=sys.stderr)
    else:
        import duckdb

        con = duckdb.connect()
        con.execute(f"LOAD '{ext}'")
        t0 = time.perf_counter()
        p = pd.DataFrame({"pid": np.arange(len(projects)),
                          "wkb": shapely.to_wkb(projects.geometry.values)})
        z = pd.DataFrame({"zid": np.arange(len(zones)),
                          "wkb": shapely.to_wkb(zones.geometry.values)})
        con.register("p_df", p)
        con.register("z_df", z)
        con.execute("CREATE TABLE p AS SELECT pid, ST_GeomFromWKB(wkb) AS g FROM p_df")
        con.execute("CREATE TABLE z AS SELECT zid, ST_GeomFromWKB(wkb) AS g FROM z_df")
        load_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        n, tot = con.execute(
            "SELECT count(*), sum(ST_Area(ST_Intersection(p.g, z.g))) "
            "FROM p JOIN z ON ST_Intersects(p.g, z.g)").fetchone()
        rows.append({"engine": "duckdb spatial join + overlap area",
                     "seconds": time.perf_counter() - t0, "load_seconds": round(load_s, 3),
                     "pairs": int(n), "overlap_m2": float(tot),
                     "peak_rss_mb": round(_rss_mb()),
                     "threads": con.execute("SELECT current_setting('threads')").fetchone()[0]})
    base = rows[0]["seconds"]
    for r in rows:
        r["seconds"] = round(r["seconds"], 3)
        r["ratio_to_ordos_geo"] = round(r["seconds"] / base, 2) if base else None
        r.update(projects=n_projects, zones=n_zones)
        print(json.dumps(r, ensure_ascii=False))
    return rows


if __name__ == "__main__":
    args = [int(x) for x in sys.argv[1:3]]
    main(*args)
