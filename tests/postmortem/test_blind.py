"""Classes of text met in a blind set of post-mortems the reader had never seen.

Each fixture is the project's own writing: a category under an action heading that says
nothing can be done, a proposal turned down, a practice of long standing, a bare line naming
the problem, an "Action items" line that is neither heading nor bold, and their near-misses.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from followup.errors import InputError
from followup.postmortem import parse, read
from followup.postmortem.suggestions import commitment
from tests.postmortem.picking import by_title, explicit, suggested

# -- a category that says there is nothing to do ------------------------------------------

NOTHING_TO_DO = """\
# Certificate warning on the mirror

## Action items

### Prevention

It is unclear what we could do to stop a vendor's scanner from misfiring.

### Detection

Add a nightly scan of the release artifacts with the three most common scanners.

### Mitigation

It's not clear there is much we can do once a scanner has flagged a download.

### Fixes

No changes were needed.

### Process

There is little we can do about weekend response times this quarter.
"""


def test_a_paragraph_saying_nothing_can_be_done_is_no_item() -> None:
    pm = parse(NOTHING_TO_DO)
    assert explicit(pm) == [
        "Add a nightly scan of the release artifacts with the three most common scanners."
    ]


@pytest.mark.parametrize(
    "line",
    [
        "It is unclear whether the cache caused it; investigate the cache TTLs.",
        "No alert fired for the mirror, so add one on its certificate expiry.",
        "Clear the stale entries from the mirror index.",
    ],
)
def test_a_line_that_only_opens_with_doubt_is_still_an_item(line: str) -> None:
    pm = parse(f"# Blip\n\n## Follow-up\n\n### Detection\n\n{line}\n")
    assert explicit(pm) == [line]


# -- proposals turned down and practices of long standing ---------------------------------

DOING_ABOUT_IT = """\
# Leaked deploy key

## What we're doing about it

- We have for several years required hardware keys for every maintainer account.
- We rotated the deploy key and moved it to the secrets store.
- An auditor also suggested we sign every release tag. The maintainers voted on it
  and it was rejected for now.
- Require two reviews on the release branch
"""


def test_a_rejected_proposal_and_an_old_practice_are_no_items() -> None:
    pm = parse(DOING_ABOUT_IT)
    assert explicit(pm) == [
        "We rotated the deploy key and moved it to the secrets store.",
        "Require two reviews on the release branch",
    ]


@pytest.mark.parametrize(
    "entry",
    [
        "Reject uploads that carry no signature",
        "Decline merge requests from forks until CI passes",
        "We enabled signed tags on two more repositories this week.",
    ],
)
def test_near_misses_of_rejection_and_routine_stay_items(entry: str) -> None:
    pm = parse(f"# Blip\n\n## Action items\n\n- {entry}\n")
    assert explicit(pm) == [entry]


# -- a bare line naming the problem ----------------------------------------------------


def test_a_bare_line_naming_the_problem_is_no_item() -> None:
    # An unfilled template: empty sections, one note under the action heading.
    pm = parse(
        "# Zone trouble\n\n## Summary\n\n## Action Items\n\n\neu-west-3 zone network problems"
    )
    assert explicit(pm) == []


@pytest.mark.parametrize(
    "line",
    [
        "Investigate the eu-west-3 zone network problems",
        "Zone failover should survive DNS errors",
        "https://example.com/org/infra/issues/41",
    ],
)
def test_a_remedy_or_a_link_on_a_bare_line_is_still_an_item(line: str) -> None:
    pm = parse(f"# Zone trouble\n\n## Action Items\n\n{line}\n")
    assert len(explicit(pm)) == 1


# -- "Action Items" alone on a line, neither heading nor bold ---------------------------

BARE_LABEL = """\
# Expired certificate on the docs mirror

## Detection

Readers told us the mirror showed a warning.

Action Items
- Alert two weeks before any certificate expires

- Move the mirror under the main project's account

## Lessons learned

- Know when every certificate expires.
"""


def test_a_bare_action_items_line_above_a_list_opens_the_items() -> None:
    pm = parse(BARE_LABEL)
    assert explicit(pm) == [
        "Alert two weeks before any certificate expires",
        "Move the mirror under the main project's account",
    ]
    assert pm.has_action_section


@pytest.mark.parametrize(
    "line",
    [
        "Next steps were unclear",
        "Actions taken",
        "Timeline",
        "The follow-up call",
    ],
)
def test_a_short_line_that_is_no_action_phrase_opens_nothing(line: str) -> None:
    pm = parse(f"# Blip\n\n## Detection\n\nA reader told us.\n\n{line}\n- The cache was cold\n")
    assert explicit(pm) == []


# -- a post-mortem with no heading at all ----------------------------------------------

NO_HEADINGS = """\
Post-mortem of the search outage on 3 March, written for customers.

Search stopped answering for forty minutes after the index nodes ran out of disk.

First, we'll add an alert on index disk usage at 80%, so on-call hears about it in time.

