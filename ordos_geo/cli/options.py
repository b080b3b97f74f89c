"""Shared CLI helpers: verbosity, logging to stderr, result printing.

There is no module-level state: :func:`ordos_geo.cli.main.main` creates one
:class:`CliState` per invocation and hands it to click as the context object
(``ctx.obj``); the root callback fills it from ``-v``/``-q``.
"""

from __future__ import annotations

import json
import logging
import sys
from dataclasses import dataclass
from typing import Any

import click

__all__ = ["CliState", "cli_state", "configure_logging", "echo", "echo_json", "progress_enabled"]


@dataclass
class CliState:
    """Options of one ``ordos-geo`` invocation, kept on the click context (``ctx.obj``).

    Attributes
    ----------
    verbose
        Number of ``-v`` flags (2 or more: debug logs and tracebacks).
    quiet
        ``-q``: only errors on stderr, no progress bars.
    """

    verbose: int = 0
    quiet: bool = False


def cli_state(ctx: click.Context | None = None) -> CliState:
    """The :class:`CliState` of the running command (a default one outside a command)."""
    ctx = ctx or click.get_current_context(silent=True)
    obj = ctx.find_object(CliState) if ctx is not None else None
    return obj if obj is not None else CliState()


def configure_logging(verbose: int, quiet: bool) -> None:
    """Send library logs to stderr; ``-v`` = INFO, ``-vv`` = DEBUG, ``-q`` = errors only."""
    level = logging.ERROR if quiet else (logging.DEBUG if verbose >= 2 else
                                         logging.INFO if verbose == 1 else logging.WARNING)
    root = logging.getLogger("ordos_geo")
    root.handlers.clear()
    h = logging.StreamHandler(sys.stderr)
    h.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root.addHandler(h)
    root.setLevel(level)
    logging.captureWarnings(True)
    wlog = logging.getLogger("py.warnings")
    wlog.handlers.clear()
    wlog.addHandler(h)
    wlog.setLevel(logging.ERROR if quiet else logging.WARNING)


def progress_enabled(ctx: click.Context | None = None) -> bool:
    """Progress bars (stderr) are on unless ``-q`` or stderr is not a terminal."""
    return not cli_state(ctx).quiet and sys.stderr.isatty()


def echo(text: str = "") -> None:
    """Print a result line on stdout."""
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def echo_json(obj: Any) -> None:
    """Print one JSON object on one stdout line (UTF-8, not ASCII-escaped)."""
    echo(json.dumps(obj, ensure_ascii=False, sort_keys=False, default=str))
