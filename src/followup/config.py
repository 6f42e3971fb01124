"""Settings from defaults, config.toml, FOLLOWUP_* variables and flags, in rising precedence."""

from __future__ import annotations

import difflib
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Literal, get_args
from urllib.parse import urlsplit, urlunsplit

from followup import paths
from followup.errors import ConfigError, InputError
from followup.policy import PRIORITIES, DuePolicy
from followup.project_ref import parse_project

MASKED = "***"
# Query parameters that carry a secret in a database URL (libpq and SQLAlchemy names).
_SECRET_PARAMETERS = frozenset({"password", "passwd", "pwd", "sslpassword", "token"})

ProtectionMethod = Literal["classic", "ruleset", "auto"]
ENV_PREFIX = "FOLLOWUP_"
DEFAULT_GITHUB_URL = "https://api.github.com"


@dataclass(frozen=True, slots=True)
class Settings:
    """Every setting followup reads; each field's help says what it does."""

    database_url: str | None = field(
        default=None,
        metadata={
            "help": "SQLAlchemy URL of the store; default: a SQLite file in the user data folder."
        },
    )
    github_url: str = field(
        default=DEFAULT_GITHUB_URL,
        metadata={"help": "REST base URL of GitHub; for Enterprise Server, https://HOST/api/v3."},
    )
    repo: str | None = field(
        default=None, metadata={"help": "Repository (owner/name) for items that name none."}
    )
    project: str | None = field(
        default=None,
        metadata={
            "help": "GitHub Project (v2) that filed issues are added to: OWNER/NUMBER or its "
            "URL; its Priority and Due fields are set (needs the project scope)."
        },
    )
    me: str | None = field(
        default=None,
        metadata={"help": "Your GitHub login, for 'mine' filters; default: the token's."},
    )
    write_interval: float = field(
        default=1.0, metadata={"help": "Seconds between two writes to GitHub (0 = no pause)."}
    )
    wait_for_rate_limit: bool = field(
        default=False,
        metadata={"help": "Wait for an exhausted primary rate limit to reset instead of stopping."},
    )
    request_timeout: float = field(
        default=15.0, metadata={"help": "Seconds before a request to GitHub times out."}
    )
    max_retries: int = field(
        default=3, metadata={"help": "Retries of a failed read (5xx, timeout), with backoff."}
    )
    protection_method: ProtectionMethod = field(
        default="auto",
        metadata={
            "help": "classic, ruleset, or auto (a ruleset for patterns, missing branches and "
            "branches whose classic protection a change would rewrite)."
        },
    )
    sync_interval: float = field(
        default=10.0, metadata={"help": "Minutes between background syncs in the TUI (0 = never)."}
    )
    sync_concurrency: int = field(
        default=4, metadata={"help": "Repositories polled at once by a sync."}
    )
    lock_timeout: float = field(
        default=600.0,
        metadata={
            "help": "Seconds to wait for another followup run working on the same repository "
            "in the same store (filing, converging duplicates)."
        },
    )
    # The [policy] table of the config file: days from a post-mortem's date to the due
    # date of its undated items, per priority (FOLLOWUP_POLICY_P0 and so on).
    policy_p0: int | None = field(
        default=7, metadata={"help": "[policy] P0: days to the due date of undated P0 items."}
    )
    policy_p1: int | None = field(
        default=28, metadata={"help": "[policy] P1: days to the due date of undated P1 items."}
    )
    policy_p2: int | None = field(
        default=56, metadata={"help": "[policy] P2: days to the due date of undated P2 items."}
    )
    policy_p3: int | None = field(
        default=None,
        metadata={"help": "[policy] P3: days to the due date of undated P3 items (none: never)."},
    )
    remind_interval: int = field(
        default=7,
        metadata={
            "help": "Days before 'followup remind' pings an unanswered item again (then 2x, 4x)."
        },
    )

    @property
    def policy(self) -> DuePolicy:
        """Return the deadline per priority."""
        return DuePolicy(self.policy_p0, self.policy_p1, self.policy_p2, self.policy_p3)

    def database_url_or_default(self) -> str:
        """Return the configured database URL, or the default SQLite file's."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{paths.default_database_path()}"


@dataclass(frozen=True, slots=True)
class LoadedSettings:
    """Settings with the place each value came from."""

    settings: Settings
    sources: dict[str, str]


def setting_names() -> list[str]:
    """Return the names of every setting, in declaration order."""
    return [f.name for f in fields(Settings)]


def setting_help(name: str) -> str:
    """Return the one-line help of a setting."""
    for f in fields(Settings):
        if f.name == name:
            return str(f.metadata["help"])
    raise KeyError(name)


def _coerce(name: str, value: Any, origin: str) -> Any:
    """Convert a raw value to the setting's type or fail with a line naming its origin."""
    kind = {f.name: f.type for f in fields(Settings)}[name]
    text = value.strip() if isinstance(value, str) else value
    try:
        if kind == "float":
            number = float(text)
            if number < 0:
                raise ValueError
            return number
        if kind == "int":
            if isinstance(text, bool):
                raise ValueError
            number = int(text)
            if number < 0 or (name == "remind_interval" and number < 1):
                raise ValueError
            return number
        if kind == "int | None":
            # A policy's days: none (or false, or 0) means items of that priority get none.
            if text is False or str(text).lower() in ("none", "0", "false", "no", "off"):
                return None
            if isinstance(text, bool | float):
                raise ValueError
            number = int(text)
            if number < 1:
                raise ValueError
            return number
        if kind == "bool":
            if isinstance(text, bool):
                return text
            lowered = str(text).lower()
            if lowered in ("1", "true", "yes", "on"):
                return True
            if lowered in ("0", "false", "no", "off"):
                return False
            raise ValueError
        if kind == "ProtectionMethod":
            if text not in get_args(ProtectionMethod):
                raise ValueError
            return text
        if not isinstance(text, str):
            raise ValueError
        if name == "project" and text:
            _check_project(text, origin)
        return text or None if kind == "str | None" else text
    except (TypeError, ValueError):
        expected = {
            "float": "a number ≥ 0",
            "int": "a whole number ≥ 0",
            "bool": "true or false",
            "ProtectionMethod": "one of " + ", ".join(get_args(ProtectionMethod)),
            "int | None": "a whole number of days ≥ 1, or none",
        }.get(str(kind), "text")
        if name == "remind_interval":
            expected = "a whole number of days ≥ 1"
        shown = name
        if name in POLICY_SETTINGS and not origin.startswith((ENV_PREFIX, "env ", "--")):
            shown = f"[policy] {POLICY_SETTINGS[name]}"
        raise ConfigError(f"{origin}: {shown} must be {expected}, got {value!r}") from None


