"""YAML loading and pydantic validation with one-line, located error messages.

Every YAML file the tool reads (layer catalogs, analyses, zoning rules, map options)
goes through :func:`load_yaml` and :func:`validate`, so a mistake is always reported
as one line naming the file, the line, the key path and what is expected::

    analyses/pv.yaml:14: factors[2].buffer_m: Input should be greater than or equal to 0 (got -50)
    layers/catalog.yaml:31: layers[3]: unknown key 'colour' (expected: id, title_zh, ...)

Models derive from :class:`StrictModel` (``extra="forbid"``): an unknown key is an
error, never silently ignored.
"""

from __future__ import annotations

import logging
import os
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar, Union

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from ordos_geo.errors import ConfigError

__all__ = [
    "Scalar",
    "StrictModel",
    "WhereSpec",
    "display_path",
    "filter_where",
    "format_loc",
    "load_yaml",
    "locate_line",
    "validate",
    "where_mask",
    "yaml_line_index",
]

log = logging.getLogger(__name__)

M = TypeVar("M", bound=BaseModel)

#: A scalar of a ``where`` filter value.
Scalar = str | int | float | bool
#: ``where:`` of a config: ``{field: value | [values]}`` (all fields must match).
WhereSpec = dict[str, Scalar | list[Scalar]]

#: A location inside a YAML document: keys (str) and sequence indices (int).
Loc = tuple[str | int, ...]

_MAX_GOT = 60


class StrictModel(BaseModel):
    """Base for every config model: unknown keys are errors, values are validated on assignment.

    Give every field a ``Field(description=...)``; the descriptions feed the docs and
    the ``expected:`` list of error messages.
    """

    # allow_inf_nan=False: `res_m: .inf` or `.nan` is an error naming the key, never a
    # grid of infinite cells or a comparison that is always false
    model_config = ConfigDict(extra="forbid", validate_assignment=True, allow_inf_nan=False)


def display_path(path: str | os.PathLike[str]) -> str:
    """Return ``path`` relative to the current folder when it lies inside it.

    Error messages then read ``analyses/pv.yaml`` rather than a long absolute path.
    """
    p = Path(path)
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(p)


def _read_text(path: Path) -> str:
    shown = display_path(path)
    if not path.exists():
        raise ConfigError(f"{shown}: file not found; check the path")
    if path.is_dir():
        raise ConfigError(f"{shown}: is a folder, not a YAML file; give the .yaml file")
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{shown}: not valid UTF-8 (byte {exc.start}); save the file as UTF-8"
        ) from exc
    except OSError as exc:
        raise ConfigError(f"{shown}: cannot read ({exc.strerror}); check permissions") from exc


def _compose(text: str, shown: str) -> tuple[Any, yaml.Node | None]:
    """Parse YAML text into (python data, node tree); syntax errors -> ConfigError."""
    try:
        loader = yaml.SafeLoader(text)  # the reader rejects control characters here
    except yaml.YAMLError as exc:
        what = " ".join(str(exc).split())
        raise ConfigError(
            f"{shown}: not a YAML text file ({what}); save the file as UTF-8 text"
        ) from exc
    try:
        node = loader.get_single_node()
        if node is None:
            return None, None
        _check_duplicate_keys(node, shown)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{shown}:{mark.line + 1}:{mark.column + 1}" if mark else shown
        what = " ".join(str(exc.problem or exc.context or "invalid YAML").split())
        raise ConfigError(f"{where}: YAML syntax error: {what}; fix the YAML syntax") from exc
    except yaml.YAMLError as exc:
        what = " ".join(str(exc).split())
        raise ConfigError(f"{shown}: YAML error: {what}; fix the YAML syntax") from exc
    except RecursionError as exc:  # e.g. [[[[...]]]] 20,000 deep
        raise ConfigError(f"{shown}: YAML nested too deeply (more than Python's recursion "
                          "limit); a config is a few levels deep: fix the file") from exc
    finally:
        loader.dispose()
    return data, node


