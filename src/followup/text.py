"""Make text from outside followup safe to show: control characters become visible.

Every string that comes from GitHub (titles, bodies, logins, labels, error messages) or
from a post-mortem is passed through here once, where it enters followup: the GitHub
client cleans every JSON answer it decodes, and the post-mortem reader cleans the
dataclasses it returns. From then on the text is inert in a terminal.

What is replaced, and by what:

- C0 control characters other than tab and newline (ESC, BEL, NUL, backspace, a lone
  carriage return...) become their Unicode control pictures (ESC -> ␛, BEL -> ␇);
  DEL becomes ␡. "\\x1b[2J" therefore shows as "␛[2J" and clears nothing, and an OSC
  sequence that would retitle the terminal or open a hyperlink shows as text.
- C1 control characters (U+0080-U+009F: a terminal may read U+009B as CSI) and the
  bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069),
  which can make text read in another order than it is stored, become U+FFFD (�).
- A Windows line ending (CR LF) becomes a plain newline; tab and newline stay.

Visible rather than removed: a reader sees that the text held something odd (and roughly
what), the characters around it keep their places, and nothing can be smuggled past by
hiding it between two removed characters. Markup is a separate matter: the CLI and the
TUI never read outside text as Rich or Textual markup.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Collection
from enum import Enum
from typing import Any, TypeVar

T = TypeVar("T")

REPLACEMENT = "\ufffd"
_BIDI = (*range(0x202A, 0x202F), *range(0x2066, 0x206A))
_TABLE: dict[int, str] = {
    **{code: chr(0x2400 + code) for code in range(0x20) if chr(code) not in "\t\n"},
    0x7F: "\u2421",
    **dict.fromkeys(range(0x80, 0xA0), REPLACEMENT),
    **dict.fromkeys(_BIDI, REPLACEMENT),
}
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# Inside JSON text the same characters are escaped (\u001b, \r, \b, \f) or, for DEL, C1
# and bidi characters, may be raw. The text is first split at escaped backslashes, so
# that every backslash left starts an escape: the "r" of a literal backslash-r is never
# read as a carriage return.
_JSON_ESCAPE = re.compile(
    r"\\(?:(?P<cr>r|u000[dD])(?P<lf>\\n|\\u000[aA])?|[bf]"
    r"|u(?:00[01][0-9a-fA-F]|007[fF]|00[89][0-9a-fA-F]|202[a-eA-E]|206[6-9]))"
)
_RAW_UNSAFE = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_SHORT_ESCAPES = {"b": 0x08, "f": 0x0C}


def is_clean(text: str) -> bool:
    """Tell whether text holds nothing clean() would change."""
    return _UNSAFE.search(text) is None


def clean(text: str) -> str:
    """Return text with control, C1 and bidi-override characters made visible."""
    if _UNSAFE.search(text) is None:
        return text
    return text.replace("\r\n", "\n").translate(_TABLE)


def clean_json_text(raw: str) -> str:
    """Return JSON text whose strings, once decoded, are clean (keys included).

    Cleaning the text rather than the decoded value costs one scan of the answer, so
    that a page of a hundred issues is not walked string by string.
    """
    if "\\" in raw:
        raw = "\\\\".join(_clean_escapes(part) for part in raw.split("\\\\"))
    # isascii() is free (CPython keeps the flag): only DEL can be raw in ASCII text.
    maybe_raw = "\x7f" in raw if raw.isascii() else _RAW_UNSAFE.search(raw) is not None
    if maybe_raw:
        raw = _RAW_UNSAFE.sub(lambda m: _TABLE[ord(m.group())], raw)
    return raw


def _clean_escapes(part: str) -> str:
    """Clean the escapes of JSON text that holds no escaped backslash."""
    if "\\" not in part:
        return part
    if "\\r\\n" in part:
        # The usual line ending of an issue body, replaced without a call per match;
        # when other carriage returns are about, the pass below pairs them all.
        merged = part.replace("\\r\\n", "\\n")
        if not any(cr in merged for cr in ("\\r", "\\u000d", "\\u000D")):
            part = merged
    return _JSON_ESCAPE.sub(_json_escape, part)


def _json_escape(match: re.Match[str]) -> str:
    escape = match.group()
    if match["cr"]:
        # CR LF, however it is spelled, is a newline; a lone CR is shown.
        return "\\n" if match["lf"] else _TABLE[0x0D]
    code = _SHORT_ESCAPES[escape[1]] if len(escape) == 2 else int(escape[2:], 16)
    return _TABLE.get(code, escape)


def clean_fields(value: T, *, keep: Collection[str] = (), source: str | None = None) -> T:
    """Return a dataclass with every string in it cleaned, nested ones included.

    Fields named in keep stay as they are (a file's path, a document's raw text). When
    source, the text every string was read from, is clean, value is returned as it is.
    """
    if source is not None and is_clean(source):
        return value
    cleaned: T = _clean_value(value, frozenset(keep))
    return cleaned


def _clean_value(value: Any, keep: frozenset[str]) -> Any:
    if isinstance(value, Enum):
        return value
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, tuple):
        return tuple(_clean_value(v, keep) for v in value)
    if isinstance(value, list):
        return [_clean_value(v, keep) for v in value]
    if isinstance(value, dict):
        return {k: _clean_value(v, keep) for k, v in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {
            f.name: _clean_value(getattr(value, f.name), keep)
            for f in dataclasses.fields(value)
            if f.name not in keep and f.init
        }
        return dataclasses.replace(value, **changes)
    return value
