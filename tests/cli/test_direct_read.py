"""`list` and `show` read directly (store/direct.py) print exactly what the ordinary path prints.

Each test builds a varied store (hostile text, protections, links, suggestions, removed
items, every kind of due date, issues, paths inside and outside the working folder),
runs a command once through the direct reader and once with it turned off, and compares
every byte of stdout and stderr, on both backends.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import Engine, text

from followup import clock
from followup.cli import cli
from followup.policy import DEFAULT_POLICY
from followup.store import create_store_engine, direct, packed_rows, session_scope
from followup.store.models import EventRow, IssueRow, ItemRow, PostMortemRow, RepoIdentityRow
from followup.sync.policy import refresh_deadlines
from tests.cli.schemas import check_output
from tests.conftest import GH_PAGES, MakeDbUrl

TODAY = date(2026, 6, 1)
NOW = datetime(2026, 5, 30, 12, 30, 15, 123456, tzinfo=UTC)
# Text from documents and GitHub: control codes, escapes, quotes, wide and bidi characters.
HOSTILE = (
    'Tab\there "quoted" back\\slash \x1b[31mred\x1b[0m bell\x07 cr\r lf\n ff\x0c '
    "vt\x0b bs\x08 del\x7f c1\x85 wide 漢字 emoji 😀 rtl \u202e 100% _under_ it's"
    ' json {"k":"v","w": 1} end\\'
)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "today", lambda: TODAY)


def _item(pm_id: int, position: int, **fields: Any) -> ItemRow:
    values: dict[str, Any] = {
        "id": f"i{pm_id}{position:02d}xyz",
        "postmortem_id": pm_id,
        "position": position,
        "title": f"Item {position} of {pm_id}",
        "text": "- [ ] whatever",
        "fingerprint": f"f{pm_id}-{position}",
        "line": 10 + position,
        "kind": "issue",
        "status": "open",
        "created_at": NOW,
        "updated_at": NOW,
    }
    values.update(fields)
    return ItemRow(**values)


def _postmortem(pm_id: int, path: str, **fields: Any) -> PostMortemRow:
    values: dict[str, Any] = {
        "id": pm_id,
        "slug": f"pm-{pm_id}",
        "path": path,
        "title": f"Post-mortem {pm_id}",
        "incident_date": date(2026, 1, pm_id),
        "source": "\n".join(f"line {n} of {pm_id} \x1b[2J" for n in range(1, 40)),
        "content_hash": f"h{pm_id}",
        "imported_at": NOW,
        "updated_at": NOW,
    }
    values.update(fields)
    return PostMortemRow(**values)


PROTECTION = {"branch": "main", "required_approving_review_count": 2}


def fill(engine: Engine, inside: Path) -> None:
    """Fill a store with items of every shape the list and show can meet."""
    with session_scope(engine) as session:
        session.add(_postmortem(1, str(inside / "docs" / "one.md")))
        session.add(_postmortem(2, "/elsewhere/two.md", title=HOSTILE))
        session.add(_postmortem(3, str(inside / "three.md"), incident_date=None))
        session.add(_postmortem(4, str(inside / "four.md"), slug="pm-4 odd'slug"))
        session.flush()
        issues = [
            IssueRow(
                repo="acme/app",
                number=n,
                url=f"https://github.com/acme/app/issues/{n}" if n != 3 else None,
                title=HOSTILE if n == 2 else f"Issue {n}",
                state=("open", "closed", None)[n % 3],
                state_reason="completed" if n == 4 else None,
                assignees=["dana", "lee"] if n == 1 else [],
                labels=["followup"],
                gone="deleted" if n == 5 else None,
                updated_at=NOW,
                synced_at=NOW,
            )
            for n in range(1, 7)
        ]
        session.add_all(issues)
        session.flush()
        day = timedelta(days=1)
        items = [
            _item(1, 0, owner="dana", priority="P1", due=TODAY - day, issue_id=issues[0].id),
            _item(1, 1, due_text="", status="filed", issue_id=issues[1].id),
            _item(1, 2, owner="Lee", priority="P0", status="done", due=TODAY - 30 * day),
            _item(1, 3, title=HOSTILE, owner="dana", status_reason=HOSTILE, status="wont_do"),
            _item(1, 4, priority="P2", due_text="when the vendor ships!*", status="in_progress"),
            _item(1, 5, priority="P1", due=TODAY + 400 * day, status="regressed"),
            _item(1, 6, status="suggested", owner="kim", due=TODAY - day, priority="P0"),
            _item(1, 7, status="dismissed", title="Dismissed one"),
            _item(1, 8, status="removed", title="Removed one", due=TODAY - day),
            _item(1, 9, kind="branch_protection", protection=PROTECTION, repo="acme/app"),
            _item(
                1,
                10,
                kind="branch_protection",
                protection={**PROTECTION, "repo": "acme/other"},
                protection_applied={"method": "classic", "repo": "acme/other", "branch": "main"},
                issue_id=issues[2].id,
                status="filed",
            ),
            _item(
                1,
                11,
                references=[
                    {"kind": "issue", "text": "#7", "url": "https://github.com/acme/app/issues/7"},
                    {"kind": "url", "text": HOSTILE, "url": None},
                ],
                owner="sam",
            ),
            _item(2, 0, owner=HOSTILE, priority="P3", due=TODAY, due_text="today", repo="Acme/App"),
            _item(2, 1, due_text="⚑ soon", priority="P0", issue_id=issues[3].id),
            _item(2, 2, status="suggested", title="A suggestion 100%_x", owner="dana"),
            _item(2, 3, issue_id=issues[4].id, status="done", status_reason="fixed"),
            _item(3, 0, priority="P1", owner="ana", type="prevent", issue_id=issues[5].id),
            _item(3, 1, priority="P2", due=TODAY - 3 * day, due_text="2026-05-29", section="S"),
            _item(3, 2, priority="P1", parent="a parent", doc_done=True, verified_at=NOW),
            _item(4, 0, priority="P0", owner="dana", status="filed"),
        ]
        session.add_all(items)
        session.flush()
        for n, item in enumerate(items):
            session.add(
                EventRow(
                    item_id=item.id, at=NOW - n * day, field="status", new="open", source="document"
                )
            )
            session.add(
                EventRow(
                    item_id=item.id,
                    at=NOW,
                    field="owner",
                    old=HOSTILE if n % 2 else None,
                    new="dana",
                    source="user",
                    detail={"why": HOSTILE} if n % 3 == 0 else None,
                )
            )
    # The policy's deadlines worked out, as opening the store does.
    refresh_deadlines(engine, DEFAULT_POLICY)
    with engine.begin() as conn:
        # Some due dates of the document set again by hand, so every source is met.
        conn.execute(
            text("UPDATE action_item SET due_source = 'edited' WHERE id = :id"), {"id": "i101xyz"}
        )


@pytest.fixture
def store(make_db_url: MakeDbUrl, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = make_db_url()
    engine = create_store_engine(url)
    fill(engine, tmp_path)
    engine.dispose()
    monkeypatch.chdir(tmp_path)
    return url


class Spy:
    """Count the reads the direct reader answered."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.ready: list[bool] = []
        real = direct.ready

        def ready(store: direct.DirectStore, policy_key: str) -> bool:
            answer = real(store, policy_key)
            self.ready.append(answer)
            return answer

        monkeypatch.setattr(direct, "ready", ready)


