"""Reliability: a catalogue of malformed input, write-audit-publish, crash safety,
history protection, data hygiene and macro inputs (docs/reliability.md)."""

from __future__ import annotations

import os
import re
import signal
import stat
import subprocess
import textwrap
import time
from datetime import date
from pathlib import Path

import duckdb
import pytest
import reference
from warehouse import DEMO_LANDING, DbtFailed, Warehouse, copy_project, demo_months

H = "extract_date,practice_code,nhs_number,code,recorded_date\n"
C = "extract_date,practice_code,registered_patients,type1_opt_outs\n"
P = "collection_date,practice_code,nhs_number,usual_gp_code\n"
D = "extract_date,nhs_number,year_of_birth,gender,date_of_death\n"
L = "extract_date,superseded_nhs_number,nhs_number,effective_date\n"


def numbers(count: int) -> list[str]:
    found, candidate = [], 960000000
    while len(found) < count:
        candidate += 1
        for check in range(10):
            number = f"{candidate}{check}"
            if reference.is_valid_nhs_number(number):
                found.append(number)
                break
    return found


N = numbers(90)
GOOD = f"2025-04-01,A81001,{N[0]},9Nu4,2025-01-01\n"

# (case, folder, file contents, expectation). Expectation: ("file", reason) — listed in
# rejected_files; or {row_number: reason or None (accepted)}; or "reconciles" — every row
# accepted or rejected, nothing else asserted.
CASES: list[tuple[str, str, bytes | str, object]] = [
    ("empty_file", "opt_out_codes", "", ("file", "empty_file")),
    ("header_only", "opt_out_codes", H, {}),
    ("wrong_header_names", "opt_out_codes", "date,practice,nhs,code,recorded\n" + GOOD, ("file", "unexpected_header")),
    ("reordered_header", "opt_out_codes", "practice_code,extract_date,nhs_number,code,recorded_date\n" + GOOD,
     ("file", "unexpected_header")),
    ("missing_header_column", "opt_out_codes", "extract_date,practice_code,nhs_number,code\n" + GOOD,
     ("file", "unexpected_header")),
    ("extra_header_column", "opt_out_codes", H.strip() + ",note\n" + GOOD, ("file", "unexpected_header")),
    ("semicolon_delimited", "opt_out_codes", H.replace(",", ";") + GOOD.replace(",", ";"), ("file", "unexpected_header")),
    ("tab_delimited", "opt_out_codes", H.replace(",", "\t") + GOOD.replace(",", "\t"), ("file", "unexpected_header")),
    ("upper_case_header", "opt_out_codes", H.upper() + f"2025-04-01,A81001,{N[1]},9Nu4,2025-01-01\n", {1: None}),
    ("padded_header", "opt_out_codes", " extract_date , practice_code,nhs_number,code,recorded_date\n"
     + f"2025-04-01,A81001,{N[2]},9Nu4,2025-01-01\n", {1: None}),
    ("utf8_bom", "opt_out_codes", "\ufeff" + H + f"2025-04-01,A81001,{N[3]},9Nu4,2025-01-01\n", {1: None}),
    ("crlf", "opt_out_codes", (H + f"2025-04-01,A81001,{N[4]},9Nu4,2025-01-01\n").replace("\n", "\r\n"), {1: None}),
    ("cr_only", "opt_out_codes", (H + f"2025-04-01,A81001,{N[5]},9Nu4,2025-01-01\n").replace("\n", "\r"), {1: None}),
    ("no_final_newline", "opt_out_codes", H + f"2025-04-01,A81001,{N[6]},9Nu4,2025-01-01", {1: None}),
    # R3: a line that does not split into exactly the feed's columns keeps none of its values.
    ("blank_and_space_lines", "opt_out_codes", H + f"2025-04-01,A81001,{N[7]},9Nu4,2025-01-01\n\n   \n",
     {1: None, 2: "unexpected_column_count"}),
    ("too_few_values", "opt_out_codes", H + f"2025-04-01,A81001,{N[8]},9Nu4\n", {1: "unexpected_column_count"}),
    ("too_many_values", "opt_out_codes", H + f"2025-04-01,A81001,{N[9]},9Nu4,2025-01-01,x\n",
     {1: "unexpected_column_count"}),
    ("quoted_values", "opt_out_codes", H + f'"2025-04-01","A81001","{N[10]}","9Nu4","2025-01-01"\n', {1: None}),
    ("quoted_comma", "opt_out_codes", H + f'2025-04-01,A81001,{N[11]},"9Nu4,9Nu5",2025-01-01\n', {1: "unknown_code"}),
    ("quoted_newline", "opt_out_codes", H + f'2025-04-01,A81001,{N[12]},"9Nu4\n",2025-01-01\n',
     {1: "embedded_line_break"}),
    ("unterminated_quote", "opt_out_codes", H + f'2025-04-01,A81001,{N[13]},"9Nu4,2025-01-01\n'
     f"2025-04-01,A81001,{N[14]},9Nu4,2025-01-01\n", {1: "embedded_line_break"}),
    ("latin1_bytes", "opt_out_codes", (H + f"2025-04-01,A81001,{N[15]},9Nu4,2025-01-01 caf\xe9\n").encode("latin-1"),
     ("file", "not_utf8")),
    ("utf16", "opt_out_codes", (H + f"2025-04-01,A81001,{N[16]},9Nu4,2025-01-01\n").encode("utf-16"),
     ("file", "not_utf8")),
    ("nul_byte", "opt_out_codes", H + f"2025-04-01,A81001,{N[17][:5]}\x00{N[17][5:]},9Nu4,2025-01-01\n",
     {1: "invalid_nhs_number"}),
    ("very_long_value", "opt_out_codes", H + f"2025-04-01,A81001,{N[18]},{'9Nu4' * 50000},2025-01-01\n",
     {1: "unknown_code"}),
    ("line_over_16_mib", "opt_out_codes", H + f"2025-04-01,A81001,{N[19]},{'x' * 17_000_000},2025-01-01\n",
     ("file", "line_too_long")),
    ("sql_looking_text", "opt_out_codes", H + f"2025-04-01,A81001,{N[20]},'; drop table main.opt_out_events; --,"
     "2025-01-01\n", {1: "unknown_code"}),
    # R1 removes every whitespace character: a tab inside is still the number.
    ("nhs_tab", "opt_out_codes", H + f"2025-04-01,A81001,{N[21][:3]}\t{N[21][3:]},9Nu4,2025-01-01\n",
     {1: None}),
    ("nhs_padded", "opt_out_codes", H + f"2025-04-01,A81001,  {N[22]}  ,9Nu4,2025-01-01\n", {1: None}),
    ("nhs_dots", "opt_out_codes", H + f"2025-04-01,A81001,{N[23][:3]}.{N[23][3:6]}.{N[23][6:]},9Nu4,2025-01-01\n",
     {1: "invalid_nhs_number"}),
    ("nhs_scientific", "opt_out_codes", H + "2025-04-01,A81001,9.60E+09,9Nu4,2025-01-01\n", {1: "invalid_nhs_number"}),
    ("nhs_short_long", "opt_out_codes", H + f"2025-04-01,A81001,{N[24][:9]},9Nu4,2025-01-01\n"
     f"2025-04-01,A81001,{N[24]}1,9Nu4,2025-01-01\n", {1: "invalid_nhs_number", 2: "invalid_nhs_number"}),
    ("nhs_wrong_check", "opt_out_codes", H + f"2025-04-01,A81001,{N[25][:9]}{(int(N[25][9]) + 1) % 10},9Nu4,2025-01-01\n",
     {1: "invalid_nhs_number"}),
    ("nhs_repeated_digits", "opt_out_codes", H + "2025-04-01,A81001,9999999999,9Nu4,2025-01-01\n",
     {1: "invalid_nhs_number"}),
    ("nhs_empty", "opt_out_codes", H + "2025-04-01,A81001,,9Nu4,2025-01-01\n", {1: "invalid_nhs_number"}),
    ("code_lower_case", "opt_out_codes", H + f"2025-04-01,A81001,{N[26]},9nu4,2025-01-01\n", {1: "unknown_code"}),
    ("code_trailing_dots", "opt_out_codes", H + f"2025-04-01,A81001,{N[27]},XaaVL...,2025-01-01\n", {1: None}),
    ("code_empty", "opt_out_codes", H + f"2025-04-01,A81001,{N[28]},,2025-01-01\n", {1: "unknown_code"}),
    ("type1_code", "opt_out_codes", H + f"2025-04-01,A81001,{N[29]},XaZ89,2025-01-01\n", {1: "type1_not_collected"}),
    ("type1_code_with_tab", "opt_out_codes", H + f"2025-04-01,A81001,{N[46]},9Nu0\t,2025-01-01\n",
     {1: "type1_not_collected"}),
    ("type1_code_other_case", "opt_out_codes", H + f"2025-04-01,A81001,{N[47]},xaz89,2025-01-01\n", {1: "unknown_code"}),
    ("opt_out_year_zero", "opt_out_codes", H + f"2025-04-01,A81001,{N[49]},9Nu4,0000-06-15\n", {1: None}),
    ("extract_year_zero", "opt_out_codes", H + f"0000-06-15,A81001,{N[50]},9Nu4,2025-01-01\n",
     {1: "invalid_extract_date"}),
    ("withdrawal_year_1899", "opt_out_codes", H + f"2025-04-01,A81001,{N[51]},9Nu5,1899-12-31\n",
     {1: "invalid_recorded_date"}),
    ("extract_date_uk_format", "opt_out_codes", H + f"01/04/2025,A81001,{N[30]},9Nu4,2025-01-01\n",
     {1: "invalid_extract_date"}),
    ("extract_date_empty", "opt_out_codes", H + f",A81001,{N[31]},9Nu4,2025-01-01\n", {1: "invalid_extract_date"}),
    ("extract_date_impossible", "opt_out_codes", H + f"2025-02-30,A81001,{N[32]},9Nu4,2025-01-01\n",
     {1: "invalid_extract_date"}),
    ("extract_date_with_time", "opt_out_codes", H + f"2025-04-01T00:00:00,A81001,{N[33]},9Nu4,2025-01-01\n",
     {1: "invalid_extract_date"}),
    ("opt_out_future_date", "opt_out_codes", H + f"2025-04-01,A81001,{N[34]},9Nu4,2031-01-01\n", {1: None}),
    ("withdrawal_future_date", "opt_out_codes", H + f"2025-04-01,A81001,{N[35]},9Nu5,2031-01-01\n",
     {1: "invalid_recorded_date"}),
    ("withdrawal_slashed_date", "opt_out_codes", H + f"2025-04-01,A81001,{N[36]},9Nu5,2025/01/01\n",
     {1: "invalid_recorded_date"}),
    ("practice_lower_case", "opt_out_codes", H + f"2025-04-01,a81001,{N[37]},9Nu4,2025-01-01\n", {1: None}),
    ("practice_malformed", "opt_out_codes", H + f"2025-04-01,81001A,{N[38]},9Nu4,2025-01-01\n", {1: None}),
    ("practice_empty", "opt_out_codes", H + f"2025-04-01,,{N[39]},9Nu4,2025-01-01\n", {1: None}),
    ("duplicate_rows", "opt_out_codes", H + f"2025-04-01,A81001,{N[40]},9Nu4,2025-01-01\n" * 3,
     {1: None, 2: None, 3: None}),
    ("upper_case_extension", "opt_out_codes", H + f"2025-04-01,A81001,{N[41]},9Nu4,2025-01-01\n", {1: None}),
    ("deep_subfolder", "opt_out_codes", H + f"2025-04-01,A81001,{N[42]},9Nu4,2025-01-01\n", {1: None}),
    ("counts_negative", "practice_counts", C + "2025-04-01,A81001,-5,0\n", {1: "invalid_count"}),
    ("counts_huge", "practice_counts", C + "2025-04-01,A81002,1000000000000000000000000000000,0\n", {1: "invalid_count"}),
    ("counts_decimal", "practice_counts", C + "2025-04-01,A81003,12.5,1\n", {1: "invalid_count"}),
    ("counts_thousands_separator", "practice_counts", C + '2025-04-01,B82001,"1,234",1\n', {1: "invalid_count"}),
    ("counts_type1_over_list", "practice_counts", C + "2025-04-01,B82002,10,11\n", {1: "invalid_count"}),
    ("counts_empty_values", "practice_counts", C + "2025-04-01,B82003,,\n", {1: "invalid_count"}),
    ("counts_bad_practice", "practice_counts", C + "2025-04-01,B8200,100,1\n", {1: "invalid_practice_code"}),
    ("counts_bad_date", "practice_counts", C + "2025-4-1,C83001,100,1\n", {1: "invalid_extract_date"}),
    ("counts_conflict", "practice_counts", C + "2025-04-01,C83002,100,1\n2025-04-01,C83002,101,1\n",
     {1: "conflicting_counts", 2: "conflicting_counts"}),
    ("counts_identical_duplicate", "practice_counts", C + "2025-04-01,D84001,100,1\n2025-04-01,D84001,100,1\n",
     {1: None, 2: None}),
    ("counts_padded_numbers", "practice_counts", C + "2025-04-01,D84002, 100 , 2 \n", {1: None}),
    ("gp_patients_bad_date", "gp_level_data/patients", P + f"15/10/2025,A81001,{N[43]},G1\n",
     {1: "invalid_collection_date"}),
    ("gp_patients_bad_header", "gp_level_data/patients", "date,practice,nhs,gp\n" + f"2025-10-15,A81001,{N[44]},G1\n",
     ("file", "unexpected_header")),
    ("gp_codes_type2", "gp_level_data/opt_out_codes", H + f"2025-10-01,A81001,{N[45]},9Nu4,2025-01-01\n",
     {1: "type2_not_used"}),
    # Issue 18: Unicode whitespace (R1/R2), stray quotes (R3), Type 1 codes in disguise (R4),
    # a future extract date (SPEC §2), a malformed GP-level line (R14).
    ("nhs_nbsp_and_tab_padding", "opt_out_codes", H + f"2025-04-01,A81001,\t{N[52][:3]}\u00a0{N[52][3:]}\u3000,"
     "9Nu4,2025-01-01\n", {1: None}),
    ("code_nbsp", "opt_out_codes", H + f"2025-04-01,A81001,{N[53]},\u00a0XaaVL\u202f,2025-01-01\n", {1: None}),
    ("nhs_stray_quote", "opt_out_codes", H + f'2025-04-01,A81001,{N[54][:4]}"{N[54][4:]},9Nu4,2025-01-01\n',
     {1: "unbalanced_quote"}),
    ("type1_nbsp", "opt_out_codes", H + f"2025-04-01,A81001,{N[55]},9Nu0\u00a0,2025-01-01\n",
     {1: "type1_not_collected"}),
    ("type1_decimal", "opt_out_codes", H + f"2025-04-01,A81001,{N[56]},827241000000103.0,2025-01-01\n",
     {1: "unknown_code"}),
    ("type1_exponent", "opt_out_codes", H + f"2025-04-01,A81001,{N[57]},8.27241E+14,2025-01-01\n",
     {1: "unknown_code"}),
    ("type1_quoted", "opt_out_codes", H + f"2025-04-01,A81001,{N[58]},'9Nu0',2025-01-01\n", {1: "unknown_code"}),
    ("type1_with_description", "opt_out_codes", H + f"2025-04-01,A81001,{N[59]},9Nu0 Dissent from secondary use,"
     "2025-01-01\n", {1: "unknown_code"}),
    ("type1_space_dot", "opt_out_codes", H + f"2025-04-01,A81001,{N[60]},9Nu0 .,2025-01-01\n", {1: "unknown_code"}),
    ("type1_too_many_values", "opt_out_codes", H + f"2025-04-01,A81001,9Nu0,{N[61]},2025-01-01,x\n",
     {1: "unexpected_column_count"}),
    ("type1_too_few_values", "opt_out_codes", H + f"2025-04-01,{N[62]},9Nu0,2025-01-01\n",
     {1: "unexpected_column_count"}),
    ("type1_swallowed_by_quote", "opt_out_codes", H + f'2025-04-01,A81001,{N[13]},"9Nu4,2025-01-01\n'
     f"2025-04-01,A81001,{N[63]},9Nu0,2025-01-01\n", {1: "embedded_line_break"}),
    ("extract_date_in_the_future", "opt_out_codes", H + f"2099-10-01,A81001,{N[64]},9Nu5,2025-09-15\n",
     {1: "invalid_extract_date"}),
    ("counts_future_date", "practice_counts", C + "2099-10-01,D84003,100,1\n", {1: "invalid_extract_date"}),
    ("gp_patients_missing_value", "gp_level_data/patients", P + f"2025-10-15,{N[65]},G1\n",
     {1: "unexpected_column_count"}),
    # SPEC §9: the patient_demographics feed.
    ("demographics_good", "patient_demographics", D + f"2025-04-01,{N[66]},1970,female,\n", {1: None}),
    ("demographics_gender_case_and_spaces", "patient_demographics", D + f"2025-04-01,{N[67]},1970, Male\u00a0,\n",
     {1: None}),
    ("demographics_gender_as_code", "patient_demographics", D + f"2025-04-01,{N[68]},1970,1,\n", {1: "invalid_gender"}),
    ("demographics_born_after_extract", "patient_demographics", D + f"2025-04-01,{N[69]},2026,male,\n",
     {1: "invalid_year_of_birth"}),
    ("demographics_year_1879_and_text", "patient_demographics",
     D + f"2025-04-01,{N[69]},1879,male,\n2025-04-01,{N[69]},19x0,male,\n",
     {1: "invalid_year_of_birth", 2: "invalid_year_of_birth"}),
    ("demographics_death_after_extract", "patient_demographics", D + f"2025-04-01,{N[70]},1950,male,2025-05-01\n",
     {1: "invalid_date_of_death"}),
    ("demographics_death_before_birth", "patient_demographics", D + f"2025-04-01,{N[71]},1950,male,1949-12-31\n",
     {1: "invalid_date_of_death"}),
    ("demographics_death_uk_format", "patient_demographics", D + f"2025-04-01,{N[72]},1950,male,01/03/2025\n",
     {1: "invalid_date_of_death"}),
    ("demographics_bad_nhs_number", "patient_demographics", D + "2025-04-01,9000000008,1950,male,\n",
     {1: "invalid_nhs_number"}),
    ("demographics_future_extract", "patient_demographics", D + f"2099-01-01,{N[73]},1950,male,\n",
     {1: "invalid_extract_date"}),
    ("demographics_type1_lookalike", "patient_demographics", D + f"2025-04-01,{N[74]},1950,9Nu0,\n",
     {1: "invalid_gender"}),
    ("demographics_too_many_values", "patient_demographics", D + f"2025-04-01,{N[75]},1950,male,,x\n",
     {1: "unexpected_column_count"}),
    ("demographics_bad_header", "patient_demographics", "nhs_number,dob,sex\n" + f"{N[76]},1950-01-01,M\n",
     ("file", "unexpected_header")),
    # SPEC §9: the nhs_number_changes feed.
    ("changes_good", "nhs_number_changes", L + f"2025-04-01,{N[77]},{N[78]},2025-03-01\n", {1: None}),
    ("changes_bad_numbers", "nhs_number_changes",
     L + f"2025-04-01,9000000008,{N[78]},2025-03-01\n2025-04-01,{N[78]},12345,2025-03-01\n",
     {1: "invalid_nhs_number", 2: "invalid_nhs_number"}),
    ("changes_same_number", "nhs_number_changes", L + f"2025-04-01,{N[78]},{N[78][:3]} {N[78][3:]},2025-03-01\n",
     {1: "same_nhs_number"}),
    ("changes_effective_after_extract", "nhs_number_changes",
     L + f"2025-04-01,{N[77]},{N[79]},2025-04-02\n2025-04-01,{N[77]},{N[79]},01/03/2025\n",
     {1: "invalid_effective_date", 2: "invalid_effective_date"}),
    ("changes_type1_lookalike", "nhs_number_changes", L + f"2025-04-01,{N[80]},{N[81]},9Nu0\n",
     {1: "invalid_effective_date"}),
    ("changes_too_few_values", "nhs_number_changes", L + f"2025-04-01,{N[82]},2025-03-01\n",
     {1: "unexpected_column_count"}),
]
# Numbers that a rule says are stored nowhere (R3, R4, R14): checked in every table.
STORED_NOWHERE = [N[46], N[47], N[55], N[56], N[57], N[58], N[59], N[60], N[61], N[62], N[63], N[65], N[74], N[75],
                  N[80], N[81], N[82]]
