"""Shared pieces of the bad-input builders: :class:`Case` and deterministic file writers.

Every builder writes its files into a fresh folder (``tmp_path``) deterministically
(no randomness, fixed coordinates) and says how the real CLI must react: exit code,
the snippets the one-line message must contain (file name, layer/key, fix) and the
message "family" that ``docs/troubleshooting.md`` must document.

Coordinates: a 0.01° square at 109.50–109.51 E, 39.50–39.51 N (Dalad/Dongsheng area,
inside Ordos) in EPSG:4326, or the same in CGCS2000 3° Gauss-Krüger zone 37
(EPSG:4525, easting with the zone prefix "37").
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import rasterio
import shapely
from affine import Affine
from pyproj import Transformer

#: Inside Ordos, lon/lat degrees.
LON0, LAT0 = 109.50, 39.50
SQUARE = shapely.box(LON0, LAT0, LON0 + 0.01, LAT0 + 0.01)
GK37 = Transformer.from_crs(4326, 4525, always_xy=True)  # → (easting with prefix, northing)


@dataclass
class Case:
    """How the CLI must react to one bad input.

    Attributes
    ----------
    argv
        Arguments after ``ordos-geo``.
    rc
        Expected exit code.
    snippets
        Texts the message (stderr, or stdout+stderr when ``rc == 0``) must contain.
    family
        Message family that ``docs/troubleshooting.md`` must contain ("" = none).
    inputs
        Files and folders that must be byte-identical afterwards (no new files either).
    outputs
        Paths that must not exist afterwards (failures leave nothing behind).
    env
        Extra environment (e.g. ``ORDOS_GEO_LAYERS`` pointing at a one-layer catalog).
    xfail
        Reason when a bug in a module owned by someone else makes the case fail today.
    """

    argv: list[str]
    rc: int
    snippets: tuple[str, ...]
    family: str
    inputs: list[Path] = field(default_factory=list)
    outputs: list[Path] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    xfail: str | None = None
    one_line: bool = True


# ------------------------------------------------------------------ file helpers
def write_gdf(gdf: gpd.GeoDataFrame, path: Path, *, layer: str | None = None) -> Path:
    """Write a GeoDataFrame with pyogrio (driver from the suffix)."""
    driver = {".gpkg": "GPKG", ".shp": "ESRI Shapefile", ".geojson": "GeoJSON"}[path.suffix]
    kw = {"layer": layer} if layer and driver == "GPKG" else {}
    pyogrio.write_dataframe(gdf, path, driver=driver, **kw)
    return path


def square_gdf(name: str = "测试地块", crs: int | None = 4326) -> gpd.GeoDataFrame:
    """One-feature layer: the 0.01° square inside Ordos."""
    return gpd.GeoDataFrame({"name": [name]}, geometry=[SQUARE], crs=crs)


def catalog_entry(lid: str, path: str, *, kind: str = "vector", crs: str = "EPSG:4326",
                  roles: str = "[context]", extra: str = "") -> str:
    """One catalog entry (YAML text)."""
    return textwrap.dedent(f"""\
      - id: {lid}
        title_zh: 测试{lid}
        title_en: test {lid}
        kind: {kind}
        path: {path}
        crs: {crs}
        roles: {roles}
        provenance: user
        source: tests/bad_inputs
        licence: CC0
    """) + extra


def write_catalog(d: Path, entries: str, name: str = "catalog.yaml") -> Path:
    """A catalog file with ``version: 1`` and the given entries."""
    p = d / name
    p.write_text("version: 1\nlayers:\n" + textwrap.indent(entries, "  "), encoding="utf-8")
    return p


def only_layer(d: Path, path: str, *, kind: str = "vector", crs: str = "EPSG:4326",
               lid: str = "bad") -> dict[str, str]:
    """Environment making a one-layer catalog the default set (fast ``layers validate``)."""
    cat = write_catalog(d, catalog_entry(lid, path, kind=kind, crs=crs))
    return {"ORDOS_GEO_LAYERS": str(cat)}


def write_tif(path: Path, arr: np.ndarray, *, west: float = LON0, north: float = LAT0 + 0.1,
              res: float = 0.01, crs: str | None = "EPSG:4326",
              nodata: float | None = None) -> Path:
    """A single-band GeoTIFF (deflate, no side files)."""
    prof = {"driver": "GTiff", "dtype": arr.dtype.name, "count": 1, "height": arr.shape[0],
            "width": arr.shape[1], "transform": Affine(res, 0, west, 0, -res, north),
            "compress": "deflate"}
    if crs:
        prof["crs"] = crs
    if nodata is not None:
        prof["nodata"] = nodata
    with rasterio.Env(GDAL_PAM_ENABLED="NO"), rasterio.open(path, "w", **prof) as dst:
        dst.write(arr, 1)
    return path


def gk_square(x0: float = LON0, y0: float = LAT0, n: int = 5) -> list[tuple[float, float]]:
    """Closed ring (north, east-with-zone-prefix) of the square in GK zone 37."""
    lonlat = [(x0, y0 + 0.01), (x0 + 0.01, y0 + 0.01), (x0 + 0.01, y0), (x0, y0)][: n - 1]
    pts = [GK37.transform(lo, la) for lo, la in lonlat]
    pts.append(pts[0])
    return [(float(nn), float(e)) for e, nn in pts]


def coordfile_text(rings: list[list[tuple[float, float]]], *, zone: str = "37",
                   name: str = "测试光伏地块", pid: str = "T-1") -> str:
    """界址点 TXT text for one parcel (rings of (north, east))."""
    n = sum(len(r) for r in rings)
    lines = ["[属性描述]", "坐标系=2000国家大地坐标系", "几度分带=3", f"带号={zone}",
             "[地块坐标]", f"{n},,{pid},{name},面,,光伏用地,,@"]
    k = 0
    for ri, ring in enumerate(rings, start=1):
        for north, east in ring:
            k += 1
            lines.append(f"J{k},{ri},{north:.3f},{east:.3f}")
    return "\n".join(lines) + "\n"


def projects_csv(rows: list[dict[str, object]]) -> str:
    """Project CSV text (UTF-8 with header; Chinese column names)."""
    cols = ["项目编号", "项目名称", "行业", "阶段", "产能", "单位", "经度", "纬度"]
    out = [",".join(cols)]
    for r in rows:
        out.append(",".join(str(r.get(c, "")) for c in cols))
    return "\n".join(out) + "\n"


def pv_row(pid: str = "T-1", **kw: object) -> dict[str, object]:
    """A valid PV project row inside Ordos."""
    row: dict[str, object] = {"项目编号": pid, "项目名称": "测试光伏", "行业": "光伏",
                              "阶段": "新建", "产能": 100, "单位": "MW",
                              "经度": LON0 + 0.005, "纬度": LAT0 + 0.005}
    row.update(kw)
    return row


def check_argv(d: Path, *files: Path, extra: tuple[str, ...] = ()) -> list[str]:
    return ["check", *(str(f) for f in files), "--out", str(d / "out"), *extra]
