"""Bring the landing files to an engine that cannot read them itself (PostgreSQL, Spark).

    python -m opt_out_io load-landing --target postgres   (or spark; make postgres-demo / spark-demo)

The files are parsed once, by the same DuckDB reader the default build uses (dbt
run-operation `export_landing` on an in-memory DuckDB, invoked in this process), so every
engine sees the same lines, line numbers and file problems. The parsed copy is written to a private folder and
the engine is given tables over it in schema `landing_raw`:

* PostgreSQL: foreign tables (file_fdw) over CSV. Landed rows are never stored in the
  database before the rules run: Type 1 numbers (R4) and GP-level rows of excluded
  patients (R14) stay out of every table, as on DuckDB. The server must be able to read the
  folder (same host, or a shared mount): OPT_OUT_LANDING_EXPORT_DIR.
* Spark: external Parquet tables over the folder.

Each load writes a new folder and switches the tables to it in one step, then removes
the previous one; which files were already received is decided by the build, not here.
No NHS number is printed.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import shutil
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
# Columns of the exported files that are not text (the rest are: every landed value is).
TYPED_COLUMNS = {"row_number": "bigint", "size": "bigint", "header_matches": "boolean",
                 "modified_at": "timestamp"}


def exported_tables(folder: Path, suffix: str) -> list[Path]:
    return sorted(folder.glob(f"*.{suffix}"))


def csv_columns(path: Path) -> list[tuple[str, str]]:
    with path.open(encoding="utf-8") as handle:
        header = handle.readline().rstrip("\n").split(",")
    return [(column, TYPED_COLUMNS.get(column, "text")) for column in header]


def export(landing_dir: str | None, folder: Path, file_format: str) -> None:
    """Parse the landing files with the project's DuckDB reader into `folder`."""
    from opt_out_io.dbt_invocation import invoke

    folder.mkdir(parents=True)
    arguments = ["run-operation", "export_landing", "--target", "landing_reader", "--quiet",
                 "--args", json.dumps({"output_dir": str(folder), "file_format": file_format})]
    if landing_dir:
        arguments += ["--vars", json.dumps({"landing_dir": landing_dir})]
    # dbt's messages name files and macros, never row values.
    if not invoke(arguments).success:
        sys.exit("load-landing: parsing the landing files failed (dbt's message is above)")
    if not exported_tables(folder, file_format):
        sys.exit("load-landing: the export wrote no files")


def postgres_data() -> Path:
    """The folder of this clone's PostgreSQL server (scripts/postgres_server.sh), its socket's too."""
    return Path(os.environ.get("OPT_OUT_PG_DATA", "/tmp/opt_out_postgres"))


def postgres_settings() -> dict[str, str]:
    """As the `postgres` target in profiles.yml: the server's socket and peer login, unless
    OPT_OUT_PG_HOST (and OPT_OUT_PG_PASSWORD) name another server."""
    return {
        "host": os.environ.get("OPT_OUT_PG_HOST", str(postgres_data())),
        "port": os.environ.get("OPT_OUT_PG_PORT", "54329"),
        "user": os.environ.get("OPT_OUT_PG_USER", "opt_out"),
        "password": os.environ.get("OPT_OUT_PG_PASSWORD", ""),
        "dbname": os.environ.get("OPT_OUT_PG_DATABASE", "opt_out"),
    }


def postgres_owner_problem() -> str | None:
    """One sentence when the server the settings reach is another clone's, or not running."""
    settings = postgres_settings()
    data = postgres_data()
    if settings["host"] != str(data):
        return None  # a server of the user's choosing
    try:
        owner = (data / "opt_out_clone").read_text().strip()
    except OSError:
        owner = ""
    if owner and Path(owner).resolve() != PROJECT.resolve():
        if not (Path(owner) / "dbt_project.yml").exists():
            return (f"the PostgreSQL server in {data} belonged to the clone at {owner}, which is gone; "
                    "take it over with bash scripts/postgres_server.sh start (make postgres-demo does)")
        return (f"the PostgreSQL server in {data} belongs to the clone at {owner}; set OPT_OUT_PG_DATA "
                "to this clone's own server (bash scripts/postgres_server.sh start creates it)")
    if not (data / f".s.PGSQL.{settings['port']}").exists():
        return (f"no PostgreSQL server is running in {data}: start it with "
                "bash scripts/postgres_server.sh start (make postgres-demo does)")
    return None


