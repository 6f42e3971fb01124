"""Commitments written in prose the ways teams write them, and the sentences that only look so.

A promise tied to a moment to come ("Once X, we will ..."), work tracked or under way, a plan
listing its steps, "we should" that looks ahead or goes on from a commitment, a passive goal
set from now on, and a promise to write down what was just said. Near-misses: the story,
lessons, timeline entries, hypotheses, advice, wishes and predictions.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from followup.postmortem import parse, read
from followup.postmortem.suggestions import commitment, commitments, promised_in
from tests.postmortem.picking import by_title, explicit, suggested

FIXTURES = Path(__file__).parent / "fixtures"


def test_each_way_of_writing_a_commitment_is_suggested_and_only_those() -> None:
    pm = read(FIXTURES / "prose-phrasings.md")
    assert explicit(pm) == []
    assert suggested(pm) == [
        "Check that every node has loaded it before switching the gateway",
        "Retire the rotation script",
        "Add a key-mismatch alert",
        "Write a rotation runbook",
        "Load keys from the secrets store at start-up",
        "Move the web nodes to the shared session store",
        "Replace the gateway client library",
        "Migrate the key files into the secrets store",
        "Rotate keys without any restart",
        "Stage every rotation on one node first",
        "Shorten the rotation window to a few seconds",
        "Rotation scripts should be reviewed by a second engineer",
        "Add to the runbook: A rotation must finish on every node before the gateway switches",
    ]
    # The promise to write the rule down carries the rule: its text spans both sentences.
    runbook = by_title(pm, suggested(pm)[-1])
    assert runbook.text.startswith("A rotation must finish") and runbook.text.endswith("runbook.")


# -- a promise tied to a moment still to come --------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "title"),
    [
        (
            "Once the new queue is live, we will delete the old consumers.",
            "Delete the old consumers",
        ),
        ("Once the new queue is live we'll delete the old consumers.", "Delete the old consumers"),
        (
            "When we merge a schema change, we need to run the backfill the same day.",
            "Run the backfill the same day",
        ),
        ("When a change is merged, we will deploy it within a day.", "Deploy it within a day"),
        ("After the freeze, we will upgrade the brokers.", "Upgrade the brokers"),
        ("Before the next release, we're going to add a canary stage.", "Add a canary stage"),
        # The story, a hypothesis, what will only be seen or known, a habit described.
        ("When we noticed the backlog, we needed to restart the consumers.", None),
        ("Once the brokers were restarted, we will never know what was lost.", None),
        ("When we rolled back, we will add a canary stage.", None),
        ("If the backlog grows again, we will add consumers.", None),
        ("When the backlog grows, we will see the alert.", None),
        ("When a broker fails, we will usually drain it.", None),
        ("Once this is done, we will be able to fail over.", None),
        ("When in doubt, we should roll back first.", None),
        ("When we merge, we need to add this to the runbook.", None),
    ],
)
def test_a_promise_tied_to_a_moment_to_come(sentence: str, title: str | None) -> None:
    found = commitment(sentence)
    assert (found[0] if found else None) == title


# -- work tracked, under way, started, or a plan's steps -----------------------------------


@pytest.mark.parametrize(
    ("sentence", "title"),
    [
        (
            "We have opened an issue to add a lag alert on the replica.",
            "Add a lag alert on the replica",
        ),
        ("There is now a ticket (#12) for adding a lag alert.", "Add a lag alert"),
        ("Adding a lag alert on the replica is tracked in #42.", "Add a lag alert on the replica"),
        (
            "Work is underway to move the cron jobs to the scheduler.",
            "Move the cron jobs to the scheduler",
        ),
        ("Work has started on a managed session store.", "Work on a managed session store"),
        ("We have started migrating the cron jobs.", "Migrate the cron jobs"),
        ("We've started to move the cron jobs.", "Move the cron jobs"),
        ("We are in the process of migrating the cron jobs.", "Migrate the cron jobs"),
        (
            "Our remediation plan is to rebuild the index from the primary.",
            "Rebuild the index from the primary",
        ),
        ("Next steps are to split the queue by tenant.", "Split the queue by tenant"),
        (
            "We will need to rebuild the index from the primary.",
            "Rebuild the index from the primary",
        ),
        ("We'll have to rotate every deploy key.", "Rotate every deploy key"),
        ("We still need to add a lag alert.", "Add a lag alert"),
        # Reports, not work of ours; a thing with no verb; what only points back.
        ("We opened a ticket with the vendor to ask for a higher quota.", None),
        ("We opened a ticket to ask the vendor for a higher quota.", None),
        ("There is a task to restart the pods every night.", None),
        ("There is now an issue to track this.", None),
        ("The issue was tracked in #12.", None),
        ("Work has started on this.", None),
        ("Work is underway to understand the cause.", None),
        ("We have started seeing fewer errors.", None),
        ("We have started the rollback.", None),
        ("Next steps are to be decided.", None),
        ("The plan was to roll back.", None),
        ("Our top priority is to make sure this never happens again.", None),
        ("Our plan is to share an update here next week.", None),
        ("We plan to not do that again.", None),
    ],
)
def test_work_tracked_under_way_or_planned(sentence: str, title: str | None) -> None:
    found = commitment(sentence)
    assert (found[0] if found else None) == title


@pytest.mark.parametrize(
    ("sentence", "title"),
    [
        ("We are working to cut the failover time.", "Cut the failover time"),
        (
            "We are actively working with the vendor to raise our quota.",
            "Raise our quota",
        ),
        ("We're taking several measures to harden the build hosts.", "Harden the build hosts"),
        ("We have a plan to replace the load balancer.", "Replace the load balancer"),
        ("We have kicked off a project to replace the load balancer.", "Replace the load balancer"),
        ("We have started an effort to merge our dashboards.", "Merge our dashboards"),
        ("We have begun work on a managed session store.", "Work on a managed session store"),
        (
            "Our engineering team is working on a new failover process.",
            "Work on a new failover process",
        ),
        ("The storage and network teams will rotate all deploy keys.", "Rotate all deploy keys"),
        ("We will be conducting a review of our alerting.", "Conduct a review of our alerting"),
        (
            "A failover drill is planned for the next quarter.",
            "A failover drill is planned for the next quarter",
        ),
        (
            "Improvements to the deploy pipeline are planned.",
            "Improvements to the deploy pipeline are planned",
        ),
        ("A fix will be shipped in the next release.", "A fix will be shipped in the next release"),
        ("We've added a lag alert to our backlog.", "A lag alert"),
        (
            "Adding retries to the client has been added to our roadmap.",
            "Add retries to the client",
        ),
        ("Our action items are to add a lag alert.", "Add a lag alert"),
        (
            "We plan on moving the cron jobs to the scheduler.",
            "Move the cron jobs to the scheduler",
        ),
        (
            "We are planning on moving the cron jobs to the scheduler.",
            "Move the cron jobs to the scheduler",
        ),
        ("We are planning a move to the scheduler.", "Plan a move to the scheduler"),
        ("We've opened a PR to add a lag alert.", "Add a lag alert"),
        ("There is an open pull request to add a lag alert.", "Add a lag alert"),
        ("The memory leak is being investigated.", "The memory leak is being investigated"),
        ("We're going to need to rebuild the index.", "Rebuild the index"),
        ("We plan on it.", None),
        ("The cause is being investigated.", None),
        (
            "We need to make sure that every deploy is tagged.",
            "Make sure that every deploy is tagged",
        ),
        # Resolves and routines, whatever the wording around them.
        ("We will make sure this does not happen again.", None),
        ("We will ensure this does not happen again.", None),
        ("We are taking steps to prevent this from happening again.", None),
        ("We will work to reduce the likelihood of this happening again.", None),
        ("We are working hard to prevent future incidents.", None),
        ("We will do everything we can to avoid a repeat.", None),
        ("We are focused on providing a reliable service.", None),
        ("Backups are scheduled nightly.", None),
        ("Our deploys are scheduled through the release train.", None),
        ("The maintenance was planned for weeks.", None),
        ("A drill is planned.", None),
        ("A full post-mortem will be released next week.", None),
        ("We have added this to the backlog.", None),
    ],
)
def test_work_aimed_at_planned_or_queued(sentence: str, title: str | None) -> None:
    found = commitment(sentence)
    assert (found[0] if found else None) == title


@pytest.mark.parametrize(
    ("sentence", "title"),
    [
        ("I'll add a check to the release script.", "Add a check to the release script"),
        ("I'm going to add a check to the release script.", "Add a check to the release script"),
        ("I am adding a check to the release script.", "Add a check to the release script"),
        ("My plan is to pin the base image.", "Pin the base image"),
        # The author steering the reader, or a feeling.
        ("I will now describe what happened.", None),
        ("We will now walk through the timeline.", None),
        ("We will start with some background.", None),
        ("I'll be honest about what went wrong.", None),
        ("I am writing this on behalf of the team.", None),
        ("I'm sorry for the disruption.", None),
    ],
)
def test_a_single_author_commits_too(sentence: str, title: str | None) -> None:
    found = commitment(sentence)
    assert (found[0] if found else None) == title


def test_a_plan_listing_its_steps_gives_one_suggestion_per_step() -> None:
    found = commitments("Our next steps are to add a lag alert, and to document the failover.")
    assert [c.title for c in found] == ["Add a lag alert", "Document the failover"]
    assert [
        c.title for c in commitments("We will add a lag alert and to be fair, it is late.")
    ] == ["Add a lag alert and to be fair, it is late"]


# -- "should", "must", "want to": when they look ahead, or go on from a commitment ---------


@pytest.mark.parametrize(
    ("sentence", "title"),
    [
        ("Longer term, we want to split the monolith.", "Split the monolith"),
        ("To prevent this, we should add a lag alert.", "Add a lag alert"),
        ("Next quarter, we must retire the old bastion.", "Retire the old bastion"),
        (
            "We should page the owner of a failing job going forward.",
            "Page the owner of a failing job going forward",
        ),
        ("In the future, we should strive to keep releases small.", "Keep releases small"),
        (
            "Going forward, config changes should be reviewed by a second engineer.",
            "Config changes should be reviewed by a second engineer",
        ),
        (
            "Lag alerts should be added to every replica going forward.",
            "Lag alerts should be added to every replica going forward",
        ),
        (
            "Our runbook needs to be updated for the new failover.",
            "Our runbook needs to be updated for the new failover",
        ),
        # Lessons, wishes and predictions.
        ("We should add a lag alert.", None),
        ("We must also document the restore drill.", None),
        ("We also want to make the deploy script idempotent.", None),
        ("Changes should be deployed one at a time.", None),
        ("Certificates need to be renewed every 90 days.", None),
        ("In the future, we should expect more traffic on launch days.", None),
        ("Going forward, we want to make sure this never happens again.", None),
        ("Long term, we want to be the most reliable host.", None),
        ("In the future, this should be caught by the new alert.", None),
        ("As a result, we should have caught this in staging.", None),
        ("We should strive to do better.", None),
    ],
)
def test_should_and_want_to_commit_only_when_looking_ahead(
    sentence: str, title: str | None
) -> None:
    found = commitment(sentence)
    assert (found[0] if found else None) == title


@pytest.mark.parametrize(
    ("paragraph", "titles"),
    [
        (
            "In the future we will deploy hotfixes from the released commit. We should also "
            "shorten the time changes wait in main.",
            ["Deploy hotfixes from the released commit", "Shorten the time changes wait in main"],
        ),
        (
            "We will add a lag alert. Config changes should be reviewed twice.",
            ["Add a lag alert", "Config changes should be reviewed twice"],
        ),
        ("We added a lag alert. We should also review the thresholds.", []),
        ("We will add a lag alert. We should have had one before.", ["Add a lag alert"]),
        ("We will add a lag alert. We should be more careful.", ["Add a lag alert"]),
        (
            "We will add a lag alert. The failover took an hour. We should review the runbook.",
            ["Add a lag alert"],
        ),
    ],
)
def test_a_should_goes_on_from_the_commitment_just_before(
    paragraph: str, titles: list[str]
) -> None:
    assert [c.title for c in commitments(paragraph)] == titles


# -- a rule set from now on, and predictions that only look like one ----------------------


@pytest.mark.parametrize(
    ("sentence", "title"),
    [
        (
            "From now on, every schema change will require a second review.",
            "Every schema change will require a second review",
        ),
        ("Going forward, traffic will double every year.", None),
        ("Going forward, this will be less likely.", None),
        ("From now on, you will see a banner.", None),
        ("Defining a process will help us avoid this in the future.", None),
        ("Every schema change will require a second review.", None),
    ],
)
def test_a_rule_set_from_now_on(sentence: str, title: str | None) -> None:
    found = commitment(sentence)
    assert (found[0] if found else None) == title


# -- a promise to write down what the sentence before said --------------------------------


@pytest.mark.parametrize(
    ("paragraph", "titles"),
    [
        (
            "Restores must be tested monthly. We will add this to the runbook.",
            ["Add to the runbook: Restores must be tested monthly"],
        ),
        (
            "Restores must be tested monthly. We need to document this.",
            ["Document: Restores must be tested monthly"],
        ),
        # Added where? Said by whom? Only discussed, or advice to readers.
        ("Restores must be tested monthly. We will add this.", []),
        ("Restores must be tested monthly. We will fix it.", []),
        ("We will test restores monthly. We will document this.", ["Test restores monthly"]),
        ("Our on-call rota is thin. We need to discuss this.", []),
        ("Restores must be tested monthly. You will want to add this to your runbook.", []),
        ("Restores must be tested monthly. We added this to the runbook.", []),
    ],
)
def test_a_promise_to_write_down_what_was_just_said(paragraph: str, titles: list[str]) -> None:
    assert [c.title for c in commitments(paragraph)] == titles


# -- the quick test lets each phrasing through, and most prose not ------------------------


@pytest.mark.parametrize(
    ("text", "promising"),
    [
        ("Work is underway to move the cron jobs.", True),
        ("Adding a lag alert is tracked in #42.", True),
        ("We have opened an issue to add a lag alert.", True),
        ("We have started migrating the cron jobs.", True),
        ("Longer term, we want to split the monolith.", True),
        ("Our next steps are to add a lag alert.", True),
        ("We are in the process of migrating the cron jobs.", True),
        ("We're taking several measures to harden the build hosts.", True),
        ("A failover drill is planned for the next quarter.", True),
        ("We've added a lag alert to our backlog.", True),
        ("We have kicked off a project to replace the load balancer.", True),
        ("We've opened a PR to add a lag alert.", True),
        ("The memory leak is being investigated.", True),
        ("We plan on moving the cron jobs to the scheduler.", True),
        ("I\u2019m adding a check to the release script.", True),
        ("The replica lagged for an hour and the alert stayed quiet.", False),
    ],
)
def test_the_quick_test_lets_each_phrasing_through(text: str, promising: bool) -> None:
    assert promised_in(text.encode()) is promising


def test_lessons_timeline_and_recovery_give_no_suggestion_however_phrased() -> None:
    pm = parse(
        "# Blip\n\n## Timeline\n\n- 10:02 Once the queue drains, we will restart the workers\n\n"
        "## Recovery\n\nWhen the queue drained, we had to restart the workers.\n\n"
        "## Lessons learned\n\n- In the future we should alert on queue depth.\n"
        "- Work is underway to add a depth alert.\n"
    )
    assert pm.items == ()


@pytest.mark.parametrize(
    ("heading", "paragraph", "title"),
    [
        # Lessons look back, but a sentence that itself looks ahead is a promise there.
        (
            "Lessons learned",
            "Going forward, we'll page the owner of a queue when it backs up.",
            "Page the owner of a queue when it backs up",
        ),
        (
            "What we learned",
            "The cache hid the fault for an hour. In the future we will log every cache miss.",
            "Log every cache miss",
        ),
        (
            "What went well",
            "From now on we will keep a spare replica warm.",
            "Keep a spare replica warm",
        ),
        # Without a look ahead, a lesson's "we will" may be the story or a resolve.
        ("Lessons learned", "We will add a dashboard for the queue.", None),
        # A lesson phrased with "should" stays a lesson, looking ahead or not.
        ("Lessons learned", "Going forward we should page the owner of a queue.", None),
        # The incident's own account holds no promise at all.
        ("Resolution", "Going forward we will page the owner of a queue.", None),
        ("Timeline", "- 10:05 Going forward we will page the owner of a queue.", None),
        ("Root cause", "In the future we will log every cache miss.", None),
    ],
)
def test_a_lesson_that_looks_ahead_itself_is_a_promise(
    heading: str, paragraph: str, title: str | None
) -> None:
    pm = parse(
        f"# Queue backlog\n\n## Summary\n\nThe queue backed up.\n\n## {heading}\n\n{paragraph}\n"
    )
    assert explicit(pm) == []
    assert suggested(pm) == ([title] if title else [])
