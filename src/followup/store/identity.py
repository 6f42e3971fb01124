"""Stable item ids, and matching the items of a re-imported document to the stored ones."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Sequence
from difflib import SequenceMatcher
from typing import TypeVar

# Crockford's alphabet: no i, l, o, u, so ids survive being read aloud or retyped.
_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
ID_LENGTH = 7
_SHIFTS = tuple(range(0, 5 * ID_LENGTH, 5))
# Below this similarity two titles are different items, not an edit of one.
SIMILARITY_THRESHOLD = 0.72

_NON_WORD = re.compile(r"[^\w]+")

Old = TypeVar("Old")
New = TypeVar("New")


def fingerprint(title: str) -> str:
    """Return the title reduced to lowercase words, for comparing wordings."""
    text = unicodedata.normalize("NFKC", title).casefold()
    return " ".join(_NON_WORD.sub(" ", text).split())


def item_id(slug: str, key: str, taken: Callable[[str], bool]) -> str:
    """Return a short id derived from the post-mortem and the item, skipping taken ones.

    Deriving the id from the content means a fresh store (a CI job) gives the same
    document the same ids, which is what lets filing find its own earlier issues.
    """
    attempt = 0
    while True:
        seed = f"{slug}\n{key}" if attempt == 0 else f"{slug}\n{key}\n{attempt}"
        digest = int.from_bytes(hashlib.sha256(seed.encode()).digest()[:8], "big")
        # Base 32, least significant digit first: five bits per character.
        candidate = "".join([_ALPHABET[(digest >> shift) & 31] for shift in _SHIFTS])
        if not taken(candidate):
            return candidate
        attempt += 1


def similarity(a: str, b: str) -> float:
    """Return how alike two fingerprints are, from 0 to 1."""
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def match(
    old: Sequence[Old],
    new: Sequence[New],
    old_key: Callable[[Old], str],
    new_key: Callable[[New], str],
) -> dict[int, int]:
    """Pair new items with old ones: same wording first, then the closest wording.

    Returns {index in new: index in old}; unpaired new items are new, unpaired old
    items were removed from the document.
    """
    pairs: dict[int, int] = {}
    free_old: dict[str, list[int]] = {}
    for i, old_item in enumerate(old):
        free_old.setdefault(old_key(old_item), []).append(i)
    for j, new_item in enumerate(new):
        bucket = free_old.get(new_key(new_item))
        if bucket:
            pairs[j] = bucket.pop(0)

    used = set(pairs.values())
    left_old = [i for i in range(len(old)) if i not in used]
    left_new = [j for j in range(len(new)) if j not in pairs]
    if not left_old or not left_new:
        return pairs

    scored: list[tuple[float, int, int, int]] = []
    for j in left_new:
        a = new_key(new[j])
        for i in left_old:
            b = old_key(old[i])
            matcher = SequenceMatcher(None, a, b, autojunk=False)
            # quick_ratio is an upper bound: skip the exact ratio when it cannot pass.
            if matcher.quick_ratio() < SIMILARITY_THRESHOLD:
                continue
            score = matcher.ratio()
            if score >= SIMILARITY_THRESHOLD:
                scored.append((-score, abs(i - j), j, i))
    scored.sort()
    taken_old: set[int] = set()
    for _neg, _dist, j, i in scored:
        if j in pairs or i in taken_old:
            continue
        pairs[j] = i
        taken_old.add(i)
    return pairs
