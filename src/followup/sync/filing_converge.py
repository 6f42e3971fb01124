"""Converge a repository's followup issues after a filing run creates some."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy.orm.exc import ObjectDeletedError

from followup.github.issue_mapping import RemoteIssue
from followup.github.repos import normalise_repo
from followup.store.models import IssueRow, ItemRow
from followup.sync.candidates import Candidate
from followup.sync.filing_edits import Late, requeue
from followup.sync.filing_state import FilingState
from followup.sync.links import clear_intent, find_issue
from followup.sync.reconcile import (
    FOUND_BY,
    Match,
    Reconciliation,
    converge_on_github,
    store_convergence,
)


class ConvergingRun(FilingState):
    """A filing run's converging: one open issue per item, whichever runs filed it."""

    def unconverged(self, cands: list[Candidate]) -> list[str]:
        """Return the repositories where a run created issues and stopped before converging."""
        repos = {
            c.issue.repo
            for c in cands
            if c.issue is not None and c.item.filing_intent_at is not None
        }
        return sorted(repos - set(self.recs))

    def converge(self, repo: str) -> None:
        """Converge what a killed run created in repo (it left its items' intents set)."""
        with self.control.locked(repo):
            self.commit()
            self.session.expire_all()
            self.reconcile(repo, again=True)
            self.settle(repo)

    def settle(self, repo: str) -> None:
        """Clear the intents of the items linked in repo: their issues are converged."""

        def clear() -> None:
            for c in self.by_id.values():
                try:
                    issue_id, intent = c.item.issue_id, c.item.filing_intent_at
                except ObjectDeletedError:
                    continue  # forgotten meanwhile (followup forget)
                issue = self.session.get(IssueRow, issue_id) if issue_id else None
                if issue is not None and issue.repo == repo and intent is not None:
                    clear_intent(c.item)

        self.afresh(clear)

    def reconcile(self, repo: str, *, again: bool = False) -> Reconciliation:
        """List repo's followup issues afresh, close duplicates, link items to the kept ones."""
        if repo in self.recs and not again:
            return self.recs[repo]
        found: list[Reconciliation] = []
        requeued: list[tuple[str, str, list[str]]] = []
        name = normalise_repo(repo)
        with self.control.locked(name):
            issues, converged = converge_on_github(self.client, self.control, name)

            def store() -> None:
                # Read before linking: linking gives an item its issue's status.
                late = self.edits_since_built()
                rec, changed = store_convergence(
                    self.session, name, issues, converged, self.changes
                )
                found[:] = [rec]
                requeued[:] = self.requeue(changed, late)

            self.afresh(store)
        rec = found[0]
        self.recs[repo] = rec
        self.note_seen(name, rec.issues)
        for message in (*rec.warnings, *converged.notes):
            self.warn(message)
        for item_id, ref, words in requeued:
            self.warn(
                f"{self.by_id[item_id].label}: its {', '.join(words)} changed while its issue "
                f"was being filed; 'followup sync' sends the change to {ref}"
            )
        for match in rec.matches:
            c = self.by_id.get(match.item_id)
            if c is None:
                continue
            raced = [closed.message for closed in converged.closed_for(match.item_id)]
            for message in raced:
                self.warn(f"{c.label}: {message}")
            if c.action == "create" and not again:
                reason = f"already on GitHub (found {FOUND_BY[match.how]})"
                self.done(
                    c,
                    "linked",
                    remote=match.issue,
                    reason=reason,
                    warnings=raced,
                    raced=bool(raced),
                )
            else:
                self.raced(c, match.issue, raced)
        return rec

    def edits_since_built(self) -> dict[str, Late]:
        """Return, for each item this run built an issue for, its edits since (read afresh)."""
        late: dict[str, Late] = {}
        for item_id, built in self.built.items():
            item = self.session.get(ItemRow, item_id)
            if item is not None:
                late[item_id] = Late.of(item, built)
        return late

    def requeue(
        self, changed: list[Match], late: dict[str, Late]
    ) -> list[tuple[str, str, list[str]]]:
        """Queue the late edits of the run's items a listing linked to another issue.

        An unconfirmed create found on a second look, or an item moved by converging to
        the issue another run filed: the edits made since the run built its own issue are
        not on that one (filing_edits.py). Returns (item, issue, fields) for each.
        """
        out: list[tuple[str, str, list[str]]] = []
        for match in changed:
            item = self.session.get(ItemRow, match.item_id)
            row = find_issue(self.session, match.issue.repo, match.issue.number)
            if match.item_id not in late or item is None or row is None:
                continue
            words = requeue(self.session, item, row, late[match.item_id], self.changes)
            if words:
                out.append((match.item_id, match.issue.ref, words))
        return out

    def raced(self, c: Candidate, kept: RemoteIssue, warnings: list[str]) -> None:
        """Correct an item's outcome after converging: linked, if another run's issue is kept."""
        before = self.outcomes.get(c.item_id)
        if before is None or before.outcome == "failed":
            return
        raced = before.raced or bool(warnings)
        if before.issue == kept.ref:
            if warnings:
                self.outcomes[c.item_id] = replace(
                    before, warnings=(*before.warnings, *warnings), raced=raced
                )
            return
        self.outcomes[c.item_id] = replace(
            before,
            outcome="linked",
            issue=kept.ref,
            url=kept.url,
            reason=f"another run filed it first, as {kept.ref}",
            warnings=(*before.warnings, *warnings),
            raced=raced,
        )
