"""Judge single blocks: a label, an item heading, a checklist of the template, a story."""

from __future__ import annotations

import re
from functools import lru_cache

from followup.postmortem import collect, fields, options, sections, titles, wording
from followup.postmortem.markdown import Inline, ListItem
from followup.postmortem.outline import SHORT_LINE, Section

# A paragraph under an action heading is an item when it is a few sentences at most.
LONG_LINE = 400
MAX_SENTENCES = 4
# An intro that announces the list after it as things to do.
_ANNOUNCES = re.compile(
    r"\b(?:we\s+will|we'll|we\s+are\s+going\s+to|we\s+plan|we\s+need|we\s+must|we\s+should"
    r"|(?:we|i)(?:'re|\s+are)\s+(?:now\s+|also\s+)?(?:doing|changing|adding|fixing|improving"
    r"|planning|working\s+on|committed\s+to)|committed\s+to|here(?:'s|\s+is)\s+what"
    r"|following\s+(?:actions?|steps?|items?|changes|tasks|improvements|follow[\s-]?ups?|work"
    r"|measures|fixes)|action\s+items?|to-?dos?|next\s+steps?|going\s+forward|planned"
    r"|to\s+do|improvements|changes\s+(?:we|are)|(?:made|making)\s+(?:[\w-]+\s+){0,2}?changes|measures|remediations?|remaining\s+work"
    r"|still\s+to\s+do|left\s+to\s+do|open\s+work)\b",
    re.IGNORECASE,
)
_ITEM_NUMBER = re.compile(r"^(?:\d{1,3}[.):]|#\d{1,3}\b|(?:item|ai|action)\s*#?\s*\d{1,3}\b)\s*")
_BLOCKQUOTE_OPEN = re.compile(r"<blockquote\b", re.IGNORECASE)
_BLOCKQUOTE_CLOSE = re.compile(r"</blockquote\s*>", re.IGNORECASE)


def bold_label(inline: Inline) -> tuple[str | None, bool]:
    """Return a leading bold label such as '**Action Items**:' and whether nothing follows it."""
    if not inline.strong or inline.strong[0][0] != 0:
        return None, False
    end = inline.strong[0][1]
    label = inline.text[:end].strip()
    rest = inline.text[end:].strip()
    if label.endswith(":") or rest.startswith(":") or not rest:
        return label.rstrip(":").strip(), not rest.lstrip(":").strip()
    return None, False


# A bold label at the start of a line, or a short line ending in ':'.
_LABEL_LINE = re.compile(
    rb"^[ \t]{0,3}(?:\*\*|__)([^\n*_]{1,64}?)(?:\*\*|__)|^[ \t]{0,3}([^\n]{1,62}?):[ \t]*$",
    re.MULTILINE,
)


# A line of a few words, nothing else, right above a list: "Action Items" with no '#', bold
# or colon. Only a plain action phrase makes it a label ("Next steps", "Follow-ups").
_LIST_BELOW = re.compile(rb"\n(?:[ \t]*\n)?[ \t]{0,3}(?:[-*+]|\d{1,3}[.)])[ \t]")
# Stems that match either case of the first letter, so the raw text need not be lowered.
_BARE_LABEL_WORDS = (b"ction", b"ollow", b"ext step", b"o-do", b"odo", b"orrective")
BARE_LABEL = 40


def bare_label(text: str) -> bool:
    """Tell whether a paragraph is only a plain action phrase: 'Action Items', 'Next steps'."""
    text = text.strip()
    return (
        0 < len(text) <= BARE_LABEL
        and len(text.split()) <= 4
        and text[-1].isalpha()
        and sections.only_action(text)
    )


def action_label_in(raw: bytes, *, plainly: bool, taken: bool = True) -> bool:
    """Tell whether raw Markdown holds a label announcing action items ('**Follow-ups**:')."""
    if b":" in raw or b"**" in raw or b"__" in raw:
        for m in _LABEL_LINE.finditer(raw):
            label = (m[1] or m[2]).decode(errors="replace").strip(" :*_")
            if label_intent(label, plainly=plainly, taken=taken) is not None:
                return True
    for word in _BARE_LABEL_WORDS:
        # Look only at the short lines holding the word: most hits sit in long prose lines.
        at = raw.find(word)
        while at >= 0:
            start = raw.rfind(b"\n", 0, at) + 1
            end = raw.find(b"\n", at)
            end = len(raw) if end < 0 else end
            if (
                end - start <= BARE_LABEL + 4
                and _LIST_BELOW.match(raw, end)
                and bare_label(raw[start:end].decode(errors="replace"))
            ):
                return True
            at = raw.find(word, end)
    return False