FEEDS = {"opt_out_codes": "opt_out_codes", "practice_counts": "practice_counts",
         "gp_level_data/patients": "gp_level_data_patients", "gp_level_data/opt_out_codes": "gp_level_data_opt_out_codes",
         "patient_demographics": "patient_demographics", "nhs_number_changes": "nhs_number_changes"}


def case_path(case: str, folder: str) -> str:
    name = f"{case}.CSV" if case == "upper_case_extension" else f"{case}.csv"
    return f"{folder}/bad/{'a/b/c/' if case == 'deep_subfolder' else ''}{name}"


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    warehouse = Warehouse(tmp_path_factory.mktemp("catalogue"))
    for case, folder, content, _ in CASES:
        path = warehouse.landing / case_path(case, folder)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    # The same file under two names, and a duplicate file in another folder.
    same = warehouse.landing / case_path("duplicate_rows", "opt_out_codes")
    (warehouse.landing / "opt_out_codes" / "bad" / "duplicate_rows_copy.csv").write_bytes(same.read_bytes())
    (warehouse.landing / "opt_out_codes" / "again").mkdir()
    (warehouse.landing / "opt_out_codes" / "again" / "duplicate_rows.csv").write_bytes(same.read_bytes())
    warehouse.build()  # every reconciliation and data test runs here: the build must pass
    return warehouse


