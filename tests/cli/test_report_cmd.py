"""`followup report`: the weekly review on the command line, as Markdown, HTML and JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from followup import clock
from tests.cli.schemas import check
from tests.conftest import RunCli
from tests.store.report_world import TODAY, seed

HOSTILE = """---
title: "<script>alert(1)</script> | @everyone"
date: 2026-03-01
---
## Action items

- [ ] Fix #12 and ping @dana <img src=x onerror=alert(1)> | **now** (P0, @lee)
"""


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "today", lambda: TODAY)


@pytest.fixture
def seeded(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Engine:
    return seed(engine, monkeypatch)


def test_markdown_by_default_with_every_section(run_cli: RunCli, seeded: Engine) -> None:
    result = run_cli("report")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("## Post-mortem follow-ups: week 2026-W12 (2026-03-12 to 2026-03-18)\n")
    assert "| 5 | 4 | 1 | 3 | 4 | 1 | ▰▰▰▰▰▱▱▱▱▱ 50% (5/10) |" in out
    assert "**The open backlog grew by 3 (2 → 5 outstanding).**" in out
    assert "In the period: 1 closed, 3 opened, 1 reopened." in out
    assert "Closed by their policy deadline: 3 of 7 (43%); of those due in the period, 0 of 1" in (
        out
    )
    for heading in (
        "### Overdue by owner",
        "### Past their policy deadline",
        "### Branch protection regressed",
        "### Completion by post-mortem",
        "### Time to close",
        "### Closed in the period",
        "### Opened in the period",
    ):
        assert f"\n{heading}\n" in out
    assert "**lee** — 2 overdue items" in out
    assert "**nobody named** — 1 overdue item" in out
    assert "| P1 | 2 | 3.0 days | 4.6 days |" in out
    # A title's | would end a table cell: it is escaped.
    assert "| Database failover \\| outage (2026-02-02) | 4/7 | 3 | 2 | ▰▰▰▰▰▰▱▱▱▱ 57% |" in out
    assert "Due-date policy: P0 7 days, P1 28 days, P2 56 days, P3 none" in out


def test_json_has_the_same_numbers(run_cli: RunCli, seeded: Engine) -> None:
    result = run_cli("report", "--format", "json")
    assert result.exit_code == 0, result.output
    # Piped, as gh does: compact (json's fast encoder), one document on one line.
    assert result.stdout.count("\n") == 1 and result.stdout.startswith('{"')
    data = json.loads(result.stdout)
    assert data["period"] == {
        "since": "2026-03-12",
        "until": "2026-03-18",
        "days": 7,
        "key": "report:2026-W12",
        "label": "week 2026-W12",
    }
    assert data["totals"] == {
        "total": 10,
        "open": 5,
        "done": 4,
        "wont_do": 1,
        "closed": 5,
        "overdue": 3,
        "past_policy": 4,
        "regressed": 1,
        "suggested": 1,
        "completion": 0.5,
    }
    assert data["backlog"] == {"at_start": 2, "now": 5, "change": 3, "trend": "grew"}
    assert data["on_time"] == {"due": 7, "in_time": 3, "rate": pytest.approx(3 / 7, abs=1e-4)}
    p1 = next(row for row in data["close_times"] if row["priority"] == "P1")
    assert p1["median_seconds"] == 3 * 86400
    assert p1["p90_seconds"] == pytest.approx(4.6 * 86400)
    assert [o["owner"] for o in data["overdue_by_owner"]] == ["lee", None]
    assert data["posted"] is None


def test_a_narrower_scope_and_period(run_cli: RunCli, seeded: Engine) -> None:
    data = json.loads(
        run_cli("report", "--format", "json", "--since", "2w", "--owner", "@lee").stdout
    )
    assert data["period"]["since"] == "2026-03-05"
    assert data["period"]["key"].startswith("report:") and data["period"]["key"].endswith(
        ":owner-lee"
    )
    assert data["totals"]["total"] == 3
    data = json.loads(
        run_cli("report", "--format", "json", "-p", "cdn", "--since", "2026-03-01").stdout
    )
    assert data["period"]["key"] == "report:since-2026-03-01:pm-cdn"
    assert [p["slug"] for p in data["postmortems"]] == ["cdn"]


def test_output_picks_the_format_from_the_suffix(
    run_cli: RunCli, seeded: Engine, tmp_path: Path
) -> None:
    page = tmp_path / "review.html"
    result = run_cli("report", "-o", str(page))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert f"wrote the report to {page}" in result.stderr
    html = page.read_text(encoding="utf-8")
    assert html.startswith("<!doctype html>")
    assert html.count('<svg class="chart') == 2
    document = tmp_path / "review.json"
    run_cli("report", "-o", str(document))
    check(json.loads(document.read_text(encoding="utf-8")), "review")
    forced = tmp_path / "review.txt"
    run_cli("report", "-o", str(forced), "--format", "json")
    assert json.loads(forced.read_text(encoding="utf-8"))["command"] == "report"


def test_text_from_documents_cannot_format_link_or_ping(run_cli: RunCli, tmp_path: Path) -> None:
    path = tmp_path / "hostile.md"
    path.write_text(HOSTILE, encoding="utf-8")
    assert run_cli("import", str(path), "--repo", "acme/web").exit_code == 0
    markdown = run_cli("report").stdout
    assert "<script>" not in markdown and "<img" not in markdown
    assert "@dana" not in markdown and "@everyone" not in markdown  # no mention
    assert "\\#12" in markdown  # no link to an issue
    assert "ping @\u2060dana \\| now" in markdown
    page = tmp_path / "r.html"
    run_cli("report", "-o", str(page))
    html = page.read_text(encoding="utf-8")
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; | @everyone" in html


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("--since", "soon"), 2, "error: --since takes a number of days or weeks"),
        (("--since", "0d"), 2, "error: --since must be between 1d and"),
        (("--since", "2027-01-01"), 2, "error: --since 2027-01-01 is after today"),
        (("-p", "nope"), 5, "error: no post-mortem 'nope' in the store"),
        (("--post", "acme/web"), 2, "error: not an issue: 'acme/web'"),
        (("--format", "pdf"), 2, "error: invalid value for '--format'"),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(
    run_cli: RunCli, seeded: Engine, tmp_path: Path, args: tuple[str, ...], code: int, message: str
) -> None:
    target = tmp_path / "never.md"
    result = run_cli("report", "-o", str(target), *args)
    assert result.exit_code == code
    assert result.stderr.startswith(message), result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not target.exists()


def test_a_missing_folder_is_refused(run_cli: RunCli, seeded: Engine, tmp_path: Path) -> None:
    result = run_cli("report", "-o", str(tmp_path / "nowhere" / "r.md"))
    assert result.exit_code == 2
    assert result.stderr.startswith("error: cannot write")


def test_posting_without_a_token_still_prints_the_report_then_fails(
    run_cli: RunCli, seeded: Engine
) -> None:
    result = run_cli("report", "--post", "acme/ops#42", "--format", "json")
    assert result.exit_code == 4
    assert json.loads(result.stdout)["posted"] is None
    assert "error: no GitHub token" in result.stderr


# -- --post: one comment per period ---------------------------------------------------

ISSUE = "octo-org/followup-scratch#42"


@pytest.fixture
def token(monkeypatch: pytest.MonkeyPatch, github_token: str) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", github_token)
    monkeypatch.setenv("FOLLOWUP_WRITE_INTERVAL", "0")


@pytest.mark.vcr
def test_post_keeps_the_report_as_the_week_s_comment(
    run_cli: RunCli, seeded: Engine, token: None, vcr: Any
) -> None:
    result = run_cli("report", "--post", ISSUE, "--format", "json")
    assert result.exit_code == 0, result.output
    posted = json.loads(result.stdout)["posted"]
    assert posted == {
        "issue": ISSUE,
        "url": "https://github.com/octo-org/followup-scratch/issues/42#issuecomment-9101",
        "action": "created",
    }
    assert "posted the report's comment on octo-org/followup-scratch#42" in result.stderr
    assert [r.method for r in vcr.requests] == ["GET", "POST", "GET"]
    sent = json.loads(vcr.requests[1].body)["body"]
    assert sent.startswith("## Post-mortem follow-ups: week 2026-W12")
    assert sent.endswith("<!-- followup:report:2026-W12 -->\n")
    assert vcr.all_played


@pytest.mark.vcr
def test_posting_the_same_numbers_again_sends_no_write(
    run_cli: RunCli, seeded: Engine, token: None, vcr: Any
) -> None:
    result = run_cli("report", "--post", "https://github.com/octo-org/followup-scratch/issues/42")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("## Post-mortem follow-ups")  # the report is printed too
    assert "left as it was" in result.stderr
    assert [r.method for r in vcr.requests] == ["GET"]


@pytest.mark.vcr
def test_new_numbers_update_the_week_s_comment_in_place(
    run_cli: RunCli, seeded: Engine, token: None, vcr: Any, tmp_path: Path
) -> None:
    result = run_cli("report", "--post", ISSUE, "-o", str(tmp_path / "r.md"))
    assert result.exit_code == 0, result.output
    assert "updated the report's comment" in result.stderr
    assert [r.method for r in vcr.requests] == ["GET", "PATCH"]
    assert vcr.all_played
