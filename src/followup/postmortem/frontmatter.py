"""Read a document's front matter (YAML between ---, or TOML between +++) into fields."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import yaml
from dateutil import parser as date_parser

# The C loader when PyYAML has it: same safe semantics, several times faster.
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_REPO = re.compile(
    r"^(?:https?://(?:www\.)?github\.com/)?([A-Za-z0-9][\w-]*/[\w.-]+?)(?:\.git)?/?$"
)
_TOML_LINE = re.compile(r"\(at line (\d+), column (\d+)\)")


class FrontMatterError(ValueError):
    """Front matter that cannot be read; line is the file's 1-based line, when known."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


@dataclass(frozen=True, slots=True)
class FrontMatter:
    """The fields followup uses from the front matter, and all of it as metadata."""

    title: str | None = None
    date: date | None = None
    status: str | None = None
    repo: str | None = None
    owners: tuple[str, ...] = ()
    slug: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()


def _load(text: str, style: str, first_line: int) -> Any:
    if style == "PlusesStyle":
        try:
            return tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            m = _TOML_LINE.search(str(exc))
            line = first_line + int(m[1]) - 1 if m else None
            reason = _TOML_LINE.sub("", str(exc)).strip()
            raise FrontMatterError(f"front matter is not valid TOML: {reason}", line) from exc
    try:
        return yaml.load(text, Loader=_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = first_line + mark.line if mark is not None else None
        reason = getattr(exc, "problem", None) or "cannot be parsed"
        raise FrontMatterError(f"front matter is not valid YAML: {reason}", line) from exc
    except (ValueError, TypeError, OverflowError) as exc:  # e.g. a timestamp like 2024-02-30
        raise FrontMatterError(f"front matter is not valid YAML: {exc}", first_line) from exc


class _Plain:
    """Make YAML/TOML values JSON-friendly, refusing alias bombs and cycles."""

    # YAML aliases can make a few lines stand for a huge or endless structure.
    LIMIT = 10_000

    def __init__(self) -> None:
        self.count = 0
        self.open: set[int] = set()

    def __call__(self, value: Any) -> Any:
        """Return the value with dates as ISO strings and containers copied."""
        self.count += 1
        if self.count > self.LIMIT:
            raise FrontMatterError("front matter is too large (or its aliases expand too far)")
        if isinstance(value, datetime | date):
            return value.isoformat()
        if not isinstance(value, dict | list | tuple):
            return value
        if id(value) in self.open:
            raise FrontMatterError("front matter refers to itself")
        self.open.add(id(value))
        try:
            if isinstance(value, dict):
                return {str(k): self(v) for k, v in value.items()}
            return [self(v) for v in value]
        finally:
            self.open.discard(id(value))


def _date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value.strip():
        return date_parser.parse(value).date()
    raise ValueError(value)


def _owners(value: Any) -> tuple[str, ...]:
    items = value if isinstance(value, list) else str(value).split(",")
    names = (str(v).strip().lstrip("@").strip() for v in items if v is not None)
    return tuple(n for n in names if n)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def read(text: str, style: str, first_line: int) -> FrontMatter:
    """Parse front matter text; first_line is the file line its first line sits on."""
    data = _load(text, style, first_line)
    if data is None:
        return FrontMatter()
    if not isinstance(data, dict):
        return FrontMatter(warnings=(f"line {first_line}: front matter is not a mapping; ignored",))
    warnings: list[str] = []
    when: date | None = None
    if data.get("date") is not None:
        try:
            when = _date(data["date"])
        except (ValueError, OverflowError):
            warnings.append(f"front matter date {data['date']!r} is not a date; ignored")
    repo = _text(data.get("repo") or data.get("repository"))
    if repo is not None:
        m = _REPO.match(repo)
        if m is None:
            warnings.append(f"front matter repo {repo!r} is not owner/name; ignored")
            repo = None
        else:
            repo = m[1]
    owners_value = next((data[k] for k in ("owners", "owner", "authors") if data.get(k)), None)
    return FrontMatter(
        title=_text(data.get("title")),
        date=when,
        status=_text(data.get("status")),
        repo=repo,
        owners=_owners(owners_value) if owners_value is not None else (),
        slug=_text(data.get("slug")),
        metadata=_Plain()(data),
        warnings=tuple(warnings),
    )
