"""Declarative zoning rules: pydantic model of ``analyses/zoning_rules.yaml`` and filters.

A rule says which projects it applies to (industry ids or industry *sets* defined in
the rules file, stages, components, attribute conditions ``when``/``unless``), the
spatial predicate on catalog layers, the severity, the citation and a bilingual
message. A user rules file (``--rules FILE``) adds rules and replaces rules with the
same id; its ``industry_sets`` replace sets of the same name.

Examples
--------
>>> rs = load_rules()
>>> rs.rule("P-4a").severity
'prohibited'
>>> "steel" in rs.expand_industries(["two_high"])
True
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import Field, PrivateAttr, field_validator, model_validator

from ordos_geo.config import StrictModel, display_path, load_yaml, validate
from ordos_geo.errors import RuleError
from ordos_geo.io.projects import INDUSTRIES, PROJECT_COLUMNS
from ordos_geo.resources import analysis_path

__all__ = [
    "DEFAULT_RULES",
    "SEVERITY_ORDER",
    "Applicability",
    "Applies",
    "Condition",
    "LayerRef",
    "MissingPolicy",
    "Rule",
    "RuleSet",
    "Spatial",
    "applicability",
    "applicable_mask",
    "load_rules",
    "rule_columns",
]

log = logging.getLogger(__name__)

#: The bundled rules file.
DEFAULT_RULES = analysis_path("zoning_rules.yaml")

Severity = Literal["prohibited", "restricted", "review", "encouraged"]
#: Verdict levels, worst first (then ``compliant``). ``needs_information``: a rule could
#: not be decided because the project did not declare an attribute it needs — kept
#: apart from ``restricted`` (the plan strictly controls this). ``encouraged`` is a
#: flag, never a verdict.
SEVERITY_ORDER: tuple[str, ...] = ("prohibited", "restricted", "review", "needs_information")
Predicate = Literal["inside", "outside", "intersects", "within_distance", "anywhere", "ledger",
                    "location"]
StageId = Literal["new", "expansion", "rebuild", "upgrade", "relocation", "continuation"]
MissingPolicyId = Literal["needs_information", "assume_false", "never_satisfies"]
ComponentId = Literal["array", "turbine", "substation", "road", "line"]


class Citation(StrictModel):
    """Where the rule comes from."""

    doc_no: str = Field(description="document number (文号), e.g. 鄂环发〔2023〕76号")
    title: str | None = Field(None, description="document title")
    clause: str = Field(description="clause, part + item, e.g. 二(四)")
    quote: str = Field(min_length=1, description="short verbatim quote from the document")
    verify: bool = Field(False, description="true until checked against the official gazette")
    status: Literal["in_force", "superseded_pending"] = Field(
        "in_force", description="superseded_pending: reported replaced, the new text not yet "
        "read; hits say so")
    superseded_note: str | None = Field(None, description="what replaces it, as far as known")


class Message(StrictModel):
    """Bilingual message shown for a hit."""

    zh: str = Field(min_length=1, description="Chinese message")
    en: str = Field(min_length=1, description="English message")


class Condition(StrictModel):
    """A test on one project attribute; a bare scalar in YAML means ``eq``."""

    eq: Any = Field(None, description="equal to")
    ne: Any = Field(None, description="not equal to")
    lt: float | None = Field(None, description="less than (numeric)")
    le: float | None = Field(None, description="less than or equal (numeric)")
    gt: float | None = Field(None, description="greater than (numeric)")
    ge: float | None = Field(None, description="greater than or equal (numeric)")
    in_: list[Any] | None = Field(None, alias="in", description="one of these values")

    @model_validator(mode="before")
    @classmethod
    def _scalar(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return {"eq": data}
        return data

    def evaluate(self, values: pd.Series) -> np.ndarray:
        """Vectorised test; a missing value (None/NaN) never satisfies a condition."""
        present = values.notna().to_numpy()
        ok = present.copy()
        obj = pd.Series(values.to_numpy(dtype=object), index=values.index)
        if self.eq is not None:
            ok &= obj.isin([self.eq]).to_numpy()
        if self.ne is not None:
            ok &= ~obj.isin([self.ne]).to_numpy()
        if self.in_ is not None:
            ok &= obj.isin(self.in_).to_numpy()
        num = None
        for op, ref in (("lt", self.lt), ("le", self.le), ("gt", self.gt), ("ge", self.ge)):
            if ref is None:
                continue
            if num is None:
                num = pd.to_numeric(values, errors="coerce").to_numpy(dtype="float64")
            with np.errstate(invalid="ignore"):
                cmp = {"lt": num < ref, "le": num <= ref, "gt": num > ref, "ge": num >= ref}[op]
            ok &= cmp
        return ok


class Applies(StrictModel):
    """Which projects a rule applies to (all given filters must hold)."""

    industries: list[str] | None = Field(
        None, description="industry ids or set names from industry_sets; omitted = all"
    )
    exclude_industries: list[str] = Field(
        default_factory=list, description="industry ids or sets exempt from the rule"
    )
    stages: list[StageId] | None = Field(None, description="stages; omitted = all")
    components: list[ComponentId] | None = Field(None, description="components; omitted = all")
    exclude_components: list[ComponentId] = Field(default_factory=list, description="exempt")
    when: dict[str, Condition] = Field(
        default_factory=dict, description="attribute conditions that must all hold"
    )
    unless: dict[str, Condition] = Field(
        default_factory=dict,
        description="declared attributes that exempt a project (all must hold)",
    )


class LayerRef(StrictModel):
    """A catalog layer with an optional attribute filter (vector) or class list (raster)."""

    layer: str = Field(description="catalog layer id")
    where: dict[str, Any] = Field(
        default_factory=dict, description="field: value (or list of values) filter"
    )
    classes: list[int] | None = Field(None, description="raster class values (raster layers)")

    @model_validator(mode="before")
    @classmethod
    def _bare(cls, data: Any) -> Any:
        return {"layer": data} if isinstance(data, str) else data

    def key(self) -> str:
        """Stable cache key of this layer selection."""
        where = ",".join(f"{k}={self.where[k]}" for k in sorted(self.where))
        cls = ",".join(map(str, self.classes or []))
        return f"{self.layer}|{where}|{cls}"


class Spatial(StrictModel):
    """The spatial test of a rule."""

    predicate: Predicate = Field(description="inside, outside, intersects, within_distance, "
                                 "anywhere or ledger")
    any_of: list[LayerRef] = Field(default_factory=list, description="zones (union)")
    none_of: list[LayerRef] = Field(
        default_factory=list,
        description="exemption zones: a project lying entirely inside one is not hit",
    )
    distance_m: float | None = Field(None, ge=0, description="distance for within_distance, m")
    report_fields: list[str] = Field(
        default_factory=list, description="zone attributes listed with each hit"
    )
    if_layer_missing: Literal["error", "skip"] = Field(
        "skip", description="skip (default) = rule not evaluated for its projects (listed, "
        "verdict conditional) when a layer is absent; error = stop"
    )

    @model_validator(mode="after")
    def _check(self) -> Spatial:
        needs_layers = self.predicate not in ("anywhere", "ledger")
        if needs_layers and not self.any_of:
            raise ValueError(f"predicate '{self.predicate}' needs any_of: [layer ids]")
        if self.predicate == "within_distance" and self.distance_m is None:
            raise ValueError("predicate 'within_distance' needs distance_m")
        return self


class Cap(StrictModel):
    """A capacity cap of the ledger (P-8b)."""

    industry: str = Field(description="industry id")
    cap: float = Field(gt=0, description="cap, in unit")
    unit: Literal["万吨"] = Field(description="unit of the cap (万吨 per year)")
    year: int = Field(description="target year: the cap holds to the end of it")


class MissingPolicy(StrictModel):
    """What a rule does when a project lacks an attribute it tests (one rule per field)."""

    policy: MissingPolicyId = Field(
        description="needs_information: the rule cannot be decided (verdict level "
        "needs_information); assume_false: a missing yes/no counts as no; never_satisfies: "
        "a missing value satisfies no condition")
    only_for: list[str] | None = Field(
        None, description="industries or sets the policy applies to; other industries use "
        "`otherwise`")
    otherwise: MissingPolicyId = Field("never_satisfies", description="policy for the others")
    why: str = Field(description="the reason, shown in docs/zoning.md")


class Rule(StrictModel):
    """One zoning rule."""

    id: str = Field(min_length=1, description="rule id, e.g. P-4a")
    title_zh: str = Field(description="short Chinese title")
    title_en: str = Field(description="short English title")
    citation: Citation = Field(description="document number, clause, quote")
    applies: Applies | list[Applies] = Field(
        default_factory=lambda: Applies.model_validate({}),
        description="filter, or a list of alternative filters (OR)",
    )
    spatial: Spatial = Field(description="spatial test")
    severity: Severity = Field(description="prohibited, restricted, review or encouraged")
    message: Message = Field(description="bilingual message")
    notes: str | None = Field(None, description="caveats, proxies, assumptions")
    caps: list[Cap] = Field(default_factory=list, description="ledger caps (predicate ledger)")
    _source: str = PrivateAttr(default="")

    def alternatives(self) -> list[Applies]:
        """The applicability filters (OR)."""
        return self.applies if isinstance(self.applies, list) else [self.applies]

    def layers(self) -> list[LayerRef]:
        """All layer references of this rule."""
        return [*self.spatial.any_of, *self.spatial.none_of]


class RuleSet(StrictModel):
    """A rules file."""

    version: int = Field(1, description="file format version")
    title: str | None = Field(None, description="title of the rule set")
    extends_default: bool = Field(
        True, description="user rules file: false = use it alone instead of overlaying the default"
    )
    industry_sets: dict[str, list[str]] = Field(
        default_factory=dict, description="named sets over the industry vocabulary"
    )
    missing_fields: dict[str, MissingPolicy] = Field(
        default_factory=dict, description="project attribute -> what a missing value means"
    )
    rules: list[Rule] = Field(default_factory=list, description="rules")

    @field_validator("rules")
    @classmethod
    def _unique(cls, rules: list[Rule]) -> list[Rule]:
        seen: set[str] = set()
        for r in rules:
            if r.id in seen:
                raise ValueError(f"duplicate rule id '{r.id}'; use each id once")
            seen.add(r.id)
        return rules

    def rule(self, rule_id: str) -> Rule:
        """The rule with ``rule_id``."""
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise RuleError(f"rules: no rule '{rule_id}' (available: {', '.join(self.ids)}); "
                        "check the id")

    @property
    def ids(self) -> list[str]:
        """Rule ids in file order."""
        return [r.id for r in self.rules]

    def expand_industries(self, names: Iterable[str]) -> set[str]:
        """Industry ids named directly or through sets."""
        out: set[str] = set()
        for n in names:
            if n in self.industry_sets:
                out |= self.expand_industries(self.industry_sets[n])
            else:
                out.add(n)
        return out


def _check_names(rs: RuleSet, shown: str) -> None:
    vocab = set(INDUSTRIES)
    for name, members in rs.industry_sets.items():
        for m in members:
            if m not in vocab and m not in rs.industry_sets:
                raise RuleError(f"{shown}: industry_sets.{name}: unknown industry '{m}' "
                                f"(valid: {', '.join(INDUSTRIES)}); fix the set")
    fields = set(PROJECT_COLUMNS)
    for f, pol in rs.missing_fields.items():
        if f not in fields:
            raise RuleError(f"{shown}: missing_fields: unknown project attribute '{f}' "
                            f"(valid: {', '.join(PROJECT_COLUMNS)}); fix the key")
        for n in pol.only_for or []:
            if n not in vocab and n not in rs.industry_sets:
                raise RuleError(f"{shown}: missing_fields.{f}.only_for: unknown industry or set "
                                f"'{n}'; fix the list")
    for r in rs.rules:
        for a in r.alternatives():
            for n in [*(a.industries or []), *a.exclude_industries]:
                if n not in vocab and n not in rs.industry_sets:
                    raise RuleError(
                        f"{r._source or shown}: rule {r.id}: unknown industry or set '{n}' "
                        f"(industries: {', '.join(INDUSTRIES)}; sets: "
                        f"{', '.join(rs.industry_sets)}); fix applies.industries"
                    )
            for f in [*a.when, *a.unless]:
                if f not in fields:
                    raise RuleError(f"{r._source or shown}: rule {r.id}: unknown project attribute "
                                    f"'{f}' (valid: {', '.join(PROJECT_COLUMNS)}); fix when/unless")
        if r.spatial.predicate == "ledger":
            if not r.caps:
                raise RuleError(f"{r._source or shown}: rule {r.id}: predicate ledger needs caps; "
                                "add caps: [{industry, cap, unit, year}]")
            for c in r.caps:
                if c.industry not in vocab:
                    raise RuleError(f"{r._source or shown}: rule {r.id}: cap industry "
                                    f"'{c.industry}' unknown (valid: {', '.join(INDUSTRIES)})")


def _load_one(path: Path) -> RuleSet:
    shown = display_path(path)
    rs = validate(RuleSet, load_yaml(path), path)
    for r in rs.rules:
        r._source = shown
    return rs


def load_rules(
    path: str | os.PathLike[str] | None = None,
    *,
    user_path: str | os.PathLike[str] | None = None,
) -> RuleSet:
    """Load the rules file and overlay a user rules file.

    Parameters
    ----------
    path
        Base rules file; default :data:`DEFAULT_RULES` (``analyses/zoning_rules.yaml``).
    user_path
        Optional user rules file: its rules are added, or replace the base rule with
        the same id (keeping the base position); its ``industry_sets`` replace sets of
        the same name.

    Raises
    ------
    ConfigError
        YAML or schema errors (``file:line: key: what``).
    RuleError
        Unknown industries, sets or attributes (message names the file and rule id).
    """
    base = _load_one(Path(path) if path is not None else DEFAULT_RULES)
    shown = display_path(Path(path) if path is not None else DEFAULT_RULES)
    rs: RuleSet
    if user_path is not None and not _load_one(Path(user_path)).extends_default:
        rs = _load_one(Path(user_path))
        shown = display_path(Path(user_path))
    elif user_path is not None:
        user = _load_one(Path(user_path))
        sets = {**base.industry_sets, **user.industry_sets}
        by_id = {r.id: r for r in user.rules}
        merged = [by_id.pop(r.id, r) for r in base.rules]
        merged.extend(r for r in user.rules if r.id in by_id)
        for r in user.rules:
            if r.id in {b.id for b in base.rules}:
                log.info("%s: rule %s replaces the default rule", display_path(user_path), r.id)
        rs = RuleSet.model_construct(version=base.version, title=base.title,
                                     industry_sets=sets, rules=merged,
                                     missing_fields={**base.missing_fields,
                                                     **user.missing_fields})
        shown = display_path(Path(user_path))
    else:
        rs = base
    _check_names(rs, shown)
    return rs


def rule_columns(projects: pd.DataFrame) -> dict[str, pd.Series]:
    """``industry``, ``stage`` and ``component`` as categoricals, for :func:`applicable_mask`.

    Computed once per screening run: ``isin`` on a categorical tests the few categories,
    not every row's string.
    """
    out = {k: pd.Series(pd.Categorical(projects[k].astype(str).to_numpy(dtype=object)))
           for k in ("industry", "stage")}
    # component keeps missing values missing (they match no component list)
    out["component"] = pd.Series(pd.Categorical(projects["component"].to_numpy(dtype=object)))
    return out


@dataclass
class Applicability:
    """Which projects a rule applies to, before its spatial test.

    Attributes
    ----------
    sure
        The rule applies (every condition decided).
    unknown
        The rule would apply if an undeclared attribute had the value that triggers it
        (:class:`MissingPolicy` ``needs_information``); never overlaps ``sure``.
    missing
        Per attribute, the projects of ``unknown`` that lack it.
    """

    sure: np.ndarray
    unknown: np.ndarray
    missing: dict[str, np.ndarray]


def _policy_masks(
    fld: str, projects: pd.DataFrame, ruleset: RuleSet, industry: pd.Series
) -> tuple[np.ndarray, np.ndarray]:
    """``(needs_information, assume_false)`` masks over projects for a missing ``fld``."""
    n = len(projects)
    pol = ruleset.missing_fields.get(fld)
    if pol is None:
        return np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
    if pol.only_for is None:
        inside = np.ones(n, dtype=bool)
    else:
        inside = industry.isin(sorted(ruleset.expand_industries(pol.only_for))).to_numpy()
    need = np.where(inside, pol.policy == "needs_information", pol.otherwise == "needs_information")
    false = np.where(inside, pol.policy == "assume_false", pol.otherwise == "assume_false")
    return need, false


def _condition(
    fld: str, cond: Condition, projects: pd.DataFrame, ruleset: RuleSet, industry: pd.Series
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(satisfied, undecided, missing)`` of one condition under the field's missing policy."""
    values = projects[fld]
    missing = ~values.notna().to_numpy()
    need, false = _policy_masks(fld, projects, ruleset, industry)
    if (missing & false).any():
        filled = values.astype(object).where(~(missing & false), False)
        ok = cond.evaluate(filled)
    else:
        ok = cond.evaluate(values)
    undecided = missing & need
    return ok & ~undecided, undecided, missing & need


