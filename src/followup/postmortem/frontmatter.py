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


# Front matter is usually a few "key: value" lines. Those whose values YAML reads as plain
# text, integers or dates are read here directly, ten times faster than the YAML loader;
# anything else (quotes with escapes, lists, booleans, comments...) goes to the loader.
_SIMPLE_LINE = re.compile(r"([A-Za-z_][\w-]*):(?:[ \t]+(.*?))?[ \t]*")
_PLAIN_VALUE = re.compile(r"[A-Za-z/][\w ./@+()&,-]*")
_YAML_WORDS = frozenset(
    {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "~", "nan", "inf"}
)
_INT = re.compile(r"-?(?:0|[1-9][0-9]{0,17})")
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def _simple_value(raw: str) -> tuple[bool, Any]:
    """Read a value the way YAML would, when that is certain; (False, None) otherwise."""
    if raw.startswith('"') and raw.endswith('"') and len(raw) > 1:
        inner = raw[1:-1]
        return ("\\" not in inner and '"' not in inner), inner
    if raw.startswith("'") and raw.endswith("'") and len(raw) > 1:
        inner = raw[1:-1]
        return "'" not in inner, inner
    if (m := _DATE.fullmatch(raw)) is not None:
        try:
            return True, date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            return False, None
    if _INT.fullmatch(raw):
        return True, int(raw)
    if (
        _PLAIN_VALUE.fullmatch(raw)
        and raw.lower() not in _YAML_WORDS
        and ": " not in raw
        and " #" not in raw
    ):
        return True, raw
    return False, None


def _simple_mapping(text: str) -> dict[str, Any] | None:
    """Read flat 'key: value' front matter without the YAML loader, or None if unsure."""
    data: dict[str, Any] = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        m = _SIMPLE_LINE.fullmatch(line)
        if m is None or m[1] in data or m[1].lower() in _YAML_WORDS:
            return None
        raw = m[2] or ""
        if not raw:
            data[m[1]] = None
            continue
        ok, value = _simple_value(raw)
        if not ok:
            return None
        data[m[1]] = value
    return data


def _load(text: str, style: str, first_line: int) -> Any:
    if style != "PlusesStyle" and (simple := _simple_mapping(text)) is not None:
        return simple or None
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
