"""The diagnosis: where the items came from, and the lists left unread that look like work."""

from __future__ import annotations

import pytest

from followup.postmortem import parse
from followup.postmortem.diagnosis import (
    NO_SECTION,
    Diagnosis,
    diagnose,
    diagnose_text,
    warnings_with,
)
from tests.postmortem.test_readme_examples import example_block

STRAY_LESSONS = """\
# Cache stampede on checkout

## Summary

The checkout cache expired at once and the database fell over.

## Timeline

- 09:02 Restart the checkout pods
- 09:10 Roll back the cache change

## Follow-up

- Add jitter to cache expiry (@dana)
- Alert on database connection saturation

## Lessons learned

- Caches that expire together fail together.
- [ ] Write a load test for cold caches
- [ ] Document the cache warm-up procedure

## Recovery

1. Scale the database read replicas
2. Flush the checkout cache
"""

WELL_FORMED = """\
# Cache stampede on checkout

## Timeline

- 09:02 Restart the checkout pods
- 09:10 Roll back the cache change

## Resolution

1. Scale the database read replicas
2. Flush the checkout cache

## Root cause

- Every key was written with the same expiry.
- Nothing spread the refill over time.

## Lessons learned

- Caches that expire together fail together.
- We should test with cold caches more often.

## Action items

- [ ] Add jitter to cache expiry (@dana)
- [ ] Alert on database connection saturation
"""

STRAY_NEUTRAL = """\
# Login outage

## Action items

- Add a canary for the login service

## Before the next launch

- [ ] Freeze deploys on Fridays
- [ ] Add a rollback button to the deploy tool
"""


def diagnosed(text: str) -> Diagnosis:
    return diagnose(parse(text, path="2026-03-02-incident.md"))


def test_a_stray_checklist_under_lessons_is_pointed_at_with_its_line() -> None:
    found = diagnosed(STRAY_LESSONS)
    assert found.sources == ("Follow-up",)
    assert (found.items, found.suggestions) == (2, 0)
    assert [(u.line, u.heading, u.kind) for u in found.unread] == [
        (19, "Lessons learned", "checklist")
    ]
    said = found.warning()
    assert said is not None
    assert 'outside "Follow-up"' in said and 'line 19 under "Lessons learned"' in said
    assert "\n" not in said


def test_a_checklist_under_a_plain_heading_outside_the_action_section_is_pointed_at() -> None:
    found = diagnosed(STRAY_NEUTRAL)
    assert [(u.line, u.heading, u.kind) for u in found.unread] == [
        (9, "Before the next launch", "checklist")
    ]


def test_a_well_formed_document_gives_no_warning() -> None:
    found = diagnosed(WELL_FORMED)
    assert found.sources == ("Action items",)
    assert found.items == 2
    assert found.unread == ()
    assert found.warning() is None


def test_the_readme_example_gives_no_warning() -> None:
    pm = parse(example_block(), path="2019-12-05-gh-pages.md")
    found = diagnose(pm)
    assert found.items == len(pm.items)
    assert found.warning() is None
    assert warnings_with(pm, found) == pm.warnings


@pytest.mark.parametrize(
    "heading",
    ["Timeline", "Recovery", "Resolution", "Root cause", "Impact", "Detection", "What happened"],
)
def test_lists_of_what_happened_are_never_pointed_at(heading: str) -> None:
    text = (
        "# Outage\n\n## Action items\n\n- Add an alert on disk usage\n\n"
        f"## {heading}\n\n- [ ] Restart the workers\n- Roll back the release (@sam, #123)\n"
        "- Scale the pool\n"
    )
    assert diagnosed(text).unread == ()


def test_lessons_without_commitments_are_quiet_and_with_owners_are_not() -> None:
    lessons = (
        "# Outage\n\n## Action items\n\n- Add an alert on disk usage\n\n## Lessons learned\n\n"
        "- Review dashboards before a release\n- Keep runbooks short\n"
    )
    assert diagnosed(lessons).unread == ()
    owned = lessons.replace("short\n", "short (owner: @kim, due 2026-04-01)\n").replace(
        "release\n", "release (@lee)\n"
    )
    assert [u.line for u in diagnosed(owned).unread] == [9]


def test_an_action_table_is_pointed_at_even_under_a_history_heading() -> None:
    text = (
        "# Queue full\n\n## Summary\n\nThe queue filled up.\n\n## Resolution\n\n"
        "We weathered it and wrote down the follow-ups:\n\n"
        "| Action Item | Owner |\n|---|---|\n| Review request concurrency | Backend |\n"
    )
    found = diagnosed(text)
    assert found.items == 0  # the reader leaves it: the diagnosis must say so
    assert [(u.line, u.kind) for u in found.unread] == [(11, "table")]


def test_a_bold_label_in_a_list_heads_its_own_nested_list() -> None:
    text = (
        "# Subnet routes destroyed\n\n## Action items\n\n- Add a drift check\n\n"
        "## Details\n\n"
        "- **Time to repair**: 11m\n"
        "- **Impact**:\n  - Services were unreachable.\n"
        "- **Follow-ups agreed**:\n  - Review the pipeline pause process\n"
        "  - Investigate queued runs during manual work\n"
    )
    # Read as if the reader had taken only the first item: the nested list is named.
    found = diagnose_text(text, [(5, False, "Add a drift check")], has_action_section=True)
    assert [(u.line, u.last, u.heading) for u in found.unread] == [(12, 14, "Follow-ups agreed")]
    taken = diagnose_text(
        text,
        [(5, False, "Add a drift check"), (13, False, "Review the pipeline pause process")],
        has_action_section=True,
    )
    assert taken.unread == ()


