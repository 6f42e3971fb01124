"""The one reading of a typed due date, shared by `followup due`, the TUI and a sync."""

from __future__ import annotations

from datetime import date

import pytest

from followup.dates_input import BadDate, read_due
from followup.errors import InputError

TODAY = date(2026, 11, 21)  # a Saturday


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-15", date(2026, 12, 15)),
        ("+7", date(2026, 11, 28)),
        ("+14", date(2026, 12, 5)),
        ("+ 3 days", date(2026, 11, 24)),
        ("2w", date(2026, 12, 5)),
        ("10d", date(2026, 12, 1)),
        ("1 December 2026", date(2026, 12, 1)),
        ("  Dec 1,   2026 ", date(2026, 12, 1)),
        ("end of Q1 2027", date(2027, 3, 31)),
        # Relative to today, as the help and the README promise.
        ("friday", date(2026, 11, 27)),
        ("end of Q1", date(2027, 3, 31)),
        ("in two weeks", date(2026, 12, 5)),
    ],
)
def test_the_forms_people_type_are_read_from_today(text: str, expected: date) -> None:
    assert read_due(text, TODAY) == expected


def test_nothing_typed_means_no_due_date() -> None:
    assert read_due("", TODAY) is None
    assert read_due("   ", TODAY) is None


@pytest.mark.parametrize("text", ["someday", "2026-13-01", "+", "7", "soon-ish 2026-12"])
def test_anything_else_is_one_line_that_names_the_forms(text: str) -> None:
    with pytest.raises(BadDate) as caught:
        read_due(text, TODAY)
    message = str(caught.value)
    assert (
        message
        == f"not a date: {' '.join(text.split())!r} (use YYYY-MM-DD, +7, 2w, friday, end of Q1)"
    )
    # The CLI reports it as bad input (exit 2); the TUI's prompt as a refused value.
    assert isinstance(caught.value, InputError) and isinstance(caught.value, ValueError)
