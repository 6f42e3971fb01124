"""A post-mortem file moved or renamed keeps its stored post-mortem, slug, items and ids."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import col, select

from followup.errors import InputError
from followup.store import session_scope
from followup.store.models import ItemRow, PostMortemRow
from followup.store.moves import Outline, mostly_alike, same_postmortem, same_title
from followup.sync.importing import import_files

ITEMS = ["Add an alert on the queue backlog", "Cap the retry rate", "Write the runbook"]


def text(title: str = "Queue outage", items: list[str] = ITEMS, day: str = "2026-11-01") -> str:
    rows = "\n".join(f"- [ ] {item}" for item in items)
    return (
        f"---\ntitle: {title}\ndate: {day}\nrepo: octo-org/app\n---\n\n# {title}\n\n"
        f"## Summary\n\nThe queue stopped.\n\n## Action Items\n\n{rows}\n"
    )


def write(folder: Path, name: str, body: str) -> Path:
    path = folder / name
    path.write_text(body, encoding="utf-8")
    return path


def stored(engine: Engine) -> dict[str, tuple[str, dict[str, str]]]:
    """Return, by slug, each post-mortem's path and its live items' ids by title."""
    with session_scope(engine) as session:
        out: dict[str, tuple[str, dict[str, str]]] = {}
        for pm in session.exec(select(PostMortemRow).order_by(col(PostMortemRow.slug))):
            rows = session.exec(select(ItemRow).where(ItemRow.postmortem_id == pm.id))
            ids = {r.title: r.id for r in rows if r.status != "removed"}
            out[pm.slug] = (pm.path, ids)
    return out


# -- the rules ------------------------------------------------------------------------


def outline(title: str, when: date | None, *items: str) -> Outline:
    # The text differs whenever anything does, as a document's would.
    return Outline(title, when, f"# {title}\n{when}\n" + "\n".join(items), items)


def test_the_same_text_is_the_same_postmortem_whatever_its_title() -> None:
    one = Outline("Queue outage", None, "same text", ())
    assert same_postmortem(one, Outline("Queue  OUTAGE", date(2026, 1, 1), "same text", ("x",)))
    # A document without a title of its own is named after its file, which a rename changes.
    assert same_postmortem(one, Outline("2026 11 01 queue fire", None, "same text", ()))
    assert not same_postmortem(one, Outline("Queue outage", None, "other text", ()))


def test_same_title_and_date_need_half_of_the_items_alike() -> None:
    stored_pm = outline("Queue outage", date(2026, 11, 1), "a", "b", "c", "d")
    assert same_postmortem(
        stored_pm, outline("Queue outage", date(2026, 11, 1), "a", "b", "x", "y")
    )
    assert not same_postmortem(
        stored_pm, outline("Queue outage", date(2026, 11, 1), "a", "x", "y", "z")
    )
    # The same items under another date or title are another post-mortem.
    assert not same_postmortem(
        stored_pm, outline("Queue outage", date(2026, 11, 2), "a", "b", "c", "d")
    )
    assert not same_postmortem(
        stored_pm, outline("Cache outage", date(2026, 11, 1), "a", "b", "c", "d")
    )


def test_mostly_alike_counts_repeated_wordings_once_each() -> None:
    assert mostly_alike(["a", "b"], ["a", "c"])
    assert not mostly_alike(["a", "a", "b", "c"], ["a", "x", "y"])
    assert not mostly_alike([], [])
    assert same_title(" Queue\toutage ", "queue outage")


# -- the store, on both backends --------------------------------------------------------


def test_a_renamed_file_is_recorded_as_a_move(engine: Engine, tmp_path: Path) -> None:
    old = write(tmp_path, "2026-11-01-queue.md", text())
    import_files(engine, [old])
    before = stored(engine)
    new = old.rename(tmp_path / "2026-11-01-queue-outage.md")

    report = import_files(engine, [new])

    (result,) = report.results
    assert (result.slug, result.created, result.moved_from) == (
        "2026-11-01-queue",
        0,
        str(old.resolve()),
    )
    after = stored(engine)
    assert list(after) == ["2026-11-01-queue"]
    assert after["2026-11-01-queue"] == (str(new.resolve()), before["2026-11-01-queue"][1])
    # Imported again (the file unchanged, then edited), it stays the one post-mortem.
    assert import_files(engine, [new]).results[0].slug == "2026-11-01-queue"
    new.write_text(text(items=[*ITEMS, "Page the on-call"]), encoding="utf-8")
    again = import_files(engine, [new]).results[0]
    assert (again.slug, again.created, again.moved_from) == ("2026-11-01-queue", 1, None)
    ids = stored(engine)["2026-11-01-queue"][1]
    assert list(stored(engine)) == ["2026-11-01-queue"]
    assert {t: ids[t] for t in ITEMS} == before["2026-11-01-queue"][1]


def test_a_renamed_file_without_a_title_of_its_own_is_a_move(
    engine: Engine, tmp_path: Path
) -> None:
    # No front matter, no heading of the first level: the title comes from the file name.
    body = "## Summary\n\nThe queue stopped.\n\n## Action Items\n\n- [ ] Cap the retry rate\n"
    old = write(tmp_path, "2026-11-01-queue-fire.md", body)
    import_files(engine, [old])
    before = stored(engine)
    new = old.rename(tmp_path / "2026-11-01-queue-outage.md")

    (result,) = import_files(engine, [new]).results

    assert (result.slug, result.created, result.moved_from) == (
        "2026-11-01-queue-fire",
        0,
        str(old.resolve()),
    )
    assert stored(engine) == {
        "2026-11-01-queue-fire": (str(new.resolve()), before["2026-11-01-queue-fire"][1])
    }


def test_a_move_with_edits_is_still_a_move(engine: Engine, tmp_path: Path) -> None:
    old = write(tmp_path, "queue.md", text())
    import_files(engine, [old])
    before = stored(engine)["queue"][1]
    old.unlink()
    new = write(tmp_path, "queue-outage.md", text(items=[*ITEMS[:2], "Shard the queue"]))

    (result,) = import_files(engine, [new]).results

    assert (result.slug, result.created, result.removed) == ("queue", 1, 1)
    ids = stored(engine)["queue"][1]
    assert [ids[t] for t in ITEMS[:2]] == [before[t] for t in ITEMS[:2]]


def test_a_copy_whose_original_is_there_is_a_postmortem_of_its_own(
    engine: Engine, tmp_path: Path
) -> None:
    old = write(tmp_path, "queue.md", text())
    import_files(engine, [old])
    copy = write(tmp_path, "queue-copy.md", text())

    (result,) = import_files(engine, [copy]).results

    assert (result.slug, result.created, result.moved_from) == ("queue-copy", 3, None)
    assert sorted(stored(engine)) == ["queue", "queue-copy"]


def test_another_postmortem_with_the_same_items_is_not_a_move(
    engine: Engine, tmp_path: Path
) -> None:
    old = write(tmp_path, "queue.md", text())
    import_files(engine, [old])
    old.unlink()
    other = write(tmp_path, "cache.md", text(title="Cache outage", day="2026-12-01"))

    (result,) = import_files(engine, [other]).results

    assert (result.slug, result.created, result.moved_from) == ("cache", 3, None)
    assert sorted(stored(engine)) == ["cache", "queue"]


def test_two_copies_of_a_deleted_file_are_not_merged(engine: Engine, tmp_path: Path) -> None:
    old = write(tmp_path, "queue.md", text())
    import_files(engine, [old])
    old.unlink()
    one = write(tmp_path, "queue-a.md", text())
    two = write(tmp_path, "queue-b.md", text())

    results = import_files(engine, [one, two]).results

    assert [(r.slug, r.moved_from) for r in results] == [("queue-a", None), ("queue-b", None)]
    assert sorted(stored(engine)) == ["queue", "queue-a", "queue-b"]


def test_a_new_file_under_the_old_name_is_refused_clearly(engine: Engine, tmp_path: Path) -> None:
    old = write(tmp_path, "queue.md", text())
    import_files(engine, [old])
    new = old.rename(tmp_path / "queue-outage.md")
    import_files(engine, [new])
    # Someone writes another post-mortem under the first one's old name.
    write(tmp_path, "queue.md", text(title="Queue outage again", day="2026-12-24"))

    with pytest.raises(InputError, match="slug 'queue' is already used by"):
        import_files(engine, [tmp_path / "queue.md"])


def test_a_folder_renamed_in_a_checkout_is_a_move(engine: Engine, tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "docs" / "pm").mkdir(parents=True)
    old = write(tmp_path / "docs" / "pm", "queue.md", text())
    import_files(engine, [old])
    (tmp_path / "docs" / "pm").rename(tmp_path / "docs" / "postmortems")

    (result,) = import_files(engine, [tmp_path / "docs" / "postmortems" / "queue.md"]).results

    assert (result.slug, result.created, result.moved_from) == ("queue", 0, str(old.resolve()))


def test_a_file_of_another_machine_is_not_gone(engine: Engine, tmp_path: Path) -> None:
    # A shared store holds another person's path, in a folder this machine does not have.
    theirs = tmp_path / "home" / "alice" / "repo"
    theirs.mkdir(parents=True)
    import_files(engine, [write(theirs, "queue.md", text())])
    (theirs / "queue.md").unlink()
    theirs.rmdir()
    mine = tmp_path / "mine"
    mine.mkdir()

    (result,) = import_files(engine, [write(mine, "queue-copy.md", text())]).results

    assert (result.slug, result.moved_from) == ("queue-copy", None)
