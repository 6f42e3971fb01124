"""`followup tui`, also what a bare `followup` runs."""

from __future__ import annotations

import click

from followup.cli.context import CliContext, pass_cli
from followup.cli.options import examples
from followup.store.filters import normalise_owner, parse_statuses


@click.command(
    "tui",
    epilog=examples("followup tui --mine", "followup tui --overdue -p 2019-12-05-gh-pages"),
)
@click.option(
    "--mine", is_flag=True, help="Start with only your items (setting 'me', or the token's)."
)
@click.option("--owner", help="Start with only this owner's items.")
@click.option(
    "--status",
    "statuses",
    multiple=True,
    help="Start with only these statuses (repeat or comma-separate).",
)
@click.option("--postmortem", "-p", metavar="SLUG", help="Start with one post-mortem's items.")
@click.option("--overdue", is_flag=True, help="Start with only overdue items.")
@click.option("--search", "-s", metavar="TEXT", help="Start with this search.")
@pass_cli
def tui_command(
    cli: CliContext,
    mine: bool,
    owner: str | None,
    statuses: tuple[str, ...],
    postmortem: str | None,
    overdue: bool,
    search: str | None,
) -> None:
    """Open the terminal UI (keys: ? for help, ctrl+p for every command)."""
    from followup.github.client import GitHubFactory
    from followup.tui.app import make_app
    from followup.tui.filtering import Filters
    from followup.tui.first_page import open_direct

    filters = Filters(
        text=search or "",
        statuses=parse_statuses(statuses),
        owner=normalise_owner(owner) if owner else None,
        postmortem=postmortem,
        overdue=overdue,
        mine=mine,
    )
    settings = cli.settings
    # A store that can be read as it is shows its first rows before SQLAlchemy is even
    # imported, and its engine opens in the background; any other store is opened (and
    # migrated, its deadlines worked out) first, as `followup list` does.
    first_page = open_direct(settings.database_url_or_default(), settings.policy.key)
    app = make_app(
        engine=cli.engine if first_page is not None else cli.engine(),
        settings=settings,
        github_factory=GitHubFactory(settings),
        filters=filters,
        first_page=first_page,
    )
    try:
        app.run()
    finally:
        if first_page is not None:
            first_page.close()
