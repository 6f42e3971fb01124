"""What `followup list` and `followup show` share: the store opened directly, renames noted."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from followup.cli import printing
from followup.cli.context import CliContext
from followup.config import mask_url

if TYPE_CHECKING:
    from followup.store.direct import DirectStore

log = logging.getLogger("followup.cli")


def open_directly(cli: CliContext) -> DirectStore | None:
    """Return the store opened by its driver, if it can be read as it is; else None."""
    from followup.store import direct

    url = cli.settings.database_url_or_default()
    store = direct.open_store(url)
    if store is None:
        return None
    if not direct.ready(store, cli.settings.policy.key):
        store.close()
        return None
    log.info("opening the store at %s", mask_url(url))
    return store


def note_renames(cli: CliContext, moved: list[tuple[str, str]]) -> None:
    """Say which repositories are shown under the name GitHub gives them now."""
    for old, new in moved:
        printing.line(
            cli.err, f"note: {old} is now {new} on GitHub (renamed or transferred)", style="dim"
        )
