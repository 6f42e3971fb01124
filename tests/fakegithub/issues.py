"""Issues, labels, assignees and comments in the fake, as GitHub keeps and answers them.

Answers are GitHub's OpenAPI examples (`issue`, `label`, `issue-comment`) with ids,
numbers, names and times adapted. What GitHub does that followup relies on, the fake
does too: issue numbers are taken one at a time per repository, labels that do not
exist are created when an issue gets them (at its create, or added later), a label is
removed from an issue by name (404 when it has not got it), lists are paginated with
Link headers and filtered by labels, state and since, a reopened issue says
`state_reason: reopened`, and a label that exists already is a 422 `already_exists`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from scripts.cassette_kit import example

from tests.fakegithub.server import Answer, Request, Route, error

START = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)
STATE_REASONS = ("completed", "not_planned", "duplicate", "reopened", None)


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _user(login: str, kind: str = "User") -> dict[str, Any]:
    user: dict[str, Any] = example("issue")["user"]
    user.update(
        login=login,
        url=f"https://api.github.com/users/{login}",
        html_url=f"https://github.com/{login}",
        type=kind,
    )
    return user


def _invalid(field: str, value: Any, code: str = "invalid") -> Answer:
    body = error("Validation Failed", 422)
    return Answer(422, {**body, "errors": [{"resource": "Issue", "field": field, "code": code}]})


class IssueState:
    """The issues, labels, assignable users and comments of a few repositories."""

    url: str  # the server's base URL (server.Server)

    def _setup_issues(self, *, per_page_cap: int, login: str) -> None:
        self.per_page_cap = per_page_cap
        self.login = login  # who the token belongs to: the author of what it creates
        self.issues: dict[str, dict[int, dict[str, Any]]] = {}
        self.labels: dict[str, dict[str, dict[str, Any]]] = {}
        self.assignable: set[str] = set()
        self.comments: dict[int, dict[str, Any]] = {}
        self.created: list[int] = []  # every comment id ever created, deleted ones too
        # Whether the server knows `state_reason: duplicate` (older Enterprise servers
        # answer 422 to it).
        self.knows_duplicate = True
        self._numbers: dict[str, int] = {}
        self._next_id = 1_000
        self._tick = 0
        # What the fake stamps times from; tests that move followup's clock pass it here.
        self.clock: Callable[[], datetime] = lambda: START

    # -- arranging and reading ----------------------------------------------------------

    def add_issue(
        self,
        repo: str,
        title: str,
        body: str = "",
        *,
        labels: tuple[str, ...] = (),
        state: str = "open",
        state_reason: str | None = None,
        assignees: tuple[str, ...] = (),
        login: str = "octocat",
    ) -> int:
        """Add an issue as if someone had filed it; return its number."""
        data = self._new_issue(repo.lower(), title, body, list(labels), list(assignees), login)
        if state == "closed":
            data.update(state="closed", state_reason=state_reason or "completed")
            data["closed_at"] = data["updated_at"]
        return int(data["number"])

    def add_comment(self, repo: str, number: int, body: str, *, login: str | None = None) -> int:
        """Add a comment as if someone had posted it; return its id."""
        return int(self._new_comment(repo, number, body, login or "octocat")["id"])

    def issue(self, repo: str, number: int) -> dict[str, Any]:
        """Return an issue as the fake has it."""
        return self.issues[repo.lower()][number]

    def all_issues(self, repo: str) -> list[dict[str, Any]]:
        """Return a repository's issues, by number."""
        found = self.issues.get(repo.lower(), {})
        return [found[n] for n in sorted(found)]

    def bodies(self, repo: str, number: int) -> list[str]:
        """Return the bodies of an issue's comments, oldest first."""
        return [c["body"] for c in self._comments_on(repo, number)]

    def edit_issue(
        self,
        repo: str,
        number: int,
        *,
        body: str | None = None,
        assignees: tuple[str, ...] | None = None,
    ) -> None:
        """Change an issue's body or assignees as a person would on github.com."""
        data = self.issue(repo, number)
        if body is not None:
            data["body"] = body
        if assignees is not None:
            data["assignees"] = [_user(a) for a in assignees]
            data["assignee"] = data["assignees"][0] if data["assignees"] else None
        data["updated_at"] = self._now()

    def reopen(self, repo: str, number: int) -> None:
        """Reopen an issue as a person would on github.com."""
        data = self.issue(repo, number)
        data.update(state="open", state_reason="reopened", closed_at=None, updated_at=self._now())

    # -- building ---------------------------------------------------------------------

    def _now(self) -> str:
        self._tick += 1
        return _iso(self.clock() + timedelta(seconds=self._tick))

    def _api(self, repo: str, *parts: object) -> str:
        return "/".join((f"{self.url}/repos/{repo}", *map(str, parts)))

    def _label(self, repo: str, name: str, color: str = "ededed", description: Any = None) -> Any:
        known = self.labels.setdefault(repo, {})
        if name.lower() not in known:
            self._next_id += 1
            data: dict[str, Any] = example("label")
            data.update(
                id=self._next_id,
                node_id=f"LA_kwDOfake{self._next_id}",
                url=self._api(repo, "labels", name),
                name=name,
                color=color,
                description=description,
                default=False,
            )
            known[name.lower()] = data
        return known[name.lower()]

    def _new_issue(
        self,
        repo: str,
        title: str,
        body: str | None,
        labels: list[str],
        assignees: list[str],
        login: str,
    ) -> dict[str, Any]:
        number = self._numbers[repo] = self._numbers.get(repo, 0) + 1
        self._next_id += 1
        data: dict[str, Any] = example("issue")
        for optional in ("pull_request", "pinned_comment", "closed_by", "active_lock_reason"):
            data.pop(optional, None)
        owner, name = repo.split("/")
        now = self._now()
        data.update(
            id=self._next_id,
            node_id=f"I_kwDOfake{self._next_id}",
            number=number,
            title=title,
            body=body,
            state="open",
            state_reason=None,
            url=self._api(repo, "issues", number),
            repository_url=self._api(repo),
            labels_url=self._api(repo, "issues", number, "labels{/name}"),
            comments_url=self._api(repo, "issues", number, "comments"),
            events_url=self._api(repo, "issues", number, "events"),
            html_url=f"https://github.com/{owner}/{name}/issues/{number}",
            labels=[self._label(repo, n) for n in dict.fromkeys(labels)],
            assignee=_user(assignees[0]) if assignees else None,
            assignees=[_user(a) for a in assignees],
            user=_user(login, "Bot" if login.endswith("[bot]") else "User"),
            milestone=None,
            locked=False,
            comments=0,
            author_association="OWNER",
            created_at=now,
            updated_at=now,
            closed_at=None,
        )
        self.issues.setdefault(repo, {})[number] = data
        return data

    def _comments_on(self, repo: str, number: int) -> list[dict[str, Any]]:
        issue_url = self._api(repo.lower(), "issues", number)
        found = [c for c in self.comments.values() if c["issue_url"] == issue_url]
        return sorted(found, key=lambda comment: comment["id"])

    def _new_comment(self, repo: str, number: int, body: str, login: str) -> dict[str, Any]:
        repo = repo.lower()
        self._next_id += 1
        comment_id = self._next_id
        data: dict[str, Any] = example("issue-comment")
        owner, name = repo.split("/")
        now = self._now()
        data.update(
            id=comment_id,
            node_id=f"IC_kwDOfake{comment_id}",
            url=self._api(repo, "issues", "comments", comment_id),
            html_url=f"https://github.com/{owner}/{name}/pull/{number}#issuecomment-{comment_id}",
            issue_url=self._api(repo, "issues", number),
            body=body,
            created_at=now,
            updated_at=now,
            author_association="NONE",
        )
        data["user"] = {**data["user"], "login": login, "type": "Bot"}
        self.comments[comment_id] = data
        self.created.append(comment_id)
        issue = self.issues.get(repo, {}).get(number)
        if issue is not None:
            issue["comments"] += 1
        return data

    def _page(self, request: Request, every: list[Any], path: str) -> Answer:
        per_page = min(int(request.params.get("per_page", "30")), self.per_page_cap)
        page = int(request.params.get("page", "1"))
        chunk = every[(page - 1) * per_page : page * per_page]
        headers = {}
        if page * per_page < len(every):
            kept = "&".join(
                f"{k}={v}" for k, v in request.params.items() if k not in ("page", "per_page")
            )
            after = f"{self.url}{path}?{kept + '&' if kept else ''}per_page={per_page}"
            headers["Link"] = f'<{after}&page={page + 1}>; rel="next"'
        return Answer(200, chunk, headers)

    # -- issue routes -------------------------------------------------------------------

    def _list_issues(self, request: Request, repo: str) -> Answer:
        repo = repo.lower()
        wanted = [n.strip().lower() for n in request.params.get("labels", "").split(",") if n]
        state = request.params.get("state", "open")
        since = request.params.get("since")
        found = []
        for data in self.issues.get(repo, {}).values():
            names = {label["name"].lower() for label in data["labels"]}
            if any(n not in names for n in wanted):
                continue
            if state != "all" and data["state"] != state:
                continue
            if since and data["updated_at"] < since:
                continue
            found.append(data)
        key = "updated_at" if request.params.get("sort") == "updated" else "number"
        descending = request.params.get("direction", "desc") == "desc"
        found.sort(key=lambda d: (d[key], d["number"]), reverse=descending)
        return self._page(request, found, request.path)

    def _create_issue(self, request: Request, repo: str) -> Answer:
        repo = repo.lower()
        body = request.body or {}
        title = body.get("title")
        if not isinstance(title, str) or not title.strip():
            return _invalid("title", title, "missing_field")
        assignees = list(body.get("assignees") or [])
        for login in assignees:
            if login.lower() not in {a.lower() for a in self.assignable}:
                return _invalid("assignees", login)
        labels = [str(n) for n in body.get("labels") or []]
        data = self._new_issue(repo, title, body.get("body"), labels, assignees, self.login)
        return Answer(201, data)

    def _get_issue(self, request: Request, repo: str, number: str) -> Answer:
        data = self.issues.get(repo.lower(), {}).get(int(number))
        if data is None:
            return Answer(404, error("Not Found", 404))
        return Answer(200, data)

    def _update_issue(self, request: Request, repo: str, number: str) -> Answer:
        repo = repo.lower()
        data = self.issues.get(repo, {}).get(int(number))
        if data is None:
            return Answer(404, error("Not Found", 404))
        body = request.body or {}
        reason = body.get("state_reason")
        if reason not in STATE_REASONS or (reason == "duplicate" and not self.knows_duplicate):
            return _invalid("state_reason", reason)
        if "title" in body:
            data["title"] = body["title"]
        if "body" in body:
            data["body"] = body["body"]
        if "assignees" in body:
            data["assignees"] = [_user(a) for a in body["assignees"]]
            data["assignee"] = data["assignees"][0] if data["assignees"] else None
        if "labels" in body:
            data["labels"] = [self._label(repo, str(n)) for n in body["labels"]]
        now = self._now()
        state = body.get("state")
        if state == "closed" and data["state"] != "closed":
            data.update(state="closed", closed_at=now, state_reason=reason or "completed")
        elif state == "closed" and reason is not None:
            data["state_reason"] = reason
        elif state == "open" and data["state"] != "open":
            data.update(state="open", closed_at=None, state_reason="reopened")
        data["updated_at"] = now
        return Answer(200, data)

    # -- labels and assignees ---------------------------------------------------------

    def _list_labels(self, request: Request, repo: str) -> Answer:
        return self._page(request, list(self.labels.get(repo.lower(), {}).values()), request.path)

    def _create_label(self, request: Request, repo: str) -> Answer:
        repo = repo.lower()
        body = request.body or {}
        name = str(body.get("name") or "")
        if name.lower() in self.labels.get(repo, {}):
            failed = error("Validation Failed", 422)
            code = {"resource": "Label", "code": "already_exists", "field": "name"}
            return Answer(422, {**failed, "errors": [code]})
        data = self._label(
            repo, name, str(body.get("color") or "ededed"), body.get("description") or None
        )
        return Answer(201, data)

    def _get_label(self, request: Request, repo: str, name: str) -> Answer:
        data = self.labels.get(repo.lower(), {}).get(name.lower())
        if data is None:
            return Answer(404, error("Not Found", 404))
        return Answer(200, data)

    def _add_issue_labels(self, request: Request, repo: str, number: str) -> Answer:
        repo = repo.lower()
        data = self.issues.get(repo, {}).get(int(number))
        if data is None:
            return Answer(404, error("Not Found", 404))
        body = request.body
        wanted = body.get("labels") if isinstance(body, dict) else body
        if not isinstance(wanted, list) or not wanted:
            return _invalid("labels", wanted, "missing_field")
        names = [str(n["name"] if isinstance(n, dict) else n) for n in wanted]
        have = {label["name"].lower() for label in data["labels"]}
        for name in dict.fromkeys(names):
            if name.lower() not in have:
                # Like GitHub: a label the repository lacks is created, without a colour.
                data["labels"].append(self._label(repo, name))
                have.add(name.lower())
        data["updated_at"] = self._now()
        return Answer(200, data["labels"])

    def _remove_issue_label(self, request: Request, repo: str, number: str, name: str) -> Answer:
        data = self.issues.get(repo.lower(), {}).get(int(number))
        if data is None:
            return Answer(404, error("Not Found", 404))
        kept = [label for label in data["labels"] if label["name"].lower() != name.lower()]
        if len(kept) == len(data["labels"]):
            return Answer(404, error("Label does not exist", 404))
        data["labels"] = kept
        data["updated_at"] = self._now()
        return Answer(200, kept)

    def _assignee(self, request: Request, repo: str, login: str) -> Answer:
        if login.lower() in {a.lower() for a in self.assignable}:
            return Answer(204)
        return Answer(404, error("Not Found", 404))

    # -- comments -----------------------------------------------------------------------

    def _list_comments(self, request: Request, repo: str, number: str) -> Answer:
        return self._page(request, self._comments_on(repo, int(number)), request.path)

    def _create_comment(self, request: Request, repo: str, number: str) -> Answer:
        return Answer(201, self._new_comment(repo, int(number), request.body["body"], self.login))

    def _update_comment(self, request: Request, repo: str, comment_id: str) -> Answer:
        data = self.comments.get(int(comment_id))
        if data is None:
            return Answer(404, error("Not Found", 404))
        data.update(body=request.body["body"], updated_at=self._now())
        return Answer(200, data)

    def _delete_comment(self, request: Request, repo: str, comment_id: str) -> Answer:
        data = self.comments.pop(int(comment_id), None)
        if data is None:
            return Answer(404, error("Not Found", 404))
        number = int(data["issue_url"].rsplit("/", 1)[-1])
        issue = self.issues.get(repo.lower(), {}).get(number)
        if issue is not None:
            issue["comments"] -= 1
        return Answer(204)


