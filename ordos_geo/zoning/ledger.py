"""Capacity-cap ledger for the plan's 2025 caps (鄂环发〔2023〕76号 三(八)2, rule P-8b).

Existing and approved capacity comes from a CSV (default
``analyses/capacity_ledger.csv``, **illustrative** numbers — replace it with
``--ledger FILE``). Proposed projects are added in a **documented order that does not
depend on the input file**: by declared date (``declared_date`` / 申报日期; undated
last), then by project id. Each project adds its **net** capacity: the capacity added
(``capacity`` for 新建, ``added_capacity`` for the other stages) minus the capacity it
retires under 减量置换 (``replaced_capacity``). A project whose net addition would push
the running total over the cap is flagged and **not** added (it would not be
approved), so later proposals are judged on the total without it. A project whose
added capacity is unknown (an 扩建 without ``added_capacity``, no capacity in a mass
unit) gets ``needs_information``. Caps are dated: after the end of their target year
(``year``) a breach is ``review`` ("the target year has passed; check the current
cap"), not ``prohibited``.

CSV columns: ``industry, name, capacity, unit, status, provenance, source`` where
``status`` is ``existing`` or ``approved`` and ``unit`` a mass-per-year unit (万吨, t,
Mt …).
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ordos_geo.config import display_path
from ordos_geo.errors import ConfigError
from ordos_geo.io.projects import INDUSTRIES, _unit_factor
from ordos_geo.resources import analysis_path
from ordos_geo.zoning.rules import Cap

__all__ = ["DEFAULT_LEDGER", "LedgerResult", "ledger_order", "read_ledger", "run_ledger"]

log = logging.getLogger(__name__)

#: The bundled illustrative ledger.
DEFAULT_LEDGER = analysis_path("capacity_ledger.csv")
_REQUIRED = ("industry", "name", "capacity", "unit", "status")


@dataclass
class LedgerResult:
    """Outcome of the ledger check.

    Attributes
    ----------
    flags
        One dict per flagged project: ``pidx`` (row position), ``industry``,
        ``existing`` (existing + approved in the ledger file), ``before``, ``after``,
        ``cap``, ``unit`` (万吨 per year), ``year`` (target year), ``order`` (place in
        the counting order), ``severity`` (prohibited; review after the target year;
        needs_information when the added capacity is unknown), ``missing``,
        ``note_zh`` / ``note_en``.
    summary
        One row per capped industry: cap, existing, approved, proposed_accepted,
        proposed_flagged, total_after, headroom (万吨 per year).
    unchecked
        Project ids that could not be counted (no capacity in a mass unit).
    """

    flags: list[dict[str, Any]] = field(default_factory=list)
    summary: pd.DataFrame = field(default_factory=pd.DataFrame)
    unchecked: list[str] = field(default_factory=list)


def read_ledger(path: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Read a capacity ledger CSV.

    Returns
    -------
    pandas.DataFrame
        The rows plus ``capacity_10kt`` (万吨 per year); ``attrs["path"]`` and
        ``attrs["provenance"]`` (the set of row provenances) are filled.

    Raises
    ------
    ConfigError
        Missing columns, unknown industry or status, bad or negative capacity, unknown
        unit — one line with the file, the row and the field.
    """
    p = Path(path) if path is not None else DEFAULT_LEDGER
    shown = display_path(p)
    if not p.is_file():
        raise ConfigError(f"{shown}: ledger file not found; pass --ledger FILE")
    try:
        df = pd.read_csv(p, encoding="utf-8-sig", dtype=str, keep_default_na=False,
                         comment="#")
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{shown}: cannot parse as CSV ({exc}); save it as UTF-8 CSV") from exc
    missing = [c for c in _REQUIRED if c not in df.columns]
    if missing:
        raise ConfigError(f"{shown}: missing column(s) {', '.join(missing)} (need: "
                          f"{', '.join(_REQUIRED)}); add them")
    vals: list[float] = []
    for i, row in df.iterrows():
        where = f"{shown}: row {int(str(i)) + 2}"
        if row["industry"] not in INDUSTRIES:
            raise ConfigError(f"{where}: field 'industry': unknown {row['industry']!r} "
                              f"(valid: {', '.join(INDUSTRIES)}); fix the value")
        if row["status"] not in ("existing", "approved"):
            raise ConfigError(f"{where}: field 'status': {row['status']!r} is not existing or "
                              "approved; fix the value")
        try:
            cap = float(row["capacity"])
        except ValueError:
            raise ConfigError(f"{where}: field 'capacity': not a number "
                              f"({row['capacity']!r}); write a plain number") from None
        if not math.isfinite(cap) or cap < 0:
            raise ConfigError(f"{where}: field 'capacity': must be a number ≥ 0 (got {cap:g}); "
                              "fix the value")
        kind = _unit_factor(row["unit"])
        if kind is None or kind[0] != "mass":
            raise ConfigError(f"{where}: field 'unit': {row['unit']!r} is not a mass-per-year "
                              "unit; use 万吨, t or Mt")
        vals.append(cap * kind[1])
    df["capacity_10kt"] = np.asarray(vals, dtype="float64")
    df.attrs["path"] = shown
    prov = sorted(set(df["provenance"])) if "provenance" in df.columns else ["unknown"]
    df.attrs["provenance"] = prov
    if "illustrative" in prov:
        log.warning("%s: capacity ledger is illustrative; replace it with --ledger FILE", shown)
    return df


