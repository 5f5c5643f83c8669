"""An independent, deliberately plain Python reading of the rules R1-R11 (docs/rules.md).

The end-to-end tests compare the warehouse's marts with what this module computes from
the same landing files. It shares no code with the dbt project: only docs/rules.md.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[2]
CODES_COLUMNS = ["extract_date", "practice_code", "nhs_number", "code", "recorded_date"]
COUNTS_COLUMNS = ["extract_date", "practice_code", "registered_patients", "type1_opt_outs"]


def load_code_list() -> dict[str, tuple[int, str]]:
    with (PROJECT_DIR / "seeds" / "opt_out_code_list.csv").open(newline="") as handle:
        return {row["code"]: (int(row["opt_out_type"]), row["action"]) for row in csv.DictReader(handle)}


# R1/R2 whitespace: every character Python calls a space, and the invisible ones (zero-width
# space/non-joiner/joiner, direction marks, word joiner, byte-order mark, Mongolian vowel separator).
INVISIBLE = "\u180e\u200b\u200c\u200d\u200e\u200f\u2060\ufeff"
HYPHENS = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"


def is_blank(character: str) -> bool:
    return character.isspace() or character in INVISIBLE


def normalise_nhs_number(raw: str | None) -> str | None:
    return "".join(c for c in raw or "" if not is_blank(c) and c not in HYPHENS) or None


def is_valid_nhs_number(number: str | None) -> bool:
    if number is None or not re.fullmatch(r"[0-9]{10}", number) or len(set(number)) == 1:
        return False
    check = 11 - sum(int(d) * w for d, w in zip(number[:9], range(10, 1, -1))) % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(number[9])


def parse_date(raw: str | None) -> date | None:
    """A real calendar date written YYYY-MM-DD with a year from 1900 to 2999."""
    value = (raw or "").strip(" ")
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value) or not 1900 <= int(value[:4]) <= 2999:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def normalise_code(raw: str | None) -> str | None:
    """R2: trim whitespace (as R1), then drop trailing dots."""
    value = raw or ""
    while value and is_blank(value[0]):
        value = value[1:]
    while value and is_blank(value[-1]):
        value = value[:-1]
    return value.rstrip(".") or None


def normalise_practice(raw: str | None) -> str:
    return (raw or "").strip(" ").upper()


def parse_count(raw: str | None) -> int | None:
    value = (raw or "").strip(" ")
    return int(value) if re.fullmatch(r"[0-9]{1,18}", value) else None


def read_feed(landing: Path, folder: str, columns: list[str]) -> list[tuple[str, int, list[str | None], bool]]:
    """(source_file, row_number, values, line fault or None) for files with the expected header."""
    rows = []
    for path in sorted((landing / folder).rglob("*.csv")):
        if path.is_symlink() or not path.is_file():
            continue  # a named pipe, socket or link is never read (docs/rules.md §1)
        with path.open(newline="", encoding="utf-8-sig") as handle:
            lines = list(csv.reader(handle))
        if not lines or [c.strip(" ").lower() for c in lines[0]] != columns:
            continue
        relative = path.relative_to(landing).as_posix()
        for number, line in enumerate(lines[1:], start=1):
            values: list[str | None] = list(line[: len(columns)]) + [None] * (len(columns) - len(line))
            rows.append((relative, number, values, line_fault(line, len(columns))))
    return rows


def line_fault(line: list[str], width: int) -> str | None:
    """R3: why a line does not split into exactly its feed's columns (None when it does)."""
    if any("\n" in value or "\r" in value for value in line):
        return "embedded_line_break"
    if any('"' in value for value in line):
        return "unbalanced_quote"
    if len(line) != width:
        return "unexpected_column_count"
    return None


def received_on() -> date:
    """SPEC §2: the day the files are received (today); a later extract date is not trusted."""
    return date.today()


