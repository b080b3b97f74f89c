"""Silently wrong numbers (issue 18): CRS areas, float32 overflow, non-finite values."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest
from affine import Affine
from pydantic import Field

from ordos_geo.config import ConfigError, StrictModel, load_yaml, validate
from ordos_geo.crs import WORK_CRS, check_equal_area
from ordos_geo.errors import LayerIOError
from ordos_geo.grid import Grid, check_geotransform
from ordos_geo.raster.classes import raster_class_mask

# Ordos in the equal-area working CRS (metres), roughly the city's bounds
ORDOS_AEA = (-160_000.0, -150_000.0, 270_000.0, 210_000.0)


def test_equal_area_crs_accepted() -> None:
    check_equal_area(WORK_CRS, where="grid.crs", bounds=ORDOS_AEA)
    check_equal_area("EPSG:6933", where="grid.crs")  # EASE-Grid 2.0, cylindrical equal-area


def test_web_mercator_refused_with_the_error_size_and_a_fix() -> None:
    from pyproj import Transformer

    tr = Transformer.from_crs(WORK_CRS, 3857, always_xy=True)
    b = tr.transform_bounds(*ORDOS_AEA)
    with pytest.raises(ConfigError) as exc:
        check_equal_area("EPSG:3857", where="--crs", bounds=b)
    msg = str(exc.value)
    # Mercator areas scale with 1/cos²(lat): ≈ +65 % at 38° N, +80 % at 41° N
    assert msg.startswith("--crs: EPSG:3857 is not equal-area (cell areas off by up to +")
    assert "equal-area Albers" in msg
    worst = float(msg.split("up to +")[1].split("%")[0])
    assert 60 < worst < 85


def test_gauss_krueger_zone_inside_its_band_accepted() -> None:
    # zone 37 (CM 111° E), a 0.5° strip next to the central meridian: distortion < 0.01 %
    from pyproj import Transformer

    tr = Transformer.from_crs(4326, 4525, always_xy=True)
    b = tr.transform_bounds(110.6, 39.0, 111.1, 39.5)
    check_equal_area("EPSG:4525", where="grid.crs", bounds=b)
    with pytest.raises(ConfigError, match="not an equal-area projection"):
        check_equal_area("EPSG:4525", where="grid.crs")  # without bounds: method only


def test_class_range_bounds_never_overflow_float32() -> None:
    # ±1e308 in float32 is ±inf: "≤ 1e308" matched every ±inf cell (100 % removed)
    arr = np.array([np.inf, -np.inf, 5.0, np.nan], dtype="float32")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "overflow encountered in cast"
        got = raster_class_mask(arr, ranges=[[-1e308, 1e308]])
    assert got.tolist() == [False, False, True, False]


def test_inf_raster_cells_are_nodata(tmp_path: Path) -> None:
    import rasterio

    from ordos_geo.io.raster import read_to_grid

    p = tmp_path / "r.tif"
    prof = {"driver": "GTiff", "dtype": "float32", "count": 1, "height": 4, "width": 4,
            "transform": Affine(100, 0, 37_500_000, 0, -100, 4_400_000), "crs": "EPSG:4525"}
    arr = np.array([[np.inf, -np.inf, 1, 2]] * 4, dtype="float32")
    with rasterio.Env(GDAL_PAM_ENABLED="NO"), rasterio.open(p, "w", **prof) as dst:
        dst.write(arr, 1)
    g = Grid.from_bounds((37_500_000, 4_399_600, 37_500_400, 4_400_000), res_m=100,
                         crs="EPSG:4525")
    got = read_to_grid(p, g)
    mask = np.ma.getmaskarray(got)
    assert mask[:, :2].all() and not mask[:, 2:].any()


class _Cfg(StrictModel):
    res_m: float = Field(gt=0, description="cell size, metres")


@pytest.mark.parametrize("value", [".inf", "-.inf", ".nan"])
def test_config_refuses_non_finite_numbers(tmp_path: Path, value: str) -> None:
    p = tmp_path / "a.yaml"
    p.write_text(f"res_m: {value}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"a.yaml.*res_m.*finite number"):
        validate(_Cfg, load_yaml(p), p)


def test_yaml_nested_20000_deep_is_a_config_error(tmp_path: Path) -> None:
    p = tmp_path / "deep.yaml"
    p.write_text("a: " + "[" * 20_000 + "]" * 20_000 + "\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"deep\.yaml: YAML nested too deeply"):
        load_yaml(p)


@pytest.mark.parametrize(("t", "what"), [
    (Affine(0, 0, 0, 0, -1, 0), "pixel size is 0"),
    (Affine(1, 0, 0, 0, 0, 0), "pixel size is 0"),
    (Affine(1, 0.1, 0, 0, -1, 0), "rotated geotransform"),
    (Affine(float("nan"), 0, 0, 0, -1, 0), "non-finite"),
])
def test_broken_geotransforms_refused(t: Affine, what: str) -> None:
    with pytest.raises(LayerIOError, match=what):
        check_geotransform(t, "x.tif")
