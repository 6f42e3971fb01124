"""Owner, due date, priority, type, status and references read from one item's text."""

from __future__ import annotations

from datetime import date

import pytest

from followup.postmortem import ActionItem, Reference, RefKind, dates, fields, parse, refs, titles
from followup.postmortem.markdown import Inline, parse_inline


def inline_of(markdown: str) -> Inline:
    """Return the plain-text run of a one-item list."""
    return parse_inline(f"- {markdown}\n")


def only_item(markdown: str) -> ActionItem:
    items = parse(f"## Action items\n\n- {markdown}\n").items
    assert len(items) == 1
    return items[0]


@pytest.mark.parametrize(
    ("value", "owner"),
    [
        ("@dana", "dana"),
        ("dana", "dana"),
        ("  @Dana-Lee ", "Dana-Lee"),
        ("@alice, @bob", "alice"),
        ("Dana Smith", "Dana Smith"),
        ("kim (SRE)", "kim"),
        ("TBD", None),
        ("-", None),
        ("n/a", None),
        ("none", None),
        ("", None),
        ("**@sam**", "sam"),
    ],
)
def test_owner_from_value(value: str, owner: str | None) -> None:
    assert fields.owner_from_value(value) == owner


@pytest.mark.parametrize(
    ("markdown", "owner"),
    [
        ("Add alerts (@noor)", "noor"),
        ("Add alerts, owner: @noor", "noor"),
        ("Add alerts. Owner: noor", "noor"),
        ("Add alerts (Owner: Dana)", "Dana"),
        ("Add alerts — @noor", "noor"),
        ("Email ops@example.com about alerts", None),
        ("Pin `pkg@1.2` in the lockfile", None),
        ("Add alerts", None),
        ("Ask @octo/sre to review the alerts", "octo/sre"),
    ],
)
def test_owner_in_item_text(markdown: str, owner: str | None) -> None:
    assert only_item(markdown).owner == owner


@pytest.mark.parametrize(
    ("value", "due", "text"),
    [
        ("2026-05-30", date(2026, 5, 30), "2026-05-30"),
        ("May 30, 2026", date(2026, 5, 30), "May 30, 2026"),
        ("30 May 2026", date(2026, 5, 30), "30 May 2026"),
        ("30th of May 2026", date(2026, 5, 30), "30th of May 2026"),
        ("Sept 3 2026", date(2026, 9, 3), "Sept 3 2026"),
        ("Q3 2026", date(2026, 9, 30), "Q3 2026"),
        ("Q1 2026", date(2026, 3, 31), "Q1 2026"),
        ("2026 Q4", date(2026, 12, 31), "2026 Q4"),
        ("end of June 2026", date(2026, 6, 30), "end of June 2026"),
        ("February 2028", date(2028, 2, 29), "February 2028"),
        ("mid-March 2026", date(2026, 3, 15), "mid-March 2026"),
        ("H1 2027", date(2027, 6, 30), "H1 2027"),
        ("end of 2026", date(2026, 12, 31), "end of 2026"),
        ("Q4 2025 - Q1 2026", date(2026, 3, 31), "Q4 2025 - Q1 2026"),
        ("next sprint", None, "next sprint"),
    ],
)
def test_due_from_value(value: str, due: date | None, text: str) -> None:
    found = dates.due_from_value(value)
    assert found is not None
    assert (found.date, found.text) == (due, text)


@pytest.mark.parametrize("value", ["", "TBD", "-", "n/a"])
def test_due_from_value_empty(value: str) -> None:
    assert dates.due_from_value(value) is None


@pytest.mark.parametrize(
    ("text", "due_text"),
    [
        ("Rotate the keys by 2026-05-30", "2026-05-30"),
        ("Rotate the keys (due May 30, 2026)", "May 30, 2026"),
        ("Rotate the keys before 1 June 2026", "1 June 2026"),
        ("Rotate the keys in Q3 2026", "Q3 2026"),
        ("Rotate the keys (Q3 2026)", "Q3 2026"),
        ("Rotate the keys by the end of June 2026", "end of June 2026"),
        ("Rotate the keys rotated on 2024-01-02", None),
        ("Freeze deploys until 2026-05-30", None),
        ("Rotate the keys", None),
    ],
)
def test_due_in_free_text(text: str, due_text: str | None) -> None:
    found = dates.due_in_text(text)
    assert (found.text if found else None) == due_text