@dataclass
class Reference:
    rejected: dict[tuple[str, int], str] = field(default_factory=dict)
    accepted: dict[tuple[str, int], dict] = field(default_factory=dict)
    events: dict[tuple[str, int, str, date], dict] = field(default_factory=dict)
    periods: set[tuple[str, date, date | None]] = field(default_factory=set)
    current: dict[str, tuple[date, date]] = field(default_factory=dict)
    type1_nhs_numbers: set[str] = field(default_factory=set)
    counts_used: dict[tuple[str, date], tuple[int, int]] = field(default_factory=dict)
    links: dict[str, str] = field(default_factory=dict)           # superseded number -> patient's number now
    link_conflicts: dict[tuple[str, str], str] = field(default_factory=dict)

    def patient(self, nhs_number: str) -> str:
        """SPEC §9: the number the patient known by `nhs_number` is known by now."""
        return self.links.get(nhs_number, nhs_number)

    def group(self, nhs_number: str) -> set[str]:
        """SPEC §9 and R14/R15: every number joined to `nhs_number` by a link that counts,
        in either direction, applied or left in conflict (the number alone when unlinked)."""
        neighbours: dict[str, set[str]] = defaultdict(set)
        for old, new in [*self.links.items(), *self.link_conflicts]:
            neighbours[old].add(new)
            neighbours[new].add(old)
        seen, todo = {nhs_number}, [nhs_number]
        while todo:
            for other in neighbours[todo.pop()] - seen:
                seen.add(other)
                todo.append(other)
        return seen

    def withheld_at(self, nhs_number: str, when: date) -> bool:
        """R15 with SPEC §9: a release removes the number when any patient of its group is
        opted out as known at `when` (a conflict is for a person to resolve)."""
        return any(self.status_at(self.patient(number), when) for number in self.group(nhs_number))

    def status_at(self, nhs_number: str, when: date) -> bool:
        """R8: opted out as known at `when`."""
        known = [e for (n, _, _, _), e in self.events.items() if n == nhs_number and e["received_date"] <= when]
        if not known:
            return False
        deciding = max(known, key=lambda e: (e["recorded_date"], e["action"] == "opt_out"))
        return deciding["action"] == "opt_out"


def compute(landing: Path) -> Reference:
    ref = Reference()
    codes = load_code_list()

    # R1-R6 classification, R3 order.
    for source_file, row_number, values, extra in read_feed(landing, "opt_out_codes", CODES_COLUMNS):
        raw_extract, raw_practice, raw_nhs, raw_code, raw_recorded = values
        extract = parse_date(raw_extract)
        meaning = codes.get(normalise_code(raw_code) or "")
        nhs = normalise_nhs_number(raw_nhs)
        recorded = parse_date(raw_recorded)
        recorded_ok = recorded is not None and extract is not None and recorded <= extract
        type1_ignoring_case = (normalise_code(raw_code) or "").lower() in {
            code.lower() for code, (kind, _) in codes.items() if kind == 1}
        if type1_ignoring_case and nhs and not extra:
            ref.type1_nhs_numbers.add(nhs)
        if extra:
            reason = extra
        elif extract is None or extract > received_on():
            reason = "invalid_extract_date"
        elif meaning is None:
            reason = "unknown_code"
        elif meaning[0] == 1:
            reason = "type1_not_collected"
        elif not is_valid_nhs_number(nhs):
            reason = "invalid_nhs_number"
        elif meaning[1] == "withdrawal" and not recorded_ok:
            reason = "invalid_recorded_date"
        else:
            reason = None
        if reason:
            ref.rejected[(source_file, row_number)] = reason
            continue
        practice = normalise_practice(raw_practice)
        ref.accepted[(source_file, row_number)] = {
            "nhs": nhs,
            "type": meaning[0],
            "action": meaning[1],
            "extract": extract,
            "practice": practice if re.fullmatch(r"[A-Z][0-9]{5}", practice) else "UNKNOWN",
            "recorded": recorded if recorded_ok else None,
            "raw_recorded": (raw_recorded or "").strip(" "),
        }

    # SPEC §9 changed NHS numbers: every accepted row under its patient's number now.
    histories: dict[str, date] = {}
    for row in ref.accepted.values():
        histories[row["nhs"]] = min(histories.get(row["nhs"], row["extract"]), row["extract"])
    ref.links, ref.link_conflicts = nhs_number_links(landing, histories)
    for row in ref.accepted.values():
        row["nhs"] = ref.patient(row["nhs"])

    # R5 imputation: earliest extract_date with the same number, meaning and raw date.
    first_seen: dict[tuple, date] = {}
    for row in ref.accepted.values():
        key = (row["nhs"], row["type"], row["action"], row["raw_recorded"])
        first_seen[key] = min(first_seen.get(key, row["extract"]), row["extract"])

    # R7 events.
    for (source_file, row_number), row in sorted(ref.accepted.items(), key=lambda kv: (kv[1]["extract"], kv[1]["practice"], kv[0])):
        imputed = row["recorded"] is None
        recorded = first_seen[(row["nhs"], row["type"], row["action"], row["raw_recorded"])] if imputed else row["recorded"]
        key = (row["nhs"], row["type"], row["action"], recorded)
        event = ref.events.setdefault(
            key,
            {"received_date": row["extract"], "imputed": True, "practice": row["practice"],
             "recorded_date": recorded, "action": row["action"]},
        )
        event["imputed"] = event["imputed"] and imputed
        if row["extract"] < event["received_date"]:
            event["received_date"], event["practice"] = row["extract"], row["practice"]

    # R8 at each received date -> R10 periods, R9 current.
    received_dates: dict[str, set[date]] = defaultdict(set)
    for (nhs, _, _, _), event in ref.events.items():
        received_dates[nhs].add(event["received_date"])
    for nhs, dates in received_dates.items():
        start = None
        for when in sorted(dates):
            opted_out = ref.status_at(nhs, when)
            if opted_out and start is None:
                start = when
            elif not opted_out and start is not None:
                ref.periods.add((nhs, start, when))
                start = None
        if start is not None:
            ref.periods.add((nhs, start, None))
            known = [e for (n, _, _, _), e in ref.events.items() if n == nhs]
            deciding = max(known, key=lambda e: (e["recorded_date"], e["action"] == "opt_out"))
            ref.current[nhs] = (deciding["recorded_date"], deciding["received_date"])

    # Practice counts: row checks, then R11.
    valid: list[tuple[str, int, str, date, int, int]] = []
    for source_file, row_number, values, extra in read_feed(landing, "practice_counts", COUNTS_COLUMNS):
        raw_extract, raw_practice, raw_registered, raw_type1 = values
        extract = parse_date(raw_extract)
        practice = normalise_practice(raw_practice)
        registered, type1 = parse_count(raw_registered), parse_count(raw_type1)
        if extra:
            reason = extra
        elif extract is None or extract > received_on():
            reason = "invalid_extract_date"
        elif not re.fullmatch(r"[A-Z][0-9]{5}", practice):
            reason = "invalid_practice_code"
        elif registered is None or type1 is None or type1 > registered:
            reason = "invalid_count"
        else:
            valid.append((source_file, row_number, practice, extract, registered, type1))
            continue
        ref.rejected[("counts:" + source_file, row_number)] = reason
    latest: dict[tuple[str, date], date] = {}
    for _, _, practice, extract, _, _ in valid:
        month = extract.replace(day=1)
        latest[(practice, month)] = max(latest.get((practice, month), extract), extract)
    on_latest: dict[tuple[str, date], list] = defaultdict(list)
    for row in valid:
        month = row[3].replace(day=1)
        if row[3] == latest[(row[2], month)]:
            on_latest[(row[2], month)].append(row)
    for key, rows in on_latest.items():
        if len({(r[4], r[5]) for r in rows}) > 1:
            for r in rows:
                ref.rejected[("counts:" + r[0], r[1])] = "conflicting_counts"
        else:
            ref.counts_used[key] = (rows[0][4], rows[0][5])
    return ref


