"""YAML loading and pydantic validation: one-line errors naming file, line and key."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import Field

from ordos_geo.config import (
    StrictModel,
    format_loc,
    load_yaml,
    locate_line,
    validate,
    yaml_line_index,
)
from ordos_geo.errors import ConfigError


class Factor(StrictModel):
    name: str = Field(description="factor name")
    buffer_m: float = Field(default=0, ge=0, description="buffer distance, metres")


class Distance(StrictModel):
    kind: Literal["distance"] = Field(description="tag")
    max_m: float = Field(gt=0, description="metres")


class Linear(StrictModel):
    kind: Literal["linear"] = Field(description="tag")
    lo: float = Field(description="low")


class Analysis(StrictModel):
    name: str = Field(description="analysis name")
    factors: list[Factor] = Field(description="factors")
    value_fn: Distance | Linear | None = Field(default=None, description="value function")
    weights: dict[str, float] = Field(default_factory=dict, description="weights")


PV_YAML = """\
name: pv
factors:
  - name: slope
    buffer_m: 0
  - name: roads
  - name: rivers
    buffer_m: -50
"""


def _write(tmp_path: Path, text: str, name: str = "pv.yaml") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def _one_line(exc: pytest.ExceptionInfo[ConfigError]) -> str:
    msg = str(exc.value)
    assert "\n" not in msg
    return msg


def test_load_yaml_returns_mapping(tmp_path: Path) -> None:
    p = _write(tmp_path, PV_YAML)
    data = load_yaml(p)
    assert data["name"] == "pv"
    assert data["factors"][2] == {"name": "rivers", "buffer_m": -50}


def test_load_yaml_accepts_bom_and_chinese(tmp_path: Path) -> None:
    p = tmp_path / "zh.yaml"
    p.write_bytes("\ufefftitle_zh: 鄂尔多斯\n".encode())
    assert load_yaml(p) == {"title_zh": "鄂尔多斯"}


def test_missing_file_names_path(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as exc:
        load_yaml(tmp_path / "nope.yaml")
    assert "nope.yaml" in _one_line(exc)
    assert "not found" in str(exc.value)


def test_syntax_error_has_line_and_column(tmp_path: Path) -> None:
    p = _write(tmp_path, "name: pv\nfactors:\n  - name: a\n   bad: [1, 2\n")
    with pytest.raises(ConfigError) as exc:
        load_yaml(p)
    msg = _one_line(exc)
    assert msg.startswith(f"{p}:") or msg.startswith("pv.yaml:") or "pv.yaml:" in msg
    # file:line:col, line within the file's 4 lines
    loc = msg.split("pv.yaml:", 1)[1].split(":")
    assert 1 <= int(loc[0]) <= 5 and int(loc[1]) >= 1
    assert "YAML syntax error" in msg


@pytest.mark.parametrize("text", ["- a\n- b\n", "42\n", "just text\n"])
def test_top_level_must_be_mapping(tmp_path: Path, text: str) -> None:
    p = _write(tmp_path, text)
    with pytest.raises(ConfigError, match="expected a mapping"):
        load_yaml(p)


def test_empty_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="empty"):
        load_yaml(_write(tmp_path, "# only a comment\n"))


def test_duplicate_key_is_error(tmp_path: Path) -> None:
    p = _write(tmp_path, "name: a\nfactors: []\nname: b\n")
    with pytest.raises(ConfigError) as exc:
        load_yaml(p)
    msg = _one_line(exc)
    assert "pv.yaml:3: duplicate key 'name' (first on line 1)" in msg


def test_non_utf8_file(tmp_path: Path) -> None:
    p = tmp_path / "gbk.yaml"
    p.write_bytes("name: 鄂尔多斯\n".encode("gbk"))
    with pytest.raises(ConfigError, match="UTF-8"):
        load_yaml(p)


def test_validate_value_error_with_line_and_got(tmp_path: Path) -> None:
    p = _write(tmp_path, PV_YAML)
    with pytest.raises(ConfigError) as exc:
        validate(Analysis, load_yaml(p), p)
    msg = _one_line(exc)
    assert msg.endswith(
        "pv.yaml:7: factors[2].buffer_m: Input should be greater than or equal to 0 (got -50)"
    )


def test_validate_unknown_key_lists_expected(tmp_path: Path) -> None:
    p = _write(tmp_path, PV_YAML.replace("  - name: roads\n", "  - name: roads\n    colour: red\n"))
    with pytest.raises(ConfigError) as exc:
        validate(Analysis, load_yaml(p), p)
    msg = _one_line(exc)
    assert "pv.yaml:6: factors[1]: unknown key 'colour' (expected: name, buffer_m)" in msg
    # the second error (buffer_m -50) is counted, not printed
    assert msg.endswith("(and 1 more)")


def test_validate_missing_key_points_at_parent(tmp_path: Path) -> None:
    p = _write(tmp_path, "name: pv\nfactors:\n  - buffer_m: 5\n")
    with pytest.raises(ConfigError) as exc:
        validate(Analysis, load_yaml(p), p)
    assert "pv.yaml:3: factors[0]: missing required key 'name'" in _one_line(exc)


def test_validate_wrong_type(tmp_path: Path) -> None:
    p = _write(tmp_path, "name: pv\nfactors: {a: 1}\n")
    with pytest.raises(ConfigError) as exc:
        validate(Analysis, load_yaml(p), p)
    msg = _one_line(exc)
    assert "pv.yaml:2: factors: Input should be a valid list" in msg


def test_validate_union_tag_is_hidden_and_expected_keys_from_member(tmp_path: Path) -> None:
    p = _write(tmp_path, "name: pv\nfactors: []\nvalue_fn:\n  kind: distance\n  max_m: -1\n")
    with pytest.raises(ConfigError) as exc:
        validate(Analysis, load_yaml(p), p)
    msg = _one_line(exc)
    assert msg.endswith("pv.yaml:5: value_fn.max_m: Input should be greater than 0 (got -1)")

    p = _write(tmp_path, "name: pv\nfactors: []\nvalue_fn:\n  kind: linear\n  lo: 1\n  hi: 2\n")
    with pytest.raises(ConfigError) as exc:
        validate(Analysis, load_yaml(p), p)
    msg = _one_line(exc)
    assert "value_fn: unknown key 'hi' (expected: kind, lo)" in msg


def test_validate_without_file_has_no_line() -> None:
    with pytest.raises(ConfigError) as exc:
        validate(Factor, {"name": "a", "buffer_m": "far"}, "inline.yaml")
    msg = _one_line(exc)
    assert msg.startswith("inline.yaml: buffer_m: Input should be a valid number")
    assert "(got 'far')" in msg


def test_validate_ok_returns_model(tmp_path: Path) -> None:
    p = _write(tmp_path, "name: pv\nfactors:\n  - name: a\n    buffer_m: 10\n")
    model = validate(Analysis, load_yaml(p), p)
    assert model.factors[0].buffer_m == 10.0


def test_long_input_is_truncated() -> None:
    with pytest.raises(ConfigError) as exc:
        validate(Factor, {"name": "a", "buffer_m": "x" * 500}, "a.yaml")
    assert len(str(exc.value)) < 200


def test_line_index_and_locate(tmp_path: Path) -> None:
    p = _write(tmp_path, PV_YAML)
    idx = yaml_line_index(p)
    assert idx[()] == 1
    assert idx[("factors",)] == 2
    assert idx[("factors", 1)] == 5
    assert idx[("factors", 2, "buffer_m")] == 7
    assert locate_line(idx, ("factors", 1, "nope")) == 5
    assert yaml_line_index(tmp_path / "missing.yaml") == {}


def test_format_loc() -> None:
    assert format_loc(("layers", 3, "crs")) == "layers[3].crs"
    assert format_loc(()) == ""


_keys = st.text(alphabet="abcdefgh_", min_size=1, max_size=6)
_leaf = st.one_of(st.integers(-5, 5), st.text(alphabet="xyz 鄂尔多斯", max_size=5), st.none())
_docs = st.recursive(
    _leaf,
    lambda inner: st.one_of(
        st.lists(inner, min_size=1, max_size=3),
        st.dictionaries(_keys, inner, min_size=1, max_size=3),
    ),
    max_leaves=12,
)


def _paths(obj: object, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(obj, dict):
        for k, v in obj.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            out += _paths(v, (*prefix, i))
    return out


@settings(max_examples=40, deadline=None)
@given(doc=st.dictionaries(_keys, _docs, min_size=1, max_size=4))
def test_line_index_covers_every_path(tmp_path_factory: pytest.TempPathFactory, doc: dict) -> None:
    """Every key path of a YAML document has a line, in document order."""
    import yaml

    p = tmp_path_factory.mktemp("h") / "doc.yaml"
    p.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    idx = yaml_line_index(p)
    paths = _paths(doc)
    n_lines = len(p.read_text(encoding="utf-8").splitlines())
    lines = [idx[path] for path in paths]  # KeyError = a path without a line
    assert all(1 <= ln <= n_lines for ln in lines)
    assert lines == sorted(lines)  # depth-first order = line order in block style
