"""``ordos-geo serve`` — the local screening web page (FastAPI under uvicorn)."""

from __future__ import annotations

import ipaddress
import logging
from pathlib import Path
from typing import Annotated

import typer

from ordos_geo.cli.options import cli_state, echo

__all__ = ["register"]

log = logging.getLogger(__name__)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(
    host: Annotated[str, typer.Option(
        "--host", help="Address to listen on; 127.0.0.1 (this machine only) unless told "
        "otherwise. 0.0.0.0 opens the page to the network.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="TCP port.")] = 8765,
    catalog: Annotated[Path | None, typer.Option(
        "--catalog", metavar="FILE", dir_okay=False,
        help="User catalog YAML overlaid on the default layer set.")] = None,
    rules: Annotated[Path | None, typer.Option(
        "--rules", metavar="FILE", dir_okay=False,
        help="User rules YAML: adds rules or replaces default rules with the same id.")] = None,
    max_files: Annotated[int, typer.Option(
        "--max-files", min=1, help="Files per screening request.")] = 20,
    max_file_mb: Annotated[float, typer.Option(
        "--max-file-mb", min=0.001, help="Size limit of one uploaded file, MB.")] = 20.0,
) -> None:
    """Serve the screening page: upload 界址点/SHP/GPKG/… or draw, press 研判, get verdicts.

    Works offline: every asset is served from the package. Stop with Ctrl+C.
    """
    import uvicorn

    from ordos_geo.web import WebLimits, create_app

    limits = WebLimits(max_files=max_files, max_file_mb=max_file_mb,
                       max_total_mb=max(60.0, max_file_mb * 3))
    app = create_app(catalog=catalog, rules=rules, limits=limits)
    if not _is_loopback(host):
        log.warning("listening on %s: the page is reachable from the network", host)
    shown = f"[{host}]" if ":" in host else host
    echo(f"ordos-geo screening page: http://{shown}:{port}/  (Ctrl+C to stop)")
    verbose = cli_state().verbose
    uvicorn.run(app, host=host, port=port, log_level="warning" if not verbose else "info",
                access_log=verbose > 0)


def register(app: typer.Typer) -> None:
    """Add the ``serve`` command to the CLI."""
    app.command("serve")(serve)
