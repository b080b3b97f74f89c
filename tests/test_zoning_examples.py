"""The bundled examples in analyses/projects/ give the verdicts written in their ``expect``.

``expect`` = verdict, then ``+RULE`` (must hit) and ``-RULE`` (must not hit). The
界址点 parcels' expectations are in ``expected_parcels.yaml``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from ordos_geo.zoning import check_projects


@pytest.fixture(scope="module")
def screened(repo: Path) -> Any:
    folder = repo / "ordos_geo" / "data" / "analyses" / "projects"
    if not (repo / "ordos_geo" / "data" / "layers" / "catalog.yaml").exists():
        pytest.skip("default layers not built (layers/catalog.yaml missing)")
    # no defaults: the 界址点 files carry 建设性质 in their [项目信息] section
    return check_projects([folder]), folder


def _expectations(result: Any, folder: Path) -> list[tuple[str, str]]:
    meta = folder.parents[3] / "analyses" / "examples_src" / "expected_parcels.yaml"
    parcels = yaml.safe_load(meta.read_text(encoding="utf-8"))
    out = []
    for pid, exp in zip(result.projects["id"], result.projects["expect"], strict=True):
        exp = exp if isinstance(exp, str) and exp else parcels.get(pid)
        assert exp, f"example {pid} has no expectation"
        out.append((pid, exp))
    return out


def test_every_example_gets_its_expected_verdict(screened: Any) -> None:
    result, folder = screened
    hits = result.hits
    problems = []
    for pid, exp in _expectations(result, folder):
        verdict, *checks = exp.split()
        got = result.projects.loc[result.projects["id"] == pid, "verdict"].iloc[0]
        rules = set(hits.loc[hits["project_id"] == pid, "rule_id"])
        if got != verdict:
            problems.append(f"{pid}: verdict {got}, expected {verdict} (hits {sorted(rules)})")
        for c in checks:
            if (c[1:] in rules) != (c[0] == "+"):
                problems.append(f"{pid}: {c} not met (hits {sorted(rules)})")
    assert not problems, "\n".join(problems)


def test_examples_cover_every_evaluated_rule_both_ways(screened: Any) -> None:
    result, folder = screened
    pos, neg = set(), set()
    for _, exp in _expectations(result, folder):
        for c in exp.split()[1:]:
            (pos if c[0] == "+" else neg).add(c[1:])
    evaluated = set(result.meta["rules_evaluated"])
    assert evaluated <= pos, evaluated - pos
    assert evaluated <= neg, evaluated - neg

def test_examples_include_a_fix_hint_and_the_parcel_with_a_hole(screened: Any) -> None:
    result, _ = screened
    assert "JZD-RL-01" in set(result.fix_hints["project_id"])
    sub = result.projects.set_index("id").loc["JZD-SUB-01"]
    assert sub.geometry.geom_type == "Polygon" and len(sub.geometry.interiors) == 1
    assert sub["industry"] == "pv"  # from 地块用途 光伏用地