def test_catalogue_has_at_least_fifty_kinds() -> None:
    assert len(CASES) + 2 >= 50


@pytest.mark.parametrize(("case", "folder", "content", "expected"), CASES, ids=[c[0] for c in CASES])
def test_bad_input(catalogue: Warehouse, case: str, folder: str, content: object, expected: object) -> None:
    source_file = case_path(case, folder)
    if isinstance(expected, tuple):
        assert catalogue.query(f"select reason from rejected_files where source_file = '{source_file}'") == [
            (expected[1],)]
        assert catalogue.query(f"select count(*) from rejected_rows where source_file = '{source_file}'") == [(0,)]
        return
    reasons = dict(catalogue.query(
        f"select row_number, reason from rejected_rows where source_file = '{source_file}'"))
    recon = catalogue.query(
        "select rows_in_landing, rows_received, rows_accepted, rows_rejected from landing_file_reconciliation "
        f"where feed = '{FEEDS[folder]}' and source_file = '{source_file}'")
    assert recon, f"{source_file} is not in the reconciliation"
    rows_in, received, accepted, rejected = recon[0]
    assert rows_in == received == accepted + rejected == len(expected)
    assert reasons == {row: reason for row, reason in expected.items() if reason is not None}


def test_accepted_demographics_are_kept_normalised(catalogue: Warehouse) -> None:
    """SPEC §9: an accepted demographics row keeps its normalised values (gender trimmed of
    every whitespace and lower-cased); a rejected one its values as sent, with no number
    for a row that carries a Type 1 code in disguise (R4)."""
    assert catalogue.query("select nhs_number, year_of_birth, gender, date_of_death "
                           f"from intermediate.int_patient_demographic_rows_received where nhs_number_raw = '{N[67]}'") \
        == [(N[67], 1970, "male", None)]
    assert catalogue.query("select reason, gender, nhs_number from rejected_rows "
                           "where source_file like '%demographics_gender_as_code%'") == [("invalid_gender", "1", N[68])]


