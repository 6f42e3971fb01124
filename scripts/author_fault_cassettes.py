"""Author the cassettes of tests/faults/: GitHub behaviour no scratch repository gives on demand.

    python scripts/author_fault_cassettes.py

A renamed repository's redirects and hostile text in GitHub's answers are written
from the builders in tests/faults/ (GitHub's OpenAPI examples, adapted). Where a test
sends bodies followup builds (issue bodies, GraphQL queries), the scenario is run once
against ScriptedGitHub, a small scripted stand-in for GitHub that answers in those
shapes, and every exchange is written down; the tests then replay the cassette with
requests matched on method, URL and body like every other test.
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest import mock
from urllib.parse import parse_qsl, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts.cassette_kit import Cassette, example  # noqa: E402

CASSETTES = ROOT / "tests" / "cassettes"
Answer = tuple[int, Any, dict[str, str]]
Route = Callable[[str, str, dict[str, str], Any], Answer]


class ScriptedGitHub:
    """Answer followup's requests from a route function and write each exchange down."""

    def __init__(self, route: Route) -> None:
        self.route = route
        self.cassette = Cassette()

    def send(
        self, method: str, url: str, *, headers: dict[str, str] | None = None, body: Any = None
    ) -> Any:
        from followup.github.transport import RawResponse

        status, answer, extra = self.route(method, url, dict(headers or {}), body)
        asked = {k: v for k, v in (headers or {}).items() if k.lower() == "if-none-match"}
        self.cassette.add(
            method,
            url,
            status=status,
            body=answer,
            request=body,
            headers=extra,
            request_headers=asked,
        )
        response = self.cassette.interactions[-1]["response"]
        flat = {k.lower(): v[0] for k, v in response["headers"].items()}
        return RawResponse(status, flat, response["body"]["string"])

    @contextmanager
    def serving(self) -> Iterator[None]:
        """Send every request of the block here instead of to GitHub."""
        fake = self

        def send(_self: Any, method: str, url: str, **kwargs: Any) -> Any:
            return fake.send(method, url, **kwargs)

        with mock.patch("followup.github.transport.Transport.send", send):
            yield


def split(url: str) -> tuple[str, dict[str, str]]:
    parts = urlsplit(url)
    return parts.path, dict(parse_qsl(parts.query))


# -- redirects of a renamed repository ------------------------------------------------


