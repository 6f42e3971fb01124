"""Author the cassettes of the mirroring tests: priority labels, Due lines and Projects (v2).

    python scripts/author_mirroring_cassettes.py

No token was at hand to record these against github.com, and a Project (v2) cannot be
made to change between two steps of a test on demand. Each scenario of
tests/sync/test_mirroring.py and tests/cli/test_projects_cmd.py is run once against
MirrorGitHub, a small stateful stand-in for the REST endpoints (issues, labels, an
issue's labels) and the GraphQL queries followup sends (issues by id; a project, its
items, adding one, setting its fields), answering in GitHub's shapes: the OpenAPI
examples `issue` and `label` adapted, and for GraphQL the shapes of GitHub's schema,
which the contract tests check answer by answer. Every exchange is written down; the
tests replay them with requests matched on method, URL and body.
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from unittest import mock
from urllib.parse import unquote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts.author_fault_cassettes import ScriptedGitHub, split  # noqa: E402
from scripts.cassette_kit import example  # noqa: E402

CASSETTES = ROOT / "tests" / "cassettes"
REPO = "/repos/octo-org/followup-scratch"
USER_ABOVE = "Context from the on-call: the queue filled in 4 minutes.\n\n"
USER_BELOW = "\n\n- **Due:** whenever (a list of the reader's own)"
RATE = {"cost": 1, "remaining": 4998, "resetAt": "2027-01-01T00:00:00Z"}
Answer = tuple[int, Any, dict[str, str]]


def _label(name: str, color: str = "ededed", description: str | None = None) -> dict[str, Any]:
    label: dict[str, Any] = example("label")
    label.update(
        {
            "id": 208045946 + sum(map(ord, name)),
            "node_id": "LA_kwDOBf5zgM8AAAAB" + str(sum(map(ord, name))),
            "url": f"https://api.github.com{REPO}/labels/{name}",
            "name": name,
            "color": color,
            "description": description,
            "default": False,
        }
    )
    return label


def _not_found() -> dict[str, Any]:
    return {
        "message": "Not Found",
        "documentation_url": "https://docs.github.com/rest",
        "status": "404",
    }


@dataclass
class ProjectState:
    """A Project (v2): its fields and items (issue node id -> values by field id)."""

    fields: list[dict[str, Any]]
    items: dict[str, dict[str, Any]] = field(default_factory=dict)
    page_size: int = 100
    scope_error: bool = False


class MirrorGitHub:
    """octo-org/followup-scratch's issues and labels, and octo-org's project 5, in memory."""

    def __init__(
        self,
        issues: dict[int, dict[str, Any]],
        labels: list[str],
        *,
        etag: str,
        project: ProjectState | None = None,
        now: str = "2026-11-21T09:00:00Z",
    ) -> None:
        self.issues = issues
        self.labels = {name.casefold(): _label(name) for name in labels}
        self.etag = etag
        self.project = project
        self.now = now
        self.next_number = 15

    # -- REST ---------------------------------------------------------------------------

    def __call__(self, method: str, url: str, headers: dict[str, str], body: Any) -> Answer:
        path, query = split(url)
        if path == "/graphql":
            return 200, self.graphql(body), {}
        assert path.startswith(REPO), url
        rest = path.removeprefix(REPO)
        parts = [unquote(p) for p in rest.strip("/").split("/")]
        if (method, parts[:1]) == ("GET", ["labels"]) and len(parts) == 2:
            found = self.labels.get(parts[1].casefold())
            return (200, found, {}) if found else (404, _not_found(), {})
        if (method, parts) == ("GET", ["labels"]):
            return 200, list(self.labels.values()), {}
        if (method, parts) == ("POST", ["labels"]):
            made = _label(body["name"], body["color"], body.get("description"))
            self.labels[body["name"].casefold()] = made
            return 201, made, {}
        if (method, parts) == ("GET", ["issues"]):
            return self.listed(query, headers)
        if (method, parts) == ("POST", ["issues"]):
            return 201, self.create(body), {}
        if parts[0] == "assignees":
            return 204, None, {}
        number = int(parts[1])
        issue = self.issues[number]
        if method == "GET" and len(parts) == 2:
            return 200, issue, {}
        if method == "PATCH":
            issue.update(body)
            self.touch(issue)
            return 200, issue, {}
        if (method, parts[2:]) == ("POST", ["labels"]):
            for name in body["labels"]:
                if all(lab["name"].casefold() != name.casefold() for lab in issue["labels"]):
                    issue["labels"].append(self.labels[name.casefold()])
            self.touch(issue)
            return 200, issue["labels"], {}
        if method == "DELETE" and parts[2] == "labels":
            name = parts[3]
            kept = [lab for lab in issue["labels"] if lab["name"].casefold() != name.casefold()]
            if len(kept) == len(issue["labels"]):
                return 404, _not_found(), {}
            issue["labels"] = kept
            self.touch(issue)
            return 200, kept, {}
        raise AssertionError(f"no answer scripted for {method} {url}")

    def touch(self, issue: dict[str, Any]) -> None:
        issue["updated_at"] = self.now
        self.etag = f'W/"mirror-{issue["number"]}-{len(self.etag)}"'

    def listed(self, query: dict[str, str], headers: dict[str, str]) -> Answer:
        wanted = query.get("labels", "")
        found = [
            i for i in self.issues.values() if any(lab["name"] == wanted for lab in i["labels"])
        ]
        found.sort(key=lambda i: i["updated_at"], reverse=True)
        if "sort" not in query:  # filing's reconcile: a plain list
            return 200, found, {}
        if headers.get("If-None-Match") == self.etag:
            return 304, None, {"ETag": self.etag}
        return 200, found, {"ETag": self.etag}

    def create(self, body: dict[str, Any]) -> dict[str, Any]:
        from tests.sync.world import rest_issue

        number, self.next_number = self.next_number, self.next_number + 1
        made = rest_issue("Add an alert on queue depth", number=number, labels=(), assignees=())
        made.update(
            {
                "title": body["title"],
                "body": body["body"],
                "labels": [self.labels[n.casefold()] for n in body["labels"]],
                "node_id": f"I_kwDOBf5zgM{number:04d}",
                "created_at": self.now,
                "updated_at": self.now,
            }
        )
        self.issues[number] = made
        return made

    # -- GraphQL ------------------------------------------------------------------------

    def graphql(self, body: dict[str, Any]) -> dict[str, Any]:
        query: str = body["query"]
        variables: dict[str, Any] = body["variables"]
        name = query.split("(", 1)[0].rsplit(maxsplit=1)[-1]
        if self.project is not None and self.project.scope_error and "Project" in name:
            return _scope_error(name)
        handler: Callable[[dict[str, Any]], dict[str, Any]] = {
            "FollowupIssues": self.nodes,
            "FollowupProject": self.find_project,
            "FollowupAddToProject": self.add_item,
            "FollowupSetProjectFields": self.set_fields,
            "FollowupProjectItems": self.items,
        }[name]
        if name == "FollowupSetProjectFields":
            return {"data": self.set_fields(variables, query)}
        return {"data": handler(variables)}

    def nodes(self, variables: dict[str, Any]) -> dict[str, Any]:
        from tests.sync.world import graphql_issue

        by_id = {i["node_id"]: i for i in self.issues.values()}
        data: dict[str, Any] = {"rateLimit": RATE}
        for key, ids in variables.items():
            nodes = []
            for node in ids:
                found = by_id[node]
                answer = graphql_issue(
                    found["title"],
                    labels=[lab["name"] for lab in found["labels"]],
                    updated_at=found["updated_at"],
                )
                nodes.append(answer)
            data[key] = nodes
        return data

    def project_node(self) -> dict[str, Any]:
        from tests.sync.mirror_world import PROJECT_ID, PROJECT_URL

        assert self.project is not None
        return {
            "id": PROJECT_ID,
            "title": "Incident follow-ups",
            "url": PROJECT_URL,
            "closed": False,
            "fields": {"nodes": self.project.fields},
        }

    def find_project(self, variables: dict[str, Any]) -> dict[str, Any]:
        assert (variables["owner"], variables["number"]) == ("octo-org", 5)
        return {
            "rateLimit": RATE,
            "repositoryOwner": {"__typename": "Organization", "projectV2": self.project_node()},
        }

    def add_item(self, variables: dict[str, Any]) -> dict[str, Any]:
        assert self.project is not None
        content = variables["content"]
        entry = self.project.items.setdefault(
            content, {"id": f"PVTI_lADOBf5zgAB1{content[-8:]}", "values": {}}
        )
        entry["updatedAt"] = self.now
        return {"addProjectV2ItemById": {"item": {"id": entry["id"], "updatedAt": self.now}}}

    def set_fields(self, variables: dict[str, Any], query: str = "") -> dict[str, Any]:
        assert self.project is not None
        entry = next(e for e in self.project.items.values() if e["id"] == variables["item"])
        entry["updatedAt"] = self.now
        answer: dict[str, Any] = {}
        for alias in ("priority", "due"):
            if f"{alias}: " not in query:
                continue
            target = variables[f"{alias}Field"]
            if alias in variables:
                entry["values"][target] = variables[alias]
            else:
                entry["values"].pop(target, None)
            answer[alias] = {"projectV2Item": {"id": entry["id"], "updatedAt": self.now}}
        return answer

    def items(self, variables: dict[str, Any]) -> dict[str, Any]:
        assert self.project is not None
        entries = list(self.project.items.items())
        start = int(variables["after"] or 0)
        page = entries[start : start + self.project.page_size]
        more = start + self.project.page_size < len(entries)
        options = {o["id"]: o["name"] for f in self.project.fields for o in f.get("options", [])}
        nodes = []
        for content, entry in page:
            values: list[dict[str, Any]] = [
                {"__typename": "ProjectV2ItemFieldTextValue"}  # the Title, which is not asked for
            ]
            for field_id, value in entry["values"].items():
                if value in options:
                    values.append(
                        {
                            "__typename": "ProjectV2ItemFieldSingleSelectValue",
                            "name": options[value],
                            "optionId": value,
                            "field": {"id": field_id},
                        }
                    )
                else:
                    values.append(
                        {
                            "__typename": "ProjectV2ItemFieldDateValue",
                            "date": value,
                            "field": {"id": field_id},
                        }
                    )
            kind = "DraftIssue" if content.startswith("DI_") else "Issue"
            nodes.append(
                {
                    "id": entry["id"],
                    "updatedAt": entry["updatedAt"],
                    "isArchived": False,
                    "content": {"__typename": kind} | ({"id": content} if kind == "Issue" else {}),
                    "fieldValues": {"nodes": values},
                }
            )
        return {
            "rateLimit": RATE,
            "node": {
                "__typename": "ProjectV2",
                "fields": {"nodes": self.project.fields},
                "items": {
                    "pageInfo": {
                        "hasNextPage": more,
                        "endCursor": str(start + len(page)) if page else None,
                    },
                    "nodes": nodes,
                },
            },
        }


def _scope_error(name: str) -> dict[str, Any]:
    field_name = "addProjectV2ItemById" if "Add" in name else "projectV2"
    scope = "project" if "Add" in name or "Set" in name else "read:project"
    return {
        "errors": [
            {
                "type": "INSUFFICIENT_SCOPES",
                "locations": [{"line": 4, "column": 5}],
                "message": (
                    "Your token has not been granted the required scopes to execute this "
                    f"query. The '{field_name}' field requires one of the following scopes: "
                    f"['{scope}'], but your token has only been granted the: ['repo'] scopes. "
                    "Please modify your token's scopes at: https://github.com/settings/tokens."
                ),
            }
        ]
    }


def project_fields(
    *, due: bool = True, options: tuple[str, ...] = ("P0", "P1", "P2", "P3")
) -> list[dict[str, Any]]:
    """Return the project's fields as the queries select them: Status, Priority, Due."""
    from tests.sync.mirror_world import DUE_FIELD, OPTIONS, PRIORITY_FIELD, STATUS_FIELD

    found: list[dict[str, Any]] = [
        {
            "__typename": "ProjectV2Field",
            "id": "PVTF_lADOBf5zgAB1zgTitl",
            "name": "Title",
            "dataType": "TITLE",
        },
        {
            "__typename": "ProjectV2SingleSelectField",
            "id": STATUS_FIELD,
            "name": "Status",
            "dataType": "SINGLE_SELECT",
            "options": [{"id": "f75ad846", "name": "Todo"}, {"id": "98236657", "name": "Done"}],
        },
        {
            "__typename": "ProjectV2SingleSelectField",
            "id": PRIORITY_FIELD,
            "name": "Priority",
            "dataType": "SINGLE_SELECT",
            "options": [{"id": OPTIONS[o], "name": o} for o in options],
        },
    ]
    if due:
        found.append(
            {"__typename": "ProjectV2Field", "id": DUE_FIELD, "name": "Due", "dataType": "DATE"}
        )
    return found


