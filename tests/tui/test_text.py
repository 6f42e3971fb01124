"""The pure helpers behind the screens: marks in Markdown, cells, dates, previews."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from followup.github.issue_mapping import NewIssue
from followup.github.protection_mapping import DiffRow
from followup.store.forget import FiledItem, Forgettable
from followup.sync.filing import FilingPlan, PlannedItem
from followup.sync.protect import ProtectionPlan
from followup.tui import timefmt
from followup.tui.annotate import annotate, fence_front_matter, item_markdown
from followup.tui.edits import parse_due, validate_login
from followup.tui.outcomes import forgot, plural
from followup.tui.previews import (
    filing_headline,
    filing_preview,
    protection_headline,
    protection_preview,
)
from followup.tui.sorting import Sort, SortKey
from followup.tui.widgets.bars import completion_bar, percent
from followup.tui.widgets.table_layout import fit, header_label, layout, sort_marks

DOC = """---
title: x
---
# x

| Action | Owner |
| --- | --- |
| Protect main | @dana |

- [ ] Add an alert (@lee)
"""


def test_marks_go_at_the_start_of_a_table_row_and_the_end_of_other_lines() -> None:
    text = annotate(DOC, {8: "○ open · abc1234", 10: "✔ done · def5678", 99: "ignored"})
    lines = text.split("\n")
    assert lines[7] == "| `○ open · abc1234` Protect main | @dana |"
    assert lines[9] == "- [ ] Add an alert (@lee) `✔ done · def5678`"
    assert lines[0] == "```yaml" and lines[2] == "```"


def test_front_matter_without_an_end_is_left_alone() -> None:
    assert fence_front_matter("---\ntitle: x\n# no end") == "---\ntitle: x\n# no end"
    assert fence_front_matter("+++\ntitle = 'x'\n+++\n# y").startswith("```toml\n")
    assert fence_front_matter("# plain") == "# plain"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", None),
        ("2020-02-01", date(2020, 2, 1)),
        ("+3", date(2020, 1, 18)),
        ("+10 days", date(2020, 1, 25)),
        (" +1d ", date(2020, 1, 16)),
    ],
)
def test_due_dates_are_a_date_or_days_from_today(text: str, expected: date | None) -> None:
    assert parse_due(text, date(2020, 1, 15)) == expected


def test_a_due_date_that_is_not_one_says_how_to_write_it() -> None:
    with pytest.raises(ValueError, match=r"^not a date: 'someday' \(use YYYY-MM-DD, \+7, 2w"):
        parse_due("someday", date(2020, 1, 15))


@pytest.mark.parametrize("login", ["", "dana", "@dana", "octo-cat", "a" * 39])
def test_logins_that_github_allows(login: str) -> None:
    assert validate_login(login) is None


@pytest.mark.parametrize("login", ["dana lee", "-dana", "dana-", "do--ble", "a" * 40, "é"])
def test_logins_that_github_refuses(login: str) -> None:
    assert validate_login(login) == f"{login!r} is not a GitHub login"


def test_cells_are_cut_with_an_ellipsis_keeping_the_end_when_asked() -> None:
    assert fit("abc", 5) == "abc  "
    assert fit("abcdef", 4) == "abc…"
    assert fit("octo-org/followup-scratch#12", 10, keep_end=True) == "…cratch#12"
    assert fit("日本語の題", 5) == "日本…"  # wide characters count two cells


def test_narrow_tables_drop_columns_before_squeezing_the_title() -> None:
    wide = [c.key for c, _ in layout(160)]
    assert wide == [
        "status",
        "id",
        "title",
        "owner",
        "priority",
        "due",
        "postmortem",
        "target",
        "synced",
    ]
    narrow = layout(80)
    assert [c.key for c, _ in narrow] == ["status", "id", "title", "owner", "priority", "due"]
    title_width = {c.key: w for c, w in narrow}["title"]
    assert title_width >= 16
    assert sum(w for _, w in narrow) + len(narrow) == 80
    tiny = [c.key for c, _ in layout(50)]
    assert "title" in tiny and "owner" not in tiny


def test_times_show_the_hour_today_the_day_this_year_else_the_date() -> None:
    today = date(2020, 1, 15)
    at = datetime(2020, 1, 15, 8, 5)  # naive: the store keeps UTC
    assert timefmt.short(at, today) == timefmt.local(at).strftime("%H:%M")
    assert timefmt.short(None, today) == ""
    earlier = datetime(2019, 6, 1, tzinfo=UTC)
    assert timefmt.short(earlier, today) == "2019-06-01"
    assert timefmt.local(at).tzinfo is not None
    assert timefmt.local(at) - timefmt.local(at.replace(tzinfo=UTC)) == timedelta(0)


def test_bars_show_any_progress_and_fill_only_when_finished() -> None:
    assert completion_bar(0, 0, 4).plain == "░░░░"
    assert completion_bar(1, 100, 4).plain == "█░░░"
    assert completion_bar(99, 100, 4).plain == "███░"
    assert completion_bar(3, 3, 4).plain == "████"
    assert percent(1, 3) == "33%" and percent(0, 0) == "—"


def test_a_filing_preview_lists_each_action_and_the_labels() -> None:
    plan = FilingPlan(
        items=(
            PlannedItem(
                "abc1234",
                "Add an alert",
                "pm",
                "octo/app",
                "create",
                "new issue",
                issue=NewIssue("Add an alert", "body", ("followup",), ("lee",)),
            ),
            PlannedItem(
                "def5678", "Fix retries", "pm", "octo/app", "link", "named", target="octo/app#3"
            ),
            PlannedItem("ghi9012", "Old thing", "pm", None, "skip", "already done"),
        ),
        checked_github=True,
    )
    assert filing_headline(plan) == "Filing will create 1 issue and link 1 item to existing issues"
    text = filing_preview(plan).plain
    assert "+ create  abc1234  Add an alert" in text
    assert "octo/app · labels followup · assign @lee" in text
    assert "= link    def5678  Fix retries" in text and "octo/app#3" in text
    assert "· skip    ghi9012  Old thing" in text and "already done" in text
    assert filing_headline(FilingPlan(items=(), checked_github=False)) == "Nothing to file"


def test_a_protection_preview_is_a_diff() -> None:
    plan = ProtectionPlan(
        item_id="abc1234",
        title="Protect gh-pages",
        status="open",
        repo="octo/site",
        branch="gh-pages",
        requested={"allow_deletions": False},
        method="classic",
        rows=(DiffRow("allow_deletions", True, False), DiffRow("lock_branch", False, False)),
    )
    failed = ProtectionPlan("def5678", "x", "open", None, "main", {}, error="no repository")
    text = protection_preview([plan, failed]).plain
    assert "octo/site:gh-pages  abc1234 · classic" in text
    assert "- allow deletions: yes\n+ allow deletions: no" in text
    assert "  lock branch (read-only): no" in text
    assert "✘ no repository" in text
    assert protection_headline([plan, failed]) == "Protection will change 1 branch"
    assert protection_headline([failed]) == "Nothing to change"


def test_a_table_row_item_reads_as_its_header_names_and_cells() -> None:
    row = "| Protect main | @dana |"
    assert item_markdown(row, DOC, 8) == "- **Action**: Protect main\n- **Owner**: @dana"
    escaped = "| Split a \\| b | |"
    assert item_markdown(escaped, DOC.replace(row, escaped), 8) == "- **Action**: Split a \\| b"
    assert item_markdown("- [ ] Add an alert (@lee)", DOC, 10) == "- [ ] Add an alert (@lee)"
    # A row without a header above it stays as it is.
    assert item_markdown("| a |", "| a |", 1) == "| a |"


def test_counts_read_as_english() -> None:
    assert [plural(n, "item") for n in (0, 1, 2)] == ["0 items", "1 item", "2 items"]
    assert plural(3, "branch") == "3 branches"


def test_sort_marks_number_the_keys_only_when_there_are_several() -> None:
    assert sort_marks(Sort.of("due")) == {"due": "▲"}
    marks = sort_marks(Sort((SortKey("overdue"), SortKey("priority"), SortKey("due", True))))
    assert marks == {"due": "!▲1 ▼3", "priority": "▲2"}


def test_a_header_keeps_its_sort_mark_when_the_label_does_not_fit() -> None:
    assert header_label("Due", "!▲1 ▼3", 12) == "Due !▲1 ▼3  "
    assert header_label("Pri", "▲2", 3) == "P▲2"
    assert header_label("Pri", "", 3) == "Pri"
    assert header_label("Pri", "!▲1 ▼3", 3) == "!▲…"


def test_forgetting_names_issues_that_stay_and_items_that_may_have_one() -> None:
    kept = FiledItem("a1", "Add a canary", "octo/app", 7, "https://github.com/octo/app/issues/7")
    plain = Forgettable("pm", "PM", "pm.md", 3, (kept,))
    outcome = forgot([plain])
    assert outcome.severity == "information"
    assert "1 GitHub issue stay on GitHub (octo/app#7)" in outcome.summary
    assert [r.item_id for r in outcome.results] == ["a1"]

    stopped = Forgettable("pm", "PM", "pm.md", 3, (kept,), unconfirmed=("b2",))
    outcome = forgot([stopped])
    assert outcome.severity == "warning"
    assert outcome.summary.endswith("1 item may have an issue on GitHub")
    assert [r.item_id for r in outcome.results] == ["a1", "b2"]
    assert "GitHub may have one" in outcome.results[1].message
