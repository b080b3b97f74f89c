"""Tests of ordos_geo.eligibility and the ``ordos-geo eligibility`` command on a tiny world.

The world (built in ``tmp_path``): a 20 km × 15 km irregular region near Dongsheng in the
working Albers CRS, a lon/lat land-cover raster, protected zones and a road; a catalog
(``ORDOS_GEO_LAYERS``) names them ``t_region``, ``t_lc``, ``t_zones``, ``t_roads``.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import rasterio
import shapely
from cli_runner import run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyproj import Transformer
from rasterio.transform import from_origin

from ordos_geo import raster as rz
from ordos_geo.catalog import Catalog
from ordos_geo.crs import WORK_CRS, WORK_CRS_PROJ4
from ordos_geo.eligibility import (
    EligibilityConfig,
    compute_eligibility,
    load_eligibility_config,
)
from ordos_geo.errors import ConfigError

TO_ALBERS = Transformer.from_crs("EPSG:4326", WORK_CRS, always_xy=True)
X0, Y0 = TO_ALBERS.transform(109.9, 39.75)


def _region() -> shapely.Polygon:
    rng = np.random.default_rng(1)
    th = np.linspace(0, 2 * np.pi, 60, endpoint=False)
    rad = 1 + 0.08 * np.sin(5 * th) + rng.uniform(-0.02, 0.02, th.size)
    return shapely.Polygon(np.c_[X0 + 10_000 * rad * np.cos(th), Y0 + 7_500 * rad * np.sin(th)])


CATALOG = """\
version: 1
layers:
  - {{id: t_region, title_zh: 区域, title_en: region, kind: vector, path: region.gpkg,
     crs: "{crs}", roles: [context], provenance: illustrative, source: test, licence: MIT}}
  - {{id: t_zones, title_zh: 分区, title_en: zones, kind: vector, path: zones.gpkg,
     crs: "{crs}", roles: [exclusion], provenance: illustrative, source: test, licence: MIT}}
  - {{id: t_roads, title_zh: 道路, title_en: roads, kind: vector, path: roads.gpkg,
     crs: "{crs}", roles: [exclusion], provenance: illustrative, source: test, licence: MIT}}
  - {{id: t_lc, title_zh: 土地覆盖, title_en: land cover, kind: raster, path: lc.tif,
     crs: "EPSG:4326", roles: [exclusion], provenance: illustrative, source: test,
     licence: MIT}}
"""

CONFIG = """\
region: {layer: t_region}
res_m: 100
raster_exclusions:
  - {layer: t_lc, codes: [0, 13], reason: water and urban}
vector_exclusions:
  - {layer: t_zones, where: {kind: a}, reason: zones of kind a}
  - {layer: t_roads, buffer_m: 500, reason: road + 500 m}