def practice_statistics(ref: Reference) -> dict[tuple[date, str], tuple[int | None, int | None, int]]:
    """R11-R12 per (month, practice): (registered, type1, type2) for every practice that has
    counts or attributed patients that month."""
    candidates: dict[tuple[str, date], list[tuple[date, str]]] = defaultdict(list)
    for row in ref.accepted.values():
        candidates[(row["nhs"], row["extract"].replace(day=1))].append((row["extract"], row["practice"]))
    # R12: the latest extract_date in the month, then the smallest practice code.
    latest_row = {key: min(rows, key=lambda r: (-r[0].toordinal(), r[1])) for key, rows in candidates.items()}
    type2: dict[tuple[date, str], int] = defaultdict(int)
    for (nhs, month), (_, practice) in latest_row.items():
        next_month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
        month_end = date.fromordinal(next_month.toordinal() - 1)
        type2[(month, practice)] += int(ref.status_at(nhs, month_end))
    result: dict[tuple[date, str], tuple[int | None, int | None, int]] = {}
    for key in set(type2) | {(m, p) for p, m in ref.counts_used}:
        registered, type1 = ref.counts_used.get((key[1], key[0]), (None, None))
        result[key] = (registered, type1, type2.get(key, 0))
    return result


DEMOGRAPHICS_COLUMNS = ["extract_date", "nhs_number", "year_of_birth", "gender", "date_of_death"]
GENDERS = {"male", "female", "other", "unknown"}


def demographics(landing: Path, links: dict[str, str] | None = None) -> dict[str, tuple[int, str, date | None] | None]:
    """SPEC §9: each patient's demographics from their latest accepted patient_demographics
    row under any number of their chain (`links`) — None when the rows of that extract date
    disagree."""
    accepted: dict[str, list[tuple[date, int, str, date | None]]] = defaultdict(list)
    for _, _, values, fault in read_feed(landing, "patient_demographics", DEMOGRAPHICS_COLUMNS):
        if fault:
            continue
        extract, nhs = parse_date(values[0]), normalise_nhs_number(values[1])
        if extract is None or extract > received_on() or not is_valid_nhs_number(nhs):
            continue
        year = parse_count(normalise_code(values[2]))
        if year is None or not 1880 <= year <= extract.year:
            continue
        gender = (normalise_code(values[3]) or "").lower()
        if gender not in GENDERS:
            continue
        died = parse_date(normalise_code(values[4])) if normalise_code(values[4]) else None
        if normalise_code(values[4]) and (died is None or died > extract or died.year < year):
            continue
        accepted[(links or {}).get(nhs, nhs)].append((extract, year, gender, died))
    result: dict[str, tuple[int, str, date | None] | None] = {}
    for nhs, rows in accepted.items():
        latest = max(r[0] for r in rows)
        described = {r[1:] for r in rows if r[0] == latest}
        result[nhs] = described.pop() if len(described) == 1 else None
    return result


