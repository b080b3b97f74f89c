"""``ordos-geo layers list|show|validate`` — inspect the layer catalog."""

from __future__ import annotations

import logging
import sys
import unicodedata
from pathlib import Path
from typing import Annotated, Any

import typer

from ordos_geo.catalog import ROLES, Catalog, ValidationReport, default_catalog_path
from ordos_geo.cli.options import echo, echo_json
from ordos_geo.config import display_path

__all__ = ["CatalogOption", "format_table", "register", "write_problems"]

CatalogOption = Annotated[
    Path | None,
    typer.Option(
        "--catalog",
        metavar="FILE",
        dir_okay=False,
        help="User catalog YAML: adds layers or replaces default ones with the same id "
        "(paths relative to that file). Default set: layers/catalog.yaml or "
        "$ORDOS_GEO_LAYERS.",
    ),
]

#: Width (terminal cells) of the title column of ``layers list``; ``--json`` has full titles.
TITLE_WIDTH = 48

app = typer.Typer(
    name="layers",
    help="List, show and validate the layers of the catalog.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)


def _width(text: str) -> int:
    """Terminal width of ``text`` (CJK characters take two columns)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def format_table(header: list[str], rows: list[list[str]]) -> list[str]:
    """Align columns (CJK aware) separated by two spaces; returns the lines.

    Examples
    --------
    >>> format_table(["id", "title"], [["city", "鄂尔多斯市"]])
    ['id    title', 'city  鄂尔多斯市']
    """
    widths = [max(_width(r[i]) for r in [header, *rows]) for i in range(len(header))]
    out = []
    for r in [header, *rows]:
        cells = [
            _pad(c, w) if i < len(r) - 1 else c
            for i, (c, w) in enumerate(zip(r, widths, strict=True))
        ]
        out.append("  ".join(cells).rstrip())
    return out


def write_problems(report: ValidationReport) -> None:
    """Write the report's problems to stderr, one line each."""
    probs = report.problems
    sys.stderr.write(f"ordos-geo: error: {len(probs)} layer problem(s):\n")
    for p in probs:
        sys.stderr.write(f"  {p}\n")
    sys.stderr.flush()


def _truncate(text: str, width: int) -> str:
    """Cut ``text`` to ``width`` terminal cells, ending with … when cut."""
    if _width(text) <= width:
        return text
    out = ""
    for ch in text:
        if _width(out + ch) > width - 1:
            break
        out += ch
    return out + "…"


def _size_text(row: dict[str, Any]) -> str:
    if row["kind"] == "vector":
        return "?" if row["features"] is None else str(row["features"])
    return row["size"] or "?"


@app.command("list")
def list_layers(
    catalog: CatalogOption = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="One JSON object on stdout instead of a table.")
    ] = False,
    role: Annotated[
        str | None,
        typer.Option("--role", help=f"Only layers with this role ({', '.join(ROLES)})."),
    ] = None,
) -> None:
    """List every layer: id, titles, kind, roles, provenance, CRS, features or size."""
    cat = Catalog.load(catalog)
    if role is not None and role not in ROLES:
        raise typer.BadParameter(f"{role!r}; use one of: {', '.join(ROLES)}", param_hint="--role")
    rows = [r for r in cat.summary_rows() if role is None or role in r["roles"]]
    if as_json:
        echo_json({"default_catalog": str(default_catalog_path()), "layers": rows})
        return
    header = ["id", "title (zh / en)", "kind", "roles", "provenance", "crs", "features/WxH"]
    body = [
        [
            r["id"],
            _truncate(f"{r['title_zh']} / {r['title_en']}", TITLE_WIDTH),
            r["kind"],
            ",".join(r["roles"]),
            r["provenance"],
            r["crs"],
            _size_text(r),
        ]
        for r in rows
    ]
    for line in format_table(header, body):
        echo(line)
    n_illus = sum(r["provenance"] == "illustrative" for r in rows)
    echo(f"{len(rows)} layers" + (f" ({n_illus} illustrative: 示意数据, replace with official data)"
                                  if n_illus else ""))


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) if value else "-"
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items()) if value else "-"
    return " ".join(str(value).split())


