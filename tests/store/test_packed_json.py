"""PostgreSQL's packed rows become the objects json.dumps writes (store/packed_json.py).

tests/cli/test_json_escaping.py runs the whole list against a real server; here the
packed text is made by hand, so that each way a chunk is read is met on purpose: plain
(already JSON once quoted), with characters to escape, and with a value that is exactly
the character a NULL is sent as, which only the mask tells from a NULL.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from followup.store import packed_json

SLUG = ("pm-1", "docs/one.md")


def _row(**given: Any) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(packed_json._TEXTS)
    row.update({"a.id": "abc1234", "a.title": "A title", "a.kind": "issue", "a.status": "open"})
    row["CAST(a.line AS TEXT)"] = "12"
    row.update(given)
    return row


def _packed(rows: list[dict[str, Any]], overdue: bool = False) -> str:
    """Return rows as the server packs them: values, NULL as the mark, then the mask."""
    fields: list[str] = []
    for row in rows:
        mask = OVERDUE if overdue else 0
        for column in packed_json._TEXTS:
            value = row[column]
            if value is None:
                mask |= packed_json._NULL[column]
                value = packed_json.NULL
            fields.append(value)
        fields.append(str(mask))
    return packed_json.SEPARATOR.join(fields)


OVERDUE = packed_json.OVERDUE


def _expected(row: dict[str, Any], overdue: bool = False) -> str:
    issue = None
    if row["CAST(i.number AS TEXT)"] is not None:
        issue = {
            "repo": row["i.repo"],
            "number": int(row["CAST(i.number AS TEXT)"]),
            "url": row["i.url"],
            "state": row["i.state"],
        }
    item = {
        "id": row["a.id"],
        "postmortem": SLUG[0],
        "title": row["a.title"],
        "owner": row["a.owner"],
        "priority": row["a.priority"],
        "due": row["CAST(a.due AS TEXT)"],
        "due_text": row["a.due_text"],
        "due_source": row["a.due_source"],
        "overdue": overdue,
        "policy_due": row["CAST(a.policy_due AS TEXT)"],
        "past_policy": False,
        "type": row["a.type"],
        "kind": row["a.kind"],
        "status": row["a.status"],
        "status_reason": row["a.status_reason"],
        "repo": row["a.repo"],
        "links": [],
        "protection": None,
        "issue": issue,
        "source": {"file": SLUG[1], "line": int(row["CAST(a.line AS TEXT)"])},
    }
    return json.dumps(item, ensure_ascii=False)


SOURCES = {1: (json.dumps(SLUG[0]), json.dumps(SLUG[1]))}


@pytest.mark.parametrize(
    "values",
    [
        {},  # plain: the NULLs alone
        {"a.owner": "dana", "CAST(a.due AS TEXT)": "2026-01-02", "a.type": ""},
        {"a.title": 'a "quoted" \\ title', "a.owner": "null"},
        {"a.title": "tab\there", "a.due_text": "\x1e"},
        # Exactly the NULL mark, as a value: only the mask says it is no NULL.
        {"a.owner": packed_json.NULL},
        {"a.owner": f"x{packed_json.NULL}"},
        {"CAST(i.number AS TEXT)": "7", "i.repo": "acme/app", "i.url": None, "i.state": "open"},
    ],
)
def test_packed_rows_are_the_encoders_objects(values: dict[str, Any]) -> None:
    rows = [_row(**values), _row(**{"a.id": "second", "a.priority": "P1"})]
    for overdue in (False, True):
        objects = packed_json._objects([1], [2], _packed(rows, overdue), SOURCES)
        assert objects == [_expected(row, overdue) for row in rows]


def test_a_text_that_does_not_split_is_none() -> None:
    rows = [_row(**{"a.title": f"one{packed_json.SEPARATOR}more"})]
    assert packed_json._objects([1], [1], _packed(rows), SOURCES) is None


def test_an_item_formed_from_its_view_is_its_id() -> None:
    text = _packed([_row()])
    text = text[: text.rindex(packed_json.SEPARATOR) + 1] + str(packed_json.PYTHON)
    assert packed_json._objects([1], [1], text, SOURCES) == ["\0abc1234"]
