"""PostgreSQL and Spark against DuckDB on the same synthetic data (docs/benchmarks.md, Engines).

    python benchmarks/engines.py --scale 1/4 --spark-scale 1/16 --work /tmp/opt_out_engines --doc docs/benchmarks.md

Spark (local, two cores, no Delta Lake) is measured at --spark-scale the same way, each engine
against a DuckDB build of the same data in the same run.

Generates the data at --scale (benchmarks/generate.py), lands 12 months, and times the
full `dbt build` on DuckDB, then the landing load (python -m opt_out_io load-landing) and the full
`dbt build` on a PostgreSQL server of the run's own (scripts/postgres_server.sh, started
for the run and stopped after it). Peak RSS is dbt's process; the
PostgreSQL server's own memory is not in it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import BIN, PROJECT_DIR, land, machine_facts, measured, project_copy  # noqa: E402
from generate import generate, parse_scale  # noqa: E402



def postgres_server(project: Path, data: str, action: str) -> None:
    """The project copy's own server (one clone, one server), in folder `data`."""
    subprocess.run(["bash", str(project / "scripts" / "postgres_server.sh"), action], check=True,
                   env={**os.environ, "OPT_OUT_PG_DATA": data})


def run(scale_text: str, work: Path, engine: str = "postgres") -> dict:
    root = work / (engine + "_" + scale_text.replace("/", "_"))
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    facts = generate(parse_scale(scale_text), root / "generated")
    project = project_copy(root / "project", root / "generated" / "seeds")
    shutil.copytree(PROJECT_DIR / "scripts", project / "scripts", dirs_exist_ok=True)
    landing = root / "landing"
    land(root / "generated" / "landing", landing, facts["months"][:12])
    export_dir = tempfile.mkdtemp(prefix="opt_out_bench_landing_")
    pg_data = tempfile.mkdtemp(prefix="opt_out_bench_pg_")
    env = dict(os.environ, DBT_PROFILES_DIR=str(project), OPT_OUT_DUCKDB_PATH=str(root / "warehouse.duckdb"),
               DBT_SEND_ANONYMOUS_USAGE_STATS="False", OPT_OUT_PG_DATA=pg_data,
               OPT_OUT_LANDING_EXPORT_DIR=export_dir, OPT_OUT_SPARK_DIR=str(root / "spark"))
    variables = json.dumps({"landing_dir": str(landing), "publication_dir": str(root / "publication")})

    def dbt(target: str) -> list[str]:
        return [str(BIN / "dbt"), "build", "--target", target, "--vars", variables,
                "--target-path", str(root / f"target_{target}"), "--log-path", str(root / f"logs_{target}")]

    results = {"facts": facts, "engine": engine, "duckdb_build": measured(dbt("duckdb"), env=env, cwd=project)}
    if engine == "postgres":
        postgres_server(project, pg_data, "start")
    try:
        results["engine_load"] = measured([sys.executable, "-m", "opt_out_io", "load-landing", "--target", engine,
                                           "--landing-dir", str(landing)], env=env, cwd=project)
        results["engine_build"] = measured(dbt(engine), env=env, cwd=project)
    finally:
        if engine == "postgres":
            postgres_server(project, pg_data, "stop")
        shutil.rmtree(pg_data, ignore_errors=True)
    for step in results.values():
        if isinstance(step, dict):
            step.pop("stdout", None)
    shutil.rmtree(export_dir, ignore_errors=True)
    shutil.rmtree(root / "generated" / "landing", ignore_errors=True)
    return results


def report(machine: dict, runs: dict[str, dict]) -> str:
    lines = [
        "## Engines: PostgreSQL and Spark against DuckDB",
        "",
        f"Measured on {dt.date.today().isoformat()}: {machine['cpu']}, {machine['cores']} cores, "
        f"{machine['memory_gb']:.1f} GB RAM. PostgreSQL 15 on the same machine (its Unix socket, default settings); Spark in dbt's session mode, `local[2]`, 4 GB driver, Parquet tables (no Delta Lake). "
        "Each engine's whole `dbt build` of 12 months from empty, against a DuckDB build of the same data "
        "in the same run. Peak RSS is dbt's process (PostgreSQL's server is not in it; Spark runs inside it).",
        "",
        "Reproduce: `python benchmarks/engines.py --scale 1/4 --spark-scale 1/16 --work <scratch dir> "
        "--doc docs/benchmarks.md`",
        "",
        "| engine | scale | Type 2 patients | DuckDB build (s) | landing load (s) | engine build (s) "
        "| engine / DuckDB (build) | (load + build) / DuckDB | peak RSS DuckDB / engine (GB) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for scale, r in runs.items():
        duck, load, build = r["duckdb_build"], r["engine_load"], r["engine_build"]
        lines.append(
            f"| {r['engine']} | {scale.split(' ')[-1]} | {r['facts']['type2_patients']:,} | {duck['seconds']:.1f} "
            f"| {load['seconds']:.1f} | {build['seconds']:.1f} | {build['seconds'] / duck['seconds']:.1f} × "
            f"| {(load['seconds'] + build['seconds']) / duck['seconds']:.1f} × "
            f"| {duck['peak_rss_gb']:.2f} / {build['peak_rss_gb']:.2f} |")
    lines.append("")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", default="1/4", help="PostgreSQL's scale ('none' to skip PostgreSQL)")
    parser.add_argument("--spark-scale", default="1/16", help="Spark's scale ('none' to skip Spark)")
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--doc", type=Path, help="markdown file whose '## Engines' section is replaced")
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    args = parser.parse_args()
    runs = {} if args.scale == "none" else {f"postgres {args.scale}": run(args.scale, args.work, "postgres")}
    if args.spark_scale != "none":
        runs[f"spark {args.spark_scale}"] = run(args.spark_scale, args.work, "spark")
    if args.json:
        args.json.write_text(json.dumps(runs, indent=2, default=str))
    text = report(machine_facts(), runs)
    print(text)
    if args.doc:
        doc = args.doc.read_text()
        doc = re.sub(r"\n## Engines: .*?(?=\n## |\Z)", "", doc, flags=re.S).rstrip("\n") + "\n\n" + text
        args.doc.write_text(doc)


if __name__ == "__main__":
    main()
