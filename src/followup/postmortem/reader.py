"""Read a post-mortem: its front matter, its action-items sections and their items."""

from __future__ import annotations

import re
import stat
from datetime import date
from pathlib import Path, PurePath

from followup.errors import InputError
from followup.postmortem import dates, fields, protection, refs, sections, tables, titles
from followup.postmortem.frontmatter import FrontMatter, FrontMatterError
from followup.postmortem.frontmatter import read as read_front_matter
from followup.postmortem.markdown import Block, Document, Inline, ListItem
from followup.postmortem.model import ActionItem, PostMortem, Reference
from followup.postmortem.slug import slugify
from followup.text import clean_fields

# A bold label heads its own little section; any heading ends it.
_LABEL_LEVEL = 7
_SHORT_LINE = 64  # bytes; longer paragraphs are prose, not labels
_DATED_NAME = re.compile(r"^(\d{4}-\d{2}-\d{2})")
_NO_SECTION = (
    "no action-items section found (looked for a heading or bold label such as 'Action Items', "
    "'Corrective actions', 'Follow-ups', 'Remediation' or 'Next steps')"
)


class _Region:
    """An action-items section being read, and the subheadings open inside it."""

    __slots__ = ("base", "count", "level", "line", "name", "subs")

    def __init__(self, level: int, line: int, name: str, base: sections.Context) -> None:
        self.level = level
        self.line = line
        self.name = name
        self.base = base
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


