"""`followup import` refuses what is not a post-mortem, unless --force says otherwise."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest
from sqlmodel import select

from followup.store import create_store_engine, session_scope
from followup.store.models import ItemRow
from tests.conftest import GH_PAGES, RunCli

ROOT = Path(__file__).resolve().parents[2]


def listed(run_cli: RunCli) -> list[dict[str, object]]:
    result = run_cli("list", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert isinstance(data, list)
    return data


def one_error_line(stderr: str) -> str:
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    assert lines and lines[0].startswith("error: "), stderr
    assert "Traceback" not in stderr
    return lines[0]


def test_the_projects_own_readme_is_refused(run_cli: RunCli) -> None:
    result = run_cli("import", str(ROOT / "README.md"))
    assert result.exit_code != 0
    line = one_error_line(result.stderr)
    assert "does not look like a post-mortem" in line and "--force" in line
    assert listed(run_cli) == []


def test_force_imports_it_anyway(run_cli: RunCli, tmp_path: Path) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text("# Shopping\n\n## Things\n\n- Buy milk\n", encoding="utf-8")
    assert run_cli("import", str(notes)).exit_code != 0
    result = run_cli("import", "--force", str(notes))
    assert result.exit_code == 0, result.output
    assert listed(run_cli) == []  # imported, with no action section: no items


@pytest.mark.parametrize("name", ["pyproject.toml", "notes.json", "setup.cfg", "x.py"])
def test_other_extensions_are_refused(run_cli: RunCli, tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text("# Incident\n\n## Action items\n\n- Add an alert\n", encoding="utf-8")
    result = run_cli("import", str(path))
    assert result.exit_code != 0
    assert "is not a Markdown file" in one_error_line(result.stderr)


@pytest.mark.parametrize("name", ["pm.md", "pm.markdown", "pm.mdown", "PM.MD", "pm.txt", "PM"])
def test_markdown_and_text_extensions_are_read(run_cli: RunCli, tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text("# Incident\n\n## Action items\n\n- Add an alert\n", encoding="utf-8")
    result = run_cli("import", str(path))
    assert result.exit_code == 0, result.output
    assert [i["title"] for i in listed(run_cli)] == ["Add an alert"]


def test_a_post_mortem_without_action_items_is_still_one(run_cli: RunCli, tmp_path: Path) -> None:
    doc = tmp_path / "blip.md"
    doc.write_text("# Blip\n\n## Impact\n\nNone.\n\n## Root cause\n\nA typo.\n", encoding="utf-8")
    result = run_cli("import", str(doc))
    assert result.exit_code == 0, result.output


def test_front_matter_can_say_it_is_a_post_mortem(run_cli: RunCli, tmp_path: Path) -> None:
    doc = tmp_path / "note.md"
    doc.write_text("---\ntags: [postmortem]\n---\n\n# Blip\n\nShort.\n", encoding="utf-8")
    assert run_cli("import", str(doc)).exit_code == 0


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_with_no_writer_is_refused_without_hanging(run_cli: RunCli, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.md"
    os.mkfifo(fifo)
    outcome: list[int] = []
    worker = threading.Thread(target=lambda: outcome.append(run_cli("import", str(fifo)).exit_code))
    worker.start()
    worker.join(timeout=20)
    if worker.is_alive():  # unblock the reader so the test process can end, then fail
        with fifo.open("w"):
            pass
        worker.join()
        pytest.fail("import blocked on a FIFO")
    assert outcome and outcome[0] != 0


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_skip_invalid_skips_only_the_bad_file(run_cli: RunCli, tmp_path: Path, db_url: str) -> None:
    fifo = tmp_path / "pipe.md"
    os.mkfifo(fifo)
    deep = tmp_path / "deep.md"
    deep.write_text(
        "# Incident\n\n## Action items\n\n"
        + "".join("  " * i + f"- step {i}\n" for i in range(1200)),
        encoding="utf-8",
    )
    readme = ROOT / "README.md"
    result = run_cli("import", "--skip-invalid", str(fifo), str(readme), str(deep), str(GH_PAGES))
    assert result.exit_code == 0, result.output
    assert "not a regular file" in result.stderr
    assert "does not look like a post-mortem" in result.stderr
    engine = create_store_engine(db_url)
    try:
        with session_scope(engine) as session:
            count = len(session.exec(select(ItemRow.id)).all())
    finally:
        engine.dispose()
    assert count == 1200 + 3


def test_suggestions_are_listed_as_suggested(run_cli: RunCli, tmp_path: Path) -> None:
    doc = tmp_path / "2026-01-10-login.md"
    doc.write_text(
        "# Login latency\n\n## Summary\n\nLogins were slow. We will add an alert on login "
        "latency.\n\n## Action items\n\n- Raise the connection limit\n",
        encoding="utf-8",
    )
    result = run_cli("import", str(doc))
    assert result.exit_code == 0, result.output
    assert "2 new, 1 suggested" in result.stdout
    statuses = {i["title"]: i["status"] for i in listed(run_cli)}
    assert statuses == {
        "Add an alert on login latency": "suggested",
        "Raise the connection limit": "open",
    }
    only = run_cli("list", "--format", "json", "--status", "suggested")
    assert [i["title"] for i in json.loads(only.stdout)] == ["Add an alert on login latency"]


BROKEN_FRONT_MATTER = """---
title: Release broke the docs site
authors: @alex
---

# Release broke the docs site

## Action items

- Add a smoke test of the docs build
"""


def test_front_matter_yaml_cannot_read_is_refused_then_ignored_when_forced(
    run_cli: RunCli, tmp_path: Path
) -> None:
    path = tmp_path / "2020-04-09-release.md"
    path.write_text(BROKEN_FRONT_MATTER, encoding="utf-8")
    refused = run_cli("import", str(path))
    assert refused.exit_code != 0
    line = one_error_line(refused.stderr)
    assert "line 3" in line and "YAML" in line and "--force" in line
    assert listed(run_cli) == []

    forced = run_cli("import", "--force", str(path))
    assert forced.exit_code == 0, forced.output
    assert "the front matter was ignored" in " ".join(forced.output.split())
    assert [item["title"] for item in listed(run_cli)] == ["Add a smoke test of the docs build"]
