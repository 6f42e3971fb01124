"""Read a post-mortem: its front matter, its action-items sections and their items."""

from __future__ import annotations

import re
import stat
from datetime import date
from pathlib import Path, PurePath

from followup.errors import InputError
from followup.postmortem import collect, fields, sections, suggestions, tables, titles, wording
from followup.postmortem.collect import Collector, labelled_in
from followup.postmortem.frontmatter import FrontMatter, FrontMatterError
from followup.postmortem.frontmatter import read as read_front_matter
from followup.postmortem.markdown import Inline, ListItem, Source
from followup.postmortem.model import ActionItem, PostMortem
from followup.postmortem.outline import SHORT_LINE, Blocks, Outline, Resolver, Section, build
from followup.postmortem.slug import slugify

# A bold label heads its own little section; any heading ends it.
_LABEL_LEVEL = 7
# A paragraph under an action heading is an item when it is a few sentences at most.
LONG_LINE = 400
MAX_SENTENCES = 4
_DATED_NAME = re.compile(r"^(\d{4}-\d{2}-\d{2})")
_ISO_DATE = re.compile(r"\b(\d{4}-\d{2}-\d{2})\b")
_DATE_LINE = re.compile(
    r"(?im)^[\W_]*(?:incident\s+)?date(?:\s*/\s*time)?[\W_]*?[:|][\W_]*(\d{4}-\d{2}-\d{2})"
)
_NO_SECTION = (
    "no action-items section found (looked for a heading or bold label such as 'Action Items', "
    "'Corrective actions', 'Follow-ups', 'Remediation' or 'Next steps')"
)
MARKDOWN_SUFFIXES = frozenset(
    {".md", ".markdown", ".mdown", ".mkd", ".mkdn", ".mdwn", ".mdtxt", ".mdtext", ".txt", ""}
)
_SHAPE_KEYS = ("type", "kind", "category", "categories", "layout", "template", "tags", "labels")
_SHAPE_WORDS = re.compile(
    r"post[\s-]?mortem|incident|outage|retrospective|\brca\b|after[\s-]action", re.IGNORECASE
)
# An intro that announces the list after it as things to do.
_ANNOUNCES = re.compile(
    r"\b(?:we\s+will|we'll|we\s+are\s+going\s+to|we\s+plan|we\s+need|we\s+must|we\s+should"
    r"|(?:we|i)(?:'re|\s+are)\s+(?:now\s+|also\s+)?(?:doing|changing|adding|fixing|improving"
    r"|planning|working\s+on|committed\s+to)|committed\s+to|here(?:'s|\s+is)\s+what"
    r"|following\s+(?:actions?|steps?|items?|changes|tasks|improvements|follow[\s-]?ups?|work"
    r"|measures|fixes)|action\s+items?|to-?dos?|next\s+steps?|going\s+forward|planned"
    r"|to\s+do|improvements|changes\s+(?:we|are)|measures|remediations?)\b",
    re.IGNORECASE,
)
_ITEM_NUMBER = re.compile(r"^(?:\d{1,3}[.):]|#\d{1,3}\b|(?:item|ai|action)\s*#?\s*\d{1,3}\b)\s*")
_BLOCKQUOTE_OPEN = re.compile(r"<blockquote\b", re.IGNORECASE)
_BLOCKQUOTE_CLOSE = re.compile(r"</blockquote\s*>", re.IGNORECASE)


