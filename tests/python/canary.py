"""A seeded generator of hostile landing data with canaries (used by test_canary.py).

One call writes a landing area over the four feeds of SPEC §2 (many files, at least
10,000 hostile data lines plus ordinary valid Type 2 lines) and says which NHS numbers
are *canaries* — numbers the warehouse must store nowhere:

* every number on a line of `opt_out_codes/` whose code is, or looks like, a Type 1 code
  (R4), whatever else is wrong with the line;
* every number on a malformed line — too many or too few values, an unbalanced quote, and
  every line such a quote swallows — in any feed and any position (R3);
* every GP-level patient that R14 excludes, and every number on a rejected GP-level row
  (patients or codes: R14).

Canaries are disjoint from every number that may legitimately be stored (valid Type 2
lines, collected GP-level patients, release and list inputs), so a canary found anywhere is
a leak. Each canary has exactly one kind, so a leak names the kind of line that leaked.

It also writes release inputs (seeds plus release models for a copied project) and list
check inputs that carry current Type 2 opt-outs in every form (R1, R15).

Everything is decided by the seed (default DEFAULT_SEED, or the environment variable
CANARY_SEED): the same seed writes the same bytes. All numbers are synthetic: 10 digits
starting with 9 that pass the Modulus 11 check.
"""

from __future__ import annotations

import os
import random
import re
import textwrap
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_SEED = 20_261_201
MIN_HOSTILE_LINES = 10_000

CODES_HEADER = "extract_date,practice_code,nhs_number,code,recorded_date"
COUNTS_HEADER = "extract_date,practice_code,registered_patients,type1_opt_outs"
PATIENTS_HEADER = "collection_date,practice_code,nhs_number,usual_gp_code"
FEED_NAMES = {"opt_out_codes": "opt_out_codes", "practice_counts": "practice_counts",
              "gp_level_data/patients": "gp_level_data_patients",
              "gp_level_data/opt_out_codes": "gp_level_data_opt_out_codes"}

PRACTICES = ["A81001", "A81002", "A81003", "B82001", "B82002", "B82003", "C83001", "C83002", "D84001", "D84002"]
MONTHS = ["2025-07", "2025-08", "2025-09", "2025-10", "2025-11", "2025-12"]
FUTURE_DATES = ["2099-10-01", "2999-12-31", "2100-01-01"]  # parseable, and after any day a file is received
# (collection_date, extract_date of the codes sent with it: a code recorded on or after the
# collection date can be in them).
COLLECTIONS = [("2025-10-15", "2025-10-20"), ("2025-11-15", "2025-11-20")]

TYPE1_OPT_OUT = ["9Nu0", "XaZ89", "827241000000103"]
TYPE1_WITHDRAWAL = ["9Nu1", "XaZ8A", "827261000000102"]
TYPE2_OPT_OUT = ["9Nu4", "XaaVL", "881561000000100"]
TYPE2_WITHDRAWAL = ["9Nu5", "XaaVM", "881581000000109"]

# Whitespace that R1/R2 remove (CR and LF only ever inside a quoted value). The spaces SPEC
# names outright come first: a rule's outcome (R14's exclusions) only ever depends on these.
NAMED_SPACES = [" ", "\t", "\u00a0", "\u2007", "\u202f", "\u3000"]
SPACES = [" ", "\t", "\u00a0", "\u2007", "\u202f", "\u3000", "\ufeff", "\u2009", "\u205f", "\u1680", "\x0b",
          "\x0c"]
LINE_BREAKS = ["\r", "\n", "\r\n"]


# ------------------------------------------------------------------------ numbers


def check_digit(body: str) -> int | None:
    check = 11 - sum(int(d) * w for d, w in zip(body, range(10, 1, -1))) % 11
    return None if check == 10 else (0 if check == 11 else check)