def test_same_file_twice_is_one_set_of_events(catalogue: Warehouse) -> None:
    assert catalogue.query(f"select count(*) from opt_out_events where nhs_number = '{N[40]}'") == [(1,)]
    assert catalogue.query(
        "select count(*) from landing_file_reconciliation where source_file like '%duplicate_rows%'") == [(3,)]


def test_type1_codes_however_written_keep_no_number(catalogue: Warehouse) -> None:
    """R2/R4/R3/R14: a Type 1 code with a trailing tab or a non-breaking space, in another
    case, in decimal or exponent form, quoted, followed by its description or by ' .'; a
    Type 1 row with a value too many or too few, or swallowed by a quote on the line before;
    a malformed GP-level row — none stores its NHS number in any table (the analyst copy
    included)."""
    stored = catalogue.all_text_values()
    kept = [i for i, n in enumerate(STORED_NOWHERE) if any(n in value for value in stored)]
    assert not kept, f"stored: cases {kept} of STORED_NOWHERE"
    with duckdb.connect(str(catalogue.analyst_copy), read_only=True) as analyst:
        listed = ", ".join(f"'{n}'" for n in STORED_NOWHERE)
        assert analyst.execute(f"select count(*) from rejected_rows where nhs_number in ({listed}) "
                               f"or practice_code in ({listed}) or code in ({listed})").fetchone() == (0,)


