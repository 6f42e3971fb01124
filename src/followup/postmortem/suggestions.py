"""Find commitments written only in prose: 'We will add alerting on ...', 'Going forward ...'.

They become suggested items: kept apart until a person accepts them. A sentence counts
when a team ("we", "the team", "@dana", a lone author) commits to future work, however it
says so (promise_words.py holds the wording); not when it tells what already happened,
floats an idea ("we could"), advises readers ("you should"), states a lesson or a resolve
("we should be careful", "we will make sure this never happens again") or promises an
update of the report itself. Within a paragraph a sentence may lean on the one before:
"We should also ..." goes on from a commitment, "We need to add this to the runbook"
writes down what was just said.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from followup.postmortem import hindsight
from followup.postmortem import promise_words as w
from followup.postmortem.wording import is_verb

# Cheap tests on a block's raw bytes before its text is collected: each pattern runs only
# when a word it needs is there, since most prose has none of them.
_TRIGGER = re.compile(
    rb"(?i)\b(?:will|going\s+to|plan(?:s|ning)?\s+(?:to|on)|intends?\s+to|explor\w*|looking\s+into"
    rb"|working|committed\s+to|commit\s+to|needs?\s+to|in\s+(?:the\s+)?future|going\s+forwards?"
    rb"|from\s+now\s+on|under\s*way|in\s+progress|should|must|(?:want|aim)s?\s+to|started|begun"
    rb"|(?:issue|ticket|epic|project|effort|initiative|workstream|pr|request)\s+(?:\S+\s+)?(?:to|for)"
    rb"|tracked\s+(?:in|at|by|under|as)|(?:steps|measures|action)\s+to|planned|scheduled|backlog"
    rb"|roadmap|released|shipped|being\s+(?:worked|implemented|built|developed|rolled|planned"
    rb"|prepared|added|fixed|addressed|investigated))\b|'ll\b|\xe2\x80\x99ll\b"
)
_TRIGGER_WORDS = (
    *(b"will", b"'ll", b"\xe2\x80\x99ll", b"going to", b"plan", b"intend", b"explor"),
    *(b"looking into", b"working on", b"commit", b"need to", b"needs to", b"in the future"),
    *(b"in future", b"going forward", b"from now on"),
    *(b"underway", b"under way", b"in progress", b"issue", b"ticket", b"epic", b"tracked"),
    *(b"should", b"must", b"want", b"aim", b"started", b"begun", b"project", b"effort"),
    *(b"initiative", b"workstream", b"working", b"steps to", b"measures to", b"action to"),
    *(b"planned", b"scheduled", b" pr ", b"pull request", b"merge request", b"being "),
    *(b"backlog", b"roadmap", b"released", b"shipped"),
)
_ONGOING = re.compile(
    rb"(?i)\b(?:(?:we|team)\s+(?:are|is|\xe2\x80\x99re|'re)|i\s*(?:am|\xe2\x80\x99m|'m))\s+"
    rb"(?:now\s+|also\s+|currently\s+|actively\s+|in\s+the\s+process\s+of\s+)*[a-z]+ing\b"
)
_ONGOING_WORDS = (
    *(b"we are", b"we're", b"we\xe2\x80\x99re", b"team is", b"team are"),
    *(b"i am", b"i'm", b"i\xe2\x80\x99m"),
)
_PLAN_TRIGGER = re.compile(rb"(?i)\b(?:is|are)\s+to\s")
_PLAN_WORDS = (b"is to", b"are to")


def _one_pass(words: tuple[bytes, ...]) -> re.Pattern[bytes]:
    """Compile words into one search, grouped by first byte: far fewer tries per position."""
    kept: list[bytes] = []
    for word in sorted(set(words)):
        if not any(word.startswith(shorter) for shorter in kept):
            kept.append(word)  # "plan" finds "planned" already
    groups: dict[bytes, list[bytes]] = {}
    for word in kept:
        groups.setdefault(word[:1], []).append(re.escape(word[1:]))
    return re.compile(
        b"|".join(
            re.escape(first) + b"(?:" + b"|".join(tails) + b")" for first, tails in groups.items()
        )
    )


# Any word any test above needs, in one pass: most blocks have none, and one search of the
# lower-cased bytes is cheaper than asking for each word in turn.
_ANY_WORD = _one_pass((*_TRIGGER_WORDS, *_ONGOING_WORDS, *_PLAN_WORDS))


def promised_in(raw: bytes, *, looking_back: bool = False) -> bool:
    """Tell whether raw Markdown may hold a commitment: a quick test before reading it.

    looking_back: among lessons only a sentence looking ahead commits (see commitments).
    """
    low = raw.lower()
    if looking_back and (_AHEAD_WORD.search(low) is None or _AHEAD_BYTES.search(raw) is None):
        return hindsight.may_hold(low)  # "We need a staging instance": owed work, no look ahead
    if _ANY_WORD.search(low) is None:
        return False
    if any(word in low for word in _TRIGGER_WORDS) and _TRIGGER.search(raw) is not None:
        return True
    if any(word in low for word in _ONGOING_WORDS) and _ONGOING.search(raw) is not None:
        return True
    return any(word in low for word in _PLAN_WORDS) and _PLAN_TRIGGER.search(raw) is not None


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


_VOWELS = frozenset("aeiouy")


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
    if len(stem) > 3 and stem[-1] not in _VOWELS and stem[-2] not in _VOWELS:
        return stem  # "conducting" -> "conduct": after two consonants, no "e" was dropped
    if len(stem) > 3 and stem[-2] in _VOWELS and stem[-3] in _VOWELS:
        return stem  # "retooling" -> "retool": after two vowels, no "e" was dropped
    return word


def _title(rest: str, progressive: str | None) -> str:
    """Turn what follows 'we will' into a title: 'add alerting on X' -> 'Add alerting on X'."""
    rest = rest.strip().rstrip(".!;:").strip()
    while (m := w.ADVERB.match(rest)) is not None:
        rest = rest[m.end() :]
    if progressive and progressive.lower() not in ("planning to", "going to"):
        words = progressive.split()
        rest = " ".join([_base(words[0]), *words[1:], rest])
    elif (m := w.BE_ING.match(rest)) is not None:
        rest = _base(m[1]) + rest[m.end() :]
    cut = w.CLAUSE_CUT.search(rest)
    if cut is not None and len(rest) > LONG and len(rest[: cut.start()].split()) >= 4:
        rest = rest[: cut.start()]
    return rest[:1].upper() + rest[1:]


def _works(rest: str) -> bool:
    """Tell whether what follows 'will' is work: an action verb, 'no longer ...', 'be adding'."""
    first = rest.split(" ", 1)[0].lower()
    negated = w.NEGATED.match(rest)
    if negated is not None:
        return negated["verb"] is None or is_verb(negated["verb"].lower())
    if w.BE_ING.match(rest) is not None:
        return True
    return first.isalpha() and first not in w.NOT_VERBS and not first.endswith(("ly", "ed"))


def _ing_word(word: str) -> bool:
    """Tell whether a word may be a verb's -ing form the list lacks: 'retooling'."""
    return len(word) > 6 and word.endswith("ing") and word.isalpha()


