"""The same project on PostgreSQL and Apache Spark (README, Other engines).

Each engine gets the demo landing files through python -m opt_out_io load-landing and runs the
whole `dbt build` (every model, snapshot where the engine has one, data test and unit
test). Then every mart of docs/rules.md §3, and every release, must hold exactly the rows the
DuckDB build holds, and nothing landed may be stored where DuckDB would not store it.

PostgreSQL is a private server started by scripts/postgres_server.sh (installed from
Debian's packages when missing); Spark runs in-process (local pyspark, Java 17).
"""

from __future__ import annotations

import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field

import pytest
import reference
from test_releases import gp_reference
from warehouse import DEMO_LANDING, PROJECT_DIR, Warehouse, copy_project


# docs/rules.md §3 marts and the demo releases. received_at is the time of the run, not data.
COMPARED = {
    "main.opt_out_events": None,
    "main.opt_out_periods": None,
    "main.current_opt_outs": None,
    "main.rejected_rows": ["received_at"],
    "main.practice_opt_out_statistics": None,
    "main.ccg_opt_out_statistics": None,
    "main.national_opt_out_statistics": None,
    "main.individual_gp_level_data": None,
    "main.nhs_number_change_conflicts": ["linked_at"],
    "releases.release_hes_research_extract": None,
    "releases.release_hes_research_extract_2025_09_01": None,
    "releases.release_hes_cancer_registration": None,
}
PG_DATABASE = "opt_out"  # the default: the suite has a server of its own
PG_DEFAULTED = ("OPT_OUT_PG_HOST", "OPT_OUT_PG_PASSWORD", "OPT_OUT_PG_DATABASE", "OPT_OUT_PG_USER", "OPT_OUT_PG_PORT")
PG_SERVER: dict[str, str] = {}  # the suite's own server: its folder


@dataclass
class EngineWarehouse(Warehouse):
    """A warehouse on another engine: the `target` of profiles.yml and its settings."""

    target: str = "postgres"
    settings: dict[str, str] = field(default_factory=dict)
    unit_tests: bool = True  # the rules' SQL differs by engine: every build runs them

    def env(self) -> dict[str, str]:
        env = {**super().env(), "OPT_OUT_TARGET": self.target, **self.settings}
        for name in PG_DEFAULTED:  # the defaults: this clone's server, peer login, no password
            env.pop(name, None)
        return env

    def load(self) -> subprocess.CompletedProcess:
        result = subprocess.run(
            [sys.executable, "-m", "opt_out_io", "load-landing", "--target", self.target, "--landing-dir", str(self.landing)],
            cwd=self.project_dir, env=self.env(), capture_output=True, text=True, timeout=900,
        )
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
        return result


def normalised(rows: list[tuple]) -> list[tuple]:
    """Rows as plain Python values in one order (drivers differ only in their classes)."""
    def value(v):
        return v.isoformat() if isinstance(v, datetime.date) else v  # datetimes are dates too
    return sorted((tuple(value(v) for v in row) for row in rows), key=repr)


def columns_of(duck: Warehouse, table: str) -> list[str]:
    schema, name = table.split(".")
    skip = COMPARED[table] or []
    rows = duck.query("select column_name from information_schema.columns "
                      f"where table_schema = '{schema}' and table_name = '{name}' order by ordinal_position")
    columns = [c for (c,) in rows if c not in skip]
    assert columns, f"{table} has no columns on DuckDB"
    return columns


# --- PostgreSQL -------------------------------------------------------------------------

def pg_connect(database: str = PG_DATABASE):
    import psycopg2

    return psycopg2.connect(host=PG_SERVER["data"], port=54329, user="opt_out", dbname=database)


