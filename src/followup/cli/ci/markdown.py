"""Put outside text (titles, reasons, branch names) into GitHub Markdown as plain text.

Everything a job summary or a comment shows comes from documents and from GitHub, so
it is data: it must not open a table cell, a link, an HTML tag or a mention, nor carry
terminal control codes. Every helper here cleans first (clean), then escapes for the
place the text goes: running text (text), a code span (code), a fenced block (fence),
an HTML attribute-free element such as <summary> (html), or a link (link).
"""

from __future__ import annotations

import re

# C0 and C1 control codes (but \n), zero-width and bidirectional format characters: they
# can hide or reorder what a reader sees.
_INVISIBLE = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
)
# Every ASCII punctuation character may be backslash-escaped in CommonMark; these are the
# ones that can start or end markup (emphasis, links, tables, headings, lists, code).
_MARKUP = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>:=\"'])")
# @login and @org/team would notify people; a word joiner after @ keeps the text and
# loses the mention.
_MENTION = re.compile(r"@(?=[A-Za-z0-9])")
_SAFE_URL = re.compile(r"^https?://[^\s<>\"'`()\[\]\\]+$")
_BACKTICKS = re.compile(r"`+")
WORD_JOINER = "\u2060"


def clean(value: object) -> str:
    """Return value as text without control codes or invisible characters (\\n kept)."""
    text = str(value).replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    # An escape sequence loses its ESC and is left as harmless visible text.
    return _INVISIBLE.sub("", text)


def one_line(value: object) -> str:
    """Return cleaned text on one line: line breaks become spaces."""
    return " ".join(clean(value).split())


def text(value: object) -> str:
    """Return value as running Markdown text: one line, every markup character escaped."""
    escaped = one_line(value).replace("&", "&amp;").replace("<", "&lt;")
    escaped = _MARKUP.sub(r"\\\1", escaped)
    return _MENTION.sub("@" + WORD_JOINER, escaped)


def code(value: object) -> str:
    """Return value as an inline code span, safe in a table cell too."""
    body = one_line(value)
    if not body:
        return ""
    longest = max((len(run) for run in _BACKTICKS.findall(body)), default=0)
    ticks = "`" * (longest + 1)
    # A pipe ends a table cell even inside a code span unless escaped (GFM renders \| as |).
    body = body.replace("|", "\\|")
    pad = " " if body.startswith("`") or body.endswith("`") else ""
    return f"{ticks}{pad}{body}{pad}{ticks}"


def fence(value: object, info: str = "") -> str:
    """Return value as a fenced code block no line of it can close."""
    body = clean(value).rstrip("\n")
    longest = max((len(run) for run in _BACKTICKS.findall(body)), default=0)
    ticks = "`" * max(3, longest + 1)
    return f"{ticks}{info}\n{body}\n{ticks}"


def html(value: object) -> str:
    """Return value as the text of an HTML element (<summary>, <sub>): one line, escaped."""
    escaped = one_line(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MENTION.sub("@" + WORD_JOINER, escaped)


def link(label: str, url: object) -> str:
    """Return a link with label (already Markdown) to url, or label alone if url is odd."""
    address = clean(url).strip() if url else ""
    if not _SAFE_URL.match(address):
        return label
    return f"[{label}]({address})"


def table(header: list[str], rows: list[list[str]]) -> str:
    """Return a GitHub table; cells must already be Markdown (escaped)."""
    lines = [
        "| " + " | ".join(header) + " |",
        "|" + "|".join(" --- " for _ in header) + "|",
    ]
    lines += ["| " + " | ".join(cell or " " for cell in row) + " |" for row in rows]
    return "\n".join(lines)
