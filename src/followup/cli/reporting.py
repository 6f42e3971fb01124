"""One report per run of a command that acts: plain lines, a table at a terminal, or JSON.

A command that acts (import, file, protect, verify, sync, the item edits) describes what it
did as a Report: one Entry per item it touched (the action taken, the issue, why), the
run's warnings and errors, a summary, and the exit code these add up to. The same Report
prints

- as plain lines when stdout is not a terminal (pipes, files, CI logs): nothing is cut;
- as a table at a terminal when the table fits, else as lines wrapped between words;
- as one JSON document with `--format json`, whose shape docs/schemas/ describes
  (report.schema.json for what every command shares, <command>.schema.json for the rest).

Warnings and errors also go to stderr as `warning: …` / `error: …` lines in every format,
and a run that fails outright (no token, a bad file) still prints its JSON document, with
the error in `errors` and the exit code in `exit_code` (see cli/exits.py).

A new command (forget, report, remind, accept, dismiss) plugs in with a few lines:

    @click.command("forget")
    @click.argument("item_ids", nargs=-1)
    @format_option
    @pass_cli
    def forget_command(cli: CliContext, item_ids: tuple[str, ...], fmt: str) -> None:
        report = Report.start(cli, "forget", fmt)  # from here a failure is a JSON document too
        for done in forget_items(cli.engine(), item_ids):
            report.add(Entry(id=done.item_id, action="forgotten", title=done.title))
        report.summary = {"forgotten": len(report.entries)}
        report.finish(f"{len(report.entries)} forgotten.")  # prints, exits 0, 1 or 130

then name it in COMMANDS (cli/__init__.py) and add docs/schemas/forget.schema.json, which
extends report.schema.json the way edit.schema.json does; tests/cli/schemas.py validates
every document a test sees against its command's schema.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import click
from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

from followup.cli import printing
from followup.cli.context import CliContext
from followup.cli.exits import ExitCode
from followup.sync.progress import Level

SCHEMA_VERSION = 1
FORMATS = ("text", "json")

# How an action reads in text: an icon (so it reads without colour), a word and a style.
ACTIONS: dict[str, tuple[str, str]] = {
    "created": ("✔", "green"),
    "create": ("+", "green"),
    "linked": ("=", "cyan"),
    "link": ("=", "cyan"),
    "skipped": ("–", "dim"),
    "skip": ("–", "dim"),
    "failed": ("✘", "bold red"),
    "fail": ("✘", "bold red"),
    "imported": ("✔", "green"),
    "unchanged": ("·", "dim"),
    "removed": ("–", "dim"),
    "accepted": ("✔", "green"),
    "dismissed": ("⊘", "dim"),
}
_REF = re.compile(r"^(?P<repo>[^\s#]+/[^\s#]+)#(?P<number>\d+)$")
F = TypeVar("F", bound=Callable[..., Any])


def format_option(command: F) -> F:
    """Add `--format text|json` to a command (its value reaches the command as fmt)."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(FORMATS),
        default="text",
        show_default=True,
        help="text for people (plain lines when piped), json for scripts: one document "
        "per run, see docs/schemas/.",
    )(command)


@dataclass(frozen=True, slots=True)
class IssueRef:
    """A GitHub issue as reports name it."""

    repo: str
    number: int
    url: str | None = None

    @property
    def ref(self) -> str:
        """Return the short form, owner/name#12."""
        return f"{self.repo}#{self.number}"

    @classmethod
    def parse(cls, ref: str | None, url: str | None = None) -> IssueRef | None:
        """Return the issue a reference like owner/name#12 names, or None."""
        match = _REF.match(ref or "")
        if match is None:
            return None
        return cls(match["repo"], int(match["number"]), url)

    def to_json(self) -> dict[str, Any]:
        """Return the JSON form: repo, number, url."""
        return {"repo": self.repo, "number": self.number, "url": self.url}


@dataclass(frozen=True, slots=True)
class Source:
    """Where an item is written: its post-mortem file and line."""

    file: str
    line: int

    def to_json(self) -> dict[str, Any]:
        """Return the JSON form: file, line."""
        return {"file": self.file, "line": self.line}