"""


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    region = _region()
    gpd.GeoDataFrame({"name": ["r"]}, geometry=[region], crs=WORK_CRS).to_file(
        tmp_path / "region.gpkg")
    zones = [shapely.box(X0 - 8000, Y0 - 2000, X0 - 4000, Y0 + 2000),
             shapely.Point(X0 + 5000, Y0 + 3000).buffer(1500),
             shapely.box(X0 - 1000, Y0 - 6000, X0 + 1000, Y0 - 3000)]
    gpd.GeoDataFrame({"kind": ["a", "a", "b"], "code": ["150602", "150602", "150603"]},
                     geometry=zones, crs=WORK_CRS).to_file(tmp_path / "zones.gpkg")
    road = shapely.LineString([(X0 - 12_000, Y0 - 500), (X0 + 12_000, Y0 + 1500)])
    gpd.GeoDataFrame({"id": [1]}, geometry=[road], crs=WORK_CRS).to_file(
        tmp_path / "roads.gpkg")
    rng = np.random.default_rng(0)
    lc = rng.choice(np.array([0, 10, 13, 16], dtype=np.uint8), (60, 80), p=[.1, .7, .05, .15])
    with rasterio.open(tmp_path / "lc.tif", "w", driver="GTiff", height=60, width=80, count=1,
                       dtype="uint8", crs="EPSG:4326",
                       transform=from_origin(109.7, 39.9, 0.005, 0.005), nodata=255) as dst:
        dst.write(lc, 1)
    (tmp_path / "catalog.yaml").write_text(CATALOG.format(crs=WORK_CRS_PROJ4), encoding="utf-8")
    (tmp_path / "cfg.yaml").write_text(CONFIG, encoding="utf-8")
    monkeypatch.setenv("ORDOS_GEO_LAYERS", str(tmp_path / "catalog.yaml"))
    return tmp_path


def _catalog(world: Path) -> Catalog:
    return Catalog.load(default=world / "catalog.yaml")


# --- library --------------------------------------------------------------------------
def test_compute_eligibility_numbers_are_consistent(world: Path) -> None:
    cfg = load_eligibility_config(world / "cfg.yaml")
    res = compute_eligibility(cfg, catalog=_catalog(world))
    region = _region()
    g = res.grid
    assert res.reasons.dtype == np.uint8 and res.reasons.shape == g.shape
    # total = the region rasterised by cell centre; close to its vector area
    assert res.total_km2 == pytest.approx(rz.rasterize_mask([region], g).sum() * 0.01)
    assert res.total_km2 == pytest.approx(region.area / 1e6, rel=0.01)
    assert 0 < res.eligible_km2 < res.total_km2
    removed = sum(e.removed_km2 for e in res.exclusions)
    assert res.eligible_km2 + removed == pytest.approx(res.total_km2)
    assert [e.code for e in res.exclusions] == [1, 2, 3]
    # zone of kind b is not excluded by the where filter; the two kind-a zones are
    zone_a = shapely.box(X0 - 8000, Y0 - 2000, X0 - 4000, Y0 + 2000)
    in_a = rz.rasterize_mask([zone_a], g)
    assert np.isin(res.reasons[in_a], [1, 2, 3]).all()
    zone_b = shapely.box(X0 - 1000, Y0 - 6000, X0 + 1000, Y0 - 3000)
    in_b = rz.rasterize_mask([zone_b], g)
    assert (res.reasons[in_b] == 0).any()
    # the road buffer removes about 2 * 500 m * length inside the region (minus overlaps)
    road = shapely.LineString([(X0 - 12_000, Y0 - 500), (X0 + 12_000, Y0 + 1500)])
    corridor = road.buffer(500).intersection(region)
    road_cells = rz.buffer_mask([road], g, 500) & (res.reasons != rz.OUTSIDE)
    assert road_cells.sum() * 0.01 == pytest.approx(corridor.area / 1e6, rel=0.03)
    mask = res.eligibility_mask()
    assert set(np.unique(mask).tolist()) <= {0, 1, 255}
    assert np.array_equal(mask == 1, res.reasons == 0)


def test_first_exclusion_keeps_its_code(world: Path) -> None:
    cfg = load_eligibility_config(world / "cfg.yaml")
    res = compute_eligibility(cfg, catalog=_catalog(world))
    road = shapely.LineString([(X0 - 12_000, Y0 - 500), (X0 + 12_000, Y0 + 1500)])
    zone_a = shapely.box(X0 - 8000, Y0 - 2000, X0 - 4000, Y0 + 2000)
    both = rz.buffer_mask([road], res.grid, 500) & rz.rasterize_mask([zone_a], res.grid)
    assert both.any()
    lc = rz.warp_class_mask(world / "lc.tif", res.grid, codes=[0, 13], src_crs="EPSG:4326")
    assert (res.reasons[both & ~lc] == 2).all()  # zones (2) listed before roads (3)
    assert (res.reasons[lc & (res.reasons != rz.OUTSIDE)] == 1).all()


def test_res_and_crs_overrides(world: Path) -> None:
    cfg = load_eligibility_config(world / "cfg.yaml")
    res = compute_eligibility(cfg, catalog=_catalog(world), res_m=250, crs="EPSG:32649")
    assert res.grid.res_m == 250 and res.grid.crs.to_epsg() == 32649
    assert res.total_km2 == pytest.approx(_region().area / 1e6, rel=0.03)
    with pytest.raises(ConfigError, match="not projected"):
        compute_eligibility(cfg, catalog=_catalog(world), crs="EPSG:4326")


def _config_with_boxes(boxes: list[tuple[float, float, float, float]], tmp: Path) -> Path:
    geoms = [shapely.box(X0 + a, Y0 + b, X0 + a + w, Y0 + b + h) for a, b, w, h in boxes]
    gpd.GeoDataFrame({"i": range(len(geoms))}, geometry=geoms, crs=WORK_CRS).to_file(
        tmp / "extra.gpkg")
    text = CONFIG + "  - {layer: extra.gpkg, reason: extra}\n"
    (tmp / "cfg_extra.yaml").write_text(text, encoding="utf-8")
    return tmp / "cfg_extra.yaml"


@settings(max_examples=10, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(boxes=st.lists(st.tuples(st.floats(-12_000, 12_000), st.floats(-9_000, 9_000),
                                st.floats(10, 6000), st.floats(10, 6000)),
                      min_size=1, max_size=4))
def test_adding_an_exclusion_never_increases_eligible_area(
    world: Path, boxes: list[tuple[float, float, float, float]]
) -> None:
    cat = _catalog(world)
    base = compute_eligibility(load_eligibility_config(world / "cfg.yaml"), catalog=cat)
    more = compute_eligibility(load_eligibility_config(_config_with_boxes(boxes, world)),
                               catalog=cat)
    assert more.total_km2 == base.total_km2
    assert more.eligible_km2 <= base.eligible_km2
    # and cell by cell: nothing eligible appears, only codes 0 → 4 change
    changed = more.reasons != base.reasons
    assert (base.reasons[changed] == 0).all() and (more.reasons[changed] == 4).all()


def test_unknown_layer_id_names_file_and_key(world: Path) -> None:
    text = CONFIG.replace("layer: t_roads", "layer: foo")
    (world / "bad.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as ei:
        compute_eligibility(load_eligibility_config(world / "bad.yaml"), catalog=_catalog(world))
    msg = str(ei.value)
    assert "bad.yaml" in msg and "vector_exclusions[1].layer" in msg
    assert "unknown layer id 'foo'" in msg and "t_region" in msg and "\n" not in msg


def test_where_matches_text_codes_and_lists(world: Path) -> None:
    cat = _catalog(world)
    base = compute_eligibility(load_eligibility_config(world / "cfg.yaml"), catalog=cat)
    for where in ("{code: 150602}", "{code: [150602]}", "{kind: [a, x]}"):
        (world / "w2.yaml").write_text(CONFIG.replace("{kind: a}", where), encoding="utf-8")
        res = compute_eligibility(load_eligibility_config(world / "w2.yaml"), catalog=cat)
        assert np.array_equal(res.reasons, base.reasons), where


def test_missing_where_field_and_wrong_kind(world: Path) -> None:
    (world / "w.yaml").write_text(CONFIG.replace("{kind: a}", "{knd: a}"), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"vector_exclusions\[0\]\.where\.knd.*no field 'knd'"):
        compute_eligibility(load_eligibility_config(world / "w.yaml"), catalog=_catalog(world))
    (world / "k.yaml").write_text(CONFIG.replace("layer: t_lc", "layer: t_zones"),
                                  encoding="utf-8")
    with pytest.raises(ConfigError, match="vector layer, not raster"):
        compute_eligibility(load_eligibility_config(world / "k.yaml"), catalog=_catalog(world))


def test_config_validation_messages(tmp_path: Path) -> None:
    p = tmp_path / "c.yaml"
    p.write_text("region: {layer: city}\nres_m: -5\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"c\.yaml:2: res_m"):
        load_eligibility_config(p)
    p.write_text("region: {layer: city}\nraster_exclusions:\n  - {layer: lc, reason: x}\n",
                 encoding="utf-8")
    with pytest.raises(ConfigError, match="codes"):
        load_eligibility_config(p)
    p.write_text("region: {layer: city}\nvector_exclusion: []\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown key 'vector_exclusion'"):
        load_eligibility_config(p)
    cfg = EligibilityConfig.model_validate({"region": {"layer": "city"}})
    assert cfg.crs == WORK_CRS_PROJ4 and cfg.res_m == 100


def test_example_config_is_valid(repo: Path) -> None:
    cfg = load_eligibility_config(
        repo / "ordos_geo" / "data" / "analyses" / "eligibility_example.yaml")
    assert cfg.region.layer == "city"
    assert cfg.raster_exclusions[0].codes == [0, 13]
    assert [v.layer for v in cfg.vector_exclusions] == ["red_lines", "nature_reserves",
                                                        "urban_cores"]
    assert cfg.vector_exclusions[2].buffer_m == 500


# --- CLI ------------------------------------------------------------------------------
_run = run_cli


def test_cli_json_last_line(world: Path, capsys: pytest.CaptureFixture[str]) -> None:
    mask = world / "out" / "mask.tif"
    code, out, err = _run(["eligibility", "--config", str(world / "cfg.yaml"), "--json",
                           "--res", "200", "--save-mask", str(mask)], capsys)
    assert code == 0, err
    summary = json.loads(out.strip().splitlines()[-1])
    for key in ("eligible_km2", "total_km2", "res_m", "crs", "grid_shape", "seconds"):
        assert key in summary
    assert summary["res_m"] == 200
    assert 0 < summary["eligible_km2"] <= summary["total_km2"]
    assert summary["total_km2"] == pytest.approx(_region().area / 1e6, rel=0.03)
    removed = sum(e["removed_km2"] for e in summary["exclusions"])
    assert summary["eligible_km2"] + removed == pytest.approx(summary["total_km2"], abs=0.01)
    with rasterio.open(mask) as src:
        arr = src.read(1)
        assert src.nodata == 255 and src.dtypes[0] == "uint8"
        assert list(arr.shape) == summary["grid_shape"]
        assert src.res == (200.0, 200.0)
    assert (arr == 1).sum() * 0.04 == pytest.approx(summary["eligible_km2"], abs=0.01)
    assert (arr != 255).sum() * 0.04 == pytest.approx(summary["total_km2"], abs=0.01)
    # existing output without --overwrite: refused, one line naming the flag
    code, out, err = _run(["eligibility", "--config", str(world / "cfg.yaml"),
                           "--save-mask", str(mask)], capsys)
    assert code == 1 and "--overwrite" in err and len(err.strip().splitlines()) == 1


def test_cli_missing_layer_id_exit_1(world: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = CONFIG.replace("layer: t_roads", "layer: foo")
    (world / "cfg2.yaml").write_text(text, encoding="utf-8")
    code, _out, err = _run(["eligibility", "--config", str(world / "cfg2.yaml")], capsys)
    assert code == 1
    lines = err.strip().splitlines()
    assert len(lines) == 1
    assert "cfg2.yaml" in lines[0] and "vector_exclusions[1].layer" in lines[0]
    assert "unknown layer id 'foo'" in lines[0]


def test_cli_human_output(world: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(["eligibility", "--config", str(world / "cfg.yaml"), "--res", "250"],
                          capsys)
    assert code == 0, err
    assert "eligible:" in out and "road + 500 m" in out
    assert math.isfinite(float(out.split("region: ")[1].split(" km²")[0].replace(",", "")))


def test_cli_user_catalog_and_crs(world: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--catalog overlays a user catalog (new id usable in the config); --crs is honoured."""
    shapely_box = shapely.box(X0 - 2000, Y0 - 2000, X0 + 2000, Y0 + 2000)
    user = world / "user"
    user.mkdir()
    gpd.GeoDataFrame({"i": [1]}, geometry=[shapely_box], crs=WORK_CRS).to_file(
        user / "blk.gpkg")
    (user / "cat.yaml").write_text(
        "version: 1\nlayers:\n  - {id: u_block, title_zh: 块, title_en: block, kind: vector,"
        f" path: blk.gpkg, crs: \"{WORK_CRS_PROJ4}\", roles: [exclusion], source: test,"
        " licence: MIT}\n", encoding="utf-8")
    cfg = world / "cfg_user.yaml"
    cfg.write_text(CONFIG + "  - {layer: u_block, reason: user block}\n", encoding="utf-8")
    code, out, err = _run(["eligibility", "--config", str(cfg), "--catalog",
                           str(user / "cat.yaml"), "--crs", "EPSG:32649", "--json"], capsys)
    assert code == 0, err
    s = json.loads(out.strip().splitlines()[-1])
    assert "32649" in s["crs"] or "UTM zone 49N" in s["crs"]
    assert s["exclusions"][-1]["layer"] == "u_block"
    assert s["exclusions"][-1]["removed_km2"] <= 16.0
    # without --catalog the id is unknown → exit 1 naming the key
    code, out, err = _run(["eligibility", "--config", str(cfg)], capsys)
    assert code == 1 and "vector_exclusions[2].layer" in err and "u_block" in err


