"""What GitHub's raw answers mean, without a client: decoding, errors, rate limits."""

from __future__ import annotations

import pytest

from followup.github import answers
from followup.github.errors import (
    AuthError,
    BadAnswer,
    Forbidden,
    GitHubError,
    Gone,
    NotFound,
    Unprocessable,
)
from followup.github.transport import RawResponse


def raw(status: int, text: str, content_type: str = "application/json") -> RawResponse:
    return RawResponse(status, {"content-type": content_type}, text)


def test_json_is_decoded_with_control_characters_made_visible() -> None:
    data = answers.decode(raw(200, '{"title": "a\\u001b[2Jb"}'), "GET /x")
    assert data == {"title": "a␛[2Jb"}


def test_an_empty_body_is_none_and_a_bare_value_is_a_bad_answer() -> None:
    assert answers.decode(raw(204, ""), "DELETE /x") is None
    with pytest.raises(BadAnswer, match=r"GET /x is a number, not an object or a list"):
        answers.decode(raw(200, "42"), "GET /x")


def test_html_is_a_bad_answer_on_success_and_nothing_on_failure() -> None:
    page = "<html>sign in</html>"
    with pytest.raises(BadAnswer, match=r"not JSON \(text/html, 20 characters\)"):
        answers.decode(raw(200, page, "text/html; charset=utf-8"), "GET /x")
    assert answers.decode(raw(502, page, "text/html"), "GET /x") is None


@pytest.mark.parametrize(
    ("status", "kind", "words"),
    [
        (401, AuthError, "refused the token (401 Bad credentials)"),
        (403, Forbidden, "refused POST /repos/o/r/issues (403: nope)"),
        (404, NotFound, "found nothing at POST /repos/o/r/issues (404)"),
        (410, Gone, "410 Gone to POST /repos/o/r/issues: nope"),
        (500, GitHubError, "answered 500 to POST /repos/o/r/issues: nope"),
    ],
)
def test_each_status_has_its_error(status: int, kind: type[GitHubError], words: str) -> None:
    error = answers.error_for(status, {"message": "nope"}, "POST", "/repos/o/r/issues?x=1")
    assert type(error) is kind
    assert words in str(error)
    assert error.status == status


def test_a_422_names_each_field_github_rejected() -> None:
    body = {
        "message": "Validation Failed",
        "errors": [{"resource": "Issue", "field": "title", "code": "missing_field"}, "junk"],
    }
    error = answers.error_for(422, body, "POST", "/repos/o/r/issues")
    assert isinstance(error, Unprocessable)
    assert str(error).endswith("(422: Validation Failed: Issue title missing_field)")
    assert error.errors == ({"resource": "Issue", "field": "title", "code": "missing_field"},)


def test_a_path_is_shown_without_host_or_query_unless_asked() -> None:
    url = "https://api.github.com/repos/o/r/issues?state=all&page=2"
    assert answers.short_path(url) == "/repos/o/r/issues"
    assert answers.short_path(url, query=True) == "/repos/o/r/issues?state=all&page=2"


def test_rate_limits_are_told_from_refusals() -> None:
    assert answers.is_rate_limit({"retry-after": "3"}, None)
    assert answers.is_rate_limit({"x-ratelimit-remaining": "0"}, None)
    assert answers.is_rate_limit({}, {"message": "You have exceeded a secondary rate limit"})
    assert not answers.is_rate_limit({"x-ratelimit-remaining": "12"}, {"message": "Forbidden"})


def test_the_wait_follows_retry_after_or_doubles_from_a_minute() -> None:
    assert answers.retry_after({"retry-after": "7"}, 1) == 7.0
    assert answers.retry_after({"retry-after": "soon"}, 1) == 60.0
    assert answers.retry_after({}, 3) == 240.0


def test_a_scope_error_names_the_scopes_github_asked_for() -> None:
    message = "Your token has not been granted the required scopes. requires one of the "
    message += "following scopes: ['read:project', 'project']"
    error = answers.scope_error([{"message": message}, {"message": message}])
    assert error.scopes == ("read:project", "project")
    assert "lacks the 'read:project' or 'project' scope" in str(error)
