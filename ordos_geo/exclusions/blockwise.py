"""Blockwise land eligibility on dask: the working grid in chunks, never whole in memory.

The same burns as :func:`ordos_geo.eligibility.compute_eligibility` (cell-centre rule,
Euclidean buffers, first exclusion wins, 255 outside the region), run chunk by chunk:

1. The driver reads the region and the vector exclusions once (buffers applied once,
   in ``grid.crs`` metres), builds the grid and the region's complement, and assigns
   geometries to chunks with one bulk :class:`shapely.STRtree` query per layer.
2. The geometries are shipped once (``client.scatter(..., broadcast=True)`` on a
   ``dask.distributed`` cluster, one shared object with the threaded scheduler).
3. Each task allocates one ``uint8`` reason array for its window only, burns the
   geometries clipped to its window (plus a 2-cell margin, so clipping artefacts never
   reach a cell of the window) and the raster class masks of its window (read from the
   raster file: workers need the same file system), then returns cell counts per
   reason code — and its window of reasons only when a GeoTIFF is being written.
4. The driver sums the counts and, for GeoTIFF output, writes each window as it
   arrives (one writer, rasterio windowed writes, tiled deflate GeoTIFF) — at most
   ``2 x workers`` chunks are in flight, so neither driver nor workers ever hold more
   than a few chunks.

Peak memory per worker ≈ imports (~150-250 MB) + a few x ``chunk_rows x chunk_cols``
bytes, independent of the grid size. Schedulers: ``None`` → dask's threaded scheduler
in this process (rasterio's in-memory rasterisation is serialised by a lock, so only
reading/clipping/counting overlap); ``"local"`` → a ``distributed.LocalCluster`` of one
single-threaded process per CPU; ``"tcp://host:8786"`` → an existing cluster; or pass a
:class:`distributed.Client`.
"""

from __future__ import annotations

import logging
import math
import os
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import shapely
from rasterio.windows import Window

from ordos_geo.errors import ConfigError, OrdosGeoError
from ordos_geo.grid import Grid
from ordos_geo.raster import burn as _burn

__all__ = [
    "BlockwiseResult",
    "ChunkResult",
    "RasterJob",
    "VectorJob",
    "compute_eligibility_blockwise",
    "eligibility_chunk",
]

log = logging.getLogger(__name__)

#: Default chunk edge (cells): 2,048 x 2,048 = 4.2 M cells = 4 MB of uint8 per chunk.
CHUNK = 2048
#: Margin (cells) of the clip box around a chunk; clip artefacts stay outside the chunk.
MARGIN_CELLS = 2
#: How long to try to reach a ``--scheduler`` address before giving up.
CONNECT_TIMEOUT = "15s"


@dataclass(frozen=True)
class VectorJob:
    """One vector layer to burn: index into the shipped geometry list, code, rule."""

    code: int
    layer_index: int
    all_touched: bool


@dataclass(frozen=True)
class RasterJob:
    """One raster class exclusion, read by every chunk from ``path`` (shared storage)."""

    code: int
    path: str
    codes: tuple[float, ...] | None
    ranges: tuple[tuple[float, float], ...] | None
    band: int
    src_crs: Any
    method: Literal["polygons", "warp"]


@dataclass
class ChunkResult:
    """What one task returns: its window, cells per reason code, optionally the reasons."""

    window: tuple[int, int, int, int]  # col_off, row_off, width, height
    counts: np.ndarray  # int64[256]
    reasons: np.ndarray | None
    seconds: float