# -- running a scenario ---------------------------------------------------------------


@contextmanager
def world(now: Any = None, *, build: bool = True) -> Iterator[tuple[Any, dict[str, str], str]]:
    """A fresh store built as tests/sync/mirror_world.py builds it, followup's clock at NOW.

    With build false the store stays empty.
    """
    from tests.sync import mirror_world
    from tests.sync.world import FILED_TIME, NOW

    from followup import clock
    from followup.store import create_store_engine

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/store.db"
        engine = create_store_engine(url)
        ids: dict[str, str] = {}
        if build:
            with mock.patch.object(clock, "now", lambda: FILED_TIME):
                ids = mirror_world.build_store(engine)
        moment = now or NOW
        with (
            mock.patch.object(clock, "now", lambda: moment),
            mock.patch.object(clock, "today", moment.date),
        ):
            yield engine, ids, url
        engine.dispose()


def client() -> Any:
    from followup.github import ClientOptions, GitHub

    return GitHub("test-token-not-real", ClientOptions(write_interval=0, backoff=0, max_retries=1))


def github(engine: Any, **changes: Any) -> MirrorGitHub:
    from tests.sync import mirror_world

    issues = mirror_world.github_issues(engine)
    return MirrorGitHub(issues, mirror_world.REPO_LABELS, etag=mirror_world.INITIAL_ETAG, **changes)


