"""Area units used in outputs: m², 公顷 (ha), 亩 (mu) and km².

Examples
--------
>>> M2_PER_MU
666.6666666666666
>>> round(m2_to_mu(10_000.0), 2)
15.0
"""

from __future__ import annotations

__all__ = ["M2_PER_HA", "M2_PER_KM2", "M2_PER_MU", "MU_PER_HA", "m2_to_ha", "m2_to_km2",
           "m2_to_mu"]

#: One 公顷 (hectare) in m².
M2_PER_HA = 10_000.0
#: One 亩 in m² (1 亩 = 10,000/15 m² ≈ 666.67 m², the legal unit since 1990).
M2_PER_MU = 10_000.0 / 15.0
#: One km² in m².
M2_PER_KM2 = 1_000_000.0
#: 亩 per 公顷.
MU_PER_HA = 15.0


def m2_to_ha(m2: float) -> float:
    """Square metres → 公顷 (ha)."""
    return m2 / M2_PER_HA


def m2_to_mu(m2: float) -> float:
    """Square metres → 亩."""
    return m2 / M2_PER_MU


def m2_to_km2(m2: float) -> float:
    """Square metres → km²."""
    return m2 / M2_PER_KM2
