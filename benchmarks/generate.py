"""Synthetic England-scale landing data (docs/rules.md §1 layout) and a release dataset.

    python benchmarks/generate.py --scale 1/16 --out /data/synthetic

Default scale 1 is "England 2017": 7,400 practices in 207 CCGs, 58.5 M registered
patients, about 1.6 M patients with Type 2 codes (some withdrawn, some re-registering,
dying or moving), Type 1 counts about 2.5 % of list size, 13 monthly full extracts
(2017-01 .. 2018-01: twelve for the full build, the thirteenth for the monthly run; more
with --months, e.g. 37 for three years of history),
one codes file per practice per month, a few per cent bad rows, and a 100 M-row release dataset (Parquet). Written by DuckDB
SQL, deterministic (hash-based, not random), NHS numbers only from the never-issued
9-prefixed range.
"""

from __future__ import annotations

import argparse
import json
from fractions import Fraction
from pathlib import Path

import duckdb

PRACTICES, CCGS, REGISTERED, TYPE2_PATIENTS, RELEASE_ROWS = 7_400, 207, 58_500_000, 1_600_000, 100_000_000
MONTHS = 13
# A patient with a Type 2 opt-out stays in the extracts for three years (then moves away or
# dies), so from month 13 on every monthly extract has about the same size however many
# months are generated: history grows, the month does not.
YEARS_IN_EXTRACTS = 36


def month_names(count: int) -> list[str]:
    return [f"{2017 + m // 12}-{m % 12 + 1:02d}" for m in range(count)]


def parse_scale(text: str) -> float:
    return float(Fraction(text))


def u(expression: str, salt: str) -> str:
    """A deterministic pseudo-random number in [0, 1) from `expression` and a salt."""
    return f"((hash({expression}, '{salt}') % 1000003) / 1000003.0)"


