"""Classes of text met in a third set of unseen post-mortems, and their near-misses.

Each fixture is written for the project: steps addressed to readers under "Next steps",
measures already taken under "Mitigations", one remediation per subheading, bold labels
each described by one nested entry, a link to an issue search standing for the items,
"Remediation:" paragraphs beside a cause, and a lead-in naming who does the list below.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from followup.postmortem import PostMortem, parse, read
from followup.postmortem.sections import Role, role
from followup.postmortem.suggestions import commitment, commitments
from tests.postmortem.picking import by_title, explicit, suggested

FIXTURES = Path(__file__).parent / "fixtures"


def load(name: str) -> PostMortem:
    return read(FIXTURES / name)


# -- guidance addressed to readers -------------------------------------------------------


def test_steps_for_readers_under_next_steps_are_no_items() -> None:
    pm = load("reader-steps.md")
    assert explicit(pm) == ["Version-gated queue format", "Check queue files at startup"]


@pytest.mark.parametrize(
    "intro",
    [
        "Tenant admins should now:",
        "Node operators must:",
        "All users should:",
    ],
)
def test_a_list_told_to_an_audience_is_no_item(intro: str) -> None:
    pm = parse(
        f"# Blip\n\n## Next steps\n\n{intro}\n\n1. Upgrade their agents\n2. Re-sync their data\n"
    )
    assert explicit(pm) == []


@pytest.mark.parametrize(
    "entry",
    [
        "Cluster operators should pin the agent to 7.0.3.",
        "Ensure your agent is not set to start on login",
        "Make sure that your tokens are rotated",
    ],
)
def test_an_entry_addressed_to_readers_is_dropped(entry: str) -> None:
    pm = parse(f"# Blip\n\n## Action items\n\n- Add a drain step to the runbook\n- {entry}\n")
    assert explicit(pm) == ["Add a drain step to the runbook"]


def test_a_rule_about_users_the_team_must_write_down_stays_an_item() -> None:
    pm = parse(
        "# Blip\n\n## Action items\n\n"
        "- Document that users should not rely on block times before 2.0\n"
    )
    assert explicit(pm) == ["Document that users should not rely on block times before 2.0"]


def test_a_how_to_subsection_is_no_item() -> None:
    pm = parse(
        "# Blip\n\n## Next steps\n\n### Rotate the tokens\n\n- Rotate the deploy token\n\n"
        "### Upgrading\n\nHow to upgrade an agent by hand.\n\n- Download the release\n"
        "- Replace the binary\n"
    )
    assert explicit(pm) == ["Rotate the deploy token"]


def test_numbered_steps_with_a_command_are_a_procedure() -> None:
    pm = parse(
        "# Blip\n\n## Next steps\n\n1. Stop the agent\n2. `rm -rf /var/cache/agent`\n"
        "3. Start the agent\n"
    )
    assert explicit(pm) == []


def test_an_item_naming_a_command_stays_an_item() -> None:
    pm = parse(
        "# Blip\n\n## Action items\n\n- Add `--dry-run` to the importer\n"
        "- Make `importer --resume` the default\n"
    )
    assert explicit(pm) == ["Add --dry-run to the importer", "Make importer --resume the default"]


@pytest.mark.parametrize(
    "heading",
    ["Client releases and resources", "Useful links", "Further reading", "Downloads"],
)
def test_a_heading_that_only_points_elsewhere_holds_no_items(heading: str) -> None:
    assert role(heading) is Role.OTHER
    pm = parse(f"# Blip\n\n## Next steps\n\n### {heading}\n\n- [Agent 7.0.3](https://x.io/a)\n")
    assert explicit(pm) == []


# -- lesson-like words qualifying the actions ------------------------------------------------


@pytest.mark.parametrize("heading", ["Root cause remediations", "Root cause fixes"])
def test_root_cause_remediations_are_an_action_section(heading: str) -> None:
    assert role(heading) is Role.ACTION
    pm = parse(
        f"# Blip\n\n## Root cause analysis\n\nA bad parser.\n\n### {heading}\n\n"
        "- Clients implemented a fix for parsing the logs\n- Add a fuzz test for the parser\n"
    )
    assert explicit(pm) == [
        "Clients implemented a fix for parsing the logs",
        "Add a fuzz test for the parser",
    ]


def test_lessons_and_action_items_is_not_read_as_root_cause_style() -> None:
    # "and" joins two sections; the lesson words do not qualify the actions.
    assert role("Lessons learned and action items") is Role.OTHER


def test_a_pair_of_remediation_subheadings_is_named_alike() -> None:
    pm = load("reader-steps.md")
    assert by_title(pm, "Version-gated queue format").line == 54


def test_a_pair_of_topics_stays_topics() -> None:
    pm = parse(
        "# Blip\n\n## Action items\n\n### Monitoring\n\n- Alert on queue depth\n\n"
        "### Deploys\n\n- Gate deploys on the canary\n"
    )
    assert explicit(pm) == ["Alert on queue depth", "Gate deploys on the canary"]


# -- measures already taken ---------------------------------------------------------------


def test_done_mitigations_are_no_items_but_the_labels_ahead_are() -> None:
    pm = load("done-mitigations.md")
    assert explicit(pm) == ["Worker health checks", "Stale quote alerting", "Load testing"]


def test_done_measures_under_a_strong_heading_stay_done_items() -> None:
    pm = parse(
        "# Blip\n\n## Remediations\n\n- The freshness check has been patched\n"
        "- Customers were credited for the outage\n"
    )
    assert explicit(pm) == [
        "The freshness check has been patched",
        "Customers were credited for the outage",
    ]


def test_open_work_under_mitigations_stays_items() -> None:
    pm = parse(
        "# Blip\n\n## Mitigations\n\n- The worker was restarted at 09:12\n"
        "- Add a liveness probe to the worker\n"
    )
    assert explicit(pm) == [
        "The worker was restarted at 09:12",
        "Add a liveness probe to the worker",
    ]


def test_a_bold_label_over_one_order_keeps_the_order_as_a_sub_item() -> None:
    pm = parse("# Blip\n\n## Action items\n\n1. **Worker health**\n   - Add a liveness probe\n")
    assert explicit(pm) == ["Worker health", "Add a liveness probe"]


# -- where the items live, and labels beside a cause ----------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "https://github.com/example/relay/issues?q=is%3Aissue+label%3Aincident-12",
        "- [Open follow-ups](https://github.com/example/relay/issues?q=label%3Afollowup)",
        "https://example.atlassian.net/issues/?jql=labels%3Dincident-12",
    ],
)
def test_a_link_to_an_issue_search_is_no_item(line: str) -> None:
    pm = parse(f"# Blip\n\n## Action items\n\n{line}\n")
    assert explicit(pm) == []


def test_a_link_to_one_issue_is_still_an_item() -> None:
    pm = parse("# Blip\n\n## Action items\n\nhttps://github.com/example/relay/issues/12\n")
    assert [item.references[0].number for item in pm.items] == [12]


def test_remediation_paragraphs_beside_a_cause_are_items() -> None:
    pm = load("lead-ins.md")
    done = by_title(
        pm,
        "To prevent this from happening again, we changed the exporter to read the partner "
        "list from the database on every run.",
    )
    assert done.done
    assert not by_title(
        pm, "Add a row-count check that fails the export when a partner is missing."
    ).done


def test_a_lead_in_names_the_owner_and_the_deadline_of_the_list() -> None:
    pm = load("lead-ins.md")
    item = pm.items[-1]
    assert item.title.startswith("Partner notice: Email every affected partner")
    assert (item.owner, item.due_text, item.done) == (
        "finance tooling team",
        "before the next exporter release",
        False,
    )
    assert len(explicit(pm)) == 3  # "We did the following:" recounts; "Outcome:" is no label


def test_a_lead_in_that_only_recounts_gives_nothing() -> None:
    pm = parse(
        "# Blip\n\n## Summary\n\nWe did the following:\n\n- Restarted the worker\n\n"
        "Teams should consider the following:\n\n- Pin the agent\n"
    )
    assert explicit(pm) == []
    assert suggested(pm) == []


def test_an_order_with_a_perfect_clause_is_open_work() -> None:
    pm = parse(
        "# Blip\n\n## Action items\n\n"
        "- Partner notice: Ensure partners have been notified a week ahead of any downtime\n"
        "- Ensure every partner has been notified of the change\n"
        "- The partner list has been moved to the database\n"
    )
    assert [item.done for item in pm.items] == [False, False, True]


def test_a_section_of_measures_taken_raises_no_warning() -> None:
    pm = load("done-mitigations.md")
    assert not [w for w in pm.warnings if "Mitigations" in w]


def test_a_note_under_a_labelled_item_can_mark_it_done() -> None:
    pm = parse(
        "# Blip\n\n## Lessons learned\n\n### Alerts\n\n"
        "Action point: add a page for stuck workers.\n- This has been done, see the runbook.\n\n"
        "Action point: add a dashboard for queue depth.\n- It would help on-call too.\n"
    )
    assert [(item.title, item.done) for item in pm.items] == [
        ("add a page for stuck workers.", True),
        ("add a dashboard for queue depth.", False),
    ]


# -- a heading for lessons and actions together -----------------------------------------------


def test_the_task_list_under_lessons_and_action_items_is_the_actions() -> None:
    pm = load("mixed-lessons.md")
    assert [(item.title, item.done) for item in pm.items if not item.suggested] == [
        ("Alert when a backup is under half the size of the previous one", False),
        ("Add the restore drill to the monthly on-call checklist", True),
    ]
    assert suggested(pm) == ["Run the restore drill every month"]


def test_a_task_list_under_lessons_alone_stays_lessons() -> None:
    text = (FIXTURES / "mixed-lessons.md").read_text()
    pm = parse(text.replace("## Lessons learned and action items", "## Lessons learned"))
    assert explicit(pm) == []


# -- commitments written in prose -----------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "title"),
    [
        (
            "Going forward, rather than using the primary for exports, a replica will be used "
            "to run them.",
            "A replica will be used to run them",
        ),
        (
            "This leaves little time to warn partners, which we'll avoid going forward.",
            "Avoid going forward: This leaves little time to warn partners",
        ),
        (
            "We have begun retooling our token service to allow faster rotation.",
            "Retool our token service to allow faster rotation",
        ),
        (
            "We have also started the process of retiring two old build services.",
            "Retire two old build services",
        ),
        (
            "We'll be more actively using the status page to report upgrades going forward.",
            "Use the status page to report upgrades going forward",
        ),
    ],
)
def test_more_ways_to_commit_in_prose(sentence: str, title: str) -> None:
    assert commitment(sentence) == (title, None)


@pytest.mark.parametrize(
    "sentence",
    [
        "The export data will be used to tune the alerts.",
        "A call will be hosted at 15:00 UTC for operators to coordinate.",
        "This leaves little time to warn partners, which we'll discuss next week.",
        "Additionally, we are implementing safeguards to prevent similar incidents in the future.",
        "We have put measures in place to prevent this from happening again.",
        "We have started seeing fewer errors since the fix.",
    ],
)
def test_prose_that_commits_to_nothing_new(sentence: str) -> None:
    assert commitment(sentence) is None


def test_they_after_a_named_team_is_that_teams_commitment() -> None:
    found = commitments(
        "The storage team moved the index to SSDs last week. They are also going to review "
        "the compaction settings on every cluster."
    )
    assert [(c.title, c.owner) for c in found] == [
        ("Review the compaction settings on every cluster", "storage team")
    ]


def test_they_after_anyone_else_commits_no_one() -> None:
    assert commitments("Several users reported errors. They are going to retry tonight.") == []


def test_a_short_topic_beside_an_item_heading_keeps_its_lines_as_items() -> None:
    pm = parse(
        "# Blip\n\n## Summary\n\nA blip.\n\n## Action items\n\n### Monitoring\n\n"
        "Add an alert on queue depth.\n\n### Add a canary stage to deploys\n\n"
        "Deploy to one percent of hosts first.\n"
    )
    assert explicit(pm) == ["Add an alert on queue depth.", "Add a canary stage to deploys"]


def test_steps_to_prevent_recurrence_is_no_how_to() -> None:
    pm = parse(
        "# Blip\n\n## Action items\n\n### Steps to prevent recurrence\n\n"
        "Steps to prevent recurrence, agreed at the review:\n\n- Gate deploys on the canary\n"
    )
    assert explicit(pm) == ["Gate deploys on the canary"]


def test_options_under_bold_labels_after_an_intro_stay_an_account() -> None:
    pm = parse(
        "# Blip\n\n## Action items\n\nWe looked at two ways out:\n\n"
        "- **Postgres**\n  - Move the ledger to Postgres\n"
        "- **Sharding**\n  - Split the ledger by tenant\n"
    )
    assert explicit(pm) == []


def test_a_remediation_that_only_recovered_is_the_response() -> None:
    pm = parse(
        "# Blip\n\n## Root cause\n\n### 1. Full disk\n\n**Impact:** Writes failed.\n\n"
        "**Remediation:** We restarted the pods and cleared the disk.\n"
    )
    assert explicit(pm) == []


def test_further_mitigations_under_a_root_cause_look_ahead_again() -> None:
    pm = parse(
        "# Blip\n\n## Root cause analysis\n\nThe compactor stalled on large tables.\n\n"
        "### Further mitigations and learnings\n\n"
        "The storage team moved the index to SSDs. They are also going to review the "
        "compaction settings on every cluster.\n"
    )
    assert suggested(pm) == ["Review the compaction settings on every cluster"]
    assert pm.items[0].owner == "storage team"


def test_a_mitigation_told_in_the_incident_account_stays_the_account() -> None:
    pm = parse(
        "# Blip\n\n## Incident response\n\nThe compactor stalled.\n\n### Mitigation\n\n"
        "We will roll back the compactor and review the settings on every cluster.\n"
    )
    assert suggested(pm) == []