def ledger_order(projects: pd.DataFrame, idx: np.ndarray) -> np.ndarray:
    """``idx`` sorted by declared date (undated last), then project id."""
    dates = pd.to_datetime(projects["declared_date"].iloc[idx], errors="coerce").to_numpy()
    ids = projects["id"].astype(str).to_numpy()[idx]
    undated = pd.isna(dates)
    key_date = np.where(undated, np.datetime64("9999-12-31"), dates).astype("datetime64[D]")
    return idx[np.lexsort((ids, key_date))]


def run_ledger(
    projects: pd.DataFrame,
    applicable: np.ndarray,
    caps: Sequence[Cap],
    ledger: pd.DataFrame,
    *,
    as_of: dt.date | None = None,
) -> LedgerResult:
    """Add applicable projects' net capacity in the documented order and flag cap breaches.

    Parameters
    ----------
    projects
        Project table (``id``, ``industry``, ``stage``, ``capacity_10kt``,
        ``added_capacity_10kt``, ``replaced_capacity_10kt``, ``declared_date``; 万吨 per
        year).
    applicable
        Boolean mask of projects the ledger rule applies to (industry and stage).
    caps
        The caps (unit 万吨 per year).
    ledger
        From :func:`read_ledger`.
    as_of
        Screening date (default today): decides whether a cap's target year has passed.
    """
    as_of = as_of or dt.date.today()
    res = LedgerResult()
    rows = []

    def col(name: str) -> np.ndarray:
        if name not in projects.columns:
            return np.full(len(projects), np.nan)
        return pd.to_numeric(projects[name], errors="coerce").to_numpy(dtype="float64")

    total = col("capacity_10kt")
    added = col("added_capacity_10kt")
    replaced = np.nan_to_num(col("replaced_capacity_10kt"), nan=0.0)
    stage = projects["stage"].astype(str).to_numpy()
    gross = np.where(np.isfinite(added), added, np.where(stage == "new", total, np.nan))
    ids = projects["id"].astype(str).to_numpy()
    industry = projects["industry"].to_numpy()
    for cap in caps:
        sel = ledger["industry"] == cap.industry
        existing = float(ledger.loc[sel & (ledger["status"] == "existing"), "capacity_10kt"].sum())
        approved = float(ledger.loc[sel & (ledger["status"] == "approved"), "capacity_10kt"].sum())
        running = existing + approved
        accepted = flagged = 0.0
        expired = as_of > dt.date(cap.year, 12, 31)
        idx = ledger_order(projects, np.flatnonzero(applicable & (industry == cap.industry)))
        for rank, i in enumerate(idx, start=1):
            base = {"pidx": int(i), "industry": cap.industry, "existing": existing + approved,
                    "cap": cap.cap, "unit": cap.unit, "year": cap.year, "order": rank}
            value = float(gross[i])
            if not math.isfinite(value):
                res.unchecked.append(ids[i])
                what = "capacity" if stage[i] == "new" else "added_capacity"
                what_zh = "产能" if what == "capacity" else "新增产能"
                res.flags.append({**base, "before": running, "after": np.nan,
                                  "severity": "needs_information", "missing": what,
                                  "note_zh": f"（未申报以万吨计的{what_zh}，无法核对总量控制目标）",
                                  "note_en": f"({what} in 万吨 not declared: the cap cannot be "
                                             "checked.)"})
                continue
            net = value - float(replaced[i])
            after = running + net
            if net > 0 and after > cap.cap * (1 + 1e-12):
                note_zh = note_en = ""
                if expired:
                    note_zh = (f"（{cap.year}年目标年已过，须核实现行控制目标；"
                               f"截至{as_of.isoformat()}）")
                    note_en = (f"(The {cap.year} target year has passed; check the current cap. "
                               f"As of {as_of.isoformat()}.)")
                res.flags.append({**base, "before": running, "after": after,
                                  "severity": "review" if expired else "prohibited",
                                  "missing": "", "note_zh": note_zh, "note_en": note_en})
                flagged += net
            else:
                running = after
                accepted += net
        n_unknown = sum(1 for f in res.flags
                        if f["industry"] == cap.industry and f["severity"] == "needs_information")
        if n_unknown:
            log.warning("%d %s project(s) without a capacity (or added capacity) in a mass unit "
                        "(万吨): not checked against the %s cap (needs_information)",
                        n_unknown, cap.industry, cap.industry)
        rows.append({"industry": cap.industry, "year": cap.year, "cap": cap.cap,
                     "unit": cap.unit, "existing": existing, "approved": approved,
                     "proposed_accepted": accepted, "proposed_flagged": flagged,
                     "total_after": running, "headroom": cap.cap - running,
                     "target_year_passed": expired,
                     "order": "申报日期、项目编号 / declared date, then id"})
    res.summary = pd.DataFrame(rows)
    return res
