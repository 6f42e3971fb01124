"""Build action items from what the reader found: list entries, table rows, lines, headings."""

from __future__ import annotations

import dataclasses
import re
from datetime import date

from followup.postmortem import dates, fields, protection, refs, suggestions, tables, titles
from followup.postmortem.item_sentence import item_sentence
from followup.postmortem.markdown import Inline, ListItem, Source, Table
from followup.postmortem.model import ActionItem, Reference
from followup.postmortem.sections import Context
from followup.postmortem.wording import (
    about_document,
    advice,
    bare_name,
    completed,
    counterfactual,
    describes,
    gerund,
    hedged,
    no_work,
    not_new_work,
    nothing,
    order,
    placeholder,
    problem_note,
    proposal,
    reports_done,
    restates,
    work_like,
)

# "Action: ...", "Action point: ...", "AI: ...", "TODO: ...", "Follow-up: ...": an item
# wherever it is written; "Action planned: ..." too, and "Action taken: ..." for a measure
# already in place.
# "Remediation: ..." beside a cause's Impact and Outcome is the fix for that cause, open or
# done as its wording says, even inside the incident's own account.
_LABELLED = re.compile(
    r"^\s*(?:(?i:actions?(?:\s+(?:items?|points?|planned|(?P<taken>taken)))?|todo|to-?do"
    r"|follow[\s-]?ups?|next\s+steps?|(?P<fix>remediation))|AI)\s*[:：]\s*"
)
_LABEL_TRIGGER = re.compile(
    rb"(?i)\b(?:actions?(?:\s+(?:items?|points?|planned|taken))?|todo|to-?do|follow[\s-]?ups?|next\s+steps?"
    rb"|ai|remediation)\b\W{0,4}[:\xef]"
)
# Words without which the pattern cannot match: substring tests are far cheaper than it.
_LABEL_WORDS = (
    *(b"action", b"todo", b"to-do", b"follow", b"next step", b"ai:", b"ai*", b"ai :"),
    b"remediation",
)


def labelled_in(raw: bytes) -> bool:
    """Tell whether raw Markdown may hold an 'Action: ...' or 'TODO: ...' item."""
    low = raw.lower()
    return any(word in low for word in _LABEL_WORDS) and _LABEL_TRIGGER.search(raw) is not None


# A note closing a plain line: "(fixed by ...)", "(added ...)", "(filed <url>)".
STATUS_NOTE = re.compile(
    r"\(\s*(?P<word>fixed|added|done|completed?|resolved|implemented|shipped|merged|deployed"
    r"|landed|enabled|created|updated|removed|changed|moved|set\s+up|addressed|mitigated|filed"
    r"|tracked|opened|wip|in\s+progress|planned|ongoing)\b[^()]*(?:\([^()]*\)[^()]*)*\)\s*\.?\s*$",
    re.IGNORECASE,
)
_OPEN_NOTES = frozenset({"filed", "tracked", "opened", "wip", "in progress", "planned", "ongoing"})
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[A-Z0-9@])")
_TRACKING_NOTE = re.compile(
    r"^(?:tracked|tracking|follow\s+along|see|progress|all\s+of\s+these|these\s+are\s+tracked)\b",
    re.IGNORECASE,
)
_PAST_LABEL = re.compile(r"^[A-Za-z]+ed\b")
# A note on the item above it: "This has been done.", "It is now fixed."
_STATUS_SUBJECT = re.compile(r"^(?:this|that|it)\b", re.IGNORECASE)
# Last words of an entry left unfinished, its sentence going on in the entries below it.
_DANGLING = frozenset(
    {
        *("to", "for", "of", "and", "or", "will", "that", "with", "by", "as", "including"),
        *("on", "in", "into", "from", "about", "the", "a", "an"),
    }
)


def _dangling(text: str) -> bool:
    """Tell whether an entry stops mid-sentence: '... which will:', 'Add alerts for:'."""
    words = text[-40:].rstrip(" :").rsplit(None, 1)
    return bool(words) and words[-1].lower() in _DANGLING


