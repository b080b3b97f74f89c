"""The one set of colours for HTML maps, static maps, report charts and QGIS styles.

* Scores 0–100: ColorBrewer "Purples" (sequential white → dark purple; perceptually
  ordered, colour-blind safe, readable in grey). Suitable land is dark purple, never a
  warning colour, and no control, zone or site layer is purple, so the score never reads
  as a red line, a desert or a reserve.
* Verdicts: the Okabe–Ito categorical palette (Okabe & Ito 2008, *Color Universal
  Design*), distinguishable with every common colour-vision deficiency.

Examples
--------
>>> SCORE_COLOURS[0], SCORE_COLOURS[-1]
('#fcfbfd', '#3f007d')
>>> verdict_colour("禁止") == verdict_colour("prohibited")
True
"""

from __future__ import annotations

__all__ = ["SCORE_COLOURS", "VERDICT_PALETTE", "VERDICT_ZH_KEYS", "verdict_colour"]

#: Colour stops of the score ramp (0 → 100), ColorBrewer Purples (5 classes).
SCORE_COLOURS: tuple[str, ...] = ("#fcfbfd", "#dadaeb", "#9e9ac8", "#6a51a3", "#3f007d")

#: Verdict level → Okabe–Ito colour, worst first.
VERDICT_PALETTE: dict[str, str] = {
    "prohibited": "#D55E00",         # vermillion
    "restricted": "#E69F00",         # orange
    "needs_information": "#CC79A7",  # reddish purple
    "review": "#F0E442",             # yellow
    "encouraged": "#009E73",         # bluish green
    "compliant": "#0072B2",          # blue
}

#: Chinese verdict labels → level keys.
VERDICT_ZH_KEYS: dict[str, str] = {
    "禁止": "prohibited", "限制": "restricted", "待补充信息": "needs_information",
    "需补充信息": "needs_information", "审查": "review", "鼓励": "encouraged",
    "合规": "compliant",
}

_UNKNOWN = "#999999"


def verdict_colour(verdict: str) -> str:
    """Colour of a verdict given as level key or Chinese label (grey if unknown)."""
    key = str(verdict).strip()
    key = VERDICT_ZH_KEYS.get(key, key.lower())
    return VERDICT_PALETTE.get(key, _UNKNOWN)
