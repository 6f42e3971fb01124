"""Walk a document's outline, reading closely only the sections that can hold items."""

from __future__ import annotations

from followup.postmortem import dates, leadins, sections, suggestions, tables
from followup.postmortem.collect import Collector, labelled_in
from followup.postmortem.fields import TYPES
from followup.postmortem.markdown import Inline, ListItem, Source
from followup.postmortem.outline import Blocks, Outline, Resolver, Section
from followup.postmortem.regions import LABEL_LEVEL, Region, item_subtrees, read_list, title_index
from followup.postmortem.shapes import (
    STRONG,
    HeadingItems,
    account,
    action_label_in,
    bare_label,
    bare_link,
    bold_label,
    disowns,
    guide,
    heading_evidence,
    item_lines,
    label_intent,
    label_shaped,
    line_item,
    list_label_in,
    named_actions,
    not_items,
    order_after_items,
    orders,
    quoting,
    story_heading,
)

_NO_SECTION = (
    "no action-items section found (looked for a heading or bold label such as 'Action Items', "
    "'Corrective actions', 'Follow-ups', 'Remediation' or 'Next steps')"
)


class Walker:
    """Walk a document's outline once, reading closely only the sections that matter."""

    def __init__(self, src: Source, outline: Outline, collector: Collector) -> None:
        self.src = src
        self.outline = outline
        self.found = collector
        self.resolve = Resolver(src)
        self.warnings: list[str] = []
        self.region: Region | None = None
        self.found_section = False
        self.other_level: int | None = None  # level of the lessons/summary-like section we are in
        self.past_level: int | None = None  # level of a section telling the past (no promises)
        self.story_level: int | None = None  # level of a section recounting the incident itself
        self._looking_back = False  # the section scanned looks back: only promises looking ahead
        # Under a label alone on its line ("**Action taken:**"), its first paragraph is the item.
        self._lead: tuple[Inline, int, int] | None = None
        self._leads = False  # paragraphs under the open label may still be items
        self.title_index = title_index(outline.sections)
        self._subtrees: list[bool] | None = None
        self._heading_items: HeadingItems | None = None

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
        if role is sections.Role.NEUTRAL and named_actions(text):
            role = sections.Role.ACTION  # "Review actions": the actions the review agreed
        if i == self.title_index and not (
            role is sections.Role.ACTION
            and sections.plainly_action(text)
            and sec.first in ("list", "table")
        ):
            role = sections.Role.NEUTRAL  # the document's title, whatever its words
        region = self.region
        if region is not None and level > region.level:
            if leaf and self._heading_item_at(i):
                # The heading is the item: it says nothing about the items around it.
                region.sub(level, sections.Context())
                ctx = region.context()
                if ctx is not None:
                    self._heading_item(sec, ctx)
                return
            sub = sections.subheading(sec.heading, self.found.anchor)
            if guide(self.src.data, sec):
                sub.skip = True  # steps for readers to follow, not the team's work
            region.sub(level, sub)
            ctx = region.context()
            if ctx is None:
                self._scan(sec, past=True)
            else:
                # Under "Short term" or "Detection" lines are items; under a topic, prose.
                grouped = sub.section is not None or sub.type in TYPES or sub.done
                self._read_scope(sec, ctx, leaf, direct=grouped)
            return
        if region is not None:
            self._close()
        if self.other_level is not None and level <= self.other_level:
            self.other_level = None
        if self.past_level is not None and level <= self.past_level:
            self.past_level = None
        if self.story_level is not None and level <= self.story_level:
            self.story_level = None
        if self.story_level is None and story_heading(text):
            self.story_level = level
        opens = role is sections.Role.ACTION and (
            self.other_level is None or sections.plainly_action(text)
        )
        weak = role is sections.Role.WEAK and self.other_level is None and self._holds_items(i)
        if opens or weak:
            self._open(level, self.src.line(sec.start), sec.heading, strong=opens)
            ctx = self.region.context() if self.region else None
            if ctx is not None:
                self._read_scope(sec, ctx, leaf, direct=True)
            return
        if role is sections.Role.OTHER and self.other_level is None:
            self.other_level = level
        if self.past_level is None and sections.tells_the_past(text):
            self.past_level = level
        # "Further mitigations" under a root cause looks ahead again: its promises count.
        past = self.past_level is not None
        if past and role in (sections.Role.ACTION, sections.Role.WEAK):
            past = story_heading(text)
        self._scan(sec, past=past)

    def _heading_item_at(self, i: int) -> bool:
        """Tell whether subheading i of an action section is an item itself."""
        if self._heading_items is None:
            self._heading_items = HeadingItems(self.outline.sections)
        return self._heading_items(i)

    def _holds_items(self, i: int) -> bool:
        """Tell whether section i or a subsection holds lists, tables or item headings."""
        if self._subtrees is None:  # only sections named by intent ask, so work it out late
            self._subtrees = item_subtrees(self.outline.sections)
        return self._subtrees[i]

    def _open(self, level: int, line: int, inline: Inline, *, strong: bool) -> None:
        """Start an action-items section headed by the given heading or label."""
        self.found_section = True
        ctx = sections.region_context(inline, self.found.anchor)
        self.region = Region(level, line, inline.text.strip(), ctx, strong)

    def _close(self) -> None:
        """End the current action-items section, warning if it held no items."""
        region = self.region
        if region is not None and region.count == 0 and not region.recounts:
            self.warnings.append(
                f"line {region.line}: action-items section {region.name!r} has no list or "
                "table items"
            )
        self.region = None

    # -- an action section's own content ---------------------------------------------

    def _read_scope(self, sec: Section, ctx: sections.Context, leaf: bool, *, direct: bool) -> None:
        """Read the lists, tables and lines under one heading of an action section.

        Paragraphs are items only right under the section's heading or a group of it
        (direct): under a topic subheading they tell the story, and only promises count.
        """
        region = self.region
        assert region is not None
        blocks = Blocks(self.src, sec.body, sec.end, self.resolve)
        lines: list[tuple[Inline, int, int, sections.Context]] = []
        notes: list[Inline] = []
        had_items = False
        after: set[int] = set()  # paragraphs that follow the section's items
        fresh = True  # nothing but notes since the heading
        intro: Inline | None = None  # the paragraph just before, when a list follows it
        quoted = False
        for kind, start, end in blocks:
            if kind == "html":
                quoted = quoting(blocks.html(), quoted)
                continue
            if quoted or kind not in ("paragraph", "list", "table"):
                intro = None
                continue
            if kind == "paragraph":
                inline = blocks.paragraph()
                label, alone = bold_label(inline)
                if label is not None and alone and inline.strong:
                    # "**Long term:**" alone on its line works as a subheading of the section.
                    links = tuple(lk for lk in inline.links if lk.end <= len(label))
                    sub = sections.subheading(Inline(label, links), self.found.anchor)
                    region.sub(LABEL_LEVEL, sub)
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
                if had_items:
                    after.add(start)
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
                if not region.strong and account(roots):
                    region.recounts = True  # "Mitigations" telling what was done
                    intro = None
                    continue
                if not_items(roots, intro):
                    intro = None
                    continue
                added = read_list(self.found, roots, ctx, taken=self.story_level is None)
            else:
                added = self.found.table(blocks.table(), ctx)
            region.count += added
            had_items = had_items or added > 0
            fresh, intro = False, None
        paragraphs = [ln[0] for ln in lines]
        as_lines = not had_items and leaf and region.strong and item_lines(paragraphs)
        # Under a topic, lines are items only when every one is an order ("Add an index.").
        direct = direct or (as_lines and orders(paragraphs))
        for inline, start, end, line_ctx in lines:
            if (
                as_lines
                and (direct or bare_link(inline))
                and self.found.plain_line(inline, start, end, line_ctx)
            ):
                region.count += 1
            elif (
                start in after
                and order_after_items(inline)
                and self.found.plain_line(inline, start, end, line_ctx)
            ):
                region.count += 1  # "Add these to the runbook, and link it ...": one more
            elif self.past_level is None and not (as_lines and direct):
                self.found.suggestions(inline, start, end, sec.text or None)

    def _heading_item(self, sec: Section, ctx: sections.Context) -> None:
        """Read a subheading that is an item itself, with the lines under it as its body.

        Lists under it are its sub-items. Under a goal ('SSH keys should give minimal
        access') sentences promising work say how it is met: suggestions. Under a numbered or
        tagged item the body only describes that item.
        """
        region = self.region
        assert region is not None
        body: list[tuple[Inline, int, int]] = []
        lists: list[list[ListItem]] = []
        blocks = Blocks(self.src, sec.body, sec.end, self.resolve)
        intro: Inline | None = None
        for kind, start, end in blocks:
            if kind == "paragraph":
                intro = blocks.paragraph()
                body.append((intro, start, end))
            elif kind == "list":
                roots = blocks.items()
                if not not_items(roots, intro):
                    lists.append(roots)
                intro = None
            else:
                intro = None
        title = self.found.heading_item(sec.heading, sec.start, sec.end, [b[0] for b in body], ctx)
        if title is None:
            return
        region.count += 1
        for roots in lists:
            region.count += self.found.list_items(roots, ctx, parent=title)
        if self.past_level is None and heading_evidence(sec.heading) < STRONG:
            for inline, start, end in body:
                self.found.suggestions(inline, start, end, sec.text or None)

    # -- everything else: labels, labelled items, action tables and promises ------------

    def _scan(self, sec: Section, *, past: bool) -> None:
        """Look through a section that is no action section for what still counts."""
        raw = self.src.data[sec.body : sec.end]
        plain_other = self.other_level is not None
        taken = self.story_level is None
        opens_region = action_label_in(raw, plainly=plain_other, taken=taken)
        action_tables = sec.action_tables and not plain_other
        labels = labelled_in(raw)
        # Lessons look back, yet "Going forward we'll ..." there is a promise; the incident's
        # own account (timeline, resolution, impact) holds none.
        self._looking_back = past and self.story_level is None
        promises = (not past or self._looking_back) and suggestions.promised_in(
            raw, looking_back=self._looking_back
        )
        entries = (b"**" in raw or b"__" in raw) and list_label_in(raw, plainly=plain_other)
        leads = leadins.in_raw(raw)
        leads_in = b" following" in raw and b":" in raw
        # Under "Lessons learned and action items" the task list is the actions' part.
        tasks = plain_other and b"[" in raw and sections.mixed(sec.text)
        if not (
            opens_region
            or action_tables
            or labels
            or promises
            or entries
            or leads
            or leads_in
            or tasks
        ):
            return
        announced: Inline | None = None  # "... and we opened follow-up items:", a list to come
        data = self.src.data
        name = sec.text or None
        blocks = Blocks(self.src, sec.body, sec.end, self.resolve)
        quoted = False
        team_lead: sections.Context | None = None  # "The SRE team will do the following:"
        labelled_last = False  # the block before was an "Action: ..." item
        for kind, start, end in blocks:
            if kind == "html":
                quoted = quoting(blocks.html(), quoted)
                continue
            if quoted:
                continue
            lead = self._lead
            if lead is not None and kind != "list":
                self._lead_line(name)
            region = self.region
            if announced is not None and region is None and kind in ("list", "table"):
                added = leadins.read_after(
                    blocks,
                    kind,
                    announced,
                    self.found,
                    lambda roots, ctx: read_list(self.found, roots, ctx, taken=taken),
                )
                self.found_section, announced = self.found_section or added > 0, None
                continue
            if team_lead is not None and kind == "list" and region is None:
                self._lead_in_list(blocks.items(), team_lead)
                team_lead = None
                continue
            team_lead = announced = None
            if labelled_last and kind == "list" and self.found.status_note(blocks.items()):
                continue  # "Action point: X" over "- This has been done."
            labelled_last = False
            if leads_in and kind == "paragraph" and region is None:
                team_lead = self._lead_in(blocks, data[start:end])
                if team_lead is not None:
                    continue
            if leads and kind == "paragraph":
                announced = leadins.lead_in(data, start, end)
            if kind == "paragraph":
                if opens_region and label_shaped(data, start, end):
                    inline = blocks.paragraph()
                    if self.label(inline, start, plainly=plain_other, taken=taken):
                        continue
                    region = self.region  # "**Action planned:** We will ...": its own region
                else:
                    chunk = data[start:end]
                    hit = (labels and labelled_in(chunk)) or (
                        promises and suggestions.promised_in(chunk, looking_back=self._looking_back)
                    )
                    if not hit and region is None:
                        continue
                    inline = blocks.paragraph()
                ctx = region.context() if region is not None else sections.Context()
                if ctx is None:
                    continue
                if self.found.labelled(inline, start, end, ctx, taken=taken):
                    if region is not None:
                        region.count += 1
                    self._leads = False
                    labelled_last = True
                    continue
                if self._leads and region is not None:
                    # The label's own paragraph, or one more order under it: decided once
                    # it is known whether a list follows that the paragraph introduces.
                    if region.count == 0 or line_item(inline.text):
                        self._lead = (inline, start, end)
                        continue
                    self._leads = False
                if region is not None and region.count == 0:
                    region.innermost().references.extend(sections.tracking_refs(inline))
                if promises:
                    self.found.suggestions(
                        inline, start, end, name, looking_back=self._looking_back
                    )
            elif kind == "list":
                self._lead = None
                self._leads = False
                if region is not None:
                    ctx = region.context()
                    roots = blocks.items()
                    intro = lead[0] if lead is not None else None
                    if ctx is None:
                        continue
                    # The label announced work: only an intro disowning the list says otherwise.
                    if not (
                        not_items(roots, None)
                        or (intro is not None and disowns(intro.text.strip(), roots))
                    ):
                        if intro is not None and region.count == 0:
                            # "Tracked in <epic>." between the label and its list: shared.
                            region.innermost().references.extend(sections.tracking_refs(intro))
                            ctx = region.context() or ctx
                        region.count += read_list(
                            self.found, roots, ctx, taken=self.story_level is None
                        )
                    elif lead is not None:
                        # "We've set criteria for X:" and the criteria: the paragraph is the
                        # item, the list only says what it holds.
                        region.count += self.found.plain_line(*lead, ctx, intro=True)
                    continue
                chunk = data[start:end]
                labelled = (labels and labelled_in(chunk)) or (
                    promises and suggestions.promised_in(chunk, looking_back=self._looking_back)
                )
                named = entries and list_label_in(chunk, plainly=plain_other)
                if tasks and b"[" in chunk:
                    roots = self._tasks(blocks.items())
                    if labelled and roots:
                        self._scan_list(roots, promises=promises, section=name)
                elif labelled or named:
                    roots = blocks.items()
                    if named:
                        roots = self._label_entries(roots, plainly=plain_other)
                    if labelled:
                        self._scan_list(roots, promises=promises, section=name)
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
        if self._lead is not None:
            self._lead_line(name)
        self._leads = False
        if self.region is not None and self.region.level == LABEL_LEVEL:
            self._close()

    def _lead_in(self, blocks: Blocks, chunk: bytes) -> sections.Context | None:
        """Read a paragraph committing a team to the list after it: who, and by when."""
        if b" following" not in chunk or not chunk.rstrip().endswith(b":"):
            return None
        text = blocks.paragraph().text.strip()
        found = suggestions.announced(text)
        if found is None:
            return None
        due = dates.due_of_lead_in(text, self.found.anchor)
        return sections.Context(owner=found[0], due=due)

    def _lead_in_list(self, roots: list[ListItem], ctx: sections.Context) -> None:
        """Take the entries a team committed to in the lead-in above them as its items."""
        self.found_section = True
        if not not_items(roots, None):
            read_list(self.found, roots, ctx, taken=self.story_level is None)

    def _tasks(self, roots: list[ListItem]) -> list[ListItem]:
        """Take a list's task entries ('- [ ] ...') as items; return the other entries."""
        tasks = [li for li in roots if li.checked is not None]
        if tasks and not not_items(tasks, None):
            self.found_section = True
            read_list(self.found, tasks, sections.Context(), taken=self.story_level is None)
        return [li for li in roots if li.checked is None]

    def _lead_line(self, section: str | None) -> None:
        """Take the paragraph held under a label as an item, now that no list follows it."""
        lead = self._lead
        region = self.region
        self._lead = None
        if lead is None or region is None:
            return
        ctx = region.context()
        inline, start, end = lead
        if ctx is not None and item_lines([inline]) and self.found.plain_line(*lead, ctx):
            region.count += 1
        elif self.past_level is None:
            self.found.suggestions(inline, start, end, section)

    def label(self, inline: Inline, start: int, *, plainly: bool, taken: bool = True) -> bool:
        """Handle a bold or 'Name:' label; True when it worked as a heading."""
        label, alone = bold_label(inline)
        if label is None:
            text = inline.text.strip()
            if bare_label(text):
                label, alone = text, True  # "Action Items" alone on its line, a list below
            elif not text.endswith(":"):
                return False
            else:
                label, alone = text[:-1].strip(), True
        done = label_intent(label, plainly=plainly, taken=taken)
        region = self.region
        if region is not None:
            if done is not None and region.level != LABEL_LEVEL:
                return alone  # a label inside an action section's heading: its items go on
            if done is not None or sections.role(label) is sections.Role.OTHER or inline.strong:
                self._close()
        if done is not None:
            self._open(LABEL_LEVEL, self.src.line(start), inline, strong=True)
            if done and self.region is not None:
                self.region.base.done = True
            self._leads = alone
            return alone
        return False

    def _label_entries(self, roots: list[ListItem], *, plainly: bool) -> list[ListItem]:
        """Read the entries nested under list entries that label them as actions.

        '- **Review actions**:' with the actions nested below it works as a heading does;
        return the entries that are no such label, for the rest of the scan.
        """
        rest: list[ListItem] = []
        for li in roots:
            label, alone = bold_label(li.inline)
            done = None
            if label is not None and alone and li.children:
                done = label_intent(label, plainly=plainly, taken=False)
            if done is None:
                rest.append(li)
                continue
            self.found_section = True
            ctx = sections.region_context(li.inline, self.found.anchor)
            if not not_items(li.children, None):
                added = self.found.list_items(li.children, ctx)
                if added == 0:
                    self.warnings.append(
                        f"line {self.src.line(li.start)}: action-items entry {label!r} has no "
                        "items under it"
                    )
        return rest

    def _scan_list(self, roots: list[ListItem], *, promises: bool, section: str | None) -> None:
        """Find labelled items and promises among a list's entries, at any depth."""
        ctx = sections.Context()
        stack = list(reversed(roots))
        while stack:
            li = stack.pop()
            if not self.found.labelled(li.inline, li.start, li.end, ctx) and promises:
                self.found.suggestions(
                    li.inline, li.start, li.end, section, looking_back=self._looking_back
                )
            stack.extend(reversed(li.children))