# "Review actions", "Post-incident actions": the actions a review agreed, named as such.
_NAMED_ACTIONS = re.compile(
    r"^(?:(?:post[\s-]?incident|post[\s-]?mortem|review|retro(?:spective)?|agreed|outstanding"
    r"|remedial|improvement|follow[\s-]?on)\s+)+actions?$"
)
# "Actions taken", "Action taken": measures already in place, as opposed to planned ones.
_TAKEN = re.compile(
    r"^(?:actions?\s+(?:already\s+)?(?:taken|completed|done|implemented)|(?:completed|finished)"
    r"\s+actions?)$"
)
# Headings that recount the incident: "Actions taken" there are the response, not measures.
_STORY = re.compile(
    r"^(?:(?:incident\s+)?(?:timeline|chronology|details|response)|recovery|resolution|response"
    r"|mitigation|leadup|lead-up|what\s+happened|detection|(?:user\s+|customer\s+)?impact"
    r"|root\s+causes?|causes?|trigger|(?:steps|actions)\s+taken|what\s+(?:we\s+did|was\s+done)"
    r"|how\s+(?:it|this)\s+was\s+(?:fixed|resolved|mitigated))\b"
)


def named_actions(text: str) -> bool:
    """Tell whether a heading or label names the actions a review agreed: 'Review actions'."""
    if "ction" not in text:
        return False
    norm = sections.normalise(text)
    return norm.endswith(("action", "actions")) and _NAMED_ACTIONS.match(norm) is not None


# Stems without which no heading recounts the incident: cheaper than normalising it.
_STORY_STEMS = re.compile(
    r"timeline|chronolog|detail|respon|recover|resolution|mitigat|lead|happened|detection"
    r"|impact|cause|trigger|taken|did|done|fixed|resolved",
    re.IGNORECASE,
)


@lru_cache(maxsize=1024)
def story_heading(text: str) -> bool:
    """Tell whether a heading recounts the incident itself: Timeline, Recovery, Impact..."""
    if _STORY_STEMS.search(text) is None:
        return False
    return _STORY.match(sections.normalise(text)) is not None


@lru_cache(maxsize=1024)
def label_intent(label: str, *, plainly: bool, taken: bool) -> bool | None:
    """Say what a label announces: None for no actions, else whether they are done already.

    'Actions planned' and 'Follow-ups' announce open items (False); 'Actions taken' done ones
    (True), only where taken is allowed (not in the incident's own account, where those are
    the response). plainly asks for a label that starts with its action words.
    """
    norm = sections.normalise(label)
    if "taken" in norm or norm.endswith(("done", "completed", "implemented", "actions", "action")):
        if _TAKEN.match(norm):
            return True if taken else None
        if _NAMED_ACTIONS.match(norm):
            return False
    role = sections.role(label)
    if role is sections.Role.ACTION and (not plainly or sections.plainly_action(label)):
        return False
    return None


# A list entry that is only a bold label, its entries nested below: "- **Review actions**:".
_LIST_LABEL = re.compile(
    rb"^[ \t]{0,3}(?:[-*+]|\d{1,3}[.)])[ \t]+(?:\*\*|__)([^\n*_]{1,64}?)(?:\*\*|__)[ \t]*:?[ \t]*$",
    re.MULTILINE,
)


def list_label_in(raw: bytes, *, plainly: bool) -> bool:
    """Tell whether raw Markdown holds a list entry labelling the actions nested under it."""
    if b"**" not in raw and b"__" not in raw:
        return False
    for m in _LIST_LABEL.finditer(raw):
        label = m[1].decode(errors="replace").strip(" :")
        if label_intent(label, plainly=plainly, taken=False) is not None:
            return True
    return False


def label_shaped(data: bytes, start: int, end: int) -> bool:
    """Tell whether a paragraph may be a label: bold first, short and ending in ':', or bare."""
    chunk = data[start:end].strip()
    return (
        chunk[:2] in (b"**", b"__")
        or (end - start <= SHORT_LINE and chunk.endswith(b":"))
        or (len(chunk) <= BARE_LABEL and b"\n" not in chunk and chunk[-1:].isalpha())
    )


# A how-to for readers: "Instructions for how to disable X per client.", "How to upgrade".
_GUIDE = re.compile(
    rb"^[ \t]*(?:(?:instructions|a\s+guide)\s+(?:(?:for|on)\s+)?(?:how\s+)?to|how\s+to)\s+[a-z]",
    re.IGNORECASE,
)
_GUIDE_PEEK = 80


