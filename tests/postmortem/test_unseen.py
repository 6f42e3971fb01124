"""Classes of text the reader met in documents it was not tuned on, and their near-misses.

Each fixture is written for the project: advice to readers, work already done, one goal
per subheading, items stated twice, legends of types and priorities, details nested under
an item, and commitments written in the present progressive.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from followup.postmortem import PostMortem, parse, read
from followup.postmortem.suggestions import commitment
from tests.postmortem.picking import by_title, explicit, suggested

FIXTURES = Path(__file__).parent / "fixtures"


def load(name: str) -> PostMortem:
    return read(FIXTURES / name)


# -- advice to readers -----------------------------------------------------------------


def test_advice_to_readers_is_no_item() -> None:
    pm = load("advice-lists.md")
    assert explicit(pm) == [
        "Refuse to truncate tables unless --truncate is passed twice",
        "Add a confirmation prompt naming the tenant before any destructive step",
    ]
    assert suggested(pm) == []


@pytest.mark.parametrize(
    "entry",
    [
        "If you need to restart a node, drain it first.",
        "You should never share a deploy token.",
        "We recommend that users rotate their keys.",
        "We'd like to suggest that vendors ship safer defaults.",
        "Users should pin the client to 4.2.",
        "Plugin maintainers and users should turn on two-factor sign-in.",
        "Library developers should commit a lockfile.",
        "Package maintainers should be careful with bots that merge upgrades.",
    ],
)
def test_each_form_of_advice_is_dropped(entry: str) -> None:
    pm = parse(f"# Blip\n\n## Action items\n\n- Add a drain step to the runbook\n- {entry}\n")
    assert explicit(pm) == ["Add a drain step to the runbook"]


def test_a_goal_for_developers_is_still_an_item() -> None:
    pm = parse(
        "# Blip\n\n## Action items\n\n- Developers should be able to roll back in one step\n"
    )
    assert explicit(pm) == ["Developers should be able to roll back in one step"]


def test_a_goal_for_users_is_still_an_item() -> None:
    # "Users should be told" states what the team must make happen: work, not advice.
    pm = parse("# Blip\n\n## Action items\n\n- Users should be told before a forced logout\n")
    assert explicit(pm) == ["Users should be told before a forced logout"]


# -- work already done -----------------------------------------------------------------


def test_work_already_done_is_no_item() -> None:
    pm = load("done-work.md")
    assert explicit(pm) == [
        "Fail the build when an image enables a debug endpoint",
        "Scan responses for secret-shaped strings in staging",
    ]


def test_orders_after_a_past_intro_are_still_items() -> None:
    pm = parse(
        "# Blip\n\n## Action items\n\nWe also changed two settings:\n\n"
        "- Raise the upload quota to 2 TB\n- Alert when a pool is 80% full\n"
    )
    assert explicit(pm) == ["Raise the upload quota to 2 TB", "Alert when a pool is 80% full"]


# -- one goal per subheading ------------------------------------------------------------


def test_goal_subheadings_are_items_and_topics_are_not() -> None:
    pm = load("goal-subheadings.md")
    assert explicit(pm) == [
        "Agent forwarding should be turned off everywhere",
        "Teach everyone how to hop between hosts with a jump host",
        "Shells must require a hardware key",
        "Audit logging",
        "Deploy keys should be read-only",
    ]
    teach = by_title(pm, "Teach everyone how to hop between hosts with a jump host")
    assert teach.parent == "Agent forwarding should be turned off everywhere"
    # The prose under goals and topics gives promises, never items of its own.
    assert suggested(pm) == [
        "Roll out hardware keys to every engineer with production access",
        "Adopt a weekly patch window for every host",
        "Build alerts on failed logins per host",
    ]


def test_a_lone_heading_with_a_verb_among_topics_is_a_topic() -> None:
    pm = parse(
        "# Blip\n\n## Remediation\n\n### Patching\n\nWe patch weekly.\n\n"
        "### Monitoring\n\nWe watch the logs.\n\n### Avoiding one-off servers\n\n"
        "The old bastion lasted two years.\n"
    )
    assert pm.items == ()


def test_a_lone_item_heading_still_counts() -> None:
    pm = parse(
        "# Blip\n\n## Action items\n\n### Add a lag alert on every replica\n\nPage the DBA.\n"
    )
    assert explicit(pm) == ["Add a lag alert on every replica"]


def test_prose_under_a_topic_subheading_is_no_item() -> None:
    pm = parse(
        "# Blip\n\n## Remediation\n\n### Configuration\n\n"
        "Config lived in a shared checkout on every host.\n\n"
        "Our solution is to move all configuration into the deploy tool.\n"
    )
    assert explicit(pm) == []
    assert suggested(pm) == ["Move all configuration into the deploy tool"]


def test_a_bare_link_under_a_topic_subheading_is_an_item() -> None:
    pm = parse(
        "# Blip\n\n## Action items\n\n### Fixes\n\nhttps://github.com/example-org/app/pull/12\n"
    )
    assert explicit(pm) == ["https://github.com/example-org/app/pull/12"]


# -- the same item twice -----------------------------------------------------------------


def test_an_item_stated_twice_is_one_item() -> None:
    pm = load("restated-items.md")
    assert explicit(pm) == [
        "Add a replica lag alert at thirty seconds",
        "Cap the batch size of the backfill job",
    ]
    alert = by_title(pm, "Add a replica lag alert at thirty seconds")
    # Said first in the summary, the owner comes from where it is said again.
    assert (alert.line, alert.owner) == (9, "ana")


def test_short_titles_said_twice_stay_two_items() -> None:
    pm = parse("# Blip\n\n## Action items\n\n### Web\n\n- Add tests\n\n### Worker\n\n- Add tests\n")
    assert [(i.title, i.type) for i in pm.items] == [("Add tests", "Web"), ("Add tests", "Worker")]


SAME_TITLE_ROWS = """# Icons broke in a release

