"""A heading that asks how to keep the incident from happening again holds its actions."""

from __future__ import annotations

import pytest

from followup.postmortem.reader import parse

LIST = "- Alert when the image cache fills up\n- [Rotate the signing key yearly](https://github.com/o/r/issues/12)\n"


def titles(text: str) -> list[str]:
    return [item.title for item in parse(text).items]


@pytest.mark.parametrize(
    "heading",
    [
        "What could be done to avoid this in future?",
        "What can we do to prevent this?",
        "What should be done differently to avoid a repeat?",
        "How can we prevent this from happening again?",
        "How do we avoid this next time?",
    ],
)
def test_a_question_looking_ahead_heads_the_actions(heading: str) -> None:
    text = f"# Image service outage\n\n## Summary\n\nImages failed.\n\n## {heading}\n\n{LIST}"
    assert titles(text) == ["Alert when the image cache fills up", "Rotate the signing key yearly"]


@pytest.mark.parametrize(
    "heading",
    [
        "What could we have done better?",
        "What would have prevented this?",
        "How could this happen?",
        "What could be done?",
    ],
)
def test_a_question_looking_back_or_at_nothing_holds_no_actions(heading: str) -> None:
    text = f"# Image service outage\n\n## Summary\n\nImages failed.\n\n## {heading}\n\n{LIST}"
    assert titles(text) == []


def test_the_question_with_no_list_under_it_gives_nothing() -> None:
    text = (
        "# Image service outage\n\n## What could be done to avoid this in future?\n\n"
        "We looked at the cache and the key and found both fine.\n"
    )
    assert titles(text) == []
