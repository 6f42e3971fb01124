"""Output that survives pipes, CI logs and narrow terminals: nothing cut, URLs whole."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from rich.console import Console
from sqlalchemy import Engine

from followup.cli.exits import ExitCode
from followup.cli.output import OWNER_WIDTH, TITLE_MIN, layout_for
from followup.cli.protection_views import verdicts
from followup.cli.reporting import Entry, IssueRef, Report
from followup.store import session_scope
from followup.store.models import ItemRow, Status
from followup.sync.drift import VerifyResult
from tests.conftest import RunCli
from tests.sync.world import ALERT, PROTECT, SCRATCH, fake_clock, filed_store

LONG_REPO = "an-organisation-with-a-long-name/a-repository-with-an-even-longer-name"
LONG_URL = f"https://github.com/{LONG_REPO}/issues/1234"
TITLE = "Add an alert when the queue depth stays above ten thousand messages for five minutes"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def entries() -> list[Entry]:
    return [
        Entry(
            id="a1b2c3d",
            action="created",
            title=TITLE,
            issue=IssueRef(LONG_REPO, 1234, LONG_URL),
        ),
        Entry(
            id="e4f5a6b",
            action="failed",
            ok=False,
            title="Pin the docs builder",
            error="no repository to file it in: pass --repo",
        ),
    ]


def _consoles(*, terminal: bool, width: int) -> tuple[Console, io.StringIO]:
    buffer = io.StringIO()
    console = Console(
        file=buffer, width=width, force_terminal=terminal, color_system=None, legacy_windows=False
    )
    return console, buffer


def _run(terminal: bool, width: int) -> list[str]:
    out, buffer = _consoles(terminal=terminal, width=width)
    err, _ = _consoles(terminal=terminal, width=width)
    report = Report(out, err, "file")
    for entry in entries():
        report.add(entry)
    report.emit("1 created, 1 failed.")
    return ANSI.sub("", buffer.getvalue()).splitlines()


def test_off_a_terminal_each_item_is_one_whole_line_at_80_columns() -> None:
    lines = _run(terminal=False, width=80)
    assert len(lines) == 3
    created, failed, total = lines
    assert "a1b2c3d" in created and TITLE in created
    assert f"{LONG_REPO}#1234" in created and LONG_URL in created
    assert "e4f5a6b" in failed and "no repository to file it in: pass --repo" in failed
    assert total == "1 created, 1 failed."


def test_a_narrow_terminal_wraps_between_words_and_never_cuts_a_url() -> None:
    lines = _run(terminal=True, width=40)
    text = "\n".join(lines)
    assert len(lines) > 3  # wrapped, visibly
    # The URL is longer than the terminal: it is left whole for the terminal to wrap.
    assert any(LONG_URL in line for line in lines)
    assert any(f"{LONG_REPO}#1234" in line for line in lines)
    for word in TITLE.split():
        assert re.search(rf"(^|\s){re.escape(word)}(\s|$)", text, re.MULTILINE), word
    assert "…" not in text
    # Only the reference and the URL, too long for any line, go past the edge.
    long = [line for line in lines if len(line) > 40]
    assert [line.strip() for line in long] == [f"{LONG_REPO}#1234", LONG_URL]


def test_a_wide_terminal_gets_a_table_with_whole_urls() -> None:
    lines = _run(terminal=True, width=220)
    assert any("Result" in line and "Issue" in line for line in lines)
    assert any(LONG_URL in line for line in lines)


def test_text_output_is_never_markup() -> None:
    out, buffer = _consoles(terminal=False, width=80)
    report = Report(out, out, "file")
    report.add(Entry(id="x", action="created", title="[bold red]not markup[/] :smile:"))
    report.emit("[red]nor this[/red]")
    assert "[bold red]not markup[/] :smile:" in buffer.getvalue()
    assert "[red]nor this[/red]" in buffer.getvalue()


def test_json_is_one_document_and_a_failure_still_ends_as_one(
    capsys: pytest.CaptureFixture[str],
) -> None:
    out, buffer = _consoles(terminal=False, width=80)
    report = Report(out, out, "file", "json")
    report.add(entries()[0])
    report.say("not printed")
    report.fail("no GitHub token found", ExitCode.AUTH)
    document = json.loads(capsys.readouterr().out)
    assert buffer.getvalue() == ""
    assert document["exit_code"] == 4 and document["ok"] is False
    assert document["errors"] == ["no GitHub token found"]
    assert document["items"][0]["issue"] == {"repo": LONG_REPO, "number": 1234, "url": LONG_URL}


# -- end to end ---------------------------------------------------------------------------


@pytest.fixture
def filed(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    return filed_store(engine, fake_clock(monkeypatch))


def test_list_off_a_terminal_at_80_columns_cuts_nothing(
    run_cli: RunCli, filed: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    result = run_cli("list")
    line = next(line for line in result.stdout.splitlines() if filed[ALERT] in line)
    assert ALERT in line and f"{SCRATCH}#12" in line and "@alice" in line
    assert "…" not in result.stdout


@pytest.fixture
def narrow_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make rich see a 40-column terminal, without colour."""
    monkeypatch.setenv("TTY_COMPATIBLE", "1")
    monkeypatch.setenv("COLUMNS", "40")
    monkeypatch.setenv("NO_COLOR", "1")