@pytest.mark.parametrize(
    ("value", "priority"),
    [
        ("P0", "P0"),
        ("p1", "P1"),
        ("P2", "P2"),
        ("P3", "P3"),
        ("P4", "P3"),
        ("critical", "P0"),
        ("Urgent", "P0"),
        ("HIGH", "P1"),
        ("high priority", "P1"),
        ("Medium", "P2"),
        ("med", "P2"),
        ("normal", "P2"),
        ("low", "P3"),
        ("Sev1", "P1"),
        ("whenever", None),
        ("", None),
    ],
)
def test_priority_from_value(value: str, priority: str | None) -> None:
    assert fields.priority_from_value(value) == priority


@pytest.mark.parametrize(
    ("markdown", "priority", "title"),
    [
        ("**HIGH** Cover downloads", "P1", "Cover downloads"),
        ("**MEDIUM**: Cover downloads", "P2", "Cover downloads"),
        ("HIGH Cover downloads", "P1", "Cover downloads"),
        ("P1: Cover downloads", "P1", "Cover downloads"),
        ("[P0] Cover downloads", "P0", "Cover downloads"),
        ("(P2) Cover downloads", "P2", "Cover downloads"),
        ("High priority: Cover downloads", "P1", "Cover downloads"),
        ("Cover downloads (P3)", "P3", "Cover downloads"),
        ("Cover downloads, P1", "P1", "Cover downloads"),
        ("High availability for the cache", None, "High availability for the cache"),
        ("Low-hanging fruit: retry budget", None, "Low-hanging fruit: retry budget"),
    ],
)
def test_priority_in_items(markdown: str, priority: str | None, title: str) -> None:
    item = only_item(markdown)
    assert (item.priority, item.title) == (priority, title)


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("prevent", "prevent"),
        ("Prevention", "prevent"),
        ("preventative", "prevent"),
        ("mitigate", "mitigate"),
        ("Mitigation", "mitigate"),
        ("detect", "detect"),
        ("Detection", "detect"),
        ("process", "process"),
        ("repair", "repair"),
        ("BinderHub", "BinderHub"),
        ("other", "other"),
        ("", None),
        ("TBD", None),
    ],
)
def test_type_from_value(value: str, kind: str | None) -> None:
    assert fields.type_from_value(value) == kind


@pytest.mark.parametrize(
    ("value", "done"),
    [
        ("Done", True),
        ("DONE", True),
        ("completed", True),
        ("Fixed", True),
        ("✅", True),
        ("yes", True),
        ("Open", False),
        ("In progress", False),
        ("TODO", False),
        ("", False),
    ],
)
def test_done_from_value(value: str, done: bool) -> None:
    assert fields.done_from_value(value) is done


@pytest.mark.parametrize(
    ("cells", "done"),
    [
        (["Fix it", "DONE"], True),
        (["Fix it", "Bug 12 **TODO**"], False),
        (["Fix it", "n/a"], None),
        (["Fix it", "done"], None),  # only the upper-case marker counts in free cells
    ],
)
def test_done_in_cells(cells: list[str], done: bool | None) -> None:
    assert fields.done_in_cells(cells) is done


@pytest.mark.parametrize(
    ("text", "pair"),
    [
        ("Owner: @mara", ("owner", "@mara")),
        ("assignee = li", ("owner", "li")),
        ("Due date: 2026-05-30", ("due", "2026-05-30")),
        ("Deadline: Q3 2026", ("due", "Q3 2026")),
        ("Priority: high", ("priority", "high")),
        ("Type: prevent", ("type", "prevent")),
        ("Status: done", ("status", "done")),
        ("Tracking: #12", ("ref", "#12")),
        ("Link: https://x.example", ("ref", "https://x.example")),
        ("Build a dashboard", None),
        ("Note: this is prose", None),
    ],
)
def test_detail(text: str, pair: tuple[str, str] | None) -> None:
    assert fields.detail(text) == pair


def test_inline_pairs_keep_commas_in_dates() -> None:
    assert fields.inline_pairs("Fix it (Owner: @al, Due: May 30, 2026; Priority: low)") == [
        ("owner", "@al"),
        ("due", "May 30, 2026"),
        ("priority", "low"),
    ]


@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        ("See #123", [Reference(RefKind.NUMBER, "#123", number=123)]),
        (
            "See octo/app#12",
            [Reference(RefKind.ISSUE, "octo/app#12", repo="octo/app", number=12)],
        ),
        (
            "[Issue](https://github.com/octo/app/issues/5)",
            [
                Reference(
                    RefKind.ISSUE,
                    "https://github.com/octo/app/issues/5",
                    url="https://github.com/octo/app/issues/5",
                    repo="octo/app",
                    number=5,
                )
            ],
        ),
        (
            "fixed in https://github.com/octo/app/pull/9.",
            [
                Reference(
                    RefKind.PULL,
                    "https://github.com/octo/app/pull/9",
                    url="https://github.com/octo/app/pull/9",
                    repo="octo/app",
                    number=9,
                )
            ],
        ),
        (
            "<https://linear.example/T-1>",
            [
                Reference(
                    RefKind.URL, "https://linear.example/T-1", url="https://linear.example/T-1"
                )
            ],
        ),
        ("See [the doc](./doc.md) and issue-42", []),
        ("Use C# for #3", [Reference(RefKind.NUMBER, "#3", number=3)]),
        ("`#99` is a code span", []),
    ],
)
def test_references(markdown: str, expected: list[Reference]) -> None:
    assert refs.references(inline_of(markdown)) == expected


