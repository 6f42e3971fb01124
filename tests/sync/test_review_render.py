"""The report's renderings: escaping, the SVG charts, the standalone page, periods and keys."""

from __future__ import annotations

import re
from datetime import date

import pytest

from followup.errors import InputError
from followup.store.report_model import PostMortemCompletion, ReportScope, WeekCount
from followup.sync.review.charts import completion_chart, weekly_chart
from followup.sync.review.markdown import bar, escape
from followup.sync.review.period import parse_since, period_of

TODAY = date(2026, 3, 18)


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("Fix the | pipe", "Fix the \\| pipe"),
        ("**bold** _it_ `code`", "\\*\\*bold\\*\\* \\_it\\_ \\`code\\`"),
        ("see #12", "see \\#12"),
        ("<b>html</b> & co", "\\<b\\>html\\</b\\> &amp; co"),
        ("[link](https://x.test)", "\\[link\\](https://x.test)"),
        ("ping @dana", "ping @\u2060dana"),
        ("two\nlines", "two lines"),
        ("back\\slash ~strike~", "back\\\\slash \\~strike\\~"),
    ],
)
def test_markdown_shows_titles_as_written(raw: str, shown: str) -> None:
    assert escape(raw) == shown


def test_a_text_bar_has_ten_cells() -> None:
    assert bar(0, 0) == "▱" * 10
    assert bar(1, 3) == "▰" * 3 + "▱" * 7
    assert bar(5, 5) == "▰" * 10


def _values(svg: str) -> list[str]:
    return re.findall(r'class="bar"[^>]*data-value="([^"]+)"', svg)


def test_the_weekly_chart_has_a_bar_per_week_with_its_number() -> None:
    weeks = [WeekCount(date(2026, 3, 2), 2), WeekCount(date(2026, 3, 9), 0)]
    weeks.append(WeekCount(date(2026, 3, 16), 5))
    svg = weekly_chart(weeks)
    assert svg.startswith('<svg class="chart weekly"') and svg.endswith("</svg>")
    assert _values(svg) == ["2", "0", "5"]
    assert "week of 2026-03-16: 5 closed" in svg
    heights = [float(h) for h in re.findall(r'class="bar"[^>]*height="([^"]+)"', svg)]
    assert heights[2] > heights[0] > heights[1] == 0
    assert "No item was closed" not in svg
    assert "No item was closed" in weekly_chart([WeekCount(date(2026, 3, 16), 0)])


def test_the_completion_chart_escapes_titles() -> None:
    pm = PostMortemCompletion("x", '<script>"boom"</script> & co', None, 4, 1, 3, 0, 0)
    svg = completion_chart([pm])
    assert "<script>" not in svg
    assert "&lt;script&gt;&quot;boom&quot;&lt;/script&gt; &amp; co" in svg
    assert _values(svg) == ["0.250"]


@pytest.mark.parametrize(
    ("text", "since"),
    [("7d", date(2026, 3, 12)), ("1d", TODAY), ("2w", date(2026, 3, 5))],
)
def test_since_counts_back_from_today(text: str, since: date) -> None:
    assert parse_since(text, TODAY) == since
    assert parse_since("2026-01-31", TODAY) == date(2026, 1, 31)


@pytest.mark.parametrize("text", ["soon", "-3d", "0w", "99999d", "2026-13-01", "2026-04-01"])
def test_bad_periods_are_refused(text: str) -> None:
    with pytest.raises(InputError, match="--since"):
        parse_since(text, TODAY)


def test_a_week_s_comment_is_kept_per_iso_week_and_scope() -> None:
    week = ReportScope(since=date(2026, 3, 12), until=TODAY)
    assert period_of(week, since_text="7d").key == "report:2026-W12"
    # Run again on Sunday: still the same week, so the same comment.
    sunday = ReportScope(since=date(2026, 3, 16), until=date(2026, 3, 22))
    assert period_of(sunday, since_text="7d").key == "report:2026-W12"
    monday = ReportScope(since=date(2026, 3, 17), until=date(2026, 3, 23))
    assert period_of(monday, since_text="1w").key == "report:2026-W13"
    scoped = ReportScope(
        since=date(2026, 3, 12), until=TODAY, postmortems=("b-pm", "a pm!"), owner="@Dana"
    )
    assert period_of(scoped, since_text="7d").key == "report:2026-W12:pm-a-pm+b-pm:owner-dana"


def test_other_lengths_keep_one_comment_per_block_of_days() -> None:
    first = ReportScope(since=date(2026, 3, 5), until=TODAY)
    later = ReportScope(since=date(2026, 3, 6), until=date(2026, 3, 19))
    assert period_of(first, since_text="14d").key == period_of(later, since_text="14d").key
    assert period_of(first, since_text="14d").key.endswith("+14d")
    dated = ReportScope(since=date(2026, 1, 1), until=TODAY)
    assert period_of(dated, since_text="2026-01-01").key == "report:since-2026-01-01"