def generate(scale: float, out: Path, release_rows: int | None = None, threads: int | None = None,
             months: int = MONTHS) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    names = month_names(months)
    # Opt-outs start in the 23 months before the first extract or during the extracts; the
    # pool is sized so that n_type2 patients are in each extract from month 13 on.
    start_span = 23 + months
    n_practices = max(10, round(PRACTICES * scale))
    n_ccgs = max(3, round(CCGS * scale))
    n_registered = max(1_000, round(REGISTERED * scale))
    n_type2 = max(200, round(TYPE2_PATIENTS * scale))
    n_pool = round(n_type2 * (23 + months) / YEARS_IN_EXTRACTS)
    n_release = release_rows if release_rows is not None else max(1_000, round(RELEASE_ROWS * scale))
    con = duckdb.connect()
    if threads:
        con.execute(f"set threads = {threads}")
    con.execute(f"""
        create table practices as
        select
            p as practice_id,
            chr(65 + cast(p // 100000 as integer)) || lpad(cast(p % 100000 as varchar), 5, '0') as practice_code,
            'Practice ' || p as practice_name,
            lpad(cast(p % {n_ccgs} as varchar), 3, '0') || 'X' as ccg_code
        from range({n_practices}) as t(p)
    """)
    # Valid 9-prefixed NHS numbers, densely numbered: candidates whose check digit is 10 are skipped.
    weights = " + ".join(f"{10 - i} * cast(substr(first9, {i + 1}, 1) as integer)" for i in range(9))
    con.execute(f"""
        create table population as
        with candidates as (
            select i, cast(900000000 + i as varchar) as first9
            from range({int(n_registered * 1.15) + 100}) as t(i)
        ),
        checked as (
            select i, first9, (11 - (({weights}) % 11)) % 11 as check_digit from candidates
        )
        select row_number() over (order by i) - 1 as patient_id, first9 || cast(check_digit as varchar) as nhs_number
        from checked
        where check_digit <> 10
        order by i
        limit {n_registered}
    """)
    # Type 2 patients and their histories, in months relative to 2017-01 (index 0).
    con.execute(f"""
        create table type2 as
        select
            patient_id,
            nhs_number,
            cast(floor({u('patient_id', 'practice')} * {n_practices}) as integer) as practice_id,
            cast(floor({u('patient_id', 'start')} * start_span) as integer) - 23 as opt_out_month,
            case when {u('patient_id', 'withdraw')} < 0.06
                then cast(floor({u('patient_id', 'start')} * start_span) as integer) - 23
                     + 1 + cast(floor({u('patient_id', 'wmonth')} * 10) as integer) end as withdrawal_month,
            case when {u('patient_id', 'leave')} < 0.02
                then cast(floor({u('patient_id', 'lmonth')} * {months}) as integer)
                else cast(floor({u('patient_id', 'start')} * start_span) as integer) - 23 + {YEARS_IN_EXTRACTS - 1}
            end as leaves_after,
            case when {u('patient_id', 'move')} < 0.02
                then cast(floor({u('patient_id', 'mmonth')} * {months}) as integer) end as moves_at,
            cast(floor({u('patient_id', 'system')} * 3) as integer) as code_system
        from population
        where patient_id < {n_pool}
    """.replace("start_span", str(start_span)))
    landing = out / "landing"
    for index, month in enumerate(names):
        extract = f"{month}-03"
        rows = f"""
            with active as (
                select *,
                    case when moves_at is not null and {index} >= moves_at
                        then (practice_id + 1) % {n_practices} else practice_id end as current_practice
                from type2
                where opt_out_month <= {index} and (leaves_after is null or {index} <= leaves_after)
            ),
            coded as (
                select nhs_number, current_practice, ['9Nu4', 'XaaVL', '881561000000100'][code_system + 1] as code,
                    cast(cast(date '2017-01-01' + to_months(opt_out_month) - to_days(3) as date) as varchar) as recorded_date
                from active
                union all
                select nhs_number, current_practice, ['9Nu5', 'XaaVM', '881581000000109'][code_system + 1],
                    cast(cast(date '2017-01-01' + to_months(withdrawal_month) - to_days(2) as date) as varchar)
                from active
                where withdrawal_month is not null and withdrawal_month <= {index}
            ),
            noisy as (
                select
                    '{extract}' as extract_date,
                    case when {u('nhs_number', 'bad_practice')} < 0.003 then 'X1'
                         else practices.practice_code end as practice_code,
                    case when {u('nhs_number', 'bad_nhs')} < 0.005
                         then substr(nhs_number, 1, 9) || cast((cast(substr(nhs_number, 10, 1) as integer) + 1) % 10 as varchar)
                         when {u('nhs_number', 'spaced')} < 0.03
                         then substr(nhs_number, 1, 3) || ' ' || substr(nhs_number, 4, 3) || ' ' || substr(nhs_number, 7)
                         else nhs_number end as nhs_number,
                    case when {u('nhs_number', 'type1')} < 0.004 then '9Nu0'
                         when {u('nhs_number', 'unknown')} < 0.004 then '9Nu9'
                         else code end as code,
                    case when {u('nhs_number || code', 'junk_date')} < 0.005 then '31/12/2016'
                         else recorded_date end as recorded_date,
                    practices.practice_code as sender
                from coded
                inner join practices on coded.current_practice = practices.practice_id
            )
            select * from noisy
        """
        folder = landing / "opt_out_codes" / month
        folder.mkdir(parents=True, exist_ok=True)
        # One file per practice per month, as the practices' systems send them (a row with a
        # mangled practice code stays in its sender's file): sender=<code>/opt_out_codes_<date>_0.csv.
        con.execute(f"""copy ({rows}) to '{folder}' (format csv, header, partition_by (sender),
                        filename_pattern 'opt_out_codes_{extract}_{{i}}', overwrite_or_ignore)""")
        counts = f"""
            select
                '{extract}' as extract_date,
                practice_code,
                cast(round({n_registered} / {n_practices} * (0.5 + {u('practice_id', 'size')})
                     * (1 + {index} * 0.001)) as bigint) as registered_patients,
                cast(round({n_registered} / {n_practices} * (0.5 + {u('practice_id', 'size')})
                     * (0.015 + 0.02 * {u('practice_id', 'type1')})) as bigint) as type1_opt_outs
            from practices
        """
        folder = landing / "practice_counts" / month
        folder.mkdir(parents=True, exist_ok=True)
        con.execute(f"copy ({counts}) to '{folder / f'practice_counts_{extract}.csv'}' (header)")
    seeds = out / "seeds"
    seeds.mkdir(exist_ok=True)
    con.execute(f"""copy (select practice_code, practice_name, ccg_code, '2013-04-01' as valid_from,
                    cast(null as varchar) as valid_to from practices) to '{seeds / 'practices.csv'}' (header)""")
    con.execute(f"""copy (select distinct ccg_code, 'CCG ' || ccg_code as ccg_name from practices order by 1)
                    to '{seeds / 'ccgs.csv'}' (header)""")
    # SPEC §9: today's geography, one sub-ICB location per CCG, seven regions' worth of ICBs.
    con.execute(f"""copy (select distinct ccg_code as sub_icb_code, 'E38' || lpad(ccg_code[1:3], 6, '0') as sub_icb_ons_code,
                    'Sub-ICB ' || ccg_code as sub_icb_name, 'Q' || lpad(cast(cast(ccg_code[1:3] as integer) % 42 as varchar), 2, '0')
                    as icb_code, 'E54' || lpad(cast(cast(ccg_code[1:3] as integer) % 42 as varchar), 6, '0') as icb_ons_code,
                    'ICB ' || cast(cast(ccg_code[1:3] as integer) % 42 as varchar) as icb_name,
                    'Y' || cast(60 + cast(ccg_code[1:3] as integer) % 42 % 7 as varchar) as region_code,
                    'E40' || lpad(cast(cast(ccg_code[1:3] as integer) % 42 % 7 as varchar), 6, '0') as region_ons_code,
                    'Region ' || cast(cast(ccg_code[1:3] as integer) % 42 % 7 as varchar) as region_name
                    from practices order by 1) to '{seeds / 'sub_icb_locations.csv'}' (header)""")
    con.execute(f"""copy (select practice_code, ccg_code as sub_icb_code, '2022-07-01' as valid_from,
                    cast(null as varchar) as valid_to from practices) to '{seeds / 'practice_sub_icb_locations.csv'}'
                    (header)""")
    # The release dataset: many rows per patient, numbers in mixed formats, some missing.
    con.execute(f"""
        copy (
            select
                'EP' || lpad(cast(r as varchar), 10, '0') as episode_id,
                case when {u('r', 'missing')} < 0.01 then null
                     when {u('r', 'spaced')} < 0.05
                     then substr(nhs_number, 1, 3) || ' ' || substr(nhs_number, 4, 3) || ' ' || substr(nhs_number, 7)
                     else nhs_number end as nhs_number,
                date '2017-01-01' + cast(floor({u('r', 'day')} * 365) as integer) as admission_date,
                ['I21.9', 'J18.9', 'K35.8', 'C50.9', 'S72.0'][cast(floor({u('r', 'diag')} * 5) as integer) + 1]
                    as diagnosis_code
            from range({n_release}) as t(r)
            inner join population
                on population.patient_id = cast(floor({u('r', 'patient')} * {n_registered}) as bigint)
        ) to '{out / 'release_dataset.parquet'}' (format parquet)
    """)
    facts = {"scale": scale, "practices": n_practices, "ccgs": n_ccgs, "registered": n_registered,
             "type2_patients": n_type2, "type2_pool": n_pool, "release_rows": n_release, "months": names}
    facts.update(count_rows(con, landing, names))
    (out / "facts.json").write_text(json.dumps(facts))
    return facts


