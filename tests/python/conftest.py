from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import pytest
from warehouse import DEMO_LANDING, Warehouse


# Tests that share a module-scoped warehouse (fixtures used together form one group) run on
# one pytest-xdist worker, so it is built once; every other test is scheduled on its own.
# Workers work the groups out at collection and leave them in a file the controller's
# scheduler reads (xdist's own loadgroup cannot rename test ids under pytest 9).
GROUPS_FILE = "OPT_OUT_TEST_GROUPS_FILE"


# The suite's throwaway warehouses, landing areas and servers live on the machine's RAM disk
# when it has one with room (TMPDIR, unless already set): DuckDB syncs each commit to disk,
# and a build commits for every model. Nothing there outlives the run (pytest.ini keeps only a
# failed test's folder).
RAM_DISK, RAM_DISK_ROOM = Path("/dev/shm"), 4 << 30


def use_ram_disk() -> None:
    if "TMPDIR" in os.environ or not RAM_DISK.is_dir() or not os.access(RAM_DISK, os.W_OK | os.X_OK):
        return
    stats = os.statvfs(RAM_DISK)
    if stats.f_bavail * stats.f_frsize >= RAM_DISK_ROOM:
        os.environ["TMPDIR"] = str(RAM_DISK)  # the workers, and every command a test runs
        tempfile.tempdir = None  # this process asks again


def pytest_configure(config: pytest.Config) -> None:
    if not hasattr(config, "workerinput"):
        use_ram_disk()
    if not hasattr(config, "workerinput") and GROUPS_FILE not in os.environ:
        handle, path = tempfile.mkstemp(prefix="opt_out_test_groups_", suffix=".json")
        os.close(handle)
        os.environ[GROUPS_FILE] = config.opt_out_groups_file = path


def pytest_unconfigure(config: pytest.Config) -> None:
    """The groups file this run made is removed with it."""
    if getattr(config, "opt_out_groups_file", None):
        Path(config.opt_out_groups_file).unlink(missing_ok=True)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
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
    groups = {item.nodeid: root(shared[0]) for item, shared in shared_by_item.items() if shared}
    # The heaviest work first, so that two workers finish together: groups holding a slow
    # test, the bigger before the smaller; the quick tests fill in at the end. (The same
    # order on every worker: xdist checks the collections agree.)
    members: dict[str, list[pytest.Item]] = {}
    for item in items:
        members.setdefault(groups.get(item.nodeid, item.nodeid), []).append(item)
    ranked = sorted(members.values(), key=lambda group: (
        not any(i.get_closest_marker("slow") for i in group), -len(group)))
    items[:] = [item for group in ranked for item in group]
    if os.environ.get(GROUPS_FILE) and os.environ.get("PYTEST_XDIST_WORKER"):
        path = Path(os.environ[GROUPS_FILE])
        partial = path.with_name(f"{path.name}.{os.environ['PYTEST_XDIST_WORKER']}")
        partial.write_text(json.dumps(groups))
        partial.replace(path)  # whole, whichever worker writes last


def pytest_xdist_make_scheduler(config: pytest.Config, log):
    from xdist.scheduler import LoadScopeScheduling

    config.option.loadscopereorder = False  # keep the order collection gave (above)

    class SharedWarehouseScheduling(LoadScopeScheduling):
        """LoadScope whose scope is a test's group, or the test itself."""

        groups: dict[str, str] | None = None

        def _split_scope(self, nodeid: str) -> str:
            if self.groups is None:
                text = Path(os.environ[GROUPS_FILE]).read_text() if os.environ.get(GROUPS_FILE) else ""
                self.groups = json.loads(text) if text else {}
            return self.groups.get(nodeid, nodeid)

    return SharedWarehouseScheduling(config, log)


@pytest.fixture(scope="session")
def demo_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    """The demo landing data built once, from an empty warehouse (runs every dbt test too)."""
    warehouse = Warehouse(tmp_path_factory.mktemp("demo"), unit_tests=True)
    warehouse.land(DEMO_LANDING)
    warehouse.first_build = warehouse.build()
    return warehouse


@pytest.fixture
def warehouse(tmp_path) -> Warehouse:
    """An empty warehouse with an empty landing area."""
    w = Warehouse(tmp_path)
    w.landing.mkdir()
    return w
