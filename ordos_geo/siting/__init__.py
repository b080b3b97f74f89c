"""PV and wind siting: exclusions, factors, AHP weights, score, candidate sites, capacity.

Entry point: :func:`run_siting` (used by ``ordos-geo siting pv|wind`` and ``ordos-geo
run``). Analyses are declared in YAML (``analyses/pv.yaml``, ``analyses/wind.yaml``;
models in :mod:`ordos_geo.siting.config`). See ``docs/siting.md``.
"""

from __future__ import annotations

from ordos_geo.siting.config import SitingConfig, load_siting_config
from ordos_geo.siting.criteria import ahp_weights
from ordos_geo.siting.run import SitingResult, run_siting

__all__ = ["SitingConfig", "SitingResult", "ahp_weights", "load_siting_config", "run_siting"]