class NumberPool:
    """Unique synthetic NHS numbers (9xxxxxxxxx, Modulus 11 valid), never handed out twice."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def take(self) -> str:
        while True:
            body = "9" + "".join(str(self.rng.randrange(10)) for _ in range(8))
            check = check_digit(body)
            number = f"{body}{check}"
            if check is None or number in self.used or len(set(number)) == 1:
                continue
            self.used.add(number)
            return number

    def take_many(self, count: int) -> list[str]:
        return [self.take() for _ in range(count)]


def wrong_check_digit(number: str) -> str:
    return number[:9] + str((int(number[9]) + 1 + (number[9] == "9")) % 10)


# Forms an NHS number arrives in. `valid` forms are the same patient's number under R1.
VALID_FORMS = {
    "plain": lambda n: n,
    "spaced": lambda n: f"{n[:3]} {n[3:6]} {n[6:]}",
    "hyphens": lambda n: f"{n[:3]}-{n[3:6]}-{n[6:]}",
    "padded_spaces": lambda n: f"  {n} ",
    "lead_tab": lambda n: f"\t{n}",
    "trail_tab": lambda n: f"{n}\t",
    "nbsp_inside": lambda n: f"{n[:3]}\u00a0{n[3:6]}\u00a0{n[6:]}",
    "nbsp_trailing": lambda n: f"{n}\u00a0",
    "figure_space": lambda n: f"{n[:3]}\u2007{n[3:6]}\u2007{n[6:]}",
    "narrow_nbsp": lambda n: f"{n[:3]}\u202f{n[3:]}",
    "ideographic_space": lambda n: f"\u3000{n}\u3000",
    "bom_lead": lambda n: f"\ufeff{n}",
    "trail_cr": lambda n: f"{n}\r",
    "trail_lf": lambda n: f"{n}\n",
    "cr_lf_inside": lambda n: f"{n[:5]}\r\n{n[5:]}",
    "mixed": lambda n: f" {n[:3]} -\t{n[3:6]}\u00a0- {n[6:]}\u3000",
}
INVALID_FORMS = {
    "excel_exponent": lambda n: f"{n[0]}.{n[1:]}E9",
    "excel_exponent_plus": lambda n: f"{n[0]}.{n[1:]}E+09",
    "excel_decimal": lambda n: f"{n}.0",
    "single_quoted": lambda n: f"'{n}'",
    "letter_suffix": lambda n: f"{n}A",
    "dotted": lambda n: f"{n[:3]}.{n[3:6]}.{n[6:]}",
    "eleven_digits": lambda n: f"{n} 0",
}


def any_form(rng: random.Random, number: str, invalid_share: float = 0.25) -> tuple[str, str]:
    forms = INVALID_FORMS if rng.random() < invalid_share else VALID_FORMS
    name = rng.choice(sorted(forms))
    return name, forms[name](number)


# -------------------------------------------------------------------- CSV writing


def quote(value: str, force: bool = False) -> str:
    if force or any(c in value for c in ',"\r\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


def join(values: list[str], force_quotes: bool = False) -> str:
    return ",".join(quote(v, force_quotes) for v in values)


def with_spaces(rng: random.Random, value: str, line_breaks: bool = True, named_only: bool = False) -> str:
    """The value with Unicode whitespace around it (and sometimes a quoted line break)."""
    choices = (NAMED_SPACES if named_only else SPACES) + (LINE_BREAKS if line_breaks else [])
    return rng.choice(choices) + value + "".join(rng.choice(choices) for _ in range(rng.randrange(1, 3)))


@dataclass
class Occurrence:
    kind: str
    file: str
    line: int  # physical line where the record starts; the header is line 1


@dataclass
class Record:
    text: str                      # the record as written, without its line terminator
    kind: str                      # what kind of line it is
    hostile: bool
    canaries: list[str] = field(default_factory=list)


@dataclass
class Landing:
    seed: int
    root: Path
    files: dict[str, str] = field(default_factory=dict)          # relative path -> feed (SPEC §2 folder)
    canaries: dict[str, list[Occurrence]] = field(default_factory=dict)
    canary_kind: dict[str, str] = field(default_factory=dict)
    opted_out: list[str] = field(default_factory=list)          # current Type 2 opt-outs, beyond doubt
    collected: list[str] = field(default_factory=list)          # GP-level patients R14 collects, clean rows
    lawful: set[str] = field(default_factory=set)               # every number that may be stored
    avoided: set[str] = field(default_factory=set)              # numbers already in the project
    hostile_lines: int = 0
    ordinary_lines: int = 0
    kinds: Counter = field(default_factory=Counter)             # line kind -> lines written

    def add_canary(self, number: str, kind: str) -> None:
        assert number not in self.lawful, "a canary must never be a number that may be stored"
        previous = self.canary_kind.setdefault(number, kind)
        assert previous == kind, "every canary has exactly one kind"

    def canary_kinds(self) -> Counter:
        return Counter(self.canary_kind.values())


class Generator:
    def __init__(self, seed: int, root: Path, avoid: set[str] | frozenset[str] = frozenset()) -> None:
        self.rng = random.Random(seed)
        self.pool = NumberPool(self.rng)
        self.pool.used |= avoid
        self.landing = Landing(seed=seed, root=root, avoided=set(avoid))
        rng = self.rng
        # Type 2 patients whose lines are valid (stored lawfully); the anchors among them are
        # opted out on clean lines only, never withdrawn, so they are current opt-outs (R9).
        self.type2 = self.pool.take_many(1500)
        self.landing.opted_out = self.type2[:40]
        self.anchor_dates = {n: f"2024-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"
                             for n in self.landing.opted_out}
        self.landing.lawful.update(self.type2)
        self.type1_pools: dict[str, list[str]] = defaultdict(list)

    # -------------------------------------------------------------- small helpers

    def canary(self, kind: str) -> str:
        number = self.pool.take()
        self.landing.add_canary(number, kind)
        return number

    def reused_canary(self, kind: str, reuse: float = 0.5) -> str:
        """A Type 1 patient's codes arrive month after month: reuse a number of the same kind."""
        pool = self.type1_pools[kind]
        if pool and self.rng.random() < reuse:
            return self.rng.choice(pool)
        number = self.canary(kind)
        pool.append(number)
        return number

    def day(self, month: str) -> str:
        return f"{month}-{self.rng.randrange(1, 29):02d}"

    def recorded(self) -> str:
        """A recorded date before every extract."""
        year = self.rng.choice(["2023", "2024", "2025"])
        return f"{year}-{self.rng.randrange(1, 7):02d}-{self.rng.randrange(1, 29):02d}"

    def practice(self) -> str:
        return self.rng.choice(PRACTICES)

    # -------------------------------------------------------- opt_out_codes lines

    def type2_valid(self, month: str) -> Record:
        number = self.rng.choice(self.type2[40:])
        code = self.rng.choice(TYPE2_OPT_OUT if self.rng.random() < 0.85 else TYPE2_WITHDRAWAL)
        return Record(join([self.day(month), self.practice(), number, code, self.recorded()]), "type2_valid", False)

    def type2_hostile(self, month: str) -> Record:
        """A Type 2 line, hostile in its form only: its number may be stored (it is not a canary)."""
        rng = self.rng
        number = rng.choice(self.type2[40:])
        code = rng.choice(TYPE2_OPT_OUT + TYPE2_WITHDRAWAL)
        values = [self.day(month), self.practice(), number, code, self.recorded()]
        kind = rng.choice(["unicode_whitespace_everywhere", "excel_number", "excel_code", "future_extract_date",
                           "bad_check_digit", "lower_case_type2_code", "bad_recorded_date", "all_quoted"])
        if kind == "unicode_whitespace_everywhere":
            values = [with_spaces(rng, v) for v in values]
        elif kind == "excel_number":
            values[2] = INVALID_FORMS[rng.choice(["excel_exponent", "excel_exponent_plus", "excel_decimal"])](number)
        elif kind == "excel_code":
            values[3] = rng.choice(["8.81561E+14", "881561000000100.0", "8.81581E+14", "881581000000109.0"])
        elif kind == "future_extract_date":
            values[0] = rng.choice(FUTURE_DATES)
        elif kind == "bad_check_digit":
            values[2] = wrong_check_digit(number)
        elif kind == "lower_case_type2_code":
            values[3] = values[3].lower()
        elif kind == "bad_recorded_date":
            values[4] = rng.choice(["45383", "01/02/2025", "2025-02-30", "", "0000-06-15", "2099-01-01"])
        return Record(join(values, force_quotes=kind == "all_quoted"), f"codes:type2_{kind}", True)

    TYPE1_DISGUISES = {
        "type1_exact": lambda r: r.choice(TYPE1_OPT_OUT),
        "type1_unicode_whitespace": lambda r: with_spaces(r, r.choice(TYPE1_OPT_OUT)),
        "type1_trailing_dots": lambda r: r.choice(TYPE1_OPT_OUT) + "." * r.randrange(1, 4),
        "type1_space_dot": lambda r: r.choice(TYPE1_OPT_OUT) + r.choice([" .", " . ", " ..", "\u00a0."]),
        "type1_quoted": lambda r: r.choice(["'{}'", '"{}"', "`{}`", "‘{}’"]).format(r.choice(TYPE1_OPT_OUT)),
        "type1_with_description": lambda r: r.choice(TYPE1_OPT_OUT) + r.choice(
            [" Dissent from secondary use", " - Dissent from secondary use of GP patient identifiable data",
             ": dissent from secondary use", "\tDissent"]),
        "type1_other_case": lambda r: r.choice(["xaz89", "XAZ89", "xAz89", "9NU0", "9nu0", "9nU0"]),
        "type1_punctuation": lambda r: r.choice(["9Nu0-", "(XaZ89)", "9-Nu-0", "XaZ.89", "[9Nu0]", "9Nu0;",
                                                 "827241000000103-", "#9Nu0"]),
        "type1_inner_whitespace": lambda r: r.choice(["9Nu 0", "Xa Z89", "9N\u00a0u0", "XaZ\t89", "9 N u 0"]),
        "type1_snomed_decimal": lambda r: r.choice(["827241000000103.0", "827241000000103.00", "827241000000103,0"]),
        "type1_snomed_exponent": lambda r: r.choice(["8.27241E+14", "8.27241E14", "8.27241e+14",
                                                     "8.27241000000103E+14", "8.2724100E+14"]),
        "type1_withdrawal_exact": lambda r: r.choice(TYPE1_WITHDRAWAL),
        "type1_withdrawal_disguised": lambda r: r.choice(["9Nu1 .", "xaz8a", "XaZ8A.", " 9Nu1\u00a0",
                                                          "827261000000102.0", "8.27261E+14", "'XaZ8A'"]),
        "type1_future_extract_date": lambda r: r.choice(TYPE1_OPT_OUT),
        "type1_number_mangled": lambda r: r.choice(TYPE1_OPT_OUT),
        "type1_bad_dates": lambda r: r.choice(TYPE1_OPT_OUT + TYPE1_WITHDRAWAL),
    }

    TYPE1_LOOKALIKES = sorted({d(random.Random(i)) for d in TYPE1_DISGUISES.values() for i in range(8)})

    def type1(self, month: str) -> Record:
        rng = self.rng
        disguise = rng.choice(sorted(self.TYPE1_DISGUISES))
        kind = f"codes:{disguise}"
        number = self.reused_canary(kind)
        code = self.TYPE1_DISGUISES[disguise](rng)
        if disguise == "type1_number_mangled":
            shown = INVALID_FORMS[rng.choice(sorted(INVALID_FORMS))](number)
        else:
            shown = VALID_FORMS[rng.choice(sorted(VALID_FORMS))](number) if rng.random() < 0.5 else number
        extract = rng.choice(FUTURE_DATES) if disguise == "type1_future_extract_date" else self.day(month)
        recorded = rng.choice(["", "2025-02-30", "45383", "2099-01-01"]) if disguise == "type1_bad_dates" \
            else self.recorded()
        return Record(join([extract, self.practice(), shown, code, recorded]), kind, True, [number])

    # --------------------------------------------------------------- malformed lines

    MALFORMED_PREFIX = {"opt_out_codes": "codes", "practice_counts": "counts",
                        "gp_level_data/patients": "gp_patients", "gp_level_data/opt_out_codes": "gp_codes"}
    MALFORMED_KINDS = ["too_many_values", "too_few_values", "stray_quote_in_value", "quote_swallows_lines",
                       "quote_swallows_lines_closed_with_right_count"]

    def malformed(self, feed: str, month: str, values: list[str], slot: int) -> list[Record]:
        """A line of `values` made malformed, a canary in column `slot` (and wherever else the
        mangling puts one). A swallowing quote makes several lines, all of them canary lines."""
        rng = self.rng
        what = rng.choice(self.MALFORMED_KINDS)
        kind = f"{self.MALFORMED_PREFIX[feed]}:{what}"

        def line_values(single_line: bool) -> tuple[list[str], list[str]]:
            number = self.canary(kind)
            shown = any_form(rng, number, 0.2)[1]
            if single_line:
                shown = shown.replace('"', "").replace("\r", "").replace("\n", "")
            line = list(values)
            line[slot] = shown
            return line, [number]

        if what == "too_many_values":
            line, numbers = line_values(False)
            for _ in range(rng.randrange(1, 4)):
                if rng.random() < 0.4:
                    extra, more = line_values(False)
                    numbers += more
                    value = extra[slot]
                else:
                    value = rng.choice(["", "x", rng.choice(TYPE2_OPT_OUT), self.day(month)])
                line.insert(rng.randrange(len(line) + 1), value)
            return [Record(join(line), kind, True, numbers)]
        if what == "too_few_values":
            line, numbers = line_values(False)
            kept = sorted(rng.sample([i for i in range(len(line)) if i != slot], rng.randrange(0, len(line) - 1)))
            line = [v for i, v in enumerate(line) if i == slot or i in kept]
            return [Record(join(line), kind, True, numbers)]
        if what == "stray_quote_in_value":
            # A quote inside a value (never at its start), on this line and the next: neither
            # line splits cleanly, whichever way a reader pairs the quotes.
            records = []
            for _ in range(2):
                line, numbers = line_values(True)
                line = [v.replace("\r", "").replace("\n", "").replace('"', "") or "x" for v in line]
                target = rng.randrange(len(line))
                cut = rng.randrange(1, len(line[target]) + 1)
                line[target] = line[target][:cut] + '"' + line[target][cut:]
                records.append(Record(",".join(v if '"' in v else quote(v) for v in line), kind, True, numbers))
            return records
        # A quote opens a value and swallows the next line(s) up to a closing quote on a later
        # line: at the end of that line (too few values), or just after the canary's column,
        # which leaves exactly the feed's number of values.
        right_count = what.endswith("right_count")
        opening = slot if right_count else rng.randrange(len(values))
        line, numbers = line_values(True)
        first = [quote(v) if i < opening else v.replace('"', "") for i, v in enumerate(line)]
        first[opening] = '"' + first[opening]
        records = [Record(",".join(first), kind, True, numbers)]
        swallowed = rng.randrange(1, 4)
        for index in range(swallowed):
            line, numbers = line_values(True)
            line = [v.replace('"', "").replace("\r", "").replace("\n", "") for v in line]
            if index == swallowed - 1:
                if right_count:
                    line[slot] += '"'
                else:
                    line[-1] += '"'
            records.append(Record(",".join(line), kind, True, numbers))
        return records

    # ------------------------------------------------------------------ files

    def write(self, relative: str, feed: str, header: str, records: list[Record], *, bom: bool = False,
              newline: str = "\n", final_newline: bool = True) -> None:
        path = self.landing.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        line = 2
        body = []
        for record in records:
            for number in record.canaries:
                kind = self.landing.canary_kind[number]
                self.landing.canaries.setdefault(number, []).append(Occurrence(kind, relative, line))
            self.landing.kinds[record.kind] += 1
            if record.hostile:
                self.landing.hostile_lines += 1
            else:
                self.landing.ordinary_lines += 1
            body.append(record.text)
            line += 1 + record.text.count("\n" if newline != "\r" else "\r")
        text = header + newline + newline.join(body) + (newline if final_newline and body else "")
        path.write_bytes(("\ufeff" if bom else "").encode() + text.encode("utf-8"))
        self.landing.files[relative] = feed

    def opt_out_code_files(self) -> None:
        rng = self.rng
        for month_index, month in enumerate(MONTHS):
            # Clean extracts: every anchor every month (a full extract repeats its codes), and
            # ordinary valid lines. One plain file, one with BOM and CRLF.
            for index, (bom, newline) in enumerate([(False, "\n"), (True, "\r\n")]):
                records = []
                for number in self.landing.opted_out[index::2]:
                    records.append(Record(join([f"{month}-05", self.practice(), number, "9Nu4",
                                                self.anchor_dates[number]]), "type2_anchor", False))
                records += [self.type2_valid(month) for _ in range(130)]
                rng.shuffle(records)
                self.write(f"opt_out_codes/{month}/extract_clean_{index}.csv", "opt_out_codes", CODES_HEADER,
                           records, bom=bom, newline=newline)
            # Hostile extracts: a random mix of every kind of line.
            for index in range(8):
                records: list[Record] = []
                while len(records) < 200:
                    roll = rng.random()
                    if roll < 0.12:
                        records.append(self.type2_valid(month))
                    elif roll < 0.34:
                        records.append(self.type2_hostile(month))
                    elif roll < 0.72:
                        records.append(self.type1(month))
                    else:
                        values = [self.day(month), self.practice(), "", rng.choice(TYPE2_OPT_OUT + TYPE1_OPT_OUT),
                                  self.recorded()]
                        records += self.malformed("opt_out_codes", month, values, 2)
                # An unbalanced quote at the very end of some files swallows to the end of file.
                if index % 3 == 0:
                    values = [self.day(month), self.practice(), "", "9Nu4", self.recorded()]
                    tail = self.malformed_to_eof("codes", values, 2)
                    records += tail
                style = [(False, "\n", True), (True, "\r\n", True), (False, "\r", True), (False, "\n", False)][
                    (index + month_index) % 4]
                self.write(f"opt_out_codes/{month}/extract_mixed_{index}.csv", "opt_out_codes", CODES_HEADER,
                           records, bom=style[0], newline=style[1], final_newline=style[2])
            self.write(f"opt_out_codes/{month}/extract_scrambled_quotes.csv", "opt_out_codes", CODES_HEADER,
                       self.scrambled_quotes("codes", month, self.TYPE1_LOOKALIKES, 60),
                       bom=month_index % 2 == 1, newline="\r\n" if month_index % 3 == 0 else "\n")

    def malformed_to_eof(self, prefix: str, values: list[str], slot: int) -> list[Record]:
        kind = f"{prefix}:quote_swallows_to_end_of_file"
        records = []
        for index in range(self.rng.randrange(1, 4)):
            number = self.canary(kind)
            line = list(values)
            line[slot] = ('"' if index == 0 else "") + number
            records.append(Record(",".join(line), kind, True, [number]))
        return records

    def scrambled_quotes(self, prefix: str, month: str, codes: list[str], lines: int) -> list[Record]:
        """Lines with quotes scattered anywhere in half of them (a file edited by hand, or cut
        and pasted): however a reader pairs the quotes, every line is a canary line, since
        each carries a code that keeps no number (a Type 1 code, or one of the GP-level feed
        that is rejected)."""
        rng = self.rng
        kind = f"{prefix}:scrambled_quotes"
        records = []
        for _ in range(lines):
            number = self.canary(kind)
            values = [self.day(month), self.practice(), any_form(rng, number, 0.2)[1], rng.choice(codes),
                      self.recorded()]
            text = ",".join(re.sub(r'["\r\n]', "", v) for v in values)
            if rng.random() < 0.5:
                cut = rng.randrange(len(text) + 1)
                text = text[:cut] + '"' + text[cut:]
            records.append(Record(text, kind, True, [number]))
        return records

    def practice_count_files(self) -> None:
        rng = self.rng
        for month in MONTHS:
            for index in range(2):
                records = []
                for practice in PRACTICES:
                    registered = rng.randrange(2000, 20000)
                    records.append(Record(join([f"{month}-0{index + 2}", practice, str(registered),
                                                str(rng.randrange(0, 400))]), "counts_valid", False))
                while len(records) < 90:
                    roll = rng.random()
                    values = [self.day(month), self.practice(), str(rng.randrange(2000, 20000)),
                              str(rng.randrange(0, 400))]
                    if roll < 0.5:
                        kind = rng.choice(["unicode_whitespace_everywhere", "excel_counts", "future_extract_date",
                                           "bad_practice"])
                        if kind == "unicode_whitespace_everywhere":
                            values = [with_spaces(rng, v) for v in values]
                        elif kind == "excel_counts":
                            values[2] = rng.choice([f"{int(values[2]) / 1000:.3f}E3", f"{values[2]}.0"])
                        elif kind == "future_extract_date":
                            values[0] = rng.choice(FUTURE_DATES)
                        else:
                            values[1] = rng.choice(["a8100", "XYZ", "", "A81001 A"])
                        records.append(Record(join(values), f"counts:{kind}", True))
                    else:
                        records += self.malformed("practice_counts", month, values, rng.randrange(4))
                if index == 1:
                    records += self.malformed_to_eof("counts", [self.day(month), self.practice(), "", "1"], 2)
                self.write(f"practice_counts/{month}/counts_{index}.csv", "practice_counts", COUNTS_HEADER, records,
                           bom=index == 1, newline="\r\n" if index == 1 else "\n")

    def gp_level_files(self) -> None:
        """R14. Patients are collected (lawful numbers), excluded (canaries) or on rejected rows
        (canaries). Code rows are accepted only for collected or excluded patients; every other
        code row is rejected and its number is a canary of its own."""
        rng = self.rng
        land = self.landing
        for c_index, (collection, extract) in enumerate(COLLECTIONS):
            before = f"2025-0{rng.randrange(1, 9)}-1{rng.randrange(0, 9)}"
            # Blocks of lines: a swallowing quote's lines stay together when the file is shuffled.
            patients: list[list[Record]] = []
            codes: list[list[Record]] = []

            def code_row(number: str, code: str, recorded: str, kind: str, canary: bool) -> None:
                codes.append([Record(join([extract, self.practice(), number, code, recorded]), kind, True,
                                     [number] if canary else [])])

            def patient_row(number: str, kind: str, canary: bool, shown: str | None = None,
                            practice: str | None = None, when: str | None = None) -> None:
                patients.append([Record(join([collection if when is None else when,
                                              self.practice() if practice is None else practice,
                                              shown if shown is not None else number,
                                              f"G{rng.randrange(1000, 9999)}"]),
                                         kind, kind != "gp_patients:collected_plain", [number] if canary else [])])

            for _ in range(300):
                roll = rng.random()
                if roll < 0.35:  # collected: no codes, or codes that do not exclude
                    number = self.pool.take()
                    land.lawful.add(number)
                    variant = rng.choice(["plain", "plain", "withdrawn_before", "opt_out_on_collection_date",
                                          "opt_out_after", "formatted_number"])
                    if variant == "plain":
                        patient_row(number, "gp_patients:collected_plain", False)
                        land.collected.append(number)
                        continue
                    if variant == "withdrawn_before":
                        code_row(number, rng.choice(TYPE1_OPT_OUT), "2025-01-10", "gp_codes:collected", False)
                        code_row(number, rng.choice(TYPE1_WITHDRAWAL), "2025-02-10", "gp_codes:collected", False)
                    elif variant == "opt_out_on_collection_date":
                        code_row(number, rng.choice(TYPE1_OPT_OUT), collection, "gp_codes:collected", False)
                    elif variant == "opt_out_after":
                        code_row(number, rng.choice(TYPE1_OPT_OUT), collection[:8] + "17", "gp_codes:collected",
                                 False)
                    shown = VALID_FORMS[rng.choice(sorted(VALID_FORMS))](number) if variant == "formatted_number" \
                        else number
                    patient_row(number, f"gp_patients:collected_{variant}", False, shown=shown)
                elif roll < 0.65:  # excluded (R14): a Type 1 opt-out recorded strictly before
                    variant = rng.choice(["exact_code", "code_with_spaces", "code_with_trailing_dots", "undated",
                                          "bad_date", "re_opted_out", "tie_on_same_day", "formatted_number"])
                    kind = f"gp_excluded:{variant}"
                    number = self.canary(kind)
                    code = rng.choice(TYPE1_OPT_OUT)
                    if variant == "code_with_spaces":
                        code = with_spaces(rng, code, line_breaks=False, named_only=True)
                    elif variant == "code_with_trailing_dots":
                        code += ".."
                    recorded = {"undated": "", "bad_date": rng.choice(["2025-02-30", "15/01/2025", "45383"])}.get(
                        variant, before)
                    code_row(number, code, recorded, kind, True)
                    if variant == "re_opted_out":
                        code_row(number, rng.choice(TYPE1_WITHDRAWAL), "2024-06-01", kind, True)
                        code_row(number, rng.choice(TYPE1_OPT_OUT), "2024-01-01", kind, True)
                    if variant == "tie_on_same_day":
                        code_row(number, rng.choice(TYPE1_WITHDRAWAL), recorded, kind, True)
                    shown = VALID_FORMS[rng.choice(sorted(VALID_FORMS))](number) if variant == "formatted_number" \
                        else number
                    patient_row(number, kind, True, shown=shown)
                elif roll < 0.77:  # a rejected patient row
                    variant = rng.choice(["invalid_collection_date", "invalid_practice_code", "invalid_nhs_number"])
                    kind = f"gp_rejected_patient_row:{variant}"
                    number = self.canary(kind)
                    if variant == "invalid_collection_date":
                        patient_row(number, kind, True, when=rng.choice(["15/10/2025", "2025-02-30", "", "20251015"]))
                    elif variant == "invalid_practice_code":
                        patient_row(number, kind, True, practice=rng.choice(["XYZ", "", "8100A1", "A8100"]))
                    else:
                        patient_row(number, kind, True, shown=INVALID_FORMS[rng.choice(sorted(INVALID_FORMS))](number))
                elif roll < 0.89:  # a rejected code row (its patient is in no patients row)
                    variant = rng.choice(["looks_like_type1", "type2_not_used", "invalid_extract_date",
                                          "withdrawal_without_date", "invalid_nhs_number"])
                    kind = f"gp_rejected_code_row:{variant}"
                    number = self.canary(kind)
                    code, recorded, shown = rng.choice(TYPE1_OPT_OUT), before, number
                    if variant == "looks_like_type1":
                        code = rng.choice(["9Nu0 .", "xaz89", "'9Nu0'", "827241000000103.0", "8.27241E+14"])
                    elif variant == "type2_not_used":
                        code = rng.choice(TYPE2_OPT_OUT + TYPE2_WITHDRAWAL)
                    elif variant == "withdrawal_without_date":
                        code, recorded = rng.choice(TYPE1_WITHDRAWAL), rng.choice(["", "2025-02-30"])
                    elif variant == "invalid_nhs_number":
                        shown = INVALID_FORMS[rng.choice(sorted(INVALID_FORMS))](number)
                    codes.append([Record(join([rng.choice(FUTURE_DATES) if variant == "invalid_extract_date"
                                               else extract, self.practice(), shown, code, recorded]),
                                         kind, True, [number])])
                else:  # malformed lines in either GP-level feed
                    if rng.random() < 0.5:
                        patients.append(self.malformed("gp_level_data/patients", "2025-10",
                                                   [collection, self.practice(), "", "G1234"], 2))
                    else:
                        codes.append(self.malformed("gp_level_data/opt_out_codes", "2025-10",
                                                [extract, self.practice(), "", rng.choice(TYPE1_OPT_OUT), before], 2))
            self.write(f"gp_level_data/opt_out_codes/{collection}/codes_scrambled_quotes.csv",
                       "gp_level_data/opt_out_codes", CODES_HEADER,
                       self.scrambled_quotes("gp_codes", extract[:7], TYPE2_OPT_OUT + ["9Nu0 .", "xaz89"], 60),
                       bom=c_index == 0)
            for name, feed, header, blocks in (("patients", "gp_level_data/patients", PATIENTS_HEADER, patients),
                                               ("codes", "gp_level_data/opt_out_codes", CODES_HEADER, codes)):
                rng.shuffle(blocks)
                half = len(blocks) // 2
                for part, chunk in enumerate((blocks[:half], blocks[half:])):
                    self.write(f"{feed}/{collection}/{name}_{part}.csv", feed, header, [r for b in chunk for r in b],
                               bom=part == 1, newline="\r\n" if c_index == 1 else "\n")


