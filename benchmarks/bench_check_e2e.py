"""End-to-end screening benchmark on realistic inputs: ``ordos-geo check`` vs DuckDB spatial.

Usage::

    .venv/bin/python benchmarks/bench_check_e2e.py [--projects 100000] [--zones 5000]
        [--seed 7] [--out benchmarks/_data/check_e2e] [--skip-duckdb]

What it builds (seeded, deterministic; nothing here is real data, only the size and
shape complexity of real layers), written to GeoPackages in EPSG:4490 (CGCS2000, as
official layers are delivered) and registered through a user catalog:

* zones: ``--zones`` irregular polygons over the Ordos extent, areas log-uniform in
  0.05–50 km², 7–39 vertices, about 8 % with a hole and 7 % multipart, split over seven
  catalog ids (red lines, nature reserves, parks with their rule fields, urban cores,
  subsidence, reclamation, mining areas);
* projects: ``--projects`` footprints in one GeoPackage: 10 % points, the rest rotated
  squares, rectangles and irregular polygons of 0.01–5 km², with industry and stage
  columns drawn from the rule vocabulary.

Then, each in a fresh process (its own peak RSS, measured by a wrapper process):

1. ``ordos-geo check projects.gpkg --catalog catalog.yaml --out OUT --overwrite --json``
   end to end (reading, screening, every output file);
2. DuckDB with its spatial extension (``LOAD``ed from the ``duckdb_extension_spatial``
   package; nothing is downloaded) on the same GeoPackages: read them (``ST_Read``),
   transform to the working equal-area CRS, the bare intersects join with
   ``ST_Area(ST_Intersection)`` and the nearest red line within 20 km.

Prints one JSON line per engine, then the ratios, and the phase times that ``check
--json`` reports (``timings``: read / screen / write) when it reports them.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from pyproj import Transformer

from ordos_geo.crs import WORK_CRS, WORK_CRS_PROJ4

#: Ordos extent (lon/lat degrees): 106°42′-111°27′ E, 37°35′-40°51′ N.
ORDOS_LONLAT = (106.70, 37.58, 111.45, 40.85)
#: Zone kinds → catalog id and share of the zones.
KINDS = {
    "red_lines": 0.30, "nature_reserves": 0.05, "parks": 0.10, "urban_cores": 0.05,
    "subsidence": 0.20, "reclamation": 0.10, "mining_areas": 0.20,
}
INDUSTRIES = ("pv", "wind", "coal_chemical", "coking", "steel", "cement_clinker",
              "hydrogen", "storage", "other")
STAGES = ("new", "expansion", "relocation")
BIN = Path(sys.executable).parent


def _bbox() -> tuple[float, float, float, float]:
    tr = Transformer.from_crs("EPSG:4326", WORK_CRS, always_xy=True)
    return tuple(float(v) for v in tr.transform_bounds(*ORDOS_LONLAT, densify_pts=21))  # type: ignore[return-value]


def _ring(rng: np.random.Generator, cx: float, cy: float, r: float, n: int) -> np.ndarray:
    """A closed irregular ring of ``n`` vertices around (cx, cy), mean radius ``r``."""
    theta = np.sort(rng.uniform(0, 2 * math.pi, n))
    rad = r * np.exp(rng.normal(0, 0.18, n))
    xy = np.column_stack([cx + rad * np.cos(theta), cy + rad * np.sin(theta)])
    return np.vstack([xy, xy[:1]])


def _polygon(rng: np.random.Generator, cx: float, cy: float, area_m2: float,
             n: int, hole: bool) -> shapely.Geometry:
    r = math.sqrt(area_m2 / math.pi)
    shell = _ring(rng, cx, cy, r, n)
    holes = [_ring(rng, cx, cy, r * 0.25, max(5, n // 3))] if hole else []
    g = shapely.Polygon(shell, holes)
    return g if g.is_valid else shapely.make_valid(g).buffer(0)


def zones(n: int, rng: np.random.Generator) -> dict[str, gpd.GeoDataFrame]:
    """``n`` irregular zones split over the catalog ids of :data:`KINDS` (working CRS)."""
    x0, y0, x1, y1 = _bbox()
    out: dict[str, gpd.GeoDataFrame] = {}
    counts = {k: max(1, round(n * s)) for k, s in KINDS.items()}
    for kind, k in counts.items():
        geoms = []
        for _ in range(k):
            area = math.exp(rng.uniform(math.log(0.05e6), math.log(50e6)))
            cx, cy = rng.uniform(x0, x1), rng.uniform(y0, y1)
            nv = int(rng.integers(7, 40))
            g = _polygon(rng, cx, cy, area, nv, hole=rng.random() < 0.08)
            if rng.random() < 0.07:  # multipart: a second, smaller part nearby
                d = 3 * math.sqrt(area)
                part = _polygon(rng, cx + d, cy + rng.normal(0, d / 3), area / 3, nv, False)
                g = shapely.MultiPolygon([p for p in (g, part) if p.geom_type == "Polygon"])
            geoms.append(g)
        df = gpd.GeoDataFrame({"name_zh": [f"{kind}-{i}" for i in range(k)]},
                              geometry=geoms, crs=WORK_CRS)
        if kind == "parks":
            df["park_id"] = [f"P{i}" for i in range(k)]
            df["name_en"] = df["name_zh"]
            df["banner"] = "150624"
            df["park_kind"] = rng.choice(["general", "zero_carbon", "low_carbon_demo"], k)
            df["mengxi"] = (rng.random(k) < 0.05).astype("int64")
            df["qipanjing_mengxi"] = (rng.random(k) < 0.1).astype("int64")
        out[kind] = df
    return out


def footprints(n: int, rng: np.random.Generator) -> gpd.GeoDataFrame:
    """``n`` project footprints: 10 % points, rotated squares, rectangles, irregular."""
    x0, y0, x1, y1 = _bbox()
    cx, cy = rng.uniform(x0, x1, n), rng.uniform(y0, y1, n)
    area = np.exp(rng.uniform(math.log(0.01e6), math.log(5e6), n))
    kind = rng.choice(4, n, p=[0.10, 0.30, 0.30, 0.30])
    geoms = np.empty(n, dtype=object)
    pts = kind == 0
    geoms[pts] = shapely.points(cx[pts], cy[pts])
    for i in np.flatnonzero(~pts):
        if kind[i] == 3:
            geoms[i] = _polygon(rng, cx[i], cy[i], area[i], int(rng.integers(5, 25)), False)
            continue
        ratio = 1.0 if kind[i] == 1 else rng.uniform(1.5, 4.0)
        w = math.sqrt(area[i] / ratio)
        h = w * ratio
        box = shapely.box(-w / 2, -h / 2, w / 2, h / 2)
        ang = rng.uniform(0, math.pi)
        c, s = math.cos(ang), math.sin(ang)
        geoms[i] = shapely.affinity.affine_transform(box, [c, -s, s, c, cx[i], cy[i]])
    return gpd.GeoDataFrame({
        "id": [f"B{i:07d}" for i in range(n)],
        "name": [f"项目{i}" for i in range(n)],
        "industry": rng.choice(INDUSTRIES, n),
        "stage": rng.choice(STAGES, n),
    }, geometry=geoms, crs=WORK_CRS)


def build(out: Path, n_projects: int, n_zones: int, seed: int) -> dict[str, Path]:
    """Write the zone layers, the user catalog and the projects GeoPackage into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    entries = []
    for kind, gdf in zones(n_zones, rng).items():
        p = out / f"{kind}.gpkg"
        gdf.to_crs("EPSG:4490").to_file(p, layer=kind, engine="pyogrio")
        entries.append({"id": kind, "title_zh": kind, "title_en": kind, "kind": "vector",
                        "path": p.name, "crs": "EPSG:4490", "roles": ["zoning", "exclusion"],
                        "provenance": "official", "source": "benchmark (synthetic)",
                        "licence": "none"})
    import yaml

    cat = out / "catalog.yaml"
    cat.write_text(yaml.safe_dump({"version": 1, "layers": entries}, allow_unicode=True),
                   encoding="utf-8")
    proj = out / "projects.gpkg"
    footprints(n_projects, rng).to_crs("EPSG:4490").to_file(proj, layer="projects",
                                                             engine="pyogrio")
    return {"catalog": cat, "projects": proj, "dir": out}


