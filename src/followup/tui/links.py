"""Where an item or a post-mortem lives, as a URL a browser opens."""

from __future__ import annotations

from pathlib import Path

from followup.config import DEFAULT_GITHUB_URL, Settings
from followup.store.views import ItemView


def web_base(api_url: str) -> str:
    """Return GitHub's web address for its REST base URL (Enterprise Server too)."""
    if api_url.rstrip("/") == DEFAULT_GITHUB_URL:
        return "https://github.com"
    return api_url.rstrip("/").removesuffix("/api/v3")


def item_url(item: ItemView, settings: Settings) -> str | None:
    """Return the item's issue, else its first link, else its branch's protection settings."""
    if item.issue is not None and item.issue.url:
        return item.issue.url
    for ref in item.links:
        if ref.url:
            return ref.url
    if item.protection is not None:
        repo = item.protection.repo
        if repo:
            return f"{web_base(settings.github_url)}/{repo}/settings/branches"
    return None


def file_url(path: str) -> str | None:
    """Return a local file as a file:// URL, when the file is there."""
    target = Path(path)
    return target.resolve().as_uri() if target.is_file() else None
