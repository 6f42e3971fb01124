"""What every command shares: module layout, exit codes, help, global options, one error style."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

import followup.cli
from followup.cli import COMMANDS, cli, one_line
from followup.cli.context import CliContext, pass_cli
from followup.cli.exits import MEANING, ExitCode, exit_code_for
from followup.cli.reporting import Entry, Report, format_option
from followup.errors import ConfigError, FollowupError, InputError, NotFoundError
from followup.github.errors import AuthError, NotFound
from tests.cli.schemas import problems
from tests.conftest import GH_PAGES, RunCli

CLI_DIR = Path(followup.cli.__file__).parent
README = Path(__file__).resolve().parents[2] / "README.md"


def invoke(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


# -- layout -------------------------------------------------------------------------------


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_no_command_module_imports_another() -> None:
    commands = {f"followup.cli.{p.stem}" for p in CLI_DIR.glob("*_cmd.py")}
    assert len(commands) >= 7
    offenders = {
        path.name: sorted(_imported_modules(path) & (commands - {f"followup.cli.{path.stem}"}))
        for path in CLI_DIR.glob("*_cmd.py")
    }
    assert {name: found for name, found in offenders.items() if found} == {}


def test_shared_modules_import_no_command() -> None:
    commands = {f"followup.cli.{p.stem}" for p in CLI_DIR.glob("*_cmd.py")}
    shared = [p for p in CLI_DIR.glob("*.py") if not p.stem.endswith("_cmd")]
    offenders = {p.name: sorted(_imported_modules(p) & commands) for p in shared}
    assert {name: found for name, found in offenders.items() if found} == {}


def test_every_command_lives_in_a_command_module() -> None:
    for name, target in COMMANDS.items():
        module = target.split(":")[0]
        assert module.endswith("_cmd"), name


# -- exit codes ---------------------------------------------------------------------------


def test_one_exit_code_table_in_help_and_readme() -> None:
    help_text = " ".join(invoke("--help").output.split())
    readme = README.read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `(\d+)` \| (.+?) \|$", readme, re.MULTILINE))
    assert set(rows) == {str(int(code)) for code in ExitCode}
    for code in ExitCode:
        assert f"{int(code)} {' '.join(MEANING[code].split())}" in help_text
        meaning = MEANING[code]
        assert rows[str(int(code))] == meaning[0].upper() + meaning[1:]


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (ConfigError("bad"), 3),
        (AuthError("no token"), 4),
        (NotFoundError("no item"), 5),
        (InputError("bad file"), 2),
        (NotFound("404"), 1),
        (FollowupError("failed"), 1),
    ],
)
def test_errors_map_to_their_exit_code(error: FollowupError, code: int) -> None:
    assert exit_code_for(error) == code


def test_a_command_without_a_token_exits_4(run_cli: RunCli) -> None:
    result = run_cli("file", str(GH_PAGES), "--repo", "octo-org/docs")
    assert result.exit_code == 4
    assert result.stderr.splitlines()[-1].startswith("error: no GitHub token found")


# -- help ---------------------------------------------------------------------------------


def test_the_command_list_shows_each_whole_description() -> None:
    text = " ".join(invoke("--help").output.split("Commands:")[1].split())
    for name in COMMANDS:
        command = cli.get_command(None, name)  # type: ignore[arg-type]
        assert command is not None and command.help
        first = " ".join(command.help.split("\n\n")[0].split())
        assert f"{name} {first}" in text
    assert "..." not in text


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_each_command_shows_examples(name: str) -> None:
    result = invoke(name, "--help")
    assert result.exit_code == 0
    examples = result.output.split("Examples:")[1]
    assert f"followup {name}" in examples


def test_watch_help_gives_the_minimum() -> None:
    assert "at least 10s" in " ".join(invoke("sync", "--help").output.split())


# -- global options -----------------------------------------------------------------------


def test_global_options_work_after_the_command(tmp_path: Path) -> None:
    before = f"sqlite:///{tmp_path / 'before.db'}"
    after = f"sqlite:///{tmp_path / 'after.db'}"
    assert invoke("--db", before, "import", str(GH_PAGES)).exit_code == 0
    assert invoke("import", str(GH_PAGES), "--db", after).exit_code == 0
    for url in (before, after):
        listed = invoke("list", "--format", "json", "--db", url)
        assert listed.exit_code == 0, listed.output
        assert len(json.loads(listed.stdout)) == 3
    # After the command wins over before it.
    empty = f"sqlite:///{tmp_path / 'empty.db'}"
    assert (
        json.loads(invoke("--db", before, "list", "--db", empty, "--format", "json").stdout) == []
    )


def test_github_url_after_the_command_reaches_the_settings() -> None:
    result = invoke("config", "--format", "json", "--github-url", "https://ghe.example.com/api/v3/")
    data = json.loads(result.stdout)
    assert data["github_url"] == {
        "value": "https://ghe.example.com/api/v3",
        "source": "flag --github-url",
    }


@pytest.mark.parametrize("where", ["before", "after"])
def test_verbose_logs_to_stderr(where: str, tmp_path: Path) -> None:
    db = ["--db", f"sqlite:///{tmp_path / 's.db'}"]
    args = ["-vv", *db, "list"] if where == "before" else [*db, "list", "-vv"]
    result = invoke(*args)
    assert result.exit_code == 0
    assert "INFO followup.cli: opening the store at sqlite:///" in result.stderr
    assert "DEBUG followup.cli: followup " in result.stderr
    info = invoke(*db, "list", "-v", "--format", "json")
    assert "INFO followup.cli: opening the store" in info.stderr
    assert "DEBUG" not in info.stderr
    quiet = invoke(*db, "list", "--format", "json")
    assert quiet.stderr == ""


def test_verbose_names_the_repository_taken_from_git(
    run_cli: RunCli, tmp_path: Path, git_repo: Path
) -> None:
    doc = git_repo / "pm.md"
    doc.write_text("# Queue\n\n## Action items\n\n- Add an alert\n", encoding="utf-8")
    result = run_cli("import", str(doc), "-v")
    assert result.exit_code == 0
    assert "repository acme/queue from the origin remote" in result.stderr


# -- one error style ----------------------------------------------------------------------


BAD_INVOCATIONS: list[tuple[tuple[str, ...], int, str]] = [
    (("lst",), 2, "no such command 'lst' (did you mean 'list'?)"),
    (("list", "--ownr", "dana"), 2, "no such option: --ownr (did you mean '--owner'?)"),
    (("list", "--status", "finished"), 2, "unknown status 'finished'"),
    (("list", "--format", "xml"), 2, "invalid value for '--format'"),
    (("list", "--repo", "googleapis"), 2, "not a repository: 'googleapis'"),
    (("import",), 2, "missing argument 'PATHS...'"),
    (("import", "nope.md"), 2, "1 file could not be read; nothing was imported"),
    (("import", str(GH_PAGES), "--repo", "googleapis"), 2, "not a repository: 'googleapis'"),
    (("show",), 2, "missing argument 'ITEM_ID'"),
    (("show", "zzzzzzz"), 5, "no item with id 'zzzzzzz'"),
    (("file",), 2, "give the post-mortem files to file, or --all"),
    (("file", "--all", str(GH_PAGES)), 2, "not both"),
    (("protect", "abc", "--all"), 2, "give item ids or --all, not both"),
    (("protect", "zzzzzzz"), 5, "no item with id 'zzzzzzz'"),
    (("verify", "zzzzzzz"), 4, "no GitHub token found"),
    (("sync", "--watch", "often"), 2, "not a duration: 'often'"),
    (("sync", "--watch", "5s"), 2, "at most every 10 seconds"),
    (("sync", "--rebuild"), 2, "--rebuild needs exactly one --repo"),
    (("close", "zzzzzzz"), 5, "no item with id 'zzzzzzz'"),
    (("reopen",), 2, "missing argument 'ITEM_ID'"),
    (("assign", "abc"), 2, "give either a LOGIN or --none"),
    (("due", "abc", "someday"), 2, "not a date: 'someday'"),
    (("priority", "abc", "P9"), 2, "a priority is one of P0, P1, P2, P3, not 'P9'"),
    (("config", "--format", "yaml"), 2, "invalid value for '--format'"),
    (("tui", "--status", "finished"), 2, "unknown status 'finished'"),
]


@pytest.mark.parametrize(
    ("args", "code", "words"), BAD_INVOCATIONS, ids=[" ".join(a[0]) for a in BAD_INVOCATIONS]
)
def test_every_error_is_one_lower_case_line(
    run_cli: RunCli, args: tuple[str, ...], code: int, words: str
) -> None:
    if args[0] in ("priority", "due", "close", "protect"):
        run_cli("import", str(GH_PAGES))
    result = run_cli(*args)
    assert result.exit_code == code, result.output
    lines = result.stderr.splitlines()
    # An import names each unreadable file on a line of its own, before the total.
    assert len(lines) == (2 if args == ("import", "nope.md") else 1), result.stderr
    for line in lines:
        assert re.match(r"^error: [a-z0-9'\-]", line), line
    assert words in lines[-1]
    assert "Traceback" not in result.output and "Usage:" not in result.output


@pytest.mark.parametrize(
    ("message", "line"),
    [
        ("Missing argument 'X'.", "missing argument 'X'"),
        ("GitHub answered 502", "GitHub answered 502"),
        ("URL is bad", "URL is bad"),
        ("two\nlines", "two lines"),
    ],
)
def test_messages_become_one_line(message: str, line: str) -> None:
    assert one_line(message) == line


# -- did you mean -------------------------------------------------------------------------


def test_an_unknown_setting_in_the_config_file_suggests_the_right_one(
    run_cli: RunCli, isolated_home: Path
) -> None:
    config = isolated_home / ".config" / "followup" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text('write_intervals = 2\nrepo = "acme/docs"\n', encoding="utf-8")
    result = run_cli("list")
    assert result.exit_code == 3
    assert result.stderr == (
        f"error: {config}: unknown setting 'write_intervals' "
        "(did you mean 'write_interval'? see 'followup config')\n"
    )


def test_an_unknown_followup_variable_is_a_warning_with_a_suggestion(
    run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FOLLOWUP_REPOS", "acme/docs")
    monkeypatch.setenv("FOLLOWUP_DEBUG", "")
    result = run_cli("list", "--format", "json")
    assert result.exit_code == 0
    assert result.stderr == (
        "warning: FOLLOWUP_REPOS is not a followup setting, so it is ignored "
        "(did you mean 'FOLLOWUP_REPO'?)\n"
    )


# -- config despite errors ----------------------------------------------------------------


def test_config_still_shows_the_settings_when_the_file_is_broken(
    run_cli: RunCli, isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = isolated_home / ".config" / "followup" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text('repo = "acme/docs"\nwrite_interval = = 2\n', encoding="utf-8")
    monkeypatch.setenv("FOLLOWUP_ME", "dana")
    result = run_cli("config")
    assert result.exit_code == 3
    assert "me = dana  (env FOLLOWUP_ME)" in result.stdout
    assert "write_interval = 1.0  (default)" in result.stdout
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"error: {config}: not valid TOML")
    assert "line 2" in first
    as_json = run_cli("config", "--format", "json")
    assert as_json.exit_code == 3
    assert json.loads(as_json.stdout)["me"]["value"] == "dana"


def test_config_shows_a_bad_variable_and_the_rest(
    run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FOLLOWUP_MAX_RETRIES", "many")
    result = run_cli("config")
    assert result.exit_code == 3
    assert "max_retries = 3  (default)" in result.stdout
    assert "error: FOLLOWUP_MAX_RETRIES: max_retries must be a whole number" in result.stderr


# -- list and show ------------------------------------------------------------------------


def test_list_says_which_filters_matched_nothing(run_cli: RunCli) -> None:
    run_cli("import", str(GH_PAGES))
    result = run_cli("list", "--owner", "@nobody")
    assert result.exit_code == 0
    assert result.stderr == "no items match --owner @nobody\n"
    both = run_cli("list", "--owner", "nobody", "--status", "done", "--overdue")
    assert both.stderr == "no items match --owner nobody --status done --overdue\n"
    assert "import" not in both.stderr


def test_list_suggests_import_only_on_an_empty_store(run_cli: RunCli) -> None:
    result = run_cli("list", "--owner", "@nobody")
    assert "followup import" in result.stderr


def test_show_and_list_name_kinds_alike(run_cli: RunCli) -> None:
    run_cli("import", str(GH_PAGES))
    items = json.loads(run_cli("list", "--format", "json").stdout)
    protect = next(i for i in items if i["kind"] == "branch_protection")
    shown = run_cli("show", protect["id"])
    assert re.search(r"^Kind:\s+branch_protection$", shown.stdout, re.MULTILINE)
    listed = run_cli("list", "--kind", "branch_protection")
    assert protect["id"] in listed.stdout
    assert "protection" not in re.sub(r"branch_protection", "", shown.stdout.split("Kind:")[1][:40])


# -- room for more commands ---------------------------------------------------------------


@click.command("forget")
@click.argument("item_ids", nargs=-1)
@format_option
@pass_cli
def forget_command(cli: CliContext, item_ids: tuple[str, ...], fmt: str) -> None:
    """Forget items (a stand-in for a command to come, written as reporting.py says)."""
    report = Report.start(cli, "forget", fmt)
    for item_id in item_ids:
        if item_id == "missing":
            raise NotFoundError(f"no item with id {item_id!r}")
        report.add(Entry(id=item_id, action="forgotten", title=f"item {item_id}"))
    report.summary = {"forgotten": len(report.entries)}
    report.finish(f"{len(report.entries)} forgotten.")


@pytest.fixture
def with_forget(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(COMMANDS, "forget", f"{__name__}:forget_command")


def test_a_new_command_plugs_into_the_report_in_a_few_lines(with_forget: None) -> None:
    text = invoke("forget", "a1", "b2")
    assert text.exit_code == 0
    assert text.stdout.splitlines() == [
        "· forgotten  a1  item a1",
        "· forgotten  b2  item b2",
        "2 forgotten.",
    ]
    as_json = invoke("forget", "a1", "--format", "json", "--db", "sqlite://")
    document = json.loads(as_json.stdout)
    # The shared envelope holds; only `command` names a schema still to be written.
    assert problems({**document, "command": "import"}, "report") == []
    assert document["summary"] == {"forgotten": 1}
    failed = invoke("forget", "a1", "missing", "--format", "json")
    assert failed.exit_code == 5
    assert json.loads(failed.stdout)["errors"] == ["no item with id 'missing'"]
    assert failed.stderr == "error: no item with id 'missing'\n"


def test_verbose_never_logs_a_database_password(tmp_path: Path) -> None:
    url = "nosuchdriver://dana:s3cret-pass@db.example.com/followup"
    result = CliRunner().invoke(cli, ["list", "-v", "--db", url])
    assert result.exit_code == 1
    assert "opening the store at nosuchdriver://dana:***@db.example.com/followup" in (result.stderr)
    assert "s3cret-pass" not in result.output
