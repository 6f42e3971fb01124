"""Renamed and transferred repositories: GitHub's redirects are followed as HTTP says.

After a rename GitHub answers 301 to reads and 307 to writes, pointing at
/repositories/{id}/... (tests/faults/renamed.py builds those answers). Before these
fixes a 307 was taken for the answer (`file` died on KeyError 'number', labels were
"created" that were not, a protection PUT read the redirect's body as protection), and a
301 was re-requested without its query string, so `sync` polled the wrong list.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest
import requests
import requests.adapters

from followup import logs
from followup.github import ClientOptions, GitHub
from followup.github.errors import RedirectError
from followup.github.issue_mapping import LabelSpec, NewIssue
from followup.github.issues import create_issue, create_label, list_labelled_issues
from tests.faults.renamed import NEW, OLD, REPO_ID

MakeClient = Callable[..., GitHub]


@pytest.fixture
def make_client(github_token: str) -> MakeClient:
    def make(**options: Any) -> GitHub:
        values: dict[str, Any] = {"write_interval": 0.0, "backoff": 0.0, **options}
        return GitHub(github_token, ClientOptions(**values), sleep=lambda _: None)

    return make


def played_all(vcr: Any) -> bool:
    return bool(vcr.play_count == len(vcr.data))


@pytest.mark.vcr
def test_a_301_on_a_read_is_followed_with_its_query(make_client: MakeClient, vcr: Any) -> None:
    client = make_client()
    issues = list(list_labelled_issues(client, OLD))
    # The list of the redirect's target, asked for with labels and state: only the
    # followup-labelled issue comes back, under the repository's new name.
    assert [(i.repo, i.number, i.title) for i in issues] == [(NEW, 15, "Add an alert")]
    assert client.moved == {OLD: REPO_ID}
    assert client.stats.requests == 2
    assert played_all(vcr)


@pytest.mark.vcr
def test_a_302_without_a_query_keeps_the_one_asked_for(make_client: MakeClient, vcr: Any) -> None:
    client = make_client()
    response = client.get(f"/repos/{OLD}/issues", {"labels": "followup", "state": "all"})
    assert [issue["number"] for issue in response.array()] == [15]
    assert played_all(vcr)


@pytest.mark.vcr
def test_a_307_on_a_create_sends_the_same_post_again(make_client: MakeClient, vcr: Any) -> None:
    client = make_client()
    created = create_issue(client, OLD, NewIssue("Add an alert", "body", ("followup",)))
    assert (created.repo, created.number) == (NEW, 15)
    assert client.stats.writes == 2  # the POST that was redirected, and the one that created
    assert played_all(vcr)


@pytest.mark.vcr
def test_a_label_behind_a_307_is_really_created(make_client: MakeClient, vcr: Any) -> None:
    client = make_client()
    assert create_label(client, OLD, LabelSpec("followup", "5319e7", "filed by followup")) is True
    assert played_all(vcr)  # the second POST was sent: the 307 alone created nothing


@pytest.mark.vcr
def test_a_301_on_a_write_keeps_its_method_and_body(make_client: MakeClient, vcr: Any) -> None:
    client = make_client()
    response = client.patch(f"/repos/{OLD}/issues/15", {"state": "closed"})
    assert response.object()["number"] == 15
    # Only PATCHes are in the cassette: a GET to the new place would not have matched.
    assert [r.method for r in vcr.requests] == ["PATCH", "PATCH"]
    assert played_all(vcr)


@pytest.mark.vcr
def test_a_protection_put_behind_a_307_reads_the_protection(
    make_client: MakeClient, vcr: Any
) -> None:
    client = make_client()
    body = {
        "required_status_checks": None,
        "enforce_admins": None,
        "required_pull_request_reviews": None,
        "restrictions": None,
        "allow_deletions": False,
    }
    response = client.put(f"/repos/{OLD}/branches/gh-pages/protection", body)
    data = response.object()
    assert "message" not in data  # not the redirect's body
    assert data["url"].endswith("/branches/gh-pages/protection")
    assert played_all(vcr)


@pytest.mark.vcr
@pytest.mark.parametrize("status", [300, 303])
def test_a_redirect_github_does_not_document_is_an_error(
    make_client: MakeClient, status: int
) -> None:
    with pytest.raises(RedirectError) as info:
        make_client().get(f"/repos/{OLD}/labels")
    assert str(info.value) == (
        f"GitHub answered {status} to GET /repos/{OLD}/labels, a redirect followup does not follow"
    )


@pytest.mark.vcr
def test_a_redirect_without_a_location_is_an_error(make_client: MakeClient) -> None:
    with pytest.raises(RedirectError, match="without saying where to"):
        make_client().get(f"/repos/{OLD}/labels")


@pytest.mark.vcr
def test_a_redirect_to_another_host_is_not_followed(make_client: MakeClient, vcr: Any) -> None:
    with pytest.raises(RedirectError, match=r"another host \(evil\.example\)"):
        make_client().get(f"/repos/{OLD}/labels")
    assert len(vcr.requests) == 1  # the token went nowhere else


@pytest.mark.vcr
def test_a_redirect_loop_stops(make_client: MakeClient) -> None:
    with pytest.raises(RedirectError, match="more than 5 times"):
        make_client().get(f"/repos/{OLD}/labels")


@pytest.mark.vcr
def test_an_http_enterprise_url_redirected_to_https_says_what_to_set(
    make_client: MakeClient,
) -> None:
    client = make_client(base_url="http://ghe.example.com/api/v3")
    with pytest.raises(RedirectError) as info:
        client.get("/user")
    assert str(info.value) == (
        "http://ghe.example.com redirects to https://ghe.example.com: "
        "set github_url to https://ghe.example.com/api/v3"
    )


def test_the_libraries_log_only_through_followup(
    make_client: MakeClient, capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG, logger="followup"):
        make_client()  # as with --verbose: the log is on before the first client
        logging.getLogger("urllib3.connectionpool").warning("Retrying after %s", "a reset")
    # Not on stderr through Python's last-resort handler...
    assert capfd.readouterr().err == ""
    # ...but in followup's log, which --verbose shows.
    assert [(r.name, r.getMessage()) for r in caplog.records] == [
        ("followup.lib.urllib3.connectionpool", "Retrying after a reset"),
    ]


def test_the_token_is_masked_in_what_the_libraries_log(
    make_client: MakeClient, github_token: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG, logger="followup"):
        make_client()
        logging.getLogger("urllib3").warning("sent %s", f"Authorization: token {github_token}")
    assert caplog.records[0].getMessage() == f"sent Authorization: token {logs.MASK}"


class _Capture(requests.adapters.BaseAdapter):
    """A transport adapter that answers 200 {} and keeps what it was asked to send."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[tuple[requests.PreparedRequest, dict[str, Any]]] = []

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        self.sent.append((request, kwargs))
        response = requests.Response()
        response.status_code = 200
        response._content = b"{}"
        response.headers["Content-Type"] = "application/json"
        response.request = request
        return response

    def close(self) -> None:
        """Nothing to close."""


def test_the_token_is_the_only_credential_and_proxies_still_apply(
    isolated_home: Any, monkeypatch: pytest.MonkeyPatch, github_token: str
) -> None:
    netrc = isolated_home / ".netrc"
    netrc.write_text("machine api.github.com login someone password other-secret\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    client = GitHub(github_token, ClientOptions(write_interval=0.0))
    capture = _Capture()
    client._transport._session.mount("https://", capture)

    client.get("/user")

    ((request, kwargs),) = capture.sent
    assert request.headers["Authorization"] == f"token {github_token}"
    assert (kwargs.get("proxies") or {}).get("https") == "http://proxy.example:3128"