def generate(root: Path, seed: int | None = None, avoid: set[str] | frozenset[str] = frozenset()) -> Landing:
    """Write the landing area under `root` (which must not exist yet) and describe it.
    `avoid`: numbers already in the project (its seeds and demo data), never used here."""
    seed = seed_from_environment() if seed is None else seed
    root.mkdir(parents=True)
    generator = Generator(seed, root, avoid)
    generator.opt_out_code_files()
    generator.practice_count_files()
    generator.gp_level_files()
    landing = generator.landing
    assert landing.hostile_lines >= MIN_HOSTILE_LINES, landing.hostile_lines
    assert not set(landing.canary_kind) & landing.lawful
    return landing


def numbers_in(folder: Path) -> set[str]:
    """Every 10-digit window of the digit runs in the CSV, YAML and SQL files under `folder`
    (seeds, and the numbers unit tests write into dbt's manifest)."""
    found: set[str] = set()
    for path in [p for suffix in ("csv", "yml", "yaml", "sql") for p in folder.rglob(f"*.{suffix}")]:
        for digits in digit_strings(path.read_bytes().decode("utf-8", "replace")):
            found |= windows(digits)
    return found


def seed_from_environment() -> int:
    return int(os.environ.get("CANARY_SEED", DEFAULT_SEED))


