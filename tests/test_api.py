"""The front door ``import ordos_geo as og``: thin wrappers with the library's results."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import ordos_geo as og
from ordos_geo.catalog import Catalog
from ordos_geo.crs import WORK_CRS
from ordos_geo.grid import Grid
from ordos_geo.io.projects import read_projects
from ordos_geo.resources import analysis_path, data_path


@pytest.fixture(scope="module")
def cat() -> Catalog:
    return og.open_catalog()


def test_public_names_are_documented() -> None:
    doc = (Path(__file__).resolve().parents[1] / "docs" / "api.md").read_text(encoding="utf-8")
    for name in og.__all__:
        if not name.startswith("_"):
            assert name in doc, name
            assert getattr(og, name).__doc__, name


def test_read_raster_on_a_grid_equals_the_catalog_warp(cat) -> None:
    banners = cat.vector("banners").to_crs(WORK_CRS)
    grid = Grid.from_bounds(banners.total_bounds, res_m=4000, crs=WORK_CRS)
    via_read = og.read(cat.raster_path("elevation"), grid=grid)
    via_catalog = cat.raster_to_grid("elevation", grid)
    assert isinstance(via_read, np.ma.MaskedArray) and via_read.shape == grid.shape
    np.testing.assert_array_equal(via_read.filled(-1), via_catalog.filled(-1))


def test_read_raster_band_out_of_range_is_one_line(cat) -> None:
    with pytest.raises(og.ConfigError, match=r"band 99 does not exist .*band=1\.\.12"):
        og.read(cat.raster_path("linke_turbidity"), band=99)


def test_read_projects_folder_equals_read_projects() -> None:
    folder = analysis_path("projects")
    gdf = og.read(folder, kind="projects")
    ref = read_projects([folder])
    assert list(gdf["id"]) == list(ref["id"]) and gdf.crs == ref.crs


def test_read_unknown_kind_and_missing_file() -> None:
    with pytest.raises(og.ConfigError, match="kind 'table'"):
        og.read(data_path("layers", "banners.gpkg"), kind="table")  # type: ignore[arg-type]
    with pytest.raises(og.LayerIOError, match=r"nope\.gpkg"):
        og.read("nope.gpkg")


def test_eligibility_engines_agree_and_bad_engine_is_refused(cat) -> None:
    cfg = analysis_path("eligibility_example.yaml")
    mem = og.eligible_land(cfg, catalog=cat, res_m=4000)
    dask = og.eligible_land(cfg, catalog=cat, res_m=4000, engine="dask")
    assert mem.eligible_km2 == pytest.approx(dask.eligible_km2)
    assert mem.total_km2 == pytest.approx(dask.total_km2)
    with pytest.raises(og.ConfigError, match="engine 'gpu'"):
        og.eligible_land(cfg, catalog=cat, engine="gpu")  # type: ignore[arg-type]


def test_check_takes_one_path_or_several(cat) -> None:
    one = analysis_path("projects") / "a_plan_points.csv"
    single = og.check(one, catalog=cat)
    both = og.check([one, analysis_path("projects") / "b_ledger.geojson"], catalog=cat)
    assert len(both.projects) > len(single.projects) > 0
    assert list(both.projects["id"][: len(single.projects)]) == list(single.projects["id"])


def test_front_door_names_survive_importing_every_submodule() -> None:
    """Importing a submodule rebinds its name on the package: no front-door name may clash."""
    import importlib
    import pkgutil

    for mod in pkgutil.walk_packages(og.__path__, "ordos_geo."):
        if not mod.name.startswith(("ordos_geo.static", "ordos_geo.cli")):
            importlib.import_module(mod.name)
    for name in og.api.__all__:
        if name.isupper():
            continue
        assert callable(getattr(og, name)) and getattr(og, name) is getattr(og.api, name), name