def guide(data: bytes, sec: Section) -> bool:
    """Tell whether a subsection is a how-to for readers, by its heading or first paragraph."""
    if _GUIDE.match(sec.text.encode()) is not None:
        return True
    if sec.first != "paragraph":
        return False
    return _GUIDE.match(data[sec.body : sec.body + _GUIDE_PEEK].lstrip()) is not None


def quoting(html: str, quoted: bool) -> bool:
    """Follow <blockquote> tags in raw HTML: quoted text (an e-mail, a reply) is no item."""
    if _BLOCKQUOTE_OPEN.search(html):
        quoted = True
    if _BLOCKQUOTE_CLOSE.search(html):
        quoted = False
    return quoted


def item_heading(heading: Inline) -> bool:
    """Tell whether a subheading names one item rather than a group of them."""
    return heading_evidence(heading) > 0


# "SSH keys should give minimal access": a heading that states the change wanted.
_GOAL = re.compile(
    r"\b(?:should|must|shall|needs?\s+to|ought\s+to|has\s+to|have\s+to)\b(?!\s+have\b)",
    re.IGNORECASE,
)
STRONG = 2  # numbered with an action, or carrying an owner, priority or [tag]
WEAK = 1  # an order or a goal stated in words only


def heading_evidence(heading: Inline) -> int:
    """Say how surely a subheading names one item: STRONG, WEAK, or 0 for a topic."""
    text = heading.text.strip()
    role = sections.role(text)
    if role is not sections.Role.NEUTRAL and not (
        role is sections.Role.WEAK and goal_heading(heading)
    ):
        return 0  # "Changes to SSH keys should be monitored" is a goal, not "Changes"
    kind = fields.type_from_value(text)
    if kind in fields.TYPES:
        return 0
    m = _ITEM_NUMBER.match(text)
    rest = text[m.end() :] if m else text
    words = len(rest.split())
    meta = "@" in rest or fields.priority_in_text(rest) is not None or rest.rstrip().endswith("]")
    verb = wording.imperative(rest)
    goal = words >= 3 and _GOAL.search(rest) is not None
    if m is not None:
        return STRONG if words >= 2 and (verb or meta or goal) else 0
    if meta and words >= 2:
        return STRONG
    return WEAK if (verb and words >= 3) or goal else 0


def goal_heading(heading: Inline) -> bool:
    """Tell whether a heading states a wanted change: 'SSH keys should give minimal access'."""
    text = heading.text.strip()
    return len(text.split()) >= 3 and _GOAL.search(text) is not None


# Short headings that sit beside items without being one: "Open questions", "Links".
_ASIDE = frozenset(
    {
        *("open", "questions", "question", "notes", "references", "links", "appendix"),
        *("owners", "status", "discussion", "context", "summary", "other", "misc"),
        *("miscellaneous", "faq", "faqs", "glossary", "contacts", "resources"),
    }
)


def short_topic(heading: Inline) -> bool:
    """Tell whether a heading is a short name ('Two factor authentication'), no group word."""
    text = heading.text.strip()
    if not 1 <= len(text.split()) <= 6 or sections.role(text) is not sections.Role.NEUTRAL:
        return False
    if text.endswith("?") or wording.first_word(text) in _ASIDE:
        return False
    return fields.type_from_value(text) not in fields.TYPES and not sections.horizon(text)


def item_lines(paragraphs: list[Inline]) -> bool:
    """Tell whether a section's paragraphs are one item each, not a written account.

    Under an action heading, short paragraphs ("The alert paged nobody. (fixed ...)") are
    items; long ones tell a story, and only the promises in them count.
    """
    for inline in paragraphs:
        text = inline.text.strip()
        if not text or text.endswith(":"):
            continue
        note = collect.STATUS_NOTE.search(text)
        body = text[: note.start()] if note else text
        sentences = len(collect.SENTENCE_END.findall(body)) + 1
        if len(body) > LONG_LINE or sentences > MAX_SENTENCES:
            return False
    return True


def template_checklist(roots: list[ListItem]) -> bool:
    """Tell whether a list is a template's checklist about the report itself."""
    if not roots or all(li.checked is None for li in roots):
        return False
    about = sum(1 for li in roots if wording.about_document(li.inline.text))
    return about * 2 >= len(roots)


