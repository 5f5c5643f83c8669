from __future__ import annotations

import pytest
from warehouse import DEMO_LANDING, Warehouse


@pytest.fixture(scope="session")
def demo_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    """The demo landing data built once, from an empty warehouse (runs every dbt test too)."""
    warehouse = Warehouse(tmp_path_factory.mktemp("demo"), unit_tests=True)
    warehouse.land(DEMO_LANDING)
    warehouse.build()
    return warehouse


@pytest.fixture
def warehouse(tmp_path) -> Warehouse:
    """An empty warehouse with an empty landing area."""
    w = Warehouse(tmp_path)
    w.landing.mkdir()
    return w