def test_code_comments_template_notes_and_restated_items_are_not_work() -> None:
    text = (
        "# Deploy broke\n\n## Action items\n\n- Add a smoke test after each deploy\n"
        "- Pin the base image\n\n## Summary\n\nWe will:\n\n- Add a smoke test after each deploy\n"
        "- Pin the base image\n\n## Notes\n\n```\n- [ ] Write the config\n- [ ] Run it\n```\n\n"
        "<!--\n- [ ] Fill in the timeline\n- [ ] Add owners\n-->\n\n## Checklist\n\n"
        "- [ ] Sections above are filled out\n- [ ] All action items above have linked issues\n"
    )
    assert diagnosed(text).unread == ()


def test_a_heading_with_escape_codes_and_markup_is_made_inert() -> None:
    text = (
        "# Outage\n\n## Action items\n\n- Add an alert\n\n"
        "## Later \x1b[31m**[bold]red[/bold]** [see](https://x.test) `code`\n\n"
        "- [ ] Rotate the keys\n- [ ] Audit the tokens\n"
    )
    (unread,) = diagnosed(text).unread
    assert "\x1b" not in unread.heading and "␛" in unread.heading
    assert unread.heading == "Later ␛[31m[bold]red[/bold] see code"
    said = diagnosed(text).warning()
    assert said is not None and "\x1b" not in said and "**" not in said and "](" not in said


def test_without_an_action_section_it_says_what_it_found() -> None:
    text = (
        "# Outage\n\n## Timeline\n\n- 10:00 Paged\n- 10:05 Restarted\n\n"
        "## Ideas\n\n- [ ] Add a canary\n- [ ] Page on queue depth\n"
    )
    pm = parse(text, path="x.md")
    assert not pm.items
    assert any(w.startswith(NO_SECTION) for w in pm.warnings)  # the reader's, replaced
    found = diagnose(pm)
    said = found.warning()
    assert said is not None and said.startswith(NO_SECTION)
    assert 'line 10 under "Ideas"' in said
    merged = warnings_with(pm, found)
    assert merged[0] == said
    assert sum(w.startswith(NO_SECTION) for w in merged) == 1


def test_without_any_list_of_work_it_names_the_headings_holding_lists() -> None:
    text = "# Outage\n\n## Timeline\n\n- 10:00 Paged\n- 10:05 Restarted\n\n## Impact\n\nSlow.\n"
    pm = parse(text, path="x.md")
    found = diagnose(pm)
    said = found.warning()
    assert said is not None
    assert 'lists only under "Timeline"' in said
    assert warnings_with(pm, found) == (said,)


def test_the_json_form_carries_every_place() -> None:
    data = diagnosed(STRAY_LESSONS).to_dict()
    assert data["sources"] == ["Follow-up"]
    assert data["unread"] == [
        {"line": 19, "last": 21, "heading": "Lessons learned", "kind": "checklist"}
    ]
    assert data["warning"].startswith("1 checklist")


def test_line_numbers_follow_front_matter_and_windows_line_endings() -> None:
    text = "---\ntitle: Outage\n---\n" + STRAY_LESSONS
    (unread,) = diagnosed(text.replace("\n", "\r\n")).unread
    assert unread.line == 22


def test_a_bare_action_label_under_a_history_heading_is_followed() -> None:
    text = (
        "# Certificate expired\n\n## Action items\n\n- Renew the certificate by hand\n\n"
        "## Detection\n\nCustomers told us.\n\nFollow-ups\n- Alert before certificates expire\n"
        "- Someone should own the renewal\n"
    )
    found = diagnose_text(
        text, [(5, False, "Renew the certificate by hand")], has_action_section=True
    )
    assert [(u.line, u.heading, u.kind) for u in found.unread] == [(12, "Follow-ups", "list")]
    # Without the label, the same list under Detection tells what happened.
    quiet = text.replace("Follow-ups\n", "")
    assert diagnose_text(quiet, [(5, False, "Renew")], has_action_section=True).unread == ()


def test_underlined_headings_count_and_a_hash_line_in_code_does_not() -> None:
    text = (
        "Outage\n======\n\nAction items\n------------\n\n- Add a canary\n\nNotes\n-----\n\n"
        "```\n# not a heading\n- [ ] not work either\n```\n\n- [ ] Rotate the keys\n"
        "- [ ] Audit the tokens\n"
    )
    found = diagnose_text(text, [(7, False, "Add a canary")], has_action_section=True)
    assert found.sources == ("Action items",)
    assert [(u.line, u.heading, u.kind) for u in found.unread] == [(17, "Notes", "checklist")]


def test_a_labelled_line_the_reader_left_is_pointed_at() -> None:
    text = (
        "# Split\n\n## Action items\n\n- Patch the node\n\n## Lessons learned\n\n"
        "Action point: start a mailing list for downstream operators\n"
    )
    found = diagnose_text(text, [(5, False, "Patch the node")], has_action_section=True)
    assert [(u.line, u.heading, u.kind) for u in found.unread] == [
        (9, "Lessons learned", "labelled line")
    ]
    nothing = text.replace("start a mailing list for downstream operators", "none")
    assert diagnose_text(nothing, [(5, False, "Patch")], has_action_section=True).unread == ()


def test_numbered_bold_entries_with_their_own_lines_are_one_list() -> None:
    text = (
        "# Leak\n\n## Action items\n\n- Rotate the keys\n\n## Looking ahead\n\n"
        "1. **Strip personal data from support mail.**\n   We are changing the templates.\n"
        "2. **Automate the announcement list.**\n   The manual step goes away.\n"
    )
    found = diagnose_text(text, [(5, False, "Rotate the keys")], has_action_section=True)
    assert [(u.line, u.last, u.heading) for u in found.unread] == [(9, 12, "Looking ahead")]
