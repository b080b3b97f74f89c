"""Registry of CLI command modules. Each module exposes ``register(app)``."""

from __future__ import annotations

import importlib

import typer

# Order = order in `ordos-geo --help`.
COMMAND_MODULES = [
    "ordos_geo.cli.run",
    "ordos_geo.cli.layers",
    "ordos_geo.cli.siting",
    "ordos_geo.cli.eligibility",
    "ordos_geo.cli.check",
    "ordos_geo.cli.map",
    "ordos_geo.cli.report",
    "ordos_geo.cli.serve",
    "ordos_geo.cli.defaults",
]


def register_all(app: typer.Typer) -> None:
    """Import each command module that exists and let it add its commands."""
    for name in COMMAND_MODULES:
        try:
            mod = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:  # command not built yet
                continue
            raise
        mod.register(app)
