"""Synthetic layers and result files for the map tests (built in tmp_path).

Shapes sit inside Ordos (lon 106.7–111.5, lat 37.6–40.9) so that CRS plausibility
checks pass; one layer is stored in Gauss-Krüger metres (EPSG:4524) to exercise
reprojection; names contain HTML/JS payloads to test escaping.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pyogrio
import rasterio
from rasterio.transform import from_origin
from shapely.geometry import LineString, Point, box

from ordos_geo.catalog import Catalog, LayerSpec
from ordos_geo.crs import WORK_CRS

XSS = "<img src=x onerror=alert(1)>"
XSS_SCRIPT = "<script>document.title='pwned'</script>"


def _spec(layer_id: str, path: Path, *, crs: str = "EPSG:4326",
          provenance: Any = "illustrative", title_zh: str | None = None) -> LayerSpec:
    return LayerSpec(
        id=layer_id, title_zh=title_zh or f"测试{layer_id}", title_en=f"Test {layer_id}",
        kind="vector", path=path, crs=crs, roles=["context"], provenance=provenance,
        source=f"synthetic test data for {layer_id}", licence="CC0",
    )


def make_catalog(folder: Path) -> Catalog:
    """A small real :class:`Catalog` over GeoPackages written to ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    specs = []

    def write(layer_id: str, gdf: gpd.GeoDataFrame, **kw: str) -> None:
        p = folder / f"{layer_id}.gpkg"
        gdf.to_file(p, layer=layer_id, driver="GPKG")
        specs.append(_spec(layer_id, p, crs=str(kw.pop("crs", "EPSG:4326")), **kw))

    write("banners", gpd.GeoDataFrame(
        {"adcode": ["150602", "150625"], "name_zh": ["东胜区", "杭锦旗"],
         "name_en": ["Dongsheng", "Hanggin"]},
        geometry=[box(109.6, 39.6, 110.4, 40.1), box(107.8, 39.3, 109.6, 40.6)], crs=4326,
    ), provenance="derived")
    write("yellow_river", gpd.GeoDataFrame(
        {"name_zh": ["黄河"]}, geometry=[LineString([(107.0, 40.2), (108.5, 40.8), (110.9, 40.3)])],
        crs=4326), provenance="derived")
    write("red_lines", gpd.GeoDataFrame(
        {"name_zh": [XSS_SCRIPT, "黄河湿地红线"], "rl_type": ["生态功能", "湿地"],
         "provenance": ["illustrative", "illustrative"]},
        geometry=[box(108.0, 39.8, 108.3, 40.0), box(109.0, 40.3, 109.3, 40.45)], crs=4326))
    write("control_units", gpd.GeoDataFrame(
        {"unit_code": ["ZH15062510001", "ZH15062520001", "ZH15062530001"],
         "unit_name": ["杭锦旗优先保护单元", "杭锦经济开发区重点管控单元", "杭锦旗一般管控单元"],
         "category": [1, 2, 3], "category_zh": ["优先保护", "重点管控", "一般管控"],
         "spatial_constraints": ["禁止开发性、生产性建设活动 & <b>不加粗</b>",
                                 "新上重化工项目必须入园", "执行区域总体管控要求"],
         "emission_control": ["—", "严格执行排放标准", "—"],
         "risk_control": ["—", "园区环境风险防控体系", "—"],
         "resource_efficiency": ["—", "单位产品能耗达标杆水平", "—"]},
        geometry=[box(108.0, 39.8, 108.3, 40.0), box(108.6, 39.7, 108.9, 39.9),
                  box(107.8, 39.3, 108.0, 39.5)], crs=4326))
    # parks stored in Gauss-Krüger zone 36 metres with zone prefix
    parks_ll = gpd.GeoSeries([box(108.70, 39.80, 108.78, 39.86)], crs=4326).to_crs(4524)
    write("parks", gpd.GeoDataFrame(
        {"park_id": ["P1"], "name_zh": ["杭锦经济开发区"], "park_kind": ["general"]},
        geometry=parks_ll.values, crs=4524), crs="EPSG:4524")
    write("settlements", gpd.GeoDataFrame(
        {"name_zh": ["锡尼镇", "东胜"]}, geometry=[Point(108.74, 39.83), Point(109.99, 39.82)],
        crs=4326), provenance="derived")
    write("kubuqi", gpd.GeoDataFrame(
        {"name_zh": ["库布其沙漠"]}, geometry=[box(107.5, 40.0, 109.5, 40.4)], crs=4326))
    return Catalog(specs)


