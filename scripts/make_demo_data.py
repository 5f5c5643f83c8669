"""Write the shipped demo landing files (docs/rules.md §1) under demo_data/landing.

Deterministic (fixed seed): rerunning it rewrites the same bytes. Every NHS number is
synthetic, from the never-issued 9-prefixed range. The data exercise every rule R1-R11:
see the SCENARIOS comments below and docs/demo_data.md.
"""

from __future__ import annotations

import argparse
import csv
import random
import shutil
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

EXTRACT_DATES = [
    date(2025, 4, 1),
    date(2025, 5, 1),
    date(2025, 6, 2),
    date(2025, 7, 1),
    date(2025, 8, 1),
    date(2025, 9, 1),
    date(2025, 10, 1),
]
PRACTICES = [
    "A81001", "A81002", "A81003", "B82001", "B82002", "B82003",
    "C83001", "C83002", "D84001", "D84002", "D84003",
    "E85001",  # not in the practices seed: its CCG is UNKNOWN (R13)
]
TYPE2_OPT_OUT = {"Read v2": "9Nu4", "CTV3": "XaaVL", "SNOMED CT": "881561000000100"}
TYPE2_WITHDRAWAL = {"Read v2": "9Nu5", "CTV3": "XaaVM", "SNOMED CT": "881581000000109"}
TYPE1_OPT_OUT = {"Read v2": "9Nu0", "CTV3": "XaZ89", "SNOMED CT": "827241000000103"}
CODES_HEADER = ["extract_date", "practice_code", "nhs_number", "code", "recorded_date"]
COUNTS_HEADER = ["extract_date", "practice_code", "registered_patients", "type1_opt_outs"]


def check_digit(first_nine: str) -> int | None:
    """Modulus 11 check digit (R1); None when the number cannot be issued (check 10)."""
    total = sum(int(d) * w for d, w in zip(first_nine, range(10, 1, -1)))
    check = 11 - total % 11
    if check == 11:
        return 0
    return None if check == 10 else check


def synthetic_nhs_number(rng: random.Random) -> str:
    while True:
        first_nine = "9" + "".join(rng.choice("0123456789") for _ in range(8))
        check = check_digit(first_nine)
        if check is not None and len(set(first_nine + str(check))) > 1:
            return first_nine + str(check)


def with_wrong_check_digit(number: str) -> str:
    return number[:9] + str((int(number[9]) + 1) % 10)


@dataclass
class Code:
    """One code in a patient's GP record, sent in every extract from `first` to `last`."""

    code: str
    recorded: str
    first: int = 0
    last: int = len(EXTRACT_DATES) - 1


@dataclass
class Patient:
    nhs_number: str
    practices: list[str]  # practice per extract index (moves between practices)
    codes: list[Code] = field(default_factory=list)
    sent_as: str | None = None  # how the NHS number is written (spaces, hyphens, typos)
    leaves_after: int | None = None  # death or deregistration: absent from later extracts