class _Region:
    """An action-items section being read, and the subheadings open inside it."""

    __slots__ = ("base", "count", "level", "line", "name", "strong", "subs")

    def __init__(
        self, level: int, line: int, name: str, base: sections.Context, strong: bool
    ) -> None:
        self.level = level
        self.line = line
        self.name = name
        self.base = base
        self.strong = strong
        self.subs: list[tuple[int, sections.Context]] = []
        self.count = 0

    def context(self) -> sections.Context | None:
        """Merge the section's and the open subheadings' contexts; None means skip."""
        if not self.subs:
            return self.base
        merged = sections.Context(
            section=self.base.section,
            type=self.base.type,
            done=self.base.done,
            due=self.base.due,
            references=list(self.base.references),
        )
        for _, ctx in self.subs:
            if ctx.skip:
                return None
            merged.section = ctx.section or merged.section
            merged.type = ctx.type or merged.type
            merged.done = merged.done or ctx.done
            merged.due = ctx.due or merged.due
            merged.references.extend(ctx.references)
        return merged

    def innermost(self) -> sections.Context:
        """Return the context that a note under the latest heading adds to."""
        return self.subs[-1][1] if self.subs else self.base

    def sub(self, level: int, ctx: sections.Context) -> None:
        """Open a subheading's context, closing those at its level or deeper."""
        while self.subs and self.subs[-1][0] >= level:
            self.subs.pop()
        self.subs.append((level, ctx))


