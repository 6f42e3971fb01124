"""The reader on whole documents: the fixtures cover the formats seen in real post-mortems."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from followup.postmortem import ActionItem, Kind, PostMortem, RefKind, parse, read

FIXTURES = Path(__file__).parent / "fixtures"


def load(name: str, default_repo: str | None = None) -> PostMortem:
    return read(FIXTURES / name, default_repo=default_repo)


def titles(pm: PostMortem) -> list[str]:
    return [item.title for item in pm.items]


def by_title(pm: PostMortem, start: str) -> ActionItem:
    found = [item for item in pm.items if item.title.startswith(start)]
    assert len(found) == 1, (start, titles(pm))
    return found[0]


def source_line(pm: PostMortem, line: int) -> str:
    return pm.source.split("\n")[line - 1]


def test_google_table_reads_columns_and_done_todo_in_any_cell() -> None:
    pm = load("google-table.md")
    assert titles(pm) == [
        "Remove the --fast flag from the drain script",
        "Alert when p99 checkout latency exceeds 5 s",
        "Add a cache node of headroom per region",
        "Rehearse a cache drain during the next game day",
        "Write the drain runbook",
        "Review cache sizing with finance",
    ]
    first, alert, headroom, rehearse, runbook, sizing = pm.items
    assert (first.type, first.owner, first.done) == ("prevent", "kim", True)
    assert first.references[0].url == "https://tracker.example.com/browse/PAY-101"
    assert first.references[0].kind is RefKind.URL
    assert (alert.type, alert.owner, alert.done) == ("detect", "ravi", False)
    assert [r.text for r in alert.references] == ["Bug 772310"]
    assert headroom.owner is None  # TBD
    assert rehearse.owner == "ops-lead"
    assert rehearse.done is False
    assert (runbook.priority, runbook.due, runbook.done) == ("P1", date(2024, 4, 15), True)
    assert (sizing.priority, sizing.due, sizing.due_text) == ("P3", date(2024, 9, 30), "Q3 2024")
    assert sizing.owner is None and sizing.done is False
    assert first.text.startswith("| Remove the `--fast` flag")
    assert source_line(pm, first.line).startswith("| Remove the `--fast` flag")


def test_table_sections_other_than_actions_give_nothing() -> None:
    pm = load("google-table.md")
    assert not any("alert on p99" in t or "Traffic shifted" in t for t in titles(pm))


def test_priority_prefixes_are_read_and_removed() -> None:
    pm = load("priority-bullets.md")
    assert [(i.title, i.priority) for i in pm.items] == [
        ("Cover downloads in the staging smoke test", "P1"),
        ("Automate the staging smoke test end to end", "P2"),
        ("Write down which changes need a second reviewer", "P3"),
        ("Page the release captain when downloads fail on staging", "P1"),
        ("Keep a known-good build ready for rollback", "P1"),
    ]


def test_numbered_lists_under_component_subheadings() -> None:
    pm = load("component-numbered.md")
    assert titles(pm) == [
        "Retry server start-up when the hub answers slowly instead of redirecting straight away.",
        "Add an end-to-end launch test that gates each deploy.",
        "Document who does what during a deploy. Include the rule that staging errors block "
        "the release.",
        "Ship smaller deploys more often.",
    ]
    retry, gate, roles, smaller = pm.items
    assert retry.type == "Launcher"
    assert gate.type == roles.type == "Deployment"
    assert smaller.type == "prevent"  # a "Prevention" subheading names a known type
    ref = gate.references[0]
    assert (ref.kind, ref.repo, ref.number) == (RefKind.ISSUE, "example-org/deploy", 7)
    assert retry.line == 29
    assert "[Issue](https://github.com/example-org/launcher/issues/41)" in retry.text


def test_timeline_and_conclusion_lists_are_not_items() -> None:
    pm = load("component-numbered.md")
    assert not any("disks" in t or "registry credentials" in t for t in titles(pm))
    assert not any("Staging" in t for t in titles(pm))


def test_checklists_and_check_marks_set_done() -> None:
    pm = load("checklist.md")
    assert [(i.title, i.done) for i in pm.items] == [
        ("Add a timeout to the rebuild's table lock", True),
        ("Alert when the index is more than six hours old", False),
        ("Move the rebuild off the primary database", True),
        ("Drop the unused legacy index", True),
        ("Review lock ordering in the indexer", False),
    ]
    assert pm.items[0].owner == "noor"
    assert pm.items[4].owner == "sam"
    assert [(r.kind, r.number) for r in pm.items[1].references] == [(RefKind.NUMBER, 212)]


def test_meta_checklist_under_its_own_heading_is_not_an_item() -> None:
    pm = load("checklist.md")
    assert not any("Follow-up meetings" in t or "Issues are filed" in t for t in titles(pm))
    assert len(pm.items) == 5


def test_nested_details_references_and_sub_items() -> None:
    pm = load("nested.md")
    assert titles(pm) == [
        "Stagger consumer restarts during deploys",
        "Improve visibility of queue depth",
        "Build a queue-depth dashboard",
        "Alert when the backlog grows for ten minutes",
        "Document the replay procedure",
    ]
    stagger, visibility, dashboard, alert, replay = pm.items
    assert stagger.owner == "mara"
    assert (stagger.due, stagger.due_text) == (date(2026, 5, 30), "May 30, 2026")
    assert (stagger.priority, stagger.type) == ("P1", "prevent")
    ref = stagger.references[0]
    assert (ref.kind, ref.repo, ref.number) == (RefKind.ISSUE, "example-org/queue", 31)
    assert "Owner: @mara" in stagger.text  # the details stay in the item's source
    assert [r.kind for r in visibility.references] == [RefKind.PULL]
    assert dashboard.parent == alert.parent == "Improve visibility of queue depth"
    assert alert.owner == "li"
    assert visibility.parent is None
    assert replay.done is True
    assert replay.references[0].url == "https://wiki.example.com/replay"


def test_contributing_factors_with_sub_bullets_give_nothing() -> None:
    pm = load("nested.md")
    assert not any("surge" in t or "restarted" in t for t in titles(pm))


def test_remediation_subsections_give_section_done_due_and_shared_link() -> None:
    pm = load("remediation.md")
    assert [(i.title, i.section, i.done) for i in pm.items] == [
        ("Timeouts moved into runtime configuration", "Immediate Actions (Completed)", True),
        ("Timeout raised for peak load", "Immediate Actions (Completed)", True),
        ("Separate read and write pools", "Short-term Improvements", False),
        (
            "Circuit breakers: add breakers with exponential backoff.",
            "Short-term Improvements",
            False,
        ),
        ("Tooling to terminate stuck pods quickly", "Long-term Improvements", False),
        ("Load tests for connection pool contention", "Long-term Improvements", False),
    ]
    for item in pm.items[2:4]:
        assert [r.url for r in item.references] == [
            "https://github.com/example-org/flags/issues/500"
        ]
    for item in pm.items[4:]:
        assert (item.due, item.due_text) == (date(2026, 3, 31), "Q4 2025 - Q1 2026")
        assert item.references == ()
    assert not any("Retry storm" in t or "Timeout change" in t for t in titles(pm))


def test_long_label_item_is_titled_by_its_label() -> None:
    pm = load("remediation.md")
    item = by_title(pm, "Separate read and write pools")
    assert "share a connection pool" in item.text


def test_bold_action_items_label_stands_in_for_a_heading() -> None:
    pm = load("bold-label.md")
    assert pm.has_action_section
    assert titles(pm) == [
        "Diff DNS zones in CI before applying them",
        "Lower the TTL on the docs record to five minutes",
    ]
    assert pm.items[0].owner == "ada"


def test_front_matter_fields() -> None:
    pm = load("frontmatter.md", default_repo="other/repo")
    assert pm.title == "Billing export delayed"
    assert pm.slug == "billing-export-delay"
    assert pm.date == date(2024, 2, 20)
    assert pm.status == "draft" and pm.is_draft
    assert pm.repo == "example-org/billing"  # front matter beats the --repo default
    assert pm.owners == ("finn", "ola")
    assert pm.metadata["severity"] == "SEV-2"
    assert pm.metadata["date"] == "2024-02-20"
    assert pm.items[0].line == 15


def test_bom_and_crlf_keep_line_numbers(tmp_path: Path) -> None:
    text = (FIXTURES / "frontmatter.md").read_text(encoding="utf-8")
    path = tmp_path / "crlf.md"
    path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode())
    plain, crlf = parse(text), read(path)
    assert crlf.title == "Billing export delayed"
    assert [(i.title, i.line) for i in crlf.items] == [(i.title, i.line) for i in plain.items]
    assert "\r" not in crlf.items[0].text
    lines = path.read_bytes().decode("utf-8-sig").split("\r\n")
    assert lines[crlf.items[1].line - 1] == "- Alert when an export is more than an hour late (#17)"


def test_decoy_sections_give_nothing() -> None:
    pm = load("decoys.md")
    assert titles(pm) == [
        "Keep the previous signing key valid for 24 hours after a rotation",
        "Add a rotation drill to the quarterly game day",
    ]


def test_document_without_action_section_warns() -> None:
    pm = load("no-actions.md")
    assert pm.items == ()
    assert not pm.has_action_section
    assert any("no action-items section" in w for w in pm.warnings)
    assert pm.title == "Short blip on the status page"


def test_reference_styles() -> None:
    pm = load("references.md")
    renew, alerts, inventory, runbook, rotate = pm.items
    assert renew.title == "Automate certificate renewal for the gateway"
    assert [(r.kind, r.url) for r in renew.references] == [
        (RefKind.URL, "https://jira.example.com/browse/OPS-88")
    ]
    assert alerts.title == "Add expiry alerts for every certificate"
    assert [(r.kind, r.number) for r in alerts.references] == [(RefKind.PULL, 1094)]
    assert [(r.kind, r.repo, r.number) for r in inventory.references] == [
        (RefKind.ISSUE, "example-org/certs", 12),
        (RefKind.NUMBER, None, 13),
    ]
    assert runbook.title == "Remove the manual renewal runbook"
    assert runbook.references[0].url == "https://wiki.example.com/certs/manual"
    assert rotate.title == "Rotate the staging certificate as well"
    assert rotate.references[0].kind is RefKind.ISSUE


def test_branch_protection_items() -> None:
    pm = load("protection.md", default_repo="fallback/repo")
    kinds = [item.kind for item in pm.items]
    assert kinds == [Kind.BRANCH_PROTECTION] * 5 + [Kind.ISSUE] * 3
    force, reviews, checks, ghpages, legacy = (item.protection for item in pm.items[:5])
    assert force is not None and reviews is not None and checks is not None
    assert ghpages is not None and legacy is not None
    assert force.requested() == {"allow_force_pushes": False}
    assert (force.branch, force.repo) == ("release/2.x", "example-org/widgets")
    assert reviews.requested() == {"required_approving_review_count": 2}
    assert (reviews.branch, reviews.repo) == ("main", "example-org/widget-docs")
    assert (checks.branch, checks.contexts) == ("main", ("ci/validate",))
    assert ghpages.requested() == {"allow_deletions": False}
    assert ghpages.branch == "gh-pages"
    assert legacy.requested() == {"lock_branch": True}


def test_default_repo_applies_without_front_matter_repo() -> None:
    pm = parse("## Action items\n\n- Protect the `main` branch\n", default_repo="octo/app")
    spec = pm.items[0].protection
    assert spec is not None
    assert spec.repo == "octo/app"
    assert pm.repo == "octo/app"


def test_the_example_post_mortem() -> None:
    pm = parse(
        "---\ntitle: Docs offline\n---\n\n## Action Items\n\n"
        "| Action Item | Type | Owner | Priority | Due | Bug |\n"
        "| --- | --- | --- | --- | --- | --- |\n"
        "| Protect gh-pages branch. Don't allow deletion. | prevent | @dana | P1 | 2019-12-13 "
        "| TODO |\n",
        path="postmortems/2019-12-05-gh-pages.md",
        default_repo="octo/docs",
    )
    item = pm.items[0]
    assert item.title == "Protect gh-pages branch. Don't allow deletion."
    assert (item.owner, item.priority, item.due, item.done) == (
        "dana",
        "P1",
        date(2019, 12, 13),
        False,
    )
    assert item.protection is not None
    assert item.protection.to_dict()["branch"] == "gh-pages"
    assert item.protection.requested() == {"allow_deletions": False}
    assert pm.slug == "2019-12-05-gh-pages"
    assert pm.date == date(2019, 12, 5)


@pytest.mark.parametrize(
    "heading",
    [
        "## Action Items",
        "### Action items & follow-ups",
        "# Follow-ups",
        "## Follow ups",
        "## Corrective actions",
        "## Remediation",
        "## Next steps",
        "## Recommendations",
        "## Preventative measures",
        "## Preventive Measures",
        "## Action Items for Q3",
        "## 6. Action items",
        "## **Action Items**",
    ],
)
def test_action_headings_of_any_level(heading: str) -> None:
    pm = parse(
        f"# Title\n\n{heading}\n\n- Add a retry budget\n\n## Lessons learned\n\n- We should\n"
    )
    assert titles(pm) == ["Add a retry budget"]
    assert pm.has_action_section


def test_section_ends_at_same_level_heading_but_not_at_subheadings() -> None:
    pm = parse(
        "## Action items\n\n- One\n\n### Tooling\n\n- Two\n\n#### Detail\n\n- Three\n\n"
        "## Appendix\n\n- Not an item\n"
    )
    assert [(i.title, i.type) for i in pm.items] == [
        ("One", None),
        ("Two", "Tooling"),
        ("Three", "Detail"),
    ]


def test_lessons_subheading_inside_action_section_is_skipped() -> None:
    pm = parse("## Follow-ups\n\n- Real item\n\n### Lessons learned\n\n- We should do better\n")
    assert titles(pm) == ["Real item"]


def test_bold_subheading_labels_inside_a_section() -> None:
    pm = parse(
        "## Action items\n\n**Short term:**\n\n- Quick fix\n\n**Completed:**\n\n- Old fix\n\n"
        "**Lessons learned:**\n\n- We should have known\n"
    )
    assert [(i.title, i.section, i.done) for i in pm.items] == [
        ("Quick fix", "Short term", False),
        ("Old fix", None, True),
    ]


def test_plain_label_line_and_following_list() -> None:
    pm = parse("# Blip\n\nFollow-ups:\n- Add a canary\n- Page sooner\n")
    assert titles(pm) == ["Add a canary", "Page sooner"]


def test_action_section_without_items_warns() -> None:
    pm = parse("## Action items\n\nNone this time.\n")
    assert pm.has_action_section and pm.items == ()
    assert any("has no list or table items" in w for w in pm.warnings)


def test_action_table_outside_a_named_section() -> None:
    pm = parse("# Incident\n\n| Action item | Owner |\n| --- | --- |\n| Add alerts | @bo |\n")
    assert [(i.title, i.owner) for i in pm.items] == [("Add alerts", "bo")]


def test_loose_list_items_and_inline_details() -> None:
    pm = parse(
        "## Action items\n\n"
        "- Add a circuit breaker (Owner: @rui, Due: 2026-01-15, P0)\n\n"
        "- Write the runbook. Owner: @eva. Due: end of June 2026\n"
    )
    first, second = pm.items
    assert (first.title, first.owner, first.due, first.priority) == (
        "Add a circuit breaker",
        "rui",
        date(2026, 1, 15),
        "P0",
    )
    assert (second.title, second.owner, second.due) == (
        "Write the runbook.",
        "eva",
        date(2026, 6, 30),
    )
    assert second.due_text == "end of June 2026"


def test_title_fallbacks_and_slug() -> None:
    assert parse("Just text.\n", path="notes/2021-01-02-db.md").title == "2021 01 02 db"
    assert parse("## Only a section\n").title == "Only a section"
    assert parse("", path=None).title == "Untitled post-mortem"
    long = parse("# " + "Very long title " * 10 + "\n")
    assert len(long.slug) <= 60 and long.slug.startswith("very-long-title")
    assert parse("# Ünïcode & Stuff!\n").slug == "unicode-stuff"


def test_action_words_in_timeline_subheadings_open_no_section() -> None:
    pm = parse(
        "## Timeline\n\n### 14:05 follow-up deploy\n\n1. Rolled the nodes\n\n"
        "### Next steps discussed at 15:00\n\n- Paged the DBA\n\n## Action items\n\n- Real one\n"
    )
    assert titles(pm) == ["Real one"]


def test_action_subsection_of_a_summary() -> None:
    pm = parse(
        "## Summary\n\nShort.\n\n### Action items\n\n- Add a canary\n\n## Impact\n\n- None\n"
    )
    assert titles(pm) == ["Add a canary"]


def test_tracking_note_under_a_label_is_shared() -> None:
    pm = parse(
        "# Blip\n\n**Follow-ups:**\n\nTracked in [the epic](https://jira.example.com/browse/E-9).\n\n"
        "- First\n- Second\n"
    )
    assert [[r.url for r in i.references] for i in pm.items] == [
        ["https://jira.example.com/browse/E-9"],
        ["https://jira.example.com/browse/E-9"],
    ]
