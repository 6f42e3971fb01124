"""The post-mortem list beside the table: a completion bar and overdue count for each.

Suggestions (commitments found in prose) count apart, never in completion: each
post-mortem says how many wait for a person, and a "Suggested" entry shows them all.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.content import Content
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from followup.store.views import PostMortemView
from followup.tui.widgets.bars import completion_bar

ALL = "*all*"
SUGGESTED = "*suggested*"
BAR_WIDTH = 8
# The sidebar's border and the options' padding take this much of its width.
CHROME = 4


def _counts(done: int, total: int, overdue: int, suggested: int) -> Content:
    parts: list[str | tuple[str, str]] = [f" {done}/{total}"]
    if overdue:
        parts.append((f" · {overdue} overdue", "$error"))
    if suggested:
        parts.append((f" · {suggested} suggested", "$warning"))
    return Content.assemble(*parts)


def prompt(
    title: str, done: int, total: int, overdue: int, *, width: int, suggested: int = 0
) -> Content:
    """Return an option's two lines: the title, then its bar and counts."""
    head = Content.styled(title, "bold").truncate(width, ellipsis=True)
    return Content.assemble(
        head,
        "\n",
        completion_bar(done, total, BAR_WIDTH),
        _counts(done, total, overdue, suggested),
    )


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

    def show(self, views: Sequence[PostMortemView], selected: str | None) -> None:
        """Replace the list, keeping the chosen post-mortem (or Suggested) highlighted."""
        self._views = list(views)
        width = max(10, (self.size.width or 30) - CHROME)
        total = sum(v.total for v in views)
        done = sum(v.done for v in views)
        overdue = sum(v.overdue for v in views)
        suggested = sum(v.suggested for v in views)
        options: list[Option | None] = [
            Option(prompt("All post-mortems", done, total, overdue, width=width), id=ALL)
        ]
        if suggested or selected == SUGGESTED:
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
        known = self._slugs() | {SUGGESTED}
        self.highlighted = self.get_option_index(selected) if selected in known else 0

    def _slugs(self) -> set[str]:
        return {v.slug for v in self._views}
