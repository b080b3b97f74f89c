"""Shared CLI state and helpers: verbosity, logging to stderr, result printing."""

from __future__ import annotations

import json
import logging
import sys
from typing import Any

__all__ = ["STATE", "configure_logging", "echo", "echo_json", "progress_enabled"]


class _State:
    verbose: int = 0
    quiet: bool = False


STATE = _State()


def configure_logging(verbose: int, quiet: bool) -> None:
    """Send library logs to stderr; ``-v`` = INFO, ``-vv`` = DEBUG, ``-q`` = errors only."""
    STATE.verbose, STATE.quiet = verbose, quiet
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


def progress_enabled() -> bool:
    """Progress bars (stderr) are on unless ``-q`` or stderr is not a terminal."""
    return not STATE.quiet and sys.stderr.isatty()


def echo(text: str = "") -> None:
    """Print a result line on stdout."""
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def echo_json(obj: Any) -> None:
    """Print one JSON object on one stdout line (UTF-8, not ASCII-escaped)."""
    echo(json.dumps(obj, ensure_ascii=False, sort_keys=False, default=str))
