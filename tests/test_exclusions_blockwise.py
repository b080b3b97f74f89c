"""Tests of the blockwise / dask engine (:mod:`ordos_geo.exclusions.blockwise`).

Synthetic layers (built in ``tmp_path``, seeded) over the Inner Mongolia bounding box
(97-126° E, 37-53° N) in the working equal-area Albers CRS: an irregular region, 400
random protected zones, 60 random roads (all cells they touch, then a 1 km buffer) and a 0.1°
lon/lat class raster (class 1 excluded). Nothing here is real data.

* On a small sub-region the dask engine (threaded scheduler and a
  ``distributed.LocalCluster``) gives exactly the in-memory cell counts, and its
  GeoTIFF equals the in-memory reason raster cell by cell.
* On the whole box at 100 m the full uint8 grid is larger than the memory limit of
  each worker (asserted), yet the run succeeds and the peak RSS of every worker
  process stays below the limit and far below the grid size.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pytest
import rasterio
import shapely
from cli_runner import run_cli
from pyproj import Transformer
from rasterio.transform import from_origin

from ordos_geo import raster as rz
from ordos_geo.crs import WORK_CRS, WORK_CRS_PROJ4
from ordos_geo.eligibility import compute_eligibility, load_eligibility_config
from ordos_geo.grid import Grid

distributed = pytest.importorskip("distributed")
if not sys.platform.startswith("linux"):
    pytest.skip("worker memory is read from /proc (Linux)", allow_module_level=True)
log = logging.getLogger(__name__)

IM_LONLAT = (97.0, 37.0, 126.0, 53.0)
MEMORY_LIMIT = 400e6  # bytes; distributed reads "400MB" as 400e6
TO_ALBERS = Transformer.from_crs("EPSG:4326", WORK_CRS, always_xy=True)

CONFIG = """\
region: {{layer: {region}}}
crs: "{crs}"
res_m: {res}
raster_exclusions:
  - {{layer: classes.tif, codes: [1], reason: synthetic class 1}}
vector_exclusions:
  - {{layer: zones.gpkg, reason: synthetic zones}}
  - {{layer: roads.gpkg, mode: all_touched, reason: road cells}}
  - {{layer: roads.gpkg, buffer_m: 1000, reason: synthetic road + 1 km}}