def test_an_opt_out_dated_year_zero_still_applies(catalogue: Warehouse) -> None:
    """docs/rules.md §1, R5: 0000-06-15 is no date; the opt-out is kept, dated when received,
    and the patient is a current opt-out (not lost through a BC date)."""
    assert catalogue.query(
        f"select recorded_date, recorded_date_imputed from opt_out_events where nhs_number = '{N[49]}'") == [
        (date(2025, 4, 1), True)]
    assert catalogue.query(f"select count(*) from current_opt_outs where nhs_number = '{N[49]}'") == [(1,)]


def test_sql_looking_text_is_only_data(catalogue: Warehouse) -> None:
    assert catalogue.query("select count(*) from opt_out_events")[0][0] > 0


# ---------------------------------------------------------------- write-audit-publish


INJECTED_FAILURES = {
    # A check on one model of the record.
    "single_model_test": ("tests/dbt/injected_failure.sql",
                          "-- A check on the opt-out record that fails.\n"
                          "select count(*) from {{ ref('current_opt_outs') }} having true\n"),
    # A check spanning two models, neither of them the published one's only parent.
    "multi_model_test": ("tests/dbt/injected_failure.sql",
                         "-- A check across the record that fails.\n"
                         "select periods.nhs_number from {{ ref('opt_out_periods') }} as periods\n"
                         "inner join {{ ref('current_opt_outs') }} as current_record\n"
                         "    on periods.nhs_number = current_record.nhs_number\n"),
    # A unit test of a rule of the record.
    "unit_test": ("models/opt_outs/injected_failure.yml", textwrap.dedent("""\
        unit_tests:
          - name: injected_failure
            model: int_type2_status_changes
            overrides:
              macros:
                is_incremental: false
            given:
              - input: ref('int_type2_status_by_received_date')
                rows:
                  - {nhs_number: A, as_of_date: '2025-04-01', is_opted_out: true, deciding_recorded_date: '2025-01-01'}
            expect:
              rows:
                - {nhs_number: A, status_from: '2025-04-01', is_opted_out: false}
        """)),
}


