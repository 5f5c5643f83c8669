"""R1 as a property: the SQL macros agree with the plain Python reading of R1 on any text."""

from __future__ import annotations

import subprocess

import duckdb
import pytest
import reference
from hypothesis import given, settings
from hypothesis import strategies as st
from warehouse import DBT, PROJECT_DIR, Warehouse


@pytest.fixture(scope="module")
def r1_sql(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The compiled SQL of the R1 macros, as dbt renders them for DuckDB."""
    root = tmp_path_factory.mktemp("r1")
    result = subprocess.run(
        [DBT, "compile", "--target", "lint", "--quiet", "--target-path", str(root / "target"),
         "--log-path", str(root / "logs"), "--inline",
         "select candidate, {{ normalise_nhs_number('candidate') }} as normalised, "
         "{{ is_valid_nhs_number(normalise_nhs_number('candidate')) }} as is_valid from candidates"],
        cwd=PROJECT_DIR, env=Warehouse(root).env(), capture_output=True, text=True, check=True,
    )
    return result.stdout


formatted_numbers = st.builds(
    lambda body, sep, pad: pad + sep.join([body[:3], body[3:6], body[6:]]) + pad,
    st.text("0123456789", min_size=10, max_size=10).map(lambda s: "9" + s[1:]),
    # R1 removes every whitespace character and hyphen: Unicode spaces, line breaks, zero-width.
    st.sampled_from(["", " ", "-", "  ", "\t", "\u00a0", "\u2007", "\u202f", "\u3000", "\u2013", "\u200b"]),
    st.sampled_from(["", " ", "\t", "\r", "\n", "\r\n", "\u00a0", "\ufeff", "\u2028", "\x0b"]),
)
candidates = st.one_of(
    formatted_numbers,
    st.text("0123456789", min_size=8, max_size=12),
    st.text("0123456789 -O\t\r\n\u00a0\u3000\u2009\u200b\ufeff\u2212", max_size=14),
    st.text(max_size=12),
    st.sampled_from([str(d) * 10 for d in range(10)]),
)


@pytest.fixture(scope="module")
def con() -> duckdb.DuckDBPyConnection:
    with duckdb.connect() as connection:
        yield connection


# About 15,000 strings as 300 batches of up to 100: DuckDB plans the R1 expression once a
# query (~80 ms), so the strings come in few queries.
@settings(max_examples=300, deadline=None)
@given(batch=st.lists(candidates, min_size=1, max_size=100))
def test_sql_r1_matches_reference(con: duckdb.DuckDBPyConnection, r1_sql: str, batch: list[str]) -> None:
    # The batch as the relation `candidates`, in the same statement (one query per example).
    rows = con.execute("with candidates as (select unnest(?::varchar[]) as candidate) " + r1_sql, [batch]).fetchall()
    assert len(rows) == len(batch)
    for candidate, normalised, is_valid in rows:
        expected = reference.normalise_nhs_number(candidate)
        assert normalised == expected, repr(candidate)
        assert is_valid == reference.is_valid_nhs_number(expected), repr(candidate)


def test_reference_agrees_with_worked_examples() -> None:
    """Hand-worked Modulus 11 examples, so the reference itself is checked."""
    # 900000001: 9*10 + 1*2 = 92; 92 mod 11 = 4; 11 - 4 = 7.
    assert reference.is_valid_nhs_number("9000000017")
    # 999999998: 9*(10+...+3) + 8*2 = 484 = 44*11; 11 - 0 = 11 -> 0.
    assert reference.is_valid_nhs_number("9999999980")
    # 900000005: 90 + 10 = 100; 100 mod 11 = 1; 11 - 1 = 10 -> never valid.
    assert not any(reference.is_valid_nhs_number(f"900000005{d}") for d in range(10))
    assert not reference.is_valid_nhs_number("9999999999")
    assert not reference.is_valid_nhs_number("9000000018")
