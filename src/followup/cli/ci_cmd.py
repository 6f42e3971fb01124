"""`followup ci`: what the GitHub Action runs: import, file and protect, then report to GitHub.

It runs followup's own commands with --format json (cli/ci/runner.py) on the post-mortems
the globs match, merges their documents into one outcome per item, writes the combined
JSON report, and inside GitHub Actions (GITHUB_ACTIONS=true) also writes the job
summary, the step's outputs and an annotation on the post-mortem line of every item that
failed or was skipped. On a pull request it is a dry run by default, and the plan is
kept in one comment on the pull request, updated on each push.

Inputs come from options or from the INPUT_* variables action.yml sets.
"""

from __future__ import annotations

import glob
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click
from rich.text import Text

from followup import __version__
from followup.cli.ci.outcomes import Outcome, changed_branches, counts, merge
from followup.cli.ci.plan_comment import plan_comment, plan_key
from followup.cli.ci.runner import Ran, run_json
from followup.cli.ci.summary import DRY_WORD, RUN_WORD, headline, job_summary
from followup.cli.ci.workflow import (
    ActionsEnv,
    Level,
    annotation,
    append,
    commands_stopped,
    output_lines,
)
from followup.cli.context import CliContext, pass_cli
from followup.cli.exits import ExitCode
from followup.cli.options import examples
from followup.cli.reporting import Entry, IssueRef, Report, Source, format_option
from followup.cli.repos import REPO, RepoSpec
from followup.store.display_paths import display_path
from followup.store.queries import OPEN_STATUSES

SUMMARY_KEYS = ("filed", "linked", "skipped", "failed", "protection_changed", "branches_changed")
DRY_RUN = ("auto", "true", "false")
# Protection items still to apply, as `protect --all` picks them: one checked off in its
# post-mortem is left alone.
PENDING = frozenset(OPEN_STATUSES)


def expand(patterns: Sequence[str]) -> tuple[list[Path], list[str]]:
    """Return the files the globs match (each once, in order) and the globs matching none."""
    found: dict[str, Path] = {}
    unmatched = []
    for pattern in patterns:
        hits = sorted(glob.glob(pattern, recursive=True))  # noqa: PTH207 (glob with **)
        files = [Path(hit) for hit in hits if Path(hit).is_file()]
        if not files:
            unmatched.append(pattern)
        for file in files:
            found.setdefault(str(file.resolve()), file)
    return list(found.values()), unmatched


def _repo_arg(repo: RepoSpec) -> str:
    """Return the repository as --repo takes it again (with its host, if one was given)."""
    return f"https://{repo.host}/{repo.name}" if repo.host else repo.name


def _code(code: int) -> ExitCode:
    try:
        return ExitCode(code)
    except ValueError:
        return ExitCode.FAILED


def _worst(runs: Sequence[Ran]) -> ExitCode:
    codes = [_code(run.code) for run in runs]
    serious = [code for code in codes if code not in (ExitCode.OK, ExitCode.FAILED)]
    if serious:
        return serious[0]
    return ExitCode.FAILED if ExitCode.FAILED in codes else ExitCode.OK


def _entry(outcome: Outcome, dry_run: bool) -> Entry:
    words = DRY_WORD if dry_run else RUN_WORD
    line = Text.assemble((words[outcome.result], "bold"), "  ", (outcome.id, "bold"))
    if outcome.title:
        line.append(f"  {outcome.title}")
    if outcome.issue:
        line.append(f"  {outcome.issue.get('url') or ''}".rstrip(), style="cyan")
    elif outcome.target:
        line.append(f"  {outcome.target}", style="cyan")
    if outcome.result in ("skipped", "failed") and outcome.reason:
        line.append(f"  ({outcome.reason})", style="yellow")
    issue = outcome.issue or {}
    return Entry(
        id=outcome.id,
        action=outcome.result,
        ok=outcome.result != "failed",
        title=outcome.title,
        postmortem=outcome.postmortem,
        source=Source(outcome.file, outcome.line) if outcome.file and outcome.line else None,
        issue=IssueRef(str(issue["repo"]), int(issue["number"]), issue.get("url"))
        if issue
        else None,
        target=outcome.target,
        message=outcome.message,
        error=outcome.error,
        warnings=list(outcome.warnings),
        details={
            "step": outcome.step,
            "step_action": outcome.action,
            "repo": outcome.repo,
            "new_issue": outcome.new_issue,
            "protection": outcome.protection,
        },
        text=line,
    )


