"""Answer a patient's enquiry about their Type 2 opt-out (docs/rules.md §6).

    python -m opt_out_io enquiry                   (make enquiry)

The number is asked for, never taken from the command line (which everyone on the machine
sees in ps, shell history keeps, and dbt writes into target/run_results.json): at a terminal
it is typed at a prompt that does not show it; otherwise one line is read from standard
input, as in `printf '%s\n' "$n" | python -m opt_out_io enquiry`.

A superseded number (SPEC §9, changed NHS numbers) is answered as the patient's: the number
they are known by now, from the published links; a number a change left in conflict is
answered with its own status, and says whether releases withhold it. Prints every Type 2
event received for the number (type, action, recorded and received dates, practice,
whether the recorded date was imputed), the periods during which its
opt-out was applied, and the published record versions and releases built while it was
applied. The number is given to the database only as a query parameter: the SQL comes from
the project's own macros (R1, "as known at"), compiled by dbt on an in-memory target, so the
number reaches no log, no file under target/ and is not printed back.
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import sys
from typing import NoReturn

import duckdb

from opt_out_io.check_list import ListProblem, warehouse_path

SEPARATOR = "\n-- next query --\n"
MARTS = ("opt_out_events", "opt_out_periods", "published_record_versions", "release_manifest")
# SPEC §9: a superseded number is looked up as its patient's, the number they are known by now.
PUBLISHED = ("published_nhs_number_links", "published_current_opt_outs")
QUERIES = {
    "number": "select {{ normalise_nhs_number('candidate.value') }} as nhs_number, "
              "{{ is_valid_nhs_number(normalise_nhs_number('candidate.value')) }} as is_valid "
              "from (select cast($1 as varchar) as value) as candidate",
    "patient": "select patient_number, effective_date, linked_at from {{ ref('published_nhs_number_links') }} "
               "where nhs_number = $1 and patient_number <> nhs_number",
    "earlier": "select max(linked_at) from {{ ref('published_nhs_number_links') }} "
               "where patient_number = $1 and nhs_number <> $1",
    # A number joined to other patients' numbers by links left in conflict (SPEC §9): how many
    # patients its group holds, and how many of them are opted out now.
    "group": "select count(distinct links.patient_number), count(distinct opted_out.nhs_number) "
             "from {{ ref('published_nhs_number_links') }} as links left join "
             "{{ ref('published_current_opt_outs') }} as opted_out on links.patient_number = opted_out.nhs_number "
             "where links.component_number = (select joined.component_number from "
             "{{ ref('published_nhs_number_links') }} as joined where joined.nhs_number = $1)",
    "events": "select received_date, opt_out_type, action, recorded_date, recorded_date_imputed, practice_code "
              "from {{ ref('opt_out_events') }} where nhs_number = $1 order by received_date, recorded_date, action",
    "periods": "select applied_from, applied_to from {{ ref('opt_out_periods') }} where nhs_number = $1 "
               "order by applied_from",
    "versions": "select versions.version_id, versions.published_at from {{ ref('published_record_versions') }} "
                "as versions where exists (select 1 from {{ ref('opt_out_periods') }} as periods "
                "where periods.nhs_number = $1 and {{ period_covers('periods', 'versions.latest_received_date') }}) "
                "and versions.published_at >= $2 order by versions.published_at",
    "releases": "select manifest.release_name, manifest.built_at, manifest.version_id, manifest.as_of "
                "from {{ ref('release_manifest') }} as manifest where manifest.opt_outs = 'applied' and exists "
                "(select 1 from {{ ref('opt_out_periods') }} as periods where periods.nhs_number = $1 "
                "and {{ period_covers('periods', 'manifest.as_of') }}) and manifest.built_at >= $2 "
                "order by manifest.built_at, "
                "manifest.release_name",
}


def compiled_queries() -> dict[str, str]:
    from opt_out_io.dbt_invocation import invoke

    result = invoke([
        "compile", "--log-level", "none", "--target", "offline", "--inline", SEPARATOR.join(QUERIES.values())])
    if not result.success:
        # dbt's own messages name macros and files, never a value of the list.
        raise ListProblem(f"the project could not compile the enquiry: {result.exception}")
    return dict(zip(QUERIES, result.result.results[0].node.compiled_code.split(SEPARATOR.strip())))


def answer(raw_number: str) -> list[str]:
    queries = compiled_queries()
    warehouse = warehouse_path()
    with duckdb.connect() as con:
        # The compiled SQL reads memory.main.<mart>: views over the warehouse's marts.
        con.execute(f"attach '{warehouse}' as warehouse (read_only)")
        for mart in MARTS:
            con.execute(f"create view main.{mart} as select * from warehouse.main.{mart}")
        con.execute("create schema published")
        for table in PUBLISHED:
            con.execute(f"create view published.{table} as select * from warehouse.published.{table}")
        number, is_valid = con.execute(queries["number"], [raw_number]).fetchone()
        if not is_valid:
            raise ListProblem("that is not a valid NHS number (10 digits whose Modulus 11 check digit holds; "
                              "spaces and hyphens are allowed)")
        link = con.execute(queries["patient"], [number]).fetchone()
        if link is not None:
            number = link[0]
        patients, opted_out = con.execute(queries["group"], [number]).fetchone()
        events = con.execute(queries["events"], [number]).fetchall()
        periods = con.execute(queries["periods"], [number]).fetchall()
        # A number superseded later was matched by releases only from when its link was received.
        since = link[2] if link is not None else dt.datetime(1900, 1, 1)
        earlier = con.execute(queries["earlier"], [number]).fetchone()[0] if link is None else None
        versions = con.execute(queries["versions"], [number, since]).fetchall()
        releases = con.execute(queries["releases"], [number, since]).fetchall()
    lines = ["Enquiry about the NHS number given (valid; it is not repeated here)."]
    if link is not None:
        # The patient's later number is not printed either: the answer is theirs, under any number.
        lines.append(f"The patient was given a different NHS number from {link[1]} (the change was received on "
                     f"{link[2]:%Y-%m-%d}): their opt-out follows them, and everything below is theirs under "
                     "either number. Record versions and releases below count only from when the change was "
                     "received.")
    if earlier is not None:
        lines.append(f"Earlier NHS numbers of this patient were linked to it (the last change received on "
                     f"{earlier:%Y-%m-%d}): everything below is theirs under any of their numbers; record versions "
                     "and releases before then applied each number's own history.")
    if patients > 1:
        lines.append(f"A change of NHS number joins this number to {patients - 1} other patient(s)' numbers and is "
                     "left for a person to resolve (nhs_number_change_conflicts): each number keeps its own status "
                     "below, and releases, the list check and GP-level collections withhold all of them while any "
                     f"is opted out ({'so this number is withheld now' if opted_out else 'none is now'}). The "
                     "periods, record versions and releases below follow this number's own status only.")
    if not events:
        return lines + ["No Type 2 opt-out or withdrawal has been received for it. Type 1 codes sent in the Type 2 "
                        "feed are never stored (R4), so they cannot be looked up."]
    lines.append(f"Type 2 events received ({len(events)}):")
    for received, kind, action, recorded, imputed, practice in events:
        lines.append(f"  received {received}  type {kind} {action:<10}  recorded {recorded}"
                     f"{' (imputed: no usable date was sent)' if imputed else ''}  practice {practice}")
    lines.append(f"Periods during which the opt-out was applied ({len(periods)}):"
                 if periods else "The opt-out has never been applied (no period).")
    for applied_from, applied_to in periods:
        lines.append(f"  from {applied_from} to {applied_to or 'now (still applied)'}")
    lines.append(f"Published record versions that applied it: {len(versions)}")
    lines.extend(f"  {version_id}  published {published_at}" for version_id, published_at in versions)
    lines.append(f"Releases built while it was applied (its rows removed): {len(releases)}")
    lines.extend(f"  {name}  built {built_at}  record version {version_id}  as of {as_of}"
                 for name, built_at, version_id, as_of in releases)
    return lines


def read_number() -> str:
    """The number as the person gives it: at a prompt that does not echo it, or a line of stdin."""
    try:
        if sys.stdin.isatty():
            return getpass.getpass("NHS number: ").strip()
        return sys.stdin.readline().strip()
    except EOFError:
        return ""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    # Not an interface: anything given here is refused (see main) without being repeated,
    # and so is anything argparse itself would complain about (its messages quote arguments).
    parser.description = ("The NHS number is asked for — at a terminal, at a prompt that does not show it; "
                          "otherwise as one line of standard input — never taken from the command line.")
    parser.add_argument("given", nargs="*", help=argparse.SUPPRESS)
    parser.error = lambda message: refuse_arguments()  # type: ignore[method-assign]


def refuse_arguments() -> NoReturn:
    """Anything on the enquiry's command line is refused, and never repeated (it may be the number)."""
    sys.exit("enquiry: the NHS number is asked for when the enquiry runs, never taken from the command line "
             "(where ps, shell history and dbt's run_results.json would keep it): run make enquiry, or python -m "
             "opt_out_io enquiry, and type it when asked.")


def main(args: argparse.Namespace) -> None:
    if args.given:
        refuse_arguments()
    try:
        raw_number = read_number()
    except KeyboardInterrupt:
        sys.exit("\nenquiry: stopped; nothing was looked up.")
    if not raw_number.strip():
        sys.exit("enquiry: no NHS number was given (type it when asked, or give it as one line on standard input).")
    try:
        print("\n".join(answer(raw_number)))
    except ListProblem as problem:
        sys.exit(f"enquiry: {problem}.")
    except (duckdb.BinderException, duckdb.CatalogException):
        sys.exit("enquiry: the warehouse lacks a table or column this version of the project reads (not built yet, "
                 "or built by another version): run dbt build first.")
    except duckdb.Error as error:
        sys.exit(f"enquiry: the warehouse could not be read ({type(error).__name__}).")
