"""benchmarks/extraction.py's rule for items from sections that must give none."""

from __future__ import annotations

from dataclasses import replace

from benchmarks.extraction import labelled_origin, violations

from followup.postmortem import ActionItem, parse

DOC = """\
# Blip

## Lessons learned

### Alerts

The disk filled up unnoticed.

**Actions planned:**

- Add a disk alert

**Lessons:**

- Alert on every disk

### Runbooks

Action taken: the runbook now covers disks.

## Timeline

- 10:00 Restart the pods
"""


def line_of(text: str) -> int:
    return next(n for n, line in enumerate(DOC.split("\n"), start=1) if text in line)


def test_a_line_under_an_action_label_is_labelled() -> None:
    assert labelled_origin(DOC, line_of("Add a disk alert"))
    assert labelled_origin(DOC, line_of("the runbook now covers disks"))


def test_another_label_a_heading_or_no_label_ends_it() -> None:
    assert not labelled_origin(DOC, line_of("Alert on every disk"))  # "Lessons:" is nearer
    assert not labelled_origin(DOC, line_of("The disk filled up"))  # no label above
    assert not labelled_origin(DOC, line_of("Restart the pods"))  # a heading between


def test_only_unlabelled_items_under_lessons_are_violations() -> None:
    pm = parse(DOC)
    lines = ["Add a disk alert", "the runbook now covers disks", "Alert on every disk"]
    items = tuple(ActionItem(title=text, line=line_of(text), text=text) for text in lines)
    found = violations(replace(pm, items=items), {"file": "blip.md"})
    at = line_of("Alert on every disk")
    assert found == [f"blip.md L{at} 'Alert on every disk' under 'Lessons learned'"]
