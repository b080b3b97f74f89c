"""``ordos-geo check PROJECTS...`` — screen proposed projects against the zoning rules."""

from __future__ import annotations

import datetime as dt
import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from ordos_geo.cli.options import echo, echo_json

__all__ = ["FAIL_EXIT_CODE", "register"]

#: Exit code when a project reaches the ``--fail-on`` severity.
FAIL_EXIT_CODE = 3


class FailOn(StrEnum):
    """Verdict levels that can fail the command (worst first)."""

    prohibited = "prohibited"
    restricted = "restricted"
    review = "review"
    needs_information = "needs_information"


def default_out(projects: list[Path]) -> Path:
    """``./<first input's stem>_screening`` in the current folder (never the checkout)."""
    first = projects[0]
    stem = first.name if first.is_dir() else first.stem
    return Path.cwd() / f"{stem or 'projects'}_screening"


def _fit(text: str, width: int) -> str:
    import unicodedata

    out, w = "", 0
    for ch in text.replace("\n", " "):
        cw = 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        if w + cw > width - 1 and len(text) > len(out) + 1:
            return out + "…"
        out, w = out + ch, w + cw
    return out


def check(
    projects: Annotated[list[Path], typer.Argument(
        help="Project files (GPKG, SHP, GeoJSON, KML, CSV, XLSX, 界址点 TXT) or folders of them.",
        metavar="PROJECTS")],
    rules: Annotated[Path | None, typer.Option(
        "--rules", metavar="FILE", dir_okay=False,
        help="User rules YAML: adds rules or replaces default rules with the same id.")] = None,
    catalog: Annotated[Path | None, typer.Option(
        "--catalog", metavar="FILE", dir_okay=False,
        help="User catalog YAML overlaid on the default layer set.")] = None,
    ledger: Annotated[Path | None, typer.Option(
        "--ledger", metavar="FILE", dir_okay=False,
        help="Capacity ledger CSV (default analyses/capacity_ledger.csv, illustrative).")] = None,
    out: Annotated[Path | None, typer.Option(
        "--out", metavar="DIR", file_okay=False,
        help="Output folder for conflicts.csv/.gpkg, verdicts.xlsx, screening_summary.json "
             "(default: ./<input name>_screening in the current folder).")
    ] = None,
    fail_on: Annotated[FailOn | None, typer.Option(
        "--fail-on", help="Exit with code 3 when a project reaches this severity or worse.")
    ] = None,
    as_json: Annotated[bool, typer.Option(
        "--json", help="Print one JSON object (per-project verdicts) as the last stdout line.")
    ] = False,
    industry: Annotated[str | None, typer.Option(
        "--industry", help="Industry for inputs without one (e.g. pv, wind, 光伏).")] = None,
    stage: Annotated[str | None, typer.Option(
        "--stage", help="Stage for inputs without one: new, expansion, relocation.")] = None,
    capacity: Annotated[float | None, typer.Option(
        "--capacity", help="Capacity for inputs without one (unit from --unit).")] = None,
    unit: Annotated[str | None, typer.Option(
        "--unit", help="Capacity unit for inputs without one (MW, 万千瓦, 万吨 …).")] = None,
    component: Annotated[str | None, typer.Option(
        "--component", help="Component for inputs without one: array, turbine, substation, "
        "road, line.")] = None,
    zone: Annotated[int | None, typer.Option(
        "--zone", help="3° Gauss-Krüger zone of 界址点 files without a usable 带号 (e.g. 37).")
    ] = None,
    crs: Annotated[str | None, typer.Option(
        "--crs", help="Declared CRS of inputs without one (e.g. EPSG:4490, EPSG:4525, GCJ-02).")
    ] = None,
    overwrite: Annotated[bool, typer.Option(
        "--overwrite", help="Replace existing output files.")] = False,
    skip_invalid: Annotated[bool, typer.Option(
        "--skip-invalid", help="Screen the valid rows and list the invalid ones (default: "
        "report every invalid row and screen nothing).")] = False,
    sheet: Annotated[str | None, typer.Option(
        "--sheet", help="XLSX sheet name (or 0-based number) holding the projects.")] = None,
    as_of: Annotated[str | None, typer.Option(
        "--as-of", metavar="YYYY-MM-DD",
        help="Screening date for dated caps (default today): after a cap's target year a "
             "breach is review, not prohibited.")] = None,
) -> None:
    """Screen proposed projects: verdicts, conflicts with areas in m²/公顷/亩, fix hints.

    Exit codes: 0 done; 1 bad input; 2 usage; 3 a project reached --fail-on (or a row was
    skipped with --skip-invalid while --fail-on is set).
    """
    from ordos_geo.catalog import Catalog
    from ordos_geo.cli.inputs import catalog_inputs, expand
    from ordos_geo.io.projects import ProjectDefaults
    from ordos_geo.io.results import ResultSet
    from ordos_geo.zoning import check_projects, write_outputs
    from ordos_geo.zoning.ledger import DEFAULT_LEDGER
    from ordos_geo.zoning.outputs import OUTPUT_FILES, VERDICT_ZH, check_json
    from ordos_geo.zoning.rules import DEFAULT_RULES

    sheet_value: str | int | None = int(sheet) if sheet is not None and sheet.isdigit() else sheet
    defaults = ProjectDefaults(industry=industry, stage=stage, capacity=capacity,
                               capacity_unit=unit, component=component, zone=zone, crs=crs,
                               sheet=sheet_value)
    try:
        as_of_date = dt.date.fromisoformat(as_of) if as_of is not None else None
    except ValueError:
        raise typer.BadParameter(f"{as_of!r} is not a date; write YYYY-MM-DD",
                                 param_hint="--as-of") from None
    cat = Catalog.load(catalog)
    out_dir = out if out is not None else default_out(projects)
    # a PROJECTS folder equal to --out is refused: a rerun would read its own results
    inputs = [*expand(projects), rules, DEFAULT_RULES, ledger or DEFAULT_LEDGER,
              *catalog_inputs(cat, catalog)]
    from ordos_geo.qgis import qgis_file_names, write_qgis_files

    names = [*OUTPUT_FILES, *qgis_file_names([], screening=True, project=False)]
    with ResultSet(out_dir, names, inputs=inputs, overwrite=overwrite) as rs:
        result = check_projects(projects, catalog=cat, rules_path=rules, ledger_path=ledger,
                                defaults=defaults, skip_invalid=skip_invalid,
                                as_of=as_of_date)
        t_write = time.perf_counter()
        staged = write_outputs(result, rs.stage, overwrite=overwrite)
        styles = write_qgis_files(rs.stage, project=False)  # QGIS loads conflicts.qml
    t_write = time.perf_counter() - t_write  # incl. moving the set into place
    paths = {k: Path(out_dir) / v.name for k, v in staged.items()}
    doc = check_json(result, outputs=paths, fail_on=fail_on.value if fail_on else None)
    doc["timings"]["write"] = round(t_write, 3)
    failed = bool(doc["failed"])
    if as_json:
        echo_json(doc)
    else:
        from ordos_geo.cli.layers import format_table

        rows = []
        for r in doc["projects"]:
            rules_txt = ",".join(h["rule_id"] for h in r["hits"]
                                 if h["severity"] not in ("encouraged", "needs_information"))
            need = ",".join(h["rule_id"] for h in r["hits"] if h["severity"] == "needs_information")
            enc = ",".join(h["rule_id"] for h in r["hits"] if h["severity"] == "encouraged")
            verdict = f"{VERDICT_ZH.get(r['verdict'], '')} {r['verdict']}"
            rows.append([str(r["id"]), _fit(str(r["name"]), 24),
                         verdict + (" *" if r["conditional"] else ""),
                         "" if r["area_ha"] is None else f"{r['area_ha']:.2f}",
                         "" if r["area_mu"] is None else f"{r['area_mu']:.1f}",
                         rules_txt, need, enc])
        for line in format_table(["id", "name", "verdict", "ha", "亩", "rules",
                                  "needs information", "encouraged"], rows):
            echo(line)
        echo("")
        counts = doc["verdicts"]
        echo("verdicts: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
        if doc["conditional"]:
            echo(f"* conditional: {doc['conditional']} project(s) — some rules were not "
                 "evaluated or could not be decided (see not_evaluated / needs information)")
        for s in result.skipped_rules:
            echo(f"rule {s['rule_id']}: {s['reason']}")
        for row in doc["skipped_rows"]:
            echo(f"skipped: {row['error']}")
        echo("wrote: " + ", ".join(str(p) for p in
                                   [*paths.values(), *(Path(out_dir) / q.name for q in styles)]))
    if failed:
        raise typer.Exit(FAIL_EXIT_CODE)


def register(app: typer.Typer) -> None:
    """Add the ``check`` command to the CLI."""
    app.command("check", no_args_is_help=True)(check)