def count_rows(con: duckdb.DuckDBPyConnection, landing: Path, names: list[str]) -> dict:
    facts = {}
    facts["code_rows"] = con.execute(
        f"select count(*) from read_csv('{landing}/opt_out_codes/**/*.csv', all_varchar = true, hive_partitioning = false)"
    ).fetchone()[0]
    first13 = [str(f) for m in names[:13] for f in sorted((landing / "opt_out_codes" / m).rglob("*.csv"))]
    facts["code_rows_13"] = con.execute(
        f"select count(*) from read_csv({first13!r}, all_varchar = true, hive_partitioning = false)").fetchone()[0]
    facts["code_files_per_month"] = sum(1 for _ in (landing / "opt_out_codes" / names[-1]).rglob("*.csv"))
    return facts


def generated(out: Path, scale: float, months: int) -> dict | None:
    """The facts of data generate() wrote to `out` earlier for this scale and month count, else None."""
    try:
        facts = json.loads((out / "facts.json").read_text())
    except (OSError, ValueError):
        return None
    return facts if facts.get("scale") == scale and len(facts.get("months", [])) == months else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", default="1", help="fraction of England, e.g. 1/16, 1/4, 1 (default 1)")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--release-rows", type=int, help="override the release dataset size")
    parser.add_argument("--months", type=int, default=MONTHS, help="monthly extracts to write (default 13)")
    args = parser.parse_args()
    facts = generate(parse_scale(args.scale), args.out, args.release_rows, months=args.months)
    print(facts)


if __name__ == "__main__":
    main()
