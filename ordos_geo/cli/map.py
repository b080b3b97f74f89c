"""``ordos-geo map``: write the interactive map (one self-contained HTML file)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated, Literal

import typer

from ordos_geo.cli.options import echo_json

log = logging.getLogger(__name__)


def register(app: typer.Typer) -> None:
    """Add the ``map`` command to ``app``."""

    @app.command("map")
    def map_command(
        out: Annotated[
            Path, typer.Option("--out", help="Output HTML file.")
        ] = Path("maps/ordos_siting.html"),
        results: Annotated[
            Path | None,
            typer.Option("--results", help="Folder with result files of `siting`/`check` "
                         "(pv_score.tif, pv_sites.gpkg, conflicts.gpkg ...); omit for a "
                         "layer overview."),
        ] = None,
        catalog: Annotated[
            Path | None,
            typer.Option("--catalog", help="User catalog YAML overlaid on layers/catalog.yaml."),
        ] = None,
        offline: Annotated[
            bool,
            typer.Option("--offline/--cdn", help="Inline Leaflet, plugins and images (no "
                         "network needed; default) or link them from CDNs."),
        ] = True,
        basemap: Annotated[
            str,
            typer.Option("--basemap", help="Background tiles: none (default; vector layers "
                         "only), osm (OpenStreetMap) or tianditu (天地图, needs "
                         "--tianditu-token). Tiles need network."),
        ] = "none",
        tianditu_token: Annotated[
            str | None,
            typer.Option("--tianditu-token", help="Your 天地图 key (console.tianditu.gov.cn)."),
        ] = None,
        lang: Annotated[
            str, typer.Option("--lang", help="Language of layer names, legends, notices: zh|en.")
        ] = "zh",
        focus: Annotated[
            str | None,
            typer.Option("--focus", help="Only one analysis: pv, wind or screening."),
        ] = None,
        tile_url: Annotated[
            str | None,
            typer.Option("--tile-url", help="Custom XYZ tile URL ({z}/{x}/{y}); overrides "
                         "--basemap. Amap/Tencent (GCJ-02) URLs are warned about: offset "
                         "~500 m here."),
        ] = None,
        max_raster_px: Annotated[
            int,
            typer.Option("--max-raster-px", help="Longest side in pixels of score overlays "
                         "(Web Mercator PNG); lower it to shrink the file."),
        ] = 1200,
        overwrite: Annotated[
            bool, typer.Option("--overwrite", help="Replace an existing output file.")
        ] = False,
    ) -> None:
        """Write an interactive map (Leaflet) with grouped layers, legends and popups."""
        from ordos_geo.errors import ConfigError
        from ordos_geo.maps import MapOptions, write_map

        if basemap not in ("none", "osm", "tianditu"):
            raise ConfigError(f"--basemap: {basemap!r} is not one of none, osm, tianditu; "
                              "pass --basemap none|osm|tianditu")
        if lang not in ("zh", "en"):
            raise ConfigError(f"--lang: {lang!r} is not one of zh, en; pass --lang zh|en")
        if focus not in (None, "pv", "wind", "screening"):
            raise ConfigError(f"--focus: {focus!r} is not one of pv, wind, screening; "
                              "pass --focus pv|wind|screening or omit it")
        if results is not None and not Path(results).is_dir():
            raise ConfigError(f"{results}: --results folder not found; run `ordos-geo run` "
                              "or `ordos-geo siting`/`check` first, or omit --results")
        bm: Literal["none", "osm", "tianditu"] = basemap  # type: ignore[assignment]
        lg: Literal["zh", "en"] = lang  # type: ignore[assignment]
        opts = MapOptions(offline=offline, basemap=bm, tianditu_token=tianditu_token,
                          lang=lg, max_raster_px=max_raster_px, tile_url=tile_url)
        from ordos_geo.catalog import Catalog
        from ordos_geo.cli.inputs import catalog_inputs, result_inputs
        from ordos_geo.io.results import staged_file

        cat = Catalog.load(catalog)
        # never over a catalog layer or a result file it reads; staged, then moved in
        with staged_file(out, inputs=[*catalog_inputs(cat, catalog), *result_inputs(results)],
                         overwrite=overwrite) as tmp:
            write_map(cat, tmp, results_dir=results, options=opts, overwrite=overwrite,
                      focus=focus)  # type: ignore[arg-type]
        path = out
        echo_json({"map": str(path), "bytes": path.stat().st_size,
                   "offline": offline, "lang": lang})