@dataclass
class BlockwiseResult:
    """Result of :func:`compute_eligibility_blockwise` (no full-grid array).

    Attributes
    ----------
    grid
        The working grid.
    counts
        ``int64[256]``: cells per reason code over the whole grid.
    eligible_km2, total_km2
        Eligible and region area (cells x cell area in the equal-area working CRS).
    seconds
        Wall time including reading the layers.
    exclusions
        :class:`ordos_geo.eligibility.ExclusionStat` per exclusion (``seconds`` is 0:
        time is not split per exclusion; ``timings["task_seconds_sum"]`` has the sum
        of all task times).
    n_chunks, chunk_shape, engine
        How the work was split and run.
    files
        GeoTIFFs written (``mask``, ``reasons``).
    """

    grid: Grid
    counts: np.ndarray
    eligible_km2: float
    total_km2: float
    seconds: float
    exclusions: list[Any]
    n_chunks: int
    chunk_shape: tuple[int, int]
    engine: str
    timings: dict[str, float] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)

    @property
    def codes(self) -> dict[int, str]:
        """Reason code → reason text (incl. 0 eligible, 255 outside region)."""
        out = {0: "eligible"}
        out.update({e.code: e.reason for e in self.exclusions})
        out[255] = "outside region"
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary, same keys as ``EligibilityResult.to_dict`` plus engine info."""
        return {
            "eligible_km2": round(self.eligible_km2, 3),
            "total_km2": round(self.total_km2, 3),
            "eligible_share": round(self.eligible_km2 / self.total_km2, 5)
            if self.total_km2 else None,
            "res_m": self.grid.res_m,
            "crs": self.grid.crs.to_string(),
            "grid_shape": list(self.grid.shape),
            "cells": self.grid.size,
            "seconds": round(self.seconds, 3),
            "engine": self.engine,
            "chunks": self.n_chunks,
            "chunk_shape": list(self.chunk_shape),
            "exclusions": [
                # per-exclusion time is not measured chunk by chunk: seconds is null
                {"code": e.code, "kind": e.kind, "layer": e.layer, "reason": e.reason,
                 "removed_km2": round(e.removed_km2, 3), "seconds": None}
                for e in self.exclusions
            ],
            **({"files": dict(self.files)} if self.files else {}),
        }


# --------------------------------------------------------------------------------------
# the task (runs on workers; only numpy/shapely/rasterio are needed there)
# --------------------------------------------------------------------------------------
def eligibility_chunk(
    grid: Grid,
    window: tuple[int, int, int, int],
    geoms: Sequence[np.ndarray],
    index: Sequence[np.ndarray],
    jobs: Sequence[VectorJob | RasterJob],
    outside_index: int,
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
        Per vector layer, the (already buffered) shapely geometries in ``grid.crs``;
        the last entry (``outside_index``) is the region's complement.
    index
        Per vector layer, indices into ``geoms[k]`` of the geometries whose bounding
        box meets this window (from the driver's STRtree query).
    jobs
        Exclusions in code order (burnt in reverse so the first one keeps its code).
    outside_index
        Position of the region complement in ``geoms``/``index`` (burnt last as 255).
    return_reasons
        Also return the ``uint8`` window (for GeoTIFF output).

    Returns
    -------
    ChunkResult
    """
    t0 = time.perf_counter()
    col_off, row_off, width, height = window
    sub = grid.subgrid(Window(col_off, row_off, width, height))
    reasons = np.zeros(sub.shape, dtype=np.uint8)
    pad = MARGIN_CELLS * grid.res_m
    x0, y0, x1, y1 = sub.bounds
    clip_box = (x0 - pad, y0 - pad, x1 + pad, y1 + pad)

    def vector(k: int, value: int, all_touched: bool) -> None:
        idx = index[k]
        if idx.size == 0:
            return
        part = geoms[k][idx]
        b = shapely.bounds(part)
        inside = ((b[:, 0] >= clip_box[0]) & (b[:, 1] >= clip_box[1])
                  & (b[:, 2] <= clip_box[2]) & (b[:, 3] <= clip_box[3]))
        if not inside.all():
            part = part.copy()
            part[~inside] = shapely.clip_by_rect(part[~inside], *clip_box)
            part = part[~shapely.is_empty(part)]
        _burn.burn(part, sub, reasons, all_touched=all_touched, value=value)

    from ordos_geo.raster.classes import burn_class_into

    for job in reversed(jobs):
        if isinstance(job, VectorJob):
            vector(job.layer_index, job.code, job.all_touched)
        else:
            burn_class_into(reasons, job.path, sub, value=job.code,
                            codes=list(job.codes) if job.codes else None,
                            ranges=[list(r) for r in job.ranges] if job.ranges else None,
                            band=job.band, src_crs=job.src_crs, method=job.method)
    vector(outside_index, 255, False)
    counts = np.bincount(reasons.reshape(-1), minlength=256).astype(np.int64)
    return ChunkResult(window, counts, reasons if return_reasons else None,
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
                "scale: dask.distributed is not installed; pip install distributed or "
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
                f"scale: scheduler {scheduler!r} is not None, 'threads', 'local', an address "
                "or a distributed.Client"
            )
        self.engine = "dask-distributed"
        self.n_workers = max(1, sum(self.client.nthreads().values()))

    def close(self) -> None:
        for obj in self._own:
            obj.close()

    def run(self, grid: Grid, windows: list[tuple[int, int, int, int]],
            geoms: list[np.ndarray], index: list[list[np.ndarray]],
            jobs: list[VectorJob | RasterJob], outside_index: int,
            return_reasons: bool) -> Iterator[ChunkResult]:
        inflight = 2 * self.n_workers
        if self.client is None:
            yield from self._run_threads(grid, windows, geoms, index, jobs, outside_index,
                                         return_reasons, inflight)
            return
        from distributed import as_completed

        c = self.client
        shipped = c.scatter(geoms, broadcast=True)
        g = c.scatter(grid, broadcast=True)
        todo = iter(range(len(windows)))

        def submit(k: int) -> Any:
            return c.submit(eligibility_chunk, g, windows[k], shipped,
                            [ix[k] for ix in index], jobs, outside_index,
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
                     jobs: list[VectorJob | RasterJob], outside_index: int,
                     return_reasons: bool, inflight: int) -> Iterator[ChunkResult]:
        import dask
        from dask import delayed

        shared = delayed(geoms, traverse=False)
        for start in range(0, len(windows), inflight):
            batch = [
                delayed(eligibility_chunk, pure=False)(
                    grid, windows[k], shared, [ix[k] for ix in index], jobs, outside_index,
                    return_reasons=return_reasons)
                for k in range(start, min(start + inflight, len(windows)))
            ]
            yield from dask.compute(*batch, scheduler="threads", num_workers=self.n_workers)