"""


def _lonlat_ring(lon0: float, lat0: float, lon1: float, lat1: float, n: int,
                 rng: np.random.Generator, wiggle: float) -> np.ndarray:
    """Closed lon/lat ring along a box with a random inward wiggle, densified."""
    t = np.linspace(0, 1, n, endpoint=False)
    xs = np.concatenate([lon0 + (lon1 - lon0) * t, np.full(n, lon1),
                         lon1 - (lon1 - lon0) * t, np.full(n, lon0)])
    ys = np.concatenate([np.full(n, lat0), lat0 + (lat1 - lat0) * t,
                         np.full(n, lat1), lat1 - (lat1 - lat0) * t])
    cx, cy = (lon0 + lon1) / 2, (lat0 + lat1) / 2
    f = 1 - wiggle * rng.uniform(0, 1, xs.size)
    return np.c_[cx + (xs - cx) * f, cy + (ys - cy) * f]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("im_world")
    rng = np.random.default_rng(20231)
    lon0, lat0, lon1, lat1 = IM_LONLAT
    ring = _lonlat_ring(lon0, lat0, lon1, lat1, 200, rng, 0.03)
    region = shapely.Polygon(np.c_[TO_ALBERS.transform(ring[:, 0], ring[:, 1])])
    gpd.GeoDataFrame(geometry=[region], crs=WORK_CRS).to_file(d / "region.gpkg")
    # a small region (~60 x 45 km) around Dongsheng for the exact comparisons
    x, y = TO_ALBERS.transform(109.99, 39.82)
    small = shapely.Polygon([(x - 30e3, y - 20e3), (x + 28e3, y - 24e3), (x + 31e3, y + 22e3),
                             (x - 5e3, y + 18e3), (x - 29e3, y + 21e3)])
    gpd.GeoDataFrame(geometry=[small], crs=WORK_CRS).to_file(d / "small.gpkg")
    # zones: random blobs, many of them near the small region so it sees several
    xmin, ymin, xmax, ymax = region.bounds
    cx = np.r_[rng.uniform(xmin, xmax, 300), rng.normal(x, 25e3, 100)]
    cy = np.r_[rng.uniform(ymin, ymax, 300), rng.normal(y, 20e3, 100)]
    r = np.r_[rng.uniform(2e3, 40e3, 300), rng.uniform(500, 6e3, 100)]
    zones = shapely.buffer(shapely.points(cx, cy), r, quad_segs=8)
    zones = shapely.intersection(zones, shapely.box(cx - r, cy - 0.7 * r, cx + r, cy + r))
    gpd.GeoDataFrame(geometry=zones, crs=WORK_CRS).to_file(d / "zones.gpkg")
    roads = []
    for k in range(60):
        sx, sy = (x, y) if k < 15 else (rng.uniform(xmin, xmax), rng.uniform(ymin, ymax))
        steps = rng.normal(0, 4e3, (40, 2)).cumsum(axis=0)
        roads.append(shapely.LineString(np.c_[sx + steps[:, 0], sy + steps[:, 1]]))
    gpd.GeoDataFrame(geometry=roads, crs=WORK_CRS).to_file(d / "roads.gpkg")
    res = 0.1
    w, h = round((lon1 - lon0 + 2) / res), round((lat1 - lat0 + 2) / res)
    cls = (rng.uniform(0, 1, (h, w)) < 0.1).astype(np.uint8)  # class 1 ≈ 10 %
    with rasterio.open(d / "classes.tif", "w", driver="GTiff", width=w, height=h, count=1,
                       dtype="uint8", crs="EPSG:4326", nodata=255,
                       transform=from_origin(lon0 - 1, lat1 + 1, res, res)) as ds:
        ds.write(cls, 1)
    for name, reg, res_m in (("small.yaml", "small.gpkg", 100), ("im.yaml", "region.gpkg", 100)):
        (d / name).write_text(CONFIG.format(region=reg, crs=WORK_CRS_PROJ4, res=res_m),
                              encoding="utf-8")
    return d


@pytest.fixture(scope="module")
def client() -> Any:
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       memory_limit="400MB", dashboard_address=None)
    c = distributed.Client(cluster)
    yield c
    c.close()
    cluster.close()


def _status_kb(key: str) -> int:
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    raise KeyError(key)


def _peak_rss() -> int:
    """Peak resident set size of this (worker) process image, bytes (VmHWM).

    Not ``ru_maxrss``: that survives fork + exec, so a spawned worker would report its
    parent's size.
    """
    return _status_kb("VmHWM") * 1024


def _reset_peak() -> int:
    """Reset VmHWM to the current RSS (Linux ≥ 4.0); return the current RSS in bytes."""
    with open("/proc/self/clear_refs", "w", encoding="ascii") as f:
        f.write("5")
    return _status_kb("VmRSS") * 1024


def test_small_region_identical_to_in_memory(world: Path, tmp_path: Path, client: Any) -> None:
    cfg = load_eligibility_config(world / "small.yaml")
    ref = compute_eligibility(cfg, catalog=None)
    want = rz.reason_counts(ref.reasons)
    assert 0 < want[0] < ref.grid.size and all(want[c] > 0 for c in (1, 2, 3, 4, 255))
    # threaded scheduler, odd chunk sizes so chunk edges cut through every layer
    thr = compute_eligibility(cfg, catalog=None, engine="dask", chunk=(97, 131), n_workers=2,
                              reasons_path=tmp_path / "r.tif", mask_path=tmp_path / "m.tif")
    assert thr.n_chunks == 25  # 5 x 5 windows of 97 x 131 cells
    assert thr.grid == ref.grid
    np.testing.assert_array_equal(thr.counts, want)
    with rasterio.open(tmp_path / "r.tif") as ds:
        np.testing.assert_array_equal(ds.read(1), ref.reasons)
        assert json.loads(ds.tags()["reasons"])["3"] == "road cells"
    with rasterio.open(tmp_path / "m.tif") as ds:
        np.testing.assert_array_equal(ds.read(1), ref.eligibility_mask())
    # distributed cluster (two processes)
    dist = compute_eligibility(cfg, catalog=None, engine="dask", chunk=256, scheduler=client)
    assert dist.engine == "dask-distributed"
    np.testing.assert_array_equal(dist.counts, want)
    assert dist.eligible_km2 == pytest.approx(ref.eligible_km2)
    assert [e.removed_km2 for e in dist.exclusions] == pytest.approx(
        [e.removed_km2 for e in ref.exclusions])


def test_full_grid_larger_than_worker_memory(world: Path, client: Any) -> None:
    cfg = load_eligibility_config(world / "im.yaml")
    region = gpd.read_file(world / "region.gpkg").geometry.iloc[0]
    grid = Grid.from_bounds(region.bounds, res_m=100, crs=WORK_CRS)
    full_bytes = grid.size  # one uint8 copy of the grid
    assert full_bytes > MEMORY_LIMIT, "the test must not fit one full grid in a worker"
    client.run(lambda: __import__("ordos_geo.exclusions.blockwise"))  # imports are not chunk memory
    before = client.run(_reset_peak)
    chunk = 2048
    res = compute_eligibility(cfg, catalog=None, engine="dask", chunk=chunk, scheduler=client)
    peaks = client.run(_peak_rss)
    assert res.grid == grid
    assert len(peaks) == 2 and res.n_chunks > 20
    log.info("grid %s = %.0f MB uint8; %d chunks; %.1f s; worker RSS before %s MB, "
             "peak during the run %s MB", grid.shape, full_bytes / 1e6, res.n_chunks, res.seconds,
             [round(v / 1e6) for v in before.values()], [round(v / 1e6) for v in peaks.values()])
    # every worker finished below its limit and far below a single full-grid copy
    for addr, peak in peaks.items():
        assert peak < MEMORY_LIMIT, (addr, peak / 1e6)
        assert peak < 0.6 * full_bytes, (addr, peak / 1e6)
        # growth during the run: a handful of chunks, not the grid
        assert peak - before[addr] < 40 * chunk * chunk, (addr, (peak - before[addr]) / 1e6)
    # the numbers are the region's: cells = grid - outside, area ≈ polygon area
    assert int(res.counts.sum()) == grid.size
    assert res.total_km2 == pytest.approx(region.area / 1e6, rel=1e-3)
    removed = sum(e.removed_km2 for e in res.exclusions)
    assert res.eligible_km2 + removed == pytest.approx(res.total_km2)
    # ~10 % of the class raster is class 1 → about 10 % of the region goes first
    assert 0.07 < res.exclusions[0].removed_km2 / res.total_km2 < 0.13


_run = run_cli


def test_cli_engine_dask_matches_memory(world: Path, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = str(world / "small.yaml")
    code, out, err = _run(["eligibility", "-c", cfg, "--json", "--res", "250", "--save-mask",
                           str(tmp_path / "mem.tif")], capsys)
    assert code == 0, err
    mem = json.loads(out.strip().splitlines()[-1])
    mask = tmp_path / "mask.tif"
    code, out, err = _run(["eligibility", "-c", cfg, "--json", "--res", "250", "--engine",
                           "dask", "--workers", "2", "--chunk", "64", "--save-mask",
                           str(mask)], capsys)
    assert code == 0, err
    dk = json.loads(out.strip().splitlines()[-1])
    assert dk["engine"] == "dask-threads" and dk["chunks"] > 1
    for key in ("eligible_km2", "total_km2", "grid_shape"):
        assert dk[key] == mem[key]
    assert [e["removed_km2"] for e in dk["exclusions"]] == [
        e["removed_km2"] for e in mem["exclusions"]]
    with rasterio.open(mask) as ds, rasterio.open(tmp_path / "mem.tif") as ref:
        arr = ds.read(1)
        assert (arr == 1).sum() * 0.0625 == pytest.approx(dk["eligible_km2"], abs=1e-3)
        np.testing.assert_array_equal(arr, ref.read(1))  # the in-memory engine's COG
        assert ref.tags(ns="IMAGE_STRUCTURE").get("LAYOUT") == "COG"
        assert ref.nodata == 255 and ref.tags()["provenance"] == "derived"
    # --scheduler without --engine dask is a usage error (exit 2), not silently ignored
    code, _out, err = _run(["eligibility", "-c", cfg, "--scheduler", "tcp://127.0.0.1:1"],
                           capsys)
    assert code == 2 and "--engine dask" in err
    # an unreachable scheduler: exit 1 with one line naming the address
    import ordos_geo.exclusions.blockwise

    monkeypatch.setattr(ordos_geo.exclusions.blockwise, "CONNECT_TIMEOUT", "2s")
    code, _out, err = _run(["eligibility", "-c", cfg, "--engine", "dask", "--scheduler",
                            "tcp://127.0.0.1:9"], capsys)
    assert code == 1 and "tcp://127.0.0.1:9" in err and len(err.strip().splitlines()) == 1