class _Reader:
    """Walk a document's outline once, reading closely only the sections that matter."""

    def __init__(self, src: Source, outline: Outline, collector: Collector) -> None:
        self.src = src
        self.outline = outline
        self.found = collector
        self.resolve = Resolver(src.text)
        self.warnings: list[str] = []
        self.region: _Region | None = None
        self.found_section = False
        self.other_level: int | None = None  # level of the lessons/summary-like section we are in
        self.past_level: int | None = None  # level of a section telling the past (no promises)
        self.title_index = _title_index(outline.sections)
        self._subtrees: list[bool] | None = None

    def run(self) -> None:
        """Read every section, then note what is missing."""
        secs = self.outline.sections
        for i, sec in enumerate(secs):
            leaf = i + 1 == len(secs) or secs[i + 1].level <= sec.level
            self._section(i, sec, leaf)
        self._close()
        if not self.found_section:
            self.warnings.append(_NO_SECTION)

    # -- sections --------------------------------------------------------------------

    def _section(self, i: int, sec: Section, leaf: bool) -> None:
        if sec.level == 0:
            self._scan(sec, past=False)
            return
        text = sec.text
        level = sec.level
        role = sections.role(text)
        if i == self.title_index and not (
            role is sections.Role.ACTION
            and sections.plainly_action(text)
            and sec.first in ("list", "table")
        ):
            role = sections.Role.NEUTRAL  # the document's title, whatever its words
        region = self.region
        if region is not None and level > region.level:
            if not sec.holds_items and leaf and _item_heading(sec.heading):
                # The heading is the item: it says nothing about the items around it.
                region.sub(level, sections.Context())
                ctx = region.context()
                if ctx is not None:
                    self._heading_item(sec, ctx)
                return
            region.sub(level, sections.subheading(sec.heading, self.found.anchor))
            ctx = region.context()
            if ctx is None:
                self._scan(sec, past=True)
            else:
                self._read_scope(sec, ctx, leaf)
            return
        if region is not None:
            self._close()
        if self.other_level is not None and level <= self.other_level:
            self.other_level = None
        if self.past_level is not None and level <= self.past_level:
            self.past_level = None
        opens = role is sections.Role.ACTION and (
            self.other_level is None or sections.plainly_action(text)
        )
        weak = role is sections.Role.WEAK and self.other_level is None and self._holds_items(i)
        if opens or weak:
            self._open(level, self.src.line(sec.start), sec.heading, strong=opens)
            ctx = self.region.context() if self.region else None
            if ctx is not None:
                self._read_scope(sec, ctx, leaf)
            return
        if role is sections.Role.OTHER and self.other_level is None:
            self.other_level = level
        if self.past_level is None and sections.tells_the_past(text):
            self.past_level = level
        self._scan(sec, past=self.past_level is not None)

    def _holds_items(self, i: int) -> bool:
        """Tell whether section i or a subsection holds lists, tables or item headings."""
        if self._subtrees is None:  # only sections named by intent ask, so work it out late
            self._subtrees = _item_subtrees(self.outline.sections)
        return self._subtrees[i]

    def _open(self, level: int, line: int, inline: Inline, *, strong: bool) -> None:
        """Start an action-items section headed by the given heading or label."""
        self.found_section = True
        ctx = sections.region_context(inline, self.found.anchor)
        self.region = _Region(level, line, inline.text.strip(), ctx, strong)

    def _close(self) -> None:
        """End the current action-items section, warning if it held no items."""
        region = self.region
        if region is not None and region.count == 0:
            self.warnings.append(
                f"line {region.line}: action-items section {region.name!r} has no list or "
                "table items"
            )
        self.region = None

    # -- an action section's own content ---------------------------------------------

    def _read_scope(self, sec: Section, ctx: sections.Context, leaf: bool) -> None:
        """Read the lists, tables and lines under one heading of an action section."""
        region = self.region
        assert region is not None
        blocks = Blocks(self.src, sec.body, sec.end, self.resolve)
        lines: list[tuple[Inline, int, int, sections.Context]] = []
        notes: list[Inline] = []
        had_items = False
        fresh = True  # nothing but notes since the heading
        intro: Inline | None = None  # the paragraph just before, when a list follows it
        quoted = False
        for kind, start, end in blocks:
            if kind == "html":
                quoted = _quoting(blocks.html(), quoted)
                continue
            if quoted or kind not in ("paragraph", "list", "table"):
                intro = None
                continue
            if kind == "paragraph":
                inline = blocks.paragraph()
                label, alone = _label(inline)
                if label is not None and alone and inline.strong:
                    # "**Long term:**" alone on its line works as a subheading of the section.
                    links = tuple(lk for lk in inline.links if lk.end <= len(label))
                    sub = sections.subheading(Inline(label, links), self.found.anchor)
                    region.sub(_LABEL_LEVEL, sub)
                    fresh, intro = True, None
                    continue
                current = region.context()
                if current is None:
                    continue
                ctx = current
                if self.found.labelled(inline, start, end, ctx):
                    region.count += 1
                    continue
                if fresh:
                    notes.append(inline)
                lines.append((inline, start, end, ctx))
                intro = inline
                continue
            if notes:
                # A note right under a heading ("Follow along here") links the items after it.
                for note in notes:
                    region.innermost().references.extend(sections.tracking_refs(note))
                notes = []
            current = region.context()
            if current is None:
                intro = None
                continue
            ctx = current
            if kind == "list":
                roots = blocks.items()
                if _template_checklist(roots) or (intro is not None and _descriptive(intro, roots)):
                    intro = None
                    continue
                added = self.found.list_items(roots, ctx)
            else:
                added = self.found.table(blocks.table(), ctx)
            region.count += added
            had_items = had_items or added > 0
            fresh, intro = False, None
        if not had_items and leaf and region.strong and _item_lines([ln[0] for ln in lines]):
            for inline, start, end, line_ctx in lines:
                if self.found.plain_line(inline, start, end, line_ctx):
                    region.count += 1
        elif self.past_level is None:
            for inline, start, end, _ in lines:
                self.found.suggestions(inline, start, end, sec.text or None)

    def _heading_item(self, sec: Section, ctx: sections.Context) -> None:
        """Read a subheading that is an item itself, with the lines under it as its body."""
        region = self.region
        assert region is not None
        body: list[Inline] = []
        blocks = Blocks(self.src, sec.body, sec.end, self.resolve)
        for kind, _, _ in blocks:
            if kind == "paragraph":
                body.append(blocks.paragraph())
        if self.found.heading_item(sec.heading, sec.start, sec.end, body, ctx):
            region.count += 1

    # -- everything else: labels, labelled items, action tables and promises ------------

    def _scan(self, sec: Section, *, past: bool) -> None:
        """Look through a section that is no action section for what still counts."""
        raw = self.src.data[sec.body : sec.end]
        plain_other = self.other_level is not None
        opens_region = _action_label_in(raw, plainly=plain_other)
        action_tables = sec.action_tables and not plain_other
        labels = labelled_in(raw)
        promises = not past and suggestions.promised_in(raw)
        if not (opens_region or action_tables or labels or promises):
            return
        data = self.src.data
        name = sec.text or None
        blocks = Blocks(self.src, sec.body, sec.end, self.resolve)
        quoted = False
        for kind, start, end in blocks:
            if kind == "html":
                quoted = _quoting(blocks.html(), quoted)
                continue
            if quoted:
                continue
            region = self.region
            if kind == "paragraph":
                if opens_region and _label_shaped(data, start, end):
                    inline = blocks.paragraph()
                    if self._label(inline, start, plainly=plain_other):
                        continue
                else:
                    chunk = data[start:end]
                    hit = (labels and labelled_in(chunk)) or (
                        promises and suggestions.promised_in(chunk)
                    )
                    if not hit and region is None:
                        continue
                    inline = blocks.paragraph()
                ctx = region.context() if region is not None else sections.Context()
                if ctx is None:
                    continue
                if self.found.labelled(inline, start, end, ctx):
                    if region is not None:
                        region.count += 1
                    continue
                if region is not None and region.count == 0:
                    region.innermost().references.extend(sections.tracking_refs(inline))
                if promises:
                    self.found.suggestions(inline, start, end, name)
            elif kind == "list":
                if region is not None:
                    ctx = region.context()
                    roots = blocks.items()
                    if ctx is not None and not _template_checklist(roots):
                        region.count += self.found.list_items(roots, ctx)
                    continue
                chunk = data[start:end]
                if (labels and labelled_in(chunk)) or (promises and suggestions.promised_in(chunk)):
                    self._scan_list(blocks.items(), promises=promises, section=name)
            elif kind == "table":
                if region is not None:
                    ctx = region.context()
                    if ctx is not None:
                        region.count += self.found.table(blocks.table(), ctx)
                elif action_tables:
                    table = blocks.table()
                    if tables.is_action_table([c.text for c in table.head]):
                        self.found_section = True
                        self.found.table(table, sections.Context())
        if self.region is not None and self.region.level == _LABEL_LEVEL:
            self._close()

    def _label(self, inline: Inline, start: int, *, plainly: bool) -> bool:
        """Handle a bold or 'Name:' label; True when it worked as a heading."""
        label, alone = _label(inline)
        if label is None:
            text = inline.text.strip()
            if not text.endswith(":"):
                return False
            label, alone = text[:-1].strip(), True
        role = sections.role(label)
        region = self.region
        if region is not None:
            if role is sections.Role.ACTION:
                return alone
            if role is sections.Role.OTHER or inline.strong:
                self._close()
        if role is sections.Role.ACTION and (not plainly or sections.plainly_action(label)):
            self._open(_LABEL_LEVEL, self.src.line(start), inline, strong=True)
            return alone
        return False

    def _scan_list(self, roots: list[ListItem], *, promises: bool, section: str | None) -> None:
        """Find labelled items and promises among a list's entries, at any depth."""
        ctx = sections.Context()
        stack = list(reversed(roots))
        while stack:
            li = stack.pop()
            if not self.found.labelled(li.inline, li.start, li.end, ctx) and promises:
                self.found.suggestions(li.inline, li.start, li.end, section)
            stack.extend(reversed(li.children))


