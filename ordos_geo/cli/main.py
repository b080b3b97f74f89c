"""Entry point of the ``ordos-geo`` command.

Exit codes: 0 success; 1 an :class:`~ordos_geo.errors.OrdosGeoError` (one line on
stderr; traceback only with ``-vv``); 2 usage error; 3 ``check --fail-on`` reached.
"""

from __future__ import annotations

import sys
import traceback
from typing import Annotated

import typer

from ordos_geo._version import __version__
from ordos_geo.cli.options import CliState, configure_logging
from ordos_geo.errors import OrdosGeoError

app = typer.Typer(
    name="ordos-geo",
    help="Zoning and siting analysis for Ordos (鄂尔多斯): layers, PV/wind siting, "
    "project screening, maps and reports.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"ordos-geo {__version__}\n")
        raise typer.Exit(0)


@app.callback()
def _root(
    ctx: typer.Context,
    verbose: Annotated[
        int,
        typer.Option(
            "-v", "--verbose", count=True, help="More logging on stderr (-vv: debug, tracebacks)."
        ),
    ] = 0,
    quiet: Annotated[
        bool, typer.Option("-q", "--quiet", help="Only errors on stderr; no progress bars.")
    ] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    state = ctx.ensure_object(CliState)
    state.verbose, state.quiet = verbose, quiet
    configure_logging(verbose, quiet)


def _register() -> None:
    # Each command module exposes register(app); imported here so `ordos-geo --help`
    # lists every command.
    from ordos_geo.cli import commands

    commands.register_all(app)


_register()


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; never shows a traceback for bad input unless ``-vv``."""
    args = list(sys.argv[1:] if argv is None else argv)
    state = CliState()  # filled by the root callback; one per invocation, no globals
    try:
        # standalone mode: usage errors -> exit 2 with usage text, typer.Exit -> its code
        app(args=args, prog_name="ordos-geo", standalone_mode=True, obj=state)
    except OrdosGeoError as exc:
        if state.verbose >= 2:
            traceback.print_exc()
        sys.stderr.write(f"ordos-geo: error: {exc}\n")
        sys.exit(1)
    except KeyboardInterrupt:
        sys.stderr.write("ordos-geo: interrupted\n")
        sys.exit(130)
    except Exception as exc:  # a bug: say so on one line, traceback with -vv
        if state.verbose >= 2:
            traceback.print_exc()
        sys.stderr.write(
            f"ordos-geo: internal error: {type(exc).__name__}: {exc} "
            "(this is a bug; rerun with -vv and report it)\n"
        )
        sys.exit(70)


if __name__ == "__main__":  # pragma: no cover
    main()
