"""``ordos-geo report`` — static maps (PNG/PDF) and the HTML/PDF report from result files."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer

from ordos_geo.cli.options import echo, echo_json
from ordos_geo.errors import ConfigError

__all__ = ["register"]

_FORMATS = ("html", "pdf", "png")


def _parse_formats(value: str) -> tuple[str, ...]:
    fmts = tuple(f.strip().lower() for f in value.split(",") if f.strip())
    bad = [f for f in fmts if f not in _FORMATS]
    if bad or not fmts:
        raise ConfigError(
            f"--format: {bad[0] if bad else value!r} is not a format; "
            "use a comma-separated list of html, pdf, png"
        )
    return fmts


def report(
    out: Annotated[
        Path, typer.Option("--out", help="Output folder (report.html, report.pdf, one PNG "
                                         "at 300 dpi and one vector PDF per map).")
    ] = Path("maps/report"),
    results: Annotated[
        Path | None,
        typer.Option("--results", file_okay=False,
                     help="Folder with the result files of `siting`, `check` and `run` "
                          "(default: maps). Missing files become 'not computed' notes."),
    ] = Path("maps"),
    catalog: Annotated[
        Path | None,
        typer.Option("--catalog", dir_okay=False, metavar="FILE",
                     help="User catalog YAML overlaid on layers/catalog.yaml."),
    ] = None,
    lang: Annotated[str, typer.Option("--lang", help="Report language: zh or en.")] = "zh",
    formats: Annotated[
        str, typer.Option("--format", help="Comma-separated outputs: html,pdf,png.")
    ] = "html,pdf,png",
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace existing output files.")
    ] = False,
    json_out: Annotated[
        bool, typer.Option("--json", help="Print the result as one JSON line.")
    ] = False,
) -> None:
    """Write the static maps and the HTML/PDF report from the result files."""
    from ordos_geo.catalog import Catalog
    from ordos_geo.report import build_report

    if lang not in ("zh", "en"):
        raise ConfigError(f"--lang: {lang!r} is not a report language; use zh or en")
    fmts = _parse_formats(formats)
    if results is not None and not results.is_dir():
        raise ConfigError(f"{results}: --results folder not found; run `ordos-geo run` or "
                          "`ordos-geo siting` first, or pass --results DIR")
    from ordos_geo.cli.inputs import catalog_inputs, result_inputs
    from ordos_geo.io.results import ResultSet
    from ordos_geo.report.build import MAP_KEYS, _targets

    cat = Catalog.load(catalog)
    charts = tuple(f"{k}_supply_curve" for k in ("pv", "wind"))
    names = [p.name for p in _targets(Path(), fmts, (*MAP_KEYS, *charts))]
    inputs = [*catalog_inputs(cat, catalog), *result_inputs(results)]
    with ResultSet(out, names, inputs=inputs, overwrite=overwrite) as rs:
        staged = build_report(cat, results, rs.stage, lang=lang,  # type: ignore[arg-type]
                              formats=fmts, overwrite=overwrite)
    res = replace(staged, out_dir=out, paths=[out / p.name for p in staged.paths])
    if json_out:
        echo_json({"out_dir": str(res.out_dir), "files": [str(p) for p in res.paths],
                   "not_computed": res.missing, "illustrative": res.illustrative})
        return
    for p in res.paths:
        echo(str(p))
    if res.missing:
        echo(f"not computed (missing result files): {', '.join(res.missing)}")


def register(app: typer.Typer) -> None:
    """Add the ``report`` command to the root app."""
    app.command(
        "report",
        help="Static maps (300-dpi PNG, vector PDF) and a self-contained HTML + PDF report "
        "built from the result files of siting/check/run.",
    )(report)
