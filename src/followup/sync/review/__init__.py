"""The weekly review report: built from the store, rendered as Markdown, HTML or JSON.

`make_report` computes it (store/report.py's SQL aggregates), `render` writes it in a
format, `write_report` saves it to a file whole or not at all. Both the CLI's `followup
report` and the TUI's report screen use these; post.py keeps it as a comment on an issue.
"""

from __future__ import annotations

import json
import os
import tempfile
from datetime import date
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import Engine

from followup import collector
from followup.errors import InputError, NotFoundError
from followup.policy import DuePolicy
from followup.store import session_scope
from followup.store.report import known_postmortems, review_report
from followup.store.report_model import ReportScope, ReviewReport
from followup.sync.review.document import report_document
from followup.sync.review.html import render_html
from followup.sync.review.markdown import render_markdown
from followup.sync.review.period import Period, parse_since, period_of
from followup.sync.review.words import ReportContext

Format = Literal["markdown", "html", "json"]
FORMATS: tuple[Format, ...] = ("markdown", "html", "json")
SUFFIXES: dict[str, Format] = {".md": "markdown", ".markdown": "markdown", ".html": "html"}
SUFFIXES |= {".htm": "html", ".json": "json"}

__all__ = [
    "FORMATS",
    "Format",
    "Period",
    "ReportContext",
    "ReviewReport",
    "context_for",
    "format_for",
    "make_report",
    "parse_since",
    "period_of",
    "render",
    "write_report",
]


def make_report(
    engine: Engine,
    *,
    since: date,
    today: date,
    postmortems: tuple[str, ...] = (),
    owner: str | None = None,
) -> ReviewReport:
    """Compute the review report; an unknown post-mortem is refused."""
    scope = ReportScope(since=since, until=today, postmortems=postmortems, owner=owner)
    with session_scope(engine) as session:
        missing = sorted(set(postmortems) - known_postmortems(session, postmortems))
        if missing:
            raise NotFoundError(f"no post-mortem {missing[0]!r} in the store (see 'followup list')")
        return review_report(session, scope, today=today)


def render(
    report: ReviewReport,
    fmt: Format,
    context: ReportContext,
    *,
    posted: dict[str, Any] | None = None,
    pretty: bool = True,
) -> str:
    """Return the report in a format; JSON indented only when pretty."""
    with collector.paused():
        if fmt == "markdown":
            return render_markdown(report, context)
        if fmt == "html":
            return render_html(report, context)
        document = report_document(report, context, posted=posted)
        # Indenting forces json's pure-Python encoder: a second on a 100,000-item store.
        return json.dumps(document, indent=2 if pretty else None, ensure_ascii=False) + "\n"


def context_for(report: ReviewReport, policy: DuePolicy, since_text: str | None) -> ReportContext:
    """Return what a rendering says beside the numbers."""
    return ReportContext(period_of(report.scope, since_text=since_text), policy)


def format_for(path: Path | None, given: str | None) -> Format:
    """Return the format to write in: the one given, else the file's suffix's, else Markdown."""
    for name in FORMATS:
        if given == name:
            return name
    if given is not None:
        raise InputError(f"a report format is one of {', '.join(FORMATS)}, not {given!r}")
    if path is None:
        return "markdown"
    return SUFFIXES.get(path.suffix.lower(), "markdown")


def write_report(path: Path, text: str) -> None:
    """Write the report to a file whole: another reader never sees half of it."""
    target = path.expanduser()
    folder = target.parent if str(target.parent) else Path()
    if not folder.is_dir():
        raise InputError(f"cannot write {path}: no folder {folder}")
    if target.is_dir():
        raise InputError(f"cannot write {path}: it is a folder")
    try:
        fd, temporary = tempfile.mkstemp(prefix=".followup-report-", dir=folder)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        Path(temporary).replace(target)
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror or exc}") from None