def _label(inline: Inline) -> tuple[str | None, bool]:
    """Return a leading bold label such as '**Action Items**:' and whether nothing follows it."""
    if not inline.strong or inline.strong[0][0] != 0:
        return None, False
    end = inline.strong[0][1]
    label = inline.text[:end].strip()
    rest = inline.text[end:].strip()
    if label.endswith(":") or rest.startswith(":") or not rest:
        return label.rstrip(":").strip(), not rest.lstrip(":").strip()
    return None, False


# A bold label at the start of a line, or a short line ending in ':'.
_LABEL_LINE = re.compile(
    rb"^[ \t]{0,3}(?:\*\*|__)([^\n*_]{1,64}?)(?:\*\*|__)|^[ \t]{0,3}([^\n]{1,62}?):[ \t]*$",
    re.MULTILINE,
)


def _action_label_in(raw: bytes, *, plainly: bool) -> bool:
    """Tell whether raw Markdown holds a label announcing action items ('**Follow-ups**:')."""
    if b":" not in raw and b"**" not in raw and b"__" not in raw:
        return False
    for m in _LABEL_LINE.finditer(raw):
        label = (m[1] or m[2]).decode(errors="replace").strip(" :*_")
        if sections.role(label) is sections.Role.ACTION and (
            not plainly or sections.plainly_action(label)
        ):
            return True
    return False