def _write_score(path: Path, seed: int) -> None:
    rng = np.random.default_rng(seed)
    # 1 km grid in the working Albers CRS over central Ordos
    west, north, res = -60_000.0, 160_000.0, 1000.0
    rows, cols = 140, 200
    arr = np.clip(np.linspace(0, 100, cols)[None, :] + rng.normal(0, 5, (rows, cols)),
                  0, 100).astype("uint8")
    arr[:20, :] = 255  # nodata strip in the north
    profile = {"driver": "GTiff", "width": cols, "height": rows, "count": 1, "dtype": "uint8",
               "crs": WORK_CRS, "transform": from_origin(west, north, res, res), "nodata": 255}
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(arr, 1)


def make_results(folder: Path, *, with_wind: bool = True) -> Path:
    """Synthetic siting + screening result files following DESIGN.md "Result files"."""
    folder.mkdir(parents=True, exist_ok=True)
    _write_score(folder / "pv_score.tif", 1)
    if with_wind:
        _write_score(folder / "wind_score.tif", 2)
    sites = gpd.GeoDataFrame(
        {"site_id": ["PV-001", "PV-002"], "area_km2": [12.5, 3.25], "mean_score": [82.0, 64.5],
         "max_score": [97, 80], "banner": ["杭锦旗", "达拉特旗"], "capacity_mw": [500.0, 130.0],
         "in_kubuqi": [True, False], "in_subsidence": [False, True]},
        geometry=[box(108.2, 40.05, 108.35, 40.15), box(109.9, 40.2, 109.95, 40.25)], crs=4326)
    sites.to_file(folder / "pv_sites.gpkg", layer="sites", driver="GPKG")
    if with_wind:
        sites.assign(site_id=["W-001", "W-002"]).to_file(
            folder / "wind_sites.gpkg", layer="sites", driver="GPKG")
    projects = gpd.GeoDataFrame(
        {"id": ["P-1", "P-2"], "name": [XSS, "乌兰木伦光伏项目"], "industry": ["coking", "pv"],
         "verdict": ["prohibited", "encouraged"], "area_ha": [12.0, 2800.0],
         "area_mu": [180.0, 42000.0]},
        geometry=[box(108.05, 39.85, 108.1, 39.9), box(109.8, 39.5, 109.9, 39.55)], crs=4326)
    gpkg = folder / "conflicts.gpkg"
    projects.to_file(gpkg, layer="projects", driver="GPKG")
    # as zoning/outputs.py writes them: hits = conflicting parts, fix_hints = remainders
    hits = gpd.GeoDataFrame({
        "project_id": ["P-1", "P-1", "P-2"], "project_name": [XSS, XSS, "乌兰木伦光伏项目"],
        "rule_id": ["P-12a", "P-4e", "P-15a"],
        "severity": ["prohibited", "review", "encouraged"],
        "citation": ["鄂环发〔2023〕76号 三(十二)3 严守生态保护红线", "二(四) 三线一单分区管控",
                     "四(十五) 采煤沉陷区规划建设光伏"],
        "overlap_ha": [6.0, 12.0, 2800.0], "overlap_mu": [90.0, 180.0, 42000.0],
        "message_zh": ["生态保护红线内禁止建设", "位于优先保护单元，见空间布局约束", "鼓励"],
        "message_en": ["No construction in red lines", "In a priority unit", "Encouraged"],
    }, geometry=[box(108.05, 39.85, 108.1, 39.875), None, None], crs=4326)
    pyogrio.write_dataframe(hits, gpkg, layer="hits", driver="GPKG", append=True,
                            geometry_type="Unknown")
    hints = gpd.GeoDataFrame({
        "project_id": ["P-1"], "project_name": [XSS], "prohibited_rules": ["P-12a"],
        "remainder_ha": [6.0], "remainder_mu": [90.0], "remainder_share": [0.5],
        "note": ["移出生态保护红线并迁入园区"]},
        geometry=[box(108.05, 39.875, 108.1, 39.9)], crs=4326)
    pyogrio.write_dataframe(hints, gpkg, layer="fix_hints", driver="GPKG", append=True)
    (folder / "screening_summary.json").write_text(
        json.dumps({"tool": "ordos_geo", "n_projects": 2, "n_hits": 3, "fix_hints": 1,
                    "verdicts": {"prohibited": 1, "restricted": 0, "review": 0,
                                 "compliant": 0, "encouraged": 1}}, ensure_ascii=False),
        encoding="utf-8")
    return folder


def test_fixtures_are_readable(tmp_path: Path) -> None:
    cat = make_catalog(tmp_path / "layers")
    assert "control_units" in cat.ids
    parks = cat.vector("parks", crs="EPSG:4326")
    assert abs(parks.total_bounds[0] - 108.70) < 1e-3
    res = make_results(tmp_path / "out")
    assert [n for n, _ in pyogrio.list_layers(res / "conflicts.gpkg")] == [
        "projects", "hits", "fix_hints"]