@pytest.fixture(scope="module")
def postgres(tmp_path_factory) -> EngineWarehouse:
    """The demo built on a PostgreSQL server of the suite's own (one clone, one server: a
    folder, socket and database nobody else uses), stopped and removed afterwards."""
    pg_data = tempfile.mkdtemp(prefix="opt_out_pg_test_")
    export_dir = tempfile.mkdtemp(prefix="opt_out_pg_landing_")
    settings = {"OPT_OUT_PG_DATA": pg_data, "OPT_OUT_LANDING_EXPORT_DIR": export_dir}
    environment = {name: value for name, value in {**os.environ, **settings}.items() if name not in PG_DEFAULTED}
    server = subprocess.run(["bash", "scripts/postgres_server.sh", "start"], cwd=PROJECT_DIR, env=environment,
                            capture_output=True, text=True, timeout=900)
    try:
        assert server.returncode == 0, server.stdout + server.stderr
        PG_SERVER["data"] = pg_data
        warehouse = EngineWarehouse(tmp_path_factory.mktemp("postgres"), target="postgres", settings=settings)
        warehouse.land(DEMO_LANDING)
        warehouse.load()
        warehouse.first_build = warehouse.build()
        yield warehouse
    finally:
        subprocess.run(["bash", "scripts/postgres_server.sh", "stop"], cwd=PROJECT_DIR, env=environment,
                       capture_output=True, timeout=300)
        shutil.rmtree(export_dir, ignore_errors=True)
        shutil.rmtree(pg_data, ignore_errors=True)


def pg_rows(table: str, columns: list[str]) -> list[tuple]:
    with pg_connect() as connection, connection.cursor() as cursor:
        cursor.execute(f"select {', '.join(columns)} from {table}")
        return cursor.fetchall()


def pg_stored_text() -> set[str]:
    """Every text value in any table of the database (views and foreign tables store nothing)."""
    values: set[str] = set()
    with pg_connect() as connection, connection.cursor() as cursor:
        cursor.execute("""
            select c.table_schema, c.table_name, c.column_name
            from information_schema.columns as c
            join information_schema.tables as t using (table_schema, table_name)
            where t.table_type = 'BASE TABLE' and c.data_type in ('text', 'character varying')
              and c.table_schema not in ('pg_catalog', 'information_schema')""")
        for schema, table, column in cursor.fetchall():
            cursor.execute(f'select distinct "{column}" from "{schema}"."{table}"')
            values.update(v for (v,) in cursor.fetchall() if v is not None)
    return values


def test_postgres_build_runs_every_test(postgres: EngineWarehouse) -> None:
    out = postgres.first_build.stdout
    assert "Completed successfully" in out
    # The whole suite ran on Postgres: unit tests, data tests and the snapshot.
    assert "START unit_test" in out and "START test " in out and "START snapshot" in out
    assert "ERROR=0" in out and "SKIP=0" in out


def test_postgres_server_belongs_to_one_clone(postgres: EngineWarehouse, tmp_path) -> None:
    """One clone, one server: another clone can neither take over this clone's server (start)
    nor load into it, and is told in one sentence to set OPT_OUT_PG_DATA; this clone's server
    still answers (peer login: the build above ran with no password set anywhere)."""
    other = copy_project(tmp_path / "other_clone")
    env = postgres.env()
    assert "OPT_OUT_PG_PASSWORD" not in env
    start = subprocess.run(["bash", "scripts/postgres_server.sh", "start"], cwd=other, env=env,
                           capture_output=True, text=True, timeout=300)
    load = subprocess.run([sys.executable, "-m", "opt_out_io", "load-landing", "--target", "postgres",
                           "--landing-dir", str(postgres.landing)], cwd=other, env=env,
                          capture_output=True, text=True, timeout=300)
    for refused in (start, load):
        assert refused.returncode != 0
        message = refused.stderr.strip()
        assert f"belongs to the clone at {PROJECT_DIR}" in message and "OPT_OUT_PG_DATA" in message, message
        assert "Traceback" not in message and len(message.splitlines()) == 1, message
    assert pg_rows("main.current_opt_outs", ["count(*)"])[0][0] > 0


def test_postgres_rebuild_receives_nothing_twice(postgres: EngineWarehouse) -> None:
    """Building again on the same files (reloaded) receives nothing twice."""
    before = pg_rows("intermediate.int_opt_out_code_rows_received", ["count(*)"])
    postgres.load()
    postgres.build()
    assert pg_rows("intermediate.int_opt_out_code_rows_received", ["count(*)"]) == before
    assert pg_rows("main.landing_file_reconciliation", ["count(*)"])[0][0] > 0


