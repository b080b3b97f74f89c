"""Township (苏木乡镇) names and the banner each belongs to, for the LOC-1 location check.

No township boundaries exist offline, so the default check is by name: a declared
township (乡镇) names its banner, and a footprint outside that banner — or a declared
banner that is not the township's — contradicts the declaration. The list ships as
``ordos_geo/data/analyses/townships.csv`` (66 towns, 苏木, 乡 and the 街道 of 东胜 and
康巴什, recalled from the 统计用区划代码 and marked ``verify``; the 街道 of the banner seats
are not listed). A catalog layer ``townships`` (polygons with ``name_zh``) replaces the
name check with a real containment test (see :func:`~ordos_geo.zoning.screen.location_hits`).

Examples
--------
>>> table = read_townships()
>>> [t.banner_zh for t in lookup("树林召", table)]
['达拉特旗']
>>> lookup("火星镇", table)
[]
"""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from pathlib import Path

from ordos_geo.errors import LayerIOError
from ordos_geo.io.projects import normalise_id
from ordos_geo.resources import analysis_path

__all__ = ["DEFAULT_TOWNSHIPS", "SUFFIXES", "Township", "lookup", "match_names",
           "name_key", "read_townships"]

#: The shipped township list (names recalled, not read from an offline gazette: verify).
DEFAULT_TOWNSHIPS = analysis_path("townships.csv")
#: Suffixes a declaration may leave out ("树林召" for 树林召镇, "鄂托克" for 鄂托克旗).
SUFFIXES: tuple[str, ...] = ("镇", "苏木", "乡", "街道", "旗", "区", "市")
_COLUMNS = ("name_zh", "kind", "banner_adcode", "banner_zh")


@dataclass(frozen=True)
class Township:
    """One township-level division: its name, kind (镇/苏木/乡/街道) and banner."""

    name_zh: str
    kind: str
    banner_adcode: str
    banner_zh: str


def name_key(text: object) -> str:
    """A place name as compared: normalised (full-width, case) and without spaces.

    >>> name_key(" 树林召 镇 ")
    '树林召镇'
    """
    return normalise_id(text).replace(" ", "")


def match_names(declared: str, keys: list[str]) -> list[int]:
    """Indices of ``keys`` (name keys) that a declared name means.

    An exact match wins; then the name with one of :data:`SUFFIXES` added ("鄂托克" →
    鄂托克旗, never 鄂托克前旗); then a prefix, only when it is unambiguous.

    >>> match_names("鄂托克", ["鄂托克前旗", "鄂托克旗"])
    [1]
    >>> match_names("乌兰", ["乌兰镇", "乌兰木伦镇"])
    [0]
    >>> match_names("伊金", ["伊金霍洛旗"])
    [0]
    """
    d = name_key(declared)
    if not d:
        return []
    exact = [k for k, key in enumerate(keys) if key == d]
    if exact:
        return exact
    suffixed = [k for k, key in enumerate(keys) if any(key == d + s for s in SUFFIXES)]
    if suffixed:
        return suffixed
    prefix = [k for k, key in enumerate(keys) if key.startswith(d) or (key and d.startswith(key))]
    return prefix if len(prefix) == 1 else []


@functools.lru_cache(maxsize=4)
def read_townships(path: Path | None = None) -> tuple[Township, ...]:
    """The township list (default: :data:`DEFAULT_TOWNSHIPS`).

    Raises
    ------
    LayerIOError
        The file lacks a column ``name_zh``, ``kind``, ``banner_adcode`` or ``banner_zh``.
    """
    src = Path(path) if path is not None else DEFAULT_TOWNSHIPS
    with open(src, encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        missing = [c for c in _COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise LayerIOError(f"{src}: township list lacks column(s) {', '.join(missing)}; "
                             f"it needs {', '.join(_COLUMNS)}")
        return tuple(Township(*(str(row[c]).strip() for c in _COLUMNS)) for row in reader)


def lookup(name: str, table: tuple[Township, ...]) -> list[Township]:
    """The townships a declared name means (empty when the list does not know it)."""
    return [table[k] for k in match_names(name, [name_key(t.name_zh) for t in table])]
