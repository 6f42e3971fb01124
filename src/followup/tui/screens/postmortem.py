"""One post-mortem: the whole document with its items marked, and where they stand."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Footer, Header, Markdown, OptionList, Static
from textual.widgets.option_list import Option

from followup.display import STATUS_ICON, STATUS_LABEL
from followup.durations import format_duration
from followup.errors import FollowupError, NotFoundError
from followup.store.metrics import PostMortemSummary
from followup.store.views import ItemView
from followup.tui import registry
from followup.tui.annotate import annotate
from followup.tui.links import file_url
from followup.tui.screens.base import FollowupScreen
from followup.tui.store import read_postmortem
from followup.tui.widgets.bars import completion_bar, percent
from followup.tui.widgets.status_bar import StatusBar


def mark(item: ItemView) -> str:
    """Return the code span shown beside an item in the document."""
    label = STATUS_LABEL.get(item.status, item.status)
    return f"{STATUS_ICON.get(item.status, '?')} {label} · {item.id}"


def summary_content(title: str, summary: PostMortemSummary) -> Content:
    """Return the summary panel: completion, outstanding, overdue, time to close."""
    lines = [
        Content.styled(title, "bold"),
        Content.assemble(
            completion_bar(summary.done, summary.total, 12),
            f" {summary.done}/{summary.total} done ({percent(summary.done, summary.total)})",
        ),
        Content(f"○ {summary.outstanding} outstanding"),
    ]
    if summary.overdue:
        lines.append(Content.styled(f"! {summary.overdue} overdue", "bold $error"))
    lines.append(Content(f"Median time to close: {format_duration(summary.median_time_to_close)}"))
    if summary.elapsed is not None:
        days = summary.elapsed.days
        if summary.finished:
            lines.append(Content.styled(f"✔ All closed, in {days} days", "$success"))
        elif summary.total:
            lines.append(Content(f"Open for {days} days so far"))
    return Content("\n").join(lines)


# Items that came from prose: a suggestion, kept or dismissed.
_FROM_PROSE = frozenset({"suggested", "dismissed"})


def diagnosis_line(source: str, items: list[ItemView]) -> str | None:
    """Return the import's warning for a stored document, or None when it has none."""
    from followup.postmortem.diagnosis import diagnose_text

    taken = [(item.line, item.status in _FROM_PROSE, item.title) for item in items]
    return diagnose_text(source, taken).warning()


class PostMortemScreen(FollowupScreen):
    """The document as written, each action item marked with its status and id."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("o", "open_document", "Open file", tooltip="Open the document in the browser"),
        Binding("y", "copy_document", "Copy path", show=False),
        Binding(
            "D",
            "forget",
            "Forget",
            tooltip="Remove the post-mortem and its items from followup (asks first)",
        ),
    ]

    def __init__(self, slug: str, *, focus_item: str | None = None) -> None:
        super().__init__()
        self.slug = slug
        self.focus_item = focus_item
        self.items: list[ItemView] = []
        self.path: str | None = None

    def compose(self) -> ComposeResult:
        """Build the document pane and the side panel."""
        yield Header()
        with Horizontal(id="pm-body"):
            with VerticalScroll(id="document"):
                yield Markdown(id="markdown")
            with Vertical(id="pm-side"):
                yield Static(id="pm-summary")
                yield Static(id="pm-diagnosis", markup=False)
                yield OptionList(id="pm-items")
        yield StatusBar(id="status")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        """Read the post-mortem."""
        super().on_mount()
        self.sub_title = self.slug
        self.data_changed()
        self.query_one("#pm-items", OptionList).focus()

    def data_changed(self) -> None:
        """Read the document, its summary and its items again."""
        ctx = self.ctx
        try:
            source, summary, items = read_postmortem(ctx.engine, self.slug, today=ctx.today())
        except NotFoundError:
            # Forgotten (here or by another run): the notification already said so.
            if self.is_current:
                self.app.pop_screen()
            return
        except FollowupError as exc:
            self.notify(str(exc), severity="error")
            self.app.pop_screen()
            return
        self.items = items
        view = next((pm for pm in ctx.postmortems if pm.slug == self.slug), None)
        self.path = view.path if view else None
        title = view.title if view else self.slug
        self.query_one("#pm-summary", Static).update(summary_content(title, summary))
        self._show_diagnosis(source, items)
        marks = {item.line: mark(item) for item in items}
        self.query_one("#markdown", Markdown).update(annotate(source, marks))
        options = self.query_one("#pm-items", OptionList)
        keep = options.highlighted_option.id if options.highlighted_option else self.focus_item
        entries: list[Option | None] = []
        for item in items:
            if entries:
                entries.append(None)  # a rule between items
            entries.append(
                Option(Content.assemble((mark(item), "bold"), "\n", item.title), id=item.id)
            )
        options.set_options(entries)
        if keep is not None and any(item.id == keep for item in items):
            options.highlighted = options.get_option_index(keep)

    def _show_diagnosis(self, source: str, items: list[ItemView]) -> None:
        """Say, as import did, which lists that look like work gave no item (if any)."""
        said = diagnosis_line(source, items)
        note = self.query_one("#pm-diagnosis", Static)
        note.display = said is not None
        note.update(Content(said or ""))

    @on(OptionList.OptionSelected, "#pm-items")
    def item_chosen(self, event: OptionList.OptionSelected) -> None:
        """Open the chosen item."""
        if event.option.id:
            self.ctx.open_item(event.option.id)

    def action_open_document(self) -> None:
        """Open the document's file in the browser."""
        self.ctx.open_link(file_url(self.path) if self.path else None, "document file")

    def action_copy_document(self) -> None:
        """Copy the document's path."""
        self.ctx.copy_link(self.path, "document path")

    def action_forget(self) -> None:
        """Ask, then remove the post-mortem and its items from the store."""
        self.ctx.start(registry.PLAN_FORGET, self.slug)
