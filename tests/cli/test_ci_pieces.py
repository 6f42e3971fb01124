"""The pieces of `followup ci`: workflow commands, outputs, Markdown, outcomes, the plan."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from followup.cli.ci import markdown as md
from followup.cli.ci.outcomes import counts, merge
from followup.cli.ci.plan_comment import plan_comment
from followup.cli.ci.summary import protection_notes
from followup.cli.ci.workflow import (
    ActionsEnv,
    annotation,
    commands_stopped,
    escape_data,
    escape_property,
    output_lines,
)
from followup.github.comments import MAX_COMMENT, has_marker, marked_body
from tests.cli.test_ci_action import decode, rendered

# -- workflow commands and outputs --------------------------------------------------------


def test_a_message_encodes_percent_and_line_breaks_only() -> None:
    assert escape_data("100% done\r\nnext: a, b") == "100%25 done%0D%0Anext: a, b"


def test_a_property_also_encodes_colons_and_commas() -> None:
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"


def test_an_annotation_is_one_line_whatever_its_text() -> None:
    hostile = "line one\nline two ::error::x\r\x1b[31mred\x07 %0A"
    line = annotation("error", hostile, file="docs/a,b:c.md", line=7, title=hostile)
    assert "\n" not in line and "\r" not in line and "\x1b" not in line and "\x07" not in line
    match = re.fullmatch(r"::error file=([^,:]*),line=(\d+),title=([^,:]*)::(.*)", line)
    assert match is not None, line
    assert decode(match[1]) == "docs/a,b:c.md" and match[2] == "7"
    assert decode(match[3]) == decode(match[4]) == "line one\nline two ::error::x\n[31mred %0A"


def test_an_annotation_without_a_place_has_no_properties() -> None:
    assert annotation("warning", "just this") == "::warning::just this"


def test_outputs_survive_any_value() -> None:
    text = output_lines({"files": "a.md\nb.md", "filed": 2, "report": ""})
    found = re.findall(r"^([\w-]+)<<(\S+)\n(.*?)\n\2$", text, re.MULTILINE | re.DOTALL)
    assert [(name, value) for name, _, value in found] == [
        ("files", "a.md\nb.md"),
        ("filed", "2"),
        ("report", ""),
    ]
    assert len({delimiter for _, delimiter, _ in found}) == 3  # none can be guessed


def test_commands_are_stopped_and_resumed_with_an_unguessable_token(tmp_path: Path) -> None:
    with (tmp_path / "out").open("w+") as out:
        with commands_stopped(out, active=True):
            out.write("::add-mask::x\n")
        out.seek(0)
        lines = out.read().splitlines()
    token = lines[0].removeprefix("::stop-commands::")
    assert len(token) == 32 and lines == [
        f"::stop-commands::{token}",
        "::add-mask::x",
        f"::{token}::",
    ]


def test_outside_actions_nothing_is_stopped(tmp_path: Path) -> None:
    with (tmp_path / "out").open("w+") as out:
        with commands_stopped(out, active=False):
            out.write("text\n")
        out.seek(0)
        assert out.read() == "text\n"


def event_env(tmp_path: Path, name: str, event: Any) -> ActionsEnv:
    path = tmp_path / "event.json"
    path.write_text(event if isinstance(event, str) else json.dumps(event), encoding="utf-8")
    return ActionsEnv.from_environ(
        {
            "GITHUB_ACTIONS": "true",
            "GITHUB_EVENT_NAME": name,
            "GITHUB_EVENT_PATH": str(path),
            "GITHUB_REPOSITORY": "octo-org/docs",
            "GITHUB_SHA": "a" * 40,
            "GITHUB_WORKSPACE": str(tmp_path),
            "GITHUB_SERVER_URL": "https://ghe.example.com/",
            "GITHUB_RUN_ID": "42",
        }
    )


def test_a_pull_request_event_names_its_number_and_head(tmp_path: Path) -> None:
    env = event_env(
        tmp_path,
        "pull_request",
        {"number": 9, "pull_request": {"number": 9, "head": {"sha": "b" * 40}}},
    )
    assert env.active and env.is_pull_request and env.pull_request == 9
    assert env.blob_url(str(tmp_path / "docs" / "pm.md"), 3) == (
        f"https://ghe.example.com/octo-org/docs/blob/{'b' * 40}/docs/pm.md#L3"
    )
    assert env.run_url == "https://ghe.example.com/octo-org/docs/actions/runs/42"


@pytest.mark.parametrize(
    ("name", "event"),
    [
        ("push", {"number": 9, "pull_request": {"number": 9}}),
        ("pull_request", "not json"),
        ("pull_request", {"pull_request": {"number": "9"}}),
        ("pull_request", ["a list"]),
    ],
)
def test_no_pull_request_without_a_well_formed_pull_request_event(
    tmp_path: Path, name: str, event: Any
) -> None:
    assert event_env(tmp_path, name, event).pull_request is None


def test_a_file_outside_the_workspace_keeps_its_path(tmp_path: Path) -> None:
    (tmp_path / "ws").mkdir()
    env = event_env(tmp_path / "ws", "push", {})
    assert env.relative(str(tmp_path / "ws" / "a" / "b.md")) == "a/b.md"
    assert env.relative("/elsewhere/c.md") == "/elsewhere/c.md"


# -- Markdown ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("*bold* _it_ ~~s~~", "*bold* _it_ ~~s~~"),
        ("[click](https://evil.example)", "[click](https://evil.example)"),
        ("<b>x</b> & <!-- c -->", "<b>x</b> & <!-- c -->"),
        ("a | b", "a | b"),
        ("# not a heading", "# not a heading"),
        ("`code` and \\ slash", "`code` and \\ slash"),
        ("line\nbreak\r\nand\ttab", "line break and tab"),
        ("\x1b[31mred\x1b[0m\u202eevil\u200b", "[31mred[0mevil"),
    ],
)
def test_text_renders_as_exactly_the_text(raw: str, shown: str) -> None:
    html = rendered(f"| x |\n| --- |\n| {md.text(raw)} |")
    cell = re.search(r"<td>(.*?)</td>", html, re.DOTALL)
    assert cell is not None, html
    unescaped = (
        cell[1]
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", '"')
        .replace("&amp;", "&")
    )
    assert unescaped == shown


def test_a_mention_in_text_pings_nobody() -> None:
    assert md.text("ask @dana and @octo-org/sre") == (
        f"ask @{md.WORD_JOINER}dana and @{md.WORD_JOINER}octo\\-org/sre"
    )
    assert md.text("mail a@b") == f"mail a@{md.WORD_JOINER}b"


@pytest.mark.parametrize("raw", ["plain", "a `tick` b", "``double``", "`edge`", "a|b"])
def test_a_code_span_holds_any_text_even_in_a_table(raw: str) -> None:
    html = rendered(f"| x |\n| --- |\n| {md.code(raw)} |")
    assert re.search(r"<td><code>(.*?)</code></td>", html) is not None, html
    code = re.search(r"<code>(.*?)</code>", html)
    assert code is not None and code[1] == raw.replace("<", "&lt;")


def test_a_fence_is_not_closed_by_its_content() -> None:
    body = "before\n```\nnot the end\n````\nstill inside"
    block = md.fence(body, "markdown")
    assert block.startswith("`````markdown\n") and block.endswith("\n`````")
    assert "<pre><code" in rendered(block) and "still inside" in rendered(block)
    assert rendered(block).count("<pre>") == 1


def test_only_web_addresses_become_links() -> None:
    assert md.link("x", "https://github.com/a/b/issues/1") == "[x](https://github.com/a/b/issues/1)"
    for odd in ("javascript:alert(1)", "https://a.example/x) [y](z", "data:text/html,x", None, ""):
        assert md.link("x", odd) == "x"


def test_html_text_is_escaped() -> None:
    assert md.html("1.0 <b>&</b>") == "1.0 &lt;b&gt;&amp;&lt;/b&gt;"


# -- outcomes and the plan comment ---------------------------------------------------------


def _item(item_id: str, action: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": item_id,
        "action": action,
        "title": extra.pop("title", f"Item {item_id}"),
        "postmortem": "pm",
        "source": {"file": "docs/pm.md", "line": 10},
        "issue": None,
        "target": None,
        "message": None,
        "error": None,
        "warnings": [],
        **extra,
    }


def test_protect_s_entry_replaces_file_s_skip_of_a_protection_item() -> None:
    filed = {
        "items": [
            _item("a", "created", issue={"repo": "o/r", "number": 1, "url": "https://x"}),
            _item("p", "skipped", message="branch-protection item: applied to the branch"),
        ]
    }
    protected = {
        "items": [
            {**_item("p", "failed", error="403"), "source": None, "target": "o/r:main"},
            {**_item("q", "done"), "source": None, "target": "o/r:dev"},
        ]
    }
    outcomes = merge(filed, protected)

    assert [(o.id, o.step, o.result) for o in outcomes] == [
        ("a", "file", "filed"),
        ("p", "protect", "failed"),
        ("q", "protect", "protected"),
    ]
    assert (outcomes[1].file, outcomes[1].line, outcomes[1].reason) == ("docs/pm.md", 10, "403")
    assert counts(outcomes) == {
        "filed": 1,
        "linked": 0,
        "skipped": 0,
        "failed": 1,
        "protected": 1,
        "satisfied": 0,
    }


def test_a_plan_with_nothing_to_do_says_so() -> None:
    outcomes = merge({"items": [_item("d", "skip", message="done in the post-mortem")]}, None)
    text = plan_comment(outcomes, version="1.0")
    assert "Nothing to file and no branch protection to change." in text
    assert "#### Not filed" in text and "done in the post\\-mortem" in text


def test_a_plan_is_the_same_text_for_the_same_plan() -> None:
    doc = {
        "items": [
            _item(
                "a",
                "create",
                new_issue={
                    "repo": "o/r",
                    "title": "T",
                    "body": "B",
                    "labels": ["x"],
                    "assignees": ["dana"],
                },
                repo="o/r",
            )
        ]
    }
    first = plan_comment(merge(doc, None), version="1.0")
    assert first == plan_comment(merge(doc, None), version="1.0")
    assert "| `dana` |" in first and "@dana" not in first


def test_a_huge_plan_is_cut_but_keeps_its_key() -> None:
    items = [
        _item(
            f"i{n}",
            "create",
            new_issue={
                "repo": "o/r",
                "title": "T",
                "body": "B" * 200,
                "labels": [],
                "assignees": [],
            },
        )
        for n in range(1_000)
    ]
    body = marked_body(plan_comment(merge({"items": items}, None)), "plan:3")
    assert len(body) <= MAX_COMMENT and has_marker(body, "plan:3")


def _protect_item(item_id: str, action: str, target: str, **extra: Any) -> dict[str, Any]:
    """Return an entry of protect's document, its protection shaped as protection_json's."""
    changes = extra.pop("changes", [])
    repo, branch = target.split(":")
    return {
        **_item(item_id, action, source=None, target=target, **extra),
        "protection": {
            "repo": repo,
            "branch": branch,
            "method": "classic",
            "before": {c["setting"]: c["before"] for c in changes},
            "after": {c["setting"]: c["after"] for c in changes},
            "changes": changes,
            "missing": [],
        },
    }


UNSEEN = (
    "status check ci/typo never reported on the latest commit of main: requiring it blocks "
    "every pull request until it reports"
)


def test_a_plan_shows_why_each_setting_changes_and_what_to_know_before_merging() -> None:
    filed = {"items": [_item("p", "skipped", message="branch-protection item"), _item("q", "skip")]}
    contexts = {"setting": "contexts", "before": ["ci/build"], "after": ["ci/build", "ci/typo"]}
    protected = {
        "items": [
            _protect_item(
                "p",
                "change",
                "o/r:main",
                message="main already has classic protection: followup adds a ruleset",
                warnings=[UNSEEN],
                changes=[{**contexts, "note": "requested; existing checks kept"}],
            ),
            _protect_item(
                "q",
                "change",
                "o/r:main",
                message="main already has classic protection: followup adds a ruleset",
                changes=[
                    {
                        "setting": "allow_deletions",
                        "before": True,
                        "after": False,
                        "note": "requested; also enforced by ruleset 73 of organisation octo-org",
                    }
                ],
            ),
            _protect_item(
                "s", "satisfied", "o/r:dev", message="dev is a pattern: a ruleset protects it"
            ),
        ]
    }
    text = plan_comment(merge(filed, protected), version="1.0")

    table = text.split("#### Branch protection that would change\n\n", 1)[1]
    assert table.startswith("| Branch | Setting | Now | After the merge | Note |\n")
    assert (
        '| `o/r:main` | `contexts` | `["ci/build"]` | `["ci/build", "ci/typo"]` | '
        "requested; existing checks kept |" in table
    )
    assert (
        "| `o/r:main` | `allow_deletions` | `true` | `false` | "
        "requested; also enforced by ruleset 73 of organisation octo\\-org |" in table
    )
    # The branch's note once, however many items plan it; each warning with its item.
    note = "- `o/r:main`: main already has classic protection\\: followup adds a ruleset\n"
    assert text.count(note) == 1
    assert f"- ⚠ `o/r:main` `p`: {md.text(UNSEEN)}\n" in text
    assert "- Item s `s` `o/r:dev`: dev is a pattern\\: a ruleset protects it\n" in text
    html = rendered(text)
    assert all(len(re.findall(r"<t[hd]>", row)) == 5 for row in re.findall(r"<tr>(.*?)</tr>", html))


def test_a_run_s_own_words_are_not_shown_as_a_plan_s_note() -> None:
    changes = [{"setting": "allow_deletions", "before": True, "after": False, "note": "requested"}]
    done = _protect_item("p", "done", "o/r:main", message="protected and verified", changes=changes)
    lines = protection_notes(merge(None, {"items": [done]}))
    assert lines == []


def test_outside_text_in_a_plan_s_notes_and_warnings_stays_text() -> None:
    hostile = "<img src=x onerror=alert(1)> | @dana [x](javascript:alert(1))\n# heading"
    item = _protect_item(
        "p",
        "change",
        "o/r:main",
        message=hostile,
        warnings=[hostile],
        changes=[{"setting": "allow_deletions", "before": True, "after": False, "note": hostile}],
    )
    outcomes = merge(None, {"items": [item]})
    html = rendered(plan_comment(outcomes, version="1.0"))
    assert "<img" not in html and "href=" not in html and "<h1>" not in html
    assert "@dana" not in html
    rows = re.findall(r"<tr>(.*?)</tr>", html, re.DOTALL)
    assert len(rows) == 2 and all(len(re.findall(r"<t[hd]>", row)) == 5 for row in rows)
