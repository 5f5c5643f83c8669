"""Drive dbt the way a data engineer does (the CLI), on a throwaway DuckDB file."""

from __future__ import annotations

import atexit
import contextlib
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb

PROJECT_DIR = Path(__file__).resolve().parents[2]
DEMO_LANDING = PROJECT_DIR / "demo_data" / "landing"
DBT = str(Path(sys.executable).with_name("dbt"))


class DbtFailed(AssertionError):
    pass


# dbt's parse (partial_parse.msgpack), kept per process for each project, profile settings and
# vars: a warehouse's first dbt command starts from it instead of parsing the project again
# (dbt still checks every file against it, so a changed file is parsed again).
_PARSED: dict[tuple, Path] = {}
_PARSE_CACHE = Path(tempfile.mkdtemp(prefix="opt_out_test_parse_"))
# Warehouses built from empty on demo months, kept per process: a test whose starting point
# (not subject) is such a build gets a copy (built_demo).
_BUILT: dict[tuple[str, ...], Path] = {}
atexit.register(lambda: [shutil.rmtree(p, ignore_errors=True) for p in [_PARSE_CACHE, *_BUILT.values()]])


@dataclass
class Warehouse:
    """A DuckDB warehouse file plus the landing area and dbt artefacts that go with it."""

    root: Path
    project_dir: Path = PROJECT_DIR
    # dbt build runs the rules' unit tests (data-independent: the demo build and each engine
    # run them; a test about unit tests turns them on).
    unit_tests: bool = False

    @property
    def db_path(self) -> Path:
        return self.root / "warehouse.duckdb"

    @property
    def landing(self) -> Path:
        return self.root / "landing"

    @property
    def publication(self) -> Path:
        return self.root / "publication"

    @property
    def analyst_copy(self) -> Path:
        return self.root / "warehouse_analyst.duckdb"

    @property
    def parquet(self) -> Path:
        """The public marts as Parquet (SPEC §9), beside the analyst copy."""
        return self.root / "warehouse_parquet"

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            DBT_PROFILES_DIR=str(self.project_dir),
            OPT_OUT_DUCKDB_PATH=str(self.db_path),
            DBT_SEND_ANONYMOUS_USAGE_STATS="False",
        )
        return env

    def dbt_command(self, *args: str, extra_vars: dict | None = None) -> list[str]:
        variables = {"landing_dir": str(self.landing), "publication_dir": str(self.publication), **(extra_vars or {})}
        return [
            DBT, *args,
            "--vars", json.dumps(variables),
            "--target-path", str(self.root / "target"),
            "--log-path", str(self.root / "logs"),
        ]

    def dbt(self, *args: str, check: bool = True, extra_vars: dict | None = None,
            cli: bool = False) -> subprocess.CompletedProcess:
        """dbt as a data engineer runs it, from this warehouse's folder: the warehouse file,
        landing area and publication folder are relative paths there, so every warehouse has
        the same profile and vars and starts from the parse an earlier one left.
        check: a failing command fails the test. cli: the command line itself is the test's
        subject (what reaches stderr, that no Python traceback does): run dbt's executable,
        never in this process."""
        variables = {"landing_dir": "landing", "publication_dir": "publication", **(extra_vars or {})}
        command = [
            DBT, *args, "--project-dir", str(self.project_dir),
            # Absolute: dbt resolves a relative target path against the project, not this folder.
            "--vars", json.dumps(variables), "--target-path", str(self.root / "target"),
            "--log-path", str(self.root / "logs"),
        ]
        env = self.env()
        env.update(OPT_OUT_DUCKDB_PATH=self.db_path.name,
                   PYTHONPATH=os.pathsep.join(filter(None, [str(self.project_dir), env.get("PYTHONPATH")])))
        key = (str(self.project_dir), json.dumps(variables, sort_keys=True),
               tuple(sorted((k, v) for k, v in env.items() if k.startswith(("OPT_OUT_", "DBT_")))))
        parsed = self.root / "target" / "partial_parse.msgpack"
        # A copy of the project starts from the repository's parse with the same settings:
        # dbt compares every file with it and parses again only what the test changed.
        as_repository = (str(PROJECT_DIR), key[1], tuple(
            (name, str(PROJECT_DIR) if value == str(self.project_dir) else value) for name, value in key[2]))
        start = _PARSED.get(key) or _PARSED.get(as_repository)
        if start and not parsed.exists():
            parsed.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(start, parsed)
        self.root.mkdir(parents=True, exist_ok=True)
        if not cli and self._in_process(env):
            result = _dbt_in_process(command, cwd=self.root, env=env)
        else:
            result = subprocess.run(command, cwd=self.root, env=env, capture_output=True, text=True, timeout=900)
        if key not in _PARSED and parsed.exists():
            _PARSED[key] = _PARSE_CACHE / f"{len(_PARSED)}.msgpack"
            shutil.copyfile(parsed, _PARSED[key])
        if check and result.returncode != 0:
            raise DbtFailed(f"dbt {' '.join(args)} failed:\n{result.stdout[-6000:]}\n{result.stderr[-2000:]}")
        return result

    def _in_process(self, env: dict[str, str]) -> bool:
        """Whether this dbt command may run in the test's own process (dbtRunner gives the same
        console output and the exit code the CLI gives, without a Python start and dbt's
        imports): on DuckDB, with the Python the build calls (the whole opt_out_io package,
        templates included) exactly the repository's, the one this process imported."""
        if env.get("OPT_OUT_TARGET", "duckdb") != "duckdb" or os.environ.get("OPT_OUT_TEST_DBT_CLI"):
            return False
        if self.project_dir == PROJECT_DIR:
            return True
        return _package_files(PROJECT_DIR) == _package_files(self.project_dir)

    def build(self, *args: str, **kwargs) -> subprocess.CompletedProcess:
        if not self.unit_tests and "--exclude-resource-type" not in args:
            args = (*args, "--exclude-resource-type", "unit_test")
        return self.dbt("build", *args, **kwargs)

    def built_demo(self, months: list[str] | None = None) -> None:
        """Land the demo (all of it, or these months' opt-out codes and practice counts) and
        build from empty, as a starting point:
        the warehouse and publication files are copied from a warehouse built once per test
        process on the same files with the repository's project (a test that copied the
        project changes it only after this). Tests whose subject is the build from empty
        build it themselves."""
        key = tuple(months) if months else ("whole demo",)
        self.root.mkdir(parents=True, exist_ok=True)
        assert not self.db_path.exists() and not any(self.landing.glob("*/*")), "built_demo starts from empty"
        if key not in _BUILT:
            built = Warehouse(Path(tempfile.mkdtemp(prefix="opt_out_test_built_")))
            built.land_demo(months)
            built.build()
            _BUILT[key] = built.root
        source = _BUILT[key]
        self.land_demo(months)
        for path in source.iterdir():
            if path.is_file() and path.name.startswith(("warehouse.duckdb", "warehouse_analyst.duckdb")):
                shutil.copy2(path, self.root / path.name)
        if (source / "publication").is_dir():
            shutil.copytree(source / "publication", self.publication, dirs_exist_ok=True)

    def land_demo(self, months: list[str] | tuple[str, ...] | None = None) -> None:
        """The whole demo landing area, or these months' opt-out codes and practice counts —
        with the demo's NHS number changes (SPEC §9) landed with the earliest month given, so
        that the months built one by one end where the whole demo does."""
        if not months:
            self.land(DEMO_LANDING)
        for month in months or ():
            for feed in ("opt_out_codes", "practice_counts"):
                if (DEMO_LANDING / feed / month).is_dir():
                    self.land(DEMO_LANDING / feed / month, f"{feed}/{month}")
            if month == demo_months()[0] and not (self.landing / "nhs_number_changes").exists():
                self.land(DEMO_LANDING / "nhs_number_changes", "nhs_number_changes")

    def query(self, sql: str) -> list[tuple]:
        with duckdb.connect(str(self.db_path), read_only=True) as con:
            return con.execute(sql).fetchall()

    def table(self, name: str, order_by: str | None = None) -> list[tuple]:
        return self.query(f"select * from {name}" + (f" order by {order_by}" if order_by else " order by all"))

    def land(self, source: Path, relative: str = "") -> None:
        """Copy a landing tree (or part of one) into this warehouse's landing area."""
        target = self.landing / relative
        if source.is_dir():
            shutil.copytree(source, target, dirs_exist_ok=True)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)

    def all_text_values(self) -> set[str]:
        """Every text value stored in any table of the warehouse (views excluded: they store nothing)."""
        values: set[str] = set()
        with duckdb.connect(str(self.db_path), read_only=True) as con:
            columns = con.execute(
                """
                select c.table_schema, c.table_name, c.column_name
                from information_schema.columns as c
                join information_schema.tables as t
                    on c.table_schema = t.table_schema and c.table_name = t.table_name
                where t.table_type = 'BASE TABLE' and c.data_type = 'VARCHAR'
                """
            ).fetchall()
            for schema, table, column in columns:
                rows = con.execute(f'select distinct "{column}" from "{schema}"."{table}"').fetchall()
                values.update(row[0] for row in rows if row[0] is not None)
        return values