# ------------------------------------------------------------ releases and list checks


@dataclass
class ListRow:
    row_id: str
    case: str          # the form of the number (never the number)
    expect: str        # "removed" (opted out), "kept" (free, valid) or "policy" (no usable number)
    values: dict[str, str | int | None]


# Release inputs: seeds (numbers as text, or as bigint), and one model that writes every
# form exactly (a seed cannot carry a CR: dbt reads seed files with universal newlines).
RELEASE_INPUTS = {
    "canary_release_text": {"row_id": "varchar", "nhs_number": "varchar"},
    "canary_release_bigint": {"row_id": "varchar", "nhs_number": "bigint"},
    "canary_release_shadow_normalised": {"row_id": "varchar", "nhs_number": "varchar",
                                         "opt_out_nhs_normalised": "varchar"},
    "canary_release_shadow_bigint": {"row_id": "varchar", "nhs_number": "varchar", "opt_out_nhs_as_bigint": "bigint"},
    "canary_release_shadow_both": {"row_id": "varchar", "nhs_number": "varchar", "opt_out_nhs_normalised": "varchar",
                                   "opt_out_nhs_as_bigint": "bigint"},
    "canary_release_exact": {"row_id": "varchar", "nhs_number": "varchar"},
}
MODEL_INPUTS = {"canary_release_exact"}
SEED_FORMS = sorted(name for name, form in VALID_FORMS.items() if "\r" not in form("9434765919"))
UNUSABLE = {"missing": "", "junk": "not a number", "nine_digits": "943476591", "wrong_check_digit": None}


