"""Look again right before each paced create: narrow the window in which two stores race.

Runs on different stores share nothing but GitHub, and GitHub offers no create that
fails when it would be a duplicate (no idempotency key, no condition on a create): two
runs that both find no issue for an item both file one, and converging closes the
second (sync/converge.py, docs/concurrency.md). What can be narrowed is the time between
a run's last look and its create. A run lists the repository once before its creates;
pacing its writes (`write_interval`, 1 s by default) it creates its 20th item some 20 s
after that list, so another store's run that starts meanwhile would file each item
still to come a second time.

So a run that paces its writes lists again before each create, during the pause it
makes anyway: only the followup issues updated since the newest one it has seen in the
repository (`since`, in GitHub's own times: no clock of this machine counts), usually
one short page. What it does with what it sees:

- an issue with the marker of an item it has still to create: another run filed it
  meanwhile; the run lists the repository in full, converges, and links the item
  instead of creating it;
- an issue with the marker of an item it created, numbered lower than its own: another
  run is filing the same items in the same order and was first. The run files the rest
  of its items in reverse order, so that the two meet once instead of racing on each.

Two runs still both file an item when both create it within one look-and-create round
trip of each other (or when GitHub's list lags behind its writes); converging closes
the second. A run that does not pace its writes (write_interval 0) sends its creates
back to back, with no pause to hide a look in: it does not look again.
"""

from __future__ import annotations

from collections import deque
from datetime import timedelta

from followup.errors import InputError
from followup.github.errors import TransientError
from followup.github.issue_mapping import RemoteIssue
from followup.github.issues import as_issue
from followup.github.repos import normalise_repo, parse_issue_ref, repo_path
from followup.sync.candidates import Candidate
from followup.sync.converge import group_key
from followup.sync.filing_converge import ConvergingRun
from followup.sync.repo_poll import list_params

# GitHub's `since` is to the second: look from a second before the newest change seen.
_MARGIN = timedelta(seconds=1)


class LookingRun(ConvergingRun):
    """A filing run's look right before each create (module doc)."""

    def paced(self) -> bool:
        """Tell whether this run's writes are paced (write_interval > 0): it looks again."""
        return self.client.options.write_interval > 0

    def list_since(self, repo: str) -> list[RemoteIssue]:
        """Return the repository's followup issues updated since the newest one seen."""
        name = normalise_repo(repo)
        since = self.seen.get(name)
        path = repo_path(repo, "issues")
        params = list_params(since - _MARGIN if since is not None else None)
        found = [as_issue(data, f"GET {path}", name) for data in self.client.paginate(path, params)]
        issues = [issue for issue in found if not issue.is_pull_request]
        self.note_seen(name, issues)
        return issues

    def look(self, repo: str, queue: deque[Candidate]) -> None:
        """Look for what other runs filed since the last look; link it, reorder if racing.

        The look only narrows a window: when GitHub does not answer it (a 5xx, a
        timeout), the run creates as it would have without it, and converging heals.
        """
        try:
            issues = self.list_since(repo)
        except TransientError as exc:
            self.progress.note("info", f"{repo}: could not look for other runs' issues ({exc})")
            return
        waiting = {c.item_id for c in queue if c.item_id not in self.outcomes}
        filed_meanwhile = lost = False
        for issue in issues:
            key = group_key(issue)
            if key is None or key[1] is None:
                continue
            item_id = key[1]
            filed_meanwhile = filed_meanwhile or item_id in waiting
            mine = self.outcomes.get(item_id)
            if mine is None or mine.outcome != "created" or mine.issue is None:
                continue
            try:
                _, number = parse_issue_ref(mine.issue)
            except InputError:
                continue
            lost = lost or issue.number < number
        if filed_meanwhile:
            # Link them the way converging does everywhere (the lowest number is kept).
            self.reconcile(repo, again=True)
        if lost and repo not in self.reversed:
            self.reversed.add(repo)
            queue.reverse()
            self.progress.note(
                "info",
                f"{repo}: another followup run is filing these items at the same time; "
                "filing the rest in reverse order so that the two meet once",
            )