def record(fake: MirrorGitHub, out: Path, name: str, act: Callable[[], Any]) -> None:
    scripted = ScriptedGitHub(fake)
    with scripted.serving():
        act()
    scripted.cassette.write(out / f"{name}.yaml")


# -- the scenarios: each replays a test of tests/sync/test_mirroring.py -----------------

SYNC = CASSETTES / "test_mirroring"


def _changed_on_github(
    fake: MirrorGitHub,
    number: int,
    *,
    labels: list[str] | None = None,
    due: str | None = None,
    at: str,
) -> None:
    """Change an issue on GitHub's side, as someone in the web UI would."""
    issue = fake.issues[number]
    if labels is not None:
        issue["labels"] = [_label(n) for n in labels]
    if due is not None:
        issue["body"] = issue["body"].replace("- **Due:** 2026-12-01", f"- **Due:** {due}")
    issue["updated_at"] = at
    fake.etag = 'W/"mirror-changed-on-github"'


def sync_scenarios() -> None:
    from tests.sync.mirror_world import ALERT, CLIENT, POSTMORTEM_LABEL, RUNBOOK, SCRATCH

    from followup.sync.edits import set_due, set_priority
    from followup.sync.polling import sync_all

    def sync(engine: Any) -> Any:
        return sync_all(engine, client, repos=[SCRATCH], concurrency=1)

    later = "2026-11-20T09:15:00Z"
    p2 = ["followup", POSTMORTEM_LABEL, "priority:P2"]
    dec15 = date(2026, 12, 15)

    with world() as (engine, ids, _):
        fake = github(engine)
        name = "test_a_priority_edit_swaps_the_issues_priority_label"
        record(fake, SYNC, name, lambda: set_priority(engine, client(), ids[ALERT], "P0"))
    with world() as (engine, ids, _):
        fake = github(engine)
        name = "test_a_priority_label_the_repository_has_is_not_created_again"
        record(fake, SYNC, name, lambda: set_priority(engine, client(), ids[RUNBOOK], "P1"))
    with world() as (engine, ids, _):
        fake = github(engine)
        name = "test_clearing_the_priority_removes_its_label_and_no_other"
        record(fake, SYNC, name, lambda: set_priority(engine, client(), ids[ALERT], None))
    with world() as (engine, ids, _):
        fake = github(engine)
        # The issue's reader wrote above and below followup's block, in the web editor,
        # which saves every line with a Windows line ending.
        issue = fake.issues[12]
        issue["body"] = f"{USER_ABOVE}{issue['body']}{USER_BELOW}".replace("\n", "\r\n")
        name = "test_a_due_date_edit_rewrites_only_the_due_line_of_followups_block"
        record(fake, SYNC, name, lambda: set_due(engine, client(), ids[ALERT], dec15))
    with world() as (engine, ids, _):
        fake = github(engine)
        name = "test_a_due_date_on_an_issue_without_followups_block_stays_here"
        record(fake, SYNC, name, lambda: set_due(engine, client(), ids[CLIENT], dec15))
    with world() as (engine, ids, _):
        fake = github(engine)
        _changed_on_github(fake, 12, labels=p2, due="2027-01-15", at=later)
        name = "test_a_sync_brings_back_a_priority_label_and_a_due_line_changed_on_github"
        record(fake, SYNC, name, lambda: sync(engine))
    with world() as (engine, ids, _):
        fake = github(engine)
        set_priority(engine, None, ids[ALERT], "P0")
        name = "test_a_queued_priority_edit_is_pushed_by_the_next_sync"
        record(fake, SYNC, name, lambda: sync(engine))
    with world() as (engine, ids, _):
        fake = github(engine)
        set_priority(engine, None, ids[ALERT], "P0")
        _changed_on_github(fake, 12, labels=p2, at=later)
        name = "test_a_priority_label_changed_on_github_wins_over_a_queued_edit"
        record(fake, SYNC, name, lambda: sync(engine))
    with world() as (engine, ids, _):
        fake = github(engine)
        set_due(engine, None, ids[ALERT], dec15)
        name = "test_a_queued_due_date_is_pushed_by_the_next_sync"
        record(fake, SYNC, name, lambda: sync(engine))
    with world() as (engine, ids, _):
        fake = github(engine)
        set_due(engine, None, ids[ALERT], dec15)
        _changed_on_github(fake, 12, due="2027-01-15", at=later)
        name = "test_a_due_line_changed_on_github_wins_over_a_queued_due_date"
        record(fake, SYNC, name, lambda: sync(engine))