@dataclass(slots=True)
class Entry:
    """What a run did to one item.

    `message` says why or how in one line (a skip's reason, a drift's cause); `error` is
    set when acting on the item failed. `details` holds the command's own fields (the
    protection before and after, the field an edit changed) and is merged into the JSON
    object. `text`, when given, is the line text output prints instead of the default
    icon / id / action / title / issue columns.
    """

    id: str
    action: str
    ok: bool = True
    title: str | None = None
    postmortem: str | None = None
    source: Source | None = None
    issue: IssueRef | None = None
    target: str | None = None
    message: str | None = None
    error: str | None = None
    warnings: list[str] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    text: Text | None = None

    def to_json(self) -> dict[str, Any]:
        """Return the entry as report.schema.json's item."""
        return {
            "id": self.id,
            "action": self.action,
            "ok": self.ok,
            "title": self.title,
            "postmortem": self.postmortem,
            "source": self.source.to_json() if self.source else None,
            "issue": self.issue.to_json() if self.issue else None,
            "target": self.target or (self.issue.ref if self.issue else None),
            "message": self.message,
            "error": self.error,
            "warnings": list(self.warnings),
            **self.details,
        }

    @property
    def where(self) -> str:
        """Return what text output shows of the item's issue or target: never cut."""
        if self.issue is not None:
            return self.issue.url or self.issue.ref
        return self.target or ""


def action_label(action: str) -> Text:
    """Return an action as icon and word, e.g. '✔ created'."""
    icon, style = ACTIONS.get(action, ("·", ""))
    return Text(f"{icon} {action.replace('_', ' ')}", style=style)


def _issue_lines(entry: Entry) -> list[str]:
    if entry.issue is not None:
        return [entry.issue.ref, *([entry.issue.url] if entry.issue.url else [])]
    return [entry.target] if entry.target else []


def entry_line(entry: Entry, *, with_issue: bool = True) -> Text:
    """Return the default one-line form of an entry (without its issue, if asked)."""
    line = Text.assemble(action_label(entry.action), "  ", (entry.id, "bold"))
    if entry.title:
        line.append(f"  {entry.title}")
    if with_issue:
        for where in _issue_lines(entry):
            line.append(f"  {where}", style="cyan")
    why = entry.error or entry.message
    if why:
        line.append(f"  ({why})", style="yellow" if entry.error else "dim")
    return line


