"""Value functions, AHP weights and the weighted score (ordos_geo.siting.criteria/suitability)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from ordos_geo.errors import ConfigError
from ordos_geo.siting.config import PreferenceSpec, SitingConfig, load_siting_config
from ordos_geo.siting.criteria import (
    ahp_weights,
    categorical,
    distance_decay,
    linear,
    piecewise,
)
from ordos_geo.siting.suitability import NODATA, FactorLayers, classify, weighted_score

# Saaty, T. L. (2008) "Decision making with the analytic hierarchy process",
# Int. J. Services Sciences 1(1):83-98, table 1 ("Which drink is consumed more in the
# U.S.?"): pairwise judgements and the derived priorities printed in the paper.
DRINKS = ["coffee", "wine", "tea", "beer", "sodas", "milk", "water"]
DRINKS_MATRIX = [
    [1, 9, 5, 2, 1, 1, 1 / 2],
    [1 / 9, 1, 1 / 3, 1 / 9, 1 / 9, 1 / 9, 1 / 9],
    [1 / 5, 3, 1, 1 / 3, 1 / 4, 1 / 3, 1 / 9],
    [1 / 2, 9, 3, 1, 1 / 2, 1, 1 / 3],
    [1, 9, 4, 2, 1, 2, 1 / 2],
    [1, 9, 3, 1, 1 / 2, 1, 1 / 3],
    [2, 9, 9, 3, 2, 3, 1],
]
DRINKS_PUBLISHED = [0.177, 0.019, 0.042, 0.116, 0.190, 0.129, 0.327]


def test_ahp_reproduces_saaty_2008_drinks_example() -> None:
    w, cr = ahp_weights(DRINKS_MATRIX)
    np.testing.assert_allclose(w, DRINKS_PUBLISHED, atol=0.0006)
    # λmax = 7.177 → CI = 0.0294, RI(7) = 1.32 (Saaty) → CR ≈ 0.022: acceptable
    assert cr == pytest.approx(0.0223, abs=0.0005)


def test_ahp_consistent_matrix_recovers_weights_with_zero_cr() -> None:
    true = np.array([0.5, 0.25, 0.15, 0.1])
    m = true[:, None] / true[None, :]
    w, cr = ahp_weights(m.tolist())
    np.testing.assert_allclose(w, true, atol=1e-9)
    assert cr == pytest.approx(0.0, abs=1e-9)


def test_ahp_rejects_non_reciprocal_matrix() -> None:
    with pytest.raises(ConfigError, match=r"not reciprocal at \[0\]\[1\]"):
        ahp_weights([[1, 3, 1], [3, 1, 1], [1, 1, 1]])


def _ahp_config(matrix: list[list[float]]) -> dict:
    return {
        "kind": "pv",
        "factors": [
            {"name": n, "input": "resource", "transform": "linear", "params": {"lo": 0, "hi": 1}}
            for n in ("a", "b", "c")
        ],
        "weights": {"method": "ahp", "matrix": matrix},
    }


def test_inconsistent_ahp_matrix_is_config_error_with_cr(tmp_path) -> None:
    # a > b (9), b > c (9) but c > a (9): circular judgements
    p = tmp_path / "bad.yaml"
    p.write_text(
        "kind: pv\n"
        "factors:\n"
        + "".join(
            f"  - {{name: {n}, input: resource, transform: linear, params: {{lo: 0, hi: 1}}}}\n"
            for n in ("a", "b", "c")
        )
        + "weights:\n  method: ahp\n  matrix:\n"
        "    - [1, 9, 1/9]\n    - [1/9, 1, 9]\n    - [9, 1/9, 1]\n",
        encoding="utf-8",
    )
    cfg = load_siting_config(p)  # fractions like 1/9 are accepted
    with pytest.raises(ConfigError) as ei:
        cfg.factor_weights(path=str(p))
    msg = str(ei.value)
    assert "bad.yaml" in msg and "weights.matrix" in msg and "CR = " in msg
    cr = float(msg.split("CR = ")[1].split()[0])
    assert cr >= 0.1
    assert "\n" not in msg


def test_ahp_matrix_shape_is_checked() -> None:
    with pytest.raises(ValueError, match="3×3"):
        SitingConfig.model_validate(_ahp_config([[1, 2], [0.5, 1]]))


def test_value_functions() -> None:
    v = np.array([0.0, 5.0, 10.0, 20.0, np.nan], dtype="float32")
    np.testing.assert_allclose(linear(v, lo=0, hi=10)[:4], [0, 50, 100, 100])
    np.testing.assert_allclose(linear(v, lo=10, hi=0)[:4], [100, 50, 0, 0])
    assert np.isnan(linear(v, lo=0, hi=10)[4])
    pw = piecewise(v, points=[[0, 0], [10, 80], [20, 100]])
    np.testing.assert_allclose(pw[:4], [0, 40, 80, 100])
    assert np.isnan(pw[4])
    cat = categorical(np.array([16, 10, 3]), scores={16: 100, 10: 40}, default=5)
    np.testing.assert_allclose(cat, [100, 40, 5])
    d = distance_decay(np.array([0.0, 1000.0, 2000.0]), half_distance_m=1000)
    np.testing.assert_allclose(d, [100, 50, 25], rtol=1e-6)
    far = distance_decay(np.array([0.0, 1000.0]), half_distance_m=1000, near_is_good=False)
    np.testing.assert_allclose(far, [0, 50], rtol=1e-6)


def test_piecewise_rejects_unsorted_points() -> None:
    with pytest.raises(ConfigError, match="strictly increasing"):
        piecewise(np.zeros(3), points=[[5, 0], [1, 100]])


@settings(max_examples=60, deadline=None)
@given(
    w=st.lists(st.floats(0.01, 10), min_size=1, max_size=4),
    data=st.data(),
    bonus=st.floats(0, 50),
    mult=st.floats(0, 3),
)
def test_scores_stay_within_0_100(w, data, bonus, mult) -> None:
    shape = (6, 7)
    k = len(w)
    scores = [data.draw(arrays(np.uint8, shape, elements=st.sampled_from(
        [*range(0, 101, 7), 100, NODATA]))) for _ in range(k)]
    reasons = data.draw(arrays(np.uint8, shape, elements=st.sampled_from([0, 0, 0, 1, 2, 255])))
    pref = data.draw(arrays(np.bool_, shape))
    fl = FactorLayers([f"f{i}" for i in range(k)], scores, [50.0] * k)
    prefs = [PreferenceSpec(name="z", layer="z", mode="bonus", value=bonus),
             PreferenceSpec(name="m", layer="m", mode="multiplier", value=mult)]
    wn = np.asarray(w) / np.sum(w)
    s = weighted_score(fl, wn, reasons, prefs=prefs, pref_masks={"z": pref, "m": ~pref},
                       block_rows=4)
    inside = reasons != 255
    assert s.dtype == np.uint8
    assert np.all(s[inside] <= 100)
    assert np.all(s[~inside] == NODATA)
    assert np.all(s[(reasons != 0) & inside] == 0)
    cls = classify(s, reasons, [40, 60, 80])
    assert set(np.unique(cls[inside])) <= {0, 1, 2, 3, 4}


def test_weighted_score_is_the_weighted_mean_without_preferences() -> None:
    a = np.array([[0, 100], [50, NODATA]], dtype=np.uint8)
    b = np.array([[100, 100], [0, 20]], dtype=np.uint8)
    reasons = np.zeros((2, 2), dtype=np.uint8)
    fl = FactorLayers(["a", "b"], [a, b], [10.0, 0.0])
    s = weighted_score(fl, np.array([0.75, 0.25]), reasons)
    # NODATA in a → missing_score 10: 0.75*10 + 0.25*20 = 12.5 → 12 (round half even)
    assert s.tolist() == [[25, 100], [38, 12]]


def test_missing_transform_parameter_is_located_config_error() -> None:
    from ordos_geo.grid import Grid
    from ordos_geo.siting.config import FactorSpec
    from ordos_geo.siting.suitability import LayerReader, evaluate_factors

    grid = Grid.from_bounds((0, 0, 1000, 1000), res_m=100, crs="EPSG:32649")
    f = FactorSpec(name="y", input="resource", transform="linear", params={"lo": 1}, weight=1)
    with pytest.raises(ConfigError, match=r"pv.yaml: factors\[0\]\.params: linear needs 'hi'"):
        evaluate_factors([f], LayerReader(None, grid), resource=lambda _v: np.ones(grid.shape),
                         where_prefix="pv.yaml: factors")
    ok = FactorSpec(name="y", input="resource", transform="linear",
                    params={"lo": 0, "hi": 2}, weight=1)
    fl = evaluate_factors([ok], LayerReader(None, grid), resource=lambda _v: np.ones(grid.shape))
    assert fl.scores[0].dtype == np.uint8 and (fl.scores[0] == 50).all()