class _CiRun:
    """One `followup ci` run: the commands, then what GitHub Actions is told."""

    def __init__(self, cli: CliContext, report: Report, env: ActionsEnv, dry_run: bool) -> None:
        self.cli = cli
        self.report = report
        self.env = env
        self.dry_run = dry_run
        self.runs: list[Ran] = []
        self.outcomes: list[Outcome] = []
        self.global_args: list[str] = []
        for flag, name in (("--db", "database_url"), ("--github-url", "github_url")):
            if cli.flags.get(name):
                self.global_args += [flag, str(cli.flags[name])]

    def run(self, *args: str) -> Ran:
        ran = run_json(args, self.global_args)
        self.runs.append(ran)
        doc = ran.document or {}
        # Each was printed on stderr by the command; a file read by two commands warns twice.
        for kept, said in ((self.report.warnings, "warnings"), (self.report.errors, "errors")):
            kept.extend(line for line in doc.get(said) or () if line not in kept)
        self.report.extra[args[0]] = ran.document
        if ran.code == ExitCode.CANCELLED:
            self.report.cancelled = True
        return ran

    def steps(
        self,
        files: Sequence[Path],
        repo: RepoSpec | None,
        *,
        write_back: bool,
        tracking_issue: bool,
        protect: bool,
    ) -> None:
        repo_args = ["--repo", _repo_arg(repo)] if repo is not None else []
        imported = self.run("import", "--skip-invalid", *repo_args, *map(str, files))
        documents = (imported.document or {}).get("postmortems") or []
        # A file with no action items (a README beside the post-mortems) has nothing to file.
        readable = [str(doc["file"]) for doc in documents if doc.get("items")]
        if not readable or self.report.cancelled:
            return
        flags = ["--dry-run"] if self.dry_run else []
        flags += ["--write-back"] if write_back and not self.dry_run else []
        flags += ["--tracking-issue"] if tracking_issue else []
        filed = self.run("file", *readable, *repo_args, *flags)
        protected = None
        ids = [
            str(item["id"])
            for item in (imported.document or {}).get("items") or ()
            if item.get("kind") == "branch_protection" and item.get("status") in PENDING
        ]
        stopped = (ExitCode.AUTH, ExitCode.CONFIG, ExitCode.CANCELLED)
        if protect and ids and filed.code not in stopped:
            mode = "--dry-run" if self.dry_run else "--yes"
            protected = self.run("protect", *ids, mode)
        self.outcomes = merge(filed.document, protected.document if protected else None)

    def comment(self) -> None:
        """Keep the plan in one comment on the pull request (a dry run on a pull request)."""
        number = self.env.pull_request
        if number is None or not self.env.repository:
            return
        from followup.github import GitHubError, GitHubFactory
        from followup.sync.comments import keep_comment

        text = plan_comment(self.outcomes, version=__version__)
        try:
            client = GitHubFactory(self.cli.settings)()
            kept = keep_comment(
                client,
                self.env.repository,
                number,
                plan_key(number),
                text,
                on_note=self.report.warn,
            )
        except GitHubError as exc:
            self.report.warn(
                f"could not keep the plan on pull request #{number}: {exc} (a pull request "
                "from a fork gets a read-only token; the plan is in the job summary)"
            )
            self.report.extra["comment"] = {
                "pull_request": number,
                "action": "failed",
                "url": None,
            }
            return
        self.report.extra["comment"] = {
            "pull_request": number,
            "action": kept.action,
            "url": kept.url,
        }

    def summarise(self, files: int) -> None:
        n = counts(self.outcomes)
        self.report.summary.update(
            {
                "filed": n["filed"],
                "linked": n["linked"],
                "skipped": n["skipped"],
                "failed": n["failed"],
                "protection_changed": n["protected"],
                "branches_changed": len(changed_branches(self.outcomes)),
            }
        )
        for outcome in self.outcomes:
            self.report.add(_entry(outcome, self.dry_run))
        code = _worst(self.runs)
        if code != ExitCode.OK:
            self.report.code = code
        self.report.extra["files"] = files

    def tell_actions(self, report_path: Path | None) -> None:
        """Write the job summary and the step's outputs (inside GitHub Actions)."""
        if not self.env.active:
            return
        if self.env.summary is not None:
            comment = self.report.extra.get("comment") or {}
            append(
                self.env.summary,
                job_summary(
                    self.outcomes,
                    dry_run=self.dry_run,
                    env=self.env,
                    warnings=self.report.warnings,
                    errors=self.report.errors,
                    files=int(self.report.extra.get("files") or 0),
                    version=__version__,
                    comment_url=comment.get("url"),
                ),
            )
        if self.env.output is not None:
            summary = self.report.summary
            written = (self.report.extra.get("file") or {}).get("written_back") or []
            append(
                self.env.output,
                output_lines(
                    {
                        "filed": summary["filed"],
                        "linked": summary["linked"],
                        "skipped": summary["skipped"],
                        "failed": summary["failed"],
                        "protection-changed": summary["protection_changed"],
                        "dry-run": str(self.dry_run).lower(),
                        "report": str(report_path) if report_path else "",
                        "comment-url": (self.report.extra.get("comment") or {}).get("url") or "",
                        "written-back": sum(int(w["references"]) for w in written),
                        "written-files": "\n".join(str(w["file"]) for w in written),
                        "exit-code": int(self.report.exit_code),
                    }
                ),
            )

    def annotations(self) -> list[str]:
        """Return an annotation for each item that failed or was skipped, failures first."""
        lines = []
        levels: tuple[tuple[str, Level], ...] = (("failed", "error"), ("skipped", "warning"))
        for result, level in levels:
            for o in self.outcomes:
                if o.result != result:
                    continue
                verb = {
                    "failed": "would fail" if self.dry_run else "failed",
                    "skipped": "would not be filed" if self.dry_run else "not filed",
                }[result]
                title = f"followup: {o.title or o.id} {verb}"
                message = f"{o.id}: {o.reason or result}"
                file = self.env.relative(o.file) if o.file else None
                lines.append(annotation(level, message, file=file, line=o.line, title=title))
        return lines


