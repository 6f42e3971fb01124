"""What a sentence's wording says: an order, a plan, a hedge, a finished job, a template."""

from __future__ import annotations

import re

# Verbs that start action items ("Add an alert", "Investigate ..."): the base form only.
_VERBS = """
    add adapt address adjust adopt align allow alert analyse analyze annotate archive ask
    assess assign audit automate avoid backfill backport block bound break budget build bump
    buy
    calibrate cap capture centralise centralize change check clarify clean clear close
    codify collect communicate complete conduct configure confirm consider consolidate contact
    continue convert coordinate correct cover create cut debug decide decommission decouple
    define delete deliver deploy deprecate design detect determine develop disable discuss
    document double drain drop educate eliminate email emit enable encrypt enforce enhance
    ensure establish estimate evaluate examine expand expose extend extract fail file finalise
    finalize find fix flag follow force formalise formalize freeze gate get give hire harden help
    hold identify implement import improve include increase inform install instrument
    integrate introduce investigate isolate keep label land launch limit link lint list load
    lock log lower maintain make manage mark measure merge migrate mirror mitigate model
    monitor move
    notify offload onboard open optimise optimize organise organize own page pair
    parallelise parallelize patch pause pin plan poll post practice practise prepare prevent
    prioritise prioritize probe produce profile promote propose protect provide provision
    publish pull push put query queue raise rate re-enable reach read rebuild reconcile
    record recreate redesign reduce refactor refine refresh rehearse reject release remind
    remove rename reorganise reorganize repair replace replicate report require rerun
    research reserve reset resize resolve restore restrict restructure retire retry return
    reuse review revise revisit rewrite roll rotate route run scale scan schedule scope script
    secure send separate set setup share ship shorten show shrink simplify size skip
    snapshot sort split spread stabilise stabilize stage standardise standardize start stop
    store streamline strengthen study submit support surface switch sync tag teach tell test
    throttle tighten time track train transfer triage trigger tune turn unblock unify unpin
    update upgrade upstream use validate verify version wire write
"""
ACTION_VERBS = frozenset(_VERBS.split())
# Verbs whose -ed form is just as often an adjective ("Increased monitoring of ...").
_ADJECTIVE_PARTICIPLES = frozenset({"increased", "improved", "better", "reduced", "automated"})

_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")
_WORDS = re.compile(r"[a-z]+")
# Words without which the longer patterns below cannot match: a set lookup is far cheaper
# than searching a long alternation through the text.
_ABOUT_WORDS = frozenset(
    {
        *("report", "document", "doc", "postmortem", "post", "mortem", "write", "writeup"),
        *("template", "page", "section", "sections", "above", "below", "following", "action"),
        *("actionable", "fill", "filled", "filling", "incident", "title", "review", "retro"),
        *("retrospective", "these", "delete", "replace", "up"),
    }
)
_PASSIVE_WORDS = frozenset({"been", "now", "this", "that", "it"})
_HEDGE_WORDS = frozenset(
    {"could", "might", "may", "maybe", "perhaps", "possibly", "hand", "cancel", "sure"}
)

