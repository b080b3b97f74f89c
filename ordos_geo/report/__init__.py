"""The static map report: figures, document model, HTML and PDF rendering.

- :mod:`ordos_geo.report.build` — :func:`build_report` (results folder → report folder).
- :mod:`ordos_geo.report.figures` — the static maps (matplotlib), one bitmap per map.
- :mod:`ordos_geo.report.cartography` — scale bar, north arrow, graticule, page layout.
- :mod:`ordos_geo.report.fonts` — the CJK font subset embedded in PNG/PDF.
- :mod:`ordos_geo.report.model` — one document model for HTML and PDF.
- :mod:`ordos_geo.report.render` — HTML and PDF writers.
- :mod:`ordos_geo.report.text` — zh/en captions.
"""

from ordos_geo.report.build import ReportResult, build_report, build_sections, load_results

__all__ = ["ReportResult", "build_report", "build_sections", "load_results"]