POLICY = CASSETTES / "test_policy_mirroring"


def policy_scenarios() -> None:
    """Due dates the policy sets reach the Due line: tests/sync/test_policy_mirroring.py."""
    from tests.sync.mirror_world import RUNBOOK, SCRATCH

    from followup.policy import DuePolicy
    from followup.sync.edits import set_priority
    from followup.sync.policy import refresh_deadlines
    from followup.sync.polling import sync_all

    with world() as (engine, ids, _):
        fake = github(engine)
        name = "test_a_new_priority_sends_the_policys_date_with_its_note"
        record(
            fake,
            POLICY,
            name,
            lambda: set_priority(engine, client(), ids[RUNBOOK], "P0", policy=DuePolicy()),
        )
    with world() as (engine, ids, _):
        fake = github(engine)
        set_priority(engine, None, ids[RUNBOOK], "P2")
        refresh_deadlines(engine, DuePolicy())
        name = "test_a_sync_writes_the_date_the_policy_gave_a_queued_priority"
        record(
            fake,
            POLICY,
            name,
            lambda: sync_all(engine, client, repos=[SCRATCH], concurrency=1),
        )


# -- Projects (v2): tests/sync/test_projects.py -----------------------------------------

PROJECTS = CASSETTES / "test_projects"


def project_items(values: dict[str, tuple[str | None, str | None, str]]) -> dict[str, Any]:
    """Return a project's items: title -> (priority, due, updatedAt), keyed by issue node id."""
    from tests.sync.mirror_world import (
        DUE_FIELD,
        OPTIONS,
        PRIORITY_FIELD,
        issue_node_id,
        project_item_id,
    )

    items: dict[str, Any] = {}
    for title, (priority, due, at) in values.items():
        fields: dict[str, str] = {"PVTSSF_lADOBf5zgAB1zgStat": "f75ad846"}  # Status: Todo
        if priority:
            fields[PRIORITY_FIELD] = OPTIONS[priority]
        if due:
            fields[DUE_FIELD] = due
        items[issue_node_id(title)] = {
            "id": project_item_id(title),
            "values": fields,
            "updatedAt": at,
        }
    return items