_PAST_WE = re.compile(
    r"^(?:we|the\s+team|i|they)(?:\s+have|['’]ve)?\s+(?:had\s+|already\s+|also\s+|then\s+|now\s+){0,2}"
    r"(?P<verb>[a-z]+ed|built|wrote|made|set|put|ran|shipped|split|cut|rewrote|moved|took|began"
    r"|undertook|held|kept|sent|spent|found|fixed|added)\b",
    re.IGNORECASE,
)
_PASSIVE_DONE = re.compile(
    r"\b(?:has|have|had)\s+(?:now\s+|already\s+|since\s+)?been\s+(?:\w+ed|built|written|made|set"
    r"|put|run|shipped|split|cut|rewritten|done|taken)\b"
    r"|^(?:this|that|it)\s+(?:was|is)\s+(?:now\s+)?(?:done|fixed|complete|completed|resolved)\b"
    r"|\b(?:is|are)\s+now\s+(?:in\s+place|live|enabled|deployed|done)\b",
    re.IGNORECASE,
)
_HEDGE = re.compile(
    r"^(?:we|it|you|one|this|that|there)\s+(?:could|might|may)\b|^(?:maybe|perhaps|possibly)\b"
    r"|\bon\s+the\s+other\s+hand\b|\bmay\s+cancel\b|\bnot\s+sure\s+(?:if|whether)\b",
    re.IGNORECASE,
)
_ABOUT_DOCUMENT = re.compile(
    r"\b(?:this|the)\s+(?:report|document|doc|post-?mortem|write-?up|template|page|issue\s+template)"
    r"\b|\bsections?\s+(?:above|below)\b|\b(?:above|following)\s+sections?\b"
    r"|\b(?:all\s+)?(?:actionable|action)\s+items\s+(?:above|below|have|are|listed)\b"
    r"|\bfill(?:ed|ing)?\s+(?:in|out)\b|\bincident\s+(?:has\s+been|is)\s+(?:dealt|over|resolved|closed)"
    r"|\b(?:incident|report)\s+title\b|\bafter[\s-]action\s+report\s+(?:is|has|was)\b"
    r"|\bpost-?mortem\s+(?:is\s+|has\s+been\s+|was\s+)?(?:reviewed|published|shared|scheduled"
    r"|written|complete|completed|approved|circulated)\b"
    r"|\b(?:review|retro(?:spective)?|post-?mortem)\s+meeting\s+(?:is\s+|has\s+been\s+)?(?:held|scheduled)"
    r"|\bthese\s+are\s+(?:only\s+)?(?:sample|example)\b|\bdelete\s+this\b|\breplace\s+this\b",
    re.IGNORECASE,
)
_PLACEHOLDER = re.compile(
    r"^(?:summary|title|description|owner|action(?:\s+item)?|item|task|todo|tbd|tba|link"
    r"|details?|text|name|n/?a|\.\.\.|…|-+|xxx+|lorem\s+ipsum.*|describe\s+.*|insert\s+.*"
    r"|add\s+(?:an?\s+)?(?:action\s+item|item|link|description)s?(?:\s+here)?)$",
    re.IGNORECASE,
)
_NOTHING = re.compile(
    r"^(?:none|n/?a|nothing|tbd|tba|no\s+(?:action\s+items?|follow[\s-]?ups?|actions?|items?)"
    r"(?:\s+(?:needed|required|identified|yet))?|none\s+(?:this\s+time|yet|so\s+far|identified"
    r"|needed|at\s+(?:this|the\s+moment))|to\s+be\s+(?:determined|decided|added))\W*$",
    re.IGNORECASE,
)
_ANGLE_PLACEHOLDER = re.compile(r"^<[^<>]{2,60}>$")
# A paragraph saying no work can or need be done: "It is unclear what we can do to avoid
# this.", "There is little we can do about ...", "No fixes were necessary."
_NO_ACTION = re.compile(
    r"^(?:it\s+is|it's|it\s+remains)\s+(?:unclear|not\s+clear)\b[^.!?]{0,80}?\b(?:we|anyone|one"
    r"|they)\s+(?:can|could)\s+(?:do|change)\b|^there\s+(?:is|'s)\s+(?:little|not\s+much|nothing"
    r"(?:\s+(?:more|else))?)\s+(?:that\s+)?(?:we|anyone|one|they)\s+(?:can|could)\s+do\b"
    r"|^(?:no|none\s+of\s+the)\s+(?:further\s+|additional\s+|other\s+)?(?:fix(?:es)?|changes?"
    r"|actions?|work|follow[\s-]?ups?)\s+(?:was|were|is|are)\s+(?:necessary|needed|required)\b",
    re.IGNORECASE,
)
_NO_ACTION_WORDS = frozenset({"unclear", "clear", "little", "much", "nothing", "no", "none"})


def first_word(text: str) -> str:
    """Return the first word, lower-cased, past any bullet, number or emoji."""
    m = _WORD.search(text)
    return m[0].lower() if m else ""


