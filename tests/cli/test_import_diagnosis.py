"""`import` says when a document holds lists that look like work it did not read."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.schemas import check
from tests.conftest import RunCli
from tests.postmortem.test_diagnosis import STRAY_LESSONS, WELL_FORMED


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def warning_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("warning: ")]


def test_a_stray_checklist_is_one_warning_line_naming_the_file_and_line(
    run_cli: RunCli, tmp_path: Path
) -> None:
    path = write(tmp_path, "2026-03-02-cache.md", STRAY_LESSONS)
    result = run_cli("import", str(path))
    assert result.exit_code == 0, result.output  # a warning is no error
    (line,) = warning_lines(result.stderr)
    assert line.startswith("warning: ")
    assert "2026-03-02-cache.md: " in line
    assert '1 checklist outside "Follow-up" not read (line 19 under "Lessons learned")' in line
    assert line.endswith(
        'if it is work to do, put it under an action heading such as "## Action items" to import it'
    )
    assert "2 items" in result.stdout


def test_a_well_formed_document_prints_no_warning(run_cli: RunCli, tmp_path: Path) -> None:
    path = write(tmp_path, "2026-03-02-cache.md", WELL_FORMED)
    result = run_cli("import", str(path))
    assert result.exit_code == 0, result.output
    assert warning_lines(result.stderr) == []


def test_a_document_without_action_section_says_what_it_found(
    run_cli: RunCli, tmp_path: Path
) -> None:
    text = (
        "# Outage\n\n## Timeline\n\n- 10:00 Paged\n- 10:05 Restarted\n\n"
        "## Ideas\n\n- [ ] Add a canary\n- [ ] Page on queue depth\n"
    )
    path = write(tmp_path, "2026-03-03-outage.md", text)
    result = run_cli("import", str(path))
    assert result.exit_code == 0, result.output
    (line,) = warning_lines(result.stderr)
    assert "no action-items section found; 1 checklist looks like work to do" in line
    assert 'line 10 under "Ideas"' in line
    assert "looked for a heading" not in line  # the reader's generic message is replaced


def test_the_json_report_carries_the_diagnosis(run_cli: RunCli, tmp_path: Path) -> None:
    stray = write(tmp_path, "2026-03-02-cache.md", STRAY_LESSONS)
    clean = write(tmp_path, "2026-03-04-clean.md", WELL_FORMED)
    result = run_cli("import", str(stray), str(clean), "--format", "json")
    assert result.exit_code == 0, result.output
    report = check(json.loads(result.stdout), "import")
    by_file = {Path(doc["file"]).name: doc for doc in report["postmortems"]}
    stray_doc, clean_doc = by_file["2026-03-02-cache.md"], by_file["2026-03-04-clean.md"]
    assert stray_doc["diagnosis"]["sources"] == ["Follow-up"]
    assert stray_doc["diagnosis"]["unread"] == [
        {"line": 19, "last": 21, "heading": "Lessons learned", "kind": "checklist"}
    ]
    assert stray_doc["warnings"] == [stray_doc["diagnosis"]["warning"]]
    assert clean_doc["diagnosis"]["unread"] == []
    assert clean_doc["diagnosis"]["warning"] is None
    assert clean_doc["warnings"] == []
    assert any("not read" in w for w in report["warnings"])

    again = run_cli("import", str(stray), "--format", "json")
    (unchanged,) = check(json.loads(again.stdout), "import")["postmortems"]
    assert unchanged["unchanged"] is True and unchanged["diagnosis"] is None


def test_a_heading_with_escape_codes_reaches_the_terminal_inert(
    run_cli: RunCli, tmp_path: Path
) -> None:
    text = (
        "# Outage\n\n## Action items\n\n- Add an alert\n\n"
        "## Later \x1b]0;owned\x07 [red]x[/red] **bold**\n\n"
        "- [ ] Rotate the keys\n- [ ] Audit the tokens\n"
    )
    path = write(tmp_path, "2026-03-05-outage.md", text)
    result = run_cli("import", str(path))
    (line,) = warning_lines(result.stderr)
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr
    assert 'under "Later ␛]0;owned␇ [red]x[/red] bold"' in line