@pytest.mark.parametrize("kind", sorted(INJECTED_FAILURES))
def test_failing_check_keeps_the_published_record_in_force(tmp_path: Path, kind: str) -> None:
    """Write-audit-publish: any kind of failing check on the record — single-model,
    multi-model or unit test — stops publication, and the build says what failed and which
    record is in force."""
    project = copy_project(tmp_path / "project")
    warehouse = Warehouse(tmp_path, project_dir=project, unit_tests=kind == "unit_test")
    months = demo_months()
    warehouse.built_demo(months[:-1])
    before = {
        "record": warehouse.table("published.published_current_opt_outs"),
        "release": warehouse.table("releases.release_hes_research_extract"),
        "files": {p.name: p.read_bytes() for p in warehouse.publication.iterdir()},
    }
    published_at = warehouse.query("select max(published_at) from published.published_current_opt_outs")[0][0]
    versions = warehouse.table("published_record_versions")
    relative, text = INJECTED_FAILURES[kind]
    (project / relative).write_text(text)
    for feed in ("opt_out_codes", "practice_counts"):
        warehouse.land(DEMO_LANDING / feed / months[-1], f"{feed}/{months[-1]}")
    result = warehouse.build(check=False)
    assert result.returncode != 0
    assert "OPT-OUT RECORD NOT PUBLISHED: failed:" in result.stdout
    assert "injected_failure" in result.stdout.split("OPT-OUT RECORD NOT PUBLISHED")[1]
    assert f"still use the record published at {published_at}" in result.stdout
    assert warehouse.table("published.published_current_opt_outs") == before["record"]
    assert warehouse.table("published_record_versions") == versions, "no version for an unchecked record"
    assert warehouse.table("releases.release_hes_research_extract") == before["release"]
    assert {p.name: p.read_bytes() for p in warehouse.publication.iterdir()} == before["files"]
    if kind != "unit_test":  # a failing unit test stops its model being built at all
        # The unchecked record did change: the published one is genuinely the older.
        assert warehouse.query("select count(*) from current_opt_outs") != [(len(before["record"]),)]


