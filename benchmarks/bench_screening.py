"""Benchmark: screen N random footprints against M random zones with the default rules.

Usage::

    .venv/bin/python benchmarks/bench_screening.py [N_PROJECTS] [N_ZONES]

Prints wall and CPU time of the screening (in-process, layers already in memory and in the
working CRS), the time per phase (``meta["seconds_per_phase"]``), the peak resident
memory of the process and how much the screening added to the peak of the inputs
(``added_rss_mb``: peak after the screening minus RSS with the inputs built). Goals
(issue 8): 100,000 footprints x 5,000 zones in 1.5 s; 1,000,000 in 10 s.
"""

from __future__ import annotations

import resource
import sys
import time

from ordos_geo.zoning import load_rules, screen
from ordos_geo.zoning.ledger import read_ledger
from ordos_geo.zoning.synthetic import random_world
from ordos_geo.zoning.zones import ZoneSource


def main(n_projects: int = 100_000, n_zones: int = 5_000) -> dict[str, float]:
    """Run the benchmark and return the measurements."""
    projects, zones = random_world(n_projects, n_zones, seed=1)
    src = ZoneSource(zones)
    rules = load_rules()
    ledger = read_ledger()
    before_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t0, c0 = time.perf_counter(), time.process_time()
    res = screen(projects, rules, src, ledger=ledger)
    secs, cpu = time.perf_counter() - t0, time.process_time() - c0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out = {"projects": n_projects, "zones": n_zones, "seconds": round(secs, 3),
           "cpu_seconds": round(cpu, 3),
           "hits": len(res.hits), "fix_hints": len(res.fix_hints), "peak_rss_mb": round(peak_mb),
           "added_rss_mb": round(peak_mb - before_mb)}
    slow = sorted(res.meta["seconds_per_rule"].items(), key=lambda kv: -kv[1])[:5]
    print(f"screened {n_projects:,} footprints x {n_zones:,} zones in {secs:.2f} s "
          f"(CPU {cpu:.2f} s) "
          f"({len(res.hits):,} hits, {len(res.fix_hints):,} fix hints); "
          f"peak RSS {peak_mb:.0f} MB (+{peak_mb - before_mb:.0f} MB over the inputs); "
          f"phases: {res.meta['seconds_per_phase']}; slowest rules: {slow}")
    return out


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:3]]
    main(*args)
