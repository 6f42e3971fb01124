"""Classes of text met in a blind set of post-mortems the reader had never seen.

Each fixture is the project's own writing: a category under an action heading that says
nothing can be done, a proposal turned down, a practice of long standing, a bare line naming
the problem, an "Action items" line that is neither heading nor bold, and their near-misses.
"""

from __future__ import annotations

import pytest

from followup.postmortem import PostMortem, parse


def explicit(pm: PostMortem) -> list[str]:
    return [item.title for item in pm.items if not item.suggested]


def suggested(pm: PostMortem) -> list[str]:
    return [item.title for item in pm.items if item.suggested]


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