def build_patients(rng: random.Random) -> list[Patient]:
    patients: list[Patient] = []
    systems = list(TYPE2_OPT_OUT)

    def new(practice: str | None = None) -> Patient:
        home = practice or rng.choice(PRACTICES)
        p = Patient(synthetic_nhs_number(rng), [home] * len(EXTRACT_DATES))
        patients.append(p)
        return p

    def iso(d: date) -> str:
        return d.isoformat()

    def recorded_before(index: int) -> str:
        d = EXTRACT_DATES[index]
        return iso(date.fromordinal(d.toordinal() - rng.randint(1, 400)))

    # SCENARIO plain opt-outs, every code system, arriving in different months.
    for _ in range(170):
        p = new()
        start = rng.choice([0, 0, 0, 1, 2, 3, 4, 5, 6])
        p.codes.append(Code(TYPE2_OPT_OUT[rng.choice(systems)], recorded_before(start), start))
    # SCENARIO withdrawals: opt-out, later withdrawn (both codes stay in the record).
    for _ in range(25):
        p = new()
        start = rng.randint(0, 3)
        later = rng.randint(start + 1, 6)
        p.codes.append(Code(TYPE2_OPT_OUT[rng.choice(systems)], recorded_before(start), start))
        p.codes.append(Code(TYPE2_WITHDRAWAL[rng.choice(systems)], iso(EXTRACT_DATES[later - 1]), later))
    # SCENARIO opt-out, withdrawal, opt-out again: two periods.
    for _ in range(8):
        p = new()
        p.codes.append(Code("9Nu4", recorded_before(0), 0))
        p.codes.append(Code("9Nu5", iso(EXTRACT_DATES[1]), 2))
        p.codes.append(Code("XaaVL", iso(EXTRACT_DATES[3]), 4))
    # SCENARIO same-day conflict: opt-out and withdrawal recorded the same day -> opted out.
    for _ in range(4):
        p = new()
        day = recorded_before(1)
        p.codes.append(Code("9Nu4", day, 1))
        p.codes.append(Code("9Nu5", day, 1))
    # SCENARIO withdrawal only (never opted out): not an opt-out.
    for _ in range(4):
        new().codes.append(Code("9Nu5", recorded_before(2), 2))
    # SCENARIO deaths / deregistrations: vanish from later extracts, opt-out still applies.
    for _ in range(10):
        p = new()
        p.codes.append(Code("9Nu4", recorded_before(0), 0))
        p.leaves_after = rng.randint(1, 4)
    # SCENARIO moves between practices (same opt-out, new practice).
    for _ in range(10):
        p = new()
        moved_at = rng.randint(1, 6)
        new_home = rng.choice([c for c in PRACTICES if c != p.practices[0]])
        p.practices = p.practices[:moved_at] + [new_home] * (len(EXTRACT_DATES) - moved_at)
        p.codes.append(Code("881561000000100", recorded_before(0), 0))
    # SCENARIO junk or missing recorded dates on opt-outs: accepted, date imputed (R5).
    for junk in ["", "31/12/2024", "2025-02-30", "not a date", "2031-01-01"]:
        p = new()
        p.codes.append(Code("9Nu4", junk, rng.randint(0, 3)))
    # SCENARIO junk date on a withdrawal: rejected invalid_recorded_date; opt-out stands.
    for junk in ["", "2025/06/01"]:
        p = new()
        p.codes.append(Code("9Nu4", recorded_before(0), 0))
        p.codes.append(Code("9Nu5", junk, 3))
    # SCENARIO NHS numbers written with spaces / hyphens (valid after normalising, R1).
    for style in ["{0} {1} {2}", "{0}-{1}-{2}", " {0}{1}{2} "]:
        p = new()
        n = p.nhs_number
        p.sent_as = style.format(n[:3], n[3:6], n[6:])
        p.codes.append(Code("9Nu4", recorded_before(0), 0))
    # SCENARIO invalid NHS numbers: rejected invalid_nhs_number.
    for bad in ["wrong_check", "9999999999", "12345", "", "99900000O1"]:
        p = new()
        p.sent_as = with_wrong_check_digit(p.nhs_number) if bad == "wrong_check" else bad
        p.codes.append(Code("9Nu4", recorded_before(0), 0))
    # SCENARIO codes with trailing dots / spaces match; wrong case does not (R2).
    for sent in ["9Nu4.", " XaaVL ", "9Nu4..", "9nu4", "XAAVL", "Y1234"]:
        new().codes.append(Code(sent, recorded_before(1), 1))
    # SCENARIO Type 1 codes sent in the Type 2 feed: rejected, NHS number never stored (R4).
    for system in systems:
        new().codes.append(Code(TYPE1_OPT_OUT[system], recorded_before(0), 0))
    return patients


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def write_codes(landing: Path, patients: list[Patient], rng: random.Random) -> None:
    for index, extract in enumerate(EXTRACT_DATES):
        by_practice: dict[str, list[list[str]]] = {code: [] for code in PRACTICES}
        for p in patients:
            if p.leaves_after is not None and index > p.leaves_after:
                continue
            for c in p.codes:
                if c.first <= index <= c.last:
                    by_practice[p.practices[index]].append(
                        [extract.isoformat(), p.practices[index], p.sent_as or p.nhs_number, c.code, c.recorded]
                    )
        month = extract.strftime("%Y-%m")
        for practice, rows in by_practice.items():
            rng.shuffle(rows)
            if practice == "A81002" and rows:
                rows.append(list(rows[0]))  # SCENARIO duplicate row in one file (R7)
            if practice == "C83001":
                # SCENARIO practice code sent in lower case (normalised) and malformed (UNKNOWN, R6)
                for row in rows[:2]:
                    row[1] = "c83001 "
                for row in rows[2:3]:
                    row[1] = "C8300"
            if practice == "D84001" and index == 2 and rows:
                rows[0][0] = "2025-13-01"  # SCENARIO invalid extract_date
            write_csv(landing / "opt_out_codes" / month / f"{practice}_{extract.isoformat()}.csv", CODES_HEADER, rows)
    # SCENARIO a file with the wrong header: reported in rejected_files, never read.
    write_csv(
        landing / "opt_out_codes" / "2025-10" / "misnamed_columns.csv",
        ["date", "practice", "nhs_no", "code", "recorded"],
        [["2025-10-01", "A81001", "9000000009", "9Nu4", "2025-09-01"]],
    )