def test_a_publication_that_cannot_be_written_is_named_and_writes_nothing(warehouse: Warehouse) -> None:
    """The end-of-run message says what failed (here the publication folder is a file), not
    that a check failed; the record itself was checked and published."""
    warehouse.land(DEMO_LANDING)
    blocked = warehouse.root / "not_a_folder"
    blocked.write_text("a file where the publication folder should be\n")
    result = warehouse.build(check=False, extra_vars={"publication_dir": str(blocked)})
    assert result.returncode != 0
    published_at = warehouse.query("select max(published_at) from published.published_current_opt_outs")[0][0]
    assert f"Opt-out record published at {published_at}. CARE INFORMATION CHOICES FILES NOT WRITTEN: " \
           "failed: model publication_files" in result.stdout
    assert "OPT-OUT RECORD NOT PUBLISHED" not in result.stdout
    assert blocked.read_text() == "a file where the publication folder should be\n"


# ---------------------------------------------------------------------- crash safety

COMPARED = ["opt_out_events", "opt_out_periods", "current_opt_outs", "practice_opt_out_statistics",
            "published.published_current_opt_outs", "intermediate.int_opt_out_code_rows_received",
            "snapshots.type2_opt_out_status"]


def comparable(warehouse: Warehouse) -> dict[str, list[tuple]]:
    out = {}
    for table in COMPARED:
        columns = [c for (c,) in warehouse.query(
            "select column_name from information_schema.columns where "
            f"table_schema || '.' || table_name = '{table if '.' in table else 'main.' + table}' "
            "and column_name not in ('received_at', 'published_at', 'version_id', 'dbt_updated_at', 'dbt_scd_id') "
            "order by ordinal_position")]
        out[table] = warehouse.query(f"select {', '.join(columns)} from {table} order by all")
    return out


