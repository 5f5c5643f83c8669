"""The landing area as real ones are: every entry is read exactly once or listed with the
reason it was not; a missing landing directory is one sentence; the received-files ledger
holds instants, so the time zone of the machine changes nothing (a fresh clone's plain
`dbt build`: test_walkthrough.py)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from warehouse import DBT, DEMO_LANDING, PROJECT_DIR, Warehouse, copy_project

HEADER = "extract_date,practice_code,nhs_number,code,recorded_date\n"
# Synthetic, valid (Modulus 11) and 9-prefixed.
NUMBERS = ["9434765919", "9000000017", "9000000025", "9000000033", "9000000041", "9000000068"]
HIVE_NUMBER = "9000000076"
UNPARSEABLE_LINES = ('""\u20ac \u20ac\U0001f600\U0001f6009a9a\n\n"a\u20acaa99\u20ac99a \U0001f6009\u20ac\xa0\u20ac\u20ac a'
                     '\U0001f600 9\n \xe9 99\u20ac  \u20ac\xa09  \n\u20aca\xa0\xe9 \xe9\xe99999\xa0\xa0\U0001f600\xe9\n 9\u20ac\xa0,\u20ac')


def codes_file(path: Path, number: str, code: str = "9Nu4") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(HEADER + f"2025-06-01,A81001,{number},{code},2025-05-01\n")


def received_numbers(warehouse: Warehouse) -> list[str]:
    return sorted(n for (n,) in warehouse.query("select nhs_number from opt_out_events"))


def test_every_entry_is_read_once_or_listed_with_its_reason(warehouse: Warehouse, tmp_path: Path) -> None:
    codes = warehouse.landing / "opt_out_codes"
    codes_file(codes / "x[1].csv", NUMBERS[0])            # a glob pattern that matches x1.csv
    codes_file(codes / "x1.csv", NUMBERS[1])
    codes_file(codes / "star*.csv", NUMBERS[2])           # a glob pattern that matches starA.csv
    codes_file(codes / "starA.csv", NUMBERS[3])
    codes_file(codes / "sub" / "upper.CSV", NUMBERS[4])   # *.CSV is a CSV file
    codes_file(codes / "back\\slash.csv", NUMBERS[5])
    outside = tmp_path / "outside"
    codes_file(outside / "linked.csv", NUMBERS[5])
    (codes / "linked_folder").symlink_to(outside)
    (codes / "linked_file.csv").symlink_to(outside / "linked.csv")
    (codes / "dangling.csv").symlink_to(tmp_path / "nowhere.csv")
    codes_file(warehouse.landing / "OPT_OUT_CODES" / "shouting.csv", NUMBERS[5])
    codes_file(warehouse.landing / "root.csv", NUMBERS[5])
    (codes / "notes.txt").write_text("not an extract\n")
    # Valid UTF-8 on which DuckDB's reader fails (scattered quotes among multi-byte
    # characters): refused alone, while the good files read beside it are all read.
    (codes / "broken.csv").write_text(HEADER + UNPARSEABLE_LINES, encoding="utf-8")
    warehouse.build()

    assert received_numbers(warehouse) == sorted(NUMBERS[:5]), "each literal path read once, and only it"
    recon = dict(warehouse.query("select source_file, rows_received from landing_file_reconciliation"))
    for name in ("x[1].csv", "x1.csv", "star*.csv", "starA.csv", "sub/upper.CSV"):
        assert recon[f"opt_out_codes/{name}"] == 1, name
    refused = dict(warehouse.query("select source_file, reason from rejected_files"))
    assert refused == {
        "opt_out_codes/back\\slash.csv": "unsupported_file_name",
        "opt_out_codes/linked_folder": "symbolic_link",
        "opt_out_codes/linked_file.csv": "symbolic_link",
        "opt_out_codes/dangling.csv": "symbolic_link",
        "OPT_OUT_CODES/shouting.csv": "feed_folder_name_in_wrong_case",
        "root.csv": "not_in_a_feed_folder",
        "opt_out_codes/notes.txt": "not_a_csv_file",
        "opt_out_codes/broken.csv": "unparseable_csv",
    }
    assert NUMBERS[5] not in received_numbers(warehouse)

    # The only new file lies in a folder named like a Hive partition: DuckDB would read the
    # folder name as the file's code column (this opt-out as the withdrawal 9Nu5, a dropped opt-out).
    codes_file(codes / "code=9Nu5" / "hive.csv", HIVE_NUMBER)
    warehouse.build()
    assert warehouse.query(f"select action from opt_out_events where nhs_number = '{HIVE_NUMBER}'") == [("opt_out",)]
    assert HIVE_NUMBER in {n for (n,) in warehouse.query("select nhs_number from current_opt_outs")}


def test_a_missing_landing_directory_is_one_sentence_and_changes_nothing(warehouse: Warehouse) -> None:
    warehouse.built_demo()
    before = warehouse.table("opt_out_events")
    missing = warehouse.root / "landing_typo"
    result = warehouse.build(check=False, cli=True, extra_vars={"landing_dir": str(missing)})
    assert result.returncode != 0
    assert f"The landing directory '{missing}' does not exist" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    assert warehouse.table("opt_out_events") == before


@pytest.mark.slow
def test_the_time_zone_of_the_machine_changes_nothing(warehouse: Warehouse) -> None:
    """Modification times are instants: a warehouse built under one TZ and rebuilt under
    another reads no file again and refuses none as changed after receipt."""
    warehouse.land(DEMO_LANDING)
    env = warehouse.env()
    subprocess.run(warehouse.dbt_command("build"), cwd=PROJECT_DIR, env={**env, "TZ": "UTC"},
                   capture_output=True, text=True, check=True, timeout=900)
    received = warehouse.query("select count(*) from intermediate.int_landing_files_received")[0][0]
    result = subprocess.run(warehouse.dbt_command("build"), cwd=PROJECT_DIR,
                            env={**env, "TZ": "America/New_York"}, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-3000:]
    assert warehouse.query("select count(*) from rejected_files where reason = 'changed_after_receipt'") == [(0,)]
    assert warehouse.query("select count(*) from intermediate.int_landing_files_received")[0][0] == received
    assert warehouse.query("select count(*) from landing.files where already_received")[0][0] == received


@pytest.mark.slow
def test_the_hash_cache_reads_an_unchanged_file_once_and_a_rewritten_one_again(tmp_path: Path, monkeypatch) -> None:
    """Issue 19 (per-file cost): a file whose size, times, inode and device are unchanged is not
    read again; one rewritten in place with its size and modification time put back is."""
    import opt_out_io.landing_listing as listing

    landing, cache = tmp_path / "landing", str(tmp_path / "warehouse.duckdb.landing_hashes")
    kept, rewritten = landing / "opt_out_codes" / "kept.csv", landing / "opt_out_codes" / "rewritten.csv"
    codes_file(kept, NUMBERS[0])
    codes_file(rewritten, NUMBERS[1])
    read = []
    real_hash = listing.content_hash
    monkeypatch.setattr(listing, "content_hash", lambda path: read.append(path.name) or real_hash(path))

    first = {e["source_file"]: e["content_hash"] for e in listing.list_landing(str(landing), ["opt_out_codes"], cache)}
    assert sorted(read) == ["kept.csv", "rewritten.csv"]
    assert oct(os.stat(cache).st_mode & 0o777) == "0o600"
    assert NUMBERS[0] not in Path(cache).read_text()

    status = rewritten.stat()
    codes_file(rewritten, NUMBERS[2])   # same length, new bytes
    os.utime(rewritten, ns=(status.st_atime_ns, status.st_mtime_ns))
    assert rewritten.stat().st_size == status.st_size and rewritten.stat().st_mtime_ns == status.st_mtime_ns
    read.clear()
    second = {e["source_file"]: e["content_hash"] for e in listing.list_landing(str(landing), ["opt_out_codes"], cache)}
    assert read == ["rewritten.csv"]
    assert second["opt_out_codes/kept.csv"] == first["opt_out_codes/kept.csv"]
    assert second["opt_out_codes/rewritten.csv"] != first["opt_out_codes/rewritten.csv"]
    Path(cache).write_text("{not json")          # a damaged cache costs a read, nothing else
    read.clear()
    assert {e["source_file"]: e["content_hash"] for e in listing.list_landing(
        str(landing), ["opt_out_codes"], cache)} == second
    assert sorted(read) == ["kept.csv", "rewritten.csv"]