def run(url: str, *args: str) -> Result:
    result = CliRunner().invoke(cli, ["--db", url, *args], catch_exceptions=False)
    check_output(args, result.stdout)
    return result


def both(url: str, monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[Result, Result]:
    """Run a command directly, then the ordinary way; return both results."""
    spy = Spy(monkeypatch)
    fast = run(url, *args)
    assert spy.ready == [True], "the direct reader did not answer"
    with monkeypatch.context() as m:
        m.setattr(direct, "open_store", lambda url: None)
        slow = run(url, *args)
    return fast, slow


def same(fast: Result, slow: Result) -> None:
    assert (fast.exit_code, fast.stdout, fast.stderr) == (slow.exit_code, slow.stdout, slow.stderr)


FILTERS: list[tuple[str, ...]] = [
    (),
    ("--all",),
    ("--owner", "@DANA"),
    ("--owner", "lee"),
    ("--status", "suggested"),
    ("--status", "open,filed,dismissed"),
    ("--postmortem", "pm-2"),
    ("--postmortem", "pm-4 odd'slug"),
    ("--kind", "branch_protection"),
    ("--kind", "issue", "--overdue"),
    ("--repo", "acme/app"),
    ("--repo", "ACME/APP", "--all"),
    ("--overdue",),
    ("--past-policy",),
    ("--past-policy", "--all"),
    ("-s", "item 1"),
    ("-s", "100%"),
    ("-s", "%_x"),
    ("-s", "\\"),
    ("-s", "I10"),
    ("-s", "dana", "--status", "suggested"),
]


@pytest.mark.parametrize("fmt", ["table", "json"])
def test_lists_read_directly_are_the_ordinary_ones(
    store: str, monkeypatch: pytest.MonkeyPatch, backend: str, fmt: str
) -> None:
    for args in FILTERS:
        fast, slow = both(store, monkeypatch, "list", "--format", fmt, *args)
        same(fast, slow)
    # The comparison saw what matters: items, hostile text, marks and suggestions apart.
    fast, _ = both(store, monkeypatch, "list", "--format", fmt, "--all")
    assert "Dismissed one" in fast.stdout
    if fmt == "json":
        items = json.loads(fast.stdout)
        assert len(items) == 20
        assert HOSTILE in {item["title"] for item in items}
        assert any(item["links"] for item in items)
        assert any(item["protection"] for item in items)
        assert {item["source"]["file"] for item in items} >= {"docs/one.md", "/elsewhere/two.md"}
    else:
        assert "Suggested: commitments found in prose" in fast.stdout
        # As Rich's Text does, the bell, backspace and the like are dropped.
        assert "\x07" not in fast.stdout and "\x08" not in fast.stdout
        assert "* due date set by the policy" in fast.stdout


@pytest.mark.parametrize("fmt", ["table", "json"])
def test_lists_read_in_small_batches_are_the_ordinary_ones(
    store: str, monkeypatch: pytest.MonkeyPatch, backend: str, fmt: str
) -> None:
    # Post-mortems' items span batches (PostgreSQL puts them in position order across
    # them), and rows formed from views fall in any batch.
    monkeypatch.setattr(direct, "FETCH_BATCH", 2)
    for args in [(), ("--all",), ("--status", "suggested"), ("-s", "item 1")]:
        fast, slow = both(store, monkeypatch, "list", "--format", fmt, *args)
        same(fast, slow)
    assert fast.stdout.count("\n") > 4


def at_a_terminal(monkeypatch: pytest.MonkeyPatch, width: int, terminal: str) -> None:
    """Make the CLI's consoles a terminal of this width: in colour, NO_COLOR or dumb."""
    monkeypatch.setenv("TTY_COMPATIBLE", "1")
    monkeypatch.setenv("COLUMNS", str(width))
    monkeypatch.delenv("COLORTERM", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "dumb" if terminal == "dumb" else "xterm-256color")
    if terminal == "no_color":
        monkeypatch.setenv("NO_COLOR", "1")  # bold and dim, no colours


@pytest.mark.parametrize(
    ("width", "terminal"), [(200, "colour"), (120, "dumb"), (70, "colour"), (30, "no_color")]
)
def test_tables_read_directly_are_the_ordinary_ones(
    store: str, monkeypatch: pytest.MonkeyPatch, backend: str, width: int, terminal: str
) -> None:
    # Wide tables, narrow ones (the target under the title) and lines where none fits.
    at_a_terminal(monkeypatch, width, terminal)
    for args in FILTERS:
        fast, slow = both(store, monkeypatch, "list", *args)
        same(fast, slow)
    fast, _ = both(store, monkeypatch, "list", "--all")
    # Colours only in colour; NO_COLOR keeps bold, a dumb terminal gets no codes at all.
    assert ("\x1b[36m" in fast.stdout) is (terminal == "colour")
    assert ("\x1b[1m" in fast.stdout) is (terminal != "dumb")
    assert "Suggested:" in fast.stdout
    assert "* due date set by the" in fast.stdout
    if width >= 70:
        assert "─" * 20 in fast.stdout


def test_tables_read_in_small_batches_are_the_ordinary_ones(
    store: str, monkeypatch: pytest.MonkeyPatch, backend: str
) -> None:
    # Post-mortems' rows span the driver's batches; rows made from views fall in any.
    at_a_terminal(monkeypatch, 120, "colour")
    monkeypatch.setattr(direct, "FETCH_BATCH", 2)
    # Each post-mortem a chunk of the packed reader of its own.
    monkeypatch.setattr(packed_rows, "CHUNK_POSTMORTEMS", 1)
    for args in [(), ("--all",), ("--status", "suggested"), ("-s", "item 1")]:
        fast, slow = both(store, monkeypatch, "list", *args)
        same(fast, slow)
    assert fast.stdout.count("\n") > 4


@pytest.mark.parametrize("chunk", [1, 200])
def test_a_chunk_holding_the_separator_is_read_row_by_row(
    store: str, monkeypatch: pytest.MonkeyPatch, backend: str, chunk: int
) -> None:
    # A value holding the packed reader's separator would add a field: that chunk (and
    # only that one) is read row by row, and the tables are the same.
    engine = create_store_engine(store)
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE action_item SET title = :title WHERE id = 'i300xyz'"),
            {"title": f"split{packed_rows.SEPARATOR}here"},
        )
        if backend == "sqlite":
            # SQLite's text may hold NUL, which joining keeps (the chunk still splits).
            conn.execute(
                text("UPDATE action_item SET title = :title WHERE id = 'i400xyz'"),
                {"title": "nul\x00in"},
            )
    engine.dispose()
    at_a_terminal(monkeypatch, 160, "colour")
    monkeypatch.setattr(packed_rows, "CHUNK_POSTMORTEMS", chunk)
    read: list[list[int]] = []
    real = packed_rows._read_rows

    def read_rows(*args: Any) -> Any:
        read.append(args[-1])
        return real(*args)

    monkeypatch.setattr(packed_rows, "_read_rows", read_rows)
    for args in [(), ("--all",)]:
        read.clear()
        fast, slow = both(store, monkeypatch, "list", *args)
        same(fast, slow)
        assert "splithere" in fast.stdout  # its control code stripped
        assert ("nulin" in fast.stdout) is (backend == "sqlite")
        assert read == ([[3]] if chunk == 1 else [[4, 2, 1, 3]])  # in the list's order


