"""Keys that act on one item, shared by the items table and the item's detail."""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from textual.binding import Binding, BindingType

from followup.display import STATUS_LABEL
from followup.store.views import ItemView, is_closed
from followup.tui.links import item_url
from followup.tui.screens.base import FollowupScreen
from followup.tui.screens.choice import ChoiceScreen
from followup.tui.screens.prompt import PromptScreen, parse_due, validate_login

CLOSE_CHOICES = (
    ("completed", "✔ Done: the work is finished"),
    ("not_planned", "✘ Won't do: not planned"),
)


class ItemScreen(FollowupScreen):
    """A screen that knows its current item and acts on it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "close_item", "Close", tooltip="Close the item (done or won't do)"),
        Binding("r", "reopen_item", "Reopen", show=False, tooltip="Reopen a closed item"),
        Binding("a", "assign_item", "Assign", tooltip="Give the item to someone else"),
        Binding("d", "due_item", "Due", show=False, tooltip="Set or clear the due date"),
        Binding("p", "priority_item", "Priority", show=False, tooltip="Set or clear the priority"),
        Binding("F", "file_item", "File", tooltip="File a GitHub issue for the item"),
        Binding(
            "P",
            "protect_item",
            "Protect",
            show=False,
            tooltip="Preview, then apply the item's branch protection",
        ),
        Binding(
            "V",
            "verify_item",
            "Verify",
            show=False,
            tooltip="Check on GitHub that the item's protection is still in effect",
        ),
        Binding("o", "open_item", "Open in browser", show=False, tooltip="Open the issue or link"),
        Binding("y", "copy_item", "Copy URL", show=False, tooltip="Copy the issue's URL"),
        Binding("v", "view_postmortem", "Post-mortem", show=False, tooltip="Read the post-mortem"),
    ]

    def current_item(self) -> ItemView | None:
        """Return the item the keys act on."""
        raise NotImplementedError

    def _item(self) -> ItemView | None:
        item = self.current_item()
        if item is None:
            self.fapp.notify("No item selected", severity="warning")
        return item

    def action_close_item(self) -> None:
        """Close the item as done or won't do."""
        item = self._item()
        if item is None:
            return
        if is_closed(item.status):
            label = STATUS_LABEL.get(item.status, item.status)
            self.fapp.notify(f"{item.id} is already closed ({label})", severity="warning")
            return

        def chosen(reason: str | None) -> None:
            if reason:
                self.fapp.edit(item, "close", reason)

        where = f" and its issue {item.issue.ref}" if item.issue else ""
        self.fapp.push_screen(
            ChoiceScreen(f"Close {item.id}{where}", item.title, CLOSE_CHOICES), chosen
        )

    def action_reopen_item(self) -> None:
        """Reopen a closed item."""
        item = self._item()
        if item is None:
            return
        if not is_closed(item.status):
            self.fapp.notify(f"{item.id} is not closed", severity="warning")
            return
        self.fapp.edit(item, "reopen")

    def action_assign_item(self) -> None:
        """Ask for the new owner."""
        item = self._item()
        if item is None:
            return

        def answered(login: str | None) -> None:
            if login is not None:
                self.fapp.edit(item, "assign", login.strip().removeprefix("@") or None)

        self.fapp.push_screen(
            PromptScreen(
                f"Assign {item.id}",
                "GitHub login of the new owner (empty: nobody)",
                item.owner or "",
                validate_login,
            ),
            answered,
        )

    def action_due_item(self) -> None:
        """Ask for the new due date."""
        item = self._item()
        if item is None:
            return

        def answered(text: str | None) -> None:
            if text is not None:
                self.fapp.edit(item, "due", parse_due(text, self.fapp.today()))

        def check(text: str) -> str | None:
            try:
                parse_due(text, self.fapp.today())
            except ValueError as exc:
                return str(exc)
            return None

        self.fapp.push_screen(
            PromptScreen(
                f"Due date of {item.id}",
                "YYYY-MM-DD, or +N days (empty: no due date)",
                item.due.isoformat() if isinstance(item.due, date) else "",
                check,
            ),
            answered,
        )

    def action_priority_item(self) -> None:
        """Ask for the new priority."""
        item = self._item()
        if item is None:
            return

        from followup.sync.edits import PRIORITIES

        def answered(text: str | None) -> None:
            if text is not None:
                self.fapp.edit(item, "priority", text.strip().upper() or None)

        def check(text: str) -> str | None:
            value = text.strip().upper()
            if value and value not in PRIORITIES:
                return f"a priority is one of {', '.join(PRIORITIES)}, not {text.strip()!r}"
            return None

        self.fapp.push_screen(
            PromptScreen(
                f"Priority of {item.id}",
                f"{', '.join(PRIORITIES)} (empty: none)",
                item.priority or "",
                check,
            ),
            answered,
        )

    def action_file_item(self) -> None:
        """Preview filing this item's issue."""
        item = self._item()
        if item is None:
            return
        if item.kind != "issue":
            self.fapp.notify(
                f"{item.id} is a branch-protection item: press P to protect its branch",
                severity="warning",
            )
            return
        if item.issue is not None:
            self.fapp.notify(f"{item.id} is already filed as {item.issue.ref}", severity="warning")
            return
        self.fapp.file_items([item.id])

    def action_protect_item(self) -> None:
        """Preview this item's branch protection as a diff."""
        item = self._item()
        if item is None:
            return
        if item.kind != "branch_protection":
            self.fapp.notify(
                f"{item.id} is not a branch-protection item; "
                "'Protect all pending branches' is in the command palette (ctrl+p)",
                severity="warning",
            )
            return
        self.fapp.protect([item.id])

    def action_verify_item(self) -> None:
        """Re-read this item's branch protection on GitHub."""
        item = self._item()
        if item is None:
            return
        if item.kind != "branch_protection" or not item.protection_applied:
            self.fapp.notify(
                f"{item.id} has no applied branch protection to verify", severity="warning"
            )
            return
        self.fapp.verify([item.id])

    def action_open_item(self) -> None:
        """Open the item's issue (or link, or branch settings) in the browser."""
        item = self._item()
        if item is not None:
            self.fapp.open_link(item_url(item, self.fapp.settings), "issue or link")

    def action_copy_item(self) -> None:
        """Copy the item's issue URL."""
        item = self._item()
        if item is not None:
            self.fapp.copy_link(item_url(item, self.fapp.settings), "issue or link")

    def action_view_postmortem(self) -> None:
        """Show the item's post-mortem."""
        from followup.tui.screens.postmortem import PostMortemScreen

        item = self._item()
        if item is not None:
            self.fapp.push_screen(PostMortemScreen(item.postmortem, focus_item=item.id))