#: Runs argv[1:] as its only child and reports the child's wall time and peak RSS (KB).
_WRAP = ("import json, resource, subprocess, sys, time\n"
         "t0 = time.perf_counter()\n"
         "cp = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
         "print(json.dumps({'rc': cp.returncode, 'wall': time.perf_counter() - t0,\n"
         "  'rss_kb': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,\n"
         "  'out': cp.stdout, 'err': cp.stderr[-2000:]}))\n")


def _child(cmd: list[str], *, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run ``cmd`` in a fresh process; wall seconds, exit code, its own peak RSS, stdout."""
    cp = subprocess.run([sys.executable, "-c", _WRAP, *cmd], capture_output=True, text=True,
                        env=env, check=True)
    r = json.loads(cp.stdout)
    return {"seconds": round(r["wall"], 2), "rc": r["rc"],
            "peak_rss_mb": round(r["rss_kb"] / 1024), "stdout": r["out"], "stderr": r["err"]}


DUCKDB_SCRIPT = textwrap.dedent("""
    import sys, time, json
    from pathlib import Path
    import duckdb, duckdb_extension_spatial as ext
    d, proj4 = Path(sys.argv[1]), sys.argv[2]
    hits = sorted(Path(ext.__file__).parent.rglob("spatial.duckdb_extension"))
    want = f"v{duckdb.__version__}"
    path = ([h for h in hits if want in h.parts] or hits)[0]
    con = duckdb.connect()
    con.execute(f"LOAD '{path}'")
    kinds = [p.stem for p in sorted(d.glob("*.gpkg")) if p.stem != "projects"]
    t0 = time.perf_counter()
    con.execute(f"CREATE TABLE p AS SELECT id, ST_Transform(geom, 'EPSG:4490', '{proj4}', "
                f"always_xy := true) AS g FROM ST_Read('{d / 'projects.gpkg'}')")
    parts = []
    for k in kinds:
        parts.append(f"SELECT '{k}' AS kind, ST_Transform(geom, 'EPSG:4490', '{proj4}', "
                     f"always_xy := true) AS g FROM ST_Read('{d / (k + '.gpkg')}')")
    con.execute("CREATE TABLE z AS " + " UNION ALL ".join(parts))
    read_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    n, area = con.execute("SELECT count(*), sum(ST_Area(ST_Intersection(p.g, z.g))) "
                          "FROM p JOIN z ON ST_Intersects(p.g, z.g)").fetchone()
    join_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    near = con.execute("SELECT count(*) FROM (SELECT p.id, min(ST_Distance(p.g, z.g)) d "
                       "FROM p JOIN z ON z.kind = 'red_lines' AND ST_DWithin(p.g, z.g, 20000) "
                       "GROUP BY p.id)").fetchone()[0]
    near_s = time.perf_counter() - t0
    print(json.dumps({"read_s": round(read_s, 2), "join_s": round(join_s, 2),
                      "nearest_s": round(near_s, 2), "pairs": int(n),
                      "overlap_km2": round(float(area or 0) / 1e6, 3),
                      "with_nearest": int(near)}))
""")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--projects", type=int, default=100_000)
    ap.add_argument("--zones", type=int, default=5_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", type=Path, default=Path("benchmarks/_data/check_e2e"))
    ap.add_argument("--skip-duckdb", action="store_true")
    a = ap.parse_args(argv)
    d = a.out / f"p{a.projects}_z{a.zones}_s{a.seed}"
    t0 = time.perf_counter()
    paths = build(d, a.projects, a.zones, a.seed) if not (d / "catalog.yaml").exists() else {
        "catalog": d / "catalog.yaml", "projects": d / "projects.gpkg", "dir": d}
    print(f"# inputs in {d} ({time.perf_counter() - t0:.1f} s to build or find)",
          file=sys.stderr)
    env = {**os.environ, "ORDOS_GEO_THREADS": os.environ.get("ORDOS_GEO_THREADS", "2")}
    res = _child([str(BIN / "ordos-geo"), "-q", "check", str(paths["projects"]),
                  "--catalog", str(paths["catalog"]), "--out", str(d / "out"),
                  "--overwrite", "--json"], env=env)
    summary: dict[str, Any] = {}
    lines = [ln for ln in res["stdout"].splitlines() if ln.startswith("{")]
    if lines:
        summary = json.loads(lines[-1])
    row = {"engine": "ordos-geo check (end to end, every output)", "seconds": res["seconds"],
           "rc": res["rc"], "peak_rss_mb": res["peak_rss_mb"],
           "timings": summary.get("timings") or summary.get("summary", {}).get("timings"),
           "projects": a.projects, "zones": a.zones}
    if res["rc"] != 0:
        row["stderr"] = res["stderr"]
    print(json.dumps(row, ensure_ascii=False))
    if a.skip_duckdb:
        return res["rc"]
    duck = _child([sys.executable, "-c", DUCKDB_SCRIPT, str(d), WORK_CRS_PROJ4])
    drow: dict[str, Any] = {"engine": "duckdb spatial (read + join + overlap area + nearest)",
                            "seconds": duck["seconds"], "rc": duck["rc"],
                            "peak_rss_mb": duck["peak_rss_mb"]}
    if duck["rc"] == 0 and duck["stdout"].strip():
        drow.update(json.loads(duck["stdout"].strip().splitlines()[-1]))
    else:
        drow["stderr"] = duck["stderr"]
    print(json.dumps(drow, ensure_ascii=False))
    if duck["rc"] == 0 and res["rc"] == 0:
        t = row["timings"] or {}
        ratio = {"whole_check_over_duckdb": round(res["seconds"] / duck["seconds"], 2)}
        if "read" in t and "screen" in t:
            ratio["read_plus_screen_over_duckdb"] = round(
                (float(t["read"]) + float(t["screen"])) / duck["seconds"], 2)
        print(json.dumps(ratio))
    return 0


if __name__ == "__main__":
    sys.exit(main())
