"""Follow-ups that no heading announces, disclosures, and numbered labels with a body.

Classes met in a fourth blind set, each written here in the project's own words: a list or
table that only the sentence before it announces ("... and we opened follow-up items:"),
a security disclosure with none of the usual incident headings, numbered bold labels each
with a body under "Next steps"; with the near-misses that must stay nothing.
"""

from __future__ import annotations

import pytest

from followup.postmortem import parse
from followup.postmortem.leadins import announces
from followup.postmortem.reader import refusal
from tests.postmortem.picking import by_title, explicit

# -- a follow-up list announced by the sentence before it -------------------------------

UNDER_RESOLUTION = """\
# Queue stall on the build farm

## Root cause

A burst of mirror syncs filled the request queue.

## Resolution

We let the burst drain on its own, and then we opened follow-up action items:

| Action Item | Owner |
|---|---|
| Cap concurrent mirror syncs per client | Backend team |
| Long term: [Shard the sync endpoint #88](https://github.com/acme/farm/issues/88) | Backend team |

## Lessons learned

- We declared the incident late.
"""


def test_a_table_after_a_follow_up_sentence_under_resolution_is_items() -> None:
    pm = parse(UNDER_RESOLUTION)
    assert explicit(pm) == [
        "Cap concurrent mirror syncs per client",
        "Shard the sync endpoint",
    ]
    assert by_title(pm, "Cap concurrent mirror syncs per client").owner == "Backend team"
    assert pm.has_action_section


NO_HEADINGS = """\
Our package index served stale pages for six hours on Monday.

The cache kept answering from a node whose disk had filled, and nobody was paged.

So that this does not happen again, we have made several changes and planned others:

1. A disk check now pages the on-call engineer before a cache node fills up.
2. Stale answers are dropped after ten minutes instead of kept for a day.
3. We will move the cache to the managed service next quarter.

We are sorry for the trouble this caused.
"""


def test_a_numbered_list_after_a_preventive_sentence_in_a_headingless_post() -> None:
    pm = parse(NO_HEADINGS)
    assert explicit(pm) == [
        "A disk check now pages the on-call engineer before a cache node fills up.",
        "Stale answers are dropped after ten minutes instead of kept for a day.",
        "We will move the cache to the managed service next quarter.",
    ]


AFTER_A_BREAK = """\
# Mirror outage

The mirror returned errors for an hour.

## Details

For the curious, the pull requests that fixed the mirror are:

- https://github.com/acme/mirror/pull/10
- https://github.com/acme/mirror/pull/11

We have since tidied the configuration further:

- https://github.com/acme/mirror/pull/12

---

The incident showed gaps in how we change the mirror. We have opened issues in the
acme/mirror tracker to follow the work needed to close them:

- https://github.com/acme/mirror/issues/20
- https://github.com/acme/mirror/issues/21
"""


def test_issue_links_after_a_ticket_sentence_are_items_and_done_links_are_not() -> None:
    pm = parse(AFTER_A_BREAK)
    assert explicit(pm) == [
        "https://github.com/acme/mirror/issues/20",
        "https://github.com/acme/mirror/issues/21",
    ]
    assert [ref.number for ref in by_title(pm, explicit(pm)[0]).references] == [20]


@pytest.mark.parametrize(
    "intro",
    [
        "We have:",
        "The changes we rolled out during the incident were:",
        "For the curious, the pull requests are:",
        "To prevent this, the following safeguards were already in place:",
        "The list was meant to:",
        "Restarting the workers resolved the problem:",
    ],
)
def test_an_ordinary_sentence_before_a_list_announces_nothing(intro: str) -> None:
    assert not announces(intro)
    doc = (
        f"# Blip\n\n## Resolution\n\n{intro}\n\n- Restart the workers\n- Page the on-call\n"
        "\n## Timeline\n\n- 10:00 Alert fired\n"
    )
    assert explicit(parse(doc)) == []