def descriptive(intro: Inline, roots: list[ListItem]) -> bool:
    """Tell whether a list after a prose paragraph describes things rather than listing work.

    A list right under a heading is the section's items, whatever their wording. After a
    paragraph it may instead be part of the account: the environments the system now has,
    the options that were weighed. Then it counts only if its entries read as work, or if the
    paragraph announced work and the entries are more than bare names.
    """
    text = intro.text.strip().replace("’", "'")
    if not text or not roots:
        return False
    if disowns(text, roots):
        return True
    titled = [titles.clean(li.inline) for li in roots]
    if _ANNOUNCES.search(text):
        return all(wording.bare_name(t.text) for t in titled)
    work = 0
    for li, title in zip(roots, titled, strict=True):
        own = li.inline
        if (
            li.checked is not None
            or title.done is not None
            or title.owner is not None
            or own.links
            or "@" in own.text
            or wording.work_like(title.text)
            or collect.labels_work(li)
        ):
            work += 1
    return work * 2 < len(roots)


# An intro that says the list after it is no work: lessons, options weighed, advice, a past.
_DISOWNS = re.compile(
    r"\b(?:(?:our|the)\s+(?:current\s+|general\s+|overall\s+)?(?:strateg(?:y|ies)|polic(?:y|ies)"
    r"|setup|practices?)\s+(?:is|are)|lessons?|learn(?:ed|t|ings?)|takeaways?|highlights?"
    r"|observations?|alternatives?"
    r"|options\s+(?:we\s+)?(?:considered|weighed|explored)|(?:we\s+)?considered\s+(?:but|and)"
    r"|rejected|ruled\s+out|rules?\s+of\s+thumb|tips?|best\s+practices?)\b",
    re.IGNORECASE,
)


def disowns(intro: str, roots: list[ListItem]) -> bool:
    """Tell whether a list's intro says its entries are no work to do.

    Lessons, options weighed and tips for readers are never work. After "We ensured the
    following:" the entries recount what was done, unless they are written as orders
    ("We also changed two settings: - Raise the quota"): then they are the (done) items.
    """
    last = collect.SENTENCE_END.split(intro.strip().replace("’", "'"))[-1]
    if options.weighed(last):
        return True  # "We are working out which of these approaches suit us:" the candidates
    if _ANNOUNCES.search(last):
        return False  # "To act on these lessons, we will:"
    if _DISOWNS.search(last) or wording.advice(last):
        return True
    if not wording.completed(wording.without_lead(last)):
        return False
    orders = sum(
        1
        for li in roots
        if wording.imperative(titles.clean(li.inline).text) or collect.labels_work(li)
    )
    return orders * 2 < len(roots)


# A list that explains the categories items take: "P0 - Critical for the release".
_LEGEND_TERM = re.compile(r"^\s*\**([\w-]{1,12})\**\s*(?:[-–—:=]|\s-\s)\s*\S")
_TAXONOMY = re.compile(
    r"\b(?:types?|kinds?|categor(?:y|ies)|priorit(?:y|ies)|severit(?:y|ies)|levels?|labels?"
    r"|classes|tiers?)\b",
    re.IGNORECASE,
)


def legend(roots: list[ListItem], intro: Inline | None) -> bool:
    """Tell whether a list defines the types or priorities items take, each named once."""
    if len(roots) < 2:
        return False
    terms: list[str] = []
    for li in roots:
        m = _LEGEND_TERM.match(li.inline.text)
        if m is None:
            return False
        term = m[1]
        if fields.type_from_value(term) not in fields.TYPES and (
            fields.priority_from_value(term) is None
        ):
            return False
        terms.append(term.lower())
    if len(set(terms)) < len(terms):
        return False  # "P1 - Add X", "P1 - Fix Y": items with priorities, not a legend
    # Without an intro naming the scale, distinct priorities on noun phrases are items.
    return intro is not None and _TAXONOMY.search(intro.text) is not None


def anchor_list(roots: list[ListItem]) -> bool:
    """Tell whether a list only links to places in the document: a table of contents."""
    if not roots:
        return False
    for li in roots:
        links = li.inline.links
        if len(links) != 1 or not links[0].url.startswith("#"):
            return False
        text = li.inline.text
        if text[links[0].end :].strip() or text[: links[0].start].strip():
            return False
    return True


_THING_FIRST = re.compile(r"^(?:the|a|an|all|every|each|our|any)\s", re.IGNORECASE)


def line_item(text: str) -> bool:
    """Tell whether a paragraph opens as an item: an order, or a goal for a thing.

    'Add an index on user_id.' and 'The API should fail over on its own.' are items;
    'Needless to say, ...', 'There is a lot we need to do ...' and 'We should ...' are not.
    """
    s, e = collect.first_sentence(text.strip())
    first = text.strip()[s:e]
    if wording.order(first):
        return True
    return (
        _THING_FIRST.match(first) is not None
        and _GOAL.search(first) is not None
        and not wording.counterfactual(first)
    )