def write_counts(landing: Path, rng: random.Random) -> None:
    sizes = {code: rng.randint(3_000, 15_000) for code in PRACTICES}
    # Each practice has its own Type 1 rate (1.5-3.5 %, from its code, not the generator),
    # which drifts slowly, as real ones do: month-to-month swings of a third would flag
    # every practice as an outlier (practice_data_quality).
    rates = {code: 0.015 + 0.02 * (sum(map(ord, code)) * 7919 % 1000) / 1000 for code in PRACTICES}
    for index, extract in enumerate(EXTRACT_DATES):
        rows = []
        for practice in PRACTICES:
            sizes[practice] += rng.randint(-60, 80)
            jitter = rng.uniform(0.015, 0.035)   # drawn as before, so every later draw is unchanged
            rates[practice] += (jitter - 0.025) * 0.02
            type1 = round(sizes[practice] * rates[practice])
            rows.append([extract.isoformat(), practice, str(sizes[practice]), str(type1)])
        if index == 1:
            rows.append([extract.isoformat(), "B82002", rows[4][2], rows[4][3]])  # identical duplicate
            rows.append([extract.isoformat(), "b8200x", "5000", "100"])  # invalid_practice_code
            rows.append([extract.isoformat(), "C83002", "-5", "0"])  # invalid_count (duplicate key, bad)
        if index == 2:
            rows.append([extract.isoformat(), "D84002", "6000", "7000"])  # type1 > registered: invalid_count
            rows.append(["02/06/2025", "D84003", "6000", "100"])  # invalid_extract_date
        if index == 4:
            rows.append([extract.isoformat(), "A81003", str(int(rows[2][2]) + 10), rows[2][3]])  # conflicting
        if index == 6:
            rows = [r for r in rows if r[1] != "D84003"]  # a practice that sent no counts this month
        month = extract.strftime("%Y-%m")
        write_csv(landing / "practice_counts" / month / f"practice_counts_{extract.isoformat()}.csv", COUNTS_HEADER, rows)
        if index == 3:
            # SCENARIO a second, later extract in the same month for two practices: it wins (R11).
            later = date(2025, 7, 15).isoformat()
            write_csv(
                landing / "practice_counts" / month / f"practice_counts_{later}_resubmission.csv",
                COUNTS_HEADER,
                [[later, "A81001", str(sizes["A81001"] + 3), "150"], [later, "B82001", str(sizes["B82001"]), "149"]],
            )


def write_hospital_episodes(path: Path, patients: list[Patient], rng: random.Random) -> None:
    """SCENARIO release input: episodes of opted-out, withdrawn and never-opted-out patients,
    NHS numbers in mixed formats, some missing or invalid (R15)."""
    # Patients whose only codes are Type 1 are left out, so that the R4 test can scan the
    # whole warehouse for their numbers.
    type1_codes = set(TYPE1_OPT_OUT.values())
    candidates = [p for p in patients if not all(c.code in type1_codes for c in p.codes)]
    people = [p.nhs_number for p in rng.sample(candidates, 80)] + [synthetic_nhs_number(rng) for _ in range(40)]
    rows = []
    for person in people:
        for _ in range(rng.randint(1, 3)):
            style = rng.random()
            if style < 0.15:
                written = f"{person[:3]} {person[3:6]} {person[6:]}"
            elif style < 0.25:
                written = f"{person[:3]}-{person[3:6]}-{person[6:]}"
            else:
                written = person
            rows.append([written, rng.choice(PRACTICES), date(2025, rng.randint(1, 9), rng.randint(1, 28)).isoformat(),
                         rng.choice(["RXR", "RXN", "RAE", "RWY"]), rng.choice(["I21.9", "J18.9", "K35.8", "C50.9", "S72.0"])])
    rows += [["", "A81001", "2025-03-04", "RXR", "J18.9"], ["", "B82001", "2025-05-06", "RXN", "I21.9"],
             ["9000000008", "C83001", "2025-06-07", "RAE", "K35.8"], ["not known", "D84001", "2025-07-08", "RWY", "C50.9"]]
    rng.shuffle(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["episode_id", "nhs_number", "gp_practice_code", "admission_date", "provider_code", "diagnosis_code"])
        for number, row in enumerate(rows, start=1):
            writer.writerow([f"EP{number:05d}", *row])


