"""Screen a folder of 界址点坐标 TXT files against the plan's rules into one XLSX.

Collects the bundled example parcel files and one more parcel written here (a 1 km²
square north of 东胜, written in GK zone 37 with :func:`ordos_geo.io.coordfile.write_coordfile`)
into ``OUT_DIR/parcels/``, screens the folder with :func:`ordos_geo.check` and writes
``verdicts.xlsx`` (plus the other screening files) into ``OUT_DIR/screening/``.

Usage::

    python analyses/examples/screen_parcels.py OUT_DIR
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import geopandas as gpd
import shapely

import ordos_geo as og
from ordos_geo.io.coordfile import write_coordfile
from ordos_geo.resources import analysis_path
from ordos_geo.zoning.outputs import write_outputs


def collect(folder: Path) -> list[Path]:
    """Copy the bundled 界址点 files and write one more parcel; return the files."""
    folder.mkdir(parents=True, exist_ok=True)
    files = [Path(shutil.copy2(p, folder / p.name))
             for p in sorted(analysis_path("projects").glob("*.txt"))]
    x, y = gpd.GeoSeries([shapely.Point(109.98, 39.90)], crs="EPSG:4326").to_crs(
        "EPSG:4525").iloc[0].coords[0]  # CGCS2000 GK zone 37 (prefixed)
    parcel = gpd.GeoDataFrame(
        {"parcel_id": ["JZD-NEW-01"], "name": ["东胜北光伏地块"], "use": ["光伏"],
         "land_class": [""]},
        geometry=[shapely.box(x - 500, y - 500, x + 500, y + 500)], crs="EPSG:4525")
    files.append(write_coordfile(parcel, folder / "g_pv_new.txt", overwrite=True))
    return files


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path, help="output folder")
    args = ap.parse_args(argv)
    files = collect(args.out / "parcels")
    print(f"collected {len(files)} 界址点 files in {args.out / 'parcels'}")
    res = og.check(args.out / "parcels", defaults={"industry": "pv", "stage": "new"})
    written = write_outputs(res, args.out / "screening", overwrite=True)
    counts = res.projects["verdict"].value_counts().to_dict()
    print(f"screened {len(res.projects)} parcels: "
          + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    print(f"wrote {written['verdicts.xlsx']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
