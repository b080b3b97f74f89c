"""The data shipped inside the package: default layers, analyses, rules, ledger, plan text.

Everything lives under ``ordos_geo/data/`` and is found with :mod:`importlib.resources`,
so an installed wheel works from any folder. Users override each piece: the default
catalog with ``$ORDOS_GEO_LAYERS`` (or add layers with ``--catalog``), the analyses with
``--config``, the rules with ``--rules``, the ledger with ``--ledger``.

Examples
--------
>>> (data_path("layers", "catalog.yaml")).name
'catalog.yaml'
>>> analysis_path("pv.yaml").is_file()
True
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

__all__ = ["EDITABLE_ANALYSES", "analysis_path", "data_path", "plan_text_path"]

#: The shipped analysis files a user copies to edit (``ordos-geo defaults --out DIR``).
EDITABLE_ANALYSES: tuple[str, ...] = (
    "pv.yaml", "wind.yaml", "eligibility_example.yaml", "zoning_rules.yaml",
    "capacity_ledger.csv",
)


def data_path(*parts: str) -> Path:
    """Path of a file or folder under the package's ``data/`` folder (may not exist)."""
    root = resources.files("ordos_geo").joinpath("data")
    # Wheels and editable installs unpack the package on disk: the traversable is a path.
    return Path(str(root.joinpath(*parts)))


def analysis_path(name: str) -> Path:
    """A shipped analysis file, e.g. ``pv.yaml``, ``zoning_rules.yaml`` or ``projects``."""
    return data_path("analyses", name)


def plan_text_path() -> Path:
    """The full Chinese text of 鄂环发〔2023〕76号 (the plan the rules quote)."""
    return data_path("analyses", "policy", "ordos-synergy-plan-2023.zh.txt")
