"""The one date parser shared by documents and the prompt: dates.resolve(text, anchor)."""

from __future__ import annotations

from datetime import date

import pytest

from followup.postmortem import dates

# A Wednesday, in the middle of a quarter's second month.
ANCHOR = date(2025, 2, 12)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Calendar dates are exact.
        ("2025-03-31", date(2025, 3, 31)),
        ("2025/3/7", date(2025, 3, 7)),
        ("March 31, 2025", date(2025, 3, 31)),
        ("31 March 2025", date(2025, 3, 31)),
        ("31st of Mar 2025", date(2025, 3, 31)),
        ("Mar 31", date(2025, 3, 31)),
        ("Jan 5", date(2026, 1, 5)),  # already past at the anchor: next year's
        # Offsets from the anchor.
        ("+7", date(2025, 2, 19)),
        ("+ 14", date(2025, 2, 26)),
        ("+2w", date(2025, 2, 26)),
        ("3d", date(2025, 2, 15)),
        ("2w", date(2025, 2, 26)),
        ("1m", date(2025, 3, 12)),
        ("10 days", date(2025, 2, 22)),
        # Weekdays: the next one after the anchor.
        ("friday", date(2025, 2, 14)),
        ("Fri", date(2025, 2, 14)),
        ("next Friday", date(2025, 2, 14)),
        ("wednesday", date(2025, 2, 19)),
        ("Monday", date(2025, 2, 17)),
        ("today", ANCHOR),
        ("tomorrow", date(2025, 2, 13)),
        ("by tomorrow", date(2025, 2, 13)),
    ],
)
def test_exact_dates(text: str, expected: date) -> None:
    assert dates.resolve(text, ANCHOR) == (expected, False)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Q1", date(2025, 3, 31)),
        ("end of Q1", date(2025, 3, 31)),
        ("by the end of Q1", date(2025, 3, 31)),
        ("Q4", date(2025, 12, 31)),
        ("Q1 2026", date(2026, 3, 31)),
        ("2026-Q2", date(2026, 6, 30)),
        ("Q3 FY26", date(2026, 9, 30)),
        ("H2 2025", date(2025, 12, 31)),
        ("end of month", date(2025, 2, 28)),
        ("end of the month", date(2025, 2, 28)),
        ("EOM", date(2025, 2, 28)),
        ("next month", date(2025, 3, 31)),
        ("end of week", date(2025, 2, 14)),
        ("next week", date(2025, 2, 21)),
        ("end of quarter", date(2025, 3, 31)),
        ("next quarter", date(2025, 6, 30)),
        ("end of year", date(2025, 12, 31)),
        ("end of 2026", date(2026, 12, 31)),
        ("March", date(2025, 3, 31)),
        ("by March", date(2025, 3, 31)),
        ("January", date(2026, 1, 31)),  # January 2025 is over
        ("February", date(2025, 2, 28)),  # the anchor's own month has not ended
        ("mid-April", date(2025, 4, 15)),
        ("mid April", date(2025, 4, 15)),
        ("early May", date(2025, 5, 10)),
        ("late June", date(2025, 6, 25)),
        ("beginning of July", date(2025, 7, 1)),
        ("end of June 2026", date(2026, 6, 30)),
        ("this sprint", date(2025, 2, 26)),
        ("next sprint", date(2025, 3, 12)),
        ("in two weeks", date(2025, 2, 26)),
        ("in a week", date(2025, 2, 19)),
        ("within 10 days", date(2025, 2, 22)),
        ("in 3 months", date(2025, 5, 12)),
        ("due: in a couple of weeks", date(2025, 2, 26)),
    ],
)
def test_approximate_dates(text: str, expected: date) -> None:
    assert dates.resolve(text, ANCHOR) == (expected, True)


def test_sprints_are_two_weeks() -> None:
    assert dates.SPRINT_DAYS == 14
    start = date(2025, 6, 2)
    assert dates.resolve("next sprint", start) == (date(2025, 6, 30), True)


def test_quarter_and_month_roll_into_next_year_at_the_end_of_a_year() -> None:
    late = date(2025, 11, 20)
    assert dates.resolve("Q1", late) == (date(2026, 3, 31), True)
    assert dates.resolve("end of Q4", late) == (date(2025, 12, 31), True)
    assert dates.resolve("next quarter", late) == (date(2026, 3, 31), True)
    assert dates.resolve("next month", date(2025, 12, 3)) == (date(2026, 1, 31), True)


@pytest.mark.parametrize(
    "text",
    ["", "soon", "asap", "when possible", "2025-02-30", "Q5", "the cluster", "maybe", "+", "7"],
)
def test_what_is_not_a_date(text: str) -> None:
    assert dates.resolve(text, ANCHOR) is None


def test_relative_forms_need_an_anchor_absolute_ones_do_not() -> None:
    assert dates.resolve("+7", None) is None
    assert dates.resolve("next sprint", None) is None
    assert dates.resolve("Q1", None) is None
    assert dates.resolve("Q1 2026", None) == (date(2026, 3, 31), True)
    assert dates.resolve("2026-01-02", None) == (date(2026, 1, 2), False)


def test_words_that_look_like_months_or_days() -> None:
    assert dates.due_in_text("This may break the build") is None
    assert dates.due_in_text("Move the sun dial") is None
    assert dates.due_in_text("Rotate keys by May", ANCHOR) == dates.Due(
        "May", date(2025, 5, 31), True
    )


@pytest.mark.parametrize(
    ("text", "written", "when"),
    [
        ("Add a canary (due next sprint)", "next sprint", date(2025, 3, 12)),
        ("Add a canary by Friday", "Friday", date(2025, 2, 14)),
        ("Add a canary, due end of Q1, P2", "end of Q1", date(2025, 3, 31)),
        ("Add a canary before mid-April", "mid-April", date(2025, 4, 15)),
        ("Add a canary in two weeks", "in two weeks", date(2025, 2, 26)),
        ("Add a canary next week", "next week", date(2025, 2, 21)),
        ("Add a canary on Friday", None, None),  # "on" tells when, not by when
        ("Publish this week's numbers", None, None),
        ("Add a canary", None, None),
    ],
)
def test_deadlines_in_item_text(text: str, written: str | None, when: date | None) -> None:
    found = dates.due_in_text(text, ANCHOR)
    got = (found.text, found.date) if found else (None, None)
    assert got == (written, when)


def test_due_values_keep_what_they_cannot_read() -> None:
    assert dates.due_from_value("asap", ANCHOR) == dates.Due("asap", None, False)
    assert dates.due_from_value("TBD", ANCHOR) is None
    assert dates.due_from_value("next sprint", ANCHOR) == dates.Due(
        "next sprint", date(2025, 3, 12), True
    )
    assert dates.due_from_value("+7", ANCHOR) == dates.Due("+7", date(2025, 2, 19), False)


def test_windows_end_at_their_last_part() -> None:
    found = dates.due_from_heading("Long-term (Q4 2025 - Q1 2026)")
    assert found == dates.Due("Q4 2025 - Q1 2026", date(2026, 3, 31), True)
