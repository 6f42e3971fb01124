"""The wording of prose commitments: the patterns suggestions.py reads a sentence by.

A sentence commits when a team ("we", "the SRE team", "@dana") binds itself to work still
to come: "we will", "we're adding", "we need to", "our plan is to", "work is underway to",
"once X, we will". The near-misses are here too: what already happened, advice, wishes.
"""

from __future__ import annotations

import re

SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[@A-Z0-9])")
LEAD = (
    r"(?:(?:(?:going|moving)\s+forward|in\s+(?:the\s+)?future|from\s+now\s+on|next|longer[\s-]term"
    r"|in\s+the\s+(?:coming|next)\s+(?:days|weeks|months|quarters?|sprints?)|additionally|also"
    r"|finally|first|second|third|then|after\s+that|as\s+a\s+result|to\s+that\s+end|over\s+time"
    r"|as\s+(?:a|an)\s+(?:[a-z-]+\s+){0,3}(?:step|measure|action|solution|fix|plan)"
    r"(?:\s*\([^()]{1,30}\))?|to\s+(?:prevent|avoid|address"
    r"|mitigate|reduce|catch|detect)\s+[^,.;]{1,80}?|(?:this|next)\s+(?:week|month|quarter|sprint)"
    r"|by\s+[^,.;]{1,40}?|in\s+(?:q[1-4]|h[12])[^,.;]{0,10}?"
    r"|(?:rather\s+than|instead\s+of)\s+[^,.;]{1,80}?)\s*,?\s+"
    r"|(?!(?:if|when|whenever|unless|although|though|while|whereas|because|since|as|had|were"
    r"|even|once|until|before|after)\b)[a-z'-]+(?:\s+[a-z'-]+){0,3}\s*,\s+)*"
)
SUBJECT = (
    r"(?P<subject>we|i|(?:the|our)\s+(?:[\w-]+\s+(?:and\s+)?){0,3}?teams?|[\w-]+\s+team|@[\w-]+"
    r"|(?:sre|ops|infra|platform|engineering|security))"
    r"(?:\s+(?:still|really|definitely|certainly|urgently|clearly|therefore|then))?"
)
PROGRESSIVE = (
    r"(?:exploring|looking\s+into|investigating|working\s+on|evaluating|considering|adding"
    r"|building|moving|migrating|implementing|introducing|rolling\s+out|improving|planning\s+to"
    r"|going\s+to|setting\s+up|(?P<ing>[a-z]+ing))"
)
# Work aimed at: "we are working with the vendor to X", "taking steps to X", "a plan to X".
AIMED = (
    r"(?:are|'re|is|am|'m)\s+(?:now\s+|also\s+|currently\s+|actively\s+)*(?:working\s+(?:hard\s+"
    r"|closely\s+)?(?:with\s+[^,.;]{1,40}?\s+)?to|taking\s+(?:[\w-]+\s+){0,2}?(?:steps|measures"
    r"|action)\s+to)|(?:have|'ve)\s+(?:a\s+|the\s+)?plans?\s+(?:in\s+place\s+)?to"
)
# "We need to X" binds a team to work; "we should X", "we must X" and "we want to X" only
# when the sentence looks ahead ("In the future we should ...") or follows a commitment:
# elsewhere they are lessons or wishes. "We have started X" is work under way.
MODAL = (
    r"(?P<modal>(?P<willneed>(?:will|'ll)\s+(?:also\s+)?(?:need|have)\s+to)|will|'ll"
    rf"|(?P<aimed>{AIMED})"
    r"|(?:are|'re|is|am|'m)\s+(?:now\s+|also\s+|currently\s+|actively\s+|in\s+the\s+process\s+of\s+)*"
    rf"(?P<prog>{PROGRESSIVE})|(?:also\s+)?plans?\s+(?:to|(?P<planon>on))|intends?\s+to"
    r"|(?:are|is|have|has)\s+committed\s+to|commits?\s+to"
    r"|(?P<started>(?:have|'ve|has)\s+(?:already\s+|now\s+|also\s+)?(?:started|begun))"
    r"|(?P<need>(?:also\s+)?needs?\s+to)"
    r"|(?P<should>(?:also\s+)?(?:should|must|(?:want|wants|aim|aims)\s+to)))"
)
COMMITMENT = re.compile(rf"^{LEAD}{SUBJECT}\s*{MODAL}\s+(?P<rest>.+)$", re.IGNORECASE)
# "Our solution is to switch ...": the plan stated as a goal.
PLAN = re.compile(
    rf"^{LEAD}(?:(?:our|the|my)\s+(?:[\w-]+\s+){{0,2}}?)?(?:solution|plan|fix|approach|remedy"
    r"|next\s+steps?|action\s+items?|remaining\s+(?:work|steps?|tasks?)|priority)\s+(?:(?:here|now|going\s+forward|moving\s+forward)\s+)?(?:is|are)\s+to"
    r"\s+(?P<rest>.+)$",
    re.IGNORECASE,
)
# "We will do the following": the list after the sentence holds the work, not the sentence.
ANNOUNCING = re.compile(
    r"^(?:\w+\s+){0,3}?(?:the\s+following|as\s+follows|(?:these|the)\s+(?:items?|actions?"
    r"|steps?|changes|tasks)\s+(?:below|listed))\b",
    re.IGNORECASE,
)
# "-ing" words after "we are" that are no work: "we are seeing", "we're getting reports".
NOT_PROGRESSIVE = frozenset(
    {
        *("seeing", "getting", "having", "doing", "making", "keeping", "trying", "using"),
        *("hoping", "expecting", "waiting", "hearing", "feeling", "telling", "asking"),
        *("continuing", "sharing", "publishing", "posting", "writing", "following"),
        *("watching", "observing", "aware", "sorry", "confident", "going", "being"),
        *("thinking", "reading", "learning", "noticing"),
    }
)
# How things are run: "we are running X", "we're using Y". Work only when said to be new.
STATUS_ING = frozenset({"running", "using", "keeping", "monitoring", "tracking", "storing"})
PASSIVE = re.compile(
    rf"^{LEAD}(?P<thing>(?!(?:this|that|it|these|those|they|you|users?|customers?|there)\b)"
    r"[\w@`'\"-][^,;:]{2,80}?)\s+(?P<pmodal>will|(?:will\s+)?needs?\s+to|should|must)\s+"
    r"(?:also\s+|now\s+)?be\s+(?P<done>added|introduced|"
    r"implemented|deployed|rolled\s+out|put\s+in\s+place|created|built|updated|improved|migrated"
    r"|moved|replaced|rewritten|reviewed|audited|documented|automated|enabled|enforced|scheduled"
    r"|extended|expanded|tightened|hardened|increased|reduced|removed|fixed|changed|set\s+up"
    r"|required|tested|monitored|tracked|revisited|reworked|split|upgraded|released|shipped|used)\b"
    r"(?P<rest>.*)$",
    re.IGNORECASE,
)
# A component's behaviour announced to change: "all SDKs will stop retrying flag requests",
# "the deploy job will now run the smoke tests". Without the change word it describes.
CHANGE = re.compile(
    rf"^{LEAD}(?P<thing>(?!(?:this|that|it|these|those|they|you|users?|customers?|there|we|i"
    r"|he|she|nobody|no\s+one|everyone|which|what)\b)[\w@`'\"-][^,;:]{2,60}?)\s+will\s+(?:also\s+)?"
    r"(?P<change>stop|start|begin|cease|no\s+longer|now)\s+(?P<rest>[a-z].*)$",
    re.IGNORECASE,
)
# "Going forward, every schema change will need two reviews": a rule set from now on.
RULE = re.compile(
    rf"^{LEAD}(?P<thing>(?!(?:this|that|it|these|those|they|you|users?|customers?|there|we|i"
    r"|he|she|nobody|no\s+one|everyone|which|what)\b)[\w@`'\"-][^,;:]{2,60}?)\s+will\s+"
    r"(?:also\s+|now\s+)?(?P<rest>[a-z].*)$",
    re.IGNORECASE,
)
# What a change will bring or the future hold, not a change: "Defining a process will
# help us avoid ...", "traffic will double".
OUTCOMES = frozenset(
    {
        *("enable", "allow", "help", "let", "make", "give", "prevent", "avoid", "reduce"),
        *("improve", "increase", "double", "lower", "raise", "scale", "fail", "break", "cover"),
    }
)
CHANGE_WORD = re.compile(r"\bwill\s+(?:also\s+)?(?:stop|start|begin|cease|no\s+longer|now)\b", re.I)
# Promises that are no action item: watching, updating this report, being able to.
NOT_WORK = re.compile(
    r"^(?:continue\s+to\s+(?:monitor|observe|watch|keep|update|investigate|share|communicate)"
    r"|keep\s+(?:monitoring|watching|an\s+eye|you|everyone|users)|be\s+(?:able|unable|happy|glad"
    r"|sure|in\s+touch)|see|know|find\s+out|learn|need|have\s+to|post\s+(?:an?\s+)?update"
    r"|update\s+(?:this|the)\s+(?:post|page|document|doc|report|status|incident|thread|issue)"
    r"|(?:share|publish|post|release|write)\s+(?:a|an|the|more|further|our)\s+(?:\w+\s+)?"
    r"(?:update|post-?mortem|postmortem|report|details|rca|write-?up|retrospective|analysis)"
    r"|provide\s+(?:an?\s+|more\s+|further\s+)?(?:update|details|information)|get\s+back|follow\s+up"
    r"\s+(?:with|here)|let\s+(?:you|users|everyone)|notify\s+(?:you|users|customers)|reach\s+out"
    r"|give\s+(?:you|everyone|users|readers|our\s+\w+)\s+(?:(?:some|an?|more|further|a\s+bit\s+of)\s+)?"
    r"(?:insight|overview|update|details|idea|summary|picture|account|look|background)"
    r"|talk\s+about|discuss\s+this|cover\s+(?:this|that)|also\s+note|note\s+that|explain|refer\s+to"
    r"|(?:go|get|come)\s+back\s+to|return\s+to|describe|outline|summari[sz]e|detail|walk\s+(?:you\s+)?"
    r"through|go\s+(?:over|through|into)|start\s+(?:with|by)|begin\s+(?:with|by)|look\s+at\s+(?:how"
    r"|what|why|each|the\s+timeline))\b",
    re.IGNORECASE,
)
# After "we need to" or "we should": a resolve or an attitude, no task.
NOT_TASK = re.compile(
    r"^(?:(?:do|get)\s+better|remember|acknowledge|accept"
    r"|understand|think|admit|apologi[sz]e|try|strive|hope|avoid|keep\s+in\s+mind)\b",
    re.IGNORECASE,
)
# A resolve, whatever the modal: "we will make sure this never happens again".
RESOLVE = re.compile(
    r"^(?:(?:make\s+sure|ensure)\s+(?:that\s+)?(?:this|it|we|nothing|such|the\s+same|something)\b"
    r"|do\s+(?:our|my|everything|whatever|better|all)\b|learn\s+from|(?:work\s+to\s+)?(?:prevent"
    r"|avoid)\s+(?:this|it|that|such|similar|a\s+(?:repeat|recurrence)|recurrences?|something"
    r"|the\s+same|any\s+(?:future|similar)|future\s+(?:incidents|outages))\b|(?:work\s+to\s+)?"
    r"reduce\s+the\s+(?:likelihood|chances?|risk|odds)\s+of\s+(?:this|it|that|such|similar"
    r"|a\s+(?:repeat|recurrence)|recurrence))",
    re.IGNORECASE,
)
# "We're going to need to X": the work is X.
MUST_TO = re.compile(r"^(?:need|have)\s+to\s+", re.IGNORECASE)
# "We are planning on moving X": the work is moving X.
ON_ING = re.compile(r"^on\s+(?=[a-z]+ing\b)", re.IGNORECASE)
# "We have begun work on X": the work named after it.
WORK_ON = re.compile(r"^work\s+on\s", re.IGNORECASE)
# "Add this to the docs": work named only by pointing back at the sentence before.
# "Ensure that X happens" says what, though: "that" opens a clause there.
THAT_CLAUSE = r"(?!(?:ensure|verify|check|confirm|validate|guarantee|document)\s+that\s)"
POINTING = re.compile(rf"^{THAT_CLAUSE}[a-z]+\s+(?:this|that|it|these|those|them)\b", re.IGNORECASE)
# "Once a change is merged, we will deploy it": the pronoun points into the sentence itself.
POINTING_BACK = re.compile(rf"^{THAT_CLAUSE}[a-z]+\s+(?:this|that|these|those)\b", re.I)
FORWARD = re.compile(
    r"\b(?:going\s+forwards?|from\s+now\s+on|by\s+default|in\s+future|in\s+the\s+future)\b",
    re.IGNORECASE,
)
# The report itself, whose release is no action item: "a full post-mortem will be released".
REPORT = re.compile(
    r"\b(?:post-?mortem|postmortem|report|update|analysis|details|rca|write-?up|retrospective"
    r"|statement|blog)\b",
    re.IGNORECASE,
)
# One thing named, not a kind of thing: "the runbook", "our alerting".
DEFINITE = re.compile(r"(?:the|our|this|that|each|every|all)\s", re.IGNORECASE)
# What makes "we should", "we must", "we want to" look ahead: before the team, or closing it.
AHEAD = re.compile(
    r"\b(?:going\s+forwards?|moving\s+forward|from\s+now\s+on|by\s+default|in\s+(?:the\s+)?future"
    r"|(?:long|longer|short|shorter|medium|mid|near)[\s-]term|(?:next|this|coming)\s+(?:week|month"
    r"|quarter|sprint|year|release)|in\s+the\s+coming\s+\w+|to\s+(?:prevent|avoid|address|mitigate)"
    r"|(?:after|following)\s+this\s+(?:incident|outage|event)|as\s+(?:a|an)\s+(?:[a-z-]+\s+){0,2}"
    r"(?:step|measure|action|follow-?up))\b",
    re.IGNORECASE,
)
AHEAD_END = re.compile(
    r"\b(?:going\s+forwards?|moving\s+forward|from\s+now\s+on|in\s+(?:the\s+)?future)\W*$",
    re.IGNORECASE,
)
# "Once the new cluster is up, we will ...": a promise tied to a moment still to come.
WHEN = re.compile(
    r"^(?:once|when|whenever|after|as\s+soon\s+as|before|until|the\s+next\s+time)\s+"
    r"(?P<clause>[^,;:]{3,120}?)(?:,\s*|\s+(?=(?:we|the\s+team|our\s+team)[\s']))(?P<main>.+)$",
    re.IGNORECASE,
)
# A moment already past: "When we noticed, ...", "Once it was rolled back, ...".
PAST_CLAUSE = re.compile(
    r"\b(?:was|were|had|did|got|went|came|saw|found|began|happened|occurred|ago|yesterday)\b"
    r"|\b(?:we|it|they|this|i|he|she|someone)\s+(?:(?!\w*eed\b)\w+ed|built|sent|lost|took|made"
    r"|knew|thought|told|wrote|spent|left|kept|ran|rolled)\b",
    re.IGNORECASE,
)
# "Work is underway to X", "Work has started on X".
UNDERWAY = re.compile(
    rf"^{LEAD}work\s+(?:is|has)\s+(?:now\s+|already\s+|also\s+)?(?:underway|under\s+way"
    r"|in\s+progress|started|begun|ongoing)\s+(?:(?P<on>on)|to)\s+(?P<rest>.+)$",
    re.IGNORECASE,
)
# "We have opened an issue to X", "There is now a ticket (#12) for X".
TRACKED = re.compile(
    rf"^{LEAD}(?:(?:we|the\s+team)(?:'ve|\s+have|\s+has)?\s+(?:also\s+|now\s+|already\s+)?"
    r"(?:opened|filed|created|raised|logged|started|begun|launched|kicked\s+off)|there\s+is\s+"
    r"(?:now\s+|also\s+)?)\s*(?:an?\s+|the\s+)?(?:(?:new|open|follow-?up|tracking|internal)\s+)?"
    r"(?:issue|ticket|epic|project|effort|initiative|workstream|pr|pull\s+request|merge\s+request)"
    r"(?:\s*\(?#?[\w-]*\d+\)?)?\s+(?:to|for)\s+(?P<rest>.+)$",
    re.IGNORECASE,
)
# "A failover drill is planned for Q3", "Improvements to the pipeline are under way".
SCHEDULED = re.compile(
    rf"^{LEAD}(?P<thing>(?!(?:this|that|it|these|those|they|there|which|what)\b)[\w@`'\"-]"
    r"[^,;:]{4,80}?)\s+(?:is|are)\s+(?:now\s+|also\s+|currently\s+)?(?:planned|scheduled"
    r"|under\s*way|in\s+progress|being\s+(?:worked\s+on|implemented|built|developed|rolled\s+out"
    r"|fixed|addressed|investigated"
    r"|planned|prepared|added))(?P<rest>(?:\s+(?:for|in|by|before|after|during|next|this|later"
    r"|soon|early|over|as)\b.*|\W*))$",
    re.IGNORECASE,
)
# How things run, not work to come: "backups are scheduled nightly".
ROUTINE = re.compile(
    r"\b(?:every|each|daily|nightly|weekly|monthly|hourly|yearly|regularly|routinely"
    r"|(?:mon|tues|wednes|thurs|fri|satur|sun)days|weekends)\b",
    re.IGNORECASE,
)
# "We've added a lag alert to our backlog", "X has been added to the roadmap".
BACKLOG = re.compile(
    rf"^{LEAD}(?:(?:we|the\s+team)(?:'ve|\s+have|\s+has)?\s+(?:also\s+|now\s+)?added\s+"
    r"(?P<what>[^,;:]{3,100}?)|(?P<thing>[\w`'\"-][^,;:]{3,100}?)\s+(?:has|have)\s+(?:also\s+)?"
    r"been\s+added)\s+to\s+(?:our|the|its|their)\s+(?:[\w-]+\s+){0,2}?(?:backlog|roadmap"
    r"|to-?do\s+list|work\s+queue)\b",
    re.IGNORECASE,
)
# "Adding a lag alert is tracked in #12".
TRACKED_WORK = re.compile(
    r"^(?P<ing>[a-z]+ing)\s+(?P<what>[^,;:]{3,100}?)\s+is\s+(?:now\s+|being\s+)?tracked\s+"
    r"(?:in|at|by|under|as)\b",
    re.IGNORECASE,
)
# Work not started by this team: asking others, telling people.
NOT_OURS = frozenset({"ask", "request", "report", "contact", "notify", "inform", "tell", "email"})
# "We should strive to reduce X": the work is what comes after.
REACH = re.compile(r"^(?:strive|aim|endeavou?r|seek|work)\s+to\s+", re.IGNORECASE)
# "We need to add this to the documentation": writing down what the sentence before says.
RECORD_THIS = re.compile(
    r"^(?:(?:also|additionally|then),?\s+)?(?:we|the\s+team|our\s+team)\s+(?:also\s+)?"
    r"(?:will|'ll|need\s+to|needs\s+to|are\s+going\s+to|'re\s+going\s+to|plan\s+to)\s+"
    r"(?:also\s+)?(?P<verb>add|put|include|document|codify|record|capture|write)\s+(?:this|that"
    r"|these)(?P<where>(?:\s+down)?(?:\s+(?:to|in|into)\s+(?:the|our|a)\s+(?:[\w-]+\s+){0,3}?"
    r"(?:documentation|docs|runbooks?|playbooks?|wiki|handbook|guide|checklists?|process"
    r"|readme|onboarding|procedures?))?)\s*[.!]?$",
    re.IGNORECASE,
)
AND_TO = re.compile(r",?\s+and\s+(?:then\s+|also\s+)?to\s+(?=[a-z])")
CONDITIONAL = re.compile(r"^(?:if|unless|should|whether|as\s+we|what|how|why|when\s+we)\b", re.I)
REFERRING = re.compile(
    r"^(?:[a-z]+\s+)?(?:these|those"
    r"|this|that|them|the\s+following|the\s+items?\s+below|the\s+above|it)\b[\s.:]*$",
    re.IGNORECASE,
)
ADVERB = re.compile(r"^(?:also|now|then|further|additionally|soon|shortly|continue\s+to)\s+", re.I)
BE_ING = re.compile(r"^be\s+(?:(?:more|less|much|even|\w+ly)\s+){0,3}(\w+ing)\b", re.IGNORECASE)
NEGATED = re.compile(r"^(?:(?:no\s+longer|not|never)\s+(?P<verb>\w+)|stop\s+\w+)", re.I)
# After "will", words that make no work: "we will be fine", "we'll have news", "we will all".
NOT_VERBS = frozenset(
    {
        *("be", "have", "has", "had", "likely", "probably", "certainly", "surely", "soon"),
        *("definitely", "all", "each", "every", "the", "a", "an", "this", "that", "it"),
        *("always", "still", "hopefully", "eventually", "then", "there", "here", "in", "on"),
        *("need", "want", "like", "hear", "feel", "remember", "miss", "notice", "happen"),
    }
)
CLAUSE_CUT = re.compile(r",\s+(?:so\s+that|which|where|because|since|as|and\s+we)\s|\s+so\s+that\s")
# "We have started the process of retiring X": the work is retiring X.
PROCESS_OF = re.compile(r"^(?:the\s+)?(?:process|work)\s+of\s+(?=[a-z]+ing\b)", re.IGNORECASE)
# "..., which we'll avoid going forward": a promise about what the clause before tells.
WHICH = re.compile(
    r"^(?P<main>[^,;]{10,200}?),\s+which\s+(?:we|the\s+team)(?:'ll|\s+will)\s+(?:also\s+)?"
    r"(?P<verb>avoid|fix|address|change|improve|revisit|prevent|automate|document|remove|replace"
    r"|rework|review)\s+(?:(?:going|moving)\s+forwards?|in\s+(?:the\s+)?future|from\s+now\s+on)\W*$",
    re.IGNORECASE,
)
# The one who acts, named at a sentence's start: "Besu team used ...", "The infra team ...".
TEAM_START = re.compile(r"^(?:the\s+)?(?P<team>(?:[\w-]+\s+){1,2}?team)\b", re.IGNORECASE)
# Work named only by its purpose: "implement safeguards to prevent similar incidents".
VAGUE = re.compile(
    r"^(?:implement|put|take|add|introduce|make|adopt)\s+(?:(?:additional|further|new|more"
    r"|extra|some)\s+)?(?:safeguards|measures|steps|changes|improvements|precautions)\s+"
    r"(?:in\s+place\s+)?to\s+(?:prevent|avoid|stop)\s+(?:similar|such|this|these|future|a\s+repeat"
    r"|recurrence|it|the\s+same)\b",
    re.IGNORECASE,
)