def test_reference_style_link_is_resolved() -> None:
    inline = parse_inline("- Add alerts [jira][j]\n\n[j]: https://jira.example.com/browse/OPS-1\n")
    assert [r.url for r in refs.references(inline)] == ["https://jira.example.com/browse/OPS-1"]


def test_tracker_keys_count_only_where_asked() -> None:
    inline = inline_of("OPS-12 and Bug 55")
    assert refs.references(inline) == []
    assert [r.text for r in refs.references(inline, keys=True)] == ["OPS-12"]
    assert [r.text for r in refs.references(inline_of("Bug 55 TODO"), keys=True)] == ["Bug 55"]


@pytest.mark.parametrize(
    ("markdown", "only"),
    [
        ("https://github.com/octo/app/pull/1", True),
        ("[PR](https://github.com/octo/app/pull/1)", True),
        ("see #12", True),
        ("Tracking: octo/app#3", True),
        ("[Design doc](https://docs.example.com/d)", True),
        ("Build a dashboard, see #12", False),
        ("Build a dashboard", False),
    ],
)
def test_is_reference_only(markdown: str, only: bool) -> None:
    assert refs.is_reference_only(inline_of(markdown)) is only


@pytest.mark.parametrize(
    ("markdown", "title", "done"),
    [
        ("\\[x] Ship it", "Ship it", True),
        ("[] Ship it", "Ship it", False),
        ("✅ Ship it", "Ship it", True),
        ("✔️ Ship it", "Ship it", True),
        ("DONE: Ship it", "Ship it", True),
        ("TODO Ship it", "Ship it", False),
        ("Ship it (done)", "Ship it", True),
        ("Ship it (#123)", "Ship it", None),
        ("Ship it (@kai)", "Ship it", None),
        ("Ship it [jira](https://jira.example.com/browse/A-1)", "Ship it", None),
        ("Ship it ([Issue](https://github.com/o/r/issues/1))", "Ship it", None),
        ("[Ship it (#1094)](https://github.com/o/r/pull/1094)", "Ship it", None),
        ("Ship it https://example.com/x", "Ship it", None),
        ("Ship **the** `fix` *now*", "Ship the fix now", None),
        (
            "Ship it (multi-node, image registry, etc)",
            "Ship it (multi-node, image registry, etc)",
            None,
        ),
        ("Create dashboard  for probes", "Create dashboard  for probes", None),
        ("Add an alert (@dana) P1, due 2026-04-01", "Add an alert", None),
        ("Rotate the leaked key — @lee, by May 3, 2026", "Rotate the leaked key", None),
        ("Add a failover runbook @sam due: 2026-05-30 #123", "Add a failover runbook", None),
        ("Upgrade the cluster before 2026-06-01", "Upgrade the cluster", None),
        ("Archive the logs, 2026-06-01", "Archive the logs", None),
        ("Review incidents since 2025-01-01", "Review incidents since 2025-01-01", None),
        ("Keep p99 latency low", "Keep p99 latency low", None),
        ("Raise the worker pool limit, see #8", "Raise the worker pool limit", None),
        ("Read what others see", "Read what others see", None),
        ("Move to HTTP/2", "Move to HTTP/2", None),
    ],
)
def test_title_cleaning(markdown: str, title: str, done: bool | None) -> None:
    cleaned = titles.clean(inline_of(markdown))
    assert (cleaned.text, cleaned.done) == (title, done)


def test_long_titles_are_cut_to_a_label_sentence_or_clause() -> None:
    words = "with a long explanation that goes on and on about why this matters so much " * 2
    label = titles.clean(inline_of(f"**Circuit breakers**: {words}"))
    assert label.text == "Circuit breakers"
    sentence = titles.clean(inline_of(f"Write the deploy checklist. Then {words}"))
    assert sentence.text == "Write the deploy checklist."
    clause = titles.clean(inline_of(f"Test every SDK release on the CDN - {words}"))
    assert clause.text == "Test every SDK release on the CDN"
    short = titles.clean(inline_of("Protect gh-pages branch. Don't allow deletion."))
    assert short.text == "Protect gh-pages branch. Don't allow deletion."
