"""Actions announced by a label rather than a heading, nested checklists and described items."""

from __future__ import annotations

from pathlib import Path

import pytest

from followup.postmortem import PostMortem, parse, read
from tests.postmortem.picking import by_title, explicit

FIXTURES = Path(__file__).parent / "fixtures"


def load(name: str) -> PostMortem:
    return read(FIXTURES / name)


# -- a list entry labelling the actions nested under it -------------------------------


def test_a_label_entry_holds_the_actions_of_a_report_written_as_one_list() -> None:
    pm = load("label-entries.md")
    assert explicit(pm) == [
        "Add an alert when the build cache volume passes 80% full",
        "Prune cache layers older than a week on a schedule",
        "Investigate whether the cache can live in object storage",
    ]
    # Key events, the context, the resolution, the response ("Actions taken") and the
    # lessons are other label entries of the same list: none of their entries is an item.
    assert pm.has_action_section
    assert not any(item.done or item.parent for item in pm.items)


@pytest.mark.parametrize(
    "label", ["**Follow-up actions:**", "**Post-incident actions**:", "__Next steps__"]
)
def test_label_entries_are_read_by_what_they_name(label: str) -> None:
    pm = parse(f"# Blip\n\n- **Impact**: none\n- {label}\n  - Add a disk alert\n  - Fix the cron\n")
    assert explicit(pm) == ["Add a disk alert", "Fix the cron"]


@pytest.mark.parametrize(
    "entry",
    [
        "- **Actions taken**:\n  - Restart the pods\n",  # the response, in the story's list
        "- **Review actions**: none\n",  # nothing nested under it
        "- **Review**:\n  - Walk through the alert rules\n",  # no action named
        "- Review actions:\n  - Roll back the deploy\n",  # not a label, a plain entry
    ],
)
def test_entries_under_other_labels_are_not_items(entry: str) -> None:
    pm = parse(f"# Blip\n\n- **Impact**: none\n{entry}")
    assert explicit(pm) == []


def test_a_heading_naming_review_actions_opens_the_items() -> None:
    pm = parse("# Blip\n\n## Summary\n\nA blip.\n\n## Review actions\n\n- Add a disk alert\n")
    assert explicit(pm) == ["Add a disk alert"]


def test_label_entries_inside_an_action_list_group_its_items() -> None:
    pm = parse(
        "# Blip\n\n## Follow-up\n\n- **Short term:**\n  - Add a disk alert\n"
        "- **Notes**:\n  - The disk was small\n"
        "- **Migrate the database**\n  - Write the plan\n  - Run the plan\n"
        "- **Actions taken**:\n  - Resized the disk\n"
    )
    assert [(i.title, i.parent, i.section, i.done) for i in pm.items] == [
        ("Add a disk alert", None, "Short term", False),
        # A bold entry naming work, its steps below, stays an item with sub-items.
        ("Migrate the database", None, None, False),
        ("Write the plan", "Migrate the database", None, False),
        ("Run the plan", "Migrate the database", None, False),
        ("Resized the disk", None, None, True),
    ]


# -- "Actions taken" and "Action planned" labels ---------------------------------------


def test_taken_and_planned_labels_give_done_and_open_items() -> None:
    pm = load("taken-and-planned.md")
    assert [(item.title, item.done) for item in pm.items] == [
        ("We have masked every secret variable in the release job.", True),
        ("Scan build logs for key material after every release.", False),
        ("We will move signing to a separate job with no shell access.", False),
        ("The key-holder list now lives in the release runbook.", True),
        ("The advisory process is now written down in our security policy.", True),
        ("We've agreed on rules for pulling a release", True),
        ("We will alert on any signature made with a revoked key.", False),
    ]
    # The recovery's "Actions taken" are the response; the lesson's "should" is advice;
    # the rules listed under the agreed policy are what it holds, not items of their own.
    rules = by_title(pm, "We've agreed on rules for pulling a release")
    assert "should pull the release" not in " ".join(explicit(pm))
    assert rules.text.endswith("rules for pulling a release:")
    assert pm.warnings == ()


