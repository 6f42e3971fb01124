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


def main() -> None:
    """Write every cassette this script authors."""
    report_cassettes()
    print("wrote the cassettes of test_report_cmd")


if __name__ == "__main__":
    main()
