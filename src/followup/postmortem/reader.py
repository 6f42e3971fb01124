"""Read a post-mortem: its front matter, its action-items sections and their items."""

from __future__ import annotations

import re
import stat
from dataclasses import replace
from datetime import date
from pathlib import Path, PurePath

from followup.errors import InputError, RefusedFile
from followup.postmortem import disclosures, sections
from followup.postmortem.collect import Collector
from followup.postmortem.frontmatter import FrontMatter, FrontMatterError
from followup.postmortem.frontmatter import read as read_front_matter
from followup.postmortem.markdown import Source
from followup.postmortem.model import ActionItem, PostMortem, Reference
from followup.postmortem.outline import Outline, build
from followup.postmortem.regions import title_index
from followup.postmortem.slug import slugify
from followup.postmortem.walk import Walker
from followup.text import clean_fields

_DATED_NAME = re.compile(r"^(\d{4}-\d{2}-\d{2})")
_ISO_DATE = re.compile(r"\b(\d{4}-\d{2}-\d{2})\b")
_DATE_LINE = re.compile(
    r"(?im)^[\W_]*(?:incident\s+)?date(?:\s*/\s*time)?[\W_]*?[:|][\W_]*(\d{4}-\d{2}-\d{2})"
)
MARKDOWN_SUFFIXES = frozenset(
    {".md", ".markdown", ".mdown", ".mkd", ".mkdn", ".mdwn", ".mdtxt", ".mdtext", ".txt", ""}
)
_SHAPE_KEYS = ("type", "kind", "category", "categories", "layout", "template", "tags", "labels")
_SHAPE_WORDS = re.compile(
    r"post[\s-]?mortem|incident|outage|retrospective|\brca\b|after[\s-]action", re.IGNORECASE
)


def _front_matter(src: Source, outline: Outline, where: str, *, lenient: bool) -> FrontMatter:
    if outline.metadata_start < 0:
        return FrontMatter()
    try:
        return read_front_matter(outline.metadata, outline.metadata_style, 2)
    except FrontMatterError as exc:
        at = f"line {exc.line}: " if exc.line else ""
        if lenient:
            # Forced: the document below is still worth reading; say what was left out.
            return FrontMatter(warnings=(f"{at}{exc}; the front matter was ignored",))
        raise RefusedFile(where, f"{at}{exc}", "pass --force to ignore the front matter") from exc


