"""Formats real post-mortems use for action items, and the near-misses that are not items."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from followup.postmortem import ActionItem, Kind, PostMortem, RefKind, parse, read

FIXTURES = Path(__file__).parent / "fixtures"


def load(name: str) -> PostMortem:
    return read(FIXTURES / name)


def titles(items: tuple[ActionItem, ...]) -> list[str]:
    return [item.title for item in items]


def test_sections_named_by_intent() -> None:
    pm = load("intent-sections.md")
    assert titles(pm.items) == [
        "Time out a canary that has not reported after ten minutes",
        "Page the deploy captain when a rollout waits for more than an hour",
        "Add a health check to canary hosts before they join the pool",
        "Write down how to evict a wedged canary",
    ]
    assert not any(item.suggested for item in pm.items)


def test_intent_heading_without_a_list_is_prose() -> None:
    pm = parse(
        "# Blip\n\n## Improving our culture\n\nWe talked about how it felt.\n\n"
        "## Improving our alerts\n\n- Page on queue depth\n"
    )
    assert titles(pm.items) == ["Page on queue depth"]


@pytest.mark.parametrize(
    "section",
    [
        "Timeline",
        "Lessons learned",
        "Recovery steps",
        "Root cause",
        "Contributing factors",
        "Impact",
    ],
)
def test_imperative_entries_in_excluded_sections_are_not_items(section: str) -> None:
    pm = parse(f"# Blip\n\n## {section}\n\n1. Restart the controller\n2. Add the host back\n")
    assert pm.items == ()


def test_one_subheading_per_item() -> None:
    pm = load("subheading-items.md")
    alert, scale, rehearse = pm.items
    assert (alert.title, alert.owner, alert.type) == ("Add a queue-depth alert", "kim", "detect")
    assert "10,000 messages" in alert.text
    assert alert.line == 9
    assert (scale.owner, scale.type, scale.due) == ("lars", "mitigate", date(2025, 6, 30))
    assert (rehearse.title, rehearse.owner, rehearse.priority, rehearse.type) == (
        "Rehearse a sale-day load test",
        "noor",
        "P1",
        None,
    )


def test_category_subheadings_still_group_their_lists() -> None:
    pm = parse("## Action items\n\n### Add more alerting\n\n- Page on errors\n- Page on latency\n")
    assert [(i.title, i.type) for i in pm.items] == [
        ("Page on errors", "Add more alerting"),
        ("Page on latency", "Add more alerting"),
    ]


def test_labelled_paragraphs_anywhere_even_under_lessons() -> None:
    pm = load("labelled-paragraphs.md")
    assert [(i.title, i.owner) for i in pm.items] == [
        ("Add the status page to the certificate inventory", "ines"),
        ("Alert thirty days before any certificate expires.", None),
        ("Move the status page to automatic renewal", "ines"),
        ("Document the manual renewal steps in the runbook.", None),
    ]
    # "10:20 Action: renewed the certificate by hand." is a timeline entry, and
    # "TODO: fill in the timeline above." is a note about the report itself.
    assert not any("renewed" in t or "timeline" in t for t in titles(pm.items))


def test_plain_lines_under_an_action_heading() -> None:
    pm = load("plain-lines.md")
    tested, rollback, paged = pm.items
    assert tested.title == "The schema change was not tested against a copy of production data."
    assert [r.number for r in tested.references] == [88]
    assert not tested.done
    assert rollback.done and rollback.references == ()
    assert paged.title.startswith("Nobody was paged") and paged.done
    # The floated idea weighed against itself, and "None this time.", are no items.
    assert len(pm.items) == 3


def test_a_written_account_under_an_action_heading_gives_only_its_promises() -> None:
    story = " ".join(["The old cluster ran out of connections while the new one waited."] * 8)
    pm = parse(f"# Outage\n\n## Remediation\n\n{story}\n\nWe will add a connection-count alert.\n")
    assert [(i.title, i.suggested) for i in pm.items] == [("Add a connection-count alert", True)]


def test_lists_of_links_to_issues() -> None:
    pm = load("issue-links.md")
    drill, skipped, paging, keep = pm.items
    assert drill.title == "Nightly restore drill"
    assert [(r.kind, r.number) for r in drill.references] == [(RefKind.ISSUE, 77)]
    assert skipped.title == "Alert when a backup job is skipped"
    assert [(r.kind, r.number) for r in skipped.references] == [(RefKind.ISSUE, 482)]
    assert (paging.title, paging.done) == ("Make backup failures page the on-call engineer", True)
    assert paging.references[0].url == "https://tracker.example.com/browse/OPS-7"
    assert (keep.title, keep.done) == ("Keep thirty days of backups", False)


def test_owners_written_many_ways() -> None:
    pm = load("owners.md")
    assert [(i.title, i.owner) for i in pm.items] == [
        ("Add a second resolver pool in each region", "SRE"),
        ("Cap client retries at the load balancer", "Infra"),
        ("Rate-limit zone transfers", "Jane Doe"),
        ("Alert on resolver saturation", "jane"),
        ("Move service discovery off DNS TTLs", "marco"),
        ("Write the resolver capacity runbook", "priya"),
        ("Review every client's DNS cache settings", "Omar"),
        ("Load test the resolvers", "lee"),
        ("Remove the legacy resolver", "Sam Park"),
        ("Audit DNS TTLs across services", "ana"),
        ("Publish resolver dashboards", "kofi"),
    ]


def test_trailing_metadata_is_parsed_and_relative_dates_resolve_against_the_incident() -> None:
    pm = load("owners.md")
    assert pm.date == date(2025, 1, 15)
    move = pm.items[4]
    assert (move.priority, move.due, move.due_text, move.due_approximate) == (
        "P2",
        date(2025, 3, 31),
        "end of Q1",
        True,
    )
    load_test, remove = pm.items[7:9]
    assert (load_test.due, load_test.due_approximate) == (date(2025, 2, 12), True)
    assert (remove.due, remove.due_approximate) == (date(2025, 1, 29), True)


def test_relative_dates_without_an_incident_date_stay_unresolved() -> None:
    pm = parse("## Action items\n\n- Add a canary (due next sprint)\n")
    (item,) = pm.items
    assert (item.title, item.due, item.due_text) == ("Add a canary", None, "next sprint")
    assert not pm.warnings


def test_incident_date_from_a_date_line() -> None:
    pm = parse("# Blip\n\nDate: 2024-11-04\n\n## Action items\n\n- Add a canary by end of month\n")
    assert pm.date == date(2024, 11, 4)
    assert pm.items[0].due == date(2024, 11, 30)


def test_protection_phrasings_with_trailing_metadata() -> None:
    pm = load("protection-tails.md")
    checks, admins, reviews, test = pm.items
    assert checks.protection is not None
    assert (checks.protection.branch, checks.protection.contexts) == ("main", ("ci/integration",))
    assert (checks.owner, checks.priority) == ("priya", "P2")
    assert admins.protection is not None
    assert (admins.protection.branch, admins.protection.requested()) == (
        "main",
        {"enforce_admins": True},
    )
    assert reviews.protection is not None
    assert reviews.protection.requested() == {"required_approving_review_count": 2}
    assert (reviews.owner, reviews.due) == ("dana", date(2025, 4, 1))
    assert test.kind is Kind.ISSUE and (test.owner, test.priority) == ("sam", "P1")
    assert all(i.protection is None or i.protection.repo == "example-org/api" for i in pm.items)


def test_commitments_in_prose_are_suggestions() -> None:
    pm = load("prose-commitments.md")
    assert [(i.title, i.suggested) for i in pm.items] == [
        ("Add an alert on login latency above two seconds", True),
        ("Compare connection limits before every data store migration", True),
        ("Explore a managed session store", True),
    ]
    assert pm.explicit_items == ()
    assert len(pm.suggested_items) == 3


@pytest.mark.parametrize(
    "sentence",
    [
        "We added a retry budget to the client.",
        "We have already raised the limit.",
        "You should always compare connection limits.",
        "Users will see a banner during maintenance.",
        "We could also shard sessions by region.",
        "We will publish an update to this post when the work is done.",
        "We will continue to monitor the cluster.",
        "If the alert is noisy, we will tune it.",
        "We will be fine.",
        "Will we add more alerts?",
    ],
)
def test_sentences_that_are_no_commitment(sentence: str) -> None:
    pm = parse(f"# Blip\n\n## Summary\n\nThe queue stalled. {sentence}\n")
    assert pm.items == ()


def test_promises_in_lessons_or_the_story_are_not_suggestions() -> None:
    pm = parse(
        "# Blip\n\n## Lessons learned\n\nWe will need better load tests.\n\n"
        "## What happened\n\nAt 10:00 we decided we will roll back.\n"
    )
    assert pm.items == ()


def test_a_suggestion_restating_an_item_is_dropped() -> None:
    pm = parse(
        "# Blip\n\n## Summary\n\nWe will add an alert on queue depth.\n\n"
        "## Action items\n\n- Add an alert on queue depth\n"
    )
    assert [(i.title, i.suggested) for i in pm.items] == [("Add an alert on queue depth", False)]


def test_template_leftovers_are_not_items() -> None:
    pm = load("template-leftovers.md")
    assert titles(pm.items) == [
        "Review storage quotas every month",
        "Alert at 80% of every storage quota",
        "Raise the upload quota to 2 TB",
        "Alert when a pool is 80% full",
    ]


def test_sub_entries_that_explain_are_not_sub_items() -> None:
    pm = parse(
        "## Action items\n\n- Add a canary stage\n  - This would have caught the bad config.\n"
        "  - Page the owner when it fails\n"
    )
    assert [(i.title, i.parent) for i in pm.items] == [
        ("Add a canary stage", None),
        ("Page the owner when it fails", "Add a canary stage"),
    ]


def test_struck_through_entries_are_done() -> None:
    pm = parse("## Action items\n\n- ~~Add a canary stage~~\n- Page the owner\n")
    assert [(i.title, i.done) for i in pm.items] == [
        ("Add a canary stage", True),
        ("Page the owner", False),
    ]


def test_a_title_heading_is_not_an_action_section() -> None:
    pm = parse("# Follow-up: the database outage\n\nA summary.\n\n## Summary\n\n- Short\n")
    assert pm.items == ()
    assert pm.title == "Follow-up: the database outage"
    single = parse("# Action items\n\n- Add a canary\n")
    assert titles(single.items) == ["Add a canary"]


def test_quoted_mail_in_html_is_not_read() -> None:
    pm = parse(
        "# Blip\n\n## Notes\n\n<blockquote>\n\nWe will fix your volumes soon.\n\n</blockquote>\n\n"
        "We will add a volume alert.\n"
    )
    assert titles(pm.items) == ["Add a volume alert"]
