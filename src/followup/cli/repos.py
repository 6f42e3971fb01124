"""Repositories the way gh takes them: owner/name, URLs, SSH remotes; and a file's origin.

`--repo`/`-R` accepts owner/name, HOST/owner/name, https://HOST/owner/name(.git),
git@HOST:owner/name(.git) and ssh://[git@]HOST[:port]/owner/name(.git); anything else is
refused while the command line is read. A host must be the one followup talks to (the
host of the github_url setting), so an Enterprise URL works once github_url points there.
With no --repo, no `repo` setting and no `repo:` front matter, a post-mortem's items go
to the `origin` remote of the git repository the file lives in.
"""

from __future__ import annotations

import configparser
import logging
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import click

from followup.config import Settings
from followup.errors import ConfigError, InputError
from followup.github.repos import normalise_repo

log = logging.getLogger("followup.cli.repos")

_SCP = re.compile(r"^(?:[\w.+-]+@)?(?P<host>[\w.-]+):(?P<path>(?!//)[^\s]+)$")
_SCHEMES = ("https", "http", "ssh", "git+ssh", "ssh+git", "git")
_EXPECTED = "expected owner/name, a repository URL or git@HOST:owner/name.git"


@dataclass(frozen=True, slots=True)
class RepoSpec:
    """A repository named on the command line: owner/name, and the host if one was given."""

    name: str  # owner/name, lower case, as the store keeps it
    host: str | None = None

    def __str__(self) -> str:
        return self.name


def _host(host: str) -> str:
    """Return a web host as followup compares hosts."""
    host = host.lower().rstrip(".")
    if host in ("www.github.com", "ssh.github.com"):
        return "github.com"
    return host


def web_host(github_url: str) -> str:
    """Return the web host of a REST base URL: api.github.com -> github.com."""
    host = (urlsplit(github_url).hostname or "").lower()
    return _host(host.removeprefix("api."))


def parse_repo_spec(text: str) -> RepoSpec:
    """Return the repository text names, in any form gh accepts, or fail with one line."""
    raw = text.strip()
    host: str | None = None
    path = raw
    if "://" in raw:
        parts = urlsplit(raw)
        if parts.scheme.lower() not in _SCHEMES or not parts.hostname:
            raise InputError(f"not a repository: {text!r} ({_EXPECTED})")
        if parts.query or parts.fragment:
            raise InputError(f"not a repository: {text!r} ({_EXPECTED})")
        host, path = parts.hostname, parts.path
    elif (scp := _SCP.match(raw)) is not None:
        host, path = scp["host"], scp["path"]
    elif raw.startswith(("/", ".", "~")):
        raise InputError(f"not a repository: {text!r} ({_EXPECTED})")
    else:
        segments = raw.split("/")
        if len(segments) == 3 and "." in segments[0]:
            host, path = segments[0], "/".join(segments[1:])
    path = path.strip("/").removesuffix(".git")
    try:
        name = normalise_repo(path)
    except InputError:
        raise InputError(f"not a repository: {text!r} ({_EXPECTED})") from None
    return RepoSpec(name, _host(host) if host else None)


def repo_for(spec: RepoSpec, settings: Settings, *, origin: str = "--repo") -> str:
    """Return owner/name after checking that its host is the GitHub followup talks to."""
    if spec.host is not None and spec.host != web_host(settings.github_url):
        expected = web_host(settings.github_url)
        raise InputError(
            f"{origin} {spec.name} is on {spec.host}, but followup talks to {expected} "
            f"(set github_url to https://{spec.host}/api/v3 for GitHub Enterprise Server)"
        )
    return spec.name


def configured_repo(settings: Settings, source: str) -> str | None:
    """Return the `repo` setting as owner/name, or fail naming where it was set."""
    if not settings.repo:
        return None
    try:
        return repo_for(parse_repo_spec(settings.repo), settings, origin=f"repo ({source})")
    except InputError as exc:
        raise ConfigError(f"{source}: repo: {exc}") from None


if TYPE_CHECKING:
    _ParamType = click.ParamType[RepoSpec, Any]
else:
    # click before 8.3 has no type parameters at run time.
    _ParamType = click.ParamType


class RepoType(_ParamType):
    """A click parameter for --repo: any form gh accepts, refused at once if malformed."""

    name = "OWNER/NAME"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        """Return a RepoSpec, or fail the command line."""
        if isinstance(value, RepoSpec):
            return value
        try:
            return parse_repo_spec(str(value))
        except InputError as exc:
            self.fail(str(exc), param, ctx)


REPO = RepoType()

# --repo of the commands that read post-mortems (import, file): for items naming none.
document_repo_option = click.option(
    "--repo",
    "-R",
    type=REPO,
    help="Repository for items that name none (owner/name or its URL); default: the `repo` "
    "setting, else the file's git origin remote.",
)


# -- the origin remote of a post-mortem's git repository ----------------------------------


def origin_url(folder: Path) -> str | None:
    """Return the URL of the origin remote of the git repository folder is in, if any."""
    return _origin_url(str(folder.resolve()))


@lru_cache(maxsize=256)
def _origin_url(folder: str) -> str | None:
    git = shutil.which("git")
    if git is None:
        # No git on this machine: read the repository's config file instead.
        return _origin_from_config(Path(folder))
    try:
        done = subprocess.run(
            [git, "-C", folder, "remote", "get-url", "origin"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
            # GIT_DIR would point git elsewhere than the folder asked about.
            env={
                **{k: v for k, v in os.environ.items() if k != "GIT_DIR"},
                "GIT_TERMINAL_PROMPT": "0",
            },
        )
    except (OSError, subprocess.SubprocessError) as exc:
        log.debug("git remote get-url failed in %s: %s", folder, exc)
        return None
    url = done.stdout.strip()
    return url if done.returncode == 0 and url else None


def _git_dir(folder: Path) -> Path | None:
    for here in (folder, *folder.parents):
        dot_git = here / ".git"
        if dot_git.is_dir():
            return dot_git
        if dot_git.is_file():
            # A worktree or submodule: .git names the real folder.
            text = dot_git.read_text(encoding="utf-8", errors="replace").strip()
            if text.startswith("gitdir:"):
                target = Path(text.removeprefix("gitdir:").strip())
                target = target if target.is_absolute() else here / target
                common = target / "commondir"
                if common.is_file():
                    shared = Path(common.read_text(encoding="utf-8").strip())
                    return shared if shared.is_absolute() else target / shared
                return target
    return None


def _origin_from_config(folder: Path) -> str | None:
    git_dir = _git_dir(folder)
    if git_dir is None:
        return None
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    try:
        parser.read(git_dir / "config", encoding="utf-8")
    except (OSError, configparser.Error):
        return None
    section = 'remote "origin"'
    return parser.get(section, "url", fallback=None) if parser.has_section(section) else None


def origin_repo(path: Path, settings: Settings) -> tuple[str | None, str | None]:
    """Return (owner/name, None) for a file's origin remote, or (None, why it is not used)."""
    url = origin_url(path.parent)
    if url is None:
        return None, None
    try:
        spec = parse_repo_spec(url)
    except InputError:
        return None, f"{path}: the origin remote {url} is not a GitHub repository; pass --repo"
    expected = web_host(settings.github_url)
    if spec.host is not None and spec.host != expected:
        return None, f"{path}: the origin remote is on {spec.host}, not {expected}; pass --repo"
    repo = spec.name
    log.info("%s: repository %s from the origin remote", path, repo)
    return repo, None
