from __future__ import annotations

import pytest
from warehouse import DEMO_LANDING, Warehouse


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """With pytest-xdist (`-n`, pytest.ini), tests that share a module-scoped warehouse run on
    one worker, so it is built once (fixtures used together form one group); the rest are
    spread test by test (--dist loadgroup)."""
    parent: dict[str, str] = {}

    def root(name: str) -> str:
        while parent.setdefault(name, name) != name:
            name = parent[name]
        return name

    shared_by_item = {}
    for item in items:
        info = getattr(item, "_fixtureinfo", None)
        shared = sorted(
            f"{item.module.__name__}.{name}"
            for name, definitions in (info.name2fixturedefs.items() if info else [])
            if definitions and definitions[-1].scope in ("module", "class", "package")
        )
        for name in shared[1:]:
            parent[root(name)] = root(shared[0])
        shared_by_item[item] = shared
    for item, shared in shared_by_item.items():
        if shared:
            item.add_marker(pytest.mark.xdist_group(root(shared[0])))


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
