"""Maps of ordos_geo: interactive Folium/Leaflet maps (offline by default).

Public API: :class:`MapOptions`, :func:`build_map`, :func:`write_map`.
"""

from __future__ import annotations

from ordos_geo.maps.interactive import SIZE_BUDGET_BYTES, build_map, render_html, write_map
from ordos_geo.maps.styles import MapOptions

__all__ = ["SIZE_BUDGET_BYTES", "MapOptions", "build_map", "render_html", "write_map"]
