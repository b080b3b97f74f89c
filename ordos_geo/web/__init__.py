"""The local screening web page of ``ordos-geo serve`` (FastAPI app, page, HTTP API).

Library entry::

    from ordos_geo.web import create_app
    app = create_app()            # default layers and rules; serve with uvicorn

- :mod:`ordos_geo.web.app` — routes, error handling, security headers.
- :mod:`ordos_geo.web.service` — one screening request: temp folder, check, downloads.
- :mod:`ordos_geo.web.uploads` — safe names, limits, zips.
- :mod:`ordos_geo.web.pdf` — the one-project PDF report.

See ``docs/web.md``.
"""

from __future__ import annotations

from ordos_geo.web.app import create_app
from ordos_geo.web.uploads import UploadError, WebLimits

__all__ = ["UploadError", "WebLimits", "create_app"]
