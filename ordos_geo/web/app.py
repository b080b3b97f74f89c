"""The ASGI app of ``ordos-geo serve`` (FastAPI): the page, its assets and its HTTP API.

Routes
------
``GET /``                         the page (Chinese; English switch in the page)
``GET /healthz``                  ``{"status": "ok"}`` once the layers are loaded
``GET /api/layers``               the catalog: one row per layer with provenance
``GET /api/context``              context layers for the map (GeoJSON, EPSG:4326)
``GET /api/config``               verdict colours, styles, vocabularies, limits
``POST /api/check``               multipart ``files`` (+ ``industry``, ``stage``,
                                  ``capacity``, ``unit``, ``zone``, ``crs``): the JSON of
                                  ``ordos-geo check --json`` plus ``web``
``GET /api/results/{token}/{file}``          ``verdicts.xlsx``, ``conflicts.gpkg`` …
``GET /api/results/{token}/report/{i}.pdf``  one-project PDF report

Every asset (Leaflet, plugins, the page's JS/CSS) is served from the package; the
page sets a Content-Security-Policy of ``'self'`` so that it cannot load anything
from elsewhere. Bad input answers HTTP 4xx with ``{"error": "<one line>"}`` — the
CLI's message — and an unexpected failure HTTP 500 with a one-line message (the
traceback goes to the server log only).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ordos_geo.errors import OrdosGeoError
from ordos_geo.web.service import DOWNLOADS, Screener
from ordos_geo.web.uploads import UploadError, WebLimits

__all__ = ["create_app"]

log = logging.getLogger(__name__)

ASSETS = Path(__file__).resolve().parent / "assets"
STATIC = Path(__file__).resolve().parent.parent / "static"
#: Content-Security-Policy of every response: nothing from outside the server.
CSP = ("default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
       "script-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
       "frame-ancestors 'none'; form-action 'self'")
_MEDIA = {".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
          ".gpkg": "application/geopackage+sqlite3", ".csv": "text/csv; charset=utf-8",
          ".json": "application/json", ".pdf": "application/pdf"}


class _BodyLimit:
    """Refuse request bodies over ``limit`` bytes (HTTP 413) before they are parsed."""

    def __init__(self, app: ASGIApp, limit: int, limit_mb: float) -> None:
        self.app, self.limit, self.limit_mb = app, limit, limit_mb

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        msg = (f"upload larger than {self.limit_mb:g} MB in total; send fewer or smaller "
               "files")
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.limit:
            await JSONResponse({"error": msg}, status_code=413)(scope, receive, send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise UploadError(msg, status=413)
            return message

        await self.app(scope, counted, send)


def _error(message: str, status: int) -> JSONResponse:
    return JSONResponse({"error": message.splitlines()[0] if message else "error"},
                        status_code=status)


def create_app(
    *,
    catalog: str | Path | None = None,
    rules: str | Path | None = None,
    limits: WebLimits | None = None,
) -> FastAPI:
    """Build the app; loads the catalog and rules now, so bad files fail at start.

    Parameters
    ----------
    catalog
        User catalog YAML (``--catalog``) overlaid on the default layers.
    rules
        User rules YAML (``--rules``).
    limits
        Upload limits (:class:`~ordos_geo.web.uploads.WebLimits`).

    Returns
    -------
    fastapi.FastAPI
        Serve it with uvicorn (``ordos-geo serve``) or test it with
        ``fastapi.testclient.TestClient``.
    """
    from ordos_geo import __version__

    limits = limits or WebLimits()
    screener = Screener(catalog=catalog, rules=rules, limits=limits)
    app = FastAPI(title="ordos-geo screening", version=__version__, docs_url=None,
                  redoc_url=None, openapi_url=None)
    app.state.screener = screener
    app.add_middleware(_BodyLimit, limit=limits.bytes_of(limits.max_total_mb),
                       limit_mb=limits.max_total_mb)

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Cache-Control"] = "no-store"
        return response

    @app.exception_handler(OrdosGeoError)
    async def on_input_error(request: Request, exc: OrdosGeoError) -> JSONResponse:
        log.info("%s %s: %s", request.method, request.url.path, exc)
        return _error(str(exc), getattr(exc, "status", 400))

    @app.exception_handler(StarletteHTTPException)
    async def on_http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return _error(str(exc.detail), exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def on_bad_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(x) for x in first.get("loc", ()))
        return _error(f"{where}: {first.get('msg', 'invalid request')}", 422)

    @app.exception_handler(Exception)
    async def on_crash(request: Request, exc: Exception) -> JSONResponse:
        log.exception("%s %s failed", request.method, request.url.path)
        return _error(f"internal error ({type(exc).__name__}); see the server log", 500)

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(ASSETS / "index.html", media_type="text/html; charset=utf-8")

    @app.get("/healthz")
    def healthz() -> dict[str, Any]:
        return {"status": "ok", "version": __version__}

    @app.get("/api/layers")
    def layers() -> dict[str, Any]:
        cat = screener.catalog
        rows = cat.summary_rows() if cat is not None else []
        for r in rows:
            r["path"] = Path(r["path"]).name if r.get("path") else None
        return {"layers": rows,
                "illustrative": [r["id"] for r in rows if r["provenance"] == "illustrative"]}

    @app.get("/api/context")
    def context() -> dict[str, Any]:
        return screener.context_layers()

    @app.get("/api/config")
    def config() -> dict[str, Any]:
        from ordos_geo.io.projects import INDUSTRIES, STAGES
        from ordos_geo.maps.styles import RESULT_STYLES, VERDICT_COLOURS

        return {"verdict_colours": {k: v for k, v in VERDICT_COLOURS.items() if k.isascii()},
                "result_styles": RESULT_STYLES,
                "industries": {k: list(v) for k, v in INDUSTRIES.items()},
                "stages": {k: list(v) for k, v in dict(STAGES).items()},
                "limits": {"max_files": limits.max_files, "max_file_mb": limits.max_file_mb,
                           "max_total_mb": limits.max_total_mb}}

    @app.post("/api/check")
    async def check(request: Request) -> dict[str, Any]:
        form = await request.form(max_files=limits.max_files + 1, max_fields=64)
        try:
            uploads = []
            for f in form.getlist("files"):
                if not isinstance(f, UploadFile):
                    raise UploadError("files: expected uploaded files, got a text field")
                uploads.append((f.filename or "", f.file))
            fields = {k: str(v) for k, v in form.items() if isinstance(v, str)}
            return await run_in_threadpool(screener.check, uploads, fields)
        finally:
            await form.close()

    @app.get("/api/results/{token}/{name}")
    def download(token: str, name: str) -> Response:
        item = screener.store.get(token)
        if name not in DOWNLOADS:
            raise UploadError(f"{name[:60]}: no such download (available: "
                              f"{', '.join(DOWNLOADS)})", status=404)
        if item is None:
            raise UploadError("result expired or unknown; press 研判 again", status=404)
        return Response(item.files[name], media_type=_MEDIA[Path(name).suffix],
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})

    @app.get("/api/results/{token}/report/{index}.pdf")
    def report(token: str, index: int, lang: str = "zh") -> Response:
        pdf = screener.project_pdf(token, index, lang)
        if pdf is None:
            raise UploadError("result or project unknown; press 研判 again", status=404)
        item = screener.store.get(token)
        pid = str(item.result.projects["id"].iloc[index]) if item is not None else str(index)
        safe = "".join(c if c.isascii() and (c.isalnum() or c in "-_") else "_" for c in pid)
        return Response(pdf, media_type="application/pdf", headers={
            "Content-Disposition": f'attachment; filename="report_{safe[:60]}.pdf"'})

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.mount("/assets", StaticFiles(directory=ASSETS), name="assets")
    return app