class Report:
    """Collect what one run did, then print it once in the format asked for."""

    def __init__(
        self,
        out: Console,
        err: Console,
        command: str,
        fmt: str = "text",
        *,
        dry_run: bool = False,
        compact: bool = False,
    ) -> None:
        self.out = out
        self.err = err
        self.command = command
        self.is_json = fmt == "json"
        self.dry_run = dry_run
        self.compact = compact
        self.entries: list[Entry] = []
        self.summary: dict[str, Any] = {}
        self.extra: dict[str, Any] = {}
        self.warnings: list[str] = []
        self.errors: list[str] = []
        self.cancelled = False
        self.code: ExitCode | None = None
        self._pending: list[Entry] = []
        self._emitted = False

    @classmethod
    def start(
        cls,
        cli: CliContext,
        command: str,
        fmt: str,
        *,
        dry_run: bool = False,
        summary: Mapping[str, Any] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> Report:
        """Begin the report of a command; from now on a failure ends as its document too.

        summary and extra give the command's own fields their empty values, so a document
        has the same keys whether the run finished or stopped at its first error.
        """
        report = cls(cli.out, cli.err, command, fmt, dry_run=dry_run)
        report.summary.update(summary or {})
        report.extra.update(extra or {})
        cli.report = report
        return report

    # -- what text output shows as it happens --------------------------------------------

    @property
    def plain(self) -> bool:
        """Tell whether text output goes to a pipe or a file (whole lines, no tables)."""
        return printing.plain(self.out)

    def say(self, text: Text | str, *, style: str = "") -> None:
        """Print a line of text output (nothing in JSON: the document says it)."""
        if not self.is_json:
            printing.line(self.out, text, style=style)

    def warn(self, message: str) -> None:
        """Keep a warning and print it on stderr."""
        self.warnings.append(message)
        printing.line(self.err, Text.assemble(("warning: ", "yellow"), message))

    def error(self, message: str) -> None:
        """Keep an error and print it on stderr."""
        self.errors.append(message)
        printing.line(self.err, Text.assemble(("error: ", "red"), message))

    def collect(self, level: Level, message: str) -> None:
        """Keep a warning the work sent to the progress bar (which printed it already).

        Error notes are about one item each; they reach the report through its entry.
        """
        if level == "warning":
            self.warnings.append(message)

    # -- entries -------------------------------------------------------------------------

    def add(self, entry: Entry, *, shown: bool = False) -> None:
        """Add what happened to one item; shown=True when text output already showed it."""
        self.entries.append(entry)
        if not shown:
            self._pending.append(entry)

    def print_entries(self) -> None:
        """Print the entries added since the last call (text output only)."""
        pending, self._pending = self._pending, []
        if self.is_json or not pending:
            return
        table = None if self.plain else self._table(pending)
        if table is not None:
            printing.show(self.out, table)
            return
        for entry in pending:
            if entry.text is not None:
                printing.line(self.out, entry.text)
            elif self.plain:
                printing.line(self.out, entry_line(entry))
            else:
                # A narrow terminal: the words wrap, the reference and URL get lines of their own.
                printing.line(self.out, entry_line(entry, with_issue=False))
                for where in _issue_lines(entry):
                    printing.line(self.out, Text(f"    {where}", style="cyan"))

    def _table(self, entries: Sequence[Entry]) -> Table | None:
        """Return the entries as a table, or None when it would cut a reference or URL."""
        if any(entry.text is not None for entry in entries):
            return None
        labels = [action_label(e.action) for e in entries]
        widths = [
            max(cell_len(label.plain) for label in labels),
            max(cell_len(e.id) for e in entries),
            16,
            max((cell_len(e.where) for e in entries), default=0),
        ]
        if sum(widths) + 2 * (len(widths) - 1) > self.out.width:
            return None
        table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
        table.add_column("Result", no_wrap=True)
        table.add_column("Item", style="bold", no_wrap=True)
        table.add_column("Title", ratio=1, min_width=16)
        table.add_column("Issue", no_wrap=True, min_width=widths[3])
        for entry, label in zip(entries, labels, strict=True):
            title = Text(entry.title or "")
            why = entry.error or entry.message
            if why:
                title.append(f"\n{why}", style="yellow" if entry.error else "dim")
            table.add_row(label, entry.id, title, Text(entry.where, style="cyan"))
        return table

    # -- the end -------------------------------------------------------------------------

    @property
    def exit_code(self) -> ExitCode:
        """Return the code the run ends with: cancelled, set explicitly, or from the entries."""
        if self.cancelled:
            return ExitCode.CANCELLED
        if self.code is not None:
            return self.code
        if self.errors or any(not entry.ok for entry in self.entries):
            return ExitCode.FAILED
        return ExitCode.OK

    def document(self) -> dict[str, Any]:
        """Return the JSON document of the run."""
        code = self.exit_code
        return {
            "schema_version": SCHEMA_VERSION,
            "command": self.command,
            "dry_run": self.dry_run,
            "ok": code == ExitCode.OK,
            "exit_code": int(code),
            "summary": self.summary,
            "items": [entry.to_json() for entry in self.entries],
            "warnings": self.warnings,
            "errors": self.errors,
            **self.extra,
        }

    def emit(self, *closing: Text | str) -> ExitCode:
        """Print the report (the pending entries and closing lines, or the document)."""
        if self._emitted:
            return self.exit_code
        self._emitted = True
        if self.is_json:
            indent = None if self.compact else 2
            click.echo(json.dumps(self.document(), indent=indent, ensure_ascii=False))
        else:
            self.print_entries()
            for text in closing:
                printing.line(self.out, text)
        return self.exit_code

    def finish(self, *closing: Text | str) -> None:
        """Print the report and end the command with its exit code."""
        code = self.emit(*closing)
        if code != ExitCode.OK:
            click.get_current_context().exit(int(code))

    def fail(self, message: str, code: ExitCode) -> None:
        """End a JSON report with the error that stopped the run (the caller printed it)."""
        self.errors.append(message)
        self.code = code
        if self.is_json and not self._emitted:
            self.emit()