def order_after_items(inline: Inline) -> bool:
    """Tell whether a paragraph after a section's items is one more: a short order."""
    text = inline.text.strip()
    if not text or text.endswith(":") or len(text) > LONG_LINE:
        return False
    s, e = collect.first_sentence(text)
    return wording.order(text[s:e]) and len(collect.SENTENCE_END.findall(text)) < 2


def orders(paragraphs: list[Inline]) -> bool:
    """Tell whether every paragraph opens as an item, not as prose telling a story."""
    return bool(paragraphs) and all(line_item(p.text) for p in paragraphs)


def bare_link(inline: Inline) -> bool:
    """Tell whether a paragraph is only a URL: a fix or issue given by its address."""
    text = inline.text.strip()
    return text.startswith(("http://", "https://")) and len(text.split()) == 1


def procedure(roots: list[ListItem]) -> bool:
    """Tell whether a list is steps to type: an entry is a command and nothing else.

    "1. Stop the agent 2. `rm -r <dir>/db` 3. Start the agent" tells readers what to do;
    an action item names work and is never a bare command line.
    """
    if len(roots) < 2:
        return False
    for li in roots:
        inline = li.inline
        text = inline.text.strip()
        if len(inline.code) == 1 and " " in text:
            s, e = inline.code[0]
            if inline.text[:s].strip() == "" and inline.text[e:].strip(" .") == "":
                return True
    return False


def account(roots: list[ListItem]) -> bool:
    """Tell whether every entry of a list reports a measure already taken.

    Under a heading named by intent ("Mitigations"), such a list tells how the incident was
    handled ("The builder was shut down at 07:39"): the account, not work to follow up.
    """
    return bool(roots) and all(
        li.checked is None and wording.reports_done(titles.clean(li.inline).text) for li in roots
    )


def not_items(roots: list[ListItem], intro: Inline | None) -> bool:
    """Tell whether a list in an action section is something other than its items."""
    return (
        template_checklist(roots)
        or anchor_list(roots)
        or procedure(roots)
        or legend(roots, intro)
        or (intro is not None and descriptive(intro, roots))
    )


_PAIR_WORDS = 3


class HeadingItems:
    """Decide which subheadings of an action section are items, looking at their siblings.

    Documents that give one subheading per item do so for a run of them, and documents that
    group items under topics name every topic alike. So a run of three or more sibling
    headings is judged together: when most read as items, the short names among them are
    items too ('Two factor authentication' beside 'SSH keys should give minimal access');
    when most are topics, a heading that only starts with a verb ('Secure packaging',
    'Avoiding temporary measures') is a topic as well.
    """

    __slots__ = ("_decided", "_secs")

    def __init__(self, secs: list[Section]) -> None:
        self._secs = secs
        self._decided: dict[int, bool] = {}

    def __call__(self, i: int) -> bool:
        """Tell whether section i's heading is itself an item."""
        found = self._decided.get(i)
        if found is None:
            self._judge(i)
            found = self._decided[i]
        return found

    def _judge(self, i: int) -> None:
        secs = self._secs
        level = secs[i].level
        start = i
        while start > 0 and secs[start - 1].level >= level:
            start -= 1
        end = i
        while end + 1 < len(secs) and secs[end + 1].level >= level:
            end += 1
        group = [j for j in range(start, end + 1) if secs[j].level == level]
        evidence = {j: heading_evidence(secs[j].heading) for j in group}
        run = len(group) >= 3
        items = sum(1 for j in group if evidence[j])
        # A pair is named alike too: "Validate fork parameters" beside "Unfinalized checkpoint
        # sync"; a word or two ("Monitoring") names a topic, its lines the items.
        most = (run and items * 2 > len(group)) or (
            len(group) == 2
            and items == 1
            and all(len(secs[j].text.split()) >= _PAIR_WORDS for j in group if not evidence[j])
        )
        # Numbered or tagged runs name each item: a plain name beside them is an aside.
        named = any(evidence[j] == STRONG for j in group)
        for j in group:
            sec = secs[j]
            leaf = j + 1 == len(secs) or secs[j + 1].level <= level
            mine = evidence[j]
            if not leaf:
                item = False
            elif most:
                item = (
                    bool(mine) and goal_heading(sec.heading)
                    if sec.holds_items
                    else bool(mine) or (not named and short_topic(sec.heading))
                )
            elif run and mine < STRONG and wording.gerund(sec.heading.text):
                item = False  # "Keeping patched", "Avoiding one-off servers": topics
            else:
                item = bool(mine) and not sec.holds_items
            self._decided[j] = item
