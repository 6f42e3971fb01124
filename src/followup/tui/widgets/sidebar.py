"""The post-mortem list beside the table: a completion bar and overdue count for each.

Suggestions (commitments found in prose) count apart, never in completion: each
post-mortem says how many wait for a person, and a "Suggested" entry shows them all.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from functools import lru_cache

from textual.content import Content, Span
from textual.css.styles import RulesMap
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from followup.store.views import PostMortemView
from followup.tui.widgets.bars import completion_bar

ALL = "*all*"
SUGGESTED = "*suggested*"
BAR_WIDTH = 8
# The sidebar's border and the options' padding take this much of its width.
CHROME = 4


@lru_cache(maxsize=4096)
def _status_line(done: int, total: int, overdue: int, suggested: int) -> Content:
    """Return an option's second line: its bar and counts (the same few recur)."""
    parts: list[str | tuple[str, str]] = [f" {done}/{total}"]
    if overdue:
        parts.append((f" · {overdue} overdue", "$error"))
    if suggested:
        parts.append((f" · {suggested} suggested", "$warning"))
    return Content.assemble(completion_bar(done, total, BAR_WIDTH), *parts)


class _Prompt(Content):
    """An option's two lines, whose height is known without wrapping them.

    The option list asks every option's height twice when its options change: wrapping
    10,000 of them to count lines took seconds before the first table showed.
    """

    # Content keeps these in a dict of each instance's own: slots instead save some 200
    # bytes a prompt, 2 MB for 10,000 post-mortems. (An attribute Textual adds one day
    # still goes to the dict.)
    __slots__ = (
        "_divide_cache",
        "_height_cache",
        "_minimal_width_cache",
        "_optimal_width_cache",
        "_simplified",
        "_split_cache",
        "_widest",
    )

    def __init__(self, text: str, spans: list[Span], widest: int = sys.maxsize) -> None:
        super().__init__(text, spans, strip_control_codes=False)
        self._widest = widest

    def get_height(self, rules: RulesMap, width: int) -> int:
        """Return 2 when both lines fit the width, else the height of the wrapped text."""
        if width - rules.get("line_pad", 0) * 2 >= self._widest:
            return 2
        return super().get_height(rules, width)


@lru_cache(maxsize=4096)
def _prompt_spans(head: int, done: int, total: int, overdue: int, suggested: int) -> list[Span]:
    """Return the spans of a prompt whose title is `head` characters long.

    Prompts of titles of one length with the same counts share the list (Content
    changes its list in place only to merge spans, which gives each sharer the same).
    """
    status = _status_line(done, total, overdue, suggested)
    start = head + 1
    spans = [Span(0, head, "bold")] if head else []
    spans.extend(Span(s.start + start, s.end + start, s.style) for s in status.spans)
    return spans


def prompt(
    title: str, done: int, total: int, overdue: int, *, width: int, suggested: int = 0
) -> Content:
    """Return an option's two lines: the title, then its bar and counts."""
    status = _status_line(done, total, overdue, suggested)
    if title.isascii() and title.isprintable() and len(title) <= width:
        # The common title, laid out directly: Content.assemble measured and cleaned
        # every character again, a tenth of a millisecond an option.
        head, head_cells = title, len(title)
    else:
        content = Content.styled(title, "bold")
        if content.cell_length > width:
            content = content.truncate(width, ellipsis=True)
        head, head_cells = content.plain, content.cell_length
    spans = _prompt_spans(len(head), done, total, overdue, suggested)
    return _Prompt(f"{head}\n{status.plain}", spans, max(head_cells, status.cell_length))


def suggested_prompt(count: int) -> Content:
    """Return the "Suggested" entry: how many suggestions wait for a person."""
    waiting = f" {count} waiting (+ or -)" if count else " none waiting"
    return Content.assemble(
        ("◌ Suggested", "bold"), "\n", (waiting, "$warning" if count else "$text-muted")
    )


class PostMortemList(OptionList):
    """Post-mortems with their completion; choosing one filters the table."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.border_title = "Post-mortems"
        self._views: list[PostMortemView] = []
        self._shown: tuple[int, bool] = (0, False)  # the width and Suggested entry shown

    def show(self, views: Sequence[PostMortemView], selected: str | None) -> None:
        """Replace the list, keeping the chosen post-mortem (or Suggested) highlighted."""
        width = max(10, (self.size.width or 30) - CHROME)
        suggested = sum(v.suggested for v in views)
        shown = (width, bool(suggested or selected == SUGGESTED))
        if self._shown == shown and self.option_count and self._same_slugs(views):
            # Choosing a filter shows the same post-mortems again, and an edit changes
            # the counts of one or two: keep the 10,000 options, and where the list
            # was scrolled to, and only write the prompts that changed.
            self._update(views, width, suggested)
            self.highlighted = self._highlight(selected)
            return
        self._views = list(views)
        self._shown = shown
        options: list[Option | None] = [Option(self._all_prompt(views, width), id=ALL)]
        if shown[1]:
            options.append(Option(suggested_prompt(suggested), id=SUGGESTED))
        options.append(None)
        options.extend(
            Option(
                prompt(v.title, v.done, v.total, v.overdue, width=width, suggested=v.suggested),
                id=v.slug,
            )
            for v in views
        )
        self.set_options(options)
        self.highlighted = self._highlight(selected)

    def _same_slugs(self, views: Sequence[PostMortemView]) -> bool:
        """Tell whether the views are those shown, in the same order."""
        old = self._views
        return len(old) == len(views) and all(
            a.slug == b.slug for a, b in zip(old, views, strict=True)
        )

    def _update(self, views: Sequence[PostMortemView], width: int, suggested: int) -> None:
        """Write the prompts of the post-mortems (and totals) whose counts or title changed."""
        old, self._views = self._views, list(views)
        first = 2 if self._shown[1] else 1  # after "All post-mortems" (and "Suggested")
        changed = [n for n, (a, b) in enumerate(zip(old, views, strict=True)) if a != b]
        if not changed:
            return
        self.replace_option_prompt_at_index(0, self._all_prompt(views, width))
        if self._shown[1]:
            self.replace_option_prompt_at_index(1, suggested_prompt(suggested))
        for n in changed:
            v = views[n]
            self.replace_option_prompt_at_index(
                first + n,
                prompt(v.title, v.done, v.total, v.overdue, width=width, suggested=v.suggested),
            )

    @staticmethod
    def _all_prompt(views: Sequence[PostMortemView], width: int) -> Content:
        total = sum(v.total for v in views)
        done = sum(v.done for v in views)
        overdue = sum(v.overdue for v in views)
        return prompt("All post-mortems", done, total, overdue, width=width)

    def _highlight(self, selected: str | None) -> int:
        known = self._slugs() | {SUGGESTED}
        return self.get_option_index(selected) if selected in known else 0

    def _slugs(self) -> set[str]:
        return {v.slug for v in self._views}
