"""``ordos-geo run`` — the main job on the catalog, as a list of steps.

validate → layers_summary.csv → overview.html → siting PV → siting wind → screening of
``analyses/projects/`` → interactive maps → ``report/``.

Each :class:`Step` names the files it writes in ``--out`` (checked before anything
runs, so an existing result without ``--overwrite`` stops the run at once) and a
function ``(RunContext) -> list[Path]`` that writes them. Later steps (siting,
screening, maps, report) are appended to :data:`STEPS`.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

import typer

from ordos_geo.catalog import Catalog, ValidationReport
from ordos_geo.cli.layers import CatalogOption, write_problems
from ordos_geo.cli.options import echo
from ordos_geo.config import display_path
from ordos_geo.errors import ConfigError
from ordos_geo.io.results import RESULT_FILES, ResultSet, write_csv
from ordos_geo.resources import analysis_path

__all__ = [
    "STEPS", "SUMMARY_COLUMNS", "RunContext", "Step", "register", "run_steps", "select_steps",
]

log = logging.getLogger(__name__)

#: Columns of ``layers_summary.csv`` (UTF-8 with BOM so Excel shows Chinese).
SUMMARY_COLUMNS = [
    "id", "title_zh", "title_en", "kind", "roles", "provenance", "crs", "features",
    "size", "area_km2", "source", "licence", "vintage",
]


@dataclass
class RunContext:
    """State shared by the steps of one run.

    Attributes
    ----------
    catalog
        The loaded catalog (default + user).
    out_dir
        Output folder (created if needed).
    overwrite
        Replace existing outputs.
    written
        Files written so far, in order.
    report
        Catalog validation report (set by the ``validate`` step).
    projects
        Project files or folders to screen (``--projects``); empty = the bundled
        examples, and the outputs then say so (``"examples": true``).
    configs
        Siting analysis per kind (``--pv-config``, ``--wind-config``); missing = the
        shipped ``analyses/{kind}.yaml``.
    """

    catalog: Catalog
    out_dir: Path
    overwrite: bool = False
    written: list[Path] = field(default_factory=list)
    report: ValidationReport | None = None
    projects: list[Path] = field(default_factory=list)
    final_dir: Path | None = None
    configs: dict[str, Path] = field(default_factory=dict)

    def shown(self, path: Path) -> str:
        """``path`` as it will be after the run (steps write into a staging folder)."""
        if self.final_dir is not None and path.is_relative_to(self.out_dir):
            path = self.final_dir / path.relative_to(self.out_dir)
        return display_path(path)


@dataclass(frozen=True)
class Step:
    """One step of ``run``: a name, the file names it writes in ``out_dir``, a function."""

    name: str
    outputs: tuple[str, ...]
    func: Callable[[RunContext], list[Path]]


def step_validate(ctx: RunContext) -> list[Path]:
    """Validate every layer; stop the run (exit 1) listing the problems if any."""
    ctx.report = ctx.catalog.validate()
    if not ctx.report.ok:
        write_problems(ctx.report)
        raise ConfigError(
            f"catalog: {len(ctx.report.problems)} layer problem(s) listed above; fix them "
            "(see `ordos-geo layers validate`) and run again"
        )
    repaired = sum(c.repaired for c in ctx.report.checks)
    echo(f"layers: {len(ctx.report.checks)} valid" + (
        f" ({repaired} geometries repaired on read)" if repaired else ""))
    return []


def step_layers_summary(ctx: RunContext) -> list[Path]:
    """Write ``layers_summary.csv``: one row per layer, with polygon area in km² (WORK_CRS).

    Written through the formula-safe CSV writer: a layer title or source starting with
    ``=``, ``+``, ``-``, ``@`` is stored with a leading ``'``; numbers stay numbers.
    """
    import pandas as pd

    rows = ctx.catalog.summary_rows(area=True)
    table = pd.DataFrame([{
        **{c: r.get(c) for c in SUMMARY_COLUMNS},
        "roles": ";".join(r["roles"]),
        "features": "" if r["features"] is None else r["features"],
        "size": r["size"] or "",
        "area_km2": "" if r.get("area_km2") is None else f"{r['area_km2']:.3f}",
        "vintage": r["vintage"] or "",
    } for r in rows], columns=SUMMARY_COLUMNS)
    path = write_csv(table, ctx.out_dir / "layers_summary.csv", overwrite=ctx.overwrite,
                     bom=True)
    echo(f"wrote {ctx.shown(path)} ({len(rows)} layers)")
    return [path]


def step_overview_map(ctx: RunContext) -> list[Path]:
    """Write ``overview.html``: the interactive map of every catalog layer."""
    try:
        from ordos_geo.maps.interactive import write_map
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.startswith("ordos_geo.maps"):
            log.warning("overview map skipped: %s is not available", exc.name)
            return []
        raise
    target = ctx.out_dir / "overview.html"
    write_map(ctx.catalog, target, results_dir=None, overwrite=ctx.overwrite)
    echo(f"wrote {ctx.shown(target)}")
    return [target]


def _siting_outputs(kind: str) -> tuple[str, ...]:
    from ordos_geo.report.charts import chart_names
    from ordos_geo.siting.run import output_names

    return tuple(output_names(kind) + chart_names(kind))


def _siting_step(kind: str) -> Callable[[RunContext], list[Path]]:
    def step(ctx: RunContext) -> list[Path]:
        from ordos_geo.siting import run_siting

        res = run_siting(kind, catalog=ctx.catalog, out_dir=ctx.out_dir,  # type: ignore[arg-type]
                         overwrite=ctx.overwrite, config_path=ctx.configs.get(kind))
        from ordos_geo.report.charts import write_supply_curve_png

        png = write_supply_curve_png(ctx.out_dir, kind, ctx.out_dir / f"{kind}_supply_curve.png",
                                     overwrite=True)
        s = res.summary
        src = s.get("resource_source", {})
        echo(
            f"{kind}: eligible {s['eligible_km2']:,.0f} of {s['total_km2']:,.0f} km², "
            f"{s['sites']} candidate sites (score ≥ {s['site_rule']['min_score']:g}), "
            f"{s['capacity_gw']:.1f} GW, {s['annual_energy_twh']:.1f} TWh/yr "
            f"(target {s['target_gw']:g} GW, installed end-2025 {s['installed_gw_2025']:g} GW); "
            f"resource: {src.get('en', s['resource']['method'])}"
            + (f"; {src['not_covered_km2']:,.0f} km² not covered by it"
               if src.get("not_covered_km2") else "")
        )
        return [*res.files.values(), *([png] if png else [])]

    step.__doc__ = (f"Run the {kind} siting analysis (--{kind}-config, default "
                    f"analyses/{kind}.yaml) at its default res.")
    return step


#: Bundled example proposals screened by ``run`` (a folder: its TXT/CSV/XLSX/GeoJSON files).
EXAMPLES_DIR = analysis_path("projects")


def step_screening(ctx: RunContext) -> list[Path]:
    """Screen the user's ``--projects``; without them the bundled examples, marked as such."""
    from ordos_geo.zoning import check_projects, write_outputs
    from ordos_geo.zoning.outputs import summary_dict

    examples = not ctx.projects
    if examples and not EXAMPLES_DIR.is_dir():
        log.warning("screening skipped: %s not found", EXAMPLES_DIR)
        return []
    res = check_projects(ctx.projects or [EXAMPLES_DIR], catalog=ctx.catalog)
    res.meta["examples"] = examples
    paths = write_outputs(res, ctx.out_dir, overwrite=ctx.overwrite)
    counts = summary_dict(res).get("verdicts", {})
    what = "bundled EXAMPLE projects (pass --projects PATH to screen yours)" if examples else \
        ", ".join(str(p) for p in ctx.projects)
    echo(f"screening {what}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    return list(paths.values())


#: Interactive maps written by ``run``: file name → focus.
MAPS: dict[str, str | None] = {
    "ordos_siting.html": None,
    "pv_map.html": "pv",
    "wind_map.html": "wind",
    "screening_map.html": "screening",
}


def step_maps(ctx: RunContext) -> list[Path]:
    """Write the interactive maps (everything, and one focused map per analysis)."""
    from ordos_geo.maps import write_map

    out: list[Path] = []
    for name, focus in MAPS.items():
        path = write_map(ctx.catalog, ctx.out_dir / name, results_dir=ctx.out_dir,
                         overwrite=ctx.overwrite, focus=focus)  # type: ignore[arg-type]
        echo(f"wrote {ctx.shown(path)}")
        out.append(path)
    return out


def step_report(ctx: RunContext) -> list[Path]:
    """Write the static maps and the HTML/PDF report into ``report/``.

    Without a CJK font the report is skipped with one line saying how to install it;
    every other output of the run is already written, and the run still succeeds.
    """
    from ordos_geo.report import build_report
    from ordos_geo.report.fonts import FontNotFoundError

    try:
        res = build_report(ctx.catalog, ctx.out_dir, ctx.out_dir / "report",
                           results_label=ctx.shown(ctx.out_dir),
                           overwrite=ctx.overwrite)
    except FontNotFoundError as exc:
        echo(f"report: not written (no CJK font): {exc}")
        return []
    echo(f"wrote {ctx.shown(ctx.out_dir / 'report')} ({len(res.paths)} files)")
    return list(res.paths)


def step_qgis(ctx: RunContext) -> list[Path]:
    """A QML style beside every result and the QGIS project ``ordos_geo.qgs`` over them."""
    from ordos_geo.qgis import PROJECT_NAME, write_qgis_files

    written = write_qgis_files(ctx.out_dir, project=True)
    if any(p.name == PROJECT_NAME for p in written):
        echo(f"wrote {ctx.shown(ctx.out_dir / PROJECT_NAME)} (QGIS project, "
             f"{len(written) - 1} layer styles)")
    return written


def _qgis_outputs() -> tuple[str, ...]:
    from ordos_geo.qgis import qgis_file_names

    return tuple(qgis_file_names())


#: The steps of ``ordos-geo run`` in order; append new steps here.
STEPS: list[Step] = [
    Step("validate", (), step_validate),
    Step("layers_summary", ("layers_summary.csv",), step_layers_summary),
    Step("overview_map", ("overview.html",), step_overview_map),
    Step("siting_pv", _siting_outputs("pv"), _siting_step("pv")),
    Step("siting_wind", _siting_outputs("wind"), _siting_step("wind")),
    Step("screening", ("conflicts.csv", "conflicts.gpkg", "verdicts.xlsx",
                       "screening_summary.json"), step_screening),
    Step("maps", tuple(MAPS), step_maps),
    Step("report", ("report",), step_report),
    Step("qgis", _qgis_outputs(), step_qgis),
]


def select_steps(names: str | None) -> list[Step]:
    """The steps named in ``names`` (comma-separated), in :data:`STEPS` order."""
    if not names:
        return list(STEPS)
    wanted = [n.strip() for n in names.split(",") if n.strip()]
    known = {s.name for s in STEPS}
    unknown = [n for n in wanted if n not in known]
    if unknown:
        raise ConfigError(
            f"--steps: unknown step {unknown[0]!r} (available: {', '.join(s.name for s in STEPS)})"
        )
    return [s for s in STEPS if s.name in wanted]


def run_inputs(catalog: Catalog, user_catalog: Path | None = None,
               configs: dict[str, Path] | None = None) -> list[Path]:
    """Every file ``run`` reads: catalog, analysis configs, rules, ledger, example projects."""
    from ordos_geo.cli.inputs import catalog_inputs, expand
    from ordos_geo.siting.config import default_config_path
    from ordos_geo.zoning.ledger import DEFAULT_LEDGER
    from ordos_geo.zoning.rules import DEFAULT_RULES

    configs = configs or {}
    return [*catalog_inputs(catalog, user_catalog),
            configs.get("pv", default_config_path("pv")),
            configs.get("wind", default_config_path("wind")), DEFAULT_RULES, DEFAULT_LEDGER,
            *expand([EXAMPLES_DIR])]


def run_steps(
    ctx: RunContext, steps: Sequence[Step] | None = None, *,
    inputs: Sequence[Path] | None = None,
) -> list[Path]:
    """Check every step's outputs (exists without overwrite → OutputError), then run them.

    The steps write into a staging folder inside ``ctx.out_dir``
    (:class:`~ordos_geo.io.results.ResultSet`); the whole set is moved into place when
    every step succeeded, so a failed or killed run leaves the previous results as they
    were. Results of steps not run this time are visible to later steps (maps, report).

    Parameters
    ----------
    inputs
        Files the run reads (default :func:`run_inputs`); no output may replace one.

    Returns
    -------
    list of Path
        Files written (final paths), in order.
    """
    steps = list(STEPS if steps is None else steps)
    names = [n for step in steps for n in step.outputs]
    seed = [n.format(kind=k) for n in RESULT_FILES for k in ("pv", "wind")]
    seed = [n for n in dict.fromkeys(seed) if n not in names]
    final = ctx.out_dir
    with ResultSet(final, names, overwrite=ctx.overwrite, seed=seed,
                   inputs=run_inputs(ctx.catalog) if inputs is None else inputs) as rs:
        ctx.out_dir, ctx.final_dir = rs.stage, final
        try:
            with _progress(len(steps)) as advance:
                for step in steps:
                    log.info("run: step %s", step.name)
                    advance(step.name)
                    ctx.written.extend(step.func(ctx))
        finally:
            stage, ctx.out_dir, ctx.final_dir = ctx.out_dir, final, None
        ctx.written = [final / p.relative_to(stage) if p.is_relative_to(stage) else p
                       for p in ctx.written]
    return ctx.written


@contextlib.contextmanager
def _progress(total: int) -> Iterator[Callable[[str], None]]:
    """A step progress bar on stderr (rich) when it is a terminal and not ``-q``."""
    from ordos_geo.cli.options import progress_enabled

    if not progress_enabled():
        yield lambda name: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                  TextColumn("{task.completed}/{task.total}"), TimeElapsedColumn(),
                  console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("run", total=total)
        started = [False]

        def advance(name: str) -> None:
            if started[0]:
                bar.advance(task)
            started[0] = True
            bar.update(task, description=f"run: {name}")

        yield advance
        bar.advance(task)


def run(
    out: Annotated[
        Path,
        typer.Option("--out", metavar="DIR", file_okay=False,
                     help="Output folder (created if needed)."),
    ] = Path("maps"),
    catalog: CatalogOption = None,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace existing outputs in DIR.")
    ] = False,
    steps: Annotated[
        str | None,
        typer.Option("--steps", metavar="NAMES",
                     help="Comma-separated subset of steps to run, in their usual order "
                          f"(default: all: {', '.join(s.name for s in STEPS)})."),
    ] = None,
    projects: Annotated[
        list[Path] | None,
        typer.Option("--projects", metavar="PATH",
                     help="Project files or folders to screen (repeat for several); default: "
                          "the bundled examples, marked as examples in maps and report."),
    ] = None,
    pv_config: Annotated[
        Path | None,
        typer.Option("--pv-config", metavar="YAML", exists=True, dir_okay=False,
                     help="PV siting analysis (default: the shipped analyses/pv.yaml)."),
    ] = None,
    wind_config: Annotated[
        Path | None,
        typer.Option("--wind-config", metavar="YAML", exists=True, dir_okay=False,
                     help="Wind siting analysis (default: the shipped analyses/wind.yaml)."),
    ] = None,
) -> None:
    """The main job: validate layers, PV and wind siting, screen the proposals (--projects,
    or the bundled examples), write the interactive maps and the report into DIR."""
    chosen = select_steps(steps)
    cat = Catalog.load(catalog)
    configs = {k: p for k, p in (("pv", pv_config), ("wind", wind_config)) if p is not None}
    ctx = RunContext(catalog=cat, out_dir=out, overwrite=overwrite, projects=list(projects or []),
                     configs=configs)
    written = run_steps(ctx, chosen, inputs=[*run_inputs(cat, catalog, configs), *ctx.projects])
    echo(f"done: {len(written)} file(s) in {display_path(out)}")


def register(root: typer.Typer) -> None:
    """Add the ``run`` command to the root app."""
    root.command("run")(run)
