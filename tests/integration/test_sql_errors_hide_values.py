"""A failing SQL statement's error names the statement, never the values bound to it: its text is logged
and kept in a projection's fault record, and a row's values may be personal data (PIPL; SPEC §9)."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, StatementError

from application.infrastructure.settings import Settings
from projections.db import create_read_engine

SECRET = "张三丰-110101199003077777"


def test_an_sql_error_on_the_read_side_does_not_carry_the_values_bound_to_it(test_settings: Settings) -> None:
    engine = create_read_engine(test_settings)

    with pytest.raises((DBAPIError, StatementError)) as raised, engine.connect() as conn:
        conn.execute(text("INSERT INTO no_such_table (name) VALUES (:name)"), {"name": SECRET})

    engine.dispose()
    assert "no_such_table" in str(raised.value)
    assert SECRET not in str(raised.value)
