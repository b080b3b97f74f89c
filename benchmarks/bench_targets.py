"""Check the performance targets of issue 8: each case in a fresh process, wall + peak RSS.

Usage::

    .venv/bin/python benchmarks/bench_targets.py                   # every case once
    .venv/bin/python benchmarks/bench_targets.py --only eligibility siting
    .venv/bin/python benchmarks/bench_targets.py --repeat 3 --only run

Cases (targets from the issue; 2 cores):

* ``eligibility`` — ``ordos-geo eligibility`` on the synthetic Ordos-sized inputs of
  ``run_benchmarks.py`` at 100, 50, 30 m (in memory) and with ``--engine dask`` at 30 m
  and 10 m (target at 30 m: < 6 s incl. I/O, < 1.2 GB);
* ``siting`` — ``ordos-geo siting pv --res R`` on the default layers at 100, 50, 30 m
  (full PV score at 30 m < 20 s);
* ``screening`` — ``bench_screening.py`` 100,000 x 5,000 (< 1.5 s in-process, < 300 MB)
  and 1,000,000 x 5,000 (< 10 s), plus ``bench_screening_join.py`` (geopandas / DuckDB);
* ``run`` — ``ordos-geo run --out DIR --overwrite`` (< 30 s).

Every case prints one JSON line: wall s, peak RSS MB (of the measured process tree's
largest process), cells and M cells/s where a grid is involved, target and met/not met.
Results are also written to ``benchmarks/_data/targets.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DATA = HERE / "_data"
sys.path.insert(0, str(HERE))

from run_benchmarks import SUPERVISOR  # noqa: E402


def _cli() -> list[str]:
    exe = Path(sys.executable).with_name("ordos-geo")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "ordos_geo.cli.main"]


def _measure(argv: list[str], env: dict[str, str] | None = None) -> dict[str, Any]:
    out = subprocess.run([sys.executable, "-c", SUPERVISOR, json.dumps(argv)],
                         capture_output=True, text=True, env=env or dict(os.environ),
                         check=True, cwd=REPO)
    rec: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    if rec["rc"] != 0:
        raise SystemExit(f"case failed (exit {rec['rc']}): {' '.join(argv)}\n{rec['stderr']}")
    return rec


def _row(case: str, rec: dict[str, Any], *, cells: int | None = None,
         target_s: float | None = None, target_mb: float | None = None,
         **extra: Any) -> dict[str, Any]:
    wall, mb = rec["wall_s"], rec["peak_rss_mb"]
    row: dict[str, Any] = {"case": case, "wall_s": round(wall, 2), "cpu_s": round(rec["cpu_s"], 2),
                           "peak_rss_mb": round(mb)}
    if cells:
        row.update(cells_m=round(cells / 1e6, 1), mcells_per_s=round(cells / wall / 1e6, 1))
    if target_s is not None or target_mb is not None:
        ok = (target_s is None or wall < target_s) and (target_mb is None or mb < target_mb)
        row["target"] = " and ".join(
            t for t in (f"< {target_s:g} s" if target_s else "",
                        f"< {target_mb:g} MB" if target_mb else "") if t)
        row["met"] = ok
    row.update(extra)
    print(json.dumps(row, ensure_ascii=False), flush=True)
    return row


def eligibility_cases() -> list[dict[str, Any]]:
    if not (DATA / "eligibility.yaml").exists():
        from synthetic import build

        build(DATA)
    env = dict(os.environ, ORDOS_GEO_LAYERS=str(DATA / "catalog.yaml"))
    rows = []
    base = [*_cli(), "-q", "eligibility", "--config", str(DATA / "eligibility.yaml"), "--json"]
    with tempfile.TemporaryDirectory() as tmp:
        cases: list[tuple[str, list[str], float]] = [
            ("eligibility memory", [], 100), ("eligibility memory", [], 50),
            ("eligibility memory", [], 30),
            ("eligibility memory --save-mask", ["--save-mask", f"{tmp}/m.tif",
                                                "--overwrite"], 30),
            ("eligibility dask threads", ["--engine", "dask"], 30),
            ("eligibility dask threads --save-mask", ["--engine", "dask", "--save-mask",
                                                      f"{tmp}/d.tif", "--overwrite"], 30),
            ("eligibility dask threads", ["--engine", "dask"], 10),
        ]
        for name, extra, res in cases:
            rec = _measure([*base, "--res", f"{res:g}", *extra], env)
            out = json.loads(rec["stdout"].strip().splitlines()[-1])
            shape = out["grid_shape"]
            tgt = (6.0, 1200.0) if res == 30 else (None, None)
            rows.append(_row(f"{name} {res:g} m", rec, cells=shape[0] * shape[1],
                             target_s=tgt[0], target_mb=tgt[1],
                             eligible_km2=out["eligible_km2"]))
    return rows


def siting_cases() -> list[dict[str, Any]]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for res in (100, 50, 30):
            rec = _measure([*_cli(), "-q", "siting", "pv", "--res", f"{res:g}", "--out", tmp,
                            "--overwrite"])
            summary = json.loads((Path(tmp) / "pv_summary.json").read_text(encoding="utf-8"))
            shape = _find(summary, "grid_shape") or _find(summary, "shape")
            cells = int(shape[0]) * int(shape[1]) if shape else None
            rows.append(_row(f"siting pv {res} m", rec, cells=cells,
                             target_s=20.0 if res == 30 else None))
    return rows


def _find(obj: Any, key: str) -> Any:
    if isinstance(obj, dict):
        if key in obj:
            return obj[key]
        for v in obj.values():
            got = _find(v, key)
            if got is not None:
                return got
    return None


def screening_cases() -> list[dict[str, Any]]:
    rows = []
    for n, tgt_s, tgt_mb in ((100_000, 1.5, 300.0), (1_000_000, 10.0, None)):
        rec = _measure([sys.executable, str(HERE / "bench_screening.py"), str(n), "5000"])
        line = rec["stdout"].strip().splitlines()[-1]
        secs = float(line.split(" in ")[1].split(" s")[0])
        # the target is on the in-process screening time; peak RSS is the whole process
        # (inputs generated in the same process)
        rows.append(_row(f"screening {n:,} x 5,000 (in-process)", {**rec, "wall_s": secs},
                         target_s=tgt_s, target_mb=tgt_mb, process_wall_s=round(rec["wall_s"], 2),
                         detail=line))
    rec = _measure([sys.executable, str(HERE / "bench_screening_join.py"), "100000", "5000"])
    for line in rec["stdout"].strip().splitlines():
        print(line, flush=True)
        rows.append({"case": "join comparison", **json.loads(line)})
    return rows


def run_cases(repeat: int) -> list[dict[str, Any]]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(repeat):
            rec = _measure([*_cli(), "-q", "run", "--out", tmp, "--overwrite"])
            rows.append(_row("ordos-geo run", rec, target_s=30.0))
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", nargs="+", default=["eligibility", "siting", "screening", "run"],
                    choices=["eligibility", "siting", "screening", "run"])
    ap.add_argument("--repeat", type=int, default=1, help="Runs of `ordos-geo run`.")
    a = ap.parse_args()
    rows: list[dict[str, Any]] = []
    machine = {"python": platform.python_version(), "cpus": os.cpu_count(),
               "platform": platform.platform(), "load_avg_at_start": os.getloadavg()}
    print(json.dumps(machine), flush=True)
    if "eligibility" in a.only:
        rows += eligibility_cases()
    if "siting" in a.only:
        rows += siting_cases()
    if "screening" in a.only:
        rows += screening_cases()
    if "run" in a.only:
        rows += run_cases(a.repeat)
    machine["load_avg_at_end"] = os.getloadavg()
    DATA.mkdir(exist_ok=True)
    (DATA / "targets.json").write_text(json.dumps({"machine": machine, "rows": rows},
                                                  indent=2, ensure_ascii=False),
                                       encoding="utf-8")


if __name__ == "__main__":
    main()
