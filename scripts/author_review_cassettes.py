"""Author the cassettes of `followup report --post` (and, below, `followup remind`).

    python scripts/author_review_cassettes.py

The report a test posts is the one its store gives (tests/store/report_world.py, at a
fixed day), so its exact Markdown is computed here the same way and the exchanges of
keeping it as a comment are written from GitHub's `issue-comment` example: the first
post (list, create, list again), a second run that finds the same text (no write), and a
run after the numbers changed (one PATCH).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.review_github import rest_comment  # noqa: E402
from tests.store.report_world import TODAY, seed  # noqa: E402

from followup.github.comments import marked_body  # noqa: E402
from followup.policy import DEFAULT_POLICY  # noqa: E402
from followup.store import create_store_engine  # noqa: E402
from followup.sync import review  # noqa: E402
from followup.sync.review.markdown import render_markdown  # noqa: E402
from scripts.cassette_kit import Cassette  # noqa: E402

CASSETTES = ROOT / "tests" / "cassettes"
REPO = "octo-org/followup-scratch"
ISSUE = 42
COMMENTS = f"/repos/{REPO}/issues/{ISSUE}/comments"
KEPT_ID = 9101
HUMAN = rest_comment(
    REPO, ISSUE, 9001, "Weekly review thread: the bot keeps one report a week here.", login="dana"
)


def report_body() -> tuple[str, str]:
    """Return the marked body `followup report --post` sends for the seeded store, and its key."""
    with tempfile.TemporaryDirectory() as folder, pytest.MonkeyPatch.context() as patch:
        engine = create_store_engine(f"sqlite:///{Path(folder) / 'store.db'}")
        seed(engine, patch)
        report = review.make_report(engine, since=review.parse_since("7d", TODAY), today=TODAY)
        context = review.context_for(report, DEFAULT_POLICY, "7d")
        engine.dispose()
    key = context.period.key
    return marked_body(render_markdown(report, context), key), key


def report_cassettes() -> None:
    """Write tests/cassettes/test_report_cmd/*.yaml."""
    body, key = report_body()
    folder = CASSETTES / "test_report_cmd"
    page = f"{COMMENTS}?per_page=100"
    kept = rest_comment(REPO, ISSUE, KEPT_ID, body, at="2026-03-18T09:00:05Z")

    first = Cassette()
    first.add("GET", page, body=[HUMAN])
    first.add("POST", COMMENTS, status=201, body=kept, request={"body": body})
    first.add("GET", page, body=[HUMAN, kept])
    first.write(folder / "test_post_keeps_the_report_as_the_week_s_comment.yaml")

    again = Cassette()
    again.add("GET", page, body=[HUMAN, kept])
    again.write(folder / "test_posting_the_same_numbers_again_sends_no_write.yaml")

    old = rest_comment(
        REPO,
        ISSUE,
        KEPT_ID,
        marked_body("## Post-mortem follow-ups: last Monday's numbers\n", key),
        at="2026-03-16T09:00:00Z",
    )
    changed = Cassette()
    changed.add("GET", page, body=[HUMAN, old])
    changed.add(
        "PATCH",
        f"/repos/{REPO}/issues/comments/{KEPT_ID}",
        body=kept | {"updated_at": "2026-03-18T09:00:06Z"},
        request={"body": body},
    )
    changed.write(folder / "test_new_numbers_update_the_week_s_comment_in_place.yaml")


# -- followup remind ------------------------------------------------------------------

REMIND_TODAY = TODAY  # 2026-03-18
ISSUES = f"/repos/{REPO}/issues?labels=followup&state=open&per_page=100"


def _issue_body(item_id: str, title: str, owner: str | None, due: str) -> str:
    from followup.github.issue_mapping import item_marker

    lines = [f"Action item from a post-mortem: **{title}**", ""]
    if owner:
        lines.append(f"- **Owner:** @{owner}")
    lines += [f"- **Due:** {due}", "- **Priority:** P1", "", item_marker(item_id, "queue")]
    return "\n".join(lines)


def remind_issues() -> list[dict[str, object]]:
    """Return the open followup issues the remind tests read."""
    from tests.review_github import rest_issue

    return [
        rest_issue(
            REPO,
            3,
            "Page on queue depth",
            _issue_body("k3v9q2m", "Page on queue depth", "dana", "2026-03-01"),
            assignees=("dana",),
        ),
        rest_issue(
            REPO,
            4,
            "Write the runbook",
            _issue_body("r7w2x8p", "Write the runbook", "lee", "2026-04-01"),
        ),
        rest_issue(
            REPO,
            5,
            "Nobody's task",
            _issue_body("n5b6c7d", "Nobody's task", None, "2026-02-01"),
        ),
    ]


def remind_body() -> tuple[str, str]:
    """Return the first reminder of issue 3 as followup posts it, and its key."""
    from datetime import date, timedelta

    from followup.sync.remind_schedule import reminder_key
    from followup.sync.remind_text import Overdue, reminder_text

    item = Overdue(
        "k3v9q2m",
        "Page on queue depth",
        REPO,
        3,
        f"https://github.com/{REPO}/issues/3",
        "dana",
        date(2026, 3, 1),
    )
    key = reminder_key(item.item_id, item.due, "dana", 0)
    text = reminder_text(item, today=REMIND_TODAY, next_wait=timedelta(days=7), n=0)
    return marked_body(text, key), key


def remind_cassettes() -> None:
    """Write tests/cassettes/test_remind_cmd/*.yaml."""
    from datetime import date

    from followup.sync.remind_text import Overdue, digest_text

    folder = CASSETTES / "test_remind_cmd"
    issues = remind_issues()
    body, _key = remind_body()
    three = f"/repos/{REPO}/issues/3/comments"
    human = rest_comment(
        REPO, 3, 9201, "Still on the list for this sprint.", login="lee", at="2026-03-02T10:00:00Z"
    )
    ours = rest_comment(REPO, 3, 9202, body, at="2026-03-18T09:00:05Z")

    once = Cassette()
    once.add("GET", ISSUES, body=issues)
    once.add("GET", f"{three}?per_page=100", body=[human])  # the plan
    once.add("GET", f"{three}?per_page=100", body=[human])  # keep_comment's look
    once.add("POST", three, status=201, body=ours, request={"body": body})
    once.add("GET", f"{three}?per_page=100", body=[human, ours])
    # The rerun: the reminder is there, its week has not passed.
    once.add("GET", ISSUES, body=issues)
    once.add("GET", f"{three}?per_page=100", body=[human, ours])
    once.write(folder / "test_remind_posts_once_and_a_rerun_waits.yaml")

    dry = Cassette()
    dry.add("GET", ISSUES, body=issues)
    dry.add("GET", f"{three}?per_page=100", body=[human])
    dry.write(folder / "test_a_dry_run_reads_and_writes_nothing.yaml")

    overdue = [
        Overdue(
            "n5b6c7d",
            "Nobody's task",
            REPO,
            5,
            f"https://github.com/{REPO}/issues/5",
            None,
            date(2026, 2, 1),
        ),
        Overdue(
            "k3v9q2m",
            "Page on queue depth",
            REPO,
            3,
            f"https://github.com/{REPO}/issues/3",
            "dana",
            date(2026, 3, 1),
        ),
    ]
    text = digest_text(overdue, today=REMIND_TODAY, period="2026-W12")
    digest = marked_body(text, "digest:2026-W12")
    review = f"/repos/{REPO}/issues/{ISSUE}/comments"
    kept = rest_comment(REPO, ISSUE, 9301, digest, at="2026-03-18T09:00:06Z")
    weekly = Cassette()
    weekly.add("GET", ISSUES, body=issues)
    weekly.add("GET", f"{review}?per_page=100", body=[HUMAN])
    weekly.add("POST", review, status=201, body=kept, request={"body": digest})
    weekly.add("GET", f"{review}?per_page=100", body=[HUMAN, kept])
    weekly.write(folder / "test_the_digest_is_one_comment_on_the_review_issue.yaml")


def main() -> None:
    """Write every cassette this script authors."""
    report_cassettes()
    remind_cassettes()
    print("wrote the cassettes of test_report_cmd and test_remind_cmd")


if __name__ == "__main__":
    main()
