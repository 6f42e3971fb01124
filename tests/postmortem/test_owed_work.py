"""Options weighed, prose under an action heading, and the work lessons still owe.

Classes met in a fourth blind set, in the project's own words: a list of candidates inside
an action section, a paragraph whose commitment comes after its context, "We need ..." among
lessons, a fix planned for a horizon inside a lesson, the opening line announcing what the
post will tell; with the near-misses that must stay nothing.
"""

from __future__ import annotations

import pytest

from followup.postmortem import parse
from followup.postmortem.options import weighed
from followup.postmortem.suggestions import commitment
from tests.postmortem.picking import explicit, suggested

# -- options being weighed inside an action section ------------------------------------

WEIGHING = """\
# Crawler flood

## Root cause

A crawler hammered the search pages.

### Action items

Handling load is a long-running effort for us. We are working on deciding which of the
usual approaches are worth it for our setup.

- bigger machines
- more replicas behind the balancer
- caching
- tuning the slow queries

And also shedding the worst of it by adding per-client rate limits on the search pages.
"""


def test_options_weighed_are_no_items_and_the_paragraphs_around_them_are() -> None:
    assert explicit(parse(WEIGHING)) == [
        "We are working on deciding which of the usual approaches are worth it for our setup.",
        "And also shedding the worst of it by adding per-client rate limits on the search pages.",
    ]


@pytest.mark.parametrize(
    ("intro", "options"),
    [
        ("We are figuring out which of these approaches suit us:", True),
        ("We are evaluating whether any of these would help:", True),
        ("The options we are considering are:", True),
        ("We will do the following:", False),
        ("We are adding these checks:", False),
    ],
)
def test_an_intro_weighing_options(intro: str, options: bool) -> None:
    assert weighed(intro) is options


def test_a_list_of_work_after_a_committing_intro_is_still_items() -> None:
    doc = "# Blip\n\n## Action items\n\nWe are adding these checks:\n\n- a disk alert\n"
    doc += "- a lag alert\n"
    assert explicit(parse(doc)) == ["a disk alert", "a lag alert"]


# -- the committing sentence of a paragraph is its title ---------------------------------


def test_a_paragraph_opening_with_context_is_titled_by_its_commitment() -> None:
    doc = (
        "# Blip\n\n## Action items\n\nThe queue has been slow for months. "
        "We will split it by tenant.\n"
    )
    assert explicit(parse(doc)) == ["We will split it by tenant."]


def test_a_paragraph_opening_with_its_item_keeps_it() -> None:
    doc = "# Blip\n\n## Action items\n\nSplit the queue by tenant. We will start next week.\n"
    assert explicit(parse(doc)) == ["Split the queue by tenant."]


# -- "Long term:" before an item ---------------------------------------------------------


@pytest.mark.parametrize(
    ("entry", "title"),
    [
        ("Long term: rewrite the queue", "Rewrite the queue"),
        ("Short-term - add an alert", "Add an alert"),
        ("Mid term: [Shard the queue #4](https://github.com/acme/q/issues/4)", "Shard the queue"),
        ("Long term thinking is needed on capacity", "Long term thinking is needed on capacity"),
    ],
)
def test_a_horizon_label_before_an_item_is_no_part_of_its_title(entry: str, title: str) -> None:
    assert explicit(parse(f"# Blip\n\n## Action items\n\n- {entry}\n")) == [title]


# -- the opening line announcing the post ------------------------------------------------


@pytest.mark.parametrize(
    "sentence",
    [
        "We want to give you some insight into what happened and what we are doing to avoid "
        "similar problems in the future.",
        "We want to give everyone an overview of what happened and the steps we are taking "
        "to prevent it in the future.",
    ],
)
def test_announcing_what_the_post_tells_is_no_commitment(sentence: str) -> None:
    assert commitment(sentence) is None
    assert (
        suggested(parse(f"Our mirror was down.\n\n{sentence}\n\n## Impact\n\nAll users.\n")) == []
    )


def test_giving_people_something_in_the_future_is_still_work() -> None:
    found = commitment("In the future we want to give new hires an overview of the deploy flow.")
    assert found is not None and found[0].startswith("Give new hires")


# -- work the lessons still owe ---------------------------------------------------------

LESSONS = """\
# Deploy broke the site

## Lessons learned

- We need a reliable staging instance that alerts us as soon as a deploy fails on it.
- We need to improve the hand-over between teams after manual fixes.
- We need better luck with timing.
- We should have checked the gem versions before deploying.
- **Alerts must reach us.** Users told us first. We need to get paged when it breaks.
- The proxy config is not covered by the deploy tests yet and should be fixed mid-term.
- In hindsight the rollback was quick.

We also learnt from this that we need a staging environment mirroring production.

We're also looking at what we can do for automated testing of the proxy configuration.
"""


def test_work_the_team_owes_itself_among_lessons_is_suggested() -> None:
    assert suggested(parse(LESSONS)) == [
        "We need a reliable staging instance that alerts us as soon as a deploy fails on it",
        "Improve the hand-over between teams after manual fixes",
        "The proxy config is not covered by the deploy tests yet and should be fixed mid-term",
        "We need a staging environment mirroring production",
        "Look at what we can do for automated testing of the proxy configuration",
    ]
    assert explicit(parse(LESSONS)) == []


@pytest.mark.parametrize(
    "lesson",
    [
        "We need better communication paths between teams.",
        "We need more luck.",
        "We need a clearer rule for which changes get a second reviewer.",
        "We should be more careful with upgrades.",
        "We needed a staging instance that day.",
    ],
)
def test_wishes_and_hindsight_among_lessons_stay_lessons(lesson: str) -> None:
    assert suggested(parse(f"# Blip\n\n## Lessons learned\n\n- {lesson}\n")) == []