def applicability(
    rule: Rule, projects: pd.DataFrame, ruleset: RuleSet, *,
    columns: dict[str, pd.Series] | None = None,
) -> Applicability:
    """Which projects the rule applies to, and which it cannot decide for lack of an attribute.

    Parameters
    ----------
    rule
        The rule.
    projects
        Frame with the columns of :data:`ordos_geo.io.projects.PROJECT_COLUMNS`.
    ruleset
        For industry sets and ``missing_fields``.
    columns
        :func:`rule_columns` of ``projects`` (computed here when None).
    """
    n = len(projects)
    sure = np.zeros(n, dtype=bool)
    unknown = np.zeros(n, dtype=bool)
    missing: dict[str, np.ndarray] = {}
    cols = columns if columns is not None else rule_columns(projects)
    industry, stage, component = cols["industry"], cols["stage"], cols["component"]
    for a in rule.alternatives():
        m = np.ones(n, dtype=bool)
        if a.industries is not None:
            m &= industry.isin(sorted(ruleset.expand_industries(a.industries))).to_numpy()
        if a.exclude_industries:
            m &= ~industry.isin(sorted(ruleset.expand_industries(a.exclude_industries))).to_numpy()
        if a.stages is not None:
            m &= stage.isin(list(a.stages)).to_numpy()
        if a.components is not None:
            m &= component.isin(list(a.components)).to_numpy()
        if a.exclude_components:
            m &= ~component.isin(list(a.exclude_components)).to_numpy()
        when_ok = np.ones(n, dtype=bool)
        when_maybe = np.ones(n, dtype=bool)
        miss_alt: dict[str, np.ndarray] = {}
        for f, cond in a.when.items():
            ok, und, mis = _condition(f, cond, projects, ruleset, industry)
            when_ok &= ok
            when_maybe &= ok | und
            miss_alt[f] = mis
        exempt_sure = np.zeros(n, dtype=bool)
        exempt_maybe = np.zeros(n, dtype=bool)
        if a.unless:
            exempt_sure[:] = True
            exempt_maybe[:] = True
            for f, cond in a.unless.items():
                ok, und, mis = _condition(f, cond, projects, ruleset, industry)
                exempt_sure &= ok
                exempt_maybe &= ok | und
                miss_alt[f] = miss_alt.get(f, np.zeros(n, dtype=bool)) | mis
        alt_sure = m & when_ok & ~exempt_maybe
        alt_unknown = m & when_maybe & ~exempt_sure & ~alt_sure
        sure |= alt_sure
        unknown |= alt_unknown
        for f, mis in miss_alt.items():
            missing[f] = missing.get(f, np.zeros(n, dtype=bool)) | (mis & alt_unknown)
    unknown &= ~sure
    kept = {f: v & unknown for f, v in missing.items() if (v & unknown).any()}
    return Applicability(sure=sure, unknown=unknown, missing=kept)


def applicable_mask(
    rule: Rule, projects: pd.DataFrame, ruleset: RuleSet, *,
    columns: dict[str, pd.Series] | None = None,
) -> np.ndarray:
    """Boolean array: which projects the rule surely applies to (before the spatial test).

    See :func:`applicability` for the projects it cannot decide.
    """
    return applicability(rule, projects, ruleset, columns=columns).sure