def test_benchmark_builder_small(tmp_path: Path, repo: Path,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """benchmarks/synthetic.py builds seeded inputs that the engine runs on."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_synth",
                                                  repo / "benchmarks" / "synthetic.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    out = mod.build(tmp_path / "d", seed=1, n_zones=60, n_roads=4)
    zones = gpd.read_file(out / "zones.gpkg")
    assert len(zones) == 60
    a_km2 = zones.area / 1e6
    assert a_km2.min() > 0.02 and a_km2.max() < 150  # 0.05-50 km² before parts/holes
    assert (zones.geom_type == "MultiPolygon").any()
    assert any(len(p.interiors) for g in zones.geometry for p in getattr(g, "geoms", [g]))
    again = mod.build(tmp_path / "e", seed=1, n_zones=60, n_roads=4)
    z2 = gpd.read_file(again / "zones.gpkg")
    assert zones.geometry.geom_equals_exact(z2.geometry, tolerance=0).all()
    monkeypatch.setenv("ORDOS_GEO_LAYERS", str(out / "catalog.yaml"))
    res = compute_eligibility(load_eligibility_config(out / "eligibility.yaml"),
                              catalog=Catalog.load(), res_m=2000)
    assert 0 < res.eligible_km2 < res.total_km2


def test_cli_mask_and_reasons_are_written_whole(world: Path, capsys: pytest.CaptureFixture[str],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """A failure while writing the reasons leaves neither file of the new pair in place."""
    import errno
    import hashlib
    import os

    import ordos_geo.cli.eligibility as cli_elig

    out = world / "pair"
    mask, reasons = out / "mask.tif", out / "reasons.tif"
    args = ["eligibility", "--config", str(world / "cfg.yaml"), "--res", "400",
            "--save-mask", str(mask), "--save-reasons", str(reasons)]
    code, _, err = _run(args, capsys)
    assert code == 0, err
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in (mask, reasons)}
    real = cli_elig._write
    calls = []

    def failing(a, result, path, **kw):  # type: ignore[no-untyped-def]
        calls.append(path.name)
        if path.name == "reasons.tif":  # as write_cog reports an ENOSPC
            from ordos_geo.errors import OutputError

            raise OutputError(f"{path}: disk full ({os.strerror(errno.ENOSPC)}); free some "
                              "space and rerun")
        return real(a, result, path, **kw)

    monkeypatch.setattr(cli_elig, "_write", failing)
    args[4] = "200"  # a different grid: the new files would differ from the old ones
    code, _, err = _run([*args, "--overwrite"], capsys)
    assert code == 1 and "Traceback" not in err
    assert calls == ["mask.tif", "reasons.tif"]  # the new mask was written, then it failed
    after = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in (mask, reasons)}
    assert after == before  # the old pair stays, the new mask never replaced it
    assert sorted(p.name for p in out.iterdir()) == ["mask.tif", "reasons.tif"]
