"""The hardening of issue 18 (docs/reliability.md): no opted-out row leaves, no Type 1 number
is kept, no opt-out is lost — releases whose input tries to hijack the match or pads numbers
with any whitespace (R1, R15), a clock set back between builds, landing files identified by
their content, things in a feed folder that are not regular files, extracts dated in the
future (SPEC §2)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import textwrap
from pathlib import Path

import pytest
import reference
from warehouse import DEMO_LANDING, Warehouse, copy_project, demo_months

H = "extract_date,practice_code,nhs_number,code,recorded_date\n"


def current_opt_outs() -> list[str]:
    return sorted(reference.compute(DEMO_LANDING).current)


# ------------------------------------------------------------------ R1, R15: releases

FREE = "9000000009"  # valid, and never opted out in the demo


def padded_forms(number: str) -> dict[str, str]:
    """An opted-out number as spreadsheets, CRLF files and word processors leave it."""
    return {
        "leading_tab": "\t" + number,
        "trailing_tab": number + "\t",
        "trailing_cr": number + "\r",
        "crlf": number + "\r\n",
        "nbsp_inside": number[:3] + "\u00a0" + number[3:6] + "\u00a0" + number[6:],
        "ideographic_space": "\u3000" + number,
        "figure_space": number[:3] + "\u2007" + number[3:],
        "zero_width_space": number[:5] + "\u200b" + number[5:],
        "byte_order_mark": "\ufeff" + number,
        "en_dash": number[:3] + "\u2013" + number[3:6] + "\u2013" + number[6:],
        "plain_hijack": number,  # plain, but the helper-named columns hold a free number
    }


def sql_text(value: str) -> str:
    """A SQL expression for `value`, every character outside printable ASCII as chr()."""
    parts, plain = [], ""
    for character in value:
        if " " < character < "\x7f" and character != "'":
            plain += character
            continue
        if plain:
            parts.append(f"'{plain}'")
            plain = ""
        parts.append(f"chr({ord(character)})")
    if plain:
        parts.append(f"'{plain}'")
    return " || ".join(parts) or "''"


@pytest.fixture(scope="module")
def hostile_releases(tmp_path_factory: pytest.TempPathFactory) -> tuple[Warehouse, set[str]]:
    """The demo, with a release input whose numbers are padded with every kind of whitespace
    and whose other columns carry the names of the macro's helper columns."""
    root = tmp_path_factory.mktemp("releases")
    project = copy_project(root / "project")
    opted_out = current_opt_outs()
    rows, removed = [], set()
    for index, (form, value) in enumerate(padded_forms(opted_out[0]).items()):
        rows.append(f"('{form}', {sql_text(value)}, '{FREE}', {FREE})")
        removed.add(form)
    rows.append(f"('free', '{FREE}', '{opted_out[1]}', {opted_out[1]})")
    (project / "models" / "hostile").mkdir()
    (project / "models" / "hostile" / "hostile_input.sql").write_text(
        "{{ config(materialized='table', schema='demo') }}\n"
        "select * from (values\n    " + ",\n    ".join(rows) + "\n"
        ") as t(episode_id, nhs_number, opt_out_nhs_normalised, opt_out_nhs_as_bigint)\n")
    for policy in ("exclude", "keep"):
        (project / "models" / "releases" / f"release_hostile_{policy}.sql").write_text(
            f"{{{{ apply_opt_outs(ref('hostile_input'), rows_without_nhs_number='{policy}') }}}}\n")
    (project / "models" / "releases" / "hostile.yml").write_text(textwrap.dedent("""\
        version: 2
        models:
          - name: release_hostile_exclude
            config: {meta: {purpose: p, recipient: r, opt_outs: applied}}
            data_tests: [no_opted_out_patients]
          - name: release_hostile_keep
            config: {meta: {purpose: p, recipient: r, opt_outs: applied}}
            data_tests: [no_opted_out_patients]
        """))
    warehouse = Warehouse(root, project_dir=project)
    warehouse.land(DEMO_LANDING)
    warehouse.build()
    return warehouse, removed