def _check_project(text: str, origin: str) -> None:
    """Refuse a project setting that names no project, saying where it came from."""
    try:
        parse_project(text)
    except InputError as exc:
        raise ConfigError(f"{origin}: project: {exc}") from None


def _read_file(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror})") from None
    known = set(setting_names())
    flat: dict[str, Any] = {}
    for key, value in data.items():
        if key == POLICY_TABLE and isinstance(value, dict):
            flat.update(_policy_table(path, value))
            continue
        if key not in known or key.startswith(POLICY_PREFIX):
            allowed = sorted((known - set(POLICY_SETTINGS)) | {POLICY_TABLE})
            near = difflib.get_close_matches(key, allowed, n=1)
            hint = f"did you mean {near[0]!r}? " if near else ""
            raise ConfigError(f"{path}: unknown setting {key!r} ({hint}see 'followup config')")
        flat[key] = value
    return flat


POLICY_TABLE = "policy"
POLICY_PREFIX = "policy_"
POLICY_SETTINGS = {f"{POLICY_PREFIX}{name.lower()}": name for name in PRIORITIES}


def _policy_table(path: Path, table: dict[str, Any]) -> dict[str, Any]:
    """Return the [policy] table's entries as settings: P1 = 28 is policy_p1."""
    out: dict[str, Any] = {}
    for key, value in table.items():
        name = f"{POLICY_PREFIX}{str(key).lower()}"
        if name not in POLICY_SETTINGS:
            raise ConfigError(
                f"{path}: unknown priority {key!r} in [policy]; use "
                + ", ".join(PRIORITIES)
                + ' (days, or "none")'
            )
        out[name] = value
    return out


def load_settings(
    flags: Mapping[str, Any] | None = None,
    *,
    flag_names: Mapping[str, str] | None = None,
    env: Mapping[str, str] | None = None,
    config_path: Path | None = None,
) -> LoadedSettings:
    """Merge defaults, the config file, the environment and flags into Settings."""
    env = os.environ if env is None else env
    path = config_path or paths.config_file()
    values: dict[str, Any] = {}
    sources = dict.fromkeys(setting_names(), "default")

    for key, raw in _read_file(path).items():
        values[key] = _coerce(key, raw, str(path))
        sources[key] = str(path)
    for name in setting_names():
        var = ENV_PREFIX + name.upper()
        if var in env:
            values[name] = _coerce(name, env[var], var)
            sources[name] = f"env {var}"
    for name, raw in (flags or {}).items():
        if raw is None:
            continue
        flag = (flag_names or {}).get(name) or "--" + name.replace("_", "-")
        values[name] = _coerce(name, raw, flag)
        sources[name] = f"flag {flag}"

    settings = replace(Settings(), **values)
    if settings.github_url != DEFAULT_GITHUB_URL:
        settings = replace(settings, github_url=normalise_github_url(settings.github_url))
    return LoadedSettings(settings=settings, sources=sources)


def normalise_github_url(url: str) -> str:
    """Return a REST base URL without a trailing slash, or fail if it is not http(s)."""
    cleaned = url.strip().rstrip("/")
    if not cleaned.startswith(("https://", "http://")):
        raise ConfigError(f"github_url must start with https:// or http://, got {url!r}")
    return cleaned


def mask_url(url: str) -> str:
    """Return a URL with any password in it (user:password@, or ?password=) as ***."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, _, host = netloc.rpartition("@")
        if ":" in userinfo:
            user = userinfo.split(":", 1)[0]
            netloc = f"{user}:{MASKED}@{host}"
    query = parts.query
    if query:
        pairs = [
            f"{key}={MASKED}" if key.lower() in _SECRET_PARAMETERS else piece
            for piece in query.split("&")
            for key in [piece.split("=", 1)[0]]
        ]
        query = "&".join(pairs)
    if (netloc, query) == (parts.netloc, parts.query):
        return url
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))
