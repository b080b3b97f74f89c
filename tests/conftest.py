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