def _ing_to_base(text: str) -> str:
    """Put a leading -ing verb in its base form: 'migrating X' -> 'migrate X'."""
    first, _, more = text.partition(" ")
    if not first.lower().endswith("ing"):
        return text
    return f"{_base(first)} {more}" if more else _base(first)


def _verb_first(text: str) -> bool:
    """Tell whether text starts with an action verb: 'add ...', 'adding ...'."""
    return is_verb(text.split(" ", 1)[0].lower())


def _sentences(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    pos = 0
    for m in w.SENTENCE_END.finditer(text):
        spans.append((pos, m.start()))
        pos = m.end()
    spans.append((pos, len(text)))
    return spans


# Kinds of commitment a "Once X, ..." clause may carry: a timed "should" stays a lesson.
_TIMED_KINDS = frozenset({"will", "need", "plan"})


def commitment(sentence: str, *, follows: bool = False) -> tuple[str, str | None] | None:
    """Return (title, owner) when one sentence commits to future work, else None.

    follows: the sentence before was a commitment, so a bare "we should also ..." goes on
    with the same list of work.
    """
    found = _read(" ".join(sentence.replace("’", "'").split()), follows, timed=False)
    if found is None or w.VAGUE.match(found[0]) is not None:
        return None  # "implement safeguards to prevent similar incidents": no work named
    return found[0], found[1]


def _read(text: str, follows: bool, *, timed: bool) -> tuple[str, str | None, str] | None:
    """Read one normalised sentence: (title, owner, kind of commitment) or None."""
    if not text or text.endswith(("?", ":")):
        return None  # a question, a list's intro
    m = w.WHEN.match(text)
    if m is not None:
        if w.PAST_CLAUSE.search(m["clause"]) is not None:
            return None  # "When we noticed, we needed to ...": the story
        found = _read(m["main"], follows, timed=True)
        return found if found is not None and found[2] in _TIMED_KINDS else None
    if w.CONDITIONAL.match(text):
        return None  # a hypothesis
    m = w.WHICH.match(text) if ", which " in text else None
    if m is not None:
        main = m["main"].strip()
        return f"{m['verb'].capitalize()} going forward: {main}", None, "will"
    m = w.COMMITMENT.match(text)
    if m is not None:
        found = _committed(text, m, follows, w.POINTING_BACK if timed else w.POINTING)
        # "We have started an effort to X": the work is in what the effort is for.
        return found if found is not None or m["started"] is None else _tracked(text)
    m = w.PLAN.match(text)
    if m is not None:
        rest = m["rest"]
        if not _verb_first(rest) or w.ANNOUNCING.match(rest) or w.RESOLVE.match(rest):
            return None  # "our priority is to make sure this never happens again"
        return None if w.NOT_WORK.match(rest) else (_title(rest, None), None, "plan")
    m = w.CHANGE.match(text) if " will " in text and w.CHANGE_WORD.search(text) else None
    if m is not None and _verb_first(m["rest"]):
        thing, rest = m["thing"].strip(), m["rest"].rstrip(".").strip()
        return f"{thing[:1].upper()}{thing[1:]} will {m['change'].lower()} {rest}", None, "change"
    m = w.RULE.match(text) if " will " in text else None
    if (
        m is not None
        and _verb_first(m["rest"])
        and m["rest"].split(" ", 1)[0].lower() not in w.OUTCOMES
        and not m["thing"].split(" ", 1)[0].lower().endswith("ing")
        and w.AHEAD.search(text, 0, m.start("thing")) is not None
    ):
        thing, rest = m["thing"].strip(), m["rest"].rstrip(".").strip()
        return f"{thing[:1].upper()}{thing[1:]} will {rest}", None, "change"
    m = w.PASSIVE.match(text)
    if m is not None:
        modal = " ".join(m["pmodal"].lower().split())
        if modal in ("should", "must") and not (follows or _looks_ahead(text, m.start("thing"))):
            return None  # "Changes should be reviewed": a lesson, unless it looks ahead
        if "need" in modal and w.DEFINITE.match(m["thing"]) is None:
            return None  # "Certificates need to be renewed yearly": a rule, not this work
        thing = m["thing"].strip()
        if m["done"].lower() == "used" and not _looks_ahead(text, m.start("thing")):
            return None  # "The data will be used to ...": how, unless it looks ahead
        if m["done"].lower() in ("released", "shipped") and w.REPORT.search(thing):
            return None  # "the full report will be released": the report, no work
        title = f"{thing[:1].upper()}{thing[1:]} {modal} be {m['done']}{m['rest'].rstrip('.')}"
        return title, None, "passive"
    return _tracked(text)


_AHEAD_MODALS = ("will", "'ll")


def announced(text: str) -> tuple[str | None] | None:
    """Read a lead-in committing a team to the list after it; return (owner,) or None.

    "The platform team will address the following items before the launch:" makes the
    entries below that team's items; "We will do the following:" too, with no owner named.
    """
    text = " ".join(text.replace("’", "'").split())
    if not text.endswith(":") or " following" not in text:
        return None
    m = w.COMMITMENT.match(text[:-1])
    if m is None:
        return None
    planned = (m["prog"] or "").lower() in ("going to", "planning to")
    if m["modal"].lower() not in _AHEAD_MODALS and not planned:
        return None
    rest = w.ADVERB.sub("", m["rest"].lstrip())
    if w.ANNOUNCING.match(rest) is None:
        return None
    subject = m["subject"]
    low = subject.lower()
    if low in ("we", "i"):
        return (None,)
    owner = subject[1:] if subject.startswith("@") else re.sub(r"(?i)^(?:the|our)\s+", "", subject)
    return (owner,)


def looks_ahead(text: str) -> bool:
    """Tell whether text looks ahead: 'to prevent ...', 'in the future', 'going forward'."""
    return w.AHEAD.search(text) is not None


def _looks_ahead(text: str, subject: int) -> bool:
    """Tell whether a sentence looks ahead: a lead before its subject, or a closing phrase."""
    return w.AHEAD.search(text, 0, subject) is not None or w.AHEAD_END.search(text) is not None


def _committed(
    text: str, m: re.Match[str], follows: bool, pointing: re.Pattern[str]
) -> tuple[str, str | None, str] | None:
    """Check a 'we will / we need to / we should ...' sentence; return its title if work."""
    rest = m["rest"]
    prog = m["prog"]
    planned = prog is not None and prog.lower() in ("going to", "planning to")
    if planned:
        rest = w.MUST_TO.sub("", rest, count=1)  # "we're going to need to rebuild X"
    on = w.ON_ING.match(rest) if prog is not None and prog.lower() == "planning" else None
    if on is not None or m["planon"] is not None:
        # "We plan on moving X", "we are planning on moving X": move X.
        rest = rest[on.end() :] if on is not None else rest
        if not rest.split(" ", 1)[0].lower().endswith("ing"):
            return None
        rest, prog, planned = _ing_to_base(rest), None, True
    ing = m["ing"]
    low = ing.lower() if ing is not None else ""
    if low in w.STATUS_ING:
        if w.FORWARD.search(text) is None:
            return None  # "we are running 3.2", unless "by default going forward"
    elif ing is not None and (low in w.NOT_PROGRESSIVE or not is_verb(low)):
        return None
    probe = w.ADVERB.sub("", rest.lstrip())
    not_work = w.NOT_WORK.match(rest.lstrip()) or w.NOT_WORK.match(probe)
    if not_work or w.REFERRING.match(probe) or w.ANNOUNCING.match(probe):
        return None
    modal = m["modal"].lower()
    if modal in ("will", "'ll") and not _works(probe):
        return None  # "we will be fine", "we'll have more news"
    if w.RESOLVE.match(probe):
        return None  # "we will make sure this never happens again"
    if m["started"] is not None and w.WORK_ON.match(probe):
        what = probe[probe.index(" ") + 4 :]  # "we have begun work on X"
        return None if w.REFERRING.match(what) else (_title("work on " + what, None), None, "plan")
    if m["started"] is not None:
        if probe.lower().startswith("to "):
            probe = probe[3:]
        probe = w.PROCESS_OF.sub("", probe, count=1)  # "started the process of retiring X"
        first = probe.split(" ", 1)[0].lower()
        if first in w.NOT_PROGRESSIVE or not (_verb_first(probe) or _ing_word(first)):
            return None  # "we have started seeing fewer errors"
        rest = _ing_to_base(probe)
    if m["aimed"] is not None:
        rest = probe  # "working with the vendor to raise X": raise X
    should, need = m["should"] is not None, m["need"] is not None or m["willneed"] is not None
    if should or need:
        reach = w.REACH.match(probe)
        if reach is not None:
            rest = probe = probe[reach.end() :]  # "strive to reduce X": reduce X
    begun = m["started"] is not None and _ing_word(probe.split(" ", 1)[0].lower())
    if modal not in ("will", "'ll") and prog is None and not (_verb_first(probe.lower()) or begun):
        return None  # "we plan to not do it", "we plan to be careful"
    if should and not (follows or _looks_ahead(text, m.start("subject"))):
        return None  # "we should have ...", a lesson: only "In the future we should ..."
    if (should or need) and (pointing.match(probe) or w.NOT_TASK.match(probe)):
        return None  # "we need to be careful", "we need to add this"
    subject = m["subject"]
    owner = subject[1:] if subject.startswith("@") else None
    # The strongest reading wins: "should" and "need" keep their limits in a "When ..." clause.
    kinds = (("should", should), ("need", need), ("plan", planned), ("prog", prog is not None))
    kind = next((name for name, holds in kinds if holds), "will")
    return _title(rest, prog), owner, kind


def _tracked(text: str) -> tuple[str, str | None, str] | None:
    """Read work said to be under way or tracked: 'Work is underway to X', 'an issue to X'."""
    m = w.UNDERWAY.match(text) or w.TRACKED.match(text)
    if m is not None:
        rest = m["rest"]
        if m.re is w.UNDERWAY and m["on"] is not None:
            if w.REFERRING.match(rest):
                return None  # "Work has started on this"
            return _title("work on " + rest, None), None, "plan"
        first = rest.split(" ", 1)[0].lower()
        if not is_verb(first) or first in w.NOT_OURS or w.POINTING.match(rest):
            return None  # "a ticket with support to ask ...", "an issue to track this"
        return _title(_ing_to_base(rest), None), None, "plan"
    m = w.TRACKED_WORK.match(text)
    if m is not None and is_verb(m["ing"].lower()) and m["ing"].lower() not in w.NOT_PROGRESSIVE:
        return _title(f"{_base(m['ing'])} {m['what']}", None), None, "plan"
    m = w.BACKLOG.match(text) if "added" in text else None
    if m is not None:
        what = (m["what"] or m["thing"]).strip()
        if w.REFERRING.match(what) or w.POINTING.match(what):
            return None  # "we've added this to the backlog"
        return _title(_ing_to_base(what), None), None, "plan"
    m = w.SCHEDULED.match(text)
    if m is not None and w.ROUTINE.search(text) is None and len(_content(m["thing"])) >= 2:
        return text.rstrip(".!; "), None, "plan"
    return None


def _content(text: str) -> list[str]:
    """Return a phrase's words without its articles."""
    return [word for word in text.split() if word.lower() not in ("a", "an", "the")]


def commitments(text: str, *, looking_back: bool = False) -> list[Commitment]:
    """Return every committing sentence of a paragraph or list item.

    looking_back: the paragraph is in a section looking back (lessons, what went well),
    where only a sentence that itself looks ahead ("Going forward we'll ...") commits.
    """
    out: list[Commitment] = []
    follows = False
    before: tuple[int, int] | None = None
    for start, end in _sentences(text):
        sentence = text[start:end]
        # "We need to add this to the runbook": the sentence before says what.
        noted = None
        # After a commitment, "this" is that work: documenting it adds nothing to suggest.
        if before is not None and not follows and " th" in sentence and not looking_back:
            noted = _recorded(sentence, text[before[0] : before[1]])
        found = commitment(sentence, follows=follows) if noted is None else None
        if found is None and noted is None and before is not None:
            found = _theirs(sentence, text[before[0] : before[1]])
        if looking_back and not (found is not None and _ahead_in_hindsight(sentence)):
            found = hindsight.own_work(sentence, commitment, opening=start == 0)
        follows = found is not None or noted is not None
        if noted is not None and before is not None:
            out.append(Commitment(before[0], end, noted, None))
        elif found is not None:
            title, owner = found
            for part in _parts(title):
                if len(part.split()) >= 2:
                    out.append(Commitment(start, end, part, owner))
        before = (start, end)
    return out


def _theirs(sentence: str, said: str) -> tuple[str, str | None] | None:
    """Read 'They will X' after a sentence naming a team: that team's commitment.

    "The storage team moved X. They are also going to review Y": the storage team's work.
    """
    if not sentence.startswith("They "):
        return None
    m = w.TEAM_START.match(said.strip())
    if m is None:
        return None
    team = m["team"]
    found = commitment(f"The {team} {sentence[5:]}")
    return (found[0], found[1] or team) if found is not None else None


def _ahead_in_hindsight(sentence: str) -> bool:
    """Tell whether a sentence among lessons looks ahead itself, and is no "should" lesson."""
    text = " ".join(sentence.replace("’", "'").split())
    return w.AHEAD.search(text) is not None and _LESSON_MODAL.search(text) is None


_AHEAD_BYTES = re.compile(w.AHEAD.pattern.encode(), re.IGNORECASE)
# A word every look ahead of promise_words.AHEAD holds, for the same one-pass test.
_AHEAD_WORD = _one_pass(
    (
        *(b"forward", b"now on", b"future", b"default", b"term", b"next ", b"this ", b"coming"),
        *(b"to prevent", b"to avoid", b"to address", b"to mitigate", b"as a"),
    )
)
# Issue 10's near-miss: a lesson phrased with "should" stays a lesson even looking ahead.
_LESSON_MODAL = re.compile(r"\b(?:should|must|ought)\b", re.IGNORECASE)


def _recorded(sentence: str, said: str) -> str | None:
    """Title a promise to write down what the sentence before said, else None."""
    text = " ".join(sentence.replace("’", "'").split())
    m = w.RECORD_THIS.match(text)
    said = " ".join(said.split()).rstrip(".!;: ")
    if m is None or not said or said.endswith("?"):
        return None
    verb, where = m["verb"].lower(), " ".join(m["where"].split())
    if not where and verb in ("add", "put", "include"):
        return None  # "we will add this": added where?
    return f"{verb.capitalize()}{' ' + where if where else ''}: {said}"


def _parts(title: str) -> list[str]:
    """Split 'Add X and to document Y' into its pieces of work; else keep it whole."""
    pieces = w.AND_TO.split(title)
    if len(pieces) < 2 or not all(_verb_first(p) for p in pieces[1:]):
        return [title]
    return [p[:1].upper() + p[1:] for p in pieces]