def write_gp_level_data(landing: Path, rng: random.Random) -> None:
    """SCENARIO Individual GP Level Data collection on 2025-10-15 with Type 1 codes (R14)."""
    collection = "2025-10-15"
    cases = [  # (codes as (code, recorded_date), excluded?)
        ([("9Nu0", "2025-03-01")], True),  # Type 1 opt-out before the collection
        ([("XaZ89", "2025-10-20")], False),  # recorded after the collection
        ([("827241000000103", collection)], False),  # on the collection date: not strictly before
        ([("9Nu0", "2024-01-01"), ("9Nu1", "2025-02-01")], False),  # withdrawn before
        ([("9Nu0", "2025-04-01"), ("XaZ8A", "2025-04-01")], True),  # same day: opt-out wins
        ([("9Nu0", "")], True),  # bad date on an opt-out: counts as before
        ([("9Nu0", "2025-01-01"), ("9Nu1", "junk")], True),  # bad date on a withdrawal: ignored
        ([("9Nu4", "2025-01-01")], False),  # Type 2 codes are not used here
        ([("9Nu0", "2025-01-01"), ("9Nu1", "2025-12-01")], True),  # withdrawal after the collection
    ]
    patient_rows, code_rows = [], []
    for index in range(150):
        number = synthetic_nhs_number(rng)
        practice = PRACTICES[index % 4]
        written = f"{number[:3]} {number[3:6]} {number[6:]}" if index % 17 == 0 else number
        patient_rows.append([collection, practice, written, f"G{index % 4}00000{rng.randint(1, 4)}"])
        if index < len(cases) * 3:
            for code, recorded in cases[index % len(cases)][0]:
                code_rows.append(["2025-10-01", practice, number if index % 2 else f"{number[:5]} {number[5:]}", code, recorded])
    patient_rows.append([collection, "A81001", "9000000008", "G1234567"])  # invalid NHS number
    patient_rows.append(["15/10/2025", "A81001", synthetic_nhs_number(rng), "G1234567"])  # invalid date
    write_csv(landing / "gp_level_data" / "patients" / f"gp_level_data_{collection}.csv",
              ["collection_date", "practice_code", "nhs_number", "usual_gp_code"], patient_rows)
    write_csv(landing / "gp_level_data" / "opt_out_codes" / "gp_type1_codes_2025-10-01.csv", CODES_HEADER, code_rows)


DEMOGRAPHICS_HEADER = ["extract_date", "nhs_number", "year_of_birth", "gender", "date_of_death"]


def write_demographics(landing: Path, patients: list[Patient], rng: random.Random) -> None:
    """SPEC §9: two extracts of the national demographics service for patients with an opt-out
    history (about 15% have none: they count as Unknown; none with a Type 1 code). The later one adds deaths and a
    corrected gender; a handful of bad rows exercise the rejects, and two rows of one patient
    that disagree on the latest date make that patient Unknown."""
    type1 = set(TYPE1_OPT_OUT.values())
    # Never a patient with a Type 1 code: the warehouse keeps no Type 1 patient's number.
    described = [p for p in patients if rng.random() < 0.85 and not any(c.code in type1 for c in p.codes)]
    people = {p.nhs_number: [rng.randint(1925, 2019), rng.choice(["female", "male"] * 9 + ["other", "unknown"]), ""]
              for p in described}
    first = [["2025-07-01", number, str(year), gender, ""] for number, (year, gender, _) in people.items()
             if rng.random() < 0.7]
    for number in rng.sample(sorted(people), 8):
        people[number][2] = date(2025, rng.randint(5, 9), rng.randint(1, 28)).isoformat()
    for number in rng.sample(sorted(people), 3):
        people[number][1] = "other"
    second = [["2025-10-01", number, str(year), gender, died] for number, (year, gender, died) in people.items()]
    conflicted = second[0][1]
    second.append(["2025-10-01", conflicted, str(people[conflicted][0] + 1), people[conflicted][1], ""])
    second += [
        ["2025-10-01", "9000000008", "1970", "female", ""],                     # invalid_nhs_number
        ["2025-10-01", synthetic_nhs_number(rng), "19x0", "male", ""],          # invalid_year_of_birth
        ["2025-10-01", synthetic_nhs_number(rng), "1960", "M", ""],             # invalid_gender
        ["2025-10-01", synthetic_nhs_number(rng), "1950", "female", "2026-01-01"],  # invalid_date_of_death
    ]
    rng.shuffle(second)
    write_csv(landing / "patient_demographics" / "2025-07" / "demographics_2025-07-01.csv", DEMOGRAPHICS_HEADER, first)
    write_csv(landing / "patient_demographics" / "2025-10" / "demographics_2025-10-01.csv", DEMOGRAPHICS_HEADER, second)