def test_postgres_stores_no_type1_or_excluded_numbers(postgres: EngineWarehouse) -> None:
    """R4 and R14 on Postgres: landed rows are read through foreign tables, never stored."""
    expected = reference.compute(postgres.landing)
    _, excluded = gp_reference(postgres.landing)
    assert expected.type1_nhs_numbers and excluded
    stored = pg_stored_text()
    assert not {n for n in expected.type1_nhs_numbers | excluded if any(n in v for v in stored)}


@pytest.mark.parametrize("table", sorted(COMPARED))
def test_postgres_marts_identical_to_duckdb(demo_warehouse: Warehouse, postgres: EngineWarehouse, table: str) -> None:
    columns = columns_of(demo_warehouse, table)
    duck = normalised(demo_warehouse.query(f"select {', '.join(columns)} from {table}"))
    assert duck, f"{table} is empty on DuckDB: nothing would be compared"
    assert normalised(pg_rows(table, columns)) == duck


# --- Spark ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def spark(tmp_path_factory) -> EngineWarehouse:
    root = tmp_path_factory.mktemp("spark")
    # dbt runs from the warehouse folder: the profile's default (project-relative) Spark log
    # settings, scripts/spark_log4j2.properties, are found there as from the project.
    (root / "scripts").symlink_to(PROJECT_DIR / "scripts")
    warehouse = EngineWarehouse(root, target="spark", settings={"OPT_OUT_SPARK_DIR": str(root / "spark"),
                                                               "OPT_OUT_LANDING_EXPORT_DIR": str(root / "export")})
    warehouse.land(DEMO_LANDING)
    warehouse.load()
    warehouse.first_build = warehouse.build()
    # Read the results in one Spark session (its catalogue admits one process at a time).
    script = ["import json, sys", f"sys.path.insert(0, {str(PROJECT_DIR)!r})",
              "from opt_out_io.landing_export import spark_session", "spark = spark_session()", "out = {}"]
    for table in COMPARED:
        script.append(f"out[{table!r}] = [[None if v is None else (v.isoformat() if hasattr(v, 'isoformat') else v) "
                      f"for v in r] for r in spark.table({table!r}).collect()]")
        script.append(f"out[{table!r} + ':columns'] = spark.table({table!r}).columns")
    script.append("print('RESULT' + json.dumps(out))")
    result = subprocess.run([sys.executable, "-c", "\n".join(script)], cwd=PROJECT_DIR, env=warehouse.env(),
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    payload = json.loads(result.stdout.split("RESULT", 1)[1])
    warehouse.tables = {}
    for table in COMPARED:
        names = payload[table + ":columns"]
        warehouse.tables[table] = (names, payload[table])
    return warehouse


@pytest.mark.slow
def test_spark_build_runs_every_test(spark: EngineWarehouse) -> None:
    out = spark.first_build.stdout
    assert "Completed successfully" in out
    assert "START unit_test" in out and "START test " in out
    assert "ERROR=0" in out and "SKIP=0" in out
    # No Delta Lake: no snapshot; opt_out_periods is the history (README, Other engines).
    assert "START snapshot" not in out
    # The console is dbt's: none of Spark's Java log (warnings, error records of statements
    # dbt expects to fail), which scripts/spark_log4j2.properties keeps to fatal errors.
    console = (out + spark.first_build.stderr).splitlines()
    noise = [line for line in console if '"level"' in line or "org.apache" in line or re.search(r"\bWARN\b(?!=)", line)]
    assert not noise, f"{len(noise)} lines of Spark's log on the console, first: {noise[:3]}"


@pytest.mark.slow
@pytest.mark.parametrize("table", sorted(COMPARED))
def test_spark_marts_identical_to_duckdb(demo_warehouse: Warehouse, spark: EngineWarehouse, table: str) -> None:
    columns = columns_of(demo_warehouse, table)
    duck = normalised(demo_warehouse.query(f"select {', '.join(columns)} from {table}"))
    assert duck, f"{table} is empty on DuckDB: nothing would be compared"
    names, rows = spark.tables[table]
    picked = [tuple(row[names.index(c)] for c in columns) for row in rows]
    assert normalised(picked) == duck