@pytest.mark.slow
def test_killed_builds_leave_no_half_written_history(tmp_path: Path) -> None:
    months = demo_months()
    reference_run = Warehouse(tmp_path / "uninterrupted")
    crashed = Warehouse(tmp_path / "crashed")
    for warehouse in (reference_run, crashed):
        warehouse.root.mkdir()
        warehouse.built_demo(months[:-1])
        for feed in ("opt_out_codes", "practice_counts"):
            warehouse.land(DEMO_LANDING / feed / months[-1], f"{feed}/{months[-1]}")
    reference_run.build()
    expected = comparable(reference_run)
    for delay in (1.5, 3.0, 4.5, 6.0):
        process = subprocess.Popen(
            [*crashed.dbt_command("build")], cwd=crashed.project_dir, env=crashed.env(),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        time.sleep(delay)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        crashed.build()
        assert comparable(crashed) == expected, f"after a kill at {delay}s"


# --------------------------------------------------------------- history protection


@pytest.mark.slow
def test_rebuilt_seeds_and_full_refresh_lose_no_event(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    warehouse = Warehouse(tmp_path, project_dir=project)
    warehouse.built_demo()
    events = warehouse.table("opt_out_events")
    versions = warehouse.query("select count(*) from snapshots.type2_opt_out_status")[0][0]
    # A code list without the CTV3 codes, rebuilt from scratch, then a full refresh.
    code_list = project / "seeds" / "opt_out_code_list.csv"
    code_list.write_text("\n".join(line for line in code_list.read_text().splitlines() if ",CTV3," not in line) + "\n")
    warehouse.dbt("seed", "--full-refresh")
    warehouse.build("--full-refresh")
    assert warehouse.table("opt_out_events") == events
    assert warehouse.query("select count(*) from snapshots.type2_opt_out_status")[0][0] >= versions


# ------------------------------------------------------------------- data hygiene


def demo_nhs_numbers() -> set[str]:
    found = set()
    for path in DEMO_LANDING.rglob("*.csv"):
        for token in re.findall(r"[0-9][0-9 -]{8,14}[0-9]", path.read_text()):
            number = reference.normalise_nhs_number(token)
            if reference.is_valid_nhs_number(number):
                found.add(number)
    return found - {"9000000009"}  # also a unit-test fixture (in the header-rejected demo file)


def scan(paths: list[Path], forbidden: set[str]) -> set[str]:
    leaked = set()
    for root in paths:
        for path in [root] if root.is_file() else root.rglob("*"):
            if path.is_file() and not path.suffix == ".duckdb":
                text = re.sub(r"[ -]", "", path.read_bytes().decode("utf-8", "replace"))
                leaked |= {n for n in forbidden if n in text}
    return leaked


def test_no_nhs_number_in_logs_artifacts_or_publication(demo_warehouse: Warehouse) -> None:
    forbidden = demo_nhs_numbers()
    assert len(forbidden) > 200
    leaked = scan([demo_warehouse.root / "logs", demo_warehouse.root / "target", demo_warehouse.publication],
                  forbidden)
    assert not leaked


def test_no_nhs_number_in_output_of_failing_tests(tmp_path: Path) -> None:
    """Failing data tests report counts, never the numbers, and store no failures."""
    project = copy_project(tmp_path / "project")
    (project / "tests" / "dbt" / "injected_leaky_test.sql").write_text(
        "select nhs_number from {{ ref('current_opt_outs') }}\n")
    warehouse = Warehouse(tmp_path, project_dir=project)
    warehouse.land(DEMO_LANDING)
    result = warehouse.build("--store-failures", check=False, cli=True)
    assert result.returncode != 0 and "injected_leaky_test" in result.stdout
    forbidden = demo_nhs_numbers()
    assert not scan([warehouse.root / "logs", warehouse.root / "target"], forbidden)
    assert not {n for n in forbidden if n in result.stdout + result.stderr}
    stored = warehouse.query("select count(*) from information_schema.tables where table_schema like '%dbt_test%'")
    assert stored == [(0,)]


def test_warehouse_files_are_owner_only(demo_warehouse: Warehouse) -> None:
    for path in [demo_warehouse.db_path, demo_warehouse.analyst_copy, *demo_warehouse.publication.iterdir()]:
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path.name


# -------------------------------------------------------------------- macro inputs


@pytest.mark.parametrize(
    ("call", "message"),
    [
        ("apply_opt_outs(ref('hospital_episodes'), nhs_number_column='nhs_number) --')", "not a plain column name"),
        ("apply_opt_outs(ref('hospital_episodes'), nhs_number_column='x\"; drop table y; --')",
         "not a plain column name"),
        ("apply_opt_outs('main.hospital_episodes; drop table main.current_opt_outs')", "must be a relation"),
        ("apply_opt_outs(ref('hospital_episodes'), as_of=\"2025-01-01' or '1'='1\")", "as_of must be a date"),
        ("apply_opt_outs(ref('hospital_episodes'), rows_without_nhs_number='keep; --')", "must be 'exclude' or 'keep'"),
    ],
)
def test_release_definitions_cannot_inject_sql(tmp_path: Path, call: str, message: str) -> None:
    project = copy_project(tmp_path / "project")
    (project / "models" / "releases" / "release_hes_research_extract.sql").write_text("{{ " + call + " }}\n")
    warehouse = Warehouse(tmp_path, project_dir=project)
    with pytest.raises(DbtFailed, match=re.escape(message)):
        warehouse.dbt("compile", "--select", "release_hes_research_extract")


# ------------------------------------------------------------------ encryption at rest


def test_encrypted_warehouse_cannot_be_opened_without_the_key(tmp_path: Path) -> None:
    warehouse = Warehouse(tmp_path)
    warehouse.land(DEMO_LANDING)
    key = "test-only-key-" + "x" * 16
    env = dict(warehouse.env(), OPT_OUT_TARGET="duckdb_encrypted", OPT_OUT_ENCRYPTION_KEY=key,
               OPT_OUT_ENCRYPTION_ALLOW_MBEDTLS="true")
    result = subprocess.run(warehouse.dbt_command("build"), cwd=warehouse.project_dir, env=env,
                            capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-3000:]
    import duckdb

    with pytest.raises(duckdb.Error, match="without a key"):
        duckdb.connect(str(warehouse.db_path))
    with pytest.raises(duckdb.Error):
        duckdb.connect().execute(f"attach '{warehouse.db_path}' as w (encryption_key 'wrong-key', read_only)")
    with duckdb.connect() as con:
        con.execute(f"attach '{warehouse.db_path}' as w (encryption_key '{key}', read_only)")
        assert con.execute("select count(*) from w.main.current_opt_outs").fetchone()[0] > 100
    # No plain-text copy is made of an encrypted warehouse, and the file holds no number in clear.
    assert not warehouse.analyst_copy.exists()
    assert not re.search(rb"9[0-9]{9}", warehouse.db_path.read_bytes())


# ------------------------------------------------------- configuration and reference data


def test_reference_data_and_configuration_mistakes_are_named(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    warehouse = Warehouse(tmp_path, project_dir=project)
    warehouse.built_demo()

    result = warehouse.build(check=False, cli=True, extra_vars={"publication_month": "2025-13"})
    assert result.returncode != 0 and "Traceback" not in result.stdout + result.stderr
    assert "The dbt var publication_month must be a month written YYYY-MM" in result.stdout

    result = warehouse.build(check=False, cli=True, extra_vars={"publication_month": "2024-01"})
    assert result.returncode != 0 and "Traceback" not in result.stdout + result.stderr
    assert "publication_month 2024-01 has no figures, so nothing can be published for it (months with figures: " \
           f"{demo_months()[0]} to {demo_months()[-1]})" in result.stdout
    assert not list(warehouse.publication.glob("*2024-01*"))

    practices = project / "seeds" / "practices.csv"
    first = practices.read_text().splitlines()[1].split(",")
    practices.write_text(practices.read_text() + f"{first[0]},{first[1]},{first[2]},2025-01-01,\n")
    result = warehouse.build(check=False)
    assert result.returncode != 0
    assert "Reference data check periods_do_not_overlap_practices_practice_code failed on:" in result.stdout
    assert f"period_key={first[0]}, period_from={first[3]}, period_to=None, next_from=2025-01-01" in result.stdout
    assert "CARE INFORMATION CHOICES FILES NOT WRITTEN" in result.stdout