def test_marks_in_titles_are_no_legend(
    make_db_url: MakeDbUrl, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, backend: str
) -> None:
    url = make_db_url()
    engine = create_store_engine(url)
    with session_scope(engine) as session:
        session.add(_postmortem(1, str(tmp_path / "one.md")))
        session.flush()
        session.add(_item(1, 0, title="Ship it! * ⚑ now", due_text="soon! *"))
        session.add(_item(1, 1, title="Due later", due=TODAY + timedelta(days=9)))
    refresh_deadlines(engine, DEFAULT_POLICY)
    engine.dispose()
    monkeypatch.chdir(tmp_path)
    fast, slow = both(url, monkeypatch, "list")
    same(fast, slow)
    assert "Ship it! * ⚑ now" in fast.stdout
    assert fast.stdout.endswith("2 items\n")  # no legend: no due date shows a mark


def test_an_empty_list_says_why_as_before(
    store: str, monkeypatch: pytest.MonkeyPatch, backend: str
) -> None:
    spy = Spy(monkeypatch)
    result = run(store, "list", "--owner", "nobody")
    assert result.stderr == "no items match --owner nobody\n"
    assert spy.ready == [True]  # read directly, found empty, told by the ordinary path
    empty = run(store, "list", "--owner", "nobody", "--format", "json")
    assert empty.stdout == "[]\n"


