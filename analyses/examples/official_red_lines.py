"""Replace the illustrative red lines with an "official" shapefile and re-run PV siting.

An official red-line file usually arrives as a Shapefile in CGCS2000 3° Gauss-Krüger
zone 36 (EPSG:4524, eastings with the zone prefix) with GBK-encoded Chinese attributes
and no ``.cpg``. This script writes such a file as a **stand-in** — the default
(illustrative) red lines reprojected to zone 36, plus one extra 10 km × 10 km block in
eligible Mu Us sandy land in Ejin Horo (centred on 109.6° E, 39.0° N) —
declares it in a user catalog (same id ``red_lines`` → replaces the default; ``fields``
maps the rule field names to the file's Chinese ones) and runs PV siting at a coarse
resolution with and without it. The stand-in is labelled ``illustrative``: swap in the
real file (and ``provenance: official``) for real work.

Usage::

    python analyses/examples/official_red_lines.py OUT_DIR [--res 2000]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

import ordos_geo as og

CATALOG = """\
version: 1
layers:
  - id: red_lines                 # same id -> replaces the illustrative default
    title_zh: 生态保护红线
    title_en: Ecological protection red lines
    kind: vector
    path: official/生态保护红线.shp
    crs: EPSG:4524                # CGCS2000 3-degree GK zone 36, eastings with zone prefix
    encoding: GBK                 # the .dbf has no .cpg
    fields: {{name_zh: 名称, rl_type: 类型}}
    roles: [exclusion, zoning]
    provenance: illustrative      # a stand-in written by this script; use official for real data
    source: stand-in written by analyses/examples/official_red_lines.py
    licence: same as the default layer
    vintage: "{vintage}"
"""


def write_standin(folder: Path) -> Path:
    """Write the stand-in shapefile (EPSG:4524, GBK attributes, no .cpg)."""
    cat = og.open_catalog()
    red = cat.vector("red_lines").to_crs("EPSG:4524")
    x, y = gpd.GeoSeries([shapely.Point(109.6, 39.0)], crs="EPSG:4326").to_crs(
        "EPSG:4524").iloc[0].coords[0]
    extra = shapely.box(x - 5_000, y - 5_000, x + 5_000, y + 5_000)
    gdf = gpd.GeoDataFrame(
        {"名称": [*red["name_zh"].astype(str), "新增红线(示意)"],
         "类型": [*red["rl_type"].astype(str), "示意"]},
        geometry=[*red.geometry, extra], crs="EPSG:4524")
    # a shapefile holds one geometry type: keep the polygonal parts of any collection
    # (reprojection repairs can leave a slither line beside a polygon)
    parts = shapely.get_parts(gdf.geometry.values)
    keep = shapely.get_type_id(parts) == 3
    idx = np.repeat(np.arange(len(gdf)), shapely.get_num_geometries(gdf.geometry.values))
    gdf = gdf.set_geometry([shapely.union_all(parts[keep & (idx == i)])
                            for i in range(len(gdf))])
    folder.mkdir(parents=True, exist_ok=True)
    shp = folder / "生态保护红线.shp"
    gdf.to_file(shp, encoding="GBK", engine="pyogrio")
    cpg = shp.with_suffix(".cpg")
    if cpg.exists():  # official files often lack it; the catalog's `encoding` covers that
        cpg.unlink()
    return shp


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path, help="output folder")
    ap.add_argument("--res", type=float, default=2000.0, help="cell size in metres")
    args = ap.parse_args(argv)
    out: Path = args.out
    shp = write_standin(out / "official")
    user_catalog = out / "my_catalog.yaml"
    user_catalog.write_text(CATALOG.format(vintage="2023"), encoding="utf-8")
    print(f"wrote {shp} (EPSG:4524, GBK, no .cpg) and {user_catalog}")

    cat = og.open_catalog(user_catalog)
    report = cat.validate()
    print(f"layers validate with the user catalog: {'OK' if report.ok else 'PROBLEMS'}")
    default = og.site("pv", res_m=args.res, out_dir=out / "pv_default", overwrite=True)
    official = og.site("pv", catalog=cat, res_m=args.res, out_dir=out / "pv_official",
                       overwrite=True)
    for label, r in (("default red lines", default), ("stand-in official", official)):
        print(f"PV at {args.res:g} m with {label}: eligible {r.summary['eligible_km2']:.0f} km², "
              f"candidate capacity {r.summary['capacity_gw']:.1f} GW")
    lost = default.summary["eligible_km2"] - official.summary["eligible_km2"]
    print(f"the extra 100 km² block removed {lost:.0f} km² of eligible land at {args.res:g} m")
    return 0 if report.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
