"""``ordos-geo siting pv|wind``: run a siting analysis and write its result files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ordos_geo.cli.options import echo_json

__all__ = ["register"]

ConfigOpt = Annotated[Path | None, typer.Option(
    "--config", help="Analysis YAML (default analyses/pv.yaml or analyses/wind.yaml).")]
ResOpt = Annotated[float | None, typer.Option(
    "--res", help="Cell size in metres of the working equal-area CRS (overrides grid.res_m).")]
OutOpt = Annotated[Path, typer.Option("--out", help="Output folder.")]
CatalogOpt = Annotated[Path | None, typer.Option(
    "--catalog", help="User layer catalog YAML overlaid on layers/catalog.yaml.")]
SensOpt = Annotated[int, typer.Option(
    "--sensitivity", min=0, help="Number of seeded weight perturbations written to "
    "{kind}_robustness.tif (0 = none).")]
OverwriteOpt = Annotated[bool, typer.Option("--overwrite", help="Replace existing outputs.")]


def _run(kind: str, config: Path | None, res: float | None, out: Path, catalog: Path | None,
         sensitivity: int, overwrite: bool) -> None:
    from ordos_geo.catalog import Catalog
    from ordos_geo.cli.inputs import catalog_inputs
    from ordos_geo.io.results import ResultSet
    from ordos_geo.siting import run_siting
    from ordos_geo.siting.config import default_config_path
    from ordos_geo.siting.run import output_names

    cat = Catalog.load(catalog)
    from ordos_geo.qgis import qgis_file_names, write_qgis_files
    from ordos_geo.report.charts import chart_names, write_supply_curve_png

    names = (output_names(kind, sensitivity=sensitivity) + chart_names(kind)
             + qgis_file_names([kind], screening=False, project=False))
    inputs = [config or default_config_path(kind), *catalog_inputs(cat, catalog)]
    # written whole: staged in OUT, moved in only when the run succeeded
    with ResultSet(out, names, inputs=inputs, overwrite=overwrite) as rs:
        r = run_siting(kind,  # type: ignore[arg-type]
                       catalog=cat, config_path=config, res_m=res, out_dir=rs.stage,
                       overwrite=overwrite, sensitivity=sensitivity)
        png = write_supply_curve_png(rs.stage, kind, rs.stage / f"{kind}_supply_curve.png",
                                     overwrite=True)
        styles = write_qgis_files(rs.stage, project=False)  # QGIS loads <name>.qml
    s = r.summary
    echo_json({
        "kind": kind, "out": str(out), "total_km2": s["total_km2"],
        "eligible_km2": s["eligible_km2"], "sites": s["sites"],
        "capacity_gw": s["capacity_gw"],
        "annual_energy_twh": s.get("annual_energy_twh"),
        "resource_source": s.get("resource_source", {}).get("type"),
        "capacity_definition": s.get("capacity_definition"),
        "technical_potential_gw": s.get("technical_potential", {}).get("all_eligible_gw"),
        "target_gw": s["target_gw"],
        "installed_gw_2025": s["installed_gw_2025"],
        "resource_method": s["resource"]["method"],
        "resource_is_assumption": s.get("resource_is_assumption", False),
        "provenance": s["provenance"],
        "files": sorted([p.name for p in r.files.values()] + ([png.name] if png else [])
                        + [p.name for p in styles]),
        "seconds": s["timing_s"].get("with_outputs", s["timing_s"]["total"]),
    })


def register(app: typer.Typer) -> None:
    """Add the ``siting`` command group (``pv``, ``wind``) to ``app``."""
    siting = typer.Typer(help="PV and wind siting: exclusions, score, candidate sites, "
                         "capacity by banner.", no_args_is_help=True)

    @siting.command("pv", help="Run the PV siting analysis (default analyses/pv.yaml).")
    def pv(config: ConfigOpt = None, res: ResOpt = None, out: OutOpt = Path("maps"),
           catalog: CatalogOpt = None, sensitivity: SensOpt = 0,
           overwrite: OverwriteOpt = False) -> None:
        _run("pv", config, res, out, catalog, sensitivity, overwrite)

    @siting.command("wind", help="Run the wind siting analysis (default analyses/wind.yaml).")
    def wind(config: ConfigOpt = None, res: ResOpt = None, out: OutOpt = Path("maps"),
             catalog: CatalogOpt = None, sensitivity: SensOpt = 0,
             overwrite: OverwriteOpt = False) -> None:
        _run("wind", config, res, out, catalog, sensitivity, overwrite)

    app.add_typer(siting, name="siting")
