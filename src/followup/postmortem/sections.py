"""Decide which headings start an action-items section and what a subheading says."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from functools import lru_cache

from followup.postmortem import dates, refs
from followup.postmortem.fields import TYPES, type_from_value
from followup.postmortem.markdown import Inline
from followup.postmortem.model import Reference, RefKind


class Role(Enum):
    """What a heading announces."""

    ACTION = "action"  # the items to extract follow
    WEAK = "weak"  # named by intent ("Improving our deploys"): items only if a list follows
    OTHER = "other"  # a section that looks like items but is not: lessons, timeline...
    NEUTRAL = "neutral"


# Phrases that announce action items wherever they sit in a heading. "Follow-up" counts at
# either end of the heading or before items/work: "What followup understands" is prose, and
# so is "followup remind" (written as one word before another: a command's name).
_ACTION_ANYWHERE = re.compile(
    r"\b(?:action\s*items?|action\s+plan|(?<![\w'-])(?:^follow[\s-]+ups?|follow[\s-]*ups?$)"
    r"|follow[\s-]*ups?\s+(?:items?|actions?|tasks?|work|steps?)"
    r"|corrective(?:\s+and\s+prevent(?:at)?ive)?\s+(?:actions?|measures?|steps)"
    r"|remediations?|next\s+steps?|recommendations?|recommended\s+actions?"
    r"|prevent(?:at)?ive\s+(?:measures?|actions?|steps)|capa|(?:open|work)\s+items"
    r"|(?:prevent(?:ing|ion\s+of)?|avoid(?:ing)?)\s+(?:a\s+)?recurrence"
    r"|how\s+we(?:'ll|\s+will|\s+are\s+going\s+to|\s+plan\s+to)\s+(?:prevent|fix|avoid|improve))\b"
)
# Weaker words that announce action items only when the heading starts with them.
_ACTION_LEADING = re.compile(
    r"^(?:(?:our|the|open|key|proposed|planned|future|further)\s+)?(?:actions?|tasks?|to\s*-?\s*dos?"
    r"|improvements?|prevention|what\s+we(?:'re|\s+are|\s+will)\s+(?:do|doing|going\s+to\s+do)"
    r"|what\s+(?:we(?:'re|\s+are)\s+)?(?:changing|fixing)|what(?:'s|\s+is)\s+next|future\s+work"
    r"|fixes\s+and\s+improvements|changes\s+we(?:'re|\s+are|\s+will)\s+mak(?:e|ing))\b"
)
# Headings named by what the work is for: a section of items only when a list follows.
_WEAK_LEADING = re.compile(
    r"^(?:improving|preventing|hardening|strengthening|reducing|making|fixing|correcting"
    r"|addressing|going\s+forward|moving\s+forward|looking\s+ahead|looking\s+forward"
    r"|changes|our\s+commitments?|commitments?|planned\s+changes|(?:further\s+)?mitigations?"
    r"|where\s+we\s+go\s+from\s+here|what\s+we(?:'ll|\s+will)\s+change"
    r"|what\s+we(?:'ve|\s+have)?\s+changed"
    # Asked as a question that looks ahead: "What could be done to avoid this in future?"
    r"|what\s+(?:can|could|should|will)\s+(?:we\s+)?(?:be\s+)?(?:do|done)\s+"
    r"(?:differently\s+|better\s+)?to\s+(?:avoid|prevent|stop|reduce|mitigate)"
    r"|how\s+(?:can|could|do|will|should)\s+we\s+(?:avoid|prevent|stop|reduce))\b"
)
# Sections whose lists are never action items, even full of "we should...".
_OTHER_LEADING = re.compile(
    r"^(?:lessons?(?:\s+learn(?:ed|t))?|learnings?|takeaways?|key\s+takeaways?|what\s+went"
    r"|what\s+we\s+learned|where\s+we\s+got\s+lucky|things\s+that\s+went|timeline|chronology"
    r"|root\s+causes?|causes?|contributing|trigger|fault|five\s+why'?s|5\s+why'?s|why'?s|impact"
    r"|user\s+impact|insights?|actions\s+taken"
    r"|(?:the\s+)?rebuild$|(?:what\s+we\s+did|what\s+was\s+done|steps\s+taken"
    r"|work\s+(?:done|completed))\b(?!.*\b(?:and|next|will|plan\w*|future)\b))\b"
)
# Sections that hold no items themselves, unless their heading also names them.
_PLAIN_LEADING = re.compile(
    r"^(?:detection|resolution|recovery|response|summary|background|overview|leadup|lead-up"
    r"|what\s+happened|conclusions?|glossary|attendees|notes?|appendix|supporting|references"
    r"|owner|involved|meeting|call\s+recording|stats|duration)\b"
)
# Sections telling what happened or what was learned: a "we will" there is no commitment.
_PAST_LEADING = re.compile(
    r"^(?:recovery|resolution|response|mitigation\s+steps|remediation\s+steps\s+taken|leadup"
    r"|lead-up|what\s+happened|incident\s+(?:timeline|details|response)|detection\s+timeline)\b"
)
# Headings a post-mortem has and other Markdown files rarely do.
_INCIDENT_HEADING = re.compile(
    r"\b(?:post[\s-]?mortem|postmortem|incident|outage|retrospective|rca|after[\s-]action"
    r"|root\s+causes?|timeline|impact|lessons?\s+learn|what\s+went\s+(?:well|wrong|poorly)"
    r"|where\s+we\s+got\s+lucky|contributing\s+factors?|five\s+why'?s|5\s+why'?s|trigger"
    r"|detection|resolution|recovery|mitigation|leadup|lead-up|summary)\b"
)
# Last words of a short heading that only points elsewhere: downloads, links, reading.
_ASIDE_ENDINGS = ("resources", "links", "references", "downloads", "further reading", "releases")
_ASIDE_WORDS = 5
_NUMBERING = re.compile(r"^(?:\d+(?:\.\d+)*\.?|(?:[ivxlc]+|[a-z])[.)]|\d+\))\s+")
_ACTION_HINTS = (
    "action",
    "follow",
    "corrective",
    "remediat",
    "step",
    "recommend",
    "prevent",
    "capa",
    "items",
    "recurrence",
    "how we",
)
# First words of the phrases below, to skip the regexes for most headings.
_ACTION_FIRST = frozenset(
    {
        *("our", "the", "open", "key", "proposed", "planned", "future", "further", "what"),
        *("action", "actions", "task", "tasks", "todo", "todos", "to", "improvement"),
        *("improvements", "prevention", "future", "fixes", "changes"),
    }
)
_OTHER_FIRST = frozenset(
    {
        *("lesson", "lessons", "learning", "learnings", "takeaway", "takeaways", "key", "what"),
        *("where", "things", "timeline", "chronology", "root", "cause", "causes", "trigger"),
        *("contributing", "fault", "five", "5", "whys", "impact", "user", "detection"),
        *("resolution", "recovery", "response", "insight", "insights", "summary", "background"),
        *("overview", "leadup", "lead-up", "conclusion", "conclusions", "glossary", "attendees"),
        *("note", "notes", "appendix", "supporting", "references", "owner", "involved"),
        *("meeting", "call", "stats", "duration", "actions", "why's", "steps", "rebuild"),
        *("work", "the"),
    }
)
_WEAK_FIRST = frozenset(
    {
        *("improving", "preventing", "hardening", "strengthening", "reducing", "making"),
        *("fixing", "correcting", "addressing", "going", "moving", "looking", "changes"),
        *("our", "commitment", "commitments", "planned", "mitigation", "mitigations", "further"),
        *("where", "what", "how"),
    }
)
_HORIZON_HINTS = ("term", "immediate", "ongoing", "future", "later", "this ", "next ")
_DONE_HINTS = ("complet", "done", "finish", "resolv", "closed", "shipped", "fixed")
_NOISE = re.compile(r"[^\w\s'/-]+")

_HORIZON = re.compile(
    r"\b(?:immediate(?:ly)?|short[\s-]*term|medium[\s-]*term|mid[\s-]*term|long[\s-]*term"
    r"|near[\s-]*term|ongoing|this\s+(?:week|sprint|month|quarter)|next\s+(?:week|sprint|month|quarter)"
    r"|future|later)\b",
    re.IGNORECASE,
)
_DONE = re.compile(
    r"(?<!not\s)(?<!to\sbe\s)\b(?:completed?|done|finished|resolved|closed|shipped|fixed)\b",
    re.IGNORECASE,
)
_TRACKING = re.compile(
    r"\b(?:track|tracked|tracking|follow|epic|issue|ticket|jira|board|milestone|project)\b",
    re.IGNORECASE,
)
_TRAILING_GROUP = re.compile(r"\s*[(\[][^()\[\]]*[)\]]\s*$")


def normalise(text: str) -> str:
    """Lower-case a heading, drop numbering, emoji and punctuation, '&' becomes 'and'."""
    text = _NUMBERING.sub("", text.strip().lower())
    text = _NOISE.sub(" ", text.replace("&", " and ").replace("’", "'"))
    return " ".join(text.split())


@lru_cache(maxsize=4096)
def role(text: str) -> Role:
    """Classify a heading (or a bold label) by its text."""
    norm = normalise(text)
    first = norm.partition(" ")[0]
    # Cheap word checks first: every heading of every document comes through here.
    if first in _OTHER_FIRST and (m := _OTHER_LEADING.match(norm)) is not None:
        # "Root cause remediations": the lesson-like words only say what the actions fix.
        return Role.ACTION if _qualified_action(norm, m.end()) else Role.OTHER
    if any(hint in norm for hint in _ACTION_HINTS) and _ACTION_ANYWHERE.search(norm):
        return Role.ACTION
    if first in _OTHER_FIRST and _PLAIN_LEADING.match(norm):
        return Role.OTHER
    if first in _ACTION_FIRST and _ACTION_LEADING.match(norm):
        return Role.ACTION
    if norm.endswith(_ASIDE_ENDINGS) and len(norm.split()) <= _ASIDE_WORDS:
        return Role.OTHER  # "Client releases and resources": where to look, no work
    if first in _WEAK_FIRST and _WEAK_LEADING.match(norm):
        return Role.WEAK
    return Role.NEUTRAL


# Plural nouns of work that a lesson-like word may qualify: "Root cause fixes".
_QUALIFIED = re.compile(r"^(?:fixes|changes|improvements|actions|tasks)$")


def _qualified_action(norm: str, end: int) -> bool:
    """Tell whether an action phrase follows a lesson-like one at end: 'root cause fixes'."""
    rest = norm[end:].lstrip()
    if not rest:
        return False
    if _QUALIFIED.match(rest):
        return True
    return any(h in rest for h in _ACTION_HINTS) and _ACTION_ANYWHERE.match(rest) is not None


_AND_ACTION = re.compile(r"^(?:and|&|plus)\s+(.+)$")


@lru_cache(maxsize=1024)
def mixed(text: str) -> bool:
    """Tell whether a lesson-like heading also names the actions: 'Lessons and action items'."""
    norm = normalise(text)
    m = _OTHER_LEADING.match(norm)
    if m is None:
        return False
    joined = _AND_ACTION.match(norm[m.end() :].lstrip())
    if joined is None:
        return False
    rest = joined[1]
    return _ACTION_ANYWHERE.match(rest) is not None or _ACTION_LEADING.match(rest) is not None


@lru_cache(maxsize=4096)
def tells_the_past(text: str) -> bool:
    """Tell whether a section recounts the incident or its lessons: no commitments there."""
    norm = normalise(text)
    return bool(_OTHER_LEADING.match(norm) or _PAST_LEADING.match(norm))


@lru_cache(maxsize=4096)
def incident_heading(text: str) -> bool:
    """Tell whether a heading is one post-mortems have: Summary, Timeline, Root cause..."""
    return _INCIDENT_HEADING.search(normalise(text)) is not None


def horizon(text: str) -> bool:
    """Tell whether a heading names a time horizon: 'Short term', 'Next quarter'."""
    low = text.lower()
    return any(h in low for h in _HORIZON_HINTS) and _HORIZON.search(text) is not None


def plainly_action(text: str) -> bool:
    """Tell whether a heading starts with an action phrase and carries no time or number."""
    norm = normalise(text)
    if any(ch.isdigit() for ch in norm):
        return False
    if _ACTION_ANYWHERE.match(norm) or _ACTION_LEADING.match(norm):
        return True
    m = _OTHER_LEADING.match(norm)
    return m is not None and _qualified_action(norm, m.end())


def only_action(text: str) -> bool:
    """Tell whether a line is an action phrase and nothing more: 'Action Items', 'Next steps'."""
    norm = normalise(text)
    m = _ACTION_ANYWHERE.match(norm) or _ACTION_LEADING.match(norm)
    return m is not None and m.end() == len(norm)


@dataclass(slots=True)
class Context:
    """What a subheading inside an action section says about the items under it."""

    section: str | None = None
    type: str | None = None
    done: bool = False
    due: dates.Due | None = None
    references: list[Reference] = field(default_factory=list)
    skip: bool = False
    owner: str | None = None  # named by a lead-in: "The SRE team will do the following:"


def tracking_refs(inline: Inline, *, linked_text: bool = True) -> list[Reference]:
    """Return the links that point at a tracker, as a heading or a note under it gives them."""
    found = refs.references(inline)
    if not found or (linked_text and _TRACKING.search(inline.text)):
        return found
    return [ref for ref in found if ref.kind in (RefKind.ISSUE, RefKind.PULL)]


def region_context(inline: Inline, anchor: date | None = None) -> Context:
    """Read what an action-items heading itself says: a shared link, a due window, done."""
    return Context(
        references=tracking_refs(inline),
        due=dates.due_from_heading(inline.text, anchor),
        done=any(h in inline.text.lower() for h in _DONE_HINTS)
        and _DONE.search(inline.text) is not None,
    )


def subheading(inline: Inline, anchor: date | None = None) -> Context:
    """Read a subheading inside an action section: horizon, done, due window, links, type."""
    text = inline.text.strip()
    ctx = Context(references=tracking_refs(inline))
    due = dates.due_from_heading(text, anchor)
    if due is not None:
        ctx.due = due
    # The name without its trailing "(link)" or "(window)" part.
    name = text
    while (m := _TRAILING_GROUP.search(name)) is not None and m.start() > 0:
        group = name[m.start() :]
        if (due is not None and due.text in group) or (ctx.references and inline.links):
            name = name[: m.start()].rstrip()
        else:
            break
    low = text.lower()
    if any(h in low for h in _DONE_HINTS) and _DONE.search(text):
        ctx.done = True
    if any(h in low for h in _HORIZON_HINTS) and _HORIZON.search(text):
        ctx.section = name
        return ctx
    kind = type_from_value(name)
    if kind in TYPES:
        ctx.type = kind
        return ctx
    heading_role = role(text)
    if heading_role is Role.ACTION or ctx.done:
        return ctx
    if heading_role is Role.OTHER:
        ctx.skip = True
        return ctx
    ctx.type = name or None
    return ctx
