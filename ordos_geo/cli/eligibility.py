"""``ordos-geo eligibility``: eligible land area from a YAML config (region − exclusions)."""

from __future__ import annotations

import contextlib
import json
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ordos_geo.cli.options import echo, echo_json

if TYPE_CHECKING:
    import numpy as np

    from ordos_geo.eligibility import EligibilityResult

__all__ = ["eligibility", "register"]


def eligibility(
    config: Annotated[
        Path,
        typer.Option("--config", "-c", help="Eligibility YAML (region, res_m, exclusions).",
                     dir_okay=False),
    ],
    res: Annotated[
        float | None,
        typer.Option("--res", help="Cell size in metres of the working CRS (overrides res_m)."),
    ] = None,
    crs: Annotated[
        str | None,
        typer.Option("--crs", help="Working CRS, metric (EPSG code, PROJ or WKT; overrides crs)."),
    ] = None,
    save_mask: Annotated[
        Path | None,
        typer.Option("--save-mask", help="Write a uint8 COG: 1 eligible, 0 excluded, "
                     "255 outside the region.", dir_okay=False),
    ] = None,
    save_reasons: Annotated[
        Path | None,
        typer.Option("--save-reasons", help="Write the uint8 reason COG: 0 eligible, k = k-th "
                     "exclusion, 255 outside (tag 'reasons' = code → reason).", dir_okay=False),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the summary as one JSON line (last line).")
    ] = False,
    catalog: Annotated[
        Path | None,
        typer.Option("--catalog", help="User layer catalog YAML overlaid on the default one.",
                     dir_okay=False),
    ] = None,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace existing output files.")
    ] = False,
    engine: Annotated[
        str,
        typer.Option("--engine", help="memory: one reason raster in RAM (fastest up to a few "
                     "hundred M cells); dask: chunk by chunk, never the whole grid in RAM "
                     "(outputs are tiled deflate GeoTIFFs without overviews)."),
    ] = "memory",
    scheduler: Annotated[
        str | None,
        typer.Option("--scheduler", help="With --engine dask: 'threads' (default), 'local' "
                     "(one process per CPU) or a dask.distributed scheduler address "
                     "tcp://host:8786 (workers must see the same files)."),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option("--workers", min=1, help="With --engine dask: threads or local processes "
                     "(default: CPU count)."),
    ] = None,
    chunk: Annotated[
        int,
        typer.Option("--chunk", min=16, help="With --engine dask: chunk edge in cells "
                     "(memory per task ~ a few x chunk² bytes)."),
    ] = 2048,
) -> None:
    """Eligible land (km²) after raster-class and buffered vector exclusions.

    Each layer is rasterised once onto the working grid (cell-centre rule); buffers
    are Euclidean. Areas are cell counts × cell area in the working (equal-area) CRS.
    """
    from ordos_geo.catalog import Catalog
    from ordos_geo.cli.inputs import catalog_inputs
    from ordos_geo.eligibility import (
        compute_eligibility,
        input_paths,
        load_eligibility_config,
    )
    from ordos_geo.io.atomic import check_output_path
    from ordos_geo.io.results import ResultSet

    t0 = time.perf_counter()
    cfg = load_eligibility_config(config)
    cat = Catalog.load(catalog)
    # --save-mask / --save-reasons may never replace a file this command reads
    inputs = [config, *catalog_inputs(cat, catalog), *input_paths(cfg, catalog=cat)]
    outputs = [p for p in (save_mask, save_reasons) if p is not None]
    for p in outputs:  # fail before the heavy work
        check_output_path(p, overwrite=overwrite, inputs=inputs)
    if engine not in ("memory", "dask"):
        raise typer.BadParameter(f"--engine {engine!r}: use memory or dask")
    if engine == "memory" and scheduler is not None:
        raise typer.BadParameter("--scheduler needs --engine dask")
    tags = {"provenance": "derived", "config": str(config)}
    # the mask and the reasons are one result set: staged, moved into place together only
    # when both are written (one ResultSet per output folder)
    with contextlib.ExitStack() as stack:
        staged: dict[Path, Path] = {}
        by_dir: dict[Path, list[Path]] = {}
        for p in outputs:
            by_dir.setdefault(Path(p).parent, []).append(Path(p))
        for folder, paths in by_dir.items():
            rs = stack.enter_context(ResultSet(folder, [q.name for q in paths], inputs=inputs,
                                               overwrite=overwrite))
            staged.update({q: rs.stage / q.name for q in paths})
        mask_to = staged.get(Path(save_mask)) if save_mask is not None else None
        reasons_to = staged.get(Path(save_reasons)) if save_reasons is not None else None
        if engine == "dask":
            result = compute_eligibility(
                cfg, catalog=cat, res_m=res, crs=crs, engine="dask", scheduler=scheduler,
                n_workers=workers, chunk=chunk, mask_path=mask_to, reasons_path=reasons_to,
                overwrite=True, tags={"config": str(config)})
            summary = result.to_dict()
            for key, final in (("mask", save_mask), ("reasons", save_reasons)):
                if final is not None and key in summary:
                    summary[key] = str(final)
        else:
            result = compute_eligibility(cfg, catalog=cat, res_m=res, crs=crs)
            summary = result.to_dict()
            if mask_to is not None:
                _write(result.eligibility_mask(), result, mask_to, overwrite=True,
                       tags={"units": "1 eligible, 0 excluded, 255 outside region", **tags})
                summary["mask"] = str(save_mask)
            if reasons_to is not None:
                assert result.reasons is not None
                _write(result.reasons, result, reasons_to, overwrite=True,
                       tags={"units": "reason code", **tags,
                             "reasons": json.dumps(result.codes, ensure_ascii=False)})
                summary["reasons"] = str(save_reasons)
    _report(result, summary, t0, as_json=as_json, outputs=outputs)


def _report(result: EligibilityResult, summary: dict[str, Any], t0: float,
            *, as_json: bool, outputs: list[Path]) -> None:
    summary["seconds_total"] = round(time.perf_counter() - t0, 3)
    if as_json:
        echo_json(summary)
        return
    share = summary["eligible_share"]
    echo(f"grid: {result.grid.shape[0]} x {result.grid.shape[1]} cells at "
         f"{result.grid.res_m:g} m ({result.grid.size / 1e6:.1f} M cells)")
    echo(f"region: {result.total_km2:,.1f} km²")
    for e in result.exclusions:
        echo(f"  - [{e.code}] {e.reason} ({e.kind} {e.layer}): {e.removed_km2:,.1f} km² removed")
    pct = f" ({share * 100:.1f} %)" if share is not None else ""
    echo(f"eligible: {result.eligible_km2:,.1f} km²{pct}")
    echo(f"time: {result.seconds:.2f} s")
    for p in outputs:
        echo(f"wrote {p}")


def _write(a: np.ndarray, result: EligibilityResult, path: Path, *, overwrite: bool,
           tags: dict[str, str]) -> None:
    """Atomic uint8 COG (nodata 255) of ``a`` on the result's grid."""
    from ordos_geo.io.raster import write_cog

    write_cog(a, result.grid, path, nodata=255, tags=tags, overwrite=overwrite)


def register(app: typer.Typer) -> None:
    """Add ``eligibility`` to the ``ordos-geo`` app."""
    app.command("eligibility")(eligibility)