@dataclass
class Inputs:
    releases: dict[str, list[ListRow]] = field(default_factory=dict)        # input -> rows
    release_models: dict[str, tuple[str, str]] = field(default_factory=dict)  # release -> (input, policy)
    lists: dict[str, list[ListRow]] = field(default_factory=dict)           # list file name -> rows


def build_inputs(landing: Landing) -> Inputs:
    """Release and list rows: every form of a current opt-out (to be removed), free numbers
    (to be kept, whatever columns named like the macro's own hold) and unusable values
    (kept only with rows_without_nhs_number='keep')."""
    rng = random.Random(landing.seed + 1)
    pool = NumberPool(rng)
    pool.used |= landing.lawful | set(landing.canary_kind) | landing.avoided
    free = pool.take_many(40)
    opted_out = landing.opted_out
    inputs = Inputs()
    counter = iter(range(1, 100_000))

    def row(case: str, expect: str, **values) -> ListRow:
        return ListRow(f"r{next(counter):05d}", case, expect, values)

    def text_rows(forms: list[str], shadow: tuple[str, ...] = ()) -> list[ListRow]:
        rows = []
        for index, name in enumerate(forms * 2):
            number, other = opted_out[index % len(opted_out)], free[index % len(free)]
            as_shadow = lambda n: {c: (int(n) if c.endswith("bigint") else n) for c in shadow}  # noqa: E731
            suffix = "_beside_free_number" if shadow else ""
            rows.append(row(f"opted_out_{name}{suffix}", "removed", nhs_number=VALID_FORMS[name](number),
                            **as_shadow(other)))
            # R15: no other column changes which rows are removed.
            suffix = "_beside_opted_out_number" if shadow else ""
            rows.append(row(f"free_{name}{suffix}", "kept", nhs_number=VALID_FORMS[name](other), **as_shadow(number)))
        for name, value in UNUSABLE.items():
            rows.append(row(f"unusable_{name}", "policy",
                            nhs_number=wrong_check_digit(free[0]) if value is None else value,
                            **{c: None for c in shadow}))
        return rows

    both = ("opt_out_nhs_normalised", "opt_out_nhs_as_bigint")
    inputs.releases["canary_release_text"] = text_rows(SEED_FORMS)
    inputs.releases["canary_release_bigint"] = (
        [row("opted_out_as_integer", "removed", nhs_number=int(n)) for n in opted_out[:20]]
        + [row("free_as_integer", "kept", nhs_number=int(n)) for n in free[:10]]
        + [row("unusable_null", "policy", nhs_number=None), row("unusable_small_integer", "policy", nhs_number=12345)])
    inputs.releases["canary_release_shadow_normalised"] = text_rows(SEED_FORMS, both[:1])
    inputs.releases["canary_release_shadow_bigint"] = text_rows(SEED_FORMS, both[1:])
    inputs.releases["canary_release_shadow_both"] = text_rows(SEED_FORMS, both)
    inputs.releases["canary_release_exact"] = text_rows(sorted(VALID_FORMS))
    for name in inputs.releases:
        for policy in ("exclude", "keep"):
            inputs.release_models[f"release_{name}_{policy}"] = (name, policy)
    inputs.lists["list_plain.csv"] = text_rows(sorted(VALID_FORMS))
    inputs.lists["list_beside_helper_columns.csv"] = text_rows(sorted(VALID_FORMS), both)
    return inputs


