"""Bad-input cases of issue 18 (round 2) outside project-row parsing.

Broken georeference, non-finite / absurd resolutions, a YAML nested 20,000 deep, a
non-equal-area working CRS, outputs over a catalog layer or onto a folder, and an
output folder that is also the PROJECTS folder. Registered in
:data:`bad_inputs.builders.CASES`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import rasterio
from affine import Affine

from bad_inputs.common import (
    Case,
    catalog_entry,
    check_argv,
    only_layer,
    projects_csv,
    pv_row,
    square_gdf,
    write_catalog,
    write_gdf,
)


def _tif_with_transform(path: Path, transform: Affine) -> Path:
    prof = {"driver": "GTiff", "dtype": "uint8", "count": 1, "height": 10, "width": 10,
            "transform": transform, "crs": "EPSG:4326"}
    with rasterio.Env(GDAL_PAM_ENABLED="NO"), rasterio.open(path, "w", **prof) as dst:
        dst.write(np.ones((10, 10), "uint8"), 1)
    return path


def _zero_pixel_raster(d: Path) -> Path:
    """A GDAL raster (VRT over a small GeoTIFF) whose pixel width is 0.

    GeoTIFF writers drop such a geotransform; a VRT (or a world file) keeps it, which
    is how broken exports reach users.
    """
    _tif_with_transform(d / "src.tif", Affine(0.01, 0, 109.5, 0, -0.01, 39.6))
    p = d / "zero.vrt"
    p.write_text('<VRTDataset rasterXSize="10" rasterYSize="10"><SRS>EPSG:4326</SRS>'
                 "<GeoTransform>109.5, 0, 0, 39.6, 0, -0.01</GeoTransform>"
                 '<VRTRasterBand dataType="Byte" band="1"><SimpleSource>'
                 '<SourceFilename relativeToVRT="1">src.tif</SourceFilename>'
                 "<SourceBand>1</SourceBand></SimpleSource></VRTRasterBand></VRTDataset>",
                 encoding="utf-8")
    return p


def raster_zero_pixel_size(d: Path) -> Case:
    # `layers validate` called this OK; siting then failed "Cannot invert geotransform"
    p = _zero_pixel_raster(d)
    return Case(["layers", "validate"], 1, ("zero.vrt", "pixel size is 0", "re-export"),
                "pixel size is 0", inputs=[d], env=only_layer(d, p.name, kind="raster"),
                one_line=False)


def raster_rotated(d: Path) -> Case:
    p = _tif_with_transform(d / "rot.tif", Affine(0.01, 0.002, 109.5, 0.002, -0.01, 39.6))
    return Case(["layers", "validate"], 1, ("rot.tif", "rotated geotransform", "gdalwarp"),
                "rotated geotransform", inputs=[d], env=only_layer(d, p.name, kind="raster"),
                one_line=False)


def elig_zero_pixel_raster(d: Path) -> Case:
    _zero_pixel_raster(d)
    cfg = d / "elig.yaml"
    cfg.write_text("region: {layer: city}\nres_m: 5000\nraster_exclusions:\n"
                   "  - {layer: zero.vrt, codes: [1], reason: test}\n", encoding="utf-8")
    return Case(["eligibility", "--config", str(cfg)], 1, ("zero.vrt", "pixel size is 0"),
                "pixel size is 0", inputs=[d])


def _siting_cfg(d: Path, res: str) -> Path:
    cfg = d / "pv.yaml"
    base = Path(__file__).resolve().parents[2] / "ordos_geo" / "data" / "analyses" / "pv.yaml"
    text = base.read_text(encoding="utf-8")
    lines = text.splitlines()
    out, in_grid = [], False
    for line in lines:  # replace grid.res_m, keep everything else
        if line.startswith("grid:"):
            in_grid = True
        elif line and not line.startswith((" ", "#")):
            in_grid = False
        if in_grid and line.strip().startswith("res_m:"):
            indent = line[: len(line) - len(line.lstrip())]
            line = f"{indent}res_m: {res}"
        out.append(line)
    cfg.write_text("\n".join(out) + "\n", encoding="utf-8")
    return cfg


def siting_res_inf(d: Path) -> Case:
    cfg = _siting_cfg(d, ".inf")
    out = d / "out"
    return Case(["siting", "pv", "--config", str(cfg), "--out", str(out)], 1,
                ("pv.yaml", "res_m", "finite number"), "finite number", inputs=[cfg],
                outputs=[out])


def siting_res_tiny(d: Path) -> Case:
    # 0.001 m cells: a MemoryError for 138 PiB (exit 70) before
    cfg = _siting_cfg(d, "0.001")
    out = d / "out"
    return Case(["siting", "pv", "--config", str(cfg), "--out", str(out)], 1,
                ("pv.yaml", "grid.res_m", "coarser"), "use a coarser grid.res_m",
                inputs=[cfg], outputs=[out])


def siting_res_huge(d: Path) -> Case:
    # --res 1e9 finished with 0 km² and 14 warnings blaming the layers
    out = d / "out"
    return Case(["siting", "pv", "--res", "1e9", "--out", str(out)], 1,
                ("--res", "no cell centre inside region", "smaller resolution"),
                "no cell centre inside region", inputs=[d], outputs=[out])


def yaml_nested_deep(d: Path) -> Case:
    p = d / "deep.yaml"
    p.write_text("version: 1\nlayers: " + "[" * 20_000 + "]" * 20_000 + "\n", encoding="utf-8")
    return Case(["layers", "list", "--catalog", str(p)], 1, ("deep.yaml", "nested too deeply"),
                "nested too deeply", inputs=[d])


def elig_crs_not_equal_area(d: Path) -> Case:
    # EPSG:3857 gave 145,950 km² for the city (86,625 km² in the equal-area default)
    cfg = d / "elig.yaml"
    cfg.write_text("region: {layer: city}\nres_m: 5000\n", encoding="utf-8")
    return Case(["eligibility", "--config", str(cfg), "--crs", "EPSG:3857"], 1,
                ("crs", "EPSG:3857", "not equal-area", "equal-area Albers"),
                "is not equal-area", inputs=[d])


def map_out_catalog_layer(d: Path) -> Case:
    # overwrote the layer with HTML before: catalog layers were not protected
    layer = write_gdf(square_gdf(), d / "ok.gpkg")
    cat = write_catalog(d, catalog_entry("mine", "ok.gpkg"), name="mine.yaml")
    return Case(["map", "--catalog", str(cat), "--out", str(layer), "--overwrite"], 1,
                ("ok.gpkg", "also an input", "--out"), "output path is also an input",
                inputs=[d])


def map_out_existing_folder(d: Path) -> Case:
    out = d / "maps"
    out.mkdir()
    (out / "keep.txt").write_text("keep me\n", encoding="utf-8")
    return Case(["map", "--out", str(out), "--overwrite"], 1, ("maps", "is a folder",
                                                               "map.html"),
                "is a folder; give a file name", inputs=[d])


def check_out_is_projects_folder(d: Path) -> Case:
    # the rerun read its own conflicts.gpkg / verdicts.xlsx as projects
    folder = d / "proj"
    folder.mkdir()
    (folder / "p.csv").write_text(projects_csv([pv_row()]), encoding="utf-8")
    argv = check_argv(d, folder)
    i = argv.index("--out")
    argv[i + 1] = str(folder)
    return Case(argv, 1, ("proj", "also an input folder", "choose another --out"),
                "also an input folder", inputs=[d])


ROUND2_CASES: dict[str, Callable[[Path], Case]] = {
    f.__name__: f
    for f in (
        raster_zero_pixel_size, raster_rotated, elig_zero_pixel_raster, siting_res_inf,
        siting_res_tiny, siting_res_huge, yaml_nested_deep, elig_crs_not_equal_area,
        map_out_catalog_layer, map_out_existing_folder, check_out_is_projects_folder,
    )
}
