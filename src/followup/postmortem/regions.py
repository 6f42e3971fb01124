"""An action-items section being read: its subheadings' context, and its lists' groups."""

from __future__ import annotations

from datetime import date

from followup.postmortem import sections
from followup.postmortem.collect import Collector
from followup.postmortem.fields import TYPES
from followup.postmortem.markdown import Inline, ListItem
from followup.postmortem.outline import Section
from followup.postmortem.shapes import bold_label, item_heading, label_intent, not_items

# A bold label heads its own little section; any heading ends it.
LABEL_LEVEL = 7
# A group whose label says its entries are no items ("- **Notes**:").
SKIP = sections.Context(skip=True)


class Region:
    """An action-items section being read, and the subheadings open inside it."""

    __slots__ = ("base", "count", "level", "line", "name", "recounts", "strong", "subs")

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
        self.recounts = False  # it held lists of measures already taken

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
            owner=self.base.owner,
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


def read_list(
    found: Collector, roots: list[ListItem], ctx: sections.Context, *, taken: bool
) -> int:
    """Add an action list's items; an entry only labelling those under it is no item.

    '- **Short term:**' or '- **Review actions**:' with entries nested below groups them
    as a subheading would; '- **Notes**:' and the like hold no items.
    """
    added = 0
    plain: list[ListItem] = []
    for li in roots:
        group = (
            _group(li, ctx, found.anchor, taken=taken) if li.children and li.inline.strong else None
        )
        if group is None:
            plain.append(li)
            continue
        if plain:
            added += found.list_items(plain, ctx)
            plain = []
        if group is not SKIP and not not_items(li.children, None):
            added += found.list_items(li.children, group)
    if plain:
        added += found.list_items(plain, ctx)
    return added


def _group(
    li: ListItem, ctx: sections.Context, anchor: date | None, *, taken: bool
) -> sections.Context | None:
    """Return the context an entry that only labels a group gives it, else None."""
    label, alone = bold_label(li.inline)
    if label is None or not alone or li.checked is not None:
        return None
    sub = sections.subheading(Inline(label), anchor)
    intent = label_intent(label, plainly=False, taken=taken)
    if intent is None and not (sub.section or sub.type in TYPES or sub.done or sub.skip):
        return None  # "- **Migrate the database**" over its steps: an item
    if sub.skip and intent is None:
        return SKIP
    return sections.Context(
        section=sub.section or ctx.section,
        type=sub.type if sub.type in TYPES else ctx.type,
        done=ctx.done or sub.done or bool(intent),
        due=sub.due or ctx.due,
        references=[*ctx.references, *sub.references],
    )


def title_index(secs: list[Section]) -> int | None:
    """Return the index of the heading that titles the document: a level-1 heading on top."""
    if len(secs) < 2 or secs[1].level != 1 or secs[0].first:
        return None
    return 1


def item_subtrees(secs: list[Section]) -> list[bool]:
    """For each section, tell whether it or a subsection holds lists, tables or item headings."""
    out = [False] * len(secs)
    # Walk backwards keeping, per level, whether anything below holds items.
    below: list[tuple[int, bool]] = []
    for i in range(len(secs) - 1, -1, -1):
        sec = secs[i]
        holds = sec.holds_items or (sec.level > 1 and item_heading(sec.heading))
        while below and below[-1][0] > sec.level:
            deeper = below.pop()[1]
            holds = holds or deeper
        out[i] = holds
        below.append((sec.level, holds))
    return out
