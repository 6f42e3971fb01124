"""One comment per key on a pull request: created, updated, left alone, never two.

The single-run cases replay cassettes in GitHub's shapes (authored: see
tests/cassettes/README.md, "Kept comments"); the races and the failures that need a
GitHub keeping state between requests run against tests/fakegithub.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
import requests

from followup.github import ClientOptions, Forbidden, GitHub, NotFound, Response
from followup.github.comments import comment_marker, has_marker, marked_body
from followup.sync.comments import CommentFailed, KeptComment, keep_comment
from tests import review_github
from tests.fakegithub import LOOPBACK, FakeGitHub
from tests.github.test_client import FakeTime

PR = 42
KEY = "plan:42"
BOT = review_github.BOT
PLAN = "### followup: what merging this pull request files\n\n2 issues would be filed."
NEW_PLAN = "### followup: what merging this pull request files\n\n3 issues would be filed."
QUOTING = f"Looks good. The bot keeps its plan in a comment ending with `{comment_marker(KEY)}`."
OTHER_KEY = "report:2026-W47"


def rest_comment(
    repo: str, comment_id: int, body: str, *, login: str = BOT, at: str = "2026-11-21T09:00:00Z"
) -> dict[str, Any]:
    """Return GitHub's object for a comment on the pull request PR."""
    return review_github.rest_comment(repo, PR, comment_id, body, login=login, at=at, page="pull")


@pytest.fixture
def client(github_token: str) -> GitHub:
    fake_time = FakeTime()
    options = ClientOptions(write_interval=0, backoff=0)
    return GitHub(github_token, options, sleep=fake_time.sleep, monotonic=fake_time.monotonic)


Sent = list[tuple[str, str, Any]]


@pytest.fixture
def sent(client: GitHub, monkeypatch: pytest.MonkeyPatch) -> Sent:
    """Record every request the client sends: method, path and JSON body."""
    calls: Sent = []
    real = client.request

    def spy(method: str, path: str, **kwargs: Any) -> Response:
        calls.append((method, path.split("?", maxsplit=1)[0], kwargs.get("body")))
        return real(method, path, **kwargs)

    monkeypatch.setattr(client, "request", spy)
    return calls


def writes(calls: Sent) -> list[tuple[str, str, Any]]:
    return [call for call in calls if call[0] != "GET"]


# -- one run, replayed -------------------------------------------------------------------


@pytest.mark.vcr
def test_a_first_run_creates_the_comment_once(
    client: GitHub, sent: Sent, scratch_repo: str, vcr: Any
) -> None:
    kept = keep_comment(client, scratch_repo, PR, KEY, PLAN)

    assert kept.action == "created"
    assert kept.url == f"https://github.com/{scratch_repo}/pull/{PR}#issuecomment-9003"
    assert writes(sent) == [
        ("POST", f"/repos/{scratch_repo}/issues/{PR}/comments", {"body": marked_body(PLAN, KEY)})
    ]
    # A comment quoting the marker, and one kept under another key, are not this one.
    assert kept.deleted == ()
    assert vcr.all_played


@pytest.mark.vcr
def test_a_changed_text_updates_the_comment_in_place(
    client: GitHub, sent: Sent, scratch_repo: str, vcr: Any
) -> None:
    kept = keep_comment(client, scratch_repo, PR, KEY, NEW_PLAN)

    assert kept.action == "updated"
    assert kept.comment.id == 9003 and kept.comment.body == marked_body(NEW_PLAN, KEY)
    assert writes(sent) == [
        (
            "PATCH",
            f"/repos/{scratch_repo}/issues/comments/9003",
            {"body": marked_body(NEW_PLAN, KEY)},
        )
    ]
    assert vcr.all_played


@pytest.mark.vcr
def test_the_same_text_sends_no_write(
    client: GitHub, sent: Sent, scratch_repo: str, vcr: Any
) -> None:
    # GitHub answers with \r\n line endings; the text is still the same.
    kept = keep_comment(client, scratch_repo, PR, KEY, PLAN)

    assert kept.action == "unchanged" and kept.comment.id == 9003
    assert writes(sent) == []
    assert vcr.all_played


@pytest.mark.vcr
def test_the_comment_is_found_on_a_later_page(
    client: GitHub, sent: Sent, scratch_repo: str, vcr: Any
) -> None:
    kept = keep_comment(client, scratch_repo, PR, KEY, PLAN)

    assert kept.action == "unchanged" and kept.comment.id == 9301
    assert [method for method, _, _ in sent] == ["GET", "GET"]
    assert vcr.all_played