class _Reader:
    """Walk a document's top-level blocks once, collecting items from action sections."""

    def __init__(self, doc: Document, repo: str | None) -> None:
        self.doc = doc
        self.repo = repo
        self.items: list[ActionItem] = []
        self.warnings: list[str] = []
        self.region: _Region | None = None
        self.found_section = False
        self.fresh = False  # nothing but headings since the last heading
        self.other_level: int | None = None  # level of the lessons/timeline-like section we are in
        self.title_h1: str | None = None
        self.title_heading: str | None = None
        self.first_h1: str | None = None

    def run(self) -> None:
        """Read every block, then note what is missing."""
        for block in self.doc.blocks:
            kind = block.kind
            if kind == "heading":
                self._heading(block)
                continue
            if kind == "paragraph":
                if self._paragraph(block):
                    continue
            elif kind == "list" and self.region is not None:
                ctx = self.region.context()
                if ctx is not None:
                    for item in self.doc.list_items(block.first):
                        self._list_item(item, None, ctx)
            elif kind == "table":
                self._table(block)
            self.fresh = False
        self._close()
        if not self.found_section:
            self.warnings.append(_NO_SECTION)

    def _open(self, level: int, line: int, inline: Inline) -> None:
        """Start an action-items section headed by the given heading or label."""
        self.found_section = True
        self.region = _Region(level, line, inline.text.strip(), sections.region_context(inline))

    def _close(self) -> None:
        """End the current action-items section, warning if it held no items."""
        region = self.region
        if region is not None and region.count == 0:
            self.warnings.append(
                f"line {region.line}: action-items section {region.name!r} has no list or "
                "table items"
            )
        self.region = None

    def _heading(self, block: Block) -> None:
        """Open, close or refine an action-items section at a heading."""
        inline = block.heading
        text = inline.text.strip()
        level = block.level
        role = sections.role(text)
        region = self.region
        inside = region is not None and level > region.level
        if level == 1 and self.first_h1 is None:
            self.first_h1 = text
        if role is sections.Role.NEUTRAL and text and not inside:
            if level == 1 and self.title_h1 is None:
                self.title_h1 = text
            if self.title_heading is None:
                self.title_heading = text
        self.fresh = True
        if region is not None and inside:
            while region.subs and region.subs[-1][0] >= level:
                region.subs.pop()
            region.subs.append((level, sections.subheading(inline)))
            return
        if region is not None:
            self._close()
        if self.other_level is not None and level <= self.other_level:
            self.other_level = None
        if self.other_level is None:
            if role is sections.Role.OTHER:
                self.other_level = level
            elif role is sections.Role.ACTION:
                self._open(level, self.doc.line(block.start), inline)
        elif role is sections.Role.ACTION and sections.plainly_action(text):
            # Under a timeline or lessons, "14:05 follow-up deploy" is not a section of items.
            self._open(level, self.doc.line(block.start), inline)

    def _paragraph(self, block: Block) -> bool:
        """Read a paragraph; True when it worked as a heading (a label such as **Follow-ups**)."""
        region = self.region
        inline: Inline | None = None
        label: str | None = None
        alone = False
        if block.lead_strong:
            inline = self.doc.paragraph(block)
            label, alone = _label(inline)
        elif block.end - block.start <= _SHORT_LINE and (
            region is None or region.level == _LABEL_LEVEL
        ):
            # A short plain line such as "Follow-ups:" can stand in for a heading too.
            inline = self.doc.paragraph(block)
            text = inline.text.strip()
            if text.endswith(":"):
                label, alone = text[:-1].strip(), True
        if label is not None and inline is not None:
            role = sections.role(label)
            if region is not None and region.level == _LABEL_LEVEL:
                if role is sections.Role.ACTION:
                    return True
                if role is sections.Role.OTHER or block.lead_strong:
                    self._close()
                    region = None
            if region is None:
                if role is sections.Role.ACTION and (
                    self.other_level is None or sections.plainly_action(label)
                ):
                    self._open(_LABEL_LEVEL, self.doc.line(block.start), inline)
                    self.fresh = True
                    return True
                return False
            if alone and block.lead_strong and region.level != _LABEL_LEVEL:
                # "**Long term:**" alone on its line works as a subheading of the section.
                while region.subs and region.subs[-1][0] >= _LABEL_LEVEL:
                    region.subs.pop()
                links = tuple(lk for lk in inline.links if lk.end <= len(label))
                region.subs.append((_LABEL_LEVEL, sections.subheading(Inline(label, links))))
                self.fresh = True
                return True
        if region is not None and self.fresh:
            # A note right under a heading ("Follow along here") links what its items share.
            inline = inline or self.doc.paragraph(block)
            region.innermost().references.extend(sections.tracking_refs(inline))
        return False

    def _list_item(self, li: ListItem, parent: str | None, ctx: sections.Context) -> None:
        """Add a list item, its details, references and sub-items."""
        own = li.inline
        title = titles.clean(own)
        details: dict[str, str] = {}
        extra: list[Reference] = []
        subitems: list[ListItem] = []
        for child in li.children:
            pair = fields.detail(child.inline.text)
            if pair is not None:
                details.setdefault(pair[0], pair[1])
                if pair[0] == "ref":
                    extra.extend(refs.references(child.inline, keys=True))
            elif refs.is_reference_only(child.inline):
                extra.extend(refs.references(child.inline))
            else:
                subitems.append(child)
        if title.text:
            for key, value in fields.inline_pairs(own.text):
                details.setdefault(key, value)
            done = li.checked
            if done is None:
                done = title.done
            if done is None and "status" in details:
                done = fields.done_from_value(details["status"])
            if done is None:
                done = fields.done_in_cells([own.text])
            self._add(
                title=title,
                own=own,
                line=self.doc.line(li.start),
                text=self.doc.source(li.start, li.end),
                owner=(
                    fields.owner_from_value(details["owner"])
                    if "owner" in details
                    else fields.owner_in_text(own)
                ),
                due=dates.due_from_value(details["due"]) if "due" in details else None,
                priority=fields.priority_from_value(details.get("priority", "")),
                type_=fields.type_from_value(details.get("type", "")),
                done=done,
                found=[*refs.references(own), *extra],
                ctx=ctx,
                parent=parent,
            )
        for child in subitems:
            self._list_item(child, title.text or parent, ctx)

    def _table(self, block: Block) -> None:
        """Add the rows of an action-items table, reading each column by its header."""
        region = self.region
        ctx = region.context() if region is not None else sections.Context()
        if ctx is None:
            return
        if region is None:
            if self.other_level is not None:
                return
            if not tables.is_action_table(self.doc.table_head(block.first)):
                return
            self.found_section = True
        table = self.doc.table(block.first)
        heads = [cell.text for cell in table.head]
        columns = tables.roles(heads)
        if "title" not in columns:
            if None not in columns:
                return
            columns[columns.index(None)] = "title"
        col = {role: i for i, role in enumerate(columns) if role is not None}
        for row in table.rows:
            cells = row.cells
            if len(cells) <= col["title"]:
                continue
            own = cells[col["title"]]
            title = titles.clean(own)
            if not title.text:
                continue

            def cell(role: str, cells: list[Inline] = cells) -> str:
                i = col.get(role)
                return cells[i].text.strip() if i is not None and i < len(cells) else ""

            status = cell("status")
            done = fields.done_from_value(status) if status else None
            if done is None:
                done = fields.done_in_cells([c.text for c in cells])
            if done is None:
                done = title.done
            found: list[Reference] = []
            for i, c in enumerate(cells):
                if i != col.get("owner"):
                    found.extend(refs.references(c, keys=i == col.get("ref")))
            self._add(
                title=title,
                own=own,
                line=self.doc.line(row.start),
                text=self.doc.source(row.start, row.end),
                owner=(
                    fields.owner_from_value(cell("owner"))
                    if "owner" in col
                    else fields.owner_in_text(own)
                ),
                due=dates.due_from_value(cell("due")),
                priority=fields.priority_from_value(cell("priority")),
                type_=fields.type_from_value(cell("type")),
                done=done,
                found=found,
                ctx=ctx,
                parent=None,
            )

    def _add(
        self,
        *,
        title: titles.Title,
        own: Inline,
        line: int,
        text: str,
        owner: str | None,
        due: dates.Due | None,
        priority: str | None,
        type_: str | None,
        done: bool | None,
        found: list[Reference],
        ctx: sections.Context,
        parent: str | None,
    ) -> None:
        """Complete an item from its text and section, and record it."""
        if due is None:
            due = dates.due_in_text(own.text) or ctx.due
        if due is not None and due.date is None:
            self.warnings.append(f"line {line}: could not read a date from due {due.text!r}")
        spec = protection.recognise(own, repo=self.repo)
        if spec is None and protection.asks_without_branch(own):
            self.warnings.append(
                f"line {line}: reads like a branch-protection request but names no branch; "
                "kept as an issue"
            )
        if self.region is not None:
            self.region.count += 1
        self.items.append(
            ActionItem(
                title=title.text,
                line=line,
                text=text,
                owner=owner,
                due=due.date if due else None,
                due_text=due.text if due else None,
                priority=priority or title.priority or fields.priority_in_text(own.text),
                type=type_ or ctx.type,
                done=bool(done) if done is not None else ctx.done,
                references=tuple(refs.unique([*found, *ctx.references])),
                protection=spec,
                section=ctx.section,
                parent=parent,
            )
        )


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