def _check_duplicate_keys(node: yaml.Node, shown: str) -> None:
    # yaml.safe_load keeps the last of two equal keys silently; a config with a
    # repeated key almost always hides a mistake.
    stack: list[yaml.Node] = [node]
    seen_nodes: set[int] = set()
    while stack:
        n = stack.pop()
        if id(n) in seen_nodes:
            continue
        seen_nodes.add(id(n))
        if isinstance(n, yaml.MappingNode):
            keys: dict[str, int] = {}
            for k, v in n.value:
                if isinstance(k, yaml.ScalarNode) and k.tag != "tag:yaml.org,2002:merge":
                    line = k.start_mark.line + 1
                    if k.value in keys:
                        raise ConfigError(
                            f"{shown}:{line}: duplicate key '{k.value}' (first on line "
                            f"{keys[k.value]}); keep only one"
                        )
                    keys[k.value] = line
                stack.append(v)
        elif isinstance(n, yaml.SequenceNode):
            stack.extend(n.value)


def load_yaml(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read a YAML file whose top level is a mapping.

    Parameters
    ----------
    path
        YAML file (UTF-8, optional BOM).

    Returns
    -------
    dict
        The parsed mapping (``yaml.safe_load`` semantics; no Python tags).

    Raises
    ------
    ConfigError
        Missing or unreadable file, YAML syntax error (message has ``file:line:col``),
        duplicate key, or a top level that is not a mapping.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.yaml"
    >>> _ = p.write_text("version: 1\\nlayers: []\\n")
    >>> load_yaml(p)
    {'version': 1, 'layers': []}
    """
    p = Path(path)
    shown = display_path(p)
    data, _ = _compose(_read_text(p), shown)
    if data is None:
        raise ConfigError(f"{shown}: file is empty; expected a YAML mapping (key: value)")
    if not isinstance(data, dict):
        raise ConfigError(
            f"{shown}: top level is a {type(data).__name__}, expected a mapping (key: value)"
        )
    return data


def yaml_line_index(path: str | os.PathLike[str]) -> dict[Loc, int]:
    """Map every key path of a YAML file to its 1-based line number.

    Mapping entries map to the line of their key, sequence items to the line where
    the item starts; the root maps to line 1. Returns an empty dict if the file
    cannot be parsed.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.yaml"
    >>> _ = p.write_text("version: 1\\nlayers:\\n  - id: a\\n    kind: vector\\n")
    >>> yaml_line_index(p)[("layers", 0, "kind")]
    4
    """
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError, RecursionError):
        return {}
    index: dict[Loc, int] = {}
    if node is None:
        return index
    stack: list[tuple[Loc, yaml.Node, int]] = [((), node, 1)]
    depth_guard = 0
    while stack and depth_guard < 1_000_000:
        depth_guard += 1
        loc, n, line = stack.pop()
        index.setdefault(loc, line)
        if isinstance(n, yaml.MappingNode):
            for k, v in n.value:
                if isinstance(k, yaml.ScalarNode):
                    stack.append(((*loc, str(k.value)), v, k.start_mark.line + 1))
        elif isinstance(n, yaml.SequenceNode):
            for i, v in enumerate(n.value):
                stack.append(((*loc, i), v, v.start_mark.line + 1))
    return index


def locate_line(index: Mapping[Loc, int], loc: Sequence[str | int]) -> int | None:
    """Line of ``loc`` in ``index`` or of its nearest existing parent (None if unknown)."""
    norm: Loc = tuple(x if isinstance(x, int) else str(x) for x in loc)
    for n in range(len(norm), -1, -1):
        if norm[:n] in index:
            return index[norm[:n]]
    return None


def format_loc(loc: Sequence[str | int]) -> str:
    """Format a key path like pydantic's ``loc`` as ``factors[2].buffer_m``.

    Examples
    --------
    >>> format_loc(("factors", 2, "buffer_m"))
    'factors[2].buffer_m'
    >>> format_loc((0, "id"))
    '[0].id'
    """
    out = ""
    for item in loc:
        if isinstance(item, int):
            out += f"[{item}]"
        else:
            out += f".{item}" if out else str(item)
    return out


def _unwrap(tp: Any) -> Any:
    """Strip Annotated[...] and Optional[...] (a union with None)."""
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            tp = typing.get_args(tp)[0]
            continue
        if origin in (Union, types.UnionType):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            if len(args) == 1:
                tp = args[0]
                continue
        return tp


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _union_models(tp: Any) -> list[type[BaseModel]]:
    if typing.get_origin(tp) in (Union, types.UnionType):
        return [a for a in (_unwrap(x) for x in typing.get_args(tp)) if _is_model(a)]
    return []


def _literal_values(model: type[BaseModel]) -> set[str]:
    vals: set[str] = set()
    for f in model.model_fields.values():
        ann = _unwrap(f.annotation)
        if typing.get_origin(ann) is typing.Literal:
            vals.update(str(v) for v in typing.get_args(ann))
    return vals


def _walk(model_cls: type[BaseModel], loc: Sequence[Any]) -> tuple[Any, Loc]:
    """Follow ``loc`` through the model's annotations.

    Returns the type found at ``loc`` (or None when the walk fails) and ``loc`` with
    pydantic's union tags (member class names, discriminator values) removed, for display.
    """
    tp: Any = model_cls
    shown: list[str | int] = []
    items = list(loc)
    i = 0
    while i < len(items):
        item = items[i]
        tp = _unwrap(tp)
        members = _union_models(tp)
        if members:
            chosen = next((m for m in members if m.__name__ == item), None)
            if chosen is None:
                chosen = next((m for m in members if str(item) in _literal_values(m)), None)
            if chosen is not None:  # a union tag: consumes this loc item
                tp = chosen
                i += 1
                continue
            chosen = next((m for m in members if item in m.model_fields), None)
            if chosen is None:
                shown.extend(items[i:])
                return None, tuple(shown)
            tp = chosen
        if _is_model(tp):
            fields = tp.model_fields
            name = next(
                (n for n, f in fields.items() if n == item or f.alias == item), None
            )
            if name is None:
                shown.extend(items[i:])
                return None, tuple(shown)
            tp = fields[name].annotation
        else:
            origin = typing.get_origin(tp)
            args = typing.get_args(tp)
            if origin in (list, tuple, set, frozenset) and isinstance(item, int) and args:
                tp = args[0]
            elif origin is dict and len(args) == 2:
                tp = args[1]
            else:
                shown.extend(items[i:])
                return None, tuple(shown)
        shown.append(item)
        i += 1
    return _unwrap(tp), tuple(shown)


def _got(value: Any) -> str:
    if isinstance(value, bool | int | float | str) or value is None:
        text = repr(value)
    else:
        return ""
    if len(text) > _MAX_GOT:
        text = text[: _MAX_GOT - 1] + "…"
    return f" (got {text})"


def _describe(model_cls: type[BaseModel], err: Mapping[str, Any]) -> tuple[Loc, str, Loc]:
    """Return (display loc, message, loc for the line lookup) for one pydantic error."""
    raw: Loc = tuple(err.get("loc", ()))
    etype = err.get("type", "")
    msg = str(err.get("msg", "invalid value"))
    if etype == "extra_forbidden" and raw:
        parent_tp, shown = _walk(model_cls, raw[:-1])
        key = raw[-1]
        expected = ""
        if _is_model(parent_tp):
            names = [f.alias or n for n, f in parent_tp.model_fields.items()]
            expected = f" (expected: {', '.join(names)})"
        return shown, f"unknown key '{key}'{expected}", (*shown, key)
    if etype == "missing" and raw:
        _, shown = _walk(model_cls, raw[:-1])
        return shown, f"missing required key '{raw[-1]}'", shown
    _, shown = _walk(model_cls, raw)
    if etype in ("value_error", "assertion_error"):
        for prefix in ("Value error, ", "Assertion failed, "):
            if msg.startswith(prefix):
                msg = msg[len(prefix) :]
        return shown, msg, shown
    return shown, msg + _got(err.get("input")), shown


def _prune_union_branches(
    model_cls: type[BaseModel], errors: list[Any]
) -> list[Any]:
    """Drop errors of union members whose tag literal did not match (smart unions).

    Without a discriminator pydantic reports every member's errors; the member whose
    ``kind: Literal[...]`` failed is the wrong branch and only adds noise.
    """
    wrong: set[Loc] = set()
    for e in errors:
        loc = tuple(e.get("loc", ()))
        if e.get("type") == "literal_error" and len(loc) >= 2:
            branch = loc[:-1]
            if len(_walk(model_cls, branch)[1]) < len(branch) and _walk(
                model_cls, branch[:-1]
            )[1] == _walk(model_cls, branch)[1]:
                wrong.add(branch)
    if not wrong:
        return errors
    kept = [
        e for e in errors
        if not any(tuple(e.get("loc", ()))[: len(b)] == b for b in wrong)
    ]
    return kept or errors


def validate(
    model_cls: type[M],
    data: Any,
    path: str | os.PathLike[str],
    *,
    context: dict[str, Any] | None = None,
) -> M:
    """Validate ``data`` (usually from :func:`load_yaml`) against ``model_cls``.

    Parameters
    ----------
    model_cls
        A pydantic model, normally a :class:`StrictModel` subclass.
    data
        The parsed YAML content.
    path
        The file the data came from; named in errors and used to find line numbers.
    context
        Passed to pydantic validators (``info.context``).

    Returns
    -------
    model_cls
        The validated model.

    Raises
    ------
    ConfigError
        One line: ``file:line: key.path: what is wrong (got value)`` for the first
        error, followed by ``(and N more)`` when there are several.

    Examples
    --------
    >>> from pydantic import Field
    >>> class Factor(StrictModel):
    ...     buffer_m: float = Field(ge=0, description="buffer distance, metres")
    >>> try:
    ...     validate(Factor, {"buffer_m": -50}, "pv.yaml")
    ... except ConfigError as exc:
    ...     print(exc)
    pv.yaml: buffer_m: Input should be greater than or equal to 0 (got -50)
    """
    try:
        return model_cls.model_validate(data, context=context)
    except ValidationError as exc:
        errors = _prune_union_branches(model_cls, list(exc.errors(include_url=False)))
        shown_path = display_path(path)
        if not errors:  # pragma: no cover - pydantic always reports at least one
            raise ConfigError(f"{shown_path}: invalid configuration") from exc
        loc, msg, raw = _describe(model_cls, errors[0])
        line = None
        if Path(path).is_file():
            line = locate_line(yaml_line_index(path), raw)
        where = f"{shown_path}:{line}" if line is not None else shown_path
        key = format_loc(loc)
        text = f"{where}: {key}: {msg}" if key else f"{where}: {msg}"
        if len(errors) > 1:
            text += f" (and {len(errors) - 1} more)"
        raise ConfigError(text) from exc


# --------------------------------------------------------------------------------------
# the one ``where`` filter (eligibility, siting, zoning)
# --------------------------------------------------------------------------------------
_TRUE = frozenset({"true", "1", "yes", "是", "1.0"})
_FALSE = frozenset({"false", "0", "no", "否", "0.0"})


def _as_bool(x: Any) -> bool | None:
    """``True``/``False`` for true/false/1/0/yes/no/是/否 (any type), else ``None``."""
    if x is None or (isinstance(x, float) and x != x):
        return None
    if isinstance(x, bool) or type(x).__name__ == "bool_":
        return bool(x)
    t = str(x).strip().lower()
    return True if t in _TRUE else False if t in _FALSE else None


def _as_number(x: Any) -> float | None:
    """The number ``x`` holds (``"150602"`` → 150602.0); ``None`` for text or NaN."""
    if x is None or isinstance(x, bool) or type(x).__name__ == "bool_":
        return None
    try:
        v = float(str(x).strip()) if isinstance(x, str) else float(x)
    except (TypeError, ValueError):
        return None
    return None if v != v else v


def _is_bool(x: Any) -> bool:
    return isinstance(x, bool) or type(x).__name__ == "bool_"


def _matches(x: Any, wanted: Scalar) -> bool:
    """One field value ``x`` against one ``where`` value (typed, see :func:`where_mask`)."""
    if _is_bool(wanted):
        return _as_bool(x) is bool(wanted)
    num = _as_number(wanted)
    if num is not None:
        v = _as_number(x)
        if v is not None:
            return v == num
        # 1/0 against a boolean field (True/False, 是/否, yes/no)
        return num in (0.0, 1.0) and _as_bool(x) is (num == 1.0)
    w = str(wanted).strip()
    b = _as_bool(w)
    if b is not None:  # true/false/yes/no/是/否
        return _as_bool(x) is b
    if x is None or (isinstance(x, float) and x != x):
        return False
    return str(x).strip() == w


def where_mask(
    df: Any,
    where: Mapping[str, Any] | None,
    *,
    layer: str,
    loc: str | Callable[[str], str],
    fix: str = "fix the field name in where",
    error: type[Exception] = ConfigError,
    hidden: Sequence[str] = ("geometry", "_layer"),
) -> Any:
    """Boolean array: rows of ``df`` matching ``where`` (every field; a list = any of).

    Typed comparison, whatever the storage type of the field: numbers compare
    numerically (``"150602"`` equals ``150602.0``), booleans accept
    true/false/1/0/yes/no/是/否, strings compare trimmed.

    Parameters
    ----------
    df
        A (Geo)DataFrame.
    where
        ``{field: value | [values]}``; ``None`` or empty keeps every row.
    layer, loc
        Layer id and config location named in the error message (``loc`` may be a
        function of the missing field, e.g. ``lambda f: f"cfg.yaml:3: where.{f}"``).
    fix, error, hidden
        Fix advice and error class of the missing-field error; columns not listed.

    Raises
    ------
    ConfigError
        (or ``error``) one line naming ``loc``, the layer, the field, the fields that
        exist and the fix, when a field is missing.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"adcode": [150602.0, 150603.0], "mengxi": [1, 0]})
    >>> where_mask(df, {"adcode": "150602"}, layer="banners", loc="cfg").tolist()
    [True, False]
    >>> where_mask(df, {"mengxi": True}, layer="banners", loc="cfg").tolist()
    [True, False]
    """
    import numpy as np

    keep = np.ones(len(df), dtype=bool)
    for fld, val in (where or {}).items():
        if fld not in df.columns:
            cols = ", ".join(str(c) for c in df.columns if c not in hidden)
            at = loc(fld) if callable(loc) else loc
            raise error(
                f"{at}: layer '{layer}' has no field '{fld}' (fields: {cols}); {fix}"
            )
        wanted = val if isinstance(val, list) else [val]
        col = df[fld].to_numpy(dtype=object)
        hit = np.zeros(len(df), dtype=bool)
        for w in wanted:
            hit |= np.fromiter((_matches(x, w) for x in col), dtype=bool, count=len(col))
        keep &= hit
    return keep


def filter_where(df: Any, where: Mapping[str, Any] | None, *, layer: str,
                 loc: str | Callable[[str], str],
                 fix: str = "fix the field name in where") -> Any:
    """Rows of ``df`` matching ``where`` (see :func:`where_mask`)."""
    if not where:
        return df
    return df[where_mask(df, where, layer=layer, loc=loc, fix=fix)]