As a more durable fix (Q3 2026), we'll move the index to nodes with separate data disks.
"""


def test_a_post_mortem_with_no_heading_is_read_not_refused(tmp_path: Path) -> None:
    path = tmp_path / "search-outage.md"
    path.write_text(NO_HEADINGS, encoding="utf-8")
    pm = read(path)
    assert suggested(pm) == [
        "Add an alert on index disk usage at 80%, so on-call hears about it in time",
        "Move the index to nodes with separate data disks",
    ]
    assert by_title(pm, "Move the index to nodes with separate data disks").due_text == "Q3 2026"


def test_a_note_with_no_heading_and_no_incident_is_still_refused(tmp_path: Path) -> None:
    path = tmp_path / "groceries.md"
    path.write_text("Things for the weekend.\n\nWe'll buy bread and apples.\n", encoding="utf-8")
    with pytest.raises(InputError, match="does not look like a post-mortem"):
        read(path)


@pytest.mark.parametrize(
    ("sentence", "title"),
    [
        (
            "As a longer-term fix (Q1 2027), we'll shard the queue by tenant.",
            "Shard the queue by tenant",
        ),
        (
            "As a more immediate step, we will page the database owner on replica lag.",
            "Page the database owner on replica lag",
        ),
        ("As a long-term solution (2027), the queue was sharded by tenant.", None),
        ("As a longer-term fix (Q1 2027), we'll be fine with one queue.", None),
    ],
)
def test_a_horizon_lead_with_a_window_still_reads_the_promise(
    sentence: str, title: str | None
) -> None:
    found = commitment(sentence)
    assert (found[0] if found else None) == title


# -- "we need to", and "we should" after a lead that looks ahead -------------------------


@pytest.mark.parametrize(
    ("sentence", "title"),
    [
        (
            "We need to document the restore drill in the runbook.",
            "Document the restore drill in the runbook",
        ),
        ("The team needs to rotate the signing key.", "Rotate the signing key"),
        (
            "In the future we should deploy hotfixes from the released commit.",
            "Deploy hotfixes from the released commit",
        ),
        (
            "Going forward, we must page the owner of a failing job.",
            "Page the owner of a failing job",
        ),
        # Lessons, wishes and resolves are no work.
        ("We should deploy hotfixes from the released commit.", None),
        ("We should have caught this in review.", None),
        ("We need to be more careful with migrations.", None),
        ("We need to add this to the runbook.", None),
        ("We need to make sure this does not happen again.", None),
        ("We also need to try harder.", None),
        ("If we merge late, we need to deploy the same day.", None),
        # What "will" already meant is unchanged.
        ("We will try to reproduce the crash on staging.", "Try to reproduce the crash on staging"),
    ],
)
def test_need_to_and_a_forward_should_are_commitments(sentence: str, title: str | None) -> None:
    found = commitment(sentence)
    assert (found[0] if found else None) == title


LESSONS_WITH_NEEDS = """\
# Stale cache after deploy

## Lessons learned

- We need to document how the cache is warmed.

## Analysis