def redirects() -> None:
    from tests.faults.renamed import MOVED, NEW, OLD, issue

    out = CASSETTES / "test_redirects"
    q = "labels=followup&state=all&per_page=100"
    c = Cassette()
    c.redirect("GET", f"/repos/{OLD}/issues?{q}", f"{MOVED}/issues?{q}")
    c.add("GET", f"{MOVED}/issues?{q}", body=[issue(15, "Add an alert", labels=("followup",))])
    c.write(out / "test_a_301_on_a_read_is_followed_with_its_query.yaml")

    q = "labels=followup&state=all"
    c = Cassette()
    c.redirect("GET", f"/repos/{OLD}/issues?{q}", f"{MOVED}/issues", status=302)
    c.add("GET", f"{MOVED}/issues?{q}", body=[issue(15, "Add an alert", labels=("followup",))])
    c.write(out / "test_a_302_without_a_query_keeps_the_one_asked_for.yaml")

    new = {"title": "Add an alert", "body": "body", "labels": ["followup"]}
    created = issue(15, "Add an alert", body="body", labels=("followup",))
    c = Cassette()
    c.redirect("POST", f"/repos/{OLD}/issues", f"{MOVED}/issues", status=307, request=new)
    c.add("POST", f"{MOVED}/issues", status=201, request=new, body=created)
    c.write(out / "test_a_307_on_a_create_sends_the_same_post_again.yaml")

    label = {"name": "followup", "color": "5319e7", "description": "filed by followup"}
    answer = (
        example("label") | label | {"url": f"https://api.github.com/repos/{NEW}/labels/followup"}
    )
    c = Cassette()
    c.redirect("POST", f"/repos/{OLD}/labels", f"{MOVED}/labels", status=307, request=label)
    c.add("POST", f"{MOVED}/labels", status=201, request=label, body=answer | {"default": False})
    c.write(out / "test_a_label_behind_a_307_is_really_created.yaml")

    patch = {"state": "closed"}
    closed = issue(15, "Add an alert", labels=("followup",)) | {
        "state": "closed",
        "state_reason": "completed",
        "closed_at": "2026-11-21T09:05:00Z",
        "updated_at": "2026-11-21T09:05:00Z",
    }
    c = Cassette()
    c.redirect("PATCH", f"/repos/{OLD}/issues/15", f"{MOVED}/issues/15", request=patch)
    c.add("PATCH", f"{MOVED}/issues/15", request=patch, body=closed)
    c.write(out / "test_a_301_on_a_write_keeps_its_method_and_body.yaml")

    put = {
        "required_status_checks": None,
        "enforce_admins": None,
        "required_pull_request_reviews": None,
        "restrictions": None,
        "allow_deletions": False,
    }
    protection = example("branch-protection")
    for key in ("required_status_checks", "required_pull_request_reviews", "restrictions"):
        protection.pop(key, None)
    text = json.dumps(protection).replace("octocat/Hello-World", NEW)
    protection = json.loads(text.replace("/branches/master/", "/branches/gh-pages/"))
    protection["allow_deletions"] = {"enabled": False}
    path = "branches/gh-pages/protection"
    c = Cassette()
    c.redirect("PUT", f"/repos/{OLD}/{path}", f"{MOVED}/{path}", status=307, request=put)
    c.add("PUT", f"{MOVED}/{path}", request=put, body=protection)
    c.write(out / "test_a_protection_put_behind_a_307_reads_the_protection.yaml")

    for status in (300, 303):
        c = Cassette()
        c.redirect("GET", f"/repos/{OLD}/labels", f"{MOVED}/labels", status=status)
        c.write(out / f"test_a_redirect_github_does_not_document_is_an_error[{status}].yaml")

    c = Cassette()
    moved = {"message": "Moved Permanently", "documentation_url": "https://docs.github.com/rest"}
    c.add("GET", f"/repos/{OLD}/labels", status=301, body=moved)
    c.write(out / "test_a_redirect_without_a_location_is_an_error.yaml")

    c = Cassette()
    c.redirect("GET", f"/repos/{OLD}/labels", f"https://evil.example{MOVED}/labels")
    c.write(out / "test_a_redirect_to_another_host_is_not_followed.yaml")

    c = Cassette()
    a, b = f"/repos/{OLD}/labels", f"{MOVED}/labels"
    for hop in range(6):
        c.redirect("GET", *((a, b) if hop % 2 == 0 else (b, a)))
    c.write(out / "test_a_redirect_loop_stops.yaml")

    # An Enterprise Server's web front answers plain http with an HTML redirect page.
    c = Cassette(base="http://ghe.example.com/api/v3")
    html = {"Location": "https://ghe.example.com/api/v3/user", "Content-Type": "text/html"}
    c.add("GET", "/user", status=301, headers=html)
    c.interactions[-1]["response"]["body"]["string"] = "<html><body>Moved</body></html>"
    c.write(out / "test_an_http_enterprise_url_redirected_to_https_says_what_to_set.yaml")


# -- a renamed repository, end to end -------------------------------------------------


