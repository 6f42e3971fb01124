"""Which headings start an action-items section, and what subheadings inside one say."""

from __future__ import annotations

from datetime import date

import pytest

from followup.postmortem import sections
from followup.postmortem.markdown import Inline, parse_inline
from followup.postmortem.sections import Role


def heading(markdown: str) -> Inline:
    return parse_inline(f"### {markdown}\n")


@pytest.mark.parametrize(
    "text",
    [
        "Action Items",
        "Action items & follow-ups",
        "Follow-ups",
        "Follow ups",
        "Followups",
        "Corrective actions",
        "Corrective and preventative actions",
        "Remediation",
        "Remediation items",
        "Next steps",
        "Recommendations",
        "Preventative measures",
        "Preventive measures",
        "Action Items for the platform team",
        "Post-incident action items",
        "3. Action items",
        "IV. Follow-up actions",
        "✅ Action items",
        "Actions",
        "Tasks",
        "Improvements",
        "What we are doing about it",
        "Summary of action items",
        "Preventing recurrence",
        "How we will prevent this from happening again",
        "Future work",
        "Open items",
        "Detection and remediation",
    ],
)
def test_action_headings(text: str) -> None:
    assert sections.role(text) is Role.ACTION


@pytest.mark.parametrize(
    "text",
    [
        "Lessons learned",
        "Lessons Learnt",
        "What went well",
        "What went wrong?",
        "What Went Poorly?",
        "Where we got lucky",
        "Timeline",
        "Root cause",
        "Root Causes",
        "Root cause identification: The Five Whys",
        "Contributing factors",
        "5 Whys",
        "Impact",
        "Detection",
        "Resolution",
        "Insights",
        "Notes to the owner",
        "Actions taken",
        "Lessons learned and action items",
    ],
)
def test_other_headings(text: str) -> None:
    assert sections.role(text) is Role.OTHER


@pytest.mark.parametrize(
    "text", ["Summary of fixes", "BinderHub", "Deployment", "Stats", "followup remind"]
)
def test_plain_headings_are_not_action_sections(text: str) -> None:
    assert sections.role(text) is not Role.ACTION


def test_horizon_subheading_is_the_section() -> None:
    ctx = sections.subheading(heading("Short-term Improvements"))
    assert (ctx.section, ctx.type, ctx.done, ctx.skip) == (
        "Short-term Improvements",
        None,
        False,
        False,
    )


def test_completed_subheading_marks_done() -> None:
    ctx = sections.subheading(heading("Immediate Actions (Completed)"))
    assert ctx.done and ctx.section == "Immediate Actions (Completed)"
    assert sections.subheading(heading("Done")).done
    assert not sections.subheading(heading("Not completed yet")).done


def test_due_window_subheading() -> None:
    ctx = sections.subheading(heading("Long-term Improvements (Q4 2025 - Q1 2026)"))
    assert ctx.section == "Long-term Improvements"
    assert ctx.due is not None
    assert (ctx.due.text, ctx.due.date) == ("Q4 2025 - Q1 2026", date(2026, 3, 31))


def test_linked_subheading_shares_its_reference() -> None:
    ctx = sections.subheading(
        heading("Short-term ([Follow along here](https://github.com/o/r/issues/5))")
    )
    assert ctx.section == "Short-term"
    assert [r.url for r in ctx.references] == ["https://github.com/o/r/issues/5"]


def test_component_subheading_is_the_type() -> None:
    assert sections.subheading(heading("BinderHub")).type == "BinderHub"
    assert sections.subheading(heading("Mitigation")).type == "mitigate"
    assert sections.subheading(heading("Detection")).type == "detect"


def test_lessons_subheading_is_skipped() -> None:
    assert sections.subheading(heading("Lessons learned")).skip


def test_tracking_refs_need_a_tracker_link_or_word() -> None:
    plain = parse_inline("See [the design](https://docs.example.com/d).\n")
    assert sections.tracking_refs(plain) == []
    epic = parse_inline("Tracked in [the epic](https://jira.example.com/browse/E-1).\n")
    assert len(sections.tracking_refs(epic)) == 1
