"""Repository names: parse, validate and build API paths."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote

from followup.errors import InputError
from followup.github.errors import BadAnswer

if TYPE_CHECKING:
    from followup.github.client import GitHub

# GitHub's rules: owners are alphanumerics and single hyphens; names add . and _.
_REPO = re.compile(
    r"^(?P<owner>[A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))/(?P<name>[A-Za-z0-9._-]{1,100})$"
)


def parse_repo(text: str) -> tuple[str, str]:
    """Return (owner, name) from 'owner/name', or fail with a line saying what is wrong."""
    match = _REPO.match(text.strip())
    if match is None or match["name"] in (".", ".."):
        raise InputError(f"not a repository: {text!r} (expected owner/name)")
    return match["owner"], match["name"]


def normalise_repo(text: str) -> str:
    """Return 'owner/name' in lowercase, as the store keeps it."""
    owner, name = parse_repo(text)
    return f"{owner}/{name}".lower()


def repo_path(repo: str, *parts: str | int) -> str:
    """Return the REST path /repos/{owner}/{repo}/..., each part URL-quoted."""
    owner, name = parse_repo(repo)
    tail = "".join("/" + quote(str(part), safe="") for part in parts)
    return f"/repos/{quote(owner)}/{quote(name)}{tail}"


@dataclass(frozen=True, slots=True)
class RepoInfo:
    """Who a repository is on GitHub: its id and its owner/name as GitHub spells it now."""

    id: int
    full_name: str


def get_repository(client: GitHub, repo: str) -> RepoInfo:
    """Return a repository's id and current name (GitHub redirects an old name)."""
    response = client.get(repo_path(repo))
    data = response.object()
    repo_id, full_name = data.get("id"), data.get("full_name")
    if not isinstance(repo_id, int) or not isinstance(full_name, str) or "/" not in full_name:
        raise BadAnswer(f"GitHub's answer to {response.where} names no repository id and name")
    return RepoInfo(repo_id, full_name)


_ISSUE = re.compile(r"^(?P<repo>[^\s#]+/[^\s#]+)#(?P<number>\d+)$")
_ISSUE_URL = re.compile(
    r"^https?://[^/\s]+/(?P<repo>[^/\s]+/[^/\s]+)/(?:issues|pull)/(?P<number>\d+)/?$"
)


def parse_issue_ref(text: str) -> tuple[str, int]:
    """Return (owner/name, number) from owner/name#12 or an issue's URL, or fail in one line."""
    raw = text.strip()
    match = _ISSUE.match(raw) or _ISSUE_URL.match(raw)
    if match is None or int(match["number"]) < 1:
        raise InputError(f"not an issue: {text!r} (expected owner/name#NUMBER)")
    try:
        repo = normalise_repo(match["repo"])
    except InputError:
        raise InputError(f"not an issue: {text!r} (expected owner/name#NUMBER)") from None
    return repo, int(match["number"])
