"""Benchmarks: build, monthly run, release vs copy, peak memory, pandas baseline.

    python benchmarks/run.py --scales 1/16 1/4 1 --work /tmp/opt_out_bench --doc docs/benchmarks.md

For each scale: generate the synthetic England data (generate.py), build the 12 months
from an empty warehouse, land month 13 and build again, then time a release over the
release dataset against a plain copy of the same table, and the same current-opt-outs +
release logic written as a pandas script (the way NHS Digital's published pipeline does
it). Every step runs in its own process under /usr/bin/time -v for wall time and peak
resident memory. Results, with the machine's facts, go to the --doc file.
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
from generate import generate, parse_scale  # noqa: E402

PROJECT_DIR = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
TARGETS = {"full_build": 300.0, "monthly_build": 60.0, "release_ratio": 1.15, "peak_rss_gb": 4.0, "speedup": 20.0}

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
    for name in ("practices.csv", "ccgs.csv"):
        shutil.copy(seeds / name, destination / "seeds" / name)
    return destination


def land(source: Path, landing: Path, months: list[str]) -> None:
    for feed in ("opt_out_codes", "practice_counts"):
        for month in months:
            shutil.copytree(source / feed / month, landing / feed / month, dirs_exist_ok=True)


def run_scale(scale_text: str, work: Path, baseline: bool) -> dict:
    scale = parse_scale(scale_text)
    root = work / scale_text.replace("/", "_")
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    started = dt.datetime.now()
    facts = generate(scale, root / "generated")
    facts["generate_seconds"] = (dt.datetime.now() - started).total_seconds()
    project = project_copy(root / "project", root / "generated" / "seeds")
    landing = root / "landing"
    months = facts["months"]
    land(root / "generated" / "landing", landing, months[:12])
    env = dict(os.environ, DBT_PROFILES_DIR=str(project), OPT_OUT_DUCKDB_PATH=str(root / "warehouse.duckdb"),
               DBT_SEND_ANONYMOUS_USAGE_STATS="False")
    variables = json.dumps({"landing_dir": str(landing), "publication_dir": str(root / "publication")})
    dbt = [str(BIN / "dbt"), "build", "--vars", variables, "--target-path", str(root / "target"),
           "--log-path", str(root / "logs")]
    results = {"facts": facts, "full_build": measured(dbt, env=env, cwd=project)}
    land(root / "generated" / "landing", landing, months[12:])
    results["monthly_build"] = measured(dbt, env=env, cwd=project)

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
    step = [sys.executable, "-c", RELEASE_STEP, str(root / "warehouse.duckdb")]
    results["copy"] = measured(step + ["create or replace table bench.plain_copy as select * from bench.release_input",
                                       "select count(*) from bench.plain_copy"])
    results["release"] = measured(step + [f"create or replace table bench.released as {compiled}",
                                          "select count(*) from bench.released"])
    if baseline:
        results["pandas"] = measured([sys.executable, "-c", PANDAS_BASELINE, str(landing), str(parquet)])
    shutil.rmtree(root / "generated" / "landing", ignore_errors=True)
    for step_result in results.values():
        if isinstance(step_result, dict):
            step_result.pop("stdout", None)
    return results


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


def growth_exponent(points: list[tuple[float, float]]) -> float | None:
    """Least-squares slope of log(seconds) against log(scale): 1.0 is linear."""
    if len(points) < 2:
        return None
    xs = [math.log(s) for s, _ in points]
    ys = [math.log(max(t, 1e-3)) for _, t in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)


def report(machine: dict, runs: dict[str, dict], command: str) -> str:
    lines = [
        "## Results",
        "",
        f"Measured on {machine['date']}: {machine['cpu']}, {machine['cores']} cores, {machine['memory_gb']} GB RAM, "
        f"{machine['os']}; Python {machine['python']}, DuckDB {machine['duckdb']}, dbt {machine['dbt']}.",
        "",
        f"Reproduce: `{command}`",
        "",
        "| scale | practices | Type 2 patients | code rows (13 months) | release rows | full build 12 months (s) | peak RSS (GB) "
        "| monthly build month 13 (s) | peak RSS (GB) | copy (s) | release (s) | release / copy | release peak RSS (GB) "
        "| pandas baseline (s) | pandas peak RSS (GB) | speed-up vs pandas |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for scale, r in runs.items():
        f = r["facts"]
        ours = r["full_build"]["seconds"] + r["release"]["seconds"]
        pandas = r.get("pandas")
        lines.append(
            f"| {scale} | {f['practices']:,} | {f['type2_patients']:,} | {f['code_rows']:,} | {f['release_rows']:,} "
            f"| {r['full_build']['seconds']:.1f} | {r['full_build']['peak_rss_gb']:.2f} "
            f"| {r['monthly_build']['seconds']:.1f} | {r['monthly_build']['peak_rss_gb']:.2f} "
            f"| {r['copy']['seconds']:.2f} | {r['release']['seconds']:.2f} "
            f"| {r['release']['seconds'] / max(r['copy']['seconds'], 1e-9):.2f} | {r['release']['peak_rss_gb']:.2f} "
            + (f"| {pandas['seconds']:.1f} | {pandas['peak_rss_gb']:.2f} | {pandas['seconds'] / ours:.1f}x |"
               if pandas else "| not run | | |")
        )
    scales = [(parse_scale(s), r) for s, r in runs.items()]
    lines += ["", "Growth exponents (slope of log time against log scale; 1.0 = linear):", ""]
    for step in ("full_build", "monthly_build", "release", "copy"):
        exponent = growth_exponent([(s, r[step]["seconds"]) for s, r in scales])
        lines.append(f"* {step.replace('_', ' ')}: {exponent:.2f}" if exponent is not None else f"* {step}: n/a")
    lines += ["", "Speed-up vs pandas compares the pandas script (current opt-outs + release) with the whole "
              "12-month `dbt build` (every rule, test, snapshot and statistic) plus the release.", ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", nargs="+", default=["1/16", "1/4", "1"])
    parser.add_argument("--work", type=Path, required=True, help="scratch directory (needs a few GB at scale 1)")
    parser.add_argument("--doc", type=Path, help="markdown file whose '## Results' section is replaced")
    parser.add_argument("--baseline-max-scale", default="1/4",
                        help="run the pandas baseline only up to this scale (default 1/4: it needs far more memory)")
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    args = parser.parse_args()
    runs = {}
    for scale in args.scales:
        runs[scale] = run_scale(scale, args.work, parse_scale(scale) <= parse_scale(args.baseline_max_scale))
        print(scale, json.dumps(runs[scale], default=str), flush=True)
    command = "python benchmarks/run.py --scales " + " ".join(args.scales) + " --work <scratch dir> --doc docs/benchmarks.md"
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
