"""Make the short, URL-safe name a post-mortem is stored and shown under."""

from __future__ import annotations

import re
import unicodedata

MAX_SLUG = 60
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def slugify(text: str, max_len: int = MAX_SLUG) -> str:
    """Return text as lowercase [a-z0-9-], at most max_len characters, or an empty string."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = _NOT_SLUG.sub("-", ascii_text.lower()).strip("-")
    return slug[:max_len].rstrip("-")
