"""Branches to protect, each reaching some of followup's write points, and a store to run on.

Every scenario arranges the fake GitHub and one pending protection item, and says which
protection requests applying it sends. Together they reach every write point followup
has: the classic PUT, each setting's own endpoint, and the ruleset create and update.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine
from sqlmodel import select

from followup.store import session_scope
from followup.store.models import EventRow, ItemRow, PostMortemRow
from tests.fakegithub import FakeGitHub
from tests.fakegithub.protection_shapes import classic, reviews

REPO = "octo-org/app"
NOW = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)
ITEM = "prot001"


@dataclass(frozen=True)
class Scenario:
    """A branch as someone left it, what an item asks for, and what applying it sends."""

    name: str
    branch: str
    arrange: Callable[[FakeGitHub], None]
    requested: dict[str, Any]
    writes: tuple[str, ...]  # the fake's endpoint names, in the order followup sends them
    method: str = "auto"


def _admin_protected_main(fake: FakeGitHub) -> None:
    """main as an admin protected it: signed commits, a check bound to its app, reviews..."""
    fake.branch(
        REPO,
        "main",
        classic(
            required_signatures=True,
            enforce_admins=True,
            allow_deletions=True,
            checks=[("ci/build", 15368)],
            strict=True,
            reviews=reviews(
                2,
                dismiss_stale_reviews=True,
                dismissal={"users": ["octocat"], "teams": ["justice-league"], "apps": []},
            ),
            restrictions={"users": ["octocat"], "teams": [], "apps": []},
        ),
    ).reported = ["ci/build"]


def _lightly_protected_main(fake: FakeGitHub) -> None:
    fake.branch(
        REPO, "main", classic(checks=[("ci/build", 15368)], reviews=reviews(1))
    ).reported = ["ci/build", "ci/lint"]


def _unprotected_pages(fake: FakeGitHub) -> None:
    fake.branch(REPO, "gh-pages").reported = ["ci/docs"]


def _release_branches(fake: FakeGitHub) -> None:
    fake.branch(REPO, "release/1.0")


def _main_with_an_old_followup_ruleset(fake: FakeGitHub) -> None:
    _admin_protected_main(fake)
    fake.rulesets[REPO][7] = {
        "id": 7,
        "name": "followup: main",
        "target": "branch",
        "enforcement": "evaluate",
        "bypass_actors": [],
        "conditions": {"ref_name": {"include": ["refs/heads/main"], "exclude": []}},
        "rules": [{"type": "deletion"}],
    }


SCENARIOS: dict[str, Scenario] = {
    s.name: s
    for s in (
        Scenario(
            "classic PUT over an admin's protection",
            "main",
            _admin_protected_main,
            {"allow_deletions": False, "required_linear_history": True},
            ("PUT protection", "PATCH checks", "POST signatures"),
            method="classic",
        ),
        Scenario(
            "each setting on its own endpoint",
            "main",
            _lightly_protected_main,
            {
                "enforce_admins": True,
                "required_signatures": True,
                "required_approving_review_count": 3,
                "contexts": ["ci/build", "ci/lint"],
            },
            ("POST enforce_admins", "POST contexts", "PATCH reviews", "POST signatures"),
        ),
        Scenario(
            "an unprotected branch",
            "gh-pages",
            _unprotected_pages,
            {"allow_deletions": False, "required_signatures": True, "contexts": ["ci/docs"]},
            ("PUT protection", "POST signatures"),
        ),
        Scenario(
            "a new ruleset for a pattern",
            "release/*",
            _release_branches,
            {"allow_deletions": False, "required_approving_review_count": 1},
            ("POST rulesets",),
        ),
        Scenario(
            "followup's ruleset layered over an admin's protection",
            "main",
            _main_with_an_old_followup_ruleset,
            {"allow_force_pushes": False, "required_linear_history": True},
            ("PUT ruleset",),
        ),
    )
}


def add_item(engine: Engine, branch: str, requested: dict[str, Any], item_id: str = ITEM) -> None:
    """Store one pending protection item for the branch."""
    with session_scope(engine) as session:
        pm = session.exec(select(PostMortemRow)).first()
        if pm is None:
            pm = PostMortemRow(
                slug="2026-11-01-outage",
                path="/nowhere/2026-11-01-outage.md",
                title="Outage",
                source="# Outage\n",
                content_hash="x",
                imported_at=NOW,
                updated_at=NOW,
            )
            session.add(pm)
            session.flush()
        assert pm.id is not None
        count = len(list(session.exec(select(ItemRow))))
        session.add(
            ItemRow(
                id=item_id,
                postmortem_id=pm.id,
                position=count,
                title=f"Protect {branch}",
                text=f"Protect {branch}",
                fingerprint=f"protect {branch} {item_id}",
                line=1 + count,
                kind="branch_protection",
                repo=REPO,
                status="open",
                protection={"repo": REPO, "branch": branch, **requested},
                created_at=NOW,
                updated_at=NOW,
            )
        )


def item(engine: Engine, item_id: str = ITEM) -> ItemRow:
    """Return the item as the store has it now."""
    with session_scope(engine) as session:
        row = session.get(ItemRow, item_id)
        assert row is not None
        return row


def events(engine: Engine, item_id: str = ITEM) -> list[EventRow]:
    """Return the item's history."""
    with session_scope(engine) as session:
        return list(session.exec(select(EventRow).where(EventRow.item_id == item_id)))
