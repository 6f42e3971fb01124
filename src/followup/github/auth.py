"""Find a GitHub token: GH_TOKEN, GITHUB_TOKEN, then the gh CLI."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlparse

from followup.config import DEFAULT_GITHUB_URL
from followup.github.errors import AuthError

GH_TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True, slots=True)
class Token:
    """A token and where it was found; the value never appears in its repr."""

    value: str
    source: str

    def __repr__(self) -> str:
        return f"Token(source={self.source!r})"


def gh_hostname(github_url: str) -> str:
    """Return the host name the gh CLI knows this GitHub by."""
    if github_url.rstrip("/") == DEFAULT_GITHUB_URL:
        return "github.com"
    return urlparse(github_url).hostname or "github.com"


def _from_gh_cli(hostname: str) -> str | None:
    gh = shutil.which("gh")
    if gh is None:
        return None
    try:
        done = subprocess.run(
            [gh, "auth", "token", "--hostname", hostname],
            capture_output=True,
            text=True,
            timeout=GH_TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    token = done.stdout.strip()
    return token if done.returncode == 0 and token else None


def find_token(
    github_url: str = DEFAULT_GITHUB_URL, *, env: Mapping[str, str] | None = None
) -> Token:
    """Return the first token found, or fail with a line that says how to provide one."""
    env = os.environ if env is None else env
    for var in ("GH_TOKEN", "GITHUB_TOKEN"):
        value = env.get(var, "").strip()
        if value:
            return Token(value, var)
    hostname = gh_hostname(github_url)
    from_cli = _from_gh_cli(hostname)
    if from_cli:
        return Token(from_cli, f"gh auth token ({hostname})")
    raise AuthError(
        "no GitHub token found: set GH_TOKEN or GITHUB_TOKEN, "
        f"or log in with 'gh auth login --hostname {hostname}'"
    )