## Summary

Bump the icon package for 10.6.4 ([#101](https://github.com/o/r/pull/101)) went out broken.

## Action items

| Action item | Owner | Pull request |
| --- | --- | --- |
| Bump the icon package for 10.6.4 | @ann | [#101](https://github.com/o/r/pull/101) |
| Bump the icon package for 10.6.4 | @ann | [#102](https://github.com/o/r/pull/102) |
| Bump the icon package for 10.6.4 | @bo | [#103](https://github.com/o/r/pull/103) |
"""


def test_one_title_on_rows_each_tracked_apart_is_each_an_item() -> None:
    pm = parse(SAME_TITLE_ROWS)
    rows = [(i.owner, [r.number for r in i.references]) for i in pm.items]
    # The summary names the first row's work (same pull request): that is one item.
    assert rows == [("ann", [101]), ("ann", [102]), ("bo", [103])]


def test_a_table_of_contents_is_no_list_of_items() -> None:
    pm = parse(
        "# Blip\n\n## Action items\n\n- [Add a lag alert](#add-a-lag-alert)\n"
        "- [Cap the batch](#cap-the-batch)\n"
    )
    assert pm.items == ()


# -- legends -----------------------------------------------------------------------------


def test_a_legend_of_types_and_priorities_is_no_list_of_items() -> None:
    pm = load("legend-lists.md")
    assert [(i.title, i.priority) for i in pm.items] == [
        ("Pin the tax service client to a known version", "P0"),
        ("Alert on checkout error rate above 1%", "P1"),
        ("Add a contract test for the tax service", "P1"),
        ("Roll back automatically on a failed health check", "P1"),
        ("Document the tax service fallback", "P2"),
        ("Freeze tax service upgrades during sales", "P0"),
        ("Add a canary for the tax service", "P1"),
    ]


# -- details nested under an item ----------------------------------------------------------


def test_names_and_descriptions_under_an_item_are_no_sub_items() -> None:
    pm = load("nested-details.md")
    assert [(i.title, i.parent) for i in pm.items] == [
        ("Split the build network into separate zones", None),
        ("Sign releases only on a dedicated offline laptop", None),
        ("Buy a second laptop as a spare", "Sign releases only on a dedicated offline laptop"),
    ]


def test_sub_items_written_as_phrases_stay() -> None:
    pm = parse(
        "## Action items\n\n- A better process for flagging fires quickly:\n"
        "  - Alerts for issues that gain many reactions fast\n"
        "  - More triage right after a release\n"
    )
    assert len(pm.items) == 3


# -- commitments written in the present ------------------------------------------------------


def test_ongoing_work_in_prose_is_suggested() -> None:
    pm = load("ongoing-prose.md")
    assert suggested(pm) == [
        "Adopt a weekly patch window for the authentication hosts",
        "Set up nightly vulnerability scans of the login service",
        "Build an alert on failed logins per account",
        "Move the login rate limits into the shared configuration service",
    ]
    assert explicit(pm) == ["Writing a runbook for account lockouts"]


@pytest.mark.parametrize(
    ("sentence", "title"),
    [
        ("Going forward, we are adopting a weekly patch window.", "Adopt a weekly patch window"),
        ("Similarly, we're extending the scans to staging.", "Extend the scans to staging"),
        ("Aside from the hosts, we are now also setting up scans.", "Set up scans"),
        ("Our plan is to retire the old bastion.", "Retire the old bastion"),
        (
            "We're also running every job in a container going forward.",
            "Run every job in a container going forward",
        ),
    ],
)
def test_forms_of_ongoing_commitment(sentence: str, title: str) -> None:
    found = commitment(sentence)
    assert found is not None and found[0] == title


@pytest.mark.parametrize(
    "sentence",
    [
        "We are seeing fewer errors since the fix.",
        "We are running the old kernel on two hosts.",
        "We are addressing this by:",
        "The team will conduct the following actions to improve on-call.",
        "We're going to go back to feature work.",
        "If the scans are noisy, we will tune them.",
        "We have rolled out the rate limit.",
        "You should turn on two-factor authentication.",
        "Our plan is the following.",
    ],
)
def test_near_misses_are_no_commitment(sentence: str) -> None:
    assert commitment(sentence) is None


def test_how_things_run_today_is_no_promise_but_a_change_under_way_is() -> None:
    pm = parse(
        "# Blip\n\n## Background\n\nWe are running two dispatchers, one per region. "
        "We are migrating the older one to the new queue this quarter.\n"
    )
    assert suggested(pm) == ["Migrate the older one to the new queue this quarter"]


def test_orders_under_a_topic_subheading_are_items() -> None:
    pm = parse(
        "# Blip\n\n## Action items\n\n### Database\n\nAdd an index on user_id.\n\n"
        "Cap the connection pool at fifty.\n"
    )
    assert explicit(pm) == ["Add an index on user_id.", "Cap the connection pool at fifty."]


def test_goals_for_things_under_a_topic_subheading_are_items() -> None:
    pm = parse(
        "# Blip\n\n## Follow-ups\n\n### API\n\nThe API should fail over to the replica.\n\n"
        "Retry idempotent requests once.\n\n### Patching\n\nThere is a lot we need to do "
        "here.\n\nWe should patch more often.\n"
    )
    assert explicit(pm) == [
        "The API should fail over to the replica.",
        "Retry idempotent requests once.",
    ]


def test_an_order_heading_among_topics_stays_an_item() -> None:
    pm = parse(
        "# Blip\n\n## Action items\n\n### Database\n\n- Add an index\n\n### Network\n\n"
        "- Cap retries\n\n### Write a failover runbook for the queue\n\nOne page is enough.\n"
    )
    assert explicit(pm) == [
        "Add an index",
        "Cap retries",
        "Write a failover runbook for the queue",
    ]


@pytest.mark.parametrize(
    ("heading", "role"),
    [
        ("The rebuild", "other"),
        ("What we did", "other"),
        ("What we did and next steps", "action"),
        ("Rebuilding the cache tier", "neutral"),
    ],
)
def test_headings_naming_done_work(heading: str, role: str) -> None:
    from followup.postmortem.sections import role as heading_role

    assert heading_role(heading).value == role


def test_a_list_acting_on_lessons_is_work() -> None:
    pm = parse(
        "# Blip\n\n## Action items\n\nTo act on these lessons, we will:\n\n"
        "- Add a lag alert\n- Cap the batch size\n"
    )
    assert explicit(pm) == ["Add a lag alert", "Cap the batch size"]


def test_a_list_of_highlights_or_alternatives_is_no_work() -> None:
    pm = parse(
        "# Blip\n\n## Remediation\n\nThe main highlights from our retrospective are:\n\n"
        "- The need for one incident lead\n- The value of one shared document\n\n"
        "Alternatives here included:\n\n- Hosting builds with a vendor\n- Building twice\n"
    )
    assert pm.items == ()


def test_distinct_priorities_without_a_legend_intro_are_items() -> None:
    pm = parse(
        "# Blip\n\n## Action items\n\n- HIGH: Connection pooling for the flag service\n"
        "- MEDIUM: Dashboards for pool saturation\n"
    )
    assert [(i.title, i.priority) for i in pm.items] == [
        ("Connection pooling for the flag service", "P1"),
        ("Dashboards for pool saturation", "P2"),
    ]


def test_carrying_on_as_before_is_no_item() -> None:
    pm = parse(
        "# Blip\n\n## Action items\n\n- Continue using the hosted tracker for public work\n"
        "- Keep running the nightly backup on the old host\n"
        "- Continue to page the on-call for every failed backup for a month\n"
        "- Move private repositories to the self-hosted forge\n"
    )
    assert explicit(pm) == [
        "Continue to page the on-call for every failed backup for a month",
        "Move private repositories to the self-hosted forge",
    ]


def test_asides_beside_item_headings_are_no_items() -> None:
    pm = parse(
        "# Blip\n\n## Action items\n\n### 1. Add a lag alert (@ana)\n\nPage the DBA.\n\n"
        "### 2. Cap the batch size (@raj)\n\nDue: 2025-07-01\n\n"
        "### 3. Rehearse a failover (@kim)\n\nOnce a quarter.\n\n"
        "### Storage tiering\n\nNot decided yet.\n\n"
        "## Remediation\n\n### Keys should be rotated monthly\n\nDone.\n\n"
        "### Shells should require a hardware key\n\nRolling out.\n\n"
        "### Open questions\n\nWho owns the bastion?\n"
    )
    assert explicit(pm) == [
        "Add a lag alert",
        "Cap the batch size",
        "Rehearse a failover",
        "Keys should be rotated monthly",
        "Shells should require a hardware key",
    ]


def test_the_body_of_a_numbered_item_heading_promises_nothing_more() -> None:
    pm = parse(
        "# Blip\n\n## Action items\n\n### 1. Add a lag alert (@ana)\n\n"
        "We will wire it to the DBA pager by the end of the month.\n"
    )
    assert [(i.title, i.suggested) for i in pm.items] == [("Add a lag alert", False)]
