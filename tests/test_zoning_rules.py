"""Rules file: complete, cited, overridable, and errors that point at the place."""

from __future__ import annotations

from pathlib import Path

import pytest

from ordos_geo.errors import ConfigError, RuleError
from ordos_geo.zoning.rules import DEFAULT_RULES, load_rules

PLAN_RULES = ["P-4a", "P-4b", "P-4c", "P-4d", "P-4e", "P-5a", "P-5b", "P-5c", "P-5d", "P-5e",
              "P-5f", "P-6a", "P-6b", "P-6d", "P-6e", "P-6f", "P-8a", "P-8b", "P-9a", "P-12a",
              "P-15a", "P-19a"]


def test_every_rule_of_rules_md_is_encoded() -> None:
    ids = load_rules().ids
    assert set(PLAN_RULES) <= set(ids)
    for n in ("N-1", "N-2", "N-3"):
        assert any(i.startswith(n) for i in ids), n


def test_round_two_provisions_and_over_reach() -> None:
    rs = load_rules()
    assert "P-6c" not in rs.ids  # 逐步淘汰 of existing units is no rule on new projects
    assert rs.rule("P-5f").severity == "restricted"  # 严格控制 -> restricted
    assert rs.rule("P-6e").citation.quote == "严格控制新增用煤项目"
    assert rs.rule("P-6f").citation.quote == "新改扩建工业炉窑采用清洁低碳能源"
    assert rs.rule("N-2d").severity == "prohibited"
    assert [r.layer for r in rs.rule("N-2d").spatial.any_of] == ["sand_closure"]
    assert rs.rule("P-8b").citation.clause == "三(八) 目标段"
    assert "ecological_restoration" in rs.rule("P-12a").alternatives()[0].exclude_industries
    assert rs.expand_industries(rs.rule("P-19a").alternatives()[0].exclude_industries) == {
        "pv", "wind"}
    assert rs.rule("N-2b").citation.quote.endswith("东北内蒙古重点国有林区")
    for rid in ("N-3a", "N-3b"):  # 林资发〔2019〕17号: reported replaced, new text not read
        c = rs.rule(rid).citation
        assert c.status == "superseded_pending" and c.superseded_note and c.verify
    assert "qipanjing_mengxi" in [r.layer for r in rs.rule("P-5e").spatial.any_of]


def test_the_rules_file_header_points_to_files_that_exist(repo: Path) -> None:
    import re

    head = DEFAULT_RULES.read_text(encoding="utf-8").split("version:")[0]
    paths = re.findall(r"\(text: ([^)]+)\)", head)
    assert paths and all((repo / p).is_file() for p in paths)


def test_every_missing_field_has_one_documented_rule(repo: Path) -> None:
    rs = load_rules()
    used = {f for r in rs.rules for a in r.alternatives() for f in (*a.when, *a.unless)}
    used.discard("adds_capacity")  # derived from stage: never missing
    assert used <= set(rs.missing_fields) | {"annual_bulk_freight_mt"}, \
        used - set(rs.missing_fields)
    doc = (repo / "docs" / "zoning.md").read_text(encoding="utf-8")
    for f, pol in rs.missing_fields.items():
        assert f"`{f}`" in doc and pol.why, f


def test_plan_quotes_are_verbatim(repo: Path) -> None:
    # the plan's full text ships with the rules it is quoted in
    plan = repo / "ordos_geo" / "data" / "analyses" / "policy" / "ordos-synergy-plan-2023.zh.txt"
    text = plan.read_text(encoding="utf-8")
    for r in load_rules().rules:
        if r.citation.doc_no == "鄂环发〔2023〕76号":
            assert r.citation.quote in text, r.id
            assert not r.citation.verify


def test_national_rules_are_marked_verify() -> None:
    for r in load_rules().rules:
        if r.id.startswith("N-"):
            assert r.citation.verify, r.id
            assert r.citation.doc_no in ("自然资发〔2022〕142号", "自然资办发〔2023〕12号",
                                         "林资发〔2019〕17号")


def test_industry_sets_live_in_the_rules_file() -> None:
    rs = load_rules()
    assert {"heavy_chemical", "heavy_polluting", "two_high"} <= set(rs.industry_sets)
    assert "coking" in rs.expand_industries(["heavy_polluting"])  # via heavy_chemical
    assert "pv_glass" not in rs.expand_industries(["qipanjing_controlled"])


def _user_rules(tmp_path: Path, body: str) -> Path:
    p = tmp_path / "user_rules.yaml"
    p.write_text(body, encoding="utf-8")
    return p


RULE = """  - id: {id}
    title_zh: 测试
    title_en: test
    citation: {{doc_no: 测试, clause: '1', quote: 测试}}
    applies: {{industries: [{ind}]}}
    spatial: {{predicate: anywhere}}
    severity: {sev}
    message: {{zh: 测试, en: test}}
"""


def test_user_rules_override_by_id_and_add(tmp_path: Path) -> None:
    p = _user_rules(tmp_path, "rules:\n" + RULE.format(id="P-4a", ind="steel", sev="review")
                    + RULE.format(id="X-1", ind="pv", sev="encouraged"))
    rs = load_rules(user_path=p)
    assert rs.rule("P-4a").severity == "review"
    assert rs.ids.index("P-4a") == load_rules().ids.index("P-4a")  # keeps its place
    assert rs.ids[-1] == "X-1"
    assert len(rs.rules) == len(load_rules().rules) + 1


def test_user_rules_alone(tmp_path: Path) -> None:
    p = _user_rules(tmp_path, "extends_default: false\nrules:\n"
                    + RULE.format(id="X-1", ind="pv", sev="review"))
    assert load_rules(user_path=p).ids == ["X-1"]


def test_unknown_industry_in_rule_names_file_and_rule(tmp_path: Path) -> None:
    p = _user_rules(tmp_path, "rules:\n" + RULE.format(id="X-1", ind="nuclear", sev="review"))
    with pytest.raises(RuleError, match=r"user_rules\.yaml: rule X-1: unknown industry or set "
                                        r"'nuclear'"):
        load_rules(user_path=p)


def test_bad_severity_is_located(tmp_path: Path) -> None:
    p = _user_rules(tmp_path, "rules:\n" + RULE.format(id="X-1", ind="pv", sev="forbidden"))
    with pytest.raises(ConfigError, match=r"user_rules\.yaml:\d+: rules\[0\]\.severity"):
        load_rules(user_path=p)


def test_unknown_key_is_refused(tmp_path: Path) -> None:
    p = _user_rules(tmp_path, "rules:\n" + RULE.format(id="X-1", ind="pv", sev="review")
                    + "    colour: red\n")
    with pytest.raises(ConfigError, match="unknown key 'colour'"):
        load_rules(user_path=p)


def test_default_rules_file_is_the_bundled_one() -> None:
    assert DEFAULT_RULES.name == "zoning_rules.yaml" and DEFAULT_RULES.exists()