def _ids(url: str) -> list[str]:
    result = run(url, "list", "--all", "--format", "json")
    return [item["id"] for item in json.loads(result.stdout)]


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_show_read_directly_is_the_ordinary_one(
    store: str, monkeypatch: pytest.MonkeyPatch, backend: str, fmt: str
) -> None:
    ids = _ids(store)
    assert len(ids) == 20
    for item_id in [*ids, ids[0][:5], "I1", "i1", "nothing", "%"]:
        with monkeypatch.context() as m:
            spy = Spy(m)
            fast = run(store, "show", item_id, "--format", fmt)
            assert spy.ready == [True]
        with monkeypatch.context() as m:
            m.setattr(direct, "open_store", lambda url: None)
            slow = run(store, "show", item_id, "--format", fmt)
        same(fast, slow)
    history = json.loads(run(store, "show", ids[0], "--format", "json").stdout)["history"]
    assert history and history[0]["at"].endswith("+00:00")


def test_a_store_with_work_to_do_is_left_to_the_ordinary_path(
    store: str, monkeypatch: pytest.MonkeyPatch, backend: str
) -> None:
    before = run(store, "list").stdout
    engine = create_store_engine(store)
    with engine.begin() as conn:
        conn.execute(text("UPDATE postmortem SET policy_key = NULL WHERE id = 2"))
    spy = Spy(monkeypatch)
    assert run(store, "list").stdout == before
    assert spy.ready == [False]
    # The ordinary path worked the deadlines out: the next run reads directly again.
    assert run(store, "list").stdout == before
    assert spy.ready == [False, True]
    with session_scope(engine) as session:
        session.add(RepoIdentityRow(name="acme/app", repo_id=1, current="Acme/Renamed"))
    renamed = run(store, "list")
    assert spy.ready[-1] is False
    assert "acme/renamed#1" in renamed.stdout.lower()
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    store_obj = direct.open_store(store)
    assert store_obj is not None
    assert not direct.ready(store_obj, DEFAULT_POLICY.key)
    store_obj.close()
    engine.dispose()


