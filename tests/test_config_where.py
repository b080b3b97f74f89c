"""The one typed ``where`` filter (:func:`ordos_geo.config.where_mask`)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ordos_geo.config import filter_where, where_mask
from ordos_geo.errors import ConfigError, RuleError


@pytest.fixture
def df() -> pd.DataFrame:
    return pd.DataFrame({
        "adcode_f": [150602.0, 150603.0, np.nan],
        "adcode_s": ["150602", " 150603 ", None],
        "adcode_i": [150602, 150603, 150621],
        "flag_i": [1, 0, 1],
        "flag_b": [True, False, True],
        "flag_zh": ["是", "否", " 是 "],
        "name": ["  Dongsheng", "Kangbashi ", "Dalad"],
    })


def _m(df: pd.DataFrame, where: dict) -> list[bool]:
    return where_mask(df, where, layer="banners", loc="cfg.yaml:3: region").tolist()


@pytest.mark.parametrize("field", ["adcode_f", "adcode_s", "adcode_i"])
@pytest.mark.parametrize("value", ["150602", 150602, 150602.0, " 150602 "])
def test_numbers_compare_numerically_whatever_the_storage(df: pd.DataFrame, field: str,
                                                          value: object) -> None:
    assert _m(df, {field: value}) == [True, False, False]


@pytest.mark.parametrize("field", ["flag_i", "flag_b", "flag_zh"])
@pytest.mark.parametrize("value", [True, "true", "yes", "是", 1, "1"])
def test_booleans_accept_true_1_yes_shi(df: pd.DataFrame, field: str, value: object) -> None:
    assert _m(df, {field: value}) == [True, False, True]


@pytest.mark.parametrize("value", [False, "false", "no", "否", 0])
def test_false_values(df: pd.DataFrame, value: object) -> None:
    for field in ("flag_i", "flag_b", "flag_zh"):
        assert _m(df, {field: value}) == [False, True, False], field


def test_strings_compare_trimmed(df: pd.DataFrame) -> None:
    assert _m(df, {"name": "Dongsheng"}) == [True, False, False]
    assert _m(df, {"name": " Kangbashi"}) == [False, True, False]
    assert _m(df, {"name": "dongsheng"}) == [False, False, False]  # case matters


def test_list_means_any_of_and_fields_combine_with_and(df: pd.DataFrame) -> None:
    assert _m(df, {"adcode_f": ["150603", 150602]}) == [True, True, False]
    assert _m(df, {"adcode_f": ["150603", 150602], "flag_i": True}) == [True, False, False]
    assert _m(df, {}) == [True, True, True]
    assert len(filter_where(df, {"name": ["Dalad", "x"]}, layer="b", loc="c")) == 1


def test_missing_values_never_match(df: pd.DataFrame) -> None:
    assert _m(df, {"adcode_f": "nan"}) == [False, False, False]
    assert _m(df, {"adcode_s": "None"}) == [False, False, False]


def test_missing_field_is_one_line_naming_layer_field_fields_and_fix(df: pd.DataFrame) -> None:
    with pytest.raises(ConfigError) as exc:
        _m(df, {"adcod": 150602})
    msg = str(exc.value)
    assert "\n" not in msg
    assert msg.startswith("cfg.yaml:3: region: layer 'banners' has no field 'adcod' (fields: ")
    assert "adcode_f, adcode_s" in msg and msg.endswith("fix the field name in where")
    with pytest.raises(RuleError, match=r"rules.yaml: rule R1\.where\.x: layer 'l' has no "
                       r"field 'x'.*; fix spatial.where$"):
        where_mask(df, {"x": 1}, layer="l", loc=lambda f: f"rules.yaml: rule R1.where.{f}",
                   fix="fix spatial.where", error=RuleError)