def is_verb(word: str) -> bool:
    """Tell whether a lower-cased word is an action verb in its base or -ing form."""
    if word in ACTION_VERBS:
        return True
    if word.endswith("ing") and len(word) > 5:
        stem = word[:-3]
        return (
            stem in ACTION_VERBS
            or stem + "e" in ACTION_VERBS
            or (len(stem) > 2 and stem[-1] == stem[-2] and stem[:-1] in ACTION_VERBS)
        )
    return False


def order(text: str) -> bool:
    """Tell whether the text starts with an action verb in its base form: 'Add ...'."""
    return first_word(text) in ACTION_VERBS


def gerund(text: str) -> bool:
    """Tell whether the text starts with an action verb's -ing form: 'Keeping ...'."""
    word = first_word(text)
    return word.endswith("ing") and is_verb(word)


def imperative(text: str) -> bool:
    """Tell whether the text starts with an action verb: 'Add ...', 'Investigating ...'."""
    return is_verb(first_word(text))


def looks_like_action(text: str) -> bool:
    """Tell whether a list entry reads as something to do rather than a description."""
    if imperative(text):
        return True
    low = text.lower()
    return bool(
        re.search(
            r"\b(?:will|should|must|shall|needs?\s+to|to\s+be|going\s+to|plan(?:ned)?\s+to"
            r"|let's|todo|tbd)\b",
            low,
        )
    )


# How a sentence reporting work done starts: "We ...", "We've ...", "It is now ...".
_DOERS = (
    *("we ", "we'", "we’", "the team", "i ", "i'", "i’", "they ", "they'", "they’"),
    *("this ", "that ", "it "),
)


def completed(text: str) -> bool:
    """Tell whether a sentence reports work as done: 'We added ...', 'X has been moved'."""
    stripped = text.strip()
    head = stripped[:9].lower()
    if not head.startswith(_DOERS) and ("been" not in stripped and " now " not in stripped):
        return False  # neither "We added ...", "X has been ..." nor "It is now ..."
    m = _PAST_WE.match(stripped)
    if m is not None and m["verb"].lower() not in _ADJECTIVE_PARTICIPLES | {"need", "used"}:
        return True
    if _PASSIVE_WORDS.isdisjoint(_WORDS.findall(stripped.lower())):
        return False
    return _PASSIVE_DONE.search(stripped) is not None


# A thing reported done in the passive: "The builder was shut down at 07:39", "Users were
# refunded", "The check has been patched".
_PASSIVE_PAST = re.compile(
    r"^(?:[\w'’-]+\s+){0,8}?(?:was|were|has\s+been|have\s+been)\s+(?:\w+ly\s+)?"
    r"(?:\w+ed|shut|built|written|made|set|put|run|split|cut|taken|sent|rebuilt|rewritten"
    r"|brought|held|kept|given|done)\b",
    re.IGNORECASE,
)


def reports_done(text: str) -> bool:
    """Tell whether an entry reports a measure already taken, in the active or the passive."""
    stripped = text.strip()
    if completed(stripped):
        return True
    after = stripped.find(", we ")
    if after > 0 and completed(stripped[after + 2 :]):
        return True  # "To prevent this in future, we modified the installer"
    return (" was " in stripped or " were " in stripped or " been " in stripped) and (
        _PASSIVE_PAST.match(stripped) is not None
    )


def hedged(text: str) -> bool:
    """Tell whether an idea is only floated: 'We could ...', 'Maybe ...', 'on the other hand'."""
    if _HEDGE_WORDS.isdisjoint(_WORDS.findall(text.lower())):
        return False
    return _HEDGE.search(text.strip()) is not None