def project_scenarios() -> None:
    from tests.sync.mirror_world import ALERT, PROJECT, RUNBOOK, in_project

    from followup.github.project_mapping import parse_project
    from followup.github.projects import find_project
    from followup.policy import DuePolicy
    from followup.sync.edits import set_due, set_priority
    from followup.sync.polling import sync_all
    from followup.sync.projects import add_to_project, resolve_project

    def file_into_project(engine: Any, ids: dict[str, str]) -> None:
        github_client = client()
        project = resolve_project(engine, github_client, PROJECT)
        add_to_project(engine, github_client, project, [ids[ALERT], ids[RUNBOOK]])

    def sync(engine: Any) -> Any:
        return sync_all(engine, client, concurrency=1)

    filed = "2026-11-01T10:00:30Z"
    later = "2026-11-20T16:45:00Z"

    with world() as (engine, ids, _):
        fake = github(engine, project=ProjectState(project_fields()))
        name = "test_filed_issues_are_added_to_the_project_with_their_priority_and_due"
        record(fake, PROJECTS, name, lambda: file_into_project(engine, ids))
    with world() as (engine, ids, _):
        fields = project_fields(due=False, options=("P0", "P2", "P3"))
        fake = github(engine, project=ProjectState(fields))
        name = "test_missing_fields_and_options_are_warnings_and_nothing_is_created"
        record(fake, PROJECTS, name, lambda: file_into_project(engine, ids))
    with world() as (engine, ids, _):
        in_project(engine, {ALERT: ("P1", "2026-12-01")})
        items = project_items({ALERT: ("P1", "2026-12-01", filed)})
        fake = github(engine, project=ProjectState(project_fields(), items))
        name = "test_an_issue_already_in_the_project_is_left_as_it_is"
        record(fake, PROJECTS, name, lambda: file_into_project(engine, ids))
    with world() as (engine, ids, _):
        fake = github(engine, project=ProjectState(project_fields(), scope_error=True))
        name = "test_a_token_without_the_project_scope_is_told_so_in_one_line"
        record(
            fake,
            PROJECTS,
            name,
            lambda: _refused(lambda: find_project(client(), parse_project(PROJECT))),
        )
    with world() as (engine, ids, _):
        in_project(engine, {ALERT: ("P1", "2026-12-01"), RUNBOOK: (None, None)})
        items = project_items({ALERT: ("P0", "2027-02-01", later), RUNBOOK: (None, None, filed)})
        fake = github(engine, project=ProjectState(project_fields(), items))
        name = "test_a_sync_brings_back_priority_and_due_changed_in_the_project"
        record(fake, PROJECTS, name, lambda: sync(engine))
    with world() as (engine, ids, _):
        in_project(engine, {ALERT: ("P1", "2026-12-01")})
        fake = github(
            engine,
            project=ProjectState(
                project_fields(), project_items({ALERT: ("P0", "2026-12-01", later)})
            ),
        )
        set_priority(engine, None, ids[ALERT], "P3")
        name = "test_a_priority_changed_in_the_project_wins_over_a_queued_edit"
        record(fake, PROJECTS, name, lambda: sync(engine))
    with world() as (engine, ids, _):
        in_project(engine, {ALERT: ("P1", "2026-12-01"), RUNBOOK: (None, None)})
        items = project_items({ALERT: ("P2", "2026-12-01", later)})
        items["DI_lADOBf5zgAB1zgDraft"] = {
            "id": "PVTI_lADOBf5zgAB1zgDraft",
            "values": {},
            "updatedAt": later,
        }
        fake = github(engine, project=ProjectState(project_fields(), items, page_size=1))
        name = "test_a_project_is_read_page_by_page_and_forgets_issues_taken_out_of_it"
        record(fake, PROJECTS, name, lambda: sync(engine))
    with world() as (engine, ids, _):
        in_project(engine, {ALERT: ("P1", "2026-12-01")})
        items = project_items({ALERT: ("P1", "2026-12-01", filed)})
        fake = github(engine, project=ProjectState(project_fields(), items))
        name = "test_a_priority_edit_of_an_issue_in_the_project_sets_its_priority_there_too"
        record(fake, PROJECTS, name, lambda: set_priority(engine, client(), ids[ALERT], "P2"))
    with world() as (engine, ids, _):
        in_project(engine, {RUNBOOK: (None, None)})
        items = project_items({RUNBOOK: (None, None, filed)})
        fake = github(engine, project=ProjectState(project_fields(), items))
        name = "test_the_policys_date_reaches_the_projects_due_field_as_a_date"
        record(
            fake,
            PROJECTS,
            name,
            lambda: set_priority(engine, client(), ids[RUNBOOK], "P0", policy=DuePolicy()),
        )
    with world() as (engine, ids, _):
        in_project(engine, {ALERT: ("P1", "2026-12-01")})
        items = project_items({ALERT: ("P1", "2026-12-01", filed)})
        fake = github(engine, project=ProjectState(project_fields(), items))
        name = "test_clearing_priority_and_due_clears_them_in_the_project"

        def clear() -> None:
            set_priority(engine, client(), ids[ALERT], None)
            set_due(engine, client(), ids[ALERT], None)

        record(fake, PROJECTS, name, clear)
    with world() as (engine, ids, _):
        in_project(engine, {ALERT: ("P1", "2026-12-01")})
        fake = github(engine, project=ProjectState(project_fields(), scope_error=True))
        name = "test_a_project_the_token_cannot_read_fails_that_project_only"
        record(fake, PROJECTS, name, lambda: sync(engine))


