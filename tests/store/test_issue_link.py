"""A link to an issue on github.com works its URL out instead of holding it, unnoticed."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from followup.store.views import GitHubIssueLink, IssueLink, lean_issue

URL = "https://github.com/octo-org/app/issues/12"


def plain(url: str | None = URL, **fields: Any) -> IssueLink:
    """Return a link to octo-org/app#12 holding `url`, open unless said otherwise."""
    return IssueLink("octo-org/app", 12, url, **{"state": "open", **fields})


def held(link: IssueLink) -> object:
    """Return the URL string the link holds itself (its slot), not what it reads as."""
    return IssueLink.__dict__["url"].__get__(link, IssueLink)


def test_a_github_link_holds_no_url_and_reads_equals_and_hashes_as_before() -> None:
    link = lean_issue(plain(title="Add a runbook", labels=("followup",)))
    assert type(link) is GitHubIssueLink
    assert held(link) is None
    assert link.url == URL
    same = plain(title="Add a runbook", labels=("followup",))
    assert link == same
    assert same == link
    assert hash(link) == hash(same)
    assert {same} == {link}
    assert link.to_json() == same.to_json()
    assert link.ref == "octo-org/app#12"


@pytest.mark.parametrize(
    "url",
    [
        "https://ghe.example.com/octo-org/app/issues/12",
        "https://github.com/Octo-Org/App/issues/12",
        "https://github.com/octo-org/app/issues/120",
        "https://github.com/octo-org/app/pull/12",
        None,
    ],
)
def test_any_other_address_is_held_as_it_is(url: str | None) -> None:
    link = lean_issue(plain(url))
    assert type(link) is IssueLink
    assert held(link) == url
    assert link.url == url


def test_links_that_differ_are_unequal() -> None:
    link = lean_issue(plain())
    assert link != plain(state="closed")
    assert plain(state="closed") != link
    assert link != lean_issue(IssueLink("octo-org/app", 13, URL.replace("12", "13"), "open"))
    assert link != plain("https://ghe.example.com/octo-org/app/issues/12")


def test_a_github_link_given_another_url_holds_that_one() -> None:
    link = lean_issue(plain())
    closed = replace(link, state="closed")
    assert closed.url == URL
    assert closed.state == "closed"
    moved = replace(link, url="https://ghe.example.com/x")
    assert type(moved) is IssueLink
    assert moved.url == "https://ghe.example.com/x"
    link.url = None
    assert type(link) is IssueLink
    assert link.url is None
    assert link == plain(None)
