"""PostgreSQL's packed rows become the objects json.dumps writes (store/packed_json.py).

tests/cli/test_json_escaping.py runs the whole list against a real server; here the
packed text is made by hand, so that each way a chunk is read is met on purpose: plain
(already JSON once quoted), with characters to escape, and with values holding the
separator or the character a NULL is sent as (those chunks are read row by row).
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


def _packed(rows: list[dict[str, Any]]) -> str:
    """Return rows as the server packs them: values, NULL as the mark, then the mask."""
    fields: list[str] = []
    for row in rows:
        nulls = 0
        for column in packed_json._TEXTS:
            value = row[column]
            if value is None:
                nulls += 1
                value = packed_json.NULL
            fields.append(value)
        fields.append(str(nulls * 2))
    return packed_json.SEPARATOR.join(fields)


TODAY = "2026-06-01"


def _expected(row: dict[str, Any]) -> str:
    issue = None
    if row["CAST(i.number AS TEXT)"] is not None:
        issue = {
            "repo": row["i.repo"],
            "number": int(row["CAST(i.number AS TEXT)"]),
            "url": row["i.url"],
            "state": row["i.state"],
        }
    outstanding = row["a.status"] not in ("done", "wont_do", "removed", "suggested", "dismissed")
    due, policy_due = row["CAST(a.due AS TEXT)"], row["CAST(a.policy_due AS TEXT)"]
    item = {
        "id": row["a.id"],
        "postmortem": SLUG[0],
        "title": row["a.title"],
        "owner": row["a.owner"],
        "priority": row["a.priority"],
        "due": due,
        "due_text": row["a.due_text"],
        "due_source": row["a.due_source"],
        "overdue": outstanding and due is not None and due < TODAY,
        "policy_due": policy_due,
        "past_policy": outstanding and policy_due is not None and policy_due < TODAY,
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
        {"CAST(a.due AS TEXT)": "2026-09-02", "CAST(a.policy_due AS TEXT)": "2026-05-31"},
        {"CAST(a.policy_due AS TEXT)": TODAY, "a.status": "done"},
        {"a.title": 'a "quoted" \\ title', "a.owner": "null", "a.status": "wont_do"},
        {"a.title": "tab\there", "CAST(a.due AS TEXT)": "2026-01-02", "a.due_text": "x"},
        {"CAST(i.number AS TEXT)": "7", "i.repo": "acme/app", "i.url": None, "i.state": "open"},
        {"CAST(i.number AS TEXT)": "8", "i.repo": 'a"b', "i.url": "u", "i.state": None},
    ],
)
def test_packed_rows_are_the_encoders_objects(values: dict[str, Any]) -> None:
    rows = [_row(**values), _row(**{"a.id": "second", "a.priority": "P1"})]
    objects = packed_json._objects([1], [2], _packed(rows), SOURCES, TODAY)
    assert objects == [_expected(row) for row in rows]


@pytest.mark.parametrize(
    "title", [f"one{packed_json.SEPARATOR}more", packed_json.NULL, f"x{packed_json.NULL}"]
)
def test_a_value_holding_the_separator_or_the_null_mark_is_read_row_by_row(title: str) -> None:
    # Exactly the NULL mark, as a value, would read as a NULL: the count tells them apart.
    rows = [_row(**{"a.owner": title})]
    assert packed_json._objects([1], [1], _packed(rows), SOURCES, TODAY) is None


def test_an_item_formed_from_its_view_is_its_id() -> None:
    text = _packed([_row()])
    mask = int(text[text.rindex(packed_json.SEPARATOR) + 1 :]) + packed_json.PYTHON
    text = text[: text.rindex(packed_json.SEPARATOR) + 1] + str(mask)
    assert packed_json._objects([1], [1], text, SOURCES, TODAY) == ["\0abc1234"]
