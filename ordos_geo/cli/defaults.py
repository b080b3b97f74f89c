"""``ordos-geo defaults --out DIR``: copy the shipped analyses and catalog for editing.

A wheel user has no checkout to copy ``pv.yaml`` or ``zoning_rules.yaml`` from; this
command writes them (and the default ``catalog.yaml``, optionally with its layer files)
into a folder, ready to edit and pass back with ``--config``, ``--rules``, ``--ledger``,
``--catalog`` or ``$ORDOS_GEO_LAYERS``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ordos_geo.cli.options import echo
from ordos_geo.config import display_path
from ordos_geo.io.atomic import check_output_path, ensure_out_dir, write_bytes_atomic
from ordos_geo.resources import EDITABLE_ANALYSES, analysis_path, data_path

__all__ = ["copy_defaults", "register"]


def copy_defaults(out_dir: Path, *, with_layers: bool = False,
                  overwrite: bool = False) -> list[Path]:
    """Copy the shipped analyses and ``catalog.yaml`` into ``out_dir``; return the files.

    With ``with_layers`` the whole default layer folder is copied to ``out_dir/layers``
    (catalog included, its relative paths intact), otherwise ``catalog.yaml`` alone goes
    to ``out_dir``. Every target is checked before anything is written, so an existing
    file without ``overwrite`` leaves the folder untouched.
    """
    sources = [(analysis_path(name), out_dir / name) for name in EDITABLE_ANALYSES]
    layers = data_path("layers")
    if with_layers:
        sources += [(f, out_dir / "layers" / f.name) for f in sorted(layers.iterdir())
                    if f.is_file()]
    else:
        sources.append((layers / "catalog.yaml", out_dir / "catalog.yaml"))
    ensure_out_dir(out_dir)
    for _, dst in sources:
        check_output_path(dst, overwrite=overwrite)
    return [write_bytes_atomic(dst, src.read_bytes(), overwrite=overwrite)
            for src, dst in sources]


def register(app: typer.Typer) -> None:
    """Add the ``defaults`` command to ``app``."""

    @app.command("defaults", help="Copy the shipped analyses (pv.yaml, wind.yaml, "
                 "eligibility_example.yaml, zoning_rules.yaml, capacity_ledger.csv) and the "
                 "default catalog.yaml into a folder for editing.")
    def defaults(
        out: Annotated[Path, typer.Option("--out", help="Folder to write the copies into.")],
        with_layers: Annotated[bool, typer.Option(
            "--with-layers", help="Also copy the default layer files (into OUT/layers, "
            "about 3 MB) so the copied catalog.yaml works as $ORDOS_GEO_LAYERS.")] = False,
        overwrite: Annotated[bool, typer.Option(
            "--overwrite", help="Replace existing files.")] = False,
    ) -> None:
        files = copy_defaults(out, with_layers=with_layers, overwrite=overwrite)
        for f in files:
            if f.suffix in (".yaml", ".csv"):
                echo(f"wrote {display_path(f)}")
        if with_layers:
            echo(f"wrote {display_path(out / 'layers')} ({len(files) - len(EDITABLE_ANALYSES)} "
                 f"files); use it with ORDOS_GEO_LAYERS={display_path(out / 'layers')}"
                 "/catalog.yaml")
        else:
            echo("note: the paths in catalog.yaml are relative to the shipped layer folder; "
                 "point them at your own files and pass the file with --catalog (same id "
                 "replaces a default layer), or rerun with --with-layers to copy the layers "
                 "too")
        echo("edit the copies and pass them back with --config (pv/wind/eligibility), "
             "--rules, --ledger")
