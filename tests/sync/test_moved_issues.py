"""The rule that lets the items of a renamed post-mortem take over the issues filed before."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

from followup.github.issue_mapping import RemoteIssue, build_issue
from followup.store import identity
from followup.sync.moved_issues import StoredPostMortem, Unfiled, adopt, still_there
from tests.sample_view import sample_view

NOW = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)
OLD = "queue"
ITEMS = ["Add an alert on the queue backlog", "Cap the retry rate", "Write the runbook"]


def filed(
    number: int, title: str, pm_title: str = "Queue outage", doc: str = "pm/queue.md"
) -> RemoteIssue:
    """Return the issue filing made for an item of the post-mortem OLD."""
    view = sample_view(
        NOW, id=f"old{number:04d}", title=title, postmortem=OLD, postmortem_title=pm_title
    )
    body = build_issue(view, document=doc).body
    return RemoteIssue(
        "octo-org/app",
        number,
        None,
        None,
        title,
        "open",
        item_id=f"old{number:04d}",
        postmortem=OLD,
        body=body,
    )


def stored(
    slug: str = "queue-outage", title: str = "Queue outage", items: list[str] = ITEMS
) -> StoredPostMortem:
    unfiled = tuple(Unfiled(f"new{n}", identity.fingerprint(t)) for n, t in enumerate(items))
    return StoredPostMortem(slug, title, f"/repo/pm/{slug}.md", unfiled)


def gone(_pm: StoredPostMortem, _document: str) -> bool:
    return False


ISSUES = [filed(n + 1, title) for n, title in enumerate(ITEMS)]


def test_the_items_of_the_renamed_postmortem_take_its_issues() -> None:
    found = adopt(OLD, ISSUES, [stored(), stored("cache", "Cache outage")], gone)

    assert found is not None and found.postmortem.slug == "queue-outage"
    assert {item: issue.number for item, issue in found.items.items()} == {
        "new0": 1,
        "new1": 2,
        "new2": 3,
    }


def test_items_reworded_since_stay_unadopted_while_most_match() -> None:
    pm = stored(items=[ITEMS[0], ITEMS[1], "Write the runbook for the queue"])
    found = adopt(OLD, ISSUES, [pm], gone)
    assert found is not None and sorted(found.items) == ["new0", "new1"]
    # Fewer than half of the issues matching: nothing is adopted.
    few = stored(items=[ITEMS[0], "Cap retries", "Write a new runbook"])
    assert adopt(OLD, [*ISSUES, filed(4, "Page the on-call")], [few], gone) is None


def test_another_postmortem_with_the_same_items_adopts_nothing() -> None:
    assert adopt(OLD, ISSUES, [stored(title="Cache outage")], gone) is None


def test_two_postmortems_with_the_title_adopt_nothing() -> None:
    assert adopt(OLD, ISSUES, [stored(), stored("queue-copy")], gone) is None


def test_a_file_still_there_adopts_nothing() -> None:
    asked: list[tuple[str, str]] = []

    def there(pm: StoredPostMortem, document: str) -> bool:
        asked.append((pm.slug, document))
        return True

    assert adopt(OLD, ISSUES, [stored()], there) is None
    assert asked == [("queue-outage", "pm/queue.md")]


def test_issues_that_disagree_on_their_postmortem_adopt_nothing() -> None:
    mixed = [*ISSUES[:2], filed(3, ITEMS[2], pm_title="Cache outage")]
    assert adopt(OLD, mixed, [stored()], gone) is None


def test_issues_without_followup_lines_adopt_nothing() -> None:
    bare = [
        RemoteIssue("octo-org/app", 1, None, None, ITEMS[0], "open", item_id="x", postmortem=OLD)
    ]
    assert adopt(OLD, bare, [stored()], gone) is None


def test_the_postmortem_of_the_old_slug_itself_is_not_a_candidate() -> None:
    assert adopt(OLD, ISSUES, [stored(slug=OLD)], gone) is None


def test_still_there_looks_from_the_repository_of_the_postmortem(tmp_path: Path) -> None:
    root = tmp_path / "checkout"
    (root / ".git").mkdir(parents=True)
    (root / "docs" / "pm").mkdir(parents=True)
    own = root / "docs" / "pm" / "queue-outage.md"
    own.write_text("# Queue outage\n", encoding="utf-8")
    pm = StoredPostMortem("queue-outage", "Queue outage", str(own), ())

    assert not still_there(pm, "docs/pm/queue.md")  # renamed: the old file is gone
    assert not still_there(pm, "docs/pm/queue-outage.md")  # its own file
    (root / "docs" / "pm" / "queue.md").write_text("# Queue outage\n", encoding="utf-8")
    assert still_there(pm, "docs/pm/queue.md")  # a copy: the original is there
    # What cannot be told counts as there.
    assert still_there(pm, "x" * 5000)
    assert still_there(StoredPostMortem("q", "Queue outage", "queue", ()), "docs/pm/queue.md")


def dated(when: datetime, doc: str = "pm/queue.md") -> list[RemoteIssue]:
    return [replace(filed(n + 1, t, doc=doc), created_at=when) for n, t in enumerate(ITEMS)]


def test_issues_filed_before_the_incident_belong_to_another() -> None:
    pm = replace(stored(), incident_date=date(2026, 11, 1))
    # A recurring incident under the same title: last time's issues are not this time's.
    assert adopt(OLD, dated(datetime(2026, 6, 1, tzinfo=UTC)), [pm], gone) is None
    assert adopt(OLD, dated(datetime(2026, 10, 30, 23, tzinfo=UTC)), [pm], gone) is None
    # The day before, in another time zone, and after: this incident's.
    assert adopt(OLD, dated(datetime(2026, 10, 31, 20, tzinfo=UTC)), [pm], gone) is not None
    assert adopt(OLD, dated(datetime(2026, 11, 3, tzinfo=UTC)), [pm], gone) is not None
    # Without a date, the time an issue was filed says nothing.
    assert adopt(OLD, dated(datetime(2026, 6, 1, tzinfo=UTC)), [stored()], gone) is not None


def test_a_dated_file_name_must_name_the_incident_date() -> None:
    pm = replace(stored(), incident_date=date(2026, 11, 1))
    later = datetime(2026, 11, 20, tzinfo=UTC)
    assert adopt(OLD, dated(later, "docs/pm/2026-01-05-queue.md"), [pm], gone) is None
    assert adopt(OLD, dated(later, "docs/pm/2026-11-01-queue.md"), [pm], gone) is not None
    assert adopt(OLD, dated(later, "docs/pm/2026-11-01x.md"), [pm], gone) is not None
    assert adopt(OLD, dated(later, "docs/pm/20261101-queue.md"), [pm], gone) is not None
