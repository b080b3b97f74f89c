"""Zoning screening of proposed projects against the Ordos plan and national land rules.

Library entry points::

    from ordos_geo.zoning import check_projects, write_outputs
    result = check_projects(["analyses/projects"], catalog=None)
    write_outputs(result, "maps/screening", overwrite=True)

See ``docs/zoning.md``.
"""

from __future__ import annotations

from ordos_geo.zoning.outputs import check_json, project_records, summary_dict, write_outputs
from ordos_geo.zoning.rules import RuleSet, load_rules
from ordos_geo.zoning.screen import M2_PER_MU, ScreeningResult, check_projects, screen
from ordos_geo.zoning.zones import ZoneSource

__all__ = [
    "M2_PER_MU",
    "RuleSet",
    "ScreeningResult",
    "ZoneSource",
    "check_json",
    "check_projects",
    "load_rules",
    "project_records",
    "screen",
    "summary_dict",
    "write_outputs",
]
