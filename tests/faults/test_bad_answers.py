"""A malformed GitHub answer is one clear error naming the endpoint, never 'unexpected'.

Before: a JSON string where a list is due made filing iterate its characters
(`unexpected AttributeError: 'str' object has no attribute 'get'`), an HTML page from
a proxy was read as an empty answer, and an issue without a number was a KeyError.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from followup.github import ClientOptions, GitHub
from followup.github.errors import BadAnswer, GraphQLError
from followup.github.issue_mapping import NewIssue
from followup.github.issues import create_issue, get_issue, list_label_names
from followup.github.users import authenticated_login
from followup.sync.repo_poll import RepoPlan, poll_repo
from tests.conftest import RunCli

REPO = "octo-org/followup-scratch"
MakeClient = Callable[[], GitHub]


@pytest.fixture
def make_client(github_token: str) -> MakeClient:
    options = ClientOptions(write_interval=0.0, backoff=0.0, max_retries=0)
    return lambda: GitHub(github_token, options)


@pytest.mark.vcr
def test_an_html_page_instead_of_json_names_the_endpoint(make_client: MakeClient) -> None:
    with pytest.raises(BadAnswer) as info:
        get_issue(make_client(), REPO, 7)
    assert str(info.value) == (
        f"GitHub's answer to GET /repos/{REPO}/issues/7 is not JSON (text/html, 96 characters); "
        "a proxy or a sign-in page may be in the way"
    )


@pytest.mark.vcr
def test_a_list_where_an_issue_is_due_names_the_endpoint(make_client: MakeClient) -> None:
    with pytest.raises(BadAnswer) as info:
        create_issue(make_client(), REPO, NewIssue("Add an alert", "body", ("followup",)))
    assert (
        str(info.value) == f"GitHub's answer to POST /repos/{REPO}/issues is a list, not an object"
    )


@pytest.mark.vcr
def test_a_json_string_is_never_an_answer(make_client: MakeClient) -> None:
    with pytest.raises(BadAnswer, match=r"to GET /user is a string, not an object or a list"):
        authenticated_login(make_client())


@pytest.mark.vcr
def test_an_issue_without_a_number_is_not_an_issue(make_client: MakeClient) -> None:
    with pytest.raises(BadAnswer) as info:
        get_issue(make_client(), REPO, 7)
    assert str(info.value) == (
        f"GitHub's answer to GET /repos/{REPO}/issues/7 is not an issue (no issue number)"
    )


@pytest.mark.vcr
def test_labels_that_are_not_labels_name_the_endpoint(make_client: MakeClient) -> None:
    with pytest.raises(BadAnswer, match=rf"GET /repos/{REPO}/labels is not a list of labels"):
        list_label_names(make_client(), REPO)


@pytest.mark.vcr
def test_a_poll_answered_with_an_object_fails_that_repository_only(
    make_client: MakeClient,
) -> None:
    result = poll_repo(make_client(), RepoPlan(REPO))
    assert not result.ok and not result.complete
    assert result.error == f"GitHub's answer to GET /repos/{REPO}/issues is an object, not a list"


@pytest.mark.vcr
def test_graphql_data_that_is_not_an_object_names_the_endpoint(make_client: MakeClient) -> None:
    with pytest.raises(BadAnswer, match=r"to POST /graphql holds a list as data"):
        make_client().graphql("query { viewer { login } }")


@pytest.mark.vcr
def test_graphql_errors_that_are_not_objects_are_still_reported(make_client: MakeClient) -> None:
    with pytest.raises(GraphQLError, match="GitHub GraphQL query failed: Something went wrong"):
        make_client().graphql("query { viewer { login } }")


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch, github_token: str) -> None:
    monkeypatch.setenv("GH_TOKEN", github_token)
    monkeypatch.setenv("FOLLOWUP_WRITE_INTERVAL", "0")
    monkeypatch.setenv("FOLLOWUP_MAX_RETRIES", "0")
    monkeypatch.setenv("COLUMNS", "200")


@pytest.mark.vcr
@pytest.mark.usefixtures("environment")
def test_filing_against_a_malformed_list_fails_its_items_in_one_line(
    run_cli: RunCli, tmp_path: Path, vcr: Any
) -> None:
    doc = tmp_path / "2026-11-20-queue.md"
    doc.write_text(
        f"---\ntitle: Queue\nrepo: {REPO}\n---\n# Queue\n\n## Action items\n\n- Add an alert\n",
        encoding="utf-8",
    )
    result = run_cli("file", str(doc))
    assert result.exit_code == 1
    assert "unexpected" not in result.output
    assert "0 created, 0 linked, 0 skipped, 1 failed." in result.stdout
    assert f"GitHub's answer to GET /repos/{REPO}/issues is a string" in result.stdout
    assert vcr.all_played