# A nested entry that explains its parent ("This would have caught ...") is no sub-item.
_EXPLAINS = re.compile(
    r"^\s*(?:this|that|it|these|those|because|since|as|so|e\.g\.|eg|i\.e\.|for\s+example"
    r"|for\s+instance|note|nb|currently|today|context|why|background|rationale|reason)\b",
    re.IGNORECASE,
)


def first_sentence_text(text: str) -> str:
    """Return the first sentence of a paragraph."""
    s, e = first_sentence(text)
    return text[s:e]


def first_sentence(text: str) -> tuple[int, int]:
    """Return the span of the first sentence of a paragraph."""
    m = SENTENCE_END.search(text)
    return (0, m.start()) if m else (0, len(text))


class Collector:
    """Turn each format the reader finds into ActionItems, filling what the text says."""

    def __init__(self, src: Source, repo: str | None, anchor: date | None) -> None:
        self.src = src
        self.repo = repo
        self.anchor = anchor
        self.items: list[ActionItem] = []
        self.warnings: list[str] = []

    # -- lists and tables ------------------------------------------------------------

    def list_items(self, roots: list[ListItem], ctx: Context, parent: str | None = None) -> int:
        """Add a list's items, their details, references and sub-items; return how many."""
        before = len(self.items)
        # Depth first, in document order, without recursion: lists can nest deeply.
        stack: list[tuple[ListItem, str | None, bool]] = [
            (li, parent, parent is not None) for li in reversed(roots)
        ]
        while stack:
            li, above, under_heading = stack.pop()
            title, subitems = self._list_item(li, above, ctx, under_heading=under_heading)
            for child in reversed(subitems):
                stack.append((child, title or above, False))
        return len(self.items) - before

    def _list_item(
        self, li: ListItem, parent: str | None, ctx: Context, *, under_heading: bool = False
    ) -> tuple[str | None, list[ListItem]]:
        own = li.inline
        title = titles.clean(own)
        details: dict[str, str] = {}
        extra: list[Reference] = []
        subitems: list[ListItem] = []
        # "... which will:" / "Add alerts for:": entries below finish its sentence, no items.
        dangling = bool(li.children) and _dangling(own.text)
        # A checklist entry's own checklist entries are its sub-tasks, whatever their words.
        tasks = li.checked is not None
        described = _describes_label(li)
        for child in li.children:
            pair = fields.detail(child.inline.text)
            if pair is not None:
                details.setdefault(pair[0], pair[1])
                if pair[0] == "ref":
                    extra.extend(refs.references(child.inline, keys=True))
            elif refs.is_reference_only(child.inline):
                extra.extend(refs.references(child.inline))
            elif (tasks and child.checked is not None) or (
                not dangling and not described and _sub_item(child.inline.text)
            ):
                subitems.append(child)
        if len(subitems) >= 2:
            # "Development", "Intranet", "Production": names detailing the entry, no work.
            names = [
                c
                for c in subitems
                if not (tasks and c.checked is not None) and _name_like(titles.clean(c.inline).text)
            ]
            if len(names) * 2 >= len(subitems):
                subitems = [c for c in subitems if c not in names and work_like(c.inline.text)]
        if not title.text or placeholder(title.text) or about_document(title.text):
            return None, subitems
        if no_work(own.text):
            return None, []  # a rule of thumb for readers, a remark, an idea: not work
        if _search_only(own):
            return None, subitems  # "[Open follow-ups](.../issues?q=...)": where they live
        if under_heading and parent is not None and restates(parent, title.text):
            return None, subitems  # the heading that is the item said it already
        for key, value in fields.inline_pairs(own.text):
            details.setdefault(key, value)
        done = li.checked
        if done is None:
            done = title.done
        if done is None and "status" in details:
            done = fields.done_from_value(details["status"])
        if done is None:
            done = fields.done_in_cells([own.text])
        if done is None and _struck(own):
            done = True
        if done is None and _reports_done(title.text):
            done = True
        # The item's own lines and details; its sub-items have their own text.
        own_end = subitems[0].start if subitems else li.end
        self.add(
            title=title,
            own=own,
            line=self.src.line(li.start),
            text=self.src.source(li.start, own_end),
            owner=(
                fields.owner_from_value(details["owner"])
                if "owner" in details
                else title.owner or fields.owner_in_text(own)
            ),
            due=dates.due_from_value(details["due"], self.anchor) if "due" in details else None,
            priority=fields.priority_from_value(details.get("priority", "")),
            type_=fields.type_from_value(details.get("type", "")) or title.type,
            done=done,
            found=[*refs.references(own), *extra],
            ctx=ctx,
            parent=parent,
        )
        return title.text, subitems

    def table(self, table: Table, ctx: Context) -> int:
        """Add the rows of an action-items table, reading each column by its header."""
        heads = [cell.text for cell in table.head]
        columns = tables.roles(heads)
        if "title" not in columns:
            if None not in columns:
                return 0
            columns[columns.index(None)] = "title"
        col = {role: i for i, role in enumerate(columns) if role is not None}
        before = len(self.items)
        for row in table.rows:
            cells = row.cells
            if len(cells) <= col["title"]:
                continue
            own = cells[col["title"]]
            title = titles.clean(own)
            if not title.text or placeholder(title.text):
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
            self.add(
                title=title,
                own=own,
                line=self.src.line(row.start),
                text=self.src.source(row.start, row.end),
                owner=(
                    fields.owner_from_value(cell("owner"))
                    if "owner" in col
                    else title.owner or fields.owner_in_text(own)
                ),
                due=dates.due_from_value(cell("due"), self.anchor),
                priority=fields.priority_from_value(cell("priority")),
                type_=fields.type_from_value(cell("type")) or title.type,
                done=done,
                found=found,
                ctx=ctx,
                parent=None,
            )
        return len(self.items) - before

    # -- lines, headings and labels ---------------------------------------------------

    def plain_line(
        self, inline: Inline, start: int, end: int, ctx: Context, *, intro: bool = False
    ) -> bool:
        """Add a paragraph written as an item under an action heading; False if it is none.

        With intro, the paragraph introduces a list that only details it ('We set criteria
        for X:'), so its closing ':' does not make it a mere lead-in.
        """
        text = inline.text.strip()
        if (
            not text
            or (text.endswith(":") and not intro)
            or nothing(text)
            or about_document(text)
            or _prompt(inline)
            or _tracking_note(inline)
        ):
            return False
        note = STATUS_NOTE.search(text)
        if hedged(text) and note is None and not inline.links and not proposal(text):
            return False  # an idea floated and weighed, not a commitment
        if advice(text) or counterfactual(first_sentence_text(text)) or not_new_work(text):
            return False  # a tip for readers, what would have happened, nothing new
        if note is None and not inline.links and problem_note(text):
            return False  # names the trouble ("AZ problems"), not what to do about it
        s, e = item_sentence(inline.text)
        own = inline.cut(s, e)
        title = titles.clean(own)
        if not title.text or placeholder(title.text):
            return False
        done: bool | None = title.done
        if note is not None:
            done = " ".join(note["word"].lower().split()) not in _OPEN_NOTES
        elif done is None and _reports_done(title.text):
            done = True
        self.add(
            title=title,
            own=own,
            line=self.src.line(start),
            text=self.src.source(start, end),
            owner=title.owner or fields.owner_in_text(inline),
            due=None,
            priority=None,
            type_=title.type,
            done=done,
            found=refs.references(inline),
            ctx=ctx,
            parent=None,
            full=inline,
        )
        return True

    def heading_item(
        self, heading: Inline, start: int, end: int, body: list[Inline], ctx: Context
    ) -> str | None:
        """Add a subheading that is itself the item ('### 2. Add an alert (@kim) [detect]').

        Return its title, or None when it is no item.
        """
        title = titles.clean(heading)
        if not title.text or placeholder(title.text):
            return None
        details: dict[str, str] = {}
        for part in body:
            pair = fields.detail(part.text)
            if pair is not None:
                details.setdefault(*pair)
            for key, value in fields.inline_pairs(part.text):
                details.setdefault(key, value)
        done = title.done
        if done is None and "status" in details:
            done = fields.done_from_value(details["status"])
        found = [*refs.references(heading)]
        for part in body:
            found.extend(refs.references(part))
        self.add(
            title=title,
            own=heading,
            line=self.src.line(start),
            text=self.src.source(start, end),
            owner=(
                fields.owner_from_value(details["owner"])
                if "owner" in details
                else title.owner or fields.owner_in_text(heading)
            ),
            due=dates.due_from_value(details["due"], self.anchor) if "due" in details else None,
            priority=fields.priority_from_value(details.get("priority", "")),
            type_=fields.type_from_value(details.get("type", "")) or title.type,
            done=done,
            found=found,
            ctx=ctx,
            parent=None,
        )
        return title.text

    def labelled(
        self, inline: Inline, start: int, end: int, ctx: Context, *, taken: bool = True
    ) -> bool:
        """Add an 'Action: ...' / 'TODO: ...' paragraph or entry; False if it is not one.

        'Action taken: ...' is a measure in place (done), except where taken is False: in the
        incident's own account, where it is the response.
        """
        m = _LABELLED.match(inline.text)
        if m is None or m.end() >= len(inline.text):
            return False
        done = m["taken"] is not None
        if done and not taken:
            return False
        own = inline.cut(m.end(), len(inline.text))
        text = own.text.strip()
        if nothing(text) or about_document(text):
            return False
        if m["fix"] is not None:
            done = reports_done(text)
            if done and not taken and not suggestions.looks_ahead(text):
                return False  # in the incident's account a fix made is the response
        elif not done and (completed(text) or _PAST_LABEL.match(text)):
            return False
        title = titles.clean(own)
        if not title.text or placeholder(title.text):
            return False
        self.add(
            title=title,
            own=own,
            line=self.src.line(start),
            text=self.src.source(start, end),
            owner=title.owner or fields.owner_in_text(own),
            due=None,
            priority=None,
            type_=title.type,
            done=True if done else title.done,
            found=refs.references(own),
            ctx=ctx,
            parent=None,
        )
        return True

    def status_note(self, roots: list[ListItem]) -> bool:
        """Mark the last item done when the one entry below it says so ('This has been done')."""
        if len(roots) != 1 or roots[0].children or not self.items:
            return False
        text = roots[0].inline.text.strip()
        if _STATUS_SUBJECT.match(text) is None or not completed(first_sentence_text(text)):
            return False
        self.items[-1] = dataclasses.replace(self.items[-1], done=True)
        return True

    def suggestions(
        self,
        inline: Inline,
        start: int,
        end: int,
        section: str | None,
        *,
        looking_back: bool = False,
    ) -> int:
        """Add each sentence that commits to work as a suggested item; return how many."""
        count = 0
        for found in suggestions.commitments(inline.text, looking_back=looking_back):
            piece = inline.cut(found.start, found.end)
            due = dates.due_in_text(piece.text, self.anchor)
            spec = protection.recognise(piece, repo=self.repo)
            self.items.append(
                ActionItem(
                    title=found.title,
                    line=self.src.line(start),
                    text=piece.text.strip(),
                    owner=found.owner or fields.owner_in_text(piece),
                    due=due.date if due else None,
                    due_text=due.text if due else None,
                    priority=fields.priority_in_text(piece.text),
                    references=tuple(refs.references(piece)),
                    protection=spec,
                    section=section,
                    suggested=True,
                    due_approximate=bool(due and due.approximate),
                )
            )
            count += 1
        return count

    # -- the one place items are made -----------------------------------------------

    def add(
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
        ctx: Context,
        parent: str | None,
        full: Inline | None = None,
    ) -> None:
        """Complete an item from its text and section, and record it."""
        if due is None:
            due = dates.due_in_text(own.text, self.anchor) or ctx.due
        if due is not None and due.date is None and not due.approximate:
            self.warnings.append(f"line {line}: could not read a date from due {due.text!r}")
        # Protection is read from the title's span: a trailing "— @priya, P2" is no branch.
        span = own.cut(title.start, title.end) if title.end > title.start else own
        spec = protection.recognise(span, repo=self.repo)
        if spec is None and protection.asks_without_branch(span):
            self.warnings.append(
                f"line {line}: reads like a branch-protection request but names no branch; "
                "kept as an issue"
            )
        self.items.append(
            ActionItem(
                title=title.text,
                line=line,
                text=text,
                owner=owner or ctx.owner,
                due=due.date if due else None,
                due_text=due.text if due else None,
                priority=priority or title.priority or fields.priority_in_text((full or own).text),
                type=type_ or ctx.type,
                done=bool(done) if done is not None else ctx.done,
                references=tuple(refs.unique([*found, *ctx.references])),
                protection=spec,
                section=ctx.section,
                parent=parent,
                due_approximate=bool(due and due.approximate),
            )
        )