@pytest.mark.vcr("test_a_first_run_creates_the_comment_once.yaml")
def test_an_answer_lost_after_the_create_is_found_not_posted_again(
    client: GitHub, sent: Sent, scratch_repo: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = client._transport.send
    dropped: list[str] = []

    def drop_the_create(verb: str, url: str, **kwargs: Any) -> Any:
        answer = real(verb, url, **kwargs)
        if verb == "POST" and not dropped:
            dropped.append(url)  # GitHub added it; the answer never arrives
            raise requests.ConnectionError("connection reset by peer")
        return answer

    monkeypatch.setattr(client._transport, "send", drop_the_create)
    notes: list[str] = []
    kept = keep_comment(client, scratch_repo, PR, KEY, PLAN, on_note=notes.append)

    assert dropped
    assert kept.action == "created" and kept.comment.id == 9003
    assert len(writes(sent)) == 1  # looked again instead of posting again
    assert [method for method, _, _ in sent] == ["GET", "POST", "GET"]
    assert any("looking whether GitHub added the comment" in note for note in notes)


@pytest.mark.vcr
def test_a_502_before_the_create_is_checked_then_sent_once_more(
    client: GitHub, sent: Sent, scratch_repo: str, vcr: Any
) -> None:
    kept = keep_comment(client, scratch_repo, PR, KEY, PLAN)

    assert kept.action == "created" and kept.comment.id == 9004
    assert [method for method, _, _ in sent] == ["GET", "POST", "GET", "POST", "GET"]
    assert vcr.all_played


@pytest.mark.vcr
def test_duplicates_a_crashed_run_left_are_deleted_and_the_oldest_kept(
    client: GitHub, sent: Sent, scratch_repo: str, vcr: Any
) -> None:
    kept = keep_comment(client, scratch_repo, PR, KEY, NEW_PLAN)

    assert kept.action == "updated" and kept.comment.id == 9003
    assert kept.deleted == (9005,)
    assert [(method, path) for method, path, _ in writes(sent)] == [
        ("DELETE", f"/repos/{scratch_repo}/issues/comments/9005"),
        ("PATCH", f"/repos/{scratch_repo}/issues/comments/9003"),
    ]
    assert vcr.all_played


@pytest.mark.vcr
def test_a_read_only_token_is_refused_and_nothing_is_retried(
    client: GitHub, sent: Sent, scratch_repo: str, vcr: Any
) -> None:
    with pytest.raises(Forbidden, match="403"):
        keep_comment(client, scratch_repo, PR, KEY, PLAN)
    assert len(writes(sent)) == 1
    assert vcr.all_played


@pytest.mark.vcr
def test_a_pull_request_that_is_not_there_fails_on_the_first_look(
    client: GitHub, sent: Sent, scratch_repo: str, vcr: Any
) -> None:
    with pytest.raises(NotFound):
        keep_comment(client, scratch_repo, PR, KEY, PLAN)
    assert writes(sent) == []
    assert vcr.all_played


# -- races and lost answers, against a GitHub that keeps state ---------------------------

REPO = "octo-org/followup-scratch"


def _marked(fake: FakeGitHub) -> list[str]:
    return [body for body in fake.bodies(REPO, PR) if has_marker(body, KEY)]


@LOOPBACK
def test_two_racing_runs_leave_one_comment() -> None:
    with FakeGitHub() as fake:
        other = fake.add_comment(REPO, PR, QUOTING)
        # Both runs look before either creates, and both creates land before either answer.
        fake.barrier("GET comments", parties=2)
        fake.barrier("POST comments", parties=2)
        results: dict[str, KeptComment] = {}
        errors: list[BaseException] = []

        def run(text: str) -> None:
            try:
                results[text] = keep_comment(fake.client(), REPO, PR, KEY, text)
            except BaseException as exc:  # reported below, in the test's thread
                errors.append(exc)

        threads = [threading.Thread(target=run, args=(text,)) for text in (PLAN, NEW_PLAN)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)

        assert errors == []
        created = [c for c in fake.created if c != other]
        assert len(created) == 2  # the race really happened: both runs posted
        kept_ids = {result.comment.id for result in results.values()}
        assert len(kept_ids) == 1  # both runs agree on the comment kept: the lowest id
        (kept_id,) = kept_ids
        assert kept_id == min(created)
        assert _marked(fake) in ([marked_body(PLAN, KEY)], [marked_body(NEW_PLAN, KEY)])
        assert sorted(fake.comments) == [other, kept_id]
        deleted = [d for result in results.values() for d in result.deleted]
        assert len(set(deleted)) == 1 and kept_id not in deleted
        assert {result.action for result in results.values()} == {"created"}


@LOOPBACK
def test_a_later_run_after_a_race_finds_the_kept_comment() -> None:
    with FakeGitHub(per_page_cap=2) as fake:
        for n in range(3):
            fake.add_comment(REPO, PR, f"review comment {n}")
        first = keep_comment(fake.client(), REPO, PR, KEY, PLAN)
        fake.add_comment(REPO, PR, marked_body(PLAN, KEY))  # a duplicate a crashed run left
        again = keep_comment(fake.client(), REPO, PR, KEY, NEW_PLAN)

        assert first.action == "created" and again.action == "updated"
        assert again.comment.id == first.comment.id and len(again.deleted) == 1
        assert _marked(fake) == [marked_body(NEW_PLAN, KEY)]


@LOOPBACK
def test_an_update_whose_answer_was_lost_is_looked_at_not_blindly_resent() -> None:
    with FakeGitHub() as fake:
        fake.add_comment(REPO, PR, marked_body(PLAN, KEY), login=BOT)
        fake.drop_answer("PATCH comment")
        kept = keep_comment(fake.client(), REPO, PR, KEY, NEW_PLAN)

        assert kept.action == "updated"
        assert fake.requests() == ["GET comments", "PATCH comment", "GET comments"]
        assert _marked(fake) == [marked_body(NEW_PLAN, KEY)]


@LOOPBACK
def test_two_unconfirmed_creates_fail_and_leave_nothing() -> None:
    with FakeGitHub() as fake:
        fake.fail("POST comments", "502_before", times=2)
        with pytest.raises(CommentFailed, match=r"did not confirm the comment plan:42 .* twice"):
            keep_comment(fake.client(), REPO, PR, KEY, PLAN)

        assert fake.requests() == [
            "GET comments",
            "POST comments",
            "GET comments",
            "POST comments",
            "GET comments",
        ]
        assert fake.comments == {}