CHANGES_HEADER = ["extract_date", "superseded_nhs_number", "nhs_number", "effective_date"]


def write_nhs_number_changes(landing: Path, episodes: Path, patients: list[Patient], rng: random.Random) -> None:
    """SPEC §9: a patient given a new number twice (A -> B -> C), received after their opt-out;
    a withdrawn patient's new number; and what is left for a person: two patients' histories
    (both opted out before the change), one number linked to two, a cycle; with rows to
    reject. The release input gets episodes under the superseded numbers, and one under a
    number the fork cuts off from its opted-out patient (withheld until a person resolves it)."""
    plain = [p for p in patients if len(p.codes) == 1 and p.codes[0].code in TYPE2_OPT_OUT.values()
             and p.sent_as is None and p.leaves_after is None]
    withdrawn = [p for p in patients if len(p.codes) == 2 and p.codes[1].code in TYPE2_WITHDRAWAL.values()]
    early = [p for p in plain if p.codes[0].first <= 2]   # received before the link's effective date
    chained, forked = plain[0], plain[3]
    merged_old, merged_new = [p for p in early if p not in (chained, forked)][:2]
    middle, last, after_withdrawal = (synthetic_nhs_number(rng) for _ in range(3))
    fork_a, fork_b, cycle_a, cycle_b = (synthetic_nhs_number(rng) for _ in range(4))
    rows = [
        ["2025-09-01", chained.nhs_number, middle, "2025-06-15"],
        ["2025-09-01", middle, last, "2025-08-20"],
        ["2025-09-01", withdrawn[0].nhs_number, after_withdrawal, "2025-07-01"],
        ["2025-09-01", merged_old.nhs_number, merged_new.nhs_number, "2025-08-01"],   # merges_two_histories
        ["2025-09-01", forked.nhs_number, fork_a, "2025-08-01"],                     # links_to_two_numbers
        ["2025-09-01", forked.nhs_number, fork_b, "2025-08-02"],
        ["2025-09-01", cycle_a, cycle_b, "2025-08-01"],                              # cycle
        ["2025-09-01", cycle_b, cycle_a, "2025-08-01"],
        ["2025-09-01", chained.nhs_number, middle, "2025-06-15"],                    # a repeat: one link
        ["2025-09-01", "9000000008", last, "2025-08-01"],                            # invalid_nhs_number
        ["2025-09-01", last, last, "2025-08-01"],                                    # same_nhs_number
        ["2025-09-01", synthetic_nhs_number(rng), synthetic_nhs_number(rng), "2025-10-01"],  # invalid_effective_date
    ]
    write_csv(landing / "nhs_number_changes" / "2025-09" / "nhs_number_changes_2025-09-01.csv", CHANGES_HEADER, rows)
    with episodes.open(newline="", encoding="utf-8") as handle:
        count = sum(1 for _ in handle) - 1
    with episodes.open("a", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        for index, (number, practice) in enumerate([(chained.nhs_number, "A81001"), (middle, "A81002"),
                                                    (last, "A81003"), (after_withdrawal, "B82001"),
                                                    (fork_a, "C83001")], start=1):
            writer.writerow([f"EP{count + index:05d}", number, practice, "2025-09-10", "RXR", "J18.9"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent / "demo_data" / "landing")
    args = parser.parse_args()
    rng = random.Random(20250401)
    patients = build_patients(rng)
    for folder in ("opt_out_codes", "practice_counts", "gp_level_data", "patient_demographics", "nhs_number_changes"):
        shutil.rmtree(args.out / folder, ignore_errors=True)
    write_codes(args.out, patients, rng)
    write_counts(args.out, rng)
    write_gp_level_data(args.out, rng)
    write_hospital_episodes(args.out.parent / "releases" / "hospital_episodes.csv", patients, rng)
    # Its own seed, so adding the feed changed none of the files above.
    write_demographics(args.out, patients, random.Random(20251001))
    write_nhs_number_changes(args.out, args.out.parent / "releases" / "hospital_episodes.csv", patients,
                             random.Random(20250901))
    print(f"wrote demo landing files for {len(patients)} patients under {args.out}")


if __name__ == "__main__":
    main()