def label_only(inline: Inline) -> bool:
    """Tell whether an entry is a bold label and nothing else: '1. **Bug bounty**'."""
    text = inline.text.rstrip().rstrip(":").rstrip()
    return bool(text) and bool(inline.strong) and inline.strong[0] == (0, len(text))


def labels_work(li: ListItem) -> bool:
    """Tell whether a bold label names work its nested entry describes.

    '1. **Simulator load handling**' over '- Conducting stress tests ...' or '- We will
    establish ...': the label is the item, the entry below says what it means.
    """
    if not li.children or not label_only(li.inline):
        return False
    text = first_sentence_text(li.children[0].inline.text.strip())
    # An order below a label is a sub-task of a group; work going on or promised describes.
    return gerund(text) or suggestions.commitment(text) is not None


def _describes_label(li: ListItem) -> bool:
    """Tell whether an entry's one nested entry describes it rather than being a sub-task."""
    return len(li.children) == 1 and li.checked is None and labels_work(li)


# A name before the order it labels: "Full comms: Ensure that ...".
_NAMED = re.compile(r"^[^:.!?]{1,40}:\s+")


def _reports_done(text: str) -> bool:
    """Tell whether an item's title reports its work done; an order never does.

    "Ensure users have been told in advance" asks for work, whatever tense its clause has.
    """
    if not completed(text):
        return False
    m = _NAMED.match(text)
    return not order(text[m.end() :] if m is not None else text)


