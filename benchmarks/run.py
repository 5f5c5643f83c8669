"""Benchmarks: full build, monthly builds as history grows, dbt's fixed cost, release vs
copy, peak memory — each as a ratio to a reference measured in the same run.

    python benchmarks/run.py --scales 1 --months 37 --work /tmp/opt_out_bench --doc docs/benchmarks.md

For each scale: generate the synthetic England data (generate.py, --months extracts);
time the raw DuckDB reference script (REFERENCE: only the irreducible work on months
1-13); build months 1-12 from an empty warehouse; land month 13 and build (the monthly
build); build again with nothing new (dbt's fixed cost); then, with --months 37, land
months 14-24 and build, land month 25 and build (measured), and the same for month 37.
Then a release over the release dataset against a plain copy of the same table, and (up
to --baseline-max-scale) the same current-opt-outs + release logic as a pandas script.
Every step runs in its own process under /usr/bin/time -v (wall time, peak resident
memory); dbt's per-node timings come from its run_results.json. Results, with the
machine's facts, go to the --doc file.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate, generated, parse_scale  # noqa: E402

PROJECT_DIR = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
TARGETS = {"full_build_ratio": 2.5, "monthly_build_ratio": 0.5, "history_flatness": 0.15, "release_ratio": 1.15,
           "peak_rss_gb": 4.0}

REFERENCE = """
# The irreducible work, as one DuckDB script: read every code row of months 1-13 as text,
# normalise the NHS number and check its Modulus 11 digit, keep the rows whose code is a
# Type 2 code, de-duplicate them into events received on the earliest extract date, and
# derive the current list (latest recorded date decides, an opt-out wins a tie).
import sys, time, duckdb
con = duckdb.connect(config={"memory_limit": "3GB", "preserve_insertion_order": False})
files = sys.argv[1:]
start = time.perf_counter()
con.execute(f\"\"\"
    create table events as
    with rows as (
        select
            regexp_replace(nhs_number, '[\\s-]', '', 'g') as nhs_number,
            rtrim(trim(code), '.') as code,
            try_strptime(trim(recorded_date), '%Y-%m-%d')::date as recorded_date,
            try_strptime(trim(extract_date), '%Y-%m-%d')::date as extract_date
        from read_csv({files!r}, all_varchar = true, header = true, hive_partitioning = false)
    ),
    checked as (
        select *, cast(nhs_number as bigint) as n from rows
        where regexp_full_match(nhs_number, '[0-9]{{10}}')
    ),
    valid as (
        select nhs_number, code, coalesce(recorded_date, extract_date) as recorded_date, extract_date
        from checked
        where (11 - (
            (n // 1000000000) * 10 + (n // 100000000 % 10) * 9 + (n // 10000000 % 10) * 8
            + (n // 1000000 % 10) * 7 + (n // 100000 % 10) * 6 + (n // 10000 % 10) * 5
            + (n // 1000 % 10) * 4 + (n // 100 % 10) * 3 + (n // 10 % 10) * 2) % 11) % 11 = n % 10
    ),
    coded as (
        select
            nhs_number, recorded_date, extract_date,
            code in ('9Nu4', 'XaaVL', '881561000000100') as is_opt_out
        from valid
        where code in ('9Nu4', 'XaaVL', '881561000000100', '9Nu5', 'XaaVM', '881581000000109')
    )
    select nhs_number, is_opt_out, recorded_date, min(extract_date) as received_date
    from coded
    group by all
\"\"\")
con.execute(\"\"\"
    create table current_list as
    select nhs_number from events
    group by nhs_number
    having arg_max(is_opt_out, (recorded_date, is_opt_out))
\"\"\")
print("SECONDS", time.perf_counter() - start)
print("ROWS", con.execute("select count(*) from current_list").fetchone()[0])
"""

RELEASE_STEP = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1], config={"memory_limit": "3GB", "preserve_insertion_order": False})
start = time.perf_counter()
con.execute(sys.argv[2])
print("SECONDS", time.perf_counter() - start)
print("ROWS", con.execute(sys.argv[3]).fetchone()[0])
"""

PANDAS_BASELINE = """
# The current-opt-outs + release logic the way a pandas pipeline does it: read every
# extract, keep each patient's latest Type 2 code (opt-out wins a tie), then drop the
# release rows whose number is on the list.
import glob, sys, time
import duckdb
import pandas as pd
start = time.perf_counter()
landing, release = sys.argv[1], sys.argv[2]
frames = [pd.read_csv(f, dtype=str, keep_default_na=False) for f in sorted(glob.glob(landing + "/opt_out_codes/**/*.csv", recursive=True))]
codes = pd.concat(frames, ignore_index=True)
codes["code"] = codes["code"].str.strip().str.rstrip(".")
actions = {"9Nu4": 1, "XaaVL": 1, "881561000000100": 1, "9Nu5": 0, "XaaVM": 0, "881581000000109": 0}
codes = codes[codes["code"].isin(actions)].copy()
codes["is_opt_out"] = codes["code"].map(actions)
codes["nhs_number"] = codes["nhs_number"].str.replace(r"[\\s-]", "", regex=True)
codes["recorded"] = pd.to_datetime(codes["recorded_date"], format="%Y-%m-%d", errors="coerce")
codes["extract"] = pd.to_datetime(codes["extract_date"], format="%Y-%m-%d", errors="coerce")
codes["recorded"] = codes["recorded"].fillna(codes["extract"])
latest = codes.sort_values(["nhs_number", "recorded", "is_opt_out"]).drop_duplicates("nhs_number", keep="last")
opted_out = set(latest.loc[latest["is_opt_out"] == 1, "nhs_number"])
rows = duckdb.sql(f"select * from read_parquet('{release}')").df()
numbers = rows["nhs_number"].fillna("").str.replace(r"[\\s-]", "", regex=True)
released = rows[(numbers.str.len() == 10) & ~numbers.isin(opted_out)]
print("SECONDS", time.perf_counter() - start)
print("ROWS", len(released))
"""


def measured(command: list[str], env: dict | None = None, cwd: Path | None = None) -> dict:
    """Run under /usr/bin/time -v; wall seconds, peak RSS (GB) and the command's output."""
    result = subprocess.run(["/usr/bin/time", "-v", *command], env=env, cwd=cwd, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"{command[:3]} failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}")
    wall = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", result.stderr)
    hours, minutes, seconds = (float(g) if g else 0.0 for g in wall.groups())
    rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr).group(1))
    inner = re.search(r"SECONDS ([\d.]+)", result.stdout)
    rows = re.search(r"ROWS (\d+)", result.stdout)
    return {
        "seconds": float(inner.group(1)) if inner else hours * 3600 + minutes * 60 + seconds,
        "wall_seconds": hours * 3600 + minutes * 60 + seconds,
        "peak_rss_gb": rss_kb / 1024 / 1024,
        "rows": int(rows.group(1)) if rows else None,
        "stdout": result.stdout,
    }


def project_copy(destination: Path, seeds: Path) -> Path:
    top_level = {".venv", ".git", "target", "logs", "warehouse", "publication", "tests", ".hypothesis",
                 ".pytest_cache", "benchmarks", "demo_data"}

    def ignore(directory: str, names: list[str]) -> set[str]:
        # Only the project's own top-level artefacts: models/publication/ is code.
        skipped = {"__pycache__"} & set(names)
        return skipped | (top_level & set(names) if Path(directory) == PROJECT_DIR else set())

    shutil.copytree(PROJECT_DIR, destination, ignore=ignore)
    shutil.copytree(PROJECT_DIR / "demo_data" / "releases", destination / "demo_data" / "releases")
    shutil.copytree(PROJECT_DIR / "tests" / "dbt", destination / "tests" / "dbt")
    for name in ("practices.csv", "ccgs.csv", "sub_icb_locations.csv", "practice_sub_icb_locations.csv"):
        shutil.copy(seeds / name, destination / "seeds" / name)
    return destination


def land(source: Path, landing: Path, months: list[str]) -> None:
    for feed in ("opt_out_codes", "practice_counts"):
        for month in months:
            shutil.copytree(source / feed / month, landing / feed / month, dirs_exist_ok=True)


def node_timings(target: Path, top: int = 8) -> list[tuple[str, float]]:
    """The slowest nodes of the last dbt run (run_results.json), and the total node count."""
    results = json.loads((target / "run_results.json").read_text())["results"]
    timed = sorted(((r["unique_id"].split(".", 2)[-1], r["execution_time"]) for r in results), key=lambda x: -x[1])
    return [("nodes", float(len(results)))] + [(name, round(seconds, 2)) for name, seconds in timed[:top]]


def run_scale(scale_text: str, work: Path, baseline: bool, months: int = 13, reuse: bool = False) -> dict:
    scale = parse_scale(scale_text)
    root = work / scale_text.replace("/", "_")
    facts = generated(root / "generated", scale, months) if reuse else None
    for entry in (root.iterdir() if root.exists() else []):
        if not (facts and entry.name == "generated"):
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    root.mkdir(parents=True, exist_ok=True)
    if facts is None:
        started = dt.datetime.now()
        facts = generate(scale, root / "generated", months=months)
        facts["generate_seconds"] = (dt.datetime.now() - started).total_seconds()
    project = project_copy(root / "project", root / "generated" / "seeds")
    landing = root / "landing"
    source = root / "generated" / "landing"
    names = facts["months"]
    # One glob per month (a list of ~96,000 per-practice files would not fit on a command line).
    reference_files = [str(source / "opt_out_codes" / m / "**" / "*.csv") for m in names[:13]]
    results = {"facts": facts, "reference": measured([sys.executable, "-c", REFERENCE, *reference_files])}
    land(source, landing, names[:12])
    env = dict(os.environ, DBT_PROFILES_DIR=str(project), OPT_OUT_DUCKDB_PATH=str(root / "warehouse.duckdb"),
               DBT_SEND_ANONYMOUS_USAGE_STATS="False")
    variables = json.dumps({"landing_dir": str(landing), "publication_dir": str(root / "publication")})
    target = root / "target"
    dbt = [str(BIN / "dbt"), "build", "--vars", variables, "--target-path", str(target),
           "--log-path", str(root / "logs")]
    results["full_build"] = measured(dbt, env=env, cwd=project)
    results["full_build"]["nodes"] = node_timings(target)
    land(source, landing, names[12:13])
    results["monthly_build"] = measured(dbt, env=env, cwd=project)
    results["monthly_build"]["nodes"] = node_timings(target)
    # Nothing new landed: what every build costs whatever the data (parse, hooks, nodes, tests).
    results["fixed_cost"] = measured(dbt, env=env, cwd=project)
    results["fixed_cost"]["nodes"] = node_timings(target)
    # History grows: months 14-24 in one build, month 25 measured; 26-36, then month 37.
    for month in (25, 37):
        if months >= month:
            land(source, landing, names[len(landing_months(landing)):month - 1])
            results[f"catch_up_{month - 1}"] = measured(dbt, env=env, cwd=project)
            land(source, landing, names[month - 1:month])
            results[f"monthly_build_{month}"] = measured(dbt, env=env, cwd=project)
            results[f"monthly_build_{month}"]["nodes"] = node_timings(target)

    parquet = root / "generated" / "release_dataset.parquet"
    with duckdb.connect(str(root / "warehouse.duckdb")) as con:
        con.execute("create schema if not exists bench")
        con.execute(f"create or replace table bench.release_input as select * from read_parquet('{parquet}')")
    compiled = subprocess.run(
        [str(BIN / "dbt"), "compile", "--quiet", "--vars", variables, "--target-path", str(root / "target"),
         "--log-path", str(root / "logs"), "--inline",
         "{{ apply_opt_outs(api.Relation.create(schema='bench', identifier='release_input')) }}"],
        env=env, cwd=project, capture_output=True, text=True, check=True,
    ).stdout
    (root / "release.sql").write_text(compiled)
    step = [sys.executable, "-c", RELEASE_STEP, str(root / "warehouse.duckdb")]
    results["copy"] = measured(step + ["create or replace table bench.plain_copy as select * from bench.release_input",
                                       "select count(*) from bench.plain_copy"])
    results["release"] = measured(step + [f"create or replace table bench.released as {compiled}",
                                          "select count(*) from bench.released"])
    if baseline:
        results["pandas"] = measured([sys.executable, "-c", PANDAS_BASELINE, str(landing), str(parquet)])
    if not reuse:
        shutil.rmtree(source, ignore_errors=True)
    for step_result in results.values():
        if isinstance(step_result, dict):
            step_result.pop("stdout", None)
    return results


def landing_months(landing: Path) -> list[str]:
    return sorted(p.name for p in (landing / "opt_out_codes").iterdir())


def machine_facts() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    memory_kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
    versions = subprocess.run([str(BIN / "dbt"), "--version"], capture_output=True, text=True).stdout
    return {
        "date": dt.date.today().isoformat(), "cpu": cpu, "cores": os.cpu_count(),
        "memory_gb": round(memory_kb / 1024 / 1024, 1), "os": platform.platform(), "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "dbt": " / ".join(re.findall(r"(?:installed|duckdb):\s+(\S+)", versions)),
    }


def report(machine: dict, runs: dict[str, dict], command: str) -> str:
    lines = [
        "## Results",
        "",
        f"Measured on {machine['date']}: {machine['cpu']}, {machine['cores']} cores, {machine['memory_gb']} GB RAM, "
        f"{machine['os']}; Python {machine['python']}, DuckDB {machine['duckdb']}, dbt {machine['dbt']}.",
        "",
        f"Reproduce: `{command}`",
        "",
        "Each ratio is against the reference script measured in the same run (× ref).",
        "",
        "| scale | practices | Type 2 patients per extract | code rows, months 1-13 | reference (s) "
        "| full build, months 1-12 (s) | × ref | monthly build, month 13 (s) | × ref | build with nothing new (s) "
        "| release rows | copy (s) | release (s) | release / copy | peak RSS, any step (GB) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for scale, r in runs.items():
        f = r["facts"]
        ref = r["reference"]["seconds"]
        peak = max(v["peak_rss_gb"] for v in r.values() if isinstance(v, dict) and "peak_rss_gb" in v)
        lines.append(
            f"| {scale} | {f['practices']:,} | {f['type2_patients']:,} | {f['code_rows_13']:,} | {ref:.1f} "
            f"| {r['full_build']['seconds']:.1f} | {r['full_build']['seconds'] / ref:.2f} "
            f"| {r['monthly_build']['seconds']:.1f} | {r['monthly_build']['seconds'] / ref:.2f} "
            f"| {r['fixed_cost']['seconds']:.1f} | {f['release_rows']:,} "
            f"| {r['copy']['seconds']:.2f} | {r['release']['seconds']:.2f} "
            f"| {r['release']['seconds'] / max(r['copy']['seconds'], 1e-9):.2f} | {peak:.2f} |"
        )
    history = {s: r for s, r in runs.items() if "monthly_build_25" in r}
    if history:
        lines += ["", "Monthly builds as the history grows (the same new-month size each time):", "",
                  "| scale | month 13 (s) | month 25 (s) | month 37 (s) | largest change from month 13 "
                  "| peak RSS (GB) 13 / 25 / 37 |", "|---|---|---|---|---|---|"]
        for scale, r in history.items():
            points = [r["monthly_build"]] + [r[k] for k in ("monthly_build_25", "monthly_build_37") if k in r]
            base = points[0]["seconds"]
            change = max(abs(p["seconds"] - base) / base for p in points[1:])
            lines.append(
                f"| {scale} | " + " | ".join(f"{p['seconds']:.1f}" for p in points)
                + (" | n/a" if len(points) < 3 else "") + f" | {change * 100:+.0f} % | "
                + " / ".join(f"{p['peak_rss_gb']:.2f}" for p in points) + " |")
    pandas = {s: r for s, r in runs.items() if "pandas" in r}
    if pandas:
        lines += ["", "The pandas script (current opt-outs + release over every landed extract), where run:", ""]
        for scale, r in pandas.items():
            lines.append(f"* {scale}: {r['pandas']['seconds']:.1f} s, peak RSS {r['pandas']['peak_rss_gb']:.2f} GB")
    lines += ["", "Slowest dbt nodes (seconds, from run_results.json; `nodes` is the node count):", ""]
    for scale, r in runs.items():
        for step in ("full_build", "monthly_build", "fixed_cost", "monthly_build_37"):
            if step in r and r[step].get("nodes"):
                lines.append(f"* {scale}, {step.replace('_', ' ')}: "
                             + ", ".join(f"{name} {seconds:g}" for name, seconds in r[step]["nodes"]))
    lines.append("")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", nargs="+", default=["1"])
    parser.add_argument("--months", type=int, default=13,
                        help="monthly extracts to generate; 37 also measures the monthly build at months 25 and 37")
    parser.add_argument("--work", type=Path, required=True, help="scratch directory (needs a few GB at scale 1)")
    parser.add_argument("--doc", type=Path, help="markdown file whose '## Results' section is replaced")
    parser.add_argument("--baseline-max-scale", default="1/4",
                        help="run the pandas baseline only up to this scale (default 1/4: it needs far more memory)")
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    parser.add_argument("--reuse-generated", action="store_true",
                        help="keep data an earlier run generated in --work for the same scale and months")
    args = parser.parse_args()
    runs = {}
    for scale in args.scales:
        runs[scale] = run_scale(scale, args.work, parse_scale(scale) <= parse_scale(args.baseline_max_scale),
                                months=args.months, reuse=args.reuse_generated)
        print(scale, json.dumps(runs[scale], default=str), flush=True)
    command = ("python benchmarks/run.py --scales " + " ".join(args.scales) + f" --months {args.months}"
               " --work <scratch dir> --doc docs/benchmarks.md")
    text = report(machine_facts(), runs, command)
    if args.json:
        args.json.write_text(json.dumps(runs, indent=2, default=str))
    if args.doc:
        existing = args.doc.read_text() if args.doc.exists() else "# Benchmarks\n\n## Results\n"
        head = existing.split("## Results")[0]
        tail = existing.split("## Results", 1)[1] if "## Results" in existing else ""
        rest = tail[tail.find("\n## ", 1):] if "\n## " in tail else ""
        args.doc.write_text(head + text + rest)
    print(text)


if __name__ == "__main__":
    main()