def _label_shaped(data: bytes, start: int, end: int) -> bool:
    """Tell whether a paragraph may be a label: it starts in bold, or is short and ends in ':'."""
    chunk = data[start:end].strip()
    return chunk[:2] in (b"**", b"__") or (end - start <= SHORT_LINE and chunk.endswith(b":"))


def _quoting(html: str, quoted: bool) -> bool:
    """Follow <blockquote> tags in raw HTML: quoted text (an e-mail, a reply) is no item."""
    if _BLOCKQUOTE_OPEN.search(html):
        quoted = True
    if _BLOCKQUOTE_CLOSE.search(html):
        quoted = False
    return quoted


def _item_heading(heading: Inline) -> bool:
    """Tell whether a subheading names one item rather than a group of them."""
    text = heading.text.strip()
    if sections.role(text) is not sections.Role.NEUTRAL:
        return False
    kind = fields.type_from_value(text)
    if kind in fields.TYPES:
        return False
    m = _ITEM_NUMBER.match(text)
    rest = text[m.end() :] if m else text
    words = len(rest.split())
    meta = "@" in rest or fields.priority_in_text(rest) is not None or rest.rstrip().endswith("]")
    verb = wording.imperative(rest)
    if m is not None:
        return words >= 2 and (verb or meta)
    return (meta and words >= 2) or (verb and words >= 3)


def _item_lines(paragraphs: list[Inline]) -> bool:
    """Tell whether a section's paragraphs are one item each, not a written account.

    Under an action heading, short paragraphs ("The alert paged nobody. (fixed ...)") are
    items; long ones tell a story, and only the promises in them count.
    """
    for inline in paragraphs:
        text = inline.text.strip()
        if not text or text.endswith(":"):
            continue
        note = collect.STATUS_NOTE.search(text)
        body = text[: note.start()] if note else text
        sentences = len(collect.SENTENCE_END.findall(body)) + 1
        if len(body) > LONG_LINE or sentences > MAX_SENTENCES:
            return False
    return True


def _template_checklist(roots: list[ListItem]) -> bool:
    """Tell whether a list is a template's checklist about the report itself."""
    if not roots or all(li.checked is None for li in roots):
        return False
    about = sum(1 for li in roots if wording.about_document(li.inline.text))
    return about * 2 >= len(roots)


def _descriptive(intro: Inline, roots: list[ListItem]) -> bool:
    """Tell whether a list after a prose paragraph describes things rather than listing work.

    A list right under a heading is the section's items, whatever their wording. After a
    paragraph it may instead be part of the account: the environments the system now has,
    the options that were weighed. Then it counts only if its entries read as work, or if the
    paragraph announced work and the entries are more than bare names.
    """
    text = intro.text.strip()
    if not text or not roots:
        return False
    titled = [titles.clean(li.inline) for li in roots]
    if _ANNOUNCES.search(text):
        return all(wording.bare_name(t.text) for t in titled)
    work = 0
    for li, title in zip(roots, titled, strict=True):
        own = li.inline
        if (
            li.checked is not None
            or title.done is not None
            or title.owner is not None
            or own.links
            or "@" in own.text
            or wording.work_like(title.text)
        ):
            work += 1
    return work * 2 < len(roots)


