"""Claims on comments posted once: a run claims a key before it writes, and records it after.

Two runs on one store (two cron jobs overlapping, a TUI and a CLI) each try to insert
the claim of a (repo, number, key); the database lets one insert succeed, so only that
run goes on to write. A claim is recorded as posted once the comment is there. A claim
never recorded belongs to a run that stopped between its write and its record (a crash,
kill -9): it is taken over once that run is known dead (same machine, process gone) or
its lease ran out, and the taker looks on GitHub before writing anything.

Every function commits at once: a claim must be visible to the other run before either
talks to GitHub.
"""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import Engine, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from followup import clock
from followup.store.models import CommentClaimRow

# A run that has not recorded its write within this long is taken for dead.
LEASE = timedelta(minutes=10)
Claimed = Literal["mine", "posted", "busy"]


def new_run() -> str:
    """Return a name for this run: the machine, the process and a random part."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _alive(run: str) -> bool:
    """Tell whether the run that made a claim may still be working (unknown: yes)."""
    host, _, rest = run.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return True
    pid = int(pid_text)
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass(frozen=True, slots=True)
class Claim:
    """What claiming a key gave: the right to write it, a record it was posted, or a wait."""

    state: Claimed
    run: str
    url: str | None = None
    claimed_by: str | None = None


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=clock.now().tzinfo)


def claim(
    engine: Engine, repo: str, number: int, key: str, *, run: str, item_id: str | None = None
) -> Claim:
    """Claim a key on repo#number for this run, unless another run holds or posted it."""
    now = clock.now()
    try:
        with Session(engine) as session:
            session.add(
                CommentClaimRow(
                    repo=repo, number=number, key=key, item_id=item_id, run=run, claimed_at=now
                )
            )
            session.commit()
        return Claim("mine", run)
    except IntegrityError:
        pass
    with Session(engine) as session:
        row = session.exec(
            select(CommentClaimRow).where(
                CommentClaimRow.repo == repo,
                CommentClaimRow.number == number,
                CommentClaimRow.key == key,
            )
        ).one()
        if row.posted_at is not None:
            return Claim("posted", run, row.url, row.run)
        if row.run == run:
            return Claim("mine", run)
        stale = _aware(row.claimed_at) < now - LEASE
        if not stale and _alive(row.run):
            return Claim("busy", run, claimed_by=row.run)
        # Take it over only if nobody else did meanwhile: the update names the old holder.
        taken = session.execute(
            update(CommentClaimRow)
            .where(
                col(CommentClaimRow.id) == row.id,
                col(CommentClaimRow.run) == row.run,
                col(CommentClaimRow.posted_at).is_(None),
            )
            .values(run=run, claimed_at=now)
        )
        session.commit()
        if taken.rowcount == 1:  # type: ignore[attr-defined]
            return Claim("mine", run)
        return Claim("busy", run, claimed_by=row.run)


def record(
    engine: Engine, repo: str, number: int, key: str, *, run: str, comment_id: int, url: str | None
) -> None:
    """Record that the comment of a key is on GitHub (claimed by this run or found there)."""
    now = clock.now()
    with Session(engine) as session:
        done = session.execute(
            update(CommentClaimRow)
            .where(
                col(CommentClaimRow.repo) == repo,
                col(CommentClaimRow.number) == number,
                col(CommentClaimRow.key) == key,
            )
            .values(run=run, comment_id=comment_id, url=url, posted_at=now)
        )
        if done.rowcount == 0:  # type: ignore[attr-defined]
            session.add(
                CommentClaimRow(
                    repo=repo,
                    number=number,
                    key=key,
                    run=run,
                    claimed_at=now,
                    comment_id=comment_id,
                    url=url,
                    posted_at=now,
                )
            )
        try:
            session.commit()
        except IntegrityError:
            session.rollback()  # another run recorded it first: that is the same record


def release(engine: Engine, repo: str, number: int, key: str, *, run: str) -> None:
    """Drop this run's claim when it could not write (the next run looks and tries again)."""
    with Session(engine) as session:
        row = session.exec(
            select(CommentClaimRow).where(
                CommentClaimRow.repo == repo,
                CommentClaimRow.number == number,
                CommentClaimRow.key == key,
                CommentClaimRow.run == run,
                col(CommentClaimRow.posted_at).is_(None),
            )
        ).first()
        if row is not None:
            session.delete(row)
            session.commit()


def state(engine: Engine, repo: str, number: int, key: str) -> Literal["posted", "pending", "none"]:
    """Tell whether a key's comment is recorded as posted, claimed but not recorded, or neither."""
    with Session(engine) as session:
        row = session.exec(
            select(CommentClaimRow).where(
                CommentClaimRow.repo == repo,
                CommentClaimRow.number == number,
                CommentClaimRow.key == key,
            )
        ).first()
    if row is None:
        return "none"
    return "posted" if row.posted_at is not None else "pending"
