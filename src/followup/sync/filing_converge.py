"""Converge a repository's followup issues after a filing run creates some."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy.orm.exc import ObjectDeletedError

from followup.github.issue_mapping import RemoteIssue
from followup.github.repos import normalise_repo
from followup.store.models import IssueRow
from followup.sync.candidates import Candidate
from followup.sync.filing_state import FilingState
from followup.sync.links import clear_intent
from followup.sync.reconcile import (
    FOUND_BY,
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
        name = normalise_repo(repo)
        with self.control.locked(name):
            issues, converged = converge_on_github(self.client, self.control, name)

            def store() -> None:
                found[:] = [
                    store_convergence(self.session, name, issues, converged, self.changes)[0]
                ]

            self.afresh(store)
        rec = found[0]
        self.recs[repo] = rec
        for message in (*rec.warnings, *converged.notes):
            self.warn(message)
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