def _title_index(secs: list[Section]) -> int | None:
    """Return the index of the heading that titles the document: a level-1 heading on top."""
    if len(secs) < 2 or secs[1].level != 1 or secs[0].first:
        return None
    return 1


def _item_subtrees(secs: list[Section]) -> list[bool]:
    """For each section, tell whether it or a subsection holds lists, tables or item headings."""
    out = [False] * len(secs)
    # Walk backwards keeping, per level, whether anything below holds items.
    below: list[tuple[int, bool]] = []
    for i in range(len(secs) - 1, -1, -1):
        sec = secs[i]
        holds = sec.holds_items or (sec.level > 1 and _item_heading(sec.heading))
        while below and below[-1][0] > sec.level:
            deeper = below.pop()[1]
            holds = holds or deeper
        out[i] = holds
        below.append((sec.level, holds))
    return out


def _front_matter(src: Source, outline: Outline, where: str) -> FrontMatter:
    if outline.metadata_start < 0:
        return FrontMatter()
    try:
        return read_front_matter(outline.metadata, outline.metadata_style, 2)
    except FrontMatterError as exc:
        at = f"line {exc.line}: " if exc.line else ""
        raise InputError(f"{where}{at}{exc}") from exc


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


def _shape(fm: FrontMatter, outline: Outline) -> bool:
    """Tell whether a document is shaped like a post-mortem, by its headings or front matter."""
    if any(sections.incident_heading(sec.text) for sec in outline.sections if sec.level):
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


def _settle(items: list[ActionItem]) -> tuple[ActionItem, ...]:
    """Order items as the document does; drop promises that restate an item or each other."""
    ordered = sorted(items, key=lambda it: it.line)
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


def parse(text: str, *, path: str | None = None, default_repo: str | None = None) -> PostMortem:
    """Read a post-mortem's text into a PostMortem; no I/O."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        # Same lines as the file, so line numbers still match it.
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    src = Source(text)
    outline = build(src)
    fm = _front_matter(src, outline, f"{path}: " if path else "")
    repo = fm.repo or default_repo
    stem = PurePath(path).stem if path else None
    secs = outline.sections
    title_index = _title_index(secs)
    title_h1 = secs[title_index].text if title_index is not None else None
    when = _incident_date(fm, stem, title_h1, text)
    collector = Collector(src, repo, when)
    reader = _Reader(src, outline, collector)
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
    return PostMortem(
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
        incident_shape=_shape(fm, outline),
    )


def refusal(pm: PostMortem) -> str | None:
    """Return why a document is not taken for a post-mortem, or None when it is one."""
    if pm.has_action_section or pm.incident_shape:
        return None
    return (
        "does not look like a post-mortem (no action-items section, and no heading such as "
        "Summary, Impact, Timeline or Root cause); pass --force to import it anyway"
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
        raise InputError(
            f"{path}: is not a Markdown file ({path.suffix}); post-mortems are .md files "
            "(pass --force to read it anyway)"
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
    pm = parse(text, path=str(path), default_repo=default_repo)
    reason = None if force else refusal(pm)
    if reason is not None:
        raise InputError(f"{path}: {reason}")
    return pm


def context(source: str, line: int, radius: int = 2) -> str:
    """Return the source lines around a 1-based line, radius lines either side."""
    lines = source.split("\n")
    if line < 1 or line > len(lines):
        return ""
    lo, hi = max(line - 1 - radius, 0), min(line + radius, len(lines))
    return "\n".join(ln.rstrip("\r") for ln in lines[lo:hi]).lstrip("\ufeff")