def test_a_paragraph_under_a_label_is_one_item_and_the_next_is_its_detail() -> None:
    pm = parse(
        "# Blip\n\n## Lessons learned\n\n**Action taken:**\n\nThe runbook now covers the cron.\n\n"
        "It was reviewed by two people.\n\n**Lessons:**\n\nThe cron needs an owner.\n"
    )
    assert [(i.title, i.done) for i in pm.items] == [("The runbook now covers the cron.", True)]


def test_a_paragraph_introducing_the_labels_list_is_no_item() -> None:
    pm = parse(
        "# Blip\n\n## Lessons learned\n\n**Actions planned:**\n\nWe will do the following.\n\n"
        "- Add a disk alert\n- Fix the cron\n"
    )
    assert explicit(pm) == ["Add a disk alert", "Fix the cron"]


@pytest.mark.parametrize("section", ["Recovery", "Timeline", "Resolution", "Incident response"])
def test_actions_taken_while_recounting_the_incident_are_not_items(section: str) -> None:
    pm = parse(
        f"# Blip\n\n## {section}\n\n**Action taken:** Restarted the pods.\n\n"
        "**Actions taken:**\n\n- Rolled back the deploy\n\nAction taken: paged the DBA.\n"
    )
    assert explicit(pm) == []


# -- nested checklists -------------------------------------------------------------------


def test_a_checklists_own_checklist_entries_are_its_sub_tasks() -> None:
    pm = load("nested-checklist.md")
    assert [(i.title, i.parent, i.done) for i in pm.items] == [
        ("Make sure a lag alert exists for", None, False),
        ("The orders index", "Make sure a lag alert exists for", False),
        ("The catalogue index", "Make sure a lag alert exists for", True),
        ("Raise the indexer's batch size", None, True),
        # Plain entries finishing an item's sentence are its details, and stay in its text.
        ("Add lag dashboards for", None, False),
    ]
    assert by_title(pm, "Add lag dashboards for").text.endswith("- Production")


# -- a nested list describing one item --------------------------------------------------


def test_a_nested_list_finishing_an_items_sentence_is_its_detail() -> None:
    pm = load("described-item.md")
    assert [(i.title, i.parent) for i in pm.items] == [
        ("We will add a migration linter to CI.", None),
        ("We are rewriting the review checklist, so that it will", None),
        ("Improve coverage of migration tests", None),
        (
            "Add a test for every migration that drops a column",
            "Improve coverage of migration tests",
        ),
        ("Run the migration tests on every pull request", "Improve coverage of migration tests"),
    ]
    rewrite = by_title(pm, "We are rewriting the review checklist, so that it will")
    assert "run the migration against a copy of production" in rewrite.text


# -- CRLF line ends ----------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.glob("*.md")))
def test_crlf_line_ends_read_as_lf(name: str) -> None:
    text = (FIXTURES / name).read_text(encoding="utf-8")
    lf = parse(text, path=name)
    crlf = parse(text.replace("\n", "\r\n"), path=name)
    assert crlf.items == lf.items
    assert (crlf.title, crlf.date, crlf.warnings) == (lf.title, lf.date, lf.warnings)
    assert (crlf.has_action_section, crlf.incident_shape) == (
        lf.has_action_section,
        lf.incident_shape,
    )


def test_a_crlf_file_reads_as_its_lf_copy(tmp_path: Path) -> None:
    text = (FIXTURES / "taken-and-planned.md").read_text(encoding="utf-8")
    (tmp_path / "lf.md").write_bytes(text.encode())
    (tmp_path / "crlf.md").write_bytes(text.replace("\n", "\r\n").encode())
    assert read(tmp_path / "crlf.md").items == read(tmp_path / "lf.md").items


def test_an_action_point_is_a_labelled_item_under_lessons_too() -> None:
    pm = parse(
        "# Split\n\n## Timeline\n\n- 10:00 Action point: page the on-call\n\n"
        "## Lessons learned\n\n### Alerting\n\nThe monitor missed the fork for an hour.\n\n"
        "Action point: send the fork monitor's alerts by push.\n\n"
        "Action points: we looked at this twice.\n"
    )
    assert explicit(pm) == ["send the fork monitor's alerts by push."]
