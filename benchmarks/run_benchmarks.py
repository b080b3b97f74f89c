"""Benchmark ``ordos-geo eligibility`` on synthetic Ordos-sized inputs (and atlite, if installed).

Each case runs the real CLI in a fresh subprocess (imports and I/O included) under a
small Python supervisor, so wall time and peak RSS belong to that one run:

    python benchmarks/run_benchmarks.py                 # 100, 50, 30 m, 3 runs each
    python benchmarks/run_benchmarks.py --res 30 --repeat 5 --atlite

Inputs are built by ``benchmarks/synthetic.py`` into ``benchmarks/_data/`` (seeded).
Results: a Markdown table on stdout and ``benchmarks/_data/results.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DATA = HERE / "_data"

# The supervisor: runs argv once, prints one JSON line with wall time and the child's
# peak RSS (ru_maxrss of RUSAGE_CHILDREN = the only child it ever waited for).
SUPERVISOR = textwrap.dedent(
    """
    import json, resource, subprocess, sys, time
    argv = json.loads(sys.argv[1])
    t = time.perf_counter()
    p = subprocess.run(argv, capture_output=True, text=True)
    wall = time.perf_counter() - t
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps({"wall_s": wall, "peak_rss_mb": ru.ru_maxrss / 1024,
                      "cpu_s": ru.ru_utime + ru.ru_stime, "rc": p.returncode,
                      "stdout": p.stdout[-4000:], "stderr": p.stderr[-4000:]}))
    """
)

ATLITE_CASE = textwrap.dedent(
    """
    import json, sys, time
    t0 = time.perf_counter()
    import geopandas as gpd
    from atlite.gis import ExclusionContainer, shape_availability
    data, res = sys.argv[1], float(sys.argv[2])
    from ordos_geo.crs import WORK_CRS
    region = gpd.read_file(f"{data}/region.gpkg").to_crs(WORK_CRS)
    ex = ExclusionContainer(crs=WORK_CRS, res=res)
    ex.add_raster(f"{data}/landcover.tif", codes=[0, 13], crs=4326)
    ex.add_geometry(f"{data}/zones.gpkg")
    ex.add_geometry(f"{data}/roads.gpkg", buffer=500)
    mask, transform = shape_availability(region.geometry, ex)
    eligible = float(mask.sum()) * res * res / 1e6
    print(json.dumps({"eligible_km2": eligible, "grid_shape": list(mask.shape),
                      "seconds": time.perf_counter() - t0}))
    """
)


def _ordos_geo_argv(res: float) -> list[str]:
    exe = Path(sys.executable).with_name("ordos-geo")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "ordos_geo.cli.main"]
    return [*cmd, "-q", "eligibility", "--config", str(DATA / "eligibility.yaml"),
            "--res", f"{res:g}", "--json"]


def _supervise(argv: list[str], env: dict[str, str]) -> dict[str, Any]:
    out = subprocess.run([sys.executable, "-c", SUPERVISOR, json.dumps(argv)],
                         capture_output=True, text=True, env=env, check=True)
    rec: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    if rec["rc"] != 0:
        raise SystemExit(f"case failed (exit {rec['rc']}): {' '.join(argv)}\n{rec['stderr']}")
    rec["result"] = json.loads(rec["stdout"].strip().splitlines()[-1])
    return rec


def _summarise(name: str, res: float, runs: list[dict[str, Any]]) -> dict[str, Any]:
    walls = [r["wall_s"] for r in runs]
    last = runs[-1]["result"]
    shape = last["grid_shape"]
    cells = shape[0] * shape[1]
    med = statistics.median(walls)
    return {
        "case": name, "res_m": res, "cells": cells, "runs": len(runs),
        "wall_median_s": round(med, 3), "wall_min_s": round(min(walls), 3),
        "wall_max_s": round(max(walls), 3),
        "compute_s": round(statistics.median(r["result"].get("seconds", float("nan"))
                                             for r in runs), 3),
        "peak_rss_mb": round(max(r["peak_rss_mb"] for r in runs), 1),
        "cpu_s": round(statistics.median(r["cpu_s"] for r in runs), 2),
        "mcells_per_s": round(cells / med / 1e6, 1),
        "eligible_km2": round(float(last["eligible_km2"]), 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--res", type=float, nargs="+", default=[100.0, 50.0, 30.0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--rebuild", action="store_true", help="Rebuild the synthetic inputs.")
    ap.add_argument("--atlite", action="store_true",
                    help="Also run atlite's ExclusionContainer on the same inputs.")
    a = ap.parse_args()

    if a.rebuild or not (DATA / "eligibility.yaml").exists():
        sys.path.insert(0, str(HERE))
        from synthetic import build

        build(DATA)
    env = dict(os.environ, ORDOS_GEO_LAYERS=str(DATA / "catalog.yaml"))
    rows: list[dict[str, Any]] = []
    for res in a.res:
        runs = [_supervise(_ordos_geo_argv(res), env) for _ in range(a.repeat)]
        rows.append(_summarise("ordos-geo eligibility", res, runs))
        print(json.dumps(rows[-1]), file=sys.stderr)
        if a.atlite:
            argv = [sys.executable, "-c", ATLITE_CASE, str(DATA), f"{res:g}"]
            try:
                aruns = [_supervise(argv, env) for _ in range(a.repeat)]
            except SystemExit as exc:
                print(f"atlite failed: {exc}", file=sys.stderr)
            else:
                rows.append(_summarise("atlite ExclusionContainer", res, aruns))
                print(json.dumps(rows[-1]), file=sys.stderr)
    machine = {"python": platform.python_version(), "cpus": os.cpu_count(),
               "platform": platform.platform(), "load_avg_at_end": os.getloadavg()}
    (DATA / "results.json").write_text(json.dumps({"machine": machine, "rows": rows},
                                                  indent=2), encoding="utf-8")
    print(f"machine: {machine}")
    print("| case | res m | cells (M) | wall median s (min-max) | in-process s | peak RSS MB "
          "| M cells/s | eligible km² |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['case']} | {r['res_m']:g} | {r['cells'] / 1e6:.1f} | {r['wall_median_s']} "
              f"({r['wall_min_s']}-{r['wall_max_s']}) | {r['compute_s']} | {r['peak_rss_mb']} "
              f"| {r['mcells_per_s']} | {r['eligible_km2']:,} |")
    by_res: dict[float, dict[str, dict[str, Any]]] = {}
    for r in rows:
        by_res.setdefault(r["res_m"], {})[r["case"]] = r
    for res, cases in by_res.items():
        if len(cases) == 2:
            o, at = cases["ordos-geo eligibility"], cases["atlite ExclusionContainer"]
            print(f"{res:g} m: atlite / ordos-geo wall = "
                  f"{at['wall_median_s'] / o['wall_median_s']:.2f}x, peak RSS "
                  f"{at['peak_rss_mb'] / o['peak_rss_mb']:.2f}x, eligible km² differ by "
                  f"{(at['eligible_km2'] - o['eligible_km2']) / o['eligible_km2'] * 100:+.2f} %")


if __name__ == "__main__":
    main()
