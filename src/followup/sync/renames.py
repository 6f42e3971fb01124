"""Record the repositories GitHub redirected during a run under their new names.

The client follows a renamed or transferred repository's redirects by itself and notes
each one (GitHub.moved: old owner/name -> repository id). At the end of a filing run or
a sync, each moved name is looked up once (GET /repos/{old} follows the redirect to the
repository, which names itself) and recorded by id in the store (store/repo_identity),
at most once a day per name.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session

from followup import clock
from followup.github.client import GitHub
from followup.github.errors import GitHubError
from followup.github.repos import get_repository
from followup.store.repo_identity import recently_checked, record_identity


def record_moves(session: Session, clients: Iterable[GitHub]) -> list[str]:
    """Record every repository the clients saw moved; return a note for each new name.

    GitHub's failures here are not the run's: the note says the name could not be read.
    Nothing is committed.
    """
    pool = list(clients)
    moved: dict[str, int] = {}
    for client in pool:
        moved.update(client.moved)
    if not pool or not moved:
        return []
    client, now = pool[0], clock.now()
    notes: list[str] = []
    for name, repo_id in sorted(moved.items()):
        if recently_checked(session, name, repo_id, now):
            continue
        try:
            info = get_repository(client, name)
        except GitHubError as exc:
            notes.append(
                f"GitHub redirects {name} elsewhere; its new name could not be read: {exc}"
            )
            continue
        recorded = record_identity(session, name, info.id, info.full_name, now)
        if recorded and info.full_name.lower() != name:
            notes.append(
                f"{name} is now {info.full_name} on GitHub (renamed or transferred); "
                "followup follows it, and the post-mortems may name it anew"
            )
    return notes