def columns_of(input_name: str) -> list[str]:
    return [c for c in RELEASE_INPUTS[input_name] if c != "row_id"]


def csv_text(rows: list[ListRow], columns: list[str]) -> str:
    lines = [join(["row_id", *columns])]
    lines += [join([r.row_id, *["" if r.values.get(c) is None else str(r.values[c]) for c in columns]])
              for r in rows]
    return "\n".join(lines) + "\n"


def sql_text(value: str | int | None, data_type: str) -> str:
    """A SQL literal for `value`, every character outside [0-9A-Za-z -] written as chr(n)."""
    if value is None or value == "":
        return f"cast(null as {data_type})"
    if isinstance(value, int):
        return f"cast({value} as {data_type})"
    pieces = re.findall(r"[0-9A-Za-z -]+|.", value, flags=re.S)
    return "(" + " || ".join(f"'{p}'" if re.fullmatch(r"[0-9A-Za-z -]+", p) else f"chr({ord(p)})"
                             for p in pieces) + ")"


def write_release_project(project: Path, inputs: Inputs) -> None:
    """The release inputs (seeds, one model) and their releases, with the default policy and
    'keep', declared like any release (SPEC §6), in a copied project."""
    seeds_yaml, models_yaml = ["version: 2", "seeds:"], ["version: 2", "models:"]
    (project / "models" / "canary").mkdir()
    for name, rows in inputs.releases.items():
        types = RELEASE_INPUTS[name]
        if name in MODEL_INPUTS:
            selects = [" select " + ", ".join(f"{sql_text(r.row_id if c == 'row_id' else r.values.get(c), t)} as {c}"
                                              for c, t in types.items()) for r in rows]
            (project / "models" / "canary" / f"{name}.sql").write_text(
                "{{ config(materialized='table') }}\n" + "\nunion all\n".join(selects) + "\n")
            continue
        (project / "seeds" / f"{name}.csv").write_bytes(csv_text(rows, columns_of(name)).encode("utf-8"))
        # fast: false — DuckDB's COPY cannot sniff these files; agate keeps every value as written.
        seeds_yaml += [f"  - name: {name}", "    config:", "      fast: false",
                       "      column_types: {" + ", ".join(f"{c}: {t}" for c, t in types.items()) + "}"]
    for model, (name, policy) in inputs.release_models.items():
        argument = ", rows_without_nhs_number='keep'" if policy == "keep" else ""
        (project / "models" / "releases" / f"{model}.sql").write_text(
            f"{{{{ apply_opt_outs(ref('{name}'){argument}) }}}}\n")
        models_yaml += [f"  - name: {model}", "    config:",
                        "      meta: {purpose: canary test, recipient: nobody, opt_outs: applied}",
                        "    data_tests: [no_opted_out_patients]"]
    (project / "seeds" / "_canary_release_seeds.yml").write_text("\n".join(seeds_yaml) + "\n")
    (project / "models" / "releases" / "_canary_releases.yml").write_text("\n".join(models_yaml) + "\n")


