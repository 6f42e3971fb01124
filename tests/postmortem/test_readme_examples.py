"""Every example the README gives extracts as the README says it does."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from followup.postmortem import Kind, RefKind, parse, read

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def example_block() -> str:
    """Return the README's Markdown example of a post-mortem followup understands."""
    blocks = re.findall(r"```markdown\n(.*?)```", README, re.DOTALL)
    assert blocks, "the README has no ```markdown example"
    return str(blocks[0])


def protection_phrasings() -> list[str]:
    """Return the branch-protection recommendations the README quotes."""
    m = re.search(r"Branch-protection\s+recommendations\s+—(.*?)—\s+become", README, re.DOTALL)
    assert m is not None, "the README no longer lists protection phrasings"
    return [" ".join(p.split()) for p in re.findall(r"\"([^\"]+)\"", m[1])]


def test_the_readme_example_block() -> None:
    pm = parse(example_block(), path="2019-12-05-gh-pages.md")
    assert pm.repo == "googleapis/docs"
    assert pm.date == date(2019, 12, 5)
    assert pm.status == "final" and not pm.is_draft
    protect, alert, republish = pm.items
    assert protect.kind is Kind.BRANCH_PROTECTION
    assert protect.protection is not None
    assert (protect.protection.branch, protect.protection.requested()) == (
        "gh-pages",
        {"allow_deletions": False},
    )
    assert (protect.owner, protect.priority, protect.due, protect.type, protect.done) == (
        "dana",
        "P1",
        date(2019, 12, 13),
        "prevent",
        False,
    )
    assert (alert.title, alert.kind, alert.owner, alert.due, alert.done) == (
        "Add an alert on docs availability",
        Kind.ISSUE,
        "lee",
        date(2026, 5, 30),
        False,
    )
    assert (republish.title, republish.done) == ("Republish the branch", True)
    assert [(r.kind, r.number) for r in republish.references] == [(RefKind.NUMBER, 12)]
    assert not pm.suggested_items


def test_the_quick_start_example_has_one_protection_item_and_two_issues() -> None:
    assert "one branch-protection recommendation and two issues" in README
    pm = read(ROOT / "examples" / "postmortems" / "2019-12-05-gh-pages.md")
    kinds = sorted(item.kind.value for item in pm.items)
    assert kinds == ["branch_protection", "issue", "issue"]


@pytest.mark.parametrize("phrase", protection_phrasings())
def test_each_protection_phrasing_the_readme_quotes(phrase: str) -> None:
    pm = parse(f"## Action Items\n\n- {phrase}\n", default_repo="octo/app")
    (item,) = pm.items
    assert item.kind is Kind.BRANCH_PROTECTION, phrase
    assert item.protection is not None and item.protection.requested()


def test_the_readme_lists_the_four_phrasings() -> None:
    assert len(protection_phrasings()) == 4


@pytest.mark.parametrize(
    ("marker", "done"), [("[x]", True), ("✅", True), ("DONE", True), ("[ ]", False)]
)
def test_checked_items_count_as_done(marker: str, done: bool) -> None:
    assert "checked items (`[x]`, ✅, DONE) count as done" in README
    pm = parse(f"## Action Items\n\n- {marker} Add a canary\n")
    assert [(i.title, i.done) for i in pm.items] == [("Add a canary", done)]


@pytest.mark.parametrize(
    "reference",
    ["#12", "googleapis/docs#12", "https://github.com/googleapis/docs/issues/12"],
)
def test_items_that_link_an_issue_keep_the_link(reference: str) -> None:
    assert "(`#12`, `owner/repo#12`, an issue URL)" in README
    pm = parse(f"## Action Items\n\n- Add a canary ({reference})\n")
    (item,) = pm.items
    assert item.title == "Add a canary"
    assert [r.number for r in item.references] == [12]


def test_the_other_formats_the_readme_names() -> None:
    heading = "### 2. Add a queue-depth alert (@kim)\n[detect]"
    for phrase in (
        heading,
        "`(@marco, due end of Q1, P2)`",
        "`— @priya, P2`",
        "`[SRE] …`",
        "`Jane to …`",
        '("We will add alerting on …")',
    ):
        assert phrase in README, phrase
    pm = parse(
        "---\ndate: 2026-01-12\n---\n\n# Outage\n\n## Summary\n\nWe will add alerting on queue "
        "depth.\n\n## Action items\n\n"
        "- Move discovery off DNS (@marco, due end of Q1, P2)\n"
        "- Add a canary — @priya, P2\n- [SRE] Add a resolver pool\n- Jane to update the runbook\n"
        "\nAction: Rotate the keys\n\n"
        "## Follow-ups\n\n### 2. Add a queue-depth alert (@kim) [detect]\n\nPage at 10,000.\n"
    )
    found = {i.title: i for i in pm.items}
    assert (found["Move discovery off DNS"].owner, found["Move discovery off DNS"].priority) == (
        "marco",
        "P2",
    )
    moved = found["Move discovery off DNS"]
    assert (moved.due, moved.due_approximate) == (date(2026, 3, 31), True)
    assert (found["Add a canary"].owner, found["Add a canary"].priority) == ("priya", "P2")
    assert found["Add a resolver pool"].owner == "SRE"
    assert found["Update the runbook"].owner == "Jane"
    assert "Rotate the keys" in found
    alert = found["Add a queue-depth alert"]
    assert (alert.owner, alert.type) == ("kim", "detect")
    assert found["Add alerting on queue depth"].suggested


def test_the_prose_commitments_the_readme_names_are_suggested() -> None:
    m = re.search(r"So do the other ways teams write\s+them \((.*?)\);", README, re.DOTALL)
    assert m is not None, "the README no longer lists other ways of writing a commitment"
    openings = re.findall(r"\"(.*?) …\"", " ".join(m[1].split()))
    assert len(openings) == 4
    for opening in openings:
        pm = parse(f"# Outage\n\n## Summary\n\n{opening} add a lag alert on the replica.\n")
        assert [(i.title, i.suggested) for i in pm.items] == [
            ("Add a lag alert on the replica", True)
        ], opening