# "We could run X": a proposal, unless the paragraph weighs it against something.
_PROPOSAL = re.compile(
    r"^we\s+(?:could|might)\s+(?:also\s+)?(?:(?:want|wish)\s+to\s+)?(?:[a-z]+ly\s+)?"
    r"(?P<verb>[a-z-]+)\b",
    re.IGNORECASE,
)
_WEIGHED = re.compile(
    r"\b(?:on\s+the\s+other\s+hand|however|that\s+said|cancel|not\s+sure|unclear|downside"
    r"|trade-?offs?|outweigh\w*|not\s+worth|probably\s+not|but)\b",
    re.IGNORECASE,
)


def proposal(text: str) -> bool:
    """Tell whether a hedged paragraph proposes work and does not argue against it."""
    stripped = text.strip()
    m = _PROPOSAL.match(stripped)
    if m is None or stripped.endswith("?") or not is_verb(m["verb"].lower()):
        return False
    return _WEIGHED.search(stripped) is None


def about_document(text: str) -> bool:
    """Tell whether a checklist entry or note is about the report itself, not the incident."""
    if _ABOUT_WORDS.isdisjoint(_WORDS.findall(text.lower())):
        return False
    return _ABOUT_DOCUMENT.search(text) is not None


def placeholder(text: str) -> bool:
    """Tell whether an entry is a template's unfilled placeholder: '{{ summary }}', 'TBD'."""
    value = text.strip().strip("*_`[](){}:.").strip()
    return not value or bool(_PLACEHOLDER.match(value) or _ANGLE_PLACEHOLDER.match(text.strip()))


def nothing(text: str) -> bool:
    """Tell whether a paragraph says there is nothing to do: 'None this time.', 'No fixes ...'."""
    stripped = text.strip()
    if _NOTHING.match(stripped) is not None:
        return True
    if _NO_ACTION_WORDS.isdisjoint(_WORDS.findall(stripped[:40].lower())):
        return False
    return _NO_ACTION.match(stripped.replace("’", "'")) is not None


_MODAL = re.compile(
    r"\b(?:will|should|must|shall|needs?\s+to|ought\s+to|going\s+to|plan(?:s|ned|ning)?\s+to"
    r"|intend(?:s|ed)?\s+to|committed\s+to|let's|todo|to-do|tbd|consider)\b|'ll\b",
    re.IGNORECASE,
)


def work_like(text: str) -> bool:
    """Tell whether a list entry's wording reads as work: an order, a promise, a change made."""
    text = text.strip()
    if not text or hedged(text):
        return False
    # Anything else reads as a description: "We store the key offline.", "Hot storage".
    return imperative(text) or completed(text) or _MODAL.search(text) is not None


def bare_name(text: str) -> bool:
    """Tell whether an entry is only a name or two: 'Development', 'Package distribution'."""
    words = text.strip().rstrip(".").split()
    return 0 < len(words) <= 2 and not imperative(text) and not _MODAL.search(text)