@pytest.mark.parametrize(
    "intro",
    [
        "We weathered it for now and created follow up action items:",
        "To prevent similar issues in the future, we have made a few changes:",
        "We filed three tickets to track the remaining work:",
        "To avoid a recurrence, we will:",
    ],
)
def test_a_follow_up_sentence_announces_the_list(intro: str) -> None:
    assert announces(intro)
    doc = f"# Blip\n\n## Resolution\n\n{intro}\n\n- Add a queue alert\n"
    assert explicit(parse(doc)) == ["Add a queue alert"]


def test_a_lead_in_sentence_without_a_list_after_it_is_no_item() -> None:
    doc = "# Blip\n\n## Resolution\n\nWe created follow-up action items:\n\nSee the tracker.\n"
    assert explicit(parse(doc)) == []


# -- a security disclosure is a post-mortem ---------------------------------------------

DISCLOSURE = """\
## Package mirror token scopes

On 3 May we found and fixed a vulnerability in how the mirror scoped its download tokens.

### GHSA-abcd-efgh-ijkl: tokens kept a scope after removal

A member removed from a team kept its scope until the token expired.

### What we changed in auditing

The grant records were deleted nightly. We made three changes:

1. **Grant records are archived before deletion.** The cleanup job
   now copies every row to write-once storage first.
1. **A standing scope check.** A nightly query lists every token
   whose scopes exceed its holder's membership.
1. **Account ids in the access log.** Each line now names the account.

### For team admins

Nothing needs to change on your side.
"""


def test_a_security_disclosure_is_read_as_a_post_mortem() -> None:
    pm = parse(DISCLOSURE)
    assert refusal(pm) is None
    assert explicit(pm) == [
        "Grant records are archived before deletion.",
        "A standing scope check.",
        "Account ids in the access log.",
    ]


SECURITY_POLICY = """\
# Security policy

## Supported versions

Only the latest release gets fixes.

## Reporting a vulnerability

Write to the security address; we answer within two days.

## What we do after a report

We confirm the problem and publish an advisory.
"""


def test_a_security_policy_is_still_refused() -> None:
    assert refusal(parse(SECURITY_POLICY)) is not None


def test_a_vulnerability_heading_alone_does_not_make_a_post_mortem() -> None:
    doc = "# Library\n\n## Vulnerability scanning\n\nRun the scanner.\n\n## Usage\n\nImport it.\n"
    assert refusal(parse(doc)) is not None


# -- numbered bold labels with a body under "Next steps" --------------------------------

NEXT_STEPS = """\
# Support mail sent to the wrong list

## What happened

A mailing-list alias pointed at every admin for a night.

## Next steps

We take this seriously, and we’re making concrete changes after this incident.

1. **Strip personal data from automated support mail.**
   We’re changing the automation so that those mails carry no names or addresses.
1. **Re-assess our mail provider's safeguards.**
   We're comparing providers for stronger guardrails on list routing.
1. **Fully automate list changes.**
   Manual edits will give way to reviewed, automated changes.
"""


def test_numbered_bold_labels_with_a_body_are_items_and_the_lead_in_is_not() -> None:
    assert explicit(parse(NEXT_STEPS)) == [
        "Strip personal data from automated support mail.",
        "Re-assess our mail provider's safeguards.",
        "Fully automate list changes.",
    ]


@pytest.mark.parametrize("apostrophe", ["'", "’"])
def test_an_intro_announcing_work_counts_whichever_apostrophe_it_has(apostrophe: str) -> None:
    doc = (
        f"# Blip\n\n## Next steps\n\nAfter this incident we{apostrophe}re adding safeguards.\n\n"
        "- Stricter reviews of list routing\n- Fully automated list edits\n"
    )
    assert explicit(parse(doc)) == [
        "Stricter reviews of list routing",
        "Fully automated list edits",
    ]


@pytest.mark.parametrize(
    "intro",
    [
        "We fixed it and created follow-up action items:",
        "To prevent similar issues, we've made these changes:",
        "We opened tickets to track the work:",
    ],
)
def test_the_readmes_lead_ins_announce_their_list(intro: str) -> None:
    doc = f"Our mirror was down for an hour.\n\n{intro}\n\n- Add a mirror health check\n"
    assert explicit(parse(doc)) == ["Add a mirror health check"]
