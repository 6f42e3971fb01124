"""Write `followup list`'s tables at a terminal from plain rows: 100,000 items in a second.

The layout is output.items_table's (one table per post-mortem, the title column taking
the width left, the target under the title when the terminal is narrow, lines when no
table fits), computed directly. Building each item's cells from its view, measuring each
with Rich, rendering each style and each due date through Rich cost some 80 microseconds
an item. Here rows come a chunk of post-mortems at a time, column by column
(store/table_rows.py): each status and due cell is worked out once (cli/table_texts.py),
each column of a chunk measured with len in one pass when its text is plain ASCII, each
post-mortem's widths taken with one max per column, and the rows of the chunk's wide
tables padded and joined column by column; a row whose title wraps is written on its
own. Anything else (non-ASCII or control codes, notes under a title, the protection
mark, a narrow terminal) goes through the general writer below, cell by cell, and a
post-mortem too wide for any table through output.items_lines. tests/cli/test_tables.py
keeps the writer this replaced and compares their output byte for byte.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Iterator, Sequence
from datetime import date
from itertools import chain, groupby, repeat
from operator import add, attrgetter, sub
from typing import Any, NamedTuple, cast

from rich.cells import cell_len
from rich.console import Console

from followup.cli.background_writer import BackgroundWriter
from followup.cli.output import OWNER_WIDTH, items_lines, layout_for
from followup.cli.table_cells import (
    GAP,
    PROTECTION_MARK,
    TITLE,
    TITLE_MIN,
    Painter,
    cell_width,
    pad,
    row_lines,
    strip_control_codes,
    wrap,
    wrap_plain,
)
from followup.cli.table_texts import Cells, Due, Status, row_view
from followup.store.table_rows import TableChunk, TableRow

HEADS = ("ID", "Status", "Title", "Owner", "Pri", "Due", "Target")


_MEASURED = attrgetter("measured")
_WIDTH = attrgetter("width")
_WIDEST = attrgetter("widest")


class _Columns(NamedTuple):
    """A chunk's cells column by column, and the len of each (its width if plain)."""

    ids: Sequence[str]
    statuses: list[Status]
    titles: Sequence[str]
    owners: Sequence[str]
    priorities: Sequence[str]
    dues: list[Due]
    targets: Sequence[str]
    title_lens: list[int]
    owner_lens: list[int]
    # The measures of each row (lens: the widths of plain text) that output.table_layout
    # takes (the id, the status and due cells as it measures them, the owner, the
    # target), then the table's (the status, title, priority and due cells): a list each.
    measures: tuple[list[int], ...]


