"""Create the issues of a repository's items, exactly once, whoever edits them meanwhile."""

from __future__ import annotations

from collections import deque

from sqlalchemy.exc import InvalidRequestError

from followup.github.errors import (
    AuthError,
    Forbidden,
    Gone,
    NotFound,
    RateLimited,
    TransientError,
    Unprocessable,
)
from followup.github.issue_mapping import (
    FOLLOWUP_LABEL,
    NewIssue,
    RemoteIssue,
    is_login,
    same_label,
)
from followup.github.issues import can_be_assigned, create_issue
from followup.store import retry
from followup.store.failures import LOST_RACE, ConcurrentUpdate
from followup.store.models import IssueRow, ItemRow, Status
from followup.sync.candidates import (
    Candidate,
    about_assignees,
    classify,
    explain,
    labels_for,
    new_issue,
)
from followup.sync.edit_fields import FIELD_STATE
from followup.sync.filing_edits import Built, late_edits, queue_late_edits
from followup.sync.filing_look import LookingRun
from followup.sync.links import (
    apply_issue,
    clear_intent,
    record_intent,
    remote_from_row,
    set_status,
)


class _Changed(Exception):
    """Another writer changed the item between the run's read of it and its intent."""


class CreatingRun(LookingRun):
    """A filing run's creates: each item's issue, once, on the item as the store has it now."""

    def creates(self, repo: str, group: list[Candidate]) -> None:
        # Another run on this store may be filing into repo: wait for it, then read
        # again what it stored and what GitHub has, before creating anything.
        with self.control.locked(repo):

            def keep_repo() -> None:
                for c in group:
                    if c.item.repo is None:
                        # Filed with --repo: keep the repository when the document is
                        # re-imported.
                        c.item.repo = repo
                        c.item.overrides = {**(c.item.overrides or {}), "repo": repo}

            self.afresh(keep_repo)
            self.reconcile(repo)
            remaining = [c for c in group if c.item_id not in self.outcomes]
            if not remaining:
                return
            self.ensure_labels(repo, [labels_for(c) for c in remaining])
            created = 0
            queue = deque(remaining)
            while queue and not self.control.halted():
                if self.paced():
                    # Another store's run may have filed some meanwhile (filing_look.py).
                    self.look(repo, queue)
                created += self.create(repo, queue.popleft())
            if created and not self.control.halted():
                # Runs on other stores may have filed the same items meanwhile: list
                # again, fresh, and keep the lowest-numbered issue of each.
                self.reconcile(repo, again=True)
                self.settle(repo)

    def can_assign(self, repo: str, owner: str | None) -> bool:
        if not owner or not is_login(owner):
            return False
        key = (repo, owner.lower())
        if key not in self.assignable:
            self.assignable[key] = can_be_assigned(self.client, repo, owner)
        return self.assignable[key]

    def forgotten(self, c: Candidate) -> bool:
        """Tell whether the item left the store (followup forget) since this run read it.

        Reads the item afresh either way: what the run decides next goes by it.
        """
        if self.session.get(ItemRow, c.item_id, populate_existing=True) is not None:
            return False
        self.done(c, "skipped", reason="forgotten meanwhile (followup forget): not filed")
        return True

    def still_to_create(self, repo: str, c: Candidate) -> bool:
        """Read the item afresh and tell whether it is still to be created in repo.

        A person may have closed or edited it since the run chose it (in a TUI, from the
        CLI), or another run linked it: the run files what the store says now.
        """
        if self.forgotten(c):
            return False
        if c.item.issue_id is not None:
            issue = self.session.get(IssueRow, c.item.issue_id)
            remote = remote_from_row(issue) if issue else None
            self.done(c, "linked", remote=remote, reason="linked meanwhile by another followup")
            return False
        now = classify(c.item, c.pm, None, include_drafts=True, default_repo=self.default_repo)
        if now.action == "create" and now.repo == repo:
            return True
        why = f"its repository is now {now.repo}" if now.action == "create" else now.reason
        self.done(c, "skipped", reason=f"changed meanwhile ({why}): not filed")
        return False

    def intend(self, c: Candidate) -> bool:
        """Commit the intent to create the item's issue; False when the item was forgotten.

        Raises _Changed when another writer changed the item since it was read.
        """
        record_intent(c.item)
        try:
            self.commit()
        except ConcurrentUpdate:
            if self.forgotten(c):
                return False
            raise _Changed from None
        return True

    def create(self, repo: str, c: Candidate) -> bool:
        """Create the item's issue; tell whether this run created one."""
        for _ in range(retry.ATTEMPTS):
            if not self.still_to_create(repo, c):
                return False
            assign = self.can_assign(repo, c.item.owner)
            if c.item.owner and is_login(c.item.owner) and not assign:
                self.warn(
                    f"{c.label}: @{c.item.owner} cannot be assigned in {repo}; "
                    "the issue mentions them instead"
                )
            new = new_issue(c, assign=assign)
            built = self.built[c.item_id] = Built.of(c.item)
            try:
                remote = self.post(repo, c, new)
            except _Changed:
                continue  # decide again, on the item as the other writer left it
            break
        else:
            self.done(c, "failed", reason=LOST_RACE)
            return False
        if remote is None:
            return c.item_id in self.outcomes and self.outcomes[c.item_id].outcome == "created"
        if not self.keep(c, remote, built):
            # The issue exists: say which, so that it is not on GitHub unbeknown.
            reason = (
                f"{remote.ref} was filed, but the item was forgotten meanwhile (followup "
                "forget); the issue stays on GitHub: close it there if unwanted"
            )
            self.warn(f"{c.label}: {reason}")
            self.done(c, "created", remote=remote, reason=reason)
            return True
        if not any(same_label(label, FOLLOWUP_LABEL) for label in remote.labels):
            self.warn(
                f"{c.label}: {remote.ref} was filed without its labels (the token may not set "
                f"labels in {repo}); a fresh store cannot find it again"
            )
        self.done(c, "created", remote=remote)
        return True

    def keep(self, c: Candidate, remote: RemoteIssue, built: Built) -> bool:
        """Store the issue just created and link the item to it, whoever edits the item meanwhile.

        The create is done: a conflict with another writer (a person's edit of the item
        during the POST) stores the link again on the item as it is now, and queues what
        that edit changed for the issue (filing_edits.py). False when the item left the
        store meanwhile (followup forget), with nothing to link.
        """
        for attempt in range(1, retry.ATTEMPTS + 1):
            try:
                # Read afresh: an edit may have landed during the POST.
                self.session.refresh(c.item)
            except InvalidRequestError:
                return False  # deleted: forgotten meanwhile
            status = c.item.status
            late = late_edits(c.item, built)
            row = apply_issue(
                self.session, c.item, remote, self.changes, how="created", at=remote.created_at
            )
            if FIELD_STATE in late:
                # Closed while GitHub created the issue: the close stands, and is queued.
                set_status(c.item, Status(status), self.changes, detail={"issue": remote.ref})
            queued = queue_late_edits(self.session, c.item, row, late)
            # Created, not yet converged: a run killed before converging leaves this for the
            # next one to find (see unconverged); converging clears it.
            record_intent(c.item)
            try:
                self.commit()
            except ConcurrentUpdate:
                if self.session.get(ItemRow, c.item_id, populate_existing=True) is None:
                    return False
                if attempt == retry.ATTEMPTS:
                    raise
                continue
            if queued:
                self.warn(
                    f"{c.label}: its {', '.join(queued)} changed while {remote.ref} was being "
                    "created; 'followup sync' sends the change to the issue"
                )
            return True
        return True

    def post(self, repo: str, c: Candidate, new: NewIssue) -> RemoteIssue | None:
        """Create the issue once; after an unconfirmed create, look before trying again."""
        attempts = 0
        while True:
            attempts += 1
            if not self.intend(c):
                return None
            try:
                return create_issue(self.client, repo, new)
            except TransientError as exc:
                if not exc.maybe_applied:
                    raise
                self.warn(f"{c.label}: {exc}; checking whether GitHub created the issue")
                rec = self.reconcile(repo, again=True)
                found = rec.issue_for(c.item_id)
                if found is not None:
                    self.done(
                        c,
                        "created",
                        remote=found,
                        reason="GitHub created it; found on a second look",
                    )
                    return None
                if attempts >= 2:
                    self.done(
                        c,
                        "failed",
                        reason=f"GitHub did not confirm the issue twice ({exc}); run again: "
                        "followup finds the issue if it was created",
                    )
                    return None
            except Unprocessable as exc:
                clear_intent(c.item)
                self.commit()
                if new.assignees and about_assignees(exc):
                    self.assignable[(repo, (c.item.owner or "").lower())] = False
                    self.warn(
                        f"{c.label}: GitHub refused to assign @{c.item.owner}; "
                        "filing it with a mention instead"
                    )
                    new = new_issue(c, assign=False)
                    continue
                self.done(c, "failed", reason=explain(exc, repo))
                return None
            except (NotFound, Gone, Forbidden, AuthError, RateLimited):
                # Refused: nothing was created, so no intent is left for the next run to chase.
                clear_intent(c.item)
                self.commit()
                raise