def load_postgres(folder: Path) -> None:
    import psycopg2
    from psycopg2 import sql

    connection = psycopg2.connect(**postgres_settings())
    try:
        with connection:  # one transaction: the tables switch to the new folder together
            with connection.cursor() as cursor:
                cursor.execute("create schema if not exists landing_raw")
                for path in exported_tables(folder, "csv"):
                    table = sql.Identifier("landing_raw", path.stem)
                    columns = csv_columns(path)
                    cursor.execute(
                        "select a.attname, format_type(a.atttypid, a.atttypmod) from pg_attribute as a "
                        "join pg_class as c on c.oid = a.attrelid join pg_namespace as n on n.oid = c.relnamespace "
                        "where n.nspname = 'landing_raw' and c.relname = %s and a.attnum > 0 and not a.attisdropped "
                        "order by a.attnum", (path.stem,))
                    existing = cursor.fetchall()
                    if existing == columns:
                        # Same shape: point it at the new file (the views over it stay).
                        cursor.execute(sql.SQL("alter foreign table {} options (set filename {})").format(
                            table, sql.Literal(str(path))))
                        continue
                    # New or reshaped (a feed's columns changed): the build redefines the views.
                    cursor.execute(sql.SQL("drop foreign table if exists {} cascade").format(table))
                    cursor.execute(
                        sql.SQL("create foreign table {} ({}) server landing_files "
                                "options (filename {}, format 'csv', header 'true')").format(
                            table,
                            sql.SQL(", ").join(sql.SQL("{} {}").format(sql.Identifier(column), sql.SQL(kind))
                                               for column, kind in columns),
                            sql.Literal(str(path))))
    finally:
        connection.close()


def spark_log_config() -> str:
    """Spark's Java log settings, as the `spark` target in profiles.yml reads them."""
    return os.environ.get("OPT_OUT_SPARK_LOG_CONFIG", str(PROJECT / "scripts" / "spark_log4j2.properties"))


def spark_session():
    from pyspark.sql import SparkSession

    # As the `spark` target in profiles.yml: the same catalogue and tables folder.
    spark_dir = Path(os.environ.get("OPT_OUT_SPARK_DIR", "warehouse/spark"))
    builder = (SparkSession.builder.enableHiveSupport()
               .config("spark.master", "local[2]")
               .config("spark.ui.enabled", "false")
               .config("spark.sql.session.timeZone", "UTC")
               .config("spark.sql.warehouse.dir", f"{spark_dir}/tables")
               .config("spark.driver.extraJavaOptions",
                       f"-Dderby.system.home={spark_dir} -Dlog4j2.configurationFile={spark_log_config()}")
               .config("spark.hadoop.javax.jdo.option.ConnectionURL",
                       f"jdbc:derby:;databaseName={spark_dir}/metastore_db;create=true"))
    return builder.getOrCreate()


def load_spark(folder: Path) -> None:
    spark = spark_session()
    spark.sparkContext.setLogLevel("ERROR")
    spark.sql("create database if not exists landing_raw")
    for path in exported_tables(folder, "parquet"):
        # A folder per table: Spark tables are located at folders.
        name = path.stem
        data = folder / name
        data.mkdir()
        path.rename(data / "part-0.parquet")
        spark.sql(f"drop table if exists landing_raw.{name}")
        spark.sql(f"create table landing_raw.{name} using parquet location '{data}'")
    spark.stop()


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--target", required=True, choices=["postgres", "spark"])
    parser.add_argument("--landing-dir", help="landing folder (default: the landing_dir var)")


def main(args: argparse.Namespace) -> None:
    os.umask(0o077)

    if args.target == "postgres" and (problem := postgres_owner_problem()):
        sys.exit(f"load-landing: {problem}.")
    # Beside this clone's server (which reads it), or in this clone's warehouse folder.
    default_root = (f"{postgres_data()}_landing" if args.target == "postgres"
                    else str(PROJECT / "warehouse" / "spark" / "landing_export"))
    root = Path(os.environ.get("OPT_OUT_LANDING_EXPORT_DIR", default_root)).resolve()
    root.mkdir(parents=True, exist_ok=True)
    previous = sorted(p for p in root.iterdir() if p.name.startswith("load-"))
    folder = root / ("load-" + datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%S%fZ"))
    landing_dir = str(Path(args.landing_dir).resolve()) if args.landing_dir else None

    export(landing_dir, folder, "csv" if args.target == "postgres" else "parquet")
    if args.target == "postgres":
        if os.geteuid() == 0:
            # The server runs as `postgres` and reads the folder itself.
            shutil.chown(root, "postgres")
            for path in [folder, *folder.iterdir()]:
                shutil.chown(path, "postgres")
        load_postgres(folder)
    else:
        load_spark(folder)
    for old in previous:
        shutil.rmtree(old, ignore_errors=True)
    print(f"load-landing: {args.target} now reads the landing files as parsed at {folder.name}")