class TableWriter:
    """Write the tables of post-mortems' rows to a console, as `followup list` shows them."""

    def __init__(self, console: Console, today: date) -> None:
        self.console = console
        self.paint = Painter(console)
        self.width = console.width
        self.today = today
        self.cells = Cells(self.paint, today)
        self.heads: dict[tuple[int, ...], tuple[str, str]] = {}
        self.padded: dict[tuple[str, int], str] = {}
        bold, unbold = self.paint.wrapping("bold")
        self.id_codes = 1 + len(bold) + len(unbold)  # a row's space and the id's codes

    def write(self, chunks: Iterable[TableChunk]) -> int:
        """Write one table per post-mortem (or lines, when none fits); return how many rows."""
        count = 0
        with BackgroundWriter(self.console.file) as out:
            for chunk in chunks:
                if chunk.size:
                    count += chunk.size
                    out.write("\n".join(self._chunk(chunk)) + "\n")
        return count

    # -- a chunk of post-mortems -------------------------------------------------------

    def _chunk(self, chunk: TableChunk) -> list[str]:
        """Return the lines of a chunk's post-mortems, each table ending in a blank line."""
        (
            keys,
            _,
            ids,
            statuses,
            kinds,
            titles,
            owners,
            priorities,
            flags,
            due_texts,
            targets,
            reasons,
            _,
        ) = chunk.columns
        owners = _texts(owners)
        priorities = _texts(priorities)
        targets = _texts(targets)
        due_keys = list(zip(flags, due_texts, strict=True))
        # The cells worked out before, in one pass; the others then.
        found_dues = list(map(self.cells.dues.get, due_keys))
        dues = cast("list[Due]", found_dues)
        if None in found_dues:
            dues = [
                due or self.cells.due(key) for due, key in zip(found_dues, due_keys, strict=True)
            ]
        found_statuses = list(map(self.cells.statuses.get, statuses))
        status_cells = cast("list[Status]", found_statuses)
        if None in found_statuses:
            status_cells = [
                cell or self.cells.status(status)
                for cell, status in zip(found_statuses, statuses, strict=True)
            ]
        # Plain rows: ASCII without control codes (each character a cell, nothing to
        # strip), no notes, no protection mark, an id. Most chunks are plain throughout.
        text = "".join(ids) + "".join(titles) + "".join(owners) + "".join(priorities)
        text += "".join(targets)
        plain: list[bool] | None = None
        if not (
            text.isascii()
            and text.isprintable()
            and not any(reasons)
            and "branch_protection" not in kinds
            and "" not in ids
        ):
            plain = [
                bool(item_id)
                and not reason
                and kind != "branch_protection"
                and _is_plain(item_id + title + owner + priority + target)
                for item_id, kind, title, owner, priority, target, reason in zip(
                    ids, kinds, titles, owners, priorities, targets, reasons, strict=True
                )
            ]
        title_lens = list(map(len, titles))
        owner_lens = list(map(len, owners))
        status_widths = list(map(_WIDTH, status_cells))
        due_widths = list(map(_WIDTH, dues))
        columns = _Columns(
            ids,
            status_cells,
            titles,
            owners,
            priorities,
            dues,
            targets,
            title_lens,
            owner_lens,
            (
                list(map(len, ids)),
                list(map(_MEASURED, status_cells)),
                owner_lens,
                list(map(_WIDEST, dues)),
                list(map(len, targets)),
                status_widths,
                title_lens,
                list(map(len, priorities)),
                due_widths,
            ),
        )
        # Each post-mortem's run of rows, and the widest cell of each of its columns.
        bounds: list[tuple[Hashable, int, int]] = []
        start = 0
        for key, run in groupby(keys):
            end = start + len(list(run))
            bounds.append((key, start, end))
            start = end
        parts = [slice(start, end) for _, start, end in bounds]
        widest = zip(
            *[list(map(max, map(column.__getitem__, parts))) for column in columns.measures],
            strict=True,
        )
        # A wide table of plain rows (its widths) or any other (None).
        runs: list[tuple[Hashable, int, int, list[int] | None]] = []
        for (key, start, end), measures in zip(bounds, widest, strict=True):
            widths = None
            if plain is None or all(plain[start:end]):
                widths = self._wide_widths(measures)
            runs.append((key, start, end, widths))
        wide = self._wide_rows(columns, runs, status_widths, due_widths)
        lines: list[str] = []
        rows: list[TableRow] | None = None
        for key, start, end, widths in runs:
            title, slug = chunk.headings[key]
            if widths is not None:
                lines.extend(self._heading(title, slug, HEADS, widths))
                lines.extend(wide[start:end])
                lines.append("")
            else:
                if rows is None:
                    rows = chunk.rows
                lines.extend(self._table(title, slug, rows[start:end], columns, start))
        return lines

    def _wide_widths(self, measures: tuple[int, ...]) -> list[int] | None:
        """Return the widths of a table of plain rows whose widest cells (measures) are given.

        None if the table is not a wide one.
        """
        (
            id_width,
            status_measured,
            longest_owner,
            due_widest,
            target_width,
            status_width,
            longest_title,
            priority_width,
            due_width,
        ) = measures
        layout = layout_for(
            ids=id_width,
            statuses=status_measured,
            owners=longest_owner,
            dues=due_widest,
            targets=target_width,
            width=self.width,
        )
        if layout != "wide":
            return None
        widths = [
            max(len("ID"), id_width),
            max(len("Status"), status_width),
            max(len("Title"), longest_title),
            min(OWNER_WIDTH, max(len("Owner"), longest_owner)),
            max(len("Pri"), priority_width),
            max(len("Due"), due_width),
            max(len("Target"), target_width),
        ]
        room = max(TITLE_MIN, self.width - 2 - len(GAP) * 6 - sum(widths) + widths[TITLE])
        widths[TITLE] = min(max(TITLE_MIN, widths[TITLE]), room)
        return widths

    def _wide_rows(
        self,
        c: _Columns,
        runs: list[tuple[Hashable, int, int, list[int] | None]],
        status_widths: list[int],
        due_widths: list[int],
    ) -> list[str]:
        """Return the lines of each row of the wide tables of plain rows (others: any text).

        The rows of a chunk are padded and joined column by column, each cell to its
        table's width; a row whose title wraps or whose owner is cut short is then
        written on its own, as lines joined by line ends.
        """
        counts = [end - start for _, start, end, _ in runs]
        none = [0] * 7
        table_widths = [widths or none for *_, widths in runs]

        def each_row(values: Iterable[int]) -> Iterator[int]:
            return chain.from_iterable(map(repeat, values, counts))

        def padded(cells: Sequence[str], column: int, used: Iterable[int] | None = None) -> Any:
            width = each_row(widths[column] for widths in table_widths)
            if used is None:
                return map(str.ljust, cells, width)
            # A painted cell: its codes and text, then spaces to the column's width.
            return map(str.ljust, cells, map(add, width, used))

        bold, unbold = self.paint.wrapping("bold")
        cyan, uncyan = self.paint.wrapping("cyan")
        ids = map(f" {bold}{{}}{unbold}".format, c.ids)
        statuses = [status.painted for status in c.statuses]
        dues = [due.painted for due in c.dues]
        # The target is the last cell: its padding would go with the line's end.
        targets: Iterable[str] = c.targets
        if cyan:
            targets = (f"{cyan}{target}{uncyan}" if target else "" for target in c.targets)
        rows = list(
            map(
                str.rstrip,
                map(
                    GAP.join,
                    zip(
                        padded(list(ids), 0, repeat(self.id_codes)),
                        padded(statuses, 1, map(sub, map(len, statuses), status_widths)),
                        padded(c.titles, TITLE),
                        padded(c.owners, 3),
                        padded(c.priorities, 4),
                        padded(dues, 5, map(sub, map(len, dues), due_widths)),
                        targets,
                        strict=True,
                    ),
                ),
            )
        )
        for _, start, end, widths in runs:
            if widths is None:
                continue
            w_title, w_owner = widths[TITLE], widths[3]
            if max(c.title_lens[start:end]) > w_title or max(c.owner_lens[start:end]) > w_owner:
                for i in range(start, end):
                    if c.title_lens[i] > w_title or c.owner_lens[i] > w_owner:
                        rows[i] = "\n".join(self._oddrow_lines(c, i, widths))
        return rows

    def _oddrow_lines(self, c: _Columns, i: int, widths: list[int]) -> Iterator[str]:
        """Yield the lines of a plain row whose title wraps or whose owner is cut short."""
        w_id, w_status, w_title, w_owner, w_priority, w_due, w_target = widths
        status = c.statuses[i]
        due = c.dues[i]
        if c.owner_lens[i] > w_owner:
            cells = [
                (c.ids[i], "bold"),
                (status.plain, status.style),
                (c.titles[i], ""),
                (c.owners[i], ""),
                (c.priorities[i], ""),
                (due.plain, "=" + due.painted),
                (c.targets[i], "cyan"),
            ]
            yield from row_lines(cells, [], widths, self.paint)
            return
        # As tall_row_lines writes it: each cell padded, then painted; the title's lines.
        paint = self.paint
        wrapped = wrap_plain(c.titles[i], w_title)
        yield (
            f" {paint(c.ids[i].ljust(w_id), 'bold')}{GAP}{self._padded(status, w_status)}{GAP}"
            f"{wrapped[0].ljust(w_title)}{GAP}{c.owners[i].ljust(w_owner)}"
            f"{GAP}{c.priorities[i].ljust(w_priority)}"
            f"{GAP}{due.painted}{' ' * (w_due - due.width)}"
            f"{GAP}{paint(c.targets[i].ljust(w_target), 'cyan') if c.targets[i] else ''}"
        ).rstrip()
        # Under the first line: blank ID and Status cells.
        lead = " " * (1 + w_id + len(GAP) + w_status + len(GAP))
        for more in wrapped[1:]:
            yield (lead + more).rstrip()

    def _padded(self, status: Status, width: int) -> str:
        """Return a status cell padded to width, then painted (as tall_row_lines paints it)."""
        key = (status.plain, width)
        found = self.padded.get(key)
        if found is None:
            text = status.plain + " " * (width - status.width)
            found = self.padded[key] = self.paint(text, status.style)
        return found

    def _table(
        self, title: str, slug: str, rows: list[TableRow], c: _Columns, start: int
    ) -> list[str]:
        """Return the lines of any post-mortem: its table, or lines when none fits."""
        part = slice(start, start + len(rows))
        ids = c.ids[part]
        statuses = c.statuses[part]
        owners = c.owners[part]  # '@' and the login, or ''
        targets = c.targets[part]
        dues = c.dues[part]
        kinds = [row[4] for row in rows]
        reasons = [row[11] for row in rows]

        layout = layout_for(
            ids=max(map(cell_len, ids)),
            statuses=max(map(_MEASURED, statuses)),
            owners=max(map(cell_len, owners)),
            dues=max(map(_WIDEST, dues)),
            targets=max(map(cell_len, targets)),
            width=self.width,
        )
        if layout is None:
            views = [row_view(row, slug, title, self.today) for row in rows]
            return [self.paint.text(line) for line in items_lines(views, self.today)]
        narrow = layout == "narrow"

        # The cells, control codes stripped; the title marked if the item is a protection.
        titles = [strip_control_codes(t) for t in c.titles[part]]
        titles = [
            PROTECTION_MARK + t if kind == "branch_protection" else t
            for t, kind in zip(titles, kinds, strict=True)
        ]
        owner_cells = [strip_control_codes(owner) for owner in owners]
        priorities = c.priorities[part]
        target_cells = [strip_control_codes(t) for t in targets]
        notes: list[list[tuple[str, str]]] = [[] for _ in rows]
        for i, reason in enumerate(reasons):
            if reason:
                notes[i].append((strip_control_codes(reason), "yellow"))
            if narrow and targets[i]:
                notes[i].append((f"→ {target_cells[i]}", "cyan"))

        # The widths: each column's widest cell (notes are lines of the title's cell).
        heads = HEADS[:6] if narrow else HEADS
        widths = [
            max(len("ID"), *map(cell_width, ids)),
            max(len("Status"), *map(_WIDTH, statuses)),
            max(len("Title"), *map(cell_width, titles)),
            max(len("Owner"), *map(cell_width, owner_cells)),
            max(len("Pri"), *map(cell_width, priorities)),
            max(len("Due"), *map(_WIDTH, dues)),
        ]
        if not narrow:
            widths.append(max(len("Target"), *map(cell_width, target_cells)))
        for row_notes in notes:
            for note, _ in row_notes:
                widths[TITLE] = max(widths[TITLE], cell_width(note))
        widths[3] = min(widths[3], OWNER_WIDTH)
        others = sum(widths) - widths[TITLE]
        # As Rich does: the title is as wide as its longest line, up to the width left.
        room = max(TITLE_MIN, self.width - 2 - len(GAP) * (len(heads) - 1) - others)
        widths[TITLE] = min(max(TITLE_MIN, widths[TITLE]), room)

        lines = self._heading(title, slug, heads, widths)
        for i, item_id in enumerate(ids):
            cells = [
                (item_id, "bold"),
                (statuses[i].plain, statuses[i].style),
                (titles[i], ""),
                (owner_cells[i], ""),
                (priorities[i], ""),
                (dues[i].plain, "=" + dues[i].painted),
            ]
            if not narrow:
                cells.append((target_cells[i], "cyan"))
            lines.extend(row_lines(cells, notes[i], widths, self.paint))
        lines.append("")
        return lines

    def _heading(
        self, title: str, slug: str, heads: tuple[str, ...], widths: list[int]
    ) -> list[str]:
        """Return the post-mortem's title (wrapped), a blank line, the header and its rule."""
        paint = self.paint
        inner = sum(widths) + len(GAP) * (len(heads) - 1)
        title = strip_control_codes(title)
        lines: list[str] = []
        for n, line in enumerate(wrap(f"{title}  {slug}", inner)):
            # The post-mortem's title in bold, its slug dimmed.
            if n == 0 and line.startswith(title):
                lines.append(paint(title, "bold") + paint(line[len(title) :], "dim"))
            else:
                lines.append(paint(line, "dim"))
        key = tuple(widths)
        found = self.heads.get(key)
        if found is None:
            header = " " + GAP.join(
                paint(pad(h, w), "bold") for h, w in zip(heads, widths, strict=True)
            )
            found = self.heads[key] = (header, " " + "─" * inner)
        lines.append("")
        lines.extend(found)
        return lines


def write_groups(
    chunks: Iterable[TableChunk], today: date, console: Console, marks: set[str] | None = None
) -> int:
    """Write one table per post-mortem of the chunks' rows; return how many rows.

    Each due-date mark the rows show (as listing.marks_of tells) is added to marks.
    """
    writer = TableWriter(console, today)
    count = writer.write(chunks)
    if marks is not None:
        # Every due cell worked out is some written row's.
        for due in writer.cells.dues.values():
            marks |= due.marks
    return count


# -- measuring ------------------------------------------------------------------------------


def _texts(values: Sequence[str | None]) -> tuple[str, ...]:
    """Return the values with None as ''."""
    if None not in values:
        return tuple(values)  # type: ignore[arg-type]
    return tuple(value or "" for value in values)


def _is_plain(text: str) -> bool:
    """Tell whether each character of text is one cell and printable (ASCII, no controls)."""
    return text.isascii() and text.isprintable()