def age_band(age: int | None) -> str:
    if age is None or age < 0:
        return "Unknown"
    if age < 18:
        return "0-17"
    if age < 30:
        return "18-29"
    if age >= 90:
        return "90+"
    return f"{age // 10 * 10}-{age // 10 * 10 + 9}"


def age_gender_cells(ref: Reference, people: dict, months: list[date]) -> dict[tuple, int]:
    """SPEC §9: (month, age band, gender, deceased) -> patients opted out at the month's last day."""
    cells: dict[tuple, int] = defaultdict(int)
    patients = {n for (n, _, _, _) in ref.events}
    for month in months:
        next_month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
        month_end = date.fromordinal(next_month.toordinal() - 1)
        for nhs in patients:
            if not ref.status_at(nhs, month_end):
                continue
            described = people.get(nhs)
            if described is None or described[0] > month_end.year:
                cells[(month, "Unknown", "unknown", False)] += 1
                continue
            year, gender, died = described
            cells[(month, age_band(month_end.year - year), gender, died is not None and died <= month_end)] += 1
    return dict(cells)


CHANGES_COLUMNS = ["extract_date", "superseded_nhs_number", "nhs_number", "effective_date"]


def nhs_number_links(landing: Path, histories: dict[str, date]) -> tuple[dict[str, str], dict[tuple[str, str], str]]:
    """SPEC §9, read independently: the accepted links (both numbers valid and different, the
    effective date no later than the extract's; per superseded number its latest extract's),
    then the conflicts, each judged on the links the one before left: a superseded number
    linked to two numbers; a chain that never ends (a cycle, whatever its length); a link
    whose new number had Type 2 rows before its effective date while the old number or a
    number before it in the chain has rows, or into a number two links reach from chains with
    histories (two patients) — and every other
    superseded number resolved to the last number of its chain."""
    accepted: list[tuple[date, str, str, date]] = []
    for _, _, values, fault in read_feed(landing, "nhs_number_changes", CHANGES_COLUMNS):
        if fault:
            continue
        extract, old, new, when = (parse_date(values[0]), normalise_nhs_number(values[1]),
                                   normalise_nhs_number(values[2]), parse_date(values[3]))
        if extract is None or extract > received_on() or not is_valid_nhs_number(old) or \
                not is_valid_nhs_number(new) or old == new or when is None or when > extract:
            continue
        accepted.append((extract, old, new, when))
    # A superseded number's latest extract says what its links are (a correction replaces).
    latest = {old: max(e for e, o, _, _ in accepted if o == old) for _, old, _, _ in accepted}
    effective: dict[tuple[str, str], date] = {}
    for extract, old, new, when in accepted:
        if extract == latest[old]:
            effective[(old, new)] = min(effective.get((old, new), when), when)
    targets: dict[str, set[str]] = defaultdict(set)
    sources: dict[str, set[str]] = defaultdict(set)
    for old, new in effective:
        sources[new].add(old)
    linked_to = {new for _, new in effective}
    for old, new in effective:
        targets[old].add(new)
    conflicts: dict[tuple[str, str], str] = {}
    # 1. A superseded number linked to two numbers.
    single: dict[str, str] = {}
    for (old, new) in effective:
        if len(targets[old]) > 1:
            conflicts[(old, new)] = "links_to_two_numbers"
        else:
            single[old] = new

    # 2. Of the rest, a chain that comes back to a number it passed (whatever its length).
    def ends(old: str) -> bool:
        seen, number = set(), old
        while number in single:
            if number in seen:
                return False
            seen.add(number)
            number = single[number]
        return True
    chained = {old: new for old, new in single.items() if ends(old)}
    for old in single.keys() - chained.keys():
        conflicts[(old, single[old])] = "cycle"
    # 3. Of the rest, two patients with histories made one.
    with_history: set[str] = set()
    for number in histories:
        if number in chained:
            with_history.add(number)
            while number in chained:
                number = chained[number]
                with_history.add(number)
    applied: dict[str, str] = {}
    for old, new in chained.items():
        when = effective[(old, new)]
        if (new in histories and histories[new] < when and old in with_history) or \
                len({o for o, n in chained.items() if n == new and o in with_history}) > 1:
            conflicts[(old, new)] = "merges_two_histories"
        else:
            applied[old] = new
    resolved: dict[str, str] = {}
    for old in applied:
        number = old
        while number in applied:
            number = applied[number]
        resolved[old] = number
    return resolved, conflicts
