"""`followup import`, `list` and `show` from the command line, including bad input."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import pytest

from followup import __version__, clock
from tests.conftest import GH_PAGES, RunCli

GOOD = """---
title: Queue backlog
date: 2026-03-02
---
# Queue backlog

## Action items

- [ ] Add an alert on queue depth
  - Owner: @dana
  - Priority: P1
  - Due: 2026-04-01
- [x] Restart the stuck consumers (@lee)
"""


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "today", lambda: date(2026, 11, 21))


def items_json(run_cli: RunCli, *args: str) -> list[dict[str, object]]:
    result = run_cli("list", "--format", "json", *args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert isinstance(data, list)
    return data


def test_version(run_cli: RunCli) -> None:
    result = run_cli("--version")
    assert result.exit_code == 0
    assert __version__ in result.output


def test_import_the_example_and_list_it_as_json(run_cli: RunCli) -> None:
    result = run_cli("import", str(GH_PAGES), "--repo", "googleapis/docs")
    assert result.exit_code == 0, result.output
    assert "2019-12-05-gh-pages" in result.stdout
    assert "3 items" in result.stdout

    items = items_json(run_cli)
    assert [i["title"] for i in items] == [
        "Protect gh-pages branch. Don't allow deletion.",
        "Investigate if debugging gh-pages could be improved.",
        "Investigate if there are other technologies we ought to be using instead of gh-pages.",
    ]
    first = items[0]
    assert {
        "id",
        "postmortem",
        "title",
        "owner",
        "priority",
        "due",
        "type",
        "kind",
        "status",
        "repo",
        "links",
        "protection",
        "source",
        "issue",
    } <= set(first)
    assert first["postmortem"] == "2019-12-05-gh-pages"
    assert first["owner"] == "dana"
    assert first["priority"] == "P1"
    assert first["due"] == "2019-12-13"
    assert first["kind"] == "branch_protection"
    assert first["status"] == "open"
    assert first["repo"] == "googleapis/docs"
    assert first["issue"] is None
    protection = first["protection"]
    assert isinstance(protection, dict)
    assert protection["branch"] == "gh-pages"
    assert protection["repo"] == "googleapis/docs"
    assert protection["allow_deletions"] is False
    source = first["source"]
    assert isinstance(source, dict) and source["line"] == 70
    assert str(source["file"]).endswith("2019-12-05-gh-pages.md")
    assert [i["kind"] for i in items[1:]] == ["issue", "issue"]
    assert all(i["protection"] is None for i in items[1:])


def test_reimporting_is_safe(run_cli: RunCli, tmp_path: Path) -> None:
    doc = tmp_path / "2026-03-02-queue.md"
    doc.write_text(GOOD, encoding="utf-8")
    run_cli("import", str(doc))
    before = items_json(run_cli)
    again = run_cli("import", str(doc))
    assert again.exit_code == 0
    assert "unchanged" in again.stdout
    assert items_json(run_cli) == before


def test_many_files_at_once(run_cli: RunCli, tmp_path: Path) -> None:
    a = tmp_path / "a.md"
    b = tmp_path / "b.md"
    a.write_text(GOOD, encoding="utf-8")
    b.write_text(GOOD.replace("Queue backlog", "Disk full"), encoding="utf-8")
    result = run_cli("import", str(a), str(b), str(GH_PAGES))
    assert result.exit_code == 0, result.output
    assert "3 post-mortems imported" in result.stdout
    assert len(items_json(run_cli)) == 7


def test_filters_combine(run_cli: RunCli, tmp_path: Path) -> None:
    doc = tmp_path / "2026-03-02-queue.md"
    doc.write_text(GOOD, encoding="utf-8")
    run_cli("import", str(doc), str(GH_PAGES))
    assert [i["title"] for i in items_json(run_cli, "--owner", "@dana")] == [
        "Add an alert on queue depth",
        "Protect gh-pages branch. Don't allow deletion.",
    ]
    assert [i["owner"] for i in items_json(run_cli, "--owner", "lee", "--status", "done")] == [
        "lee"
    ]
    assert items_json(run_cli, "--owner", "lee", "--status", "open")[0]["postmortem"] == (
        "2019-12-05-gh-pages"
    )
    assert len(items_json(run_cli, "--kind", "branch_protection")) == 1
    overdue = items_json(run_cli, "--overdue")
    assert {i["postmortem"] for i in overdue} == {"2019-12-05-gh-pages", "2026-03-02-queue"}
    assert all(i["overdue"] for i in overdue)
    assert len(items_json(run_cli, "--postmortem", "2026-03-02-queue")) == 2
    assert items_json(run_cli, "--search", "ALERT")[0]["owner"] == "dana"


def test_table_and_csv(run_cli: RunCli) -> None:
    run_cli("import", str(GH_PAGES))
    table = run_cli("list")
    assert table.exit_code == 0
    assert "Protect gh-pages" in table.stdout
    assert "○ open" in table.stdout
    assert "2019-12-13 !" in table.stdout  # overdue is marked without colour too
    csv_out = run_cli("list", "--format", "csv").stdout.splitlines()
    assert csv_out[0].startswith("id,postmortem,title,owner,priority,due,overdue")
    assert len(csv_out) == 4


def test_show_prints_fields_context_and_history(run_cli: RunCli) -> None:
    run_cli("import", str(GH_PAGES), "--repo", "googleapis/docs")
    item = items_json(run_cli)[1]
    result = run_cli("show", str(item["id"])[:4])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Investigate if debugging gh-pages could be improved." in out
    assert "2019-12-05-gh-pages.md:71" in out
    assert "Protect gh-pages branch" in out  # the neighbouring line, as context
    assert "status set to open" in out
    data = json.loads(run_cli("show", str(item["id"]), "--format", "json").stdout)
    assert data["id"] == item["id"]
    assert data["history"][0]["new"] == "open"


def test_unknown_and_bad_arguments_are_one_line_errors(run_cli: RunCli) -> None:
    run_cli("import", str(GH_PAGES))
    missing = run_cli("show", "zzzzzzz")
    assert missing.exit_code == 5
    assert missing.stderr.strip() == "error: no item with id 'zzzzzzz' (see 'followup list')"
    bad_status = run_cli("list", "--status", "finished")
    assert bad_status.exit_code == 2
    assert bad_status.stderr.count("\n") == 1
    assert "unknown status 'finished'" in bad_status.stderr


def test_list_on_an_empty_store_says_how_to_start(run_cli: RunCli) -> None:
    result = run_cli("list")
    assert result.exit_code == 0
    assert "followup import" in result.stderr
    assert items_json(run_cli) == []


# -- bad input: one line, non-zero exit, store untouched ------------------------------------


def _bad_inputs(tmp: Path) -> dict[str, tuple[Path, str]]:
    binary = tmp / "image.md"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    latin = tmp / "latin1.md"
    latin.write_bytes("# Panne\n\n## Action items\n\n- Réparer\n".encode("latin-1"))
    huge = tmp / "huge.md"
    with huge.open("wb") as fh:
        fh.truncate(50 * 1024 * 1024)
    front = tmp / "front.md"
    front.write_text(
        "---\ntitle: [unclosed\n---\n# x\n\n## Action items\n\n- a\n", encoding="utf-8"
    )
    folder = tmp / "folder"
    folder.mkdir()
    return {
        "missing": (tmp / "nope.md", "nope.md"),
        "directory": (folder, "folder"),
        "binary": (binary, "image.md"),
        "non-utf8": (latin, "latin1.md"),
        "huge": (huge, "huge.md"),
        "front matter": (front, "front.md"),
    }


@pytest.mark.parametrize(
    "case", ["missing", "directory", "binary", "non-utf8", "huge", "front matter"]
)
def test_bad_input_is_refused_and_nothing_is_written(
    run_cli: RunCli, tmp_path: Path, case: str
) -> None:
    run_cli("import", str(GH_PAGES))
    before = items_json(run_cli)
    path, name = _bad_inputs(tmp_path)[case]
    result = run_cli("import", str(GH_PAGES), str(path))
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert lines[-1] == "error: 1 file could not be read; nothing was imported"
    assert len(lines) == 2 and name in lines[0]
    assert "Traceback" not in result.output
    assert items_json(run_cli) == before


def test_skip_invalid_imports_the_rest(run_cli: RunCli, tmp_path: Path) -> None:
    broken = tmp_path / "broken.md"
    broken.write_bytes(b"\xff\xfe\x00garbage")
    result = run_cli("import", "--skip-invalid", str(broken), str(GH_PAGES))
    assert result.exit_code == 0
    assert "skipped" in result.stderr
    assert len(items_json(run_cli)) == 3


def test_a_document_without_action_items_is_a_warning(run_cli: RunCli, tmp_path: Path) -> None:
    doc = tmp_path / "notes.md"
    doc.write_text("# Notes\n\n## Timeline\n\n- 10:00 it broke\n", encoding="utf-8")
    result = run_cli("import", str(doc))
    assert result.exit_code == 0
    assert "warning:" in result.stderr and "action" in result.stderr.lower()
    assert items_json(run_cli) == []


def test_a_bad_database_url_is_one_line(run_cli: RunCli) -> None:
    from click.testing import CliRunner

    from followup.cli import cli

    result = CliRunner().invoke(cli, ["--db", "nosuchdriver://x", "list"])
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ")
    assert result.stderr.count("\n") == 1


def test_the_default_store_lives_in_the_user_data_folder(isolated_home: Path) -> None:
    from click.testing import CliRunner

    from followup.cli import cli

    result = CliRunner().invoke(cli, ["import", str(GH_PAGES)])
    assert result.exit_code == 0, result.output
    data_home = Path(os.environ["XDG_DATA_HOME"])
    assert (data_home / "followup" / "followup.db").exists()