def _package_files(project_dir: Path) -> dict[str, bytes]:
    """Every file of the project's opt_out_io package (its templates too), by relative path."""
    package = project_dir / "opt_out_io"
    return {str(p.relative_to(package)): p.read_bytes() for p in sorted(package.rglob("*"))
            if p.is_file() and "__pycache__" not in p.parts}


def _dbt_in_process(command: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    """`command` (dbt's command line) run by dbtRunner in this process, from `cwd` with `env`,
    as the command line would: its console output, and the exit code dbt's CLI gives (0, 1 for
    a failing node, 2 for an error). It saves a Python start and dbt's imports per command
    (about a third of a demo build with nothing new). The warehouse file is closed afterwards:
    dbt-duckdb keeps its database open for the process otherwise."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    from dbt.cli.main import dbtRunner

    saved_env, saved_cwd = dict(os.environ), os.getcwd()
    out, err = io.StringIO(), io.StringIO()
    try:
        os.environ.clear()
        os.environ.update(env)
        os.chdir(cwd)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            outcome = dbtRunner().invoke(command[1:])
    finally:
        with DuckDBConnectionManager._LOCK:
            environment, DuckDBConnectionManager._ENV = DuckDBConnectionManager._ENV, None
        if environment is not None:
            environment.close()
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)
    code = 0 if outcome.success else 2 if outcome.exception is not None else 1
    if outcome.exception is not None:
        err.write(f"{type(outcome.exception).__name__}: {outcome.exception}\n")
    return subprocess.CompletedProcess(command, code, out.getvalue(), err.getvalue())


def copy_project(destination: Path) -> Path:
    """A copy of the dbt project (no virtualenv, artefacts or warehouse) to change in a test."""
    ignore = shutil.ignore_patterns(".venv", ".git", "target", "logs", "warehouse", "__pycache__", ".hypothesis",
                                    ".pytest_cache", "tests")
    shutil.copytree(PROJECT_DIR, destination, ignore=ignore)
    shutil.copytree(PROJECT_DIR / "tests" / "dbt", destination / "tests" / "dbt")
    return destination


def demo_months() -> list[str]:
    return sorted(p.name for p in (DEMO_LANDING / "opt_out_codes").iterdir() if p.is_dir())