@app.command("show")
def show(
    layer_id: Annotated[str, typer.Argument(metavar="ID", help="Layer id (see `layers list`).")],
    catalog: CatalogOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object on stdout.")] = False,
) -> None:
    """Show a layer's metadata, lon/lat bounds, attribute schema or raster info, source, licence."""
    cat = Catalog.load(catalog)
    info = cat.describe(layer_id)
    if as_json:
        echo_json(info)
        return
    echo(f"{info['id']}: {info['title_zh']} / {info['title_en']}")
    keys = ["kind", "path", "layer", "crs", "roles", "provenance", "vintage"]
    if info["kind"] == "vector":
        keys += ["features", "geometry_types", "repaired"]
    else:
        keys += ["size", "dtype", "nodata", "file_crs", "units", "categories"]
    keys += ["bounds_lonlat", "source", "licence", "notes", "encoding", "catalog_file"]
    for k in keys:
        v = info.get(k)
        if k == "categories" and v:
            echo("  categories:")
            for code, label in v.items():
                echo(f"    {code!s:>5}  {_fmt(label)}")
            continue
        if k in ("path", "catalog_file") and v:
            v = display_path(v)
        text = _fmt(v)
        if k == "bounds_lonlat" and v:
            text = "W {:.4f}  S {:.4f}  E {:.4f}  N {:.4f} (degrees, EPSG:4326)".format(*v)
        echo(f"  {k + ':':<15} {text}")
    if info["provenance"] == "illustrative":
        echo("  NOTE:           示意数据 / illustrative — replace with official data")
    schema = info.get("schema")
    if schema:
        echo("  attributes:")
        for line in format_table(["name", "dtype"], [[k, v] for k, v in schema.items()]):
            echo(f"    {line}")


@app.command("validate")
def validate_cmd(
    catalog: CatalogOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object on stdout.")] = False,
    rules: Annotated[Path | None, typer.Option(
        "--rules", metavar="FILE", dir_okay=False,
        help="User zoning rules overlaid on the default ones (their layer fields are checked)."
    )] = None,
) -> None:
    """Open and check every layer; exit 1 listing the problems if any.

    Checks: the file opens, the declared CRS is plausible for Ordos, geometries are
    valid (repairs are counted), the extent overlaps Ordos, the layer is not empty, and
    every layer field the zoning rules filter on exists (after the catalog's
    ``fields`` mapping).
    """
    from ordos_geo.zoning.rules import load_rules
    from ordos_geo.zoning.zones import ZoneSource, rule_field_problems

    cat = Catalog.load(catalog)
    report = cat.validate()
    ruleset = load_rules(user_path=rules) if rules is not None else load_rules()
    field_errors, field_notes = rule_field_problems(ZoneSource(cat), ruleset.rules)
    if as_json:
        echo_json(
            {
                "ok": report.ok and not field_errors,
                "rule_fields": {"errors": field_errors, "notes": field_notes},
                "layers": [
                    {"id": c.id, "status": c.status, "problems": list(c.problems),
                     "repaired": c.repaired, "features": c.features,
                     "size": list(c.size) if c.size else None,
                     "bounds_lonlat": list(c.bounds_lonlat) if c.bounds_lonlat else None}
                    for c in report.checks
                ],
            }
        )
    else:
        for line in report.lines():
            echo(line)
        for line in field_notes:  # diagnostics (with -v), not results
            logging.getLogger(__name__).info("%s", line)
        for line in field_errors:
            echo(f"ERROR {line}")
    if not report.ok:
        write_problems(report)
        raise typer.Exit(1)
    if field_errors:
        raise typer.Exit(1)


def register(root: typer.Typer) -> None:
    """Add the ``layers`` command group to the root app."""
    root.add_typer(app, name="layers")
