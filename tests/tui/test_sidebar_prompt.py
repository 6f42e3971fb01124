"""The sidebar's options: laid out directly, measured without wrapping, as Content would."""

from __future__ import annotations

import pytest
from textual.content import Content, Span

from followup.tui.widgets.bars import completion_bar
from followup.tui.widgets.sidebar import BAR_WIDTH, prompt

CASES = [
    ("Queue backlog", 3, 10, 1),
    ("A very long post-mortem title that goes on and on", 0, 0, 0),
    ("把告警阈值调低 and page the on-call", 10, 10, 0),
    ("", 1, 2, 0),
    ("tab\there", 5, 9, 2),
    ("Thousands of items", 1234, 56789, 4321),
]


def assembled(title: str, done: int, total: int, overdue: int, width: int) -> Content:
    counts: list[str | tuple[str, str]] = [f" {done}/{total}"]
    if overdue:
        counts.append((f" · {overdue} overdue", "$error"))
    return Content.assemble(
        Content.styled(title, "bold").truncate(width, ellipsis=True),
        "\n",
        completion_bar(done, total, BAR_WIDTH),
        *counts,
    )


@pytest.mark.parametrize("case", CASES)
def test_an_option_reads_and_measures_as_assembled_content(
    case: tuple[str, int, int, int],
) -> None:
    shown = prompt(*case, width=26)
    expected = assembled(*case, 26)
    assert shown.plain == expected.plain
    assert shown.markup == expected.markup
    for width in (4, 8, 12, 20, 25, 26, 30, 60):
        rules: dict[str, object] = {}
        assert shown.get_height(rules, width) == expected.get_height(rules, width), width  # type: ignore[arg-type]


def test_control_codes_never_reach_an_option() -> None:
    shown = prompt("ring\x07 the bell", 1, 2, 0, width=26)
    assert shown.plain.startswith("ring the bell\n")


async def test_showing_the_same_post_mortems_again_keeps_their_options_and_writes_new_counts() -> (
    None
):
    from datetime import UTC, datetime

    from textual.app import App, ComposeResult

    from followup.store.views import PostMortemView
    from followup.tui.widgets.sidebar import PostMortemList

    now = datetime(2026, 6, 1, tzinfo=UTC)

    def view(slug: str, done: int) -> PostMortemView:
        return PostMortemView(slug, slug.title(), "/pm.md", None, None, None, 4, done, 0, now, now)

    class One(App[None]):
        def compose(self) -> ComposeResult:
            yield PostMortemList(id="sidebar")

    app = One()
    async with app.run_test() as pilot:
        side = app.query_one(PostMortemList)
        views = [view("queue", 1), view("pages", 2)]
        side.show(views, None)
        first = side.get_option("queue")
        side.show(list(views), "pages")
        assert side.get_option("queue") is first
        assert side.highlighted == side.get_option_index("pages")
        # An edit changes one post-mortem's counts: only its prompt (and the total) is
        # written again; the options stay, with the list's place in them.
        pages = side.get_option("pages").prompt
        side.show([view("queue", 3), view("pages", 2)], "pages")
        assert side.get_option("queue") is first
        assert "3/4" in str(first.prompt)
        assert side.get_option("pages").prompt is pages
        assert "5/8" in str(side.get_option_at_index(0).prompt)
        assert side.highlighted == side.get_option_index("pages")
        await pilot.pause()
        # Other post-mortems: the list is built again.
        side.show([view("queue", 3), view("pages", 2), view("login", 0)], None)
        assert side.get_option("queue") is not first
        assert side.option_count == 4
        assert "5/12" in str(side.get_option_at_index(0).prompt)
        await pilot.pause()


async def test_an_edit_keeps_the_sidebar_where_it_was_scrolled_to() -> None:
    from datetime import UTC, datetime

    from textual.app import App, ComposeResult

    from followup.store.views import PostMortemView
    from followup.tui.widgets.sidebar import PostMortemList

    now = datetime(2026, 6, 1, tzinfo=UTC)

    def view(n: int, done: int) -> PostMortemView:
        return PostMortemView(
            f"pm-{n}", f"Pm {n}", "/pm.md", None, None, None, 4, done, 0, now, now
        )

    class One(App[None]):
        def compose(self) -> ComposeResult:
            yield PostMortemList(id="sidebar")

    app = One()
    async with app.run_test(size=(60, 20)) as pilot:
        side = app.query_one(PostMortemList)
        views = [view(n, 1) for n in range(200)]
        side.show(views, None)
        await pilot.pause()
        side.scroll_to(y=150, animate=False)
        await pilot.pause()
        assert side.scroll_y == 150
        views[80] = view(80, 2)
        side.show(views, None)
        await pilot.pause()
        assert side.scroll_y == 150
        assert side.highlighted == 0
        assert "2/4" in str(side.get_option("pm-80").prompt)


def test_prompts_with_titles_of_one_length_and_the_same_counts_share_their_spans() -> None:
    first = prompt("Incident one", 3, 10, 1, width=30)
    second = prompt("Incident two", 3, 10, 1, width=30)
    longer = prompt("Incident three", 3, 10, 1, width=30)
    assert first.spans is second.spans
    assert first.plain != second.plain
    assert longer.spans[0] == Span(0, len("Incident three"), "bold")
    assert [(s.start - 2, s.end - 2, s.style) for s in longer.spans[1:]] == [
        (s.start, s.end, s.style) for s in first.spans[1:]
    ]