def compute_eligibility_blockwise(
    cfg: Any,
    *,
    catalog: Any,
    res_m: float | None = None,
    crs: Any = None,
    scheduler: Any = None,
    n_workers: int | None = None,
    chunk: int | tuple[int, int] = CHUNK,
    mask_path: str | os.PathLike[str] | None = None,
    reasons_path: str | os.PathLike[str] | None = None,
    overwrite: bool = False,
    tags: dict[str, str] | None = None,
) -> BlockwiseResult:
    """Eligible land like :func:`ordos_geo.eligibility.compute_eligibility`, chunk by chunk.

    Parameters
    ----------
    cfg
        :class:`ordos_geo.eligibility.EligibilityConfig`.
    catalog
        Layer catalog (or ``None`` when every layer is a path).
    res_m, crs
        Override ``cfg.res_m`` (metres) / ``cfg.crs`` (metric).
    scheduler
        ``None``/``"threads"`` (dask threaded scheduler), ``"local"`` (a
        ``distributed.LocalCluster``, one single-threaded process per CPU), a scheduler
        address ``"tcp://host:8786"``, or a :class:`distributed.Client`.
    n_workers
        Threads (threaded scheduler) or processes (``"local"``); default: CPU count.
    chunk
        Chunk edge in cells, or ``(rows, cols)``. Memory per task ~ a few x rows x cols
        bytes.
    mask_path, reasons_path
        Optional GeoTIFFs (tiled, deflate, no overviews), written window by window by
        the driver: mask 1 eligible / 0 excluded / 255 outside; reason codes.
    overwrite
        Replace existing output files.
    tags
        Extra GeoTIFF tags (``units``/``provenance``/``reasons`` are set here).

    Returns
    -------
    BlockwiseResult
        Counts and areas; no full-grid array.
    """
    from ordos_geo.eligibility import ExclusionStat, prepare_eligibility

    t_start = time.perf_counter()
    plan = prepare_eligibility(cfg, catalog=catalog, res_m=res_m, crs=crs)
    grid = plan.grid
    rc = (chunk, chunk) if isinstance(chunk, int) else (int(chunk[0]), int(chunk[1]))
    if min(rc) < 16:
        raise ConfigError(f"scale: chunk {rc} is too small; use at least 16 cells (e.g. 2048)")
    windows = chunk_windows(grid, rc)
    timings = {"prepare": time.perf_counter() - t_start}
    t0 = time.perf_counter()
    geoms: list[np.ndarray] = []
    jobs: list[VectorJob | RasterJob] = []
    for job in plan.jobs:
        if job.kind == "vector":
            jobs.append(VectorJob(job.code, len(geoms), job.all_touched))
            geoms.append(job.geoms)
        else:
            jobs.append(RasterJob(job.code, str(job.path), job.codes, job.ranges, job.band,
                                  job.src_crs, _raster_method(job.path, grid, job.src_crs)))
    outside_index = len(geoms)
    geoms.append(np.array([plan.outside], dtype=object))
    index = [assign_to_chunks(g, grid, windows) for g in geoms]
    timings["assign"] = time.perf_counter() - t0
    log.info("blockwise eligibility: %s in %d chunks of %d x %d cells", grid, len(windows),
             *rc)

    codes_text = {0: "eligible", **{j.code: j.reason for j in plan.jobs}, 255: "outside region"}
    writer = _Writer(grid, mask_path, reasons_path, overwrite=overwrite, codes=codes_text,
                     tags=tags or {})
    runner = _Runner(scheduler, n_workers)
    counts = np.zeros(256, dtype=np.int64)
    task_s = 0.0
    t0 = time.perf_counter()
    try:
        with writer:
            for res in runner.run(grid, windows, geoms, index, jobs, outside_index,
                                  writer.active):
                counts += res.counts
                task_s += res.seconds
                if res.reasons is not None:
                    writer.write(res.window, res.reasons)
    finally:
        runner.close()
    timings["chunks"] = time.perf_counter() - t0
    timings["task_seconds_sum"] = task_s
    km2 = grid.cell_area_m2 / 1e6
    exclusions = [ExclusionStat(j.code, j.kind, j.layer, j.reason,
                                float(counts[j.code]) * km2, 0.0) for j in plan.jobs]
    return BlockwiseResult(
        grid=grid, counts=counts, eligible_km2=float(counts[0]) * km2,
        total_km2=float(grid.size - counts[255]) * km2,
        seconds=time.perf_counter() - t_start, exclusions=exclusions,
        n_chunks=len(windows), chunk_shape=rc, engine=runner.engine, timings=timings,
        files=writer.files,
    )


def _raster_method(path: Any, grid: Grid, src_crs: Any) -> Literal["polygons", "warp"]:
    """The in-memory rule of ``burn_class_into(method="auto")``, decided on the full grid."""
    import rasterio
    from rasterio.warp import transform_bounds

    with rasterio.open(path) as src:
        crs = src_crs if src_crs is not None else src.crs
        if crs is None:
            return "polygons"  # burn_class_into raises the one-line error on the worker
        left, bottom, right, top = transform_bounds(grid.crs, crs, *grid.bounds,
                                                    densify_pts=21)
        px = (math.ceil((right - left) / abs(src.transform.a)) + 2) * (
            math.ceil((top - bottom) / abs(src.transform.e)) + 2)
        px = min(px, src.width * src.height)
    return "polygons" if px * 4 <= grid.size else "warp"


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