class RenamedRepo:
    """GitHub after octo-org/old-name became octo-org/new-name: redirects, then answers."""

    def __init__(self, issues: dict[int, dict[str, Any]] | None = None) -> None:
        self.issues = issues or {}
        self.labels: list[dict[str, Any]] = []
        self.next_number = 15

    def __call__(self, method: str, url: str, headers: dict[str, str], body: Any) -> Answer:
        from tests.faults.renamed import MOVED, OLD, issue, repository

        from scripts.cassette_kit import redirect_body

        path, query = split(url)
        if path.startswith(f"/repos/{OLD}"):
            status = 301 if method == "GET" else 307
            target = "https://api.github.com" + MOVED + path.removeprefix(f"/repos/{OLD}")
            target += f"?{urlsplit(url).query}" if urlsplit(url).query else ""
            return status, redirect_body(status, target), {"Location": target}
        rest = path.removeprefix(MOVED)
        if (method, rest) == ("GET", ""):
            return 200, repository(), {}
        if (method, rest) == ("GET", "/issues"):
            listed = [i for i in self.issues.values() if query.get("labels", "") in _names(i)]
            listed.sort(key=lambda i: i["updated_at"], reverse=True)
            return 200, listed, {"ETag": 'W/"renamed-1"'}
        if (method, rest) == ("POST", "/issues"):
            number, self.next_number = self.next_number, self.next_number + 1
            made = issue(number, body["title"], body=body["body"], labels=tuple(body["labels"]))
            self.issues[number] = made
            return 201, made, {}
        if (method, rest) == ("GET", "/labels"):
            return 200, self.labels, {}
        if (method, rest) == ("POST", "/labels"):
            made = example("label") | body | {"default": False}
            self.labels.append(made)
            return 201, made, {}
        if path == "/graphql":
            return 200, self.graphql(body), {}
        raise AssertionError(f"no answer scripted for {method} {url}")

    def graphql(self, body: dict[str, Any]) -> dict[str, Any]:
        from tests.faults.renamed import graphql_issue

        by_id = {i["node_id"]: i for i in self.issues.values()}
        data: dict[str, Any] = {
            "rateLimit": {"cost": 1, "remaining": 4998, "resetAt": "2027-01-01T00:00:00Z"}
        }
        for field, ids in body["variables"].items():
            nodes = []
            for node_id in ids:
                found = by_id[node_id]
                state = "CLOSED" if found["state"] == "closed" else "OPEN"
                nodes.append(
                    graphql_issue(
                        found["number"], found["title"], state=state, closed_at=found["closed_at"]
                    )
                )
            data[field] = nodes
        return {"data": data}


def _names(issue: dict[str, Any]) -> list[str]:
    return [label["name"] for label in issue["labels"]]


def renames() -> None:
    from click.testing import CliRunner
    from tests.faults import test_renames as scenario
    from tests.faults.renamed import issue

    from followup.cli import cli

    out = CASSETTES / "test_renames"
    with tempfile.TemporaryDirectory() as tmp, _environment(tmp, scenario.NOW):
        pm = Path(tmp) / f"{scenario.SLUG}.md"
        pm.write_text(scenario.DOCUMENT, encoding="utf-8")
        fake = ScriptedGitHub(RenamedRepo())
        with fake.serving():
            done = CliRunner().invoke(cli, ["--db", f"sqlite:///{tmp}/a.db", "file", str(pm)])
        assert done.exit_code == 0, done.output
        fake.cassette.write(out / "test_filing_into_a_renamed_repository_files_each_item_once.yaml")

    with tempfile.TemporaryDirectory() as tmp, _environment(tmp, scenario.NOW):
        from followup.store import create_store_engine

        pm = Path(tmp) / f"{scenario.SLUG}.md"
        pm.write_text(scenario.DOCUMENT, encoding="utf-8")
        url = f"sqlite:///{tmp}/b.db"
        scenario.filed_in_old_name(create_store_engine(url), pm)
        closed = issue(15, scenario.ALERT, labels=("followup",)) | {
            "state": "closed",
            "state_reason": "completed",
            "closed_at": "2026-11-21T09:10:00Z",
            "updated_at": "2026-11-21T09:10:00Z",
        }
        opened = issue(16, scenario.RUNBOOK, labels=("followup",))
        fake = ScriptedGitHub(RenamedRepo({15: closed, 16: opened}))
        with fake.serving():
            done = CliRunner().invoke(cli, ["--db", url, "sync"])
        assert done.exit_code == 0, done.output
        name = "test_a_sync_after_a_rename_polls_the_list_it_asked_for_and_follows_the_issues"
        fake.cassette.write(out / f"{name}.yaml")


@contextmanager
def _environment(home: str, now: Any) -> Iterator[None]:
    from followup import clock

    env = {
        "HOME": home,
        "XDG_DATA_HOME": f"{home}/data",
        "XDG_CONFIG_HOME": f"{home}/config",
        "GH_TOKEN": "test-token-not-real",
        "FOLLOWUP_WRITE_INTERVAL": "0",
        "FOLLOWUP_SYNC_CONCURRENCY": "1",
        "COLUMNS": "200",
    }
    with mock.patch.dict("os.environ", env), mock.patch.object(clock, "now", lambda: now):
        import os

        before = Path.cwd()
        os.chdir(home)
        try:
            yield
        finally:
            os.chdir(before)


# -- malformed answers ------------------------------------------------------------------


