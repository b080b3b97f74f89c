"""Document model of the static report: text runs, tables, sections, number formatting.

One model, two renderers (:mod:`ordos_geo.report.render`): HTML and PDF show the
same strings and numbers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ordos_geo.i18n import Lang
from ordos_geo.report.text import COLUMN_NAMES

__all__ = ["Run", "Section", "Table", "cell", "df_table", "flatten", "fmt_number",
           "get_first", "is_num", "num_run"]



@dataclass
class Run:
    """A piece of text. ``data`` marks values from data files (names, citations, numbers).

    ``value`` holds the raw number shown (rendered as ``data-value`` in HTML) and
    ``key`` a stable identifier (``data-key``) so tests can find it.
    """

    text: str
    data: bool = False
    value: float | None = None
    key: str | None = None


@dataclass
class Table:
    """A table: ``columns`` are captions (never data), cells are :class:`Run`."""

    key: str
    caption: str
    columns: list[str]
    rows: list[list[Run]]
    numeric: list[bool] = field(default_factory=list)


@dataclass
class Section:
    """A report section: title, paragraphs (lists of runs), tables, figure keys."""

    key: str
    title: str
    paragraphs: list[list[Run]] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    figures: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def fmt_number(v: float) -> str:
    """Thousands separators, 2 decimals (4 significant digits below 1), no trailing zeros.

    Examples
    --------
    >>> fmt_number(1250.0), fmt_number(31.256), fmt_number(-0.0037)
    ('1,250', '31.26', '-0.0037')
    """
    if isinstance(v, bool):
        return str(v)
    if float(v).is_integer():
        return f"{int(v):,}"
    if abs(v) < 1:
        return f"{v:.4g}"
    return f"{v:,.2f}".rstrip("0").rstrip(".")


def is_num(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(float(v))


def num_run(v: Any, key: str | None = None) -> Run:
    """A numeric run with its raw value (``—`` for missing)."""
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return Run("—", data=True, key=key)
    try:
        f = float(v)
    except (TypeError, ValueError):
        return Run(str(v), data=True, key=key)
    return Run(fmt_number(f), data=True, value=f, key=key)


def cell(v: Any, key: str | None = None) -> Run:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return Run("—", data=True)
    if isinstance(v, bool):
        return Run("✓" if v else "–", data=True)
    if hasattr(v, "item") and not isinstance(v, str):  # numpy scalar
        v = v.item()
    if is_num(v):
        return num_run(v, key)
    return Run(str(v), data=True, key=key)


def df_table(df: pd.DataFrame, key: str, caption: str, lang: Lang,
             preferred: Sequence[str] = (), *, key_col: str | None = None,
             max_rows: int | None = None) -> Table:
    """A :class:`Table` from ``df``: the ``preferred`` columns that exist (else all).

    ``key_col`` names the column whose value, with the column name, forms each
    numeric cell's ``data-key`` (``<key>.<row id>.<column>``).
    """
    cols = [c for c in preferred if c in df.columns] or [c for c in df.columns
                                                         if c != "geometry"]
    body = df if max_rows is None else df.head(max_rows)
    rows = []
    for _, r in body.iterrows():
        rid = str(r[key_col]) if key_col and key_col in df.columns else None
        rows.append([cell(r[c], f"{key}.{rid}.{c}" if rid is not None else None) for c in cols])
    numeric = [bool(pd.api.types.is_numeric_dtype(df[c]) and not
                    pd.api.types.is_bool_dtype(df[c])) for c in cols]
    return Table(key, caption, [COLUMN_NAMES.get(c, {}).get(lang, c) for c in cols], rows,
                 numeric)


def get_first(d: dict[str, Any] | None, *keys: str) -> Any:
    for k in keys:
        if d and k in d and d[k] is not None:
            return d[k]
    return None


def flatten(prefix: str, obj: Any) -> list[tuple[str, Any]]:
    if isinstance(obj, dict):
        out: list[tuple[str, Any]] = []
        for k, v in obj.items():
            out.extend(flatten(f"{prefix}.{k}" if prefix else str(k), v))
        return out
    if isinstance(obj, list) and obj and all(isinstance(x, dict) for x in obj):
        out = []
        for i, v in enumerate(obj):
            out.extend(flatten(f"{prefix}[{i}]", v))
        return out
    return [(prefix, obj)]