def write_lists(folder: Path, inputs: Inputs) -> dict[str, Path]:
    paths = {}
    for name, rows in inputs.lists.items():
        columns = ["nhs_number", *sorted({c for r in rows for c in r.values} - {"nhs_number"})]
        paths[name] = folder / name
        paths[name].write_bytes(csv_text(rows, columns).encode("utf-8"))
    return paths


# ---------------------------------------------------------------------- scanning

# Characters that can sit inside a written number: whitespace of every kind (R1), hyphens
# and dashes, quotes; in a single value also dots, slashes, underscores and brackets
# ("943.476.5919", "9434765919.0", "(943) 476 5919"). Removing every non-digit instead
# would run unrelated numbers together (a timestamp and its fraction, the digits of a
# hash) into false matches.
SPACES_AND_DASHES = "\\s\u00a0\u2007\u202f\u3000\ufeff\u200b\u2060\u1680\u205f'\"`‘’\\-‐‑‒–—"
LONG_SEPARATORS = re.compile(f"[{SPACES_AND_DASHES}]+")
SHORT_SEPARATORS = re.compile(f"[{SPACES_AND_DASHES}./_()\\[\\]]+")
EXCEL_EXPONENT = re.compile(r"(?<![0-9.])([0-9])\.([0-9]{1,9})[eE]\+?0*9(?![0-9])")
ESCAPES = re.compile(r"\\(u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|[tnr\"'\\])")
DIGEST = re.compile(r"(?<![0-9A-Za-z])(?:[0-9a-fA-F]{64}|[0-9a-fA-F]{40}|[0-9a-fA-F]{32}|"
                    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})(?![0-9A-Za-z])")