def _name_like(text: str) -> bool:
    """Tell whether an entry is a name, not a task: one word ('Staging'), or two, no verb."""
    words = text.split()
    return len(words) == 1 or bare_name(text)


def _sub_item(text: str) -> bool:
    """Tell whether a nested entry is work of its own, not a note or detail on its parent."""
    return not (
        _EXPLAINS.match(text) or text.rstrip().endswith("?") or advice(text) or describes(text)
    )


def _struck(inline: Inline) -> bool:
    """Tell whether all of an item's text is struck through (~~done~~)."""
    text = inline.text
    if not inline.struck or not text.strip():
        return False
    covered = sum(e - s for s, e in inline.struck)
    return covered >= len(text.strip())


def _prompt(inline: Inline) -> bool:
    """Tell whether a paragraph is a template's italic prompt ('*List any tasks ...*')."""
    text = inline.text
    if not inline.emphasis or not text.strip():
        return False
    covered = sum(e - s for s, e in inline.emphasis)
    return covered >= len(text.strip())


def _search_only(inline: Inline) -> bool:
    """Tell whether an entry is one link to a tracker search and nothing else."""
    text = inline.text.strip()
    if text.startswith("http") and " " not in text:
        return refs.search_link(text)
    links = inline.links
    if len(links) != 1 or not refs.search_link(links[0].url):
        return False
    whole = inline.text
    return not (whole[: links[0].start].strip() or whole[links[0].end :].strip(" .:"))


def _tracking_note(inline: Inline) -> bool:
    """Tell whether a paragraph only points at where the items are tracked."""
    if not inline.links and "http" not in inline.text:
        return False
    if _search_only(inline):
        return True  # "https://.../issues?q=label:incident-42": the items are there
    text = inline.text.strip()
    return (refs.is_reference_only(inline) and not text.startswith("http")) or bool(
        _TRACKING_NOTE.match(text) and len(text) < 160
    )