def _refused(call: Callable[[], Any]) -> None:
    from followup.github.errors import ScopeError

    try:
        call()
    except ScopeError:
        return
    raise AssertionError("the scope error did not come")


# -- the command line: tests/cli/test_mirroring_cmd.py ----------------------------------

COMMANDS = CASSETTES / "test_mirroring_cmd"


@contextmanager
def cli_environment(folder: str) -> Iterator[None]:
    """The environment tests/cli/test_mirroring_cmd.py gives the CLI."""
    from tests.cli.test_mirroring_cmd import ENVIRONMENT

    env = {
        "HOME": folder,
        "XDG_DATA_HOME": f"{folder}/data",
        "XDG_CONFIG_HOME": f"{folder}/config",
        "GH_TOKEN": "test-token-not-real",
        **ENVIRONMENT,
    }
    with mock.patch.dict("os.environ", env):
        yield


def run(url: str, *args: str) -> Any:
    from click.testing import CliRunner

    from followup.cli import cli

    return CliRunner().invoke(cli, ["--db", url, *args], catch_exceptions=False)


def command_scenarios() -> None:
    from tests.cli import test_mirroring_cmd as scenario
    from tests.sync.mirror_world import ALERT, PROJECT, in_project

    with world(build=False) as (engine, ids, url), cli_environment(str(Path(url[10:]).parent)):
        folder = Path(url[10:]).parent
        document = scenario.write_postmortem(folder)
        fake = MirrorGitHub({}, [], etag='W/"empty"', project=ProjectState(project_fields()))
        name = "test_file_with_a_project_adds_each_issue_and_says_so_in_json"
        record(fake, COMMANDS, name, lambda: _ok(run(url, *scenario.file_args(document))))
    with world(build=False) as (engine, ids, url), cli_environment(str(Path(url[10:]).parent)):
        folder = Path(url[10:]).parent
        document = scenario.write_postmortem(folder)
        fake = MirrorGitHub(
            {}, [], etag='W/"empty"', project=ProjectState(project_fields(), scope_error=True)
        )
        name = "test_a_token_without_the_project_scope_stops_the_run_before_anything_is_filed"
        record(fake, COMMANDS, name, lambda: run(url, *scenario.file_args(document)))
    with world() as (engine, ids, url), cli_environment(str(Path(url[10:]).parent)):
        in_project(engine, {ALERT: ("P1", "2026-12-01")})
        items = project_items({ALERT: ("P0", "2026-12-01", "2026-11-20T16:45:00Z")})
        fake = github(engine, project=ProjectState(project_fields(), items))
        name = "test_sync_json_lists_each_project_it_read"
        record(fake, COMMANDS, name, lambda: _ok(run(url, "sync", "--format", "json")))
    with world() as (engine, ids, url), cli_environment(str(Path(url[10:]).parent)):
        name = "test_priority_with_a_token_swaps_the_label_and_says_so_in_json"
        record(
            github(engine),
            COMMANDS,
            name,
            lambda: _ok(run(url, "priority", ids[ALERT], "P0", "--format", "json")),
        )
    with world() as (engine, ids, url), cli_environment(str(Path(url[10:]).parent)):
        name = "test_due_takes_days_from_today_and_writes_the_due_line"
        record(
            github(engine),
            COMMANDS,
            name,
            lambda: _ok(run(url, "due", ids[ALERT], "+14", "--format", "json")),
        )
    _ = PROJECT


