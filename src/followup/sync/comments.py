"""Keep one comment per key on an issue or pull request: create it, update it, never two.

followup posts some things as a comment it then keeps up to date: the plan of a pull
request that edits a post-mortem (key `plan:<pr>`), later a report (`report:<period>`)
or a reminder digest. Call

    kept = keep_comment(client, "owner/name", 12, "plan:12", markdown)

and the comment on owner/name#12 kept under that key says `markdown` afterwards:
created when there is none, updated (PATCH) when it says something else, left alone
(no write) when it already says it. The key travels in a hidden last line of the body
(github/comments.py), so a run with an empty store finds the comment again.

Never two, whatever fails:

- A create whose answer was lost (a 502, a timeout, a dropped connection) may have been
  carried out: the comments are listed again before anything is re-sent, and a create is
  sent at most twice.
- Two runs may race (two pushes to one pull request): both list, see nothing, and both
  create. So after creating, a run lists again. The marked comment with the lowest id is
  the one kept; every other marked comment is a duplicate, deleted by whichever run sees
  it (a duplicate already deleted by the other run is fine). A run whose own comment lost
  then brings the kept one up to date, so the text of the last run to finish wins, as it
  would without a race.
- Duplicates a crashed run left behind are deleted the same way by the next run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from followup.github.client import GitHub
from followup.github.comments import (
    Comment,
    create_comment,
    delete_comment,
    has_marker,
    list_comments,
    marked_body,
    same_body,
    update_comment,
)
from followup.github.errors import GitHubError, NotFound, TransientError

CommentAction = Literal["created", "updated", "unchanged"]
Note = Callable[[str], None]
# Looks before giving up when the kept comment keeps vanishing or answers keep being lost.
MAX_ROUNDS = 3


@dataclass(frozen=True, slots=True)
class KeptComment:
    """What keeping a comment did: the comment as it now stands, and the duplicates removed."""

    action: CommentAction
    comment: Comment
    deleted: tuple[int, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def url(self) -> str | None:
        """Return the comment's web address."""
        return self.comment.url


class CommentFailed(GitHubError):
    """GitHub never confirmed the comment, and it is not there."""


def find_kept(client: GitHub, repo: str, number: int, key: str) -> list[Comment]:
    """Return the comments kept under key on repo#number, lowest id (the one kept) first."""
    found = [c for c in list_comments(client, repo, number) if has_marker(c.body, key)]
    return sorted(found, key=lambda comment: comment.id)


class _Keeper:
    def __init__(
        self, client: GitHub, repo: str, number: int, key: str, body: str, note: Note | None
    ) -> None:
        self.client = client
        self.repo = repo
        self.number = number
        self.key = key
        self.body = body
        self.deleted: list[int] = []
        self.notes: list[str] = []
        self._note = note
        # What the first look found, lowest id first: the action is relative to it.
        self.before: list[Comment] | None = None

    def note(self, message: str) -> None:
        self.notes.append(message)
        if self._note is not None:
            self._note(message)

    def look(self) -> list[Comment]:
        marked = find_kept(self.client, self.repo, self.number, self.key)
        if self.before is None:
            self.before = marked
        return marked

    def action(self) -> CommentAction:
        if not self.before:
            return "created"
        return "unchanged" if same_body(self.before[0].body, self.body) else "updated"

    def keep_lowest(self, marked: list[Comment]) -> Comment:
        """Return the lowest-id comment; delete the others (duplicates)."""
        kept, *duplicates = sorted(marked, key=lambda comment: comment.id)
        for duplicate in duplicates:
            if delete_comment(self.client, self.repo, duplicate.id):
                self.deleted.append(duplicate.id)
            self.note(
                f"removed a duplicate comment ({duplicate.id}) of {self.key}; "
                f"the one kept is {kept.id}"
            )
        return kept

    def up_to_date(self, kept: Comment) -> Comment:
        if same_body(kept.body, self.body):
            return kept
        return update_comment(self.client, self.repo, kept.id, self.body)

    def create(self) -> list[Comment]:
        """Create the comment, then return the marked comments as a fresh look finds them."""
        for attempt in (1, 2):
            try:
                mine = create_comment(self.client, self.repo, self.number, self.body)
            except TransientError as exc:
                if not exc.maybe_applied:
                    raise
                self.note(f"{exc}; looking whether GitHub added the comment before sending again")
                marked = self.look()
                if marked:
                    return marked
                if attempt == 2:
                    raise CommentFailed(
                        f"GitHub did not confirm the comment {self.key} on "
                        f"{self.repo}#{self.number} twice ({exc}); run again",
                        status=exc.status,
                    ) from None
                continue
            # Another run may have created one at the same time: look again, lowest id wins.
            marked = self.look()
            if all(comment.id != mine.id for comment in marked):
                marked.append(mine)  # not listed yet; it still counts
            return marked
        raise AssertionError("unreachable")  # pragma: no cover

    def round(self) -> Comment:
        marked = self.look() or self.create()
        return self.up_to_date(self.keep_lowest(marked))

    def run(self) -> KeptComment:
        for _ in range(MAX_ROUNDS):
            try:
                kept = self.round()
            except NotFound:
                # The kept comment was deleted between our look and our write (a pull
                # request that is not there fails the first look, which is not caught).
                if self.before is None:
                    raise
                self.note(f"the comment {self.key} vanished while it was written; looking again")
            except TransientError as exc:
                # An update or a delete whose answer was lost: both are safe to redo
                # after a fresh look. (A create's is handled in create.)
                if not exc.maybe_applied:
                    raise
                self.note(f"{exc}; looking again")
            else:
                return KeptComment(self.action(), kept, tuple(self.deleted), tuple(self.notes))
        raise CommentFailed(
            f"could not settle the comment {self.key} on {self.repo}#{self.number}; run again"
        )


def keep_comment(
    client: GitHub,
    repo: str,
    number: int,
    key: str,
    text: str,
    *,
    on_note: Note | None = None,
) -> KeptComment:
    """Make the comment kept under key on repo#number say text: create, update or leave it.

    key is `kind:subject` (`plan:12`, `report:2026-W47`); text is the Markdown to show
    (the hidden marker is added, and text is cut to GitHub's size limit if it must be).
    on_note hears what happened on the way (a lost answer, a duplicate removed).
    Raises GitHubError when GitHub refuses (no such issue, a read-only token).
    """
    body = marked_body(text, key)
    return _Keeper(client, repo, number, key, body, on_note).run()