DIGIT_RUN = re.compile(r"[0-9]{10,}")
SHORT_VALUE = 40


def windows(digits: str) -> set[str]:
    return {digits[i:i + 10] for i in range(len(digits) - 9)}


def digit_strings(value: str) -> list[str]:
    """The runs of 10 or more digits a stored value could hide a number in, once the
    characters that can sit inside a written number are removed (fewer in a long text, a
    file, so that its numbers are not run together), Excel's exponent form is written out,
    and hex digests and UUIDs are dropped."""
    value = DIGEST.sub(lambda m: "#" if re.search("[a-fA-F]", m.group()) else m.group(), value)
    value = EXCEL_EXPONENT.sub(r"\1\2", ESCAPES.sub("", value))
    separators = SHORT_SEPARATORS if len(value) <= SHORT_VALUE else LONG_SEPARATORS
    return DIGIT_RUN.findall(separators.sub("", value))


def find_in(value: str, numbers: set[str]) -> set[str]:
    found = set()
    for digits in digit_strings(value):
        found |= windows(digits) & numbers
    return found


def mask(text: str) -> str:
    """Text from outside (dbt output, file names) with every long digit run hidden."""
    return re.sub(r"[0-9](?:[^0-9A-Za-z,;:/|]{0,3}[0-9]){8,}", "<digits>", text)


def describe(landing: Landing, number: str, limit: int = 3) -> str:
    occurrences = landing.canaries.get(number, [])
    where = "; ".join(f"{o.file} line {o.line}" for o in occurrences[:limit])
    more = f" (+{len(occurrences) - limit} more)" if len(occurrences) > limit else ""
    return f"{landing.canary_kind[number]} at {where}{more}"


def summary(landing: Landing) -> str:
    kinds = landing.canary_kinds()
    return textwrap.dedent(f"""\
        seed {landing.seed}: {len(landing.files)} files, {landing.hostile_lines} hostile lines,
        {landing.ordinary_lines} ordinary lines, {len(landing.canary_kind)} canaries of {len(kinds)} kinds""")
