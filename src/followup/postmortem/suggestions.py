"""Find commitments written only in prose: 'We will add alerting on ...', 'Going forward ...'.

They become suggested items: kept apart until a person accepts them. A sentence counts
when a team ("we", "the team", "@dana") commits to future work; not when it tells what
already happened, floats an idea ("we could"), advises readers ("you should") or promises
an update of the report itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from followup.postmortem.wording import is_verb

# Cheap tests on a block's raw bytes before its text is collected: each pattern runs only
# when a word it needs is there, since most prose has none of them.
_TRIGGER = re.compile(
    rb"(?i)\b(?:will|going\s+to|plans?\s+to|planning\s+to|intends?\s+to|explor\w*|looking\s+into"
    rb"|working\s+on|committed\s+to|commit\s+to|needs?\s+to|in\s+(?:the\s+)?future"
    rb"|going\s+forwards?|from\s+now\s+on)\b|'ll\b|\xe2\x80\x99ll\b"
)
_TRIGGER_WORDS = (
    *(b"will", b"'ll", b"\xe2\x80\x99ll", b"going to", b"plan", b"intend", b"explor"),
    *(b"looking into", b"working on", b"commit", b"need to", b"needs to", b"in the future"),
    *(b"in future", b"going forward", b"from now on"),
)
_ONGOING = re.compile(
    rb"(?i)\b(?:we|team)\s+(?:are|is|\xe2\x80\x99re|'re)\s+(?:now\s+|also\s+|currently\s+"
    rb"|actively\s+)*[a-z]+ing\b"
)
_ONGOING_WORDS = (b"we are", b"we're", b"we\xe2\x80\x99re", b"team is", b"team are")
_PLAN_TRIGGER = re.compile(
    rb"(?i)\b(?:solution|plan|fix|approach|remedy|next\s+step)\s+(?:here\s+)?is\s+to\b"
)


def promised_in(raw: bytes) -> bool:
    """Tell whether raw Markdown may hold a commitment: a quick test before reading it."""
    low = raw.lower()
    if any(word in low for word in _TRIGGER_WORDS) and _TRIGGER.search(raw) is not None:
        return True
    if any(word in low for word in _ONGOING_WORDS) and _ONGOING.search(raw) is not None:
        return True
    return b"is to" in low and _PLAN_TRIGGER.search(raw) is not None


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[@A-Z0-9])")
_LEAD = (
    r"(?:(?:(?:going|moving)\s+forward|in\s+(?:the\s+)?future|from\s+now\s+on|next|longer[\s-]term"
    r"|in\s+the\s+(?:coming|next)\s+(?:days|weeks|months|quarters?|sprints?)|additionally|also"
    r"|finally|first|second|third|then|after\s+that|as\s+a\s+result|to\s+that\s+end|over\s+time"
    r"|as\s+(?:a|an)\s+(?:[a-z-]+\s+){0,3}(?:step|measure|action|solution|fix|plan)"
    r"(?:\s*\([^()]{1,30}\))?|to\s+(?:prevent|avoid|address"
    r"|mitigate|reduce|catch|detect)\s+[^,.;]{1,80}?|(?:this|next)\s+(?:week|month|quarter|sprint)"
    r"|by\s+[^,.;]{1,40}?|in\s+(?:q[1-4]|h[12])[^,.;]{0,10}?)\s*,?\s+"
    r"|(?!(?:if|when|whenever|unless|although|though|while|whereas|because|since|as|had|were"
    r"|even|once|until|before|after)\b)[a-z'-]+(?:\s+[a-z'-]+){0,3}\s*,\s+)*"
)
_SUBJECT = (
    r"(?P<subject>we|the\s+team|our\s+team|the\s+[\w-]+\s+team|[\w-]+\s+team|@[\w-]+"
    r"|(?:sre|ops|infra|platform|engineering|security))"
)
_PROGRESSIVE = (
    r"(?:exploring|looking\s+into|investigating|working\s+on|evaluating|considering|adding"
    r"|building|moving|migrating|implementing|introducing|rolling\s+out|improving|planning\s+to"
    r"|going\s+to|setting\s+up|(?P<ing>[a-z]+ing))"
)
# "We need to X" binds a team to work; "we should X" and "we must X" only with a lead
# that looks ahead ("In the future we should ..."): elsewhere they are lessons or wishes.
_MODAL = (
    r"(?P<modal>will|'ll|(?:are|'re|is)\s+(?:now\s+|also\s+|currently\s+|actively\s+)*"
    rf"(?P<prog>{_PROGRESSIVE})|plans?\s+to|intends?\s+to|(?:are|is|have|has)\s+committed\s+to"
    r"|commits?\s+to|(?P<need>(?:also\s+)?needs?\s+to)|(?P<should>(?:also\s+)?(?:should|must)))"
)
_COMMITMENT = re.compile(rf"^{_LEAD}{_SUBJECT}\s*{_MODAL}\s+(?P<rest>.+)$", re.IGNORECASE)
# "Our solution is to switch ...": the plan stated as a goal.
_PLAN = re.compile(
    rf"^{_LEAD}(?:our|the)\s+(?:(?:long[\s-]term|short[\s-]term|proposed|chosen|planned|main"
    r"|immediate|next)\s+)?(?:solution|plan|fix|approach|remedy|next\s+step)\s+(?:here\s+)?is\s+to"
    r"\s+(?P<rest>.+)$",
    re.IGNORECASE,
)
# "We will do the following": the list after the sentence holds the work, not the sentence.
_ANNOUNCING = re.compile(
    r"^(?:\w+\s+){0,3}?(?:the\s+following|as\s+follows|(?:these|the)\s+(?:items?|actions?"
    r"|steps?|changes|tasks)\s+(?:below|listed))\b",
    re.IGNORECASE,
)
# "-ing" words after "we are" that are no work: "we are seeing", "we're getting reports".
_NOT_PROGRESSIVE = frozenset(
    {
        *("seeing", "getting", "having", "doing", "making", "keeping", "trying", "using"),
        *("hoping", "expecting", "waiting", "hearing", "feeling", "telling", "asking"),
        *("continuing", "sharing", "publishing", "posting", "writing", "following"),
        *("watching", "observing", "aware", "sorry", "confident", "going", "being"),
        *("thinking", "reading", "learning", "noticing"),
    }
)
# How things are run: "we are running X", "we're using Y". Work only when said to be new.
_STATUS_ING = frozenset({"running", "using", "keeping", "monitoring", "tracking", "storing"})
_PASSIVE = re.compile(
    rf"^{_LEAD}(?P<thing>(?!(?:this|that|it|these|those|they|you|users?|customers?|there)\b)"
    r"[\w@`'\"-][^,;:]{2,80}?)\s+will\s+(?:also\s+|now\s+)?be\s+(?P<done>added|introduced|"
    r"implemented|deployed|rolled\s+out|put\s+in\s+place|created|built|updated|improved|migrated"
    r"|moved|replaced|rewritten|reviewed|audited|documented|automated|enabled|enforced|scheduled"
    r"|extended|expanded|tightened|hardened|increased|reduced|removed|fixed|changed|set\s+up"
    r"|required|tested|monitored|tracked|revisited|reworked|split|upgraded)\b(?P<rest>.*)$",
    re.IGNORECASE,
)
# A component's behaviour announced to change: "all SDKs will stop retrying flag requests",
# "the deploy job will now run the smoke tests". Without the change word it describes.
_CHANGE = re.compile(
    rf"^{_LEAD}(?P<thing>(?!(?:this|that|it|these|those|they|you|users?|customers?|there|we|i"
    r"|he|she|nobody|no\s+one|everyone|which|what)\b)[\w@`'\"-][^,;:]{2,60}?)\s+will\s+(?:also\s+)?"
    r"(?P<change>stop|start|begin|cease|no\s+longer|now)\s+(?P<rest>[a-z].*)$",
    re.IGNORECASE,
)
_CHANGE_WORD = re.compile(
    r"\bwill\s+(?:also\s+)?(?:stop|start|begin|cease|no\s+longer|now)\b", re.I
)
# Promises that are no action item: watching, updating this report, being able to.
_NOT_WORK = re.compile(
    r"^(?:continue\s+to\s+(?:monitor|observe|watch|keep|update|investigate|share|communicate)"
    r"|keep\s+(?:monitoring|watching|an\s+eye|you|everyone|users)|be\s+(?:able|unable|happy|glad"
    r"|sure|in\s+touch)|see|know|find\s+out|learn|need|have\s+to|post\s+(?:an?\s+)?update"
    r"|update\s+(?:this|the)\s+(?:post|page|document|doc|report|status|incident|thread|issue)"
    r"|(?:share|publish|post|release|write)\s+(?:a|an|the|more|further|our)\s+(?:\w+\s+)?"
    r"(?:update|post-?mortem|postmortem|report|details|rca|write-?up|retrospective|analysis)"
    r"|provide\s+(?:an?\s+|more\s+|further\s+)?(?:update|details|information)|get\s+back|follow\s+up"
    r"\s+(?:with|here)|let\s+(?:you|users|everyone)|notify\s+(?:you|users|customers)|reach\s+out"
    r"|talk\s+about|discuss\s+this|cover\s+(?:this|that)|also\s+note|note\s+that|explain"
    r"|(?:go|get|come)\s+back\s+to|return\s+to)\b",
    re.IGNORECASE,
)
# After "we need to" or "we should": a resolve or an attitude, no task.
_NOT_TASK = re.compile(
    r"^(?:make\s+sure\s+(?:this|that|it|we)|(?:do|get)\s+better|remember|acknowledge|accept"
    r"|understand|think|admit|apologi[sz]e|try|strive|hope|avoid|keep\s+in\s+mind)\b",
    re.IGNORECASE,
)
# "Add this to the docs": work named only by pointing back at the sentence before.
_POINTING = re.compile(r"^[a-z]+\s+(?:this|that|it|these|those|them)\b", re.IGNORECASE)
_FORWARD = re.compile(
    r"\b(?:going\s+forwards?|from\s+now\s+on|by\s+default|in\s+future|in\s+the\s+future)\b",
    re.IGNORECASE,
)
_CONDITIONAL = re.compile(r"^(?:if|unless|should|whether|as\s+we|what|how|why|when\s+we)\b", re.I)
_REFERRING = re.compile(
    r"^(?:(?:do|track|handle|address|cover|implement|tackle|prioriti[sz]e)\s+)?(?:these|those"
    r"|this|that|them|the\s+following|the\s+items?\s+below|the\s+above|it)\b[\s.:]*$",
    re.IGNORECASE,
)
_ADVERB = re.compile(r"^(?:also|now|then|further|additionally|soon|shortly|continue\s+to)\s+", re.I)
_BE_ING = re.compile(r"^be\s+(\w+ing)\b", re.IGNORECASE)
_NEGATED = re.compile(r"^(?:no\s+longer|not|never|stop)\s+\w+", re.IGNORECASE)
# After "will", words that make no work: "we will be fine", "we'll have news", "we will all".
_NOT_VERBS = frozenset(
    {
        *("be", "have", "has", "had", "likely", "probably", "certainly", "surely", "soon"),
        *("definitely", "all", "each", "every", "the", "a", "an", "this", "that", "it"),
        *("always", "still", "hopefully", "eventually", "then", "there", "here", "in", "on"),
        *("need", "want", "like", "hear", "feel", "remember", "miss", "notice", "happen"),
    }
)
_CLAUSE_CUT = re.compile(
    r",\s+(?:so\s+that|which|where|because|since|as|and\s+we)\s|\s+so\s+that\s"
)
LONG = 100


@dataclass(slots=True)
class Commitment:
    """One sentence committing to work: its span in the text and the title it suggests."""

    start: int
    end: int
    title: str
    owner: str | None


_BASE = {
    "exploring": "explore",
    "investigating": "investigate",
    "evaluating": "evaluate",
    "considering": "consider",
    "adding": "add",
    "building": "build",
    "moving": "move",
    "migrating": "migrate",
    "implementing": "implement",
    "introducing": "introduce",
    "rolling": "roll",
    "improving": "improve",
    "looking": "look",
    "working": "work",
}


def _base(word: str) -> str:
    """Return the base form of an -ing verb: 'exploring' -> 'explore'."""
    low = word.lower()
    if low in _BASE:
        return _BASE[low]
    if not low.endswith("ing"):
        return word
    stem = low[:-3]
    for candidate in (stem, stem + "e", stem[:-1]):
        if is_verb(candidate):
            return candidate
    return word


def _title(rest: str, progressive: str | None) -> str:
    """Turn what follows 'we will' into a title: 'add alerting on X' -> 'Add alerting on X'."""
    rest = rest.strip().rstrip(".!;:").strip()
    while (m := _ADVERB.match(rest)) is not None:
        rest = rest[m.end() :]
    if progressive and progressive.lower() not in ("planning to", "going to"):
        words = progressive.split()
        rest = " ".join([_base(words[0]), *words[1:], rest])
    elif (m := _BE_ING.match(rest)) is not None:
        rest = _base(m[1]) + rest[m.end() :]
    cut = _CLAUSE_CUT.search(rest)
    if cut is not None and len(rest) > LONG and len(rest[: cut.start()].split()) >= 4:
        rest = rest[: cut.start()]
    return rest[:1].upper() + rest[1:]


def _works(rest: str) -> bool:
    """Tell whether what follows 'will' is work: an action verb, 'no longer ...', 'be adding'."""
    first = rest.split(" ", 1)[0].lower()
    if _NEGATED.match(rest) is not None or _BE_ING.match(rest) is not None:
        return True
    return first.isalpha() and first not in _NOT_VERBS and not first.endswith(("ly", "ed"))


def _sentences(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    pos = 0
    for m in _SENTENCE_END.finditer(text):
        spans.append((pos, m.start()))
        pos = m.end()
    spans.append((pos, len(text)))
    return spans


def commitment(sentence: str) -> tuple[str, str | None] | None:
    """Return (title, owner) when one sentence commits to future work, else None."""
    text = " ".join(sentence.replace("’", "'").split())
    if not text or text.endswith(("?", ":")) or _CONDITIONAL.match(text):
        return None  # a question, a list's intro, a hypothesis
    m = _COMMITMENT.match(text)
    if m is not None:
        rest = m["rest"]
        ing = m["ing"]
        low = ing.lower() if ing is not None else ""
        if low in _STATUS_ING:
            if _FORWARD.search(text) is None:
                return None  # "we are running 3.2", unless "by default going forward"
        elif ing is not None and (low in _NOT_PROGRESSIVE or not is_verb(low)):
            return None
        probe = _ADVERB.sub("", rest.lstrip())
        not_work = _NOT_WORK.match(rest.lstrip()) or _NOT_WORK.match(probe)
        if not_work or _REFERRING.match(probe) or _ANNOUNCING.match(probe):
            return None
        if m["modal"].lower() in ("will", "'ll") and not _works(probe):
            return None  # "we will be fine", "we'll have more news"
        if m["should"] is not None and _FORWARD.search(text, 0, m.start("subject")) is None:
            return None  # "we should have ...", a lesson: only "In the future we should ..."
        if (m["need"] or m["should"]) and (
            not is_verb(probe.split(" ", 1)[0].lower())
            or _POINTING.match(probe)
            or _NOT_TASK.match(probe)
        ):
            return None  # "we need to be careful", "we need to add this"
        subject = m["subject"]
        owner = subject[1:] if subject.startswith("@") else None
        return _title(rest, m["prog"]), owner
    m = _PLAN.match(text)
    if m is not None:
        rest = m["rest"]
        if is_verb(rest.split(" ", 1)[0].lower()) and not _ANNOUNCING.match(rest):
            return _title(rest, None), None
        return None
    m = _CHANGE.match(text) if " will " in text and _CHANGE_WORD.search(text) else None
    if m is not None and is_verb(m["rest"].split(" ", 1)[0].lower()):
        thing, rest = m["thing"].strip(), m["rest"].rstrip(".").strip()
        return f"{thing[:1].upper()}{thing[1:]} will {m['change'].lower()} {rest}", None
    m = _PASSIVE.match(text)
    if m is not None:
        thing = m["thing"].strip()
        return f"{thing[:1].upper()}{thing[1:]} will be {m['done']}{m['rest'].rstrip('.')}", None
    return None


def commitments(text: str) -> list[Commitment]:
    """Return every committing sentence of a paragraph or list item."""
    out: list[Commitment] = []
    for start, end in _sentences(text):
        found = commitment(text[start:end])
        if found is not None:
            title, owner = found
            if len(title.split()) >= 2:
                out.append(Commitment(start, end, title, owner))
    return out