# Advice to readers: "If you need to ...", "You should ...", "We recommend that users ...".
_ADVICE = re.compile(
    r"^(?:(?:if|when|whenever|before|unless|once)\s+you(?:'re|\s+are|\s+have|\s+need|\s+want"
    r"|\s+use|\s+run|\s+just|\s+see|\s+do|\s+can)?\b|you(?:'ll|'d)?\s+(?:should|can|could|may"
    r"|might|must|need|will|want|would|shouldn't|mustn't)\b|(?:(?:all|any|the|affected|existing|node|(?-i:[A-Z][\w-]*))\s+){0,2}?"
    r"(?:users?|customers?|readers?|operators?|admins?|administrators?|everyone|people"
    r"|maintainers|developers|contributors)(?:\s+(?:and|or)\s+(?:users|developers|maintainers"
    r"|operators|admins|contributors))?\s+(?:(?:should|can|may|must|need\s+to)\b"
    # "should be told" is a goal the team meets; "should be careful" is advice all the same.
    r"(?!\s+(?:be|get|receive|see)\b(?!\s+(?:careful|aware|cautious|mindful|wary)\b))"
    r"|are\s+(?:advised|encouraged|urged)\b)|please\b|(?:make\s+sure|ensure|check|verify|confirm)\s+(?:that\s+)?(?:you|your)\b"
    r"|we(?:'d|\s+would)?\s+(?:(?:like|want)\s+to\s+|strongly\s+|also\s+|therefore\s+)*"
    r"(?:recommend|suggest|advise|urge|encourage)\b|(?:it\s+is\s+|it's\s+)?(?:recommended|advised)"
    r"\s+(?:that|to)\b|(?:recommend|suggest|advise|urge|encourage)\s+(?:that\s+)?(?:all\s+)?"
    r"(?:users?|you|everyone|readers?|customers?|people|operators?)\b)",
    re.IGNORECASE,
)
_ADVICE_WORDS = frozenset(
    {
        *("you", "your", "users", "user", "customers", "readers", "operators", "admins"),
        *("everyone", "people", "please", "recommend", "suggest", "advise", "urge"),
        *("encourage", "recommended", "advised", "maintainers", "administrators", "customer"),
        *("reader", "operator", "admin", "administrator", "developers", "contributors"),
    }
)
# A sentence about what would have happened: "If we'd had X, ...", "had we kept X patched".
_COUNTERFACTUAL = re.compile(
    r"^if\s+(?:we|they|it|this|that|the\s+\w+)(?:'d|\s+had|\s+would\s+have)\b|\bhad\s+we\s+\w+"
    r"|\b(?:would|could|might)(?:\s+not|n't)?\s+have\s+(?:been\s+)?\w+(?:ed|en|ht|ne|wn)\b",
    re.IGNORECASE,
)
# A note on the entry before it: "This can also be used with rsync", "It means ...".
_NOTE_ENTRY = re.compile(
    r"^(?:this|that|it|these|those)\s+(?:can|could|would|might|may|also|is|was|are|were|means"
    r"|meant|works|allows|helps|applies|includes|lets)\b",
    re.IGNORECASE,
)
# A line describing how things are: "The keys are kept offline.", "We store the device ...".
_DESCRIBES = re.compile(
    r"^(?:needless\s+to\s+say|(?:the|these|those|they|it|its|our|their|we|this|that|there)\b)",
    re.IGNORECASE,
)
_LEADING_PHRASE = re.compile(r"^(?:[A-Za-z'’-]+\s+){0,3}[A-Za-z'’-]+,\s+")
_STEM_SUFFIX = re.compile(r"(?:ing|ed|es|s|e|ion|ions|ment|ly)$")
_STOP = frozenset(
    {
        *("a", "an", "the", "to", "of", "in", "on", "for", "and", "or", "be", "is", "are", "all"),
        *("should", "must", "will", "we", "our", "it", "its", "this", "that", "with", "by", "as"),
        *("not", "no", "can", "made", "make", "been", "at", "from", "so", "any", "every", "more"),
    }
)


def advice(text: str) -> bool:
    """Tell whether a sentence advises readers ('If you need to ...', 'we recommend users')."""
    words = _WORDS.findall(text.lower())
    if _ADVICE_WORDS.isdisjoint(words):
        return False
    return _ADVICE.match(text.strip().replace("’", "'")) is not None


_NOTE_FIRST = frozenset({"this", "that", "it", "these", "those"})


# Carrying on as before: "Continue using GitHub for public repositories". No change, no work.
_STATUS_QUO = re.compile(
    r"^(?:(?:continue|keep|carry\s+on)\s+(?:using|to\s+use|hosting|to\s+host|running|to\s+run"
    r"|relying\s+on|to\s+rely\s+on|with)|stay\s+(?:on|with))\b",
    re.IGNORECASE,
)
_STATUS_QUO_FIRST = frozenset({"continue", "keep", "carry", "stay"})