@pytest.mark.parametrize("policy", ["exclude", "keep"])
def test_no_input_column_or_whitespace_keeps_an_opted_out_row(hostile_releases, policy: str) -> None:
    """R15: a number padded with a tab, CR, LF, a non-breaking or other Unicode space, a
    zero-width space, a BOM or a dash is that patient's number (R1); input columns named like
    the macro's helpers change nothing — under both policies."""
    warehouse, removed = hostile_releases
    kept = {episode for (episode,) in warehouse.query(f"select episode_id from releases.release_hostile_{policy}")}
    assert not kept & removed, sorted(kept & removed)
    assert kept == {"free"}


def test_release_manifest_names_its_column_as_the_interface(hostile_releases) -> None:
    """SPEC §8: release_manifest's column is rows_without_nhs_number."""
    warehouse, removed = hostile_releases
    assert warehouse.query(
        "select rows_in, rows_out, patients_removed, rows_without_nhs_number from release_manifest "
        "where release_name = 'release_hostile_exclude'") == [(len(removed) + 1, 1, 1, 0)]


# ------------------------------------------------------------------ SPEC §2: the clock, files, dates


def faketime() -> str:
    """Debian's faketime (installed like PostgreSQL for the engine tests when missing)."""
    found = shutil.which("faketime")
    if found:
        return found
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    subprocess.run([*sudo, "apt-get", "install", "-y", "-qq", "faketime"], check=False, capture_output=True,
                   env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"}, timeout=600)
    if not shutil.which("faketime"):
        subprocess.run([*sudo, "apt-get", "update", "-qq"], check=True, capture_output=True, timeout=600)
        subprocess.run([*sudo, "apt-get", "install", "-y", "-qq", "faketime"], check=True, capture_output=True,
                       env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"}, timeout=600)
    return shutil.which("faketime") or "faketime"


@pytest.fixture(scope="module")
def clock_set_back(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Three builds of one warehouse:
    1. the demo without its last month, plus a named pipe and a socket in feed folders and a
       row whose extract date is a typo in the future, lifting an opt-out;
    2. with the machine's clock one day behind build 1's: the last month lands, a received
       file reappears under another folder (a copy), and another is rewritten in place with
       the same size and modification time;
    3. at the real time, nothing new."""
    warehouse = Warehouse(tmp_path_factory.mktemp("clock"))
    months = demo_months()
    for folder in ("opt_out_codes", "practice_counts"):
        for month in months[:-1]:
            warehouse.land(DEMO_LANDING / folder / month, f"{folder}/{month}")
    warehouse.land(DEMO_LANDING / "gp_level_data", "gp_level_data")
    expected_before = reference.compute(warehouse.landing)
    lifted = sorted(expected_before.current)[0]
    typo = warehouse.landing / "opt_out_codes" / "typo" / "typo.csv"
    typo.parent.mkdir(parents=True)
    typo.write_text(H + f"2099-10-01,A81001,{lifted},9Nu5,2025-09-15\n")
    os.mkfifo(warehouse.landing / "opt_out_codes" / "pipe.csv")
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(warehouse.landing / "practice_counts" / "socket.csv"))
    first = warehouse.build()

    # Build 2: the clock one day behind.
    warehouse.land(DEMO_LANDING / "opt_out_codes" / months[-1], f"opt_out_codes/{months[-1]}")
    warehouse.land(DEMO_LANDING / "practice_counts" / months[-1], f"practice_counts/{months[-1]}")
    original = sorted((warehouse.landing / "opt_out_codes" / months[0]).glob("*.csv"))[0]
    copy = warehouse.landing / "opt_out_codes" / "restored" / original.name
    copy.parent.mkdir()
    shutil.copy(original, copy)  # new path, new modification time, the same bytes
    rewritten = sorted((warehouse.landing / "opt_out_codes" / months[1]).glob("*.csv"))[0]
    stat = rewritten.stat()
    content = rewritten.read_bytes()
    changed = content.replace(b"9Nu4", b"9Nu5", 1) if b"9Nu4" in content else content.replace(b"XaaVL", b"XaaVM", 1)
    assert changed != content and len(changed) == len(content)
    rewritten.write_bytes(changed)
    os.utime(rewritten, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    second = subprocess.run([faketime(), "-f", "-1d", *warehouse.dbt_command("build")], cwd=warehouse.project_dir,
                            env=warehouse.env(), capture_output=True, text=True, timeout=900)
    third = warehouse.build(check=False)
    server.close()
    return {"warehouse": warehouse, "first": first, "second": second, "third": third, "lifted": lifted,
            "copy": copy.relative_to(warehouse.landing).as_posix(),
            "original": original.relative_to(warehouse.landing).as_posix(),
            "rewritten": rewritten.relative_to(warehouse.landing).as_posix()}


def test_not_a_regular_file_is_listed_and_never_opened(clock_set_back: dict) -> None:
    """SPEC §2: a named pipe and a socket called x.csv in feed folders do not hang or stop the
    build; each is listed with its reason."""
    warehouse = clock_set_back["warehouse"]
    assert warehouse.query("select source_file, reason from rejected_files where reason = 'not_a_regular_file' "
                           "order by all") == [("opt_out_codes/pipe.csv", "not_a_regular_file"),
                                               ("practice_counts/socket.csv", "not_a_regular_file")]


def test_a_future_extract_date_lifts_no_opt_out_nor_moves_the_publication(clock_set_back: dict) -> None:
    """SPEC §2: an extract date later than the day received is invalid_extract_date."""
    warehouse = clock_set_back["warehouse"]
    assert warehouse.query("select reason from rejected_rows where source_file = 'opt_out_codes/typo/typo.csv'") == [
        ("invalid_extract_date",)]
    assert "2099" not in clock_set_back["first"].stdout
    assert not list(warehouse.publication.glob("*2099*"))
    expected = reference.compute(warehouse.landing)
    assert clock_set_back["lifted"] in expected.current, "the reference keeps the opt-out"
    assert warehouse.query(f"select count(*) from current_opt_outs where nhs_number = '{clock_set_back['lifted']}'"
                           ) == [(1,)]


def test_a_build_whose_clock_is_behind_loses_and_doubles_nothing(clock_set_back: dict) -> None:
    """SPEC §2: nothing kept depends on the clock running forward. The build with the clock a
    day behind passes and applies the new month; the next build (real time) passes; no landed
    line is held twice; each build has its own record version, in order."""
    warehouse = clock_set_back["warehouse"]
    assert clock_set_back["second"].returncode == 0, clock_set_back["second"].stdout[-3000:]
    assert clock_set_back["third"].returncode == 0, clock_set_back["third"].stdout[-3000:]
    assert warehouse.query("select count(*) - count(distinct (source_file, row_number)) "
                           "from intermediate.int_opt_out_code_rows_received") == [(0,)]
    assert warehouse.query("select count(*) - count(distinct (source_file, row_number)) "
                           "from intermediate.int_practice_count_rows_received") == [(0,)]
    expected = reference.compute(warehouse.landing)
    published = {n for (n,) in warehouse.query("select nhs_number from published.published_current_opt_outs")}
    assert published == set(expected.current)
    versions = warehouse.query("select version_id, published_at from published_record_versions order by published_at")
    assert len(versions) == 3 and [v for v, _ in versions] == sorted(v for v, _ in versions)
    assert len({v for v, _ in versions}) == 3
    ledger = warehouse.query("select build_number, started_at, clock_started_at from landing.build_ledger "
                             "order by build_number")
    assert [n for n, _, _ in ledger] == [1, 2, 3]
    assert ledger[1][2] < ledger[0][1] < ledger[1][1] < ledger[2][1], "build 2's clock was behind; its stamp is not"


def test_a_file_is_received_once_by_its_content(clock_set_back: dict) -> None:
    """SPEC §2: the same bytes under another path add nothing and are not reported as changed;
    different bytes under a received name are changed_after_receipt, although the size and
    modification time are the same."""
    warehouse = clock_set_back["warehouse"]
    problems = dict(warehouse.query("select source_file, reason from rejected_files"))
    assert clock_set_back["copy"] not in problems
    assert problems.get(clock_set_back["rewritten"]) == "changed_after_receipt"
    assert warehouse.query("select count(*) from intermediate.int_opt_out_code_rows_received "
                           f"where source_file = '{clock_set_back['copy']}'") == [(0,)]
    assert warehouse.query(
        "select received_as, rows_in_landing = rows_accepted + rows_rejected from landing_file_reconciliation "
        f"where source_file = '{clock_set_back['copy']}'") == [(clock_set_back["original"], True)]