def test_list_on_a_narrow_terminal_keeps_references_whole(
    run_cli: RunCli, filed: dict[str, str], narrow_terminal: None
) -> None:
    result = run_cli("list")
    text = ANSI.sub("", result.stdout)
    assert f"{SCRATCH}#12" in text
    assert "octo-org/docs:gh-pages" in text
    for word in ALERT.split():
        assert word in text


def test_show_on_a_narrow_terminal_keeps_the_url_whole(
    run_cli: RunCli, filed: dict[str, str], narrow_terminal: None
) -> None:
    result = run_cli("show", filed[ALERT])
    text = ANSI.sub("", result.stdout)
    assert f"https://github.com/{SCRATCH}/issues/12" in text
    assert f"{SCRATCH}#12" in text


def test_show_on_a_wide_terminal_is_a_panel(
    run_cli: RunCli, filed: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TTY_COMPATIBLE", "1")
    monkeypatch.setenv("COLUMNS", "120")
    text = ANSI.sub("", run_cli("show", filed[ALERT]).stdout)
    assert text.startswith("╭")
    assert f"https://github.com/{SCRATCH}/issues/12" in text


def test_a_still_regressed_item_gives_its_cause_on_its_line(
    engine: Engine, filed: dict[str, str]
) -> None:
    reason = "drift seen 2026-11-20 09:00 UTC: allow deletions is yes (wanted no)"
    with session_scope(engine) as session:
        item = session.get(ItemRow, filed[PROTECT])
        assert item is not None
        item.status = Status.REGRESSED.value
        item.status_reason = reason
    # GitHub answered "not modified": the result carries no message of its own.
    result = VerifyResult(filed[PROTECT], "octo-org/docs:gh-pages", "still_regressed", "regressed")
    (entry,) = verdicts(engine, [result])
    assert entry.message == reason
    assert entry.text is not None
    assert entry.text.plain == (
        f"▲ {filed[PROTECT]}  octo-org/docs:gh-pages: still regressed: {reason}"
    )
    assert entry.ok is False


def test_a_dry_run_off_a_terminal_at_80_columns_cuts_nothing(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    doc = tmp_path / "2026-05-01-queue.md"
    doc.write_text(f"# Queue\n\n## Action items\n\n- {TITLE}\n", "utf-8")
    result = run_cli("file", str(doc), "--dry-run", "--repo", LONG_REPO)
    lines = result.stdout.splitlines()
    assert any(line.startswith("+ create") and line.endswith(TITLE) for line in lines)
    assert f"  repo:      {LONG_REPO}" in lines
    assert f"  title:     {TITLE}" in lines


def test_the_table_layout_needs_room_for_every_column_and_the_shortest_title() -> None:
    # Six columns' widest cells and their five gaps, then a 20-cell title and the target.
    widths = {"ids": 7, "statuses": 8, "owners": 30, "dues": 11, "targets": 25}
    fixed = 7 + 8 + OWNER_WIDTH + len("Pri") + 11 + 2 * 5
    assert layout_for(**widths, width=fixed + TITLE_MIN + 2 + 25) == "wide"
    assert layout_for(**widths, width=fixed + TITLE_MIN + 2 + 24) == "narrow"
    # Narrow: the target goes under the title, which must hold it and its arrow.
    assert layout_for(**widths, width=fixed + 25 + 2) == "narrow"
    assert layout_for(**widths, width=fixed + 25 + 1) is None
    # Short cells still take their headings' widths.
    short = {"ids": 2, "statuses": 1, "owners": 1, "dues": 1, "targets": 1}
    least = 2 + len("Status") + len("Owner") + len("Pri") + len("Due") + 2 * 5
    assert layout_for(**short, width=least + TITLE_MIN + 2 + len("Target")) == "wide"
    assert layout_for(**short, width=least + TITLE_MIN + 1 + len("Target")) == "narrow"