# A proposal turned down: "It was suggested we sign commits; the vote rejected it."
_REJECTED = re.compile(
    r"\b(?:was|were|has\s+been|have\s+been|got)\s+(?:\w+ly\s+)?(?:rejected|declined"
    r"|turned\s+down|ruled\s+out|voted\s+down)\b|\b(?:decided|voted)\s+against\b",
    re.IGNORECASE,
)
_REJECTED_WORDS = frozenset({"rejected", "declined", "turned", "ruled", "voted", "against"})
_LONG_WORDS = frozenset({"years", "long", "always"})
# A practice of long standing: "We have for several years required 2FA." Nothing new.
_LONG_STANDING = re.compile(
    r"^(?:we|our\s+\w+|the\s+(?:team|project|organi[sz]ation))\b[^.!?]{0,40}?\b(?:for\s+(?:several"
    r"|many|a\s+few|some|a\s+number\s+of|\d+|two|three|four|five|ten)\s+years|(?:has|have)\s+long"
    r"\s+(?:been|had|used|enabled|required)|(?:has|have)\s+always\s+\w+ed)\b",
    re.IGNORECASE,
)


def not_new_work(text: str, words: set[str] | None = None) -> bool:
    """Tell whether an entry reports a proposal turned down, or a practice of long standing."""
    if words is None:
        words = set(_WORDS.findall(text.lower()))
    if _REJECTED_WORDS.isdisjoint(words) and _LONG_WORDS.isdisjoint(words):
        return False
    stripped = text.strip().replace("’", "'")
    if not _REJECTED_WORDS.isdisjoint(words) and _REJECTED.search(stripped):
        return True
    return not _LONG_WORDS.isdisjoint(words) and bool(_LONG_STANDING.match(stripped))


# A line naming a problem, no remedy: "EC2 eu-central-1 AZ problems" under an empty heading.
_PROBLEM_NOTE = re.compile(
    r"^[^.!?:]{0,80}\b(?:problems?|issues?|errors?|failures?|outages?|degradation|incidents?"
    r"|bugs?|downtime|breakage|slowness)$",
    re.IGNORECASE,
)


def problem_note(text: str) -> bool:
    """Tell whether a bare line only names a problem: no verb, no promise, no remedy."""
    stripped = text.strip()
    return (
        _PROBLEM_NOTE.match(stripped) is not None
        and not imperative(stripped)
        and _MODAL.search(stripped) is None
    )


def no_work(text: str) -> bool:
    """Tell whether a list entry is advice, a remark, an idea floated, or no change at all."""
    words = set(_WORDS.findall(text.lower()))
    stripped = text.strip()
    if not_new_work(stripped, words):
        return True
    if first_word(stripped) in _STATUS_QUO_FIRST and _STATUS_QUO.match(stripped):
        return True
    if not _ADVICE_WORDS.isdisjoint(words) and _ADVICE.match(stripped.replace("’", "'")):
        return True
    if first_word(stripped) in _NOTE_FIRST and _NOTE_ENTRY.match(stripped):
        return True
    return not _HEDGE_WORDS.isdisjoint(words) and _HEDGE.search(stripped) is not None


def counterfactual(text: str) -> bool:
    """Tell whether a sentence says what would have happened: 'If we'd had ...'."""
    return _COUNTERFACTUAL.search(text.strip().replace("’", "'")) is not None


def describes(text: str) -> bool:
    """Tell whether a sub-entry describes its parent ('The keys are kept ...'), not work."""
    return _DESCRIBES.match(text.strip()) is not None and not work_like(text)


def without_lead(text: str) -> str:
    """Drop a short leading phrase set off by a comma: 'Firstly, we ensured ...'."""
    m = _LEADING_PHRASE.match(text.strip())
    return text.strip()[m.end() :] if m else text.strip()


def stems(text: str) -> set[str]:
    """Return the content words of a text, roughly stemmed: 'disabled' and 'disable' meet."""
    out: set[str] = set()
    for word in _WORDS.findall(text.lower()):
        if word in _STOP or len(word) < 2:
            continue
        out.add(_STEM_SUFFIX.sub("", word) if len(word) > 4 else word)
    return out


def restates(first: str, second: str) -> bool:
    """Tell whether the second text repeats the first: it holds nearly all its content words."""
    a = stems(first)
    if len(a) < 3:
        return False
    b = stems(second)
    return len(a & b) >= 0.8 * len(a)
