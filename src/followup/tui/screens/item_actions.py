"""Keys that act on items, shared by the items table and the item's detail.

They act on the screen's targets: the selected items when some are, else the current one.
One item is changed as soon as the question is answered; several are changed after a
confirmation that lists what happens to each, in one background job.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar

from textual.binding import Binding, BindingType

from followup.store.views import ItemView
from followup.tui import registry
from followup.tui.edit_job import EditRequest, Target
from followup.tui.edits import EDITS, Choose, Edit, EditSpec, TypeIn, plan
from followup.tui.links import item_url
from followup.tui.outcomes import plural
from followup.tui.previews import edit_confirmation
from followup.tui.screens.base import FollowupScreen
from followup.tui.screens.choice import ChoiceScreen
from followup.tui.screens.confirm import ConfirmScreen
from followup.tui.screens.prompt import PromptScreen


def edit_bindings() -> list[BindingType]:
    """Return a key for each change in the registry."""
    return [
        Binding(
            spec.key, f"edit('{spec.edit.value}')", spec.label, show=spec.show, tooltip=spec.tooltip
        )
        for spec in EDITS.values()
    ]


class ItemScreen(FollowupScreen):
    """A screen that knows its current item (and maybe a selection) and acts on them."""

    BINDINGS: ClassVar[list[BindingType]] = [
        *edit_bindings(),
        Binding(
            "F",
            "file_items",
            "File",
            tooltip="File a GitHub issue for the item (or the selected ones)",
        ),
        Binding(
            "P",
            "protect_items",
            "Protect",
            show=False,
            tooltip="Preview, then apply the item's branch protection",
        ),
        Binding(
            "V",
            "verify_items",
            "Verify",
            show=False,
            tooltip="Check on GitHub that the item's protection is still in effect",
        ),
        Binding("o", "open_item", "Open in browser", show=False, tooltip="Open the issue or link"),
        Binding("y", "copy_item", "Copy URL", show=False, tooltip="Copy the issue's URL"),
        Binding("v", "view_postmortem", "Post-mortem", show=False, tooltip="Read the post-mortem"),
    ]

    def current_item(self) -> ItemView | None:
        """Return the item under the cursor, or the one shown."""
        raise NotImplementedError

    def targets(self) -> list[ItemView]:
        """Return the items the keys act on."""
        item = self.current_item()
        return [item] if item is not None else []

    def _targets(self) -> list[ItemView]:
        items = self.targets()
        if not items:
            self.notify("No item selected", severity="warning")
        return items

    def _item(self) -> ItemView | None:
        item = self.current_item()
        if item is None:
            self.notify("No item selected", severity="warning")
        return item

    # -- changes ----------------------------------------------------------------------

    def action_edit(self, name: str) -> None:
        """Make a change from the registry to the targets."""
        spec = EDITS[Edit(name)]
        items = self._targets()
        if len(items) == 1:
            self._edit_one(spec, items[0])
        elif items:
            self._edit_many(spec, items)

    def _edit_one(self, spec: EditSpec, item: ItemView) -> None:
        refusal = spec.refuse(item)
        if refusal:
            self.notify(f"{item.id} is {refusal}", severity="warning")
            return

        def answered(value: object) -> None:
            self.ctx.start(registry.EDIT, EditRequest(spec.edit, value, (Target.of(item),)))

        issue = f" and its issue {item.issue.ref}" if item.issue and spec.reaches_github else ""
        self._ask(spec, spec.title.format(item.id, issue=issue), [item], answered)

    def _edit_many(self, spec: EditSpec, items: list[ItemView]) -> None:
        def answered(value: object) -> None:
            planned = plan(spec, items, value)
            targets = tuple(Target.of(p.item) for p in planned if p.change is not None)

            def confirmed(ok: bool | None) -> None:
                if ok and targets:
                    self.ctx.start(registry.EDIT, EditRequest(spec.edit, value, targets))

            preview = edit_confirmation(spec, planned, value)
            self.app.push_screen(ConfirmScreen.of(preview), confirmed)

        self._ask(spec, spec.title.format(plural(len(items), "item"), issue=""), items, answered)

    def _ask(
        self,
        spec: EditSpec,
        title: str,
        items: Sequence[ItemView],
        then: Callable[[object], None],
    ) -> None:
        """Ask what the change needs, then pass the answer on."""
        ask = spec.ask
        if ask is None:
            then(None)
            return
        about = items[0].title if len(items) == 1 else f"{plural(len(items), 'selected item')}"
        if isinstance(ask, Choose):

            def chosen(value: str | None) -> None:
                if value:
                    then(value)

            self.app.push_screen(ChoiceScreen(title, about, ask.choices), chosen)
            return
        self._ask_text(ask, title, items, then)

    def _ask_text(
        self,
        ask: TypeIn,
        title: str,
        items: Sequence[ItemView],
        then: Callable[[object], None],
    ) -> None:
        today = self.ctx.today()
        values = {ask.current(item) for item in items}
        current = values.pop() if len(values) == 1 else ""

        def check(text: str) -> str | None:
            try:
                ask.parse(text, today)
            except ValueError as exc:
                return str(exc)
            return None

        def answered(text: str | None) -> None:
            if text is not None:
                then(ask.parse(text, today))

        self.app.push_screen(PromptScreen(title, ask.prompt, current, check), answered)

    # -- GitHub -----------------------------------------------------------------------

    def action_file_items(self) -> None:
        """Preview filing the targets' issues."""
        items = self._targets()
        if len(items) == 1:
            item = items[0]
            if item.kind != "issue":
                self.notify(
                    f"{item.id} is a branch-protection item: press P to protect its branch",
                    severity="warning",
                )
                return
            if item.issue is not None:
                self.notify(f"{item.id} is already filed as {item.issue.ref}", severity="warning")
                return
        if items:
            # The plan says, item by item, what is filed and what is left alone.
            self.ctx.start(registry.PLAN_FILE, tuple(item.id for item in items))

    def action_protect_items(self) -> None:
        """Preview the targets' branch protection as a diff."""
        items = self._targets()
        wanted = [item for item in items if item.kind == "branch_protection"]
        if items and not wanted:
            what = f"{items[0].id} is not" if len(items) == 1 else "None of the selected items is"
            self.notify(
                f"{what} a branch-protection item; "
                "'Protect all pending branches' is in the command palette (ctrl+p)",
                severity="warning",
            )
            return
        if wanted:
            self.ctx.start(registry.PLAN_PROTECT, tuple(item.id for item in wanted))

    def action_verify_items(self) -> None:
        """Re-read the targets' branch protection on GitHub."""
        items = self._targets()
        wanted = [i for i in items if i.kind == "branch_protection" and i.protection_applied]
        if items and not wanted:
            if len(items) == 1:
                problem = f"{items[0].id} has no applied branch protection to verify"
            else:
                problem = "None of the selected items has applied branch protection to verify"
            self.notify(problem, severity="warning")
            return
        if wanted:
            self.ctx.start(registry.VERIFY, tuple(item.id for item in wanted))

    # -- elsewhere --------------------------------------------------------------------

    def action_open_item(self) -> None:
        """Open the item's issue (or link, or branch settings) in the browser."""
        item = self._item()
        if item is not None:
            self.ctx.open_link(item_url(item, self.ctx.settings), "issue or link")

    def action_copy_item(self) -> None:
        """Copy the item's issue URL."""
        item = self._item()
        if item is not None:
            self.ctx.copy_link(item_url(item, self.ctx.settings), "issue or link")

    def action_view_postmortem(self) -> None:
        """Show the item's post-mortem."""
        item = self._item()
        if item is not None:
            self.ctx.open_postmortem(item.postmortem, focus_item=item.id)