def _iso(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _incident_date(fm: FrontMatter, stem: str | None, title: str | None, text: str) -> date | None:
    """Return the incident's date: front matter, the file's name, the title, a 'Date:' line."""
    if fm.date is not None:
        return fm.date
    if stem and (m := _DATED_NAME.match(stem)) and (when := _iso(m[1])):
        return when
    if title and (m := _ISO_DATE.search(title)) and (when := _iso(m[1])):
        return when
    m = _DATE_LINE.search(text, 0, 4000)
    return _iso(m[1]) if m else None


# How far into a document with no heading at all its opening may call it a post-mortem.
_OPENING = 1000


def _shape(fm: FrontMatter, outline: Outline, text: str) -> bool:
    """Tell whether a document is shaped like a post-mortem, by its headings or front matter.

    A note with no heading at all ("Internal post-mortem: <link>", then prose) counts when
    its opening names an incident, an outage or a post-mortem.
    """
    headings = [sec for sec in outline.sections if sec.level]
    if any(sections.incident_heading(sec.text) for sec in headings):
        return True
    if headings and disclosures.shaped([sec.text for sec in headings], text):
        return True  # a security incident told as a disclosure
    if not headings and _SHAPE_WORDS.search(text, 0, _OPENING):
        return True
    if fm.title and _SHAPE_WORDS.search(fm.title):
        return True
    for key in _SHAPE_KEYS:
        value = fm.metadata.get(key)
        if value is not None and _SHAPE_WORDS.search(str(value)):
            return True
    return False


def _fingerprint(text: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", text.casefold()).split())


def _restates(a: str, b: str) -> bool:
    """Tell whether two titles say the same thing: one contains the other, or nearly."""
    short, long = sorted((a, b), key=len)
    if len(short) >= 12 and short in long:
        return True
    return len(short) >= 12 and _overlap(short, long) >= 0.8


def _overlap(a: str, b: str) -> float:
    """Return the share of the shorter text's words found in the longer one."""
    wa, wb = a.split(), set(b.split())
    return sum(1 for w in wa if w in wb) / len(wa) if wa else 0.0


def _merge(first: ActionItem, again: ActionItem) -> ActionItem:
    """Fill what an item leaves unsaid from the same item stated again further on."""
    return replace(
        first,
        owner=first.owner or again.owner,
        due=first.due or again.due,
        due_text=first.due_text or again.due_text,
        due_approximate=first.due_approximate if first.due else again.due_approximate,
        priority=first.priority or again.priority,
        type=first.type or again.type,
        done=first.done or again.done,
        references=first.references
        + tuple(ref for ref in again.references if ref not in first.references),
        protection=first.protection or again.protection,
    )


# Titles this many words long or more name one item: said twice, it is one item said twice.
_SPECIFIC = 4


def _once(ordered: list[ActionItem]) -> list[ActionItem]:
    """Keep one item per explicit title stated twice (a summary, then the action section)."""
    kept: list[ActionItem] = []
    where: dict[str, int] = {}
    for item in ordered:
        # Case and spacing only: clean() has already stripped the markers around a title.
        mark = item.title.casefold().rstrip(".!;: ") if not item.suggested else ""
        if mark.count(" ") + 1 >= _SPECIFIC and mark in where:
            at = where[mark]
            if not _apart(kept[at], item):
                kept[at] = _merge(kept[at], item)
                continue
        if mark:
            where[mark] = len(kept)
        kept.append(item)
    return kept


def _apart(first: ActionItem, again: ActionItem) -> bool:
    """Tell whether one title names two items: side by side, each tracked by its own issue.

    "Bump the versions for 10.6.4" three times in one table, each row with its own pull
    request, is three pieces of work; a summary naming an item the table tracks is one.
    """
    if first.section != again.section or not first.references or not again.references:
        return False
    return not {_tracked(r) for r in first.references} & {_tracked(r) for r in again.references}


def _tracked(ref: Reference) -> tuple[object, ...]:
    return (ref.repo, ref.number) if ref.number is not None else (ref.url or ref.text,)


def _settle(items: list[ActionItem]) -> tuple[ActionItem, ...]:
    """Order items as the document does; drop restated items and promises."""
    ordered = _once(sorted(items, key=lambda it: it.line))
    if not any(item.suggested for item in ordered):
        return tuple(ordered)
    explicit = [_fingerprint(it.title) for it in ordered if not it.suggested]
    kept: list[ActionItem] = []
    seen: list[str] = []
    for item in ordered:
        if item.suggested:
            mark = _fingerprint(item.title)
            if any(_restates(mark, other) for other in (*explicit, *seen)):
                continue
            seen.append(mark)
        kept.append(item)
    return tuple(kept)


def parse(
    text: str,
    *,
    path: str | None = None,
    default_repo: str | None = None,
    lenient_front_matter: bool = False,
) -> PostMortem:
    """Read a post-mortem's text into a PostMortem; no I/O.

    Front matter YAML cannot read is an InputError, or with lenient_front_matter ignored
    with a warning.
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        # Same lines as the file, so line numbers still match it.
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    src = Source(text)
    outline = build(src)
    fm = _front_matter(src, outline, f"{path}: " if path else "", lenient=lenient_front_matter)
    repo = fm.repo or default_repo
    stem = PurePath(path).stem if path else None
    secs = outline.sections
    index = title_index(secs)
    title_h1 = secs[index].text if index is not None else None
    when = _incident_date(fm, stem, title_h1, text)
    collector = Collector(src, repo, when)
    reader = Walker(src, outline, collector)
    reader.run()
    first_h1 = next((sec.text for sec in secs if sec.level == 1 and sec.text), None)
    first_heading = next(
        (
            sec.text
            for sec in secs
            if sec.level and sec.text and sections.role(sec.text) is sections.Role.NEUTRAL
        ),
        None,
    )
    title = (
        fm.title
        or title_h1
        or first_heading
        or (stem.replace("-", " ").replace("_", " ").strip() if stem else None)
        or first_h1
        or "Untitled post-mortem"
    )
    slug = slugify(fm.slug or "") or slugify(stem or "") or slugify(title) or "post-mortem"
    found = PostMortem(
        title=title,
        slug=slug,
        source=text,
        items=_settle(collector.items),
        path=path,
        date=when,
        status=fm.status,
        repo=repo,
        owners=fm.owners,
        metadata=fm.metadata,
        has_action_section=reader.found_section,
        warnings=(*fm.warnings, *collector.warnings, *reader.warnings),
        incident_shape=_shape(fm, outline, text),
    )
    # The document boundary (followup/text.py): every string made inert, the raw text kept.
    return clean_fields(found, keep=("source", "path"), source=text)


def refusal(pm: PostMortem) -> str | None:
    """Return why a document is not taken for a post-mortem, or None when it is one."""
    if pm.has_action_section or pm.incident_shape:
        return None
    return (
        "does not look like a post-mortem: no action-items section, and no heading such as "
        "Summary, Impact, Timeline or Root cause"
    )


def read(
    path: Path,
    *,
    default_repo: str | None = None,
    max_bytes: int = 5_000_000,
    force: bool = False,
) -> PostMortem:
    """Read a post-mortem file; refuse what is not a reasonably sized UTF-8 Markdown post-mortem."""
    if not force and path.suffix.lower() not in MARKDOWN_SUFFIXES:
        raise RefusedFile(
            f"{path}: ",
            f"is not a Markdown file ({path.suffix}); post-mortems are .md files",
            "pass --force to read it anyway",
        )
    try:
        info = path.stat()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read it: {exc.strerror or exc}") from None
    if stat.S_ISDIR(info.st_mode):
        raise InputError(f"{path}: is a directory, not a post-mortem file")
    if not stat.S_ISREG(info.st_mode):
        # Opening a FIFO with no writer would block forever; a device never ends.
        raise InputError(f"{path}: is not a regular file (a pipe, socket or device)")
    too_big = f"{path}: is larger than the {max_bytes:,}-byte limit for a post-mortem"
    if info.st_size > max_bytes:
        raise InputError(too_big)
    try:
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise InputError(f"{path}: cannot read it: {exc.strerror or exc}") from None
    if len(data) > max_bytes:
        raise InputError(too_big)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(f"{path}: is UTF-16 text; save it as UTF-8")
    if b"\x00" in data:
        raise InputError(f"{path}: looks like a binary file (it contains NUL bytes), not Markdown")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError(
            f"{path}: is not UTF-8 text (byte 0x{data[exc.start]:02x} on line {line})"
        ) from None
    del data
    pm = parse(text, path=str(path), default_repo=default_repo, lenient_front_matter=force)
    reason = None if force else refusal(pm)
    if reason is not None:
        raise RefusedFile(f"{path}: ", reason, "pass --force to import it anyway")
    return pm
