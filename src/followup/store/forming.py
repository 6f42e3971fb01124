"""Form `followup list`'s plain lines and JSON objects in Python from plain rows.

PostgreSQL forms text slowly: concatenating a line cost its server 7 microseconds an item
and a JSON object 30 (each to_json alone about 2), while Python forms either in 2 or 3 from
the columns its driver decodes in C. store/direct.py selects those columns
(_LINE_COLUMNS, _OBJECT_COLUMNS) and these functions form what cli/listing.py forms from
an ItemView, byte for byte (tests/cli/test_direct_read.py compares them). Items with a
protection, or links in JSON, are left to the views: their text is NUL and their id.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from followup.display import OVERDUE_MARK, PAST_POLICY_MARK, POLICY_MARK, status_text
from followup.policy import DUE_POLICY
from followup.statuses import CLOSED_STATUSES, UNACCEPTED_STATUSES, Status
from followup.store.display_paths import listed_path, working_folder

# Statuses in which an item no longer counts as outstanding (views.ItemView.is_overdue).
_DONE_WITH = frozenset(s.value for s in CLOSED_STATUSES | UNACCEPTED_STATUSES)
_STATUS_TEXT = {status.value: status_text(status.value) for status in Status}
_OVERDUE = f" {OVERDUE_MARK}"
_PAST_POLICY = f" {PAST_POLICY_MARK}"
_string = json.encoder.encode_basestring  # as Python's encoder writes a string
_QUOTE = '"'


def lines(rows: Sequence[Sequence[Any]], today: date) -> list[tuple[int, str]]:
    """Return (post-mortem id, plain line) for rows of direct_sql.LINE_COLUMNS.

    Dates come as their ISO text (YYYY-MM-DD), which orders as the dates do.
    """
    day = today.isoformat()
    out: list[tuple[int, str]] = []
    append = out.append
    for (
        pm_id,
        _position,
        item_id,
        status,
        kind,
        title,
        owner,
        priority,
        due,
        due_text,
        due_source,
        policy_due,
        number,
        issue_repo,
        reason,
        python,
    ) in rows:
        if python:
            append((pm_id, "\0" + item_id))
            continue
        line = f"  {item_id}  {_STATUS_TEXT.get(status) or status_text(status)}  "
        if kind == "branch_protection":
            line += "⛨ "
        line += title
        if owner:
            line += f"  @{owner}"
        if priority:
            line += f"  {priority}"
        if due is not None or due_text:
            overdue = False
            if due is None:
                line += f"  due {due_text}"
            else:
                line += f"  due {due}"
                if due_source == DUE_POLICY:
                    line += POLICY_MARK
                if due < day and status not in _DONE_WITH:
                    overdue = True
                    line += _OVERDUE
            if (
                not overdue
                and policy_due is not None
                and policy_due < day
                and status not in _DONE_WITH
            ):
                line += _PAST_POLICY
        if number is not None:
            line += f"  {issue_repo}#{number}"
        if reason:
            line += f"  ({reason})"
        append((pm_id, line))
    return out


def sources(rows: Iterable[Sequence[Any]]) -> dict[int, tuple[str, str]]:
    """Return each post-mortem's slug and file (relative to the working folder) as JSON.

    From rows of (id, slug, path): a list's objects name them once per post-mortem.
    """
    cwd = working_folder()
    return {pm_id: (_string(slug), _string(listed_path(path, cwd))) for pm_id, slug, path in rows}


def objects(
    rows: Sequence[Sequence[Any]], today: date, postmortems: Mapping[int, tuple[str, str]]
) -> list[str]:
    """Return the JSON object of each row of direct_sql.OBJECT_COLUMNS (dates as ISO text).

    postmortems gives each post-mortem's slug and file as JSON (sources).
    """
    day = today.isoformat()
    string = _string
    out: list[str] = []
    append = out.append
    for (
        pm_id,
        _position,
        item_id,
        title,
        owner,
        priority,
        due,
        due_text,
        due_source,
        policy_due,
        type_,
        kind,
        status,
        reason,
        repo,
        number,
        issue_repo,
        url,
        state,
        line,
        python,
    ) in rows:
        if python:
            append("\0" + item_id)
            continue
        outstanding = status not in _DONE_WITH
        overdue = "true" if outstanding and due is not None and due < day else "false"
        past = "true" if outstanding and policy_due is not None and policy_due < day else "false"
        slug, file = postmortems[pm_id]
        if number is None:
            issue = "null"
        else:
            issue = (
                f'{{"repo": {string(issue_repo)}, "number": {number}, '
                f'"url": {"null" if url is None else string(url)}, '
                f'"state": {"null" if state is None else string(state)}}}'
            )
        # The optional values inline: a function call each would cost a fifth more.
        append(
            f'{{"id": {string(item_id)}, "postmortem": {slug}, '
            f'"title": {string(title)}, '
            f'"owner": {"null" if owner is None else string(owner)}, '
            f'"priority": {"null" if priority is None else string(priority)}, '
            f'"due": {"null" if due is None else f"{_QUOTE}{due}{_QUOTE}"}, '
            f'"due_text": {"null" if due_text is None else string(due_text)}, '
            f'"due_source": {"null" if due_source is None else string(due_source)}, '
            f'"overdue": {overdue}, '
            f'"policy_due": '
            f"{'null' if policy_due is None else f'{_QUOTE}{policy_due}{_QUOTE}'}, "
            f'"past_policy": {past}, '
            f'"type": {"null" if type_ is None else string(type_)}, '
            f'"kind": {string(kind)}, "status": {string(status)}, '
            f'"status_reason": {"null" if reason is None else string(reason)}, '
            f'"repo": {"null" if repo is None else string(repo)}, '
            f'"links": [], "protection": null, "issue": {issue}, '
            f'"source": {{"file": {file}, "line": {line}}}}}'
        )
    return out
