"""The generator and the benchmark at a tiny scale, so that neither can silently rot.
(Figures are measured in docs/benchmarks.md, never asserted here.)"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

import reference
from warehouse import PROJECT_DIR


def test_generator_writes_the_spec_layout_with_valid_synthetic_numbers(tmp_path: Path) -> None:
    sys.path.insert(0, str(PROJECT_DIR / "benchmarks"))
    from generate import generate

    facts = generate(1 / 2000, tmp_path, release_rows=500, threads=1)
    codes = sorted((tmp_path / "landing" / "opt_out_codes").rglob("*.csv"))
    counts = sorted((tmp_path / "landing" / "practice_counts").rglob("*.csv"))
    assert len(counts) == 13
    # One codes file per practice per month (a practice with no Type 2 patient sends none).
    months = {path.relative_to(tmp_path / "landing" / "opt_out_codes").parts[0] for path in codes}
    assert len(months) == 13 and len(codes) > 13 * facts["practices"] // 2
    rows, senders = [], set()
    for path in codes[:20]:
        with path.open(newline="") as handle:
            file_rows = list(csv.DictReader(handle))
        assert list(file_rows[0]) == reference.CODES_COLUMNS
        # A file holds one practice's rows (a few with a mangled practice code).
        senders.add(frozenset(r["practice_code"] for r in file_rows) - {"X1"})
        rows += file_rows
    assert all(len(codes_in_file) == 1 for codes_in_file in senders)
    numbers = [reference.normalise_nhs_number(r["nhs_number"]) for r in rows]
    valid = [n for n in numbers if reference.is_valid_nhs_number(n)]
    assert all(n.startswith("9") for n in numbers)
    assert 0.9 < len(valid) / len(numbers) < 1.0, "a few per cent of numbers should be bad"
    assert facts["release_rows"] == 500


@pytest.mark.slow
def test_benchmark_runs_end_to_end_at_tiny_scale(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(PROJECT_DIR / "benchmarks" / "run.py"), "--scales", "1/4000", "--work",
         str(tmp_path / "work"), "--doc", str(tmp_path / "benchmarks.md"), "--json", str(tmp_path / "raw.json")],
        capture_output=True, text=True, timeout=900,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    raw = json.loads((tmp_path / "raw.json").read_text())["1/4000"]
    for step in ("reference", "full_build", "monthly_build", "fixed_cost", "copy", "release", "pandas"):
        assert raw[step]["seconds"] > 0 and raw[step]["peak_rss_gb"] > 0
    # The release and the pandas baseline implement the same rule on the same data.
    assert raw["release"]["rows"] == raw["pandas"]["rows"]
    assert raw["copy"]["rows"] == raw["facts"]["release_rows"]
    # The reference script derives a current list from the same extracts.
    assert raw["reference"]["rows"] > 0
    assert "| 1/4000 |" in (tmp_path / "benchmarks.md").read_text()