The cache kept old pages for an hour. We need to add a purge step to the deploy script.
"""


def test_need_to_opening_a_lesson_and_in_analysis_is_a_suggestion() -> None:
    # Blind set 4: "We need to X" opening a lesson binds the team as it does elsewhere
    # (tests/postmortem/test_owed_work.py has the lessons that stay lessons).
    pm = parse(LESSONS_WITH_NEEDS)
    assert suggested(pm) == [
        "Document how the cache is warmed",
        "Add a purge step to the deploy script",
    ]


# -- a proposal under an action subheading, and one weighed against ----------------------


def test_a_proposal_alone_under_an_action_subheading_is_an_item() -> None:
    text = (
        "# Scanner false positive\n\n## Action items\n\n### Detection\n\n"
        "We could routinely scan each release archive with the\n"
        "vendor's latest signatures before publishing it.\n"
    )
    assert explicit(parse(text)) == [
        "We could routinely scan each release archive with the vendor's latest signatures "
        "before publishing it."
    ]


@pytest.mark.parametrize(
    "paragraph",
    [
        "We could freeze DNS changes on Fridays. On the other hand, weekend outages hurt "
        "fewer people, so the two may cancel out.",
        "We could add a second pager, but the rota is too small for that today.",
        "We could ask the vendor for a faster lane?",
        "We might be lucky next time.",
        "Maybe add a second pager.",
    ],
)
def test_a_proposal_weighed_or_only_wondered_is_no_item(paragraph: str) -> None:
    text = f"# Scanner false positive\n\n## Action items\n\n### Detection\n\n{paragraph}\n"
    assert explicit(parse(text)) == []


# -- a list that states how things are run, and a handle that names a role ---------------


def test_a_list_stating_the_current_strategy_is_no_work() -> None:
    text = (
        "# Build server breach\n\n## Remediations\n\n### Source hosting\n\n"
        "We moved CI off the old build host.\n\nBeyond CI, our strategy is:\n\n"
        "- Keep public code on the public forge\n"
        "- Use the internal forge for embargoed fixes\n"
        "- Continue to publish images on the public registry\n"
    )
    assert explicit(parse(text)) == []


@pytest.mark.parametrize(
    "intro",
    ["Beyond CI, our plan is:", "Beyond CI, we will:", "Our strategy going forward is:"],
)
def test_a_list_announced_as_a_plan_is_still_work(intro: str) -> None:
    text = (
        "# Build server breach\n\n## Remediations\n\n### Source hosting\n\n"
        f"We moved CI off the old build host.\n\n{intro}\n\n"
        "- Use the internal forge for embargoed fixes\n"
    )
    assert explicit(parse(text)) == ["Use the internal forge for embargoed fixes"]


@pytest.mark.parametrize(
    ("line", "owner"),
    [
        ("Nobody was paged. (added an @oncall-now role that notifies everyone)", None),
        ("Post outages in the @status channel as well", None),
        ("Page two people on a disk alert (@dana)", "dana"),
        ("@lee will add a second pager for the storage rota", "lee"),
    ],
)
def test_a_handle_naming_a_role_or_channel_is_no_owner(line: str, owner: str | None) -> None:
    pm = parse(f"# Pager gap\n\n## Follow-up\n\n- {line}\n")
    assert [item.owner for item in pm.items] == [owner]


# -- a deadline set by a named event -----------------------------------------------------


@pytest.mark.parametrize(
    ("entry", "due"),
    [
        (
            "Rehearse the failover runbook on staging before the v3 cluster migration.",
            "before the v3 cluster migration",
        ),
        ("Publish the signing key ahead of the 2.0 release", "ahead of the 2.0 release"),
        ("Run the smoke tests before the release", None),
        ("Run the smoke tests before each release", None),
        ("Freeze deploys before 2027-01-15", "2027-01-15"),
    ],
)
def test_a_named_event_sets_an_approximate_due(entry: str, due: str | None) -> None:
    pm = parse(f"# Halt\n\n## Next steps\n\n- {entry}\n")
    (item,) = pm.items
    assert item.due_text == due
    if due is not None and item.due is None:
        assert item.due_approximate


# -- a component's behaviour announced to change ----------------------------------------


@pytest.mark.parametrize(
    ("sentence", "title"),
    [
        (
            "To begin with, every mobile client will stop retrying config fetches.",
            "Every mobile client will stop retrying config fetches",
        ),
        (
            "The deploy job will now run the smoke tests before each release.",
            "The deploy job will now run the smoke tests before each release",
        ),
        (
            "The nightly job will no longer delete backups younger than a week.",
            "The nightly job will no longer delete backups younger than a week",
        ),
        # How things behave, not a change announced.
        ("Mobile clients will retry a failed fetch three times.", None),
        ("The outage will start again if the disk fills.", None),
        ("It will stop working after an hour.", None),
        ("Users will now see a banner.", None),
    ],
)
def test_a_behaviour_change_announced_for_a_component_is_a_commitment(
    sentence: str, title: str | None
) -> None:
    found = commitment(sentence)
    assert (found[0] if found else None) == title


# -- a short order after the section's list ---------------------------------------------

AFTER_LIST = """\
# Launch surge

## Action items

### Documentation

1. Tell event hosts to warm their images the day before
2. Tell event hosts to spread start times over ten minutes

{paragraph}
"""


def test_a_short_order_after_the_list_is_one_more_item() -> None:
    paragraph = "Link both tips from the quota request form ([#9](https://example.com/i/9))."
    pm = parse(AFTER_LIST.format(paragraph=paragraph))
    assert explicit(pm)[2:] == ["Link both tips from the quota request form"]
    assert [ref.url for ref in pm.items[2].references] == ["https://example.com/i/9"]


@pytest.mark.parametrize(
    "paragraph",
    [
        "See the quota board for progress on these.",
        "These were agreed at the review on Monday.",
        "Both came up in the retro. Hosts asked for them twice. Nobody objected. They are cheap.",
        "We will ask the hosts what they think:",
    ],
)
def test_a_note_after_the_list_is_no_item(paragraph: str) -> None:
    pm = parse(AFTER_LIST.format(paragraph=paragraph))
    assert len(explicit(pm)) == 2


@pytest.mark.parametrize(
    ("entry", "title"),
    [
        ("Add a canary for the publish path ([#41](https://example.com/i/41)).", None),
        ("Add a canary for the publish path [#41](https://example.com/i/41).", None),
        ("Add a canary for the publish path (as agreed).", "(as agreed)"),
    ],
)
def test_a_period_after_a_closing_reference_is_no_part_of_the_title(
    entry: str, title: str | None
) -> None:
    (item,) = parse(f"# Blip\n\n## Action items\n\n- {entry}\n").items
    assert item.title == " ".join(filter(None, ["Add a canary for the publish path", title]))


def test_a_relative_event_sets_no_due() -> None:
    pm = parse("# Halt\n\n## Next steps\n\n- Load-test the consumer before the next release\n")
    assert pm.items[0].due_text is None