def _write_report(path: Path, document: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


@click.command(
    "ci",
    epilog=examples(
        "followup ci --paths 'docs/postmortems/*.md' --repo octo-org/docs",
        "followup ci --paths 'docs/postmortems/**/*.md' --dry-run true --report plan.json",
        "followup ci --paths 'docs/**/*.md' --protect --format json",
    ),
)
@click.option(
    "--paths",
    envvar="INPUT_PATHS",
    default="",
    help="Globs of post-mortems, separated by spaces or new lines (** for any depth).",
)
@click.option(
    "--repo",
    "-R",
    envvar="INPUT_REPO",
    type=REPO,
    help="Repository for items that name none (owner/name or its URL).",
)
@click.option(
    "--dry-run",
    "dry_run_mode",
    envvar="INPUT_DRY_RUN",
    type=click.Choice(DRY_RUN, case_sensitive=False),
    default="auto",
    show_default=True,
    help="true: only plan; false: file for real; auto: plan on a pull request, else file.",
)
@click.option(
    "--write-back",
    is_flag=True,
    envvar="INPUT_WRITE_BACK",
    help="Write each issue's reference into its post-mortem (not in a dry run).",
)
@click.option(
    "--tracking-issue",
    is_flag=True,
    envvar="INPUT_TRACKING_ISSUE",
    help="Keep one issue per post-mortem listing its items' issues.",
)
@click.option(
    "--protect",
    is_flag=True,
    envvar="INPUT_PROTECT",
    help="Also apply (in a dry run: plan) the branch protection the post-mortems recommend.",
)
@click.option(
    "--comment/--no-comment",
    "pr_comment",
    default=True,
    envvar="INPUT_COMMENT",
    help="On a pull request's dry run, keep the plan in one comment on it.",
)
@click.option(
    "--report",
    "report_path",
    envvar="INPUT_REPORT",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the JSON report to this file.",
)
@format_option
@pass_cli
def ci_command(
    cli: CliContext,
    paths: str,
    repo: RepoSpec | None,
    dry_run_mode: str,
    write_back: bool,
    tracking_issue: bool,
    protect: bool,
    pr_comment: bool,
    report_path: Path | None,
    fmt: str,
) -> None:
    """File the action items of post-mortems from CI and report to GitHub Actions.

    Runs import, file and (with --protect) protect on the files the globs match. Inside
    GitHub Actions it also writes the job summary, the step's outputs and annotations on
    the post-mortem lines of items that failed or were skipped; on a pull request it
    plans instead of filing and keeps the plan in one comment on the pull request.
    """
    env = ActionsEnv.from_environ()
    mode = dry_run_mode.lower()
    dry_run = mode == "true" or (mode == "auto" and env.is_pull_request)
    report = Report.start(
        cli,
        "ci",
        fmt,
        dry_run=dry_run,
        summary=dict.fromkeys(SUMMARY_KEYS, 0),
        extra={
            "event": {
                "name": env.event_name,
                "pull_request": env.pull_request,
                "repository": env.repository,
            },
            "files": 0,
            "report": str(report_path) if report_path else None,
            "import": None,
            "file": None,
            "protect": None,
            "comment": None,
        },
    )
    files, unmatched = expand(paths.split())
    for pattern in unmatched:
        report.warn(f"no file matches {pattern}")
    if not paths.split():
        report.warn("no paths given: pass --paths (the Action's `paths` input)")
    run = _CiRun(cli, report, env, dry_run)
    out = sys.stdout
    with commands_stopped(out, env.active):
        if files:
            run.steps(
                files,
                repo,
                write_back=write_back,
                tracking_issue=tracking_issue,
                protect=protect,
            )
            if dry_run and pr_comment and not report.cancelled:
                run.comment()
        run.summarise(len(files))
        if report_path is not None:
            _write_report(report_path, report.document())
        run.tell_actions(report_path)
        closing = f"{'Dry run: ' if dry_run else ''}{headline(run.outcomes, dry_run=dry_run)}."
        if report_path is not None:
            closing += f" Report: {display_path(str(report_path))}"
        report.emit(closing)
    if env.active:
        for line in run.annotations():
            click.echo(line)
    if report.exit_code != ExitCode.OK:
        click.get_current_context().exit(int(report.exit_code))