def _front_matter(doc: Document, where: str) -> FrontMatter:
    block = doc.metadata
    if block is None:
        return FrontMatter()
    first_line = doc.line(block.start) + 1
    try:
        return read_front_matter(doc.metadata_text(), block.style, first_line)
    except FrontMatterError as exc:
        at = f"line {exc.line}: " if exc.line else ""
        raise InputError(f"{where}{at}{exc}") from exc


def parse(text: str, *, path: str | None = None, default_repo: str | None = None) -> PostMortem:
    """Read a post-mortem's text into a PostMortem; no I/O."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        # Same lines as the file, so line numbers still match it.
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    doc = Document(text)
    fm = _front_matter(doc, f"{path}: " if path else "")
    repo = fm.repo or default_repo
    reader = _Reader(doc, repo)
    reader.run()
    stem = PurePath(path).stem if path else None
    title = (
        fm.title
        or reader.title_h1
        or reader.title_heading
        or (stem.replace("-", " ").replace("_", " ").strip() if stem else None)
        or reader.first_h1
        or "Untitled post-mortem"
    )
    slug = slugify(fm.slug or "") or slugify(stem or "") or slugify(title) or "post-mortem"
    when = fm.date
    if when is None and stem and (m := _DATED_NAME.match(stem)):
        try:
            when = date.fromisoformat(m[1])
        except ValueError:
            when = None
    found = PostMortem(
        title=title,
        slug=slug,
        source=text,
        items=tuple(reader.items),
        path=path,
        date=when,
        status=fm.status,
        repo=repo,
        owners=fm.owners,
        metadata=fm.metadata,
        has_action_section=reader.found_section,
        warnings=(*fm.warnings, *reader.warnings),
    )
    # The document boundary (followup/text.py): every string made inert, the raw text kept.
    return clean_fields(found, keep=("source", "path"), source=text)


def read(path: Path, *, default_repo: str | None = None, max_bytes: int = 5_000_000) -> PostMortem:
    """Read a post-mortem file; refuse what is not a reasonably sized UTF-8 text file."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read it: {exc.strerror or exc}") from None
    if stat.S_ISDIR(info.st_mode):
        raise InputError(f"{path}: is a directory, not a post-mortem file")
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
    return parse(text, path=str(path), default_repo=default_repo)