# -- the TUI: tests/tui/test_item_edits.py ----------------------------------------------


def tui_scenarios() -> None:
    """The TUI's store links one item to #7 with the label followup, and no body read."""
    from tests.sync.world import CLIENT, rest_issue
    from tests.tui.conftest import RUNBOOK

    from scripts.cassette_kit import Cassette

    out = CASSETTES / "test_item_edits"
    c = Cassette()
    c.add("GET", f"{REPO}/labels/priority%3AP0", status=404, body=_not_found())
    label = {"name": "priority:P0", "color": "b60205", "description": "Priority P0"}
    c.add("POST", f"{REPO}/labels", status=201, request=label, body=_label(**label))
    c.add(
        "POST",
        f"{REPO}/issues/7/labels",
        request={"labels": ["priority:P0"]},
        body=[_label("followup"), _label(**label)],
    )
    c.write(out / "test_prioritising_a_linked_item_labels_its_issue.yaml")

    issue = rest_issue(CLIENT, new_title=RUNBOOK, labels=["followup"], assignees=["dana"])
    issue["body"] = "Drain the queue by hand until the runbook exists."
    c = Cassette()
    c.add("GET", f"{REPO}/issues/7", body=issue)
    c.write(out / "test_a_due_date_for_an_issue_without_followups_block_stays_in_the_store.yaml")


def _ok(result: Any) -> None:
    assert result.exit_code == 0, result.output


def main() -> None:
    """Write every cassette of the mirroring tests."""
    sync_scenarios()
    policy_scenarios()
    project_scenarios()
    command_scenarios()
    tui_scenarios()
    _ = json


if __name__ == "__main__":
    main()
