"""The files each command reads, passed explicitly to the output checks.

Every command builds its list here and hands it to
:class:`ordos_geo.io.results.ResultSet` (or ``check_output_path(inputs=...)``), so
no output can replace a catalog layer, a config, the rules, the ledger or a project
file, and no output folder is read back as input. Nothing is remembered between
commands.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ordos_geo.io.results import RESULT_FILES

__all__ = ["catalog_inputs", "expand", "result_inputs"]

PathLike = str | os.PathLike[str]


def expand(paths: Iterable[PathLike | None]) -> list[Path]:
    """``paths`` with every folder followed by the files directly inside it."""
    out: list[Path] = []
    for p in paths:
        if p is None:
            continue
        q = Path(p)
        out.append(q)
        if q.is_dir():
            out += sorted(f for f in q.iterdir() if f.is_file())
    return out


def catalog_inputs(catalog: Any, user_catalog: PathLike | None = None) -> list[Path]:
    """The catalog YAML files and every layer file of ``catalog``."""
    files = list(catalog.files()) if hasattr(catalog, "files") else []
    return files + ([Path(user_catalog)] if user_catalog is not None else [])


def result_inputs(results_dir: PathLike | None) -> list[Path]:
    """The result files present in ``results_dir`` (read by ``map`` and ``report``)."""
    if results_dir is None:
        return []
    d = Path(results_dir)
    names = [n.format(kind=k) for n in RESULT_FILES for k in ("pv", "wind")]
    return [d / n for n in dict.fromkeys(names) if (d / n).exists()]