_I = IssueState
ISSUE_ROUTES = [
    Route("GET issues", "GET", r"issues", _I._list_issues),
    Route("POST issues", "POST", r"issues", _I._create_issue),
    Route("GET issue", "GET", r"issues/(?P<number>\d+)", _I._get_issue),
    Route("PATCH issue", "PATCH", r"issues/(?P<number>\d+)", _I._update_issue),
    Route("GET labels", "GET", r"labels", _I._list_labels),
    Route("POST labels", "POST", r"labels", _I._create_label),
    Route("GET label", "GET", r"labels/(?P<name>[^/]+)", _I._get_label),
    Route("POST issue labels", "POST", r"issues/(?P<number>\d+)/labels", _I._add_issue_labels),
    Route(
        "DELETE issue label",
        "DELETE",
        r"issues/(?P<number>\d+)/labels/(?P<name>[^/]+)",
        _I._remove_issue_label,
    ),
    Route("GET assignee", "GET", r"assignees/(?P<login>[^/]+)", _I._assignee),
    Route("GET comments", "GET", r"issues/(?P<number>\d+)/comments", _I._list_comments),
    Route("POST comments", "POST", r"issues/(?P<number>\d+)/comments", _I._create_comment),
    Route("PATCH comment", "PATCH", r"issues/comments/(?P<comment_id>\d+)", _I._update_comment),
    Route("DELETE comment", "DELETE", r"issues/comments/(?P<comment_id>\d+)", _I._delete_comment),
]
