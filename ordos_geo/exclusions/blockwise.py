"""The blockwise backend on dask: the working grid window by window, never whole in memory.

The same :func:`ordos_geo.exclusions.memory.burn_reasons` as the memory backend, run
on windows of the grid, so both give identical reason rasters:

1. The plan (:func:`ordos_geo.exclusions.plan_exclusions`) holds every exclusion's
   geometries once (buffered in ``grid.crs`` metres; raster classes as polygons of
   their source pixels). One bulk :class:`shapely.STRtree` query per layer assigns
   geometries to windows.
2. The geometries are shipped once (``client.scatter(..., broadcast=True)`` on a
   ``dask.distributed`` cluster, one shared object with the threaded scheduler).
3. Each task clips the geometries to its window plus a 2-cell margin (clipping
   artefacts never reach a cell of the window), burns the window and returns cell
   counts per reason code, per-exclusion totals, and its reasons only when they are
   wanted (GeoTIFF output or :func:`iter_reason_windows`).
4. The driver sums the counts and writes each window as it arrives (one writer,
   rasterio windowed writes, tiled deflate GeoTIFF); at most ``2 x workers`` windows
   are in flight.

Peak memory per worker ≈ imports + a few x ``chunk_rows x chunk_cols`` bytes per
exclusion, independent of the grid size. Schedulers: ``None``/``"threads"`` → dask's
threaded scheduler in this process; ``"local"`` → a ``distributed.LocalCluster`` of
one single-threaded process per CPU; ``"tcp://host:8786"`` → an existing cluster; or
a :class:`distributed.Client`.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from rasterio.windows import Window

from ordos_geo.crs import named_wkt
from ordos_geo.errors import ConfigError, OrdosGeoError
from ordos_geo.exclusions.memory import ExclusionRun, burn_reasons, summarise
from ordos_geo.exclusions.plan import ExclusionPlan, PlannedExclusion
from ordos_geo.grid import Grid
from ordos_geo.raster.masks import rasterize_mask

__all__ = [
    "CHUNK",
    "ChunkResult",
    "iter_reason_windows",
    "reasons_chunk",
    "run_blockwise",
]

log = logging.getLogger(__name__)

#: Default chunk edge (cells): 2,048 x 2,048 = 4.2 M cells = 4 MB of uint8 per chunk.
CHUNK = 2048
#: Margin (cells) of the clip box around a chunk; clip artefacts stay outside the chunk.
MARGIN_CELLS = 2
#: How long to try to reach a ``--scheduler`` address before giving up.
CONNECT_TIMEOUT = "15s"


@dataclass
class ChunkResult:
    """What one task returns: its window, cells per code, per-exclusion totals, reasons."""

    window: tuple[int, int, int, int]  # col_off, row_off, width, height
    counts: np.ndarray  # int64[256]
    totals: np.ndarray  # int64[n exclusions]
    reasons: np.ndarray | None
    seconds: float


# --------------------------------------------------------------------------------------
# the task (runs on workers; only numpy/shapely/rasterio are needed there)
# --------------------------------------------------------------------------------------
def reasons_chunk(
    grid: Grid,
    window: tuple[int, int, int, int],
    geoms: Sequence[np.ndarray],
    index: Sequence[np.ndarray],
    exclusions: Sequence[PlannedExclusion],
    *,
    return_reasons: bool = False,
) -> ChunkResult:
    """Reason codes of one window of ``grid`` → counts per code (and the window).

    Parameters
    ----------
    grid
        Full working grid (CRS metres).
    window
        ``(col_off, row_off, width, height)`` in cells.
    geoms
        Per exclusion, then the region last: shapely geometries in ``grid.crs``.
    index
        Per entry of ``geoms``, indices of the geometries whose envelope meets this
        window (from the driver's STRtree query).
    exclusions
        Planned exclusions in code order, *without* geometries (they come in ``geoms``).
    return_reasons
        Also return the ``uint8`` window.
    """
    t0 = time.perf_counter()
    col_off, row_off, width, height = window
    sub = grid.subgrid(Window(col_off, row_off, width, height))
    pad = MARGIN_CELLS * grid.res_m
    x0, y0, x1, y1 = sub.bounds
    clip_box = (x0 - pad, y0 - pad, x1 + pad, y1 + pad)

    def clipped(k: int) -> np.ndarray:
        idx = index[k]
        if idx.size == 0:
            return np.empty(0, dtype=object)
        part = geoms[k][idx]
        b = shapely.bounds(part)
        inside = ((b[:, 0] >= clip_box[0]) & (b[:, 1] >= clip_box[1])
                  & (b[:, 2] <= clip_box[2]) & (b[:, 3] <= clip_box[3]))
        if not inside.all():
            part = part.copy()
            part[~inside] = shapely.clip_by_rect(part[~inside], *clip_box)
            part = part[~shapely.is_empty(part)]
        return np.asarray(part, dtype=object)

    n = len(exclusions)
    region = clipped(n)
    inside = (rasterize_mask(region, sub, mode="centre") if region.size
              else np.zeros(sub.shape, dtype=bool))
    reasons, totals = burn_reasons(sub, inside, exclusions, [clipped(k) for k in range(n)])
    counts = np.bincount(reasons.reshape(-1), minlength=256).astype(np.int64)
    return ChunkResult(window, counts, totals, reasons if return_reasons else None,
                       time.perf_counter() - t0)


# --------------------------------------------------------------------------------------
# driver
# --------------------------------------------------------------------------------------
def chunk_windows(grid: Grid, chunk: tuple[int, int]) -> list[tuple[int, int, int, int]]:
    """Windows ``(col_off, row_off, width, height)`` of at most ``chunk`` (rows, cols)."""
    return [(int(w.col_off), int(w.row_off), int(w.width), int(w.height))
            for w in grid.blocks(block_rows=chunk[0], block_cols=chunk[1])]


def assign_to_chunks(
    geoms: np.ndarray, grid: Grid, windows: Sequence[tuple[int, int, int, int]]
) -> list[np.ndarray]:
    """Per window, indices of ``geoms`` whose envelope meets the window (+ margin).

    One bulk :class:`shapely.STRtree` query for all windows.
    """
    out = [np.empty(0, dtype=np.int64) for _ in windows]
    if geoms.size == 0:
        return out
    pad = MARGIN_CELLS * grid.res_m
    boxes = []
    for w in windows:
        x0, y0, x1, y1 = grid.subgrid(Window(*w)).bounds
        boxes.append(shapely.box(x0 - pad, y0 - pad, x1 + pad, y1 + pad))
    tree = shapely.STRtree(geoms)
    win_i, geom_i = tree.query(np.array(boxes, dtype=object))
    order = np.argsort(win_i, kind="stable")
    win_i, geom_i = win_i[order], geom_i[order]
    splits = np.searchsorted(win_i, np.arange(len(windows) + 1))
    for k in range(len(windows)):
        out[k] = geom_i[splits[k]:splits[k + 1]].astype(np.int64)
    return out


class _Runner:
    """Submits chunk tasks with at most ``window`` in flight; yields results as they end."""

    def __init__(self, scheduler: Any, n_workers: int | None) -> None:
        self.client: Any = None
        self._own: list[Any] = []
        self.engine = "dask-threads"
        self.n_workers = n_workers or max(1, os.cpu_count() or 1)
        if scheduler is None or scheduler == "threads":
            return
        try:
            from distributed import Client, LocalCluster
        except ImportError as exc:  # pragma: no cover - distributed is a dependency
            raise OrdosGeoError(
                "exclusions: dask.distributed is not installed; pip install distributed or "
                "drop --scheduler"
            ) from exc
        if isinstance(scheduler, Client):
            self.client = scheduler
        elif scheduler == "local":
            cluster = LocalCluster(n_workers=self.n_workers, threads_per_worker=1,
                                   processes=True, dashboard_address=None)
            self.client = Client(cluster)
            self._own = [self.client, cluster]
        elif isinstance(scheduler, str):
            try:
                self.client = Client(scheduler, timeout=CONNECT_TIMEOUT)
            except (OSError, TimeoutError) as exc:
                raise OrdosGeoError(
                    f"--scheduler {scheduler}: cannot connect to the dask scheduler ({exc}); "
                    "check the address (tcp://host:8786) and that the scheduler runs"
                ) from exc
            self._own = [self.client]
        else:
            raise OrdosGeoError(
                f"exclusions: scheduler {scheduler!r} is not None, 'threads', 'local', an address "
                "or a distributed.Client"
            )
        self.engine = "dask-distributed"
        self.n_workers = max(1, sum(self.client.nthreads().values()))

    def close(self) -> None:
        for obj in self._own:
            obj.close()

    def run(self, grid: Grid, windows: list[tuple[int, int, int, int]],
            geoms: list[np.ndarray], index: list[list[np.ndarray]],
            jobs: list[PlannedExclusion], return_reasons: bool) -> Iterator[ChunkResult]:
        inflight = 2 * self.n_workers
        if self.client is None:
            yield from self._run_threads(grid, windows, geoms, index, jobs,
                                         return_reasons, inflight)
            return
        from distributed import as_completed

        c = self.client
        shipped = c.scatter(geoms, broadcast=True)
        g = c.scatter(grid, broadcast=True)
        todo = iter(range(len(windows)))

        def submit(k: int) -> Any:
            return c.submit(reasons_chunk, g, windows[k], shipped,
                            [ix[k] for ix in index], jobs,
                            return_reasons=return_reasons, pure=False, key=f"chunk-{k}")

        ac = as_completed([submit(k) for _, k in zip(range(inflight), todo, strict=False)])
        for fut in ac:
            res: ChunkResult = fut.result()
            fut.release()
            nxt = next(todo, None)
            if nxt is not None:
                ac.add(submit(nxt))
            yield res

    def _run_threads(self, grid: Grid, windows: list[tuple[int, int, int, int]],
                     geoms: list[np.ndarray], index: list[list[np.ndarray]],
                     jobs: list[PlannedExclusion],
                     return_reasons: bool, inflight: int) -> Iterator[ChunkResult]:
        import dask
        from dask import delayed

        shared = delayed(geoms, traverse=False)
        for start in range(0, len(windows), inflight):
            batch = [
                delayed(reasons_chunk, pure=False)(
                    grid, windows[k], shared, [ix[k] for ix in index], jobs,
                    return_reasons=return_reasons)
                for k in range(start, min(start + inflight, len(windows)))
            ]
            yield from dask.compute(*batch, scheduler="threads", num_workers=self.n_workers)


def _prepare(plan: ExclusionPlan, chunk: int | tuple[int, int]) -> tuple[
        tuple[int, int], list[tuple[int, int, int, int]], list[np.ndarray],
        list[list[np.ndarray]], list[PlannedExclusion]]:
    if plan.region is None:
        raise ConfigError("blockwise: the plan has no region geometries; pass region= to "
                          "plan_exclusions")
    rc = (chunk, chunk) if isinstance(chunk, int) else (int(chunk[0]), int(chunk[1]))
    if min(rc) < 16:
        raise ConfigError(f"blockwise: chunk {rc} is too small; use at least 16 cells "
                          "(e.g. 2048)")
    windows = chunk_windows(plan.grid, rc)
    geoms = [e.geoms for e in plan.exclusions] + [plan.region]
    index = [assign_to_chunks(g, plan.grid, windows) for g in geoms]
    empty = np.empty(0, dtype=object)
    light = [dataclasses.replace(e, geoms=empty) for e in plan.exclusions]
    return rc, windows, geoms, index, light


def iter_reason_windows(
    plan: ExclusionPlan,
    *,
    chunk: int | tuple[int, int] = CHUNK,
    scheduler: Any = None,
    n_workers: int | None = None,
) -> Iterator[tuple[Window, np.ndarray]]:
    """Yield ``(window, uint8 reasons)`` of the whole grid, window by window.

    Windows arrive in completion order (not row order); each is the same as the
    matching slice of :func:`ordos_geo.exclusions.run_memory`'s reasons. For a
    bounded-memory consumer such as siting at 30 m.
    """
    _, windows, geoms, index, light = _prepare(plan, chunk)
    runner = _Runner(scheduler, n_workers)
    try:
        for res in runner.run(plan.grid, windows, geoms, index, light, True):
            assert res.reasons is not None
            yield Window(*res.window), res.reasons
    finally:
        runner.close()


def run_blockwise(
    plan: ExclusionPlan,
    *,
    scheduler: Any = None,
    n_workers: int | None = None,
    chunk: int | tuple[int, int] = CHUNK,
    mask_path: str | os.PathLike[str] | None = None,
    reasons_path: str | os.PathLike[str] | None = None,
    overwrite: bool = False,
    tags: dict[str, str] | None = None,
) -> ExclusionRun:
    """Burn ``plan`` window by window on dask; optionally write the GeoTIFFs.

    Parameters
    ----------
    plan
        From :func:`ordos_geo.exclusions.plan_exclusions` (with ``region=``).
    scheduler
        ``None``/``"threads"``, ``"local"``, a scheduler address ``"tcp://host:8786"``
        or a :class:`distributed.Client`.
    n_workers
        Threads (threaded scheduler) or processes (``"local"``); default: CPU count.
    chunk
        Window edge in cells, or ``(rows, cols)``.
    mask_path, reasons_path
        Optional GeoTIFFs (tiled, deflate, no overviews), written window by window:
        mask 1 eligible / 0 excluded / 255 outside; reason codes (tag ``reasons``).
    overwrite
        Replace existing output files.
    tags
        Extra GeoTIFF tags.

    Returns
    -------
    ExclusionRun
        ``reasons`` is ``None``; ``files`` lists the GeoTIFFs written.
    """
    t_start = time.perf_counter()
    grid = plan.grid
    rc, windows, geoms, index, light = _prepare(plan, chunk)
    log.info("blockwise exclusions: %s in %d chunks of %d x %d cells", grid, len(windows),
             *rc)
    writer = _Writer(grid, mask_path, reasons_path, overwrite=overwrite, codes=plan.codes(),
                     tags=tags or {})
    runner = _Runner(scheduler, n_workers)
    counts = np.zeros(256, dtype=np.int64)
    totals = np.zeros(len(light), dtype=np.int64)
    task_s = 0.0
    try:
        with writer:
            for res in runner.run(grid, windows, geoms, index, light, writer.active):
                counts += res.counts
                totals += res.totals
                task_s += res.seconds
                if res.reasons is not None:
                    writer.write(res.window, res.reasons)
    finally:
        runner.close()
    stats, eligible, region = summarise(plan, counts, totals)
    plan_s = sum(e.seconds for e in plan.exclusions)
    burn_s = time.perf_counter() - t_start
    return ExclusionRun(grid, None, counts, stats, eligible, region, plan_s + burn_s,
                        runner.engine, len(windows), rc, files=writer.files,
                        timings={"plan": plan_s, "chunks": burn_s,
                                 "task_seconds_sum": task_s})


class _Writer:
    """One GeoTIFF writer per output; windows are written as chunks arrive."""

    def __init__(self, grid: Grid, mask_path: Any, reasons_path: Any, *, overwrite: bool,
                 codes: dict[int, str], tags: dict[str, str]) -> None:
        self.grid = grid
        self.targets: dict[str, Path] = {}
        if mask_path is not None:
            self.targets["mask"] = Path(mask_path)
        if reasons_path is not None:
            self.targets["reasons"] = Path(reasons_path)
        self.overwrite = overwrite
        self.codes = codes
        self.tags = tags
        self.files: dict[str, str] = {}
        self._ds: dict[str, Any] = {}
        self._ctx: list[Any] = []
        lut = np.zeros(256, dtype=np.uint8)
        lut[0], lut[255] = 1, 255
        self._lut = lut

    @property
    def active(self) -> bool:
        return bool(self.targets)

    def __enter__(self) -> _Writer:
        import contextlib
        import json

        import rasterio

        from ordos_geo.io.atomic import atomic_path, check_output_path

        for p in self.targets.values():
            check_output_path(p, overwrite=self.overwrite)
        stack = contextlib.ExitStack()
        self._ctx.append(stack)
        stack.enter_context(rasterio.Env(GDAL_PAM_ENABLED="NO"))
        prof = self.grid.to_profile(dtype="uint8", nodata=255)
        prof["crs"] = named_wkt(self.grid.crs)
        prof.update(tiled=True, blockxsize=512, blockysize=512, compress="deflate",
                    zlevel=1, predictor=1, BIGTIFF="IF_SAFER")
        for name, p in self.targets.items():
            tmp = stack.enter_context(atomic_path(p, overwrite=self.overwrite))
            ds = stack.enter_context(rasterio.open(tmp, "w", **prof))
            base = {"provenance": "derived", **self.tags}
            if name == "mask":
                ds.update_tags(units="1 eligible, 0 excluded, 255 outside region", **base)
            else:
                ds.update_tags(units="reason code", **base,
                               reasons=json.dumps({str(k): v for k, v in self.codes.items()},
                                                  ensure_ascii=False))
            self._ds[name] = ds
            self.files[name] = str(p)
        return self

    def write(self, window: tuple[int, int, int, int], reasons: np.ndarray) -> None:
        w = Window(*window)
        for name, ds in self._ds.items():
            ds.write(self._lut[reasons] if name == "mask" else reasons, 1, window=w)

    def __exit__(self, *exc: Any) -> None:
        for stack in self._ctx:
            stack.__exit__(*exc)
        self._ctx.clear()
        self._ds.clear()
