"""The GitHub Action, run as a runner would: action.yml's step, its variables, GitHub replayed.

Each test reads action.yml, resolves the `Run followup` step's env from the inputs it
gives (and the inputs' defaults), expands its one command line, and runs that command in
this process (so the cassette answers for GitHub). A fake runner folder stands in for
GITHUB_WORKSPACE, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, GITHUB_EVENT_PATH and RUNNER_TEMP.
The cassettes are those of `file` and `protect` (tests/cassettes/test_file_cmd and
test_protect_cmd), joined, with the pull request's comment exchanges added
(tests/cassettes/README.md, "The GitHub Action").
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result

from followup.cli import cli
from followup.cli.ci.markdown import WORD_JOINER
from followup.github.comments import has_marker
from tests.cli.schemas import check
from tests.conftest import GH_PAGES, SCRATCH_REPO

ROOT = Path(__file__).resolve().parents[2]
ACTION = ROOT / "action.yml"
EXAMPLES = ROOT / "examples" / "github-actions"
REPO = SCRATCH_REPO
SHA = "6dcb09b5b57875f334f61aebed695e2e4193db5e"
PR = 7
DOC = "examples/postmortems/2019-12-05-gh-pages.md"
PROTECT_ID, DEBUG_ID, OTHER_ID = "61r8rt2", "pvg0bpd", "emhf50m"
EXPRESSION = re.compile(r"\$\{\{\s*(.+?)\s*\}\}")


def git(*args: str, cwd: Path) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True)
    return done.stdout


@dataclass
class Runner:
    """The folders and files a GitHub runner gives a step."""

    workspace: Path
    temp: Path
    output: Path
    summary: Path
    event: Path
    token: str

    def outputs(self) -> dict[str, str]:
        """Return the step's outputs as the runner reads GITHUB_OUTPUT."""
        text = self.output.read_text(encoding="utf-8")
        found = {}
        for match in re.finditer(r"^([\w-]+)<<(\S+)\n(.*?)\n\2$", text, re.MULTILINE | re.DOTALL):
            found[match[1]] = match[3]
        assert len(found) == text.count("<<ghadelimiter_"), text
        return found

    def report(self) -> dict[str, Any]:
        """Return the JSON report the `report` output names, checked against its schema."""
        document = json.loads(Path(self.outputs()["report"]).read_text(encoding="utf-8"))
        return dict(check(document, "ci"))


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, github_token: str) -> Runner:
    workspace = tmp_path / "workspace"
    (workspace / "examples" / "postmortems").mkdir(parents=True)
    git("init", "-q", cwd=workspace)
    shutil.copy(GH_PAGES, workspace / DOC)
    temp = tmp_path / "runner-temp"
    temp.mkdir()
    found = Runner(
        workspace,
        temp,
        tmp_path / "github-output",
        tmp_path / "step-summary.md",
        tmp_path / "event.json",
        github_token,
    )
    found.output.touch()
    found.summary.touch()
    monkeypatch.chdir(workspace)
    for name, value in {
        "GITHUB_ACTIONS": "true",
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_OUTPUT": str(found.output),
        "GITHUB_STEP_SUMMARY": str(found.summary),
        "GITHUB_EVENT_PATH": str(found.event),
        "GITHUB_REPOSITORY": REPO,
        "GITHUB_SHA": SHA,
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_RUN_ID": "1658821493",
        "GITHUB_REF": "refs/heads/main",
        "RUNNER_TEMP": str(temp),
        "FOLLOWUP_WRITE_INTERVAL": "0",
        "FOLLOWUP_MAX_RETRIES": "0",
    }.items():
        monkeypatch.setenv(name, value)
    on_push(found, monkeypatch)
    return found