@pytest.mark.parametrize(
    "url",
    [
        "sqlite://",
        "sqlite:///:memory:",
        "sqlite:///file:x?mode=ro&uri=true",
        "sqlite:///{tmp}/missing.db",
        "sqlite:///~/x.db",
        "mysql://u@h/db",
        "postgresql://u@h/db",
        "not a url",
    ],
)
def test_urls_it_does_not_take_are_left_to_the_ordinary_path(url: str, tmp_path: Path) -> None:
    assert direct.open_store(url.format(tmp=tmp_path)) is None


def test_the_sql_keeps_its_parameters_apart_from_casts_and_literals() -> None:
    sql = direct._paramstyle("SELECT x::text, '50% :a', :b, y LIKE :c || '%'", "postgresql")
    assert sql == "SELECT x::text, '50%% :a', %(b)s, y LIKE %(c)s || '%%'"


@pytest.fixture
def fresh(make_db_url: MakeDbUrl) -> Iterator[str]:
    yield make_db_url()


def test_a_store_not_made_yet_is_made_by_the_ordinary_path(fresh: str, backend: str) -> None:
    result = run(fresh, "list")
    assert result.exit_code == 0
    assert "no action items yet" in result.stderr
    imported = run(fresh, "import", str(GH_PAGES))
    assert imported.exit_code == 0, imported.output
    assert run(fresh, "list").stdout.count("\n") > 3


_MODULES_AFTER = """
import sys
from followup.cli import cli
cli.main(sys.argv[1:], prog_name="followup", standalone_mode=False)
heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("sqlalchemy", "sqlmodel", "alembic"))
print(heavy, file=sys.stderr)
"""


@pytest.mark.parametrize("args", [("list",), ("list", "--format", "json"), ("show", "i100xyz")])
def test_reading_directly_imports_no_sqlalchemy(store: str, args: tuple[str, ...]) -> None:
    done = subprocess.run(
        [sys.executable, "-c", _MODULES_AFTER, "--db", store, *args],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout
    assert done.stderr.strip().splitlines()[-1] == "[]"
