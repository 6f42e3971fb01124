"""Importing post-mortems from the command line, shared by `import` and `file`.

Which repository a document's items go to, from strongest to weakest: the item's own
(`in owner/name`), the document's `repo:` front matter, --repo, the `repo` setting, the
repository a re-imported post-mortem was imported with, and last the `origin` remote of
the git repository the file lives in.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from rich.text import Text

from followup import clock
from followup.cli.context import CliContext
from followup.cli.reporting import Entry, IssueRef, Report, Source
from followup.cli.repos import RepoSpec, configured_repo, origin_repo, repo_for
from followup.store import session_scope
from followup.store.display_paths import display_path
from followup.store.queries import ItemFilter, list_items, postmortems
from followup.store.views import ItemView
from followup.sync.importing import ImportFailed, ImportReport, import_files

IMPORT_SUMMARY = ("postmortems", "created", "suggested", "updated", "removed", "skipped_files")


def default_repo(cli: CliContext, repo: RepoSpec | None) -> str | None:
    """Return the repository --repo or the `repo` setting names, checked; else None."""
    if repo is not None:
        return repo_for(repo, cli.settings)
    return configured_repo(cli.settings, cli.loaded.sources.get("repo", "setting"))


class _Origins:
    """Look up each file's origin remote, unless the store already knows its repository."""

    def __init__(self, cli: CliContext, paths: Sequence[Path]) -> None:
        self.cli = cli
        self.problems: dict[str, str] = {}
        with session_scope(cli.engine()) as session:
            stored = postmortems(session, today=clock.today())
        self.known = {pm.path for pm in stored if pm.repo}

    def __call__(self, path: Path) -> str | None:
        if str(path.resolve()) in self.known:
            return None  # the importer keeps the repository it was imported with
        repo, problem = origin_repo(path, self.cli.settings)
        if problem is not None:
            self.problems[str(path)] = problem
        return repo


def run_import(
    cli: CliContext,
    report: Report,
    paths: Sequence[Path],
    repo: RepoSpec | None,
    *,
    skip_invalid: bool = False,
    force: bool = False,
) -> ImportReport:
    """Import the files into the store and add what happened to the report."""
    explicit = default_repo(cli, repo)
    origins = None if explicit else _Origins(cli, paths)
    started = clock.now()
    try:
        imported = import_files(
            cli.engine(),
            list(paths),
            default_repo=explicit,
            repo_of=origins,
            skip_invalid=skip_invalid,
            force=force,
            policy=cli.settings.policy,
        )
    except ImportFailed as exc:
        for problem in exc.problems:
            report.error(problem.message)
        raise
    if origins is not None:
        for path in imported.without_repo:
            why = origins.problems.get(path)
            if why is not None:
                report.warn(why)
    _report(cli, report, imported, started)
    return imported


def _report(cli: CliContext, report: Report, imported: ImportReport, started: datetime) -> None:
    for problem in imported.skipped:
        report.warn(f"skipped {problem.message}")
    created = suggested = updated = removed = 0
    documents = []
    for result in imported.results:
        found = imported.diagnoses.get(result.slug)
        for warning in result.warnings:
            report.warn(f"{result.path}: {warning}")
        if result.unchanged:
            change = "unchanged"
        else:
            bits = [f"{result.created} new"] if result.created else []
            if result.suggested:
                bits.append(f"{result.suggested} suggested")
            if result.updated:
                bits.append(f"{result.updated} updated")
            if result.removed:
                bits.append(f"{result.removed} removed")
            change = ", ".join(bits) or "no item changed"
        if result.moved_from is not None:
            change = f"moved from {display_path(result.moved_from)}; {change}"
        noun = "item" if result.items == 1 else "items"
        report.say(
            Text.assemble(
                ("✔ ", "green"), (result.slug, "bold"), f"  {result.items} {noun} ({change})"
            )
        )
        created += result.created
        suggested += result.suggested
        updated += result.updated
        removed += result.removed
        documents.append(
            {
                "slug": result.slug,
                "file": display_path(result.path),
                "title": result.title,
                "items": result.items,
                "created": result.created,
                "suggested": result.suggested,
                "updated": result.updated,
                "removed": result.removed,
                "unchanged": result.unchanged,
                "moved_from": display_path(result.moved_from) if result.moved_from else None,
                "warnings": list(result.warnings),
                "diagnosis": found.to_dict() if found is not None else None,
            }
        )
    docs = len(imported.results)
    report.say(
        f"{docs} post-mortem{'s' if docs != 1 else ''} imported: "
        f"{created} new{f' ({suggested} suggested)' if suggested else ''}, {updated} updated, "
        f"{removed} removed items."
    )
    skipped = [{"file": p.path, "message": p.message} for p in imported.skipped]
    if report.command != "import":
        report.extra["import"] = {"postmortems": documents, "skipped_files": skipped}
        return
    report.extra.update({"postmortems": documents, "skipped_files": skipped})
    report.summary.update(
        {
            "postmortems": docs,
            "created": created,
            "suggested": suggested,
            "updated": updated,
            "removed": removed,
            "skipped_files": len(imported.skipped),
        }
    )
    if report.is_json:
        _item_entries(cli, report, imported, started)


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _item_entries(
    cli: CliContext, report: Report, imported: ImportReport, started: datetime
) -> None:
    """Add one entry per item of the imported documents: what this import did to it."""
    since = _utc(started)
    with session_scope(cli.engine()) as session:
        for result in imported.results:
            flt = ItemFilter(postmortem=result.slug, include_removed=True)
            for item in list_items(session, flt, today=clock.today()):
                report.add(_entry(item, result.unchanged, since))


def _entry(item: ItemView, unchanged: bool, since: datetime) -> Entry:
    if unchanged or _utc(item.updated_at) < since:
        action = "unchanged"
    elif _utc(item.created_at) >= since:
        action = "created"
    elif item.status == "removed":
        action = "removed"
    else:
        action = "updated"
    issue = item.issue
    return Entry(
        id=item.id,
        action=action,
        title=item.title,
        postmortem=item.postmortem,
        source=Source(item.source_path, item.line),
        issue=IssueRef(issue.repo, issue.number, issue.url) if issue else None,
        target=item.target,
        details={"status": item.status, "kind": item.kind, "repo": item.repo},
    )