def on_push(runner: Runner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_EVENT_NAME", "push")
    runner.event.write_text(json.dumps({"ref": "refs/heads/main", "after": SHA}), "utf-8")


def on_pull_request(runner: Runner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_EVENT_NAME", "pull_request")
    head = "9f2c4d1e5b6a7c8d9e0f1a2b3c4d5e6f7a8b9c0d"
    event = {
        "action": "synchronize",
        "number": PR,
        "pull_request": {"number": PR, "head": {"sha": head}},
    }
    runner.event.write_text(json.dumps(event), "utf-8")


def load_action() -> dict[str, Any]:
    data = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def step(action: dict[str, Any], step_id: str) -> dict[str, Any]:
    found = next(s for s in action["runs"]["steps"] if s.get("id") == step_id)
    assert isinstance(found, dict)
    return found


def evaluate(
    template: str, inputs: dict[str, str], action: dict[str, Any], context: dict[str, str]
) -> str:
    """Resolve ${{ … }} as the runner would, for the expressions action.yml uses."""

    def one(match: re.Match[str]) -> str:
        name = match[1]
        if name.startswith("inputs."):
            key = name.removeprefix("inputs.")
            declared = action["inputs"][key]
            if key in inputs:
                return inputs[key]
            return evaluate(str(declared.get("default", "")), inputs, action, context)
        if name not in context:
            pytest.fail(f"action.yml uses ${{{{ {name} }}}}, which the test does not provide")
        return context[name]

    return EXPRESSION.sub(one, template)


def run_action(runner: Runner, monkeypatch: pytest.MonkeyPatch, **inputs: str) -> Result:
    """Run the action's `Run followup` step with these inputs, as the runner would."""
    action = load_action()
    run = step(action, "run")
    assert run["shell"] == "bash"
    context = {
        "github.repository": REPO,
        "github.token": runner.token,
        "github.api_url": "https://api.github.com",
    }
    given = {name.replace("_", "-"): value for name, value in inputs.items()}
    assert set(given) <= set(action["inputs"]), "an input action.yml does not declare"
    for name, template in run["env"].items():
        monkeypatch.setenv(name, evaluate(str(template), given, action, context))
    # Inputs travel in variables: the script itself has no expression to splice text into.
    assert "${{" not in run["run"]
    argv = shlex.split(os.path.expandvars(run["run"]))
    assert argv[0] == f"{runner.temp}/followup-venv/bin/followup"
    return CliRunner().invoke(cli, argv[1:], catch_exceptions=False)


def commands_stopped(stdout: str) -> tuple[list[str], list[str]]:
    """Return the lines printed while workflow commands were off, and the lines after."""
    lines = stdout.splitlines()
    start = re.fullmatch(r"::stop-commands::([0-9a-f]{32})", lines[0])
    assert start is not None, lines[0]
    end = lines.index(f"::{start[1]}::")
    return lines[1:end], lines[end + 1 :]


# -- a push to the default branch files for real -----------------------------------------


@pytest.mark.vcr
def test_a_push_files_the_issues_and_protects_the_branch(
    runner: Runner, monkeypatch: pytest.MonkeyPatch, vcr: Any
) -> None:
    result = run_action(runner, monkeypatch, paths="examples/postmortems/*.md", protect="true")

    assert result.exit_code == 0, result.output
    assert vcr.all_played
    outputs = runner.outputs()
    assert {k: outputs[k] for k in ("filed", "linked", "skipped", "failed")} == {
        "filed": "2",
        "linked": "0",
        "skipped": "0",
        "failed": "0",
    }
    assert outputs["protection-changed"] == "1" and outputs["dry-run"] == "false"
    assert outputs["report"] == f"{runner.temp}/followup-report.json"
    assert outputs["comment-url"] == "" and outputs["exit-code"] == "0"

    report = runner.report()
    items = {item["id"]: item for item in report["items"]}
    assert {i: items[i]["action"] for i in items} == {
        PROTECT_ID: "protected",
        DEBUG_ID: "filed",
        OTHER_ID: "filed",
    }
    assert items[PROTECT_ID]["step"] == "protect" and items[PROTECT_ID]["step_action"] == "done"
    assert items[PROTECT_ID]["source"] == {"file": DOC, "line": 70}
    changes = {c["setting"]: c for c in items[PROTECT_ID]["protection"]["changes"]}
    assert (changes["allow_deletions"]["before"], changes["allow_deletions"]["after"]) == (
        True,
        False,
    )
    assert report["file"]["command"] == "file" and report["protect"]["command"] == "protect"

    summary = runner.summary.read_text(encoding="utf-8")
    assert summary.startswith(
        "### followup: 2 issues filed, 0 linked, 0 skipped, 0 failed; "
        "protection changed on 1 branch\n"
    )
    issue = items[DEBUG_ID]["issue"]
    assert f"[{REPO.replace('-', chr(92) + '-')}\\#{issue['number']}]({issue['url']})" in summary
    blob = f"https://github.com/{REPO}/blob/{SHA}/{DOC}#L71"
    assert f"[`{DOC}:71`]({blob})" in summary
    assert "#### Branch protection changed" in summary
    assert f"| `{REPO}:gh-pages` | `allow_deletions` | `true` | `false` | requested |" in summary

    printed, after = commands_stopped(result.stdout)
    assert any(DEBUG_ID in line and issue["url"] in line for line in printed)
    assert after == []  # nothing failed or was skipped: no annotation


@pytest.mark.vcr
def test_a_push_without_protect_annotates_the_skipped_protection_item(
    runner: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = run_action(runner, monkeypatch, paths="examples/**/*.md")

    assert result.exit_code == 0, result.output
    outputs = runner.outputs()
    assert (outputs["filed"], outputs["skipped"], outputs["protection-changed"]) == ("2", "1", "0")
    assert runner.report()["protect"] is None
    _, annotations = commands_stopped(result.stdout)
    assert annotations == [
        f"::warning file={DOC},line=70,title=followup%3A Protect gh-pages branch. Don't allow "
        f"deletion. not filed::{PROTECT_ID}: branch-protection item: applied to the branch, "
        "not filed as an issue"
    ]
    summary = runner.summary.read_text(encoding="utf-8")
    assert (
        "| – skipped | Protect gh\\-pages branch\\. Don\\'t allow deletion\\. `61r8rt2`<br>"
        in summary
    )


# -- a pull request plans, and keeps the plan in one comment ------------------------------


def plan_comments(vcr: Any) -> list[dict[str, Any]]:
    return [
        json.loads(r.body)
        for r in vcr.requests
        if r.method in ("POST", "PATCH") and "/comments" in r.path
    ]


@pytest.mark.vcr
def test_a_pull_request_gets_the_plan_in_one_comment(
    runner: Runner, monkeypatch: pytest.MonkeyPatch, vcr: Any
) -> None:
    on_pull_request(runner, monkeypatch)
    result = run_action(runner, monkeypatch, paths="examples/postmortems/*.md", protect="true")

    assert result.exit_code == 0, result.output
    assert vcr.all_played
    assert {r.method for r in vcr.requests if "/comments" not in r.path} == {"GET"}
    (posted,) = plan_comments(vcr)
    body = posted["body"]
    assert has_marker(body, f"plan:{PR}")
    assert body.startswith("### followup: what merging this pull request will do\n")
    assert "**2 issues to file**, **protection changes on 1 branch**." in body
    assert f"| Investigate if debugging gh\\-pages could be improved\\. `{DEBUG_ID}`<br>" in body
    assert "| `lee` |" in body and "@lee" not in body.split("<details>")[0]  # nobody is pinged
    assert f"| `{REPO}:gh-pages` | `allow_deletions` | `true` | `false` | requested |" in body
    # Each change says why: a setting followup adds on its own is told apart from the request.
    default = "GitHub\\'s default for a newly protected branch"
    assert f"| `allow_force_pushes` | `true` | `false` | {default} |" in body

    outputs = runner.outputs()
    comment_url = f"https://github.com/{REPO}/pull/{PR}#issuecomment-9101"
    assert outputs["dry-run"] == "true" and outputs["comment-url"] == comment_url
    assert (outputs["filed"], outputs["protection-changed"]) == ("2", "1")
    report = runner.report()
    assert report["dry_run"] is True
    assert report["comment"] == {"pull_request": PR, "action": "created", "url": comment_url}
    assert report["event"] == {"name": "pull_request", "pull_request": PR, "repository": REPO}
    summary = runner.summary.read_text(encoding="utf-8")
    assert summary.startswith("### followup (dry run): 2 issues would be filed")
    assert f"[the plan on the pull request]({comment_url})" in summary
    # Links point at the pull request's head, where the lines are.
    assert f"/blob/9f2c4d1e5b6a7c8d9e0f1a2b3c4d5e6f7a8b9c0d/{DOC}#L71" in summary


@pytest.mark.vcr
def test_a_plan_names_the_rulesets_that_already_enforce_a_setting(
    runner: Runner, monkeypatch: pytest.MonkeyPatch, vcr: Any
) -> None:
    # The cassette is the one above with an organisation ruleset blocking deletion of the
    # branch (GET …/rules/branches/gh-pages): followup still plans its own protection, as a
    # ruleset it does not own can change without it, and the plan says where it is enforced.
    on_pull_request(runner, monkeypatch)
    result = run_action(runner, monkeypatch, paths="examples/postmortems/*.md", protect="true")

    assert result.exit_code == 0, result.output
    assert vcr.all_played
    (posted,) = plan_comments(vcr)
    enforced = "requested; also enforced by ruleset 73 of organisation octo\\-org"
    row = f"| `{REPO}:gh-pages` | `allow_deletions` | `true` | `false` | {enforced} |"
    assert row in posted["body"]
    assert row in runner.summary.read_text(encoding="utf-8")
    (item,) = [i for i in runner.report()["items"] if i["id"] == PROTECT_ID]
    (change,) = [c for c in item["protection"]["changes"] if c["setting"] == "allow_deletions"]
    assert change["note"] == "requested; also enforced by ruleset 73 of organisation octo-org"


@pytest.mark.vcr
def test_a_later_push_with_the_same_plan_sends_no_write(
    runner: Runner, monkeypatch: pytest.MonkeyPatch, vcr: Any
) -> None:
    on_pull_request(runner, monkeypatch)
    result = run_action(runner, monkeypatch, paths="examples/postmortems/*.md", protect="true")

    assert result.exit_code == 0, result.output
    assert vcr.all_played
    assert [r for r in vcr.requests if r.method != "GET"] == []
    assert runner.report()["comment"]["action"] == "unchanged"


@pytest.mark.vcr
def test_a_later_push_with_another_plan_updates_the_comment(
    runner: Runner, monkeypatch: pytest.MonkeyPatch, vcr: Any
) -> None:
    on_pull_request(runner, monkeypatch)
    result = run_action(runner, monkeypatch, paths="examples/postmortems/*.md", protect="true")

    assert result.exit_code == 0, result.output
    assert vcr.all_played
    assert [(r.method, r.path) for r in vcr.requests if r.method != "GET"] == [
        ("PATCH", f"/repos/{REPO}/issues/comments/9101")
    ]
    (patched,) = plan_comments(vcr)
    assert "**protection changes on 1 branch**" in patched["body"]
    assert runner.report()["comment"]["action"] == "updated"


@pytest.mark.vcr
def test_a_read_only_token_cannot_comment_and_the_run_still_succeeds(
    runner: Runner, monkeypatch: pytest.MonkeyPatch, vcr: Any
) -> None:
    on_pull_request(runner, monkeypatch)
    result = run_action(runner, monkeypatch, paths="examples/postmortems/*.md")

    assert result.exit_code == 0, result.output
    assert vcr.all_played
    assert "could not keep the plan on pull request #7" in result.stderr
    assert "read-only token" in result.stderr
    report = runner.report()
    assert report["comment"] == {"pull_request": PR, "action": "failed", "url": None}
    summary = runner.summary.read_text(encoding="utf-8")
    assert "could not keep the plan on pull request \\#7" in summary


# -- hostile text, no GitHub -------------------------------------------------------------

HOSTILE = """---
title: Outage <script>alert(1)</script>
repo: octo-org/followup-scratch
---
# Outage

## Action items

- [x] Rotate ::add-mask::hunter2 %0A key, then | `tick` ``tock`` <img src=x onerror=alert(1)> \
@dana [x](javascript:alert(1))
- [ ] Add an alert ::warning file=evil.md::fake
"""
HOSTILE_NAME = "x|<img src=1 onerror=alert(1)>.md"
NOTES_NAME = "<b onmouseover=alert(3)>notes.md"  # no action items: named in a warning
# What a job summary may contain once rendered: followup's own markup, nothing from the text.
OWN_TAGS = {
    "h3", "h4", "p", "table", "thead", "tbody", "tr", "th", "td", "code", "br", "em",
    "strong", "a", "sub", "ul", "li", "details", "summary", "pre",
}  # fmt: skip


def decode(value: str) -> str:
    """Undo workflow-command escaping, as the runner does."""
    for code, char in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        value = value.replace(code, char)
    return value


def rendered(markdown: str) -> str:
    """Return the HTML GitHub-flavoured Markdown renders (tables on)."""
    import pyromark

    return str(pyromark.html(markdown, options=pyromark.Options.ENABLE_TABLES))


def test_hostile_text_is_escaped_in_annotations_and_the_summary(
    runner: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner.token = ""  # no token: a dry run reads nothing from GitHub
    (runner.workspace / "docs").mkdir()
    (runner.workspace / "docs" / HOSTILE_NAME).write_text(HOSTILE, encoding="utf-8")
    (runner.workspace / "docs" / NOTES_NAME).write_text("# Notes\n\nNothing to do.\n", "utf-8")
    result = run_action(runner, monkeypatch, paths="docs/*.md", dry_run="true")

    assert result.exit_code == 0, result.output
    printed, annotations = commands_stopped(result.stdout)
    assert any("::add-mask::hunter2" in line for line in printed)  # only text: commands are off
    items = {item["source"]["line"]: item for item in runner.report()["items"]}
    (line,) = annotations  # the done item; the other would be filed
    match = re.fullmatch(r"::warning file=([^,:]*),line=(\d+),title=([^,:]*)::(.*)", line)
    assert match is not None, line
    assert decode(match[1]) == f"docs/{HOSTILE_NAME}"
    item = items[int(match[2])]
    assert decode(match[3]) == f"followup: {item['title']} would not be filed"
    assert decode(match[4]) == f"{item['id']}: done in the post-mortem"
    assert "%3A%3Aadd-mask%3A%3Ahunter2 %250A key%2C then |" in match[3]  # %0A stays text

    summary = runner.summary.read_text(encoding="utf-8")
    html = rendered(summary)
    assert {tag.lower() for tag in re.findall(r"</?([A-Za-z][A-Za-z0-9]*)", html)} <= OWN_TAGS
    assert "&lt;b onmouseover=alert(3)&gt;notes.md: does not look like a post-mortem" in html
    assert "<code>docs/x|&lt;img src=1 onerror=alert(1)&gt;.md:9</code>" in html
    assert all(href.startswith("https://") for href in re.findall(r'href="([^"]*)"', html))
    assert f"@{WORD_JOINER}dana" in summary and "@dana" not in summary
    # Every row of the items table has its four cells: no text broke a cell open.
    rows = re.findall(r"<tr>(.*?)</tr>", html, re.DOTALL)
    assert len(rows) == 3 and all(len(re.findall(r"<t[hd]>", row)) == 4 for row in rows)


def test_no_matching_post_mortem_is_not_an_error(
    runner: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = run_action(runner, monkeypatch, paths="docs/postmortems/*.md")

    assert result.exit_code == 0, result.output
    assert "warning: no file matches docs/postmortems/*.md" in result.stderr
    outputs = runner.outputs()
    assert (outputs["filed"], outputs["failed"]) == ("0", "0")
    assert runner.report()["files"] == 0
    assert "No post-mortem matched the paths given." in runner.summary.read_text(encoding="utf-8")


def test_outside_github_actions_nothing_is_written_for_a_runner(
    runner: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITHUB_ACTIONS")
    runner.token = ""
    result = run_action(runner, monkeypatch, paths="examples/postmortems/*.md", dry_run="true")

    assert result.exit_code == 0, result.output
    assert "::" not in result.stdout
    assert runner.output.read_text(encoding="utf-8") == ""
    assert runner.summary.read_text(encoding="utf-8") == ""
    assert "Dry run: 2 issues would be filed, 0 linked, 1 skipped, 0 failing." in result.stdout
    written = json.loads((runner.temp / "followup-report.json").read_text(encoding="utf-8"))
    check(written, "ci")


# -- write-back: the commit step ----------------------------------------------------------


@pytest.mark.vcr(
    "../test_file_cmd/test_write_back_adds_the_references_and_a_second_run_sends_nothing.yaml"
)
def test_write_back_commits_the_references_and_pushes_them(
    runner: Runner, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # A clone of a bare origin, with the post-mortem at its root (as the cassette has it).
    origin = tmp_path / "origin.git"
    git("init", "-q", "--bare", "-b", "main", str(origin), cwd=tmp_path)
    shutil.rmtree(runner.workspace)
    git("clone", "-q", str(origin), str(runner.workspace), cwd=tmp_path)
    monkeypatch.chdir(runner.workspace)
    for key, value in (("user.name", "Dana"), ("user.email", "dana@example.com")):
        git("config", key, value, cwd=runner.workspace)
    shutil.copy(GH_PAGES, runner.workspace / GH_PAGES.name)
    git("add", ".", cwd=runner.workspace)
    git("commit", "-q", "-m", "Add the post-mortem", cwd=runner.workspace)
    git("push", "-q", "origin", "HEAD:refs/heads/main", cwd=runner.workspace)

    result = run_action(runner, monkeypatch, paths="*.md", write_back="true")
    assert result.exit_code == 0, result.output
    outputs = runner.outputs()
    assert outputs["written-back"] == "2"

    commit = step(load_action(), "commit")
    condition = commit["if"]
    assert "inputs.write-back == 'true'" in condition
    assert "steps.run.outputs.written-back != '0'" in condition
    assert "steps.run.outputs.dry-run == 'false'" in condition
    env = {**os.environ, "WRITTEN_FILES": outputs["written-files"]}
    subprocess.run(["bash", "-e", "-c", commit["run"]], cwd=runner.workspace, env=env, check=True)

    log = git("log", "--format=%an|%s", "main", cwd=origin).splitlines()
    assert log == [
        "github-actions[bot]|Link post-mortem action items to their issues",
        "Dana|Add the post-mortem",
    ]
    pushed = git("show", f"main:{GH_PAGES.name}", cwd=origin)
    assert f"| {REPO}#1 |" in pushed or f"{REPO}#" in pushed


# -- action.yml and the example workflows -------------------------------------------------


def test_the_action_installs_followup_from_its_own_checkout() -> None:
    action = load_action()
    assert action["runs"]["using"] == "composite"
    steps = action["runs"]["steps"]
    python = next(s for s in steps if s.get("id") == "python")
    assert python["uses"].startswith("actions/setup-python@")
    assert python["with"]["update-environment"] is False
    install = next(s for s in steps if s.get("name") == "Install followup")
    assert "-m pip install" in install["run"] and '"$GITHUB_ACTION_PATH"' in install["run"]
    assert set(action["inputs"]) >= {
        "paths",
        "repo",
        "token",
        "dry-run",
        "write-back",
        "tracking-issue",
        "protect",
    }
    assert action["inputs"]["token"]["default"] == "${{ github.token }}"
    for name in ("filed", "linked", "skipped", "failed", "protection-changed", "report"):
        assert action["outputs"][name]["value"] == f"${{{{ steps.run.outputs.{name} }}}}"


def test_the_example_workflows_use_the_action_with_least_rights() -> None:
    push = yaml.safe_load((EXAMPLES / "followup.yml").read_text(encoding="utf-8"))
    assert push["permissions"] == {"issues": "write", "contents": "read"}
    assert push["concurrency"]["cancel-in-progress"] is False
    uses = [s for s in push["jobs"]["file"]["steps"] if "followup" in s.get("uses", "")]
    assert len(uses) == 1 and re.fullmatch(r"[\w-]+/followup@v1", uses[0]["uses"])
    assert uses[0]["with"]["paths"]

    pull = yaml.safe_load((EXAMPLES / "followup-plan.yml").read_text(encoding="utf-8"))
    assert set(pull[True]) == {"pull_request"}  # YAML reads the key `on` as True
    assert pull["permissions"] == {"issues": "read", "pull-requests": "write", "contents": "read"}
    plan = next(s for s in pull["jobs"]["plan"]["steps"] if "followup" in s.get("uses", ""))
    assert plan["with"].get("dry-run", "auto") in ("auto", "true")
    # Two pushes close together: the older plan is dropped, never posted after the newer.
    assert pull["concurrency"]["cancel-in-progress"] is True


def test_the_readme_lists_every_input_and_output_of_the_action() -> None:
    action = load_action()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## The GitHub Action", 1)[1].split("\n## ", 1)[0]
    table = set(re.findall(r"^\| `([\w-]+)` \|", section, re.MULTILINE))
    assert table == set(action["inputs"]) - {"python-version"}
    for output in action["outputs"]:
        assert f"`{output}`" in section, output
    assert "uses: your-org/followup@v1" in section and "paths: docs/postmortems/*.md" in section


def test_a_protection_item_checked_off_in_its_post_mortem_is_not_protected(
    runner: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner.token = ""  # protect would need one: the run shows it is not called
    (runner.workspace / "docs").mkdir()
    (runner.workspace / "docs" / "pm.md").write_text(
        "---\nrepo: octo-org/followup-scratch\n---\n# Outage\n\n## Action items\n\n"
        "- [x] Protect the main branch. Don't allow deletion.\n",
        encoding="utf-8",
    )
    result = run_action(runner, monkeypatch, paths="docs/*.md", protect="true", dry_run="true")

    assert result.exit_code == 0, result.output
    report = runner.report()
    assert report["protect"] is None
    assert [(i["action"], i["message"]) for i in report["items"]] == [
        ("skipped", "branch-protection item: applied to the branch, not filed as an issue")
    ]


def test_a_cancelled_step_stops_the_run_and_the_action_says_so(
    runner: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner.token = ""

    def interrupted(*args: Any, **kwargs: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("followup.cli.file_cmd.plan_filing", interrupted)
    on_pull_request(runner, monkeypatch)
    result = run_action(
        runner, monkeypatch, paths="examples/postmortems/*.md", protect="true", dry_run="true"
    )

    assert result.exit_code == 130, result.output
    report = runner.report()
    assert report["exit_code"] == 130 and report["file"]["exit_code"] == 130
    assert report["protect"] is None and report["comment"] is None  # nothing after the stop
    assert runner.outputs()["exit-code"] == "130"
