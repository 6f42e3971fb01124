"""Record the repositories GitHub redirected during a run under their new names.

The client follows a renamed or transferred repository's redirects by itself and notes
each one (GitHub.moved: old owner/name -> repository id). At the end of a filing run or
a sync, each moved name is looked up once (GET /repos/{old} follows the redirect to the
repository, which names itself) and recorded by id in the store (store/repo_identity),
at most once a day per name. GitHub is asked outside any transaction; the names are
then stored in one of store/retry.py, so two runs recording the same new name at once
both end well (the second finds the first's row) rather than one failing with a
conflict (tests/sync/test_concurrency_decisions.py).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Engine
from sqlmodel import Session

from followup import clock
from followup.github.client import GitHub
from followup.github.errors import GitHubError
from followup.github.repos import RepoInfo, get_repository
from followup.store import retry, session_scope
from followup.store.repo_identity import recently_checked, record_identity


def record_moves(engine: Engine, clients: Iterable[GitHub]) -> list[str]:
    """Record every repository the clients saw moved; return a note for each new name.

    GitHub's failures here are not the run's: the note says the name could not be read.
    """
    pool = list(clients)
    moved: dict[str, int] = {}
    for client in pool:
        moved.update(client.moved)
    if not pool or not moved:
        return []
    client, now = pool[0], clock.now()
    with session_scope(engine) as session:
        due = [
            (name, repo_id)
            for name, repo_id in sorted(moved.items())
            if not recently_checked(session, name, repo_id, now)
        ]
    notes: list[str] = []
    found: list[tuple[str, RepoInfo]] = []
    for name, _ in due:
        try:
            found.append((name, get_repository(client, name)))
        except GitHubError as exc:
            notes.append(
                f"GitHub redirects {name} elsewhere; its new name could not be read: {exc}"
            )

    def store(session: Session) -> list[str]:
        return [
            f"{name} is now {info.full_name} on GitHub (renamed or transferred); "
            "followup follows it, and the post-mortems may name it anew"
            for name, info in found
            if record_identity(session, name, info.id, info.full_name, now)
            and info.full_name.lower() != name
        ]

    if found:
        notes.extend(retry.write(engine, store))
    return notes