def bad_answers() -> None:
    from tests.faults.renamed import issue

    out = CASSETTES / "test_bad_answers"
    repo = "/repos/octo-org/followup-scratch"
    c = Cassette()
    c.add("GET", f"{repo}/issues/7", headers={"Content-Type": "text/html; charset=utf-8"})
    page = "<html><head><title>Sign in</title></head><body>Sign in to continue</body></html>\n"
    c.interactions[-1]["response"]["body"]["string"] = page.ljust(96)
    c.write(out / "test_an_html_page_instead_of_json_names_the_endpoint.yaml")

    new = {"title": "Add an alert", "body": "body", "labels": ["followup"]}
    one = issue(15, "Add an alert", repo="octo-org/followup-scratch")
    c = Cassette()
    c.add("POST", f"{repo}/issues", status=201, request=new, body=[one])
    c.write(out / "test_a_list_where_an_issue_is_due_names_the_endpoint.yaml")

    c = Cassette()
    c.add("GET", "/user", body="octocat")
    c.write(out / "test_a_json_string_is_never_an_answer.yaml")

    numberless = issue(7, "Add an alert", repo="octo-org/followup-scratch")
    del numberless["number"]
    c = Cassette()
    c.add("GET", f"{repo}/issues/7", body=numberless)
    c.write(out / "test_an_issue_without_a_number_is_not_an_issue.yaml")

    c = Cassette()
    c.add("GET", f"{repo}/labels?per_page=100", body=["bug", "enhancement"])
    c.write(out / "test_labels_that_are_not_labels_name_the_endpoint.yaml")

    query = "labels=followup&state=all&sort=updated&direction=desc&per_page=100"
    c = Cassette()
    c.add("GET", f"{repo}/issues?{query}", body={"total_count": 0, "items": []})
    c.write(out / "test_a_poll_answered_with_an_object_fails_that_repository_only.yaml")

    viewer = {"query": "query { viewer { login } }", "variables": {}}
    c = Cassette()
    c.add("POST", "/graphql", request=viewer, body={"data": []})
    c.write(out / "test_graphql_data_that_is_not_an_object_names_the_endpoint.yaml")

    c = Cassette()
    c.add("POST", "/graphql", request=viewer, body={"errors": ["Something went wrong"]})
    c.write(out / "test_graphql_errors_that_are_not_objects_are_still_reported.yaml")

    c = Cassette()
    c.add("GET", f"{repo}/issues?per_page=100&labels=followup&state=all", body="not a list")
    c.write(out / "test_filing_against_a_malformed_list_fails_its_items_in_one_line.yaml")


# -- hostile text ---------------------------------------------------------------------


def hostile_text() -> None:
    import yaml

    out = CASSETTES / "test_hostile_text"
    viewer = {"query": "query { viewer { login } }", "variables": {}}
    error = {"type": "INTERNAL", "message": "\x1b]0;pwned\x07 [link=http://evil]L[/link]"}
    c = Cassette()
    c.add("POST", "/graphql", request=viewer, body={"errors": [error]})
    c.write(out / "test_graphql_error_text_is_cleaned.yaml")

    # The sync of tests/cli/test_sync_cmd.py, its answers given hostile titles, logins and
    # labels: the requests are the same, so the same store and sync replay it.
    source = CASSETTES / "test_sync_cmd" / "test_sync_prints_what_changed_and_what_it_cost.yaml"
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    for interaction in data["interactions"]:
        body = interaction["response"]["body"]
        answer = json.loads(body["string"]) if body["string"] else None
        if not isinstance(answer, list):
            continue
        for found in answer:
            if found["number"] == 12:
                found["title"] = "\x1b[2J Add an alert on queue depth"
                found["assignees"][0]["login"] = "al\x1b]0;x\x07"
                found["assignee"] = found["assignees"][0]
                found["labels"].append(found["labels"][0] | {"name": "\u202elabel"})
            elif found["number"] == 13:
                found["title"] = "[link=http://evil]L[/link]"
            elif found["number"] == 40:
                found["title"] = "\x1b]8;;http://evil\x1b\\Pin\x1b]8;;\x1b\\ \x9b31m\x08"
        body["string"] = json.dumps(answer)
    target = out / "test_hostile_titles_logins_and_labels_from_a_sync_print_inert.yaml"
    target.write_text(yaml.safe_dump(data, sort_keys=False, width=100), encoding="utf-8")


def main() -> None:
    """Write every cassette this script authors."""
    redirects()
    renames()
    bad_answers()
    hostile_text()


if __name__ == "__main__":
    main()
