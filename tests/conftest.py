"""Shared pytest fixtures for ordos_geo."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
#: The package data (default layers and analyses), as shipped in the wheel.
DATA = REPO / "ordos_geo" / "data"


@pytest.fixture(scope="session")
def repo() -> Path:
    """Repository root."""
    return REPO


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The package's data folder (``layers/`` and ``analyses/``)."""
    return DATA


# Tests that take tens of seconds (measured on 2 cores): `make test` (CI) runs them,
# `make test-fast` (-m "not slow") skips them. Whole modules, single tests, and the tests
# that share an expensive module fixture. Browser tests are always slow.
SLOW_MODULES = {
    "test_main_job.py",  # the whole `ordos-geo run` on the default layers
    "test_siting_perf.py",  # 30 m siting and parallel COG writes
    "test_report_speed.py",
    "test_maps_browser.py",
    "test_maps_symbols_browser.py",
}
SLOW_TESTS = {
    "test_scale.py::test_full_grid_larger_than_worker_memory",
    "test_rasterize.py::test_rasterised_area_matches_vector_area",
}
SLOW_FIXTURES = {("test_report.py", "built")}  # builds the full report once (~60 s)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Add the ``slow`` marker to the long tests listed above and to browser tests."""
    for item in items:
        module = item.path.name
        name = f"{module}::{item.name.split('[')[0]}"
        fixtures = set(getattr(item, "fixturenames", ()))
        if (module in SLOW_MODULES or name in SLOW_TESTS or item.get_closest_marker("browser")
                or any(m == module and f in fixtures for m, f in SLOW_FIXTURES)):
            item.add_marker(pytest.mark.slow)
